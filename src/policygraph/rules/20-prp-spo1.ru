# OWL 2 RL rule: prp-spo1, scm-spo
# profile: structural
# reads: statements
# writes: statements
# A statement with a property also holds with its superproperties, and theirs (subproperty is transitive).
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x ?q ?y } }
#USING
WHERE { ?p rdfs:subPropertyOf+ ?q . FILTER(isIRI(?q)) ?x ?p ?y . FILTER NOT EXISTS { ?x ?q ?y } }

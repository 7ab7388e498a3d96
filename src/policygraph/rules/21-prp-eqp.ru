# OWL 2 RL rule: prp-eqp1, prp-eqp2
# profile: structural
# reads: statements
# writes: statements
# A statement with a property also holds with its equivalent properties.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x ?q ?y } }
#USING
WHERE { ?p owl:equivalentProperty|^owl:equivalentProperty ?q . ?x ?p ?y . FILTER NOT EXISTS { ?x ?q ?y } }

# OWL 2 RL rule: prp-symp
# profile: structural
# reads: statements
# writes: statements
# A statement with a symmetric property holds reversed.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?y ?p ?x } }
#USING
WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y . FILTER NOT EXISTS { ?y ?p ?x } }

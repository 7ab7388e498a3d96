# OWL 2 RL rule: prp-inv1, prp-inv2
# profile: structural
# reads: statements
# writes: statements
# A statement with a property holds reversed with its inverse.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?y ?q ?x } }
#USING
WHERE { ?p owl:inverseOf|^owl:inverseOf ?q . ?x ?p ?y . FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y ?q ?x } }

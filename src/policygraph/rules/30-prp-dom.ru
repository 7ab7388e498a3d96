# OWL 2 RL rule: prp-dom
# profile: full
# reads: statements
# writes: types
# The subject of a statement is a member of its property's domain.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x a ?c } }
#USING
WHERE { ?p rdfs:domain ?c . FILTER(isIRI(?c)) ?x ?p ?y . FILTER NOT EXISTS { ?x a ?c } }

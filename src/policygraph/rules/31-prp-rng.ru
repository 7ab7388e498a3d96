# OWL 2 RL rule: prp-rng
# profile: full
# reads: statements
# writes: types
# The object of a statement is a member of its property's range, unless it is a literal.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?y a ?c } }
#USING
WHERE { ?p rdfs:range ?c . FILTER(isIRI(?c)) ?x ?p ?y . FILTER(!isLiteral(?y)) FILTER NOT EXISTS { ?y a ?c } }

# OWL 2 RL rule: cls-hv1
# profile: structural
# reads: types
# writes: statements
# A member of a class restricted to hasValue v on p has v as a value of p.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x ?p ?v } }
#USING
WHERE { ?c rdfs:subClassOf|owl:equivalentClass|^owl:equivalentClass ?r . ?r owl:hasValue ?v ; owl:onProperty ?p . ?x a ?c . FILTER NOT EXISTS { ?x ?p ?v } }

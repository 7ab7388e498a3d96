# OWL 2 RL rule: cls-hv2
# profile: structural
# reads: statements
# writes: types
# Whatever has v as a value of p is a member of a named class defined as hasValue v on p.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x a ?c } }
#USING
WHERE { ?c owl:equivalentClass|^owl:equivalentClass ?r . FILTER(isIRI(?c)) ?r owl:hasValue ?v ; owl:onProperty ?p . ?x ?p ?v . FILTER NOT EXISTS { ?x a ?c } }

# OWL 2 RL rule: cax-sco, scm-sco
# profile: structural
# reads: types
# writes: types
# A member of a class is a member of its superclasses, and of theirs (subclass is transitive).
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x a ?d } }
#USING
WHERE { ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?d)) ?x a ?c . FILTER NOT EXISTS { ?x a ?d } }

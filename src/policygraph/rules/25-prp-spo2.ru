# OWL 2 RL rule: prp-spo2
# profile: structural
# reads: statements
# writes: statements
# A chain of two properties implies the property it is declared the chain of.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x ?p ?z } }
#USING
WHERE { ?p owl:propertyChainAxiom ?l . ?l rdf:first ?p1 ; rdf:rest ?r . ?r rdf:first ?p2 ; rdf:rest rdf:nil . ?x ?p1 ?y . ?y ?p2 ?z . FILTER NOT EXISTS { ?x ?p ?z } }

# OWL 2 RL rule: prp-trp
# profile: structural
# reads: statements
# writes: statements
# Two chained statements with a transitive property imply the shortcut.
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
INSERT { GRAPH <https://w3id.org/policygraph/graph/entailments> { ?x ?p ?z } }
#USING
WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z . FILTER NOT EXISTS { ?x ?p ?z } }

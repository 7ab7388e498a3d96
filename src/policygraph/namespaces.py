"""The IRIs policygraph mints and reuses, in one place.

Terms live under one persistent base, data under another, controlled vocabularies
under a third; the named graphs of a release have fixed IRIs so that queries can
name them.
"""

from __future__ import annotations

BASE = "https://w3id.org/policygraph/"
ONTOLOGY_IRI = BASE + "ontology"
PG = ONTOLOGY_IRI + "#"
SHAPES_IRI = BASE + "shapes"
PGSH = SHAPES_IRI + "#"
DATA = BASE + "id/"
VOCAB = BASE + "vocab/"
GRAPH = BASE + "graph/"

GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_DATA = GRAPH + "data"
GRAPH_ENTAILMENTS = GRAPH + "entailments"
GRAPH_SHAPES = GRAPH + "shapes"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "http://schema.org/"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
DOCO = "http://purl.org/spar/doco/"
VANN = "http://purl.org/vocab/vann/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
WD = "http://www.wikidata.org/entity/"

# Prefixes used when serialising and in SPARQL headers; data prefixes follow the
# families of identifiers under DATA (actor/, measure/, ...).
PREFIXES: dict[str, str] = {
    "pg": PG,
    "pgsh": PGSH,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "sh": SH,
    "oa": OA,
    "prov": PROV,
    "org": ORG,
    "time": TIME,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "schema": SCHEMA,
    "qudt": QUDT,
    "unit": UNIT,
    "doco": DOCO,
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "wd": WD,
    "actor": DATA + "actor/",
    "person": DATA + "person/",
    "place": DATA + "place/",
    "source": DATA + "source/",
    "series": DATA + "series/",
    "framework": DATA + "framework/",
    "pillar": DATA + "pillar/",
    "event": DATA + "event/",
    "measure": DATA + "measure/",
    "dependency": DATA + "dependency/",
    "statistic": DATA + "statistic/",
    "claim": DATA + "claim/",
    "membership": DATA + "membership/",
    "instant": DATA + "instant/",
    "vocab": VOCAB,
    "status": VOCAB + "epistemic-status/",
    "likely": VOCAB + "likelihood/",
    "qq": VOCAB + "quantity-qualifier/",
    "dq": VOCAB + "date-qualifier/",
    "basis": VOCAB + "share-basis/",
    "stat": VOCAB + "statistic-kind/",
    "domain": VOCAB + "policy-domain/",
    "item": VOCAB + "commodity/",
    "role": VOCAB + "role/",
}


def sparql_prefixes(names: list[str] | None = None) -> str:
    """PREFIX lines for a SPARQL text (all known prefixes unless ``names`` is given)."""
    items = PREFIXES.items() if names is None else ((n, PREFIXES[n]) for n in names)
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in items)

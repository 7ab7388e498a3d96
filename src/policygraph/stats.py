"""What the graph holds: triples per part, members per class, claims per status."""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import KnowledgeGraph

_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE {
  ?node a ?class .
  FILTER(STRSTARTS(STR(?class), STR(pg:)))
  FILTER(STRSTARTS(STR(?node), "https://w3id.org/policygraph/id/") || isBlank(?node))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_STATUS_COUNTS = """
SELECT ?status (COUNT(DISTINCT ?node) AS ?n) WHERE {
  ?node pg:epistemicStatus ?s . ?s skos:prefLabel ?status . FILTER(LANG(?status) = "en")
} GROUP BY ?status ORDER BY ?status
"""

_EVIDENCE = """
SELECT (COUNT(DISTINCT ?e) AS ?quotes) (COUNT(DISTINCT ?node) AS ?evidenced) WHERE {
  ?node pg:hasEvidence ?e .
}
"""


@dataclass
class Statistics:
    triples: dict[str, int]
    classes: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    quotes: int = 0
    evidenced: int = 0
    files: dict[str, int] = field(default_factory=dict)


def statistics(kg: KnowledgeGraph) -> Statistics:
    stats = Statistics(
        triples={part: kg.size(part) for part in ("ontology", "data", "entailments", "shapes")}
    )
    stats.files = {part: len(files) for part, files in kg.files.items()}
    for row in kg.query(_CLASS_COUNTS):
        stats.classes[row["class"].value.rsplit("#", 1)[-1]] = int(row["n"].value)
    for row in kg.query(_STATUS_COUNTS):
        stats.statuses[row["status"].value] = int(row["n"].value)
    for row in kg.query(_EVIDENCE):
        stats.quotes = int(row["quotes"].value)
        stats.evidenced = int(row["evidenced"].value)
    return stats

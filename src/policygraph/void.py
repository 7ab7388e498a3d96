"""The release's dataset description: VoID and DCAT, with SPDX checksums (``void.ttl``).

One ``void:Dataset``/``dcat:Dataset`` per version (``…/dataset/<version>``, a version of
``…/dataset``) holding the asserted graph: its title, license, publisher, version, issued
date, sources, the vocabularies it uses, class and property partitions, example
resources, the SPARQL endpoint when one is configured, and one ``dcat:Distribution`` per
file of the release with its media type, byte size, SHA-256 checksum and triple count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import layout
from . import namespaces as ns
from .dumps import serialize, triple_order, triples_of
from .graph import PARTS
from .layout import Format

_TYPE = ox.NamedNode(ns.RDF + "type")


@dataclass(frozen=True)
class Distribution:
    """One file of the release as the description and the manifest state it."""

    path: str
    graph: str
    format: Format
    triples: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class DatasetInfo:
    """What the description says about the dataset as a whole."""

    version: str
    issued: str
    title: str
    description: str
    keywords: tuple[str, ...] = ()
    sparql_endpoint: str | None = None


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _lit(value, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if language:
        return ox.Literal(str(value), language=language)
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


class _Graph:
    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, s, p: str, o) -> None:
        self.triples.append(ox.Triple(s, _iri(p), o))


def example_resources(dataset: ox.Dataset, limit_per_family: int = 1) -> list[str]:
    """The most-linked entity of each main family (actor, framework, event, measure)."""
    degree: Counter[str] = Counter()
    for q in dataset.quads_for_graph_name(PARTS["data"]):
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ns.DATA):
                degree[term.value] += 1
    examples = []
    for family in ("actor", "framework", "event", "measure", "claim"):
        base = f"{ns.DATA}{family}/"
        ranked = sorted(
            (iri for iri in degree if iri.startswith(base)), key=lambda i: (-degree[i], i)
        )
        examples.extend(ranked[:limit_per_family])
    return examples


def _ontology_header(dataset: ox.Dataset, predicate: str) -> list:
    return sorted(
        (
            q.object
            for q in dataset.quads_for_subject(_iri(ns.ONTOLOGY_IRI))
            if q.predicate.value == predicate and q.graph_name == PARTS["ontology"]
        ),
        key=str,
    )


def describe(
    dataset: ox.Dataset, info: DatasetInfo, distributions: Sequence[Distribution]
) -> bytes:
    """``void.ttl``: the description of the release in Turtle, sorted, blank nodes stable."""
    g = _Graph()
    ds = _iri(layout.dataset_iri(info.version))
    asserted = triples_of(dataset, ("ontology", "data"))

    g.add(ds, ns.RDF + "type", _iri(ns.VOID + "Dataset"))
    g.add(ds, ns.RDF + "type", _iri(ns.DCAT + "Dataset"))
    g.add(ds, ns.DCTERMS + "title", _lit(info.title, language="en"))
    g.add(ds, ns.DCTERMS + "description", _lit(info.description, language="en"))
    g.add(ds, ns.DCTERMS + "isVersionOf", _iri(layout.DATASET))
    g.add(ds, ns.OWL + "versionInfo", _lit(info.version))
    g.add(ds, ns.DCAT + "version", _lit(info.version))
    g.add(ds, ns.DCTERMS + "issued", _lit(info.issued, ns.XSD + "date"))
    for predicate in ("license", "creator", "publisher"):
        for value in _ontology_header(dataset, ns.DCTERMS + predicate):
            g.add(ds, ns.DCTERMS + predicate, value)
    for keyword in info.keywords:
        g.add(ds, ns.DCAT + "keyword", _lit(keyword, language="en"))
    g.add(ds, ns.DCTERMS + "conformsTo", _iri(ns.ONTOLOGY_IRI))
    g.add(ds, ns.DCTERMS + "conformsTo", _iri(ns.SHAPES_IRI))
    g.add(
        ds, ns.DCAT + "landingPage", _iri(layout.published_iri(layout.ONTOLOGY_PAGE, info.version))
    )
    g.add(ds, ns.VOID + "uriSpace", _lit(ns.DATA))
    briefs = sorted(
        {
            q.subject
            for q in dataset.quads_for_object(_iri(ns.PG + "PolicyBrief"))
            if q.predicate == _TYPE and q.graph_name == PARTS["data"]
        },
        key=str,
    )
    for brief in briefs:
        g.add(ds, ns.DCTERMS + "source", brief)
        g.add(ds, ns.PROV + "wasDerivedFrom", brief)
    if info.sparql_endpoint:
        g.add(ds, ns.VOID + "sparqlEndpoint", _iri(info.sparql_endpoint))
    for example in example_resources(dataset):
        g.add(ds, ns.VOID + "exampleResource", _iri(example))

    _statistics(g, ds, asserted)

    for d in distributions:
        node = _iri(layout.published_iri(d.path, info.version))
        g.add(ds, ns.DCAT + "distribution", node)
        if d.graph == "asserted" and d.format.suffix in ("nt.gz", "ttl", "nt"):
            g.add(ds, ns.VOID + "dataDump", node)
        g.add(node, ns.RDF + "type", _iri(ns.DCAT + "Distribution"))
        g.add(
            node,
            ns.DCTERMS + "title",
            _lit(
                f"policygraph {info.version}: {layout.GRAPH_TITLES[d.graph]} ({d.format.name})",
                language="en",
            ),
        )
        g.add(node, ns.DCAT + "downloadURL", node)
        g.add(node, ns.DCAT + "accessURL", node)
        g.add(node, ns.DCAT + "mediaType", _iri(layout.IANA + d.format.media_type))
        if d.format.gzip:
            g.add(node, ns.DCAT + "compressFormat", _iri(layout.IANA + "application/gzip"))
        g.add(node, ns.DCTERMS + "format", _iri(d.format.w3c))
        g.add(node, ns.DCAT + "byteSize", _lit(d.bytes, ns.XSD + "nonNegativeInteger"))
        g.add(node, ns.VOID + "triples", _lit(d.triples, ns.XSD + "integer"))
        for value in _ontology_header(dataset, ns.DCTERMS + "license"):
            g.add(node, ns.DCTERMS + "license", value)
        g.add(node, ns.DCTERMS + "issued", _lit(info.issued, ns.XSD + "date"))
        checksum = ox.BlankNode()
        g.add(node, ns.SPDX + "checksum", checksum)
        g.add(checksum, ns.RDF + "type", _iri(ns.SPDX + "Checksum"))
        g.add(checksum, ns.SPDX + "algorithm", _iri(ns.SPDX + "checksumAlgorithm_sha256"))
        g.add(checksum, ns.SPDX + "checksumValue", _lit(d.sha256, ns.XSD + "hexBinary"))

    described = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in g.triples)
    described.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    ordered = sorted((q.triple for q in described), key=triple_order)
    return serialize(ordered, layout.FORMATS["ttl"])


def _statistics(g: _Graph, ds: ox.NamedNode, asserted: list[ox.Triple]) -> None:
    """Counts, vocabularies and class/property partitions of the asserted graph."""
    subjects: set = set()
    entities: set[str] = set()
    objects: set = set()
    properties: Counter[str] = Counter()
    classes: dict[str, set] = {}
    for t in asserted:
        subjects.add(t.subject)
        objects.add(t.object)
        properties[t.predicate.value] += 1
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ns.DATA):
            entities.add(t.subject.value)
        if t.predicate == _TYPE and isinstance(t.object, ox.NamedNode):
            classes.setdefault(t.object.value, set()).add(t.subject)
    g.add(ds, ns.VOID + "triples", _lit(len(asserted), ns.XSD + "integer"))
    g.add(ds, ns.VOID + "entities", _lit(len(entities), ns.XSD + "integer"))
    g.add(ds, ns.VOID + "distinctSubjects", _lit(len(subjects), ns.XSD + "integer"))
    g.add(ds, ns.VOID + "distinctObjects", _lit(len(objects), ns.XSD + "integer"))
    g.add(ds, ns.VOID + "properties", _lit(len(properties), ns.XSD + "integer"))
    g.add(ds, ns.VOID + "classes", _lit(len(classes), ns.XSD + "integer"))

    used = set(properties) | set(classes)
    vocabularies = {
        base
        for name, base in ns.PREFIXES.items()
        if not base.startswith((ns.DATA, ns.VOCAB)) and any(i.startswith(base) for i in used)
    }
    for base in sorted(vocabularies):
        g.add(ds, ns.VOID + "vocabulary", _iri(base))

    for cls, members in sorted(classes.items()):
        partition = ox.BlankNode()
        g.add(ds, ns.VOID + "classPartition", partition)
        g.add(partition, ns.VOID + "class", _iri(cls))
        g.add(partition, ns.VOID + "entities", _lit(len(members), ns.XSD + "integer"))
    for prop, count in sorted(properties.items()):
        partition = ox.BlankNode()
        g.add(ds, ns.VOID + "propertyPartition", partition)
        g.add(partition, ns.VOID + "property", _iri(prop))
        g.add(partition, ns.VOID + "triples", _lit(count, ns.XSD + "integer"))

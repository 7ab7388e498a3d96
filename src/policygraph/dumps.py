"""Serialising the release's graphs: every format, sorted, with stable blank-node labels.

The whole dataset (ontology, data, entailments, shapes) is canonicalised once with
RDFC-1.0, so a blank node has the same label in every file of a release and in every
build of the same sources. Statements are written in a fixed order (subject, then
``rdf:type`` and ``rdfs:label`` first, then by predicate and object); pyoxigraph writes
Turtle, N-Triples, RDF/XML, TriG and N-Quads. JSON-LD is compacted with a context made
from the graph (rdflib's JSON-LD serialiser), so that it reads as plain JSON: ``"type":
"State"``, ``"label": {"en": "Japan"}``, ``"actor": "actor:japan"``.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from . import namespaces as ns
from .graph import PARTS, KnowledgeGraph
from .layout import Format

RDF_TYPE = ns.RDF + "type"
_FIRST_PREDICATES = {RDF_TYPE: "0", ns.RDFS + "label": "1"}

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nt.gz": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}


def canonical_dataset(kg: KnowledgeGraph) -> ox.Dataset:
    """All parts of the graph, blank nodes relabelled by RDFC-1.0 (``_:c14n0``, ...).

    The shapes share no blank node with the rest and are canonicalised on their own
    (``_:sc14n0``, ...), so that a change to the shapes does not relabel the data's.
    """
    shapes_graph = PARTS["shapes"]
    dataset = ox.Dataset(q for q in kg.store if q.graph_name != shapes_graph)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    shapes = ox.Dataset(kg.store.quads_for_pattern(None, None, None, shapes_graph))
    shapes.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)

    def own(term):
        return ox.BlankNode("s" + term.value) if isinstance(term, ox.BlankNode) else term

    for q in shapes:
        dataset.add(ox.Quad(own(q.subject), q.predicate, own(q.object), q.graph_name))
    return dataset


def triple_order(t: ox.Triple) -> tuple[str, str, str]:
    predicate = t.predicate.value
    return (str(t.subject), _FIRST_PREDICATES.get(predicate, "2") + predicate, str(t.object))


class Ordered:
    """A dataset's distinct triples sorted once in the release's order, and each part's as
    positions in that order.

    A build asks for the same parts in many orders and combinations (five dump graphs, the
    pages' index, the dataset description); sorting by :func:`triple_order` each time was
    a tenth of a build's time at 1,000 briefs, and every copy of the triples held memory.
    """

    def __init__(self, dataset: ox.Dataset):
        self.size = len(dataset)
        by_part = {
            part: [q.triple for q in dataset.quads_for_graph_name(graph)]
            for part, graph in PARTS.items()
        }
        rank: dict[ox.Triple, int] = {}
        for triples in by_part.values():
            for t in triples:
                rank.setdefault(t, 0)
        self.triples: list[ox.Triple] = sorted(rank, key=triple_order)
        for position, t in enumerate(self.triples):
            rank[t] = position
        self.positions = {
            part: sorted(rank[t] for t in triples) for part, triples in by_part.items()
        }
        self._merged: dict[tuple[str, ...], list[ox.Triple]] = {}

    def of(self, parts: Sequence[str]) -> list[ox.Triple]:
        key = tuple(parts)
        if key not in self._merged:
            if len(key) == 1:
                positions = self.positions[key[0]]
            else:
                positions = sorted(set().union(*(self.positions[p] for p in key)))
            self._merged[key] = [self.triples[i] for i in positions]
        return self._merged[key]


_LAST: list[tuple[ox.Dataset, Ordered]] = []  # the dataset of the build under way


def ordered(dataset: ox.Dataset) -> Ordered:
    """The :class:`Ordered` triples of ``dataset``, kept for the last dataset asked about."""
    if _LAST and _LAST[0][0] is dataset and _LAST[0][1].size == len(dataset):
        return _LAST[0][1]
    _LAST[:] = [(dataset, Ordered(dataset))]
    return _LAST[0][1]


def triples_of(dataset: ox.Dataset, parts: Sequence[str]) -> list[ox.Triple]:
    """The triples of ``parts`` merged (each once), in the release's order (do not modify)."""
    return ordered(dataset).of(parts)


def quads_of(dataset: ox.Dataset, parts: Sequence[str] = tuple(PARTS)) -> list[ox.Quad]:
    """The quads of ``parts``, graph by graph in the order given, each in the release's order."""
    quads: list[ox.Quad] = []
    for part in parts:
        graph = PARTS[part]
        quads.extend(
            ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples_of(dataset, (part,))
        )
    return quads


def used_prefixes(statements: Iterable[ox.Triple | ox.Quad]) -> dict[str, str]:
    """The project's prefixes that are the namespace (up to the last ``/`` or ``#``) of an IRI
    of ``statements``; IRIs deeper under a prefix are written in full rather than escaped."""
    iris: set[str] = set()
    for s in statements:
        for term in (s.subject, s.predicate, s.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    namespaces = {iri[: max(iri.rfind("#"), iri.rfind("/")) + 1] for iri in iris}
    return {name: base for name, base in sorted(ns.PREFIXES.items()) if base in namespaces}


def serialize(
    statements: Sequence[ox.Triple] | Sequence[ox.Quad],
    fmt: Format,
    context: dict | None = None,
) -> bytes:
    """``statements`` in ``fmt``; JSON-LD needs the ``context`` to compact with."""
    if fmt.suffix == "jsonld":
        if context is None:
            raise ValueError("JSON-LD needs a context")
        return compact_jsonld(statements, context)
    prefixes = used_prefixes(statements) if fmt.suffix in ("ttl", "trig", "rdf") else None
    data = ox.serialize(statements, format=_OX_FORMATS[fmt.suffix], prefixes=prefixes)
    if fmt.gzip:
        data = gzip_bytes(data)
    return data


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no time stamp or file name in the header, so the bytes depend on ``data`` only."""
    return gzip.compress(data, compresslevel=6, mtime=0)  # 9: 3.5x slower, same size


# --- JSON-LD ----------------------------------------------------------------


def _curie(iri: str) -> str | None:
    best = ""
    for name, base in ns.PREFIXES.items():
        if iri.startswith(base) and len(base) > len(ns.PREFIXES.get(best, "")):
            best = name
    if not best:
        return None
    local = iri[len(ns.PREFIXES[best]) :]
    if not local or any(c in local for c in "/#?:"):
        return None
    return f"{best}:{local}"


def jsonld_context(triples: Iterable[ox.Triple]) -> dict:
    """A JSON-LD context for ``triples`` that makes them read as plain JSON.

    ``id`` and ``type`` stand for ``@id`` and ``@type``; every prefix is declared; each
    ``pg:`` property is a bare term (``target``), every other property a term named by
    its compact IRI (``rdfs:label``); ``pg:`` classes are bare terms (``State``). A
    property whose values are all IRIs is coerced to ``@id``, all of one datatype to that
    datatype, all language-tagged to a language map. One with blank-node values is not
    coerced: rdflib's serialiser leaves out the blank nodes of a property coerced to ``@id``.
    """
    kinds: dict[str, set[str]] = {}
    classes: set[str] = set()
    for t in triples:
        predicate = t.predicate.value
        o = t.object
        if predicate == RDF_TYPE:
            if isinstance(o, ox.NamedNode) and o.value.startswith(ns.PG):
                classes.add(o.value)
            continue
        if isinstance(o, ox.Literal):
            kind = "@language" if o.language else o.datatype.value
        elif isinstance(o, ox.BlankNode):
            kind = "@blank"  # left uncoerced (see above)
        else:
            kind = "@id"
        kinds.setdefault(predicate, set()).add(kind)
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update(dict(sorted(ns.PREFIXES.items())))
    for iri in sorted(classes):
        context[iri[len(ns.PG) :]] = _curie(iri)
    for iri, found in sorted(kinds.items()):
        curie = _curie(iri)
        if curie is None:
            continue
        term = curie.removeprefix("pg:")
        if term in context:
            term = curie
        definition: dict[str, str] = {"@id": curie}
        if found == {"@id"}:
            definition["@type"] = "@id"
        elif found == {"@language"}:
            definition["@container"] = "@language"
        elif len(found) == 1 and not found & {ns.XSD + "string", "@blank"}:
            (datatype,) = found
            definition["@type"] = _curie(datatype) or datatype
        context[term] = definition
    return context


JSONLD_CHUNK = 20_000  # statements per rdflib graph compacted at a time


def compact_jsonld(triples: Sequence[ox.Triple], context: dict) -> bytes:
    """Compacted JSON-LD of ``triples`` with ``context`` inline: keys and values sorted, one
    node of ``@graph`` per line (readable, and a diff shows the nodes that changed).

    rdflib's compaction (its ``from_rdf``) is run on chunks of about ``JSONLD_CHUNK``
    statements rather than on one graph of them all: it makes one node object per subject,
    reading only the subject's statements and those of the blank nodes it leads to (never
    embedded), so a chunk holding whole :func:`clusters` gives the nodes the whole graph
    gives, and a small rdflib graph at a time keeps the memory of a large release down.
    """
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    converter = Converter(Context(context), use_native_types=False, use_rdf_type=False)
    nodes: list[dict] = []
    for chunk in chunked(clusters(triples), JSONLD_CHUNK):
        nodes.extend(converter.from_graph(_rdflib_graph(chunk)))
    # as from_rdf puts them: one node is the document, several its @graph
    if len(nodes) == 1:
        document = {**nodes[0], "@context": context}
    else:
        document = {"@graph": nodes, "@context": context}
    document = _sorted_sets(document)
    nodes = document.pop("@graph", None)
    dump = functools.partial(json.dumps, ensure_ascii=False, sort_keys=True)
    head = dump(document, indent=1)
    if nodes is None:
        return (head + "\n").encode()
    body = ",\n".join(dump(node) for node in nodes)
    return (head[:-2] + ',\n "@graph": [\n' + body + "\n ]\n}\n").encode()


def clusters(triples: Iterable[ox.Triple]) -> list[list[ox.Triple]]:
    """``triples`` grouped so that a subject, the blank nodes it leads to and any other
    subject leading to one of those are in one group (in the order first seen)."""
    parent: dict = {}

    def find(x):
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    triples = list(triples)
    for t in triples:
        if isinstance(t.object, ox.BlankNode):
            a, b = find(t.subject), find(t.object)
            if a != b:
                parent[b] = a
    groups: dict = {}
    for t in triples:
        groups.setdefault(find(t.subject), []).append(t)
    return list(groups.values())


def chunked(groups: Iterable[list[ox.Triple]], size: int) -> Iterable[list[ox.Triple]]:
    """Whole groups gathered into chunks of about ``size`` statements."""
    chunk: list[ox.Triple] = []
    for group in groups:
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _rdflib_graph(triples: Iterable[ox.Triple]):
    """An rdflib graph of ``triples`` (in rdflib's context-free store: faster to fill and
    to read, and compaction needs no contexts)."""
    import rdflib

    graph = rdflib.Graph(store="SimpleMemory")
    add = graph.store.add
    term = _rdflib_term
    for t in triples:
        add((term(t.subject), term(t.predicate), term(t.object)), None)
    return graph


@functools.lru_cache(maxsize=1 << 16)
def _rdflib_term(term):
    from .convert import to_rdflib_term

    return to_rdflib_term(term)


def _sorted_sets(value, key: str = ""):
    """Arrays sorted (they are sets in JSON-LD), except the members of an ``@list``."""
    if isinstance(value, dict):
        return {k: _sorted_sets(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_sets(v) for v in value]
        if key == "@list":
            return items
        if key == "@graph":  # nodes by their id, then by content
            return sorted(items, key=lambda v: (str(v.get("id", "")), _json_key(v)))
        return sorted(items, key=_json_key)
    return value


def _json_key(value) -> tuple[int, str]:
    if isinstance(value, str):
        return (0, value)
    return (1, json.dumps(value, sort_keys=True, ensure_ascii=False))


def context_document(context: dict) -> bytes:
    """The published ``context.jsonld``."""
    return (json.dumps({"@context": context}, indent=1, ensure_ascii=False) + "\n").encode()

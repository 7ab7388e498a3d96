"""Validating a large graph in parts, with the results of validating it whole.

A SHACL engine keeps the whole data graph and a record per focus node and shape in
memory, and pyrudof's time grows faster than the graph: on 1,000 synthetic briefs
(730,000 triples with their entailments) it needed 6.8 GB and ~28 s without its SPARQL
constraints, and each SPARQL constraint re-scans the graph for every focus node (an
Oxigraph query plan that ignores the bound ``$this`` inside ``FILTER EXISTS``), so the
time of those grows with the square of the corpus (docs/performance.md). With the rudof
engine those are now answered once over the whole graph instead
(:mod:`policygraph.sparql_constraints`); the parts get the shapes without them.

So a large graph is validated in parts. Every subject of the data belongs to one part,
with the blank nodes it leads to (its evidence, quotes, quantities, periods); a part
holds

* its nodes' own statements, asserted and entailed;
* the ontology: every statement whose subject the ontology part describes;
* around its nodes, for the nodes their statements lead to (objects and predicates),
  and on from those, the statements whose predicate the shapes read beyond a focus node
  (``reach.beyond``: an ``rdf:type`` for ``sh:class``, a source's ``dcterms:issued``);
* every statement whose predicate the shapes read wherever it is (``reach.everywhere``);
* for each ``sh:targetObjectsOf`` predicate, one statement pointing to each node of its
  own that some statement points to (so that the node is targeted in its own part).

The engine validates each part; a result counts only in the part that owns its focus
node, and for a node that is never a subject (a misspelt class, say) in the first part
that reports it. What each part holds is exactly what the shapes read from its own
nodes (:mod:`policygraph.reach`), so each node gets the results it gets in the whole
graph; the tests compare both ways on the project's data, on every shape fixture cut
into parts of one node, and on synthetic corpora with errors planted.

A part is given the shapes with each ``sh:targetClass`` replaced by ``sh:targetNode`` of
its own instances of the class (:class:`ClassTargets`): the nodes a part holds for context,
typed so that ``sh:class`` can check them, are then not validated there, where they would
fail for want of their other statements and have their results thrown away.

Parts run in worker processes (:mod:`policygraph.shacl_worker`; ``POLICYGRAPH_WORKERS``:
``0`` for one process, or a number of workers; default: one per core).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import namespaces as ns
from .graph import PARTS, KnowledgeGraph
from .reach import Reach

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_SUBCLASS = ox.NamedNode(ns.RDFS + "subClassOf")
_TARGET_CLASS = ox.NamedNode(ns.SH + "targetClass")
_TARGET_NODE = ox.NamedNode(ns.SH + "targetNode")
_CLASSES = (ox.NamedNode(ns.RDFS + "Class"), ox.NamedNode(ns.OWL + "Class"))
_SHAPE_KINDS = ("NodeShape", "PropertyShape")

DEFAULT_PART_TRIPLES = 40_000  # statements of its own per part (context comes on top)


@dataclass
class Part:
    """One part: the statements it holds and the focus nodes whose results it gives."""

    index: int
    owned: set = field(default_factory=set)
    triples: list[ox.Triple] = field(default_factory=list)


def _slug_key(term) -> tuple[str, str]:
    """Nodes of one brief sort together: by the last segment of the IRI, then the IRI."""
    value = term.value
    return (value.rsplit("/", 1)[-1], value)


class ClassTargets:
    """The shapes' class targets, resolved for each part to the part's own nodes.

    Besides its own nodes, a part holds the nodes its statements lead to, with their
    ``rdf:type`` (which ``sh:class`` reads). As targets of ``sh:targetClass`` those would
    be validated too, fail for want of their other statements, and have their results
    dropped: at 1,000 synthetic briefs about 2,800 results a part, which took the parent
    9 s to read and throw away. So a part is validated against :attr:`base` (the shapes
    without ``sh:targetClass``) plus, from :meth:`of`, ``shape sh:targetNode node`` for
    each node the part owns that is a SHACL instance of the shape's target class
    (``rdf:type/rdfs:subClassOf*``, over the whole graph's ``rdfs:subClassOf``): the focus
    nodes whose results the part keeps, no others.
    """

    def __init__(self, base: list[ox.Triple], shapes_of: dict, superclasses: dict):
        self.base = base
        self.shapes_of = shapes_of  # class -> the shapes targeting it
        self.superclasses = superclasses  # class -> its direct superclasses

    @classmethod
    def for_shapes(cls, shapes: list[ox.Triple], kg: KnowledgeGraph) -> ClassTargets | None:
        """None where the shapes have no class target to rewrite, or one that cannot be:
        a blank node shape (its label would not match across the two texts the engine
        reads) or an implicit class target (a shape that is also a class)."""
        shapes_of: dict = defaultdict(list)
        base = []
        typed: dict = defaultdict(set)
        for t in shapes:
            if t.predicate == _TARGET_CLASS:
                if isinstance(t.subject, ox.BlankNode):
                    return None
                shapes_of[t.object].append(t.subject)
            else:
                base.append(t)
            if t.predicate == _RDF_TYPE:
                typed[t.object].add(t.subject)
        classes = set().union(*(typed[c] for c in _CLASSES))
        shape_nodes = set().union(*(typed[ox.NamedNode(ns.SH + k)] for k in _SHAPE_KINDS))
        if not shapes_of or classes & shape_nodes:
            return None
        superclasses: dict = defaultdict(set)
        for quad in kg.store.quads_for_pattern(None, _SUBCLASS, None):
            if quad.graph_name != PARTS["shapes"]:
                superclasses[quad.subject].add(quad.object)
        return cls(base, dict(shapes_of), dict(superclasses))

    def _classes(self, cls_term, memo: dict) -> set:
        """``cls_term`` and every class it is a subclass of (``rdfs:subClassOf*``)."""
        found = memo.get(cls_term)
        if found is None:
            found, todo = set(), [cls_term]
            while todo:
                c = todo.pop()
                if c not in found:
                    found.add(c)
                    todo.extend(self.superclasses.get(c, ()))
            memo[cls_term] = found
        return found

    def of(self, part: Part) -> list[ox.Triple]:
        """``shape sh:targetNode node`` for the part's own instances of each target class."""
        memo: dict = {}
        found: dict[tuple, None] = {}
        for t in part.triples:
            if t.predicate == _RDF_TYPE and t.subject in part.owned:
                for c in self._classes(t.object, memo):
                    for shape in self.shapes_of.get(c, ()):
                        found[(shape, t.subject)] = None
        return [ox.Triple(shape, _TARGET_NODE, node) for shape, node in found]


class Partition:
    """The graph's statements indexed for cutting it into parts (for ``shapes``, when given:
    their class targets are then resolved part by part, :class:`ClassTargets`)."""

    def __init__(
        self,
        kg: KnowledgeGraph,
        reach: Reach,
        part_triples: int = DEFAULT_PART_TRIPLES,
        shapes: list[ox.Triple] | None = None,
    ):
        self.reach = reach
        self.targets = ClassTargets.for_shapes(shapes, kg) if shapes is not None else None
        beyond = {ox.NamedNode(p) for p in reach.beyond}
        everywhere = {ox.NamedNode(p) for p in reach.everywhere}
        witnesses = {ox.NamedNode(p) for p in reach.witnesses}
        global_subjects = {q.subject for q in kg.quads(("ontology",))}

        self.own: dict = defaultdict(list)  # subject -> its statements
        self.beyond: dict = defaultdict(list)  # subject -> its statements read beyond a focus
        self.everywhere: list[ox.Triple] = []
        self.witness: dict = {}  # (predicate, object) -> one statement
        parent: dict = {}  # union-find over subjects and the blank nodes they lead to

        def find(x):
            root = x
            while parent.get(root, root) is not root:
                root = parent[root]
            while x is not root:
                parent[x], x = root, parent.get(x, x)
            return root

        seen: set[ox.Triple] = set()
        for quad in kg.quads(("ontology", "data", "entailments")):
            t = quad.triple
            if t in seen:  # a statement both asserted in two parts of the graph
                continue
            seen.add(t)
            s, p, o = t.subject, t.predicate, t.object
            self.own[s].append(t)
            if p in beyond:
                self.beyond[s].append(t)
            if p in everywhere:
                self.everywhere.append(t)
            if p in witnesses and (p, o) not in self.witness:
                self.witness[(p, o)] = t
            if isinstance(o, ox.BlankNode):
                a, b = find(s), find(o)
                if a is not b:
                    parent[b] = a
        del seen

        # Units: a subject with the blank nodes it leads to. A unit touching the ontology
        # is global: in every part, its results owned by part 0.
        units: dict = defaultdict(list)
        for subject in self.own:
            units[find(subject)].append(subject)
        self.global_triples: list[ox.Triple] = []
        ordered = []
        for members in units.values():
            if any(m in global_subjects for m in members):
                for m in members:
                    self.global_triples.extend(self.own[m])
                continue
            named = [m for m in members if isinstance(m, ox.NamedNode)]
            key = min(_slug_key(m) for m in named) if named else ("~", "")
            ordered.append((key, members))
        ordered.sort(key=lambda item: item[0])
        self.global_nodes = {
            m for members in units.values() if any(m in global_subjects for m in members)
            for m in members
        }  # fmt: skip

        self.parts: list[list] = []  # lists of the subjects each part owns
        current, size = [], 0
        for _, members in ordered:
            current.extend(members)
            size += sum(len(self.own[m]) for m in members)
            if size >= part_triples:
                self.parts.append(current)
                current, size = [], 0
        if current or not self.parts:
            self.parts.append(current)
        self.owner: dict = {}
        for index, members in enumerate(self.parts):
            for m in members:
                self.owner[m] = index
        for m in self.global_nodes:
            self.owner[m] = 0

    def __len__(self) -> int:
        return len(self.parts)

    def part(self, index: int) -> Part:
        """The statements of part ``index``."""
        owned = set(self.parts[index])
        if index == 0:
            owned |= self.global_nodes
        triples: list[ox.Triple] = list(self.global_triples)
        included = set(self.global_nodes)
        todo: list = []
        for subject in self.parts[index]:
            included.add(subject)
            for t in self.own[subject]:
                triples.append(t)
                todo.append(t.predicate)
                todo.append(t.object)
        if index == 0:
            for t in self.global_triples:
                todo.append(t.predicate)
                todo.append(t.object)
        # The statements the shapes read beyond a focus node, from the nodes reached.
        reached = set()
        while todo:
            node = todo.pop()
            if node in reached or isinstance(node, ox.Literal):
                continue
            reached.add(node)
            for t in self.beyond.get(node, ()):
                if node not in included:
                    triples.append(t)
                todo.append(t.object)
        triples.extend(self.everywhere)
        for (_, obj), t in self.witness.items():
            if obj in owned and t.subject not in included:
                triples.append(t)
        return Part(index=index, owned=owned, triples=triples)


def validate_parts(
    partition: Partition,
    encode: Callable[[list[ox.Triple]], bytes],
    engine: str,
    shapes_nt: bytes,
    workers: int | None = None,
) -> Iterator[tuple[int, tuple]]:
    """Validate every part with ``engine``: ``encode`` turns its statements into the
    engine's input; yields (part index, what ``validation.run_engine`` returned) in part
    order. ``shapes_nt`` are the shapes the partition was cut for; where it resolved their
    class targets (:class:`ClassTargets`), each part gets the shapes without them and its
    own targets instead. With several parts and cores, the parts run in worker processes
    (:mod:`policygraph.shacl_worker`), the next ones encoded while the workers validate."""
    count = len(partition)
    workers = worker_count(workers, count)
    targets = partition.targets
    if targets is not None:
        shapes_nt = ox.serialize(targets.base, format=ox.RdfFormat.N_TRIPLES)

    def encoded(index: int) -> tuple[bytes, bytes]:
        """The part's statements, and the shapes' targets in it (``b""``: the shapes')."""
        part = partition.part(index)
        return encode(part.triples), encode(targets.of(part)) if targets is not None else b""

    if workers <= 1:
        from .validation import run_engine

        for index in range(count):
            data_nt, targets_nt = encoded(index)
            yield index, run_engine(engine, data_nt, shapes_nt + targets_nt)
        return
    from .shacl_worker import Workers

    with Workers(engine, shapes_nt, workers) as pool:
        yield from enumerate(pool.map(range(count), encoded))


def worker_count(requested: int | None, parts: int) -> int:
    """Workers for ``parts`` parts: ``POLICYGRAPH_WORKERS`` (0 means none), else one per core."""
    if parts <= 1 or os.environ.get("POLICYGRAPH_WORKERS") == "0":
        return 1
    if requested is None:
        env = os.environ.get("POLICYGRAPH_WORKERS", "")
        requested = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    return max(1, min(requested, parts))


__all__ = ["Part", "Partition", "validate_parts", "worker_count"]

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

Parts run in worker processes (:mod:`policygraph.shacl_worker`; ``POLICYGRAPH_WORKERS``:
``0`` for one process, or a number of workers; default: one per core).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graph import KnowledgeGraph
from .reach import Reach

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


class Partition:
    """The graph's statements indexed for cutting it into parts."""

    def __init__(self, kg: KnowledgeGraph, reach: Reach, part_triples: int = DEFAULT_PART_TRIPLES):
        self.reach = reach
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
    order. With several parts and cores, the parts run in worker processes
    (:mod:`policygraph.shacl_worker`), the next ones encoded while the workers validate."""
    count = len(partition)
    workers = worker_count(workers, count)

    def encoded(index: int) -> bytes:
        return encode(partition.part(index).triples)

    if workers <= 1:
        from .validation import run_engine

        for index in range(count):
            yield index, run_engine(engine, encoded(index), shapes_nt)
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

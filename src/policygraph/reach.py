"""How far from a focus node the shapes read: what validating in parts must give each part.

A SHACL engine validates a focus node by reading statements: the node's own, and, through
value checks (``sh:class``, ``sh:node``, sequence paths, SPARQL patterns), statements
about other nodes. :func:`shapes_reach` works out, from the shapes graph alone:

* ``beyond``: the predicates read on a node other than the focus node, when it is reached
  from the focus node by following statements forwards (``sh:class`` reads the value's
  ``rdf:type`` and the classes' ``rdfs:subClassOf``; ``$this pg:hasEvidence/oa:hasSource
  ?s . ?s dcterms:issued ?d`` reads ``oa:hasSource`` and ``dcterms:issued`` beyond);
* ``everywhere``: the predicates whose statements are read wherever they are (an inverse
  path, a pattern that walks a statement backwards or is not anchored at the focus node);
* ``witnesses``: the predicates of ``sh:targetObjectsOf`` (a focus node is targeted only
  where a statement points to it), and ``target_nodes``.

:mod:`policygraph.partition` builds each part from these. Where the reach of a shape
cannot be bounded this way — a SPARQL-based target, a SPARQL constraint on a property
shape, a variable predicate away from ``$this``, ``sh:closed`` on a value node, a named
graph or a sub-query in a constraint, a SHACL parameter this module does not know —
:class:`Unbounded` says why, and the graph is validated whole.

SPARQL constraints are read with rdflib's SPARQL parser (its algebra), never by matching
text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import namespaces as ns

SH = ns.SH
RDF_TYPE = ns.RDF + "type"
SUBCLASS = ns.RDFS + "subClassOf"

# Parameters that only look at the value nodes of the shape's own path, or at nothing.
_LOCAL = {
    SH + name
    for name in (  # noqa: SIM905 (a list of 60 names reads better as words)
        "datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive "
        "maxInclusive minLength maxLength pattern flags languageIn uniqueLang hasValue in "
        "ignoredProperties qualifiedMinCount qualifiedMaxCount qualifiedValueShapesDisjoint "
        "message severity name description order group defaultValue deactivated "
        "targetClass targetSubjectsOf targetObjectsOf targetNode path property sparql "
        "class node and or xone not qualifiedValueShape equals disjoint lessThan "
        "lessThanOrEquals closed select ask prefixes declare prefix namespace "
        "labelTemplate resultAnnotation shapesGraph suggestedShapesGraph entailment "
        "conforms"
    ).split()
}
_TARGETS = {SH + "targetClass", SH + "targetSubjectsOf", SH + "targetObjectsOf", SH + "targetNode"}
_CLASSES = {ns.RDFS + "Class", ns.OWL + "Class"}
_SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


class Unbounded(Exception):  # a reason, not an error the user sees
    """The shapes read further than :class:`Reach` can describe; the reason is the message."""


@dataclass
class Reach:
    beyond: set[str] = field(default_factory=set)
    everywhere: set[str] = field(default_factory=set)
    witnesses: set[str] = field(default_factory=set)
    target_nodes: set = field(default_factory=set)


# --- the shapes graph ----------------------------------------------------------------


class _Shapes:
    def __init__(self, triples: Iterable[ox.Triple]):
        self.out: dict = defaultdict(list)
        for t in triples:
            self.out[t.subject].append((t.predicate.value, t.object))

    def values(self, node, predicate: str) -> list:
        return [o for p, o in self.out.get(node, ()) if p == predicate]

    def items(self, head) -> list:
        """The members of an RDF list."""
        found, seen = [], set()
        while head != ox.NamedNode(ns.RDF + "nil") and head not in seen:
            seen.add(head)
            first = self.values(head, ns.RDF + "first")
            rest = self.values(head, ns.RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise Unbounded(f"a malformed RDF list in the shapes ({head})")
            found.append(first[0])
            head = rest[0]
        return found


def shapes_reach(shapes: Iterable[ox.Triple]) -> Reach:
    """The reach of the shapes (raises :class:`Unbounded` with the reason)."""
    graph = _Shapes(shapes)
    reach = Reach()
    work: list[tuple[object, bool]] = []
    for subject, pairs in graph.out.items():
        predicates = {p for p, _ in pairs}
        if SH + "target" in predicates:
            raise Unbounded(f"{subject} has a SPARQL-based or custom target (sh:target)")
        types = {o.value for p, o in pairs if p == RDF_TYPE and isinstance(o, ox.NamedNode)}
        implicit = types & _CLASSES and types & _SHAPE_TYPES
        if predicates & _TARGETS or implicit:
            work.append((subject, True))
            if SH + "targetClass" in predicates or implicit:
                reach.beyond.add(SUBCLASS)
            for p, o in pairs:
                if p == SH + "targetObjectsOf":
                    reach.witnesses.add(o.value)
                elif p == SH + "targetNode":
                    reach.target_nodes.add(o)
    seen: set[tuple[object, bool]] = set()
    while work:
        item = work.pop()
        if item in seen:
            continue
        seen.add(item)
        _shape(graph, *item, reach, work)
    return reach


def _shape(graph: _Shapes, shape, at_focus: bool, reach: Reach, work: list) -> None:
    """What applying ``shape`` to a node reads (``at_focus``: the node is the focus node)."""
    pairs = graph.out.get(shape, ())
    paths = [o for p, o in pairs if p == SH + "path"]
    for path in paths:
        _path(graph, path, at_focus, reach)
    values_at_focus = at_focus and not paths  # a property shape's values are other nodes
    for p, o in pairs:
        if p.startswith(SH) and p not in _LOCAL:
            raise Unbounded(f"{shape} uses {p}, whose reach is not known here")
        if p == SH + "class":
            if not values_at_focus:
                reach.beyond.add(RDF_TYPE)
            reach.beyond.add(SUBCLASS)
        elif p == SH + "node" or p == SH + "not":
            work.append((o, values_at_focus))
        elif p == SH + "property":
            work.append((o, at_focus))
        elif p in (SH + "and", SH + "or", SH + "xone"):
            work.extend((member, values_at_focus) for member in graph.items(o))
        elif p == SH + "qualifiedValueShape":
            work.append((o, False))
        elif p in (SH + "equals", SH + "disjoint", SH + "lessThan", SH + "lessThanOrEquals"):
            if not at_focus:
                reach.beyond.add(o.value)
        elif p == SH + "closed" and isinstance(o, ox.Literal) and o.value == "true":
            if not at_focus:
                raise Unbounded(f"{shape} is closed and applied to a value node")
        elif p == SH + "sparql":
            if paths:
                raise Unbounded(f"{shape} has a SPARQL constraint on a property shape")
            _sparql_constraint(graph, o, at_focus, reach)


def _path(graph: _Shapes, path, at_focus: bool, reach: Reach, inverse: bool = False) -> None:
    """The predicates a SHACL property path reads from a node."""
    if isinstance(path, ox.NamedNode):
        if inverse:
            reach.everywhere.add(path.value)
        elif not at_focus:
            reach.beyond.add(path.value)
        return
    for kind in ("inversePath",):
        for inner in graph.values(path, SH + kind):
            _path(graph, inner, at_focus, reach, inverse=True)
            return
    for inner in graph.values(path, SH + "alternativePath"):
        for member in graph.items(inner):
            _path(graph, member, at_focus, reach, inverse)
        return
    for kind in ("zeroOrMorePath", "oneOrMorePath"):
        for inner in graph.values(path, SH + kind):
            _path(graph, inner, at_focus, reach, inverse)
            _path(graph, inner, False, reach, inverse)
            return
    for inner in graph.values(path, SH + "zeroOrOnePath"):
        _path(graph, inner, at_focus, reach, inverse)
        return
    members = graph.items(path)
    if not members:
        raise Unbounded(f"a property path the reach analysis does not know ({path})")
    for position, member in enumerate(members):
        _path(graph, member, at_focus and position == 0, reach, inverse)


# --- SPARQL-based constraints ------------------------------------------------------------


def _sparql_constraint(graph: _Shapes, constraint, at_focus: bool, reach: Reach) -> None:
    texts = graph.values(constraint, SH + "select") + graph.values(constraint, SH + "ask")
    if not texts:
        raise Unbounded(f"a SPARQL constraint without sh:select or sh:ask ({constraint})")
    from .sparql_constraints import prefix_declarations

    prefixes = prefix_declarations(constraint, graph.values)
    for text in texts:
        sparql_reach(prefixes + text.value, at_focus, reach)


FOCUS, REACHED, ANY = "focus", "reached", "any"


def sparql_reach(text: str, at_focus: bool, reach: Reach) -> None:
    """Add what a SPARQL constraint reads from ``$this`` to ``reach``."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        query = prepareQuery(text)
    except Exception as err:  # pyparsing's and rdflib's own exception classes
        raise Unbounded(f"a SPARQL constraint rdflib cannot parse ({err})") from None
    start = {"this": FOCUS if at_focus else REACHED}
    _Walker(reach).pattern(query.algebra, start, record=True)


class _Walker:
    """Walks a query's algebra; variables are FOCUS ($this), REACHED (bound to nodes reached
    forwards from it) or ANY; each triple pattern records what it reads."""

    def __init__(self, reach: Reach):
        self.reach = reach

    # -- patterns

    def pattern(self, node, bound: dict, record: bool) -> dict:
        from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
        from rdflib.plugins.sparql.parserutils import CompValue

        if not isinstance(node, CompValue):
            return bound
        name = node.name
        if name in ("SelectQuery", "AskQuery", "Project", "Distinct", "Reduced", "Slice"):
            return self.pattern(node.p, bound, record)
        if name in ("OrderBy", "Group", "AggregateJoin"):
            return self.pattern(node.p, bound, record)
        if name in ("GroupGraphPatternSub", "TriplesBlock"):
            return self.pattern(translateGroupGraphPattern(node), bound, record)
        if name == "BGP":
            return self.triples(node.triples, bound, record)
        if name == "Join":
            joined = dict(bound)
            while True:  # variables either side reaches are reached in every solution
                grown = self.pattern(node.p2, self.pattern(node.p1, joined, False), False)
                grown = self.pattern(node.p1, grown, False)
                if grown == joined:
                    break
                joined = grown
            if record:
                self.pattern(node.p1, joined, True)
                self.pattern(node.p2, joined, True)
            return joined
        if name == "LeftJoin":
            left = self.pattern(node.p1, bound, record)
            right = self.pattern(node.p2, left, record)
            self.expression(node.get("expr"), right, record)
            return left
        if name == "Union":
            one = self.pattern(node.p1, bound, record)
            two = self.pattern(node.p2, bound, record)
            return {v: s for v, s in one.items() if two.get(v) == s}
        if name == "Minus":
            left = self.pattern(node.p1, bound, record)
            self.pattern(node.p2, {}, record)  # MINUS shares no bindings
            return left
        if name == "Filter":
            inner = self.pattern(node.p, bound, record)
            self.expression(node.expr, inner, record)
            return inner
        if name == "Extend":
            inner = self.pattern(node.p, bound, record)
            self.expression(node.expr, inner, record)
            out = dict(inner)
            expr = node.expr
            from rdflib import Variable

            if isinstance(expr, Variable) and str(expr) in inner:
                out[str(node.var)] = inner[str(expr)]
            else:
                out[str(node.var)] = ANY
            return out
        if name in ("ToMultiSet", "values"):
            out = dict(bound)
            for row in node.get("res") or ():
                for variable in row:
                    out.setdefault(str(variable), ANY)
            if name == "ToMultiSet":
                out = self.pattern(node.p, out, record)
            return out
        raise Unbounded(f"a SPARQL constraint uses {name}, whose reach is not known here")

    def expression(self, expr, bound: dict, record: bool) -> None:
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(expr, CompValue):
            if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                self.pattern(expr.graph, bound, record)
                return
            for value in expr.values():
                self.expression(value, bound, record)
        elif isinstance(expr, list | tuple):
            for value in expr:
                self.expression(value, bound, record)

    # -- triple patterns

    def triples(self, triples, bound: dict, record: bool) -> dict:
        from rdflib import Variable

        bound = dict(bound)

        def state(term):
            return bound.get(str(term)) if isinstance(term, Variable) else None

        pending = [tuple(t) for t in triples]
        progress = True
        while progress:
            progress = False
            for t in list(pending):
                subject_state = state(t[0])
                if subject_state in (FOCUS, REACHED):
                    self.forward(t[1], subject_state, record)
                    for term in (t[1], t[2]):
                        if isinstance(term, Variable) and state(term) not in (FOCUS, REACHED):
                            bound[str(term)] = REACHED
                    pending.remove(t)
                    progress = True
        for s, p, o in pending:  # walked backwards, or not anchored at $this at all
            if record:
                self.everywhere(p)
            for term in (s, p, o):
                if isinstance(term, Variable):
                    bound.setdefault(str(term), ANY)
        return bound

    def forward(self, predicate, subject_state: str, record: bool) -> None:
        from rdflib import URIRef, Variable
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

        at_focus = subject_state == FOCUS
        if isinstance(predicate, URIRef):
            if record and not at_focus:
                self.reach.beyond.add(str(predicate))
        elif isinstance(predicate, Variable):
            if not at_focus:
                raise Unbounded("a SPARQL constraint reads any predicate of a node beyond $this")
        elif isinstance(predicate, InvPath):
            if record:
                self.everywhere(predicate.arg)
        elif isinstance(predicate, SequencePath):
            for position, step in enumerate(predicate.args):
                self.forward(step, subject_state if position == 0 else REACHED, record)
        elif isinstance(predicate, AlternativePath):
            for step in predicate.args:
                self.forward(step, subject_state, record)
        elif isinstance(predicate, MulPath):
            self.forward(predicate.path, subject_state, record)
            if predicate.mod in ("*", "+"):
                self.forward(predicate.path, REACHED, record)
        elif isinstance(predicate, NegatedPath):
            if not at_focus or any(isinstance(a, InvPath) for a in predicate.args):
                raise Unbounded("a SPARQL constraint uses a negated property set beyond $this")
        else:
            raise Unbounded(
                f"a SPARQL constraint uses a path the analysis does not know: {predicate}"
            )

    def everywhere(self, predicate) -> None:
        from rdflib import URIRef
        from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

        if isinstance(predicate, URIRef):
            self.reach.everywhere.add(str(predicate))
        elif isinstance(predicate, InvPath):
            self.everywhere(predicate.arg)
        elif isinstance(predicate, SequencePath | AlternativePath):
            for step in predicate.args:
                self.everywhere(step)
        elif isinstance(predicate, MulPath):
            self.everywhere(predicate.path)
        else:
            raise Unbounded("a SPARQL constraint reads statements of any predicate, anywhere")

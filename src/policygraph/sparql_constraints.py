"""SHACL-SPARQL constraints run once over the whole graph by Oxigraph, not once per focus node.

SHACL defines a SPARQL-based constraint (SHACL §5.3) per focus node: the engine pre-binds
``$this`` to the node and runs the query again. pyrudof and pyshacl both do that, so on
1,000 synthetic briefs the ten constraints of the shapes ran tens of thousands of times and
took two thirds of the validation's time (docs/performance.md). Oxigraph answers each of
them over the whole graph, ``$this`` left free, in well under a second.

The two give the same results when pre-binding cannot change the answer. A query qualifies
(:func:`whole_graph_reason` says why one does not) when, read in rdflib's SPARQL algebra:

* it is a SELECT that projects ``$this``, and every solution binds it;
* every expression that names ``$this`` (a FILTER, a BIND, an OPTIONAL's condition, an
  EXISTS inside one) is evaluated where ``$this`` is bound in every solution, so that it
  sees the same value a pre-bound query would;
* a GROUP BY groups by ``$this`` (each group is then one focus node's);
* it has no MINUS, sub-query, VALUES, GRAPH or SERVICE that names ``$this``, and does not
  use ``$currentShape`` or ``$shapesGraph``;
* its shape is a node shape with targets, not used inside another shape (whose value
  nodes would be focus nodes too), and its targets are Core targets.

The rows whose ``$this`` is a focus node of the shape are its results, mapped as SHACL
§5.3.2 says and as pyshacl does: ``?path`` the result path, ``?value`` the value (else the
focus node), ``{?var}`` in the message filled in, the same row reported once. The other
constraints stay with the SHACL engine. tests/test_shapes_agreement.py compares the
results with pyshacl's, which pre-binds, on the project's data and every fixture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import namespaces as ns
from .report import SEVERITIES, Result

SH = ns.SH
RDF_TYPE = ns.RDF + "type"
_SHAPE_LINKS = {
    SH + name for name in ("node", "property", "not", "qualifiedValueShape", "and", "or", "xone")
}
_TARGETS = {
    SH + "targetClass": "?this <{rdf}type>/<{rdfs}subClassOf>* {term}",
    SH + "targetSubjectsOf": "?this {term} ?object",
    SH + "targetObjectsOf": "?subject {term} ?this",
}
_PRE_BOUND = ("currentShape", "shapesGraph", "PATH")


class NotWholeGraph(Exception):  # a reason, not an error the user sees
    """Pre-binding ``$this`` might change this query's answer; the reason is the message."""


@dataclass(frozen=True)
class Constraint:
    """A SPARQL-based constraint that is answered over the whole graph."""

    shape: ox.NamedNode | ox.BlankNode
    node: ox.NamedNode | ox.BlankNode  # the sh:SPARQLConstraint
    query: str  # with its sh:prefixes declared
    targets: tuple[tuple[str, ox.Term], ...]  # (target predicate, object)
    messages: tuple[ox.Literal, ...]
    severity: str


@dataclass(frozen=True)
class Plan:
    """The constraints answered here, and the shapes left for the SHACL engine."""

    constraints: tuple[Constraint, ...]
    remaining: tuple[ox.Triple, ...]  # the shapes graph without those constraints


def plan(shapes: Iterable[ox.Triple]) -> Plan:
    """Split the shapes graph: the SPARQL constraints answerable over the whole graph,
    and every other statement of it."""
    triples = list(shapes)
    out: dict = {}
    linked: set = set()
    for t in triples:
        out.setdefault(t.subject, []).append((t.predicate.value, t.object))
        if t.predicate.value in _SHAPE_LINKS or t.predicate.value == ns.RDF + "first":
            linked.add(t.object)

    def values(node, predicate: str) -> list:
        return [o for p, o in out.get(node, ()) if p == predicate]

    constraints: list[Constraint] = []
    taken: set = set()  # (shape, constraint) pairs answered here
    for shape, pairs in out.items():
        sparql = [o for p, o in pairs if p == SH + "sparql"]
        if not sparql or shape in linked or values(shape, SH + "path"):
            continue
        if values(shape, SH + "target"):
            continue
        targets = tuple(
            (p, o) for p, o in pairs if p in _TARGETS or p == SH + "targetNode"
        ) + tuple(
            (SH + "targetClass", shape)
            for o in values(shape, RDF_TYPE)
            if o.value in (ns.RDFS + "Class", ns.OWL + "Class")
        )
        if not targets:
            continue
        severity = (values(shape, SH + "severity") or [ox.NamedNode(SH + "Violation")])[0]
        deactivated = _true(values(shape, SH + "deactivated"))
        for node in sparql:
            selects = values(node, SH + "select")
            if len(selects) != 1 or values(node, SH + "ask"):
                continue
            query = prefix_declarations(node, values) + selects[0].value
            if whole_graph_reason(query) is not None:
                continue
            taken.add((shape, node))
            if deactivated or _true(values(node, SH + "deactivated")):
                continue  # answered here: by nothing
            constraints.append(
                Constraint(
                    shape=shape,
                    node=node,
                    query=query,
                    targets=targets,
                    messages=tuple(values(node, SH + "message") or values(shape, SH + "message")),
                    severity=severity.value,
                )
            )
    dropped = {node for _shape, node in taken}
    remaining = tuple(
        t
        for t in triples
        if t.subject not in dropped
        and not (t.predicate.value == SH + "sparql" and (t.subject, t.object) in taken)
    )
    return Plan(tuple(constraints), remaining)


def _true(literals: list) -> bool:
    return any(isinstance(o, ox.Literal) and o.value in ("true", "1") for o in literals)


def prefix_declarations(node, values) -> str:
    """``PREFIX`` lines for the ``sh:prefixes`` of a SPARQL constraint ``node``; ``values(node,
    predicate)`` reads the shapes graph."""
    declared = ""
    for holder in values(node, SH + "prefixes"):
        for declaration in values(holder, SH + "declare"):
            for prefix in values(declaration, SH + "prefix"):
                for namespace in values(declaration, SH + "namespace"):
                    declared += f"PREFIX {prefix.value}: <{namespace.value}>\n"
    return declared


# --- when pre-binding changes nothing --------------------------------------------------


def whole_graph_reason(query: str) -> str | None:
    """Why ``query`` cannot be answered with ``$this`` free (None: it can)."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(query).algebra
    except Exception as err:  # pyparsing's and rdflib's own exception classes
        return f"rdflib cannot parse it ({' '.join(str(err).split())[:120]})"
    if algebra.name != "SelectQuery":
        return "not a SELECT query"
    if any(_mentions(algebra, name) for name in _PRE_BOUND):
        return "it uses a pre-bound variable other than $this"
    if "this" not in {str(v) for v in algebra.get("PV") or ()}:
        return "it does not select $this"
    try:
        bound = _certain(algebra)
    except NotWholeGraph as why:
        return str(why)
    if "this" not in bound:
        return "some solutions leave $this unbound"
    return None


def _variables(node) -> Iterable[str]:
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, Variable):
        yield str(node)
    elif isinstance(node, CompValue | dict):
        for key, value in node.items():
            yield from _variables(key)  # VALUES rows are keyed by variable
            yield from _variables(value)
    elif isinstance(node, list | tuple | set | frozenset):
        for value in node:
            yield from _variables(value)


def _mentions(node, name: str = "this") -> bool:
    return any(v == name for v in _variables(node))


def _certain(node) -> set[str]:
    """The variables every solution of ``node`` binds; raises NotWholeGraph where an
    expression reads ``$this`` without it being bound there."""
    from rdflib import Variable
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(node, CompValue):
        return set()
    name = node.name

    def reads(expr, bound: set[str], where: str) -> None:
        if _mentions(expr) and "this" not in bound:
            raise NotWholeGraph(f"{where} reads $this where it may be unbound")

    if name in ("SelectQuery", "Project", "Distinct", "Reduced", "Slice"):
        return _certain(node.p)
    if name in ("GroupGraphPatternSub", "TriplesBlock"):
        return _certain(translateGroupGraphPattern(node))
    if name == "OrderBy":
        bound = _certain(node.p)
        reads(node.get("expr"), bound, "ORDER BY")
        return bound
    if name == "AggregateJoin":
        return _certain(node.p)
    if name == "Group":
        bound = _certain(node.p)
        keys = node.get("expr") or []
        reads(keys, bound, "GROUP BY")
        if "this" in bound and not any(isinstance(k, Variable) and str(k) == "this" for k in keys):
            raise NotWholeGraph("it groups solutions of several focus nodes together")
        return bound
    if name == "BGP":
        return {str(term) for t in node.triples for term in t if isinstance(term, Variable)}
    if name == "Join":
        return _certain(node.p1) | _certain(node.p2)
    if name == "LeftJoin":
        left, right = _certain(node.p1), _certain(node.p2)
        reads(node.get("expr"), left | right, "an OPTIONAL's condition")
        return left
    if name == "Union":
        return _certain(node.p1) & _certain(node.p2)
    if name == "Filter":
        bound = _certain(node.p)
        reads(node.expr, bound, "a FILTER")
        return bound
    if name == "Extend":
        bound = _certain(node.p)
        reads(node.expr, bound, "a BIND")
        return bound  # a BIND whose expression fails leaves its variable unbound
    if name == "Minus":
        if _mentions(node.p2):
            raise NotWholeGraph("$this appears in a MINUS the engine would pre-bind")
        return _certain(node.p1)
    if name in ("ToMultiSet", "values", "Graph", "ServiceGraphPattern"):
        if _mentions(node):
            raise NotWholeGraph(f"$this appears in a {name} the engine would pre-bind")
        return set()
    raise NotWholeGraph(f"it uses {name}, which this analysis does not know")


# --- answering ---------------------------------------------------------------------------


def focus_nodes(store: ox.Store, graphs: Sequence[ox.NamedNode], constraint: Constraint) -> set:
    """The shape's focus nodes in the data graph (SHACL §2.1.3 Core targets)."""
    found: set = set()
    for predicate, term in constraint.targets:
        if predicate == SH + "targetNode":
            found.add(term)
            continue
        pattern = _TARGETS[predicate].format(rdf=ns.RDF, rdfs=ns.RDFS, term=_sparql_term(term))
        for row in store.query(
            f"SELECT DISTINCT ?this WHERE {{ {pattern} }}", default_graph=list(graphs)
        ):
            found.add(row["this"])
    return found


def _sparql_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    return str(term)  # a literal (a target that matches nothing but itself) in N-Triples


def results(
    store: ox.Store, graphs: Sequence[ox.NamedNode], constraints: Sequence[Constraint]
) -> list[Result]:
    """The validation results of ``constraints`` over ``graphs`` of ``store``."""
    from .validation import term_key

    found: list[Result] = []
    for constraint in constraints:
        solutions = store.query(constraint.query, default_graph=list(graphs))
        names = [v.value for v in solutions.variables]
        rows = [{name: row[name] for name in names if row[name] is not None} for row in solutions]
        if not rows:
            continue  # the usual case: no need to find the focus nodes
        focus = focus_nodes(store, graphs, constraint)
        seen: set = set()
        for bindings in rows:
            this = bindings["this"]
            if this not in focus:
                continue
            if "failure" in bindings:
                raise RuntimeError(
                    f"the SPARQL constraint of {constraint.shape} reported a failure on {this}"
                )
            key = tuple(sorted((n, str(t)) for n, t in bindings.items()))
            if key in seen:
                continue
            seen.add(key)
            path = bindings.get("path")
            value = bindings.get("value", this)
            severity = constraint.severity.removeprefix(SH)
            found.append(
                Result(
                    focus=term_key(this),
                    path=path.value if isinstance(path, ox.NamedNode) else None,
                    value=term_key(value),
                    component=SH + "SPARQLConstraintComponent",
                    severity=severity if severity in SEVERITIES else constraint.severity,
                    message=_message(constraint.messages, bindings),
                    shape=constraint.shape.value
                    if isinstance(constraint.shape, ox.NamedNode)
                    else None,
                )
            )
    return found


def _message(messages: Sequence[ox.Literal], bindings: dict) -> str:
    """The English message (else the first), ``{?var}`` and ``{$var}`` filled in."""
    if not messages:
        return ""
    chosen = next((m for m in messages if m.language == "en"), messages[0]).value

    def fill(match: re.Match) -> str:
        term = bindings.get(match[1])
        return match[0] if term is None else term.value  # as pyshacl: str() of the term

    return re.sub(r"\{[?$](\w+)\}", fill, chosen)

"""SPARQL-based constraints answered once over the whole graph give pyshacl's results.

Which queries qualify is decided from their algebra; those that do not stay with the
SHACL engine, and the results are the same either way (the shapes' own constraints are
compared with pyshacl on every fixture in test_shapes_agreement.py).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph.graph import PARTS, KnowledgeGraph
from policygraph.project import Project
from policygraph.sparql_constraints import plan, whole_graph_reason
from policygraph.validation import validate_graph

from .conftest import ROOT

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

DATA = (
    PREFIXES
    + """
ex:a a ex:Thing ; ex:size 5 ; ex:name "a" .
ex:b a ex:Other ; ex:size 7 .
ex:c a ex:Thing ; ex:size 0 .
ex:d a ex:Thing ; ex:size 9 ; ex:excused true .
"""
)


def constraint(select: str, extra: str = "") -> str:
    return (
        PREFIXES
        + f'''
ex:Shape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    {extra}
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "Too big: {{?value}} at {{$this}}."@en ;
        sh:select """PREFIX ex: <http://example.org/>
{select}"""
    ] .
'''
    )


def graph(shapes: str, data: str = DATA) -> KnowledgeGraph:
    kg = KnowledgeGraph(project=Project(ROOT))
    for part, text in (("data", data), ("shapes", shapes)):
        kg.store.extend(
            ox.Quad(t.subject, t.predicate, t.object, PARTS[part])
            for t in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
        )
    kg.files = {"ontology": [], "data": [], "shapes": []}
    return kg


def results(report) -> set:
    return {
        (r.focus, r.path, r.value, r.component, r.shape, r.severity, r.message)
        for r in report.results
    }


BIG = "SELECT $this ?value WHERE { $this ex:size ?value . FILTER(?value > 1) }"
# legal SHACL (a sub-query that selects $this), but not answered over the whole graph
LARGEST = (
    "SELECT $this ?value WHERE { { SELECT $this (MAX(?s) AS ?value) WHERE { $this ex:size ?s "
    "FILTER NOT EXISTS { $this ex:excused true } } GROUP BY $this } FILTER(?value > 1) }"
)


def test_a_qualifying_constraint_is_answered_over_the_whole_graph_for_its_focus_nodes_only():
    kg = graph(constraint(BIG))
    split = plan(kg.triples(("shapes",)))
    assert len(split.constraints) == 1
    assert not any(t.predicate.value.endswith("#sparql") for t in split.remaining)
    rudof, pyshacl = validate_graph(kg, "rudof"), validate_graph(kg, "pyshacl")
    assert {r.focus for r in rudof.results} == {
        "http://example.org/a",
        "http://example.org/d",
    }  # ex:b is big too, but no focus node
    message = {r.message for r in rudof.results if r.focus.endswith("/a")}
    assert message == {"Too big: 5 at http://example.org/a."}
    assert results(rudof) == results(pyshacl)
    assert not rudof.engine_conforms and not pyshacl.engine_conforms


def test_a_constraint_pre_binding_could_change_stays_with_the_shacl_engine():
    kg = graph(constraint(LARGEST))
    split = plan(kg.triples(("shapes",)))
    assert split.constraints == ()
    assert any(t.predicate.value.endswith("#sparql") for t in split.remaining)
    rudof, pyshacl = validate_graph(kg, "rudof"), validate_graph(kg, "pyshacl")
    assert {r.focus for r in rudof.results} == {"http://example.org/a"}
    assert results(rudof) == results(pyshacl)


def test_a_deactivated_shape_reports_nothing():
    kg = graph(constraint(BIG, "sh:deactivated true ;"))
    assert validate_graph(kg, "rudof").results == []


def test_a_shape_used_inside_another_stays_with_the_shacl_engine():
    shapes = constraint(BIG) + "ex:Outer a sh:NodeShape ; sh:targetNode ex:b ; sh:node ex:Shape .\n"
    assert plan(graph(shapes).triples(("shapes",))).constraints == ()


@pytest.mark.parametrize(
    ("query", "why"),
    [
        (BIG, None),
        ("SELECT DISTINCT $this WHERE { { $this ex:size ?v } UNION { $this ex:name ?v } }", None),
        ("SELECT $this WHERE { $this ex:size ?v . FILTER NOT EXISTS { $this ex:name ?n } }", None),
        (
            "SELECT $this WHERE { $this ex:size ?v . OPTIONAL { $this ex:name ?n } "
            "FILTER(!BOUND(?n)) }",
            None,
        ),
        (
            "SELECT $this (MAX(?v) AS ?m) WHERE { $this ex:size ?v } GROUP BY $this "
            "HAVING (MAX(?v) > 1)",
            None,
        ),
        (LARGEST, "ToMultiSet"),
        ("SELECT $this WHERE { $this ex:size ?v MINUS { $this ex:excused true } }", "MINUS"),
        ("SELECT $this WHERE { $this ex:size ?v } GROUP BY ?v", "groups"),
        ("SELECT ?v WHERE { $this ex:size ?v }", "does not select"),
        ("SELECT $this WHERE { { $this ex:size ?v } UNION { ?x ex:size ?v } }", "unbound"),
        ("SELECT $this WHERE { ?x ex:size ?v . { FILTER(?x = $this) } }", "FILTER"),
        (
            "SELECT $this WHERE { $this ex:size ?v . { SELECT $this WHERE { $this ex:name ?n } } }",
            "ToMultiSet",
        ),
        ("SELECT $this WHERE { $this ex:size ?v . VALUES $this { ex:a } }", "pre-bind"),
        ("SELECT $this WHERE { $this ex:size ?v . FILTER($currentShape != ex:x) }", "pre-bound"),
        ("ASK { $this ex:size ?v }", "SELECT"),
        ("SELECT $this WHERE { $this ex:size", "parse"),
    ],
)
def test_which_queries_pre_binding_cannot_change(query, why):
    reason = whole_graph_reason("PREFIX ex: <http://example.org/>\n" + query)
    if why is None:
        assert reason is None
    else:
        assert reason is not None and why in reason

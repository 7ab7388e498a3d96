"""The engines agree: whichever store, reasoner or SHACL engine is chosen by name, the
answers are the same, on the project's data and on a synthetic corpus.

* Query stores (``query(..., engine=)``): oxigraph and rdflib give the same rows for every
  competency question (with its example parameters too).
* Reasoners (``entail(kg, reasoner=)``): rules and owlrl entail the same types of data
  nodes and the same statements about data subjects (reasonable's documented gap is the
  xfail in test_reasoning.py).
* SHACL engines (``validate_graph(kg, engine=)``): rudof and pyshacl reach the same
  verdict with the same results, and both report an error planted in one brief.

The corpus is small because rdflib and pyshacl are slow (``benchmarks/engines.py`` has the
figures): rdflib takes about ten seconds for cooperation-by-domain on 10 briefs.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from policygraph import namespaces as ns
from policygraph.errors import InputError
from policygraph.graph import PARTS, KnowledgeGraph, load
from policygraph.queries import (
    ENGINES,
    Query,
    bind,
    comparable,
    embedded,
    is_ordered,
    query,
    rdflib_dataset,
    read_question,
    run_embedded,
    same_rows,
)
from policygraph.reasoning import entail
from policygraph.synth import synthesize
from policygraph.validation import validate_graph

from .conftest import ROOT, run_cli

QUESTION_FILES = sorted((ROOT / "queries").glob("*.rq"))
CORPUS_BRIEFS = 12  # queries and SHACL
REASONER_BRIEFS = 3  # owlrl
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("engines") / "corpus"
    synthesize(CORPUS_BRIEFS, out, seed=11)
    return out


@pytest.fixture(scope="module")
def corpus_kg(project, corpus) -> KnowledgeGraph:
    return embedded(project, data=[corpus])


def _graph(request, data: str) -> KnowledgeGraph:
    return request.getfixturevalue("kg" if data == "project" else "corpus_kg")


# --- Query stores ----------------------------------------------------------------------------

_ORDER_BY = re.compile(r"\bORDER\s+BY\b(.*)$", re.I | re.S)


def order_key_columns(text: str, columns: list[str]) -> list[int] | None:
    """The columns the outermost ORDER BY reads, when it reads only returned variables.

    Rows equal on them tie, and engines may put ties in either order: the comparison then
    holds the engines to the same sequence of keys and the same rows, not the same order
    of tied rows.
    """
    match = _ORDER_BY.search(text)
    if not match:
        return None
    names = re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", match.group(1))
    if not names or any(n not in columns for n in names):
        return None
    return sorted({columns.index(n) for n in names})


def assert_same_answer(oxigraph, by_rdflib, text: str, what: str) -> None:
    assert by_rdflib.kind == oxigraph.kind, what
    assert by_rdflib.columns == oxigraph.columns, what
    a, b = comparable(oxigraph), comparable(by_rdflib)
    detail = (
        f"only oxigraph: {sorted(set(a) - set(b))[:5]}; only rdflib: {sorted(set(b) - set(a))[:5]}"
    )
    assert same_rows(a, b, ordered=False), f"{what}: rows differ\n{detail}"
    if is_ordered(text):
        keys = order_key_columns(text, oxigraph.columns)
        if keys is None:
            assert a == b, f"{what}: same rows, different order"
        else:
            assert [tuple(r[i] for i in keys) for r in a] == [
                tuple(r[i] for i in keys) for r in b
            ], f"{what}: sorted differently"


@pytest.mark.slow
@pytest.mark.parametrize("data", ["project", "corpus"])
@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.stem)
def test_query_engines_give_the_same_rows(request, data, path):
    graph = _graph(request, data)
    q = read_question(path)
    runs = [{}] + ([q.example_params()] if q.examples else [])
    for params in runs:
        query_ = Query(q.text, str(q.path), q)
        oxigraph = run_embedded(graph, query_, bind(params))
        by_rdflib = run_embedded(graph, query_, bind(params), engine="rdflib")
        assert_same_answer(oxigraph, by_rdflib, q.text, f"{q.name} {params or ''} on {data}")


def test_the_questions_have_answers_on_both_datasets(kg, corpus_kg):
    """Agreement on empty answers would prove little."""
    for graph, least in ((kg, 35), (corpus_kg, 25)):
        answered = sum(
            1 for p in QUESTION_FILES if len(run_embedded(graph, Query(p.read_text()), {})) > 0
        )
        assert answered >= least, answered


NAMED_GRAPHS = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "default graph": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ask": "ASK { ?s a pg:AssetFreeze }",
    "construct": "CONSTRUCT { ?s a pg:Sanction } WHERE { ?s a pg:Sanction }",
    "empty group": "SELECT ?k (COUNT(*) AS ?n) WHERE { ?s a pg:Nothing ; pg:k ?k } GROUP BY ?k",
    "order by an error": "SELECT ?s ?o WHERE { ?s a pg:Sanction OPTIONAL { ?s pg:nothing ?o } } "
    "ORDER BY STR(?o) STR(?s)",
}


@pytest.mark.parametrize("name", sorted(NAMED_GRAPHS))
def test_both_engines_see_the_same_dataset(kg, name):
    text = NAMED_GRAPHS[name]
    oxigraph = query(kg, text)
    by_rdflib = query(kg, text, engine="rdflib")
    assert_same_answer(oxigraph, by_rdflib, text, name)
    if oxigraph.kind == "graph":
        assert set(oxigraph.triples) == set(by_rdflib.triples) and oxigraph.triples


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_rdflib_refuses_a_dataset_clause(kg, clause):
    text = f"SELECT (COUNT(*) AS ?n) {clause} <{ns.GRAPH_DATA}> WHERE {{ ?s ?p ?o }}"
    assert len(query(kg, text)) == 1
    with pytest.raises(InputError, match="FROM"):
        query(kg, text, engine="rdflib")


def test_the_comparison_can_fail(project):
    """A triple missing from rdflib's copy shows as a difference."""
    graph = embedded(project)
    dataset = rdflib_dataset(graph)
    sanction = rdflib.URIRef(ns.PG + "Sanction")
    default = dataset.graph(DATASET_DEFAULT_GRAPH_ID)
    removed = list(default.triples((None, rdflib.RDF.type, sanction)))
    assert removed
    default.remove((removed[0][0], rdflib.RDF.type, sanction))
    text = read_question(ROOT / "queries" / "sanctions-by-kind.rq").text
    with pytest.raises(AssertionError):
        assert_same_answer(
            query(graph, text), query(graph, text, engine="rdflib"), text, "tampered"
        )


def test_rdflib_view_follows_the_store(project):
    graph = load(project, shapes=False)
    before = len(query(graph, "SELECT * WHERE { ?s ?p ?o }", engine="rdflib"))
    entail(graph, profile="structural")
    after = len(query(graph, "SELECT * WHERE { ?s ?p ?o }", engine="rdflib"))
    assert after == graph.size() > before


def test_parameters_and_formats_are_the_same_on_both_engines(kg):
    params = {"actor": "<https://w3id.org/policygraph/id/actor/japan>"}
    a = query(kg, "measures-by-actor", params)
    b = query(kg, "measures-by-actor", params, engine="rdflib")
    assert len(a) > 0
    for fmt in ("table", "csv", "tsv", "json"):
        assert a.render(fmt) == b.render(fmt), fmt


def test_unknown_engine_is_an_input_error_naming_the_choices(kg):
    with pytest.raises(InputError, match="oxigraph, rdflib"):
        query(kg, "timeline", engine="jena")
    with pytest.raises(InputError, match="endpoint"):
        query("http://127.0.0.1:9/query", "timeline", engine="rdflib")
    assert ENGINES[0] == "oxigraph"


def test_cli_engine_option():
    args = (
        "query",
        "measures-by-actor",
        "--param",
        "actor=<https://w3id.org/policygraph/id/actor/japan>",
    )
    oxigraph = run_cli(*args, "--format", "csv")
    by_rdflib = run_cli(*args, "--format", "csv", "--engine", "rdflib")
    assert oxigraph.returncode == by_rdflib.returncode == 0, by_rdflib.stderr
    assert oxigraph.stdout == by_rdflib.stdout and oxigraph.stdout.count("\n") > 2
    bad = run_cli("query", "timeline", "--engine", "jena")
    assert bad.returncode == 2 and "oxigraph, rdflib" in bad.stderr
    remote = run_cli(
        "query", "timeline", "--engine", "rdflib", "--endpoint", "http://127.0.0.1:9/q"
    )
    assert remote.returncode == 2 and "endpoint" in remote.stderr


# --- Reasoners ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("engines-small") / "corpus"
    synthesize(REASONER_BRIEFS, out, seed=5)
    return out


def what_matters(graph: KnowledgeGraph) -> tuple[set, set]:
    """Entailed types of data nodes, and entailed statements about data subjects."""
    data_subjects = {q.subject for q in graph.quads(("data",))}
    types, statements = set(), set()
    for q in graph.quads(("entailments",)):
        if q.subject not in data_subjects:
            continue
        (types if q.predicate == _RDF_TYPE else statements).add(q.triple)
    return types, statements


def _disagreement(rules: set, owlrl: set) -> str:
    return (
        f"only rules: {sorted(map(str, rules - owlrl))[:5]}; "
        f"only owlrl: {sorted(map(str, owlrl - rules))[:5]}"
    )


def _subproperty_entailed(graph: KnowledgeGraph, statements: set) -> int:
    supers = {
        s["super"]
        for s in graph.query(
            "SELECT DISTINCT ?super WHERE { ?p rdfs:subPropertyOf+ ?super FILTER(?p != ?super) }",
            parts=("ontology",),
        )
    }
    return sum(1 for t in statements if t.predicate in supers)


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["structural", "full"])
@pytest.mark.parametrize("data", ["project", "corpus"])
def test_reasoners_agree_on_what_shapes_and_queries_see(project, small_corpus, data, profile):
    results = {}
    base = load(project, data=None if data == "project" else [small_corpus], shapes=False)
    for reasoner in ("rules", "owlrl"):
        graph = KnowledgeGraph(project=project)  # the same quads, so the same blank nodes
        graph.store.extend(base.quads(("ontology", "data")))
        entail(graph, reasoner=reasoner, profile=profile)
        results[reasoner] = what_matters(graph)
    (types, statements), (owl_types, owl_statements) = results["rules"], results["owlrl"]
    assert len(types) > 100 and len(statements) > 100
    assert _subproperty_entailed(graph, statements) > 20
    assert types == owl_types, _disagreement(types, owl_types)
    assert statements == owl_statements, _disagreement(statements, owl_statements)


# --- SHACL engines ------------------------------------------------------------------------------


def results_of(report) -> Counter:
    """(focus, path, component, severity); blank focus nodes by what points to them."""
    return Counter(
        (
            r.focus_label if r.focus.startswith("_:") else r.focus,
            r.path,
            r.component,
            r.severity,
        )
        for r in report.results
    )


def _validated(project, data, engine):
    graph = load(project, data=data)
    entail(graph, profile="structural")
    return validate_graph(graph, engine=engine)


def _assert_engines_agree(rudof, pyshacl, what):
    assert (rudof.engine, pyshacl.engine) == ("rudof", "pyshacl")
    a, b = results_of(rudof), results_of(pyshacl)
    assert rudof.engine_conforms == pyshacl.engine_conforms, what
    assert rudof.conforms() == pyshacl.conforms(), what
    assert a == b, f"{what}: only rudof {list(a - b)[:5]}; only pyshacl {list(b - a)[:5]}"


@pytest.mark.slow
@pytest.mark.parametrize("data", ["project", "corpus"])
def test_shacl_engines_agree(project, corpus, data):
    paths = None if data == "project" else [corpus]
    rudof, pyshacl = (_validated(project, paths, e) for e in ("rudof", "pyshacl"))
    _assert_engines_agree(rudof, pyshacl, data)
    assert rudof.conforms(), rudof.render("text")[:2000]


@pytest.mark.slow
def test_shacl_engines_both_report_a_planted_error(project, corpus, tmp_path):
    planted = tmp_path / "corpus"
    import shutil

    shutil.copytree(corpus, planted)
    measures = sorted(planted.glob("briefs/*/measures.ttl"))[0]
    quads = list(ox.parse(path=str(measures), format=ox.RdfFormat.TURTLE))
    actor = ox.NamedNode(ns.PG + "actor")
    dropped = next(q for q in quads if q.predicate == actor)
    measures.write_bytes(
        ox.serialize(
            [q.triple for q in quads if q != dropped],
            format=ox.RdfFormat.TURTLE,
            prefixes=ns.PREFIXES,
        )
    )
    rudof, pyshacl = (_validated(project, [planted], e) for e in ("rudof", "pyshacl"))
    _assert_engines_agree(rudof, pyshacl, "planted error")
    expected = (
        dropped.subject.value,
        ns.PG + "actor",
        ns.SH + "MinCountConstraintComponent",
        "Violation",
    )
    for report in (rudof, pyshacl):
        assert not report.conforms()
        assert expected in results_of(report), report.engine


def test_parts_are_the_named_graphs_rdflib_sees(kg):
    dataset = rdflib_dataset(kg)
    names = {
        str(g.identifier) for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    assert {iri.value for iri in PARTS.values()} <= names


# --- The build's reasoner -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_release_entailed_by_owlrl_is_byte_identical(release_dir, tmp_path):
    """Canonical dumps: the same entailments give the same bytes, whichever reasoner."""
    out = tmp_path / "dist"
    done = run_cli("build", "-q", "--reasoner", "owlrl", "--out", str(out))
    assert done.returncode == 0, done.stderr
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums == (release_dir / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums.count("\n") > 10


def test_build_rejects_an_unknown_reasoner(tmp_path):
    done = run_cli("build", "-q", "--reasoner", "hermit", "--out", str(tmp_path / "dist"))
    assert done.returncode == 2 and "rules, owlrl, reasonable" in done.stderr
    assert not (tmp_path / "dist").exists()

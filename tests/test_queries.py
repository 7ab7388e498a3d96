"""Competency questions: every ``queries/*.rq`` answers exactly what its expected CSV says,
and ``policygraph query`` lists, runs, binds, renders and reports errors as documented.

A new question needs no new test code: add ``queries/NAME.rq`` and
``queries/expected/NAME.csv`` (and ``NAME.example.csv`` when the header has examples).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import policygraph
from policygraph import namespaces as ns
from policygraph.cli import main
from policygraph.errors import InputError, ParseError
from policygraph.queries import (
    Query,
    QueryResult,
    bind,
    canonical,
    catalogue,
    check,
    comparable,
    expected_path,
    is_ordered,
    parse_param,
    read_expected,
    read_question,
    run_embedded,
    same_rows,
)

from .conftest import ROOT, run_cli

QUESTION_FILES = sorted((ROOT / "queries").glob("*.rq"))
MIN_QUESTIONS = 8


def _ids(path: Path) -> str:
    return path.stem


def _difference(actual: list[tuple], expected: list[tuple]) -> str:
    missing = [r for r in expected if r not in actual]
    extra = [r for r in actual if r not in expected]
    lines = [f"  missing  {r}" for r in missing] + [f"  extra    {r}" for r in extra]
    if not lines:
        lines = ["  same rows, different order or multiplicity"]
    return "\n".join(lines)


def assert_answers(kg, q, params: dict, example: bool) -> None:
    path = expected_path(q, example)
    assert path.is_file(), f"{q.name}: write its expected answer in {path}"
    result = run_embedded(kg, Query(q.text, str(q.path), q), bind(params))
    columns, expected = read_expected(path, like=result)
    assert result.columns == columns, f"{q.name}: columns {result.columns}, expected {columns}"
    actual = comparable(result)
    ordered = is_ordered(q.text)
    assert same_rows(actual, expected, ordered), (
        f"{q.name}{' (example)' if example else ''} answers differently from {path.name}"
        f" (compared {'in order' if ordered else 'as a multiset'}):\n"
        + _difference(actual, expected)
    )


# --- The catalogue --------------------------------------------------------------------------


def test_there_are_enough_competency_questions(project):
    questions = catalogue(project)
    assert len(questions) >= MIN_QUESTIONS, f"only {len(questions)} competency questions"
    assert [q.name for q in questions] == sorted(q.name for q in questions)


@pytest.mark.parametrize("path", QUESTION_FILES, ids=_ids)
def test_question_answers_as_expected(kg, path):
    q = read_question(path)
    assert_answers(kg, q, {}, example=False)
    if q.examples:
        assert_answers(kg, q, q.example_params(), example=True)


@pytest.mark.parametrize("path", QUESTION_FILES, ids=_ids)
def test_question_documents_its_parameters_and_they_bind(path):
    q = read_question(path)
    for name, meaning in q.params:
        assert meaning, f"{q.name}: say what ?{name} means"
        check(Query(q.text, str(path)), {name: ox.Literal("x")})  # raises if not bindable
    documented = {name for name, _ in q.params}
    for name, _ in q.examples:
        assert name in documented, f"{q.name}: example binds ?{name}, which no '# param' documents"


@pytest.mark.parametrize("path", QUESTION_FILES, ids=_ids)
def test_question_declares_its_prefixes_so_any_endpoint_can_run_it(path):
    """Every .rq parses without the project's default prefixes."""
    check(Query(path.read_text(encoding="utf-8"), str(path)), {}, prefixes=False)


@pytest.mark.parametrize(
    "path", [p for p in QUESTION_FILES if read_question(p).inference], ids=_ids
)
def test_question_that_needs_inference_answers_differently_without_it(kg, asserted, path):
    q = read_question(path)
    query = Query(q.text, str(path), q)
    with_entailments = comparable(run_embedded(kg, query, {}))
    without = comparable(run_embedded(asserted, query, {}))
    assert not same_rows(with_entailments, without, ordered=False), (
        f"{q.name} says it relies on inference ({q.inference}) but the asserted data alone "
        "gives the same answer"
    )


def test_some_questions_rely_on_inference(project):
    assert sum(1 for q in catalogue(project) if q.inference) >= 2


# --- Headers ----------------------------------------------------------------------------------

HEADER = """\
# title: A title
# question: What is asked,
#   on two lines?
# use: What for.
# param: actor — the actor (an IRI)
# example: actor=<https://w3id.org/policygraph/id/actor/japan>
SELECT ?actor WHERE { ?actor a <https://w3id.org/policygraph/ontology#State> }
"""


def test_header_fields_and_continuation_lines(tmp_path):
    path = tmp_path / "a-question.rq"
    path.write_text(HEADER, encoding="utf-8")
    q = read_question(path)
    assert (q.name, q.title, q.question, q.use) == (
        "a-question",
        "A title",
        "What is asked, on two lines?",
        "What for.",
    )
    assert q.params == (("actor", "the actor (an IRI)"),)
    assert q.example_params() == {"actor": "<https://w3id.org/policygraph/id/actor/japan>"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER.replace("# use: What for.\n", ""), "'# use: …'"),
        (HEADER.replace("# title: A title\n", "# title:\n"), "'# title: …'"),
        (HEADER + "", None),
        (HEADER.replace("# use:", "# usage:"), "unknown header field 'usage'"),
        (HEADER.replace("# param: actor — the", "# param: actor the"), "name — meaning"),
        (HEADER.replace("actor=<", "actor<"), "name=value"),
    ],
)
def test_header_errors_name_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    if message is None:
        read_question(path)
        return
    with pytest.raises(InputError, match=message) as err:
        read_question(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize(
    ("text", "ordered"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x", True),
        ("select ?x where { ?x ?p ?o }\norder\n  by desc(?x) limit 3", True),
        ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT 1 } }", False),
        ("SELECT ?x WHERE { ?x ?p 'ORDER BY' } # ORDER BY ?x", False),
        ("SELECT ?x WHERE { ?x <http://e/#ORDER%20BY> ?o }", False),
    ],
)
def test_is_ordered_looks_only_at_the_outer_query(text, ordered):
    assert is_ordered(text) is ordered


# --- Parameters -------------------------------------------------------------------------------


def test_param_iri_and_literal():
    assert parse_param("actor=<https://w3id.org/policygraph/id/actor/japan>") == (
        "actor",
        ox.NamedNode("https://w3id.org/policygraph/id/actor/japan"),
    )
    assert parse_param("label=Japan") == ("label", ox.Literal("Japan"))
    assert parse_param("?label=a=b") == ("label", ox.Literal("a=b"))
    assert parse_param("label=") == ("label", ox.Literal(""))
    assert parse_param("label=<not an iri") == ("label", ox.Literal("<not an iri"))


@pytest.mark.parametrize(
    "binding", ["noequals", "=x", "two words=x", "a-b=x", "actor=<not an iri>", "x=<rel>"]
)
def test_bad_params_are_input_errors(binding):
    with pytest.raises(InputError):
        parse_param(binding)


@pytest.mark.parametrize(
    "value",
    [
        'Japan"@en } UNION { ?s ?p ?o',
        "x' } UNION { ?s ?p ?label }",
        '"""\n} ; DROP ALL ; {\n"""',
        "\\u0022) } UNION { ?s ?p ?label #",
        "日本 }}}} {{{{",
    ],
)
def test_hostile_param_is_matched_literally(kg, value):
    result = policygraph.query(
        kg, "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", params={"label": value}
    )
    assert result.rows == []  # no label is this string, and nothing else can match
    echo = policygraph.query(kg, "SELECT ?label WHERE { }", params={"label": value})
    assert echo.rows == [(value,)]


def test_param_narrows_to_the_bound_iri(kg):
    text = "SELECT ?state ?code WHERE { ?state a pg:State ; pg:iso3166Alpha2 ?code }"
    everyone = policygraph.query(kg, text)
    japan = policygraph.query(kg, text, params={"state": f"<{ns.DATA}actor/japan>"})
    assert len(everyone) > 1
    assert japan.rows == [(f"{ns.DATA}actor/japan", "JP")]


def test_param_that_the_query_does_not_return_is_an_input_error(kg):
    with pytest.raises(InputError, match=r"cannot bind \?code"):
        policygraph.query(
            kg, "SELECT ?state WHERE { ?state pg:iso3166Alpha2 ?code }", {"code": "JP"}
        )


# --- Results and rendering -----------------------------------------------------------------


def test_select_result_renders_in_every_format(kg):
    text = (
        "SELECT ?state ?code ?n WHERE { ?state a pg:State ; pg:iso3166Alpha2 ?code "
        "BIND(STRLEN(?code) AS ?n) OPTIONAL { ?state pg:nothing ?missing } } ORDER BY ?code"
    )
    result = policygraph.query(kg, text)
    assert result.kind == "select" and result.columns == ["state", "code", "n"]
    parsed = json.loads(result.render("json"))
    assert parsed["head"]["vars"] == ["state", "code", "n"]
    assert [b["code"]["value"] for b in parsed["results"]["bindings"]] == [
        r[1] for r in result.rows
    ]
    assert parsed["results"]["bindings"][0]["n"]["datatype"] == ns.XSD + "integer"
    rows = list(csv.reader(io.StringIO(result.render("csv"))))
    assert rows[0] == ["state", "code", "n"] and [tuple(r) for r in rows[1:]] == result.rows
    tsv = result.render("tsv").splitlines()
    assert tsv[0] == "?state\t?code\t?n" and len(tsv) == len(result) + 1
    table = result.render("table")
    assert "actor:japan" in table and f"({len(result)} rows)" in table
    assert result.values()[0][2] == 2 and isinstance(result.values()[0][2], int)
    with pytest.raises(InputError, match="CONSTRUCT and DESCRIBE"):
        result.render("ttl")


def test_ask_and_construct_results(kg):
    ask = policygraph.query(kg, "ASK { actor:japan a pg:Actor }")
    assert (ask.kind, ask.boolean, ask.rows) == ("ask", True, [("true",)])
    assert json.loads(ask.render("json"))["boolean"] is True
    graph = policygraph.query(
        kg, "CONSTRUCT { ?s pg:iso3166Alpha2 ?c } WHERE { ?s pg:iso3166Alpha2 ?c }"
    )
    assert graph.kind == "graph" and graph.columns == ["subject", "predicate", "object"]
    turtle = graph.render("ttl")
    reparsed = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    assert {q.triple for q in reparsed} == set(graph.triples)
    assert "@prefix actor:" in turtle and "@prefix foaf:" not in turtle
    with pytest.raises(InputError, match="returns a graph"):
        graph.render("csv")


def test_query_as_frame(kg):
    frame = policygraph.query(
        kg,
        "SELECT ?code (STRLEN(?code) AS ?n) WHERE { actor:japan pg:iso3166Alpha2 ?code }",
        as_frame=True,
    )
    assert list(frame.columns) == ["code", "n"]
    assert frame.to_dict("records") == [{"code": "JP", "n": 2}]


def test_result_from_endpoint_json_equals_embedded(kg):
    """The endpoint path parses SPARQL JSON; the same JSON gives the same result."""
    result = policygraph.query(kg, "SELECT ?s ?o WHERE { ?s pg:iso3166Alpha3 ?o }")
    again = QueryResult.from_json(result.render("json").encode())
    assert comparable(again) == comparable(result) and again.columns == result.columns


@pytest.mark.parametrize(
    ("value", "term", "canon"),
    [
        ("40", ox.Literal("40", datatype=ox.NamedNode(ns.XSD + "integer")), "40"),
        ("40.0", ox.Literal("40.0", datatype=ox.NamedNode(ns.XSD + "decimal")), "40"),
        ("4.0E1", ox.Literal("4.0E1", datatype=ox.NamedNode(ns.XSD + "double")), "40"),
        ("0.50", ox.Literal("0.50", datatype=ox.NamedNode(ns.XSD + "decimal")), "0.5"),
        ("007", ox.Literal("007"), "007"),  # a string stays as written
        (None, None, ""),
    ],
)
def test_canonical_numbers(value, term, canon):
    assert canonical(value, term) == canon


# --- Errors ------------------------------------------------------------------------------------


def test_syntax_error_has_line_and_column(kg):
    with pytest.raises(ParseError) as err:
        policygraph.query(kg, "SELECT ?s\nWHERE { ?s ?p }")
    assert err.value.line == 2 and isinstance(err.value.column, int)
    assert str(err.value).startswith("<query>:2:")


def test_unknown_question_is_an_input_error(kg):
    with pytest.raises(InputError, match="no competency question named 'no-such-question'"):
        policygraph.query(kg, "no-such-question")


# --- The command --------------------------------------------------------------------------------


def test_cli_lists_every_question_with_its_title(project):
    done = run_cli("query", "--list")
    assert done.returncode == 0, done.stderr
    for q in catalogue(project):
        assert any(line.split(None, 1) == [q.name, q.title] for line in done.stdout.splitlines()), (
            q.name
        )
    listing = json.loads(run_cli("query", "--list", "--format", "json").stdout)
    assert [item["name"] for item in listing] == [q.name for q in catalogue(project)]


def test_cli_runs_a_question_by_name_with_a_param_and_by_file(kg, tmp_path, capsys):
    q = QUESTION_FILES[0]
    assert main(["query", q.stem, "--format", "csv"]) == 0
    by_name = capsys.readouterr().out
    assert main(["query", str(q), "--format", "csv"]) == 0
    assert capsys.readouterr().out == by_name
    out = tmp_path / "answer.json"
    text = "SELECT ?s WHERE { ?s a pg:State ; pg:iso3166Alpha2 ?code }"
    assert main(["query", "--sparql", text, "--param", "s=<" + ns.DATA + "actor/japan>",
                 "--format", "json", "-o", str(out)]) == 0  # fmt: skip
    assert capsys.readouterr().out == ""
    bindings = json.loads(out.read_text())["results"]["bindings"]
    assert bindings == [{"s": {"type": "uri", "value": ns.DATA + "actor/japan"}}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sparql", "SELECT ?s\nWHERE { ?s ?p }"], "policygraph: <query>:2:"),
        (["no-such-question"], "no competency question named"),
        (["missing.rq"], "missing.rq: no such query file"),
        (["--sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--param", "nope"], "name=value"),
        (["--sparql", "SELECT ?s WHERE { ?s ?p ?o }", "--param", "o=1"], "cannot bind ?o"),
        (["--sparql", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", "--format", "ttl"], "ttl is for"),
        ([], "give one of"),
        (["--list", "--sparql", "ASK {}"], "give one of"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(args, message):
    done = run_cli("query", *args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_cli_syntax_error_in_a_file_names_the_file(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("# title: x\nSELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}\n", encoding="utf-8")
    done = run_cli("query", str(path))
    assert done.returncode == 2
    assert re.match(rf"policygraph: {re.escape(str(path))}:\d+:\d+: expected", done.stderr)


def test_expected_csv_keeps_codes_and_canonicalises_only_number_columns(kg, tmp_path):
    result = policygraph.query(
        kg, 'SELECT ?code ?n WHERE { VALUES (?code ?n) { ("057" 4.50) ("190" 12) } }'
    )
    path = tmp_path / "expected.csv"
    path.write_text("code,n\n057,4.5\n190,12.0\n", encoding="utf-8")
    columns, expected = read_expected(path, like=result)
    assert columns == ["code", "n"]
    assert expected == [("057", "4.5"), ("190", "12")] == comparable(result)
    path.write_text("code,n\n57,4.5\n190,12\n", encoding="utf-8")
    assert not same_rows(comparable(result), read_expected(path, like=result)[1], False)

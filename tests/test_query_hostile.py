"""Hostile input, property-based: whatever a ``--param`` value or a query text holds —
quotes, braces, newlines, escapes, unicode, SPARQL keywords — a bound value is matched as
the literal it is, and the command answers or fails in one line, never with a traceback."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policygraph
from policygraph.errors import InputError, ParseError
from policygraph.graph import PARTS, QUERYABLE
from policygraph.queries import Query, check

from .query_helpers import run_main, tiny_project

FRAGMENTS = [
    '"', "'", '"""', "'''", "{", "}", "{{", " } UNION { ", "?s ?p ?o", "?value", "$value",
    "\n", "\r\n", "\t", "#", "\\", "\\\\", "\\u0022", "\\U0000007D", "\\n", "<", ">",
    "<http://example.org/x>", "@en", "^^xsd:string", ".", ";", ",", "(", ")", "*",
    "SELECT", "WHERE", "FILTER(true)", "OPTIONAL", "UNION", "VALUES", "BIND", "AS",
    "DROP ALL", "INSERT DATA", "DELETE WHERE", "LIMIT 1", "ORDER BY", "PREFIX", "SERVICE",
    "日本", "é", "\u2028", "\u00a0", "\x00", "\U0001f600", "Japan", "JP",
]  # fmt: skip
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=12).map(
    "".join
)
relaxed = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _is_iri_syntax(value: str) -> bool:
    return len(value) >= 2 and value.startswith("<") and value.endswith(">")


@relaxed
@given(value=hostile)
def test_bound_value_comes_back_exactly_as_given(kg, value):
    try:
        echo = policygraph.query(kg, "SELECT ?value WHERE { }", params={"value": value})
    except InputError:
        assert _is_iri_syntax(value)  # only an invalid <IRI> is refused
        return
    (term,) = echo.terms[0]
    if _is_iri_syntax(value):
        assert term == ox.NamedNode(value[1:-1])
    else:
        assert term == ox.Literal(value)
        assert echo.rows == [(value,)]


@pytest.fixture(scope="module")
def plain_strings(kg) -> list[str]:
    """The values of every plain string literal in the graph."""
    values = set()
    for part in QUERYABLE:
        for quad in kg.store.quads_for_pattern(None, None, None, PARTS[part]):
            obj = quad.object
            if isinstance(obj, ox.Literal) and obj.datatype.value.endswith("#string"):
                values.add(obj.value)
    return sorted(values)


@relaxed
@given(data=st.data())
def test_bound_value_matches_only_itself(kg, plain_strings, data):
    """Against an oracle that reads the store directly: the same subjects, nothing else."""
    value = data.draw(st.one_of(st.sampled_from(plain_strings), hostile))
    if _is_iri_syntax(value):
        value = value[1:]
    result = policygraph.query(
        kg, "SELECT ?s ?p ?value WHERE { ?s ?p ?value }", params={"value": value}
    )
    oracle = {
        (q.subject, q.predicate)
        for part in QUERYABLE
        for q in kg.store.quads_for_pattern(None, None, ox.Literal(value), PARTS[part])
    }
    assert {(row[0], row[1]) for row in result.terms} == oracle
    assert all(row[2] == ox.Literal(value) for row in result.terms)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_project(tmp_path_factory.mktemp("tiny"))


def _one_line_error(err: str) -> None:
    assert err.startswith("policygraph: "), err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@relaxed
@given(value=hostile)
def test_cli_param_never_tracebacks_and_echoes(tiny, value):
    code, out, err = run_main(
        ["--project", str(tiny), "query", "--sparql", "SELECT ?value WHERE {}",
         "--param", f"value={value}", "--format", "json"]
    )  # fmt: skip
    if code != 0:
        assert code == 2 and _is_iri_syntax(value)
        _one_line_error(err)
        return
    (binding,) = json.loads(out)["results"]["bindings"]
    assert binding["value"]["value"] == (value[1:-1] if _is_iri_syntax(value) else value)


SPARQL_BITS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o", "*",
    "<https://w3id.org/policygraph/id/actor/japan>", "pg:State", "rdfs:label", "a",
    '"Japan"', "'x'", '"""x"""', "@en", ".", ";", ",", "(", ")", "FILTER", "BIND", "AS",
    "OPTIONAL", "UNION", "MINUS", "VALUES", "LIMIT 2", "OFFSET 1", "ORDER BY", "GROUP BY",
    "COUNT(*)", "DISTINCT", "PREFIX e: <http://example.org/>", "e:x", "#", "\n", " ",
    "INSERT DATA", "DROP ALL", "LOAD <http://127.0.0.1:1/x>", "SERVICE <http://127.0.0.1:1/>",
    "REGEX(?o, \"(\")", "1/0", "STRLEN(?o)", "日本", "\\u007B", "?", "$", "^^", "<", ">",
]  # fmt: skip
query_text = st.one_of(
    st.lists(st.sampled_from(SPARQL_BITS), max_size=20).map(" ".join),
    st.lists(st.sampled_from(SPARQL_BITS) | st.text(max_size=5), max_size=12).map("".join),
    st.just("SELECT * WHERE { ?s ?p ?o } LIMIT 3"),
)


@relaxed
@given(text=query_text)
def test_any_query_text_answers_or_fails_in_one_line(tiny, text):
    code, out, err = run_main(
        ["--project", str(tiny), "query", f"--sparql={text}", "--format", "json"]
    )
    assert code in (0, 2), (code, err)
    if code == 0:
        assert out and not err
    else:
        _one_line_error(err)


@relaxed
@given(text=query_text)
def test_check_raises_only_located_parse_errors_or_input_errors(text):
    try:
        kind = check(Query(text), {})
    except ParseError as err:
        assert err.line is not None and err.column is not None, str(err)
    except InputError:
        pass
    else:
        assert kind in ("select", "ask", "graph")


@pytest.mark.server
def test_endpoint_binding_is_literal_too(kg):
    """The remote path writes a VALUES clause: the same property through a real server."""
    from policygraph.servers import start_oxigraph

    with start_oxigraph() as server:
        server.load_triples(kg.triples())

        @settings(max_examples=60, deadline=None)
        @given(value=hostile)
        def remote_echo(value):
            if _is_iri_syntax(value):
                value = value[1:]
            remote = policygraph.query(
                server.query_url, "SELECT ?value WHERE { }", params={"value": value}
            )
            assert remote.terms == [(ox.Literal(value),)]
            text = "SELECT ?s ?p ?value WHERE { ?s ?p ?value }"
            remote = policygraph.query(server.query_url, text, params={"value": value})
            local = policygraph.query(kg, text, params={"value": value})
            assert sorted(remote.rows) == sorted(local.rows)

        remote_echo()

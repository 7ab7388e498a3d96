"""``policygraph query --endpoint``: a real Oxigraph server on 127.0.0.1, loaded with the
project's graph, answers every competency question exactly as the embedded store does;
HTTP errors, unreachable hosts, timeouts and authentication give one-line errors (exit 2)
that never show a secret."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import policygraph
from policygraph import namespaces as ns
from policygraph.errors import InputError
from policygraph.queries import (
    Query,
    QueryResult,
    bind,
    comparable,
    is_ordered,
    read_question,
    run_embedded,
    same_rows,
)
from policygraph.servers import free_port, start_oxigraph

from .conftest import ROOT, run_cli
from .query_helpers import run_main

pytestmark = pytest.mark.server

QUESTION_FILES = sorted((ROOT / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def server(kg):
    """Oxigraph serving ontology + data + entailments (as one default graph)."""
    srv = start_oxigraph()
    try:
        srv.load_triples(kg.triples())
        yield srv
    finally:
        srv.stop()


def _remote_result(out: str, kind_hint: str) -> QueryResult:
    if kind_hint == "graph":
        triples = [q.triple for q in ox.parse(out, format=ox.RdfFormat.TURTLE)]
        return QueryResult.from_triples(triples)
    return QueryResult.from_json(out.encode())


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.stem)
def test_question_answers_the_same_through_the_endpoint(kg, server, path):
    q = read_question(path)
    runs = [{}] + ([q.example_params()] if q.examples else [])
    for params in runs:
        local = run_embedded(kg, Query(q.text, str(path), q), bind(params))
        fmt = "ttl" if local.kind == "graph" else "json"
        argv = ["query", q.name, "--endpoint", server.query_url, "--format", fmt]
        for name, value in params.items():
            argv += ["--param", f"{name}={value}"]
        code, out, err = run_main(argv)
        assert code == 0, err
        remote = _remote_result(out, local.kind)
        assert remote.columns == local.columns
        assert same_rows(comparable(remote), comparable(local), is_ordered(q.text)), (
            f"{q.name} {params}: endpoint and embedded store disagree"
        )
        assert len(local) > 0 or local.kind == "ask", f"{q.name}: an empty answer proves little"


def test_library_targets_an_endpoint_url(kg, server):
    text = "SELECT ?s ?code WHERE { ?s pg:iso3166Alpha2 ?code } ORDER BY ?code"
    remote = policygraph.query(server.query_url, text)
    assert remote.rows == policygraph.query(kg, text).rows and len(remote) > 5
    frame = policygraph.query(server.query_url, text, as_frame=True)
    assert list(frame["code"]) == [r[1] for r in remote.rows]
    ask = policygraph.query(server.query_url, "ASK { actor:japan a pg:Actor }")
    assert ask.boolean is True  # entailed type: the server holds the entailments


@pytest.mark.parametrize(
    "value",
    ["JP", 'JP" } UNION { ?s ?p ?code', "JP' . ?s ?p ?code #", "\\u0022JP", "J\nP", "日本"],
)
def test_hostile_param_is_matched_literally_on_the_endpoint(kg, server, value):
    text = "SELECT ?s ?code WHERE { ?s pg:iso3166Alpha2 ?code }"
    remote = policygraph.query(server.query_url, text, {"code": value})
    local = policygraph.query(kg, text, {"code": value})
    assert remote.rows == local.rows
    assert all(code == value for _, code in remote.rows)
    assert (len(remote) == 1) == (value == "JP")


def test_iri_param_on_the_endpoint(server):
    text = "SELECT ?state ?code WHERE { ?state pg:iso3166Alpha2 ?code }"
    japan = policygraph.query(server.query_url, text, {"state": f"<{ns.DATA}actor/japan>"})
    assert japan.rows == [(f"{ns.DATA}actor/japan", "JP")]


def test_query_without_prefix_declarations_gets_the_projects(server):
    result = policygraph.query(
        server.query_url, "SELECT ?c WHERE { actor:japan pg:iso3166Alpha3 ?c }"
    )
    assert result.rows == [("JPN",)]


def test_syntax_error_is_found_before_sending(server):
    code, _, err = run_main(
        ["query", "--sparql", "SELECT * WHERE {\n ?s ?p", "--endpoint", server.query_url]
    )
    assert code == 2 and err.startswith("policygraph: <query>:2:")


def test_param_the_query_does_not_return_fails_as_on_the_embedded_store(server):
    with pytest.raises(InputError, match=r"cannot bind \?code"):
        policygraph.query(
            server.query_url, "SELECT ?s WHERE { ?s pg:iso3166Alpha2 ?code }", {"code": "JP"}
        )


def test_query_ending_with_values_cannot_take_params_remotely(server):
    text = "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { actor:japan }"
    with pytest.raises(InputError, match="its own VALUES clause"):
        policygraph.query(server.query_url, text, {"s": "x"})


# --- Errors ---------------------------------------------------------------------------------


def _fails(argv: list[str], *expected: str) -> str:
    code, out, err = run_main(argv)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    for text in expected:
        assert text in err
    return err


def test_http_404(server):
    _fails(["query", "--sparql", "ASK {}", "--endpoint", server.url + "/nope"], "HTTP 404")


def test_other_http_error(server):
    # The Graph Store endpoint refuses a query form: 415 Unsupported Media Type.
    _fails(["query", "--sparql", "ASK {}", "--endpoint", server.store_url], "HTTP 415")


def test_unreachable_host():
    port = free_port()
    _fails(
        ["query", "--sparql", "ASK {}", "--endpoint", f"http://127.0.0.1:{port}/query"],
        "unreachable",
    )


def test_timeout():
    """A socket that accepts connections but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        _fails(["query", "--sparql", "ASK {}", "--endpoint", url, "--timeout", "1"], "within 1 s")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/sparql", "not a url", "http://user:secret@127.0.0.1:1/q"]
)
def test_bad_endpoint_urls(url):
    err = _fails(["query", "--sparql", "ASK {}", "--endpoint", url], "--endpoint")
    assert "secret" not in err


# --- Authentication ----------------------------------------------------------------------------

SECRET = "s3cret-Pa55word"
TOKEN = "t0ken-abc123"


@pytest.fixture(scope="module")
def proxy(server):
    """tests/auth_proxy.py in front of the Oxigraph server, demanding credentials."""
    port = free_port()
    env = {
        **os.environ,
        "AUTH_PROXY_USER": "researcher",
        "AUTH_PROXY_PASSWORD": SECRET,
        "AUTH_PROXY_TOKEN": TOKEN,
    }
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("auth_proxy.py")), str(port), server.url],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}/query"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(10)
        process.stdout.close()


@pytest.fixture
def no_credentials(monkeypatch):
    for name in (
        "POLICYGRAPH_ENDPOINT_USER",
        "POLICYGRAPH_ENDPOINT_PASSWORD",
        "POLICYGRAPH_ENDPOINT_TOKEN",
        "POLICYGRAPH_ENDPOINT_AUTH",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_endpoint_without_credentials_is_401(proxy, no_credentials):
    done = run_cli("query", "--sparql", "ASK {}", "--endpoint", proxy)
    assert done.returncode == 2 and "HTTP 401" in done.stderr and "Traceback" not in done.stderr


def test_basic_auth_from_the_environment(proxy, no_credentials, kg):
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_USER", "researcher")
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_PASSWORD", SECRET)
    name = QUESTION_FILES[0].stem
    done = run_cli("query", name, "--endpoint", proxy, "--format", "json")
    assert done.returncode == 0, done.stderr
    local = policygraph.query(kg, name)
    assert comparable(QueryResult.from_json(done.stdout.encode())) == comparable(local)
    assert SECRET not in done.stdout + done.stderr


def test_wrong_password_is_401_and_never_printed(proxy, no_credentials):
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_USER", "researcher")
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_PASSWORD", "wrong-" + SECRET)
    done = run_cli("--debug", "query", "--sparql", "ASK {}", "--endpoint", proxy)
    assert done.returncode != 0  # --debug shows the traceback: still no secret in it
    assert "401" in done.stderr and SECRET not in done.stdout + done.stderr


def test_bearer_token_from_the_environment(proxy, no_credentials):
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_TOKEN", TOKEN)
    done = run_cli("query", "--sparql", "ASK { actor:japan a pg:State }", "--endpoint", proxy)
    assert done.returncode == 0, done.stderr
    assert "true" in done.stdout and TOKEN not in done.stdout + done.stderr


def test_half_the_credentials_is_an_input_error(no_credentials):
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_USER", "researcher")
    code, _, err = run_main(["query", "--sparql", "ASK {}", "--endpoint", "http://127.0.0.1:1/"])
    assert code == 2 and "POLICYGRAPH_ENDPOINT_PASSWORD" in err


# --- The server helpers ------------------------------------------------------------------------


def test_server_is_stopped_by_its_pid(kg):
    srv = start_oxigraph()
    pid, location = srv.pid, srv.location
    assert policygraph.query(srv.query_url, "ASK { ?s ?p ?o }").boolean is False
    srv.load(b'<http://e/a> <http://e/p> "1" .\n', "application/n-triples")
    assert policygraph.query(srv.query_url, "ASK { ?s ?p ?o }").boolean is True
    srv.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not location.exists()


def test_read_only_server_on_a_loaded_folder(tmp_path):
    from policygraph.servers import load_files

    data = tmp_path / "d.nt"
    data.write_text('<http://e/a> <http://e/p> "x" .\n', encoding="utf-8")
    load_files(tmp_path / "db", [data])
    with start_oxigraph(tmp_path / "db", read_only=True) as srv:
        rows = policygraph.query(srv.query_url, "SELECT ?o WHERE { ?s ?p ?o }").rows
        assert rows == [("x",)]
        with pytest.raises(InputError, match="HTTP"):
            srv.load(b'<http://e/b> <http://e/p> "y" .\n', "application/n-triples")
    assert (tmp_path / "db").exists()  # a folder the caller gave is kept


def test_json_answer_round_trips(server):
    out = run_main(["query", "--sparql", "SELECT ?x WHERE { BIND(1.50 AS ?x) }", "--endpoint",
                    server.query_url, "--format", "json"])[1]  # fmt: skip
    binding = json.loads(out)["results"]["bindings"][0]["x"]
    assert binding == {"type": "literal", "datatype": ns.XSD + "decimal", "value": "1.5"}

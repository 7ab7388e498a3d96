"""``policygraph load`` against a real, writable Oxigraph server on 127.0.0.1: the release
replaces the named graph (whatever it held), the endpoint's count matches the manifest, and
every failure (refused upload, wrong count, bad credentials, unreachable server, a file
changed since the build) is one line, exit 2, with the graph left as it was."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import policygraph
from policygraph.release import read_manifest
from policygraph.servers import free_port, start_oxigraph
from policygraph.upload import DEFAULT_GRAPH, engine_endpoints

from .query_helpers import run_main

pytestmark = pytest.mark.server

ENV = (
    "POLICYGRAPH_ENDPOINT_USER",
    "POLICYGRAPH_ENDPOINT_PASSWORD",
    "POLICYGRAPH_ENDPOINT_AUTH",
    "POLICYGRAPH_ENDPOINT_TOKEN",
)
SECRET = "l0ad-Pa55word"


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def store():
    server = start_oxigraph()
    try:
        yield server
    finally:
        server.stop()


def expected_triples(dist: Path) -> int:
    manifest = read_manifest(dist)
    return manifest.files[manifest.find("entailed", "application/n-triples")].triples


def graphs(server) -> dict[str, int]:
    result = policygraph.query(
        server.query_url,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    )
    return {g: int(n) for g, n in result.rows}


def load(*args: str) -> tuple[int, str, str]:
    return run_main(["load", *args])


def test_load_replaces_the_graph_and_verifies_the_count(store, release_dir):
    store.load(b"<urn:x:old> <urn:x:p> <urn:x:o> .\n", "application/n-triples", DEFAULT_GRAPH)
    code, out, err = load("--endpoint", store.store_url, "--dist", str(release_dir))
    assert code == 0, err
    expected = expected_triples(release_dir)
    assert f"{expected:,} triples" in out
    assert graphs(store) == {DEFAULT_GRAPH: expected}  # the old triple is gone, no staging left
    ask = f"ASK {{ GRAPH <{DEFAULT_GRAPH}> {{ actor:japan a pg:Actor }} }}"  # an entailment
    assert policygraph.query(store.query_url, ask).boolean is True
    # Again: the same graph, not twice the triples.
    code, _, err = load("--endpoint", store.store_url, "--dist", str(release_dir))
    assert code == 0, err
    assert graphs(store) == {DEFAULT_GRAPH: expected}


def test_other_graph_and_library(store, release_dir):
    result = policygraph.load_release(store.store_url, graph="urn:x:mine", dist=release_dir)
    assert result.triples == expected_triples(release_dir)
    assert graphs(store) == {"urn:x:mine": result.triples}
    assert result.query_endpoint == store.query_url and result.update_endpoint == store.update_url


@pytest.fixture
def broken_release(release_dir, tmp_path) -> Path:
    """A copy of the release whose N-Triples end in a syntax error (manifest updated to
    match): the server refuses the upload after reading most of it."""
    import hashlib

    dist = tmp_path / "dist"
    shutil.copytree(release_dir, dist)
    manifest = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    path = read_manifest(dist).find("entailed", "application/n-triples")
    data = (dist / path).read_bytes() + b'<urn:x:s> <urn:x:p> "unterminated .\n'
    (dist / path).write_bytes(data)
    manifest["files"][path].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    (dist / "release.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dist


def test_failed_upload_leaves_the_graph_as_it_was(store, release_dir, broken_release):
    assert load("--endpoint", store.store_url, "--dist", str(release_dir))[0] == 0
    before = graphs(store)
    code, _, err = load("--endpoint", store.store_url, "--dist", str(broken_release))
    assert code == 2 and err.count("\n") == 1 and "HTTP 400" in err
    assert graphs(store) == before


def test_file_changed_since_the_build_is_refused(store, release_dir, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(release_dir, dist)
    path = dist / read_manifest(dist).find("entailed", "application/n-triples")
    path.write_bytes(path.read_bytes()[:-200])
    code, _, err = load("--endpoint", store.store_url, "--dist", str(dist))
    assert code == 2 and "changed since the build" in err
    assert graphs(store) == {}


def test_count_elsewhere_is_a_mismatch_and_changes_nothing(store, release_dir):
    with start_oxigraph() as other:
        code, _, err = load(
            "--endpoint",
            store.store_url,
            "--dist",
            str(release_dir),
            "--query-endpoint",
            other.query_url,
        )
    assert code == 2 and err.count("\n") == 1
    assert "holds 0 triples" in err and "left as it was" in err
    assert graphs(store) == {}  # the staging graph was dropped


def test_http_errors_unreachable_and_bad_options(store, release_dir):
    dist = ["--dist", str(release_dir)]
    code, _, err = load("--endpoint", store.url + "/nope/store", *dist)
    assert code == 2 and "HTTP 404" in err
    code, _, err = load("--endpoint", f"http://127.0.0.1:{free_port()}/store", *dist)
    assert code == 2 and "unreachable" in err
    code, _, err = load("--endpoint", store.url + "/somewhere", *dist)
    assert code == 2 and "--query-endpoint" in err
    code, _, err = load("--endpoint", store.store_url, "--graph", "not an iri", *dist)
    assert code == 2 and "--graph" in err
    code, _, err = load("--endpoint", store.store_url, "--dist", str(release_dir / "none"))
    assert code == 2 and "policygraph build" in err
    for code, _, err in (
        load("--endpoint", store.store_url, "--timeout", "0", *dist),
        load("--endpoint", "ftp://example.org/store", *dist),
    ):
        assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    ("tail", "query", "update"),
    [
        ("/store", "/query", "/update"),
        ("/sparql-graph-crud-auth", "/sparql", "/sparql-auth"),
        ("/policygraph/data", "/policygraph/sparql", "/policygraph/update"),
        ("/repositories/pg/rdf-graphs/service", "/repositories/pg", "/repositories/pg/statements"),
    ],
)
def test_engine_endpoints(tail, query, update):
    base = "http://127.0.0.1:1"
    assert engine_endpoints(base + tail) == (base + query, base + update)


# --- authentication, through a real proxy that demands it ------------------------------------


@pytest.fixture
def proxy(store):
    port = free_port()
    env = {
        **os.environ,
        "AUTH_PROXY_USER": "publisher",
        "AUTH_PROXY_PASSWORD": SECRET,
        "AUTH_PROXY_TOKEN": "unused-token",
    }
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("auth_proxy.py")), str(port), store.url],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}/store"
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(10)
        process.stdout.close()


def test_basic_auth_from_the_environment(proxy, store, release_dir, no_credentials):
    dist = ["--dist", str(release_dir)]
    code, _, err = load("--endpoint", proxy, *dist)
    assert code == 2 and "HTTP 401" in err and "POLICYGRAPH_ENDPOINT_USER" in err
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_USER", "publisher")
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_PASSWORD", "wrong-" + SECRET)
    code, out, err = load("--endpoint", proxy, *dist)
    assert code == 2 and "HTTP 401" in err and SECRET not in out + err
    assert graphs(store) == {}
    no_credentials.setenv("POLICYGRAPH_ENDPOINT_PASSWORD", SECRET)
    code, out, err = load("--endpoint", proxy, *dist)
    assert code == 0, err
    assert SECRET not in out + err
    assert graphs(store) == {DEFAULT_GRAPH: expected_triples(release_dir)}

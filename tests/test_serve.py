"""``policygraph serve``: the release served read-only by a real Oxigraph server on 127.0.0.1
behind the front, as a user starts it: every competency question answers as on the embedded
store, updates are refused, bad queries get a 400, CORS is on, nothing listens but the
address asked, and Ctrl-C (or SIGTERM) stops Oxigraph by its PID and removes its database."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

import policygraph
from policygraph import namespaces as ns
from policygraph.queries import (
    Query,
    bind,
    comparable,
    is_ordered,
    read_question,
    run_embedded,
    same_rows,
)
from policygraph.release import read_manifest
from policygraph.serve import editor_text
from policygraph.servers import free_port

from .conftest import ROOT
from .query_helpers import run_main
from .serve_helpers import Served, alive, listening

pytestmark = pytest.mark.server

QUESTION_FILES = sorted((ROOT / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def served(release_dir):
    with Served(["--dist", str(release_dir), "--port", "0", "--quiet"]) as server:
        yield server


def fetch(
    url: str, data: bytes | None = None, method: str | None = None, headers: dict | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def count(url: str, where: str = "?s ?p ?o") -> int:
    result = policygraph.query(url + "query", f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    return int(result.rows[0][0])


# --- the competency questions ------------------------------------------------------------


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.stem)
def test_question_answers_as_the_embedded_store(kg, served, path):
    """Through ``policygraph query --endpoint``, and as the query editor sends it."""
    q = read_question(path)
    runs = [{}] + ([q.example_params()] if q.examples else [])
    for params in runs:
        local = run_embedded(kg, Query(q.text, str(path), q), bind(params))
        assert len(local) > 0 or local.kind == "ask", f"{q.name}: an empty answer proves little"
        fmt = "ttl" if local.kind == "graph" else "json"
        argv = ["query", q.name, "--endpoint", served.url + "query", "--format", fmt]
        for name, value in params.items():
            argv += ["--param", f"{name}={value}"]
        code, out, err = run_main(argv)
        assert code == 0, err
        if local.kind == "graph":
            remote = policygraph.query(served.url + "query", q.text, params)
        else:
            remote = policygraph.queries.QueryResult.from_json(out.encode())
        assert remote.columns == local.columns
        ordered = is_ordered(q.text)
        assert same_rows(comparable(remote), comparable(local), ordered), (
            f"{q.name} {params}: the served release and the embedded store disagree"
        )
    editor = policygraph.query(served.url + "query", editor_text(q))
    assert same_rows(
        comparable(editor), comparable(run_embedded(kg, Query(q.text), {})), is_ordered(q.text)
    ), f"{q.name}: the editor's text answers differently"


def test_default_graph_is_the_entailed_release_and_parts_are_named_graphs(served, release_dir):
    manifest = read_manifest(release_dir)
    entailed = manifest.files[manifest.find("entailed", "application/n-triples")].triples
    assert count(served.url) == entailed
    for part in ("ontology", "data", "entailments", "shapes"):
        graph = getattr(ns, f"GRAPH_{part.upper()}")
        expected = sum(
            1
            for line in (release_dir / manifest.find("dataset", "application/n-quads"))
            .read_text(encoding="utf-8")
            .splitlines()
            if line.endswith(f"<{graph}> .")
        )
        assert count(served.url, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == expected, part
    # The shapes are a named graph only: queries without GRAPH never see them.
    assert not policygraph.query(served.url + "query", "ASK { ?s a sh:NodeShape }").boolean


# --- read-only, errors, CORS ---------------------------------------------------------------


def test_updates_are_refused_and_change_nothing(served):
    before = count(served.url)
    status, _, body = fetch(
        served.url + "update",
        urlencode({"update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403 and b"read-only" in body
    status, _, _ = fetch(
        served.url + "store?default",
        b"<urn:x:a> <urn:x:b> <urn:x:c> .\n",
        method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )
    assert status == 403
    status, _, _ = fetch(
        served.url + "query",
        b"DELETE WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert status >= 400
    assert count(served.url) == before


def test_syntax_error_gets_a_400(served):
    status, headers, body = fetch(served.url + "query?" + urlencode({"query": "SELECT * WHERE {"}))
    assert status == 400
    assert b"error at 1:" in body and headers["Access-Control-Allow-Origin"] == "*"


def test_query_command_reports_errors_in_one_line(served):
    # A syntax error is found before sending, with its line and column ...
    code, _, err = run_main(
        ["query", "--sparql", "SELECT * WHERE {\n ?s ?p", "--endpoint", served.url + "query"]
    )
    assert code == 2 and err.startswith("policygraph: <query>:2:") and err.count("\n") == 1
    # ... and a request the server itself answers with 400 is reported as such.
    code, _, err = run_main(
        [
            "query",
            "--sparql",
            "ASK { ?s ?p ?o }",
            "--endpoint",
            served.url + "query?default-graph-uri=not%20an%20iri",
        ]
    )
    assert code == 2 and err.count("\n") == 1
    assert "HTTP 400" in err and "Traceback" not in err


def test_cors(served):
    status, headers, _ = fetch(
        served.url + "query",
        method="OPTIONS",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 204 and headers["access-control-allow-origin"] == "*"
    status, headers, body = fetch(
        served.url + "query?" + urlencode({"query": "ASK { ?s ?p ?o }"}),
        headers={
            "Origin": "https://elsewhere.example",
            "Accept": "application/sparql-results+json",
        },
    )
    assert status == 200 and json.loads(body)["boolean"] is True
    assert headers["access-control-allow-origin"] == "*"
    for page in ("", "ui"):
        assert fetch(served.url + page)[1]["Access-Control-Allow-Origin"] == "*"


def test_listens_on_the_address_asked_and_oxigraph_on_loopback_only(served):
    front = urlsplit(served.url)
    assert listening(served.process.pid) == {("127.0.0.1", front.port)}
    inner = listening(served.oxigraph_pid)
    assert len(inner) == 1 and all(host == "127.0.0.1" for host, _ in inner)
    assert inner != {("127.0.0.1", front.port)}


# --- the pages ------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (class, href)
        self.sources: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self.links.append((attrs.get("class") or "", attrs["href"]))
        if tag in ("script", "link") and (attrs.get("src") or attrs.get("href")):
            self.sources.append(attrs.get("src") or attrs.get("href"))
        if tag == "li" and "id" in attrs:
            self.ids.append(attrs["id"])


def test_start_page_offers_every_question_in_the_editor(served, release_dir):
    status, headers, body = fetch(served.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = Links()
    page.feed(body.decode("utf-8"))
    names = sorted(p.stem for p in (release_dir / "queries").glob("*.rq"))
    assert page.ids == names and len(names) == len(QUESTION_FILES)
    opened = [href for cls, href in page.links if cls == "open"]
    assert len(opened) == len(names)
    for name, href in zip(names, opened, strict=True):
        q = read_question(release_dir / "queries" / f"{name}.rq")
        link = urlsplit(href)
        assert link.path == "/ui"
        params = parse_qs(link.query)
        assert params["query"] == [editor_text(q)] and params["tabTitle"] == [q.title]
        assert q.title in html.unescape(body.decode("utf-8"))
        status, _, text = fetch(served.url + f"queries/{name}.rq")
        assert status == 200 and text.decode("utf-8") == q.text


def test_query_editor_is_yasgui_from_the_same_origin(served):
    status, _, body = fetch(served.url + "ui")
    assert status == 200
    page = Links()
    page.feed(body.decode("utf-8"))
    assert "/yasgui.min.js" in page.sources and "/yasgui.min.css" in page.sources
    assert all(not re.match(r"(https?:)?//", src) for src in page.sources), "no CDN"
    assert 'window.location.origin + "/query"' in body.decode("utf-8")
    for asset, media_type in (("yasgui.min.js", "javascript"), ("yasgui.min.css", "text/css")):
        status, headers, data = fetch(served.url + asset)
        assert status == 200 and media_type in headers["content-type"] and len(data) > 10_000


def test_release_files_are_served_and_nothing_else(served, release_dir):
    status, _, body = fetch(served.url + "release/release.json")
    assert status == 200 and body == (release_dir / "release.json").read_bytes()
    for path in (
        "release/../conftest.py",
        "release/%2e%2e/%2e%2e/etc/passwd",
        "release/nothing.ttl",
    ):
        assert fetch(served.url + path)[0] == 404, path


# --- starting and stopping -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stops_cleanly_and_builds_a_missing_release(tmp_path, signum):
    dist = tmp_path / "dist"
    if signum == signal.SIGTERM:  # once is enough for the build
        from policygraph.release import build

        build(out=dist, quiet=True)
    server = Served(["--dist", str(dist), "--port", "0", "--quiet"]).start()
    try:
        assert (dist / "release.json").is_file()
        assert alive(server.oxigraph_pid) and server.database.is_dir()
        assert count(server.url) > 1000
    finally:
        code = server.stop(signum)
    assert code == 0, server.stderr()
    assert server.stdout[-1] == "stopped"
    assert not alive(server.oxigraph_pid)
    assert not server.database.exists()
    if signum == signal.SIGINT:
        assert "building it" in server.stderr()


def test_no_release_without_build_is_a_clear_error(tmp_path):
    done = _run(["--dist", str(tmp_path / "none"), "--no-build", "--port", "0"])
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "policygraph build" in done.stderr


def test_address_in_use_is_a_clear_error(release_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run(["--dist", str(release_dir), "--port", str(port)])
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


def test_oxigraph_dying_stops_the_front_with_an_error(release_dir):
    server = Served(["--dist", str(release_dir), "--port", "0", "--quiet"]).start()
    try:
        os.kill(server.oxigraph_pid, signal.SIGKILL)
        code = server.process.wait(20)
    finally:
        server.stop()
    assert code == 2
    last = server.stderr().strip().splitlines()[-1]
    assert last.startswith("policygraph: the Oxigraph server exited")
    assert not server.database.exists()


def test_a_killed_serve_takes_oxigraph_with_it_and_the_next_removes_its_folder(release_dir):
    first = Served(["--dist", str(release_dir), "--port", "0", "--quiet"]).start()
    try:
        os.kill(first.process.pid, signal.SIGKILL)  # no chance to clean up
        first.process.wait(20)
        deadline = time.monotonic() + 10
        while alive(first.oxigraph_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(first.oxigraph_pid), "Oxigraph outlived the serve that started it"
        folder = first.database
        assert folder.is_dir()  # the killed serve could not remove it
        with Served(["--dist", str(release_dir), "--port", "0"]) as second:
            assert not folder.exists()
            assert second.database.is_dir()
        assert "removed 1 database folder(s) left by a serve that was killed" in second.stderr()
    finally:
        first.stop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(first.oxigraph_pid, signal.SIGKILL)


def test_only_folders_whose_serve_has_died_are_removed(tmp_path):
    from policygraph.serve import remove_abandoned_folders

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    folders = {}
    for name, owner in [
        ("dead", ended.stdout.strip()),
        ("running", str(os.getppid())),
        ("unowned", None),
        ("garbled", "not a pid"),
    ]:
        folder = folders[name] = tmp_path / f"policygraph-serve-{name}"
        (folder / "db").mkdir(parents=True)
        if owner is not None:
            (folder / "serve.pid").write_text(owner + "\n")
    other = tmp_path / "something-else"
    other.mkdir()
    (other / "serve.pid").write_text(ended.stdout)
    assert remove_abandoned_folders(tmp_path) == [folders["dead"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "policygraph-serve-garbled",
        "policygraph-serve-running",
        "policygraph-serve-unowned",
        "something-else",
    ]


def _run(args: list[str]):
    return subprocess.run(
        [sys.executable, "-m", "policygraph", "serve", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_library_start_and_stop(release_dir):
    with policygraph.serve_release(release_dir, port=0, emit=None) as service:
        assert service.url.startswith("http://127.0.0.1:")
        assert count(service.url) == service.triples
        folder, pid = service.folder, service.oxigraph.pid
    assert not folder.exists() and not alive(pid)

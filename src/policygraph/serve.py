"""Serving a release: Oxigraph, read-only, behind a small front with a start page and YASGUI.

policygraph writes no database of its own. :func:`serve_release` (and :func:`serve`, which
blocks until Ctrl-C) does this:

1. finds the release in ``dist/`` through its manifest, building it first when there is
   none for the project's version (:func:`ensure_release`);
2. loads it into a fresh Oxigraph database folder with ``oxigraph load``: the entailed
   N-Triples into the default graph, so that a query without ``GRAPH`` sees ontology +
   data + entailments exactly as the embedded store does, and the N-Quads dataset into
   its named graphs (``…/graph/ontology``, ``data``, ``entailments``, ``shapes``) for
   queries that ask for one part. The shapes never reach the default graph;
3. starts ``oxigraph serve-read-only --cors`` on 127.0.0.1 and a free port;
4. listens on the address asked (default 127.0.0.1:7878) with a front that serves ``/``
   (a start page listing the competency questions, each with a link that opens it in the
   query editor), ``/ui`` (YASGUI, with Oxigraph's own ``/yasgui.min.js`` and ``.css``),
   ``/queries/NAME.rq`` and ``/release/…`` (the files of the release), and passes every
   other path (``/query``, ``/sparql``, ``/update``, ``/store``, ``/yasgui.min.*`` …) to
   Oxigraph unchanged, so that SPARQL 1.1 Protocol clients talk to Oxigraph itself.

Stopping (Ctrl-C, SIGTERM, :meth:`Service.stop`) shuts the front, ends Oxigraph by its PID
and removes the database folder.
"""

from __future__ import annotations

import contextlib
import http.client
import mimetypes
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from . import __version__
from . import namespaces as ns
from .errors import InputError, PolicygraphError
from .project import Project, find_project
from .queries import CompetencyQuestion, Query, _code, check, read_question
from .release import Manifest, read_manifest

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 60.0
MAX_BODY = 16 * 1024 * 1024  # a query or form larger than this is refused (413)
CHUNK = 64 * 1024
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
}
RDF_MEDIA_TYPES = {
    ".ttl": "text/turtle; charset=utf-8",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".trig": "application/trig",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".rq": "application/sparql-query; charset=utf-8",
    ".svg": "image/svg+xml",
    ".gz": "application/gzip",
}
Emit = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- the release -------------------------------------------------------------------------


def ensure_release(
    dist: Path | str = "dist",
    project: Project | None = None,
    build: bool = True,
    emit: Emit | None = _stderr,
) -> Manifest:
    """The manifest of the release in ``dist`` for the project's version.

    When ``dist`` holds no release of that version, it is built there (as ``policygraph
    build`` would) if ``build`` is true; otherwise that is an InputError telling the user
    to run ``policygraph build``.
    """
    project = project or find_project()
    dist = Path(dist)
    version = project.version
    if (dist / "release.json").is_file():
        manifest = read_manifest(dist)
        if manifest.version == version:
            return manifest
        reason = f"{dist} holds release {manifest.version}, not {version}"
    else:
        reason = f"{dist} holds no release"
    if not build:
        raise InputError(f"{reason}: run 'policygraph build' first")
    from .release import build as build_release

    if emit:
        emit(f"policygraph: {reason}; building it")
    build_release(project, out=dist, quiet=emit is None, emit=emit)
    return read_manifest(dist)


def database_files(dist: Path | str, manifest: Manifest) -> list[Path]:
    """What goes into the served database: the entailed N-Triples (the default graph) and
    the N-Quads dataset (its named graphs)."""
    dist = Path(dist)
    return [
        dist / manifest.find("entailed", "application/n-triples"),
        dist / manifest.find("dataset", "application/n-quads"),
    ]


def questions(dist: Path | str, manifest: Manifest) -> list[CompetencyQuestion]:
    """The competency questions the release carries (its ``queries/*.rq``), by name."""
    dist = Path(dist)
    found = [
        read_question(dist / info.path)
        for info in manifest.files.values()
        if info.media_type == "application/sparql-query" and info.path.endswith(".rq")
    ]
    return sorted(found, key=lambda q: q.name)


_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.I)


def editor_text(q: CompetencyQuestion) -> str:
    """The question as a query any SPARQL endpoint runs: its header comments, then PREFIX
    lines for the project prefixes it uses without declaring, then the query."""
    lines = q.text.splitlines(keepends=True)
    cut = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    header, body = "".join(lines[:cut]), "".join(lines[cut:])
    code = _code(body)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)}
    used = [
        prefix
        for prefix in ns.PREFIXES
        if prefix not in declared and re.search(rf"(?<![\w.:-]){re.escape(prefix)}:", code)
    ]
    text = header + ns.sparql_prefixes(used) + body
    try:
        check(Query(text, str(q.path)), {}, prefixes=False)
    except PolicygraphError:  # something unusual: declare every prefix
        text = header + ns.sparql_prefixes() + body
    return text


def editor_link(q: CompetencyQuestion) -> str:
    """``/ui?…`` opening the question in YASGUI (which reads ``query`` and ``tabTitle``)."""
    return "/ui?" + urlencode({"query": editor_text(q), "tabTitle": q.title}, quote_via=quote)


# --- pages -------------------------------------------------------------------------------


def _environment():
    from .docs import environment

    return environment()


def render_pages(manifest: Manifest, qs: list[CompetencyQuestion]) -> dict[str, tuple[bytes, str]]:
    """The front's own pages: path → (body, media type)."""
    env = _environment()
    context = {
        "version": manifest.version,
        "issued": manifest.issued,
        "questions": [
            {
                "name": q.name,
                "title": q.title,
                "question": q.question,
                "use": q.use,
                "params": q.params,
                "link": editor_link(q),
            }
            for q in qs
        ],
        "downloads": [
            (info.path, info.triples, info.graph)
            for info in sorted(manifest.files.values(), key=lambda i: i.path)
            if info.graph in ("asserted", "entailed", "dataset") and not info.path.endswith(".gz")
        ],
        "prefixes": dict(ns.PREFIXES),
        "graphs": {
            part: getattr(ns, f"GRAPH_{part.upper()}")
            for part in ("ontology", "data", "entailments", "shapes")
        },
    }
    html_type = "text/html; charset=utf-8"
    pages = {
        "/": (env.get_template("serve-index.html.j2").render(**context).encode(), html_type),
        "/ui": (env.get_template("serve-ui.html.j2").render(**context).encode(), html_type),
        "/style.css": (
            env.loader.get_source(env, "style.css")[0].encode(),
            "text/css; charset=utf-8",
        ),
    }
    for q in qs:
        pages[f"/queries/{q.name}.rq"] = (q.text.encode(), RDF_MEDIA_TYPES[".rq"])
    pages["/index.html"] = pages["/"]
    return pages


# --- the front ---------------------------------------------------------------------------


class Front(ThreadingHTTPServer):
    """Serves the pages and passes everything else to the Oxigraph server on 127.0.0.1."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops a burst of connections (1 s SYN retry)

    def __init__(
        self,
        host: str,
        port: int,
        backend_port: int,
        pages: dict[str, tuple[bytes, str]],
        dist: Path,
        timeout: float,
        access_log: Emit | None,
    ):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.backend_port = backend_port
        self.pages = pages
        self.dist = dist.resolve()
        self.backend_timeout = timeout + 10  # Oxigraph ends a query itself after ``timeout``
        self.access_log = access_log
        self.local = threading.local()
        try:
            super().__init__((host, port), Handler)
        except OSError as err:
            raise InputError(f"cannot listen on {_hostport(host, port)}: {err.strerror}") from None

    def handle_error(self, request, client_address) -> None:
        """A client that went away is normal; anything else is one log line, no traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError) or self.access_log is None:
            return
        self.access_log(f"{client_address[0]} - error: {type(error).__name__}: {error}")

    def backend(self, fresh: bool = False) -> http.client.HTTPConnection:
        """This thread's keep-alive connection to Oxigraph."""
        connection = getattr(self.local, "connection", None)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.backend_port, timeout=self.backend_timeout
            )
            self.local.connection = connection
        return connection


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"policygraph/{__version__}"
    server: Front

    def log_message(self, format: str, *args) -> None:
        if self.server.access_log:
            self.server.access_log(f"{self.address_string()} - {format % args}")

    # --- routing

    def do_GET(self) -> None:
        self._get(head=False)

    def do_HEAD(self) -> None:
        self._get(head=True)

    def do_OPTIONS(self) -> None:
        if self._own(self._path()):
            self._send(204, b"", None, extra=CORS)
        else:
            self._proxy()

    def do_POST(self) -> None:
        self._proxy()

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _own(self, path: str) -> bool:
        return path in self.server.pages or path.startswith("/release/")

    def _get(self, head: bool) -> None:
        path = self._path()
        page = self.server.pages.get(path)
        if page is not None:
            body, media_type = page
            self._send(200, body, media_type, head=head, extra=CORS)
        elif path.startswith("/release/"):
            self._release_file(path[len("/release/") :], head)
        else:
            self._proxy()

    def _release_file(self, relative: str, head: bool) -> None:
        from urllib.parse import unquote

        root = self.server.dist
        target = (root / unquote(relative)).resolve()
        if relative.endswith("/") or not relative:
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            self._send(404, b"not in this release\n", "text/plain; charset=utf-8", head=head)
            return
        suffix = target.suffix.lower()
        media_type = RDF_MEDIA_TYPES.get(suffix) or (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        )
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += "; charset=utf-8"
        self._send(200, target.read_bytes(), media_type, head=head, extra=CORS)

    def _send(
        self,
        status: int,
        body: bytes,
        media_type: str | None,
        head: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        if media_type:
            self.send_header("Content-Type", media_type)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    # --- passing a request to Oxigraph

    def _proxy(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(411, b"send a Content-Length\n", "text/plain; charset=utf-8")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send(413, b"request body too large\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        response = None
        for attempt in range(2):  # a kept-alive connection Oxigraph has closed: retry once
            connection = self.server.backend(fresh=attempt > 0)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                break
            except TimeoutError:
                connection.close()
                self._send(
                    504, b"the SPARQL server did not answer in time\n", "text/plain; charset=utf-8"
                )
                return
            except (OSError, http.client.HTTPException):
                connection.close()
        if response is None:
            self._send(502, b"the SPARQL server does not answer\n", "text/plain; charset=utf-8")
            return
        try:
            self._relay(response)
        except BaseException:  # the client went away mid-answer: drop the half-read one
            self.server.backend().close()
            raise
        if response.will_close:
            self.server.backend().close()

    def _relay(self, response: http.client.HTTPResponse) -> None:
        self.send_response(response.status, response.reason)
        names = set()
        for name, value in response.getheaders():
            if name.lower() in HOP_BY_HOP or name.lower() == "server":
                continue
            names.add(name.lower())
            self.send_header(name, value)
        if "access-control-allow-origin" not in names:
            self.send_header("Access-Control-Allow-Origin", "*")
        length = response.getheader("Content-Length")
        bodiless = self.command == "HEAD" or response.status in (204, 304)
        if bodiless:
            if length is not None:
                self.send_header("Content-Length", length)
            self.end_headers()
            response.read()
            return
        if length is not None:
            self.send_header("Content-Length", length)
            self.end_headers()
            while chunk := response.read(CHUNK):
                self.wfile.write(chunk)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while chunk := response.read1(CHUNK):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")


# --- the service -------------------------------------------------------------------------


@dataclass
class Service:
    """A running front + Oxigraph pair; :meth:`stop` ends both and removes the database."""

    front: Front
    oxigraph: object  # servers.OxigraphServer
    folder: Path
    manifest: Manifest
    triples: int
    questions: list[CompetencyQuestion]
    thread: threading.Thread | None = None
    failure: str | None = None
    _stopped: bool = False

    @property
    def host(self) -> str:
        return self.front.server_address[0]

    @property
    def port(self) -> int:
        return self.front.server_address[1]

    @property
    def url(self) -> str:
        host = self.host
        shown = "127.0.0.1" if host == "0.0.0.0" else "::1" if host == "::" else host
        return f"http://{_hostport(shown, self.port)}/"

    @property
    def query_url(self) -> str:
        return self.url + "query"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (from another thread or a signal handler)."""
        watchdog = threading.Thread(target=self._watch, name="oxigraph-watchdog", daemon=True)
        watchdog.start()
        self.front.serve_forever(poll_interval=0.2)

    def _watch(self) -> None:
        process = self.oxigraph.process
        while not self._stopped:
            if process.poll() is not None:
                if not self._stopped:
                    self.failure = f"the Oxigraph server exited (code {process.returncode})"
                    threading.Thread(target=self.front.shutdown, daemon=True).start()
                return
            time.sleep(0.2)

    def start_background(self) -> Service:
        """Serve from a daemon thread (for notebooks, tests and benchmarks)."""
        self.thread = threading.Thread(
            target=self.serve_forever, name="policygraph-front", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.thread is not None:
            self.front.shutdown()
            self.thread.join(10)
        self.front.server_close()
        self.oxigraph.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_release(
    dist: Path | str = "dist",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    project: Project | None = None,
    build: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    access_log: Emit | None = None,
    emit: Emit | None = _stderr,
    background: bool = True,
) -> Service:
    """Prepare the release and start Oxigraph and the front; serve from a thread unless
    ``background`` is false (then call :meth:`Service.serve_forever`)."""
    from .servers import load_files, start_oxigraph

    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: expected 0 to 65535")
    if timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    manifest = ensure_release(dist, project, build=build, emit=emit)
    dist = Path(dist)
    qs = questions(dist, manifest)
    pages = render_pages(manifest, qs)
    front = Front(host, port, 0, pages, dist, timeout, access_log)  # listen first: fail early
    abandoned = remove_abandoned_folders()
    if abandoned and emit is not None:
        emit(f"removed {len(abandoned)} database folder(s) left by a serve that was killed")
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    oxigraph = None
    try:
        (folder / OWNER_FILE).write_text(f"{os.getpid()}\n", encoding="ascii")
        load_files(folder / "db", database_files(dist, manifest))
        oxigraph = start_oxigraph(
            folder / "db",
            read_only=True,
            extra_args=["--cors", "--timeout-s", str(max(1, round(timeout)))],
            new_session=True,
            # A SIGKILLed serve must not leave Oxigraph running; only the main thread is
            # sure to live as long as the server (the kernel signals when that thread ends).
            die_with_parent=threading.current_thread() is threading.main_thread(),
        )
        front.backend_port = oxigraph.port
        triples = _count(oxigraph.port)
    except BaseException:
        front.server_close()
        if oxigraph is not None:
            oxigraph.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    service = Service(front, oxigraph, folder, manifest, triples, qs)
    return service.start_background() if background else service


FOLDER_PREFIX = "policygraph-serve-"
OWNER_FILE = "serve.pid"  # the PID of the serve process that owns the folder


def remove_abandoned_folders(temp: Path | str | None = None) -> list[Path]:
    """Remove the database folders of serve processes that died without cleaning up.

    A serve removes its folder (a copy of the release's database) when it stops, but a
    SIGKILL or a crash gives it no chance; the next serve removes the folders whose owner's
    PID is no longer running. A folder without an owner file is left alone.
    """
    removed = []
    for folder in sorted(Path(temp or tempfile.gettempdir()).glob(FOLDER_PREFIX + "*")):
        try:
            owner = int((folder / OWNER_FILE).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if owner != os.getpid() and not _running(owner):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:  # a zombie has exited; it only waits for its parent to read its status
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _count(port: int) -> int:
    """Triples in the default graph, asked over HTTP (a check that the load worked)."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        query = quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        connection.request(
            "GET", f"/query?query={query}", headers={"Accept": "application/sparql-results+json"}
        )
        data = json.loads(connection.getresponse().read())
        return int(data["results"]["bindings"][0]["n"]["value"])
    finally:
        connection.close()


class _Stop(Exception):
    """Raised in the main thread by SIGINT (Ctrl-C) or SIGTERM while serving."""


def serve(
    dist: Path | str = "dist",
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    project: Project | None = None,
    build: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    quiet: bool = False,
    out: Emit | None = None,
) -> int:
    """Serve the release until Ctrl-C or SIGTERM; 0 after a clean stop.

    Raises InputError when the release cannot be prepared, the address cannot be bound, or
    Oxigraph exits while serving.
    """
    out = out or (lambda line: print(line, flush=True))
    service = serve_release(
        dist,
        host,
        port,
        project=project,
        build=build,
        timeout=timeout,
        access_log=None if quiet else _stderr,
        background=False,
    )
    previous: dict[int, object] = {}
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        # Handled explicitly: a shell that starts us in the background ignores SIGINT.
        def stop(signum, frame):
            raise _Stop

        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, stop)
    try:
        manifest = service.manifest
        out(
            f"serving policygraph {manifest.version} ({service.triples:,} triples) at {service.url}"
        )
        out(f"  start page     {service.url}")
        out(f"  query editor   {service.url}ui")
        out(f"  SPARQL 1.1     {service.query_url}")
        out(f"  Oxigraph       pid {service.oxigraph.pid}, read-only, database in {service.folder}")
        out("Press Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt, _Stop):
            service.serve_forever()
        failure = service.failure
        if failure:
            log = _tail(service.oxigraph.log)
            failure += f": {log}" if log else ""
    finally:
        with contextlib.suppress(KeyboardInterrupt, _Stop):
            service.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failure:
        raise InputError(failure)
    out("stopped")
    return 0


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][:200] if lines else ""


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "Service",
    "editor_link",
    "editor_text",
    "ensure_release",
    "questions",
    "serve",
    "serve_release",
]

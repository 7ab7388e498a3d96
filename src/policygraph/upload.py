"""Putting a release into any SPARQL 1.1 server through the Graph Store Protocol.

:func:`load_release` replaces the named graph ``--graph`` with the release's entailed
N-Triples (ontology + vocabularies + data + OWL 2 RL entailments, the dump ``release.json``
names), so that the graph ends up holding exactly the release, however often it runs:

1. an HTTP ``PUT`` of the file into a fresh staging graph (``urn:uuid:…``) of the Graph
   Store Protocol endpoint;
2. a SPARQL query counting the staging graph's triples, compared with the manifest;
3. one SPARQL Update ``MOVE <staging> TO <graph>``, which replaces the graph;
4. the count again, now of ``<graph>``.

The graph is only touched in step 3, one update request that the engine runs as one
transaction: a failed or cut upload leaves it as it was (a plain ``PUT`` into the graph
would not on every engine: Virtuoso keeps the triples read before a syntax error). Any
failure removes the staging graph and is an InputError (one line, exit 2); credentials
never appear in a message.

Authentication comes from the environment, as for ``policygraph query --endpoint``:
``POLICYGRAPH_ENDPOINT_USER`` and ``POLICYGRAPH_ENDPOINT_PASSWORD`` with
``POLICYGRAPH_ENDPOINT_AUTH`` = ``basic`` (default) or ``digest`` (Virtuoso), or
``POLICYGRAPH_ENDPOINT_TOKEN`` for a bearer token. Each request is authenticated up front,
after a bodiless request has checked the credentials (a server that refuses them may close
the connection while an upload is still being sent).

HTTP is the standard library's urllib: a PUT, an update and two queries need nothing more.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from . import __version__
from . import namespaces as ns
from .endpoint import ENV_AUTH, ENV_PASSWORD, ENV_TOKEN, ENV_USER, check_url, run_remote
from .errors import InputError
from .queries import Query
from .release import read_manifest

DEFAULT_GRAPH = ns.BASE + "graph/release"
DEFAULT_TIMEOUT = 300.0
MEDIA_TYPE = "application/n-triples"

# The last path segment(s) of a Graph Store endpoint → (query path, update path), per engine.
ENGINE_PATHS = {
    "store": ("query", "update"),  # Oxigraph: /store
    "sparql-graph-crud-auth": ("sparql", "sparql-auth"),  # Virtuoso
    "sparql-graph-crud": ("sparql", "sparql-auth"),  # Virtuoso
    "data": ("sparql", "update"),  # Apache Jena Fuseki: /DATASET/data
    "rdf-graphs/service": ("", "statements"),  # RDF4J, GraphDB: /repositories/ID/rdf-graphs/service
}


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_release` did."""

    endpoint: str
    query_endpoint: str
    update_endpoint: str
    graph: str
    file: Path
    triples: int
    bytes: int
    seconds: float


def engine_endpoints(store_url: str) -> tuple[str, str]:
    """The SPARQL query and update URLs that go with a Graph Store Protocol URL, for the
    engines :data:`ENGINE_PATHS` knows."""
    parts = urlsplit(store_url)
    path = parts.path.rstrip("/")
    for tail, replacements in ENGINE_PATHS.items():
        if path == "/" + tail or path.endswith("/" + tail):
            base = path[: -len(tail)].rstrip("/")
            urls = []
            for replacement in replacements:
                new_path = f"{base}/{replacement}" if replacement else base
                urls.append(urlunsplit((parts.scheme, parts.netloc, new_path or "/", "", "")))
            return urls[0], urls[1]
    raise InputError(
        f"--endpoint {store_url}: cannot tell its SPARQL query and update URLs; "
        "give --query-endpoint and --update-endpoint"
    )


def check_graph(graph: str) -> str:
    try:
        node = ox.NamedNode(graph)
    except ValueError as err:
        raise InputError(f"--graph {graph!r}: not an IRI: {err}") from None
    if ":" not in node.value:
        raise InputError(f"--graph {graph!r}: expected an absolute IRI")
    return node.value


def release_file(dist: Path | str) -> tuple[Path, int]:
    """The entailed N-Triples of the release in ``dist`` and its triple count, checked
    against the manifest's SHA-256 (a file changed since the build is refused)."""
    dist = Path(dist)
    manifest = read_manifest(dist)
    relative = manifest.find("entailed", MEDIA_TYPE)
    info = manifest.files[relative]
    path = dist / relative
    try:
        with path.open("rb") as handle:  # read in chunks: the file can be gigabytes
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    if digest != info.sha256:
        raise InputError(f"{path}: changed since the build (SHA-256 differs from release.json)")
    if info.triples is None:
        raise InputError(f"{dist / 'release.json'}: no triple count for {relative}")
    return path, info.triples


def _credentials() -> tuple[str, str, str] | None:
    """(mode, user, password) from the environment, or None; a bearer token is mode "token"."""
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    if user or password:
        if not (user and password):
            raise InputError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        mode = os.environ.get(ENV_AUTH, "basic").lower()
        if mode not in ("basic", "digest"):
            raise InputError(f"{ENV_AUTH} must be basic or digest")
        return mode, user, password
    token = os.environ.get(ENV_TOKEN)
    return ("token", "", token) if token else None


def _with_graph(url: str, graph: str) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}graph={quote(graph, safe='')}"


def _head(url: str, headers: dict[str, str], timeout: float) -> urllib.error.HTTPError | None:
    """A bodiless request: None when it got past authentication, else the 401 it got."""
    request = urllib.request.Request(url, method="HEAD", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        if err.code == 401:
            return err
        # 404 (no such graph yet), 405, 501 (HEAD not implemented): authentication passed
    return None


def _digest(url: str, method: str, user: str, password: str, timeout: float) -> str | None:
    """An Authorization header for one ``method`` request, from a fresh challenge."""
    refused = _head(url, {}, timeout)
    if refused is None:
        return None  # the endpoint asks for no credentials
    scheme, _, challenge = (refused.headers.get("WWW-Authenticate") or "").partition(" ")
    if scheme.lower() != "digest":
        raise InputError(
            f"endpoint {url}: answers {scheme or 'no'} authentication, not digest "
            f"(unset {ENV_AUTH} for basic)"
        )
    fields = urllib.request.parse_keqv_list(
        [item for item in urllib.request.parse_http_list(challenge) if item]
    )
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    handler = urllib.request.HTTPDigestAuthHandler(passwords)
    answer = handler.get_authorization(urllib.request.Request(url, method=method), fields)
    if answer is None:
        raise InputError(f"endpoint {url}: cannot answer its digest challenge")
    return f"Digest {answer}"


def _authorization(url: str, method: str, timeout: float) -> dict[str, str]:
    """The header that authenticates one ``method`` request to ``url``, checked first with
    bodiless requests: a server that refuses credentials may close the connection while an
    upload is still being sent, and the user would see a broken pipe, not the refusal."""
    credentials = _credentials()
    if credentials is None:
        headers: dict[str, str] = {}
    elif credentials[0] == "token":
        headers = {"Authorization": f"Bearer {credentials[2]}"}
    elif credentials[0] == "basic":
        basic = base64.b64encode(f"{credentials[1]}:{credentials[2]}".encode()).decode("ascii")
        headers = {"Authorization": f"Basic {basic}"}
    else:
        _, user, password = credentials
        check = _digest(url, "HEAD", user, password, timeout)
        if check is not None:
            refused = _head(url, {"Authorization": check}, timeout)
            if refused is not None:
                raise refused
            answer = _digest(url, method, user, password, timeout)
            return {"Authorization": answer} if answer else {}
        return {}
    refused = _head(url, headers, timeout)
    if refused is not None:
        raise refused
    return headers


def _send(url: str, method: str, data: bytes | Path, media_type: str, timeout: float) -> int:
    """One authenticated request with a body (bytes, or a file sent as it is read); the HTTP
    status, or an InputError."""
    where = f"endpoint {url.split('?')[0]}"
    try:
        headers = {
            **_authorization(url, method, timeout),
            "Content-Type": media_type,
            "User-Agent": f"policygraph/{__version__}",
        }
        if isinstance(data, Path):
            with data.open("rb") as body:
                headers["Content-Length"] = str(os.fstat(body.fileno()).st_size)
                return _request(urllib.request.Request(url, body, headers, method=method), timeout)
        return _request(urllib.request.Request(url, data, headers, method=method), timeout)
    except urllib.error.HTTPError as err:
        raise InputError(f"{where}: {_refusal(err)}") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise InputError(f"{where}: no answer within {timeout:g} s") from None
        raise InputError(f"{where}: unreachable ({err.reason})") from None
    except TimeoutError:
        raise InputError(f"{where}: no answer within {timeout:g} s") from None
    except (http.client.HTTPException, OSError) as err:
        raise InputError(f"{where}: the request failed ({type(err).__name__}: {err})") from None


def _request(request: urllib.request.Request, timeout: float) -> int:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()
        return response.status


def put_graph(url: str, graph: str, data: bytes | Path, timeout: float) -> int:
    """Graph Store Protocol: PUT ``data`` (N-Triples; a file is streamed, not read into
    memory) as the whole content of ``graph``."""
    return _send(_with_graph(url, graph), "PUT", data, MEDIA_TYPE, timeout)


def update(url: str, text: str, timeout: float) -> int:
    """SPARQL 1.1 Protocol: run the update ``text`` (sent as ``application/sparql-update``)."""
    return _send(url, "POST", text.encode("utf-8"), "application/sparql-update", timeout)


def _refusal(err: urllib.error.HTTPError) -> str:
    try:
        body = err.read().decode("utf-8", "replace")
    except OSError:
        body = ""
    lines = [line.strip() for line in body.splitlines() if line.strip() and "<" not in line]
    message = f"HTTP {err.code} {err.reason}"
    if err.code == 401:
        challenge = (err.headers.get("WWW-Authenticate") or "").split(" ")[0].lower()
        mode = os.environ.get(ENV_AUTH, "basic").lower()
        if not os.environ.get(ENV_USER) and not os.environ.get(ENV_TOKEN):
            message += f" (set {ENV_USER} and {ENV_PASSWORD})"
        elif not os.environ.get(ENV_USER):
            message += f" (check {ENV_TOKEN})"
        elif mode != "digest" and challenge in ("digest", ""):
            message += (
                f" (check the credentials; if the endpoint uses digest authentication, as "
                f"Virtuoso does, set {ENV_AUTH}=digest)"
            )
        else:
            message += " (check the credentials)"
    elif lines:
        message += f": {lines[0][:200]}"
    return message


def count_triples(query_url: str, graph: str, timeout: float) -> int:
    """How many triples the endpoint's named graph ``graph`` holds."""
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    result = run_remote(query_url, Query(text, "<triple count>"), {}, timeout)
    try:
        return int(float(result.rows[0][0]))
    except (IndexError, TypeError, ValueError):
        raise InputError(f"endpoint {query_url}: no triple count in its answer") from None


def load_release(
    endpoint: str,
    graph: str = DEFAULT_GRAPH,
    dist: Path | str = "dist",
    query_endpoint: str | None = None,
    update_endpoint: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> LoadResult:
    """Replace ``graph`` at the Graph Store endpoint with the release, then verify its size.

    The query and update URLs default to those of the engine the endpoint belongs to
    (:data:`ENGINE_PATHS`).
    """
    check_url(endpoint)
    graph = check_graph(graph)
    if timeout <= 0:
        raise InputError("--timeout must be more than 0 seconds")
    if query_endpoint is None or update_endpoint is None:
        derived_query, derived_update = engine_endpoints(endpoint)
        query_endpoint = query_endpoint or derived_query
        update_endpoint = update_endpoint or derived_update
    query_url, update_url = check_url(query_endpoint), check_url(update_endpoint)
    path, expected = release_file(dist)
    size = path.stat().st_size
    started = time.perf_counter()
    staging = f"urn:uuid:{uuid.uuid4()}"
    try:
        put_graph(endpoint, staging, path, timeout)
        staged = count_triples(query_url, staging, timeout)
        if staged != expected:
            raise InputError(
                f"endpoint {query_url}: the upload holds {staged:,} triples, the release "
                f"{expected:,} (is --query-endpoint the same store?); <{graph}> left as it was"
            )
        update(update_url, f"MOVE <{staging}> TO <{graph}>", timeout)
    except BaseException:
        with contextlib.suppress(InputError):  # the error that matters is the first one
            update(update_url, f"DROP SILENT GRAPH <{staging}>", timeout)
        raise
    counted = count_triples(query_url, graph, timeout)
    seconds = time.perf_counter() - started
    if counted != expected:
        raise InputError(
            f"endpoint {query_url}: graph <{graph}> holds {counted:,} triples after the load, "
            f"the release has {expected:,}"
        )
    return LoadResult(endpoint, query_url, update_url, graph, path, counted, size, seconds)

"""Sending queries to a SPARQL 1.1 endpoint with SPARQLWrapper.

The query is first parsed locally by pyoxigraph exactly as the embedded run would parse it,
so a syntax error reports its line and column and a parameter is checked the same way
whichever store answers. What is sent:

* the query as written when it declares its own prefixes, else the project's ``PREFIX``
  lines followed by the query (the embedded store knows those prefixes);
* parameters as a trailing ``VALUES`` clause of terms serialised by pyoxigraph: user
  text is only ever inside an escaped literal or a validated IRI, so it cannot change
  the query.

Results come back as SPARQL 1.1 JSON (select, ask) or Turtle (construct, describe) and
are parsed by pyoxigraph into the same :class:`~policygraph.queries.QueryResult` the
embedded store gives.

HTTP authentication is read from the environment and never printed:
``POLICYGRAPH_ENDPOINT_USER`` and ``POLICYGRAPH_ENDPOINT_PASSWORD`` (with
``POLICYGRAPH_ENDPOINT_AUTH`` = ``basic``, the default, or ``digest``), or
``POLICYGRAPH_ENDPOINT_TOKEN`` for a bearer token.
"""

from __future__ import annotations

import ast
import http.client
import math
import os
import urllib.error
import warnings
from collections.abc import Mapping
from urllib.parse import urlsplit

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper import SPARQLExceptions as sparql_errors

from . import __version__
from . import namespaces as ns
from .errors import InputError, ParseError
from .queries import Query, QueryResult, Term, check, values_clause

ENV_USER = "POLICYGRAPH_ENDPOINT_USER"
ENV_PASSWORD = "POLICYGRAPH_ENDPOINT_PASSWORD"
ENV_AUTH = "POLICYGRAPH_ENDPOINT_AUTH"
ENV_TOKEN = "POLICYGRAPH_ENDPOINT_TOKEN"

_QUERY_TYPES = {"select": "SELECT", "ask": "ASK", "graph": "CONSTRUCT"}
_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def check_url(url: str) -> str:
    """An http(s) URL without credentials in it (those belong in the environment)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as err:
        raise InputError(f"--endpoint: not a valid URL: {err}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--endpoint {url!r}: expected an http:// or https:// URL")
    if parts.username or parts.password:
        raise InputError(
            f"--endpoint: do not put credentials in the URL; set {ENV_USER} and {ENV_PASSWORD}"
        )
    return url


def prepare(q: Query, params: Mapping[str, Term]) -> tuple[str, str]:
    """The text to send and the query's kind, checked locally first."""
    kind = check(q, params)
    try:
        check(Query(q.text), {}, prefixes=False)
        text = q.text
    except ParseError:  # it relies on the project's prefixes: declare them
        text = ns.sparql_prefixes() + q.text
    if params:
        text += values_clause(params)
        try:
            check(Query(text), {}, prefixes=False)
        except ParseError:
            raise InputError(
                f"{q.origin}: cannot bind parameters for an endpoint: the query ends with "
                "its own VALUES clause"
            ) from None
    return text, kind


def client(url: str, timeout: float) -> SPARQLWrapper:
    sparql = SPARQLWrapper(check_url(url), agent=f"policygraph/{__version__}")
    sparql.setMethod(POST)
    sparql.setTimeout(max(1, math.ceil(timeout)))
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    token = os.environ.get(ENV_TOKEN)
    if user or password:
        if not (user and password):
            raise InputError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        auth = os.environ.get(ENV_AUTH, "basic").upper()
        if auth not in ("BASIC", "DIGEST"):
            raise InputError(f"{ENV_AUTH} must be basic or digest")
        sparql.setHTTPAuth(auth)
        sparql.setCredentials(user, password)
    elif token:
        sparql.addCustomHttpHeader("Authorization", f"Bearer {token}")
    return sparql


def run_remote(
    url: str, q: Query, params: Mapping[str, Term], timeout: float = 30.0
) -> QueryResult:
    """Run ``q`` on the endpoint at ``url``; HTTP and network failures are InputErrors."""
    text, kind = prepare(q, params)
    sparql = client(url, timeout)
    with warnings.catch_warnings():  # SPARQLWrapper warns when it cannot guess the form
        warnings.simplefilter("ignore")
        sparql.setQuery(text)
    sparql.queryType = _QUERY_TYPES[kind]
    sparql.setReturnFormat(TURTLE if kind == "graph" else JSON)
    where = f"endpoint {url}"
    try:
        response = sparql.query().response
        body = response.read()
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    except sparql_errors.SPARQLWrapperException as err:
        raise InputError(f"{where}: {_http_message(err)}") from None
    except urllib.error.HTTPError as err:
        raise InputError(f"{where}: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            raise InputError(f"{where}: no answer within {timeout:g} s") from None
        raise InputError(f"{where}: unreachable ({reason})") from None
    except TimeoutError:
        raise InputError(f"{where}: no answer within {timeout:g} s") from None
    except http.client.HTTPException as err:
        raise InputError(f"{where}: broken HTTP answer ({type(err).__name__})") from None
    except OSError as err:
        raise InputError(f"{where}: unreachable ({err})") from None
    return _parse(where, kind, body, media_type)


def _http_message(err: sparql_errors.SPARQLWrapperException) -> str:
    codes = {
        sparql_errors.QueryBadFormed: "HTTP 400 Bad Request (the endpoint rejected the query)",
        sparql_errors.Unauthorized: "HTTP 401 Unauthorized (check "
        f"{ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN})",
        sparql_errors.EndPointNotFound: "HTTP 404 Not Found (is this the query URL?)",
        sparql_errors.URITooLong: "HTTP 414 URI Too Long",
        sparql_errors.EndPointInternalError: "HTTP 500 Internal Server Error",
    }
    message = codes.get(type(err), type(err).__name__)
    detail = _response_line(err)
    return f"{message}: {detail}" if detail else message


def _response_line(err: Exception) -> str:
    """The first line of the body SPARQLWrapper kept (as a bytes repr) in its message."""
    _, found, body = str(err).partition("Response:\n")
    if not found:
        return ""
    try:
        value = ast.literal_eval(body.strip())
    except (ValueError, SyntaxError):
        return ""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


def _parse(where: str, kind: str, body: bytes, media_type: str) -> QueryResult:
    if kind == "graph":
        fmt = _GRAPH_FORMATS.get(media_type)
        if fmt is None:
            raise InputError(f"{where}: answered {media_type or 'no media type'}, not RDF")
        try:
            triples = [q.triple for q in ox.parse(body, format=fmt)]
        except SyntaxError as err:
            raise InputError(f"{where}: the answer is not valid {fmt.name}: {err}") from None
        return QueryResult.from_triples(triples)
    try:
        return QueryResult.from_json(body)
    except (SyntaxError, ValueError) as err:
        raise InputError(
            f"{where}: the answer is not SPARQL JSON results ({media_type or 'no media type'}):"
            f" {' '.join(str(err).split())[:200]}"
        ) from None

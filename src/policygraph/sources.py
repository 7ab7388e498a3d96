"""Reading RDF files into quads, with errors that say ``file:line:column``.

pyoxigraph parses; its SyntaxError carries the position, which becomes a ParseError
so that the CLI prints one line and exits 2 instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, ParseError

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return FORMATS[path.suffix]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"{path}: unknown RDF file type (expected one of {known})") from None


def parse_file(path: Path, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """All statements of ``path``, moved into ``graph`` (the default graph if None).

    Blank nodes are renamed so that two files never share one by accident.
    """
    path = Path(path)
    fmt = rdf_format(path)
    try:
        parsed = list(ox.parse(path=str(path), format=fmt, rename_blank_nodes=True))
    except SyntaxError as err:
        raise syntax_error(path, err) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from None
    except ValueError as err:
        raise ParseError(path, None, None, str(err)) from None
    target = graph if graph is not None else ox.DefaultGraph()
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]


def parse_files(paths: Iterable[Path], graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    from .progress import bar

    quads: list[ox.Quad] = []
    for path in bar(list(paths), "parse", unit="file"):
        quads.extend(parse_file(path, graph))
    return quads


def syntax_error(path: Path | str | None, err: SyntaxError) -> ParseError:
    """A ParseError at the position pyoxigraph reports, with its message made one line."""
    message = str(err.msg if getattr(err, "msg", None) else err)
    if message.startswith("Parser error between"):
        # "Parser error between line 3 column 11 and line 5 column 1: Unexpected end of file"
        message = message.split(": ", 1)[-1]
    if "LoadDocumentCallback" in message:
        message = (
            "the JSON-LD @context is a URL, and policygraph reads files offline: "
            "put the context object in the file itself"
        )
    return ParseError(path, err.lineno, err.offset, " ".join(message.split()))

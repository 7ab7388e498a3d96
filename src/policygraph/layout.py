"""Where each part of a release lives: file names, and the page of every persistent IRI.

One place decides the names of the files in ``dist/`` (versioned, as in
docs/architecture.md), the persistent IRI each file is published under, and which page
of ``docs/`` describes an IRI, so that the dumps, the dataset description, the pages and
the ``.htaccess`` that maps IRIs onto them never disagree.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from . import namespaces as ns

# Persistent IRIs of the dataset and its published files.
DATASET = ns.BASE + "dataset"
RELEASE = ns.BASE + "release/"

IANA = "https://www.iana.org/assignments/media-types/"
FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation: the suffix of its files, its media type, and its W3C format IRI."""

    suffix: str
    media_type: str
    name: str
    w3c: str  # http://www.w3.org/ns/formats/...
    quads: bool = False
    gzip: bool = False


FORMATS: dict[str, Format] = {
    f.suffix: f
    for f in (
        Format("ttl", "text/turtle", "Turtle", FORMATS_NS + "Turtle"),
        Format("nt", "application/n-triples", "N-Triples", FORMATS_NS + "N-Triples"),
        Format(
            "nt.gz",
            "application/n-triples",
            "N-Triples, gzipped",
            FORMATS_NS + "N-Triples",
            gzip=True,
        ),
        Format("jsonld", "application/ld+json", "JSON-LD", FORMATS_NS + "JSON-LD"),
        Format("rdf", "application/rdf+xml", "RDF/XML", FORMATS_NS + "RDF_XML"),
        Format("trig", "application/trig", "TriG", FORMATS_NS + "TriG", quads=True),
        Format("nq", "application/n-quads", "N-Quads", FORMATS_NS + "N-Quads", quads=True),
    )
}

# Which formats each kind of release file comes in (graph kinds as in release.json).
GRAPH_FORMATS: dict[str, tuple[str, ...]] = {
    "asserted": ("ttl", "nt", "nt.gz", "jsonld", "rdf"),
    "entailed": ("ttl", "nt", "nt.gz", "jsonld", "rdf"),
    "dataset": ("trig", "nq"),
    "ontology": ("ttl", "rdf", "jsonld", "nt"),
    "shapes": ("ttl",),
}

GRAPH_TITLES = {
    "asserted": "ontology, vocabularies and data as written",
    "entailed": "ontology, vocabularies and data with their OWL 2 RL entailments",
    "dataset": "named graphs ontology, data, entailments and shapes",
    "ontology": "the ontology and its controlled vocabularies",
    "shapes": "the SHACL shapes",
}


def file_name(graph: str, suffix: str, version: str) -> str:
    """The path inside ``dist/`` of one release file, e.g. ``policygraph-0.1.0-entailed.ttl``."""
    if graph in ("asserted", "dataset"):
        return f"policygraph-{version}.{suffix}"
    if graph == "entailed":
        return f"policygraph-{version}-entailed.{suffix}"
    if graph == "ontology":
        return f"ontology/policygraph-ontology-{version}.{suffix}"
    if graph == "shapes":
        return f"shapes/policygraph-shapes-{version}.{suffix}"
    raise ValueError(f"unknown release graph {graph!r}")


def release_files(version: str) -> list[tuple[str, str, Format]]:
    """(path, graph, format) of every RDF file of a release, in a stable order."""
    return [
        (file_name(graph, suffix, version), graph, FORMATS[suffix])
        for graph, suffixes in GRAPH_FORMATS.items()
        for suffix in suffixes
    ]


def published_iri(path: str, version: str) -> str:
    """The persistent IRI a release file is downloaded from."""
    return f"{RELEASE}{version}/{path}"


def version_iri(version: str) -> str:
    return f"{ns.ONTOLOGY_IRI}/{version}"


def dataset_iri(version: str) -> str:
    return f"{DATASET}/{version}"


# --- pages ---------------------------------------------------------------

DOCS = "docs"
ONTOLOGY_PAGE = "docs/index.html"
_SAFE_PATH = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")
_PAGED_BASES = (ns.DATA, ns.VOCAB)


def page_stem(iri: str) -> str | None:
    """``docs/id/actor/japan`` for ``https://w3id.org/policygraph/id/actor/japan``.

    Only IRIs under the data and vocabulary bases have pages; None for any other IRI
    or for a path that a static host could not serve as a file.
    """
    for base in _PAGED_BASES:
        if iri.startswith(base):
            path = iri[len(ns.BASE) :]
            if _SAFE_PATH.match(path) and ".." not in path.split("/"):
                return f"{DOCS}/{path}"
    return None


def term_anchor(iri: str) -> str | None:
    """The anchor of an ontology term on the ontology page (``pg:Actor`` -> ``Actor``)."""
    if iri.startswith(ns.PG) and len(iri) > len(ns.PG):
        return iri[len(ns.PG) :]
    return None


def href(iri: str, from_page: str) -> str:
    """A link from the page at ``from_page`` (a dist-relative path) to what describes ``iri``.

    Entities and concepts link to their page, ontology terms to their anchor on the
    ontology page, the ontology itself to that page; anything else to the IRI itself.
    """
    return _href(iri, posixpath.dirname(from_page))


@functools.lru_cache(maxsize=65536)
def _href(iri: str, here: str) -> str:
    stem = page_stem(iri)
    if stem is not None:
        return _relpath(stem + ".html", here)
    anchor = term_anchor(iri)
    if anchor is not None:
        return _relpath(ONTOLOGY_PAGE, here) + "#" + anchor
    if iri == ns.ONTOLOGY_IRI:
        return _relpath(ONTOLOGY_PAGE, here)
    return iri


def _relpath(path: str, here: str) -> str:
    """``posixpath.relpath(path, here)`` for a file's dist-relative path: the relation of
    the two folders is worked out once per pair (a release links tens of thousands of
    pages, kept in a few dozen folders)."""
    folder, name = posixpath.split(path)
    between = _folders_relpath(folder, here)
    return name if between == "." else f"{between}/{name}"


@functools.lru_cache(maxsize=4096)
def _folders_relpath(folder: str, here: str) -> str:
    return posixpath.relpath(folder or ".", here)


def relative(path: str, from_page: str) -> str:
    """A dist-relative ``path`` as seen from the page at ``from_page``."""
    return posixpath.relpath(path, posixpath.dirname(from_page))

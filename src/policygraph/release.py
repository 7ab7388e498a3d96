"""``policygraph build``: the sources become a publishable, citable linked-data release.

The pipeline loads the ontology, the data and the shapes, adds the structural OWL 2 RL
entailments, validates, adds the full entailments (domain and range) and only then
writes ``dist/``: dumps in every format, the ontology and the shapes on their own, the
JSON-LD context, the VoID/DCAT description, the pages and pictures, ``release.json`` and
``SHA256SUMS``. Everything is written into a staging folder that replaces ``dist/``
only when complete, so invalid data or an error leaves the previous release as it was.

The version is ``pyproject.toml``'s; the issued date is the date CHANGELOG.md gives that
version (or, for a project without a changelog, the ontology's ``dcterms:modified``):
nothing in a release depends on the clock, and two builds of the same sources are
byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import layout
from . import namespaces as ns
from .atomic import replace_dir
from .errors import InputError, NotConformingError
from .graph import PARTS, KnowledgeGraph, load
from .progress import bar
from .project import Project, find_project
from .reasoning import entail
from .workers import Job

MANIFEST = "release.json"
CHECKSUMS = "SHA256SUMS"
GRAPH_PARTS: dict[str, tuple[str, ...]] = {
    "asserted": ("ontology", "data"),
    "entailed": ("ontology", "data", "entailments"),
    "dataset": ("ontology", "data", "entailments", "shapes"),
    "ontology": ("ontology",),
    "shapes": ("shapes",),
}


@dataclass(frozen=True)
class FileInfo:
    """One file of a release as ``release.json`` lists it."""

    path: str
    media_type: str
    bytes: int
    sha256: str
    triples: int | None = None
    graph: str | None = None  # asserted|entailed|dataset|ontology|shapes|description


@dataclass(frozen=True)
class Manifest:
    """``release.json``: the version, the issued date and the files of a release."""

    version: str
    issued: str
    files: dict[str, FileInfo]
    pages: int = 0

    def find(self, graph: str, media_type: str) -> str:
        """The path of the file holding ``graph`` in ``media_type`` (uncompressed first)."""
        matches = sorted(
            (info.path.endswith(".gz"), info.path)
            for info in self.files.values()
            if info.graph == graph and info.media_type == media_type
        )
        if not matches:
            raise InputError(f"the release has no {graph} graph as {media_type}")
        return matches[0][1]

    def to_json(self) -> str:
        document = {
            "name": "policygraph",
            "version": self.version,
            "issued": self.issued,
            "pages": self.pages,
            "files": {
                path: {
                    k: v
                    for k, v in (
                        ("media_type", info.media_type),
                        ("bytes", info.bytes),
                        ("sha256", info.sha256),
                        ("triples", info.triples),
                        ("graph", info.graph),
                    )
                    if v is not None
                }
                for path, info in sorted(self.files.items())
            },
        }
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@dataclass
class Release:
    """What ``build`` wrote: where, the manifest, and how long each stage took."""

    out: Path
    manifest: Manifest
    timings: dict[str, float] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def issued(self) -> str:
        return self.manifest.issued

    def path(self, graph: str, media_type: str) -> Path:
        return self.out / self.manifest.find(graph, media_type)


def read_manifest(dist: Path | str = "dist") -> Manifest:
    """The manifest of the release in ``dist`` (a clear error if there is none)."""
    path = Path(dist) / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        files = {
            name: FileInfo(
                path=name,
                media_type=entry["media_type"],
                bytes=int(entry["bytes"]),
                sha256=entry["sha256"],
                triples=entry.get("triples"),
                graph=entry.get("graph"),
            )
            for name, entry in document["files"].items()
        }
        return Manifest(
            version=document["version"],
            issued=document["issued"],
            files=files,
            pages=int(document.get("pages", 0)),
        )
    except FileNotFoundError:
        raise InputError(f"{path}: no release here (run 'policygraph build')") from None
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(f"{path}: not a policygraph release manifest ({err})") from None


# --- what a release says about itself -----------------------------------------


def issued_date(project: Project, version: str, kg: KnowledgeGraph | None = None) -> str:
    """The date of ``version``: CHANGELOG.md's heading for it, else the ontology's modified date."""
    changelog = project.root / "CHANGELOG.md"
    if changelog.is_file():
        text = changelog.read_text(encoding="utf-8")
        heading = re.compile(
            rf"^##\s*\[?{re.escape(version)}\]?\s*[-–—]\s*(\d{{4}}-\d{{2}}-\d{{2}})\s*$", re.M
        )
        match = heading.search(text)
        if match is None:
            raise InputError(
                f"{changelog}: no entry for version {version} "
                f"(add a heading '## [{version}] - YYYY-MM-DD' saying what it changed)"
            )
        return match[1]
    if kg is not None:
        for q in kg.store.quads_for_pattern(
            ox.NamedNode(ns.ONTOLOGY_IRI), ox.NamedNode(ns.DCTERMS + "modified"), None
        ):
            return q.object.value[:10]
    raise InputError(f"{project.root}: no CHANGELOG.md and no dcterms:modified on the ontology")


def metadata(project: Project) -> dict:
    """Title, description and keywords from ``pyproject.toml`` (or the installed package)."""
    pyproject = project.root / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as handle:
            meta = tomllib.load(handle)["project"]
        return {
            "description": meta.get("description", ""),
            "keywords": tuple(meta.get("keywords", ())),
        }
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import metadata as installed

    try:
        meta = installed("policygraph")
    except PackageNotFoundError:
        return {"description": "", "keywords": ()}
    return {
        "description": meta.get("Summary", ""),
        "keywords": tuple(k for k in (meta.get("Keywords") or "").split(",") if k),
    }


def stamp_version(kg: KnowledgeGraph, version: str) -> None:
    """Give the ontology the release's ``owl:versionIRI`` and ``owl:versionInfo``."""
    ontology = ox.NamedNode(ns.ONTOLOGY_IRI)
    graph = PARTS["ontology"]
    for predicate in (ns.OWL + "versionIRI", ns.OWL + "versionInfo"):
        for quad in list(
            kg.store.quads_for_pattern(ontology, ox.NamedNode(predicate), None, graph)
        ):
            kg.store.remove(quad)
    kg.store.extend(
        [
            ox.Quad(
                ontology,
                ox.NamedNode(ns.OWL + "versionIRI"),
                ox.NamedNode(layout.version_iri(version)),
                graph,
            ),
            ox.Quad(ontology, ox.NamedNode(ns.OWL + "versionInfo"), ox.Literal(version), graph),
        ]
    )


# --- the pipeline ---------------------------------------------------------------


class _Stages:
    """Times each stage and prints one line for it (unless quiet)."""

    def __init__(self, quiet: bool, emit: Callable[[str], None] | None = None):
        self.quiet = quiet
        self.emit = emit or (lambda line: print(line, file=sys.stderr, flush=True))
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[list[str]]:
        notes: list[str] = []
        started = time.perf_counter()
        yield notes
        seconds = time.perf_counter() - started
        self.timings[name] = seconds
        if not self.quiet:
            self.emit(f"  {name:<10} {seconds:6.2f} s  {'; '.join(notes)}".rstrip())


def validate_stage(
    kg: KnowledgeGraph,
    engine: str | None = None,
    data: Sequence[Path | str] | None = None,
):
    """Validate with the shapes, and every quote against the source texts when they are
    there, looked for as ``policygraph validate`` does (a ``sources/`` folder beside the
    data folders given, then the project's): a release never cites a misquote."""
    from .validation import source_folders, validate_with_quotes

    return validate_with_quotes(kg, engine or "rudof", source_folders(kg.project, data))


def build(
    project: Project | None = None,
    data: Sequence[Path | str] | None = None,
    out: Path | str = "dist",
    quiet: bool = False,
    *,
    sparql_endpoint: str | None = None,
    site_url: str | None = None,
    engine: str | None = None,
    reasoner: str = "rules",
    emit: Callable[[str], None] | None = None,
) -> Release:
    """Build the release of ``project`` (default: the one here) into ``out``.

    Raises ParseError (exit 2) for a syntax error, NotConformingError (exit 1, with the
    validation report) when the data does not conform; ``out`` is then left untouched.
    """
    from . import dumps
    from .docs import Site
    from .void import DatasetInfo, Distribution, describe

    project = project or find_project()
    stage = _Stages(quiet, emit)
    started = time.perf_counter()
    out = Path(out)

    with stage("load") as notes:
        kg = load(project, data=data)
        version = project.version
        issued = issued_date(project, version, kg)
        stamp_version(kg, version)
        files = sum(len(f) for f in kg.files.values())
        notes.append(f"{len(kg.store):,} triples from {files} files; version {version} of {issued}")
    with stage("entail") as notes:
        added = entail(kg, reasoner=reasoner, profile="structural").added
        notes.append(f"{added:,} structural entailments")
    with stage("validate") as notes:
        report = validate_stage(kg, engine, data)
        if not report.conforms():
            count = len(report.results)
            raise NotConformingError(
                f"the data does not conform to the shapes ({count} result"
                f"{'s' if count != 1 else ''}); {out} left as it was",
                report=report,
            )
        notes.append("conforms")
    with stage("entail") as notes:
        added = entail(kg, reasoner=reasoner, profile="full").added
        notes.append(f"{added:,} more with domain and range")
        dataset = dumps.canonical_dataset(kg)
        triples = {part: kg.size(part) for part in PARTS}
        kg = report = None  # the canonical dataset is all the rest needs: free the store

    with replace_dir(out) as staging:
        written: dict[str, FileInfo] = {}

        def write(path: str, data: bytes, media_type: str, graph=None, count=None) -> FileInfo:
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            info = FileInfo(
                path, media_type, len(data), hashlib.sha256(data).hexdigest(), count, graph
            )
            written[path] = info
            return info

        with stage("dumps") as notes:
            statements = {
                graph: (
                    dumps.quads_of(dataset, parts)
                    if graph == "dataset"
                    else dumps.triples_of(dataset, parts)
                )
                for graph, parts in GRAPH_PARTS.items()
            }
            context = dumps.jsonld_context(statements["entailed"])
            files = layout.release_files(version)
            graph_of = {path: graph for path, graph, _ in files}

            # JSON-LD (rdflib) and the entity pages (Jinja2) run beside the rest, JSON-LD first
            def jsonld(graphs: tuple[str, ...]) -> Job:
                return Job(
                    lambda: {
                        path: dumps.serialize(statements[graph], fmt, context)
                        for path, graph, fmt in files
                        if fmt.suffix == "jsonld" and graph in graphs
                    }
                )

            jsonld_jobs = [jsonld(("entailed",)), jsonld(("asserted", "ontology"))]
            # One site, its index of the graph built once while the JSON-LD workers run: the
            # entity pages (thousands of small files) in a process of their own that inherits
            # it; this process renders the rest once the dumps are written (``files`` fills in
            # as they are).
            site = Site(
                dataset,
                version=version,
                issued=issued,
                files=written,
                site_url=site_url,
                sparql_endpoint=sparql_endpoint,
            )
            pages_job = Job(lambda: site.write_entity_files(staging))
            for path, graph, fmt in bar(files, "dumps", unit="file"):
                if fmt.suffix != "jsonld":
                    write(
                        path,
                        dumps.serialize(statements[graph], fmt),
                        fmt.media_type,
                        graph,
                        len(statements[graph]),
                    )
            write("context.jsonld", dumps.context_document(context), "application/ld+json")
            for path, data, media_type in site.assets():
                write(path, data, media_type)
            queries = project.query_files()
            for query in queries:
                write(f"queries/{query.name}", query.read_bytes(), "application/sparql-query")
            for job in jsonld_jobs:
                for path, data in job.result().items():
                    write(
                        path,
                        data,
                        "application/ld+json",
                        graph_of[path],
                        len(statements[graph_of[path]]),
                    )
            notes.append(f"{len(files)} files")
        with stage("describe") as notes:
            meta = metadata(project)
            info = DatasetInfo(
                version=version,
                issued=issued,
                title=f"policygraph {version}: a knowledge graph of EU–Japan security cooperation",
                description=meta["description"],
                keywords=meta["keywords"],
                sparql_endpoint=sparql_endpoint,
            )
            distributions = [
                Distribution(
                    path,
                    graph,
                    fmt,
                    written[path].triples,
                    written[path].bytes,
                    written[path].sha256,
                )
                for path, graph, fmt in files
            ]
            description = describe(dataset, info, distributions)
            write(
                "void.ttl",
                description,
                "text/turtle",
                "description",
                len(list(ox.parse(description, format=ox.RdfFormat.TURTLE))),
            )
            notes.append(
                "void.ttl, context.jsonld" + (f", {len(queries)} queries" if queries else "")
            )
        with stage("docs") as notes:
            write(layout.ONTOLOGY_PAGE, site.ontology_page().encode(), "text/html")
            pages = pages_job.result() + 1
            notes.append(f"{pages} pages, timeline.svg, network.svg, .htaccess")

        manifest = Manifest(version=version, issued=issued, files=dict(written), pages=pages)
        (staging / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        (staging / CHECKSUMS).write_text(checksums(staging), encoding="utf-8")

    total = time.perf_counter() - started
    stage.timings["total"] = total
    if not quiet:
        stage.emit(f"wrote {out}/ ({len(written)} listed files, {pages} pages) in {total:.2f} s")
    return Release(out=out.resolve(), manifest=manifest, timings=stage.timings, triples=triples)


def checksums(folder: Path) -> str:
    """``sha256sum``-style lines for every file under ``folder`` but SHA256SUMS, sorted."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == CHECKSUMS:
            continue
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {relative}\n")
    return "".join(lines)

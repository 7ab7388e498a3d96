"""Finding the shapes' constraints and their fixtures, and validating a fixture.

A fixture is ``tests/shapes/<ShapeLocalName>/<constraint>.invalid.ttl`` with a valid
counterpart ``<constraint>.valid.ttl``; ``<constraint>`` is the local name of the SHACL
parameter (``minCount``, ``datatype``, ``sparql``…). The invalid file's header says which
results it must produce, one line each::

    # expect: <focus> <path or -> <constraint component> [<shape>]

where the shape defaults to the fixture's own (its folder); focus, path and shape are
prefixed names (with the file's own prefixes) or IRIs; and a focus ``[subject predicate]``
is the blank node that triple points to. Each fixture is validated together with the
ontology and ``tests/shapes/base.ttl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from policygraph import namespaces as ns
from policygraph.graph import PARTS, KnowledgeGraph
from policygraph.project import Project
from policygraph.reasoning import entail
from policygraph.sources import parse_file, parse_files
from policygraph.validation import validate_graph

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "shapes"
BASE = FIXTURES / "base.ttl"

# Parameters of SHACL Core constraint components (and sh:sparql), by local name.
PARAMETERS = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "closed",
    "hasValue",
    "in",
    "sparql",
]

_EXPECT = re.compile(r"^#\s*expect:\s*(\[[^\]]*\]|\S+)\s+(\S+)\s+(\S+)(?:\s+(\S+))?\s*$")
_PREFIX = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    shape: str  # local name in pgsh:
    constraint: str  # parameter local name
    invalid: Path
    valid: Path

    @property
    def id(self) -> str:
        return f"{self.shape}/{self.constraint}"


def required_fixtures(project: Project) -> list[tuple[str, str]]:
    """(shape, constraint) for every constraint of a targeted shape or its property shapes."""
    store = ox.Store()
    store.extend(parse_files(project.shapes_files()))
    sh = ns.SH
    targeted = f"""
    PREFIX sh: <{sh}>
    SELECT DISTINCT ?node WHERE {{
      ?node a sh:NodeShape .
      FILTER EXISTS {{
        VALUES ?target {{ sh:targetClass sh:targetNode sh:targetSubjectsOf sh:targetObjectsOf }}
        ?node ?target ?any
      }}
    }}
    """
    shapes = set()
    for row in store.query(targeted):
        shapes.add(row["node"])
        for q in store.quads_for_pattern(row["node"], ox.NamedNode(sh + "property"), None):
            shapes.add(q.object)
    found = set()
    for shape in shapes:
        assert isinstance(shape, ox.NamedNode), f"shapes must be named: {shape}"
        for q in store.quads_for_pattern(shape, None, None):
            parameter = q.predicate.value.removeprefix(sh)
            if q.predicate.value.startswith(sh) and parameter in PARAMETERS:
                found.add((shape.value.removeprefix(ns.PGSH), parameter))
    return sorted(found)


def cases() -> list[Case]:
    found = []
    for invalid in sorted(FIXTURES.glob("*/*.invalid.ttl")):
        constraint = invalid.name.removesuffix(".invalid.ttl")
        found.append(
            Case(
                invalid.parent.name,
                constraint,
                invalid,
                invalid.with_name(f"{constraint}.valid.ttl"),
            )
        )
    return found


def prefixes(path: Path) -> dict[str, str]:
    found = dict(ns.PREFIXES)
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PREFIX.match(line)
        if match:
            found[match.group(1) or ""] = match.group(2)
    return found


def expand(name: str, known: dict[str, str]) -> str:
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    if prefix not in known:
        raise ValueError(f"unknown prefix in {name!r}")
    return known[prefix] + local


def expectations(path: Path) -> list[tuple[str, str, str, str | None]]:
    """The (focus, path, component, shape) lines of a fixture's header, as written."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.append(match.groups())
    return found


@cache
def _fixed_quads(root: Path) -> tuple[list[ox.Quad], dict[str, list[Path]]]:
    project = Project(root)
    files = {"ontology": project.ontology_files(), "shapes": project.shapes_files()}
    quads = []
    for part, paths in files.items():
        quads.extend(parse_files(paths, PARTS[part]))
    return quads, files


@cache
def load_fixture(path: Path | None, project_root: Path = ROOT) -> KnowledgeGraph:
    """Ontology + shapes of the project, and ``base.ttl`` + ``path`` as data, entailed.

    One graph per fixture for the session (do not modify it): the shape tests and the
    agreement test must see the same blank nodes, whichever runs first.
    """
    quads, files = _fixed_quads(project_root)
    kg = KnowledgeGraph(project=Project(project_root))
    kg.store.extend(quads)
    data = [BASE] if path is None else [BASE, path]
    kg.files = {**files, "data": data}
    for file in data:
        kg.store.extend(parse_file(file, PARTS["data"]))
    entail(kg, profile="structural")
    return kg


_REPORTS: dict[Path, object] = {}


def validate_fixture(path: Path, engine: str = "rudof", kg: KnowledgeGraph | None = None):
    """Validate a fixture; rudof's reports are kept for the session (the agreement test
    compares pyshacl with them rather than running rudof again)."""
    if engine == "rudof" and path in _REPORTS:
        return _REPORTS[path]
    kg = kg if kg is not None else load_fixture(path)
    assert kg is load_fixture(path), "validate a fixture's own session graph"
    report = validate_graph(kg, engine=engine)
    if engine == "rudof":
        _REPORTS[path] = report
    return report


def resolve_focus(kg: KnowledgeGraph, text: str, known: dict[str, str]) -> str:
    """An expected focus as a result key: an IRI, or ``_:id`` for ``[subject predicate]``."""
    if text.startswith("["):
        subject, predicate = text[1:-1].split()
        objects = [
            q.object
            for q in kg.store.quads_for_pattern(
                ox.NamedNode(expand(subject, known)),
                ox.NamedNode(expand(predicate, known)),
                None,
                PARTS["data"],
            )
        ]
        if len(objects) != 1:
            raise ValueError(f"{text} must point to exactly one node, found {len(objects)}")
        node = objects[0]
        return f"_:{node.value}" if isinstance(node, ox.BlankNode) else node.value
    return expand(text, known)

"""Validation reports: results a person can act on, in text, JSON, JUnit XML or GitHub
workflow annotations.

A :class:`Result` names the focus node (with its label, or for a blank node the triple
that points to it), the property path, the offending value, the constraint component,
the severity, a message written for people, and the shape. ``conforms(fail_on)`` sets
which severity fails: ``violation`` (default), ``warning`` (warnings fail too) or ``info``
(any result fails).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import namespaces as ns

SEVERITIES = ("Violation", "Warning", "Info")
FAIL_ON = ("violation", "warning", "info")
FORMATS = ("text", "json", "junit", "github")
_RANK = {"Violation": 0, "Warning": 1, "Info": 2}

# Longest namespace first, so that "status:" wins over "vocab:".
_NAMESPACES = sorted(
    ((iri, prefix) for prefix, iri in ns.PREFIXES.items()), key=lambda item: -len(item[0])
)


def compact(iri: str | None) -> str:
    """A prefixed name for an IRI the project knows a prefix for, else ``<iri>``."""
    if iri is None:
        return "-"
    if iri.startswith("_:") or iri.startswith('"'):
        return iri
    for namespace, prefix in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def compact_path(path: str | None) -> str:
    if path is None:
        return "-"
    if "<" not in path:
        return compact(path)
    out, rest = [], path
    while "<" in rest:
        before, _, after = rest.partition("<")
        iri, _, rest = after.partition(">")
        out.append(before + compact(iri))
    return "".join(out) + rest


def compact_value(value: str | None) -> str:
    """Literals keep their N-Triples form with the datatype compacted; IRIs are compacted."""
    if value is None:
        return "-"
    if value.startswith('"'):
        if value.endswith(">") and '"^^<' in value:
            lexical, _, datatype = value.rpartition("^^<")
            short = compact(datatype[:-1])
            return lexical if short == "xsd:string" else f"{lexical}^^{short}"
        return value
    return compact(value)


def component_name(component: str) -> str:
    """``sh:MinCountConstraintComponent`` → ``sh:minCount``, the parameter a person wrote."""
    short = compact(component)
    if short.startswith("sh:") and short.endswith("ConstraintComponent"):
        name = short[3 : -len("ConstraintComponent")]
        return "sh:" + (name if name == "SPARQL" else name[0].lower() + name[1:])
    if short.endswith("Component"):
        return short[: -len("Component")]
    return short


@dataclass
class Result:
    """One validation result."""

    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    message: str
    shape: str | None
    focus_label: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def sort_key(self):
        return (
            _RANK.get(self.severity, 3),
            self.file or "~",
            self.line or 0,
            self.focus,
            self.path or "",
            self.component,
            self.value or "",
            self.shape or "",
        )

    @property
    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}:{self.column}"

    def node_text(self) -> str:
        """The focus node as a person reads it: prefixed name and label."""
        if self.focus.startswith("_:"):
            return self.focus_label or "a blank node"
        name = compact(self.focus)
        return f'{name} "{self.focus_label}"' if self.focus_label else name


@dataclass
class ValidationReport:
    """The results of one validation run, with what was validated and how."""

    results: list[Result]
    engine: str
    files: dict[str, list[str]] = field(default_factory=dict)
    triples: int = 0
    engine_conforms: bool = True
    seconds: float = 0.0
    note: str | None = None
    checked_quotes: bool = False
    shapes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ verdict

    def conforms(self, fail_on: str = "violation") -> bool:
        """True when no result is at least as severe as ``fail_on``."""
        return not self.failing(fail_on)

    def failing(self, fail_on: str = "violation") -> list[Result]:
        limit = _threshold(fail_on)
        return [r for r in self.results if _RANK.get(r.severity, 0) <= limit]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    def summary(self, fail_on: str = "violation") -> str:
        counts = self.counts()
        verdict = "conforms" if self.conforms(fail_on) else "does not conform"
        nodes = len({r.focus for r in self.results})
        parts = ", ".join(
            f"{n} {name.lower()}{'' if n == 1 else 's'}" for name, n in counts.items()
        )
        data_files = len(self.files.get("data", []))
        return (
            f"{verdict} (fail on {fail_on}): {parts} on {nodes} node{'' if nodes == 1 else 's'}; "
            f"{self.triples:,} triples from {data_files} data file{'' if data_files == 1 else 's'}"
            f" checked by {self.engine} in {self.seconds:.2f} s"
        )

    # ------------------------------------------------------------------ context

    def bind(self, kg) -> None:
        """Fill in labels, descriptions of blank nodes and file locations from the graph."""
        from .locate import Locator

        describer = _Describer(kg)
        locator = Locator(kg.files.get("data", []) + kg.files.get("ontology", []))
        cwd = Path.cwd()
        for result in self.results:
            result.focus_label = describer.label(result.focus)
            anchor = describer.anchor(result.focus)
            found = locator.find(anchor) if anchor else None
            if found:
                path, result.line, result.column = found
                result.file = _relative(path, cwd)
        self.shapes = describer.shapes()

    # ------------------------------------------------------------------ rendering

    def render(self, fmt: str = "text", fail_on: str = "violation") -> str:
        _threshold(fail_on)
        if fmt == "text":
            return _render_text(self, fail_on)
        if fmt == "json":
            return _render_json(self, fail_on)
        if fmt == "junit":
            return _render_junit(self, fail_on)
        if fmt == "github":
            return _render_github(self, fail_on)
        from .errors import InputError

        raise InputError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


def _threshold(fail_on: str) -> int:
    try:
        return FAIL_ON.index(fail_on)
    except ValueError:
        from .errors import InputError

        raise InputError(
            f"unknown severity {fail_on!r} for --fail-on (choose from {', '.join(FAIL_ON)})"
        ) from None


def _relative(path: str, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd) if Path(path).is_absolute() else path
    except ValueError:  # another drive on Windows
        return path


# --- Labels and descriptions --------------------------------------------------------------


class _Describer:
    """Labels of nodes and phrases for blank nodes, read from the graph."""

    LABELS = (ns.RDFS + "label", ns.SKOS + "prefLabel", ns.FOAF + "name", ns.DCTERMS + "title")

    def __init__(self, kg):
        import pyoxigraph as ox

        self.ox = ox
        self.kg = kg

    def _node(self, key: str):
        ox = self.ox
        return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key)

    def _objects(self, subject, predicate: str):
        from .graph import PARTS

        for part in ("data", "ontology"):
            for q in self.kg.store.quads_for_pattern(
                subject, self.ox.NamedNode(predicate), None, PARTS[part]
            ):
                yield q.object

    def label(self, key: str, depth: int = 0) -> str:
        if key.startswith('"'):
            return ""
        node = self._node(key)
        if key.startswith("_:"):
            return self._describe_blank(node, depth)
        for predicate in self.LABELS:
            fallback = None
            for obj in self._objects(node, predicate):
                if isinstance(obj, self.ox.Literal):
                    if obj.language == "en":
                        return obj.value
                    fallback = fallback or obj.value
            if fallback:
                return fallback
        return ""

    def _incoming(self, node):
        from .graph import PARTS

        for part in ("data", "ontology", "entailments"):
            for q in self.kg.store.quads_for_pattern(None, None, node, PARTS[part]):
                return q.subject, q.predicate
        return None

    def _describe_blank(self, node, depth: int) -> str:
        found = self._incoming(node)
        if found is None or depth > 4:
            return "a blank node"
        subject, predicate = found
        phrase = self._predicate_phrase(predicate.value)
        if isinstance(subject, self.ox.BlankNode):
            return f"{phrase} of {self._describe_blank(subject, depth + 1)}"
        return f"{phrase} of {compact(subject.value)}"

    def _predicate_phrase(self, iri: str) -> str:
        label = self.label(iri, 5)
        if not label:
            local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            label = "".join(f" {c.lower()}" if c.isupper() else c for c in local).strip()
        return label.removeprefix("has ")

    def anchor(self, key: str, depth: int = 0) -> str | None:
        """The IRI whose block holds this node: itself, or for a blank node its parent's."""
        if not key.startswith("_:"):
            return None if key.startswith('"') else key
        found = self._incoming(self._node(key))
        if found is None or depth > 4:
            return None
        subject = found[0]
        if isinstance(subject, self.ox.BlankNode):
            return self.anchor(f"_:{subject.value}", depth + 1)
        return subject.value

    def shapes(self) -> list[str]:
        query = """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT DISTINCT ?shape WHERE {
          { ?shape a sh:NodeShape } UNION { ?shape a sh:PropertyShape } UNION { ?shape sh:path ?p }
          FILTER(isIRI(?shape))
        } ORDER BY ?shape
        """
        return [row["shape"].value for row in self.kg.query(query, parts=("shapes",))]


# --- Formats -------------------------------------------------------------------------------


def _render_text(report: ValidationReport, fail_on: str) -> str:
    lines: list[str] = []
    groups: dict[str, list[Result]] = {}
    for result in report.results:
        groups.setdefault(result.focus, []).append(result)
    for results in groups.values():
        first = results[0]
        head = first.node_text()
        lines.append(f"{first.where}: {head}" if first.where else head)
        for r in results:
            value = f" = {compact_value(r.value)}" if r.value is not None else ""
            lines.append(f"  {r.severity:<9} {compact_path(r.path)}{value}")
            lines.append(f"            {r.message}")
            shape = compact(r.shape) if r.shape else "-"
            lines.append(f"            [{component_name(r.component)} in {shape}]")
        lines.append("")
    if report.note:
        lines.append(f"note: {report.note}")
    lines.append(report.summary(fail_on))
    return "\n".join(lines) + "\n"


def _render_json(report: ValidationReport, fail_on: str) -> str:
    document = {
        "conforms": report.conforms(fail_on),
        "fail_on": fail_on,
        "counts": report.counts(),
        "engine": report.engine,
        "triples": report.triples,
        "files": report.files,
        "checked_quotes": report.checked_quotes,
        "results": [asdict(r) for r in report.results],
    }
    if report.note:
        document["note"] = report.note
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _render_junit(report: ValidationReport, fail_on: str) -> str:
    """One test case per shape; it fails when a result at the failing severity names it."""
    import xml.etree.ElementTree as ET

    limit = _threshold(fail_on)
    by_shape: dict[str, list[Result]] = {}
    for result in report.results:
        by_shape.setdefault(result.shape or "(no shape)", []).append(result)
    shapes = list(dict.fromkeys([*report.shapes, *by_shape]))
    failures = 0
    suite = ET.Element("testsuite", name="policygraph validate", hostname=report.engine)
    for shape in shapes:
        results = by_shape.get(shape, [])
        case = ET.SubElement(suite, "testcase", classname="policygraph.shapes", name=compact(shape))
        failing = [r for r in results if _RANK.get(r.severity, 0) <= limit]
        passing = [r for r in results if r not in failing]
        if failing:
            failures += 1
            first = failing[0]
            if first.file:
                case.set("file", first.file)
                case.set("line", str(first.line))
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(failing)} result(s): {first.message}",
                type=component_name(first.component),
            )
            failure.text = "\n".join(_one_line(r) for r in failing)
        if passing:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(_one_line(r) for r in passing)
    suite.set("tests", str(len(shapes)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", f"{report.seconds:.3f}")
    root = ET.Element(
        "testsuites",
        name="policygraph validate",
        tests=str(len(shapes)),
        failures=str(failures),
        errors="0",
        time=f"{report.seconds:.3f}",
    )
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _one_line(r: Result) -> str:
    where = f"{r.where}: " if r.where else ""
    value = f" = {compact_value(r.value)}" if r.value is not None else ""
    return (
        f"{where}{r.severity}: {r.node_text()} {compact_path(r.path)}{value}: {r.message} "
        f"[{component_name(r.component)} in {compact(r.shape) if r.shape else '-'}]"
    )


def _render_github(report: ValidationReport, fail_on: str) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,title=…::message``."""
    limit = _threshold(fail_on)
    lines = []
    for r in report.results:
        failing = _RANK.get(r.severity, 0) <= limit
        level = "error" if failing else ("warning" if r.severity != "Info" else "notice")
        props = []
        if r.file:
            props += [f"file={_gh_property(r.file)}", f"line={r.line}", f"col={r.column}"]
        title = f"{r.severity}: {compact(r.shape) if r.shape else component_name(r.component)}"
        props.append(f"title={_gh_property(title)}")
        value = f" = {compact_value(r.value)}" if r.value is not None else ""
        text = f"{r.node_text()} {compact_path(r.path)}{value}: {r.message}"
        lines.append(f"::{level} {','.join(props)}::{_gh_data(text)}")
    lines.append(f"::notice title=policygraph validate::{_gh_data(report.summary(fail_on))}")
    return "\n".join(lines) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")

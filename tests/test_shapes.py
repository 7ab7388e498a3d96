"""The shapes: every constraint has a failing fixture that produces exactly the expected
results and a passing counterpart that conforms; the shapes file is documented and covers
every class the data can hold."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from policygraph import namespaces as ns
from policygraph.graph import load
from policygraph.project import Project
from policygraph.validation import validate_graph
from tests.shapes_support import (
    FIXTURES,
    ROOT,
    cases,
    expand,
    expectations,
    load_fixture,
    prefixes,
    required_fixtures,
    resolve_focus,
    validate_fixture,
)

CASES = cases()
SH = ns.SH


def _found(report) -> Counter:
    return Counter((r.focus, r.path, r.component, r.shape) for r in report.results)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_invalid_fixture_gives_exactly_the_expected_results(case):
    expected_lines = expectations(case.invalid)
    assert expected_lines, f"{case.invalid}: no '# expect:' line"
    kg = load_fixture(case.invalid)
    known = prefixes(case.invalid)
    expected = Counter()
    for focus, path, component, shape in expected_lines:
        expected[
            (
                resolve_focus(kg, focus, known),
                None if path == "-" else expand(path, known),
                expand(component, known),
                expand(shape, known) if shape else ns.PGSH + case.shape,
            )
        ] += 1
    found = _found(validate_graph(kg, engine="rudof"))
    if found != expected:
        missing = "\n".join(f"  missing: {k}" for k in expected - found)
        extra = "\n".join(f"  unexpected: {k}" for k in found - expected)
        pytest.fail(f"{case.invalid.relative_to(ROOT)}\n{missing}\n{extra}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_valid_counterpart_conforms(case):
    assert case.valid.is_file(), f"{case.valid}: the valid counterpart is missing"
    report = validate_fixture(case.valid)
    assert not report.results, "\n".join(
        f"{r.focus} {r.path} {r.component} {r.shape}: {r.message}" for r in report.results
    )


def test_base_of_the_fixtures_conforms():
    report = validate_graph(load_fixture(None))
    assert report.results == []


def test_every_constraint_has_a_fixture(project):
    have = {(c.shape, c.constraint) for c in CASES}
    missing = [f"{shape}/{constraint}" for shape, constraint in required_fixtures(project)]
    missing = [m for m in missing if tuple(m.split("/")) not in have]
    assert not missing, (
        f"constraints without a fixture in {FIXTURES.relative_to(ROOT)}/:\n  " + "\n  ".join(missing)
    )


def test_every_fixture_names_an_existing_constraint(project):
    known = set(required_fixtures(project))
    stray = [c.id for c in CASES if (c.shape, c.constraint) not in known]
    assert not stray, f"fixtures for constraints the shapes do not have: {stray}"


def test_the_fixture_check_can_fail(tmp_path):
    """A constraint without a fixture is reported: a shapes file with one more constraint."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "shapes").mkdir()
    for f in (ROOT / "ontology").iterdir():
        (tmp_path / "ontology" / f.name).write_bytes(f.read_bytes())
    text = (ROOT / "shapes" / "policygraph-shapes.ttl").read_text(encoding="utf-8")
    text += "\npgsh:Extra-shape a sh:NodeShape ; sh:targetClass pg:Event ; sh:closed true .\n"
    (tmp_path / "shapes" / "policygraph-shapes.ttl").write_text(text, encoding="utf-8")
    required = required_fixtures(Project(tmp_path))
    assert ("Extra-shape", "closed") in required


# --- The shapes file itself ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_store(project):
    kg = load(project, data=[], shapes=True)
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in kg.quads(("shapes",)))
    return store


def _values(store, subject, predicate):
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def test_shapes_file_has_a_header(shapes_store, project):
    header = ox.NamedNode(ns.SHAPES_IRI)
    assert ox.NamedNode(ns.OWL + "Ontology") in _values(shapes_store, header, ns.RDF + "type")
    assert _values(shapes_store, header, ns.DCTERMS + "title")
    (version,) = _values(shapes_store, header, ns.OWL + "versionInfo")
    assert version.value == project.version
    (version_iri,) = _values(shapes_store, header, ns.OWL + "versionIRI")
    assert version_iri.value == f"{ns.SHAPES_IRI}/{project.version}"


def test_every_property_shape_has_a_name_and_a_message(shapes_store):
    problems = []
    for shape, _ in {(s, c) for s, c in required_fixtures(Project(ROOT))}:
        node = ox.NamedNode(ns.PGSH + shape)
        if not _values(shapes_store, node, SH + "path"):
            continue
        if not _values(shapes_store, node, SH + "name"):
            problems.append(f"{shape}: no sh:name")
        messages = [m for m in _values(shapes_store, node, SH + "message") if m.language == "en"]
        if len(messages) != 1:
            problems.append(f"{shape}: {len(messages)} English sh:message")
        elif "{" in messages[0].value:
            problems.append(f"{shape}: core constraint messages are not templates")
    assert not problems, "\n".join(problems)


def test_every_sparql_shape_has_one_constraint_with_a_message_and_its_prefixes(shapes_store):
    for q in shapes_store.quads_for_pattern(None, ox.NamedNode(SH + "sparql"), None):
        shape = q.subject
        assert len(_values(shapes_store, shape, SH + "sparql")) == 1, shape
        (select,) = _values(shapes_store, q.object, SH + "select")
        assert _values(shapes_store, q.object, SH + "message"), shape
        for prefix in set(
            p for p in ("pg", "rdf", "rdfs", "owl", "oa", "dcterms", "org", "time", "qudt")
            if f" {p}:" in select.value or f"({p}:" in select.value or f"/{p}:" in select.value
        ):
            assert f"PREFIX {prefix}:" in select.value, f"{shape}: declare PREFIX {prefix}:"


DATA_CLASSES_OUTSIDE_PG = ["foaf:Person", "org:Membership", "time:ProperInterval", "time:Instant",
                           "oa:TextQuoteSelector", "doco:Section", "skos:Concept",
                           "skos:ConceptScheme", "org:Role", "qudt:Unit"]


def test_every_class_data_can_hold_has_a_shape_named_after_it(shapes_store, project):
    onto = load(project, data=[], shapes=False)
    classes = [
        row["c"].value
        for row in onto.query(
            "SELECT ?c WHERE { ?c a owl:Class . FILTER(STRSTARTS(STR(?c), STR(pg:))) }"
        )
    ]
    classes += [expand(c, ns.PREFIXES) for c in DATA_CLASSES_OUTSIDE_PG]
    missing = []
    for iri in classes:
        local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        shape = ox.NamedNode(f"{ns.PGSH}{local}Shape")
        if ox.NamedNode(iri) not in _values(shapes_store, shape, SH + "targetClass"):
            missing.append(f"{iri} (expected pgsh:{local}Shape with sh:targetClass)")
    assert not missing, "\n".join(missing)

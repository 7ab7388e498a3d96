"""Validating in parts gives the results of validating whole.

A large graph is validated in parts (policygraph.partition), each holding what the shapes
read from its own nodes (policygraph.reach). These tests validate the same graph both ways
and compare every result: on the project's data, on every invalid shape fixture cut into
parts of one subject each, and on a synthetic corpus with errors planted.
"""

from __future__ import annotations

import os
import re

import pyoxigraph as ox
import pytest

from policygraph import namespaces as ns
from policygraph.graph import load
from policygraph.partition import ClassTargets, Partition, validate_parts
from policygraph.reach import Unbounded, shapes_reach
from policygraph.reasoning import entail
from policygraph.synth import synthesize
from policygraph.validation import read_results, skolemized_ntriples, term_key, validate_graph
from tests.shapes_support import cases, load_fixture

# Every SPARQL constraint's fixture, and the first fixture of every other kind of
# constraint, in the default run (each is validated once per subject, ~2 s);
# POLICYGRAPH_TEST_EVERY_FIXTURE=1 cuts all of them (233 passed on 2026-11-25).
_ALL = cases()
_KINDS_SEEN: set[str] = set()
CASES = [
    c
    for c in _ALL
    if os.environ.get("POLICYGRAPH_TEST_EVERY_FIXTURE") == "1"
    or c.constraint == "sparql"
    or not (c.constraint in _KINDS_SEEN or _KINDS_SEEN.add(c.constraint))
]


def _results(report) -> list[tuple]:
    return sorted(
        (r.focus, r.path or "", r.value or "", r.component, r.severity, r.shape or "")
        for r in report.results
    )


def _both_ways(kg, part_triples: int) -> tuple[list[tuple], list[tuple], int]:
    whole = validate_graph(kg, part_triples=0)
    parts = Partition(kg, shapes_reach(kg.triples(("shapes",))), part_triples)
    in_parts = validate_graph(kg, part_triples=part_triples)
    return _results(whole), _results(in_parts), len(parts)


def test_the_project_data_gives_the_same_results_in_parts(kg_entailed_copy):
    whole, in_parts, count = _both_ways(kg_entailed_copy, 300)
    assert count > 5, "the project's data should be cut into several parts"
    assert in_parts == whole


@pytest.fixture
def kg_entailed_copy(project):
    kg = load(project)
    entail(kg, profile="structural")
    return kg


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_invalid_fixtures_give_the_same_results_cut_into_single_subjects(case, monkeypatch):
    monkeypatch.setenv("POLICYGRAPH_WORKERS", "0")  # dozens of small parts: no pool
    kg = load_fixture(case.invalid)
    whole, in_parts, _ = _both_ways(kg, 1)
    assert whole, f"{case.invalid.name} should fail"
    assert in_parts == whole


def _plant_errors(root) -> dict[str, str]:
    """Break three briefs' files in three ways; what each planted error is."""
    files = sorted((root / "briefs").rglob("measures.ttl"))
    assert len(files) >= 3
    planted = {}
    # 1. a dangling reference: a node nothing describes
    text = files[0].read_text(encoding="utf-8")
    text, n = re.subn(r"pg:actor actor:\S+ ;", "pg:actor actor:nobody ;", text, count=1)
    assert n, "no measure with an actor in a synthetic brief"
    files[0].write_text(text, encoding="utf-8")
    planted["dangling"] = str(files[0])
    # 2. a misspelt class
    text = files[1].read_text(encoding="utf-8")
    text, n = re.subn(r" a pg:(\w+)", r" a pg:\1Typo", text, count=1)
    assert n, "no typed node in a synthetic brief"
    files[1].write_text(text, encoding="utf-8")
    planted["class"] = str(files[1])
    # 3. a date far after every source
    text = files[2].read_text(encoding="utf-8")
    text, n = re.subn(r'pg:date "\d{4}', 'pg:date "2999', text, count=1)
    assert n, "no dated measure in a synthetic brief"
    files[2].write_text(text, encoding="utf-8")
    planted["date"] = str(files[2])
    return planted


def test_a_synthetic_corpus_with_planted_errors_gives_the_same_results_in_parts(tmp_path, project):
    synthesize(12, tmp_path / "corpus", seed=7)
    planted = _plant_errors(tmp_path / "corpus")
    kg = load(project, data=[tmp_path / "corpus"])
    entail(kg, profile="structural")
    whole, in_parts, count = _both_ways(kg, 1500)
    assert count >= 3
    violations = [r for r in whole if r[4] == "Violation"]
    assert len(violations) >= len(planted), f"planted {planted}, found {violations}"
    assert in_parts == whole


def test_a_part_validates_its_own_nodes_only(kg_entailed_copy, monkeypatch):
    """The nodes a part holds for context (typed, for sh:class) are not targeted there:
    on data that conforms, no part reports anything (they failed for want of their other
    statements, and were read only to be dropped)."""
    monkeypatch.setenv("POLICYGRAPH_WORKERS", "0")
    kg = kg_entailed_copy
    shapes = list(kg.triples(("shapes",)))
    partition = Partition(kg, shapes_reach(shapes), 300, shapes=shapes)
    assert partition.targets is not None and len(partition) > 5
    shapes_nt = ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES)
    for index, (_engine, _note, report_nt) in validate_parts(
        partition, skolemized_ntriples, "rudof", shapes_nt
    ):
        store = ox.Store()
        store.load(report_nt, format=ox.RdfFormat.N_TRIPLES)
        owned = {term_key(node) for node in partition.part(index).owned}
        foreign = [r for r in read_results(store, kg) if r.focus not in owned]
        assert not foreign, f"part {index} validated nodes it does not own: {foreign[:3]}"


def _shape(name: str, target_class: str) -> list[ox.Triple]:
    shape = ox.NamedNode(f"urn:x:{name}")
    return [
        ox.Triple(shape, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.SH + "NodeShape")),
        ox.Triple(shape, ox.NamedNode(ns.SH + "targetClass"), ox.NamedNode(target_class)),
    ]


def test_class_targets_follow_subclasses_and_stay_within_the_part(project):
    kg = load(project, data=[])
    kg.add(
        "data",
        [
            ox.Quad(
                ox.NamedNode("urn:x:own"),
                ox.NamedNode(ns.RDF + "type"),
                ox.NamedNode(ns.PG + "AssetFreeze"),
            ),
            ox.Quad(
                ox.NamedNode("urn:x:other"),
                ox.NamedNode(ns.RDF + "type"),
                ox.NamedNode(ns.PG + "Sanction"),
            ),
        ],
    )
    targets = ClassTargets.for_shapes(_shape("S", ns.PG + "Sanction"), kg)
    assert targets is not None
    part_triples = [q.triple for q in kg.quads(("data",))]
    from policygraph.partition import Part

    found = targets.of(Part(0, {ox.NamedNode("urn:x:own")}, part_triples))
    assert found == [
        ox.Triple(
            ox.NamedNode("urn:x:S"), ox.NamedNode(ns.SH + "targetNode"), ox.NamedNode("urn:x:own")
        )
    ]
    assert [t for t in targets.base if t.predicate.value == ns.SH + "targetClass"] == []


def test_an_implicit_class_target_is_left_to_the_engine(project):
    kg = load(project, data=[])
    shape_is_a_class = ox.Triple(
        ox.NamedNode("urn:x:S"), ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.RDFS + "Class")
    )
    shapes = [*_shape("S", ns.PG + "Sanction"), shape_is_a_class]
    assert ClassTargets.for_shapes(shapes, kg) is None


def test_a_graph_whose_shapes_reach_cannot_be_bounded_is_validated_whole():
    sparql_target = [
        ox.Triple(
            ox.NamedNode("urn:x:S"),
            ox.NamedNode(ns.RDF + "type"),
            ox.NamedNode(ns.SH + "NodeShape"),
        ),
        ox.Triple(ox.NamedNode("urn:x:S"), ox.NamedNode(ns.SH + "target"), ox.BlankNode("t")),
    ]
    with pytest.raises(Unbounded, match="sh:target"):
        shapes_reach(sparql_target)

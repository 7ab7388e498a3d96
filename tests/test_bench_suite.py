"""Smoke test of benchmarks/suite.py: every stage measured once on a 3-brief corpus.

The reference's pyshacl step takes ~25 s even at this size, so it gets a budget of a few
seconds here: that also exercises the kill-and-record path ("> budget", later steps skipped).
Process queries are limited to two questions; the in-process ones run all of them.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("psutil")


def _suite():
    spec = importlib.util.spec_from_file_location("bench_suite", ROOT / "benchmarks" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_suite"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_suite_measures_every_stage(tmp_path):
    suite = _suite()
    with_plot = importlib.util.find_spec("matplotlib") is not None
    questions = ["timeline", "sanctions-by-kind"]
    suite.run_suite(
        [3],
        tmp_path / "results",
        runs=1,
        reference_budget=4,
        timeout=120,
        workdir=tmp_path / "work",
        questions=questions,
        with_plot=with_plot,
        log=lambda *_: None,
    )
    results = json.loads((tmp_path / "results" / "suite.json").read_text())
    [size] = results["sizes"]
    assert size["briefs"] == 3 and size["triples"] > 1000
    stages = size["stages"]

    expected = [
        "process: stats (load + entail full)",
        "process: validate",
        "process: build",
        *(f"process: query {q}" for q in questions),
        "in-process: load",
        "in-process: entail structural",
        "in-process: entail full",
        "in-process: validate (SHACL)",
        "in-process: quote check",
        "in-process: dumps: canonicalise",
        *(f"in-process: dump {s}" for s in ("ttl", "nt", "nt.gz", "jsonld", "rdf", "trig", "nq")),
        "in-process: build",
        "in-process: queries (slowest)",
        "reference: parse",
        "reference: owlrl closure",
    ]
    names = list(stages)
    for name in expected:
        matches = [n for n in names if n == name or n.startswith(name + " (")]
        assert matches, f"{name} missing from {names}"
        for match in matches:
            stage = stages[match]
            assert stage["status"] == "ok", (match, stage["error"])
            assert stage["seconds"] > 0 and stage["peak_mb"] > 0, match
            assert stage["triples_per_second"] > 0, match
    in_process_questions = [n for n in names if n.startswith("in-process: query ")]
    assert len(in_process_questions) >= 30  # every competency question
    # a question about a given node: asked for the corpus's node with the largest answer,
    # and listed for every node
    listings = [n.removeprefix("in-process: listing ") for n in names if "listing " in n]
    assert "evidence-for" in listings and "measures-by-actor" in listings
    asked = size["facts"]["asked_with"]
    assert set(asked) == set(listings)
    assert asked["measures-by-actor"]["actor"].startswith("<https://w3id.org/policygraph/id/")
    rows = size["facts"]["rows"]
    assert 0 < rows["measures-by-actor"] < rows["measures-by-actor (all)"]
    # the reference ran into its budget: recorded as such, the later steps skipped
    assert stages["reference: pyshacl validate"]["status"] == "over budget"
    assert stages["reference: serialise ttl"]["status"] == "skipped"
    whole = stages["reference: whole process"]
    assert whole["status"] == "over budget" and whole["lower_bound_seconds"] > 4
    assert {t["status"] for t in results["targets"]} == {"NOT MEASURED"}

    table = (tmp_path / "results" / "suite.md").read_text()
    for name in names:
        if " query " not in f" {name}" and " listing " not in f" {name}":
            assert f"| {name} |" in table, name
    for name in listings:
        assert f"| {name} |" in table, name
    assert "> budget" in table and "| 3 briefs |" in table
    if with_plot:
        assert (tmp_path / "results" / "suite.png").stat().st_size > 1000

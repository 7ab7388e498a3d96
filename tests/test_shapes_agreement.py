"""Independent agreement: pyshacl and pyrudof, given the same pre-entailed graph and shapes,
reach the same verdict with the same results, on the project's data and on every fixture."""

from __future__ import annotations

from collections import Counter

import pytest

from policygraph.graph import load
from policygraph.reasoning import entail
from policygraph.validation import validate_graph
from tests.shapes_support import cases, validate_fixture

FILES = [path for case in cases() for path in (case.invalid, case.valid)]


def _results(report) -> Counter:
    """Results as comparable tuples; blank nodes (renamed on every load) by what points to them."""
    return Counter(
        (
            r.focus_label if r.focus.startswith("_:") else r.focus,
            r.path,
            "_:blank" if (r.value or "").startswith("_:") else r.value,
            r.component,
            r.shape,
            r.severity,
            r.message,
        )
        for r in report.results
    )


def _assert_agree(rudof, pyshacl, what: str) -> None:
    assert rudof.engine == "rudof" and pyshacl.engine == "pyshacl"
    a, b = _results(rudof), _results(pyshacl)
    detail = "\n".join(
        [f"  only rudof:   {k}" for k in a - b] + [f"  only pyshacl: {k}" for k in b - a]
    )
    assert rudof.engine_conforms == pyshacl.engine_conforms, f"{what}: verdicts differ\n{detail}"
    assert len(rudof.results) == len(pyshacl.results), f"{what}: result counts differ\n{detail}"
    assert a == b, f"{what}: results differ\n{detail}"


@pytest.mark.slow
def test_engines_agree_on_the_project_data(project):
    kg = load(project)
    entail(kg, profile="structural")
    _assert_agree(validate_graph(kg, "rudof"), validate_graph(kg, "pyshacl"), "project data")


@pytest.mark.slow
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_engines_agree_on_every_fixture(path):
    rudof = validate_fixture(path, "rudof")
    _assert_agree(rudof, validate_fixture(path, "pyshacl"), path.name)
    if path.name.endswith(".invalid.ttl"):
        assert not rudof.engine_conforms, "an invalid fixture must not conform"

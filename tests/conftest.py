"""Shared fixtures: the project, and its graph loaded and entailed once per session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policygraph.graph import KnowledgeGraph, load
from policygraph.project import Project
from policygraph.reasoning import entail

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def kg(project) -> KnowledgeGraph:
    """Ontology + data + shapes with the full OWL 2 RL entailments (do not modify)."""
    graph = load(project)
    entail(graph, profile="full")
    return graph


@pytest.fixture(scope="session")
def asserted(project) -> KnowledgeGraph:
    """Ontology + data + shapes as written, without entailments (do not modify)."""
    return load(project)


def run_cli(*args: str, cwd: Path = ROOT, input: str | None = None, timeout: float = 120):
    """Run the installed ``policygraph`` command as a user would; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "policygraph", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def release_dir(project, tmp_path_factory) -> Path:
    """The project's release, built once into a temporary dist/ (do not modify)."""
    from policygraph.release import build

    out = tmp_path_factory.mktemp("release") / "dist"
    build(project, out=out, quiet=True)
    return out

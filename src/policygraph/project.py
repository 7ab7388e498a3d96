"""Where a policygraph project's files are: found by folder, never listed twice.

A project is a folder holding ``ontology/``, ``data/``, ``shapes/`` and ``queries/``.
The CLI uses the project around the working directory; outside one it falls back to
the copy bundled in the installed package, so ``pip install policygraph`` works
anywhere. Adding a brief means adding Turtle under ``data/``: nothing here changes.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from .errors import InputError

MARKER = Path("ontology") / "policygraph.ttl"
RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl")


@dataclass(frozen=True)
class Project:
    """The folders of one policygraph project."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def ontology_file(self) -> Path:
        return self.root / MARKER

    def ontology_files(self) -> list[Path]:
        """The ontology and its vocabularies: every RDF file in ``ontology/``."""
        return rdf_files([self.ontology_dir])

    def data_files(self) -> list[Path]:
        return rdf_files([self.data_dir])

    def shapes_files(self) -> list[Path]:
        return rdf_files([self.shapes_dir])

    def query_files(self) -> list[Path]:
        return sorted(self.queries_dir.glob("*.rq"))

    @cached_property
    def version(self) -> str:
        """The release version: ``pyproject.toml`` when present, else the installed package's."""
        pyproject = self.root / "pyproject.toml"
        if pyproject.is_file():
            with pyproject.open("rb") as handle:
                return tomllib.load(handle)["project"]["version"]
        from . import __version__

        return __version__

    @property
    def sources_dir(self) -> Path:
        """The folder of source texts: ``$POLICYGRAPH_SOURCES`` or ``../shared/sources``."""
        env = os.environ.get("POLICYGRAPH_SOURCES")
        return Path(env) if env else self.root.parent / "shared" / "sources"


def rdf_files(paths: list[Path]) -> list[Path]:
    """Every RDF file under ``paths`` (files kept as given, folders walked), sorted.

    A path that does not exist is an input error, named in the message.
    """
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in RDF_SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def find_project(start: Path | str | None = None) -> Project:
    """The project containing ``start`` (default: the working directory), else the bundled one."""
    env = os.environ.get("POLICYGRAPH_PROJECT")
    if env:
        root = Path(env)
        if not (root / MARKER).is_file():
            raise InputError(f"POLICYGRAPH_PROJECT={env}: no {MARKER} there")
        return Project(root.resolve())
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Project(folder)
    return bundled_project()


def bundled_project() -> Project:
    """The ontology, data, shapes and queries shipped inside the installed package."""
    bundled = Path(str(resources.files("policygraph") / "_project"))
    if (bundled / MARKER).is_file():
        return Project(bundled)
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / MARKER).is_file():
        return Project(source_tree)
    raise InputError("no policygraph project here and none bundled with the package")

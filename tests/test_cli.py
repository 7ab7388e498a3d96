"""The command line as a whole: a parse error in any of the project's Turtle files — the
ontology, the vocabularies, the shapes, the data — names file:line:column and exits 2,
never with a traceback; bad commands and options exit 2 with a hint."""

from __future__ import annotations

import re
import shutil

import pytest

from .conftest import ROOT, run_cli

BROKEN = [
    "ontology/policygraph.ttl",
    "ontology/vocabularies.ttl",
    "shapes/policygraph-shapes.ttl",
    "data/shared/actors.ttl",
    "data/briefs/csds-2022-05-eu-japan/measures.ttl",
]


@pytest.fixture
def copy_of_project(tmp_path):
    root = tmp_path / "project"
    for part in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / part, root / part)
    for file in ("pyproject.toml", "CHANGELOG.md"):
        shutil.copy(ROOT / file, root / file)
    return root


@pytest.mark.parametrize("relative", BROKEN)
@pytest.mark.parametrize("command", ["stats", "validate", "build"])
def test_a_parse_error_anywhere_names_file_line_and_column(copy_of_project, relative, command):
    path = copy_of_project / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    # break the first statement after the prefixes: a subject with no predicate or object
    at = next(i for i, line in enumerate(lines) if line and not line.startswith(("@", "#")))
    lines.insert(at, "<https://w3id.org/policygraph/broken> .")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [command, "--out", str(copy_of_project / "dist")] if command == "build" else [command]
    done = run_cli("--project", str(copy_of_project), *args, cwd=copy_of_project)
    assert done.returncode == 2, done.stderr
    assert re.search(rf"{re.escape(path.name)}:{at + 1}:\d+: ", done.stderr), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (copy_of_project / "dist").exists()


def test_no_command_prints_help_and_exits_2():
    done = run_cli()
    assert done.returncode == 2
    for command in ("build", "validate", "query", "serve", "load", "synth", "stats"):
        assert command in done.stdout


def test_unknown_command_and_option_exit_2_with_a_hint():
    for args in (["frobnicate"], ["stats", "--no-such-option"], ["validate", "--format", "xml"]):
        done = run_cli(*args)
        assert done.returncode == 2, args
        assert "Try 'policygraph" in done.stderr and "Traceback" not in done.stderr


def test_version():
    done = run_cli("--version")
    assert done.returncode == 0 and re.fullmatch(r"policygraph \d+\.\d+\.\d+\S*\n", done.stdout)


def test_json_ld_with_a_remote_context_says_how_to_fix_it(tmp_path):
    data = tmp_path / "remote.jsonld"
    data.write_text('{"@context": "https://schema.org/", "@id": "http://ex.org/a"}', "utf-8")
    done = run_cli("validate", str(data))
    assert done.returncode == 2
    assert "remote.jsonld" in done.stderr and "put the context object in the file" in done.stderr

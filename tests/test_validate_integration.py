"""Using ``policygraph validate`` from other repositories: the pre-commit hooks are a valid
manifest whose commands work, and the documented CI step is valid workflow YAML that runs
the validator with GitHub annotations."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from pre_commit.clientlib import load_manifest

from tests.conftest import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOC = ROOT / "docs" / "validation.md"


def test_hooks_manifest_is_valid_for_pre_commit():
    hooks = {hook["id"]: hook for hook in load_manifest(str(HOOKS))}
    assert set(hooks) == {"policygraph-validate", "policygraph-validate-files"}
    assert hooks["policygraph-validate"]["pass_filenames"] is False
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert re.search(hook["files"], "data/briefs/x/measures.ttl")
        assert not re.search(hook["files"], "README.md")


def _entry(hook_id: str) -> list[str]:
    (hook,) = [h for h in load_manifest(str(HOOKS)) if h["id"] == hook_id]
    command = shlex.split(hook["entry"])
    assert command[0] == "policygraph"
    return [str(Path(sys.executable).with_name("policygraph")), *command[1:]]


def test_project_hook_command_validates_the_project():
    done = subprocess.run(_entry("policygraph-validate"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout


def test_files_hook_command_fails_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix pg: <https://w3id.org/policygraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/policygraph/id/actor/x> a pg:Stat ; rdfs:label "X"@en .\n'
    )
    done = subprocess.run(
        [*_entry("policygraph-validate-files"), str(bad)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "pg:Stat" in done.stdout


def test_documented_ci_step_is_a_workflow_running_github_annotations():
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    steps = next(yaml.safe_load(b)["steps"] for b in blocks if b.startswith("steps:"))
    runs = [step.get("run", "") for step in steps]
    assert "policygraph validate --format github" in runs
    assert any("--format junit" in run for run in runs)

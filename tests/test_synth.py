"""The synthetic corpus: deterministic, in the project's layout and model, and with every
quote verbatim in its generated source text."""

from __future__ import annotations

import hashlib

import pytest

from policygraph.evidence import check_quotes
from policygraph.graph import load
from policygraph.reasoning import entail
from policygraph.synth import synthesize

from .conftest import run_cli


def digest(folder) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "corpus"
    counts = synthesize(12, out, seed=7)
    return out, counts


def test_same_seed_same_bytes_other_seed_other_bytes(corpus, tmp_path):
    out, _ = corpus
    again, other = tmp_path / "again", tmp_path / "other"
    synthesize(12, again, seed=7)
    synthesize(12, other, seed=8)
    assert digest(out) == digest(again)
    assert digest(out) != digest(other)


def test_layout_matches_the_projects_data_folder(corpus):
    out, counts = corpus
    assert {p.name for p in (out / "shared").glob("*.ttl")} >= {"actors.ttl", "persons.ttl"}
    briefs = sorted((out / "briefs").iterdir())
    assert len(briefs) == counts["briefs"] == 12
    for brief in briefs:
        assert {"source.ttl", "events.ttl", "measures.ttl", "claims.ttl"} <= {
            p.name for p in brief.glob("*.ttl")
        }
    assert len(list((out / "sources").glob("*.txt"))) == 12


def test_every_synthetic_quote_is_in_its_generated_text_and_section(corpus, project):
    out, counts = corpus
    kg = load(project, data=[out], shapes=False)
    problems, checked = check_quotes(kg, out / "sources")
    assert checked == counts["quotes"]
    assert not problems, "\n".join(map(str, problems[:10]))


def test_corpus_grows_about_linearly_and_entails(project, tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    a = synthesize(5, small, seed=1)["triples"]
    b = synthesize(20, large, seed=1)["triples"]
    assert 3.5 < b / a < 4.5, (a, b)
    kg = load(project, data=[small], shapes=False)
    assert entail(kg).added > a / 4


def test_cli_writes_a_corpus_and_rejects_bad_counts(tmp_path):
    done = run_cli("synth", "--briefs", "3", "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    assert "wrote 3 briefs" in done.stdout
    bad = run_cli("synth", "--briefs", "0", "--out", str(tmp_path / "d"))
    assert bad.returncode == 2 and "at least 1" in bad.stderr
    assert not (tmp_path / "d").exists()

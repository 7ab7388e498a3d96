"""The synthetic corpus: deterministic, in the project's layout and model, and with every
quote verbatim in its generated source text."""

from __future__ import annotations

import hashlib
import shutil

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


def test_corpus_conforms_to_the_shapes_with_its_quotes_checked(corpus, project):
    from policygraph.validation import validate

    out, _ = corpus
    report = validate(project, data=[out])
    assert report.checked_quotes
    assert report.conforms(), report.render("text")[:3000]
    assert not report.failing("warning"), report.render("text")[:3000]


def test_validate_finds_the_corpus_texts_and_build_accepts_the_corpus(corpus, tmp_path):
    out, _ = corpus
    done = run_cli("validate", str(out), "--check-quotes")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    text = damaged / "sources" / "synthetic-brief-00001.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(" invaded ", " attacked "))
    bad = run_cli("validate", str(damaged))
    assert bad.returncode == 1
    assert "The quote must be verbatim from the source" in bad.stdout
    assert run_cli("validate", str(damaged), "--no-check-quotes").returncode == 0
    elsewhere = run_cli("validate", str(damaged), "--sources", str(out / "sources"))
    assert elsewhere.returncode == 0, elsewhere.stdout[-2000:]
    missing = run_cli("validate", str(out), "--sources", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    assert "Traceback" not in missing.stderr
    built = run_cli("build", "--data", str(out), "--out", str(tmp_path / "dist"), "-q")
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr
    assert (tmp_path / "dist" / "release.json").is_file()


def test_build_checks_the_corpus_quotes_against_its_own_texts(corpus, tmp_path):
    """build, like validate, finds the sources/ folder beside the data it is given."""
    out, _ = corpus
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    text = damaged / "sources" / "synthetic-brief-00001.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(" invaded ", " attacked "))
    dist = tmp_path / "dist"
    built = run_cli("build", "--data", str(damaged), "--out", str(dist), "-q")
    assert built.returncode == 1, built.stdout[-2000:] + built.stderr
    assert "The quote must be verbatim from the source" in built.stdout + built.stderr
    assert not dist.exists()


def test_a_misquote_is_reported_when_the_check_runs_beside_validation_in_parts(
    corpus, project, tmp_path, monkeypatch
):
    """A graph validated in parts has its quotes checked in a forked process beside it:
    the misquote still reaches the report, and nothing else differs."""
    from policygraph import validation, workers
    from policygraph.validation import validate

    out, _ = corpus
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    text = damaged / "sources" / "synthetic-brief-00001.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(" invaded ", " attacked "))
    whole = validate(project, data=[damaged])
    forked = []
    started = workers.Job.__init__

    def spy(self, *args, **kwargs):
        started(self, *args, **kwargs)
        forked.append(self.process is not None)

    monkeypatch.setattr(workers.Job, "__init__", spy)
    monkeypatch.setattr(validation, "PART_THRESHOLD", 0)
    in_parts = validate(project, data=[damaged])
    assert workers.can_fork() and forked and all(forked), forked
    assert in_parts.checked_quotes
    misquotes = [r for r in in_parts.results if r.component == validation.QUOTE_COMPONENT]
    assert misquotes, in_parts.render("text")[:2000]
    assert [r.sort_key() for r in in_parts.results] == [r.sort_key() for r in whole.results]

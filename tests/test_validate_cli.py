"""``policygraph validate`` as CI runs it: exit codes, formats, severities, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import policygraph
from tests.conftest import ROOT, run_cli

PREFIXES = """\
@prefix pg:      <https://w3id.org/policygraph/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix oa:      <http://www.w3.org/ns/oa#> .
@prefix schema:  <http://schema.org/> .
@prefix actor:   <https://w3id.org/policygraph/id/actor/> .
@prefix measure: <https://w3id.org/policygraph/id/measure/> .
@prefix claim:   <https://w3id.org/policygraph/id/claim/> .
@prefix source:  <https://w3id.org/policygraph/id/source/> .
@prefix status:  <https://w3id.org/policygraph/vocab/epistemic-status/> .
@prefix section: <https://w3id.org/policygraph/id/source/csds-2022-05-eu-japan/section/> .
"""

EVIDENCE = """    pg:hasEvidence [ a oa:SpecificResource ;
        oa:hasSource source:csds-2022-05-eu-japan ;
        pg:inSection section:common-concerns ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Japan froze the assets." ] ] ."""

# A sanction without its actor and target, dated after the brief it is reported in.
BAD = (
    PREFIXES
    + """
measure:japan-freeze
    a pg:AssetFreeze ;
    rdfs:label "Japan freezes assets"@en ;
    pg:involvesItem <https://w3id.org/policygraph/vocab/commodity/yen-reserves> ;
    pg:date "2022-06-01"^^xsd:date ;
    pg:epistemicStatus status:reported-fact ;
"""
    + EVIDENCE
)

# Only a Warning: a forecast that does not say how likely it is.
WARNING_ONLY = (
    PREFIXES
    + """
claim:japan-will-act
    a pg:Forecast ;
    rdfs:label "Japan will act"@en ;
    pg:isAbout actor:japan ;
"""
    + EVIDENCE
)

# Only an Info: an international organisation without a Wikidata item.
INFO_ONLY = (
    PREFIXES
    + """
actor:test-organisation
    a pg:InternationalOrganisation ;
    rdfs:label "Test organisation"@en .
"""
)


def with_project_data(tmp_path: Path, name: str, text: str) -> list[str]:
    """The project's data folder plus one extra file: what a contributor validates."""
    extra = tmp_path / name
    extra.write_text(text, encoding="utf-8")
    return ["--no-check-quotes", str(ROOT / "data"), str(extra)]


LINE = BAD.splitlines().index("measure:japan-freeze") + 1


def test_the_project_data_conforms():
    done = run_cli("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms (fail on violation)" in done.stdout
    assert "Traceback" not in done.stderr


def test_invalid_data_exits_1_with_a_report_grouped_by_node(tmp_path):
    done = run_cli("validate", *with_project_data(tmp_path, "bad.ttl", BAD))
    assert done.returncode == 1, done.stderr
    out = done.stdout
    # The node, with its file:line and label, then one line per result.
    assert f'bad.ttl:{LINE}:1: measure:japan-freeze "Japan freezes assets"' in out
    assert "A measure needs the actor who took it (pg:actor)." in out
    assert "A sanction needs the actor it targets (pg:target)." in out
    assert 'pg:date = "2022-06-01"^^xsd:date' in out
    assert "Is dated after the brief that reports it" in out
    assert "[sh:minCount in pgsh:Measure-actor]" in out
    assert "does not conform (fail on violation): 3 violations" in out


def test_quotes_are_checked_against_the_source_text(tmp_path):
    paths = with_project_data(tmp_path, "bad.ttl", BAD)[1:]
    done = run_cli("validate", "--check-quotes", *paths)
    assert done.returncode == 1
    assert "quote is not a verbatim part of the source text" in done.stdout
    assert "4 violations" in done.stdout


def test_blank_nodes_are_named_by_what_points_to_them(tmp_path):
    text = BAD.replace("oa:hasSource source:csds-2022-05-eu-japan ;", "")
    done = run_cli("validate", *with_project_data(tmp_path, "bad.ttl", text))
    assert done.returncode == 1
    assert "evidence of measure:japan-freeze" in done.stdout
    assert "Evidence and sections need the one policy brief they come from" in done.stdout


@pytest.mark.parametrize(
    ("text", "fail_on", "code"),
    [
        (WARNING_ONLY, "violation", 0),
        (WARNING_ONLY, "warning", 1),
        (INFO_ONLY, "warning", 0),
        (INFO_ONLY, "info", 1),
    ],
)
def test_fail_on_sets_the_severity_that_fails(tmp_path, text, fail_on, code):
    done = run_cli("validate", "--fail-on", fail_on, *with_project_data(tmp_path, "x.ttl", text))
    assert done.returncode == code, done.stdout + done.stderr
    severity = "Warning" if text is WARNING_ONLY else "Info"
    assert severity in done.stdout


def test_json_report(tmp_path):
    done = run_cli("validate", "--format", "json", *with_project_data(tmp_path, "bad.ttl", BAD))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["conforms"] is False
    assert report["counts"]["Violation"] == 3
    actor = next(r for r in report["results"] if r["shape"].endswith("#Measure-actor"))
    assert actor["focus"] == "https://w3id.org/policygraph/id/measure/japan-freeze"
    assert actor["focus_label"] == "Japan freezes assets"
    assert actor["path"] == "https://w3id.org/policygraph/ontology#actor"
    assert actor["component"] == "http://www.w3.org/ns/shacl#MinCountConstraintComponent"
    assert actor["severity"] == "Violation"
    assert actor["file"].endswith("bad.ttl") and actor["line"] == LINE
    assert "does not conform" in done.stderr  # the summary goes to stderr, stdout stays JSON


def test_junit_report_is_xml_a_ci_can_read(tmp_path):
    done = run_cli("validate", "--format", "junit", *with_project_data(tmp_path, "bad.ttl", BAD))
    assert done.returncode == 1
    root = ET.fromstring(done.stdout)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) > 100  # one test case per shape
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(suite.get("failures")) == len(failed) == 3
    names = {c.get("name") for c in failed}
    assert names == {"pgsh:Measure-actor", "pgsh:Sanction-target", "pgsh:NotAfterSourceShape"}
    failure = next(c for c in failed if c.get("name") == "pgsh:Measure-actor").find("failure")
    assert failure.get("type") == "sh:minCount"
    assert "measure:japan-freeze" in failure.text


def test_junit_report_keeps_lower_severities_out_of_the_failures(tmp_path):
    done = run_cli(
        "validate", "--format", "junit", *with_project_data(tmp_path, "w.ttl", WARNING_ONLY)
    )
    assert done.returncode == 0
    suite = ET.fromstring(done.stdout).find("testsuite")
    assert suite.get("failures") == "0"
    assert any("Warning" in (o.text or "") for o in suite.iter("system-out"))


def test_github_annotations(tmp_path):
    done = run_cli("validate", "--format", "github", *with_project_data(tmp_path, "bad.ttl", BAD))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 3
    assert all(f"bad.ttl,line={LINE},col=1," in line for line in errors)
    assert any("title=Violation%3A pgsh%3AMeasure-actor::" in line for line in errors)
    assert lines[-1].startswith("::notice title=policygraph validate::does not conform")


def test_github_annotations_of_lower_severities_are_warnings_and_notices(tmp_path):
    done = run_cli(
        "validate", "--format", "github", *with_project_data(tmp_path, "w.ttl", WARNING_ONLY)
    )
    assert done.returncode == 0
    assert any(line.startswith("::warning ") for line in done.stdout.splitlines())
    assert any(line.startswith("::notice ") and "Info" in line for line in done.stdout.splitlines())


def test_output_file_holds_the_report(tmp_path):
    target = tmp_path / "reports" / "validation.xml"
    done = run_cli(
        "validate",
        "--format",
        "junit",
        "-o",
        str(target),
        *with_project_data(tmp_path, "b.ttl", BAD),
    )
    assert done.returncode == 1
    assert done.stdout == ""
    ET.fromstring(target.read_text(encoding="utf-8"))
    assert [p.name for p in target.parent.iterdir()] == ["validation.xml"]  # no temporary left


@pytest.mark.parametrize("name", ["report.ttl", "data.jsonld"])
def test_a_report_never_overwrites_rdf(tmp_path, name):
    target = tmp_path / name
    target.write_text("keep me")
    _input_error(run_cli("validate", "-o", str(target)), "not writing it over an RDF file")
    assert target.read_text() == "keep me"


def test_pyshacl_engine_gives_the_same_verdict(tmp_path):
    paths = with_project_data(tmp_path, "bad.ttl", BAD)
    rudof = run_cli("validate", "--format", "json", *paths)
    pyshacl = run_cli("validate", "--format", "json", "--engine", "pyshacl", *paths)
    assert rudof.returncode == pyshacl.returncode == 1
    assert json.loads(rudof.stdout)["counts"] == json.loads(pyshacl.stdout)["counts"]


# --- Input errors: exit 2, one line naming the problem, no traceback ---------------------


def _input_error(done, *fragments):
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    message = done.stderr.strip()
    for fragment in fragments:
        assert fragment in message, message


def test_missing_file_exits_2(tmp_path):
    _input_error(
        run_cli("validate", str(tmp_path / "nope.ttl")), "nope.ttl: no such file or folder"
    )


def test_parse_error_names_file_line_and_column(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text(PREFIXES + '\nactor:x a pg:State ;\n    rdfs:label "X"@en \n    pg:iso .\n')
    done = run_cli("validate", str(bad))
    _input_error(done, f"{bad}:15:")
    assert len(done.stderr.strip().splitlines()) == 1


def test_broken_jsonld_exits_2(tmp_path):
    bad = tmp_path / "broken.jsonld"
    bad.write_text('{"@id": "https://w3id.org/policygraph/id/actor/x", "@type": ')
    _input_error(run_cli("validate", str(bad)), "broken.jsonld")


def test_unknown_file_type_exits_2(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    _input_error(run_cli("validate", str(other)), "unknown RDF file type")


def test_folder_without_rdf_exits_2(tmp_path):
    _input_error(run_cli("validate", str(tmp_path)), "no RDF files there")


@pytest.mark.parametrize(
    "option",
    [["--format", "html"], ["--fail-on", "error"], ["--engine", "jena"], ["--bogus"]],
)
def test_bad_options_exit_2(option):
    _input_error(run_cli("validate", *option), "error:")


def test_library_api(project):
    report = policygraph.validate(project)
    assert report.conforms()
    assert report.conforms("warning") == (report.counts()["Warning"] == 0)
    assert report.render("json").startswith("{")

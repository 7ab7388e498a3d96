"""Bad input never crashes ``policygraph validate``: mutated and random RDF files and random
option values always end with exit 0, 1 or 2 and a message, never a traceback, and the
input files are never modified."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

SEED = (ROOT / "tests" / "shapes" / "base.ttl").read_text(encoding="utf-8")
SUFFIXES = [".ttl", ".trig", ".nt", ".jsonld", ".rdf"]
TOKENS = [
    ".",
    ";",
    ",",
    '"',
    "'",
    '"""',
    "<",
    ">",
    "@en",
    "^^xsd:date",
    "^^",
    "[",
    "]",
    "(",
    ")",
    " a ",
    ":",
    "#",
    "\n",
    " ",
    "\\",
    "\\u00",
    "pg:",
    "pg:Sanction",
    "rdfs:label",
    '"2022-13-45"',
    "_:b0",
    "\x00",
    "é",
    "\ufeff",
    "@prefix x: <http://x/> .",
    "<relative>",
    "{",
    "}",
    "GRAPH",
    '"x"@',
    "1e999",
    "-",
    "true",
    "owl:sameAs",
    "<https://w3id.org/policygraph/id/actor/x>",
]
OPTIONS = [
    "--format",
    "text",
    "json",
    "junit",
    "github",
    "html",
    "--fail-on",
    "violation",
    "warning",
    "info",
    "error",
    "--engine",
    "rudof",
    "pyshacl",
    "--reasoner",
    "rules",
    "owlrl",
    "--check-quotes",
    "--no-check-quotes",
    "-o",
    "--output",
    "report.out",
    "",
    "-",
    "--",
    "--project",
    "missing-dir",
    "--fail-on=info",
    "--format=junit",
    "-x",
]

settings.register_profile(
    "validate-fuzz",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def mutated(draw) -> str:
    text = SEED
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "replace":
            text = text[:at] + draw(st.text(min_size=1, max_size=3)) + text[at + 1 :]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:end] + text[at:end] + text[end:]
    return text


def _run(files: dict[str, str | bytes], args: list[str]):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = []
        for name, content in files.items():
            path = folder / name
            data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
            path.write_bytes(data)
            paths.append(path)
        before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
        done = subprocess.run(
            [sys.executable, "-m", "policygraph", "validate", *args, *map(str, paths)],
            cwd=folder,  # outside the project: -o writes here, and the bundled project is used
            capture_output=True,
            text=True,
            errors="replace",
            timeout=300,
        )
        after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert done.returncode in (0, 1, 2), f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "internal error" not in done.stderr, done.stderr[-2000:]
    assert (done.stdout + done.stderr).strip(), "no message at all"
    if done.returncode == 2:
        assert done.stderr.strip(), "an input error must say what is wrong"
    assert before == after, "validate modified its input files"
    return done


@settings(settings.get_profile("validate-fuzz"))
@given(text=mutated(), suffix=st.sampled_from(SUFFIXES))
def test_mutated_rdf_never_crashes(text, suffix):
    _run({f"data{suffix}": text}, ["--no-check-quotes"])


@settings(settings.get_profile("validate-fuzz"), max_examples=25)
@given(
    content=st.one_of(st.text(max_size=300), st.binary(max_size=300)),
    suffix=st.sampled_from(SUFFIXES),
)
def test_random_bytes_never_crash(content, suffix):
    _run({f"random{suffix}": content}, [])


# Command-line arguments cannot hold NUL or lone surrogates (the OS refuses them).
ARG_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=8)


@settings(settings.get_profile("validate-fuzz"), max_examples=25)
@given(args=st.lists(st.one_of(st.sampled_from(OPTIONS), ARG_TEXT), max_size=5))
def test_random_options_never_crash(args):
    if any(a.startswith("--debug") or a.startswith("--de") for a in args):
        args = [a for a in args if not a.startswith("--de")]
    _run({"base.ttl": SEED}, args)

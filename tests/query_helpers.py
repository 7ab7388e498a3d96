"""Helpers for the query tests: the command run in this process, and a tiny project."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from policygraph.cli import main

TINY_ONTOLOGY = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/policygraph/ontology> a owl:Ontology .
<https://w3id.org/policygraph/ontology#State> a owl:Class ;
    rdfs:subClassOf <https://w3id.org/policygraph/ontology#Actor> .
"""

TINY_DATA = """\
@prefix pg: <https://w3id.org/policygraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/policygraph/id/actor/japan> a pg:State ; rdfs:label "Japan"@en , "Japan" .
<https://w3id.org/policygraph/id/actor/eu> rdfs:label "EU" , "x\\" } UNION { ?s ?p ?o" .
"""


def tiny_project(root: Path) -> Path:
    """A project with a three-triple ontology and four data triples: any query is cheap."""
    (root / "ontology").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "ontology" / "policygraph.ttl").write_text(TINY_ONTOLOGY, encoding="utf-8")
    (root / "data" / "tiny.ttl").write_text(TINY_DATA, encoding="utf-8")
    return root


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """``policygraph ARGV`` in this process: (exit code, stdout, stderr).

    argparse's own errors exit through SystemExit; their code is returned. The
    environment variable ``--project`` sets is restored afterwards.
    """
    saved = os.environ.get("POLICYGRAPH_PROJECT")
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        if saved is None:
            os.environ.pop("POLICYGRAPH_PROJECT", None)
        else:
            os.environ["POLICYGRAPH_PROJECT"] = saved
    return code, out.getvalue(), err.getvalue()

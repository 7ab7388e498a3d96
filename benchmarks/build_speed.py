"""Benchmark: ``policygraph build`` against the plain pipeline a user would otherwise script.

The reference pipeline is rdflib parse -> owlrl OWL-RL closure -> pyshacl -> rdflib serialise,
writing the same formats as the release's dumps (asserted and entailed graph in Turtle,
N-Triples, gzipped N-Triples, JSON-LD and RDF/XML; TriG and N-Quads of the named graphs;
the ontology in four formats; the shapes in Turtle). Both run side by side in one run,
alternating, each in a fresh process (imports included), on the same project; the medians
and their ratio go to ``benchmarks/results/build_speed.json``.

    .venv/bin/python benchmarks/build_speed.py [--runs 5] [--project DIR]

The machine is shared: run it when nothing else is, and read the spread, not one figure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def reference(project_root: Path, out: Path) -> None:
    """The plain pipeline, as a user would script it with rdflib, owlrl and pyshacl."""
    import owlrl
    import pyshacl
    import rdflib

    from policygraph.project import Project

    project = Project(project_root)
    graphs = {}
    for part, files in (
        ("ontology", project.ontology_files()),
        ("data", project.data_files()),
        ("shapes", project.shapes_files()),
    ):
        graph = rdflib.Graph()
        for path in files:
            graph.parse(path)
        graphs[part] = graph
    asserted = graphs["ontology"] + graphs["data"]
    entailed = rdflib.Graph()
    for triple in asserted:
        entailed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(entailed)
    # The full OWL-RL closure (domain and range included: owlrl cannot leave them out) is what
    # a plain script validates; whether it conforms is recorded, it does not stop the timing.
    conforms, _, _ = pyshacl.validate(entailed, shacl_graph=graphs["shapes"], inference="none")
    out.mkdir(parents=True, exist_ok=True)
    (out / "conforms").write_text(str(conforms))
    formats = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
    for name, graph in (("asserted", asserted), ("entailed", entailed)):
        for suffix, fmt in formats.items():
            graph.serialize(out / f"{name}.{suffix}", format=fmt)
        (out / f"{name}.nt.gz").write_bytes(gzip.compress((out / f"{name}.nt").read_bytes()))
    for suffix in ("ttl", "rdf", "jsonld", "nt"):
        graphs["ontology"].serialize(out / f"ontology.{suffix}", format=formats[suffix])
    graphs["shapes"].serialize(out / "shapes.ttl", format="turtle")
    dataset = rdflib.Dataset()
    for part, graph in (
        ("ontology", graphs["ontology"]),
        ("data", graphs["data"]),
        ("entailments", entailed - asserted),
        ("shapes", graphs["shapes"]),
    ):
        named = dataset.graph(rdflib.URIRef(f"https://w3id.org/policygraph/graph/{part}"))
        for triple in graph:
            named.add(triple)
    dataset.serialize(out / "dataset.trig", format="trig")
    dataset.serialize(out / "dataset.nq", format="nquads")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--reference-run", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_run:
        reference(args.project, args.reference_run)
        return 0

    build_times, reference_times = [], []
    reference_conforms = None
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            build_times.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "policygraph",
                        "--project",
                        str(args.project),
                        "build",
                        "-q",
                        "--out",
                        f"{tmp}/dist",
                    ]
                )
            )
            reference_times.append(
                timed(
                    [
                        sys.executable,
                        __file__,
                        "--project",
                        str(args.project),
                        "--reference-run",
                        f"{tmp}/reference",
                    ]
                )
            )
            reference_conforms = (Path(tmp) / "reference" / "conforms").read_text() == "True"
            print(
                f"run {run + 1}: build {build_times[-1]:.2f} s, "
                f"reference {reference_times[-1]:.2f} s",
                file=sys.stderr,
            )
    build_median = statistics.median(build_times)
    reference_median = statistics.median(reference_times)
    result = {
        "benchmark": "build_speed",
        "runs": args.runs,
        "build_seconds": build_times,
        "reference_seconds": reference_times,
        "build_median": round(build_median, 3),
        "reference_median": round(reference_median, 3),
        "speedup": round(reference_median / build_median, 1),
        "goal": "speedup >= 5",
        "reference_conforms": reference_conforms,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "libraries": {
            name: version(name)
            for name in ("policygraph", "pyoxigraph", "rdflib", "owlrl", "pyshacl", "pyrudof")
        },
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "build_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"policygraph build {build_median:.2f} s; rdflib + owlrl + pyshacl + rdflib serialise "
        f"{reference_median:.2f} s; {result['speedup']}x faster (goal: 5x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

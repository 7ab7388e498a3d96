"""How long ``policygraph validate`` takes on the project's data, next to ``pyshacl -i rdfs``.

Both run as whole processes (interpreter start, imports, parsing, entailment, validation,
report), alternately, five times each, on the same ontology, data and shapes; the medians
and their ratio are printed and written to ``benchmarks/results/validate_speed.json``.

pyshacl's command line takes one data file, so the project's ontology and data files are
merged into one N-Triples file first (not timed), and pyshacl runs as
``pyshacl -i rdfs -s shapes merged.nt``. That is pyshacl's best case: with the ontology
given separately (``-e ontology.nt data.nt``, pass ``--extra-ontology`` to time that
form), pyshacl first "inoculates" the data graph with the ontology by cloning nodes
recursively, which on this ontology did not finish in ten minutes. ``-i rdfs`` has
pyshacl infer with RDFS (subclasses, subproperties, domains and ranges) before
validating; ``policygraph validate`` entails the ontology's structural axioms with its
SPARQL rules instead. Both exit codes are recorded.

    python benchmarks/validate_speed.py [--runs 5] [--extra-ontology]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from policygraph import __version__
from policygraph.atomic import write_text
from policygraph.project import Project
from policygraph.sources import parse_files

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TMP = RESULTS / "tmp"


def merged(paths: list[Path], target: Path) -> Path:
    quads = parse_files(paths)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES))
    return target


def timed(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.returncode


def tool(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name}: not installed (pip install -e '.[test]')")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--extra-ontology",
        action="store_true",
        help="give pyshacl the ontology with -e instead of merged into the data (very slow)",
    )
    args = parser.parse_args()

    project = Project(ROOT)
    shapes = project.shapes_files()
    if len(shapes) != 1:
        raise SystemExit("expected one shapes file")
    pyshacl = [tool("pyshacl"), "-i", "rdfs", "-s", str(shapes[0])]
    if args.extra_ontology:
        data = merged(project.data_files(), TMP / "data.nt")
        ontology = merged(project.ontology_files(), TMP / "ontology.nt")
        theirs = [*pyshacl, "-e", str(ontology), str(data)]
    else:
        data = merged(project.ontology_files() + project.data_files(), TMP / "merged.nt")
        theirs = [*pyshacl, str(data)]
    ours = [tool("policygraph"), "validate"]  # exactly what a user runs, quote check included
    times: dict[str, list[float]] = {"policygraph": [], "pyshacl": []}
    verdicts: dict[str, int] = {}
    for run in range(1, args.runs + 1):
        for name, command in (("policygraph", ours), ("pyshacl", theirs)):
            seconds, code = timed(command)
            times[name].append(seconds)
            verdicts[name] = code
            print(f"run {run}: {name:<11} {seconds:7.3f} s (exit {code})", flush=True)

    ours_median = statistics.median(times["policygraph"])
    theirs_median = statistics.median(times["pyshacl"])
    ratio = theirs_median / ours_median
    print(f"policygraph validate  median {ours_median:.3f} s")
    print(f"pyshacl -i rdfs       median {theirs_median:.3f} s")
    print(f"ratio                 {ratio:.1f}x")
    result = {
        "benchmark": "validate_speed",
        "policygraph_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        "runs": args.runs,
        "triples_given_to_pyshacl": sum(1 for _ in data.open()),
        "commands": {"policygraph": ours, "pyshacl": theirs},
        "seconds": times,
        "median_seconds": {"policygraph": ours_median, "pyshacl": theirs_median},
        "ratio": ratio,
        "exit_codes": verdicts,
        "goals": {"policygraph_under_1s": ours_median < 1.0, "at_least_3x": ratio >= 3.0},
    }
    write_text(RESULTS / "validate_speed.json", json.dumps(result, indent=2) + "\n")
    shutil.rmtree(TMP, ignore_errors=True)
    return 0 if result["goals"]["policygraph_under_1s"] and result["goals"]["at_least_3x"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

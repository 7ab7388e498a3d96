"""Which engine is the default: each choice timed on the same synthetic corpus.

Three choices, each by name in the library and the CLI:

* the query store (``query(..., engine=)``): every competency question (and its example
  bindings) on the entailed corpus; rdflib's time includes copying the store into rdflib;
* the reasoner (``entail(kg, reasoner=)``): the ``full`` profile on ontology + corpus;
* the SHACL engine (``validate_graph(kg, engine=)``): the corpus entailed ``structural``.

Every measurement runs in a fresh process (imports and caches do not carry over); only the
engine's own work is timed, not loading the corpus. Medians of ``--runs`` (3); a run that
passes ``--timeout`` seconds is stopped and the choice is reported as slower than that.
Each run also prints a fingerprint of its answer (rows, entailed triples, validation
results), so the table shows whether the choices agree. Results go to
``benchmarks/results/engines.json`` and ``engines.md``.

    python benchmarks/engines.py [--briefs 100] [--runs 3] [--timeout 300]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CHOICES = {
    "query store": ("oxigraph", "rdflib"),
    "reasoner": ("rules", "owlrl", "reasonable"),
    "SHACL engine": ("rudof", "pyshacl"),
}


def _digest(items) -> str:
    return hashlib.sha256(repr(sorted(items)).encode()).hexdigest()[:12]


def child(component: str, engine: str, corpus: Path) -> dict:
    """One measurement, in this (fresh) process."""
    from policygraph.graph import load
    from policygraph.project import Project
    from policygraph.reasoning import entail

    project = Project(ROOT)
    if component == "query store":
        from policygraph.queries import Query, bind, catalogue, comparable, embedded, run_embedded

        kg = embedded(project, data=[corpus])
        started = time.perf_counter()
        answers = []
        for q in catalogue(project):
            for params in [{}] + ([q.example_params()] if q.examples else []):
                result = run_embedded(kg, Query(q.text, str(q.path), q), bind(params), engine)
                answers.append((q.name, str(params), _digest(Counter(comparable(result)).items())))
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "answer": _digest(answers), "size": f"{len(answers)} runs"}
    if component == "reasoner":
        kg = load(project, data=[corpus], shapes=False)
        started = time.perf_counter()
        entail(kg, reasoner=engine, profile="full")
        seconds = time.perf_counter() - started
        entailed = [q.triple for q in kg.quads(("entailments",))]
        named = [str(t) for t in entailed if "_:" not in str(t)]  # blank ids differ per run
        return {"seconds": seconds, "answer": _digest(named), "size": f"{len(entailed)} triples"}
    if component == "SHACL engine":
        from policygraph.validation import validate_graph

        kg = load(project, data=[corpus])
        entail(kg, profile="structural")
        started = time.perf_counter()
        report = validate_graph(kg, engine=engine)
        seconds = time.perf_counter() - started
        results = [
            (
                r.focus_label if r.focus.startswith("_:") else r.focus,
                r.path,
                r.component,
                r.severity,
            )
            for r in report.results
        ]
        return {
            "seconds": seconds,
            "answer": _digest(Counter(results).items()) + f"/{report.conforms()}",
            "size": f"{len(results)} results",
            "engine used": report.engine,
        }
    raise SystemExit(f"unknown component {component!r}")


def measure(component: str, engine: str, corpus: Path, runs: int, timeout: float) -> dict:
    samples, answers, extra = [], set(), {}
    for _ in range(runs):
        command = [sys.executable, __file__, "--child", component, engine, str(corpus)]
        try:
            done = subprocess.run(
                command, cwd=ROOT, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"median": None, "timed_out": timeout, "runs": samples}
        if done.returncode != 0:
            raise SystemExit(f"{component} {engine} failed:\n{done.stderr[-2000:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        samples.append(round(data.pop("seconds"), 4))
        answers.add(data.pop("answer"))
        extra = data
    return {
        "median": statistics.median(samples),
        "runs": samples,
        "answers": sorted(answers),
        **extra,
    }


def table(results: dict, briefs: int, triples: int) -> str:
    lines = [
        f"# Engine choices on a synthetic corpus of {briefs} briefs ({triples:,} triples)",
        "",
        "Medians of fresh processes; only the engine's own work is timed "
        "(`benchmarks/engines.py`). *Same answer* compares each choice's fingerprint "
        "with the default's (the first of each group).",
        "",
        "| choice | engine | median | runs | answer | same answer as default |",
        "|---|---|---:|---|---|---|",
    ]
    for component, engines in results.items():
        default = next(iter(engines.values()))
        for engine, r in engines.items():
            if r["median"] is None:
                when = f"> {r['timed_out']:.0f} s (stopped)"
                lines.append(f"| {component} | {engine} | {when} | | | not measured |")
                continue
            same = "yes" if r["answers"] == default.get("answers") else "**no**"
            if engine == next(iter(engines)):
                same = "(default)"
            runs = ", ".join(f"{s:.3f}" for s in r["runs"])
            lines.append(
                f"| {component} | {engine} | {r['median']:.3f} s | {runs} | {r['size']} | {same} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], Path(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("briefs", nargs="?", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    args = parser.parse_args()

    from policygraph import __version__
    from policygraph.atomic import write_text
    from policygraph.synth import synthesize

    corpus = RESULTS / "tmp" / f"engines-corpus-{args.briefs}"
    counts = synthesize(args.briefs, corpus, seed=1)
    results: dict[str, dict] = {}
    for component, engines in CHOICES.items():
        results[component] = {}
        for engine in engines:
            r = measure(component, engine, corpus, args.runs, args.timeout)
            results[component][engine] = r
            print(f"{component:13} {engine:11} {r['median']} {r.get('answers', '')}", flush=True)
    report = {
        "briefs": args.briefs,
        "triples": counts["triples"],
        "runs": args.runs,
        "timeout": args.timeout,
        "policygraph": __version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.system()}",
        "results": results,
    }
    write_text(RESULTS / "engines.json", json.dumps(report, indent=2) + "\n")
    write_text(RESULTS / "engines.md", table(results, args.briefs, counts["triples"]))
    print((RESULTS / "engines.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

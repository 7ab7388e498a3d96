"""How fast each competency question answers on the embedded store, once loaded.

    python benchmarks/query_speed.py [--runs N] [--limit-ms 20] [--output FILE]

Loads ontology + data, computes the full OWL 2 RL entailments, then runs every question
(as asked, and with its header's example parameters when it has some) ``--runs`` times
(after one warm-up run) through ``policygraph.query`` — the call a notebook
makes, including turning the answer into a QueryResult — and reports the median, the
fastest and the slowest run of each, slowest question last. Writes the figures as JSON to
``benchmarks/results/query_speed-<UTC time>.json`` (atomically) and exits 1 when a median
exceeds ``--limit-ms``. Timings are only meaningful on a machine nobody else is loading.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph

import policygraph
from policygraph import atomic
from policygraph.project import find_project
from policygraph.queries import catalogue, embedded, query

RESULTS = Path(__file__).resolve().parent / "results"


def measure(runs: int) -> dict:
    project = find_project()
    started = time.perf_counter()
    kg = embedded(project)
    load_seconds = time.perf_counter() - started
    timings = {}
    cases = []
    for q in catalogue(project):
        cases.append((q.name, q.name, {}))
        if q.examples:
            cases.append((f"{q.name} [example]", q.name, q.example_params()))
    for label, name, params in cases:
        query(kg, name, params)  # warm-up
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            result = query(kg, name, params)
            samples.append((time.perf_counter() - t0) * 1000)
        timings[label] = {
            "median_ms": round(statistics.median(samples), 3),
            "min_ms": round(min(samples), 3),
            "max_ms": round(max(samples), 3),
            "rows": len(result),
            "params": params,
        }
    return {
        "benchmark": "query_speed",
        "measured": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "runs": runs,
        "triples": kg.size(),
        "load_and_entail_seconds": round(load_seconds, 3),
        "versions": {
            "policygraph": policygraph.__version__,
            "pyoxigraph": pyoxigraph.__version__,
            "python": platform.python_version(),
        },
        "machine": platform.machine(),
        "questions": timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per question")
    parser.add_argument("--limit-ms", type=float, default=20.0, help="the goal for a median")
    parser.add_argument("--output", type=Path, help="where to write the JSON figures")
    args = parser.parse_args(argv)
    report = measure(max(1, args.runs))
    ordered = sorted(report["questions"].items(), key=lambda item: item[1]["median_ms"])
    width = max(len(name) for name, _ in ordered)
    print(f"{'question':<{width}}  median ms    min ms    max ms  rows")
    for name, t in ordered:
        print(
            f"{name:<{width}}  {t['median_ms']:>9.3f} {t['min_ms']:>9.3f} {t['max_ms']:>9.3f}"
            f"  {t['rows']:>4}"
        )
    slowest, worst = ordered[-1]
    report["slowest"] = {"question": slowest, "median_ms": worst["median_ms"]}
    print(
        f"\n{len(ordered)} cases on {report['triples']:,} triples, {report['runs']} runs each;"
        f" slowest: {slowest} at {worst['median_ms']:.3f} ms median"
        f" (goal < {args.limit_ms:g} ms)"
    )
    stamp = report["measured"].replace(":", "").replace("-", "")
    output = args.output or RESULTS / f"query_speed-{stamp}.json"
    atomic.write_text(output, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"figures written to {output}")
    over = [name for name, t in ordered if t["median_ms"] >= args.limit_ms]
    if over:
        print(f"over the goal: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

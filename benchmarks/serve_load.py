"""Load on the served endpoint: many clients at once against ``policygraph serve`` on loopback.

    python benchmarks/serve_load.py [--queries 2000] [--clients 16] [--max-seconds 120]
                                    [--dist DIR] [--output FILE]

Starts ``policygraph serve --port 0`` (a real process: the front and Oxigraph behind it) on
127.0.0.1 with the release in ``--dist`` (built into a temporary folder when none is given),
then ``--clients`` threads, each on its own keep-alive HTTP connection, send ``--queries``
SPARQL queries in all, drawn in turn from the competency questions as the query editor sends
them (POST ``/query``, JSON results). The run is bounded: it stops after ``--queries`` or
``--max-seconds``, whichever comes first, and then stops the server by its PID.

Reports throughput (queries per second), p50/p90/p99/max latency and the errors (a status
other than 200, a body that is not SPARQL JSON results, or a broken connection), overall
and per question; writes the figures as JSON to ``benchmarks/results/serve_load-<UTC
time>.json`` (atomically) and exits 1 when any query failed or the count was not reached.
Figures are only meaningful on a machine nobody else is loading: clients and server share
its cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import policygraph
from policygraph import atomic
from policygraph.release import build, read_manifest
from policygraph.serve import editor_text, questions

RESULTS = Path(__file__).resolve().parent / "results"


def start_server(dist: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "policygraph",
            "serve",
            "--dist",
            str(dist),
            "--port",
            "0",
            "--quiet",
            "--no-build",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = ""
    for line in process.stdout:
        if match := re.match(r"serving .* at (http://\S+)$", line.strip()):
            url = match.group(1)
        if line.startswith("Press Ctrl-C"):
            return process, url
    process.wait(10)
    raise SystemExit(f"policygraph serve did not start (exit {process.returncode})")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_load(
    url: str, work: list[tuple[str, str]], total: int, clients: int, max_seconds: float
) -> tuple[list[tuple[str, float]], list[tuple[str, str]], float]:
    """``total`` requests over ``clients`` threads; (name, ms) per answer, errors, seconds."""
    parts = urlsplit(url)
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[tuple[str, float]] = []
    errors: list[tuple[str, str]] = []
    started = time.perf_counter()
    deadline = started + max_seconds

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                name, body = work[i % len(work)]
                t0 = time.perf_counter()
                try:
                    connection.request(
                        "POST",
                        "/query",
                        body=body,
                        headers={
                            "Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/sparql-results+json",
                        },
                    )
                    response = connection.getresponse()
                    data = response.read()
                    ok = response.status == 200 and (
                        "results" in (answer := json.loads(data)) or "boolean" in answer
                    )
                    problem = "" if ok else f"HTTP {response.status}: {data[:100]!r}"
                except (OSError, http.client.HTTPException, ValueError) as err:
                    problem = f"{type(err).__name__}: {err}"
                    connection.close()
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if problem:
                        errors.append((name, problem))
                    else:
                        latencies.append((name, elapsed))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, name=f"client-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=2000, help="queries in all")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop sending after")
    parser.add_argument("--dist", type=Path, help="a built release (default: build one)")
    parser.add_argument("--output", type=Path, help="where to write the JSON figures")
    args = parser.parse_args(argv)
    if args.queries < 1 or args.clients < 1 or args.max_seconds <= 0:
        parser.error("--queries, --clients and --max-seconds must be positive")

    with tempfile.TemporaryDirectory(prefix="policygraph-serve-load-") as scratch:
        dist = args.dist
        if dist is None:
            dist = Path(scratch) / "dist"
            build(out=dist, quiet=True)
        manifest = read_manifest(dist)
        work = [(q.name, urlencode({"query": editor_text(q)})) for q in questions(dist, manifest)]
        process, url = start_server(dist)
        try:
            run_load(url, work, min(len(work), args.queries), 1, 30)  # warm-up, once each
            latencies, errors, seconds = run_load(
                url, work, args.queries, args.clients, args.max_seconds
            )
        finally:
            os.kill(process.pid, signal.SIGINT)
            process.wait(30)

    samples = [ms for _, ms in latencies]
    done = len(samples) + len(errors)
    per_question = {}
    for name in sorted({n for n, _ in work}):
        mine = [ms for n, ms in latencies if n == name]
        if mine:
            per_question[name] = {
                "answers": len(mine),
                "p50_ms": round(statistics.median(mine), 2),
                "p99_ms": round(percentile(mine, 0.99), 2),
            }
    report = {
        "benchmark": "serve_load",
        "measured": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "queries_asked": args.queries,
        "queries_sent": done,
        "clients": args.clients,
        "max_seconds": args.max_seconds,
        "seconds": round(seconds, 3),
        "throughput_qps": round(done / seconds, 1) if seconds else None,
        "answered": len(samples),
        "errors": len(errors),
        "error_examples": [f"{n}: {p}" for n, p in errors[:5]],
        "latency_ms": {
            "p50": round(statistics.median(samples), 2) if samples else None,
            "p90": round(percentile(samples, 0.90), 2) if samples else None,
            "p99": round(percentile(samples, 0.99), 2) if samples else None,
            "max": round(max(samples), 2) if samples else None,
        },
        "triples": manifest.files[manifest.find("entailed", "application/n-triples")].triples,
        "questions": per_question,
        "versions": {"policygraph": policygraph.__version__, "python": platform.python_version()},
        "machine": {"arch": platform.machine(), "cpus": os.cpu_count()},
    }
    latency = report["latency_ms"]
    print(
        f"{done:,} queries from {args.clients} clients in {seconds:.2f} s: "
        f"{report['throughput_qps']} queries/s; latency p50 {latency['p50']} ms, "
        f"p90 {latency['p90']} ms, p99 {latency['p99']} ms, max {latency['max']} ms; "
        f"{len(errors)} errors ({report['triples']:,} triples, {len(work)} questions)"
    )
    stamp = report["measured"].replace(":", "").replace("-", "")
    output = args.output or RESULTS / f"serve_load-{stamp}.json"
    atomic.write_text(output, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"figures written to {output}")
    if errors or done < args.queries:
        for line in report["error_examples"]:
            print(f"error: {line}", file=sys.stderr)
        if done < args.queries:
            print(
                f"only {done} of {args.queries} queries within {args.max_seconds:g} s",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

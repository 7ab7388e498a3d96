"""Benchmark suite: every stage of policygraph, and the plain rdflib pipeline, at several sizes.

    .venv/bin/pip install -q -e '.[test,bench]'
    .venv/bin/python benchmarks/suite.py --sizes 10 100 1000 5000

For each size N, ``policygraph synth --briefs N`` writes a deterministic synthetic corpus
(about 520 triples a brief) and the suite measures, ``--runs`` times (default 3 up to 100
briefs, 1 above; medians reported):

* **process** stages, each a fresh ``policygraph`` process as a user runs it: ``stats --data``
  (load + full entailment), ``validate`` (quote check included), ``build --data --out`` and
  ``query NAME --data`` for every competency question;
* **in-process** stages, library calls timed with ``time.perf_counter`` inside a fresh worker
  process per group (``load``; ``entail`` structural and full; ``validate_graph``; the quote
  check; every competency question on the loaded, fully entailed store (median of 5 after a
  warm-up); canonicalisation and every dump format of ``dumps.serialize``; ``release.build``);
* the **reference** pipeline a user would otherwise script, as one process: rdflib parse of the
  same files -> owlrl OWL-RL closure -> pyshacl (the project's shapes, inference none) ->
  rdflib serialise of the closure as Turtle and N-Triples, each step timed. A step that runs
  longer than ``--reference-budget`` seconds is killed and recorded as over budget; at the
  larger sizes that step and the ones after it are skipped.

Peak memory is that of the whole process tree (the build forks workers): the larger of the
``ru_maxrss`` that ``wait4`` reports (the largest single process of the tree, children that
were waited for included) and the sum of PSS over the process and all its descendants,
sampled every 0.2 s (``/proc/PID/smaps_rollup``: pages shared with forked workers divided
among them, so a fork is not counted twice). The sum of RSS over the tree, sampled every
50 ms with psutil, is recorded too (``runs_memory`` in the JSON): it counts shared
copy-on-write pages once per process, an upper bound. An in-process stage's peak is its
worker's (which holds what the stage needs: the loaded graph).

Triples (for triples/s and the log-log slope) are the triples a load puts in the store:
ontology + vocabularies + data + shapes.

Writes ``benchmarks/results/suite.json``, ``suite.md`` and ``suite.png`` (``--out``), and
checks the issue's targets (PASS/MISS with the margin). A stage that fails is recorded with
its error and the suite goes on. Not part of the test run; the machine should be otherwise idle.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
LIBRARIES = (
    "policygraph",
    "pyoxigraph",
    "pyrudof",
    "rdflib",
    "owlrl",
    "pyshacl",
    "psutil",
    "matplotlib",
)
QUERY_REPEATS = 5  # timed runs of each question in one in-process worker, after a warm-up
SAMPLE_SECONDS = 0.05
MEMORY_MEASURE = (
    "peak_mb = max(ru_maxrss from wait4: the largest single process of the tree, waited-for "
    "children included; the sum of PSS over the process tree, sampled every 0.2 s from "
    "/proc/PID/smaps_rollup). runs_memory also gives the sum of RSS over the tree (sampled "
    "every 50 ms), which counts pages shared with forked workers once per process: an upper "
    "bound. Where PSS cannot be read, the RSS sum is used instead."
)

# in-process worker groups and the stages each times
WORKERS = ("load", "entail", "validate", "queries", "dumps", "build")
REFERENCE_STEPS = ("parse", "owlrl closure", "pyshacl validate", "serialise ttl", "serialise nt")

PROCESS_PREFIX = "process: "
INPROC_PREFIX = "in-process: "
REFERENCE_PREFIX = "reference: "
REFERENCE_WHOLE = "reference: whole process"
BUILD_PROCESS = "process: build"


# --- measuring a process ---------------------------------------------------------------


@dataclass
class Measured:
    """One run of one process: wall time, peak memory, how it ended."""

    seconds: float
    peak_mb: float
    tree_rss_mb: float
    tree_pss_mb: float | None
    maxrss_mb: float
    returncode: int | None
    status: str = "ok"  # ok | error | over budget
    error: str | None = None
    stdout: str = ""
    steps: dict[str, float] = field(default_factory=dict)  # reference steps that finished
    over_step: str | None = None  # the reference step killed for its budget


def _pss(member) -> int | None:
    """Proportional set size in bytes (shared pages divided among the processes sharing them)."""
    try:
        with open(f"/proc/{member.pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return member.memory_full_info().pss
    except Exception:  # no PSS on this platform, or the process is gone
        return None


def _tree_memory(process, with_pss: bool) -> tuple[int, int | None]:
    """(sum of RSS, sum of PSS or None) over ``process`` and all its descendants."""
    import psutil

    rss, pss = 0, 0 if with_pss else None
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, None
    for member in members:
        with contextlib.suppress(psutil.Error):
            rss += member.memory_info().rss
            if pss is not None:
                share = _pss(member)
                pss = None if share is None else pss + share
    return rss, pss


def _read_progress(path: Path | None) -> list[dict]:
    if path is None or not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # a line being written
            break
    return events


def run_measured(
    command: list[str],
    *,
    timeout: float | None = None,
    step_budget: float | None = None,
    progress: Path | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> Measured:
    """Run ``command`` to its end (or until a budget is spent), measuring time and memory.

    ``progress`` is a JSON-lines file the process appends ``{"step", "event", "at"}`` to;
    a step running longer than ``step_budget`` seconds gets the process killed.
    """
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, start_new_session=True)
        watched = psutil.Process(proc.pid)
        tree_peak = pss_peak = 0
        pss_ok = True
        samples = 0
        killed_for = None
        step_seen: dict[str, float] = {}
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            # PSS costs more to read: every 4th sample (0.2 s), and the first ones
            with_pss = pss_ok and (samples < 4 or samples % 4 == 0)
            rss, pss = _tree_memory(watched, with_pss)
            samples += 1
            tree_peak = max(tree_peak, rss)
            if with_pss:
                if pss is None:
                    pss_ok = False
                else:
                    pss_peak = max(pss_peak, pss)
            now = time.perf_counter()
            if timeout is not None and now - started > timeout:
                killed_for = "timeout"
            elif step_budget is not None and progress is not None:
                events = _read_progress(progress)
                for event in events:
                    if event["event"] == "start":
                        step_seen.setdefault(event["step"], now)
                running = [e for e in events if e["event"] == "start"]
                ended = {e["step"] for e in events if e["event"] == "end"}
                current = [e["step"] for e in running if e["step"] not in ended]
                if current and now - step_seen[current[-1]] > step_budget:
                    killed_for = current[-1]
            if killed_for:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    maxrss = usage.ru_maxrss / 1024  # KiB on Linux
    tree = tree_peak / 2**20
    tree_pss = pss_peak / 2**20 if pss_ok and pss_peak else None
    measured = Measured(
        seconds=seconds,
        peak_mb=max(maxrss, tree if tree_pss is None else tree_pss),
        tree_rss_mb=tree,
        tree_pss_mb=tree_pss,
        maxrss_mb=maxrss,
        returncode=proc.returncode,
        stdout=stdout,
    )
    events = _read_progress(progress)
    measured.steps = {e["step"]: e["seconds"] for e in events if e["event"] == "end"}
    if killed_for == "timeout":
        measured.status, measured.error = "error", f"killed after the {timeout:g} s timeout"
    elif killed_for:
        measured.status, measured.over_step = "over budget", killed_for
        measured.error = f"{killed_for}: killed after {step_budget:g} s"
    elif proc.returncode not in ok_codes:
        measured.status = "error"
        tail = (stderr.strip() or stdout.strip()).splitlines()[-3:]
        measured.error = f"exit {proc.returncode}: " + " | ".join(tail)[-500:]
    return measured


def policygraph_command() -> list[str]:
    beside = Path(sys.executable).with_name("policygraph")
    base = [str(beside)] if beside.exists() else [sys.executable, "-m", "policygraph"]
    return [*base, "--project", str(ROOT)]


# --- in-process workers (run in a fresh process: python suite.py --worker GROUP ...) ----


def heaviest_params(kg, question) -> dict:
    """For each parameter of ``question``, the value that occurs in most rows of its answer
    for every node (its example when the query does not return that variable)."""
    from collections import Counter

    from policygraph.queries import bind, query

    whole = query(kg, question.name)
    params = {}
    example = bind(question.example_params())
    for variable, _meaning in question.params:
        if variable in whole.columns:
            column = whole.columns.index(variable)
            counts = Counter(row[column] for row in whole.terms if row[column] is not None)
            if counts:
                params[variable] = min(counts, key=lambda t: (-counts[t], str(t)))
                continue
        if variable in example:
            params[variable] = example[variable]
    return params


def _timed(func):
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def worker(group: str, corpus: Path, scratch: Path) -> dict:
    """Run one group of in-process stages on ``corpus``; returns {"stages", "triples", ...}."""
    from policygraph import dumps, layout
    from policygraph.graph import load
    from policygraph.project import Project
    from policygraph.reasoning import entail

    project = Project(ROOT)
    data = [corpus]
    stages: dict[str, float] = {}
    info: dict = {}

    def loaded(profile: str | None = None, shapes: bool = True):
        kg = load(project, data=data, shapes=shapes)
        if profile:
            entail(kg, profile="structural")
        if profile == "full":
            entail(kg, profile="full")
        return kg

    if group == "load":
        stages["load"], kg = _timed(lambda: load(project, data=data))
        info["triples"] = len(kg.store)
        info["parts"] = {part: kg.size(part) for part in ("ontology", "data", "shapes")}
    elif group == "entail":
        kg = loaded()
        stages["entail structural"], _ = _timed(lambda: entail(kg, profile="structural"))
        stages["entail full (after structural)"], _ = _timed(lambda: entail(kg, profile="full"))
        kg = loaded()
        stages["entail full"], _ = _timed(lambda: entail(kg, profile="full"))
        info["entailed"] = kg.size("entailments")
    elif group == "validate":
        from policygraph.validation import add_quote_check, validate_graph

        kg = loaded("structural")
        stages["validate (SHACL)"], report = _timed(lambda: validate_graph(kg))
        info["conforms"] = report.conforms()
        info["engine"] = report.engine
        sources = corpus / "sources"
        if sources.is_dir():
            stages["quote check"], _ = _timed(lambda: add_quote_check(report, kg, [sources]))
    elif group == "queries":
        from policygraph.queries import catalogue, query

        kg = loaded("full", shapes=False)
        rows: dict[str, int] = {}
        asked: dict[str, dict[str, str]] = {}

        def median_of(name: str, params: dict) -> tuple[float, int]:
            query(kg, name, params)  # warm-up
            samples, result = [], None
            for _ in range(QUERY_REPEATS):
                seconds, result = _timed(lambda: query(kg, name, params))
                samples.append(seconds)
            return statistics.median(samples), len(result)

        for question in catalogue(project):
            name = question.name
            if not question.params:
                stages[f"query {name}"], rows[name] = median_of(name, {})
                continue
            # A question about a given node is timed as asked, for the node of the corpus
            # with the largest answer; its answer for every node at once is timed too.
            stages[f"listing {name}"], rows[f"{name} (all)"] = median_of(name, {})
            params = heaviest_params(kg, question)
            asked[name] = {k: str(v) for k, v in params.items()}
            stages[f"query {name}"], rows[name] = median_of(name, params)
        info["rows"] = rows
        info["asked_with"] = asked
    elif group == "dumps":
        from policygraph.release import GRAPH_PARTS

        kg = loaded("full")
        stages["dumps: canonicalise"], dataset = _timed(lambda: dumps.canonical_dataset(kg))

        def sort():
            return {
                graph: (
                    dumps.quads_of(dataset, parts)
                    if graph == "dataset"
                    else dumps.triples_of(dataset, parts)
                )
                for graph, parts in GRAPH_PARTS.items()
            }

        stages["dumps: sort"], statements = _timed(sort)
        stages["dumps: JSON-LD context"], context = _timed(
            lambda: dumps.jsonld_context(statements["entailed"])
        )
        info["bytes"] = {}
        for suffix, fmt in layout.FORMATS.items():
            graph = "dataset" if fmt.quads else "entailed"
            seconds, data_bytes = _timed(
                lambda fmt=fmt, graph=graph: dumps.serialize(statements[graph], fmt, context)
            )
            stages[f"dump {suffix} ({graph})"] = seconds
            info["bytes"][suffix] = len(data_bytes)
    elif group == "build":
        from policygraph.release import build

        shutil.rmtree(scratch / "dist", ignore_errors=True)  # not timed: see _processes
        stages["build"], release = _timed(
            lambda: build(project, data=data, out=scratch / "dist", quiet=True)
        )
        info["build_stages"] = {k: round(v, 4) for k, v in release.timings.items()}
    else:
        raise SystemExit(f"unknown worker group {group!r}")
    return {"stages": stages, **info}


def reference(corpus: Path, out: Path, progress: Path, skip: set[str]) -> None:
    """The plain pipeline a user would script, step by step, logging each step's start and end."""

    def log(step: str, event: str, seconds: float | None = None) -> None:
        with progress.open("a") as handle:
            handle.write(json.dumps({"step": step, "event": event, "seconds": seconds}) + "\n")

    def step(name: str, func):
        log(name, "start")
        seconds, value = _timed(func)
        log(name, "end", seconds)
        return value

    import owlrl
    import pyshacl
    import rdflib

    from policygraph.project import Project, rdf_files

    project = Project(ROOT)
    files = {
        "ontology": project.ontology_files(),
        "data": rdf_files([corpus]),
        "shapes": project.shapes_files(),
    }

    def parse():
        graphs = {}
        for part, paths in files.items():
            graph = rdflib.Graph()
            for path in paths:
                graph.parse(path)
            graphs[part] = graph
        return graphs

    if "parse" in skip:
        return
    graphs = step("parse", parse)

    def closure():
        entailed = rdflib.Graph()
        for triple in graphs["ontology"]:
            entailed.add(triple)
        for triple in graphs["data"]:
            entailed.add(triple)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(entailed)
        return entailed

    if "owlrl closure" in skip:
        return
    entailed = step("owlrl closure", closure)
    # the full closure (owlrl cannot leave domain and range out) is what a plain script
    # validates; whether it conforms is written down, it does not stop the timing
    if "pyshacl validate" in skip:
        return
    verdict = step(
        "pyshacl validate",
        lambda: pyshacl.validate(entailed, shacl_graph=graphs["shapes"], inference="none")[0],
    )
    (out / "conforms").write_text(str(verdict))
    for suffix, fmt in (("ttl", "turtle"), ("nt", "nt")):
        if f"serialise {suffix}" in skip:
            return
        step(
            f"serialise {suffix}",
            lambda s=suffix, f=fmt: entailed.serialize(out / f"entailed.{s}", format=f),
        )


# --- the suite ------------------------------------------------------------------------


@dataclass
class Stage:
    """The runs of one stage at one size."""

    name: str
    kind: str  # process | in-process | reference
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    memory: list[dict] = field(default_factory=list)  # both measures of every run
    status: str = "ok"  # ok | error | over budget | skipped
    error: str | None = None
    lower_bound: float | None = None  # for an over-budget stage: it took longer than this

    def add(self, seconds: float | None, measured: Measured | None) -> None:
        if seconds is not None:
            self.seconds.append(seconds)
        if measured is not None:
            self.peak_mb.append(measured.peak_mb)
            self.memory.append(
                {
                    "tree_rss_mb": round(measured.tree_rss_mb, 1),
                    "tree_pss_mb": (
                        round(measured.tree_pss_mb, 1) if measured.tree_pss_mb is not None else None
                    ),
                    "maxrss_mb": round(measured.maxrss_mb, 1),
                }
            )

    def fail(self, status: str, error: str | None, lower_bound: float | None = None) -> None:
        if self.status == "ok" or status == "over budget":
            self.status, self.error = status, error
        if lower_bound is not None:
            self.lower_bound = max(self.lower_bound or 0.0, lower_bound)

    def summary(self, triples: int | None) -> dict:
        median = statistics.median(self.seconds) if self.seconds and self.status == "ok" else None
        return {
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
            "runs_seconds": [round(s, 6) for s in self.seconds],
            "seconds": round(median, 6) if median is not None else None,
            "lower_bound_seconds": self.lower_bound,
            "peak_mb": round(max(self.peak_mb), 1) if self.peak_mb else None,
            "runs_memory": self.memory,
            "triples": triples,
            "triples_per_second": (round(triples / median) if median and triples else None),
        }


class Suite:
    def __init__(
        self,
        workdir: Path,
        reference_budget: float,
        timeout: float | None,
        questions: list[str] | None = None,
        log=print,
        in_process_max: int | None = None,
        reference_max: int | None = None,
    ):
        self.workdir = workdir
        self.budget = reference_budget
        self.in_process_max = in_process_max
        self.reference_max = reference_max
        self.timeout = timeout
        self.log = log
        from policygraph.project import Project
        from policygraph.queries import catalogue

        names = [q.name for q in catalogue(Project(ROOT))]
        self.questions = names if questions is None else [n for n in names if n in questions]
        self.reference_skip: dict[str, int] = {}  # step -> size at which it went over budget

    # one size ----------------------------------------------------------------------
    def corpus(self, briefs: int) -> Path:
        folder = self.workdir / f"corpus-{briefs}"
        command = [*policygraph_command(), "synth", "--briefs", str(briefs), "--out", str(folder)]
        done = subprocess.run([*command, "-q"], cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"synth failed: {done.stderr.strip()[-500:]}")
        return folder

    def measure_size(self, briefs: int, runs: int) -> dict:
        corpus = self.corpus(briefs)
        stages: dict[str, Stage] = {}
        facts: dict = {}

        def stage(name: str, kind: str) -> Stage:
            return stages.setdefault(name, Stage(name, kind))

        load_before = os.getloadavg()
        for run in range(1, runs + 1):
            self.log(f"  run {run}/{runs}")
            self._processes(corpus, stage, facts)
            for group in WORKERS:
                if group != "load" and briefs > (self.in_process_max or briefs):
                    stage(INPROC_PREFIX + group, "in-process").fail(
                        "skipped", f"in-process stages only up to {self.in_process_max} briefs"
                    )
                    continue
                self._worker(group, corpus, stage, facts)
            if briefs > (self.reference_max or briefs):
                stage(REFERENCE_WHOLE, "reference").fail(
                    "skipped", f"the reference only up to {self.reference_max} briefs"
                )
            else:
                self._reference(briefs, corpus, stage, facts)
        triples = facts.get("triples")
        result = {
            "briefs": briefs,
            "runs": runs,
            "triples": triples,
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in os.getloadavg()],
            },
            "facts": facts,
            "stages": {name: s.summary(triples) for name, s in stages.items()},
        }
        self._aggregate_queries(result["stages"], triples)
        return result

    def _processes(self, corpus: Path, stage, facts: dict) -> None:
        pg = policygraph_command()
        scratch = self.workdir / "scratch"
        commands = [
            ("stats (load + entail full)", [*pg, "stats", "--data", str(corpus), "--json"], (0,)),
            ("validate", [*pg, "validate", str(corpus)], (0, 1)),
            ("build", [*pg, "build", "--data", str(corpus), "--out", str(scratch), "-q"], (0,)),
        ]
        commands += [
            (f"query {name}", [*pg, "query", name, "--data", str(corpus), "--format", "json"], (0,))
            for name in self.questions
        ]
        for name, command, ok in commands:
            s = stage(PROCESS_PREFIX + name, "process")
            # a build replaces the release already there: clear it first, outside the timing
            # (deleting the release of 5,000 briefs, 350,000 files, took ~25 s)
            shutil.rmtree(scratch, ignore_errors=True)
            try:
                m = run_measured(command, timeout=self.timeout, ok_codes=ok)
            except Exception as err:  # the suite goes on
                s.fail("error", f"{type(err).__name__}: {err}")
                continue
            if m.status != "ok":
                s.fail(m.status, m.error)
            if name == "validate":
                facts["validate_exit"] = m.returncode  # 0 conforms, 1 does not
            s.add(m.seconds if m.status == "ok" else None, m)
            self.log(f"    {s.name:<48} {m.seconds:8.3f} s {m.peak_mb:8.0f} MB  {m.status}")

    def _worker(self, group: str, corpus: Path, stage, facts: dict) -> None:
        result_file = self.workdir / f"worker-{group}.json"
        result_file.unlink(missing_ok=True)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            group,
            "--corpus",
            str(corpus),
            "--result",
            str(result_file),
            "--workdir",
            str(self.workdir / "scratch-worker"),
        ]
        try:
            m = run_measured(command, timeout=self.timeout)
            result = json.loads(result_file.read_text()) if result_file.exists() else None
        except Exception as err:
            m, result = None, {"error": f"{type(err).__name__}: {err}"}
        if result is None or "error" in result:
            error = (result or {}).get("error") or (m.error if m else None) or "no result"
            stage(INPROC_PREFIX + group, "in-process").fail("error", error)
            self.log(f"    {INPROC_PREFIX + group:<48} error: {error[:200]}")
            return
        for name, seconds in result.pop("stages").items():
            s = stage(INPROC_PREFIX + name, "in-process")
            s.add(seconds, m)
            self.log(f"    {s.name:<48} {seconds:8.4f} s {m.peak_mb:8.0f} MB")
        facts.update(result)

    def _reference(self, briefs: int, corpus: Path, stage, facts: dict) -> None:
        out = self.workdir / "reference-out"
        out.mkdir(parents=True, exist_ok=True)
        progress = self.workdir / "reference-progress.jsonl"
        progress.unlink(missing_ok=True)
        skipped: list[str] = []
        for step in REFERENCE_STEPS:
            if step in self.reference_skip or skipped:
                skipped.append(step)
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            "reference",
            "--corpus",
            str(corpus),
            "--result",
            str(out),
            "--progress",
            str(progress),
            *(["--skip", *skipped] if skipped else []),
        ]
        whole = stage(REFERENCE_WHOLE, "reference")
        try:
            m = run_measured(command, step_budget=self.budget, progress=progress)
        except Exception as err:
            whole.fail("error", f"{type(err).__name__}: {err}")
            return
        for step in REFERENCE_STEPS:
            s = stage(REFERENCE_PREFIX + step, "reference")
            if step in m.steps:
                s.add(m.steps[step], m)
            elif step == m.over_step:
                s.fail("over budget", f"> {self.budget:g} s", lower_bound=self.budget)
                s.add(None, m)
                self.reference_skip.setdefault(step, briefs)
            elif step in skipped:
                first = min(self.reference_skip.values(), default=briefs)
                s.fail("skipped", f"a step went over budget at {first} briefs")
            elif m.status != "ok":
                s.fail("skipped" if m.status == "over budget" else "error", m.error)
        if m.status == "ok" and not skipped:
            whole.add(m.seconds, m)
            conforms = out / "conforms"
            facts["reference_conforms"] = conforms.read_text() == "True"
        else:
            # a step that went over its budget at a smaller size counts at its budget here:
            # it does not get faster on more data
            done = sum(m.steps.values()) + sum(
                self.budget for step in skipped if step in self.reference_skip
            )
            over = m.status == "over budget"
            bound = done + self.budget if over else done if skipped and done else None
            whole.fail(
                "over budget" if m.status == "over budget" or skipped else m.status,
                m.error or f"steps skipped: {', '.join(skipped)}",
                lower_bound=bound,
            )
            whole.add(None, m)
        self.log(f"    {REFERENCE_WHOLE:<48} {m.seconds:8.3f} s {m.peak_mb:8.0f} MB  {m.status}")

    @staticmethod
    def _aggregate_queries(stages: dict, triples: int | None) -> None:
        """The slowest question of each kind, as one row."""
        for prefix in (PROCESS_PREFIX, INPROC_PREFIX):
            rows = [
                (v["seconds"], v["peak_mb"], k)
                for k, v in stages.items()
                if k.startswith(prefix + "query ") and v["seconds"] is not None
            ]
            if rows:
                seconds, _, name = max(rows)
                stages[prefix + "queries (slowest)"] = {
                    "kind": "process" if prefix == PROCESS_PREFIX else "in-process",
                    "status": "ok",
                    "error": None,
                    "question": name.removeprefix(prefix + "query "),
                    "seconds": seconds,
                    "peak_mb": max(r[1] or 0 for r in rows),
                    "triples": triples,
                    "triples_per_second": round(triples / seconds) if triples else None,
                }


# --- figures: targets, slope, Markdown, plot -----------------------------------------------


def _size(results: dict, briefs: int) -> dict | None:
    return next((s for s in results["sizes"] if s["briefs"] == briefs), None)


def _stage(results: dict, briefs: int, name: str) -> dict | None:
    size = _size(results, briefs)
    return size["stages"].get(name) if size else None


def loglog_slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(seconds) against log(triples)."""
    points = [(x, y) for x, y in points if x and y and x > 0 and y > 0]
    if len(points) < 2:
        return None
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def build_slope(results: dict) -> dict:
    points = [
        (s["triples"], s["stages"].get(BUILD_PROCESS, {}).get("seconds"))
        for s in results["sizes"]
        if s["briefs"] >= 100
    ]
    points = [p for p in points if p[1]]
    slope = loglog_slope(points)
    return {
        "from_briefs": 100,
        "to_briefs": max((s["briefs"] for s in results["sizes"]), default=None),
        "points": len(points),
        "slope": round(slope, 3) if slope is not None else None,
    }


def ratio(results: dict, briefs: int) -> dict | None:
    """Reference whole-process time over build process time (a lower bound if over budget)."""
    build = _stage(results, briefs, BUILD_PROCESS)
    ref = _stage(results, briefs, REFERENCE_WHOLE)
    if not build or not ref or not build["seconds"]:
        return None
    if ref["seconds"]:
        return {"ratio": round(ref["seconds"] / build["seconds"], 2), "at_least": False}
    if ref.get("lower_bound_seconds"):
        return {"ratio": round(ref["lower_bound_seconds"] / build["seconds"], 2), "at_least": True}
    return None


def _target(name, value, limit, unit, *, at_least=False, lower_bound=False):
    if value is None:
        return {"target": name, "status": "NOT MEASURED", "value": None, "limit": limit}
    ok = value >= limit if at_least else value <= limit
    if lower_bound and not ok:  # a lower bound that misses says nothing
        return {"target": name, "status": "NOT MEASURED", "value": value, "limit": limit}
    margin = value - limit if at_least else limit - value
    return {
        "target": name,
        "status": "PASS" if ok else "MISS",
        "value": round(value, 4),
        "limit": limit,
        "unit": unit,
        "margin": round(margin, 4),
    }


def targets(results: dict) -> list[dict]:
    def seconds(briefs, name):
        s = _stage(results, briefs, name)
        return s["seconds"] if s else None

    def peak(briefs, name):
        s = _stage(results, briefs, name)
        return s["peak_mb"] if s else None

    r = ratio(results, 1000)
    size = _size(results, 1000)
    questions = (
        [
            v["seconds"] * 1000
            for k, v in size["stages"].items()
            if k.startswith(INPROC_PREFIX + "query ")
        ]
        if size
        else []
    )
    slowest = max(questions) if questions and all(q is not None for q in questions) else None
    slope = build_slope(results)
    return [
        _target("build of 1000 briefs <= 60 s", seconds(1000, BUILD_PROCESS), 60, "s"),
        _target(
            "build of 1000 briefs >= 5x faster than the reference",
            r["ratio"] if r else None,
            5,
            "x",
            at_least=True,
            lower_bound=bool(r and r["at_least"]),
        ),
        _target("build of 1000 briefs peak <= 4 GB", peak(1000, BUILD_PROCESS), 4096, "MB"),
        _target("validate of 1000 briefs <= 15 s", seconds(1000, "process: validate"), 15, "s"),
        _target(
            "each competency question <= 50 ms at 1000 briefs (in-process median)",
            slowest,
            50,
            "ms",
        ),
        _target("build of 5000 briefs peak <= 24 GB", peak(5000, BUILD_PROCESS), 24576, "MB"),
        _target(
            "log-log slope of build time, 100 briefs to the largest <= 1.15",
            slope["slope"] if slope["points"] >= 2 and slope["to_briefs"] >= 1000 else None,
            1.15,
            "",
        ),
    ]


def _cell(stage: dict | None) -> str:
    if stage is None:
        return ""
    peak = f"{stage['peak_mb']:,.0f} MB" if stage.get("peak_mb") else "–"
    if stage["status"] == "over budget":
        bound = stage.get("lower_bound_seconds")
        return f"> budget{f' (> {bound:,.0f} s)' if bound else ''} / {peak}"
    if stage["status"] != "ok" or stage["seconds"] is None:
        return stage["status"]
    tps = f"{stage['triples_per_second']:,}" if stage.get("triples_per_second") else "–"
    return f"{_fmt_seconds(stage['seconds'])} / {peak} / {tps}"


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:,.1f} s"


def markdown(results: dict) -> str:
    sizes = [s["briefs"] for s in results["sizes"]]
    names: list[str] = []
    for size in results["sizes"]:
        for name in size["stages"]:
            if name not in names:
                names.append(name)
    main = [n for n in names if " query " not in f" {n}" and " listing " not in f" {n}"]
    queries = [n for n in names if " query " in f" {n}"]
    header = "| stage | " + " | ".join(f"{b:,} briefs" for b in sizes) + " |"
    rule = "|---|" + "---|" * len(sizes)
    triples = "| triples loaded | " + " | ".join(
        f"{s['triples']:,}" if s.get("triples") else "–" for s in results["sizes"]
    )
    per_size = ", ".join(f"{s['briefs']}: {s['runs']}" for s in results["sizes"])
    loads = ", ".join(
        f"{s['briefs']}: {s['load_average']['before'][0]:g} → {s['load_average']['after'][0]:g}"
        for s in results["sizes"]
        if s.get("load_average")
    )
    lines = [
        "# policygraph benchmark suite",
        "",
        f"Measured {results['measured']} on {results['machine']['summary']}; "
        f"policygraph {results['versions'].get('policygraph')} (commit "
        f"{results['machine'].get('commit', '?')}). Command: `{results['command']}`.",
        "",
        "Each cell: median wall time / peak memory of the process tree / triples loaded per "
        "second. *process*: a fresh `policygraph` process; *in-process*: a library call timed "
        "inside a worker process (its peak is the worker's); *reference*: rdflib parse → owlrl "
        "→ pyshacl → rdflib serialise, one process, steps timed inside it. "
        f"Runs per size: {per_size}; "
        f"reference budget {results['reference_budget']:g} s a step. "
        f"Load average (1 min) when each size started → ended: {loads or '–'} "
        f"(on {results['machine']['cpus']} CPUs: above that, other work shared the machine).",
        "",
        header,
        rule,
        triples + " |",
    ]
    for name in main:
        cells = [_cell(_stage(results, b, name)) for b in sizes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Build against the reference", ""]
    for b in sizes:
        r = ratio(results, b)
        if r:
            lines.append(
                f"- {b:,} briefs: the reference takes {'at least ' if r['at_least'] else ''}"
                f"{r['ratio']}× the time of `policygraph build`"
            )
    slope = results["build_slope"]
    lines.append(
        f"- log–log slope of build time against triples, {slope['from_briefs']} to "
        f"{slope['to_briefs']} briefs ({slope['points']} sizes, least squares): "
        + (f"{slope['slope']}" if slope["slope"] is not None else "needs two sizes ≥ 100")
    )
    lines += [
        "",
        "## Targets (issue 8)",
        "",
        "| target | result | value | margin |",
        "|---|---|---|---|",
    ]
    for t in results["targets"]:
        value = "–" if t["value"] is None else f"{t['value']:,} {t.get('unit', '')}".strip()
        margin = f"{t['margin']:,}" if t.get("margin") is not None else "–"
        lines.append(f"| {t['target']} | {t['status']} | {value} | {margin} |")
    if queries:
        lines += [
            "",
            "## Competency questions",
            "",
            "In-process: median of "
            f"{QUERY_REPEATS} runs after a warm-up, in ms. Process: the whole "
            "`policygraph query NAME --data DIR` (load and full entailment included), in s.",
            "",
            "| question | " + " | ".join(f"{b:,}: in-process ms / process s" for b in sizes) + " |",
            rule,
        ]
        for q in sorted({n.split("query ", 1)[1] for n in queries}):
            cells = []
            for b in sizes:
                inner = _stage(results, b, f"{INPROC_PREFIX}query {q}")
                outer = _stage(results, b, f"{PROCESS_PREFIX}query {q}")
                a = f"{inner['seconds'] * 1000:.2f}" if inner and inner["seconds"] else "–"
                c = f"{outer['seconds']:.2f}" if outer and outer["seconds"] else "–"
                cells.append(f"{a} / {c}")
            lines.append(f"| {q} | " + " | ".join(cells) + " |")
        listings = sorted({n.split("listing ", 1)[1] for n in names if " listing " in f" {n}"})
        if listings:
            lines += [
                "",
                "A question about a given node (a `# param:` of its query) is timed above as "
                "asked, for the node of the corpus with the largest answer "
                "(`asked_with` in the JSON). Its answer for every node at once, the whole "
                "corpus listed, takes (in-process ms; rows at the largest size):",
                "",
                "| question, every node | " + " | ".join(f"{b:,}" for b in sizes) + " | rows |",
                rule + "---|",
            ]
            for q in listings:
                cells = []
                for b in sizes:
                    inner = _stage(results, b, f"{INPROC_PREFIX}listing {q}")
                    cells.append(
                        f"{inner['seconds'] * 1000:.2f}" if inner and inner["seconds"] else "–"
                    )
                rows = (results["sizes"][-1].get("facts", {}).get("rows") or {}).get(f"{q} (all)")
                lines.append(f"| {q} | " + " | ".join(cells) + f" | {rows if rows else '–'} |")
    errors = [
        (s["briefs"], n, v["error"])
        for s in results["sizes"]
        for n, v in s["stages"].items()
        if v["status"] == "error"
    ]
    if errors:
        lines += ["", "## Errors", ""]
        lines += [f"- {b} briefs, {n}: {e}" for b, n, e in errors]
    return "\n".join(lines) + "\n"


PLOTTED = (
    "process: stats (load + entail full)",
    "process: validate",
    BUILD_PROCESS,
    "process: queries (slowest)",
    "in-process: load",
    "in-process: entail structural",
    "in-process: entail full",
    "in-process: validate (SHACL)",
    "in-process: quote check",
    "in-process: queries (slowest)",
    "in-process: dumps: canonicalise",
    "in-process: build",
    REFERENCE_WHOLE,
    *(REFERENCE_PREFIX + s for s in REFERENCE_STEPS),
)


def plot(results: dict, target: Path) -> None:
    """Time against triples, log-log, one line per stage; an over-budget reference step is
    drawn at its lower bound with an open triangle pointing up."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 7))
    colours = plt.get_cmap("tab20").colors
    for index, name in enumerate(PLOTTED):
        colour = colours[index % len(colours)]
        style = "--" if name.startswith("reference") else (":" if "in-process" in name else "-")
        points, bounds = [], []
        for size in results["sizes"]:
            stage = size["stages"].get(name)
            if not stage or not size.get("triples"):
                continue
            if stage["seconds"]:
                points.append((size["triples"], stage["seconds"]))
            elif stage.get("lower_bound_seconds"):
                bounds.append((size["triples"], stage["lower_bound_seconds"]))
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, style, marker="o", color=colour, label=name)
        if bounds:
            xs, ys = zip(*bounds, strict=True)
            ax.plot(
                xs,
                ys,
                linestyle="none",
                marker="^",
                markerfacecolor="none",
                markersize=9,
                color=colour,
                label=None if points else f"{name} (> budget)",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples loaded (ontology + data + shapes)")
    ax.set_ylabel("wall time, s (median)")
    ax.set_title(
        "policygraph stages and the rdflib/owlrl/pyshacl reference (△: over budget, > bound)"
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    fig.savefig(target, dpi=120)
    plt.close(fig)


def machine(workdir: Path) -> dict:
    import psutil

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }
    info["summary"] = (
        f"{info['processor']}, {info['cpus']} CPUs, {info['memory_gb']} GiB, "
        f"Python {info['python']}"
    )
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode == 0:
        info["commit"] = done.stdout.strip()
    return info


def versions() -> dict:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def finish(results: dict, out: Path, with_plot: bool = True) -> None:
    """Targets, slope, and the three files (JSON, Markdown, PNG)."""
    results["build_slope"] = build_slope(results)
    results["targets"] = targets(results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "suite.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (out / "suite.md").write_text(markdown(results))
    if with_plot:
        try:
            plot(results, out / "suite.png")
        except ImportError:
            print("matplotlib is not installed: no plot (pip install -e '.[bench]')")


def default_runs(briefs: int) -> int:
    return 3 if briefs <= 100 else 1


def run_suite(
    sizes: list[int],
    out: Path,
    *,
    runs: int | None = None,
    reference_budget: float = 900.0,
    timeout: float | None = None,
    workdir: Path | None = None,
    questions: list[str] | None = None,
    with_plot: bool = True,
    command: str = "",
    log=print,
    in_process_max: int | None = None,
    reference_max: int | None = None,
) -> dict:
    """Measure every size; the files in ``out`` are rewritten after each size."""
    with tempfile.TemporaryDirectory(prefix="policygraph-suite-") as tmp:
        work = workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        suite = Suite(
            work,
            reference_budget,
            timeout,
            questions,
            log=log,
            in_process_max=in_process_max,
            reference_max=reference_max,
        )
        results = {
            "benchmark": "suite",
            "measured": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": command,
            "machine": machine(work),
            "versions": versions(),
            "reference_budget": reference_budget,
            "memory_measure": MEMORY_MEASURE,
            "sizes": [],
        }
        for briefs in sorted(sizes):
            n = runs or default_runs(briefs)
            log(f"{briefs} briefs, {n} run(s)")
            try:
                results["sizes"].append(suite.measure_size(briefs, n))
            except Exception as err:  # e.g. synth failed: record it, go on
                results["sizes"].append(
                    {
                        "briefs": briefs,
                        "runs": n,
                        "triples": None,
                        "error": f"{type(err).__name__}: {err}",
                        "stages": {},
                    }
                )
            finish(results, out, with_plot)
    return results


def report(results: dict) -> None:
    for t in results["targets"]:
        margin = (
            f" (margin {t['margin']:,} {t.get('unit', '')})" if t.get("margin") is not None else ""
        )
        print(f"{t['status']:>12}  {t['target']}{margin}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    parser.add_argument(
        "--runs", type=int, help="runs per size (default 3 up to 100 briefs, 1 above)"
    )
    parser.add_argument(
        "--reference-budget",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="kill a reference step after this long (default 900)",
    )
    parser.add_argument(
        "--timeout", type=float, help="kill any other process after this long (default none)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the results go")
    parser.add_argument("--workdir", type=Path, help="keep corpora and scratch files here")
    parser.add_argument("--questions", nargs="+", help="only these competency questions")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--in-process-max",
        type=int,
        metavar="N",
        help="above N briefs, measure whole processes only (the in-process load still runs)",
    )
    parser.add_argument(
        "--reference-max", type=int, metavar="N", help="run the reference up to N briefs only"
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="JSON",
        help="measure nothing: rewrite suite.md and suite.png (and the targets) from a suite.json",
    )
    # internal: one worker process
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--progress", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip", nargs="*", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "reference":
        args.result.mkdir(parents=True, exist_ok=True)
        reference(args.corpus, args.result, args.progress, set(args.skip))
        return 0
    if args.worker:
        scratch = args.workdir or Path(tempfile.mkdtemp())
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            result = worker(args.worker, args.corpus, scratch)
        except Exception as err:
            detail = traceback.format_exception_only(type(err), err)[-1].strip()
            result = {"error": detail[-500:]}
        args.result.write_text(json.dumps(result))
        return 0

    if args.render:
        results = json.loads(args.render.read_text())
        finish(results, args.out, with_plot=not args.no_plot)
        report(results)
        return 0

    command = "python benchmarks/suite.py " + " ".join(argv if argv is not None else sys.argv[1:])
    results = run_suite(
        args.sizes,
        args.out,
        runs=args.runs,
        reference_budget=args.reference_budget,
        timeout=args.timeout,
        workdir=args.workdir,
        questions=args.questions,
        with_plot=not args.no_plot,
        command=command.strip(),
        in_process_max=args.in_process_max,
        reference_max=args.reference_max,
    )
    report(results)
    print(f"results in {args.out}/suite.json, suite.md, suite.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

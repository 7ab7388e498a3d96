"""A SHACL engine in a process of its own, so that parts of a graph validate side by side.

``python -m policygraph.shacl_worker ENGINE`` reads pickled messages on standard input —
the shapes (N-Triples bytes) first, then per task a data graph and the shapes' targets in
it (two N-Triples texts; the targets are added to the shapes for that task), and ``None``
to stop — and writes what :func:`policygraph.validation.run_engine` returns for
each task, pickled, on standard output.

The workers are started with :mod:`subprocess`, not :mod:`multiprocessing`: ``spawn``
re-imports the caller's main module (a user's script without a ``__main__`` guard would
run again in every worker), and a child ``fork``-ed after pyrudof ran in the parent can
hang on the locks of pyrudof's threads. Threads alone do not help: pyrudof keeps the GIL.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor


class Workers:
    """``count`` worker processes for ``engine``, each driven by one thread of a pool."""

    def __init__(self, engine: str, shapes_nt: bytes, count: int):
        self.engine = engine
        self.shapes_nt = shapes_nt
        self.count = count
        self.local = threading.local()
        self.processes: list[subprocess.Popen] = []
        self.lock = threading.Lock()

    def _process(self) -> subprocess.Popen:
        process = getattr(self.local, "process", None)
        if process is None:
            process = subprocess.Popen(
                [sys.executable, "-m", "policygraph.shacl_worker", self.engine],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            pickle.dump(self.shapes_nt, process.stdin)
            self.local.process = process
            with self.lock:
                self.processes.append(process)
        return process

    def _run(self, task: tuple[bytes, bytes]) -> tuple:
        process = self._process()
        try:
            pickle.dump(task, process.stdin)
            process.stdin.flush()
            status, value = pickle.load(process.stdout)
        except (BrokenPipeError, EOFError) as err:
            raise RuntimeError(
                f"a validation worker ended unexpectedly (exit status {process.poll()})"
            ) from err
        if status == "error":
            raise RuntimeError(f"a validation worker failed: {value}")
        return value

    def map(
        self, tasks: Iterable, encode: Callable[[object], tuple[bytes, bytes]]
    ) -> Iterator[tuple]:
        """What the engine returns for ``encode(task)`` (data, targets) of every task, in
        order; the encoding runs in the pool's threads, beside the workers' validation."""
        with ThreadPoolExecutor(self.count, thread_name_prefix="shacl-worker") as pool:
            yield from pool.map(lambda task: self._run(encode(task)), tasks)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    pickle.dump(None, process.stdin)
                    process.stdin.close()
                except (BrokenPipeError, OSError):
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            for process in self.processes:
                process.kill()
        self.close()


def main() -> None:
    from .validation import run_engine

    engine = sys.argv[1]
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    shapes_nt = pickle.load(source)
    while True:
        try:
            task = pickle.load(source)
        except EOFError:
            return
        if task is None:
            return
        data_nt, targets_nt = task
        try:
            reply = ("ok", run_engine(engine, data_nt, shapes_nt + targets_nt))
        except Exception as err:  # reported to the parent, which raises it
            reply = ("error", f"{type(err).__name__}: {err}")
        pickle.dump(reply, sink)
        sink.flush()


if __name__ == "__main__":
    main()

"""Running independent parts of a build side by side, in forked processes.

A release's JSON-LD files (rdflib) and its entity pages (Jinja2) are pure-Python work that
does not depend on the rest of the dumps; on a machine that forks they run in child
processes, which inherit the graph in memory, while the parent writes everything else.
Where ``fork`` is not available (Windows) or not safe (macOS), or with
``POLICYGRAPH_WORKERS=0``, the jobs run here, in order: results are the same either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Fork on Linux, unless ``POLICYGRAPH_WORKERS=0`` asks for one process."""
    if os.environ.get("POLICYGRAPH_WORKERS") == "0":
        return False
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class Job:
    """A callable started now and finished by ``result()``; in a child process if possible."""

    def __init__(self, func: Callable[[], Any], forked: bool | None = None):
        self.func = func
        self.value: Any = None
        self.process = None
        if forked is None:
            forked = can_fork()
        if forked:
            # objects the child inherits stay out of its garbage collector's passes, which
            # would write to (and so copy) every page holding one (gc.freeze's purpose)
            gc.freeze()
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.process = context.Process(target=_child, args=(func, sender), daemon=True)
            self.process.start()
            gc.unfreeze()  # the child keeps its own frozen copy; this process collects as before
            sender.close()
        else:
            self.value = func()

    def result(self) -> Any:
        if self.process is None:
            return self.value
        try:
            status, value = self.receiver.recv()
        except EOFError:
            status, value = "error", "the worker process ended without a result"
        finally:
            self.process.join()
            self.receiver.close()
        if status == "error":
            raise RuntimeError(f"a build worker failed: {value}")
        return value


def _child(func: Callable[[], Any], sender) -> None:
    try:
        sender.send(("ok", func()))
    except BaseException as err:  # reported to the parent, which raises it
        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        sender.send(("error", detail))
    finally:
        sender.close()

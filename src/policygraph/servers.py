"""Starting and stopping a real Oxigraph SPARQL server on 127.0.0.1.

The ``oxigraph`` package on PyPI ships the server binary. :func:`start_oxigraph` runs
``oxigraph serve`` (or ``serve-read-only``) on a free local port with a database folder,
waits until it answers, and returns an :class:`OxigraphServer` that is stopped by its PID::

    with start_oxigraph() as server:
        server.load(ntriples, "application/n-triples")     # Graph Store Protocol
        policygraph.query(server.query_url, "measures-by-actor")

:func:`load_files` fills a database folder with ``oxigraph load`` before a read-only
server starts on it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .errors import InputError

HOST = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable: on PATH, or beside this Python (a virtual environment)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = shutil.which("oxigraph") or (str(beside) if beside.is_file() else None)
    if not found:
        raise InputError("the Oxigraph server is not installed: pip install oxigraph")
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class OxigraphServer:
    """A running ``oxigraph`` server process; :meth:`stop` ends it by its PID."""

    port: int
    location: Path
    process: subprocess.Popen
    log: Path
    owns_location: bool = False
    read_only: bool = False
    stopped: bool = field(default=False, init=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL 1.1 query endpoint."""
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add RDF to the default graph (or to ``graph``) through the Graph Store Protocol.

        N-Quads or TriG go to the graphs they name.
        """
        target = "?default" if graph is None else f"?graph={quote(graph, safe='')}"
        if media_type in ("application/n-quads", "application/trig"):
            target = ""
        request = urllib.request.Request(
            self.store_url + target,
            data=data,
            method="POST",
            headers={"Content-Type": media_type},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace").strip()[:200]
            raise InputError(f"{self.store_url}: HTTP {err.code} loading data: {detail}") from None

    def load_triples(self, triples, graph: str | None = None) -> None:
        """Add pyoxigraph triples, once each (as a set), serialised as N-Triples."""
        unique = list(dict.fromkeys(triples))
        data = ox.serialize(unique, format=ox.RdfFormat.N_TRIPLES)
        self.load(data, "application/n-triples", graph)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the server's PID, then SIGKILL if it has not exited within ``timeout``."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout)
        if self.owns_location:
            shutil.rmtree(self.location, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            self.log.unlink()

    def __enter__(self) -> OxigraphServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_oxigraph(
    location: Path | str | None = None,
    read_only: bool = False,
    union_default_graph: bool = False,
    port: int | None = None,
    timeout: float = 30.0,
    extra_args: Sequence[str] = (),
    new_session: bool = False,
    die_with_parent: bool = False,
) -> OxigraphServer:
    """Start ``oxigraph serve`` on 127.0.0.1 and wait until it answers.

    Without ``location`` the database lives in a temporary folder removed by ``stop()``.
    A port taken between choosing and binding it is retried with another free port.
    ``new_session`` starts it in a session of its own, so that a Ctrl-C typed in the
    terminal reaches only the caller, which then stops the server by its PID.
    ``die_with_parent`` has the kernel stop the server when the calling thread's process
    dies without stopping it (a SIGKILL, a crash; Linux only), so that it is not left
    running, holding its port; call it from the thread that will live as long as the server.
    """
    owns = location is None
    folder = Path(tempfile.mkdtemp(prefix="policygraph-oxigraph-")) if owns else Path(location)
    folder.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _attempt in range(3):
        chosen = port or free_port()
        log = Path(tempfile.mkstemp(prefix="policygraph-oxigraph-", suffix=".log")[1])
        command = [
            oxigraph_binary(),
            "serve-read-only" if read_only else "serve",
            "--location",
            str(folder),
            "--bind",
            f"{HOST}:{chosen}",
        ]
        if union_default_graph:
            command.append("--union-default-graph")
        command.extend(extra_args)
        with log.open("wb") as handle:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=new_session,
                preexec_fn=parent_death_signal() if die_with_parent else None,
            )
        server = OxigraphServer(
            chosen, folder, process, log, owns_location=owns, read_only=read_only
        )
        if _wait_until_ready(server, timeout):
            return server
        last_error = log.read_text(encoding="utf-8", errors="replace").strip()[-500:]
        server.owns_location = False  # keep the folder for the next attempt
        server.stop()
        if port is not None:
            break
    if owns:
        shutil.rmtree(folder, ignore_errors=True)
    raise InputError(f"the Oxigraph server did not start: {last_error or 'no output'}")


def parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to SIGTERM the child when its parent dies.

    ``prctl(PR_SET_PDEATHSIG)`` is the kernel's own mechanism for this; the signal is sent
    when the thread that started the child ends, hence the caveat in :func:`start_oxigraph`.
    None where there is no ``prctl`` (not Linux): the server then outlives a killed parent.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent, term = os.getpid(), int(signal.SIGTERM)

    def arm() -> None:  # runs in the child, between fork and exec
        prctl(PR_SET_PDEATHSIG, term, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above
            os.kill(os.getpid(), term)

    return arm


def _wait_until_ready(server: OxigraphServer, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    probe = server.query_url + "?query=" + quote("ASK {}")
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    return False


def load_files(location: Path | str, files: Sequence[Path | str], graph: str | None = None) -> None:
    """Load RDF files into an Oxigraph database folder with ``oxigraph load`` (no server)."""
    command = [oxigraph_binary(), "load", "--location", str(location)]
    if graph is not None:
        command += ["--graph", graph]
    command += ["--file", *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise InputError(f"oxigraph load failed: {message[-1] if message else done.returncode}")

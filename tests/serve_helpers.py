"""Running ``policygraph serve`` as a user does: a real process, stopped by its PID.

:class:`Served` starts ``python -m policygraph serve`` with the arguments given, reads what
it prints until it says it is ready (the URL, Oxigraph's PID and database folder), and
stops it with SIGINT as Ctrl-C would. :func:`listening` reads which addresses a process
listens on from ``/proc`` (Linux).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Served:
    args: list[str]
    cwd: Path = ROOT
    startup: float = 120.0
    process: subprocess.Popen | None = None
    url: str = ""
    oxigraph_pid: int = 0
    database: Path | None = None
    stdout: list[str] = field(default_factory=list)
    stderr_path: Path | None = None
    stderr_kept: str = ""

    def start(self) -> Served:
        handle, name = tempfile.mkstemp(prefix="policygraph-serve-test-", suffix=".log")
        os.close(handle)
        self.stderr_path = Path(name)
        with self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "policygraph", "serve", *self.args],
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        deadline = time.monotonic() + self.startup
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.stdout.append(line.rstrip("\n"))
            if match := re.match(r"serving .* at (http://\S+)$", line.strip()):
                self.url = match.group(1)
            elif match := re.search(r"Oxigraph\s+pid (\d+), read-only, database in (\S+)", line):
                self.oxigraph_pid, self.database = int(match.group(1)), Path(match.group(2))
            elif line.startswith("Press Ctrl-C"):
                return self
        code = self.process.poll()
        self.stop()
        raise RuntimeError(f"policygraph serve did not start (exit {code}): {self.stderr()}")

    def stderr(self) -> str:
        if self.stderr_path is not None and self.stderr_path.exists():
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        return self.stderr_kept

    def stop(self, signum: int = signal.SIGINT, timeout: float = 20.0) -> int:
        """Send ``signum`` to the serve process; its exit code (after the rest of stdout)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signum)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            code = self.process.wait(timeout)
        rest = self.process.stdout.read()
        self.process.stdout.close()
        self.stdout.extend(rest.splitlines())
        if self.stderr_path is not None and self.stderr_path.exists():  # keep it, not the file
            self.stderr_kept = self.stderr()
            self.stderr_path.unlink()
        return code

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):  # a zombie is not alive
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket ``pid`` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            address, port = local.split(":")
            found.add((_address(address, width), int(port, 16)))
    return found


def _address(hex_address: str, width: int) -> str:
    raw = bytes.fromhex(hex_address)
    if width == 8:
        return ".".join(str(b) for b in reversed(raw))
    import ipaddress

    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return str(ipaddress.IPv6Address(words))

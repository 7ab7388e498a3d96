"""Errors a user can act on, each with the exit code the CLI returns for it.

The CLI prints these as one line (no traceback): exit 1 means "the data does not
conform", exit 2 means "the input or the options are wrong".
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


class PolicygraphError(Exception):
    """An error the user can fix; ``exit_code`` is what the CLI exits with."""

    exit_code = EXIT_INPUT


class InputError(PolicygraphError):
    """Bad input: a missing file, a parse error, a bad option or an unreachable endpoint."""

    exit_code = EXIT_INPUT


class ParseError(InputError):
    """An RDF or SPARQL syntax error, located as ``file:line:column``."""

    def __init__(self, path: Path | str | None, line: int | None, column: int | None, message: str):
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.detail = message
        where = self.path or "<input>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class NotConformingError(PolicygraphError):
    """The data does not conform to the shapes (raised by ``build``; carries the report)."""

    exit_code = EXIT_NONCONFORMING

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report

"""Where a node is described: the file, line and column of its first block.

Reports point at the place to fix. Turtle and TriG files written in the project's style
start each subject's block at the beginning of a line, as a prefixed name or a full IRI;
JSON-LD files name it in an ``"@id"``. The first such place in the files, in the order
given, is the node's location. A node written some other way has no location, and reports
then name it only by its IRI.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


class Locator:
    """Finds subjects in the text of RDF files (each file read once, on first need)."""

    def __init__(self, files: list[Path | str]):
        self.files = [Path(f) for f in files]
        self._index: dict[str, tuple[str, int, int]] | None = None

    def find(self, iri: str) -> tuple[str, int, int] | None:
        if self._index is None:
            self._index = {}
            for path in self.files:
                self._scan(path)
        return self._index.get(iri)

    def _scan(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if path.suffix == ".jsonld":
            self._scan_jsonld(path, text)
            return
        prefixes: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            match = _PREFIX.match(line)
            if match:
                prefixes[match.group(1) or ""] = match.group(2)
                continue
            if not line or line[0] in " \t#@[(\"'":
                continue
            token = line.split(None, 1)[0].rstrip(";,.")
            iri = None
            if token.startswith("<") and token.endswith(">"):
                iri = token[1:-1]
            elif ":" in token:
                prefix, _, local = token.partition(":")
                if prefix in prefixes and not local.startswith("//"):
                    iri = prefixes[prefix] + local.replace("\\", "")
            if iri is not None:
                self._index.setdefault(iri, (str(path), number, 1))

    def _scan_jsonld(self, path: Path, text: str) -> None:
        for number, line in enumerate(text.splitlines(), start=1):
            for match in re.finditer(r'"@id"\s*:\s*"([^"]+)"', line):
                iri = match.group(1)
                with contextlib.suppress(ValueError):
                    iri = json.loads(f'"{iri}"')
                self._index.setdefault(iri, (str(path), number, match.start() + 1))

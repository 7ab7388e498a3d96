"""Checking evidence against the source texts: every quote verbatim, where it says it is.

A quote (``oa:exact``, with ``oa:prefix``/``oa:suffix`` when given) must occur in the
source's text file once whitespace is folded and the extraction's link markup
(``[text](#)``, ``**bold**``) is dropped; it must be unambiguous, lie inside the section
its evidence names, stay within one sentence, and never span a place where the text
file runs two columns together (``pg:columnJunction`` on the source). Sections are
located by their own selectors, in ``schema:position`` order.

The text of a source is the file ``<dcterms:identifier>.txt`` in a sources folder (the
first of the folders given that has it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .graph import KnowledgeGraph

MAX_QUOTE_CHARS = 320
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_SPACE = re.compile(r"\s+")
# A full stop, question or exclamation mark followed by a capital: a sentence ends
# there, unless the word before is a title or an initial.
_SENTENCE_END = re.compile(
    r"(?<!\bDr)(?<!\bProf)(?<!\bMr)(?<!\bMs)(?<!\bSt)(?<!\b[A-Z])[.!?]\s+[A-Z]"
)


def normalise(text: str) -> str:
    """Fold whitespace and drop link and bold markup, as the quote check compares text."""
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Problem:
    """A quote that does not check out, named by the node whose evidence it is."""

    node: str
    quote: str
    message: str

    def __str__(self) -> str:
        return f"{self.node}: {self.message}: {self.quote!r}"


@dataclass(frozen=True)
class Quote:
    node: str  # the node that has the evidence (or the section itself)
    source: str
    section: str | None
    exact: str
    prefix: str
    suffix: str


_QUOTES = """
SELECT ?node ?source ?section ?exact ?prefix ?suffix WHERE {
  ?node pg:hasEvidence ?evidence .
  ?evidence oa:hasSource ?source ; oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
  OPTIONAL { ?evidence pg:inSection ?section }
  OPTIONAL { ?selector oa:prefix ?prefix }
  OPTIONAL { ?selector oa:suffix ?suffix }
}
"""

_SECTIONS = """
SELECT ?section ?source ?position ?exact ?prefix ?suffix WHERE {
  ?section a doco:Section ; dcterms:isPartOf ?source ; schema:position ?position ;
           oa:hasSelector ?selector .
  ?source a pg:PolicyBrief .
  ?selector oa:exact ?exact .
  OPTIONAL { ?selector oa:prefix ?prefix }
  OPTIONAL { ?selector oa:suffix ?suffix }
} ORDER BY ?source ?position
"""

_SECTION_PARENTS = """
SELECT ?section ?parent WHERE {
  ?section a doco:Section ; dcterms:isPartOf ?parent . ?parent a doco:Section
}
"""

_SOURCES = """
SELECT ?source ?identifier WHERE { ?source a pg:PolicyBrief ; dcterms:identifier ?identifier }
"""

_JUNCTIONS = """
SELECT ?source ?junction WHERE { ?source pg:columnJunction ?junction }
"""


def _value(term) -> str:
    return term.value if term is not None else ""


def quotes(kg: KnowledgeGraph) -> list[Quote]:
    return [
        Quote(
            node=str(row["node"].value),
            source=row["source"].value,
            section=_value(row["section"]) or None,
            exact=row["exact"].value,
            prefix=_value(row["prefix"]),
            suffix=_value(row["suffix"]),
        )
        for row in kg.query(_QUOTES, parts=("data",))
    ]


class SourceText:
    """One source's normalised text, with its sections' spans and column junctions."""

    def __init__(self, text: str, junctions: list[str]):
        self.text = normalise(text)
        self.junctions: list[int] = []
        for junction in junctions:
            before, _, after = junction.partition("|")
            joined = f"{normalise(before)} {normalise(after)}"
            at = self.text.find(joined)
            if at >= 0:
                self.junctions.append(at + len(normalise(before)))
        self.sections: dict[str, tuple[int, int]] = {}

    def find(self, exact: str, prefix: str = "", suffix: str = "") -> list[int]:
        """Start offsets of ``exact`` (with its prefix and suffix around it)."""
        exact_n, prefix_n, suffix_n = normalise(exact), normalise(prefix), normalise(suffix)
        if not exact_n:
            return []
        pattern = re.escape(exact_n)
        if prefix_n:
            pattern = re.escape(prefix_n) + r"\s?" + pattern
        if suffix_n:
            pattern = pattern + r"\s?" + re.escape(suffix_n)
        starts = []
        for match in re.finditer(f"(?={pattern})", self.text):
            start = match.start()
            if prefix_n:
                start = self.text.index(exact_n, start + len(prefix_n))
            starts.append(start)
        return starts


def _folders(sources_dir: Path | str | Sequence[Path | str]) -> list[Path]:
    if isinstance(sources_dir, str | Path):
        return [Path(sources_dir)]
    return [Path(folder) for folder in sources_dir]


def load_texts(
    kg: KnowledgeGraph, sources_dir: Path | str | Sequence[Path | str]
) -> dict[str, SourceText]:
    """The texts of the sources the graph describes that exist in ``sources_dir`` (a folder,
    or several looked in in order)."""
    folders = _folders(sources_dir)
    junctions: dict[str, list[str]] = {}
    for row in kg.query(_JUNCTIONS, parts=("data",)):
        junctions.setdefault(row["source"].value, []).append(row["junction"].value)
    texts: dict[str, SourceText] = {}
    for row in kg.query(_SOURCES, parts=("data",)):
        for folder in folders:
            path = folder / f"{row['identifier'].value}.txt"
            if path.is_file():
                texts[row["source"].value] = SourceText(
                    path.read_text(encoding="utf-8"), junctions.get(row["source"].value, [])
                )
                break
    return texts


def check_quotes(
    kg: KnowledgeGraph, sources_dir: Path | str | Sequence[Path | str]
) -> tuple[list[Problem], int]:
    """Check every quote in the data against the source texts found in ``sources_dir`` (a
    folder, or several looked in in order).

    Returns the problems and how many quotes were checked (quotes of sources whose text
    is absent are not counted).
    """
    texts = load_texts(kg, sources_dir)
    problems: list[Problem] = []
    problems.extend(_locate_sections(kg, texts))
    checked = 0
    for quote in quotes(kg):
        text = texts.get(quote.source)
        if text is None:
            continue
        checked += 1
        problems.extend(_check(quote, text))
    return problems, checked


def _locate_sections(kg: KnowledgeGraph, texts: dict[str, SourceText]) -> list[Problem]:
    problems = []
    by_source: dict[str, list[tuple[str, int]]] = {}
    for row in kg.query(_SECTIONS, parts=("data",)):
        text = texts.get(row["source"].value)
        if text is None:
            continue
        section = row["section"].value
        exact = row["exact"].value
        starts = text.find(exact, _value(row["prefix"]), _value(row["suffix"]))
        if len(starts) != 1:
            how = "is not in the source text" if not starts else f"occurs {len(starts)} times"
            problems.append(Problem(section, exact, f"section heading {how}"))
            continue
        by_source.setdefault(row["source"].value, []).append((section, starts[0]))
    for source, sections in by_source.items():
        text = texts[source]
        offsets = [start for _, start in sections]
        if offsets != sorted(offsets):
            problems.append(Problem(source, "", "sections are not in the order of the text"))
        bounds = [*sorted(offsets), len(text.text)]
        for section, start in sections:
            end = next((b for b in bounds if b > start), len(text.text))
            text.sections[section] = (start, end)
    # A section reaches to the end of the last section nested in it.
    for row in kg.query(_SECTION_PARENTS, parts=("data",)):
        for text in texts.values():
            child, parent = row["section"].value, row["parent"].value
            if child in text.sections and parent in text.sections:
                low, high = text.sections[parent]
                text.sections[parent] = (low, max(high, text.sections[child][1]))
    return problems


def _check(quote: Quote, text: SourceText) -> list[Problem]:
    problems = []
    exact = normalise(quote.exact)

    def problem(message: str) -> Problem:
        return Problem(quote.node, quote.exact, message)

    if len(exact) > MAX_QUOTE_CHARS:
        problems.append(problem(f"quote is longer than {MAX_QUOTE_CHARS} characters"))
    if _SENTENCE_END.search(exact.rstrip(".!?")):
        problems.append(problem("quote runs over more than one sentence"))
    starts = text.find(quote.exact, quote.prefix, quote.suffix)
    if not starts:
        if text.find(quote.exact):
            problems.append(problem("quote is in the source, but not with this prefix/suffix"))
        else:
            problems.append(problem("quote is not a verbatim part of the source text"))
        return problems
    if len(starts) > 1:
        problems.append(
            problem(f"quote occurs {len(starts)} times; add oa:prefix or oa:suffix to say which")
        )
        return problems
    start = starts[0]
    end = start + len(exact)
    if any(start < junction < end for junction in text.junctions):
        problems.append(problem("quote spans a place where the text runs two columns together"))
    if quote.section is not None and quote.section in text.sections:
        low, high = text.sections[quote.section]
        if not (low <= start and end <= high):
            inside = [(hi - lo, s) for s, (lo, hi) in text.sections.items() if lo <= start < hi]
            actual = min(inside)[1] if inside else "no section"
            problems.append(problem(f"quote is not in section {quote.section} but in {actual}"))
    elif quote.section is not None:
        problems.append(problem(f"section {quote.section} is not located in the source text"))
    return problems

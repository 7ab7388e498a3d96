"""Competency questions and running SPARQL on the embedded store or on any endpoint.

A competency question is one ``.rq`` file in the project's ``queries/`` folder; its name is
the file name without ``.rq``. The file opens with comment lines that describe it::

    # title: Measures by actor
    # question: Which measures did each actor take, against whom, and when?
    # use: Compare who did what in response to the invasion.
    # param: actor — the actor who took the measure (an IRI)
    # example: actor=<https://w3id.org/policygraph/id/actor/japan>

``title``, ``question`` and ``use`` are required; a value may continue on following
comment lines indented by at least two spaces. ``param`` (repeatable) documents a variable
that ``--param`` may bind; ``example`` (repeatable) gives bindings whose answer is tested
too; ``inference`` says which entailment the answer needs (the tests check that the
asserted data alone answers differently). The answer to the question without parameters
is kept in ``queries/expected/NAME.csv`` and, when the header has examples, the answer
with them in ``queries/expected/NAME.example.csv``; the tests hold every question to them.

Results, whichever store answered, go through SPARQL 1.1 JSON results (pyoxigraph
serialises the embedded store's answer and parses an endpoint's), so both give the same
:class:`QueryResult`: ``rows`` are tuples of plain strings as in SPARQL CSV results (an
IRI, a literal's lexical form, ``_:id`` for a blank node, ``None`` when unbound) and
``terms`` the same cells as pyoxigraph terms.

Parameters bind variables as RDF terms, never as query text: a value written ``<…>`` is an
IRI, anything else a plain string literal. On the embedded store they go to pyoxigraph's
``substitutions``; for an endpoint they become a trailing ``VALUES`` clause of terms
serialised by pyoxigraph (escaped N-Triples syntax). Either way a bound variable must be
one the query returns (pyoxigraph's rule, applied to both).

Two engines answer on the embedded graph (``engine=``): ``oxigraph`` (default) queries the
pyoxigraph store itself; ``rdflib`` copies the same quads into an rdflib ``Dataset`` and
uses rdflib's SPARQL engine. Both see the same dataset: the default graph is ontology +
data + entailments (the parts are disjoint: entailment never restates an asserted triple),
and every part, shapes included, is a named graph for ``GRAPH`` (rdflib refuses ``FROM``,
which the embedded store overrides with those parts). The query
and its parameters are checked by pyoxigraph first on either engine, so a syntax error or
an unbindable parameter reads the same. The tests hold both engines to the same rows on
every competency question.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from . import namespaces as ns
from .errors import InputError, ParseError
from .project import Project, find_project

if TYPE_CHECKING:
    from .graph import KnowledgeGraph

FORMATS = ("table", "csv", "tsv", "json", "ttl")
ENGINES = ("oxigraph", "rdflib")  # SPARQL engines for the embedded graph; the first is default
HEADER_FIELDS = ("title", "question", "use", "param", "example", "inference")
REQUIRED_FIELDS = ("title", "question", "use")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

_RESULTS_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
_XSD_NUMERIC = {
    ns.XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_XSD_INTEGER = _XSD_NUMERIC - {ns.XSD + t for t in ("decimal", "double", "float")}


# --- The catalogue of competency questions ------------------------------------------


@dataclass(frozen=True)
class CompetencyQuestion:
    """One ``.rq`` file of ``queries/`` with its header."""

    name: str
    title: str
    question: str
    use: str
    text: str
    path: Path
    params: tuple[tuple[str, str], ...] = ()  # (variable, what it means)
    examples: tuple[tuple[str, str], ...] = ()  # (variable, value as written for --param)
    inference: str | None = None  # what entailment the answer relies on, if any

    def example_params(self) -> dict[str, str]:
        return dict(self.examples)


def read_question(path: Path | str) -> CompetencyQuestion:
    """Parse one ``.rq`` file's header; a missing or unknown field is an InputError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from None
    fields: dict[str, list[str]] = {}
    last: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        body = line[1:]
        match = re.match(r"\s?([a-z]+):\s*(.*)$", body)
        if match and not body.startswith("  "):
            key, value = match.group(1), match.group(2).strip()
            if key not in HEADER_FIELDS:
                raise InputError(
                    f"{path}:{number}: unknown header field {key!r} "
                    f"(expected {', '.join(HEADER_FIELDS)})"
                )
            fields.setdefault(key, []).append(value)
            last = fields[key]
        elif body.startswith("  ") and body.strip() and last is not None:
            last[-1] = f"{last[-1]} {body.strip()}"
        else:
            last = None
    for key in REQUIRED_FIELDS:
        values = fields.get(key, [])
        if len(values) != 1 or not values[0]:
            raise InputError(f"{path}: the header needs exactly one '# {key}: …' line")
    params = tuple(_split_param(path, p) for p in fields.get("param", []))
    examples = []
    for example in fields.get("example", []):
        for binding in example.split():
            try:
                name, _ = parse_param(binding)
            except InputError as err:
                raise InputError(f"{path}: '# example: {example}': {err}") from None
            examples.append((name, binding.split("=", 1)[1]))
    return CompetencyQuestion(
        name=path.name.removesuffix(".rq"),
        title=fields["title"][0],
        question=fields["question"][0],
        use=fields["use"][0],
        text=text,
        path=path,
        params=params,
        examples=tuple(examples),
        inference=fields.get("inference", [None])[-1],
    )


def _split_param(path: Path, line: str) -> tuple[str, str]:
    match = re.match(r"\??([A-Za-z_][A-Za-z0-9_]*)\s+[—–-]\s+(.+)$", line)
    if not match:
        raise InputError(f"{path}: '# param: {line}' should read '# param: name — meaning'")
    return match.group(1), match.group(2).strip()


def catalogue(project: Project | None = None) -> list[CompetencyQuestion]:
    """Every competency question of the project, by name."""
    project = project or find_project()
    return [read_question(p) for p in project.query_files()]


def question(name: str, project: Project | None = None) -> CompetencyQuestion:
    """The competency question called ``name`` (the file name without ``.rq``)."""
    project = project or find_project()
    path = project.queries_dir / f"{name}.rq"
    if not NAME_PATTERN.fullmatch(name) or not path.is_file():
        raise InputError(
            f"no competency question named {name!r} in {project.queries_dir} "
            "(list them with 'policygraph query --list')"
        )
    return read_question(path)


def expected_path(q: CompetencyQuestion, example: bool = False) -> Path:
    suffix = ".example.csv" if example else ".csv"
    return q.path.parent / "expected" / f"{q.name}{suffix}"


# --- Parameters ------------------------------------------------------------------------

Term = ox.NamedNode | ox.Literal | ox.BlankNode


def parse_param(binding: str) -> tuple[str, Term]:
    """``name=value`` → (name, term): ``<…>`` is an IRI, anything else a string literal."""
    name, sep, value = binding.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not is_variable(name):
        raise InputError(f"--param {binding!r}: write it as name=value (name a SPARQL variable)")
    return name, param_term(name, value)


def is_variable(name: str) -> bool:
    """Is ``name`` a valid SPARQL variable name (as pyoxigraph reads it)?"""
    try:
        ox.Variable(name)
    except ValueError:
        return False
    return True


def param_term(name: str, value: Any) -> Term:
    """The RDF term a parameter value stands for."""
    if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        return value
    if not isinstance(value, str):
        raise InputError(f"--param {name}: a value must be a string or an RDF term")
    if value.startswith("<") and value.endswith(">") and len(value) >= 2:
        iri = value[1:-1]
        try:
            return ox.NamedNode(iri)
        except ValueError as err:
            raise InputError(f"--param {name}: {value!r} is not a valid IRI: {err}") from None
    return ox.Literal(value)


def bind(params: Mapping[str, Any] | Sequence[str] | None) -> dict[str, Term]:
    """Parameters as ``{name: term}``, from a mapping or from ``name=value`` strings."""
    if not params:
        return {}
    if isinstance(params, Mapping):
        bound = {}
        for name, value in params.items():
            clean = str(name).lstrip("?$")
            if not is_variable(clean):
                raise InputError(f"--param {name!r}: not a SPARQL variable name")
            bound[clean] = param_term(clean, value)
        return bound
    return dict(parse_param(p) for p in params)


# --- Results -----------------------------------------------------------------------------


@dataclass
class QueryResult:
    """The answer to a query: a table (select), a boolean (ask) or triples (graph).

    ``rows`` hold plain strings as SPARQL CSV results do (``None`` when unbound); ``terms``
    the same cells as pyoxigraph terms. An ask result is one row with column ``boolean``;
    a graph result has columns subject, predicate, object and keeps its ``triples``.
    """

    kind: str
    columns: list[str]
    terms: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    json: bytes | None = None  # SPARQL 1.1 JSON results (select and ask)

    @property
    def rows(self) -> list[tuple[str | None, ...]]:
        return [tuple(_plain(t) for t in row) for row in self.terms]

    def records(self) -> list[dict[str, str | None]]:
        """Rows as dictionaries keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self):
        return iter(self.rows)

    @classmethod
    def from_json(cls, data: bytes) -> QueryResult:
        """Parse SPARQL 1.1 JSON results (raises SyntaxError when they are not)."""
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            value = bool(parsed)
            return cls("ask", ["boolean"], [(ox.Literal(value),)], boolean=value, json=bytes(data))
        variables = list(parsed.variables)
        terms = [tuple(solution[v] for v in variables) for solution in parsed]
        return cls("select", [v.value for v in variables], terms, json=bytes(data))

    @classmethod
    def from_triples(cls, triples: list[ox.Triple]) -> QueryResult:
        return cls(
            "graph",
            ["subject", "predicate", "object"],
            [(t.subject, t.predicate, t.object) for t in triples],
            triples=triples,
        )

    def render(self, fmt: str = "table") -> str:
        """The result as text: table, csv, tsv, json (SPARQL 1.1 JSON results) or ttl."""
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
        if fmt == "table":
            return render_table(self.columns, self.terms)
        if self.kind == "graph":
            if fmt != "ttl":
                raise InputError(
                    f"a CONSTRUCT or DESCRIBE query returns a graph: use --format ttl or table, "
                    f"not {fmt}"
                )
            ordered = sorted(set(self.triples), key=str)  # deterministic output
            data = ox.serialize(
                ordered, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(ordered)
            ).decode("utf-8")
            return data if data.endswith("\n") else data + "\n"
        if fmt == "ttl":
            raise InputError(
                f"--format ttl is for CONSTRUCT and DESCRIBE queries; this is {self.kind.upper()}"
                " (use table, csv, tsv or json)"
            )
        parsed = ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)
        text = parsed.serialize(format=_RESULTS_FORMATS[fmt]).decode("utf-8")
        if fmt == "json":
            return json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
        return text if text.endswith("\n") else text + "\n"

    def values(self) -> list[tuple[Any, ...]]:
        """Rows with numbers and booleans as Python values, everything else as strings."""
        return [tuple(python_value(t) for t in row) for row in self.terms]

    def to_frame(self):
        """A pandas DataFrame of :meth:`values` (needs ``pip install 'policygraph[frame]'``)."""
        try:
            import pandas as pd
        except ImportError:
            raise InputError(
                "as_frame=True needs pandas: pip install 'policygraph[frame]'"
            ) from None
        return pd.DataFrame(self.values(), columns=self.columns)


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The project's prefixes whose namespace some IRI of ``triples`` starts with."""
    iris = {
        t.value
        for triple in triples
        for t in (triple.subject, triple.predicate, triple.object)
        if isinstance(t, ox.NamedNode)
    }
    iris |= {
        triple.object.datatype.value
        for triple in triples
        if isinstance(triple.object, ox.Literal)
        and triple.object.datatype.value not in (ns.XSD + "string", ns.RDF + "langString")
    }
    return {
        prefix: namespace
        for prefix, namespace in ns.PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def _plain(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def python_value(term) -> Any:
    """A literal's Python value for numbers and booleans; the plain string otherwise."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _XSD_INTEGER:
                return int(term.value)
            if datatype in _XSD_NUMERIC:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == ns.XSD + "boolean":
            return term.value in ("true", "1")
    return _plain(term)


def compact(term) -> str:
    """A term as a reader wants it in a table: prefixed name, lexical form or ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = ""
        for prefix, namespace in ns.PREFIXES.items():
            if term.value.startswith(namespace) and len(namespace) > len(ns.PREFIXES.get(best, "")):
                local = term.value[len(namespace) :]
                if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", local) and not local.endswith("."):
                    best = prefix
        if best:
            return f"{best}:{term.value[len(ns.PREFIXES[best]) :]}"
        return f"<{term.value}>"
    return _plain(term) or ""


def render_table(columns: list[str], terms: list[tuple]) -> str:
    cells = [[compact(t).replace("\n", " ") for t in row] for row in terms]
    widths = [len(c) for c in columns]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    n = len(cells)
    lines.append(f"({n} row{'s' if n != 1 else ''})")
    return "\n".join(lines) + "\n"


# --- Comparing results (tests, and the embedded/endpoint agreement) ------------------------


def canonical(value: str | None, term=None) -> str:
    """One spelling per value: numbers in their shortest decimal form, unbound as ''.

    Used on both sides of a comparison, so that ``"40"``, ``"40.0"`` and ``"4.0E1"`` agree
    whichever store computed them.
    """
    if value is None:
        return ""
    if term is not None and not (
        isinstance(term, ox.Literal) and term.datatype.value in _XSD_NUMERIC
    ):
        return value
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def comparable(result: QueryResult) -> list[tuple[str, ...]]:
    """The result's rows in canonical spelling, blank nodes anonymised."""
    rows = []
    for row in result.terms:
        rows.append(
            tuple("_:b" if isinstance(t, ox.BlankNode) else canonical(_plain(t), t) for t in row)
        )
    return rows


def expand(cell: str) -> str:
    """``actor:japan`` → the full IRI, for the project's prefixes; other text unchanged."""
    prefix, sep, local = cell.partition(":")
    if sep and prefix in ns.PREFIXES and local and not any(c.isspace() for c in local):
        return ns.PREFIXES[prefix] + local
    return cell


def read_expected(path: Path, like: QueryResult | None = None) -> tuple[list[str], list[tuple]]:
    """An expected-results CSV: a header naming the columns, then one row per solution.

    Cells are written as in SPARQL CSV results (IRI, lexical form, empty when unbound);
    an IRI may be shortened with one of the project's prefixes (``actor:japan``). Given
    the actual result ``like``, cells of the columns it answers with numbers are put in
    canonical form as :func:`comparable` puts the result's (a CSV cell has no datatype,
    so ``"057"`` stays a code unless the column holds numbers).
    """
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    if not table:
        raise InputError(f"{path}: empty; the first line must name the columns")
    header, *rows = table
    numeric = numeric_columns(like) if like is not None else set()
    return header, [
        tuple(
            canonical(expand(cell)) if i in numeric else expand(cell) for i, cell in enumerate(row)
        )
        for row in rows
    ]


def numeric_columns(result: QueryResult) -> set[int]:
    """Columns whose every bound cell is a number (and that have one)."""
    found = set()
    for i in range(len(result.columns)):
        cells = [row[i] for row in result.terms if row[i] is not None]
        if cells and all(
            isinstance(t, ox.Literal) and t.datatype.value in _XSD_NUMERIC for t in cells
        ):
            found.add(i)
    return found


def same_rows(actual: list[tuple], expected: list[tuple], ordered: bool) -> bool:
    return actual == expected if ordered else Counter(actual) == Counter(expected)


# --- Reading a query's text ---------------------------------------------------------------

_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n\r]*",
    re.S,
)


def _code(text: str) -> str:
    """The query with strings, IRIs and comments blanked, so keywords can be looked for."""
    return _LEXEMES.sub(lambda m: " " * len(m.group(0)), text)


def is_ordered(text: str) -> bool:
    """Does the outermost query sort its results (ORDER BY outside every brace)?"""
    code = _code(text)
    depth = 0
    for match in re.finditer(r"[{}]|\bORDER\s+BY\b", code, re.I):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            return True
    return False


# --- Running ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A SPARQL text to run and where it came from (for error messages)."""

    text: str
    origin: str = "<query>"
    question: CompetencyQuestion | None = None


def resolve(name_or_text: str, project: Project | None = None) -> Query:
    """A question's name, a path to an ``.rq`` file, or SPARQL text."""
    candidate = name_or_text.strip()
    if NAME_PATTERN.fullmatch(candidate) and not candidate.endswith(".rq"):
        q = question(candidate, project)
        return Query(q.text, str(q.path), q)
    if candidate.endswith(".rq") and "\n" not in candidate and "{" not in candidate:
        path = Path(candidate)
        if not path.is_file():
            raise InputError(f"{path}: no such query file")
        try:
            return Query(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: cannot read: {err}") from None
    return Query(name_or_text)


def check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(f"unknown query engine {engine!r} (choose from {', '.join(ENGINES)})")


def run_embedded(
    kg: KnowledgeGraph, q: Query, params: Mapping[str, Term], engine: str = "oxigraph"
) -> QueryResult:
    """Run on the knowledge graph (ontology + data + entailments) with ``engine``."""
    check_engine(engine)
    if engine == "rdflib":
        return run_rdflib(kg, q, params)
    substitutions = {ox.Variable(n): t for n, t in params.items()}
    try:
        answer = kg.query(q.text, substitutions=substitutions or None)
        return materialise(answer)  # evaluation is lazy: errors may come while reading
    except ParseError as err:
        raise ParseError(q.origin, err.line, err.column, _short(err.detail)) from None
    except RuntimeError as err:
        raise _binding_error(q, err) from None
    except OSError as err:  # e.g. a SERVICE that cannot be reached
        raise InputError(f"{q.origin}: the query failed: {' '.join(str(err).split())}") from None


def rdflib_dataset(kg: KnowledgeGraph):
    """The graph as an rdflib ``Dataset`` with the dataset the embedded store queries.

    Default graph: ontology + data + entailments; named graphs: every part. Built once
    and kept on ``kg`` until its store changes size (entailment only ever adds).
    """
    import rdflib

    from .convert import to_rdflib_term
    from .graph import PARTS, QUERYABLE

    size = len(kg.store)
    cached = kg.views.get("rdflib")
    if cached is not None and cached[0] == size:
        return cached[1]
    dataset = rdflib.Dataset(default_union=False)
    terms: dict[Any, Any] = {}

    def term(t):
        converted = terms.get(t)
        if converted is None:
            converted = terms[t] = to_rdflib_term(t)
        return converted

    default = dataset.default_graph if hasattr(dataset, "default_graph") else None
    default = default if default is not None else dataset.default_context  # rdflib < 7.2
    graphs = {part: dataset.graph(rdflib.URIRef(iri.value)) for part, iri in PARTS.items()}
    for part in PARTS:
        for quad in kg.quads((part,)):
            triple = (term(quad.subject), term(quad.predicate), term(quad.object))
            dataset.store.add(triple, graphs[part])
            if part in QUERYABLE:
                dataset.store.add(triple, default)
    kg.views["rdflib"] = (size, dataset)
    return dataset


def run_rdflib(kg: KnowledgeGraph, q: Query, params: Mapping[str, Term]) -> QueryResult:
    """Run with rdflib's SPARQL engine on :func:`rdflib_dataset` of the graph.

    A query with ``FROM`` or ``FROM NAMED`` is refused: the embedded store always answers
    from the parts (its default graph overrides ``FROM``), which rdflib cannot mimic.
    """
    import warnings

    import rdflib.plugins.sparql as rdflib_sparql

    from .convert import from_rdflib_term, to_rdflib_term

    kind = check(q, params)  # syntax and binding errors exactly as on the embedded store
    dataset = rdflib_dataset(kg)
    bindings = {name: to_rdflib_term(term) for name, term in params.items()}
    rdflib_sparql.CUSTOM_EVALS[_STANDARD] = _rdflib_standard
    try:
        with warnings.catch_warnings():  # rdflib 7.6 warns about its own use of default_context
            warnings.simplefilter("ignore", DeprecationWarning)
            prepared = rdflib_sparql.prepareQuery(q.text, initNs=ns.PREFIXES)
            if prepared.algebra.get("datasetClause"):
                raise InputError(
                    f"{q.origin}: the rdflib engine does not take FROM or FROM NAMED "
                    "(the embedded graph is ontology + data + entailments; use oxigraph)"
                )
            answer = dataset.query(prepared, initBindings=bindings)
            if kind == "graph":
                triples = [
                    ox.Triple(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o))
                    for s, p, o in answer
                ]
                return QueryResult.from_triples(triples)
            return QueryResult.from_json(answer.serialize(format="json"))
    except InputError:
        raise
    except Exception as err:  # rdflib's parser and evaluator raise many kinds, bare ones too
        detail = _short(" ".join(str(err).split())) or type(err).__name__
        raise InputError(f"{q.origin}: rdflib could not run the query: {detail}") from None
    finally:
        rdflib_sparql.CUSTOM_EVALS.pop(_STANDARD, None)


_STANDARD = "policygraph-sparql-1.1"


def _rdflib_standard(ctx, part):
    """Two parts of a query as SPARQL 1.1 has them, through rdflib's ``CUSTOM_EVALS`` hook,
    where rdflib 7 departs from the standard and Oxigraph does not:

    * ``ORDER BY`` (§15.1): rdflib fails (``'<' not supported between instances of
      'NoneType' and 'tuple'``) when a key is an expression that errs on an unbound
      variable (``ORDER BY STR(?optional)``), as nine competency questions have; here such
      a key sorts lowest, with the unbound ones.
    * ``GROUP BY`` with no solutions (§18.5, Group): no groups, so no rows; rdflib
      answers one row of unbound keys and zero counts.
    """
    if part.name == "OrderBy":
        return _rdflib_order_by(ctx, part)
    if part.name == "AggregateJoin" and part.p.expr is not None:
        return _rdflib_grouped(ctx, part)
    raise NotImplementedError  # rdflib evaluates every other part itself


def _rdflib_order_by(ctx, part):
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.evalutils import _val
    from rdflib.plugins.sparql.parserutils import value
    from rdflib.term import Identifier, Variable

    def key(solution, expr):
        found = value(solution, expr, variables=True)
        if isinstance(found, Variable) or not isinstance(found, Identifier):
            return (0, "")  # unbound, or an error
        return _val(found)

    solutions = list(evalPart(ctx, part.p))
    for condition in reversed(part.expr):
        descending = bool(condition.order and condition.order == "DESC")
        solutions.sort(key=lambda s, e=condition.expr: key(s, e), reverse=descending)
    return solutions


def _rdflib_grouped(ctx, part):
    """rdflib's own evalAggregateJoin for an explicit GROUP BY, less the empty group."""
    from rdflib.plugins.sparql.aggregates import Aggregator
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.evalutils import _eval
    from rdflib.plugins.sparql.sparql import FrozenBindings

    groups: dict[tuple, Aggregator] = {}
    for row in evalPart(ctx, part.p):
        k = tuple(_eval(e, row, False) for e in part.p.expr)
        if k not in groups:
            groups[k] = Aggregator(aggregations=part.A)
        groups[k].update(row)
    return [FrozenBindings(ctx, aggregator.get_bindings()) for aggregator in groups.values()]


def _short(detail: str, limit: int = 160) -> str:
    """A syntax error's message cut to one readable line (pyoxigraph lists every token)."""
    return detail if len(detail) <= limit else detail[: limit - 1].rstrip(", ") + "…"


def materialise(answer) -> QueryResult:
    if isinstance(answer, ox.QueryTriples):
        return QueryResult.from_triples(list(answer))
    return QueryResult.from_json(answer.serialize(format=ox.QueryResultsFormat.JSON))


def _binding_error(q: Query, err: Exception) -> InputError:
    message = str(err)
    match = re.search(r"variable \?(\w+) in its SELECT projection", message)
    if match:
        return InputError(
            f"{q.origin}: cannot bind ?{match.group(1)}: the query does not return it "
            "(bind a variable of the SELECT clause, or of the pattern of an ASK or CONSTRUCT)"
        )
    return InputError(f"{q.origin}: {' '.join(message.split())}")


def check(q: Query, params: Mapping[str, Term], prefixes: bool = True) -> str:
    """Parse the query (on an empty store) as the embedded run would; return its kind.

    Raises ParseError with the line and column of a syntax error, and InputError when a
    parameter names a variable the query cannot bind.
    """
    substitutions = {ox.Variable(n): t for n, t in params.items()}
    try:
        answer = ox.Store().query(
            q.text,
            prefixes=ns.PREFIXES if prefixes else None,
            substitutions=substitutions or None,
        )
    except SyntaxError as err:
        from .graph import query_syntax_error

        parsed = query_syntax_error(err)
        raise ParseError(q.origin, parsed.line, parsed.column, _short(parsed.detail)) from None
    except RuntimeError as err:
        raise _binding_error(q, err) from None
    except OSError:  # only ASK is evaluated at once: a SERVICE it calls has failed
        return "ask"
    if isinstance(answer, ox.QueryBoolean):
        return "ask"
    if isinstance(answer, ox.QueryTriples):
        return "graph"
    return "select"


def values_clause(params: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (<iri> "text") }``: the terms in escaped N-Triples syntax."""
    names = " ".join(f"?{n}" for n in params)
    terms = " ".join(str(t) for t in params.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


def query(
    target,
    name_or_text: str,
    params: Mapping[str, Any] | Sequence[str] | None = None,
    as_frame: bool = False,
    timeout: float = 30.0,
    engine: str = "oxigraph",
):
    """Run a competency question (by name), an ``.rq`` file or SPARQL text.

    ``target`` is a :class:`~policygraph.graph.KnowledgeGraph` (load it and entail it
    first: ``policygraph.entail(kg)``) or the URL of a SPARQL 1.1 endpoint. ``params``
    maps variable names to values (``"<iri>"`` for an IRI, any other string for a string
    literal, or pyoxigraph terms). ``engine`` answers on a knowledge graph: ``oxigraph``
    (default) or ``rdflib``; an endpoint answers with its own. Returns a
    :class:`QueryResult`, or a pandas DataFrame with ``as_frame=True``.
    """
    check_engine(engine)
    bound = bind(params)
    if isinstance(target, str):
        from .endpoint import run_remote

        if engine != ENGINES[0]:
            raise InputError(f"engine={engine!r} is for the embedded graph, not an endpoint")
        result = run_remote(target, resolve(name_or_text), bound, timeout=timeout)
    else:
        result = run_embedded(target, resolve(name_or_text, target.project), bound, engine)
    return result.to_frame() if as_frame else result


def embedded(project: Project | None = None, data: Sequence[Path | str] | None = None):
    """The knowledge graph queries run on: ontology + data + full OWL 2 RL entailments."""
    from .graph import load
    from .reasoning import entail

    kg = load(project, data=data, shapes=False)
    entail(kg, profile="full")
    return kg


def describe(questions: list[CompetencyQuestion], fmt: str = "table") -> str:
    """The catalogue as text, for ``policygraph query --list``."""
    if fmt == "json":
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "question": q.question,
                "use": q.use,
                "params": dict(q.params),
            }
            for q in questions
        ]
        return json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(["name", "title", "question", "use"])
        for q in questions:
            writer.writerow([q.name, q.title, q.question, q.use])
        return out.getvalue()
    if fmt != "table":
        raise InputError(f"--list prints table, csv, tsv or json, not {fmt}")
    width = max((len(q.name) for q in questions), default=4)
    lines = [f"{q.name.ljust(width)}  {q.title}" for q in questions]
    lines.append(f"({len(questions)} competency questions)")
    return "\n".join(lines) + "\n"

"""Validating the graph against the SHACL shapes, with one of two independent engines.

Both engines see the same data graph: ontology + data + the ``structural`` entailments
(subclasses, subproperties, inverses, chains, hasValue; not domain or range, which would
make every ``sh:class`` check pass by inference), with the shapes as a separate graph.

* ``rudof`` (default): pyrudof's native SHACL engine, an order of magnitude faster; the
  SPARQL-based constraints that pre-binding ``$this`` cannot change are answered once over
  the whole graph by Oxigraph instead (:mod:`policygraph.sparql_constraints`), beside it.
* ``pyshacl``: the reference Python engine, run with inference "none" on the same
  pre-entailed graph.

Blank nodes are skolemized (RDF 1.1 §3.5) into ``https://w3id.org/policygraph/.well-known/
genid/<id>`` before either engine sees them: pyrudof cannot pre-bind a blank focus node in a
SPARQL-based constraint, and evidence, selectors and quantities are blank nodes. Results are
mapped back to the original blank nodes, which reports describe by the triple that points
to them ("evidence of measure:japan-asset-freeze").

Both engines' reports are read the same way: serialised as N-Triples, parsed with
pyoxigraph, and turned into :class:`~policygraph.report.Result` objects.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from . import namespaces as ns
from .errors import InputError
from .graph import PARTS, QUERYABLE, KnowledgeGraph, load
from .project import Project
from .reasoning import entail
from .report import SEVERITIES, Result, ValidationReport

ENGINES = ("rudof", "pyshacl")
GENID = ns.BASE + ".well-known/genid/"
QUOTE_COMPONENT = ns.PGSH + "VerbatimQuoteComponent"
QUOTE_SHAPE = ns.PGSH + "EvidenceShape"

_SH = ns.SH


def validate(
    project: Project | None = None,
    data: Sequence[Path | str] | None = None,
    engine: str = "rudof",
    reasoner: str = "rules",
    check_quotes: bool | None = None,
    sources: Sequence[Path | str] | None = None,
) -> ValidationReport:
    """Load ontology, data and shapes, entail (``structural``), and validate.

    ``data=None`` validates the project's ``data/``; a list validates those files and
    folders instead, together with the project's ontology and shapes. ``check_quotes``
    adds the evidence checker's problems as results (default: when source texts are
    there: see :func:`source_folders`; ``sources`` names the folders instead).
    """
    check_engine(engine)
    started = time.perf_counter()
    kg = load(project, data=data, shapes=True)
    if not kg.files.get("shapes"):
        raise InputError(f"{kg.project.shapes_dir}: no shapes to validate against")
    if data is not None and not kg.files["data"]:
        raise InputError(f"{', '.join(str(p) for p in data)}: no RDF files there")
    entail(kg, reasoner=reasoner, profile="structural")
    folders = source_folders(kg.project, data, sources)
    if check_quotes is None:
        check_quotes = bool(folders)
    if check_quotes and not folders:
        raise InputError("no source texts to check quotes against (give --sources DIR)")
    report = validate_with_quotes(kg, engine, folders if check_quotes else [])
    report.seconds = time.perf_counter() - started
    return report


def source_folders(
    project: Project,
    data: Sequence[Path | str] | None = None,
    sources: Sequence[Path | str] | None = None,
) -> list[Path]:
    """Where the source texts of the quote check are, in the order they are looked in.

    ``sources`` when given (each must be a folder); else the ``sources/`` folder beside
    the data of every data folder given (``policygraph synth`` writes a corpus that way),
    then the project's own (``$POLICYGRAPH_SOURCES`` or ``../shared/sources``), those that
    exist.
    """
    if sources:
        folders = [Path(folder) for folder in sources]
        for folder in folders:
            if not folder.is_dir():
                raise InputError(f"{folder}: no such folder of source texts")
        return folders
    candidates = [Path(path) / "sources" for path in data or () if Path(path).is_dir()]
    candidates.append(project.sources_dir)
    found: list[Path] = []
    for folder in candidates:
        if folder.is_dir() and folder not in found:
            found.append(folder)
    return found


def add_quote_check(
    report: ValidationReport, kg: KnowledgeGraph, sources_dir: Path | Sequence[Path]
) -> None:
    """Add to ``report`` a result for every quote that does not check out against the texts."""
    _add_quote_results(report, quote_results(kg, sources_dir))


def _add_quote_results(report: ValidationReport, results: list[Result]) -> None:
    report.results.extend(results)
    report.results.sort(key=Result.sort_key)
    report.checked_quotes = True


def validate_with_quotes(
    kg: KnowledgeGraph, engine: str, sources_dir: Sequence[Path]
) -> ValidationReport:
    """:func:`validate_graph`, with the quote check against ``sources_dir`` (none: no check).

    For a graph validated in parts the check runs beside the validation, in a forked
    process: after it, the check ran alone on one core (3 s at 1,000 briefs).
    """
    from .workers import Job

    quotes = None
    if sources_dir:
        large = kg.size("data") > PART_THRESHOLD
        quotes = Job(lambda: quote_results(kg, sources_dir), forked=None if large else False)
    report = validate_graph(kg, engine=engine)
    if quotes is not None:
        _add_quote_results(report, quotes.result())
    return report


def check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (choose from {', '.join(ENGINES)})")


# A graph this large (ontology + data + entailments) is validated in parts by default
# (docs/performance.md: where validating in parts starts to pay).
PART_THRESHOLD = 60_000


def validate_graph(
    kg: KnowledgeGraph, engine: str = "rudof", *, part_triples: int | None = None
) -> ValidationReport:
    """Validate ontology + data + entailments of ``kg`` against its shapes.

    A graph of more than ``PART_THRESHOLD`` statements is validated in parts of about
    ``partition.DEFAULT_PART_TRIPLES`` statements each (:mod:`policygraph.partition`),
    with the same results; ``part_triples`` sets the size of the parts (``0``: validate
    the graph whole).
    """
    check_engine(engine)
    started = time.perf_counter()
    shapes: Sequence[ox.Triple] = list(kg.triples(("shapes",)))
    whole_graph = None
    if engine == "rudof":  # its SPARQL constraints are answered once, by Oxigraph
        from . import sparql_constraints

        whole_graph = sparql_constraints.plan(shapes)
        shapes = whole_graph.remaining
    shapes_nt = ox.serialize(shapes, format=ox.RdfFormat.N_TRIPLES)
    triples = kg.size("ontology") + kg.size("data") + kg.size("entailments")
    if part_triples is None:
        from .partition import DEFAULT_PART_TRIPLES

        part_triples = 0 if triples <= PART_THRESHOLD else DEFAULT_PART_TRIPLES
    sparql_job = None
    if whole_graph is not None and whole_graph.constraints:
        from .workers import Job

        # a large graph: in a forked process that shares the store, started before the
        # graph is cut into parts so that it runs beside the cutting and then the parts
        sparql_job = Job(
            lambda: sparql_constraints.results(
                kg.store, [PARTS[p] for p in QUERYABLE], whole_graph.constraints
            ),
            forked=None if part_triples else False,
        )
    partition = _partition(kg, part_triples, shapes) if part_triples else None
    notes: list[str] = []
    if partition is None:
        data_nt = skolemized_ntriples(kg.triples(("ontology", "data", "entailments")))
        name, note, report_nt = run_engine(engine, data_nt, shapes_nt)
        used = {name}
        notes += [note] if note else []
        report_store = ox.Store()
        report_store.load(report_nt, format=ox.RdfFormat.N_TRIPLES)
        results = read_results(report_store, kg)
        engine_conforms = _engine_conforms(report_store)
    else:
        results, used, notes = _validate_parts(kg, partition, engine, shapes_nt)
        engine_conforms = not results  # a SHACL report conforms when it has no result
    if sparql_job is not None:
        found = sparql_job.result()
        results += found
        engine_conforms = engine_conforms and not found
    for note in notes:
        print(f"policygraph: warning: {note}", file=sys.stderr)
    report = ValidationReport(
        results=sorted(results, key=Result.sort_key),
        engine="+".join(sorted(used)),
        files={part: [str(f) for f in files] for part, files in kg.files.items()},
        triples=triples,
        engine_conforms=engine_conforms,
        seconds=time.perf_counter() - started,
        note="; ".join(dict.fromkeys(notes)) or None,
    )
    report.bind(kg)
    return report


def _partition(kg: KnowledgeGraph, part_triples: int, shapes: Sequence[ox.Triple]):
    """The graph cut into parts for ``shapes``, or None when their reach cannot be bounded."""
    from .partition import Partition
    from .reach import Unbounded, shapes_reach

    try:
        reach = shapes_reach(shapes)
    except Unbounded as why:
        print(f"policygraph: validating the graph whole: {why}", file=sys.stderr)
        return None
    partition = Partition(kg, reach, part_triples, shapes=list(shapes))
    return partition if len(partition) > 1 else None


def _validate_parts(kg: KnowledgeGraph, partition, engine: str, shapes_nt: bytes):
    """Validate every part; keep each result from the part that owns its focus node."""
    from .partition import validate_parts

    owner = {term_key(node): index for node, index in partition.owner.items()}

    results: list[Result] = []
    used: set[str] = set()
    notes: list[str] = []
    claimed: dict[str, int] = {}  # focus nodes that are no subject: the first part's results
    for index, (name, note, report_nt) in validate_parts(
        partition, skolemized_ntriples, engine, shapes_nt
    ):
        used.add(name)
        notes += [note] if note else []
        store = ox.Store()
        store.load(report_nt, format=ox.RdfFormat.N_TRIPLES)
        for result in read_results(store, kg):
            keeper = owner.get(result.focus)
            if keeper is None:
                keeper = claimed.setdefault(result.focus, index)
            if keeper == index:
                results.append(result)
    return results, used, notes


# --- Engines --------------------------------------------------------------------------


def skolemized_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """N-Triples of ``triples`` with every blank node replaced by its skolem IRI."""

    def skolem(term):
        return ox.NamedNode(GENID + term.value) if isinstance(term, ox.BlankNode) else term

    return ox.serialize(
        (ox.Triple(skolem(t.subject), t.predicate, skolem(t.object)) for t in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )


def run_engine(engine: str, data_nt: bytes, shapes_nt: bytes) -> tuple[str, str | None, bytes]:
    """(engine used, a note when pyrudof failed and pyshacl stood in, report N-Triples)."""
    if engine == "rudof":
        try:
            return "rudof", None, _run_rudof(data_nt, shapes_nt)
        except Exception as err:  # pyrudof raises its own exception classes for engine faults
            note = (
                f"pyrudof could not validate this graph ({type(err).__name__}: "
                f"{' '.join(str(err).split())[:200]}); validated with pyshacl instead"
            )
            return "pyshacl", note, _run_pyshacl(data_nt, shapes_nt)
    return "pyshacl", None, _run_pyshacl(data_nt, shapes_nt)


def _run_rudof(data_nt: bytes, shapes_nt: bytes) -> bytes:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data_nt.decode("utf-8"), pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes_nt.decode("utf-8"), pyrudof.ShaclFormat.NTriples)
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(pyrudof.ResultShaclValidationFormat.NTriples)
    return text.encode("utf-8")


def _run_pyshacl(data_nt: bytes, shapes_nt: bytes) -> bytes:
    import pyshacl
    import rdflib

    from .convert import to_rdflib_graph

    # Moving pyoxigraph's parse into rdflib is twice as fast as rdflib's N-Triples parser,
    # and the shapes, the same from one call to the next, are converted once per process.
    data_graph = to_rdflib_graph(q.triple for q in ox.parse(data_nt, format=ox.RdfFormat.N_TRIPLES))
    shapes_graph = _rdflib_shapes(shapes_nt)
    with _prepared_sparql():
        _conforms, results_graph, text = pyshacl.validate(
            data_graph, shacl_graph=shapes_graph, inference="none", allow_warnings=False
        )
    if not isinstance(results_graph, rdflib.Graph):  # pyshacl returns its failure
        raise RuntimeError(f"pyshacl could not validate: {' '.join(str(text).split())[:300]}")
    return results_graph.serialize(format="nt", encoding="utf-8")


@functools.lru_cache(maxsize=4)
def _rdflib_shapes(shapes_nt: bytes):
    """The shapes as an rdflib graph (pyshacl reads, never writes it)."""
    from .convert import to_rdflib_graph

    return to_rdflib_graph(q.triple for q in ox.parse(shapes_nt, format=ox.RdfFormat.N_TRIPLES))


# Translated SPARQL of the shapes, kept for the process: the same shapes are validated
# again and again in tests and notebooks.
_PREPARED: dict = {}


@contextlib.contextmanager
def _prepared_sparql():
    """Parse each SPARQL text once while pyshacl runs, as rdflib's ``prepareQuery`` would.

    pyshacl hands rdflib the same query text for every focus node of a SPARQL-based
    constraint, with the focus node as an initial binding, and rdflib parses the text
    anew each time (about 20 ms): on a few hundred focus nodes that is nearly all of
    pyshacl's time. A translated query is reusable with other initial bindings (that is
    what prepared queries are), so reusing it changes no result.
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    prepared = _PREPARED

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = processor.translateQuery(
                    processor.parseQuery(strOrQuery), base, initNs
                )
            strOrQuery = prepared[key]
        return processor.evalQuery(self.graph, strOrQuery, initBindings, base)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


# --- Reading a SHACL validation report --------------------------------------------------

_RESULTS = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?result ?focus ?path ?value ?component ?severity ?shape WHERE {
  ?report a sh:ValidationReport ; sh:result ?result .
  ?result sh:focusNode ?focus ; sh:sourceConstraintComponent ?component ;
          sh:resultSeverity ?severity .
  OPTIONAL { ?result sh:resultPath ?path }
  OPTIONAL { ?result sh:value ?value }
  OPTIONAL { ?result sh:sourceShape ?shape }
}
"""

_MESSAGES = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?result ?message WHERE { ?result sh:resultMessage ?message }
"""

_SHAPE_MESSAGES = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?shape ?message WHERE { ?shape sh:message ?message . FILTER(isIRI(?shape)) }
"""


def _engine_conforms(store: ox.Store) -> bool:
    for row in store.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> "
        "SELECT ?c WHERE { ?r a sh:ValidationReport ; sh:conforms ?c }"
    ):
        return row["c"].value == "true"
    raise RuntimeError("the SHACL engine returned no validation report")


def unskolemize(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(GENID):
        return ox.BlankNode(term.value[len(GENID) :])
    return term


def read_results(store: ox.Store, kg: KnowledgeGraph) -> list[Result]:
    """The top-level results of a SHACL report (not the ``sh:detail`` nested in them)."""
    messages: dict[ox.Term, list[ox.Literal]] = {}
    for row in store.query(_MESSAGES):
        messages.setdefault(row["result"], []).append(row["message"])
    shape_messages: dict[str, list[ox.Literal]] = {}
    for row in kg.query(_SHAPE_MESSAGES, parts=("shapes",)):
        shape_messages.setdefault(row["shape"].value, []).append(row["message"])
    results = []
    for row in store.query(_RESULTS):
        component = row["component"].value
        shape = row["shape"]
        shape_iri = shape.value if isinstance(shape, ox.NamedNode) else None
        if component == _SH + "SPARQLConstraintComponent" or shape_iri not in shape_messages:
            # SPARQL constraints' messages are templates the engine fills in.
            candidates = messages.get(row["result"], [])
        else:
            candidates = shape_messages[shape_iri]
        severity = row["severity"].value.removeprefix(_SH)
        results.append(
            Result(
                focus=term_key(unskolemize(row["focus"])),
                path=path_text(store, row["path"]) if row["path"] is not None else None,
                value=term_key(unskolemize(row["value"])) if row["value"] is not None else None,
                component=component,
                severity=severity if severity in SEVERITIES else row["severity"].value,
                message=_english(candidates),
                shape=shape_iri if shape_iri else None,
            )
        )
    return results


def _english(literals: list[ox.Literal]) -> str:
    if not literals:
        return ""
    for lit in literals:
        if getattr(lit, "language", None) == "en":
            return lit.value
    return literals[0].value


def term_key(term) -> str:
    """A term as a string: the IRI, ``_:id`` for a blank node, N-Triples for a literal."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def path_text(store: ox.Store, path) -> str:
    """A SHACL property path of the report graph in SPARQL property-path syntax."""
    if isinstance(path, ox.NamedNode):
        return path.value

    def one(predicate: str):
        for q in store.quads_for_pattern(path, ox.NamedNode(_SH + predicate), None):
            return q.object
        return None

    inverse = one("inversePath")
    if inverse is not None:
        return "^" + _wrap(path_text(store, inverse))
    for kind, sep in (("alternativePath", "|"), ("zeroOrMorePath", "*")):
        inner = one(kind)
        if inner is not None:
            if sep == "|":
                return "(" + "|".join(_wrap(path_text(store, p)) for p in _list(store, inner)) + ")"
            return _wrap(path_text(store, inner)) + "*"
    for kind, suffix in (("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = one(kind)
        if inner is not None:
            return _wrap(path_text(store, inner)) + suffix
    members = _list(store, path)
    if members:
        return "/".join(_wrap(path_text(store, p)) for p in members)
    return term_key(path)


def _wrap(text: str) -> str:
    return f"<{text}>" if text.startswith(("http:", "https:", "urn:")) else text


def _list(store: ox.Store, head) -> list:
    first = ox.NamedNode(ns.RDF + "first")
    rest = ox.NamedNode(ns.RDF + "rest")
    items = []
    node = head
    for _ in range(1000):
        heads = list(store.quads_for_pattern(node, first, None))
        if not heads:
            break
        items.append(heads[0].object)
        tails = list(store.quads_for_pattern(node, rest, None))
        if not tails:
            break
        node = tails[0].object
    return items


# --- Quotes -------------------------------------------------------------------------------


def quote_results(kg: KnowledgeGraph, sources_dir: Path | Sequence[Path]) -> list[Result]:
    """The evidence checker's problems as Violations of a quote constraint."""
    from .evidence import check_quotes

    problems, _checked = check_quotes(kg, sources_dir)
    results = []
    for problem in problems:
        node = problem.node
        results.append(
            Result(
                focus=node,
                path=ns.PG + "hasEvidence" if not node.startswith("_:") else None,
                value=ox.Literal(problem.quote).__str__() if problem.quote else None,
                component=QUOTE_COMPONENT,
                severity="Violation",
                message=f"The quote must be verbatim from the source: {problem.message}.",
                shape=QUOTE_SHAPE,
            )
        )
    return results

"""OWL 2 RL entailment: the graph gains what its ontology says follows from the data.

Three reasoners give the same triples on the terms the ontology declares:

* ``rules`` (default): the OWL 2 RL rules the ontology needs, one SPARQL Update file
  each in ``rules/``, run inside pyoxigraph until nothing new follows. Fast, and the
  rules are readable data. Each file says what its premises read and what it writes
  (``types``: ``rdf:type`` statements, ``statements``: any other), so that a rule runs
  again only when a rule it depends on has added something since it last ran; subclass
  and subproperty closures are followed in one step (``rdfs:subClassOf+``).
* ``owlrl``: the reference implementation of the whole OWL 2 RL profile on rdflib,
  slower by two orders of magnitude; its extra axiomatic triples are dropped.
* ``reasonable``: a Rust implementation of the whole OWL 2 RL profile (an optional
  extra, ``pip install 'policygraph[reasonable]'``); about as fast as the rules at
  corpus scale, but its memory grows faster than the data (docs/performance.md).

The two whole-profile reasoners cannot switch rules off: for the ``structural`` profile
they are given the ontology without its domain and range axioms.

Two profiles: ``structural`` (subclasses, subproperties, inverses, symmetry,
transitivity, chains, hasValue) is what validation runs on, so that data need not
assert what follows, while domain and range axioms cannot silently satisfy the
shapes' type checks; ``full`` adds domain and range, and is what a release holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from . import namespaces as ns
from .errors import InputError
from .graph import PARTS, KnowledgeGraph

PROFILES = ("structural", "full")
REASONERS = ("rules", "owlrl", "reasonable")
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_RDFS_DOMAIN = ox.NamedNode(ns.RDFS + "domain")
_RDFS_RANGE = ox.NamedNode(ns.RDFS + "range")
_OWL_SAMEAS = ox.NamedNode(ns.OWL + "sameAs")


KINDS = ("types", "statements")
_HEADER_KEYS = ("OWL 2 RL rule", "profile", "reads", "writes")


@dataclass(frozen=True)
class Rule:
    name: str
    owl_rl: str
    profile: str
    description: str
    text: str
    reads: tuple[str, ...] = KINDS  # kinds of statement its premises match
    writes: str = "statements"  # the kind of statement it adds


@dataclass(frozen=True)
class Entailment:
    """What an entailment run added and how long it took."""

    reasoner: str
    profile: str
    added: int
    rounds: int
    seconds: float


@cache
def rules() -> tuple[Rule, ...]:
    """The rule files, in file-name order, with their header fields parsed.

    A file opens with comment lines ``# OWL 2 RL rule: ...``, ``# profile: ...``,
    ``# reads: ...`` and ``# writes: ...``, then one comment line describing the rule.
    """
    loaded = []
    for entry in sorted(resources.files("policygraph").joinpath("rules").iterdir(), key=str):
        if not entry.name.endswith(".ru"):
            continue
        text = entry.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        description = ""
        for line in text.splitlines():
            if not line.startswith("# "):
                break
            key, sep, value = line[2:].partition(": ")
            if sep and key in _HEADER_KEYS:
                header[key] = value.strip()
            elif not description:
                description = line[2:].strip()
        reads = tuple(k.strip() for k in header.get("reads", ", ".join(KINDS)).split(","))
        writes = header.get("writes", "statements")
        if not set(reads) <= set(KINDS) or writes not in KINDS:
            raise RuntimeError(f"rules/{entry.name}: reads/writes must be among {KINDS}")
        loaded.append(
            Rule(
                name=entry.name.removesuffix(".ru"),
                owl_rl=header["OWL 2 RL rule"],
                profile=header["profile"],
                description=description,
                text=text,
                reads=reads,
                writes=writes,
            )
        )
    return tuple(loaded)


def rules_for(profile: str) -> list[Rule]:
    if profile not in PROFILES:
        raise InputError(
            f"unknown entailment profile {profile!r} (choose from {', '.join(PROFILES)})"
        )
    return [r for r in rules() if profile == "full" or r.profile == "structural"]


def entail(
    kg: KnowledgeGraph, reasoner: str = "rules", profile: str = "full", max_rounds: int = 50
) -> Entailment:
    """Add the entailments of ontology + data to the graph's ``entailments`` part."""
    if reasoner not in REASONERS:
        raise InputError(f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)})")
    started = time.perf_counter()
    before = len(kg.store)  # entailment only adds, and only to the entailments part
    rules_for(profile)  # checks the profile's name
    if reasoner == "rules":
        rounds = _run_rules(kg, rules_for(profile), max_rounds, _closed(kg))
    elif reasoner == "owlrl":
        rounds = _run_owlrl(kg, profile)
    else:
        rounds = _run_reasonable(kg, profile)
    kg.entailment_profile = profile
    kg.entailed_size = len(kg.store)
    return Entailment(
        reasoner=reasoner,
        profile=profile,
        added=len(kg.store) - before,
        rounds=rounds,
        seconds=time.perf_counter() - started,
    )


# rdf:type used as a property of an axiom (a subproperty, a domain, in a chain, ...):
# then a rule matching "statements" may match type statements too.
_TYPE_IN_AXIOMS = """
ASK { { rdf:type ?p ?o } UNION { ?s ?p rdf:type FILTER(?p != rdf:type) } }
"""


def _closed(kg: KnowledgeGraph) -> set[str]:
    """The rules whose fixpoint the graph is at: those of the profile last entailed, when
    nothing was added to the store since (a build entails ``full`` after ``structural``)."""
    if kg.entailment_profile is None or kg.entailed_size != len(kg.store):
        return set()
    return {rule.name for rule in rules_for(kg.entailment_profile)}


def _run_rules(
    kg: KnowledgeGraph, selected: list[Rule], max_rounds: int, closed: set[str] = frozenset()
) -> int:
    """Run the rules in passes until a pass adds nothing; returns the number of passes.

    Within a pass each rule sees what the rules before it added. A rule is skipped when
    no rule that writes what it reads has added anything since its last run (nothing
    new could match its premises): the last pass only re-runs the rules whose input
    changed in the pass before, instead of all of them. The rules in ``closed`` are at
    their fixpoint already: they run only once another rule has added what they read.
    """
    using = "\n".join(f"USING <{PARTS[p].value}>" for p in ("ontology", "data", "entailments"))
    updates = [(rule, rule.text.replace("#USING", using)) for rule in selected]
    one_kind = bool(kg.query(_TYPE_IN_AXIOMS, parts=("ontology", "data")))

    def kind(k: str) -> str:
        return "statements" if one_kind else k

    changes = dict.fromkeys(KINDS, 0)  # how often each kind has grown
    last_seen: dict[str, tuple[int, ...] | None] = {
        rule.name: (tuple(changes[kind(k)] for k in rule.reads) if rule.name in closed else None)
        for rule in selected
    }
    size = len(kg.store)
    for round_number in range(1, max_rounds + 1):
        ran = False
        for rule, update in updates:
            inputs = tuple(changes[kind(k)] for k in rule.reads)
            if last_seen[rule.name] == inputs:
                continue
            last_seen[rule.name] = inputs
            ran = True
            kg.store.update(update)
            grown = len(kg.store)
            if grown != size:
                changes[kind(rule.writes)] += 1
                size = grown
        if not ran:
            return round_number - 1 or 1
    raise RuntimeError(f"entailment did not reach a fixpoint in {max_rounds} rounds")


# Terms the ontology declares are the ones whose entailments matter to shapes and
# queries; owlrl's axiomatic triples about RDF, RDFS and OWL themselves are dropped.
_DECLARED_TERMS = """
SELECT DISTINCT ?term WHERE {
  ?term a ?kind .
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  FILTER(isIRI(?term))
}
"""


def declared_terms(kg: KnowledgeGraph) -> set[str]:
    return {s["term"].value for s in kg.query(_DECLARED_TERMS, parts=("ontology",))}


def _closure_input(kg: KnowledgeGraph, profile: str) -> list[ox.Triple]:
    """Ontology + data for an external reasoner; without the domain and range axioms for
    the ``structural`` profile (no whole-profile reasoner can switch those rules off)."""
    left_out = {_RDFS_DOMAIN, _RDFS_RANGE} if profile == "structural" else set()
    return [t for t in kg.triples(("ontology", "data")) if t.predicate not in left_out]


def _from_rdflib(triples: Iterable[tuple]) -> Iterable[ox.Triple]:
    """rdflib triples as pyoxigraph triples; generalised ones (a literal subject or
    predicate, which owlrl produces) are left out."""
    import rdflib

    from .convert import from_rdflib_term

    for s, p, o in triples:
        if isinstance(s, rdflib.Literal) or not isinstance(p, rdflib.URIRef):
            continue
        yield ox.Triple(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o))


def _entailed_of(kg: KnowledgeGraph, closure: Iterable[ox.Triple]) -> list[ox.Quad]:
    """What a whole-profile reasoner's closure adds on the terms the ontology declares.

    Axiomatic triples about RDF, RDFS and OWL and reflexive ``owl:sameAs`` are dropped,
    as is anything already asserted.
    """
    asserted = set(kg.triples(("ontology", "data")))
    terms = declared_terms(kg)
    keep = []
    for t in closure:
        if t in asserted:
            continue
        if t.predicate == _RDF_TYPE:
            if not isinstance(t.object, ox.NamedNode) or t.object.value not in terms:
                continue
        elif t.predicate.value not in terms or t.predicate == _OWL_SAMEAS:
            continue
        keep.append(ox.Quad(t.subject, t.predicate, t.object))
    return keep


def _run_owlrl(kg: KnowledgeGraph, profile: str) -> int:
    import owlrl

    from .convert import to_rdflib_graph

    graph = to_rdflib_graph(_closure_input(kg, profile))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False).expand(graph)
    kg.add("entailments", _entailed_of(kg, _from_rdflib(graph)))
    return 1


def _run_reasonable(kg: KnowledgeGraph, profile: str) -> int:
    try:
        import reasonable
    except ImportError:
        raise InputError(
            "the reasonable reasoner is not installed: pip install 'policygraph[reasonable]'"
        ) from None

    from .convert import to_rdflib_term

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(
        [
            (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
            for t in _closure_input(kg, profile)
        ]
    )
    kg.add("entailments", _entailed_of(kg, _from_rdflib(reasoner.reason())))
    return 1

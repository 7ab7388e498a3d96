"""OWL 2 RL entailment: the graph gains what its ontology says follows from the data.

Two reasoners give the same triples on the terms the ontology declares:

* ``rules`` (default): the OWL 2 RL rules the ontology needs, one SPARQL Update file
  each in ``rules/``, run inside pyoxigraph until nothing new follows. Fast, and the
  rules are readable data.
* ``owlrl``: the reference implementation of the whole OWL 2 RL profile on rdflib,
  slower by two orders of magnitude; its extra axiomatic triples are dropped.

Two profiles: ``structural`` (subclasses, subproperties, inverses, symmetry,
transitivity, chains, hasValue) is what validation runs on, so that data need not
assert what follows, while domain and range axioms cannot silently satisfy the
shapes' type checks; ``full`` adds domain and range, and is what a release holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyoxigraph as ox

from . import namespaces as ns
from .errors import InputError
from .graph import PARTS, KnowledgeGraph

PROFILES = ("structural", "full")
REASONERS = ("rules", "owlrl")


@dataclass(frozen=True)
class Rule:
    name: str
    owl_rl: str
    profile: str
    description: str
    text: str


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
    """The rule files, in file-name order, with their header fields parsed."""
    loaded = []
    for entry in sorted(resources.files("policygraph").joinpath("rules").iterdir(), key=str):
        if not entry.name.endswith(".ru"):
            continue
        text = entry.read_text(encoding="utf-8")
        header = dict(
            line[2:].split(": ", 1)
            for line in text.splitlines()[:2]
            if line.startswith("# ") and ": " in line
        )
        description = text.splitlines()[2].lstrip("# ")
        loaded.append(
            Rule(
                name=entry.name.removesuffix(".ru"),
                owl_rl=header["OWL 2 RL rule"],
                profile=header["profile"],
                description=description,
                text=text,
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
    before = kg.size("entailments")
    if reasoner == "rules":
        rounds = _run_rules(kg, rules_for(profile), max_rounds)
    else:
        rounds = _run_owlrl(kg, profile)
    kg.entailment_profile = profile
    return Entailment(
        reasoner=reasoner,
        profile=profile,
        added=kg.size("entailments") - before,
        rounds=rounds,
        seconds=time.perf_counter() - started,
    )


def _run_rules(kg: KnowledgeGraph, selected: list[Rule], max_rounds: int) -> int:
    using = "\n".join(f"USING <{PARTS[p].value}>" for p in ("ontology", "data", "entailments"))
    updates = [rule.text.replace("#USING", using) for rule in selected]
    size = len(kg.store)
    for round_number in range(1, max_rounds + 1):
        for update in updates:
            kg.store.update(update)
        grown = len(kg.store)
        if grown == size:
            return round_number
        size = grown
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


def _run_owlrl(kg: KnowledgeGraph, profile: str) -> int:
    import owlrl
    import rdflib

    from .convert import to_rdflib_graph

    graph = to_rdflib_graph(kg.triples(("ontology", "data")))
    asserted = set(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False).expand(graph)
    terms = declared_terms(kg)
    structural = profile == "structural"
    domain_range = _domain_range_only(kg) if structural else set()
    keep = []
    for s, p, o in graph:
        if (s, p, o) in asserted or isinstance(s, rdflib.Literal):
            continue
        if p == rdflib.RDF.type:
            if not isinstance(o, rdflib.URIRef) or str(o) not in terms:
                continue
            if structural and (str(s), str(o)) in domain_range:
                continue
        elif str(p) not in terms or p == rdflib.OWL.sameAs:
            continue
        keep.append((s, p, o))
    from .convert import from_rdflib_triples

    kg.add("entailments", from_rdflib_triples(keep))
    return 1


def _domain_range_only(kg: KnowledgeGraph) -> set[tuple[str, str]]:
    """(node, class) pairs that only domain/range axioms give; owlrl cannot switch them off.

    Computed by running the rule engine's structural profile on a scratch copy and
    comparing with its full profile.
    """
    scratch = KnowledgeGraph(project=kg.project)
    scratch.store.extend(kg.quads(("ontology", "data")))
    _run_rules(scratch, rules_for("structural"), 50)
    structural = {
        (q.subject.value, q.object.value)
        for q in scratch.store.quads_for_pattern(
            None, ox.NamedNode(ns.RDF + "type"), None, PARTS["entailments"]
        )
    }
    _run_rules(scratch, rules_for("full"), 50)
    full = {
        (q.subject.value, q.object.value)
        for q in scratch.store.quads_for_pattern(
            None, ox.NamedNode(ns.RDF + "type"), None, PARTS["entailments"]
        )
    }
    return full - structural

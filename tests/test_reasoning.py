"""OWL 2 RL entailment: the rule engine gives what the ontology says follows, and the
same triples as owlrl (the reference implementation) on every declared term."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policygraph import namespaces as ns
from policygraph.graph import KnowledgeGraph, load
from policygraph.reasoning import entail, rules, rules_for


def copy(kg: KnowledgeGraph) -> KnowledgeGraph:
    """A graph with the same quads (and so the same blank nodes) as ``kg``."""
    twin = KnowledgeGraph(project=kg.project)
    twin.store.extend(kg.quads(("ontology", "data")))
    return twin


def entailed(kg: KnowledgeGraph) -> set[ox.Triple]:
    return {q.triple for q in kg.quads(("entailments",))}


@pytest.fixture(scope="module")
def loaded(project):
    return load(project, shapes=False)


@pytest.mark.parametrize("profile", ["structural", "full"])
def test_rules_agree_with_owlrl(loaded, profile):
    by_rules, by_owlrl = copy(loaded), copy(loaded)
    entail(by_rules, "rules", profile)
    entail(by_owlrl, "owlrl", profile)
    only_rules = entailed(by_rules) - entailed(by_owlrl)
    only_owlrl = entailed(by_owlrl) - entailed(by_rules)
    assert len(entailed(by_rules)) > 500
    assert not only_rules, f"rules entail what owlrl does not: {sorted(map(str, only_rules))[:10]}"
    assert not only_owlrl, f"owlrl entails what rules do not: {sorted(map(str, only_owlrl))[:10]}"


def T(s: str, p: str, o: str) -> ox.Triple:
    def term(x: str):
        prefix, _, local = x.partition(":")
        return ox.NamedNode(ns.PREFIXES[prefix] + local)

    return ox.Triple(term(s), term(p), term(o))


EXPECTED = {
    "subclass": T("measure:japan-central-bank-asset-freeze", "rdf:type", "pg:Sanction"),
    "subclass, transitively": T("measure:japan-central-bank-asset-freeze", "rdf:type", "pg:Event"),
    "inverse": T("actor:japan", "pg:isActorIn", "measure:japan-export-suspension"),
    "inverse of part": T(
        "measure:japan-mfn-withdrawal", "pg:isPartOf", "measure:japan-sanctions-2022"
    ),
    "symmetric": T("actor:japan", "pg:neighbourOf", "actor:russia"),
    "property chain": T("framework:strategic-compass", "pg:hasParty", "actor:eu"),
    "chain then inverse": T(
        "actor:china", "pg:isPartyTo", "framework:china-russia-joint-declaration-2022"
    ),
    "hasValue": T("claim:cmp-further-east", "pg:epistemicStatus", "status:forecast"),
    "subproperty": T("measure:japan-export-suspension", "pg:involves", "actor:russia"),
}


@pytest.mark.parametrize("what", sorted(EXPECTED))
def test_structural_entailments(loaded, what):
    kg = copy(loaded)
    entail(kg, profile="structural")
    assert EXPECTED[what] in entailed(kg)


def test_structural_profile_leaves_out_domain_and_range(loaded):
    """Range typing would make every sh:class check pass; validation must not see it."""
    range_only = T("person:fumio-kishida", "rdf:type", "pg:Actor")
    structural, full = copy(loaded), copy(loaded)
    entail(structural, profile="structural")
    entail(full, profile="full")
    assert range_only not in entailed(structural)
    assert range_only in entailed(full)


def test_entailment_is_idempotent(loaded):
    kg = copy(loaded)
    first = entail(kg)
    again = entail(kg)
    assert first.added > 0 and again.added == 0


def test_rule_files_declare_their_owl_rl_rule_and_profile():
    assert len(rules()) >= 10
    for rule in rules():
        assert rule.owl_rl and rule.profile in {"structural", "full"}, rule.name
        assert "#USING" in rule.text, f"{rule.name}: the engine inserts USING clauses there"
    assert {r.owl_rl for r in rules_for("full")} - {r.owl_rl for r in rules_for("structural")} == {
        "prp-dom",
        "prp-rng",
    }

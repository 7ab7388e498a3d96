"""The release's serialisations: statements ordered once, JSON-LD compacted in chunks."""

from __future__ import annotations

import json

import pyoxigraph as ox

from policygraph import dumps
from policygraph.convert import to_rdflib_graph
from policygraph.graph import PARTS


def test_jsonld_compacted_in_chunks_is_rdflibs_compaction_of_the_whole_graph(kg, monkeypatch):
    """Chunks of a few statements (so that blank nodes and their subjects must be kept
    together) give exactly the document rdflib's from_rdf makes of the whole graph."""
    from rdflib.plugins.serializers.jsonld import from_rdf

    dataset = dumps.canonical_dataset(kg)
    triples = dumps.triples_of(dataset, ("ontology", "data", "entailments"))
    context = dumps.jsonld_context(triples)
    assert any(isinstance(t.object, ox.BlankNode) for t in triples)
    monkeypatch.setattr(dumps, "JSONLD_CHUNK", 7)
    chunked = json.loads(dumps.compact_jsonld(triples, context))
    whole = dumps._sorted_sets(from_rdf(to_rdflib_graph(triples), context, auto_compact=True))
    assert chunked == json.loads(json.dumps(whole))  # rdflib's IRIs as JSON strings


def test_clusters_keep_a_blank_node_with_every_subject_that_leads_to_it():
    a, b, c = (ox.NamedNode(f"http://example.org/{n}") for n in "abc")
    p = ox.NamedNode("http://example.org/p")
    shared, inner = ox.BlankNode("shared"), ox.BlankNode("inner")
    triples = [
        ox.Triple(a, p, shared),
        ox.Triple(c, p, ox.Literal("alone")),
        ox.Triple(shared, p, inner),
        ox.Triple(inner, p, ox.Literal("deep")),
        ox.Triple(b, p, shared),
    ]
    groups = dumps.clusters(triples)
    assert sorted(len(g) for g in groups) == [1, 4]
    assert [t.subject for t in groups[1]] == [c]
    chunks = list(dumps.chunked(groups, 2))
    assert [len(c) for c in chunks] == [4, 1]  # a group is never split


def test_each_part_is_in_the_release_order_and_merged_parts_hold_each_triple_once(kg):
    dataset = dumps.canonical_dataset(kg)
    for parts in (("ontology",), ("ontology", "data"), ("ontology", "data", "entailments")):
        found = dumps.triples_of(dataset, parts)
        expected = {q.triple for part in parts for q in dataset.quads_for_graph_name(PARTS[part])}
        assert len(found) == len(expected) and set(found) == expected
        assert found == sorted(found, key=dumps.triple_order)

"""Moving triples between pyoxigraph and rdflib, for the engines that need rdflib."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # a simple literal, as rdflib's parsers give it
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def from_rdflib_term(term):
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or rdflib.XSD.string
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    raise TypeError(f"cannot convert {term!r}")


def to_rdflib_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in triples:
        graph.add(
            (to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object))
        )
    return graph


def from_rdflib_triples(triples: Iterable[tuple]) -> list[ox.Quad]:
    return [
        ox.Quad(from_rdflib_term(s), from_rdflib_term(p), from_rdflib_term(o))
        for s, p, o in triples
    ]

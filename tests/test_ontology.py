"""The ontology: parses, has a complete header, documents every term, and is OWL 2 DL
consistent with every class satisfiable (HermiT)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policygraph import namespaces as ns
from policygraph.graph import load

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
ONTOLOGY = ox.NamedNode(ns.ONTOLOGY_IRI)
TERM_KINDS = [
    ns.OWL + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")
]


def values(kg, subject, predicate) -> list:
    return [
        q.object
        for q in kg.store.quads_for_pattern(
            ox.NamedNode(subject) if isinstance(subject, str) else subject,
            ox.NamedNode(predicate),
            None,
        )
    ]


def pg_terms(kg) -> list[str]:
    terms = set()
    for kind in TERM_KINDS:
        for q in kg.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(kind)):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ns.PG):
                terms.add(q.subject.value)
    return sorted(terms)


@pytest.fixture(scope="module")
def onto(project):
    return load(project, data=[], shapes=False)


def test_ontology_parses_and_is_not_trivial(onto):
    assert onto.size("ontology") > 1000
    assert len(pg_terms(onto)) > 100


@pytest.mark.parametrize(
    "predicate",
    [
        ns.DCTERMS + "title",
        ns.DCTERMS + "description",
        ns.DCTERMS + "license",
        ns.DCTERMS + "creator",
        ns.DCTERMS + "created",
        ns.DCTERMS + "modified",
        ns.OWL + "versionIRI",
        ns.OWL + "versionInfo",
        ns.VANN + "preferredNamespacePrefix",
        ns.VANN + "preferredNamespaceUri",
        ns.DCTERMS + "bibliographicCitation",
    ],
)
def test_header_has(onto, predicate):
    assert values(onto, ns.ONTOLOGY_IRI, predicate), f"ontology header lacks <{predicate}>"


def test_header_values_are_of_the_right_kind(onto, project):
    (license_,) = values(onto, ns.ONTOLOGY_IRI, ns.DCTERMS + "license")
    assert isinstance(license_, ox.NamedNode), "the license must be an IRI, not a string"
    for creator in values(onto, ns.ONTOLOGY_IRI, ns.DCTERMS + "creator"):
        assert isinstance(creator, ox.NamedNode), "creators are nodes, not strings"
        assert values(onto, creator, ns.RDFS + "label"), f"creator {creator} has no label"
    (version_iri,) = values(onto, ns.ONTOLOGY_IRI, ns.OWL + "versionIRI")
    (version,) = values(onto, ns.ONTOLOGY_IRI, ns.OWL + "versionInfo")
    assert version.value == project.version, "owl:versionInfo must match pyproject.toml"
    assert version_iri.value == f"{ns.ONTOLOGY_IRI}/{project.version}"
    (prefix,) = values(onto, ns.ONTOLOGY_IRI, ns.VANN + "preferredNamespacePrefix")
    (uri,) = values(onto, ns.ONTOLOGY_IRI, ns.VANN + "preferredNamespaceUri")
    assert (prefix.value, uri.value) == ("pg", ns.PG)


def test_every_term_is_labelled_defined_and_attributed(onto):
    problems = []
    for term in pg_terms(onto):
        labels = [v for v in values(onto, term, ns.RDFS + "label") if v.language == "en"]
        definitions = [v for v in values(onto, term, ns.SKOS + "definition") if v.language == "en"]
        defined_by = values(onto, term, ns.RDFS + "isDefinedBy")
        if len(labels) != 1:
            problems.append(f"{term}: {len(labels)} English labels")
        if len(definitions) != 1:
            problems.append(f"{term}: {len(definitions)} English definitions")
        if defined_by != [ONTOLOGY]:
            problems.append(f"{term}: rdfs:isDefinedBy is {defined_by}")
    assert not problems, "\n".join(problems)


def test_term_names_follow_the_style(onto):
    bad = []
    for term in pg_terms(onto):
        local = term.removeprefix(ns.PG)
        is_class = bool(values(onto, term, ns.RDF + "type")) and ox.NamedNode(
            ns.OWL + "Class"
        ) in values(onto, term, ns.RDF + "type")
        pattern = r"[A-Z][A-Za-z0-9]*" if is_class else r"[a-z][A-Za-z0-9]*"
        if not re.fullmatch(pattern, local):
            bad.append(term)
    assert not bad, f"classes must be UpperCamelCase and properties lowerCamelCase: {bad}"


def test_object_properties_with_inverses_are_consistent(onto):
    """Where an inverse is declared, it is a declared property of the same kind."""
    for q in onto.store.quads_for_pattern(None, ox.NamedNode(ns.OWL + "inverseOf"), None):
        for prop in (q.subject, q.object):
            assert ox.NamedNode(ns.OWL + "ObjectProperty") in values(onto, prop, ns.RDF + "type"), (
                prop
            )


def test_no_undeclared_iri_in_the_project_namespace(project):
    """Every pg: IRI used anywhere in the project (ontology, data, shapes, queries) is declared."""
    kg = load(project)
    declared = set(pg_terms(kg))
    used: dict[str, str] = {}
    for quad in kg.quads():
        for term in (quad.subject, quad.predicate, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(ns.PG):
                used.setdefault(term.value, str(quad.graph_name.value))
    for query in project.query_files():
        text = query.read_text(encoding="utf-8")
        for local in re.findall(r"\bpg:([A-Za-z][A-Za-z0-9_]*)", text):
            used.setdefault(ns.PG + local, str(query))
    undeclared = sorted(f"{iri} (in {where})" for iri, where in used.items() if iri not in declared)
    assert not undeclared, "undeclared policygraph terms:\n" + "\n".join(undeclared)


def test_rules_only_need_constructs_the_reasoner_implements(onto):
    """The rule engine implements property chains of length two and hasValue restrictions;
    the ontology must not use OWL constructs it would silently ignore."""
    unsupported = [
        "someValuesFrom",
        "allValuesFrom",
        "unionOf",
        "intersectionOf",
        "complementOf",
        "oneOf",
        "maxCardinality",
        "minCardinality",
        "cardinality",
        "qualifiedCardinality",
        "hasKey",
        "sameAs",
        "differentFrom",
    ]
    for local in unsupported:
        assert not list(onto.store.quads_for_pattern(None, ox.NamedNode(ns.OWL + local), None)), (
            local
        )
    for q in onto.store.quads_for_pattern(None, ox.NamedNode(ns.OWL + "propertyChainAxiom"), None):
        chain = []
        node = q.object
        while node != ox.NamedNode(ns.RDF + "nil"):
            chain.append(values(onto, node, ns.RDF + "first")[0])
            node = values(onto, node, ns.RDF + "rest")[0]
        assert len(chain) == 2, f"{q.subject}: property chains must have two links"


# --- OWL 2 DL reasoning with HermiT (owlready2 ships it; it needs Java) -------------------

needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="HermiT needs Java; none on PATH"
)


def hermit(tmp_path: Path, files: list[Path], extra: str = ""):
    """Run HermiT on the files (+ extra Turtle); return (consistent, unsatisfiable classes)."""
    import owlready2

    quads = [q for f in files for q in ox.parse(path=str(f))]
    if extra:
        quads += list(ox.parse(extra, format=ox.RdfFormat.TURTLE))
    nt = tmp_path / "ontology.nt"
    nt.write_bytes(ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES))
    world = owlready2.World()
    world.get_ontology(nt.as_uri()).load()
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        return False, []
    return True, [str(c.iri) for c in world.inconsistent_classes()]


@needs_java
def test_hermit_finds_the_ontology_consistent_and_every_class_satisfiable(project, tmp_path):
    consistent, unsatisfiable = hermit(tmp_path, project.ontology_files())
    assert consistent
    assert unsatisfiable == []


@needs_java
def test_hermit_check_can_fail(project, tmp_path):
    """Control: the same check rejects an individual that is both a claim and an event."""
    clash = (
        "@prefix pg: <https://w3id.org/policygraph/ontology#> .\n"
        "<https://w3id.org/policygraph/id/claim/x> a pg:Forecast , pg:Summit .\n"
    )
    consistent, _ = hermit(tmp_path, project.ontology_files(), clash)
    assert not consistent

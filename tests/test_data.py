"""The data: parses, every node is labelled, every statement has evidence and a status,
dates and figures are typed, identities are linked the safe way, and the layout keeps
shared entities apart from what a brief claims."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from policygraph import namespaces as ns
from policygraph.graph import load
from policygraph.sources import parse_file


def rows(kg, sparql: str, parts=("ontology", "data", "entailments")) -> list[dict]:
    result = kg.query(sparql, parts=parts)
    return [{v.value: s[v] for v in result.variables} for s in result]


def show(found: list[dict]) -> str:
    return "\n".join(
        ", ".join(f"{k}={v.value if v is not None else None}" for k, v in r.items()) for r in found
    )


def test_every_data_file_parses(project):
    files = project.data_files()
    assert len(files) >= 10
    for path in files:
        assert parse_file(path), f"{path} is empty"


def test_every_node_typed_with_a_policygraph_class_has_an_english_label(kg):
    missing = rows(
        kg,
        """SELECT DISTINCT ?node ?class WHERE {
             ?node a ?class . FILTER(STRSTARTS(STR(?class), STR(pg:)))
             FILTER NOT EXISTS { ?node rdfs:label ?l . FILTER(LANGMATCHES(LANG(?l), "en")) }
           }""",
        parts=("data", "entailments"),
    )
    assert not missing, "nodes without an English label:\n" + show(missing)


EVIDENCED = """
  VALUES ?kind {
    pg:Event pg:Claim pg:Dependency pg:Statistic pg:Framework pg:Pillar org:Membership
  }
  ?node a ?kind .
"""


def test_every_statement_has_evidence_and_exactly_one_status(kg):
    without = rows(
        kg,
        f"""SELECT DISTINCT ?node WHERE {{
              {EVIDENCED} FILTER NOT EXISTS {{ ?node pg:hasEvidence ?e }}
            }}""",
    )
    assert not without, "statements without evidence:\n" + show(without)
    statuses = rows(
        kg,
        f"""SELECT ?node (COUNT(DISTINCT ?s) AS ?n) WHERE {{
              {EVIDENCED} OPTIONAL {{ ?node pg:epistemicStatus ?s }}
            }} GROUP BY ?node HAVING (COUNT(DISTINCT ?s) != 1)""",
    )
    assert not statuses, "statements without exactly one epistemic status:\n" + show(statuses)


def test_every_evidence_is_a_quote_on_a_source_in_a_section(kg):
    bad = rows(
        kg,
        """SELECT ?node WHERE {
             ?node pg:hasEvidence ?e .
             FILTER NOT EXISTS {
               ?e a oa:SpecificResource ; oa:hasSource ?src ; pg:inSection ?sec ;
                  oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?q ] .
               ?src a pg:PolicyBrief . ?sec a doco:Section ; dcterms:isPartOf ?src .
             }
           }""",
    )
    assert not bad, "evidence that is not a located quote:\n" + show(bad)


def test_dates_are_typed_as_precisely_as_the_source_gives_them(kg):
    allowed = {ns.XSD + t for t in ("date", "gYearMonth", "gYear")}
    dates = rows(kg, "SELECT ?node ?d WHERE { ?node pg:date|pg:referencePeriod ?d }")
    assert dates, "no dated statement"
    wrong = [r for r in dates if r["d"].datatype.value not in allowed]
    assert not wrong, "dates typed otherwise than xsd:date/gYearMonth/gYear:\n" + show(wrong)
    issued = rows(kg, "SELECT ?d WHERE { ?s a pg:PolicyBrief ; dcterms:issued ?d }")
    assert all(r["d"].datatype.value == ns.XSD + "date" for r in issued)


def test_figures_are_typed_numbers_with_units_and_known_qualifiers(kg):
    figures = rows(
        kg,
        """SELECT ?q ?v ?unit ?qualifier WHERE {
             ?q a pg:Quantity . OPTIONAL { ?q qudt:numericValue ?v }
             OPTIONAL { ?q qudt:hasUnit ?unit } OPTIONAL { ?q pg:qualifier ?qualifier }
           }""",
    )
    assert len(figures) >= 10
    numeric = {ns.XSD + t for t in ("integer", "decimal")}
    for r in figures:
        assert r["v"] is not None and r["v"].datatype.value in numeric, show([r])
        assert r["unit"] is not None and r["unit"].value.startswith(ns.UNIT), show([r])
        if r["qualifier"] is not None:
            assert r["qualifier"].value.startswith(ns.VOCAB + "quantity-qualifier/"), show([r])


@pytest.mark.parametrize(
    ("node", "value", "unit", "qualifier"),
    [
        ("measure/japan-export-suspension", "30", "NUM", "more-than"),
        ("measure/japan-ukrainian-refugee-admission", "400", "NUM", "around"),
        ("measure/germany-defence-spending-2022", "2", "PERCENT", "more-than"),
        ("measure/eu-military-aid-ukraine-2022", "500000000", "CCY_EUR", None),
        ("dependency/eu-gas-russia", "40", "PERCENT", None),
        ("dependency/japan-lng-russia", "9", "PERCENT", None),
        ("dependency/japan-oil-russia", "4", "PERCENT", None),
        ("statistic/japan-asylum-acceptance-rate", "1", "PERCENT", "less-than"),
    ],
)
def test_figures_keep_the_briefs_qualifiers(kg, node, value, unit, qualifier):
    (r,) = rows(
        kg,
        f"""SELECT ?v ?unit ?qualifier WHERE {{
              <{ns.DATA}{node}> pg:hasQuantity ?q .
              ?q qudt:numericValue ?v ; qudt:hasUnit ?unit .
              OPTIONAL {{ ?q pg:qualifier ?qualifier }}
            }}""",
    )
    assert r["v"].value == value
    assert r["unit"].value == ns.UNIT + unit
    got = r["qualifier"].value.rsplit("/", 1)[-1] if r["qualifier"] is not None else None
    assert got == qualifier


def test_only_forecasts_are_dated_after_the_brief(kg):
    late = rows(
        kg,
        """SELECT ?node ?d WHERE {
             ?node pg:date ?d ; pg:hasEvidence/oa:hasSource/dcterms:issued ?issued .
             FILTER(SUBSTR(STR(?d), 1, 10) > STR(?issued))
             FILTER NOT EXISTS { ?node pg:epistemicStatus status:forecast }
           }""",
    )
    assert not late, "non-forecast statements dated after their source:\n" + show(late)


def test_japanese_actors_offices_and_frameworks_have_japanese_labels(kg):
    missing = rows(
        kg,
        """SELECT DISTINCT ?node WHERE {
             { ?node a pg:Actor . FILTER(?node IN (actor:japan, actor:national-diet,
                 actor:japan-eu-friendship-league, actor:jiia, actor:cigs, actor:japanese-firms)) }
             UNION { ?node a foaf:Person ; ^org:member/org:organization actor:japan }
             UNION { ?node a org:Membership ; org:organization actor:japan }
             UNION { ?node a pg:Framework ; pg:hasParty actor:japan }
             UNION { ?m org:organization actor:japan ; org:role ?node }
             FILTER NOT EXISTS { ?node rdfs:label|skos:prefLabel ?l . FILTER(LANG(?l) = "ja") }
           }""",
    )
    assert not missing, "Japanese entities without a @ja label:\n" + show(missing)


def test_identities_link_to_wikidata_with_schema_sameas_never_owl_sameas(kg):
    assert not rows(kg, "SELECT * WHERE { ?a owl:sameAs ?b }", parts=("data",))
    links = rows(kg, "SELECT ?a ?b WHERE { ?a schema:sameAs ?b }", parts=("data",))
    assert len(links) >= 20
    assert all(r["b"].value.startswith(ns.WD + "Q") for r in links), show(links)
    targets = [r["b"].value for r in links]
    assert len(targets) == len(set(targets)), "two nodes claim the same Wikidata item"


def test_shared_entities_hold_no_claims(project):
    """data/shared/ says who and what things are; what a brief claims stays in its folder."""
    shared = project.data_dir / "shared"
    for path in sorted(shared.glob("*.ttl")):
        for quad in parse_file(path):
            assert quad.predicate.value not in {
                ns.PG + "hasEvidence",
                ns.PG + "epistemicStatus",
                ns.PG + "date",
            }, f"{path}: shared file states a claim ({quad})"


def test_each_brief_folder_is_split_by_concern(project):
    briefs = [p for p in (project.data_dir / "briefs").iterdir() if p.is_dir()]
    assert briefs
    expected = {"source.ttl", "frameworks.ttl", "events.ttl", "measures.ttl"}
    for brief in briefs:
        assert expected <= {p.name for p in brief.glob("*.ttl")}, brief


def test_a_second_brief_needs_only_turtle(project, tmp_path):
    """Adding a brief is adding Turtle files: the loader picks them up, nothing else changes."""
    extra = tmp_path / "briefs" / "example-brief" / "source.ttl"
    extra.parent.mkdir(parents=True)
    extra.write_text(
        "@prefix pg: <https://w3id.org/policygraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/policygraph/id/source/example> a pg:PolicyBrief ;"
        ' rdfs:label "Example"@en .\n',
        encoding="utf-8",
    )
    kg = load(project, data=[project.data_dir, tmp_path])
    assert ox.NamedNode(ns.DATA + "source/example") in {
        q.subject for q in kg.store.quads_for_pattern(None, None, None, None)
    }
    assert Path(extra) in kg.files["data"]

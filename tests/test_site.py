"""The release's pages, pictures and .htaccess: complete, linked, and generated from the graph."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest

from policygraph import layout
from policygraph import namespaces as ns
from policygraph.release import build

SVG = "{http://www.w3.org/2000/svg}"
_HREF = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def dist(project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "dist"
    build(project, out=out, quiet=True, site_url="https://host.example/pg")
    return out


def select(kg, text: str) -> list:
    return list(kg.query(text))


def pg_terms(kg, kind: str) -> list[str]:
    rows = select(
        kg, f"SELECT DISTINCT ?t WHERE {{ ?t a owl:{kind} FILTER(STRSTARTS(STR(?t), STR(pg:))) }}"
    )
    return sorted(r["t"].value for r in rows)


@pytest.mark.parametrize(
    "kind", ["Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty"]
)
def test_ontology_page_documents_every_term(dist, kg, kind):
    page = (dist / "docs/index.html").read_text(encoding="utf-8")
    terms = pg_terms(kg, kind)
    assert terms
    for term in terms:
        anchor = term[len(ns.PG) :]
        match = re.search(
            rf'<section class="term" id="{re.escape(anchor)}">(.*?)</section>', page, re.S
        )
        assert match, f"no section for {term}"
        section = html.unescape(match.group(1))
        label = kg.query(f"SELECT ?l WHERE {{ <{term}> rdfs:label ?l FILTER(LANG(?l) = 'en') }}")
        for row in label:
            assert row["l"].value in section
        for row in kg.query(
            f"SELECT ?d WHERE {{ <{term}> skos:definition ?d }}", parts=("ontology",)
        ):
            assert row["d"].value in section, f"{term} lacks its definition"
        if kind == "Class":
            for row in kg.query(
                f"SELECT ?s WHERE {{ <{term}> rdfs:subClassOf ?s FILTER(isIRI(?s)) }}",
                parts=("ontology",),
            ):
                assert "Subclass of" in section and row["s"].value in section, f"{term}: superclass"
        else:
            for key, label in (("domain", "Domain"), ("range", "Range")):
                found = list(
                    kg.query(f"SELECT ?x WHERE {{ <{term}> rdfs:{key} ?x }}", parts=("ontology",))
                )
                if found:
                    assert f"<th>{label}</th>" in section, f"{term} lacks its {key}"


def entity_iris(kg) -> list[str]:
    rows = select(kg, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    return sorted(r["s"].value for r in rows if layout.page_stem(r["s"].value) is not None)


def test_every_entity_has_a_page_and_turtle(dist, kg):
    iris = entity_iris(kg)
    assert len(iris) > 100
    for iri in iris:
        stem = layout.page_stem(iri)
        page = dist / (stem + ".html")
        assert page.is_file(), iri
        text = page.read_text(encoding="utf-8")
        assert f'<link rel="alternate" type="text/turtle" href="{Path(stem).name}.ttl">' in text
        assert iri in text
        turtle = list(ox.parse(path=str(dist / (stem + ".ttl")), format=ox.RdfFormat.TURTLE))
        assert any(t.subject == ox.NamedNode(iri) for t in turtle), iri


def test_entity_page_shows_label_types_statements_and_evidence(dist, kg):
    rows = select(
        kg,
        """
        SELECT ?node ?exact WHERE {
          ?node pg:hasEvidence/oa:hasSelector/oa:exact ?exact FILTER(isIRI(?node))
        }""",
    )
    assert len(rows) > 50
    for row in rows:
        stem = layout.page_stem(row["node"].value)
        if stem is None:
            continue
        text = html.unescape((dist / (stem + ".html")).read_text(encoding="utf-8"))
        assert " ".join(row["exact"].value.split()) in " ".join(text.split()), row["node"].value
    japan = (dist / "docs/id/actor/japan.html").read_text(encoding="utf-8")
    assert "<h1>Japan" in japan and "日本" in japan
    assert 'href="../../index.html#State"' in japan
    assert "wikidata.org/entity/Q17" in japan


def test_inferred_statements_are_marked(dist, kg):
    # a measure's inverse link onto its actor exists only by entailment
    row = select(
        kg, "SELECT ?m ?a WHERE { ?m a pg:Measure ; pg:actor ?a FILTER(isIRI(?a)) } LIMIT 1"
    )[0]
    page = (dist / (layout.page_stem(row["a"].value) + ".html")).read_text(encoding="utf-8")
    assert "inferred" in page


def test_every_link_in_the_site_resolves(dist):
    checked = 0
    for page in sorted((dist / "docs").rglob("*")):
        if page.suffix not in (".html", ".svg"):
            continue
        text = page.read_text(encoding="utf-8")
        for target in _HREF.findall(text):
            target = html.unescape(target)
            parts = urlsplit(target)
            if parts.scheme or target.startswith("#"):
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            assert resolved.is_file(), f"{page.relative_to(dist)} links to missing {target}"
            if parts.fragment and resolved.name == "index.html":
                assert f'id="{parts.fragment}"' in resolved.read_text(encoding="utf-8"), target
            checked += 1
    assert checked > 1000


def svg_links(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    return root.findall(f".//{SVG}a")


def test_timeline_has_every_event_and_measure_in_date_order(dist, kg):
    rows = select(
        kg,
        """
        SELECT DISTINCT ?n WHERE {
          { ?n a pg:Event } UNION { ?n a pg:Measure } FILTER(isIRI(?n))
        }""",
    )
    links = svg_links(dist / "docs/timeline.svg")
    targets = [a.get("href") for a in links]
    assert sorted(targets) == sorted(
        layout.relative(layout.page_stem(r["n"].value) + ".html", "docs/timeline.svg") for r in rows
    )
    dated = {
        layout.relative(layout.page_stem(r["n"].value) + ".html", "docs/timeline.svg"): r["d"].value
        for r in select(kg, "SELECT ?n ?d WHERE { ?n pg:date ?d FILTER(isIRI(?n)) }")
    }
    assert len(dated) >= 10
    shown = [dated[t] for t in targets if t in dated]
    assert shown == sorted(shown, key=lambda d: (d[:4], d[5:7] or "13", d[8:10] or "32"))
    assert targets[: len(dated)] == [t for t in targets if t in dated], "dated entries come first"


def test_network_has_every_measure_and_its_actors(dist, kg):
    links = [a.get("href") for a in svg_links(dist / "docs/network.svg")]
    rows = select(kg, "SELECT ?m ?a WHERE { ?m a pg:Measure ; pg:actor ?a FILTER(isIRI(?m)) }")
    assert rows
    for row in rows:
        for iri in (row["m"].value, row["a"].value):
            assert layout.relative(layout.page_stem(iri) + ".html", "docs/network.svg") in links
    text = (dist / "docs/network.svg").read_text(encoding="utf-8")
    assert len(re.findall(r"<path ", text)) >= len(rows)
    assert min(int(s) for s in re.findall(r"font-size: (\d+)px", text)) >= 11


def htaccess_rules(dist: Path) -> list[tuple[list[str], str, str]]:
    """(accept conditions, pattern, target) of each RewriteRule, in order."""
    rules, conditions = [], []
    for line in (dist / ".htaccess").read_text(encoding="utf-8").splitlines():
        if line.startswith("RewriteCond %{HTTP_ACCEPT}"):
            conditions.append(line.split()[2])
        elif line.startswith("RewriteRule"):
            _, pattern, target, _flags = line.split()
            rules.append((conditions, pattern, target))
            conditions = []
    return rules


def resolve(rules, path: str, accept: str) -> str:
    for conditions, pattern, target in rules:
        if conditions and not any(re.search(c, accept) for c in conditions):
            continue
        found = re.match(pattern, path)
        if found:
            groups = found.groups()
            return re.sub(r"\$(\d)", lambda m, g=groups: g[int(m.group(1)) - 1] or "", target)
    raise AssertionError(f"no rule for {path}")


@pytest.mark.parametrize(
    "path,accept,suffix",
    [
        ("id/actor/japan", "text/html", ".html"),
        ("id/actor/japan", "text/turtle", ".ttl"),
        ("vocab/epistemic-status/forecast", "text/html", ".html"),
        ("ontology", "text/html", ".html"),
        ("ontology", "text/turtle", ".ttl"),
        ("ontology", "application/rdf+xml", ".rdf"),
        ("ontology", "application/ld+json", ".jsonld"),
    ],
)
def test_htaccess_maps_persistent_iris_onto_the_release(dist, project, path, accept, suffix):
    site = f"https://host.example/pg/{project.version}/"
    target = resolve(htaccess_rules(dist), path, accept)
    assert target.startswith(site) and target.endswith(suffix), target
    assert (dist / target[len(site) :]).is_file(), target
    assert "R=303" in (dist / ".htaccess").read_text(encoding="utf-8")


def test_htaccess_maps_a_version_iri_and_release_files(dist, project):
    rules = htaccess_rules(dist)
    v = project.version
    target = resolve(rules, f"ontology/{v}", "text/turtle")
    assert target == f"https://host.example/pg/{v}/{layout.file_name('ontology', 'ttl', v)}"
    target = resolve(rules, f"release/{v}/policygraph-{v}.nt.gz", "*/*")
    assert target == f"https://host.example/pg/{v}/policygraph-{v}.nt.gz"

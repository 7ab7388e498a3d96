"""A synthetic corpus in the project's own model, for measuring how costs grow.

``synthesize(briefs=N, out=DIR, seed=S)`` writes N briefs' worth of data laid out like
``data/``: shared actors, persons, places and frameworks reused across briefs in
``DIR/shared/``, and per brief in ``DIR/briefs/<id>/`` its source and sections, events,
measures with figures, dependencies, statistics, memberships, claims and
recommendations, every statement with a quote as evidence. Each brief also gets its
text in ``DIR/sources/<id>.txt``, built so that every quote is a verbatim part of it in
the section the evidence names — the quote check passes on a synthetic corpus too.

The same seed gives byte-identical files. The vocabularies (policy domains,
commodities, roles, statuses) are the project's own, from ``ontology/``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from . import namespaces as ns
from .atomic import replace_dir

XSD_DATE = ox.NamedNode(ns.XSD + "date")
XSD_GYEAR = ox.NamedNode(ns.XSD + "gYear")
XSD_GYEARMONTH = ox.NamedNode(ns.XSD + "gYearMonth")
XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")
XSD_BOOLEAN = ox.NamedNode(ns.XSD + "boolean")

# Vocabulary concepts the generator draws on (all exist in ontology/vocabularies.ttl).
DOMAINS = [
    "security-and-defence", "defence-technology-innovation", "hybrid-threats", "cyber-security",
    "maritime-security", "space-security", "economic-security", "energy-security",
    "value-chains", "sanctions", "diplomacy", "preventive-diplomacy", "rules-based-order",
    "digital", "humanitarian-assistance", "migration-and-asylum", "connectivity",
]  # fmt: skip
ENERGY = ["natural-gas", "liquefied-natural-gas", "oil"]
GOODS = ["semiconductors", "used-vehicles", "spare-parts"]
EQUIPMENT = ["helmets", "bulletproof-vests", "generators", "defence-equipment", "arms"]
ROLES = ["prime-minister", "foreign-minister", "senior-researcher", "research-fellow",
         "associate-fellow", "senior-fellow"]  # fmt: skip
MEASURE_KINDS = [
    # (class, verb, needs target?, item pool, figure (unit, of, qualifier pool))
    ("AssetFreeze", "freezes the assets of", True, ["yen-reserves"], None),
    ("TradeStatusWithdrawal", "withdraws trade privileges from", True, [], None),
    ("ExportSuspension", "suspends exports to", True, GOODS, ("NUM", "goods", ["more-than", None])),
    ("NonLethalMilitaryAid", "sends protective equipment to", False, EQUIPMENT[:3], None),
    ("LethalMilitaryAid", "sends arms to", False, ["arms"], ("CCY_EUR", "arms", [None])),
    ("HumanitarianAid", "sends humanitarian aid to", False, [], None),
    ("EnergySupport", "shares energy stocks with", False, ENERGY, None),
    ("RefugeeAdmission", "admits refugees from", False, [], ("NUM", "refugees", ["around"])),
    ("DefenceSpendingDecision", "raises its defence budget as the crisis hits", None, [],
     ("PERCENT", "GDP", ["more-than"])),
    ("Condemnation", "condemns", True, [], None),
]  # fmt: skip
CLAIM_KINDS = ["Assessment", "Assessment", "ReportedFact", "Forecast", "Risk"]
SECTIONS = ["Key Issues", "Background", "Responses", "Prospects", "Recommendations", "Conclusion"]


def term(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(ns.PREFIXES[prefix] + local)


PG = {name: term("pg", name) for name in ("date",)}
RDF_TYPE = term("rdf", "type")
LABEL = term("rdfs", "label")


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


@dataclass
class Writer:
    """Collects triples per output file and the text of each brief."""

    files: dict[str, list[ox.Triple]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    blank: int = 0

    def add(self, file: str, s, p, o) -> None:
        self.files.setdefault(file, []).append(ox.Triple(s, p, o))

    def bnode(self) -> ox.BlankNode:
        self.blank += 1
        return ox.BlankNode(f"b{self.blank}")


@dataclass
class Shared:
    states: list[ox.NamedNode]
    organisations: list[ox.NamedNode]
    institutes: list[ox.NamedNode]
    persons: list[ox.NamedNode]
    places: list[ox.NamedNode]
    frameworks: list[ox.NamedNode]
    labels: dict[str, str]


def synthesize(briefs: int, out: Path | str, seed: int = 1) -> dict[str, int]:
    """Write a synthetic corpus of ``briefs`` briefs to ``out`` (replaced atomically).

    Returns counts of what was written (files, triples, quotes).
    """
    if briefs < 1:
        raise ValueError("briefs must be at least 1")
    rng = random.Random(seed)
    writer = Writer()
    shared = _shared(writer, rng, briefs)
    quotes = 0
    for index in range(briefs):
        quotes += _brief(writer, rng, shared, index)
    triples = 0
    with replace_dir(out) as staging:
        for name, content in sorted(writer.files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = ox.serialize(content, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES)
            path.write_bytes(data)
            triples += len(content)
        for identifier, text in sorted(writer.texts.items()):
            path = staging / "sources" / f"{identifier}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return {"briefs": briefs, "files": len(writer.files), "triples": triples, "quotes": quotes}


def _shared(writer: Writer, rng: random.Random, briefs: int) -> Shared:
    """States, organisations, institutes, persons, places and frameworks every brief draws on.

    The pools grow slowly with the corpus, as the world a think tank writes about does.
    """
    labels: dict[str, str] = {}
    scale = max(1, briefs // 50)

    def entity(file, prefix, slug, cls, label, extra=()):
        node = term(prefix, slug)
        writer.add(file, node, RDF_TYPE, cls)
        writer.add(file, node, LABEL, en(label))
        for p, o in extra:
            writer.add(file, node, p, o)
        labels[node.value] = label
        return node

    states = [
        entity(
            "shared/actors.ttl",
            "actor",
            f"state-{i:03d}",
            term("pg", "State"),
            f"State {i:03d}",
            [
                (term("pg", "iso3166Alpha2"), ox.Literal(_letters(i, 2))),
                (term("pg", "iso3166Alpha3"), ox.Literal("X" + _letters(i, 2))),
            ],
        )
        for i in range(1, 21 + 5 * scale)
    ]
    organisations = [
        entity("shared/actors.ttl", "actor", f"organisation-{i:02d}",
               term("pg", "InternationalOrganisation"), f"International Organisation {i:02d}")
        for i in range(1, 6 + scale)
    ]  # fmt: skip
    institutes = [
        entity("shared/actors.ttl", "actor", f"institute-{i:02d}", term("pg", "ResearchInstitute"),
               f"Research Institute {i:02d}")
        for i in range(1, 4 + scale)
    ]  # fmt: skip
    persons = [
        entity("shared/persons.ttl", "person", f"person-{i:04d}", term("foaf", "Person"),
               f"Person {i:04d}", [(term("foaf", "name"), ox.Literal(f"Person {i:04d}"))])
        for i in range(1, 41 + 10 * scale)
    ]  # fmt: skip
    places = [
        entity("shared/places.ttl", "place", f"region-{i:02d}", term("pg", "Region"),
               f"Region {i:02d}")
        for i in range(1, 9 + scale)
    ]  # fmt: skip
    kinds = ["Strategy", "Partnership", "Initiative", "FundingInstrument", "Policy"]
    frameworks = []
    # Every framework is described by some brief (brief i describes framework i mod n).
    for i in range(1, min(16 + 3 * scale, briefs) + 1):
        kind = kinds[i % len(kinds)]
        node = entity("shared/frameworks.ttl", "framework", f"framework-{i:03d}", term("pg", kind),
                      f"{kind} {i:03d}")  # fmt: skip
        writer.add(
            "shared/frameworks.ttl",
            node,
            term("pg", "hasParty"),
            rng.choice(organisations + states),
        )
        writer.add(
            "shared/frameworks.ttl",
            node,
            term("pg", "policyDomain"),
            term("domain", rng.choice(DOMAINS)),
        )
        frameworks.append(node)
    return Shared(states, organisations, institutes, persons, places, frameworks, labels)


def _brief(writer: Writer, rng: random.Random, shared: Shared, index: int) -> int:
    """One brief: its source, sections and text, and every statement with its evidence."""
    slug = f"synthetic-{index + 1:05d}"
    identifier = f"synthetic-brief-{index + 1:05d}"
    folder = f"briefs/{slug}"
    issued = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))
    source = term("source", slug)
    section_nodes = [ox.NamedNode(f"{source.value}/section/{i + 1}") for i in range(len(SECTIONS))]
    paragraphs: list[list[str]] = [[] for _ in SECTIONS]
    sentences_seen: set[str] = set()
    quotes = 0

    def sentence(section: int, text: str) -> str:
        """Put a sentence in the brief's text (once) and return it as a quote."""
        nonlocal quotes
        text = f"{text} (§{index + 1}.{len(sentences_seen) + 1})."
        sentences_seen.add(text)
        paragraphs[section].append(text)
        quotes += 1
        return text

    def evidence(file: str, node, section: int, text: str, status: str | None) -> None:
        quote = sentence(section, text)
        e, sel = writer.bnode(), writer.bnode()
        if status:
            writer.add(file, node, term("pg", "epistemicStatus"), term("status", status))
        writer.add(file, node, term("pg", "hasEvidence"), e)
        writer.add(file, e, RDF_TYPE, term("oa", "SpecificResource"))
        writer.add(file, e, term("oa", "hasSource"), source)
        writer.add(file, e, term("pg", "inSection"), section_nodes[section])
        writer.add(file, e, term("oa", "hasSelector"), sel)
        writer.add(file, sel, RDF_TYPE, term("oa", "TextQuoteSelector"))
        writer.add(file, sel, term("oa", "exact"), ox.Literal(quote))

    def typed(file: str, node, cls: str, label: str) -> None:
        writer.add(file, node, RDF_TYPE, term("pg", cls) if ":" not in cls else _curie(cls))
        writer.add(file, node, LABEL, en(label))

    def name(node) -> str:
        return shared.labels[node.value]

    def day_before(days: int) -> ox.Literal:
        return ox.Literal((issued - timedelta(days=days)).isoformat(), datatype=XSD_DATE)

    # --- the source and its sections -------------------------------------------
    f_source = f"{folder}/source.ttl"
    authors = rng.sample(shared.persons, 2)
    publisher = rng.choice(shared.institutes)
    title = f"Synthetic Brief {index + 1:05d} on {name(rng.choice(shared.places))}"
    typed(f_source, source, "PolicyBrief", title)
    writer.add(f_source, source, term("dcterms", "title"), en(title))
    writer.add(f_source, source, term("dcterms", "identifier"), ox.Literal(identifier))
    writer.add(
        f_source,
        source,
        term("dcterms", "issued"),
        ox.Literal(issued.isoformat(), datatype=XSD_DATE),
    )
    writer.add(f_source, source, term("dcterms", "publisher"), publisher)
    for author in authors:
        writer.add(f_source, source, term("dcterms", "creator"), author)
    for position, (section, heading) in enumerate(zip(section_nodes, SECTIONS, strict=True), 1):
        selector = writer.bnode()
        typed(f_source, section, "doco:Section", heading)
        writer.add(f_source, section, RDF_TYPE, term("oa", "SpecificResource"))
        writer.add(f_source, section, term("dcterms", "title"), en(heading))
        writer.add(
            f_source,
            section,
            term("schema", "position"),
            ox.Literal(str(position), datatype=XSD_INTEGER),
        )
        writer.add(f_source, section, term("dcterms", "isPartOf"), source)
        writer.add(f_source, section, term("oa", "hasSource"), source)
        writer.add(f_source, section, term("oa", "hasSelector"), selector)
        writer.add(f_source, selector, RDF_TYPE, term("oa", "TextQuoteSelector"))
        writer.add(f_source, selector, term("oa", "exact"), ox.Literal(f"{position}. {heading}"))

    # --- memberships of the authors -------------------------------------------
    f_offices = f"{folder}/offices.ttl"
    for n, author in enumerate(authors):
        m = term("membership", f"{slug}-author-{n + 1}")
        role = rng.choice(ROLES[2:])
        typed(
            f_offices,
            m,
            "org:Membership",
            f"{name(author)}, {role.replace('-', ' ')} at {name(publisher)}",
        )
        writer.add(f_offices, m, term("org", "member"), author)
        writer.add(f_offices, m, term("org", "organization"), publisher)
        writer.add(f_offices, m, term("org", "role"), term("role", role))
        period = writer.bnode()
        writer.add(f_offices, m, term("org", "memberDuring"), period)
        writer.add(f_offices, period, RDF_TYPE, term("time", "ProperInterval"))
        writer.add(f_offices, period, term("time", "hasBeginning"), beginning := writer.bnode())
        writer.add(f_offices, beginning, RDF_TYPE, term("time", "Instant"))
        writer.add(
            f_offices,
            beginning,
            term("time", "inXSDgYear"),
            ox.Literal(str(issued.year - rng.randrange(1, 10)), datatype=XSD_GYEAR),
        )
        evidence(
            f_offices,
            m,
            0,
            f"{name(author)} is a {role.replace('-', ' ')} at {name(publisher)}",
            "reported-fact",
        )

    # --- events ------------------------------------------------------------------
    f_events = f"{folder}/events.ttl"
    crisis = term("event", f"{slug}-crisis")
    aggressor, victim = rng.sample(shared.states, 2)
    typed(f_events, crisis, "MilitaryInvasion", f"{name(aggressor)} invades {name(victim)}")
    writer.add(f_events, crisis, term("pg", "actor"), aggressor)
    writer.add(f_events, crisis, term("pg", "target"), victim)
    writer.add(f_events, crisis, PG["date"], day_before(rng.randrange(60, 400)))
    evidence(f_events, crisis, 1, f"{name(aggressor)} invaded {name(victim)}", "reported-fact")
    summit = term("event", f"{slug}-summit")
    host, guest = rng.sample(shared.organisations + shared.states, 2)
    typed(f_events, summit, "Summit", f"Summit of {name(host)} and {name(guest)}")
    writer.add(f_events, summit, term("pg", "participant"), host)
    writer.add(f_events, summit, term("pg", "participant"), guest)
    writer.add(f_events, summit, term("pg", "location"), rng.choice(shared.places))
    writer.add(f_events, summit, PG["date"], day_before(rng.randrange(1, 50)))
    evidence(
        f_events, summit, 2, f"{name(host)} and {name(guest)} met at a summit", "reported-fact"
    )
    upcoming = term("event", f"{slug}-upcoming-summit")
    typed(
        f_events, upcoming, "Summit", f"Next summit of {name(host)} and {name(guest)} (scheduled)"
    )
    writer.add(f_events, upcoming, term("pg", "participant"), host)
    writer.add(f_events, upcoming, term("pg", "participant"), guest)
    after = issued + timedelta(days=rng.randrange(1, 90))
    writer.add(f_events, upcoming, PG["date"], ox.Literal(after.isoformat(), datatype=XSD_DATE))
    writer.add(f_events, upcoming, term("pg", "likelihood"), term("likely", "scheduled"))
    evidence(
        f_events, upcoming, 5, f"{name(host)} and {name(guest)} will meet again soon", "forecast"
    )

    # --- measures ------------------------------------------------------------------
    f_measures = f"{folder}/measures.ttl"
    package = term("measure", f"{slug}-sanctions")
    sanctioner = rng.choice(shared.organisations + shared.states)
    typed(f_measures, package, "SanctionPackage", f"{name(sanctioner)} sanctions {name(aggressor)}")
    writer.add(f_measures, package, term("pg", "actor"), sanctioner)
    writer.add(f_measures, package, term("pg", "target"), aggressor)
    writer.add(f_measures, package, term("pg", "respondsTo"), crisis)
    writer.add(f_measures, package, term("pg", "policyDomain"), term("domain", "sanctions"))
    evidence(
        f_measures,
        package,
        2,
        f"{name(sanctioner)} adopted sanctions against {name(aggressor)}",
        "reported-fact",
    )
    for n in range(5):
        cls, verb, against, items, figure = MEASURE_KINDS[rng.randrange(len(MEASURE_KINDS))]
        actor = rng.choice(shared.states + shared.organisations)
        m = term("measure", f"{slug}-measure-{n + 1}")
        if against is None:
            label = f"{name(actor)} {verb}"
        else:
            counterpart = aggressor if against else victim
            label = f"{name(actor)} {verb} {name(counterpart)}"
        typed(f_measures, m, cls, label)
        writer.add(f_measures, m, term("pg", "actor"), actor)
        if against is not None:
            writer.add(
                f_measures, m, term("pg", "target" if against else "beneficiary"), counterpart
            )
        writer.add(f_measures, m, term("pg", "respondsTo"), crisis)
        writer.add(f_measures, m, term("pg", "policyDomain"), term("domain", rng.choice(DOMAINS)))
        if against and cls != "Condemnation":
            writer.add(f_measures, package, term("pg", "hasPart"), m)
        for item in rng.sample(items, min(len(items), 2)):
            writer.add(f_measures, m, term("pg", "involvesItem"), term("item", item))
        if figure is not None:
            unit, of, qualifiers = figure
            value = {"NUM": rng.randrange(10, 900), "CCY_EUR": rng.randrange(1, 50) * 10_000_000,
                     "PERCENT": rng.randrange(1, 5)}[unit]  # fmt: skip
            qualifier = rng.choice(qualifiers)
            _quantity(writer, f_measures, m, "hasQuantity", value, unit, of, qualifier)
        month = (issued - timedelta(days=rng.randrange(1, 59))).strftime("%Y-%m")
        writer.add(f_measures, m, PG["date"], ox.Literal(month, datatype=XSD_GYEARMONTH))
        evidence(f_measures, m, 2, label, "reported-fact")

    # --- dependencies and a statistic ------------------------------------------------
    f_deps = f"{folder}/dependencies.ttl"
    for n in range(2):
        d = term("dependency", f"{slug}-dependency-{n + 1}")
        dependent, supplier = rng.sample(shared.states + shared.organisations, 2)
        commodity = rng.choice(ENERGY)
        share = rng.randrange(1, 100)
        goods = commodity.replace("-", " ")
        label = f"{name(dependent)} depends on {name(supplier)} for {goods} ({share}%)"
        typed(f_deps, d, "Dependency", label)
        writer.add(f_deps, d, term("pg", "dependent"), dependent)
        writer.add(f_deps, d, term("pg", "supplier"), supplier)
        writer.add(f_deps, d, term("pg", "commodity"), term("item", commodity))
        writer.add(f_deps, d, term("pg", "shareBasis"), term("basis", "share-of-imports"))
        _quantity(
            writer,
            f_deps,
            d,
            "share",
            share,
            "PERCENT",
            f"{commodity.replace('-', ' ')} imports",
            None,
        )
        evidence(f_deps, d, 1, label, "reported-fact")
    s = term("statistic", f"{slug}-asylum")
    applications = rng.randrange(100, 20000)
    year = str(issued.year - 1)
    label = f"{name(victim)} received {applications} asylum applications in {year}"
    typed(f_deps, s, "Statistic", label)
    writer.add(f_deps, s, term("pg", "concernsActor"), victim)
    writer.add(f_deps, s, term("pg", "statisticKind"), term("stat", "asylum-applications"))
    writer.add(f_deps, s, term("pg", "referencePeriod"), ox.Literal(year, datatype=XSD_GYEAR))
    _quantity(writer, f_deps, s, "hasQuantity", applications, "NUM", "asylum applications", None)
    evidence(f_deps, s, 1, label, "reported-fact")

    # --- frameworks this brief describes ---------------------------------------------
    f_frameworks = f"{folder}/frameworks.ttl"
    for framework in {
        shared.frameworks[index % len(shared.frameworks)],
        rng.choice(shared.frameworks),
    }:
        evidence(
            f_frameworks, framework, 1, f"The {name(framework)} frames cooperation", "reported-fact"
        )
        adoption = term("event", f"{slug}-adoption-{framework.value.rsplit('/', 1)[-1]}")
        adopter = rng.choice(shared.organisations)
        typed(
            f_frameworks,
            adoption,
            "FrameworkAdoption",
            f"{name(adopter)} adopts the {name(framework)}",
        )
        writer.add(f_frameworks, adoption, term("pg", "actor"), adopter)
        writer.add(f_frameworks, adoption, term("pg", "adoptsFramework"), framework)
        writer.add(
            f_frameworks,
            adoption,
            PG["date"],
            ox.Literal(str(issued.year - rng.randrange(1, 6)), datatype=XSD_GYEAR),
        )
        evidence(
            f_frameworks,
            adoption,
            1,
            f"{name(adopter)} adopted the {name(framework)}",
            "reported-fact",
        )

    # --- claims ----------------------------------------------------------------------
    f_claims = f"{folder}/claims.ttl"
    for n in range(5):
        kind = CLAIM_KINDS[n % len(CLAIM_KINDS)]
        c = term("claim", f"{slug}-claim-{n + 1}")
        about = rng.choice(shared.states + shared.organisations)
        label = {
            "Assessment": f"{name(about)} is reassessing its posture",
            "ReportedFact": f"{name(about)} raised the issue with its partners",
            "Forecast": f"{name(about)} is likely to deepen its cooperation",
            "Risk": f"Tensions may rise around {name(about)}",
        }[kind]
        typed(f_claims, c, kind, label)
        writer.add(f_claims, c, term("pg", "isAbout"), about)
        writer.add(f_claims, c, term("pg", "policyDomain"), term("domain", rng.choice(DOMAINS)))
        if kind in ("Forecast", "Risk"):
            writer.add(
                f_claims,
                c,
                term("pg", "likelihood"),
                term("likely", "likely" if kind == "Forecast" else "possible"),
            )
        evidence(f_claims, c, 3 if kind in ("Forecast", "Risk") else 1, label, None)

    # --- recommendations in two pillars ----------------------------------------------------
    f_recs = f"{folder}/recommendations.ttl"
    for p in range(2):
        pillar = term("pillar", f"{slug}-pillar-{p + 1}")
        typed(f_recs, pillar, "Pillar", f"Pillar {p + 1} of synthetic brief {index + 1:05d}")
        writer.add(
            f_recs, pillar, term("schema", "position"), ox.Literal(str(p + 1), datatype=XSD_INTEGER)
        )
        writer.add(f_recs, pillar, term("pg", "isPillarOf"), source)
        evidence(f_recs, pillar, 4, f"Pillar {p + 1} of the agenda", "recommendation")
        for r in range(2):
            rec = term("claim", f"{slug}-recommendation-{p + 1}-{r + 1}")
            framework = rng.choice(shared.frameworks)
            label = f"Cooperate within the {name(framework)}"
            typed(f_recs, rec, "Recommendation", label)
            writer.add(f_recs, rec, term("pg", "inPillar"), pillar)
            writer.add(
                f_recs,
                rec,
                term("schema", "position"),
                ox.Literal(str(r + 1), datatype=XSD_INTEGER),
            )
            writer.add(f_recs, rec, term("pg", "invokesFramework"), framework)
            writer.add(f_recs, rec, term("pg", "addressedTo"), rng.choice(shared.states))
            writer.add(f_recs, rec, term("pg", "policyDomain"), term("domain", rng.choice(DOMAINS)))
            evidence(f_recs, rec, 4, label, None)

    writer.texts[identifier] = _text(title, issued, paragraphs)
    return quotes


def _quantity(
    writer: Writer, file: str, node, prop: str, value: int, unit: str, of: str, qualifier
) -> None:
    q = writer.bnode()
    words = {"more-than": "more than ", "around": "around ", "less-than": "less than "}
    label = f"{words.get(qualifier, '')}{value} {'%' if unit == 'PERCENT' else ''}{of}".replace(
        "% ", "% of "
    )
    writer.add(file, node, term("pg", prop), q)
    writer.add(file, q, RDF_TYPE, term("pg", "Quantity"))
    writer.add(file, q, LABEL, en(label))
    writer.add(file, q, term("qudt", "numericValue"), ox.Literal(str(value), datatype=XSD_INTEGER))
    writer.add(file, q, term("qudt", "hasUnit"), term("unit", unit))
    writer.add(file, q, term("pg", "quantityOf"), en(of))
    if qualifier:
        writer.add(file, q, term("pg", "qualifier"), term("qq", qualifier))


def _letters(number: int, width: int) -> str:
    """``number`` in capital letters (A = 0), ``width`` of them: a synthetic ISO 3166 code.

    Alpha-3 codes get an ``X`` in front: ISO 3166 leaves X.. codes to users, so no
    synthetic state takes a real state's alpha-3 code.
    """
    letters = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        letters = chr(ord("A") + digit) + letters
    return letters


def _curie(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return term(prefix, local)


def _text(title: str, issued: date, paragraphs: list[list[str]]) -> str:
    lines = [title, "", f"Synthetic brief | {issued.isoformat()}", ""]
    for position, (heading, sentences) in enumerate(zip(SECTIONS, paragraphs, strict=True), 1):
        lines += [f"{position}. {heading}", "", " ".join(sentences) or "(no statement)", ""]
    return "\n".join(lines)

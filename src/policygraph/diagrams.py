"""Two pictures generated from the graph: a timeline and a network (SVG, via Jinja2).

* **Timeline**: every event and measure with a ``pg:date``, one row each in date order
  down a vertical axis, years banded; marker shape says event (circle) or measure
  (square), colour says who acts, a hollow marker says the brief expects it rather than
  reports it. Undated ones follow, ordered by ``pg:precedes`` where the brief orders them.
* **Network**: three columns, actors | measures | frameworks. An actor is joined to the
  measures it takes (solid) and those it is targeted by (dashed), a measure to the
  frameworks it uses or concerns, and an actor to the frameworks it is party to (thin
  curves over the middle column). Rows are ordered by the barycentre of their
  neighbours, so that lines mostly run straight.

The layout is a few lines of arithmetic, deterministic (ties broken by IRI), with no
Graphviz binary; every node links to its page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import layout
from . import namespaces as ns
from .graph import PARTS

_FONT_WIDTH = 0.53  # average advance of a sans-serif character, in ems
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")

# Actors with a colour of their own; any other actor is "other".
ACTOR_COLOURS = {
    ns.DATA + "actor/eu": ("#1f5fa8", "EU"),
    ns.DATA + "actor/japan": ("#c0392b", "Japan"),
    ns.DATA + "actor/russia": ("#4a4a4a", "Russia"),
}
OTHER_COLOUR = ("#2e8b57", "other actors")


def _store(dataset: ox.Dataset) -> ox.Store:
    store = ox.Store()
    store.extend(dataset)
    return store


def _query(store: ox.Store, text: str):
    return store.query(
        text,
        default_graph=[PARTS[p] for p in ("ontology", "data", "entailments")],
        prefixes=ns.PREFIXES,
    )


def fit(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis to about ``width`` pixels at font ``size``."""
    most = max(4, int(width / (size * _FONT_WIDTH)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def colour(actors: list[str]) -> tuple[str, str]:
    for iri in sorted(
        actors, key=lambda a: list(ACTOR_COLOURS).index(a) if a in ACTOR_COLOURS else 99
    ):
        if iri in ACTOR_COLOURS:
            return ACTOR_COLOURS[iri]
    return OTHER_COLOUR


# --- timeline ----------------------------------------------------------------------

_TIMELINE = """
SELECT ?node ?label ?date ?qualifier ?kind ?status
       (GROUP_CONCAT(DISTINCT STR(?actor); separator=" ") AS ?actors)
WHERE {
  { ?node a pg:Event BIND("event" AS ?kind) } UNION { ?node a pg:Measure BIND("measure" AS ?kind) }
  FILTER(isIRI(?node))
  OPTIONAL { ?node rdfs:label ?label FILTER(LANG(?label) = "en") }
  OPTIONAL { ?node pg:date ?date }
  OPTIONAL { ?node pg:dateQualifier/skos:prefLabel ?qualifier FILTER(LANG(?qualifier) = "en") }
  OPTIONAL { ?node pg:epistemicStatus ?status }
  OPTIONAL { ?node pg:actor|pg:participant ?actor }
}
GROUP BY ?node ?label ?date ?qualifier ?kind ?status
"""

_PRECEDES = "SELECT ?a ?b WHERE { ?a pg:precedes ?b }"


@dataclass
class Entry:
    iri: str
    label: str
    kind: str
    date: str | None
    qualifier: str | None
    expected: bool
    actors: list[str] = field(default_factory=list)

    @property
    def sort_date(self) -> tuple:
        match = _DATE.match(self.date or "")
        if not match:
            return (9999, 99, 99)
        year, month, day = match.groups()
        # a month or a year alone sorts after the days it contains
        return (int(year), int(month or 13), int(day or 32))

    @property
    def year(self) -> str:
        return (self.date or "")[:4]

    @property
    def date_text(self) -> str:
        match = _DATE.match(self.date or "")
        if not match:
            return ""
        year, month, day = match.groups()
        text = year
        if month:
            text = f"{_MONTHS[int(month) - 1]} {year}"
        if day:
            text = f"{int(day)} {text}"
        if self.qualifier:
            text = f"{self.qualifier} {text}"
        return text


def timeline_entries(store: ox.Store) -> list[Entry]:
    entries: dict[str, Entry] = {}
    for row in _query(store, _TIMELINE):
        iri = row["node"].value
        if iri in entries:  # a measure is also an event: say measure
            if row["kind"].value == "measure":
                entries[iri].kind = "measure"
            continue
        status = row["status"].value if row["status"] else ""
        entries[iri] = Entry(
            iri=iri,
            label=row["label"].value if row["label"] else iri.rsplit("/", 1)[-1],
            kind=row["kind"].value,
            date=row["date"].value if row["date"] else None,
            qualifier=row["qualifier"].value if row["qualifier"] else None,
            expected=status.endswith("/forecast"),
            actors=sorted(row["actors"].value.split()) if row["actors"] else [],
        )
    return list(entries.values())


def _undated_order(store: ox.Store, undated: list[Entry]) -> list[Entry]:
    """Undated entries: those the brief orders by ``pg:precedes`` first, in that order."""
    before: dict[str, int] = defaultdict(int)
    iris = {e.iri for e in undated}
    for row in _query(store, _PRECEDES):
        if row["b"].value in iris:
            before[row["b"].value] += 1
    return sorted(undated, key=lambda e: (before[e.iri], e.label.lower(), e.iri))


def timeline_svg(dataset: ox.Dataset) -> bytes:
    from .docs import environment

    store = _store(dataset)
    entries = timeline_entries(store)
    dated = sorted((e for e in entries if e.date), key=lambda e: (e.sort_date, e.label, e.iri))
    undated = _undated_order(store, [e for e in entries if not e.date])

    width, row, top = 1180, 26, 118
    axis_x, label_x = 196, 214
    rows, bands, y = [], [], top
    band_start, year = y, None
    for n, entry in enumerate(dated):
        if entry.year != year:
            if year is not None:
                bands.append({"year": year, "y": band_start, "h": y - band_start})
            year, band_start = entry.year, y
        rows.append(_row(entry, y, label_x, width, row))
        y += row
        if n == len(dated) - 1:
            bands.append({"year": year, "y": band_start, "h": y - band_start})
    undated_top = y + 46
    y = undated_top + 34
    undated_rows = []
    for entry in undated:
        undated_rows.append(_row(entry, y, label_x, width, row))
        y += row
    height = y + 20
    for i, band in enumerate(bands):
        band["shade"] = i % 2 == 0
    svg = (
        environment()
        .get_template("timeline.svg.j2")
        .render(
            width=width,
            height=height,
            axis_x=axis_x,
            axis_top=top - 10,
            axis_bottom=(undated_top - 40) if dated else top,
            rows=rows,
            bands=bands,
            undated=undated_rows,
            undated_top=undated_top,
            counts={"dated": len(dated), "undated": len(undated)},
            legend=_legend(),
        )
    )
    return svg.encode()


def _row(entry: Entry, y: int, label_x: int, width: int, row: int) -> dict:
    fill, _ = colour(entry.actors)
    actors = ", ".join(a.rsplit("/", 1)[-1] for a in entry.actors)
    return {
        "y": y,
        "mid": y + row / 2,
        "href": layout.relative(layout.page_stem(entry.iri) + ".html", "docs/timeline.svg")
        if layout.page_stem(entry.iri)
        else entry.iri,
        "date": entry.date_text,
        "label": fit(entry.label, width - label_x - 30, 14),
        "title": f"{entry.label} ({entry.kind}{'; expected' if entry.expected else ''})"
        + (f" — {actors}" if actors else ""),
        "kind": entry.kind,
        "colour": fill,
        "expected": entry.expected,
    }


def _legend() -> list[dict]:
    items = [{"colour": c, "text": t} for c, t in ACTOR_COLOURS.values()]
    items.append({"colour": OTHER_COLOUR[0], "text": OTHER_COLOUR[1]})
    return items


# --- network --------------------------------------------------------------------------

_MEASURES = """
SELECT DISTINCT ?measure ?label WHERE {
  ?measure a pg:Measure . FILTER(isIRI(?measure))
  OPTIONAL { ?measure rdfs:label ?label FILTER(LANG(?label) = "en") }
}
"""
_MEASURE_LINKS = """
SELECT DISTINCT ?measure ?role ?other WHERE {
  ?measure a pg:Measure .
  { ?measure pg:actor ?other BIND("actor" AS ?role) }
  UNION { ?measure pg:target ?other BIND("target" AS ?role) }
  UNION { ?measure pg:concernsFramework|pg:usesInstrument ?other . ?other a pg:Framework
          BIND("framework" AS ?role) }
  FILTER(isIRI(?other))
}
"""
_PARTIES = """
SELECT DISTINCT ?framework ?actor WHERE {
  ?framework a pg:Framework ; pg:hasParty ?actor . FILTER(isIRI(?framework) && isIRI(?actor))
}
"""
_SHORT_NAMES = """
SELECT ?node ?name WHERE {
  { ?node pg:iso3166Alpha2 ?name }
  UNION { ?node skos:altLabel|rdfs:label ?name FILTER(LANG(?name) = "en") }
}
"""
_LABELS = """
SELECT ?node (SAMPLE(?l) AS ?label) WHERE {
  ?node rdfs:label ?l FILTER(LANG(?l) = "en")
} GROUP BY ?node
"""


def short_names(store: ox.Store, labels: dict[str, str]) -> dict[str, str]:
    """A few letters per actor for the party chips: ISO code, an acronym it goes by, or initials."""
    codes: dict[str, list[str]] = defaultdict(list)
    for row in _query(store, _SHORT_NAMES):
        name = row["name"].value
        if re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", name):
            codes[row["node"].value].append(name)
    names = {}
    for iri, label in labels.items():
        found = sorted(codes.get(iri, ()), key=lambda n: (len(n), n))
        if found:
            names[iri] = found[0]
        else:
            initials = "".join(
                w[0] for w in re.findall(r"[A-Za-z][\w'-]*", label) if w[0].isupper()
            )
            names[iri] = (initials or label)[:4]
    return names


def _barycentre_order(
    nodes: list[str], neighbours: dict[str, set[str]], positions: dict[str, float]
) -> list[str]:
    def key(node: str):
        placed = [positions[n] for n in neighbours.get(node, ()) if n in positions]
        centre = sum(placed) / len(placed) if placed else float("inf")
        return (centre, node)

    return sorted(nodes, key=key)


def network_svg(dataset: ox.Dataset) -> bytes:
    from .docs import environment

    store = _store(dataset)
    labels = {r["node"].value: r["label"].value for r in _query(store, _LABELS)}
    measures = sorted(r["measure"].value for r in _query(store, _MEASURES))
    takes, targets, uses, parties = set(), set(), set(), set()
    for r in _query(store, _MEASURE_LINKS):
        pair = (r["measure"].value, r["other"].value)
        {"actor": takes, "target": targets, "framework": uses}[r["role"].value].add(pair)
    for r in _query(store, _PARTIES):
        parties.add((r["actor"].value, r["framework"].value))

    actors = sorted({a for _, a in takes | targets} | {a for a, _ in parties})
    frameworks = sorted({f for _, f in uses} | {f for _, f in parties})
    neighbours: dict[str, set[str]] = defaultdict(set)
    for m, a in takes | targets:
        neighbours[m].add(a)
        neighbours[a].add(m)
    for m, f in uses:
        neighbours[m].add(f)
        neighbours[f].add(m)
    for a, f in parties:
        neighbours[a].add(f)
        neighbours[f].add(a)

    # actors by how much they do, then measures and frameworks by their neighbours
    actors.sort(key=lambda a: (-len(neighbours[a]), labels.get(a, a).lower(), a))
    positions = {a: float(i) for i, a in enumerate(actors)}
    for _ in range(3):
        measures = _barycentre_order(measures, neighbours, positions)
        positions.update({m: float(i) for i, m in enumerate(measures)})
        frameworks = _barycentre_order(frameworks, neighbours, positions)
        positions.update({f: float(i) for i, f in enumerate(frameworks)})

    width, top, row = 1480, 120, 30
    columns = {"actor": (40, 270), "measure": (440, 480), "framework": (1090, 360)}
    count = max(len(actors), len(measures), len(frameworks), 1)
    height = top + count * row + 40
    spread = {
        "actor": _spread(actors, count, top, row),
        "measure": _spread(measures, count, top, row),
        "framework": _spread(frameworks, count, top, row),
    }
    nodes, edges = [], []
    for column, members in (("actor", actors), ("measure", measures), ("framework", frameworks)):
        x, w = columns[column]
        for iri in members:
            label = labels.get(iri, iri.rsplit("/", 1)[-1])
            fill = (
                colour([iri])[0]
                if column == "actor"
                else ("#ffffff" if column == "measure" else "#f4efe1")
            )
            nodes.append(
                {
                    "x": x,
                    "y": spread[column][iri] - 11,
                    "w": w,
                    "h": 22,
                    "label": fit(label, w - 16, 13),
                    "title": label,
                    "kind": column,
                    "fill": fill,
                    "href": _href(iri, "docs/network.svg"),
                    "ink": "#ffffff" if column == "actor" else "#1d2330",
                    "stroke": colour([iri])[0] if column == "actor" else "#8a93a6",
                }
            )
    ax, aw = columns["actor"]
    mx, mw = columns["measure"]
    fx, _ = columns["framework"]
    for m, a in sorted(takes):
        edges.append(
            _edge(ax + aw, spread["actor"][a], mx, spread["measure"][m], colour([a])[0], "takes")
        )
    for m, a in sorted(targets):
        edges.append(
            _edge(
                ax + aw,
                spread["actor"][a],
                mx,
                spread["measure"][m],
                "#b03a2e",
                "targets",
                dashed=True,
            )
        )
    for m, f in sorted(uses):
        edges.append(
            _edge(mx + mw, spread["measure"][m], fx, spread["framework"][f], "#8a93a6", "uses")
        )
    shorts = short_names(store, labels)
    chips = []
    fw = columns["framework"][1]
    by_framework: dict[str, list[str]] = defaultdict(list)
    for a, f in sorted(parties, key=lambda p: (positions.get(p[0], 0), p)):
        by_framework[f].append(a)
    for f, members in by_framework.items():
        x = fx + fw - 6
        for a in reversed(sorted(members, key=lambda a: actors.index(a))):
            text = shorts.get(a, "?")
            w = 10 + len(text) * 7.2
            x -= w + 3
            chips.append(
                {
                    "x": round(x, 1),
                    "y": spread["framework"][f] - 8,
                    "w": round(w, 1),
                    "text": text,
                    "title": f"party: {labels.get(a, a)}",
                    "fill": colour([a])[0],
                    "href": _href(a, "docs/network.svg"),
                }
            )
        for node in nodes:
            if node["href"] == _href(f, "docs/network.svg"):
                room = x - node["x"] - 8
                node["label"] = fit(node["title"], room, 13)
    svg = (
        environment()
        .get_template("network.svg.j2")
        .render(
            width=width,
            height=height,
            nodes=nodes,
            edges=edges,
            chips=chips,
            columns=columns,
            top=top,
            counts={
                "actors": len(actors),
                "measures": len(measures),
                "frameworks": len(frameworks),
            },
            legend=_legend(),
        )
    )
    return svg.encode()


def _spread(members: list[str], count: int, top: int, row: int) -> dict[str, float]:
    """Centre ``members`` on the tallest column, one row each."""
    offset = (count - len(members)) * row / 2
    return {m: top + offset + i * row + row / 2 for i, m in enumerate(members)}


def _href(iri: str, page: str) -> str:
    stem = layout.page_stem(iri)
    return layout.relative(stem + ".html", page) if stem else iri


def _edge(x1, y1, x2, y2, stroke, kind, dashed=False) -> dict:
    dx = (x2 - x1) / 2
    return {
        "d": f"M{x1:.1f},{y1:.1f} C{x1 + dx:.1f},{y1:.1f} {x2 - dx:.1f},{y2:.1f} {x2:.1f},{y2:.1f}",
        "stroke": stroke,
        "kind": kind,
        "dashed": dashed,
        "width": 1.6,
        "opacity": 0.75,
    }

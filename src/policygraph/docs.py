"""The pages a person browses: the ontology's documentation and one page per entity.

``docs/index.html`` documents every class, property and controlled vocabulary of the
ontology (label, definition, superclasses, domains and ranges, ...), shows the timeline
and the network, and lists the downloads and the entities. Every entity and concept with
a persistent IRI under ``id/`` or ``vocab/`` gets ``docs/<path>.html`` (label, types,
statements with links, the evidence quotes; statements the ontology entails are marked)
and ``docs/<path>.ttl``, so a static host serves the linked data and ``.htaccess`` maps
the IRIs onto them. Pages are rendered with Jinja2 from the canonical dataset, so they
are as deterministic as the dumps.

(pyLODE was the first choice for the ontology page: 3.4.1 does not import when installed
from PyPI, RDFLib/pyLODE#260, and 3.3.4 orders its output differently from run to run.)
"""

from __future__ import annotations

import functools
import os
import posixpath
from collections import defaultdict
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import jinja2
import pyoxigraph as ox
from markupsafe import Markup, escape

from . import layout
from . import namespaces as ns
from .dumps import serialize, triple_order, triples_of

_LABELS = (ns.RDFS + "label", ns.SKOS + "prefLabel", ns.FOAF + "name", ns.DCTERMS + "title")
_TYPE = ns.RDF + "type"
_HIDDEN = {ns.PG + "hasEvidence", ns.RDFS + "label"}
_FAMILY_TITLES = {
    "actor": "Actors",
    "person": "Persons",
    "place": "Places",
    "source": "Sources and sections",
    "series": "Publication series",
    "framework": "Frameworks",
    "pillar": "Pillars",
    "event": "Events",
    "measure": "Measures",
    "dependency": "Dependencies",
    "statistic": "Statistics",
    "claim": "Claims and recommendations",
    "membership": "Offices",
    "instant": "Instants",
    "agent": "Agents",
}


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("policygraph", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2", "svg.j2"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


class GraphIndex:
    """The release's statements indexed by subject and object, with labels."""

    def __init__(self, dataset: ox.Dataset):
        self.asserted = set(triples_of(dataset, ("ontology", "data")))
        self.ontology = set(triples_of(dataset, ("ontology",)))
        self.all = triples_of(dataset, ("ontology", "data", "entailments"))
        self.out: dict[object, list[ox.Triple]] = defaultdict(list)
        self.inc: dict[object, list[ox.Triple]] = defaultdict(list)
        for t in self.all:
            self.out[t.subject].append(t)
            if not isinstance(t.object, ox.Literal):
                self.inc[t.object].append(t)

    def inferred(self, t: ox.Triple) -> bool:
        return t not in self.asserted

    def values(self, subject, predicate: str, asserted_only: bool = False) -> list:
        found = [t.object for t in self.out.get(subject, ()) if t.predicate.value == predicate]
        if asserted_only:
            found = [
                o for o in found if ox.Triple(subject, ox.NamedNode(predicate), o) in self.asserted
            ]
        return found

    def text(self, subject, predicate: str) -> str:
        """The English (else untagged, else any) value of ``predicate``."""
        values = [v for v in self.values(subject, predicate) if isinstance(v, ox.Literal)]
        for wanted in ("en", None):
            for v in values:
                if v.language == wanted:
                    return v.value
        return values[0].value if values else ""

    @cached_property
    def labels(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for predicate in reversed(_LABELS):
            for t in self.all:
                if t.predicate.value == predicate and isinstance(t.subject, ox.NamedNode):
                    label = self.text(t.subject, predicate)
                    if label:
                        found[t.subject.value] = label
        return found

    def label(self, term) -> str:
        if isinstance(term, ox.NamedNode):
            return self.labels.get(term.value) or curie(term.value)
        if isinstance(term, ox.Literal):
            return term.value
        return "(anonymous)"

    def types(self, subject) -> list[ox.NamedNode]:
        return [o for o in self.values(subject, _TYPE) if isinstance(o, ox.NamedNode)]

    def subjects(self) -> list[ox.NamedNode]:
        return sorted((s for s in self.out if isinstance(s, ox.NamedNode)), key=lambda s: s.value)


@functools.lru_cache(maxsize=65536)
def curie(iri: str) -> str:
    best = ""
    for name, base in ns.PREFIXES.items():
        if iri.startswith(base) and len(base) > len(ns.PREFIXES.get(best, "")):
            best = name
    if best and len(iri) > len(ns.PREFIXES[best]):
        return f"{best}:{iri[len(ns.PREFIXES[best]) :]}"
    return iri


class Site:
    """Renders every page, picture and the ``.htaccess`` of a release."""

    def __init__(
        self,
        dataset: ox.Dataset,
        version: str,
        issued: str,
        files: dict,
        site_url: str | None = None,
        sparql_endpoint: str | None = None,
    ):
        self.dataset = dataset
        self.version = version
        self.issued = issued
        self.files = files
        self.site_url = (site_url or "https://example.org/policygraph").rstrip("/")
        self.sparql_endpoint = sparql_endpoint
        self.index = GraphIndex(dataset)
        self.index.labels  # computed once, before any worker process forks  # noqa: B018
        self.env = environment()

    # --- rendering pieces --------------------------------------------------------

    def link(self, term, page: str) -> Markup:
        if isinstance(term, ox.NamedNode):
            return self._named_link(term.value, posixpath.dirname(page))
        if isinstance(term, ox.Literal):
            return literal(term)
        return self.blank(term, page, seen=set())

    @functools.lru_cache(maxsize=65536)  # noqa: B019 (one Site per build)
    def _named_link(self, iri: str, folder: str) -> Markup:
        target = layout.href(iri, folder + "/x")
        label = self.index.label(ox.NamedNode(iri))
        return Markup(f'<a href="{escape(target)}" title="{escape(iri)}">{escape(label)}</a>')

    def blank(self, node, page: str, seen: set) -> Markup:
        """A blank node shown in place: an RDF list as its items, else its statements."""
        if node in seen:
            return Markup("…")
        seen = seen | {node}
        items = self.rdf_list(node)
        if items is not None:
            return Markup(", ").join(self.link(i, page) for i in items)
        rows = []
        for t in sorted(self.index.out.get(node, ()), key=triple_order):
            if isinstance(t.object, ox.BlankNode):
                value = self.blank(t.object, page, seen)
            else:
                value = self.link(t.object, page)
            rows.append(Markup("<li>{}: {}</li>").format(self.predicate(t.predicate, page), value))
        return Markup('<ul class="node">{}</ul>').format(Markup("").join(rows))

    def rdf_list(self, node) -> list | None:
        items = []
        seen = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            first = self.index.values(node, ns.RDF + "first")
            rest = self.index.values(node, ns.RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                return None
            items.append(first[0])
            node = rest[0]
        if node == ox.NamedNode(ns.RDF + "nil") and items:
            return items
        return None

    def predicate(self, predicate: ox.NamedNode, page: str) -> Markup:
        return self._named_link(predicate.value, posixpath.dirname(page))

    def class_expression(self, node, page: str) -> Markup:
        """A named class as a link; a union, intersection or restriction in words."""
        index = self.index
        if isinstance(node, ox.NamedNode):
            return self.link(node, page)
        for key, word in ((ns.OWL + "unionOf", " or "), (ns.OWL + "intersectionOf", " and ")):
            for members in index.values(node, key):
                items = self.rdf_list(members) or []
                return Markup(word).join(self.class_expression(i, page) for i in items)
        on_property = index.values(node, ns.OWL + "onProperty")
        if on_property:
            prop = self.predicate(on_property[0], page)
            for key, word in (
                (ns.OWL + "hasValue", "value"),
                (ns.OWL + "someValuesFrom", "some"),
                (ns.OWL + "allValuesFrom", "only"),
                (ns.OWL + "minCardinality", "min"),
                (ns.OWL + "maxCardinality", "max"),
                (ns.OWL + "cardinality", "exactly"),
                (ns.OWL + "minQualifiedCardinality", "min"),
                (ns.OWL + "maxQualifiedCardinality", "max"),
                (ns.OWL + "qualifiedCardinality", "exactly"),
            ):
                for value in index.values(node, key):
                    shown = (
                        escape(value.value)
                        if isinstance(value, ox.Literal)
                        else self.class_expression(value, page)
                    )
                    return Markup("{} {} {}").format(prop, word, shown)
        return self.blank(node, page, seen=set())

    # --- entity pages ---------------------------------------------------------------

    def entity_page(self, subject: ox.NamedNode, stem: str) -> tuple[str, str]:
        index = self.index
        page = stem + ".html"
        statements: dict[str, list] = defaultdict(list)
        predicates: dict[str, Markup] = {}
        for t in index.out[subject]:
            if t.predicate.value in _HIDDEN:
                continue
            key = index.label(t.predicate).lower() + " " + t.predicate.value
            predicates[key] = self.predicate(t.predicate, page)
            statements[key].append(
                {"html": self.link(t.object, page), "inferred": index.inferred(t)}
            )
        incoming: dict[str, list] = defaultdict(list)
        for t in index.inc.get(subject, ()):
            if not isinstance(t.subject, ox.NamedNode) or t.predicate.value == _TYPE:
                continue
            key = index.label(t.predicate).lower() + " " + t.predicate.value
            predicates[key] = self.predicate(t.predicate, page)
            incoming[key].append(
                {"html": self.link(t.subject, page), "inferred": index.inferred(t)}
            )
        labels = [v for v in index.values(subject, ns.RDFS + "label") if isinstance(v, ox.Literal)]
        other_labels = sorted(
            f"{v.value} ({v.language})" for v in labels if v.language and v.language != "en"
        )
        title = index.label(subject)
        if other_labels:
            title = f"{title} · {' · '.join(other_labels)}"
        html = self.env.get_template("entity.html.j2").render(
            title=title,
            iri=subject.value,
            version=self.version,
            issued=self.issued,
            root=layout.relative("docs", page) + "/",
            turtle=posixpath.basename(stem) + ".ttl",
            types=[
                self.link(t, page)
                for t in sorted(index.types(subject), key=index.label)
                if not index.inferred(ox.Triple(subject, ox.NamedNode(_TYPE), t))
            ],
            statuses=[index.label(s) for s in index.values(subject, ns.PG + "epistemicStatus")],
            definition=index.text(subject, ns.SKOS + "definition"),
            evidence=self.evidence(subject, page),
            statements=[(predicates[k], v) for k, v in sorted(statements.items())],
            incoming=[
                (predicates[k], sorted(v, key=lambda x: str(x["html"])))
                for k, v in sorted(incoming.items())
            ],
        )
        return page, html

    def evidence(self, subject, page: str) -> list[dict]:
        index = self.index
        quotes = []
        for evidence in index.values(subject, ns.PG + "hasEvidence"):
            for selector in index.values(evidence, ns.OA + "hasSelector"):
                source = index.values(evidence, ns.OA + "hasSource")
                section = index.values(evidence, ns.PG + "inSection")
                quotes.append(
                    {
                        "exact": index.text(selector, ns.OA + "exact"),
                        "prefix": index.text(selector, ns.OA + "prefix"),
                        "suffix": index.text(selector, ns.OA + "suffix"),
                        "source": self.link(source[0], page) if source else "",
                        "section": self.link(section[0], page) if section else "",
                    }
                )
        return sorted(quotes, key=lambda q: (q["exact"], q["prefix"]))

    def description(self, subject) -> list[ox.Triple]:
        """The statements about ``subject`` and the blank nodes it leads to."""
        found: list[ox.Triple] = []
        todo = [subject]
        seen = set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for t in self.index.out.get(node, ()):
                found.append(t)
                if isinstance(t.object, ox.BlankNode):
                    todo.append(t.object)
        return sorted(set(found), key=triple_order)

    # --- the ontology page -----------------------------------------------------------

    def term_rows(self, term, page: str, kind: str) -> list[tuple[str, list]]:
        index = self.index
        onto = index.ontology
        rows: list[tuple[str, list]] = []

        def add(label: str, values: list) -> None:
            if values:
                rows.append((label, values))

        def asserted(predicate: str) -> list:
            return [
                t.object
                for t in index.out.get(term, ())
                if t.predicate.value == predicate and t in onto
            ]

        add(
            "Definition",
            [index.text(term, ns.SKOS + "definition")]
            if index.text(term, ns.SKOS + "definition")
            else [],
        )
        if kind == "class":
            add(
                "Subclass of",
                [self.class_expression(o, page) for o in asserted(ns.RDFS + "subClassOf")],
            )
            add(
                "Equivalent to",
                [self.class_expression(o, page) for o in asserted(ns.OWL + "equivalentClass")],
            )
            subs = sorted(
                (
                    t.subject
                    for t in index.inc.get(term, ())
                    if t.predicate.value == ns.RDFS + "subClassOf"
                    and t in onto
                    and isinstance(t.subject, ox.NamedNode)
                ),
                key=index.label,
            )
            add("Superclass of", [self.link(s, page) for s in subs])
            disjoint = set(asserted(ns.OWL + "disjointWith")) | {
                t.subject
                for t in index.inc.get(term, ())
                if t.predicate.value == ns.OWL + "disjointWith" and t in onto
            }
            add("Disjoint with", [self.link(d, page) for d in sorted(disjoint, key=index.label)])
            for label, predicate in (
                ("In domain of", ns.RDFS + "domain"),
                ("In range of", ns.RDFS + "range"),
            ):
                props = sorted(
                    {
                        t.subject
                        for t in index.inc.get(term, ())
                        if t.predicate.value == predicate and t in onto
                    },
                    key=index.label,
                )
                add(label, [self.link(p, page) for p in props])
        else:
            add("Domain", [self.class_expression(o, page) for o in asserted(ns.RDFS + "domain")])
            add("Range", [self.class_expression(o, page) for o in asserted(ns.RDFS + "range")])
            add("Subproperty of", [self.link(o, page) for o in asserted(ns.RDFS + "subPropertyOf")])
            add("Inverse of", [self.link(o, page) for o in asserted(ns.OWL + "inverseOf")])
            characteristics = [
                curie(t.value).removeprefix("owl:")
                for t in asserted(_TYPE)
                if t.value
                in (
                    ns.OWL + "TransitiveProperty",
                    ns.OWL + "SymmetricProperty",
                    ns.OWL + "FunctionalProperty",
                    ns.OWL + "InverseFunctionalProperty",
                    ns.OWL + "AsymmetricProperty",
                    ns.OWL + "IrreflexiveProperty",
                )
            ]
            add("Characteristics", sorted(characteristics))
            add(
                "Property chain",
                [
                    self.class_expression_chain(o, page)
                    for o in asserted(ns.OWL + "propertyChainAxiom")
                ],
            )
        for label, predicate in (
            ("Scope note", ns.SKOS + "scopeNote"),
            ("Example", ns.SKOS + "example"),
            ("Editorial note", ns.SKOS + "editorialNote"),
            ("CAMEO code", ns.PG + "cameoCode"),
            ("PLOVER event type", ns.PG + "ploverEventType"),
            ("PLOVER mode", ns.PG + "ploverMode"),
            ("PLOVER context", ns.PG + "ploverContext"),
        ):
            add(label, sorted(v.value for v in asserted(predicate) if isinstance(v, ox.Literal)))
        add(
            "Aligned with",
            [
                self.link(o, page)
                for o in asserted(ns.SKOS + "exactMatch") + asserted(ns.SKOS + "closeMatch")
            ],
        )
        if kind == "class":
            members = sorted(
                (
                    t.subject
                    for t in index.inc.get(term, ())
                    if t.predicate.value == _TYPE
                    and isinstance(t.subject, ox.NamedNode)
                    and layout.page_stem(t.subject.value)
                ),
                key=index.label,
            )
            shown = [self.link(m, page) for m in members[:40]]
            if len(members) > 40:
                shown.append(Markup("… and {} more").format(len(members) - 40))
            add(f"Instances ({len(members)})", [Markup(", ").join(shown)] if shown else [])
        return rows

    def class_expression_chain(self, node, page: str) -> Markup:
        items = self.rdf_list(node) or []
        return Markup(" then ").join(self.predicate(i, page) for i in items)

    def ontology_page(self) -> str:
        index = self.index
        page = layout.ONTOLOGY_PAGE
        onto = ox.NamedNode(ns.ONTOLOGY_IRI)

        def terms_of(kind_iri: str, kind: str) -> list[dict]:
            found = [
                t.subject
                for t in index.inc.get(ox.NamedNode(kind_iri), ())
                if t.predicate.value == _TYPE
                and t in index.ontology
                and isinstance(t.subject, ox.NamedNode)
                and t.subject.value.startswith(ns.PG)
            ]
            return [
                {
                    "anchor": layout.term_anchor(term.value),
                    "label": index.label(term),
                    "iri": term.value,
                    "rows": self.term_rows(term, page, kind),
                }
                for term in sorted(set(found), key=lambda s: (index.label(s).lower(), s.value))
            ]

        header = []
        for label, predicate in (
            ("Creators", ns.DCTERMS + "creator"),
            ("Publisher", ns.DCTERMS + "publisher"),
            ("License", ns.DCTERMS + "license"),
            ("Created", ns.DCTERMS + "created"),
            ("Modified", ns.DCTERMS + "modified"),
            ("Source", ns.DCTERMS + "source"),
            ("Cite as", ns.DCTERMS + "bibliographicCitation"),
            ("Preferred prefix", ns.VANN + "preferredNamespacePrefix"),
            ("Namespace", ns.VANN + "preferredNamespaceUri"),
            ("See also", ns.RDFS + "seeAlso"),
        ):
            values = [self.link(v, page) for v in sorted(index.values(onto, predicate), key=str)]
            if values:
                header.append((label, values))

        schemes = []
        for scheme in sorted(
            {
                t.subject
                for t in index.inc.get(ox.NamedNode(ns.SKOS + "ConceptScheme"), ())
                if t.predicate.value == _TYPE
            },
            key=index.label,
        ):
            concepts = sorted(
                {
                    t.subject
                    for t in index.inc.get(scheme, ())
                    if t.predicate.value == ns.SKOS + "inScheme"
                },
                key=lambda c: index.label(c).lower(),
            )
            schemes.append(
                {
                    "anchor": "scheme-" + scheme.value.rstrip("/").rsplit("/", 1)[-1],
                    "label": index.label(scheme),
                    "iri": scheme.value,
                    "definition": index.text(scheme, ns.SKOS + "definition"),
                    "concepts": [
                        {
                            "link": self.link(c, page),
                            "definition": index.text(c, ns.SKOS + "definition"),
                        }
                        for c in concepts
                    ],
                }
            )

        families: dict[str, list] = defaultdict(list)
        for subject in index.subjects():
            if subject.value.startswith(ns.DATA) and layout.page_stem(subject.value):
                family = subject.value[len(ns.DATA) :].split("/", 1)[0]
                families[family].append(subject)
        family_list = []
        for family in sorted(
            families,
            key=lambda f: (list(_FAMILY_TITLES).index(f) if f in _FAMILY_TITLES else 99, f),
        ):
            members = sorted(families[family], key=lambda s: index.label(s).lower())
            family_list.append(
                {
                    "name": _FAMILY_TITLES.get(family, family.capitalize()),
                    "members": [self.link(m, page) for m in members],
                }
            )

        downloads = []
        for path, info in sorted(self.files.items()):
            if info.graph is None or info.graph == "description":
                continue
            fmt = next(
                (
                    f
                    for f in layout.FORMATS.values()
                    if path.endswith("." + f.suffix) and f.media_type == info.media_type
                ),
                None,
            )
            downloads.append(
                {
                    "href": layout.relative(path, page),
                    "name": path,
                    "graph": layout.GRAPH_TITLES.get(info.graph, info.graph),
                    "format": fmt.name if fmt else info.media_type,
                    "triples": f"{info.triples:,}" if info.triples is not None else "",
                    "bytes": f"{info.bytes:,}",
                    "sha256": info.sha256,
                }
            )
        return self.env.get_template("ontology.html.j2").render(
            title=index.text(onto, ns.DCTERMS + "title") or "policygraph ontology",
            iri=ns.ONTOLOGY_IRI,
            version=self.version,
            version_iri=layout.version_iri(self.version),
            issued=self.issued,
            root="./",
            header=header,
            description=index.text(onto, ns.DCTERMS + "description"),
            classes=terms_of(ns.OWL + "Class", "class"),
            properties=[
                {
                    "id": "object-properties",
                    "title": "Object properties",
                    "terms": terms_of(ns.OWL + "ObjectProperty", "property"),
                },
                {
                    "id": "datatype-properties",
                    "title": "Datatype properties",
                    "terms": terms_of(ns.OWL + "DatatypeProperty", "property"),
                },
                {
                    "id": "annotation-properties",
                    "title": "Annotation properties",
                    "terms": terms_of(ns.OWL + "AnnotationProperty", "property"),
                },
            ],
            schemes=schemes,
            families=family_list,
            entity_count=sum(len(f["members"]) for f in family_list),
            downloads=downloads,
            ontology_turtle=layout.relative(
                layout.file_name("ontology", "ttl", self.version), page
            ),
            void=layout.relative("void.ttl", page),
            context=layout.relative("context.jsonld", page),
            sums=layout.relative("SHA256SUMS", page),
            endpoint=self.sparql_endpoint,
        )

    def htaccess(self) -> str:
        v = self.version
        rules = [
            ("text/turtle", layout.file_name("ontology", "ttl", v)),
            ("application/rdf\\+xml", layout.file_name("ontology", "rdf", v)),
            ("application/ld\\+json", layout.file_name("ontology", "jsonld", v)),
            ("application/n-triples", layout.file_name("ontology", "nt", v)),
        ]
        as_rules = [{"accept": accept, "target": target} for accept, target in rules]
        version_rules = [
            {"accept": accept, "target": target.replace(v, "$1")} for accept, target in rules
        ]
        return self.env.get_template("htaccess.j2").render(
            version=v,
            base=ns.BASE,
            site=self.site_url,
            ontology_rules=as_rules,
            version_rules=version_rules,
            ontology_page=layout.ONTOLOGY_PAGE,
            shapes_file=layout.file_name("shapes", "ttl", v),
        )

    # --- everything -------------------------------------------------------------------

    def assets(self) -> Iterator[tuple[str, bytes, str]]:
        """(path, bytes, media type) of the style sheet, the pictures and ``.htaccess``."""
        from .diagrams import network_svg, timeline_svg

        style = self.env.loader.get_source(self.env, "style.css")[0]
        yield "docs/style.css", style.encode(), "text/css"
        yield "docs/timeline.svg", timeline_svg(self.dataset), "image/svg+xml"
        yield "docs/network.svg", network_svg(self.dataset), "image/svg+xml"
        yield ".htaccess", self.htaccess().encode(), "text/plain"

    def entity_files(self) -> Iterator[tuple[str, bytes]]:
        """(path, bytes) of the page and the Turtle of every entity and concept."""
        ttl = layout.FORMATS["ttl"]
        for subject in self.index.subjects():
            stem = layout.page_stem(subject.value)
            if stem is None:
                continue
            page, html = self.entity_page(subject, stem)
            yield page, html.encode()
            yield stem + ".ttl", serialize(self.description(subject), ttl)

    def write_entity_files(self, folder: Path) -> int:
        """Write the entity pages and their Turtle under ``folder``; the number of pages."""
        pages = 0
        made: set[str] = set()  # tens of thousands of files in a few dozen folders
        for path, data in self.entity_files():
            target = os.path.join(folder, path)
            parent = os.path.dirname(target)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            with open(target, "wb") as file:
                file.write(data)
            pages += path.endswith(".html")
        return pages


def literal(term: ox.Literal) -> Markup:
    if term.language:
        return Markup(f'{escape(term.value)}<span class="lang">@{escape(term.language)}</span>')
    datatype = term.datatype.value
    if datatype == ns.XSD + "string":
        return escape(term.value)
    return Markup(f'{escape(term.value)}<span class="dtype">{escape(curie(datatype))}</span>')

"""A networkx view of the knowledge graph, and a few analytics on it.

:func:`to_networkx` turns RDF into a :class:`networkx.MultiDiGraph` that graph tools can read:

* nodes are resources (organisations, inspections, findings, areas, people, ...), identified by their IRI;
  literals never become nodes, they become node attributes keyed by the predicate's CURIE
  (``"prob:gssCode"``, ``"dct:issued"``); several values of one predicate are joined with ``" | "``;
* ``rdf:type`` becomes ``kind`` (local name of the most specific class, probkg classes first), ``types``
  (every class as a CURIE, space separated) and ``category`` (``organisation``, ``inspection``, ...);
* ``label`` comes from ``skos:prefLabel``, ``foaf:name``, ``rdfs:label`` or ``dct:title``;
* a link to a resource that is not shown (a theme, a document in the domain view) becomes an attribute
  holding that resource's CURIE; evidence (Web Annotation selectors) is folded into ``evidence_*``
  attributes of the finding, rating, verdict or figure it supports;
* n-ary memberships (ownership, shareholding, appointment) become member -> organisation edges
  carrying ``begin``/``end`` dates (``memberships="nodes"`` keeps the n-ary nodes instead, ``"both"``
  keeps both);
* every id and attribute value is a plain ``str``, ``int``, ``float`` or ``bool``; every edge has a
  unique, stable key and the attributes ``predicate`` (CURIE) and ``label``.

Blank nodes that are shown (an appointment kept as a node) get a stable id derived from their content,
so the same data always gives the same graph.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from probkg.errors import InputError
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.ontology.namespaces import DCTERMS, FOAF, ID, OA, ORG, PREFIXES, PROB, SKOS, TIME

__all__ = [
    "CATEGORIES",
    "VIEWS",
    "criticism_by_owner",
    "curie",
    "degree_table",
    "owner_portfolio",
    "to_networkx",
]

JOIN = " | "
"""Separator used when one predicate has several literal values on a node."""

CATEGORIES: tuple[str, ...] = (
    "organisation",
    "inspection",
    "finding",
    "rating",
    "verdict",
    "figure",
    "area",
    "person",
    "document",
    "membership",
    "event",
    "run",
    "agent",
    "place",
    "concept",
    "other",
)
"""Categories a node can have; ``include`` selects among them."""

VIEWS: dict[str, frozenset[str]] = {
    "domain": frozenset({"organisation", "inspection", "finding", "area", "person"}),
    "assessment": frozenset({"organisation", "inspection", "finding", "rating", "verdict", "figure"}),
    "ownership": frozenset({"organisation"}),
    "all": frozenset(CATEGORIES),
}
"""Named node selections. ``domain`` is the default; ``ownership`` is organisations and who owned whom."""

# Structures that are never nodes: they are folded into the attributes of the node that uses them.
_FOLDED = frozenset({"evidence", "selector", "interval", "instant", "ontology", "graph"})

_CLASS_CATEGORY: dict[URIRef, str] = {
    ORG.Organization: "organisation",
    PROB.Inspection: "inspection",
    PROB.Finding: "finding",
    PROB.Rating: "rating",
    PROB.KeyTestVerdict: "verdict",
    PROB.Figure: "figure",
    PROB.Area: "area",
    FOAF.Person: "person",
    PROB.SourceDocument: "document",
    FOAF.Document: "document",
    ORG.Membership: "membership",
    ORG.ChangeEvent: "event",
    PROB.ExtractionRun: "run",
    URIRef("http://www.w3.org/ns/prov#SoftwareAgent"): "agent",
    SKOS.Concept: "concept",
    SKOS.ConceptScheme: "ontology",
    SKOS.Collection: "ontology",
    ORG.Role: "concept",
    OA.SpecificResource: "evidence",
    OA.TextQuoteSelector: "selector",
    OA.TextPositionSelector: "selector",
    TIME.ProperInterval: "interval",
    TIME.Interval: "interval",
    TIME.Instant: "instant",
    PROB.LoadedGraph: "graph",
    URIRef("http://www.w3.org/2002/07/owl#Class"): "ontology",
    URIRef("http://www.w3.org/2002/07/owl#ObjectProperty"): "ontology",
    URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty"): "ontology",
    URIRef("http://www.w3.org/2002/07/owl#AnnotationProperty"): "ontology",
    URIRef("http://www.w3.org/2002/07/owl#Ontology"): "ontology",
    RDF.Property: "ontology",
    RDFS.Class: "ontology",
}

# First path segment of an ``id:`` IRI -> category, for resources that carry no rdf:type.
_PATH_CATEGORY = {
    "org": "organisation",
    "person": "person",
    "area": "area",
    "inspection": "inspection",
    "finding": "finding",
    "rating": "rating",
    "verdict": "verdict",
    "figure": "figure",
    "doc": "document",
    "evidence": "evidence",
    "ownership": "membership",
    "event": "event",
    "run": "run",
    "agent": "agent",
    "place": "place",
    "graph": "graph",
}

_LABEL_PREDICATES = (SKOS.prefLabel, FOAF.name, RDFS.label, DCTERMS.title, SKOS.altLabel)

# Friendlier edge labels for predicates of reused vocabularies (probkg's own come from the ontology).
_PREDICATE_LABEL = {
    URIRef("http://www.opengis.net/ont/geosparql#sfWithin"): "within",
    URIRef("http://www.opengis.net/ont/geosparql#sfEquals"): "same area as",
    DCTERMS.spatial: "area",
    DCTERMS.publisher: "publisher",
    ORG.unitOf: "unit of",
    URIRef("http://www.w3.org/ns/prov#wasAssociatedWith"): "carried out by",
    URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"): "derived from",
    URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"): "generated by",
    URIRef("http://www.w3.org/ns/prov#wasInvalidatedBy"): "ended by",
    ORG.originalOrganization: "organisation changed",
}

_MEMBERSHIP_LABEL = {
    PROB.Ownership: "owns",
    PROB.Shareholding: "holds shares in",
    PROB.Appointment: "appointed to",
}

_INVERSE_PREFIXES = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda t: -len(t[0]))


def curie(term: Node) -> str:
    """Compact an IRI with probkg's prefixes (``prob:Finding``); other IRIs are returned whole."""
    return _curie(str(term))


@lru_cache(maxsize=1 << 16)
def _curie(text: str) -> str:
    for ns, prefix in _INVERSE_PREFIXES:
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _local_name(term: Node) -> str:
    text = str(term)
    return re.split(r"[#/]", text.rstrip("/#"))[-1] or text


def _humanise(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def _plain(lit: Literal) -> str | int | float | bool:
    """A literal as a value networkx writers accept: numbers and booleans typed, all else its lexical form."""
    try:
        value = lit.toPython()
    except Exception:  # pragma: no cover - rdflib is lenient, this only guards odd datatypes
        value = None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in str(lit) else float(value)
    return str(lit)


@lru_cache(maxsize=1)
def _shipped_ontology() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Subclass pairs and English property labels from the packaged ontology (empty if not shipped yet)."""
    try:
        text = resources.files("probkg.ontology").joinpath("ontology.ttl").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return (), ()
    g = Graph()
    g.parse(data=text, format="turtle")
    subs = tuple(
        sorted(
            (str(s), str(o))
            for s, o in g.subject_objects(RDFS.subClassOf)
            if isinstance(s, URIRef) and isinstance(o, URIRef)
        )
    )
    labels = tuple(
        sorted(
            (str(s), str(o))
            for s, o in g.subject_objects(RDFS.label)
            if isinstance(o, Literal) and o.language in (None, "en")
        )
    )
    return subs, labels


def _triples(source: Store | Graph) -> Graph:
    """Everything the source holds (catalogue excluded), as one in-memory union graph."""
    union = Graph()
    if isinstance(source, Store):
        for s, p, o, g in source.quads():
            if g != CATALOG_GRAPH:
                union.add((s, p, o))
        return union
    if hasattr(source, "quads") and getattr(source, "context_aware", False):
        for s, p, o, g in source.quads((None, None, None, None)):
            gid = getattr(g, "identifier", g)
            if gid != CATALOG_GRAPH:
                union.add((s, p, o))
        return union
    for triple in source:
        union.add(triple)
    return union


def _rows(store: Store, sparql: str) -> Iterator[tuple[Node | None, ...]]:
    """Rows of a SELECT over the union of the store's graphs. On Oxigraph the rows are streamed and each
    IRI converted to rdflib once (a million-row answer is not first turned into an rdflib Result)."""
    from probkg.graph.store import OxigraphStore

    if isinstance(store, OxigraphStore):
        import pyoxigraph as ox

        from probkg.graph._oxterms import to_rdflib

        iris: dict[Any, Node] = {}
        answer: Any = store._store.query(sparql, use_default_graph_as_union=True)
        for solution in answer:
            row: list[Node | None] = []
            for term in solution:
                if term is None:
                    row.append(None)
                elif type(term) is ox.NamedNode:
                    node = iris.get(term)
                    if node is None:
                        node = iris[term] = to_rdflib(term)
                    row.append(node)
                else:
                    row.append(to_rdflib(term))
            yield tuple(row)
        return
    result = store.query(sparql)
    names = list(result.vars or [])
    for binding in result.bindings:
        yield tuple(binding.get(v) for v in names)


def _classes_for(store: Store, shown: set[str]) -> list[URIRef]:
    """The classes used in ``store`` whose instances may fall in one of the ``shown`` categories."""
    subs, _ = _shipped_ontology()
    supers: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, o in subs:
        supers[URIRef(s)].add(URIRef(o))
    used = [t for (t,) in _rows(store, "SELECT DISTINCT ?t WHERE { ?s a ?t }") if isinstance(t, URIRef)]
    out = []
    for cls in used:
        seen, todo = {cls}, [cls]
        while todo:
            for sup in supers.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        if any(_CLASS_CATEGORY.get(c) in shown for c in seen):
            out.append(cls)
    return sorted(out)


class _Triples:
    """A read-only, indexed set of triples with the part of rdflib's Graph API the view uses.

    Cheaper to fill than an rdflib Graph (one dict of lists per subject), which matters for the few
    hundred thousand triples a large store's selection brings.
    """

    def __init__(self) -> None:
        self._spo: dict[Node, dict[Node, list[Node]]] = defaultdict(dict)
        self._seen: set[tuple[Node, Node, Node]] = set()
        self._pso: dict[Node, list[tuple[Node, Node]]] | None = None
        self._osp: dict[Node, list[tuple[Node, Node]]] | None = None

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        if triple in self._seen:
            return
        self._seen.add(triple)
        s, p, o = triple
        self._spo[s].setdefault(p, []).append(o)
        self._pso = self._osp = None

    def objects(self, subject: Node | None = None, predicate: Node | None = None) -> Iterator[Node]:
        if subject is None:
            for by_p in self._spo.values():
                for objs in by_p.values():
                    yield from objs
            return
        yield from self._spo.get(subject, {}).get(predicate, ())  # type: ignore[arg-type]

    def subjects(self) -> Iterator[Node]:
        yield from self._spo

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        for p, objs in self._spo.get(subject, {}).items():
            for o in objs:
                yield p, o

    def subject_objects(self, predicate: Node) -> Iterator[tuple[Node, Node]]:
        if self._pso is None:
            self._pso = defaultdict(list)
            for s, by_p in self._spo.items():
                for p, objs in by_p.items():
                    self._pso[p].extend((s, o) for o in objs)
        yield from self._pso.get(predicate, ())

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]:
        if self._osp is None:
            self._osp = defaultdict(list)
            for s, by_p in self._spo.items():
                for p, objs in by_p.items():
                    for o in objs:
                        self._osp[o].append((s, p))
        yield from self._osp.get(obj, ())


def _selection(store: Store, shown: set[str]) -> tuple[Graph, dict[Node, dict[str, Any]]]:
    """Only what the view needs, selected with SPARQL: the triples of the resources of the shown
    categories (and of memberships, with their periods), and each one's evidence summarised.

    The store is never copied whole into rdflib: quotes and offsets of evidence come back as one row
    per selector instead of the five or so resources Web Annotation uses for them.
    """
    g = _Triples()
    classes = _classes_for(store, shown | {"membership"})
    if not classes:
        return g, {}  # type: ignore[return-value]
    values = " ".join(f"<{c}>" for c in classes)
    has_evidence = PROB.hasEvidence
    supported: dict[str, list[Node]] = defaultdict(list)  # evidence -> what it supports
    for s, p, o in _rows(
        store,
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?t {{ {values} }} ?s a ?t . ?s ?p ?o }}",
    ):
        if p == has_evidence:
            supported[str(o)].append(s)  # type: ignore[arg-type]
        else:
            g.add((s, p, o))  # type: ignore[arg-type]
    for row in _rows(
        store,
        f"SELECT DISTINCT ?i ?p ?x ?q ?v WHERE {{ VALUES ?t {{ {values} }} ?s a ?t ; "
        "<http://www.w3.org/ns/org#memberDuring> ?i . ?i ?p ?x . "
        "OPTIONAL { ?x ?q ?v } }",
    ):
        i, p, x, q, v = row
        g.add((i, p, x))  # type: ignore[arg-type]
        if q is not None:
            g.add((x, q, v))  # type: ignore[arg-type]
    evidence: dict[Node, dict[str, Any]] = {}
    items: dict[Node, dict[str, dict[str, Any]]] = defaultdict(dict)
    for ev, item in _evidence_items(store, set(supported)).items():
        for s in supported[ev]:
            items[s][ev] = item
    for s, by_ev in items.items():
        evidence[s] = _summarise_evidence(list(by_ev.values()))
    for p, label in _rows(
        store,
        "SELECT DISTINCT ?p ?l WHERE { ?p a ?k ; <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        "FILTER(?k IN (<http://www.w3.org/2002/07/owl#ObjectProperty>, "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#Property>)) }",
    ):
        g.add((p, RDFS.label, label))  # type: ignore[arg-type]
    return g, evidence  # type: ignore[return-value]


def _text_rows(store: Store, sparql: str) -> Iterator[tuple[str | None, ...]]:
    """Rows of a SELECT as plain strings (IRIs, blank node ids, lexical forms): no rdflib terms built."""
    from probkg.graph.store import OxigraphStore

    if isinstance(store, OxigraphStore):
        answer: Any = store._store.query(sparql, use_default_graph_as_union=True)
        for solution in answer:
            yield tuple(None if t is None else t.value for t in solution)
        return
    for row in _rows(store, sparql):
        yield tuple(None if t is None else str(t) for t in row)


def _evidence_items(store: Store, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """Source, quote and offsets of each evidence in ``wanted`` (Web Annotation: a source and selectors).

    Three plain joins over the annotation vocabulary, matched here, cost a fraction of one query
    joining them to the resources they support with OPTIONALs. Where an evidence has several values
    the smallest is kept, so the same data always gives the same summary."""
    if not wanted:
        return {}
    items: dict[str, dict[str, Any]] = {
        ev: {"source": "", "start": -1, "end": -1, "quote": ""} for ev in wanted
    }
    for ev, src in _text_rows(store, f"SELECT ?ev ?src WHERE {{ ?ev <{OA.hasSource}> ?src }}"):
        item = items.get(ev)  # type: ignore[arg-type]
        if item is not None and src is not None:
            text = _curie(src)
            if not item["source"] or text < item["source"]:
                item["source"] = text
    selectors: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for ev, sel, q, v in _text_rows(
        store,
        f"SELECT ?ev ?sel ?q ?v WHERE {{ ?ev <{OA.hasSelector}> ?sel . "
        f"VALUES ?q {{ <{OA.exact}> <{OA.start}> <{OA.end}> }} ?sel ?q ?v }}",
    ):
        if ev in items and q is not None and v is not None:
            selectors[(ev, sel)][q.rsplit("#", 1)[-1]] = v  # type: ignore[index]
    for (ev, _sel), found in sorted(selectors.items()):
        item = items[ev]
        quote = found.get("exact")
        if quote is not None and (not item["quote"] or quote < item["quote"]):
            item["quote"] = quote
        start, end = found.get("start", ""), found.get("end", "")
        if item["start"] < 0 and start.isdigit() and end.isdigit():
            item["start"], item["end"] = int(start), int(end)
    return items


def _summarise_evidence(items: list[dict[str, Any]]) -> dict[str, Any]:
    if not items:
        return {}
    items.sort(key=lambda i: (i["source"], i["start"], i["end"], i["quote"]))
    first = items[0]
    out: dict[str, Any] = {"evidence_count": len(items), "evidence_source": first["source"]}
    if first["start"] >= 0:
        out["evidence_start"] = first["start"]
    if first["end"] >= 0:
        out["evidence_end"] = first["end"]
    quotes = [i["quote"] for i in items if i["quote"]]
    if quotes:
        out["evidence_quote"] = JOIN.join(quotes)
    return out


class _View:
    """Builds the networkx graph; holds the lookups the build needs."""

    def __init__(self, g: Graph, evidence: dict[Node, dict[str, Any]] | None = None) -> None:
        self.g = g
        self._evidence = evidence
        subs, labels = _shipped_ontology()
        self.supers: dict[URIRef, set[URIRef]] = defaultdict(set)
        for sub_iri, sup_iri in subs:
            self.supers[URIRef(sub_iri)].add(URIRef(sup_iri))
        for s, o in g.subject_objects(RDFS.subClassOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                self.supers[s].add(o)
        self.prop_labels = {URIRef(iri): str(text) for iri, text in labels}
        for s, o in g.subject_objects(RDFS.label):
            if isinstance(o, Literal) and o.language in (None, "en"):
                self.prop_labels.setdefault(s, str(o))  # type: ignore[arg-type]
        self.types: dict[Node, set[URIRef]] = defaultdict(set)
        for s, o in g.subject_objects(RDF.type):
            if isinstance(o, URIRef):
                self.types[s].add(o)
        self._ids: dict[Node, str] = {}
        self._cats: dict[Node, str] = {}

    # ---- classification -----------------------------------------------------------------
    def ancestors(self, cls: URIRef) -> set[URIRef]:
        seen: set[URIRef] = set()
        todo = [cls]
        while todo:
            c = todo.pop()
            for sup in self.supers.get(c, ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        return seen

    def category(self, node: Node) -> str:
        if node in self._cats:
            return self._cats[node]
        cat = None
        for cls in sorted(self.types.get(node, ())):
            for c in [cls, *sorted(self.ancestors(cls))]:
                if c in _CLASS_CATEGORY:
                    cat = _CLASS_CATEGORY[c]
                    break
            if cat in _FOLDED or cat == "membership":
                break  # structural classes win over anything else the node is
        if cat is None and isinstance(node, URIRef) and str(node).startswith(str(ID)):
            cat = _PATH_CATEGORY.get(str(node)[len(str(ID)) :].split("/", 1)[0])
        if cat is None and isinstance(node, URIRef) and "#" in str(node) and str(node).startswith(str(ID)):
            cat = "selector"
        if (
            cat is None
            and self.types.get(node)
            and any(str(t).startswith(str(PROB)) for t in self.types[node])
        ):
            cat = "other"
        self._cats[node] = cat or ("other" if node in self.types else "")
        return self._cats[node]

    def kind(self, node: Node) -> str:
        types = self.types.get(node, set())
        if not types:
            return "Resource"
        implied = set().union(*(self.ancestors(t) for t in types))
        specific = sorted(t for t in types if t not in implied) or sorted(types)
        own = [t for t in specific if str(t).startswith(str(PROB))]
        return _local_name((own or specific)[0])

    def label(self, node: Node) -> str:
        for pred in _LABEL_PREDICATES:
            values = [o for o in self.g.objects(node, pred) if isinstance(o, Literal)]
            if values:
                preferred = (
                    [v for v in values if v.language in ("en", "en-gb", "en-GB")]
                    or [v for v in values if not v.language]
                    or values
                )
                return sorted(str(v) for v in preferred)[0]
        for pred in (RDFS.comment, PROB.measure):
            texts = sorted(str(o) for o in self.g.objects(node, pred) if isinstance(o, Literal))
            if texts:
                text = texts[0]
                return text if len(text) <= 60 else text[:59].rstrip() + "…"
        for pred in (PROB.ratingValue, PROB.verdict):
            objs = sorted(self.g.objects(node, pred))  # type: ignore[type-var]
            if objs:
                return f"{_humanise(self.kind(node))}: {_humanise(_local_name(objs[0]))}"
        if isinstance(node, URIRef):
            return _local_name(node)
        return _humanise(self.kind(node))

    # ---- identities ---------------------------------------------------------------------
    def node_id(self, node: Node) -> str:
        """IRI for IRIs; a content hash for blank nodes so ids do not change between runs."""
        if isinstance(node, URIRef):
            return str(node)
        if node not in self._ids:
            self._ids[node] = "_:b" + hashlib.sha256(self._describe(node, set()).encode()).hexdigest()[:16]
        return self._ids[node]

    def _describe(self, node: Node, seen: set[Node]) -> str:
        seen = seen | {node}
        parts = []
        for p, o in self.g.predicate_objects(node):
            if isinstance(o, BNode):
                val = "[]" if o in seen else "[" + self._describe(o, seen) + "]"
            else:
                val = o.n3()
            parts.append(f"{p.n3()} {val}")
        for s, p in self.g.subject_predicates(node):
            if not isinstance(s, BNode):
                parts.append(f"^{p.n3()} {s.n3()}")
        return ";".join(sorted(parts))

    def predicate_label(self, pred: URIRef) -> str:
        return self.prop_labels.get(pred) or _PREDICATE_LABEL.get(pred) or _humanise(_local_name(pred))

    # ---- folded structures --------------------------------------------------------------
    def instant(self, instant: Node) -> str | None:
        for pred in (
            TIME.inXSDDate,
            TIME.inXSDDateTimeStamp,
            TIME.inXSDDateTime,
            TIME.inXSDgYearMonth,
            TIME.inXSDgYear,
        ):
            for o in self.g.objects(instant, pred):
                return str(o)
        return None

    def interval(self, node: Node) -> dict[str, str]:
        out: dict[str, str] = {}
        for interval in sorted(self.g.objects(node, ORG.memberDuring), key=lambda n: n.n3()):
            for key, pred in (("begin", TIME.hasBeginning), ("end", TIME.hasEnd)):
                for inst in self.g.objects(interval, pred):
                    value = self.instant(inst)
                    if value is not None:
                        out[key] = value
            break
        return out

    def evidence(self, node: Node) -> dict[str, Any]:
        if self._evidence is not None:
            return self._evidence.get(node, {})
        items = []
        for ev in self.g.objects(node, PROB.hasEvidence):
            item: dict[str, Any] = {"source": "", "start": -1, "end": -1, "quote": ""}
            for src in self.g.objects(ev, OA.hasSource):
                item["source"] = curie(src)
            for sel in self.g.objects(ev, OA.hasSelector):
                for key, pred in (("start", OA.start), ("end", OA.end)):
                    for o in self.g.objects(sel, pred):
                        val = _plain(o)  # type: ignore[arg-type]
                        if isinstance(val, int):
                            item[key] = val
                for o in self.g.objects(sel, OA.exact):
                    item["quote"] = str(o)
            items.append(item)
        return _summarise_evidence(items)


def _merge(attrs: dict[str, Any], key: str, value: str | int | float | bool) -> None:
    values = attrs.setdefault(key, [])
    if value not in values:
        values.append(value)


def _flatten(values: list[Any]) -> str | int | float | bool:
    if len(values) == 1:
        return values[0]
    return JOIN.join(sorted(str(v) for v in values))


def _resolve_include(include: str | Iterable[str]) -> frozenset[str]:
    if isinstance(include, str):
        if include in VIEWS:
            return VIEWS[include]
        include = [part.strip() for part in include.split(",") if part.strip()]
    chosen = frozenset(include)
    unknown = sorted(chosen - set(CATEGORIES))
    if unknown:
        raise InputError(
            f"unknown node category {', '.join(unknown)}; choose from {', '.join(CATEGORIES)} "
            f"or a view: {', '.join(VIEWS)}"
        )
    return chosen


def to_networkx(
    source: Store | Graph, *, include: str | Iterable[str] = "domain", memberships: str = "edges"
) -> nx.MultiDiGraph:
    """Build the networkx view of ``source`` (a probkg store, an rdflib Graph or Dataset).

    ``include`` is a view name from :data:`VIEWS` (``domain`` by default, ``assessment``, ``all``), or
    categories from :data:`CATEGORIES` (an iterable, or a comma-separated string). ``memberships`` is
    ``edges`` (owner -> provider edges with begin/end), ``nodes`` (keep the n-ary membership nodes) or
    ``both``.
    """
    if memberships not in ("edges", "nodes", "both"):
        raise InputError(f"memberships must be edges, nodes or both, not {memberships!r}")
    shown = set(_resolve_include(include))
    if memberships in ("nodes", "both"):
        shown.add("membership")
    else:
        shown.discard("membership")
    view = _View(*_selection(source, shown)) if isinstance(source, Store) else _View(_triples(source))
    g = view.g

    subjects = {s for s in g.subjects() if not isinstance(s, Literal)}
    objects = {o for o in g.objects() if isinstance(o, URIRef)}
    visible = {n for n in subjects | objects if view.category(n) in shown}

    G = nx.MultiDiGraph(name="probkg", view=",".join(sorted(shown)))
    for node in sorted(visible, key=view.node_id):
        attrs: dict[str, list[Any]] = {}
        for p, o in g.predicate_objects(node):
            if p == RDF.type:
                continue
            key = curie(p)
            if isinstance(o, Literal):
                _merge(attrs, key, _plain(o))
            elif (
                isinstance(o, URIRef)
                and view.category(o) not in _FOLDED
                and (o not in visible or view.category(o) == "concept")
            ):
                _merge(attrs, key, curie(o))
        data: dict[str, Any] = {k: _flatten(v) for k, v in attrs.items()}
        data.update(view.evidence(node))
        if view.category(node) == "membership":
            data.update(view.interval(node))
        data.update(
            {
                "label": view.label(node),
                "kind": view.kind(node),
                "category": view.category(node),
                "types": " ".join(sorted(curie(t) for t in view.types.get(node, ()))),
            }
        )
        G.add_node(view.node_id(node), **dict(sorted(data.items())))

    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for node in visible:
        for p, o in g.predicate_objects(node):
            if p == RDF.type or o not in visible:
                continue
            edges.append(_edge(view, node, p, o, {}))  # type: ignore[arg-type]
    if memberships in ("edges", "both"):
        for ms in {s for s in subjects if view.category(s) == "membership"}:
            members = [m for m in g.objects(ms, ORG.member) if m in visible]
            orgs = [o for o in g.objects(ms, ORG.organization) if o in visible]
            cls = next((t for t in sorted(view.types.get(ms, ())) if t in _MEMBERSHIP_LABEL), None)
            role = next(iter(sorted(g.objects(ms, ORG.role))), None)  # type: ignore[type-var]
            extra: dict[str, Any] = {"via": view.node_id(ms), **view.interval(ms)}
            if role is not None:
                extra["role"] = curie(role)
            for key in ("prob:unverified",):
                for o in g.objects(ms, PROB.unverified):
                    extra[key] = _plain(o)  # type: ignore[arg-type]
            srcs = sorted(str(o) for o in g.objects(ms, DCTERMS.source))
            if srcs:
                extra["dct:source"] = JOIN.join(srcs)
            label = _MEMBERSHIP_LABEL.get(cls) if cls is not None else None
            if label is None:
                label = view.label(role) if role is not None else "member of"
            pred = cls if cls is not None else ORG.Membership
            for m in members:
                for o in orgs:
                    edges.append(_edge(view, m, pred, o, {**extra, "label": label}))
    for u, v, key, data in sorted(edges, key=lambda e: (e[0], e[1], e[3]["predicate"], e[2])):
        G.add_edge(u, v, key=key, **dict(sorted(data.items())))
    _label_findings(G)
    return G


QUOTE_PREFIX = 48
"""Characters of a finding's quote used in its label."""


def _short_text(text: str, limit: int = QUOTE_PREFIX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def _label_findings(G: nx.MultiDiGraph) -> None:
    """Findings are labelled by the start of their quote and the provider they are about, never an id."""
    for node, attrs in G.nodes(data=True):
        if attrs.get("category") != "finding":
            continue
        text = ""
        for key in ("evidence_quote", "rdfs:comment", "dct:description", "prob:summary"):
            if attrs.get(key):
                text = str(attrs[key]).split(JOIN)[0]
                break
        providers = sorted(
            str(G.nodes[v].get("label", v))
            for _, v, d in G.out_edges(node, data=True)
            if d.get("predicate") == "prob:aboutProvider"
        )
        if not providers and attrs.get("prob:aboutProvider"):
            providers = [str(attrs["prob:aboutProvider"])]
        if not text:
            theme = str(attrs.get("prob:theme", "")).split(JOIN)[0]
            polarity = str(attrs.get("prob:polarity", "")).rsplit(":", 1)[-1]
            text = " ".join(
                x for x in (polarity.lower(), "finding", "on", _humanise(theme.rsplit(":", 1)[-1])) if x
            )
            text = text if theme else f"{polarity.lower()} finding".strip()
        about = "; ".join(providers)
        attrs["label"] = f"{_short_text(text)} ({about})" if about else _short_text(text)


def _edge(view: _View, s: Node, p: URIRef, o: Node, extra: dict[str, Any]) -> tuple[str, str, str, dict]:
    u, v = view.node_id(s), view.node_id(o)
    pred = curie(p)
    key = "e" + hashlib.sha256(f"{u}\n{pred}\n{v}\n{extra.get('via', '')}".encode()).hexdigest()[:16]
    data = {"predicate": pred, "label": view.predicate_label(p), "id": key}
    data.update(extra)
    return u, v, key, data


# ---- analytics ------------------------------------------------------------------------------


def degree_table(G: nx.MultiDiGraph, *, limit: int | None = None) -> list[dict[str, Any]]:
    """One row per node: id, label, kind, in/out/total degree; most connected first."""
    rows = [
        {
            "id": n,
            "label": str(d.get("label", n)),
            "kind": str(d.get("kind", "")),
            "in": G.in_degree(n),
            "out": G.out_degree(n),
            "degree": G.degree(n),
        }
        for n, d in G.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["degree"], r["label"], r["id"]))
    return rows[:limit] if limit is not None else rows


def _ownership_edges(G: nx.MultiDiGraph) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for u, v, d in G.edges(data=True):
        if d.get("predicate") == "prob:Ownership":
            yield u, v, d


def _day(value: str) -> str:
    """Comparable ISO day for xsd:date, gYearMonth or gYear lexical forms (start of the period)."""
    value = value[:10]
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{value}-01"
    return value


def _within(day: str | None, begin: str | None, end: str | None) -> bool:
    if day is None:
        return True
    d = _day(day)
    return (begin is None or _day(begin) <= d) and (end is None or d < _day(end))


def owner_portfolio(G: nx.MultiDiGraph, *, on: str | None = None) -> list[dict[str, Any]]:
    """Providers per owner from the ownership edges, optionally only those held on date ``on``.

    Each row: ``owner``, ``owner_label``, ``providers`` (a list of dicts with ``id``, ``label``,
    ``begin`` and ``end``, empty strings when unknown) and ``count``. Largest portfolio first.
    """
    by_owner: dict[str, list[dict[str, str]]] = defaultdict(list)
    for u, v, d in _ownership_edges(G):
        if on is not None and not _within(on, d.get("begin"), d.get("end")):
            continue
        by_owner[u].append(
            {
                "id": v,
                "label": str(G.nodes[v].get("label", v)),
                "begin": str(d.get("begin", "")),
                "end": str(d.get("end", "")),
            }
        )
    rows = []
    for owner, providers in by_owner.items():
        providers.sort(key=lambda p: (p["label"], p["begin"]))
        rows.append(
            {
                "owner": owner,
                "owner_label": str(G.nodes[owner].get("label", owner)),
                "providers": providers,
                "count": len({p["id"] for p in providers}),
            }
        )
    rows.sort(key=lambda r: (-len({p["id"] for p in r["providers"]}), str(r["owner_label"])))  # type: ignore[attr-defined]
    return rows


def _finding_date(G: nx.MultiDiGraph, finding: str) -> str | None:
    for _, insp, d in G.out_edges(finding, data=True):
        if d.get("predicate") == "prob:inInspection":
            attrs = G.nodes[insp]
            for key in ("prob:publicationDate", "prob:fieldworkStart", "prob:fieldworkEnd"):
                if key in attrs:
                    return str(attrs[key]).split(JOIN)[0]
    return None


def criticism_by_owner(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Findings about providers while an owner held them, counted per owner and polarity.

    A finding counts for an owner when it is about a provider the owner held at the date of the
    finding's inspection (publication date, else fieldwork); findings whose inspection has no date
    count for every owner of the provider. Rows: ``owner``, ``owner_label``, ``providers``
    (labels of providers with at least one finding), ``findings``, ``critical``, ``positive``,
    ``mixed``. Most criticised first.
    """
    holdings: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for u, v, d in _ownership_edges(G):
        holdings[v].append((u, d.get("begin"), d.get("end")))
    counts: dict[str, dict[str, Any]] = {}
    for node, attrs in G.nodes(data=True):
        if attrs.get("category") != "finding":
            continue
        polarity = str(attrs.get("prob:polarity", "")).rsplit(":", 1)[-1].rsplit("#", 1)[-1].lower()
        day = _finding_date(G, node)
        for _, provider, d in G.out_edges(node, data=True):
            if d.get("predicate") != "prob:aboutProvider":
                continue
            for owner, begin, end in holdings.get(provider, ()):
                if not _within(day, begin, end):
                    continue
                row = counts.setdefault(
                    owner,
                    {
                        "owner": owner,
                        "owner_label": str(G.nodes[owner].get("label", owner)),
                        "providers": set(),
                        "findings": 0,
                        "critical": 0,
                        "positive": 0,
                        "mixed": 0,
                    },
                )
                row["providers"].add(str(G.nodes[provider].get("label", provider)))
                row["findings"] += 1
                if polarity in ("critical", "positive", "mixed"):
                    row[polarity] += 1
    rows = [{**r, "providers": sorted(r["providers"])} for r in counts.values()]
    rows.sort(key=lambda r: (-r["critical"], -r["findings"], r["owner_label"]))
    return rows

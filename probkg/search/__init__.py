"""Full-text search over the store: labels, alternative names, finding quotes and finding descriptions.

The index is SQLite FTS5 (Python's own ``sqlite3``; no extra dependency). It is kept in step with the
store graph by graph: the index records, per named graph, the checksum the store's load catalogue gives
that graph (or, for graphs without one, their triple count), and :meth:`SearchIndex.sync` re-indexes
only the graphs whose key changed and forgets the graphs that went. An on-disk Oxigraph store gets its
index in a file beside its directory (``<store>.search.sqlite``); a memory or remote store gets an index
in memory.

What is indexed, per node: ``skos:prefLabel``, ``rdfs:label``, ``dct:title`` (field ``label``),
``skos:altLabel``/``skos:hiddenLabel`` (``altLabel``), ``oa:exact`` of a finding's quote selector
(``quote``, attached to the finding) and ``rdfs:comment`` of a finding (``description``). Labels are also
indexed squashed (lower case, letters and digits only), so "MTC novo" finds "MTCnovo".

Hits are resolved against the store (:func:`search`): each carries the node's human label, its kind and,
for findings, the quote, its offsets, the inspection and the source document with its web page.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from probkg.errors import InputError
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.ontology.namespaces import PROB_IRI

__all__ = ["Hit", "SearchIndex", "index_for", "search"]

_PROB = PROB_IRI
_OA = "http://www.w3.org/ns/oa#"
_FINDING = URIRef(_PROB + "Finding")
_HAS_EVIDENCE = URIRef(_PROB + "hasEvidence")
_HAS_SELECTOR = URIRef(_OA + "hasSelector")
_EXACT = URIRef(_OA + "exact")

_LABELS: dict[Node, str] = {SKOS.prefLabel: "label", RDFS.label: "label", DCTERMS.title: "label"}
_ALT: dict[Node, str] = {SKOS.altLabel: "altLabel", SKOS.hiddenLabel: "altLabel"}
_SCHEMA_VERSION = "1"
_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_QUERY = 500
"""Longest search text accepted, in characters."""


def _squash(text: str) -> str:
    return "".join(_TOKEN.findall(text.lower()))


@dataclass
class Hit:
    """One search result: a node of the graph and why it matched."""

    iri: str
    label: str
    kind: str
    field: str
    snippet: str
    score: float
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    inspection: str | None = None
    inspection_label: str | None = None
    provider: str | None = None
    provider_label: str | None = None
    source: str | None = None
    source_title: str | None = None
    url: str | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d


def _graph_key(store: Store) -> dict[str, str]:
    """The key of every data graph: its catalogue checksum, else its size."""
    sizes = store.graph_sizes()
    keys: dict[str, str] = {}
    catalog = store.catalog()
    for g, n in sizes.items():
        if g == str(CATALOG_GRAPH):
            continue
        info = catalog.get(g)
        keys[g] = f"sha256:{info.sha256}:{n}" if info is not None and info.sha256 else f"size:{n}"
    return keys


def _documents(quads: Iterable[tuple[Node, Node, Node, Node]]) -> Iterator[tuple[str, str, str, str]]:
    """(iri, kind, field, text) rows for one graph's triples."""
    findings: set[Node] = set()
    evidence: dict[Node, list[Node]] = {}
    selectors: dict[Node, list[Node]] = {}
    exact: dict[Node, str] = {}
    rows: list[tuple[Node, str, str]] = []
    for s, p, o, _g in quads:
        if p == RDF.type:
            if o == _FINDING:
                findings.add(s)
        elif p == _HAS_EVIDENCE:
            evidence.setdefault(s, []).append(o)
        elif p == _HAS_SELECTOR:
            selectors.setdefault(s, []).append(o)
        elif p == _EXACT and isinstance(o, Literal):
            exact[s] = str(o)
        elif isinstance(o, Literal) and isinstance(s, URIRef):
            if p in _LABELS:
                rows.append((s, _LABELS[p], str(o)))
            elif p in _ALT:
                rows.append((s, _ALT[p], str(o)))
            elif p == RDFS.comment:
                rows.append((s, "description", str(o)))
    for s, fld, text in rows:
        if fld == "description" and s not in findings:
            continue
        yield str(s), "finding" if s in findings else "", fld, text
    for f in findings:
        if not isinstance(f, URIRef):
            continue
        for ev in evidence.get(f, ()):
            for sel in selectors.get(ev, ()):
                if sel in exact:
                    yield str(f), "finding", "quote", exact[sel]


_BULK_QUERIES = {
    "label": (
        "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { VALUES ?p { skos:prefLabel rdfs:label dct:title skos:altLabel "
        "skos:hiddenLabel } ?s ?p ?o } FILTER(isIRI(?s) && isLiteral(?o)) }"
    ),
    "finding": "SELECT ?g ?f WHERE { GRAPH ?g { ?f a prob:Finding } }",
    "quote": (
        "SELECT ?g ?f ?q WHERE { GRAPH ?g { ?sel oa:exact ?q . ?ev oa:hasSelector ?sel . "
        "?f prob:hasEvidence ?ev } FILTER(isIRI(?f)) }"
    ),
    "description": "SELECT ?g ?f ?c WHERE { GRAPH ?g { ?f rdfs:comment ?c } FILTER(isIRI(?f)) }",
}
_BULK_PREFIXES = (
    "PREFIX prob: <https://w3id.org/probation-kg/def#> PREFIX oa: <http://www.w3.org/ns/oa#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX dct: <http://purl.org/dc/terms/> "
)
BULK_THRESHOLD = 20
"""Above this many changed graphs, the index reads the whole store with four queries, not graph by graph."""


def _documents_bulk(store: Store, graphs: set[str]) -> Iterator[tuple[str, str, str, str, str]]:
    """(graph, iri, kind, field, text) rows of ``graphs``, read with a few whole-store queries."""

    def rows(name: str) -> Iterator[tuple[Any, ...]]:
        for r in store.query(_BULK_PREFIXES + _BULK_QUERIES[name]):
            row = tuple(r)  # type: ignore[arg-type]
            if str(row[0]) in graphs:
                yield row

    findings = {(str(g), str(f)) for g, f in rows("finding")}
    for g, subject, p, o in rows("label"):
        fld = _LABELS.get(p) or _ALT.get(p) or "label"
        yield str(g), str(subject), "finding" if (str(g), str(subject)) in findings else "", fld, str(o)
    for g, f, q in rows("quote"):
        if (str(g), str(f)) in findings:
            yield str(g), str(f), "finding", "quote", str(q)
    for g, f, c in rows("description"):
        if (str(g), str(f)) in findings:
            yield str(g), str(f), "finding", "description", str(c)


_FINGERPRINT = (
    "SELECT (COUNT(?g) AS ?n) (SHA1(GROUP_CONCAT(CONCAT(STR(?g), ' ', STR(?h)); separator='|')) AS ?fp) "
    "WHERE { GRAPH <" + str(CATALOG_GRAPH) + "> { ?g <https://w3id.org/probation-kg/def#sha256> ?h } }"
)


def _fingerprint(store: Store) -> str:
    """A cheap digest of the load catalogue (one aggregate query); it changes when any graph does."""
    if store.kind != "oxigraph":
        return ""  # memory and remote stores: compare the full keys each time
    row = next(iter(store.query(_FINGERPRINT)), None)
    return "" if row is None else f"{row[0]}:{row[1]}"  # type: ignore[index]


class SearchIndex:
    """An FTS5 index of one store, refreshed graph by graph with :meth:`sync`."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = str(path) if path is not None else ":memory:"
        self._lock = threading.RLock()
        self._checked = -1e9
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL" if path is not None else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._create()

    def _create(self) -> None:
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT)")
            row = self._db.execute("SELECT v FROM meta WHERE k='schema'").fetchone()
            if row is not None and row[0] != _SCHEMA_VERSION:
                self._db.execute("DROP TABLE IF EXISTS docs")
                self._db.execute("DROP TABLE IF EXISTS graphs")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            self._db.execute("CREATE TABLE IF NOT EXISTS graphs (graph TEXT PRIMARY KEY, key TEXT NOT NULL)")
            self._db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
                "text, squashed, iri UNINDEXED, kind UNINDEXED, field UNINDEXED, graph UNINDEXED, "
                "tokenize='unicode61 remove_diacritics 2')"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- keeping in step with the store -------------------------------------------------------
    def sync(
        self, store: Store, *, every: float = 0.0, on_start: Callable[[int], None] | None = None
    ) -> dict[str, int]:
        """Re-index the graphs that changed since the last call; return counts of what was done.

        A digest of the load catalogue is compared first (one cheap query, at most once per ``every``
        seconds); only when it changed are the graphs' keys compared and the changed graphs re-read.
        ``on_start`` is told how many graphs are about to be (re)indexed, when there are any.
        """
        import time

        now = time.monotonic()
        if now - self._checked < every:
            return {"indexed": 0, "removed": 0, "unchanged": -1}
        fingerprint = _fingerprint(store)
        with self._lock:
            row = self._db.execute("SELECT v FROM meta WHERE k='fingerprint'").fetchone()
        if fingerprint and row is not None and row[0] == fingerprint:
            self._checked = now
            return {"indexed": 0, "removed": 0, "unchanged": -1}
        keys = _graph_key(store)
        with self._lock:
            known = dict(self._db.execute("SELECT graph, key FROM graphs").fetchall())
            changed = [g for g, k in keys.items() if known.get(g) != k]
            gone = [g for g in known if g not in keys]
            if changed and on_start is not None:
                on_start(len(changed))
            with self._db:
                for g in gone:
                    self._db.execute("DELETE FROM docs WHERE graph = ?", (g,))
                    self._db.execute("DELETE FROM graphs WHERE graph = ?", (g,))
                for g in changed:
                    self._db.execute("DELETE FROM docs WHERE graph = ?", (g,))
                if len(changed) > BULK_THRESHOLD:
                    rows: Iterable[tuple[str, str, str, str, str]] = _documents_bulk(store, set(changed))
                else:
                    rows = (
                        (g, iri, kind, fld, text)
                        for g in changed
                        for iri, kind, fld, text in _documents(store.quads(URIRef(g)))
                    )
                self._db.executemany(
                    "INSERT INTO docs (text, squashed, iri, kind, field, graph) VALUES (?,?,?,?,?,?)",
                    (
                        (text, _squash(text) if fld in ("label", "altLabel") else "", iri, kind, fld, g)
                        for g, iri, kind, fld, text in rows
                    ),
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO graphs VALUES (?, ?)", ((g, keys[g]) for g in changed)
                )
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        self._checked = now
        return {"indexed": len(changed), "removed": len(gone), "unchanged": len(keys) - len(changed)}

    def size(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    # ---- querying ----------------------------------------------------------------------------
    def match(
        self, text: str, *, limit: int = 20, kinds: Iterable[str] = ()
    ) -> list[tuple[str, str, str, str, float]]:
        """(iri, kind, field, snippet, score) of the best matches, one row per node (its best field)."""
        expr = fts_query(text)
        if expr is None:
            return []
        wanted = set(kinds)
        sql = (
            "SELECT iri, kind, field, snippet(docs, 0, '[', ']', '…', 12), bm25(docs, 1.0, 2.0) AS r "
            "FROM docs WHERE docs MATCH ? ORDER BY r LIMIT ?"
        )
        out: dict[str, tuple[str, str, str, str, float]] = {}
        with self._lock:
            rows = self._db.execute(sql, (expr, max(limit * 8, 200))).fetchall()
        for iri, kind, fld, snip, rank in rows:
            if wanted and kind not in wanted:
                continue
            weight = {"label": 3.0, "altLabel": 2.5, "quote": 1.0, "description": 1.0}.get(fld, 1.0)
            score = -float(rank) * weight
            prev = out.get(iri)
            if prev is None or score > prev[4]:
                out[iri] = (iri, kind, fld, snip, score)
        return sorted(out.values(), key=lambda r: -r[4])[:limit]


def fts_query(text: str) -> str | None:
    """An FTS5 expression for what a user typed: every word as a prefix, or the words run together."""
    if len(text) > MAX_QUERY:
        raise InputError(f"search text is {len(text)} characters; at most {MAX_QUERY} are allowed", path="q")
    words = _TOKEN.findall(text.lower())
    if not words:
        return None
    each = " AND ".join(f'"{w}"*' for w in words)
    squashed = "".join(words)
    return f'{{text}} : ({each}) OR {{squashed}} : "{squashed}"*'


_INDEXES: dict[int, tuple[Store, SearchIndex]] = {}
_INDEXES_LOCK = threading.Lock()


def index_path(store: Store) -> Path | None:
    """Where the index of ``store`` lives on disk, or None to keep it in memory."""
    path = getattr(store, "path", None)
    if store.kind == "oxigraph" and isinstance(path, Path):
        return path.parent / (path.name + ".search.sqlite")
    return None


def index_for(store: Store, on_start: Callable[[int], None] | None = None) -> SearchIndex:
    """The (cached) index of ``store``, brought in step with it (``on_start``: see ``SearchIndex.sync``)."""
    with _INDEXES_LOCK:
        cached = _INDEXES.get(id(store))
        if cached is None or cached[0] is not store:
            cached = (store, SearchIndex(index_path(store)))
            _INDEXES[id(store)] = cached
    index = cached[1]
    index.sync(store, on_start=on_start)
    return index


def _value(row: Any, i: int) -> str | None:
    v = row[i]
    return None if v is None else str(v)


def resolve(store: Store, iris: list[str]) -> dict[str, dict[str, str | None]]:
    """Label, kind, and for findings the quote, offsets, inspection, provider and source of each IRI."""
    if not iris:
        return {}
    values = " ".join(URIRef(i).n3() for i in iris)
    text = (
        "PREFIX prob: <" + _PROB + "> PREFIX oa: <" + _OA + "> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?x ?label ?type ?quote ?start ?end ?insp ?inspLabel ?prov ?provLabel ?src ?title ?url "
        "?comment ?page "
        "WHERE { VALUES ?x { " + values + " } "
        "OPTIONAL { ?x skos:prefLabel|rdfs:label|dct:title ?label } "
        "OPTIONAL { ?x a ?type FILTER(STRSTARTS(STR(?type), STR(prob:)) || ?type = skos:Concept) } "
        "OPTIONAL { ?x foaf:page ?page } "
        "OPTIONAL { ?x rdfs:comment ?comment } "
        "OPTIONAL { ?x prob:hasEvidence ?ev . ?ev oa:hasSource ?src . "
        "  OPTIONAL { ?src dct:title ?title } OPTIONAL { ?src foaf:page ?url } "
        "  OPTIONAL { ?ev oa:hasSelector ?qs . ?qs oa:exact ?quote } "
        "  OPTIONAL { ?ev oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end } } "
        "OPTIONAL { ?x prob:inInspection ?insp OPTIONAL { ?insp skos:prefLabel ?inspLabel } } "
        "OPTIONAL { ?x prob:aboutProvider ?prov OPTIONAL { ?prov skos:prefLabel ?provLabel } } "
        "}"
    )
    out: dict[str, dict[str, str | None]] = {}
    names = [
        "label",
        "type",
        "quote",
        "start",
        "end",
        "insp",
        "inspLabel",
        "prov",
        "provLabel",
        "src",
        "title",
        "url",
        "comment",
        "page",
    ]
    for row in store.query(text):
        iri = str(row[0])  # type: ignore[index]
        info = out.setdefault(iri, {})
        for i, name in enumerate(names, start=1):
            v = _value(row, i)
            if v is None:
                continue
            if name == "type":
                # the most specific of the probkg classes: keep the longest local name seen last sorted
                kinds = sorted({*(info.get("types") or "").split(), v.rsplit("#", 1)[-1]})
                info["types"] = " ".join(kinds)
            elif info.get(name) is None:
                info[name] = v
    for iri, info in out.items():
        info["label"] = human_label(iri, info)
        if info.get("url") is None and info.get("page") is not None:
            info["url"] = info["page"]
    return out


_KIND_ORDER = [
    "Finding",
    "Rating",
    "KeyTestVerdict",
    "Figure",
    "Inspection",
    "CommunityRehabilitationCompany",
    "NpsDivision",
    "NationalProbationService",
    "OwnerOrganisation",
    "Inspectorate",
    "ProbationProvider",
    "Ownership",
    "Shareholding",
    "Appointment",
    "OwnershipTransfer",
    "PressRelease",
    "BlogPost",
    "InspectionReport",
    "WebPage",
    "SourceDocument",
    "Area",
    "Concept",
]


def main_kind(types: str | None) -> str:
    """The most telling probkg class of a node, from a space-separated list of local names."""
    present = set((types or "").split())
    for k in _KIND_ORDER:
        if k in present:
            return k
    return sorted(present)[0] if present else "Thing"


def human_label(iri: str, info: dict[str, str | None], width: int = 48) -> str:
    """A readable label: the preferred label, else (findings) a quote prefix and the provider."""
    if info.get("label"):
        return str(info["label"])
    text = info.get("quote") or info.get("comment")
    if text:
        text = " ".join(text.split())
        short = text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
        prov = info.get("provLabel")
        return f"“{short}” ({prov})" if prov else f"“{short}”"
    return iri.rstrip("/#").rsplit("/", 1)[-1].replace("-", " ")


def search(store: Store, text: str, *, limit: int = 20, kinds: Iterable[str] = ()) -> list[Hit]:
    """Search ``store``; ``kinds`` restricts to ``finding`` (or ``""`` for other nodes)."""
    if limit < 1 or limit > 1000:
        raise InputError(f"limit must be between 1 and 1000, not {limit}", path="limit")
    if fts_query(text) is None:
        raise InputError(f"search text {text!r} has no words to look for", path="q")
    index = index_for(store)
    rows = index.match(text, limit=limit, kinds=kinds)
    info = resolve(store, [r[0] for r in rows])
    hits = []
    for iri, _kind, fld, snip, score in rows:
        d = info.get(iri, {})
        start, end = d.get("start"), d.get("end")
        hits.append(
            Hit(
                iri=iri,
                label=str(d.get("label") or human_label(iri, {})),
                kind=main_kind(d.get("types")),
                field=fld,
                snippet=snip,
                score=round(score, 4),
                quote=d.get("quote"),
                start=int(start) if start and start.lstrip("-").isdigit() else None,
                end=int(end) if end and end.lstrip("-").isdigit() else None,
                inspection=d.get("insp"),
                inspection_label=d.get("inspLabel"),
                provider=d.get("prov"),
                provider_label=d.get("provLabel"),
                source=d.get("src"),
                source_title=d.get("title"),
                url=d.get("url"),
            )
        )
    return hits

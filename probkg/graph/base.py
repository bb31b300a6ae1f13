"""The interface every store backend implements (embedded Oxigraph, in-memory rdflib, remote SPARQL).

Backends implement the primitives marked abstract. The shared write path (compare checksums, materialise
inferences, validate, replace the named graph and its catalogue entry atomically) lives in
:class:`Store` itself so the backends behave the same.

The catalogue (graph :data:`CATALOG_GRAPH`) holds one node per loaded graph; see "Store bookkeeping" in
``docs/data-model.md``. Backends never interpret it: they receive its triples from :meth:`Store.load` and
write them in the same transaction as the graph they describe.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from probkg.errors import InputError, StoreError
from probkg.ontology.namespaces import DEF_IRI, ID_IRI, PROB_IRI

__all__ = [
    "CATALOG_GRAPH",
    "CORE_GRAPHS",
    "FILE_GRAPH_PREFIX",
    "PENDING_GRAPH",
    "STAGING_PREFIX",
    "GraphInfo",
    "LoadOutcome",
    "Quad",
    "Store",
    "Triple",
    "catalog_entry",
    "is_reserved",
]

Quad = tuple[Node, Node, Node, URIRef]
Triple = tuple[Node, Node, Node]

CATALOG_GRAPH = URIRef(ID_IRI + "graph/catalog")
"""Named graph in which the store records, per loaded graph, the source checksum and origin."""

FILE_GRAPH_PREFIX = ID_IRI + "graph/file/"
"""Graphs named after an RDF file's content; a newer version of the same file supersedes them."""

PENDING_GRAPH = URIRef(ID_IRI + "graph/pending")
"""Journal of a load in progress: the graphs it writes. Present only while a load runs or after a crash."""

STAGING_PREFIX = ID_IRI + "graph/staging/"
"""New versions of graphs being replaced are written under these names until the switch."""

CORE_GRAPHS = frozenset(
    {
        DEF_IRI,
        ID_IRI + "graph/registry",
        str(CATALOG_GRAPH),
    }
)
"""Graphs only ``probkg build`` (or a load with ``allow_core``) may write; curated graphs are core too."""

_CORE_LOADERS = ("ontology", "curated")


def is_reserved(graph: str) -> bool:
    """The store's bookkeeping graphs, never written by a loader."""
    return graph in (str(CATALOG_GRAPH), str(PENDING_GRAPH)) or graph.startswith(STAGING_PREFIX)


_PROB = PROB_IRI
_LOADED_GRAPH = URIRef(_PROB + "LoadedGraph")
_SHA256 = URIRef(_PROB + "sha256")
_LOADER = URIRef(_PROB + "loader")
_TRIPLE_COUNT = URIRef(_PROB + "tripleCount")


def catalog_entry(graph: URIRef, checksum: str, source: str, loader: str, size: int) -> list[Triple]:
    """The catalogue node of one loaded graph (checksum, source, load time, loader, size)."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return [
        (graph, RDF.type, _LOADED_GRAPH),
        (graph, _SHA256, Literal(checksum)),
        (graph, DCTERMS.source, Literal(source)),
        (graph, PROV.generatedAtTime, Literal(now, datatype=XSD.dateTime)),
        (graph, _LOADER, Literal(loader)),
        (graph, _TRIPLE_COUNT, Literal(size)),
    ]


@dataclass(frozen=True)
class GraphInfo:
    """What the catalogue knows about one named graph."""

    graph: str
    sha256: str | None
    source: str | None
    loader: str | None
    loaded_at: str | None
    triples: int


@dataclass(frozen=True)
class LoadOutcome:
    """Result of writing one :class:`~probkg.loaders.base.LoadUnit`.

    ``status`` is ``added`` (new graph), ``replaced`` (different checksum) or ``unchanged``
    (same checksum: nothing was written). ``triples`` is the size of the graph after the load
    (inferred triples included); ``before`` and ``after`` are the store's triple counts.
    ``superseded`` lists file graphs of an earlier version of the same file that were dropped.
    """

    graph: str
    status: str
    triples: int
    before: int
    after: int
    source: str = ""
    superseded: tuple[str, ...] = ()


class Store(ABC):
    """A quad store holding one named graph per source, plus the catalogue graph."""

    #: ``oxigraph``, ``memory`` or ``remote``
    kind: str = "abstract"
    #: where the data lives (directory, URL or ``memory``), for messages
    location: str = ""

    # ---- primitives each backend implements -------------------------------------------
    @abstractmethod
    def query(self, sparql: str) -> Result:
        """Run a SPARQL 1.1 query string (SELECT, ASK, CONSTRUCT or DESCRIBE).

        The default graph is the union of all named graphs. Parameters are bound by the
        caller (``probkg.queries``) before the string gets here. Literals typed ``xsd:string``
        come back as plain rdflib literals. Malformed SPARQL raises :class:`~probkg.errors.QueryError`.
        """

    @abstractmethod
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Atomically replace the content of ``graph`` (create it if absent); return its new size."""

    @abstractmethod
    def drop_graph(self, graph: URIRef) -> None:
        """Remove ``graph`` and its triples; no error if absent."""

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Triple count per non-empty named graph (the catalogue graph included)."""

    @abstractmethod
    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        """Stream every quad, or those of one graph, for export and validation."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    # ---- overridable helpers with a portable default ----------------------------------
    def commit(
        self,
        graph: URIRef,
        triples: Iterable[Triple],
        *,
        catalog_entry: Iterable[Triple] | None = (),
        drop: Sequence[URIRef] = (),
    ) -> int:
        """Replace ``graph`` and its catalogue node (left alone when ``catalog_entry`` is None), and drop
        the graphs in ``drop``; return the new size."""
        entry = None if catalog_entry is None else list(catalog_entry)
        return self.commit_many([(graph, triples, entry)], drop=drop)[0]

    def commit_many(
        self,
        writes: Sequence[tuple[URIRef, Iterable[Triple] | None, list[Triple] | None]],
        *,
        drop: Sequence[URIRef] = (),
    ) -> list[int]:
        """Replace several graphs and their catalogue nodes, and drop ``drop``, all or nothing.

        Each write is ``(graph, triples, entry)``: ``triples`` None leaves the graph's content as it is
        (only its catalogue node changes); ``entry`` None leaves its catalogue node alone. Returns the
        new size of each written graph. Every backend applies the whole change at once: the embedded
        Oxigraph store in one transaction, the in-memory store under its lock (restoring the old graphs
        if anything fails), the remote store by uploading first and switching in one SPARQL Update.
        This portable default is built from the primitives and restores the graphs it touched when a
        step fails; readers of another process may see the steps.
        """
        staged = [(URIRef(str(g)), None if t is None else list(t), e) for g, t, e in writes]
        touched = list(dict.fromkeys([*(g for g, _, _ in staged), *(URIRef(str(g)) for g in drop)]))
        gone = {str(g) for g, _, e in staged if e is not None} | {str(g) for g in drop}
        old_catalog = [(s, p, o) for s, p, o, _ in self.quads(CATALOG_GRAPH)]
        backup = {g: [(s, p, o) for s, p, o, _ in self.quads(g)] for g in touched}
        try:
            for g in drop:
                self.drop_graph(URIRef(str(g)))
            for g, t, _ in staged:
                if t is not None:
                    self.replace_graph(g, t)
            if gone:
                kept = [t for t in old_catalog if str(t[0]) not in gone]
                self.replace_graph(CATALOG_GRAPH, [*kept, *(t for _, _, e in staged for t in e or ())])
        except BaseException:
            for g, old in backup.items():
                self.replace_graph(g, old)
            self.replace_graph(CATALOG_GRAPH, old_catalog)
            raise
        now = self.graph_sizes()
        return [now.get(str(g), 0) for g, _, _ in staged]

    def bulk_load(self, path: str, **options: object) -> object:
        """Stream a large RDF file in atomically (:mod:`probkg.graph.bulk`); backends able override."""
        raise StoreError(f"the {self.kind} store has no bulk loader; load the file through the regular path")

    def context_triples(self, iris: Iterable[URIRef], exclude: Iterable[URIRef] = ()) -> Iterator[Triple]:
        """Triples the store holds about ``iris``: one hop out, plus ``rdf:type`` of the objects.

        Triples in the graphs of ``exclude`` (and in the catalogue) are left out. Used by the
        validation gate to check a new graph against what is already loaded.
        """
        skip = {str(g) for g in exclude} | {str(CATALOG_GRAPH)}
        subjects = sorted({str(i) for i in iris if isinstance(i, URIRef)})
        for start in range(0, len(subjects), 500):
            chunk = subjects[start : start + 500]
            values = " ".join(URIRef(s).n3() for s in chunk)
            text = (
                "SELECT ?g ?s ?p ?o ?t WHERE { VALUES ?s { " + values + " } "
                "GRAPH ?g { ?s ?p ?o } OPTIONAL { GRAPH ?g2 { ?o a ?t } "
                "FILTER(?g2 != " + CATALOG_GRAPH.n3() + ") } }"
            )
            seen: set[Triple] = set()
            for row in self.query(text):
                if str(row[0]) in skip:  # type: ignore[index]
                    continue
                s, p, o, t = row[1], row[2], row[3], row[4]  # type: ignore[index,misc]
                triple = (s, p, o)
                if triple not in seen:
                    seen.add(triple)
                    yield triple
                if t is not None:
                    typed = (o, RDF.type, t)
                    if typed not in seen:
                        seen.add(typed)
                        yield typed

    # ---- shared behaviour -------------------------------------------------------------
    def triple_count(self) -> int:
        """Number of quads in the data graphs (the catalogue left out)."""
        return sum(n for g, n in self.graph_sizes().items() if g != str(CATALOG_GRAPH))

    def graph(self, graph: URIRef) -> Graph:
        """A detached in-memory copy of one named graph."""
        g = Graph()
        for s, p, o, _ in self.quads(graph):
            g.add((s, p, o))
        return g

    def catalog(self) -> dict[str, GraphInfo]:
        """Catalogue entries by graph IRI."""
        fields: dict[str, dict[str, str]] = {}
        for s, p, o, _ in self.quads(CATALOG_GRAPH):
            fields.setdefault(str(s), {})[str(p)] = str(o)
        out = {}
        for g, f in fields.items():
            count = f.get(str(_TRIPLE_COUNT))
            out[g] = GraphInfo(
                graph=g,
                sha256=f.get(str(_SHA256)),
                source=f.get(str(DCTERMS.source)),
                loader=f.get(str(_LOADER)),
                loaded_at=f.get(str(PROV.generatedAtTime)),
                triples=int(count) if count and count.isdigit() else 0,
            )
        return out

    def drop(self, graph: URIRef) -> int:
        """Remove a named graph and its catalogue entry; return how many triples went."""
        graph = URIRef(str(graph))
        if graph == CATALOG_GRAPH:
            raise InputError("the store's catalogue cannot be dropped on its own")
        size = self.graph_sizes().get(str(graph), 0)
        self.drop_graph(graph)
        entries = list(self.quads(CATALOG_GRAPH))
        if any(q[0] == graph for q in entries):  # backends that do not clean the catalogue themselves
            self.replace_graph(CATALOG_GRAPH, [(s, p, o) for s, p, o, _ in entries if s != graph])
        return size

    def dump(self, out: IO[bytes], fmt: str = "nq", *, include_catalog: bool = False) -> None:
        """Write the store to ``out``.

        ``nq``, ``trig`` and ``jsonld`` keep the named graphs; ``nt`` and ``ttl`` write the union
        of the data graphs, with duplicates removed and triples sorted. The catalogue is left out
        unless asked for.
        """
        from probkg.graph._io import dump_quads

        dump_quads(self._export_quads(include_catalog), out, fmt)

    def _export_quads(self, include_catalog: bool) -> Iterator[Quad]:
        for q in self.quads():
            if include_catalog or q[3] != CATALOG_GRAPH:
                yield q

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
from itertools import chain
from typing import IO, TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD
from rdflib.query import Result
from rdflib.term import Node

from probkg.errors import InputError

if TYPE_CHECKING:
    from probkg.loaders.base import LoadUnit

__all__ = [
    "CATALOG_GRAPH",
    "FILE_GRAPH_PREFIX",
    "GraphInfo",
    "LoadOutcome",
    "Quad",
    "Store",
    "Triple",
]

Quad = tuple[Node, Node, Node, URIRef]
Triple = tuple[Node, Node, Node]

CATALOG_GRAPH = URIRef("https://w3id.org/probation-kg/id/graph/catalog")
"""Named graph in which the store records, per loaded graph, the source checksum and origin."""

FILE_GRAPH_PREFIX = "https://w3id.org/probation-kg/id/graph/file/"
"""Graphs named after an RDF file's content; a newer version of the same file supersedes them."""

_PROB = "https://w3id.org/probation-kg/def#"
_LOADED_GRAPH = URIRef(_PROB + "LoadedGraph")
_SHA256 = URIRef(_PROB + "sha256")
_LOADER = URIRef(_PROB + "loader")
_TRIPLE_COUNT = URIRef(_PROB + "tripleCount")


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
        catalog_entry: Iterable[Triple] = (),
        drop: Sequence[URIRef] = (),
    ) -> int:
        """Replace ``graph`` and its catalogue node, and drop the graphs in ``drop``; return the new size.

        The embedded backends override this to do everything in one transaction: remove the triples
        of ``graph`` and of each graph in ``drop``, remove their nodes from :data:`CATALOG_GRAPH`,
        insert ``triples`` into ``graph`` and ``catalog_entry`` into the catalogue. This portable
        default is built from the primitives, so each graph changes atomically but not all together.
        """
        new = list(triples)
        gone = {str(graph), *(str(g) for g in drop)}
        kept = [(s, p, o) for s, p, o, _ in self.quads(CATALOG_GRAPH) if str(s) not in gone]
        for g in drop:
            self.drop_graph(URIRef(str(g)))
        size = self.replace_graph(graph, new)
        self.replace_graph(CATALOG_GRAPH, [*kept, *catalog_entry])
        return size

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
                s, p, o, t = row[1], row[2], row[3], row[4]  # type: ignore[index]
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

    def load(self, unit: LoadUnit, validate: bool = True, *, force: bool = False) -> LoadOutcome:
        """Write a loader's output into its named graph.

        Same checksum as catalogued -> nothing happens (``unchanged``) unless ``force``. Otherwise
        the RDFS consequences of the probkg ontology are added to the graph, the result is
        validated against the shapes (a Violation raises :class:`~probkg.errors.ValidationFailed`
        and nothing is written), and the graph and its catalogue entry are replaced in one
        transaction. For a file graph, older file graphs catalogued from the same source and
        loader are dropped in that transaction too.
        """
        from probkg.validation.inference import materialise

        graph = URIRef(str(unit.graph))
        if graph == CATALOG_GRAPH:
            raise InputError("the graph name is reserved for the store's catalogue", path=unit.source)
        catalog = self.catalog()
        sizes = self.graph_sizes()
        before = sum(n for g, n in sizes.items() if g != str(CATALOG_GRAPH))
        known = catalog.get(str(graph))
        if known is not None and known.sha256 == unit.checksum and not force:
            return LoadOutcome(str(graph), "unchanged", sizes.get(str(graph), 0), before, before, unit.source)

        inferred = materialise(unit.triples)
        if validate:
            from probkg.errors import ValidationFailed
            from probkg.validation.gate import validate_unit

            report = validate_unit(self, unit, inferred=inferred)
            if not report.conforms:
                raise ValidationFailed(report.summary(), report=report, path=unit.source)

        drop: list[URIRef] = []
        if str(graph).startswith(FILE_GRAPH_PREFIX):
            drop = [
                URIRef(g)
                for g, info in catalog.items()
                if g != str(graph)
                and g.startswith(FILE_GRAPH_PREFIX)
                and info.source == unit.source
                and info.loader == unit.loader
            ]
        size = len(unit.triples) + len(inferred)
        entry = [
            (graph, RDF.type, _LOADED_GRAPH),
            (graph, _SHA256, Literal(unit.checksum)),
            (graph, DCTERMS.source, Literal(unit.source)),
            (
                graph,
                PROV.generatedAtTime,
                Literal(
                    datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                    datatype=XSD.dateTime,
                ),
            ),
            (graph, _LOADER, Literal(unit.loader)),
            (graph, _TRIPLE_COUNT, Literal(size)),
        ]
        existed = str(graph) in sizes or known is not None
        written = self.commit(graph, chain(unit.triples, inferred), catalog_entry=entry, drop=drop)
        after = before - sizes.get(str(graph), 0) - sum(sizes.get(str(g), 0) for g in drop) + written
        return LoadOutcome(
            str(graph),
            "replaced" if existed else "added",
            written,
            before,
            after,
            unit.source,
            tuple(str(g) for g in drop),
        )

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

"""The interface every store backend implements (embedded Oxigraph, in-memory rdflib, remote SPARQL).

Backends implement the primitives marked abstract. The shared write path (compare checksums, validate,
materialise inferences, replace the named graph atomically, update the catalogue) lives in
:class:`Store` itself so the three backends behave the same.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

__all__ = ["CATALOG_GRAPH", "GraphInfo", "LoadOutcome", "Quad", "Store"]

Quad = tuple[Node, Node, Node, URIRef]

CATALOG_GRAPH = URIRef("https://w3id.org/probation-kg/id/graph/catalog")
"""Named graph in which the store records, per loaded graph, the source checksum and origin."""


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
    (same checksum: nothing was written).
    """

    graph: str
    status: str
    triples: int
    before: int
    after: int


class Store(ABC):
    """A quad store holding one named graph per source."""

    #: ``oxigraph``, ``memory`` or ``remote``
    kind: str = "abstract"

    # ---- primitives each backend implements -------------------------------------------
    @abstractmethod
    def query(self, sparql: str) -> Result:
        """Run a SPARQL 1.1 query string (SELECT, ASK, CONSTRUCT or DESCRIBE).

        The default graph is the union of all named graphs. Parameters are bound by the
        caller (``probkg.queries``) before the string gets here.
        """

    @abstractmethod
    def replace_graph(self, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Atomically replace the content of ``graph`` (create it if absent); return its new size."""

    @abstractmethod
    def drop_graph(self, graph: URIRef) -> None:
        """Remove ``graph`` and its triples; no error if absent."""

    @abstractmethod
    def graph_sizes(self) -> dict[str, int]:
        """Triple count per named graph (the catalogue graph included)."""

    @abstractmethod
    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        """Stream every quad, or those of one graph, for export and validation."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""

    # ---- convenience shared by all backends -------------------------------------------
    def triple_count(self) -> int:
        return sum(n for g, n in self.graph_sizes().items() if g != str(CATALOG_GRAPH))

    def graph(self, graph: URIRef) -> Graph:
        """A detached in-memory copy of one named graph."""
        g = Graph()
        for s, p, o, _ in self.quads(graph):
            g.add((s, p, o))
        return g

    def dump(self, out: IO[bytes], fmt: str = "nquads") -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

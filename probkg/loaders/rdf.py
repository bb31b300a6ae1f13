"""Load RDF files: Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML, chosen by file suffix.

Files are parsed with Oxigraph's parsers, which report errors with line and column and never fetch
anything from the network (a JSON-LD ``@context`` given by URL is refused). A triples file becomes one
graph ``id:graph/file/<first 16 hex of its SHA-256>``; a quads file keeps its graph names, and its
default-graph triples go to that file graph.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from probkg.errors import InputError
from probkg.formats import BY_SUFFIX
from probkg.graph._io import rdf_syntax_error
from probkg.graph._oxterms import to_rdflib
from probkg.graph.base import CATALOG_GRAPH, FILE_GRAPH_PREFIX
from probkg.loaders.base import LoadReport, LoadUnit, read_bounded, sha256_bytes

__all__ = ["RDF_SUFFIXES", "file_graph", "load_rdf"]

RDF_SUFFIXES: dict[str, ox.RdfFormat] = {suffix: f.ox for suffix, f in BY_SUFFIX.items()}
"""File suffixes this loader reads, with the format each stands for."""


def file_graph(checksum: str) -> URIRef:
    """The graph holding the default-graph triples of the file with this SHA-256."""
    return URIRef(FILE_GRAPH_PREFIX + checksum[:16])


MAX_RDF_BYTES = 100 * 1024 * 1024
"""Largest RDF file parsed in memory (N-Quads, N-Triples, and large Turtle/TriG stream instead)."""

_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def load_rdf(path: str | Path) -> list[LoadUnit]:
    """Parse an RDF file into one :class:`LoadUnit` per named graph it fills.

    The units carry the file's SHA-256 as checksum and its resolved path as source, so loading the
    same bytes twice is a no-op and a changed file supersedes its earlier file graph.
    """
    p = Path(path)
    fmt = RDF_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown RDF file suffix {p.suffix!r}; expected one of {', '.join(RDF_SUFFIXES)}", path=str(p)
        )
    data = read_bounded(
        p,
        MAX_RDF_BYTES,
        "file too large to parse in memory ({size:,} bytes; the limit is {limit:,}); "
        "convert it to N-Quads, which streams",
    )
    if not data.strip():
        raise InputError("empty file", path=str(p))
    if fmt == ox.RdfFormat.RDF_XML and _ENTITY.search(data):
        raise InputError("RDF/XML with a DTD entity declaration (<!ENTITY) is not accepted", path=str(p))
    checksum = sha256_bytes(data)
    source = str(p.resolve())
    default = file_graph(checksum)
    graphs: dict[str, Graph] = {}
    try:
        for q in ox.parse(data, fmt, base_iri=p.resolve().as_uri()):
            g = q.graph_name
            name = str(default) if isinstance(g, ox.DefaultGraph) else g.value
            if isinstance(g, ox.BlankNode):
                raise InputError(
                    "graphs named by blank nodes are not supported; name the graph with an IRI", path=str(p)
                )
            target = graphs.get(name)
            if target is None:
                target = graphs[name] = Graph()
            target.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    except SyntaxError as exc:
        raise rdf_syntax_error(p, exc) from exc
    except (TypeError, ValueError) as exc:  # e.g. an RDF-star quoted triple
        raise InputError(f"unsupported RDF content: {exc}", path=str(p)) from exc
    if str(CATALOG_GRAPH) in graphs:
        raise InputError(
            f"the file writes to the store's catalogue graph <{CATALOG_GRAPH}>; "
            "export without the catalogue or rename that graph",
            path=str(p),
        )
    if not graphs:
        raise InputError("the file holds no triples", path=str(p))
    return [
        LoadUnit(
            graph=URIRef(name),
            triples=g,
            checksum=checksum,
            source=source,
            loader="rdf",
            report=LoadReport(counts={"triples": len(g)}),
        )
        for name, g in sorted(graphs.items())
    ]

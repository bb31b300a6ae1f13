"""RDF serialisation of quad streams for :meth:`probkg.graph.base.Store.dump` (private)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib.term import Node

from probkg.errors import InputError
from probkg.formats import BY_NAME, EXPORT_NAMES
from probkg.graph._oxterms import from_rdflib as to_ox

__all__ = ["EXPORT_FORMATS", "dump_quads", "rdf_syntax_error"]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {name: BY_NAME[name].ox for name in EXPORT_NAMES}
"""RDF export format names accepted by :meth:`probkg.graph.base.Store.dump`."""


def _prefixes() -> dict[str, str]:
    from probkg.ontology.namespaces import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def dump_quads(quads: Iterable[tuple[Node, Node, Node, Node]], out: IO[bytes], fmt: str) -> None:
    """Serialise rdflib quads to ``out`` in one of :data:`EXPORT_FORMATS`.

    Dataset formats (N-Quads, TriG, JSON-LD) keep the graph names and stream; triple formats merge
    the graphs, drop duplicates and sort the triples so the output is stable.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown RDF format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    rdf_format = EXPORT_FORMATS[fmt]
    if rdf_format.supports_datasets:
        stream = (ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g)) for s, p, o, g in quads)  # type: ignore[arg-type]
        ox.serialize(stream, out, rdf_format, prefixes=_prefixes() if fmt == "trig" else None)
        return
    triples = {ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _ in quads}  # type: ignore[arg-type]
    ordered = sorted(triples, key=str)
    ox.serialize(ordered, out, rdf_format, prefixes=None if fmt == "nt" else _prefixes())


def rdf_syntax_error(path: Path, exc: SyntaxError) -> InputError:
    """A one-line :class:`InputError` for an Oxigraph parse error, naming file, line and column."""
    text = str(exc.msg or exc)
    # Oxigraph prefixes the message with the position, which InputError already shows.
    if text.startswith("Parser error") and ": " in text:
        text = text.split(": ", 1)[1]
    text = " ".join(text.split())
    return InputError(f"not valid RDF: {text}", path=str(path), line=exc.lineno, column=exc.offset)

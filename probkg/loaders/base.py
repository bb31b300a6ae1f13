"""What every loader returns: triples for one named graph plus a short report.

Loaders turn a source into RDF and never touch a store; :mod:`probkg.graph.store` writes a
:class:`LoadUnit` into its named graph in one transaction after validation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
"""Suffixes of the text documents ``probkg load`` and ``probkg extract`` read (one table for both)."""

__all__ = ["TEXT_SUFFIXES", "LoadReport", "LoadUnit", "sha256_bytes", "sha256_file"]


@dataclass
class LoadReport:
    """What a loader noticed: counts per kind of item, warnings, organisations it could not resolve."""

    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


@dataclass
class LoadUnit:
    """Triples destined for one named graph.

    ``checksum`` is the SHA-256 of the source bytes (for curated YAML: of the YAML file; for
    text: of the text), used by the store to make loading the same source twice a no-op.
    ``source`` is the path or URL as the user gave it. ``loader`` names the loader kind:
    ``ontology``, ``curated``, ``rdf`` or ``text``.
    """

    graph: URIRef
    triples: Graph
    checksum: str
    source: str
    loader: str
    report: LoadReport = field(default_factory=LoadReport)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

"""What loaders hand to stores: :class:`LoadUnit` (triples for one named graph) and source hashing.

A neutral module below both :mod:`probkg.graph` (stores) and :mod:`probkg.loaders`, so that neither
has to import the other. :mod:`probkg.loaders.base` re-exports these names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

__all__ = ["LoadReport", "LoadUnit", "sha256_bytes", "sha256_file"]


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
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

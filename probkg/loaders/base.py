"""What every loader returns: triples for one named graph plus a short report.

Loaders turn a source into RDF and never touch a store; :func:`probkg.loading.load_units` (the load
transaction) validates the :class:`LoadUnit` s of one load and writes each into its named graph, all
or nothing. The classes live in :mod:`probkg.units` (below both stores and loaders) and are
re-exported here.
"""

from __future__ import annotations

from probkg.units import LoadReport, LoadUnit, sha256_bytes, sha256_file

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
"""Suffixes of the text documents ``probkg load`` and ``probkg extract`` read (one table for both)."""

__all__ = ["TEXT_SUFFIXES", "LoadReport", "LoadUnit", "sha256_bytes", "sha256_file"]

"""What every loader returns: triples for one named graph plus a short report.

Loaders turn a source into RDF and never touch a store; :func:`probkg.loading.load_units` (the load
transaction) validates the :class:`LoadUnit` s of one load and writes each into its named graph, all
or nothing. The classes live in :mod:`probkg.units` (below both stores and loaders) and are
re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from probkg.errors import InputError
from probkg.units import LoadReport, LoadUnit, sha256_bytes, sha256_file

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
"""Suffixes of the text documents ``probkg load`` and ``probkg extract`` read (one table for both)."""

__all__ = ["TEXT_SUFFIXES", "LoadReport", "LoadUnit", "read_bounded", "sha256_bytes", "sha256_file"]


def read_bounded(path: Path, limit: int, too_large: str) -> bytes:
    """The bytes of a source file of at most ``limit`` bytes; a larger or unreadable file is bad input
    naming the file (``too_large`` is the message, a format string given ``size`` and ``limit``)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(too_large.format(size=size, limit=limit), path=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc

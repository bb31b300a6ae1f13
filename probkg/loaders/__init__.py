"""Loaders turn sources into RDF for one named graph each; :func:`load_path` picks one by file suffix.

=====================================  ======================================  ============================
suffix                                 loader                                  graph
=====================================  ======================================  ============================
``.yaml`` ``.yml``                     :mod:`probkg.loaders.curated`           ``id:graph/registry``,
                                                                               ``id:graph/curated/<doc>``
(``kind: inspection-record``)          :mod:`probkg.loaders.record`            ``id:graph/record``
``.ttl`` ``.nt`` ``.nq`` ``.trig``     :mod:`probkg.loaders.rdf`               ``id:graph/file/<sha16>``
``.jsonld`` ``.rdf`` ``.owl``                                                  or the file's own graphs
``.txt`` ``.md`` ``.markdown``        :mod:`probkg.loaders.text`              ``id:graph/doc/<doc>``
``.html`` ``.htm``
=====================================  ======================================  ============================

The text suffixes are :data:`probkg.loaders.base.TEXT_SUFFIXES` (one table for ``probkg
load`` and ``probkg extract``). Loaders never write to a store; :meth:`probkg.graph.base.Store.load` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from probkg.errors import InputError
from probkg.formats import BY_SUFFIX
from probkg.loaders.base import TEXT_SUFFIXES, LoadReport, LoadUnit

__all__ = [
    "CURATED_SUFFIXES",
    "RDF_FILE_SUFFIXES",
    "TEXT_SUFFIXES",
    "LoadReport",
    "LoadUnit",
    "expand_paths",
    "load_file",
    "load_path",
]

CURATED_SUFFIXES = frozenset({".yaml", ".yml"})
RDF_FILE_SUFFIXES = frozenset(BY_SUFFIX)
_KNOWN = CURATED_SUFFIXES | RDF_FILE_SUFFIXES | TEXT_SUFFIXES


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The files to load: each file as given, and the loadable files under each directory in sorted order.

    Inside a directory, hidden entries and files with a suffix no loader reads are skipped; a file
    named explicitly must exist.
    """
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                rel = child.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                if child.is_file() and child.suffix.lower() in _KNOWN:
                    yield child
        elif p.exists():
            yield p
        else:
            raise InputError("no such file or directory", path=str(p))


def load_file(path: str | os.PathLike[str], sources: str | os.PathLike[str] | None = None) -> list[LoadUnit]:
    """Run the loader for one file, chosen by its suffix.

    A value the data holds that RDF cannot carry (an IRI with a forbidden code point, say) and
    nesting too deep to follow are reported as bad input naming the file.
    """
    try:
        return _load_file(Path(path), sources)
    except InputError:
        raise
    except RecursionError:
        raise InputError("structure nested too deeply to read", path=str(path)) from None
    except ValueError as exc:
        raise InputError(
            f"invalid value in the file: {' '.join(str(exc).split())[:200]}", path=str(path)
        ) from None


def _load_file(p: Path, sources: str | os.PathLike[str] | None) -> list[LoadUnit]:
    suffix = p.suffix.lower()
    if suffix in CURATED_SUFFIXES:
        from probkg.loaders.curated import load_curated
        from probkg.loaders.record import is_record_file, load_record

        if is_record_file(p):
            return [load_record(p)]
        return list(load_curated(p, sources))
    if suffix in RDF_FILE_SUFFIXES:
        from probkg.loaders.rdf import load_rdf

        return load_rdf(p)
    if suffix in TEXT_SUFFIXES:
        from probkg.loaders.text import load_text

        return [load_text(p)]
    known = " ".join(sorted(_KNOWN))
    raise InputError(
        f"cannot load files with suffix {suffix or '(none)'!r}; known suffixes: {known}", path=str(p)
    )


def load_path(path: str | os.PathLike[str], sources: str | os.PathLike[str] | None = None) -> list[LoadUnit]:
    """Load a file, or every loadable file under a directory (sorted), into :class:`LoadUnit` s.

    ``sources`` is the directory of source texts that curated YAML files may quote from.
    """
    units: list[LoadUnit] = []
    for p in expand_paths([path]):
        units.extend(load_file(p, sources))
    return units

"""Atomic streaming loads of large RDF files into the embedded Oxigraph store (the engine side).

Oxigraph's bulk writer is fast but not transactional, so a load never writes into a graph the store
already holds. :func:`bulk_load` works in four steps:

1. **Journal** (one transaction): the graphs about to be written are listed in :data:`PENDING_GRAPH`.
2. **Stage**: the file's quads, each followed by the consequences the caller's ``consequences``
   function gives, stream into the store with the bulk writer. A graph the store does not hold yet is
   written under its own name; a graph being replaced is written under a staging name
   (:data:`STAGING_PREFIX`), so the old graph stays untouched.
3. **Check**: the caller's ``check`` function validates the staged data against a view of the store
   in which the replaced graphs are hidden.
4. **Switch** (one transaction): the replaced graphs are dropped, the staged graphs moved onto their
   names, the catalogue entries (checksums) written and the journal removed.

A crash (SIGKILL, power loss of the process, full disk) before the switch leaves the journal behind:
:func:`recover`, run whenever the store is opened, drops the graphs it lists, so the store is back in
its old state. After the switch the store holds the new state. Nothing here parses SHACL or knows the
ontology: validation and inference are given by the caller (:mod:`probkg.loading`).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from probkg.errors import InputError, ProbkgError, StoreError
from probkg.formats import BULK_SUFFIXES, BY_SUFFIX
from probkg.graph._io import rdf_syntax_error
from probkg.graph.base import CATALOG_GRAPH, CORE_GRAPHS, FILE_GRAPH_PREFIX, PENDING_GRAPH, STAGING_PREFIX
from probkg.ontology.namespaces import PROB_IRI
from probkg.units import sha256_file

__all__ = ["BULK_FORMATS", "BulkOutcome", "Check", "bulk_load", "recover"]

BULK_FORMATS: dict[str, ox.RdfFormat] = {suffix: BY_SUFFIX[suffix].ox for suffix in BULK_SUFFIXES}
"""File suffixes the bulk path reads."""

_PROB = PROB_IRI
_STAGED = ox.NamedNode(_PROB + "stagedFor")
_SOURCE = "http://purl.org/dc/terms/source"
_BATCH = 50_000

Check = Callable[[Any, list[str], list[str], int], None]
"""``check(ox_store, staged_graphs, visible_graphs, added)``: raise to refuse the staged data."""


@dataclass
class BulkOutcome:
    """What a bulk load did: ``status`` is ``added``, ``replaced`` or ``unchanged``."""

    source: str
    status: str
    quads: int = 0
    inferred: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    superseded: tuple[str, ...] = ()


def _format(path: Path) -> ox.RdfFormat:
    fmt = BULK_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"bulk loading reads {', '.join(sorted(BULK_FORMATS))} files", path=str(path))
    return fmt


def _parse(
    path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode, rename: dict[str, ox.NamedNode] | None = None
) -> Iterator[ox.Quad]:
    """The file's quads, default-graph triples moved to ``default_graph``, graphs renamed by ``rename``."""
    base = path.resolve().as_uri()
    last: Any = None
    target: Any = None
    try:
        for q in ox.parse(path=str(path), format=fmt, base_iri=base, rename_blank_nodes=rename is not None):
            g = q.graph_name
            if type(g) is ox.DefaultGraph:
                g = default_graph
            elif type(g) is ox.BlankNode:
                raise InputError(
                    "graphs named by blank nodes are not supported; name the graph with an IRI",
                    path=str(path),
                )
            if g != last:
                last = g
                target = rename.get(g.value, g) if rename is not None else g
            if target is q.graph_name:
                yield q
            else:
                yield ox.Quad(q.subject, q.predicate, q.object, target)
    except SyntaxError as exc:
        raise rdf_syntax_error(path, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None


def _names(graphs: Iterable[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


def recover(ox_store: Any) -> list[str]:
    """Undo an interrupted load: drop the graphs its journal lists and the journal; return them."""
    pending = ox.NamedNode(str(PENDING_GRAPH))
    staged = sorted({q.subject.value for q in ox_store.quads_for_pattern(None, _STAGED, None, pending)})
    if not staged and not any(True for _ in ox_store.quads_for_pattern(None, None, None, pending)):
        return []
    ox_store.update(
        "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in staged) + f"DROP SILENT GRAPH <{pending.value}>"
    )
    return staged


def _catalogue_entries(sizes: dict[str, int], checksum: str, source: str) -> str:
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    src = ox.Literal(source)
    return "\n".join(
        f'<{g}> a <{_PROB}LoadedGraph> ; <{_PROB}sha256> "{checksum}" ; '
        f"<http://purl.org/dc/terms/source> {src} ; "
        f'<http://www.w3.org/ns/prov#generatedAtTime> "{now}"'
        "^^<http://www.w3.org/2001/XMLSchema#dateTime> ; "
        f'<{_PROB}loader> "rdf" ; <{_PROB}tripleCount> {n} .'
        for g, n in sizes.items()
    )


def _oserror(location: str, exc: OSError) -> StoreError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No space left" in text or "ENOSPC" in text:
        return StoreError(
            f"store {location}: disk full while loading ({text}); the store keeps its old state"
        )
    return StoreError(f"store {location}: writing failed ({text}); the store keeps its old state")


def _move(ox_store: Any, location: str, graphs: list[str], source: str, drop: list[str]) -> None:
    """Record ``source`` as the path of ``graphs`` and drop ``drop``, in one transaction."""
    cat = f"<{CATALOG_GRAPH}>"
    ops = [f"DROP SILENT GRAPH <{g}> ;\n" for g in drop]
    ops.append(
        f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} "
        f"WHERE {{ VALUES ?g {{ {_names(drop)} }} GRAPH {cat} {{ ?g ?p ?o }} }} ;\n"
    )
    ops.append(
        f"DELETE {{ GRAPH {cat} {{ ?g <{_SOURCE}> ?old }} }} "
        f"INSERT {{ GRAPH {cat} {{ ?g <{_SOURCE}> ?new }} }} "
        f"WHERE {{ VALUES ?g {{ {_names(graphs)} }} GRAPH {cat} {{ ?g <{_SOURCE}> ?old }} "
        f"BIND({ox.Literal(source)} AS ?new) }}"
    )
    try:
        ox_store.update("".join(ops))
    except OSError as exc:
        raise _oserror(location, exc) from None


def bulk_load(
    ox_store: Any,
    location: str,
    path: str | os.PathLike[str],
    *,
    catalog: dict[str, Any],
    existing: set[str],
    consequences: Callable[[Iterator[ox.Quad]], Iterator[ox.Quad]] | None = None,
    check: Check | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    allow_core: bool = False,
    replaces: Collection[str] = (),
) -> BulkOutcome:
    """Stream an RDF file into ``ox_store`` atomically; see the module documentation.

    ``catalog`` maps graph IRIs to catalogue entries (objects with ``sha256``, ``source``, ``loader``);
    ``existing`` is the set of graphs the store holds. ``progress(done, total)`` follows the writing.
    Graphs catalogued from the paths in ``replaces`` (the old name of a renamed file) are dropped in
    the switch. A file already loaded under another path is not loaded again: the catalogue records
    its new path.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p))
    fmt = _format(p)
    try:
        checksum = sha256_file(p)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(p)) from None
    source = str(p.resolve())
    file_graph = ox.NamedNode(f"{FILE_GRAPH_PREFIX}{checksum[:16]}")
    timings: dict[str, float] = {}

    # Pass 1: syntax check, graph names and sizes (nothing is written when the file is malformed).
    t0 = time.perf_counter()
    sizes: dict[str, int] = {}
    last: Any = None
    n = 0
    for q in _parse(p, fmt, file_graph):
        g = q.graph_name
        if g is not last:
            if last is not None:
                sizes[last.value] = sizes.get(last.value, 0) + n
            last, n = g, 0
        n += 1
    if last is not None:
        sizes[last.value] = sizes.get(last.value, 0) + n
    if not sizes:
        raise InputError("the file holds no triples", path=str(p))
    total = sum(sizes.values())
    timings["scan"] = time.perf_counter() - t0
    for name in sizes:
        if name in (str(CATALOG_GRAPH), str(PENDING_GRAPH)) or name.startswith(STAGING_PREFIX):
            raise InputError(f"the file writes to the store's own bookkeeping graph <{name}>", path=str(p))
        info = catalog.get(name)
        core = name in CORE_GRAPHS or (info is not None and info.loader in ("ontology", "curated"))
        if core and not allow_core:
            raise InputError(
                f"the file writes to the core graph <{name}>, which only `probkg build` replaces "
                "(pass --allow-core to override)",
                path=str(p),
            )

    own = file_graph.value in sizes
    superseded = [
        g
        for g, info in catalog.items()
        if g not in sizes
        and (
            (own and g.startswith(FILE_GRAPH_PREFIX) and info.source == source and info.loader == "rdf")
            or (info.source in replaces and info.loader in ("rdf", "text"))
        )
    ]
    if not force and all((info := catalog.get(g)) is not None and info.sha256 == checksum for g in sizes):
        moved = [g for g in sizes if catalog[g].source != source]
        if moved or superseded:  # a renamed file: the catalogue records its new path
            _move(ox_store, location, moved, source, superseded)
        return BulkOutcome(source, "unchanged", 0, 0, dict(sizes), timings, tuple(superseded))
    replaced = [g for g in sizes if g in existing or g in catalog]
    token = f"{os.getpid()}-{time.time_ns()}"
    rename = {g: ox.NamedNode(f"{STAGING_PREFIX}{token}/{i}") for i, g in enumerate(replaced)}
    staged = {g: (rename[g].value if g in rename else g) for g in sizes}
    pending = f"<{PENDING_GRAPH}>"

    # Step 1: the journal, so that a crash from here on is undone when the store is next opened.
    journal = " ".join(f"<{s}> <{_STAGED.value}> <{g}> ." for g, s in staged.items())
    try:
        ox_store.update(f"INSERT DATA {{ GRAPH {pending} {{ {journal} }} }}")
    except OSError as exc:
        raise _oserror(location, exc) from None

    def discard() -> None:
        drops = "".join(f"DROP SILENT GRAPH <{s}> ;\n" for s in staged.values())
        with contextlib.suppress(OSError):  # e.g. still no space: the journal stays, the next open cleans
            ox_store.update(drops + f"DROP SILENT GRAPH {pending}")

    done = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal done
        for q in _parse(p, fmt, file_graph, rename=rename):
            yield q
            done += 1
            if progress is not None and done % _BATCH == 0:
                progress(done, total)

    ok = False
    try:
        # Step 2: stage.
        t0 = time.perf_counter()
        if progress is not None:
            progress(0, total)
        stream = consequences(counted()) if consequences is not None else counted()
        ox_store.bulk_extend(stream)
        if progress is not None:
            progress(done, total)
        timings["load"] = time.perf_counter() - t0
        rows = ox_store.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {_names(staged.values())} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        counts = {r["g"].value: int(r["n"].value) for r in rows}
        final = {g: counts.get(s, 0) for g, s in staged.items()}

        # Step 3: check, with the replaced graphs (and the journal) out of sight.
        if check is not None:
            t0 = time.perf_counter()
            hidden = set(replaced) | {str(PENDING_GRAPH)}
            visible = [g for g in existing if g not in hidden] + [
                s for s in staged.values() if s not in existing
            ]
            check(ox_store, list(staged.values()), sorted(set(visible)), total)
            timings["validate"] = time.perf_counter() - t0

        # Step 4: switch graphs, catalogue and journal in one transaction.
        t0 = time.perf_counter()
        cat = f"<{CATALOG_GRAPH}>"
        gone = [*sizes, *superseded]
        ops = [f"DROP SILENT GRAPH <{g}> ;\n" for g in superseded]
        ops += [f"MOVE SILENT <{rename[g].value}> TO <{g}> ;\n" for g in replaced]
        ops.append(
            f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} "
            f"WHERE {{ VALUES ?g {{ {_names(gone)} }} GRAPH {cat} {{ ?g ?p ?o }} }} ;\n"
        )
        ops.append(f"INSERT DATA {{ GRAPH {cat} {{ {_catalogue_entries(final, checksum, source)} }} }} ;\n")
        ops.append(f"DROP SILENT GRAPH {pending}")
        ox_store.update("".join(ops))
        timings["switch"] = time.perf_counter() - t0
        ok = True
    except OSError as exc:
        raise _oserror(location, exc) from None
    except ProbkgError:
        raise
    finally:
        if not ok:
            discard()
    return BulkOutcome(
        source,
        "replaced" if replaced else "added",
        total,
        sum(final.values()) - total,
        final,
        timings,
        tuple(superseded),
    )

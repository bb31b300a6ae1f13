"""Streaming loads of large RDF files (N-Quads, N-Triples, TriG, Turtle) without an rdflib parse.

:func:`bulk_load` reads the file twice with Oxigraph's streaming parser: the first pass checks the
syntax (nothing is written when the file is malformed) and lists the named graphs with their sizes;
the second pass streams the quads into the store in batches. Memory stays flat whatever the file size.

Then, inside the store: the RDFS consequences of the ontology are added to each new graph (as the
regular write path does), the graphs are catalogued (checksum, source, loader ``rdf``, size), and the
SHACL shapes, compiled to SPARQL, are run over the nodes the new graphs mention. When that finds a
Violation, the new graphs are dropped again and :class:`~probkg.errors.ValidationFailed` is raised.

Loading the same bytes twice is a no-op (the checksum is catalogued per graph); a changed file
replaces the graphs it names. Triples outside any named graph go to ``id:graph/file/<sha-16>``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from probkg.errors import InputError, StoreError, ValidationFailed
from probkg.graph._oxterms import nt_term
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.loaders.base import sha256_file

__all__ = ["BULK_FORMATS", "BulkOutcome", "bulk_load"]

BULK_FORMATS: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
}
"""File suffixes the bulk path reads."""

_ID = "https://w3id.org/probation-kg/id/"
_PROB = "https://w3id.org/probation-kg/def#"
_BATCH = 50_000


@dataclass
class BulkOutcome:
    """What a bulk load did: ``status`` is ``added``, ``replaced`` or ``unchanged``."""

    source: str
    status: str
    quads: int = 0
    inferred: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _format(path: Path) -> ox.RdfFormat:
    fmt = BULK_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"bulk loading reads {', '.join(sorted(BULK_FORMATS))} files", path=str(path))
    return fmt


def _parse(path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode) -> Iterator[ox.Quad]:
    try:
        for q in ox.parse(path=str(path), format=fmt):
            if isinstance(q.graph_name, ox.DefaultGraph):
                yield ox.Quad(q.subject, q.predicate, q.object, default_graph)
            else:
                yield q
    except SyntaxError as exc:
        line = None
        text = str(exc)
        import re

        m = re.search(r"line (\d+)", text)
        if m:
            line = int(m.group(1)) + (0 if "column" in text else 0)
        raise InputError(text.splitlines()[0], path=str(path), line=line) from None


def _oxigraph(store: Store) -> Any:
    inner = getattr(store, "_store", None)
    if not isinstance(inner, ox.Store):
        raise StoreError(f"bulk loading needs the embedded Oxigraph store, not {store.kind}")
    return inner


def bulk_load(store: Store, path: str | os.PathLike[str], *, validate: bool = True,
              progress: Callable[[int, int], None] | None = None, force: bool = False) -> BulkOutcome:
    """Stream an RDF file into ``store``; see the module documentation.

    ``progress(done, total)`` is called as quads are written (total counted in the first pass).
    A remote store gets one atomic graph replacement per named graph instead.
    """
    import time

    from probkg.graph.remote import RemoteStore

    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p))
    fmt = _format(p)
    checksum = sha256_file(p)
    source = str(path)
    file_graph = ox.NamedNode(f"{_ID}graph/file/{checksum[:16]}")
    timings: dict[str, float] = {}

    # Pass 1: syntax check, graph names and sizes.
    t0 = time.perf_counter()
    sizes: dict[str, int] = {}
    for q in _parse(p, fmt, file_graph):
        g = q.graph_name.value  # type: ignore[union-attr]
        sizes[g] = sizes.get(g, 0) + 1
    total = sum(sizes.values())
    timings["scan"] = time.perf_counter() - t0
    if str(CATALOG_GRAPH) in sizes:
        raise InputError("the file writes into the store's catalogue graph", path=source)

    catalog = store.catalog()
    if not force and sizes and all(
        (info := catalog.get(g)) is not None and info.sha256 == checksum for g in sizes
    ):
        return BulkOutcome(source, "unchanged", 0, 0, dict(sizes), timings)
    existed = any(g in catalog for g in sizes)

    if isinstance(store, RemoteStore):
        written = store.insert_quads_file(str(p), fmt, progress=None)
        _catalogue_remote(store, written, checksum, source)
        return BulkOutcome(source, "replaced" if existed else "added", sum(written.values()), 0, written, timings)

    ox_store = _oxigraph(store)
    names = " ".join(f"<{g}>" for g in sizes)
    cat = nt_term(CATALOG_GRAPH)
    # Pass 2: clear the graphs the file names, then stream its quads in.
    t0 = time.perf_counter()
    ox_store.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sizes)
                    + f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {names} }} "
                      f"GRAPH {cat} {{ ?g ?p ?o }} }}")
    done = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal done
        for q in _parse(p, fmt, file_graph):
            yield q
            done += 1
            if progress is not None and done % _BATCH == 0:
                progress(done, total)

    try:
        if file_graph.value not in sizes:
            # Every quad is in a named graph: Oxigraph's native parallel loader reads the file itself.
            if progress is not None:
                progress(0, total)
            ox_store.bulk_load(path=str(p), format=fmt)
            done = total
        else:
            ox_store.bulk_extend(counted())
    except BaseException:
        ox_store.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sizes))
        raise
    if progress is not None:
        progress(done, total)
    timings["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    inferred = _materialise(ox_store, list(sizes))
    timings["infer"] = time.perf_counter() - t0

    if validate:
        t0 = time.perf_counter()
        from probkg.graph.shacl_sparql import compile_shapes, oxigraph_select, run_checks

        # A small addition is checked node by node (focus nodes the new graphs mention); a large one
        # is checked with the whole store, which Oxigraph does faster than the per-graph restriction.
        share = total / max(1, len(ox_store))
        checks = compile_shapes() if share > 0.1 else compile_shapes(focus_graphs=list(sizes))
        report = run_checks(oxigraph_select(ox_store), checks)
        timings["validate"] = time.perf_counter() - t0
        if not report.conforms:
            ox_store.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in sizes))
            raise ValidationFailed(report.summary(), report=report, path=source)

    final = _graph_sizes(ox_store, list(sizes))
    _catalogue(ox_store, final, checksum, source)
    return BulkOutcome(source, "replaced" if existed else "added", total, inferred, final, timings)


def _graph_sizes(ox_store: Any, graphs: list[str]) -> dict[str, int]:
    names = " ".join(f"<{g}>" for g in graphs)
    rows = ox_store.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                          "GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


def _materialise(ox_store: Any, graphs: list[str]) -> int:
    """Add the RDFS consequences (super-classes, super-properties) inside each graph; return how many."""
    from probkg.graph.inference import default_rules

    rules = default_rules()
    before = sum(_graph_sizes(ox_store, graphs).values())
    names = " ".join(f"<{g}>" for g in graphs)
    prop_pairs = " ".join(f"(<{p}> <{q}>)" for p, qs in rules.superproperties.items() for q in qs)
    class_pairs = " ".join(f"(<{c}> <{d}>)" for c, ds in rules.superclasses.items() for d in ds)
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    parts = []
    if prop_pairs:
        parts.append(f"INSERT {{ GRAPH ?g {{ ?s ?q ?o }} }} WHERE {{ VALUES ?g {{ {names} }} "
                     f"VALUES (?p ?q) {{ {prop_pairs} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    if class_pairs:
        parts.append(f"INSERT {{ GRAPH ?g {{ ?s {rdf_type} ?d }} }} WHERE {{ VALUES ?g {{ {names} }} "
                     f"VALUES (?c ?d) {{ {class_pairs} }} GRAPH ?g {{ ?s {rdf_type} ?c }} }}")
    if parts:
        ox_store.update(" ;\n".join(parts))
    return sum(_graph_sizes(ox_store, graphs).values()) - before


def _catalogue_entries(sizes: dict[str, int], checksum: str, source: str) -> str:
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    from rdflib import Literal

    src = Literal(source).n3()
    lines = []
    for g, n in sizes.items():
        lines.append(f"<{g}> a <{_PROB}LoadedGraph> ; <{_PROB}sha256> \"{checksum}\" ; "
                     f"<http://purl.org/dc/terms/source> {src} ; "
                     f"<http://www.w3.org/ns/prov#generatedAtTime> \"{now}\"^^<http://www.w3.org/2001/XMLSchema#dateTime> ; "
                     f"<{_PROB}loader> \"rdf\" ; <{_PROB}tripleCount> {n} .")
    return "\n".join(lines)


def _catalogue(ox_store: Any, sizes: dict[str, int], checksum: str, source: str) -> None:
    cat = nt_term(CATALOG_GRAPH)
    ox_store.update(f"INSERT DATA {{ GRAPH {cat} {{ {_catalogue_entries(sizes, checksum, source)} }} }}")


def _catalogue_remote(store: Any, sizes: dict[str, int], checksum: str, source: str) -> None:
    cat = nt_term(CATALOG_GRAPH)
    names = " ".join(f"<{g}>" for g in sizes)
    store.update(f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {names} }} GRAPH {cat} {{ ?g ?p ?o }} }} ;\n"
                 f"INSERT DATA {{ GRAPH {cat} {{ {_catalogue_entries(sizes, checksum, source)} }} }}")


def rich_progress(description: str = "loading") -> tuple[Any, Callable[[int, int], None]]:
    """A rich progress bar (context manager) and the callback that drives it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                   TextColumn("{task.completed:,}/{task.total:,} quads"), TimeRemainingColumn(), transient=True)
    task = bar.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update

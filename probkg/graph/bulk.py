"""Streaming loads of large RDF files (N-Quads, N-Triples, TriG, Turtle) without an rdflib parse.

:func:`bulk_load` reads the file twice with Oxigraph's streaming parser: the first pass checks the
syntax (nothing is written when the file is malformed) and lists the named graphs with their sizes;
the second pass streams the quads, each followed by its RDFS consequences (super-classes and
super-properties, in the same graph, as the regular write path adds them), into the store with
Oxigraph's bulk writer. Memory stays flat whatever the file size; blank nodes get fresh identifiers.

Then the graphs are catalogued (checksum, absolute source path, loader ``rdf``, size) and the SHACL
shapes, compiled to SPARQL, check what the load added. When that finds a Violation (or anything
else fails), the new graphs are dropped, the graphs they replaced are put back, and
:class:`~probkg.errors.ValidationFailed` is raised.

Loading the same bytes twice is a no-op (the checksum is catalogued per graph); a changed file
replaces the graphs it names, and its older ``id:graph/file/<sha-16>`` graph goes. Triples outside
any named graph go to ``id:graph/file/<sha-16>``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode

from probkg.errors import InputError, StoreError, ValidationFailed
from probkg.graph._oxterms import nt_term
from probkg.graph.base import CATALOG_GRAPH, FILE_GRAPH_PREFIX, Store
from probkg.loaders.base import sha256_file

if TYPE_CHECKING:
    from probkg.validation.gate import Report

__all__ = ["BULK_FORMATS", "BulkOutcome", "bulk_load", "rich_progress"]

BULK_FORMATS: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
}
"""File suffixes the bulk path reads."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
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
    superseded: tuple[str, ...] = ()


def _format(path: Path) -> ox.RdfFormat:
    fmt = BULK_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"bulk loading reads {', '.join(sorted(BULK_FORMATS))} files", path=str(path))
    return fmt


def _parse(
    path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode, *, rename: bool = False
) -> Iterator[ox.Quad]:
    """The file's quads, default-graph triples moved to ``default_graph``; errors name file and line."""
    from probkg.loaders.rdf import _syntax_error

    base = path.resolve().as_uri()
    last: Any = None
    try:
        for q in ox.parse(path=str(path), format=fmt, base_iri=base, rename_blank_nodes=rename):
            g = q.graph_name
            if type(g) is ox.DefaultGraph:
                yield ox.Quad(q.subject, q.predicate, q.object, default_graph)
                continue
            if g != last:
                if type(g) is ox.BlankNode:
                    raise InputError(
                        "graphs named by blank nodes are not supported; name the graph with an IRI",
                        path=str(path),
                    )
                last = g
            yield q
    except SyntaxError as exc:
        raise _syntax_error(path, exc) from None


def _oxigraph(store: Store) -> Any:
    inner = getattr(store, "_store", None)
    if not isinstance(inner, ox.Store):
        raise StoreError(f"bulk loading needs the embedded Oxigraph store, not {store.kind}")
    return inner


def _with_consequences(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """Each quad followed by its RDFS consequences in the same graph (super-classes, super-properties)."""
    from probkg.validation.inference import default_rules

    rules = default_rules()
    rdf_type = ox.NamedNode(_RDF_TYPE)
    supers = {
        ox.NamedNode(str(c)): [ox.NamedNode(str(d)) for d in ds] for c, ds in rules.superclasses.items()
    }
    superprops = {
        ox.NamedNode(str(p)): [ox.NamedNode(str(q)) for q in qs] for p, qs in rules.superproperties.items()
    }
    for q in quads:
        yield q
        pred = q.predicate
        if pred == rdf_type:
            for d in supers.get(q.object, ()):  # type: ignore[call-overload]
                yield ox.Quad(q.subject, rdf_type, d, q.graph_name)
        else:
            for sp in superprops.get(pred, ()):
                yield ox.Quad(q.subject, sp, q.object, q.graph_name)


def _drop(ox_store: Any, graphs: Iterable[str]) -> None:
    text = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs)
    if text:
        ox_store.update(text)


def _backup(ox_store: Any, graphs: list[str]) -> bytes:
    """The quads of ``graphs`` (and their catalogue nodes) as N-Quads, to put back after a failure."""
    cat = ox.NamedNode(str(CATALOG_GRAPH))

    def quads() -> Iterator[ox.Quad]:
        for g in graphs:
            node = ox.NamedNode(g)
            yield from ox_store.quads_for_pattern(None, None, None, node)
            yield from ox_store.quads_for_pattern(node, None, None, cat)

    buf = io.BytesIO()
    ox.serialize(quads(), buf, ox.RdfFormat.N_QUADS)
    return buf.getvalue()


def bulk_load(
    store: Store,
    path: str | os.PathLike[str],
    *,
    validate: bool = True,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
) -> BulkOutcome:
    """Stream an RDF file into ``store``; see the module documentation.

    ``progress(done, total)`` is called as quads are written (total counted in the first pass).
    A failure (syntax, SHACL Violation, interruption) leaves the store as it was: the new graphs are
    dropped and the graphs they were replacing are put back.
    """
    import time

    from probkg.graph.remote import RemoteStore

    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p))
    fmt = _format(p)
    checksum = sha256_file(p)
    source = str(p.resolve())
    file_graph = ox.NamedNode(f"{FILE_GRAPH_PREFIX}{checksum[:16]}")
    timings: dict[str, float] = {}

    # Pass 1: syntax check, graph names and sizes (nothing is written when the file is malformed).
    t0 = time.perf_counter()
    counts: dict[Any, int] = {}
    last: Any = None
    n = 0
    for q in _parse(p, fmt, file_graph):
        g = q.graph_name
        if g is not last:
            if last is not None:
                counts[last] = counts.get(last, 0) + n
            last, n = g, 0
        n += 1
    if last is not None:
        counts[last] = counts.get(last, 0) + n
    sizes: dict[str, int] = {}
    for g, k in counts.items():
        sizes[g.value] = sizes.get(g.value, 0) + k
    if not sizes:
        sizes[file_graph.value] = 0
    total = sum(sizes.values())
    timings["scan"] = time.perf_counter() - t0
    if str(CATALOG_GRAPH) in sizes:
        raise InputError(
            f"the file writes to the store's catalogue graph <{CATALOG_GRAPH}>; "
            "export without the catalogue or rename that graph",
            path=str(p),
        )

    catalog = store.catalog()
    if not force and all((info := catalog.get(g)) is not None and info.sha256 == checksum for g in sizes):
        return BulkOutcome(source, "unchanged", 0, 0, dict(sizes), timings)
    existing = set(store.graph_sizes()) | set(catalog)
    replaced = [g for g in sizes if g in existing]
    # Older versions of the same file lose their file graph once this one is in (as on the regular path).
    superseded = (
        [
            g
            for g, info in catalog.items()
            if g.startswith(FILE_GRAPH_PREFIX)
            and g not in sizes
            and info.source == source
            and info.loader == "rdf"
        ]
        if file_graph.value in sizes
        else []
    )

    if isinstance(store, RemoteStore):
        written = store.insert_quads_file(str(p), fmt, progress=None)
        _catalogue_remote(store, written, checksum, source)
        return BulkOutcome(
            source, "replaced" if replaced else "added", sum(written.values()), 0, written, timings
        )

    ox_store = _oxigraph(store)
    names = " ".join(f"<{g}>" for g in sizes)
    cat = nt_term(CATALOG_GRAPH)
    t0 = time.perf_counter()
    backup = _backup(ox_store, replaced) if replaced else b""
    timings["backup"] = time.perf_counter() - t0

    def restore() -> None:
        _drop(ox_store, sizes)
        ox_store.update(
            f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {names} }} "
            f"GRAPH {cat} {{ ?g ?p ?o }} }}"
        )
        if backup:
            ox_store.bulk_load(backup, format=ox.RdfFormat.N_QUADS)

    # Pass 2: clear the graphs the file names, then stream its quads and their RDFS consequences in.
    # Blank nodes get fresh identifiers, so that two files using the same labels do not share nodes.
    t0 = time.perf_counter()
    done = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal done
        for q in _parse(p, fmt, file_graph, rename=True):
            yield q
            done += 1
            if progress is not None and done % _BATCH == 0:
                progress(done, total)

    try:
        restore_needed = True
        _drop(ox_store, sizes)
        ox_store.update(
            f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {names} }} "
            f"GRAPH {cat} {{ ?g ?p ?o }} }}"
        )
        if progress is not None:
            progress(0, total)
        ox_store.bulk_extend(_with_consequences(counted()))
        if progress is not None:
            progress(done, total)
        timings["load"] = time.perf_counter() - t0

        final = _graph_sizes(ox_store, list(sizes))
        inferred = sum(final.values()) - total

        if validate:
            t0 = time.perf_counter()
            report = _validate_new(ox_store, list(sizes), total)
            timings["validate"] = time.perf_counter() - t0
            if not report.conforms:
                raise ValidationFailed(report.summary(), report=report, path=source)
        _catalogue(ox_store, {g: final.get(g, 0) for g in sizes}, checksum, source)
        restore_needed = False
    finally:
        if restore_needed:
            restore()
    if superseded:
        _drop(ox_store, superseded)
        olds = " ".join(f"<{g}>" for g in superseded)
        ox_store.update(
            f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} WHERE {{ VALUES ?g {{ {olds} }} "
            f"GRAPH {cat} {{ ?g ?p ?o }} }}"
        )
    return BulkOutcome(
        source,
        "replaced" if replaced else "added",
        total,
        inferred,
        {g: final.get(g, 0) for g in sizes},
        timings,
        tuple(superseded),
    )


def _validate_new(ox_store: Any, graphs: list[str], added: int) -> Report:
    """Check what a load added: results about focus nodes that occur in the new graphs.

    A small addition is checked focus node by focus node (those the new graphs mention); a large one
    is checked as a whole store, which Oxigraph does faster, and the results about nodes outside
    the new graphs (problems the store already had) are left out.
    """
    from probkg.validation.shacl_sparql import compile_shapes, oxigraph_select, run_checks

    if added / max(1, len(ox_store)) <= 0.1:
        return run_checks(oxigraph_select(ox_store), compile_shapes(focus_graphs=graphs), checked=added)
    names = " ".join(f"<{g}>" for g in graphs)

    def mentioned(node: Any) -> bool:
        if isinstance(node, BNode):  # a blank node cannot be named in a query; it came with the data
            return True
        term = nt_term(node)
        return bool(
            ox_store.query(
                f"ASK {{ VALUES ?g {{ {names} }} GRAPH ?g {{ {{ {term} ?p ?o }} UNION "
                f"{{ ?s ?p {term} }} }} }}"
            )
        )

    return run_checks(oxigraph_select(ox_store), keep=mentioned, checked=added)


def _graph_sizes(ox_store: Any, graphs: list[str]) -> dict[str, int]:
    names = " ".join(f"<{g}>" for g in graphs)
    rows = ox_store.query(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    )
    return {r["g"].value: int(r["n"].value) for r in rows}


def _catalogue_entries(sizes: dict[str, int], checksum: str, source: str) -> str:
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    from rdflib import Literal

    src = Literal(source).n3()
    lines = []
    for g, n in sizes.items():
        lines.append(
            f'<{g}> a <{_PROB}LoadedGraph> ; <{_PROB}sha256> "{checksum}" ; '
            f"<http://purl.org/dc/terms/source> {src} ; "
            f'<http://www.w3.org/ns/prov#generatedAtTime> "{now}"'
            "^^<http://www.w3.org/2001/XMLSchema#dateTime> ; "
            f'<{_PROB}loader> "rdf" ; <{_PROB}tripleCount> {n} .'
        )
    return "\n".join(lines)


def _catalogue(ox_store: Any, sizes: dict[str, int], checksum: str, source: str) -> None:
    cat = nt_term(CATALOG_GRAPH)
    ox_store.update(f"INSERT DATA {{ GRAPH {cat} {{ {_catalogue_entries(sizes, checksum, source)} }} }}")


def _catalogue_remote(store: Any, sizes: dict[str, int], checksum: str, source: str) -> None:
    cat = nt_term(CATALOG_GRAPH)
    names = " ".join(f"<{g}>" for g in sizes)
    store.update(
        f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} "
        f"WHERE {{ VALUES ?g {{ {names} }} GRAPH {cat} {{ ?g ?p ?o }} }} ;\n"
        f"INSERT DATA {{ GRAPH {cat} {{ {_catalogue_entries(sizes, checksum, source)} }} }}"
    )


def rich_progress(description: str = "loading") -> tuple[Any, Callable[[int, int], None]]:
    """A rich progress bar (context manager) and the callback that drives it."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} quads"),
        TimeRemainingColumn(),
        transient=True,
    )
    task = bar.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update

"""Atomic streaming loads of large RDF files into the embedded Oxigraph store (the engine side).

Oxigraph's bulk writer is fast but not transactional, so a load never writes into a graph the store
already holds. :func:`bulk_load` works in three steps:

1. **Stage**: the file's quads, each followed by the consequences the caller's ``consequences``
   function gives, stream into the store with the bulk writer, a chunk at a time. A graph the store
   does not hold yet is written under its own name; a graph being replaced is written under a staging
   name (:data:`STAGING_PREFIX`), so the old graph stays untouched. Before a chunk is written, the
   graphs it starts are listed in the journal (:data:`PENDING_GRAPH`, one transaction). A file
   loaded before (its checksum is catalogued) is first read once to see whether it is unchanged; a
   new file is read once only.
2. **Check**: the caller's ``check`` function validates the staged data against a view of the store
   in which the replaced graphs are hidden. When the new data is most of what the shapes will see,
   the file is first read into an in-memory engine, which gives its graph names before anything is
   written and where the check runs. If every graph is new, the engine's own bulk loader then writes
   the file to disk while the check runs. A large N-Quads or N-Triples file is cut in two on another
   core while it is read, and written by two loaders at once, all lines with blank nodes in one part
   so that each blank node stays one node; the RDFS consequences are written with the parts. When the
   IRIs its lines end with show that the file writes only graphs the store does not hold (and the
   store's default graph is empty), the loaders begin as soon as it is cut, before it is read: those
   graphs and the default graph are journalled first, and dropped again if the read refuses the file
   or finds a triple outside any graph (which is then loaded the careful way).
3. **Switch** (one transaction): the replaced graphs are dropped, the staged graphs moved onto their
   names, the catalogue entries (checksums) written and the journal removed.

A crash (SIGKILL, power loss of the process, full disk) before the switch leaves the journal behind:
:func:`recover`, run whenever the store is opened, drops the graphs it lists, so the store is back in
its old state. After the switch the store holds the new state. Nothing here parses SHACL or knows the
ontology: validation and inference are given by the caller (:mod:`probkg.loading`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from probkg.errors import InputError, ProbkgError, StoreError
from probkg.formats import BULK_SUFFIXES, BY_SUFFIX
from probkg.graph._io import rdf_syntax_error
from probkg.graph._oxterms import nt_line
from probkg.graph.base import (
    CATALOG_GRAPH,
    CORE_GRAPHS,
    FILE_GRAPH_PREFIX,
    PENDING_GRAPH,
    STAGING_PREFIX,
    catalog_entry,
)
from probkg.ontology.namespaces import PROB_IRI
from probkg.units import sha256_file

__all__ = ["BULK_FORMATS", "BulkOutcome", "Check", "bulk_load", "recover"]

BULK_FORMATS: dict[str, ox.RdfFormat] = {suffix: BY_SUFFIX[suffix].ox for suffix in BULK_SUFFIXES}
"""File suffixes the bulk path reads."""

_PROB = PROB_IRI
_STAGED = ox.NamedNode(_PROB + "stagedFor")
_DEFAULT_MARK = ox.NamedNode(_PROB + "defaultGraph")
"""Listed in the journal when a load may write the store's default graph (empty before it began)."""
_SOURCE = "http://purl.org/dc/terms/source"
_BATCH = 50_000
_CHUNK = 250_000
_VIEW_LIMIT = 1_500_000
"""Files of more quads (estimated) than this are not read into memory for their check (about 1.5 GB
of resident memory per million quads, kept within the README's 3 GiB for a CLI run)."""
_TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE)


class Check(Protocol):
    """``check(ox_store, staged_graphs, visible_graphs, added, view=, removed=)``: raise to refuse the data.

    ``view`` is ``None`` or an in-memory :class:`pyoxigraph.Store` holding a copy of the staged quads (and
    nothing else), for the check to complete with the visible graphs and query instead of ``ox_store``.
    ``removed`` names the graphs of ``ox_store`` whose content the load replaces or drops.
    """

    def __call__(
        self,
        ox_store: Any,
        staged: list[str],
        visible: list[str],
        added: int,
        *,
        view: Any = None,
        removed: Sequence[str] = (),
    ) -> None: ...


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
    path: Path,
    fmt: ox.RdfFormat,
    default_graph: ox.NamedNode,
    name_for: Callable[[ox.NamedNode], ox.NamedNode] | None = None,
) -> Iterator[ox.Quad]:
    """The file's quads, default-graph triples moved to ``default_graph``, graphs named by ``name_for``.

    ``name_for(graph)`` is called each time the graph changes in the stream (before the graph's first
    quad is yielded) and gives the name the quads are written under.
    """
    base = path.resolve().as_uri()
    last: Any = None
    target: Any = None
    try:
        for q in ox.parse(path=str(path), format=fmt, base_iri=base, rename_blank_nodes=name_for is not None):
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
                target = name_for(g) if name_for is not None else g
            if target is q.graph_name:
                yield q
            else:
                yield ox.Quad(q.subject, q.predicate, q.object, target)
    except SyntaxError as exc:
        raise rdf_syntax_error(path, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None


def _scan(path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode) -> dict[str, int]:
    """The graphs the file writes and their sizes (a syntax check: one pass, nothing written)."""
    sizes: dict[str, int] = {}
    last: Any = None
    n = 0
    for q in _parse(path, fmt, default_graph):
        g = q.graph_name
        if g is not last:
            if last is not None:
                sizes[last.value] = sizes.get(last.value, 0) + n
            last, n = g, 0
        n += 1
    if last is not None:
        sizes[last.value] = sizes.get(last.value, 0) + n
    return sizes


def _estimate(path: Path, fmt: ox.RdfFormat) -> int:
    """About how many quads the file holds: its lines for N-Quads/N-Triples, else a guess from its size."""
    size = path.stat().st_size
    if fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
        return max(1, size // 60)
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            lines += block.count(b"\n")
    return max(1, lines)


def _names(graphs: Iterable[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


def recover(ox_store: Any) -> list[str]:
    """Undo an interrupted load: drop the graphs its journal lists and the journal; return them."""
    pending = ox.NamedNode(str(PENDING_GRAPH))
    staged = sorted({q.subject.value for q in ox_store.quads_for_pattern(None, _STAGED, None, pending)})
    if not staged and not any(True for _ in ox_store.quads_for_pattern(None, None, None, pending)):
        return []
    ox_store.update(
        "".join(
            "DROP SILENT DEFAULT ;\n" if g == _DEFAULT_MARK.value else f"DROP SILENT GRAPH <{g}> ;\n"
            for g in staged
        )
        + f"DROP SILENT GRAPH <{pending.value}>"
    )
    return staged


def _catalogue_entries(sizes: dict[str, int], checksum: str, source: str) -> str:
    """The catalogue entries of the loaded graphs as SPARQL data (:func:`probkg.graph.base.catalog_entry`)."""
    from rdflib import URIRef

    entries = (catalog_entry(URIRef(g), checksum, source, "rdf", n) for g, n in sizes.items())
    return "".join(nt_line(*triple) for entry in entries for triple in entry)


def _oserror(location: str, exc: OSError) -> StoreError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No space left" in text or "ENOSPC" in text:
        return StoreError(
            f"store {location}: disk full while loading ({text}); the store keeps its old state"
        )
    return StoreError(f"store {location}: writing failed ({text}); the store keeps its old state")


def _native(
    target: Any, path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode, *, lenient: bool = False
) -> None:
    """The engine's bulk loader reading ``path`` into ``target`` (triples into ``default_graph``)."""
    target.bulk_load(
        path=str(path),
        format=fmt,
        base_iri=path.resolve().as_uri(),
        to_graph=default_graph if fmt in _TRIPLE_FORMATS else None,
        lenient=lenient,
    )


def _strict_error(path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode, exc: SyntaxError) -> InputError:
    """The one-line error for a file a loader refused: the file's first error, read strictly, with its
    own line (the loader may have read a part of the file, whose lines are numbered differently)."""
    try:
        for _ in _parse(path, fmt, default_graph):
            pass
    except InputError as found:
        return found
    return InputError(f"RDF syntax error: {str(exc.msg or exc).splitlines()[0]}", path=str(path))


_SPLIT_MIN = 32 << 20
"""Line-based files (N-Quads, N-Triples) of at least this many bytes are written by two loaders at once."""
_SPLIT_BLOCK = 8 << 20
_LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
_EARLY_GRAPHS = 10_000
"""At most this many graph names for the loaders to begin before the file is read."""


def _carve(data: bytes) -> tuple[bytes, bytes]:
    """(the lines of ``data`` that hold ``_:``, the other lines); ``data`` is whole lines."""
    blank: list[bytes] = []
    rest: list[bytes] = []
    start = 0
    at = data.find(b"_:")
    while at != -1:
        line_start = data.rfind(b"\n", 0, at) + 1
        line_end = data.find(b"\n", at) + 1 or len(data)
        rest.append(data[start:line_start])
        blank.append(data[line_start:line_end])
        start = line_end
        at = data.find(b"_:", line_end)
    rest.append(data[start:])
    return b"".join(blank), b"".join(rest)


_LAST_TERM = re.compile(rb"\n\r?[ \t]*\.[ \t]*(>[^<>\s]*<|[^\s.<>\"]+:_)")
"""In a block of N-Quads lines read backwards: each line's last term (an IRI or a blank node label)
before the closing dot. For a line of four terms that is its graph."""


@dataclass
class _Parts:
    """A file cut in parts (see :func:`_split`), and the graph names its lines end with, if known."""

    blank: Path
    first: Path
    second: Path
    graphs: set[str] | None
    """Every IRI a line ends with (a superset of the file's graphs), or ``None`` when some line ends
    otherwise (a literal, a blank node, a comment): then the graphs are only known once it is read."""


def _split(path: Path, fmt: ox.RdfFormat, workdir: Path) -> _Parts | None:
    """``path`` cut into ``blank``, ``first`` and ``second`` in ``workdir``, for two loaders at once.

    Only for N-Quads and N-Triples of at least :data:`_SPLIT_MIN` bytes on a machine of two or more cores
    (else ``None``). In these formats a statement is one line and a blank node label names the same
    node throughout the file, while each load names blank nodes afresh: so every line that holds
    ``_:`` (a blank node, or those characters inside an IRI or a literal) goes to ``blank``, which
    one load reads, and the other lines are shared between the two parts. Lines keep their order.
    For N-Quads, the IRIs the lines end with are gathered on the way (:attr:`_Parts.graphs`).
    """
    if fmt not in _LINE_FORMATS or (os.cpu_count() or 1) < 2 or path.stat().st_size < _SPLIT_MIN:
        return None
    parts = _Parts(workdir / "blank", workdir / "part-0", workdir / "part-1", set())
    ends: set[bytes] | None = set() if fmt == ox.RdfFormat.N_QUADS else None
    sizes = [0, 0]  # the first loader reads ``blank`` and ``part-0``, the second ``part-1``
    with (
        path.open("rb") as source,
        parts.blank.open("wb") as blanks,
        parts.first.open("wb") as first,
        parts.second.open("wb") as second,
    ):
        outputs = (first, second)
        rest = b""
        while True:
            block = source.read(_SPLIT_BLOCK)
            data = rest + block
            if block:
                cut = data.rfind(b"\n") + 1
                if not cut and len(data) > 4 * _SPLIT_BLOCK:
                    return None  # no line breaks to cut at (or only CR ones): not worth it
                data, rest = data[:cut], data[cut:]
            if data:
                if ends is not None:
                    lines = data if data.endswith(b"\n") else data + b"\n"
                    found = _LAST_TERM.findall(lines[::-1])
                    if len(found) == lines.count(b"\n"):
                        ends.update(found)
                    else:
                        ends = None
                if b"_:" in data:
                    blank, data = _carve(data)
                    blanks.write(blank)
                    sizes[0] += len(blank)
                i = 0 if sizes[0] <= sizes[1] else 1
                outputs[i].write(data)
                sizes[i] += len(data)
            if not block:
                break
    if ends is None or any(not e.startswith(b">") or b":" not in e or b"\\" in e for e in ends):
        # a blank node or literal ends a line (a triple outside any graph), or an IRI that is relative
        # or holds escapes (its name once read may differ from its text)
        parts.graphs = None
    else:
        parts.graphs = {e[-2:0:-1].decode("utf-8", "replace") for e in ends}
    return parts


def _with_consequences(
    blank: Path,
    fmt: ox.RdfFormat,
    consequences: Callable[[Iterator[ox.Quad]], Iterator[ox.Quad]],
    base: str,
) -> Path:
    """``blank`` (lines with blank nodes) rewritten with the consequences of its quads, labels kept."""
    out = blank.with_name(blank.name + "+")
    quads = consequences(ox.parse(path=str(blank), format=fmt, base_iri=base, rename_blank_nodes=False))
    if fmt == ox.RdfFormat.N_TRIPLES:
        ox.serialize((q.triple for q in quads), output=str(out), format=fmt)
    else:
        ox.serialize(quads, output=str(out), format=fmt)
    return out


_PARTS_PREFIX = "probkg-load-"


def _sweep_parts() -> None:
    """Remove the part files a killed load left in the temporary directory (their process is gone)."""
    for leftover in Path(tempfile.gettempdir()).glob(f"{_PARTS_PREFIX}*-*"):
        pid = leftover.name[len(_PARTS_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass  # alive, or not ours to signal


def _native_parts(
    target: Any,
    path: Path,
    groups: list[list[tuple[Path, ox.RdfFormat]]] | None,
    fmt: ox.RdfFormat,
    default_graph: ox.NamedNode,
    *,
    late: Future[list[list[tuple[Path, ox.RdfFormat]]]] | None = None,
) -> None:
    """:func:`_native` on ``path``, or on its parts (see :func:`_split`): one thread per group of
    ``(file, format)``, each file one load; then group ``i`` loads the files ``late`` gives at ``i``."""
    if not groups:
        _native(target, path, fmt, default_graph)
        return
    errors: list[BaseException] = []

    def write(group: list[tuple[Path, ox.RdfFormat]], index: int) -> None:
        def files() -> Iterator[tuple[Path, ox.RdfFormat]]:
            yield from group
            if late is not None:  # asked for only once the group is written: the loader does not wait
                more = late.result()
                yield from more[index] if index < len(more) else ()

        try:
            for part, part_fmt in files():
                if part.stat().st_size:  # line formats: every IRI is absolute, the base plays no part
                    _native(target, part, part_fmt, default_graph)
        except BaseException as exc:  # handed to the calling thread
            errors.append(exc)

    others = [
        threading.Thread(target=write, args=(group, i), daemon=True) for i, group in enumerate(groups) if i
    ]
    for thread in others:
        thread.start()
    write(groups[0], 0)
    for thread in others:
        thread.join()
    if errors:
        raise errors[0]


def _add_consequences(target: Any, select: str, graphs: set[str] | None = None) -> list[ox.Quad]:
    """Write the quads a ``SELECT ?s ?p ?o ?g`` gives (in ``graphs``, or all) into ``target``; return them."""
    found = [
        ox.Quad(r["s"], r["p"], r["o"], r["g"])
        for r in target.query(select)
        if graphs is None or r["g"].value in graphs
    ]
    if found:
        target.bulk_extend(found)
    return found


def _read(path: Path, fmt: ox.RdfFormat, default_graph: ox.NamedNode, *, lenient: bool = False) -> Any:
    """The file in an in-memory engine (a one-line error naming the file if it cannot be read).

    ``lenient`` skips the checks of IRIs and literals (a third of the time it takes), for a caller
    whose disk writes parse the file strictly in any case (see :func:`_strict_error`)."""
    view = ox.Store()
    try:
        _native(view, path, fmt, default_graph, lenient=lenient)
    except SyntaxError as exc:
        raise rdf_syntax_error(path, exc) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None
    return view


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
    existing: Mapping[str, int] | set[str],
    consequences: Callable[[Iterator[ox.Quad]], Iterator[ox.Quad]] | None = None,
    check: Check | None = None,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    allow_core: bool = False,
    replaces: Collection[str] = (),
) -> BulkOutcome:
    """Stream an RDF file into ``ox_store`` atomically; see the module documentation.

    ``consequences`` turns a stream of quads into the same stream with their consequences added; when it
    also has a ``sparql(graphs)`` method (a SPARQL SELECT of the same consequences, ``?s ?p ?o ?g``, of
    the quads in the named graphs), the file may be read by the engine's own bulk loader and the
    consequences added after.

    ``catalog`` maps graph IRIs to catalogue entries (objects with ``sha256``, ``source``, ``loader``);
    ``existing`` maps the graphs the store holds to their sizes (a set of names will do).
    ``progress(done, total)`` follows the writing (``total`` is an estimate until the end).
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
        estimate = _estimate(p, fmt)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=str(p)) from None
    source = str(p.resolve())
    file_graph = ox.NamedNode(f"{FILE_GRAPH_PREFIX}{checksum[:16]}")
    timings: dict[str, float] = {}

    # Loaded before? The same checksum in the catalogue means the same content: one syntax pass then
    # tells whether every graph of the file is still as that load left it. A new file is not scanned
    # ahead: its graphs are named and checked as the stream meets them.
    def superseded_by(names: Collection[str]) -> list[str]:
        """Graphs the switch drops: this path's older file graph, and what the paths ``replaces`` gave."""
        own = file_graph.value in names
        return [
            g
            for g, info in catalog.items()
            if g not in names
            and (
                (own and g.startswith(FILE_GRAPH_PREFIX) and info.source == source and info.loader == "rdf")
                or (info.source in replaces and info.loader in ("rdf", "text"))
            )
        ]

    if not force and any(info.sha256 == checksum for info in catalog.values()):
        t0 = time.perf_counter()
        sizes = _scan(p, fmt, file_graph)
        timings["scan"] = time.perf_counter() - t0
        if sizes and all((info := catalog.get(g)) is not None and info.sha256 == checksum for g in sizes):
            superseded = superseded_by(sizes)
            moved = [g for g in sizes if catalog[g].source != source]
            if moved or superseded:  # a renamed file: the catalogue records its new path
                _move(ox_store, location, moved, source, superseded)
            return BulkOutcome(source, "unchanged", 0, 0, dict(sizes), timings, tuple(superseded))

    token = f"{os.getpid()}-{time.time_ns()}"
    staged: dict[str, str] = {}  # graph -> the name its quads are written under
    replaced: list[str] = []
    unjournalled: list[tuple[str, str]] = []
    pending = f"<{PENDING_GRAPH}>"

    def name_for(g: ox.NamedNode) -> ox.NamedNode:
        name = g.value
        if name in staged:
            return ox.NamedNode(staged[name])
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
        if name in existing or name in catalog:  # replaced: staged aside, the old graph stays untouched
            replaced.append(name)
            staged[name] = f"{STAGING_PREFIX}{token}/{len(replaced) - 1}"
        else:
            staged[name] = name
        unjournalled.append((name, staged[name]))
        return ox.NamedNode(staged[name])

    def record(pairs: Iterable[tuple[str, str]]) -> None:
        """Journal ``(graph, name written under)`` pairs in one transaction."""
        entries = " ".join(f"<{s}> <{_STAGED.value}> <{g}> ." for g, s in pairs)
        ox_store.update(f"INSERT DATA {{ GRAPH {pending} {{ {entries} }} }}")

    def journal() -> None:
        """List the graphs about to be written, so that a crash from here on is undone on next open."""
        if unjournalled:
            record(unjournalled)
            unjournalled.clear()

    def early_drops() -> str:
        """The updates that drop what the loaders wrote before the file was read (the default graph too)."""
        return "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in early) + (
            "DROP SILENT DEFAULT ;\n" if early else ""
        )

    def discard() -> None:
        drops = "".join(f"DROP SILENT GRAPH <{s}> ;\n" for s in staged.values() if s not in early)
        drops += early_drops()
        with contextlib.suppress(OSError):  # e.g. still no space: the journal stays, the next open cleans
            ox_store.update(drops + f"DROP SILENT GRAPH {pending}")

    done = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal done
        for q in _parse(p, fmt, file_graph, name_for):
            yield q
            done += 1
            if progress is not None and done % _BATCH == 0:
                progress(done, max(done, estimate))

    # When the new data will be most of what the shapes see, it is first read into an in-memory engine:
    # that gives the graph names before anything is written, and the check runs there (queries run
    # several times faster than on disk) while the disk is written on another thread.
    materialise = getattr(consequences, "sparql", None)
    old = (
        sum(n for g, n in existing.items() if g != str(CATALOG_GRAPH))
        if isinstance(existing, Mapping)
        else None
    )
    view: Any = None
    loose = False
    writer: threading.Thread | None = None
    failure: list[BaseException] = []
    inferred: list[ox.Quad] = []
    final: dict[str, int] = {}
    superseded = []
    ok = False
    abandoned = False
    splitter: threading.Thread | None = None
    parts: list[Path] = []
    groups: list[list[tuple[Path, ox.RdfFormat]]] = []
    late: Future[list[list[tuple[Path, ox.RdfFormat]]]] | None = None
    workdir: str | None = None
    early: list[str] = []  # graphs the loaders began writing before the file was read (journalled)
    halt = threading.Event()

    def start_writer(*, listed: bool = False) -> threading.Thread:
        """The engine's own bulk loader reading the file straight into the store, on another thread.

        The graphs it writes are journalled first, unless ``listed`` says they are already."""
        if not listed:
            journal()

        def write() -> None:
            try:
                t = time.perf_counter()
                _native_parts(ox_store, p, groups or None, fmt, file_graph, late=late)
                timings["write"] = time.perf_counter() - t
            except BaseException as exc:  # handed to the main thread
                failure.append(exc)

        thread = threading.Thread(target=write, name="probkg-bulk-load", daemon=True)
        thread.start()
        return thread

    def start_loaders(first: Path, second: Path, *, listed: bool = False) -> threading.Thread:
        """Two loaders writing the parts, each then the consequences it is given (``late``)."""
        nonlocal late
        groups.extend([[(first, fmt)], [(second, fmt)]])
        late = Future()
        return start_writer(listed=listed)

    def writer_error() -> BaseException | None:
        """What stopped the loaders, a syntax error being reported against the file's own lines."""
        if not failure:
            return None
        if isinstance(failure[0], SyntaxError):
            return _strict_error(p, fmt, file_graph, failure[0])
        return failure[0]

    try:
        t0 = time.perf_counter()
        if progress is not None:
            progress(0, estimate)
        if (
            check is not None
            and materialise is not None
            and old is not None
            and old <= 4 * estimate
            and estimate <= _VIEW_LIMIT
        ):
            # meanwhile, on another core, the file is cut in two for two loaders to write at once
            _sweep_parts()
            workdir = tempfile.mkdtemp(prefix=f"{_PARTS_PREFIX}{os.getpid()}-")
            workdir_path = Path(workdir)

            # The loaders may even begin before the file is read, when the names its lines end with
            # show that it writes only graphs the store does not hold, and the store's default graph
            # (where a triple outside any graph would go) is empty: what they write is then journalled
            # (those graphs, and the default graph) and dropped if the file is refused.
            reserved = {*existing, *catalog, *CORE_GRAPHS, str(CATALOG_GRAPH), str(PENDING_GRAPH)}
            default_empty = not any(
                True for _ in ox_store.quads_for_pattern(None, None, None, ox.DefaultGraph())
            )

            def split(into: Path) -> None:
                nonlocal writer
                with contextlib.suppress(OSError):  # e.g. no room for the copy: one loader writes it
                    cut = _split(p, fmt, into)
                    if cut is None:
                        return
                    parts.extend((cut.blank, cut.first, cut.second))
                    names = {file_graph.value} if fmt == ox.RdfFormat.N_TRIPLES else cut.graphs
                    if (
                        not halt.is_set()
                        and default_empty
                        and consequences is not None
                        and names is not None
                        and len(names) <= _EARLY_GRAPHS
                        and not names & reserved
                        and not any(n.startswith(STAGING_PREFIX) for n in names)
                    ):
                        early.extend(sorted(names))
                        record((g, g) for g in [*early, _DEFAULT_MARK.value])
                        writer = start_loaders(cut.first, cut.second, listed=True)

            splitter = threading.Thread(target=split, args=(Path(workdir),), daemon=True)
            splitter.start()
            view = _read(p, fmt, file_graph, lenient=True)  # the disk writes below parse it strictly
            splitter.join()  # its loaders, if it began them, run on
            if any(isinstance(g, ox.BlankNode) for g in view.named_graphs()):
                raise InputError(
                    "graphs named by blank nodes are not supported; name the graph with an IRI", path=str(p)
                )
            loose = any(True for _ in view.quads_for_pattern(None, None, None, ox.DefaultGraph()))
            if loose:  # triples outside any graph (N-Quads, TriG) go to the file's graph
                view.update(f"ADD DEFAULT TO <{file_graph.value}> ; DROP DEFAULT")
            for name in sorted(g.value for g in view.named_graphs()):
                name_for(ox.NamedNode(name))
            done = len(view)
            if not done:
                raise InputError("the file holds no triples", path=str(p))
            timings["read"] = time.perf_counter() - t0

        if early and (replaced or loose):
            # begun too soon after all (a triple outside any graph): undone, then streamed as below
            assert late is not None
            assert writer is not None
            late.set_result([])
            writer.join()
            writer, late = None, None
            groups.clear()
            if (error := writer_error()) is not None:
                raise error
            ox_store.update(early_drops().removesuffix(" ;\n"))
            early.clear()
        if view is not None and not replaced and not loose:
            # Every graph is new: the engine's own bulk loader writes the file while it is checked.
            assert materialise is not None
            if parts and consequences is not None:
                # Cut in parts: the consequences are written with them, by each loader once it has
                # written its part. Those of the lines with blank nodes are added to those lines (the
                # labels the file gives are kept, and one load reads them); the others come from the
                # view, which holds the new data only, and are shared between the two loaders.
                blank, first, second = parts
                if writer is None:
                    writer = start_loaders(first, second)
                else:
                    journal()  # the file's own names (already listed among the early ones)
                assert late is not None
                t1 = time.perf_counter()
                try:
                    inferred = _add_consequences(view, materialise(None))
                    named = [
                        q
                        for q in inferred
                        if type(q.subject) is not ox.BlankNode and type(q.object) is not ox.BlankNode
                    ]
                    # in two halves, one for each loader once it has written its part
                    plain = [workdir_path / "inferred-0.nq", workdir_path / "inferred-1.nq"]
                    half = len(named) // 2
                    ox.serialize(named[:half], output=str(plain[0]), format=ox.RdfFormat.N_QUADS)
                    ox.serialize(named[half:], output=str(plain[1]), format=ox.RdfFormat.N_QUADS)
                    if blank.stat().st_size:
                        blank = _with_consequences(blank, fmt, consequences, p.resolve().as_uri())
                except BaseException as exc:
                    late.set_exception(exc)
                    raise
                late.set_result(
                    [[(blank, fmt), (plain[0], ox.RdfFormat.N_QUADS)], [(plain[1], ox.RdfFormat.N_QUADS)]]
                )
                timings["infer"] = time.perf_counter() - t1
            else:
                writer = start_writer()
        else:
            # Stream, a chunk at a time: the chunk's new graphs are journalled before its quads are written.
            counted_quads = 0 if view is None else done
            done = 0
            stream = consequences(counted()) if consequences is not None else counted()
            while chunk := list(islice(stream, _CHUNK)):
                journal()
                ox_store.bulk_extend(chunk)
            if not done:
                raise InputError("the file holds no triples", path=str(p))
            done = max(done, counted_quads)
            timings["load"] = time.perf_counter() - t0
        if view is not None:
            assert materialise is not None
            if not groups:
                inferred = _add_consequences(view, materialise(None))  # the view holds the new data only
            rows = view.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            final = {r["g"].value: int(r["n"].value) for r in rows}
        else:
            rows = ox_store.query(
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {_names(staged.values())} }} "
                "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
            counts = {r["g"].value: int(r["n"].value) for r in rows}
            final = {g: counts.get(s, 0) for g, s in staged.items()}
        superseded = superseded_by(staged)
        entries = _catalogue_entries(final, checksum, source)  # made now, while the loaders may still run

        # Check, with the replaced graphs (and the journal) out of sight.
        if check is not None:
            t1 = time.perf_counter()
            removed = [*replaced, *superseded]
            hidden = set(removed) | {str(PENDING_GRAPH)}
            if view is not None:  # the view holds the new graphs under their own names
                visible = [g for g in existing if g not in hidden and g not in staged]
                try:
                    check(ox_store, list(staged), sorted(visible), done, view=view, removed=removed)
                except ProbkgError:
                    # the view was read leniently: a file the loaders refuse is a syntax error first
                    if writer is not None:
                        writer.join()
                        if isinstance(error := writer_error(), InputError):
                            raise error from None
                    raise
            else:
                visible = [g for g in existing if g not in hidden] + [
                    s for s in staged.values() if s not in existing
                ]
                check(ox_store, list(staged.values()), sorted(set(visible)), done, removed=removed)
            timings["validate"] = time.perf_counter() - t1
        view = None
        if writer is not None:
            writer.join()
            if (error := writer_error()) is not None:
                raise error
            t1 = time.perf_counter()
            if groups:
                pass  # written with the parts
            elif any(type(q.subject) is ox.BlankNode or type(q.object) is ox.BlankNode for q in inferred):
                # the two engines named the file's blank nodes differently: ask the store itself
                # (the store holds little besides the new graphs here: select everywhere, keep theirs)
                assert materialise is not None
                _add_consequences(ox_store, materialise(None), set(staged))
            elif inferred:
                ox_store.bulk_extend(inferred)
            if not groups:
                timings["infer"] = time.perf_counter() - t1
            timings["load"] = time.perf_counter() - t0
        if progress is not None:
            progress(done, done)

        # Switch graphs, catalogue and journal in one transaction.
        t0 = time.perf_counter()
        cat = f"<{CATALOG_GRAPH}>"
        gone = [*staged, *superseded]
        ops = [f"DROP SILENT GRAPH <{g}> ;\n" for g in superseded]
        ops += [f"MOVE SILENT <{staged[g]}> TO <{g}> ;\n" for g in replaced]
        listed = [g for g in gone if g in catalog]  # the entries of what is replaced or dropped
        if listed:
            ops.append(
                f"DELETE {{ GRAPH {cat} {{ ?g ?p ?o }} }} "
                f"WHERE {{ VALUES ?g {{ {_names(listed)} }} GRAPH {cat} {{ ?g ?p ?o }} }} ;\n"
            )
        ops.append(f"INSERT DATA {{ GRAPH {cat} {{ {entries} }} }} ;\n")
        ops.append(f"DROP SILENT GRAPH {pending}")
        ox_store.update("".join(ops))
        timings["switch"] = time.perf_counter() - t0
        ok = True
    except SyntaxError as exc:
        raise rdf_syntax_error(p, exc) from None
    except OSError as exc:
        raise _oserror(location, exc) from None
    except ProbkgError:
        raise
    except (KeyboardInterrupt, SystemExit):
        # Stopped (Ctrl-C, SIGTERM) while the engine writes: do not wait for it. The journal stays, and
        # the next command that opens the store drops what this load wrote.
        abandoned = writer is not None and writer.is_alive()
        raise
    finally:
        halt.set()  # the splitter begins no loaders from here on
        if not abandoned:
            if splitter is not None:
                splitter.join()
            if late is not None and not late.done():
                late.set_result([])  # the loaders are not left waiting for files that will not come
            if writer is not None:
                writer.join()
            if not ok:
                discard()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return BulkOutcome(
        source,
        "replaced" if replaced else "added",
        done,
        sum(final.values()) - done,
        final,
        timings,
        tuple(superseded),
    )

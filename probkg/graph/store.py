"""Store backends: embedded Oxigraph on disk and an in-memory rdflib dataset, and how to open one.

Both keep one named graph per source and answer queries with the union of the named graphs as the
default graph. :func:`open_store` picks the backend and the location (``--store DIR``, else
``$PROBKG_STORE``, else a per-user data directory).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF
from rdflib.query import Result

from probkg.errors import InputError, ProbkgError, QueryError, StoreError
from probkg.graph._oxterms import nt_term, to_rdflib_memo
from probkg.graph._oxterms import to_rdflib as from_ox
from probkg.graph.base import CATALOG_GRAPH, Quad, Store, Triple
from probkg.graph.bulk import BulkOutcome, Check

__all__ = ["MemoryStore", "OxigraphStore", "default_store_path", "open_store"]


def _prefixes() -> dict[str, str]:
    from probkg.ontology.namespaces import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def default_store_path() -> Path:
    """Where the store lives when no ``--store`` is given: ``$PROBKG_STORE`` or the user data dir."""
    env = os.environ.get("PROBKG_STORE")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "probkg" / "store"


_SPARQL_NOISE = re.compile(
    r"#[^\n]*"  # comment
    r'|<[^<>"{}|^`\\\s]*>'  # IRI
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
)
_FROM = re.compile(r"(?<![\w:?$])FROM(?![\w:])", re.IGNORECASE)


def _has_dataset_clause(sparql: str) -> bool:
    """True when the query names its own dataset (FROM / FROM NAMED).

    Such a query must not get the union default graph: Oxigraph would then ignore its FROM clauses.
    Comments, IRIs and string literals are blanked first so that a ``from`` inside them does not count.
    """
    return bool(_FROM.search(_SPARQL_NOISE.sub(" ", sparql)))


class OxigraphStore(Store):
    """An Oxigraph (RocksDB) store in a directory, used through pyoxigraph.

    Every write is one Oxigraph transaction (a single SPARQL Update), so a graph and its catalogue
    entry change together. Only one process may open a directory at a time.
    """

    kind = "oxigraph"

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path).expanduser()
        self.location = str(self.path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"store location {self.path} is a file, not a directory")
        if not self.path.exists() or not any(self.path.iterdir()):
            if not create:
                raise StoreError(
                    f"no store at {self.path} (create one with `probkg build --store {self.path}`)"
                )
        elif not (self.path / "CURRENT").is_file():
            raise StoreError(
                f"{self.path} is neither empty nor a probkg store; give --store an empty or new directory"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except RuntimeError as exc:
            raise StoreError(f"cannot open store {self.path}: {' '.join(str(exc).split())[:200]}") from exc
        except OSError as exc:
            text = str(exc)
            if "lock" in text.lower():
                raise StoreError(
                    f"store {self.path} is in use by another process (close it, or use another --store)"
                ) from exc
            raise StoreError(f"cannot open store {self.path}: {text.splitlines()[0]}") from exc
        self._prefixes = _prefixes()
        from probkg.graph.bulk import recover

        self.recovered: list[str] = []
        try:
            self.recovered = recover(self._store)
        except OSError as exc:
            raise StoreError(f"store {self.path}: cannot undo an interrupted load: {exc}") from exc

    # ---- reading ---------------------------------------------------------------------
    def query(self, sparql: str) -> Result:
        try:
            answer = self._store.query(
                sparql, use_default_graph_as_union=not _has_dataset_clause(sparql), prefixes=self._prefixes
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc.msg}") from exc
        except OSError as exc:
            raise StoreError(f"query failed in store {self.path}: {exc}") from exc
        return _to_result(answer)

    def graph_sizes(self) -> dict[str, int]:
        answer = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {sol[0].value: int(sol[1].value) for sol in answer}  # type: ignore[union-attr]

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        pattern = ox.NamedNode(str(graph)) if graph is not None else None
        for q in self._store.quads_for_pattern(None, None, None, pattern):
            g = q.graph_name
            if type(g) is ox.DefaultGraph:
                continue
            yield from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(g)  # type: ignore[misc]

    def context_triples(self, iris: Iterable[URIRef], exclude: Iterable[URIRef] = ()) -> Iterator[Triple]:
        skip = {str(g) for g in exclude} | {str(CATALOG_GRAPH)}
        rdf_type = ox.NamedNode(str(RDF.type))
        seen: set[Triple] = set()
        typed: set[object] = set()
        for iri in sorted({str(i) for i in iris if isinstance(i, URIRef)}):
            for q in self._store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
                g = q.graph_name
                if type(g) is ox.DefaultGraph or g.value in skip:
                    continue
                triple = (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
                if triple not in seen:
                    seen.add(triple)
                    yield triple
                obj = q.object
                if type(obj) is not ox.Literal and obj not in typed:
                    typed.add(obj)
                    for tq in self._store.quads_for_pattern(obj, rdf_type, None, None):
                        tg = tq.graph_name
                        if type(tg) is ox.DefaultGraph or tg.value in skip:
                            continue
                        t = (from_ox(tq.subject), RDF.type, from_ox(tq.object))
                        if t not in seen:
                            seen.add(t)
                            yield t

    # ---- writing ---------------------------------------------------------------------
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        return self.commit(graph, triples, catalog_entry=None)

    def commit_many(
        self,
        writes: Sequence[tuple[URIRef, Iterable[Triple] | None, list[Triple] | None]],
        *,
        drop: Sequence[URIRef] = (),
    ) -> list[int]:
        """Replace graphs and catalogue nodes, drop ``drop``: one SPARQL Update (one transaction)."""
        cat = nt_term(CATALOG_GRAPH)
        parts = []
        for g in drop:
            name = nt_term(URIRef(str(g)))
            parts.append(f"DROP SILENT GRAPH {name} ;\nDELETE WHERE {{ GRAPH {cat} {{ {name} ?p ?o }} }} ;\n")
        inserts = []
        sizes: list[int | None] = []
        for graph, triples, entry in writes:
            name = nt_term(URIRef(str(graph)))
            if entry is not None:
                parts.append(f"DELETE WHERE {{ GRAPH {cat} {{ {name} ?p ?o }} }} ;\n")
            if triples is None:  # the graph stays; only its catalogue node changes
                sizes.append(None)
            else:
                parts.append(f"DROP SILENT GRAPH {name} ;\n")
                lines = {f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in triples}
                sizes.append(len(lines))
                inserts.append("GRAPH " + name + " {\n" + "\n".join(lines) + "\n}\n")
            if entry:
                inserts.append(
                    "GRAPH "
                    + cat
                    + " {\n"
                    + "\n".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in entry)
                    + "\n}\n"
                )
        self._update("".join(parts) + "INSERT DATA {\n" + "".join(inserts) + "}")
        if any(n is None for n in sizes):
            now = self.graph_sizes()
            return [
                now.get(str(g), 0) if n is None else n for (g, _, _), n in zip(writes, sizes, strict=True)
            ]
        return [n or 0 for n in sizes]

    def bulk_load(  # type: ignore[override]
        self,
        path: str | os.PathLike[str],
        *,
        consequences: Callable[[Iterator[ox.Quad]], Iterator[ox.Quad]] | None = None,
        check: Check | None = None,
        progress: Callable[[int, int], None] | None = None,
        force: bool = False,
        allow_core: bool = False,
        replaces: Collection[str] = (),
    ) -> BulkOutcome:
        """Stream an RDF file in with Oxigraph's bulk writer, atomically (see :mod:`probkg.graph.bulk`)."""
        from probkg.graph.bulk import bulk_load

        try:
            return bulk_load(
                self._store,
                self.location,
                path,
                catalog=self.catalog(),
                existing=self.graph_sizes(),
                consequences=consequences,
                check=check,
                progress=progress,
                force=force,
                allow_core=allow_core,
                replaces=replaces,
            )
        except ProbkgError as exc:  # the tracebacks' frames would keep the engine (and its lock) alive
            chained: BaseException | None = exc.__context__
            while chained is not None:
                chained.__traceback__ = None
                chained = chained.__context__
            raise exc.with_traceback(None) from None

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph store (for SPARQL-compiled validation run inside the engine)."""
        return self._store

    def drop_graph(self, graph: URIRef) -> None:
        name = nt_term(URIRef(str(graph)))
        self._update(
            f"DROP SILENT GRAPH {name} ;\n"
            f"DELETE WHERE {{ GRAPH {nt_term(CATALOG_GRAPH)} {{ {name} ?p ?o }} }}"
        )

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update as given, in one transaction (no validation, no catalogue bookkeeping)."""
        try:
            self._store.update(sparql, prefixes=self._prefixes)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {exc.msg}") from exc
        except OSError as exc:
            raise StoreError(f"writing to store {self.path} failed: {exc}") from exc

    def _update(self, text: str) -> None:
        try:
            self._store.update(text)
        except SyntaxError as exc:  # a term our serialiser could not express; nothing was written
            raise StoreError(f"store {self.path} rejected the update: {exc.msg}") from exc
        except OSError as exc:
            raise StoreError(f"writing to store {self.path} failed: {exc}") from exc

    def dump(self, out, fmt: str = "nq", *, include_catalog: bool = False) -> None:
        """Stream the store to ``out`` (see :meth:`Store.dump`).

        N-Quads, TriG, JSON-LD and N-Triples stream from Oxigraph without an in-memory copy; N-Triples
        are deduplicated by the store but come in index order rather than sorted. Turtle is built in
        memory.
        """
        from probkg.graph._io import EXPORT_FORMATS, dump_quads

        if fmt in ("nq", "trig", "jsonld"):
            cat = ox.NamedNode(str(CATALOG_GRAPH))
            quads = (
                q
                for q in self._store.quads_for_pattern(None, None, None, None)
                if include_catalog or q.graph_name != cat
            )
            ox.serialize(quads, out, EXPORT_FORMATS[fmt], prefixes=self._prefixes if fmt == "trig" else None)
            return
        if fmt == "nt":  # the union of the graphs, each triple once, streamed (Oxigraph removes duplicates)
            skip = "" if include_catalog else f"FILTER(?g != {nt_term(CATALOG_GRAPH)})"
            rows = self._store.query(f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {skip} }}")
            triples = (ox.Triple(row[0], row[1], row[2]) for row in rows)  # type: ignore[union-attr]
            ox.serialize(triples, out, EXPORT_FORMATS[fmt])
            return
        dump_quads(self._export_quads(include_catalog), out, fmt)

    def close(self) -> None:
        store = getattr(self, "_store", None)
        if store is not None:
            with contextlib.suppress(OSError):
                store.flush()
            self._store = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path)!r})"


class MemoryStore(Store):
    """An rdflib :class:`~rdflib.Dataset` in memory whose default graph is the union of its graphs.

    For tests and throwaway work: nothing is persisted, and rdflib's query engine is far slower
    than Oxigraph's on large data. Writes hold a lock that reads also take, so a reader sees the
    store before or after a multi-graph write, never half of it; a write that fails part-way puts
    back the graphs it had changed.
    """

    kind = "memory"
    location = "memory"

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        self._prefixes = _prefixes()
        self._lock = threading.RLock()

    def query(self, sparql: str) -> Result:
        from pyparsing import ParseException

        with self._lock:
            try:
                result = self._ds.query(sparql, initNs=self._prefixes)
            except ParseException as exc:
                raise QueryError(
                    f"SPARQL syntax error at line {exc.lineno} column {exc.col}: {exc.msg}"
                ) from exc
            if result.type == "SELECT":
                result.bindings  # noqa: B018 - evaluated now, under the lock, not when first read
            return result

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update as given (no validation, no catalogue bookkeeping)."""
        from pyparsing import ParseException

        with self._lock:
            try:
                self._ds.update(sparql, initNs=self._prefixes)
            except ParseException as exc:
                raise QueryError(
                    f"SPARQL Update syntax error at line {exc.lineno} column {exc.col}: {exc.msg}"
                ) from exc

    def _named(self) -> Iterator[Graph]:
        for ctx in list(self._ds.graphs()):
            if isinstance(ctx.identifier, URIRef) and not str(ctx.identifier).startswith("urn:x-rdflib:"):
                yield ctx

    def graph_sizes(self) -> dict[str, int]:
        with self._lock:
            return {str(g.identifier): n for g in self._named() if (n := len(g))}

    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        with self._lock:
            graphs = [self._ds.graph(URIRef(str(graph)))] if graph is not None else list(self._named())
            copies = [(URIRef(str(g.identifier)), list(g)) for g in graphs]
        for name, triples in copies:
            for s, p, o in triples:
                yield s, p, o, name

    def context_triples(self, iris: Iterable[URIRef], exclude: Iterable[URIRef] = ()) -> Iterator[Triple]:
        skip = {str(g) for g in exclude} | {str(CATALOG_GRAPH)}
        with self._lock:
            graphs = [g for g in self._named() if str(g.identifier) not in skip]
            seen: dict[Triple, None] = {}
            for iri in sorted({str(i) for i in iris if isinstance(i, URIRef)}):
                subject = URIRef(iri)
                for g in graphs:
                    for triple in g.triples((subject, None, None)):
                        seen.setdefault(triple)
                        obj = triple[2]
                        if not isinstance(obj, Literal):
                            for g2 in graphs:
                                for t in g2.triples((obj, RDF.type, None)):
                                    seen.setdefault(t)
        yield from seen

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        return self.commit(graph, triples, catalog_entry=None)

    def commit_many(
        self,
        writes: Sequence[tuple[URIRef, Iterable[Triple] | None, list[Triple] | None]],
        *,
        drop: Sequence[URIRef] = (),
    ) -> list[int]:
        """Replace graphs and catalogue nodes in memory, all or nothing (see :meth:`Store.commit_many`).

        The inputs are read before the first change; the graphs about to change are copied, and put
        back if anything fails (an exception, Ctrl-C) before the last change is made.
        """
        staged = [
            (URIRef(str(g)), None if t is None else list(t), None if e is None else list(e))
            for g, t, e in writes
        ]
        drops = [URIRef(str(g)) for g in drop]
        with self._lock:
            touched = {*drops, *(g for g, t, _ in staged if t is not None), CATALOG_GRAPH}
            backup = {g: list(self._ds.graph(g)) for g in touched}
            try:
                return self._apply(staged, drops)
            except BaseException:
                for g, old in backup.items():
                    self._ds.remove_graph(g)
                    target = self._ds.graph(g)
                    for t in old:
                        target.add(t)
                raise

    def _apply(
        self, staged: list[tuple[URIRef, list[Triple] | None, list[Triple] | None]], drops: list[URIRef]
    ) -> list[int]:
        catalog = self._ds.graph(CATALOG_GRAPH)
        for g in drops:
            self._ds.remove_graph(g)
            catalog.remove((g, None, None))
        sizes = []
        for graph, new, entry in staged:
            if entry is not None:
                catalog.remove((graph, None, None))
            if new is not None:
                self._ds.remove_graph(graph)
                target = self._ds.graph(graph)
                for t in new:
                    target.add(t)
            for t in entry or ():
                catalog.add(t)
            sizes.append(len(self._ds.graph(graph)))
        return sizes

    def drop_graph(self, graph: URIRef) -> None:
        self.commit_many([], drop=[URIRef(str(graph))])

    def __repr__(self) -> str:
        return "MemoryStore()"


def _to_result(answer: object) -> Result:
    """Turn a pyoxigraph query answer into an rdflib :class:`~rdflib.query.Result`."""
    if isinstance(answer, ox.QuerySolutions):
        result = Result("SELECT")
        names = [v.value for v in answer.variables]
        result.vars = [Variable(n) for n in names]
        variables = result.vars
        convert = to_rdflib_memo()
        bindings = []
        for solution in answer:
            row = {}
            for var, term in zip(variables, solution, strict=True):
                if term is not None:
                    row[var] = convert(term)
            bindings.append(row)
        result.bindings = bindings  # type: ignore[assignment]
        return result
    if isinstance(answer, ox.QueryBoolean):
        result = Result("ASK")
        result.askAnswer = bool(answer)
        return result
    result = Result("CONSTRUCT")
    g = Graph()
    convert = to_rdflib_memo()
    for t in answer:  # type: ignore[attr-defined]
        g.add((convert(t.subject), convert(t.predicate), convert(t.object)))
    result.graph = g
    return result


def open_store(
    path: str | os.PathLike[str] | None = None,
    memory: bool = False,
    endpoint: str | None = None,
    *,
    create: bool = True,
    **remote_options: str | None,
) -> Store:
    """Open the store the user asked for.

    ``memory`` gives a fresh in-memory store; ``endpoint`` a remote SPARQL endpoint (needs
    :mod:`probkg.graph.remote`); otherwise an Oxigraph store in ``path``, ``$PROBKG_STORE`` or the
    per-user data directory (``$XDG_DATA_HOME/probkg/store``, default ``~/.local/share/probkg/store``).
    """
    chosen = sum(bool(x) for x in (path, memory, endpoint))
    if chosen > 1:
        raise InputError("choose one of --store, --memory and --endpoint")
    if memory:
        return MemoryStore()
    if endpoint:
        from probkg.graph.remote import RemoteStore

        options: dict[str, Any] = {k: v for k, v in remote_options.items() if v}
        return RemoteStore(endpoint, **options)
    return OxigraphStore(path if path else default_store_path(), create=create)

"""Load orchestration: materialise, validate, then switch atomically (above validation and loaders).

Loaders (:mod:`probkg.loaders`) turn files into :class:`~probkg.units.LoadUnit` s and stores
(:mod:`probkg.graph`) write them; this layer puts the steps in order:

* :func:`load_units` writes the units of one source all or nothing: each is compared with the
  catalogue (same checksum: ``unchanged``), given its RDFS consequences, validated against the store
  as it would be after the change, and then every changed graph, its catalogue entry and the graphs
  it supersedes are written in one store transaction.

A file's identity is its path and its bytes (see "What a load promises" in the README): the
catalogue records, per graph, the checksum and the path it was last loaded from. An edit under the
same path replaces what that path gave; the same bytes under a new path are the same document (only
the recorded path moves, so a later edit there replaces it); a file renamed and edited in one step is
a new document unless the load names the old path (``replaces``).
* :func:`bulk_load_file` streams a large RDF file through the store's atomic bulk loader
  (:meth:`probkg.graph.store.OxigraphStore.bulk_load`) with the inference and the SPARQL-compiled
  shapes as callbacks.

Core graphs (the ontology, the registry, curated graphs and the catalogue) are only written by
``probkg build`` or when ``allow_core`` is given.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any, cast

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from probkg.errors import InputError, ValidationFailed
from probkg.graph.base import (
    CATALOG_GRAPH,
    CORE_GRAPHS,
    FILE_GRAPH_PREFIX,
    LoadOutcome,
    Store,
    Triple,
    catalog_entry,
    is_reserved,
)
from probkg.graph.bulk import BulkOutcome
from probkg.units import LoadUnit

__all__ = ["bulk_load_file", "load_unit", "load_units", "source_path"]

_CORE_LOADERS = ("ontology", "curated")
_PATH_LOADERS = ("rdf", "text")
"""Loaders whose graphs are identified by the file they came from (path and checksum)."""


def source_path(path: str | os.PathLike[str]) -> str:
    """How the catalogue records a file: its absolute path with symbolic links resolved."""
    return os.path.realpath(path)


def _superseded_by(unit: LoadUnit, paths: set[str], catalog: dict[str, Any], keep: set[str]) -> list[str]:
    """Graphs an earlier version of ``unit``'s file gave under the same path (one of ``paths``; not in
    ``keep``).

    For an RDF file only its file graph counts (the graphs it names are replaced by name); for a text
    every graph that path gave.
    """
    if unit.loader not in _PATH_LOADERS:
        return []
    if unit.loader == "rdf" and not str(unit.graph).startswith(FILE_GRAPH_PREFIX):
        return []
    return [
        g
        for g, info in catalog.items()
        if g not in keep
        and (unit.loader == "text" or g.startswith(FILE_GRAPH_PREFIX))
        and info.source in paths
        and info.loader == unit.loader
    ]


def _check_target(unit: LoadUnit, catalog: dict[str, Any], allow_core: bool) -> None:
    g = str(unit.graph)
    if is_reserved(g):
        raise InputError(
            f"the graph name <{g}> is reserved for the store's own bookkeeping", path=unit.source
        )
    if allow_core or unit.loader in _CORE_LOADERS:
        return
    info = catalog.get(g)
    if g in CORE_GRAPHS or (info is not None and info.loader in _CORE_LOADERS):
        raise InputError(
            f"the file writes to the core graph <{g}>, which only `probkg build` replaces "
            "(pass --allow-core to override)",
            path=unit.source,
        )


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')


def _check_iris(unit: LoadUnit) -> None:
    """Refuse an IRI the store could not hold (space, angle brackets, control characters...)."""
    seen: set[str] = set()
    for triple in [(unit.graph,), *unit.triples]:
        for term in triple:
            if isinstance(term, URIRef) and term not in seen:
                seen.add(term)
                if _BAD_IRI.search(term):
                    shown = " ".join(repr(str(term))[1:-1].split())[:120]
                    raise InputError(
                        f"invalid IRI <{shown}> (it holds a character IRIs cannot)", path=unit.source
                    )


def load_unit(
    store: Store, unit: LoadUnit, validate: bool = True, *, force: bool = False, allow_core: bool = False
) -> LoadOutcome:
    """Write one unit (see :func:`load_units`)."""
    return load_units(store, [unit], validate=validate, force=force, allow_core=allow_core)[0]


class _AfterLoad:
    """The store as a load of several graphs will leave it, for the validation gate's look-ups.

    The graphs of one file may cite each other (an organisation in one, the area it serves typed in
    another): each unit is checked with the other units counted as written and the older versions of
    their graphs as gone, as the bulk path checks a file. Everything else goes to the store.
    """

    def __init__(self, store: Store, units: Sequence[LoadUnit]) -> None:
        self._store = store
        self._units = units

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def context_triples(self, iris: Iterable[URIRef], exclude: Iterable[URIRef] = ()) -> Iterator[Triple]:
        subjects = {i for i in iris if isinstance(i, URIRef)}
        skip = {str(g) for g in exclude}
        hidden = [*(URIRef(str(g)) for g in skip), *(URIRef(str(u.graph)) for u in self._units)]
        seen: dict[Triple, None] = dict.fromkeys(self._store.context_triples(subjects, exclude=hidden))
        others = [u.triples for u in self._units if str(u.graph) not in skip]
        objects = set()
        for g in others:
            for s in subjects:
                for t in g.triples((s, None, None)):
                    seen.setdefault(t)
                    if not isinstance(t[2], Literal):
                        objects.add(t[2])
        for o in objects:
            for g in others:
                for t in g.triples((o, RDF.type, None)):
                    seen.setdefault(t)
        stored = {o for o in objects if isinstance(o, URIRef)}
        for t in self._store.context_triples(stored, exclude=hidden):
            if t[1] == RDF.type and t[0] in stored:
                seen.setdefault(t)
        yield from seen


def _replaced_sources(replaces: Sequence[str | os.PathLike[str]], catalog: dict[str, Any]) -> set[str]:
    """The catalogued paths named by ``replaces``; a path the catalogue does not know is an input error."""
    known = {info.source for info in catalog.values() if info.loader in _PATH_LOADERS}
    out = set()
    for old in replaces:
        candidates = {source_path(old), os.path.abspath(old)}
        found = candidates & known
        if not found:
            raise InputError(
                "--replaces names a path no graph was loaded from (see `probkg stats` for what is loaded)",
                path=os.fspath(old),
            )
        out |= found
    return out


def load_units(
    store: Store,
    units: Sequence[LoadUnit],
    validate: bool = True,
    *,
    force: bool = False,
    allow_core: bool = False,
    replaces: Sequence[str | os.PathLike[str]] = (),
) -> list[LoadOutcome]:
    """Write the units of one source all or nothing: every changed graph in one transaction.

    Same checksum as catalogued -> ``unchanged`` (unless ``force``); when that graph was catalogued
    under another path (the file was renamed), the catalogue records the new path. A Violation in any
    unit raises :class:`~probkg.errors.ValidationFailed` and nothing is written. Graphs an earlier
    version of the same file gave under the same path (an RDF file's file graph, a text's graph) are
    dropped in the same transaction, as are the graphs loaded from the paths in ``replaces`` (the old
    name of a file renamed and edited since).
    """
    from probkg.validation.gate import validate_unit
    from probkg.validation.inference import materialise

    catalog = store.catalog()
    sizes = store.graph_sizes()
    before = sum(n for g, n in sizes.items() if g != str(CATALOG_GRAPH))
    aliases: dict[int, set[str]] = {}  # a path as recorded now, and as stores written before recorded it
    for unit in units:
        _check_target(unit, catalog, allow_core)
        if unit.loader in _PATH_LOADERS and os.path.exists(unit.source):  # a file's identity is its path
            aliases[id(unit)] = {os.path.abspath(unit.source), source_path(unit.source)}
            unit.source = source_path(unit.source)
    old_sources = _replaced_sources(replaces, catalog)
    changed: list[tuple[LoadUnit, list[Triple]]] = []
    moved: list[LoadUnit] = []  # same bytes, catalogued under another path: only the path changes
    for unit in units:
        known = catalog.get(str(unit.graph))
        if known is not None and known.sha256 == unit.checksum and not force:
            same_path = known.source in aliases.get(id(unit), {unit.source})
            if unit.loader in _PATH_LOADERS and known.loader == unit.loader and not same_path:
                moved.append(unit)
            continue
        _check_iris(unit)
        inferred = list(materialise(unit.triples))
        if validate:
            seen_by = store if len(units) == 1 else cast(Store, _AfterLoad(store, units))
            report = validate_unit(seen_by, unit, inferred=inferred)
            if not report.conforms:
                raise ValidationFailed(report.summary(), report=report, path=unit.source)
        changed.append((unit, inferred))
    written_names = {str(u.graph) for u, _ in changed} | {str(u.graph) for u in moved}
    drop: list[URIRef] = []
    for unit in [u for u, _ in changed] + moved:
        paths = aliases.get(id(unit), {unit.source})
        drop += [
            URIRef(g) for g in _superseded_by(unit, paths, catalog, written_names) if URIRef(g) not in drop
        ]
    drop += [
        URIRef(g)
        for g, info in sorted(catalog.items())
        if info.source in old_sources
        and info.loader in _PATH_LOADERS
        and g not in written_names
        and URIRef(g) not in drop
    ]
    writes: list[tuple[URIRef, Any, list[Triple] | None]] = [
        (
            URIRef(str(u.graph)),
            chain(u.triples, inferred),
            catalog_entry(
                URIRef(str(u.graph)), u.checksum, u.source, u.loader, len(u.triples) + len(inferred)
            ),
        )
        for u, inferred in changed
    ]
    # A renamed file: the graph stays as it is, its catalogue node records the new path.
    writes += [
        (
            URIRef(str(u.graph)),
            None,
            catalog_entry(
                URIRef(str(u.graph)), u.checksum, u.source, u.loader, catalog[str(u.graph)].triples
            ),
        )
        for u in moved
    ]
    written = store.commit_many(writes, drop=drop) if writes or drop else []
    new_sizes = dict(zip((str(u.graph) for u, _ in changed), written[: len(changed)], strict=True))
    after = (
        before
        - sum(sizes.get(g, 0) for g in new_sizes)
        - sum(sizes.get(str(g), 0) for g in drop)
        + sum(new_sizes.values())
    )
    # The dropped graphs are reported once, with the file's own graph (else with the first one).
    owner = next(
        (i for i, u in enumerate(units) if str(u.graph).startswith(FILE_GRAPH_PREFIX) or u.loader == "text"),
        0,
    )
    out = []
    for i, unit in enumerate(units):
        g = str(unit.graph)
        gone = tuple(str(d) for d in drop) if i == owner else ()
        if g not in new_sizes:
            out.append(LoadOutcome(g, "unchanged", sizes.get(g, 0), before, after, unit.source, gone))
            continue
        status = "replaced" if g in sizes or g in catalog else "added"
        out.append(LoadOutcome(g, status, new_sizes[g], before, after, unit.source, gone))
    return out


def _consequences() -> Callable[[Iterator[ox.Quad]], Iterator[ox.Quad]]:
    """Each quad followed by its RDFS consequences in the same graph (super-classes, super-properties)."""
    from probkg.validation.inference import default_rules

    rules = default_rules()
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    supers = {
        ox.NamedNode(str(c)): [ox.NamedNode(str(d)) for d in ds] for c, ds in rules.superclasses.items()
    }
    superprops = {
        ox.NamedNode(str(p)): [ox.NamedNode(str(q)) for q in qs] for p, qs in rules.superproperties.items()
    }

    def add(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        for q in quads:
            yield q
            pred = q.predicate
            if pred == rdf_type:
                for d in supers.get(q.object, ()):  # type: ignore[arg-type]
                    yield ox.Quad(q.subject, rdf_type, d, q.graph_name)
            else:
                for sp in superprops.get(pred, ()):
                    yield ox.Quad(q.subject, sp, q.object, q.graph_name)

    return add


def _check(source: str) -> Callable[[Any, list[str], list[str], int], None]:
    """Validate staged graphs inside Oxigraph, over the store as it will be after the switch."""
    from probkg.graph._oxterms import to_rdflib
    from probkg.validation.shacl_sparql import compile_shapes, run_checks

    def check(ox_store: Any, staged: list[str], visible: list[str], added: int) -> None:
        if len(visible) < sum(1 for _ in ox_store.named_graphs()):
            # Graphs being replaced must not be seen. Oxigraph evaluates an explicit list of default
            # graphs slowly, so the store as it will be is copied into an in-memory engine instead.
            view = ox.Store()
            view.bulk_extend(
                q for g in visible for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(g))
            )
            ox_store = view

        def select(sparql: str) -> Iterator[dict[str, Any]]:
            solutions = ox_store.query(sparql, use_default_graph_as_union=True)
            names = [v.value for v in solutions.variables]
            for sol in solutions:
                yield {n: to_rdflib(sol[n]) for n in names if sol[n] is not None}

        if added / max(1, len(ox_store)) <= 0.1:
            report = run_checks(select, compile_shapes(focus_graphs=staged), checked=added)
        else:  # a large addition: the whole store at once is faster; keep results about the new graphs
            names = " ".join(f"<{g}>" for g in staged)

            def mentioned(node: Any) -> bool:
                if isinstance(node, BNode):  # a blank node cannot be named in a query; it came with the data
                    return True
                term = node.n3()
                return bool(
                    ox_store.query(
                        f"ASK {{ VALUES ?g {{ {names} }} "
                        f"GRAPH ?g {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }} }}"
                    )
                )

            report = run_checks(select, keep=mentioned, checked=added)
        if not report.conforms:
            raise ValidationFailed(report.summary(), report=report, path=source)

    return check


def bulk_load_file(
    store: Store,
    path: str | os.PathLike[str],
    *,
    validate: bool = True,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    allow_core: bool = False,
    replaces: Sequence[str | os.PathLike[str]] = (),
) -> BulkOutcome:
    """Stream a large RDF file into a store that has a bulk loader, validated, all or nothing.

    ``replaces`` names the paths of an earlier version of the file (see :func:`load_units`).
    """
    old_sources = _replaced_sources(replaces, store.catalog()) if replaces else set()
    return store.bulk_load(  # type: ignore[return-value]
        os.fspath(path),
        replaces=old_sources,
        consequences=_consequences(),
        check=_check(os.path.abspath(path)) if validate else None,
        progress=progress,
        force=force,
        allow_core=allow_core,
    )

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
    PENDING_GRAPH,
    STAGING_PREFIX,
    LoadOutcome,
    Store,
    Triple,
    catalog_entry,
    is_reserved,
)
from probkg.graph.bulk import BulkOutcome, Check
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


def _removed_terms(rows: Iterable[Any]) -> set[str]:
    """Instance IRIs (not vocabulary) among the subjects and objects of ``(s, p, o)`` rows."""
    from probkg.ontology.namespaces import PROB_IRI

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    terms: set[str] = set()
    for s, p, o in rows:
        for n in (s, o) if str(p) != rdf_type else (s,):
            if isinstance(n, URIRef) and not str(n).startswith(PROB_IRI):
                terms.add(str(n))
    return terms


def _neighbours(
    query: Callable[[str], Iterable[dict[str, Any]]], terms: set[str], skip: set[str]
) -> dict[str, set[Any]]:
    """By graph (outside ``skip``), the nodes that point at one of ``terms``, and those terms."""
    found: dict[str, set[Any]] = {}
    ordered = sorted(terms)
    for start in range(0, len(ordered), 400):
        values = " ".join(f"<{t}>" for t in ordered[start : start + 400])
        text = (
            f"SELECT DISTINCT ?g ?x ?t WHERE {{ VALUES ?t {{ {values} }} "
            "{ GRAPH ?g { ?x ?_q ?t } } UNION { GRAPH ?g { ?t ?_q ?_o } BIND(?t AS ?x) } }"
        )
        for row in query(text):
            g = str(row["g"])
            if g not in skip and not g.startswith(STAGING_PREFIX):
                found.setdefault(g, set()).update((row["x"], row["t"]))
    return found


def _check_neighbours(
    store: Store, replaced: list[str], changed: list[tuple[LoadUnit, list[Triple]]], source: str
) -> None:
    """Refuse a load whose removed triples break a node of another graph.

    The nodes checked are those of other graphs that are, or point at, an IRI the replaced or dropped
    graphs mention; each is validated with its own graph, the new content of the written graphs and
    the store's facts about what they cite, the replaced graphs' old content out of sight.
    """
    from rdflib import Graph

    from probkg.validation.gate import validate_unit

    terms = _removed_terms((s, p, o) for g in replaced for s, p, o, _ in store.quads(URIRef(g)))
    if not terms:
        return
    written = {str(u.graph) for u, _ in changed}

    def query(text: str) -> Iterator[dict[str, Any]]:
        for row in store.query(text):
            yield {str(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]

    affected = _neighbours(query, terms, set(replaced) | written | {str(CATALOG_GRAPH), str(PENDING_GRAPH)})
    if not affected:
        return
    data = Graph()
    for g in affected:
        for s, p, o, _ in store.quads(URIRef(g)):
            data.add((s, p, o))
    beside = [t for u, inferred in changed for t in chain(u.triples, inferred)]
    focus = set().union(*affected.values())
    neighbours = LoadUnit(URIRef(sorted(affected)[0]), data, "", source, "rdf")
    report = validate_unit(
        store,
        neighbours,
        inferred=[],
        exclude=[URIRef(g) for g in [*replaced, *affected]],
        beside=beside,
        focus=focus,
    )
    if not report.conforms:
        raise ValidationFailed(
            f"the load removes triples that other graphs rely on ({', '.join(sorted(affected)[:3])}"
            f"{' ...' if len(affected) > 3 else ''}): {report.summary()}",
            report=report,
            path=source,
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
    if validate and changed:
        replaced = [g for g in written_names if g in sizes] + [str(g) for g in drop]
        if replaced:
            _check_neighbours(store, replaced, changed, units[0].source)
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


class _Consequences:
    """RDFS consequences (super-classes, super-properties) of quads, in the same graph as the quad.

    Called on a stream of quads, it yields each quad followed by its consequences; :meth:`sparql` gives
    a SPARQL query selecting the same consequences of named graphs already in a store.
    """

    def __init__(self) -> None:
        from probkg.validation.inference import default_rules

        rules = default_rules()
        self.superclasses = {str(c): sorted(map(str, ds)) for c, ds in rules.superclasses.items() if ds}
        self.superproperties = {str(p): sorted(map(str, qs)) for p, qs in rules.superproperties.items() if qs}
        self._rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        self._supers = {ox.NamedNode(c): [ox.NamedNode(d) for d in ds] for c, ds in self.superclasses.items()}
        self._superprops = {
            ox.NamedNode(p): [ox.NamedNode(q) for q in qs] for p, qs in self.superproperties.items()
        }

    def __call__(self, quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        rdf_type, supers, superprops = self._rdf_type, self._supers, self._superprops
        for q in quads:
            yield q
            pred = q.predicate
            if pred == rdf_type:
                for d in supers.get(q.object, ()):  # type: ignore[arg-type]
                    yield ox.Quad(q.subject, rdf_type, d, q.graph_name)
            else:
                for sp in superprops.get(pred, ()):
                    yield ox.Quad(q.subject, sp, q.object, q.graph_name)

    def sparql(self, graphs: Sequence[str] | None = None) -> str:
        """A SPARQL SELECT of the consequences (``?s ?p ?o ?g``) of the quads of ``graphs`` (or of all)."""
        scope = "" if graphs is None else "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } "
        classes = " ".join(f"(<{c}> <{d}>)" for c, ds in self.superclasses.items() for d in ds)
        props = " ".join(f"(<{p}> <{q}>)" for p, qs in self.superproperties.items() for q in qs)
        parts = []
        if classes:
            rdf_type = f"<{self._rdf_type.value}>"
            parts.append(
                f"{{ VALUES (?_c ?o) {{ {classes} }} GRAPH ?g {{ ?s a ?_c }} BIND({rdf_type} AS ?p) }}"
            )
        if props:
            parts.append(f"{{ VALUES (?_p ?p) {{ {props} }} GRAPH ?g {{ ?s ?_p ?o }} }}")
        if not parts:
            return "SELECT ?s ?p ?o ?g WHERE { FILTER(false) }"
        return f"SELECT ?s ?p ?o ?g WHERE {{ {scope}{' UNION '.join(parts)} }}"


def _check(source: str) -> Check:
    """Validate staged graphs inside Oxigraph, over the store as it will be after the switch.

    Results count for the nodes of the staged graphs and for the nodes of other graphs that are, or
    point at, an IRI of the replaced or dropped graphs (the triples they relied on may be gone).
    """
    from probkg.graph._oxterms import to_rdflib
    from probkg.validation.shacl_sparql import compile_shapes, oxigraph_select, run_checks

    def check(
        ox_store: Any,
        staged: list[str],
        visible: list[str],
        added: int,
        *,
        view: Any = None,
        removed: Sequence[str] = (),
    ) -> None:
        affected: set[Any] = set()
        if removed:
            names = " ".join(f"<{g}>" for g in removed)
            rows = ox_store.query(
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} "
                "FILTER(!isLiteral(?o) || isIRI(?s)) }"
            )
            terms = _removed_terms((to_rdflib(r["s"]), to_rdflib(r["p"]), to_rdflib(r["o"])) for r in rows)
            skip = {*removed, *staged, str(CATALOG_GRAPH), str(PENDING_GRAPH)}
            found = _neighbours(oxigraph_select(ox_store, union=False), terms, skip) if terms else {}
            affected = set().union(*found.values()) if found else set()
        if view is not None:
            # The new data streamed into an in-memory engine as well: add the graphs it will sit beside.
            fresh = set(staged)
            view.bulk_extend(
                q
                for g in visible
                if g not in fresh
                for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(g))
            )
            ox_store = view
        elif len(visible) < sum(1 for _ in ox_store.named_graphs()):
            # Graphs being replaced must not be seen. Oxigraph evaluates an explicit list of default
            # graphs slowly, so the store as it will be is copied into an in-memory engine instead.
            copy = ox.Store()
            copy.bulk_extend(
                q for g in visible for q in ox_store.quads_for_pattern(None, None, None, ox.NamedNode(g))
            )
            ox_store = copy
        select = oxigraph_select(ox_store)
        if added / max(1, len(ox_store)) <= 0.1:
            focus_graphs = list(staged)
            if (
                affected
            ):  # the engine is an in-memory copy here: mark the affected nodes in a graph of their own
                marker = ox.NamedNode(_AFFECTED)
                ox_store.bulk_extend(
                    ox.Quad(n, marker, n, marker) for n in map(_to_ox, affected) if n is not None
                )
                focus_graphs.append(_AFFECTED)
            checks = compile_shapes(focus_graphs=focus_graphs)
            report = run_checks(select, checks, checked=added, workers=2)
        else:  # a large addition: the whole store at once is faster; keep results about the new graphs
            names = " ".join(f"<{g}>" for g in staged)

            def mentioned(node: Any) -> bool:
                if isinstance(node, BNode):  # a blank node cannot be named in a query; it came with the data
                    return True
                if node in affected:
                    return True
                term = node.n3()
                return bool(
                    ox_store.query(
                        f"ASK {{ VALUES ?g {{ {names} }} "
                        f"GRAPH ?g {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }} }}"
                    )
                )

            report = run_checks(select, keep=mentioned, checked=added, workers=2)
        if not report.conforms:
            raise ValidationFailed(report.summary(), report=report, path=source)

    return check


_AFFECTED = STAGING_PREFIX + "affected"
"""The graph marking, in an in-memory copy being checked, the nodes of other graphs a load may break."""


def _to_ox(node: Any) -> Any:
    """An rdflib IRI as a pyoxigraph term (``None`` for anything else)."""
    return ox.NamedNode(str(node)) if isinstance(node, URIRef) else None


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
        consequences=_Consequences(),
        check=_check(os.path.abspath(path)) if validate else None,
        progress=progress,
        force=force,
        allow_core=allow_core,
    )

"""The Python API: open a store, build it, load files, query, validate and count.

Every ``probkg`` command is a thin layer over these functions::

    import probkg
    with probkg.open_store("/tmp/kg") as store:
        probkg.build(store)
        out = probkg.query(store, "criticised-by-owner", owner="MTCnovo")
        print(probkg.stats(store)["triples"])
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from probkg.graph.store import open_store
from probkg.ontology.namespaces import ID_IRI

if TYPE_CHECKING:
    from probkg.graph.base import LoadOutcome, Store
    from probkg.loaders.base import LoadUnit
    from probkg.queries.runner import QueryOutput
    from probkg.validation.gate import Report

__all__ = [
    "BULK_THRESHOLD",
    "VALIDATE_THRESHOLD",
    "build",
    "load",
    "load_units",
    "ontology_unit",
    "open_store",
    "query",
    "stats",
    "uses_bulk",
    "validate",
]

PathLike = str | os.PathLike[str]
Progress = Callable[[str], None]


def ontology_unit() -> LoadUnit:
    """The ontology and its concept schemes as a unit for graph ``https://w3id.org/probation-kg/def``.

    The checksum covers the bytes of the shipped Turtle files, so an unchanged ontology is not
    rewritten by a second ``build``.
    """
    from probkg.loaders.base import LoadUnit
    from probkg.ontology import ONTOLOGY_FILES, ONTOLOGY_IRI, ontology_graph, resource_path

    digest = hashlib.sha256()
    for name in ONTOLOGY_FILES:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(resource_path(name).read_bytes())
        digest.update(b"\0")
    return LoadUnit(
        graph=ONTOLOGY_IRI,
        triples=ontology_graph(),
        checksum=digest.hexdigest(),
        source="probkg.ontology (" + ", ".join(ONTOLOGY_FILES) + ")",
        loader="ontology",
    )


def load_units(
    store: Store,
    units: Iterable[LoadUnit],
    *,
    validate: bool = True,
    force: bool = False,
    allow_core: bool = False,
    progress: Progress | None = None,
    replaces: Sequence[PathLike] = (),
) -> list[LoadOutcome]:
    """Write loader output into the store: validated, all units in one transaction (all or nothing).

    ``replaces`` names the earlier path of a file renamed and edited since: what was loaded from
    there is dropped in the same transaction.
    """
    from probkg.loading import load_units as write_units

    units = list(units)
    if progress is not None:
        for unit in units:
            progress(unit.source)
    return write_units(store, units, validate=validate, force=force, allow_core=allow_core, replaces=replaces)


def build(
    store: Store, sources: PathLike | None = None, *, progress: Progress | None = None
) -> list[LoadOutcome]:
    """Load the ontology, the organisation registry, the shipped curated facts and the inspectorate's rated
    record (``id:graph/record``), each validated.

    ``sources`` is a directory of the source texts: with it, curated findings gain their exact
    quotes. Running ``build`` again changes nothing unless the shipped files (or the texts found)
    changed. When the ontology changed, every shipped graph is rewritten so that the inferred
    types follow the new class hierarchy.
    """
    from probkg.loaders.curated import load_curated, shipped_curated_files

    outcomes = load_units(store, [ontology_unit()], progress=progress, allow_core=True)
    ontology_changed = outcomes[0].status != "unchanged"
    from probkg.loaders.record import load_record

    for path in shipped_curated_files():
        units = load_curated(path, sources)
        outcomes += load_units(store, units, force=ontology_changed, progress=progress, allow_core=True)
    outcomes += load_units(store, [load_record()], force=ontology_changed, progress=progress, allow_core=True)
    return outcomes


BULK_THRESHOLD = 5 * 1024 * 1024
"""RDF files larger than this many bytes (and every .nq and .nt file) stream into an Oxigraph store."""

VALIDATE_THRESHOLD = 50_000
"""Stores with more data triples than this are validated inside Oxigraph (SHACL compiled to SPARQL)."""

BulkProgress = Callable[[str, int, int], None]


def uses_bulk(store: Store, path: PathLike) -> bool:
    """True when ``path`` is loaded by the streaming bulk path rather than parsed into memory.

    That is an N-Quads or N-Triples file, or a Turtle or TriG file above :data:`BULK_THRESHOLD`,
    going into an embedded Oxigraph store.
    """
    from pathlib import Path

    from probkg.graph.base import Store as BaseStore
    from probkg.graph.bulk import BULK_FORMATS

    p = Path(path)
    suffix = p.suffix.lower()
    if type(store).bulk_load is BaseStore.bulk_load or suffix not in BULK_FORMATS or not p.is_file():
        return False
    return suffix in (".nq", ".nt") or p.stat().st_size > BULK_THRESHOLD


def _bulk_outcomes(
    store: Store,
    path: PathLike,
    validate: bool,
    bulk_progress: BulkProgress | None,
    *,
    before: int,
    force: bool = False,
    allow_core: bool = False,
    replaces: Sequence[PathLike] = (),
) -> list[LoadOutcome]:
    from probkg.graph.base import LoadOutcome
    from probkg.loading import bulk_load_file

    name = os.fspath(path)
    callback = (lambda done, total: bulk_progress(name, done, total)) if bulk_progress is not None else None
    done = bulk_load_file(
        store,
        path,
        validate=validate,
        progress=callback,
        force=force,
        allow_core=allow_core,
        replaces=replaces,
    )
    if done.status == "unchanged":
        sizes = store.graph_sizes()
        after = store.triple_count() if done.superseded else before
        return [
            LoadOutcome(
                g, "unchanged", sizes.get(g, 0), before, after, done.source, done.superseded if i == 0 else ()
            )
            for i, g in enumerate(sorted(done.graphs))
        ]
    after = store.triple_count()
    outcomes = [
        LoadOutcome(
            g,
            done.status,
            n,
            before,
            after,
            done.source,
            done.superseded if g.startswith(_FILE_GRAPHS) else (),
        )
        for g, n in sorted(done.graphs.items())
    ]
    return outcomes


_FILE_GRAPHS = ID_IRI + "graph/file/"


def load(
    store: Store,
    paths: PathLike | Iterable[PathLike],
    *,
    sources: PathLike | None = None,
    validate: bool = True,
    progress: Progress | None = None,
    bulk_progress: BulkProgress | None = None,
    force: bool = False,
    allow_core: bool = False,
    replaces: Sequence[PathLike] = (),
) -> list[LoadOutcome]:
    """Load files or directories (RDF, curated YAML, press-release text), one named graph per source.

    Files are read and written one at a time in sorted order within each directory; the first
    failure stops the run, leaving the graphs loaded before it in place. Large RDF files (see
    :func:`uses_bulk`) stream into the store; ``bulk_progress(path, quads_done, quads_total)``
    follows them. ``replaces`` (one file only) names the path the file had before it was renamed
    and edited: the graphs loaded from there are replaced by this load.
    """
    from probkg.errors import InputError
    from probkg.loaders import expand_paths, load_file

    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    outcomes: list[LoadOutcome] = []
    files = list(expand_paths(paths))
    if replaces and len(files) != 1:
        raise InputError("--replaces applies to one file; load the renamed file on its own")
    for path in files:
        if uses_bulk(store, path):
            if progress is not None:
                progress(str(path))
            outcomes += _bulk_outcomes(
                store,
                path,
                validate,
                bulk_progress,
                before=store.triple_count(),
                force=force,
                allow_core=allow_core,
                replaces=replaces,
            )
        else:
            outcomes += load_units(
                store,
                load_file(path, sources),
                validate=validate,
                progress=progress,
                force=force,
                allow_core=allow_core,
                replaces=replaces,
            )
    return outcomes


def _looks_like_sparql(text: str) -> bool:
    return any(ch.isspace() or ch in "{?" for ch in text.strip())


def query(store: Store, name_or_sparql: str, /, **params: Any) -> QueryOutput:
    """Run a named query from the catalogue with keyword parameters, or SPARQL text as given.

    Text containing whitespace or braces is taken as SPARQL (parameters are then not allowed);
    anything else is a query name.
    """
    from probkg.errors import QueryError
    from probkg.queries import run_named, run_sparql

    if _looks_like_sparql(name_or_sparql):
        if params:
            raise QueryError("parameters apply to named queries only; bind values in the SPARQL text")
        return run_sparql(store, name_or_sparql)
    return run_named(store, name_or_sparql, {k: str(v) for k, v in params.items()})


def validate(store: Store) -> Report:
    """SHACL-validate everything in the store; ``report.conforms`` is false when there are Violations.

    An embedded Oxigraph store holding more than :data:`VALIDATE_THRESHOLD` data triples is checked
    by the shapes compiled to SPARQL inside the store (same results as pySHACL, seconds at a million
    triples); smaller stores and the other backends go through pySHACL.
    """
    from probkg.graph.store import OxigraphStore

    if isinstance(store, OxigraphStore) and store.triple_count() > VALIDATE_THRESHOLD:
        from probkg.validation.shacl_sparql import validate_store_sparql

        return validate_store_sparql(store)
    from probkg.validation.gate import validate_store

    return validate_store(store)


def stats(store: Store) -> dict[str, Any]:
    """Counts: ``triples`` in the data graphs, triples per ``graphs`` and instances per ``classes``.

    The store's catalogue graph is left out of every count.
    """
    from probkg.graph.base import CATALOG_GRAPH

    sizes = store.graph_sizes()
    graphs = {g: n for g, n in sorted(sizes.items()) if g != str(CATALOG_GRAPH)}
    text = (
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } "
        "FILTER(?g != " + CATALOG_GRAPH.n3() + ") } GROUP BY ?class"
    )
    classes: dict[str, int] = {}
    for row in store.query(text):
        cls, n = row[0], row[1]  # type: ignore[index]
        if cls is not None and n is not None:
            classes[str(cls)] = int(str(n))
    ordered = dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"triples": sum(graphs.values()), "graphs": graphs, "classes": ordered}

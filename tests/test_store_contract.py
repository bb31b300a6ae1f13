"""The store contract, run unchanged over every backend: memory, embedded Oxigraph and remote servers.

Each case loads, dumps, lists, replaces and queries through the public API (:func:`probkg.api.load`,
:meth:`Store.dump`, :meth:`Store.graph_sizes`, :meth:`Store.query`), so a backend that behaves
differently fails here. The remote backend runs against an Oxigraph server and against Virtuoso on
loopback (the server fixtures of ``test_remote.py``; skipped, naming the binary, when one is absent).
On the embedded store an N-Quads file goes through the streaming bulk path, elsewhere through the
in-memory path: the outcome must be the same.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.term import Node
from test_remote import oxigraph_server, virtuoso_credentials, virtuoso_server  # noqa: F401 (fixtures)

from probkg import api
from probkg.errors import EndpointError, ValidationFailed
from probkg.graph._oxterms import to_rdflib
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.graph.remote import TMP_GRAPH_PREFIX, RemoteStore
from probkg.graph.store import MemoryStore, OxigraphStore

pytestmark = pytest.mark.slow  # about 50 s over the four backends (servers started once per module)

ID = "https://w3id.org/probation-kg/id/"
DEF = "https://w3id.org/probation-kg/def#"
G_A = ID + "graph/contract-a"
G_B = ID + "graph/contract-b"

PREFIXES = f"""@prefix prob: <{DEF}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
"""

GRAPH_A = f"""<{G_A}> {{
  <{ID}org/contract-crc> a prob:CommunityRehabilitationCompany ;
    skos:prefLabel "Contract Community Rehabilitation Company"@en ;
    skos:altLabel "Contract CRC"@en ;
    prob:kind "CRC" ;
    dct:spatial <{ID}area/contract-area> ;
    ex:note [ ex:text "a blank node, with a \\"quote\\" and a line\\nbreak" ; ex:count 3 ] .
  <{ID}area/contract-area> a prob:Area ;
    skos:prefLabel "Contract área (Nörth)"@en ;
    ex:checked "2019-03-01"^^xsd:date .
}}
"""

GRAPH_B = f"""<{G_B}> {{
  <{ID}org/other-crc> a prob:CommunityRehabilitationCompany ;
    skos:prefLabel "LABEL"@en ;
    prob:kind "CRC" ;
    dct:spatial <{ID}area/other-area> .
  <{ID}area/other-area> a prob:Area ;
    skos:prefLabel "Other area"@en .
}}
"""

BAD_B = f"""<{G_B}> {{
  <{ID}org/nameless-crc> a prob:CommunityRehabilitationCompany ;
    prob:kind "NPS" .
}}
"""

BACKENDS = [
    "memory",
    "oxigraph",
    pytest.param("remote-oxigraph", marks=pytest.mark.server),
    pytest.param("remote-virtuoso", marks=pytest.mark.server),
]


def _clear(store: RemoteStore) -> None:
    names = list(store.graph_sizes()) + [
        str(r["g"])
        for r in store.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        if str(r["g"]).startswith(TMP_GRAPH_PREFIX)
    ]
    if names:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend (a remote server is emptied before and after the test)."""
    kind = request.param
    if kind == "memory":
        s: Store = MemoryStore()
    elif kind == "oxigraph":
        s = OxigraphStore(tmp_path / "store")
    elif kind == "remote-oxigraph":
        s = RemoteStore(request.getfixturevalue("oxigraph_server"))
    else:
        url = request.getfixturevalue("virtuoso_server")
        request.getfixturevalue("virtuoso_credentials")
        s = RemoteStore(url)
    if isinstance(s, RemoteStore):
        _clear(s)
    try:
        yield s
    finally:
        if isinstance(s, RemoteStore):
            _clear(s)
        s.close()


def _file(tmp_path: Path, name: str, *graphs: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + "".join(graphs), encoding="utf-8")
    return path


def _nquads(tmp_path: Path, source: Path, name: str) -> Path:
    """The same quads as ``source`` (TriG), written as N-Quads (the bulk path on the embedded store)."""
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TRIG))
    path = tmp_path / name
    with path.open("wb") as out:
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
    return path


Canon = dict[str, Any]


def _canon(quads: Iterable[tuple[Node, Node, Node, Node | None]]) -> Canon:
    """Quads by graph, each graph in a canonical form (blank node labels do not matter)."""
    graphs: dict[str, Graph] = {}
    for s, p, o, g in quads:
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return {g: to_isomorphic(graph) for g, graph in graphs.items()}


def _store_quads(store: Store, *, catalog: bool = False) -> Canon:
    return _canon(q for q in store.quads() if catalog or q[3] != CATALOG_GRAPH)


def _state(store: Store) -> tuple[Canon, dict[str, tuple[str | None, str | None, int]]]:
    """The data, and the catalogue without load times."""
    cat = {g: (i.sha256, i.source, i.triples) for g, i in store.catalog().items()}
    return _store_quads(store), cat


def _loaded(store: Store, tmp_path: Path) -> Path:
    path = _file(tmp_path, "contract.trig", GRAPH_A, GRAPH_B.replace("LABEL", "Other CRC"))
    outcomes = api.load(store, path)
    assert {o.status for o in outcomes} == {"added"}
    return path


# ---- load, load again ----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["trig", "nq"])
def test_load_then_load_again_changes_nothing(store: Store, tmp_path: Path, suffix: str) -> None:
    trig = _file(tmp_path, "contract.trig", GRAPH_A, GRAPH_B.replace("LABEL", "Other CRC"))
    path = trig if suffix == "trig" else _nquads(tmp_path, trig, "contract.nq")
    first = api.load(store, path)
    assert sorted(o.graph for o in first) == [G_A, G_B]
    assert {o.status for o in first} == {"added"}
    expected = _canon(
        (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), to_rdflib(q.graph_name))
        for q in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG)
    )
    loaded = _store_quads(store)
    for g, graph in expected.items():  # every quad of the file is there (inferred ones come on top)
        ground = {t for t in graph if not any(isinstance(x, BNode) for x in t)}
        assert ground <= set(loaded[g]), g
        blank = [(s, p, o, None) for s, p, o in graph if (s, p, o) not in ground]
        stored = [(s, p, o, None) for s, p, o in loaded[g] if any(isinstance(x, BNode) for x in (s, p, o))]
        assert _canon(blank) == _canon(stored), g
    state = _state(store)
    again = api.load(store, path)
    assert {o.status for o in again} == {"unchanged"}
    assert _state(store) == state


@pytest.mark.parametrize("suffix", ["trig", "nq"])
def test_the_graphs_of_one_file_may_cite_each_other(store: Store, tmp_path: Path, suffix: str) -> None:
    """The provider in one graph serves an area typed only in the other: valid as a whole, on every path."""
    citing = f"""<{G_B}> {{
      <{ID}org/citing-crc> a prob:CommunityRehabilitationCompany ;
        skos:prefLabel "Citing CRC"@en ; prob:kind "CRC" ; dct:spatial <{ID}area/contract-area> .
    }}
    """
    trig = _file(tmp_path, "citing.trig", GRAPH_A, citing)
    path = trig if suffix == "trig" else _nquads(tmp_path, trig, "citing.nq")
    assert {o.status for o in api.load(store, path)} == {"added"}
    assert set(store.catalog()) == {G_A, G_B}


# ---- dumps ---------------------------------------------------------------------------------------------
QUAD_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
TRIPLE_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE}


@pytest.mark.parametrize("fmt", [*QUAD_FORMATS, *TRIPLE_FORMATS])
def test_every_dump_format_reads_back_to_the_same_data(store: Store, tmp_path: Path, fmt: str) -> None:
    _loaded(store, tmp_path)
    buf = io.BytesIO()
    store.dump(buf, fmt)
    back = list(ox.parse(buf.getvalue(), QUAD_FORMATS.get(fmt) or TRIPLE_FORMATS[fmt]))
    quads = [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object), q.graph_name) for q in back]
    data = _store_quads(store)
    if fmt in QUAD_FORMATS:
        assert _canon((s, p, o, to_rdflib(g)) for s, p, o, g in quads) == data
    else:  # the union of the data graphs, each triple once
        union = [(s, p, o, None) for s, p, o, _ in quads]
        assert len(union) == len(set(union))
        expected = _canon((s, p, o, None) for g in data.values() for s, p, o in g)
        assert _canon(union) == expected
    with_catalog = io.BytesIO()
    store.dump(with_catalog, "nq", include_catalog=True)
    names = {q.graph_name.value for q in ox.parse(with_catalog.getvalue(), ox.RdfFormat.N_QUADS)}
    assert names == {G_A, G_B, str(CATALOG_GRAPH)}


# ---- listing, replacement ------------------------------------------------------------------------------
def test_named_graphs_are_listed_with_their_catalogue(store: Store, tmp_path: Path) -> None:
    path = _loaded(store, tmp_path)
    sizes = store.graph_sizes()
    assert set(sizes) == {G_A, G_B, str(CATALOG_GRAPH)}
    catalog = store.catalog()
    assert set(catalog) == {G_A, G_B}
    assert {catalog[g].source for g in catalog} == {str(path.resolve())}
    assert all(catalog[g].triples == sizes[g] for g in catalog)
    assert store.triple_count() == sizes[G_A] + sizes[G_B]


def test_a_changed_file_replaces_its_graphs(store: Store, tmp_path: Path) -> None:
    _loaded(store, tmp_path)
    a_before = _store_quads(store)[G_A]
    old_sha = store.catalog()[G_B].sha256
    path = _file(tmp_path, "contract.trig", GRAPH_A, GRAPH_B.replace("LABEL", "Renamed CRC"))
    outcomes = api.load(store, path)
    assert {o.status for o in outcomes} == {"replaced"}
    labels = {
        str(row[0])  # type: ignore[index]
        for row in store.query(
            f"SELECT ?l WHERE {{ GRAPH <{G_B}> {{ <{ID}org/other-crc> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } }"
        )
    }
    assert labels == {"Renamed CRC"}
    assert _store_quads(store)[G_A] == a_before
    assert store.catalog()[G_B].sha256 != old_sha
    assert set(store.graph_sizes()) == {G_A, G_B, str(CATALOG_GRAPH)}


# ---- failures leave the store as it was ----------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["trig", "nq"])
def test_a_multi_graph_file_failing_in_its_second_graph_changes_nothing(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    _loaded(store, tmp_path)
    before = _state(store)
    a2 = GRAPH_A.replace("Contract CRC", "Changed CRC")
    trig = _file(tmp_path, "partial.trig", a2, BAD_B)
    path = trig if suffix == "trig" else _nquads(tmp_path, trig, "partial.nq")
    with pytest.raises(ValidationFailed):
        api.load(store, path)
    assert _state(store) == before


class _Boom(Exception):
    pass


def _exploding(triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[tuple[Node, Node, Node]]:
    yield from triples
    raise _Boom("the second graph's data broke off")


def test_a_write_failing_part_way_changes_nothing(store: Store, tmp_path: Path) -> None:
    """``commit_many`` itself: the second graph's data fails after the first graph was handed over."""
    _loaded(store, tmp_path)
    before = _state(store)
    graphs = store.graph_sizes()
    writes = [
        (URIRef(G_A), [(URIRef(ID + "x"), URIRef(DEF + "kind"), URIRef(ID + "y"))], []),
        (URIRef(G_B), _exploding([(URIRef(ID + "z"), URIRef(DEF + "kind"), URIRef(ID + "y"))]), []),
    ]
    with pytest.raises(_Boom):
        store.commit_many(writes, drop=[URIRef(G_A)])  # type: ignore[arg-type]
    assert _state(store) == before
    assert store.graph_sizes() == graphs
    if isinstance(store, RemoteStore):
        rows = store.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert not [r for r in rows if str(r["g"]).startswith(TMP_GRAPH_PREFIX)]


def test_a_switch_applied_in_part_is_undone(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that applies part of an update and then fails (as Virtuoso does) gets the old graphs back."""
    if not isinstance(store, RemoteStore):
        pytest.skip("the embedded and in-memory stores switch in one transaction")
    _loaded(store, tmp_path)
    before = _state(store)
    if store.server == "oxigraph":
        monkeypatch.setattr(store, "_server", "generic")  # take the path other servers take
    real = store.update

    def half(sparql: str) -> None:
        if "MOVE SILENT" in sparql:
            ops = sparql.split(" ;\n")
            real(" ;\n".join(ops[: len(ops) // 2]))
            raise EndpointError("connection lost half-way (simulated)")
        real(sparql)

    monkeypatch.setattr(store, "update", half)
    path = _file(
        tmp_path, "contract.trig", GRAPH_A.replace("Contract CRC", "X"), GRAPH_B.replace("LABEL", "Y")
    )
    with pytest.raises(EndpointError, match="simulated"):
        api.load(store, path)
    monkeypatch.setattr(store, "update", real)
    assert _state(store) == before
    rows = store.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in rows if str(r["g"]).startswith(TMP_GRAPH_PREFIX)]


# ---- queries -------------------------------------------------------------------------------------------
QUERIES = {
    "select": f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?org ?label ?area WHERE {{
          ?org a <{DEF}CommunityRehabilitationCompany> ; skos:prefLabel ?label .
          OPTIONAL {{ ?org <http://purl.org/dc/terms/spatial> ?area }}
        }} ORDER BY ?org ?label""",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "count": f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o a <{DEF}CommunityRehabilitationCompany> }}",
    "ask": f'ASK {{ <{ID}org/contract-crc> <{DEF}kind> "CRC" }}',
    "construct": f"CONSTRUCT {{ ?o <{DEF}kind> ?k }} WHERE {{ ?o <{DEF}kind> ?k }}",
}


def _answer(store: Store, sparql: str) -> object:
    result = store.query(sparql)
    if result.type == "ASK":
        return result.askAnswer
    if result.type == "CONSTRUCT":
        return to_isomorphic(result.graph)  # type: ignore[arg-type]
    rows = [tuple(row) for row in result]
    return [tuple(str(v) if v is not None else None for v in row) for row in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The answers of the in-memory store, which every backend must give."""
    s = MemoryStore()
    _loaded(s, tmp_path_factory.mktemp("reference"))
    return {name: _answer(s, q) for name, q in QUERIES.items()}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_answers_are_the_same_on_every_backend(
    store: Store, tmp_path: Path, reference: dict[str, object], name: str
) -> None:
    _loaded(store, tmp_path)
    answer = _answer(store, QUERIES[name])
    if name == "graphs":  # the catalogue's size depends on nothing but the graphs: compare the data graphs
        answer = [r for r in answer if r[0] != str(CATALOG_GRAPH)]  # type: ignore[attr-defined]
        expected = [r for r in reference[name] if r[0] != str(CATALOG_GRAPH)]  # type: ignore[attr-defined]
        assert answer == expected
    else:
        assert answer == reference[name]


def test_a_memory_write_failing_half_done_puts_the_old_graphs_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-memory store's change breaks off after its first graph was replaced (say, Ctrl-C)."""
    store = MemoryStore()
    _loaded(store, tmp_path)
    before = _state(store)
    real = store._ds.remove_graph
    calls: list[object] = []

    def interrupted(graph: object) -> object:
        calls.append(graph)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(graph)  # type: ignore[arg-type]

    monkeypatch.setattr(store._ds, "remove_graph", interrupted)
    path = _file(
        tmp_path, "contract.trig", GRAPH_A.replace("Contract CRC", "X"), GRAPH_B.replace("LABEL", "Y")
    )
    with pytest.raises(KeyboardInterrupt):
        api.load(store, path)
    monkeypatch.setattr(store._ds, "remove_graph", real)
    assert len(calls) >= 2
    assert _state(store) == before


def test_a_remote_quads_file_whose_second_upload_fails_changes_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """:meth:`RemoteStore.insert_quads_file` replaces the graphs of a file all or nothing too."""
    if not isinstance(store, RemoteStore):
        pytest.skip("a remote store's streaming upload")
    _loaded(store, tmp_path)
    before = _state(store)
    real = store._upload
    calls: list[URIRef] = []

    def fails_second(graph: URIRef, payload: Any) -> None:
        calls.append(graph)
        if len(calls) == 2:
            raise EndpointError("upload refused (simulated)")
        real(graph, payload)

    monkeypatch.setattr(store, "_upload", fails_second)
    trig = _file(tmp_path, "new.trig", GRAPH_A.replace("Contract CRC", "X"), GRAPH_B.replace("LABEL", "Y"))
    with pytest.raises(EndpointError, match="simulated"):
        store.insert_quads_file(str(_nquads(tmp_path, trig, "new.nq")))
    assert _state(store) == before
    rows = store.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not [r for r in rows if str(r["g"]).startswith(TMP_GRAPH_PREFIX)]


def test_the_cli_refuses_a_partly_bad_trig_on_a_remote_store_and_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    """``probkg load FILE --endpoint URL``: exit 1, one error line, the server's graphs as they were."""
    if not isinstance(store, RemoteStore):
        pytest.skip("--endpoint")
    from click.testing import CliRunner

    from probkg.cli import cli

    _loaded(store, tmp_path)
    before = _state(store)
    path = _file(tmp_path, "partial.trig", GRAPH_A.replace("Contract CRC", "Changed CRC"), BAD_B)
    result = CliRunner().invoke(cli, ["load", str(path), "--endpoint", store.endpoint])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("probkg: error: ")
    assert "partial.trig" in lines[0]
    assert _state(store) == before

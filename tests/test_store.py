"""Both store backends: the write path (checksums, inference, validation, atomic replace), reads and dumps."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from probkg.errors import InputError, StoreError, ValidationFailed
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.graph.store import MemoryStore, OxigraphStore, default_store_path, open_store
from probkg.loaders.base import LoadUnit
from probkg.loaders.rdf import load_rdf
from probkg.loading import load_unit
from probkg.ontology.namespaces import ORG, PROB, RDF, RDFS, SKOS
from probkg.validation.inference import Rules, materialise

RDF_DIR = Path(__file__).resolve().parent / "resources" / "rdf"
CRC = URIRef("https://w3id.org/probation-kg/id/org/example-crc")
EXAMPLE_GRAPH = URIRef("https://w3id.org/probation-kg/id/graph/example")


@pytest.fixture(params=["memory", "oxigraph"])
def store(request, tmp_path) -> Store:
    s: Store = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path / "store")
    yield s
    s.close()


def unit(name: str) -> LoadUnit:
    (u,) = load_rdf(RDF_DIR / name)
    return u


def snapshot(store: Store) -> tuple[dict[str, int], set]:
    return store.graph_sizes(), set(store.quads(CATALOG_GRAPH))


# ---- write path -----------------------------------------------------------------------------------
def test_load_adds_the_graph_with_its_inferences_and_a_catalogue_entry(store):
    u = unit("example.ttl")
    outcome = load_unit(store, u)
    assert outcome.status == "added"
    assert outcome.graph == str(u.graph)
    assert outcome.before == 0
    size = store.graph_sizes()[str(u.graph)]
    assert outcome.triples == size == outcome.after == store.triple_count()
    assert size > len(u.triples)  # the RDFS consequences were added to the same graph
    info = store.catalog()[str(u.graph)]
    assert info.sha256 == u.checksum
    assert info.loader == "rdf"
    assert info.source == u.source
    assert info.triples == size
    assert info.loaded_at


def test_loading_the_same_checksum_again_changes_nothing(store):
    load_unit(store, unit("example.ttl"))
    before = snapshot(store)
    outcome = load_unit(store, unit("example.ttl"))
    assert outcome.status == "unchanged"
    assert outcome.before == outcome.after
    assert snapshot(store) == before


def test_a_new_checksum_replaces_the_named_graph(store, tmp_path):
    load_unit(store, unit("example.trig"))
    changed = tmp_path / "example.trig"
    text = (RDF_DIR / "example.trig").read_text(encoding="utf-8")
    text = text.replace('"Example CRC"@en', '"Sample CRC"@en')
    changed.write_text(text, encoding="utf-8")
    (u,) = load_rdf(changed)
    assert u.graph == EXAMPLE_GRAPH
    outcome = load_unit(store, u)
    assert outcome.status == "replaced"
    labels = set(store.graph(EXAMPLE_GRAPH).objects(CRC, SKOS.altLabel))
    assert labels == {Literal("Sample CRC", lang="en")}
    assert store.catalog()[str(EXAMPLE_GRAPH)].sha256 == u.checksum
    assert outcome.after == outcome.before == store.triple_count()


def test_a_changed_file_supersedes_its_earlier_file_graph(store, tmp_path):
    path = tmp_path / "crc.ttl"
    original = (RDF_DIR / "example.ttl").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    first = load_unit(store, load_rdf(path)[0])
    path.write_text(original.replace('"Example CRC"@en', '"Sample CRC"@en'), encoding="utf-8")
    second = load_unit(store, load_rdf(path)[0])
    assert second.graph != first.graph
    assert second.status == "added"
    assert second.superseded == (first.graph,)
    assert first.graph not in store.graph_sizes()
    assert first.graph not in store.catalog()
    assert store.triple_count() == second.triples


def test_drop_removes_graph_and_catalogue_entry(store):
    u = unit("example.ttl")
    load_unit(store, u)
    gone = store.drop(u.graph)
    assert gone > 0
    assert str(u.graph) not in store.graph_sizes()
    assert store.catalog() == {}
    assert store.triple_count() == 0
    store.drop(u.graph)  # dropping an absent graph is not an error


def test_a_failing_validation_leaves_the_store_unchanged(store):
    load_unit(store, unit("example.ttl"))
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as info:
        load_unit(store, unit("violating.ttl"))
    assert snapshot(store) == before
    message = str(info.value)
    assert "nameless-crc" in message
    assert "violation" in message
    assert info.value.report is not None
    assert not info.value.report.conforms


def test_validation_sees_what_the_store_already_holds(store):
    reference = unit("reference.ttl")
    with pytest.raises(ValidationFailed, match="example-crc"):
        load_unit(store, reference)
    assert store.graph_sizes() == {}
    load_unit(store, unit("example.ttl"))
    assert load_unit(store, reference).status == "added"


def test_the_catalogue_graph_cannot_be_loaded_or_dropped(store):
    bad = LoadUnit(CATALOG_GRAPH, Graph(), "0" * 64, "test", "rdf")
    with pytest.raises(InputError):
        load_unit(store, bad)
    with pytest.raises(InputError):
        store.drop(CATALOG_GRAPH)


def test_loading_without_validation_still_materialises(store):
    outcome = load_unit(store, unit("violating.ttl"), validate=False)
    assert outcome.status == "added"
    nameless = URIRef("https://w3id.org/probation-kg/id/org/nameless-crc")
    assert store.query(f"ASK {{ {nameless.n3()} a prob:ProbationProvider }}").askAnswer


# ---- reading --------------------------------------------------------------------------------------
def test_default_graph_is_the_union_of_the_named_graphs(store):
    load_unit(store, unit("example.ttl"))
    load_unit(store, unit("reference.ttl"))
    result = store.query("SELECT ?label WHERE { ?m org:organization ?o . ?o skos:prefLabel ?label }")
    assert [row[0] for row in result] == [Literal("Example Community Rehabilitation Company", lang="en")]


def test_a_query_with_from_sees_only_the_graphs_it_names(store):
    # Regression: the Oxigraph store used the union default graph even when a query named its own
    # dataset, so FROM was ignored and counts covered every graph.
    first, second = unit("example.ttl"), unit("reference.ttl")
    load_unit(store, first)
    load_unit(store, second)
    count = f"SELECT (COUNT(*) AS ?n) FROM <{first.graph}> WHERE {{ ?s ?p ?o }}"
    (row,) = list(store.query(count))
    assert int(row[0]) == store.graph_sizes()[str(first.graph)]
    (everything,) = list(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o # from nowhere\n }"))
    assert int(everything[0]) > int(row[0])


def test_inference_makes_a_crc_a_probation_provider_inside_its_own_graph(store):
    u = unit("example.ttl")
    assert (CRC, RDF.type, PROB.ProbationProvider) not in u.triples
    load_unit(store, u)
    assert store.query(f"ASK {{ {CRC.n3()} a prob:ProbationProvider }}").askAnswer
    assert store.query(f"ASK {{ {CRC.n3()} a org:Organization }}").askAnswer
    graphs = store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ {CRC.n3()} a prob:ProbationProvider }} }}")
    assert [row[0] for row in graphs] == [u.graph]
    store.drop(u.graph)
    assert not store.query(f"ASK {{ {CRC.n3()} a prob:ProbationProvider }}").askAnswer


def test_strings_read_back_as_plain_literals(store):
    load_unit(store, unit("example.ttl"))
    rows = list(store.query(f"SELECT ?k WHERE {{ {CRC.n3()} prob:kind ?k }}"))
    assert rows[0][0] == Literal("CRC")
    assert rows[0][0].datatype is None
    assert (CRC, PROB.kind, Literal("CRC")) in store.graph(unit("example.ttl").graph)


def test_construct_and_ask_results(store):
    load_unit(store, unit("example.ttl"))
    built = store.query("CONSTRUCT { ?s skos:altLabel ?l } WHERE { ?s skos:altLabel ?l }")
    assert set(built.graph) == {(CRC, SKOS.altLabel, Literal("Example CRC", lang="en"))}
    assert store.query("ASK { ?s a prob:Area }").askAnswer is True


def test_dump_nquads_round_trips(store):
    load_unit(store, unit("example.trig"))
    out = io.BytesIO()
    store.dump(out, "nq")
    ds = Dataset()
    ds.parse(data=out.getvalue().decode("utf-8"), format="nquads")
    dumped = ds.graph(EXAMPLE_GRAPH)
    assert isomorphic(dumped, store.graph(EXAMPLE_GRAPH))
    assert str(CATALOG_GRAPH) not in out.getvalue().decode("utf-8")


@pytest.mark.parametrize("fmt", ["trig", "nt", "ttl", "jsonld"])
def test_dump_other_formats_parse_back(store, fmt):
    u = unit("example.ttl")
    load_unit(store, u)
    out = io.BytesIO()
    store.dump(out, fmt)
    rdflib_format = {"trig": "trig", "nt": "nt", "ttl": "turtle", "jsonld": "json-ld"}[fmt]
    if fmt in ("trig", "jsonld"):  # dataset formats keep the graph names
        ds = Dataset()
        ds.parse(data=out.getvalue().decode("utf-8"), format=rdflib_format)
        back = ds.graph(u.graph)
    else:
        back = Graph().parse(data=out.getvalue().decode("utf-8"), format=rdflib_format)
    assert isomorphic(back, store.graph(u.graph))


# ---- Oxigraph specifics ---------------------------------------------------------------------------
def test_oxigraph_data_persists_across_reopen(tmp_path):
    path = tmp_path / "store"
    s = OxigraphStore(path)
    load_unit(s, unit("example.ttl"))
    sizes = s.graph_sizes()
    s.close()
    again = OxigraphStore(path)
    try:
        assert again.graph_sizes() == sizes
        assert load_unit(again, unit("example.ttl")).status == "unchanged"
    finally:
        again.close()


def test_a_store_in_use_raises_store_error(tmp_store):
    with pytest.raises(StoreError, match="in use"):
        OxigraphStore(tmp_store.location)


def test_a_file_is_not_a_store_directory(tmp_path):
    path = tmp_path / "file"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(StoreError, match="not a directory"):
        OxigraphStore(path)


def test_malformed_sparql_is_a_query_error(store):
    from probkg.errors import QueryError

    with pytest.raises(QueryError, match="syntax"):
        store.query("SELECT ?s WHERE { ?s ")


# ---- opening --------------------------------------------------------------------------------------
def test_store_location_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PROBKG_STORE", str(tmp_path / "env-store"))
    assert default_store_path() == tmp_path / "env-store"
    monkeypatch.delenv("PROBKG_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "probkg" / "store"
    s = open_store()
    try:
        assert isinstance(s, OxigraphStore)
        assert s.path == tmp_path / "xdg" / "probkg" / "store"
    finally:
        s.close()


def test_open_store_refuses_two_backends(tmp_path):
    with pytest.raises(InputError, match="choose one"):
        open_store(tmp_path / "s", memory=True)
    assert isinstance(open_store(memory=True), MemoryStore)


# ---- inference rules on their own -----------------------------------------------------------------
def test_rules_are_transitive_and_add_only_missing_triples():
    onto = Graph()
    a, b, c = URIRef("http://example.org/A"), URIRef("http://example.org/B"), URIRef("http://example.org/C")
    p, q = URIRef("http://example.org/p"), URIRef("http://example.org/q")
    x, y = URIRef("http://example.org/x"), URIRef("http://example.org/y")
    onto.add((a, RDFS.subClassOf, b))
    onto.add((b, RDFS.subClassOf, c))
    onto.add((c, RDFS.subClassOf, a))  # a cycle must not loop or make a class its own superclass
    onto.add((p, RDFS.subPropertyOf, q))
    rules = Rules.from_graph(onto)
    data = Graph()
    data.add((x, RDF.type, a))
    data.add((x, RDF.type, b))
    data.add((x, p, y))
    assert materialise(data, rules) == {(x, RDF.type, c), (x, q, y)}


def test_shipped_rules_know_the_provider_hierarchy():
    from probkg.validation.inference import default_rules

    supers = default_rules().superclasses[PROB.CommunityRehabilitationCompany]
    assert PROB.ProbationProvider in supers
    assert ORG.Organization in supers


def test_context_lookup_agrees_with_the_portable_sparql_version(store):
    load_unit(store, unit("example.ttl"))
    load_unit(store, unit("reference.ttl"))
    ref = unit("reference.ttl").graph
    membership = URIRef("https://w3id.org/probation-kg/id/membership/example-reference")
    fast = set(store.context_triples([CRC, membership], exclude=[ref]))
    portable = set(Store.context_triples(store, [CRC, membership], exclude=[ref]))
    assert fast == portable
    assert (CRC, SKOS.altLabel, Literal("Example CRC", lang="en")) in fast
    area = URIRef("https://w3id.org/probation-kg/id/area/example-area")
    assert (area, RDF.type, PROB.Area) in fast  # the type of an object one hop away
    assert not any(s == membership for s, _, _ in fast)  # its own graph is excluded


def test_raw_sparql_update_writes_into_a_named_graph(store):
    from probkg.errors import QueryError

    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> skos:prefLabel 'A'@en } }"
    )
    assert store.graph_sizes() == {"http://example.org/g": 1}
    with pytest.raises(QueryError):
        store.update("INSERT DATA { broken")
    assert store.graph_sizes() == {"http://example.org/g": 1}


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", True),
        ("select * from named <http://example.org/g> where { graph ?g { ?s ?p ?o } }", True),
        ("SELECT ?from WHERE { ?s ex:from ?from }", False),
        ('SELECT * WHERE { ?s ?p "taken from the report" } # from here', False),
        ("SELECT * WHERE { <http://example.org/FROM#from> ?p ?o }", False),
        ("SELECT * WHERE { ?s ?p '''it's from''' }", False),
    ],
)
def test_dataset_clauses_are_told_apart_from_the_word_in_names_and_strings(sparql, expected):
    from probkg.graph.store import _has_dataset_clause

    assert _has_dataset_clause(sparql) is expected

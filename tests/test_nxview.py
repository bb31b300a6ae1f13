"""The networkx view: resources as nodes, literals as attributes, folded n-ary structures, analytics."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from probkg.errors import InputError
from probkg.exports.nxview import (
    VIEWS,
    criticism_by_owner,
    curie,
    degree_table,
    owner_portfolio,
    to_networkx,
)
from probkg.graph.base import CATALOG_GRAPH, Store

FIXTURE = Path(__file__).parent / "resources" / "viz-sample.trig"
ID = "https://w3id.org/probation-kg/id/"
PLAIN = (str, int, float, bool)


def fixture_dataset() -> Dataset:
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    return ds


def load_fixture(store: Store) -> Store:
    """Write the fixture's data graphs into ``store`` (its catalogue is the store's own business)."""
    for g in fixture_dataset().graphs():
        if isinstance(g.identifier, URIRef) and g.identifier != CATALOG_GRAPH and len(g):
            store.replace_graph(g.identifier, list(g))
    return store


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def G(ds):
    return to_networkx(ds)


def test_domain_view_holds_exactly_the_domain_resources(G):
    expected = {
        ID + s
        for s in (
            "org/london-crc",
            "org/thames-valley-crc",
            "org/wales-crc",
            "org/nps",
            "org/nps-london",
            "org/mtcnovo",
            "org/working-links",
            "org/seetec",
            "org/hmi-probation",
            "area/london",
            "area/north-london",
            "person/glenys-stacey",
            "inspection/2016-12-north-london",
            "finding/test-north-london/aaaaaaaaaaa1",
            "finding/test-north-london/aaaaaaaaaaa2",
            "finding/test-north-london/aaaaaaaaaaa3",
        )
    }
    assert set(G.nodes) == expected
    assert {d["category"] for _, d in G.nodes(data=True)} == set(VIEWS["domain"])


def test_no_literal_becomes_a_node(ds, G):
    literals = {str(o) for o in ds.objects() if isinstance(o, Literal)}
    assert not literals & set(G.nodes)
    # "CRC" is shared by three providers: an attribute on each, never a hub
    crcs = [n for n, d in G.nodes(data=True) if d.get("prob:kind") == "CRC"]
    assert len(crcs) == 3


def test_every_id_and_attribute_is_a_plain_value(ds):
    for view in ("domain", "all"):
        for memberships in ("edges", "nodes", "both"):
            graph = to_networkx(ds, include=view, memberships=memberships)
            for n, data in graph.nodes(data=True):
                assert type(n) is str
                for key, value in data.items():
                    assert type(key) is str
                    assert type(value) in PLAIN, (n, key, value)
            for u, v, k, data in graph.edges(keys=True, data=True):
                assert type(u) is str
                assert type(v) is str
                assert type(k) is str
                for key, value in data.items():
                    assert type(key) is str
                    assert type(value) in PLAIN, (u, v, key, value)
            assert all(type(v) in PLAIN for v in graph.graph.values())


def test_types_labels_and_literal_attributes(G):
    crc = G.nodes[ID + "org/london-crc"]
    assert crc["kind"] == "CommunityRehabilitationCompany"  # not org:Organization or ProbationProvider
    assert crc["category"] == "organisation"
    assert crc["types"] == "prob:CommunityRehabilitationCompany"
    assert crc["label"] == "London Community Rehabilitation Company"
    assert crc["skos:altLabel"] == "London CRC | the London CRC"
    assert crc["dct:source"].startswith("https://www.justiceinspectorates.gov.uk/")
    assert G.nodes[ID + "person/glenys-stacey"]["kind"] == "Person"
    assert G.nodes[ID + "person/glenys-stacey"]["label"] == "Dame Glenys Stacey"
    assert G.nodes[ID + "org/seetec"]["prob:unverified"] is True
    assert G.nodes[ID + "inspection/2016-12-north-london"]["prob:publicationDate"] == "2016-12-14"


def test_evidence_is_folded_into_the_finding(G):
    finding = G.nodes[ID + "finding/test-north-london/aaaaaaaaaaa1"]
    assert finding["evidence_start"] == 120
    assert finding["evidence_end"] == 143
    assert finding["evidence_quote"] == "caseloads were too high"
    assert finding["evidence_source"] == "id:doc/test-north-london"
    assert finding["prob:polarity"] == "prob:Critical"
    assert finding["prob:theme"] == "prob:StaffingWorkload"
    # labelled by its quote and the provider it is about, never by an id
    assert finding["label"] == "caseloads were too high (London Community Rehabilitation Company)"
    for n, d in G.nodes(data=True):
        if d["category"] == "finding":
            assert n.rsplit("/", 1)[-1] not in d["label"]
    assert not [n for n in G.nodes if "/evidence/" in n or "#" in n]


def test_ownership_becomes_dated_owner_to_provider_edges(G):
    owns = [(u, v, d) for u, v, d in G.edges(data=True) if d["predicate"] == "prob:Ownership"]
    pairs = {(u.rsplit("/", 1)[1], v.rsplit("/", 1)[1]) for u, v, _ in owns}
    assert pairs == {
        ("mtcnovo", "london-crc"),
        ("mtcnovo", "thames-valley-crc"),
        ("working-links", "wales-crc"),
        ("seetec", "wales-crc"),
    }
    seetec = next(d for u, _, d in owns if u.endswith("/seetec"))
    assert seetec["begin"] == "2019-02-01"
    assert "end" not in seetec  # still held: no invented end
    assert seetec["label"] == "owns"
    assert seetec["via"] == ID + "ownership/wales-crc/seetec/2019-02"
    assert not [n for n in G.nodes if "/ownership/" in n]


def test_appointment_blank_node_gets_a_stable_id(ds):
    def appointment_ids(graph):
        return sorted(d["via"] for _, _, d in graph.edges(data=True) if d["predicate"] == "prob:Appointment")

    first = appointment_ids(to_networkx(ds))
    again = appointment_ids(to_networkx(fixture_dataset()))  # new parse, new blank node labels
    assert first == again
    assert first[0].startswith("_:b")


def test_memberships_can_be_kept_as_nodes(ds):
    nodes = to_networkx(ds, memberships="nodes")
    ownership = ID + "ownership/london-crc/mtcnovo/2015-02"
    assert nodes.nodes[ownership]["begin"] == "2015-02-01"
    assert nodes.nodes[ownership]["end"] == "2021-06-01"
    assert nodes.has_edge(ownership, ID + "org/mtcnovo")
    assert not any(d["predicate"] == "prob:Ownership" for *_, d in nodes.edges(data=True))
    both = to_networkx(ds, memberships="both")
    assert ownership in both
    assert any(d["predicate"] == "prob:Ownership" for *_, d in both.edges(data=True))


def test_edges_have_unique_keys_predicate_and_label(G):
    keys = [k for _, _, k in G.edges(keys=True)]
    assert len(keys) == len(set(keys))
    for _, _, k, d in G.edges(keys=True, data=True):
        assert d["id"] == k
        assert d["predicate"]
        assert ":" in d["predicate"]
        assert d["label"]
    labels = {d["predicate"]: d["label"] for *_, d in G.edges(data=True)}
    assert labels["geo:sfWithin"] == "within"
    assert labels["prob:aboutProvider"] == "about provider"


def test_views_and_categories(ds):
    every = to_networkx(ds, include="all")
    kinds = {d["kind"] for _, d in every.nodes(data=True)}
    assert {"PressRelease", "Rating", "Figure"} <= kinds
    assert "LoadedGraph" not in kinds  # the store's catalogue is bookkeeping, not data
    rating = every.nodes[ID + "rating/test-north-london/ccccccccccc1"]
    assert rating["label"] == "rating: requires improvement"
    figure = every.nodes[ID + "figure/test-north-london/ddddddddddd1"]
    assert figure["prob:value"] == 29400
    only = to_networkx(ds, include="organisation,area")
    assert {d["category"] for _, d in only.nodes(data=True)} == {"organisation", "area"}
    with pytest.raises(InputError, match="unknown node category"):
        to_networkx(ds, include="organisation,widgets")
    with pytest.raises(InputError, match="memberships"):
        to_networkx(ds, memberships="sometimes")


def _snapshot(graph):
    return (
        sorted((n, sorted(d.items())) for n, d in graph.nodes(data=True)),
        sorted((u, v, k, sorted(d.items())) for u, v, k, d in graph.edges(keys=True, data=True)),
    )


def test_stores_and_datasets_give_the_same_graph(ds, memory_store, tmp_store):
    expected = _snapshot(to_networkx(ds))
    assert _snapshot(to_networkx(load_fixture(memory_store))) == expected
    assert _snapshot(to_networkx(load_fixture(tmp_store))) == expected


def test_degree_table(G):
    rows = degree_table(G)
    assert rows[0]["id"] == ID + "inspection/2016-12-north-london"
    assert rows[0]["degree"] == rows[0]["in"] + rows[0]["out"] == 8
    assert [r["degree"] for r in rows] == sorted((r["degree"] for r in rows), reverse=True)
    assert len(degree_table(G, limit=3)) == 3


def test_owner_portfolio(G):
    rows = {r["owner_label"]: r for r in owner_portfolio(G)}
    assert rows["MTCnovo"]["count"] == 2
    assert [p["label"] for p in rows["MTCnovo"]["providers"]] == [
        "London Community Rehabilitation Company",
        "Thames Valley Community Rehabilitation Company",
    ]
    in_2018 = {r["owner_label"] for r in owner_portfolio(G, on="2018-06-01")}
    assert in_2018 == {"MTCnovo", "Working Links"}
    in_2019 = {r["owner_label"] for r in owner_portfolio(G, on="2019-06-01")}
    assert in_2019 == {"MTCnovo", "Seetec"}
    assert owner_portfolio(G, on="2014-01-01") == []


def test_criticism_by_owner_counts_findings_while_owned(G):
    rows = criticism_by_owner(G)
    assert [r["owner_label"] for r in rows] == ["MTCnovo"]  # the NPS finding has no owner
    assert rows[0]["critical"] == 2
    assert rows[0]["positive"] == 0
    assert rows[0]["findings"] == 2
    assert rows[0]["providers"] == ["London Community Rehabilitation Company"]


def test_curie():
    assert curie(URIRef("https://w3id.org/probation-kg/def#Finding")) == "prob:Finding"
    assert curie(URIRef(ID + "org/nps")) == "id:org/nps"
    assert curie(URIRef("https://example.org/x")) == "https://example.org/x"

"""The inspectorate's rated record: loaded by ``probkg build`` into ``id:graph/record``, joined with the
curated accounts and the extracted press releases, and answered by the record's named queries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from probkg.api import build, load, validate
from probkg.errors import InputError
from probkg.graph.store import MemoryStore, OxigraphStore
from probkg.loaders import record as record_module
from probkg.loaders.record import RECORD_GRAPH, load_record, resolve_inspection, shipped_record_path
from probkg.ontology.namespaces import ID, PROB
from probkg.queries import run_named


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    s = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path_factory.mktemp("rec") / "s")
    build(s)
    yield s
    s.close()


def rows(store, name, **params):  # type: ignore[no-untyped-def]
    out = run_named(store, name, {k: str(v) for k, v in params.items()})
    return [
        {k: (None if v is None else str(v)) for k, v in zip(out.vars, row, strict=True)} for row in out.rows
    ]


def test_build_loads_the_record_into_its_own_graph_and_conforms(store):
    assert str(RECORD_GRAPH) in store.graph_sizes()
    assert validate(store).conforms


def test_ratings_by_programme_match_the_inspectorate_for_2018_19(store):
    got = {r["ratingLabel"]: r for r in rows(store, "ratings-by-programme", programme="2018/19")}
    expected = {"Outstanding": 0, "Good": 6, "Requires improvement": 21, "Inadequate": 1}
    assert {k: int(v["inGraph"]) for k, v in got.items()} == expected
    assert {k: int(v["inspectorateTotal"]) for k, v in got.items()} == expected
    assert {v["gap"] for v in got.values()} == {""}
    assert {int(v["shortfall"]) for v in got.values()} == {0}


def test_ratings_by_programme_shows_the_missing_2019_20_good_rating(store):
    got = {r["ratingLabel"]: r for r in rows(store, "ratings-by-programme", programme="2019/20")}
    assert (
        int(got["Good"]["inGraph"]),
        int(got["Good"]["inspectorateTotal"]),
        int(got["Good"]["shortfall"]),
    ) == (
        3,
        4,
        1,
    )
    assert int(got["Requires improvement"]["shortfall"]) == 0
    assert got["Good"]["gap"] == "1 Good rating(s) the inspectorate counted are not in the graph"
    assert got["Good"]["source"].endswith("/2020/12/par2020/")


def test_providers_by_rating_inadequate_is_dorset_devon_and_cornwall(store):
    found = rows(store, "providers-by-rating", rating="Inadequate")
    assert [r["provider"] for r in found] == [str(ID["org/dorset-devon-and-cornwall-crc"])]


def test_owner_league_lists_sodexos_six_crcs_with_their_2018_19_ratings(store):
    found = rows(store, "owner-league", date="2019-10-31", owner="Sodexo Justice Services")
    ratings = {r["provider"].rsplit("/", 1)[1]: r["ratingLabel"] for r in found}
    assert ratings == {
        "bedfordshire-northamptonshire-cambridgeshire-and-hertfordshire-crc": "Requires improvement",
        "cumbria-and-lancashire-crc": "Requires improvement",
        "essex-crc": "Requires improvement",
        "norfolk-and-suffolk-crc": "Requires improvement",
        "northumbria-crc": "Requires improvement",
        "south-yorkshire-crc": "Requires improvement",
    }


def test_owner_league_takes_the_latest_rating_on_the_date(store):
    found = rows(store, "owner-league", date="2020-06-30")
    by_provider = {r["provider"].rsplit("/", 1)[1]: r for r in found}
    assert by_provider["durham-tees-valley-crc"]["ratingLabel"] == "Good"
    assert by_provider["dorset-devon-and-cornwall-crc"]["ratingLabel"] == "Inadequate"


def test_rating_trajectory_of_durham_tees_valley(store):
    found = rows(store, "rating-trajectory", provider="Durham Tees Valley CRC")
    assert [(r["programme"], r["ratingLabel"]) for r in found] == [
        ("2018/19", "Requires improvement"),
        ("2019/20", "Good"),
    ]


def test_rated_record_cites_a_source_for_every_rating_and_flags_unverified_ones(store):
    found = rows(store, "rated-record")
    assert found
    assert all(r["source"] and r["source"].startswith("http") for r in found)
    unverified = {r["provider"].rsplit("/", 1)[1] for r in found if r["unverified"] == "true"}
    assert unverified == {"derbyshire-leicestershire-nottinghamshire-and-rutland-crc", "thames-valley-crc"}


def test_every_rating_node_cites_its_source_url():
    g = load_record().triples
    ratings = set(g.subjects(RDF.type, PROB.Rating))
    assert len(ratings) == 28 + 9 + 1
    for node in ratings:
        assert any(
            isinstance(u, URIRef) and str(u).startswith("http") for u in g.objects(node, DCTERMS.source)
        )


def test_curated_inspections_are_shared_not_duplicated():
    g = load_record().triples
    for slug in ("2018-03-london-crc", "2016-12-north-london"):
        node = ID["inspection/" + slug]
        assert (node, PROB.inProgramme, ID["programme/q-i"]) in g
        assert g.value(node, PROB.publicationDate) is None  # the curated account gives the dates
    assert list(g.subjects(PROB.inspected, None)) != []
    assert (ID["inspection/2016-12-north-of-london"], RDF.type, PROB.Inspection) not in g


def test_loading_the_record_twice_changes_nothing(memory_store):
    build(memory_store)
    before = memory_store.triple_count()
    outcomes = build(memory_store)
    assert {o.status for o in outcomes} == {"unchanged"}
    assert memory_store.triple_count() == before


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = shipped_record_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "inspections.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("rating: Inadequate", "rating: Dreadful", "inspections[8].rating: unknown value 'Dreadful'"),
        ("- dorset-devon-and-cornwall-crc", "- dorset-crc", "unknown provider slug 'dorset-crc'"),
        ("slug: 2016-12-north-london", "slug: 2016-12-north-of-london", "describes this inspection as"),
        ("previous_rating: Requires improvement", "previous_rating: Good", "differs from the rating"),
        ("Requires improvement: 21", "Requires improvement: lots", "expected a whole number"),
    ],
)
def test_bad_record_is_refused_with_file_line_and_field(tmp_path, memory_store, old, new, message):
    path = _broken(tmp_path, old, new)
    build(memory_store)
    before = memory_store.triple_count()
    with pytest.raises(InputError) as err:
        load(memory_store, path)
    text = str(err.value)
    assert message in text
    assert str(path) in text
    assert "\n" not in text
    assert memory_store.triple_count() == before


def test_resolver_matches_by_page_or_by_providers_and_month():
    essex = str(ID["org/essex-crc"])
    resolved = resolve_inspection([essex], "2018-10-10")
    assert resolved is not None
    assert resolved.iri == ID["inspection/2018-10-essex-crc"]
    assert resolved.label
    assert "Essex" in resolved.label
    assert resolve_inspection([essex], "2018-11") is None
    url = "http://www.justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2019/02/ddcrc/"
    by_url = resolve_inspection([], None, url)
    assert by_url is not None
    assert by_url.iri == ID["inspection/2019-02-dorset-devon-and-cornwall-crc"]


@pytest.mark.slow
def test_extracted_press_releases_join_the_record(shared_dir, memory_store):
    press = sorted((shared_dir / "corpus" / "press").glob("*.txt"))
    if not press:
        pytest.skip("no press releases in the shared corpus")
    build(memory_store)
    load(memory_store, press)
    assert validate(memory_store).conforms
    found = rows(memory_store, "rated-record", rating="Inadequate")
    assert str(ID["org/dorset-devon-and-cornwall-crc"]) in {r["provider"] for r in found}
    reports = {
        str(row[0])
        for row in memory_store.query(
            "SELECT ?i WHERE { ?d <https://w3id.org/probation-kg/def#reportsOn> ?i }"
        )
    }
    assert str(ID["inspection/2018-10-essex-crc"]) in reports
    assert str(ID["inspection/2020-04-durham-tees-valley-crc"]) in reports


@pytest.mark.slow
def test_extraction_does_not_read_the_record(shared_dir, tmp_path, monkeypatch):
    from probkg.loaders.text import extract_paths

    press = [str(p) for p in sorted((shared_dir / "corpus" / "press").glob("*.txt"))[:6]]
    if not press:
        pytest.skip("no press releases in the shared corpus")
    with_record = json.dumps(extract_paths(press), sort_keys=True)
    moved = tmp_path / "gone.yaml"
    shutil.copy(shipped_record_path(), tmp_path / "copy.yaml")
    monkeypatch.setattr(record_module, "shipped_record_path", lambda: moved)
    assert record_module.record_inspections() == ()
    without_record = json.dumps(extract_paths(press), sort_keys=True)
    assert with_record == without_record


def test_totals_carry_their_programme_and_source():
    g = load_record().triples
    node = ID["total/2018-19/all/requires-improvement"]
    assert g.value(node, PROB.total) == Literal(21)
    assert g.value(node, PROB.totalFor) == ID["programme/2018-19"]
    assert str(g.value(node, DCTERMS.source)).endswith("/2019/10/ic1/")


def test_a_rating_without_evidence_or_source_url_is_refused(tmp_path, memory_store):
    from probkg.errors import ValidationFailed

    build(memory_store)
    rating = (
        "<https://w3id.org/probation-kg/id/rating/test/1> a <https://w3id.org/probation-kg/def#Rating> ;\n"
        "  <https://w3id.org/probation-kg/def#ratingOf> <https://w3id.org/probation-kg/id/org/essex-crc> ;\n"
        "  <https://w3id.org/probation-kg/def#inInspection> "
        "<https://w3id.org/probation-kg/id/inspection/2018-10-essex-crc> ;\n"
        "  <https://w3id.org/probation-kg/def#ratingValue> <https://w3id.org/probation-kg/def#RequiresImprovement>"
    )
    bare = tmp_path / "bare.ttl"
    bare.write_text(rating + " .\n", encoding="utf-8")
    before = memory_store.triple_count()
    with pytest.raises(ValidationFailed, match="dct:source"):
        load(memory_store, bare)
    assert memory_store.triple_count() == before
    cited = tmp_path / "cited.ttl"
    cited.write_text(
        rating + " ;\n  <http://purl.org/dc/terms/source> <https://example.org/page> .\n", "utf-8"
    )
    load(memory_store, cited)
    assert memory_store.triple_count() > before

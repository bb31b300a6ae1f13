"""The validation gate: readable reports that name node and rule, and violations that stop a load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from probkg.errors import ValidationFailed
from probkg.loaders.rdf import load_rdf
from probkg.loading import load_unit
from probkg.ontology.namespaces import SKOS
from probkg.validation.gate import validate_graph, validate_store, validate_unit

RESOURCES = Path(__file__).resolve().parent / "resources"
RDF_DIR = RESOURCES / "rdf"
NAMELESS = "id:org/nameless-crc"


def unit(name: str):
    (u,) = load_rdf(RDF_DIR / name)
    return u


def test_conforming_graph_gives_an_empty_report(memory_store):
    report = validate_unit(memory_store, unit("example.ttl"))
    assert report.conforms
    assert report.results == []
    assert report.to_text().startswith("Conforms: 0 violations, 0 warnings")


def test_report_text_names_the_node_and_the_rule(memory_store):
    report = validate_unit(memory_store, unit("violating.ttl"))
    assert not report.conforms
    lines = report.to_text().splitlines()
    assert lines[0].startswith("Does not conform: 2 violations")
    body = lines[1:]
    assert len(body) == 2
    assert all(line.startswith(f"Violation: {NAMELESS} ") for line in body)
    by_path = {line.split()[2].rstrip(":"): line for line in body}
    assert set(by_path) == {"prob:kind", "skos:prefLabel"}
    assert "[probsh:CommunityRehabilitationCompanyShape sh:pattern]" in by_path["prob:kind"]
    assert "sh:minCount]" in by_path["skos:prefLabel"]
    assert '(value "NPS")' in by_path["prob:kind"]


def test_report_json_lists_every_result(memory_store):
    doc = json.loads(validate_unit(memory_store, unit("violating.ttl")).to_json())
    assert doc["conforms"] is False
    assert doc["violations"] == 2
    assert {r["path"] for r in doc["results"]} == {"prob:kind", "skos:prefLabel"}
    for r in doc["results"]:
        assert r["severity"] == "Violation"
        assert r["focus"] == NAMELESS
        assert r["message"]
        assert r["shape"].startswith("probsh:")
        assert r["constraint"].startswith("sh:")


def test_violations_raise_with_count_node_and_rule_and_leave_the_store_unchanged(store_with_example):
    store = store_with_example
    sizes = store.graph_sizes()
    catalogue = store.catalog()
    with pytest.raises(ValidationFailed) as info:
        load_unit(store, unit("violating.ttl"))
    message = str(info.value)
    assert message.startswith(str((RDF_DIR / "violating.ttl").resolve()) + ": 2 SHACL violations; first: ")
    assert NAMELESS in message
    assert "[probsh:" in message
    assert "\n" not in message
    assert store.graph_sizes() == sizes
    assert store.catalog() == catalogue


@pytest.fixture(params=["memory", "oxigraph"])
def store_with_example(request, tmp_path):
    from probkg.graph.store import MemoryStore, OxigraphStore

    store = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path / "store")
    load_unit(store, unit("example.ttl"))
    yield store
    store.close()


def test_results_about_data_outside_the_unit_are_not_counted(store_with_example):
    store = store_with_example
    load_unit(store, unit("violating.ttl"), validate=False)  # bad data already in the store
    report = validate_unit(store, unit("reference.ttl"))
    assert report.conforms, report.to_text()
    full = validate_store(store)
    assert not full.conforms
    assert {r.focus for r in full.violations} == {NAMELESS}


def test_oxigraph_strings_do_not_break_sh_in(tmp_store):
    """Oxigraph types plain strings as xsd:string; the gate validates an rdflib copy, so sh:in holds."""
    load_unit(tmp_store, unit("example.ttl"))
    kinds = list(tmp_store.query("SELECT ?k WHERE { ?s prob:kind ?k }"))
    assert kinds[0][0] == Literal("CRC")
    assert validate_store(tmp_store).conforms


def test_warnings_are_reported_but_do_not_fail_a_load(memory_store):
    u = unit("warning-only.ttl")
    report = validate_unit(memory_store, u)
    assert report.conforms
    assert [(r.severity, r.focus, r.path) for r in report.results] == [
        ("Warning", "id:doc/example-blog-post", "foaf:page")
    ]
    assert report.summary() == "conforms (1 warning)"
    assert load_unit(memory_store, u).status == "added"


def test_blank_node_focus_is_named_after_its_parent():
    g = Graph().parse(
        data="""
        @prefix org: <http://www.w3.org/ns/org#> .
        <https://w3id.org/probation-kg/id/membership/x> org:organization [ a org:Organization ] .
    """,
        format="turtle",
    )
    report = validate_graph(g)
    focus = {r.focus for r in report.results}
    assert focus == {"[] of id:membership/x org:organization"}


def test_model_fixture_conforms(memory_store, resources):
    path = resources / "model-valid.ttl"
    report = validate_unit(memory_store, load_rdf(path)[0])
    assert report.conforms, report.to_text()


def test_a_second_name_in_the_same_language_is_a_violation(memory_store):
    u = unit("example.ttl")
    crc = URIRef("https://w3id.org/probation-kg/id/org/example-crc")
    u.triples.add((crc, SKOS.prefLabel, Literal("Another name", lang="en")))
    report = validate_unit(memory_store, u)
    assert [(r.focus, r.path, r.constraint) for r in report.violations] == [
        ("id:org/example-crc", "skos:prefLabel", "sh:uniqueLang")
    ]

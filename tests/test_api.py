"""The public Python API: what ``import probkg`` offers and how its functions fit together."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import probkg
from probkg.errors import QueryError

RDF_DIR = Path(__file__).resolve().parent / "resources" / "rdf"


def test_public_names():
    assert probkg.__version__ == "0.1.0"
    for name in ("open_store", "build", "load", "query", "validate", "stats"):
        assert name in probkg.__all__
        assert callable(getattr(probkg, name))
    with pytest.raises(AttributeError):
        probkg.no_such_function  # noqa: B018


HEAVY = ("pyshacl", "networkx", "bs4", "numpy")


def test_importing_probkg_and_the_cli_stays_light():
    code = (
        "import sys, probkg, probkg.cli; "
        "print(','.join(m for m in ('rdflib', 'pyoxigraph', *sys.argv[1:]) if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, *HEAVY], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_query_does_not_import_validation_or_graph_libraries(tmp_path):
    code = (
        "import sys; from probkg.cli import cli; "
        "code = cli.main(['query', '--sparql', 'ASK { ?s ?p ?o }', '--store', sys.argv[1]], "
        "standalone_mode=False); "
        "print(code, ','.join(m for m in sys.argv[2:] if m in sys.modules))"
    )
    from probkg.graph.store import OxigraphStore

    OxigraphStore(tmp_path / "kg").close()  # reading commands need an existing store
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "kg"), *HEAVY], capture_output=True, text=True, check=True
    )
    assert out.stdout.split("\n")[-2].strip() == "0"


def test_load_query_stats_validate_in_memory():
    store = probkg.open_store(memory=True)
    outcomes = probkg.load(store, [RDF_DIR / "example.ttl", RDF_DIR / "reference.ttl"])
    assert [o.status for o in outcomes] == ["added", "added"]
    assert [o.status for o in probkg.load(store, RDF_DIR / "example.ttl")] == ["unchanged"]
    out = probkg.query(store, "SELECT ?l WHERE { ?m org:organization/skos:altLabel ?l }")
    assert [str(row[0]) for row in out.rows] == ["Example CRC"]
    with pytest.raises(QueryError):
        probkg.query(store, "SELECT * WHERE { ?s ?p ?o }", limit=3)
    counts = probkg.stats(store)
    assert counts["triples"] == sum(counts["graphs"].values())
    assert counts["classes"]["https://w3id.org/probation-kg/def#CommunityRehabilitationCompany"] == 1
    assert probkg.validate(store).conforms


def test_an_unknown_query_name_is_a_query_error():
    store = probkg.open_store(memory=True)
    with pytest.raises(QueryError, match="no-such-query"):
        probkg.query(store, "no-such-query")


@pytest.mark.slow
def test_build_twice_in_memory_is_idempotent():
    store = probkg.open_store(memory=True)
    first = probkg.build(store)
    assert first[0].graph == "https://w3id.org/probation-kg/def"
    assert {o.status for o in first} == {"added"}
    size = store.triple_count()
    assert {o.status for o in probkg.build(store)} == {"unchanged"}
    assert store.triple_count() == size
    assert probkg.validate(store).conforms
    providers = probkg.query(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a prob:ProbationProvider }")
    assert int(providers.rows[0][0]) > 0

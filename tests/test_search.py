"""Full-text search: what it finds, how it links a finding to its quote and source, and how the index keeps
in step with the store's graphs (on disk beside an Oxigraph store, in memory otherwise)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from probkg.api import build, load
from probkg.graph.base import Store
from probkg.graph.store import MemoryStore, OxigraphStore
from probkg.search import SearchIndex, fts_query, index_path, search

TEXT_FIXTURES = Path(__file__).parent / "resources" / "text"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The shipped data built into an Oxigraph store, plus the text fixtures (findings with quotes)."""
    store = OxigraphStore(tmp_path_factory.mktemp("search") / "store")
    build(store)
    load(store, [TEXT_FIXTURES])
    yield store
    store.close()


def test_alternative_name_with_a_space_finds_the_run_together_name(built: Store) -> None:
    hits = search(built, "MTC novo")
    assert hits, "no hits"
    assert hits[0].iri == "https://w3id.org/probation-kg/id/org/mtcnovo"
    assert hits[0].label == "MTCnovo"
    assert hits[0].kind == "OwnerOrganisation"


def test_alternative_label_finds_the_organisation_with_its_preferred_label(built: Store) -> None:
    hits = search(built, "London CRC")
    by_iri = {h.iri: h for h in hits}
    crc = by_iri["https://w3id.org/probation-kg/id/org/london-crc"]
    assert crc.label == "London Community Rehabilitation Company"
    assert crc.kind == "CommunityRehabilitationCompany"


def test_quote_hit_links_the_finding_to_its_quote_offsets_and_source_page(built: Store) -> None:
    hits = search(built, "caseloads", kinds=["finding"])
    assert hits
    quoted = [h for h in hits if h.field == "quote"]
    assert quoted, [h.field for h in hits]
    hit = quoted[0]
    assert hit.kind == "Finding"
    assert "caseload" in (hit.quote or "").lower()
    assert hit.start is not None
    assert hit.end is not None
    assert hit.end > hit.start
    assert (hit.url or "").startswith("http")
    assert hit.provider_label
    # a human label, not a hash: a prefix of the quote and the provider
    assert hit.label.startswith("“")
    assert hit.provider_label in hit.label
    assert "[" in hit.snippet
    assert "]" in hit.snippet


def test_every_finding_hit_has_a_human_label(built: Store) -> None:
    for h in search(built, "probation", limit=200, kinds=["finding"]):
        tail = h.iri.rsplit("/", 1)[-1]
        assert tail not in h.label


def test_query_text_is_never_fts_syntax() -> None:
    expr = fts_query('NEAR("a" b) OR * ^ "')
    assert expr is not None
    assert expr.count('"') % 2 == 0
    assert fts_query("  ,; ") is None


def test_empty_or_overlong_text_is_refused(built: Store) -> None:
    from probkg.errors import InputError

    with pytest.raises(InputError, match="no words"):
        search(built, " ;; ")
    with pytest.raises(InputError, match="at most"):
        search(built, "x" * 600)


def test_index_file_lives_beside_the_store_and_follows_its_graphs(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        build(store)
        path = index_path(store)
        assert path == tmp_path / "store.search.sqlite"
        assert search(store, "Essex")  # the registry knows Essex
        assert not search(store, "charities", kinds=["finding"])
        # a new graph is indexed on the next search, the others are not touched
        load(store, [TEXT_FIXTURES / "essex_2018_release.txt"])
        index = SearchIndex(path)
        done = index.sync(store)
        assert done["indexed"] == 1
        assert done["removed"] == 0
        index.close()
        essex_findings = search(store, "charities", kinds=["finding"])
        assert essex_findings
        assert essex_findings[0].url == (
            "https://www.example.org/hmiprobation/media/press-releases/2018/11/essex-fixture/"
        )
        # dropping that graph removes its hits
        graph = next(g for g in store.catalog() if "essex" in g and "/doc/" in g)
        from rdflib import URIRef

        store.drop(URIRef(graph))
        assert not search(store, "charities", kinds=["finding"])
    finally:
        store.close()
    rows = sqlite3.connect(tmp_path / "store.search.sqlite").execute("SELECT COUNT(*) FROM graphs").fetchone()
    assert rows[0] >= 3


def test_memory_store_searches_from_an_index_in_memory() -> None:
    store = MemoryStore()
    build(store)
    assert index_path(store) is None
    assert search(store, "MTC novo")[0].label == "MTCnovo"


def test_cli_search_json_and_table(cli_runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from probkg.cli import cli

    store = str(tmp_path / "s")
    assert cli_runner.invoke(cli, ["build", "--store", store, "-q"]).exit_code == 0
    result = cli_runner.invoke(cli, ["search", "--store", store, "--format", "json", "MTC novo"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc[0]["label"] == "MTCnovo"
    table = cli_runner.invoke(cli, ["search", "--store", store, "MTC novo"])
    assert table.exit_code == 0
    assert "MTCnovo" in table.stdout
    bad = cli_runner.invoke(cli, ["search", "--store", store, "  "])
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("probkg: error:")
    assert bad.stderr.count("\n") == 1


def test_search_route(built: Store) -> None:
    from probkg.server.search import routes

    client = TestClient(Starlette(routes=routes(built)))
    ok = client.get("/search", params={"q": "MTC novo"})
    assert ok.status_code == 200
    assert ok.json()["hits"][0]["label"] == "MTCnovo"
    findings = client.get("/search", params={"q": "caseloads", "kind": "finding", "limit": 3}).json()["hits"]
    assert 0 < len(findings) <= 3
    assert all(h["kind"] == "Finding" for h in findings)
    assert client.get("/search").status_code == 400
    bad = client.get("/search", params={"q": "x", "limit": "lots"})
    assert bad.status_code == 400
    assert "limit" in bad.json()["error"]
    assert client.get("/search", params={"q": "x", "kind": "nope"}).status_code == 400

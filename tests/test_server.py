"""The SPARQL endpoint over HTTP (probkg.server.app), against a real uvicorn server on loopback.

Covers formats and negotiation, the dataset parameters, the service description, CORS, 405/Allow, HEAD,
chunked bodies, relative IRIs, the Graph Store Protocol, named queries and their OpenAPI description,
writes behind --allow-update and a bearer token, and the access log.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.server.app import Refused, background, check_limits, create_app
from probkg.server.formats import choose, negotiate

pytestmark = pytest.mark.server

FIXTURE = Path(__file__).parent / "resources" / "viz-sample.trig"
ID = "https://w3id.org/probation-kg/id/"
REGISTRY = ID + "graph/registry"
OWNERS = "SELECT ?o ?l WHERE { ?o a prob:OwnerOrganisation ; skos:prefLabel ?l } ORDER BY ?l"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def load_fixture(store: Store) -> Store:
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    for g in ds.graphs():
        if isinstance(g.identifier, URIRef) and g.identifier != CATALOG_GRAPH and len(g):
            store.replace_graph(g.identifier, list(g))
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[Store]:
    from probkg.graph.store import OxigraphStore

    s = load_fixture(OxigraphStore(tmp_path_factory.mktemp("ox") / "s"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def base(store) -> Iterator[str]:
    with background(create_app(store, workers=2, timeout=20)) as url:
        yield url


def count(base: str, **params: str | list[str]) -> int:
    r = httpx.get(f"{base}/sparql", params={"query": COUNT, **params}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_select_json_by_default(base):
    r = httpx.get(f"{base}/sparql", params={"query": OWNERS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    doc = r.json()
    assert doc["head"]["vars"] == ["o", "l"]
    labels = [b["l"]["value"] for b in doc["results"]["bindings"]]
    assert labels == sorted(labels)
    assert labels


@pytest.mark.parametrize(
    ("how", "media"),
    [
        ({"headers": {"Accept": "application/sparql-results+xml"}}, "application/sparql-results+xml"),
        ({"params": {"format": "xml"}}, "application/sparql-results+xml"),
        ({"params": {"output": "json"}}, "application/sparql-results+json"),
        ({"headers": {"Accept": "text/csv"}}, "text/csv"),
        ({"headers": {"Accept": "text/tab-separated-values"}}, "text/tab-separated-values"),
    ],
)
def test_select_formats_parse_back(base, how, media):
    params = {"query": OWNERS, **how.get("params", {})}
    r = httpx.get(f"{base}/sparql", params=params, headers=how.get("headers"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    fmt = {
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "text/csv": ox.QueryResultsFormat.CSV,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[media]
    if fmt == ox.QueryResultsFormat.CSV:  # lossy: Oxigraph will not read it back, the csv module does
        rows = list(csv.reader(io.StringIO(r.text)))[1:]
    else:
        rows = list(ox.parse_query_results(r.content, fmt))
    assert len(rows) == len(
        httpx.get(f"{base}/sparql", params={"query": OWNERS}).json()["results"]["bindings"]
    )


@pytest.mark.parametrize(
    "media",
    [
        "text/turtle",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/rdf+xml",
        "application/ld+json",
    ],
)
def test_construct_in_every_rdf_format(base, media):
    q = "CONSTRUCT { ?o ?p ?v } WHERE { ?o a prob:OwnerOrganisation ; ?p ?v }"
    r = httpx.post(
        f"{base}/sparql", content=q, headers={"Content-Type": "application/sparql-query", "Accept": media}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    fmt = ox.RdfFormat.from_media_type(media)
    quads = list(ox.parse(r.content, fmt))
    assert len(quads) > 5


def test_ask_and_unacceptable_format(base):
    r = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.strip() == "true"
    r = httpx.get(f"{base}/sparql", params={"query": OWNERS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["status"] == 406


def test_dataset_parameters(base):
    total = count(base)
    registry = count(base, **{"default-graph-uri": REGISTRY})
    assert 0 < registry < total
    r = httpx.get(
        f"{base}/sparql",
        params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": REGISTRY},
    )
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [REGISTRY]
    # FROM in the query text selects a graph of the store (and never fetches anything)
    q = f"SELECT (COUNT(*) AS ?n) FROM <{REGISTRY}> WHERE {{ ?s ?p ?o }}"
    r = httpx.get(f"{base}/sparql", params={"query": q})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == registry


def test_service_description_with_void_counts(base, store):
    r = httpx.get(f"{base}/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    void = "http://rdfs.org/ns/void#"
    assert (URIRef(f"{base}/sparql"), URIRef(sd + "endpoint"), URIRef(f"{base}/sparql")) in g
    counts = {
        str(name): int(n)
        for name, n in g.query(
            f"SELECT ?name ?n {{ ?x <{sd}name> ?name ; <{sd}graph> [ <{void}triples> ?n ] }}"
        )
    }
    assert counts == store.graph_sizes()


def test_cors_preflight_405_allow_trailing_slash_and_head(base):
    r = httpx.options(
        f"{base}/sparql",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    r = httpx.put(f"{base}/sparql", content=b"x")
    assert r.status_code == 405
    assert "POST" in r.headers["allow"]
    assert httpx.get(f"{base}/sparql/", params={"query": "ASK {}"}).json()["boolean"] is True
    # HEAD answers from the request alone: a query that would fail to parse is not run
    r = httpx.head(f"{base}/sparql", params={"query": "SELECT nonsense"})
    assert r.status_code == 200
    assert r.content == b""


def test_chunked_post_body(base):
    def parts() -> Iterator[bytes]:
        yield b"ASK { ?s a "
        yield b"prob:OwnerOrganisation }"

    r = httpx.post(f"{base}/sparql", content=parts(), headers={"Content-Type": "application/sparql-query"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 200
    assert r.json()["boolean"] is True


def test_relative_iris_resolve_against_the_endpoint(base):
    r = httpx.get(f"{base}/sparql", params={"query": "SELECT ?x { BIND(<thing> AS ?x) }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == f"{base}/thing"


def test_errors_are_json_with_status(base):
    r = httpx.get(f"{base}/sparql", params={"query": "SELECT ?x WHERE { ?x"})
    assert r.status_code == 400
    assert "syntax error" in r.json()["error"]
    r = httpx.post(f"{base}/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = httpx.get(f"{base}/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400
    r = httpx.post(
        f"{base}/sparql",
        content=b"ASK { FILTER(\xff) }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.status_code == 400
    assert "UTF-8" in r.json()["error"]
    assert httpx.get(f"{base}/nowhere").status_code == 404


def test_update_refused_on_a_read_only_endpoint(base, store):
    before = store.graph_sizes()
    r = httpx.post(
        f"{base}/sparql",
        data={"update": "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"},
    )
    assert r.status_code == 403
    assert httpx.get(f"{base}/sparql", params={"update": "CLEAR ALL"}).status_code == 400
    assert store.graph_sizes() == before


def test_graph_store_protocol_read_only(base, store):
    r = httpx.get(f"{base}/store", params={"graph": REGISTRY}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert len(list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))) == store.graph_sizes()[REGISTRY]
    assert httpx.get(f"{base}/store", params={"graph": "urn:none"}).status_code == 404
    assert httpx.get(f"{base}/store").status_code == 400
    assert httpx.put(f"{base}/store", params={"graph": REGISTRY}, content=b"").status_code == 405


def test_named_queries_catalogue_openapi_and_run(base):
    cat = httpx.get(f"{base}/queries").json()
    names = {q["name"] for q in cat}
    assert names
    spec = httpx.get(f"{base}/queries/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {p.rsplit("/", 1)[1] for p in spec["paths"]} == names
    simple = next(q for q in cat if not any(p["required"] for p in q["parameters"]))
    r = httpx.get(f"{base}{simple['url']}", headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert httpx.get(f"{base}/queries/no-such-query").status_code == 404
    r = httpx.get(f"{base}{simple['url']}", params={"bogus": "1"})
    assert r.status_code == 400
    assert "bogus" in r.json()["error"]


def test_index_page(base):
    r = httpx.get(f"{base}/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")


def test_access_log_has_status_duration_bytes_and_query_hash(base, caplog):
    with caplog.at_level(logging.INFO, logger="probkg.access"):
        httpx.get(f"{base}/sparql", params={"query": "ASK {}"})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "probkg.access"]
    rec = records[-1]
    assert rec["method"] == "GET"
    assert rec["path"] == "/sparql"
    assert rec["status"] == 200
    assert rec["bytes"] > 0
    assert rec["duration_ms"] >= 0
    assert len(rec["query_hash"]) == 16


def test_writes_need_allow_update_and_the_token(tmp_path):
    from probkg.graph.store import OxigraphStore

    s = OxigraphStore(tmp_path / "w")
    try:
        with pytest.raises(Exception, match="token"):
            create_app(s, allow_update=True)
        with background(create_app(s, allow_update=True, token="s3cret", workers=1)) as url:
            upd = {"update": "INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }"}
            assert httpx.post(f"{url}/sparql", data=upd).status_code == 401
            bad = {"Authorization": "Bearer nope"}
            assert httpx.post(f"{url}/sparql", data=upd, headers=bad).status_code == 403
            assert s.graph_sizes() == {}
            good = {"Authorization": "Bearer s3cret"}
            assert httpx.post(f"{url}/sparql", data=upd, headers=good).status_code == 204
            assert count(url) == 1  # workers see the change
            assert "urn:g" in httpx.get(f"{url}/sparql", headers={"Accept": "text/turtle"}).text
    finally:
        s.close()


def test_limits_checked_before_the_engine():
    check_limits("SELECT * { ?s ?p ?o FILTER(?o > 1 + 2) }")
    with pytest.raises(Refused) as exc:
        check_limits("ASK { FILTER(" + "+".join(["1"] * 7000) + " > 0) }")
    assert exc.value.status == 400
    with pytest.raises(Refused) as exc:
        check_limits("ASK { " + "{" * 150 + "}" * 150 + " }")
    assert exc.value.status == 400
    with pytest.raises(Refused) as exc:
        check_limits("#" * 300_000)
    assert exc.value.status == 413
    # operators inside IRIs, strings and names do not count
    check_limits("SELECT * { <http://x/a-b/c=d> ?p 'a+b+c-d' . ?s prob:has-part-of ?o }" * 50)


def test_negotiation_rules():
    assert negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["application/sparql-results+json"])
    assert choose("solutions", "application/xml", None) == "application/sparql-results+xml"
    assert choose("graph", "application/xml", None) == "application/rdf+xml"
    assert choose("graph", None, "json") == "application/ld+json"
    assert choose("solutions", None, "json") == "application/sparql-results+json"
    assert choose("solutions", "image/png", None) is None


@pytest.mark.slow
def test_probkg_serve_finishes_in_flight_requests_on_sigterm(store, tmp_path):
    """``probkg serve`` as a process: the ready line, then SIGTERM while a query runs; the client still
    gets its complete answer (here the time-limit answer) and the process exits cleanly."""
    import shutil
    import signal
    import subprocess
    import threading
    import time

    from probkg.graph.store import OxigraphStore

    # a store of its own (the module's store is held open by this process)
    copy = OxigraphStore(tmp_path / "copy")
    load_fixture(copy)
    copy.close()
    exe = shutil.which("probkg")
    assert exe
    proc = subprocess.Popen(
        [exe, "serve", "--store", str(tmp_path / "copy"), "--port", "0", "--timeout", "3", "--workers", "1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        assert "serving http://" in line, line
        url = line.split("serving ", 1)[1].split("/ ", 1)[0]
        got: dict[str, httpx.Response] = {}
        cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        t = threading.Thread(
            target=lambda: got.setdefault(
                "r", httpx.get(f"{url}/sparql", params={"query": cartesian}, timeout=30)
            )
        )
        t.start()
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        t.join(30)
        assert got["r"].status_code == 503
        assert "limit" in got["r"].json()["error"]
        assert proc.wait(30) == 0
        log = proc.stderr.read()
        assert '"status": 503' in log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

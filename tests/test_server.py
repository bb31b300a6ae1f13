"""The SPARQL endpoint over HTTP: protocol, content negotiation, read-only guard, named queries, errors."""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.server.http import Refused, check_query, make_server, negotiate

pytestmark = pytest.mark.server

FIXTURE = Path(__file__).parent / "resources" / "viz-sample.trig"
ID = "https://w3id.org/probation-kg/id/"
REGISTRY = ID + "graph/registry"
OWNERS = "SELECT ?o ?l WHERE { ?o a prob:OwnerOrganisation ; skos:prefLabel ?l } ORDER BY ?l"


def _load(store: Store) -> Store:
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    for g in ds.graphs():
        if isinstance(g.identifier, URIRef) and g.identifier != CATALOG_GRAPH and len(g):
            store.replace_graph(g.identifier, list(g))
    return store


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def base(request, tmp_path_factory) -> Iterator[str]:
    from probkg.graph.store import MemoryStore, OxigraphStore

    store = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path_factory.mktemp("ox") / "s")
    _load(store)
    server = make_server(store, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    store.close()


def call(
    base: str,
    path: str,
    *,
    accept: str | None = None,
    data: bytes | None = None,
    ctype: str | None = None,
    method: str | None = None,
) -> tuple[int, str, bytes]:
    headers = {k: v for k, v in (("Accept", accept), ("Content-Type", ctype)) if v}
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def q(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


# ---- SELECT / ASK / CONSTRUCT with every content type -----------------------------------------


def test_select_json(base):
    status, ctype, body = call(base, q(OWNERS))
    assert status == 200
    assert ctype == "application/sparql-results+json"
    doc = json.loads(body)
    assert doc["head"]["vars"] == ["o", "l"]
    rows = doc["results"]["bindings"]
    assert [r["l"]["value"] for r in rows] == ["MTCnovo", "Seetec", "Working Links"]
    assert rows[0]["o"] == {"type": "uri", "value": ID + "org/mtcnovo"}
    assert rows[0]["l"]["xml:lang"] == "en"


def test_select_csv(base):
    status, ctype, body = call(base, q(OWNERS), accept="text/csv")
    assert status == 200
    assert ctype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["o", "l"]
    assert rows[1] == [ID + "org/mtcnovo", "MTCnovo"]
    assert body.endswith(b"\r\n")


def test_select_tsv(base):
    status, ctype, body = call(base, q(OWNERS), accept="text/tab-separated-values")
    assert status == 200
    assert ctype.startswith("text/tab-separated-values")
    lines = body.decode().splitlines()
    assert lines[0] == "?o\t?l"
    assert lines[1] == f'<{ID}org/mtcnovo>\t"MTCnovo"@en'


def test_select_typed_literals_in_json(base):
    doc = json.loads(call(base, q("SELECT ?d WHERE { ?i prob:publicationDate ?d }"))[2])
    assert doc["results"]["bindings"] == [
        {"d": {"type": "literal", "value": "2016-12-14", "datatype": "http://www.w3.org/2001/XMLSchema#date"}}
    ]


def test_ask(base):
    status, ctype, body = call(base, q("ASK { ?f a prob:Finding }"))
    assert status == 200
    assert ctype == "application/sparql-results+json"
    assert json.loads(body) == {"head": {}, "boolean": True}
    assert json.loads(call(base, q("ASK { ?f a prob:Widget }"))[2])["boolean"] is False
    status, _, body = call(base, q("ASK { ?f a prob:Finding }"), accept="text/csv")
    assert status == 200
    assert body.decode().split() == ["_askResult", "true"]


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/n-triples", "nt"), (None, "turtle")]
)
def test_construct(base, accept, fmt):
    text = "CONSTRUCT { ?a a prob:Area ; skos:prefLabel ?l } WHERE { ?a a prob:Area ; skos:prefLabel ?l }"
    status, ctype, body = call(
        base, "/sparql", data=text.encode(), ctype="application/sparql-query", accept=accept
    )
    assert status == 200
    assert ctype.split(";")[0] == {"turtle": "text/turtle", "nt": "application/n-triples"}[fmt]
    g = Graph().parse(data=body.decode(), format=fmt)
    assert len(g) == 4
    assert (URIRef(ID + "area/london"), None, None) in g


def test_post_form_query(base):
    data = urllib.parse.urlencode({"query": OWNERS}).encode()
    status, _, body = call(base, "/sparql", data=data, ctype="application/x-www-form-urlencoded")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 3


def test_unacceptable_format_is_406(base):
    status, ctype, body = call(base, q(OWNERS), accept="application/sparql-results+xml")
    assert status == 406
    assert ctype == "application/json"
    assert "available as" in json.loads(body)["error"]


def test_browser_accept_header_gets_json(base):
    status, ctype, _ = call(base, q(OWNERS), accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200
    assert ctype == "application/sparql-results+json"


def test_from_a_store_graph_is_allowed_and_restricts_the_dataset(base):
    everything = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REGISTRY}> {{ ?s ?p ?o }} }}"
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{REGISTRY}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    expected = json.loads(call(base, q(everything))[2])["results"]["bindings"][0]["n"]["value"]
    status, _, body = call(base, q(named))
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == expected


# ---- read-only guard ----------------------------------------------------------------------------


def test_update_refused_by_default(base):
    for data, ctype in (
        (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
        (urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
        (b"CLEAR GRAPH <" + REGISTRY.encode() + b">", "application/sparql-query"),
    ):
        status, _, body = call(base, "/sparql", data=data, ctype=ctype)
        assert status == 403, body
        assert "read-only" in json.loads(body)["error"]
    status, _, _ = call(base, "/sparql?update=" + urllib.parse.quote("DROP ALL"))
    assert status == 403
    assert json.loads(call(base, q("ASK { ?f a prob:Finding }"))[2])["boolean"] is True  # data intact


def test_service_refused(base):
    text = (
        "SELECT * WHERE { ?s a prob:Finding OPTIONAL { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } }"
    )
    status, _, body = call(base, q(text))
    assert status == 403
    assert "SERVICE" in json.loads(body)["error"]


def test_from_an_outside_url_refused(base):
    status, _, body = call(base, q("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }"))
    assert status == 403
    assert "not a graph of this store" in json.loads(body)["error"]


# ---- errors --------------------------------------------------------------------------------------


def test_syntax_error_names_line_and_column(base):
    status, ctype, body = call(base, q("SELECT ?s WHERE {\n  ?s ?p \n}"))
    assert status == 400
    assert ctype == "application/json"
    doc = json.loads(body)
    assert doc["line"] == 2
    assert isinstance(doc["column"], int)
    assert "line 2" in doc["error"]


def test_missing_query_and_bad_requests(base):
    assert call(base, "/sparql")[0] == 400
    assert call(base, "/sparql", data=b"x", ctype="text/plain")[0] == 415
    assert call(base, "/sparql", method="PUT", data=b"x")[0] == 405
    assert call(base, "/nowhere")[0] == 404


# ---- named queries and pages ------------------------------------------------------------------------


def test_catalogue(base):
    status, ctype, body = call(base, "/queries")
    assert status == 200
    assert ctype == "application/json"
    items = {i["name"]: i for i in json.loads(body)}
    owner = items["providers-of-owner"]
    assert owner["url"] == "/queries/providers-of-owner"
    assert any(p["name"] == "owner" and p["required"] for p in owner["parameters"])


def test_named_query_by_label(base):
    status, ctype, body = call(base, "/queries/providers-of-owner?owner=MTCnovo", accept="text/csv")
    assert status == 200
    assert ctype.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert {r["provider"] for r in rows} == {ID + "org/london-crc", ID + "org/thames-valley-crc"}
    path = "/queries/providers-of-owner?owner=" + urllib.parse.quote(ID + "org/seetec")
    doc = json.loads(call(base, path)[2])
    assert [b["provider"]["value"] for b in doc["results"]["bindings"]] == [ID + "org/wales-crc"]


def test_named_query_errors(base):
    status, _, body = call(base, "/queries/no-such-query")
    assert status == 404
    assert "unknown query" in json.loads(body)["error"]
    status, _, body = call(base, "/queries/providers-of-owner")
    assert status == 400
    assert "owner" in json.loads(body)["error"]
    status, _, body = call(base, "/queries/providers-of-owner?owner=Nobody%20Ltd")
    assert status == 400
    status, _, body = call(base, "/queries/providers-of-owner?owner=MTCnovo&colour=red")
    assert status == 400
    assert "colour" in json.loads(body)["error"]


def test_index_page_is_offline(base):
    status, ctype, body = call(base, "/")
    assert status == 200
    assert ctype.startswith("text/html")
    page = body.decode()
    assert 'action="sparql"' in page
    assert "queries" in page
    assert "http://" not in page
    assert "https://" not in page


# ---- unit level ----------------------------------------------------------------------------------


def test_check_query_rules():
    graphs = {REGISTRY}
    assert check_query("SELECT * WHERE { ?s ?p ?o }", graphs) == "query"
    assert check_query(f"SELECT * FROM <{REGISTRY}> WHERE {{ ?s ?p ?o }}", graphs) == "query"
    assert check_query("SELECT * WHERE { ?s a prob:Finding }", graphs) == "query"  # predeclared prefix
    assert check_query("INSERT DATA { <urn:a> <urn:b> <urn:c> }", graphs, allow_update=True) == "update"
    for text, status in (
        ("", 400),
        ("SELEKT *", 400),
        ("DELETE WHERE { ?s ?p ?o }", 403),
        ("LOAD <http://127.0.0.1:9/x.ttl>", 403),
        ("SELECT * WHERE { SERVICE SILENT <urn:x> { ?s ?p ?o } }", 403),
        ("SELECT * FROM NAMED <urn:elsewhere> WHERE { ?s ?p ?o }", 403),
        ("SELECT * WHERE { ?s a nope:Thing }", 400),
    ):
        with pytest.raises(Refused) as info:
            check_query(text, graphs)
        assert info.value.status == status, text
    with pytest.raises(Refused) as info:
        check_query("LOAD <http://127.0.0.1:9/x.ttl>", graphs, allow_update=True)
    assert info.value.status == 403


def test_negotiate():
    offered = ("application/sparql-results+json", "text/csv", "text/tab-separated-values")
    assert negotiate(None, offered) == offered[0]
    assert negotiate("text/csv", offered) == "text/csv"
    assert negotiate("text/*;q=0.5, application/sparql-results+json;q=0.4", offered) == "text/csv"
    assert negotiate("text/csv;q=0, */*;q=0.1", offered) == offered[0]
    assert negotiate("image/png", offered) is None


def test_rdflib_never_loads_from_graphs_from_the_web(memory_store):
    import rdflib.plugins.sparql as rdflib_sparql

    server = make_server(memory_store, "127.0.0.1", 0, quiet=True)
    server.server_close()
    assert rdflib_sparql.SPARQL_LOAD_GRAPHS is False


def test_allow_update_applies_updates_but_never_load(memory_store):
    _load(memory_store)
    server = make_server(memory_store, "127.0.0.1", 0, allow_update=True, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        insert = f"INSERT DATA {{ GRAPH <{ID}graph/test-extra> {{ <{ID}org/x> a prob:Inspectorate }} }}"
        status, _, _ = call(url, "/sparql", data=insert.encode(), ctype="application/sparql-update")
        assert status == 204
        ask = json.loads(call(url, q(f"ASK {{ <{ID}org/x> a prob:Inspectorate }}"))[2])
        assert ask["boolean"] is True
        status, _, _ = call(
            url, "/sparql", data=b"LOAD <http://127.0.0.1:9/x.ttl>", ctype="application/sparql-update"
        )
        assert status == 403
    finally:
        server.shutdown()
        server.server_close()

"""The W3C SPARQL 1.1 Protocol test cases (rdf-tests sparql11/protocol), replayed with an HTTP client.

The manifest comes from ``../shared/w3c/sparql11-protocol`` (skipped when absent). Each case loads its
``ut:graphData`` into a fresh dataset, sends its requests (paths rewritten from ``/sparql/`` to the
server under test, a bearer token added so that updates are allowed) and checks the status class, the
answer's format and the ASK result. Cases the endpoint refuses by design are listed in ``BY_DESIGN``
(and in docs/endpoint.md) and expected to fail with the documented 4xx status.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from probkg.server.app import background, create_app

pytestmark = [pytest.mark.server, pytest.mark.shared, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SUITE = REPO.parent / "shared" / "w3c" / "sparql11-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
TOKEN = "w3c-protocol-tests"

# Cases refused by design: the protocol's using-graph-uri/using-named-graph-uri update parameters are
# not supported (the update text must say USING/WITH itself); the endpoint answers 400 and says so.
BY_DESIGN = {
    "update_dataset_default_graph": 400,
    "update_dataset_default_graphs": 400,
    "update_dataset_named_graphs": 400,
    "update_dataset_full": 400,
}


def _cases() -> list[tuple[str, dict[str, Any]]]:
    if not (SUITE / "manifest.ttl").exists():
        return []
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    out = []
    entries = g.value(manifest, MF.entries)
    assert entries is not None
    for entry in Collection(g, entries):
        name = str(entry).rsplit("#", 1)[1]
        data = [
            (SUITE / str(g.value(d, UT.graph)).rsplit("/", 1)[1], str(g.value(d, RDFS.label)))
            for d in g.objects(entry, UT.graphData)
        ]
        action = g.value(entry, MF.action)
        requests = []
        request_list = g.value(action, HT.requests)
        assert request_list is not None
        for req in Collection(g, request_list):
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = g.value(req, HT.body)
            content = None
            if body is not None:
                encoding = str(g.value(body, CNT.characterEncoding) or "UTF-8")
                content = str(g.value(body, CNT.chars)).encode(encoding)
            resp = g.value(req, HT.resp)
            requests.append(
                {
                    "method": str(g.value(req, HT.methodName)),
                    "path": str(g.value(req, HT.absolutePath)),
                    "headers": headers,
                    "content": content,
                    "status": sorted(str(s).rsplit("#", 1)[1] for s in g.objects(resp, MF.expectedStatus)),
                    "format": str(g.value(resp, MF.expectedFormat) or "") or None,
                    "boolean": g.value(resp, MF.expectedBoolean),
                }
            )
        out.append((name, {"data": data, "requests": requests}))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory) -> Iterator[str]:
    if not CASES:
        pytest.skip(f"W3C protocol manifest not found in {SUITE}")
    from probkg.graph.store import OxigraphStore

    store = OxigraphStore(tmp_path_factory.mktemp("w3c") / "s")
    with background(create_app(store, allow_update=True, token=TOKEN, workers=2, timeout=20)) as url:
        yield url
    store.close()


def _reset(url: str, data: list[tuple[Path, str]]) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    parts = ["DROP SILENT ALL"]
    for path, graph in data:
        parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{ {path.read_text()} }} }}")
    r = httpx.post(f"{url}/sparql", data={"update": " ;\n".join(parts)}, headers=auth)
    assert r.status_code == 204, r.text


_FORMATS = {
    "boolean": ("application/sparql-results", "text/csv", "text/tab-separated-values"),
    "tabular": ("application/sparql-results", "text/csv", "text/tab-separated-values"),
    "RDF": (
        "text/turtle",
        "application/n-triples",
        "application/rdf+xml",
        "application/ld+json",
        "application/n-quads",
        "application/trig",
    ),
}


@pytest.mark.parametrize(("name", "case"), CASES, ids=[c[0] for c in CASES])
def test_w3c_protocol_case(endpoint: str, name: str, case: dict[str, Any]) -> None:
    _reset(endpoint, case["data"])
    for req in case["requests"]:
        path = req["path"].replace("/sparql/", "/sparql", 1)
        headers = {**req["headers"], "Authorization": f"Bearer {TOKEN}"}
        r = httpx.request(req["method"], endpoint + path, content=req["content"], headers=headers, timeout=30)
        classes = [s.removeprefix("StatusCode") for s in req["status"]]
        if name in BY_DESIGN:
            assert r.status_code == BY_DESIGN[name], r.text
            assert "not supported" in r.json()["error"]
            return
        assert f"{r.status_code // 100}xx" in classes, f"{name}: {r.status_code} {r.text[:300]}"
        if req["format"]:
            ctype = r.headers["content-type"]
            assert ctype.startswith(_FORMATS[req["format"]]), ctype
        if req["boolean"] is not None:
            expected = bool(req["boolean"].toPython())
            if "json" in r.headers["content-type"]:
                assert r.json()["boolean"] is expected
            else:
                assert (">true<" in r.text or r.text.strip() == "true") is expected, r.text

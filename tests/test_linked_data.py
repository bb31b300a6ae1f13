"""Linked Data pages for the graph's IRIs: HTML, Turtle, JSON-LD and N-Triples by content negotiation."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from starlette.applications import Starlette
from starlette.testclient import TestClient

from probkg.api import build
from probkg.graph.store import MemoryStore
from probkg.loaders.base import LoadUnit
from probkg.loading import load_unit
from probkg.server.linked_data import routes

ID = "https://w3id.org/probation-kg/id/"
LONDON = URIRef(ID + "org/london-crc")


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    store = MemoryStore()
    build(store)
    with TestClient(Starlette(routes=routes(store))) as c:
        yield c
    store.close()


def test_turtle_has_the_label_and_owner(client):
    r = client.get("/id/org/london-crc", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (LONDON, SKOS.prefLabel, Literal("London Community Rehabilitation Company", lang="en")) in g
    owners = {
        str(s) for s, _p, _o in g.triples((None, URIRef("http://www.w3.org/ns/org#organization"), LONDON))
    }
    assert any("/ownership/london-crc/mtcnovo/" in o for o in owners)


def test_json_ld_and_n_triples_parse(client):
    r = client.get("/id/org/london-crc", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    json.loads(r.text)
    g = Graph().parse(data=r.text, format="json-ld")
    assert (LONDON, None, None) in g
    nt = client.get("/id/org/london-crc?format=nt")
    assert len(Graph().parse(data=nt.text, format="nt")) == len(g)


def test_html_shows_findings_with_source_links(client):
    r = client.get("/id/org/london-crc", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "<h1>London Community Rehabilitation Company</h1>" in r.text
    assert "Findings (" in r.text
    assert 'class="source" href="https://' in r.text


def test_inspection_page_lists_its_ratings(client):
    r = client.get("/id/inspection/2019-02-dorset-devon-and-cornwall-crc")
    assert "Ratings (1)" in r.text
    assert "Inadequate" in r.text


def test_unknown_iri_is_404(client):
    assert client.get("/id/org/no-such-company").status_code == 404


def test_html_escapes_every_literal():
    store = MemoryStore()
    node = URIRef(ID + "org/markup")
    g = Graph()
    g.add((node, SKOS.prefLabel, Literal("<script>alert(1)</script> & co", lang="en")))
    load_unit(
        store,
        LoadUnit(graph=URIRef(ID + "graph/test"), triples=g, checksum="0" * 64, source="t", loader="rdf"),
        validate=False,
    )
    with TestClient(Starlette(routes=routes(store))) as c:
        page = c.get("/id/org/markup").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


@pytest.mark.slow
def test_london_crc_page_in_headless_chromium(tmp_path):
    import shutil
    import socket
    import subprocess
    import threading
    import time

    import uvicorn

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    store = MemoryStore()
    build(store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=routes(store)), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/id/org/london-crc"
        flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
        dom = subprocess.run(
            [*flags, "--dump-dom", url], check=True, capture_output=True, text=True, timeout=60
        ).stdout
        subprocess.run(
            [*flags, f"--screenshot={tmp_path / 'london.png'}", url],
            check=True,
            capture_output=True,
            timeout=60,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()
    assert "London Community Rehabilitation Company" in dom
    assert "Findings (" in dom
    assert 'class="source" href="https://www.justiceinspectorates.gov.uk/' in dom
    assert (tmp_path / "london.png").stat().st_size > 0

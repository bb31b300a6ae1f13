"""Real clients against a running endpoint: SPARQLWrapper (XML by default, and JSON), rdflib's
SPARQLStore (its defaults, and a graph bound to one named graph) and curl."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from test_server import REGISTRY, load_fixture

from probkg.server.app import background, create_app

pytestmark = pytest.mark.server

OWNERS = (
    "PREFIX prob: <https://w3id.org/probation-kg/def#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?o ?l WHERE { ?o a prob:OwnerOrganisation ; skos:prefLabel ?l } ORDER BY ?l"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, object]]:
    from probkg.graph.store import OxigraphStore

    store = load_fixture(OxigraphStore(tmp_path_factory.mktemp("ox") / "s"))
    with background(create_app(store, workers=2)) as url:
        yield url, store
    store.close()


def _owner_labels(store) -> list[str]:
    return [str(r[1]) for r in store.query(OWNERS)]


def test_sparqlwrapper_default_xml_and_json(served):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    url, store = served
    expected = _owner_labels(store)
    assert expected
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(OWNERS)
    doc = sw.query().convert()  # SPARQLWrapper's default: XML, parsed into a DOM
    assert sw.returnFormat == XML
    labels = [n.firstChild.data for n in doc.getElementsByTagName("literal")]
    assert labels == expected
    sw.setReturnFormat(JSON)
    bindings = sw.query().convert()["results"]["bindings"]
    assert [b["l"]["value"] for b in bindings] == expected
    sw.setMethod("POST")
    assert [b["l"]["value"] for b in sw.query().convert()["results"]["bindings"]] == expected


def test_rdflib_sparqlstore_defaults_and_a_named_graph(served):
    url, store = served
    sparql_store = SPARQLStore(f"{url}/sparql")
    g = Graph(store=sparql_store)
    assert [str(r.l) for r in g.query(OWNERS)] == _owner_labels(store)
    # a graph bound to one named graph sends default-graph-uri; counts must be that graph's only
    bound = Graph(store=sparql_store, identifier=URIRef(REGISTRY))
    n = int(next(iter(bound.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0])
    assert n == store.graph_sizes()[REGISTRY]
    assert len(bound) == n
    total = int(next(iter(g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0])
    assert total > n


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl(served):
    url, store = served
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "-f",
            "-H",
            "Accept: text/csv",
            "--data-urlencode",
            f"query={OWNERS}",
            f"{url}/sparql",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "o,l"
    assert [line.split(",", 1)[1].strip('"') for line in lines[1:]] == _owner_labels(store)
    out = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", f"{url}/sparql"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    assert out == "405"

"""``probkg publish``: dumps that reload isomorphically, a VoID description whose counts equal
``probkg stats``, and the ontology's HTML documentation naming every class."""

from __future__ import annotations

import gzip
import json

import pytest
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from probkg.api import build, load, stats
from probkg.errors import InputError
from probkg.graph.base import CATALOG_GRAPH
from probkg.graph.store import MemoryStore
from probkg.ontology import ontology_graph
from probkg.publish import CC_BY_4, DATASET, OGL_3, publish

VOID = Namespace("http://rdfs.org/ns/void#")
DCT = Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def release(tmp_path_factory):  # type: ignore[no-untyped-def]
    store = MemoryStore()
    build(store)
    done = publish(store, tmp_path_factory.mktemp("pub"), version="1.0.0-test")
    yield store, done
    store.close()


def test_void_counts_equal_stats(release):
    store, done = release
    void = Graph().parse(done.files["void"], format="turtle")
    counts = stats(store)
    assert int(void.value(DATASET, VOID.triples)) == counts["triples"]
    subsets = {str(s): int(void.value(s, VOID.triples)) for s in void.objects(DATASET, VOID.subset)}
    assert subsets == counts["graphs"]
    assert str(CATALOG_GRAPH) not in subsets


def test_licences(release):
    _store, done = release
    void = Graph().parse(done.files["void"], format="turtle")
    assert void.value(DATASET, DCT.license) == OGL_3
    assert void.value(URIRef("https://w3id.org/probation-kg/def"), DCT.license) == CC_BY_4
    assert void.value(URIRef("https://w3id.org/probation-kg/id/graph/record"), DCT.license) == OGL_3


def _graphs(ds: Dataset) -> dict[str, Graph]:
    out = {}
    for ctx in ds.graphs():
        if len(ctx):
            g = Graph()
            for t in ctx:
                g.add(t)
            out[str(ctx.identifier)] = g
    return out


def test_dumps_reload_isomorphically(release, tmp_path):
    store, done = release
    expected = {g: store.graph(URIRef(g)) for g in stats(store)["graphs"]}
    plain = tmp_path / "release.nq"
    with gzip.open(done.files["nquads"], "rb") as fh:
        plain.write_bytes(fh.read())
    empty = MemoryStore()
    try:
        load(empty, plain, validate=False, allow_core=True)  # a dump holds the core graphs too
        assert stats(empty)["graphs"] == stats(store)["graphs"]
        for name, graph in expected.items():
            assert isomorphic(empty.graph(URIRef(name)), graph), name
    finally:
        empty.close()
    json.loads(done.files["jsonld"].read_text(encoding="utf-8"))
    jd = _graphs(Dataset().parse(done.files["jsonld"], format="json-ld"))
    assert set(jd) == set(expected)
    for name, graph in expected.items():
        assert isomorphic(jd[name], graph), name


def test_ontology_html_names_every_class(release):
    _store, done = release
    page = done.files["ontology_html"].read_text(encoding="utf-8")
    onto = ontology_graph()
    classes = [
        c for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith("https://w3id.org/probation-kg/")
    ]
    assert len(classes) > 20
    for cls in classes:
        assert str(cls).split("#")[-1] in page, cls


def test_a_published_version_is_never_overwritten(release, tmp_path):
    store, done = release
    with pytest.raises(InputError, match="already published"):
        publish(store, done.directory.parent, version="1.0.0-test")
    with pytest.raises(InputError, match="is not a version"):
        publish(store, tmp_path, version="../escape")


def test_cli_publish(cli_runner, tmp_path):
    from probkg.cli import cli

    result = cli_runner.invoke(cli, ["publish", str(tmp_path / "out"), "--memory", "--version", "v1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "v1" / "void.ttl").is_file()
    assert (tmp_path / "out" / "latest").read_text(encoding="utf-8").strip() == "v1"

"""RDF files load by suffix into the right named graphs, and bad files fail with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from probkg.errors import InputError
from probkg.loaders import load_path
from probkg.loaders.base import sha256_file
from probkg.loaders.rdf import file_graph, load_rdf

RDF_DIR = Path(__file__).resolve().parent / "resources" / "rdf"
EXAMPLE_GRAPH = URIRef("https://w3id.org/probation-kg/id/graph/example")


@pytest.fixture(scope="module")
def expected() -> Graph:
    return Graph().parse(RDF_DIR / "example.ttl", format="turtle")


@pytest.mark.parametrize("name", ["example.ttl", "example.nt", "example.jsonld", "example.rdf"])
def test_triple_files_go_to_one_graph_named_after_their_content(name, expected):
    path = RDF_DIR / name
    units = load_rdf(path)
    assert len(units) == 1
    unit = units[0]
    checksum = sha256_file(path)
    assert unit.graph == file_graph(checksum)
    assert str(unit.graph) == f"https://w3id.org/probation-kg/id/graph/file/{checksum[:16]}"
    assert unit.checksum == checksum
    assert unit.loader == "rdf"
    assert unit.source == str(path.resolve())
    assert isomorphic(unit.triples, expected)


@pytest.mark.parametrize("name", ["example.nq", "example.trig"])
def test_quad_files_keep_their_graph_names(name, expected):
    units = load_rdf(RDF_DIR / name)
    assert [u.graph for u in units] == [EXAMPLE_GRAPH]
    assert isomorphic(units[0].triples, expected)


def test_default_graph_triples_of_a_quad_file_go_to_the_file_graph(tmp_path):
    path = tmp_path / "mixed.trig"
    path.write_text(
        "<http://example.org/a> <http://example.org/p> 1 .\n"
        "<http://example.org/g> { <http://example.org/b> <http://example.org/p> 2 . }\n",
        encoding="utf-8",
    )
    units = {str(u.graph): u for u in load_rdf(path)}
    default = str(file_graph(sha256_file(path)))
    assert set(units) == {default, "http://example.org/g"}
    a, p = URIRef("http://example.org/a"), URIRef("http://example.org/p")
    assert (a, p, Literal(1)) in units[default].triples
    assert len(units["http://example.org/g"].triples) == 1


def test_strings_come_back_as_plain_literals():
    unit = load_rdf(RDF_DIR / "example.nt")[0]
    kinds = list(unit.triples.objects(None, URIRef("https://w3id.org/probation-kg/def#kind")))
    assert kinds == [Literal("CRC")]
    assert kinds[0].datatype is None


def test_malformed_turtle_names_file_line_and_column():
    path = RDF_DIR / "malformed.ttl"
    with pytest.raises(InputError) as info:
        load_rdf(path)
    err = info.value
    assert err.path == str(path)
    assert err.line == 7
    assert err.column is not None
    message = str(err)
    assert message.startswith(f"{path}:7:")
    assert "undeclared" in message
    assert "\n" not in message


def test_broken_ntriples_line_is_reported(tmp_path):
    path = tmp_path / "broken.nt"
    path.write_text(
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
        "<http://example.org/a> <http://example.org/p> .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_rdf(path)
    assert info.value.line == 2
    assert str(info.value).startswith(f"{path}:2:")


def test_jsonld_with_a_remote_context_is_refused_without_fetching():
    path = RDF_DIR / "remote-context.jsonld"
    with pytest.raises(InputError) as info:
        load_rdf(path)
    assert str(info.value).startswith(str(path))
    assert "context" in str(info.value).lower()


def test_unknown_suffix_is_an_input_error(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"not rdf")
    with pytest.raises(InputError, match=r"notes\.docx.*suffix '\.docx'"):
        load_path(path)
    with pytest.raises(InputError, match="unknown RDF file suffix"):
        load_rdf(path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "absent.ttl")


def test_a_file_may_not_write_the_store_catalogue(tmp_path):
    path = tmp_path / "catalog.nq"
    path.write_text(
        '<http://example.org/a> <http://example.org/p> "x" '
        "<https://w3id.org/probation-kg/id/graph/catalog> .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="catalogue"):
        load_rdf(path)


def test_directories_are_walked_in_sorted_order_skipping_other_files(tmp_path):
    (tmp_path / "b.ttl").write_text("<http://example.org/b> <http://example.org/p> 2 .\n", encoding="utf-8")
    (tmp_path / "a.nt").write_text('<http://example.org/a> <http://example.org/p> "1" .\n', encoding="utf-8")
    (tmp_path / "README.docx").write_bytes(b"ignored inside a directory")
    (tmp_path / ".hidden.ttl").write_text("this is not turtle", encoding="utf-8")
    units = load_path(tmp_path)
    subjects = [str(next(iter(u.triples.subjects()))) for u in units]
    assert subjects == ["http://example.org/a", "http://example.org/b"]

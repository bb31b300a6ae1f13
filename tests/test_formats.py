"""The one table of RDF formats (``probkg.formats``) and the one slug rule (``ontology.mint.slugify``)."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from probkg.formats import BULK_SUFFIXES, BY_MEDIA_TYPE, BY_NAME, BY_SUFFIX, EXPORT_NAMES, RDF_FORMATS
from probkg.loaders import RDF_FILE_SUFFIXES
from probkg.ontology.mint import slugify
from probkg.registry.model import name_slug

_S, _P = (
    URIRef("https://w3id.org/probation-kg/id/org/x"),
    URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
)


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_every_format_is_written_and_read_back_by_both_libraries(fmt):
    graph = Graph()
    graph.add((_S, _P, Literal("Café “quoted”", lang="en")))
    if fmt.datasets:
        data = Dataset()
        data.graph(URIRef("https://w3id.org/probation-kg/id/graph/g")).add(
            (_S, _P, Literal("Café", lang="en"))
        )
        text = data.serialize(format=fmt.rdflib)
    else:
        text = graph.serialize(format=fmt.rdflib)
    quads = list(ox.parse(text.encode("utf-8"), fmt.ox))
    assert quads, fmt.name
    buffer = io.BytesIO()
    ox.serialize(quads, buffer, fmt.ox)
    back = Dataset()
    back.parse(data=buffer.getvalue().decode("utf-8"), format=fmt.rdflib)
    labels = [str(o) for _, _, o, _ in back.quads((_S, _P, None, None))]
    assert labels, fmt.name
    assert labels[0].startswith("Café"), labels


def test_the_lookups_cover_what_loaders_exports_and_the_endpoint_name():
    assert set(BY_SUFFIX) == set(RDF_FILE_SUFFIXES)
    assert set(BULK_SUFFIXES) <= set(BY_SUFFIX)
    assert {BY_NAME[n].name for n in EXPORT_NAMES} == set(EXPORT_NAMES)
    assert BY_NAME["turtle"] is BY_NAME["ttl"] is BY_SUFFIX[".turtle"] is BY_MEDIA_TYPE["text/n3"]
    assert BY_MEDIA_TYPE["application/json"].name == "jsonld"
    for fmt in RDF_FORMATS:
        assert BY_MEDIA_TYPE[fmt.media_type] is fmt
        assert all(BY_SUFFIX[s] is fmt for s in fmt.suffixes)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ynys Môn", "ynys-mon"),
        ("Kent, Surrey & Sussex", "kent-surrey-sussex"),
        ("  --  ", ""),
        ("Requires improvement", "requires-improvement"),
        ("2018/19", "2018-19"),
    ],
)
def test_slugify_keeps_lower_case_ascii_words(text, slug):
    assert slugify(text) == slug


def test_slugify_options_and_name_slugs():
    assert slugify("", empty="unnamed") == "unnamed"
    assert slugify("abc def ghi", max_length=5) == "abc-d"
    assert slugify("abc def ghi", max_length=4) == "abc"  # no trailing '-'
    assert name_slug("The London Community Rehabilitation Company (CRC)") == "london-crc"
    assert name_slug("Kent, Surrey & Sussex CRC") == "kent-surrey-and-sussex-crc"

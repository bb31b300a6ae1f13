"""The one table of RDF formats: name, file suffixes, media types, and the Oxigraph and rdflib names.

Every layer that reads or writes RDF looks its format up here: the loaders (suffix -> format),
``Store.dump`` and the bulk path (name or suffix -> Oxigraph format), the endpoint's content
negotiation (media type or ``format=`` value -> media type), the linked-data pages, the published
dataset's DCAT distributions and ``probkg query`` (name -> rdflib serializer). Graph formats for
other tools (GraphML, GEXF, Cytoscape, DOT) are not RDF and live in :mod:`probkg.exports.formats`.

========  ======================  ====================  ==========================================
name      media type              suffixes              also called (``format=``, ``--format``)
========  ======================  ====================  ==========================================
ttl       text/turtle             .ttl .turtle          turtle, n3
nt        application/n-triples   .nt                   ntriples, n-triples
nq        application/n-quads     .nq                   nquads, n-quads
trig      application/trig        .trig
rdfxml    application/rdf+xml     .rdf .owl             rdf, rdf+xml, xml
jsonld    application/ld+json     .jsonld .json-ld      json-ld, json
========  ======================  ====================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyoxigraph is imported when a format is used, so `import probkg.cli` stays light
    import pyoxigraph

__all__ = [
    "BULK_SUFFIXES",
    "BY_MEDIA_TYPE",
    "BY_NAME",
    "BY_SUFFIX",
    "EXPORT_NAMES",
    "RDF_FORMATS",
    "RdfFormat",
]


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation."""

    name: str
    """probkg's short name (``probkg export --format``, ``Store.dump``)."""
    media_type: str
    """The registered media type, what a writer of this format answers with."""
    suffixes: tuple[str, ...]
    """File suffixes read as this format (lower case, with the dot)."""
    ox_name: str
    """The name of Oxigraph's format (an attribute of ``pyoxigraph.RdfFormat``)."""
    rdflib: str
    """rdflib's parser/serializer name."""
    aliases: tuple[str, ...] = ()
    """Other names accepted for it (endpoint ``format=`` values, command options)."""
    media_aliases: tuple[str, ...] = ()
    """Other media types a client may ask for it by (content negotiation), in order of preference."""

    @property
    def ox(self) -> pyoxigraph.RdfFormat:
        """Oxigraph's format."""
        import pyoxigraph

        return getattr(pyoxigraph.RdfFormat, self.ox_name)

    @property
    def datasets(self) -> bool:
        """True when the format keeps graph names (N-Quads, TriG, JSON-LD)."""
        return bool(self.ox.supports_datasets)


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat(
        "ttl",
        "text/turtle",
        (".ttl", ".turtle"),
        "TURTLE",
        "turtle",
        ("turtle", "n3"),
        ("application/x-turtle", "text/n3"),
    ),
    RdfFormat(
        "nt",
        "application/n-triples",
        (".nt",),
        "N_TRIPLES",
        "nt",
        ("ntriples", "n-triples"),
        ("text/plain",),
    ),
    RdfFormat("nq", "application/n-quads", (".nq",), "N_QUADS", "nquads", ("nquads", "n-quads")),
    RdfFormat("trig", "application/trig", (".trig",), "TRIG", "trig"),
    RdfFormat(
        "rdfxml",
        "application/rdf+xml",
        (".rdf", ".owl"),
        "RDF_XML",
        "xml",
        ("rdf", "rdf+xml", "xml"),
        ("application/xml", "text/xml"),
    ),
    RdfFormat(
        "jsonld",
        "application/ld+json",
        (".jsonld", ".json-ld"),
        "JSON_LD",
        "json-ld",
        ("json-ld", "json"),
        ("application/json",),
    ),
)
"""Every RDF format probkg reads or writes; the order is the endpoint's preference on ties."""

EXPORT_NAMES: tuple[str, ...] = ("nq", "trig", "nt", "ttl", "jsonld")
"""The formats a store dumps to (``probkg export``), dataset formats first."""

BULK_SUFFIXES: tuple[str, ...] = (".nq", ".nt", ".trig", ".ttl")
"""File suffixes the streaming bulk path reads (line- or statement-oriented, no whole-file parse)."""

BY_NAME: dict[str, RdfFormat] = {n: f for f in RDF_FORMATS for n in (f.name, *f.aliases)}
"""Short names and aliases (lower case) -> format."""
BY_SUFFIX: dict[str, RdfFormat] = {s: f for f in RDF_FORMATS for s in f.suffixes}
"""File suffixes (lower case, with the dot) -> format."""
BY_MEDIA_TYPE: dict[str, RdfFormat] = {m: f for f in RDF_FORMATS for m in (f.media_type, *f.media_aliases)}
"""Media types, canonical and alternative, -> format (in :data:`RDF_FORMATS` order)."""

"""Namespace objects for probkg's own vocabulary and the vocabularies it reuses.

Only namespaces listed in :data:`ALLOWED` may appear in the ontology, shapes, schemes,
curated data and queries; ``tests/test_ontology.py`` enforces the allow-list so that a
mistyped namespace IRI (a missing ``www.``, a ``#`` for a ``/``) is caught early.
"""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

__all__ = [
    "ALLOWED",
    "CV",
    "DCMITYPE",
    "DCTERMS",
    "DEF_IRI",
    "FOAF",
    "GEO",
    "GSS",
    "ID",
    "ID_IRI",
    "MARL",
    "OA",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROB",
    "PROB_IRI",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SH",
    "SHAPES",
    "SKOS",
    "TIME",
    "XSD",
    "bind_prefixes",
    "sparql_prologue",
]

DEF_IRI = "https://w3id.org/probation-kg/def"
"""The ontology's IRI (also the name of its graph in a store); terms are ``DEF_IRI#Term``."""
PROB_IRI = DEF_IRI + "#"
ID_IRI = "https://w3id.org/probation-kg/id/"
"""Where things live: ``ID_IRI + "org/london-crc"``, ``ID_IRI + "graph/registry"``."""

PROB = Namespace(PROB_IRI)
"""Terms of the probkg ontology (classes, properties, SKOS concepts)."""
SHAPES = Namespace("https://w3id.org/probation-kg/def/shapes#")
"""Names of the SHACL shapes in ``shapes.ttl`` (kept out of ``prob:`` so shapes are not ontology terms)."""
ID = Namespace(ID_IRI)
"""Things described by the graph: organisations, inspections, findings, documents, graphs."""

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
CV = Namespace("http://data.europa.eu/m8g/")
QB = Namespace("http://purl.org/linked-data/cube#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
GSS = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
MARL = Namespace("http://www.gsi.dit.upm.es/ontologies/marl/ns#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")

PREFIXES: dict[str, Namespace] = {
    "prob": PROB,
    "probsh": SHAPES,
    "id": ID,
    "org": ORG,
    "prov": Namespace(str(PROV)),
    "oa": OA,
    "skos": Namespace(str(SKOS)),
    "dct": Namespace(str(DCTERMS)),
    "dcmitype": DCMITYPE,
    "foaf": Namespace(str(FOAF)),
    "time": Namespace(str(TIME)),
    "cv": CV,
    "qb": QB,
    "geo": GEO,
    "gss": GSS,
    "marl": MARL,
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "sh": Namespace(str(SH)),
}
"""Preferred prefix for every namespace probkg writes."""

ALLOWED: frozenset[str] = frozenset(str(ns) for ns in PREFIXES.values()) | {
    "http://www.w3.org/ns/regorg#",
    "http://purl.org/linked-data/sdmx/2009/dimension#",
    "http://purl.org/linked-data/sdmx/2009/measure#",
    "http://purl.org/linked-data/sdmx/2009/attribute#",
    "http://www.w3.org/ns/dqv#",
    "https://schema.org/",
    "http://creativecommons.org/licenses/",
    "https://creativecommons.org/licenses/",
}
"""Namespace IRIs that terms used by probkg may come from."""


_G = TypeVar("_G", bound=Graph)


def bind_prefixes(graph: _G) -> _G:
    """Bind probkg's preferred prefixes on an rdflib graph or dataset and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """``PREFIX`` lines for every namespace in :data:`PREFIXES`, for queries that omit them."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

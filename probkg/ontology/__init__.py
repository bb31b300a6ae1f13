"""The probkg ontology, its SKOS concept schemes and its SHACL shapes, shipped as package data.

``ontology_graph()`` returns ``ontology.ttl`` and ``schemes.ttl`` together (the graph loaded into
``https://w3id.org/probation-kg/def`` in a store); ``shapes_graph()`` returns the SHACL application
profile. Both parse their files once per process and hand each caller a fresh copy, so callers may add
to or remove from what they get without affecting anyone else.

Validate data with the ontology as pySHACL's ``ont_graph`` so that class hierarchies are seen::

    pyshacl.validate(data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none")
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from rdflib import Graph, URIRef

from probkg.ontology.namespaces import (
    ALLOWED,
    CV,
    DCMITYPE,
    DCTERMS,
    DEF_IRI,
    FOAF,
    GEO,
    GSS,
    ID,
    MARL,
    OA,
    ORG,
    OWL,
    PREFIXES,
    PROB,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SHAPES,
    SKOS,
    TIME,
    XSD,
    bind_prefixes,
    sparql_prologue,
)

__all__ = [
    "ALLOWED",
    "CV",
    "DCMITYPE",
    "DCTERMS",
    "FOAF",
    "GEO",
    "GSS",
    "ID",
    "MARL",
    "OA",
    "ONTOLOGY_FILES",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROB",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SH",
    "SHAPES",
    "SHAPES_FILE",
    "SHAPES_IRI",
    "SKOS",
    "TIME",
    "VERSION",
    "VERSION_IRI",
    "XSD",
    "bind_prefixes",
    "concept_for",
    "concept_labels",
    "ontology_graph",
    "resource_path",
    "shapes_graph",
    "sparql_prologue",
]

ONTOLOGY_IRI = URIRef(DEF_IRI)
"""IRI of the ontology; also the name of the graph it is loaded into."""
VERSION = "0.1.0"
"""Version of the ontology (``owl:versionInfo``)."""
VERSION_IRI = URIRef(f"{ONTOLOGY_IRI}/{VERSION}")
"""``owl:versionIRI`` of this release of the ontology."""
SHAPES_IRI = URIRef(DEF_IRI + "/shapes")
"""IRI of the shapes graph node that declares the SPARQL prefixes of the shapes."""
ONTOLOGY_FILES = ("ontology.ttl", "schemes.ttl")
"""Files that together make up the ontology graph."""
SHAPES_FILE = "shapes.ttl"
"""File holding the SHACL shapes."""


def resource_path(name: str) -> Traversable:
    """Return the packaged resource ``name`` of ``probkg.ontology`` (e.g. ``"shapes.ttl"``).

    Raises :class:`FileNotFoundError` naming the resource when the package has no such file.
    """
    path = resources.files(__package__).joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"probkg.ontology has no resource named {name!r}")
    return path


def _parse(names: tuple[str, ...]) -> Graph:
    graph = bind_prefixes(Graph())
    for name in names:
        graph.parse(data=resource_path(name).read_text(encoding="utf-8"), format="turtle")
    return graph


@cache
def _cached(names: tuple[str, ...]) -> Graph:
    return _parse(names)


def _copy(graph: Graph) -> Graph:
    copy = bind_prefixes(Graph())
    for triple in graph:
        copy.add(triple)
    return copy


def ontology_graph() -> Graph:
    """Return a new in-memory graph holding ``ontology.ttl`` and ``schemes.ttl``.

    The files are parsed once per process; every call returns an independent copy.
    """
    return _copy(_cached(ONTOLOGY_FILES))


def shapes_graph() -> Graph:
    """Return a new in-memory graph holding the SHACL shapes of ``shapes.ttl``.

    The file is parsed once per process; every call returns an independent copy.
    """
    return _copy(_cached((SHAPES_FILE,)))


def _label_key(label: str) -> str:
    """Case-, '&'/'and'- and spacing-insensitive key for a concept label."""
    return " ".join(label.casefold().replace("&", " and ").replace("-", " ").split())


@cache
def _scheme_index(scheme: URIRef) -> tuple[dict[str, URIRef], dict[str, URIRef]]:
    from rdflib.namespace import SKOS

    graph = _cached(ONTOLOGY_FILES)
    preferred: dict[str, URIRef] = {}
    keys: dict[str, URIRef] = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, scheme), key=str):
        assert isinstance(concept, URIRef)
        for label in sorted(str(x) for x in graph.objects(concept, SKOS.prefLabel)):
            preferred[label] = concept
            keys[_label_key(label)] = concept
    for concept in sorted(set(keys.values())):
        for label in sorted(str(x) for x in graph.objects(concept, SKOS.altLabel)):
            keys.setdefault(_label_key(label), concept)
        keys.setdefault(_label_key(concept.split("#")[-1]), concept)
    return preferred, keys


def concept_labels(scheme: URIRef) -> dict[str, URIRef]:
    """The ``skos:prefLabel`` of every concept of ``scheme`` mapped to the concept, sorted by IRI."""
    return dict(_scheme_index(scheme)[0])


def concept_for(scheme: URIRef, label: str) -> URIRef | None:
    """The concept of ``scheme`` whose preferred or alternative label (or local name) is ``label``.

    Matching ignores case, spacing, hyphens and '&' versus 'and'; ``None`` when nothing matches.
    """
    return _scheme_index(scheme)[1].get(_label_key(label))

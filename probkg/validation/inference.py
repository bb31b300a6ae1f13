"""RDFS materialisation of the probkg ontology's class and property hierarchies.

Before a graph is written, the store adds to it the ``rdf:type`` triples implied by
``rdfs:subClassOf`` and the triples implied by ``rdfs:subPropertyOf``, both taken transitively from
the ontology graph (:func:`probkg.ontology.ontology_graph`). Because the consequences live in the same
named graph as the facts they follow from, replacing or dropping that graph keeps them consistent,
and any SPARQL engine sees, say, a CRC as a ``prob:ProbationProvider`` without reasoning of its own.

Only these two rules are applied (no domain/range typing, no OWL): small, fast and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

__all__ = ["Rules", "default_rules", "materialise"]

Triple = tuple[Node, Node, Node]


def _closure(edges: Mapping[URIRef, set[URIRef]]) -> dict[URIRef, frozenset[URIRef]]:
    """Every node's strict ancestors (cycles tolerated; a node is never its own ancestor)."""
    out: dict[URIRef, frozenset[URIRef]] = {}
    for start in edges:
        seen: set[URIRef] = set()
        stack = list(edges[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        seen.discard(start)
        if seen:
            out[start] = frozenset(seen)
    return out


@dataclass(frozen=True)
class Rules:
    """Strict, transitive super-classes and super-properties by term."""

    superclasses: Mapping[URIRef, frozenset[URIRef]]
    superproperties: Mapping[URIRef, frozenset[URIRef]]

    @classmethod
    def from_graph(cls, ontology: Graph) -> Rules:
        """Read ``rdfs:subClassOf`` and ``rdfs:subPropertyOf`` between named terms of ``ontology``."""
        classes: dict[URIRef, set[URIRef]] = {}
        properties: dict[URIRef, set[URIRef]] = {}
        for pred, table in ((RDFS.subClassOf, classes), (RDFS.subPropertyOf, properties)):
            for sub, sup in ontology.subject_objects(pred):
                if isinstance(sub, URIRef) and isinstance(sup, URIRef) and sub != sup:
                    table.setdefault(sub, set()).add(sup)
        return cls(_closure(classes), _closure(properties))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules of the shipped ontology (read once per process)."""
    from probkg.ontology import ontology_graph

    return Rules.from_graph(ontology_graph())


def materialise(triples: Iterable[Triple], rules: Rules | None = None) -> set[Triple]:
    """The triples the rules add to ``triples``, leaving out those already present.

    Super-properties are applied first, so a triple whose predicate is ``rdf:type`` only by
    sub-property would still be typed; then every ``rdf:type`` (stated or derived) gains its
    super-classes.
    """
    rules = rules or default_rules()
    supers_p = rules.superproperties
    supers_c = rules.superclasses
    present = triples if isinstance(triples, Graph) else set(triples)
    added: set[Triple] = set()
    for s, p, o in present:
        for q in supers_p.get(p, ()):  # type: ignore[call-overload]
            added.add((s, q, o))
    rdf_type = RDF.type
    if isinstance(present, Graph):
        typed = list(present.triples((None, rdf_type, None)))
    else:
        typed = [t for t in present if t[1] == rdf_type]
    typed += [t for t in added if t[1] == rdf_type]
    for s, _, o in typed:
        for c in supers_c.get(o, ()):  # type: ignore[call-overload]
            added.add((s, rdf_type, c))
    if isinstance(present, Graph):
        return {t for t in added if t not in present}
    return added - present

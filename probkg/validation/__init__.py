"""Validation: the SHACL gate in front of every load, shapes compiled to SPARQL, RDFS inference.

* :mod:`probkg.validation.gate`: validate a graph (and what the store says about the nodes it
  touches) against the shipped shapes; the :class:`Report` users see.
* :mod:`probkg.validation.shacl_sparql`: the shapes compiled to SPARQL, for stores too large for pySHACL.
* :mod:`probkg.validation.inference`: the RDFS entailments materialised into each loaded graph.
"""

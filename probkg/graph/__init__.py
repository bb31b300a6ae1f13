"""Graph stores: where the triples live.

* :mod:`probkg.graph.base`: the :class:`Store` contract every backend honours (query, update,
  named graphs, the load catalogue, dumps).
* :mod:`probkg.graph.store`: embedded Oxigraph on disk (the default) and the rdflib in-memory store.
* :mod:`probkg.graph.remote`: any SPARQL 1.1 Query/Update server with the Graph Store Protocol.
* :mod:`probkg.graph.bulk`: streaming loads of large RDF files.
* ``_io`` and ``_oxterms``: private helpers for dumps and term conversion.

Stores do not parse text or know query names; validation lives in :mod:`probkg.validation`.
"""

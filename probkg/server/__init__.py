"""HTTP: the SPARQL 1.1 Protocol endpoint, the named queries and the web pages served from a store.

A thin layer over :mod:`probkg.queries` and :mod:`probkg.graph`; it holds no domain logic.
"""

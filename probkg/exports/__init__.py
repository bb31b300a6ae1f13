"""Views of the graph for people and graph tools.

* :mod:`probkg.exports.nxview`: the graph as a networkx ``MultiDiGraph`` (literals as attributes,
  kinds instead of ``rdf:type`` edges) and the analytics over it.
* :mod:`probkg.exports.formats`: GraphML, GEXF, Cytoscape JSON, DOT, JSON-LD and the offline HTML explorer
  (the served explorer's page code from :mod:`probkg.exports.explorer`, with a subset of the graph inlined).
"""

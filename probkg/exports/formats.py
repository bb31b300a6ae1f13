"""Exports of the knowledge graph for graph tools and browsers.

Formats are data: :data:`FORMATS` maps a name to an :class:`Exporter` (file suffix, media type, writer).
Graph formats (``graphml``, ``gexf``, ``cytoscape``, ``dot``) write the networkx view from
:func:`probkg.exports.nxview.to_networkx`, with x/y positions from a seeded spring layout on every node;
``jsonld`` writes the RDF itself (every named graph) as compact JSON-LD with probkg's prefixes as context.

Every writer is deterministic: nodes, edges, attributes and JSON keys are sorted and the layout seed is
fixed, so exporting the same data twice gives the same bytes.

* GraphML carries plain ``<data>`` keys for every attribute *and* yEd's extension (``y:ShapeNode`` with
  ``y:NodeLabel``, ``y:PolyLineEdge`` with ``y:EdgeLabel``) so labels show in yEd. GraphML node ids must
  be XML name tokens, so nodes are ``n0``, ``n1``... and the IRI is in the ``iri`` key.
* GEXF is version 1.2 in the ``http://www.gexf.net/1.2draft`` namespace, with ``viz:position``,
  ``viz:color`` and ``viz:size`` on every node (Gephi, sigma.js).
* Cytoscape is the Cytoscape.js ``{"elements": {"nodes": [...], "edges": [...]}}`` document.
* DOT is Graphviz with every id and value in double quotes.
* HTML is the explorer of ``/explore`` as one self-contained page (no network access): its page code and
  cytoscape.js inlined with a subset of the graph (:func:`probkg.exports.explorer.export_html`).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from probkg.errors import InputError
from probkg.exports.nxview import curie, to_networkx
from probkg.graph.base import CATALOG_GRAPH, Store
from probkg.ontology.namespaces import PREFIXES

__all__ = [
    "FORMATS",
    "Exporter",
    "dumps",
    "export",
    "jsonld_context",
    "layout",
    "positioned",
]

Source = Store | Graph | nx.MultiDiGraph

LAYOUT_SEED = 42
"""Seed of the spring layout: the same graph always gets the same positions."""
LAYOUT_SCALE = 1000.0

GEXF_NS = "http://www.gexf.net/1.2draft"
GEXF_VIZ_NS = "http://www.gexf.net/1.2draft/viz"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
YED_NS = "http://www.yworks.com/xml/graphml"

# Colours per node category (hex RGB), shared by every format that draws.
PALETTE = {
    "organisation": "#1f77b4",
    "inspection": "#ff7f0e",
    "finding": "#d62728",
    "rating": "#9467bd",
    "verdict": "#8c564b",
    "figure": "#e377c2",
    "area": "#2ca02c",
    "person": "#17becf",
    "document": "#7f7f7f",
    "membership": "#bcbd22",
    "event": "#aec7e8",
    "run": "#c7c7c7",
    "agent": "#c49c94",
    "place": "#98df8a",
    "concept": "#ffbb78",
    "other": "#dbdb8d",
}
_DEFAULT_COLOUR = "#999999"

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Exporter:
    """One export format. ``graph`` writers take the networkx view, the others the RDF source."""

    name: str
    suffix: str
    media_type: str
    write: Callable[[Any, TextIO], None]
    graph: bool = True


# ---- layout -------------------------------------------------------------------------------


def _fruchterman_reingold(
    nodes: list[str], edges: Iterable[tuple[str, str]], seed: int, iterations: int = 60
) -> dict[str, tuple[float, float]]:
    """Dense Fruchterman-Reingold (used above 500 nodes when SciPy, needed by networkx there, is absent)."""
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    adj = np.zeros((n, n))
    for u, v in edges:
        adj[index[u], index[v]] = adj[index[v], index[u]] = 1.0
    rng = np.random.RandomState(seed)
    pos = rng.rand(n, 2)
    k = math.sqrt(1.0 / n)
    t = max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1]))) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.clip(np.sqrt((delta**2).sum(axis=-1)), 0.01, None)
        force = (k * k / dist**2 - adj * dist / k)[..., None] * delta
        disp = force.sum(axis=1)
        length = np.clip(np.sqrt((disp**2).sum(axis=1)), 0.01, None)
        pos += disp * (t / length)[:, None]
        t -= dt
    pos -= pos.mean(axis=0)
    lim = float(np.abs(pos).max()) or 1.0
    return {v: (float(pos[i, 0] / lim), float(pos[i, 1] / lim)) for v, i in index.items()}


def layout(G: nx.MultiDiGraph, *, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Spring-layout positions in [-1000, 1000], rounded to 0.01, for every node of ``G``."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(G.nodes))
    simple.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v}))
    if len(simple) == 0:
        return {}
    if len(simple) == 1:
        return {next(iter(simple)): (0.0, 0.0)}
    try:
        raw = nx.spring_layout(simple, seed=seed)
        pos = {n: (float(x), float(y)) for n, (x, y) in raw.items()}
    except ImportError:  # networkx wants SciPy for 500+ nodes
        pos = _fruchterman_reingold(list(simple.nodes), simple.edges(), seed)
    lim = max(max(abs(x), abs(y)) for x, y in pos.values()) or 1.0
    scale = LAYOUT_SCALE / lim
    return {n: (round(x * scale, 2), round(y * scale, 2)) for n, (x, y) in pos.items()}


def positioned(G: nx.MultiDiGraph, *, seed: int = LAYOUT_SEED) -> nx.MultiDiGraph:
    """``G`` with float ``x``/``y`` attributes on every node (kept if every node already has them)."""
    if all("x" in d and "y" in d for _, d in G.nodes(data=True)):
        return G
    for node, (x, y) in layout(G, seed=seed).items():
        G.nodes[node]["x"] = x
        G.nodes[node]["y"] = y
    return G


# ---- helpers shared by the writers --------------------------------------------------------


def _xml(value: Any) -> str:
    return _XML_INVALID.sub("", _text(value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attr_types(items: Iterable[dict[str, Any]], skip: set[str]) -> dict[str, str]:
    """Attribute name -> ``boolean`` | ``long`` | ``double`` | ``string``, a common type for every value."""
    seen: dict[str, set[type]] = {}
    for data in items:
        for key, value in data.items():
            if key not in skip:
                seen.setdefault(key, set()).add(type(value))
    out = {}
    for key in sorted(seen):
        types = seen[key]
        if types == {bool}:
            out[key] = "boolean"
        elif types == {int}:
            out[key] = "long"
        elif types <= {int, float}:
            out[key] = "double"
        else:
            out[key] = "string"
    return out


def _gexf_attvalues(out: TextIO, data: dict[str, Any], ids: dict[str, str], types: dict[str, str]) -> None:
    """Write the ``<attvalues>`` of one GEXF node or edge (nothing when it has no declared attribute)."""
    values = [(ids[k], _typed(v, types[k])) for k, v in sorted(data.items()) if k in ids]
    if values:
        out.write("        <attvalues>\n")
        for aid, value in values:
            out.write(f'          <attvalue for="{aid}" value={quoteattr(value)}/>\n')
        out.write("        </attvalues>\n")


def _typed(value: Any, kind: str) -> str:
    if kind == "double":
        return repr(float(value))
    return _xml(value)


def _sorted_nodes(G: nx.MultiDiGraph) -> list[tuple[str, dict[str, Any]]]:
    return sorted(G.nodes(data=True), key=lambda nd: nd[0])


def _sorted_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    return sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))


def _edge_id(key: Any, data: dict[str, Any]) -> str:
    return str(data.get("id", key))


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _colour(data: dict[str, Any]) -> str:
    return PALETTE.get(str(data.get("category", "")), _DEFAULT_COLOUR)


def _size(G: nx.MultiDiGraph, node: str) -> float:
    return round(10.0 + 4.0 * math.sqrt(G.degree(node)), 2)


# ---- GraphML with yEd labels --------------------------------------------------------------


def write_graphml(G: nx.MultiDiGraph, out: TextIO) -> None:
    """GraphML readable by networkx, Gephi and Cytoscape, with yEd's node and edge labels."""
    G = positioned(G)
    nodes, edges = _sorted_nodes(G), _sorted_edges(G)
    node_types = _attr_types(({"iri": n, **d} for n, d in nodes), set())
    edge_types = _attr_types((d for *_, d in edges), {"id"})
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:y="{YED_NS}" xsi:schemaLocation="{GRAPHML_NS} '
        'http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">\n'
    )
    node_keys = {name: f"n_{i}" for i, name in enumerate(node_types)}
    edge_keys = {name: f"e_{i}" for i, name in enumerate(edge_types)}
    for target, types, keys in (("node", node_types, node_keys), ("edge", edge_types, edge_keys)):
        for name, kind in types.items():
            out.write(
                f'  <key id="{keys[name]}" for="{target}" attr.name={quoteattr(name)} attr.type="{kind}"/>\n'
            )
    out.write('  <key id="yn" for="node" yfiles.type="nodegraphics"/>\n')
    out.write('  <key id="ye" for="edge" yfiles.type="edgegraphics"/>\n')
    out.write('  <graph id="probkg" edgedefault="directed">\n')
    gid = {n: f"n{i}" for i, (n, _) in enumerate(nodes)}
    for n, d in nodes:
        out.write(f'    <node id="{gid[n]}">\n')
        for name, value in sorted({"iri": n, **d}.items()):
            text = escape(_typed(value, node_types[name]))
            out.write(f'      <data key="{node_keys[name]}">{text}</data>\n')
        size = _size(G, n) * 2
        label = escape(_xml(d.get("label", n)))
        out.write(
            '      <data key="yn"><y:ShapeNode>'
            f'<y:Geometry x="{d["x"]}" y="{d["y"]}" width="{size}" height="{size}"/>'
            f'<y:Fill color="{_colour(d).upper()}" transparent="false"/>'
            '<y:BorderStyle color="#333333" type="line" width="1.0"/>'
            f'<y:NodeLabel alignment="center" autoSizePolicy="content" modelName="sides" '
            f'modelPosition="s" visible="true">{label}</y:NodeLabel>'
            '<y:Shape type="ellipse"/></y:ShapeNode></data>\n'
        )
        out.write("    </node>\n")
    for u, v, key, d in edges:
        out.write(f'    <edge id={quoteattr(_edge_id(key, d))} source="{gid[u]}" target="{gid[v]}">\n')
        for name, value in sorted(d.items()):
            if name in edge_keys:
                text = escape(_typed(value, edge_types[name]))
                out.write(f'      <data key="{edge_keys[name]}">{text}</data>\n')
        label = escape(_xml(d.get("label", "")))
        out.write(
            '      <data key="ye"><y:PolyLineEdge>'
            '<y:LineStyle color="#666666" type="line" width="1.0"/>'
            '<y:Arrows source="none" target="standard"/>'
            f'<y:EdgeLabel visible="true">{label}</y:EdgeLabel></y:PolyLineEdge></data>\n'
        )
        out.write("    </edge>\n")
    out.write("  </graph>\n</graphml>\n")


# ---- GEXF 1.2 ------------------------------------------------------------------------------

_GEXF_TYPE = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}


def write_gexf(G: nx.MultiDiGraph, out: TextIO) -> None:
    """GEXF 1.2draft with typed attributes and viz position, colour and size on every node."""
    G = positioned(G)
    nodes, edges = _sorted_nodes(G), _sorted_edges(G)
    node_types = _attr_types((d for _, d in nodes), {"label", "x", "y"})
    edge_types = _attr_types((d for *_, d in edges), {"id", "label"})
    node_ids = {name: str(i) for i, name in enumerate(node_types)}
    edge_ids = {name: str(i) for i, name in enumerate(edge_types)}
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.2">\n'
    )
    out.write(
        "  <meta><creator>probkg</creator><description>probkg knowledge graph, "
        f"{escape(str(G.graph.get('view', '')))}</description></meta>\n"
    )
    out.write('  <graph defaultedgetype="directed" mode="static">\n')
    for cls, types, ids in (("node", node_types, node_ids), ("edge", edge_types, edge_ids)):
        out.write(f'    <attributes class="{cls}" mode="static">\n')
        for name, kind in types.items():
            out.write(
                f'      <attribute id="{ids[name]}" title={quoteattr(name)} type="{_GEXF_TYPE[kind]}"/>\n'
            )
        out.write("    </attributes>\n")
    out.write("    <nodes>\n")
    for n, d in nodes:
        out.write(f"      <node id={quoteattr(_xml(n))} label={quoteattr(_xml(d.get('label', n)))}>\n")
        _gexf_attvalues(out, d, node_ids, node_types)
        r, g, b = _rgb(_colour(d))
        out.write(f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
        out.write(f'        <viz:position x="{d["x"]}" y="{d["y"]}" z="0.0"/>\n')
        out.write(f'        <viz:size value="{_size(G, n)}"/>\n')
        out.write("      </node>\n")
    out.write("    </nodes>\n    <edges>\n")
    for u, v, key, d in edges:
        out.write(
            f"      <edge id={quoteattr(_xml(_edge_id(key, d)))} source={quoteattr(_xml(u))} "
            f"target={quoteattr(_xml(v))} label={quoteattr(_xml(d.get('label', '')))}>\n"
        )
        _gexf_attvalues(out, d, edge_ids, edge_types)
        out.write("      </edge>\n")
    out.write("    </edges>\n  </graph>\n</gexf>\n")


# ---- Cytoscape.js JSON ---------------------------------------------------------------------


def cytoscape_elements(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The Cytoscape.js document as a dict (also what the HTML viewer embeds)."""
    G = positioned(G)
    nodes = []
    for n, d in _sorted_nodes(G):
        data = {k: v for k, v in d.items() if k not in ("x", "y")}
        data.update(id=n, colour=_colour(d), size=_size(G, n))
        nodes.append({"data": dict(sorted(data.items())), "position": {"x": d["x"], "y": d["y"]}})
    edges = []
    for u, v, key, d in _sorted_edges(G):
        data = {**d, "id": _edge_id(key, d), "source": u, "target": v}
        edges.append({"data": dict(sorted(data.items()))})
    return {
        "data": {"name": "probkg", "view": str(G.graph.get("view", ""))},
        "elements": {"nodes": nodes, "edges": edges},
    }


def write_cytoscape(G: nx.MultiDiGraph, out: TextIO) -> None:
    """Cytoscape.js JSON (also imported by Cytoscape desktop)."""
    json.dump(cytoscape_elements(G), out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")


# ---- Graphviz DOT --------------------------------------------------------------------------


def dot_quote(value: Any) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``."""
    text = _text(value).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return f'"{text}"'


def write_dot(G: nx.MultiDiGraph, out: TextIO) -> None:
    """Graphviz DOT; every id, attribute name and value is quoted."""
    G = positioned(G)
    out.write("digraph probkg {\n")
    out.write('  graph [overlap="false", splines="true", outputorder="edgesfirst"];\n')
    out.write('  node [shape="ellipse", style="filled", fontname="Helvetica", fontsize="10"];\n')
    out.write('  edge [fontname="Helvetica", fontsize="8", color="#666666"];\n')
    for n, d in _sorted_nodes(G):
        attrs = {k: v for k, v in d.items() if k not in ("x", "y")}
        attrs["fillcolor"] = _colour(d)
        attrs["pos"] = f"{d['x'] / 10:.2f},{d['y'] / 10:.2f}"
        body = ", ".join(f"{dot_quote(k)}={dot_quote(v)}" for k, v in sorted(attrs.items()))
        out.write(f"  {dot_quote(n)} [{body}];\n")
    for u, v, key, d in _sorted_edges(G):
        attrs = {**d, "id": _edge_id(key, d)}
        body = ", ".join(f"{dot_quote(k)}={dot_quote(val)}" for k, val in sorted(attrs.items()))
        out.write(f"  {dot_quote(u)} -> {dot_quote(v)} [{body}];\n")
    out.write("}\n")


# ---- self-contained HTML viewer -----------------------------------------------------------


def write_html(source: Store | Graph, out: TextIO) -> None:
    """The offline explorer: the served explorer's page code with a subset of the graph inlined (one file).

    See :func:`probkg.exports.explorer.export_html`; an rdflib graph or dataset is first put in a
    memory store.
    """
    from probkg.exports.explorer import export_html

    if isinstance(source, Store):
        export_html(source, out)
        return
    from probkg.graph.store import MemoryStore

    store = MemoryStore()
    graphs = source.graphs() if isinstance(source, Dataset) else [source]
    for g in graphs:
        if len(g) and g.identifier != CATALOG_GRAPH:
            name = g.identifier if isinstance(g.identifier, URIRef) else URIRef("urn:probkg:export")
            store.replace_graph(name, list(g))
    export_html(store, out)


# ---- JSON-LD -------------------------------------------------------------------------------


def jsonld_context() -> dict[str, str]:
    """probkg's prefixes as a JSON-LD context."""
    return {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}


def _dataset(source: Store | Graph) -> Dataset:
    """The source's named graphs (the store's catalogue left out, as in ``probkg export``)."""
    ds = Dataset()
    if isinstance(source, Store):
        for s, p, o, g in source.quads():
            if g != CATALOG_GRAPH:
                ds.graph(g).add((s, p, o))
    elif getattr(source, "context_aware", False):
        for s, p, o, g in source.quads((None, None, None, None)):  # type: ignore[arg-type]
            gid = getattr(g, "identifier", g)
            if gid != CATALOG_GRAPH:
                ds.graph(gid).add((s, p, o))
    else:
        for triple in source:
            ds.add(triple)
    return ds


def _canonical(ds: Dataset) -> Dataset:
    """Blank nodes relabelled from their content, so the same data gives the same labels."""
    out = Dataset()
    for g in ds.graphs():
        if not any(isinstance(t, BNode) for triple in g for t in triple):
            target = out.graph(g.identifier)
            for triple in g:
                target.add(triple)
            continue
        canon = to_canonical_graph(g)
        target = out.graph(g.identifier)
        for triple in canon:
            target.add(triple)
    return out


def _sort_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sort_json(v)) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def write_jsonld(source: Store | Graph, out: TextIO) -> None:
    """Every named graph (not the catalogue) as compact JSON-LD, sorted, with probkg's prefixes as context."""
    ds = _canonical(_dataset(source))
    context = jsonld_context()
    doc = json.loads(ds.serialize(format="json-ld", context=context, auto_compact=True))
    if isinstance(doc, dict) and "@context" in doc:
        body = {k: v for k, v in doc.items() if k != "@context"}
        graphs = body.get("@graph", [body] if body else [])
    else:
        graphs = doc if isinstance(doc, list) else [doc]
    for item in graphs:  # rdflib leaves graph names expanded; compact them like every other IRI
        if isinstance(item, dict) and "@graph" in item and isinstance(item.get("@id"), str):
            item["@id"] = curie(URIRef(item["@id"]))
    json.dump(
        {"@context": context, "@graph": _sort_json(graphs)}, out, ensure_ascii=False, indent=1, sort_keys=True
    )
    out.write("\n")


# ---- registry and entry points -------------------------------------------------------------

FORMATS: dict[str, Exporter] = {
    "graphml": Exporter("graphml", ".graphml", "application/graphml+xml", write_graphml),
    "gexf": Exporter("gexf", ".gexf", "application/gexf+xml", write_gexf),
    "cytoscape": Exporter("cytoscape", ".cyjs", "application/json", write_cytoscape),
    "dot": Exporter("dot", ".dot", "text/vnd.graphviz", write_dot),
    "html": Exporter("html", ".html", "text/html", write_html, graph=False),
    "jsonld": Exporter("jsonld", ".jsonld", "application/ld+json", write_jsonld, graph=False),
}
"""Export formats by name."""


def _exporter(fmt: str) -> Exporter:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(sorted(FORMATS))}") from None


def _write(
    source: Source,
    exporter: Exporter,
    out: TextIO,
    *,
    include: str | Iterable[str],
    memberships: str,
    seed: int,
) -> None:
    if exporter.graph:
        G = (
            source
            if isinstance(source, nx.MultiDiGraph)
            else to_networkx(source, include=include, memberships=memberships)
        )
        exporter.write(positioned(G, seed=seed), out)
    else:
        if isinstance(source, nx.MultiDiGraph):
            raise InputError(
                f"{exporter.name} exports RDF: give a store or an rdflib graph, not a networkx graph"
            )
        exporter.write(source, out)


def export(
    source: Source,
    fmt: str,
    out: str | Path | IO[str] | IO[bytes],
    *,
    include: str | Iterable[str] = "domain",
    memberships: str = "edges",
    seed: int = LAYOUT_SEED,
) -> None:
    """Write ``source`` in format ``fmt`` to a path or an open (text or binary) stream, as UTF-8.

    ``source`` is a store, an rdflib graph or dataset, or (for graph formats) a networkx graph from
    :func:`~probkg.exports.nxview.to_networkx`. ``include`` and ``memberships`` are passed to it.
    """
    exporter = _exporter(fmt)
    opts: dict[str, Any] = {"include": include, "memberships": memberships, "seed": seed}
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            _write(source, exporter, fh, **opts)
        return
    if isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
        _write(source, exporter, out, **opts)  # type: ignore[arg-type]
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)  # type: ignore[arg-type]
    try:
        _write(source, exporter, text, **opts)
        text.flush()
    finally:
        text.detach()


def dumps(source: Source, fmt: str, **options: Any) -> str:
    """The export as a string (see :func:`export` for the options)."""
    buf = io.StringIO()
    export(source, fmt, buf, **options)
    return buf.getvalue()

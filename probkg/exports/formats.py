"""Exports of the knowledge graph for graph tools and browsers.

Formats are data: :data:`FORMATS` maps a name to an :class:`Exporter` (file suffix, media type, writer).
Graph formats (``graphml``, ``gexf``, ``cytoscape``, ``dot``) write the networkx view from
:func:`probkg.exports.nxview.to_networkx`, with x/y positions from a seeded spring layout on every node;
``jsonld`` writes the RDF itself (every named graph) as expanded JSON-LD, streamed by Oxigraph.

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

import codecs
import io
import json
import math
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO, TypeAlias
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from probkg.errors import InputError
from probkg.exports.nxview import to_networkx
from probkg.formats import BY_NAME
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

Source: TypeAlias = Store | Graph | nx.MultiDiGraph

LAYOUT_SEED = 42
"""Seed of the spring layout: the same graph always gets the same positions."""
LAYOUT_SCALE = 1000.0

GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
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

LAYOUTS: tuple[str, ...] = ("fa2", "spring", "none")
"""Layouts: ForceAtlas2 with Barnes-Hut (near-linear, the default), networkx's spring layout (sparse,
for small graphs only) or none (no positions: for tools that lay the graph out themselves)."""
DEFAULT_LAYOUT = "fa2"
SPRING_LIMIT = 5000
"""Most nodes the spring layout accepts: its cost grows with the square of the nodes."""


def _simple(G: nx.MultiDiGraph) -> tuple[list[str], Any]:
    """Sorted nodes and the symmetric sparse adjacency matrix (no self loops, no parallel edges)."""
    import scipy.sparse as sp

    nodes = sorted(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = {(index[u], index[v]) for u, v in G.edges() if u != v}
    pairs |= {(j, i) for i, j in pairs}
    rows = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
    data = np.ones(len(pairs), dtype=np.float64)
    return nodes, sp.csr_matrix((data, (rows, cols)), shape=(len(nodes), len(nodes)))


FA2_WORK = 1_200_000
"""Node-iterations ForceAtlas2 may spend: 100 iterations up to 12,000 nodes, fewer above (30 at 40,000
nodes, the size of a million-quad store's domain view, so the default layout stays within minutes)."""


def fa2_iterations(nodes: int) -> int:
    """How many ForceAtlas2 iterations a graph of ``nodes`` nodes gets (between 20 and 100)."""
    return max(20, min(100, FA2_WORK // max(1, nodes)))


def _forceatlas2(G: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    from fa2_modified import ForceAtlas2

    nodes, adjacency = _simple(G)
    rng = np.random.RandomState(seed)
    start = rng.rand(len(nodes), 2) * 100.0
    iterations = fa2_iterations(len(nodes))
    fa2 = ForceAtlas2(
        barnesHutOptimize=True, barnesHutTheta=1.2, scalingRatio=2.0, gravity=1.0, verbose=False
    )
    pos = fa2.forceatlas2(adjacency, pos=start, iterations=iterations)
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, pos, strict=True)}


def _spring(G: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    if G.number_of_nodes() > SPRING_LIMIT:
        raise InputError(
            f"--layout spring is for graphs of at most {SPRING_LIMIT} nodes (this one has "
            f"{G.number_of_nodes()}); use --layout fa2, or none"
        )
    simple = nx.Graph()
    simple.add_nodes_from(sorted(G.nodes))
    simple.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v}))
    raw = nx.spring_layout(simple, seed=seed)
    return {n: (float(x), float(y)) for n, (x, y) in raw.items()}


def layout(
    G: nx.MultiDiGraph, *, method: str = DEFAULT_LAYOUT, seed: int = LAYOUT_SEED
) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``G`` (empty for ``none``), rounded to 0.01.

    Coordinates are in points with y pointing up (Gephi's and Graphviz's convention), centred on 0 and
    scaled so that nodes are about 40 points apart on average, whatever the size of the graph.
    """
    if method not in LAYOUTS:
        raise InputError(f"unknown layout {method!r}; choose from {', '.join(LAYOUTS)}")
    n = G.number_of_nodes()
    if method == "none" or n == 0:
        return {}
    if n == 1:
        return {next(iter(G.nodes)): (0.0, 0.0)}
    pos = _forceatlas2(G, seed) if method == "fa2" else _spring(G, seed)
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    cx, cy = float(xs.mean()), float(ys.mean())
    lim = float(max(np.abs(xs - cx).max(), np.abs(ys - cy).max())) or 1.0
    scale = float(max(LAYOUT_SCALE / 5, 20.0 * math.sqrt(n)) / lim)
    return {
        k: (round(float(x - cx) * scale, 2), round(float(y - cy) * scale, 2)) for k, (x, y) in pos.items()
    }


def _has_positions(G: nx.MultiDiGraph) -> bool:
    return G.number_of_nodes() > 0 and all("x" in d and "y" in d for _, d in G.nodes(data=True))


def positioned(
    G: nx.MultiDiGraph, *, method: str = DEFAULT_LAYOUT, seed: int = LAYOUT_SEED
) -> nx.MultiDiGraph:
    """``G`` with float ``x``/``y`` attributes on every node (kept if every node already has them)."""
    if _has_positions(G):
        return G
    for node, (x, y) in layout(G, method=method, seed=seed).items():
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
                kind = bool if isinstance(value, bool | np.bool_) else type(value)
                if kind is not bool and isinstance(value, int | np.integer):
                    kind = int
                elif isinstance(value, float | np.floating):
                    kind = float
                seen.setdefault(key, set()).add(kind)
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
        size = _size(G, n) * 2
        label = escape(_xml(d.get("label", n)))
        # yEd draws y downwards from the node's top-left corner: flip y so the picture matches Gephi's
        where = f'x="{d["x"] - size / 2:.2f}" y="{-d["y"] - size / 2:.2f}" ' if "x" in d and "y" in d else ""
        out.write(
            '      <data key="yn"><y:ShapeNode>'
            f'<y:Geometry {where}width="{size}" height="{size}"/>'
            f'<y:Fill color="{_colour(d).upper()}" transparent="false"/>'
            '<y:BorderStyle color="#333333" type="line" width="1.0"/>'
            f'<y:NodeLabel alignment="center" autoSizePolicy="content" modelName="sides" '
            f'modelPosition="s" visible="true">{label}</y:NodeLabel>'
            '<y:Shape type="ellipse"/></y:ShapeNode></data>\n'
        )
        # typed data after yEd's geometry: readers such as networkx let the last x/y win
        for name, value in sorted({"iri": n, **d}.items()):
            text = escape(_typed(value, node_types[name]))
            out.write(f'      <data key="{node_keys[name]}">{text}</data>\n')
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


# ---- GEXF 1.3 ------------------------------------------------------------------------------

_GEXF_TYPE = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}
_HANGING = frozenset({"finding", "rating", "verdict", "figure"})


def _gexf_day(value: Any) -> str | None:
    text = str(value).split(" | ")[0].strip()[:10] if value not in (None, "") else ""
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01"
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _node_times(G: nx.MultiDiGraph) -> dict[str, str]:
    """When a node appears on a timeline: an inspection on its day, its findings and ratings with it."""
    from probkg.exports.select import inspection_day

    times: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        if d.get("category") == "inspection":
            day = inspection_day(d)
            if day:
                times[n] = day
    for n, d in G.nodes(data=True):
        if d.get("category") in _HANGING:
            for _, v, e in G.out_edges(n, data=True):
                if e.get("predicate") == "prob:inInspection" and v in times:
                    times[n] = times[v]
                    break
    return times


def _spell(start: str | None, end: str | None) -> str:
    out = f' start="{start}"' if start else ""
    return out + (f' end="{end}"' if end else "")


def write_gexf(G: nx.MultiDiGraph, out: TextIO) -> None:
    """GEXF 1.3 with typed attributes, viz colour and size (and position, when laid out) on every node, and
    time: inspections (with their findings and ratings) start on their day, ownership and other dated
    membership edges last from their beginning to their end, so Gephi's timeline can play the graph."""
    nodes, edges = _sorted_nodes(G), _sorted_edges(G)
    node_types = _attr_types((d for _, d in nodes), {"label", "x", "y"})
    edge_types = _attr_types((d for *_, d in edges), {"id", "label"})
    node_ids = {name: str(i) for i, name in enumerate(node_types)}
    edge_ids = {name: str(i) for i, name in enumerate(edge_types)}
    times = _node_times(G)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">\n'
    )
    out.write(
        "  <meta><creator>probkg</creator><description>probkg knowledge graph, "
        f"{escape(str(G.graph.get('view', '')))}</description></meta>\n"
    )
    out.write(
        '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date" '
        'timerepresentation="interval">\n'
    )
    for cls, types, ids in (("node", node_types, node_ids), ("edge", edge_types, edge_ids)):
        out.write(f'    <attributes class="{cls}" mode="static">\n')
        for name, kind in types.items():
            out.write(
                f'      <attribute id="{ids[name]}" title={quoteattr(name)} type="{_GEXF_TYPE[kind]}"/>\n'
            )
        out.write("    </attributes>\n")
    out.write("    <nodes>\n")
    for n, d in nodes:
        out.write(
            f"      <node id={quoteattr(_xml(n))} label={quoteattr(_xml(d.get('label', n)))}"
            f"{_spell(times.get(n), None)}>\n"
        )
        _gexf_attvalues(out, d, node_ids, node_types)
        r, g, b = _rgb(_colour(d))
        out.write(f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
        if "x" in d and "y" in d:
            out.write(f'        <viz:position x="{d["x"]}" y="{d["y"]}" z="0.0"/>\n')
        out.write(f'        <viz:size value="{_size(G, n)}"/>\n')
        out.write("      </node>\n")
    out.write("    </nodes>\n    <edges>\n")
    for u, v, key, d in edges:
        start, end = _gexf_day(d.get("begin")), _gexf_day(d.get("end"))
        if start and end and end < start:
            start, end = end, start
        if not (start or end):
            start = max((t for t in (times.get(u), times.get(v)) if t), default=None)
        out.write(
            f"      <edge id={quoteattr(_xml(_edge_id(key, d)))} source={quoteattr(_xml(u))} "
            f"target={quoteattr(_xml(v))} label={quoteattr(_xml(d.get('label', '')))}{_spell(start, end)}>\n"
        )
        _gexf_attvalues(out, d, edge_ids, edge_types)
        out.write("      </edge>\n")
    out.write("    </edges>\n  </graph>\n</gexf>\n")


# ---- Cytoscape.js JSON ---------------------------------------------------------------------


def cytoscape_elements(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The Cytoscape.js document as a dict (also what the HTML viewer embeds)."""
    nodes = []
    for n, d in _sorted_nodes(G):
        data = {k: v for k, v in d.items() if k not in ("x", "y")}
        data.update(id=n, colour=_colour(d), size=_size(G, n))
        node: dict[str, Any] = {"data": dict(sorted(data.items()))}
        if "x" in d and "y" in d:  # Cytoscape.js draws y downwards: flip so the picture matches Gephi's
            node["position"] = {"x": d["x"], "y": -d["y"] + 0.0}
        nodes.append(node)
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


SPLINE_LIMIT = 100
"""Graphs with more nodes than this get straight edges: spline routing is what makes Graphviz hang."""
OVERLAP_LIMIT = 2000
"""Up to this many nodes ``sfdp``/``neato`` remove node overlaps (prism); above, they leave them."""
_TOP_KINDS = frozenset({"OwnerOrganisation", "Inspectorate", "NationalProbationService", "Ministry"})


def _dot_level(d: dict[str, Any]) -> int:
    """Rank band for ``dot``: owners, then providers, areas and people, inspections, then what they found."""
    category = d.get("category")
    if category == "organisation":
        return 0 if d.get("kind") in _TOP_KINDS else 1
    if category in ("area", "person"):
        return 1
    if category == "inspection":
        return 2
    if category in _HANGING:
        return 3
    return 1


def write_dot(G: nx.MultiDiGraph, out: TextIO) -> None:
    """Graphviz DOT that ``dot``, ``sfdp``, ``neato`` (and ``neato -n2`` with the embedded positions) draw.

    Positions (``pos``, in points, y up as Graphviz expects) are the layout's. For ``dot`` every edge points
    down the bands owner -> provider -> inspection -> finding (reversed edges are drawn with ``dir=back``
    so arrows keep their meaning) and the findings of an inspection are staggered over several ranks, as
    Graphviz's ``unflatten`` would, so the drawing is not one very wide strip. Large graphs get straight
    edges without labels (edge labels stay as ``tooltip``)."""
    n_nodes = G.number_of_nodes()
    small = n_nodes <= SPLINE_LIMIT
    nodes, edges = _sorted_nodes(G), _sorted_edges(G)
    level = {n: _dot_level(d) for n, d in nodes}
    hanging = [n for n, _ in nodes if level[n] == 3]
    bands = max(4, round(math.sqrt(len(hanging)) / 2))
    stagger = {n: i % bands for i, n in enumerate(hanging)}
    anchored = {
        u
        for u, v, d in G.edges(data=True)
        if level.get(u) == 3 and d.get("predicate") == "prob:inInspection" and v in level
    }
    out.write("digraph probkg {\n")
    overlap = "prism" if n_nodes <= OVERLAP_LIMIT else "true"
    out.write(
        f'  graph [overlap="{overlap}", splines="{"true" if small else "false"}", outputorder="edgesfirst", '
        'size="50,50", ranksep="0.6", nodesep="0.15", mclimit="0.5", nslimit="4", nslimit1="4", '
        'remincross="false"];\n'
    )
    out.write(
        '  node [shape="ellipse", style="filled", fontname="Helvetica", fontsize="10", margin="0.05"];\n'
    )
    out.write('  edge [fontname="Helvetica", fontsize="8", color="#666666"];\n')
    for n, d in nodes:
        attrs = {k: v for k, v in d.items() if k not in ("x", "y")}
        attrs["fillcolor"] = _colour(d)
        attrs["label"] = "\n".join(textwrap.wrap(str(d.get("label", n)), 28)) or str(n)
        if "x" in d and "y" in d:
            attrs["pos"] = f"{d['x']:.2f},{d['y']:.2f}"
        body = ", ".join(f"{dot_quote(k)}={dot_quote(v)}" for k, v in sorted(attrs.items()))
        out.write(f"  {dot_quote(n)} [{body}];\n")
    for u, v, key, d in edges:
        attrs = {**d, "id": _edge_id(key, d)}
        if not small:
            attrs["tooltip"] = attrs.pop("label", "")
        lu, lv = level[u], level[v]
        tail, head = u, v
        if lu > lv:
            tail, head = v, u
            attrs["dir"] = "back"
        low, high = (u, v) if lu <= lv else (v, u)
        if lu == lv:
            attrs["constraint"] = "false"
        elif level[high] == 3:
            if G.nodes[low].get("category") == "inspection" or high not in anchored:
                attrs["minlen"] = 1 + stagger[high]
            else:
                attrs["constraint"] = "false"
        else:
            attrs["minlen"] = abs(lu - lv)
        body = ", ".join(f"{dot_quote(k)}={dot_quote(val)}" for k, val in sorted(attrs.items()))
        out.write(f"  {dot_quote(tail)} -> {dot_quote(head)} [{body}];\n")
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
    """probkg's prefixes as a JSON-LD context (for readers that want to compact the export)."""
    return {prefix: str(ns) for prefix, ns in sorted(PREFIXES.items())}


class _Utf8Sink:
    """A binary file-like that decodes what Oxigraph writes into a text stream (characters split across
    chunks are kept whole)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> int:
        self._out.write(self._decoder.decode(bytes(data)))
        return len(data)

    def flush(self) -> None:
        self._out.write(self._decoder.decode(b"", final=True))


def _rdflib_quads(source: Graph) -> list[Any]:
    """The quads of an rdflib graph or dataset (catalogue left out) for Oxigraph, blank nodes relabelled
    from their content and sorted, so the same data gives the same bytes however it was parsed."""
    import pyoxigraph as ox

    from probkg.graph._oxterms import from_rdflib

    if getattr(source, "context_aware", False):
        every = source.graphs() if isinstance(source, Dataset) else source.contexts()  # type: ignore[attr-defined]
        graphs = [g for g in every if g.identifier != CATALOG_GRAPH]
    else:
        graphs = [source]
    quads: list[Any] = []
    for g in graphs:
        named = (
            g is not source and isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID
        )
        name = ox.NamedNode(str(g.identifier)) if named else ox.DefaultGraph()
        triples = to_canonical_graph(g) if any(isinstance(t, BNode) for tr in g for t in tr) else g
        quads.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), name) for s, p, o in triples)  # type: ignore[arg-type]
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def write_jsonld(source: Store | Graph, out: TextIO) -> None:
    """Every named graph (not the catalogue) as JSON-LD, streamed by Oxigraph's serialiser.

    This is the store's own JSON-LD (:meth:`probkg.graph.base.Store.dump`), so the export and
    ``probkg publish`` share one writer: expanded JSON-LD (absolute IRIs, no context), one object per
    named graph with its resources in ``@graph``. A store is written in its index order, without a copy in
    memory; an rdflib graph or dataset is sorted first, with content-derived blank node labels.
    """
    sink = _Utf8Sink(out)
    if isinstance(source, Store):
        source.dump(sink, "jsonld")  # type: ignore[arg-type]
    else:
        import pyoxigraph as ox

        ox.serialize(_rdflib_quads(source), sink, BY_NAME["jsonld"].ox)  # type: ignore[arg-type]
    sink.flush()
    out.write("\n")


# ---- registry and entry points -------------------------------------------------------------

_JSONLD = BY_NAME["jsonld"]

FORMATS: dict[str, Exporter] = {
    "graphml": Exporter("graphml", ".graphml", "application/graphml+xml", write_graphml),
    "gexf": Exporter("gexf", ".gexf", "application/gexf+xml", write_gexf),
    "cytoscape": Exporter("cytoscape", ".cyjs", "application/json", write_cytoscape),
    "dot": Exporter("dot", ".dot", "text/vnd.graphviz", write_dot),
    "html": Exporter("html", ".html", "text/html", write_html, graph=False),
    "jsonld": Exporter("jsonld", _JSONLD.suffixes[0], _JSONLD.media_type, write_jsonld, graph=False),
}
"""Export formats by name."""


def _exporter(fmt: str) -> Exporter:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r}; choose from {', '.join(sorted(FORMATS))}") from None


def graph_for(
    source: Source,
    *,
    include: str | Iterable[str] = "domain",
    memberships: str = "edges",
    selection: dict[str, Any] | None = None,
    layout_method: str = DEFAULT_LAYOUT,
    seed: int = LAYOUT_SEED,
    analytics: bool = True,
) -> nx.MultiDiGraph:
    """The graph a graph format writes: the networkx view, narrowed by ``selection`` (keyword arguments of
    :func:`probkg.exports.select.select`), with the analytics as node attributes and laid out."""
    from probkg.exports.analytics import annotate
    from probkg.exports.select import select

    if isinstance(source, nx.MultiDiGraph):
        G = source
    else:
        G = to_networkx(source, include=include, memberships=memberships)
    if selection:
        G = select(G, **selection)
    if analytics and not isinstance(source, nx.MultiDiGraph):
        annotate(G)
    return positioned(G, method=layout_method, seed=seed)


def _write(source: Source, exporter: Exporter, out: TextIO, **options: Any) -> None:
    if exporter.graph:
        exporter.write(graph_for(source, **options), out)
    else:
        if isinstance(source, nx.MultiDiGraph):
            raise InputError(
                f"{exporter.name} exports RDF: give a store or an rdflib graph, not a networkx graph"
            )
        if options.get("selection"):
            raise InputError(f"{exporter.name} exports the whole data set: selections apply to graph formats")
        exporter.write(source, out)


def export(
    source: Source,
    fmt: str,
    out: str | Path | IO[str] | IO[bytes],
    *,
    include: str | Iterable[str] = "domain",
    memberships: str = "edges",
    seed: int = LAYOUT_SEED,
    layout_method: str = DEFAULT_LAYOUT,
    selection: dict[str, Any] | None = None,
) -> None:
    """Write ``source`` in format ``fmt`` to a path or an open (text or binary) stream, as UTF-8.

    ``source`` is a store, an rdflib graph or dataset, or (for graph formats) a networkx graph from
    :func:`~probkg.exports.nxview.to_networkx`. ``include`` and ``memberships`` are passed to it,
    ``selection`` to :func:`~probkg.exports.select.select`; ``layout_method`` is one of :data:`LAYOUTS`.
    """
    exporter = _exporter(fmt)
    if layout_method not in LAYOUTS:
        raise InputError(f"unknown layout {layout_method!r}; choose from {', '.join(LAYOUTS)}")
    opts: dict[str, Any] = {
        "include": include,
        "memberships": memberships,
        "seed": seed,
        "layout_method": layout_method,
        "selection": selection,
    }
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            _write(source, exporter, fh, **opts)
        return
    if isinstance(out, io.TextIOBase) or hasattr(out, "encoding"):
        _write(source, exporter, out, **opts)  # type: ignore[arg-type]
        return
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)  # type: ignore[type-var]
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

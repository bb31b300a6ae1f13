"""Network analytics over the networkx view: who is central, who clusters with whom, how ownership moved.

Everything here reads a graph from :func:`probkg.exports.nxview.to_networkx` (any view that has
organisations and findings) and returns plain rows (lists of dicts) for tables and JSON:

* :func:`organisation_network`: the owner-provider-theme graph. Owners link to the providers they held
  (one edge per ownership), providers link to the themes their findings are about (weight: findings).
* :func:`centrality`: PageRank (weighted) and betweenness (unweighted shortest paths) of each organisation
  in that graph, and its community (Louvain modularity, fixed seed, so runs agree).
* :func:`ownership_by_year`: the owner -> provider projection year by year, and the transfers
  (a provider passing from one owner to another, with the date).
* :func:`theme_cooccurrence`: pairs of themes found in the same inspection (and in the same finding, as
  primary and secondary theme).
* :func:`annotate`: writes ``pagerank``, ``betweenness`` and ``community`` onto organisation nodes, so
  every graph export carries them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import combinations, pairwise
from typing import Any

import networkx as nx

from probkg.exports.nxview import JOIN

__all__ = [
    "annotate",
    "centrality",
    "organisation_network",
    "ownership_by_year",
    "theme_cooccurrence",
]

SEED = 42


def _themes(
    attrs: dict[str, Any], keys: tuple[str, ...] = ("prob:theme", "prob:secondaryTheme")
) -> list[str]:
    out: list[str] = []
    for key in keys:
        out.extend(t for t in str(attrs.get(key, "")).split(JOIN) if t)
    return out


def _theme_label(theme: str) -> str:
    name = theme.rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


def _about(G: nx.MultiDiGraph, finding: str) -> list[str]:
    return [v for _, v, d in G.out_edges(finding, data=True) if d.get("predicate") == "prob:aboutProvider"]


def organisation_network(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected owner-provider-theme graph (weights: ownerships, findings)."""
    H = nx.Graph()
    for u, v, d in G.edges(data=True):
        if d.get("predicate") == "prob:Ownership":
            for n in (u, v):
                H.add_node(n, label=str(G.nodes[n].get("label", n)), kind=str(G.nodes[n].get("kind", "")))
            w = H.get_edge_data(u, v, {}).get("weight", 0)
            H.add_edge(u, v, weight=w + 1, relation="owns")
    for n, attrs in G.nodes(data=True):
        if attrs.get("category") != "finding":
            continue
        for theme in _themes(attrs, ("prob:theme",)):
            for p in _about(G, n):
                H.add_node(p, label=str(G.nodes[p].get("label", p)), kind=str(G.nodes[p].get("kind", "")))
                H.add_node(theme, label=_theme_label(theme), kind="Theme")
                w = H.get_edge_data(p, theme, {}).get("weight", 0)
                H.add_edge(p, theme, weight=w + 1, relation="finding on")
    return H


def centrality(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Rows for the organisation network's nodes: PageRank, betweenness, community; top PageRank first."""
    H = organisation_network(G)
    if H.number_of_nodes() == 0:
        return []
    pagerank = nx.pagerank(H, weight="weight")
    between = nx.betweenness_centrality(H, normalized=True)
    communities = nx.community.louvain_communities(H, weight="weight", seed=SEED)
    ordered = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    community = {n: i for i, members in enumerate(ordered) for n in members}
    rows = [
        {
            "id": n,
            "label": d["label"],
            "kind": d["kind"],
            "pagerank": round(pagerank[n], 6),
            "betweenness": round(between[n], 6),
            "community": community[n],
            "degree": H.degree(n),
        }
        for n, d in H.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["pagerank"], r["label"], r["id"]))
    return rows


def annotate(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Put ``pagerank``, ``betweenness`` and ``community`` on the organisations of ``G``; return the rows."""
    rows = centrality(G)
    for row in rows:
        if row["id"] in G:
            G.nodes[row["id"]].update(
                pagerank=row["pagerank"], betweenness=row["betweenness"], community=row["community"]
            )
    return rows


def _year(value: Any) -> int | None:
    match = re.match(r"(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def ownership_by_year(G: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """``years``: per year and owner, the providers held at some point that year; ``transfers``: changes."""
    held: dict[tuple[int, str], set[str]] = defaultdict(set)
    spans: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    edges = [(u, v, d) for u, v, d in G.edges(data=True) if d.get("predicate") == "prob:Ownership"]
    last = max(
        (y for *_, d in edges for y in (_year(d.get("begin")), _year(d.get("end"))) if y), default=None
    )
    for u, v, d in edges:
        first = _year(d.get("begin"))
        final = _year(d.get("end")) or last
        if first is None or final is None:
            continue
        for year in range(first, final + 1):
            held[(year, u)].add(v)
        spans[v].append((str(d.get("begin", "")), str(d.get("end", "")), u))

    def label(n: str) -> str:
        return str(G.nodes[n].get("label", n))

    years: list[dict[str, Any]] = [
        {
            "year": year,
            "owner": owner,
            "owner_label": label(owner),
            "count": len(providers),
            "providers": sorted(label(p) for p in providers),
        }
        for (year, owner), providers in held.items()
    ]
    years.sort(key=lambda r: (r["year"], -r["count"], r["owner_label"]))
    transfers = []
    for provider, periods in spans.items():
        periods.sort()
        for (_, end, before), (begin, _, after) in pairwise(periods):
            if before != after:
                transfers.append(
                    {
                        "provider": provider,
                        "provider_label": label(provider),
                        "from": label(before),
                        "to": label(after),
                        "date": begin or end,
                    }
                )
    transfers.sort(key=lambda r: (r["date"], r["provider_label"]))
    return {"years": years, "transfers": transfers}


def theme_cooccurrence(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Pairs of themes with the number of inspections finding both, and of findings tagged with both."""
    by_inspection: dict[str, set[str]] = defaultdict(set)
    in_finding: Counter[tuple[str, str]] = Counter()
    for n, attrs in G.nodes(data=True):
        if attrs.get("category") != "finding":
            continue
        themes = sorted(set(_themes(attrs)))
        for a, b in combinations(themes, 2):
            in_finding[(a, b)] += 1
        for _, v, d in G.out_edges(n, data=True):
            if d.get("predicate") == "prob:inInspection":
                by_inspection[v].update(themes)
    in_inspection: Counter[tuple[str, str]] = Counter()
    for found in by_inspection.values():
        for a, b in combinations(sorted(found), 2):
            in_inspection[(a, b)] += 1
    rows: list[dict[str, Any]] = [
        {
            "theme_a": _theme_label(a),
            "theme_b": _theme_label(b),
            "inspections": in_inspection.get((a, b), 0),
            "findings": in_finding.get((a, b), 0),
        }
        for a, b in set(in_inspection) | set(in_finding)
    ]
    rows.sort(key=lambda r: (-r["inspections"], -r["findings"], r["theme_a"], r["theme_b"]))
    return rows

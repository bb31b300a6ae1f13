"""Selections on the networkx view, the same ones the explorer offers: owner, provider, theme, dates, size.

:func:`select` narrows a graph from :func:`probkg.exports.nxview.to_networkx`:

* ``owner``: the owner, the providers it held (in the date range, if one is given) and what hangs on them;
* ``provider``: the provider, its owners, areas, its inspections and their findings, ratings and verdicts;
* ``theme``: findings whose primary or secondary theme matches (other findings are left out);
* ``start``/``end``: inspections published in the range (with their findings), ownerships that overlap it;
* ``max_nodes``: at most this many nodes, keeping organisations, areas and people first, then inspections,
  then assessments and findings, the most connected first.

Owners, providers and themes are matched by IRI, CURIE, or (case-insensitively) a part of a label or an
alternative name. A name that matches nothing is an :class:`~probkg.errors.InputError`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import networkx as nx

from probkg.errors import InputError
from probkg.exports.nxview import JOIN

__all__ = ["parse_day", "select"]

_RANK = {
    "organisation": 0,
    "area": 1,
    "person": 1,
    "inspection": 2,
    "rating": 3,
    "verdict": 3,
    "figure": 4,
    "finding": 3,
}
_HANGING = frozenset({"finding", "rating", "verdict", "figure"})


def parse_day(value: str | None, option: str) -> str | None:
    """``value`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) as an ISO day; else an error naming ``option``."""
    if value is None:
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date(int(text[:4]), int(text[5:]), 1).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(f"{option}: {value!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)") from None


def _day(value: object) -> str | None:
    text = str(value).split(JOIN)[0][:10] if value not in (None, "") else ""
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"{text}-01"
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def inspection_day(attrs: dict[str, object]) -> str | None:
    """The day an inspection is dated by: publication, else start of fieldwork."""
    for key in ("prob:publicationDate", "dct:issued", "prob:fieldworkStart", "prob:fieldworkEnd"):
        day = _day(attrs.get(key))
        if day:
            return day
    return None


def _names(attrs: dict[str, object]) -> list[str]:
    out = []
    for key in ("label", "skos:prefLabel", "skos:altLabel", "foaf:name", "rdfs:label"):
        if attrs.get(key):
            out.extend(str(attrs[key]).split(JOIN))
    return [n.casefold() for n in out]


def _match(G: nx.MultiDiGraph, wanted: Iterable[str], category: str, option: str) -> set[str]:
    found: set[str] = set()
    for name in wanted:
        key = name.strip().casefold()
        hits = {
            n
            for n, d in G.nodes(data=True)
            if d.get("category") == category
            and (n.casefold() == key or n.casefold().endswith("/" + key) or any(key in x for x in _names(d)))
        }
        if not hits:
            raise InputError(f"{option}: no {category} in the graph matches {name!r}")
        found |= hits
    return found


def _theme_key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.rsplit(":", 1)[-1].rsplit("#", 1)[-1].casefold())


def _inspection_of(G: nx.MultiDiGraph, node: str) -> str | None:
    for _, v, d in G.out_edges(node, data=True):
        if d.get("predicate") == "prob:inInspection":
            return v
    return None


def _overlaps(begin: object, end: object, start: str | None, stop: str | None) -> bool:
    b, e = _day(begin), _day(end)
    return (stop is None or b is None or b <= stop) and (start is None or e is None or e >= start)


def select(
    G: nx.MultiDiGraph,
    *,
    owners: Iterable[str] = (),
    providers: Iterable[str] = (),
    themes: Iterable[str] = (),
    start: str | None = None,
    end: str | None = None,
    max_nodes: int | None = None,
) -> nx.MultiDiGraph:
    """A copy of ``G`` narrowed as described in the module docstring (``G`` itself is not changed)."""
    owners, providers, themes = list(owners), list(providers), list(themes)
    start, end = parse_day(start, "--from"), parse_day(end, "--to")
    if start and end and start > end:
        raise InputError(f"--from {start} is after --to {end}")
    if max_nodes is not None and max_nodes < 1:
        raise InputError(f"--max-nodes must be at least 1, not {max_nodes}")
    keep = set(G.nodes)
    drop_edges: set[tuple[str, str, object]] = set()
    if start or end:
        for u, v, k, d in G.edges(keys=True, data=True):
            if ("begin" in d or "end" in d) and not _overlaps(d.get("begin"), d.get("end"), start, end):
                drop_edges.add((u, v, k))
        for n, d in G.nodes(data=True):
            if d.get("category") == "inspection":
                day = inspection_day(d)
                if day is not None and ((start and day < start) or (end and day > end)):
                    keep.discard(n)
    if owners:
        chosen = _match(G, owners, "organisation", "--owner")
        held = {
            v
            for u, v, k, d in G.edges(keys=True, data=True)
            if u in chosen and d.get("predicate") == "prob:Ownership" and (u, v, k) not in drop_edges
        }
        providers_set = held
        anchor = chosen
    else:
        providers_set, anchor = set(), set()
    if providers:
        named = _match(G, providers, "organisation", "--provider")
        providers_set = (providers_set & named) if owners else named
        if owners and not providers_set:
            raise InputError("--owner and --provider select no provider in common")
    if owners or providers:
        hub = providers_set | anchor
        region = set(hub)
        for p in providers_set:
            for n in nx.all_neighbors(G, p):
                category = G.nodes[n].get("category")
                if category != "organisation" or any(
                    d.get("predicate") == "prob:Ownership" for d in G.get_edge_data(n, p, default={}).values()
                ):
                    region.add(n)
        for n in list(region):
            if G.nodes[n].get("category") == "inspection":
                region.update(u for u in G.predecessors(n) if G.nodes[u].get("category") in _HANGING)
        keep &= region
    if themes:
        keys = {_theme_key(t) for t in themes}
        matched = False
        for n, d in G.nodes(data=True):
            if d.get("category") != "finding":
                continue
            mine = {
                _theme_key(t)
                for key in ("prob:theme", "prob:secondaryTheme")
                for t in str(d.get(key, "")).split(JOIN)
            }
            if mine & keys:
                matched = True
            else:
                keep.discard(n)
        if not matched:
            raise InputError(f"--theme: no finding has theme {', '.join(themes)}")
    # assessments and findings go with their inspection
    for n in list(keep):
        if G.nodes[n].get("category") in _HANGING:
            insp = _inspection_of(G, n)
            if insp is not None and insp not in keep:
                keep.discard(n)
    if max_nodes is not None and len(keep) > max_nodes:
        ranked = sorted(keep, key=lambda n: (_RANK.get(str(G.nodes[n].get("category")), 5), -G.degree(n), n))
        keep = set(ranked[:max_nodes])
    H = G.subgraph(keep).copy()
    H.remove_edges_from([e for e in drop_edges if H.has_edge(*e)])
    H.graph.update(G.graph)
    return H

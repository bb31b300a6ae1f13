"""The graph explorer's data model, shared by the served explorer (``/explore``) and the offline HTML export.

The browser never holds the whole store: it asks for what it shows. :class:`Explorer` answers those
questions with bounded SPARQL on the store:

* :meth:`Explorer.facets`: the values the filters offer (owners, provider kinds, themes, polarities,
  ratings in the rating scale's order);
* :meth:`Explorer.search`: start nodes from the full-text index (:mod:`probkg.search`);
* :meth:`Explorer.expand`: the neighbourhood of one node, filtered (owner, provider kind, theme,
  polarity, rating, date range) and capped, with the number left out;
* :meth:`Explorer.node`: everything the details panel shows (a finding's quote, offsets, inspection and
  the web page of its source; an organisation's names and owners with dates);
* :meth:`Explorer.timeline`: ownership periods and inspections of some providers;
* :meth:`Explorer.start_set`: the nodes a named query returns.

Nodes are dicts ``{id, label, kind, ...}`` with human labels (a finding is a short prefix of its quote and
its provider, never a hash); edges are ``{id, source, target, rel, label, from?, to?}``; ownership
memberships become one ``owns`` edge from owner to provider carrying the period.

:func:`snapshot` gathers a chosen subset (everything up to a node cap, or the neighbourhood of start
nodes) with the details of every node, for the single-file HTML export, which runs the same page code
(``static/``) against that embedded data instead of the server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rdflib import URIRef

from probkg.errors import InputError
from probkg.graph.base import Store
from probkg.ontology.namespaces import PROB_IRI
from probkg.search import human_label, main_kind

__all__ = ["Explorer", "Filters", "page_html", "snapshot"]

PROB = PROB_IRI
PREFIXES = (
    "PREFIX prob: <https://w3id.org/probation-kg/def#> PREFIX org: <http://www.w3.org/ns/org#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX dct: <http://purl.org/dc/terms/> PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
    "PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX time: <http://www.w3.org/2006/time#> "
)

#: relations between explorable nodes: predicate local name -> (edge label)
RELATIONS = {
    "aboutProvider": "about",
    "inInspection": "in inspection",
    "ratingOf": "rating of",
    "inspected": "inspected",
    "theme": "theme",
    "reportsOn": "reports on",
}
_ORG_RELATIONS = {
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#linkedTo": "linked to",
}

#: node kinds the client styles, from the most specific probkg class
KIND_ALIASES = {
    "CommunityRehabilitationCompany": "CRC",
    "NpsDivision": "NPS division",
    "NationalProbationService": "NPS",
    "OwnerOrganisation": "Owner",
    "Concept": "Theme",
    "PressRelease": "Source",
    "BlogPost": "Source",
    "InspectionReport": "Source",
    "WebPage": "Source",
    "SourceDocument": "Source",
    "KeyTestVerdict": "Verdict",
}

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
MAX_LIMIT = 2000

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDFS_LABEL = _RDFS + "label"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SKOS_CONCEPT = _SKOS + "Concept"
_DCT_TITLE = "http://purl.org/dc/terms/title"
_OA_SELECTOR = "http://www.w3.org/ns/oa#hasSelector"
_OA_EXACT = "http://www.w3.org/ns/oa#exact"
#: what is read of each described node
_FIRST = (
    _RDF_TYPE,
    _SKOS + "prefLabel",
    _RDFS_LABEL,
    _DCT_TITLE,
    _RDFS + "comment",
    *(
        PROB_IRI + name
        for name in (
            "polarity",
            "theme",
            "secondaryTheme",
            "ratingValue",
            "publicationDate",
            "inInspection",
            "aboutProvider",
            "ratingOf",
            "hasEvidence",
            "kind",
        )
    ),
)
#: what is read of the nodes those links reach
_SECOND = (_OA_SELECTOR, _SKOS + "prefLabel", _SKOS + "notation", PROB_IRI + "publicationDate")
#: links followed one more hop when describing a node (evidence, rating value, inspection, provider)
_LINKS = tuple(
    PROB_IRI + name for name in ("hasEvidence", "ratingValue", "inInspection", "aboutProvider", "ratingOf")
)


def _iri(value: str, name: str = "iri") -> URIRef:
    if not value or not _IRI.match(value):
        raise InputError(f"parameter {name!r} must be an http(s) IRI, not {value!r}", path=name)
    return URIRef(value)


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _row_key(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


def _periods(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Ownership periods from rows (?m ?owner ?ol ?prov ?pl ?b ?e), one per ownership, oldest first.

    The order does not depend on the store's row order (an export made twice is the same to the byte):
    of an ownership's rows the least is kept (its names when sources give several), and periods
    beginning on the same day are ordered by owner name, then IRI."""
    seen: dict[str, dict[str, Any]] = {}
    for m, owner, ol, prov, pl, b, e in sorted(rows, key=_row_key):
        seen.setdefault(
            str(m),
            {
                "id": str(m),
                "owner": str(owner),
                "ownerLabel": _s(ol),
                "provider": str(prov),
                "providerLabel": _s(pl),
                "from": _s(b),
                "to": _s(e),
            },
        )
    return sorted(seen.values(), key=lambda o: (o["from"] or "", o["ownerLabel"] or "", o["id"]))


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Empty fields do not filter."""

    owner: str = ""
    provider_kind: str = ""
    theme: str = ""
    polarity: str = ""
    rating: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        """From query parameters ``owner providerKind theme polarity rating from to``; bad ones raise."""
        f = cls(
            owner=params.get("owner", "").strip(),
            provider_kind=params.get("providerKind", "").strip(),
            theme=params.get("theme", "").strip(),
            polarity=params.get("polarity", "").strip(),
            rating=params.get("rating", "").strip(),
            date_from=params.get("from", "").strip(),
            date_to=params.get("to", "").strip(),
        )
        for name, value in (
            ("owner", f.owner),
            ("theme", f.theme),
            ("polarity", f.polarity),
            ("rating", f.rating),
        ):
            if value:
                _iri(value, name)
        if f.provider_kind and f.provider_kind not in PROVIDER_KINDS:
            raise InputError(
                f"parameter 'providerKind' must be one of {', '.join(PROVIDER_KINDS)}, "
                f"not {f.provider_kind!r}",
                path="providerKind",
            )
        for name, value in (("from", f.date_from), ("to", f.date_to)):
            if value and not _DATE.match(value):
                raise InputError(
                    f"parameter {name!r} must be a date YYYY[-MM[-DD]], not {value!r}", path=name
                )
        return f

    def as_dict(self) -> dict[str, str]:
        return {
            "owner": self.owner,
            "providerKind": self.provider_kind,
            "theme": self.theme,
            "polarity": self.polarity,
            "rating": self.rating,
            "from": self.date_from,
            "to": self.date_to,
        }


PROVIDER_KINDS = {"CRC": "CommunityRehabilitationCompany", "NPS division": "NpsDivision"}


def _date_bounds(f: Filters) -> tuple[str, str]:
    lo = f.date_from or ""
    hi = (f.date_to + "-99") if f.date_to else ""  # "2018" <= "2018-12" <= "2018-99"
    return lo, hi


HUB = 600
"""Neighbourhoods larger than this are read a page at a time (see :meth:`Explorer.expand`)."""
HUB_PAGE = 100
HUB_BUDGET_S = 0.06
"""Time a hub's expansion spends describing pages before it answers with what it has."""

_PROVIDER_KINDS = {"CRC", "NPS division", "NPS", "ProbationProvider"}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()


def _keep(n: dict[str, Any], f: Filters, owned: set[str]) -> bool:
    """Whether node ``n`` (from :meth:`Explorer.describe`) passes the filters."""
    kind = n.get("kind", "")
    if kind == "Finding":
        if f.polarity and n.get("polarity") != _local(f.polarity):
            return False
        if f.rating and not f.polarity:
            return False
        if f.theme and f.theme not in n.get("themes", ()):
            return False
    if kind == "Rating":
        if f.polarity:
            return False
        if f.rating and (n.get("rating") or "").lower() != _local(f.rating):
            return False
    if kind in ("Finding", "Rating", "Inspection") and (f.date_from or f.date_to):
        lo, hi = _date_bounds(f)
        date = n.get("date")
        if not date or (lo and date < lo) or (hi and date > hi):
            return False
    if kind in _PROVIDER_KINDS:
        if f.provider_kind and kind != f.provider_kind:
            return False
        if f.owner and n["id"] not in owned:
            return False
    return True


def _period_overlaps(begin: str | None, end: str | None, f: Filters) -> bool:
    lo, hi = _date_bounds(f)
    if hi and begin and begin > hi:
        return False
    return not (lo and end and end < lo)


class Explorer:
    """Answers the explorer's questions about one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _select(self, text: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.store.query(PREFIXES + text)]  # type: ignore[arg-type]

    # ---- filter values ---------------------------------------------------------------------
    def facets(self) -> dict[str, Any]:
        """Owners, provider kinds, themes, polarities and ratings (scale order) the filters offer."""
        owners = self._select(
            "SELECT DISTINCT ?o ?l WHERE { ?o a prob:OwnerOrganisation . OPTIONAL { ?o skos:prefLabel ?l } }"
        )
        themes = self._select(
            "SELECT DISTINCT ?t ?l WHERE { ?t skos:inScheme ?s . "
            "?s skos:hasTopConcept|^skos:topConceptOf ?t . "
            "FILTER EXISTS { ?any prob:theme ?t } OPTIONAL { ?t skos:prefLabel ?l } }"
        ) or self._select(
            "SELECT DISTINCT ?t ?l WHERE { ?f prob:theme ?t OPTIONAL { ?t skos:prefLabel ?l } }"
        )
        if not themes or len(themes) < 2:
            themes = self._select(
                "SELECT DISTINCT ?t ?l WHERE { ?f prob:theme ?t OPTIONAL { ?t skos:prefLabel ?l } }"
            )
        polarities = self._select(
            "SELECT DISTINCT ?p ?l WHERE { ?p skos:inScheme ?s . ?any prob:polarity ?p . "
            "OPTIONAL { ?p skos:prefLabel ?l } }"
        ) or self._select(
            "SELECT DISTINCT ?p ?l WHERE { ?f prob:polarity ?p OPTIONAL { ?p skos:prefLabel ?l } }"
        )
        ratings = self._select(
            "SELECT DISTINCT ?r ?l ?n WHERE { ?r a skos:Concept ; skos:notation ?n . "
            "?any prob:ratingValue ?r . "
            "OPTIONAL { ?r skos:prefLabel ?l } }"
        )

        def items(rows: Iterable[tuple[Any, ...]]) -> list[dict[str, str]]:
            seen: dict[str, str] = {}
            for r in rows:
                seen.setdefault(str(r[0]), str(r[1]) if r[1] is not None else str(r[0]).rsplit("#", 1)[-1])
            return sorted(({"id": k, "label": v} for k, v in seen.items()), key=lambda d: d["label"].lower())

        rating_rows: dict[str, tuple[str, int]] = {}
        for r in ratings:
            try:
                order = int(str(r[2]))
            except ValueError:
                continue
            rating_rows.setdefault(str(r[0]), (str(r[1] or r[0]), order))
        return {
            "owners": items(owners),
            "providerKinds": list(PROVIDER_KINDS),
            "themes": items(themes),
            "polarities": items(polarities),
            "ratings": [
                {"id": k, "label": v[0], "order": v[1]}
                for k, v in sorted(rating_rows.items(), key=lambda kv: kv[1][1])
            ],
        }

    # ---- nodes -----------------------------------------------------------------------------
    def _hop(self, iris: Iterable[str], preds: Sequence[str] = ()) -> dict[str, dict[str, list[str]]]:
        """Predicate -> values (IRIs and lexical forms) of each of ``iris``, one hop out (only ``preds``
        when given): one SPARQL pattern over a VALUES block, its rows read as plain strings."""
        from probkg.exports.nxview import _text_rows

        out: dict[str, dict[str, list[str]]] = {}
        iris = [i for i in iris if _IRI.match(i)]
        if not iris:
            return out
        # FILTER IN, not VALUES ?p: Oxigraph joins a second VALUES block with the whole store
        only = "FILTER(?p IN (" + ", ".join(f"<{p}>" for p in preds) + ")) " if preds else ""
        text = "SELECT ?s ?p ?o WHERE { VALUES ?s { " + " ".join(f"<{i}>" for i in iris) + " } ?s ?p ?o "
        for s, p, o in _text_rows(self.store, text + only + "}"):
            out.setdefault(s, {}).setdefault(p, []).append(o)  # type: ignore[arg-type]
        return out

    def _facts(self, chunk: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What :meth:`describe` needs of each node: its label, classes, themes and the values it shows."""
        first = self._hop(chunk, _FIRST)
        linked: set[str] = set()
        for iri in chunk:
            props = first.get(iri, {})
            for pred in _LINKS:
                linked.update(props.get(pred, ()))
        second = self._hop(sorted(linked), _SECOND) if linked else {}
        selectors = {sel for ev in linked for sel in second.get(ev, {}).get(_OA_SELECTOR, ())}
        third = self._hop(sorted(selectors), (_OA_EXACT,)) if selectors else {}

        def one(props: dict[str, list[str]], *preds: str) -> str | None:
            for pred in preds:
                values = props.get(pred)
                if values:
                    return min(values)
            return None

        acc: dict[str, dict[str, Any]] = {}
        for iri in chunk:
            props = first.get(iri, {})
            types = {
                t.rsplit("#", 1)[-1]
                for t in props.get(_RDF_TYPE, ())
                if t.startswith(PROB) or t == _SKOS_CONCEPT
            }
            themes = set(props.get(PROB + "theme", ())) | set(props.get(PROB + "secondaryTheme", ()))
            d: dict[str, Any] = {"types": types, "themes": themes}
            d["label"] = one(props, _SKOS + "prefLabel", _RDFS_LABEL, _DCT_TITLE)
            d["polarity"] = one(props, PROB + "polarity")
            d["theme"] = one(props, PROB + "theme", PROB + "secondaryTheme")
            d["rating"] = one(props, PROB + "ratingValue")
            if d["rating"]:
                d["order"] = one(second.get(d["rating"], {}), _SKOS + "notation")
            d["date"] = one(props, PROB + "publicationDate")
            inspection = one(props, PROB + "inInspection")
            if inspection:
                d["idate"] = one(second.get(inspection, {}), PROB + "publicationDate")
            provider = one(props, PROB + "aboutProvider", PROB + "ratingOf")
            if provider:
                d["provLabel"] = one(second.get(provider, {}), _SKOS + "prefLabel")
            quotes = [
                q
                for ev in props.get(PROB + "hasEvidence", ())
                for sel in second.get(ev, {}).get(_OA_SELECTOR, ())
                for q in third.get(sel, {}).get(_OA_EXACT, ())
            ]
            d["quote"] = min(quotes) if quotes else None
            if not props.get(_SKOS + "prefLabel"):
                d["comment"] = one(props, _RDFS + "comment")
            d["pkind"] = one(props, PROB + "kind")
            acc[iri] = {k: v for k, v in d.items() if v is not None}
        return acc

    def describe(self, iris: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Node dicts (id, label, kind, polarity, theme, rating, date, provider) for ``iris``.

        Read with three single-pattern queries (one hop out from each node, then from its evidence,
        provider, inspection and rating) rather than one query of a dozen OPTIONALs, which costs a few
        times more on a large store. Where a node has several values, the smallest is kept.
        """
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(iris), 400):
            chunk = list(dict.fromkeys(i for i in iris[start : start + 400] if _IRI.match(i)))
            if not chunk:
                continue
            acc = self._facts(chunk)
            for iri, d in acc.items():
                kind = main_kind(" ".join(d.pop("types")))
                themes = sorted(d.pop("themes"))
                node: dict[str, Any] = {
                    "id": iri,
                    "label": human_label(iri, d),
                    "kind": KIND_ALIASES.get(kind, kind),
                }
                if d.get("polarity"):
                    node["polarity"] = d["polarity"].rsplit("#", 1)[-1].lower()
                if d.get("theme"):
                    node["theme"] = d["theme"]
                if themes:
                    node["themes"] = themes
                if d.get("rating"):
                    node["rating"] = d["rating"].rsplit("#", 1)[-1]
                    if d.get("order", "").isdigit():
                        node["ratingOrder"] = int(d["order"])
                date = d.get("date") or d.get("idate")
                if date:
                    node["date"] = date
                out[iri] = node
        return out

    def node(self, iri: str) -> dict[str, Any]:
        """The details panel of one node."""
        x = _iri(iri)
        known = self._select(f"SELECT ?p WHERE {{ <{x}> ?p ?o }} LIMIT 1")
        base = self.describe([str(x)]).get(str(x)) if known else None
        if base is None:
            raise InputError(f"no node {iri} in the store", path="iri")
        d: dict[str, Any] = dict(base)
        names = self._select(
            f"SELECT DISTINCT ?p ?l WHERE {{ <{x}> ?p ?l . VALUES ?p {{ skos:prefLabel skos:altLabel "
            "skos:hiddenLabel rdfs:label dct:title rdfs:comment skos:note prob:areaDescription } } "
            "ORDER BY ?p ?l"  # names in a fixed order, so an export is the same bytes every time
        )
        for p, lit in names:
            key = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            d.setdefault(key, [])
            if str(lit) not in d[key]:
                d[key].append(str(lit))
        if d["kind"] in ("Finding", "Rating", "Verdict", "Figure"):
            ev = self._select(
                f"SELECT ?ev ?src ?title ?url ?issued ?quote ?start ?end WHERE {{ "
                f"<{x}> prob:hasEvidence ?ev . "
                "?ev oa:hasSource ?src . OPTIONAL { ?src dct:title ?title } OPTIONAL { ?src foaf:page ?url } "
                "OPTIONAL { ?src dct:issued ?issued } "
                "OPTIONAL { ?ev oa:hasSelector ?qs . ?qs oa:exact ?quote } "
                "OPTIONAL { ?ev oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end } } "
                "ORDER BY ?ev ?src ?title ?url ?issued ?quote ?start ?end"  # the least value of each kept
            )
            grouped: dict[str, dict[str, Any]] = {}
            for evi, src, title, url, issued, quote, start, end in ev:
                item = grouped.setdefault(str(evi), {"source": _s(src)})
                for key, value in (("title", title), ("url", url), ("issued", issued), ("quote", quote)):
                    if item.get(key) is None:
                        item[key] = _s(value)
                if item.get("start") is None and start is not None and end is not None:
                    item["start"], item["end"] = int(str(start)), int(str(end))
            evidence = sorted(grouped.values(), key=lambda e: (e.get("quote") is None, e.get("start") or 0))
            for item in evidence:
                item.setdefault("start", None)
                item.setdefault("end", None)
            d["evidence"] = evidence
            ctx = self._select(
                f"SELECT ?insp ?il ?idate ?prov ?pl ?theme ?tl ?pol ?poll WHERE {{ "
                f"OPTIONAL {{ <{x}> prob:inInspection ?insp OPTIONAL {{ ?insp skos:prefLabel ?il }} "
                "OPTIONAL { ?insp prob:publicationDate ?idate } } "
                f"OPTIONAL {{ <{x}> prob:aboutProvider|prob:ratingOf ?prov "
                "OPTIONAL { ?prov skos:prefLabel ?pl } } "
                f"OPTIONAL {{ <{x}> prob:theme ?theme OPTIONAL {{ ?theme skos:prefLabel ?tl }} }} "
                f"OPTIONAL {{ <{x}> prob:polarity|prob:ratingValue ?pol "
                "OPTIONAL { ?pol skos:prefLabel ?poll } } } "
                "ORDER BY ?insp ?il ?idate ?prov ?pl ?theme ?tl ?pol ?poll LIMIT 1"
            )
            if ctx:
                insp, il, idate, prov, pl, _theme, tl, _pol, poll = ctx[0]
                d["inspection"] = {"id": _s(insp), "label": _s(il), "date": _s(idate)} if insp else None
                d["provider"] = {"id": _s(prov), "label": _s(pl)} if prov else None
                d["themeLabel"] = _s(tl)
                d["valueLabel"] = _s(poll)
        if d["kind"] in ("Source",):
            page = self._select(f"SELECT ?url WHERE {{ <{x}> foaf:page ?url }} ORDER BY ?url LIMIT 1")
            if page:
                d["url"] = str(page[0][0])
        if d["kind"] == "Inspection":
            docs = self._select(
                f"SELECT ?doc ?title ?url WHERE {{ ?doc prob:reportsOn <{x}> "
                "OPTIONAL { ?doc dct:title ?title } "
                "OPTIONAL { ?doc foaf:page ?url } } ORDER BY ?doc ?title ?url LIMIT 20"
            )
            d["sources"] = [{"source": _s(a), "title": _s(b), "url": _s(c)} for a, b, c in docs]
        if d["kind"] in ("CRC", "NPS division", "Owner", "NPS", "ProbationProvider"):
            d["ownerships"] = list(self._ownerships(str(x)))
        return d

    def _ownerships(self, iri: str) -> list[dict[str, Any]]:
        rows = self._select(
            "SELECT ?m ?owner ?ol ?prov ?pl ?b ?e WHERE { "
            f"{{ ?m org:member <{iri}> ; org:organization ?prov BIND(<{iri}> AS ?owner) }} UNION "
            f"{{ ?m org:organization <{iri}> ; org:member ?owner BIND(<{iri}> AS ?prov) }} "
            "?m a prob:Ownership . "
            "OPTIONAL { ?owner skos:prefLabel ?ol } OPTIONAL { ?prov skos:prefLabel ?pl } "
            "OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?b } "
            "OPTIONAL { ?m org:memberDuring/time:hasEnd/time:inXSDDate ?e } }"
        )
        return _periods(rows)

    # ---- neighbourhood -------------------------------------------------------------------------
    def expand(
        self, iri: str, filters: Filters | None = None, limit: int = 200, offset: int = 0
    ) -> dict[str, Any]:
        """The filtered neighbours of ``iri`` (at most ``limit``), their edges, and how many were left out.

        A neighbourhood of ordinary size is read whole, filtered and ranked. A hub (more than
        :data:`HUB` neighbours: a theme with thousands of findings) is read a page at a time from
        neighbour ``offset`` on, until ``limit`` nodes pass the filters or :data:`HUB_BUDGET_S` is spent;
        the answer's ``next`` is then the offset at which to ask for more (``None`` when all were seen).
        """
        x = _iri(iri)
        f = filters or Filters()
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(
                f"parameter 'limit' must be between 1 and {MAX_LIMIT}, not {limit}", path="limit"
            )
        if offset < 0:
            raise InputError(f"parameter 'offset' must be 0 or more, not {offset}", path="offset")
        preds = " ".join(f"prob:{p}" for p in RELATIONS) + " " + " ".join(f"<{p}>" for p in _ORG_RELATIONS)
        pattern = (
            f'{{ <{x}> ?p ?y . VALUES ?p {{ {preds} }} BIND("out" AS ?dir) }} UNION '
            f'{{ ?y ?p <{x}> . VALUES ?p {{ {preds} }} BIND("in" AS ?dir) }} FILTER(isIRI(?y)) '
        )
        from probkg.exports.nxview import _text_rows

        # enough rows to tell a hub, and for a hub the part from ``offset`` on that one answer can use
        read = offset + HUB + 1
        rows = list(
            _text_rows(
                self.store, f"{PREFIXES} SELECT DISTINCT ?y ?p ?dir WHERE {{ {pattern} }} LIMIT {read}"
            )
        )
        cut = len(rows) >= read  # more neighbours than were read
        edges: dict[str, dict[str, Any]] = {}
        neighbours: list[str] = []
        owners: list[str] = []  # through ownerships: never paged, they come with the first answer
        for y, p, direction in rows:
            ys, ps = str(y), str(p)
            key = ps.rsplit("#", 1)[-1]
            label = RELATIONS.get(key) or _ORG_RELATIONS.get(ps, key)
            src, dst = (str(x), ys) if str(direction) == "out" else (ys, str(x))
            eid = f"{src}|{key}|{dst}"
            if eid not in edges:
                edges[eid] = {"id": eid, "source": src, "target": dst, "rel": key, "label": label}
                neighbours.append(ys)
        for o in self._ownerships(str(x)):
            other = o["provider"] if o["owner"] == str(x) else o["owner"]
            if not _period_overlaps(o["from"], o["to"], f):
                continue
            if f.owner and o["owner"] != f.owner and o["provider"] == other:
                continue
            eid = o["id"]
            edges[eid] = {
                "id": eid,
                "source": o["owner"],
                "target": o["provider"],
                "rel": "owns",
                "label": f"owns {o['from'] or '?'} – {o['to'] or 'now'}",
                "from": o["from"],
                "to": o["to"],
            }
            owners.append(other)
        # rank: organisations and inspections first, then the newest assessments
        uniq = list(dict.fromkeys(neighbours))
        nxt: int | None = None
        if len(uniq) <= HUB and not cut and offset == 0:
            uniq = list(dict.fromkeys(uniq + owners))
            described = self.describe(uniq)
            owned = self._owned_by(f.owner, uniq) if f.owner else set()
            described = {i: n for i, n in described.items() if _keep(n, f, owned)}
            total = len(described)
        else:  # a hub: pages of neighbours from ``offset`` on, within the time budget
            deadline = time.monotonic() + HUB_BUDGET_S
            described = {}
            extra: dict[str, dict[str, Any]] = {}
            if offset == 0 and owners:
                owned = self._owned_by(f.owner, owners) if f.owner else set()
                extra = {i: n for i, n in self.describe(owners).items() if _keep(n, f, owned)}
            extra = dict(list(extra.items())[: limit - 1])
            room = limit - len(extra)  # the owners count within the limit
            seen = offset
            while seen < len(uniq):
                page = uniq[seen : seen + HUB_PAGE]
                seen += len(page)
                owned = self._owned_by(f.owner, page) if f.owner else set()
                described.update((i, n) for i, n in self.describe(page).items() if _keep(n, f, owned))
                if len(described) >= room or time.monotonic() > deadline:
                    break
            if len(described) > room:  # the rest of the last page is read again with the next page
                kept = [i for i in uniq[offset:seen] if i in described]
                seen = uniq.index(kept[room - 1], offset) + 1
                described = {i: described[i] for i in kept[:room]}
            nxt = seen if seen < len(uniq) or cut else None
            count = f"{PREFIXES} SELECT (COUNT(DISTINCT ?y) AS ?n) WHERE {{ {pattern} }}"
            everyone = int(next(iter(_text_rows(self.store, count)))[0] or 0)
            # at most this many: what passed, and the neighbours not read yet
            total = len(described) + max(0, everyone - seen)
            described.update((i, n) for i, n in extra.items() if i not in described)
            total += len(extra)
            uniq = list(dict.fromkeys(owners + uniq))
        rank = {"Owner": 0, "CRC": 0, "NPS division": 0, "NPS": 0, "Inspection": 1, "Theme": 3, "Source": 4}

        def order(i: str) -> tuple[int, str, str]:  # the IRI last: the same order whatever the store's
            n = described.get(i, {})
            return (rank.get(n.get("kind", ""), 2), "~" if not n.get("date") else _neg(n["date"]), i)

        chosen = sorted((i for i in uniq if i in described), key=order)[:limit]
        keep = set(chosen) | {str(x)}
        return {
            "center": str(x),
            "nodes": [described[i] for i in chosen],
            "edges": sorted(
                (e for e in edges.values() if e["source"] in keep and e["target"] in keep),
                key=lambda e: e["id"],
            ),
            "total": total,
            "shown": len(chosen),
            "next": nxt,
            "filters": f.as_dict(),
        }

    def _owned_by(self, owner: str, iris: Sequence[str]) -> set[str]:
        values = " ".join(f"<{i}>" for i in iris if _IRI.match(i))
        rows = self._select(
            f"SELECT DISTINCT ?p WHERE {{ VALUES ?p {{ {values} }} "
            f"?m org:member <{owner}> ; org:organization ?p }}"
        )
        return {str(r[0]) for r in rows}

    # ---- timeline --------------------------------------------------------------------------
    def timeline(self, providers: Sequence[str], limit: int = 500) -> dict[str, Any]:
        """Ownership periods and inspections of ``providers`` (all providers when empty), oldest first."""
        for p in providers:
            _iri(p, "provider")
        values = "VALUES ?prov { " + " ".join(f"<{p}>" for p in providers) + " } " if providers else ""
        owns = self._select(
            "SELECT ?m ?owner ?ol ?prov ?pl ?b ?e WHERE { "
            + values
            + "?m a prob:Ownership ; org:member ?owner ; "
            "org:organization ?prov . OPTIONAL { ?owner skos:prefLabel ?ol } "
            "OPTIONAL { ?prov skos:prefLabel ?pl } "
            "OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?b } "
            "OPTIONAL { ?m org:memberDuring/time:hasEnd/time:inXSDDate ?e } } "
            "ORDER BY ?b ?m LIMIT " + str(limit)
        )
        insps = self._select(
            "SELECT ?i ?il ?d ?prov WHERE { " + values + "?i a prob:Inspection ; prob:inspected ?prov ; "
            "prob:publicationDate ?d OPTIONAL { ?i skos:prefLabel ?il } } ORDER BY ?d ?i LIMIT " + str(limit)
        )
        inspections: dict[str, dict[str, Any]] = {}
        for i, il, d, p in sorted(insps, key=_row_key):  # the least name of an inspection named twice
            inspections.setdefault(
                str(i), {"id": str(i), "label": _s(il), "date": str(d), "provider": str(p)}
            )
        return {
            "ownerships": _periods(owns),
            "inspections": sorted(inspections.values(), key=lambda i: (i["date"], i["id"])),
        }

    # ---- start sets --------------------------------------------------------------------------
    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Search hits as nodes (with what matched), best first."""
        from probkg.search import search

        hits = search(self.store, text, limit=limit)
        nodes = self.describe([h.iri for h in hits])
        out = []
        for h in hits:
            n = dict(nodes.get(h.iri) or {"id": h.iri, "label": h.label, "kind": h.kind})
            n["matched"] = h.field
            n["snippet"] = h.snippet
            out.append(n)
        return out

    def start_set(self, name: str, params: Mapping[str, str], limit: int = 200) -> dict[str, Any]:
        """The nodes (IRIs) a named query returns, as a start set."""
        from probkg.queries.runner import run_named

        output = run_named(self.store, name, params)
        iris: list[str] = []
        for row in output.rows:
            for term in row:
                if isinstance(term, URIRef) and str(term) not in iris:
                    iris.append(str(term))
        described = self.describe(iris[: limit * 2])
        wanted = [described[i] for i in iris if i in described and described[i]["kind"] != "Thing"][:limit]
        return {"query": name, "nodes": wanted, "total": len(iris)}


def _neg(date: str) -> str:
    """A sort key putting later dates first."""
    return "".join(chr(0x7F - ord(c)) if c.isdigit() else c for c in date)


def snapshot(
    store: Store, *, start: Sequence[str] = (), filters: Filters | None = None, max_nodes: int = 2000
) -> dict[str, Any]:
    """A subset for the offline page: the neighbourhoods of ``start`` (or of every organisation), capped.

    Each node comes with its details panel, and the neighbourhood of each node is precomputed so that the
    page can expand and collapse without a server.
    """
    ex = Explorer(store)
    f = filters or Filters()
    if not start:
        start = [
            str(r[0])
            for r in ex._select(
                "SELECT DISTINCT ?o WHERE { { ?o a prob:ProbationProvider } "
                "UNION { ?o a prob:OwnerOrganisation } } ORDER BY ?o"
            )
        ]
    seeds = ex.describe(list(start))
    nodes: dict[str, dict[str, Any]] = dict(seeds)
    edges: dict[str, dict[str, Any]] = {}
    adjacency: dict[str, list[str]] = {}
    frontier = list(seeds)
    while frontier and len(nodes) < max_nodes:
        iri = frontier.pop(0)
        nb = ex.expand(iri, f, limit=min(MAX_LIMIT, max(1, max_nodes - len(nodes) + 1)))
        adjacency[iri] = []
        for n in nb["nodes"]:
            if n["id"] not in nodes:
                if len(nodes) >= max_nodes:
                    break
                nodes[n["id"]] = n
                if n["kind"] in ("CRC", "NPS division", "Owner", "NPS", "Inspection"):
                    frontier.append(n["id"])
            adjacency[iri].append(n["id"])
        for e in nb["edges"]:
            if e["source"] in nodes and e["target"] in nodes:
                edges[e["id"]] = e
    details = {i: ex.node(i) for i in nodes}
    return {
        "nodes": list(nodes.values()),
        "edges": list(edges.values()),
        "details": details,
        "facets": ex.facets(),
        "timeline": ex.timeline([]),
        "start": list(seeds)[:50],
    }


def asset(name: str) -> str:
    """The text of one page asset (``static/NAME``)."""
    return resources.files("probkg.exports.explorer").joinpath("static", name).read_text(encoding="utf-8")


def page_html(*, base: str = "", data: dict[str, Any] | None = None, inline: bool = False) -> str:
    """The explorer page: linking its assets under ``base`` (served), or with everything inlined (offline)."""
    import json

    html = asset("index.html")
    if not inline:
        return html.replace("__BASE__", base).replace("<!--DATA-->", "")
    payload = json.dumps(data or {}, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    css = asset("explorer.css")
    scripts = [asset("vendor/cytoscape.min.js"), asset("explorer.js")]
    html = html.replace(
        '<link rel="stylesheet" href="__BASE__/static/explorer.css">', f"<style>{css}</style>"
    )
    html = html.replace('<script src="__BASE__/static/vendor/cytoscape.min.js"></script>', "")
    html = html.replace('<script src="__BASE__/static/explorer.js"></script>', "")
    safe = [s.replace("</script", "<\\/script") for s in scripts]
    tail = f'<script id="probkg-data" type="application/json">{payload}</script>' + "".join(
        f"<script>{s}</script>" for s in safe
    )
    return html.replace("<!--DATA-->", tail).replace("__BASE__", "")


def export_html(
    store: Store,
    out: Any,
    *,
    start: Sequence[str] = (),
    filters: Filters | None = None,
    max_nodes: int = 2000,
) -> None:
    """Write the offline explorer: one HTML file, the page code and cytoscape.js inlined, with a subset.

    The subset is :func:`snapshot` of ``start`` (default: every organisation) under ``filters``, capped at
    ``max_nodes``; the page runs with no server and no network.
    """
    if not 1 <= max_nodes <= 50_000:
        raise InputError(f"max_nodes must be between 1 and 50000, not {max_nodes}", path="max-nodes")
    data = snapshot(store, start=start, filters=filters, max_nodes=max_nodes)
    out.write(page_html(data=data, inline=True))

"""The inspectorate's rated record as RDF: every inspection of a CRC or NPS division found for 2014-2021,
the overall rating each gave, and the inspectorate's own totals per programme.

The curated file ``probkg/loaders/data/record/inspections.yaml`` (``kind: inspection-record``, schema at
its top) holds facts only, each row citing the URL that states it. :func:`load_record` turns it into the
named graph ``id:graph/record`` (see ``docs/data-model.md``, "The rated record"):

- one ``prob:Inspection`` per row, ``prob:inProgramme`` its ``prob:InspectionProgramme``; an inspection
  that a curated source file already describes keeps that file's IRI, name, type and dates, and the
  record only adds its programme and sources (a row whose month and providers match a curated
  inspection under another slug is refused, so the two accounts cannot drift apart);
- one ``prob:Rating`` per stated overall rating, ``dct:source`` the row's URL (no text offsets: the
  record cites pages, it does not quote them), flagged ``prob:unverified`` where the table says so;
- one ``prob:RatingTotal`` per number the inspectorate published for a programme.

Errors name the file, the line and the field (the registry's YAML reader). :func:`resolve_inspection`
lets the text loader attach an extracted press release to the record's inspection of the same
providers in the same month (or with the same URL). The extractor itself never reads this file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from probkg.loaders.base import LoadReport, LoadUnit, sha256_bytes
from probkg.loaders.curated import _en, _read, source_documents
from probkg.ontology import concept_labels
from probkg.ontology.mint import (
    INSPECTION_DATES,
    add_chief_inspector,
    add_inspection_dates,
    date_literal,
    digest,
    slugify,
)
from probkg.ontology.namespaces import ID, PROB, bind_prefixes
from probkg.registry.model import FieldReader, Registry, load_registry

__all__ = [
    "RECORD_GRAPH",
    "RecordInspection",
    "is_record_file",
    "load_record",
    "record_inspections",
    "resolve_inspection",
    "shipped_record_path",
]

RECORD_GRAPH = ID["graph/record"]
"""The named graph the record is loaded into."""

_RATINGS = concept_labels(PROB.RatingScheme)
_TYPES = concept_labels(PROB.InspectionTypeScheme)
_KINDS = ("CRC", "NPSDivision")
_SLUG = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2]))?-[a-z0-9]+(?:-[a-z0-9]+)*$")
_PERSON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MONTH = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")
_UNVERIFIABLE = ("rating", "chief_inspector", "inspected", "published")
_INSPECTION_FIELDS = (
    "slug",
    "label",
    "programme",
    "type",
    "inspected",
    "area_description",
    "published",
    "fieldwork_start",
    "fieldwork_end",
    "chief_inspector",
    "rating",
    "previous_rating",
    "source",
    "sources",
    "rating_sources",
    "unverified",
    "text_file",
)
_NOTES = {
    "rating": "No page read states this rating directly; it is inferred from a later report or a slug.",
    "chief_inspector": "No page read names the chief inspector for this inspection; inferred from the date.",
    "inspected": "The pages read do not name every inspected provider; the one covering the area is given.",
    "published": "The publication month is inferred, not stated on a page read.",
}


_KIND_LINE = re.compile(rb"^kind:[ \t]*['\"]?inspection-record['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


def is_record_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a YAML file whose top-level ``kind:`` is ``inspection-record``."""
    try:
        return _KIND_LINE.search(Path(path).read_bytes()) is not None
    except OSError:
        return False


def shipped_record_path() -> Path:
    """The record file shipped with probkg."""
    return Path(str(resources.files("probkg.loaders").joinpath("data", "record", "inspections.yaml")))


def _programme_iri(code: str) -> URIRef:
    return ID["programme/" + slugify(code, empty="other")]


def _url(r: FieldReader, m: Mapping[str, Any], key: str, at: tuple[Any, ...]) -> str:
    url = f"{r.str(m, key, at) or ''}"
    if not url.startswith(("http://", "https://")):
        raise r.doc.error((*at, key), f"expected an http(s) URL, found {url!r}")
    return url


def _urls(r: FieldReader, m: Mapping[str, Any], key: str, at: tuple[Any, ...]) -> tuple[str, ...]:
    urls: tuple[str, ...] = tuple(f"{u}" for u in r.strs(m, key, at))
    for i, url in enumerate(urls):
        if not url.startswith(("http://", "https://")):
            raise r.doc.error((*at, key, i), f"expected an http(s) URL, found {url!r}")
    return urls


def _count(r: FieldReader, value: Any, at: tuple[Any, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise r.doc.error(at, f"expected a whole number of zero or more, found {value!r}")
    return value


class _RecordBuilder:
    def __init__(self, path: str | os.PathLike[str], registry: Registry) -> None:
        self.doc = _read(path)
        self.r = FieldReader(self.doc)
        self.reg = registry
        self.g = bind_prefixes(Graph())
        self.people: dict[str, URIRef] = {}
        self.programmes: dict[str, URIRef] = {}
        self.counts: dict[str, int] = {}
        # the rating each provider got, by inspection order: for previous_rating checks
        self.last_rating: dict[str, tuple[str, URIRef, str]] = {}

    def build(self) -> Graph:
        doc, r = self.doc, self.r
        top = r.map(doc.data, (), ("kind", "schema_version", "people", "programmes", "totals", "inspections"))
        if top.get("kind") != "inspection-record":
            raise doc.error(("kind",), f"expected 'inspection-record', found {top.get('kind')!r}")
        if top.get("schema_version") != 1:
            raise doc.error(("schema_version",), f"unsupported schema_version {top.get('schema_version')!r}")
        for slug, spec in r.map(top.get("people") or {}, ("people",)).items():
            self.person_decl(str(slug), spec, ("people", slug))
        for code, spec in r.map(top.get("programmes") or {}, ("programmes",)).items():
            self.programme(str(code), spec, ("programmes", code))
        for i, spec in enumerate(r.list(top.get("totals"), ("totals",))):
            self.totals(spec, ("totals", i))
        curated = {s: providers for d in source_documents().values() for s, _role, providers in d.inspections}
        seen: set[str] = set()
        for i, spec in enumerate(r.list(top.get("inspections"), ("inspections",))):
            self.inspection(spec, ("inspections", i), curated, seen)
        return self.g

    def person_decl(self, slug: str, spec: Any, at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        m = r.map(spec, at, ("name", "sources"))
        if not _PERSON.match(slug):
            raise self.doc.error(at, f"{slug!r} is not a slug (lower-case words joined by '-')")
        if self.reg.person(slug) is not None:
            raise self.doc.error(at, f"{slug!r} is already in the registry; leave it out here")
        node = ID["person/" + slug]
        name = r.str(m, "name", at) or ""
        g.add((node, RDF.type, FOAF.Person))
        g.add((node, FOAF.name, Literal(name)))
        g.add((node, SKOS.prefLabel, _en(name)))
        urls = _urls(r, m, "sources", at)
        if not urls:
            raise self.doc.error(at, "cites no source: add 'sources' with at least one URL")
        for url in urls:
            g.add((node, DCTERMS.source, URIRef(url)))
        self.people[slug] = node

    def person(self, m: Mapping[str, Any], at: tuple[Any, ...]) -> URIRef | None:
        slug = self.r.str(m, "chief_inspector", at, required=False)
        if slug is None:
            return None
        if slug in self.people:
            return self.people[slug]
        found = self.reg.person(slug)
        if found is None:
            raise self.doc.error((*at, "chief_inspector"), f"unknown person {slug!r}; add it under 'people'")
        return URIRef(found.iri)

    def programme(self, code: str, spec: Any, at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        m = r.map(spec, at, ("label",))
        node = _programme_iri(code)
        g.add((node, RDF.type, PROB.InspectionProgramme))
        g.add((node, SKOS.prefLabel, _en(r.str(m, "label", at) or "")))
        g.add((node, PROB.programmeCode, Literal(code)))
        self.programmes[code] = node

    def programme_ref(self, m: Mapping[str, Any], at: tuple[Any, ...]) -> URIRef:
        code = self.r.str(m, "programme", at) or ""
        if code not in self.programmes:
            known = ", ".join(self.programmes)
            raise self.doc.error((*at, "programme"), f"unknown programme {code!r}; expected one of {known}")
        return self.programmes[code]

    def totals(self, spec: Any, at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        m = r.map(
            spec,
            at,
            (
                "programme",
                "published",
                "chief_inspector",
                "source",
                "sources",
                "inspected",
                "ratings",
                "ratings_by_kind",
            ),
        )
        programme = self.programme_ref(m, at)
        code = str(m["programme"])
        urls = (_url(r, m, "source", at), *_urls(r, m, "sources", at))
        published = r.date(m, "published", at)
        self.person(m, at)

        def total(kind: str | None, rating: str | None, n: int) -> None:
            tail = f"{(kind or 'all').lower()}/{slugify(rating) if rating else 'inspected'}"
            node = ID[f"total/{_programme_iri(code).rsplit('/', 1)[1]}/{tail}"]
            g.add((node, RDF.type, PROB.RatingTotal))
            g.add((node, PROB.totalFor, programme))
            if kind:
                g.add((node, PROB.countedKind, Literal(kind)))
            if rating:
                g.add((node, PROB.countedRating, _RATINGS[rating]))
            g.add((node, PROB.total, Literal(n, datatype=XSD.integer)))
            if published:
                g.add((node, DCTERMS.issued, date_literal(published)))
            g.add((node, DCTERMS.source, URIRef(urls[0])))
            self.counts["totals"] = self.counts.get("totals", 0) + 1

        def kind_of(value: Any, where: tuple[Any, ...]) -> str:
            if value not in _KINDS:
                raise self.doc.error(where, f"unknown kind {value!r}; expected one of {', '.join(_KINDS)}")
            return str(value)

        def ratings(counts: Any, where: tuple[Any, ...], kind: str | None) -> None:
            for label, n in r.map(counts, where).items():
                if label not in _RATINGS:
                    raise self.doc.error(
                        (*where, label), f"unknown rating {label!r}; expected one of {', '.join(_RATINGS)}"
                    )
                total(kind, str(label), _count(r, n, (*where, label)))

        inspected = r.map(m.get("inspected") or {}, (*at, "inspected"))
        for kind, n in inspected.items():
            total(kind_of(kind, (*at, "inspected", kind)), None, _count(r, n, (*at, "inspected", kind)))
        if inspected:
            total(None, None, sum(inspected.values()))
        ratings(m.get("ratings") or {}, (*at, "ratings"), None)
        for kind, counts in r.map(m.get("ratings_by_kind") or {}, (*at, "ratings_by_kind")).items():
            ratings(counts, (*at, "ratings_by_kind", kind), kind_of(kind, (*at, "ratings_by_kind", kind)))

    def inspection(
        self, spec: Any, at: tuple[Any, ...], curated: Mapping[str, frozenset[str]], seen: set[str]
    ) -> None:
        r, g = self.r, self.g
        m = r.map(spec, at, _INSPECTION_FIELDS)
        slug = r.str(m, "slug", at, pattern=_SLUG, what="an inspection slug (YYYY[-MM]-words)") or ""
        if slug in seen:
            raise self.doc.error((*at, "slug"), f"duplicate inspection slug {slug!r}")
        seen.add(slug)
        node = ID["inspection/" + slug]
        inspected: list[str] = []
        for i, ref in enumerate(r.strs(m, "inspected", at)):
            found = self.reg.get(ref)
            if found is None or not found.is_provider:
                raise self.doc.error((*at, "inspected", i), f"unknown provider slug {ref!r}")
            inspected.append(found.slug)
        published = r.date(m, "published", at)
        month = (published or slug)[:7]
        for other, providers in curated.items():
            if other != slug and other.startswith(month) and providers & set(inspected):
                raise self.doc.error(
                    (*at, "slug"),
                    f"a curated source file describes this inspection as {other!r}; use that slug",
                )
        unverified = r.strs(m, "unverified", at)
        for i, name in enumerate(unverified):
            if name not in _UNVERIFIABLE:
                raise self.doc.error(
                    (*at, "unverified", i),
                    f"unknown field {name!r}; expected one of {', '.join(_UNVERIFIABLE)}",
                )
        source = _url(r, m, "source", at)
        urls = (source, *_urls(r, m, "sources", at))
        described = slug in curated  # a curated file gives its name, type and dates
        g.add((node, RDF.type, PROB.Inspection))
        g.add((node, PROB.inProgramme, self.programme_ref(m, at)))
        for org in inspected:
            g.add((node, PROB.inspected, ID["org/" + org]))
        label = r.str(m, "label", at) or ""
        kind = r.str(m, "type", at, choices=tuple(_TYPES))
        chief = self.person(m, at)
        if not described:
            g.add((node, SKOS.prefLabel, _en(label)))
            g.add((node, DCTERMS.type, _TYPES[kind or ""]))
            description = r.str(m, "area_description", at, required=False)
            if description:
                g.add((node, PROB.areaDescription, _en(description)))
            add_inspection_dates(g, node, {key: r.date(m, key, at) for key, _ in INSPECTION_DATES})
            g.add((node, PROV.wasAssociatedWith, ID["org/hmi-probation"]))
            if chief is not None:
                add_chief_inspector(g, node, chief)
        for url in urls:
            g.add((node, DCTERMS.source, URIRef(url)))
        notes = [_NOTES[n] for n in unverified if n in ("chief_inspector", "inspected", "published")]
        if notes:
            g.add((node, PROB.unverified, Literal(True)))
            for note in notes:
                g.add((node, PROB.verificationNote, _en(note)))
        self.counts["inspections"] = self.counts.get("inspections", 0) + 1

        previous = r.str(m, "previous_rating", at, required=False, choices=tuple(_RATINGS))
        if previous is not None:
            for org in inspected:
                earlier = self.last_rating.get(org)
                if earlier is not None and earlier[0] != previous:
                    raise self.doc.error(
                        (*at, "previous_rating"),
                        f"{previous!r} differs from the rating {earlier[0]!r} of {earlier[2]!r} above",
                    )
                if earlier is not None:  # the later page confirms the earlier rating
                    g.add((earlier[1], DCTERMS.source, URIRef(source)))
        rating = r.str(m, "rating", at, required=False, choices=tuple(_RATINGS))
        if rating is None:
            return
        if len(inspected) != 1:
            raise self.doc.error((*at, "rating"), "an overall rating needs exactly one inspected provider")
        org = inspected[0]
        rnode = ID[f"rating/record/{digest(slug, org, 'overall')}"]
        g.add((rnode, RDF.type, PROB.Rating))
        g.add((rnode, PROB.ratingOf, ID["org/" + org]))
        g.add((rnode, PROB.inInspection, node))
        g.add((rnode, PROB.ratingValue, _RATINGS[rating]))
        g.add((rnode, DCTERMS.source, URIRef(source)))
        for url in _urls(r, m, "rating_sources", at):
            g.add((rnode, DCTERMS.source, URIRef(url)))
        if published:
            g.add((rnode, DCTERMS.issued, date_literal(published)))
        if "rating" in unverified:
            g.add((rnode, PROB.unverified, Literal(True)))
            g.add((rnode, PROB.verificationNote, _en(_NOTES["rating"])))
        self.last_rating[org] = (rating, rnode, slug)
        self.counts["ratings"] = self.counts.get("ratings", 0) + 1


def load_record(path: str | os.PathLike[str] | None = None, *, registry: Registry | None = None) -> LoadUnit:
    """The record file (default: the shipped one) as RDF for the named graph ``id:graph/record``.

    Raises :class:`~probkg.errors.InputError` naming the file, line and field of the first problem.
    """
    target = Path(path) if path is not None else shipped_record_path()
    builder = _RecordBuilder(target, registry or load_registry())
    graph = builder.build()
    report = LoadReport(counts=dict(builder.counts))
    return LoadUnit(
        graph=RECORD_GRAPH,
        triples=graph,
        checksum=sha256_bytes(builder.doc.raw),
        source=str(target),
        loader="curated",
        report=report,
    )


@dataclass(frozen=True)
class RecordInspection:
    """What the resolver needs of one inspection of the record."""

    iri: URIRef
    providers: frozenset[str]
    """IRIs of the inspected providers."""
    month: str | None
    """The publication month ``YYYY-MM``, when the record gives one."""
    urls: frozenset[str]
    """Its source URLs, normalised (no scheme, no ``www.``, no trailing slash)."""
    label: str | None = None
    """The record's name for it (absent where a curated source file names it)."""


def _norm_url(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def record_inspections(path: str | os.PathLike[str] | None = None) -> tuple[RecordInspection, ...]:
    """The record's inspections (default: the shipped file), parsed once per file content.

    A file that cannot be read or parsed gives no inspections: :func:`load_record` reports it.
    """
    target = Path(path) if path is not None else shipped_record_path()
    try:
        raw = target.read_bytes()
    except OSError:
        return ()
    return _record_inspections(raw)


@lru_cache(maxsize=4)
def _record_inspections(raw: bytes) -> tuple[RecordInspection, ...]:
    import yaml

    try:
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # a safe loader
    except yaml.YAMLError:
        return ()
    found = []
    specs = data.get("inspections") if isinstance(data, dict) else None
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict) or not isinstance(spec.get("slug"), str):
            continue
        published = spec.get("published")
        text = published.isoformat() if published is not None and hasattr(published, "isoformat") else ""
        text = text or f"{published or ''}"
        urls = [spec.get("source"), *(spec.get("sources") or [])]
        found.append(
            RecordInspection(
                iri=ID["inspection/" + spec["slug"]],
                providers=frozenset(
                    str(ID["org/" + s]) for s in spec.get("inspected") or [] if isinstance(s, str)
                ),
                month=text[:7] if _MONTH.match(text[:7]) else None,
                urls=frozenset(_norm_url(u) for u in urls if isinstance(u, str)),
                label=spec["label"] if isinstance(spec.get("label"), str) else None,
            )
        )
    return tuple(found)


def resolve_inspection(
    inspected: Iterable[str],
    published: str | None = None,
    url: str | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
) -> RecordInspection | None:
    """The record's inspection that a text reporting on ``inspected`` (provider IRIs) describes: its IRI
    and the record's name for it, so that a text resolved to it names it the same way whichever is
    loaded first (a text graph never depends on what the store holds).

    The same source URL decides first; otherwise an inspection of at least one of the same providers
    published in the same month, when exactly one matches. ``None`` when nothing (or more than one)
    does.
    """
    record = record_inspections(path)
    if url:
        key = _norm_url(url)
        by_url = [i for i in record if key in i.urls]
        if len(by_url) == 1:
            return by_url[0]
    providers = {str(p) for p in inspected}
    month = (published or "")[:7]
    if not providers or not _MONTH.match(month):
        return None
    hits = [i for i in record if i.month == month and i.providers & providers]
    return hits[0] if len(hits) == 1 else None

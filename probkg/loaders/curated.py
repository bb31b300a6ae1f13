"""Turn the curated YAML shipped with probkg into RDF, one named graph per file.

Two kinds of file, told apart by their top-level ``kind:`` key:

``kind: registry``
    The organisation registry (``probkg/registry/data/registry.yaml``, read through
    :mod:`probkg.registry.model`): organisations, areas, ownership over time, owner
    changes, shareholdings, people and their posts. Goes to ``id:graph/registry``.
``kind: source-document``
    The curated facts of one source document (``data/sources/<doc-slug>.yaml``): the
    document, the inspections it reports on or mentions, findings (paraphrased), key-test
    verdicts and figures, each anchored to the text by code-point offsets. Goes to
    ``id:graph/curated/<doc-slug>``. The schema is documented at the top of each shipped file.

The shipped files never contain the sources' sentences. Given ``sources=DIR`` (a directory
holding the documents' texts), the loader finds each text by its SHA-256, checks the offsets
against it and adds the exact quotes (``oa:TextQuoteSelector``) beside the offsets.

Every function returns :class:`probkg.loaders.base.LoadUnit` objects and never touches a
store. Bad files raise :class:`probkg.errors.InputError` naming the file, the line and the
field.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from probkg.errors import InputError
from probkg.loaders.base import LoadReport, LoadUnit, sha256_bytes
from probkg.ontology import concept_for, concept_labels
from probkg.ontology.mint import (
    INSPECTION_DATES,
    add_chief_inspector,
    add_evidence,
    add_inspection_dates,
    canonical_url,
    date_literal,
    digest,
    interval,
)
from probkg.ontology.namespaces import CV, GEO, GSS, ID, ORG, PROB, bind_prefixes
from probkg.registry.model import (
    DATE,
    ID_BASE,
    FieldReader,
    LocatedYaml,
    Registry,
    build_registry,
    load_registry,
    name_slug,
    normalise_name,
    shipped_registry_path,
)

__all__ = [
    "DOCUMENT_TYPES",
    "POLARITIES",
    "THEMES",
    "CuratedDocument",
    "CuratedFinding",
    "curated_document",
    "curated_findings",
    "curated_inspection_names",
    "fingerprints_path",
    "load_curated",
    "load_registry_rdf",
    "load_source_facts",
    "shipped_curated_files",
    "source_documents",
    "write_fingerprints",
]

_CLASS_OF_KIND = {
    "CRC": PROB.CommunityRehabilitationCompany,
    "NPSDivision": PROB.NpsDivision,
    "NPS": PROB.NationalProbationService,
    "Owner": PROB.OwnerOrganisation,
    "Inspectorate": PROB.Inspectorate,
    "Other": ORG.Organization,
}
_ROLE = {"chief-inspector": PROB.chiefInspectorRole}

THEMES: dict[str, URIRef] = concept_labels(PROB.ThemeScheme)
"""The theme names of ``prob:ThemeScheme`` (``skos:prefLabel``) -> concept; curated files may also
use the scheme's alternative labels ("protecting the public", "through the gate")."""
_KEY_TESTS = (PROB.PublicProtection, PROB.ReducingReoffending, PROB.AbidingBySentence)

POLARITIES: dict[str, URIRef] = concept_labels(PROB.PolarityScheme)
"""Polarity names accepted in curated files -> concept."""
_VERDICTS = concept_labels(PROB.VerdictScheme)
_INSPECTION_TYPES = concept_labels(PROB.InspectionTypeScheme)
_UNITS = concept_labels(PROB.UnitScheme)
_MEASURE_TYPES = concept_labels(PROB.MeasureTypeScheme)
DOCUMENT_TYPES: dict[str, URIRef] = {
    "PressRelease": PROB.PressRelease,
    "BlogPost": PROB.BlogPost,
    "InspectionReport": PROB.InspectionReport,
    "WebPage": PROB.WebPage,
}
"""Document kinds accepted in ``document.type`` -> class."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_INSPECTION_SLUG = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2]))?-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CONTEXT = 32


# ----------------------------------------------------------------------------- public API


def shipped_curated_files() -> list[Path]:
    """The curated YAML files shipped with probkg, in build order: the registry, then the sources by name."""
    data = Path(str(resources.files("probkg.loaders").joinpath("data")))
    return [shipped_registry_path(), *sorted((data / "sources").glob("*.yaml"))]


def load_curated(
    path: str | os.PathLike[str],
    sources: str | os.PathLike[str] | None = None,
    *,
    registry: Registry | None = None,
) -> list[LoadUnit]:
    """Load any curated YAML file, choosing the loader from its top-level ``kind:``.

    ``sources`` (a directory of source texts) only matters for ``source-document`` files.
    ``registry`` is the registry that organisation, area and person slugs are checked
    against (default: the shipped one).
    """
    doc = _read(path)
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind == "registry":
        return [_registry_unit(doc)]
    if kind == "source-document":
        return [_source_unit(doc, sources, registry)]
    raise doc.error(
        ("kind",), f"unknown curated file kind {kind!r}; expected 'registry' or 'source-document'"
    )


def load_registry_rdf(path: str | os.PathLike[str] | None = None) -> LoadUnit:
    """The registry as RDF for the named graph ``id:graph/registry``.

    ``path`` defaults to the shipped ``registry.yaml``. The checksum is the SHA-256 of the
    file's bytes.
    """
    return _registry_unit(_read(path if path is not None else shipped_registry_path()))


def load_source_facts(
    path: str | os.PathLike[str],
    sources: str | os.PathLike[str] | None = None,
    *,
    registry: Registry | None = None,
) -> LoadUnit:
    """The curated facts of one source document as RDF for ``id:graph/curated/<doc-slug>``.

    Without ``sources`` the evidence carries only ``oa:TextPositionSelector`` offsets and the
    checksum is the SHA-256 of the YAML bytes. With ``sources`` (a directory) the document's
    text is looked up by its SHA-256 (a file named as ``document.text_file`` is tried first; if
    that file's checksum differs, :class:`InputError` names it), every offset is checked
    against the text, ``oa:TextQuoteSelector`` nodes with the exact quote and up to 32
    characters of prefix and suffix are added, and the checksum combines the YAML's and the
    text's. When no file in the directory matches, the quotes are left out and the report
    says so.
    """
    return _source_unit(_read(path), sources, registry)


@dataclass(frozen=True)
class CuratedDocument:
    """What a curated source file says about its document itself (its ``document:`` block)."""

    slug: str
    sha256: str
    kind: URIRef
    title: str | None
    issued: str | None
    publisher: str | None
    url: str | None
    path: Path
    inspections: tuple[tuple[str, str, frozenset[str]], ...] = ()
    """The inspections the file describes: (slug, role ``reports-on`` or ``mentioned``, slugs of the
    inspected providers)."""

    @property
    def iri(self) -> URIRef:
        """The document's IRI, ``id:doc/<slug>``."""
        return ID["doc/" + self.slug]

    def describe(self, g: Graph) -> URIRef:
        """Add the document's type, title, date, publisher, URL and checksum to ``g``, as the curated
        loader writes them, and return the document's IRI."""
        d = self.iri
        g.add((d, RDF.type, self.kind))
        if self.title:
            g.add((d, DCTERMS.title, _en(self.title)))
        if self.issued:
            g.add((d, DCTERMS.issued, date_literal(self.issued)))
        if self.publisher:
            g.add((d, DCTERMS.publisher, _org(self.publisher)))
        if self.url:
            g.add((d, FOAF.page, URIRef(self.url)))
        g.add((d, PROB.sha256, Literal(self.sha256)))
        return d


def source_documents(directory: str | os.PathLike[str] | None = None) -> dict[str, CuratedDocument]:
    """The documents described by the curated source files, keyed by the SHA-256 of their text.

    ``directory`` holds ``*.yaml`` source files (default: the shipped ones). Only each file's
    ``document:`` block is used, and the parsed result is cached by the files' contents, so the
    text loader can ask on every document. Files that are not source-document files, or whose
    document block lacks a valid slug or checksum, are left out here: :func:`load_curated` reports
    them.
    """
    files = shipped_curated_files()[1:] if directory is None else sorted(Path(directory).glob("*.yaml"))
    contents = []
    for f in files:
        try:
            contents.append((str(f), f.read_bytes()))
        except OSError:
            continue
    return dict(_source_documents(tuple(contents)))


@lru_cache(maxsize=8)
def _source_documents(contents: tuple[tuple[str, bytes], ...]) -> tuple[tuple[str, CuratedDocument], ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: list[tuple[str, CuratedDocument]] = []
    for name, raw in contents:
        try:
            data = yaml.load(raw, Loader=loader)  # a safe loader
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict) or data.get("kind") != "source-document":
            continue
        meta = data.get("document")
        if not isinstance(meta, dict):
            continue
        slug, sha, kind_name = meta.get("slug"), meta.get("sha256"), meta.get("type")
        kind = DOCUMENT_TYPES.get(kind_name) if isinstance(kind_name, str) else None
        if not (isinstance(slug, str) and _SLUG.match(slug) and isinstance(sha, str) and _SHA.match(sha)):
            continue
        issued = meta.get("issued")
        if isinstance(issued, _dt.date):
            issued = issued.isoformat()
        elif isinstance(issued, int) and not isinstance(issued, bool):
            issued = str(issued)
        found.append(
            (
                sha,
                CuratedDocument(
                    slug=slug,
                    sha256=sha,
                    kind=kind or PROB.WebPage,
                    title=meta["title"] if isinstance(meta.get("title"), str) else None,
                    issued=issued if isinstance(issued, str) and DATE.match(issued) else None,
                    publisher=meta["publisher"] if isinstance(meta.get("publisher"), str) else None,
                    url=meta["url"] if isinstance(meta.get("url"), str) else None,
                    path=Path(name),
                    inspections=_inspections(data.get("inspections")),
                ),
            )
        )
    return tuple(found)


def curated_document(
    text_sha256: str, url: str | None, documents: Mapping[str, CuratedDocument] | None = None
) -> CuratedDocument | None:
    """The curated document a text is a rendition of: the one with its checksum, else the one with its
    canonical URL (see :func:`probkg.ontology.mint.canonical_url`); ``None`` when no curated file
    describes it. ``documents`` defaults to the shipped source files."""
    docs = source_documents() if documents is None else documents
    if text_sha256 in docs:
        return docs[text_sha256]
    key = canonical_url(url)
    if key is None:
        return None
    hits = sorted((d for d in docs.values() if canonical_url(d.url) == key), key=lambda d: d.slug)
    return hits[0] if hits else None


@dataclass(frozen=True)
class CuratedFinding:
    """A curated finding as the text loader needs it: its IRI, inspection and evidence spans, and per
    span the fingerprint of its quote (:func:`probkg.ontology.mint.fingerprint`; empty when the
    file ships none)."""

    iri: URIRef
    inspection: URIRef
    spans: tuple[tuple[int, int], ...]
    fingerprints: tuple[frozenset[str], ...] = ()


def fingerprints_path(source_file: str | os.PathLike[str]) -> Path:
    """The fingerprint file shipped beside a curated source file: ``<name>.fingerprints.json``."""
    p = Path(source_file)
    return p.with_name(p.stem + ".fingerprints.json")


def write_fingerprints(source_file: str | os.PathLike[str], text_file: str | os.PathLike[str]) -> Path:
    """Write the fingerprints of every curated evidence span of ``source_file``, read from its text.

    The file maps ``"<start>-<end>"`` to the sorted shingle hashes of the quote; it carries no words
    of the source. ``text_file`` must have the checksum the source file names.
    """
    from probkg.ontology.mint import fingerprint

    document = next(
        (d for d in source_documents(Path(source_file).parent).values() if d.path == Path(source_file)), None
    )
    raw = Path(text_file).read_bytes()
    if document is None or sha256_bytes(raw) != document.sha256:
        raise InputError("the text does not have the checksum the curated file names", path=str(text_file))
    text = raw.decode("utf-8")
    spans = sorted({span for f in curated_findings(document) for span in f.spans})
    data = {
        "sha256": document.sha256,
        "shingles": {f"{a}-{b}": sorted(fingerprint(text[a:b])) for a, b in spans},
    }
    out = fingerprints_path(source_file)
    out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return out


def curated_findings(document: CuratedDocument) -> tuple[CuratedFinding, ...]:
    """The findings of a curated source file with the offsets of their evidence (in the curated text)
    and, when the fingerprint file beside it is present, the fingerprints of their quotes.

    Read from the files alone (no source text needed), cached by the files' bytes.
    """
    try:
        raw = document.path.read_bytes()
    except OSError:
        return ()
    try:
        prints = fingerprints_path(document.path).read_bytes()
    except OSError:
        prints = b""
    return _curated_findings(str(document.path), raw, prints)


def curated_inspection_names(document: CuratedDocument) -> dict[URIRef, tuple[Literal, ...]]:
    """The names (``skos:prefLabel``) of the inspections a curated source file describes, so a text
    resolved to one of them can name it as the curated file does (and validate on its own)."""
    try:
        raw = document.path.read_bytes()
    except OSError:
        return {}
    g = _curated_graph(str(document.path), raw)
    out: dict[URIRef, tuple[Literal, ...]] = {}
    for node in g.subjects(RDF.type, PROB.Inspection):
        if isinstance(node, URIRef):
            out[node] = tuple(
                sorted((o for o in g.objects(node, SKOS.prefLabel) if isinstance(o, Literal)), key=str)
            )
    return out


@lru_cache(maxsize=16)
def _curated_graph(path: str, raw: bytes) -> Graph:
    return load_source_facts(path).triples


@lru_cache(maxsize=16)
def _curated_findings(path: str, raw: bytes, prints: bytes) -> tuple[CuratedFinding, ...]:
    from probkg.ontology.mint import spans_of

    g = _curated_graph(path, raw)
    shingles: dict[str, list[str]] = json.loads(prints).get("shingles", {}) if prints else {}
    out = []
    for node in sorted(g.subjects(RDF.type, PROB.Finding), key=str):
        inspection = g.value(node, PROB.inInspection)
        spans = tuple(sorted(spans_of(g, node)))  # type: ignore[arg-type]
        found = tuple(frozenset(shingles.get(f"{a}-{b}", ())) for a, b in spans)
        if isinstance(node, URIRef) and isinstance(inspection, URIRef):
            out.append(CuratedFinding(node, inspection, spans, found if shingles else ()))
    return tuple(out)


def _inspections(specs: Any) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(slug, role, inspected provider slugs) of the inspections a source file describes."""
    found = []
    for spec in specs if isinstance(specs, list) else []:
        if not isinstance(spec, dict):
            continue
        slug, role, inspected = spec.get("slug"), spec.get("role"), spec.get("inspected") or []
        if isinstance(slug, str) and isinstance(role, str) and isinstance(inspected, list):
            found.append((slug, role, frozenset(x for x in inspected if isinstance(x, str))))
    return tuple(found)


# ----------------------------------------------------------------------------- shared helpers


def _read(path: str | os.PathLike[str]) -> LocatedYaml:
    target = Path(path)
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read curated file: {exc.strerror}", path=str(target)) from None
    doc = LocatedYaml(raw, str(target))
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with a top-level 'kind:' key")
    return doc


def _org(slug_or_iri: str) -> URIRef:
    return URIRef(slug_or_iri if slug_or_iri.startswith(ID_BASE) else ID_BASE + "org/" + slug_or_iri)


def _en(text: str) -> Literal:
    return Literal(" ".join(text.split()), lang="en")


def _cite(g: Graph, subject: URIRef | BNode, urls: Iterable[str]) -> None:
    for url in urls:
        g.add((subject, DCTERMS.source, URIRef(url)))


def _flag(g: Graph, subject: URIRef | BNode, unverified: bool, note: str | None) -> None:
    """Mark a hypothesis (``prob:unverified``) or attach a plain note (``rdfs:comment``)."""
    if unverified:
        g.add((subject, PROB.unverified, Literal(True)))
        if note:
            g.add((subject, PROB.verificationNote, _en(note)))
    elif note:
        g.add((subject, RDFS.comment, _en(note)))


# ----------------------------------------------------------------------------- registry -> RDF


def _registry_unit(doc: LocatedYaml) -> LoadUnit:
    reg = build_registry(doc)
    g = bind_prefixes(Graph())

    for slug, label in reg.places.items():
        node = ID["place/" + slug]
        g.add((node, RDF.type, DCTERMS.Location))
        g.add((node, SKOS.prefLabel, _en(label)))
    for slug, urls in reg.place_sources.items():
        _cite(g, ID["place/" + slug], urls)

    area_nodes: dict[str, URIRef] = {}
    for area in reg.areas:
        node = URIRef(area.iri)
        area_nodes[area.slug] = node
        g.add((node, RDF.type, PROB.Area))
        g.add((node, SKOS.prefLabel, _en(area.label)))
        if area.gss:
            g.add((node, PROB.gssCode, Literal(area.gss)))
            g.add((node, GEO.sfEquals, GSS[area.gss]))
        if area.within:
            g.add((node, GEO.sfWithin, ID["area/" + area.within]))
        _cite(g, node, area.sources)
        _flag(g, node, area.unverified, area.note)
    for area in reg.areas:
        for place in area.covers:
            if normalise_name(place) == normalise_name(area.label):
                continue
            node = ID["area/" + name_slug(place)]
            existing = next((a for a in reg.areas if a.iri == str(node)), None)
            if existing is None:
                g.add((node, RDF.type, PROB.Area))
                g.add((node, SKOS.prefLabel, _en(place)))
            g.add((node, GEO.sfWithin, area_nodes[area.slug]))
            _cite(g, node, area.sources)
            if area.unverified:
                _flag(g, node, True, area.note)

    for org in reg.organisations:
        node = URIRef(org.iri)
        g.add((node, RDF.type, _CLASS_OF_KIND[org.kind]))
        g.add((node, SKOS.prefLabel, _en(org.label)))
        g.add((node, PROB.kind, Literal(org.kind)))
        for alias in org.aliases:
            g.add((node, SKOS.altLabel if alias in org.short_labels else SKOS.hiddenLabel, _en(alias)))
        if org.area:
            g.add((node, DCTERMS.spatial, area_nodes[org.area]))
        if org.unit_of:
            g.add((node, ORG.unitOf, URIRef(org.unit_of)))
        if org.based_in:
            g.add((node, PROB.basedIn, ID["place/" + org.based_in]))
        for other in org.linked_to:
            g.add((node, ORG.linkedTo, URIRef(other)))
        for other in org.replaces:
            g.add((node, DCTERMS.replaces, URIRef(other)))
        if org.description:
            g.add((node, RDFS.comment, _en(org.description)))
        _cite(g, node, org.sources)
        if org.unverified:
            _flag(g, node, True, org.note)
        elif org.note:
            g.add((node, SKOS.note, _en(org.note)))
        if org.kind == "Inspectorate" or org.slug == "nps":
            g.add((node, RDF.type, CV.PublicOrganisation))

    for period in reg.ownerships:
        node = URIRef(period.iri)
        g.add((node, RDF.type, PROB.Ownership))
        g.add((node, ORG.member, URIRef(period.owner_iri)))
        g.add((node, ORG.organization, URIRef(period.owned_iri)))
        g.add((node, ORG.role, PROB.ownerRole))
        interval(g, node, period.begin, period.end)
        _cite(g, node, period.sources)
        _flag(g, node, period.unverified, period.note)

    for change in reg.owner_changes:
        node = URIRef(change.iri)
        g.add((node, RDF.type, PROB.OwnershipTransfer))
        g.add((node, ORG.originalOrganization, URIRef(change.owned_iri)))
        g.add((node, PROV.startedAtTime, Literal(f"{change.date}-01T00:00:00Z", datatype=XSD.dateTime)))
        g.add((node, DCTERMS.date, Literal(change.date, datatype=XSD.gYearMonth)))
        g.add((URIRef(change.ended), PROV.wasInvalidatedBy, node))
        g.add((URIRef(change.started), PROV.wasGeneratedBy, node))
        _cite(g, node, change.sources)
        if change.note:
            g.add((node, RDFS.comment, _en(change.note)))

    for parent in reg.parents:
        share = BNode()
        g.add((share, RDF.type, PROB.Shareholding))
        g.add((share, ORG.member, URIRef(parent.parent_iri)))
        g.add((share, ORG.organization, URIRef(parent.owner_iri)))
        g.add((share, ORG.role, PROB.shareholderRole))
        if parent.begin or parent.end:
            interval(g, share, parent.begin, parent.end)
        _cite(g, share, parent.sources)
        if parent.note:
            g.add((share, RDFS.comment, _en(parent.note)))

    for person in reg.people:
        node = URIRef(person.iri)
        g.add((node, RDF.type, FOAF.Person))
        g.add((node, FOAF.name, Literal(person.name)))
        g.add((node, SKOS.prefLabel, _en(person.label)))
        for alias in person.aliases:
            g.add((node, SKOS.altLabel, _en(alias)))
        _cite(g, node, dict.fromkeys(url for post in person.posts for url in post.sources))
        for post in person.posts:
            appointment = BNode()
            g.add((appointment, RDF.type, PROB.Appointment))
            g.add((appointment, ORG.member, node))
            g.add((appointment, ORG.organization, URIRef(post.org_iri)))
            g.add((appointment, ORG.role, _ROLE[post.role]))
            interval(g, appointment, post.begin, post.end)
            _cite(g, appointment, post.sources)
            _flag(g, appointment, post.unverified, post.note)

    report = LoadReport(
        counts={
            "organisations": len(reg.organisations),
            "areas": len(reg.areas),
            "ownerships": len(reg.ownerships),
            "owner_changes": len(reg.owner_changes),
            "shareholdings": len(reg.parents),
            "people": len(reg.people),
            "unverified": sum(1 for p in reg.ownerships if p.unverified)
            + sum(1 for o in reg.organisations if o.unverified),
        }
    )
    return LoadUnit(
        graph=ID["graph/registry"],
        triples=g,
        checksum=reg.checksum,
        source=doc.path,
        loader="curated",
        report=report,
    )


# ----------------------------------------------------------------------------- source documents -> RDF

_TOP = ("kind", "schema_version", "document", "inspections", "findings", "verdicts", "figures")
_DOCUMENT = ("slug", "type", "title", "issued", "publisher", "url", "sha256", "text_file")
_INSPECTION = (
    "slug",
    "role",
    "label",
    "inspected",
    "type",
    "area",
    "area_description",
    "published",
    "fieldwork_start",
    "fieldwork_end",
    "chief_inspector",
    "follows_up",
    "sequence_note",
    "comment",
    "sources",
    "unverified",
    "note",
)
_FINDING = ("inspection", "about", "theme", "also", "polarity", "comment", "note", "start", "end", "evidence")
_VERDICT = (
    "inspection",
    "provider",
    "key_test",
    "verdict",
    "except_for",
    "comment",
    "start",
    "end",
    "evidence",
)
_FIGURE = (
    "inspection",
    "value",
    "unit",
    "qualifier",
    "measure",
    "measure_type",
    "about",
    "as_of",
    "start",
    "end",
    "evidence",
)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    at: tuple[Any, ...]


class _SourceBuilder:
    """One pass over a source-document file, building its graph."""

    def __init__(self, doc: LocatedYaml, registry: Registry, text: str | None) -> None:
        self.doc = doc
        self.r = FieldReader(doc)
        self.reg = registry
        self.text = text
        self.g = bind_prefixes(Graph())
        self.counts: dict[str, int] = {}

    # -- small typed readers ---------------------------------------------------------------

    def choice(
        self,
        m: Mapping[str, Any],
        key: str,
        at: tuple[Any, ...],
        table: Mapping[str, URIRef],
        *,
        required: bool = True,
        normalise: bool = True,
    ) -> URIRef | None:
        value = self.r.str(m, key, at, required=required)
        if value is None:
            return None
        keyed = {normalise_name(k) if normalise else k: v for k, v in table.items()}
        hit = keyed.get(normalise_name(value) if normalise else value)
        if hit is None:
            raise self.doc.error((*at, key), f"unknown value {value!r}; expected one of {', '.join(table)}")
        return hit

    def theme(self, value: Any, at: tuple[Any, ...]) -> URIRef:
        concept = concept_for(PROB.ThemeScheme, value) if isinstance(value, str) else None
        if concept is None:
            raise self.doc.error(at, f"unknown theme {value!r}; expected one of {', '.join(THEMES)}")
        return concept

    def org(self, value: Any, at: tuple[Any, ...], *, providers_only: bool = True) -> URIRef:
        org = self.reg.get(value) if isinstance(value, str) else None
        if org is None:
            close = [o.slug for o in self.reg.candidates(str(value), n=3)]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.doc.error(at, f"unknown organisation slug {value!r}{hint}")
        if providers_only and not org.is_provider:
            raise self.doc.error(at, f"{value!r} is a {org.kind}, not a probation provider")
        return URIRef(org.iri)

    def date(self, m: Mapping[str, Any], key: str, at: tuple[Any, ...]) -> Literal | None:
        value = self.r.date(m, key, at)
        return None if value is None else date_literal(value)

    def spans(self, m: Mapping[str, Any], at: tuple[Any, ...]) -> list[_Span]:
        if "evidence" in m:
            if "start" in m or "end" in m:
                raise self.doc.error((*at, "evidence"), "give either 'evidence' or 'start'/'end', not both")
            items = self.r.list(m["evidence"], (*at, "evidence"))
            pairs: list[tuple[Mapping[str, Any], tuple[Any, ...]]] = [
                (self.r.map(x, (*at, "evidence", i), ("start", "end")), (*at, "evidence", i))
                for i, x in enumerate(items)
            ]
        else:
            pairs = [(m, at)]
        out = []
        for spec, where in pairs:
            bounds = []
            for key in ("start", "end"):
                value = spec.get(key)
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise self.doc.error(
                        (*where, key) if key in spec else where,
                        f"expected a non-negative integer offset '{key}', found {value!r}",
                    )
                bounds.append(value)
            start, end = bounds
            if end <= start:
                raise self.doc.error((*where, "end"), f"end ({end}) must be greater than start ({start})")
            if self.text is not None and end > len(self.text):
                raise self.doc.error(
                    (*where, "end"), f"offset {end} is past the end of the text ({len(self.text)} characters)"
                )
            out.append(_Span(start, end, where))
        if not out:
            raise self.doc.error(at, "needs at least one piece of evidence (start/end offsets)")
        return out

    # -- building --------------------------------------------------------------------------

    def build(self) -> tuple[str, Graph]:
        r, doc, g = self.r, self.doc, self.g
        top = r.map(doc.data, (), _TOP)
        if top.get("schema_version") != 1:
            raise doc.error(("schema_version",), f"unsupported schema_version {top.get('schema_version')!r}")
        meta = r.map(top.get("document"), ("document",), _DOCUMENT)
        at = ("document",)
        self.slug = r.str(meta, "slug", at, pattern=_SLUG, what="a slug (lower-case words joined by '-')")
        self.slug = self.slug or ""
        self.doc_node = ID["doc/" + self.slug]
        self.url = r.str(meta, "url", at, required=False)
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise doc.error((*at, "url"), f"expected an http(s) URL, found {self.url!r}")
        self.sha = r.str(meta, "sha256", at, pattern=_SHA, what="64 lower-case hexadecimal digits") or ""
        d = self.doc_node
        g.add((d, RDF.type, self.choice(meta, "type", at, DOCUMENT_TYPES, normalise=False) or PROB.WebPage))
        title = r.str(meta, "title", at, required=False)
        if title:
            g.add((d, DCTERMS.title, _en(title)))
        issued = self.date(meta, "issued", at)
        if issued is not None:
            g.add((d, DCTERMS.issued, issued))
        publisher = r.str(meta, "publisher", at, required=False)
        if publisher:
            g.add((d, DCTERMS.publisher, self.org(publisher, (*at, "publisher"), providers_only=False)))
        if self.url:
            g.add((d, FOAF.page, URIRef(self.url)))
        g.add((d, PROB.sha256, Literal(self.sha)))

        self.inspections: dict[str, tuple[URIRef, set[URIRef]]] = {}
        raw_inspections = r.list(top.get("inspections"), ("inspections",))
        for i, raw in enumerate(raw_inspections):  # slugs first, so follows_up may point forward
            spec = r.map(raw, ("inspections", i), _INSPECTION)
            slug = (
                r.str(
                    spec,
                    "slug",
                    ("inspections", i),
                    pattern=_INSPECTION_SLUG,
                    what="an inspection slug (YYYY[-MM]-words)",
                )
                or ""
            )
            if slug in self.inspections:
                raise doc.error(("inspections", i, "slug"), f"duplicate inspection slug {slug!r}")
            self.inspections[slug] = (ID["inspection/" + slug], set())
        for i, spec in enumerate(raw_inspections):
            self.inspection(spec, ("inspections", i))
        for i, spec in enumerate(r.list(top.get("findings"), ("findings",))):
            self.finding(r.map(spec, ("findings", i), _FINDING), ("findings", i))
        for i, spec in enumerate(r.list(top.get("verdicts"), ("verdicts",))):
            self.verdict(r.map(spec, ("verdicts", i), _VERDICT), ("verdicts", i))
        for i, spec in enumerate(r.list(top.get("figures"), ("figures",))):
            self.figure(r.map(spec, ("figures", i), _FIGURE), ("figures", i))
        return self.slug, g

    def cite(self, node: URIRef) -> None:
        if self.url:
            self.g.add((node, DCTERMS.source, URIRef(self.url)))

    def inspection(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        slug = str(spec["slug"])
        node, inspected = self.inspections[slug]
        role = r.str(spec, "role", at, choices=("reports-on", "mentioned")) or ""
        g.add((self.doc_node, PROB.reportsOn if role == "reports-on" else PROB.mentions, node))
        g.add((node, RDF.type, PROB.Inspection))
        g.add((node, SKOS.prefLabel, _en(r.str(spec, "label", at) or "")))
        for i, slug_ in enumerate(r.strs(spec, "inspected", at)):
            org = self.org(slug_, (*at, "inspected", i))
            inspected.add(org)
            g.add((node, PROB.inspected, org))
        if role == "reports-on" and not inspected:
            raise self.doc.error(at, "an inspection the document reports on needs 'inspected'")
        kind = self.choice(spec, "type", at, _INSPECTION_TYPES, required=False)
        if kind is not None:
            g.add((node, DCTERMS.type, kind))
        area = r.str(spec, "area", at, required=False)
        if area is not None:
            found = self.reg.area(area)
            if found is None and not any(name_slug(p) == area for a in self.reg.areas for p in a.covers):
                raise self.doc.error((*at, "area"), f"unknown area slug {area!r}")
            g.add((node, DCTERMS.spatial, ID["area/" + area]))
        description = r.str(spec, "area_description", at, required=False)
        if description:
            g.add((node, PROB.areaDescription, _en(description)))
        add_inspection_dates(g, node, {key: r.date(spec, key, at) for key, _ in INSPECTION_DATES})
        chief = r.str(spec, "chief_inspector", at, required=False)
        if chief is not None:
            person = self.reg.person(chief)
            if person is None:
                raise self.doc.error((*at, "chief_inspector"), f"unknown person {chief!r}")
            hmi = self.reg.of_kind("Inspectorate")
            if hmi:
                g.add((node, PROV.wasAssociatedWith, URIRef(hmi[0].iri)))
            add_chief_inspector(g, node, URIRef(person.iri))
        earlier = r.str(spec, "follows_up", at, required=False)
        if earlier is not None:
            if earlier not in self.inspections:
                raise self.doc.error(
                    (*at, "follows_up"),
                    f"unknown inspection slug {earlier!r}; list it under 'inspections' (role: mentioned)",
                )
            g.add((node, PROB.followsUp, self.inspections[earlier][0]))
        for key, prop in (("sequence_note", PROB.sequenceNote), ("comment", RDFS.comment)):
            text = r.str(spec, key, at, required=False)
            if text:
                g.add((node, prop, _en(text)))
        extra = self.sources(spec, at)
        self.cite(node)
        _cite(g, node, extra)
        _flag(g, node, r.bool(spec, "unverified", at), r.str(spec, "note", at, required=False))
        self.count("inspections")

    def sources(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> tuple[str, ...]:
        urls = self.r.strs(spec, "sources", at)
        for i, url in enumerate(urls):
            if not url.startswith(("http://", "https://")):
                raise self.doc.error((*at, "sources", i), f"expected an http(s) URL, found {url!r}")
        return urls

    def in_inspection(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> tuple[URIRef, set[URIRef]]:
        slug = self.r.str(spec, "inspection", at) or ""
        if slug not in self.inspections:
            raise self.doc.error(
                (*at, "inspection"), f"unknown inspection slug {slug!r}; list it under 'inspections'"
            )
        return self.inspections[slug]

    def check_inspected(self, org: URIRef, inspected: set[URIRef], at: tuple[Any, ...]) -> None:
        if org not in inspected:
            raise self.doc.error(at, f"{str(org).rsplit('/', 1)[1]!r} was not inspected by this inspection")

    def evidence(self, node: URIRef, spans: Sequence[_Span]) -> None:
        for span in spans:
            ev = add_evidence(
                self.g,
                doc=self.doc_node,
                doc_slug=self.slug or "",
                text_sha256=self.sha,
                start=span.start,
                end=span.end,
                text=self.text,
                account="curated",
            )
            self.g.add((node, PROB.hasEvidence, ev))

    def finding(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        inspection, inspected = self.in_inspection(spec, at)
        about = r.strs(spec, "about", at)
        if not about:
            raise self.doc.error(at, "missing required field 'about' (the provider(s) the finding is about)")
        orgs = []
        for i, slug in enumerate(about):
            org = self.org(slug, (*at, "about", i))
            self.check_inspected(org, inspected, (*at, "about", i))
            orgs.append(org)
        theme = self.theme(spec.get("theme"), (*at, "theme"))
        also_raw = self.r.list(spec.get("also"), (*at, "also"))
        also = [self.theme(v, (*at, "also", i)) for i, v in enumerate(also_raw)]
        polarity = self.choice(spec, "polarity", at, POLARITIES)
        spans = self.spans(spec, at)
        node = ID[
            f"finding/{self.slug}/"
            + digest("finding", inspection, *sorted(orgs), *(f"{s.start}-{s.end}" for s in spans))
        ]
        if (node, RDF.type, PROB.Finding) in g:
            raise self.doc.error(at, "the same finding (inspection, providers, evidence) appears twice")
        g.add((node, RDF.type, PROB.Finding))
        for org in orgs:
            g.add((node, PROB.aboutProvider, org))
        g.add((node, PROB.inInspection, inspection))
        g.add((node, PROB.theme, theme))
        for t in also:
            if t != theme:
                g.add((node, PROB.secondaryTheme, t))
        g.add((node, PROB.polarity, polarity))  # type: ignore[arg-type]
        g.add((node, RDFS.comment, _en(r.str(spec, "comment", at) or "")))
        note = r.str(spec, "note", at, required=False)
        if note:
            g.add((node, SKOS.note, _en(note)))
        g.add((node, PROV.wasDerivedFrom, self.doc_node))
        self.cite(node)
        self.evidence(node, spans)
        self.count("findings")

    def verdict(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        inspection, inspected = self.in_inspection(spec, at)
        org = self.org(r.str(spec, "provider", at) or "", (*at, "provider"))
        self.check_inspected(org, inspected, (*at, "provider"))
        test = self.theme(spec.get("key_test"), (*at, "key_test"))
        if test not in _KEY_TESTS:
            raise self.doc.error(
                (*at, "key_test"),
                "not one of the three key tests (public protection, "
                "reducing reoffending, abiding by the sentence)",
            )
        verdict = self.choice(spec, "verdict", at, _VERDICTS)
        spans = self.spans(spec, at)
        node = ID[f"verdict/{self.slug}/" + digest("verdict", inspection, org, test)]
        g.add((node, RDF.type, PROB.KeyTestVerdict))
        g.add((node, PROB.verdictOf, org))
        g.add((node, PROB.inInspection, inspection))
        g.add((node, PROB.keyTest, test))
        g.add((node, PROB.verdict, verdict))  # type: ignore[arg-type]
        if spec.get("except_for") is not None:
            g.add((node, PROB.exceptFor, self.theme(spec["except_for"], (*at, "except_for"))))
        comment = r.str(spec, "comment", at, required=False)
        if comment:
            g.add((node, RDFS.comment, _en(comment)))
        g.add((node, PROV.wasDerivedFrom, self.doc_node))
        self.cite(node)
        self.evidence(node, spans)
        self.count("verdicts")

    def figure(self, spec: Mapping[str, Any], at: tuple[Any, ...]) -> None:
        r, g = self.r, self.g
        value = spec.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.doc.error((*at, "value"), f"expected a number, found {value!r}")
        literal = (
            Literal(value, datatype=XSD.integer)
            if isinstance(value, int)
            else Literal(repr(value), datatype=XSD.decimal)
        )
        unit = self.choice(spec, "unit", at, _UNITS)
        measure = r.str(spec, "measure", at) or ""
        spans = self.spans(spec, at)
        inspection = None
        if spec.get("inspection") is not None:
            inspection, _ = self.in_inspection(spec, at)
        key = digest("figure", value, measure, *(f"{s.start}-{s.end}" for s in spans))
        node = ID[f"figure/{self.slug}/{key}"]
        g.add((node, RDF.type, PROB.Figure))
        g.add((node, PROB.value, literal))
        g.add((node, PROB.unit, unit))  # type: ignore[arg-type]
        qualifier = r.str(spec, "qualifier", at, required=False)
        if qualifier:
            g.add((node, PROB.qualifier, Literal(qualifier)))
        g.add((node, PROB.measure, _en(measure)))
        kind = self.choice(spec, "measure_type", at, _MEASURE_TYPES, required=False)
        if kind is not None:
            g.add((node, PROB.measureType, kind))
        if spec.get("about") is not None:
            g.add((node, PROB.figureAbout, self.org(spec["about"], (*at, "about"))))
        as_of = self.date(spec, "as_of", at)
        if as_of is not None:
            g.add((node, PROB.asOf, as_of))
        if inspection is not None:
            g.add((node, PROB.inInspection, inspection))
        g.add((node, PROV.wasDerivedFrom, self.doc_node))
        self.cite(node)
        self.evidence(node, spans)
        self.count("figures")

    def count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _source_unit(
    doc: LocatedYaml, sources: str | os.PathLike[str] | None, registry: Registry | None
) -> LoadUnit:
    reg = registry if registry is not None else load_registry()
    meta = doc.data.get("document") if isinstance(doc.data, dict) else None
    warnings: list[str] = []
    text: str | None = None
    text_sha: str | None = None
    if sources is not None and isinstance(meta, dict) and isinstance(meta.get("sha256"), str):
        found = _find_text(doc, Path(sources), meta["sha256"], meta.get("text_file"))
        if found is None:
            warnings.append(f"no file under {sources} has SHA-256 {meta['sha256'][:16]}…; quotes not added")
        else:
            text_path, raw = found
            text_sha = meta["sha256"]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("source text is not UTF-8", path=str(text_path)) from None
    builder = _SourceBuilder(doc, reg, text)
    slug, graph = builder.build()
    checksum = sha256_bytes(doc.raw)
    if text_sha is not None:
        checksum = sha256_bytes(f"{checksum}+{text_sha}".encode("ascii"))
    report = LoadReport(counts=builder.counts, warnings=warnings)
    return LoadUnit(
        graph=ID["graph/curated/" + slug],
        triples=graph,
        checksum=checksum,
        source=doc.path,
        loader="curated",
        report=report,
    )


def _find_text(doc: LocatedYaml, directory: Path, sha: str, hint: object) -> tuple[Path, bytes] | None:
    if not directory.is_dir():
        raise InputError(f"sources directory not found: {directory}", path=str(directory))
    if isinstance(hint, str) and hint:
        for candidate in sorted(directory.rglob(Path(hint).name)):
            raw = candidate.read_bytes()
            if sha256_bytes(raw) != sha:
                line = doc.line(("document", "sha256"))
                raise InputError(
                    f"checksum mismatch: {candidate} has SHA-256 {sha256_bytes(raw)[:16]}…, "
                    f"but document.sha256 (line {line}) is {sha[:16]}…",
                    path=str(candidate),
                )
            return candidate, raw
    for candidate in sorted(directory.rglob("*")):
        if candidate.is_file() and candidate.stat().st_size < 50_000_000:
            raw = candidate.read_bytes()
            if sha256_bytes(raw) == sha:
                return candidate, raw
    return None

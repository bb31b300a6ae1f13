"""RDF for one extracted document, following ``docs/data-model.md``.

The graph ``id:graph/doc/<doc-slug>`` holds: the source document (``prob:sha256`` of the text the
offsets refer to), the inspection it reports on and the earlier inspections it mentions, every
finding, rating and figure with its evidence (``oa:SpecificResource`` with a ``TextQuoteSelector``
and a ``TextPositionSelector``), the ``prob:ExtractionRun`` that produced
them, and organisations that are not in the registry (``id:org/unresolved/<slug>``). Registry
organisations are only referred to, never re-declared.

IRIs of items are ``id:<kind>/<doc-slug>/<12 hex>`` over the item's key fields, so extracting the
same text twice gives the same triples except the run's start time.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from probkg.loaders.base import LoadReport, LoadUnit, sha256_bytes
from probkg.loaders.curated import CuratedDocument, source_documents
from probkg.ontology import concept_for
from probkg.ontology.namespaces import ID, OA, ORG, PROB, bind_prefixes
from probkg.registry.model import Registry, load_registry

from .extract import Extraction, doc_slug, extract_document
from .reader import read_path

__all__ = ["load_text", "software_version", "to_graph"]

_AGENT = ID["agent/probkg"]


def _curated_inspection(
    known: CuratedDocument | None, inspected: list[str], *, mentioned_year: str | None = None
) -> URIRef | None:
    """The curated inspection a text reports on (or, with ``mentioned_year``, mentions), when a
    curated file describes the same text.

    Entity resolution for inspections: the same document reporting on an inspection of the same
    providers means the same inspection, whatever date or area wording the extractor found. A
    mentioned inspection also needs the same year; when the curated account names no provider, the
    year alone decides if exactly one curated inspection of that year is mentioned.
    """
    if known is None:
        return None
    slugs = {iri.rsplit("/", 1)[-1] for iri in inspected if iri.startswith(str(ID["org/"]))}
    if mentioned_year is None:
        hits = [s for s, role, providers in known.inspections if role == "reports-on" and slugs & providers]
    else:
        same_year = [
            (s, providers)
            for s, role, providers in known.inspections
            if role == "mentioned" and s.startswith(mentioned_year)
        ]
        hits = [s for s, providers in same_year if slugs & providers]
        if not hits and len(same_year) == 1 and not same_year[0][1]:
            hits = [same_year[0][0]]
    return ID[f"inspection/{hits[0]}"] if hits else None


def _concept(scheme: URIRef, label: str) -> URIRef:
    """The concept the extractor named; the extractor only emits labels of the scheme."""
    concept = concept_for(scheme, label)
    if concept is None:  # pragma: no cover - would be an extractor bug
        raise ValueError(f"{label!r} is not a concept of {scheme}")
    return concept


def software_version() -> str:
    """probkg's version (``probkg._version``), recorded on every extraction run."""
    from probkg._version import __version__

    return __version__


def _hex(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


def _date_literal(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value[:4], datatype=XSD.gYear)


def _number(value: float | int) -> Literal:
    if isinstance(value, int) or float(value).is_integer():
        return Literal(int(value), datatype=XSD.integer)
    return Literal(str(value), datatype=XSD.decimal)


def _evidence(g: Graph, doc_iri: URIRef, slug: str, text: str, *, start: int, end: int) -> URIRef:
    ev = ID[f"evidence/{slug}/{_hex(start, end)}"]
    quote, position = URIRef(f"{ev}#quote"), URIRef(f"{ev}#position")
    g.add((ev, RDF.type, OA.SpecificResource))
    g.add((ev, OA.hasSource, doc_iri))
    g.add((ev, OA.hasSelector, quote))
    g.add((ev, OA.hasSelector, position))
    g.add((quote, RDF.type, OA.TextQuoteSelector))
    g.add((quote, OA.exact, Literal(text[start:end])))
    g.add((quote, OA.prefix, Literal(text[max(0, start - 32) : start])))
    g.add((quote, OA.suffix, Literal(text[end : end + 32])))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    return ev


def to_graph(
    ex: Extraction,
    *,
    started: _dt.datetime | None = None,
    registry: Registry | None = None,
    curated: Mapping[str, CuratedDocument] | None = None,
) -> tuple[Graph, URIRef]:
    """The RDF of one extraction and the IRI of its named graph.

    When a curated source file describes the same text (same SHA-256), the document keeps the
    curated slug and description, so both accounts hang off one document node. ``curated`` maps
    checksums to curated documents (default: the shipped source files).
    """
    reg = registry or load_registry()
    doc = ex.doc
    res = ex.result
    text = doc.text
    text_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    known = (source_documents() if curated is None else curated).get(text_sha)
    slug = known.slug if known is not None else doc_slug(doc)
    version = software_version()
    g = bind_prefixes(Graph())
    doc_iri = ID[f"doc/{slug}"]
    run = ID[f"run/{slug}/{_hex(text_sha, version)}"]
    started = started or _dt.datetime.now(_dt.UTC)

    if known is not None:
        known.describe(g)
    else:
        g.add((doc_iri, RDF.type, PROB.PressRelease if doc.fmt != "html" or not doc.url else PROB.WebPage))
        g.add((doc_iri, PROB.sha256, Literal(text_sha)))
        g.add((doc_iri, DCTERMS.publisher, ID["org/hmi-probation"]))
        if doc.title:
            g.add((doc_iri, DCTERMS.title, Literal(doc.title, lang="en")))
        if doc.url:
            g.add((doc_iri, FOAF.page, URIRef(doc.url)))
        if res["source"].get("published"):
            g.add((doc_iri, DCTERMS.issued, _date_literal(res["source"]["published"])))

    g.add((run, RDF.type, PROB.ExtractionRun))
    g.add((run, PROV.used, doc_iri))
    g.add((run, PROV.wasAssociatedWith, _AGENT))
    g.add(
        (run, PROV.startedAtTime, Literal(started.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime))
    )
    g.add((run, PROB.softwareVersion, Literal(version)))
    g.add((run, PROB.sha256, Literal(text_sha)))
    g.add((_AGENT, RDF.type, PROV.SoftwareAgent))
    g.add((_AGENT, SKOS.prefLabel, Literal("probkg", lang="en")))

    for org in ex.unresolved:
        iri = URIRef(org.iri)
        g.add((iri, RDF.type, ORG.Organization))
        g.add((iri, SKOS.prefLabel, Literal(org.label, lang="en")))
        g.add((iri, PROB.kind, Literal("Other")))
        g.add((iri, PROB.unverified, Literal(True)))
        g.add(
            (
                iri,
                PROB.verificationNote,
                Literal("Named in a text but not in the registry; needs curation.", lang="en"),
            )
        )
        g.add((iri, DCTERMS.source, doc_iri))

    inspection_iri: URIRef | None = None
    for insp in res["inspections"]:
        curated_iri = _curated_inspection(known, insp["inspected"])
        inspection_iri = curated_iri or URIRef(insp["iri"])
        g.add((doc_iri, PROB.reportsOn, inspection_iri))
        g.add((inspection_iri, RDF.type, PROB.Inspection))
        if curated_iri is None:  # a curated inspection keeps its curated name
            names = [_label(reg, ex, i) for i in insp["inspected"]]
            year = (insp.get("published") or "")[:4]
            label = f"Inspection of {' and '.join(names)}" + (f", {year}" if year else "")
            g.add((inspection_iri, SKOS.prefLabel, Literal(label, lang="en")))
        for iri in insp["inspected"]:
            g.add((inspection_iri, PROB.inspected, URIRef(iri)))
        g.add((inspection_iri, PROV.wasAssociatedWith, ID["org/hmi-probation"]))
        kind = concept_for(PROB.InspectionTypeScheme, insp["type"]) if insp.get("type") else None
        if kind is not None and curated_iri is None:
            g.add((inspection_iri, DCTERMS.type, kind))
        if insp.get("published"):
            g.add((inspection_iri, PROB.publicationDate, _date_literal(insp["published"])))
        if insp.get("areas"):
            g.add((inspection_iri, PROB.areaDescription, Literal(", ".join(insp["areas"]), lang="en")))
        if insp.get("chief_inspector"):
            person = reg.person(insp["chief_inspector"])
            if person is not None:
                p_iri = URIRef(person.iri)
                g.add((inspection_iri, PROB.chiefInspector, p_iri))
                assoc = BNode()
                g.add((inspection_iri, PROV.qualifiedAssociation, assoc))
                g.add((assoc, RDF.type, PROV.Association))
                g.add((assoc, PROV.agent, p_iri))
                g.add((assoc, PROV.hadRole, PROB.chiefInspectorRole))
    for earlier in ex.mentioned_inspections:
        provs = earlier["inspected"]
        tail = (
            provs[0].rsplit("/", 1)[-1]
            if len(provs) == 1
            else (
                re.sub(
                    r"[^a-z0-9]+", "-", (res["inspections"][0]["areas"] or ["probation"])[0].lower()
                ).strip("-")
                if res["inspections"]
                else "probation"
            )
        )
        curated_e = _curated_inspection(known, provs, mentioned_year=str(earlier["date"])[:4])
        e_iri = curated_e or ID[f"inspection/{earlier['date']}-{tail}"]
        if e_iri == inspection_iri:
            continue
        g.add((doc_iri, PROB.mentions, e_iri))
        g.add((e_iri, RDF.type, PROB.Inspection))
        if curated_e is None:  # a curated inspection keeps its curated description
            g.add((e_iri, SKOS.prefLabel, Literal(f"Earlier inspection, {earlier['date']}", lang="en")))
            g.add((e_iri, PROB.fieldworkStart, _date_literal(earlier["date"])))
            for iri in provs:
                g.add((e_iri, PROB.inspected, URIRef(iri)))
        if inspection_iri is not None and earlier.get("follow_up") and earlier["date"] == ex.follows_up:
            g.add((inspection_iri, PROB.followsUp, e_iri))

    def item(kind: str, *key: Any) -> URIRef:
        iri = ID[f"{kind}/{slug}/{_hex(*key)}"]
        g.add((iri, PROV.wasGeneratedBy, run))
        g.add((iri, PROV.wasDerivedFrom, doc_iri))
        return iri

    allowed = set(res["inspections"][0]["inspected"]) if res["inspections"] else set()
    for f in res["findings"]:
        about = [a for a in f["about"] if a in allowed]
        if inspection_iri is None or not about:
            continue
        iri = item("finding", f["start"], f["end"], f["polarity"], f["theme"], *about)
        g.add((iri, RDF.type, PROB.Finding))
        for a in about:
            g.add((iri, PROB.aboutProvider, URIRef(a)))
        g.add((iri, PROB.inInspection, inspection_iri))
        g.add((iri, PROB.theme, concept_for(PROB.ThemeScheme, f["theme"]) or PROB.OtherTheme))
        g.add((iri, PROB.polarity, _concept(PROB.PolarityScheme, f["polarity"])))
        g.add((iri, PROB.hasEvidence, _evidence(g, doc_iri, slug, text, start=f["start"], end=f["end"])))
    for r in res["ratings"]:
        if inspection_iri is None or r["provider"] not in allowed:
            continue
        iri = item("rating", r["provider"], r["aspect"], r["value"], r["start"])
        g.add((iri, RDF.type, PROB.Rating))
        g.add((iri, PROB.ratingOf, URIRef(r["provider"])))
        g.add((iri, PROB.inInspection, inspection_iri))
        g.add((iri, PROB.ratingValue, _concept(PROB.RatingScheme, r["value"])))
        if r["aspect"] not in ("", "overall"):
            standard = concept_for(PROB.StandardScheme, r["aspect"])
            if standard is not None:
                g.add((iri, PROB.ratingAspect, standard))
            g.add((iri, PROB.aspectLabel, Literal(r["aspect"], lang="en")))
        g.add((iri, PROB.hasEvidence, _evidence(g, doc_iri, slug, text, start=r["start"], end=r["end"])))
    for fig in res["figures"]:
        iri = item("figure", fig["value"], fig["start"], fig["end"])
        g.add((iri, RDF.type, PROB.Figure))
        g.add((iri, PROB.value, _number(fig["value"])))
        percent = bool(
            re.search(
                r"%|per\s?cent|\bhalf\b|third|quarter|fifth|\bin\s+\w+$",
                fig["quote"].split(fig["measure"])[0] if fig["measure"] else fig["quote"],
            )
        )
        g.add((iri, PROB.unit, PROB.Percent if percent else PROB.Count))
        if fig.get("qualifier"):
            g.add((iri, PROB.qualifier, Literal(fig["qualifier"])))
        if fig.get("measure"):
            g.add((iri, PROB.measure, Literal(fig["measure"], lang="en")))
        if fig.get("about"):
            g.add((iri, PROB.figureAbout, URIRef(fig["about"])))
        if fig.get("as_of"):
            g.add((iri, PROB.asOf, _date_literal(fig["as_of"])))
        if inspection_iri is not None:
            g.add((iri, PROB.inInspection, inspection_iri))
        g.add((iri, PROB.hasEvidence, _evidence(g, doc_iri, slug, text, start=fig["start"], end=fig["end"])))
    return g, ID[f"graph/doc/{slug}"]


def _label(reg: Registry, ex: Extraction, iri: str) -> str:
    org = reg.get(iri)
    if org is not None:
        return org.short_label or org.label
    for o in ex.result["organisations"]:
        if o["iri"] == iri:
            return str(o["label"])
    return iri.rsplit("/", 1)[-1]


def load_text(
    path: str | Path, *, registry: Registry | None = None, curated: str | os.PathLike[str] | None = None
) -> LoadUnit:
    """Extract one text document and return its RDF as a :class:`LoadUnit` (loader ``text``).

    ``checksum`` is the SHA-256 of the file's bytes; the document node's ``prob:sha256`` is that of
    the text the offsets refer to (the same for ``.txt``/``.md``; the extracted text for HTML).
    A text that a curated source file describes (same SHA-256) gets that file's document IRI;
    ``curated`` is a directory of source files to look in (default: the shipped ones).
    """
    reg = registry or load_registry()
    doc, data = read_path(path)
    ex = extract_document(doc, reg)
    graph, graph_iri = to_graph(ex, registry=reg, curated=source_documents(curated))
    report = LoadReport(
        counts={
            "findings": len(ex.result["findings"]),
            "ratings": len(ex.result["ratings"]),
            "figures": len(ex.result["figures"]),
            "inspections": len(ex.result["inspections"]),
            "ownership": len(ex.result["ownership"]),
        },
        unresolved=[f"{o.label} -> {o.iri}" for o in ex.unresolved],
    )
    if not ex.result["inspections"]:
        report.warnings.append(f"{path}: no inspected provider found; findings and ratings were not loaded")
    return LoadUnit(
        graph=graph_iri,
        triples=graph,
        checksum=sha256_bytes(data),
        source=str(path),
        loader="text",
        report=report,
    )

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

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from probkg.loaders.base import LoadReport, LoadUnit, sha256_bytes
from probkg.loaders.curated import (
    CuratedDocument,
    curated_document,
    curated_findings,
    curated_inspection_names,
    source_documents,
)
from probkg.loaders.record import resolve_inspection
from probkg.ontology import concept_for
from probkg.ontology.mint import (
    add_chief_inspector,
    add_evidence,
    date_literal,
    digest,
    finding_key,
    fingerprint,
    item_iri,
    overlap,
    slugify,
)
from probkg.ontology.namespaces import ID, ORG, PROB, bind_prefixes
from probkg.registry.model import Registry, load_registry

from .extract import Extraction, doc_slug, extract_document
from .reader import Document, read_path
from .segment import blocks, sentences

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


OPENING_WORDS = 8
"""Words of a quote that name its finding: a rendition cut short, or spaced and punctuated otherwise,
still opens a judgement with the same words, so its finding is the same node."""


def _opening(quote: str) -> str:
    return " ".join(re.findall(r"[\w']+", finding_key(quote))[:OPENING_WORDS])


def _number(value: float | int) -> Literal:
    if isinstance(value, int) or float(value).is_integer():
        return Literal(int(value), datatype=XSD.integer)
    return Literal(str(value), datatype=XSD.decimal)


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
    b = _DocGraph(
        ex,
        registry or load_registry(),
        source_documents() if curated is None else curated,
        started or _dt.datetime.now(_dt.UTC),
    )
    b.document()
    b.run()
    b.unresolved()
    b.inspections()
    b.mentioned()
    b.findings()
    b.ratings()
    b.figures()
    return b.g, b.graph_iri


class _DocGraph:
    """The graph of one extraction, built part by part (document, run, inspections, items)."""

    def __init__(
        self,
        ex: Extraction,
        reg: Registry,
        all_documents: Mapping[str, CuratedDocument],
        started: _dt.datetime,
    ) -> None:
        self.ex, self.reg, self.all_documents, self.started = ex, reg, all_documents, started
        self.res = ex.result
        self.text = ex.doc.text
        self.text_sha = hashlib.sha256(self.text.encode("utf-8")).hexdigest()
        self.known = curated_document(self.text_sha, ex.doc.url, all_documents)
        known = self.known
        self.slug = known.slug if known is not None else doc_slug(ex.doc)
        # the text the document is identified by keeps the plain graph name; other renditions get their own
        canonical = (known.sha256 == self.text_sha) if known is not None else self.slug.startswith("sha-")
        self.graph_iri = ID[
            f"graph/doc/{self.slug}" if canonical else f"graph/doc/{self.slug}/{self.text_sha[:16]}"
        ]
        self.version = software_version()
        self.g = bind_prefixes(Graph())
        self.doc_iri = ID[f"doc/{self.slug}"]
        self.run_iri = ID[f"run/{self.slug}/{digest(self.text_sha, self.version)}"]
        self.curated_names = curated_inspection_names(known) if known is not None else {}
        self.inspection_iri: URIRef | None = None
        self.allowed = set(self.res.inspections[0].inspected) if self.res.inspections else set()

    # ---- the document and the run -------------------------------------------------------------

    def document(self) -> None:
        """The document node: the curated description when a curated file describes the text."""
        g, doc, doc_iri = self.g, self.ex.doc, self.doc_iri
        if self.known is not None:
            self.known.describe(g)
            g.add(
                (doc_iri, PROB.sha256, Literal(self.text_sha))
            )  # this rendition's checksum beside the curated one
            return
        press = doc.fmt != "html" or "press-release" in (doc.url or "") or not doc.url
        g.add((doc_iri, RDF.type, PROB.PressRelease if press else PROB.WebPage))
        g.add((doc_iri, PROB.sha256, Literal(self.text_sha)))
        g.add((doc_iri, DCTERMS.publisher, ID["org/hmi-probation"]))
        if doc.title:
            g.add((doc_iri, DCTERMS.title, Literal(doc.title, lang="en")))
        if doc.url:
            g.add((doc_iri, FOAF.page, URIRef(doc.url)))
        if self.res.source.published:
            g.add((doc_iri, DCTERMS.issued, date_literal(self.res.source.published)))

    def run(self) -> None:
        """The ``prob:ExtractionRun`` that produced the items, and probkg as its agent."""
        g, run = self.g, self.run_iri
        g.add((run, RDF.type, PROB.ExtractionRun))
        g.add((run, PROV.used, self.doc_iri))
        g.add((run, PROV.wasAssociatedWith, _AGENT))
        started = self.started.isoformat().replace("+00:00", "Z")
        g.add((run, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
        g.add((run, PROB.softwareVersion, Literal(self.version)))
        g.add((run, PROB.sha256, Literal(self.text_sha)))
        g.add((_AGENT, RDF.type, PROV.SoftwareAgent))
        g.add((_AGENT, SKOS.prefLabel, Literal("probkg", lang="en")))

    def unresolved(self) -> None:
        """Organisations named in the text but not in the registry, flagged for curation."""
        g = self.g
        for org in self.ex.unresolved:
            iri = URIRef(org.iri)
            g.add((iri, RDF.type, ORG.Organization))
            g.add((iri, SKOS.prefLabel, Literal(org.label, lang="en")))
            g.add((iri, PROB.kind, Literal("Other")))
            g.add((iri, PROB.unverified, Literal(True)))
            note = Literal("Named in a text but not in the registry; needs curation.", lang="en")
            g.add((iri, PROB.verificationNote, note))
            g.add((iri, DCTERMS.source, self.doc_iri))

    # ---- inspections --------------------------------------------------------------------------

    def inspections(self) -> None:
        """The inspection the text reports on: the curated one, else the rated record's, else a new one."""
        g, reg, known, doc = self.g, self.reg, self.known, self.ex.doc
        for insp in self.res.inspections:
            curated_iri = _curated_inspection(known, insp.inspected)
            # the rated record's inspection of the same providers and month (or page) keeps its description
            record = None if curated_iri else resolve_inspection(insp.inspected, insp.published, doc.url)
            record_iri = record.iri if record is not None else None
            curated_iri = curated_iri or record_iri
            inspection_iri = self.inspection_iri = curated_iri or URIRef(insp.iri)
            g.add((self.doc_iri, PROB.reportsOn, inspection_iri))
            g.add((inspection_iri, RDF.type, PROB.Inspection))
            for name in self.curated_names.get(inspection_iri, ()):  # named as the curated file names it
                g.add((inspection_iri, SKOS.prefLabel, name))
            record_name = record.label if record is not None else None
            if record_name and inspection_iri not in self.curated_names:  # named as the rated record names it
                g.add((inspection_iri, SKOS.prefLabel, Literal(" ".join(record_name.split()), lang="en")))
            if curated_iri is None:  # a curated inspection keeps its curated name
                names = [_label(reg, self.ex, i) for i in insp.inspected]
                year = (insp.published or "")[:4]
                label = f"Inspection of {' and '.join(names)}" + (f", {year}" if year else "")
                g.add((inspection_iri, SKOS.prefLabel, Literal(label, lang="en")))
            for iri in insp.inspected:
                g.add((inspection_iri, PROB.inspected, URIRef(iri)))
            g.add((inspection_iri, PROV.wasAssociatedWith, ID["org/hmi-probation"]))
            kind = concept_for(PROB.InspectionTypeScheme, insp.type) if insp.type else None
            if kind is not None and curated_iri is None:
                g.add((inspection_iri, DCTERMS.type, kind))
            if insp.published and record_iri is None:
                g.add((inspection_iri, PROB.publicationDate, date_literal(insp.published)))
            if insp.areas:
                g.add((inspection_iri, PROB.areaDescription, Literal(", ".join(insp.areas), lang="en")))
            if insp.chief_inspector and record_iri is None:
                person = reg.person(insp.chief_inspector)
                if person is not None:
                    add_chief_inspector(g, inspection_iri, URIRef(person.iri))

    def mentioned(self) -> None:
        """Earlier inspections the text mentions, and the one the reported inspection follows up."""
        g, res, inspection_iri = self.g, self.res, self.inspection_iri
        for earlier in self.ex.mentioned_inspections:
            provs = earlier.inspected
            tail = (
                provs[0].rsplit("/", 1)[-1]
                if len(provs) == 1
                else slugify((res.inspections[0].areas or ["probation"])[0])
                if res.inspections
                else "probation"
            )
            curated_e = _curated_inspection(self.known, provs, mentioned_year=str(earlier.date)[:4])
            e_iri = curated_e or ID[f"inspection/{earlier.date}-{tail}"]
            if e_iri == inspection_iri:
                continue
            g.add((self.doc_iri, PROB.mentions, e_iri))
            g.add((e_iri, RDF.type, PROB.Inspection))
            for name in self.curated_names.get(e_iri, ()):
                g.add((e_iri, SKOS.prefLabel, name))
            if curated_e is None:  # a curated inspection keeps its curated description
                g.add((e_iri, SKOS.prefLabel, Literal(f"Earlier inspection, {earlier.date}", lang="en")))
                g.add((e_iri, PROB.fieldworkStart, date_literal(earlier.date)))
                for iri in provs:
                    g.add((e_iri, PROB.inspected, URIRef(iri)))
            if inspection_iri is not None and earlier.follow_up and earlier.date == self.ex.follows_up:
                g.add((inspection_iri, PROB.followsUp, e_iri))

    # ---- items: findings, ratings, figures ----------------------------------------------------

    def item(self, kind: str, *key: Any) -> URIRef:
        iri = item_iri(kind, self.slug, *key)
        self.g.add((iri, PROV.wasGeneratedBy, self.run_iri))
        self.g.add((iri, PROV.wasDerivedFrom, self.doc_iri))
        return iri

    def evidence(self, start: int, end: int) -> URIRef:
        return add_evidence(
            self.g,
            doc=self.doc_iri,
            doc_slug=self.slug,
            text_sha256=self.text_sha,
            start=start,
            end=end,
            text=self.text,
        )

    def findings(self) -> None:
        """Findings about the inspected providers; one the curated account already has becomes more
        evidence of the curated finding (:class:`_CuratedMatch`)."""
        g, text, inspection_iri = self.g, self.text, self.inspection_iri
        match = _CuratedMatch(self.known, self.text_sha, self.ex.doc, self.all_documents)
        for f in self.res.findings:
            about = [a for a in f.about if a in self.allowed]
            if inspection_iri is None or not about:
                continue
            span = (f.start, f.end)
            curated = match.finding(span, text) if match.own else None
            if curated is not None:
                g.add((URIRef(curated), PROB.hasEvidence, self.evidence(*span)))
                continue
            polarity = _concept(PROB.PolarityScheme, f.polarity)
            theme = concept_for(PROB.ThemeScheme, f.theme) or PROB.OtherTheme
            iri = self.item(
                "finding", _opening(text[f.start : f.end]), inspection_iri, polarity, theme, *sorted(about)
            )
            g.add((iri, RDF.type, PROB.Finding))
            for a in about:
                g.add((iri, PROB.aboutProvider, URIRef(a)))
            g.add((iri, PROB.inInspection, inspection_iri))
            g.add((iri, PROB.theme, theme))
            g.add((iri, PROB.polarity, polarity))
            g.add((iri, PROB.hasEvidence, self.evidence(*span)))
            for twin in match.same_judgement(text[f.start : f.end], inspection_iri):
                g.add((iri, PROB.sameJudgementAs, twin))

    def ratings(self) -> None:
        g, inspection_iri = self.g, self.inspection_iri
        for r in self.res.ratings:
            if inspection_iri is None or r.provider not in self.allowed:
                continue
            iri = self.item("rating", r.provider, r.aspect, r.value, inspection_iri)
            g.add((iri, RDF.type, PROB.Rating))
            g.add((iri, PROB.ratingOf, URIRef(r.provider)))
            g.add((iri, PROB.inInspection, inspection_iri))
            g.add((iri, PROB.ratingValue, _concept(PROB.RatingScheme, r.value)))
            if r.aspect not in ("", "overall"):
                standard = concept_for(PROB.StandardScheme, r.aspect)
                if standard is not None:
                    g.add((iri, PROB.ratingAspect, standard))
                g.add((iri, PROB.aspectLabel, Literal(r.aspect, lang="en")))
            g.add((iri, PROB.hasEvidence, self.evidence(r.start, r.end)))

    def figures(self) -> None:
        g = self.g
        for fig in self.res.figures:
            iri = self.item("figure", fig.value, finding_key(fig.quote), fig.about or "")
            g.add((iri, RDF.type, PROB.Figure))
            g.add((iri, PROB.value, _number(fig.value)))
            lead = fig.quote.split(fig.measure)[0] if fig.measure else fig.quote
            percent = bool(re.search(r"%|per\s?cent|\bhalf\b|third|quarter|fifth|\bin\s+\w+$", lead))
            g.add((iri, PROB.unit, PROB.Percent if percent else PROB.Count))
            if fig.qualifier:
                g.add((iri, PROB.qualifier, Literal(fig.qualifier)))
            if fig.measure:
                g.add((iri, PROB.measure, Literal(fig.measure, lang="en")))
            if fig.about:
                g.add((iri, PROB.figureAbout, URIRef(fig.about)))
            if fig.as_of:
                g.add((iri, PROB.asOf, date_literal(fig.as_of)))
            if self.inspection_iri is not None:
                g.add((iri, PROB.inInspection, self.inspection_iri))
            g.add((iri, PROB.hasEvidence, self.evidence(fig.start, fig.end)))


class _CuratedMatch:
    """Which curated finding an extracted span repeats.

    The curated account of this very text (same checksum) is matched by offsets: an extracted finding
    whose span overlaps a curated finding's evidence, or lies in a sentence a curated finding's evidence
    lies in (the curator has already divided that sentence into judgements), becomes more evidence of
    that curated finding instead of a finding of its own. Another rendition of a curated document is
    matched by quote: the fingerprints (shared runs of words) of its quotes and of the curated ones.
    """

    def __init__(
        self,
        known: CuratedDocument | None,
        text_sha: str,
        doc: Document,
        all_documents: Mapping[str, CuratedDocument],
    ) -> None:
        self.own = curated_findings(known) if known is not None else ()
        self.same_text = known is not None and known.sha256 == text_sha
        self.curated_spans = (
            [(str(cf.iri), span) for cf in self.own for span in cf.spans] if self.same_text else []
        )
        self.sentence_of = _sentence_index(doc.view, doc.body_start) if self.curated_spans else {}
        self.others = [
            cf
            for other in all_documents.values()
            if known is None or other.slug != known.slug
            for cf in curated_findings(other)
        ]

    def finding(self, span: tuple[int, int], text: str) -> str | None:
        """The IRI of the curated finding of this document that ``span`` is evidence of, if any."""
        if not self.same_text:
            prints = fingerprint(text[span[0] : span[1]])
            shared = max(
                ((len(prints & fp), str(cf.iri)) for cf in self.own for fp in cf.fingerprints if prints & fp),
                default=None,
            )
            return shared[1] if shared is not None else None
        spans = self.curated_spans
        best = max(((overlap(span, s), c) for c, s in spans if overlap(span, s) > 0), default=None)
        if best is not None:
            return best[1]
        sentence = self.sentence_of.get(span[0])
        if sentence is None:
            return None
        near = [
            (min(abs(s[0] - span[1]), abs(span[0] - s[1])), c) for c, s in spans if overlap(sentence, s) > 0
        ]
        return min(near)[1] if near else None

    def same_judgement(self, quote: str, inspection: URIRef) -> list[URIRef]:
        """Curated findings of other documents on the same inspection that this quote repeats (at least
        two runs of words in common): the same judgement reported by another source."""
        prints = fingerprint(quote)
        return sorted(
            {
                cf.iri
                for cf in self.others
                if cf.inspection == inspection and any(len(prints & fp) >= 2 for fp in cf.fingerprints)
            }
        )


def _sentence_index(view: str, body_start: int) -> dict[int, tuple[int, int]]:
    """For every offset inside a sentence of the body, that sentence's ``(start, end)``."""
    index: dict[int, tuple[int, int]] = {}
    for block in blocks(view, body_start):
        for sentence in sentences(view, block.start, block.end):
            for i in range(*sentence):
                index[i] = sentence
    return index


def _label(reg: Registry, ex: Extraction, iri: str) -> str:
    org = reg.get(iri)
    if org is not None:
        return org.short_label or org.label
    for o in ex.result.organisations:
        if o.iri == iri:
            return o.label
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
            "findings": len(ex.result.findings),
            "ratings": len(ex.result.ratings),
            "figures": len(ex.result.figures),
            "inspections": len(ex.result.inspections),
            "ownership": len(ex.result.ownership),
        },
        unresolved=[f"{o.label} -> {o.iri}" for o in ex.unresolved],
    )
    if not ex.result.inspections:
        report.warnings.append(f"{path}: no inspected provider found; findings and ratings were not loaded")
    return LoadUnit(
        graph=graph_iri,
        triples=graph,
        checksum=sha256_bytes(data),
        source=str(path),
        loader="text",
        report=report,
    )

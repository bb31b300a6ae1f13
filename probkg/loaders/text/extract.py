"""Extraction of inspection facts from one press release or third-party text: ``probkg extract`` JSON.

The pipeline, all rules (see :mod:`.segment`, :mod:`.lexicon`, :mod:`.linking`):

1. read the document (:mod:`.reader`) and cut its body into blocks, sentences and clauses;
2. find organisation mentions and decide what "the CRC", "the NPS" and "the division" refer to in
   this document: the registry CRC or NPS division the body names most often, else the CRC serving
   the places the text names ("probation services in Gwent"), narrowed by a named owner ("a CRC
   owned by Working Links"); a bare "NPS" is the national service unless a division is named;
3. the inspected providers are those the text reports an inspection of, not those it merely
   mentions: per group (CRCs; NPS divisions and the service) the provider with the most evidence,
   where evidence is a mention in the title, the lead or a sentence that speaks of an inspection,
   a report, a rating or inspectors' findings (not of an earlier inspection); mentions as another
   owner's holding ("the company which operates X CRC") or in ownership/neighbour sentences do not
   count (see :meth:`_Doc._inspected`);
4. ratings (:meth:`_Doc.ratings`: quoted or after a rating verb, before a rating noun or as a place
   on the scale; earlier ratings and other providers' ratings left out), figures, ownership
   (including possessives checked against the registry), the chief inspector (by role, by title and
   surname, or the registry's post holder on the publication date) and dates are read by patterns;
5. every evaluative clause of the body becomes a finding with polarity, theme and the providers it is
   about (named in the clause, else in the sentence, else the section heading, else the providers of
   the previous sentence, else the first inspected provider).

Contact details (phone numbers, e-mail addresses, press-office lines) are never read: their blocks
are dropped during segmentation. Every item's ``quote`` is ``text[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from probkg.errors import InputError
from probkg.ontology.namespaces import ID_IRI
from probkg.registry.model import Organisation, Person, Registry, load_registry, name_slug

from .attribution import Attribution, attribute_sentences
from .lexicon import (
    INSPECTION_CUE,
    OTHER_HOLDING,
    RATING_BEFORE,
    RATING_PAST,
    RATING_SCALE,
    RATING_VALUE,
    RATING_VALUES,
    normalise_rating,
    parse_number_words,
    polarity,
    polarity_cues,
    scale_value,
    theme,
)
from .linking import Mention, OrgRef, find_mentions, org_ref
from .reader import TEXT_SUFFIXES, Document, read_document, read_path
from .results import EarlierInspection, ExtractionResult
from .segment import _FINITE, WS, Block, blocks, clauses, sentences, strip_span

__all__ = [
    "Extraction",
    "explain_text",
    "extract_document",
    "extract_file",
    "extract_paths",
    "extract_text",
    "text_files",
]

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_MONTH_RE = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH_AFTER = re.compile(rf"\s*(?:{_MONTH_RE})\b")
_MONTH_BEFORE = re.compile(rf"(?:{_MONTH_RE})\s*$")


@dataclass
class Sent:
    start: int
    end: int
    block: Block
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Extraction:
    """The typed result (``probkg extract`` JSON via :meth:`ExtractionResult.to_json`) plus what the RDF
    conversion needs beyond it."""

    doc: Document
    result: ExtractionResult
    mentioned_inspections: list[EarlierInspection] = field(default_factory=list)
    unresolved: list[OrgRef] = field(default_factory=list)
    follows_up: str | None = None
    explanations: list[dict[str, Any]] = field(default_factory=list)
    """One entry per finding (same order): the clause read, attribution and rules that made it a finding."""


# ----------------------------------------------------------------------------- helpers


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _date_from_url(url: str | None) -> str | None:
    if not url:
        return None
    m = re.search(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/|$)", url)
    return f"{m.group(1)}-{m.group(2)}" if m else None


def doc_slug(doc: Document) -> str:
    """The document's slug: from the URL path when there is one, else ``sha-<16 hex of the text>``."""
    if doc.url:
        path = re.sub(r"^[a-z]+://[^/]+", "", doc.url).strip("/")
        segs = [s for s in path.split("/") if s]
        if segs:
            date = [s for s in segs if re.fullmatch(r"(19|20)\d\d|0[1-9]|1[0-2]", s)]
            keep = [segs[0], *date, segs[-1]] if len(segs) > 1 else segs
            slug = name_slug(" ".join(dict.fromkeys(keep)), max_length=90)
            if slug and slug != "unnamed":
                return slug
    import hashlib

    return "sha-" + hashlib.sha256(doc.text.encode("utf-8")).hexdigest()[:16]


_PUB_DATE = re.compile(
    r"\b(?:published|publish\w*|available|released?|out)\b[^.\n]{0,60}?\b(\d{1,2})(?:st|nd|rd|th)?\s+"
    rf"({_MONTH_RE})\s+((?:19|20)\d\d)\b"
)


_FULL_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH_RE})\s+(?:19|20)\d\d\b")


def _publication(doc: Document, view_body: str) -> str | None:
    """The publication date the text states ("published today (14 December 2016)"), else the URL's month."""
    # the full pattern is tried only just before each full date (it scans slowly from every word)
    for d in _FULL_DATE.finditer(view_body):
        m = _PUB_DATE.search(view_body, max(0, d.start() - 90), d.end())
        if m:
            return f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return _date_from_url(doc.url)


_CHIEF_ROLE = r"(?:(?:HM|Her Majesty’s|Her Majesty's)\s+)?[Cc]hief [Ii]nspector(?:\s+of\s+[Pp]robation)?"
_HONORIFIC = r"(?:Dame|Sir|Mr|Mrs|Ms|Miss|Dr|Professor)"
_CHIEF = re.compile(
    _CHIEF_ROLE + r",?\s+(?:" + _HONORIFIC + r"\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)(?![\w-])"
    r"|(?:" + _HONORIFIC + r"\s+)?([A-Z][a-z]+\s+[A-Z][a-z]+),\s+(?:the\s+)?" + _CHIEF_ROLE
)
# A chief inspector the registry knows, named by title and one name ("Dame Glenys", "Mr Russell") or
# by full name without the role.
_TITLED_NAME = re.compile(
    r"\b" + _HONORIFIC + r"\s+([A-Z][a-z]+)(?:\s+([A-Z][a-z]+))?\b|\b([A-Z][a-z]+\s+[A-Z][a-z]+)\b"
)
_BARE_ROLE = re.compile(r"\b(?:the|The)\s+" + _CHIEF_ROLE + r"\b(?!\s*[,:]?\s*" + _HONORIFIC + r"?\s*[A-Z])")
_NOT_NAMES = {"Said", "Of", "Probation", "The", "Has", "Is"}


def _is_chief(person: Person | None) -> bool:
    return person is not None and any(post.role == "chief-inspector" for post in person.posts)


def _chief_inspector(view: str, reg: Registry, published: str | None = None) -> str | None:
    """The chief inspector the text names: by role and name; else a known chief inspector named by
    title or full name ("Dame Glenys", "Mr Russell"); else, for "the chief inspector" alone, the
    person the registry has in the post on the publication date (when exactly one)."""
    for m in _CHIEF.finditer(view):
        name = m.group(1) or m.group(2)
        if not name or name.split()[0] in _NOT_NAMES:
            continue
        person = reg.person(name)
        if person is not None:
            return person.name
        if " " in name:
            return name
    for m in _TITLED_NAME.finditer(view):
        for name in (m.group(0), m.group(1), m.group(2), m.group(3)):
            if name and name.split()[0] not in _NOT_NAMES:
                person = reg.person(name)
                if _is_chief(person):
                    return person.name  # type: ignore[union-attr]
    if published and _BARE_ROLE.search(view):
        holders = reg.chief_inspector_on(published)
        if len(holders) == 1:
            return holders[0].name
    return None


_TYPES = [
    (re.compile(r"quality\s*(?:&|and)\s*impact"), "Quality & Impact inspection"),
    (re.compile(r"\bthematic\s+inspection"), "thematic inspection"),
    (re.compile(r"\bfollow[- ]up\s+inspection"), "follow-up inspection"),
    (re.compile(r"\barea\s+inspection"), "area inspection"),
    (re.compile(r"\b(?:core|routine)\s+inspection"), "core inspection"),
]


_THEMATIC = next(rx for rx, label in _TYPES if label == "thematic inspection")


def _inspection_type(view: str, rated: bool, published: str | None) -> str | None:
    low = view.lower()
    for rx, label in _TYPES:
        if rx.search(low):
            return label
    if rated and published and published[:4] >= "2018":
        return "core inspection"
    return None


_PLACE = re.compile(
    r"\b(?:in|across|covering|for|of)\s+(?:the\s+)?((?:(?:north|south|east|west)\s+of\s+)?"
    r"(?:[A-Z][a-z]+)(?:(?:\s+|,\s*|\s+and\s+(?:the\s+)?)(?:[A-Z][a-z]+))*)"
)


def _places(view: str, start: int, end: int, reg: Registry) -> list[str]:
    """Place names the registry knows, as written, in text order (no duplicates)."""
    out: list[str] = []
    for m in _PLACE.finditer(view, start, end):
        chunk = m.group(1)
        parts = re.split(r",\s*|\s+and\s+(?:the\s+)?", chunk)
        for raw in parts:
            part = raw.strip()
            if not part or part in ("England", "United Kingdom", "Probation", "Transforming", "HM"):
                continue
            key = re.sub(r"^(north|south|east|west)\s+of\s+", r"\1 ", part, flags=re.I)
            if reg.by_place(key) and reg.find(part) is None and part not in out:
                out.append(part)
    return out


MAX_FINDING_WORDS = 25
"""The longest finding the gold conventions record (words)."""

NOT_A_FINDING: dict[str, str] = {
    # what the inspection did, not what it found
    "method": r"^(?:the|this|our) inspection (?:looked|looks|examined|covered|focused|assessed)\b"
    r"|^inspectors (?:looked|examined)\b(?!.*\bfound\b)|\bassessed the effectiveness\b",
    # a clause that only introduces what follows ("Inspectors found that")
    "frame only": r"\b(?:that|find that|found that)$",
    # a count of standards or aspects rated: a ratings summary
    "standards count": r"\b(?:\d+|\w+) out of (?:the )?(?:\d+|\w+) (?:\w+ )?(?:of (?:our|the) )?(?:\w+ )?"
    r"(?:standards|aspects|areas)\b|\bon the remaining \w+\b|\b(?:\d+|\w+) of those are\b",
    # an announcement of judgements that follow ("outlined some serious issues")
    "announcement": r"\b(?:outlined|set out|listed)\s+(?:some|a number of|several|the following)\b",
    # a share of the cases read: a figure, recorded as such ("in a third of the cases ...")
    "share of cases": r"\b(?:a|one|two|the same|this)?\s*(?:third|quarter|half|proportion)\s+of\s+"
    r"(?:the\s+)?cases\b",
    # the national picture, not this provider ("shortages seen in a number of inspections")
    "national picture": r"\b(?:a number of (?:\w+ )?inspections|across the country|nationally|widespread"
    r"|as elsewhere)\b",
    # a forecast drawn from a judgement ("It will be critical to ...", "This should lead to")
    "forecast": r"^(?:it|this|that|these)\s+(?:will|would|should)\s+(?:be|lead|need|help)\b",
    # another body's part in the remedy ("the Ministry of Justice had a role to play")
    "role of others": r"\b(?:has|had|have) a role to play\b",
    # the effect of a judgement just read on what the provider can do ("this affected its ability to ...")
    "consequence": r"\b(?:impact on|effect on|affect(?:s|ed|ing)?)\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:[\w’']+\s+){0,2}ability to\b",
    # the previous inspection, background to this one ("Inspectors last inspected ... in 2014, when")
    "previous inspection": r"^(?:inspectors|we|hm inspectorate of probation)\s+(?:had\s+)?last inspected\b"
    r"|^when (?:we|inspectors) (?:last )?inspected\b.*\b(?:19|20)\d\d\b",
    # "this must be remedied": the call to act on the judgement just read, not a second one
    "call to act": r"(?:^|, )(?:and )?(?:this|it|these) (?:must|should|needs? to|has to|have to) be \w+ed\b",
}
"""Clauses with an evaluative word that are still no finding, by rule name (see ``--explain``)."""


# ----------------------------------------------------------------------------- the extractor


class _Doc:
    def __init__(self, doc: Document, reg: Registry) -> None:
        self.doc = doc
        self.reg = reg
        self.view = doc.view
        self.text = doc.text
        blks = blocks(doc.view, doc.body_start)
        if doc.title and blks and blks[0].kind != "bullet":
            first = _flat(doc.view[blks[0].start : blks[0].end])
            if first.lower() == _flat(doc.title).lower():
                blks = blks[1:]
        self.blocks = blks
        self.sents: list[Sent] = []
        for b in blks:
            for s, e in sentences(doc.view, b.start, b.end):
                self.sents.append(Sent(s, e, b, find_mentions(doc.view, s, e, reg)))
        self.body = [s for s in self.sents if s.block.zone == "body"]
        self.body_text = "\n".join(doc.view[s.start : s.end] for s in self.body)
        self.all_text = "\n".join(doc.view[s.start : s.end] for s in self.sents)
        self.published = _publication(doc, self.all_text)
        self.places = self._doc_places()
        self._resolve()

    # -- organisations ----------------------------------------------------------------

    def _doc_places(self) -> list[str]:
        places: list[str] = []
        if self.doc.title:
            t = self.doc.title
            places.extend(_places(t, 0, len(t), self.reg))
        for s in self.body:
            for p in _places(self.view, s.start, s.end, self.reg):
                if p not in places:
                    places.append(p)
        return places

    _EXCLUDED = re.compile(
        r"\balso\s+(?:owns|runs|run|owned|manages)\b|\bneighbouring\b|\bformerly\b(?!\s+known)"
    )

    @classmethod
    def _excluded(cls, sent_text: str) -> bool:
        return bool(cls._EXCLUDED.search(sent_text))

    def _resolve(self) -> None:
        reg = self.reg
        named: dict[OrgRef, int] = {}
        owners: list[Organisation] = []
        for s in self.body:
            st = self.view[s.start : s.end]
            for m in s.mentions:
                if m.kind != "name" or m.org is None:
                    continue
                if m.org.kind == "Owner":
                    org = reg.get(m.org.iri)
                    if org is not None:
                        owners.append(org)
                if self._excluded(st) or m.extra.get("appositive") or self._merely_mentioned(m):
                    continue
                if m.org.provider:
                    named[m.org] = named.get(m.org, 0) + 1
        # The CRC "the CRC" refers to: the registry CRC named most often (first named on a tie), else
        # a provider name the registry does not know, else the CRC serving the places the text names.
        order = list(named)
        crcs = sorted(
            (o for o in order if o.kind == "CRC" or not o.resolved),
            key=lambda o: (not o.resolved, -named[o], order.index(o)),
        )
        divisions = sorted(
            (o for o in order if o.kind == "NPSDivision"), key=lambda o: (-named[o], order.index(o))
        )
        named_crc = crcs[0] if crcs else None
        named_div = divisions[0] if divisions else None
        self.place_crcs = self._place_providers(owners)
        if named_crc is None and self.place_crcs:
            named_crc = self.place_crcs[0]
        self.crc = named_crc
        nps = reg.get("nps")
        self.nps = named_div or (org_ref(nps) if nps is not None else None)
        self.division = named_div
        # resolve generic mentions
        for s in self.sents:
            self._resolve_generic(s.mentions)
        self.inspected = self._inspected()
        self.main = self.inspected[0] if self.inspected else None

    def _place_providers(self, owners: list[Organisation]) -> list[OrgRef]:
        """CRCs serving the places the text names, in order; only the named owners' CRCs if any match."""
        candidates: list[Organisation] = []
        for place in self.places:
            key = re.sub(r"^(north|south|east|west)\s+of\s+", r"\1 ", place, flags=re.I)
            for org in self.reg.by_place(key):
                if org.kind == "CRC" and org not in candidates:
                    candidates.append(org)
        if owners:
            owned = {p.owned_iri for o in owners for p in self.reg.owned_by(o)}
            narrowed = [c for c in candidates if c.iri in owned]
            candidates = narrowed or candidates
        return [org_ref(c) for c in candidates]

    def _merely_mentioned(self, m: Mention) -> bool:
        """A provider named as another organisation's holding ("the company which operates X CRC")."""
        return bool(OTHER_HOLDING.search(self.view[max(0, m.start - 40) : m.start]))

    def _resolve_generic(self, mentions: list[Mention]) -> None:
        """Point "the CRC", "the NPS" and "the division" at this document's referents."""
        for m in mentions:
            if m.kind in ("crc", "nps", "division"):
                m.org = self._generic(m.kind)

    def _inspected(self) -> list[OrgRef]:
        """The providers whose inspection the text reports.

        An inspection (local or area) is of at most one CRC and one NPS body, so per group (CRCs and
        providers the registry does not know; NPS divisions and the national service) the provider
        with the most evidence is taken: mentions in the body, counted double in the title and the
        lead (first three sentences) and in sentences that speak of an inspection, a report, a rating
        or inspectors' judgements. A provider counts only when it has such lead or inspection evidence;
        providers named only in background, ownership or comparison sentences are merely mentioned. A
        thematic inspection keeps every provider with evidence. With no provider named, the CRC serving
        the places the text names (narrowed by any owner named) is the one inspected.
        """
        score: dict[OrgRef, float] = {}
        evidence: set[OrgRef] = set()
        order: list[OrgRef] = []

        def count(org: OrgRef | None, weight: float, strong: bool) -> None:
            if org is None or not org.provider:
                return
            if org.kind == "NPS" and self.division is not None:
                org = self.division  # "the NPS" in a text about one of its divisions is that division
            if org not in score:
                order.append(org)
            score[org] = score.get(org, 0.0) + weight
            if strong:
                evidence.add(org)

        if self.doc.title:
            title = self.doc.title
            for m in find_mentions(title, 0, len(title), self.reg):
                org = m.org if m.kind in ("name", "unresolved") else self._generic(m.kind)
                count(org, 2.0, True)
        lead = {id(s) for s in self.body[:3]}
        for s in self.body:
            st = self.view[s.start : s.end]
            if self._excluded(st):
                continue
            # a sentence about an earlier inspection ("was inspected last year") is no evidence
            cue = self._speaks_of_inspection(st) and not RATING_PAST.search(st)
            denied = not cue and INSPECTION_CUE.search(st) is not None and not RATING_PAST.search(st)
            for m in s.mentions:
                if m.org is None or m.extra.get("appositive") or self._merely_mentioned(m):
                    continue
                strong = (cue or id(s) in lead) and not denied
                count(m.org, 2.0 if strong else 1.0, strong)
        chosen = [o for o in order if o in evidence]
        if self.division is not None:
            chosen = [o for o in chosen if o.kind != "NPS"]
        if not _THEMATIC.search(self.body_text.lower()):
            groups: dict[str, OrgRef] = {}
            for o in chosen:
                group = "nps" if o.kind in ("NPS", "NPSDivision") else "crc"
                best = groups.get(group)
                if best is None or score[o] > score[best]:
                    groups[group] = o
            # the second group (a CRC beside an NPS division, or the reverse) joins only with a fair
            # share of the evidence: an area inspection speaks of both throughout
            top = max((score[o] for o in groups.values()), default=0.0)
            chosen = [o for o in chosen if o in groups.values() and score[o] >= top / 3]
            # a provider the registry does not know is the registry CRC the text names, by another name
            if any(not o.resolved for o in chosen) and self.crc is not None and self.crc.resolved:
                chosen = [self.crc if not o.resolved else o for o in chosen]
        if not chosen and self.place_crcs:
            chosen = [self.place_crcs[0]]
        return chosen

    _NEGATED = re.compile(r"\b(?:not|never|no)\b(?:\s+[\w’'-]+){0,3}\s*$", re.I)

    def _speaks_of_inspection(self, sentence: str) -> bool:
        """True when an inspection cue occurs in the sentence and is not denied ("was not inspected",
        "was not part of the inspection")."""
        return any(
            not self._NEGATED.search(sentence[max(0, m.start() - 40) : m.start()])
            for m in INSPECTION_CUE.finditer(sentence)
        )

    def _generic(self, kind: str) -> OrgRef | None:
        return {"crc": self.crc, "nps": self.nps, "division": self.division}.get(kind)

    def providers_of(self, mentions: list[Mention]) -> list[OrgRef]:
        """Inspected providers a list of mentions points to (owners map to what they own)."""
        out: list[OrgRef] = []
        for m in mentions:
            if m.org is None:
                continue
            targets: list[OrgRef] = []
            if m.org in self.inspected:
                targets = [m.org]
            elif m.org.kind == "Owner":
                owned = {p.owned_iri for p in self.reg.owned_by(m.org.iri)}
                targets = [o for o in self.inspected if o.iri in owned]
            for t in targets:
                if t not in out:
                    out.append(t)
        return out

    _ALL = re.compile(
        r"\b(both organisations|the two organisations|probation services? in|probation work in"
        r"|both the)\b",
        re.I,
    )

    # -- items ------------------------------------------------------------------------

    def organisations(self) -> list[dict[str, Any]]:
        by_iri: dict[str, dict[str, Any]] = {}
        for s in self.sents:
            for m in s.mentions:
                if m.org is None:
                    continue
                entry = by_iri.setdefault(
                    m.org.iri, {"iri": m.org.iri, "label": m.org.label, "kind": m.org.kind, "mentions": []}
                )
                entry["mentions"].append({"text": self.text[m.start : m.end], "start": m.start, "end": m.end})
        for org in self.inspected:
            by_iri.setdefault(org.iri, {"iri": org.iri, "label": org.label, "kind": org.kind, "mentions": []})
        return list(by_iri.values())

    def unresolved(self) -> list[OrgRef]:
        out: list[OrgRef] = []
        for s in self.sents:
            for m in s.mentions:
                if m.org is not None and not m.org.resolved and m.org not in out:
                    out.append(m.org)
        return out

    _OWN_CUE = re.compile(
        r"\b(own|owns|owned|owner|owners|run by|runs|managed by|operated by|operates|led by|consortium)\b"
    )

    def ownership(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for s in self.sents:
            st = self.view[s.start : s.end]
            for owner, target in self._possessive_pairs(s):
                if (owner.iri, target.iri) not in seen and self._registry_allows(owner, target):
                    seen.add((owner.iri, target.iri))
                    out.append(
                        {"owner": owner.iri, "owned": target.iri, "quote": st, "start": s.start, "end": s.end}
                    )
            if not self._OWN_CUE.search(st):
                continue
            owners = [m.org for m in s.mentions if m.org is not None and m.org.kind in ("Owner",)]
            owners += [
                m.org
                for m in s.mentions
                if m.org is not None
                and not m.org.resolved
                and re.search(
                    r"\b(owned|run|managed|operated|led) by\s+(the\s+)?$",
                    self.view[max(s.start, m.start - 30) : m.start],
                )
            ]
            if not owners:
                continue
            owned = [
                m.org
                for m in s.mentions
                if m.org is not None and m.org.provider and m.org.kind not in ("NPS", "NPSDivision")
            ]
            if not owned and self.main is not None and self.main.kind != "NPS" and self.main.provider:
                owned = [self.main]
            for owner in owners:
                for target in owned:
                    if owner is None or target is None or (owner.iri, target.iri) in seen:
                        continue
                    if not self._registry_allows(owner, target):
                        continue  # the registry knows the provider's owners, and this is none of them
                    seen.add((owner.iri, target.iri))
                    qs, qe = s.start, s.end
                    out.append(
                        {
                            "owner": owner.iri,
                            "owned": target.iri,
                            "quote": self.text[qs:qe],
                            "start": qs,
                            "end": qe,
                        }
                    )
        return out

    _POSSESSIVE = re.compile(r"[’']s?\s+(?:own\s+)?$")

    def _possessive_pairs(self, s: Sent) -> list[tuple[OrgRef, OrgRef]]:
        """Owner and provider written as a possessive: "Sodexo's CRC in Norfolk", "Working Links'
        Dorset, Devon and Cornwall CRC" (the owner's name, an apostrophe, the provider at once)."""
        pairs: list[tuple[OrgRef, OrgRef]] = []
        for i, m in enumerate(s.mentions):
            if m.org is None or m.org.kind != "Owner" or i + 1 >= len(s.mentions):
                continue
            nxt = s.mentions[i + 1]
            if nxt.org is None or not nxt.org.provider or nxt.org.kind in ("NPS", "NPSDivision"):
                continue
            between = self.view[m.end : nxt.start]
            if self._POSSESSIVE.fullmatch(between) or re.fullmatch(r"[’']s?\s+(?:the\s+)?", between):
                pairs.append((m.org, nxt.org))
        return pairs

    def _registry_allows(self, owner: OrgRef, target: OrgRef) -> bool:
        """False when the registry lists the provider's owners (and their parent groups) and the owner
        named is none of them; true when either is unknown to the registry."""
        org = self.reg.get(target.iri)
        if org is None or not owner.resolved:
            return True
        owners = {p.owner_iri for p in self.reg.owners_of(org)}
        if not owners:
            return True
        groups = owners | {p.parent_iri for o in owners for p in self.reg.parents_of(o)}
        return owner.iri in groups

    # ratings ---------------------------------------------------------------------------

    _VALUE = RATING_VALUE
    _QUOTED = re.compile(r"[‘'“\"]" + _VALUE + r"\.?[’'”\"]")
    _BARE = re.compile(
        RATING_BEFORE + r"[‘'“\"]?" + _VALUE + r"\b(?!\s+(?:work|quality|range|standard|practice))"
    )
    _BEFORE_NOUN = re.compile(r"\b" + _VALUE + r"[’'”\"]?\s+(?:rating|grade|assessment|mark)\b")
    _SCALE = RATING_SCALE
    _PAST = RATING_PAST
    _STANDARDS: ClassVar[list[tuple[str, str]]] = [
        (r"leadership|leaders", "leadership"),
        (r"\bstaff", "staff"),
        (r"information and facilities|facilities", "information and facilities"),
        (r"victim", "statutory victim work"),
        (r"unpaid work", "unpaid work"),
        (r"through the gate", "through the gate"),
        (r"court reports|case allocation", "court reports and case allocation"),
        (r"reviewing|review", "reviewing"),
        (r"implementation|delivery", "implementation and delivery"),
        (r"planning|plan activity", "planning"),
        (r"assess", "assessment"),
        (r"services", "services"),
    ]
    _ASPECT_WORDS = re.compile(
        r"\b(?:aspects?|standards?|domains?|leadership|leaders|staff(?:ing)?|services|facilities|victims?"
        r"|unpaid work|through the gate|court|allocation|review\w*|implementation|delivery|planning"
        r"|assess\w*|plan\w*|case \w+|supervision|prison|work to|approach|respects?)\b",
        re.I,
    )
    _OTHERS = re.compile(r"\b(?:other|others|rest|remaining|most|many)\b", re.I)

    def _rating_hits(self, s: Sent) -> list[tuple[int, int, str]]:
        """Rating values a sentence states, as ``(start, end, value as written)``, in text order.

        A value counts when quoted next to a rating word or verb, after a rating verb ("rated it
        good", "branded inadequate", "assessing its overall performance as good"), before a rating
        noun ("the service's requires improvement rating") or as a place on the scale ("the lowest
        possible rating", "its second lowest rating"), the last only when the clause names no value.
        """
        hits: list[tuple[int, int, str]] = []
        for rx in (self._QUOTED, self._BARE, self._BEFORE_NOUN):
            for m in rx.finditer(self.view, s.start, s.end):
                vs, ve = m.span(1)
                if rx is self._QUOTED:
                    before = self.view[max(s.start, m.start() - 14) : m.start()].lower()
                    after = self.view[m.end() : m.end() + 8].lower()
                    if not (
                        re.search(
                            r"(was|were|is|are|as|of|overall|an|a|its|been|be|rated|rate|judged|graded"
                            r"|branded|given)\s*$",
                            before,
                        )
                        or after.startswith((" rating", " grade", " overall", " –", " -", ",", "."))
                    ):
                        continue
                if any(vs < he and ve > hs for hs, he, _ in hits):
                    continue
                hits.append((vs, ve, m.group(1)))
        for m in self._SCALE.finditer(self.view, s.start, s.end):
            clause = next(
                ((cs, ce) for cs, ce in clauses(self.view, s.start, s.end) if cs <= m.start() < ce), None
            )
            if clause and any(clause[0] <= h[0] < clause[1] for h in hits):
                continue
            if any(abs(h[0] - m.start()) < 60 for h in hits):
                continue  # "‘Good’, the second-highest rating": the scale restates the value
            value = scale_value(m.group(0))
            if value is not None:
                hits.append((m.start(), m.end(), value))
        hits.sort()
        frm = re.search(r"\bfrom\s+[‘'“\"]?" + self._VALUE + r"[’'”\"]?\s+to\b", self.view[s.start : s.end])
        if frm:
            hits = [h for h in hits if h[0] > s.start + frm.end()]
        return hits

    def ratings(self) -> list[dict[str, Any]]:
        """Ratings of the inspected providers: overall or of one aspect; earlier ratings left out."""
        out: list[dict[str, Any]] = []
        for s in self.body:
            for vs, ve, word in self._rating_hits(s):
                if self._PAST.search(self.view, s.start, vs) or self._PAST.match(self.view, ve):
                    continue  # a rating from an earlier inspection is not this inspection's
                value = normalise_rating(word) or word
                if value not in RATING_VALUES:
                    continue
                aspect, provider = self._rating_target(s, vs, ve)
                if provider is None or aspect is None:
                    continue
                qs, qe = self._window(s, vs, ve)
                for one in self._conjoined_aspects(s, vs) or [aspect] if aspect != "overall" else [aspect]:
                    out.append(
                        {
                            "provider": provider.iri,
                            "aspect": one,
                            "value": value,
                            "quote": self.text[qs:qe],
                            "start": qs,
                            "end": qe,
                        }
                    )
        return out

    def _conjoined_aspects(self, s: Sent, vs: int) -> list[str]:
        """Aspects of one rating: "unpaid work and support to people leaving prison were rated ‘Good’"
        rates two; otherwise none are returned and the caller keeps the aspect it found."""
        whole, _last = self._rating_subject(s, vs)
        parts = [p.strip(WS + ",") for p in re.split(r"\s+and\s+(?=(?:the\s+)?\w)", whole)]
        if len(parts) > 1 and all(self._ASPECT_WORDS.search(p) for p in parts):
            return [self._standard(p) for p in parts]
        return []

    def _window(self, s: Sent, vs: int, ve: int) -> tuple[int, int]:
        for cs, ce in clauses(self.view, s.start, s.end):
            if cs <= vs and ve <= ce + 1:
                return cs, max(ce, ve)
        return s.start, s.end

    def _rating_target(self, s: Sent, vs: int, ve: int) -> tuple[str | None, OrgRef | None]:
        """What a rating is of: ``overall`` or an aspect, and the provider; ``None`` aspect when the
        rating is about other providers ("twelve of the other thirteen were rated ...")."""
        before = self.view[s.start : vs]
        provs = self.providers_of(s.mentions) or ([self.main] if self.main else [])
        provider = provs[0] if provs else None
        m = re.search(r"\brating\s+for\s+([\w\s’']+?)(?:[.,;]|$)", self.view[vs : s.end])
        if m:
            return self._standard(m.group(1)), provider
        after = self.view[ve : min(s.end, ve + 12)]
        if re.match(r"[’'”\"]?\s+(?:rating|grade|mark)\b", after):
            return "overall", provider  # "the service's requires improvement rating"
        if re.search(r"\boverall\b", before[-80:] + after) or re.search(r"\b(?:given|gave|give)\b", before):
            return "overall", provider
        if re.search(
            r"\b(?:the|its|their|an?)\s+(?:\w+\s+)?(?:rating|grade|mark)\b", before[-60:]
        ) or re.search(r"\bfrom\s+\W?\w+", before[-40:]):
            return "overall", provider
        verb = re.search(
            r"\b(?:rated|rate|assessed|assessing|judged|graded|branded)\s+(.*?)\s+as\s*\W?$", before
        )
        if verb and any(
            m.start >= s.start + verb.start(1) and m.end <= vs and m.org is not None and m.org.provider
            for m in s.mentions
        ):
            return "overall", provider
        whole, subject = self._rating_subject(s, vs)
        if self._OTHERS.search(whole) and not self._ASPECT_WORDS.search(whole):
            return None, provider  # other providers' ratings
        named = [m for m in s.mentions if m.org is not None and m.org.provider and s.start <= m.start < vs]
        possessive = any(re.match(r"[’']s\b", self.view[m.end : m.end + 2]) for m in named)
        if not self._ASPECT_WORDS.search(whole) or (named and not possessive and whole.strip()):
            return "overall", provider
        return self._standard(subject or whole), provider

    def _rating_subject(self, s: Sent, vs: int) -> tuple[str, str]:
        """The words a rating is predicated of (the clause before the verb that carries it), whole and
        cut to its last conjunct; empty when they just name the provider ("the CRC was rated")."""
        head = self.view[s.start : vs].split("–")[-1].split(":")[-1]
        verb = re.search(
            r"^(.*?)\b(?:was|were|is|are|has been|have been|had been|to be)\s+"
            r"(?:rated|assessed|judged|found)?",
            head,
            re.S,
        )
        whole = verb.group(1) if verb else head
        rated = re.match(r"^(?:rated|we have rated|inspectors rated)\b", head.split(",")[-1].strip(), re.I)
        if rated:
            whole = re.sub(r"^.*?\brated\s+", "", head.split(",")[-1])
        whole = whole.strip(WS + ",‘’'“”\"")
        subject = re.split(r",\s*|\band\b|\bthat\b|\bfound\b|\bwhilst\b|\bwhile\b|\bbut\b", whole)[-1]
        subject = subject.strip(WS + ",‘’'“”\"")
        if re.fullmatch(
            r"(?i)(?:the|this|it|its)?\s*(?:CRC|NPS|division|service|organisation|company"
            r"|region|it|[A-Z][\w\s,&]*(?:CRC|NPS|Company|Service|[Dd]ivision))",
            subject,
        ):
            return "", ""
        return whole, subject

    def _standard(self, phrase: str) -> str:
        low = phrase.lower()
        if re.search(r"\baspects?\b", low) and not re.search(r"leadership|victim|facilities|unpaid", low):
            return " ".join(phrase.split())
        for rx, name in self._STANDARDS:
            if re.search(rx, low):
                return name
        return " ".join(phrase.split())

    # figures ---------------------------------------------------------------------------

    _NUMWORD = (
        "three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen"
        "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
    )
    _QUAL = (
        r"(?:(?P<qual>around|about|nearly|almost|over|more than|less than|fewer than|under|approximately"
        r"|roughly|an average of|up to|at least|just over|just under|some|every)\s+)?"
    )
    _FIG = re.compile(
        r"(?<![\w.,/£$-])" + _QUAL + r"(?P<num>"
        r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*(?:%|per\s?cent\b|percent\b))?"
        r"|(?:[Oo]ne|[Tt]wo|[Tt]hree)\s+in\s+(?:three|four|five|six|seven|eight|nine|ten)\b"
        r"|(?:an?|one|two|three)[ -](?:half|third|thirds|quarter|quarters|fifth|fifths)\b"
        r"|[Hh]alf\b(?=\s+(?:of|the))"
        r"|(?:" + _NUMWORD + r"|" + _NUMWORD.title() + r")\b"
        r"|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b"
        r")(?![\w-])"
    )
    _DURATION = re.compile(r"^\s*(?:years?|months?|weeks?|days?|hours?|minutes?)\b")
    _MEASURE_STOP = re.compile(
        r"\b(?:is|are|was|were|has|have|had|in|at|on|by|from|with|who|which|that|to|across|said|of|for|during"
        r"|each|and\s+the|undergoing|felt|thought)\b|[,.;:()–—“”\"]"
    )
    # A measure made of a relative clause ("of those who were interviewed") is read on to the verb of
    # the main clause or a punctuation mark, not cut at its first "who" or "by".
    _MEASURE_RELATIVE = re.compile(r"(?:those\s+)?(?:that|who|which)\b")
    _MEASURE_END = re.compile(
        r"\b(?:is|are|was|were|has|have|had|said|says|felt|thought|and\s+the)\b|[,.;:()–—“”\"]"
    )

    def figures(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for s in self.sents:
            st = self.view[s.start : s.end]
            for m in self._FIG.finditer(self.view, s.start, s.end):
                num = m.group("num")
                ns, ne = m.span("num")
                before = self.view[max(s.start, ns - 25) : ns]
                after = self.view[ne : min(s.end, ne + 40)]
                low = num.lower()
                is_ord = low in (
                    "first",
                    "second",
                    "third",
                    "fourth",
                    "fifth",
                    "sixth",
                    "seventh",
                    "eighth",
                    "ninth",
                    "tenth",
                )
                if is_ord:
                    if not self._ordinal_counts(low, after):
                        continue
                elif re.fullmatch(r"\d+", num):
                    val = int(num)
                    if 1900 <= val <= 2099 and "," not in num:
                        continue  # a year
                    if _MONTH_AFTER.match(after) or _MONTH_BEFORE.search(before):
                        continue  # a day of a date
                    if re.match(r"[.:]\d", self.view[ne : ne + 2]) or re.search(r"\d[.:]$", before):
                        continue  # a time
                    if re.match(r"\s*[-–]\s*\d", after) or re.search(r"\d\s*[-–]\s*$", before):
                        continue  # a range such as 18-25
                    if re.search(r"\[$", before) or re.search(r"[A-Za-z]-$", before):
                        continue  # footnote mark or a name like Covid-19
                if self._DURATION.match(after) and m.group("qual") != "every":
                    continue
                if (
                    re.search(r"\b(?:the|all|of the first|out of(?: the)?|of the)\s+$", before)
                    and not re.fullmatch(r"[\d,]+", num)
                    and not is_ord
                    and " in " not in low
                ):
                    continue
                if re.search(r"\bout of(?: the)?\s+$", before) or re.search(r"\bof the first\s+$", before):
                    continue
                if re.match(r"\s*\(\s*\d", after) and not re.fullmatch(r"[\d,.]+", num):
                    continue  # "two-thirds (69 per cent)": the exact figure follows
                if low in ("one", "two"):
                    continue
                value = parse_number_words(num)
                if value is None:
                    continue
                qual = m.group("qual")
                if qual == "every":
                    qual = None
                qs = m.start("qual") if qual else ns
                qe, measure = self._measure(qs, ne, s.end)
                if not measure:
                    continue  # a figure nobody can say the meaning of is not a fact
                quote_start, quote_end = strip_span(self.view, qs, qe)
                out.append(
                    {
                        "value": int(value) if float(value).is_integer() else value,
                        "qualifier": qual.lower() if qual else None,
                        "measure": measure,
                        "about": self._figure_about(s),
                        "as_of": self._as_of(st),
                        "quote": self.text[quote_start:quote_end],
                        "start": quote_start,
                        "end": quote_end,
                    }
                )
        return out

    @staticmethod
    def _ordinal_counts(word: str, after: str) -> bool:
        m = re.match(
            r"\s+((?:area|HMI Probation|HM Inspectorate of Probation)\s+)?inspection\b(\s+of\s+(\S))?", after
        )
        if not m:
            return False
        if word == "first":
            return bool(m.group(3) and m.group(3)[0].isupper())
        return True

    def _measure(self, qs: int, ne: int, end: int) -> tuple[int, str]:
        """End of the quote and the words after the figure ``view[qs:ne]`` that say what it counts.

        A number in brackets restates the words before it ("two-thirds (69 per cent) of staff"), so
        the reading goes on after the closing bracket. An empty measure means none was found.
        """
        bracketed = self.view[max(0, qs - 3) : qs].rstrip().endswith("(")
        rest = self.view[ne:end]
        # "69 per cent, of staff": a restated figure set off by commas still counts what follows "of"
        lead = re.match(
            r"\s*(?:%|per\s?cent\b)?\s*" + (r"\)?\s*" if bracketed else "") + r"(?:,\s*(?=of\s))?(?:of\s+)?",
            rest,
        )
        pos = ne + (lead.end() if lead else 0)
        stops = self._MEASURE_STOP
        relative = self._MEASURE_RELATIVE.match(self.view, pos, end)
        if relative:
            stops = self._MEASURE_END
        else:
            det = re.match(r"(?:the\s+|all\s+(?:the\s+)?|those\s+)?", self.view[pos:end])
            pos += det.end() if det else 0
        stop = stops.search(self.view, pos + (relative.end() - pos if relative else 0), end)
        words = self.view[pos : stop.start() if stop else end].split()[:6]
        if not words:
            return ne, ""
        phrase = " ".join(words)
        me = self.view.find(words[-1], pos) + len(words[-1])
        return me, _flat(phrase)

    def _figure_about(self, s: Sent) -> str | None:
        provs = self.providers_of(s.mentions)
        return provs[0].iri if provs else None

    _AS_OF = re.compile(
        rf"\b(?:as at|as of|in|during)\s+(?:(\d{{1,2}})\s+)?({_MONTH_RE})\s+((?:19|20)\d\d)\b"
    )

    def _as_of(self, st: str) -> str | None:
        m = self._AS_OF.search(st)
        if not m:
            return None
        month = _MONTHS[m.group(2).lower()]
        if m.group(1):
            return f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}"
        return f"{m.group(3)}-{month:02d}"

    # findings --------------------------------------------------------------------------

    _ATTRIB = re.compile(
        r",\s+(?:(?:said|says)(?=\s+(?:[A-Z]|she\b|he\b|they\b|the\s+(?:chief|report|inspector))|\W*$)"
        r"|she added|he added|according to"
        r"|(?:a|an|the)\s+(?:new\s+|latest\s+)?(?:inspection\s+)?report\s+(?:has\s+)?(?:noted|found|said)"
        r"|(?:Dame|Mr|Ms|Sir)\s+\w+\s+(?:said|added))\b"
        r"(?:\s+\S+){0,14}\s*$",
        re.S,
    )
    _NON_EVAL = re.compile("|".join(f"(?:{p})" for p in NOT_A_FINDING.values()), re.I)
    _BACKGROUND = re.compile(
        "|".join(f"(?:{NOT_A_FINDING[k]})" for k in ("method", "previous inspection")), re.I
    )
    """A clause describing the inspection method or the previous inspection: background, and so are
    the clauses that follow it in its sentence ("The inspection looks at X and what gets in the way")."""

    _ASPECT_SUBJECT = re.compile(
        r"(?:the|its|their)\s+(?:\w+[’']s\s+)?(?:approach|work|delivery|management|supervision|quality|use)\b"
        r"(?:(?!\b(?:crc|nps|division|company|organisation|service)\b)[^,;])*$",
        re.I,
    )
    """A clause subject naming an aspect of the work ("The division's approach to victims was assessed
    as outstanding"): a judgement of that aspect, a finding, not the provider's rating."""

    _RATING_CLAUSE = re.compile(
        r"\b(?:rated|rating|grade|assessed as|judged)\b.{0,40}?[‘'“\"]?"
        r"(?:outstanding|good|requires improvement"
        r"|inadequate)|[‘'“](?:outstanding|good|requires improvement|inadequate)[’'”]"
        r"|\b(?:outstanding|good|requires improvement|inadequate)[’'”\"]? rating\b"
        r"|^(?:the|a|an)\b[^,;]*\b(?:requires|required) improvement\W*$",
        re.I,
    )

    _TERMINAL_END = re.compile(r"[.!?…:;][”\"’')\]]*$|[”\"’]$")

    def attributions(self) -> list[Attribution]:
        """Who judges in each body sentence (see :mod:`.attribution`)."""
        names: list[str] = []
        for person in self.reg.people:
            for written in (person.name, *person.aliases):
                names.extend([written.split()[-1]] + ([written] if " " in written else []))
        items = []
        for i, s in enumerate(self.body):
            # the sentence with the quotation marks and punctuation trimming took off its edges
            prev = self.body[i - 1] if i else None
            nxt = self.body[i + 1] if i + 1 < len(self.body) else None
            start = prev.end if prev is not None and prev.block is s.block else s.block.start
            end = nxt.start if nxt is not None and nxt.block is s.block else s.block.end
            items.append((self.view[start:end].strip(), prev is None or prev.block is not s.block))
        return attribute_sentences(items, names, third_party=not self.own_publication)

    def findings(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        self.explanations: list[dict[str, Any]] = []
        focus: list[OrgRef] = []
        section_focus: dict[int, list[OrgRef]] = {}
        atts = self.attributions()
        cut_off = (
            self.body[-1]
            if self.doc.partial
            and self.body
            and not self._TERMINAL_END.search(self.view[max(0, self.body[-1].end - 8) : self.body[-1].end])
            else None
        )
        title = self._title_finding()
        if title is not None:
            out.append(title[0])
            self.explanations.append(title[1])
        flat_title = _flat(self.doc.title or "").lower()
        for s, att in zip(self.body, atts, strict=True):
            if title is not None and _flat(self.view[s.start : s.end]).lower() in flat_title:
                continue  # the headline (or a heading repeating it), read where it first occurs
            s_end = s.end
            if s is cut_off:
                # the excerpt stops mid-sentence: keep what ends at the last clause boundary
                joints = list(re.finditer(r"[,;:]\s|\s[–—]\s", self.view[s.start : s.end]))
                if not joints:
                    # no clause boundary: keep the main clause before a trailing purpose or relative
                    # part ("has an impressive range of services to help people to mo")
                    joints = [
                        j
                        for j in re.finditer(r"\s(?=(?:to|that|which|who|for)\s)", self.view[s.start : s.end])
                        if len(self.view[s.start : s.start + j.start()].split()) >= 6
                        and _FINITE.search(self.view[s.start : s.start + j.start()])
                    ][:1]
                s_end = s.start + joints[-1].start() if joints else s.start
            if not att.is_finding_source or len(self.view[s.start : s_end].split()) < 3:
                sent_provs = self._about(s.mentions, s.start, s.end)
                if sent_provs:
                    focus = sent_provs
                continue
            sent_provs = self._about(s.mentions, s.start, s.end)
            if s.block.kind == "heading":
                if sent_provs:
                    section_focus[s.block.section] = sent_provs
                else:
                    section_focus.pop(s.block.section, None)
            first_new = len(out)
            background = False
            for c_start, c_end in clauses(self.view, s.start, s_end):
                cs, ce = c_start, c_end
                ctext = self.view[cs:ce]
                am = self._ATTRIB.search(ctext)
                if am and len(ctext[: am.start()].split()) >= 3:
                    ce = cs + am.start()
                    cs, ce = strip_span(self.view, cs, ce, WS + ",")
                    ctext = self.view[cs:ce]
                if background:
                    continue
                if self._BACKGROUND.search(ctext):
                    background = True  # the rest of the sentence belongs to the method or the past
                    continue
                if len(ctext.split()) < 3 or self._NON_EVAL.search(ctext.rstrip(WS + ":.,")):
                    continue
                rating = self._RATING_CLAUSE.search(ctext)
                if (
                    rating
                    and not re.search(r"\b(mixed|but|however|improve)\b", ctext, re.I)
                    and not self._ASPECT_SUBJECT.match(ctext[: rating.start()])
                ):
                    continue  # a rating of the provider: read as a rating, not as a finding
                pol = polarity(ctext)
                if pol is None:
                    continue
                cl_m = [m for m in s.mentions if cs <= m.start < ce]
                about, about_rule = self._about(cl_m, cs, ce), "named in the clause"
                for alt, rule in (
                    (sent_provs, "named in the sentence"),
                    (section_focus.get(s.block.section), "named in the section heading"),
                    (focus, "named in an earlier sentence"),
                    ([self.main] if self.main is not None else [], "the main inspected provider"),
                ):
                    if about:
                        break
                    about, about_rule = list(alt or []), rule
                if not about:
                    continue
                th, also = theme(ctext)
                self.explanations.append(
                    {
                        "clause": ctext,
                        "also_themes": also,
                        "attribution": att.source + (f" ({_flat(att.cue)})" if att.cue else ""),
                        "about_rule": about_rule,
                    }
                )
                out.append(
                    {
                        "about": [a.iri for a in about],
                        "polarity": pol,
                        "theme": th,
                        "quote": self.text[cs:ce],
                        "start": cs,
                        "end": ce,
                    }
                )
            self._merge_one_judgement(out, first_new)
            if sent_provs:
                focus = sent_provs
        return out

    _ANAPHORIC = re.compile(
        r"(?:and |but )?(?:this|that|which|it)\s+(?:was|is|were|are|has been|had been)\b", re.I
    )
    """A clause judging what the clause before it said ("..., and this was unacceptable")."""

    def _merge_one_judgement(self, out: list[dict[str, Any]], first: int) -> None:
        """Clauses of one short sentence read as one judgement (gold: one finding per judgement).

        When a sentence gave several findings about the same providers and on the same theme, and the
        span from its first to its last evaluative clause has at most ``MAX_FINDING_WORDS`` words, they
        become one finding spanning them ("morale was high and sickness levels were low"). A clause
        that only judges the one before it ("..., and this was unacceptable") joins it whatever its theme.
        """
        group = out[first:]
        if len(group) < 2 or any(f["about"] != group[0]["about"] for f in group):
            return
        if any(f["theme"] != group[0]["theme"] for f in group) and not all(
            self._ANAPHORIC.match(f["quote"]) for f in group[1:]
        ):
            return  # different themes: separate judgements ("workloads are high, and reports need work")
        cs, ce = group[0]["start"], group[-1]["end"]
        if len(self.text[cs:ce].split()) > MAX_FINDING_WORDS:
            return
        ctext = self.view[cs:ce]
        th, also = theme(ctext)
        merged = {
            **group[0],
            "polarity": polarity(ctext) or group[0]["polarity"],
            "theme": th,
            "quote": self.text[cs:ce],
            "end": ce,
        }
        why = {**self.explanations[first], "clause": ctext, "also_themes": also}
        del out[first:]
        del self.explanations[first:]
        out.append(merged)
        self.explanations.append(why)

    @property
    def own_publication(self) -> bool:
        """True for the inspectorate's own pages (press releases on justiceinspectorates.gov.uk)."""
        return bool(self.doc.url and re.search(r"//(?:www\.)?justiceinspectorates\.gov\.uk/", self.doc.url))

    def _title_finding(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The headline as a finding, at its first occurrence: the ``TITLE:`` line of the header.

        A third party's headline is the writer's summary of the report ("... receives harsh
        criticism from HMI Probation"); it is read like a body sentence, its providers from its own
        mentions, else the main inspected provider. The inspectorate's own releases (a source URL on
        its site) restate their body in the headline, so there the headline adds no finding.
        """
        title = self.doc.title
        if not title or self.doc.body_start <= 0 or self.own_publication:
            return None
        ts = self.text.find(title, 0, self.doc.body_start)
        if ts < 0:
            return None
        te = ts + len(title)
        if _flat(title).lower() not in _flat(self.view[self.doc.body_start :]).lower():
            return None  # a TITLE made from the URL, not a headline of the page
        if (
            title.rstrip().endswith("?")
            or polarity(title) is None
            or len(title.split()) < 3
            or self._NON_EVAL.search(title)
        ):
            return None
        if self._RATING_CLAUSE.search(title):
            return None
        mentions = find_mentions(self.text, ts, te, self.reg)
        self._resolve_generic(mentions)
        about, rule = self._about(mentions, ts, te), "named in the headline"
        if not about and self.main is not None:
            about, rule = [self.main], "the main inspected provider"
        if not about:
            return None
        th, also = theme(title)
        finding = {
            "about": [a.iri for a in about],
            "polarity": polarity(title),
            "theme": th,
            "quote": self.text[ts:te],
            "start": ts,
            "end": te,
        }
        why = {
            "clause": title,
            "also_themes": also,
            "attribution": "unstated (headline)",
            "about_rule": rule,
        }
        return finding, why

    def _about(self, mentions: list[Mention], start: int, end: int) -> list[OrgRef]:
        provs = self.providers_of(mentions)
        if self._ALL.search(self.view, start, end) and len(self.inspected) > 1:
            return list(self.inspected)
        return provs

    # inspections ------------------------------------------------------------------------

    _EARLIER = re.compile(
        r"\b(?:last inspected|previous inspection|(?:an|the|our) inspection)\b[^.]*?\bin\s+"
        rf"(?:({_MONTH_RE})\s+)?((?:19|20)\d\d)\b"
        r"|\b[Tt]he (?:first|previous|last|earlier)(?:\s+inspection)? \(in ((?:19|20)\d\d)\)"
    )

    _FOLLOW_UP = re.compile(r"last inspected|since|previous|(?:first|last|earlier)(?:\s+inspection)? \(in")

    def earlier_inspections(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for s in self.sents:
            st = self.view[s.start : s.end]
            for m in self._EARLIER.finditer(st):
                year = m.group(2) or m.group(3)
                if not year or (self.published and year >= self.published[:4] and not m.group(1)):
                    continue
                month = f"-{_MONTHS[m.group(1).lower()]:02d}" if m.group(1) else ""
                date = year + month
                if date in seen:
                    continue
                seen.add(date)
                provs = self.providers_of(s.mentions) or list(self.inspected)
                out.append(
                    {
                        "date": date,
                        "inspected": [p.iri for p in provs],
                        "quote": self.text[s.start : s.end],
                        "start": s.start,
                        "end": s.end,
                        "follow_up": bool(self._FOLLOW_UP.search(st)),
                    }
                )
        return out

    def inspection(self, ratings: list[dict[str, Any]]) -> dict[str, Any]:
        published = self.published
        slug_part = (
            self.inspected[0].iri.rsplit("/", 1)[-1]
            if len(self.inspected) == 1
            else (
                name_slug(self.places[0], empty="unnamed")
                if self.places
                else (self.inspected[0].iri.rsplit("/", 1)[-1] if self.inspected else "unknown")
            )
        )
        date = published[:7] if published else "undated"
        chief = _chief_inspector(self.all_text, self.reg, self.published)
        return {
            "iri": f"{ID_IRI}inspection/{date}-{slug_part}",
            "inspected": [o.iri for o in self.inspected],
            "published": published,
            "areas": list(self.places),
            "chief_inspector": chief,
            "type": _inspection_type(self.body_text, bool(ratings), published),
        }


_SHIPPED: list[Registry] = []


def default_registry() -> Registry:
    """The shipped registry, read once per process."""
    if not _SHIPPED:
        _SHIPPED.append(load_registry())
    return _SHIPPED[0]


def extract_document(doc: Document, registry: Registry | None = None) -> Extraction:
    """Run the whole pipeline on a document already read."""
    reg = registry or default_registry()
    d = _Doc(doc, reg)
    ratings = d.ratings()
    inspection = d.inspection(ratings)
    result: dict[str, Any] = {
        "source": {
            "path": doc.path,
            "url": doc.url,
            "title": doc.title,
            "published": d.published,
            "offsets": doc.offsets,
        },
        "organisations": d.organisations(),
        "ownership": d.ownership(),
        "inspections": [inspection] if inspection["inspected"] else [],
        "ratings": ratings,
        "findings": d.findings(),
        "figures": d.figures(),
    }
    earlier = [EarlierInspection(**e) for e in d.earlier_inspections()]
    follows = next((e.date for e in earlier if e.follow_up), None)
    return Extraction(
        doc=doc,
        result=ExtractionResult.from_json(result),
        mentioned_inspections=earlier,
        unresolved=d.unresolved(),
        follows_up=follows,
        explanations=d.explanations,
    )


def explain_text(extraction: Extraction) -> str:
    """A readable audit of an extraction's findings (``probkg extract --explain``).

    For each finding: its quote and offsets, polarity with the words that fired each kind of cue,
    theme (and the secondary themes), who the text attributes the judgement to, and the providers
    with the rule that chose them.
    """
    result = extraction.result
    labels = {o.iri: o.label for o in result.organisations}
    lines = [f"{result.source.path or '<text>'}: {len(result.findings)} findings"]
    for n, (finding, why) in enumerate(zip(result.findings, extraction.explanations, strict=True), 1):
        cues = (
            "; ".join(f"{kind}: {', '.join(words)}" for kind, words in polarity_cues(why["clause"]).items())
            or "none"
        )
        also = f" (also {', '.join(why['also_themes'])})" if why.get("also_themes") else ""
        about = ", ".join(labels.get(a, a) for a in finding.about)
        lines += [
            f"  [{n}] {finding.start}-{finding.end} “{_flat(finding.quote)}”",
            f"      polarity    {finding.polarity}  (cues {cues})",
            f"      theme       {finding.theme}{also}",
            f"      attribution {why['attribution']}",
            f"      about       {about}  ({why['about_rule']})",
        ]
    return "\n".join(lines)


def _fmt_of(path: str | None) -> str:
    suffix = Path(path).suffix.lower() if path else ""
    return {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(suffix, "txt")


def extract_text(
    text: str,
    *,
    path: str | None = None,
    url: str | None = None,
    title: str | None = None,
    registry: Registry | None = None,
) -> dict[str, Any]:
    """Extract from a text already read (offsets refer to ``text`` exactly as given); the JSON object of
    ``probkg extract`` (:meth:`ExtractionResult.to_json`).

    ``path`` only labels the result (and selects Markdown handling for ``.md``); an HTML page
    should go through :func:`extract_file`, whose offsets refer to the extracted plain text.
    """
    fmt = _fmt_of(path)
    if fmt == "html":
        fmt = "txt"
    doc = read_document(text, fmt=fmt, path=path, url=url, title=title)
    return extract_document(doc, registry).result.to_json()


def extract_file(path: str | Path, registry: Registry | None = None) -> dict[str, Any]:
    """Extract from one ``.txt``, ``.md``, ``.html`` or ``.htm`` file (the JSON of ``probkg extract``)."""
    doc, _ = read_path(path)
    return extract_document(doc, registry).result.to_json()


def text_files(paths: list[str] | list[Path] | tuple[str | Path, ...]) -> list[Path]:
    """The text documents to read: each file as given, and every text file under each directory.

    Directories are walked recursively (hidden entries skipped, files sorted by path) and only files
    with a suffix of :data:`TEXT_SUFFIXES` are taken. Raises :class:`InputError` for a path that
    does not exist and for a directory holding no text document, so that nothing is silently empty.
    """
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                f
                for f in path.rglob("*")
                if f.is_file()
                and f.suffix.lower() in TEXT_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
            if not found:
                raise InputError(
                    f"no text documents found (expected files ending {', '.join(sorted(TEXT_SUFFIXES))})",
                    path=str(path),
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or directory", path=str(path))
    return files


def extract_paths(
    paths: list[str] | list[Path] | tuple[str | Path, ...], registry: Registry | None = None
) -> list[dict[str, Any]]:
    """Extract from files and directories (see :func:`text_files` for what is read)."""
    reg = registry or default_registry()
    return [extract_file(f, reg) for f in text_files(paths)]

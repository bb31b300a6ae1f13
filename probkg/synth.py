"""Synthetic probkg data for scale tests: deterministic by seed, streamed as N-Quads.

The generator follows ``docs/data-model.md`` and the SHACL shapes: organisations (CRCs owned by owner
companies that change over time, national probation service divisions), an inspectorate with chief
inspectors, and per inspection one press release in its own named graph holding the inspection, 10-20
findings with evidence (quote and position selectors), key-test verdicts (before 2018) or ratings (from
2018) and caseload figures. Ratios are those of the real documents, scaled up.

Every IRI carries the ``synth-s<seed>`` slug prefix, so synthetic data never collides with the curated
registry, and the texts are made up from fixed phrase lists (there are no real quotes in it).

Named graphs: ``id:graph/curated/synth-s<seed>-registry`` for the organisations and memberships, and
``id:graph/doc/synth-s<seed>-<nnnnnn>`` for each synthetic press release.

About 390 triples are written per inspection: ``triples_for(n)`` inverts that for a target size.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from probkg.ontology.mint import (
    chief_inspector_triples,
    evidence_iri,
    evidence_triples,
    interval_triples,
    item_iri,
    slugify,
)
from probkg.ontology.namespaces import ID_IRI, PROB_IRI

__all__ = ["SynthStats", "inspections_for", "synth_quads", "write_synth"]

_PROB = PROB_IRI
_ID = ID_IRI
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_ORG = "http://www.w3.org/ns/org#"
_PROV = "http://www.w3.org/ns/prov#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_FOAF = "http://xmlns.com/foaf/0.1/"
_OA = "http://www.w3.org/ns/oa#"
_TIME = "http://www.w3.org/2006/time#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"

TRIPLES_PER_INSPECTION = 390
"""Average triples one synthetic inspection brings (document, inspection, findings, evidence, ...)."""

_THEMES = [
    "PublicProtection",
    "ReducingReoffending",
    "AbidingBySentence",
    "LeadershipManagement",
    "StaffingWorkload",
    "PartnershipsServices",
    "AssessmentPlanning",
    "CourtWork",
    "UnpaidWork",
    "ThroughTheGate",
    "SafeguardingDomesticAbuse",
    "OtherTheme",
]
_POLARITY = ["Critical", "Critical", "Critical", "Positive", "Positive", "Mixed"]
_RATINGS = ["Outstanding", "Good", "RequiresImprovement", "RequiresImprovement", "Inadequate"]
_STANDARDS = [
    ("StandardLeadership", "leadership"),
    ("StandardStaff", "staff"),
    ("StandardServices", "services"),
    ("StandardAssessment", "assessment"),
    ("StandardPlanning", "planning"),
    ("StandardImplementationDelivery", "implementation and delivery"),
    ("StandardReviewing", "reviewing"),
    ("StandardUnpaidWork", "unpaid work"),
]
_KEY_TESTS = ["PublicProtection", "ReducingReoffending", "AbidingBySentence"]
_PLACES = [
    "Ashford",
    "Brampton",
    "Carrow",
    "Dunmere",
    "Eastleigh Vale",
    "Fenwick",
    "Glenmoor",
    "Harwood",
    "Ivybridge Downs",
    "Kelsey",
    "Larkhill",
    "Marlow Fen",
    "Northby",
    "Oakridge",
    "Pendle Cross",
    "Quarrington",
    "Redmarsh",
    "Stowford",
    "Thornbury Wold",
    "Upwell",
    "Westerleigh",
    "Yarrow",
]
_OWNER_WORDS = [
    "Meridian",
    "Keystone",
    "Harbour",
    "Beacon",
    "Summit",
    "Lattice",
    "Northstar",
    "Fairway",
    "Crescent",
    "Granite",
    "Willow",
    "Anchor",
]
_OWNER_SUFFIX = ["Justice Services", "Rehabilitation Partners", "Community Holdings", "Probation Group"]
_SUBJECTS = [
    "Caseloads",
    "Risk assessments",
    "Supervision plans",
    "Home visits",
    "Referrals to partners",
    "Unpaid work placements",
    "Pre-release contacts",
    "Court reports",
    "Management oversight",
    "Staff training",
    "Safeguarding checks",
    "Domestic abuse enquiries",
    "Enforcement decisions",
]
_VERBS_CRIT = [
    "were often late",
    "lacked the detail needed",
    "were missed in too many cases",
    "did not reflect the risks recorded",
    "varied widely between teams",
]
_VERBS_POS = [
    "were carried out well",
    "showed good judgement",
    "were timely and thorough",
    "were well recorded",
    "drew on local services effectively",
]
_VERBS_MIX = [
    "were sound in some offices but weak in others",
    "had improved though gaps remained",
    "were thorough for high-risk cases only",
]
_FIRST = ["Alex", "Morgan", "Jordan", "Casey", "Riley", "Taylor", "Robin", "Sam"]
_LAST = ["Hartley", "Pemberton", "Okafor", "Lindqvist", "Ramsay", "Doyle", "Carrick", "Moreau"]


@dataclass
class SynthStats:
    """What one generation wrote."""

    inspections: int = 0
    providers: int = 0
    owners: int = 0
    findings: int = 0
    quads: int = 0
    graphs: int = 0


def inspections_for(triples: int) -> int:
    """How many inspections give about ``triples`` triples."""
    return max(1, round(triples / TRIPLES_PER_INSPECTION))


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{body}"@{lang}'
    if datatype:
        return f'"{body}"^^<{datatype}>'
    return f'"{body}"'


def _p(ns: str, name: str) -> str:
    return f"<{ns}{name}>"


def synth_quads(inspections: int, seed: int = 0) -> Iterator[str]:
    """N-Quads lines (with newline) of a synthetic data set with ``inspections`` inspections."""
    stats = SynthStats()
    yield from _generate(inspections, seed, stats)


def _generate(inspections: int, seed: int, stats: SynthStats) -> Iterator[str]:
    """The registry graph, then one press release graph per inspection."""
    gen = _Generator(seed, stats)
    yield from gen.registry(inspections)
    for k in range(inspections):
        yield from gen.release(k)


def _term(term: Node) -> str:
    """An rdflib term (from :mod:`probkg.ontology.mint`'s shapes) as N-Quads."""
    if isinstance(term, URIRef):
        return _iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return _lit(str(term), term.language, str(term.datatype) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")  # pragma: no cover - mint yields terms only


def _ref(iri: str) -> URIRef:
    """The IRI of an N-Quads ``<...>`` term."""
    return URIRef(iri[1:-1])


def _ym(month: tuple[int, int] | None) -> str | None:
    return f"{month[0]}-{month[1]:02d}" if month else None


class _Generator:
    """One synthetic data set: the random stream and what later parts refer to (chiefs, providers).

    Each method yields N-Quads lines; the order of the random draws is the order of the methods' calls.
    """

    def __init__(self, seed: int, stats: SynthStats) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.stats = stats
        self.tag = f"synth-s{seed}"
        self.src = _iri(f"https://synthetic.invalid/{self.tag}/registry")
        self.inspectorate = _iri(f"{_ID}org/{self.tag}-inspectorate")
        self.chiefs: list[tuple[str, int, int]] = []
        self.crcs: list[tuple[str, str]] = []  # (iri, area)
        self.divisions: list[tuple[str, str]] = []

    def q(self, s: str, p: str, o: str, g: str) -> str:
        self.stats.quads += 1
        return f"{s} {p} {o} {g} .\n"

    def shape(self, triples: Iterable[tuple[Node, Node, Node]], g: str) -> Iterator[str]:
        """A shape of :mod:`probkg.ontology.mint` written into graph ``g``."""
        for s, p, o in triples:
            yield self.q(_term(s), _term(p), _term(o), g)

    # ---- registry ------------------------------------------------------------------------------

    def registry(self, inspections: int) -> Iterator[str]:
        """The inspectorate, the national service, chief inspectors, areas, owners and providers."""
        g = _iri(f"{_ID}graph/curated/{self.tag}-registry")
        self.stats.graphs += 1
        n_providers = max(3, inspections // 8)
        n_crc = max(2, (n_providers * 2) // 3)
        n_div = max(1, n_providers - n_crc)
        n_owners = max(2, n_crc // 3)
        self.stats.providers, self.stats.owners = n_crc + n_div, n_owners
        nps = _iri(f"{_ID}org/{self.tag}-nps")
        inspectorate_name = f"Synthetic Inspectorate of Probation {self.seed}"
        yield from self.labelled(self.inspectorate, "Inspectorate", inspectorate_name, g, kind="Inspectorate")
        national = f"Synthetic National Probation Service {self.seed}"
        yield from self.labelled(nps, "NationalProbationService", national, g, kind="NPS")
        yield from self.chief_inspectors(g)
        areas: list[str] = []
        for i in range(n_crc):
            place = f"{_PLACES[i % len(_PLACES)]} {i // len(_PLACES) + 1}"
            areas.append(_iri(f"{_ID}area/{self.tag}-{slugify(place)}"))
            yield from self.labelled(areas[-1], "Area", place, g)
        owners: list[str] = []
        for i in range(n_owners):
            name = f"{_OWNER_WORDS[i % len(_OWNER_WORDS)]} {_OWNER_SUFFIX[(i // len(_OWNER_WORDS)) % 4]} {i}"
            owners.append(_iri(f"{_ID}org/{self.tag}-{slugify(name)}"))
            yield from self.labelled(owners[-1], "OwnerOrganisation", name, g, kind="Owner", cited=True)
        for i in range(n_crc):
            yield from self.crc(i, areas[i], owners, g)
        for i in range(n_div):
            div = _iri(f"{_ID}org/{self.tag}-nps-division-{i:03d}")
            area = areas[i % len(areas)]
            self.divisions.append((div, area))
            yield self.q(div, _RDF_TYPE, _p(_PROB, "NpsDivision"), g)
            yield self.q(div, _p(_SKOS, "prefLabel"), _lit(f"Synthetic NPS division {i}", "en"), g)
            yield self.q(div, _p(_PROB, "kind"), _lit("NPSDivision"), g)
            yield self.q(div, _p(_ORG, "unitOf"), nps, g)
            yield self.q(div, _p(_DCT, "spatial"), area, g)

    def labelled(
        self, iri: str, cls: str, label: str, g: str, *, kind: str | None = None, cited: bool = False
    ) -> Iterator[str]:
        """A ``prob:`` class instance with its English label, registry kind and the registry as source."""
        yield self.q(iri, _RDF_TYPE, _p(_PROB, cls), g)
        yield self.q(iri, _p(_SKOS, "prefLabel"), _lit(label, "en"), g)
        if kind:
            yield self.q(iri, _p(_PROB, "kind"), _lit(kind), g)
        if cited:
            yield self.q(iri, _p(_DCT, "source"), self.src, g)

    def chief_inspectors(self, g: str) -> Iterator[str]:
        for i, (start, end) in enumerate([(2014, 2016), (2016, 2019), (2019, 2022)]):
            name = f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
            person = _iri(f"{_ID}person/{self.tag}-{slugify(name)}-{i}")
            self.chiefs.append((person, start, end))
            yield self.q(person, _RDF_TYPE, _p(_FOAF, "Person"), g)
            yield self.q(person, _p(_FOAF, "name"), _lit(name), g)
            yield self.q(person, _p(_SKOS, "prefLabel"), _lit(name, "en"), g)
            appt = _iri(f"{_ID}appointment/{self.tag}/{i}")
            yield self.q(appt, _RDF_TYPE, _p(_PROB, "Appointment"), g)
            yield self.q(appt, _p(_ORG, "member"), person, g)
            yield self.q(appt, _p(_ORG, "organization"), self.inspectorate, g)
            yield self.q(appt, _p(_ORG, "role"), _p(_PROB, "chiefInspectorRole"), g)
            yield self.q(appt, _p(_DCT, "source"), self.src, g)
            yield from self.interval(appt, f"{self.tag}-appt-{i}", (start, 3), (end, 3), g)

    def crc(self, i: int, area: str, owners: list[str], g: str) -> Iterator[str]:
        """A CRC with its owners over time: one owner from 2015-02; a third of them change owner once."""
        place = _PLACES[i % len(_PLACES)]
        crc = _iri(f"{_ID}org/{self.tag}-crc-{i:04d}")
        self.crcs.append((crc, area))
        yield self.q(crc, _RDF_TYPE, _p(_PROB, "CommunityRehabilitationCompany"), g)
        yield self.q(
            crc, _p(_SKOS, "prefLabel"), _lit(f"{place} {i} Community Rehabilitation Company", "en"), g
        )
        yield self.q(crc, _p(_SKOS, "altLabel"), _lit(f"{place} {i} CRC", "en"), g)
        yield self.q(crc, _p(_PROB, "kind"), _lit("CRC"), g)
        yield self.q(crc, _p(_DCT, "spatial"), area, g)
        yield self.q(crc, _p(_DCT, "source"), self.src, g)
        first = owners[i % len(owners)]
        second = owners[(i + 1) % len(owners)] if i % 3 == 1 else None
        changed = (2017 + self.rng.randrange(3), 1 + self.rng.randrange(12))
        first_end = changed if second else (2021, 6)
        tag = self.tag
        own1 = _iri(f"{_ID}ownership/{tag}-crc-{i:04d}/{_slug_of(first)}/2015-02")
        yield from self.ownership(
            own1, first, crc, begin=(2015, 2), end=first_end, g=g, key=f"{tag}-own-{i}-a"
        )
        if second:
            ym = f"{changed[0]}-{changed[1]:02d}"
            own2 = _iri(f"{_ID}ownership/{tag}-crc-{i:04d}/{_slug_of(second)}/{ym}")
            yield from self.ownership(
                own2, second, crc, begin=changed, end=(2021, 6), g=g, key=f"{tag}-own-{i}-b"
            )
            ev = _iri(f"{_ID}event/{tag}-crc-{i:04d}/owner-change/{ym}")
            yield self.q(ev, _RDF_TYPE, _p(_PROB, "OwnershipTransfer"), g)
            yield self.q(ev, _p(_ORG, "originalOrganization"), crc, g)
            yield self.q(
                ev, _p(_PROV, "startedAtTime"), _lit(f"{ym}-01T00:00:00Z", datatype=_XSD + "dateTime"), g
            )
            yield self.q(ev, _p(_DCT, "date"), _lit(ym, datatype=_XSD + "gYearMonth"), g)
            yield self.q(ev, _p(_DCT, "source"), self.src, g)
            yield self.q(own1, _p(_PROV, "wasInvalidatedBy"), ev, g)
            yield self.q(own2, _p(_PROV, "wasGeneratedBy"), ev, g)

    def ownership(
        self,
        node: str,
        owner: str,
        owned: str,
        *,
        begin: tuple[int, int],
        end: tuple[int, int] | None,
        g: str,
        key: str,
    ) -> Iterator[str]:
        yield self.q(node, _RDF_TYPE, _p(_PROB, "Ownership"), g)
        yield self.q(node, _p(_ORG, "member"), owner, g)
        yield self.q(node, _p(_ORG, "organization"), owned, g)
        yield self.q(node, _p(_ORG, "role"), _p(_PROB, "ownerRole"), g)
        yield self.q(node, _p(_DCT, "source"), self.src, g)
        yield from self.interval(node, key, begin, end, g)

    def interval(
        self, node: str, key: str, begin: tuple[int, int], end: tuple[int, int] | None, g: str
    ) -> Iterator[str]:
        blank = BNode(f"i{key.replace('-', '')}")
        yield from self.shape(interval_triples(_ref(node), blank, _ym(begin), _ym(end)), g)

    # ---- one press release per inspection, each in its own graph ------------------------------

    def release(self, k: int) -> Iterator[str]:
        """Inspection ``k``: its press release graph with findings, ratings or verdicts, and figures."""
        rng, tag = self.rng, self.tag
        self.stats.inspections += 1
        self.stats.graphs += 1
        year = 2014 + k % 7
        month = 1 + rng.randrange(12)
        day = 1 + rng.randrange(28)
        pub = dt.date(year, month, day)
        crc, area = self.crcs[k % len(self.crcs)]
        inspected = [crc]
        joint = bool(self.divisions) and rng.random() < 0.4
        if joint:
            inspected.append(self.divisions[k % len(self.divisions)][0])
        r = _Release(doc_slug=f"{tag}-{k:06d}")
        g, doc = r.graph, r.doc
        insp = _iri(f"{_ID}inspection/{pub:%Y-%m}-{tag}-{k:06d}")
        yield from self.inspection(r, k, insp=insp, crc=crc, inspected=inspected, area=area, pub=pub)
        yield from self.findings(r, insp, inspected, joint)
        if year >= 2018:
            yield from self.ratings(r, insp, crc)
        else:
            yield from self.verdicts(r, insp, crc)
        yield from self.figures(r, insp, crc, year, month)
        text = "".join(r.parts)
        yield self.q(doc, _RDF_TYPE, _p(_PROB, "PressRelease"), g)
        yield self.q(
            doc, _p(_DCT, "title"), _lit(f"Synthetic press release {k} on {_label_of(crc)}", "en"), g
        )
        yield self.q(doc, _p(_DCT, "issued"), _lit(pub.isoformat(), datatype=_XSD + "date"), g)
        yield self.q(doc, _p(_DCT, "publisher"), self.inspectorate, g)
        yield self.q(doc, _p(_FOAF, "page"), _iri(f"https://synthetic.invalid/{tag}/{k:06d}"), g)
        yield self.q(doc, _p(_PROB, "sha256"), _lit(hashlib.sha256(text.encode("utf-8")).hexdigest()), g)
        yield self.q(doc, _p(_PROB, "reportsOn"), insp, g)

    def inspection(
        self, r: _Release, k: int, *, insp: str, crc: str, inspected: list[str], area: str, pub: dt.date
    ) -> Iterator[str]:
        g, year, month = r.graph, pub.year, pub.month
        chief = next(p for p, s, e in self.chiefs if s <= year < e) if year < 2022 else self.chiefs[-1][0]
        yield self.q(insp, _RDF_TYPE, _p(_PROB, "Inspection"), g)
        yield self.q(
            insp,
            _p(_SKOS, "prefLabel"),
            _lit(f"Synthetic inspection {k} of {_label_of(crc)}, {year}", "en"),
            g,
        )
        for org in inspected:
            yield self.q(insp, _p(_PROB, "inspected"), org, g)
        kind = "CoreInspection" if year >= 2018 else "AreaInspection"
        yield self.q(insp, _p(_DCT, "type"), _p(_PROB, kind), g)
        yield self.q(insp, _p(_DCT, "spatial"), area, g)
        yield self.q(insp, _p(_PROB, "publicationDate"), _lit(pub.isoformat(), datatype=_XSD + "date"), g)
        fieldwork = str(year if month > 3 else year - 1)
        yield self.q(insp, _p(_PROB, "fieldworkStart"), _lit(fieldwork, datatype=_XSD + "gYear"), g)
        yield self.q(insp, _p(_PROV, "wasAssociatedWith"), self.inspectorate, g)
        assoc = BNode(f"a{r.doc_slug.replace('-', '')}")
        yield from self.shape(chief_inspector_triples(_ref(insp), _ref(chief), assoc), g)

    def evidence(self, r: _Release, item: str, words: str) -> Iterator[str]:
        """``item prob:hasEvidence`` a new sentence of the release, with its quote and position."""
        start, end = r.sentence(words)
        # the text's checksum is only known once the whole release is written: the slug stands in
        ev = evidence_iri(r.doc_slug, r.doc_slug, start, end, account="synthetic")
        shape = evidence_triples(ev, _ref(r.doc), start, end, sha256=None, quote=(words, "", "(synthetic)"))
        yield from self.shape(shape, r.graph)
        yield self.q(item, _p(_PROB, "hasEvidence"), _iri(str(ev)), r.graph)

    def findings(self, r: _Release, insp: str, inspected: list[str], joint: bool) -> Iterator[str]:
        rng, g = self.rng, r.graph
        for j in range(10 + rng.randrange(11)):
            self.stats.findings += 1
            about = inspected if (joint and rng.random() < 0.15) else [rng.choice(inspected)]
            theme = rng.choice(_THEMES)
            polarity = rng.choice(_POLARITY)
            verbs = {"Critical": _VERBS_CRIT, "Positive": _VERBS_POS, "Mixed": _VERBS_MIX}[polarity]
            verb = rng.choice(verbs)
            words = f"{rng.choice(_SUBJECTS)} {verb} (case {j})."
            f = _iri(str(item_iri("finding", r.doc_slug, "finding", j, theme, polarity)))
            yield self.q(f, _RDF_TYPE, _p(_PROB, "Finding"), g)
            for org in about:
                yield self.q(f, _p(_PROB, "aboutProvider"), org, g)
            yield self.q(f, _p(_PROB, "inInspection"), insp, g)
            yield self.q(f, _p(_PROB, "theme"), _p(_PROB, theme), g)
            if rng.random() < 0.3:
                yield self.q(f, _p(_PROB, "secondaryTheme"), _p(_PROB, rng.choice(_THEMES)), g)
            yield self.q(f, _p(_PROB, "polarity"), _p(_PROB, polarity), g)
            yield self.q(f, _p(_RDFS, "comment"), _lit(f"Synthetic finding {j}: {words.lower()}", "en"), g)
            yield self.q(f, _p(_PROV, "wasDerivedFrom"), r.doc, g)
            yield from self.evidence(r, f, words)

    def ratings(self, r: _Release, insp: str, crc: str) -> Iterator[str]:
        rng, g = self.rng, r.graph
        aspects: list[tuple[str | None, str]] = [(None, "overall"), *rng.sample(_STANDARDS, 3)]
        for aspect, label in aspects:
            rating = _iri(str(item_iri("rating", r.doc_slug, "rating", crc, label)))
            value = rng.choice(_RATINGS)
            yield self.q(rating, _RDF_TYPE, _p(_PROB, "Rating"), g)
            yield self.q(rating, _p(_PROB, "ratingOf"), crc, g)
            yield self.q(rating, _p(_PROB, "inInspection"), insp, g)
            yield self.q(rating, _p(_PROB, "ratingValue"), _p(_PROB, value), g)
            if aspect:
                yield self.q(rating, _p(_PROB, "ratingAspect"), _p(_PROB, aspect), g)
            yield self.q(rating, _p(_PROB, "aspectLabel"), _lit(label, "en"), g)
            yield self.q(rating, _p(_PROV, "wasDerivedFrom"), r.doc, g)
            yield from self.evidence(r, rating, f"The {label} rating given was {value} (synthetic).")

    def verdicts(self, r: _Release, insp: str, crc: str) -> Iterator[str]:
        g = r.graph
        for test in _KEY_TESTS:
            v = _iri(str(item_iri("verdict", r.doc_slug, "verdict", crc, test)))
            verdict = "Acceptable" if self.rng.random() < 0.4 else "NotAcceptable"
            yield self.q(v, _RDF_TYPE, _p(_PROB, "KeyTestVerdict"), g)
            yield self.q(v, _p(_PROB, "verdictOf"), crc, g)
            yield self.q(v, _p(_PROB, "inInspection"), insp, g)
            yield self.q(v, _p(_PROB, "keyTest"), _p(_PROB, test), g)
            yield self.q(v, _p(_PROB, "verdict"), _p(_PROB, verdict), g)
            comment = f"Key test {test}: {verdict.lower()} (synthetic)."
            yield self.q(v, _p(_RDFS, "comment"), _lit(comment, "en"), g)
            yield from self.evidence(r, v, f"On {test} the work was judged {verdict} (synthetic).")

    def figures(self, r: _Release, insp: str, crc: str, year: int, month: int) -> Iterator[str]:
        rng, g = self.rng, r.graph
        for fig_no, (unit, mtype, amount) in enumerate(
            [
                ("Count", "Caseload", 2000 + rng.randrange(30000)),
                ("Percent", "CaseloadShare", 1 + rng.randrange(20)),
            ]
        ):
            fig = _iri(str(item_iri("figure", r.doc_slug, "figure", fig_no, amount)))
            measure = "people supervised" if fig_no == 0 else "share of caseload"
            yield self.q(fig, _RDF_TYPE, _p(_PROB, "Figure"), g)
            yield self.q(fig, _p(_PROB, "value"), _lit(str(amount), datatype=_XSD + "integer"), g)
            yield self.q(fig, _p(_PROB, "unit"), _p(_PROB, unit), g)
            yield self.q(fig, _p(_PROB, "qualifier"), _lit("around"), g)
            yield self.q(fig, _p(_PROB, "measure"), _lit(measure, "en"), g)
            yield self.q(fig, _p(_PROB, "measureType"), _p(_PROB, mtype), g)
            yield self.q(fig, _p(_PROB, "figureAbout"), crc, g)
            yield self.q(fig, _p(_PROB, "asOf"), _lit(f"{year}-{month:02d}", datatype=_XSD + "gYearMonth"), g)
            yield self.q(fig, _p(_PROB, "inInspection"), insp, g)
            yield self.q(fig, _p(_PROV, "wasDerivedFrom"), r.doc, g)
            words = f"Around {amount} {'people' if fig_no == 0 else 'percent'} were counted (synthetic)."
            yield from self.evidence(r, fig, words)


@dataclass
class _Release:
    """One synthetic press release being written: its graph, document and text so far."""

    doc_slug: str
    parts: list[str] = field(default_factory=list)
    offset: int = 0

    @property
    def graph(self) -> str:
        return _iri(f"{_ID}graph/doc/{self.doc_slug}")

    @property
    def doc(self) -> str:
        return _iri(f"{_ID}doc/{self.doc_slug}")

    def sentence(self, words: str) -> tuple[int, int]:
        """Append a sentence to the text; its ``[start, end)`` offsets."""
        start = self.offset
        self.parts.append(words + " ")
        self.offset += len(words) + 1
        return start, start + len(words)


def _slug_of(iri: str) -> str:
    return iri.rstrip(">").rsplit("/", 1)[-1]


def _label_of(iri: str) -> str:
    return _slug_of(iri)


def write_synth(
    out: str | Path | IO[bytes], inspections: int, seed: int = 0, progress: object | None = None
) -> SynthStats:
    """Write the data set as N-Quads to a path or binary stream; return what was written.

    ``progress``, when given, is called with the number of quads written since the last call.
    """
    stats = SynthStats()
    fh: IO[bytes]
    close = False
    if isinstance(out, str | Path):
        fh = open(out, "wb")  # noqa: SIM115 - closed below
        close = True
    else:
        fh = out
    try:
        buf: list[str] = []
        for line in _generate(inspections, seed, stats):
            buf.append(line)
            if len(buf) >= 20000:
                fh.write("".join(buf).encode("utf-8"))
                if callable(progress):
                    progress(len(buf))
                buf.clear()
        fh.write("".join(buf).encode("utf-8"))
        if callable(progress):
            progress(len(buf))
    finally:
        if close:
            fh.close()
    return stats

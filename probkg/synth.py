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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from probkg.ontology.mint import evidence_iri, item_iri, slugify
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
    rng = random.Random(seed)
    tag = f"synth-s{seed}"
    reg_graph = _iri(f"{_ID}graph/curated/{tag}-registry")
    src = _iri(f"https://synthetic.invalid/{tag}/registry")
    a = _RDF_TYPE

    def q(s: str, p: str, o: str, g: str) -> str:
        stats.quads += 1
        return f"{s} {p} {o} {g} .\n"

    # ---- registry ------------------------------------------------------------------------------
    g = reg_graph
    stats.graphs += 1
    n_providers = max(3, inspections // 8)
    n_crc = max(2, (n_providers * 2) // 3)
    n_div = max(1, n_providers - n_crc)
    n_owners = max(2, n_crc // 3)
    stats.providers, stats.owners = n_crc + n_div, n_owners

    inspectorate = _iri(f"{_ID}org/{tag}-inspectorate")
    yield q(inspectorate, a, _p(_PROB, "Inspectorate"), g)
    yield q(
        inspectorate, _p(_SKOS, "prefLabel"), _lit(f"Synthetic Inspectorate of Probation {seed}", "en"), g
    )
    yield q(inspectorate, _p(_PROB, "kind"), _lit("Inspectorate"), g)
    nps = _iri(f"{_ID}org/{tag}-nps")
    yield q(nps, a, _p(_PROB, "NationalProbationService"), g)
    yield q(nps, _p(_SKOS, "prefLabel"), _lit(f"Synthetic National Probation Service {seed}", "en"), g)
    yield q(nps, _p(_PROB, "kind"), _lit("NPS"), g)

    chiefs: list[tuple[str, int, int]] = []
    for i, (start, end) in enumerate([(2014, 2016), (2016, 2019), (2019, 2022)]):
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        person = _iri(f"{_ID}person/{tag}-{slugify(name)}-{i}")
        chiefs.append((person, start, end))
        yield q(person, a, _p(_FOAF, "Person"), g)
        yield q(person, _p(_FOAF, "name"), _lit(name), g)
        yield q(person, _p(_SKOS, "prefLabel"), _lit(name, "en"), g)
        appt = _iri(f"{_ID}appointment/{tag}/{i}")
        yield q(appt, a, _p(_PROB, "Appointment"), g)
        yield q(appt, _p(_ORG, "member"), person, g)
        yield q(appt, _p(_ORG, "organization"), inspectorate, g)
        yield q(appt, _p(_ORG, "role"), _p(_PROB, "chiefInspectorRole"), g)
        yield q(appt, _p(_DCT, "source"), src, g)
        yield from _interval(q, appt, f"{tag}-appt-{i}", begin=(start, 3), end=(end, 3), g=g)

    areas: list[str] = []
    for i in range(n_crc):
        place = f"{_PLACES[i % len(_PLACES)]} {i // len(_PLACES) + 1}"
        area = _iri(f"{_ID}area/{tag}-{slugify(place)}")
        areas.append(area)
        yield q(area, a, _p(_PROB, "Area"), g)
        yield q(area, _p(_SKOS, "prefLabel"), _lit(place, "en"), g)

    owners: list[str] = []
    for i in range(n_owners):
        name = f"{_OWNER_WORDS[i % len(_OWNER_WORDS)]} {_OWNER_SUFFIX[(i // len(_OWNER_WORDS)) % 4]} {i}"
        owner = _iri(f"{_ID}org/{tag}-{slugify(name)}")
        owners.append(owner)
        yield q(owner, a, _p(_PROB, "OwnerOrganisation"), g)
        yield q(owner, _p(_SKOS, "prefLabel"), _lit(name, "en"), g)
        yield q(owner, _p(_PROB, "kind"), _lit("Owner"), g)
        yield q(owner, _p(_DCT, "source"), src, g)

    providers: list[tuple[str, str]] = []  # (iri, area)
    for i in range(n_crc):
        area = areas[i]
        place = _PLACES[i % len(_PLACES)]
        crc = _iri(f"{_ID}org/{tag}-crc-{i:04d}")
        providers.append((crc, area))
        yield q(crc, a, _p(_PROB, "CommunityRehabilitationCompany"), g)
        yield q(crc, _p(_SKOS, "prefLabel"), _lit(f"{place} {i} Community Rehabilitation Company", "en"), g)
        yield q(crc, _p(_SKOS, "altLabel"), _lit(f"{place} {i} CRC", "en"), g)
        yield q(crc, _p(_PROB, "kind"), _lit("CRC"), g)
        yield q(crc, _p(_DCT, "spatial"), area, g)
        yield q(crc, _p(_DCT, "source"), src, g)
        # Ownership over time: one owner from 2015-02, a third of the CRCs change owner once.
        first = owners[i % n_owners]
        change = i % 3 == 1
        second = owners[(i + 1) % n_owners] if change else None
        changed = (2017 + rng.randrange(3), 1 + rng.randrange(12))
        first_end = changed if second else (2021, 6)
        own1 = _iri(f"{_ID}ownership/{tag}-crc-{i:04d}/{_slug_of(first)}/2015-02")
        yield from _ownership(
            q, own1, first, crc, begin=(2015, 2), end=first_end, src=src, g=g, key=f"{tag}-own-{i}-a"
        )
        if second:
            ym = f"{changed[0]}-{changed[1]:02d}"
            own2 = _iri(f"{_ID}ownership/{tag}-crc-{i:04d}/{_slug_of(second)}/{ym}")
            yield from _ownership(
                q, own2, second, crc, begin=changed, end=(2021, 6), src=src, g=g, key=f"{tag}-own-{i}-b"
            )
            ev = _iri(f"{_ID}event/{tag}-crc-{i:04d}/owner-change/{ym}")
            yield q(ev, a, _p(_PROB, "OwnershipTransfer"), g)
            yield q(ev, _p(_ORG, "originalOrganization"), crc, g)
            yield q(ev, _p(_PROV, "startedAtTime"), _lit(f"{ym}-01T00:00:00Z", datatype=_XSD + "dateTime"), g)
            yield q(ev, _p(_DCT, "date"), _lit(ym, datatype=_XSD + "gYearMonth"), g)
            yield q(ev, _p(_DCT, "source"), src, g)
            yield q(own1, _p(_PROV, "wasInvalidatedBy"), ev, g)
            yield q(own2, _p(_PROV, "wasGeneratedBy"), ev, g)
    for i in range(n_div):
        div = _iri(f"{_ID}org/{tag}-nps-division-{i:03d}")
        area = areas[i % len(areas)]
        providers.append((div, area))
        yield q(div, a, _p(_PROB, "NpsDivision"), g)
        yield q(div, _p(_SKOS, "prefLabel"), _lit(f"Synthetic NPS division {i}", "en"), g)
        yield q(div, _p(_PROB, "kind"), _lit("NPSDivision"), g)
        yield q(div, _p(_ORG, "unitOf"), nps, g)
        yield q(div, _p(_DCT, "spatial"), area, g)
    crcs = providers[:n_crc]
    divisions = providers[n_crc:]

    # ---- one press release per inspection, each in its own graph ------------------------------
    for k in range(inspections):
        stats.inspections += 1
        stats.graphs += 1
        year = 2014 + k % 7
        month = 1 + rng.randrange(12)
        day = 1 + rng.randrange(28)
        pub = dt.date(year, month, day)
        crc, area = crcs[k % len(crcs)]
        inspected = [crc]
        joint = divisions and rng.random() < 0.4
        if joint:
            inspected.append(divisions[k % len(divisions)][0])
        doc_slug = f"{tag}-{k:06d}"
        g = _iri(f"{_ID}graph/doc/{doc_slug}")
        doc = _iri(f"{_ID}doc/{doc_slug}")
        insp = _iri(f"{_ID}inspection/{pub:%Y-%m}-{tag}-{k:06d}")
        chief = next(p for p, s, e in chiefs if s <= year < e) if year < 2022 else chiefs[-1][0]
        text_parts: list[str] = []
        offset = 0

        def sentence(words: str, parts: list[str] = text_parts) -> tuple[int, int, str]:
            nonlocal offset
            start = offset
            parts.append(words + " ")
            offset += len(words) + 1
            return start, start + len(words), words

        yield q(insp, a, _p(_PROB, "Inspection"), g)
        yield q(
            insp,
            _p(_SKOS, "prefLabel"),
            _lit(f"Synthetic inspection {k} of {_label_of(crc)}, {year}", "en"),
            g,
        )
        for org in inspected:
            yield q(insp, _p(_PROB, "inspected"), org, g)
        kind = "CoreInspection" if year >= 2018 else "AreaInspection"
        yield q(insp, _p(_DCT, "type"), _p(_PROB, kind), g)
        yield q(insp, _p(_DCT, "spatial"), area, g)
        yield q(insp, _p(_PROB, "publicationDate"), _lit(pub.isoformat(), datatype=_XSD + "date"), g)
        yield q(
            insp,
            _p(_PROB, "fieldworkStart"),
            _lit(str(year if month > 3 else year - 1), datatype=_XSD + "gYear"),
            g,
        )
        yield q(insp, _p(_PROV, "wasAssociatedWith"), inspectorate, g)
        yield q(insp, _p(_PROB, "chiefInspector"), chief, g)
        assoc = f"_:a{doc_slug.replace('-', '')}"
        yield q(insp, _p(_PROV, "qualifiedAssociation"), assoc, g)
        yield q(assoc, a, _p(_PROV, "Association"), g)
        yield q(assoc, _p(_PROV, "agent"), chief, g)
        yield q(assoc, _p(_PROV, "hadRole"), _p(_PROB, "chiefInspectorRole"), g)

        def evidence(
            kind: str, key: str, words: str, *, doc: str = doc, doc_slug: str = doc_slug, g: str = g
        ) -> Iterator[str]:
            start, end, exact = sentence(words)
            # the text's checksum is only known once the whole release is written: the slug stands in
            ev = str(evidence_iri(doc_slug, doc_slug, start, end, account="synthetic"))
            evi = _iri(ev)
            quote, pos = _iri(ev + "#quote"), _iri(ev + "#position")
            yield q(evi, a, _p(_OA, "SpecificResource"), g)
            yield q(evi, _p(_OA, "hasSource"), doc, g)
            yield q(evi, _p(_OA, "hasSelector"), quote, g)
            yield q(evi, _p(_OA, "hasSelector"), pos, g)
            yield q(quote, a, _p(_OA, "TextQuoteSelector"), g)
            yield q(quote, _p(_OA, "exact"), _lit(exact), g)
            yield q(quote, _p(_OA, "suffix"), _lit("(synthetic)"), g)
            yield q(pos, a, _p(_OA, "TextPositionSelector"), g)
            yield q(pos, _p(_OA, "start"), _lit(str(start), datatype=_XSD + "nonNegativeInteger"), g)
            yield q(pos, _p(_OA, "end"), _lit(str(end), datatype=_XSD + "nonNegativeInteger"), g)
            yield f"#EV {evi}\n"

        for j in range(10 + rng.randrange(11)):
            stats.findings += 1
            about = inspected if (joint and rng.random() < 0.15) else [rng.choice(inspected)]
            theme = rng.choice(_THEMES)
            polarity = rng.choice(_POLARITY)
            verbs = {"Critical": _VERBS_CRIT, "Positive": _VERBS_POS, "Mixed": _VERBS_MIX}[polarity]
            verb = rng.choice(verbs)
            words = f"{rng.choice(_SUBJECTS)} {verb} (case {j})."
            f = _iri(str(item_iri("finding", doc_slug, "finding", j, theme, polarity)))
            yield q(f, a, _p(_PROB, "Finding"), g)
            for org in about:
                yield q(f, _p(_PROB, "aboutProvider"), org, g)
            yield q(f, _p(_PROB, "inInspection"), insp, g)
            yield q(f, _p(_PROB, "theme"), _p(_PROB, theme), g)
            if rng.random() < 0.3:
                yield q(f, _p(_PROB, "secondaryTheme"), _p(_PROB, rng.choice(_THEMES)), g)
            yield q(f, _p(_PROB, "polarity"), _p(_PROB, polarity), g)
            yield q(f, _p(_RDFS, "comment"), _lit(f"Synthetic finding {j}: {words.lower()}", "en"), g)
            yield q(f, _p(_PROV, "wasDerivedFrom"), doc, g)
            for line in evidence("finding", str(j), words):
                if line.startswith("#EV "):
                    yield q(f, _p(_PROB, "hasEvidence"), line[4:-1], g)
                else:
                    yield line
        if year >= 2018:
            aspects: list[tuple[str | None, str]] = [(None, "overall"), *rng.sample(_STANDARDS, 3)]
            for aspect, label in aspects:
                r = _iri(str(item_iri("rating", doc_slug, "rating", crc, label)))
                value = rng.choice(_RATINGS)
                yield q(r, a, _p(_PROB, "Rating"), g)
                yield q(r, _p(_PROB, "ratingOf"), crc, g)
                yield q(r, _p(_PROB, "inInspection"), insp, g)
                yield q(r, _p(_PROB, "ratingValue"), _p(_PROB, value), g)
                if aspect:
                    yield q(r, _p(_PROB, "ratingAspect"), _p(_PROB, aspect), g)
                yield q(r, _p(_PROB, "aspectLabel"), _lit(label, "en"), g)
                yield q(r, _p(_PROV, "wasDerivedFrom"), doc, g)
                words = f"The {label} rating given was {value} (synthetic)."
                for line in evidence("rating", label, words):
                    yield q(r, _p(_PROB, "hasEvidence"), line[4:-1], g) if line.startswith("#EV ") else line
        else:
            for test in _KEY_TESTS:
                v = _iri(str(item_iri("verdict", doc_slug, "verdict", crc, test)))
                verdict = "Acceptable" if rng.random() < 0.4 else "NotAcceptable"
                yield q(v, a, _p(_PROB, "KeyTestVerdict"), g)
                yield q(v, _p(_PROB, "verdictOf"), crc, g)
                yield q(v, _p(_PROB, "inInspection"), insp, g)
                yield q(v, _p(_PROB, "keyTest"), _p(_PROB, test), g)
                yield q(v, _p(_PROB, "verdict"), _p(_PROB, verdict), g)
                yield q(
                    v, _p(_RDFS, "comment"), _lit(f"Key test {test}: {verdict.lower()} (synthetic).", "en"), g
                )
                words = f"On {test} the work was judged {verdict} (synthetic)."
                for line in evidence("verdict", test, words):
                    yield q(v, _p(_PROB, "hasEvidence"), line[4:-1], g) if line.startswith("#EV ") else line
        for fig_no, (unit, mtype, amount) in enumerate(
            [
                ("Count", "Caseload", 2000 + rng.randrange(30000)),
                ("Percent", "CaseloadShare", 1 + rng.randrange(20)),
            ]
        ):
            fig = _iri(str(item_iri("figure", doc_slug, "figure", fig_no, amount)))
            yield q(fig, a, _p(_PROB, "Figure"), g)
            yield q(fig, _p(_PROB, "value"), _lit(str(amount), datatype=_XSD + "integer"), g)
            yield q(fig, _p(_PROB, "unit"), _p(_PROB, unit), g)
            yield q(fig, _p(_PROB, "qualifier"), _lit("around"), g)
            yield q(
                fig,
                _p(_PROB, "measure"),
                _lit("people supervised" if fig_no == 0 else "share of caseload", "en"),
                g,
            )
            yield q(fig, _p(_PROB, "measureType"), _p(_PROB, mtype), g)
            yield q(fig, _p(_PROB, "figureAbout"), crc, g)
            yield q(fig, _p(_PROB, "asOf"), _lit(f"{year}-{month:02d}", datatype=_XSD + "gYearMonth"), g)
            yield q(fig, _p(_PROB, "inInspection"), insp, g)
            yield q(fig, _p(_PROV, "wasDerivedFrom"), doc, g)
            words = f"Around {amount} {'people' if fig_no == 0 else 'percent'} were counted (synthetic)."
            for line in evidence("figure", str(fig_no), words):
                yield q(fig, _p(_PROB, "hasEvidence"), line[4:-1], g) if line.startswith("#EV ") else line
        text = "".join(text_parts)
        yield q(doc, a, _p(_PROB, "PressRelease"), g)
        yield q(doc, _p(_DCT, "title"), _lit(f"Synthetic press release {k} on {_label_of(crc)}", "en"), g)
        yield q(doc, _p(_DCT, "issued"), _lit(pub.isoformat(), datatype=_XSD + "date"), g)
        yield q(doc, _p(_DCT, "publisher"), inspectorate, g)
        yield q(doc, _p(_FOAF, "page"), _iri(f"https://synthetic.invalid/{tag}/{k:06d}"), g)
        yield q(doc, _p(_PROB, "sha256"), _lit(hashlib.sha256(text.encode("utf-8")).hexdigest()), g)
        yield q(doc, _p(_PROB, "reportsOn"), insp, g)


def _slug_of(iri: str) -> str:
    return iri.rstrip(">").rsplit("/", 1)[-1]


def _label_of(iri: str) -> str:
    return _slug_of(iri)


def _interval(
    q,
    node: str,
    key: str,
    *,
    begin: tuple[int, int],
    end: tuple[int, int] | None,
    g: str,
) -> Iterator[str]:
    a = _RDF_TYPE
    interval = f"_:i{key.replace('-', '')}"
    yield q(node, _p(_ORG, "memberDuring"), interval, g)
    yield q(interval, a, _p(_TIME, "ProperInterval"), g)
    for rel, ym, suffix in (("hasBeginning", begin, "b"), ("hasEnd", end, "e")):
        if ym is None:
            continue
        instant = f"{interval}{suffix}"
        yield q(interval, _p(_TIME, rel), instant, g)
        yield q(instant, a, _p(_TIME, "Instant"), g)
        yield q(instant, _p(_TIME, "inXSDDate"), _lit(f"{ym[0]}-{ym[1]:02d}-01", datatype=_XSD + "date"), g)
        yield q(
            instant,
            _p(_TIME, "inXSDgYearMonth"),
            _lit(f"{ym[0]}-{ym[1]:02d}", datatype=_XSD + "gYearMonth"),
            g,
        )


def _ownership(
    q,
    node: str,
    owner: str,
    owned: str,
    *,
    begin: tuple[int, int],
    end: tuple[int, int] | None,
    src: str,
    g: str,
    key: str,
) -> Iterator[str]:
    a = _RDF_TYPE
    yield q(node, a, _p(_PROB, "Ownership"), g)
    yield q(node, _p(_ORG, "member"), owner, g)
    yield q(node, _p(_ORG, "organization"), owned, g)
    yield q(node, _p(_ORG, "role"), _p(_PROB, "ownerRole"), g)
    yield q(node, _p(_DCT, "source"), src, g)
    yield from _interval(q, node, key, begin=begin, end=end, g=g)


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

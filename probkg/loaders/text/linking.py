"""Finding organisation mentions in a document and linking them to the registry.

A mention is found three ways:

1. **Names** from the registry (official names, short forms, aliases), written with either
   "Community Rehabilitation Company" or "CRC", "National Probation Service" or "NPS", "&" or
   "and"; a name must start with a capital (or be an acronym) and stand on word boundaries.
   Aliases that are just a place name ("Devon") are not used as organisation names.
2. **Patterns** for names the registry lists in other forms: "<Area> division (of the NPS)" in any
   case ("the north west division"), an NPS division by service and place without the word
   ("the NPS in Wales", "NPS North West"), "a neighbouring CRC, Thames Valley" (an appositive name),
   "the CRC in <place>" (also after an owner's possessive: "Sodexo's CRC in Norfolk"). A division
   "of" something other than the NPS ("the Wales division of Kent, Surrey and Sussex CRC") is not
   an NPS division.
3. **Generic references**: "Community Rehabilitation Company (CRC)", "the CRC", "the NPS",
   "the division". Their referent is decided per document by :class:`Resolver`.

Organisations that look like organisations (names after "owned by", "run by", "managed by",
"led by", or capitalised names ending in Ltd, Group, Consortium, Trust...) but are not in the
registry get ``id:org/unresolved/<slug>`` and kind ``Other``.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field

from probkg.registry.model import ID_BASE, Organisation, Registry, load_registry, name_slug

__all__ = ["Mention", "OrgRef", "find_mentions", "gazetteer"]


@dataclass(frozen=True)
class OrgRef:
    """An organisation an item can point to: registry organisation or a minted unresolved one."""

    iri: str
    label: str
    kind: str
    resolved: bool = True
    provider: bool = False


@dataclass
class Mention:
    """One place in the text that refers to an organisation.

    ``kind`` is ``name`` (a registry name or pattern), ``crc`` / ``nps`` / ``division`` (a generic
    reference resolved per document), ``unresolved`` (an organisation not in the registry).
    """

    start: int
    end: int
    kind: str
    org: OrgRef | None = None
    extra: dict[str, str] = field(default_factory=dict)


def org_ref(org: Organisation) -> OrgRef:
    return OrgRef(org.iri, org.label, org.kind, True, org.kind in ("CRC", "NPSDivision", "NPS"))


def unresolved_ref(name: str, *, provider: bool = False) -> OrgRef:
    clean = " ".join(name.replace("\u00a0", " ").split())
    slug = name_slug(clean, empty="unnamed")
    return OrgRef(f"{ID_BASE}org/unresolved/{slug}", clean, "Other", False, provider)


def _variants(name: str) -> set[str]:
    out = {name}
    pairs = [
        ("Community Rehabilitation Company", "CRC"),
        ("National Probation Service", "NPS"),
        (" & ", " and "),
    ]
    for _ in range(2):
        for v in list(out):
            for a, b in pairs:
                if a in v:
                    out.add(v.replace(a, b))
                if b in v and b.strip():
                    out.add(v.replace(b, a))
    return out


def _build_gazetteer(reg: Registry) -> tuple[re.Pattern[str], dict[str, Organisation]]:
    table: dict[str, Organisation] = {}
    for org in reg.organisations:
        names = [org.label, *([org.short_label] if org.short_label else []), *org.aliases]
        for name in names:
            bare = name.strip()
            if bare.lower().startswith("the "):
                bare = bare[4:]
            if not bare or (
                org.kind in ("CRC", "NPSDivision")
                and reg.by_place(bare)
                and not re.search(r"\b(CRC|NPS|division|Company|Service)\b", bare, re.I)
            ):
                continue  # a place name is not a name of the organisation
            if bare in ("NPS", "Probation Service"):
                continue  # generic references, resolved per document
            for v in _variants(bare):
                if v[0].islower() and not v.isupper() and org.kind != "Owner":
                    continue
                table.setdefault(v, org)
    alts = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w’'-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w-])")
    return pattern, table


_GAZETTEERS: weakref.WeakKeyDictionary[Registry, tuple[re.Pattern[str], dict[str, Organisation]]] = (
    weakref.WeakKeyDictionary()
)


def gazetteer(reg: Registry) -> tuple[re.Pattern[str], dict[str, Organisation]]:
    """A regular expression matching every registry name form, and the table name -> organisation.

    Built once per registry object (the registry is immutable) and kept while the registry lives.
    """
    if reg not in _GAZETTEERS:
        _GAZETTEERS[reg] = _build_gazetteer(reg)
    return _GAZETTEERS[reg]


_GENERIC = re.compile(
    r"(?P<crc>\bCommunity Rehabilitation Company\b(?:\s*\(CRC\))?|\bCRC\b|\bcompany\b(?= running))"
    r"|(?P<nps>\bNational Probation Service\b(?:\s*\(NPS\))?|\bNPS\b)"
    r"|(?P<division>\b[Tt]he division\b|\b[Tt]his division\b)"
)
# "<Region> division (of the NPS)", in any case ("the north west division of the National Probation
# Service"); the region is the longest run of words before "division" the registry knows as a division.
_DIVISION_WORD = re.compile(r"\b[Dd]ivision\b")
_DIVISION = re.compile(
    r"\b((?:[A-Za-z]+\s+){0,3}[A-Za-z]+)\s+[Dd]ivision\b"
    r"(?P<of>\s+of\s+(?:the\s+)?(?P<parent>National Probation Service|NPS|Public Probation|[A-Z]\w*)"
    r"(?:\s*\(NPS\))?)?"
    r"|\b(?:National Probation Service|NPS)\s*\(((?:[A-Z][a-z]+\s+){0,3}[A-Z][a-z]+)\s+division\)"
)
_OF_OTHER = re.compile(r"\s+of\s+(?:the\s+)?(?!National Probation Service|NPS\b|Public Probation)[A-Z]")
# An NPS division named by the service and a place, without the word "division": "the National
# Probation Service (NPS) in Wales", "NPS North West", "NPS in Cumbria".
_NPS_PLACE = re.compile(
    r"\b(?:National Probation Service|NPS)(?:\s*\(NPS\))?\s+(?:(?:in|for|across|covering)\s+(?:the\s+)?)?"
    r"((?:[A-Z][a-z]+)(?:\s+(?:and\s+)?[A-Z][a-z]+){0,3})"
)
_APPOSITIVE = re.compile(r"\bCRC,\s+((?:[A-Z][a-z]+)(?:(?:\s+|,\s*|\s+and\s+)[A-Z][a-z]+){0,4})")
_CRC_IN_PLACE = re.compile(
    r"\b(?:the\s+)?(?:CRC|Community Rehabilitation Company)\s+in\s+(?:the\s+)?"
    r"((?:north|south|east|west|North|South|East|West)?\s*(?:of\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
_UNKNOWN_PROVIDER = re.compile(
    r"\b((?:[A-Z][a-z]+(?:,?\s+|\s+and\s+)){1,4}(?:CRC|Community Rehabilitation Company))\b"
)
_UNRESOLVED = re.compile(
    r"\b(?:owned(?: and operated)? by|run by|managed by|led by|operated by)\s+(?:the\s+)?"
    r"((?:[A-Z][\w&’'-]*)(?:\s+(?:[A-Z][\w&’'-]*|of|and|&))*)"
    r"|\b((?:[A-Z][\w’'-]+\s+){1,4}(?:Ltd|Limited|Group|Consortium|Trust|Partnership|Corporation|plc|LLP))\b"
)


def _division(text: str, m: re.Match[str], reg: Registry) -> tuple[Organisation | None, int]:
    """The NPS division a :data:`_DIVISION` match names, and where the name starts."""
    if m.group(4):
        org = reg.find(f"{m.group(4)} division")
        return (org, m.start()) if org is not None and org.kind == "NPSDivision" else (None, m.start())
    words = list(re.finditer(r"[A-Za-z]+", m.group(1)))
    for w in words:
        region = m.group(1)[w.start() :]
        if region[0].islower() and not re.match(r"(?i)(north|south|east|west)\b", region):
            continue
        org = reg.find(f"{region} division")
        if org is not None and org.kind == "NPSDivision":
            s = m.start(1) + w.start()
            before = text[max(0, s - 4) : s]
            return org, s - 4 if before.lower() == "the " else s
    return None, m.start()


def _nps_division_of(place: str, reg: Registry) -> Organisation | None:
    """The one NPS division serving ``place`` (a region or a county), trying shorter word runs."""
    words = place.split()
    for n in range(len(words), 0, -1):
        key = " ".join(words[:n])
        org = reg.find(f"{key} division")
        if org is not None and org.kind == "NPSDivision":
            return org
        divisions = [o for o in reg.by_place(key) if o.kind == "NPSDivision"]
        if len(divisions) == 1:
            return divisions[0]
    return None


def find_mentions(text: str, start: int, end: int, reg: Registry | None = None) -> list[Mention]:
    """Organisation mentions in ``text[start:end]`` (named, generic or unresolved), in text order."""
    reg = reg or load_registry()
    pattern, table = gazetteer(reg)
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in taken)

    def add(m: Mention) -> None:
        found.append(m)
        taken.append((m.start, m.end))

    seen_div: set[tuple[int, int]] = set()
    division_matches = []
    for w in _DIVISION_WORD.finditer(text, start, end):  # the full pattern only near the word
        for m in _DIVISION.finditer(text, max(start, w.start() - 60), min(end, w.end() + 60)):
            if m.span() not in seen_div and m.start() <= w.start() < m.end():
                seen_div.add(m.span())
                division_matches.append(m)
    for m in division_matches:
        if m.group("of") and m.group("parent") not in (
            "National Probation Service",
            "NPS",
            "Public Probation",
        ):
            continue  # "the Wales division of Kent, Surrey and Sussex CRC" is not an NPS division
        org, s = _division(text, m, reg)
        if org is not None and free(s, m.end()):
            add(Mention(s, m.end(), "name", org_ref(org)))
    span = text[start:end]
    has_crc = "CRC" in span or "Community Rehabilitation Company" in span
    has_nps = "NPS" in span or "National Probation Service" in span
    for m in _NPS_PLACE.finditer(text, start, end) if has_nps else ():
        org = _nps_division_of(m.group(1), reg)
        if org is not None and free(*m.span()):
            add(Mention(m.start(), m.end(), "name", org_ref(org), {"place": m.group(1)}))
    for m in _APPOSITIVE.finditer(text, start, end) if has_crc else ():
        org = reg.find(m.group(1) + " CRC")
        if org is not None and free(m.start(1), m.end(1)):
            add(Mention(m.start(), m.end(), "name", org_ref(org), {"appositive": "1"}))
    for m in pattern.finditer(text, start, end):
        org = table[m.group(0)]
        if org.kind == "NPSDivision" and _OF_OTHER.match(text, m.end()):
            continue  # "the Wales division of Kent, Surrey and Sussex CRC": a unit of another provider
        if free(*m.span()):
            add(Mention(m.start(), m.end(), "name", org_ref(org)))
    for m in _CRC_IN_PLACE.finditer(text, start, end) if has_crc else ():
        if not free(*m.span()):
            continue
        place = re.sub(r"^(north|south|east|west)\s+of\s+", r"\1 ", m.group(1), flags=re.I)
        crcs = [o for o in reg.by_place(place) if o.kind == "CRC"]
        if len(crcs) == 1:
            add(Mention(m.start(), m.end(), "name", org_ref(crcs[0]), {"place": m.group(1)}))
    for m in _UNKNOWN_PROVIDER.finditer(text, start, end) if has_crc else ():
        if not free(*m.span()):
            continue
        name = re.sub(r"^(?:The|A|An|This|In|By|Of|Its|Their)\s+", "", m.group(1))
        if name.split()[0] in ("CRC", "Community") or reg.find(name) is not None:
            continue
        s = m.end(1) - len(name)
        add(Mention(s, m.end(1), "unresolved", unresolved_ref(name, provider=True)))
    for m in _GENERIC.finditer(text, start, end):
        if not free(*m.span()):
            continue
        kind = m.lastgroup or "crc"
        add(Mention(m.start(), m.end(), kind))
    for m in _UNRESOLVED.finditer(text, start, end):
        name = (m.group(1) or m.group(2) or "").strip()
        s = m.start(1) if m.group(1) else m.start(2)
        name = re.sub(r"\s+(?:and|of|&)$", "", name)
        e = s + len(name)
        if not name or not free(s, e) or name in ("HM", "HMI") or len(name) < 3:
            continue
        if reg.find(name) is not None or name.split()[0] in ("Community", "National", "The", "This", "It"):
            continue
        add(Mention(s, e, "unresolved", unresolved_ref(name)))
    found.sort(key=lambda x: x.start)
    return found

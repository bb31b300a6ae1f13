"""One place that mints IRIs and builds the RDF patterns curated, extracted and synthetic data share.

Every loader (``probkg.loaders.curated``, ``probkg.loaders.text.rdf``) and the synthetic generator
(``probkg.synth``) call these functions, so the same fact gets the same IRI whoever writes it:

* :func:`digest` is the 12-hex hash every item IRI ends with (SHA-256 over the key fields joined
  by U+001F);
* :func:`evidence_iri` names a piece of evidence by its document, the checksum of the text its
  offsets count in (one *rendition* of the document), its offsets and the account pointing at it
  (curated or extracted), so extracting one text twice, from any file, mints the same evidence;
* :func:`finding_key` normalises a quote (white space collapsed, typographic quotes and dashes
  folded, case folded), so two renditions of one document that quote the same words mint one finding;
* :func:`canonical_url` is the identity of a document that has a URL (scheme, ``www.``, trailing
  slash and fragment do not matter);
* :func:`date_literal`, :func:`month_instant`, :func:`interval`, :func:`add_evidence`,
  :func:`add_inspection_dates` and :func:`add_chief_inspector` build the shared shapes of
  ``docs/data-model.md``.

The module sits beside the namespaces, below the registry, the loaders and ``synth``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, TIME, XSD
from rdflib.term import Node

from probkg.ontology.namespaces import ID, OA, ORG, PROB

__all__ = [
    "CONTEXT",
    "INSPECTION_DATES",
    "add_chief_inspector",
    "add_evidence",
    "add_inspection_dates",
    "canonical_url",
    "chief_inspector_triples",
    "date_literal",
    "digest",
    "evidence_iri",
    "evidence_triples",
    "finding_key",
    "fingerprint",
    "interval",
    "interval_triples",
    "item_iri",
    "month_instant",
    "month_instant_triples",
    "slugify",
]

Triple = tuple[Node, Node, Node]
"""One RDF statement as the ``*_triples`` functions yield it (a graph adds it; ``synth`` writes it)."""

CONTEXT = 32
"""Characters of ``oa:prefix`` / ``oa:suffix`` kept around a quote."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def digest(*parts: object) -> str:
    """12 lower-case hex digits of SHA-256 over ``parts`` (as strings, joined by U+001F)."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


def item_iri(kind: str, doc_slug: str, *key: object) -> URIRef:
    """``id:<kind>/<doc-slug>/<digest of key>``: a finding, rating, verdict or figure of one document."""
    return ID[f"{kind}/{doc_slug}/{digest(*key)}"]


def evidence_iri(doc_slug: str, text_sha256: str, start: int, end: int, account: str = "text") -> URIRef:
    """``id:evidence/<doc-slug>/<digest>`` of the span ``[start, end)`` of the text with that checksum,
    as pointed at by one account (``curated`` or ``text``): the curated evidence and an extraction's
    evidence of one span stay two nodes, each in its own source's graph, so dropping either source
    leaves the other's evidence whole."""
    return ID[f"evidence/{doc_slug}/{digest('evidence', account, text_sha256, start, end)}"]


def finding_key(quote: str) -> str:
    """A quote as compared across renditions: NFKC, quotes and dashes folded, spaces collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", quote).translate(_FOLD)
    return " ".join(text.split()).casefold().strip(" .;:,")


SHINGLE = 4
"""Words per shingle of a quote fingerprint."""


def fingerprint(quote: str) -> frozenset[str]:
    """Hashes (8 hex) of every run of :data:`SHINGLE` words of a quote, after :func:`finding_key`.

    Two quotes that share a shingle share four words in a row: how a rendition's span is matched to a
    curated span when offsets differ, and how a text quoting another document is recognised. The
    hashes stand in for the words, so shipped fingerprints carry no sentence of a source.
    """
    words = re.findall(r"[\w']+", finding_key(quote))
    if len(words) < SHINGLE:
        return frozenset({digest("shingle", *words)[:8]}) if words else frozenset()
    return frozenset(digest("shingle", *words[i : i + SHINGLE])[:8] for i in range(len(words) - SHINGLE + 1))


def slugify(text: str, *, empty: str = "", max_length: int | None = None) -> str:
    """The one slug rule of every minted IRI: lower-case ASCII words joined by ``-``.

    Accents are dropped (``Môn`` -> ``mon``); every other run of characters that are not ASCII
    letters or digits is one ``-``, and none leads or trails. ``empty`` is returned when nothing is
    left; ``max_length`` cuts a long slug (and the ``-`` the cut may leave at its end).
    Organisation and place names go through :func:`probkg.registry.model.normalise_name` first
    (``name_slug`` there), so "the London CRC" and "London Community Rehabilitation Company" share one.
    """
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = "-".join(re.findall(r"[a-z0-9]+", folded.lower()))
    if max_length is not None:
        slug = slug[:max_length].rstrip("-")
    return slug or empty


def canonical_url(url: str | None) -> str | None:
    """A URL as document identity: https, lower-case host without ``www.``, no fragment or trailing ``/``."""
    if not url:
        return None
    m = re.match(r"^\s*(?:https?://)?([^/?#\s]+)([^#\s]*)", url.strip(), re.I)
    if not m:
        return None
    host = m.group(1).lower()
    host = host[4:] if host.startswith("www.") else host
    path = m.group(2).rstrip("/")
    return f"https://{host}{path}"


def date_literal(value: str) -> Literal:
    """``YYYY-MM-DD`` -> ``xsd:date``, ``YYYY-MM`` -> ``xsd:gYearMonth``, anything else -> ``xsd:gYear``."""
    if _DATE.match(value):
        return Literal(value, datatype=XSD.date)
    if _MONTH.match(value):
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value[:4], datatype=XSD.gYear)


def month_instant_triples(node: BNode, month: str) -> Iterator[Triple]:
    """``node`` as a ``time:Instant`` for ``YYYY-MM``: its first day as ``time:inXSDDate`` and the month
    as stated."""
    yield node, RDF.type, TIME.Instant
    yield node, TIME.inXSDDate, Literal(f"{month}-01", datatype=XSD.date)
    yield node, TIME.inXSDgYearMonth, Literal(month, datatype=XSD.gYearMonth)


def month_instant(g: Graph, month: str) -> BNode:
    """A ``time:Instant`` for ``YYYY-MM`` added to ``g`` (:func:`month_instant_triples`)."""
    node = BNode()
    for triple in month_instant_triples(node, month):
        g.add(triple)
    return node


def interval_triples(
    subject: URIRef | BNode, node: BNode, begin: str | None, end: str | None
) -> Iterator[Triple]:
    """``subject org:memberDuring node``, ``node`` a half-open ``[begin, end)`` ``time:ProperInterval``
    of months; an unknown end is omitted. The instants are blank nodes named after ``node``."""
    yield subject, ORG.memberDuring, node
    yield node, RDF.type, TIME.ProperInterval
    for rel, month, suffix in ((TIME.hasBeginning, begin, "b"), (TIME.hasEnd, end, "e")):
        if month:
            instant = BNode(f"{node}{suffix}")
            yield node, rel, instant
            yield from month_instant_triples(instant, month)


def interval(g: Graph, subject: URIRef | BNode, begin: str | None, end: str | None) -> BNode:
    """Attach ``org:memberDuring`` with a half-open ``[begin, end)`` interval (:func:`interval_triples`)."""
    node = BNode()
    for triple in interval_triples(subject, node, begin, end):
        g.add(triple)
    return node


INSPECTION_DATES: tuple[tuple[str, URIRef], ...] = (
    ("published", PROB.publicationDate),
    ("fieldwork_start", PROB.fieldworkStart),
    ("fieldwork_end", PROB.fieldworkEnd),
)
"""The dates of an inspection: the key curated and record files give it under -> property."""


def add_inspection_dates(g: Graph, inspection: URIRef, dates: Mapping[str, str | None]) -> None:
    """Write the :data:`INSPECTION_DATES` that ``dates`` gives (by key) as :func:`date_literal` s."""
    for key, prop in INSPECTION_DATES:
        value = dates.get(key)
        if value:
            g.add((inspection, prop, date_literal(value)))


def chief_inspector_triples(inspection: URIRef, person: URIRef, assoc: BNode) -> Iterator[Triple]:
    """``prob:chiefInspector``, and the same as a qualified ``prov:Association`` (``assoc``) in the
    chief inspector's role."""
    yield inspection, PROB.chiefInspector, person
    yield inspection, PROV.qualifiedAssociation, assoc
    yield assoc, RDF.type, PROV.Association
    yield assoc, PROV.agent, person
    yield assoc, PROV.hadRole, PROB.chiefInspectorRole


def add_chief_inspector(g: Graph, inspection: URIRef, person: URIRef) -> None:
    """Add :func:`chief_inspector_triples` to ``g`` with a fresh blank node."""
    for triple in chief_inspector_triples(inspection, person, BNode()):
        g.add(triple)


def add_evidence(
    g: Graph,
    *,
    doc: URIRef,
    doc_slug: str,
    text_sha256: str,
    start: int,
    end: int,
    text: str | None = None,
    account: str = "text",
) -> URIRef:
    """Add one evidence node (``oa:SpecificResource``) with its selectors to ``g`` and return its IRI.

    The position selector is always written; the quote selector (exact text, up to :data:`CONTEXT`
    characters of prefix and suffix, empty ones left out) only when ``text`` is given. The evidence
    records the checksum of the text its offsets count in (``prob:sha256``).
    """
    ev = evidence_iri(doc_slug, text_sha256, start, end, account)
    quote = None
    if text is not None:
        prefix, suffix = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
        quote = (text[start:end], prefix, suffix)
    for triple in evidence_triples(ev, doc, start, end, sha256=text_sha256, quote=quote):
        g.add(triple)
    return ev


# the terms of the evidence shape, looked up once (synth writes hundreds of thousands of them)
_TYPE, _SHA256, _NNI = RDF.type, PROB.sha256, XSD.nonNegativeInteger
_SPECIFIC, _HAS_SOURCE, _HAS_SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
_QUOTE, _EXACT, _PREFIX, _SUFFIX = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
_POSITION, _START, _END = OA.TextPositionSelector, OA.start, OA.end


def evidence_triples(
    ev: URIRef,
    doc: URIRef,
    start: int,
    end: int,
    *,
    sha256: str | None,
    quote: tuple[str, str, str] | None = None,
) -> Iterator[Triple]:
    """The shape of one evidence node ``ev`` (an ``oa:SpecificResource`` of ``doc``): the checksum of
    the text its offsets count in (when known), the quote selector ``(exact, prefix, suffix)`` when
    given (empty prefix or suffix left out) and the position selector ``[start, end)``."""
    position = URIRef(f"{ev}#position")
    yield ev, _TYPE, _SPECIFIC
    yield ev, _HAS_SOURCE, doc
    if sha256 is not None:
        yield ev, _SHA256, Literal(sha256)
    if quote is not None:
        exact, prefix, suffix = quote
        selector = URIRef(f"{ev}#quote")
        yield ev, _HAS_SELECTOR, selector
        yield ev, _HAS_SELECTOR, position
        yield selector, _TYPE, _QUOTE
        yield selector, _EXACT, Literal(exact)
        if prefix:
            yield selector, _PREFIX, Literal(prefix)
        if suffix:
            yield selector, _SUFFIX, Literal(suffix)
    else:
        yield ev, _HAS_SELECTOR, position
    yield position, _TYPE, _POSITION
    yield position, _START, Literal(start, datatype=_NNI)
    yield position, _END, Literal(end, datatype=_NNI)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Code points two half-open spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def spans_of(g: Graph, node: URIRef) -> Iterable[tuple[int, int]]:
    """The ``(start, end)`` of each position selector of ``node``'s evidence in ``g``."""
    for ev in g.objects(node, PROB.hasEvidence):
        for sel in g.objects(ev, OA.hasSelector):
            start, end = g.value(sel, OA.start), g.value(sel, OA.end)
            if isinstance(start, Literal) and isinstance(end, Literal):
                yield int(start.toPython()), int(end.toPython())

"""Typed results of one extraction: what ``probkg extract`` prints, field for field.

:func:`probkg.loaders.text.extract.extract_document` fills an :class:`ExtractionResult`;
:meth:`ExtractionResult.to_json` is the JSON object of ``probkg extract --format json`` (keys in the
order of the fields below), and :mod:`probkg.loaders.text.rdf` reads the attributes. Every item
carries ``quote`` = ``text[start:end]`` in code points of the text as read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EarlierInspection",
    "ExtractionResult",
    "Figure",
    "Finding",
    "FoundOrganisation",
    "Inspection",
    "Mention",
    "Ownership",
    "Rating",
    "Source",
]


@dataclass
class Source:
    """The document: where it came from and what the offsets count in."""

    path: str | None
    url: str | None
    title: str | None
    published: str | None
    """``YYYY-MM-DD`` stated in the text, else ``YYYY-MM`` from the URL, else ``None``."""
    offsets: str


@dataclass
class Mention:
    """One place that names an organisation."""

    text: str
    start: int
    end: int


@dataclass
class FoundOrganisation:
    """An organisation the text names (registry IRI or ``id:org/unresolved/<slug>``) with its mentions."""

    iri: str
    label: str
    kind: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Ownership:
    """``owner`` owns (or runs) ``owned``, as a sentence says."""

    owner: str
    owned: str
    quote: str
    start: int
    end: int


@dataclass
class Inspection:
    """The inspection the text reports on."""

    iri: str
    inspected: list[str]
    """IRIs of the inspected providers."""
    published: str | None
    areas: list[str]
    chief_inspector: str | None
    type: str | None
    """A label of ``prob:InspectionTypeScheme``."""


@dataclass
class Rating:
    """A rating of a provider, overall or of one aspect (a standard)."""

    provider: str
    aspect: str
    value: str
    quote: str
    start: int
    end: int


@dataclass
class Finding:
    """One judgement: about which providers, its polarity and theme."""

    about: list[str]
    polarity: str
    theme: str
    quote: str
    start: int
    end: int


@dataclass
class Figure:
    """A number the text gives, with what it measures."""

    value: int | float
    qualifier: str | None
    measure: str
    about: str | None
    as_of: str | None
    quote: str
    start: int
    end: int


@dataclass
class EarlierInspection:
    """An earlier inspection the text mentions (not in the JSON; the RDF links it)."""

    date: str
    inspected: list[str]
    quote: str
    start: int
    end: int
    follow_up: bool


@dataclass
class ExtractionResult:
    """Everything read from one document, as ``probkg extract`` shows it."""

    source: Source
    organisations: list[FoundOrganisation]
    ownership: list[Ownership]
    inspections: list[Inspection]
    ratings: list[Rating]
    findings: list[Finding]
    figures: list[Figure]

    def to_json(self) -> dict[str, Any]:
        """The JSON object (plain dicts and lists, keys in field order)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExtractionResult:
        """The result from its JSON object (as :meth:`to_json` writes it)."""
        return cls(
            source=Source(**data["source"]),
            organisations=[
                FoundOrganisation(**{**o, "mentions": [Mention(**m) for m in o["mentions"]]})
                for o in data["organisations"]
            ],
            ownership=[Ownership(**o) for o in data["ownership"]],
            inspections=[Inspection(**i) for i in data["inspections"]],
            ratings=[Rating(**r) for r in data["ratings"]],
            findings=[Finding(**f) for f in data["findings"]],
            figures=[Figure(**f) for f in data["figures"]],
        )

"""The curated organisation registry, as typed Python objects.

The registry (``probkg/registry/data/registry.yaml``) lists every probation provider of
2014-2021 in England and Wales (the 21 Community Rehabilitation Companies, the National
Probation Service and its seven divisions), the companies that owned the CRCs and when,
the areas each provider served, HM Inspectorate of Probation and its chief inspectors.
Every fact cites the page it comes from.

Typical use, e.g. for entity linking in a text extractor::

    from probkg.registry.model import load_registry

    reg = load_registry()                       # the shipped file, parsed once and cached
    org = reg.find("Kent, Surrey & Sussex CRC")  # -> Organisation or None
    org.iri                                     # 'https://w3id.org/probation-kg/id/org/kent-surrey-and-sussex-crc'
    reg.candidates("Londn CRC")                 # closest organisations, best first
    reg.by_place("Gwent")                       # providers serving Gwent: Wales CRC, NPS Wales division
    reg.owners_of("wales-crc", on="2018-06-01")  # [OwnershipPeriod(owner Working Links ...)]
    reg.person("HM Chief Inspector Dame Glenys Stacy")  # -> Person (misspelling and titles tolerated)

All objects are immutable and safe to share. Organisations, owners and people may be given
to the methods by slug (``"wales-crc"``), by IRI or as the object itself.

Malformed registry files raise :class:`probkg.errors.InputError` naming the file, the line
and the field (``organisations[12].owners[0].owner``).

This module only needs PyYAML and the standard library, so importing it is cheap.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import difflib
import functools
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from probkg.errors import InputError
from probkg.ontology.mint import slugify
from probkg.ontology.namespaces import ID_IRI

__all__ = [
    "DATE",
    "ID_BASE",
    "KINDS",
    "Area",
    "FieldReader",
    "Organisation",
    "OwnerChange",
    "OwnershipPeriod",
    "Parent",
    "Person",
    "Post",
    "Registry",
    "build_registry",
    "load_registry",
    "name_slug",
    "normalise_name",
    "shipped_registry_path",
]

ID_BASE = ID_IRI
"""Namespace of things (the ``id:`` prefix); every IRI in the registry starts with it."""

KINDS: tuple[str, ...] = ("CRC", "NPSDivision", "NPS", "Owner", "Inspectorate", "Other")
"""Organisation kinds, in the order :meth:`Registry.by_place` and friends sort them."""

_ROLES = ("chief-inspector",)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_WHAT = "a slug (lower-case ASCII words joined by '-')"
_MONTH = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")
_DAY = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$")
DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
"""A date as curated files write it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""


# ----------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class OwnershipPeriod:
    """One owner holding one provider for a span of months.

    ``begin`` and ``end`` are ``'YYYY-MM'`` strings or ``None`` when the source does not say.
    The span is half-open: the owner held the provider from the first day of ``begin`` up to,
    not including, the first day of ``end``. ``iri`` follows the contract pattern
    ``id:ownership/<owned>/<owner>/<begin>`` (``unknown`` when ``begin`` is ``None``).
    ``unverified`` marks a hypothesis; ``note`` then says what is missing.
    """

    iri: str
    owner_iri: str
    owned_iri: str
    begin: str | None
    end: str | None
    unverified: bool = False
    sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def owner_slug(self) -> str:
        return _slug_of(self.owner_iri)

    @property
    def owned_slug(self) -> str:
        return _slug_of(self.owned_iri)

    def covers(self, on: _dt.date | str | None) -> bool:
        """True when the period includes the day ``on`` (``None``: always true).

        ``on`` is a :class:`datetime.date` or ``'YYYY-MM-DD'``/``'YYYY-MM'`` (a month means its
        first day). An unknown beginning or end is treated as open.
        """
        if on is None:
            return True
        day = _as_date(on)
        if self.begin is not None and day < _month_start(self.begin):
            return False
        return not (self.end is not None and day >= _month_start(self.end))


@dataclass(frozen=True)
class OwnerChange:
    """A provider passing from one owner to another in a given month (``'YYYY-MM'``).

    ``iri`` is ``id:event/<owned>/owner-change/<date>``; ``ended`` and ``started`` are the IRIs
    of the ownership periods the change closes and opens.
    """

    iri: str
    owned_iri: str
    date: str
    from_owner_iri: str
    to_owner_iri: str
    ended: str
    started: str
    sources: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Parent:
    """An organisation holding a share in (or leading) an owner, e.g. MTC in MTCnovo."""

    parent_iri: str
    owner_iri: str
    begin: str | None = None
    end: str | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Area:
    """An area providers serve: a contract package area, an NPS division's area or a place inside one.

    ``covers`` lists the counties, cities and districts inside it as people name them;
    ``within`` is the slug of a larger area. ``gss`` is the ONS code when known.
    """

    iri: str
    slug: str
    label: str
    gss: str | None = None
    within: str | None = None
    covers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    unverified: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Organisation:
    """A provider, owner, inspectorate or other organisation in the registry.

    ``kind`` is one of :data:`KINDS`. ``label`` is the official name, ``short_label`` the
    usual short form (``None`` if there is none), ``aliases`` every other name it is known by
    (short forms included). ``areas`` are the place names the organisation's area covers
    (the area's own name first). ``owners`` are the ownership periods of a provider, oldest
    first. ``unit_of`` is the IRI of the parent organisation of an NPS division.
    ``unverified`` is true when the organisation's own entry is a hypothesis (a division
    whose naming the sources do not settle, for example); unverified ownership is flagged on
    the :class:`OwnershipPeriod` instead. ``short_labels`` are the short forms among the
    aliases (``short_label`` is the first of them).
    """

    iri: str
    slug: str
    kind: str
    label: str
    short_label: str | None = None
    aliases: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    owners: tuple[OwnershipPeriod, ...] = ()
    unit_of: str | None = None
    unverified: bool = False
    area: str | None = None
    based_in: str | None = None
    linked_to: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    description: str | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None
    short_labels: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The label followed by every alias."""
        return (self.label, *self.aliases)

    @property
    def is_provider(self) -> bool:
        """True for CRCs, NPS divisions and the NPS itself."""
        return self.kind in ("CRC", "NPSDivision", "NPS")


@dataclass(frozen=True)
class Post:
    """A person holding a role (``chief-inspector``) in an organisation for a span of months."""

    person_iri: str
    org_iri: str
    role: str
    begin: str | None
    end: str | None
    unverified: bool = False
    sources: tuple[str, ...] = ()
    note: str | None = None

    def covers(self, on: _dt.date | str | None) -> bool:
        """True when the post was held on ``on``; same rules as :meth:`OwnershipPeriod.covers`."""
        return OwnershipPeriod("", "", "", self.begin, self.end).covers(on)


@dataclass(frozen=True)
class Person:
    """A person named in the registry (chief inspectors).

    ``name`` is the plain name (``foaf:name``), ``label`` the name with any title
    (``"Dame Glenys Stacey"``), ``aliases`` the spellings met in sources.
    """

    iri: str
    slug: str
    name: str
    label: str
    aliases: tuple[str, ...] = ()
    posts: tuple[Post, ...] = ()


# ----------------------------------------------------------------------------- name matching

_LONG_FORMS = (
    (re.compile(r"\bcommunity rehabilitation company\b"), "crc"),
    (re.compile(r"\bnational probation service\b"), "nps"),
)
_TITLES = re.compile(
    r"^(?:(?:her|his) majesty s |hm |hmi )?(?:chief inspector(?: of probation)? )?"
    r"(?:dame |sir |dr |mr |mrs |ms |miss |professor |prof )*"
)


def normalise_name(name: str) -> str:
    """The key names are compared by.

    Case, accents, punctuation and spacing are ignored, ``&`` equals ``and``, a leading
    ``the`` is dropped, "Community Rehabilitation Company" becomes "crc" and "National
    Probation Service" becomes "nps", and a word repeated right after itself is kept once
    (so "London Community Rehabilitation Company (CRC)" equals "London CRC").
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("&", " and ").replace("’", "'").replace("'", "")
    text = re.sub(r"[^\w\s]|_", " ", text)
    text = " ".join(text.split())
    for pattern, short in _LONG_FORMS:
        text = pattern.sub(short, text)
    words: list[str] = []
    for word in text.split():
        if not words and word == "the":
            continue
        if words and words[-1] == word:
            continue
        words.append(word)
    return " ".join(words)


def name_slug(name: str, *, empty: str = "", max_length: int | None = None) -> str:
    """The slug of a name as names are compared (:func:`normalise_name`), by the one slug rule
    (:func:`probkg.ontology.mint.slugify`): "the London CRC" -> ``london-crc``."""
    return slugify(normalise_name(name), empty=empty, max_length=max_length)


def _person_key(name: str) -> str:
    return _TITLES.sub("", normalise_name(name) + " ").strip()


# ----------------------------------------------------------------------------- the registry


class Registry:
    """Organisations, areas, ownership and people of the curated registry.

    Build one with :func:`load_registry`. The attributes are read-only tuples/dicts:
    ``organisations`` (file order), ``areas``, ``people``, ``ownerships`` (every
    :class:`OwnershipPeriod`), ``owner_changes``, ``parents``, ``places`` (slug -> label of
    places that are not areas, e.g. countries) and ``place_sources``, ``path`` (the file read) and
    ``checksum`` (SHA-256 of its bytes).
    """

    def __init__(
        self,
        *,
        organisations: Sequence[Organisation],
        areas: Sequence[Area],
        people: Sequence[Person],
        owner_changes: Sequence[OwnerChange],
        parents: Sequence[Parent],
        places: Mapping[str, str],
        place_sources: Mapping[str, tuple[str, ...]] | None = None,
        path: str,
        checksum: str,
    ) -> None:
        self.organisations: tuple[Organisation, ...] = tuple(organisations)
        self.areas: tuple[Area, ...] = tuple(areas)
        self.people: tuple[Person, ...] = tuple(people)
        self.owner_changes: tuple[OwnerChange, ...] = tuple(owner_changes)
        self.parents: tuple[Parent, ...] = tuple(parents)
        self.places: dict[str, str] = dict(places)
        self.place_sources: dict[str, tuple[str, ...]] = dict(place_sources or {})
        self.path = path
        self.checksum = checksum
        self.ownerships: tuple[OwnershipPeriod, ...] = tuple(p for o in self.organisations for p in o.owners)
        self._by_iri = {o.iri: o for o in self.organisations}
        self._area_by_slug = {a.slug: a for a in self.areas}
        self._names: dict[str, Organisation] = {}
        for org in self.organisations:
            for name in org.names:
                self._names.setdefault(normalise_name(name), org)
        self._person_names: dict[str, Person] = {}
        for person in self.people:
            for name in (person.name, person.label, *person.aliases):
                self._person_names.setdefault(_person_key(name), person)
        # Place index for by_place, which a text loader calls for every sentence: each normalised
        # area or place name -> the slugs of that area and the areas it lies within.
        self._place_areas: dict[str, set[str]] = {}
        for area in self.areas:
            chain = set(self._area_and_ancestors(area))
            for n in (area.label, *area.covers):
                self._place_areas.setdefault(normalise_name(n), set()).update(chain)
        self._orgs_by_area: dict[str, list[Organisation]] = {}
        for org in self.organisations:
            if org.area:
                self._orgs_by_area.setdefault(org.area, []).append(org)
        self._by_place: dict[str, tuple[Organisation, ...]] = {}

    # -- lookup -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Organisation]:
        return iter(self.organisations)

    def __len__(self) -> int:
        return len(self.organisations)

    def get(self, ref: str | Organisation) -> Organisation | None:
        """The organisation with this slug or IRI (``None`` if there is none). Names are not matched."""
        if isinstance(ref, Organisation):
            return ref
        return self._by_iri.get(ref) or self._by_iri.get(ID_BASE + "org/" + ref)

    def __getitem__(self, ref: str) -> Organisation:
        org = self.get(ref)
        if org is None:
            raise KeyError(ref)
        return org

    def of_kind(self, kind: str) -> list[Organisation]:
        """All organisations of one kind (``"CRC"``, ``"Owner"``, ...), in file order."""
        if kind not in KINDS:
            raise ValueError(f"unknown organisation kind {kind!r}; expected one of {', '.join(KINDS)}")
        return [o for o in self.organisations if o.kind == kind]

    def area(self, slug: str) -> Area | None:
        """The area with this slug or IRI, or ``None``."""
        return self._area_by_slug.get(_slug_of(slug) if slug.startswith(ID_BASE) else slug)

    def find(self, name: str) -> Organisation | None:
        """The organisation known by ``name``, or ``None``.

        Matches the official name, the short forms and the aliases after
        :func:`normalise_name`, so "the London CRC", "London Community Rehabilitation Company
        (CRC)", "Kent, Surrey & Sussex CRC", "DDC", "NPS Wales" and "Midlands division" all
        resolve. A slug or an IRI of the registry is accepted too. No fuzzy matching: use
        :meth:`candidates` for that.
        """
        direct = self.get(name.strip())
        if direct is not None:
            return direct
        return self._names.get(normalise_name(name))

    def candidates(self, name: str, n: int = 5, cutoff: float = 0.6) -> list[Organisation]:
        """Up to ``n`` organisations whose names are closest to ``name``, best first.

        Similarity is :class:`difflib.SequenceMatcher`'s ratio on normalised names (the best
        over an organisation's label and aliases); organisations scoring below ``cutoff``
        are left out. An exact match comes first. Meant for "did you mean" messages and
        for linking misspelt names.
        """
        key = normalise_name(name)
        if not key:
            return []
        scores: dict[str, float] = {}
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for norm, org in self._names.items():
            matcher.set_seq1(norm)
            score = matcher.ratio()
            if score >= cutoff and score > scores.get(org.iri, -1.0):
                scores[org.iri] = score
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self._by_iri[kv[0]].label))
        return [self._by_iri[iri] for iri, _ in ranked[:n]]

    # -- ownership ----------------------------------------------------------------------

    def owners_of(self, org: str | Organisation, on: _dt.date | str | None = None) -> list[OwnershipPeriod]:
        """Ownership periods of a provider, oldest first; with ``on``, only those covering that day.

        ``org`` is a slug, an IRI or an :class:`Organisation`; ``on`` a :class:`datetime.date`
        or ``'YYYY-MM-DD'``/``'YYYY-MM'``. Check ``unverified`` on each period before
        stating it as fact. Raises :class:`KeyError` for an organisation not in the registry.
        """
        target = self[org] if isinstance(org, str) else org
        return [p for p in target.owners if p.covers(on)]

    def owned_by(self, owner: str | Organisation, on: _dt.date | str | None = None) -> list[OwnershipPeriod]:
        """Ownership periods in which ``owner`` held a provider (optionally on a given day), in file order."""
        target = self[owner] if isinstance(owner, str) else owner
        return [p for p in self.ownerships if p.owner_iri == target.iri and p.covers(on)]

    def parents_of(self, owner: str | Organisation) -> list[Parent]:
        """The organisations holding a share in, or leading, ``owner`` (e.g. MTC and novo for MTCnovo)."""
        target = self[owner] if isinstance(owner, str) else owner
        return [p for p in self.parents if p.owner_iri == target.iri]

    def units_of(self, org: str | Organisation) -> list[Organisation]:
        """Organisational units (NPS divisions) of ``org``."""
        target = self[org] if isinstance(org, str) else org
        return [o for o in self.organisations if o.unit_of == target.iri]

    # -- places -------------------------------------------------------------------------

    def by_place(self, place: str) -> list[Organisation]:
        """Organisations serving a county, city, district or area, CRCs first then NPS divisions.

        ``place`` is matched (see :func:`normalise_name`) against area names and the places
        each area lists as covered; an area inside a larger one (north London in London)
        also counts as the larger one. When nothing matches exactly, areas whose names
        contain all the words given are used ("Yorkshire" finds the West, South and North
        Yorkshire providers). Returns an empty list for an unknown place.
        """
        key = normalise_name(place)
        if key not in self._by_place:
            wanted = set(self._place_areas.get(key, ()))
            if key and not wanted:
                words = set(key.split())
                for name, slugs in self._place_areas.items():
                    if words <= set(name.split()):
                        wanted |= slugs
            found = {o for slug in wanted for o in self._orgs_by_area.get(slug, ())}
            self._by_place[key] = tuple(sorted(found, key=lambda o: (KINDS.index(o.kind), o.label)))
        return list(self._by_place[key])

    def _area_and_ancestors(self, area: Area) -> Iterator[str]:
        seen: set[str] = set()
        current: Area | None = area
        while current is not None and current.slug not in seen:
            seen.add(current.slug)
            yield current.slug
            current = self._area_by_slug.get(current.within) if current.within else None

    # -- people -------------------------------------------------------------------------

    def person(self, name: str) -> Person | None:
        """The person known by ``name``, or ``None``.

        Titles and roles in front of the name are ignored ("Dame", "Sir", "HM Chief Inspector
        of Probation", "Chief Inspector"), as are case and punctuation; spellings met in the
        sources ("Glenys Stacy") are aliases. A surname alone matches when only one person has it.
        A person's slug or IRI is accepted too.
        """
        for person in self.people:
            if name in (person.slug, person.iri):
                return person
        key = _person_key(name)
        if not key:
            return None
        hit = self._person_names.get(key)
        if hit is not None or " " in key:
            return hit
        by_surname = {p.iri: p for k, p in self._person_names.items() if k.split()[-1] == key}
        return next(iter(by_surname.values())) if len(by_surname) == 1 else None

    def chief_inspector_on(self, on: _dt.date | str) -> list[Person]:
        """People holding the chief inspector post at HM Inspectorate of Probation on a day.

        Usually one person, none when the registry has no post covering the day. The posts'
        dates may be unverified (see :attr:`Post.unverified`).
        """
        return [
            p
            for p in self.people
            if any(post.role == "chief-inspector" and post.covers(on) for post in p.posts)
        ]


# ----------------------------------------------------------------------------- YAML with line numbers


MAX_YAML_BYTES = 20 * 1024 * 1024
"""Largest YAML file read, in bytes."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and lists accepted in a YAML file."""


class _Loader(yaml.SafeLoader):
    """Safe YAML loading that keeps dates as text, so they are checked (and reported) by our code.

    Aliases (``*name``, and so ``<<`` merges) are refused: expanding them is how a few hundred bytes
    become gigabytes. Nesting deeper than :data:`MAX_YAML_DEPTH` is refused too.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*name) are not accepted", mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_YAML_DEPTH} levels", mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LocatedYaml:
    """A parsed YAML file that remembers the line of every field, for error messages.

    ``data`` is what :func:`yaml.safe_load` returns. :meth:`error` builds an
    :class:`InputError` naming the file, the line of a field (given as a path of keys and
    indexes) and the field path itself. Used by this module and :mod:`probkg.loaders.curated`.
    """

    def __init__(self, raw: bytes, path: str) -> None:
        self.path = path
        self.raw = raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from None
        if not text.strip():
            raise InputError("empty file", path=path)
        if len(raw) > MAX_YAML_BYTES:
            raise InputError(
                f"file too large ({len(raw):,} bytes; the limit is {MAX_YAML_BYTES:,})", path=path
            )
        try:
            node = yaml.compose(text, Loader=_Loader)
            self.data = _Loader(text).construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(
                f"malformed YAML: {problem}",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        self._lines: dict[tuple[Any, ...], int] = {}
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, at: tuple[Any, ...]) -> None:
        self._lines.setdefault(at, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
                self._lines[(*at, name)] = key.start_mark.line + 1
                self._index(value, (*at, name))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*at, i))

    def line(self, at: Sequence[Any]) -> int | None:
        """Line (1-based) of the field at ``at``, or of its nearest ancestor the file has."""
        at = tuple(at)
        while at:
            if at in self._lines:
                return self._lines[at]
            at = at[:-1]
        return self._lines.get(())

    def error(self, at: Sequence[Any], message: str) -> InputError:
        """An :class:`InputError` for the field at ``at``: ``file:line: field.path: message``."""
        return InputError(
            f"{field_path(at)}: {message}" if at else message, path=self.path, line=self.line(at)
        )


def field_path(at: Sequence[Any]) -> str:
    """``('organisations', 3, 'owners', 0, 'owner')`` -> ``organisations[3].owners[0].owner``."""
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class FieldReader:
    """Typed access to fields of a :class:`LocatedYaml`, raising located errors."""

    def __init__(self, doc: LocatedYaml) -> None:
        self.doc = doc

    def map(self, value: Any, at: tuple[Any, ...], known: Iterable[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.doc.error(at, f"expected a mapping, found {_type_name(value)}")
        if known is not None:
            allowed = set(known)
            for key in value:
                if key not in allowed:
                    expected = ", ".join(sorted(allowed))
                    raise self.doc.error((*at, key), f"unknown field; expected one of {expected}")
        return value

    def list(self, value: Any, at: tuple[Any, ...]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.doc.error(at, f"expected a list, found {_type_name(value)}")
        return value

    def str(
        self,
        m: Mapping[str, Any],
        key: str,
        at: tuple[Any, ...],
        *,
        required: bool = True,
        choices: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> str | None:
        value = m.get(key)
        where = (*at, key)
        if value is None:
            if required and key not in m:
                raise self.doc.error(at, f"missing required field {key!r}")
            if required:
                raise self.doc.error(where, "must not be empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.doc.error(where, f"expected text, found {_type_name(value)}")
        text = str(value).strip()
        if choices is not None and text not in choices:
            raise self.doc.error(where, f"unknown value {text!r}; expected one of {', '.join(choices)}")
        if pattern is not None and not pattern.match(text):
            raise self.doc.error(where, f"{text!r} is not {what or 'valid'}")
        return text

    def strs(
        self, m: Mapping[builtins.str, Any], key: builtins.str, at: tuple[Any, ...]
    ) -> tuple[builtins.str, ...]:
        value = m.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else self.list(value, (*at, key))
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.doc.error(
                    (*at, key, i) if not isinstance(value, str) else (*at, key),
                    f"expected text, found {_type_name(item)}",
                )
            out.append(item.strip())
        return tuple(out)

    def bool(self, m: Mapping[builtins.str, Any], key: builtins.str, at: tuple[Any, ...]) -> bool:
        value = m.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.doc.error((*at, key), f"expected true or false, found {_type_name(value)}")
        return value

    def date(
        self, m: Mapping[builtins.str, Any], key: builtins.str, at: tuple[Any, ...]
    ) -> builtins.str | None:
        """A :data:`DATE` (YAML's own dates and bare years accepted) that is a real day, or ``None``."""
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, _dt.date):
            value = value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = builtins.str(value)
        if not isinstance(value, builtins.str) or not DATE.match(value):
            raise self.doc.error(
                (*at, key), f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {value!r}"
            )
        try:
            if len(value) == 10:
                _dt.date.fromisoformat(value)
        except ValueError:
            raise self.doc.error((*at, key), f"{value!r} is not a real date") from None
        return value

    def month(
        self, m: Mapping[builtins.str, Any], key: builtins.str, at: tuple[Any, ...]
    ) -> builtins.str | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, _dt.date) or not isinstance(value, str) or not _MONTH.match(value):
            raise self.doc.error((*at, key), f"expected a month as YYYY-MM or null, found {value!r}")
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


# ----------------------------------------------------------------------------- building the registry

_TOP = ("kind", "schema_version", "urls", "periods", "places", "areas", "organisations", "people")
_AREA = ("slug", "label", "gss", "within", "covers", "sources", "unverified", "note")
_ORG = (
    "slug",
    "kind",
    "label",
    "short",
    "aliases",
    "area",
    "unit_of",
    "based_in",
    "linked_to",
    "replaces",
    "description",
    "owners",
    "owner_changes",
    "parents",
    "sources",
    "unverified",
    "note",
)
_OWNER = ("owner", "period", "from", "to", "sources", "unverified", "note")
_CHANGE = ("date", "from", "to", "sources", "note")
_PARENT = ("org", "from", "to", "sources", "note")
_PERSON = ("name", "label", "aliases", "posts")
_POST = ("org", "role", "from", "to", "sources", "unverified", "note")


def build_registry(doc: LocatedYaml) -> Registry:
    """The registry of a located ``kind: registry`` YAML document (every error names file, line, field)."""
    return _Builder(doc).build()


class _Builder:
    """Reads a registry document in the order its parts depend on each other: the header and URL keys,
    periods and places, the slugs of areas and organisations (so references can be checked), then
    areas, organisations with their owners over time, people, and last the checks across entries."""

    def __init__(self, doc: LocatedYaml) -> None:
        self.doc = doc
        self.r = FieldReader(doc)
        self.urls: dict[str, str] = {}
        self.periods: dict[str, tuple[str | None, str | None, tuple[str, ...]]] = {}
        self.places: dict[str, str] = {}
        self.place_sources: dict[str, tuple[str, ...]] = {}
        self.area_slugs: dict[str, int] = {}
        self.org_index: dict[str, tuple[int, str]] = {}
        self.areas: list[Area] = []
        self.organisations: list[Organisation] = []
        self.changes: list[OwnerChange] = []
        self.parents: list[Parent] = []
        self.people: list[Person] = []

    def build(self) -> Registry:
        doc, r = self.doc, self.r
        top = r.map(doc.data, (), _TOP)
        if top.get("kind") != "registry":
            raise doc.error(("kind",), f"expected 'registry', found {top.get('kind')!r}")
        if top.get("schema_version") != 1:
            version = top.get("schema_version")
            raise doc.error(("schema_version",), f"unsupported schema_version {version!r}; expected 1")
        self.read_urls(top)
        self.read_periods(top)
        self.read_places(top)
        raw_areas = r.list(top.get("areas"), ("areas",))
        raw_orgs = r.list(top.get("organisations"), ("organisations",))
        self.index_slugs(raw_areas, raw_orgs)
        # areas, now that we know every slug
        self.areas = [self.area(i, spec) for i, spec in enumerate(raw_areas)]
        for i, spec in enumerate(raw_orgs):
            self.organisations.append(self.organisation(i, spec))
        self.inherit_area_sources(raw_orgs)
        for slug, raw_spec in r.map(top.get("people") or {}, ("people",)).items():
            self.people.append(self.person(slug, raw_spec))
        self.check_names_unique()
        return Registry(
            organisations=self.organisations,
            areas=self.areas,
            people=self.people,
            owner_changes=self.changes,
            parents=self.parents,
            places=self.places,
            place_sources=self.place_sources,
            path=doc.path,
            checksum=hashlib.sha256(doc.raw).hexdigest(),
        )

    # ---- header, URL keys, periods, places -----------------------------------------------------

    def read_urls(self, top: Mapping[str, Any]) -> None:
        for key, url in self.r.map(top.get("urls") or {}, ("urls",)).items():
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise self.doc.error(("urls", key), f"expected an http(s) URL, found {url!r}")
            self.urls[str(key)] = url

    def sources(self, m: Mapping[str, Any], at: tuple[Any, ...], *, required: bool = True) -> tuple[str, ...]:
        """The ``sources`` of an entry: URLs, or keys of ``urls``; at least one unless not ``required``."""
        keys = self.r.strs(m, "sources", at)
        if required and not keys:
            raise self.doc.error(at, "cites no source: add 'sources' with at least one URL key")
        out = []
        for i, k in enumerate(keys):
            if k.startswith(("http://", "https://")):
                out.append(k)
            elif k in self.urls:
                out.append(self.urls[k])
            else:
                raise self.doc.error((*at, "sources", i), f"unknown URL key {k!r}; add it under 'urls'")
        return tuple(dict.fromkeys(out))

    def read_periods(self, top: Mapping[str, Any]) -> None:
        r = self.r
        for name, raw_spec in r.map(top.get("periods") or {}, ("periods",)).items():
            at = ("periods", name)
            spec = r.map(raw_spec, at, ("from", "to", "sources"))
            self.periods[str(name)] = (
                r.month(spec, "from", at),
                r.month(spec, "to", at),
                self.sources(spec, at),
            )

    def read_places(self, top: Mapping[str, Any]) -> None:
        r = self.r
        for slug, raw_spec in r.map(top.get("places") or {}, ("places",)).items():
            at = ("places", slug)
            if not _SLUG.match(str(slug)):
                raise self.doc.error(at, f"{slug!r} is not a {_SLUG_WHAT}")
            spec = r.map(raw_spec, at, ("label", "sources"))
            self.place_sources[str(slug)] = self.sources(spec, at)
            self.places[str(slug)] = r.str(spec, "label", at) or ""

    # ---- slugs and references ------------------------------------------------------------------

    def index_slugs(self, raw_areas: list[Any], raw_orgs: list[Any]) -> None:
        """Every area and organisation slug (and kind), each once, before any reference is read."""
        r = self.r
        for i, raw_spec in enumerate(raw_areas):
            spec = r.map(raw_spec, ("areas", i), _AREA)
            area_slug = r.str(spec, "slug", ("areas", i), pattern=_SLUG, what=_SLUG_WHAT) or ""
            if area_slug in self.area_slugs:
                raise self.doc.error(("areas", i, "slug"), f"duplicate area slug {area_slug!r}")
            self.area_slugs[area_slug] = i
        for i, raw_spec in enumerate(raw_orgs):
            at = ("organisations", i)
            spec = r.map(raw_spec, at, _ORG)
            slug = r.str(spec, "slug", at, pattern=_SLUG, what=_SLUG_WHAT) or ""
            kind = r.str(spec, "kind", at, choices=KINDS) or ""
            if slug in self.org_index:
                raise self.doc.error((*at, "slug"), f"duplicate organisation slug {slug!r}")
            self.org_index[slug] = (i, kind)

    def org_ref(
        self,
        m: Mapping[str, Any],
        key: str,
        at: tuple[Any, ...],
        *,
        kinds: Sequence[str] = KINDS,
        required: bool = True,
    ) -> str | None:
        """The IRI of the organisation slug ``m[key]``, which must be of one of ``kinds``."""
        slug = self.r.str(m, key, at, required=required)
        if slug is None:
            return None
        index = self.org_index
        if slug not in index:
            close = difflib.get_close_matches(slug, list(index), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.doc.error((*at, key), f"unknown organisation slug {slug!r}{hint}")
        if index[slug][1] not in kinds:
            raise self.doc.error((*at, key), f"{slug!r} is a {index[slug][1]}, expected {' or '.join(kinds)}")
        return ID_BASE + "org/" + slug

    def org_refs(self, m: Mapping[str, Any], key: str, at: tuple[Any, ...]) -> tuple[str, ...]:
        slugs = self.r.strs(m, key, at)
        return tuple(self.org_ref({key: s}, key, at) or "" for s in slugs) if slugs else ()

    # ---- areas ---------------------------------------------------------------------------------

    def area(self, i: int, spec: Mapping[str, Any]) -> Area:
        r = self.r
        at = ("areas", i)
        slug = str(spec["slug"])
        within = r.str(spec, "within", at, required=False)
        if within is not None and within not in self.area_slugs:
            raise self.doc.error((*at, "within"), f"unknown area slug {within!r}")
        gss = r.str(
            spec,
            "gss",
            at,
            required=False,
            pattern=re.compile(r"^[EWSNK]\d{8}$"),
            what="an ONS GSS code (letter + 8 digits)",
        )
        return Area(
            iri=ID_BASE + "area/" + slug,
            slug=slug,
            label=r.str(spec, "label", at) or "",
            gss=gss,
            within=within,
            covers=r.strs(spec, "covers", at),
            sources=self.sources(spec, at, required=False),
            unverified=r.bool(spec, "unverified", at),
            note=r.str(spec, "note", at, required=False),
        )

    def inherit_area_sources(self, raw_orgs: list[Any]) -> None:
        """An area citing no source cites those of the organisations serving it."""
        org_sources_by_area: dict[str, list[str]] = {}
        for spec in raw_orgs:
            if spec.get("area"):
                org_sources_by_area.setdefault(str(spec["area"]), [])
        for org in self.organisations:
            if org.area:
                org_sources_by_area[org.area].extend(org.sources)
        for i, a in enumerate(self.areas):
            if not a.sources:
                inherited = tuple(dict.fromkeys(org_sources_by_area.get(a.slug, [])))
                if not inherited:
                    raise self.doc.error(
                        ("areas", self.area_slugs[a.slug]), "cites no source and no organisation serves it"
                    )
                self.areas[i] = Area(**{**a.__dict__, "sources": inherited})

    # ---- organisations -------------------------------------------------------------------------

    def organisation(self, i: int, spec: Mapping[str, Any]) -> Organisation:
        doc, r = self.doc, self.r
        at = ("organisations", i)
        slug = str(spec["slug"])
        iri = ID_BASE + "org/" + slug
        kind = str(spec["kind"])
        area = r.str(spec, "area", at, required=False)
        if area is not None and area not in self.area_slugs:
            raise doc.error((*at, "area"), f"unknown area slug {area!r}")
        based_in = r.str(spec, "based_in", at, required=False)
        if based_in is not None and based_in not in self.places:
            raise doc.error((*at, "based_in"), f"unknown place slug {based_in!r}; add it under 'places'")
        unit_of = self.org_ref(spec, "unit_of", at, required=False)
        if kind == "NPSDivision" and unit_of is None:
            raise doc.error(at, "an NPS division needs 'unit_of'")
        owners = self.owners(spec, at, slug, iri)
        self.owner_changes(spec, at, slug, iri, owners)
        for j, raw_parent in enumerate(r.list(spec.get("parents"), (*at, "parents"))):
            pat = (*at, "parents", j)
            pspec = r.map(raw_parent, pat, _PARENT)
            self.parents.append(
                Parent(
                    parent_iri=self.org_ref(pspec, "org", pat) or "",
                    owner_iri=iri,
                    begin=r.month(pspec, "from", pat),
                    end=r.month(pspec, "to", pat),
                    sources=self.sources(pspec, pat),
                    note=r.str(pspec, "note", pat, required=False),
                )
            )
        shorts = r.strs(spec, "short", at)
        aliases = tuple(dict.fromkeys((*shorts, *r.strs(spec, "aliases", at))))
        area_obj = self.areas[self.area_slugs[area]] if area is not None else None
        place_names = (area_obj.label, *area_obj.covers) if area_obj else ()
        org = Organisation(
            iri=iri,
            slug=slug,
            kind=kind,
            label=r.str(spec, "label", at) or "",
            short_label=shorts[0] if shorts else None,
            aliases=aliases,
            areas=place_names,
            owners=tuple(owners),
            unit_of=unit_of,
            unverified=r.bool(spec, "unverified", at),
            area=area,
            based_in=based_in,
            linked_to=self.org_refs(spec, "linked_to", at),
            replaces=self.org_refs(spec, "replaces", at),
            description=r.str(spec, "description", at, required=False),
            sources=self.sources(spec, at),
            note=r.str(spec, "note", at, required=False),
            short_labels=shorts,
        )
        if r.bool(spec, "unverified", at) and not spec.get("note"):
            raise doc.error((*at, "unverified"), "an unverified entry needs a 'note' saying what is missing")
        return org

    def owners(
        self, spec: Mapping[str, Any], at: tuple[Any, ...], slug: str, iri: str
    ) -> list[OwnershipPeriod]:
        """The organisation's owners over time, by start month (a named period or ``from``/``to``)."""
        doc, r = self.doc, self.r
        owners: list[OwnershipPeriod] = []
        seen_periods: set[str] = set()
        for j, raw_owner in enumerate(r.list(spec.get("owners"), (*at, "owners"))):
            oat = (*at, "owners", j)
            ospec = r.map(raw_owner, oat, _OWNER)
            owner = self.org_ref(ospec, "owner", oat, kinds=("Owner",)) or ""
            own_sources = self.sources(ospec, oat)
            pname = r.str(ospec, "period", oat, required=False)
            if pname is not None:
                if pname not in self.periods:
                    raise doc.error((*oat, "period"), f"unknown period {pname!r}; define it under 'periods'")
                if "from" in ospec or "to" in ospec:
                    raise doc.error((*oat, "period"), "give either 'period' or 'from'/'to', not both")
                begin, end, psources = self.periods[pname]
                own_sources = tuple(dict.fromkeys((*own_sources, *psources)))
            else:
                begin, end = r.month(ospec, "from", oat), r.month(ospec, "to", oat)
            if begin and end and end <= begin:
                raise doc.error(oat, f"period ends ({end}) before it begins ({begin})")
            piri = f"{ID_BASE}ownership/{slug}/{_slug_of(owner)}/{begin or 'unknown'}"
            if piri in seen_periods:
                raise doc.error(oat, "the same owner and start month appear twice")
            seen_periods.add(piri)
            owners.append(
                OwnershipPeriod(
                    iri=piri,
                    owner_iri=owner,
                    owned_iri=iri,
                    begin=begin,
                    end=end,
                    unverified=r.bool(ospec, "unverified", oat),
                    sources=own_sources,
                    note=r.str(ospec, "note", oat, required=False),
                )
            )
        owners.sort(key=lambda p: p.begin or "")
        return owners

    def owner_changes(
        self, spec: Mapping[str, Any], at: tuple[Any, ...], slug: str, iri: str, owners: list[OwnershipPeriod]
    ) -> None:
        """Changes of owner, each matching an ownership period that ends and one that begins that month."""
        doc, r = self.doc, self.r
        for j, raw_change in enumerate(r.list(spec.get("owner_changes"), (*at, "owner_changes"))):
            cat = (*at, "owner_changes", j)
            cspec = r.map(raw_change, cat, _CHANGE)
            date = r.month(cspec, "date", cat)
            if date is None:
                raise doc.error(cat, "missing required field 'date'")
            old = self.org_ref(cspec, "from", cat, kinds=("Owner",)) or ""
            new = self.org_ref(cspec, "to", cat, kinds=("Owner",)) or ""
            ended = next((p for p in owners if p.owner_iri == old and p.end == date), None)
            started = next((p for p in owners if p.owner_iri == new and p.begin == date), None)
            if ended is None or started is None:
                raise doc.error(
                    cat,
                    f"no ownership period of {_slug_of(old if ended is None else new)!r} "
                    f"{'ends' if ended is None else 'begins'} in {date}; 'owners' and "
                    "'owner_changes' disagree",
                )
            self.changes.append(
                OwnerChange(
                    iri=f"{ID_BASE}event/{slug}/owner-change/{date}",
                    owned_iri=iri,
                    date=date,
                    from_owner_iri=old,
                    to_owner_iri=new,
                    ended=ended.iri,
                    started=started.iri,
                    sources=self.sources(cspec, cat),
                    note=r.str(cspec, "note", cat, required=False),
                )
            )

    # ---- people and checks across entries ------------------------------------------------------

    def person(self, slug: Any, raw_spec: Any) -> Person:
        r = self.r
        at = ("people", slug)
        if not _SLUG.match(str(slug)):
            raise self.doc.error(at, f"{slug!r} is not a {_SLUG_WHAT}")
        spec = r.map(raw_spec, at, _PERSON)
        piri = ID_BASE + "person/" + str(slug)
        posts = []
        for j, raw_post in enumerate(r.list(spec.get("posts"), (*at, "posts"))):
            pat = (*at, "posts", j)
            post = r.map(raw_post, pat, _POST)
            posts.append(
                Post(
                    person_iri=piri,
                    org_iri=self.org_ref(post, "org", pat) or "",
                    role=r.str(post, "role", pat, choices=_ROLES) or "",
                    begin=r.month(post, "from", pat),
                    end=r.month(post, "to", pat),
                    unverified=r.bool(post, "unverified", pat),
                    sources=self.sources(post, pat),
                    note=r.str(post, "note", pat, required=False),
                )
            )
        name = r.str(spec, "name", at) or ""
        label = r.str(spec, "label", at, required=False) or name
        return Person(
            iri=piri,
            slug=str(slug),
            name=name,
            label=label,
            aliases=r.strs(spec, "aliases", at),
            posts=tuple(posts),
        )

    def check_names_unique(self) -> None:
        """Two organisations must not answer to the same name."""
        owners_of_name: dict[str, tuple[int, str]] = {}
        for i, org in enumerate(self.organisations):
            for name in org.names:
                key = normalise_name(name)
                prev = owners_of_name.get(key)
                if prev is not None and prev[1] != org.slug:
                    raise self.doc.error(("organisations", i), f"name {name!r} also belongs to {prev[1]!r}")
                owners_of_name[key] = (i, org.slug)


# ----------------------------------------------------------------------------- loading


def shipped_registry_path() -> Path:
    """Path of the registry shipped with probkg (``probkg/registry/data/registry.yaml``)."""
    return Path(str(resources.files("probkg.registry").joinpath("data", "registry.yaml")))


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and check a registry file; the shipped one when ``path`` is ``None``.

    Results are cached per file and modification time, so calling this often is cheap and
    an edited file is re-read. Raises :class:`InputError` (file, line, field) for a missing
    or malformed file.
    """
    target = Path(path) if path is not None else shipped_registry_path()
    try:
        stamp = target.stat().st_mtime_ns
    except OSError as exc:
        raise InputError(f"cannot read registry: {exc.strerror}", path=str(target)) from None
    return _load_cached(str(target), stamp)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, stamp: int) -> Registry:
    del stamp  # part of the cache key only
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read registry: {exc.strerror}", path=path) from None
    return build_registry(LocatedYaml(raw, path))


# ----------------------------------------------------------------------------- helpers


def _slug_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _month_start(month: str) -> _dt.date:
    year, mon = month.split("-")[:2]
    return _dt.date(int(year), int(mon), 1)


def _as_date(value: _dt.date | str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = str(value).strip()
    if _DAY.match(text):
        return _dt.date.fromisoformat(text)
    if _MONTH.match(text):
        return _month_start(text)
    raise ValueError(f"expected a date as YYYY-MM-DD or YYYY-MM, found {value!r}")

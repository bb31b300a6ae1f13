"""The catalogue of named queries: one SPARQL file per competency question, described by its header.

Each ``probkg/queries/<name>.rq`` file starts with comment lines that say what the query answers and
which of its variables a caller may bind::

    # title: Criticised providers by owner
    # description: Providers an owner has held, with how often inspectors criticised them.
    # param: owner  iri(owner)  required  -- the owner, by label or IRI
    # param: date   date        optional  -- only providers held on this day
    # example: probkg query criticised-by-owner --param owner=MTCnovo
    # key: provider

A ``param`` line reads ``name type required|optional [default=VALUE] -- description``. Types are
``date`` (ISO ``YYYY-MM-DD``), ``int``, ``string`` and ``iri(KIND)``, where KIND says which nodes a
label may name (see :data:`IRI_KINDS`). ``key`` names the column that identifies a row. The file
itself is plain SPARQL with full ``PREFIX`` lines, so it runs unchanged in YASGUI or Fuseki.

The runner binds the parameters with a ``VALUES`` block at the start of the WHERE group. A subquery
is evaluated on its own, so a value bound outside does not narrow it; a line ``#@values`` inside a
subquery's group asks for the block there too, so that it aggregates or looks up labels for the
parameter's rows only. The marker must not change any result (``tests/test_query_conformance.py``
runs each query with and without it): it is for speed on large stores.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from probkg.errors import QueryError

__all__ = [
    "IRI_KINDS",
    "PARAM_TYPES",
    "NamedQuery",
    "Parameter",
    "catalogue",
    "catalogue_markdown",
    "get",
    "parse_header",
]

IRI_KINDS: tuple[str, ...] = (
    "org",
    "provider",
    "owner",
    "inspection",
    "doc",
    "finding",
    "area",
    "rating",
    "polarity",
    "theme",
)
"""Kinds of node an ``iri(KIND)`` parameter may name, by label or by IRI."""

PARAM_TYPES: tuple[str, ...] = ("date", "int", "string", *(f"iri({k})" for k in IRI_KINDS))
"""Every parameter type a query header may declare."""

_HEADER_LINE = re.compile(r"^#\s*(?P<field>[a-z]+)\s*:\s?(?P<value>.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\S+)\s+(?P<req>required|optional)"
    r"(?:\s+default=(?P<default>\S*))?\s*(?:--\s*(?P<desc>.*))?$"
)
_FIELDS = ("title", "description", "param", "example", "key")


@dataclass(frozen=True)
class Parameter:
    """A variable of a named query that the caller may bind."""

    name: str
    type: str
    required: bool
    default: str | None
    description: str

    @property
    def kind(self) -> str | None:
        """For ``iri(KIND)`` parameters the KIND, else ``None``."""
        m = re.fullmatch(r"iri\((\w+)\)", self.type)
        return m.group(1) if m else None


@dataclass(frozen=True)
class NamedQuery:
    """One query of the catalogue: its header fields and its SPARQL text."""

    name: str
    title: str
    description: str
    parameters: list[Parameter] = field(default_factory=list)
    example: str = ""
    key: str = ""
    text: str = ""

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called ``name``, or ``None``."""
        return next((p for p in self.parameters if p.name == name), None)


def parse_header(name: str, text: str) -> NamedQuery:
    """Read the comment header of a query file; raise :class:`QueryError` when it is malformed."""
    fields: dict[str, list[str]] = {f: [] for f in _FIELDS}
    params: list[Parameter] = []
    path = f"{name}.rq"
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        m = _HEADER_LINE.match(line)
        if not m or m["field"] not in _FIELDS:
            continue  # free comment
        value = m["value"].strip()
        if m["field"] == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise QueryError(f"malformed param line {value!r}", path=path, line=lineno)
            if pm["type"] not in PARAM_TYPES:
                raise QueryError(
                    f"unknown parameter type {pm['type']!r} (known: {', '.join(PARAM_TYPES)})",
                    path=path,
                    line=lineno,
                )
            default = pm["default"] or None
            params.append(
                Parameter(
                    pm["name"], pm["type"], pm["req"] == "required", default, (pm["desc"] or "").strip()
                )
            )
        else:
            fields[m["field"]].append(value)
    for required in ("title", "description", "key"):
        if not fields[required]:
            raise QueryError(f"header has no '# {required}:' line", path=path, line=1)
    return NamedQuery(
        name=name,
        title=" ".join(fields["title"]),
        description=" ".join(fields["description"]),
        parameters=params,
        example=" ".join(fields["example"]),
        key=fields["key"][0],
        text=text,
    )


@cache
def _load_all() -> tuple[NamedQuery, ...]:
    folder = resources.files("probkg.queries")
    queries = []
    for entry in folder.iterdir():
        if entry.name.endswith(".rq"):
            queries.append(parse_header(entry.name[:-3], entry.read_text(encoding="utf-8")))
    return tuple(sorted(queries, key=lambda q: q.name))


def catalogue() -> list[NamedQuery]:
    """Every named query shipped with probkg, sorted by name."""
    return list(_load_all())


def get(name: str) -> NamedQuery:
    """The named query ``name``; an unknown name raises :class:`QueryError` naming the closest ones."""
    for q in _load_all():
        if q.name == name:
            return q
    names = [q.name for q in _load_all()]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
    close += [n for n in names if name and name in n and n not in close]
    hint = f"; did you mean {', '.join(close[:3])}?" if close else f"; known queries: {', '.join(names)}"
    raise QueryError(f"unknown query {name!r}{hint}")


def catalogue_markdown() -> str:
    """The catalogue as a Markdown page (what ``docs/queries.md`` holds)."""
    out = [
        "# Named queries",
        "",
        "Generated from the headers of `probkg/queries/*.rq` by `probkg.queries.catalogue_markdown()`;",
        "edit the `.rq` files, not this page. Run a query with `probkg query NAME --param KEY=VALUE`.",
        "Organisations, inspections, documents and concepts may be given by label (any case) or by IRI.",
        "Each file is plain SPARQL 1.1 with its own `PREFIX` lines: paste it into YASGUI or Fuseki and",
        "replace the parameter variables with values (or add a `VALUES` line) to run it elsewhere.",
        "",
        "| name | question | parameters |",
        "|---|---|---|",
    ]
    for q in _load_all():
        params = ", ".join(f"`{p.name}`" + ("" if p.required else "?") for p in q.parameters) or "none"
        out.append(f"| [`{q.name}`](#{q.name}) | {q.title} | {params} |")
    for q in _load_all():
        out += ["", f"## {q.name}", "", f"**{q.title}.** {q.description}", ""]
        if q.parameters:
            out += ["| parameter | type | | description |", "|---|---|---|---|"]
            for p in q.parameters:
                need = "required" if p.required else "optional"
                if p.default:
                    need += f", default `{p.default}`"
                out.append(f"| `{p.name}` | `{p.type}` | {need} | {p.description} |")
            out.append("")
        out.append(f"Rows are identified by `{q.key}`.")
        if q.example:
            out += ["", "```sh", q.example, "```"]
    return "\n".join(out) + "\n"

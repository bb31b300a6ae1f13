"""Bind parameters into named queries and run them, or run SPARQL given as text.

Parameters never reach the query as pasted text: each value is turned into an rdflib term (a date,
an integer, a string, or the IRI of a node found by label) and the terms are written into a
``VALUES`` block at the start of the query's ``WHERE`` group (and of each subquery group marked with a
``#@values`` comment) with ``Term.n3()``; see :func:`inject_values`. A ``VALUES`` block is
standard SPARQL 1.1, so the bound query runs the same on Oxigraph, rdflib and a remote endpoint.
Labels are looked up on the store itself, again through ``VALUES``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from probkg.errors import ProbkgError, QueryError
from probkg.ontology.namespaces import PREFIXES, sparql_prologue
from probkg.queries.catalogue import NamedQuery, Parameter, get
from probkg.registry.model import normalise_name

__all__ = [
    "QueryOutput",
    "SupportsQuery",
    "bind",
    "resolve",
    "run_named",
    "run_sparql",
]


class SupportsQuery(Protocol):
    """Anything with ``query(sparql_string)`` returning an rdflib result: a probkg store, an rdflib graph."""

    def query(self, sparql: str) -> Any: ...


@dataclass
class QueryOutput:
    """What a query returned.

    ``kind`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``. For SELECT, ``vars`` are the column
    names and ``rows`` hold one rdflib term (or ``None`` when unbound) per column; literals typed
    ``xsd:string`` are given as plain literals so every backend yields the same terms. ASK sets
    ``boolean``; CONSTRUCT and DESCRIBE set ``graph``. ``result`` is the rdflib result as the store gave it.
    """

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Any = None
    result: Any = None
    query: str = ""


# ---------------------------------------------------------------------------------------------------
# label lookup
# ---------------------------------------------------------------------------------------------------

_PROLOGUE = sparql_prologue()
_LABELS = "skos:prefLabel|skos:altLabel|skos:hiddenLabel|rdfs:label|foaf:name|dct:title"

_ORG_CLASSES = (
    "org:Organization org:OrganizationalUnit prob:ProbationProvider "
    "prob:CommunityRehabilitationCompany prob:NationalProbationService prob:NpsDivision "
    "prob:OwnerOrganisation prob:Inspectorate"
)
_PROVIDER_CLASSES = (
    "prob:ProbationProvider prob:CommunityRehabilitationCompany "
    "prob:NationalProbationService prob:NpsDivision"
)
_DOC_CLASSES = "prob:SourceDocument prob:PressRelease prob:BlogPost prob:InspectionReport prob:WebPage"

_KIND_PATTERNS: dict[str, str] = {
    "org": f"VALUES ?class {{ {_ORG_CLASSES} }} ?node a ?class .",
    "provider": f"VALUES ?class {{ {_PROVIDER_CLASSES} }} ?node a ?class .",
    "owner": (
        "{ ?node a prob:OwnerOrganisation } UNION { ?m a prob:Ownership ; org:member ?node } "
        "UNION { ?m a prob:Shareholding ; org:member ?node }"
    ),
    "inspection": "?node a prob:Inspection .",
    "doc": f"VALUES ?class {{ {_DOC_CLASSES} }} ?node a ?class .",
    "finding": "?node prob:hasEvidence ?anyEvidence .",
    "area": "?node a prob:Area .",
    "rating": "?node skos:inScheme prob:RatingScheme .",
    "polarity": "?node skos:inScheme prob:PolarityScheme .",
    "theme": "?node skos:inScheme prob:ThemeScheme .",
}
_KIND_NAMES = {
    "org": "organisation",
    "provider": "provider",
    "owner": "owner",
    "inspection": "inspection",
    "doc": "source document",
    "finding": "finding",
    "area": "area",
    "rating": "rating",
    "polarity": "polarity",
    "theme": "theme",
}

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE = re.compile(r"^(?:https?|urn|file|mailto|tag):", re.IGNORECASE)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")


def _n3(term: Node) -> str:
    """The SPARQL form of a term; an IRI that cannot be written safely raises :class:`QueryError`."""
    if isinstance(term, URIRef) and _IRI_BAD.search(str(term)):
        raise QueryError(f"not a valid IRI: {str(term)!r}")
    return term.n3()


def _values_block(bindings: Mapping[str, Node]) -> str:
    names = " ".join(f"?{n}" for n in bindings)
    terms = " ".join(_n3(t) for t in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def _select(store: SupportsQuery, text: str) -> list[tuple[Node | None, ...]]:
    try:
        return [tuple(row) for row in store.query(_PROLOGUE + text)]
    except ProbkgError:
        raise
    except Exception as exc:  # the store's own error type varies by backend
        raise QueryError(f"label lookup failed on the store: {_one_line(exc)}") from exc


def _as_iri(value: str) -> str | None:
    """The IRI ``value`` denotes when written as one (``<...>``, ``http(s)://...``, ``prefix:local``)."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return v[1:-1]
    if _ABSOLUTE.match(v):
        return v
    m = _CURIE.match(v)
    if m and m.group(1) in PREFIXES:
        return str(PREFIXES[m.group(1)]) + m.group(2)
    return None


def _suggest(needle: str, candidates: list[str], n: int = 5) -> list[str]:
    """Up to ``n`` candidates closest to ``needle``, substrings first, then by similarity."""
    key = normalise_name(needle)
    scored = []
    for c in dict.fromkeys(candidates):
        ck = normalise_name(c)
        ratio = difflib.SequenceMatcher(None, key, ck).ratio()
        if key and (key in ck or ck in key):
            ratio = max(ratio, 0.8)
        scored.append((ratio, c))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [c for r, c in scored[:n] if r >= 0.35]


def resolve(store: SupportsQuery, kind: str, value: str, parameter: str = "value") -> URIRef:
    """The IRI of the node of ``kind`` that ``value`` names, by label (any case) or by IRI.

    A value that names nothing, or several nodes, raises :class:`QueryError` naming ``parameter`` and the
    closest labels. Labels are compared exactly (ignoring case) first, then after folding punctuation,
    '&'/'and' and a leading 'the'.
    """
    if kind not in _KIND_PATTERNS:
        raise QueryError(f"parameter '{parameter}': unknown kind {kind!r}")
    what = _KIND_NAMES[kind]
    pattern = _KIND_PATTERNS[kind]
    text = value.strip()
    if not text:
        raise QueryError(f"parameter '{parameter}': empty {what}")

    iri = _as_iri(text)
    if iri is not None:
        node = URIRef(iri)
        values = _values_block({"node": node})
        if _select(store, f"SELECT ?node WHERE {{ {values} {pattern} }} LIMIT 1"):
            return node
        if kind == "doc":  # a document may be named by its URL
            pages = {iri, iri.rstrip("/"), iri.rstrip("/") + "/"}
            pages |= {p.replace("http://", "https://", 1) for p in pages}
            pages |= {p.replace("https://", "http://", 1) for p in pages}
            block = "VALUES ?page { " + " ".join(_n3(URIRef(p)) for p in sorted(pages)) + " }"
            found = {
                r[0]
                for r in _select(
                    store, f"SELECT DISTINCT ?node WHERE {{ {block} {pattern} ?node foaf:page ?page }}"
                )
            }
            if len(found) == 1:
                return found.pop()  # type: ignore[return-value]
        known = [str(r[0]) for r in _select(store, f"SELECT DISTINCT ?node WHERE {{ {pattern} }}")]
        close = _suggest(iri, known)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise QueryError(f"parameter '{parameter}': unknown {what} <{iri}>{hint}")

    needle = Literal(" ".join(text.split()).lower())
    values = _values_block({"needle": needle})
    rows = _select(
        store,
        f"SELECT DISTINCT ?node WHERE {{ {values} {pattern} "
        f"?node {_LABELS} ?label . FILTER (LCASE(STR(?label)) = ?needle) }}",
    )
    matches = sorted({r[0] for r in rows}, key=str)
    if not matches:
        labelled = _select(
            store, f"SELECT DISTINCT ?node ?label WHERE {{ {pattern} ?node {_LABELS} ?label }}"
        )
        key = normalise_name(text)
        matches = sorted({n for n, label in labelled if normalise_name(str(label)) == key}, key=str)
        if not matches:
            close = _suggest(text, sorted(str(label) for _, label in labelled))
            hint = f"; closest labels: {', '.join(repr(c) for c in close)}" if close else ""
            raise QueryError(f"parameter '{parameter}': unknown {what} {text!r}{hint}")
    if len(matches) > 1:
        names = ", ".join(f"<{m}>" for m in matches[:5])
        raise QueryError(f"parameter '{parameter}': {text!r} names several {what}s ({names}); give an IRI")
    return matches[0]  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------
# binding
# ---------------------------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^[+-]?\d+$")


def _convert(query: NamedQuery, param: Parameter, raw: str, store: SupportsQuery | None) -> Node:
    value = raw.strip()
    if param.type == "date":
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            _dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(
                f"parameter '{param.name}': {raw!r} is not a date (expected YYYY-MM-DD)"
            ) from None
        return Literal(value, datatype=XSD.date)
    if param.type == "int":
        if not _INT.match(value):
            raise QueryError(f"parameter '{param.name}': {raw!r} is not an integer")
        return Literal(int(value))
    if param.type == "string":
        return Literal(raw)
    kind = param.kind
    if kind is None:  # pragma: no cover - catalogue.parse_header rejects unknown types
        raise QueryError(f"parameter '{param.name}' of query '{query.name}' has unknown type {param.type!r}")
    if store is None:
        raise QueryError(f"parameter '{param.name}': a store is needed to look up {raw!r}")
    return resolve(store, kind, raw, param.name)


def check(query: NamedQuery | str, params: Mapping[str, str]) -> None:
    """Check ``params`` for ``query`` without a store: names, required values and literal types.

    The command line calls this before opening a store, so that a mistyped parameter is reported
    even when the store is missing; organisation labels are looked up later, by :func:`bind`.
    """
    q = get(query) if isinstance(query, str) else query
    bind(q, params, None, lookups=False)  # unknown names, literal types, missing literal values
    for p in q.parameters:
        if (
            p.kind is not None
            and p.required
            and not str(params.get(p.name) or "").strip()
            and p.default is None
        ):
            raise QueryError(
                f"missing required parameter '{p.name}' for query '{q.name}' ({p.type}: {p.description})"
            )


def bind(
    query: NamedQuery | str,
    params: Mapping[str, str],
    store: SupportsQuery | None = None,
    *,
    lookups: bool = True,
) -> str:
    """The SPARQL text of ``query`` with ``params`` bound, ready for ``store.query``.

    Values are checked against the declared types; ``iri(...)`` values are looked up by label or IRI on
    ``store``. An unknown parameter name, a missing required parameter, or a value of the wrong type
    raises :class:`QueryError` naming the parameter. Optional parameters given no value (or an empty
    one) take their declared default, else stay unbound, which each query reads as "any".

    The values are bound at the start of the query's WHERE group and, in addition, in every group that
    holds a ``#@values`` comment line: a subquery that aggregates or looks up labels then works on the
    parameter's few rows instead of the whole store (SPARQL evaluates subqueries on their own, so a
    value bound outside never reaches them).
    """
    q = get(query) if isinstance(query, str) else query
    declared = [p.name for p in q.parameters]
    for name in params:
        if q.parameter(name) is None:
            close = difflib.get_close_matches(name, declared, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            known = ", ".join(declared) or "none"
            raise QueryError(f"unknown parameter '{name}' for query '{q.name}' (parameters: {known}){hint}")
    bound: dict[str, Node] = {}
    for p in q.parameters:
        if not lookups and p.kind is not None:
            continue
        raw = params.get(p.name)
        if raw is None or not str(raw).strip():
            raw = p.default
        if raw is None:
            if p.required:
                raise QueryError(
                    f"missing required parameter '{p.name}' for query '{q.name}' ({p.type}: {p.description})"
                )
            continue
        bound[p.name] = _convert(q, p, str(raw), store)
    if not bound:
        return q.text
    return inject_values(q.text, _values_block(bound))


_IRI_TOKEN = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_]+")


def _skip(text: str, i: int) -> int:
    """Index after the comment, string, IRI or variable starting at ``i``; ``i`` when none starts there."""
    n = len(text)
    c = text[i]
    if c == "#":
        j = text.find("\n", i)
        return n if j < 0 else j + 1
    if c in "\"'":
        quote = c * 3 if text.startswith(c * 3, i) else c
        j = i + len(quote)
        while j < n and not text.startswith(quote, j):
            j += 2 if text[j] == "\\" else 1
        return j + len(quote)
    if c == "<":
        m = _IRI_TOKEN.match(text, i)
        return m.end() if m else i
    if c in {"?", "$"}:
        m = _WORD.match(text, i + 1)
        return m.end() if m else i + 1
    return i


def _where_brace(text: str) -> int:
    """Index of the ``{`` opening the query pattern, skipping comments, strings and IRIs."""
    i, n = 0, len(text)
    construct = False
    seen_where = False
    while i < n:
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c.isalpha():
            m = _WORD.match(text, i)
            assert m is not None
            w = m.group(0).upper()
            if w == "CONSTRUCT":
                construct = True
            elif w == "WHERE":
                seen_where = True
            i = m.end()
            continue
        if c == "{" and (seen_where or not construct):
            return i
        i += 1
    raise QueryError("the query has no WHERE group to bind parameters into")


def _closing_brace(text: str, opening: int) -> int:
    """Index of the ``}`` that closes the ``{`` at ``opening``, skipping comments, strings and IRIs."""
    depth = 0
    i, n = opening, len(text)
    while i < n:
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise QueryError("the query's WHERE group is not closed")


VALUES_MARKER = "#@values"
"""A comment line asking for the parameters to be bound in the group it stands in, too (see :func:`bind`)."""


def _marked_groups(text: str) -> list[int]:
    """Indices of the ``{`` of every group that holds a :data:`VALUES_MARKER` comment."""
    stack: list[int] = []
    found: list[int] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(VALUES_MARKER, i) and stack:
            found.append(stack[-1])
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        if text[i] == "{":
            stack.append(i)
        elif text[i] == "}" and stack:
            stack.pop()
        i += 1
    return found


def inject_values(text: str, values_block: str) -> str:
    """``text`` with ``values_block`` bound in its WHERE group and in every group marked ``#@values``.

    Each such group ``{ ... }`` becomes ``{ { SELECT * WHERE { values_block ... } } }``: the ``VALUES``
    block comes first, so every pattern, ``BIND`` and ``FILTER`` of the group sees the bound values, as
    if they had been written into it. The ``SELECT *`` level changes no result (it projects every
    variable in scope); Virtuoso needs it, as it fails to compile some queries in which a variable fixed
    by ``VALUES`` is not projected ("no SPART_VARR_FIXED").
    """
    groups = sorted({_where_brace(text), *_marked_groups(text)}, reverse=True)
    for at in groups:  # innermost and last first, so the positions of the others stay valid
        end = _closing_brace(text, at)
        body = text[at + 1 : end]
        text = f"{text[: at + 1]}\n  {{ SELECT * WHERE {{\n  {values_block}\n{body}\n  }} }}\n{text[end:]}"
    return text


# ---------------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _plain(term: Node | None) -> Node | None:
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _output(result: Any, text: str) -> QueryOutput:
    kind = str(getattr(result, "type", "SELECT")).upper()
    if kind == "ASK":
        return QueryOutput("ASK", boolean=bool(result.askAnswer), result=result, query=text)
    if kind in ("CONSTRUCT", "DESCRIBE"):
        return QueryOutput(kind, graph=result.graph, result=result, query=text)
    names = [str(v) for v in (result.vars or [])]
    rows = [tuple(_plain(t) for t in row) for row in result]
    return QueryOutput("SELECT", vars=names, rows=rows, result=result, query=text)


def _execute(store: SupportsQuery, text: str, *, path: str, line_offset: int = 0) -> QueryOutput:
    try:
        return _output(store.query(text), text)
    except ProbkgError as exc:
        # stores wrap parser errors in QueryError; unwrap them to report the position in the caller's text
        if not isinstance(exc, QueryError) or exc.__cause__ is None:
            raise
        failure: BaseException = exc.__cause__
    except Exception as exc:  # backend-specific parse or evaluation errors
        failure = exc
    line, column = _position(failure)
    if line is None:
        line, column = _syntax_position(text)
    what = "SPARQL syntax error" if line is not None else "query failed"
    if line is not None:
        line = max(1, line - line_offset)
    message = re.sub(r"^error at \d+:\d+:\s*", "", " ".join(_message(failure).split()))
    raise QueryError(f"{what}: {message}", path=path, line=line, column=column) from failure


def _message(exc: BaseException) -> str:
    msg = getattr(exc, "msg", None)
    return str(msg) if isinstance(msg, str) and msg else str(exc)


def _position(exc: BaseException) -> tuple[int | None, int | None]:
    """Line and column a parser reported (pyparsing attributes, or Oxigraph's 'error at L:C')."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
        if isinstance(line, int) and isinstance(col, int):
            return line, col
        m = re.search(r"\bat (\d+):(\d+)", str(exc))
        if m:
            return int(m.group(1)), int(m.group(2))
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None, None


def _syntax_position(text: str) -> tuple[int | None, int | None]:
    """Where Oxigraph's parser stops on ``text``, when the store's own error gave no position."""
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        return None, None
    try:
        pyoxigraph.Store().query(text)  # an empty store: parsing only matters here
    except SyntaxError as exc:
        return _position(exc)
    except Exception:
        return None, None
    return None, None


_UPDATE = re.compile(r"^\s*(INSERT|DELETE|DROP|CLEAR|LOAD|CREATE|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE_DECL = re.compile(
    r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*|#[^\n]*\n)*", re.IGNORECASE
)


def run_sparql(store: SupportsQuery, text: str, *, prefixes: bool = True) -> QueryOutput:
    """Run SPARQL query text as given (SELECT, ASK, CONSTRUCT or DESCRIBE).

    With ``prefixes`` the standard probkg ``PREFIX`` lines are put in front, so ``prob:`` and friends
    need no declaration (the text's own declarations still win). A syntax error raises
    :class:`QueryError` with the line and column in ``text``; SPARQL Update is refused.
    """
    if not text or not text.strip():
        raise QueryError("empty query", path="<query>")
    body = text[_PROLOGUE_DECL.match(text).end() :]  # type: ignore[union-attr]
    if _UPDATE.match(body):
        raise QueryError(
            "SPARQL Update is not accepted here; only SELECT, ASK, CONSTRUCT and DESCRIBE", path="<query>"
        )
    full = (_PROLOGUE + text) if prefixes else text
    offset = _PROLOGUE.count("\n") if prefixes else 0
    return _execute(store, full, path="<query>", line_offset=offset)


def run_named(
    store: SupportsQuery, name: str | NamedQuery, params: Mapping[str, str] | None = None
) -> QueryOutput:
    """Run the named query ``name`` with ``params`` (values as the user typed them) on ``store``."""
    q = get(name) if isinstance(name, str) else name
    text = bind(q, params or {}, store)
    return _execute(store, text, path=f"{q.name}.rq")

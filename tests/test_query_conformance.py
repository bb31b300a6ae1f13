"""Portability of the named queries, checked without a server: what Virtuoso refuses, found by rdflib.

SPARQL 1.1 (section 11.4) allows an aggregate query to project only grouped variables, aggregates and
expressions over them. Virtuoso also refuses an ORDER BY expression over a select alias (``?n`` of
``(COUNT(*) AS ?n)``) in an aggregate query, which SPARQL itself allows; it accepts ``DESC(?n)``.
:func:`grouping_problems` checks both rules in every SELECT and sub-SELECT of a query, on the query as
written and as bound by the runner (which adds ``VALUES`` blocks and ``SELECT *`` levels).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pyparsing import ParseResults
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from test_queries import CASES, _fill

from probkg.api import build
from probkg.graph.store import MemoryStore, OxigraphStore
from probkg.queries import catalogue, run_named
from probkg.queries.runner import VALUES_MARKER, _values_block, inject_values

ID = "https://w3id.org/probation-kg/id/"
PROB = "https://w3id.org/probation-kg/def#"


# ---- the checker --------------------------------------------------------------------------------------
def _walk(node: Any) -> Iterator[Any]:
    """Every value below ``node`` (CompValues, lists, terms), depth first."""
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value)


def _selects(node: Any) -> Iterator[CompValue]:
    for n in _walk(node):
        if isinstance(n, CompValue) and n.name in ("SelectQuery", "SubSelect"):
            yield n


def _free_vars(expr: Any) -> set[Variable]:
    """Variables of ``expr`` that are not inside an aggregate (nor inside a nested pattern)."""
    if isinstance(expr, Variable):
        return {expr}
    found: set[Variable] = set()
    if isinstance(expr, CompValue):
        if expr.name.startswith("Aggregate_") or expr.name in ("SubSelect", "GroupGraphPatternSub"):
            return found
        for value in expr.values():
            found |= _free_vars(value)
    elif isinstance(expr, list | tuple | ParseResults):
        for value in expr:
            found |= _free_vars(value)
    return found


def _named(node: Any, name: str) -> bool:
    return isinstance(node, CompValue) and node.name == name


def _bare(expr: Any) -> Any:
    """``expr`` without the one-operand wrappers of the grammar (``?n`` for a lone variable)."""
    while isinstance(expr, CompValue) and expr.name.endswith("Expression") and list(expr.keys()) == ["expr"]:
        expr = expr["expr"]
    return expr


def _has_aggregate(expr: Any) -> bool:
    return any(isinstance(n, CompValue) and n.name.startswith("Aggregate_") for n in _walk(expr))


def grouping_problems(text: str) -> list[str]:
    """What Virtuoso (and, for projections, SPARQL 1.1) refuses in the aggregate SELECTs of ``text``."""
    problems: list[str] = []
    for select in _selects(parseQuery(text)):
        # CompValue.get answers the key itself for a missing key, hence dict.get
        projection = dict.get(select, "projection") or []
        group = dict.get(select, "groupby")
        having = dict.get(select, "having")
        order = dict.get(select, "orderby")
        aggregate = (
            group is not None
            or any(_has_aggregate(dict.get(item, "expr")) for item in projection)
            or _has_aggregate(having)
        )
        if not aggregate:
            continue
        grouped: set[Variable] = set()
        for cond in group["condition"] if group is not None else []:
            if isinstance(cond, Variable):
                grouped.add(cond)
            elif isinstance(cond, CompValue) and dict.get(cond, "var") is not None:
                grouped.add(cond["var"])
        if not projection:
            problems.append("SELECT * in an aggregate query")
        aliases: set[Variable] = set()
        for item in projection:
            if dict.get(item, "var") is not None:
                if item["var"] not in grouped:
                    problems.append(f"?{item['var']} is projected but neither grouped nor aggregated")
            else:
                for v in sorted(_free_vars(item["expr"]) - grouped - aliases):
                    problems.append(f"?{v} is used outside an aggregate in the projection of ?{item['evar']}")
                aliases.add(item["evar"])
        for clause, name in ((having, "HAVING"), (order, "ORDER BY")):
            for cond in clause["condition"] if clause is not None else []:
                inner = _bare(dict.get(cond, "expr") if _named(cond, "OrderCondition") else cond)
                if name == "ORDER BY" and isinstance(inner, Variable) and inner in aliases:
                    continue  # Virtuoso sorts on an alias named alone (DESC(?n)), not inside an expression
                for v in sorted(_free_vars(cond) - grouped):
                    what = (
                        "a select alias inside an expression"
                        if v in aliases
                        else "neither grouped nor aggregated"
                    )
                    problems.append(f"{name} uses ?{v}, {what}")
    return problems


# ---- the checker catches what Virtuoso refused --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT ?s ?o (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", "?o is projected"),
        (
            "SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY (?n + 1)",
            "ORDER BY uses ?n, a select alias",
        ),
        (
            "SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?o",
            "ORDER BY uses ?o, neither",
        ),
        (
            "SELECT ?s (SAMPLE(?o) AS ?x) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY (COALESCE(STR(?x), ''))",
            "ORDER BY uses ?x, a select alias",
        ),
        ("SELECT (STR(?o) AS ?t) (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "?o is used outside an aggregate"),
        ("SELECT * WHERE { ?s ?p ?o } GROUP BY ?s", "SELECT * in an aggregate query"),
        (
            "SELECT ?s WHERE { { SELECT ?s ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s } }",
            "?p is projected",
        ),
    ],
)
def test_checker_finds_grouping_mistakes(text: str, expected: str) -> None:
    assert any(expected in p for p in grouping_problems(text)), grouping_problems(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(COUNT(?p)) ?s",
        "SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?n) ?s",
        "SELECT ?s ?n WHERE { { SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s } } ORDER BY ?n",
        "SELECT (COUNT(*) AS ?n) (?n * 2 AS ?m) WHERE { ?s ?p ?o }",
        "SELECT ?k (MIN(?o) AS ?m) WHERE { ?s ?p ?o } GROUP BY (STR(?s) AS ?k)",
    ],
)
def test_checker_accepts_portable_grouping(text: str) -> None:
    assert grouping_problems(text) == []


# ---- every named query, as written and as bound --------------------------------------------------------
def _sample_bindings(query: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in query.parameters:
        if p.type == "date":
            out[p.name] = Literal("2018-06-01", datatype=XSD.date)
        elif p.type == "int":
            out[p.name] = Literal(10)
        elif p.type == "string":
            out[p.name] = Literal("x")
        else:
            out[p.name] = URIRef(f"{ID}{p.kind}/example")
    return out


@pytest.mark.parametrize("name", [q.name for q in catalogue()])
def test_named_query_groups_portably(name: str) -> None:
    query = next(q for q in catalogue() if q.name == name)
    assert grouping_problems(query.text) == []
    bindings = _sample_bindings(query)
    if bindings:
        bound = inject_values(query.text, _values_block(bindings))
        assert grouping_problems(bound) == []
        # one VALUES block in the WHERE group and one per marked subquery
        markers = sum(line.strip() == VALUES_MARKER for line in query.text.splitlines())
        assert bound.count("VALUES (") == 1 + markers


def test_marked_subquery_gets_the_values_block() -> None:
    text = (
        "SELECT ?s ?n WHERE {\n  ?s a ?c .\n  { SELECT ?s (COUNT(?o) AS ?n) WHERE {\n    #@values\n"
        '    ?s ?p ?o } GROUP BY ?s }\n  FILTER (STR(?s) != "{ }") # { not a group\n}\nORDER BY ?n'
    )
    bound = inject_values(text, "VALUES (?c) { (<urn:c>) }")
    assert bound.count("VALUES (?c)") == 2
    inner = bound.index("SELECT ?s (COUNT")
    assert bound.index("VALUES (?c)", inner) < bound.index("?s ?p ?o", inner)
    assert bound.count("{ SELECT * WHERE {") == 2  # braces in strings and comments are not groups
    parseQuery(bound)


# ---- an aggregate subquery that matches nothing gives no rows on either backend -------------------------
@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    s = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path_factory.mktemp("conf") / "s")
    build(s)
    yield s
    s.close()


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("criticised-by-owner", {"owner": "MTCnovo", "date": "1990-01-01"}),
        ("owners-by-size", {"date": "1990-01-01"}),
        ("providers-by-rating", {"rating": "Outstanding"}),
        ("provider-trend", {"provider": f"{ID}org/thames-valley-crc"}),  # no findings
    ],
)
def test_nothing_matched_gives_no_rows(built: Any, name: str, params: dict[str, str]) -> None:
    # rdflib answers an aggregate subquery over no rows with one empty row; the queries drop it
    assert run_named(built, name, params).rows == []


# ---- "#@values" only speeds a query up: without it, the same rows in the same order ---------------------
@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def fixture_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    s = MemoryStore() if request.param == "memory" else OxigraphStore(tmp_path_factory.mktemp("fx") / "s")
    yield _fill(s)
    s.close()


# owner-league's grouped subquery filters on the date, so there the marker is part of the query's meaning,
# not only of its speed (its header says so): without it the subquery would not see the date at all
_NEEDS_MARKER = {"owner-league"}
_MARKED = [
    c
    for c in CASES
    if c[0] not in _NEEDS_MARKER and VALUES_MARKER in next(q for q in catalogue() if q.name == c[0]).text
]


@pytest.mark.parametrize(
    ("name", "params", "expected"), _MARKED, ids=[f"{c[0]}-{i}" for i, c in enumerate(_MARKED)]
)
def test_values_markers_change_no_result(
    fixture_store: Any, name: str, params: dict[str, str], expected: set[Any]
) -> None:
    query = next(q for q in catalogue() if q.name == name)
    unmarked = replace(
        query,
        text="\n".join("" if line.strip() == VALUES_MARKER else line for line in query.text.splitlines()),
    )
    assert inject_values(unmarked.text, "VALUES ?x { 1 }").count("VALUES ?x") == 1  # bound at the top only
    marked = run_named(fixture_store, query, params)
    assert {row[marked.vars.index(query.key)] for row in marked.rows} == expected
    assert run_named(fixture_store, unmarked, params).rows == marked.rows

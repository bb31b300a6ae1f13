"""The named-query library: catalogue headers, parameter binding, running, and result formats.

Queries run on ``tests/resources/queries-fixture.trig`` (a small graph in the data-model patterns) loaded
into both backends, with no RDFS materialisation, so the queries are shown not to depend on inference.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result

from probkg.errors import QueryError
from probkg.graph.store import MemoryStore, OxigraphStore
from probkg.ontology import ontology_graph
from probkg.queries import (
    bind,
    catalogue,
    catalogue_markdown,
    format_result,
    get,
    resolve,
    run_named,
    run_sparql,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "resources" / "queries-fixture.trig"
ID = "https://w3id.org/probation-kg/id/"
PROB = "https://w3id.org/probation-kg/def#"


def org(slug: str) -> URIRef:
    return URIRef(f"{ID}org/{slug}")


def idi(path: str) -> URIRef:
    return URIRef(ID + path)


def prob(name: str) -> URIRef:
    return URIRef(PROB + name)


def _fill(store):  # type: ignore[no-untyped-def]
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    for ctx in ds.contexts():
        if isinstance(ctx.identifier, URIRef) and not str(ctx.identifier).startswith("urn:x-rdflib"):
            store.replace_graph(ctx.identifier, list(ctx))
    store.replace_graph(URIRef("https://w3id.org/probation-kg/def"), list(ontology_graph()))
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory):  # type: ignore[no-untyped-def]
    ox = _fill(OxigraphStore(tmp_path_factory.mktemp("ox") / "store"))
    mem = _fill(MemoryStore())
    yield {"memory": mem, "oxigraph": ox}
    ox.close()


@pytest.fixture(params=["memory", "oxigraph"])
def store(request, stores):  # type: ignore[no-untyped-def]
    return stores[request.param]


def column(out, name):  # type: ignore[no-untyped-def]
    i = out.vars.index(name)
    return [row[i] for row in out.rows]


# ---------------------------------------------------------------------------------------------------
# catalogue and headers
# ---------------------------------------------------------------------------------------------------

EXPECTED_NAMES = {
    "criticised-by-owner",
    "providers-of-owner",
    "owner-on-date",
    "owner-parents",
    "inspections-of",
    "findings-of-inspection",
    "key-tests",
    "criticism-themes",
    "provider-trend",
    "caseload",
    "joint-findings",
    "evidence",
    "ownership-changes",
    "owners-by-size",
    "mentioned-inspections",
    "providers-by-rating",
    # the rated record (issue 12)
    "ratings-by-programme",
    "rating-trajectory",
    "owner-league",
    "rated-record",
}


def test_catalogue_has_one_query_per_competency_question():
    assert {q.name for q in catalogue()} == EXPECTED_NAMES


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_query_parses_and_header_is_complete(name):
    q = get(name)
    prepareQuery(q.text)  # syntax only; every prefix is declared in the file itself
    assert q.title
    assert q.description
    assert q.key
    body = "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#"))
    for p in q.parameters:
        assert re.search(rf"\?{p.name}\b", body), f"{name}: parameter {p.name} is not a variable of the query"
        assert p.description
    projected = body[body.index("SELECT") : body.index("WHERE")]
    assert re.search(rf"\?{q.key}\b", projected), f"{name}: key column {q.key} is not projected"
    assert q.example.startswith(f"probkg query {name}")
    for prefix in re.findall(r"\b([a-z]+):[A-Za-z]", body):
        assert f"PREFIX {prefix}:" in q.text, f"{name}: prefix {prefix} not declared"


def test_example_parameters_are_declared():
    for q in catalogue():
        for pname in re.findall(r"--param (\w+)=", q.example):
            assert q.parameter(pname) is not None, (q.name, pname)
        required = {p.name for p in q.parameters if p.required}
        assert required <= set(re.findall(r"--param (\w+)=", q.example)), q.name


def test_unknown_query_name_suggests_close_names():
    with pytest.raises(QueryError) as err:
        get("criticised-by-ownr")
    assert "criticised-by-owner" in str(err.value)
    with pytest.raises(QueryError, match="owner-on-date"):
        get("owner-on-dat")


def test_docs_queries_md_is_up_to_date():
    doc = ROOT / "docs" / "queries.md"
    assert doc.read_text(encoding="utf-8") == catalogue_markdown(), (
        "docs/queries.md is stale: regenerate it with "
        "python -c 'from probkg.queries import catalogue_markdown; print(catalogue_markdown(), end=\"\")' "
        "> docs/queries.md"
    )


def test_import_stays_light():
    code = (
        "import sys, probkg.queries; "
        "print(sorted(m for m in ('pyshacl', 'networkx', 'rich', 'bs4') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------------
# every query on the fixture, both backends: expected key sets
# ---------------------------------------------------------------------------------------------------

F = "finding/fx-000/00000000000"
CASES = [
    # The rated record: the fixture's one programme counts two Requires improvement ratings and holds one.
    ("ratings-by-programme", {"programme": "2018/19"}, {Literal("2018/19 Requires improvement")}),
    ("rating-trajectory", {"provider": "Wales CRC"}, {idi("rating/fx-002/000000000041")}),
    ("owner-league", {"date": "2019-06-01", "owner": "Seetec"}, {org("wales-crc")}),
    (
        "rated-record",
        {"rating": "Requires improvement"},
        {Literal("https://w3id.org/probation-kg/id/rating/fx-002/000000000041 ")},
    ),
    ("criticised-by-owner", {"owner": "mtcnovo"}, {org("london-crc")}),
    ("criticised-by-owner", {"owner": "MTCnovo", "date": "2022-01-01"}, set()),
    ("providers-of-owner", {"owner": "MTCnovo"}, {org("london-crc"), org("thames-valley-crc")}),
    ("providers-of-owner", {"owner": "MTCnovo", "date": "2014-06-01"}, set()),
    ("owner-on-date", {"provider": "Wales CRC", "date": "2018-06-01"}, {org("working-links")}),
    ("owner-on-date", {"provider": "Wales CRC", "date": "2019-06-01"}, {org("seetec")}),
    ("owner-on-date", {"provider": "Wales CRC", "date": "2019-02-01"}, {org("seetec")}),  # end is exclusive
    ("owner-on-date", {"provider": "wales crc"}, set()),  # today: the contracts ended in 2021
    ("owner-parents", {"owner": "MTCnovo"}, {org("mtc"), org("novo")}),
    (
        "inspections-of",
        {"provider": "London CRC"},
        {idi("inspection/2016-12-north-london"), idi("inspection/2018-03-london-crc")},
    ),
    (
        "findings-of-inspection",
        {"inspection": "North London inspection, 2016", "polarity": "critical"},
        {idi(F + "1"), idi(F + "2"), idi(F + "5")},
    ),
    (
        "findings-of-inspection",
        {"inspection": "North London inspection, 2016"},
        {idi(F + str(i)) for i in range(1, 6)},
    ),
    (
        "key-tests",
        {"provider": "London CRC"},
        {prob("PublicProtection"), prob("ReducingReoffending"), prob("AbidingBySentence")},
    ),
    ("key-tests", {"provider": "London CRC", "inspection": "North London inspection, 2016"}, set()),
    (
        "criticism-themes",
        {"provider": "London CRC"},
        {
            prob("StaffingWorkload"),
            prob("PartnershipsServices"),
            prob("PublicProtection"),
            prob("SafeguardingDomesticAbuse"),
            prob("LeadershipManagement"),
        },
    ),
    (
        "provider-trend",
        {"provider": "London CRC"},
        {idi("inspection/2016-12-north-london"), idi("inspection/2018-03-london-crc")},
    ),
    (
        "caseload",
        {"provider": "London CRC"},
        {
            idi("figure/fx-001/000000000031"),
            idi("figure/fx-001/000000000032"),
            idi("figure/fx-000/000000000006"),
        },
    ),
    ("caseload", {"provider": "Wales CRC"}, set()),
    ("joint-findings", {"area": "north London"}, {idi(F + "5")}),
    ("joint-findings", {"area": "London"}, {idi(F + "5")}),
    ("joint-findings", {"area": "Wales"}, set()),
    (
        "evidence",
        {"finding": ID + F + "1"},
        {idi("doc/poor-private-probation-performance-leaves-londoners-at-risk")},
    ),
    ("ownership-changes", {}, {org("wales-crc")}),
    ("owners-by-size", {}, {org("mtcnovo"), org("rrp"), org("seetec"), org("working-links")}),
    ("owners-by-size", {"date": "2019-06-01"}, {org("mtcnovo"), org("rrp"), org("seetec")}),
    ("mentioned-inspections", {}, {idi("inspection/2016-durham"), idi("inspection/2014-london")}),
    (
        "mentioned-inspections",
        {
            "source": "https://www.russellwebster.com/poor-private-probation-performance-leaves-londoners-at-risk"
        },
        {idi("inspection/2016-durham"), idi("inspection/2014-london")},
    ),
    ("mentioned-inspections", {"source": "London CRC press release, March 2018"}, set()),
    ("providers-by-rating", {}, set()),  # Inadequate by default; the fixture's Inadequate is an aspect rating
    ("providers-by-rating", {"rating": "requires improvement"}, {org("wales-crc")}),
]


@pytest.mark.parametrize(
    ("name", "params", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_query_on_fixture_answers_alike_on_both_backends(stores, name, params, expected):
    # each case runs once per backend: the expected keys on each, and the same output to the byte
    outs = {k: run_named(s, name, params) for k, s in stores.items()}
    for backend, out in outs.items():
        assert set(column(out, get(name).key)) == expected, backend
    assert format_result(outs["memory"], "json") == format_result(outs["oxigraph"], "json")


def test_every_query_has_a_fixture_case():
    assert {c[0] for c in CASES} == EXPECTED_NAMES


# Sources may name one inspection differently (a curated account and a text extraction): each query
# that shows an inspection's name still gives one row per result and picks the same name on both backends.
_LABELLED = {
    "joint-findings": "inspectionLabel",
    "key-tests": "inspectionLabel",
    "providers-by-rating": "inspectionLabel",
    "inspections-of": "inspectionLabel",
    "provider-trend": "inspectionLabel",
    "mentioned-inspections": "inspectionLabel",
}
_LABELLED_CASES = [(n, p) for n, p, expected in CASES if n in _LABELLED and expected]


@pytest.fixture(scope="module")
def disagreeing_stores(tmp_path_factory):  # type: ignore[no-untyped-def]
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    inspections = {q[0] for q in ds.quads((None, rdf_type, prob("Inspection"), None))}
    assert inspections
    label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    dtype = URIRef("http://purl.org/dc/terms/type")
    second = []
    for node in inspections:
        slug = str(node).rsplit("/", 1)[1]
        second += [
            (node, label, Literal(f"A second name for {slug}", lang="en")),
            (node, label, Literal(f"Arolygiad {slug}", lang="cy")),
            (node, label, Literal(f"Zed name for {slug}", lang="en")),
            (node, dtype, prob("ThematicInspection")),
        ]
    filled = {
        "memory": _fill(MemoryStore()),
        "oxigraph": _fill(OxigraphStore(tmp_path_factory.mktemp("ox2") / "s")),
    }
    for s in filled.values():
        s.replace_graph(idi("graph/doc/second-account"), second)
    yield filled
    filled["oxigraph"].close()


@pytest.mark.parametrize(
    ("name", "params"), _LABELLED_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(_LABELLED_CASES)]
)
def test_an_inspection_with_several_names_gives_one_row_and_one_name(
    stores, disagreeing_stores, name, params
):
    plain = run_named(stores["memory"], name, params)
    outputs = {}
    for backend, s in disagreeing_stores.items():
        out = run_named(s, name, params)
        outputs[backend] = format_result(out, "json")
        assert len(out.rows) == len(plain.rows), backend
        labels = column(out, _LABELLED[name])
        inspections = column(out, "inspection")
        assert labels
        assert all(
            lab == Literal(f"A second name for {str(i).rsplit('/', 1)[1]}", lang="en")
            for lab, i in zip(labels, inspections, strict=True)
        ), (backend, labels)
    assert outputs["memory"] == outputs["oxigraph"]


def test_criticised_by_owner_counts(store):
    out = run_named(store, "criticised-by-owner", {"owner": "MTCnovo"})
    assert len(out.rows) == 1
    row = dict(zip(out.vars, out.rows[0], strict=True))
    assert row["providerLabel"] == Literal("London Community Rehabilitation Company", lang="en")
    assert int(row["criticisms"]) == 5
    assert int(row["inspections"]) == 2
    assert str(row["themes"]) == (
        "staffing & workload (2); partnerships & services (1); "
        "public protection (1); safeguarding & domestic abuse (1)"
    )


def test_provider_trend_shares_in_date_order(store):
    out = run_named(store, "provider-trend", {"provider": "London CRC"})
    shares = [Decimal(str(s)) for s in column(out, "criticalShare")]
    assert shares == [Decimal("0.75"), Decimal("0.5")]
    assert [int(n) for n in column(out, "criticalFindings")] == [3, 2]


def test_owners_by_size_flags_unverified(store):
    out = run_named(store, "owners-by-size", {})
    rows = {r[0]: dict(zip(out.vars, r, strict=True)) for r in out.rows}
    assert rows[org("rrp")]["unverified"].toPython() is True
    assert rows[org("mtcnovo")]["unverified"].toPython() is False
    assert int(rows[org("mtcnovo")]["providers"]) == 2
    assert column(out, "owner")[0] == org("mtcnovo")  # largest first


def test_key_tests_exception(store):
    out = run_named(store, "key-tests", {"provider": "London CRC"})
    got = {(r[2], r[3], r[4]) for r in out.rows}
    assert got == {
        (prob("PublicProtection"), prob("NotAcceptable"), None),
        (prob("ReducingReoffending"), prob("NotAcceptable"), None),
        (prob("AbidingBySentence"), prob("Acceptable"), prob("UnpaidWork")),
    }


def test_evidence_quote_and_offsets(store):
    out = run_named(store, "evidence", {"finding": ID + F + "1"})
    row = dict(zip(out.vars, out.rows[0], strict=True))
    assert str(row["quote"]) == "fixture caseload quote 28 ch"
    assert (int(row["start"]), int(row["end"])) == (100, 128)
    out2 = run_named(store, "evidence", {"finding": ID + F + "2"})
    row2 = dict(zip(out2.vars, out2.rows[0], strict=True))
    assert row2["quote"] is None
    assert int(row2["end"]) == 250


def test_providers_by_rating_lists_owners_in_order(store):
    out = run_named(store, "providers-by-rating", {"rating": "Requires improvement"})
    assert [str(o) for o in column(out, "owners")] == ["Working Links, Seetec"]


# ---------------------------------------------------------------------------------------------------
# binding and label resolution
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("owner", "mtcnovo", org("mtcnovo")),  # case-insensitive prefLabel
        ("provider", "london crc", org("london-crc")),  # altLabel
        ("provider", "the London CRC", org("london-crc")),  # hiddenLabel
        (
            "provider",
            "Derbyshire Leicestershire Nottinghamshire and Rutland Community Rehabilitation Company",
            org("dlnr-crc"),
        ),  # '&'/'and' and punctuation folded
        ("provider", "  London   CRC ", org("london-crc")),  # spacing
        ("provider", "id:org/london-crc", org("london-crc")),  # prefixed IRI
        ("provider", f"<{ID}org/london-crc>", org("london-crc")),  # IRI in angle brackets
        ("owner", f"{ID}org/mtc", org("mtc")),  # shareholder counts as an owner
        (
            "doc",
            "https://www.justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2018/03/londoncrc",
            idi("doc/hmiprobation-2018-03-londoncrc"),
        ),  # by URL, trailing slash ignored
        ("polarity", "Critical", prob("Critical")),
        ("rating", "Requires Improvement", prob("RequiresImprovement")),
        ("area", "North London", idi("area/north-london")),
        ("inspection", "north london inspection, 2016", idi("inspection/2016-12-north-london")),
    ],
)
def test_resolve_by_label_or_iri(store, kind, value, expected):
    assert resolve(store, kind, value, "p") == expected


def test_unknown_label_names_parameter_and_closest_labels(store):
    with pytest.raises(QueryError) as err:
        run_named(store, "criticised-by-owner", {"owner": "MTC novo ltd"})
    msg = str(err.value)
    assert "parameter 'owner'" in msg
    assert "unknown owner" in msg
    assert "'MTCnovo'" in msg


def test_label_of_other_kind_is_unknown(store):
    with pytest.raises(QueryError, match="unknown provider"):
        resolve(store, "provider", "MTCnovo", "provider")


def test_unknown_iri_is_an_error(store):
    with pytest.raises(QueryError, match=r"unknown provider <https://w3id.org/probation-kg/id/org/nowhere>"):
        resolve(store, "provider", "id:org/nowhere", "provider")


@pytest.mark.parametrize(
    "label",
    [
        'x" } DROP ALL {',
        "x' } DROP ALL { '",
        'a"""b',
        'back\\slash"',
        "line\nbreak } INSERT DATA { <a> <b> <c> }",
        "} ; SELECT * {",
    ],
)
def test_binding_is_injection_safe(store, label):
    before = store.graph_sizes()
    with pytest.raises(QueryError, match="unknown owner"):
        run_named(store, "criticised-by-owner", {"owner": label})
    assert store.graph_sizes() == before


@pytest.mark.parametrize("iri", ["http://x> } DROP ALL { <http://y", "http://a b", 'http://x"y'])
def test_malformed_iri_is_rejected(store, iri):
    with pytest.raises(QueryError, match="not a valid IRI"):
        run_named(store, "owner-parents", {"owner": iri})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and ":" not in s and "<" not in s))
def test_any_label_text_is_data_not_sparql(stores, text):
    message = ""
    try:
        uri = resolve(stores["memory"], "owner", text, "owner")
    except QueryError as exc:
        message = str(exc)
    else:
        assert isinstance(uri, URIRef)
    if message:
        assert "unknown owner" in message or "names several" in message


def test_missing_required_parameter_is_named():
    with pytest.raises(QueryError, match="missing required parameter 'owner'"):
        bind("criticised-by-owner", {}, None)


def test_unknown_parameter_is_named():
    with pytest.raises(QueryError, match=r"unknown parameter 'ownr'.*did you mean 'owner'"):
        bind("criticised-by-owner", {"ownr": "MTCnovo"}, None)


@pytest.mark.parametrize("value", ["2018-13-01", "01/06/2018", "2018-06", "yesterday"])
def test_bad_date_is_named(value):
    with pytest.raises(QueryError, match="parameter 'date'"):
        bind("owners-by-size", {"date": value}, None)


def test_bind_writes_values_block_into_where_group():
    text = bind("owners-by-size", {"date": "2018-06-01"}, None)
    assert 'VALUES (?date) { ("2018-06-01"^^<http://www.w3.org/2001/XMLSchema#date>) }' in text
    assert text.index("VALUES (?date)") > text.index("WHERE {")
    prepareQuery(text)


def test_empty_optional_parameter_means_unbound(store):
    a = run_named(store, "owners-by-size", {"date": ""})
    b = run_named(store, "owners-by-size", {})
    assert a.rows == b.rows


# ---------------------------------------------------------------------------------------------------
# SPARQL as text
# ---------------------------------------------------------------------------------------------------


def test_run_sparql_syntax_error_has_position(store):
    with pytest.raises(QueryError) as err:
        run_sparql(store, "SELECT ?x WHERE {\n  ?x ?y\n}}")
    assert err.value.line in (2, 3)  # rdflib and Oxigraph stop at different tokens
    assert err.value.column is not None
    assert str(err.value).startswith("<query>:")


def test_run_sparql_refuses_update(store):
    with pytest.raises(QueryError, match="Update"):
        run_sparql(store, "PREFIX x: <http://x/>\nDROP ALL")


def test_run_sparql_uses_probkg_prefixes(store):
    out = run_sparql(store, "SELECT ?p WHERE { ?p a prob:Inspection } ORDER BY ?p")
    assert idi("inspection/2014-london") in column(out, "p")


def test_run_sparql_construct(store):
    out = run_sparql(store, "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a prob:Area ; skos:prefLabel ?l }")
    assert out.kind == "CONSTRUCT"
    assert len(out.graph) == 3
    from rdflib import Graph
    from rdflib.compare import isomorphic

    assert isomorphic(Graph().parse(data=format_result(out, "turtle"), format="turtle"), out.graph)
    assert isomorphic(Graph().parse(data=format_result(out, "nt"), format="nt"), out.graph)
    with pytest.raises(QueryError, match="graph"):
        format_result(out, "csv")


# ---------------------------------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------------------------------


def _check_json_term(term):  # type: ignore[no-untyped-def]
    assert term["type"] in ("uri", "literal", "bnode")
    assert isinstance(term["value"], str)
    allowed = {"type", "value", "xml:lang", "datatype"}
    assert set(term) <= allowed
    assert not ("xml:lang" in term and "datatype" in term)
    if term["type"] != "literal":
        assert set(term) == {"type", "value"}


def test_json_is_sparql_results_json(store):
    out = run_named(store, "providers-of-owner", {"owner": "MTCnovo"})
    doc = json.loads(format_result(out, "json"))
    assert set(doc) == {"head", "results"}
    assert doc["head"] == {"vars": out.vars}
    assert isinstance(doc["results"]["bindings"], list)
    assert len(doc["results"]["bindings"]) == 2
    for binding in doc["results"]["bindings"]:
        assert set(binding) <= set(out.vars)
        for term in binding.values():
            _check_json_term(term)
    first = doc["results"]["bindings"][0]
    assert first["provider"] == {"type": "uri", "value": str(org("london-crc"))}
    assert first["from"] == {"type": "literal", "value": "2015-02-01", "datatype": str(XSD.date)}
    assert first["providerLabel"]["xml:lang"] == "en"
    assert "unverified" not in first  # unbound values are left out
    parsed = Result.parse(io.StringIO(format_result(out, "json")), format="json")
    assert [tuple(r) for r in parsed] == out.rows


def test_json_ask(store):
    out = run_sparql(store, "ASK { ?x a prob:Inspection }")
    assert json.loads(format_result(out, "json")) == {"head": {}, "boolean": True}


def test_csv_shape(store):
    out = run_named(store, "providers-of-owner", {"owner": "MTCnovo"})
    text = format_result(out, "csv")
    assert text.endswith("\r\n")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == out.vars
    assert len(rows) == 1 + len(out.rows)
    assert rows[1][0] == str(org("london-crc"))  # IRIs bare, no angle brackets
    assert rows[1][2] == "2015-02-01"  # literals as lexical form
    assert rows[1][4] == ""  # unbound is empty


def test_tsv_shape_round_trips(store):
    out = run_named(store, "criticised-by-owner", {"owner": "MTCnovo"})
    text = format_result(out, "tsv")
    lines = text.rstrip("\n").split("\n")
    assert lines[0].split("\t") == [f"?{v}" for v in out.vars]
    assert len(lines) == 1 + len(out.rows)
    assert lines[1].split("\t")[0] == f"<{org('london-crc')}>"
    parsed = Result.parse(io.StringIO(text), format="tsv")
    assert [tuple(r) for r in parsed] == out.rows


def test_tsv_escapes_tabs_and_newlines():
    from probkg.queries.runner import QueryOutput

    out = QueryOutput("SELECT", vars=["x"], rows=[(Literal('a\tb\nc"d'),)])
    assert format_result(out, "tsv") == '?x\n"a\\tb\\nc\\"d"\n'


def test_table_shows_labels_plainly_and_shortens_iris(store):
    out = run_named(store, "providers-of-owner", {"owner": "MTCnovo"})
    text = format_result(out, "table", width=250)
    assert "id:org/london-crc" in text
    assert "London Community Rehabilitation Company" in text
    assert "@en" not in text
    assert "^^" not in text
    assert "https://" not in text
    assert "2 rows" in text


def test_unknown_format(store):
    out = run_named(store, "owners-by-size", {})
    with pytest.raises(QueryError, match="unknown format"):
        format_result(out, "xml")

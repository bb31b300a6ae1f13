"""The SHACL shapes accept the contract's patterns and reject each kind of broken data precisely.

The fixture ``tests/resources/model-valid.ttl`` must conform. Each mutation test changes one thing in a
copy of it and checks that validation reports exactly the intended results (constraint component, focus
node, severity, message), and nothing else.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, SKOS

from probkg.loading import load_unit
from probkg.ontology import ID, OA, ORG, PROB, SHAPES, ontology_graph, shapes_graph
from probkg.ontology import namespaces as ns

# Referenced through the module: pytest warns when it inspects rdflib's DefinedNamespace objects as globals.
TIME = ns.PREFIXES["time"]
XSD = ns.PREFIXES["xsd"]

RESOURCES = Path(__file__).resolve().parent / "resources"
FIXTURE = RESOURCES / "model-valid.ttl"
SOURCES = RESOURCES / "model-valid-sources"

LONDON_CRC = ID["org/london-crc"]
NPS_LONDON = ID["org/nps-london"]
INSPECTION_2018 = ID["inspection/2018-03-london-crc"]
INSPECTION_2019 = ID["inspection/2019-08-london-crc"]
PRESS_RELEASE = ID["doc/example-press-release-london-crc-2018"]
LONDON_OWNERSHIP = ID["ownership/london-crc/mtcnovo/2015-02"]
WALES_WL = ID["ownership/wales-crc/working-links/2015-02"]
WALES_SEETEC = ID["ownership/wales-crc/seetec/2019-02"]


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, reduced to what the tests compare."""

    component: str
    focus: object
    severity: str
    shape: object
    path: object
    value: object
    message: str


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def fixture_graph() -> Graph:
    return Graph().parse(FIXTURE, format="turtle")


@pytest.fixture
def data(fixture_graph: Graph) -> Graph:
    """A fresh copy of the fixture that a test may change."""
    copy = Graph()
    for triple in fixture_graph:
        copy.add(triple)
    return copy


def validate(
    data: Graph, shapes: Graph, ontology: Graph, inference: str = "none"
) -> tuple[bool, list[Result]]:
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference=inference, allow_warnings=True
    )
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        results.append(
            Result(
                component=str(report.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[1],
                focus=report.value(node, SH.focusNode),
                severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[1],
                shape=report.value(node, SH.sourceShape),
                path=report.value(node, SH.resultPath),
                value=report.value(node, SH.value),
                message=str(report.value(node, SH.resultMessage)),
            )
        )
    return conforms, results


def only(results: list[Result]) -> Result:
    assert len(results) == 1, "\n".join(map(str, results))
    return results[0]


def subject_of_type(graph: Graph, cls: URIRef, **where: URIRef) -> URIRef:
    """The one node of class ``cls`` whose prob: properties have the given values."""
    found = [
        s for s in graph.subjects(RDF.type, cls) if all((s, PROB[p], o) in graph for p, o in where.items())
    ]
    assert len(found) == 1, found
    return found[0]


def evidence_with_quote(graph: Graph, exact_start: str) -> tuple[URIRef, URIRef, URIRef]:
    """The evidence node whose quote starts with ``exact_start``, with its quote and position selectors."""
    for quote, exact in graph.subject_objects(OA.exact):
        if str(exact).startswith(exact_start):
            evidence = graph.value(None, OA.hasSelector, quote)
            position = next(
                s
                for s in graph.objects(evidence, OA.hasSelector)
                if (s, RDF.type, OA.TextPositionSelector) in graph
            )
            return evidence, quote, position
    raise AssertionError(exact_start)


# ------------------------------------------------------------------------------------------ fixture


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_fixture_conforms_without_any_result(data, shapes, ontology, inference):
    conforms, results = validate(data, shapes, ontology, inference)
    assert conforms
    assert results == []


def test_fixture_offsets_and_checksums_match_its_source_texts(fixture_graph):
    texts = {}
    for doc, checksum in fixture_graph.subject_objects(PROB.sha256):
        if (doc, RDF.type, PROB.LoadedGraph) in fixture_graph:
            continue
        text = (SOURCES / f"{str(doc).rsplit('/', 1)[1]}.txt").read_text(encoding="utf-8")
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == str(checksum)
        texts[doc] = text
    positions = list(fixture_graph.subjects(RDF.type, OA.TextPositionSelector))
    assert len(positions) == 8
    for position in positions:
        evidence = fixture_graph.value(None, OA.hasSelector, position)
        text = texts[fixture_graph.value(evidence, OA.hasSource)]
        start, end = int(fixture_graph.value(position, OA.start)), int(fixture_graph.value(position, OA.end))
        assert 0 <= start < end <= len(text)
        for quote in fixture_graph.objects(evidence, OA.hasSelector):
            exact = fixture_graph.value(quote, OA.exact)
            if exact is not None:
                assert text[start:end] == str(exact)
                assert text[:start].endswith(str(fixture_graph.value(quote, OA.prefix)))
                assert text[end:].startswith(str(fixture_graph.value(quote, OA.suffix)))


def test_fixture_covers_every_class_of_the_contract(fixture_graph, ontology):
    declared = {
        c
        for c in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if isinstance(c, URIRef)
    }
    used = set(fixture_graph.objects(None, RDF.type))
    # ProbationProvider and SourceDocument are abstract: only their subclasses are instantiated.
    missing = declared - used - {PROB.ProbationProvider, PROB.SourceDocument, PROB.BlogPost, PROB.WebPage}
    assert missing == set()


def test_validation_of_the_fixture_is_fast(data, shapes, ontology):
    started = time.perf_counter()
    validate(data, shapes, ontology)
    assert time.perf_counter() - started < 10  # about 0.5 s on the development machine


# ------------------------------------------------------------------------------------------ mutations


def test_finding_without_evidence_is_a_min_count_violation(data, shapes, ontology):
    finding = subject_of_type(data, PROB.Finding, theme=PROB.LeadershipManagement)
    data.remove((finding, PROB.hasEvidence, None))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "MinCountConstraintComponent",
        finding,
        PROB.hasEvidence,
    )
    assert (
        result.message
        == "A finding needs at least one piece of evidence (prob:hasEvidence) anchored in a source."
    )


@pytest.mark.parametrize(
    "bad",
    [
        Literal("2016-13-45", datatype=XSD.date),
        Literal("March 2019"),
        Literal("2019-08-01T00:00:00", datatype=XSD.dateTime),
    ],
)
def test_bad_publication_date_is_rejected(data, shapes, ontology, bad):
    data.set((INSPECTION_2019, PROB.publicationDate, bad))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.value) == ("OrConstraintComponent", INSPECTION_2019, bad)
    assert "xsd:date, xsd:gYearMonth or xsd:gYear" in result.message


def test_invalid_interval_date_is_rejected_on_the_instant(data, shapes, ontology):
    interval = data.value(LONDON_OWNERSHIP, ORG.memberDuring)
    begin = data.value(interval, TIME.hasBeginning)
    data.set((begin, TIME.inXSDDate, Literal("2015-02-30", datatype=XSD.date)))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "DatatypeConstraintComponent",
        begin,
        TIME.inXSDDate,
    )


def test_polarity_outside_its_scheme_is_rejected(data, shapes, ontology):
    finding = subject_of_type(data, PROB.Finding, theme=PROB.LeadershipManagement)
    data.set((finding, PROB.polarity, PROB.Good))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.value) == ("InConstraintComponent", finding, PROB.Good)
    assert result.message == "A finding has exactly one polarity: prob:Critical, prob:Positive or prob:Mixed."


def test_rating_value_outside_its_scheme_is_rejected(data, shapes, ontology):
    rating = subject_of_type(data, PROB.Rating, ratingValue=PROB.RequiresImprovement)
    data.set((rating, PROB.ratingValue, PROB.Acceptable))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "InConstraintComponent",
        rating,
        PROB.ratingValue,
    )


def test_finding_about_a_provider_its_inspection_did_not_cover(data, shapes, ontology):
    finding = subject_of_type(data, PROB.Finding, theme=PROB.StaffingWorkload)
    data.add((finding, PROB.aboutProvider, NPS_LONDON))  # the 2018 inspection looked at the CRC only
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus) == ("SPARQLConstraintComponent", finding)
    assert result.shape == SHAPES.FindingShape
    assert str(NPS_LONDON) in result.message
    assert str(INSPECTION_2018) in result.message


def test_rating_of_a_provider_its_inspection_did_not_cover(data, shapes, ontology):
    rating = subject_of_type(data, PROB.Rating, ratingValue=PROB.Good)
    data.set((rating, PROB.ratingOf, NPS_LONDON))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.shape) == (
        "SPARQLConstraintComponent",
        rating,
        SHAPES.RatingShape,
    )


def test_quote_that_disagrees_with_its_offsets(data, shapes, ontology):
    evidence, _, position = evidence_with_quote(data, "Caseloads were too high")
    end = int(data.value(position, OA.end))
    data.set((position, OA.end, Literal(end + 2, datatype=XSD.nonNegativeInteger)))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.shape) == (
        "SPARQLConstraintComponent",
        evidence,
        SHAPES.EvidenceShape,
    )
    length = len("Caseloads were too high for many officers.")
    assert result.message.startswith(f"Quote length {length} differs from end - start = {length + 2}")


def test_start_not_before_end_is_rejected(data, shapes, ontology):
    _, _, position = evidence_with_quote(data, "around 29,400")
    start = data.value(position, OA.start)
    data.set((position, OA.end, start))
    data.remove((None, OA.hasSelector, URIRef(str(position).replace("#position", "#quote"))))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "LessThanConstraintComponent",
        position,
        OA.start,
    )


def test_evidence_without_position_selector_is_rejected(data, shapes, ontology):
    evidence, _, position = evidence_with_quote(data, "Managers had started")
    data.remove((evidence, OA.hasSelector, position))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus) == ("QualifiedMinCountConstraintComponent", evidence)
    assert "oa:TextPositionSelector" in result.message


def test_integer_offsets_as_oxigraph_returns_them_are_accepted(data, shapes, ontology):
    for position in list(data.subjects(RDF.type, OA.TextPositionSelector)):
        for prop in (OA.start, OA.end):
            data.set((position, prop, Literal(int(data.value(position, prop)), datatype=XSD.integer)))
    assert validate(data, shapes, ontology) == (True, [])


def test_negative_offset_is_rejected(data, shapes, ontology):
    _, _, position = evidence_with_quote(data, "Caseloads were too high")
    data.set((position, OA.start, Literal(-1)))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    components = sorted(r.component for r in results)
    # -1 is an xsd:integer (so sh:or passes) but breaks sh:minInclusive; the quote check sees the span grow
    assert components == ["MinInclusiveConstraintComponent", "SPARQLConstraintComponent"]


def _interval_bound(data: Graph, ownership: URIRef, which: URIRef) -> BNode:
    return data.value(data.value(ownership, ORG.memberDuring), which)


def test_ownership_ending_before_it_begins_is_a_violation(data, shapes, ontology):
    end = _interval_bound(data, LONDON_OWNERSHIP, TIME.hasEnd)
    data.set((end, TIME.inXSDDate, Literal("2014-06-01", datatype=XSD.date)))
    data.set((end, TIME.inXSDgYearMonth, Literal("2014-06", datatype=XSD.gYearMonth)))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.severity) == (
        "SPARQLConstraintComponent",
        LONDON_OWNERSHIP,
        "Violation",
    )
    assert "(2014-06-01) on or before it begins (2015-02-01)" in result.message


def test_overlapping_owners_are_only_a_warning(data, shapes, ontology):
    begin = _interval_bound(data, WALES_SEETEC, TIME.hasBeginning)
    data.set((begin, TIME.inXSDDate, Literal("2018-06-01", datatype=XSD.date)))
    data.set((begin, TIME.inXSDgYearMonth, Literal("2018-06", datatype=XSD.gYearMonth)))
    conforms, results = validate(data, shapes, ontology)
    assert conforms  # warnings allowed
    assert {(r.focus, r.severity, r.shape) for r in results} == {
        (WALES_WL, "Warning", SHAPES.OwnershipOverlapShape),
        (WALES_SEETEC, "Warning", SHAPES.OwnershipOverlapShape),
    }
    assert len(results) == 2
    strict, _, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert not strict


def test_successive_owners_sharing_a_boundary_do_not_overlap(data, shapes, ontology):
    # Working Links ends 2019-02-01 and Seetec begins 2019-02-01: half-open intervals touch, no warning.
    assert _interval_bound(data, WALES_WL, TIME.hasEnd) is not None
    assert validate(data, shapes, ontology) == (True, [])


def test_unknown_organisation_is_named(data, shapes, ontology):
    unknown = ID["org/unresolved/acme-justice"]
    finding = subject_of_type(data, PROB.Finding, theme=PROB.StaffingWorkload)
    data.set((finding, PROB.aboutProvider, unknown))
    data.add((INSPECTION_2018, PROB.inspected, unknown))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.shape) == (
        "SPARQLConstraintComponent",
        unknown,
        SHAPES.KnownOrganisationShape,
    )
    assert result.message.startswith(f"Unknown organisation {unknown}:")


def test_unknown_owner_of_an_ownership(data, shapes, ontology):
    unknown = ID["org/unresolved/acme-holdings"]
    data.set((LONDON_OWNERSHIP, ORG.member, unknown))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.value) == (
        "ClassConstraintComponent",
        LONDON_OWNERSHIP,
        unknown,
    )


def test_rating_without_provider(data, shapes, ontology):
    rating = subject_of_type(data, PROB.Rating, ratingValue=PROB.RequiresImprovement)
    data.remove((rating, PROB.ratingOf, None))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "MinCountConstraintComponent",
        rating,
        PROB.ratingOf,
    )
    assert result.message == "A rating grades exactly one provider (prob:ratingOf)."


@pytest.mark.parametrize("bad", ["ABC", "0" * 63, "A" * 64, "g" * 64])
def test_malformed_sha256(data, shapes, ontology, bad):
    data.set((PRESS_RELEASE, PROB.sha256, Literal(bad)))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.path) == (
        "PatternConstraintComponent",
        PRESS_RELEASE,
        PROB.sha256,
    )


def test_wrong_kind_code_is_rejected(data, shapes, ontology):
    data.set((ID["org/mtcnovo"], PROB.kind, Literal("CRC")))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus) == ("PatternConstraintComponent", ID["org/mtcnovo"])


def test_transfer_must_not_state_a_resulting_organisation(data, shapes, ontology):
    event = ID["event/wales-crc/owner-change/2019-02"]
    data.add((event, ORG.resultingOrganization, ID["org/wales-crc"]))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus) == ("MaxCountConstraintComponent", event)


def test_sources_disagreeing_on_an_inspections_name_and_type_are_only_warnings(data, shapes, ontology):
    # A second source calls the 2019 inspection by another name and classifies it differently.
    data.add((INSPECTION_2019, SKOS.prefLabel, Literal("Inspection of the London CRC, 2019", lang="en")))
    data.add((INSPECTION_2019, DCTERMS.type, PROB.AreaInspection))
    conforms, results = validate(data, shapes, ontology)
    assert conforms  # warnings allowed
    owner = {r.shape: shapes.value(None, SH.property, r.shape) for r in results}
    assert {(r.component, r.focus, r.severity, owner[r.shape], r.path) for r in results} == {
        (
            "UniqueLangConstraintComponent",
            INSPECTION_2019,
            "Warning",
            SHAPES.InspectionAgreementShape,
            SKOS.prefLabel,
        ),
        (
            "MaxCountConstraintComponent",
            INSPECTION_2019,
            "Warning",
            SHAPES.InspectionAgreementShape,
            DCTERMS.type,
        ),
    }
    assert all(r.message.startswith("Sources disagree on the ") for r in results)
    strict, _, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert not strict


def test_an_inspection_name_in_another_language_is_no_disagreement(data, shapes, ontology):
    data.add((INSPECTION_2019, SKOS.prefLabel, Literal("Arolygiad CRC Llundain, 2019", lang="cy")))
    assert validate(data, shapes, ontology) == (True, [])


def test_inspection_type_outside_its_scheme_is_still_a_violation(data, shapes, ontology):
    data.set((INSPECTION_2019, DCTERMS.type, PROB.Good))
    conforms, results = validate(data, shapes, ontology)
    assert not conforms
    result = only(results)
    assert (result.component, result.focus, result.severity, result.value) == (
        "InConstraintComponent",
        INSPECTION_2019,
        "Violation",
        PROB.Good,
    )


def test_a_load_that_names_a_stored_inspection_differently_succeeds_with_warnings(
    memory_store, fixture_graph
):
    from probkg.loaders.base import LoadUnit
    from probkg.validation.gate import validate_unit

    base = LoadUnit(
        graph=ID["graph/file/model-valid"],
        triples=fixture_graph,
        checksum="a" * 64,
        source=str(FIXTURE),
        loader="rdf",
    )
    assert load_unit(memory_store, base).status == "added"
    other = Graph()
    other.add((INSPECTION_2019, RDF.type, PROB.Inspection))
    other.add((INSPECTION_2019, SKOS.prefLabel, Literal("Inspection of the London CRC, 2019", lang="en")))
    other.add((INSPECTION_2019, DCTERMS.type, PROB.AreaInspection))
    other.add((INSPECTION_2019, PROB.inspected, LONDON_CRC))
    unit = LoadUnit(
        graph=ID["graph/doc/second-account"],
        triples=other,
        checksum="b" * 64,
        source="second-account",
        loader="rdf",
    )
    report = validate_unit(memory_store, unit)
    assert report.conforms
    assert sorted((r.severity, r.path) for r in report.results) == [
        ("Warning", "dct:type"),
        ("Warning", "skos:prefLabel"),
    ]
    assert load_unit(memory_store, unit).status == "added"
    labels = {
        str(row[0])
        for row in memory_store.query(f"SELECT ?l WHERE {{ {INSPECTION_2019.n3()} skos:prefLabel ?l }}")
    }
    assert labels == {"London CRC core inspection, 2019", "Inspection of the London CRC, 2019"}


def test_missing_ontology_makes_subclass_checks_fail(data, shapes):
    """Without ont_graph pySHACL cannot see that a CRC is an organisation: callers must pass it."""
    conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    assert not conforms


# ------------------------------------------------------------------------------------------ Oxigraph


def _result_keys(results: list[Result]) -> set[tuple]:
    return {
        (r.component, r.focus if not isinstance(r.focus, BNode) else "_", r.severity, r.message)
        for r in results
    }


def test_oxigraph_backed_graph_gives_the_same_results_as_memory(data, shapes, ontology):
    """Oxigraph hands back xsd:string and xsd:integer where the file had plain strings and
    xsd:nonNegativeInteger; the shapes are written so that this changes nothing."""
    pytest.importorskip("oxrdflib")
    data.set((INSPECTION_2019, PROB.publicationDate, Literal("2019-13", datatype=XSD.gYearMonth)))
    data.set((ID["org/mtcnovo"], PROB.kind, Literal("Other")))
    oxi = Graph(store="Oxigraph")
    for triple in data:
        oxi.add(triple)
    kind = oxi.value(LONDON_CRC, PROB.kind)
    assert kind.datatype == XSD.string  # the quirk is real: the plain literal came back typed
    memory_conforms, memory_results = validate(data, shapes, ontology)
    oxi_conforms, oxi_results = validate(oxi, shapes, ontology)
    assert not memory_conforms
    assert not oxi_conforms
    assert len(memory_results) == 2
    assert _result_keys(oxi_results) == _result_keys(memory_results)

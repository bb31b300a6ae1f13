"""The shapes compiled to SPARQL give the same results as pySHACL, on clean and on broken data."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS, XSD

from probkg.graph._oxterms import from_rdflib
from probkg.ontology import ONTOLOGY_IRI, ontology_graph
from probkg.ontology.namespaces import OA, ORG, PROB, TIME
from probkg.synth import write_synth
from probkg.validation.gate import _constraint, validate_graph
from probkg.validation.shacl_sparql import (
    UnsupportedShape,
    compile_shapes,
    oxigraph_select,
    run_checks,
    validate_store_sparql,
)

ID = "https://w3id.org/probation-kg/id/"
SPARQL = _constraint(SH.SPARQLConstraintComponent)


def _synth(inspections: int, seed: int) -> Graph:
    buf = io.BytesIO()
    write_synth(buf, inspections, seed=seed)
    ds = Dataset()
    ds.parse(data=buf.getvalue(), format="nquads")
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _sparql_report(g: Graph, log: list[str] | None = None, workers: int = 1):  # type: ignore[no-untyped-def]
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.NamedNode(ID + "graph/test"))
        for s, p, o in g
    )
    # As in a built store: the ontology sits in its own graph (SPARQL constraints read rdfs:subClassOf).
    store.bulk_extend(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), ox.NamedNode(str(ONTOLOGY_IRI)))
        for s, p, o in ontology_graph()
    )
    select = oxigraph_select(store)
    if log is None:
        return run_checks(select, workers=workers)

    def logged(sparql: str):  # type: ignore[no-untyped-def]
        log.append(sparql)
        return select(sparql)

    return run_checks(logged, workers=workers)


def _keys(report) -> set[tuple[str, str | None, str | None, str]]:  # type: ignore[no-untyped-def]
    return {(r.focus, r.path, r.constraint, r.severity) for r in report.results}


def _one(g: Graph, cls: URIRef) -> URIRef:
    return sorted(g.subjects(RDF.type, cls))[0]  # type: ignore[return-value]


def _mutate(g: Graph) -> set[str]:
    """Break the data in one way per constraint kind; return the constraints expected to fire."""
    finding = _one(g, PROB.Finding)
    findings = sorted(g.subjects(RDF.type, PROB.Finding))
    insp = _one(g, PROB.Inspection)
    crc = _one(g, PROB.CommunityRehabilitationCompany)
    figure = _one(g, PROB.Figure)
    evidence = sorted(g.objects(findings[1], PROB.hasEvidence))[0]
    quote = URIRef(str(evidence) + "#quote")
    position = URIRef(str(evidence) + "#position")
    ownership = _one(g, PROB.Ownership)
    interval = g.value(ownership, ORG.memberDuring)
    # minCount / maxCount / in
    g.remove((finding, PROB.theme, None))
    g.add((findings[2], PROB.polarity, PROB.Positive))
    g.add((findings[2], PROB.polarity, PROB.Critical))
    g.add((findings[3], PROB.secondaryTheme, PROB.NotATheme))
    # datatype (ill-formed, wrong type, missing language), uniqueLang, pattern
    g.set((insp, PROB.publicationDate, Literal("2017-13-45", datatype=XSD.date)))
    g.add((crc, SKOS.altLabel, Literal("no language tag")))
    g.add((crc, SKOS.prefLabel, Literal("A second English name", lang="en")))
    g.set((crc, PROB.kind, Literal("Company")))
    # or, maxLength, lessThan, SPARQL constraint (quote length)
    g.set((figure, PROB.value, Literal("lots")))
    g.add((quote, OA.prefix, Literal("x" * 40)))
    g.set((position, OA.start, Literal(500, datatype=XSD.nonNegativeInteger)))
    # qualifiedMinCount: evidence without its position selector
    ev2 = sorted(g.objects(findings[4], PROB.hasEvidence))[0]
    g.remove((ev2, OA.hasSelector, URIRef(str(ev2) + "#position")))
    # hasValue: evidence not typed
    ev3 = sorted(g.objects(findings[5], PROB.hasEvidence))[0]
    g.remove((ev3, RDF.type, OA.SpecificResource))
    # class + nodeKind at node level, SPARQL constraint: an unknown organisation
    g.add((findings[6], PROB.aboutProvider, URIRef(ID + "org/nobody-knows")))
    g.add((findings[7], PROB.aboutProvider, Literal("London CRC")))
    # node-level class on a blank node, minCount on a blank instant, interval ending before it begins
    g.remove((interval, RDF.type, TIME.ProperInterval))
    end = g.value(interval, TIME.hasEnd)
    g.set((end, TIME.inXSDDate, Literal("2001-01-01", datatype=XSD.date)))
    begin = g.value(interval, TIME.hasBeginning)
    g.remove((begin, TIME.inXSDDate, None))
    # overlap warning: a second owner for the same provider at the same time
    other = URIRef(ID + "ownership/test/overlap")
    owner = _one(g, PROB.OwnerOrganisation)
    b, i, e = BNode(), BNode(), BNode()
    for t in [
        (other, RDF.type, PROB.Ownership),
        (other, ORG.member, owner),
        (
            other,
            ORG.organization,
            g.value(sorted(g.subjects(RDF.type, PROB.Ownership))[-1], ORG.organization),
        ),
        (other, ORG.role, PROB.ownerRole),
        (other, URIRef("http://purl.org/dc/terms/source"), URIRef("https://synthetic.invalid/x")),
        (other, ORG.memberDuring, i),
        (i, RDF.type, TIME.ProperInterval),
        (i, TIME.hasBeginning, b),
        (b, RDF.type, TIME.Instant),
        (b, TIME.inXSDDate, Literal("2016-01-01", datatype=XSD.date)),
        (i, TIME.hasEnd, e),
        (e, RDF.type, TIME.Instant),
        (e, TIME.inXSDDate, Literal("2030-01-01", datatype=XSD.date)),
    ]:
        g.add(t)
    return {
        "sh:minCount",
        "sh:maxCount",
        "sh:in",
        "sh:datatype",
        "sh:uniqueLang",
        "sh:pattern",
        "sh:or",
        "sh:maxLength",
        "sh:lessThan",
        SPARQL,
        "sh:qualifiedMinCount",
        "sh:hasValue",
        "sh:class",
        "sh:nodeKind",
    }


def test_clean_synthetic_data_conforms_in_both() -> None:
    g = _synth(6, seed=3)
    fast = _sparql_report(g)
    slow = validate_graph(g)
    assert slow.conforms
    assert fast.conforms
    assert _keys(fast) == _keys(slow) == set()


def test_broken_data_gives_the_same_results_as_pyshacl() -> None:
    g = _synth(6, seed=4)
    expected = _mutate(g)
    fast = _sparql_report(g)
    slow = validate_graph(g)
    assert not fast.conforms
    assert _keys(fast) == _keys(slow)
    fired = {r.constraint for r in fast.results}
    assert expected <= fired, expected - fired
    assert any(r.severity == "Warning" for r in fast.results)
    # messages of SPARQL constraints are filled in with the row's values
    quote_msgs = [r.message for r in fast.results if r.constraint == SPARQL and "Quote length" in r.message]
    assert quote_msgs
    assert "{?" not in quote_msgs[0]


@pytest.mark.slow
def test_ten_thousand_triples_match_pyshacl_after_mutation() -> None:
    g = _synth(25, seed=1)
    assert len(g) > 9000
    _mutate(g)
    assert _keys(_sparql_report(g)) == _keys(validate_graph(g))


def test_every_shape_of_the_profile_compiles() -> None:
    checks = compile_shapes()
    components = {str(c.component).rsplit("#", 1)[-1] for c in checks}
    assert {
        "MinCountConstraintComponent",
        "SPARQLConstraintComponent",
        "QualifiedMinCountConstraintComponent",
        "LessThanConstraintComponent",
    } <= components
    for c in checks:
        ox.Store().query(c.sparql)  # every query parses and runs


def test_unsupported_constraint_is_refused() -> None:
    shapes = Graph()
    shapes.parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:closed true .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShape, match="closed"):
        compile_shapes(shapes, Graph())


def test_store_validation_runs_inside_an_oxigraph_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from probkg.graph.store import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    g = _synth(2, seed=5)
    g.remove((_one(g, PROB.Finding), PROB.polarity, None))
    store.replace_graph(URIRef(ID + "graph/test"), g)
    store.replace_graph(ONTOLOGY_IRI, ontology_graph())
    report = validate_store_sparql(store)
    assert not report.conforms
    assert {r.constraint for r in report.violations} == {"sh:minCount"}
    assert report.violations[0].path == "prob:polarity"


def test_max_count_checks_share_one_guard_and_run_only_for_the_properties_it_names() -> None:
    """``sh:maxCount 1`` on a property: one query counts every such property's triples and subjects; the
    property's own checks run only where a subject has two values, and still report it."""
    g = _synth(2, seed=5)
    log: list[str] = []
    assert _sparql_report(g, log).conforms
    guards = [q for q in log if "COUNT(DISTINCT ?_s)" in q]
    assert len(guards) == 1
    pairs = [q for q in log if "FILTER(!sameTerm(?_v, ?_w))" in q]
    assert pairs == []  # no property has two values for a subject: none of its checks ran

    finding = _one(g, PROB.Finding)
    other = PROB.Positive if (finding, PROB.polarity, PROB.Critical) in g else PROB.Critical
    g.add((finding, PROB.polarity, other))
    log.clear()
    report = _sparql_report(g, log)
    pairs = [q for q in log if "FILTER(!sameTerm(?_v, ?_w))" in q]
    assert pairs
    assert all("polarity>" in q for q in pairs)
    assert {(r.constraint, r.path) for r in report.violations} == {("sh:maxCount", "prob:polarity")}
    assert _keys(report) == _keys(validate_graph(g))
    one_thread = sorted(log)
    log.clear()
    assert _sparql_report(g, log, workers=2).results == report.results  # on two threads, the same
    assert sorted(log) == one_thread  # the same queries: the guard once, the polarity checks after it

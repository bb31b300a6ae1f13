"""Quality checks on the ontology, the concept schemes and the shapes shipped in probkg.ontology.

Every prob: term used anywhere in the package is declared and documented, every namespace is on the
allow-list, the files survive a JSON-LD round trip, the theme labels match the gold corpus, and the
shapes are valid SHACL with a message on every constraint.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

import probkg.ontology as ontology_pkg
from probkg.ontology import (
    ALLOWED,
    DCTERMS,
    ONTOLOGY_IRI,
    ORG,
    PROB,
    SHAPES_IRI,
    VERSION,
    VERSION_IRI,
    ontology_graph,
    resource_path,
    shapes_graph,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "probkg"
SHARED = REPO.parent / "shared"

THEMES = [
    "public protection",
    "reducing reoffending",
    "abiding by the sentence / compliance & enforcement",
    "leadership & management",
    "staffing & workload",
    "partnerships & services",
    "assessment & planning",
    "court work",
    "unpaid work",
    "through-the-gate / resettlement",
    "safeguarding & domestic abuse",
    "other",
]

SKOS_KINDS = {SKOS.Concept, SKOS.ConceptScheme, SKOS.Collection, ORG.Role}
OWL_KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
DOCUMENT_IRIS = {ONTOLOGY_IRI, VERSION_IRI, SHAPES_IRI}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


def declared_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(PROB))}


def english(values) -> list[Literal]:
    return [v for v in values if isinstance(v, Literal) and v.language == "en"]


# ------------------------------------------------------------------------------------------ header


def test_ontology_header(onto):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == VERSION_IRI
    assert str(onto.value(ONTOLOGY_IRI, OWL.versionInfo)) == VERSION
    assert english(onto.objects(ONTOLOGY_IRI, DCTERMS.title))
    assert english(onto.objects(ONTOLOGY_IRI, DCTERMS.description))
    assert onto.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")


def test_helpers_return_independent_copies():
    first = ontology_graph()
    first.remove((None, None, None))
    assert len(first) == 0
    assert len(ontology_graph()) > 500
    assert len(shapes_graph()) > 500


def test_resource_path_rejects_unknown_names():
    assert resource_path("ontology.ttl").is_file()
    with pytest.raises(FileNotFoundError, match=r"no-such\.ttl"):
        resource_path("no-such.ttl")


def test_public_api_is_declared():
    for name in ontology_pkg.__all__:
        assert hasattr(ontology_pkg, name), name


# ------------------------------------------------------------------------------------------ declarations


CONTRACT_CLASSES = [
    "ProbationProvider",
    "CommunityRehabilitationCompany",
    "NationalProbationService",
    "NpsDivision",
    "OwnerOrganisation",
    "Inspectorate",
    "Area",
    "Ownership",
    "Shareholding",
    "Appointment",
    "OwnershipTransfer",
    "Inspection",
    "Finding",
    "Rating",
    "KeyTestVerdict",
    "Figure",
    "SourceDocument",
    "PressRelease",
    "BlogPost",
    "InspectionReport",
    "WebPage",
    "ExtractionRun",
    "LoadedGraph",
]
CONTRACT_PROPERTIES = [
    "kind",
    "unverified",
    "verificationNote",
    "basedIn",
    "gssCode",
    "inspected",
    "inInspection",
    "aboutProvider",
    "theme",
    "secondaryTheme",
    "polarity",
    "hasEvidence",
    "ratingOf",
    "ratingValue",
    "ratingAspect",
    "aspectLabel",
    "verdictOf",
    "keyTest",
    "verdict",
    "exceptFor",
    "value",
    "unit",
    "qualifier",
    "measure",
    "measureType",
    "figureAbout",
    "asOf",
    "publicationDate",
    "fieldworkStart",
    "fieldworkEnd",
    "chiefInspector",
    "followsUp",
    "areaDescription",
    "sequenceNote",
    "reportsOn",
    "mentions",
    "sha256",
    "softwareVersion",
    "loader",
    "tripleCount",
]


def test_every_contract_term_is_declared(onto):
    for name in CONTRACT_CLASSES:
        assert (PROB[name], RDF.type, OWL.Class) in onto, name
    for name in CONTRACT_PROPERTIES:
        kinds = set(onto.objects(PROB[name], RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (PROB.ProbationProvider, ORG.Organization),
        (PROB.CommunityRehabilitationCompany, PROB.ProbationProvider),
        (PROB.CommunityRehabilitationCompany, ORG.FormalOrganization),
        (PROB.NationalProbationService, URIRef("http://data.europa.eu/m8g/PublicOrganisation")),
        (PROB.NpsDivision, ORG.OrganizationalUnit),
        (PROB.OwnerOrganisation, ORG.Organization),
        (PROB.Inspectorate, URIRef("http://data.europa.eu/m8g/PublicOrganisation")),
        (PROB.Area, URIRef("http://www.opengis.net/ont/geosparql#Feature")),
        (PROB.Area, DCTERMS.Location),
        (PROB.Ownership, ORG.Membership),
        (PROB.Shareholding, ORG.Membership),
        (PROB.Appointment, ORG.Membership),
        (PROB.OwnershipTransfer, ORG.ChangeEvent),
        (PROB.Inspection, URIRef("http://www.w3.org/ns/prov#Activity")),
        (PROB.ExtractionRun, URIRef("http://www.w3.org/ns/prov#Activity")),
        (PROB.Finding, URIRef("http://www.w3.org/ns/prov#Entity")),
        (PROB.SourceDocument, URIRef("http://xmlns.com/foaf/0.1/Document")),
        (PROB.PressRelease, PROB.SourceDocument),
        (PROB.WebPage, PROB.SourceDocument),
    ],
)
def test_class_hierarchy_reuses_w3c_terms(onto, sub, sup):
    assert (sub, RDFS.subClassOf, sup) in onto


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (PROB.theme, DCTERMS.subject),
        (PROB.secondaryTheme, DCTERMS.subject),
        (PROB.chiefInspector, URIRef("http://www.w3.org/ns/prov#wasAssociatedWith")),
    ],
)
def test_subproperties(onto, sub, sup):
    assert (sub, RDFS.subPropertyOf, sup) in onto


def test_no_property_has_two_domains_or_ranges(onto):
    for prop in declared_terms(onto):
        assert len(list(onto.objects(prop, RDFS.domain))) <= 1, prop
        assert len(list(onto.objects(prop, RDFS.range))) <= 1, prop


@pytest.mark.parametrize("prop", ["inspected", "aboutProvider", "ratingOf", "verdictOf", "figureAbout"])
def test_organisation_valued_properties_have_no_range(onto, prop):
    """A range would let RDFS inference type an unknown IRI as an organisation and hide it from the shapes."""
    assert onto.value(PROB[prop], RDFS.range) is None


def test_every_declared_term_is_documented(onto):
    terms = declared_terms(onto)
    assert len(terms) > 100
    for term in terms:
        kinds = set(onto.objects(term, RDF.type))
        assert kinds & (SKOS_KINDS | OWL_KINDS), term
        label = SKOS.prefLabel if kinds & SKOS_KINDS else RDFS.label
        assert len(english(onto.objects(term, label))) == 1, term
        assert len(list(onto.objects(term, label))) == 1, term
        assert len(english(onto.objects(term, SKOS.definition))) == 1, term
        assert onto.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI, term


def test_labels_are_unique_per_kind(onto):
    for label_prop in (RDFS.label, SKOS.prefLabel):
        seen: dict[tuple, URIRef] = {}
        for term, label in onto.subject_objects(label_prop):
            if not str(term).startswith(str(PROB)):
                continue
            key = (str(label).casefold(), onto.value(term, SKOS.inScheme))
            assert key not in seen, (term, seen.get(key))
            seen[key] = term


def _package_files(pattern: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob(pattern) if "__pycache__" not in p.parts)


def _prob_terms_in_rdf(graph: Graph) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(str(PROB))}


def _prob_terms_in_query(text: str) -> set[URIRef]:
    names = set(re.findall(r"(?<![\w<#/])prob:([A-Za-z_][\w-]*)", text))
    names |= set(re.findall(r"<https://w3id\.org/probation-kg/def#([\w-]+)>", text))
    return {PROB[name] for name in names}


def test_every_prob_term_used_in_the_package_is_declared(onto):
    declared = declared_terms(onto)
    used: dict[URIRef, str] = {}
    ttl_files = _package_files("*.ttl")
    assert {p.name for p in ttl_files} >= {"ontology.ttl", "schemes.ttl", "shapes.ttl"}
    for path in ttl_files:
        for term in _prob_terms_in_rdf(Graph().parse(path, format="turtle")):
            used.setdefault(term, str(path.relative_to(REPO)))
    for path in _package_files("*.rq"):
        for term in _prob_terms_in_query(path.read_text(encoding="utf-8")):
            used.setdefault(term, str(path.relative_to(REPO)))
    undeclared = {str(t): where for t, where in used.items() if t not in declared}
    assert undeclared == {}


def test_query_term_scanner_finds_prefixed_and_full_iris():
    text = (
        "PREFIX prob: <https://w3id.org/probation-kg/def#>\n"
        "SELECT * { ?f prob:theme ?t ; <https://w3id.org/probation-kg/def#polarity> prob:Critical }"
    )
    assert _prob_terms_in_query(text) == {PROB.theme, PROB.polarity, PROB.Critical}


def _allowed(iri: str) -> bool:
    return any(iri.startswith(ns) for ns in ALLOWED)


def test_every_namespace_in_the_ontology_files_is_allowed():
    for name in ("ontology.ttl", "schemes.ttl", "shapes.ttl"):
        graph = Graph().parse(data=resource_path(name).read_text(encoding="utf-8"), format="turtle")
        iris = {t for triple in graph for t in triple if isinstance(t, URIRef)}
        iris |= {t.datatype for triple in graph for t in triple if isinstance(t, Literal) and t.datatype}
        bad = sorted(str(i) for i in iris - DOCUMENT_IRIS if not _allowed(str(i)))
        assert bad == [], name


def test_every_vocabulary_term_in_other_package_files_is_allowed():
    """Curated data and queries written by others: predicates, classes and PREFIX lines."""
    for path in _package_files("*.ttl"):
        if path.parent.name == "ontology":
            continue
        graph = Graph().parse(path, format="turtle")
        terms = set(graph.predicates()) | {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
        assert sorted(str(t) for t in terms if not _allowed(str(t))) == [], path
    for path in _package_files("*.rq"):
        prefixes = re.findall(
            r"PREFIX\s+[\w-]*:\s*<([^>]*)>", path.read_text(encoding="utf-8"), re.IGNORECASE
        )
        assert sorted(p for p in prefixes if p not in ALLOWED) == [], path


def test_allow_list_check_catches_a_typo():
    assert _allowed("http://www.w3.org/ns/org#Membership")
    assert not _allowed("http://w3.org/ns/locn#address")


@pytest.mark.slow
@pytest.mark.parametrize("graph_factory", [ontology_graph, shapes_graph])
def test_round_trip_through_json_ld_is_isomorphic(graph_factory):
    original = graph_factory()
    json_ld = original.serialize(format="json-ld")
    back = Graph().parse(data=json_ld, format="json-ld")
    turtle = back.serialize(format="turtle")
    assert isomorphic(original, Graph().parse(data=turtle, format="turtle"))


# ------------------------------------------------------------------------------------------ schemes


def _scheme_members(onto: Graph, scheme: URIRef) -> set[URIRef]:
    return set(onto.subjects(SKOS.inScheme, scheme))


def _labels(onto: Graph, concepts) -> list[str]:
    return [str(onto.value(c, SKOS.prefLabel)) for c in concepts]


def test_theme_labels_are_the_twelve_hard_coded(onto):
    assert sorted(_labels(onto, _scheme_members(onto, PROB.ThemeScheme))) == sorted(THEMES)


@pytest.mark.shared
def test_theme_labels_match_the_gold_corpus(onto):
    gold = SHARED / "corpus" / "gold-press.yaml"
    if not gold.is_file():
        pytest.skip("../shared is not beside the checkout")
    themes = yaml.safe_load(gold.read_text(encoding="utf-8"))["conventions"]["themes"]
    assert sorted(_labels(onto, _scheme_members(onto, PROB.ThemeScheme))) == sorted(themes)
    assert sorted(themes) == sorted(THEMES)


def test_key_tests_collection(onto):
    assert set(onto.objects(PROB.KeyTests, SKOS.member)) == {
        PROB.PublicProtection,
        PROB.ReducingReoffending,
        PROB.AbidingBySentence,
    }


def test_rating_scale_notations(onto):
    members = _scheme_members(onto, PROB.RatingScheme)
    by_notation = {int(onto.value(c, SKOS.notation)): c for c in members}
    assert by_notation == {4: PROB.Outstanding, 3: PROB.Good, 2: PROB.RequiresImprovement, 1: PROB.Inadequate}
    for concept in members:
        assert onto.value(concept, SKOS.notation).datatype == URIRef(
            "http://www.w3.org/2001/XMLSchema#integer"
        )
    alt = {str(a) for a in onto.objects(PROB.RequiresImprovement, SKOS.altLabel)}
    assert {"requires improvement", "requiring improvement"} <= alt


def test_polarity_maps_to_marl(onto):
    marl = "http://www.gsi.dit.upm.es/ontologies/marl/ns#"
    assert {(c, onto.value(c, SKOS.closeMatch)) for c in _scheme_members(onto, PROB.PolarityScheme)} == {
        (PROB.Critical, URIRef(marl + "Negative")),
        (PROB.Positive, URIRef(marl + "Positive")),
        (PROB.Mixed, URIRef(marl + "Neutral")),
    }


def test_protecting_the_public_is_an_alternative_label(onto):
    alt_labels = set(onto.objects(PROB.PublicProtection, SKOS.altLabel))
    assert Literal("protecting the public", lang="en") in alt_labels


def test_schemes_are_well_formed(onto):
    for scheme in onto.subjects(RDF.type, SKOS.ConceptScheme):
        tops = set(onto.objects(scheme, SKOS.hasTopConcept))
        members = _scheme_members(onto, scheme)
        assert tops == set(onto.subjects(SKOS.topConceptOf, scheme)), scheme
        assert tops <= members
        for concept in members - tops:
            broader = onto.value(concept, SKOS.broader)
            assert broader in members, concept
        # within one scheme, a wording (preferred or alternative) leads to one concept only
        owner: dict[str, URIRef] = {}
        for concept in members:
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in onto.objects(concept, prop):
                    key = str(label).casefold()
                    assert owner.setdefault(key, concept) == concept, (scheme, key)


def test_standards_sit_under_their_domains(onto):
    assert onto.value(PROB.StandardLeadership, SKOS.broader) == PROB.DomainOrganisationalDelivery
    assert onto.value(PROB.StandardReviewing, SKOS.broader) == PROB.DomainCaseSupervision
    assert onto.value(PROB.StandardUnpaidWork, SKOS.broader) == PROB.DomainInterventions
    assert len(_scheme_members(onto, PROB.StandardScheme)) == 15


def test_roles_are_org_roles(onto):
    for role in (PROB.ownerRole, PROB.shareholderRole, PROB.chiefInspectorRole):
        assert (role, RDF.type, ORG.Role) in onto


# ------------------------------------------------------------------------------------------ shapes


@pytest.mark.slow
def test_shapes_pass_meta_shacl(shapes, onto):
    tiny = Graph()
    area = URIRef("https://w3id.org/probation-kg/id/area/london")
    tiny.add((area, RDF.type, PROB.Area))
    tiny.add((area, SKOS.prefLabel, Literal("London", lang="en")))
    conforms, _, text = pyshacl.validate(tiny, shacl_graph=shapes, ont_graph=onto, meta_shacl=True)
    assert conforms, text


CONSTRAINT_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH["in"],
    SH.hasValue,
    SH.uniqueLang,
    SH.lessThan,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.node,
    SH.qualifiedValueShape,
    SH.closed,
    SH.equals,
    SH.disjoint,
}


def _nested_shapes(shapes: Graph) -> set:
    """Shapes inside sh:or/sh:and/sh:not/sh:qualifiedValueShape: they report through their parent."""
    nested = set(shapes.objects(None, SH.qualifiedValueShape)) | set(shapes.objects(None, SH["not"]))
    for prop in (SH["or"], SH["and"]):
        for head in shapes.objects(None, prop):
            nested |= set(Collection(shapes, head))
    return nested


def test_every_constraint_has_an_english_message(shapes):
    nested = _nested_shapes(shapes)
    candidates = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.objects(None, SH.property))
    checked = 0
    for shape in candidates - nested:
        if set(shapes.predicates(shape)) & CONSTRAINT_PARAMETERS:
            assert english(shapes.objects(shape, SH.message)), shape
            checked += 1
    for constraint in shapes.objects(None, SH.sparql):
        assert english(shapes.objects(constraint, SH.message)), constraint
        assert shapes.value(constraint, SH.prefixes) == SHAPES_IRI
        checked += 1
    assert checked > 100


def test_one_node_shape_per_contract_class(shapes):
    targeted = set(shapes.objects(None, SH.targetClass))
    assert {PROB[name] for name in CONTRACT_CLASSES} <= targeted


def test_warning_severity_sits_on_shapes_not_on_sparql_constraints(shapes):
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.severity) is None
    assert shapes.value(URIRef(str(SHAPES_IRI) + "#OwnershipOverlapShape"), SH.severity) == SH.Warning


SCHEME_OF_PATH = {
    PROB.theme: PROB.ThemeScheme,
    PROB.secondaryTheme: PROB.ThemeScheme,
    PROB.exceptFor: PROB.ThemeScheme,
    PROB.polarity: PROB.PolarityScheme,
    PROB.ratingValue: PROB.RatingScheme,
    PROB.countedRating: PROB.RatingScheme,
    PROB.ratingAspect: PROB.StandardScheme,
    PROB.verdict: PROB.VerdictScheme,
    PROB.unit: PROB.UnitScheme,
    PROB.measureType: PROB.MeasureTypeScheme,
    DCTERMS.type: PROB.InspectionTypeScheme,
}


def test_sh_in_lists_equal_their_schemes(shapes, onto):
    """sh:in repeats scheme membership (pySHACL does not read the ontology for sh:in): keep them equal."""
    seen = set()
    for shape, head in shapes.subject_objects(SH["in"]):
        path = shapes.value(shape, SH.path)
        values = set(Collection(shapes, head))
        if path in SCHEME_OF_PATH:
            assert values == _scheme_members(onto, SCHEME_OF_PATH[path]), path
            seen.add(path)
        elif path == PROB.keyTest:
            assert values == set(onto.objects(PROB.KeyTests, SKOS.member))
            seen.add(path)
        else:
            assert path == ORG.role
            assert len(values) == 1
            assert (next(iter(values)), RDF.type, ORG.Role) in onto
        # string sh:in lists break on Oxigraph-backed graphs (see shapes.ttl)
        assert not any(isinstance(v, (Literal, BNode)) for v in values)
    assert seen == set(SCHEME_OF_PATH) | {PROB.keyTest}


def test_overview_page_lists_every_term(onto):
    page = REPO / "docs" / "ontology.md"
    text = page.read_text(encoding="utf-8")
    missing = sorted(
        str(t).split("#")[1] for t in declared_terms(onto) if f"`prob:{str(t).split('#')[1]}`" not in text
    )
    assert missing == []


def test_concepts_are_found_by_any_of_their_labels() -> None:
    from probkg.ontology import concept_for, concept_labels

    assert concept_for(PROB.ThemeScheme, "Through the gate") == PROB.ThroughTheGate
    assert concept_for(PROB.ThemeScheme, "safeguarding and domestic abuse") == PROB.SafeguardingDomesticAbuse
    assert concept_for(PROB.RatingScheme, "requiring improvement") == PROB.RequiresImprovement
    assert (
        concept_for(PROB.InspectionTypeScheme, "quality and impact inspection")
        == PROB.QualityImpactInspection
    )
    assert concept_for(PROB.ThemeScheme, "court") is None
    assert set(concept_labels(PROB.PolarityScheme)) == {"critical", "positive", "mixed"}

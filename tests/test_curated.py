"""The curated loader: registry and source-document YAML to RDF, errors, quotes, and the text guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from probkg.errors import InputError
from probkg.loaders.curated import (
    load_curated,
    load_registry_rdf,
    load_source_facts,
    shipped_curated_files,
)
from probkg.ontology.namespaces import ID, OA, PROB, sparql_prologue
from probkg.registry.model import load_registry

ROOT = Path(__file__).resolve().parents[1]
RES = Path(__file__).parent / "resources" / "curated"
SHARED = ROOT.parent / "shared"
SOURCES_DIR = ROOT / "probkg" / "loaders" / "data" / "sources"


def ask(graph: Graph, query: str) -> list[tuple]:
    return [tuple(row) for row in graph.query(sparql_prologue() + query)]


@pytest.fixture(scope="module")
def registry_graph() -> Graph:
    unit = load_registry_rdf()
    assert unit.graph == ID["graph/registry"]
    assert unit.loader == "curated"
    return unit.triples


@pytest.fixture(scope="module")
def small_registry():
    return load_registry(RES / "registry-small.yaml")


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the checkout")
    return SHARED


# ----------------------------------------------------------------------------- registry graph


def test_registry_graph_has_21_crcs_with_labels_areas_and_sources(registry_graph):
    rows = ask(
        registry_graph,
        """
        SELECT ?crc ?label ?area WHERE {
          ?crc a prob:CommunityRehabilitationCompany ; skos:prefLabel ?label ; prob:kind "CRC" ;
               dct:spatial ?area .
          ?area a prob:Area .
          FILTER (lang(?label) = "en")
          FILTER EXISTS { ?crc dct:source ?url }
        }""",
    )
    assert len(rows) == 21
    assert len({r[0] for r in rows}) == 21


def test_every_organisation_cites_a_source_url(registry_graph):
    rows = ask(
        registry_graph,
        """
        SELECT ?org WHERE {
          ?org prob:kind ?kind .
          FILTER NOT EXISTS { ?org dct:source ?url . FILTER isIRI(?url) }
        }""",
    )
    assert rows == []


def test_owner_on_a_date_via_sparql(registry_graph):
    query = """
        SELECT ?owner WHERE {
          VALUES (?provider ?day) { (%s %s) }
          ?o a prob:Ownership ; org:organization ?provider ; org:member ?owner ; org:role prob:ownerRole ;
             org:memberDuring ?i .
          OPTIONAL { ?i time:hasBeginning/time:inXSDDate ?b }
          OPTIONAL { ?i time:hasEnd/time:inXSDDate ?e }
          FILTER ((!BOUND(?b) || ?b <= ?day) && (!BOUND(?e) || ?day < ?e))
        }"""
    wales = ID["org/wales-crc"].n3()
    for day, owner in (("2018-06-01", "working-links"), ("2019-06-01", "seetec")):
        rows = ask(registry_graph, query % (wales, Literal(day, datatype=XSD.date).n3()))
        assert rows == [(ID["org/" + owner],)], day


def test_months_become_first_days_and_keep_the_month(registry_graph):
    rows = ask(
        registry_graph,
        """
        SELECT ?date ?month WHERE {
          <https://w3id.org/probation-kg/id/ownership/wales-crc/seetec/2019-02>
              org:memberDuring/time:hasBeginning ?b .
          ?b time:inXSDDate ?date ; time:inXSDgYearMonth ?month .
        }""",
    )
    assert rows == [(Literal("2019-02-01", datatype=XSD.date), Literal("2019-02", datatype=XSD.gYearMonth))]


def test_ownership_transfers_link_the_periods(registry_graph):
    rows = ask(
        registry_graph,
        """
        SELECT DISTINCT ?provider ?old ?new ?when WHERE {
          ?event a prob:OwnershipTransfer ; org:originalOrganization ?provider ; dct:date ?when ;
                 prov:startedAtTime ?start ; dct:source ?src .
          ?before prov:wasInvalidatedBy ?event ; org:member ?old .
          ?after prov:wasGeneratedBy ?event ; org:member ?new .
        }""",
    )
    assert len(rows) == 3
    assert {r[1] for r in rows} == {ID["org/working-links"]}
    assert {r[2] for r in rows} == {ID["org/seetec"]}
    assert {str(r[3]) for r in rows} == {"2019-02"}


def test_areas_people_parents_and_unverified_flags(registry_graph):
    assert ask(
        registry_graph,
        """
        SELECT ?code ?same WHERE { <https://w3id.org/probation-kg/id/area/london> prob:gssCode ?code ;
                                   geo:sfEquals ?same }""",
    ) == [(Literal("E12000007"), URIRef("http://statistics.data.gov.uk/id/statistical-geography/E12000007"))]
    assert ask(
        registry_graph,
        """
        SELECT ?parent WHERE { <https://w3id.org/probation-kg/id/area/gwent> geo:sfWithin ?parent }""",
    ) == [(ID["area/wales"],)]
    parents = ask(
        registry_graph,
        """
        SELECT ?parent WHERE { ?s a prob:Shareholding ; org:member ?parent ; org:role prob:shareholderRole ;
                               org:organization <https://w3id.org/probation-kg/id/org/mtcnovo> }""",
    )
    assert {r[0] for r in parents} == {ID["org/mtc"], ID["org/novo"]}
    person = ask(
        registry_graph,
        """
        SELECT ?name ?label WHERE { <https://w3id.org/probation-kg/id/person/glenys-stacey> foaf:name ?name ;
            skos:prefLabel ?label ; skos:altLabel "Glenys Stacy"@en }""",
    )
    assert person == [(Literal("Glenys Stacey"), Literal("Dame Glenys Stacey", lang="en"))]
    flagged = ask(
        registry_graph,
        """
        SELECT ?o WHERE { ?o a prob:Ownership ; prob:unverified true ; prob:verificationNote ?n }""",
    )
    assert len(flagged) == 3
    aliases = ask(
        registry_graph,
        """
        SELECT ?alt ?hidden WHERE { <https://w3id.org/probation-kg/id/org/dorset-devon-and-cornwall-crc>
            skos:altLabel ?alt ; skos:hiddenLabel ?hidden }""",
    )
    assert (Literal("DDC CRC", lang="en"), Literal("DDC", lang="en")) in aliases


def test_registry_rdf_is_deterministic_and_checksummed():
    a, b = load_registry_rdf(), load_registry_rdf()
    assert a.checksum == b.checksum
    assert re.fullmatch(r"[0-9a-f]{64}", a.checksum)
    assert isomorphic(a.triples, b.triples)


# ----------------------------------------------------------------------------- source documents (fixtures)


def test_source_document_without_texts_has_offsets_only(small_registry):
    unit = load_source_facts(RES / "source-small.yaml", registry=small_registry)
    g = unit.triples
    assert unit.graph == ID["graph/curated/example-2019-05-westshire"]
    assert unit.report.counts == {"inspections": 1, "findings": 1, "verdicts": 1, "figures": 1}
    assert not list(g.subjects(None, OA.TextQuoteSelector))
    rows = ask(
        g,
        """
        SELECT ?start ?end WHERE {
          ?f a prob:Finding ; prob:hasEvidence ?ev ; prob:theme prob:StaffingWorkload ;
            prob:secondaryTheme prob:LeadershipManagement ; prob:polarity prob:Critical ; rdfs:comment ?c .
          ?ev oa:hasSource <https://w3id.org/probation-kg/id/doc/example-2019-05-westshire> ;
              oa:hasSelector ?p . ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""",
    )
    nni = XSD.nonNegativeInteger
    assert rows == [(Literal(0, datatype=nni), Literal(38, datatype=nni))]


def test_source_document_dates_and_typed_literals(small_registry):
    g = load_source_facts(RES / "source-small.yaml", registry=small_registry).triples
    insp = ID["inspection/2019-05-westshire-crc"]
    doc = ID["doc/example-2019-05-westshire"]
    assert g.value(doc, URIRef("http://purl.org/dc/terms/issued")) == Literal("2019-05-02", datatype=XSD.date)
    assert g.value(insp, PROB.fieldworkStart) == Literal("2019-01", datatype=XSD.gYearMonth)
    assert g.value(insp, PROB.chiefInspector) == ID["person/jo-bloggs"]
    assert g.value(insp, URIRef("http://purl.org/dc/terms/spatial")) == ID["area/oldtown"]
    figure = next(g.subjects(PROB.unit, PROB.Percent))
    assert g.value(figure, PROB.value) == Literal("12.5", datatype=XSD.decimal)
    assert g.value(figure, PROB.asOf) == Literal("2019-03", datatype=XSD.gYearMonth)
    verdict = next(g.subjects(PROB.keyTest, PROB.AbidingBySentence))
    assert g.value(verdict, PROB.exceptFor) == PROB.UnpaidWork
    assert len(list(g.objects(verdict, PROB.hasEvidence))) == 2


def test_sources_directory_adds_exact_quotes_equal_to_the_text(small_registry):
    text = (RES / "source-small.txt").read_text(encoding="utf-8")
    plain = load_source_facts(RES / "source-small.yaml", registry=small_registry)
    quoted = load_source_facts(RES / "source-small.yaml", RES, registry=small_registry)
    assert quoted.checksum != plain.checksum
    rows = ask(
        quoted.triples,
        """
        SELECT ?exact ?start ?end ?prefix WHERE {
          ?ev oa:hasSelector ?q , ?p . ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          OPTIONAL { ?q oa:prefix ?prefix }
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""",
    )
    assert len(rows) == 3
    for exact, start, end, prefix in rows:
        assert str(exact) == text[int(start) : int(end)]
        if prefix is not None:
            assert text[: int(start)].endswith(str(prefix))
            assert len(str(prefix)) <= 32
    # offsets count code points, not bytes: the figure quote starts after "é" and curly quotes
    assert ("12.5% of cases were late",) in [(str(r[0]),) for r in rows]


def test_checksum_mismatch_names_the_text_file(small_registry, tmp_path):
    (tmp_path / "source-small.txt").write_text("something else\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_source_facts(RES / "source-small.yaml", tmp_path, registry=small_registry)
    assert err.value.path == str(tmp_path / "source-small.txt")
    assert "checksum mismatch" in str(err.value)


def test_missing_text_is_a_warning_not_an_error(small_registry, tmp_path):
    unit = load_source_facts(RES / "source-small.yaml", tmp_path, registry=small_registry)
    assert unit.report.warnings
    assert "quotes not added" in unit.report.warnings[0]


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (RES / "source-small.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_provider_slug_gives_field_path_and_line(small_registry, tmp_path):
    path = _variant(tmp_path, "    about: [westshire-crc]", "    about: [westshire-crx]")
    with pytest.raises(InputError) as err:
        load_source_facts(path, registry=small_registry)
    assert err.value.line == 24
    assert "findings[0].about[0]" in str(err.value)
    assert "westshire-crx" in str(err.value)
    assert str(err.value).startswith(f"{path}:24:")


@pytest.mark.parametrize(
    ("old", "new", "field", "line"),
    [
        ("    polarity: critical", "    polarity: grim", "findings[0].polarity", 27),
        ("    theme: staffing & workload", "    theme: morale", "findings[0].theme", 25),
        ("    start: 0\n", "    start: zero\n", "findings[0].start", 28),
        ("  issued: 2019-05-02", "  issued: 2019-13-02", "document.issued", 8),
        ("    verdict: acceptable", "    verdict: fine", "verdicts[0].verdict", 35),
        (
            "    inspected: [westshire-crc]",
            "    inspected: [acme-justice]",
            "inspections[0].inspected[0]",
            17,
        ),
        ("  - value: 12.5", "  - value: lots", "figures[0].value", 39),
        (
            "  - inspection: 2019-05-westshire-crc\n    about",
            "  - inspection: 2019-06-nowhere\n    about",
            "findings[0].inspection",
            23,
        ),
    ],
)
def test_wrong_values_name_field_and_line(small_registry, tmp_path, *, old, new, field, line):
    with pytest.raises(InputError) as err:
        load_source_facts(_variant(tmp_path, old, new), registry=small_registry)
    assert field in str(err.value)
    assert err.value.line == line


def test_offsets_past_the_end_of_the_text_are_rejected(small_registry, tmp_path):
    path = _variant(tmp_path, "    end: 100\n", "    end: 1000\n")
    with pytest.raises(InputError, match=r"figures\[0\]\.end.*past the end"):
        load_source_facts(path, RES, registry=small_registry)


def test_malformed_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kind: source-document\nschema_version: 1\ndocument:\n  slug: x\n   type: : :\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as err:
        load_curated(bad)
    assert err.value.path == str(bad)
    assert err.value.line == 5
    assert str(err.value).startswith(f"{bad}:5:")


def test_load_curated_dispatches_on_kind(small_registry, tmp_path):
    [reg_unit] = load_curated(RES / "registry-small.yaml")
    assert reg_unit.graph == ID["graph/registry"]
    [doc_unit] = load_curated(RES / "source-small.yaml", registry=small_registry)
    assert doc_unit.graph == ID["graph/curated/example-2019-05-westshire"]
    other = tmp_path / "other.yaml"
    other.write_text("kind: recipe\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"other\.yaml:1: kind: unknown curated file kind"):
        load_curated(other)


# ----------------------------------------------------------------------------- the shipped files


def test_shipped_files_are_listed_registry_first():
    files = shipped_curated_files()
    assert files[0].name == "registry.yaml"
    assert {f.name for f in files[1:]} == {
        "russellwebster-2016-12-north-london.yaml",
        "hmiprobation-2018-03-londoncrc.yaml",
    }
    assert all(f.is_file() for f in files)


@pytest.fixture(scope="module")
def shipped_graph() -> Graph:
    g = Graph()
    for path in shipped_curated_files():
        for unit in load_curated(path):
            g += unit.triples
    return g


def test_shipped_build_answers_the_seed_questions(shipped_graph):
    key_tests = ask(
        shipped_graph,
        """
        SELECT ?test ?verdict ?except WHERE {
          ?v a prob:KeyTestVerdict ; prob:verdictOf <https://w3id.org/probation-kg/id/org/london-crc> ;
             prob:keyTest ?test ; prob:verdict ?verdict ; prob:hasEvidence ?ev .
          OPTIONAL { ?v prob:exceptFor ?except } }""",
    )
    assert set(key_tests) == {
        (PROB.PublicProtection, PROB.NotAcceptable, None),
        (PROB.ReducingReoffending, PROB.NotAcceptable, None),
        (PROB.AbidingBySentence, PROB.Acceptable, PROB.UnpaidWork),
    }
    inspections = ask(
        shipped_graph,
        """
        SELECT ?i ?date WHERE { ?i prob:inspected <https://w3id.org/probation-kg/id/org/london-crc> ;
            prob:publicationDate ?date ;
            prob:chiefInspector <https://w3id.org/probation-kg/id/person/glenys-stacey> }""",
    )
    assert {(str(i).rsplit("/", 1)[1], str(d)) for i, d in inspections} == {
        ("2016-12-north-london", "2016-12-14"),
        ("2018-03-london-crc", "2018-03-08"),
    }
    mentioned = ask(
        shipped_graph,
        """
        SELECT ?i WHERE { <https://w3id.org/probation-kg/id/doc/russellwebster-2016-12-north-london>
                          prob:mentions ?i }""",
    )
    assert {str(r[0]).rsplit("/", 1)[1] for r in mentioned} == {
        "2016-08-durham",
        "2016-derbyshire",
        "2014-london",
    }
    figures = ask(
        shipped_graph,
        """
        SELECT ?value ?asof WHERE { ?f a prob:Figure ; prob:value ?value ;
            prob:figureAbout <https://w3id.org/probation-kg/id/org/london-crc> ; prob:asOf ?asof }""",
    )
    assert {(int(v), str(a)) for v, a in figures} == {(29400, "2017-06-30"), (18, "2017-06-30")}
    joint = ask(
        shipped_graph,
        """
        SELECT DISTINCT ?f WHERE { ?f prob:aboutProvider <https://w3id.org/probation-kg/id/org/london-crc> ,
                                                       <https://w3id.org/probation-kg/id/org/nps-london> }""",
    )
    assert len(joint) >= 4


def test_each_inspection_has_one_label_across_files(shipped_graph):
    rows = ask(
        shipped_graph,
        """
        SELECT ?i (COUNT(DISTINCT ?label) AS ?n) WHERE { ?i a prob:Inspection ; skos:prefLabel ?label }
        GROUP BY ?i HAVING (COUNT(DISTINCT ?label) != 1)""",
    )
    assert rows == []


def test_shipped_build_conforms_to_the_shapes(shipped_graph):
    pyshacl = pytest.importorskip("pyshacl")
    onto = ROOT / "probkg" / "ontology"
    ont = Graph().parse(onto / "ontology.ttl").parse(onto / "schemes.ttl")
    shapes = Graph().parse(onto / "shapes.ttl")
    conforms, _, text = pyshacl.validate(
        shipped_graph, shacl_graph=shapes, ont_graph=ont, inference="none", advanced=True
    )
    assert conforms, text


@pytest.mark.shared
def test_shipped_offsets_match_the_seed_texts(shared_dir):
    gold = yaml.safe_load((shared_dir / "corpus" / "gold-seeds.yaml").read_text(encoding="utf-8"))
    quotes = {
        q
        for d in gold["documents"]
        for q in [f["quote"] for f in d["findings"]] + [f["text"] for f in d["figures"]]
    }
    for path in sorted(SOURCES_DIR.glob("*.yaml")):
        unit = load_source_facts(path, shared_dir / "seeds")
        assert not unit.report.warnings, unit.report.warnings
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))["document"]
        text = (shared_dir / "seeds" / meta["text_file"]).read_text(encoding="utf-8")
        rows = ask(
            unit.triples,
            """
            SELECT ?exact ?start ?end WHERE { ?ev oa:hasSelector ?q , ?p .
              ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
        )
        assert rows
        for exact, start, end in rows:
            assert str(exact) == text[int(start) : int(end)]
        findings = ask(
            unit.triples,
            """
            SELECT ?exact WHERE { ?f a prob:Finding ; prob:hasEvidence/oa:hasSelector/oa:exact ?exact }""",
        )
        assert {str(r[0]) for r in findings} <= quotes


_URL = re.compile(r"https?://\S+")
# lines holding names (titles, labels, aliases, place lists); a name is not a sentence
_NAME_LINE = re.compile(r"^\s*(?:-\s+)?(?:title|label|short|aliases|covers):|^\s*-\s+[^:{}\[\]]*$")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _URL.sub(" ", text.casefold().replace("’", "'").replace("'", "")))


def _shingles(words: list[str], n: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.shared
def test_shipped_yaml_does_not_copy_sentences_from_the_sources(shared_dir):
    sources = [*sorted((shared_dir / "seeds").glob("*.txt")), shared_dir / "data" / "ownership.yaml"]
    theirs: set[tuple[str, ...]] = set()
    for path in sources:
        theirs |= _shingles(_words(path.read_text(encoding="utf-8")))
    for path in shipped_curated_files():
        # a document's title and an organisation's names are kept as published
        text = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if not _NAME_LINE.match(line)
        )
        copied = _shingles(_words(text)) & theirs
        assert not copied, f"{path.name} repeats source wording: {sorted(' '.join(c) for c in copied)[:5]}"


@pytest.mark.shared
def test_shipped_fingerprints_match_the_seed_texts(shared_dir, tmp_path):
    """The fingerprint files beside the curated sources are what write_fingerprints makes from the
    seed texts, cover every curated evidence span, and hold hashes only (no words of the source)."""
    import shutil

    from probkg.loaders.base import sha256_file
    from probkg.loaders.curated import (
        curated_findings,
        fingerprints_path,
        source_documents,
        write_fingerprints,
    )

    for document in source_documents().values():
        shipped = fingerprints_path(document.path).read_text(encoding="utf-8")
        copy = tmp_path / document.path.name
        shutil.copy(document.path, copy)
        text = next(p for p in (shared_dir / "seeds").glob("*.txt") if sha256_file(p) == document.sha256)
        assert write_fingerprints(copy, text).read_text(encoding="utf-8") == shipped
        data = yaml.safe_load(shipped)
        spans = {f"{a}-{b}" for cf in curated_findings(document) for a, b in cf.spans}
        assert set(data["shingles"]) == spans
        assert all(re.fullmatch(r"[0-9a-f]{8}", h) for hashes in data["shingles"].values() for h in hashes)
        assert all(cf.fingerprints and all(cf.fingerprints) for cf in curated_findings(document))

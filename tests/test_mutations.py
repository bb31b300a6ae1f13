"""Error provocation on a built store: each broken source is refused with a one-line error that names
the file and line, or the node and the rule, and the store keeps exactly what it had.

Every case loads through the command line, as a user would, into a store that already holds the
shipped build, so the checks also see the registry and the curated inspections the data points at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from probkg.cli import cli

ERROR = "probkg: error: "
SOURCES = Path(__file__).resolve().parents[1] / "probkg" / "loaders" / "data" / "sources"
SEED_FACTS = SOURCES / "russellwebster-2016-12-north-london.yaml"

PREFIXES = """\
@prefix prob: <https://w3id.org/probation-kg/def#> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix oa:   <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix i:    <https://w3id.org/probation-kg/id/> .
"""

# A finding about the London CRC in the curated 2016 North London inspection, complete and valid.
# Each mutation below changes one thing about it (or adds one broken node next to it).
FINDING = """\
<https://w3id.org/probation-kg/id/finding/mutation-test/1> a prob:Finding ;
    prob:aboutProvider {provider} ;
    prob:inInspection <https://w3id.org/probation-kg/id/inspection/2016-12-north-london> ;
    prob:theme {theme} ;
    prob:polarity {polarity} ;
    rdfs:comment "Test finding written for the mutation suite."@en ;
    {evidence}
<https://w3id.org/probation-kg/id/evidence/mutation-test/1> a oa:SpecificResource ;
    oa:hasSource <https://w3id.org/probation-kg/id/doc/russellwebster-2016-12-north-london> ;
    oa:hasSelector <https://w3id.org/probation-kg/id/evidence/mutation-test/1#quote> ,
                   <https://w3id.org/probation-kg/id/evidence/mutation-test/1#position> .
<https://w3id.org/probation-kg/id/evidence/mutation-test/1#quote> a oa:TextQuoteSelector ;
    oa:exact "{exact}" .
<https://w3id.org/probation-kg/id/evidence/mutation-test/1#position> a oa:TextPositionSelector ;
    oa:start "100"^^xsd:nonNegativeInteger ; oa:end "{end}"^^xsd:nonNegativeInteger .
"""
VALID = {
    "provider": "<https://w3id.org/probation-kg/id/org/london-crc>",
    "theme": "prob:StaffingWorkload",
    "polarity": "prob:Critical",
    "evidence": "prob:hasEvidence <https://w3id.org/probation-kg/id/evidence/mutation-test/1> .",
    "exact": "twelve characters",
    "end": "117",
}


def finding(**changes: str) -> str:
    return PREFIXES + FINDING.format(**(VALID | changes))


OWNERSHIP = (
    PREFIXES
    + """\
<https://w3id.org/probation-kg/id/ownership/london-crc/mutation-test/2019-01> a prob:Ownership ;
    org:member <https://w3id.org/probation-kg/id/org/seetec> ;
    org:organization <https://w3id.org/probation-kg/id/org/london-crc> ;
    org:role prob:ownerRole ;
    dct:source <https://example.org/mutation-test> ;
    org:memberDuring [ a time:ProperInterval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2019-01-01"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "2018-01-01"^^xsd:date ] ] .
"""
)

BAD_DATE = (
    PREFIXES
    + """\
<https://w3id.org/probation-kg/id/inspection/2016-12-north-london>
    prob:fieldworkStart "sometime in 2016" .
"""
)

# name, file name, content, expected exit code, fragments the one error line must contain
RDF_CASES = [
    ("valid-control", "valid.ttl", finding(), 0, []),
    (
        "missing evidence",
        "no-evidence.ttl",
        finding(evidence="."),
        1,
        ["finding/mutation-test/1", "prob:hasEvidence", "sh:minCount"],
    ),
    (
        "value outside its scheme",
        "bad-polarity.ttl",
        finding(polarity="prob:Good"),
        1,
        ["finding/mutation-test/1", "prob:polarity"],
    ),
    (
        "provider not covered by the inspection",
        "uninspected.ttl",
        finding(provider="<https://w3id.org/probation-kg/id/org/thames-valley-crc>"),
        1,
        ["finding/mutation-test/1", "thames-valley-crc"],
    ),
    ("quote and offsets disagree", "offsets.ttl", finding(end="130"), 1, ["evidence/mutation-test/1"]),
    (
        "unknown organisation",
        "unknown-org.ttl",
        finding(provider="<https://w3id.org/probation-kg/id/org/acme-justice>"),
        1,
        ["acme-justice"],
    ),
    (
        "ownership ending before it starts",
        "ownership.ttl",
        OWNERSHIP,
        1,
        ["ownership/london-crc/mutation-test/2019-01"],
    ),
    ("bad date", "bad-date.ttl", BAD_DATE, 1, ["2016-12-north-london", "prob:fieldworkStart"]),
    (
        "malformed Turtle",
        "malformed.ttl",
        PREFIXES + '<https://example.org/a> prob:kind "CRC .\n',
        2,
        ["malformed.ttl:9"],
    ),
]


def run(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def counts(runner: CliRunner, store: Path) -> dict:
    result = run(runner, "stats", "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {"triples": data["triples"], "graphs": data["graphs"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("mutations") / "store"
    result = run(CliRunner(), "build", "--store", str(store), "--quiet")
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def store(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(built, copy)
    return copy


def refused(runner: CliRunner, store: Path, path: Path, code: int) -> str:
    before = counts(runner, store)
    result = run(runner, "load", str(path), "--store", str(store))
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(ERROR)
    assert "Traceback" not in result.output
    assert counts(runner, store) == before
    return lines[0]


@pytest.mark.parametrize(
    ("name", "filename", "content", "code", "fragments"), RDF_CASES, ids=[c[0] for c in RDF_CASES]
)
def test_broken_rdf_is_refused_naming_the_node_and_the_rule(
    store, tmp_path, name, filename, content, code, fragments
):
    runner = CliRunner()
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    if code == 0:  # the control: the unmutated finding loads, so each mutation is what breaks the others
        result = run(runner, "load", str(path), "--store", str(store))
        assert result.exit_code == 0, result.output
        return
    line = refused(runner, store, path, code)
    assert str(path) in line
    for fragment in fragments:
        assert fragment in line, line


YAML_CASES = [
    ("malformed YAML", "inspections:\n  - slug: [unclosed\n", ":", "malformed YAML"),
    ("bad date", "published: 2016-12-14", "published: 2016-13-45", "published"),
    (
        "unknown organisation",
        "inspected: [london-crc, nps-london]",
        "inspected: [london-crc, acme-justice]",
        "acme-justice",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "fragment"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_broken_curated_yaml_is_refused_naming_file_and_line(store, tmp_path, name, old, new, fragment):
    text = SEED_FACTS.read_text(encoding="utf-8")
    if name == "malformed YAML":
        text = text + "\n" + old
    else:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "seed-facts.yaml"
    path.write_text(text, encoding="utf-8")
    line = refused(CliRunner(), store, path, 2)
    assert f"{path}:" in line
    assert line.split(f"{path}:", 1)[1].split(":", 1)[0].isdigit(), line  # a line number follows the file
    assert fragment in line, line

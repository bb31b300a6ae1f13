"""The whole issue-3 flow on the shared corpus: build, load the seeds and the press releases, validate, query.

Runs the CLI on an Oxigraph store in a temporary directory, as a user would. Skipped when ``../shared``
is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from probkg.cli import cli
from probkg.queries import catalogue

pytestmark = pytest.mark.shared

ID = "https://w3id.org/probation-kg/id/"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _example_params(example: str) -> list[str]:
    """The ``--param`` options of a query's documented example, as separate arguments."""
    out: list[str] = []
    for key, quoted, bare in re.findall(r'--param (\w+)=(?:"([^"]*)"|(\S+))', example):
        out += ["--param", f"{key}={quoted or bare}"]
    return out


@pytest.fixture(scope="module")
def flow(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    store = str(tmp_path_factory.mktemp("flow") / "store")
    paths = [str(shared_dir / "seeds"), str(shared_dir / "corpus" / "press")]
    build = _run("build", "--store", store, "-q")
    first = _run("load", "--store", store, "--format", "json", "-q", *paths)
    validate = _run("validate", "--store", store, "--format", "json", "-q")
    again = _run("load", "--store", store, "--format", "json", "-q", *paths)
    texts = sorted(p for d in paths for p in Path(d).glob("*.txt"))
    return {
        "store": store,
        "build": build,
        "first": first,
        "validate": validate,
        "again": again,
        "texts": texts,
    }


def test_build_and_load_add_one_graph_per_text(flow: dict) -> None:
    assert flow["build"].exit_code == 0, flow["build"].output
    assert flow["first"].exit_code == 0, flow["first"].output
    rows = json.loads(flow["first"].output)
    # the two seeds and the twenty press releases: one graph each, all new
    assert len(flow["texts"]) == 22
    assert [r["status"] for r in rows] == ["added"] * len(flow["texts"])
    graphs = {r["graph"] for r in rows}
    assert len(graphs) == len(flow["texts"])
    # the seed texts hang off the documents the curated files describe, not off checksum IRIs
    assert {
        ID + "graph/doc/russellwebster-2016-12-north-london",
        ID + "graph/doc/hmiprobation-2018-03-londoncrc",
    } <= graphs
    assert not any("/sha-" in g for g in graphs)


def test_the_store_conforms_with_warnings_allowed(flow: dict) -> None:
    assert flow["validate"].exit_code == 0, flow["validate"].output
    report = json.loads(flow["validate"].output)
    assert report["conforms"] is True
    assert report["violations"] == 0
    assert all(r["severity"] == "Warning" for r in report["results"])


def test_reloading_the_same_paths_changes_nothing(flow: dict) -> None:
    assert flow["again"].exit_code == 0, flow["again"].output
    rows = json.loads(flow["again"].output)
    assert len(rows) == len(flow["texts"])
    assert {r["status"] for r in rows} == {"unchanged"}


def test_requires_improvement_lists_the_rated_crcs_with_their_owners(flow: dict) -> None:
    out = _run(
        "query",
        "--store",
        flow["store"],
        "-q",
        "--format",
        "json",
        "providers-by-rating",
        "--param",
        "rating=Requires improvement",
    )
    assert out.exit_code == 0, out.output
    bindings = json.loads(out.output)["results"]["bindings"]
    owners = {
        b["provider"]["value"].rsplit("/", 1)[1]: b.get("owners", {}).get("value", "") for b in bindings
    }
    # one row per provider and inspection: no duplicate from a second inspection name (the rated record
    # gives some providers a 2018/19 and a 2019/20 inspection, each its own row)
    assert len(bindings) == len({(b["provider"]["value"], b["inspection"]["value"]) for b in bindings})
    assert "Sodexo" in owners["essex-crc"]
    assert "Working Links" in owners["wales-crc"]
    assert "Seetec" in owners["wales-crc"]
    assert "derbyshire-leicestershire-nottinghamshire-and-rutland-crc" in owners
    essex = next(b for b in bindings if b["provider"]["value"] == ID + "org/essex-crc")
    assert essex["inspection"]["value"] == ID + "inspection/2018-10-essex-crc"
    assert essex["providerLabel"]["value"] == "Essex Community Rehabilitation Company"


@pytest.mark.parametrize("name", sorted(q.name for q in catalogue()))
def test_every_named_query_runs_on_the_loaded_store(flow: dict, name: str) -> None:
    query = next(q for q in catalogue() if q.name == name)
    out = _run(
        "query", "--store", flow["store"], "-q", "--format", "json", name, *_example_params(query.example)
    )
    assert out.exit_code == 0, out.output
    assert "results" in json.loads(out.output)


def test_the_durham_inspection_is_one_node_with_one_type(flow: dict) -> None:
    out = _run(
        "query",
        "--store",
        flow["store"],
        "-q",
        "--format",
        "json",
        "inspections-of",
        "--param",
        "provider=Durham Tees Valley CRC",
    )
    assert out.exit_code == 0, out.output
    rows = {b["inspection"]["value"]: b for b in json.loads(out.output)["results"]["bindings"]}
    durham = rows[ID + "inspection/2016-08-durham"]
    assert durham["type"]["value"] == "Quality & Impact inspection"
    assert durham["inspectionLabel"]["value"] == "Durham Quality & Impact inspection, 2016"


def test_the_seed_texts_resolve_to_the_curated_inspections(flow: dict) -> None:
    # The seed texts and the curated facts describe the same document, so the inspection a text
    # reports on, and the inspections it mentions, are the curated ones: no second node for either.
    out = _run(
        "query",
        "--store",
        flow["store"],
        "-q",
        "--format",
        "json",
        "inspections-of",
        "--param",
        "provider=London CRC",
    )
    assert out.exit_code == 0, out.output
    found = {b["inspection"]["value"] for b in json.loads(out.output)["results"]["bindings"]}
    curated = {ID + "inspection/2016-12-north-london", ID + "inspection/2018-03-london-crc"}
    assert curated | {ID + "inspection/2019-08-london-crc"} <= found  # the rated record's inspection too
    # no second node for either curated inspection (same year and month under another slug)
    assert {f for f in found if f.rsplit("/", 1)[1][:7] in ("2016-12", "2018-03")} == curated
    out = _run(
        "query",
        "--store",
        flow["store"],
        "-q",
        "--format",
        "json",
        "mentioned-inspections",
        "--param",
        "source=" + ID + "doc/russellwebster-2016-12-north-london",
    )
    assert out.exit_code == 0, out.output
    mentioned = {b["inspection"]["value"] for b in json.loads(out.output)["results"]["bindings"]}
    assert mentioned == {ID + f"inspection/{s}" for s in ("2014-london", "2016-derbyshire", "2016-08-durham")}

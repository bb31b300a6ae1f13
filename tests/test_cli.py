"""The ``probkg`` command through click's runner: outputs, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset

from probkg.cli import cli
from probkg.loading import load_unit

RDF_DIR = Path(__file__).resolve().parent / "resources" / "rdf"
ERROR = "probkg: error: "


def run(runner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def one_line_error(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(ERROR)
    return lines[0]


def stats(runner, store: Path) -> dict:
    result = run(runner, "stats", "--store", str(store), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---- loading --------------------------------------------------------------------------------------
def test_loading_the_same_file_twice_leaves_the_count_unchanged(cli_runner, tmp_path):
    store = tmp_path / "kg"
    first = run(cli_runner, "load", str(RDF_DIR / "example.ttl"), "--store", str(store))
    assert first.exit_code == 0, first.output
    assert "added" in first.stdout
    counts = stats(cli_runner, store)
    assert counts["triples"] > 0
    second = run(cli_runner, "load", str(RDF_DIR / "example.ttl"), "--store", str(store))
    assert second.exit_code == 0
    assert "unchanged" in second.stdout
    assert stats(cli_runner, store) == counts


def test_load_reports_json_outcomes(cli_runner, tmp_path):
    result = run(
        cli_runner, "load", str(RDF_DIR / "example.trig"), "--store", str(tmp_path / "kg"), "--format", "json"
    )
    assert result.exit_code == 0
    (outcome,) = json.loads(result.stdout)
    assert outcome["graph"] == "https://w3id.org/probation-kg/id/graph/example"
    assert outcome["status"] == "added"
    assert outcome["triples"] > 7


def test_malformed_file_is_one_line_with_file_and_line(cli_runner, tmp_path):
    path = RDF_DIR / "malformed.ttl"
    result = run(cli_runner, "load", str(path), "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    line = one_line_error(result)
    assert f"{path}:7:" in line
    assert "Traceback" not in result.output


def test_violating_file_exits_1_and_names_the_node(cli_runner, tmp_path):
    result = run(cli_runner, "load", str(RDF_DIR / "violating.ttl"), "--store", str(tmp_path / "kg"))
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "2 SHACL violations" in line
    assert "id:org/nameless-crc" in line
    assert stats(cli_runner, tmp_path / "kg")["triples"] == 0


def test_unknown_suffix_exits_2(cli_runner, tmp_path):
    path = tmp_path / "notes.docx"
    path.write_bytes(b"x")
    result = run(cli_runner, "load", str(path), "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    assert "suffix '.docx'" in one_line_error(result)


def test_debug_shows_the_traceback(cli_runner, tmp_path):
    kg = str(tmp_path / "kg")
    result = run(cli_runner, "load", str(RDF_DIR / "malformed.ttl"), "--store", kg, "--debug")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith(ERROR)


# ---- queries --------------------------------------------------------------------------------------
def test_unknown_query_exits_2_with_one_line(cli_runner, tmp_path):
    result = run(cli_runner, "query", "no-such-query", "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    assert "no-such-query" in one_line_error(result)
    assert result.stdout == ""


def test_missing_parameter_exits_2_naming_it(cli_runner, tmp_path):
    from probkg.queries import catalogue

    named = next(q for q in catalogue() if any(p.required for p in q.parameters))
    required = next(p.name for p in named.parameters if p.required)
    result = run(cli_runner, "query", named.name, "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    assert required in one_line_error(result)


def test_parameter_without_equals_sign_exits_2(cli_runner, tmp_path):
    kg = str(tmp_path / "kg")
    result = run(cli_runner, "query", "providers-of-owner", "--param", "owner", "--store", kg)
    assert result.exit_code == 2
    assert "KEY=VALUE" in one_line_error(result)


def test_bad_format_exits_2_with_one_line(cli_runner, tmp_path):
    kg = str(tmp_path / "kg")
    result = run(cli_runner, "query", "--sparql", "ASK {}", "--format", "xml", "--store", kg)
    assert result.exit_code == 2
    assert "'xml'" in one_line_error(result)
    result = run(cli_runner, "export", "--format", "xml", "--store", kg)
    assert result.exit_code == 2
    assert "unknown export format 'xml'" in one_line_error(result)


def test_query_needs_exactly_one_of_name_file_sparql(cli_runner, tmp_path):
    result = run(cli_runner, "query", "x", "--sparql", "ASK {}", "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    one_line_error(result)


def test_sparql_syntax_error_in_a_file_names_the_file(cli_runner, tmp_path):
    q = tmp_path / "broken.rq"
    q.write_text("SELECT ?s WHERE {\n  ?s ?p \n", encoding="utf-8")
    from probkg.graph.store import OxigraphStore

    OxigraphStore(tmp_path / "kg").close()  # an existing (empty) store: the error is the query's
    result = run(cli_runner, "query", "--file", str(q), "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    assert str(q) in one_line_error(result)


def test_sparql_query_sees_loaded_data_and_prints_w3c_json(cli_runner, tmp_path):
    store = str(tmp_path / "kg")
    assert run(cli_runner, "load", str(RDF_DIR / "example.ttl"), "--store", store).exit_code == 0
    result = run(
        cli_runner,
        "query",
        "--sparql",
        "SELECT ?label WHERE { ?o a prob:ProbationProvider ; skos:altLabel ?label }",
        "--format",
        "json",
        "--store",
        store,
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["head"]["vars"] == ["label"]
    assert [b["label"]["value"] for b in doc["results"]["bindings"]] == ["Example CRC"]


def test_queries_json_lists_the_catalogue(cli_runner):
    result = run(cli_runner, "queries", "--format", "json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert items
    for item in items:
        assert set(item) == {"name", "title", "description", "parameters"}
        assert isinstance(item["parameters"], list)


# ---- validate, stats, export ----------------------------------------------------------------------
def test_validate_exits_1_on_violations_and_0_when_clean(cli_runner, tmp_path):
    from probkg.graph.store import OxigraphStore
    from probkg.loaders.rdf import load_rdf

    path = tmp_path / "kg"
    assert run(cli_runner, "load", str(RDF_DIR / "example.ttl"), "--store", str(path)).exit_code == 0
    clean = run(cli_runner, "validate", "--store", str(path))
    assert clean.exit_code == 0
    assert clean.stdout.startswith("Conforms")
    with OxigraphStore(path) as store:  # bad data slipped in without the gate
        load_unit(store, load_rdf(RDF_DIR / "violating.ttl")[0], validate=False)
    text = run(cli_runner, "validate", "--store", str(path))
    assert text.exit_code == 1
    assert "Violation: id:org/nameless-crc" in text.stdout
    as_json = run(cli_runner, "validate", "--store", str(path), "--format", "json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["violations"] == 2


def test_stats_json_shape(cli_runner, tmp_path):
    store = tmp_path / "kg"
    assert run(cli_runner, "load", str(RDF_DIR / "example.trig"), "--store", str(store)).exit_code == 0
    counts = stats(cli_runner, store)
    assert set(counts) == {"triples", "graphs", "classes"}
    assert counts["graphs"] == {"https://w3id.org/probation-kg/id/graph/example": counts["triples"]}
    assert counts["classes"]["https://w3id.org/probation-kg/def#ProbationProvider"] == 1
    assert counts["classes"]["https://w3id.org/probation-kg/def#Area"] == 1
    assert all(isinstance(n, int) for n in counts["classes"].values())


def test_export_nquads_to_a_file(cli_runner, tmp_path):
    store = str(tmp_path / "kg")
    assert run(cli_runner, "load", str(RDF_DIR / "example.trig"), "--store", store).exit_code == 0
    out = tmp_path / "dump.nq"
    result = run(cli_runner, "export", "--format", "nq", "-o", str(out), "--store", store)
    assert result.exit_code == 0
    ds = Dataset()
    ds.parse(out, format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {"https://w3id.org/probation-kg/id/graph/example"}


def test_store_error_exits_3(cli_runner, tmp_path):
    from probkg.graph.store import OxigraphStore

    path = tmp_path / "kg"
    with OxigraphStore(path):
        result = run(cli_runner, "stats", "--store", str(path))
    assert result.exit_code == 3
    assert "in use" in one_line_error(result)


def test_two_store_options_are_a_usage_error(cli_runner, tmp_path):
    result = run(cli_runner, "stats", "--store", str(tmp_path / "kg"), "--memory")
    assert result.exit_code == 2
    assert "choose one" in one_line_error(result)


def test_missing_path_exits_2(cli_runner, tmp_path):
    result = run(cli_runner, "load", str(tmp_path / "absent.ttl"), "--store", str(tmp_path / "kg"))
    assert result.exit_code == 2
    assert "absent.ttl" in one_line_error(result)


# ---- build ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_build_is_idempotent(cli_runner, tmp_path):
    store = str(tmp_path / "kg")
    first = run(cli_runner, "build", "--store", store, "--format", "json")
    assert first.exit_code == 0, first.output
    outcomes = json.loads(first.stdout)
    assert outcomes[0]["graph"] == "https://w3id.org/probation-kg/def"
    assert "https://w3id.org/probation-kg/id/graph/registry" in {o["graph"] for o in outcomes}
    assert {o["status"] for o in outcomes} == {"added"}
    counts = stats(cli_runner, Path(store))
    second = run(cli_runner, "build", "--store", store, "--format", "json")
    assert {o["status"] for o in json.loads(second.stdout)} == {"unchanged"}
    assert stats(cli_runner, Path(store)) == counts
    assert counts["classes"]["https://w3id.org/probation-kg/def#ProbationProvider"] > 0


@pytest.mark.slow
def test_build_in_memory_persists_nothing(cli_runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PROBKG_STORE", str(tmp_path / "default-store"))
    result = run(cli_runner, "build", "--memory")
    assert result.exit_code == 0, result.output
    assert "not saved" in result.stderr
    assert not (tmp_path / "default-store").exists()


def test_unreachable_endpoint_exits_3(cli_runner):
    result = run(cli_runner, "stats", "--endpoint", "http://127.0.0.1:9/query")
    assert result.exit_code == 3
    assert "127.0.0.1:9" in one_line_error(result)


def test_extract_prints_a_json_array_without_a_store(cli_runner, shared_dir, tmp_path, monkeypatch):
    seed = sorted((shared_dir / "seeds").glob("*.txt"))[0]
    monkeypatch.setenv("PROBKG_STORE", str(tmp_path / "never-created"))
    result = run(cli_runner, "extract", str(seed), "--format", "json")
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)
    assert doc["source"]["path"] == str(seed)
    text = seed.read_text(encoding="utf-8")
    for finding in doc["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["quote"]
    assert not (tmp_path / "never-created").exists()


def test_a_failing_file_in_a_directory_is_skipped_and_the_rest_loaded(cli_runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("example.ttl", "violating.ttl"):
        (folder / name).write_bytes((RDF_DIR / name).read_bytes())
    store = tmp_path / "kg"
    result = run(cli_runner, "load", str(folder), "--store", str(store), "--format", "json")
    assert result.exit_code == 1
    assert "nameless-crc" in one_line_error(result)
    outcomes = {Path(o["source"]).name: o for o in json.loads(result.stdout)}
    assert outcomes["example.ttl"]["status"] == "added"
    assert outcomes["violating.ttl"]["status"] == "failed"
    assert "SHACL violation" in outcomes["violating.ttl"]["error"]
    assert stats(cli_runner, store)["triples"] == outcomes["example.ttl"]["triples"]

"""A file's identity: renamed, edited, renamed and edited, through the CLI (README, "What a load promises").

The catalogue records, per graph, the checksum and the path the graph was last loaded from. An edit
under the same path replaces; the same bytes under a new path are the same document; a file renamed and
edited in one step is a new document unless ``--replaces OLD_PATH`` is given, and the load then names
the vanished file. Each case is run for a headerless text, a Turtle file (parsed in memory) and an
N-Quads file (the streaming bulk path).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from probkg.cli import cli
from probkg.graph.store import OxigraphStore

pytestmark = pytest.mark.slow  # each case runs the CLI two or three times (about 20 s in all)

DEF = "https://w3id.org/probation-kg/def#"
TEXT = "HM Inspectorate of Probation inspected a service in {year}.\n"
TTL = '<https://example.org/doc> <https://example.org/says> "{year}" .\n'
NQ = (
    '<https://example.org/doc> <https://example.org/says> "{year}" .\n'
    '<https://example.org/doc> <https://example.org/in> "named" <https://example.org/graph/named> .\n'
)
KINDS = {"txt": TEXT, "ttl": TTL, "nq": NQ}


def _write(path: Path, kind: str, year: int) -> Path:
    path.write_text(KINDS[kind].format(year=year), encoding="utf-8")
    return path


def _load(runner: CliRunner, store: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(cli, ["load", *args, "--store", str(store), "--format", "json"])
    out = result.stdout
    doc = json.loads(out) if result.exit_code == 0 else []
    return result.exit_code, doc, result.stderr


def _documents(store: Path) -> dict[str, str]:
    """Graphs a file gave (text graphs and RDF file graphs), with the path the catalogue records."""
    with OxigraphStore(store, create=False) as s:
        return {
            g: str(info.source)
            for g, info in s.catalog().items()
            if info.loader == "text" or "/graph/file/" in g
        }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_edit_under_the_same_path_replaces(runner: CliRunner, tmp_path: Path, kind: str) -> None:
    store = tmp_path / "kg"
    f = _write(tmp_path / f"a.{kind}", kind, 2019)
    assert _load(runner, store, str(f))[0] == 0
    _write(f, kind, 2020)
    code, doc, _ = _load(runner, store, str(f))
    assert code == 0
    expected = {"replaced"} if kind == "nq" else {"added"}  # the bulk path gives one status per file
    assert {d["status"] for d in doc} == expected
    assert sum(len(d["superseded"]) for d in doc) == 1  # type: ignore[arg-type]
    assert len(_documents(store)) == 1


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_renamed_file_keeps_its_graph_and_a_later_edit_replaces_it(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    store = tmp_path / "kg"
    old = _write(tmp_path / f"a.{kind}", kind, 2019)
    assert _load(runner, store, str(old))[0] == 0
    before = _documents(store)
    new = old.rename(tmp_path / f"renamed.{kind}")
    code, doc, _ = _load(runner, store, str(new))
    assert code == 0
    assert {d["status"] for d in doc} == {"unchanged"}
    assert list(_documents(store)) == list(before)  # the same graph ...
    assert set(_documents(store).values()) == {os.path.realpath(new)}  # ... now known by its new path
    _write(new, kind, 2020)
    code, doc, _ = _load(runner, store, str(new))
    assert code == 0
    docs = _documents(store)
    assert len(docs) == 1
    assert list(docs) != list(before)
    assert set(docs.values()) == {os.path.realpath(new)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_renamed_and_edited_is_a_new_document_unless_replaces_names_the_old_path(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    store = tmp_path / "kg"
    old = _write(tmp_path / f"a.{kind}", kind, 2019)
    assert _load(runner, store, str(old))[0] == 0
    new = _write(tmp_path / f"b.{kind}", kind, 2020)
    old.unlink()
    code, _, err = _load(runner, store, str(new))
    assert code == 0
    assert len(_documents(store)) == 2  # the rule: a new path with new bytes is a new document
    assert f"--replaces {os.path.realpath(old)}" in err  # ... and the load says how to replace the old one
    code, doc, _ = _load(runner, store, str(new), "--replaces", str(old))
    assert code == 0
    assert sum(len(d["superseded"]) for d in doc) == 1  # type: ignore[arg-type]
    assert set(_documents(store).values()) == {os.path.realpath(new)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_replaces_in_the_same_load_as_the_rename(runner: CliRunner, tmp_path: Path, kind: str) -> None:
    store = tmp_path / "kg"
    old = _write(tmp_path / f"a.{kind}", kind, 2019)
    assert _load(runner, store, str(old))[0] == 0
    new = _write(tmp_path / f"b.{kind}", kind, 2020)
    old.unlink()
    code, _doc, err = _load(runner, store, str(new), "--replaces", str(old))
    assert code == 0, err
    assert "no longer exists" not in err
    docs = _documents(store)
    assert len(docs) == 1
    assert set(docs.values()) == {os.path.realpath(new)}


def test_a_file_moved_over_another_replaces_what_that_path_gave(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    a = _write(tmp_path / "a.txt", "txt", 2019)
    b = _write(tmp_path / "b.txt", "txt", 2020)
    assert _load(runner, store, str(a), str(b))[0] == 0
    assert len(_documents(store)) == 2
    a.replace(b)  # mv a.txt b.txt: b.txt now holds what a.txt held
    code, doc, _ = _load(runner, store, str(b))
    assert code == 0
    assert [d["status"] for d in doc] == ["unchanged"]
    assert set(_documents(store).values()) == {os.path.realpath(b)}


def test_replaces_refuses_a_path_nothing_was_loaded_from(runner: CliRunner, tmp_path: Path) -> None:
    store = tmp_path / "kg"
    f = _write(tmp_path / "a.txt", "txt", 2019)
    assert _load(runner, store, str(f))[0] == 0
    result = runner.invoke(
        cli, ["load", str(f), "--replaces", str(tmp_path / "never.txt"), "--store", str(store)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "never.txt" in lines[0]
    assert "--replaces" in lines[0]
    other = _write(tmp_path / "b.txt", "txt", 2020)
    result = runner.invoke(cli, ["load", str(f), str(other), "--replaces", str(f), "--store", str(store)])
    assert result.exit_code == 2
    assert "one file" in result.stderr


def test_texts_naming_one_source_url_are_renditions_of_one_document_each_identified_by_path(
    runner: CliRunner, tmp_path: Path
) -> None:
    store = tmp_path / "kg"
    header = "SOURCE: https://example.org/press/2019/03/service-inspected\nTITLE: A service inspected\n\n"
    old = tmp_path / "release.txt"
    old.write_text(header + TEXT.format(year=2019), encoding="utf-8")
    assert _load(runner, store, str(old))[0] == 0
    new = tmp_path / "renamed-release.txt"
    new.write_text(header + TEXT.format(year=2020), encoding="utf-8")
    old.unlink()
    code, doc, err = _load(runner, store, str(new))
    assert code == 0
    assert [d["status"] for d in doc] == ["added"]  # another rendition of the same document ...
    with OxigraphStore(store, create=False) as s:
        docs = {str(r[0]) for r in s.query("SELECT DISTINCT ?d WHERE { ?d a <" + DEF + "PressRelease> }")}
    assert len(docs) == 1  # ... which stays one document node
    assert len(_documents(store)) == 2
    assert "--replaces" in err
    code, doc, _ = _load(runner, store, str(new), "--replaces", str(old))
    assert code == 0
    assert set(_documents(store).values()) == {os.path.realpath(new)}

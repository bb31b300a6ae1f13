"""Large RDF files stream into the store: the CLI and API route them through the bulk path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import SH

from probkg import api
from probkg.cli import cli
from probkg.errors import InputError
from probkg.graph.base import CATALOG_GRAPH
from probkg.graph.store import OxigraphStore
from probkg.synth import write_synth
from probkg.validation.gate import _constraint

PROB = "https://w3id.org/probation-kg/def#"
ERROR = "probkg: error: "


def run(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def synth_file(tmp_path: Path) -> Path:
    path = tmp_path / "synth.nq"
    write_synth(str(path), 2, seed=3)
    return path


def _graph_count(store: OxigraphStore) -> dict[str, int]:
    return {g: n for g, n in store.graph_sizes().items() if g != str(CATALOG_GRAPH)}


def test_nquads_file_streams_in_with_inferences_and_catalogue(cli_runner, tmp_path, synth_file) -> None:
    store_dir = tmp_path / "kg"
    first = run(cli_runner, "load", str(synth_file), "--store", str(store_dir), "--format", "json")
    assert first.exit_code == 0, first.output
    outcomes = json.loads(first.stdout)
    assert outcomes
    assert {o["status"] for o in outcomes} == {"added"}
    with OxigraphStore(store_dir) as store:
        catalog = store.catalog()
        sizes = _graph_count(store)
        for o in outcomes:
            info = catalog[o["graph"]]
            assert info.loader == "rdf"
            assert info.source == str(synth_file.resolve())
            assert info.triples == sizes[o["graph"]] == o["triples"]
        # RDFS consequences sit in the loaded graphs: a CRC is also a probation provider.
        assert store.query(
            f"ASK {{ GRAPH ?g {{ ?x a <{PROB}CommunityRehabilitationCompany> , "
            f"<{PROB}ProbationProvider> }} }}"
        ).askAnswer
    second = run(cli_runner, "load", str(synth_file), "--store", str(store_dir), "--format", "json")
    assert second.exit_code == 0, second.output
    assert {o["status"] for o in json.loads(second.stdout)} == {"unchanged"}
    with OxigraphStore(store_dir) as store:
        assert _graph_count(store) == sizes


def test_malformed_nquads_is_one_line_with_line_number_and_writes_nothing(
    cli_runner, tmp_path, synth_file
) -> None:
    store_dir = tmp_path / "kg"
    assert run(cli_runner, "load", str(synth_file), "--store", str(store_dir)).exit_code == 0
    with OxigraphStore(store_dir) as store:
        before = _graph_count(store)
    lines = synth_file.read_text(encoding="utf-8").splitlines()
    lines[40] = '<urn:a> <urn:b> "unterminated .'
    bad = tmp_path / "bad.nq"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(cli_runner, "load", str(bad), "--store", str(store_dir))
    assert result.exit_code == 2
    err = result.stderr.splitlines()
    assert len(err) == 1
    assert err[0].startswith(ERROR)
    assert "bad.nq" in err[0]
    assert "41" in err[0]
    with OxigraphStore(store_dir) as store:
        assert _graph_count(store) == before


def test_violating_new_version_leaves_the_old_graphs_in_place(cli_runner, tmp_path, synth_file) -> None:
    store_dir = tmp_path / "kg"
    assert run(cli_runner, "load", str(synth_file), "--store", str(store_dir)).exit_code == 0
    with OxigraphStore(store_dir) as store:
        before = _graph_count(store)
        catalog_before = {g: i.sha256 for g, i in store.catalog().items()}
    # The same graphs again, with every finding's polarity removed: a Violation of the shapes.
    text = synth_file.read_text(encoding="utf-8")
    broken = "\n".join(line for line in text.splitlines() if f"<{PROB}polarity>" not in line) + "\n"
    synth_file.write_text(broken, encoding="utf-8")
    result = run(cli_runner, "load", str(synth_file), "--store", str(store_dir))
    assert result.exit_code == 1
    assert "polarity" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    with OxigraphStore(store_dir) as store:
        assert _graph_count(store) == before
        assert {g: i.sha256 for g, i in store.catalog().items()} == catalog_before


def test_blank_nodes_of_two_files_stay_apart(tmp_path) -> None:
    a, b = tmp_path / "a.nq", tmp_path / "b.nq"
    a.write_text('_:x <urn:p> "a" <urn:g1> .\n', encoding="utf-8")
    b.write_text('_:x <urn:p> "b" <urn:g2> .\n', encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        api.load(store, [a, b], validate=False)
        rows = list(store.query('SELECT ?s WHERE { ?s <urn:p> "a" . ?s <urn:p> "b" }'))
        assert rows == []


def test_only_oxigraph_stores_and_rdf_files_take_the_bulk_path(tmp_path, synth_file) -> None:
    from probkg.graph.store import MemoryStore

    small_ttl = tmp_path / "small.ttl"
    small_ttl.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        assert api.uses_bulk(store, synth_file)
        assert not api.uses_bulk(store, small_ttl)
    assert not api.uses_bulk(MemoryStore(), synth_file)


def test_large_store_validation_runs_in_sparql_with_the_same_report(
    tmp_path, synth_file, monkeypatch
) -> None:
    from probkg.validation.gate import validate_store

    with OxigraphStore(tmp_path / "kg") as store:
        api.build(store)
        text = synth_file.read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if f"<{PROB}theme>" not in line or "finding/" not in line]
        broken = tmp_path / "broken.nq"
        broken.write_text("\n".join(kept) + "\n", encoding="utf-8")
        api.load(store, broken, validate=False)
        called: list[str] = []
        import probkg.validation.shacl_sparql as compiled

        real = compiled.validate_store_sparql
        monkeypatch.setattr(compiled, "validate_store_sparql", lambda s: called.append("sparql") or real(s))  # type: ignore[func-returns-value]
        monkeypatch.setattr(api, "VALIDATE_THRESHOLD", 0)
        fast = api.validate(store)
        assert called == ["sparql"]
        slow = validate_store(store)
        assert not fast.conforms
        # Same lines; the heading's triple count differs only by triples stated in several graphs
        # (quads for the store, distinct triples for the in-memory copy).
        assert fast.to_text().splitlines()[1:] == slow.to_text().splitlines()[1:]
        assert fast.summary() == slow.summary()


def test_nt_export_streams_each_triple_once(tmp_path) -> None:
    with OxigraphStore(tmp_path / "kg") as store:
        store.replace_graph(URIRef("urn:g1"), [(URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c"))])
        store.replace_graph(
            URIRef("urn:g2"),
            [
                (URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")),
                (URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:d")),
            ],
        )
        out = io.BytesIO()
        store.dump(out, "nt")
    assert sorted(out.getvalue().decode().splitlines()) == [
        "<urn:a> <urn:b> <urn:c> .",
        "<urn:a> <urn:b> <urn:d> .",
    ]


def test_sparql_constraints_are_named_as_shacl_names_them() -> None:
    assert _constraint(SH.SPARQLConstraintComponent) == "sh:SPARQLConstraintComponent"
    assert _constraint(SH.MinCountConstraintComponent) == "sh:minCount"


def _canonical(store: OxigraphStore) -> tuple[dict[str, int], int, dict[str, object]]:
    """Per-graph sizes, the number of distinct blank nodes, and each graph as a canonical rdflib graph."""
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    graphs: dict[str, Graph] = {}
    blanks: set[object] = set()
    for s, p, o, g in store.quads():
        if str(g) == str(CATALOG_GRAPH):
            continue
        graphs.setdefault(str(g), Graph()).add((s, p, o))
        blanks.update(t for t in (s, o) if isinstance(t, BNode))
    return (
        {g: len(gr) for g, gr in graphs.items()},
        len(blanks),
        {g: set(to_canonical_graph(gr)) for g, gr in graphs.items()},
    )


def test_a_large_line_file_written_by_two_loaders_keeps_every_blank_node_whole(tmp_path, monkeypatch) -> None:
    """Above a size, N-Quads are cut in two for two loaders; a blank node used on lines far apart (and
    ``_:`` inside literals and IRIs) must come out as in a single load."""
    from probkg.graph import bulk

    lines = []
    for i in range(400):
        lines.append(f'<urn:s{i}> <urn:p> "v{i}" <urn:g{i % 3}> .')
        if i % 50 == 0:  # the same blank node again and again, far apart, in two graphs
            lines.append(f'_:shared <urn:seen> "{i}" <urn:g{i % 2}> .')
            lines.append(f"<urn:s{i}> <urn:knows> _:b{i // 100} <urn:g0> .")
            # a consequence between blank nodes: prob:followsUp implies prov:wasInformedBy
            lines.append(f"_:b{i // 100} <{PROB}followsUp> _:shared <urn:g2> .")
        if i % 70 == 0:
            lines.append(f'<urn:a_:{i}> <urn:note> "a _: inside" <urn:g1> .')
    path = tmp_path / "big.nq"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    used: list[int] = []
    native_parts = bulk._native_parts

    def spy(target, p, parts, fmt, graph, **kw):  # type: ignore[no-untyped-def]
        used.append(len(parts or ()))
        native_parts(target, p, parts, fmt, graph, **kw)

    monkeypatch.setattr(bulk, "_native_parts", spy)
    monkeypatch.setattr(bulk, "_SPLIT_BLOCK", 512)
    results = []
    for split_min in (1 << 40, 0):  # one loader, then two
        monkeypatch.setattr(bulk, "_SPLIT_MIN", split_min)
        with OxigraphStore(tmp_path / f"kg{split_min}") as store:
            api.load(store, [path], validate=True)
            results.append(_canonical(store))
    assert used == [0, 2]
    single, split = results
    assert split[0] == single[0]
    assert split[1] == single[1] == 1 + 4  # _:shared and _:b0 .. _:b3
    assert split[2] == single[2]
    informed = URIRef("http://www.w3.org/ns/prov#wasInformedBy")
    assert sum(1 for g in split[2].values() for t in g if t[1] == informed) == 4  # type: ignore[attr-defined]


def test_parts_left_by_a_killed_load_are_swept_by_the_next(tmp_path, monkeypatch, synth_file) -> None:
    import subprocess
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    dead = subprocess.Popen(["true"])  # a process that has exited, for a pid no one holds
    dead.wait()
    leftover = temp / f"probkg-load-{dead.pid}-abc"
    leftover.mkdir()
    (leftover / "part-0").write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
    unrelated = temp / "probkg-load-notes"
    unrelated.mkdir()
    with OxigraphStore(tmp_path / "kg") as store:
        api.load(store, [synth_file], validate=True)
    assert not leftover.exists()
    assert unrelated.exists()
    assert sorted(p.name for p in temp.iterdir()) == ["probkg-load-notes"]  # its own parts are gone too


def _early_spy(monkeypatch):  # type: ignore[no-untyped-def]
    """Record, for each load, whether the loaders began before the file had been read."""
    import threading

    from probkg.graph import bulk

    began = threading.Event()
    seen: list[bool] = []
    native_parts, read, sweep = bulk._native_parts, bulk._read, bulk._sweep_parts

    def parts(*args, **kw):  # type: ignore[no-untyped-def]
        began.set()
        native_parts(*args, **kw)

    def starting() -> None:  # each load that reads the file first begins here, before the file is cut
        began.clear()
        sweep()

    def reading(*args, **kw):  # type: ignore[no-untyped-def]
        try:
            return read(*args, **kw)
        finally:  # loaders begun early have begun by now, or soon (those begun after the read are not)
            seen.append(began.wait(5))

    monkeypatch.setattr(bulk, "_native_parts", parts)
    monkeypatch.setattr(bulk, "_sweep_parts", starting)
    monkeypatch.setattr(bulk, "_read", reading)
    monkeypatch.setattr(bulk, "_SPLIT_MIN", 0)
    monkeypatch.setattr(bulk, "_SPLIT_BLOCK", 256)
    return seen


def _lines(n: int, graph: str = "urn:g") -> list[str]:
    return [f'<urn:s{i}> <urn:p> "v{i}" <{graph}{i % 3}> .' for i in range(n)]


def test_loaders_begin_before_the_read_when_every_graph_is_new(tmp_path, monkeypatch) -> None:
    seen = _early_spy(monkeypatch)
    path = tmp_path / "a.nq"
    path.write_text("\n".join(_lines(300)) + "\n", encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        api.load(store, [path], validate=True)
        assert _graph_count(store) == {"urn:g0": 100, "urn:g1": 100, "urn:g2": 100}
        assert not list(store._store.quads_for_pattern(None, None, None, ox_default()))
    assert seen == [True]


def ox_default():  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    return ox.DefaultGraph()


def test_a_triple_outside_any_graph_undoes_the_early_start(tmp_path, monkeypatch) -> None:
    """The last IRI of ``<s> <p> <o> .`` looks like a graph name: the loaders begin, the read shows a
    triple outside any graph, and the load is redone the careful way, to the same result."""
    seen = _early_spy(monkeypatch)
    path = tmp_path / "loose.nq"
    path.write_text("\n".join([*_lines(200), "<urn:a> <urn:p> <urn:o> ."]) + "\n", encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        outcome = api.load(store, [path], validate=True)
        sizes = _graph_count(store)
        assert not list(store._store.quads_for_pattern(None, None, None, ox_default()))
        assert not store.query("ASK { GRAPH <urn:o> { ?s ?p ?o } }").askAnswer
    assert seen == [True]
    file_graph = [g for g in sizes if g.startswith("https://w3id.org/probation-kg/id/graph/file/")]
    assert len(file_graph) == 1
    assert sizes[file_graph[0]] == 1
    assert sum(sizes.values()) == 201
    assert {o.status for o in outcome} == {"added"}


def test_a_file_replacing_a_graph_is_not_begun_early(tmp_path, monkeypatch) -> None:
    seen = _early_spy(monkeypatch)
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    first.write_text("\n".join(_lines(30)) + "\n", encoding="utf-8")
    second.write_text("\n".join(_lines(60)) + "\n", encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        api.load(store, [first], validate=True)
        api.load(store, [second], validate=True)
        assert _graph_count(store) == {"urn:g0": 20, "urn:g1": 20, "urn:g2": 20}
    assert seen == [True, False]  # the second replaces graphs: read first, then staged aside


def test_a_syntax_error_after_an_early_start_leaves_the_store_as_it_was(tmp_path, monkeypatch) -> None:
    seen = _early_spy(monkeypatch)
    path = tmp_path / "bad.nq"
    path.write_text(
        "\n".join([*_lines(200), '<urn:a> <urn:p> "unterminated <urn:g0> .']) + "\n", encoding="utf-8"
    )
    with OxigraphStore(tmp_path / "kg") as store:
        before = store.graph_sizes()
        with pytest.raises(InputError, match=r"bad\.nq"):
            api.load(store, [path], validate=True)
        assert store.graph_sizes() == before
        assert not list(store._store.quads_for_pattern(None, None, None, ox_default()))
    assert seen == [True]


def test_recovery_empties_a_default_graph_a_killed_early_load_wrote(tmp_path) -> None:
    import pyoxigraph as ox

    from probkg.graph import bulk

    store = ox.Store(str(tmp_path / "kg"))
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o"), ox.DefaultGraph()))
    store.add(
        ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o"), ox.NamedNode("urn:g"))
    )
    pending = ox.NamedNode(str(bulk.PENDING_GRAPH))
    for g in (ox.NamedNode("urn:g"), bulk._DEFAULT_MARK):
        store.add(ox.Quad(g, bulk._STAGED, g, pending))
    assert sorted(bulk.recover(store)) == sorted(["urn:g", bulk._DEFAULT_MARK.value])
    assert len(store) == 0


@pytest.mark.parametrize("split", [True, False])
def test_a_bad_iri_only_a_strict_parse_refuses_is_reported_at_its_line(tmp_path, monkeypatch, split) -> None:
    """The in-memory copy is read leniently (faster); the disk writes are strict, and their error is
    reported at the file's own line, not at the line of the part a loader read."""
    from probkg.graph import bulk

    seen = _early_spy(monkeypatch)
    if not split:
        monkeypatch.setattr(bulk, "_SPLIT_MIN", 1 << 40)
    lines = _lines(300)
    lines[249] = "<urn:s> <urn:p> <http://[bad]/> <urn:g0> ."
    path = tmp_path / "bad.nq"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with OxigraphStore(tmp_path / "kg") as store:
        before = store.graph_sizes()
        with pytest.raises(InputError, match=r"bad\.nq.*\b250\b") as caught:
            api.load(store, [path], validate=True)
        assert len(str(caught.value).splitlines()) == 1
        assert store.graph_sizes() == before
        assert not list(store._store.quads_for_pattern(None, None, None, ox_default()))
    assert seen == [split]


def test_each_loader_writes_its_part_before_waiting_for_the_consequences(tmp_path) -> None:
    """The consequences come later than the parts: no loader waits for them before writing its own part,
    and each then writes the files it is given."""
    import threading
    import time
    from concurrent.futures import Future

    import pyoxigraph as ox

    from probkg.graph.bulk import _native_parts

    files = {}
    for name in ("part-0", "part-1", "late-0", "late-1"):
        files[name] = tmp_path / name
        files[name].write_text(f"<urn:s:{name}> <urn:p> <urn:o> <urn:g> .\n", encoding="utf-8")
    target = ox.Store()
    nq = ox.RdfFormat.N_QUADS
    late: Future[list[list[tuple[Path, ox.RdfFormat]]]] = Future()
    loaders = threading.Thread(
        target=_native_parts,
        args=(target, tmp_path / "whole", [[(files["part-0"], nq)], [(files["part-1"], nq)]], nq),
        kwargs={"default_graph": ox.NamedNode("urn:file"), "late": late},
    )
    loaders.start()
    try:
        deadline = time.monotonic() + 20
        while len(target) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(target) == 2, "a loader waited for the consequences before writing its part"
    finally:
        late.set_result([[(files["late-0"], nq)], [(files["late-1"], nq)]])
        loaders.join()
    assert sorted(q.subject.value for q in target) == [
        f"urn:s:{n}" for n in ("late-0", "late-1", "part-0", "part-1")
    ]

"""Guard: the loaders, the synthetic generator and ``probkg extract`` give the same output as recorded.

Each source below is turned into RDF (or extraction JSON) and reduced to a digest: the graph's
triples with blank nodes relabelled canonically (``rdflib.compare.to_canonical_graph``), as sorted
N-Triples, hashed with SHA-256. The digests recorded in ``tests/resources/same-quads.json`` were
taken before the clean-up of issue 10 (one slug helper, one date/interval writer, typed
extraction results, split builders), so a refactor that changes a single IRI, literal or quad
fails here, naming the graph.

The two things that differ from run to run are fixed the way ``tests/test_synth.py`` and
``tests/test_curated.py`` keep them fixed: an extraction run's start time is replaced by a
constant, and the software version in the run's IRI is pinned.

A deliberate change of output is recorded again with ``PROBKG_UPDATE_GOLDEN=1 pytest
tests/test_same_quads.py`` (then review the diff of the JSON file).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.namespace import PROV, XSD

from probkg.loaders.base import LoadUnit
from probkg.loaders.curated import load_curated, shipped_curated_files
from probkg.loaders.rdf import load_rdf
from probkg.loaders.record import load_record
from probkg.registry.model import load_registry
from probkg.synth import write_synth

REPO = Path(__file__).resolve().parents[1]
RES = REPO / "tests" / "resources"
GOLDEN = RES / "same-quads.json"
UPDATE = os.environ.get("PROBKG_UPDATE_GOLDEN") == "1"
_STARTED = Literal("2000-01-01T00:00:00Z", datatype=XSD.dateTime)


@pytest.fixture(autouse=True)
def _fixed_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin what varies between runs: the software version minted into extraction-run IRIs; paths
    are named relative to the checkout."""
    monkeypatch.setattr("probkg.loaders.text.rdf.software_version", lambda: "0.0.0+golden")
    monkeypatch.chdir(REPO)


def graph_digest(g: Graph) -> dict[str, object]:
    """Triple count and SHA-256 of the canonical, sorted N-Triples of ``g`` (run start times fixed)."""
    fixed = Graph()
    for s, p, o in g:
        fixed.add((s, p, _STARTED if p == PROV.startedAtTime else o))
    lines = sorted(
        line
        for line in to_canonical_graph(fixed).serialize(format="nt", encoding="utf-8").decode().splitlines()
    )
    body = "\n".join(line for line in lines if line)
    return {"triples": len(fixed), "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}


def unit_digests(units: Iterable[LoadUnit]) -> Iterator[tuple[str, dict[str, object]]]:
    for unit in units:
        entry = graph_digest(unit.triples)
        entry["checksum"] = unit.checksum
        entry["loader"] = unit.loader
        yield f"{Path(unit.source).name if unit.source else '?'} -> {unit.graph}", entry


def text_digests(paths: Iterable[Path]) -> Iterator[tuple[str, dict[str, object]]]:
    """Each text's load unit and its ``probkg extract`` JSON (as the command prints it)."""
    from probkg.loaders.text import load_text
    from probkg.loaders.text.extract import extract_paths

    reg = load_registry()
    for path in paths:
        rel = os.path.relpath(path, REPO)
        yield from unit_digests([load_text(rel, registry=reg)])
        shown = json.dumps(extract_paths([rel], reg), indent=2, ensure_ascii=False)
        yield f"extract {rel}", {"sha256": hashlib.sha256(shown.encode("utf-8")).hexdigest()}


def check(section: str, got: dict[str, dict[str, object]]) -> None:
    recorded = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if UPDATE:
        recorded[section] = got
        GOLDEN.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert section in recorded, f"no digests recorded for {section!r}; see the module docstring"
    want = recorded[section]
    changed = sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))
    assert not changed, f"output changed for: {changed}"


def test_shipped_data_and_fixtures_give_the_recorded_quads() -> None:
    got: dict[str, dict[str, object]] = {}
    for path in shipped_curated_files():
        got.update(unit_digests(load_curated(path)))
    got.update(unit_digests([load_record()]))
    small = load_registry(RES / "curated" / "registry-small.yaml")
    got.update(unit_digests(load_curated(RES / "curated" / "registry-small.yaml")))
    got.update(unit_digests(load_curated(RES / "curated" / "source-small.yaml", registry=small)))
    got.update(
        unit_digests(load_curated(RES / "curated" / "source-small.yaml", RES / "curated", registry=small))
    )
    for name in ("example.ttl", "example.trig", "example.jsonld", "example.rdf"):
        got.update(unit_digests(load_rdf(RES / "rdf" / name)))
    for inspections, seed in ((3, 7), (5, 11)):
        buf = io.BytesIO()
        write_synth(buf, inspections, seed=seed)
        got[f"synth {inspections} seed {seed}"] = {"sha256": hashlib.sha256(buf.getvalue()).hexdigest()}
    check("shipped", got)


def test_text_fixtures_give_the_recorded_quads_and_extraction() -> None:
    texts = sorted((RES / "text").iterdir()) + sorted((RES / "model-valid-sources").iterdir())
    check("texts", dict(text_digests(texts)))


@pytest.mark.shared
def test_seeds_give_the_recorded_quads(shared_dir: Path) -> None:
    seeds = shared_dir / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"no seeds at {seeds}")
    got: dict[str, dict[str, object]] = {}
    for path in shipped_curated_files()[1:]:
        got.update(unit_digests(load_curated(path, seeds)))
    got.update(text_digests(sorted(seeds.glob("*.txt"))))
    check("seeds", got)


@pytest.mark.slow
@pytest.mark.shared
def test_corpus_gives_the_recorded_quads(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"no corpus at {corpus}")
    check("corpus", dict(text_digests(sorted(corpus.glob("*/*.txt")))))

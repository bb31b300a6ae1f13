"""A replacing load is refused when the triples it removes break a node of another graph.

A registry graph (organisations) and a file of inspection graphs that cite its providers are loaded
from a synthetic data set. Replacing the registry with a version that no longer declares a provider
the findings are about leaves those findings pointing at an unknown organisation: the load must exit
1 and leave the store as it was, on both load paths (streamed N-Quads and parsed TriG). A replacement
that removes nothing another graph relies on is accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from probkg.cli import cli
from probkg.graph.store import OxigraphStore
from probkg.synth import write_synth

pytestmark = pytest.mark.slow

REGISTRY = "<https://w3id.org/probation-kg/id/graph/curated/synth-s3-registry> .\n"
DIVISION = "<https://w3id.org/probation-kg/id/org/synth-s3-nps-division-000>"
NPS = "<https://w3id.org/probation-kg/id/org/synth-s3-nps>"
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"


def run(runner: CliRunner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args), catch_exceptions=False)


def dump(store_dir: Path) -> list[str]:
    with OxigraphStore(store_dir) as store:
        return sorted(" ".join(str(t) for t in quad) for quad in store.quads())


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The registry, the inspections citing it, a breaking and a harmless new registry (.nq and .trig)."""
    synth = tmp_path / "synth.nq"
    write_synth(str(synth), 2, seed=3)
    lines = synth.read_text(encoding="utf-8").splitlines(keepends=True)
    registry = [ln for ln in lines if ln.endswith(REGISTRY)]
    inspections = [ln for ln in lines if not ln.endswith(REGISTRY)]
    assert registry
    assert inspections
    assert any(DIVISION in ln for ln in inspections)  # findings are about the division
    out = {
        "registry": registry,
        "inspections": inspections,
        "breaking": [ln for ln in registry if DIVISION not in ln],
        "harmless": [*registry, f'{NPS} {COMMENT} "A synthetic service."@en {REGISTRY}'],
    }
    paths = {}
    for name, text in out.items():
        path = tmp_path / f"{name}.nq"
        path.write_text("".join(text), encoding="utf-8")
        paths[name] = path
        data = Dataset()
        data.parse(path, format="nquads")
        trig = tmp_path / f"{name}.trig"
        data.serialize(trig, format="trig")
        paths[f"{name}-trig"] = trig
    return paths


@pytest.mark.parametrize("suffix", ["", "-trig"], ids=["nquads-bulk", "trig-parsed"])
def test_replacement_breaking_another_graph_is_refused(
    cli_runner: CliRunner, tmp_path: Path, files: dict[str, Path], suffix: str
) -> None:
    store = tmp_path / "kg"
    assert run(cli_runner, "load", str(files[f"registry{suffix}"]), "--store", str(store)).exit_code == 0
    assert run(cli_runner, "load", str(files["inspections"]), "--store", str(store)).exit_code == 0
    before = dump(store)

    result = run(cli_runner, "load", str(files[f"breaking{suffix}"]), "--store", str(store))
    assert result.exit_code == 1
    err = result.stderr.strip().splitlines()
    assert len(err) == 1
    assert "synth-s3-nps-division-000" in err[0]  # the node of the other graph that would break
    assert dump(store) == before

    result = run(cli_runner, "load", str(files[f"harmless{suffix}"]), "--store", str(store))
    assert result.exit_code == 0, result.stderr
    after = dump(store)
    assert any("A synthetic service." in q for q in after)
    assert run(cli_runner, "validate", "--store", str(store)).exit_code == 0

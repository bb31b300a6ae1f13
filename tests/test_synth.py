"""Synthetic data: deterministic by seed, one named graph per synthetic source, conforming to the shapes."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from probkg.ontology.namespaces import PROB
from probkg.synth import inspections_for, write_synth
from probkg.validation.gate import validate_graph

ID = "https://w3id.org/probation-kg/id/"


def _bytes(inspections: int, seed: int) -> bytes:
    buf = io.BytesIO()
    write_synth(buf, inspections, seed=seed)
    return buf.getvalue()


def _dataset(data: bytes) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(data=data, format="nquads")
    return ds


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    assert _bytes(4, 1) == _bytes(4, 1)
    assert _bytes(4, 1) != _bytes(4, 2)


def test_named_graph_per_source_and_realistic_ratios() -> None:
    stats = write_synth(io.BytesIO(), 12, seed=5)
    ds = _dataset(_bytes(12, 5))
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert f"{ID}graph/curated/synth-s5-registry" in graphs
    docs = {g for g in graphs if g.startswith(f"{ID}graph/doc/synth-s5-")}
    assert len(docs) == 12 == stats.inspections
    assert stats.graphs == len(graphs)
    inspections = set(ds.subjects(RDF.type, PROB.Inspection))
    assert len(inspections) == 12
    for insp in inspections:
        findings = set(ds.subjects(PROB.inInspection, insp)) & set(ds.subjects(RDF.type, PROB.Finding))
        assert 10 <= len(findings) <= 20
        for f in findings:
            assert next(ds.objects(f, PROB.hasEvidence), None) is not None
    # ownership over time: some providers changed owner
    assert set(ds.subjects(RDF.type, PROB.OwnershipTransfer))
    assert stats.quads == len(list(ds.quads((None, None, None, None))))


def test_synthetic_data_conforms_to_the_shapes() -> None:
    ds = _dataset(_bytes(7, 9))  # covers key-test years and rated years
    report = validate_graph((s, p, o) for s, p, o, _ in ds.quads((None, None, None, None)))
    assert report.conforms, report.summary()
    assert set(ds.subjects(RDF.type, PROB.Rating))
    assert set(ds.subjects(RDF.type, PROB.KeyTestVerdict))


def test_inspections_for_a_target_size_lands_near_it() -> None:
    stats = write_synth(io.BytesIO(), inspections_for(20000), seed=0)
    assert 15000 < stats.quads < 25000


def test_cli_synth_writes_a_loadable_file(tmp_path: Path) -> None:
    from probkg.cli import cli

    out = tmp_path / "s.nq"
    result = CliRunner().invoke(cli, ["synth", "--inspections", "2", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == _bytes(2, 3)
    bad = CliRunner().invoke(cli, ["synth", "-o", str(out)])
    assert bad.exit_code == 2
    assert "--inspections" in bad.output
    assert URIRef(f"{ID}graph/curated/synth-s3-registry").n3().encode() in out.read_bytes()

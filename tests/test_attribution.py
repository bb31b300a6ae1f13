"""Who judges: findings come from the inspectorate's voice only, and ``extract --explain`` says why.

The texts here are written for the tests (no corpus sentences).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from probkg.cli import cli
from probkg.loaders.text import extract_text
from probkg.loaders.text.attribution import INSPECTORATE, OTHER, UNSTATED, WRITER, attribute_sentences

NEWS = """Inspectors have criticised the probation service in Gwent.

The inspection report found that case supervision in Gwent was poor and staff caseloads were too high.

A union official, who leads the branch, said the owners had cut too many jobs and morale was poor.

A spokesperson for Working Links said: “We are disappointed. Our staff work hard and things improve.”

The fear is that other areas will prove just as poor.

Is the service getting worse?

They also found that partnership work with the police was strong, inspectors said.
"""


def _sources(texts: list[str], names: list[str] | None = None) -> list[str]:
    return [a.source for a in attribute_sentences([(t, True) for t in texts], names or [])]


def test_speakers_are_told_apart() -> None:
    assert _sources(
        [
            "Inspectors found the work was poor.",
            "Napo is deeply concerned that the report shows the service is failing.",
            "Jane Smith, director of a penal reform charity, said the contracts had failed.",
            "The quality of work was poor, said Dame Ann Example, Chief Inspector of Probation.",
            "The service is recruiting, Dame Ann said, but staffing is low.",
            "Half of the staff we interviewed said their workload was too high.",
            "The fear is that the problems will spread.",
            "Will the service improve?",
            "Work with victims was good.",
        ],
        ["Example", "Dame Ann"],
    ) == [INSPECTORATE, OTHER, OTHER, INSPECTORATE, INSPECTORATE, INSPECTORATE, WRITER, WRITER, UNSTATED]


def test_reported_speech_carries_over_sentences_until_the_quotation_closes() -> None:
    texts = [
        ("A Ministry of Justice spokesperson said:", True),
        ("“Performance has been poor.", True),
        ("We are acting on every recommendation.”", False),
        ("Inspectors found that supervision was weak.", True),
    ]
    assert [a.source for a in attribute_sentences(texts)] == [OTHER, OTHER, OTHER, INSPECTORATE]


def test_only_the_inspectorate_voice_yields_findings() -> None:
    result = extract_text(NEWS)
    quotes = " | ".join(f["quote"] for f in result["findings"])
    assert "case supervision in Gwent was poor" in quotes
    assert "partnership work with the police was strong" in quotes
    for not_a_finding in ("cut too many jobs", "disappointed", "work hard", "just as poor", "getting worse"):
        assert not_a_finding not in quotes, quotes


def test_extract_explain_prints_cue_polarity_theme_and_attribution(tmp_path: Path) -> None:
    path = tmp_path / "gwent.txt"
    path.write_text(NEWS, encoding="utf-8")
    runner = CliRunner()
    explained = runner.invoke(cli, ["extract", "--explain", str(path)])
    assert explained.exit_code == 0, explained.output
    plain = runner.invoke(cli, ["extract", "--format", "json", str(path)])
    findings = json.loads(plain.output)[0]["findings"]
    assert f"{len(findings)} findings" in explained.output
    for f in findings:
        assert f"{f['start']}-{f['end']}" in explained.output
    assert "polarity    critical  (cues critical: poor" in explained.output
    assert "theme       staffing & workload" in explained.output or "theme       " in explained.output
    assert "attribution inspectorate (The inspection report)" in explained.output
    assert "attribution other party" not in explained.output

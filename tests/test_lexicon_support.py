"""Every lexicon and attribution cue is justified by at least two development documents (issue 7).

A cue that only one document uses is a memorised phrase, not a rule: it would score on the
development set and say nothing about unseen writing. Skipped when ../shared is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from probkg.evaluation.scoring import load_gold
from probkg.evaluation.support import MIN_SUPPORT, cue_support, unsupported_cues
from probkg.loaders.text.attribution import cue_inventory as attribution_cues
from probkg.loaders.text.extract import NOT_A_FINDING
from probkg.loaders.text.reader import read_path
from probkg.loaders.text.segment import blocks, clauses, sentences

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def gold_files(shared_dir: Path) -> list[Path]:
    files = [shared_dir / "corpus" / f"gold-{name}.yaml" for name in ("press", "genre", "seeds")]
    if not all(f.exists() for f in files):
        pytest.skip("development gold files not present")
    return files


@pytest.mark.slow
def test_every_lexicon_cue_is_supported_by_two_documents(gold_files: list[Path]) -> None:
    support = cue_support(gold_files)
    assert support, "the lexicon has no cues"
    lonely = {name: sorted(support[name]) for name in unsupported_cues(support)}
    assert not lonely, f"cues matched in fewer than {MIN_SUPPORT} development documents: {lonely}"


@pytest.mark.slow
def test_every_attribution_and_exclusion_rule_is_supported_by_two_documents(gold_files: list[Path]) -> None:
    sents: dict[str, list[str]] = {}
    for g in gold_files:
        for doc in load_gold(g):
            if doc.get("_path"):
                view = read_path(doc["_path"])[0].view
                # sentences and their clauses: attribution reads sentences, exclusions read clauses
                spans = [(s, e) for b in blocks(view) for s, e in sentences(view, b.start, b.end)]
                spans += [c for s, e in list(spans) for c in clauses(view, s, e)]
                sents[doc["file"]] = [" ".join(view[s:e].split()).rstrip(":.,") for s, e in spans]
    rules = {**attribution_cues(), **{f"not a finding:{k}": v for k, v in NOT_A_FINDING.items()}}
    for name, pattern in rules.items():
        rx = re.compile(pattern, re.I)
        docs = {f for f, texts in sents.items() if any(rx.search(t) for t in texts)}
        assert len(docs) >= MIN_SUPPORT, (name, sorted(docs))


def test_support_counts_documents_not_occurrences(gold_files: list[Path], tmp_path: Path) -> None:
    # one gold document that repeats a cue many times supports it once: the check cannot be met by a
    # single document, however often it uses the word
    doc = tmp_path / "one.txt"
    doc.write_text("The work was poor. Poor planning. Poor leadership, poor morale.\n", encoding="utf-8")
    gold = tmp_path / "gold.yaml"
    gold.write_text("documents:\n  - file: one.txt\n    findings: []\n", encoding="utf-8")
    support = cue_support([gold])
    poor = next(n for n in support if n.startswith("polarity:critical:") and "poor" in n)
    assert support[poor] == {"one.txt"}
    assert poor in unsupported_cues(support)

"""Guarding the lexicon against fitting the corpus: support of each cue, and held-apart scoring.

A lexicon cue (:func:`probkg.loaders.text.lexicon.cue_inventory`) is **supported** by a development
document when it matches the document's text. A stricter count (``strict=True``, reported by the
benchmark) asks that it match a gold finding of that document that agrees with what the cue claims:

* a critical (positive) polarity cue matches a finding whose gold polarity is critical (positive)
  or mixed; a mixed cue matches a finding of any polarity (mixed readings are a balance of both);
* a theme cue matches a finding whose gold ``theme`` or ``also_themes`` hold that theme.

The rule of issue 7 is that every cue is supported by at least two different documents
(:data:`MIN_SUPPORT`); ``tests/test_lexicon_support.py`` checks it. The same support gives an
honest **held-apart** score (:func:`leave_one_document_out`): each document is extracted with the
cues switched off that would lose their support without it, i.e. with only the cues that at least
two *other* documents justify, and scored by the ordinary rules. The gap between the whole-set and
the held-apart figures shows how much the lexicon leans on single documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from probkg.loaders.text.lexicon import cue_inventory, normalise_text, without_cues
from probkg.loaders.text.reader import read_path

from .scoring import Scores, load_gold, score_document

__all__ = ["MIN_SUPPORT", "cue_support", "leave_one_document_out", "unsupported_cues"]

MIN_SUPPORT = 2
"""Distinct development documents a cue needs."""


def _agrees(kind: str, cue_class: str, finding: dict[str, Any]) -> bool:
    if kind == "polarity":
        gold = str(finding.get("polarity", "")).lower()
        return cue_class == "mixed" or gold in (cue_class, "mixed")
    themes = {str(t).lower() for t in [finding.get("theme"), *(finding.get("also_themes") or [])] if t}
    return cue_class.lower() in themes


def cue_support(gold_files: Iterable[str | Path], *, strict: bool = False) -> dict[str, set[str]]:
    """For every lexicon cue, the development documents (gold ``file``) that support it.

    By default a document supports a cue when the cue matches its text (lower-cased, spaces
    normalised). ``strict=True`` asks more: the cue must match one of the document's gold findings
    that agrees with it (see the module docstring); the benchmark reports both counts.
    """
    inventory = cue_inventory()
    compiled = {name: re.compile(pattern) for name, (_c, pattern) in inventory.items()}
    support: dict[str, set[str]] = {name: set() for name in inventory}
    for gold_file in gold_files:
        for doc in load_gold(gold_file):
            if not strict:
                if doc.get("_path"):
                    text = normalise_text(read_path(doc["_path"])[0].view)
                    for name, rx in compiled.items():
                        if rx.search(text):
                            support[name].add(doc["file"])
                continue
            for finding in doc.get("findings") or []:
                quote = normalise_text(str(finding.get("quote", "")))
                for name, rx in compiled.items():
                    kind = name.split(":", 1)[0]
                    if doc["file"] in support[name] or not _agrees(kind, inventory[name][0], finding):
                        continue
                    if rx.search(quote):
                        support[name].add(doc["file"])
    return support


def unsupported_cues(
    support: dict[str, set[str]], leave_out: str | None = None, min_docs: int = MIN_SUPPORT
) -> set[str]:
    """Cues with fewer than ``min_docs`` supporting documents (not counting ``leave_out``)."""
    return {name for name, docs in support.items() if len(docs - {leave_out}) < min_docs}


def leave_one_document_out(
    eval_gold: str | Path,
    support_gold: Iterable[str | Path],
    extract: Any = None,
) -> Scores:
    """Score ``eval_gold``'s documents, each extracted without the cues only it would justify.

    ``support_gold`` are all development gold files (the held-out document is left out of the
    support count, whichever file it belongs to).
    """
    if extract is None:
        from probkg.loaders.text.extract import extract_file

        extract = extract_file
    support = cue_support(support_gold)
    scores = Scores()
    for gold in load_gold(eval_gold):
        path = gold.get("_path")
        output = text = None
        if path:
            text = read_path(path)[0].text
            with without_cues(unsupported_cues(support, leave_out=gold["file"])):
                output = extract(path)
            scores.documents += 1
        score_document(gold, output, text, scores)
    return scores

"""Score probkg's text extraction against gold YAML files (see ../shared/design/evaluation.md).

    python benchmarks/extraction_eval.py [GOLD.yaml...] [--docs-root DIR] [--json] [--per-document]

With no gold file, scores the two development sets of issue 7, each on its own:
../shared/corpus/gold-press.yaml (the inspectorate's press releases) and gold-genre.yaml (news,
blogs, union and trade press). For every set it prints, side by side,

* **whole set**: the extractor as shipped;
* **held apart**: leave-one-document-out: each document is extracted with the lexicon cues switched
  off that fewer than two *other* development documents support (probkg.evaluation.support), so a
  cue cannot score on the one document it was written for.

Exits 1 when a set misses an acceptance threshold of issue 7 on the whole set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from probkg.evaluation.scoring import THRESHOLDS, Scores, failed_thresholds, format_scores, score_gold_files
from probkg.evaluation.support import cue_support, leave_one_document_out, unsupported_cues

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
DEFAULT_SETS = [SHARED / "gold-press.yaml", SHARED / "gold-genre.yaml"]
ROWS = [
    ("inspected_f1", "inspected providers F1"),
    ("overall_rating_accuracy", "overall rating accuracy"),
    ("chief_inspector_accuracy", "chief inspector accuracy"),
    ("figures_f1", "figures F1"),
    ("findings_recall", "findings recall"),
    ("findings_precision", "findings precision"),
    ("polarity_accuracy", "polarity accuracy"),
    ("theme_accuracy", "theme accuracy"),
]


def _side_by_side(name: str, whole: Scores, held: Scores) -> str:
    w, h = whole.as_dict(), held.as_dict()
    lines = [
        f"{name}: {whole.documents} documents",
        f"  {'':26}{'whole set':>10}{'held apart':>12}{'bar':>7}",
    ]
    for key, label in ROWS:
        mark = "" if w[key] >= THRESHOLDS[key] else "  MISSED"
        lines.append(f"  {label:26}{w[key]:>10.3f}{h[key]:>12.3f}{THRESHOLDS[key]:>7.2f}{mark}")
    lines.append(
        f"  {'findings matched/gold/out':26}{whole.findings.tp:>4}/{whole.findings.gold}/"
        f"{whole.findings.out}{held.findings.tp:>6}/{held.findings.gold}/{held.findings.out}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="*", help="gold YAML files (default: the press and genre sets)")
    parser.add_argument("--docs-root", help="directory holding the documents (default: beside the gold file)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--per-document", action="store_true", help="list findings and figures per document")
    args = parser.parse_args(argv)
    sets = [Path(g) for g in args.gold] or DEFAULT_SETS
    missing = [str(g) for g in sets if not g.exists()]
    if missing:
        print(f"error: gold file not found: {missing[0]}", file=sys.stderr)
        return 2
    seeds = sets[0].parent / "gold-seeds.yaml"
    support_files = [*sets, *([seeds] if seeds.exists() and seeds not in sets else [])]
    support = cue_support(support_files)
    report: dict[str, dict[str, object]] = {}
    any_failed = False
    for gold in sets:
        name = gold.stem.removeprefix("gold-")
        whole = score_gold_files([gold], docs_root=args.docs_root)
        held = leave_one_document_out(gold, support_files)
        failed = failed_thresholds(whole.as_dict())
        any_failed = any_failed or any(not f.startswith("throughput") for f in failed)
        report[name] = {
            "whole_set": whole.as_dict(),
            "held_apart": held.as_dict(),
            "failed": failed,
            "per_document": whole.per_document,
        }
        if not args.json:
            print(_side_by_side(name, whole, held))
            print("  whole-set details:")
            print("    " + format_scores(whole).replace("\n", "\n    "))
            if args.per_document:
                for doc in whole.per_document:
                    print(
                        f"    {doc['file']}: findings {doc['findings']}, figures {doc['figures']}, "
                        f"inspected {doc['inspected']}"
                    )
            print("  thresholds: " + ("all met" if not failed else "MISSED " + "; ".join(failed)))
            print()
    lonely = sorted(unsupported_cues(support))
    strict_lonely = sorted(unsupported_cues(cue_support(support_files, strict=True)))
    if args.json:
        print(
            json.dumps(
                {
                    "sets": report,
                    "thresholds": THRESHOLDS,
                    "unsupported_cues": lonely,
                    "cues_without_two_agreeing_gold_findings": strict_lonely,
                },
                indent=2,
            )
        )
    else:
        print(
            f"lexicon: {len(support)} cues, {len(lonely)} supported by fewer than two development documents; "
            f"{len(strict_lonely)} match an agreeing gold finding in fewer than two (stricter count)"
        )
    return 1 if any_failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Score probkg's text extraction against gold YAML files (see ../shared/design/evaluation.md).

    python benchmarks/extraction_eval.py GOLD.yaml... [--docs-root DIR] [--json]

Prints precision / recall / F1 per field, polarity and theme accuracy over matched findings and
the throughput; exits 1 when an acceptance threshold of issue 3 is missed.
"""

from __future__ import annotations

import argparse
import json
import sys

from probkg.evaluation.scoring import THRESHOLDS, failed_thresholds, format_scores, score_gold_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", help="gold YAML files")
    parser.add_argument("--docs-root", help="directory holding the documents (default: beside the gold file)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    scores = score_gold_files(args.gold, docs_root=args.docs_root)
    values = scores.as_dict()
    failed = failed_thresholds(values)
    if args.json:
        print(
            json.dumps(
                {
                    "scores": values,
                    "thresholds": THRESHOLDS,
                    "failed": failed,
                    "per_document": scores.per_document,
                },
                indent=2,
            )
        )
    else:
        print(format_scores(scores))
        for doc in scores.per_document:
            print(
                f"  {doc['file']}: findings {doc['findings']}, figures {doc['figures']}, "
                f"inspected {doc['inspected']}"
            )
        print("thresholds: " + ("all met" if not failed else "MISSED " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

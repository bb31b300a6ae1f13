"""Dump every named query's answers on an existing store, with their timings, to compare query rewrites.

Each named query is bound with several parameter sets: the ones ``store_bench.py`` uses (required
parameters only, from the first instances in the store, dates 2018-06-01), the ``# example:`` line of its
header (skipped when its labels are not in the store), and a few more values for the queries whose
parameters change the plan (dates, owners, areas, ratings, programmes). For each run the answer rows are
written (as N3 terms, in the order the store gave them) with the median time of ``--repeats`` runs.
Two dumps of the same store, taken before and after a rewrite, are compared with ``--diff``::

    python benchmarks/query_answers.py --store /tmp/big --out before.json
    python benchmarks/query_answers.py --store /tmp/big --out after.json --diff before.json

The store is opened read-only in spirit: only SELECT queries are run on it.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PROB = "https://w3id.org/probation-kg/def#"
RATINGS = ("Outstanding", "Good", "RequiresImprovement", "Inadequate")


def _first(store: Any, cls: str, n: int = 1) -> list[str]:
    rows = store.query(f"SELECT ?x WHERE {{ ?x a <{cls}> FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT {n}")
    return [str(r[0]) for r in rows]


def _example_params(example: str) -> dict[str, str] | None:
    words = shlex.split(example)
    if "--param" not in words:
        return {} if example else None
    out: dict[str, str] = {}
    for i, w in enumerate(words):
        if w == "--param" and i + 1 < len(words):
            name, _, value = words[i + 1].partition("=")
            out[name] = value
    return out


def parameter_sets(store: Any) -> dict[str, list[dict[str, str]]]:
    """For each named query, the parameter sets to run it with."""
    from probkg.queries import catalogue

    def first(cls: str, n: int = 1) -> list[str]:
        return _first(store, PROB + cls, n)

    crc = first("CommunityRehabilitationCompany")
    bench_values = {
        "owner": first("OwnerOrganisation"),
        "provider": crc,
        "inspection": first("Inspection"),
        "finding": first("Finding"),
        "doc": first("PressRelease"),
        "area": first("Area"),
        "rating": [PROB + "RequiresImprovement"],
        "polarity": [PROB + "Critical"],
    }
    owners = first("OwnerOrganisation", 3)
    areas = first("Area", 3)
    extra: dict[str, list[dict[str, str]]] = {
        "owner-league": [
            {"date": d, **({"owner": o} if o else {})}
            for d in ("2015-06-01", "2017-01-01", "2019-10-31", "2021-07-01")
            for o in [None, *owners[:2]]
        ],
        "joint-findings": [{"area": a} for a in areas],
        "rated-record": [{}, *({"rating": PROB + r} for r in RATINGS)],
        "providers-by-rating": [{}, *({"rating": PROB + r} for r in RATINGS)],
        "ratings-by-programme": [{}, {"programme": "2018/19"}, {"programme": "2019/20"}, {"programme": "x"}],
    }
    out: dict[str, list[dict[str, str]]] = {}
    for q in catalogue():
        sets: list[dict[str, str]] = []
        bench: dict[str, str] = {}
        missing = False
        for p in q.parameters:
            if p.type == "date":
                bench[p.name] = "2018-06-01"
            elif p.required:
                vals = bench_values.get(p.kind or p.name) or []
                if not vals:
                    missing = True
                    break
                bench[p.name] = vals[0]
        if not missing:
            sets.append(bench)
        ex = _example_params(q.example)
        if ex is not None:
            sets.append(ex)
        for s in extra.get(q.name, []):
            sets.append(s)
        unique: list[dict[str, str]] = []
        for s in sets:
            if s not in unique:
                unique.append(s)
        out[q.name] = unique
    return out


def _term(t: Any) -> str | None:
    return None if t is None else t.n3()


def run(
    store: Any, repeats: int, only: set[str], skip: set[str] = frozenset(), sets_max: int = 0
) -> dict[str, Any]:
    from probkg.errors import ProbkgError
    from probkg.queries import bind, catalogue

    sets = parameter_sets(store)
    result: dict[str, Any] = {}
    for q in catalogue():
        if (only and q.name not in only) or q.name in skip:
            continue
        for params in sets[q.name][: sets_max or None]:
            key = q.name + " " + json.dumps(params, sort_keys=True)
            try:
                text = bind(q, params, store)
            except ProbkgError as exc:
                result[key] = {"error": str(exc)}
                continue
            times = []
            rows: list[list[str | None]] = []
            for _i in range(repeats):
                t0 = time.perf_counter()
                rows = [[_term(t) for t in r] for r in store.query(text)]
                times.append(time.perf_counter() - t0)
                if times[0] > 5:
                    break
            ms = statistics.median(times) * 1000
            result[key] = {"rows": rows, "ms": round(ms, 2)}
            print(f"{ms:10.1f} ms {len(rows):7d} rows  {key}", file=sys.stderr, flush=True)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> int:
    """Print the runs whose answers differ, and a table of medians; the number of differences."""
    bad = 0
    print(f"{'query and parameters':80} {'before ms':>10} {'after ms':>10}  answers")
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b is None or a is None:
            print(f"{key[:80]:80} only in {'after' if b is None else 'before'}")
            continue
        same = b.get("rows") == a.get("rows") and b.get("error") == a.get("error")
        bad += not same
        nrows = len(a.get("rows") or [])
        print(
            f"{key[:80]:80} {b.get('ms', 0):10.1f} {a.get('ms', 0):10.1f}  "
            f"{'identical' if same else 'DIFFERENT'} ({nrows} rows)"
        )
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True, help="an existing probkg (Oxigraph) store directory")
    ap.add_argument("--out", required=True, help="JSON file to write the answers and timings to")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--only", default="", help="named queries to run (comma separated; default all)")
    ap.add_argument("--skip", default="", help="named queries not to run (comma separated)")
    ap.add_argument("--sets", type=int, default=0, help="run only the first N parameter sets of each query")
    ap.add_argument("--diff", help="an earlier dump of the same store to compare with")
    args = ap.parse_args()

    from probkg.graph.store import OxigraphStore

    store = OxigraphStore(Path(args.store), create=False)
    try:
        result = run(
            store,
            args.repeats,
            {n for n in args.only.split(",") if n},
            {n for n in args.skip.split(",") if n},
            args.sets,
        )
    finally:
        store.close()
    Path(args.out).write_text(json.dumps(result, indent=1))
    if args.diff:
        before = json.loads(Path(args.diff).read_text())
        before = {k: v for k, v in before.items() if k in result}
        sys.exit(1 if diff(before, result) else 0)


if __name__ == "__main__":
    main()

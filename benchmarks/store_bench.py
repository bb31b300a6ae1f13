"""Store benchmark: probkg's default store against rdflib's Memory store and bare pyoxigraph.

For each size (default 10k, 100k and 1M triples) a synthetic data set is generated with
``probkg.synth``; each backend then runs in its own process (so peak memory is its own):

- ``probkg``   the embedded Oxigraph store through probkg (streaming bulk load, named queries through
               ``Store.query``, full validation with the shapes compiled to SPARQL);
- ``memory``   rdflib's ``Dataset`` on the Memory store (rdflib N-Quads parse, rdflib SPARQL engine,
               pySHACL for validation);
- ``oxigraph`` pyoxigraph used directly, the floor (``Store.bulk_load``, ``Store.query``, the compiled
               shapes run straight on it);
- ``ram``      pyoxigraph's in-memory store (no RocksDB) given the same file and queries: how much of a
               query's time is the engine's evaluation and how much the reads from disk.

Every named query is bound once (same SPARQL text for all backends) and timed as the median of
repeated runs. A single query or validation of the Memory store that runs past ``--cap`` seconds is
stopped and shown as ``>cap``. Also measured: the wall time of a cold ``probkg query`` process.

    python benchmarks/store_bench.py                 # 10k, 100k, 1M
    python benchmarks/store_bench.py --sizes 10000   # quick
"""

from __future__ import annotations

import argparse
import json
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ID = "https://w3id.org/probation-kg/id/"
PROB = "https://w3id.org/probation-kg/def#"


# ---- worker side ------------------------------------------------------------------------------------
def _emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time_queries(run: Any, queries: dict[str, str], repeats: int, skipped: set[str]) -> None:
    for name, text in queries.items():
        if name in skipped:
            _emit(kind="query", name=name, median_ms=None, rows=0, runs=0)
            continue
        times = []
        rows = 0
        for i in range(repeats):
            t0 = time.perf_counter()
            rows = run(text)
            times.append(time.perf_counter() - t0)
            if i == 0 and times[0] > 5:  # slow engine: one run is enough
                break
        _emit(kind="query", name=name, median_ms=statistics.median(times) * 1000, rows=rows, runs=len(times))


def worker(
    backend: str,
    nq: str,
    workdir: str,
    queries_file: str | None,
    repeats: int,
    *,
    skip: str = "",
    load_only: bool = False,
) -> None:
    queries: dict[str, str] = json.loads(Path(queries_file).read_text()) if queries_file else {}
    skipped = {n for n in skip.split(",") if n}
    if backend == "probkg":
        from probkg.api import ontology_unit
        from probkg.graph.store import OxigraphStore
        from probkg.loading import bulk_load_file, load_units
        from probkg.validation.shacl_sparql import validate_store_sparql

        store = OxigraphStore(Path(workdir) / "probkg-store")
        load_units(store, [ontology_unit()], allow_core=True)
        t0 = time.perf_counter()  # what `probkg load FILE.nq` does: atomic, materialised and validated
        outcome = bulk_load_file(store, nq, validate=True)
        _emit(kind="load", seconds=time.perf_counter() - t0, quads=outcome.quads, detail=outcome.seconds)
        if load_only:
            store.close()
            _emit(kind="done")
            return
        if not queries:
            queries = _bind_queries(store)
            Path(workdir, "queries.json").write_text(json.dumps(queries))
        _time_queries(lambda q: len(list(store.query(q))), queries, repeats, skipped)
        _emit(kind="rss", mb=_peak_mb())
        t0 = time.perf_counter()
        report = validate_store_sparql(store)
        _emit(
            kind="validate",
            seconds=time.perf_counter() - t0,
            results=len(report.results),
            conforms=report.conforms,
        )
        store.close()
    elif backend in ("oxigraph", "ram"):
        # "ram" is the same engine with no RocksDB under it (pyoxigraph's in-memory store): its query
        # times show how much of the on-disk times is reading from disk
        import pyoxigraph as ox

        from probkg.validation.shacl_sparql import oxigraph_select, run_checks

        store = ox.Store(str(Path(workdir) / "ox-store")) if backend == "oxigraph" else ox.Store()
        t0 = time.perf_counter()
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        _emit(kind="load", seconds=time.perf_counter() - t0, quads=len(store))
        if load_only:
            _emit(kind="done")
            return
        _load_ontology_ox(store)
        _time_queries(
            lambda q: len(list(store.query(q, use_default_graph_as_union=True))), queries, repeats, skipped
        )
        _emit(kind="rss", mb=_peak_mb())
        if backend == "oxigraph":
            t0 = time.perf_counter()
            report = run_checks(oxigraph_select(store))
            _emit(
                kind="validate",
                seconds=time.perf_counter() - t0,
                results=len(report.results),
                conforms=report.conforms,
            )
    elif backend == "memory":
        from rdflib import Dataset, Graph

        from probkg.ontology import ONTOLOGY_IRI, ontology_graph
        from probkg.validation.gate import validate_graph

        ds = Dataset(store="Memory", default_union=True)
        t0 = time.perf_counter()
        ds.parse(nq, format="nquads")
        _emit(kind="load", seconds=time.perf_counter() - t0, quads=len(ds))
        ont = ds.graph(ONTOLOGY_IRI)
        for t in ontology_graph():
            ont.add(t)
        _time_queries(lambda q: len(list(ds.query(q))), queries, repeats, skipped)
        _emit(kind="rss", mb=_peak_mb())
        t0 = time.perf_counter()
        data = Graph()
        for s, p, o, g in ds.quads((None, None, None, None)):
            if g is not None and str(getattr(g, "identifier", g)) != str(ONTOLOGY_IRI):
                data.add((s, p, o))
        report = validate_graph(data)
        _emit(
            kind="validate",
            seconds=time.perf_counter() - t0,
            results=len(report.results),
            conforms=report.conforms,
        )
    _emit(kind="done")


def _load_ontology_ox(store: Any) -> None:
    import pyoxigraph as ox

    from probkg.graph._oxterms import from_rdflib
    from probkg.ontology import ONTOLOGY_IRI, ontology_graph

    g = ox.NamedNode(str(ONTOLOGY_IRI))
    store.bulk_extend(
        ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), g) for s, p, o in ontology_graph()
    )


def _first(store: Any, cls: str) -> str:
    for row in store.query(f"SELECT ?x WHERE {{ ?x a <{cls}> FILTER(isIRI(?x)) }} ORDER BY ?x LIMIT 1"):
        return str(row[0])
    raise SystemExit(f"no instance of {cls} in the synthetic data")


def _bind_queries(store: Any) -> dict[str, str]:
    """Every named query with parameters taken from the synthetic data, bound to SPARQL text."""
    from probkg.queries import bind, catalogue

    crc = _first(store, PROB + "CommunityRehabilitationCompany")
    values = {
        "owner": _first(store, PROB + "OwnerOrganisation"),
        "provider": crc,
        "inspection": _first(store, PROB + "Inspection"),
        "finding": _first(store, PROB + "Finding"),
        "doc": _first(store, PROB + "PressRelease"),
        "area": _first(store, PROB + "Area"),
        "rating": PROB + "RequiresImprovement",
        "polarity": PROB + "Critical",
    }
    out = {}
    for q in catalogue():
        params = {}
        for p in q.parameters:
            if p.type == "date":
                params[p.name] = "2018-06-01"
            elif p.required:
                params[p.name] = values[p.kind or p.name]
        out[q.name] = bind(q, params, store)
    return out


# ---- parent side ------------------------------------------------------------------------------------
def run_worker(
    backend: str,
    nq: Path,
    workdir: Path,
    queries: Path | None,
    *,
    repeats: int,
    cap: float,
    skip: list[str] | None = None,
    load_only: bool = False,
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        backend,
        "--worker-file",
        str(nq),
        "--workdir",
        str(workdir),
        "--repeats",
        str(repeats),
    ]
    if queries is not None:
        cmd += ["--queries", str(queries)]
    if skip:
        cmd += ["--skip", ",".join(skip)]
    if load_only:
        cmd.append("--load-only")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
    out: dict[str, Any] = {"queries": {}}
    assert proc.stdout is not None
    last = time.monotonic()
    stage = "load"
    while True:
        # Only the rdflib Memory store is stopped at the cap; the others get a generous safety limit.
        limit = (cap if stage != "load" else max(cap * 10, 600)) if backend == "memory" else 3600
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, limit - (time.monotonic() - last)))
        if not ready:
            out.setdefault("capped", stage)
            try:
                hwm = [
                    ln
                    for ln in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
                    if ln.startswith("VmHWM:")
                ]
                out.setdefault("rss", int(hwm[0].split()[1]) / 1024 if hwm else None)
            except OSError:
                pass
            proc.kill()
            proc.wait()
            break
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            break
        last = time.monotonic()
        msg = json.loads(line)
        kind = msg["kind"]
        if kind == "load":
            out["load_s"], out["quads"], stage = msg["seconds"], msg["quads"], "query"
            out["load_detail"] = msg.get("detail") or {}
        elif kind == "query":
            out["queries"][msg["name"]] = msg["median_ms"]
            out.setdefault("rows", {})[msg["name"]] = msg["rows"]
        elif kind == "rss":
            out["rss"], stage = msg["mb"], "validate"
        elif kind == "validate":
            out["validate_s"], out["valid_results"] = msg["seconds"], msg["results"]
        elif kind == "done":
            proc.wait()
            break
    return out


def cold_query(store_dir: Path, queries: dict[str, str]) -> float:
    """Wall time of one ``probkg query`` process (interpreter start included), best of three."""
    exe = shutil.which("probkg") or "probkg"
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(
            [exe, "query", "--store", str(store_dir), "ownership-changes", "--format", "csv"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - t0)
    return best


def _fmt_ms(v: float | None, cap: float) -> str:
    return f">{cap:.0f}s" if v is None else (f"{v:.1f}" if v < 100 else f"{v:.0f}")


def _load_rounds(
    nq: Path, work: Path, res: dict[str, dict[str, Any]], rounds: int, cap: float
) -> dict[str, list[float]]:
    """Load times of both loaders over ``rounds`` rounds (the first from the main run), alternating."""
    loads: dict[str, list[float]] = {
        b: [res[b]["load_s"]] for b in ("probkg", "oxigraph") if res[b].get("load_s")
    }
    if len(loads) < 2:
        return loads
    for r in range(1, rounds):
        order = ("oxigraph", "probkg") if r % 2 else ("probkg", "oxigraph")
        for backend in order:
            where = work / f"round-{r}"
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir()
            out = run_worker(backend, nq, where, None, repeats=1, cap=cap, load_only=True)
            shutil.rmtree(where, ignore_errors=True)
            loads[backend].append(out["load_s"])
            print(f"round {r + 1}/{rounds}: {backend} load {out['load_s']:.1f} s", file=sys.stderr)
    return loads


def report(
    size: int,
    res: dict[str, dict[str, Any]],
    cold: float,
    cap: float,
    loads: dict[str, list[float]] | None = None,
) -> str:
    p, m, o = res["probkg"], res["memory"], res["oxigraph"]
    ram = res.get("ram", {"queries": {}})
    left_out = not m.get("load_s") and not m.get("capped")
    lines = [
        f"\n=== {size:,} target triples: {p.get('quads', 0):,} quads in the file ===",
        f"{'measure':32} {'probkg':>10} {'rdflib Mem':>11} {'pyoxigraph':>11} "
        f"{'Mem/probkg':>11} {'probkg/ox':>10} {'ox in RAM':>10} {'rows':>7}",
    ]

    def row(
        label: str,
        a: float | None,
        b: float | None,
        c: float | None,
        *,
        unit: str = "",
        d: float | None = None,
        rows: int | None = None,
    ) -> None:
        def f(v: float | None) -> str:
            return "capped" if v is None else (f"{v:,.0f}{unit}" if v >= 100 else f"{v:.2f}{unit}")

        if left_out:  # --no-memory: nothing was run, so nothing was capped
            mem, r1 = "n/a", "n/a"
        else:
            mem = f(b)
            r1 = f"{b / a:.1f}x" if a and b else ("n/a" if b is not None else f">{cap / (a or 1e-9):.0f}x")
        r2 = f"{a / c:.2f}x" if a and c else "n/a"
        extra = f" {f(d):>10} {rows:>7,}" if d is not None and rows is not None else ""
        lines.append(f"{label:32} {f(a):>10} {mem:>11} {f(c):>11} {r1:>11} {r2:>10}{extra}")

    def rate(r: dict[str, Any]) -> float | None:
        return r["quads"] / r["load_s"] if r.get("load_s") else None

    mem_rate = "n/a" if left_out else f"{rate(m) or 0:,.0f}"
    mem_ratio = "n/a" if left_out else f"{(rate(p) or 0) / (rate(m) or 1):.1f}x"
    lines.append(
        f"{'load (triples/s)':32} {rate(p) or 0:>10,.0f} {mem_rate:>11} {rate(o) or 0:>11,.0f} "
        f"{mem_ratio:>11} {(rate(p) or 0) / (rate(o) or 1):>9.2f}x"
    )
    if p.get("load_s") and o.get("load_s"):
        lines.append(
            f"{'load time, probkg/bare bulk_load':32} {p['load_s'] / o['load_s']:>10.2f}x  "
            "(probkg load: atomic, RDFS consequences, validation; target <= 1.5x)"
        )
    if loads and len(loads.get("probkg", [])) > 1 and len(loads.get("oxigraph", [])) > 1:
        pk, ox_ = statistics.median(loads["probkg"]), statistics.median(loads["oxigraph"])
        rounds = ", ".join(f"{a / b:.2f}x" for a, b in zip(loads["probkg"], loads["oxigraph"], strict=True))
        lines.append(
            f"{'load time, medians of ' + str(len(loads['probkg'])) + ' rounds':32} {pk / ox_:>10.2f}x  "
            f"(probkg {pk:.1f} s, bare bulk_load {ox_:.1f} s; per round: {rounds})"
        )
    if p.get("load_detail"):
        lines.append(
            "probkg load steps (s): " + ", ".join(f"{k} {v:.1f}" for k, v in p["load_detail"].items())
        )
    for name in sorted(p["queries"]):
        if p["queries"][name] is None:
            lines.append(f"{f'q {name} (ms)':32} {'skipped':>10}")
            continue
        row(
            f"q {name} (ms)",
            p["queries"].get(name),
            m["queries"].get(name),
            o["queries"].get(name),
            d=ram["queries"].get(name),
            rows=p.get("rows", {}).get(name),
        )
    row("full validation (s)", p.get("validate_s"), m.get("validate_s"), o.get("validate_s"))
    row("peak RSS load+queries (MB)", p.get("rss"), m.get("rss"), o.get("rss"))
    if ram.get("rss"):
        lines.append(f"{'peak RSS, pyoxigraph in RAM (MB)':32} {ram['rss']:>10,.0f}")
    lines.append(f"{'cold probkg query (s)':32} {cold:>10.2f}")
    if m.get("capped"):
        lines.append(f"(rdflib Memory stopped during {m['capped']} after {cap:.0f} s without an answer)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="target triple counts, comma separated")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=7, help="runs per query (median reported)")
    ap.add_argument("--cap", type=float, default=60.0, help="seconds before a Memory-store step is stopped")
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files")
    ap.add_argument(
        "--no-memory", action="store_true", help="leave out rdflib's Memory store (its column reads n/a)"
    )
    ap.add_argument("--file", dest="data", metavar="FILE.nq", help="use this N-Quads file instead of synth")
    ap.add_argument("--skip", default="", metavar="NAMES", help="named queries not to time (comma separated)")
    ap.add_argument(
        "--load-rounds",
        type=int,
        default=1,
        metavar="N",
        help="load the file N times with probkg and with bare bulk_load, alternately (each in a fresh "
        "store and process), and report the median of each and their ratio",
    )
    ap.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--worker-file", dest="file", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--queries", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(
            args.worker,
            args.file,
            args.workdir,
            args.queries,
            args.repeats,
            skip=args.skip,
            load_only=args.load_only,
        )
        return

    from probkg.synth import inspections_for, write_synth

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="probkg-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            work = base / f"n{size}"
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            nq = work / "synth.nq"
            if args.data:
                nq = Path(args.data).resolve()
                print(f"using {nq}", file=sys.stderr)
            else:
                t0 = time.perf_counter()
                stats = write_synth(nq, inspections_for(size), seed=args.seed)
                print(
                    f"generated {stats.quads:,} quads ({stats.inspections} inspections, "
                    f"{stats.findings:,} findings) in {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                )
            skip = [n for n in args.skip.split(",") if n]
            res = {
                "probkg": run_worker("probkg", nq, work, None, repeats=args.repeats, cap=args.cap, skip=skip)
            }
            qfile = work / "queries.json"
            res["oxigraph"] = run_worker(
                "oxigraph", nq, work, qfile, repeats=args.repeats, cap=args.cap, skip=skip
            )
            res["ram"] = run_worker("ram", nq, work, qfile, repeats=args.repeats, cap=args.cap, skip=skip)
            res["memory"] = (
                run_worker("memory", nq, work, qfile, repeats=min(args.repeats, 3), cap=args.cap, skip=skip)
                if not args.no_memory
                else {"queries": {}}
            )
            cold = cold_query(work / "probkg-store", json.loads(qfile.read_text()))
            for d in ("probkg-store", "ox-store"):
                shutil.rmtree(work / d, ignore_errors=True)
            loads = _load_rounds(nq, work, res, args.load_rounds, args.cap)
            print(report(size, res, cold, args.cap, loads), flush=True)
            (work / "results.json").write_text(
                json.dumps({**res, "cold_query_s": cold, "load_rounds": loads}, indent=2)
            )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

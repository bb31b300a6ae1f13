"""Export benchmark: every export format of a large store, each in its own ``probkg export`` process.

A synthetic data set (``probkg synth --inspections N``, default 2,500: about a million quads) is bulk
loaded into an Oxigraph store; then ``probkg export --format F`` runs once per format with
``--layout none`` and once per graph format with the default layout (ForceAtlas2, Barnes-Hut), each
under ``nice`` in a process of its own so its wall time and peak RSS (``wait4``) are its own. The table
shows both against the budgets of issue 9: 60 s and 2 GB with ``--layout none``, 180 s with the layout.

    nice -n 10 python benchmarks/export_bench.py                  # 2,500 inspections, then the explorer
    python benchmarks/export_bench.py --inspections 200           # quick
    python benchmarks/export_bench.py --store DIR                 # reuse a loaded store

Then ``probkg serve`` is started on the same store and the explorer's search and neighbourhood requests
are timed against it (``explorer_latency.py``: median, p95 and worst per request kind, target 200 ms).

This is a benchmark, not a test: the machine's load changes the wall times (the load average is printed
with them; CPU seconds, user + system, are shown too as they depend less on the load).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_NONE_S = 60.0
BUDGET_LAYOUT_S = 180.0
BUDGET_RSS_MB = 2048.0
FORMATS = ("graphml", "gexf", "cytoscape", "dot", "html", "jsonld")
RDF_ONLY = {"jsonld"}


def _probkg() -> list[str]:
    return [sys.executable, "-m", "probkg.cli"]


def prepare(inspections: int, workdir: Path) -> Path:
    """Generate and bulk-load the synthetic data set; return the store directory."""
    from probkg.graph.bulk import bulk_load
    from probkg.graph.store import OxigraphStore

    nq = workdir / "synth.nq"
    subprocess.run([*_probkg(), "synth", "--inspections", str(inspections), "-o", str(nq), "-q"], check=True)
    store_dir = workdir / "store"
    store = OxigraphStore(store_dir)
    try:
        bulk_load(store, str(nq), validate=False)
    finally:
        store.close()
    nq.unlink()
    return store_dir


def run_export(
    store: Path, fmt: str, layout: str, out: Path, nice: int
) -> tuple[float, float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS (MB), exit code and output bytes of one ``probkg export``."""
    cmd = ["nice", "-n", str(nice), *_probkg(), "export", "--store", str(store), "--format", fmt, "-q"]
    if fmt not in RDF_ONLY:
        cmd += ["--layout", layout]
    cmd += ["-o", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if proc.stderr is not None:
        err = proc.stderr.read().decode(errors="replace").strip()
        if err:
            print(f"  {fmt}/{layout}: {err.splitlines()[-1]}", file=sys.stderr)
    code = os.waitstatus_to_exitcode(status)
    size = out.stat().st_size if out.exists() else 0
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, code, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspections", type=int, default=2500)
    parser.add_argument("--store", type=Path, help="An already loaded store (skips generation).")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--layouts", default="none,fa2", help="Layouts to run, comma separated.")
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON as well.")
    parser.add_argument(
        "--explorer-rounds",
        type=int,
        default=9,
        help="Rounds per explorer request (against probkg serve on the same store); 0 skips them.",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="probkg-export-bench-"))
    try:
        store = args.store or prepare(args.inspections, workdir)
        rows = []
        for layout in args.layouts.split(","):
            for fmt in args.formats.split(","):
                if fmt in RDF_ONLY and layout != "none":
                    continue
                out = workdir / f"out-{layout}.{fmt}"
                seconds, cpu, rss, code, size = run_export(store, fmt, layout, out, args.nice)
                out.unlink(missing_ok=True)
                budget = BUDGET_NONE_S if layout == "none" else BUDGET_LAYOUT_S
                ok = code == 0 and seconds <= budget and rss <= BUDGET_RSS_MB
                rows.append(
                    {
                        "format": fmt,
                        "layout": layout,
                        "seconds": round(seconds, 1),
                        "cpu_seconds": round(cpu, 1),
                        "budget_s": budget,
                        "time_ratio": round(seconds / budget, 2),
                        "peak_rss_mb": round(rss),
                        "rss_ratio": round(rss / BUDGET_RSS_MB, 2),
                        "bytes": size,
                        "exit": code,
                        "ok": ok,
                    }
                )
                r = rows[-1]
                print(
                    f"{fmt:10} {layout:6} {r['seconds']:8.1f} s ({r['time_ratio']:.2f} of {budget:.0f} s)"
                    f" cpu {cpu:7.1f} s"
                    f"  {r['peak_rss_mb']:6} MB ({r['rss_ratio']:.2f} of 2 GB)  {size / 1e6:8.1f} MB out"
                    f"  exit {code}  {'ok' if ok else 'OVER'}",
                    flush=True,
                )
        print(f"load: {os.getloadavg()[0]:.1f} (1 min), cpus: {os.cpu_count()}", flush=True)
        latencies: list[dict[str, object]] = []
        if args.explorer_rounds > 0:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            import explorer_latency

            print("\nexplorer requests against probkg serve (target 200 ms each):", flush=True)
            with explorer_latency.serving(store, args.nice) as base:
                latencies = explorer_latency.measure(base, args.explorer_rounds)
            print(f"load: {os.getloadavg()[0]:.1f} (1 min)")
        if args.json:
            print(json.dumps({"exports": rows, "explorer": latencies}, indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

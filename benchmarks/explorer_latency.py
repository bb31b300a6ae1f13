"""Latency of the explorer's search and neighbourhood requests on a large store (target: <= 200 ms each).

Starts ``probkg serve`` on the store (loopback, one query worker, under ``nice``), brings its full-text
index in step with one search (that time is printed apart), finds the largest neighbourhoods through the
server's own ``/sparql`` (the busiest provider, the owner with most providers, the theme with most
findings), then times each request kind over a few rounds with an HTTP client: median, 95th percentile
and worst, against the 200 ms target. The server is stopped at the end.

    probkg synth --inspections 2500 -o /tmp/synth.nq
    probkg build --store /tmp/big && probkg load --store /tmp/big /tmp/synth.nq
    nice -n 10 python benchmarks/explorer_latency.py --store /tmp/big [--rounds 9]

The first expansion of a node can be slower than the rest (the store's pages are not yet in memory);
the median is the figure to compare with the target, the worst is shown for honesty.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

TARGET_MS = 200.0
PREFIXES = (
    "PREFIX prob: <https://w3id.org/probation-kg/def#> PREFIX org: <http://www.w3.org/ns/org#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
)
BUSIEST = PREFIXES + "SELECT ?x (COUNT(DISTINCT ?y) AS ?n) WHERE { %s } GROUP BY ?x ORDER BY DESC(?n) LIMIT 1"


@contextlib.contextmanager
def serving(store: Path, nice: int = 10) -> Iterator[str]:
    """``probkg serve`` on a free loopback port for the duration of the block; yields its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = ["nice", "-n", str(nice), sys.executable, "-m", "probkg.cli", "serve", "--store", str(store)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--timeout", "120", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise SystemExit(f"probkg serve exited with {proc.returncode}: {err.strip()[-300:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/explore", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("probkg serve did not answer within 120 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _sparql(client: httpx.Client, query: str) -> list[dict[str, Any]]:
    r = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return r.json()["results"]["bindings"]  # type: ignore[no-any-return]


def _busiest(client: httpx.Client, pattern: str) -> tuple[str, int]:
    row = _sparql(client, BUSIEST % pattern)[0]
    return row["x"]["value"], int(row["n"]["value"])


def measure(base: str, rounds: int = 9, out: Any = sys.stdout) -> list[dict[str, Any]]:
    """Time the explorer's requests against the server at ``base``; print a table; return its rows."""
    rows: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        t0 = time.perf_counter()
        client.get("/explore/api/search", params={"q": "probation"}).raise_for_status()
        print(f"full-text index in step (first search): {time.perf_counter() - t0:.1f} s", file=out)
        provider, n_findings = _busiest(client, "?y prob:aboutProvider ?x")
        owner, n_owned = _busiest(client, "?m a prob:Ownership ; org:member ?x ; org:organization ?y")
        theme, n_theme = _busiest(client, "?y prob:theme ?x")
        facets = client.get("/explore/api/facets").json()
        critical = next(p["id"] for p in facets["polarities"] if p["label"] == "critical")
        big = client.get("/explore/api/expand", params={"iri": provider, "limit": 2000}).json()
        inspection = next(n["id"] for n in big["nodes"] if n["kind"] == "Inspection")
        finding = next(n["id"] for n in big["nodes"] if n["kind"] == "Finding")
        year = next(n["date"] for n in big["nodes"] if n.get("date"))[:4]
        first = client.get("/explore/api/expand", params={"iri": theme, "limit": 300}).json()
        print(
            f"busiest provider: {big['total']} neighbours ({n_findings} findings); owner of {n_owned} "
            f"providers; theme of {n_theme} findings "
            f"(hub page: {first['shown']} shown, next {first['next']})",
            file=out,
        )
        cases: dict[str, tuple[str, dict[str, Any]]] = {
            "search 'London CRC'": ("/explore/api/search", {"q": "London CRC"}),
            "search 'MTC novo'": ("/explore/api/search", {"q": "MTC novo"}),
            "search quote words": ("/explore/api/search", {"q": "caseloads too high"}),
            "expand owner": ("/explore/api/expand", {"iri": owner, "limit": 300}),
            "expand busiest provider": ("/explore/api/expand", {"iri": provider, "limit": 300}),
            "expand provider, critical in a year": (
                "/explore/api/expand",
                {"iri": provider, "polarity": critical, "from": year, "to": year, "limit": 300},
            ),
            "expand inspection": ("/explore/api/expand", {"iri": inspection, "limit": 300}),
            "expand theme hub (first page)": ("/explore/api/expand", {"iri": theme, "limit": 300}),
            "expand theme hub, critical in a year": (
                "/explore/api/expand",
                {"iri": theme, "polarity": critical, "from": year, "to": year, "limit": 300},
            ),
            "expand theme hub, 'more' page": (
                "/explore/api/expand",
                {"iri": theme, "limit": 300, "offset": first["next"] or 0},
            ),
            "node details (finding)": ("/explore/api/node", {"iri": finding}),
            "timeline of a provider": ("/explore/api/timeline", {"provider": provider}),
        }
        print(
            f"{'request':40} {'median ms':>10} {'p95 ms':>8} {'worst ms':>9} {'median/200ms':>13}", file=out
        )
        for name, (path, params) in cases.items():
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                r = client.get(path, params=params)
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
            med = statistics.median(times)
            p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
            rows.append(
                {
                    "request": name,
                    "median_ms": round(med, 1),
                    "p95_ms": round(p95, 1),
                    "worst_ms": round(max(times), 1),
                    "ratio": round(med / TARGET_MS, 2),
                }
            )
            print(f"{name:40} {med:10.1f} {p95:8.1f} {max(times):9.1f} {med / TARGET_MS:13.2f}", file=out)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, type=Path, help="Oxigraph store directory")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--json", action="store_true", help="Print the rows as JSON as well.")
    args = ap.parse_args()
    with serving(args.store, args.nice) as base:
        rows = measure(base, args.rounds)
    print(f"load: {__import__('os').getloadavg()[0]:.1f} (1 min)")
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

"""Latency of the explorer's search and neighbourhood requests on a large store (target: <= 200 ms each).

Serves the store with uvicorn on loopback and times each request with an HTTP client, a few rounds per
request kind; prints the median and the worst time per kind and their ratio to the 200 ms target. The
full-text index is built (or brought in step) once before the timing, and that time is printed too.

    probkg synth --inspections 2500 -o /tmp/synth.nq
    probkg build --store /tmp/big && probkg load --store /tmp/big /tmp/synth.nq
    nice -n 10 python benchmarks/explorer_latency.py --store /tmp/big [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time

import httpx
import uvicorn
from starlette.applications import Starlette

from probkg.graph.store import OxigraphStore
from probkg.search import index_for

TARGET_MS = 200.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="Oxigraph store directory")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    store = OxigraphStore(args.store)
    print(f"store: {store.triple_count():,} quads")
    t0 = time.perf_counter()
    index = index_for(store)
    print(f"full-text index in step: {time.perf_counter() - t0:.1f} s ({index.size():,} entries)")

    # the busiest provider (most findings) and owner (most providers): the largest neighbourhoods
    busiest = (
        "PREFIX prob: <https://w3id.org/probation-kg/def#> PREFIX org: <http://www.w3.org/ns/org#> "
        "SELECT ?x (COUNT(DISTINCT ?y) AS ?n) WHERE { %s } GROUP BY ?x ORDER BY DESC(?n) LIMIT 1"
    )
    provider, n_findings = next(iter(store.query(busiest % "?y prob:aboutProvider ?x")))  # type: ignore[misc]
    owner, n_owned = next(
        iter(store.query(busiest % "?m a prob:Ownership ; org:member ?x ; org:organization ?y"))  # type: ignore[misc]
    )
    provider, owner = str(provider), str(owner)
    print(f"busiest provider {provider} ({n_findings} findings); owner {owner} ({n_owned} providers)")

    from probkg.server import explore, search

    app = Starlette(routes=[*search.routes(store), *explore.routes(store)])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            facets = client.get("/explore/api/facets").json()
            big = client.get("/explore/api/expand", params={"iri": provider, "limit": 2000}).json()
            kinds = sorted({n["kind"] for n in big["nodes"]})
            inspection = next(n["id"] for n in big["nodes"] if n["kind"] == "Inspection")
            hits = client.get("/search", params={"q": "inspectors", "kind": "finding", "limit": 1}).json()[
                "hits"
            ]
            finding = hits[0]["iri"] if hits else inspection
            critical = next(p["id"] for p in facets["polarities"] if p["label"] == "critical")
            year = (next(n["date"] for n in big["nodes"] if n.get("date")))[:4]
            print(f"provider {provider}: {big['total']:,} neighbours ({', '.join(kinds)})")
            cases = {
                "search 'London CRC'": ("/search", {"q": "London CRC"}),
                "search 'MTC novo'": ("/explore/api/search", {"q": "MTC novo"}),
                "search quote words": ("/search", {"q": "caseloads too high", "kind": "finding"}),
                "expand owner": ("/explore/api/expand", {"iri": owner}),
                "expand provider (200 of all)": ("/explore/api/expand", {"iri": provider}),
                "expand provider, critical in a year": (
                    "/explore/api/expand",
                    {"iri": provider, "polarity": critical, "from": year, "to": year},
                ),
                "expand inspection": ("/explore/api/expand", {"iri": inspection}),
                "node details (finding)": ("/explore/api/node", {"iri": finding}),
                "timeline of a provider": ("/explore/api/timeline", {"provider": provider}),
            }
            print(f"{'request':40} {'median ms':>10} {'worst ms':>9} {'median/200ms':>13}")
            for name, (path, params) in cases.items():
                times = []
                for _ in range(args.rounds):
                    t = time.perf_counter()
                    r = client.get(path, params=params)
                    times.append((time.perf_counter() - t) * 1000)
                    r.raise_for_status()
                med = statistics.median(times)
                print(f"{name:40} {med:10.1f} {max(times):9.1f} {med / TARGET_MS:13.2f}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        store.close()


if __name__ == "__main__":
    main()

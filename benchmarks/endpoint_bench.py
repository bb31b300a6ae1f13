"""Endpoint benchmark: ``probkg serve`` against ``oxigraph serve-read-only`` on the same data, one run.

For each size (default 10k and 1M quads from ``probkg synth``) the data is bulk-loaded once into an
Oxigraph directory and copied, so both servers read identical stores (the union default graph on both:
probkg by design, Oxigraph with ``--union-default-graph``). Both are started as separate processes on
loopback. A bounded load of 16 concurrent keep-alive clients (asyncio, raw HTTP/1.1, POST
``application/sparql-query``, ``Accept: application/sparql-results+json``) runs each query for a fixed
time against each server in turn, several rounds, and the medians are printed:

- ``LIMIT 10``            ``SELECT * WHERE { ?s ?p ?o } LIMIT 10``
- ``criticised-by-owner`` the named query bound to the owner with most providers, as plain SPARQL

A third server, ``floor`` (``benchmarks/asgi_floor.py``), is a bare ASGI app on uvicorn that runs each
query in-process with none of the endpoint's safeguards: the most any Python HTTP layer can do here.

Columns: requests/s, p50 and p99 latency (ms), errors (non-200 or broken connection), and the ratios
probkg/oxigraph (targets: req/s >= 0.8x, p99 <= 2x, zero errors).

    nice -n 10 python benchmarks/endpoint_bench.py                       # 10k and 1M (about 5 minutes)
    nice -n 10 python benchmarks/endpoint_bench.py --sizes 10000 --seconds 3 --rounds 1   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CONCURRENCY = 16
LIMIT10 = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(port: int, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


async def _client(port: int, body: bytes, stop: float, lat: list[float], errors: list[int]) -> None:
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        f"Accept: application/sparql-results+json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    reader = writer = None
    while time.monotonic() < stop:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            t0 = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            status = int(status_line.split()[1])
            length, chunked = None, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode("latin-1").partition(":")
                if k.lower() == "content-length":
                    length = int(v)
                elif k.lower() == "transfer-encoding" and "chunked" in v.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readline()).split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length is not None:
                await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            errors.append(0)
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _load(port: int, query: str, seconds: float) -> dict[str, float]:
    lat: list[float] = []
    errors: list[int] = []
    stop = time.monotonic() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(port, query.encode(), stop, lat, errors) for _ in range(CONCURRENCY)))
    wall = time.perf_counter() - t0
    lat.sort()
    pick = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000) if lat else (lambda q: float("nan"))
    return {"rps": len(lat) / wall, "p50": pick(0.5), "p99": pick(0.99), "errors": float(len(errors))}


def _prepare(size: int, work: Path) -> tuple[Path, Path, str]:
    import pyoxigraph as ox

    from probkg.graph.store import OxigraphStore
    from probkg.queries.runner import bind
    from probkg.synth import inspections_for, write_synth

    nq = work / f"synth-{size}.nq"
    write_synth(str(nq), inspections_for(size), seed=0)
    a, b = work / f"probkg-{size}", work / f"oxigraph-{size}"
    st = ox.Store(str(a))
    st.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    st.flush()
    del st
    shutil.copytree(a, b)
    store = OxigraphStore(a)
    try:
        from probkg.queries.runner import run_named

        top = run_named(store, "owners-by-size", {})
        owner = str(top.rows[0][0]) if top.rows else ""
        text = bind("criticised-by-owner", {"owner": owner}, store)
    finally:
        store.close()
    from probkg.ontology.namespaces import PREFIXES

    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    return a, b, prologue + text


def _start(kind: str, location: Path, port: int, timeout: float) -> subprocess.Popen[bytes]:
    if kind == "probkg":
        exe = shutil.which("probkg") or str(Path(sys.executable).with_name("probkg"))
        cmd = [exe, "serve", "--store", str(location), "--port", str(port), "-q"]
        cmd += ["--timeout", str(timeout)]
    elif kind == "floor":
        cmd = [sys.executable, str(Path(__file__).with_name("asgi_floor.py")), str(location), str(port)]
    else:
        exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        cmd = [exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        cmd += ["--union-default-graph"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,1000000", help="quad counts, comma-separated")
    ap.add_argument("--seconds", type=float, default=5.0, help="load time per measurement")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per query and server (median)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="endpoint-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"preparing {size:,} quads ...", file=sys.stderr)
            a, b, crit = _prepare(size, Path(tmp))
            procs: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
            try:
                for kind, loc in (("probkg", a), ("oxigraph", b), ("floor", b)):
                    port = _free_port()
                    procs[kind] = (_start(kind, loc, port, 30.0), port)
                for proc, port in procs.values():
                    _wait_http(port, proc)
                for qname, query in (("LIMIT 10", LIMIT10), ("criticised-by-owner", crit)):
                    runs: dict[str, list[dict[str, float]]] = {k: [] for k in procs}
                    for _ in range(args.rounds):
                        for kind in procs:
                            asyncio.run(_load(procs[kind][1], query, min(1.0, args.seconds)))  # warm
                            runs[kind].append(asyncio.run(_load(procs[kind][1], query, args.seconds)))
                    row: dict[str, Any] = {"size": size, "query": qname}
                    for kind, rs in runs.items():
                        for key in ("rps", "p50", "p99"):
                            row[f"{kind}_{key}"] = statistics.median(r[key] for r in rs)
                        row[f"{kind}_errors"] = int(sum(r["errors"] for r in rs))
                    results.append(row)
                    print(f"  {qname}: done", file=sys.stderr)
            finally:
                for proc, _ in procs.values():
                    proc.terminate()
                    try:
                        proc.wait(30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
    header = (
        f"{'quads':>9} {'query':<20} {'probkg r/s':>10} {'oxigraph r/s':>12} {'ratio':>6} "
        f"{'p99 probkg':>10} {'p99 ox':>8} {'p99 ratio':>9} {'errors p/o':>10} "
        f"{'floor r/s':>9} {'floor ratio':>11}"
    )
    print(f"{CONCURRENCY} concurrent clients, loopback, medians of {args.rounds} x {args.seconds:g} s")
    print("floor: a bare in-process ASGI app on uvicorn (benchmarks/asgi_floor.py), no safeguards")
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['size']:>9,} {r['query']:<20} {r['probkg_rps']:>10.0f} {r['oxigraph_rps']:>12.0f} "
            f"{r['probkg_rps'] / r['oxigraph_rps']:>5.2f}x "
            f"{r['probkg_p99']:>8.1f}ms {r['oxigraph_p99']:>6.1f}ms "
            f"{r['probkg_p99'] / r['oxigraph_p99']:>8.2f}x {r['probkg_errors']:>5}/{r['oxigraph_errors']:<4} "
            f"{r['floor_rps']:>9.0f} {r['floor_rps'] / r['oxigraph_rps']:>10.2f}x"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

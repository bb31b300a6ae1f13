"""Query workers: separate processes that run SPARQL against the store, opened read-only.

Each worker is a spawned process that first takes the network away from itself
(:func:`probkg.server.sandbox.deny_network`), then opens the Oxigraph store read-only and answers one
request at a time over a pipe, streaming the serialised answer in chunks. Because the engine runs in
another process, a query can really be stopped: on timeout or when the client goes away the server kills
the worker and starts a fresh one; a query that crashes the engine (deep recursion in its parser) takes
down only that worker. Memory used by a killed query goes back to the system with the process.

Messages from a worker: ``("ready",)`` once, then per request ``("error", status, message)`` or
``("whole", media, body, rows, truncated)`` for an answer smaller than one chunk, or
``("head", media, kind)`` followed by ``("data", bytes)``... and ``("end", rows, truncated)`` (or
``("fail", message)`` when evaluation fails after the head was sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["QueryRequest", "Worker", "WorkerPool"]

CHUNK = 64 * 1024
_NO_NETWORK = "SERVICE and LOAD are not allowed: this endpoint never connects to other hosts"


@dataclass
class QueryRequest:
    """What a worker needs to run one query."""

    query: str
    accept: str | None = None
    fmt: str | None = None
    base_iri: str | None = None
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    union: bool = True
    max_rows: int = 1_000_000
    prefixes: dict[str, str] = field(default_factory=dict)


class _ChunkWriter:
    """Collects the serialised answer; the head goes out with the first full chunk, or together with a
    small answer in one ``("whole", media, body, rows, truncated)`` message (one pipe round trip)."""

    def __init__(self, conn: Connection, media: str, kind: str) -> None:
        self.conn = conn
        self.media, self.kind = media, kind
        self.parts: list[bytes] = []
        self.size = 0
        self.head_sent = False

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if not self.head_sent:
            self.conn.send(("head", self.media, self.kind))
            self.head_sent = True
        if self.parts:
            self.conn.send(("data", b"".join(self.parts)))
            self.parts, self.size = [], 0

    def finish(self, rows: int, truncated: bool) -> None:
        if not self.head_sent:
            self.conn.send(("whole", self.media, b"".join(self.parts), rows, truncated))
            return
        self.flush()
        self.conn.send(("end", rows, truncated))

    def fail(self, message: str) -> None:
        if not self.head_sent:
            self.conn.send(("error", 500, f"evaluation failed: {message}"))
            return
        self.flush()
        self.conn.send(("fail", message))


def _graph_arg(ox: Any, iris: list[str] | None) -> Any:
    if iris is None:
        return None
    return [ox.DefaultGraph() if i == "" else ox.NamedNode(i) for i in iris]


def _run_one(ox: Any, store: Any, req: QueryRequest, conn: Connection) -> None:
    from probkg.server.formats import NQUADS, TRIG, choose, write_boolean, write_solutions

    kwargs: dict[str, Any] = {"prefixes": req.prefixes, "base_iri": req.base_iri}
    if req.default_graph is not None or req.named_graphs is not None:
        kwargs["default_graph"] = _graph_arg(ox, req.default_graph) or []
        kwargs["named_graphs"] = _graph_arg(ox, req.named_graphs) or []
    else:
        kwargs["use_default_graph_as_union"] = req.union
    try:
        answer = store.query(req.query, **kwargs)
    except PermissionError:
        conn.send(("error", 403, _NO_NETWORK))
        return
    except SyntaxError as exc:
        conn.send(("error", 400, f"SPARQL syntax error: {' '.join(str(exc).split())}"))
        return
    except (OSError, ValueError, TypeError) as exc:
        conn.send(("error", 400, f"query failed: {' '.join(str(exc).split())}"))
        return
    if isinstance(answer, ox.QueryBoolean):
        kind = "boolean"
    elif isinstance(answer, ox.QuerySolutions):
        kind = "solutions"
    else:
        kind = "graph"
    media = choose(kind, req.accept, req.fmt)
    if media is None:
        conn.send(("error", 406, f"no acceptable format for a {kind} answer (Accept: {req.accept})"))
        return
    # evaluate up to the first answer before the head, so that errors and timeouts get a status code
    it = iter(answer) if kind != "boolean" else iter(())
    try:
        first = list(itertools.islice(it, 1))
    except PermissionError:
        conn.send(("error", 403, _NO_NETWORK))
        return
    except (OSError, ValueError, TypeError, SyntaxError) as exc:
        conn.send(("error", 400, f"query failed: {' '.join(str(exc).split())}"))
        return
    writer = _ChunkWriter(conn, media, kind)
    try:
        if kind == "boolean":
            write_boolean(bool(answer), media, writer.write)
            rows, truncated = 1, False
        elif kind == "solutions":
            variables = [v.value for v in answer.variables]
            rows, truncated = write_solutions(
                variables, itertools.chain(first, it), media, writer.write, req.max_rows
            )
        else:
            counted = _Counter(itertools.chain(first, it), req.max_rows)
            items: Iterator[Any] = iter(counted)
            if media in (NQUADS, TRIG):
                items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in counted)
            fmt = {m.media_type: m for m in _rdf_formats(ox)}[media]
            ox.serialize(items, writer, fmt)
            rows, truncated = counted.n, counted.truncated
    except (OSError, ValueError, TypeError, SyntaxError) as exc:
        writer.fail(" ".join(str(exc).split()))
        return
    writer.finish(rows, truncated)


def _rdf_formats(ox: Any) -> list[Any]:
    f = ox.RdfFormat
    return [f.TURTLE, f.N_TRIPLES, f.N_QUADS, f.TRIG, f.RDF_XML, f.JSON_LD]


class _Counter:
    def __init__(self, items: Iterator[Any], limit: int) -> None:
        self.items, self.limit, self.n, self.truncated = items, limit, 0, False

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if self.n >= self.limit:
                self.truncated = True
                return
            self.n += 1
            yield item


def worker_main(path: str, conn: Connection) -> None:
    """Entry point of a worker process (module level so that ``spawn`` can find it)."""
    from probkg.server.sandbox import deny_network

    deny_network()
    import pyoxigraph as ox

    store = ox.Store.read_only(path)
    conn.send(("ready",))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        _run_one(ox, store, req, conn)


class WorkerDied(RuntimeError):
    """The worker process ended while answering (killed, or the engine crashed)."""


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, path: str, generation: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=worker_main, args=(path, child), daemon=True)
        self.process.start()
        child.close()
        self.generation = generation
        self.clean = True

    def wait_ready(self, timeout: float = 60.0) -> None:
        if not self.conn.poll(timeout):
            raise WorkerDied("query worker did not start")
        msg = self.conn.recv()
        if msg != ("ready",):
            raise WorkerDied(f"query worker failed to start: {msg!r}")

    def send(self, req: QueryRequest) -> None:
        self.clean = False
        self.conn.send(req)

    async def recv(self, timeout: float | None) -> Any:
        """The next message, waiting at most ``timeout`` seconds (``TimeoutError`` after that)."""
        if not self.conn.poll():
            loop = asyncio.get_running_loop()
            ready: asyncio.Future[None] = loop.create_future()
            fd = self.conn.fileno()

            def wake() -> None:
                if not ready.done():
                    ready.set_result(None)

            loop.add_reader(fd, wake)
            try:
                await asyncio.wait_for(ready, timeout)
            finally:
                loop.remove_reader(fd)
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied("the query stopped the engine") from exc

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """A fixed number of workers; a request borrows one, a killed or stale worker is replaced."""

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = max(1, size)
        self.generation = 0
        self._idle: asyncio.Queue[Worker] | None = None
        self._all: set[Worker] = set()
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        workers = [self._spawn() for _ in range(self.size)]
        await asyncio.gather(*(asyncio.to_thread(w.wait_ready) for w in workers))
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn(self) -> Worker:
        w = Worker(self.path, self.generation)
        with self._lock:
            self._all.add(w)
        return w

    async def acquire(self) -> Worker:
        assert self._idle is not None, "pool not started"
        return await self._idle.get()

    def release(self, worker: Worker) -> None:
        """Give a worker back; one that did not finish cleanly or is stale is killed and replaced."""
        if worker.clean and worker.generation == self.generation and worker.process.is_alive():
            assert self._idle is not None
            self._idle.put_nowait(worker)
            return
        self._discard(worker)
        asyncio.get_running_loop().create_task(self._replace())

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    async def _replace(self) -> None:
        w = self._spawn()
        try:
            await asyncio.to_thread(w.wait_ready)
        except WorkerDied:
            self._discard(w)
            await asyncio.sleep(1.0)
            asyncio.get_running_loop().create_task(self._replace())
            return
        assert self._idle is not None
        self._idle.put_nowait(w)

    def refresh(self) -> None:
        """The store changed: idle workers are replaced now, busy ones when they come back."""
        self.generation += 1
        assert self._idle is not None
        stale = []
        while not self._idle.empty():
            stale.append(self._idle.get_nowait())
        for w in stale:
            self.release(w)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()

"""The probkg HTTP endpoint: a Starlette (ASGI) application served by uvicorn.

Routes (all answers to errors are JSON ``{"error": message, "status": code}``):

* ``/sparql`` and ``/sparql/``: the SPARQL 1.1 Protocol. GET ``?query=``, POST form or
  ``application/sparql-query``; ``default-graph-uri``/``named-graph-uri`` honoured; answers stream in
  SPARQL JSON/XML/CSV/TSV or Turtle/N-Triples/N-Quads/TriG/RDF/XML/JSON-LD by ``Accept`` or by the
  ``format``/``output`` parameters. GET without a query gives the SPARQL 1.1 Service Description with
  VoID statistics (computed once per store change, never per request). HEAD checks the request
  without running the query. Updates (form ``update=`` or ``application/sparql-update``) only when the
  app was made with ``allow_update`` and the request carries ``Authorization: Bearer <token>``.
* ``/store?graph=IRI`` (or ``?default``): read-only Graph Store Protocol.
* ``/queries`` (catalogue), ``/queries/openapi.json`` (OpenAPI 3 description), ``/queries/NAME``.
* ``/``: the query page (``endpoint.html``).
* Feature routes of :mod:`probkg.server.search`, :mod:`probkg.server.explore` and
  :mod:`probkg.server.linked_data` when those modules exist.

Queries are handed to Oxigraph as they come (no second SPARQL parser) and run in worker processes
(:mod:`probkg.server.workers`) that have no network (:mod:`probkg.server.sandbox`), so SERVICE and LOAD
can never reach another host; they are killed on timeout or when the client leaves. Before a query
reaches the engine its size, bracket nesting and operator count are checked (413/400) because deep
expressions overflow the engine parser's stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import importlib
import json
import logging
import os
import re
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from probkg.errors import InputError, ProbkgError, QueryError
from probkg.formats import BY_MEDIA_TYPE
from probkg.graph.base import Store
from probkg.server import formats
from probkg.server.workers import QueryRequest, WorkerDied, WorkerPool

__all__ = ["FEATURE_MODULES", "create_app", "serve"]

FEATURE_MODULES: tuple[str, ...] = (
    "probkg.server.search",
    "probkg.server.explore",
    "probkg.server.linked_data",
)
"""Modules whose ``routes(store)`` are mounted when they can be imported."""

MAX_QUERY_BYTES = 256 * 1024
MAX_NESTING = 100
MAX_OPERATORS = 1000

access_log = logging.getLogger("probkg.access")

_NOISE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*'
    r"|<[^<>\"{}|^`\\\s]*>"
)
_NAMES = re.compile(r"[A-Za-z_?$][\w.\-:]*")


class Refused(ProbkgError):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}
        super().__init__(message)


def check_limits(text: str) -> None:
    """Refuse what the engine cannot parse safely: too long (413), too deep or too many operators (400)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise Refused(413, f"query longer than {MAX_QUERY_BYTES} bytes")
    bare = _NAMES.sub(" ", _NOISE.sub(" ", text))
    depth = deepest = 0
    for ch in bare:
        if ch in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")}]":
            depth -= 1
    if deepest > MAX_NESTING:
        raise Refused(400, f"query nests brackets {deepest} deep; the limit is {MAX_NESTING}")
    ops = sum(bare.count(c) for c in "+-*/|&=<>!")
    if ops > MAX_OPERATORS:
        raise Refused(400, f"query has {ops} operators; the limit is {MAX_OPERATORS}")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


class _Stats:
    """VoID statistics of the store, computed once per store change (in a thread, never per request)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.generation = 0
        self._cached: tuple[int, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self.generation += 1

    def get(self) -> dict[str, int]:
        with self._lock:
            if self._cached is None or self._cached[0] != self.generation:
                gen = self.generation
                self._cached = (gen, dict(self.store.graph_sizes()))
            return self._cached[1]


class _AccessLog:
    """ASGI middleware writing one JSON line per request to the ``probkg.access`` logger."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        info: dict[str, Any] = {"status": 0, "bytes": 0}
        state: dict[str, Any] = {}
        scope["probkg.log"] = state

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                info["status"] = message["status"]
            elif message["type"] == "http.response.body":
                info["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            record = {
                "method": scope["method"],
                "path": scope["path"],
                "status": info["status"],
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "bytes": info["bytes"],
                "query_hash": state.get("query_hash"),
                "client": (scope.get("client") or ("", 0))[0],
            }
            if state.get("detail"):
                record["detail"] = state["detail"]
            access_log.info(json.dumps(record))


def _store_path(store: Store) -> str:
    if getattr(store, "kind", None) != "oxigraph" or not hasattr(store, "location"):
        raise InputError(
            f"the endpoint serves an Oxigraph store on disk (--store DIR), not a {store.kind} store"
        )
    return str(store.location)


def create_app(
    store: Store,
    *,
    allow_update: bool = False,
    token: str | None = None,
    timeout: float = 30.0,
    max_rows: int = 1_000_000,
    workers: int = 4,
    features: Iterable[str] = FEATURE_MODULES,
) -> Starlette:
    """The ASGI application serving ``store`` (an Oxigraph store on disk).

    ``allow_update`` needs a ``token``: updates must then carry ``Authorization: Bearer <token>``.
    ``timeout`` (seconds) bounds each query, ``max_rows`` each answer; ``workers`` query processes run
    at once (more requests wait for a free one).
    """
    from probkg.ontology.namespaces import PREFIXES

    path = _store_path(store)
    if allow_update and not token:
        raise InputError("--allow-update needs a token: set PROBKG_TOKEN to a secret clients send as Bearer")
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    pool = WorkerPool(path, workers)
    stats = _Stats(store)
    updater = ThreadPoolExecutor(
        max_workers=1, initializer=_sandbox_update_thread, thread_name_prefix="update"
    )

    async def run_query(
        request: Request, req: QueryRequest, headers: dict[str, str] | None = None
    ) -> Response:
        """Hand ``req`` to a worker; stream its answer (or an error) back."""
        _log(request)["query_hash"] = hashlib.sha256(req.query.encode()).hexdigest()[:16]
        req.max_rows, req.prefixes = min(req.max_rows, max_rows), prefixes
        deadline = time.monotonic() + timeout
        watcher = asyncio.ensure_future(_disconnected(request))
        worker = None
        try:
            acquire = asyncio.ensure_future(pool.acquire())
            done, _ = await asyncio.wait(
                {acquire, watcher}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if acquire not in done:
                acquire.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    w = await acquire
                    pool.release(w)
                if watcher in done:
                    return _error(499, "client went away")
                return _error(503, f"all query workers busy for {timeout:g} s; try again later")
            worker = acquire.result()
            worker.send(req)
            first = asyncio.ensure_future(worker.recv(max(0.0, deadline - time.monotonic())))
            done, _ = await asyncio.wait({first, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if first not in done:
                first.cancel()
                _log(request)["detail"] = "client disconnected; query killed"
                return _error(499, "client went away")
            try:
                msg = first.result()
            except TimeoutError:
                _log(request)["detail"] = "timeout; query killed"
                return _error(503, f"query stopped: it ran longer than the {timeout:g} s limit")
            except WorkerDied as exc:
                _log(request)["detail"] = str(exc)
                return _error(400, f"query could not be evaluated: {exc}")
            if msg[0] == "error":
                worker.clean = True
                _log(request)["detail"] = msg[2]
                return _error(msg[1], msg[2])
            hdrs = {"Vary": "Accept", "X-Max-Rows": str(req.max_rows), **(headers or {})}
            if msg[0] == "whole":
                worker.clean = True
                _, media, body, rows, truncated = msg
                if truncated:
                    _log(request)["detail"] = f"answer cut at {rows} rows"
                return Response(body, media_type=formats.content_type(media), headers=hdrs)
            _, media, _kind = msg
            streamer = _stream(worker, deadline, request)
            worker = None  # the stream releases it
            return StreamingResponse(streamer, media_type=formats.content_type(media), headers=hdrs)
        finally:
            watcher.cancel()
            if worker is not None:
                pool.release(worker)

    async def _stream(worker: Any, deadline: float, request: Request) -> AsyncIterator[bytes]:
        try:
            while True:
                try:
                    msg = await worker.recv(max(0.0, deadline - time.monotonic()))
                except TimeoutError:
                    _log(request)["detail"] = "timeout while streaming; answer cut"
                    return
                except WorkerDied:
                    return
                if msg[0] == "data":
                    yield msg[1]
                    continue
                worker.clean = True
                if msg[0] == "end" and msg[2]:
                    _log(request)["detail"] = f"answer cut at {msg[1]} rows"
                elif msg[0] == "fail":
                    _log(request)["detail"] = f"evaluation failed: {msg[1]}"
                return
        finally:
            pool.release(worker)

    # ---- /sparql --------------------------------------------------------------------------
    async def sparql(request: Request) -> Response:
        try:
            params = await _protocol_params(request)
            queries, updates = params.get("query", []), params.get("update", [])
            if request.method == "POST" and params.get("_body_kind") == ["update"]:
                updates, queries = params.get("_body", []), []
            elif request.method == "POST" and params.get("_body_kind") == ["query"]:
                queries = params.get("_body", [])
            if queries and updates:
                raise Refused(400, "give either 'query' or 'update', not both")
            if len(queries) > 1 or len(updates) > 1:
                raise Refused(400, "more than one query given")
            if updates:
                if request.method != "POST":
                    raise Refused(400, "SPARQL Update must be sent with POST")
                return await update(request, updates[0], params)
            if not queries:
                if request.method == "POST":
                    raise Refused(400, "missing 'query' parameter")
                return await service_description(request)
            text = queries[0]
            if not text.strip():
                raise Refused(400, "empty query")
            check_limits(text)
            fmt_values = params.get("format") or params.get("output") or []
            fmt = fmt_values[0] if fmt_values else None
            if request.method == "HEAD":
                media = formats.choose("solutions", request.headers.get("accept"), fmt) or formats.choose(
                    "graph", request.headers.get("accept"), fmt
                )
                if media is None:
                    raise Refused(406, "no acceptable format")
                return Response(status_code=200, media_type=formats.content_type(media))
            dg = params.get("default-graph-uri")
            ng = params.get("named-graph-uri")
            from probkg.graph.store import _has_dataset_clause

            req = QueryRequest(
                query=text,
                accept=request.headers.get("accept"),
                fmt=fmt,
                base_iri=str(request.url.replace(query="")),
                default_graph=dg if dg or ng else None,
                named_graphs=ng if dg or ng else None,
                union=not _has_dataset_clause(text),
            )
            return await run_query(request, req)
        except Refused as exc:
            _log(request)["detail"] = exc.message
            return _error(exc.status, exc.message, exc.headers)

    async def update(request: Request, text: str, params: dict[str, list[str]]) -> Response:
        _log(request)["query_hash"] = hashlib.sha256(text.encode()).hexdigest()[:16]
        if not allow_update:
            raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            raise Refused(
                400, "using-graph-uri/using-named-graph-uri are not supported; write USING in the update"
            )
        auth = request.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise Refused(
                401, "SPARQL Update needs Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
            )
        given = auth[7:].strip().encode()
        if not hmac.compare_digest(given, (token or "").encode()):
            raise Refused(403, "wrong token")
        check_limits(text)
        loop = asyncio.get_running_loop()
        engine = store._store  # type: ignore[attr-defined]
        base = str(request.url.replace(query=""))
        try:
            await loop.run_in_executor(updater, lambda: engine.update(text, base_iri=base, prefixes=prefixes))
        except PermissionError:
            raise Refused(403, "LOAD is not allowed: this endpoint never fetches other URLs") from None
        except SyntaxError as exc:
            raise Refused(400, f"SPARQL Update syntax error: {' '.join(str(exc).split())}") from None
        except OSError as exc:
            raise Refused(500, f"update failed: {' '.join(str(exc).split())}") from None
        stats.invalidate()
        pool.refresh()
        return Response(status_code=204)

    async def service_description(request: Request) -> Response:
        sizes = await asyncio.to_thread(stats.get)
        media = formats.negotiate(
            request.headers.get("accept"), (formats.TURTLE, formats.RDFXML, formats.JSONLD, formats.NTRIPLES)
        )
        if media is None:
            media = formats.TURTLE
        body = _service_description(str(request.url.replace(query="")), sizes, media, allow_update)
        return Response(body, media_type=formats.content_type(media), headers={"Vary": "Accept"})

    # ---- /store (Graph Store Protocol, read only) ---------------------------------------------
    async def graph_store(request: Request) -> Response:
        qp = request.query_params
        if ("graph" in qp and "default" in qp) or ("graph" not in qp and "default" not in qp):
            return _error(400, "give exactly one of ?graph=IRI and ?default")
        if "default" in qp:
            text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
            req = QueryRequest(
                query=text, accept=request.headers.get("accept"), default_graph=[""], named_graphs=[]
            )
        else:
            iri = qp["graph"]
            sizes = await asyncio.to_thread(stats.get)
            if iri not in sizes:
                return _error(404, f"no graph {iri} in the store")
            if request.method == "HEAD":
                media = formats.choose("graph", request.headers.get("accept"), None)
                if media is None:
                    return _error(406, "no acceptable RDF format")
                return Response(status_code=200, media_type=formats.content_type(media))
            req = QueryRequest(
                query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                accept=request.headers.get("accept"),
                default_graph=[iri],
                named_graphs=[],
            )
        req.max_rows = max_rows
        return await run_query(request, req)

    # ---- named queries --------------------------------------------------------------------------
    async def catalogue(request: Request) -> Response:
        return JSONResponse(_catalogue())

    async def openapi(request: Request) -> Response:
        return JSONResponse(_openapi(str(request.base_url).rstrip("/")))

    async def named(request: Request) -> Response:
        from probkg.queries.catalogue import get
        from probkg.queries.runner import bind

        name = request.path_params["name"]
        try:
            q = get(name)
        except QueryError as exc:
            return _error(404, str(exc))
        params: dict[str, str] = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            if key in ("format", "output") and q.parameter(key) is None:
                continue
            if len(values) > 1:
                return _error(400, f"parameter {key!r} given {len(values)} times")
            params[key] = values[0]
        try:
            text = await asyncio.to_thread(bind, q, params, store)
        except QueryError as exc:
            return _error(400, str(exc))
        fmt = (
            None
            if q.parameter("format")
            else (request.query_params.get("format") or request.query_params.get("output"))
        )
        from probkg.graph.store import _has_dataset_clause

        req = QueryRequest(
            query=text, accept=request.headers.get("accept"), fmt=fmt, union=not _has_dataset_clause(text)
        )
        return await run_query(request, req)

    async def index(request: Request) -> Response:
        page = resources.files("probkg.server").joinpath("endpoint.html").read_bytes()
        return Response(page, media_type="text/html; charset=utf-8")

    routes: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/sparql/", sparql, methods=["GET", "POST"]),
        Route("/store", graph_store, methods=["GET"]),
        Route("/queries", catalogue, methods=["GET"]),
        Route("/queries/", catalogue, methods=["GET"]),
        Route("/queries/openapi.json", openapi, methods=["GET"]),
        Route("/queries/{name}", named, methods=["GET"]),
    ]
    for module_name in features:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        routes.extend(module.routes(store))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, exc.detail or "error", dict(exc.headers or {}))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await pool.start()
        threading.Thread(target=stats.get, daemon=True).start()
        try:
            yield
        finally:
            pool.close()
            updater.shutdown(wait=False)

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(_AccessLog),
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                allow_headers=["Content-Type", "Accept", "Authorization"],
                max_age=600,
            ),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.stats = stats
    return app


def _sandbox_update_thread() -> None:
    from probkg.server.sandbox import deny_network

    deny_network()


def _log(request: Request) -> dict[str, Any]:
    """The access-log record of this request (filled by handlers, written by :class:`_AccessLog`)."""
    return request.scope.setdefault("probkg.log", {})


async def _disconnected(request: Request) -> None:
    """Return when the client has gone away."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def _protocol_params(request: Request) -> dict[str, list[str]]:
    """Protocol parameters from the URL and, for POST, from the body (form or direct)."""
    params: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(request.url.query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Refused(400, "URL parameters are not UTF-8") from None
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_QUERY_BYTES * 4:
        raise Refused(413, f"request body larger than {MAX_QUERY_BYTES * 4} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"request body is not UTF-8 (byte {exc.start})") from None
    if ctype == "application/x-www-form-urlencoded":
        try:
            form = parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise Refused(400, "form parameters are not UTF-8") from None
        for key, value in form:
            params.setdefault(key, []).append(value)
    elif ctype == "application/sparql-query":
        if "query" in params:
            raise Refused(400, "query given both in the URL and in the body")
        params["_body_kind"], params["_body"] = ["query"], [text]
    elif ctype == "application/sparql-update":
        params["_body_kind"], params["_body"] = ["update"], [text]
    else:
        raise Refused(
            415,
            f"unsupported content type {ctype or '(none)'}; use application/sparql-query, "
            "application/sparql-update or application/x-www-form-urlencoded",
        )
    return params


def _catalogue() -> list[dict[str, Any]]:
    from probkg.queries.catalogue import catalogue

    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "example": q.example,
            "key": q.key,
            "url": f"/queries/{q.name}",
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "description": p.description,
                }
                for p in q.parameters
            ],
        }
        for q in catalogue()
    ]


def _openapi(server: str) -> dict[str, Any]:
    """OpenAPI 3.0 description of the named queries (one GET operation each)."""
    paths: dict[str, Any] = {}
    result_types = {
        m: {"schema": {"type": "string" if m != formats.SPARQL_JSON else "object"}}
        for m in (formats.SPARQL_JSON, formats.SPARQL_XML, formats.CSV, formats.TSV)
    }
    for q in _catalogue():
        paths[q["url"]] = {
            "get": {
                "operationId": q["name"],
                "summary": q["title"],
                "description": q["description"],
                "parameters": [
                    {
                        "name": p["name"],
                        "in": "query",
                        "required": bool(p["required"]),
                        "description": p["description"],
                        "schema": {"type": "string", **({"default": p["default"]} if p["default"] else {})},
                    }
                    for p in q["parameters"]
                ],
                "responses": {
                    "200": {"description": "query answer", "content": result_types},
                    "400": {"description": "bad parameter"},
                    "503": {"description": "time limit reached"},
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "probkg named queries", "version": "1"},
        "servers": [{"url": server}],
        "paths": paths,
    }


def _service_description(endpoint: str, sizes: dict[str, int], media: str, allow_update: bool) -> bytes:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF, XSD

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    void = Namespace("http://rdfs.org/ns/void#")
    g = Graph()
    g.bind("sd", sd)
    g.bind("void", void)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, sd.Service))
    g.add((svc, sd.endpoint, svc))
    g.add((svc, sd.supportedLanguage, sd.SPARQL11Query))
    if allow_update:
        g.add((svc, sd.supportedLanguage, sd.SPARQL11Update))
    g.add((svc, sd.feature, sd.UnionDefaultGraph))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"):
        g.add((svc, sd.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{fmt}")))
    for fmt in ("Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"):
        g.add((svc, sd.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{fmt}")))
    dataset, default = BNode(), BNode()
    g.add((svc, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    g.add((default, void.triples, Literal(sum(sizes.values()), datatype=XSD.integer)))
    for iri, n in sorted(sizes.items()):
        ng, graph = BNode(), BNode()
        g.add((dataset, sd.namedGraph, ng))
        g.add((ng, sd.name, URIRef(iri)))
        g.add((ng, sd.graph, graph))
        g.add((graph, RDF.type, sd.Graph))
        g.add((graph, void.triples, Literal(n, datatype=XSD.integer)))
    data = g.serialize(format=BY_MEDIA_TYPE[media].rdflib)
    return data.encode("utf-8") if isinstance(data, str) else data


def serve(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    quiet: bool = False,
    on_ready: Callable[[str], None] | None = None,
    **options: Any,
) -> None:
    """Serve ``store`` with uvicorn until SIGINT/SIGTERM (in-flight requests are finished first)."""
    import uvicorn

    app = create_app(store, **options)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.handlers[:] = [handler]
    access_log.setLevel(logging.WARNING if quiet else logging.INFO)
    access_log.propagate = False
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        backlog=2048,
        timeout_graceful_shutdown=int(options.get("timeout", 30.0)) + 5,
        lifespan="on",
    )

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:  # SIGINT/SIGTERM: finish in-flight requests, exit 0
            yield

    server = _Server(config)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        task = asyncio.ensure_future(server.serve())
        while not server.started and not task.done():
            await asyncio.sleep(0.05)
        if server.started and on_ready is not None:
            sock = server.servers[0].sockets[0]
            bound = sock.getsockname()
            h = bound[0] if ":" not in str(bound[0]) else f"[{bound[0]}]"
            on_ready(f"http://{h}:{bound[1]}/")
        await task

    asyncio.run(main())
    if not server.started:
        raise OSError(f"cannot listen on {host}:{port}")


if os.environ.get("PROBKG_SERVER_DEBUG"):
    logging.basicConfig(level=logging.DEBUG)


@contextlib.contextmanager
def background(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread of this process; yields the base URL (no trailing slash).

    Meant for tests and benchmarks; the server is shut down (gracefully) when the block ends.
    """
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError("the test server did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(30)

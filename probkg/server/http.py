"""A read-only SPARQL 1.1 Protocol endpoint over a probkg store, on the standard library's HTTP server.

Routes:

* ``/sparql``: GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=``) or POST
  ``application/sparql-query``. SELECT and ASK answer in ``application/sparql-results+json`` (default),
  ``text/csv`` or ``text/tab-separated-values``; CONSTRUCT and DESCRIBE in ``text/turtle`` (default),
  ``application/n-triples`` or ``application/ld+json``, chosen by the ``Accept`` header.
* ``/queries``: the catalogue of named queries as JSON; ``/queries/<name>?param=value`` runs one, with
  the same parameter binding as ``probkg query`` and the same content negotiation.
* ``/``: a small page with a query form and the named queries (package data ``endpoint.html``).

The endpoint never fetches other URLs: SERVICE and FROM / FROM NAMED naming a graph the store does not
hold are refused before the query reaches the store, and rdflib's habit of loading FROM graphs from the
web is switched off. SPARQL Update is refused with 403 unless the server was made with
``allow_update=True`` and the store has an ``update`` method; ``LOAD`` and SERVICE are refused even then.

Status codes: 400 malformed request or SPARQL (the message names line and column) or a missing or bad
parameter, 403 update or remote access refused, 404 unknown path or query, 405 method, 406 no acceptable
format, 413 body too large, 415 unsupported content type, 500 store failure. Errors are JSON objects
``{"error": message, "status": code}`` plus ``line``/``column`` for syntax errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from probkg.errors import ProbkgError, QueryError
from probkg.graph.base import Store
from probkg.ontology.namespaces import PREFIXES

__all__ = ["MAX_BODY", "Refused", "check_query", "make_server", "serve"]

MAX_BODY = 1 << 20
"""Largest request body accepted (bytes)."""

SPARQL_JSON = "application/sparql-results+json"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"

_RESULT_TYPES = (SPARQL_JSON, "application/json", CSV, TSV)
_GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, "application/x-turtle", "text/plain")
_FORMAT_ALIASES = {
    "json": SPARQL_JSON,
    "csv": CSV,
    "tsv": TSV,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "jsonld": JSONLD,
}


class Refused(ProbkgError):
    """A request the endpoint will not run; ``status`` is the HTTP status to answer with."""

    def __init__(
        self, status: int, message: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        self.status = status
        super().__init__(message, line=line, column=column)


# ---- what a query may do ------------------------------------------------------------------


def _walk(node: Any) -> Iterable[Any]:
    """Every CompValue in a pyparsing/rdflib parse tree."""
    stack = [node]
    while stack:
        item = stack.pop()
        name = getattr(item, "name", None)
        if isinstance(item, dict):
            if name is not None:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or (hasattr(item, "asList") and not isinstance(item, str)):
            stack.extend(list(item))


def _syntax_error(exc: Exception) -> Refused:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {col}" if isinstance(line, int) else ""
    return Refused(400, f"SPARQL syntax error{where}: {' '.join(str(msg).split())}", line=line, column=col)


def check_query(text: str, graphs: Iterable[str], *, allow_update: bool = False) -> str:
    """Decide whether ``text`` may run; return ``query`` or ``update``, else raise :class:`Refused`.

    Refused: empty text, SPARQL that does not parse (400, with line and column), any SERVICE (403),
    FROM / FROM NAMED naming a graph not in ``graphs`` (403), any update unless ``allow_update`` (403),
    and ``LOAD`` always (403).
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if not text or not text.strip():
        raise Refused(400, "empty query")
    kind = "query"
    try:
        tree: Any = parseQuery(text)
    except ParseException as query_exc:
        try:
            tree = parseUpdate(text)
        except ParseException:
            raise _syntax_error(query_exc) from None
        kind = "update"
    nodes = list(_walk(tree))
    if any(n.name == "ServiceGraphPattern" for n in nodes):
        raise Refused(403, "SERVICE is not allowed: this endpoint never queries other endpoints")
    if kind == "update":
        if any(n.name == "Load" for n in nodes):
            raise Refused(403, "LOAD is not allowed: this endpoint never fetches other URLs")
        if not allow_update:
            raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
        return kind
    try:
        query = translateQuery(tree, initNs={p: str(ns) for p, ns in PREFIXES.items()})
    except ParseException as exc:
        raise _syntax_error(exc) from None
    except Exception as exc:  # unknown prefix and the like
        raise Refused(400, f"SPARQL error: {' '.join(str(exc).split())}") from None
    known = set(graphs)
    for clause in query.algebra.get("datasetClause") or []:
        # CompValue.get returns the key itself when it is absent, so read the plain dict
        iri = dict.get(clause, "default") or dict.get(clause, "named")
        if iri is not None and str(iri) not in known:
            raise Refused(
                403, f"FROM <{iri}> is not a graph of this store; the endpoint never fetches other URLs"
            )
    return kind


def _isolate_rdflib() -> None:
    """Stop rdflib from loading FROM graphs over the network (it then uses the store's own graphs)."""
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False


# ---- content negotiation and serialisation --------------------------------------------------


def _accepted(header: str | None) -> list[tuple[str, float]]:
    if not header:
        return [("*/*", 1.0)]
    out = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def negotiate(header: str | None, offered: tuple[str, ...]) -> str | None:
    """The offered media type the ``Accept`` header prefers (first offered wins ties), or ``None``."""
    best, best_q = None, 0.0
    for media in offered:
        major = media.split("/")[0]
        q = 0.0
        specificity = -1
        for pattern, pq in _accepted(header):
            if pattern == media:
                s = 2
            elif pattern == f"{major}/*":
                s = 1
            elif pattern == "*/*":
                s = 0
            else:
                continue
            if s > specificity:
                specificity, q = s, pq
        if q > best_q:
            best, best_q = media, q
    return best


def _graph_body(graph: Any, media: str) -> bytes:
    from probkg.ontology.namespaces import bind_prefixes

    bind_prefixes(graph)
    fmt = {
        TURTLE: "turtle",
        "application/x-turtle": "turtle",
        NTRIPLES: "nt11",
        "text/plain": "nt11",
        JSONLD: "json-ld",
    }[media]
    data = graph.serialize(format=fmt)
    return data.encode("utf-8") if isinstance(data, str) else data


# ---- the HTTP handler ---------------------------------------------------------------------


@dataclass
class _Reply:
    status: int
    body: bytes
    media: str
    headers: Mapping[str, str] | None = None


def _error(status: int, message: str, **extra: Any) -> _Reply:
    payload = {"error": message, "status": status, **{k: v for k, v in extra.items() if v is not None}}
    return _Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")


class _App:
    """Routing and query execution, independent of the socket layer (easy to test and to reuse)."""

    def __init__(self, store: Store, *, allow_update: bool = False) -> None:
        self.store = store
        self.allow_update = allow_update
        self.lock = threading.Lock() if store.kind != "oxigraph" else None
        if allow_update and not callable(getattr(store, "update", None)):
            from probkg.errors import InputError

            raise InputError(
                f"the {store.kind} store cannot apply SPARQL Update; serve it without --allow-update"
            )

    def _locked(self, fn: Callable[[], Any]) -> Any:
        if self.lock is None:
            return fn()
        with self.lock:
            return fn()

    # ---- routes ------------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> _Reply:
        if path in ("/", "/index.html"):
            if method not in ("GET", "HEAD"):
                return _error(405, f"{method} is not supported on {path}")
            page = resources.files("probkg.server").joinpath("endpoint.html").read_bytes()
            return _Reply(200, page, "text/html; charset=utf-8")
        if path == "/sparql":
            return self.sparql(method, query, headers, body)
        if path in ("/queries", "/queries/"):
            if method not in ("GET", "HEAD"):
                return _error(405, f"{method} is not supported on {path}")
            return self.catalogue()
        if path.startswith("/queries/"):
            if method not in ("GET", "HEAD"):
                return _error(405, f"{method} is not supported on {path}")
            return self.named(unquote(path[len("/queries/") :]), query, headers)
        return _error(404, f"no such resource: {path}")

    def catalogue(self) -> _Reply:
        from probkg.queries.catalogue import catalogue

        items = [
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
        body = json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")
        return _Reply(200, body, "application/json")

    def named(self, name: str, query: dict[str, list[str]], headers: Mapping[str, str]) -> _Reply:
        from probkg.queries.catalogue import get
        from probkg.queries.runner import run_named

        try:
            named = get(name)
        except QueryError as exc:
            return _error(404, str(exc))
        params: dict[str, str] = {}
        for key, values in query.items():
            if key == "format" and named.parameter("format") is None:
                continue
            if len(values) > 1:
                return _error(400, f"parameter {key!r} given {len(values)} times")
            params[key] = values[0]
        unknown = sorted(k for k in params if named.parameter(k) is None)
        if unknown:
            known = ", ".join(p.name for p in named.parameters) or "none"
            return _error(400, f"unknown parameter {unknown[0]!r} for query {name!r} (parameters: {known})")
        try:
            output = self._locked(lambda: run_named(self.store, named, params))
        except QueryError as exc:
            return _error(400, str(exc), line=exc.line, column=exc.column)
        except ProbkgError as exc:
            return _error(500, str(exc))
        return self._render(
            output, headers, query.get("format", [None])[0] if named.parameter("format") is None else None
        )

    def sparql(
        self, method: str, query: dict[str, list[str]], headers: Mapping[str, str], body: bytes | None
    ) -> _Reply:
        texts: list[str] = []
        update = False
        if method in ("GET", "HEAD"):
            if "update" in query:
                return _error(
                    403 if not self.allow_update else 405,
                    "SPARQL Update is not allowed: the endpoint is read-only"
                    if not self.allow_update
                    else "SPARQL Update must be sent with POST",
                )
            texts = query.get("query", [])
        elif method == "POST":
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            raw = (body or b"").decode("utf-8", errors="replace")
            if ctype == "application/x-www-form-urlencoded":
                form = parse_qs(raw, keep_blank_values=True)
                if "update" in form:
                    texts, update = form["update"], True
                else:
                    texts = form.get("query", [])
            elif ctype == "application/sparql-query":
                texts = [raw]
            elif ctype == "application/sparql-update":
                texts, update = [raw], True
            else:
                return _error(
                    415,
                    f"unsupported content type {ctype or '(none)'}; use "
                    "application/sparql-query or application/x-www-form-urlencoded",
                )
        else:
            return _error(405, f"{method} is not supported on /sparql")
        if not texts:
            return _error(400, "missing 'query' parameter")
        if len(texts) > 1:
            return _error(400, "more than one query given")
        text = texts[0]
        try:
            graphs = self._locked(lambda: set(self.store.graph_sizes()))
            kind = check_query(text, graphs, allow_update=self.allow_update)
        except Refused as exc:
            return _error(exc.status, exc.message, line=exc.line, column=exc.column)
        if kind == "update" or update:
            if kind != "update":
                return _error(400, "the 'update' parameter holds a query, not an update")
            try:
                self._locked(lambda: self.store.update(text))  # type: ignore[attr-defined]
            except ProbkgError as exc:
                return _error(400, str(exc))
            return _Reply(204, b"", "text/plain")
        from probkg.queries.runner import run_sparql

        try:
            output = self._locked(lambda: run_sparql(self.store, text, prefixes=True))
        except QueryError as exc:
            return _error(400, str(exc), line=exc.line, column=exc.column)
        except ProbkgError as exc:
            return _error(500, str(exc))
        return self._render(output, headers, query.get("format", [None])[0])

    def _render(self, output: Any, headers: Mapping[str, str], fmt: str | None) -> _Reply:
        accept = headers.get("accept")
        if fmt:
            if fmt not in _FORMAT_ALIASES:
                return _error(400, f"unknown format {fmt!r}; choose from {', '.join(_FORMAT_ALIASES)}")
            accept = _FORMAT_ALIASES[fmt]
        if output.kind in ("CONSTRUCT", "DESCRIBE"):
            media = negotiate(accept, _GRAPH_TYPES)
            if media is None:
                return _error(406, f"{output.kind} results are available as {', '.join(_GRAPH_TYPES[:3])}")
            charset = "" if media == JSONLD else "; charset=utf-8"
            return _Reply(200, _graph_body(output.graph, media), media + charset)
        media = negotiate(accept, _RESULT_TYPES)
        if media is None:
            return _error(406, f"{output.kind} results are available as {', '.join(_RESULT_TYPES)}")
        from probkg.queries.formats import format_result

        fmt_name = {SPARQL_JSON: "json", "application/json": "json", CSV: "csv", TSV: "tsv"}[media]
        return _Reply(200, format_result(output, fmt_name).encode("utf-8"), _content_type(media))


def _content_type(media: str) -> str:
    if media == "application/json":
        media = SPARQL_JSON
    return media + "; charset=utf-8" if media in (CSV, TSV) else media


class _Handler(BaseHTTPRequestHandler):
    server_version = "probkg"
    protocol_version = "HTTP/1.1"
    app: _App
    quiet = False

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        body = None
        if method == "POST":
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                reply = _error(400, "bad Content-Length")
                self._send(reply, method)
                return
            if length > MAX_BODY:
                self._send(_error(413, f"request body larger than {MAX_BODY} bytes"), method, close=True)
                return
            body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.app.handle(method, parts.path, query, headers, body)
        except Exception as exc:  # an unexpected failure must still answer, and keep serving
            reply = _error(500, f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}")
        self._send(reply, method)

    def _send(self, reply: _Reply, method: str, *, close: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.media)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Vary", "Accept")
        self.send_header("Access-Control-Allow-Origin", "*")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        for key, value in (reply.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def make_server(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    allow_update: bool = False,
    quiet: bool = False,
) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) answering SPARQL over ``store``; ``port=0`` picks a free port."""
    _isolate_rdflib()
    app = _App(store, allow_update=allow_update)
    handler = type("ProbkgHandler", (_Handler,), {"app": app, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(
    store: Store,
    host: str = "127.0.0.1",
    port: int = 7878,
    *,
    allow_update: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C); ``on_ready`` gets the base URL once the socket is bound."""
    server = make_server(store, host, port, allow_update=allow_update)
    bound_host, bound_port = server.server_address[:2]
    url = f"http://{bound_host if ':' not in str(bound_host) else f'[{bound_host}]'}:{bound_port}/"
    if on_ready is not None:
        on_ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

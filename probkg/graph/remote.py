"""A store on a remote SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, ...).

Reads go through the SPARQL 1.1 Protocol (query), writes through SPARQL 1.1 Update and the Graph
Store Protocol (GSP). Only the standard library is used for HTTP.

How the three semantics probkg relies on are kept on every server:

- **The default graph is the union of the named graphs.** Oxigraph server gets the
  ``union-default-graph`` option with each query; Virtuoso already answers a query without ``FROM``
  over all its graphs; any other server, and Virtuoso for a query naming ``GRAPH`` (which would
  otherwise also see Virtuoso's system graphs), gets the named graphs listed as ``default-graph-uri``
  and ``named-graph-uri`` protocol parameters.
- **Replacing a graph is all or nothing.** Oxigraph applies a GSP ``PUT`` in one transaction. Virtuoso
  does not (a payload that breaks half-way leaves the first half behind), so on other servers the new
  content is written to a temporary graph ``id:graph/tmp/<uuid>``, which is then ``MOVE``d over the
  target in one update; on any failure the temporary graph is dropped and checked to be gone.
- **Every failure is one line** naming the endpoint and the cause (connection refused, HTTP status
  with the server's own message, timed out after N s), raised as :class:`probkg.errors.EndpointError`.

Credentials come only from the environment (``PROBKG_ENDPOINT_USER``, ``PROBKG_ENDPOINT_PASSWORD``);
HTTP Basic and Digest challenges are both answered (Virtuoso's ``/sparql-auth`` uses Digest). The
timeout per request is ``PROBKG_ENDPOINT_TIMEOUT`` seconds (default 60).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import os
import re
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Sequence
from http.client import HTTPResponse
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Identifier, Node

from probkg.errors import EndpointError, QueryError
from probkg.graph._oxterms import iter_rdflib_triples, nt_term, write_ntriples
from probkg.graph.base import CATALOG_GRAPH, Quad, Store
from probkg.ontology.namespaces import ID_IRI

__all__ = ["RemoteStore"]

TMP_GRAPH_PREFIX = ID_IRI + "graph/tmp/"
"""Temporary graphs used while a replacement is uploaded; never listed, never queried on purpose."""

_VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/",
    "http://www.w3.org/2002/07/owl#",
    "virtrdf:",
)
"""Graphs a fresh Virtuoso holds for itself; they are not part of the probkg dataset."""

_SPOOL_IN_MEMORY = 32 * 1024 * 1024
_PAGE = 10_000


class RemoteStore(Store):
    """A :class:`~probkg.graph.base.Store` backed by SPARQL 1.1 endpoints over HTTP.

    ``endpoint`` is the query URL. ``update_endpoint`` and ``gsp_endpoint`` default to the usual
    locations for the server found behind ``endpoint`` (Oxigraph: ``/update`` and ``/store``;
    Virtuoso: the same URL and ``/sparql-graph-crud[-auth]``; Fuseki: ``/update`` and ``/data``).
    ``server`` (``oxigraph``, ``virtuoso``, ``fuseki`` or ``generic``) skips the detection, which
    otherwise reads the ``Server`` header of the first answer.
    """

    kind = "remote"

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        *,
        timeout: float | None = None,
        server: str | None = None,
    ) -> None:
        if not re.match(r"^https?://", endpoint or ""):
            raise EndpointError(f"{endpoint}: not an http(s) URL")
        self.endpoint = endpoint
        self.location = endpoint
        self._update_endpoint = update_endpoint
        self._gsp_endpoint = gsp_endpoint
        env_timeout = os.environ.get("PROBKG_ENDPOINT_TIMEOUT")
        try:
            self.timeout = float(timeout if timeout is not None else (env_timeout or 60))
        except ValueError:
            raise EndpointError(
                f"{endpoint}: PROBKG_ENDPOINT_TIMEOUT is not a number: {env_timeout!r}"
            ) from None
        self._user = os.environ.get("PROBKG_ENDPOINT_USER")
        self._password = os.environ.get("PROBKG_ENDPOINT_PASSWORD", "")
        self._server = server
        self._challenge: dict[str, str] | None = None
        self._nc = 0

    # ---- endpoints and server detection -------------------------------------------------
    @property
    def server(self) -> str:
        """The kind of server behind the endpoint (detected on first use)."""
        if self._server is None:
            with self._send(
                "POST", self.endpoint, form={"query": "ASK {}"}, accept="application/sparql-results+json"
            ) as resp:
                header = resp.headers.get("Server", "") or ""
                resp.read()
            low = header.lower()
            if "oxigraph" in low:
                self._server = "oxigraph"
            elif "virtuoso" in low:
                self._server = "virtuoso"
            elif "fuseki" in low or "jetty" in low:
                self._server = "fuseki"
            else:
                self._server = "generic"
        return self._server

    @property
    def update_endpoint(self) -> str:
        if self._update_endpoint is None:
            server = self.server
            base, last = self._split_last()
            if server == "oxigraph" or (server == "fuseki" and last in {"query", "sparql"}):
                self._update_endpoint = f"{base}/update"
            else:
                self._update_endpoint = self.endpoint
        return self._update_endpoint

    @property
    def gsp_endpoint(self) -> str | None:
        """The Graph Store Protocol URL, or ``None`` when the server has none we know of."""
        if self._gsp_endpoint is None:
            server = self.server
            base, last = self._split_last()
            if server == "oxigraph":
                self._gsp_endpoint = f"{base}/store"
            elif server == "virtuoso":
                self._gsp_endpoint = (
                    f"{base}/sparql-graph-crud-auth" if last == "sparql-auth" else f"{base}/sparql-graph-crud"
                )
            elif server == "fuseki":
                self._gsp_endpoint = f"{base}/data"
        return self._gsp_endpoint

    def _split_last(self) -> tuple[str, str]:
        parts = urllib.parse.urlsplit(self.endpoint)
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")
        base = urllib.parse.urlunsplit((parts.scheme, parts.netloc, head, "", ""))
        return base, last

    # ---- HTTP ---------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        body: bytes | IO[bytes] | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        ok_missing: bool = False,
    ) -> HTTPResponse:
        """One HTTP exchange; answers an authentication challenge once. Returns the open response."""
        full = url
        if params:
            full += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        data: bytes | IO[bytes] | None = body
        headers: dict[str, str] = {}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if data is not None and not isinstance(data, bytes):
            data.seek(0, os.SEEK_END)
            headers["Content-Length"] = str(data.tell())
        for attempt in range(2):
            if data is not None and not isinstance(data, bytes):
                data.seek(0)
            auth = self._authorization(method, full)
            req = urllib.request.Request(full, data=data, method=method, headers=dict(headers))
            if auth:
                req.add_header("Authorization", auth)
            try:
                return urllib.request.urlopen(req, timeout=self.timeout)
            except urllib.error.HTTPError as err:
                if err.code == 401 and self._user and attempt == 0 and self._remember_challenge(err):
                    err.close()
                    continue
                if err.code == 404 and ok_missing:
                    return err  # type: ignore[return-value]
                if err.code == 400 and form is not None and "query" in form:
                    raise QueryError(f"{_where(url)}: {_http_cause(err)}") from None
                raise EndpointError(f"{_where(url)}: {_http_cause(err)}") from None
            except urllib.error.URLError as err:
                raise EndpointError(f"{_where(url)}: {self._net_cause(err.reason)}") from None
            except (TimeoutError, ConnectionError, OSError) as err:
                raise EndpointError(f"{_where(url)}: {self._net_cause(err)}") from None
        raise EndpointError(
            f"{_where(url)}: HTTP 401 Unauthorized (check PROBKG_ENDPOINT_USER and PROBKG_ENDPOINT_PASSWORD)"
        )

    def _net_cause(self, reason: object) -> str:
        if isinstance(reason, TimeoutError | socket.timeout) or "timed out" in str(reason):
            return f"timed out after {self.timeout:g}s"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        if isinstance(reason, socket.gaierror):
            return f"cannot resolve host ({reason.strerror or reason})"
        if isinstance(reason, OSError) and reason.strerror:
            return reason.strerror.lower()
        return str(reason) or type(reason).__name__

    def _remember_challenge(self, err: urllib.error.HTTPError) -> bool:
        header = err.headers.get("WWW-Authenticate", "") or ""
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic":
            self._challenge = {"scheme": "basic"}
            return True
        if scheme.lower() == "digest":
            items = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            self._challenge = {"scheme": "digest", **{k.lower(): v for k, v in items.items()}}
            self._nc = 0
            return True
        return False

    def _authorization(self, method: str, url: str) -> str | None:
        if not self._user or not self._challenge:
            return None
        if self._challenge["scheme"] == "basic":
            token = base64.b64encode(f"{self._user}:{self._password}".encode()).decode("ascii")
            return f"Basic {token}"
        ch = self._challenge
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        algorithm = ch.get("algorithm", "MD5")
        hfn = hashlib.sha256 if algorithm.upper().startswith("SHA-256") else hashlib.md5

        def h(text: str) -> str:
            return hfn(text.encode("utf-8")).hexdigest()

        self._nc += 1
        nc = f"{self._nc:08x}"
        cnonce = os.urandom(8).hex()
        ha1 = h(f"{self._user}:{ch.get('realm', '')}:{self._password}")
        ha2 = h(f"{method}:{uri}")
        qop = "auth" if "auth" in [q.strip() for q in ch.get("qop", "").split(",")] else ""
        if qop:
            response = h(f"{ha1}:{ch['nonce']}:{nc}:{cnonce}:{qop}:{ha2}")
        else:
            response = h(f"{ha1}:{ch['nonce']}:{ha2}")
        fields = [
            f'username="{self._user}"',
            f'realm="{ch.get("realm", "")}"',
            f'nonce="{ch["nonce"]}"',
            f'uri="{uri}"',
            f'response="{response}"',
            f"algorithm={algorithm}",
        ]
        if ch.get("opaque"):
            fields.append(f'opaque="{ch["opaque"]}"')
        if qop:
            fields += [f"qop={qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        return "Digest " + ", ".join(fields)

    def _read(self, resp: HTTPResponse, url: str) -> bytes:
        try:
            with resp:
                return resp.read()
        except (TimeoutError, OSError) as err:
            raise EndpointError(f"{_where(url)}: {self._net_cause(err)}") from None

    # ---- queries ------------------------------------------------------------------------
    def _dataset_params(self, sparql: str) -> dict[str, Any]:
        """Protocol parameters that make the default graph the union of the named graphs."""
        if _has_dataset_clause(sparql):
            return {}
        server = self.server
        if server == "oxigraph":
            return {"union-default-graph": ""}
        if server == "virtuoso" and not _NAMES_GRAPHS.search(_skeleton(sparql)):
            return {}  # Virtuoso answers over all its graphs already
        # Without a list, GRAPH ?g would also range over Virtuoso's own system graphs.
        graphs = sorted(self._graph_names())
        return {"default-graph-uri": graphs, "named-graph-uri": graphs}

    def query(self, sparql: str) -> Result:
        """Run a query on the server; the default graph is the union of the named graphs."""
        form = _query_form(sparql)
        fields: dict[str, Any] = {"query": sparql, **self._dataset_params(sparql)}
        if form in {"CONSTRUCT", "DESCRIBE"}:
            resp = self._send("POST", self.endpoint, form=fields, accept="application/n-triples")
            payload = self._read(resp, self.endpoint)
            result = Result(form)
            g = Graph()
            try:
                for t in iter_rdflib_triples(ox.parse(input=payload, format=ox.RdfFormat.N_TRIPLES)):
                    g.add(t)
            except SyntaxError as err:
                raise EndpointError(f"{_where(self.endpoint)}: unreadable N-Triples answer ({err})") from None
            result.graph = g
            return result
        resp = self._send("POST", self.endpoint, form=fields, accept="application/sparql-results+json")
        payload = self._read(resp, self.endpoint)
        return _json_result(payload, self.endpoint, form)

    def select_rows(self, sparql: str) -> list[dict[str, Node]]:
        """Rows of a SELECT query as dictionaries from variable name to term (unbound names absent)."""
        res = self.query(sparql)
        return [{str(k): v for k, v in row.asdict().items()} for row in res]  # type: ignore[union-attr]

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update request."""
        resp = self._send(
            "POST",
            self.update_endpoint,
            form={"update": sparql},
            accept="application/sparql-results+json, */*;q=0.1",
        )
        self._read(resp, self.update_endpoint)

    # ---- graph bookkeeping --------------------------------------------------------------
    def _is_own_graph(self, name: str) -> bool:
        if name.startswith(TMP_GRAPH_PREFIX):
            return False
        return not (self._server == "virtuoso" and name.startswith(_VIRTUOSO_SYSTEM_GRAPHS))

    def _graph_names(self) -> list[str]:
        resp = self._send(
            "POST",
            self.endpoint,
            form={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            accept="application/sparql-results+json",
        )
        res = _json_rows(self._read(resp, self.endpoint), self.endpoint)
        return [str(r["g"]) for r in res if "g" in r and self._is_own_graph(str(r["g"]))]

    def graph_sizes(self) -> dict[str, int]:
        """Triple count per named graph (Virtuoso's own system graphs and upload leftovers excluded)."""
        self.server  # noqa: B018 - detect before filtering
        resp = self._send(
            "POST",
            self.endpoint,
            form={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            accept="application/sparql-results+json",
        )
        rows = _json_rows(self._read(resp, self.endpoint), self.endpoint)
        return {str(r["g"]): int(str(r["n"])) for r in rows if "g" in r and self._is_own_graph(str(r["g"]))}

    def _count(self, graph: str) -> int:
        resp = self._send(
            "POST",
            self.endpoint,
            form={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            accept="application/sparql-results+json",
        )
        rows = _json_rows(self._read(resp, self.endpoint), self.endpoint)
        return int(str(rows[0]["n"])) if rows and "n" in rows[0] else 0

    def drop_graph(self, graph: URIRef) -> None:
        """Drop ``graph`` and its catalogue entry in one update request."""
        name = nt_term(URIRef(str(graph)))
        if URIRef(str(graph)) == CATALOG_GRAPH or str(graph).startswith(TMP_GRAPH_PREFIX):
            self.update(f"DROP SILENT GRAPH {name}")
            return
        self.update(
            f"DROP SILENT GRAPH {name} ;\n"
            f"DELETE WHERE {{ GRAPH {nt_term(CATALOG_GRAPH)} {{ {name} ?p ?o }} }}"
        )

    def commit_many(
        self,
        writes: Sequence[tuple[URIRef, Iterable[tuple[Node, Node, Node]] | None, list[Any] | None]],
        *,
        drop: Sequence[URIRef] = (),
    ) -> list[int]:
        """Replace graphs and catalogue nodes, and drop ``drop``, all or nothing.

        Every new graph is first uploaded under a temporary name; nothing the server shows changes
        until one SPARQL Update moves them over their targets, rewrites the catalogue nodes and drops
        ``drop``. Oxigraph server applies that update in one transaction. Virtuoso (and any other
        server) applies its operations one after the other without undoing the earlier ones when a
        later one fails, so the graphs it touches are copied first and put back if the update fails.
        """
        token = uuid.uuid4().hex
        cat = nt_term(CATALOG_GRAPH)
        drops = [URIRef(str(g)) for g in drop]
        ops = [f"DROP SILENT GRAPH {nt_term(g)}" for g in drops]
        ops += [f"DELETE WHERE {{ GRAPH {cat} {{ {nt_term(g)} ?p ?o }} }}" for g in drops]
        temporary: list[URIRef] = []
        entries: list[str] = []
        replaced: list[URIRef] = []
        try:
            for i, (graph, triples, entry) in enumerate(writes):
                target = URIRef(str(graph))
                if entry is not None:
                    ops.append(f"DELETE WHERE {{ GRAPH {cat} {{ {nt_term(target)} ?p ?o }} }}")
                    entries += [f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in entry]
                if triples is None:  # the graph stays; only its catalogue node changes
                    continue
                replaced.append(target)
                with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
                    if self._serialize(triples, spool):
                        tmp = URIRef(f"{TMP_GRAPH_PREFIX}{token}-{i}")
                        temporary.append(tmp)
                        self._upload(tmp, spool)
                        ops.append(f"MOVE SILENT GRAPH {nt_term(tmp)} TO GRAPH {nt_term(target)}")
                    else:
                        ops.append(f"DROP SILENT GRAPH {nt_term(target)}")
            if entries:
                ops.append(f"INSERT DATA {{ GRAPH {cat} {{\n" + "\n".join(entries) + "\n} }")
            if ops:
                touched = list(
                    dict.fromkeys([*drops, *replaced, *([CATALOG_GRAPH] if entries or drops else [])])
                )
                self._switch(" ;\n".join(ops), touched, token)
        finally:
            for tmp in temporary:
                self._discard(tmp)
        now = self.graph_sizes()
        return [now.get(str(g), 0) for g, _, _ in writes]

    def _switch(self, update: str, touched: list[URIRef], token: str) -> None:
        """Run the update that makes a change visible; on servers that may apply part of it, undoably."""
        if self.server == "oxigraph":
            self.update(update)  # one transaction: all or nothing
            return
        backups = {g: URIRef(f"{TMP_GRAPH_PREFIX}{token}-old-{i}") for i, g in enumerate(touched)}
        copy = [f"COPY SILENT GRAPH {nt_term(g)} TO GRAPH {nt_term(b)}" for g, b in backups.items()]
        restore = [
            f"DROP SILENT GRAPH {nt_term(g)} ;\nADD SILENT GRAPH {nt_term(b)} TO GRAPH {nt_term(g)}"
            for g, b in backups.items()
        ]
        keep = False
        try:
            self.update(" ;\n".join(copy))
            try:
                self.update(update)
            except BaseException as exc:
                try:
                    self.update(" ;\n".join(restore))
                except EndpointError as again:
                    keep = True  # the copies are all that is left of the old state
                    names = ", ".join(f"<{b}>" for b in backups.values())
                    raise EndpointError(
                        f"{again}; the change was applied in part and could not be undone: "
                        f"the old graphs are in {names}"
                    ) from exc
                raise
        finally:
            if not keep:
                for b in backups.values():
                    self._discard(b)

    def _upload(self, graph: URIRef, payload: IO[bytes]) -> None:
        """Write an N-Triples document into ``graph`` (replacing it) by GSP PUT, else by INSERT DATA."""
        gsp = self.gsp_endpoint
        if gsp:
            resp = self._send(
                "PUT", gsp, params={"graph": str(graph)}, body=payload, content_type="application/n-triples"
            )
            self._read(resp, gsp)
        else:
            payload.seek(0)
            text = payload.read().decode("utf-8")
            self.update(
                f"DROP SILENT GRAPH {nt_term(graph)} ;\n"
                f"INSERT DATA {{ GRAPH {nt_term(graph)} {{\n{text}\n}} }}"
            )

    # ---- writes -------------------------------------------------------------------------
    def replace_graph(self, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Replace ``graph`` with ``triples`` in one step; on failure the graph keeps its old content."""
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            n = self._serialize(triples, spool)
            return self.replace_graph_from_ntriples(URIRef(graph), spool, n)

    def _serialize(self, triples: Iterable[tuple[Node, Node, Node]], out: IO[bytes]) -> int:
        return write_ntriples(triples, out)

    def replace_graph_from_ntriples(self, graph: URIRef, payload: IO[bytes], count: int | None = None) -> int:
        """Replace ``graph`` with the N-Triples document in ``payload`` (a seekable binary file)."""
        target = URIRef(graph)
        payload.seek(0, os.SEEK_END)
        empty = payload.tell() == 0
        if empty or count == 0:
            self.update(f"DROP SILENT GRAPH {nt_term(target)}")
            return 0
        gsp = self.gsp_endpoint
        if self.server == "oxigraph" and gsp:
            # Oxigraph commits a GSP PUT in one transaction: a broken payload changes nothing.
            resp = self._send(
                "PUT", gsp, params={"graph": str(target)}, body=payload, content_type="application/n-triples"
            )
            self._read(resp, gsp)
            return self._count(str(target))
        tmp = URIRef(TMP_GRAPH_PREFIX + uuid.uuid4().hex)
        try:
            self._upload(tmp, payload)
            self.update(f"MOVE SILENT GRAPH {nt_term(tmp)} TO GRAPH {nt_term(target)}")
        except BaseException:
            self._discard(tmp)
            raise
        return self._count(str(target))

    def _discard(self, tmp: URIRef) -> None:
        """Drop an upload's temporary graph and make sure it is gone."""
        try:
            self.drop_graph(tmp)
            if self._count(str(tmp)):
                self.drop_graph(tmp)
        except EndpointError:
            pass

    def insert_quads_file(
        self, path: str, fmt: ox.RdfFormat | None = None, progress: Any = None
    ) -> dict[str, int]:
        """Stream an RDF file into the server, replacing the named graphs it contains all or nothing.

        The file is parsed once with Oxigraph's streaming parser; each graph's triples are spooled to
        a temporary N-Triples file and uploaded under a temporary name, then one update moves them
        all over their targets (see :meth:`commit_many`). Returns the triple count per graph written.
        Triples in the file's default graph are not accepted here (name the graph in the file).
        """
        spools: dict[str, tuple[IO[bytes], int]] = {}
        # The spool files stay open across the parse and upload; the exit stack closes them all at the end.
        with contextlib.ExitStack() as stack:
            for q in ox.parse(path=path, format=fmt):
                g = q.graph_name
                if isinstance(g, ox.DefaultGraph):
                    raise EndpointError(
                        f"{path}: a triple outside any named graph cannot be sent to {_where(self.endpoint)}"
                    )
                key = g.value
                spool, n = spools.get(key) or (stack.enter_context(tempfile.TemporaryFile()), 0)
                spool.write(f"{q.subject} {q.predicate} {q.object} .\n".encode())
                spools[key] = (spool, n + 1)
                if progress is not None:
                    progress(1)
            token = uuid.uuid4().hex
            temporary: list[URIRef] = []
            ops = []
            try:
                for i, (g, (spool, _n)) in enumerate(spools.items()):
                    tmp = URIRef(f"{TMP_GRAPH_PREFIX}{token}-{i}")
                    temporary.append(tmp)
                    self._upload(tmp, spool)
                    ops.append(f"MOVE SILENT GRAPH {nt_term(tmp)} TO GRAPH {nt_term(URIRef(g))}")
                if ops:
                    self._switch(" ;\n".join(ops), [URIRef(g) for g in spools], token)
            finally:
                for tmp in temporary:
                    self._discard(tmp)
            now = self.graph_sizes()
            return {g: now.get(g, 0) for g in spools}

    # ---- reads --------------------------------------------------------------------------
    def quads(self, graph: URIRef | None = None) -> Iterator[Quad]:
        """Stream quads graph by graph (GSP GET, paged SELECT when the server truncates)."""
        graphs = [str(graph)] if graph is not None else sorted(self.graph_sizes())
        for name in graphs:
            g = URIRef(name)
            for s, p, o in self._graph_triples(name):
                yield s, p, o, g

    def _graph_triples(self, name: str) -> Iterator[tuple[Node, Node, Node]]:
        gsp = self.gsp_endpoint
        expected = self._count(name)
        if expected == 0:
            return
        if gsp:
            resp = self._send(
                "GET", gsp, params={"graph": name}, accept="application/n-triples", ok_missing=True
            )
            if resp.status != 404:
                payload = self._read(resp, gsp)
                try:
                    parsed = ox.parse(input=payload, format=ox.RdfFormat.N_TRIPLES)
                    triples = list(iter_rdflib_triples(parsed))
                except SyntaxError:
                    triples = []
                if len(triples) >= expected:
                    yield from triples
                    return
        # Paged SELECT: works on servers that cap the size of one answer (Virtuoso's ResultSetMaxRows).
        offset = 0
        while offset < expected:
            q = (
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }} "
                f"ORDER BY ?s ?p ?o LIMIT {_PAGE} OFFSET {offset}"
            )
            resp = self._send(
                "POST", self.endpoint, form={"query": q}, accept="application/sparql-results+json"
            )
            rows = _json_rows(self._read(resp, self.endpoint), self.endpoint)
            if not rows:
                break
            for r in rows:
                yield r["s"], r["p"], r["o"]
            offset += len(rows)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"


# ---- helpers --------------------------------------------------------------------------------
def _where(url: str) -> str:
    """The endpoint as named in messages: the URL without its query string."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _http_cause(err: urllib.error.HTTPError) -> str:
    try:
        body = err.read(4000).decode("utf-8", "replace")
    except Exception:
        body = ""
    finally:
        err.close()
    detail = _first_message(body)
    cause = f"HTTP {err.code} {err.reason or ''}".rstrip()
    return f"{cause}: {detail}" if detail else cause


def _first_message(body: str) -> str:
    """The server's own explanation, squeezed onto one short line."""
    if not body.strip():
        return ""
    m = re.search(r"<xmp>(.*?)</xmp>", body, re.S | re.I) or re.search(r"<pre>(.*?)</pre>", body, re.S | re.I)
    text = m.group(1) if m else re.sub(r"<[^>]+>", " ", body) if "<" in body else body
    text = html.unescape(text)
    text = " ".join(text.split())
    return text[:240] + ("..." if len(text) > 240 else "")


_STRING_RE = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRI_RE = re.compile(r'<[^<>"{}|^`\\\s]*>')
_COMMENT_RE = re.compile(r"#[^\n]*")


def _skeleton(sparql: str) -> str:
    """The query text with IRIs, strings and comments blanked out, for keyword detection."""
    return _COMMENT_RE.sub(" ", _STRING_RE.sub('""', _IRI_RE.sub("<>", sparql)))


_NAMES_GRAPHS = re.compile(r"(?<![?$\w])GRAPH\b", re.I)


def _query_form(sparql: str) -> str:
    m = re.search(r"(?<![?$\w])(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", _skeleton(sparql), re.I)
    return m.group(1).upper() if m else "SELECT"


def _has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset (``FROM`` / ``FROM NAMED``; not a variable ``?from``)."""
    pattern = r"(?<![?$\w])FROM\s+(NAMED\s+)?(<>|[A-Za-z_][\w.-]*:|:)"
    return re.search(pattern, _skeleton(sparql), re.I) is not None


def _json_term(b: dict[str, str]) -> Identifier:
    kind = b.get("type")
    value = b.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = b.get("xml:lang")
    if lang:
        return Literal(value, lang=lang)
    dt = b.get("datatype")
    if dt and dt != str(XSD.string):
        return Literal(value, datatype=URIRef(dt))
    return Literal(value)


def _load_json(payload: bytes, endpoint: str) -> dict[str, Any]:
    try:
        return json.loads(payload)
    except ValueError:
        snippet = _first_message(payload[:300].decode("utf-8", "replace"))
        raise EndpointError(f"{_where(endpoint)}: answer is not SPARQL JSON results ({snippet})") from None


def _json_rows(payload: bytes, endpoint: str) -> list[dict[str, Node]]:
    doc = _load_json(payload, endpoint)
    return [{k: _json_term(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]


def _json_result(payload: bytes, endpoint: str, form: str = "SELECT") -> Result:
    doc = _load_json(payload, endpoint)
    if "boolean" in doc or form == "ASK":
        result = Result("ASK")
        if "boolean" in doc:
            result.askAnswer = bool(doc["boolean"])
        else:
            # Virtuoso answers ASK with one row binding __ASK_RETVAL to 1 or 0.
            rows = doc.get("results", {}).get("bindings", [])
            result.askAnswer = any(
                str(v.get("value", "0")) not in {"0", "false", ""} for row in rows for v in row.values()
            )
        return result
    result = Result("SELECT")
    names = doc.get("head", {}).get("vars", [])
    result.vars = [Variable(v) for v in names]
    result.bindings = [
        {Variable(k): _json_term(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])
    ]
    return result

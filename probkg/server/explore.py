"""``/explore``: the graph explorer served from the store, and the JSON endpoints its page calls.

The page (``probkg/exports/explorer/static``: HTML, CSS, script and the vendored cytoscape.js with its
licence) is package data, so it works with no network. Its JSON endpoints answer from the store through
:class:`probkg.exports.explorer.Explorer`, so the browser only ever holds what it shows:

* ``GET /explore/api/facets``: filter values (owners, provider kinds, themes, polarities, ratings in order);
* ``GET /explore/api/search?q=&limit=``: start nodes from the full-text index;
* ``GET /explore/api/expand?iri=&limit=&offset=&owner=&providerKind=&theme=&polarity=&rating=&from=&to=``:
  the filtered neighbourhood of a node, with the number of neighbours left out (and, for a hub read a
  page at a time, ``next``: the ``offset`` that asks for more);
* ``GET /explore/api/node?iri=``: the details panel (a finding's quote, offsets, inspection, source page);
* ``GET /explore/api/timeline?provider=...``: ownership periods and inspections (all when no provider);
* ``GET /explore/api/queries`` and ``GET /explore/api/query?name=&PARAM=``: named queries as start sets.

Bad parameters answer 400 with ``{"error": "one line"}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from probkg.errors import InputError, ProbkgError, QueryError
from probkg.graph.base import Store
from probkg.server.search import int_param

__all__ = ["routes"]

Handler = Callable[[Request], Awaitable[Response]]


def _json_endpoint(work: Callable[[Request], Any]) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            body = await run_in_threadpool(work, request)
        except (ValueError, InputError, QueryError) as exc:
            return JSONResponse({"error": " ".join(str(exc).split())}, 400)
        except ProbkgError as exc:
            return JSONResponse({"error": " ".join(str(exc).split())}, 503)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return endpoint


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise ValueError(f"parameter {name!r} is required")
    return value


def routes(store: Store) -> list[BaseRoute]:
    """The explorer page, its static assets and its JSON endpoints, bound to ``store``."""
    from probkg.exports.explorer import Explorer, Filters, page_html

    explorer = Explorer(store)
    page = page_html(base="/explore")
    static = StaticFiles(directory=str(resources.files("probkg.exports.explorer").joinpath("static")))

    async def index(_request: Request) -> Response:
        return HTMLResponse(page)

    async def slash(_request: Request) -> Response:
        return RedirectResponse("/explore", 308)

    def facets(_request: Request) -> Any:
        return explorer.facets()

    def search(request: Request) -> Any:
        q = _required(request, "q")
        return {"query": q, "nodes": explorer.search(q, int_param(request, "limit", 20, 1, 200))}

    def expand(request: Request) -> Any:
        filters = Filters.from_params(request.query_params)
        limit = int_param(request, "limit", 200, 1, 2000)
        offset = int_param(request, "offset", 0, 0, 10_000_000)
        return explorer.expand(_required(request, "iri"), filters, limit, offset)

    def node(request: Request) -> Any:
        return explorer.node(_required(request, "iri"))

    def timeline(request: Request) -> Any:
        providers = request.query_params.getlist("provider")
        if len(providers) > 500:
            raise ValueError("at most 500 'provider' parameters are allowed")
        return explorer.timeline(providers, int_param(request, "limit", 2000, 1, 20000))

    def queries(_request: Request) -> Any:
        from probkg.queries import catalogue

        return [
            {
                "name": q.name,
                "title": q.title,
                "parameters": [
                    {"name": p.name, "required": p.required, "type": p.type} for p in q.parameters
                ],
            }
            for q in catalogue()
        ]

    def query(request: Request) -> Any:
        name = _required(request, "name")
        params = {k: v for k, v in request.query_params.items() if k not in ("name", "limit") and v}
        return explorer.start_set(name, params, int_param(request, "limit", 200, 1, 2000))

    api = [
        ("facets", facets),
        ("search", search),
        ("expand", expand),
        ("node", node),
        ("timeline", timeline),
        ("queries", queries),
        ("query", query),
    ]
    return [
        Route("/explore", index, methods=["GET", "HEAD"], name="explore"),
        Route("/explore/", slash, methods=["GET", "HEAD"]),
        Mount("/explore/static", app=static, name="explore-static"),
        *(Route(f"/explore/api/{name}", _json_endpoint(fn), methods=["GET"]) for name, fn in api),
    ]

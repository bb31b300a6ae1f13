"""``GET /search?q=TEXT``: full-text search over labels, alternative names, quotes and finding descriptions.

Answers JSON: ``{"query": ..., "hits": [...]}``, each hit with the node's IRI, human label, kind, the field
that matched, a snippet, and for findings the quote, its offsets, the inspection and the source web page.
``limit`` (1-1000, default 20) and ``kind=finding`` are optional. Bad parameters answer 400 with a
one-line message. The index is :mod:`probkg.search`, kept in step with the store's graphs.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from probkg.errors import ProbkgError
from probkg.graph.base import Store

__all__ = ["int_param", "routes"]


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]; ValueError with a one-line message otherwise."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"parameter {name!r} must be an integer, not {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"parameter {name!r} must be between {low} and {high}, not {value}")
    return value


def routes(store: Store) -> list[BaseRoute]:
    """The search route bound to ``store``."""
    from probkg.search import search

    async def search_endpoint(request: Request) -> JSONResponse:
        q = request.query_params.get("q")
        if q is None or not q.strip():
            return JSONResponse({"error": "parameter 'q' (the text to search for) is required"}, 400)
        try:
            limit = int_param(request, "limit", 20, 1, 1000)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        kind = request.query_params.get("kind", "")
        if kind not in ("", "finding"):
            return JSONResponse({"error": f"parameter 'kind' must be 'finding' or absent, not {kind!r}"}, 400)
        try:
            hits = await run_in_threadpool(search, store, q, limit=limit, kinds=[kind] if kind else [])
        except ProbkgError as exc:
            return JSONResponse({"error": " ".join(str(exc).split())}, 400)
        return JSONResponse({"query": q, "hits": [h.as_dict() for h in hits]})

    return [Route("/search", search_endpoint, methods=["GET"], name="search")]

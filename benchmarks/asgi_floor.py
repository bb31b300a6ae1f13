"""The floor of a Python HTTP layer: a bare ASGI app on uvicorn that runs each query in-process.

Used by ``endpoint_bench.py`` as a third server, to show how much of the gap between ``probkg serve`` and
``oxigraph serve`` is the cost of answering HTTP in Python at all. It has none of the endpoint's
safeguards (no worker isolation, timeout, size limits or network sandbox) and must never be used to
serve anything; it reads the store read-only and answers SELECT/ASK as SPARQL JSON.

    python benchmarks/asgi_floor.py STORE_DIR PORT
"""

from __future__ import annotations

import io
import sys
from typing import Any

import pyoxigraph as ox
import uvicorn

from probkg.server.formats import write_solutions

JSON = "application/sparql-results+json"


def make_app(path: str) -> Any:
    store = ox.Store.read_only(path)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer = store.query(body.decode() or "ASK {}", use_default_graph_as_union=True)
        out = io.BytesIO()
        if isinstance(answer, ox.QueryBoolean):
            out.write(b'{"head":{},"boolean":%s}' % (b"true" if answer else b"false"))
        else:
            write_solutions([v.value for v in answer.variables], iter(answer), JSON, out.write, 10**9)
        data = out.getvalue()
        headers = [(b"content-type", JSON.encode()), (b"content-length", str(len(data)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return app


if __name__ == "__main__":
    uvicorn.run(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")

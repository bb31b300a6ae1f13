"""A loopback uvicorn server for the explorer tests and benchmarks: the explorer, search routes on a store."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from probkg.graph.base import Store


def app_for(store: Store) -> Starlette:
    """The routes this branch provides (the server helper's create_app mounts the same modules)."""
    from probkg.server import explore, search

    return Starlette(routes=[*search.routes(store), *explore.routes(store)])


@contextmanager
def serving(store: Store) -> Iterator[str]:
    """Serve ``store`` on 127.0.0.1 on a free port; yield the base URL; stop the server afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app_for(store), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("explorer test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

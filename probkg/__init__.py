"""probkg: a knowledge graph of HM Inspectorate of Probation findings on probation providers.

The public API (see :mod:`probkg.api`) is loaded on first use, so that ``import probkg`` stays cheap
for the command line::

    import probkg
    store = probkg.open_store(memory=True)
    probkg.build(store)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from probkg._version import __version__

__all__ = ["__version__", "build", "load", "open_store", "query", "stats", "validate"]

if TYPE_CHECKING:
    from probkg.api import build, load, open_store, query, stats, validate


def __getattr__(name: str) -> Any:
    if name in __all__:
        from probkg import api

        return getattr(api, name)
    raise AttributeError(f"module 'probkg' has no attribute {name!r}")

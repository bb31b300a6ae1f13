"""Named SPARQL queries answering probkg's competency questions, and the means to run them.

Each ``*.rq`` file in this package is one query, with a comment header giving its title, description,
parameters, an example and the column that identifies a row (see :mod:`probkg.queries.catalogue`).

>>> from probkg.queries import run_named, format_result
>>> out = run_named(store, "criticised-by-owner", {"owner": "MTCnovo"})   # doctest: +SKIP
>>> print(format_result(out, "table"))                                    # doctest: +SKIP
"""

from __future__ import annotations

from probkg.queries.catalogue import NamedQuery, Parameter, catalogue, catalogue_markdown, get
from probkg.queries.formats import FORMATS, format_result, shorten
from probkg.queries.runner import QueryOutput, bind, resolve, run_named, run_sparql

__all__ = [
    "FORMATS",
    "NamedQuery",
    "Parameter",
    "QueryOutput",
    "bind",
    "catalogue",
    "catalogue_markdown",
    "format_result",
    "get",
    "resolve",
    "run_named",
    "run_sparql",
    "shorten",
]

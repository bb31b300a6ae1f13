"""Render query results as a table, or in the W3C SPARQL 1.1 results formats (JSON, CSV, TSV).

``json`` follows *SPARQL 1.1 Query Results JSON Format*, ``csv`` and ``tsv`` follow *SPARQL 1.1 Query
Results CSV and TSV Formats*. Literals typed ``xsd:string`` are written as simple literals (the two
are the same in RDF 1.1), so Oxigraph and rdflib give identical output. CONSTRUCT and DESCRIBE results
are written as Turtle (``table``, ``turtle``) or N-Triples (``nt``).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from probkg.errors import QueryError
from probkg.formats import BY_NAME
from probkg.ontology.namespaces import PREFIXES
from probkg.queries.runner import QueryOutput

__all__ = ["FORMATS", "format_result", "shorten"]

FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json")
"""Formats for SELECT and ASK results; graphs also take ``turtle`` and ``nt``."""

_BY_LENGTH = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def shorten(iri: str) -> str:
    """``iri`` written with probkg's preferred prefix when one fits (for display only), else ``<iri>``."""
    for ns, prefix in _BY_LENGTH:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _plain_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _table(output: QueryOutput, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 160,
        force_terminal=False,
        color_system=None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if output.kind == "ASK":
        console.print("true" if output.boolean else "false")
        return buffer.getvalue()
    table = Table(show_lines=False, expand=False)
    for name in output.vars:
        table.add_column(name, overflow="fold")
    for row in output.rows:
        table.add_row(*(_plain_text(t) for t in row))
    console.print(table)
    n = len(output.rows)
    console.print(f"{n} row{'s' if n != 1 else ''}")
    return buffer.getvalue()


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    raise QueryError(f"cannot write {term!r} as a SPARQL JSON term")  # pragma: no cover


def _json(output: QueryOutput) -> str:
    doc: dict[str, Any]
    if output.kind == "ASK":
        doc = {"head": {}, "boolean": bool(output.boolean)}
    else:
        bindings = [
            {name: _json_term(t) for name, t in zip(output.vars, row, strict=True) if t is not None}
            for row in output.rows
        ]
        doc = {"head": {"vars": list(output.vars)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _csv(output: QueryOutput) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if output.kind == "ASK":
        writer.writerow(["_askResult"])
        writer.writerow(["true" if output.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(output.vars)
    for row in output.rows:
        writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
    return buffer.getvalue()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    assert isinstance(term, Literal)
    text = f'"{str(term).translate(_TSV_ESCAPES)}"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


def _tsv(output: QueryOutput) -> str:
    if output.kind == "ASK":
        return "?_askResult\n" + ("true" if output.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in output.vars)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in output.rows]
    return "\n".join(lines) + "\n"


def _graph(output: QueryOutput, fmt: str) -> str:
    named = BY_NAME.get("ttl" if fmt == "table" else fmt)
    rdf = named.rdflib if named is not None and named.name in ("ttl", "nt") else None
    if rdf is None:
        raise QueryError(f"a {output.kind} result is a graph: use --format turtle or nt, not {fmt!r}")
    graph = output.graph
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    text = graph.serialize(format=rdf)
    return text if isinstance(text, str) else text.decode("utf-8")


def format_result(output: QueryOutput, fmt: str = "table", *, width: int | None = None) -> str:
    """``output`` written in ``fmt`` (``table``, ``csv``, ``tsv`` or ``json``) as a string.

    ``table`` shows literals plainly and IRIs shortened with probkg's prefixes; the other formats are
    the W3C SPARQL 1.1 results formats. An unknown format raises :class:`QueryError`.
    """
    fmt = fmt.lower()
    if output.kind in ("CONSTRUCT", "DESCRIBE"):
        return _graph(output, fmt)
    if fmt == "table":
        return _table(output, width)
    if fmt == "json":
        return _json(output)
    if fmt == "csv":
        return _csv(output)
    if fmt == "tsv":
        return _tsv(output)
    raise QueryError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")

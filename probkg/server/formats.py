"""Result formats of the endpoint: media types, content negotiation and streaming writers.

SELECT and ASK answers are written as SPARQL 1.1 Query Results in JSON, XML, CSV or TSV by small
streaming writers here (they stop cleanly at the row limit, which Oxigraph's own result writer cannot).
CONSTRUCT and DESCRIBE answers go through Oxigraph's RDF serialiser (Turtle, N-Triples, N-Quads, TriG,
RDF/XML, JSON-LD) fed by an iterator, so they stream too. The choice comes from the ``Accept`` header,
or from a ``format``/``output`` parameter as SPARQLWrapper and others send (``json``, ``xml``, ``csv``,
``tsv``, ``turtle``, ``n3``, ``rdf+xml``, ``json-ld``, ... or a full media type).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from probkg.formats import BY_MEDIA_TYPE, BY_NAME

__all__ = [
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "choose",
    "negotiate",
    "write_boolean",
    "write_solutions",
]

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = BY_NAME["ttl"].media_type
NTRIPLES = BY_NAME["nt"].media_type
NQUADS = BY_NAME["nq"].media_type
TRIG = BY_NAME["trig"].media_type
RDFXML = BY_NAME["rdfxml"].media_type
JSONLD = BY_NAME["jsonld"].media_type

# offered media type -> canonical one (what the writer produces); order = preference on ties
RESULT_TYPES: dict[str, str] = {
    SPARQL_JSON: SPARQL_JSON,
    "application/json": SPARQL_JSON,
    SPARQL_XML: SPARQL_XML,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    CSV: CSV,
    TSV: TSV,
}
# every media type of probkg.formats' table -> the canonical one of its format
GRAPH_TYPES: dict[str, str] = {media: f.media_type for media, f in BY_MEDIA_TYPE.items()}

# format/output parameter values -> (for SELECT/ASK, for CONSTRUCT/DESCRIBE); RDF names from the table
_RESULT_ALIASES = {"json": SPARQL_JSON, "xml": SPARQL_XML, "csv": CSV, "tsv": TSV}
_ALIASES: dict[str, tuple[str | None, str | None]] = {
    key: (_RESULT_ALIASES.get(key), BY_NAME[key].media_type if key in BY_NAME else None)
    for key in [*_RESULT_ALIASES, *BY_NAME]
}


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
            if f.replace(" ", "").startswith("q="):
                try:
                    q = float(f.split("=", 1)[1])
                except ValueError:
                    q = 0.0
        out.append((fields[0].lower(), q))
    return out


def negotiate(header: str | None, offered: Iterable[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (first offered wins ties), or ``None``."""
    accepted = _accepted(header)
    best, best_q = None, 0.0
    for media in offered:
        major = media.split("/")[0]
        q, specificity = 0.0, -1
        for pattern, pq in accepted:
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


def choose(kind: str, accept: str | None, fmt: str | None) -> str | None:
    """The canonical media type for a ``kind`` (``solutions``, ``boolean`` or ``graph``) answer.

    ``fmt`` (a ``format``/``output`` parameter) wins over ``accept``; ``None`` means nothing acceptable.
    """
    table = GRAPH_TYPES if kind == "graph" else RESULT_TYPES
    if fmt:
        key = fmt.strip().lower()
        if key in _ALIASES:
            return _ALIASES[key][1 if kind == "graph" else 0]
        return table.get(key.split(";")[0].strip())
    media = negotiate(accept, table)
    return table[media] if media else None


def content_type(media: str) -> str:
    """The Content-Type header value for a canonical media type."""
    return media if media in (SPARQL_JSON, JSONLD) else media + "; charset=utf-8"


# ---- SELECT / ASK writers -------------------------------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(term: Any) -> dict[str, Any]:
    cls = type(term).__name__
    if cls == "NamedNode":
        return {"type": "uri", "value": term.value}
    if cls == "BlankNode":
        return {"type": "bnode", "value": term.value}
    if cls == "Triple":
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Any) -> str:
    cls = type(term).__name__
    if cls == "NamedNode":
        return f"<uri>{escape(term.value)}</uri>"
    if cls == "BlankNode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if cls == "Triple":
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_field(term: Any) -> str:
    if term is None:
        return ""
    cls = type(term).__name__
    text = (
        term.value
        if cls in ("NamedNode", "Literal")
        else ("_:" + term.value if cls == "BlankNode" else str(term))
    )
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def write_boolean(value: bool, media: str, write: Callable[[bytes], object]) -> None:
    """Write an ASK answer."""
    word = "true" if value else "false"
    if media == SPARQL_JSON:
        write(json.dumps({"head": {}, "boolean": value}).encode())
    elif media == SPARQL_XML:
        write(
            b'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            b"<boolean>" + word.encode() + b"</boolean></sparql>\n"
        )
    else:
        write(word.encode() + (b"\r\n" if media == CSV else b"\n"))


def write_solutions(
    variables: list[str],
    rows: Iterator[Any],
    media: str,
    write: Callable[[bytes], object],
    max_rows: int,
) -> tuple[int, bool]:
    """Write SELECT solutions; return (rows written, whether the row limit cut the answer)."""
    n = 0
    truncated = False
    if media == SPARQL_JSON:
        write(('{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":[').encode())
        sep = ""
        for row in rows:
            if n >= max_rows:
                truncated = True
                break
            binding = {v: _json_term(t) for v, t in zip(variables, row, strict=False) if t is not None}
            write((sep + json.dumps(binding, ensure_ascii=False)).encode())
            sep = ",\n"
            n += 1
        write(b"]}}\n")
    elif media == SPARQL_XML:
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        write(
            (
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head>{head}</head><results>\n"
            ).encode()
        )
        for row in rows:
            if n >= max_rows:
                truncated = True
                break
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=False)
                if t is not None
            )
            write(f"<result>{cells}</result>\n".encode())
            n += 1
        write(b"</results></sparql>\n")
    elif media == CSV:
        write((",".join(variables) + "\r\n").encode())
        for row in rows:
            if n >= max_rows:
                truncated = True
                break
            write((",".join(_csv_field(row[i]) for i in range(len(variables))) + "\r\n").encode())
            n += 1
    else:  # TSV: terms in N-Triples syntax
        write(("\t".join("?" + v for v in variables) + "\n").encode())
        for row in rows:
            if n >= max_rows:
                truncated = True
                break
            terms = [row[i] for i in range(len(variables))]
            write(("\t".join("" if t is None else str(t) for t in terms) + "\n").encode())
            n += 1
    return n, truncated

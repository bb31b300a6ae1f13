"""Linked Data pages: every ``https://w3id.org/probation-kg/id/...`` IRI answers ``GET /id/...``.

:func:`routes` gives the Starlette routes the server mounts. The representation follows the ``Accept``
header (or a ``?format=`` of ``html``, ``ttl``, ``jsonld``, ``nt``):

- ``text/html``: the label, types, outgoing properties and incoming links as links, and, for a provider,
  its findings with their quotes and source links; for an inspection, its ratings. Every literal is
  HTML-escaped.
- ``text/turtle``, ``application/ld+json``, ``application/n-triples``: a concise bounded description (the
  node's outgoing triples, the blank nodes they reach one level down, and the triples pointing at it),
  at most :data:`CBD_LIMIT` triples.

An IRI the store says nothing about is a 404. Only the store is read; nothing is fetched from elsewhere.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from probkg.formats import BY_NAME
from probkg.ontology.namespaces import ID_IRI, PROB_IRI, bind_prefixes

if TYPE_CHECKING:
    from probkg.graph.base import Store

__all__ = ["CBD_LIMIT", "ID_BASE", "describe", "routes"]

ID_BASE = ID_IRI
CBD_LIMIT = 2000
"""The most triples one description holds."""

_FORMATS = {name: (BY_NAME[name].media_type, BY_NAME[name].rdflib) for name in ("ttl", "jsonld", "nt")}
_MEDIA = {media: key for key, (media, _fmt) in _FORMATS.items()}
_PREFIX = PROB_IRI


def _negotiate(request: Request) -> str:
    asked = request.query_params.get("format")
    if asked in _FORMATS or asked == "html":
        return asked
    best, best_q = "html", -1.0
    for part in request.headers.get("accept", "text/html").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        key = "html" if media in ("text/html", "application/xhtml+xml") else _MEDIA.get(media)
        if media == "application/json":
            key = "jsonld"
        if key is not None and q > best_q:
            best, best_q = key, q
    return best


def describe(store: Store, iri: URIRef, limit: int = CBD_LIMIT) -> Graph:
    """The concise bounded description of ``iri`` with its incoming links, at most ``limit`` triples."""
    g = bind_prefixes(Graph())
    node = iri.n3()
    out = (
        f"SELECT ?p ?o ?p2 ?o2 WHERE {{ {node} ?p ?o . "
        f"OPTIONAL {{ FILTER (isBlank(?o)) ?o ?p2 ?o2 }} }} LIMIT {limit}"
    )
    blanks: dict[Any, BNode] = {}
    result: Any = store.query(out)
    for row in result:
        p, o, p2, o2 = row[0], row[1], row[2], row[3]
        if isinstance(o, BNode):
            o = blanks.setdefault(str(o), BNode())
            if p2 is not None and not isinstance(o2, BNode):
                g.add((o, p2, o2))
        g.add((iri, p, o))
        if len(g) >= limit:
            return g
    incoming: Any = store.query(f"SELECT ?s ?p WHERE {{ ?s ?p {node} FILTER (isIRI(?s)) }} LIMIT {limit}")
    for row in incoming:
        g.add((row[0], row[1], iri))
        if len(g) >= limit:
            break
    return g


def _label(store: Store, iri: URIRef) -> str | None:
    rows: list[Any] = list(
        store.query(
            f"SELECT ?l WHERE {{ {iri.n3()} <{SKOS.prefLabel}>|<{RDFS.label}> ?l }} ORDER BY STR(?l) LIMIT 1"
        )
    )
    return str(rows[0][0]) if rows else None


_NAMES = sorted(
    (
        (str(ns), name + ":")
        for name, ns in bind_prefixes(Graph()).namespaces()
        if name and str(ns) != ID_BASE
    ),
    key=lambda item: -len(item[0]),
)


def _short(term: Any) -> str:
    """``prob:Rating``, ``dct:source``, ``id:org/london-crc``: the graph's prefixes, else the full IRI."""
    text = str(term)
    if text.startswith(ID_BASE):
        return "id:" + text[len(ID_BASE) :]
    for base, prefix in _NAMES:
        rest = text[len(base) :]
        if text.startswith(base) and rest and "/" not in rest and "#" not in rest:
            return prefix + rest
    return text


def _link(term: Any) -> str:
    if isinstance(term, URIRef):
        text = str(term)
        href = "/id/" + text[len(ID_BASE) :] if text.startswith(ID_BASE) else text
        return f'<a href="{html.escape(href, quote=True)}">{html.escape(_short(term))}</a>'
    if isinstance(term, Literal):
        lang = f' <span class="lang">@{html.escape(term.language)}</span>' if term.language else ""
        return f'<span class="literal">{html.escape(str(term))}</span>{lang}'
    return "<em>(blank node)</em>"


def _strings(store: Store, text: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT as tuples of strings ('' for unbound)."""
    result: Any = store.query(text)
    return [tuple("" if v is None else str(v) for v in row) for row in result]


def _findings(store: Store, iri: URIRef) -> list[tuple[str, str, str, str]]:
    text = f"""
        PREFIX prob: <{_PREFIX}>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?f (SAMPLE(?c) AS ?comment) (SAMPLE(?q) AS ?quote) (SAMPLE(?u) AS ?url)
        WHERE {{
            ?f a prob:Finding ; prob:aboutProvider {iri.n3()} .
            OPTIONAL {{ ?f rdfs:comment ?c }}
            OPTIONAL {{ ?f prob:hasEvidence/oa:hasSelector/oa:exact ?q }}
            OPTIONAL {{ ?f prob:hasEvidence/oa:hasSource/foaf:page ?u }}
        }} GROUP BY ?f ORDER BY ?f LIMIT 500"""
    return _strings(store, text)  # type: ignore[return-value]


def _ratings(store: Store, iri: URIRef) -> list[tuple[str, str, str]]:
    text = f"""
        PREFIX prob: <{_PREFIX}>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?provider (SAMPLE(?l) AS ?label) (SAMPLE(?s) AS ?source)
        WHERE {{
            ?r a prob:Rating ; prob:inInspection {iri.n3()} ; prob:ratingOf ?provider ; prob:ratingValue ?v .
            FILTER NOT EXISTS {{ ?r prob:ratingAspect ?a }}
            ?v skos:prefLabel ?l .
            OPTIONAL {{ ?r dct:source ?s }}
        }} GROUP BY ?provider ?r ORDER BY ?provider"""
    return _strings(store, text)  # type: ignore[return-value]


def _page(store: Store, iri: URIRef, g: Graph) -> str:
    label = _label(store, iri) or _short(iri)
    types = sorted(set(g.objects(iri, RDF.type)), key=str)
    out_rows = sorted(((p, o) for p, o in g.predicate_objects(iri)), key=lambda po: (str(po[0]), str(po[1])))
    in_rows = sorted(((s, p) for s, p in g.subject_predicates(iri)), key=lambda sp: (str(sp[1]), str(sp[0])))
    esc = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{esc(label)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "td{vertical-align:top;padding:2px 8px}"
        "blockquote{border-left:3px solid #999;margin:0.3em 0;padding-left:0.6em}</style></head><body>",
        f"<h1>{esc(label)}</h1>",
        f'<p><code>{esc(str(iri))}</code> · formats: <a href="?format=ttl">Turtle</a> · '
        '<a href="?format=jsonld">JSON-LD</a> · <a href="?format=nt">N-Triples</a></p>',
        "<p>Types: " + ", ".join(_link(t) for t in types) + "</p>",
    ]
    if any(str(t) == _PREFIX + "ProbationProvider" for t in types):
        findings = _findings(store, iri)
        parts.append(f"<h2 id='findings'>Findings ({len(findings)})</h2><ol class='findings'>")
        for finding, comment, quote, url in findings:
            item = [f"<li>{_link(URIRef(finding))}"]
            if comment:
                item.append(f"<p>{esc(comment)}</p>")
            if quote:
                item.append(f"<blockquote>{esc(quote)}</blockquote>")
            if url:
                item.append(f'<p>Source: <a class="source" href="{esc(url, quote=True)}">{esc(url)}</a></p>')
            parts.append("".join(item) + "</li>")
        parts.append("</ol>")
    if any(str(t) == _PREFIX + "Inspection" for t in types):
        ratings = _ratings(store, iri)
        parts.append(f"<h2 id='ratings'>Ratings ({len(ratings)})</h2><ul class='ratings'>")
        for provider, value, source in ratings:
            src = f' (<a class="source" href="{esc(source, quote=True)}">source</a>)' if source else ""
            parts.append(f"<li>{_link(URIRef(provider))}: {esc(value)}{src}</li>")
        parts.append("</ul>")
    parts.append("<h2>Properties</h2><table class='out'>")
    for p, o in out_rows:
        parts.append(f"<tr><td>{_link(p)}</td><td>{_link(o)}</td></tr>")
    parts.append("</table><h2>Linked from</h2><table class='in'>")
    for s, p in in_rows:
        parts.append(f"<tr><td>{_link(s)}</td><td>{_link(p)}</td></tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts)


def routes(store: Store) -> list[BaseRoute]:
    """``GET /id/{path}`` for every thing IRI in ``store``, with content negotiation."""

    async def resource(request: Request) -> Response:
        iri = URIRef(ID_BASE + request.path_params["path"])
        g = describe(store, iri)
        if len(g) == 0:
            return PlainTextResponse(f"nothing is known about {iri}\n", status_code=404)
        fmt = _negotiate(request)
        if fmt == "html":
            return HTMLResponse(_page(store, iri, g))
        media, rdf_format = _FORMATS[fmt]
        body = g.serialize(format=rdf_format)
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    return [Route("/id/{path:path}", resource, methods=["GET"])]

"""Conversions between pyoxigraph terms, rdflib terms and N-Triples text.

Private helpers shared by the remote store, the bulk loader and the SHACL-as-SPARQL validator.
``xsd:string`` literals become plain rdflib literals on the way in, so that results compare equal
whichever backend produced them (Oxigraph types every simple literal as ``xsd:string``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

__all__ = ["from_rdflib", "nt_line", "nt_term", "to_rdflib", "to_rdflib_memo", "write_ntriples"]

_XSD_STRING = str(XSD.string)
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: object) -> Node:
    """An rdflib term for a pyoxigraph term (named node, blank node or literal)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"unsupported term {term!r}")


def to_rdflib_memo(limit: int = 1 << 16) -> Callable[[object], Node]:
    """:func:`to_rdflib` with a memory of the terms it has turned, for one query answer or dump.

    An answer repeats its terms (a date, a rating, a provider on every row), and an rdflib literal parses
    its lexical form each time one is made (about 17 us for an ``xsd:date``, against 0.2 us for a
    lookup). At most ``limit`` terms are remembered.
    """
    memo: dict[object, Node] = {}

    def convert(term: object) -> Node:
        node = memo.get(term)
        if node is None:
            node = to_rdflib(term)
            if len(memo) < limit:
                memo[term] = node
        return node

    return convert


def from_rdflib(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(_safe_bnode(str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def _safe_bnode(label: str) -> str:
    """A blank node label valid in N-Triples (other servers hand out labels such as ``nodeID://b1``)."""
    if label and label.replace("_", "").replace("-", "").isalnum() and label[0].isalpha() and label.isascii():
        return label
    return "b" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:20]


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_term(term: Node) -> str:
    """One term in N-Triples syntax."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{_safe_bnode(str(term))}"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    raise TypeError(f"unsupported term {term!r}")


def nt_line(s: Node, p: Node, o: Node, g: Node | None = None) -> str:
    """One N-Triples (or, with ``g``, N-Quads) line including the newline."""
    if g is None:
        return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n"
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {nt_term(g)} .\n"


def write_ntriples(triples: Iterable[tuple[Node, Node, Node]], out: IO[bytes], batch: int = 5000) -> int:
    """Write triples as N-Triples to a binary stream; return how many were written."""
    n = 0
    buf: list[str] = []
    for s, p, o in triples:
        buf.append(nt_line(s, p, o))
        n += 1
        if len(buf) >= batch:
            out.write("".join(buf).encode("utf-8"))
            buf.clear()
    if buf:
        out.write("".join(buf).encode("utf-8"))
    return n


def iter_rdflib_triples(parser: Iterable[object]) -> Iterator[tuple[Node, Node, Node]]:
    """rdflib triples from a pyoxigraph parser or query result of triples/quads."""
    for q in parser:
        yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)  # type: ignore[attr-defined]

"""The validation gate: SHACL checks of a graph before it is written, and of a whole store.

Validation always runs pySHACL on an in-memory rdflib copy (never on an Oxigraph-backed graph, whose
``xsd:string`` literals would break ``sh:in`` comparisons), with the ontology as ``ont_graph`` so that
``sh:class`` sees class hierarchies, and without OWL inference.

A load is checked together with what the store already says about the things it refers to: the new
graph, its RDFS consequences, and for each IRI it mentions the store's triples with that IRI as subject
plus the ``rdf:type`` of their objects. Only results about nodes of the new graph count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

if TYPE_CHECKING:
    from probkg.graph.base import Store, Triple
    from probkg.units import LoadUnit

__all__ = ["Report", "ValidationResult", "validate_graph", "validate_store", "validate_unit"]

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with every node written as a compact name (``id:org/london-crc``)."""

    severity: str
    focus: str
    path: str | None
    message: str
    shape: str | None
    constraint: str | None
    value: str | None = None

    @property
    def rule(self) -> str:
        """The shape and constraint that failed, e.g. ``probsh:FindingShape sh:minCount``."""
        return " ".join(x for x in (self.shape, self.constraint) if x) or "unknown rule"

    def to_line(self) -> str:
        where = f"{self.focus} {self.path}" if self.path else self.focus
        value = f" (value {self.value})" if self.value and self.value != self.focus else ""
        return f"{self.severity}: {where}: {self.message}{value} [{self.rule}]"


@dataclass
class Report:
    """The outcome of a validation: ``conforms`` is true when there is no Violation."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    checked: int = 0
    """Number of triples the shapes were run over (context and inferences included)."""

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity != "Violation"]

    def summary(self) -> str:
        """One line: the count of violations and the first of them (node and rule)."""
        bad = self.violations
        if not bad:
            n = len(self.warnings)
            return f"conforms ({n} warning{'s' if n != 1 else ''})"
        first = bad[0]
        where = f"{first.focus} {first.path}" if first.path else first.focus
        more = f"; first: {where}: {first.message} [{first.rule}]"
        return f"{len(bad)} SHACL violation{'s' if len(bad) != 1 else ''}{more}"

    def to_text(self) -> str:
        """Readable report: a heading line, then one line per result naming node and rule."""
        nv, nw = len(self.violations), len(self.warnings)
        verdict = "Conforms" if self.conforms else "Does not conform"
        head = (
            f"{verdict}: {nv} violation{'s' if nv != 1 else ''}, "
            f"{nw} warning{'s' if nw != 1 else ''} ({self.checked} triples checked)"
        )
        return "\n".join([head, *(r.to_line() for r in self.results)]) + "\n"

    def to_json(self) -> str:
        """The report as a JSON document (``conforms``, ``checked``, ``results``)."""
        doc = {
            "conforms": self.conforms,
            "checked": self.checked,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [asdict(r) for r in self.results],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False)


# ---- helpers ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _shapes() -> Graph:
    from probkg.ontology import shapes_graph

    return shapes_graph()


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    from probkg.ontology import ontology_graph

    return ontology_graph()


@lru_cache(maxsize=1)
def _prefixes() -> list[tuple[str, str]]:
    from probkg.ontology import namespaces

    pairs = {p: str(ns) for p, ns in namespaces.PREFIXES.items()}
    shapes_ns = getattr(namespaces, "SHAPES", None)
    if shapes_ns is not None:
        pairs.setdefault("probsh", str(shapes_ns))
    # Longest namespace first, so that id: does not shadow a longer namespace under it.
    return sorted(((ns, p) for p, ns in pairs.items()), key=lambda x: -len(x[0]))


def _name(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        text = str(node)
        for ns, prefix in _prefixes():
            if text.startswith(ns) and len(text) > len(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return f"<{text}>"
    if isinstance(node, Literal):
        return node.n3()
    return "[]"


def _path(shapes: Graph, path: Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _name(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path(shapes, inverse)}"
    try:
        from rdflib.collection import Collection

        items = list(Collection(shapes, path))
        if items:
            return "/".join(_path(shapes, i) or "?" for i in items)
    except Exception:
        pass
    return "[path]"


def _focus(data: Graph, node: Node) -> str:
    """A blank node is named after the triple pointing at it (``[] of id:x org:memberDuring``)."""
    if not isinstance(node, BNode):
        return _name(node) or "?"
    for s, p in data.subject_predicates(node):
        if not isinstance(s, BNode):
            return f"[] of {_name(s)} {_name(p)}"
        return f"[] of {_focus(data, s)} {_name(p)}"
    return "[]"


def _shape(shapes: Graph, shape: Node | None) -> str | None:
    if shape is None:
        return None
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        if parent is not None:
            return _name(parent)
        parent = shapes.value(None, SH.sparql, shape)
        if parent is not None:
            return _name(parent)
        return "[shape]"
    return _name(shape)


def _constraint(component: Node | None) -> str | None:
    """The constraint's parameter name (``sh:minCount``); SPARQL-based ones keep the component's name.

    A SPARQL constraint has no single parameter to name (``sh:sparql`` links the shape to the
    constraint node), so the report shows ``sh:SPARQLConstraintComponent`` as SHACL calls it.
    """
    if component is None:
        return None
    if component == SH.SPARQLConstraintComponent:
        return "sh:SPARQLConstraintComponent"
    local = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"sh:{local[:1].lower()}{local[1:]}" if local else None


@lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> object:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


class _ValidationGraph(Graph):
    """An in-memory graph that parses each SPARQL text once.

    pySHACL hands the data graph the same SPARQL constraint text for every focus node, and rdflib
    would parse it every time (about two thirds of a validation's time). A prepared query is
    reusable with different bindings, so the parsed form is kept per text and namespace set.
    """

    def query(  # noqa: PLR0917
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        use_store_provided=True,
        **kwargs,
    ):
        if isinstance(query_object, str) and processor == "sparql":
            namespaces = dict(initNs) if initNs else dict(self.namespaces())
            key = tuple(sorted((str(k), str(v)) for k, v in namespaces.items()))
            query_object = _prepared(query_object, key)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _run(data: Graph, keep: set[Node] | None = None) -> Report:
    """Run the shapes over ``data`` (changed in place) and keep results about nodes in ``keep``."""
    import pyshacl

    shapes = _shapes()
    checked = len(data)
    _conforms, results_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=_ontology(),
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
        inplace=True,
    )
    results: list[ValidationResult] = []
    for r in results_graph.subjects(RDF.type, SH.ValidationResult):
        focus = results_graph.value(r, SH.focusNode)
        if keep is not None and focus not in keep:
            continue
        severity = results_graph.value(r, SH.resultSeverity)
        message = results_graph.value(r, SH.resultMessage)
        results.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                focus=_focus(data, focus) if focus is not None else "?",
                path=_path(results_graph, results_graph.value(r, SH.resultPath)),
                message=str(message) if message is not None else "constraint not satisfied",
                shape=_shape(shapes, results_graph.value(r, SH.sourceShape)),
                constraint=_constraint(results_graph.value(r, SH.sourceConstraintComponent)),
                value=_name(results_graph.value(r, SH.value)),
            )
        )
    results.sort(key=lambda x: (_SEVERITY_ORDER.get(x.severity, 3), x.focus, x.path or "", x.message))
    conforms = not any(x.severity == "Violation" for x in results)
    return Report(conforms=conforms, results=results, checked=checked)


# ---- public -----------------------------------------------------------------------------------
def validate_graph(graph: Iterable[Triple]) -> Report:
    """Validate triples on their own (no store), e.g. a file before loading it."""
    data = _ValidationGraph()
    for t in graph:
        data.add(t)
    return _run(data)


def validate_unit(
    store: Store,
    unit: LoadUnit,
    *,
    inferred: Iterable[Triple] | None = None,
    exclude: Iterable[URIRef] = (),
    beside: Iterable[Triple] = (),
    focus: Iterable[Node] | None = None,
) -> Report:
    """Check a load before it is written: the unit, its inferences, and the store's facts about what it cites.

    ``inferred`` are the RDFS consequences the store will add (computed here when not given).
    Results whose focus node does not occur in the unit are left out: they are about data already
    in the store, which ``validate_store`` reports.

    For a graph the load does not write but whose nodes it may affect, ``unit`` holds that graph's
    stored triples, ``exclude`` the graphs the load replaces or drops (their old content is not seen),
    ``beside`` the new content of the graphs it writes, and ``focus`` the nodes to report on.
    """
    from probkg.ontology.namespaces import PROB
    from probkg.validation.inference import materialise

    data = _ValidationGraph()
    nodes: set[Node] = set()
    iris: set[URIRef] = set()
    prob = str(PROB)
    for s, p, o in chain(unit.triples, beside):
        data.add((s, p, o))
        nodes.add(s)
        if not isinstance(o, Literal):
            nodes.add(o)
        for n in (s, o) if p != RDF.type else (s,):
            if isinstance(n, URIRef) and not str(n).startswith(prob):
                iris.add(n)
    for t in inferred if inferred is not None else materialise(unit.triples):
        data.add(t)
    for t in store.context_triples(iris, exclude=[URIRef(str(unit.graph)), *exclude]):
        data.add(t)
    return _run(data, keep=nodes if focus is None else set(focus))


def validate_store(store: Store) -> Report:
    """Validate everything in the store (the catalogue left out) in one in-memory copy."""
    from probkg.graph.base import CATALOG_GRAPH

    data = _ValidationGraph()
    for s, p, o, g in store.quads():
        if g != CATALOG_GRAPH:
            data.add((s, p, o))
    return _run(data)

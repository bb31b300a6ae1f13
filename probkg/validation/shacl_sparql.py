"""SHACL shapes compiled to SPARQL SELECT queries that run inside the store.

pySHACL walks every focus node in Python; on a million triples that takes minutes. The shapes probkg
uses are simple enough to be rewritten, constraint by constraint, into one SELECT each that returns the
violating focus nodes (and values). The store's own engine then does the work, and the rows become the
same :class:`~probkg.validation.gate.Report` the pySHACL path produces.

Covered (everything ``probkg/ontology/shapes.ttl`` uses): targets ``sh:targetClass`` (subclass-aware,
through the ontology's ``rdfs:subClassOf``), ``sh:targetObjectsOf``, ``sh:targetSubjectsOf``,
``sh:targetNode``; predicate, inverse, sequence and alternative paths; ``sh:minCount``, ``sh:maxCount``,
``sh:datatype`` (with lexical checks for the XSD types SPARQL can cast), ``sh:class``, ``sh:nodeKind``,
``sh:in``, ``sh:hasValue``, ``sh:pattern``, ``sh:minLength``, ``sh:maxLength``, ``sh:minInclusive``,
``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:uniqueLang``, ``sh:lessThan``,
``sh:or`` (of value-level shapes), ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` /
``sh:qualifiedMaxCount``, and SPARQL-based constraints (``sh:sparql`` with ``sh:select``). A shape using
anything else raises :class:`UnsupportedShape` when compiled, so a new shape cannot be skipped silently.

The ``sh:maxCount 1`` checks of every property share one guard query, which counts each such
property's triples and subjects in one pass; a property's checks run only when the two differ.

Differences from pySHACL: results are the same as sets of (focus node, path, constraint component,
severity); the number of results per value may differ, and the catalogue graph is checked too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

if TYPE_CHECKING:
    from probkg.graph.base import Store
    from probkg.validation.gate import Report

__all__ = ["Check", "UnsupportedShape", "compile_shapes", "run_checks", "validate_store_sparql"]


class UnsupportedShape(ValueError):
    """The shapes graph uses a SHACL feature the compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT returning ``?this`` (and ``?value``) for every violation."""

    shape: Node
    """The shape that declares the constraint (a property shape, a node shape or a SPARQL constraint)."""
    path: Node | None
    component: URIRef
    severity: URIRef
    message: str | None
    sparql: str
    guard: str | None = None
    """A SELECT of ``?key`` shared by many checks (run once for all of them), or ``None``: the check can
    find something only when the guard's answer holds its :attr:`key`, and is skipped otherwise."""
    key: str | None = None


# XSD datatypes whose lexical form SPARQL (Oxigraph) can check with a cast.
_CASTABLE = {
    XSD[n]
    for n in (
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "dateTime",
        "date",
        "time",
        "gYear",
        "gYearMonth",
        "duration",
    )
}
_HANDLED = {
    SH.targetClass,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.targetNode,
    SH.property,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.pattern,
    SH.flags,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.uniqueLang,
    SH.lessThan,
    SH["or"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.sparql,
    RDF.type,
    RDFS.label,
    RDFS.comment,
}
_VALUE_LEVEL = {
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.pattern,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH["or"],
}
_COMPONENT = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
}

# Names the parents of a blank focus node (an interval, an instant), as pySHACL's report does.
_PARENTS = (
    "OPTIONAL { ?_ps ?_pp ?this . FILTER(isBlank(?this)) "
    "OPTIONAL { ?_gs ?_gp ?_ps . FILTER(isBlank(?_ps)) } }"
)


class _Compiler:
    def __init__(self, shapes: Graph, ontology: Graph, focus_graphs: Iterable[str] = ()) -> None:
        self.shapes = shapes
        self.ontology = ontology
        graphs = " ".join(URIRef(g).n3() for g in sorted(focus_graphs))
        # Restricts focus nodes to those occurring (as subject or object) in the given graphs.
        self.restrict_test = (
            f"EXISTS {{ VALUES ?_fg {{ {graphs} }} GRAPH ?_fg {{ "
            f"{{ ?this ?_fp ?_fo }} UNION {{ ?_fs ?_fq ?this }} }} }}"
        )
        self.restrict = f" FILTER {self.restrict_test}" if graphs else ""

    # ---- helpers ---------------------------------------------------------------------------
    def subclasses(self, cls: Node) -> list[Node]:
        found = {cls}
        stack = [cls]
        while stack:
            c = stack.pop()
            for graph in (self.ontology, self.shapes):
                for sub in graph.subjects(RDFS.subClassOf, c):
                    if sub not in found:
                        found.add(sub)
                        stack.append(sub)
        return sorted(found, key=str)

    def class_test(self, var: str, cls: Node) -> str:
        values = " ".join(c.n3() for c in self.subclasses(cls))
        return f"EXISTS {{ {var} a ?_cls . VALUES ?_cls {{ {values} }} }}"

    def path(self, node: Node) -> str:
        g = self.shapes
        if isinstance(node, URIRef):
            return node.n3()
        inv = g.value(node, SH.inversePath)
        if inv is not None:
            return f"^({self.path(inv)})"
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alt)) + ")"
        for pred, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = g.value(node, pred)
            if inner is not None:
                return f"({self.path(inner)}){op}"
        items = list(Collection(g, node))
        if items:
            return "/".join(self.path(p) for p in items)
        raise UnsupportedShape(f"unsupported property path {node!r}")

    def targets(self, shape: Node) -> str | None:
        g = self.shapes
        parts = []
        for cls in g.objects(shape, SH.targetClass):
            values = " ".join(c.n3() for c in self.subclasses(cls))
            parts.append(f"{{ ?this a ?_tc . VALUES ?_tc {{ {values} }} }}")
        parts += [f"{{ ?_ts {p.n3()} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        parts += [f"{{ ?this {p.n3()} ?_to }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        parts += [f"{{ BIND({n.n3()} AS ?this) }}" for n in g.objects(shape, SH.targetNode)]
        if not parts:
            return None
        # GROUP BY rather than DISTINCT: Oxigraph pushes the checks' filters into a DISTINCT sub-select
        # (running them once per target triple instead of once per focus node), not into a grouped one.
        return "{ SELECT ?this WHERE { " + " UNION ".join(parts) + self.restrict + " } GROUP BY ?this }"

    def member(self, shape: Node) -> str:
        """A SPARQL expression, true when ``?this`` is a focus node of ``shape`` (as :meth:`targets`)."""
        g = self.shapes
        parts = []
        for cls in g.objects(shape, SH.targetClass):
            values = " ".join(c.n3() for c in self.subclasses(cls))
            parts.append(f"EXISTS {{ ?this a ?_tc . VALUES ?_tc {{ {values} }} }}")
        parts += [f"EXISTS {{ ?_ts {p.n3()} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        parts += [f"EXISTS {{ ?this {p.n3()} ?_to }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        parts += [f"sameTerm(?this, {n.n3()})" for n in g.objects(shape, SH.targetNode)]
        test = " || ".join(f"({t})" for t in parts) or "false"
        if self.restrict:
            test = f"({test}) && {self.restrict_test}"
        return test

    def severity(self, shape: Node) -> URIRef:
        sev = self.shapes.value(shape, SH.severity)
        return sev if isinstance(sev, URIRef) else SH.Violation

    def message(self, shape: Node) -> str | None:
        msgs = list(self.shapes.objects(shape, SH.message))
        if not msgs:
            return None
        en = [m for m in msgs if isinstance(m, Literal) and (m.language or "").startswith("en")]
        return str((en or msgs)[0])

    def value_test(self, shape: Node, var: str) -> str:
        """A SPARQL expression, true when ``var`` satisfies every value-level constraint of ``shape``."""
        tests = []
        for pred, obj in self.shapes.predicate_objects(shape):
            if pred in _VALUE_LEVEL:
                tests.append(self.value_constraint(pred, obj, var, shape))
            elif pred not in _HANDLED:
                raise UnsupportedShape(f"unsupported constraint {pred} in a nested shape")
        return " && ".join(f"({t})" for t in tests) if tests else "true"

    def value_constraint(self, pred: Node, obj: Node, var: str, shape: Node) -> str:
        g = self.shapes
        if pred == SH.datatype:
            if obj == RDF.langString:
                return f'isLiteral({var}) && lang({var}) != ""'
            if obj == XSD.string:
                return f'isLiteral({var}) && lang({var}) = "" && datatype({var}) = {XSD.string.n3()}'
            test = f"isLiteral({var}) && datatype({var}) = {obj.n3()}"
            if obj in _CASTABLE:
                test += f" && COALESCE(isLiteral({obj.n3()}(STR({var}))), false)"
            return test
        if pred == SH["class"]:
            return self.class_test(var, obj)
        if pred == SH.nodeKind:
            return {
                SH.IRI: f"isIRI({var})",
                SH.Literal: f"isLiteral({var})",
                SH.BlankNode: f"isBlank({var})",
                SH.BlankNodeOrIRI: f"!isLiteral({var})",
                SH.IRIOrLiteral: f"!isBlank({var})",
                SH.BlankNodeOrLiteral: f"!isIRI({var})",
            }[obj]  # type: ignore[index]
        if pred == SH["in"]:
            members = list(Collection(g, obj))
            return " || ".join(f"sameTerm({var}, {m.n3()})" for m in members) or "false"
        if pred == SH.hasValue:
            return f"sameTerm({var}, {obj.n3()})"
        if pred == SH.pattern:
            flags = g.value(shape, SH.flags)
            args = f"STR({var}), {Literal(str(obj)).n3()}"
            if flags:
                args += f", {Literal(str(flags)).n3()}"
            return f"!isBlank({var}) && REGEX({args})"
        if pred in (SH.minLength, SH.maxLength):
            op = ">=" if pred == SH.minLength else "<="
            return f"!isBlank({var}) && STRLEN(STR({var})) {op} {int(str(obj))}"
        if pred in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}[
                pred  # type: ignore[index]
            ]
            return f"{var} {op} {obj.n3()}"
        if pred == SH["or"]:
            alternatives = [self.value_test(alt, var) for alt in Collection(g, obj)]
            return " || ".join(f"({a})" for a in alternatives) or "false"
        raise UnsupportedShape(f"unsupported value constraint {pred}")

    # ---- compilation -----------------------------------------------------------------------
    def node_shapes(self) -> list[Node]:
        g = self.shapes
        found = set(g.subjects(RDF.type, SH.NodeShape))
        for pred in (SH.targetClass, SH.targetObjectsOf, SH.targetSubjectsOf, SH.targetNode):
            found.update(g.subjects(pred, None))
        return sorted(found, key=str)

    def compile(self) -> list[Check]:
        checks: list[Check] = []
        for shape in self.node_shapes():
            if self.shapes.value(shape, SH.deactivated) == Literal(True):
                continue
            target = self.targets(shape)
            if target is None:
                continue
            member = self.member(shape)
            for pred in self.shapes.predicates(shape, None):
                if pred not in _HANDLED:
                    raise UnsupportedShape(f"{shape}: unsupported constraint {pred}")
            checks += self.constraints(shape, target, member, None)
            for prop in self.shapes.objects(shape, SH.property):
                if self.shapes.value(prop, SH.deactivated) == Literal(True):
                    continue
                for pred in self.shapes.predicates(prop, None):
                    if pred not in _HANDLED:
                        raise UnsupportedShape(f"{shape}: unsupported constraint {pred} in a property shape")
                path = self.shapes.value(prop, SH.path)
                if path is None:
                    raise UnsupportedShape(f"{shape}: property shape without sh:path")
                checks += self.constraints(prop, target, member, path)
        return _guarded(checks)

    def constraints(self, shape: Node, target: str, member: str, path: Node | None) -> list[Check]:
        """The checks of one shape's own constraints, each a set-at-a-time SELECT (see :data:`_COMPONENTS`).

        Oxigraph joins a triple pattern to what precedes it node by node (one index lookup per row),
        but joins two sub-selects by hashing. So a check that looks for values (or counts) breaking the
        constraint reads the path's triples once, in a sub-select of its own, and keeps the rows whose
        ``?this`` is a focus node with a filter (``member``): there are few such rows, so the targets are
        never listed. A check for what is missing (``sh:minCount``) lists the targets (``target``, a
        sub-select) and removes with ``MINUS`` those that have it, never per focus node.
        """
        out: list[Check] = []
        ctx = _Shape(self, shape, target, member, path, self.path(path) if path is not None else None, out)
        for pred, obj in self.shapes.predicate_objects(shape):
            handler = _COMPONENTS.get(pred)
            if handler is not None:
                handler(ctx, pred, obj)
        return out

    def qualified(self, shape: Node) -> str:
        """A graph pattern keeping the values ``?_v`` that conform to a qualified value shape."""
        constraints = [(p, o) for p, o in self.shapes.predicate_objects(shape) if p in _VALUE_LEVEL]
        if len(constraints) == 1 and constraints[0][0] == SH["class"]:
            classes = " ".join(c.n3() for c in self.subclasses(constraints[0][1]))
            return f"{{ SELECT DISTINCT ?_v WHERE {{ ?_v a ?_qc . VALUES ?_qc {{ {classes} }} }} }}"
        return f"FILTER(COALESCE({self.value_test(shape, '?_v')}, false))"

    def prefixes(self, constraint: Node) -> Iterator[tuple[str, str]]:
        for holder in self.shapes.objects(constraint, SH.prefixes):
            for decl in self.shapes.objects(holder, SH.declare):
                pfx, ns = self.shapes.value(decl, SH.prefix), self.shapes.value(decl, SH.namespace)
                if pfx is not None and ns is not None:
                    yield str(pfx), str(ns)


@dataclass
class _Shape:
    """What a component's compiler needs about the shape being compiled, and where checks go."""

    compiler: _Compiler
    shape: Node
    target: str
    """A sub-select of the focus nodes (``?this``)."""
    member: str
    """A SPARQL expression true when ``?this`` is a focus node."""
    path_node: Node | None
    path: str | None
    """The property path in SPARQL, ``None`` for a node shape's own constraints."""
    out: list[Check]

    def add(
        self,
        component: URIRef,
        where: str,
        select: str = "?this ?value",
        *,
        constraint_shape: Node | None = None,
        message: str | None = None,
        prologue: str = "",
        focus: str = "target",
        key: str | None = None,
    ) -> None:
        """Add a check. ``focus``: how ``where`` meets the focus nodes: ``target`` (it starts from them),
        ``filter`` (its rows are kept when ``?this`` is one) or ``inside`` (``where`` has them).
        ``key``: the property a shared guard is to count for the check (see :func:`_guarded`)."""
        c = self.compiler
        head = f"{self.target} " if focus == "target" else ""
        tail = f" FILTER({self.member})" if focus == "filter" else ""
        body = f"{head}{where}{tail} {_PARENTS}"
        sparql = f"{prologue}SELECT DISTINCT {select} ?_ps ?_pp ?_gs ?_gp WHERE {{ {body} }}"
        self.out.append(
            Check(
                constraint_shape if constraint_shape is not None else self.shape,
                self.path_node,
                component,
                c.severity(self.shape),
                message if message is not None else c.message(self.shape),
                sparql,
                key=key,
            )
        )

    def counted(self, having: str, where: str = "") -> str:
        """Focus nodes whose number of distinct values (meeting ``where``) satisfies ``having``."""
        return (
            f"SELECT ?this WHERE {{ ?this {self.path} ?_v . {where} }} GROUP BY ?this "
            f"HAVING (COUNT(DISTINCT ?_v) {having})"
        )

    def node_only(self, pred: Node) -> None:
        if self.path is None:
            raise UnsupportedShape(f"{self.shape}: {pred} on a node shape")


def _value(ctx: _Shape, pred: Node, obj: Node) -> None:
    """Value-level constraints (datatype, node kind, in, pattern, lengths, ranges, or): bad values."""
    test = ctx.compiler.value_constraint(pred, obj, "?value", ctx.shape)
    component = _COMPONENT[pred]  # type: ignore[index]
    if ctx.path is None:  # the focus node itself is the value
        ctx.add(component, f"BIND(?this AS ?value) FILTER(!COALESCE({test}, false))")
    else:
        ctx.add(
            component,
            f"{{ SELECT ?this ?value WHERE {{ ?this {ctx.path} ?value . "
            f"FILTER(!COALESCE({test}, false)) }} }}",
            focus="filter",
        )


def _has_value(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:hasValue``: on a path, focus nodes without the value; on a node shape, a value-level test."""
    if ctx.path is None:
        _value(ctx, pred, obj)
    else:
        ctx.add(SH.HasValueConstraintComponent, f"MINUS {{ ?this {ctx.path} {obj.n3()} }}", "?this")


def _class(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:class``: values that are not instances of the class (or a subclass)."""
    if ctx.path is None:
        _value(ctx, pred, obj)
        return
    classes = " ".join(c.n3() for c in ctx.compiler.subclasses(obj))
    ctx.add(
        SH.ClassConstraintComponent,
        f"{{ SELECT ?this ?value WHERE {{ ?this {ctx.path} ?value . "
        f"MINUS {{ ?value a ?_cls . VALUES ?_cls {{ {classes} }} }} }} }}",
        focus="filter",
    )


def _min_count(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:minCount``: focus nodes with fewer values."""
    ctx.node_only(pred)
    n = int(str(obj))
    if n == 1:
        ctx.add(SH.MinCountConstraintComponent, f"MINUS {{ ?this {ctx.path} ?_v }}", "?this")
    elif n > 1:
        ctx.add(SH.MinCountConstraintComponent, f"MINUS {{ {ctx.counted(f'>= {n}')} }}", "?this")


def _max_count(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:maxCount``: nodes with more values (counted for every subject, kept when a focus node).

    At most one value is checked as two different values of the same node: Oxigraph finds those pairs
    in about 60 % of the time it takes to count every node's distinct values."""
    ctx.node_only(pred)
    n = int(str(obj))
    if n == 1:
        pairs = f"SELECT DISTINCT ?this WHERE {{ ?this {ctx.path} ?_v , ?_w . FILTER(!sameTerm(?_v, ?_w)) }}"
        key = str(ctx.path_node) if isinstance(ctx.path_node, URIRef) else None  # see _guarded
        ctx.add(SH.MaxCountConstraintComponent, f"{{ {pairs} }}", "?this", focus="filter", key=key)
        return
    ctx.add(SH.MaxCountConstraintComponent, f"{{ {ctx.counted(f'> {n}')} }}", "?this", focus="filter")


def _guarded(checks: list[Check]) -> list[Check]:
    """``checks``, those for ``sh:maxCount 1`` on a property given one shared guard.

    The guard reads every such property once, counting its triples and its distinct subjects: where
    the two numbers are equal, no subject has two values, so the property's checks (in every shape)
    cannot find anything and are skipped. One pass over all of them costs about a third of checking
    each property on its own, and the checks still run, unchanged, for any property it names."""
    single = [c for c in checks if c.key is not None and c.guard is None]
    if not single:
        return checks
    properties = " ".join(sorted({f"<{c.key}>" for c in single}))
    guard = (
        "SELECT ?key WHERE { { SELECT ?key (COUNT(*) AS ?_n) (COUNT(DISTINCT ?_s) AS ?_d) "
        f"WHERE {{ VALUES ?key {{ {properties} }} ?_s ?key ?_o }} GROUP BY ?key }} FILTER(?_n != ?_d) }}"
    )
    return [replace(c, guard=guard) if c.key is not None and c.guard is None else c for c in checks]


def _unique_lang(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:uniqueLang true``: nodes with two values in one language."""
    ctx.node_only(pred)
    if obj != Literal(True):
        return
    ctx.add(
        SH.UniqueLangConstraintComponent,
        f"{{ SELECT ?this WHERE {{ ?this {ctx.path} ?_a . "
        'FILTER(isLiteral(?_a) && lang(?_a) != "") } '
        "GROUP BY ?this (LCASE(lang(?_a)) AS ?_l) HAVING (COUNT(DISTINCT ?_a) > 1) }",
        "?this",
        focus="filter",
    )


def _less_than(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:lessThan``: pairs of values where the path's value is not below the other property's."""
    ctx.node_only(pred)
    ctx.add(
        SH.LessThanConstraintComponent,
        f"{{ SELECT ?this ?value WHERE {{ ?this {ctx.path} ?value }} }} "
        f"{{ SELECT ?this ?_o WHERE {{ ?this {ctx.compiler.path(obj)} ?_o }} }} "
        "FILTER(!COALESCE(?value < ?_o, false))",
        focus="filter",
    )


def _qualified(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``."""
    ctx.node_only(pred)
    g = ctx.compiler.shapes
    lo, hi = g.value(ctx.shape, SH.qualifiedMinCount), g.value(ctx.shape, SH.qualifiedMaxCount)
    qualified = ctx.compiler.qualified(obj)
    if lo is not None and int(str(lo)) > 0:
        ctx.add(
            SH.QualifiedMinCountConstraintComponent,
            f"MINUS {{ {ctx.counted(f'>= {int(str(lo))}', qualified)} }}",
            "?this",
        )
    if hi is not None:
        ctx.add(
            SH.QualifiedMaxCountConstraintComponent,
            f"{{ {ctx.counted(f'> {int(str(hi))}', qualified)} }}",
            "?this",
            focus="filter",
        )


def _sparql(ctx: _Shape, pred: Node, obj: Node) -> None:
    """``sh:sparql`` with ``sh:select``: the constraint's own query, the focus nodes pre-bound."""
    c = ctx.compiler
    g = c.shapes
    if g.value(obj, SH.deactivated) == Literal(True):
        return
    select = g.value(obj, SH.select)
    if select is None:
        raise UnsupportedShape(f"{ctx.shape}: SPARQL constraint without sh:select")
    prologue = "".join(f"PREFIX {pfx}: <{ns}>\n" for pfx, ns in c.prefixes(obj))
    body = str(select)
    names = _projected(body)
    # $this is pre-bound in SHACL: join the targets first inside the constraint's own WHERE.
    m = re.search(r"\bWHERE\s*\{", body, re.I)
    if m is None:
        raise UnsupportedShape(f"{ctx.shape}: SPARQL constraint without a WHERE clause")
    body = body[: m.end()] + f" {ctx.target} " + body[m.end() :]
    ctx.add(
        SH.SPARQLConstraintComponent,
        f"{{ {body} }}",
        " ".join(["?this", *(f"?{n}" for n in names if n != "this")]),
        constraint_shape=obj,
        message=c.message(obj) or c.message(ctx.shape),
        prologue=prologue,
        focus="inside",
    )


_COMPONENTS: dict[Node, Callable[[_Shape, Node, Node], None]] = {
    **dict.fromkeys(_VALUE_LEVEL, _value),
    SH.hasValue: _has_value,
    SH["class"]: _class,
    SH.minCount: _min_count,
    SH.maxCount: _max_count,
    SH.uniqueLang: _unique_lang,
    SH.lessThan: _less_than,
    SH.qualifiedValueShape: _qualified,
    SH.sparql: _sparql,
}
"""The compiler of each SHACL constraint parameter a shape may use (one function per component)."""


def _projected(select: str) -> list[str]:
    """Variable names a ``SELECT`` clause projects (``$this`` as ``this``)."""
    m = re.search(r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)\s+WHERE", select, re.S | re.I)
    if not m or m.group(1).strip() == "*":
        return ["this"]
    return [v[1:] for v in re.findall(r"[?$]\w+", m.group(1))]


def compile_shapes(
    shapes: Graph | None = None, ontology: Graph | None = None, focus_graphs: Iterable[str] = ()
) -> list[Check]:
    """Compile a SHACL shapes graph (default: probkg's) into SPARQL checks.

    With ``focus_graphs``, only focus nodes that occur in those named graphs are checked (against
    everything the store holds): how a load validates what it adds and the nodes it touches.
    """
    focus_graphs = list(focus_graphs)
    if shapes is None and ontology is None and not focus_graphs:
        return list(_default_checks())
    if shapes is None or ontology is None:
        from probkg.ontology import ontology_graph, shapes_graph

        shapes = shapes if shapes is not None else shapes_graph()
        ontology = ontology if ontology is not None else ontology_graph()
    return _Compiler(shapes, ontology, focus_graphs).compile()


@lru_cache(maxsize=1)
def _default_checks() -> tuple[Check, ...]:
    from probkg.ontology import ontology_graph, shapes_graph

    return tuple(_Compiler(shapes_graph(), ontology_graph()).compile())


Row = dict[str, Any]


def run_checks(
    select: Callable[[str], Iterable[Row]],
    checks: Iterable[Check] | None = None,
    shapes: Graph | None = None,
    checked: int = 0,
    *,
    keep: Callable[[Node], bool] | None = None,
    workers: int = 1,
) -> Report:
    """Run compiled checks through ``select`` (SPARQL text -> rows of rdflib terms by variable name).

    With ``keep``, only results whose focus node it accepts are reported. With ``workers`` > 1 the
    checks run on that many threads (Oxigraph releases the GIL while it evaluates a query); the report
    is the same.
    """
    from probkg.validation.gate import Report, ValidationResult, _constraint, _name, _path, _shape

    if checks is None:
        checks = _default_checks()
    if shapes is None:
        from probkg.ontology import shapes_graph

        shapes = shapes_graph()
    seen: set[tuple[str, str | None, str | None, str]] = set()
    results: list[ValidationResult] = []
    checks = list(checks)
    # Each guard runs once, and tells which of the checks it guards can find anything.
    guards = sorted({c.guard for c in checks if c.guard is not None})

    def keys(guard: str) -> set[str]:
        return {str(row.get("key")) for row in select(guard)}

    def run(check: Check) -> list[Row]:
        return list(select(check.sparql))

    def named(candidates: list[Check], passed: dict[str, set[str]]) -> list[Check]:
        """The checks left once the guards have answered."""
        return [c for c in candidates if c.guard is None or c.key in passed[c.guard]]

    answers: Iterable[Iterable[Row]]
    if workers > 1 and len(checks) > 1:
        # the guards first, the unguarded checks beside them, then the guarded checks their guards name
        with ThreadPoolExecutor(workers) as pool:
            guarded = {g: pool.submit(keys, g) for g in guards}
            futures = {id(c): pool.submit(run, c) for c in checks if c.guard is None}
            checks = named(checks, {g: f.result() for g, f in guarded.items()})
            futures.update({id(c): pool.submit(run, c) for c in checks if c.guard is not None})
            answers = [futures[id(c)].result() for c in checks]
    else:
        checks = named(checks, {g: keys(g) for g in guards})
        answers = (select(c.sparql) for c in checks)
    for check, rows in zip(checks, answers, strict=True):
        for row in rows:
            focus = row.get("this")
            if focus is None or (keep is not None and not keep(focus)):
                continue
            value = row.get("value")
            focus_name = _focus_name(focus, row, _name)
            severity = str(check.severity).rsplit("#", 1)[-1]
            path = _path(shapes, check.path)
            key = (focus_name, path, _name(value) if value is not None else None, str(check.component))
            if key in seen:
                continue
            seen.add(key)
            results.append(
                ValidationResult(
                    severity=severity,
                    focus=focus_name,
                    path=path,
                    message=_fill(check.message, row) if check.message else _default_message(check),
                    shape=_shape(shapes, check.shape),
                    constraint=_constraint(check.component),
                    value=_name(value)
                    if value is not None
                    else (_name(focus) if check.component != SH.SPARQLConstraintComponent else None),
                )
            )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda x: (order.get(x.severity, 3), x.focus, x.path or "", x.message))
    return Report(
        conforms=not any(r.severity == "Violation" for r in results), results=results, checked=checked
    )


def _focus_name(focus: Node, row: Row, name: Callable[[Node | None], str | None]) -> str:
    if not isinstance(focus, BNode):
        return name(focus) or "?"
    parent, pred = row.get("_ps"), row.get("_pp")
    if parent is None:
        return "[]"
    if isinstance(parent, BNode):
        grand, gpred = row.get("_gs"), row.get("_gp")
        inner = (
            f"[] of {name(grand)} {name(gpred)}"
            if grand is not None and not isinstance(grand, BNode)
            else "[]"
        )
        return f"[] of {inner} {name(pred)}"
    return f"[] of {name(parent)} {name(pred)}"


def _fill(message: str, row: Row) -> str:
    def sub(m: re.Match[str]) -> str:
        term = row.get(m.group(1))
        return str(term) if term is not None else m.group(0)

    return re.sub(r"\{[?$](\w+)\}", sub, message)


def _default_message(check: Check) -> str:
    local = str(check.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"{local} constraint not satisfied"


def validate_store_sparql(store: Store) -> Report:
    """Validate a whole store by running the compiled shapes inside it (seconds at a million triples).

    Meant for Oxigraph-backed stores (embedded or server): the lexical checks of ``sh:datatype`` use
    SPARQL casts to ``xsd:date``, ``xsd:gYear`` and ``xsd:gYearMonth`` that rdflib's engine lacks. The
    ontology must be in the store (``probkg build`` loads it), as SPARQL constraints read
    ``rdfs:subClassOf`` from the data.
    """

    def select(sparql: str) -> Iterator[Row]:
        result = store.query(sparql)
        for row in result:
            yield {str(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]

    return run_checks(select, checked=store.triple_count())


def oxigraph_select(store: Any, *, union: bool = True) -> Callable[[str], Iterator[Row]]:
    """A ``select`` function for :func:`run_checks` over a bare :class:`pyoxigraph.Store`.

    ``union``: the default graph is the union of the named graphs (else the store's default graph).
    """
    from probkg.graph._oxterms import to_rdflib

    def select(sparql: str) -> Iterator[Row]:
        solutions = store.query(sparql, use_default_graph_as_union=union)
        names = [v.value for v in solutions.variables]
        for sol in solutions:
            yield {n: to_rdflib(sol[n]) for n in names if sol[n] is not None}

    return select

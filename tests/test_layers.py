"""The package layout is a stack of layers, and imports only point down (docs/architecture.md).

Every ``import`` in ``probkg/`` is read from the source with :mod:`ast`, including imports inside
functions and under ``TYPE_CHECKING``, so an upward import cannot hide in a function body. Two rules:

1. a module may import its own package, or a package of a lower layer, never a higher one;
2. the module import graph has no cycle (a cycle inside one package is as hard to follow as one across).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1] / "probkg"

# Lowest first. A package may import any package of a lower layer; packages on one layer do not
# import each other. Keep in step with the picture in docs/architecture.md.
LAYERS: list[set[str]] = [
    {"probkg.errors", "probkg.units", "probkg._version", "probkg.formats"},
    {"probkg.ontology"},
    {"probkg.registry"},
    {"probkg.graph"},
    {"probkg.validation"},
    {"probkg.loaders", "probkg.synth"},
    {"probkg.loading"},
    {"probkg.queries"},
    {"probkg.search"},
    {"probkg.exports", "probkg.evaluation"},
    {"probkg.publish"},
    {"probkg.api"},
    {"probkg.server"},
    {"probkg.cli"},
    {"probkg"},
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The probkg modules ``name`` imports, resolved to modules that exist."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for dotted in targets:
            # "from probkg.x import y": y may be a module or a name in probkg.x; take the longest match.
            target = dotted
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("probkg") and target != name:
                found.add(target)
    return found


def _layer_of(module: str) -> tuple[int, str]:
    best = (-1, "")
    for index, layer in enumerate(LAYERS):
        for package in layer:
            if (module == package or module.startswith(package + ".")) and len(package) > len(best[1]):
                best = (index, package)
    return best


MODULES = _modules()
GRAPH = nx.DiGraph()
for _name, _path in MODULES.items():
    GRAPH.add_node(_name)
    for _target in _imports(_name, _path, set(MODULES)):
        GRAPH.add_edge(_name, _target)


def test_every_module_belongs_to_a_layer() -> None:
    unplaced = sorted(m for m in MODULES if _layer_of(m)[0] < 0)
    assert not unplaced, f"modules on no layer (add them to LAYERS and docs/architecture.md): {unplaced}"


def test_imports_point_down() -> None:
    upward = []
    for source, target in GRAPH.edges:
        (source_layer, source_package), (target_layer, target_package) = _layer_of(source), _layer_of(target)
        if target == "probkg" and source_package != "probkg":
            upward.append(f"{source} -> {target} (the package root is the top layer)")
        elif source_package != target_package and target_layer >= source_layer:
            upward.append(f"{source} -> {target}")
    assert not upward, "imports that point up or sideways:\n" + "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    cycles = [c for c in nx.simple_cycles(GRAPH) if len(c) > 1]
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join([*c, c[0]]) for c in cycles)


@pytest.mark.parametrize(
    ("source", "target", "upward"),
    [
        ("probkg.graph.base", "probkg.loaders.base", True),
        ("probkg.loaders.curated", "probkg.graph.base", False),
    ],
)
def test_the_rule_itself(source: str, target: str, upward: bool) -> None:
    """The layer table orders the packages as the architecture says (a guard on the checker)."""
    assert (_layer_of(target)[0] >= _layer_of(source)[0]) is upward

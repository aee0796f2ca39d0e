"""The shape of the house, checked by reading the source (no app needed).

- The core (`marketplace/`) imports no domain package, at module level or inside a function:
  domains plug in through `app.py` and the hooks they register.
- No module imports another module's private `_name`.
- Imports between our files (inside functions too) form no circle (a circle means two files are one idea,
  or a dependency points the wrong way).
- Every setting the code reads is declared in `marketplace/config.py` (or is Flask's own), and is
  read as `config["NAME"]`: no `config.get(...)` with a second default at the read site.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = ("catalog", "orders", "promotions", "search")
PACKAGES = ("marketplace", *DOMAINS)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), path, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.AST, module: str, *, top_level_only: bool = False):
    """(imported module, names, line) for each import in `tree`; relative imports resolved."""
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base, [a.name for a in node.names], node.lineno


def _is_ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def test_the_core_imports_no_domain():
    found = []
    for module, path, tree in _sources():
        if module.split(".")[0] != "marketplace":
            continue
        for imported, _names, line in _imports(tree, module):
            if imported.split(".")[0] in (*DOMAINS, "app"):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert found == []


def test_no_module_imports_a_private_name_of_another():
    found = []
    for module, path, tree in _sources():
        for imported, names, line in _imports(tree, module):
            if not _is_ours(imported) or imported == module:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {private} from {imported}")
    assert found == []


def test_imports_form_no_circle():
    modules = {module for module, _path, _tree in _sources()}
    graph: dict[str, set[str]] = {}
    for module, _path, tree in _sources():
        edges = set()
        for imported, names, _line in _imports(tree, module):
            if not _is_ours(imported):
                continue
            # `from pkg import mod` imports the module pkg.mod when there is one
            targets = [f"{imported}.{n}" for n in names if f"{imported}.{n}" in modules]
            edges.update(targets or ([imported] if imported in modules else []))
        edges.discard(module)
        # A package's __init__ (its blueprint and init_app) imports its modules inside init_app,
        # and they take the blueprint from it: the Flask idiom, not a circle between two ideas.
        edges = {e for e in edges if not module.startswith(e + ".")}
        graph[module] = edges

    circles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert circles == [], "\n".join(circles)


def _is_config(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config")


def test_every_setting_read_is_declared_once_and_read_without_a_default():
    from flask import Flask

    from marketplace import config

    declared = set(config.load()) | set(Flask.default_config)
    undeclared, with_get = [], []
    for module, _path, tree in _sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Subscript) and _is_config(node.value)
                    and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
                    and node.slice.value.isupper() and node.slice.value not in declared):
                undeclared.append(f"{module}:{node.lineno} {node.slice.value}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" and _is_config(node.func.value)):
                with_get.append(f"{module}:{node.lineno}")
    assert not undeclared, undeclared
    assert not with_get, with_get

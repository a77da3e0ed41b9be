"""The layers of ``src/clausegen`` stay as ``docs/architecture.md`` draws them, without anyone watching.

Every import of every module is read with ``ast`` — those inside functions too: a deferred import is still a
dependency — and mapped to the unit it reaches (a top-level module, or a top-level package). The test fails
on any import that points to a unit of the same floor (siblings never import one another) or of a higher
floor, on any cycle between modules, and on any module over the size budget.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "clausegen"

# Each unit of the package and its floor: an import may only reach a unit of a strictly lower floor.
FLOORS = {
    "_version": 0, "records": 0,
    "errors": 1, "fmt": 1, "model": 1, "cache": 1,
    "compiled": 2,  # run by ``__init__`` before any class is defined
    "law": 2,
    "profile": 3,
    "calc": 4,
    "working": 5,
    "plan": 6, "files": 6, "docx": 6,
    "many": 7,  # runs many profiles; its workers handle signals as ``files`` does
    "render": 8, "review": 8, "report": 8, "export": 8,
    "web": 9,
    "cli": 10,
    "__init__": 11, "__main__": 11,  # the public API and ``python -m clausegen``: nothing below imports them
}
MAX_LINES = 420  # « no module over about 400 lines »


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of clausegen that ``name`` imports, anywhere in its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [f"{target}.{alias.name}" for alias in node.names]
            # « from . import x » reaches the module x when it is one, else the package itself
            hits = [c for c in candidates if c in known]
            found.update(hits if hits else ([target] if target in known else []))
            if hits and len(hits) < len(candidates) and target in known:
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    found.discard(name)
    return found


def _unit(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_every_unit_has_a_floor():
    units = {_unit(m) for m in _modules()}
    assert units <= set(FLOORS), f"unités sans étage dans FLOORS : {sorted(units - set(FLOORS))}"


def test_imports_point_down(graph):
    wrong = []
    for module, targets in graph.items():
        source = _unit(module)
        for target in targets:
            dest = _unit(target)
            if dest == source:
                continue
            if FLOORS[dest] >= FLOORS[source]:
                kind = "sibling" if FLOORS[dest] == FLOORS[source] else "upward"
                wrong.append(f"{module} -> {target} ({kind}: {source}@{FLOORS[source]} -> {dest}@{FLOORS[dest]})")
    assert not wrong, "imports that do not point down:\n" + "\n".join(sorted(wrong))


def test_no_cycle(graph):
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_over_budget():
    big = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    over = {name: n for name, n in big.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"


def test_each_package_says_what_it_holds_and_may_import():
    missing = []
    for name, path in _modules().items():
        if path.name == "__init__.py" and name.count(".") == 1:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "may import:" not in doc.lower():
                missing.append(name)
    assert not missing, f"package docstrings that do not say what the package may import: {missing}"


def test_the_checker_sees_deferred_imports(tmp_path):
    """The test itself: an import inside a function is found (several cycles hid in them)."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .other import g\n    return g\n", encoding="utf-8")
    assert _imports("clausegen.render.m", module, {"clausegen.render.other"}) == {"clausegen.render.other"}

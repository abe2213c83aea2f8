"""The architecture holds: layers (import-linter), no import cycles, no private imports across
packages, small modules and functions. docs/architecture.md explains the layers.

Imports inside functions count; imports under ``if TYPE_CHECKING:`` do not.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "opsnn_opt"
# Modules of the base layer: any package may import them, private or not.
BASE = {"errors", "params", "_version", "_mask", "_plugins", "_env", "_optuna_compat", "_argtypes", "__main__"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _layer(module: str) -> str:
    """The package a module belongs to: ``opsnn_opt.study.spec._space`` -> ``study``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "<root>"
    return "<base>" if parts[1] in BASE else parts[1]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("opsnn_opt", exclude_type_checking_imports=True, cache_dir=None)


def test_import_linter_contracts_are_kept():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    linter = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " 0 broken" in out.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_between_any_two_modules(graph):
    assert _cycles(graph) == []


def test_no_package_imports_another_packages_private_modules(graph):
    private = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if _layer(imported) in (_layer(importer), "<base>", "<root>"):
                continue
            if any(part.startswith("_") for part in imported.split(".")[1:]):
                private.append(f"{importer} -> {imported}")
    assert private == []


def _private_names_imported_across_packages(path: Path, module: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("opsnn_opt"):
            if _layer(node.module) in (_layer(module), "<base>"):
                continue
            found += [
                f"{module}: {node.module}.{a.name}"
                for a in node.names
                if a.name.startswith("_") and not (node.module == "opsnn_opt" and a.name in BASE)
            ]
    return [f for f in found if not f.endswith(".__version__")]


def _modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((path, ".".join(parts)))
    return out


def test_no_private_names_imported_across_packages():
    found = [f for path, module in _modules() for f in _private_names_imported_across_packages(path, module)]
    assert found == []


def test_modules_are_small():
    long = [
        f"{p.relative_to(ROOT)}: {n}"
        for p, _ in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []


def test_functions_are_short():
    long = []
    for path, _ in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_the_checks_see_an_upward_import_and_a_cycle(tmp_path):
    """The checks above can fail: a fake package with an upward import and a cycle is caught."""
    pkg = tmp_path / "fakepkg"
    (pkg / "low").mkdir(parents=True)
    (pkg / "high").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("")
    (pkg / "high" / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text("def f():\n    from fakepkg.high import b\n")
    (pkg / "high" / "b.py").write_text("from fakepkg.low import a\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_package = "fakepkg"\n'
        '[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\n'
        'layers = ["fakepkg.high", "fakepkg.low"]\n'
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    linter = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(linter), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "fakepkg.low is not allowed to import fakepkg.high" in out.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        fake = grimp.build_graph("fakepkg", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))
    assert _cycles(fake) == [["fakepkg.high.b", "fakepkg.low.a"]]

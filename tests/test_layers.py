"""The layers the code is arranged in, checked from its imports.

returns → etl (read, validate, load) → database → dashboard.engine → dashboard.views → pages.
Each rule below names what a layer may not reach for; the test reads every import with `ast`,
so a rule broken anywhere, even inside a function, fails here with the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("etl", "dashboard", "pages")
UI_LAYERS = ("dashboard.ui", "dashboard.auth", "pages")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module this file imports (absolute names), with the line it does so on."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # imports only a type checker runs (`if TYPE_CHECKING:`) make no circle at run time
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from dashboard.views import briefing` imports the module dashboard.views.briefing;
            # `from dashboard.engine import run` imports the package's face.
            submodules = [f"{node.module}.{a.name}" for a in node.names if _exists(f"{node.module}.{a.name}")]
            found.extend((name, node.lineno) for name in submodules)
            if len(submodules) < len(node.names):
                found.append((node.module, node.lineno))
    return found


def _exists(module: str) -> bool:
    base = REPO.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


MODULES: dict[str, Path] = {_module_name(p): p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py"))}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _breaches(
    owners: tuple[str, ...], forbidden: tuple[str, ...], allowed_exceptions: tuple[str, ...] = ()
) -> list[str]:
    breaches = []
    for name, imports in IMPORTS.items():
        if not any(_within(name, owner) for owner in owners):
            continue
        if any(_within(name, exempt) for exempt in allowed_exceptions):
            continue
        for target, line in imports:
            if any(_within(target, bad) for bad in forbidden):
                breaches.append(f"{MODULES[name].relative_to(REPO)}:{line} imports {target}")
    return sorted(set(breaches))


def test_the_layer_map_covers_the_code():
    # The rules below only mean something if the packages they name exist and hold the code.
    for package in (
        "etl.core",
        "etl.returns",
        "etl.places",
        "etl.regions",
        "etl.catalogue",
        "etl.workflow",
        "etl.targets",
        "etl.sample",
        "dashboard.engine",
        "dashboard.queries",
        "dashboard.views",
        "dashboard.render",
        "dashboard.report",
        "dashboard.ui",
        "dashboard.auth",
    ):
        assert package in MODULES, package
    flat = sorted(n for n in MODULES if n.count(".") == 1 and n.split(".")[1] not in {"__main__", "app", "build"})
    flat = [n for n in flat if n.split(".")[0] != "pages" and not (REPO / n.replace(".", "/")).is_dir()]
    assert flat == []


def test_etl_never_imports_the_dashboard():
    assert _breaches(("etl",), ("dashboard", "pages", "streamlit")) == []


def test_the_engine_imports_no_streamlit_views_or_renderers():
    forbidden = (
        "streamlit",
        "dashboard.views",
        "dashboard.render",
        "dashboard.report",
        "dashboard.ui",
        "dashboard.auth",
        "pages",
    )
    assert _breaches(("dashboard.engine", "dashboard.queries"), forbidden) == []


def test_views_renderers_and_reports_import_no_streamlit():
    forbidden = ("streamlit", "dashboard.ui", "dashboard.auth.gate", "pages")
    assert _breaches(("dashboard.views", "dashboard.render", "dashboard.report"), forbidden) == []


def test_pages_import_only_views_renderers_reports_ui_and_auth():
    allowed = ("dashboard.views", "dashboard.render", "dashboard.report", "dashboard.ui", "dashboard.auth")
    breaches = []
    for name, imports in IMPORTS.items():
        if not _within(name, "pages"):
            continue
        for target, line in imports:
            if target.split(".")[0] in ("etl", "dashboard") and target != "dashboard":
                if not any(_within(target, ok) for ok in allowed):
                    breaches.append(f"{MODULES[name].relative_to(REPO)}:{line} imports {target}")
    assert breaches == []


def _graph() -> dict[str, set[str]]:
    return {
        name: {target for target, _ in imports if target in MODULES and target != name}
        for name, imports in IMPORTS.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_a_circle(graph, expected):
    assert _cycles(graph) == expected

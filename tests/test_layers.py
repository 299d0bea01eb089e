"""The layers of the code, read from its imports (any nesting level counts).

- no import cycles between the modules of app/ and ui/;
- app/ never imports ui/ (tests/test_core_is_qt_free.py also keeps Qt widgets out of it), except
  the command line handing over to the window;
- headquarters (app/hq) never imports the laptop's screens, its profile, its workbench or its demo:
  HQ prepares events with functions of its own;
- the command line (app/cli) is argument parsing and printing: nothing in the core or the
  window imports it
  (HQ's own command line shares its helpers);
- inside ui/, widgets and dialogs do not import the pages built from them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "ui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:  # Alembic loads these by path, nothing imports them
                continue
            found[module_name(path)] = path
    return found


MODULES = source_files()


def imported_modules(name: str, path: Path) -> Iterator[str]:
    """The project's modules that ``name`` imports: ``from a.b import c`` names a.b.c when c
    is a module, else a.b."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}"
                elif base in MODULES:
                    yield base


GRAPH = {name: sorted(set(imported_modules(name, path)) - {name})
         for name, path in MODULES.items()}


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in graph:
        if node not in index:
            visit(node)
    return found


def importers_of(prefixes: tuple[str, ...], among: str) -> list[str]:
    def inside(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    return sorted(f"{name} -> {target}" for name, targets in GRAPH.items()
                  if inside(name, among) for target in targets
                  if any(inside(target, p) for p in prefixes))


def test_the_reader_sees_the_project() -> None:
    assert "app.inspection.workbench" in MODULES and "ui.main_window" in MODULES
    assert "app.profile.db" in GRAPH["app.inspection.workbench"]
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}) == []


def test_no_import_cycles() -> None:
    assert cycles(GRAPH) == []


def test_the_core_does_not_import_the_screens() -> None:
    found = importers_of(("ui",), among="app")
    # the doors from the command line to the window: opening it, and --self-test's window steps
    doors = ("app.cli.main -> ui.application", "app.cli.main -> ui.self_test_qt")
    assert [edge for edge in found if not edge.startswith(doors)] == []


def test_headquarters_has_nothing_of_the_laptop() -> None:
    laptop = ("ui", "app.inspection.workbench", "app.profile.db", "app.demo", "app.cli.main")
    assert importers_of(laptop, among="app.hq") == []


def test_the_window_does_not_go_through_the_command_line() -> None:
    """The window opens a profile with app.profile.opening, as the command line does."""
    assert importers_of(("app.cli",), among="ui") == []


def test_nothing_in_the_core_imports_the_command_line() -> None:
    found = importers_of(("app.cli",), among="app")
    # command lines (the laptop's, HQ's app.hq.cli) share app.cli.common
    allowed = ("app.cli.", "app.__main__ ", "app.hq.cli ", "app.hq.commands ")
    assert [edge for edge in found if not edge.startswith(allowed)] == []


@pytest.mark.parametrize("part", ["ui.widgets", "ui.dialogs"])
def test_widgets_and_dialogs_do_not_import_pages(part: str) -> None:
    assert importers_of(("ui.pages", "ui.main_window"), among=part) == []

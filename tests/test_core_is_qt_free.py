"""The core (app/) may use QtCore's translate, never the widgets or the GUI module."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app"
FORBIDDEN = ("PySide6.QtWidgets", "PySide6.QtGui")


def _is_forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in (*FORBIDDEN, "ui"))


def forbidden_imports(source: str) -> list[str]:
    """Forbidden modules imported anywhere in ``source`` (top level or nested)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names if _is_forbidden(alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if _is_forbidden(node.module):
                found.append(node.module)
            else:  # from PySide6 import QtGui
                found.extend(name for name in (f"{node.module}.{a.name}" for a in node.names)
                             if _is_forbidden(name))
    return found


def test_the_checker_catches_each_form() -> None:
    assert forbidden_imports("import PySide6.QtWidgets") == ["PySide6.QtWidgets"]
    assert forbidden_imports("from PySide6 import QtGui") == ["PySide6.QtGui"]
    assert forbidden_imports("from PySide6.QtWidgets import QLabel") == ["PySide6.QtWidgets"]
    assert forbidden_imports("def f():\n    from PySide6.QtGui import QImage\n")
    assert forbidden_imports("from PySide6.QtCore import QCoreApplication") == []
    assert forbidden_imports("import PySide6.QtGuiExtra") == []
    assert forbidden_imports("from ui.application import run_gui") == ["ui.application"]


def core_files() -> list[Path]:
    files = sorted(APP.rglob("*.py"))
    assert APP / "inspection" / "workbench.py" in files
    assert APP / "inspection" / "roster" / "checks.py" in files
    return files


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_widget_or_gui_import(path: Path) -> None:
    """Any level of nesting counts, including a function-local import.

    The one allowed exception is cli.py handing over to ``ui.application`` when a window is
    actually wanted (the GUI entry point), which imports nothing from Qt itself.
    """
    found = forbidden_imports(path.read_text(encoding="utf-8"))
    if path == APP / "cli" / "main.py":
        found = [name for name in found if not name.startswith("ui.")]
    assert found == [], f"{path.relative_to(REPO)} imports {found}"


@pytest.mark.slow  # starts a process
def test_importing_the_core_loads_no_widgets() -> None:
    code = (
        "import json, sys\n"
        "import app.inspection.workbench, app.inspection.roster, app.inspection.identity\n"
        "import app.demo, app.cli.main, app.profile.db\n"
        "import app.inspection.checklist, app.inspection.domain, app.i18n, app.profile.paths\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('PySide6', 'ui')))))\n"
    )
    env = dict(os.environ)
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "PySide6.QtCore" in loaded  # the check would see a Qt module if one were loaded
    for module in FORBIDDEN:
        assert module not in loaded
    assert not [m for m in loaded if m == "ui" or m.startswith("ui.")]

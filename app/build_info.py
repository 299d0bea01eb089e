"""What this copy of the program is: its version, the commit and date it was built from, and
the versions of what it runs on (``--version``, and Help → About).

A frozen build carries ``app/build.json``, written by ``scripts/build.sh`` before PyInstaller
runs (the folder a supervisor gets has no git). From a checkout the commit is asked of git,
and the build date says it is not a build.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion

from app import APP_NAME, APP_NAME_ZH, __version__

BUILD_FILE = Path(__file__).resolve().parent / "build.json"
REPO = Path(__file__).resolve().parent.parent
FROM_SOURCE = "not a build (running from source)"


@dataclass(frozen=True)
class BuildInfo:
    version: str
    commit: str
    built: str
    python: str
    qt: str
    pyside: str
    sqlite: str
    system: str

    def lines(self) -> list[str]:
        return [f"{APP_NAME} ({APP_NAME_ZH}) {self.version}",
                f"commit {self.commit}", f"built {self.built}",
                f"Python {self.python}", f"Qt {self.qt} (PySide6 {self.pyside})",
                f"SQLite {self.sqlite}", self.system]


def _recorded() -> dict[str, str]:
    """What the build script wrote, when this is a build."""
    try:
        data = json.loads(BUILD_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: str(value) for key, value in data.items()} if isinstance(data, dict) else {}


def source_commit() -> str:
    """The checkout's commit (with "+changes" when files differ from it), or "unknown"."""
    if getattr(sys, "frozen", False) or not (REPO / ".git").exists():
        return "unknown"
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
                                capture_output=True, text=True, timeout=5, check=True)
        changed = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain",
                                  "--untracked-files=no"],
                                 capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit.stdout.strip() + ("+changes" if changed.stdout.strip() else "")


def build_info() -> BuildInfo:
    recorded = _recorded()
    return BuildInfo(
        version=__version__,
        commit=recorded.get("commit") or source_commit(),
        built=recorded.get("built") or ("unknown" if getattr(sys, "frozen", False)
                                        else FROM_SOURCE),
        python=platform.python_version(), qt=qVersion(), pyside=pyside_version,
        sqlite=sqlite3.sqlite_version,
        system=f"{platform.system()} {platform.release()} ({platform.machine()})")

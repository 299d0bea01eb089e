"""Collect the tr() strings into the .ts file and compile it to the .qm the app loads.

Run after changing any user-visible string:  .venv/bin/python scripts/update_translations.py
then translate the new entries (Qt Linguist: pyside6-linguist, or edit the .ts) and run it
again. tests/test_translations.py fails while any entry is unfinished or the .qm is stale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TS = REPO / "resources" / "translations" / "venue_supervisor_zh_CN.ts"
QM = TS.with_suffix(".qm")


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(found).exists():
        raise SystemExit(f"{name} not found: install PySide6 in this environment")
    return found


def sources() -> list[str]:
    return sorted(str(p.relative_to(REPO)) for d in ("app", "ui") for p in (REPO / d).rglob("*.py")
                  if "migrations" not in p.parts)


def update_ts(target: Path = TS) -> None:
    subprocess.run([tool("pyside6-lupdate"), *sources(), "-ts", str(target),
                    "-target-language", "zh_CN", "-no-obsolete", "-locations", "none"],
                   cwd=REPO, check=True, capture_output=True)


def release(target: Path = TS, output: Path = QM) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(target), "-qm", str(output)],
                   cwd=REPO, check=True, capture_output=True)


if __name__ == "__main__":
    update_ts()
    release()
    unfinished = TS.read_text(encoding="utf-8").count('type="unfinished"')
    print(f"{TS.name}: {unfinished} unfinished; wrote {QM.name}")

"""The PyInstaller spec builds a program that starts and reads a roster (smoke test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def test_frozen_build_runs(tmp_path: Path, fixture_roster: Path) -> None:
    pyinstaller = shutil.which("pyinstaller") or str(Path(sys.executable).with_name(
        "pyinstaller"))
    subprocess.run([pyinstaller, "--noconfirm", "--log-level", "ERROR", "--distpath",
                    str(tmp_path / "dist"), "--workpath", str(tmp_path / "build"),
                    str(REPO / "build.spec")], cwd=REPO, check=True, timeout=400)
    program = tmp_path / "dist" / "venue-supervisor" / "venue-supervisor"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    checked = subprocess.run([str(program), "roster", "check", str(fixture_roster),
                              "--lang", "zh_CN"], capture_output=True, text=True, env=env,
                             timeout=60, check=True)
    summary = json.loads(checked.stdout.splitlines()[0])
    assert (summary["rows"], summary["valid"]) == (600, 600)
    assert summary["problems"][0]["message"].startswith("未填写背景审查")  # .qm bundled
    version = subprocess.run([str(program), "--version"], capture_output=True, text=True,
                             env=env, timeout=60, check=True).stdout.splitlines()
    assert version[0].startswith("Venue Supervisor (大型活动安保现场督导) ")
    assert version[2] == "built unknown"  # no app/build.json: built without scripts/build.sh
    assert any(line.startswith("Qt 6.") for line in version)
    # everything a day at a venue needs is in the bundle: profile, badge, signed PDF, bundle
    # and the window's pieces: Qt's plugins, its Chinese, the font, the main window itself
    checked_self = subprocess.run([str(program), "--self-test", "--lang", "en"],
                                  capture_output=True, text=True, env=env, timeout=300)
    assert checked_self.returncode == 0, checked_self.stderr
    steps = [line.split(":")[0] for line in checked_self.stdout.splitlines()[:-1]]
    assert steps[-7:] == ["ok  Qt platform", "ok  Qt images", "ok  Qt printing",
                          "ok  Qt multimedia", "ok  translations", "ok  font", "ok  main window"]
    assert checked_self.stdout.splitlines()[-1] == "self-test passed"
    shot = tmp_path / "frozen.png"
    subprocess.run([str(program), "--demo", "--data-dir", str(tmp_path / "profile"),
                    "--lang", "zh_CN", "--screenshot", str(shot)], env=env, timeout=120,
                   check=True, capture_output=True)
    assert shot.stat().st_size > 50_000
    # sync ships too: the profile's outbox migration, and HQ's own migrations
    status = subprocess.run([str(program), "--data-dir", str(tmp_path / "profile"),
                             "sync-status"], env=env, timeout=60, check=True,
                            capture_output=True, text=True)
    assert json.loads(status.stdout)["pending"] > 600
    stats = subprocess.run([str(program), "hq", "stats", "--db",
                            f"sqlite:///{tmp_path / 'hq.sqlite3'}"], env=env, timeout=60,
                           check=True, capture_output=True, text=True)
    assert json.loads(stats.stdout.splitlines()[-1])["inspections"] == 0

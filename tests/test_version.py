"""``--version``: the version and what this copy was built from and runs on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import app.build_info as build_info_module
from app import __version__
from app.build_info import FROM_SOURCE, build_info

REPO = Path(__file__).resolve().parent.parent


def test_a_build_says_the_commit_and_date_its_build_script_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = tmp_path / "build.json"
    recorded.write_text(json.dumps({"commit": "0123456789ab", "built": "2026-12-02T06:30Z"}))
    monkeypatch.setattr(build_info_module, "BUILD_FILE", recorded)
    info = build_info()
    assert (info.version, info.commit, info.built) == (__version__, "0123456789ab",
                                                       "2026-12-02T06:30Z")


@pytest.mark.slow  # asks git (a process)
def test_from_source_it_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_info_module, "BUILD_FILE", tmp_path / "absent.json")
    info = build_info()
    assert info.built == FROM_SOURCE
    assert info.commit == "unknown" or len(info.commit.split("+")[0]) == 12


@pytest.mark.slow  # starts a process
def test_version_prints_the_build_information_and_exits_0() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "app", "--version"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Venue Supervisor (大型活动安保现场督导) {__version__}"
    assert lines[1].startswith("commit ") and lines[2].startswith("built ")
    assert any(line.startswith("Qt 6.") for line in lines)
    assert any(line.startswith("Python 3.") for line in lines)
    assert result.stderr == ""

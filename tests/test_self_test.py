"""``--self-test``: a day at a venue once, in a temporary encrypted profile; a missing piece is
named, not a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import app.self_test as self_test
from app.self_test import run_self_test

REPO = Path(__file__).resolve().parent.parent
STEPS = ("resources", "profile", "demo event", "scan", "signed PDF", "bundle")


def test_every_step_passes_and_says_what_it_did() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_self_test(out, err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"ok  {step}" for step in STEPS]
    assert "badge verified, guard at his post" in out.getvalue()
    assert "signed" in lines[4] and "verified" in lines[4]
    assert lines[-1] == "self-test passed" and err.getvalue() == ""


@pytest.mark.parametrize(("attribute", "missing"), [
    ("font_path", "the CJK font"),
    ("MIGRATIONS", "the profile's migrations"),
    ("translations_dir", "the Chinese translation"),
])
def test_a_missing_piece_is_named_and_fails(attribute: str, missing: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = tmp_path / "not-in-this-build"
    value: object = nowhere if attribute == "MIGRATIONS" else (lambda: nowhere)
    monkeypatch.setattr(self_test, attribute, value)
    out, err = io.StringIO(), io.StringIO()
    assert run_self_test(out, err) == 1
    assert err.getvalue().startswith(f"FAILED resources: missing or wrong: {missing}")
    assert "Traceback" not in err.getvalue() and "self-test passed" not in out.getvalue()


@pytest.mark.slow  # starts a process
def test_the_command_line_form_exits_0() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-m", "app", "--self-test"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "self-test passed"

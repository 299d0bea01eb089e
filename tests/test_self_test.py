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
WINDOW_STEPS = ("Qt platform", "Qt images", "Qt printing", "Qt multimedia", "translations",
                "font", "main window")


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
    result = subprocess.run([sys.executable, "-m", "app", "--self-test", "--lang", "zh_CN"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # in the language asked for; the step names stay as they are, for scripts
    assert lines[-1] == "自检通过"
    assert lines[-2].startswith("ok  main window: 已打开演示活动并完成绘制")
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"ok  {step}" for step in (*STEPS, *WINDOW_STEPS)]


def test_the_windows_steps_pass_and_say_what_they_checked(qapp) -> None:
    from ui.application import make_application
    from ui.self_test_qt import qt_steps

    make_application("en")  # as the command line does: its logging rules, its font
    out, err = io.StringIO(), io.StringIO()
    assert run_self_test(out, err, extra_steps=qt_steps("en")) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"ok  {step}" for step in (*STEPS, *WINDOW_STEPS)]
    said = dict(line.split(": ", 1) for line in lines[:-1])
    assert said["ok  Qt images"] == "JPEG, PNG and BMP read and written"
    assert said["ok  main window"].startswith("opened on the demo event and drawn (1280x")
    assert said["ok  translations"] == "the program's and Qt's own Chinese"
    # the check of Chinese gave the language back: the self-test still speaks English
    assert lines[-1] == "self-test passed"


@pytest.mark.parametrize(("step", "missing"), [
    ("platform", "the Qt platform plugin"),
    ("printing", "the Qt print support plugin for CUPS"),
    ("multimedia", "a Qt multimedia backend"),
])
def test_a_missing_qt_plugin_is_named(qapp, step: str, missing: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.self_test_qt as window_steps
    from ui.application import make_application

    make_application("en")
    # A build whose plugin folders hold everything but the one piece the step looks for.
    real = window_steps.plugins_dir()
    plugins = tmp_path / "plugins"
    for kind in ("platforms", "printsupport", "multimedia"):
        (plugins / kind).mkdir(parents=True)
        if kind != {"platform": "platforms", "printing": "printsupport"}.get(step, step):
            for name in (real / kind).iterdir():
                (plugins / kind / name.name).write_bytes(b"")
    monkeypatch.setattr(window_steps, "plugins_dir", lambda: plugins)
    out, err = io.StringIO(), io.StringIO()
    assert run_self_test(out, err, extra_steps=window_steps.qt_steps("en")) == 1
    name = {"platform": "Qt platform", "printing": "Qt printing",
            "multimedia": "Qt multimedia"}[step]
    assert err.getvalue().startswith(f"FAILED {name}: missing or wrong: {missing}")
    assert "Traceback" not in err.getvalue() and "self-test passed" not in out.getvalue()

"""What the screen showed as saved survives a crash: the app is killed with SIGKILL in the
middle of an inspection round, and every tick it had shown as saved is in the profile.

The GUI has no remote control, so a small driver script runs the real window (the same
application set-up, main window and inspection page) and performs scans and ticks through the
page's own methods. After each action whose "saved" line appeared it appends what the screen
showed to a progress file (flushed and fsynced) before going on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app.profile.db import Database
from app.profile.models import CheckResult, Finding, Inspection

pytestmark = [pytest.mark.gui, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
KILL_AFTER_LINES = 200
START_TIMEOUT_S = 45

DRIVER = r'''
import json
import os
import random
import sys
from pathlib import Path

repo, data_dir, progress_path = sys.argv[1:4]
sys.path.insert(0, repo)

from PySide6.QtCore import QTimer  # noqa: E402

from ui.application import make_application  # noqa: E402

app = make_application("en")

from app.profile.db import Database  # noqa: E402
from app.demo import create_demo_event  # noqa: E402
from app.inspection.workbench import Workbench  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

workbench = Workbench(Database(Path(data_dir)))
event_id = create_demo_event(workbench, with_inspections=False)
window = MainWindow(workbench, "en", event_id)
window.show()
page = window.inspection
guards = [g for g in workbench.guards(event_id) if g.post_id]
rng = random.Random(20261124)
progress = open(progress_path, "a", encoding="utf-8")


def log(inspection_id, code, state):
    progress.write(json.dumps([inspection_id, code, state]) + "\n")
    progress.flush()
    os.fsync(progress.fileno())


def shown_saved(action):
    page.saved_label.clear()
    action()
    return "saved" in page.saved_label.text()


def toggle(index):
    return lambda: page.toggle_item(index)


def step():
    guard = rng.choice(guards)
    page.select_post(guard.post_id)
    if shown_saved(lambda: page.handle_scan(guard.cert_no)) and page.inspection:
        log(page.inspection.id, None, "scan")
    for _ in range(rng.randint(1, 3)):
        index = rng.randrange(len(page.checklist.states))
        if shown_saved(toggle(index)):
            state = page.checklist.states[index]
            log(page.inspection.id, state.item.code, state.compliant)
    if rng.random() < 0.7 and shown_saved(page.mark_all_compliant):
        for state in page.checklist.states:
            log(page.inspection.id, state.item.code, state.compliant)
    QTimer.singleShot(0, step)


QTimer.singleShot(0, step)
sys.exit(app.exec())
'''


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    return env


def complete_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return text.split("\n")[:-1]  # a last line without its newline was cut off by the kill


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, stderr: Path,
             timeout: float) -> None:
    """Poll ``condition`` while the child runs; fail early if the child dies."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the app exited with {process.returncode} before it was killed:\n"
                        + stderr.read_text(errors="replace")[-3000:])
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail("the app made no progress in time:\n"
                        + stderr.read_text(errors="replace")[-3000:])
        try:
            process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass


def kill_hard(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


def test_every_tick_shown_as_saved_survives_sigkill(tmp_path: Path):
    data_dir = tmp_path / "profile"
    progress = tmp_path / "progress.jsonl"
    stderr = tmp_path / "stderr.txt"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, str(driver), str(REPO), str(data_dir), str(progress)],
            cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_for(lambda: len(complete_lines(progress)) >= KILL_AFTER_LINES, process,
                     stderr, START_TIMEOUT_S)
            kill_hard(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    logged = [json.loads(line) for line in complete_lines(progress)]
    assert len(logged) >= KILL_AFTER_LINES
    scans = {inspection for inspection, code, _state in logged if code is None}
    last_state: dict[tuple[str, str], bool] = {}
    for inspection, code, state in logged:
        if code is not None:
            last_state[(inspection, code)] = state
    assert len(scans) >= 3
    assert {True, False} <= set(last_state.values())  # findings and compliant items both

    db = Database(data_dir)  # reopening runs SQLite's recovery of the WAL
    try:
        with db.read() as s:
            inspections = set(s.scalars(select(Inspection.id).where(
                Inspection.deleted_at.is_(None))))
            results = {(r.inspection_id, r.item_code): r.compliant
                       for r in s.scalars(select(CheckResult).where(
                           CheckResult.deleted_at.is_(None)))}
            findings = {(f.inspection_id, f.item_code) for f in s.scalars(select(Finding).where(
                Finding.deleted_at.is_(None)))}
    finally:
        db.close()
    assert scans <= inspections
    missing = {key: state for key, state in last_state.items() if results.get(key) != state}
    assert missing == {}, f"{len(missing)} of {len(last_state)} ticks shown as saved were lost"
    for key, state in last_state.items():
        assert (key in findings) == (state is False)


def test_app_killed_right_after_start_leaves_a_usable_profile(tmp_path: Path):
    """The real entry point: started, up, killed; the profile opens again, demo intact."""
    data_dir = tmp_path / "profile"
    ready = tmp_path / "ready.txt"
    stderr = tmp_path / "stderr.txt"
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--demo", "--data-dir", str(data_dir), "--lang", "en",
             "--ready-file", str(ready)],
            cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_for(ready.exists, process, stderr, START_TIMEOUT_S)
            kill_hard(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    from app.demo import DEMO_EVENT_NAME
    from app.inspection.workbench import Workbench

    db = Database(data_dir)
    try:
        workbench = Workbench(db)
        event = workbench.find_event(DEMO_EVENT_NAME)
        assert event is not None
        assert db.setting("last_event_id") == event.id
        assert len(workbench.guards(event.id)) == 606
        assert workbench.dashboard(event.id).inspections > 0
    finally:
        db.close()

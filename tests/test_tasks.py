"""Background tasks that outlive their window or the application: dropped without a word on
stderr, and quitting waits for them briefly."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget

from tests.conftest import REPO
from ui import tasks
from ui.tasks import run_in_background, wait_for_background

DELETED = "Signal source has been deleted"


def slow(gate: threading.Event, outcome: str):
    def work() -> str:
        assert gate.wait(10), "the test never opened the gate"
        if outcome == "raises":
            raise ValueError("the work failed")
        return "result"
    return work


def started_task(before: set[tasks._Task]) -> tasks._Task:
    (task,) = tasks._running - before
    return task


@pytest.mark.gui
@pytest.mark.parametrize("outcome", ["returns", "raises"])
def test_task_finishing_after_its_signals_were_deleted_is_dropped_quietly(qapp, qtbot, capfd,
                                                                        caplog,
                                                                        outcome: str) -> None:
    """What happens at shutdown: PySide deletes the QObjects it owns (the task's signals
    among them) while a worker is still running; its emit used to raise on the worker thread
    ("Error calling Python override of QRunnable::run(): ... Signal source has been
    deleted")."""
    caplog.set_level(logging.DEBUG, logger="ui.tasks")
    gate = threading.Event()
    said: list[object] = []
    before = set(tasks._running)
    with qtbot.captureExceptions() as exceptions:
        run_in_background(slow(gate, outcome), said.append, said.append)
        task = started_task(before)
        shiboken6.delete(task.signals)
        gate.set()
        assert wait_for_background(10000)
        qtbot.wait(50)  # anything queued for the GUI thread arrives
    tasks._running.discard(task)
    assert said == []
    assert [str(e[1]) for e in exceptions] == []
    err = capfd.readouterr().err
    assert DELETED not in err and "Error calling Python override" not in err
    dropped = [r for r in caplog.records if "after shutdown" in r.getMessage()]
    assert [r.levelno for r in dropped] == [logging.DEBUG]


@pytest.mark.gui
def test_result_for_a_deleted_window_is_dropped(qapp, qtbot, capfd) -> None:
    gate = threading.Event()
    said: list[object] = []
    owner = QWidget()
    before = set(tasks._running)
    with qtbot.captureExceptions() as exceptions:
        run_in_background(slow(gate, "returns"), said.append, said.append, owner=owner)
        task = started_task(before)
        shiboken6.delete(owner)
        gate.set()
        assert wait_for_background(10000)
        qtbot.waitUntil(lambda: task not in tasks._running, timeout=5000)
    assert said == [] and exceptions == []
    assert DELETED not in capfd.readouterr().err


@pytest.mark.gui
def test_result_still_arrives_normally(qapp, qtbot) -> None:
    said: list[object] = []
    run_in_background(lambda: 42, said.append, said.append)
    qtbot.waitUntil(lambda: said == [42], timeout=5000)


@pytest.mark.gui
def test_quitting_waits_for_running_tasks(qapp, qtbot) -> None:
    finished = threading.Event()

    def work() -> None:
        threading.Event().wait(0.3)
        finished.set()

    before = set(tasks._running)
    run_in_background(work, lambda _r: None, lambda _e: None)
    task = started_task(before)
    assert qapp.property(tasks._WAIT_HOOKED)  # connected to aboutToQuit
    tasks._finish_running_tasks()  # what aboutToQuit runs
    assert finished.is_set()
    qtbot.waitUntil(lambda: task not in tasks._running, timeout=5000)


SHUTDOWN_SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget
    from ui import tasks

    tasks.SHUTDOWN_WAIT_MS = {wait_ms}
    app = QApplication([])
    window = QWidget()
    window.show()

    def work():
        time.sleep(0.8)
        return 1

    tasks.run_in_background(work, lambda r: print("delivered"), print, owner=window)
    QTimer.singleShot(100, window.close)  # the last window closes: the application quits
    sys.exit(app.exec())
""")


@pytest.mark.slow
@pytest.mark.parametrize("wait_ms", [5000, 50], ids=["finishes-while-quitting", "outlives-wait"])
def test_closing_the_window_during_a_task_exits_cleanly(wait_ms: int) -> None:
    """The real thing: the window closes while a worker runs. Either the quit waits for it,
    or (a task longer than the wait) its result is dropped when it ends during teardown."""
    script = SHUTDOWN_SCRIPT.format(repo=str(REPO), wait_ms=wait_ms)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    assert DELETED not in run.stderr, run.stderr
    assert "Error calling Python override" not in run.stderr, run.stderr
    assert "delivered" not in run.stdout  # the event loop had ended

"""ui.refresh.AfterPause: work a change makes necessary waits out a quick run of changes, but
not for ever (the dashboard's counts, the count of records waiting to be sent)."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from ui.refresh import AfterPause


def test_a_run_of_pokes_acts_once_after_it(qtbot) -> None:
    owner = QObject()
    acted: list[float] = []
    soon = AfterPause(lambda: acted.append(time.monotonic()), 300, 10.0, owner)
    for _ in range(10):  # 0.6 s of pokes, each sooner than the 0.3 s pause
        soon.poke()
        qtbot.wait(60)
    assert acted == []  # the wait started again at each poke
    qtbot.waitUntil(lambda: len(acted) == 1, timeout=2000)
    qtbot.wait(400)
    assert len(acted) == 1


def test_pokes_that_never_pause_still_act_every_max_wait(qtbot) -> None:
    owner = QObject()
    acted: list[float] = []
    soon = AfterPause(lambda: acted.append(time.monotonic()), 200, 0.4, owner)
    began = time.monotonic()
    while time.monotonic() - began < 1.5:
        soon.poke()
        qtbot.wait(40)  # never the 200 ms pause
    assert len(acted) >= 2, acted  # about every 0.4 s + 0.2 s: not never
    soon.stop()

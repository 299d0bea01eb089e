"""Loading on a worker thread what a view shows, after the changes that touched it.

Changes come faster than a count on a large event (a scan every second or two, a count a few
hundred milliseconds): requests are gathered for a moment, one load runs at a time, and the
requests made while it runs are merged into the next one. Nothing is loaded twice for one
change, and a view never waits for a count on the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from ui.tasks import run_in_background

# A view waits at most this long for its counts while changes keep coming.
MAX_WAIT_S = 2.0

# None: everything; a set: only these keys (ids) are wanted
Wanted = frozenset[str] | None


class AfterPause(QObject):
    """Calls ``action`` once the calls to ``poke`` pause for ``delay_ms``, and at least every
    ``max_wait_s`` while they go on: work a change makes necessary waits out a quick run of
    changes (a supervisor scanning) instead of taking a core and the interpreter from them."""

    def __init__(self, action: Callable[[], None], delay_ms: int, max_wait_s: float,
                 parent: QObject) -> None:
        super().__init__(parent)
        self._max_wait_s = max_wait_s
        self._first_poke = 0.0  # the oldest poke not acted on yet
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(action)

    def poke(self) -> None:
        if not self._timer.isActive():
            self._first_poke = time.monotonic()
            self._timer.start()
        elif time.monotonic() - self._first_poke < self._max_wait_s:
            self._timer.start()  # the wait starts again

    def stop(self) -> None:
        self._timer.stop()


class BackgroundRefresh(QObject):
    def __init__(self, prepare: Callable[[Wanted], Callable[[], Any] | None],
                 show: Callable[[Any], None], failed: Callable[[Exception], None],
                 delay_ms: int, parent: QObject) -> None:
        """``prepare(wanted)`` runs on the GUI thread when a load starts and returns the work
        for the worker (None: nothing to load now); ``show`` gets the work's result on the GUI
        thread."""
        super().__init__(parent)
        self._prepare = prepare
        self._show = show
        self._failed = failed
        self._soon = AfterPause(self._start, delay_ms, MAX_WAIT_S, self)
        self._pending = False
        self._wanted: set[str] | None = set()
        self._running = False

    @property
    def running(self) -> bool:
        return self._running

    def request(self, keys: Iterable[str] | None = None, at_once: bool = False) -> None:
        """Load ``keys`` (None: everything) soon, or ``at_once`` (as soon as no load runs)."""
        if keys is None:
            self._wanted = None
        elif self._wanted is not None:
            self._wanted.update(keys)
        self._pending = True
        if self._running:
            return  # merged into the load after the one under way
        if at_once:
            self._soon.stop()
            self._start()
        else:
            self._soon.poke()

    def cancel(self) -> None:
        """Forget what was requested (the view shows something else now)."""
        self._soon.stop()
        self._pending = False
        self._wanted = set()

    def _start(self) -> None:
        if self._running or not self._pending:
            return
        wanted = None if self._wanted is None else frozenset(self._wanted)
        self._pending = False
        self._wanted = set()
        work = self._prepare(wanted)
        if work is None:
            return
        self._running = True
        run_in_background(work, self._done, self._error, owner=self)

    def _finished(self) -> None:
        self._running = False
        if self._pending:
            self._soon.poke()

    def _done(self, result: Any) -> None:
        self._finished()
        self._show(result)

    def _error(self, exc: Exception) -> None:
        self._finished()
        self._failed(exc)

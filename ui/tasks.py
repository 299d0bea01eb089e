"""Background work: a function runs on Qt's thread pool, its result comes back on the GUI
thread. Workers never touch widgets; each opens its own database session."""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object, str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # delivered to the GUI thread, which decides what to say
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


_running: set[_Task] = set()


def _gone(callback: Callable[..., None], owner: QObject | None) -> bool:
    """The widget the result was for has been closed and deleted meanwhile."""
    for obj in (owner, getattr(callback, "__self__", None)):
        if isinstance(obj, QObject) and not shiboken6.isValid(obj):
            return True
    return False


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[Exception], None],
                      owner: QObject | None = None) -> None:
    """Run ``fn`` on the thread pool; its result or error comes back on the GUI thread, unless
    ``owner`` (or the object of a bound-method callback) has been deleted by then."""
    task = _Task(fn)
    _running.add(task)

    def done(result: object) -> None:
        _running.discard(task)
        if not _gone(on_done, owner):
            on_done(result)

    def failed(exc: Exception, trace: str) -> None:
        _running.discard(task)
        log.error("background task failed:\n%s", trace)
        if not _gone(on_error, owner):
            on_error(exc)

    task.signals.finished.connect(done)
    task.signals.failed.connect(failed)
    task.setAutoDelete(False)
    QThreadPool.globalInstance().start(task)


def wait_for_background(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


class GuiThreadGarbageCollector(QObject):
    """Python's cyclic collector runs on whichever thread happens to allocate; if that is a
    worker, it may destroy Qt widgets off the GUI thread and crash. As qutebrowser does, the
    automatic collector is switched off and the GUI thread collects on a timer instead."""

    INTERVAL_MS = 1000

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        threshold0, threshold1, threshold2 = gc.get_threshold()
        count0, count1, count2 = gc.get_count()
        if count0 > threshold0:
            generation = 2 if count2 > threshold2 else 1 if count1 > threshold1 else 0
            gc.collect(generation)

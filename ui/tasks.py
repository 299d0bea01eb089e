"""Background work: a function runs on Qt's thread pool, its result comes back on the GUI
thread. Workers never touch widgets; each opens its own database session."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

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


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[Exception], None]) -> None:
    task = _Task(fn)
    _running.add(task)

    def done(result: object) -> None:
        _running.discard(task)
        on_done(result)

    def failed(exc: Exception, trace: str) -> None:
        _running.discard(task)
        log.error("background task failed:\n%s", trace)
        on_error(exc)

    task.signals.finished.connect(done)
    task.signals.failed.connect(failed)
    task.setAutoDelete(False)
    QThreadPool.globalInstance().start(task)


def wait_for_background(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)

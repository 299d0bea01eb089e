"""Background work: a function runs on Qt's thread pool, its result comes back on the GUI
thread. Workers never touch widgets; each opens its own database session."""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)

from app.errors import UserError

log = logging.getLogger(__name__)

# At quit, running tasks get this long to finish before the main window's caller closes the
# database; a task still running after it is abandoned, and its result dropped.
SHUTDOWN_WAIT_MS = 5000
_WAIT_HOOKED = "_venue_supervisor_waits_for_tasks"


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
            trace = traceback.format_exc()
            if not self._deliver("failed", exc, trace):
                log.debug("background task failed after shutdown; error dropped:\n%s", trace)
        else:
            if not self._deliver("finished", result):
                log.debug("background task finished after shutdown; result dropped")

    def _deliver(self, signal: str, *args: object) -> bool:
        """Emit on the GUI thread's signals object, unless the application is shutting down:
        PySide deletes every QObject it owns when the interpreter exits, then the
        application's destructor waits for the thread pool, so a task that outlives the
        window finds its signals object gone. False if nobody was left to tell."""
        signals = self.signals
        if _shutting_down() or not shiboken6.isValid(signals):
            return False
        try:
            instance: SignalInstance = getattr(signals, signal)
            instance.emit(*args)
        except RuntimeError:  # deleted between the check and the emit
            if shiboken6.isValid(signals):
                raise
            return False
        return True


def _shutting_down() -> bool:
    return QCoreApplication.instance() is None or QCoreApplication.closingDown()


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
    _wait_at_quit()
    task = _Task(fn)
    _running.add(task)

    def done(result: object) -> None:
        _running.discard(task)
        if _gone(on_done, owner):
            log.debug("background task finished after its window was closed; result dropped")
        else:
            on_done(result)

    def failed(exc: Exception, trace: str) -> None:
        _running.discard(task)
        if isinstance(exc, UserError):  # a refusal to tell the user about, not a fault
            log.info("background task refused: %s", exc)
        else:
            log.error("background task failed:\n%s", trace)
        if not _gone(on_error, owner):
            on_error(exc)

    task.signals.finished.connect(done)
    task.signals.failed.connect(failed)
    task.setAutoDelete(False)
    QThreadPool.globalInstance().start(task)


def wait_for_background(timeout_ms: int = 30000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


def _wait_at_quit() -> None:
    """Once per application: when its event loop is about to end (the last window closed),
    give running tasks a few seconds to finish. A roster import or a sync then completes its
    transaction before the database is closed, and no worker is still emitting while PySide
    tears the application's objects down."""
    app = QCoreApplication.instance()
    if app is None or app.property(_WAIT_HOOKED):
        return
    app.setProperty(_WAIT_HOOKED, True)
    app.aboutToQuit.connect(_finish_running_tasks)


def _finish_running_tasks() -> None:
    pool = QThreadPool.globalInstance()
    if pool.activeThreadCount() == 0:
        return
    if pool.waitForDone(SHUTDOWN_WAIT_MS):
        log.debug("background tasks finished before quitting")
    else:
        log.warning("quitting with %d background task(s) still running",
                    pool.activeThreadCount())


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

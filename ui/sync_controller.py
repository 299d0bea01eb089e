"""Sync with headquarters in the background: when to sync, and what happened.

The controller owns the profile's SyncService and decides when to sync: a minute after a
success, sooner-then-slower after a failure (HQ's network at a venue comes and goes, and a
laptop hammering a dead address every few seconds only drains its battery). Every call that
touches HQ or counts the outbox runs on the thread pool; the status bar's line
(ui.widgets.sync_status) and the Sync menu (ui.dialogs.sync) only show what it reports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal

from app.errors import UserError
from app.profile.db import Database
from app.sync.client import SyncService, SyncStatus
from app.sync.state import SyncError
from app.sync.upload import SyncOutcome
from ui.refresh import AfterPause
from ui.tasks import run_in_background

SUCCESS_INTERVAL_MS = 60_000
BACKOFF_MS = (30_000, 60_000, 120_000, 300_000, 900_000)  # the last one repeats
FIRST_SYNC_DELAY_MS = 2_000  # let the window come up before the first attempt

ProgressCallback = Callable[[int, int], None]


class ProgressRelay(QObject):
    """Carries a worker's progress to the GUI thread (a queued connection).

    One relay per task, without a parent and kept alive by the worker's closure: if the
    window is closed mid-task, the worker still emits on a living object and Qt has already
    cut the connection to the deleted receiver.
    """

    progress = Signal(int, int)

    def __init__(self, receiver: ProgressCallback) -> None:
        super().__init__()
        self.progress.connect(receiver, Qt.ConnectionType.QueuedConnection)

    def report(self, done: int, total: int) -> None:
        self.progress.emit(done, total)


def run_with_progress(work: Callable[[ProgressCallback], Any], on_progress: ProgressCallback,
                      on_done: Callable[[Any], None], on_error: Callable[[Exception], None],
                      owner: QObject) -> None:
    """``work(progress)`` on the thread pool, ``on_progress`` called on the GUI thread."""
    relay = ProgressRelay(on_progress)
    run_in_background(lambda: work(relay.report), on_done, on_error, owner=owner)


def plain_error(exc: Exception) -> str:
    """What to tell the supervisor: a UserError's message (already in the interface
    language: HQ out of reach, a refused code, a damaged package...) as it is."""
    if isinstance(exc, UserError):
        return str(exc)
    # Anything else is a fault of the program, already logged with its traceback by
    # run_in_background; the supervisor still gets a sentence, not a class name.
    return QCoreApplication.translate(
        "SyncController", "Sync stopped because of a fault in the program; nothing was lost, "
        "and the details are in the log. It will try again later.")


STATUS_AFTER_CHANGES_MS = 2000
STATUS_MAX_WAIT_S = 5.0  # the count waiting to be sent is at most this old while scans go on


class SyncController(QObject):
    """When to sync, one sync at a time, and what happened, as signals for the GUI."""

    status_changed = Signal(object)  # SyncStatus
    sync_started = Signal()
    progress = Signal(int, int)  # records done, records in all
    sync_finished = Signal(object)  # SyncOutcome
    sync_failed = Signal(str)  # plain words

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.service = SyncService(db)
        self.status: SyncStatus | None = None
        self.running = False
        self.failures = 0  # consecutive failed attempts, for the back-off
        self.last_error = ""
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self._status_running = False
        self._status_again = False
        # After a change the count of records waiting is read again once the changes pause:
        # on a large profile the count takes about 0.6 s of a core (1.2 million outbox rows,
        # bench/scan_latency.py's profile), and read after every scan it kept a core busy
        # while the supervisor scanned, slowing the scans themselves.
        self._status_soon = AfterPause(self.refresh_status, STATUS_AFTER_CHANGES_MS,
                                       STATUS_MAX_WAIT_S, self)

    # ------------------------------------------------------------------ status
    def refresh_status_soon(self) -> None:
        """Read the status again when no change came for a moment, and at least every
        STATUS_MAX_WAIT_S while changes keep coming (a scan every second or so)."""
        self._status_soon.poke()

    def refresh_status(self) -> None:
        """Re-read enrolment and the pending count on a worker; calls that arrive while one
        is under way are folded into a single re-read after it."""
        if self._status_running:
            self._status_again = True
            return
        self._status_running = True
        run_in_background(self.service.status, self._status_arrived, self._status_failed,
                          owner=self)

    def _status_done(self) -> None:
        self._status_running = False
        if self._status_again:
            self._status_again = False
            self.refresh_status()

    def _status_arrived(self, status: SyncStatus) -> None:
        self.status = status
        self._status_done()
        # Enrolled from the command line, or just now from the menu: start the rhythm.
        if status.enrolled and not self.running and not self.timer.isActive():
            self._schedule(FIRST_SYNC_DELAY_MS)
        self.status_changed.emit(status)

    def _status_failed(self, exc: Exception) -> None:
        self._status_done()
        self.last_error = plain_error(exc)
        self.sync_failed.emit(self.last_error)

    # ------------------------------------------------------------------ sync
    def start(self) -> None:
        self.refresh_status()

    def stop(self) -> None:
        self.timer.stop()

    def _schedule(self, interval_ms: int) -> None:
        self.timer.setInterval(interval_ms)
        self.timer.start()

    def retry_interval_ms(self) -> int:
        return BACKOFF_MS[min(self.failures, len(BACKOFF_MS)) - 1] if self.failures else \
            SUCCESS_INTERVAL_MS

    def sync_now(self) -> bool:
        """Start a sync unless one is running; False when it did not start."""
        if self.running:
            return False
        self.running = True
        self.timer.stop()
        self.sync_started.emit()
        service = self.service

        def attempt(progress: ProgressCallback) -> SyncOutcome | SyncError:
            # HQ out of reach is the normal state at a venue: an answer, not a failure to
            # log with a traceback every quarter of an hour.
            try:
                return service.sync(progress=progress)
            except SyncError as exc:
                return exc

        run_with_progress(attempt, self.progress.emit, self._sync_done, self._sync_error,
                          owner=self)
        return True

    def _sync_done(self, outcome: SyncOutcome | SyncError) -> None:
        if isinstance(outcome, SyncError):
            self._sync_error(outcome)
            return
        self.running = False
        self.failures = 0
        # HQ refusing some records is not HQ being unreachable: the service keeps that
        # error in the settings, and the status re-read below shows it.
        self.last_error = ""
        self._schedule(self.retry_interval_ms())
        self.sync_finished.emit(outcome)
        self.refresh_status()

    def _sync_error(self, exc: Exception) -> None:
        self.running = False
        self.failures += 1
        self.last_error = plain_error(exc)
        if self.status is None or self.status.enrolled:
            self._schedule(self.retry_interval_ms())
        self.sync_failed.emit(self.last_error)
        self.refresh_status()

"""The one way the screens change the profile, as Anki's ``CollectionOp``.

``Operations.run`` makes a change (a workbench call, or several as one operation) and then
emits ONE ``did_change`` signal carrying what it changed (app.inspection.changeset.Changes)
and who asked (``origin``). The main window and every page listen to it and refresh only
what the change touched; the view that asked has applied the change's value already and
skips what it showed itself.

Where writes run (docs/architecture.md, "Where writes run"): a change of the inspection is
one short SQLite transaction, a few milliseconds even on a 100,000-guard event, and runs on
the GUI thread, so that what the screen says is saved is on disk when it says so. A change
over the budget is logged; work that takes longer by nature (a roster import, signing)
runs with ``run_in_background`` and its result is applied on the GUI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.inspection.changeset import Changes
from app.inspection.workbench import Workbench
from ui.tasks import run_in_background

log = logging.getLogger(__name__)
T = TypeVar("T")

# A change on the GUI thread may hold the screen this long (about three frames); the
# figures behind it are in docs/architecture.md.
GUI_WRITE_BUDGET_MS = 50.0


class Operations(QObject):
    # (Changes, origin): what a change touched, and the object that asked for it (or None)
    did_change = Signal(object, object)

    def __init__(self, workbench: Workbench, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench

    def run(self, change: Callable[[], T], origin: object | None = None) -> T:
        """Make ``change`` on the GUI thread and return its value; then one signal says what
        it changed. A refusal (an exception) changed nothing and is raised to the caller."""
        started = time.perf_counter()
        with self.workbench.collecting_changes() as collected:
            value = change()
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > GUI_WRITE_BUDGET_MS:
            log.info("a change took %.0f ms on the GUI thread (budget %.0f ms)",
                     elapsed_ms, GUI_WRITE_BUDGET_MS)
        self.announce(collected.changes, origin)
        return value

    def run_in_background(self, change: Callable[[], T], on_done: Callable[[T], None],
                          on_error: Callable[[Exception], None], origin: object | None = None,
                          owner: QObject | None = None) -> None:
        """Make ``change`` on a worker thread; ``on_done`` gets its value on the GUI thread,
        then the signal says what it changed."""
        workbench = self.workbench

        def work() -> tuple[T, Changes]:
            with workbench.collecting_changes() as collected:
                value = change()
            return value, collected.changes

        def done(result: tuple[T, Changes]) -> None:
            value, changes = result
            on_done(value)
            self.announce(changes, origin)

        run_in_background(work, done, on_error, owner=owner)

    def announce(self, changes: Changes, origin: object | None = None) -> None:
        """Tell every view about a change made elsewhere (e.g. by the evaluation service)."""
        if changes != Changes():
            self.did_change.emit(changes, origin)

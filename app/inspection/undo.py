"""Undo: each change pushes the step that reverts it; Ctrl+Z pops the newest.

A step remembers what its change touched, so undoing it tells the screens the same records
changed again. A change made before the event's evaluation was signed can no longer be
reverted (the lock rules).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from app.inspection.changeset import Applied, Changes
from app.inspection.lock_rules import RecordLockedError, change_is_frozen
from app.profile.db import Database
from app.profile.models import utc_now


@dataclass
class UndoStep:
    label: str  # what kind of change it reverts: "scan", "item", "all", "finding", "post"
    revert: Callable[[Session], None]
    event_id: str | None = None
    changes: Changes = field(default_factory=Changes)
    made_at: datetime = field(default_factory=lambda: utc_now())


class UndoStack:
    def __init__(self) -> None:
        self._steps: list[UndoStep] = []
        self._lock = threading.Lock()  # changes may be made from a worker thread too

    @property
    def can_undo(self) -> bool:
        return bool(self._steps)

    def push(self, step: UndoStep) -> None:
        with self._lock:
            self._steps.append(step)

    def pop(self) -> UndoStep | None:
        """Forget the newest step without reverting it."""
        with self._lock:
            return self._steps.pop() if self._steps else None

    def clear(self) -> None:
        """Forget every step (changes made for the supervisor, e.g. the demo's, are not
        theirs to undo)."""
        with self._lock:
            self._steps.clear()

    def undo(self, db: Database) -> Applied[str | None]:
        """Revert the last change; its label (what kind of change it was), or None.

        A change made before the event's evaluation was signed cannot be undone any more
        (RecordLockedError); it leaves the stack, since it never can be again.
        """
        with self._lock:
            if not self._steps:
                return Applied(None)
            step = self._steps.pop()
        with db.begin() as s:
            if step.event_id is not None and change_is_frozen(s, step.event_id, step.made_at):
                raise RecordLockedError()
            step.revert(s)
        return Applied(step.label, step.changes)

"""What every change shares: the profile's database, this device's id, the undo stack and
the one transaction a change runs in (its own, or the enclosing one of a change made of
several, e.g. an event created together with its roster)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from app.inspection.undo import UndoStack
from app.profile.db import Database


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.device_id = db.device_id
        self.undo = UndoStack()
        # The enclosing transaction, for the thread running it only: the screens make
        # changes from worker threads too (a roster import).
        self._shared = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: its own session committed on success, or, inside ``together``,
        that one transaction."""
        shared: Session | None = getattr(self._shared, "session", None)
        if shared is not None:
            yield shared
            return
        with self.db.begin() as s:
            yield s

    @contextmanager
    def together(self) -> Iterator[Session]:
        """One transaction for the changes made inside: all of them, or none."""
        with self.db.begin() as s:
            self._shared.session = s
            try:
                yield s
            finally:
                self._shared.session = None

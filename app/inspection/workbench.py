"""The supervisor's workbench: the one entry point of the screens, the command lines and
HQ's event preparation into the inspection, without Qt.

It holds what the modules behind it share (the profile's database, the undo stack, the trust
lists, today's date) and hands each call on: questions to app.inspection.queries and
app.inspection.scan, changes to app.inspection.event_changes and
app.inspection.inspection_changes, Ctrl+Z to app.inspection.undo. A change returns the value
its callers have always had; what it changed (app.inspection.changeset.Changes) goes to
whoever collects it on the calling thread (``collecting_changes``: the screens' runner,
ui/operations.py), so one signal can tell every view what to refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from app.badge.trust_store import ProfileTrustStore
from app.badge.verify import BadgeCheck
from app.inspection import event_changes, inspection_changes, queries, scan
from app.inspection.changeset import Applied, Changes
from app.inspection.checklist import ChecklistItem, ChecklistTemplate
from app.inspection.queries import RECENTLY_PRESENT_MINUTES
from app.inspection.roster import RosterReport
from app.inspection.unit_of_work import UnitOfWork
from app.inspection.values import (
    Dashboard,
    EventInfo,
    EventInput,
    GuardInfo,
    ImportResult,
    InspectionInfo,
    ItemState,
    PostInfo,
    ScanResult,
)
from app.profile.db import Database
from app.profile.models import Finding

T = TypeVar("T")


class ChangeLog:
    """The changes made on one thread while it was collecting (see ``collecting_changes``)."""

    def __init__(self) -> None:
        self.entries: list[Changes] = []

    @property
    def changes(self) -> Changes:
        return Changes.merge(self.entries)


class Workbench:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.device_id = db.device_id
        self.work = UnitOfWork(db)
        self._undo = self.work.undo
        self._trust: ProfileTrustStore | None = None
        self.today: Callable[[], date] = date.today  # badges' dates are checked against it
        self._collecting = threading.local()

    # ------------------------------------------------------------ changes
    @contextmanager
    def collecting_changes(self) -> Iterator[ChangeLog]:
        """Collect what the changes made on this thread inside the block changed."""
        log = ChangeLog()
        outer: ChangeLog | None = getattr(self._collecting, "log", None)
        self._collecting.log = log
        try:
            yield log
        finally:
            self._collecting.log = outer
            if outer is not None:
                outer.entries.extend(log.entries)

    def _applied(self, applied: Applied[T]) -> T:
        log: ChangeLog | None = getattr(self._collecting, "log", None)
        if log is not None:
            log.entries.append(applied.changes)
        return applied.value

    # ----------------------------------------------------------- questions
    def list_events(self) -> list[EventInfo]:
        return queries.list_events(self.db)

    def event(self, event_id: str) -> EventInfo:
        return queries.event(self.db, event_id)

    def find_event(self, name: str) -> EventInfo | None:
        return queries.find_event(self.db, name)

    def guards(self, event_id: str, only: Collection[str] | None = None) -> list[GuardInfo]:
        return queries.guards(self.db, event_id, only)

    def posts(self, event_id: str, with_counts: bool = True,
              only: Collection[str] | None = None) -> list[PostInfo]:
        return queries.posts(self.db, event_id, with_counts, only)

    def post(self, post_id: str) -> PostInfo:
        return queries.post(self.db, post_id)

    def template(self, event_id: str) -> ChecklistTemplate:
        return queries.template(self.db, event_id)

    def item_states(self, inspection_id: str,
                    items: tuple[ChecklistItem, ...]) -> tuple[ItemState, ...]:
        return queries.item_states(self.db, inspection_id, items)

    def finding(self, finding_id: str) -> Finding:
        return queries.finding(self.db, finding_id)

    def guards_seen_recently(self, event_id: str, post_id: str,
                             minutes: int = RECENTLY_PRESENT_MINUTES) -> int:
        return queries.guards_seen_recently(self.db, event_id, post_id, minutes)

    def is_locked(self, event_id: str) -> bool:
        return queries.is_locked(self.db, event_id)

    def dashboard(self, event_id: str) -> Dashboard:
        return queries.dashboard(self.db, event_id)

    @property
    def trust(self) -> ProfileTrustStore:
        """The profile's trust and revocation lists (loaded once, reloaded after imports)."""
        if self._trust is None:
            self._trust = ProfileTrustStore(self.db)
        return self._trust

    def read_badge(self, text: str) -> tuple[BadgeCheck | None, str]:
        return scan.read_badge(text, self.trust, self.today())

    def lookup(self, event_id: str, scanned_text: str, post_id: str | None) -> ScanResult:
        """The verdict for a scanned badge, a typed certificate number or a post label: a
        read, nothing written."""
        return scan.lookup(self.db, self.trust, self.today(), event_id, scanned_text, post_id)

    # ------------------------------------------------------------- changes
    def save_event(self, data: EventInput, event_id: str | None = None) -> str:
        return self._applied(event_changes.save_event(self.work, data, event_id))

    def create_event_with_roster(self, data: EventInput, report: RosterReport) -> ImportResult:
        return self._applied(event_changes.create_event_with_roster(self.work, data, report))

    def import_roster(self, event_id: str, report: RosterReport) -> ImportResult:
        return self._applied(event_changes.import_roster(self.work, event_id, report))

    def import_roster_file(self, event_name: str,
                           file: str | Path) -> tuple[RosterReport, ImportResult]:
        return self._applied(event_changes.import_roster_file(self.work, event_name, file))

    def save_post(self, event_id: str, name: str, zone: str, task_type: str,
                  required_headcount: int, post_id: str | None = None) -> str:
        return self._applied(event_changes.save_post(
            self.work, event_id, name, zone, task_type, required_headcount, post_id))

    def set_guard_photo(self, guard_id: str, photo_file: str | Path) -> str:
        return self._applied(event_changes.set_guard_photo(self.work, guard_id, photo_file))

    def assign_guard(self, guard_id: str, post_id: str | None) -> None:
        self._applied(event_changes.assign_guard(self.work, guard_id, post_id))

    def record_scan(self, event_id: str, scan_result: ScanResult) -> InspectionInfo:
        return self._applied(inspection_changes.record_scan(self.work, event_id, scan_result))

    def set_item(self, inspection_id: str, item: ChecklistItem, compliant: bool) -> ItemState:
        return self._applied(inspection_changes.set_item(
            self.work, inspection_id, item, compliant))

    def mark_all_compliant(self, inspection_id: str,
                           items: tuple[ChecklistItem, ...]) -> list[ItemState]:
        return self._applied(inspection_changes.mark_all_compliant(
            self.work, inspection_id, items))

    def update_finding(self, finding_id: str, *, note: str | None = None,
                       correction: str | None = None,
                       evidence_file: str | Path | None = None) -> None:
        self._applied(inspection_changes.update_finding(
            self.work, finding_id, note=note, correction=correction,
            evidence_file=evidence_file))

    def set_post_status(self, event_id: str, post_id: str, status: str,
                        present_count: int = 0, note: str = "") -> str:
        return self._applied(inspection_changes.set_post_status(
            self.work, event_id, post_id, status, present_count, note))

    # ---------------------------------------------------------------- undo
    @property
    def can_undo(self) -> bool:
        return self._undo.can_undo

    def undo(self) -> str | None:
        """Revert the last change; what kind of change it was, or None (see UndoStack)."""
        return self._applied(self._undo.undo(self.db))

    def forget_undo(self) -> None:
        """Changes made so far are not the supervisor's to undo (e.g. the demo's records)."""
        self._undo.clear()

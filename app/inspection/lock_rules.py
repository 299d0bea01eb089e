"""The lock rules: a signed evaluation freezes the event's records.

Once the supervisor signs, the event's records are evidence: the signed PDF says what they
were. While the newest evaluation is signed the event takes no change at all; a correction is
a new version of the evaluation (EvaluationService.new_version), after which new scans and
ticks are allowed again while the records the last signature covers stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import translate
from app.inspection.errors import WorkbenchError
from app.orm import as_utc, live
from app.profile.models import Evaluation, Finding, Inspection


class RecordLockedError(WorkbenchError):
    """The change would alter records a signed evaluation rests on (see the module)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or translate(
            "Workbench", "the evaluation of this event is signed: start a new version to "
            "correct it"))


@dataclass(frozen=True)
class LockState:
    locked: bool  # the newest evaluation is signed: the event takes no change at all
    frozen_before: datetime | None  # records created up to this moment (UTC) are read-only

    def frozen(self, created_at: datetime | None) -> bool:
        return (self.frozen_before is not None and created_at is not None
                and as_utc(created_at) <= self.frozen_before)


def lock_state(s: Session, event_id: str) -> LockState:
    """One probe of ix_evaluation_event_live_version: the two newest evaluations say whether
    the event is locked and since when its older records are frozen (a draft's predecessor
    is always signed, so the newest signature is among the two)."""
    rows = s.execute(select(Evaluation.status, Evaluation.signed_at)
                     .where(Evaluation.event_id == event_id, live(Evaluation))
                     .order_by(Evaluation.version.desc()).limit(2)).all()
    if not rows:
        return LockState(False, None)
    frozen = next((as_utc(r.signed_at) for r in rows if r.signed_at is not None), None)
    return LockState(rows[0].status == "signed", frozen)


def refuse_if_locked(s: Session, event_id: str) -> LockState:
    """Raise RecordLockedError while the event's newest evaluation is signed."""
    state = lock_state(s, event_id)
    if state.locked:
        raise RecordLockedError()
    return state


def refuse_if_frozen(s: Session, inspection: Inspection) -> None:
    """An inspection the last signature covers stays as it was, even in a new version."""
    state = refuse_if_locked(s, inspection.event_id)
    if state.frozen(inspection.created_at):
        raise RecordLockedError(translate(
            "Workbench",
            "this inspection is part of a signed evaluation: it can no longer be changed"))


def refuse_if_finding_frozen(s: Session, finding: Finding) -> None:
    """A finding follows its inspection; one without (a post's) follows its own age."""
    inspection = s.get(Inspection, finding.inspection_id) if finding.inspection_id else None
    if inspection is not None:
        refuse_if_frozen(s, inspection)
    elif lock_state(s, finding.event_id).frozen(finding.created_at):
        raise RecordLockedError()
    else:
        refuse_if_locked(s, finding.event_id)


def change_is_frozen(s: Session, event_id: str, made_at: datetime) -> bool:
    """A change made at ``made_at`` (naive UTC) may no longer be reverted: the event is
    locked, or the change is older than the last signature."""
    state = lock_state(s, event_id)
    return state.locked or (state.frozen_before is not None and made_at <= state.frozen_before)

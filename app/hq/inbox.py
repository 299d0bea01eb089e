"""HQ's evaluations inbox (issue 14): every signed evaluation that arrived, newest first, with
its grade (final or provisional), the PDF (its signature was proven on arrival, app.hq
.signed_pdf), and the rectification report (整改报告) its opinion asks the company for within
seven days: due, overdue, or received (recorded by staff, audited).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import EvaluationDocument, Rectification, utc_now
from app.orm import as_utc

RECTIFICATION_DAYS = 7
SHOWN = 200
MAX_NOTE_CHARS = 500


def rectification_state(signed_at: datetime | None, received: Rectification | None,
                        now: datetime) -> tuple[str, datetime | None]:
    """("received" | "overdue" | "due", the day it is due)."""
    due = as_utc(signed_at) + timedelta(days=RECTIFICATION_DAYS) if signed_at else None
    if received is not None:
        return "received", due
    if due is not None and now > due:
        return "overdue", due
    return "due", due


def inbox(s: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """The newest SHOWN signed evaluations with their rectification state."""
    now = now or utc_now()
    documents = list(s.scalars(
        select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
        .where(EvaluationDocument.status == "signed")
        .order_by(EvaluationDocument.received_at.desc(), EvaluationDocument.id).limit(SHOWN)))
    received = {r.evaluation_id: r for r in s.scalars(select(Rectification).where(
        Rectification.evaluation_id.in_([d.id for d in documents])))} if documents else {}
    shown = []
    for document in documents:
        report = received.get(document.id)
        state, due = rectification_state(document.signed_at, report, now)
        shown.append({
            "id": document.id, "event_name": document.event_name,
            "company_name": document.company_name, "version": document.version,
            "score_total": document.score_total, "grade": document.grade,
            "grade_final": document.grade_final, "signed_at": document.signed_at,
            "supervisor_name": document.supervisor_name, "document_id": document.document_id,
            # The signature was proven on arrival (verified_at); HQ's document timestamp
            # (app.hq.timestamps) when it has one.
            "verified_at": document.verified_at, "timestamped_at": document.timestamped_at,
            "rectification": state, "due": due,
            "received_at": report.received_at if report else None,
            "received_by": report.received_by if report else "",
            "note": report.note if report else ""})
    return shown


def record_received(db: HqDatabase, actor: str, evaluation_id: str, note: str) -> None:
    """Staff record that the company's rectification report arrived (once; audited)."""
    note = " ".join(note.split())[:MAX_NOTE_CHARS]
    with db.begin() as s:
        if s.get(EvaluationDocument, evaluation_id) is None:
            raise HqError(404, f"no signed evaluation {evaluation_id[:64]}")
        if s.get(Rectification, evaluation_id) is not None:
            raise HqError(409, "the rectification report of this evaluation was recorded "
                               "already")
        s.add(Rectification(evaluation_id=evaluation_id, received_at=utc_now(),
                            received_by=actor, note=note))
        s.flush()
        audit.record(s, actor, "rectification.received", f"evaluation:{evaluation_id}",
                     None, {"note": note})

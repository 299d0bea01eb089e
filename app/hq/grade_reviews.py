"""Credit-grade changes after a signed evaluation arrives (issue 14): suggested by a rule,
decided by a person (docs/hq-console-letters-grades.md).

When ingest stores a signed evaluation whose PDF verified (``open_reviews``, in ingest's own
transaction), the rule below is applied to the evaluated company; when the grade it suggests
differs from the register's, a review is opened. Nothing here changes a grade by itself:
a person accepts the review (the grade changes through app.hq.register, audited, in the
transaction that records the decision) or rejects it with the reason.

The rule (credit grades of seed 004 §12, best first: standing.CREDIT_ORDER):

- only a **final** grade counts: a provisional (暂定) evaluation opens no review, its final
  version will; an evaluation signed before the official form (no statement) counts as final;
- only the **current** version of the event's evaluation (a corrected one does not count),
  of a company in HQ's register (its licence), whose grade is on the scale;
- 不合格 (fail) suggests **one step lower** (A → B; D stays D);
- 优秀 (excellent) twice in a row (this evaluation and the company's one before it, both
  final) suggests **one step higher** (A → AA; AAA stays AAA);
- anything else suggests no change.

A newer review of the same company supersedes an older one still open (``superseded``):
staff decide on the newest evidence. A review accepted after the grade was changed by hand
meanwhile is refused: the suggestion was made against a grade that is no longer there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer

from app.hq import audit, register, standing
from app.hq.database import HqDatabase, rows_changed
from app.hq.errors import HqError
from app.hq.models import (
    HQ_DEVICE,
    AuditEntry,
    CompanyRegisterEntry,
    EvaluationDocument,
    GradeReview,
    utc_now,
)
from app.hq.models import Record as RecordRow
from app.orm import as_utc

DECISIONS = ("accept", "reject")
SUPERSEDED = "superseded"
SYSTEM_ACTOR = "hq"
MAX_NOTE_CHARS = 500
HISTORY_SHOWN = 200


# ------------------------------------------------------------------------------ the rule
def step(grade: str, steps: int) -> str | None:
    """The credit grade ``steps`` places better (negative: worse) on the scale; None when
    ``grade`` is not on it or the step leaves it."""
    rank = standing.credit_rank(grade)
    if rank >= len(standing.CREDIT_ORDER):
        return None
    moved = rank - steps
    if not 0 <= moved < len(standing.CREDIT_ORDER):
        return None
    return standing.CREDIT_ORDER[moved]


def suggestion(current_grade: str, grades: Sequence[tuple[str | None, bool | None]],
               event_name: str) -> tuple[str, str] | None:
    """(suggested grade, why) for a company whose current evaluations, oldest first, have
    ``grades`` (grade, final); the last is the one that arrived. None: no change."""
    if not grades:
        return None
    grade, final = grades[-1]
    if final is False:
        return None
    if grade == "fail":
        lower = step(current_grade, -1)
        if lower is None:
            return None
        return lower, (f"「{event_name}」考评不合格，按规则信用等级降一级：{current_grade} → "
                       f"{lower} (the evaluation of {event_name} failed: one credit step "
                       f"lower)")
    if grade == "excellent" and len(grades) >= 2 and grades[-2][0] == "excellent" \
            and grades[-2][1] is not False:
        higher = step(current_grade, 1)
        if higher is None:
            return None
        return higher, (f"「{event_name}」及上一次考评均为优秀，按规则信用等级升一级："
                        f"{current_grade} → {higher} (two excellent evaluations in a row: "
                        f"one credit step higher)")
    return None


# --------------------------------------------------------------------- the register
def register_state(s: Session, licence_no: str) -> tuple[str, str | None] | None:
    """(credit grade, list) as HQ's register holds them; None when it has no such company."""
    for row in s.scalars(select(RecordRow).where(RecordRow.kind == "company",
                                                 RecordRow.device_id == HQ_DEVICE)):
        payload = json.loads(row.payload)
        if payload.get("licence_no") == licence_no and not payload.get("deleted_at"):
            entry = s.get(CompanyRegisterEntry, licence_no)
            listed = entry.list_name if entry else (
                "black" if payload.get("blacklisted") else None)
            return str(payload.get("credit_grade") or ""), listed
    return None


def _key(doc: EvaluationDocument) -> tuple[int, datetime]:
    return doc.version, as_utc(doc.signed_at) or datetime.min.replace(tzinfo=UTC)


def _current_of_company(s: Session, licence_no: str) -> list[EvaluationDocument]:
    """The company's current evaluations (each event's newest version), oldest first."""
    best: dict[str, EvaluationDocument] = {}
    for doc in s.scalars(select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
                         .where(EvaluationDocument.company_licence == licence_no)):
        held = best.get(doc.event_id)
        if held is None or _key(doc) > _key(held):
            best[doc.event_id] = doc
    return sorted(best.values(), key=lambda d: (_key(d)[1], d.version))


def open_reviews(db: HqDatabase, s: Session, evaluation_ids: Sequence[str]) -> list[int]:
    """Apply the rule to the companies of these newly stored signed evaluations, in the
    caller's transaction (ingest's); the ids of the reviews opened."""
    opened: list[int] = []
    for evaluation_id in evaluation_ids:
        doc = s.scalar(select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
                       .where(EvaluationDocument.id == evaluation_id))
        licence = (doc.company_licence or "").strip() if doc is not None else ""
        if doc is None or not licence or doc.status != "signed":
            continue
        state = register_state(s, licence)
        if state is None:
            continue
        history = _current_of_company(s, licence)
        # Only the company's newest verdict: not an older version of the event's evaluation
        # nor an older event's evaluation arriving late.
        if not history or history[-1] is not doc:
            continue
        suggested = suggestion(state[0], [(d.grade, d.grade_final) for d in history],
                               doc.event_name or doc.event_id)
        if suggested is None or standing.credit_rank(suggested[0]) \
                == standing.credit_rank(state[0]):
            continue
        s.execute(db.insert_or_skip(GradeReview.__table__).values(
            licence_no=licence, evaluation_id=evaluation_id, current_grade=state[0],
            suggested_grade=suggested[0], why=suggested[1], opened_at=utc_now(),
            decision=None, decided_by=None, decided_at=None, note=""))
        review = s.scalar(select(GradeReview).where(
            GradeReview.evaluation_id == evaluation_id))
        if review is None or review.decision is not None:
            continue
        s.execute(update(GradeReview).where(
            GradeReview.licence_no == licence, GradeReview.decision.is_(None),
            GradeReview.id != review.id).values(
            decision=SUPERSEDED, decided_by=SYSTEM_ACTOR, decided_at=utc_now(),
            note=f"由复核 #{review.id} 取代 (superseded by review #{review.id})"))
        opened.append(review.id)
    return opened


# ----------------------------------------------------------------------------- reading
def _review_dict(review: GradeReview) -> dict[str, Any]:
    return {"id": review.id, "licence_no": review.licence_no,
            "evaluation_id": review.evaluation_id, "current_grade": review.current_grade,
            "suggested_grade": review.suggested_grade, "why": review.why,
            "opened_at": as_utc(review.opened_at), "decision": review.decision,
            "decided_by": review.decided_by, "decided_at": as_utc(review.decided_at),
            "note": review.note}


def reviews(s: Session, licence_no: str) -> list[dict[str, Any]]:
    """The company's reviews, newest first."""
    return [_review_dict(r) for r in s.scalars(
        select(GradeReview).where(GradeReview.licence_no == licence_no)
        .order_by(GradeReview.id.desc()))]


def pending_counts(s: Session) -> dict[str, int]:
    """Licence -> reviews waiting for a person's decision."""
    return {str(licence): int(n) for licence, n in s.execute(
        select(GradeReview.licence_no, func.count()).where(GradeReview.decision.is_(None))
        .group_by(GradeReview.licence_no))}


def grade_history(s: Session, licence_no: str) -> list[dict[str, Any]]:
    """Each change of the company's grade or list, newest first, read back from the audit
    log (register.set_company writes "company.set" with before and after)."""
    found = []
    for entry in s.scalars(select(AuditEntry).where(
            AuditEntry.target == f"company:{licence_no}", AuditEntry.action == "company.set")
            .order_by(AuditEntry.id.desc()).limit(HISTORY_SHOWN)):
        before = json.loads(entry.before) if entry.before else {}
        after = json.loads(entry.after) if entry.after else {}
        found.append({"at": as_utc(entry.at), "actor": entry.actor,
                      "from_grade": before.get("credit_grade") or "",
                      "to_grade": after.get("credit_grade") or "",
                      "from_list": before.get("list"), "to_list": after.get("list"),
                      "reason": after.get("reason") or ""})
    return found


def company_file(s: Session, licence_no: str) -> dict[str, Any] | None:
    """What the company's page shows: its standing, register entry, grade history,
    evaluations and reviews; None when HQ knows no company of that licence."""
    found = next((c for c in standing.company_standing(s)
                  if c["licence_no"] == licence_no), None)
    if found is None:
        return None
    entry = s.get(CompanyRegisterEntry, licence_no)
    return {"company": found,
            "list": entry.list_name if entry else ("black" if found["blacklisted"] else None),
            "list_reason": entry.reason if entry else "",
            "list_since": as_utc(entry.since) if entry and entry.since else None,
            "history": grade_history(s, licence_no), "reviews": reviews(s, licence_no)}


# ---------------------------------------------------------------------------- deciding
def decide(db: HqDatabase, actor: str, licence_no: str, review_id: int, decision: str,
           note: str) -> dict[str, Any]:
    """A person's decision on an open review: ``accept`` changes the register's grade to the
    suggested one (app.hq.register, audited "company.set"), ``reject`` changes nothing but
    the review (the note, required, says why); both audited, in one transaction. HqError
    400 for a bad decision or note, 404 for no such review of this company, 409 when it is
    decided already or the grade changed since it was opened."""
    if decision not in DECISIONS:
        raise HqError(400, "the decision must be accept or reject")
    note = " ".join(note.split())
    if decision == "reject" or note:
        note = register.plain_text(note, MAX_NOTE_CHARS, "note (why)")
    with db.begin() as s:
        review = s.get(GradeReview, review_id)
        if review is None or review.licence_no != licence_no:
            raise HqError(404, f"no grade review {review_id} for licence {licence_no}")
        before = _review_dict(review)
        if review.decision is not None:
            raise HqError(409, f"grade review {review_id} was decided already "
                               f"({review.decision})")
        now = utc_now()
        # Only over an open review: a second click, or another person, changes nothing.
        if rows_changed(s.execute(update(GradeReview).where(
                GradeReview.id == review_id, GradeReview.decision.is_(None))
                .values(decision=decision, decided_by=actor, decided_at=now,
                        note=note))) != 1:
            raise HqError(409, f"grade review {review_id} was decided already")
        if decision == "accept":
            state = register_state(s, licence_no)
            if state is None:
                raise HqError(404, f"headquarters' register has no company with licence "
                                   f"{licence_no}")
            if standing.credit_rank(state[0]) != standing.credit_rank(review.current_grade):
                raise HqError(409, f"the credit grade is {state[0] or '—'} now, not "
                                   f"{review.current_grade} as when review {review_id} was "
                                   f"opened: reject it, and change the grade on the "
                                   f"companies page if it must change")
            reason = f"复核 #{review_id} 确认 (grade review accepted): {review.why}"
            if note:
                reason += f" — {note}"
            register.set_company_in(s, actor, licence_no, review.suggested_grade, state[1],
                                    reason[:register.MAX_REASON_CHARS])
        s.refresh(review)
        after = _review_dict(review)
        audit.record(s, actor, f"grade_review.{decision}", f"company:{licence_no}",
                     _audit_view(before), _audit_view(after))
        return after


def _audit_view(review: dict[str, Any]) -> dict[str, Any]:
    return {key: (value.isoformat(timespec="seconds") if isinstance(value, datetime)
                  else value) for key, value in review.items()}

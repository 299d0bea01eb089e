"""The records a score is computed from, read in one go and handed out as frozen values.

``load_event_rows`` is the only part of scoring that touches the database: one read session,
a handful of column queries (no ORM objects), and the event's checklist template. Everything
after it (app.evaluation.scoring) is pure functions over these values, so a rule can be
tested without a profile and the figures depend on nothing but the rows.

``as_of`` (UTC) leaves out records created after that moment: the figures of a signed
evaluation, whose records before its signature can no longer change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select

from app.inspection.checklist import ChecklistTemplate, load_template
from app.inspection.domain import Verdict
from app.orm import as_utc, live
from app.profile.db import Database
from app.profile.models import Company, Event, Finding, Guard, Inspection, Post, PostStatus

EventRecord = type[Post] | type[Guard] | type[Inspection] | type[Finding] | type[PostStatus]


class PostRow(NamedTuple):
    id: str
    name: str
    zone: str
    task_type: str
    required_headcount: int


class GuardRow(NamedTuple):
    """A rostered guard."""

    id: str
    name: str
    cert_no: str
    company_name: str
    post_id: str | None


class VisitCount(NamedTuple):
    """How many inspections found this guard (None: not on the roster) at this post."""

    guard_id: str | None
    post_id: str | None
    badge_refused: bool  # the badge was forged, revoked, untrusted...
    inspections: int


class FindingRow(NamedTuple):
    id: str
    inspection_id: str | None
    post_id: str | None
    guard_id: str | None
    category: str
    item_code: str
    company_name: str
    correction: str
    created_at: datetime
    scanned_text: str | None  # of the inspection that recorded the finding, if any


class PostStatusRow(NamedTuple):
    id: str
    post_id: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class EventRows:
    """Everything the score of one event is computed from."""

    event_id: str
    template: ChecklistTemplate
    contracted: str  # the contracted company's name, "" when the event names none
    posts: tuple[PostRow, ...]
    guards: tuple[GuardRow, ...]
    visits: tuple[VisitCount, ...]
    findings: tuple[FindingRow, ...]  # oldest first
    statuses: tuple[PostStatusRow, ...]  # oldest first
    as_of: datetime | None = None  # UTC


def event_records(model: EventRecord, event_id: str,
                  as_of: datetime | None) -> list[ColumnElement[bool]]:
    """The conditions for the event's live records of ``model``, created up to ``as_of``."""
    conditions = [model.event_id == event_id, live(model)]
    if as_of is not None:
        conditions.append(model.created_at <= as_of)
    return conditions


def load_event_rows(db: Database, event_id: str, as_of: datetime | None = None) -> EventRows:
    """The event's records as values (read only); LookupError for an unknown event."""
    as_of = as_utc(as_of)
    badge_refused = Inspection.verdict == Verdict.BADGE_INVALID.value
    with db.read() as s:
        event = s.get(Event, event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        template = load_template(event.checklist_template or "checklist")
        contracted = (s.scalar(select(Company.name).where(Company.id == event.company_id))
                      if event.company_id else None) or ""

        def scope(model: EventRecord) -> list[ColumnElement[bool]]:
            return event_records(model, event_id, as_of)

        posts = s.execute(select(Post.id, Post.name, Post.zone, Post.task_type,
                                 Post.required_headcount).where(*scope(Post))).all()
        guards = s.execute(select(Guard.id, Guard.name, Guard.cert_no, Guard.company_name,
                                  Guard.post_id).where(*scope(Guard))).all()
        # Inspections per (guard, post): counts only, from the covering index.
        visits = s.execute(select(Inspection.guard_id, Inspection.post_id, badge_refused,
                                  func.count())
                           .where(*scope(Inspection))
                           .group_by(Inspection.guard_id, Inspection.post_id,
                                     badge_refused)).all()
        findings = s.execute(
            select(Finding.id, Finding.inspection_id, Finding.post_id, Finding.guard_id,
                   Finding.category, Finding.item_code, Finding.company_name,
                   Finding.correction, Finding.created_at, Inspection.scanned_text)
            .outerjoin(Inspection, Finding.inspection_id == Inspection.id)
            .where(*scope(Finding)).order_by(Finding.created_at, Finding.id)).all()
        statuses = s.execute(
            select(PostStatus.id, PostStatus.post_id, PostStatus.status, PostStatus.created_at)
            .where(*scope(PostStatus)).order_by(PostStatus.created_at, PostStatus.id)).all()
    return EventRows(
        event_id=event_id, template=template, contracted=contracted,
        posts=tuple(PostRow._make(row) for row in posts),
        guards=tuple(GuardRow._make(row) for row in guards),
        visits=tuple(VisitCount(guard_id, post_id, bool(refused), count)
                     for guard_id, post_id, refused, count in visits),
        findings=tuple(FindingRow._make(row) for row in findings),
        statuses=tuple(PostStatusRow._make(row) for row in statuses),
        as_of=as_of)

"""Read-only questions the screens ask: the events, their posts and guards with their counts,
a checklist's recorded state, a finding, the dashboard. Each opens one read session and
returns plain values (app.inspection.values); nothing here writes."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import translate
from app.inspection.checklist import ChecklistItem, ChecklistTemplate, load_template
from app.inspection.domain import Verdict, worst_post_state
from app.inspection.errors import WorkbenchError
from app.inspection.lock_rules import lock_state
from app.inspection.natural_order import natural_key
from app.inspection.values import (
    CompanyInfo,
    Dashboard,
    EventInfo,
    GuardInfo,
    ItemState,
    PostInfo,
    guard_info,
    item_state,
    post_info,
)
from app.orm import live
from app.profile.db import Database
from app.profile.models import (
    CheckResult,
    Company,
    Event,
    Finding,
    Guard,
    Inspection,
    Post,
    PostStatus,
    utc_now,
)

RECENTLY_PRESENT_MINUTES = 30


# ------------------------------------------------------------------ events
def event_info(s: Session, event: Event) -> EventInfo:
    company = s.get(Company, event.company_id) if event.company_id else None
    return EventInfo(
        id=event.id, name=event.name, venue=event.venue, organizer=event.organizer,
        starts_at=event.starts_at, ends_at=event.ends_at,
        expected_attendance=event.expected_attendance, venue_capacity=event.venue_capacity,
        risk_level=event.risk_level, event_kind=event.event_kind,
        company=CompanyInfo(company.id, company.name, company.licence_no,
                            company.credit_grade, company.blacklisted) if company else None)


def list_events(db: Database) -> list[EventInfo]:
    with db.read() as s:
        events = s.scalars(select(Event).where(live(Event)).order_by(Event.created_at))
        return [event_info(s, e) for e in events]


def event(db: Database, event_id: str) -> EventInfo:
    with db.read() as s:
        found = s.get(Event, event_id)
        if found is None:
            raise WorkbenchError(translate("Workbench", "no event {id}").format(id=event_id))
        return event_info(s, found)


def find_event(db: Database, name: str) -> EventInfo | None:
    with db.read() as s:
        found = s.scalar(select(Event).where(Event.name == name, live(Event)))
        return event_info(s, found) if found else None


def template(db: Database, event_id: str) -> ChecklistTemplate:
    with db.read() as s:
        return template_in(s, event_id)


def template_in(s: Session, event_id: str) -> ChecklistTemplate:
    """The event's checklist template, read in the session of the change that needs it."""
    template_id = s.scalar(select(Event.checklist_template).where(Event.id == event_id))
    return load_template(template_id or "checklist")


def is_locked(db: Database, event_id: str) -> bool:
    """The event's newest evaluation is signed: its records are read-only."""
    with db.read() as s:
        return lock_state(s, event_id).locked


# ------------------------------------------------------------ guards, posts
def guards(db: Database, event_id: str,
           only: Collection[str] | None = None) -> list[GuardInfo]:
    """The event's roster in its file's order; ``only`` these guards' lines if given."""
    with db.read() as s:
        query = (select(Guard, Post.name).outerjoin(Post, Guard.post_id == Post.id)
                 .where(Guard.event_id == event_id, live(Guard)))
        if only is not None:
            query = query.where(Guard.id.in_(list(only)))
        rows = s.execute(query.order_by(Guard.roster_row, Guard.name))
        return [guard_info(g, post_name) for g, post_name in rows]


def post_states(s: Session, event_id: str,
                only: Collection[str] | None = None) -> dict[str, str]:
    """Each post's state: the worst recorded during the event
    (app.inspection.domain.worst_post_state), so a post absent then understaffed is counted
    once, as in the score."""
    query = select(PostStatus.post_id, PostStatus.status).where(
        PostStatus.event_id == event_id, live(PostStatus))
    if only is not None:
        query = query.where(PostStatus.post_id.in_(list(only)))
    recorded: dict[str, list[str]] = {}
    for post_id, state in s.execute(query):
        recorded.setdefault(post_id, []).append(state)
    return {post_id: worst for post_id, states in recorded.items()
            if (worst := worst_post_state(states)) is not None}


def posts(db: Database, event_id: str, with_counts: bool = True,
          only: Collection[str] | None = None) -> list[PostInfo]:
    """The event's posts in natural order; ``with_counts=False`` skips the counts (a
    few hundred milliseconds on a large event) for a list shown at once; ``only`` these
    posts (a change touched them: a few milliseconds, whatever the event's size)."""
    with db.read() as s:
        query = select(Post).where(Post.event_id == event_id, live(Post))
        wanted = list(only) if only is not None else None
        if wanted is not None:
            query = query.where(Post.id.in_(wanted))
        found = sorted(s.scalars(query), key=lambda p: natural_key(p.name))
        if not with_counts:
            return [PostInfo(p.id, p.name, p.zone, p.task_type, p.required_headcount,
                             counted=False) for p in found]
        assigned_query = select(Guard.post_id, func.count()).where(
            Guard.event_id == event_id, live(Guard))
        # The head-count is of the post's own guards found there: a guard of another post
        # or a refused badge is a finding, not one more guard on duty.
        inspected_query = (
            select(Inspection.post_id, func.count(func.distinct(Inspection.guard_id)))
            .join(Guard, Guard.id == Inspection.guard_id)
            .where(Inspection.event_id == event_id, live(Inspection),
                   Guard.post_id == Inspection.post_id,
                   Inspection.verdict != Verdict.BADGE_INVALID.value))
        if wanted is not None:
            assigned_query = assigned_query.where(Guard.post_id.in_(wanted))
            inspected_query = inspected_query.where(Inspection.post_id.in_(wanted))
        assigned: dict[str | None, int] = {
            post_id: count for post_id, count in s.execute(
                assigned_query.group_by(Guard.post_id))}
        inspected: dict[str | None, int] = {
            post_id: count for post_id, count in s.execute(
                inspected_query.group_by(Inspection.post_id))}
        status = post_states(s, event_id, wanted)
        return [PostInfo(p.id, p.name, p.zone, p.task_type, p.required_headcount,
                         assigned.get(p.id, 0), inspected.get(p.id, 0), status.get(p.id))
                for p in found]


def post(db: Database, post_id: str) -> PostInfo:
    with db.read() as s:
        found = s.get(Post, post_id)
        if found is None:
            raise WorkbenchError(translate("Workbench", "no post {id}").format(id=post_id))
        return post_info(found)


def guards_seen_recently(db: Database, event_id: str, post_id: str,
                         minutes: int = RECENTLY_PRESENT_MINUTES) -> int:
    """Guards scanned at the post within the last ``minutes`` with a badge not refused:
    marking such a post absent needs the supervisor's second look."""
    since = utc_now() - timedelta(minutes=minutes)
    with db.read() as s:
        return s.scalar(select(func.count(func.distinct(Inspection.guard_id))).where(
            Inspection.event_id == event_id, Inspection.post_id == post_id,
            live(Inspection), Inspection.guard_id.is_not(None),
            Inspection.verdict != Verdict.BADGE_INVALID.value,
            Inspection.created_at >= since)) or 0


# -------------------------------------------------------------- inspection
def item_states(db: Database, inspection_id: str,
                items: tuple[ChecklistItem, ...]) -> tuple[ItemState, ...]:
    with db.read() as s:
        results = {r.item_code: r for r in s.scalars(select(CheckResult).where(
            CheckResult.inspection_id == inspection_id, live(CheckResult)))}
        findings = {f.item_code: f for f in s.scalars(select(Finding).where(
            Finding.inspection_id == inspection_id, live(Finding)))}
        return tuple(item_state(item, results.get(item.code), findings.get(item.code))
                     for item in items)


def finding(db: Database, finding_id: str) -> Finding:
    """The finding's row, detached from its session (read its columns, change nothing)."""
    with db.read() as s:
        found = s.get(Finding, finding_id)
        if found is None:
            raise WorkbenchError(
                translate("Workbench", "no finding {id}").format(id=finding_id))
        s.expunge(found)
        return found


# --------------------------------------------------------------- dashboard
def dashboard(db: Database, event_id: str) -> Dashboard:
    with db.read() as s:
        posts_total = s.scalar(select(func.count()).select_from(Post).where(
            Post.event_id == event_id, live(Post))) or 0
        staffed = s.scalar(select(func.count(func.distinct(Guard.post_id))).where(
            Guard.event_id == event_id, live(Guard), Guard.post_id.is_not(None))) or 0
        visited, checked, inspections = s.execute(select(
            func.count(func.distinct(Inspection.post_id)),
            func.count(func.distinct(Inspection.guard_id)),
            func.count()).where(Inspection.event_id == event_id, live(Inspection))).one()
        # A post counts once, at its worst state (as in the score): absent, then
        # understaffed later, is one absent post, not one of each.
        worst = list(post_states(s, event_id).values())
        statuses = {state: worst.count(state) for state in set(worst)}
        rostered = s.scalar(select(func.count()).select_from(Guard).where(
            Guard.event_id == event_id, live(Guard))) or 0
        live_findings = (Finding.event_id == event_id, live(Finding))
        by_category: dict[str, int] = {
            category: count for category, count in s.execute(
                select(Finding.category, func.count()).where(*live_findings)
                .group_by(Finding.category))}
        by_company: dict[str, int] = {
            company: count for company, count in s.execute(
                select(Finding.company_name, func.count()).where(*live_findings)
                .group_by(Finding.company_name))}
        not_corrected = s.scalar(select(func.count()).select_from(Finding).where(
            *live_findings, Finding.correction == "not_corrected")) or 0
    absent = statuses.get("absent", 0)
    understaffed = statuses.get("understaffed", 0)
    if absent or understaffed:
        by_category["post"] = absent + understaffed
    return Dashboard(
        posts_total=posts_total, posts_visited=visited, posts_unstaffed=posts_total - staffed,
        posts_absent=absent, posts_understaffed=understaffed, guards_rostered=rostered,
        guards_checked=checked, inspections=inspections,
        findings=sum(v for k, v in by_category.items() if k != "post"),
        findings_not_corrected=not_corrected, findings_by_category=by_category,
        findings_by_company={k or "?": v for k, v in by_company.items()})

"""Changes that prepare an event: its facts and contracted company, the roster imported from
the company's file, the posts, the guards' fixed posts and photos.

Each change runs in one transaction, committed before it returns, and returns its value with
the description of what it changed (app.inspection.changeset).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import translate
from app.inspection import queries
from app.inspection.changeset import Applied, Changes, ids
from app.inspection.errors import WorkbenchError
from app.inspection.identity import cert_key, mask_id_number
from app.inspection.lock_rules import refuse_if_locked
from app.inspection.roster import RosterReport, check_roster, zone_of
from app.inspection.unit_of_work import UnitOfWork
from app.inspection.values import EventInput, ImportResult
from app.profile.models import Company, Event, Guard, Post, new_id


def save_event(work: UnitOfWork, data: EventInput, event_id: str | None = None) -> Applied[str]:
    """Create or update an event and its contracted company; the event's id."""
    name = data.name.strip()
    if not name:
        raise WorkbenchError(translate("Workbench", "event name is required"))
    with work.transaction() as s:
        clash = s.scalar(select(Event.id).where(Event.name == name, Event.id != event_id))
        if clash:
            raise WorkbenchError(translate(
                "Workbench", "an event named {name} already exists").format(name=name))
        company_id = None
        if data.company_name.strip():
            company_id = _upsert_company(work, s, data).id
        event = s.get(Event, event_id) if event_id else None
        if event is None:
            event = Event(id=event_id or new_id(), device_id=work.device_id, name=name)
            s.add(event)
        event.name = name
        event.venue = data.venue.strip()
        event.organizer = data.organizer.strip()
        event.starts_at = data.starts_at
        event.ends_at = data.ends_at
        event.expected_attendance = data.expected_attendance
        event.venue_capacity = data.venue_capacity
        event.risk_level = data.risk_level
        event.event_kind = data.event_kind
        event.company_id = company_id
        s.flush()
        return Applied(event.id, Changes(event_ids=ids(event.id), event_details=True))


def _upsert_company(work: UnitOfWork, s: Session, data: EventInput) -> Company:
    name = data.company_name.strip()
    company = s.scalar(select(Company).where(Company.name == name))
    if company is None:
        company = Company(name=name, device_id=work.device_id)
        s.add(company)
    company.licence_no = data.company_licence_no.strip()
    company.credit_grade = data.company_credit_grade.strip()
    company.blacklisted = data.company_blacklisted
    company.deleted_at = None
    s.flush()
    return company


def create_event_with_roster(work: UnitOfWork, data: EventInput,
                             report: RosterReport) -> Applied[ImportResult]:
    """Create an event and import its roster in one transaction: a refusal, an error or
    a crash at any point leaves no event behind, not even an empty one."""
    with work.together():
        created = save_event(work, data)
        imported = import_roster(work, created.value, report)
    return Applied(imported.value, created.changes | imported.changes)


def import_roster(work: UnitOfWork, event_id: str,
                  report: RosterReport) -> Applied[ImportResult]:
    """Import the roster's valid rows in one transaction (all of them or nothing).

    A guard already on the event's roster (same certificate number) is updated, so a
    company's corrected roster can be imported again.
    """
    with work.transaction() as s:
        event = s.get(Event, event_id)
        if event is None:
            raise WorkbenchError(translate("Workbench", "no event {id}").format(id=event_id))
        refuse_if_locked(s, event_id)
        posts = {p.name: p for p in s.scalars(select(Post).where(Post.event_id == event_id))}
        guards = {g.cert_key: g for g in
                  s.scalars(select(Guard).where(Guard.event_id == event_id))}
        company_set = event.company_id is None and bool(report.main_company)
        if company_set:
            company = s.scalar(select(Company).where(Company.name == report.main_company))
            if company is None:
                company = Company(name=report.main_company, device_id=work.device_id)
                s.add(company)
                s.flush()
            event.company_id = company.id
        posts_created = imported = updated = 0
        headcount: dict[str, int] = {}
        for row in report.valid_rows:
            post = None
            if row.post and row.task_type:
                post = posts.get(row.post)
                if post is None:
                    post = Post(event_id=event_id, name=row.post, zone=zone_of(row.post),
                                task_type=row.task_type, required_headcount=0,
                                device_id=work.device_id)
                    s.add(post)
                    posts[row.post] = post
                    posts_created += 1
                headcount[post.name] = headcount.get(post.name, 0) + 1
            key = cert_key(row.cert_no)
            guard = guards.get(key)
            if guard is None:
                guard = Guard(event_id=event_id, cert_key=key, device_id=work.device_id)
                s.add(guard)
                guards[key] = guard
                imported += 1
            else:
                guard.deleted_at = None
                updated += 1
            guard.roster_row = row.row
            guard.name = row.name
            guard.gender = row.gender
            guard.id_masked = mask_id_number(row.id_number)  # never the number itself
            guard.cert_no = row.cert_no
            guard.company_name = row.company
            guard.phone = row.phone
            # The roster's columns are the company's claim; in the laptop's own event they
            # are also what the verdicts use, but a guard headquarters prepared keeps HQ's
            # result (vetting owned by the police, docs/hq-console-vetting.md).
            guard.claimed_background_check = row.background_check
            guard.claimed_trained = row.trained
            if guard.device_id == work.device_id:
                guard.background_check = row.background_check
                guard.trained = row.trained
            s.flush()
            guard.post_id = post.id if post else None
        for name, count in headcount.items():
            posts[name].required_headcount = max(posts[name].required_headcount, count)
    changes = Changes(event_ids=ids(event_id), roster=True, post_list=True, counts=True,
                      event_details=company_set)
    return Applied(ImportResult(event_id, imported, updated, posts_created), changes)


def import_roster_file(work: UnitOfWork, event_name: str,
                       file: str | Path) -> Applied[tuple[RosterReport, ImportResult]]:
    """Check a company's roster file and import it into the event named ``event_name``,
    created with it (one transaction: no empty event is left behind) when the profile has
    none by that name. The file is checked against the event's contracted company, if it
    has one. The check's report comes back with the import's counts.

    RosterFileError when the file cannot be read; WorkbenchError when the event is locked
    or its name refused."""
    event = queries.find_event(work.db, event_name)
    company = event.company.name if event and event.company else None
    report = check_roster(file, main_company=company)
    applied = (import_roster(work, event.id, report) if event else
               create_event_with_roster(work, EventInput(name=event_name), report))
    return Applied((report, applied.value), applied.changes)


def save_post(work: UnitOfWork, event_id: str, name: str, zone: str, task_type: str,
              required_headcount: int, post_id: str | None = None) -> Applied[str]:
    """Create or update a post; its id."""
    name = name.strip()
    if not name:
        raise WorkbenchError(translate("Workbench", "post name is required"))
    with work.db.begin() as s:
        refuse_if_locked(s, event_id)
        clash = s.scalar(select(Post.id).where(Post.event_id == event_id, Post.name == name,
                                               Post.id != post_id))
        if clash:
            raise WorkbenchError(translate(
                "Workbench", "a post named {name} already exists").format(name=name))
        post = s.get(Post, post_id) if post_id else None
        renamed = post is None or post.name != name  # a new post, or one in another place
        if post is None:
            post = Post(event_id=event_id, device_id=work.device_id, name=name,
                        task_type=task_type)
            s.add(post)
        post.name = name
        post.zone = zone.strip() or zone_of(name)
        post.task_type = task_type
        post.required_headcount = max(0, required_headcount)
        s.flush()
        saved_id = post.id
    # A renamed post is named on its guards' roster lines too.
    return Applied(saved_id, Changes(event_ids=ids(event_id), post_ids=ids(saved_id),
                                     post_list=renamed, roster=renamed and post_id is not None,
                                     counts=True))


def set_guard_photo(work: UnitOfWork, guard_id: str, photo_file: str | Path) -> Applied[str]:
    """Keep a copy of the guard's photo in the profile; its relative path."""
    source = Path(photo_file)
    if not source.is_file():
        raise WorkbenchError(translate(
            "Workbench", "photo file not found: {file}").format(file=source))
    relative = work.db.files.copy_in(  # encrypted when the profile is
        source, f"photos/{guard_id}-{new_id()[:8]}{source.suffix.lower()}")
    with work.db.begin() as s:
        guard = s.get(Guard, guard_id)
        if guard is None:
            raise WorkbenchError(translate("Workbench", "no guard {id}").format(id=guard_id))
        guard.photo_path = relative
        event_id = guard.event_id
    return Applied(relative, Changes(event_ids=ids(event_id), guard_ids=ids(guard_id)))


def assign_guard(work: UnitOfWork, guard_id: str, post_id: str | None) -> Applied[None]:
    """Fix a guard to a post (定岗位), or release the guard with None."""
    with work.db.begin() as s:
        guard = s.get(Guard, guard_id)
        if guard is None:
            raise WorkbenchError(translate("Workbench", "no guard {id}").format(id=guard_id))
        refuse_if_locked(s, guard.event_id)
        before = guard.post_id
        guard.post_id = post_id
        event_id = guard.event_id
    return Applied(None, Changes(event_ids=ids(event_id), guard_ids=ids(guard_id),
                                 post_ids=ids(before, post_id), counts=True))

"""The supervisor's workbench: every query and change the screens need, without Qt.

Queries return frozen values; changes open one session each, commit before returning (so
what the screen then shows as saved is on disk) and return what they changed. The last
changes can be undone: each change pushes the step that reverts it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.badge.trust_store import ProfileTrustStore
from app.badge.verify import (
    BadgeCheck,
    BadgeVerdict,
    is_signed_payload,
    parse_post_payload,
    verify,
)
from app.errors import UserError
from app.i18n import translate
from app.inspection.checklist import ChecklistItem, ChecklistTemplate, load_template
from app.inspection.domain import (
    STAFFING_CATEGORY,
    STAFFING_FINDINGS,
    VERDICT_SERIOUSNESS,
    Verdict,
    worst_post_state,
)
from app.inspection.identity import cert_key, mask_id_number
from app.inspection.roster import RosterReport, zone_of
from app.profile.db import Database
from app.profile.models import (
    CheckResult,
    Company,
    Evaluation,
    Event,
    Finding,
    Guard,
    Inspection,
    Post,
    PostStatus,
    new_id,
    utc_now,
)


class WorkbenchError(UserError):
    """A change the rules refuse (e.g. a duplicate name); the message is for people."""


RECENTLY_PRESENT_MINUTES = 30
class RecordLockedError(WorkbenchError):
    """The change would alter records a signed evaluation rests on.

    Once the supervisor signs, the event's records are evidence: the signed PDF says what they
    were. A correction is a new version of the evaluation (EvaluationService.new_version),
    after which new scans and ticks are allowed again while the records the signature covers
    stay as they were.
    """

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
                and naive_utc(created_at) <= self.frozen_before)


def naive_utc(moment: datetime) -> datetime:
    """SQLite gives back the UTC wall time without an offset; compare in that form."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def lock_state(s: Session, event_id: str) -> LockState:
    """One probe of ix_evaluation_event_live_version: the two newest evaluations say whether
    the event is locked and since when its older records are frozen (a draft's predecessor
    is always signed, so the newest signature is among the two)."""
    rows = s.execute(select(Evaluation.status, Evaluation.signed_at)
                     .where(Evaluation.event_id == event_id, Evaluation.deleted_at.is_(None))
                     .order_by(Evaluation.version.desc()).limit(2)).all()
    if not rows:
        return LockState(False, None)
    frozen = next((naive_utc(r.signed_at) for r in rows if r.signed_at is not None), None)
    return LockState(rows[0].status == "signed", frozen)


def _refuse_if_locked(s: Session, event_id: str) -> LockState:
    state = lock_state(s, event_id)
    if state.locked:
        raise RecordLockedError()
    return state


def _refuse_if_frozen(s: Session, inspection: Inspection) -> None:
    """An inspection the last signature covers stays as it was, even in a new version."""
    state = _refuse_if_locked(s, inspection.event_id)
    if state.frozen(inspection.created_at):
        raise RecordLockedError(translate(
            "Workbench",
            "this inspection is part of a signed evaluation: it can no longer be changed"))


@dataclass(frozen=True)
class CompanyInfo:
    id: str
    name: str
    licence_no: str
    credit_grade: str
    blacklisted: bool


@dataclass(frozen=True)
class EventInfo:
    id: str
    name: str
    venue: str
    organizer: str
    starts_at: datetime | None
    ends_at: datetime | None
    expected_attendance: int
    venue_capacity: int
    risk_level: str
    event_kind: str
    company: CompanyInfo | None


@dataclass(frozen=True)
class EventInput:
    name: str
    venue: str = ""
    organizer: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    expected_attendance: int = 0
    venue_capacity: int = 0
    risk_level: str = "medium"
    event_kind: str = "commercial"
    company_name: str = ""
    company_licence_no: str = ""
    company_credit_grade: str = ""
    company_blacklisted: bool = False


@dataclass(frozen=True)
class PostInfo:
    id: str
    name: str
    zone: str
    task_type: str
    required_headcount: int
    assigned_count: int = 0
    inspected_count: int = 0
    status: str | None = None
    counted: bool = True  # False: listed without its counts (they come later)


@dataclass(frozen=True)
class GuardInfo:
    id: str
    name: str
    gender: str
    id_masked: str
    cert_no: str
    company_name: str
    background_check: str
    trained: bool
    photo_path: str | None
    post_id: str | None
    post_name: str | None
    roster_row: int | None = None


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    scanned_text: str
    cert_key: str
    guard: GuardInfo | None
    post: PostInfo | None  # where the supervisor is standing (or the post a label names)
    previous_checks: int = 0
    badge: BadgeCheck | None = None
    # Every verdict that applies, most serious first; ``verdict`` is the headline among them.
    verdicts: tuple[Verdict, ...] = ()

    @property
    def concerns(self) -> tuple[Verdict, ...]:
        """What applies besides the headline (wrong post, training, background...)."""
        return tuple(v for v in self.verdicts if v != self.verdict)


@dataclass(frozen=True)
class ItemState:
    item: ChecklistItem
    compliant: bool | None
    finding_id: str | None = None
    note: str = ""
    evidence_path: str | None = None
    correction: str = "not_corrected"


@dataclass(frozen=True)
class InspectionInfo:
    id: str
    scan: ScanResult
    items: tuple[ItemState, ...]
    staffing_finding_id: str | None = None


@dataclass(frozen=True)
class ImportResult:
    event_id: str
    imported: int
    updated: int
    posts_created: int


@dataclass(frozen=True)
class Dashboard:
    posts_total: int
    posts_visited: int
    posts_unstaffed: int
    posts_absent: int
    posts_understaffed: int
    guards_rostered: int
    guards_checked: int
    inspections: int
    findings: int
    findings_not_corrected: int
    findings_by_category: dict[str, int] = field(default_factory=dict)
    findings_by_company: dict[str, int] = field(default_factory=dict)


@dataclass
class _UndoStep:
    label: str
    revert: Callable[[Session], None]
    event_id: str | None = None
    made_at: datetime = field(default_factory=lambda: naive_utc(utc_now()))


def natural_key(text: str) -> tuple[object, ...]:
    """A区2号 before A区10号: numbers inside names compare as numbers."""
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", text))


def _live(model: type) -> object:
    return model.deleted_at.is_(None)


def _post_states(s: Session, event_id: str) -> dict[str, str]:
    """Each post's state: the worst recorded during the event
    (app.inspection.domain.worst_post_state), so a post absent then understaffed is counted once,
    as in the score."""
    recorded: dict[str, list[str]] = {}
    for post_id, state in s.execute(select(PostStatus.post_id, PostStatus.status)
                                    .where(PostStatus.event_id == event_id,
                                           _live(PostStatus))):
        recorded.setdefault(post_id, []).append(state)
    return {post_id: worst for post_id, states in recorded.items()
            if (worst := worst_post_state(states)) is not None}


def _ordered(found: set[Verdict]) -> tuple[Verdict, ...]:
    return tuple(v for v in VERDICT_SERIOUSNESS if v in found)


class Workbench:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.device_id = db.device_id
        self._undo: list[_UndoStep] = []
        self._trust: ProfileTrustStore | None = None
        self.today: Callable[[], date] = date.today  # badges' dates are checked against it
        # The one transaction of create_event_with_roster, for the thread running it only: the
        # screens call the workbench from worker threads too.
        self._shared = threading.local()

    # ----------------------------------------------------------------- events
    def list_events(self) -> list[EventInfo]:
        with self.db.read() as s:
            events = s.scalars(select(Event).where(_live(Event)).order_by(Event.created_at))
            return [self._event_info(s, e) for e in events]

    def event(self, event_id: str) -> EventInfo:
        with self.db.read() as s:
            event = s.get(Event, event_id)
            if event is None:
                raise WorkbenchError(translate("Workbench", "no event {id}").format(id=event_id))
            return self._event_info(s, event)

    def find_event(self, name: str) -> EventInfo | None:
        with self.db.read() as s:
            event = s.scalar(select(Event).where(Event.name == name, _live(Event)))
            return self._event_info(s, event) if event else None

    def _event_info(self, s: Session, event: Event) -> EventInfo:
        company = s.get(Company, event.company_id) if event.company_id else None
        return EventInfo(
            id=event.id, name=event.name, venue=event.venue, organizer=event.organizer,
            starts_at=event.starts_at, ends_at=event.ends_at,
            expected_attendance=event.expected_attendance, venue_capacity=event.venue_capacity,
            risk_level=event.risk_level, event_kind=event.event_kind,
            company=CompanyInfo(company.id, company.name, company.licence_no,
                                company.credit_grade, company.blacklisted) if company else None)

    def save_event(self, data: EventInput, event_id: str | None = None) -> str:
        """Create or update an event and its contracted company; returns the event id."""
        name = data.name.strip()
        if not name:
            raise WorkbenchError(translate("Workbench", "event name is required"))
        with self._transaction() as s:
            clash = s.scalar(select(Event.id).where(Event.name == name, Event.id != event_id))
            if clash:
                raise WorkbenchError(translate(
                    "Workbench", "an event named {name} already exists").format(name=name))
            company_id = None
            if data.company_name.strip():
                company = self._upsert_company(s, data)
                company_id = company.id
            event = s.get(Event, event_id) if event_id else None
            if event is None:
                event = Event(id=event_id or new_id(), device_id=self.device_id, name=name)
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
            return event.id

    def _upsert_company(self, s: Session, data: EventInput) -> Company:
        name = data.company_name.strip()
        company = s.scalar(select(Company).where(Company.name == name))
        if company is None:
            company = Company(name=name, device_id=self.device_id)
            s.add(company)
        company.licence_no = data.company_licence_no.strip()
        company.credit_grade = data.company_credit_grade.strip()
        company.blacklisted = data.company_blacklisted
        company.deleted_at = None
        s.flush()
        return company

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """A unit of work: its own session committed on success, or, inside
        create_event_with_roster, that method's one transaction."""
        shared: Session | None = getattr(self._shared, "session", None)
        if shared is not None:
            yield shared
            return
        with self.db.begin() as s:
            yield s

    # ----------------------------------------------------------------- roster
    def create_event_with_roster(self, data: EventInput, report: RosterReport) -> ImportResult:
        """Create an event and import its roster in one transaction: a refusal, an error or
        a crash at any point leaves no event behind, not even an empty one."""
        with self.db.begin() as s:
            self._shared.session = s
            try:
                return self.import_roster(self.save_event(data), report)
            finally:
                self._shared.session = None

    def import_roster(self, event_id: str, report: RosterReport) -> ImportResult:
        """Import the roster's valid rows in one transaction (all of them or nothing).

        A guard already on the event's roster (same certificate number) is updated, so a
        company's corrected roster can be imported again.
        """
        with self._transaction() as s:
            event = s.get(Event, event_id)
            if event is None:
                raise WorkbenchError(translate("Workbench", "no event {id}").format(id=event_id))
            _refuse_if_locked(s, event_id)
            posts = {p.name: p for p in s.scalars(select(Post).where(Post.event_id == event_id))}
            guards = {g.cert_key: g for g in
                      s.scalars(select(Guard).where(Guard.event_id == event_id))}
            if event.company_id is None and report.main_company:
                company = s.scalar(select(Company).where(Company.name == report.main_company))
                if company is None:
                    company = Company(name=report.main_company, device_id=self.device_id)
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
                                    device_id=self.device_id)
                        s.add(post)
                        posts[row.post] = post
                        posts_created += 1
                    headcount[post.name] = headcount.get(post.name, 0) + 1
                key = cert_key(row.cert_no)
                guard = guards.get(key)
                if guard is None:
                    guard = Guard(event_id=event_id, cert_key=key, device_id=self.device_id)
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
                guard.background_check = row.background_check
                guard.trained = row.trained
                s.flush()
                guard.post_id = post.id if post else None
            for name, count in headcount.items():
                posts[name].required_headcount = max(posts[name].required_headcount, count)
        return ImportResult(event_id, imported, updated, posts_created)

    def guards(self, event_id: str) -> list[GuardInfo]:
        with self.db.read() as s:
            rows = s.execute(
                select(Guard, Post.name).outerjoin(Post, Guard.post_id == Post.id)
                .where(Guard.event_id == event_id, _live(Guard))
                .order_by(Guard.roster_row, Guard.name))
            return [self._guard_info(g, post_name) for g, post_name in rows]

    @staticmethod
    def _guard_info(g: Guard, post_name: str | None) -> GuardInfo:
        return GuardInfo(id=g.id, name=g.name, gender=g.gender, id_masked=g.id_masked,
                         cert_no=g.cert_no, company_name=g.company_name,
                         background_check=g.background_check, trained=g.trained,
                         photo_path=g.photo_path, post_id=g.post_id, post_name=post_name,
                         roster_row=g.roster_row)

    # ------------------------------------------------------------------ posts
    def posts(self, event_id: str, with_counts: bool = True) -> list[PostInfo]:
        """The event's posts in natural order; ``with_counts=False`` skips the counts (a
        few hundred milliseconds on a large event) for a list shown at once."""
        with self.db.read() as s:
            posts = sorted(s.scalars(select(Post).where(Post.event_id == event_id,
                                                        _live(Post))),
                           key=lambda p: natural_key(p.name))
            if not with_counts:
                return [PostInfo(p.id, p.name, p.zone, p.task_type, p.required_headcount,
                                 counted=False) for p in posts]
            assigned = dict(s.execute(
                select(Guard.post_id, func.count()).where(Guard.event_id == event_id, _live(Guard))
                .group_by(Guard.post_id)).all())
            # The head-count is of the post's own guards found there: a guard of another post
            # or a refused badge is a finding, not one more guard on duty.
            inspected = dict(s.execute(
                select(Inspection.post_id, func.count(func.distinct(Inspection.guard_id)))
                .join(Guard, Guard.id == Inspection.guard_id)
                .where(Inspection.event_id == event_id, _live(Inspection),
                       Guard.post_id == Inspection.post_id,
                       Inspection.verdict != Verdict.BADGE_INVALID.value)
                .group_by(Inspection.post_id)).all())
            status = _post_states(s, event_id)
            return [PostInfo(p.id, p.name, p.zone, p.task_type, p.required_headcount,
                             assigned.get(p.id, 0), inspected.get(p.id, 0), status.get(p.id))
                    for p in posts]

    def post(self, post_id: str) -> PostInfo:
        with self.db.read() as s:
            p = s.get(Post, post_id)
            if p is None:
                raise WorkbenchError(translate("Workbench", "no post {id}").format(id=post_id))
            return PostInfo(p.id, p.name, p.zone, p.task_type, p.required_headcount)

    def save_post(self, event_id: str, name: str, zone: str, task_type: str,
                  required_headcount: int, post_id: str | None = None) -> str:
        name = name.strip()
        if not name:
            raise WorkbenchError(translate("Workbench", "post name is required"))
        with self.db.begin() as s:
            _refuse_if_locked(s, event_id)
            clash = s.scalar(select(Post.id).where(Post.event_id == event_id, Post.name == name,
                                                   Post.id != post_id))
            if clash:
                raise WorkbenchError(translate(
                    "Workbench", "a post named {name} already exists").format(name=name))
            post = s.get(Post, post_id) if post_id else None
            if post is None:
                post = Post(event_id=event_id, device_id=self.device_id, name=name,
                            task_type=task_type)
                s.add(post)
            post.name = name
            post.zone = zone.strip() or zone_of(name)
            post.task_type = task_type
            post.required_headcount = max(0, required_headcount)
            s.flush()
            return post.id

    def set_guard_photo(self, guard_id: str, photo_file: str | Path) -> str:
        """Keep a copy of the guard's photo in the profile; returns its relative path."""
        source = Path(photo_file)
        if not source.is_file():
            raise WorkbenchError(translate(
                "Workbench", "photo file not found: {file}").format(file=source))
        relative = self.db.files.copy_in(  # encrypted when the profile is
            source, f"photos/{guard_id}-{new_id()[:8]}{source.suffix.lower()}")
        with self.db.begin() as s:
            guard = s.get(Guard, guard_id)
            if guard is None:
                raise WorkbenchError(translate("Workbench", "no guard {id}").format(id=guard_id))
            guard.photo_path = relative
        return relative

    def assign_guard(self, guard_id: str, post_id: str | None) -> None:
        """Fix a guard to a post (定岗位), or release the guard with None."""
        with self.db.begin() as s:
            guard = s.get(Guard, guard_id)
            if guard is None:
                raise WorkbenchError(translate("Workbench", "no guard {id}").format(id=guard_id))
            _refuse_if_locked(s, guard.event_id)
            guard.post_id = post_id

    # ------------------------------------------------------------ inspection
    def template(self, event_id: str) -> ChecklistTemplate:
        with self.db.read() as s:
            template_id = s.scalar(select(Event.checklist_template).where(Event.id == event_id))
        return load_template(template_id or "checklist")

    @property
    def trust(self) -> ProfileTrustStore:
        """The profile's trust and revocation lists (loaded once, reloaded after imports)."""
        if self._trust is None:
            self._trust = ProfileTrustStore(self.db)
        return self._trust

    def read_badge(self, text: str) -> tuple[BadgeCheck | None, str]:
        """What the badge proves, and the certificate key to look up in the roster.

        A signed badge is verified offline against the trust list; a plain number is a
        legacy badge: looked up, but shown as unverified (and still refused if revoked).
        """
        check = verify(text, self.trust, self.today())
        if check.verdict == BadgeVerdict.MALFORMED and not is_signed_payload(text):
            return None, ""  # nothing a badge could carry: a misread, not a forgery
        return check, cert_key(check.cert_no) if check.cert_no else ""

    def lookup(self, event_id: str, scanned_text: str, post_id: str | None) -> ScanResult:
        """The verdict for a scanned badge, a typed certificate number or a post label: a
        read, nothing written."""
        cleaned = "".join(ch for ch in scanned_text if ch.isprintable()).strip()
        post_name = parse_post_payload(cleaned)
        with self.db.read() as s:
            if post_name is not None:
                post = s.scalar(select(Post).where(Post.event_id == event_id,
                                                   Post.name == post_name, _live(Post)))
                info = (PostInfo(post.id, post.name, post.zone, post.task_type,
                                 post.required_headcount) if post else None)
                return ScanResult(Verdict.POST_SCANNED if post else Verdict.UNREADABLE,
                                  cleaned, "", None, info)
            check, key = self.read_badge(cleaned)
            current = s.get(Post, post_id) if post_id else None
            current_info = (PostInfo(current.id, current.name, current.zone, current.task_type,
                                     current.required_headcount) if current else None)
            if not key:
                verdict = Verdict.BADGE_INVALID if check else Verdict.UNREADABLE
                return ScanResult(verdict, cleaned, key, None, current_info, badge=check)
            row = s.execute(
                select(Guard, Post.name, Company.name)
                .outerjoin(Post, Guard.post_id == Post.id)
                .join(Event, Guard.event_id == Event.id)
                .outerjoin(Company, Event.company_id == Company.id)
                .where(Guard.event_id == event_id, Guard.cert_key == key, _live(Guard))).first()
            if row is None:
                found = {Verdict.NOT_ON_ROSTER}
                if check and not check.trusted:
                    found.add(Verdict.BADGE_INVALID)
                verdicts = _ordered(found)
                return ScanResult(verdicts[0], cleaned, key, None, current_info, badge=check,
                                  verdicts=verdicts)
            guard, post_name, contracted = row
            info = self._guard_info(guard, post_name)
            previous = s.scalar(select(func.count()).select_from(Inspection).where(
                Inspection.event_id == event_id, Inspection.guard_id == guard.id,
                _live(Inspection))) or 0
            if current_info is None and guard.post_id:
                current = s.get(Post, guard.post_id)
                if current:
                    current_info = PostInfo(current.id, current.name, current.zone,
                                            current.task_type, current.required_headcount)
        # A verified badge says which company headquarters certified the guard for; it
        # outranks what the company wrote in its own roster.
        company = (check.payload.company if check and check.payload and check.trusted
                   else guard.company_name)
        found = set()
        if check and not check.trusted:
            found.add(Verdict.BADGE_INVALID)
        if contracted and company != contracted:
            found.add(Verdict.OTHER_COMPANY)
        if guard.background_check == "failed":
            found.add(Verdict.BACKGROUND_FAILED)
        elif guard.background_check == "pending":
            found.add(Verdict.BACKGROUND_PENDING)
        if not guard.trained:
            found.add(Verdict.NOT_TRAINED)
        if current_info is not None and guard.post_id != current_info.id:
            found.add(Verdict.ASSIGNED_ELSEWHERE)
        verdicts = _ordered(found)
        # A pending background check is said, but it is not what the card is about.
        verdict = next((v for v in verdicts if v != Verdict.BACKGROUND_PENDING),
                       Verdict.ASSIGNED_HERE)
        return ScanResult(verdict, cleaned, key, info, current_info, previous, badge=check,
                          verdicts=verdicts if verdict in verdicts else (verdict, *verdicts))

    def record_scan(self, event_id: str, scan: ScanResult) -> InspectionInfo:
        """Store the inspection the scan opens, with the finding the verdict itself is."""
        if scan.verdict in (Verdict.UNREADABLE, Verdict.POST_SCANNED):
            raise WorkbenchError(translate(
                "Workbench", "only a scanned badge opens an inspection"))
        template = self.template(event_id)
        with self.db.begin() as s:
            _refuse_if_locked(s, event_id)
            inspection = Inspection(
                event_id=event_id, post_id=scan.post.id if scan.post else None,
                guard_id=scan.guard.id if scan.guard else None,
                scanned_text=scan.scanned_text[:400], verdict=str(scan.verdict),
                badge_verdict=str(scan.badge.verdict) if scan.badge else None,
                template_id=template.template_id, template_version=template.version,
                device_id=self.device_id)
            s.add(inspection)
            s.flush()  # the id default is filled in at the flush; the finding points to it
            finding_id = None
            # Each staffing problem is a finding of its own: a borrowed guard who was never
            # trained is two breaches, not one. The headline's comes first.
            for verdict in scan.verdicts or (scan.verdict,):
                item_code = STAFFING_FINDINGS.get(verdict)
                if not item_code:
                    continue
                finding = Finding(
                    event_id=event_id, inspection_id=inspection.id,
                    post_id=inspection.post_id, guard_id=inspection.guard_id,
                    category=STAFFING_CATEGORY, item_code=item_code,
                    company_name=scan.guard.company_name if scan.guard else "",
                    note="", correction="not_corrected", device_id=self.device_id)
                s.add(finding)
                s.flush()
                finding_id = finding_id or finding.id
        inspection_id = inspection.id

        def revert(s: Session) -> None:
            now = utc_now()
            for model, column in ((Inspection, Inspection.id),
                                  (Finding, Finding.inspection_id),
                                  (CheckResult, CheckResult.inspection_id)):
                s.execute(update(model).where(column == inspection_id, _live(model))
                          .values(deleted_at=now, updated_at=now))

        self._undo.append(_UndoStep("scan", revert, event_id))
        task_type = scan.post.task_type if scan.post else ""
        items = tuple(ItemState(item, None) for item in template.items_for(task_type))
        return InspectionInfo(inspection_id, scan, items, finding_id)

    def set_item(self, inspection_id: str, item: ChecklistItem, compliant: bool) -> ItemState:
        """Record one checklist item; a non-compliant one opens (or reopens) its finding."""
        with self.db.begin() as s:
            inspection = s.get(Inspection, inspection_id)
            if inspection is None or inspection.deleted_at is not None:
                raise WorkbenchError(translate("Workbench", "the inspection was undone"))
            _refuse_if_frozen(s, inspection)
            event_id = inspection.event_id
            result = s.scalar(select(CheckResult).where(
                CheckResult.inspection_id == inspection_id, CheckResult.item_code == item.code))
            previous = (None if result is None or result.deleted_at is not None
                        else result.compliant)
            if result is None:
                result = CheckResult(inspection_id=inspection_id, item_code=item.code,
                                     category=item.category, compliant=compliant,
                                     device_id=self.device_id)
                s.add(result)
            result.compliant = compliant
            result.deleted_at = None
            finding = s.scalar(select(Finding).where(Finding.inspection_id == inspection_id,
                                                     Finding.item_code == item.code))
            if not compliant:
                if finding is None:
                    company = s.scalar(select(Guard.company_name).where(
                        Guard.id == inspection.guard_id)) if inspection.guard_id else ""
                    finding = Finding(event_id=inspection.event_id, inspection_id=inspection_id,
                                      post_id=inspection.post_id, guard_id=inspection.guard_id,
                                      category=item.category, item_code=item.code,
                                      company_name=company or "", device_id=self.device_id)
                    s.add(finding)
                finding.deleted_at = None
            elif finding is not None and finding.deleted_at is None:
                finding.deleted_at = utc_now()
            s.flush()
            state = self._item_state(item, result, finding)
            result_id = result.id

        def revert(s: Session) -> None:
            result = s.get(CheckResult, result_id)
            finding = s.scalar(select(Finding).where(Finding.inspection_id == inspection_id,
                                                     Finding.item_code == item.code))
            if previous is None:
                result.deleted_at = utc_now()
            else:
                result.compliant = previous
            if finding is not None:
                finding.deleted_at = None if previous is False else utc_now()

        self._undo.append(_UndoStep("item", revert, event_id))
        return state

    def mark_all_compliant(self, inspection_id: str,
                           items: tuple[ChecklistItem, ...]) -> list[ItemState]:
        """Every item not yet recorded becomes compliant; recorded findings stay."""
        with self.db.begin() as s:
            inspection = s.get(Inspection, inspection_id)
            if inspection is None:
                raise WorkbenchError(translate(
                    "Workbench", "no inspection {id}").format(id=inspection_id))
            _refuse_if_frozen(s, inspection)
            event_id = inspection.event_id
            existing = {r.item_code: r for r in s.scalars(select(CheckResult).where(
                CheckResult.inspection_id == inspection_id))}
            created: list[str] = []
            for item in items:
                result = existing.get(item.code)
                if result is not None and result.deleted_at is None:
                    continue
                if result is None:
                    result = CheckResult(inspection_id=inspection_id, item_code=item.code,
                                         category=item.category, device_id=self.device_id)
                    s.add(result)
                result.compliant = True
                result.deleted_at = None
                created.append(item.code)
            s.flush()

        def revert(s: Session) -> None:
            now = utc_now()
            s.execute(update(CheckResult).where(CheckResult.inspection_id == inspection_id,
                                                CheckResult.item_code.in_(created))
                      .values(deleted_at=now, updated_at=now))

        self._undo.append(_UndoStep("all", revert, event_id))
        return list(self.item_states(inspection_id, items))

    def item_states(self, inspection_id: str,
                    items: tuple[ChecklistItem, ...]) -> tuple[ItemState, ...]:
        with self.db.read() as s:
            results = {r.item_code: r for r in s.scalars(select(CheckResult).where(
                CheckResult.inspection_id == inspection_id, _live(CheckResult)))}
            findings = {f.item_code: f for f in s.scalars(select(Finding).where(
                Finding.inspection_id == inspection_id, _live(Finding)))}
            return tuple(self._item_state(item, results.get(item.code), findings.get(item.code))
                         for item in items)

    @staticmethod
    def _item_state(item: ChecklistItem, result: CheckResult | None,
                    finding: Finding | None) -> ItemState:
        if finding is not None and finding.deleted_at is not None:
            finding = None
        return ItemState(item=item,
                         compliant=None if result is None or result.deleted_at else
                         result.compliant,
                         finding_id=finding.id if finding else None,
                         note=finding.note if finding else "",
                         evidence_path=finding.evidence_path if finding else None,
                         correction=finding.correction if finding else "not_corrected")

    def update_finding(self, finding_id: str, *, note: str | None = None,
                       correction: str | None = None,
                       evidence_file: str | Path | None = None) -> None:
        """Note, correction state or evidence photo of a finding (a copy kept in the profile)."""
        source = Path(evidence_file) if evidence_file is not None else None
        if source is not None and not source.is_file():
            raise WorkbenchError(translate(
                "Workbench", "evidence file not found: {file}").format(file=source))
        with self.db.begin() as s:
            finding = s.get(Finding, finding_id)
            if finding is None:
                raise WorkbenchError(
                    translate("Workbench", "no finding {id}").format(id=finding_id))
            inspection = s.get(Inspection, finding.inspection_id) if finding.inspection_id \
                else None
            if inspection is not None:
                _refuse_if_frozen(s, inspection)
            elif lock_state(s, finding.event_id).frozen(finding.created_at):
                raise RecordLockedError()
            else:
                _refuse_if_locked(s, finding.event_id)
            event_id = finding.event_id
            stored_evidence = None
            if source is not None:  # copied only once the change is allowed
                stored_evidence = self.db.files.copy_in(
                    source, f"evidence/{new_id()}{source.suffix.lower()}")
            before = (finding.note, finding.correction, finding.evidence_path)
            if note is not None:
                finding.note = note
            if correction is not None:
                finding.correction = correction
            if stored_evidence is not None:
                finding.evidence_path = stored_evidence

        def revert(s: Session) -> None:
            finding = s.get(Finding, finding_id)
            finding.note, finding.correction, finding.evidence_path = before

        self._undo.append(_UndoStep("finding", revert, event_id))

    def finding(self, finding_id: str) -> Finding:
        with self.db.read() as s:
            finding = s.get(Finding, finding_id)
            if finding is None:
                raise WorkbenchError(
                    translate("Workbench", "no finding {id}").format(id=finding_id))
            s.expunge(finding)
            return finding

    def set_post_status(self, event_id: str, post_id: str, status: str,
                        present_count: int = 0, note: str = "") -> str:
        """Record a post found absent or understaffed."""
        with self.db.begin() as s:
            _refuse_if_locked(s, event_id)
            record = PostStatus(event_id=event_id, post_id=post_id, status=status,
                                present_count=present_count, note=note,
                                device_id=self.device_id)
            s.add(record)
        record_id = record.id

        def revert(s: Session) -> None:
            s.get(PostStatus, record_id).deleted_at = utc_now()

        self._undo.append(_UndoStep("post", revert, event_id))
        return record_id

    def guards_seen_recently(self, event_id: str, post_id: str,
                             minutes: int = RECENTLY_PRESENT_MINUTES) -> int:
        """Guards scanned at the post within the last ``minutes`` with a badge not refused:
        marking such a post absent needs the supervisor's second look."""
        since = naive_utc(utc_now()) - timedelta(minutes=minutes)
        with self.db.read() as s:
            return s.scalar(select(func.count(func.distinct(Inspection.guard_id))).where(
                Inspection.event_id == event_id, Inspection.post_id == post_id,
                _live(Inspection), Inspection.guard_id.is_not(None),
                Inspection.verdict != Verdict.BADGE_INVALID.value,
                Inspection.created_at >= since)) or 0

    def is_locked(self, event_id: str) -> bool:
        """The event's newest evaluation is signed: its records are read-only."""
        with self.db.read() as s:
            return lock_state(s, event_id).locked

    # ------------------------------------------------------------------- undo
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> str | None:
        """Revert the last change; returns what kind of change it was, or None.

        A change made before the event's evaluation was signed cannot be undone any more
        (RecordLockedError); it leaves the undo stack, since it never can be again.
        """
        if not self._undo:
            return None
        step = self._undo.pop()
        with self.db.begin() as s:
            if step.event_id is not None:
                state = lock_state(s, step.event_id)
                if state.locked or (state.frozen_before is not None
                                    and step.made_at <= state.frozen_before):
                    raise RecordLockedError()
            step.revert(s)
        return step.label

    # -------------------------------------------------------------- dashboard
    def dashboard(self, event_id: str) -> Dashboard:
        with self.db.read() as s:
            posts_total = s.scalar(select(func.count()).select_from(Post).where(
                Post.event_id == event_id, _live(Post))) or 0
            staffed = s.scalar(select(func.count(func.distinct(Guard.post_id))).where(
                Guard.event_id == event_id, _live(Guard), Guard.post_id.is_not(None))) or 0
            visited, checked, inspections = s.execute(select(
                func.count(func.distinct(Inspection.post_id)),
                func.count(func.distinct(Inspection.guard_id)),
                func.count()).where(Inspection.event_id == event_id, _live(Inspection))).one()
            # A post counts once, at its worst state (as in the score): absent, then
            # understaffed later, is one absent post, not one of each.
            worst = list(_post_states(s, event_id).values())
            statuses = {state: worst.count(state) for state in set(worst)}
            rostered = s.scalar(select(func.count()).select_from(Guard).where(
                Guard.event_id == event_id, _live(Guard))) or 0
            live_findings = (Finding.event_id == event_id, _live(Finding))
            by_category = dict(s.execute(select(Finding.category, func.count())
                                         .where(*live_findings).group_by(Finding.category)).all())
            by_company = dict(s.execute(select(Finding.company_name, func.count())
                                        .where(*live_findings)
                                        .group_by(Finding.company_name)).all())
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

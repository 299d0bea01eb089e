"""The plain, frozen values the screens are given and give back: an event, its posts and
guards, a scan's verdicts, a checklist item's state, the dashboard's figures. No session
and no Qt: a value can cross threads and outlive the database session it was read in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.badge.verify import BadgeCheck
from app.inspection.checklist import ChecklistItem
from app.inspection.domain import Verdict
from app.profile.models import CheckResult, Finding, Guard, Post


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
    # What the company's roster claims, beside the values above (HQ's vetting in an event
    # HQ prepared); None: not known.
    claimed_background_check: str | None = None
    claimed_trained: bool | None = None

    @property
    def claim_differs(self) -> bool:
        """The company's claim says otherwise than the values the verdicts use."""
        return ((self.claimed_background_check is not None
                 and self.claimed_background_check != self.background_check)
                or (self.claimed_trained is not None and self.claimed_trained != self.trained))


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


def post_info(post: Post) -> PostInfo:
    """A post's line without its counts."""
    return PostInfo(post.id, post.name, post.zone, post.task_type, post.required_headcount)


def guard_info(guard: Guard, post_name: str | None) -> GuardInfo:
    return GuardInfo(id=guard.id, name=guard.name, gender=guard.gender,
                     id_masked=guard.id_masked, cert_no=guard.cert_no,
                     company_name=guard.company_name, background_check=guard.background_check,
                     trained=guard.trained, photo_path=guard.photo_path, post_id=guard.post_id,
                     post_name=post_name, roster_row=guard.roster_row,
                     claimed_background_check=guard.claimed_background_check,
                     claimed_trained=guard.claimed_trained)


def item_state(item: ChecklistItem, result: CheckResult | None,
               finding: Finding | None) -> ItemState:
    """An item as recorded: its result (None: not yet) and its live finding, if any."""
    if finding is not None and finding.deleted_at is not None:
        finding = None
    return ItemState(item=item,
                     compliant=None if result is None or result.deleted_at else result.compliant,
                     finding_id=finding.id if finding else None,
                     note=finding.note if finding else "",
                     evidence_path=finding.evidence_path if finding else None,
                     correction=finding.correction if finding else "not_corrected")

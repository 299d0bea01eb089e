"""The score's values: what compute_score hands out, frozen, every point traceable.

A Score holds the event's total and grade, the categories and penalty groups, every
deduction with the ids of the records behind it, and the same formula applied per post, per
guard and per company (app.evaluation.scoring computes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Deduction:
    """Points taken off the event's total for one finding or one post, with the ids of the
    records behind it (finding and inspection, or the post-status records)."""

    points: float  # as applied to the event's total (scaled for checklist findings)
    reason_code: str  # item code (uniform.standard, staffing.other_company) or post.absent
    category: str  # checklist category, "staffing", "post" or "other"
    record_ids: tuple[str, ...]
    post_name: str | None
    guard_name: str | None
    company: str
    base_points: float = 0.0  # before the scaling by the event's inspection count
    correction: str | None = None  # corrected / not_corrected; None for a post status
    post_id: str | None = None
    guard_id: str | None = None
    at: datetime | None = None  # when the finding (or first post status) was recorded
    finding_ids: tuple[str, ...] = ()  # the findings counted here (several: same person)


@dataclass(frozen=True)
class CategoryScore:
    code: str
    weight: float  # the points the category is worth
    deducted: float  # at most the weight
    score: float
    findings: int = 0


@dataclass(frozen=True)
class PenaltyScore:
    """A group of fixed deductions taken from the total (staffing, posts), up to a cap."""

    code: str
    cap: float
    deducted: float
    count: int


@dataclass(frozen=True)
class PostScore:
    post_name: str
    score: float
    findings: int
    post_id: str = ""
    zone: str = ""
    task_type: str = ""
    required_headcount: int = 0
    guards_assigned: int = 0
    guards_checked: int = 0
    inspections: int = 0
    status: str | None = None  # the worst post status recorded: absent / understaffed
    deducted: float = 0.0


@dataclass(frozen=True)
class GuardScore:
    guard_name: str
    score: float
    findings: int
    guard_id: str = ""
    cert_no: str = ""
    company: str = ""
    post_name: str | None = None
    inspections: int = 0
    findings_corrected: int = 0
    deducted: float = 0.0


@dataclass(frozen=True)
class CompanyScore:
    company: str
    score: float
    findings: int
    contracted: bool = False
    guards_rostered: int = 0
    guards_checked: int = 0
    inspections: int = 0
    deducted: float = 0.0
    grade: str = "fail"


@dataclass(frozen=True)
class Score:
    total: float
    grade: str  # excellent / good / pass / fail
    coverage: float  # 0..1
    guards_checked: int
    guards_rostered: int
    categories: tuple[CategoryScore, ...]
    deductions: tuple[Deduction, ...]
    per_post: tuple[PostScore, ...]
    per_guard: tuple[GuardScore, ...]  # every rostered guard checked at least once
    per_company: tuple[CompanyScore, ...]
    penalties: tuple[PenaltyScore, ...] = ()
    inspections: int = 0
    findings: int = 0
    findings_corrected: int = 0
    posts_total: int = 0
    posts_absent: int = 0
    posts_understaffed: int = 0
    scale: float = 1.0  # reference_inspections / inspections, at most 1
    rules_version: int = 0
    template_id: str = ""
    template_version: int = 0
    as_of: datetime | None = None

    coverage_note_below: float = 0.0  # from the rules: below it the PDF notes a small sample

    @property
    def coverage_low(self) -> bool:
        return self.guards_rostered > 0 and self.coverage < self.coverage_note_below


@dataclass(frozen=True)
class ScopeScore:
    """The formula's result for one scope (see score_scope)."""

    total: float
    categories: tuple[CategoryScore, ...]
    penalties: tuple[PenaltyScore, ...]


def format_score(value: float) -> str:
    """How scores and points are printed, on paper and on screen alike (two decimals: every
    deduction adds up)."""
    return f"{value:.2f}"

"""The evaluation's values: one evaluation row, and the report the PDF lays out.

Frozen values only, shared by the service that builds them (app.evaluation.report,
app.evaluation.report_build) and the PDF that lays them out (app.evaluation.pdf): neither
imports the other's code for them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.evaluation.rules import ScoringRules
from app.evaluation.score_values import Score
from app.inspection.values import EventInfo

RECOMMENDATIONS = ("recommend", "conditional", "not_recommend")
STATUSES = ("draft", "signed")


@dataclass(frozen=True)
class CompanyHead:
    """The company's on-site head (被考评单位现场负责人) on the form: signed on the pad, refused
    (拒签) with time and reason, or not asked (neither)."""

    name: str = ""
    signed: bool = False
    refused_at: datetime | None = None  # UTC
    refusal_reason: str = ""


@dataclass(frozen=True)
class EvaluationInfo:
    """One evaluation row, as a value."""

    id: str
    event_id: str
    version: int
    previous_id: str | None
    status: str  # draft | signed
    supervisor_name: str
    comment: str
    recommendation: str  # recommend | conditional | not_recommend
    score_total: float | None
    grade: str | None
    coverage: float | None
    signed_at: datetime | None  # UTC
    document_id: str
    pdf_sha256: str | None
    pdf_path: str | None  # relative to the profile folder
    signature_png: bytes | None
    signer_subject: str | None = None
    content_sha256: str | None = None
    rules_version: int | None = None  # of the scoring rules a signed evaluation used
    created_at: datetime | None = None
    updated_at: datetime | None = None
    document_number: str | None = None  # the official 文号, given when signed
    company_head_name: str = ""
    company_head_signature_png: bytes | None = None
    company_head_refused_at: datetime | None = None
    company_head_refusal_reason: str = ""
    sample_reason: str = ""
    sample_statement: str | None = None  # JSON, frozen when signed
    company_head_acknowledged_sha256: str | None = None

    @property
    def company_head(self) -> CompanyHead:
        return CompanyHead(name=self.company_head_name,
                           signed=bool(self.company_head_signature_png),
                           refused_at=self.company_head_refused_at,
                           refusal_reason=self.company_head_refusal_reason)

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"


@dataclass(frozen=True)
class ReportFinding:
    """A finding as the PDF lists it: what, where, who, when, its state and its points."""

    number: int
    finding_id: str
    inspection_id: str | None
    at: datetime | None  # UTC
    post_name: str
    guard_name: str
    cert_no: str
    company: str
    category: str
    category_label: str
    item_code: str
    item_label: str
    note: str
    correction: str
    correction_label: str
    evidence_path: Path | None  # absolute; None when there is no photo (or it went missing)
    points: float  # deducted from the event's total
    base_points: float
    counted_with: int | None = None  # number of the finding this one was counted with
    evidence_file: str | None = None  # as recorded (relative to the profile), even if missing
    # The photo's bytes, decrypted when the profile is encrypted (read when the PDF is drawn).
    read_evidence: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NotCheckedGuard:
    name: str
    cert_no: str
    company: str
    post_name: str


@dataclass(frozen=True)
class PostIssue:
    post_name: str
    status: str  # absent | understaffed
    status_label: str
    present_count: int
    required_headcount: int
    at: datetime | None
    note: str
    record_id: str
    points: float  # the post's deduction (counted once per post, at its worst state)


@dataclass(frozen=True)
class SampleStatement:
    """What the form says of the random sample: the plan, how much of it was checked, the
    estimated non-compliance rate (Wilson, 95 %), the checks outside it, and whether the
    grade is final."""

    standard: str
    level: str
    lot: int
    code: str
    size: int
    checked: int
    not_compliant: int
    low: float
    high: float
    checked_outside: int
    findings_outside: int
    minimum_share: float  # of the sample, with a written reason, for a final grade
    reason: str  # the supervisor's written reason for a grade on a partial sample
    sampled_guard_ids: frozenset[str] = frozenset()
    sampled_cert_nos: frozenset[str] = frozenset()

    @property
    def share(self) -> float:
        return self.checked / self.size if self.size else 1.0

    def to_json(self) -> str:
        """The statement as signed (kept with the evaluation: it rebuilds from this)."""
        values = dataclasses.asdict(self)
        values["sampled_guard_ids"] = sorted(self.sampled_guard_ids)
        values["sampled_cert_nos"] = sorted(self.sampled_cert_nos)
        values["final"] = self.final  # for headquarters, which reads the synced row
        return json.dumps(values, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SampleStatement:
        values = json.loads(text)
        values.pop("final", None)  # a property: recomputed from the rest
        values["sampled_guard_ids"] = frozenset(values.get("sampled_guard_ids") or ())
        values["sampled_cert_nos"] = frozenset(values.get("sampled_cert_nos") or ())
        return cls(**values)

    @property
    def complete(self) -> bool:
        return self.checked >= self.size

    @property
    def final(self) -> bool:
        """The grade is final: the sample was checked whole, or at least the configured
        share of it with the supervisor's written reason."""
        return self.complete or (self.share >= self.minimum_share and bool(self.reason))


@dataclass(frozen=True)
class EvaluationReport:
    """Everything the PDF shows, computed once (the PDF renderer only lays it out)."""

    evaluation_id: str
    document_id: str
    version: int
    previous_document_id: str | None
    status: str
    event: EventInfo
    supervisor_name: str
    signer_subject: str | None
    generated_at: datetime  # UTC
    signed_at: datetime | None  # UTC, set on the final (signed) rendering
    score: Score
    grade_text: str
    findings: tuple[ReportFinding, ...]
    not_checked: tuple[NotCheckedGuard, ...]
    post_issues: tuple[PostIssue, ...]
    comment: str
    recommendation: str
    recommendation_text: str
    category_labels: tuple[tuple[str, str], ...]  # (code, Chinese label), in report order
    rules_version: int
    rules_title: str
    content_sha256: str = ""  # SHA-256 of report_payload(): what the PDF's QR code carries
    # The supervisor's unit as Settings gives it (presentation only: not in report_payload(),
    # which headquarters recomputes from the synced records without the laptop's settings).
    issuing_unit: str = ""
    supervisor_badge_number: str = ""  # the police officer's own number, beside the name
    # The official form (issue 13). The document number is given when signed ("" before).
    document_number: str = ""
    basis: str = ""  # 考评依据, from HQ's package or the settings (presentation only)
    staffing_mode: str = ""  # 安保工作模式 (seed 000 §4(1)), from the event's kind and risk
    company_head: CompanyHead = CompanyHead()
    sample: SampleStatement | None = None
    legacy_payload: bool = False  # signed before the official form: the digest's old shape
    # The rules the report was scored with (shipped, or from HQ's package): the PDF prints
    # their explanation and labels. Not in the digest (rules_version is).
    rules: ScoringRules | None = field(default=None, compare=False, repr=False)

    def category_label(self, code: str) -> str:
        return dict(self.category_labels).get(code, code)

    @property
    def company_name(self) -> str:
        return self.event.company.name if self.event.company else ""


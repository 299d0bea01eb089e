"""The comprehensive evaluation (综合考评): drafts, the signed PDF, versions and the lock.

A supervisor's workflow after the event: open the evaluation (a draft is created the first
time), write the comment and the recommendation, look at the preview, draw the signature and
sign. Signing renders the final PDF, signs it digitally (PAdES, app.signing), keeps it in the
profile's ``reports/`` folder and marks the evaluation signed. From then on the event's records
are read-only (app.workbench checks it on every change). A correction is a new version that
points to the signed one; both stay, and the records the first signature covers stay frozen.

Nothing here hands out ORM objects: the screens get frozen values (EvaluationInfo,
EvaluationReport).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.checklist import ChecklistTemplate, load_template
from app.db import Database
from app.domain import STAFFING_CATEGORY
from app.errors import UserError
from app.i18n import translate
from app.models import (
    Evaluation,
    Event,
    Finding,
    Guard,
    Inspection,
    Post,
    PostStatus,
    ProfileSetting,
    new_id,
    utc_now,
)
from app.scoring import (
    OTHER_CATEGORY,
    POST_CATEGORY,
    Deduction,
    Score,
    ScoringRules,
    compute_score,
    load_rules,
)
from app.signing import (
    SUPERVISOR_CERTIFICATE_SETTING,
    SUPERVISOR_NAME_SETTING,
    PdfSigner,
    PdfVerification,
    sign_pdf,
    verify_pdf,
)
from app.workbench import EventInfo, RecordLockedError, Workbench, lock_state, natural_key

RECOMMENDATIONS = ("recommend", "conditional", "not_recommend")
STATUSES = ("draft", "signed")
REPORTS_DIR = "reports"
DOCUMENT_PREFIX = "VS-EVAL"
MAX_SIGNATURE_BYTES = 4_000_000


class EvaluationError(UserError):
    """A request the evaluation cannot honour (no such evaluation, no signature drawn...)."""


class EvaluationLockedError(RecordLockedError):
    """The evaluation is signed: it cannot change; start a new version to correct it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or translate(
            "Evaluation", "the evaluation is signed and can no longer be changed: start a new "
            "version to correct it"))


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
    created_at: datetime | None = None
    updated_at: datetime | None = None

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

    def category_label(self, code: str) -> str:
        return dict(self.category_labels).get(code, code)

    @property
    def company_name(self) -> str:
        return self.event.company.name if self.event.company else ""


# ---------------------------------------------------------------------------- helpers
def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives the stored UTC wall time back without its offset; hand out aware UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _info(row: Evaluation) -> EvaluationInfo:
    return EvaluationInfo(
        id=row.id, event_id=row.event_id, version=row.version, previous_id=row.previous_id,
        status=row.status, supervisor_name=row.supervisor_name, comment=row.comment,
        recommendation=row.recommendation, score_total=row.score_total, grade=row.grade,
        coverage=row.coverage, signed_at=_aware(row.signed_at), document_id=row.document_id,
        pdf_sha256=row.pdf_sha256, pdf_path=row.pdf_path, signature_png=row.signature_png,
        signer_subject=row.signer_subject, content_sha256=row.content_sha256,
        created_at=_aware(row.created_at), updated_at=_aware(row.updated_at))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def report_payload(report: EvaluationReport) -> dict[str, object]:
    """The report's data in a canonical form: the QR code carries its SHA-256, so anyone with
    the profile (or headquarters with the synced records) can recompute it and see that the
    printed figures are the records' (docs/scoring.md)."""
    event = report.event
    company = event.company
    score = report.score
    return {
        "format": "venue-supervisor/evaluation-report/1",
        "document_id": report.document_id,
        "version": report.version,
        "previous_document_id": report.previous_document_id,
        "event": {"id": event.id, "name": event.name, "venue": event.venue,
                  "organizer": event.organizer, "starts_at": _iso(event.starts_at),
                  "ends_at": _iso(event.ends_at)},
        "company": {"name": company.name, "licence_no": company.licence_no,
                    "credit_grade": company.credit_grade} if company else None,
        "supervisor": report.supervisor_name,
        "signed_at": _iso(report.signed_at),
        "rules_version": report.rules_version,
        "template": [score.template_id, score.template_version],
        "score": {"total": score.total, "grade": score.grade,
                  "coverage": round(score.coverage, 6), "guards_checked": score.guards_checked,
                  "guards_rostered": score.guards_rostered, "inspections": score.inspections,
                  "findings": score.findings,
                  "categories": [[c.code, c.weight, c.deducted, c.score]
                                 for c in score.categories],
                  "penalties": [[p.code, p.cap, p.deducted, p.count] for p in score.penalties]},
        "deductions": [[round(d.points, 6), d.reason_code, d.category, list(d.record_ids)]
                       for d in score.deductions],
        "per_post": [[p.post_id, p.score, p.findings, p.inspections] for p in score.per_post],
        "per_guard": [[g.guard_id, g.score, g.findings, g.inspections]
                      for g in score.per_guard],
        "findings": [[f.finding_id, _iso(f.at), f.note, f.correction, f.evidence_file]
                     for f in report.findings],
        "not_checked": [[g.cert_no, g.name] for g in report.not_checked],
        "post_issues": [[p.record_id, p.status, p.present_count] for p in report.post_issues],
        "comment": report.comment,
        "recommendation": report.recommendation,
    }


def report_digest(report: EvaluationReport) -> str:
    canonical = json.dumps(report_payload(report), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _item_labels(template: ChecklistTemplate) -> dict[str, str]:
    items = list(template.common_items)
    for task_items in template.task_items.values():
        items.extend(task_items)
    return {item.code: item.label_zh for item in items}


def _check_png(data: bytes) -> None:
    """The drawn signature must be an image the PDF can show."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise EvaluationError(translate("Evaluation", "no signature drawn"))
    if len(data) > MAX_SIGNATURE_BYTES:
        raise EvaluationError(translate("Evaluation", "the signature image is too large"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise EvaluationError(translate("Evaluation", "the signature is not a readable image: "
                                        "{error}").format(error=exc)) from exc


# ---------------------------------------------------------------------------- service
class EvaluationService:
    """Drafts, reports, signing and versions of the events' evaluations in one profile."""

    def __init__(self, db: Database, rules: ScoringRules | None = None) -> None:
        self.db = db
        self.rules = rules or load_rules()
        self.device_id = db.device_id

    # ----------------------------------------------------------------- queries
    def current(self, event_id: str) -> EvaluationInfo | None:
        """The newest evaluation of the event (draft or signed), or None."""
        with self.db.read() as s:
            row = self._newest(s, event_id)
            return _info(row) if row else None

    def get(self, evaluation_id: str) -> EvaluationInfo:
        with self.db.read() as s:
            return _info(self._row(s, evaluation_id))

    def versions(self, event_id: str) -> list[EvaluationInfo]:
        """Every version of the event's evaluation, oldest first."""
        with self.db.read() as s:
            rows = s.scalars(select(Evaluation).where(
                Evaluation.event_id == event_id, Evaluation.deleted_at.is_(None))
                .order_by(Evaluation.version))
            return [_info(row) for row in rows]

    def is_locked(self, event_id: str) -> bool:
        """True when the newest evaluation of the event is signed."""
        with self.db.read() as s:
            return lock_state(s, event_id).locked

    def signed_pdf_path(self, evaluation_id: str) -> Path | None:
        info = self.get(evaluation_id)
        return self.db.data_dir / info.pdf_path if info.pdf_path else None

    def check_signed_pdf(self, evaluation_id: str) -> PdfVerification:
        """The kept PDF still is the one signed: its hash matches the row and its signature is
        intact."""
        info = self.get(evaluation_id)
        path = self.signed_pdf_path(evaluation_id)
        if path is None or not path.is_file():
            return PdfVerification(False, False, "", None, False, "no signed PDF kept")
        data = self.db.files.read(path)
        result = verify_pdf(data)
        if hashlib.sha256(data).hexdigest() != info.pdf_sha256:
            return dataclasses.replace(
                result, intact=False, detail="the file differs from the one signed; "
                                             + result.detail)
        return result

    @staticmethod
    def _newest(s: Session, event_id: str) -> Evaluation | None:
        return s.scalar(select(Evaluation).where(
            Evaluation.event_id == event_id, Evaluation.deleted_at.is_(None))
            .order_by(Evaluation.version.desc()).limit(1))

    @staticmethod
    def _row(s: Session, evaluation_id: str) -> Evaluation:
        row = s.get(Evaluation, evaluation_id)
        if row is None or row.deleted_at is not None:
            raise EvaluationError(translate("Evaluation", "no evaluation {id}")
                                  .format(id=evaluation_id))
        return row

    # ----------------------------------------------------------------- changes
    def draft(self, event_id: str) -> EvaluationInfo:
        """The event's current evaluation: its draft, created on first use; if the newest is
        signed, that signed one (use ``new_version`` to correct it)."""
        supervisor = self.db.setting(SUPERVISOR_NAME_SETTING) or ""
        with self.db.begin() as s:
            if s.get(Event, event_id) is None:
                raise EvaluationError(translate("Evaluation", "no event {id}").format(id=event_id))
            row = self._newest(s, event_id)
            if row is None:
                row = Evaluation(id=new_id(), event_id=event_id, version=1, status="draft",
                                 supervisor_name=supervisor, comment="",
                                 recommendation="recommend", device_id=self.device_id)
                row.document_id = f"{DOCUMENT_PREFIX}-{row.id[:8].upper()}-v1"
                s.add(row)
                s.flush()
            return _info(row)

    def update_draft(self, evaluation_id: str, *, comment: str | None = None,
                     recommendation: str | None = None,
                     supervisor_name: str | None = None) -> EvaluationInfo:
        """Change the draft's comment, recommendation or supervisor; EvaluationLockedError
        once signed."""
        if recommendation is not None and recommendation not in RECOMMENDATIONS:
            raise EvaluationError(translate("Evaluation", "unknown recommendation {value}")
                                  .format(value=repr(recommendation)))
        with self.db.begin() as s:
            row = self._row(s, evaluation_id)
            if row.status != "draft":
                raise EvaluationLockedError()
            if comment is not None:
                row.comment = comment
            if recommendation is not None:
                row.recommendation = recommendation
            if supervisor_name is not None:
                row.supervisor_name = supervisor_name.strip()
            s.flush()
            return _info(row)

    def new_version(self, evaluation_id: str) -> EvaluationInfo:
        """A new draft that corrects the signed evaluation ``evaluation_id``: version + 1,
        ``previous_id`` pointing to it, the comment and recommendation carried over. The
        signed one and its PDF stay as they are."""
        with self.db.begin() as s:
            row = self._row(s, evaluation_id)
            if row.status != "signed":
                raise EvaluationError(translate("Evaluation", "only a signed evaluation is "
                                                "corrected by a new version"))
            newest = self._newest(s, row.event_id)
            if newest is not None and newest.id != row.id:
                raise EvaluationError(translate(
                    "Evaluation", "version {newer} already corrects version {version}")
                    .format(newer=newest.version, version=row.version))
            stem = row.document_id.rsplit("-v", 1)[0]
            version = row.version + 1
            new = Evaluation(event_id=row.event_id, version=version, previous_id=row.id,
                             status="draft", supervisor_name=row.supervisor_name,
                             comment=row.comment, recommendation=row.recommendation,
                             document_id=f"{stem}-v{version}", device_id=self.device_id)
            s.add(new)
            s.flush()
            return _info(new)

    # ------------------------------------------------------------------ report
    def build_report(self, evaluation_id: str) -> EvaluationReport:
        """The report of the evaluation as it stands: a draft's from the live records, a
        signed one's from the records its signature covers."""
        with self.db.read() as s:
            row = _info(self._row(s, evaluation_id))
        return self._build(row, row.signed_at, row.signed_at, row.signer_subject)

    def _build(self, row: EvaluationInfo, as_of: datetime | None,
               signed_at: datetime | None, signer_subject: str | None) -> EvaluationReport:
        rules = self.rules
        event = Workbench(self.db).event(row.event_id)
        score = compute_score(self.db, row.event_id, rules, as_of=as_of)
        template = load_template(score.template_id or "checklist")
        labels = {c.code: c.label_zh for c in template.categories}
        for code in (STAFFING_CATEGORY, POST_CATEGORY, OTHER_CATEGORY):
            labels[code] = rules.label(code)
        item_labels = _item_labels(template)
        counted: dict[str, tuple[Deduction, str]] = {}  # finding id -> (deduction, first id)
        for d in score.deductions:
            for finding_id in d.finding_ids:
                counted[finding_id] = (d, d.finding_ids[0])

        with self.db.read() as s:
            previous = (s.scalar(select(Evaluation.document_id)
                                 .where(Evaluation.id == row.previous_id))
                        if row.previous_id else None)

            def live(model: type) -> list[object]:
                conditions = [model.event_id == row.event_id, model.deleted_at.is_(None)]
                if as_of is not None:
                    conditions.append(model.created_at <= as_of)
                return conditions

            finding_rows = s.execute(
                select(Finding.id, Finding.inspection_id, Finding.created_at, Finding.category,
                       Finding.item_code, Finding.company_name, Finding.note,
                       Finding.correction, Finding.evidence_path,
                       Post.name.label("post_name"), Guard.name.label("guard_name"),
                       Guard.cert_no, Inspection.scanned_text)
                .outerjoin(Post, Finding.post_id == Post.id)
                .outerjoin(Guard, Finding.guard_id == Guard.id)
                .outerjoin(Inspection, Finding.inspection_id == Inspection.id)
                .where(*live(Finding)).order_by(Finding.created_at, Finding.id)).all()
            guard_rows = s.execute(
                select(Guard.id, Guard.name, Guard.cert_no, Guard.company_name,
                       Post.name.label("post_name"), Guard.roster_row)
                .outerjoin(Post, Guard.post_id == Post.id).where(*live(Guard))).all()
            status_rows = s.execute(
                select(PostStatus.id, PostStatus.post_id, PostStatus.status,
                       PostStatus.present_count, PostStatus.note, PostStatus.created_at,
                       Post.name.label("post_name"), Post.required_headcount)
                .join(Post, PostStatus.post_id == Post.id)
                .where(*live(PostStatus)).order_by(PostStatus.created_at)).all()

        findings = []
        numbers: dict[str, int] = {}
        for number, f in enumerate(finding_rows, start=1):
            numbers[f.id] = number
            deduction: Deduction | None
            deduction, first = counted.get(f.id, (None, f.id))
            repeat = first != f.id
            category = deduction.category if deduction else f.category
            if f.category == STAFFING_CATEGORY:
                item_label = rules.label(f.item_code)
            else:
                item_label = item_labels.get(f.item_code, f.item_code)
            evidence = read_evidence = None
            if f.evidence_path:
                try:
                    candidate: Path | None = self.db.files.path(f.evidence_path)
                except ValueError:  # not a path inside the profile: nothing to show
                    candidate = None
                if candidate is not None and candidate.is_file():
                    evidence = candidate
                    read_evidence = functools.partial(self.db.files.read, candidate)
            findings.append(ReportFinding(
                number=number, finding_id=f.id, inspection_id=f.inspection_id, at=f.created_at,
                post_name=f.post_name or "", guard_name=f.guard_name or "",
                cert_no=f.cert_no or (f.scanned_text or "")[:30], company=f.company_name or "",
                category=category, category_label=labels.get(category, category),
                item_code=f.item_code, item_label=item_label, note=f.note or "",
                correction=f.correction, correction_label=rules.label(
                    f"correction.{f.correction}"),
                evidence_path=evidence, read_evidence=read_evidence,
                points=deduction.points if deduction and not repeat else 0.0,
                base_points=deduction.base_points if deduction and not repeat else 0.0,
                counted_with=numbers.get(first) if repeat else None,
                evidence_file=f.evidence_path))

        checked = {g.guard_id for g in score.per_guard}
        not_checked = sorted(
            (g for g in guard_rows if g.id not in checked),
            key=lambda g: (natural_key(g.post_name or "~"), g.roster_row or 0, g.name))
        post_points = {d.post_id: d.points for d in score.deductions
                       if d.category == POST_CATEGORY}
        issues = [PostIssue(
            post_name=r.post_name, status=r.status, status_label=rules.label(f"post.{r.status}"),
            present_count=r.present_count, required_headcount=r.required_headcount,
            at=r.created_at, note=r.note or "", record_id=r.id,
            points=post_points.get(r.post_id, 0.0)) for r in status_rows]

        report = EvaluationReport(
            evaluation_id=row.id, document_id=row.document_id, version=row.version,
            previous_document_id=previous, status=row.status, event=event,
            supervisor_name=row.supervisor_name or (signer_subject or ""),
            signer_subject=signer_subject, generated_at=utc_now(), signed_at=signed_at,
            score=score, grade_text=rules.label(f"grade.{score.grade}"),
            findings=tuple(findings),
            not_checked=tuple(NotCheckedGuard(g.name, g.cert_no, g.company_name or "",
                                              g.post_name or "") for g in not_checked),
            post_issues=tuple(issues), comment=row.comment,
            recommendation=row.recommendation,
            recommendation_text=rules.label(f"recommendation.{row.recommendation}"),
            category_labels=tuple(labels.items()), rules_version=rules.version,
            rules_title=rules.label("title"))
        return dataclasses.replace(report, content_sha256=report_digest(report))

    def preview_pdf(self, evaluation_id: str, signature_png: bytes | None = None) -> bytes:
        """The PDF as it would be signed, unsigned and marked 草稿 DRAFT on every page."""
        from app.report_pdf import render_evaluation_pdf

        report = self.build_report(evaluation_id)
        if signature_png is None and report.status == "signed":
            signature_png = self.get(evaluation_id).signature_png
        return render_evaluation_pdf(report, signature_png, draft=report.status != "signed")

    # -------------------------------------------------------------------- sign
    def sign(self, evaluation_id: str, signature_png: bytes,
             signer: PdfSigner) -> EvaluationInfo:
        """Render the final PDF with the drawn signature, sign it (PAdES), keep it in
        ``reports/<document_id>.pdf`` and mark the evaluation signed with its figures.

        The file is written (and fsynced) first, then the row changes in one transaction;
        should that fail, the file is removed again. From the commit on, the event's records
        created up to ``signed_at`` are read-only.
        """
        from app.report_pdf import render_evaluation_pdf

        _check_png(signature_png)
        with self.db.read() as s:
            row = _info(self._row(s, evaluation_id))
            newest = self._newest(s, row.event_id)
        if row.status != "draft":
            raise EvaluationLockedError()
        if newest is None or newest.id != row.id:
            raise EvaluationError(translate("Evaluation", "only the newest version of an "
                                            "evaluation can be signed"))
        signed_at = utc_now()
        supervisor = row.supervisor_name or signer.subject_name
        row = dataclasses.replace(row, supervisor_name=supervisor)
        report = self._build(row, signed_at, signed_at, signer.subject)
        pdf = render_evaluation_pdf(report, signature_png, draft=False)
        signed = sign_pdf(pdf, signer, reason=f"综合考评 {row.document_id}",
                          location=report.event.venue)
        digest = hashlib.sha256(signed).hexdigest()
        target = self.db.files.path(
            self.db.files.write(f"{REPORTS_DIR}/{row.document_id}.pdf", signed))
        try:
            with self.db.begin() as s:
                stored = self._row(s, evaluation_id)
                if stored.status != "draft":
                    raise EvaluationLockedError()
                stored.status = "signed"
                stored.signed_at = signed_at
                stored.supervisor_name = supervisor
                stored.score_total = report.score.total
                stored.grade = report.score.grade
                stored.coverage = report.score.coverage
                stored.pdf_sha256 = digest
                stored.pdf_path = self.db.files.relative(target)
                stored.signature_png = signature_png
                stored.signer_subject = signer.subject
                stored.content_sha256 = report.content_sha256
                # HQ checks this evaluation against the certificate registered for the
                # laptop; keep the one that signed it at hand for sync.
                s.merge(ProfileSetting(key=SUPERVISOR_CERTIFICATE_SETTING,
                                       value=signer.certificate_pem.decode("ascii")))
                s.flush()
                return _info(stored)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

"""The evaluation report's content, built from the records: what the PDF shows, computed once.

``build_report`` reads the event, its score (app.evaluation.scoring) and the records the
PDF lists (findings with their post, guard and photo; rostered guards never checked; absent
and understaffed posts), and returns a frozen EvaluationReport. ``report_payload`` is that
report in a canonical form; its SHA-256 (``report_digest``) is what the PDF's QR code
carries, so anyone with the records can recompute it (docs/scoring.md).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from app.evaluation.document_numbers import read_form_settings
from app.evaluation.rules import OTHER_CATEGORY, POST_CATEGORY, ScoringRules
from app.evaluation.sample_progress import (
    minimum_sample_share,
    sample_progress,
    sample_statement,
)
from app.evaluation.score_rows import event_records
from app.evaluation.score_values import Deduction, Score
from app.evaluation.scoring import compute_score
from app.evaluation.values import (
    CompanyHead,
    EvaluationInfo,
    EvaluationReport,
    NotCheckedGuard,
    PostIssue,
    ReportFinding,
    SampleStatement,
)
from app.inspection import queries
from app.inspection.checklist import ChecklistTemplate, load_template
from app.inspection.domain import STAFFING_CATEGORY
from app.inspection.natural_order import natural_key
from app.profile.db import Database
from app.profile.files import ProfileFiles
from app.profile.models import Evaluation, Finding, Guard, Inspection, Post, PostStatus, utc_now
from app.profile.supervisor import read_identity

REPORT_FORMAT = "venue-supervisor/evaluation-report/2"
# The shape of the evaluations signed before the official form (issue 13): no document
# number, company head or sample. Their digest must stay the one they were signed with.
LEGACY_REPORT_FORMAT = "venue-supervisor/evaluation-report/1"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def report_payload(report: EvaluationReport) -> dict[str, object]:
    """The report's data in a canonical form: the QR code carries its SHA-256, so anyone with
    the profile (or headquarters with the synced records) can recompute it and see that the
    printed figures are the records' (docs/scoring.md)."""
    event = report.event
    company = event.company
    score = report.score
    payload: dict[str, object] = {
        "format": LEGACY_REPORT_FORMAT if report.legacy_payload else REPORT_FORMAT,
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
    if report.legacy_payload:
        return payload
    head = report.company_head
    payload["document_number"] = report.document_number
    payload["company_head"] = {"name": head.name, "signed": head.signed,
                               "refused_at": _iso(head.refused_at),
                               "refusal_reason": head.refusal_reason}
    sample = report.sample
    payload["sample"] = None if sample is None else {
        "standard": sample.standard, "level": sample.level, "lot": sample.lot,
        "code": sample.code, "size": sample.size, "checked": sample.checked,
        "not_compliant": sample.not_compliant, "checked_outside": sample.checked_outside,
        "findings_outside": sample.findings_outside,
        "minimum_share": sample.minimum_share, "reason": sample.reason,
        "final": sample.final}
    return payload


def acknowledged_digest(report: EvaluationReport) -> str:
    """The digest of what the company's head acknowledges by signing: the report without
    the head's own block and without what only signing adds (number, time)."""
    return report_digest(dataclasses.replace(
        report, company_head=CompanyHead(), document_number="", signed_at=None,
        signer_subject=None, legacy_payload=False))


def report_digest(report: EvaluationReport) -> str:
    canonical = json.dumps(report_payload(report), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------- the records
class FindingLine(NamedTuple):
    """A finding with what the PDF says about it."""

    id: str
    inspection_id: str | None
    created_at: datetime
    category: str
    item_code: str
    company_name: str
    note: str
    correction: str
    evidence_path: str | None
    post_name: str | None
    guard_name: str | None
    cert_no: str | None
    scanned_text: str | None


class RosterLine(NamedTuple):
    id: str
    name: str
    cert_no: str
    company_name: str
    post_name: str | None
    roster_row: int | None


class PostStatusLine(NamedTuple):
    id: str
    post_id: str
    status: str
    present_count: int
    note: str
    created_at: datetime
    post_name: str
    required_headcount: int


class ReportRows(NamedTuple):
    previous_document_id: str | None
    findings: tuple[FindingLine, ...]  # oldest first
    guards: tuple[RosterLine, ...]
    statuses: tuple[PostStatusLine, ...]  # oldest first


def load_report_rows(db: Database, row: EvaluationInfo, as_of: datetime | None) -> ReportRows:
    """The records the report lists, created up to ``as_of`` (UTC)."""
    with db.read() as s:
        previous = (s.scalar(select(Evaluation.document_id)
                             .where(Evaluation.id == row.previous_id))
                    if row.previous_id else None)
        findings = s.execute(
            select(Finding.id, Finding.inspection_id, Finding.created_at, Finding.category,
                   Finding.item_code, Finding.company_name, Finding.note,
                   Finding.correction, Finding.evidence_path,
                   Post.name.label("post_name"), Guard.name.label("guard_name"),
                   Guard.cert_no, Inspection.scanned_text)
            .outerjoin(Post, Finding.post_id == Post.id)
            .outerjoin(Guard, Finding.guard_id == Guard.id)
            .outerjoin(Inspection, Finding.inspection_id == Inspection.id)
            .where(*event_records(Finding, row.event_id, as_of))
            .order_by(Finding.created_at, Finding.id)).all()
        guards = s.execute(
            select(Guard.id, Guard.name, Guard.cert_no, Guard.company_name,
                   Post.name.label("post_name"), Guard.roster_row)
            .outerjoin(Post, Guard.post_id == Post.id)
            .where(*event_records(Guard, row.event_id, as_of))).all()
        statuses = s.execute(
            select(PostStatus.id, PostStatus.post_id, PostStatus.status,
                   PostStatus.present_count, PostStatus.note, PostStatus.created_at,
                   Post.name.label("post_name"), Post.required_headcount)
            .join(Post, PostStatus.post_id == Post.id)
            .where(*event_records(PostStatus, row.event_id, as_of))
            .order_by(PostStatus.created_at)).all()
    return ReportRows(previous, tuple(FindingLine._make(f) for f in findings),
                      tuple(RosterLine._make(g) for g in guards),
                      tuple(PostStatusLine._make(p) for p in statuses))


# ---------------------------------------------------------------------- the sections
def _item_labels(template: ChecklistTemplate) -> dict[str, str]:
    items = list(template.common_items)
    for task_items in template.task_items.values():
        items.extend(task_items)
    return {item.code: item.label_zh for item in items}


def report_findings(lines: Sequence[FindingLine], score: Score, rules: ScoringRules,
                    labels: dict[str, str], item_labels: dict[str, str],
                    files: ProfileFiles) -> list[ReportFinding]:
    """Every finding, numbered; a staffing finding counted with an earlier one of the same
    person says so instead of its points."""
    counted: dict[str, tuple[Deduction, str]] = {}  # finding id -> (deduction, first id)
    for d in score.deductions:
        for finding_id in d.finding_ids:
            counted[finding_id] = (d, d.finding_ids[0])
    findings = []
    numbers: dict[str, int] = {}
    for number, f in enumerate(lines, start=1):
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
                candidate: Path | None = files.path(f.evidence_path)
            except ValueError:  # not a path inside the profile: nothing to show
                candidate = None
            if candidate is not None and candidate.is_file():
                evidence = candidate
                read_evidence = functools.partial(files.read, candidate)
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
    return findings


def not_checked_guards(guards: Sequence[RosterLine], score: Score) -> list[NotCheckedGuard]:
    """Rostered guards never checked, by post (natural order) and roster row."""
    checked = {g.guard_id for g in score.per_guard}
    unchecked = sorted(
        (g for g in guards if g.id not in checked),
        key=lambda g: (natural_key(g.post_name or "~"), g.roster_row or 0, g.name))
    return [NotCheckedGuard(g.name, g.cert_no, g.company_name or "", g.post_name or "")
            for g in unchecked]


def post_issues(statuses: Sequence[PostStatusLine], score: Score,
                rules: ScoringRules) -> list[PostIssue]:
    """Every absent / understaffed record, with the post's deduction (counted once)."""
    post_points = {d.post_id: d.points for d in score.deductions
                   if d.category == POST_CATEGORY}
    return [PostIssue(
        post_name=r.post_name, status=r.status, status_label=rules.label(f"post.{r.status}"),
        present_count=r.present_count, required_headcount=r.required_headcount,
        at=r.created_at, note=r.note or "", record_id=r.id,
        points=post_points.get(r.post_id, 0.0)) for r in statuses]


def staffing_mode(event_kind: str, risk_level: str) -> str:
    """The security model seed 000 §4(1) sets by the event's nature and risk."""
    if event_kind == "government" and risk_level == "high":
        return "以警察安保力量为主、保安力量为辅"
    if risk_level == "high":
        return "以保安为主、警察为辅"
    return "以保安为主、工作人员和志愿者为辅、公安机关加强监管"


def build_report(db: Database, rules: ScoringRules, row: EvaluationInfo,
                 as_of: datetime | None, signed_at: datetime | None,
                 signer_subject: str | None) -> EvaluationReport:
    """The report of evaluation ``row`` from the records created up to ``as_of`` (UTC; None:
    all of them, a draft's live view)."""
    event = queries.event(db, row.event_id)
    score = compute_score(db, row.event_id, rules, as_of=as_of)
    template = load_template(score.template_id or "checklist")
    labels = {c.code: c.label_zh for c in template.categories}
    for code in (STAFFING_CATEGORY, POST_CATEGORY, OTHER_CATEGORY):
        labels[code] = rules.label(code)
    rows = load_report_rows(db, row, as_of)
    report = EvaluationReport(
        evaluation_id=row.id, document_id=row.document_id, version=row.version,
        previous_document_id=rows.previous_document_id, status=row.status, event=event,
        supervisor_name=row.supervisor_name or (signer_subject or ""),
        signer_subject=signer_subject, generated_at=utc_now(), signed_at=signed_at,
        score=score, grade_text=rules.label(f"grade.{score.grade}"),
        findings=tuple(report_findings(rows.findings, score, rules, labels,
                                       _item_labels(template), db.files)),
        not_checked=tuple(not_checked_guards(rows.guards, score)),
        post_issues=tuple(post_issues(rows.statuses, score, rules)), comment=row.comment,
        recommendation=row.recommendation,
        recommendation_text=rules.label(f"recommendation.{row.recommendation}"),
        category_labels=tuple(labels.items()), rules_version=rules.version,
        rules_title=rules.label("title"), rules=rules)
    # Signed before the official form: rebuilt as it was signed (its digest unchanged).
    legacy = row.is_signed and not row.document_number
    if not legacy:
        sample: SampleStatement | None
        if row.is_signed and row.sample_statement:  # as signed, whatever changed since
            sample = SampleStatement.from_json(row.sample_statement)
        else:
            progress = sample_progress(db, row.event_id, as_of)
            sample = None if progress is None else sample_statement(
                progress, row.sample_reason, minimum_sample_share(db))
        report = dataclasses.replace(
            report, document_number=row.document_number or "",
            company_head=row.company_head, sample=sample)
    report = dataclasses.replace(report, legacy_payload=legacy)
    form, identity = read_form_settings(db), read_identity(db)
    # The badge number is the supervisor's: printed only when the supervisor signs.
    badge_number = identity.badge_number if report.supervisor_name == identity.name else ""
    return dataclasses.replace(report, content_sha256=report_digest(report),
                               issuing_unit=form.issuing_unit, basis=form.basis,
                               staffing_mode=staffing_mode(event.event_kind, event.risk_level),
                               supervisor_badge_number=badge_number)

"""The comprehensive evaluation (综合考评): drafts, the signed PDF, versions and the lock.

A supervisor's workflow after the event: open the evaluation (a draft is created the first
time), write the comment and the recommendation, look at the preview, draw the signature and
sign. Signing renders the final PDF (app.evaluation.pdf), signs it digitally (PAdES,
app.evaluation.signing), keeps it in the profile's ``reports/`` folder and marks the evaluation
signed. From then on the event's records are read-only (the workbench checks it on every
change). A correction is a new version that points to the signed one; both stay, and the
records the first signature covers stay frozen.

Nothing here hands out ORM objects: the screens get frozen values (app.evaluation.values:
EvaluationInfo, EvaluationReport); the report's content is built by
app.evaluation.report_build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import UserError
from app.evaluation.document_numbers import next_document_number
from app.evaluation.report_build import acknowledged_digest, build_report
from app.evaluation.rules import ScoringRules, load_rules
from app.evaluation.rules_store import event_rules_version, rules_for
from app.evaluation.signing import (
    SUPERVISOR_CERTIFICATE_SETTING,
    SUPERVISOR_NAME_SETTING,
    PdfSigner,
    PdfVerification,
    sign_pdf,
    verify_pdf,
)
from app.evaluation.values import RECOMMENDATIONS, EvaluationInfo, EvaluationReport
from app.i18n import translate
from app.inspection.lock_rules import RecordLockedError, lock_state
from app.orm import live
from app.profile.db import Database
from app.profile.models import Evaluation, Event, ProfileSetting, new_id, utc_now
from app.profile.supervisor import read_report_defaults

REPORTS_DIR = "reports"
DOCUMENT_PREFIX = "VS-EVAL"
MAX_SIGNATURE_BYTES = 4_000_000
MAX_NAME_CHARS = 100
MAX_REASON_CHARS = 1000


class EvaluationError(UserError):
    """A request the evaluation cannot honour (no such evaluation, no signature drawn...)."""


class EvaluationLockedError(RecordLockedError):
    """The evaluation is signed: it cannot change; start a new version to correct it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or translate(
            "Evaluation", "the evaluation is signed and can no longer be changed: start a new "
            "version to correct it"))


# ---------------------------------------------------------------------------- helpers
def _info(row: Evaluation) -> EvaluationInfo:
    return EvaluationInfo(
        id=row.id, event_id=row.event_id, version=row.version, previous_id=row.previous_id,
        status=row.status, supervisor_name=row.supervisor_name, comment=row.comment,
        recommendation=row.recommendation, score_total=row.score_total, grade=row.grade,
        coverage=row.coverage, signed_at=row.signed_at, document_id=row.document_id,
        pdf_sha256=row.pdf_sha256, pdf_path=row.pdf_path, signature_png=row.signature_png,
        signer_subject=row.signer_subject, content_sha256=row.content_sha256,
        rules_version=row.rules_version, created_at=row.created_at, updated_at=row.updated_at,
        document_number=row.document_number, company_head_name=row.company_head_name or "",
        company_head_signature_png=row.company_head_signature_png,
        company_head_refused_at=row.company_head_refused_at,
        company_head_refusal_reason=row.company_head_refusal_reason or "",
        sample_reason=row.sample_reason or "", sample_statement=row.sample_statement,
        company_head_acknowledged_sha256=row.company_head_acknowledged_sha256)


def _render_pdf(report: EvaluationReport, signature_png: bytes | None, draft: bool,
                head_signature_png: bytes | None = None) -> bytes:
    """The evaluation form's PDF (app.evaluation.pdf).

    Imported here rather than at the top: the renderer brings reportlab, numpy, qrcode and
    zxing-cpp, and this module is imported when the laptop starts (the evaluation page); that
    would add about 300 ms before the window shows (measured 290-325 ms on the development
    machine) for something used only when a PDF is previewed or signed. The renderer imports
    only the report's values (app.evaluation.values), never this module: there is no cycle.
    """
    from app.evaluation.pdf import render_evaluation_pdf

    return render_evaluation_pdf(report, signature_png, draft, head_signature_png)


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def _check_png(data: bytes) -> None:
    """The drawn signature must be an image the PDF can show."""
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
        # Given rules score every draft (a caller's choice); else each event's own version
        # (HQ's package, app.evaluation.rules_store), or the newest shipped.
        self.fixed_rules = rules
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
                Evaluation.event_id == event_id, live(Evaluation))
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
            Evaluation.event_id == event_id, live(Evaluation))
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
        # Who signs by default: Settings' report signer, else the supervisor's own name.
        supervisor = (read_report_defaults(self.db).signer
                      or self.db.setting(SUPERVISOR_NAME_SETTING) or "")
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
                     supervisor_name: str | None = None,
                     company_head_name: str | None = None,
                     sample_reason: str | None = None) -> EvaluationInfo:
        """Change the draft's comment, recommendation, supervisor, the company's on-site
        head's name or the reason for a grade on a partial sample; EvaluationLockedError
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
            if company_head_name is not None:
                row.company_head_name = _one_line(company_head_name, MAX_NAME_CHARS)
            if sample_reason is not None:
                row.sample_reason = sample_reason.strip()[:MAX_REASON_CHARS]
            s.flush()
            return _info(row)

    def record_company_head_signature(self, evaluation_id: str, name: str,
                                      signature_png: bytes) -> EvaluationInfo:
        """The company's on-site head signed on the pad (a refusal recorded before is
        withdrawn)."""
        _check_png(signature_png)
        name = _one_line(name, MAX_NAME_CHARS)
        if not name:
            raise EvaluationError(translate("Evaluation", "enter the name of the company's "
                                            "on-site head first"))
        # What the head acknowledges: the evaluation as it stands (signing checks it still is).
        seen = acknowledged_digest(self.build_report(evaluation_id))
        with self.db.begin() as s:
            row = self._draft_row(s, evaluation_id)
            row.company_head_name = name
            row.company_head_signature_png = signature_png
            row.company_head_acknowledged_sha256 = seen
            row.company_head_refused_at = None
            row.company_head_refusal_reason = ""
            s.flush()
            return _info(row)

    def record_company_head_refusal(self, evaluation_id: str, name: str,
                                    reason: str) -> EvaluationInfo:
        """The company's on-site head refused to sign (拒签): the time and the reason go on
        the form; a signature drawn before is removed."""
        reason = reason.strip()[:MAX_REASON_CHARS]
        if not reason:
            raise EvaluationError(translate("Evaluation", "write down the reason the company's "
                                            "on-site head gave for refusing to sign"))
        with self.db.begin() as s:
            row = self._draft_row(s, evaluation_id)
            row.company_head_name = _one_line(name, MAX_NAME_CHARS)
            row.company_head_signature_png = None
            row.company_head_acknowledged_sha256 = None
            row.company_head_refused_at = utc_now()
            row.company_head_refusal_reason = reason
            s.flush()
            return _info(row)

    def clear_company_head(self, evaluation_id: str) -> EvaluationInfo:
        """Withdraw the head's signature or refusal (the name stays)."""
        with self.db.begin() as s:
            row = self._draft_row(s, evaluation_id)
            row.company_head_signature_png = None
            row.company_head_acknowledged_sha256 = None
            row.company_head_refused_at = None
            row.company_head_refusal_reason = ""
            s.flush()
            return _info(row)

    def _draft_row(self, s: Session, evaluation_id: str) -> Evaluation:
        row = self._row(s, evaluation_id)
        if row.status != "draft":
            raise EvaluationLockedError()
        return row

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
            # The head signs the new version anew; the name and the reasons carry over.
            new = Evaluation(event_id=row.event_id, version=version, previous_id=row.id,
                             status="draft", supervisor_name=row.supervisor_name,
                             comment=row.comment, recommendation=row.recommendation,
                             company_head_name=row.company_head_name,
                             sample_reason=row.sample_reason,
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
        return build_report(self.db, self.rules_of(row), row, as_of, signed_at, signer_subject)

    def rules_of(self, row: EvaluationInfo) -> ScoringRules:
        """A signed evaluation's own rules (its figures and digest stay those it was signed
        with when newer rules ship; found shipped or as HQ's package brought them); a draft's
        are the version HQ's package set for its event, else the newest shipped."""
        if not row.is_signed:
            if self.fixed_rules is not None:
                return self.fixed_rules
            event_version = event_rules_version(self.db, row.event_id)
            if event_version is None:
                return self.rules
            try:
                return rules_for(self.db, event_version)
            except LookupError:  # the package stored it with the event: changed by hand
                raise EvaluationError(translate(
                    "Evaluation", "the scoring rules version {version} set for this event "
                    "are missing from this profile: take the event down from headquarters "
                    "again").format(version=event_version)) from None
        version = row.rules_version or 1  # signed before versions were kept: v1
        try:
            return rules_for(self.db, version)
        except LookupError:  # signed on a laptop with newer rules than this copy ships
            raise EvaluationError(translate(
                "Evaluation", "this evaluation was signed with scoring rules version "
                "{version}, which this copy of the program does not have: install the newer "
                "program to show it").format(version=version)) from None

    def preview_pdf(self, evaluation_id: str, signature_png: bytes | None = None) -> bytes:
        """The PDF as it would be signed, unsigned and marked 草稿 DRAFT on every page."""
        row = self.get(evaluation_id)  # one read: the report's row and both signatures
        report = self._build(row, row.signed_at, row.signed_at, row.signer_subject)
        if signature_png is None and row.is_signed:
            signature_png = row.signature_png
        return _render_pdf(report, signature_png, draft=not row.is_signed,
                           head_signature_png=row.company_head_signature_png)

    # -------------------------------------------------------------------- sign
    def sign(self, evaluation_id: str, signature_png: bytes,
             signer: PdfSigner) -> EvaluationInfo:
        """Render the final PDF with the drawn signature, sign it (PAdES), keep it in
        ``reports/<document_id>.pdf`` and mark the evaluation signed with its figures.

        The file is written (and fsynced) first, then the row changes in one transaction;
        should that fail, the file is removed again. From the commit on, the event's records
        created up to ``signed_at`` are read-only.
        """
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
        number = next_document_number(self.db, signed_at)
        row = dataclasses.replace(row, supervisor_name=supervisor, document_number=number)
        report = self._build(row, signed_at, signed_at, signer.subject)
        if (row.company_head_signature_png
                and row.company_head_acknowledged_sha256 != acknowledged_digest(report)):
            raise EvaluationError(translate(
                "Evaluation", "the evaluation changed after the company's on-site head signed "
                "it: ask the head to sign again, or record the refusal"))
        pdf = _render_pdf(report, signature_png, draft=False,
                          head_signature_png=row.company_head_signature_png)
        signed = sign_pdf(pdf, signer, reason=f"综合考评 {number}",
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
                stored.rules_version = report.rules_version
                stored.document_number = number
                stored.sample_statement = report.sample.to_json() if report.sample else None
                # HQ checks this evaluation against the certificate registered for the
                # laptop; keep the one that signed it at hand for sync.
                s.merge(ProfileSetting(key=SUPERVISOR_CERTIFICATE_SETTING,
                                       value=signer.certificate_pem.decode("ascii")))
                s.flush()
                return _info(stored)
        except IntegrityError:
            # Another signing in this profile (the window and a command line at once) took
            # the same number between our read and this write: the unique index refused it.
            target.unlink(missing_ok=True)
            raise EvaluationError(translate(
                "Evaluation", "document number {number} was taken by another signing at the "
                "same moment: nothing was signed, sign again").format(number=number)) from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise

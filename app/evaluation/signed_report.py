"""An event's signed evaluation in one call, for a script or the demo: the draft given its
supervisor, comment and recommendation, signed, and the signed PDF's bytes handed back.

The window signs step by step (the draft edited on its page, the signature drawn on the
pad); ``python -m app report`` and the demo do it at once, with the name typeset when there
is no drawn signature.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.evaluation.report import EvaluationError, EvaluationService
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    PdfSigner,
    ensure_supervisor_identity,
    load_supervisor_signer,
    supervisor_p12_path,
)
from app.evaluation.values import EvaluationInfo
from app.i18n import translate
from app.profile.db import Database
from app.resources import font_path

# The supervisor's name on a report when neither the command, the draft nor the profile
# gives one.
DEFAULT_SUPERVISOR = "督导员"


@dataclass(frozen=True)
class SignedReport:
    """A signed evaluation and its PDF as kept in the profile."""

    info: EvaluationInfo
    pdf: bytes
    signer: str  # who signed it, as the certificate names them
    certificate_pem: bytes | None = None  # the signer's certificate, when it is at hand


@dataclass(frozen=True)
class SupervisorIdentity:
    """The profile's supervisor identity, opened; ``created`` is its new key file's path when
    this call made it (a first run), else None."""

    signer: PdfSigner
    created: Path | None


def typed_signature_png(name: str) -> bytes:
    """The supervisor's name set in the bundled font, for a signature made without a pad."""
    font = ImageFont.truetype(str(font_path()), 96, index=0)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), name, font=font)
    size = (int(right - left) + 40, int(bottom - top) + 40)  # whole pixels for a FreeType font
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).text((20 - left, 20 - top), name, font=font, fill=(18, 28, 70, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def supervisor_name(db: Database, evaluation: EvaluationInfo, given: str | None = None) -> str:
    """Who signs: the name given, else the draft's, else the profile's, else 督导员."""
    return (given or evaluation.supervisor_name or db.setting(SUPERVISOR_NAME_SETTING)
            or DEFAULT_SUPERVISOR)


def open_supervisor_identity(db: Database, supervisor: str,
                             passphrase: bytes) -> SupervisorIdentity:
    """The profile's supervisor identity opened with ``passphrase``; on a first run a new
    key and self-signed certificate for ``supervisor``, protected by it. SigningError for a
    wrong passphrase or a key file that cannot be read."""
    existing = supervisor_p12_path(db)
    path = existing or ensure_supervisor_identity(db, supervisor, passphrase)
    return SupervisorIdentity(load_supervisor_signer(db, path, passphrase),
                              created=None if existing else path)


def kept_report(db: Database, evaluation: EvaluationInfo) -> SignedReport:
    """A signed evaluation's PDF as the profile keeps it (never signed a second time).
    EvaluationError when the file is gone."""
    kept = EvaluationService(db).signed_pdf_path(evaluation.id)
    if kept is None or not kept.is_file():
        raise EvaluationError(translate("ReportCli", "the signed PDF of {document} is "
                                        "missing").format(document=evaluation.document_id))
    return SignedReport(evaluation, db.files.read(kept), evaluation.signer_subject or "")


def sign_evaluation(db: Database, event_id: str, signer: PdfSigner, signature_png: bytes,
                    supervisor: str, comment: str | None = None,
                    recommendation: str | None = None,
                    company_head: tuple[str, bytes] | None = None) -> SignedReport:
    """Sign the event's draft evaluation: the supervisor, and the comment, recommendation
    and the company head's (name, drawn signature) when given, written into it first.
    EvaluationLockedError when it is signed already."""
    service = EvaluationService(db)
    draft = service.draft(event_id)
    service.update_draft(draft.id, supervisor_name=supervisor, comment=comment,
                         recommendation=recommendation)
    if company_head is not None:
        service.record_company_head_signature(draft.id, *company_head)
    info = service.sign(draft.id, signature_png, signer)
    return SignedReport(info, kept_report(db, info).pdf, signer.subject_name,
                        signer.certificate_pem)

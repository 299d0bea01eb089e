"""A laptop's signed evaluation, proven before HQ keeps its PDF: the PDF is the one the
record names, its signature verifies, it was signed with the certificate registered for the
laptop's supervisor, and the figures written in it are the record's."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from app.evaluation.pdf_binding import EvaluationBinding
from app.hq.database import parse_time
from app.hq.devices import certificate_der
from app.hq.models import HQ_DEVICE

MAX_STATEMENT_CHARS = 200_000  # a sample statement of 1,250 guards is about 60 KB


@dataclass(frozen=True)
class VerifiedPdf:
    pdf: bytes
    pdf_sha256: str
    signer_subject: str


def verify_evaluation(payload: dict[str, Any], certificate: str | None,
                      device_id: str) -> VerifiedPdf | str:
    """The signed evaluation's PDF once proven; else why not, in plain words."""
    # Imported here, not at the top: pyHanko takes 9 MB and 0.16 s more in every process
    # of HQ's (measured on this 2-core machine) and only a signed evaluation needs it; the
    # bounded-memory check of `hq import-bundle` (300 MB at its peak) counts those 9 MB.
    from pyhanko.pdf_utils.reader import PdfFileReader

    from app.evaluation.signing import verify_pdf

    def reader_of(data: bytes) -> Any:
        return PdfFileReader(io.BytesIO(data), strict=False)

    encoded = payload.get("pdf")
    if not isinstance(encoded, str) or not encoded:
        return "a signed evaluation must carry its signed PDF, and this one carries none"
    try:
        pdf = base64.b64decode(encoded, validate=True)
    except ValueError:
        return "the evaluation's PDF is not valid base64"
    digest = hashlib.sha256(pdf).hexdigest()
    if digest != payload.get("pdf_sha256"):
        return ("the evaluation's PDF is not the one the evaluation names (its SHA-256 "
                "differs from pdf_sha256)")
    if device_id == HQ_DEVICE:
        return "headquarters does not prepare signed evaluations itself"
    if not certificate:
        return ("no signing certificate is registered for this laptop's supervisor, so the "
                "signed PDF cannot be checked; sync again from the laptop (it registers the "
                "certificate) and resend")
    verification = verify_pdf(pdf, [certificate.encode("ascii")])
    if not verification.intact:
        return (f"the evaluation's PDF signature does not verify: the PDF was changed after "
                f"signing or is damaged ({verification.detail[:300]})")
    signers = _signing_certificates(pdf, reader_of)
    registered = certificate_der(certificate)
    if not signers or any(der != registered for der in signers):
        return ("the evaluation's PDF was signed with a certificate other than the one "
                "registered for this laptop's supervisor")
    problem = _binding_problem(pdf, payload, reader_of)
    if problem:
        return problem
    subject = x509.load_der_x509_certificate(registered).subject.rfc4514_string()
    return VerifiedPdf(pdf=pdf, pdf_sha256=digest, signer_subject=subject)


def _binding_problem(pdf: bytes, payload: dict[str, Any],
                     reader_of: Callable[[bytes], Any]) -> str | None:
    """Whether the record's figures are those written in the signed PDF itself."""
    try:
        info = reader_of(pdf).trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except Exception:  # noqa: BLE001 - any unreadable structure means: not bound
        keywords = ""
    signed = EvaluationBinding.parse(keywords)
    if signed is None:
        return ("the evaluation's PDF does not state which evaluation it is (no document id, "
                "event and figures in its signed document information)")
    claimed = EvaluationBinding.of(
        str(payload.get("document_id") or ""), str(payload.get("event_id") or ""),
        payload.get("content_sha256"), payload.get("score_total"), payload.get("grade"),
        str(payload.get("document_number") or ""), grade_final(payload))
    if claimed != signed:
        return (f"the evaluation's figures differ from those in its signed PDF (the record "
                f"says {claimed.keywords()}, the PDF {signed.keywords()})")
    return None


def _signing_certificates(pdf: bytes, reader_of: Callable[[bytes], Any]) -> list[bytes]:
    """DER of the certificate behind each signature of the PDF."""
    try:
        reader = reader_of(pdf)
        return [embedded.signer_cert.dump() for embedded in reader.embedded_signatures]
    except Exception:  # a PDF that verify_pdf accepted but this cannot read: not proven
        return []


def grade_final(payload: dict[str, Any]) -> bool | None:
    """Whether the evaluation's grade is final, as its sample statement says (None: signed
    before the official form, or not a statement)."""
    text = payload.get("sample_statement")
    if not isinstance(text, str) or not text or len(text) > MAX_STATEMENT_CHARS:
        return None
    try:
        final = json.loads(text).get("final")
    except (ValueError, AttributeError, RecursionError):
        return None
    return final if isinstance(final, bool) else None


def document_row(payload: dict[str, Any], verified: VerifiedPdf, device_id: str,
                 now: datetime) -> dict[str, Any]:
    """The evaluation_document row of a proven signed evaluation (its event's and company's
    names are filled in when it is stored)."""
    signed_at = payload.get("signed_at")
    return {"id": payload["id"], "event_id": payload["event_id"], "event_name": "",
            "company_name": "", "company_licence": None,
            "version": payload["version"], "status": payload["status"],
            "score_total": payload.get("score_total"), "grade": payload.get("grade"),
            "coverage": payload.get("coverage"), "grade_final": grade_final(payload),
            "signed_at": parse_time(signed_at) if isinstance(signed_at, str) else None,
            "supervisor_name": str(payload.get("supervisor_name") or ""),
            "document_id": str(payload.get("document_id") or ""), "device_id": device_id,
            "pdf": verified.pdf, "pdf_sha256": verified.pdf_sha256,
            "signer_subject": verified.signer_subject, "verified_at": now, "received_at": now}

"""Recommendation letters (issue 14, seed 001 §四(二)): for an organiser's event of a given
size and risk, the at-least-three companies HQ recommends (app.hq.standing.recommend), as a
PDF letter headed by HQ's issuing unit and signed with HQ's document-signing key; and the
company the organiser chose. Rules: docs/hq-console-letters-grades.md.

HQ's document-signing key is an ECDSA P-256 key derived from a 32-byte secret kept in HQ's
key ring (``document_key``, sealed with HQ's other private keys, app.hq.key_ring); its
self-signed X.509 certificate (public) is kept in clear in ``hq_setting``, made once on first
use. The signature is PAdES B-B, made the way the laptop signs its evaluations
(app.evaluation.signing), so pyHanko, ``pdfsig`` and Adobe Reader check it against that
certificate.

reportlab (about 0.3 s to import) and pyHanko (about 0.5 s) are imported inside the
functions that build and sign a letter: HQ's server imports this module at start-up and most
of its processes never write a letter.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evaluation.document_numbers import CHINA, china_year
from app.hq import audit, files, standing
from app.hq.database import HqDatabase
from app.hq.document_numbers import form_settings
from app.hq.errors import HqError
from app.hq.key_ring import DOCUMENT_KEY_SETTING, KeyRing
from app.hq.models import HqSetting, RecommendationLetter, utc_now
from app.hq.register import plain_text
from app.hq.staff import hq_name
from app.orm import as_utc

MIN_COMPANIES = 3  # seed 001 §四(二): at least three
MAX_COMPANIES = 10
MAX_ATTENDANCE = 1_000_000
MAX_TEXT_CHARS = 200
DOCUMENT_CERTIFICATE_SETTING = "document_certificate_pem"  # public: kept in clear
CERTIFICATE_DAYS = 3650
SIGNATURE_FIELD = "HqSignature"
RISK_TEXT = {"low": "低", "medium": "中", "high": "高"}
TITLE = "保安服务公司推荐函"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class LetterRequest:
    organiser: str
    event_name: str
    event_date: date
    attendance: int
    risk: str
    count: int = MIN_COMPANIES


def parse_request(fields: Mapping[str, str]) -> LetterRequest:
    """The letter form's fields, checked; HqError (400) saying what is wrong."""
    missing = [name for name in ("organiser", "event_name", "event_date", "attendance",
                                 "risk") if not fields.get(name, "").strip()]
    if missing:
        raise HqError(400, f"the form lacks {', '.join(missing)}")
    organiser = plain_text(fields["organiser"], MAX_TEXT_CHARS, "organiser")
    event_name = plain_text(fields["event_name"], MAX_TEXT_CHARS, "event name")
    try:
        event_date = date.fromisoformat(fields["event_date"].strip())
    except ValueError:
        raise HqError(400, "the event date must be a date (YYYY-MM-DD)") from None
    today = datetime.now(UTC).date()
    if not today - timedelta(days=366) <= event_date <= today + timedelta(days=3 * 366):
        raise HqError(400, "the event date must lie within a year before and three years "
                           "after today")
    attendance = _whole_number(fields["attendance"], "attendance", 1, MAX_ATTENDANCE)
    risk = fields["risk"].strip()
    if risk not in standing.RISK_LEVELS:
        raise HqError(400, f"the risk must be one of {', '.join(standing.RISK_LEVELS)}")
    count = _whole_number(fields.get("count") or str(MIN_COMPANIES), "number of companies",
                          MIN_COMPANIES, MAX_COMPANIES)
    return LetterRequest(organiser, event_name, event_date, attendance, risk, count)


def _whole_number(text: str, what: str, low: int, high: int) -> int:
    text = text.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9) or not \
            low <= int(text) <= high:
        raise HqError(400, f"the {what} must be a whole number from {low} to {high}")
    return int(text)


# ----------------------------------------------------------------- HQ's document key
@dataclass(frozen=True)
class DocumentIdentity:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _private_key(keys: KeyRing) -> ec.EllipticCurvePrivateKey:
    secret = keys.secret(DOCUMENT_KEY_SETTING, 32)
    return ec.derive_private_key(int.from_bytes(secret, "big") % (P256_ORDER - 1) + 1,
                                 ec.SECP256R1())


def _public_der(key: ec.EllipticCurvePublicKey | Any) -> bytes:
    der: bytes = key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def document_identity(db: HqDatabase, keys: KeyRing) -> DocumentIdentity:
    """HQ's document-signing key and certificate, made on first use (KeyAccessError when
    HQ's keys are sealed and this process has not their passphrase)."""
    key = _private_key(keys)
    pem = db.setting(DOCUMENT_CERTIFICATE_SETTING)
    if pem is None:
        unit = form_settings(db)["issuing_unit"] or hq_name(db)
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit[:64]),
                          x509.NameAttribute(NameOID.COMMON_NAME, unit[:64])])
        now = datetime.now(UTC)
        public = key.public_key()
        certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(public).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=CERTIFICATE_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
        with db.begin() as s:  # whoever inserted first wins; all read the same
            s.execute(db.insert_or_skip(HqSetting.__table__).values(
                key=DOCUMENT_CERTIFICATE_SETTING,
                value=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")))
        pem = db.setting(DOCUMENT_CERTIFICATE_SETTING)
        assert pem is not None
    certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    if _public_der(certificate.public_key()) != _public_der(key.public_key()):
        raise HqError(500, "HQ's document certificate does not belong to its document key; "
                           "restore the database from a backup")
    return DocumentIdentity(key, certificate)


def _sign(pdf: bytes, identity: DocumentIdentity, unit: str) -> bytes:
    # Deferred: pyHanko and the laptop's signing module (see the module's docstring).
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from app.evaluation.signing import PdfSigner, sign_pdf

    certificate = identity.certificate
    signer = PdfSigner(
        signer=SimpleSigner(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(identity.key),
            cert_registry=SimpleCertificateStore()),
        subject_name=unit, subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_hex=f"{certificate.serial_number:X}",
        not_valid_after=certificate.not_valid_after_utc,
        certificate_pem=identity.certificate_pem, self_signed=True)
    return sign_pdf(pdf, signer, reason=TITLE, location=unit, field_name=SIGNATURE_FIELD)


# ---------------------------------------------------------------------------- the PDF
# The standing's reasons are written "中文 (English)" for HQ's bilingual pages; a letter to
# an organiser is in Chinese only, so the English in half-width brackets is left out.
_ENGLISH_ASIDE = re.compile(r"\s*\([\x20-\x7e]*\)")


def chinese_only(text: str) -> str:
    return _ENGLISH_ASIDE.sub("", text).strip() or text


def render_pdf(unit: str, number: str, issued: date, request: LetterRequest,
               companies: list[dict[str, Any]]) -> bytes:
    """The letter on A4: the issuing unit in red with the number and the red rule, the
    title, the organiser, the event, the companies with licence, grade and why; unsigned."""
    # Deferred: reportlab (see the module's docstring).
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import HRFlowable, SimpleDocTemplate, Spacer

    from app.evaluation.pdf_kit import (
        CONTENT_W,
        MARGIN_BOTTOM,
        MARGIN_TOP,
        MARGIN_X,
        RED,
        Styles,
        grid_table,
        para,
    )
    from app.pdf_fonts import register_cjk_font

    font = register_cjk_font()
    styles = Styles(font)
    unit_style = ParagraphStyle("unit", fontName=font, fontSize=22, leading=28,
                                alignment=TA_CENTER, textColor=RED)
    centred = ParagraphStyle("centred", parent=styles.body, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=styles.body, alignment=TA_RIGHT)
    widths = [CONTENT_W * share for share in (0.07, 0.27, 0.2, 0.1, 0.36)]
    rows: list[list[object]] = [["序号", "保安服务公司", "许可证号", "信用等级", "推荐理由"]]
    for company in companies:
        rows.append([str(company["rank"]), para(company["name"], styles.cell),
                     para(company["licence_no"] or "—", styles.cell),
                     company["credit_grade"] or "—",
                     para("；".join(chinese_only(r) for r in company["reasons"]),
                          styles.cell)])
    when = f"{request.event_date.year}年{request.event_date.month}月{request.event_date.day}日"
    story = [
        para(unit, unit_style), Spacer(1, 6), para(number, centred), Spacer(1, 2),
        HRFlowable(width="100%", thickness=1.6, color=RED, spaceBefore=2, spaceAfter=10),
        para(TITLE, styles.big), Spacer(1, 12),
        para(f"{request.organiser}：", styles.body), Spacer(1, 4),
        para(f"贵单位拟于{when}举办的「{request.event_name}」，预计参加人数 "
             f"{request.attendance} 人，风险等级{RISK_TEXT[request.risk]}。根据我单位对保安"
             f"服务公司的综合考评、信用等级和派员记录，推荐以下 {len(companies)} 家保安服务"
             f"公司，供贵单位选择；选定后请告知我单位。", styles.body), Spacer(1, 8),
        grid_table(rows, widths, font, size=9, extra=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 10),
        para("被列入黑名单、未经总部审核或派员能力不足的公司不予推荐。本函经电子签名，"
             "涂改无效。", styles.note), Spacer(1, 24),
        para(unit, right), para(f"{issued.year}年{issued.month}月{issued.day}日", right),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{TITLE} {number}", author=unit,
        subject=request.event_name, creator="Venue Supervisor HQ")
    document.build(story)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- letters
def _companies_json(chosen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": c["key"], "rank": c["rank"], "name": c["name"],
             "licence_no": c["licence_no"], "credit_grade": c["credit_grade"],
             "reasons": list(c["reasons"])} for c in chosen]


def create_letter(db: HqDatabase, keys: KeyRing, actor: str,
                  request: LetterRequest) -> dict[str, Any]:
    """Recommend, write and sign the letter, store it (audited "letter.create"); HqError 409
    with standing's note when fewer than the companies asked for qualify (nothing stored)."""
    unit = form_settings(db)["issuing_unit"] or hq_name(db)
    identity = document_identity(db, keys)  # before the transaction: it may write the key
    with db.begin() as s:
        found = standing.recommend(s, request.attendance, request.risk, request.count)
        if len(found["companies"]) < request.count:
            raise HqError(409, f"推荐函至少需要 {request.count} 家符合条件的公司，不予出具 "
                               f"(a letter needs {request.count} qualified companies; none "
                               f"was written): {found['note']}")
        companies = _companies_json(found["companies"])
        now = utc_now()
        letter = RecommendationLetter(
            number="", created_at=now, created_by=actor, organiser=request.organiser,
            event_name=request.event_name, event_date=request.event_date,
            attendance=request.attendance, risk=request.risk,
            companies=json.dumps(companies, ensure_ascii=False), pdf_sha256="")
        s.add(letter)
        s.flush()  # its id numbers it
        issued = now.astimezone(CHINA)  # the date in China
        letter.number = f"荐〔{china_year(now)}〕{letter.id}号"
        pdf = _sign(render_pdf(unit, letter.number, issued.date(), request, companies),
                    identity, unit)
        letter.pdf_sha256 = files.put(s, pdf, files.PDF)  # in this transaction
        s.flush()
        shown = _letter_dict(letter)
        audit.record(s, actor, "letter.create", f"letter:{letter.id}", None,
                     {key: shown[key] for key in ("number", "organiser", "event_name",
                                                  "event_date", "attendance", "risk",
                                                  "pdf_sha256")}
                     | {"companies": [c["licence_no"] or c["name"] for c in companies]})
        return shown


def _letter_dict(letter: RecommendationLetter) -> dict[str, Any]:
    return {"id": letter.id, "number": letter.number,
            "created_at": as_utc(letter.created_at), "created_by": letter.created_by,
            "organiser": letter.organiser, "event_name": letter.event_name,
            "event_date": letter.event_date.isoformat(), "attendance": letter.attendance,
            "risk": letter.risk, "companies": json.loads(letter.companies),
            "pdf_sha256": letter.pdf_sha256, "chosen_key": letter.chosen_key,
            "chosen_licence": letter.chosen_licence, "chosen_name": letter.chosen_name,
            "chosen_at": as_utc(letter.chosen_at), "chosen_by": letter.chosen_by}


def letters(s: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The letters written, newest first."""
    return [_letter_dict(letter) for letter in s.scalars(
        select(RecommendationLetter).order_by(RecommendationLetter.id.desc()).limit(limit))]


def letter(s: Session, letter_id: int) -> dict[str, Any] | None:
    found = s.get(RecommendationLetter, letter_id)
    return _letter_dict(found) if found is not None else None


def letter_pdf(s: Session, letter_id: int) -> tuple[str, bytes] | None:
    """(number, signed PDF) of a letter; StoredFileError when its bytes are damaged."""
    found = s.get(RecommendationLetter, letter_id)
    if found is None:
        return None
    pdf = files.get(s, found.pdf_sha256)
    return (found.number, pdf) if pdf is not None else None


def record_choice(db: HqDatabase, actor: str, letter_id: int,
                  company_key: str) -> dict[str, Any]:
    """The company the organiser chose, which must be one the letter recommends (audited
    "letter.choice", before and after: a choice recorded by mistake is corrected the same
    way); HqError 404 / 400."""
    with db.begin() as s:
        found = s.get(RecommendationLetter, letter_id)
        if found is None:
            raise HqError(404, f"no recommendation letter {letter_id}")
        company = next((c for c in json.loads(found.companies)
                        if c["key"] == company_key), None)
        if company is None:
            raise HqError(400, "the organiser's choice must be one of the companies the "
                               "letter recommends")
        before = {"chosen": found.chosen_licence or found.chosen_name,
                  "chosen_by": found.chosen_by}
        found.chosen_key, found.chosen_name = company["key"], company["name"]
        found.chosen_licence = company["licence_no"] or None
        found.chosen_at, found.chosen_by = utc_now(), actor
        s.flush()
        audit.record(s, actor, "letter.choice", f"letter:{letter_id}", before,
                     {"chosen": company["licence_no"] or company["name"],
                      "chosen_by": actor})
        return _letter_dict(found)

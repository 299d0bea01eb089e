"""The signed evaluation PDF: its text, its fonts, and its signature checked by independent
tools (pyHanko's validator directly, poppler's pdfsig)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.evaluation.pdf import render_evaluation_pdf
from app.evaluation.pdf_kit import format_percent
from app.evaluation.report import EvaluationService
from app.evaluation.rules import grade_text
from app.evaluation.score_values import format_score
from app.evaluation.signing import (
    PdfSigner,
    SigningError,
    create_self_signed_p12,
    load_signer,
    sign_pdf,
    verify_pdf,
)
from app.evaluation.values import EvaluationInfo
from app.inspection.workbench import Workbench
from app.profile.db import Database
from tests.helpers.evaluation import COMPANY, EVENT_NAME, build_hand_case
from tests.test_evaluation import signature_png

PASSPHRASE = b"report passphrase"


@dataclass(frozen=True)
class Signed:
    info: EvaluationInfo
    pdf: bytes
    signer: PdfSigner
    p12: Path
    text: list[str]  # per page, as pypdf extracts it


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    """The hand-built event, evaluated and signed once with an RSA identity."""
    root = tmp_path_factory.mktemp("report")
    p12 = create_self_signed_p12(root / "supervisor.p12", "周督导", PASSPHRASE)
    signer = load_signer(p12, PASSPHRASE)
    db = Database(root / "profile")
    try:
        workbench = Workbench(db)
        case = build_hand_case(workbench)
        service = EvaluationService(db)
        draft = service.draft(case.event_id)
        service.update_draft(draft.id, comment="总体良好，个别岗位缺员。\n请限期整改。",
                             recommendation="conditional", supervisor_name="周督导")
        info = service.sign(draft.id, signature_png(), signer)
        pdf = (db.data_dir / (info.pdf_path or "")).read_bytes()
    finally:
        db.close()
    reader = PdfReader(io.BytesIO(pdf))
    return Signed(info, pdf, signer, p12, [page.extract_text() for page in reader.pages])


def test_text_gives_the_chinese_back(signed: Signed) -> None:
    text = "\n".join(signed.text)
    assert COMPANY in text
    assert EVENT_NAME in text
    assert "大型活动安保服务综合考评表" in text
    assert grade_text(signed.info.grade or "") == "良好"
    assert "良好" in text
    assert format_score(signed.info.score_total or 0) == "81.50"
    assert "81.50" in text
    assert format_percent(signed.info.coverage or 0) in text  # 80.0%
    assert signed.info.document_number and signed.info.document_number in text
    assert "周督导" in text and "总体良好，个别岗位缺员。" in text
    assert "■有条件推荐" in text.replace("\xa0", " ")
    for name in ("王一", "张三", "赵四"):  # the guards with findings
        assert name in text
    assert "钱五" in text  # the guard never checked
    assert "缺员" in text


def test_every_page_says_which_of_how_many(signed: Signed) -> None:
    pages = len(signed.text)
    assert pages >= 2
    for number, text in enumerate(signed.text, start=1):
        assert f"第 {number} 页 共 {pages} 页" in text


def test_only_embedded_subset_fonts_with_unicode_maps(signed: Signed) -> None:
    reader = PdfReader(io.BytesIO(signed.pdf))
    fonts = {}
    for page in reader.pages:
        for name, ref in page["/Resources"]["/Font"].items():
            fonts[name] = ref.get_object()
    assert fonts
    for font in fonts.values():
        assert re.match(r"^/[A-Z]{6}\+", font["/BaseFont"]), font["/BaseFont"]  # a subset
        assert "/ToUnicode" in font
        assert "/FontFile2" in font["/FontDescriptor"]  # embedded TrueType


@pytest.mark.slow  # starts a process
def test_poppler_extracts_the_same_text(signed: Signed, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed.pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=60)
    text = result.stdout.decode("utf-8")
    assert COMPANY in text and "良好" in text and "81.50" in text


def test_pyhanko_validates_the_signature(signed: Signed) -> None:
    """pyHanko's own validator, called directly: the signature is intact, valid, covers the
    whole file and chains to the supervisor's certificate as trust root."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _, _, der = pem.unarmor(signed.signer.certificate_pem)
    root = asn1_x509.Certificate.load(der)
    reader = PdfFileReader(io.BytesIO(signed.pdf))
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root],
                                                                allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    ours = verify_pdf(signed.pdf, trust_roots=[signed.signer.certificate_pem])
    assert (ours.intact, ours.valid, ours.trusted, ours.coverage_entire_file) == (
        True, True, True, True)
    assert ours.signer == "周督导"
    assert ours.signed_at is not None
    assert not verify_pdf(signed.pdf).trusted  # no trust root given: not trusted, still intact


def _signed_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match
    a, b, c, d = (int(v) for v in match.groups())
    return a, b, c, d


@pytest.mark.parametrize("where", [0.05, 0.33, 0.5, 0.9, "second"])
def test_one_changed_byte_breaks_the_signature(signed: Signed, where: object) -> None:
    start, length, second_start, second_length = _signed_range(signed.pdf)
    if where == "second":
        offset = second_start + second_length // 2
    else:
        offset = start + int(length * float(where))  # type: ignore[arg-type]
    data = bytearray(signed.pdf)
    data[offset] ^= 0x04
    result = verify_pdf(bytes(data))
    assert not result.intact, (offset, result.detail)


def test_content_stream_change_is_a_digest_mismatch(signed: Signed) -> None:
    """A byte inside a compressed page stream: the PDF still parses, only the hash differs."""
    start = signed.pdf.index(b"stream\n", signed.pdf.index(b"/FlateDecode")) + 7 + 40
    data = bytearray(signed.pdf)
    data[start] ^= 0x01
    result = verify_pdf(bytes(data))
    assert not result.intact
    assert result.signer == "周督导"  # it was read, it just no longer matches


def test_anything_appended_after_signing_is_not_covered(signed: Signed) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    assert not verify_pdf(signed.pdf + b"\n% appended\n").intact
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(
        stream_data=b"BT 100 700 Td (FORGED) Tj ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert not result.intact and not result.coverage_entire_file


def test_unsigned_and_damaged_files_are_not_intact(signed: Signed, tmp_path: Path) -> None:
    assert not verify_pdf(b"not a pdf").intact
    assert not verify_pdf(signed.pdf[: len(signed.pdf) // 2]).intact
    result = verify_pdf(tiny_unsigned_pdf())
    assert not result.intact and "no signature" in result.detail
    assert not verify_pdf(tmp_path / "missing.pdf").intact


def tiny_unsigned_pdf() -> bytes:
    """A one-line PDF from reportlab, never signed."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "unsigned")
    canvas.save()
    return buffer.getvalue()


def _pdfsig(path: Path) -> str:
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, timeout=60)
    return (result.stdout + result.stderr).decode("utf-8", "replace")


def _signature_validation(output: str) -> str:
    """The value of pdfsig's 'Signature Validation:' line, lower case ('' if none)."""
    match = re.search(r"Signature Validation:\s*(.+)", output)
    return match.group(1).strip().lower() if match else ""


@pytest.mark.slow  # starts a process
def test_pdfsig_reports_a_valid_signature(signed: Signed, tmp_path: Path) -> None:
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler-utils (pdfsig) not installed")
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed.pdf)
    output = _pdfsig(path)
    verdict = _signature_validation(output)
    assert verdict.startswith("signature is valid"), output
    assert "周督导" in output
    assert re.search(r"total document signed", output, re.IGNORECASE), output

    start, length, _, _ = _signed_range(signed.pdf)
    data = bytearray(signed.pdf)
    stream = signed.pdf.index(b"stream\n", signed.pdf.index(b"/FlateDecode")) + 7 + 40
    data[stream] ^= 0x01
    path.write_bytes(bytes(data))
    tampered = _signature_validation(_pdfsig(path))
    assert tampered and not tampered.startswith("signature is valid"), tampered


@pytest.mark.slow  # starts a process
def test_ecdsa_signature_also_validates(tmp_path: Path) -> None:
    p12 = create_self_signed_p12(tmp_path / "ec.p12", "吴督导", PASSPHRASE, key_type="ec")
    signer = load_signer(p12, PASSPHRASE)
    pdf = sign_pdf(tiny_unsigned_pdf(), signer, location="市体育馆")
    result = verify_pdf(pdf, trust_roots=[signer.certificate_pem])
    assert result.intact and result.valid and result.trusted
    if shutil.which("pdfsig"):
        path = tmp_path / "ec.pdf"
        path.write_bytes(pdf)
        assert _signature_validation(_pdfsig(path)).startswith("signature is valid")


def test_wrong_passphrase_or_broken_key_file(signed: Signed, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="passphrase"):
        load_signer(signed.p12, b"not the passphrase")
    broken = tmp_path / "broken.p12"
    broken.write_bytes(signed.p12.read_bytes()[:200])
    with pytest.raises(SigningError):
        load_signer(broken, PASSPHRASE)
    with pytest.raises(SigningError):
        load_signer(tmp_path / "missing.p12", PASSPHRASE)
    with pytest.raises(SigningError):
        create_self_signed_p12(signed.p12, "x", PASSPHRASE)  # never overwrites


def test_draft_preview_has_watermark_and_placeholder(tmp_path: Path) -> None:
    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        case = build_hand_case(workbench)
        service = EvaluationService(db)
        report = service.build_report(service.draft(case.event_id).id)
        draft = render_evaluation_pdf(report, None, draft=True)
        with_signature = render_evaluation_pdf(report, signature_png(), draft=True)
    finally:
        db.close()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(draft)).pages)
    assert "草稿" in text and "DRAFT" in text and "（签发时编号）" in text
    # Two places to sign by hand: the supervisor's and the company head's.
    assert text.count("手写签名处") == 2
    other = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(with_signature)).pages)
    assert other.count("手写签名处") == 1  # the supervisor's is drawn
    # The digest is in the QR code only (tests/test_official_form.py decodes it).
    assert report.content_sha256 not in text.replace(" ", "").replace("\n", "")


def test_an_event_without_company_or_records_still_renders(tmp_path: Path) -> None:
    from app.inspection.values import EventInput

    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        event_id = workbench.save_event(EventInput(name="空白活动"))
        service = EvaluationService(db)
        report = service.build_report(service.draft(event_id).id)
        pdf = render_evaluation_pdf(report, None, draft=True)
    finally:
        db.close()
    assert (report.score.total, report.score.coverage, report.score.inspections) == (
        100.0, 0.0, 0)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "空白活动" in text and "本次督导未发现问题" in text and "100.00" in text


def test_settings_report_defaults_name_the_signer_and_the_unit(tmp_path: Path) -> None:
    """Settings → report defaults: the signer is the draft's supervisor, and the unit is
    printed under the signature; without them, the supervisor's own name and unit."""
    from app.profile.supervisor import (
        ReportDefaults,
        SupervisorIdentity,
        save_identity,
        save_report_defaults,
    )

    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        case = build_hand_case(workbench)
        save_identity(db, SupervisorIdentity("周督导", "某市公安局治安管理支队", "012345"))
        save_report_defaults(db, ReportDefaults("某市公安局治安管理支队保安管理大队", "吴队长"))
        service = EvaluationService(db)
        draft = service.draft(case.event_id)
        assert draft.supervisor_name == "吴队长"
        info = service.sign(draft.id, signature_png(), load_signer(p12, PASSPHRASE))
        pdf = (db.data_dir / (info.pdf_path or "")).read_bytes()
    finally:
        db.close()
    text = "".join("".join(page.extract_text().split())
                   for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "督导员吴队长" in text and "警号" not in text  # 吴队长 signs, not 周督导
    # The unit heads the form, stands in the facts, and is the one that seals it.
    assert text.count("某市公安局治安管理支队保安管理大队") >= 3


def test_the_supervisors_badge_number_is_printed_beside_the_name(tmp_path: Path) -> None:
    from app.profile.supervisor import SupervisorIdentity, save_identity

    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        save_identity(db, SupervisorIdentity("周督导", "某市公安局治安管理支队", "012345"))
        service = EvaluationService(db)
        draft = service.draft(case.event_id)
        info = service.sign(draft.id, signature_png(), load_signer(p12, PASSPHRASE))
        pdf = (db.data_dir / (info.pdf_path or "")).read_bytes()
    finally:
        db.close()
    text = "".join("".join(page.extract_text().split())
                   for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "督导员周督导（警号012345）" in text
    assert "督导单位某市公安局治安管理支队" in text

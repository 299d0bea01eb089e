"""The evaluation as the form a police office files (issue 13): page 1 carries the whole form,
the detail is in four attachments, nothing technical is printed, the metadata is right, and
the grade is provisional until the random sample allows a final one."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from app.badge.qr import decode_qr
from app.errors import UserError
from app.evaluation.pdf import render_evaluation_pdf
from app.evaluation.report import EvaluationError, EvaluationService
from app.evaluation.report_build import LEGACY_REPORT_FORMAT, report_payload
from app.evaluation.sample_progress import MINIMUM_SAMPLE_SHARE_SETTING, sample_progress
from app.evaluation.signing import create_self_signed_p12, load_signer
from app.evaluation.values import EvaluationInfo
from app.inspection.domain import Verdict
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Evaluation
from app.profile.supervisor import ReportDefaults, save_report_defaults
from tests.helpers.evaluation import COMPANY, _id_number, build_hand_case, import_hand_roster
from tests.test_evaluation import signature_png

PASSPHRASE = b"form passphrase"
UNIT = "盘锦市公安局治安管理支队"
PREFIX = "盘公保考"
HEAD = "孙经理"


def flat(text: str) -> str:
    """The text without the spaces and line breaks extraction puts between cells."""
    return "".join(text.split())


@dataclass(frozen=True)
class Form:
    info: EvaluationInfo
    pdf: bytes
    pages: list[str]  # each page's text, flattened


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Form:
    """The hand-built event signed by the supervisor and the company's head."""
    root = tmp_path_factory.mktemp("form")
    p12 = create_self_signed_p12(root / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(root / "profile")
    try:
        save_report_defaults(db, ReportDefaults(unit_name=UNIT, number_prefix=PREFIX))
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        draft = service.draft(case.event_id)
        service.update_draft(draft.id, comment="总体良好。", supervisor_name="周督导")
        service.record_company_head_signature(draft.id, HEAD, signature_png())
        info = service.sign(draft.id, signature_png(), load_signer(p12, PASSPHRASE))
        pdf = (db.data_dir / (info.pdf_path or "")).read_bytes()
    finally:
        db.close()
    reader = PdfReader(io.BytesIO(pdf))
    return Form(info, pdf, [flat(page.extract_text()) for page in reader.pages])


def test_page_one_carries_the_whole_form(form: Form) -> None:
    first = form.pages[0]
    number = form.info.document_number or ""
    assert re.fullmatch(rf"{PREFIX}〔20\d\d〕临[0-9A-F]{{12}}-1号", number), number
    assert first.startswith(UNIT + number)  # the unit heads the form, the number under it
    assert "大型活动安保服务综合考评表" in first
    assert "考评依据：《大型群众性活动安全管理条例》《保安服务管理条例》" in first
    assert "辽公通〔2016〕357号" in first  # the provincial notice of seed 000
    assert "安保工作模式" in first and "现场负责人" + HEAD in first
    assert "抽样检查：按GB/T2828.1-2012一般检验水平Ⅱ，在册保安员5人，样本量字码A，" \
           "随机抽取样本2人" in first
    assert "督导员（签名）" in first and "被考评单位现场负责人（签名）" in first
    assert "考评单位（盖章）" in first
    assert "附件：1．岗位检查明细2．人员检查明细3．问题及整改情况（含照片）4．未检查人员名单" \
        in first
    assert "推荐意见" in first and "■推荐" in first
    assert "第1页共" in first


def test_each_attachment_starts_a_page_of_its_own(form: Form) -> None:
    starts = {number: title for number, title in enumerate(
        ("岗位检查明细", "人员检查明细", "问题及整改情况（含照片）", "未检查人员名单"), start=1)}
    for number, title in starts.items():
        pages = [page for page in form.pages[1:] if page.startswith(f"附件{number}{title}")]
        assert len(pages) == 1, (number, [page[:20] for page in form.pages])


def test_nothing_technical_on_any_page(form: Form) -> None:
    for text in form.pages:
        for technical in ("CN=", "pdfsig", "python", "verify-pdf", "PAdES", "SHA", "VS-EVAL",
                          form.info.document_id, form.info.content_sha256 or "-"):
            assert technical not in text, technical
        assert not re.search(r"[0-9a-f]{16}", text)  # no hash, not even a piece of one
        assert not re.search(r"\d,\d{3}", text)  # 42000人, not 42,000 人


def test_metadata_names_the_form_its_unit_and_its_signing_time(form: Form) -> None:
    metadata = PdfReader(io.BytesIO(form.pdf)).metadata
    assert metadata is not None
    assert metadata.title == f"大型活动安保服务综合考评表（{form.info.document_number}）"
    assert metadata.author == UNIT
    created = metadata.creation_date
    assert form.info.signed_at is not None and created is not None
    assert abs(created - form.info.signed_at) < timedelta(seconds=2)


def test_the_qr_code_carries_the_number_and_the_digest(form: Form, qapp: object) -> None:
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImage, QPainter

    from ui.pdf_output import load_pdf
    from ui.widgets.camera import qimage_to_gray_array

    rendered = load_pdf(form.pdf).render(0, QSize(1240, 1754))  # 150 dpi, transparent
    page = QImage(rendered.size(), QImage.Format.Format_RGB32)
    page.fill(Qt.GlobalColor.white)  # paper
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    gray = page.convertToFormat(QImage.Format.Format_Grayscale8)
    texts = decode_qr(np.ascontiguousarray(qimage_to_gray_array(gray)))
    assert texts == [f"{form.info.document_id};SHA256={form.info.content_sha256}"]


def test_the_signed_pdf_keeps_its_number_and_a_second_version_gets_another(
        tmp_path: Path) -> None:
    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        signer = load_signer(p12, PASSPHRASE)
        first = service.sign(service.draft(case.event_id).id, signature_png(), signer)
        second = service.sign(service.new_version(first.id).id, signature_png(), signer)
        rebuilt = service.build_report(first.id)
    finally:
        db.close()
    assert first.document_number and second.document_number
    assert first.document_number != second.document_number
    assert rebuilt.document_number == first.document_number
    assert rebuilt.content_sha256 == first.content_sha256  # the digest of its signature


# ----------------------------------------------------------------- the company's head
def test_a_refusal_is_on_the_form_with_its_time_and_reason(tmp_path: Path) -> None:
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        draft = service.draft(case.event_id)
        with pytest.raises(EvaluationError, match="reason"):
            service.record_company_head_refusal(draft.id, HEAD, "   ")
        service.record_company_head_signature(draft.id, HEAD, signature_png())
        refused = service.record_company_head_refusal(draft.id, HEAD, "对缺员认定有异议")
        pdf = service.preview_pdf(draft.id, signature_png())
    finally:
        db.close()
    assert refused.company_head_signature_png is None  # the refusal replaces the signature
    assert refused.company_head_refused_at is not None
    first = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "拒签（" in first and "理由：对缺员认定有异议" in first
    assert "手写签名处" not in first  # nor a place for the head's signature
    assert HEAD in first


def test_the_head_cannot_sign_a_signed_evaluation(tmp_path: Path) -> None:
    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        signed = service.sign(service.draft(case.event_id).id, signature_png(),
                              load_signer(p12, PASSPHRASE))
        with pytest.raises(UserError, match="signed"):
            service.record_company_head_signature(signed.id, HEAD, signature_png())
        with pytest.raises(UserError, match="signed"):
            service.record_company_head_refusal(signed.id, HEAD, "不同意")
        with pytest.raises(EvaluationError, match="not a readable image"):
            service.record_company_head_signature(signed.id, HEAD, b"not an image")
        after = service.get(signed.id)
    finally:
        db.close()
    assert after.company_head_signature_png is None and after.company_head_refused_at is None


# ------------------------------------------------------------------------- the sample
def _roster_only_event(workbench: Workbench) -> str:
    """The hand case's five guards, nobody checked yet."""
    event_id = workbench.save_event(EventInput(name="抽样示例", company_name=COMPANY))
    import_hand_roster(workbench, event_id)
    return event_id


def _page_one(service: EvaluationService, evaluation_id: str) -> str:
    report = service.build_report(evaluation_id)
    pdf = render_evaluation_pdf(report, None, draft=True)
    return flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_the_grade_is_provisional_until_the_sample_allows_a_final_one(tmp_path: Path) -> None:
    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        event_id = _roster_only_event(workbench)
        service = EvaluationService(db)
        draft = service.draft(event_id)
        progress = sample_progress(db, event_id)
        assert progress is not None and progress.size == 2 and progress.checked == 0
        first = _page_one(service, draft.id)
        assert "优秀（暂定）" in first  # nothing found, but nothing of the sample checked
        assert "考评等级为暂定：样本仅检查0.0%" in first

        posts = {post.name: post.id for post in workbench.posts(event_id)}
        sampled = progress.guards

        def check(index: int) -> None:
            guard = sampled[index]
            result = workbench.lookup(event_id, guard.cert_no, posts[guard.post_name])
            assert result.verdict in (Verdict.ASSIGNED_HERE, Verdict.OTHER_COMPANY)
            workbench.record_scan(event_id, result)

        check(0)
        half = _page_one(service, draft.id)
        assert "（暂定）" in half and "样本仅检查50.0%" in half

        # Half the sample with a written reason, where half is what the office configured.
        db.set_setting(MINIMUM_SAMPLE_SHARE_SETTING, "0.5")
        service.update_draft(draft.id, sample_reason="活动提前散场，无法继续检查")
        reasoned = _page_one(service, draft.id)
        assert "暂定" not in reasoned
        assert "督导员说明：活动提前散场，无法继续检查。考评等级为最终结果" in reasoned

        service.update_draft(draft.id, sample_reason="")
        assert "暂定" in _page_one(service, draft.id)  # no reason, no final grade
        check(1)
        whole = _page_one(service, draft.id)
        assert "暂定" not in whole and "样本已全部检查，考评等级为最终结果" in whole
    finally:
        db.close()


def test_a_six_percent_sample_never_reads_as_a_plain_pass(tmp_path: Path) -> None:
    """The issue's case: a grade resting on a few guards checked is provisional."""
    from app.demo import add_demo_day, create_demo_event

    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        event_id = create_demo_event(workbench)
        add_demo_day(workbench, event_id, inspections=40)
        service = EvaluationService(db)
        report = service.build_report(service.draft(event_id).id)
    finally:
        db.close()
    assert report.sample is not None and report.sample.size == 80
    assert not report.sample.final
    pdf = render_evaluation_pdf(report, None, draft=True)
    first = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert f"{report.grade_text}（暂定）" in first


def test_an_evaluation_signed_before_the_form_keeps_the_digest_shape(tmp_path: Path) -> None:
    """Signed before migration 0009: no document number; it rebuilds with the payload of its
    day (format 1, without the number, the head and the sample)."""
    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        signed = service.sign(service.draft(case.event_id).id, signature_png(),
                              load_signer(p12, PASSPHRASE))
        with db.begin() as s:
            s.execute(update(Evaluation).where(Evaluation.id == signed.id)
                      .values(document_number=None))
        legacy = service.build_report(signed.id)
        with db.read() as s:
            assert s.scalar(select(Evaluation.document_number)) is None
    finally:
        db.close()
    payload = report_payload(legacy)
    assert payload["format"] == LEGACY_REPORT_FORMAT
    assert not {"document_number", "company_head", "sample"} & set(payload)


def test_a_signed_evaluation_keeps_its_sample_statement(tmp_path: Path) -> None:
    """Signed, its sample is frozen: the share setting changing later, or guards added for a
    new version, leave the signed report and its digest as they were."""
    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        case = build_hand_case(workbench)
        service = EvaluationService(db)
        signed = service.sign(service.draft(case.event_id).id, signature_png(),
                              load_signer(p12, PASSPHRASE))
        before = service.build_report(signed.id)
        db.set_setting(MINIMUM_SAMPLE_SHARE_SETTING, "0.5")
        service.new_version(signed.id)
        report = RosterReport(source="test", main_company=COMPANY)
        for index in range(20):
            report.rows.append(RosterRow(
                row=index + 3, name=f"新增{index}", gender="男", id_number=_id_number(50 + index),
                cert_no=f"辽3000000000{index:02d}", company=COMPANY, post="A区1号安检口",
                task_type="安检", phone="13800000000", background_check="passed",
                trained=True))
        workbench.import_roster(case.event_id, report)
        after = service.build_report(signed.id)
    finally:
        db.close()
    assert before.sample is not None and after.sample == before.sample
    assert after.sample.lot == 5 and after.sample.minimum_share == 0.9
    assert after.content_sha256 == before.content_sha256 == signed.content_sha256


def test_signing_refuses_a_draft_changed_after_the_head_signed(tmp_path: Path) -> None:
    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        case = build_hand_case(Workbench(db))
        service = EvaluationService(db)
        signer = load_signer(p12, PASSPHRASE)
        draft = service.draft(case.event_id)
        service.update_draft(draft.id, comment="总体良好。", supervisor_name="周督导")
        service.record_company_head_signature(draft.id, HEAD, signature_png())
        service.update_draft(draft.id, comment="总体良好。另：缺员岗位须整改。")
        with pytest.raises(EvaluationError, match="ask the head to sign again"):
            service.sign(draft.id, signature_png(), signer)
        assert service.get(draft.id).status == "draft"
        service.record_company_head_signature(draft.id, HEAD, signature_png())  # again
        signed = service.sign(draft.id, signature_png(), signer)
    finally:
        db.close()
    assert signed.status == "signed" and signed.company_head_signature_png


def test_a_number_taken_by_a_signing_at_the_same_moment_is_refused_with_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two signings in one profile at once compute the same next number; the second to
    write is refused with a message, keeps no PDF and leaves its draft a draft."""
    import app.evaluation.report as report_module

    p12 = create_self_signed_p12(tmp_path / "supervisor.p12", "周督导", PASSPHRASE)
    db = Database(tmp_path / "profile")
    try:
        workbench = Workbench(db)
        first_event = build_hand_case(workbench).event_id
        second_event = _roster_only_event(workbench)
        service = EvaluationService(db)
        signer = load_signer(p12, PASSPHRASE)
        signed = service.sign(service.draft(first_event).id, signature_png(), signer)
        monkeypatch.setattr(report_module, "next_document_number",
                            lambda _db, _when: signed.document_number)
        draft = service.draft(second_event)
        with pytest.raises(EvaluationError, match="taken by another signing"):
            service.sign(draft.id, signature_png(), signer)
        after = service.get(draft.id)
        kept = sorted(path.name for path in (db.data_dir / "reports").iterdir())
    finally:
        db.close()
    assert after.status == "draft" and after.document_number is None
    assert kept == [f"{signed.document_id}.pdf"]

"""Evaluations: drafts, signing, the lock on the event's records, new versions."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.evaluation.report import (
    EvaluationError,
    EvaluationLockedError,
    EvaluationService,
)
from app.evaluation.scoring import compute_score
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    SUPERVISOR_P12_SETTING,
    PdfSigner,
    SigningError,
    create_self_signed_p12,
    ensure_supervisor_identity,
    import_supervisor_p12,
    load_signer,
    supervisor_p12_path,
)
from app.inspection.checklist import load_template
from app.inspection.errors import WorkbenchError
from app.inspection.lock_rules import RecordLockedError
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Evaluation, Finding, Inspection, PostStatus
from tests.helpers.evaluation import POST_1, POST_2, HandCase, build_hand_case

PASSPHRASE = b"correct horse battery"


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> PdfSigner:
    """One ECDSA identity for the module (RSA is exercised by test_report_pdf)."""
    path = tmp_path_factory.mktemp("keys") / "supervisor.p12"
    create_self_signed_p12(path, "测试督导员", PASSPHRASE, key_type="ec")
    return load_signer(path, PASSPHRASE)


def signature_png() -> bytes:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    for x in range(20, 280):
        image.putpixel((x, 50 + (x % 17) - 8), (0, 0, 80, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def case(workbench: Workbench) -> HandCase:
    return build_hand_case(workbench)


def test_draft_is_created_once_and_updated(workbench: Workbench, case: HandCase) -> None:
    service = EvaluationService(workbench.db)
    assert service.current(case.event_id) is None
    draft = service.draft(case.event_id)
    assert re.fullmatch(r"VS-EVAL-[0-9A-F]{8}-v1", draft.document_id)
    assert (draft.version, draft.status, draft.previous_id) == (1, "draft", None)
    assert service.draft(case.event_id).id == draft.id
    assert service.current(case.event_id) == draft
    updated = service.update_draft(draft.id, comment="总体良好", recommendation="conditional",
                                   supervisor_name=" 张督导 ")
    assert (updated.comment, updated.recommendation, updated.supervisor_name) == (
        "总体良好", "conditional", "张督导")
    with pytest.raises(EvaluationError):
        service.update_draft(draft.id, recommendation="maybe")
    with pytest.raises(EvaluationError):
        service.draft("no-such-event")
    assert not service.is_locked(case.event_id)


def test_draft_takes_the_profile_supervisor_name(workbench: Workbench, case: HandCase) -> None:
    workbench.db.set_setting(SUPERVISOR_NAME_SETTING, "王督导")
    assert EvaluationService(workbench.db).draft(case.event_id).supervisor_name == "王督导"


def test_sign_stores_the_pdf_and_the_figures(workbench: Workbench, case: HandCase,
                                             signer: PdfSigner) -> None:
    service = EvaluationService(workbench.db)
    draft = service.draft(case.event_id)
    score = compute_score(workbench.db, case.event_id)
    signed = service.sign(draft.id, signature_png(), signer)
    assert signed.status == "signed" and signed.is_signed
    assert signed.signed_at is not None and signed.signed_at.tzinfo is not None
    assert (signed.score_total, signed.grade, signed.coverage) == (
        score.total, score.grade, score.coverage)
    assert signed.supervisor_name == "测试督导员"  # none set: the certificate's name
    assert signed.signer_subject and "测试督导员" in signed.signer_subject
    assert signed.pdf_path == f"reports/{signed.document_id}.pdf"
    pdf = workbench.db.data_dir / signed.pdf_path
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == signed.pdf_sha256
    assert signed.signature_png == signature_png()
    check = service.check_signed_pdf(signed.id)
    assert check.intact and check.valid and check.signer == "测试督导员"
    # The report of a signed evaluation is rebuilt from the records its signature covers.
    assert service.build_report(signed.id).content_sha256 == signed.content_sha256
    assert service.is_locked(case.event_id)
    assert service.draft(case.event_id).id == signed.id  # no silent new draft
    with pytest.raises(EvaluationLockedError):
        service.update_draft(signed.id, comment="改一下")
    with pytest.raises(EvaluationLockedError):
        service.sign(signed.id, signature_png(), signer)
    # A kept PDF that was changed afterwards no longer checks out.
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    pdf.write_bytes(bytes(data))
    assert not service.check_signed_pdf(signed.id).intact


def test_sign_refuses_a_missing_or_broken_signature(workbench: Workbench, case: HandCase,
                                                    signer: PdfSigner) -> None:
    service = EvaluationService(workbench.db)
    draft = service.draft(case.event_id)
    for bad in (b"", b"not an image"):
        with pytest.raises(EvaluationError):
            service.sign(draft.id, bad, signer)
    assert not service.is_locked(case.event_id)
    assert not (workbench.db.data_dir / "reports").exists()


def _sign(workbench: Workbench, case: HandCase, signer: PdfSigner) -> str:
    service = EvaluationService(workbench.db)
    return service.sign(service.draft(case.event_id).id, signature_png(), signer).id


def _items() -> dict[str, object]:
    template = load_template()
    return {item.code: item for task in ("安检", "验票") for item in template.items_for(task)}


def test_a_signed_evaluation_locks_every_change(workbench: Workbench, case: HandCase,
                                                signer: PdfSigner, tmp_path: Path) -> None:
    before = compute_score(workbench.db, case.event_id)
    _sign(workbench, case, signer)
    items = _items()
    inspection = case.inspection_ids[0]
    guard = next(g for g in workbench.guards(case.event_id) if g.name == "钱五")
    scan = workbench.lookup(case.event_id, guard.cert_no, case.post_ids[POST_2])
    photo = tmp_path / "photo.png"
    Image.new("RGB", (10, 10)).save(photo)
    roster = RosterReport(source="t", main_company="x", rows=[RosterRow(
        row=3, name="孙六", gender="男", id_number="211102199001010068", cert_no="辽200000000009",
        company="x", post=POST_1, task_type="安检", phone="", background_check="passed",
        trained=True)])
    changes = {
        "set_item": lambda: workbench.set_item(inspection, items["uniform.insignia"], False),
        "mark_all_compliant": lambda: workbench.mark_all_compliant(
            inspection, tuple(items.values())),
        "update_finding": lambda: workbench.update_finding(
            case.finding_ids["uniform.standard"], correction="corrected"),
        "update_finding_photo": lambda: workbench.update_finding(
            case.finding_ids["uniform.standard"], evidence_file=photo),
        "set_post_status": lambda: workbench.set_post_status(
            case.event_id, case.post_ids[POST_1], "absent"),
        "record_scan": lambda: workbench.record_scan(case.event_id, scan),
        "assign_guard": lambda: workbench.assign_guard(guard.id, case.post_ids[POST_1]),
        "save_post": lambda: workbench.save_post(case.event_id, "新岗位", "", "安检", 2),
        "import_roster": lambda: workbench.import_roster(case.event_id, roster),
        "undo": lambda: workbench.undo(),
    }
    assert workbench.can_undo
    for name, change in changes.items():
        with pytest.raises(RecordLockedError, match="signed"):
            change()
        assert isinstance(RecordLockedError(), WorkbenchError), name
    after = compute_score(workbench.db, case.event_id)
    assert after == before
    assert not (workbench.db.data_dir / "evidence").exists()  # refused before copying


def test_new_version_reopens_new_scans_but_not_old_records(
        workbench: Workbench, case: HandCase, signer: PdfSigner) -> None:
    service = EvaluationService(workbench.db)
    first_id = _sign(workbench, case, signer)
    first = service.get(first_id)
    with pytest.raises(EvaluationError):
        service.new_version(service.draft(case.event_id).id + "x")
    second = service.new_version(first_id)
    assert (second.version, second.previous_id, second.status) == (2, first_id, "draft")
    assert second.document_id == first.document_id[:-len("-v1")] + "-v2"
    assert second.comment == first.comment
    assert not service.is_locked(case.event_id)
    assert service.current(case.event_id) == second
    with pytest.raises(EvaluationError):
        service.new_version(first_id)  # v2 already corrects v1
    with pytest.raises(EvaluationError):
        service.new_version(second.id)  # only a signed one is corrected

    items = _items()
    old = case.inspection_ids[0]
    # The inspections the signature covers stay read-only ...
    with pytest.raises(RecordLockedError):
        workbench.set_item(old, items["uniform.insignia"], False)
    with pytest.raises(RecordLockedError):
        workbench.mark_all_compliant(old, tuple(items.values()))
    with pytest.raises(RecordLockedError):
        workbench.update_finding(case.finding_ids["grooming.posture"], note="改")
    with pytest.raises(RecordLockedError):
        workbench.undo()  # the last change was made before the signature
    # ... while new scans, ticks and post states are allowed again.
    guard = next(g for g in workbench.guards(case.event_id) if g.name == "钱五")
    scan = workbench.lookup(case.event_id, guard.cert_no, case.post_ids[POST_2])
    new = workbench.record_scan(case.event_id, scan)
    state = workbench.set_item(new.id, items["duty.ticket.flow"], False)
    workbench.update_finding(state.finding_id or "", note="补充检查", correction="corrected")
    workbench.mark_all_compliant(new.id, load_template().items_for("验票"))
    workbench.set_post_status(case.event_id, case.post_ids[POST_1], "absent", 0)
    assert workbench.undo() == "post"  # a change made after the new version can be undone
    workbench.save_post(case.event_id, "A区3号通道", "", "守卫", 1)

    # The signed version's report is what it signed; the draft's includes the new scan.
    assert service.build_report(first_id).content_sha256 == first.content_sha256
    assert service.build_report(first_id).score.guards_checked == 4
    draft_report = service.build_report(second.id)
    assert draft_report.score.guards_checked == 5
    assert draft_report.previous_document_id == first.document_id

    third = service.sign(second.id, signature_png(), signer)
    assert third.status == "signed" and service.is_locked(case.event_id)
    versions = service.versions(case.event_id)
    assert [(v.version, v.status) for v in versions] == [(1, "signed"), (2, "signed")]
    for version in versions:
        assert (workbench.db.data_dir / (version.pdf_path or "")).is_file()
    with pytest.raises(RecordLockedError):
        workbench.set_item(new.id, items["duty.ticket.flow"], True)


def test_every_number_is_traceable_to_records(workbench: Workbench, case: HandCase) -> None:
    score = compute_score(workbench.db, case.event_id)
    with workbench.db.read() as s:
        findings = set(s.scalars(select(Finding.id)))
        inspections = set(s.scalars(select(Inspection.id)))
        statuses = set(s.scalars(select(PostStatus.id)))
    assert score.deductions
    for deduction in score.deductions:
        assert deduction.record_ids
        for record_id in deduction.record_ids:
            assert record_id in findings | inspections | statuses, deduction
        for finding_id in deduction.finding_ids:
            assert finding_id in findings
    for category in score.categories:
        own = [d.points for d in score.deductions if d.category == category.code]
        assert category.deducted == round(min(category.weight, sum(own)), 2)
        assert category.findings == len(own)
    for penalty in score.penalties:
        own = [d.points for d in score.deductions if d.category == penalty.code]
        assert penalty.deducted == round(min(penalty.cap, sum(own)), 2)
    assert score.total == round(sum(c.score for c in score.categories)
                                - sum(p.deducted for p in score.penalties), 2)
    report = EvaluationService(workbench.db).build_report(
        EvaluationService(workbench.db).draft(case.event_id).id)
    assert len(report.findings) == score.findings
    assert [g.name for g in report.not_checked] == ["钱五"]
    assert [(p.post_name, p.status) for p in report.post_issues] == [(POST_2, "understaffed")]
    assert sum(f.points for f in report.findings) + sum(
        p.points for p in report.post_issues) == pytest.approx(
        sum(d.points for d in score.deductions))


def test_preview_is_an_unsigned_draft(workbench: Workbench, case: HandCase) -> None:
    from pypdf import PdfReader

    service = EvaluationService(workbench.db)
    draft = service.draft(case.event_id)
    pdf = service.preview_pdf(draft.id, None)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert "草稿" in reader.pages[0].extract_text()
    assert "/Sig" not in pdf.decode("latin-1")
    # The form says which scoring rules it was scored by (the newest shipped: v2).
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "")
    assert "计分规则第2版" in text
    assert service.current(case.event_id) == draft  # a preview changes nothing
    with workbench.db.read() as s:
        assert s.scalar(select(Evaluation.status)) == "draft"


def test_supervisor_identity_is_created_once(profile_dir: Path) -> None:
    db = Database(profile_dir)
    try:
        assert supervisor_p12_path(db) is None
        path = ensure_supervisor_identity(db, "赵督导", PASSPHRASE)
        assert path.parent == profile_dir / "keys" and path.is_file()
        assert db.setting(SUPERVISOR_P12_SETTING) == str(path.relative_to(profile_dir))
        assert db.setting(SUPERVISOR_NAME_SETTING) == "赵督导"
        assert ensure_supervisor_identity(db, "别人", b"other passphrase") == path
        loaded = load_signer(path, PASSPHRASE)
        assert loaded.subject_name == "赵督导" and loaded.self_signed
        with pytest.raises(SigningError, match="passphrase"):
            load_signer(path, b"wrong")
    finally:
        db.close()


def test_headquarters_identity_is_imported(profile_dir: Path, tmp_path: Path) -> None:
    issued = create_self_signed_p12(tmp_path / "hq.p12", "市局督导员甲", PASSPHRASE,
                                    organization="市公安局保安管理支队", key_type="ec")
    db = Database(profile_dir)
    try:
        with pytest.raises(SigningError):
            import_supervisor_p12(db, issued, b"wrong")
        assert supervisor_p12_path(db) is None
        target = import_supervisor_p12(db, issued, PASSPHRASE)
        assert target.parent == profile_dir / "keys"
        assert target.read_bytes() == issued.read_bytes()
        assert supervisor_p12_path(db) == target
        assert db.setting(SUPERVISOR_NAME_SETTING) == "市局督导员甲"
        assert ensure_supervisor_identity(db, "x", PASSPHRASE) == target
    finally:
        db.close()


def test_lock_state_survives_reopening_the_profile(profile_dir: Path,
                                                  signer: PdfSigner) -> None:
    db = Database(profile_dir)
    workbench = Workbench(db)
    case = build_hand_case(workbench)
    _sign(workbench, case, signer)
    db.close()
    reopened = Database(profile_dir)
    try:
        fresh = Workbench(reopened)
        with pytest.raises(RecordLockedError):
            fresh.set_post_status(case.event_id, case.post_ids[POST_1], "absent")
        assert EvaluationService(reopened).is_locked(case.event_id)
    finally:
        reopened.close()


def test_report_hash_survives_a_missing_evidence_photo(workbench: Workbench, case: HandCase,
                                                       signer: PdfSigner,
                                                       tmp_path: Path) -> None:
    photo = tmp_path / "evidence.jpg"
    Image.new("RGB", (640, 480), (90, 120, 160)).save(photo)
    workbench.update_finding(case.finding_ids["uniform.standard"], evidence_file=photo)
    service = EvaluationService(workbench.db)
    report = service.build_report(service.draft(case.event_id).id)
    shown = [f for f in report.findings if f.evidence_path is not None]
    assert len(shown) == 1 and shown[0].evidence_path.is_file()
    signed = service.sign(report.evaluation_id, signature_png(), signer)
    shown[0].evidence_path.unlink()  # the photo went missing from the profile later
    rebuilt = service.build_report(signed.id)
    assert rebuilt.findings[0].evidence_path is None
    assert rebuilt.content_sha256 == signed.content_sha256


def test_a_signed_evaluation_rebuilds_with_the_rules_it_was_signed_with(
        workbench: Workbench, case: HandCase, signer) -> None:
    """Signed under version 1, rebuilt once version 2 is in force: the same figures and the
    same digest as the signature covers (migration 0008 keeps the version)."""
    from app.evaluation.rules import load_rules

    old = EvaluationService(workbench.db, rules=load_rules(1))
    signed = old.sign(old.draft(case.event_id).id, signature_png(), signer)
    assert signed.rules_version == 1
    now = EvaluationService(workbench.db)  # the newest rules
    assert now.rules.version == 2
    rebuilt = now.build_report(signed.id)
    assert rebuilt.rules_version == 1
    assert rebuilt.content_sha256 == signed.content_sha256
    assert rebuilt.score.total == signed.score_total
    # a new draft of the same event is scored with the rules in force
    draft = now.new_version(signed.id)
    assert now.build_report(draft.id).rules_version == 2


def test_rules_this_copy_does_not_have_are_said_not_guessed(
        workbench: Workbench, case: HandCase, signer) -> None:
    """A signed evaluation that names rules newer than this copy ships (another laptop's, or a
    forged record) is refused with words, never rebuilt with other rules."""
    service = EvaluationService(workbench.db)
    signed = service.sign(service.draft(case.event_id).id, signature_png(), signer)
    with workbench.db.begin() as s:
        s.get(Evaluation, signed.id).rules_version = 99
    with pytest.raises(EvaluationError, match="scoring rules version 99"):
        service.build_report(signed.id)

"""Grade reviews (issue 14, app/hq/grade_reviews.py): a signed evaluation arriving through
ingest opens a review of the company's credit grade when the rule suggests a change; a
person accepts it (the register changes, audited) or rejects it (nothing changes but the
review). The rule itself, a provisional grade, a late older version; PostgreSQL too."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.hq import audit, grade_reviews
from app.hq.errors import HqError
from app.hq.models import HQ_DEVICE, AuditEntry, EvaluationDocument, GradeReview
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.sync.protocol import Record
from tests.test_hq_standing import add_company
from tests.test_hq_store import (
    PASSPHRASE,
    company_record,
    enrol_device,
    evaluation,
    event_record,
)

LICENCE = "辽公保服20190042"


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from app.evaluation.signing import create_self_signed_p12, load_signer

    path = create_self_signed_p12(tmp_path_factory.mktemp("signer") / "li.p12", "督导员李",
                                  PASSPHRASE, key_type="ec")
    return load_signer(path, PASSPHRASE)


def signed_evaluation(signer: Any, record_id: str, event_id: str, score: float, grade: str,
                      final: bool | None = True, version: int = 1,
                      minutes: int = 0) -> dict[str, Any]:
    """A signed evaluation record as a laptop sends it: its PDF states these figures."""
    from reportlab.pdfgen import canvas

    from app.evaluation.pdf_binding import EvaluationBinding
    from app.evaluation.signing import sign_pdf

    document_id = f"DOC-{record_id}"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setKeywords(EvaluationBinding.of(document_id, event_id, None, score, grade, None,
                                          final).keywords())
    page.drawString(72, 720, "Evaluation")
    page.save()
    record = evaluation(sign_pdf(buffer.getvalue(), signer), event_id, record_id)
    payload = dict(record["payload"], document_id=document_id, score_total=score,
                   grade=grade, version=version,
                   signed_at=f"2026-12-12T12:{minutes:02d}:00.000000+00:00",
                   updated_at=f"2026-12-12T12:{minutes:02d}:00.000000+00:00")
    if final is not None:
        payload["sample_statement"] = json.dumps({"final": final, "size": 80})
    return Record.of("evaluation", payload).as_json()


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield store
    store.close()


def laptop_with_events(store: HqStore, signer: Any, grade: str = "B",
                       events: tuple[str, ...] = ("event-1",)) -> str:
    """HQ's register holds the company (credit ``grade``); an enrolled laptop made the
    events, whose company record carries the licence."""
    with store.begin() as s:
        add_company(s, "盘锦市安盾保安服务有限公司", LICENCE, grade)
    device, _token, _key = enrol_device(store, signer.certificate_pem.decode())
    records = [company_record(licence_no=LICENCE)]
    records += [event_record(event_id, name=f"活动{event_id}", company_id="c-1")
                for event_id in events]
    assert [r["status"] for r in store.ingest(device, records)] == ["stored"] * len(records)
    return device


def open_reviews(store: HqStore) -> list[GradeReview]:
    with store.Session() as s:
        return list(s.scalars(select(GradeReview).order_by(GradeReview.id)))


def register_grade(store: HqStore) -> str:
    with store.Session() as s:
        state = grade_reviews.register_state(s, LICENCE)
    assert state is not None
    return state[0]


def audit_count(store: HqStore) -> int:
    with store.Session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# ------------------------------------------------------------------------------ the rule
def test_the_rule() -> None:
    assert grade_reviews.step("A", -1) == "B" and grade_reviews.step("AA级", 1) == "AAA"
    assert grade_reviews.step("D", -1) is None and grade_reviews.step("AAA", 1) is None
    assert grade_reviews.step("", -1) is None and grade_reviews.step("甲", -1) is None
    fail = grade_reviews.suggestion("A", [("good", True), ("fail", True)], "车展")
    assert fail is not None and fail[0] == "B" and "车展" in fail[1]
    assert grade_reviews.suggestion("A", [("fail", False)], "车展") is None  # provisional
    assert grade_reviews.suggestion("A", [("fail", None)], "车展")[0] == "B"  # type: ignore[index]
    assert grade_reviews.suggestion("D", [("fail", True)], "车展") is None
    assert grade_reviews.suggestion("A", [("excellent", True)], "车展") is None
    assert grade_reviews.suggestion("A", [("excellent", True), ("excellent", True)],
                                    "车展")[0] == "AA"  # type: ignore[index]
    assert grade_reviews.suggestion("A", [("excellent", False), ("excellent", True)],
                                    "车展") is None
    assert grade_reviews.suggestion("A", [("good", True)], "车展") is None


# ------------------------------------------------------------------- arriving evaluations
def test_a_failed_evaluation_opens_a_review_and_accepting_changes_the_register(
        hq: HqStore, signer: Any) -> None:
    device = laptop_with_events(hq, signer)
    failed = signed_evaluation(signer, "eval-1", "event-1", 45.0, "fail")
    result = hq.ingest(device, [failed])
    assert result[0]["status"] == "stored", result
    [review] = open_reviews(hq)
    assert (review.licence_no, review.evaluation_id, review.current_grade,
            review.suggested_grade, review.decision) == (LICENCE, "eval-1", "B", "C", None)
    assert "不合格" in review.why and "活动event-1" in review.why
    # Nothing changed the grade by itself.
    assert register_grade(hq) == "B"
    # The same evaluation again, or signed again (its record replaced), opens no other.
    assert hq.ingest(device, [failed])[0]["status"] == "present"
    assert hq.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 45.0,
                                                "fail")])[0]["status"] == "stored"
    assert len(open_reviews(hq)) == 1

    entries = audit_count(hq)
    decided = grade_reviews.decide(hq.db, "staff-wang", LICENCE, review.id, "accept",
                                   "复核属实")
    assert decided["decision"] == "accept" and decided["decided_by"] == "staff-wang"
    assert register_grade(hq) == "C"
    actions = [(e["action"], e["target"]) for e in audit.entries(hq.db)]
    assert actions[:2] == [("grade_review.accept", f"company:{LICENCE}"),
                           ("company.set", f"company:{LICENCE}")]
    assert audit_count(hq) == entries + 2 and audit.verify_chain(hq.db) is None
    with hq.Session() as s:
        [change] = grade_reviews.grade_history(s, LICENCE)
    assert (change["from_grade"], change["to_grade"], change["actor"]) == ("B", "C",
                                                                          "staff-wang")
    assert f"#{review.id}" in change["reason"] and "复核属实" in change["reason"]
    # Decided once: a second click changes nothing.
    with pytest.raises(HqError) as second:
        grade_reviews.decide(hq.db, "staff-li", LICENCE, review.id, "reject", "重复")
    assert second.value.status == 409
    assert register_grade(hq) == "C" and audit_count(hq) == entries + 2


def test_rejecting_changes_nothing_but_the_review(hq: HqStore, signer: Any) -> None:
    device = laptop_with_events(hq, signer)
    hq.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 45.0, "fail")])
    [review] = open_reviews(hq)
    entries = audit_count(hq)
    with pytest.raises(HqError) as no_reason:  # why must be said
        grade_reviews.decide(hq.db, "staff-wang", LICENCE, review.id, "reject", "  ")
    assert no_reason.value.status == 400
    for decision, note in (("maybe", "x"), ("reject", "\u202e反转")):
        with pytest.raises(HqError):
            grade_reviews.decide(hq.db, "staff-wang", LICENCE, review.id, decision, note)
    with pytest.raises(HqError) as elsewhere:  # the review of another company's path
        grade_reviews.decide(hq.db, "staff-wang", "L-OTHER", review.id, "reject", "x")
    assert elsewhere.value.status == 404
    assert open_reviews(hq)[0].decision is None and audit_count(hq) == entries
    grade_reviews.decide(hq.db, "staff-wang", LICENCE, review.id, "reject",
                         "考评现场因素，公司已整改")
    [decided] = open_reviews(hq)
    assert (decided.decision, decided.decided_by, decided.note) == (
        "reject", "staff-wang", "考评现场因素，公司已整改")
    assert register_grade(hq) == "B"
    assert [e["action"] for e in audit.entries(hq.db)][0] == "grade_review.reject"
    with hq.Session() as s:
        assert grade_reviews.grade_history(s, LICENCE) == []


def test_accepting_after_the_grade_changed_by_hand_is_refused(
        hq: HqStore, signer: Any) -> None:
    from app.hq.register import set_company

    device = laptop_with_events(hq, signer)
    hq.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 45.0, "fail")])
    [review] = open_reviews(hq)
    set_company(hq.db, "staff-li", LICENCE, "A", None, "复查后上调")
    with pytest.raises(HqError) as changed:
        grade_reviews.decide(hq.db, "staff-wang", LICENCE, review.id, "accept", "")
    assert changed.value.status == 409
    assert "is A now" in changed.value.message
    assert register_grade(hq) == "A" and open_reviews(hq)[0].decision is None


def test_provisional_good_and_unregistered_evaluations_open_no_review(
        hq: HqStore, signer: Any) -> None:
    device = laptop_with_events(hq, signer, events=("event-1", "event-2", "event-3"))
    results = hq.ingest(device, [
        signed_evaluation(signer, "eval-1", "event-1", 45.0, "fail", final=False),
        signed_evaluation(signer, "eval-2", "event-2", 80.0, "good", minutes=5)])
    assert [r["status"] for r in results] == ["stored", "stored"], results
    assert open_reviews(hq) == []
    # A company HQ's register does not hold: no grade to review.
    other, _t, _k = enrol_device(hq, signer.certificate_pem.decode())
    hq.ingest(other, [company_record("c-9", "外地保安公司", licence_no="L-NOT-HQ"),
                      event_record("event-9", company_id="c-9")])
    assert hq.ingest(other, [signed_evaluation(signer, "eval-9", "event-9", 30.0, "fail")]
                     )[0]["status"] == "stored"
    assert open_reviews(hq) == []


def test_two_excellent_in_a_row_suggest_a_step_up_and_a_newer_review_supersedes(
        hq: HqStore, signer: Any) -> None:
    device = laptop_with_events(hq, signer, events=("event-1", "event-2", "event-3"))
    hq.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 95.0, "excellent")])
    assert open_reviews(hq) == []
    hq.ingest(device, [signed_evaluation(signer, "eval-2", "event-2", 96.0, "excellent",
                                         minutes=5)])
    [up] = open_reviews(hq)
    assert (up.current_grade, up.suggested_grade) == ("B", "A")
    hq.ingest(device, [signed_evaluation(signer, "eval-3", "event-3", 40.0, "fail",
                                         minutes=10)])
    first, second = open_reviews(hq)
    assert first.decision == "superseded" and first.decided_by == "hq"
    assert (second.suggested_grade, second.decision) == ("C", None)
    with pytest.raises(HqError) as gone:
        grade_reviews.decide(hq.db, "staff-wang", LICENCE, first.id, "accept", "")
    assert gone.value.status == 409 and register_grade(hq) == "B"


def test_an_older_version_arriving_late_opens_no_review(hq: HqStore, signer: Any) -> None:
    device = laptop_with_events(hq, signer)
    corrected = signed_evaluation(signer, "eval-1b", "event-1", 75.0, "pass", version=2,
                                  minutes=30)
    assert hq.ingest(device, [corrected])[0]["status"] == "stored"
    late = signed_evaluation(signer, "eval-1a", "event-1", 45.0, "fail", version=1)
    assert hq.ingest(device, [late])[0]["status"] == "stored"
    assert open_reviews(hq) == []
    with hq.Session() as s:
        assert int(s.scalar(select(func.count()).select_from(EvaluationDocument))) == 2


# ------------------------------------------------------------------------- PostgreSQL
def test_grade_reviews_on_postgres(postgres_db: str, signer: Any) -> None:
    store = HqStore(postgres_db)
    try:
        device = laptop_with_events(store, signer)
        assert store.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 45.0,
                                                       "fail")])[0]["status"] == "stored"
        [review] = open_reviews(store)
        assert (review.current_grade, review.suggested_grade) == ("B", "C")
        with store.Session() as s:
            assert grade_reviews.pending_counts(s) == {LICENCE: 1}
        grade_reviews.decide(store.db, "staff-wang", LICENCE, review.id, "accept", "")
        assert register_grade(store) == "C"
        with store.Session() as s:
            hq_rows = [json.loads(r.payload) for r in s.scalars(select(RecordRow).where(
                RecordRow.kind == "company", RecordRow.device_id == HQ_DEVICE))]
            assert [p["credit_grade"] for p in hq_rows if p["licence_no"] == LICENCE] == ["C"]
            file = grade_reviews.company_file(s, LICENCE)
        assert file is not None and file["history"][0]["to_grade"] == "C"
        assert file["reviews"][0]["decision"] == "accept"
        assert audit.verify_chain(store.db) is None
    finally:
        store.close()

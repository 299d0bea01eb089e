"""HQ store: enrolment, tokens, the outcome table of docs/sync-protocol.md row by row, signed
evaluations, event packages and bundles, against a temporary SQLite database."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from app.hq import files
from app.hq.errors import AuthError, EnrolError, HqError
from app.hq.models import EnrolmentCode, EvaluationDocument
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.sync.protocol import (
    BUNDLE_FORMAT,
    KINDS,
    PACKAGE_FORMAT,
    Record,
    SignedFileError,
    content_hash,
    raw_public_key,
    read_signed,
    write_signed,
)

PASSPHRASE = b"test-passphrase"
CODE_SHAPE = re.compile(r"[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){3}")


# ---------------------------------------------------------------------- helpers
def make_store(tmp_path: Path) -> HqStore:
    return HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")


def enrol_device(store: HqStore, certificate_pem: str | None = None,
                 supervisor: str = "李建国") -> tuple[str, str, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    result = store.enrol(store.create_enrolment_code(supervisor), "laptop",
                         raw_public_key(key), certificate_pem)
    return result.device_id, result.token, key


def stamp(minutes: int = 0) -> str:
    moment = datetime(2026, 12, 12, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return moment.isoformat(timespec="microseconds")


def inspection(record_id: str = "insp-1", minutes: int = 0, verdict: str = "ok",
               event_id: str = "event-1") -> dict[str, Any]:
    payload = {"id": record_id, "event_id": event_id, "post_id": None, "guard_id": None,
               "scanned_text": "辽200000000001", "verdict": verdict, "badge_verdict": None,
               "template_id": "checklist", "template_version": 1,
               "created_at": stamp(), "updated_at": stamp(minutes), "device_id": "laptop-1",
               "deleted_at": None}
    return Record.of("inspection", payload).as_json()


def full_payload(kind: str, **values: Any) -> dict[str, Any]:
    """A payload of ``kind`` with every column of the laptop's table (app.sync.records):
    nullable ones null, the others an empty value of their type, then ``values``."""
    from sqlalchemy import Boolean, DateTime, Float, Integer

    from app.sync.records import payload_keys, stored_type

    payload: dict[str, Any] = {}
    for key, column in payload_keys(kind).items():
        kind_of = None if column is None else stored_type(column)
        if column is None or column.nullable:
            payload[key] = None
        elif isinstance(kind_of, Boolean):
            payload[key] = False
        elif isinstance(kind_of, Integer):
            payload[key] = 0
        elif isinstance(kind_of, Float):
            payload[key] = 0.0
        elif isinstance(kind_of, DateTime):
            payload[key] = stamp()
        else:
            payload[key] = ""
    payload["device_id"] = "laptop-1"
    payload.update(values)
    return payload


def event_record(event_id: str = "event-1", name: str = "市体育馆篮球联赛",
                 company_id: str | None = None) -> dict[str, Any]:
    """An event a laptop made itself: the records of its own events are its to send."""
    return Record.of("event", full_payload("event", id=event_id, name=name,
                                           company_id=company_id)).as_json()


def company_record(company_id: str = "c-1", name: str = "盘锦市安盾保安服务有限公司",
                   **values: Any) -> dict[str, Any]:
    return Record.of("company", full_payload("company", id=company_id, name=name,
                                             **values)).as_json()


def own_event(store: HqStore, device_id: str, event_id: str = "event-1") -> None:
    """The laptop makes event ``event_id`` (sends it): its records of it are then in scope."""
    result = store.ingest(device_id, [event_record(event_id, name=f"活动 {event_id}")])[0]
    assert result["status"] == "stored", result


def rows(store: HqStore) -> dict[str, tuple[str, str, str]]:
    with store.Session() as s:
        return {r.id: (r.content_hash, r.device_id, r.payload)
                for r in s.scalars(select(RecordRow))}


def small_pdf() -> bytes:
    """An evaluation PDF stating the figures of ``evaluation()``'s record
    (app.evaluation.pdf_binding)."""
    from reportlab.pdfgen import canvas

    from app.evaluation.pdf_binding import EvaluationBinding

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setKeywords(EvaluationBinding.of("DOC-1", "event-1", None, 91.5, "优秀").keywords())
    page.drawString(72, 720, "Evaluation")
    page.save()
    return buffer.getvalue()


def evaluation(signed_pdf: bytes, event_id: str = "event-1",
               record_id: str = "eval-1") -> dict[str, Any]:
    payload = {"id": record_id, "event_id": event_id, "version": 1, "previous_id": None,
               "status": "signed", "supervisor_name": "李建国", "comment": "",
               "recommendation": "recommend", "score_total": 91.5, "grade": "优秀",
               "coverage": 0.8, "signed_at": stamp(), "document_id": "DOC-1",
               "pdf_sha256": hashlib.sha256(signed_pdf).hexdigest(),
               "pdf": base64.b64encode(signed_pdf).decode("ascii"), "pdf_name": "eval.pdf",
               "signature_png": None, "signer_subject": "CN=李建国", "content_sha256": None,
               "created_at": stamp(), "updated_at": stamp(), "device_id": "laptop-1",
               "deleted_at": None}
    return Record.of("evaluation", payload).as_json()


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two supervisors' identities (EC keys: quick to make) and a PDF signed by the first."""
    from app.evaluation.signing import create_self_signed_p12, load_signer, sign_pdf

    folder = tmp_path_factory.mktemp("signers")
    found: dict[str, Any] = {}
    for name in ("li", "other"):
        path = create_self_signed_p12(folder / f"{name}.p12", f"督导员{name}", PASSPHRASE,
                                      key_type="ec")
        found[name] = load_signer(path, PASSPHRASE)
    found["pdf"] = sign_pdf(small_pdf(), found["li"])
    found["other_pdf"] = sign_pdf(small_pdf(), found["other"])
    return found


@pytest.fixture
def store(tmp_path: Path):
    hq = make_store(tmp_path)
    yield hq
    hq.close()


# ---------------------------------------------------------------------- enrolment
def test_an_enrolment_code_enrols_one_laptop_once(store: HqStore) -> None:
    code = store.create_enrolment_code("李建国")
    assert CODE_SHAPE.fullmatch(code)
    with store.Session() as s:
        stored = s.scalars(select(EnrolmentCode)).one()
    assert stored.code_hash != code and code.replace("-", "") not in stored.code_hash
    key = Ed25519PrivateKey.generate()
    # typed as a supervisor might: lower case, spaces for dashes
    result = store.enrol(code.lower().replace("-", " "), "笔记本1", raw_public_key(key), None)
    assert result.supervisor == "李建国"
    assert result.token.startswith(result.device_id + ".")
    assert base64.b64decode(result.package_public_key) == store.package_public_key()
    with pytest.raises(EnrolError, match="used already") as used:
        store.enrol(code, "笔记本2", raw_public_key(Ed25519PrivateKey.generate()))
    assert used.value.status == 403
    assert [d.id for d in store.devices()] == [result.device_id]
    with store.Session() as s:
        assert s.scalars(select(EnrolmentCode)).one().device_id == result.device_id


def test_unknown_and_expired_codes_are_refused(store: HqStore) -> None:
    key = raw_public_key(Ed25519PrivateKey.generate())
    with pytest.raises(EnrolError, match="not known") as unknown:
        store.enrol("AAAA-BBBB-CCCC-DDDD", "x", key)
    assert unknown.value.status == 403
    code = store.create_enrolment_code("李建国", ttl_hours=1)
    with store.begin() as s:
        s.execute(update(EnrolmentCode).values(
            expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    with pytest.raises(EnrolError, match="expired"):
        store.enrol(code, "x", key)
    assert store.devices() == []
    with pytest.raises(EnrolError, match="32 bytes"):
        store.enrol(store.create_enrolment_code("李建国"), "x", b"short")


def test_tokens_unknown_wrong_and_revoked(store: HqStore) -> None:
    device_id, token, _key = enrol_device(store)
    assert store.authenticate(token).id == device_id
    for bad in (None, "", "no-dot", f"{device_id}.wrong-secret", "unknown." + token.split(".")[1]):
        with pytest.raises(AuthError) as refused:
            store.authenticate(bad)
        assert refused.value.status == 401
    store.revoke_device(device_id)
    with pytest.raises(AuthError, match=r"revoked on \d{4}-\d{2}-\d{2}") as revoked:
        store.authenticate(token)
    assert revoked.value.status == 403


def test_certificate_registration(store: HqStore, signers: dict[str, Any]) -> None:
    device_id, _token, _key = enrol_device(store)
    mine = signers["li"].certificate_pem.decode()
    assert store.register_certificate(device_id, mine) == "registered"
    assert store.register_certificate(device_id, mine) == "unchanged"
    with pytest.raises(HqError) as conflict:
        store.register_certificate(device_id, signers["other"].certificate_pem.decode())
    assert conflict.value.status == 409
    with pytest.raises(HqError):
        store.register_certificate(device_id, "not a certificate")


# ---------------------------------------------------------------------- outcome table
def test_outcome_table_row_by_row(store: HqStore) -> None:
    laptop, _t, _k = enrol_device(store)
    other, _t2, _k2 = enrol_device(store)
    own_event(store, laptop)
    first = inspection(minutes=0)
    # nothing with that id -> stored
    assert store.ingest(laptop, [first])[0] == {"id": "insp-1", "status": "stored",
                                                "error": None}
    assert rows(store)["insp-1"][:2] == (first["hash"], laptop)
    # same id, same hash -> present, nothing changes
    before = rows(store)
    assert store.ingest(laptop, [first])[0]["status"] == "present"
    assert rows(store) == before
    # same id, another hash, same device, newer -> replaced
    newer = inspection(minutes=5, verdict="other_company")
    assert store.ingest(laptop, [newer])[0]["status"] == "stored"
    assert rows(store)["insp-1"][0] == newer["hash"]
    assert json.loads(rows(store)["insp-1"][2])["verdict"] == "other_company"
    # incoming older -> present, HQ keeps the newer
    older = inspection(minutes=1, verdict="stale")
    assert store.ingest(laptop, [older])[0]["status"] == "present"
    assert rows(store)["insp-1"][0] == newer["hash"]
    # same id from another device -> failed, nothing changes
    hijack = inspection(minutes=9, verdict="hijack")
    result = store.ingest(other, [hijack])[0]
    assert result["status"] == "failed" and "another device" in result["error"]
    assert rows(store)["insp-1"][0] == newer["hash"]


def test_bad_records_fail_alone(store: HqStore) -> None:
    laptop, _t, _k = enrol_device(store)
    own_event(store, laptop)
    bad_hash = inspection("insp-bad")
    bad_hash["hash"] = "0" * 64
    unknown_kind = dict(inspection("insp-kind"), kind="weather")
    no_event = inspection("insp-noevent")
    no_event["payload"]["event_id"] = None
    no_event = Record.of("inspection", no_event["payload"]).as_json()
    bad_time = inspection("insp-time")
    bad_time["payload"]["updated_at"] = "yesterday"
    bad_time = Record.of("inspection", bad_time["payload"]).as_json()
    batch: list[object] = [inspection("good-1"), bad_hash, unknown_kind, "not an object",
                           no_event, bad_time, inspection("good-2")]
    results = store.ingest(laptop, batch)
    assert [r["status"] for r in results] == ["stored", "failed", "failed", "failed",
                                              "failed", "failed", "stored"]
    assert "hash" in results[1]["error"]
    assert "unknown record kind" in results[2]["error"]
    assert "event_id" in results[4]["error"] and "empty" in results[4]["error"]
    assert "updated_at" in results[5]["error"]
    assert set(rows(store)) == {"event-1", "good-1", "good-2"}


def test_stats_count_every_kind(store: HqStore) -> None:
    laptop, _t, _k = enrol_device(store)
    store.ingest(laptop, [event_record(), inspection("a"), inspection("b")])
    stats = store.stats()
    assert set(stats) == set(KINDS.values()) | {"devices", "signed_pdfs"}
    assert stats["inspections"] == 2 and stats["devices"] == 1 and stats["events"] == 1


# ---------------------------------------------------------------------- signed evaluations
def test_a_signed_evaluation_is_verified_and_its_pdf_kept(
        store: HqStore, signers: dict[str, Any]) -> None:
    laptop, _t, _k = enrol_device(store, signers["li"].certificate_pem.decode())
    event = event_record(company_id="c-1")
    company = company_record(licence_no="辽公保服20180007")
    record = evaluation(signers["pdf"])
    results = store.ingest(laptop, [company, event, record])
    assert [r["status"] for r in results] == ["stored"] * 3, results
    with store.Session() as s:
        document = s.get(EvaluationDocument, "eval-1")
        assert document is not None
        assert files.document_pdf(s, document) == signers["pdf"]  # as the laptop signed it
        assert document.pdf is None  # kept once, in the content-addressed store
        assert document.event_name == "市体育馆篮球联赛"
        assert document.company_name == "盘锦市安盾保安服务有限公司"
        assert document.company_licence == "辽公保服20180007"
        assert document.score_total == 91.5 and document.device_id == laptop
        assert "督导员li" in document.signer_subject
        stored = s.get(RecordRow, "eval-1")
        assert stored is not None and "pdf" not in json.loads(stored.payload)
        assert stored.content_hash == record["hash"]
    assert store.known([{"id": "eval-1", "hash": record["hash"]}]) == ["eval-1"]
    assert store.ingest(laptop, [record])[0]["status"] == "present"
    assert store.stats()["signed_pdfs"] == 1


def test_a_changed_pdf_is_refused(store: HqStore, signers: dict[str, Any]) -> None:
    laptop, _t, _k = enrol_device(store, signers["li"].certificate_pem.decode())
    own_event(store, laptop)
    data = bytearray(signers["pdf"])
    index = data.index(b"/Contents")
    data[index - 40] ^= 0x20  # inside the signed byte range
    record = evaluation(bytes(data))  # pdf_sha256 matches the changed file
    result = store.ingest(laptop, [record, inspection("still-arrives")])
    assert result[0]["status"] == "failed"
    assert "signature does not verify" in result[0]["error"]
    assert result[1]["status"] == "stored"
    assert "eval-1" not in rows(store) and store.stats()["signed_pdfs"] == 0
    # a PDF that is not the one the evaluation names
    mismatch = evaluation(signers["pdf"])
    mismatch["payload"]["pdf_sha256"] = "0" * 64
    mismatch = Record.of("evaluation", mismatch["payload"]).as_json()
    assert "SHA-256" in store.ingest(laptop, [mismatch])[0]["error"]


def test_another_supervisors_certificate_is_refused(
        store: HqStore, signers: dict[str, Any]) -> None:
    laptop, _t, _k = enrol_device(store, signers["li"].certificate_pem.decode())
    own_event(store, laptop)
    result = store.ingest(laptop, [evaluation(signers["other_pdf"])])[0]
    assert result["status"] == "failed" and "certificate" in result["error"]
    unregistered, _t2, _k2 = enrol_device(store)
    own_event(store, unregistered, "event-2")
    result = store.ingest(unregistered, [evaluation(signers["pdf"], event_id="event-2",
                                                    record_id="eval-2")])[0]
    assert result["status"] == "failed" and "no signing certificate" in result["error"]
    assert store.stats()["signed_pdfs"] == 0 and store.stats()["evaluations"] == 0


# ---------------------------------------------------------------------- packages
def test_demo_event_package_is_signed_and_complete(store: HqStore) -> None:
    event_id = store.add_demo_event()
    assert store.add_demo_event() == event_id  # once
    [listed] = store.events_available()
    assert listed["id"] == event_id and listed["guards"] > 500 and listed["posts"] > 10
    data = store.event_package(event_id)
    signer, body = read_signed(data, PACKAGE_FORMAT, lambda _s: store.package_public_key())
    assert signer == "hq" and body["event_id"] == event_id
    kinds = [r["kind"] for r in body["records"]]
    assert kinds[:2] == ["company", "event"]
    assert kinds.count("guard") == listed["guards"] and kinds.count("post") == listed["posts"]
    assert kinds == sorted(kinds, key=["company", "event", "post", "guard"].index)
    assert all(Record.of(r["kind"], r["payload"]).hash == r["hash"] for r in body["records"])
    assert body["checklist_template"]["template_id"] == "checklist"
    assert len(body["trust_list"]) == 1 and len(body["revoked_certificates"]) == 1
    other_key = raw_public_key(Ed25519PrivateKey.generate())
    with pytest.raises(SignedFileError, match="signature"):
        read_signed(data, PACKAGE_FORMAT, lambda _s: other_key)
    with pytest.raises(HqError) as missing:
        store.event_package("no-such-event")
    assert missing.value.status == 404


def test_events_from_rosters_share_the_company(store: HqStore, fixture_roster: Path) -> None:
    first, summary = store.add_event(fixture_roster, "演唱会一", venue="体育场", risk="high",
                                     attendance=40000)
    assert summary["valid"] > 500
    with pytest.raises(HqError, match="already"):
        store.add_event(fixture_roster, "演唱会一")
    second, _summary = store.add_event(fixture_roster, "演唱会二")
    events = {e["id"]: e for e in store.events_available()}
    assert set(events) == {first, second}
    assert events[first]["guards"] == summary["valid"]
    assert store.stats()["companies"] == 1  # one company, the same id in both packages
    _signer, body = read_signed(store.event_package(second), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    company = body["records"][0]
    assert company["kind"] == "company"
    assert body["records"][1]["payload"]["company_id"] == company["id"]


def test_a_laptop_update_of_an_hq_record_is_its_proposal_until_staff_accept_it(
        store: HqStore) -> None:
    """A laptop's change to a guard HQ prepared is kept as that laptop's proposal: the
    packages every laptop pulls carry HQ's row until HQ staff accept the change."""
    event_id = store.add_demo_event()
    laptop, _t, _k = enrol_device(store)
    _signer, body = read_signed(store.event_package(event_id, laptop), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    guard = next(r for r in body["records"] if r["kind"] == "guard")
    payload = dict(guard["payload"], phone="13900000000",
                   updated_at=datetime.now(UTC).isoformat(timespec="microseconds"))
    change = Record.of("guard", payload).as_json()
    result = store.ingest(laptop, [change])[0]
    assert result["status"] == "stored" and "proposal" in result["error"]
    assert rows(store)[guard["id"]][:2] == (guard["hash"], "hq")
    assert store.ingest(laptop, [change])[0]["status"] == "present"
    assert store.known([{"id": guard["id"], "hash": change["hash"]}], laptop) == [guard["id"]]
    _signer, again = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                 lambda _s: store.package_public_key())
    assert next(r for r in again["records"] if r["id"] == guard["id"]) == guard
    [proposal] = store.proposals(event_id)
    assert (proposal["record_id"], proposal["device_id"]) == (guard["id"], laptop)
    assert proposal["changes"]["phone"] == [guard["payload"]["phone"], "13900000000"]

    store.accept_proposal(guard["id"], laptop)  # HQ staff's decision
    assert store.proposals() == []
    _signer, accepted = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                    lambda _s: store.package_public_key())
    carried = next(r for r in accepted["records"] if r["id"] == guard["id"])
    assert carried["payload"]["phone"] == "13900000000" and carried["hash"] == change["hash"]
    assert rows(store)[guard["id"]][1] == "hq"


def test_accepting_a_laptops_change_to_a_guard_keeps_hqs_vetting_and_the_companys_claim(
        store: HqStore) -> None:
    """A laptop took the package down, then HQ failed the guard at vetting; the laptop's
    change (a phone number, its copy still saying the earlier result, and a claim it made up)
    is accepted: HQ's row keeps the police's result and the roster's claim, the package
    carries them, and its hash is the payload's."""
    from app.hq import vetting

    event_id = store.add_demo_event()
    laptop, _t, _k = enrol_device(store)
    _signer, body = read_signed(store.event_package(event_id, laptop), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    guard = next(r for r in body["records"] if r["kind"] == "guard"
                 and r["payload"]["background_check"] == "passed")
    claim = (guard["payload"]["claimed_background_check"], guard["payload"]["claimed_trained"])
    vetting.set_vetting(store.db, "staff-wang", guard["payload"]["cert_no"], "failed", False,
                        "复查未通过", {})
    payload = dict(guard["payload"], phone="13900000000", claimed_background_check="passed",
                   claimed_trained=True,
                   updated_at=datetime.now(UTC).isoformat(timespec="microseconds"))
    assert store.ingest(laptop, [Record.of("guard", payload).as_json()])[0]["status"] == \
        "stored"
    [proposal] = store.proposals(event_id)
    assert proposal["changes"]["background_check"] == ["failed", "passed"]

    store.accept_proposal(guard["id"], laptop)
    _signer, accepted = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                    lambda _s: store.package_public_key())
    carried = next(r for r in accepted["records"] if r["id"] == guard["id"])
    assert carried["payload"]["phone"] == "13900000000"  # the laptop's change, taken
    assert (carried["payload"]["background_check"], carried["payload"]["trained"]) == (
        "failed", False)  # the police's result, kept
    assert (carried["payload"]["claimed_background_check"],
            carried["payload"]["claimed_trained"]) == claim
    assert carried["hash"] == content_hash(carried["payload"])


def test_trust_list_and_revocations_import(store: HqStore, tmp_path: Path) -> None:
    from app.badge.trust_lists import TrustListError, write_trust_list
    from app.demo import demo_issuer

    write_trust_list(tmp_path / "trust.json", [demo_issuer()])
    assert store.import_trust_list(tmp_path / "trust.json") == 1
    (tmp_path / "revoked.txt").write_text("辽200000000001\n200000000002\n", encoding="utf-8")
    assert store.import_revocations(tmp_path / "revoked.txt") == (2, 0)
    (tmp_path / "revoked.txt").write_text("200000000003\n", encoding="utf-8")
    assert store.import_revocations(tmp_path / "revoked.txt") == (1, 0)  # a snapshot
    assert store.trust_summary() == {"issuers": 1, "revoked_certificates": 1,
                                     "revoked_issuers": 0}
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(TrustListError):
        store.import_trust_list(tmp_path / "bad.json")


# ---------------------------------------------------------------------- bundles
def test_a_bundle_imports_once_and_a_tampered_one_is_refused(store: HqStore) -> None:
    laptop, _t, key = enrol_device(store)
    records = [event_record(), *(inspection(f"b-{i}") for i in range(5))]
    body = {"device_id": laptop, "created_at": stamp(), "records": records}
    data = write_signed(BUNDLE_FORMAT, laptop, body, key)
    assert store.import_bundle(data) == {"stored": 6, "present": 0, "failed": 0, "errors": []}
    state = rows(store)
    assert store.import_bundle(data) == {"stored": 0, "present": 6, "failed": 0, "errors": []}
    assert rows(store) == state
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    with pytest.raises(SignedFileError, match="bundle"):
        store.import_bundle(bytes(tampered))
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(SignedFileError, match="not known"):
        store.import_bundle(write_signed(BUNDLE_FORMAT, "someone", body, stranger))
    with pytest.raises(SignedFileError, match="signature"):  # right name, wrong key
        store.import_bundle(write_signed(BUNDLE_FORMAT, laptop, body, stranger))
    store.revoke_device(laptop)
    with pytest.raises(SignedFileError, match="no longer trusted"):
        store.import_bundle(data)
    assert rows(store) == state


# ---------------------------------------------------------------------- PostgreSQL
def test_the_same_rules_on_postgresql(postgres_db: str, signers: dict[str, Any]) -> None:
    """Migrations, the outcome table, ON CONFLICT under concurrent batches and a signed PDF
    on the server database HQ is meant to run on."""
    from concurrent.futures import ThreadPoolExecutor

    hq = HqStore(postgres_db)
    try:
        HqStore(postgres_db).close()  # a second open finds the schema at head
        laptop, token, _key = enrol_device(hq, signers["li"].certificate_pem.decode())
        assert hq.authenticate(token).id == laptop
        other, _t, _k = enrol_device(hq)
        own_event(hq, laptop)
        assert hq.ingest(laptop, [inspection()])[0]["status"] == "stored"
        assert hq.ingest(laptop, [inspection()])[0]["status"] == "present"
        assert hq.ingest(laptop, [inspection(minutes=5, verdict="x")])[0]["status"] == "stored"
        assert hq.ingest(laptop, [inspection(minutes=1, verdict="y")])[0]["status"] == "present"
        assert hq.ingest(other, [inspection(minutes=9, verdict="z")])[0]["status"] == "failed"
        batch = [inspection(f"race-{i}") for i in range(200)]
        with ThreadPoolExecutor(4) as pool:
            outcomes = list(pool.map(lambda _n: hq.ingest(laptop, batch), range(4)))
        for index in range(200):
            statuses = sorted(o[index]["status"] for o in outcomes)
            assert statuses.count("failed") == 0 and "stored" in statuses
        assert hq.ingest(laptop, [evaluation(signers["pdf"])])[0]["status"] == "stored"
        stats = hq.stats()
        assert stats["inspections"] == 201 and stats["signed_pdfs"] == 1
    finally:
        hq.close()


def test_a_provisional_grade_is_filed_as_provisional_and_cannot_be_claimed_final(
        store: HqStore, signers: dict[str, Any]) -> None:
    """The signed PDF says whether its grade is final (its /Keywords, issue 13): a record
    claiming a final grade for a PDF that says provisional is refused; the true one is filed
    with grade_final False, and the company's standing says 暂定."""
    from reportlab.pdfgen import canvas

    from app.evaluation.pdf_binding import EvaluationBinding
    from app.evaluation.signing import sign_pdf
    from app.hq import standing

    number = "公保考〔2026〕7号"
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setKeywords(EvaluationBinding.of("DOC-1", "event-1", None, 91.5, "优秀", number,
                                          False).keywords())
    page.drawString(72, 720, "Evaluation")
    page.save()
    pdf = sign_pdf(buffer.getvalue(), signers["li"])
    device_id, _token, _key = enrol_device(store, signers["li"].certificate_pem.decode())
    own_event(store, device_id)
    record = evaluation(pdf)

    def with_statement(final: bool) -> dict[str, Any]:
        payload = dict(record["payload"], document_number=number,
                       sample_statement=json.dumps({"final": final, "size": 80}))
        return Record.of("evaluation", payload).as_json()

    claimed = store.ingest(device_id, [with_statement(True)])[0]
    assert claimed["status"] == "failed" and "differ" in claimed["error"]
    with store.Session() as s:
        assert s.scalars(select(EvaluationDocument)).first() is None
    assert store.ingest(device_id, [with_statement(False)])[0]["status"] == "stored"
    with store.Session() as s:
        document = s.scalars(select(EvaluationDocument)).one()
        assert document.grade_final is False
        [company] = [c for c in standing.company_standing(s) if c["evaluations"]]
    assert company["latest_grade_final"] is False
    assert company["history"][0]["grade_final"] is False

"""One file per person at HQ (issue 14): GET /api/v1/people/{cert_no}, read through the
person index (app.hq.people) that HQ's ingest and accepted proposals keep filled.

HQ runs in-process and a laptop syncs with it (tests/test_document_numbers.py's fixtures):
two events HQ prepared from rosters naming the same guards, a finding and a signed
evaluation from the laptop, HQ's vetting set twice and the certificate revoked.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from app.hq.database import MIGRATIONS, HqDatabase
from app.hq.models import AuditEntry, PersonIndex, RecordProposal, RevokedCertificate, Vetting
from app.hq.models import Record as RecordRow
from app.hq.people import GUARD_PREFIX, index_entries, person_file
from app.hq.proposals import accept_proposal
from app.hq.server import create_app
from app.hq.store import HqStore
from app.inspection.workbench import Workbench
from app.sync.protocol import canonical_json, content_hash
from tests.helpers.badges import write_roster
from tests.test_document_numbers import hq, laptop, sign_versions, signer_of  # noqa: F401

STAFF = ("staff-wang", "staff password 1")
VIEWER = ("viewer-zhao", "viewer password 1")
CERT = "辽700000000001"
KEY = "700000000001"


def two_events(store: HqStore, folder: Path) -> tuple[str, str]:
    """Two events HQ prepares from rosters listing the same three guards."""
    ids = []
    for n, (name, day) in enumerate((("人员档案测试活动一", 3), ("人员档案测试活动二", 9))):
        (folder / str(n)).mkdir(parents=True, exist_ok=True)
        event_id, summary = store.add_event(
            write_roster(folder / str(n) / "roster.xlsx", 3), name,
            starts_at=datetime(2026, 5, day, 9, 0, tzinfo=UTC))
        assert summary["error_count"] == 0
        ids.append(event_id)
    return ids[0], ids[1]


def counts(store: HqStore) -> dict[str, int]:
    with store.Session() as s:
        return {table.__tablename__: int(s.scalar(select(func.count()).select_from(table))
                                         or 0)
                for table in (RecordRow, PersonIndex, AuditEntry, Vetting,
                              RevokedCertificate)}


def test_a_persons_file_lists_events_findings_evaluations_badge_and_vetting(
        hq: HqStore, tmp_path: Path) -> None:  # noqa: F811
    hq.accounts.add(STAFF[0], "staff", STAFF[1], "test")
    hq.accounts.add(VIEWER[0], "viewer", VIEWER[1], "test")
    first, second = two_events(hq, tmp_path)
    with hq.Session() as s:
        guard_ids = set(s.scalars(select(PersonIndex.record_id)
                                  .where(PersonIndex.cert_key == KEY)))
        assert len(guard_ids) == 2  # one guard row per event, indexed as it was stored

    db, service = laptop(hq, tmp_path / "laptop", first)
    workbench = Workbench(db)
    guard = next(g for g in workbench.guards(first) if g.cert_no == CERT)
    scan = workbench.lookup(first, guard.cert_no, guard.post_id)
    inspection = workbench.record_scan(first, scan)
    items = workbench.template(first).items_for(scan.post.task_type if scan.post else "")
    state = workbench.set_item(inspection.id, items[0], False)
    workbench.update_finding(state.finding_id or "", note="未佩戴保安服务标志",
                             correction="corrected")
    [signed] = sign_versions(db, first, signer_of(db), 1)
    assert service.sync().failed == 0
    with hq.Session() as s:  # the laptop's rows indexed under the guard they name
        linked = set(s.scalars(select(PersonIndex.record_id).where(
            PersonIndex.cert_key == GUARD_PREFIX + guard.id)))
    assert {inspection.id, state.finding_id} <= linked

    with TestClient(create_app(hq)) as client:
        for background in ("failed", "cleared"):
            assert client.put(f"/api/v1/vetting/{CERT}", auth=STAFF, json={
                "background": background, "trained": True, "note": f"复查 {background}"}
                ).status_code == 200
        assert client.post("/api/v1/revocations", auth=STAFF, json={
            "cert_no": CERT, "reason": "证件遗失"}).status_code == 201

        answer = client.get(f"/api/v1/people/{CERT}", auth=VIEWER)
        assert answer.status_code == 200, answer.text
        person = answer.json()
        assert person["cert_key"] == KEY and person["cert_nos"] == [CERT]
        assert person["names"] == ["保安001"]
        assert [e["event_name"] for e in person["events"]] == ["人员档案测试活动一",
                                                               "人员档案测试活动二"]
        worked = person["events"][0]
        assert worked["event_id"] == first and worked["guard_id"] == guard.id
        assert scan.post is not None and worked["post_name"] == scan.post.name
        assert worked["company"] == guard.company_name
        assert worked["recorded_by"] == {"device_id": "hq", "name": "HQ"}
        # HQ's vetting reached the guard rows of both events.
        assert {(e["background_check"], e["trained"]) for e in person["events"]} == {
            ("passed", True)}
        assert person["events"][1]["event_id"] == second
        # HQ had vetted no one when the laptop scanned: the scan also found the guard
        # without pre-job training on HQ's record (staffing), besides the item ticked.
        staffing = [f for f in person["findings"] if f["id"] != state.finding_id]
        assert sorted(f["item_code"] for f in staffing) == [
        "staffing.background_pending", "staffing.not_trained"], staffing
        [finding] = [f for f in person["findings"] if f["id"] == state.finding_id]
        assert finding["id"] == state.finding_id and finding["event_name"] == "人员档案测试活动一"
        assert (finding["category"], finding["item_code"]) == (items[0].category,
                                                               items[0].code)
        assert (finding["note"], finding["correction"]) == ("未佩戴保安服务标志", "corrected")
        assert finding["time"] and finding["recorded_by"]["device_id"] != "hq"
        assert [i["id"] for i in person["inspections"]] == [inspection.id]
        [evaluation] = person["evaluations"]
        assert evaluation["id"] == signed.id and evaluation["event_id"] == first
        assert (evaluation["version"], evaluation["versions_signed"]) == (1, 1)
        assert evaluation["grade"] == signed.grade and evaluation["signed_at"]
        assert evaluation["score"] == pytest.approx(signed.score_total)
        assert person["badge"] == {"revoked": True}
        assert person["vetting"]["background"] == "cleared"
        assert person["vetting"]["updated_by"] == STAFF[0]
        history = person["vetting_history"]
        assert [(h["action"], (h["after"] or {}).get("background")) for h in history] == [
            ("vetting.set", "failed"), ("vetting.set", "passed"),
            ("certificate.revoke", None)]
        assert history[1]["before"]["background"] == "failed"
        assert all(h["actor"] == STAFF[0] for h in history)
        assert "id_number" not in json.dumps(person) and "pseudonym" not in json.dumps(person)

        # Another guard of the same events: none of this person's findings.
        other = client.get("/api/v1/people/辽700000000002", auth=VIEWER).json()
        assert len(other["events"]) == 2 and other["findings"] == []
        assert other["badge"] == {"revoked": False} and other["vetting"] is None
        # The staff account reads it too; no credentials: 401.
        assert client.get(f"/api/v1/people/{KEY}", auth=STAFF).json() == person
        assert client.get(f"/api/v1/people/{CERT}").status_code == 401
        assert client.get(f"/api/v1/people/{CERT}",
                          auth=(VIEWER[0], "wrong")).status_code == 401
    db.close()


def test_unknown_and_hostile_certificate_numbers_are_refused_and_change_nothing(
        hq: HqStore, tmp_path: Path) -> None:  # noqa: F811
    hq.accounts.add(VIEWER[0], "viewer", VIEWER[1], "test")
    two_events(hq, tmp_path)
    before = counts(hq)
    with TestClient(create_app(hq)) as client:
        unknown = client.get("/api/v1/people/辽799999999999", auth=VIEWER)
        assert unknown.status_code == 404
        assert "knows no person" in unknown.json()["detail"]
        for cert_no, status in (("7" * 51, 400), ("辽" + "7" * 60, 400), ("％＃!@~", 400),
                                ("%00", 400), ("%00%00%0a", 400), ("-" * 5000, 400),
                                ("..%2F..%2Fhq.sqlite3", 404),
                                ("%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", 404),
                                ("700000000001%27%20OR%201%3D1", 404),
                                (f"{GUARD_PREFIX}x", 404)):
            answer = client.get(f"/api/v1/people/{cert_no}", auth=VIEWER)
            assert answer.status_code == status, (cert_no, answer.text)
            assert answer.json()["detail"]
        assert client.get("/api/v1/people/../../etc/passwd",
                          auth=VIEWER).status_code == 404
        assert client.post(f"/api/v1/people/{CERT}", auth=VIEWER).status_code == 405
    assert counts(hq) == before


def test_index_entries_refuse_what_is_no_key() -> None:
    guard = {"cert_key": KEY, "deleted_at": None}
    assert index_entries([("guard", "g1", "e1", guard)]) == [
        {"cert_key": KEY, "record_id": "g1", "event_id": "e1"}]
    for forged in ("guard:g1", "7000 0001", "", "7" * 51, 7, None, ["7"]):
        assert index_entries([("guard", "g2", "e1", {"cert_key": forged})]) == []
    assert index_entries([("finding", "f1", "e1", {"guard_id": "g1"}),
                          ("inspection", "i1", "e1", {"guard_id": None}),
                          ("finding", "f2", "e1", {"guard_id": "g" * 60}),
                          ("event", "e1", "e1", {"cert_key": KEY})]) == [
        {"cert_key": f"{GUARD_PREFIX}g1", "record_id": "f1", "event_id": "e1"}]


def test_an_accepted_proposal_indexes_the_guard_under_its_corrected_certificate(
        hq: HqStore, tmp_path: Path) -> None:  # noqa: F811
    first, second = two_events(hq, tmp_path)
    with hq.Session() as s:
        row = s.scalars(select(RecordRow).where(RecordRow.kind == "guard",
                                                RecordRow.event_id == first,
                                                RecordRow.payload.like(f"%{KEY}%"))).one()
    payload = json.loads(row.payload)
    payload.update(cert_no="辽700000009999", cert_key="700000009999",
                   updated_at="2026-05-03T10:00:00+00:00")
    with hq.db.begin() as s:
        s.add(RecordProposal(record_id=row.id, device_id="laptop-1", kind="guard",
                             content_hash=content_hash(payload),
                             payload=canonical_json(payload).decode("utf-8"),
                             event_id=first, updated_at=payload["updated_at"]))
    accept_proposal(hq.db, row.id, "laptop-1")
    with hq.Session() as s:
        corrected = person_file(s, "辽700000009999")
        old = person_file(s, CERT)
    assert corrected is not None and old is not None
    assert [e["guard_id"] for e in corrected["events"]] == [row.id]
    # The stale entry of the old key points at a row that says otherwise: left out.
    assert [e["event_id"] for e in old["events"]] == [second]


def _alembic(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def test_the_migration_indexes_the_guard_rows_held_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    _alembic(url, "0005_hq_accounts_audit")
    engine = create_engine(url)
    guards: list[dict[str, Any]] = []
    for n in range(7):
        payload = {"id": str(uuid.uuid4()), "event_id": f"event-{n % 2}",
                   "cert_no": f"辽71000000000{n % 3}", "cert_key": f"71000000000{n % 3}",
                   "name": f"保安{n}", "deleted_at": None}
        guards.append({"id": payload["id"], "kind": "guard", "content_hash": "0" * 64,
                       "payload": json.dumps(payload), "device_id": "hq",
                       "event_id": payload["event_id"], "updated_at": "2026-01-01",
                       "received_at": "2026-01-01 00:00:00"})
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO record (id, kind, content_hash, payload, device_id, event_id, "
            "updated_at, received_at) VALUES (:id, :kind, :content_hash, :payload, "
            ":device_id, :event_id, :updated_at, :received_at)"), guards)
    engine.dispose()
    db = HqDatabase(url)  # upgrades to head, as HQ does at start
    try:
        with db.Session() as s:
            indexed = {(key, record_id, event_id) for key, record_id, event_id in s.execute(
                select(PersonIndex.cert_key, PersonIndex.record_id, PersonIndex.event_id))}
            assert indexed == {(json.loads(g["payload"])["cert_key"], g["id"], g["event_id"])
                               for g in guards}
            person = person_file(s, "辽710000000000")
        assert person is not None and len(person["events"]) == 3
    finally:
        db.close()


def test_a_persons_file_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    """The same index and reads on PostgreSQL: events, a finding HQ holds, the revocation."""
    from tests.test_hq_store import full_payload

    store = HqStore(postgres_db)
    try:
        first, second = two_events(store, tmp_path)
        with store.Session() as s:
            guard = s.scalars(select(RecordRow).where(
                RecordRow.kind == "guard", RecordRow.event_id == first,
                RecordRow.payload.like(f"%{KEY}%"))).one()
        finding = full_payload("finding", id=str(uuid.uuid4()), event_id=first,
                               guard_id=guard.id, category="staff", item_code="F3",
                               note="证件过期", correction="not_corrected", device_id="hq")
        record = {"kind": "finding", "id": finding["id"], "hash": content_hash(finding),
                  "payload": finding}
        assert store.ingest("hq", [record])[0]["status"] == "stored"
        with store.db.begin() as s:
            s.add(RevokedCertificate(cert_key=KEY))
        with store.Session() as s:
            person = person_file(s, CERT)
            assert person_file(s, "辽799999999999") is None
        assert person is not None
        assert [e["event_id"] for e in person["events"]] == [first, second]
        assert [f["note"] for f in person["findings"]] == ["证件过期"]
        assert person["badge"] == {"revoked": True}
    finally:
        store.close()

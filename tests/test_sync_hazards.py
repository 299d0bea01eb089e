"""Ways sync could lose or forge data, found in review, each pinned by a test: a laptop
clock behind HQ's, enrolling again, a package imported again or while scans are saved, a
laptop editing HQ's company register, a signed PDF re-sent with other figures, the read
pages without a password, a locked profile's message.

HQ runs in-process (FastAPI's TestClient stands in for the laptop's httpx client), so the
laptop's SyncService talks to a real HqStore without a child process.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.hq.models import HQ_DEVICE
from app.hq.models import Record as RecordRow
from app.hq.server import create_app
from app.hq.store import HqStore
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Guard, Inspection, Outbox
from app.sync import download as sync_client
from app.sync.client import SyncService
from app.sync.protocol import Record
from tests.helpers.hq_in_process import HQ_URL, route_laptops_to
from tests.test_hq_store import (  # noqa: F401
    enrol_device,
    evaluation,
    own_event,
    signers,
    stamp,
)


@pytest.fixture
def hq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    route_laptops_to(store, monkeypatch)
    yield store
    store.close()


def hq_payload(store: HqStore, record_id: str) -> dict[str, Any]:
    with store.Session() as s:
        row = s.get(RecordRow, record_id)
        assert row is not None
        return json.loads(row.payload)


def laptop(store: HqStore, folder: Path) -> tuple[Database, SyncService, str]:
    event_id = store.add_demo_event()
    db = Database(folder)
    service = SyncService(db)
    service.enrol(HQ_URL, store.create_enrolment_code("李建国"))
    service.pull_event(event_id)
    assert service.pending_count() == 0
    return db, service, event_id


def pending_ids(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(Outbox.record_id).where(Outbox.acknowledged_at.is_(None))))


# ---------------------------------------------------------------------- data loss
def test_an_edit_made_on_a_clock_behind_hqs_still_reaches_hq(
        hq: HqStore, tmp_path: Path) -> None:
    """A laptop's clock a few minutes behind HQ's (offline laptops drift) must not make HQ
    drop a change to an HQ-prepared row while the laptop counts its change as sent. The
    change arrives as the laptop's proposal (HQ's row, which every package carries, changes
    only when HQ staff accept it)."""
    db, service, event_id = laptop(hq, tmp_path / "laptop")
    workbench = Workbench(db)
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    other_post = next(p for p in workbench.posts(event_id) if p.id != guard.post_id)
    held = datetime.fromisoformat(hq_payload(hq, guard.id)["updated_at"])
    with db.begin() as s:  # the supervisor moves the guard; the laptop's clock is 5 min slow
        row = s.get(Guard, guard.id)
        assert row is not None
        row.post_id = other_post.id
        row.updated_at = held - timedelta(minutes=5)
    outcome = service.sync()
    assert outcome.pending == 0  # the laptop now believes HQ has it...
    [proposal] = hq.proposals(event_id)  # ...and HQ does, as this laptop's proposal
    assert proposal["record_id"] == guard.id
    assert proposal["changes"]["post_id"] == [guard.post_id, other_post.id]
    assert hq_payload(hq, guard.id)["post_id"] == guard.post_id  # HQ's row: until accepted
    hq.accept_proposal(guard.id, proposal["device_id"])
    assert hq_payload(hq, guard.id)["post_id"] == other_post.id


def test_enrolling_again_keeps_the_laptops_own_records_its_own(
        hq: HqStore, tmp_path: Path) -> None:
    """The app tells the supervisor to enrol again (token refused, HQ certificate renewed):
    the laptop keeps its device id, so later changes to records it sent still go up."""
    db, service, event_id = laptop(hq, tmp_path / "laptop")
    workbench = Workbench(db)
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    inspection = workbench.record_scan(event_id, scan)
    item = workbench.template(event_id).items_for(scan.post.task_type if scan.post else "")[0]
    state = workbench.set_item(inspection.id, item, False)
    assert service.sync().failed == 0

    service.enrol(HQ_URL, hq.create_enrolment_code("李建国"))  # "enrol it again"
    workbench.update_finding(state.finding_id or "", note="已整改", correction="corrected")
    outcome = service.sync()
    assert outcome.failed == 0, outcome.errors


def test_importing_a_package_again_keeps_unsent_local_work(
        hq: HqStore, tmp_path: Path) -> None:
    """A package imported again (for fresh revocations, offline) leaves a row the supervisor
    changed and has not sent yet as it is."""
    db, service, event_id = laptop(hq, tmp_path / "laptop")
    workbench = Workbench(db)
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    other_post = next(p for p in workbench.posts(event_id) if p.id != guard.post_id)
    workbench.assign_guard(guard.id, other_post.id)  # offline, not synced yet
    package = tmp_path / "event.vspkg"
    package.write_bytes(hq.event_package(event_id))
    service.import_package(package)
    with db.read() as s:
        row = s.get(Guard, guard.id)
        assert row is not None
        assert row.post_id == other_post.id  # the supervisor's assignment survived


def test_a_change_saved_while_a_package_is_imported_stays_pending(
        hq: HqStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan saved (on another thread) while a package is being imported must not be taken
    for one of the package's rows and marked sent."""
    db, service, event_id = laptop(hq, tmp_path / "laptop")
    workbench = Workbench(db)
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    made: list[str] = []
    errors: list[BaseException] = []
    real_apply = sync_client.apply_records

    def gui_thread_scan() -> None:
        try:
            made.append(Workbench(db).record_scan(event_id, scan).id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def apply_with_a_scan_in_between(*args: Any, **kwargs: Any) -> Any:
        worker = threading.Thread(target=gui_thread_scan)
        worker.start()
        worker.join(timeout=2)  # a correct import holds the write lock: the scan waits
        try:
            return real_apply(*args, **kwargs)
        finally:
            apply_with_a_scan_in_between.worker = worker  # type: ignore[attr-defined]

    monkeypatch.setattr(sync_client, "apply_records", apply_with_a_scan_in_between)
    service.import_package_bytes(hq.event_package(event_id))
    apply_with_a_scan_in_between.worker.join(timeout=30)  # type: ignore[attr-defined]
    if errors:
        pytest.skip(f"the scan could not be saved: {errors[0]}")
    assert made
    with db.read() as s:
        assert s.get(Inspection, made[0]) is not None
    assert made[0] in pending_ids(db)  # the scan must still be waiting to be sent


# ---------------------------------------------------------------------- authority at HQ
def test_a_laptop_cannot_lift_hqs_black_listing_of_a_company(hq: HqStore) -> None:
    """HQ's register of companies (credit grade, black list) stays HQ's: a laptop's event
    form cannot clear a black-listing."""
    from app.hq import standing

    company_id = "7b0c1f0e-4f3a-4a55-9a39-0c1d2e3f4a5b"
    base = {"id": company_id, "name": "营口恒通保安服务有限公司", "licence_no": "辽公保服20190052",
            "credit_grade": "C", "blacklisted": True, "created_at": stamp(),
            "updated_at": stamp(), "device_id": "hq-profile", "deleted_at": None}
    assert hq.ingest(HQ_DEVICE, [Record.of("company", base).as_json()])[0]["status"] == "stored"
    device_id, _token, _key = enrol_device(hq)
    lifted = dict(base, blacklisted=False, credit_grade="AA", updated_at=stamp(10))
    result = hq.ingest(device_id, [Record.of("company", lifted).as_json()])[0]
    with hq.Session() as s:
        company = next(c for c in standing.company_standing(s)
                       if c["name"] == "营口恒通保安服务有限公司")
    assert company["blacklisted"], result  # HQ's black list must stand


def test_a_signed_pdf_vouches_only_for_its_own_figures(
        hq: HqStore, signers: dict[str, Any]) -> None:  # noqa: F811
    """HQ files the figures the signed PDF states: the same PDF re-sent under another id and
    event with other figures is refused."""
    device_id, _token, _key = enrol_device(hq, signers["li"].certificate_pem.decode())
    own_event(hq, device_id)
    own_event(hq, device_id, "event-2")
    assert hq.ingest(device_id, [evaluation(signers["pdf"])])[0]["status"] == "stored"
    forged = evaluation(signers["pdf"], event_id="event-2", record_id="eval-2")
    payload = dict(forged["payload"], score_total=12.0, grade="不合格", document_id="DOC-2")
    result = hq.ingest(device_id, [Record.of("evaluation", payload).as_json()])[0]
    assert result["status"] == "failed"


def test_a_pulled_event_leaves_nothing_pending(hq: HqStore, tmp_path: Path) -> None:
    """Sanity: the in-process HQ harness works (a pull leaves nothing pending)."""
    db, service, _event_id = laptop(hq, tmp_path / "laptop")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) > 0
    assert service.pending_count() == 0
    assert datetime.now(UTC)


# ---------------------------------------------------------------------- security / messages
def test_signed_evaluation_pdfs_are_served_only_to_staff_who_signed_in(
        hq: HqStore, signers: dict[str, Any]) -> None:  # noqa: F811
    """The read side shares the port laptops sync to: without the staff password, nothing;
    before one is set, a page that says how to set it."""
    device_id, token, _key = enrol_device(hq, signers["li"].certificate_pem.decode())
    own_event(hq, device_id)
    assert hq.ingest(device_id, [evaluation(signers["pdf"])])[0]["status"] == "stored"
    with TestClient(create_app(hq)) as client:
        closed = client.get("/api/v1/evaluations/eval-1/pdf")
        assert closed.status_code == 403 and "hq staff-password" in closed.json()["detail"]
        assert client.get("/static/wqy-microhei.ttf").status_code == 200  # no secret
        hq.set_staff_password("staff password 1")
        anonymous = client.get("/api/v1/evaluations")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Basic")
        with_device_token = client.get("/", headers={"Authorization": f"Bearer {token}"})
        wrong = client.get("/companies", auth=("staff", "guess"))
        right = client.get("/api/v1/evaluations/eval-1/pdf", auth=("any", "staff password 1"))
    assert (with_device_token.status_code, wrong.status_code) == (401, 401)
    assert right.status_code == 200 and right.content == signers["pdf"]


def test_a_busy_profile_is_said_in_plain_words(
        hq: HqStore, tmp_path: Path) -> None:
    """A profile locked by another program gives the supervisor a sentence, not a class name
    and SQL."""
    import sqlite3

    from ui.sync_controller import plain_error

    db = Database(tmp_path / "laptop")
    service = SyncService(db)
    service.enrol(HQ_URL, hq.create_enrolment_code("李建国"))
    holder = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception) as caught:
            service.sync()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    shown = plain_error(caught.value)  # type: ignore[arg-type]
    assert "OperationalError" not in shown and "[SQL:" not in shown, shown

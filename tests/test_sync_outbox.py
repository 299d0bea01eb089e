"""The outbox: every change to a synced record is queued in the same transaction, package
rows are not sent back, and records round-trip through payloads unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from app.demo import create_demo_event
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Guard, Inspection, Outbox, ProfileSetting
from app.sync.client import SyncService
from app.sync.protocol import (
    HQ_SIGNER,
    PACKAGE_FORMAT,
    b64encode,
    content_hash,
    raw_public_key,
    write_signed,
)
from app.sync.records import load_records, records_for_event
from app.sync.state import HQ_PACKAGE_KEY, SyncError


def _pending(db: Database) -> dict[str, int]:
    with db.read() as s:
        rows = s.execute(select(Outbox.kind, func.count(func.distinct(Outbox.record_id)))
                         .where(Outbox.acknowledged_at.is_(None))
                         .group_by(Outbox.kind)).all()
    return dict(rows)


def test_a_scan_queues_its_records_and_a_failed_transaction_queues_nothing(
        workbench: Workbench) -> None:
    event_id = create_demo_event(workbench, with_inspections=False)
    before = _pending(workbench.db)
    assert before["guard"] == 606 and before["post"] == 80 and before["event"] == 1
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    workbench.record_scan(event_id, scan)
    after = _pending(workbench.db)
    assert after.get("inspection", 0) == before.get("inspection", 0) + 1

    with pytest.raises(RuntimeError), workbench.db.begin() as s:
        s.add(Inspection(event_id=event_id, scanned_text="x", verdict="not_on_roster",
                         device_id=workbench.db.device_id))
        s.flush()
        raise RuntimeError("power cut before the commit")
    assert _pending(workbench.db) == after


def test_an_edit_queues_the_record_again(workbench: Workbench) -> None:
    event_id = create_demo_event(workbench, with_inspections=False)
    guard = workbench.guards(event_id)[0]
    with workbench.db.read() as s:
        rows_before = s.scalar(select(func.count()).where(Outbox.record_id == guard.id))
    workbench.assign_guard(guard.id, None)
    with workbench.db.read() as s:
        rows_after = s.scalar(select(func.count()).where(Outbox.record_id == guard.id))
    assert rows_after == rows_before + 1


def test_payloads_are_stable_and_round_trip(workbench: Workbench, tmp_path: Path) -> None:
    event_id = create_demo_event(workbench, with_inspections=True)
    with workbench.db.read() as s:
        first = records_for_event(s, event_id, workbench.db.data_dir)
        again = records_for_event(s, event_id, workbench.db.data_dir)
        inspections = list(s.scalars(select(Inspection.id)))
        loaded = load_records(s, "inspection", inspections, workbench.db.data_dir)
    assert [r.hash for r in first] == [r.hash for r in again]
    assert all(r.hash == content_hash(r.payload) for r in first)
    assert len(loaded) == len(inspections) > 0
    assert {r.kind for r in first} == {"company", "event", "post", "guard"}


def _package(workbench: Workbench, event_id: str, key: Ed25519PrivateKey) -> bytes:
    with workbench.db.read() as s:
        records = records_for_event(s, event_id, workbench.db.data_dir)
    body = {"event_id": event_id, "created_at": "2026-11-24T08:00:00+00:00",
            "records": [r.as_json() for r in records], "checklist_template": {},
            "trust_list": [], "revoked_certificates": ["123456789012"], "revoked_issuers": []}
    return write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, key)


def test_a_package_applies_whole_and_is_not_sent_back(workbench: Workbench,
                                                      tmp_path: Path) -> None:
    hq_key = Ed25519PrivateKey.generate()
    event_id = create_demo_event(workbench, with_inspections=False)
    package = _package(workbench, event_id, hq_key)

    laptop = Database(tmp_path / "laptop")
    laptop.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(hq_key)))
    service = SyncService(laptop)
    summary = service.import_package_bytes(package)
    assert summary.event_id == event_id
    assert summary.created == {"company": 1, "event": 1, "post": 80, "guard": 606}
    assert summary.revoked_certificates == 1
    assert service.pending_count() == 0
    with laptop.read() as s:
        assert s.scalar(select(func.count()).select_from(Guard)) == 606
    # pulled twice: updated in place, still nothing to send back
    again = service.import_package_bytes(package)
    assert again.created == {} and again.updated["guard"] == 606
    assert service.pending_count() == 0


def test_a_tampered_or_foreign_package_changes_nothing(workbench: Workbench,
                                                       tmp_path: Path) -> None:
    hq_key = Ed25519PrivateKey.generate()
    event_id = create_demo_event(workbench, with_inspections=False)
    package = bytearray(_package(workbench, event_id, hq_key))
    laptop = Database(tmp_path / "laptop")
    laptop.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(hq_key)))
    service = SyncService(laptop)
    forged = _package(workbench, event_id, Ed25519PrivateKey.generate())
    with pytest.raises(SyncError, match="signature does not match"):
        service.import_package_bytes(forged)
    package[len(package) // 2] ^= 0xFF
    with pytest.raises(SyncError, match="refused"):
        service.import_package_bytes(bytes(package))
    with laptop.read() as s:
        assert s.scalar(select(func.count()).select_from(Guard)) == 0
        assert s.get(ProfileSetting, "hq.token") is None


def test_a_package_record_id_cannot_name_a_path(tmp_path: Path) -> None:
    from app.sync.apply import apply_records
    from app.sync.protocol import Record
    from app.sync.records import RecordError

    laptop = Database(tmp_path / "laptop")
    payload = {"id": "../../evil", "name": "x", "licence_no": "", "credit_grade": "",
               "blacklisted": False, "created_at": "2026-11-24T08:00:00+00:00",
               "updated_at": "2026-11-24T08:00:00+00:00", "device_id": "hq",
               "deleted_at": None}
    with pytest.raises(RecordError, match="not a UUID"), laptop.begin() as s:
        apply_records(s, [Record.of("company", payload)], laptop.data_dir)


def test_a_refused_package_leaves_no_photo_file_behind(workbench: Workbench,
                                                       tmp_path: Path) -> None:
    """A guard's photo travels in the package; the package is refused by a bad record after
    it (the last guard's training flag is not a yes or no): no photo may be left behind. The same
    package whole writes the photo, after the rows are committed."""
    hq_key = Ed25519PrivateKey.generate()
    event_id = create_demo_event(workbench, with_inspections=False)
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"picture" * 100)
    guard = workbench.guards(event_id)[0]
    workbench.set_guard_photo(guard.id, photo)
    with workbench.db.read() as s:
        records = records_for_event(s, event_id, workbench.db.data_dir)
    broken = [r.as_json() for r in records]
    last_guard = [item for item in broken if item["kind"] == "guard"][-1]  # after the photo
    last_guard["payload"] = {**last_guard["payload"], "trained": "perhaps"}
    last_guard["hash"] = content_hash(last_guard["payload"])
    body = {"event_id": event_id, "created_at": "2026-11-24T08:00:00+00:00",
            "records": broken, "checklist_template": {}, "trust_list": [],
            "revoked_certificates": [], "revoked_issuers": []}
    laptop = Database(tmp_path / "laptop")
    laptop.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(hq_key)))
    service = SyncService(laptop)
    with pytest.raises(SyncError):
        service.import_package_bytes(write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, hq_key))
    photos = laptop.data_dir / "photos"
    assert not photos.exists() or list(photos.iterdir()) == []
    with laptop.read() as s:
        assert s.scalar(select(func.count()).select_from(Guard)) == 0

    service.import_package_bytes(_package(workbench, event_id, hq_key))
    with laptop.read() as s:
        stored = s.get(Guard, guard.id)
        assert stored is not None and stored.photo_path
    assert (laptop.data_dir / stored.photo_path).read_bytes() == photo.read_bytes()

"""Photos and evidence out of HQ's JSON rows, into the content-addressed file store
(app.hq.payload_files), on SQLite and PostgreSQL: a real laptop profile (SyncService, HQ
in-process through FastAPI's TestClient) sends a guard photo (its proposal) and findings
with evidence; HQ keeps the bytes once in ``stored_file`` and a reference in the payload,
answers a resend "already present", and the package a second laptop pulls after HQ accepts
the photo carries it byte for byte. Rows stored before (inline base64) still package, and a
laptop can never make HQ hand out a file by naming it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from PIL import Image
from sqlalchemy import create_engine, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.hq import payload_files, vetting
from app.hq.database import MIGRATIONS
from app.hq.files import StoredFileError
from app.hq.models import HQ_DEVICE, RecordProposal, StoredFile
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Finding, Guard
from app.sync.client import SyncService
from app.sync.protocol import (
    PACKAGE_FORMAT,
    Record,
    canonical_json,
    content_hash,
    read_signed,
)
from app.sync.records import load_records
from app.sync.state import HQ_DEVICE_ID
from tests.helpers.hq_in_process import HQ_URL, route_laptops_to


def jpeg(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def hq(request: pytest.FixtureRequest, tmp_path: Path,
       monkeypatch: pytest.MonkeyPatch) -> Iterator[HqStore]:
    """HQ in-process: the laptops' httpx client talks to its FastAPI app."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_db")
    store = HqStore(url)
    route_laptops_to(store, monkeypatch)
    yield store
    store.close()


def laptop(store: HqStore, folder: Path, event_id: str) -> tuple[Database, SyncService]:
    db = Database(folder)
    service = SyncService(db)
    service.enrol(HQ_URL, store.create_enrolment_code("李建国"))
    service.pull_event(event_id)
    return db, service


def device_of(service: SyncService) -> str:
    """The id HQ enrolled the laptop under."""
    device_id = service.db.setting(HQ_DEVICE_ID)
    assert device_id
    return device_id


def row(store: HqStore, record_id: str) -> RecordRow:
    with store.Session() as s:
        found = s.get(RecordRow, record_id)
        assert found is not None
        s.expunge(found)
        return found


def stored_files(store: HqStore) -> dict[str, bytes]:
    with store.Session() as s:
        return {digest: bytes(data) for digest, data in
                s.execute(select(StoredFile.sha256, StoredFile.data))}


def package(store: HqStore, event_id: str) -> dict[str, Any]:
    _signer, body = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    return body


def finding_with_evidence(workbench: Workbench, event_id: str, guard_index: int,
                          evidence: Path) -> str:
    guard = [g for g in workbench.guards(event_id) if g.post_id][guard_index]
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    inspection = workbench.record_scan(event_id, scan)
    item = workbench.template(event_id).items_for(scan.post.task_type if scan.post else "")[0]
    finding_id = workbench.set_item(inspection.id, item, False).finding_id
    assert finding_id
    workbench.update_finding(finding_id, evidence_file=evidence)
    return finding_id


def laptop_records(db: Database, kind: str, ids: list[str]) -> dict[str, Record]:
    with db.read() as s:
        return load_records(s, kind, ids, db.data_dir)


# ----------------------------------------------------------------------- the whole round
def test_photos_and_evidence_live_in_the_file_store_and_travel_unchanged(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop-a", event_id)
    workbench = Workbench(db)
    photo = jpeg()
    photo_file = tmp_path / "guard.jpg"
    photo_file.write_bytes(photo)
    digest = hashlib.sha256(photo).hexdigest()
    guard = workbench.guards(event_id)[0]
    workbench.set_guard_photo(guard.id, photo_file)  # HQ's guard: the laptop's proposal
    # Two findings with the same evidence, the same bytes as the guard's photo.
    findings = [finding_with_evidence(workbench, event_id, index, photo_file)
                for index in (1, 2)]
    files_before = stored_files(hq)

    outcome = service.sync()
    assert outcome.failed == 0, outcome.errors
    reference = {"stored_file": digest, "size": len(photo), "media_type": "image/jpeg"}
    sent = laptop_records(db, "finding", findings)
    for finding_id in findings:
        stored = row(hq, finding_id)
        assert b64(photo) not in stored.payload  # no base64 of the bytes in the row
        assert json.loads(stored.payload)["evidence"] == reference
        # the hash of the payload as the laptop sent it (its base64 inline)
        assert sent[finding_id].payload["evidence"] == b64(photo)
        assert stored.content_hash == sent[finding_id].hash
    with hq.Session() as s:
        proposal = s.get(RecordProposal, (guard.id, device_of(service)))
        assert proposal is not None
        assert b64(photo) not in proposal.payload
        assert json.loads(proposal.payload)["photo"] == reference
    # the bytes once, though three records carry them
    after = stored_files(hq)
    assert set(after) - set(files_before) == {digest} and after[digest] == photo

    # A resend (acknowledgements lost) is "already present", by hash and by the batch.
    guard_record = laptop_records(db, "guard", [guard.id])[guard.id]
    resend = [r.as_json() for r in sent.values()] + [guard_record.as_json()]
    assert [r["status"] for r in hq.ingest(device_of(service), resend)] == ["present"] * 3
    assert sorted(hq.known([{"id": r["id"], "hash": r["hash"]} for r in resend],
                           device_of(service))) == sorted(r["id"] for r in resend)
    assert stored_files(hq) == after

    [listed] = hq.proposals(event_id)
    assert listed["changes"]["photo"] == [None, f"<file, {len(photo)} bytes>"]
    hq.accept_proposal(guard.id, device_of(service))
    accepted = row(hq, guard.id)
    assert accepted.device_id == HQ_DEVICE and b64(photo) not in accepted.payload
    assert json.loads(accepted.payload)["photo"] == reference
    assert accepted.content_hash == guard_record.hash

    # The next package carries the photo as sent; a second laptop takes it down.
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard.id)
    assert carried["payload"] == guard_record.payload and carried["hash"] == guard_record.hash
    other, _service = laptop(hq, tmp_path / "laptop-b", event_id)
    with other.read() as s:
        pulled = s.get(Guard, guard.id)
        assert pulled is not None and pulled.photo_path
    assert (other.data_dir / pulled.photo_path).read_bytes() == photo
    assert stored_files(hq) == after  # nothing stored twice


def test_vetting_a_guard_with_a_stored_photo_keeps_its_hash_true(
        hq: HqStore, tmp_path: Path) -> None:
    """Vetting rewrites HQ's guard row and its hash: over the photo's bytes, as the package
    carries them, so that a laptop still takes the event down."""
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop-a", event_id)
    photo_file = tmp_path / "guard.jpg"
    photo_file.write_bytes(jpeg((10, 90, 200)))
    guard = Workbench(db).guards(event_id)[0]
    Workbench(db).set_guard_photo(guard.id, photo_file)
    assert service.sync().failed == 0
    hq.accept_proposal(guard.id, device_of(service))
    vetting.set_vetting(hq.db, "staff", guard.cert_no, "failed", False, "")
    stored = row(hq, guard.id)
    assert payload_files.is_reference(json.loads(stored.payload)["photo"])
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard.id)
    assert carried["payload"]["background_check"] == "failed"
    assert carried["hash"] == content_hash(carried["payload"]) == stored.content_hash
    other, _service = laptop(hq, tmp_path / "laptop-b", event_id)
    with other.read() as s:
        pulled = s.get(Guard, guard.id)
        assert pulled is not None and pulled.photo_path
    assert (other.data_dir / pulled.photo_path).read_bytes() == photo_file.read_bytes()


# ----------------------------------------------------------------- rows stored before
def test_an_old_style_row_with_inline_base64_still_packages(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    body = package(hq, event_id)
    guard = next(r for r in body["records"] if r["kind"] == "guard")
    photo = jpeg((0, 160, 0))
    payload = {**guard["payload"], "photo": b64(photo), "photo_name": "old.jpg"}
    digest = content_hash(payload)
    with hq.begin() as s:  # as HQ stored a photo before the file store held photos
        s.execute(update(RecordRow).where(RecordRow.id == guard["id"]).values(
            payload=json.dumps(payload, sort_keys=True, separators=(",", ":"),
                               ensure_ascii=False), content_hash=digest))
    files_before = stored_files(hq)
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard["id"])
    assert carried["payload"] == payload and carried["hash"] == digest
    other, service = laptop(hq, tmp_path / "laptop", event_id)
    with other.read() as s:
        pulled = s.get(Guard, guard["id"])
        assert pulled is not None and pulled.photo_path
    assert (other.data_dir / pulled.photo_path).read_bytes() == photo
    assert stored_files(hq) == files_before  # read as it is, not moved behind HQ's back

    # A laptop's proposal of the same photo against the old row: no change to the photo.
    sent = Record.of("guard", {**payload, "phone": "13900000000",
                               "updated_at": "2099-01-01T00:00:00.000000+00:00"})
    assert hq.ingest(device_of(service), [sent.as_json()])[0]["status"] == "stored"
    [listed] = hq.proposals(event_id)
    assert "photo" not in listed["changes"] and "phone" in listed["changes"]
    hq.accept_proposal(guard["id"], device_of(service))
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard["id"])
    assert carried["payload"] == sent.payload and carried["hash"] == sent.hash


# ----------------------------------------------------------------------- hostile input
def test_a_laptop_cannot_name_another_file_to_read_it(hq: HqStore, tmp_path: Path) -> None:
    """Laptop A's photo is in the store. Laptop B sends a reference to it (refused: a file
    is text) and the bare hash as its photo (plain data: it gets back exactly what it sent,
    never A's bytes)."""
    event_id = hq.add_demo_event()
    db_a, service_a = laptop(hq, tmp_path / "laptop-a", event_id)
    secret = jpeg((1, 2, 3))
    secret_file = tmp_path / "secret.jpg"
    secret_file.write_bytes(secret)
    finding_id = finding_with_evidence(Workbench(db_a), event_id, 0, secret_file)
    assert service_a.sync().failed == 0
    digest = hashlib.sha256(secret).hexdigest()
    assert stored_files(hq)[digest] == secret

    _db_b, service_b = laptop(hq, tmp_path / "laptop-b", event_id)
    guard = next(r for r in package(hq, event_id)["records"] if r["kind"] == "guard")
    later = "2099-01-01T00:00:00.000000+00:00"
    reference = {"stored_file": digest, "size": len(secret), "media_type": "image/jpeg"}
    forged = [Record.of("guard", {**guard["payload"], "photo": reference,
                                  "photo_name": "x.jpg", "updated_at": later}),
              Record.of("guard", {**guard["payload"], "photo": b64(secret)[:8],
                                  "photo_name": reference, "updated_at": later})]
    files_before, rows_before = stored_files(hq), row(hq, guard["id"]).payload
    results = hq.ingest(device_of(service_b), [r.as_json() for r in forged])
    assert [r["status"] for r in results] == ["failed", "failed"]
    assert "'photo' is not text" in results[0]["error"]
    assert "'photo_name' is not text" in results[1]["error"]
    assert hq.proposals(event_id) == []
    assert stored_files(hq) == files_before and row(hq, guard["id"]).payload == rows_before

    # The bare hash is valid base64: kept as the bytes it spells, and given back as sent.
    bare = Record.of("guard", {**guard["payload"], "photo": digest, "photo_name": "x.jpg",
                               "updated_at": later})
    assert hq.ingest(device_of(service_b), [bare.as_json()])[0]["status"] == "stored"
    hq.accept_proposal(guard["id"], device_of(service_b))
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard["id"])
    assert carried["payload"]["photo"] == digest != b64(secret)
    assert carried["hash"] == bare.hash
    assert json.loads(row(hq, guard["id"]).payload)["photo"]["stored_file"] \
        == hashlib.sha256(base64.b64decode(digest)).hexdigest() != digest
    assert row(hq, finding_id).device_id == device_of(service_a)


def test_another_spelling_of_base64_is_kept_as_sent(hq: HqStore, tmp_path: Path) -> None:
    """Base64 whose unused bits are set ("QR==" is b"A", as "QQ==" is) decodes to bytes that
    encode back otherwise: kept inline, so that its hash, and the package, stay as sent."""
    event_id = hq.add_demo_event()
    _db, service = laptop(hq, tmp_path / "laptop", event_id)
    guard = next(r for r in package(hq, event_id)["records"] if r["kind"] == "guard")
    sent = Record.of("guard", {**guard["payload"], "photo": "QR==", "photo_name": "a.jpg",
                               "updated_at": "2099-01-01T00:00:00.000000+00:00"})
    files_before = stored_files(hq)
    assert hq.ingest(device_of(service), [sent.as_json()])[0]["status"] == "stored"
    assert hq.ingest(device_of(service), [sent.as_json()])[0]["status"] == "present"
    hq.accept_proposal(guard["id"], device_of(service))
    assert json.loads(row(hq, guard["id"]).payload)["photo"] == "QR=="
    carried = next(r for r in package(hq, event_id)["records"] if r["id"] == guard["id"])
    assert carried["payload"] == sent.payload and carried["hash"] == sent.hash
    assert stored_files(hq) == files_before


def test_a_damaged_or_missing_stored_photo_is_never_served(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    photo_file = tmp_path / "guard.jpg"
    photo_file.write_bytes(jpeg((5, 5, 5)))
    guard = Workbench(db).guards(event_id)[0]
    Workbench(db).set_guard_photo(guard.id, photo_file)
    assert service.sync().failed == 0
    hq.accept_proposal(guard.id, device_of(service))
    digest = hashlib.sha256(photo_file.read_bytes()).hexdigest()
    with hq.begin() as s:  # changed behind HQ's back
        s.execute(update(StoredFile).where(StoredFile.sha256 == digest)
                  .values(data=b"\xff\xd8\xff other bytes"))
    with pytest.raises(StoredFileError, match="damaged") as damaged:
        hq.event_package(event_id)
    assert damaged.value.status == 500
    with hq.begin() as s:
        s.execute(StoredFile.__table__.delete().where(StoredFile.sha256 == digest))
    with pytest.raises(StoredFileError, match="missing") as missing:
        hq.event_package(event_id)
    assert missing.value.status == 500


# ------------------------------------------------------------------------ the functions
def test_externalise_and_inflate_round_trip() -> None:
    photo = jpeg()
    payload = {"id": "g-1", "photo": b64(photo), "photo_name": "a.jpg", "name": "王"}
    stored, pending = payload_files.externalise("guard", payload)
    assert pending == [(photo, "image/jpeg")]
    assert stored["photo"] == {"stored_file": hashlib.sha256(photo).hexdigest(),
                               "size": len(photo), "media_type": "image/jpeg"}
    assert {k: v for k, v in stored.items() if k != "photo"} == {
        k: v for k, v in payload.items() if k != "photo"}
    # nothing to move: no file, an empty one, another kind's key, non-canonical base64
    for kind, value in (("guard", None), ("guard", ""), ("guard", "QR=="),
                        ("guard", "not base64!"), ("post", b64(photo))):
        unchanged = {"id": "x", "photo": value}
        assert payload_files.externalise(kind, unchanged) == (unchanged, [])
    assert payload_files.media_type_of(b"%PDF-1.7") == "application/pdf"
    assert payload_files.media_type_of(b"\x89PNG\r\n\x1a\nxx") == "image/png"
    assert payload_files.media_type_of(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert payload_files.media_type_of(b"<svg/>") == "application/octet-stream"
    assert not payload_files.is_reference({"stored_file": "0" * 64, "size": True,
                                           "media_type": "x/y"})
    assert not payload_files.is_reference({"stored_file": "0" * 64, "size": 1,
                                           "media_type": "x/y", "more": 1})
    assert payload_files.file_size(b64(b"abcd")) == 4 == payload_files.file_size(
        {"stored_file": "0" * 64, "size": 4, "media_type": "x/y"})


def test_a_bundle_stores_evidence_in_the_file_store(hq: HqStore, tmp_path: Path) -> None:
    """The USB-stick path goes through the same ingest: the evidence lands in the store."""
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    evidence = jpeg((90, 90, 9))
    evidence_file = tmp_path / "evidence.jpg"
    evidence_file.write_bytes(evidence)
    finding_id = finding_with_evidence(Workbench(db), event_id, 0, evidence_file)
    bundle = tmp_path / "laptop.vsbundle"
    service.export_bundle(bundle)
    summary = hq.import_bundle(bundle.read_bytes())
    assert summary["failed"] == 0, summary["errors"]
    stored = row(hq, finding_id)
    assert b64(evidence) not in stored.payload
    assert stored_files(hq)[hashlib.sha256(evidence).hexdigest()] == evidence
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Finding)
                        .where(Finding.evidence_path.is_not(None))) == 1
    again = hq.import_bundle(bundle.read_bytes())
    assert again["stored"] == 0 and again["failed"] == 0 and again["present"] > 0


# ------------------------------------------------------------------------ migration 0013
BEFORE_FILES = "0012_hq_console_indexes"
AFTER_FILES = "0013_hq_payload_files"


def _alembic(engine: Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    url: str = request.getfixturevalue("postgres_db")
    return url


def test_migration_0013_moves_the_files_of_rows_stored_before(db_url: str) -> None:
    """Rows stored inline before: their files move into stored_file (once), their payloads
    keep a reference and their hashes; the package carries them as sent; downgrading puts
    the base64 back, text for text."""
    engine = create_engine(db_url)
    try:
        _alembic(engine, BEFORE_FILES)
        photo, evidence = jpeg((3, 3, 3)), jpeg((250, 250, 0))
        now = datetime(2026, 12, 1, tzinfo=UTC)
        payloads = {
            "e-1": ("event", None, {"id": "e-1", "name": "春季音乐节", "deleted_at": None}),
            "g-1": ("guard", "e-1", {"id": "g-1", "event_id": "e-1", "name": "王",
                                     "photo": b64(photo), "photo_name": "a.jpg"}),
            "g-2": ("guard", "e-1", {"id": "g-2", "event_id": "e-1", "name": "李",
                                     "photo": b64(photo), "photo_name": "b.jpg"}),
            "g-3": ("guard", "e-1", {"id": "g-3", "event_id": "e-1", "name": "赵",
                                     "photo": "QR==", "photo_name": "c.jpg"}),
            "g-4": ("guard", "e-1", {"id": "g-4", "event_id": "e-1", "name": "钱",
                                     "photo": None, "photo_name": None}),
            "f-1": ("finding", "e-1", {"id": "f-1", "event_id": "e-1",
                                       "note": 'says "evidence":"x"',
                                       "evidence": b64(evidence), "evidence_name": "f.jpg"}),
        }
        texts = {record_id: canonical_json(p).decode("utf-8")
                 for record_id, (_kind, _event, p) in payloads.items()}
        proposal = {"id": "g-4", "event_id": "e-1", "name": "钱", "photo": b64(evidence),
                    "photo_name": "d.jpg"}
        with engine.begin() as connection:
            for record_id, (kind, event_id, payload) in payloads.items():
                connection.execute(insert(RecordRow.__table__).values(
                    id=record_id, kind=kind, content_hash=content_hash(payload),
                    payload=texts[record_id], device_id=HQ_DEVICE, event_id=event_id,
                    updated_at="2026-12-01T00:00:00+00:00", received_at=now))
            connection.execute(insert(RecordProposal.__table__).values(
                record_id="g-4", device_id="laptop-1", kind="guard",
                content_hash=content_hash(proposal),
                payload=canonical_json(proposal).decode("utf-8"), event_id="e-1",
                updated_at="2026-12-02T00:00:00+00:00", received_at=now))
        _alembic(engine, AFTER_FILES)
        with engine.connect() as connection:
            after = dict(connection.execute(select(RecordRow.id, RecordRow.payload)).all())
            hashes = dict(connection.execute(select(RecordRow.id,
                                                    RecordRow.content_hash)).all())
            proposed = connection.execute(select(RecordProposal.payload)).scalar_one()
            stored = {d: (size, media, bytes(data)) for d, size, media, data in
                      connection.execute(select(StoredFile.sha256, StoredFile.size,
                                                StoredFile.media_type, StoredFile.data))}
        photo_ref = {"media_type": "image/jpeg", "size": len(photo),
                     "stored_file": hashlib.sha256(photo).hexdigest()}
        evidence_ref = {"media_type": "image/jpeg", "size": len(evidence),
                        "stored_file": hashlib.sha256(evidence).hexdigest()}
        assert stored == {photo_ref["stored_file"]: (len(photo), "image/jpeg", photo),
                          evidence_ref["stored_file"]: (len(evidence), "image/jpeg",
                                                        evidence)}  # each once
        assert json.loads(after["g-1"])["photo"] == json.loads(after["g-2"])["photo"] \
            == photo_ref
        assert json.loads(after["f-1"])["evidence"] == evidence_ref
        assert json.loads(proposed)["photo"] == evidence_ref
        assert all(b64(photo) not in text and b64(evidence) not in text
                   for text in [*after.values(), proposed])
        # left as they were: no file, another spelling, no file key
        assert {k: after[k] for k in ("e-1", "g-3", "g-4")} == {
            k: texts[k] for k in ("e-1", "g-3", "g-4")}
        assert hashes == {k: content_hash(p) for k, (_kind, _e, p) in payloads.items()}
        with Session(engine) as s:
            for record_id in ("g-1", "g-2", "f-1"):
                kind, _event, payload = payloads[record_id]
                assert payload_files.inflate(s, kind, json.loads(after[record_id])) == payload

        _alembic(engine, BEFORE_FILES, down=True)  # and back: the base64 in its row again
        with engine.connect() as connection:
            back = dict(connection.execute(select(RecordRow.id, RecordRow.payload)).all())
            proposed = connection.execute(select(RecordProposal.payload)).scalar_one()
        assert back == texts and proposed == canonical_json(proposal).decode("utf-8")
    finally:
        engine.dispose()

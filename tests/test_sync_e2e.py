"""Sync end to end, against a real headquarters process on loopback: pull a package, work
offline, sync; HQ killed in the middle of a sync; bundles by USB stick; tampered files;
unknown and revoked devices; TLS pinning."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text, update

from app.evaluation.report import EvaluationService
from app.evaluation.signing import ensure_supervisor_identity, load_signer
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Evaluation, Finding, Outbox
from app.sync.client import SyncService
from app.sync.kinds import MODELS
from app.sync.records import load_records
from app.sync.state import HQ_TOKEN, SyncError
from app.sync.upload import OutboxUpload
from tests.helpers.hq_process import HqProcess, last_json, run_app

pytestmark = pytest.mark.slow
PASSPHRASE = b"correct horse battery staple"


@pytest.fixture
def hq(tmp_path: Path):
    server = HqProcess(f"sqlite:///{tmp_path / 'hq.sqlite3'}", tmp_path).start()
    yield server
    server.stop(kill=True)


@pytest.fixture
def hq_on_postgres(tmp_path: Path, postgres_db: str):
    server = HqProcess(postgres_db, tmp_path).start()
    yield server
    server.stop(kill=True)


def hq_records(db_url: str) -> dict[str, tuple[str, str, str]]:
    """id -> (kind, content hash, device) of every record HQ holds."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, kind, content_hash, device_id FROM record")).all()
    engine.dispose()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def laptop_records(db: Database) -> dict[str, tuple[str, str]]:
    """id -> (kind, content hash) of every synced row in the profile, as it is now."""
    found: dict[str, tuple[str, str]] = {}
    with db.read() as s:
        for kind, model in MODELS.items():
            ids = list(s.scalars(select(model.id)))
            for record in load_records(s, kind, ids, db.data_dir).values():
                found[record.id] = (kind, record.hash)
    return found


def enrolled_laptop(hq: HqProcess, folder: Path) -> tuple[Database, SyncService]:
    db = Database(folder)
    service = SyncService(db)
    service.enrol(hq.url, hq.enrol_code())
    return db, service


def work_offline(db: Database, event_id: str) -> set[str]:
    """A few rounds and a signed evaluation; returns the ids of the records made."""
    workbench = Workbench(db)
    before = set(laptop_records(db))
    guards = [g for g in workbench.guards(event_id) if g.post_id][:12]
    template = workbench.template(event_id)
    for index, guard in enumerate(guards):
        scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
        inspection = workbench.record_scan(event_id, scan)
        items = template.items_for(scan.post.task_type if scan.post else "")
        if index % 4 == 0:
            state = workbench.set_item(inspection.id, items[0], False)
            workbench.update_finding(state.finding_id or "", note="未佩戴保安服务标志",
                                     correction="corrected")
        workbench.mark_all_compliant(inspection.id, items)
    posts = workbench.posts(event_id)
    workbench.set_post_status(event_id, posts[0].id, "absent", 0, "无人在岗")
    service = EvaluationService(db)
    draft = service.draft(event_id)
    service.update_draft(draft.id, comment="总体良好", supervisor_name="李建国")
    p12 = ensure_supervisor_identity(db, "李建国", PASSPHRASE)
    from app.demo import demo_signature_png

    service.sign(draft.id, demo_signature_png(), load_signer(p12, PASSPHRASE))
    return set(laptop_records(db)) - before


def test_pull_work_unplugged_then_sync_delivers_exactly_the_records_made(
        hq: HqProcess, tmp_path: Path) -> None:
    event_id = str(last_json(hq.hq("demo-event").stdout)["event_id"])
    db, service = enrolled_laptop(hq, tmp_path / "laptop")
    events = service.remote_events()
    assert [e.id for e in events] == [event_id]
    summary = service.pull_event(event_id)
    assert summary.created["guard"] == 606 and summary.trusted_issuers >= 1
    assert service.pending_count() == 0  # what came from HQ is not sent back

    # The same package on a USB stick, for a second laptop: the command forms HQ uses.
    stick = tmp_path / "usb" / "event.vspkg"
    hq.hq("export-package", "--event", event_id, "--out", str(stick))
    second = tmp_path / "second-laptop"
    run_app("--data-dir", str(second), "enrol", "--hq", hq.url, "--code", hq.enrol_code())
    imported = last_json(run_app("--data-dir", str(second), "import-package", str(stick)).stdout)
    assert imported["event_id"] == event_id and imported["created"]["guard"] == 606  # type: ignore[index]

    hq.stop()  # network unplugged
    made = work_offline(db, event_id)
    with pytest.raises(SyncError, match="cannot be reached"):
        service.sync()
    assert service.status().last_error
    pending = service.pending_count()
    assert pending == len(made)

    hq.start()
    outcome = service.sync()
    assert (outcome.sent, outcome.failed, outcome.pending) == (len(made), 0, 0)
    at_hq = hq_records(hq.db_url)
    mine = laptop_records(db)
    from_laptop = {rid for rid, (_k, _h, device) in at_hq.items() if device != "hq"}
    assert from_laptop == made
    assert all(at_hq[rid][1] == mine[rid][1] for rid in made)
    stats = hq.stats()
    assert stats["evaluations"] == 1 and stats["signed_pdfs"] == 1
    assert stats["inspections"] == 12
    again = service.sync()
    assert (again.sent, again.already_present, again.failed) == (0, 0, 0)


def test_hq_killed_mid_sync_loses_nothing_and_duplicates_nothing(
        hq: HqProcess, tmp_path: Path) -> None:
    killed_mid_sync_then_complete(hq, tmp_path)


def test_hq_on_postgresql_killed_after_storing_before_answering(
        hq_on_postgres: HqProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    killed_mid_sync_then_complete(hq_on_postgres, tmp_path, monkeypatch)


def killed_mid_sync_then_complete(hq: HqProcess, tmp_path: Path,
                                  lose_answer: pytest.MonkeyPatch | None = None) -> None:
    """Between two batches; or, with ``lose_answer``, after HQ stored the second batch but
    before the laptop could note the answer (the worst moment: HQ has records the laptop
    still counts as pending)."""
    profile = tmp_path / "laptop"
    run_app("--data-dir", str(profile), "seed-demo", "--inspections", "120")
    db, service = enrolled_laptop(hq, profile)
    total = service.pending_count()
    assert total > 1500
    killed = threading.Event()

    def kill_after_first_batch(done: int, _total: int) -> None:
        if lose_answer is None and done > 0 and not killed.is_set():
            killed.set()
            hq.stop(kill=True)

    if lose_answer is not None:
        acknowledge = OutboxUpload._acknowledge
        calls: list[int] = []

        def answer_lost(self: OutboxUpload, ids: list[str], newest: dict[str, int]) -> None:
            if ids:
                calls.append(len(ids))
            if len(calls) == 2 and not killed.is_set():
                killed.set()
                hq.stop(kill=True)
                raise SyncError("the connection dropped before the answer arrived")
            acknowledge(self, ids, newest)

        lose_answer.setattr(OutboxUpload, "_acknowledge", answer_lost)
    with pytest.raises(SyncError):
        service.sync(progress=kill_after_first_batch)
    assert killed.is_set()
    remaining = service.pending_count()
    assert 0 < remaining < total
    if lose_answer is not None:
        lose_answer.undo()

    hq.start()
    outcome = service.sync()
    assert outcome.failed == 0 and outcome.pending == 0
    if lose_answer is not None:  # HQ had them: recognised, not stored twice
        assert outcome.already_present >= 500
    at_hq = hq_records(hq.db_url)
    mine = laptop_records(db)
    assert set(at_hq) == set(mine)
    assert all(at_hq[rid][1] == mine[rid][1] for rid in mine)
    stats = hq.stats()
    with db.read() as s:
        for kind, model in MODELS.items():
            count = s.scalar(select(func.count()).select_from(model))
            assert stats[f"{kind}s" if kind not in ("company", "post_status") else
                         {"company": "companies", "post_status": "post_statuses"}[kind]] \
                == count, kind
    # a record is never deleted locally because it was sent
    assert len(mine) >= total


def test_sync_command_prints_counts_and_bundle_imports_idempotently(
        hq: HqProcess, tmp_path: Path) -> None:
    profile = tmp_path / "laptop"
    run_app("--data-dir", str(profile), "seed-demo", "--inspections", "40")
    run_app("--data-dir", str(profile), "enrol", "--hq", hq.url, "--code", hq.enrol_code())
    bundle = tmp_path / "usb" / "laptop.vsbundle"
    exported = last_json(run_app("--data-dir", str(profile), "export-bundle",
                                 "--out", str(bundle)).stdout)
    count = int(exported["records"])  # type: ignore[arg-type]
    assert count > 500

    first = last_json(hq.hq("import-bundle", str(bundle)).stdout)
    assert (first["stored"], first["present"], first["failed"]) == (count, 0, 0)
    state = hq_records(hq.db_url)
    second = last_json(hq.hq("import-bundle", str(bundle)).stdout)
    assert (second["stored"], second["present"], second["failed"]) == (0, count, 0)
    assert hq_records(hq.db_url) == state

    tampered = tmp_path / "usb" / "tampered.vsbundle"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused = hq.hq("import-bundle", str(tampered), check=False)
    assert refused.returncode != 0
    assert "bundle" in refused.stderr and "Traceback" not in refused.stderr
    assert hq_records(hq.db_url) == state

    # the laptop sees HQ holds everything: marked sent without sending again
    result = run_app("--data-dir", str(profile), "sync")
    outcome = last_json(result.stdout)
    assert (outcome["sent"], outcome["already_present"], outcome["failed"]) == (0, count, 0)


def test_a_tampered_evaluation_pdf_is_refused_and_the_rest_arrives(
        hq: HqProcess, tmp_path: Path) -> None:
    profile = tmp_path / "laptop"
    run_app("--data-dir", str(profile), "seed-demo", "--inspections", "30")
    db, service = enrolled_laptop(hq, profile)
    with db.begin() as s:
        evaluation = s.scalars(select(Evaluation)).one()
        pdf = db.data_dir / (evaluation.pdf_path or "")
        data = bytearray(pdf.read_bytes())
        index = data.index(b"/Contents")  # inside the signed byte range's first part
        data[index - 40] ^= 0x20
        pdf.write_bytes(bytes(data))
        import hashlib

        evaluation.pdf_sha256 = hashlib.sha256(bytes(data)).hexdigest()
        evaluation_id = evaluation.id
    result = run_app("--data-dir", str(profile), "sync", check=False)
    assert result.returncode != 0
    outcome = last_json(result.stdout)
    assert outcome["failed"] == 1 and outcome["sent"] > 100
    assert any(evaluation_id in error and "signature" in error.lower()
               for error in outcome["errors"])  # type: ignore[union-attr]
    assert evaluation_id not in hq_records(hq.db_url)
    assert hq.stats()["signed_pdfs"] == 0
    with db.read() as s:
        waiting = s.scalar(select(func.count()).where(Outbox.record_id == evaluation_id,
                                                      Outbox.acknowledged_at.is_(None)))
    assert waiting and waiting > 0  # still pending, retried on the next sync


def test_unknown_and_revoked_devices_are_refused(hq: HqProcess, tmp_path: Path) -> None:
    db, service = enrolled_laptop(hq, tmp_path / "laptop")
    device_id = db.setting("hq.device_id")
    token = db.setting(HQ_TOKEN) or ""
    db.set_setting(HQ_TOKEN, token.split(".")[0] + ".not-the-secret")
    with pytest.raises(SyncError, match="does not accept"):
        service.sync()
    db.set_setting(HQ_TOKEN, "0b7a3c52-5f0e-4d1c-9a2b-6c8d9e0f1a2b." + token.split(".")[1])
    with pytest.raises(SyncError, match="does not accept"):  # a device HQ never enrolled
        service.sync()
    db.set_setting(HQ_TOKEN, token)
    assert service.sync().failed == 0
    hq.hq("revoke-device", str(device_id))
    with pytest.raises(SyncError, match="refused"):
        service.sync()
    with pytest.raises(SyncError):
        SyncService(Database(tmp_path / "other")).sync(hq.url)
    # a used enrolment code does not enrol a second laptop
    code = hq.enrol_code()
    SyncService(Database(tmp_path / "second")).enrol(hq.url, code)
    with pytest.raises(SyncError, match="refused|not"):
        SyncService(Database(tmp_path / "third")).enrol(hq.url, code)


def test_tls_pins_the_enrolled_certificate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    certs = tmp_path / "certs"
    certs.mkdir()
    run_app("hq", "make-cert", "--db", url, "--cert", str(certs / "a.pem"),
            "--key", str(certs / "a.key"))
    run_app("hq", "make-cert", "--db", url, "--cert", str(certs / "b.pem"),
            "--key", str(certs / "b.key"))
    server = HqProcess(url, tmp_path, certs / "a.pem", certs / "a.key").start()
    try:
        code = server.enrol_code()
        with pytest.raises(SyncError, match="fingerprint"):
            SyncService(Database(tmp_path / "wary")).enrol(server.url, code,
                                                          fingerprint="00" * 32)
        db = Database(tmp_path / "laptop")
        service = SyncService(db)
        service.enrol(server.url, code)  # the refused attempt did not use the code up
        Workbench(db).save_event(EventInput(name="测试活动"))
        assert service.sync().sent >= 1
        server.stop()
        server.cert, server.key = certs / "b.pem", certs / "b.key"  # an impostor's
        server.start()
        with pytest.raises(SyncError, match="certificate"):
            service.sync()
    finally:
        server.stop(kill=True)


def test_records_stay_after_sync(hq: HqProcess, tmp_path: Path) -> None:
    profile = tmp_path / "laptop"
    run_app("--data-dir", str(profile), "seed-demo", "--inspections", "20")
    db, service = enrolled_laptop(hq, profile)
    before = laptop_records(db)
    service.sync()
    assert laptop_records(db) == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) >= len(before)
    with db.begin() as s:  # an acknowledged record changed again goes again
        finding_id = s.scalars(select(Finding.id).limit(1)).one()
        s.execute(update(Finding).where(Finding.id == finding_id).values(note="补充说明"))
    assert service.pending_count() == 1
    assert service.sync().sent == 1

"""Issue 10, items 4 and 6: nothing a laptop, a package, a bundle or HQ's database holds lets
an ID number be recovered, and HQ's private keys are sealed with a passphrase at rest.

Item 4 was: the masked ID number, its HMAC and the HMAC's key (``event.id_salt``) side by
side in the profile, in every package and at HQ; trying the hidden birth-date and region
digits recovered 20 of 20 guards. Item 6 was: HQ's package-signing key in clear in its
database (mode 0644); with it a package adding a foreign badge issuer was signed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook
from sqlalchemy import create_engine, event, select

from app.hq.database import HQ_DB_ENV, default_db_url
from app.hq.key_ring import PACKAGE_KEY_SETTING, PSEUDONYM_KEY_SETTING
from app.hq.keys import PASSPHRASE_FILE_ENV, PROTECTION_SETTING, SEALED_PREFIX, KeyAccessError
from app.hq.models import PersonPseudonym
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.inspection.identity import id_check_char
from app.inspection.roster import check_roster
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import DB_FILENAME, Database, configure_sqlite
from app.profile.models import Event, Guard
from app.sync.protocol import (
    PACKAGE_FORMAT,
    Record,
    SignedFileError,
    content_hash,
    raw_public_key,
    read_signed,
    write_signed,
)
from app.sync.records import payload_of, record_of
from tests.conftest import FIXTURE_ROSTER, REPO
from tests.helpers.hq_process import (
    KEY_PASSPHRASE,
    HqProcess,
    key_passphrase_env,
    last_json,
    run_app,
)
from tests.test_hq_store import enrol_device
from tests.test_workbench import fixture_ids

MASKED = re.compile(r"\d{3}\*{11}[\dX]{4}")
HEX64 = re.compile(rb"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")
HEX32 = re.compile(rb"(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])")
SALT_FIELD = re.compile(rb'"[A-Za-z_]*salt[A-Za-z_]*"\s*:\s*"([^"]*)"')
RETIRED = ("id_hash", "id_salt")
# What differs between two imports of the same roster: ids, clocks, the device.
VOLATILE = {"id", "event_id", "post_id", "company_id", "created_at", "updated_at", "device_id"}


# ---------------------------------------------------------------------- helpers
def hq_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VENUE_SUPERVISOR_LANG="en", **extra)
    if PASSPHRASE_FILE_ENV not in extra:
        env.pop(PASSPHRASE_FILE_ENV, None)
    return env


def run_hq(*args: str, env: dict[str, str] | None = None,
           timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """``python -m app hq ARGS`` as HQ staff type it, never with an inherited passphrase."""
    return subprocess.run([sys.executable, "-m", "app", "hq", *args], cwd=REPO,
                          env=env or hq_env(), capture_output=True, text=True,
                          timeout=timeout)


def passphrase_file(folder: Path, text: str = KEY_PASSPHRASE, name: str = "pass.txt") -> Path:
    path = folder / name
    path.touch(mode=0o600)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def all_bytes(path: Path) -> bytes:
    """A file's bytes, unpacked too when it is gzip (packages and bundles)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data += b"\n" + gzip.decompress(data)
    return data


def sqlite_bytes(path: Path) -> bytes:
    """A SQLite database's file with its -wal and -shm, as a thief copies them."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def variant_id(id_number: str) -> str:
    """Another valid ID number with the same first three and last four characters: what a
    person trying the hidden digits would have to tell apart from the real one."""
    for region in range(100):
        for day in range(1, 29):
            first17 = f"{id_number[:3]}{region:03d}{id_number[6:12]}{day:02d}{id_number[14:17]}"
            if first17 != id_number[:17] and id_check_char(first17) == id_number[17]:
                return first17 + id_number[17]
    raise AssertionError("no variant found")


def roster_with_id(roster: Path, tmp_path: Path, row_index: int, id_number: str) -> Path:
    """A copy of the roster with one guard's ID number changed."""
    workbook = load_workbook(roster)
    sheet = workbook.worksheets[0]
    sheet.cell(row=3 + row_index, column=4).value = id_number
    path = tmp_path / f"roster-{id_number}.xlsx"
    workbook.save(path)
    return path


SMALL_GUARDS = 20


@pytest.fixture(scope="module")
def small_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture roster's first 20 guards, as the company's spreadsheet."""
    workbook = load_workbook(FIXTURE_ROSTER)
    sheet = workbook.worksheets[0]
    sheet.delete_rows(3 + SMALL_GUARDS, sheet.max_row)
    path = tmp_path_factory.mktemp("roster") / "roster-20.xlsx"
    workbook.save(path)
    return path


def hq_settings(db_file: Path) -> dict[str, str]:
    """HQ's settings read straight from the file, without the app or a passphrase."""
    conn = sqlite3.connect(db_file)
    try:
        return dict(conn.execute("SELECT key, value FROM hq_setting").fetchall())
    finally:
        conn.close()


def key_encodings(secret: bytes) -> list[bytes]:
    """Every way a key could sit in a file: raw, hex, base64 (standard and url-safe)."""
    return [secret, secret.hex().encode(), secret.hex().upper().encode(),
            base64.b64encode(secret), base64.urlsafe_b64encode(secret),
            base64.b64encode(secret).rstrip(b"=")]


def package_pems(key: Ed25519PrivateKey) -> list[bytes]:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return [der, pem, base64.b64encode(der)]


def records_of_signed(path: Path) -> list[dict[str, Any]]:
    envelope = json.loads(gzip.decompress(path.read_bytes()))
    return json.loads(envelope["body"])["records"]


@pytest.fixture
def sealed_store(tmp_path: Path) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    store.unlock_keys(KEY_PASSPHRASE.encode())
    yield store
    store.close()


# ============================================================ item 4: no ID number
def assert_nothing_recovers_an_id(blobs: dict[str, bytes], ids: tuple[str, ...]) -> None:
    """No ID number, no 17 leading digits, no id_hash / id_salt, and no 64-hex value that is
    the HMAC of any ID number under any 32-hex value or any field named like a salt stored
    anywhere (the former salts were 32 hex digits; the one salt field left is the key
    derivation salt of HQ's sealed keys, tried too)."""
    everything = b"\n".join(blobs.values())
    for name, data in blobs.items():
        for field in RETIRED:
            assert field.encode() not in data, (name, field)
    for id_number in ids:
        assert id_number.encode() not in everything
        assert id_number[:17].encode() not in everything
    digests = {m.lower() for m in HEX64.findall(everything)}
    salts = {m.lower() for m in HEX32.findall(everything)}
    for value in SALT_FIELD.findall(everything):
        salts.add(value)
        try:
            salts.add(base64.b64decode(value, validate=True))
        except ValueError:
            pass
    tried = 0
    for salt in salts:
        for id_number in ids:
            digest = hmac.new(salt, id_number.encode(), hashlib.sha256).hexdigest().encode()
            assert digest not in digests, (salt, id_number)
            tried += 1
    assert digests  # content hashes are there: the search did look at 64-hex values


@pytest.mark.slow
def test_profile_package_bundle_and_hq_hold_nothing_that_recovers_an_id(
        tmp_path: Path) -> None:
    """The documented way: HQ prepares an event from the roster (add-event), exports its
    package; a laptop enrols, imports it, imports the roster itself for an event of its
    own, writes a bundle; HQ imports the bundle. Then every byte of the profile, the package,
    the bundle and HQ's database is searched."""
    ids = fixture_ids(FIXTURE_ROSTER)
    hq_db = tmp_path / "hq.sqlite3"
    hq = HqProcess(f"sqlite:///{hq_db}", tmp_path).start()
    profile = tmp_path / "laptop"
    package, bundle = tmp_path / "event.vspkg", tmp_path / "laptop.vsbundle"
    try:
        added = hq.hq("add-event", "--roster", str(FIXTURE_ROSTER), "--name", "演唱会",
                      check=False)
        assert added.returncode in (0, 1), added.stderr  # 1: the roster's own warnings
        event_id = str(last_json(added.stdout)["event_id"])
        hq.hq("export-package", "--event", event_id, "--out", str(package))
        run_app("--data-dir", str(profile), "enrol", "--hq", hq.url, "--code", hq.enrol_code())
        run_app("--data-dir", str(profile), "import-package", str(package))
        run_app("--data-dir", str(profile), "roster", "import", str(FIXTURE_ROSTER), "--event",
                "笔记本上的活动", check=False)
        run_app("--data-dir", str(profile), "export-bundle", "--out", str(bundle))
        imported = last_json(hq.hq("import-bundle", str(bundle), check=False).stdout)
        assert imported["stored"] >= 600, imported  # the laptop's own event and guards
    finally:
        hq.stop()

    # The laptop's table has no column for a hash of the ID number, and the package, the
    # bundle and HQ's records no field: there is nothing to test a guessed number against.
    conn = sqlite3.connect(profile / DB_FILENAME)
    try:
        for table in ("guard", "event"):
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert not columns & set(RETIRED), table
            assert not any("hash" in c or "salt" in c for c in columns), columns
        masked = [m for (m,) in conn.execute("SELECT id_masked FROM guard")]
    finally:
        conn.close()
    assert len(masked) == 1200 and all(MASKED.fullmatch(m) for m in masked)
    for path in (package, bundle):
        records = records_of_signed(path)
        guards = [r["payload"] for r in records if r["kind"] == "guard"]
        assert len(guards) == 600
        for record in records:
            assert not set(record["payload"]) & set(RETIRED), record["kind"]
        assert all(MASKED.fullmatch(g["id_masked"]) for g in guards)
    conn = sqlite3.connect(hq_db)
    try:
        for (text,) in conn.execute("SELECT payload FROM record"):
            assert not set(json.loads(text)) & set(RETIRED)
        pseudonyms = [p for (p,) in conn.execute("SELECT pseudonym FROM person_pseudonym")]
    finally:
        conn.close()
    assert len(pseudonyms) == 600  # HQ read the roster itself: its keyed pseudonyms

    blobs = {str(p): all_bytes(p) for p in profile.rglob("*") if p.is_file()}
    blobs[str(package)] = all_bytes(package)
    blobs[str(bundle)] = all_bytes(bundle)
    blobs[str(hq_db)] = sqlite_bytes(hq_db)
    assert_nothing_recovers_an_id(blobs, ids)
    # The pseudonyms stay at HQ: none is in the package, the bundle or the profile ...
    outside = b"".join(data for name, data in blobs.items() if name != str(hq_db))
    assert not any(p.encode() in outside for p in pseudonyms)
    # ... and their key is in no file in any form (sealed: see item 6).
    store = HqStore(f"sqlite:///{hq_db}")
    try:
        store.unlock_keys(KEY_PASSPHRASE.encode())
        key = store.keys.secret(PSEUDONYM_KEY_SETTING, 32)
        assert store.pseudonym_of(ids[0]) in pseudonyms
    finally:
        store.close()
    everything = b"".join(blobs.values())
    assert not any(form in everything for form in key_encodings(key))


def test_hidden_digits_leave_no_trace_in_what_is_stored(tmp_path: Path) -> None:
    """Brute force needs something to test a candidate against. Two rosters whose guard has
    different ID numbers with the same visible 3 + 4 characters give the laptop the very
    same row and payload, and HQ the very same record: no stored value depends on the
    hidden digits, so no candidate can be told from another (HQ's pseudonym differs, under
    a key that never leaves HQ)."""
    ids = fixture_ids(FIXTURE_ROSTER)
    real = ids[0]
    other = variant_id(real)
    assert other[:3] == real[:3] and other[-4:] == real[-4:] and other != real
    full = check_roster(FIXTURE_ROSTER)
    report = replace(full, rows=full.rows[:SMALL_GUARDS])
    row = next(r for r in report.rows if r.id_number == real)
    variant = replace(report, rows=[replace(r, id_number=other) if r is row else r
                                    for r in report.rows])

    def laptop_payloads(folder: Path, roster: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        db = Database(folder)
        try:
            workbench = Workbench(db)
            event_id = workbench.save_event(EventInput(name="演唱会"))
            workbench.import_roster(event_id, roster)
            with db.read() as s:
                guard = s.scalar(select(Guard).where(Guard.cert_no == row.cert_no))
                assert guard is not None
                event_row = s.get(Event, event_id)
                assert event_row is not None
                return (payload_of("guard", guard, db.data_dir),
                        payload_of("event", event_row, db.data_dir))
        finally:
            db.close()

    first, first_event = laptop_payloads(tmp_path / "a", report)
    second, second_event = laptop_payloads(tmp_path / "b", variant)
    assert MASKED.fullmatch(first["id_masked"])
    assert {k: v for k, v in first.items() if k not in VOLATILE} == \
        {k: v for k, v in second.items() if k not in VOLATILE}
    assert {k: v for k, v in first_event.items() if k not in VOLATILE} == \
        {k: v for k, v in second_event.items() if k not in VOLATILE}


def test_hq_records_do_not_depend_on_the_hidden_digits(tmp_path: Path,
                                                      small_roster: Path) -> None:
    """HQ reading the roster itself (add-event): the stored guard record is the same for two
    numbers that share their visible digits; only the keyed pseudonym tells them apart."""
    ids = fixture_ids(FIXTURE_ROSTER)
    other = variant_id(ids[0])
    payloads, pseudonyms = [], []
    for name, roster in (("a", small_roster),
                         ("b", roster_with_id(small_roster, tmp_path, 0, other))):
        store = HqStore(f"sqlite:///{tmp_path / f'hq-{name}.sqlite3'}")
        try:
            store.unlock_keys(KEY_PASSPHRASE.encode())
            event_id, _summary = store.add_event(roster, "演唱会")
            cert = check_roster(roster).rows[0].cert_no
            with store.Session() as s:
                guards = [json.loads(r.payload) for r in s.scalars(select(RecordRow).where(
                    RecordRow.kind == "guard", RecordRow.event_id == event_id))]
                guard = next(g for g in guards if g["cert_no"] == cert)
                pseudonyms.append(s.get(PersonPseudonym, guard["id"]).pseudonym)
            payloads.append({k: v for k, v in guard.items() if k not in VOLATILE})
        finally:
            store.close()
    assert payloads[0] == payloads[1]
    assert not set(payloads[0]) & set(RETIRED)
    assert pseudonyms[0] != pseudonyms[1]


def test_pseudonyms_match_a_person_across_events_at_hq_only(sealed_store: HqStore,
                                                            tmp_path: Path,
                                                            small_roster: Path) -> None:
    ids = fixture_ids(FIXTURE_ROSTER)
    first, _ = sealed_store.add_event(small_roster, "演唱会 第一场")
    second, _ = sealed_store.add_event(small_roster, "演唱会 第二场")
    pseudonym = sealed_store.pseudonym_of(ids[0])
    assert re.fullmatch(r"[0-9a-f]{64}", pseudonym)
    assert sealed_store.pseudonym_of(f" {ids[0].lower()} ") == pseudonym  # normalised
    assert sealed_store.events_of_person(pseudonym) == sorted([first, second])
    assert sealed_store.events_of_person(sealed_store.pseudonym_of(variant_id(ids[0]))) == []
    # Under the key of another HQ the same number gives another pseudonym: it is keyed.
    other = HqStore(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        other.unlock_keys(b"another passphrase")
        assert other.pseudonym_of(ids[0]) != pseudonym
    finally:
        other.close()
    package = gzip.decompress(sealed_store.event_package(first))
    with sealed_store.Session() as s:
        every = list(s.scalars(select(PersonPseudonym.pseudonym)))
    assert len(every) == 2 * SMALL_GUARDS
    assert not any(p.encode() in package for p in every)


def test_a_0006_profile_loses_its_hashes_and_keeps_its_triggers(profile_dir: Path) -> None:
    """Migration 0007 on a profile made before it: the salt and hashes are gone (from the
    tables and from the file's free space), the masked numbers are cut to 3 + 4, and the
    outbox triggers survive (the columns are dropped in place, not by a table copy)."""
    path = profile_dir / DB_FILENAME
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", configure_sqlite)
    config = Config()
    config.set_main_option("script_location", str(REPO / "app" / "profile" / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006_head_count_indexes")
    engine.dispose()
    salt, digest = "5a1f" * 8, "d1e5" * 16
    stamp = ("2026-11-01 08:00:00.000000", "2026-11-01 08:00:00.000000", "device-1")
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO event (id, name, venue, organizer, expected_attendance, "
                 "venue_capacity, risk_level, event_kind, checklist_template, id_salt, "
                 "created_at, updated_at, device_id) VALUES ('e1', '旧活动', '', '', 0, 0, "
                 "'low', 'commercial', 'checklist', ?, ?, ?, ?)", (salt, *stamp))
    conn.execute("INSERT INTO guard (id, event_id, roster_row, name, gender, id_masked, "
                 "id_hash, cert_no, cert_key, company_name, phone, background_check, trained, "
                 "created_at, updated_at, device_id) VALUES ('g1', 'e1', 3, '张三', '男', "
                 "'2111**********123X', ?, '辽100000000001', '100000000001', '', '', "
                 "'passed', 1, ?, ?, ?)", (digest, *stamp))
    conn.commit()
    triggers_before = sorted(r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='trigger'"))
    conn.close()

    db = Database(profile_dir)
    db.close()
    conn = sqlite3.connect(path)
    try:
        assert {r[1] for r in conn.execute("PRAGMA table_info(guard)")}.isdisjoint(RETIRED)
        assert {r[1] for r in conn.execute("PRAGMA table_info(event)")}.isdisjoint(RETIRED)
        assert conn.execute("SELECT id_masked, name FROM guard").fetchone() == (
            "211***********123X", "张三")
        assert sorted(r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='trigger'")) == triggers_before
        assert len(triggers_before) == 18
        # the outbox trigger saw the masked number change: the guard goes to HQ again
        assert conn.execute("SELECT count(*) FROM outbox WHERE record_id = 'g1' AND "
                            "acknowledged_at IS NULL").fetchone()[0] >= 1
    finally:
        conn.close()
    data = sqlite_bytes(path)
    assert salt.encode() not in data and digest.encode() not in data


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql",
                                                               marks=pytest.mark.slow)])
def test_hq_migration_strips_stored_payloads_like_the_laptop(
        tmp_path: Path, profile_dir: Path, database: str,
        request: pytest.FixtureRequest) -> None:
    """HQ's migration: every stored guard and event payload loses id_hash / id_salt, its
    masked number is cut to 3 + 4 and its hash computed again; the result is exactly the
    payload and hash the migrated laptop computes for the same row, so the two agree."""
    db = Database(profile_dir)
    try:
        workbench = Workbench(db)
        event_id = workbench.save_event(EventInput(name="演唱会"))
        report = check_roster(FIXTURE_ROSTER)
        workbench.import_roster(event_id, replace(report, rows=report.rows[:3]))
        with db.read() as s:
            guard = s.scalars(select(Guard)).first()
            assert guard is not None
            event_row = s.get(Event, event_id)
            assert event_row is not None
            new_guard = record_of("guard", guard, db.data_dir)
            new_event = record_of("event", event_row, db.data_dir)
    finally:
        db.close()
    id_number = report.rows[0].id_number
    old_guard = dict(new_guard.payload, id_hash="ab" * 32,
                     id_masked=id_number[:4] + "*" * 10 + id_number[-4:])
    old_event = dict(new_event.payload, id_salt="cd" * 16)
    untouched = Record.of("inspection", {"id": "i1", "event_id": event_id,
                                         "updated_at": "2026-12-12T08:00:00+00:00",
                                         "id_hash": "not a guard's"})
    url = (f"sqlite:///{tmp_path / 'hq.sqlite3'}" if database == "sqlite"
           else str(request.getfixturevalue("postgres_db")))
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(REPO / "app" / "hq" / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001_hq_initial")
        for record in (Record.of("guard", old_guard), Record.of("event", old_event), untouched):
            connection.execute(RecordRow.__table__.insert().values(
                id=record.id, kind=record.kind, content_hash=record.hash,
                payload=json.dumps(record.payload, ensure_ascii=False), device_id="laptop",
                event_id=event_id, updated_at=record.payload["updated_at"],
                received_at=datetime.now(UTC)))
    engine.dispose()

    store = HqStore(url)  # upgrades to head
    try:
        with store.Session() as s:
            held = {r.id: r for r in s.scalars(select(RecordRow))}
        for new in (new_guard, new_event):
            row = held[new.id]
            assert json.loads(row.payload) == new.payload
            assert row.content_hash == new.hash == content_hash(json.loads(row.payload))
        assert held["i1"].content_hash == untouched.hash  # other kinds are left alone
    finally:
        store.close()
    if database == "sqlite":  # and not left in the file's free space
        data = sqlite_bytes(tmp_path / "hq.sqlite3")
        assert b"ab" * 32 not in data and b"cd" * 16 not in data


def test_an_old_package_carrying_the_retired_fields_is_applied_without_them(
        sealed_store: HqStore, profile_dir: Path, small_roster: Path) -> None:
    """A package an HQ wrote before the upgrade (USB stick): the laptop checks it as it was
    signed, then drops id_salt / id_hash and stores none of it."""
    from app.sync.client import SyncService
    from app.sync.state import HQ_PACKAGE_KEY

    event_id, _summary = sealed_store.add_event(small_roster, "演唱会")
    _signer, body = read_signed(sealed_store.event_package(event_id), PACKAGE_FORMAT,
                                lambda _s: sealed_store.package_public_key())
    salt, digest = "5a17" * 8, "4a54" * 16
    for record in body["records"]:
        if record["kind"] in ("event", "guard"):
            field, value = ("id_salt", salt) if record["kind"] == "event" else ("id_hash",
                                                                                digest)
            record["payload"][field] = value
            record["hash"] = content_hash(record["payload"])
    old = write_signed(PACKAGE_FORMAT, "hq", body, sealed_store.package_key())
    db = Database(profile_dir)
    try:
        db.set_setting(HQ_PACKAGE_KEY,
                       base64.b64encode(sealed_store.package_public_key()).decode())
        summary = SyncService(db).import_package_bytes(old)
        assert summary.event_id == event_id
        with db.read() as s:
            guards = list(s.scalars(select(Guard).where(Guard.event_id == event_id)))
            assert guards and all(MASKED.fullmatch(g.id_masked) for g in guards)
    finally:
        db.close()
    data = b"".join(p.read_bytes() for p in profile_dir.rglob("*") if p.is_file())
    assert salt.encode() not in data and digest.encode() not in data


def test_hq_never_stores_a_record_carrying_the_retired_fields(sealed_store: HqStore,
                                                             small_roster: Path) -> None:
    """A laptop of an older version sending a guard with its id_hash: HQ keeps none of it."""
    event_id, _summary = sealed_store.add_event(small_roster, "演唱会")
    with sealed_store.Session() as s:
        guard = json.loads(s.scalars(select(RecordRow.payload).where(
            RecordRow.kind == "guard", RecordRow.event_id == event_id)).first())
    device_id, _token, _key = enrol_device(sealed_store)
    sealed_store.event_package(event_id)
    digest = "4a54" * 16
    sent = Record.of("guard", dict(guard, id_hash=digest, name="改名",
                                   updated_at="2030-01-01T00:00:00+00:00")).as_json()
    (result,) = sealed_store.ingest(device_id, [sent])
    assert result["status"] == "failed" and "id_hash" in result["error"], result
    with sealed_store.Session() as s:
        texts = list(s.scalars(select(RecordRow.payload)))
    assert not any(digest in text for text in texts), result
    raw = sqlite_bytes(Path(sealed_store.engine.url.database or ""))
    assert digest.encode() not in raw


# ============================================================ item 6: sealed keys
def test_keys_are_sealed_and_the_database_holds_no_usable_private_key(
        sealed_store: HqStore, small_roster: Path) -> None:
    """Read without the passphrase (sqlite3 and a byte search), HQ's database holds neither
    key in any form, and nothing in it signs a package a laptop would accept: the attack of
    item 6 (a package adding a foreign badge issuer) fails at the laptop's check."""
    event_id, _summary = sealed_store.add_event(small_roster, "演唱会")
    package = sealed_store.event_package(event_id)
    public = sealed_store.package_public_key()
    signing = sealed_store.package_key()
    pseudonym_key = sealed_store.keys.secret(PSEUDONYM_KEY_SETTING, 32)
    db_file = Path(sealed_store.engine.url.database or "")
    sealed_store.close()

    settings = hq_settings(db_file)
    assert settings[PACKAGE_KEY_SETTING].startswith(SEALED_PREFIX)
    assert settings[PSEUDONYM_KEY_SETTING].startswith(SEALED_PREFIX)
    assert json.loads(settings[PROTECTION_SETTING])["scheme"] == "argon2id+aes-256-gcm"
    data = sqlite_bytes(db_file)
    for form in (*key_encodings(signing.private_bytes_raw()), *package_pems(signing),
                 *key_encodings(pseudonym_key), KEY_PASSPHRASE.encode()):
        assert form not in data
    # The thief's try: every 32 bytes of every setting, as an Ed25519 key.
    candidates = []
    for value in settings.values():
        raw = value.encode()
        for text in re.findall(r"[A-Za-z0-9+/=]{40,}", value):
            try:
                raw += base64.b64decode(text)
            except ValueError:
                pass
        candidates += [raw[i:i + 32] for i in range(len(raw) - 31)]
    assert candidates
    for candidate in candidates:
        assert raw_public_key(Ed25519PrivateKey.from_private_bytes(candidate)) != public
    _signer, body = read_signed(package, PACKAGE_FORMAT, lambda _s: public)
    body["trust_list"].append({"kid": "f0f0f0f0", "name": "假发证机关", "public_key": "AA==",
                               "valid_from": "2020-01-01", "valid_until": "2099-01-01"})
    forged = write_signed(PACKAGE_FORMAT, "hq", body,
                          Ed25519PrivateKey.from_private_bytes(candidates[0]))
    with pytest.raises(SignedFileError):
        read_signed(forged, PACKAGE_FORMAT, lambda _s: public)
    # With the passphrase the same key signs as before.
    store = HqStore(f"sqlite:///{db_file}")
    try:
        with pytest.raises(KeyAccessError):
            store.package_key()  # not unlocked: sealed keys stay closed
        assert store.package_public_key() == public  # the public half needs no passphrase
        with pytest.raises(KeyAccessError, match="wrong passphrase"):
            store.unlock_keys(b"not the passphrase")
        store.unlock_keys(KEY_PASSPHRASE.encode())
        assert store.package_key().private_bytes_raw() == signing.private_bytes_raw()
    finally:
        store.close()


@pytest.mark.slow
def test_keys_in_clear_are_sealed_in_place_and_laptops_still_verify(tmp_path: Path) -> None:
    """An HQ database from before (its package key in clear, a laptop enrolled with its public
    half): hq serve without a passphrase is refused; the first signing command with one
    seals the key in place, and the package it signs verifies with the enrolled key."""
    db_file = tmp_path / "hq.sqlite3"
    url = f"sqlite:///{db_file}"
    old = HqStore(url)
    try:
        enrolled = base64.b64decode(old.enrol(
            old.create_enrolment_code("李建国"), "laptop",
            raw_public_key(Ed25519PrivateKey.generate())).package_public_key)
        event_id = old.add_demo_event()
    finally:
        old.close()
    stored = hq_settings(db_file)[PACKAGE_KEY_SETTING]
    in_clear = base64.b64decode(stored)
    assert len(in_clear) == 32 and stored.encode() in sqlite_bytes(db_file)  # item 6's state

    refused = run_hq("serve", "--db", url, "--port", "0")
    assert refused.returncode == 2, refused.stderr
    assert "unencrypted" in refused.stderr and "--key-passphrase-file" in refused.stderr
    assert "--insecure-dev-keys" in refused.stderr and "Traceback" not in refused.stderr

    secret = passphrase_file(tmp_path)
    out = tmp_path / "event.vspkg"
    done = run_hq("export-package", "--db", url, "--event", event_id, "--out", str(out),
                  "--key-passphrase-file", str(secret))
    assert done.returncode == 0, done.stderr
    assert hq_settings(db_file)[PACKAGE_KEY_SETTING].startswith(SEALED_PREFIX)
    data = sqlite_bytes(db_file)
    assert not any(form in data for form in key_encodings(in_clear))
    signer, body = read_signed(out.read_bytes(), PACKAGE_FORMAT, lambda _s: enrolled)
    assert signer == "hq" and body["event_id"] == event_id


@pytest.mark.slow
def test_signing_commands_need_the_right_passphrase(tmp_path: Path) -> None:
    """Exit 2 with a message, never a traceback: no passphrase for sealed keys, a wrong one,
    a fresh store without one (unless --insecure-dev-keys). Commands that sign nothing need
    none; the passphrase may come from the environment."""
    db_file = tmp_path / "hq.sqlite3"
    url = f"sqlite:///{db_file}"
    secret = passphrase_file(tmp_path)
    wrong = passphrase_file(tmp_path, "not the passphrase", "wrong.txt")
    out = tmp_path / "event.vspkg"
    event_id = last_json(run_hq("demo-event", "--db", url).stdout)["event_id"]
    assert isinstance(event_id, str)

    fresh = run_hq("export-package", "--db", url, "--event", event_id, "--out", str(out))
    assert fresh.returncode == 2 and "--insecure-dev-keys" in fresh.stderr
    assert not out.exists() and PACKAGE_KEY_SETTING not in hq_settings(db_file)
    short = passphrase_file(tmp_path, "short", "short.txt")
    too_short = run_hq("serve", "--db", url, "--port", "0", "--key-passphrase-file", str(short))
    assert too_short.returncode == 2 and "at least 8 characters" in too_short.stderr

    by_env = run_hq("export-package", "--db", url, "--event", event_id, "--out", str(out),
                    env=hq_env(**{PASSPHRASE_FILE_ENV: str(secret)}))
    assert by_env.returncode == 0, by_env.stderr
    assert hq_settings(db_file)[PACKAGE_KEY_SETTING].startswith(SEALED_PREFIX)

    for args in (("serve", "--port", "0"), ("export-package", "--event", event_id, "--out",
                                            str(tmp_path / "again.vspkg")),
                 ("add-event", "--roster", str(FIXTURE_ROSTER), "--name", "新活动")):
        command_name, *rest = args
        locked = run_hq(command_name, "--db", url, *rest)
        assert locked.returncode == 2, (args, locked.stderr)
        assert "encrypted" in locked.stderr and PASSPHRASE_FILE_ENV in locked.stderr
        assert "Traceback" not in locked.stderr
        bad = run_hq(command_name, "--db", url, *rest, "--key-passphrase-file", str(wrong))
        assert bad.returncode == 2 and "wrong passphrase" in bad.stderr, bad.stderr
        # --insecure-dev-keys does not open sealed keys either
        dev = run_hq(command_name, "--db", url, *rest, "--insecure-dev-keys")
        assert dev.returncode == 2 and "encrypted" in dev.stderr
    assert not (tmp_path / "again.vspkg").exists()
    assert run_hq("stats", "--db", url).returncode == 0
    assert run_hq("enrol-code", "--db", url, "--supervisor", "李建国").returncode == 0


@pytest.mark.slow
def test_insecure_dev_keys_are_a_choice_said_aloud(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    event_id = last_json(run_hq("demo-event", "--db", url).stdout)["event_id"]
    out = tmp_path / "event.vspkg"
    done = run_hq("export-package", "--db", url, "--event", str(event_id), "--out", str(out),
                  "--insecure-dev-keys")
    assert done.returncode == 0 and "unencrypted" in done.stderr
    assert out.stat().st_size > 0


def test_hq_files_are_for_their_owner_only(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The default folder 0700, the database and its -wal / -shm 0600, from creation on; an
    existing database left 0644 by an older version is tightened when HQ opens it."""
    monkeypatch.delenv(HQ_DB_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = default_db_url()
    folder = tmp_path / "data" / "venue-supervisor-hq"
    assert url == f"sqlite:///{(folder / 'hq.sqlite3').resolve()}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store = HqStore(url)
    try:
        enrol_device(store)  # writes: the WAL is there while HQ runs
        files = sorted(folder.glob("hq.sqlite3*"))
        assert {p.name for p in files} >= {"hq.sqlite3", "hq.sqlite3-wal", "hq.sqlite3-shm"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        store.close()

    configured = tmp_path / "new" / "place" / "hq.sqlite3"
    monkeypatch.setenv(HQ_DB_ENV, str(configured))
    HqStore(default_db_url()).close()
    assert stat.S_IMODE(configured.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(configured.stat().st_mode) == 0o600

    old = tmp_path / "old.sqlite3"
    HqStore(f"sqlite:///{old}").close()
    old.chmod(0o644)
    HqStore(f"sqlite:///{old}").close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@pytest.mark.slow
def test_the_tls_key_is_encrypted_with_the_same_passphrase(tmp_path: Path) -> None:
    """hq make-cert with the passphrase writes the TLS key encrypted (0600, PKCS#8 PBES2);
    hq serve opens it with the passphrase it is given, and says so when it cannot."""
    import ssl

    import httpx

    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    env = hq_env(**key_passphrase_env(tmp_path))
    cert, key = tmp_path / "tls" / "hq.pem", tmp_path / "tls" / "hq.key"
    made = run_hq("make-cert", "--db", url, "--cert", str(cert), "--key", str(key), env=env)
    assert made.returncode == 0, made.stderr
    pem = key.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    with pytest.raises(TypeError):  # "password was not given but private key is encrypted"
        serialization.load_pem_private_key(pem, password=None)

    other = passphrase_file(tmp_path, "another passphrase", "other.txt")
    other_cert, other_key = tmp_path / "other.pem", tmp_path / "other.key"
    assert run_hq("make-cert", "--db", url, "--cert", str(other_cert), "--key", str(other_key),
                  "--key-passphrase-file", str(other)).returncode == 0
    wrong = run_hq("serve", "--db", url, "--port", "0", "--cert", str(other_cert), "--key",
                   str(other_key), env=env)
    assert wrong.returncode == 2 and "wrong passphrase for the TLS key" in wrong.stderr
    # On a new store the refused start seals nothing: HQ's keys are not left locked to the
    # mistyped passphrase, and the right one works afterwards.
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    typo = run_hq("serve", "--db", fresh, "--port", "0", "--cert", str(cert), "--key", str(key),
                  "--key-passphrase-file", str(other))
    assert typo.returncode == 2 and "wrong passphrase for the TLS key" in typo.stderr
    right = run_hq("add-event", "--db", fresh, "--roster", str(FIXTURE_ROSTER), "--name", "E",
                   env=env)
    assert right.returncode == 0, right.stderr
    trial = f"sqlite:///{tmp_path / 'trial.sqlite3'}"  # package keys in clear, by choice
    locked = run_hq("serve", "--db", trial, "--port", "0", "--cert", str(cert), "--key",
                    str(key), "--insecure-dev-keys")
    assert locked.returncode == 2, locked.stderr
    assert f"the TLS key {key} is encrypted" in locked.stderr
    assert "Traceback" not in locked.stderr

    server = HqProcess(url, tmp_path, cert, key).start()
    try:
        context = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=server.url, verify=context, trust_env=False) as http:
            assert http.get("/api/v1/stats").status_code == 401  # TLS up, token wanted
    finally:
        server.stop()

"""The laptop profile encrypted at rest (issue 10, item 5).

A profile created or opened with ``--password-file`` is SQLCipher 4 for the database and
AES-256-GCM for every file beside it, under a key wrapped by Argon2id(password) in
``profile-key.json``. Whoever gets the disk without the password reads nothing: not with
Python's sqlite3, not with a byte search of every file for a guard's name or phone number,
the device's private key or its token. A plain profile is converted on its first start with
a password and nothing in it is lost. Files and folders are 0600 / 0700.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.cli.main import main
from app.profile.db import (
    DB_FILENAME,
    FILES_ENCRYPTED_SETTING,
    LOG_FILENAME,
    PROFILE_FILE_DIRS,
    Database,
)
from app.profile.errors import ProfileError, ProfileLockedError
from app.profile.files import ENCRYPTED_MAGIC, ProfileFileError
from app.profile.key import KEY_FILENAME, WrongPasswordError, unwrap
from app.profile.models import Evaluation, Event, Finding, Guard
from app.sync.records import INCOMING_FILE_DIRS
from tests.helpers.hq_process import HqProcess, last_json, run_app

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def keep_umask() -> Iterator[None]:
    """The command line sets the process umask to 0o077; the tests put it back."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.fixture(autouse=True)
def no_password_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VENUE_SUPERVISOR_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("VENUE_SUPERVISOR_LANG", "en")  # the messages asserted are English


@pytest.fixture(autouse=True)
def widgets_application(qapp: object) -> None:
    """The commands run in this process would make a bare QCoreApplication, which the GUI
    tests run after these could not use: a QApplication is made first (pytest-qt's)."""


@pytest.fixture
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at 8 MiB and one pass for the tests that are not about its cost (the key
    file records the parameters, so the profiles open as any other)."""
    import app.profile.key as profile_key

    monkeypatch.setattr(profile_key, "ARGON2_MEMORY_KIB", 8 * 1024)
    monkeypatch.setattr(profile_key, "ARGON2_TIME_COST", 1)


def password_file(folder: Path, text: str = PASSWORD) -> Path:
    path = folder / f"password-{abs(hash(text))}.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def every_file(root: Path) -> Iterator[Path]:
    for folder, _folders, names in os.walk(root):
        for name in names:
            yield Path(folder) / name


def photo_bytes(colour: tuple[int, int, int], text_seed: int) -> bytes:
    image = Image.new("RGB", (64, 80), colour)
    image.putpixel((text_seed % 64, 3), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from app.i18n import core_application

    core_application("en")  # a GUI test before may have left Chinese installed
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_not_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            conn.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        conn.close()


# ------------------------------------------------------------------ what a thief reads
@pytest.mark.slow
def test_an_encrypted_laptop_profile_reveals_nothing_without_the_password(
        tmp_path: Path) -> None:
    """enrol and seed-demo through the documented command line, with a guard photo; then,
    without the password, Python's sqlite3 cannot open the database, and no file under the
    profile holds any guard's name or phone number (UTF-8), the device's private key (raw,
    base64 or hex) or its token, nor a plain PDF or JPEG."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    secret = password_file(tmp_path)
    laptop = tmp_path / "laptop"
    hq = HqProcess(f"sqlite:///{workdir / 'hq.sqlite3'}", workdir).start()
    try:
        code = hq.enrol_code()
        run_app("--data-dir", str(laptop), "--password-file", str(secret),
                "enrol", "--hq", hq.url, "--code", code)
        seeded = last_json(run_app("--data-dir", str(laptop), "--password-file", str(secret),
                                   "seed-demo", "--inspections", "60").stdout)
        assert seeded["pending"]
    finally:
        hq.stop()
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(photo_bytes((90, 60, 40), 7))

    db = Database(laptop, PASSWORD)  # the owner, with the password, sees everything
    try:
        with db.read() as s:
            guards = s.execute(select(Guard.id, Guard.name, Guard.phone)).all()
            pdf_path = s.scalar(select(Evaluation.pdf_path).where(
                Evaluation.pdf_path.is_not(None)))
            evidence = s.scalars(select(Finding.evidence_path).where(
                Finding.evidence_path.is_not(None))).all()
        from app.inspection.workbench import Workbench

        Workbench(db).set_guard_photo(guards[0].id, photo)
        # the window's log, where a refused task's message may name a guard
        _log_through_the_profile(db, f"background task refused: {guards[1].name} "
                                     f"{guards[1].phone}")
        token = db.setting("hq.token")
        device_key = db.setting("hq.device_key")
        pdf = db.files.read(pdf_path or "")
    finally:
        db.close()
    assert len(guards) == 606 and token and device_key and evidence
    assert pdf.startswith(b"%PDF")
    raw_key = base64.b64decode(device_key)
    assert len(raw_key) == 32

    needles: dict[bytes, str] = {
        raw_key: "device private key (raw)", device_key.encode(): "device private key (base64)",
        raw_key.hex().encode(): "device private key (hex)", token.encode(): "device token",
        # Long enough not to turn up in ciphertext by chance: any given 3 bytes do about once
        # in 16 MB of random bytes (the encrypted database once held the JPEG marker FF D8 FF).
        b"%PDF-1.": "a plain PDF", b"\xff\xd8\xff\xe0\x00\x10JFIF": "a plain JPEG",
        photo.read_bytes()[:64]: "the guard's photo",
    }
    for _id, name, phone in guards:
        needles[name.encode("utf-8")] = f"guard name {name}"
        if phone:
            needles[phone.encode("ascii")] = f"phone number {phone}"
    assert sum(1 for _, _, phone in guards if phone) > 500

    assert_not_sqlite(laptop / DB_FILENAME)
    files = list(every_file(laptop))
    assert {f.relative_to(laptop).parts[0] for f in files} >= {
        DB_FILENAME, KEY_FILENAME, LOG_FILENAME, "reports", "evidence", "keys", "photos"}
    for path in files:
        data = path.read_bytes()
        found = [what for needle, what in needles.items() if needle in data]
        assert not found, f"{path.relative_to(laptop)} reveals {found[:5]}"
        if path.name not in (KEY_FILENAME, DB_FILENAME, LOG_FILENAME):
            assert data.startswith(ENCRYPTED_MAGIC), path
    # the key file holds the wrapped key and the KDF's parameters, nothing else
    document = json.loads((laptop / KEY_FILENAME).read_text())
    assert document["kdf"]["name"] == "argon2id" and document["cipher"] == "aes-256-gcm"
    assert set(document) == {"format", "version", "kdf", "cipher", "nonce", "wrapped_key"}

    # and the profile still works from the command line, with its password only
    status = run_app("--data-dir", str(laptop), "sync-status", check=False)
    assert status.returncode == 2 and "is encrypted" in status.stderr
    status = run_app("--data-dir", str(laptop), "sync-status",
                     extra_env={"VENUE_SUPERVISOR_PASSWORD_FILE": str(secret)})
    assert last_json(status.stdout)["enrolled"] is True
    shown = run_app("--data-dir", str(laptop), "--password-file", str(secret), "show-log")
    assert f"background task refused: {guards[1].name}" in shown.stdout


def _log_through_the_profile(db: Database, message: str) -> None:
    """What the window's logging does (ui/application.py install_error_handling)."""
    import logging

    from app.profile.files import ProfileLogHandler

    handler = ProfileLogHandler(db.files, LOG_FILENAME)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("ui.tasks.test")
    logger.addHandler(handler)
    try:
        logger.warning(message)
    finally:
        logger.removeHandler(handler)


def test_the_log_is_encrypted_line_by_line_and_an_old_plain_log_is_converted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cheap_kdf: None) -> None:
    folder = tmp_path / "laptop"
    db = Database(folder)
    _log_through_the_profile(db, "background task refused: 张三丰 13912345678")
    db.close()
    assert "张三丰".encode() in (folder / LOG_FILENAME).read_bytes()  # plain, as before
    db = Database(folder, PASSWORD)  # converted
    _log_through_the_profile(db, "background task refused: 李四光 13887654321")
    db.close()
    stored = (folder / LOG_FILENAME).read_bytes()
    for secret in ("张三丰", "13912345678", "李四光", "13887654321"):
        assert secret.encode() not in stored
    assert stat.S_IMODE((folder / LOG_FILENAME).stat().st_mode) == 0o600
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file",
                         str(password_file(tmp_path)), "show-log")
    assert code == 0, err
    assert out.splitlines() == ["WARNING ui.tasks.test: background task refused: 张三丰 "
                                "13912345678", "WARNING ui.tasks.test: background task "
                                "refused: 李四光 13887654321"]
    code, out, err = cli(capsys, "--data-dir", str(folder), "show-log")
    assert code == 2 and "is encrypted" in err


@pytest.mark.slow
def test_a_profile_in_use_by_another_program_is_not_converted(tmp_path: Path) -> None:
    """The app still open on the plain profile in another process: the conversion is
    refused with a message, and the profile stays as it was (no key file)."""
    import subprocess
    import sys

    folder = tmp_path / "laptop"
    Database(folder).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1]); c.execute('SELECT 1 FROM profile_setting')"
         ".fetchall(); print('open', flush=True); time.sleep(60)",
         str(folder / DB_FILENAME)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(ProfileError, match="in use by another program"):
            Database(folder, PASSWORD)
    finally:
        holder.kill()
        holder.wait()
    assert not (folder / KEY_FILENAME).exists()
    assert (folder / DB_FILENAME).read_bytes().startswith(b"SQLite format 3")
    db = Database(folder, PASSWORD)  # once it is closed
    assert db.encrypted
    db.close()


# ------------------------------------------------------------------- the conversion
def _dump(db_rows: Iterator[tuple[str, list[tuple[object, ...]]]]) -> dict[str, list[str]]:
    return {table: sorted(repr(tuple(row)) for row in rows) for table, rows in db_rows}


def _plain_rows(path: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return _dump((t, conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    finally:
        conn.close()


def _rows(db: Database) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        found = _dump((t, conn.exec_driver_sql(f'SELECT * FROM "{t}"').fetchall())
                      for t in tables)
    found["profile_setting"] = [row for row in found["profile_setting"]
                                 if FILES_ENCRYPTED_SETTING not in row]
    return found


def _profile_files(root: Path) -> dict[str, bytes]:
    return {f.relative_to(root).as_posix(): f.read_bytes() for f in every_file(root)
            if f.relative_to(root).parts[0] in PROFILE_FILE_DIRS}


@pytest.fixture
def plain_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A profile of an older version: seed-demo (an event of 606 guards, rounds, evidence
    photos, a signed evaluation, the demo's badge pictures), a guard photo and one more
    evidence photo, all unencrypted."""
    folder = tmp_path / "old-profile"
    code, out, err = cli(capsys, "--data-dir", str(folder), "seed-demo", "--inspections", "30")
    assert code == 0, err
    from app.inspection.workbench import Workbench

    db = Database(folder)
    workbench = Workbench(db)
    with db.read() as s:
        guard_id = s.scalar(select(Guard.id).order_by(Guard.roster_row).limit(1))
        finding_id = s.scalar(select(Finding.id).where(Finding.evidence_path.is_(None))
                              .order_by(Finding.created_at).limit(1))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_bytes((30, 90, 160), 3))
    workbench.set_guard_photo(guard_id, photo)
    # the event is signed (read-only): the extra evidence goes in as an older version did
    with db.begin() as s:
        finding = s.get(Finding, finding_id)
        assert finding is not None
        finding.evidence_path = "evidence/older-version.jpg"
    (folder / "evidence" / "older-version.jpg").write_bytes(photo_bytes((200, 10, 10), 5))
    db.close()
    assert not (folder / KEY_FILENAME).exists()
    return folder


@pytest.mark.slow
def test_an_unencrypted_profile_is_converted_on_first_start_with_nothing_lost(
        plain_profile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = plain_profile
    rows_before = _plain_rows(folder / DB_FILENAME)
    files_before = _profile_files(folder)
    assert {name.split("/")[0] for name in files_before} >= {
        "photos", "evidence", "reports", "keys", "demo-badges"}
    assert sum(len(rows) for rows in rows_before.values()) > 2000
    secret = password_file(tmp_path)

    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(secret),
                         "sync-status")
    assert code == 0, err
    assert json.loads(out)["pending"] > 0

    assert (folder / KEY_FILENAME).is_file()
    assert_not_sqlite(folder / DB_FILENAME)
    for name, data in files_before.items():  # every file still there, none left plain
        stored = (folder / name).read_bytes()
        assert stored.startswith(ENCRYPTED_MAGIC) and stored != data, name
    assert not [f for f in every_file(folder) if f.name.endswith((".tmp", ".encrypting"))]

    db = Database(folder, PASSWORD)
    try:
        assert db.encrypted
        assert _rows(db) == rows_before  # every row of every table
        assert {name: db.files.read(name) for name in files_before} == files_before
        from app.evaluation.pdf_kit import thumbnail
        from app.evaluation.report import EvaluationService

        service = EvaluationService(db)
        with db.read() as s:
            evaluation = s.scalars(select(Evaluation).where(Evaluation.status == "signed")).one()
            event_name = s.scalar(select(Event.name).where(Event.id == evaluation.event_id))
        assert service.check_signed_pdf(evaluation.id).intact
        report = service.build_report(evaluation.id)
        with_photos = [f for f in report.findings if f.evidence_path is not None]
        assert len(with_photos) >= 2
        assert all(thumbnail(f.evidence_path, f.read_evidence) is not None
                   for f in with_photos)
        signed_pdf = db.files.read(evaluation.pdf_path or "")
    finally:
        db.close()

    # readable through the command line: the kept signed PDF comes out byte for byte
    out_pdf = tmp_path / "copy.pdf"
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(secret),
                         "report", "--event", event_name or "",
                         "--out", str(out_pdf))
    assert code == 0, err
    assert out_pdf.read_bytes() == signed_pdf == files_before[evaluation.pdf_path or ""]


@pytest.mark.slow
def test_a_conversion_stopped_half_way_resumes_at_the_next_start(
        plain_profile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after the database and one file were encrypted: the next start with the
    password encrypts the rest, and nothing is lost or encrypted twice."""
    from app.profile.files import ProfileFiles

    files_before = _profile_files(plain_profile)
    real_seal = ProfileFiles.seal
    sealed: list[str] = []

    def seal_then_die(self: ProfileFiles, relative: str, data: bytes) -> bytes:
        if sealed:
            raise KeyboardInterrupt("the battery ran out")
        sealed.append(relative)
        return real_seal(self, relative, data)

    monkeypatch.setattr(ProfileFiles, "seal", seal_then_die)
    with pytest.raises(KeyboardInterrupt):
        Database(plain_profile, PASSWORD)
    monkeypatch.setattr(ProfileFiles, "seal", real_seal)
    assert_not_sqlite(plain_profile / DB_FILENAME)
    plain_left = [n for n in files_before
                  if not (plain_profile / n).read_bytes().startswith(ENCRYPTED_MAGIC)]
    assert len(plain_left) == len(files_before) - 1

    with pytest.raises(ProfileLockedError):  # encrypted from the first step on
        Database(plain_profile)
    db = Database(plain_profile, PASSWORD)
    try:
        assert {name: db.files.read(name) for name in files_before} == files_before
        assert db.setting(FILES_ENCRYPTED_SETTING) == "1"
    finally:
        db.close()


# ----------------------------------------------------------- refusals and their exit 2
def test_commands_on_an_encrypted_profile_without_the_right_password_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cheap_kdf: None) -> None:
    folder = tmp_path / "laptop"
    right = password_file(tmp_path)
    wrong = password_file(tmp_path, "not the password at all")
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(right),
                         "sync-status")
    assert code == 0, err  # a profile created with a password is encrypted
    assert (folder / KEY_FILENAME).is_file()
    assert_not_sqlite(folder / DB_FILENAME)
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,保安员证号\n张三,辽1234567\n", encoding="utf-8")
    trust = tmp_path / "trust.json"
    trust.write_text("{}", encoding="utf-8")

    commands = [["sync-status"], ["demo-event"], ["seed-demo", "--inspections", "1"],
                ["export-bundle", "--out", str(tmp_path / "b.vsb")],
                ["roster", "import", str(roster), "--event", "x"],
                ["badge", "trust-import", str(trust)],
                ["report", "--event", "x", "--out", str(tmp_path / "r.pdf")]]
    for command in commands:
        code, out, err = cli(capsys, "--data-dir", str(folder), *command)
        assert code == 2, (command, out, err)
        assert f"the profile {folder} is encrypted: its password is needed" in err, command
        assert "--password-file" in err and "VENUE_SUPERVISOR_PASSWORD_FILE" in err
        assert "Traceback" not in err
        code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(wrong),
                             *command)
        assert code == 2, (command, out, err)
        assert f"wrong password for the profile {folder}" in err, command
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file",
                         str(tmp_path / "missing.txt"), "sync-status")
    assert code == 2 and "cannot read the password file" in err
    # the global option may also come after the command, and the variable does the same
    code, out, err = cli(capsys, "sync-status", "--data-dir", str(folder), "--password-file",
                         str(right))
    assert code == 0, err
    os.environ["VENUE_SUPERVISOR_PASSWORD_FILE"] = str(right)
    try:
        code, out, err = cli(capsys, "--data-dir", str(folder), "sync-status")
    finally:
        del os.environ["VENUE_SUPERVISOR_PASSWORD_FILE"]
    assert code == 0, err
    assert json.loads(out)["enrolled"] is False


@pytest.mark.slow
def test_the_exit_2_messages_from_the_real_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    right = password_file(tmp_path)
    wrong = password_file(tmp_path, "not the password at all")
    run_app("--data-dir", str(folder), "--password-file", str(right), "demo-event")
    missing = run_app("--data-dir", str(folder), "sync-status", check=False)
    assert missing.returncode == 2 and "is encrypted: its password is needed" in missing.stderr
    bad = run_app("--data-dir", str(folder), "--password-file", str(wrong), "sync-status",
                  check=False)
    assert bad.returncode == 2 and "wrong password for the profile" in bad.stderr
    good = run_app("--data-dir", str(folder), "sync-status",
                   extra_env={"VENUE_SUPERVISOR_PASSWORD_FILE": str(right)})
    assert last_json(good.stdout)["pending"] > 0


def test_a_new_password_is_too_short_and_a_key_file_cannot_be_forged_to_hang_the_start(
        tmp_path: Path, cheap_kdf: None) -> None:
    with pytest.raises(ProfileError, match="8 characters or more"):
        Database(tmp_path / "short", "1234567")
    assert not (tmp_path / "short" / KEY_FILENAME).exists()
    folder = tmp_path / "laptop"
    Database(folder, PASSWORD).close()
    key_path = folder / KEY_FILENAME
    document = json.loads(key_path.read_text())
    document["kdf"]["memory_kib"] = 64 * 1024 * 1024  # 64 GiB: refused before any work
    key_path.write_text(json.dumps(document))
    with pytest.raises(ProfileError, match="damaged"):
        Database(folder, PASSWORD)


def test_changing_the_password_rewraps_the_key_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cheap_kdf: None) -> None:
    folder = tmp_path / "laptop"
    old, new = password_file(tmp_path), password_file(tmp_path, "a brand new password")
    db = Database(folder, PASSWORD)
    stored = db.files.write("photos/x.jpg", b"a photo")
    db.close()
    database_before = (folder / DB_FILENAME).read_bytes()
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(old),
                         "change-password", "--new-password-file", str(new))
    assert code == 0, err
    assert (folder / DB_FILENAME).read_bytes() == database_before
    with pytest.raises(ProfileLockedError):
        Database(folder, PASSWORD)
    db = Database(folder, "a brand new password")
    assert db.files.read(stored) == b"a photo"
    db.close()
    code, out, err = cli(capsys, "--data-dir", str(folder), "--password-file", str(old),
                         "change-password", "--new-password-file", str(new))
    assert code == 2 and "wrong password" in err


def test_a_profile_file_moved_or_changed_does_not_decrypt(tmp_path: Path,
                                                          cheap_kdf: None) -> None:
    db = Database(tmp_path / "laptop", PASSWORD)
    try:
        db.files.write("evidence/a.jpg", b"photo of A")
        db.files.write("evidence/b.jpg", b"photo of B")
        a, b = db.files.path("evidence/a.jpg"), db.files.path("evidence/b.jpg")
        b.write_bytes(a.read_bytes())  # A's file put in B's place
        with pytest.raises(ProfileFileError, match="damaged or was changed"):
            db.files.read("evidence/b.jpg")
        flipped = bytearray(a.read_bytes())
        flipped[-1] ^= 1
        a.write_bytes(bytes(flipped))
        with pytest.raises(ProfileFileError):
            db.files.read("evidence/a.jpg")
        with pytest.raises(ValueError):
            db.files.read("../outside.jpg")
    finally:
        db.close()
    with pytest.raises(WrongPasswordError):
        unwrap(tmp_path / "laptop" / KEY_FILENAME, "wrong password")


def test_every_folder_files_arrive_in_is_one_the_conversion_encrypts() -> None:
    assert set(INCOMING_FILE_DIRS.values()) <= set(PROFILE_FILE_DIRS)


# --------------------------------------------------------------------- file modes
def test_a_new_encrypted_profile_and_its_files_are_0600_and_0700_whatever_the_umask(
        tmp_path: Path, cheap_kdf: None) -> None:
    os.umask(0o000)
    folder = tmp_path / "a" / "laptop"
    db = Database(folder, PASSWORD)
    db.files.write("photos/one.jpg", b"x")
    db.files.write("reports/VS-1.pdf", b"y")
    with db.begin() as s:  # the WAL and shared-memory files exist while a session is open
        s.get(Guard, "none")
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*")}
    db.close()
    assert modes[DB_FILENAME + "-wal"] == 0o600 and modes[DB_FILENAME + "-shm"] == 0o600
    assert {mode for name, mode in modes.items() if "." in name} == {0o600}
    for part in (tmp_path / "a", folder, folder / "photos", folder / "reports"):
        assert stat.S_IMODE(part.stat().st_mode) == 0o700, part


@pytest.mark.slow
def test_files_and_folders_are_created_0600_and_0700_whatever_the_umask(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.umask(0o000)  # the most permissive start: the modes must not depend on it
    secret = password_file(tmp_path)
    for name, extra in (("encrypted", ["--password-file", str(secret)]), ("plain", [])):
        folder = tmp_path / name / "nested" / "laptop"
        code, out, err = cli(capsys, "--data-dir", str(folder), *extra, "seed-demo",
                             "--inspections", "20")
        assert code == 0, err
        os.umask(0o000)  # main() set 0o077; the explicit modes are checked too
        db = Database(folder, PASSWORD if extra else None)
        db.files.write("photos/late.jpg", b"x")
        db.close()
        for part in (tmp_path / name / "nested", folder):
            assert stat.S_IMODE(part.stat().st_mode) == 0o700, part
        seen = 0
        for path in folder.rglob("*"):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
            seen += 1
        assert seen > 8
        assert (folder / "keys").is_dir() and (folder / "reports").is_dir()


def test_a_pdf_handed_to_the_viewer_is_a_private_decrypted_copy_outside_the_profile(
        tmp_path: Path, cheap_kdf: None) -> None:
    import shutil

    folder = tmp_path / "laptop"
    db = Database(folder, PASSWORD)
    try:
        db.files.write("reports/VS-EVAL-1.pdf", b"%PDF-1.7 signed")
        copy = db.files.plain_copy("reports/VS-EVAL-1.pdf")
    finally:
        db.close()
    try:
        assert copy.read_bytes() == b"%PDF-1.7 signed" and copy.name == "VS-EVAL-1.pdf"
        assert not copy.is_relative_to(folder)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    finally:
        shutil.rmtree(copy.parent)
    plain = Database(tmp_path / "plain")  # a plain profile hands the file itself
    try:
        plain.files.write("reports/x.pdf", b"%PDF")
        assert plain.files.plain_copy("reports/x.pdf") == tmp_path / "plain" / "reports/x.pdf"
    finally:
        plain.close()

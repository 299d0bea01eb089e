"""The database's own conditions reach the person as what to do, and lose nothing saved before.

Each condition is made to really happen on a real profile: the disk full (SQLite's
``max_page_count`` caps the file), the profile read-only (``query_only``, since root writes
through any file mode; a read-only file too when not root), another program holding it (a
second connection in ``BEGIN EXCLUSIVE``, with a short busy timeout), the file damaged (garbage
over its header). Each must come out as its ProfileStorageError (app.profile.errors), from a
scan or a tick as from any other write, with every row saved before still there. Everything
else stays a fault of the program.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from app.demo import create_demo_event
from app.errors import UserError
from app.inspection.values import InspectionInfo
from app.inspection.workbench import Workbench
from app.profile.db import DB_FILENAME, Database
from app.profile.errors import (
    ProfileBusyError,
    ProfileCorruptError,
    ProfileDiskError,
    ProfileDiskFullError,
    ProfileReadOnlyError,
    ProfileStorageError,
    storage_error,
)
from app.profile.models import Inspection, ProfileSetting
from ui.errors import user_message

PASSWORD = "correct horse battery staple"
FAULT = "A fault in the program stopped this"


@pytest.fixture(scope="module")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A profile with the demo event and one scan, made once and copied for each test."""
    folder = tmp_path_factory.mktemp("template") / "profile"
    db = Database(folder)
    workbench = Workbench(db)
    event_id = create_demo_event(workbench)
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    workbench.record_scan(event_id, workbench.lookup(event_id, guard.cert_no, guard.post_id))
    db.set_setting("before", "kept")
    with db.engine.connect() as conn:  # no free pages left over from the migrations
        conn.exec_driver_sql("VACUUM")
    db.close()
    return folder


@pytest.fixture
def profile(demo_profile: Path, tmp_path: Path) -> Iterator[tuple[Database, Workbench, str]]:
    folder = tmp_path / "profile"
    shutil.copytree(demo_profile, folder)
    db = Database(folder)
    workbench = Workbench(db)
    event_id = workbench.list_events()[0].id
    yield db, workbench, event_id
    db.close()


def reconnect_with(db: Database, *pragmas: str) -> None:
    """Every connection of the profile from now on runs ``pragmas`` after its own."""
    db.engine.dispose()

    def run(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    event.listen(db.engine, "connect", run)


def scan(workbench: Workbench, event_id: str) -> InspectionInfo:
    guard = next(g for g in workbench.guards(event_id) if g.post_id)
    result = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    return workbench.record_scan(event_id, result)


def inspections(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Inspection)) or 0)


def assert_saved_before_is_kept(db: Database, count: int) -> None:
    assert inspections(db) == count
    assert db.setting("before") == "kept"


# ---------------------------------------------------------------------------- disk full
def test_a_full_disk_during_scans_says_so_and_keeps_every_earlier_scan(
        profile: tuple[Database, Workbench, str]) -> None:
    db, workbench, event_id = profile
    with db.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    reconnect_with(db, f"PRAGMA max_page_count = {int(pages)}")
    before = inspections(db)
    made = 0
    with pytest.raises(ProfileDiskFullError) as caught:
        for _ in range(2000):  # the pages' free room runs out within a few scans
            scan(workbench, event_id)
            made += 1
    assert "The disk is full" in str(caught.value)
    assert user_message(caught.value) == str(caught.value)
    assert_saved_before_is_kept(db, before + made)  # the failed scan left nothing half-done


def test_a_full_disk_on_a_plain_write_says_so(profile: tuple[Database, Workbench, str]) -> None:
    db, _workbench, _event_id = profile
    with db.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    reconnect_with(db, f"PRAGMA max_page_count = {int(pages)}")
    with pytest.raises(ProfileDiskFullError):
        db.set_setting("filler", "x" * 1_000_000)
    assert db.setting("filler") is None
    assert db.setting("before") == "kept"


# ---------------------------------------------------------------------------- read-only
def test_a_read_only_profile_refuses_a_scan_in_plain_words(
        profile: tuple[Database, Workbench, str]) -> None:
    db, workbench, event_id = profile
    before = inspections(db)
    reconnect_with(db, "PRAGMA query_only = ON")  # what a read-only file is, even for root
    with pytest.raises(ProfileReadOnlyError) as caught:
        scan(workbench, event_id)
    assert "read-only" in str(caught.value) and str(db.path) in str(caught.value)
    assert_saved_before_is_kept(db, before)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any file mode")
def test_a_read_only_database_file_refuses_a_write(
        profile: tuple[Database, Workbench, str]) -> None:
    db, _workbench, _event_id = profile
    db.engine.dispose()
    os.chmod(db.path, 0o444)
    try:
        with pytest.raises(ProfileReadOnlyError):
            db.set_setting("after", "refused")
        assert db.setting("before") == "kept"
    finally:
        os.chmod(db.path, 0o600)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through any folder mode")
def test_a_profile_in_a_read_only_folder_cannot_be_made(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(ProfileReadOnlyError):
            Database(tmp_path / "profile")
    finally:
        tmp_path.chmod(0o755)


# ------------------------------------------------------------------------- another program
def test_a_profile_held_by_another_program_refuses_a_tick_and_keeps_the_scan(
        profile: tuple[Database, Workbench, str]) -> None:
    db, workbench, event_id = profile
    inspection = scan(workbench, event_id)
    inspection_id, item = inspection.id, inspection.items[0].item
    before = inspections(db)
    reconnect_with(db, "PRAGMA busy_timeout = 100")
    holder = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ProfileBusyError) as caught:
            workbench.set_item(inspection_id, item, False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "Another program is using the profile" in str(caught.value)
    assert_saved_before_is_kept(db, before)
    assert workbench.set_item(inspection_id, item, False).compliant is False  # free again


# ------------------------------------------------------------------------------ damaged
def _damage(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[:100] = b"\xa5" * 100
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_profile_says_so_and_is_left_as_it_was(
        demo_profile: Path, tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    shutil.copytree(demo_profile, folder)
    damaged = _damage(folder / DB_FILENAME)
    with pytest.raises(ProfileCorruptError) as caught:
        Database(folder)
    assert "damaged" in str(caught.value) and "backup" in str(caught.value)
    assert (folder / DB_FILENAME).read_bytes() == damaged


def test_a_damaged_encrypted_profile_is_not_taken_for_a_wrong_password(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    db = Database(folder, password=PASSWORD)
    db.set_setting("before", "kept")
    db.close()
    damaged = _damage(folder / DB_FILENAME)
    with pytest.raises(ProfileCorruptError) as caught:  # the password itself was right
        Database(folder, password=PASSWORD)
    assert "key file" in str(caught.value)
    assert (folder / DB_FILENAME).read_bytes() == damaged


# ------------------------------------------------------------------- everything else
def test_other_database_errors_stay_program_faults(
        profile: tuple[Database, Workbench, str]) -> None:
    db, _workbench, _event_id = profile
    with pytest.raises(IntegrityError) as caught, db.begin() as session:
        session.add(ProfileSetting(key="before", value="twice"))
        session.flush()
    assert not isinstance(caught.value, UserError)
    assert user_message(caught.value).startswith(FAULT)
    assert db.setting("before") == "kept"


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("no such table: guard"),
    sqlite3.IntegrityError("UNIQUE constraint failed: company.name"),
    ValueError("database is locked"),  # words alone, from no database: no condition
    OSError(errno.EIO, "Input/output error"),
])
def test_only_the_known_conditions_are_the_machines(error: Exception, tmp_path: Path) -> None:
    assert storage_error(error, tmp_path / DB_FILENAME) is None
    assert user_message(error).startswith(FAULT)


def test_a_failing_disk_is_said_from_the_words_when_the_driver_gives_no_code(
        tmp_path: Path) -> None:
    """sqlcipher3's errors carry no code: SQLite's own words are read instead."""
    found = storage_error(sqlcipher3.OperationalError("disk I/O error"), tmp_path / DB_FILENAME)
    assert isinstance(found, ProfileDiskError)
    assert "USB drive" in str(found) and "what was saved before is kept" in str(found)


def test_a_file_on_a_full_disk_is_said_as_the_database_is() -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert user_message(full).startswith("The disk is full")


def test_every_condition_is_a_profile_error_the_screens_show_as_it_is(tmp_path: Path) -> None:
    for code, expected in ((13, ProfileDiskFullError), (8, ProfileReadOnlyError),
                           (5, ProfileBusyError), (11, ProfileCorruptError),
                           (26, ProfileCorruptError), (1032, ProfileReadOnlyError),
                           (517, ProfileBusyError), (10, ProfileDiskError),
                           (266, ProfileDiskError)):  # SQLITE_IOERR_READ: a drive pulled out
        error = sqlite3.OperationalError("from the driver")
        error.sqlite_errorcode = code  # type: ignore[attr-defined]
        found = storage_error(error, tmp_path / DB_FILENAME)
        assert isinstance(found, expected) and isinstance(found, ProfileStorageError), code
        assert user_message(found) == str(found)


@pytest.mark.parametrize(("code", "expected"), [(errno.EACCES, ProfileReadOnlyError),
                                                (errno.EROFS, ProfileReadOnlyError),
                                                (errno.ENOSPC, ProfileDiskFullError)])
def test_a_profile_folder_that_cannot_be_made_is_said_in_plain_words(
        code: int, expected: type[ProfileStorageError], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What root cannot make happen for real (it writes through any folder mode)."""
    def refuse(_folder: Path) -> Path:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("app.profile.db.private_dir", refuse)
    with pytest.raises(expected):
        Database(tmp_path / "profile")

"""One engine and one session factory per profile; migrations at open.

SQLite runs in WAL mode with ``synchronous=FULL``: a tick the supervisor saw as saved has
been fsynced, so neither a crash nor a pulled battery takes it back.

A profile opened with a password is encrypted at rest (app/profile/key.py): the database is
SQLCipher 4 (``sqlcipher3``) under a raw 256-bit key, and the files beside it go through
``Database.files`` (AES-256-GCM). A plain profile opened with a password for the first time
is converted: the database is exported into an encrypted copy that replaces it, then every
file is encrypted in place; a run stopped half-way resumes at the next start.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import URL, Engine, ExceptionContext
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.i18n import translate
from app.profile.errors import (
    ProfileError,
    ProfileLockedError,
    ProfileStorageError,
    folder_error,
    storage_error,
)
from app.profile.files import FILE_MODE, ProfileFiles, fsync_dir, private_dir
from app.profile.key import (
    PasswordRequiredError,
    ProfileKeyError,
    ProfileKeys,
    WrongPasswordError,
    check_new_password,
    create,
    key_file,
    new_master_key,
    unwrap,
)
from app.profile.models import ProfileSetting, new_id

DB_FILENAME = "venue-supervisor.sqlite3"
LOG_FILENAME = "venue-supervisor.log"
# Set once every file of a converted profile is encrypted (kept in the encrypted database).
FILES_ENCRYPTED_SETTING = "profile_files_encrypted"
# The folders the app keeps files in: photos, evidence photos, signed PDFs, key files and the
# demo's pictures (demo-photos/ is an older version's). Beside them in the profile folder
# lie only the database (SQLCipher's own encryption), the key file (the master key wrapped
# under the password) and the window's log (LOG_FILENAME, encrypted line by line).
PROFILE_FILE_DIRS = ("photos", "evidence", "reports", "keys", "demo-badges", "demo-photos")
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
# The newest migration. A test keeps it equal to Alembic's head, so a profile that is up to
# date opens without importing Alembic at all (0.17 to 0.2 s of a cold start, python -X
# importtime on this machine).
HEAD_REVISION = "0010_guard_company_claim"


def configure_sqlite(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    """What every connection to a profile runs first ("connect" event): the durability and
    the integrity the module's docstring promises, and a wait of up to 5 s for a lock."""
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(db_path: Path, key: bytes | None = None) -> Engine:
    """The profile's engine; with ``key``, SQLCipher with that raw key (SQLAlchemy's
    ``sqlite+pysqlcipher`` dialect issues ``PRAGMA key = "x'…'"`` first on every connection,
    before the pragmas below; a raw key runs no KDF, so a new connection costs nothing).

    Every error of the database that is the machine's doing (disk full, read-only, busy,
    damaged) comes out of any statement, commit or connect of this engine as its
    ProfileStorageError (app.profile.errors): the one place they are told apart."""
    if key is None:
        engine = create_engine(f"sqlite:///{db_path}", future=True)
    else:
        url = URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'",
                         database=str(db_path))
        # The pool the plain profile gets (the dialect's default is one connection per
        # thread, which the GUI's background workers would multiply).
        engine = create_engine(url, future=True, poolclass=QueuePool)
    event.listen(engine, "connect", configure_sqlite)

    def plain_words(context: ExceptionContext) -> ProfileStorageError | None:
        # Returned, not raised: SQLAlchemy rolls back and cleans up as for its own error,
        # then raises this one (chained to the driver's).
        return storage_error(context.original_exception, db_path, encrypted=key is not None)

    event.listen(engine, "handle_error", plain_words)
    return engine


def _is_plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PLAIN_SQLITE_HEADER)) == PLAIN_SQLITE_HEADER
    except FileNotFoundError:
        return False


def _row_counts(conn: sqlcipher3.Connection, schema: str) -> dict[str, int]:
    cursor = conn.cursor()
    tables = [row[0] for row in cursor.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type='table' "
        "AND name NOT LIKE 'sqlite_%'")]
    return {table: cursor.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
            for table in tables}


def _unlink_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def encrypt_database(path: Path, key: bytes,
                     before_export: Callable[[], object] | None = None) -> None:
    """Replace the plain database ``path`` by an encrypted copy of it (SQLCipher's
    ``sqlcipher_export``), keeping every row; the plain file stays until the copy is whole
    and checked, so a crash at any point leaves one whole database or the other.

    The plain database is taken in exclusive mode first: a program that still has it open
    (the app in another window) makes this fail with a message rather than lose its
    writes. ``before_export``, if given, is called once that lock is held (the key file is
    written then)."""
    copy = Path(str(path) + ".encrypting")
    _unlink_database(copy)
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=5)
    try:
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except sqlcipher3.OperationalError as exc:
            raise ProfileError(translate(
                "Profile", "{path} is in use by another program (the app in another "
                           "window?); close it and start again ({error})")
                .format(path=path, error=exc)) from exc
        if str(mode).lower() != "delete":
            raise ProfileError(translate(
                "Profile", "{path} is in use by another program (the app in another "
                           "window?); close it and start again").format(path=path))
        if before_export is not None:
            before_export()
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?",
                     (str(copy), f"x'{key.hex()}'"))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        if _row_counts(conn, "main") != _row_counts(conn, "encrypted"):
            raise ProfileError(translate("Profile", "{path}: the encrypted copy does not hold "
                                         "every row; the profile was left as it was")
                               .format(path=path))
        conn.execute("DETACH DATABASE encrypted")
    except BaseException as exc:
        conn.close()
        _unlink_database(copy)
        problem = storage_error(exc, path)  # a full disk while copying, said as such
        if problem is not None:
            raise problem from exc
        raise
    conn.close()
    os.chmod(copy, FILE_MODE)
    with open(copy, "rb") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm", "-journal"):  # none left after the exclusive close
        Path(str(path) + suffix).unlink(missing_ok=True)
    os.replace(copy, path)
    fsync_dir(path.parent)


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        has_table = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).first()
        if not has_table:
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return row[0] if row else None


def upgrade_schema(engine: Engine) -> None:
    """Bring the profile to the newest migration, in one transaction.

    SQLite cannot alter a column in place: Alembic's batch mode copies the table, drops the
    old one and renames the copy. With foreign keys enforced that drop fails as soon as other
    rows point at the table (a profile with inspections going from 0002 to 0003), so the
    migrations run with enforcement off (the pragma is ignored inside a transaction, hence
    before it), and ``foreign_key_check`` proves nothing dangles before the commit. A failure
    anywhere leaves the profile as it was.
    """
    # Imported here, not at the top: Alembic costs 0.17 to 0.2 s to import (python -X
    # importtime on this machine), and a profile that is up to date never needs it.
    from alembic import command
    from alembic.config import Config

    migrations = Path(__file__).resolve().parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        # Python's sqlite3 opens a transaction only before INSERT/UPDATE/DELETE: CREATE,
        # DROP and ALTER would each commit on their own, and a migration failing half-way
        # would leave a profile that opens no more. An explicit BEGIN makes it all or nothing.
        raw = connection.connection.driver_connection
        assert raw is not None  # a connection in use has its driver's connection
        previous = raw.isolation_level
        raw.isolation_level = None
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise ProfileError(translate(
                        "Profile", "the migration left {count} rows pointing nowhere (first: "
                        "{first}); nothing changed").format(count=len(dangling),
                                                            first=tuple(dangling[0])))
        finally:
            raw.isolation_level = previous
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


@contextmanager
def _making(path: Path) -> Iterator[None]:
    """Around making the profile's folder or database file: a read-only folder or a full disk
    said in plain words (ProfileStorageError), anything else left as it is."""
    try:
        yield
    except OSError as exc:
        problem = folder_error(exc, path)
        if problem is None:
            raise
        raise problem from exc


class Database:
    """The profile's database: engine, session factory, this device's id and the profile's
    files (``files``).

    ``password``: the profile's password. An encrypted profile (one with a key file) cannot
    be opened without it (ProfileLockedError); a new profile created with one is encrypted,
    and a plain profile opened with one is converted (nothing in it is lost). Without a
    password a new profile is plain: the built-in demo, HQ's scratch profile, tests.
    """

    def __init__(self, data_dir: Path, password: bytes | str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILENAME
        with _making(self.data_dir):
            private_dir(self.data_dir)
        keys = self._unlock(password)
        self.encrypted = keys is not None
        self.files = ProfileFiles(self.data_dir, keys.files if keys else None)
        if not self.path.exists():  # SQLite gives the WAL and shared memory files its mode
            with _making(self.path):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        self.engine = make_engine(self.path, keys.database if keys else None)
        try:
            if _current_revision(self.engine) != HEAD_REVISION:
                upgrade_schema(self.engine)
        except ProfileStorageError:
            raise  # its own message says what to do
        except Exception as exc:  # sqlite3/SQLAlchemy errors: unusable profile
            raise ProfileError(translate("Profile", "{path}: {error}")
                               .format(path=self.path, error=exc)) from exc
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.device_id = self._device_id()
        if self.encrypted and self.setting(FILES_ENCRYPTED_SETTING) != "1":
            self.files.encrypt_in_place(PROFILE_FILE_DIRS)
            self.files.encrypt_lines_in_place(LOG_FILENAME)
            self.set_setting(FILES_ENCRYPTED_SETTING, "1")

    def _unlock(self, password: bytes | str | None) -> ProfileKeys | None:
        """The profile's keys (None for a plain profile); creates them, and converts a plain
        database, when a password comes for a profile that has no key yet."""
        stored = key_file(self.data_dir)
        try:
            if stored.is_file():
                if password is None:
                    raise PasswordRequiredError(translate(
                        "Profile", "the profile {folder} is encrypted: its password is needed")
                        .format(folder=self.data_dir))
                keys = ProfileKeys.of(unwrap(stored, password))
                if _is_plain_sqlite(self.path):  # a conversion stopped before its end
                    encrypt_database(self.path, keys.database)
                return keys
            if password is None:
                return None
            check_new_password(password)
            if _is_plain_sqlite(self.path):
                # Converted: the key file is written only once the plain database is held
                # (not in use elsewhere), and the database is exported under the new key.
                master = new_master_key()
                keys = ProfileKeys.of(master)
                encrypt_database(self.path, keys.database,
                                 before_export=lambda: create(self.data_dir, password, master))
                return keys
            return ProfileKeys.of(create(self.data_dir, password))
        except (WrongPasswordError, PasswordRequiredError) as exc:
            raise ProfileLockedError(str(exc), wrong_password=isinstance(
                exc, WrongPasswordError)) from exc
        except ProfileKeyError as exc:
            raise ProfileError(str(exc)) from exc

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session for one unit of work, committed on success."""
        with self.Session.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.Session() as session:
            yield session

    def _device_id(self) -> str:
        with self.begin() as session:
            setting = session.get(ProfileSetting, "device_id")
            if setting is None:
                setting = ProfileSetting(key="device_id", value=new_id())
                session.add(setting)
            return setting.value

    def setting(self, key: str) -> str | None:
        with self.read() as session:
            value = session.scalar(select(ProfileSetting.value).where(ProfileSetting.key == key))
            return value

    def set_setting(self, key: str, value: str) -> None:
        with self.begin() as session:
            session.merge(ProfileSetting(key=key, value=value))

    def close(self) -> None:
        self.engine.dispose()

"""Headquarters' database: where it is, how it is opened, one unit of work, its settings.

SQLite (the default, a file for HQ's owner only) or any SQLAlchemy URL (PostgreSQL in
production). The schema is brought to the newest Alembic migration (app/hq/migrations) when
the database is opened. Every other module of app.hq works through ``HqDatabase``.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import create_engine, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.orm import Session, sessionmaker

from app.hq.models import HqSetting
from app.hq.models import Record as RecordRow
from app.orm import as_utc
from app.sync.protocol import chunks

HQ_DB_ENV = "VENUE_SUPERVISOR_HQ_DB"
WRITE_OPTION = "hq_write"  # execution option: this transaction will write (SQLite: IMMEDIATE)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time (UTC when it names no zone); None when it is none."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return as_utc(moment)


def default_db_url() -> str:
    """$VENUE_SUPERVISOR_HQ_DB (a file path or a SQLAlchemy URL), else a SQLite file in the
    user's data folder."""
    configured = os.environ.get(HQ_DB_ENV)
    if configured:
        if "://" in configured:
            return configured
        path = Path(configured).expanduser()
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
    else:
        path = Path(user_data_dir("venue-supervisor-hq", appauthor=False)) / "hq.sqlite3"
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        _restrict(path.parent, 0o700)  # HQ's own folder: for its owner only
    return f"sqlite:///{path.resolve()}"


def _restrict(path: Path, mode: int) -> None:
    """Take group and other permissions away from a file or folder of HQ's (best effort: a
    file someone else owns is left as it is)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass


def _private_sqlite_file(url: str) -> None:
    """HQ's SQLite database (keys, tokens' hashes, guards' records) readable by its owner
    only: created 0600 before SQLite opens it (its -wal and -shm files take the database
    file's mode), and an existing one tightened."""
    try:
        database = make_url(url).database
    except Exception:  # noqa: BLE001 - create_engine reports a bad URL in its own words
        return
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            return  # created meanwhile, or not allowed: SQLite says what it finds
    for companion in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm",
                                                                       "-journal"))):
        if companion.exists():
            _restrict(companion, 0o600)


def _configure_sqlite(dbapi_conn: Any, _record: object) -> None:
    # Transactions are begun by _begin_sqlite, not by the driver (which would begin only
    # before DML, and never IMMEDIATE).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # What is deleted or replaced is overwritten, not left in free space: a key sealed in
    # place leaves no copy of itself in clear in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A batch reads which ids exist, then writes: begun deferred, a write another process
    # committed in between would make the upgrade to a write lock fail at once
    # (SQLITE_BUSY_SNAPSHOT) instead of waiting. IMMEDIATE takes the write lock up front.
    mode = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        # The server answers from a thread pool: connections cross threads.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        sa_event.listen(engine, "connect", _configure_sqlite)
        sa_event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade_schema(engine: Engine) -> None:
    """Bring the HQ database to the newest migration (a no-op when it is there already)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class HqDatabase:
    """The engine, its sessions and the one way to write."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_db_url()
        self.engine = make_engine(self.url)
        upgrade_schema(self.engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext())

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session for one unit of work that writes, committed on success."""
        # SQLite has one writer at a time; a lock in the process queues this server's
        # writers in turn, where SQLite's busy handler would let them poll and starve (p95
        # of 20 laptops pushing at once: 2.5 s before, see bench/sync.py).
        with self._write_lock, self.Session.begin() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    def insert_or_skip(self, table: Any) -> Any:
        """INSERT .. ON CONFLICT DO NOTHING in the engine's dialect: a row another request
        stored first is re-checked, never an error that aborts the whole batch."""
        if self.engine.dialect.name == "postgresql":
            return pg_insert(table).on_conflict_do_nothing()
        if self.engine.dialect.name == "sqlite":
            return sqlite_insert(table).on_conflict_do_nothing()
        return insert(table)

    def setting(self, key: str) -> str | None:
        with self.Session() as s:
            return s.scalar(select(HqSetting.value).where(HqSetting.key == key))

    def set_setting(self, key: str, value: str) -> None:
        with self.begin() as s:
            s.merge(HqSetting(key=key, value=value))


def payloads_of(s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The payloads HQ holds under these record ids (an id HQ does not hold is left out)."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(list(ids)):
        for record_id, text in s.execute(select(RecordRow.id, RecordRow.payload)
                                         .where(RecordRow.id.in_(chunk))):
            found[record_id] = json.loads(text)
    return found


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed. ``Session.execute`` is typed as returning a
    Result; for such a statement it is a CursorResult, which counts them."""
    assert isinstance(result, CursorResult)
    return result.rowcount

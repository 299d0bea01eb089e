"""One engine and one session factory per profile; migrations at open.

SQLite runs in WAL mode with ``synchronous=FULL``: a tick the supervisor saw as saved has
been fsynced, so neither a crash nor a pulled battery takes it back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.models import ProfileSetting, new_id

DB_FILENAME = "venue-supervisor.sqlite3"
# The newest migration. A test keeps it equal to Alembic's head, so a profile that is up to
# date opens without importing Alembic at all (it costs a noticeable part of a cold start).
HEAD_REVISION = "0004_evaluations"


class ProfileError(Exception):
    """The profile cannot be opened (locked, read-only, not a database)."""


def _configure_sqlite(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


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
    from alembic import command
    from alembic.config import Config

    migrations = Path(__file__).resolve().parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    """The profile's database: engine, session factory and this device's id."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / DB_FILENAME
        self.engine = make_engine(self.path)
        try:
            if _current_revision(self.engine) != HEAD_REVISION:
                upgrade_schema(self.engine)
        except Exception as exc:  # sqlite3/SQLAlchemy errors: unusable profile
            raise ProfileError(f"{self.path}: {exc}") from exc
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.device_id = self._device_id()

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

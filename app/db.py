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

from app.errors import UserError
from app.i18n import translate
from app.models import ProfileSetting, new_id

DB_FILENAME = "venue-supervisor.sqlite3"
# The newest migration. A test keeps it equal to Alembic's head, so a profile that is up to
# date opens without importing Alembic at all (it costs a noticeable part of a cold start).
HEAD_REVISION = "0006_head_count_indexes"


class ProfileError(UserError):
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
    """Bring the profile to the newest migration, in one transaction.

    SQLite cannot alter a column in place: Alembic's batch mode copies the table, drops the
    old one and renames the copy. With foreign keys enforced that drop fails as soon as other
    rows point at the table (a profile with inspections going from 0002 to 0003), so the
    migrations run with enforcement off (the pragma is ignored inside a transaction, hence
    before it), and ``foreign_key_check`` proves nothing dangles before the commit. A failure
    anywhere leaves the profile as it was.
    """
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
            raise ProfileError(translate("Profile", "{path}: {error}")
                               .format(path=self.path, error=exc)) from exc
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

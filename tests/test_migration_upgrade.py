"""An older profile with records in it upgrades to the newest schema and keeps them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, select

from app.profile.db import DB_FILENAME, HEAD_REVISION, Database, configure_sqlite
from app.profile.models import CheckResult, Finding, Inspection
from tests.conftest import REPO

NOW = "2026-11-01 08:00:00.000000"


def _profile_at(revision: str, folder: Path) -> Path:
    """A profile migrated only up to ``revision``, the way the app of that time made it."""
    path = folder / DB_FILENAME
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", configure_sqlite)  # foreign keys on, as the app runs
    config = Config()
    config.set_main_option("script_location", str(REPO / "app" / "profile" / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()
    return path


def test_a_0002_profile_with_inspections_upgrades_to_head(profile_dir: Path) -> None:
    path = _profile_at("0002_covering_indexes", profile_dir)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    device = "device-1"
    stamp = (NOW, NOW, device)
    conn.execute("INSERT INTO event (id, name, venue, organizer, expected_attendance, "
                 "venue_capacity, risk_level, event_kind, checklist_template, id_salt, "
                 "created_at, updated_at, device_id) VALUES "
                 "('e1', '旧活动', '', '', 0, 0, 'low', 'commercial', 'checklist', 's', ?, ?, ?)",
                 stamp)
    conn.execute("INSERT INTO post (id, event_id, name, zone, task_type, required_headcount, "
                 "created_at, updated_at, device_id) VALUES "
                 "('p1', 'e1', 'A区1号安检口', 'A区', '安检', 1, ?, ?, ?)", stamp)
    conn.execute("INSERT INTO inspection (id, event_id, post_id, scanned_text, verdict, "
                 "template_id, template_version, created_at, updated_at, device_id) VALUES "
                 "('i1', 'e1', 'p1', '100000000001', 'not_on_roster', 'checklist', 1, ?, ?, ?)",
                 stamp)
    conn.execute("INSERT INTO check_result (id, inspection_id, category, item_code, "
                 "compliant, created_at, updated_at, device_id) VALUES "
                 "('c1', 'i1', 'uniform', 'uniform.standard', 0, ?, ?, ?)", stamp)
    conn.execute("INSERT INTO finding (id, event_id, inspection_id, post_id, category, "
                 "item_code, company_name, note, correction, created_at, updated_at, "
                 "device_id) VALUES ('f1', 'e1', 'i1', 'p1', 'uniform', 'uniform.standard', "
                 "'', '旧记录', 'not_corrected', ?, ?, ?)", stamp)
    conn.commit()
    conn.close()

    db = Database(profile_dir)
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalar() == HEAD_REVISION
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Inspection)) == 1
            assert s.scalar(select(Finding.note)) == "旧记录"
            assert s.scalar(select(CheckResult.inspection_id)) == "i1"
            assert s.get(Inspection, "i1").badge_verdict is None  # the column 0003 added
    finally:
        db.close()


def test_a_failing_migration_changes_nothing(profile_dir: Path, monkeypatch) -> None:
    """DDL included: a migration that fails half-way leaves the older schema, still usable."""
    import alembic.command

    import app.profile.db

    _profile_at("0002_covering_indexes", profile_dir)
    real_upgrade = alembic.command.upgrade

    def upgrade_then_fail(config: Config, revision: str) -> None:
        real_upgrade(config, revision)  # 0003 creates tables and rebuilds inspection ...
        raise RuntimeError("power cut")  # ... then something goes wrong

    monkeypatch.setattr(alembic.command, "upgrade", upgrade_then_fail)
    try:
        Database(profile_dir)
    except app.profile.db.ProfileError as exc:
        assert "power cut" in str(exc)
    else:
        raise AssertionError("the failure was swallowed")
    conn = sqlite3.connect(profile_dir / DB_FILENAME)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0002_covering_indexes",)
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        assert "revoked_certificate" not in tables and "evaluation" not in tables
        columns = {row[1] for row in conn.execute("PRAGMA table_info(inspection)")}
        assert "badge_verdict" not in columns
    finally:
        conn.close()
    monkeypatch.setattr(alembic.command, "upgrade", real_upgrade)
    db = Database(profile_dir)  # and the next start upgrades it for real
    db.close()

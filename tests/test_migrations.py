"""The schema comes only from Alembic, and the models agree with it."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.profile.db import HEAD_REVISION, Database
from app.profile.models import Base
from tests.conftest import REPO


def test_fast_path_revision_is_alembic_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(REPO / "app" / "profile" / "migrations"))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]


def test_migrated_schema_matches_the_models(profile_dir: Path) -> None:
    db = Database(profile_dir)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    db.close()
    assert diff == []


def test_profile_uses_wal_and_full_sync(profile_dir: Path) -> None:
    db = Database(profile_dir)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    db.close()
    assert version == HEAD_REVISION


def test_reopening_keeps_the_device_id(profile_dir: Path) -> None:
    first = Database(profile_dir)
    device = first.device_id
    first.close()
    second = Database(profile_dir)
    assert second.device_id == device
    second.close()


def test_hq_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    from app.hq.database import HqDatabase
    from app.hq.models import Base as HqBase

    db = HqDatabase(f"sqlite:///{tmp_path / 'hq.db'}")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), HqBase.metadata)
    db.close()
    assert diff == []

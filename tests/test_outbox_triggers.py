"""Every synced table queues its changes for headquarters.

The outbox triggers are generated SQL (migration 0005): a synced table added later without
its triggers would never reach HQ, and nothing else would notice. This checks the profile's
schema against the models: every model with the synced columns is a sync kind, and every sync
kind has both triggers, each of which really queues the row it fires for.
"""

from __future__ import annotations

from sqlalchemy import text

from app.inspection.workbench import Workbench
from app.profile.models import Base, Synced
from app.sync.kinds import MODELS
from app.sync.protocol import KINDS, PACKAGE_KINDS


def test_every_synced_model_is_a_sync_kind() -> None:
    synced = {mapper.class_.__tablename__ for mapper in Base.registry.mappers
              if issubclass(mapper.class_, Synced)}
    assert synced == set(MODELS) == set(KINDS)


def test_the_kinds_are_the_synced_models_parents_first() -> None:
    """Declared once (app.sync.kinds): the protocol's kinds are the models' tables, each
    counted under a plural of its own, every parent before the kinds that point at it."""
    assert list(KINDS) == list(MODELS)
    assert len(set(KINDS.values())) == len(KINDS)
    assert set(PACKAGE_KINDS) <= set(MODELS)
    seen: set[str] = set()
    for kind, model in MODELS.items():
        assert model.__tablename__ == kind
        for key in model.__table__.foreign_keys:
            parent = key.column.table.name
            assert parent not in MODELS or parent in seen | {kind}, (kind, parent)
        seen.add(kind)


def test_every_sync_kind_has_its_insert_and_update_trigger(workbench: Workbench) -> None:
    with workbench.db.read() as session:
        triggers = {(row.tbl_name, row.name): row.sql for row in session.execute(text(
            "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'"))}
    for table in MODELS:
        for operation in ("insert", "update"):
            sql = triggers.get((table, f"outbox_{table}_{operation}"))
            assert sql is not None, f"{table} has no {operation} trigger"
            assert f"AFTER {operation.upper()} ON {table}" in sql
            assert f"VALUES ('{table}', NEW.id," in sql


def test_each_trigger_queues_the_row_it_fires_for(workbench: Workbench) -> None:
    # Raw SQL, one row per table, with foreign keys off so that no parent rows are needed:
    # what is checked is the trigger, not the workbench.
    with workbench.db.begin() as session:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table, model in MODELS.items():
            columns = [c for c in model.__table__.columns
                       if not c.nullable and c.server_default is None and c.name != "id"]
            values = {c.name: _placeholder(c) for c in columns}
            names = ", ".join(["id", *values])
            marks = ", ".join([":id", *(f":{n}" for n in values)])
            session.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"),
                            {"id": f"trigger-{table}", **values})
            session.execute(text(f"UPDATE {table} SET updated_at = updated_at WHERE id = :id"),
                            {"id": f"trigger-{table}"})
        queued = session.execute(text(
            "SELECT kind, record_id, count(*) FROM outbox WHERE record_id LIKE 'trigger-%' "
            "GROUP BY kind, record_id")).all()
        session.rollback()
    assert {(kind, record_id): n for kind, record_id, n in queued} == {
        (table, f"trigger-{table}"): 2 for table in MODELS}


def _placeholder(column: object) -> object:
    python_type = column.type.python_type  # type: ignore[attr-defined]
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is float:
        return 1.0
    return "2026-01-01T00:00:00+00:00" if "_at" in column.name else "x"  # type: ignore[attr-defined]

"""Live guards per (event, company), kept by the database itself (issue 14, the companies
page at scale).

A company's standing names the largest event it staffed: the live guards per event and
company as the rosters name the company. Counting them from the guard rows parses the
company name out of every guard payload (300,000 on bench/console.py's database: about 2 s
on PostgreSQL per request). The table ``guard_count`` holds those counts, one row per
(event id, company name as the guard payload spells it), and triggers on ``record`` keep it
in the same transaction as every write of a guard row: ingest (laptops, HQ's own events),
an accepted proposal, a vetting that rewrites HQ's guard rows, a row deleted by hand. No
writer has to remember it, and a write that fails takes its count change with it.

What counts (the same as ``standing._guard_counts`` on the rows): a record of kind
``guard`` with an ``event_id`` whose payload's ``deleted_at`` is JSON null or absent; the
company is the payload's ``company_name`` (an absent or null one counts under ""). The
reader trims the name, as the standing always did, and sums names that trim to the same.

Row triggers on both (SQLite, PostgreSQL): one upsert of a count per guard row written,
none for a row of another kind (a WHEN clause). A row whose payload is not JSON cannot be
stored as a guard (it never could be counted or shown). On PostgreSQL a count row is locked
until its transaction ends: two transactions adding guards of the same event and company
take turns (as two storing the same record ids already do).

The migration (0014_hq_guard_counts) creates the table, the triggers and fills the table
from the rows already there; it carries its own copy of the statements below (a migration
is not changed afterwards). ``install`` makes them for a schema built from the models
(``Base.metadata.create_all``, tests only), through a listener in app.hq.models.

A later migration that rebuilds ``record`` on SQLite (Alembic's batch mode copies the
table) drops its triggers: it must make them again (tests/test_hq_guard_counts.py checks
they exist at the newest revision).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.hq.models import GuardCount

TRIGGER_NAMES = ("hq_guard_count_insert", "hq_guard_count_update_old",
                 "hq_guard_count_update_new", "hq_guard_count_delete")
PG_TRIGGER_NAMES = ("hq_guard_count_insert", "hq_guard_count_update",
                    "hq_guard_count_delete")

# ------------------------------------------------------------------------------ SQLite
_SQLITE_LIVE = ("{row}.kind = 'guard' AND {row}.event_id IS NOT NULL "
                "AND json_extract({row}.payload, '$.deleted_at') IS NULL")
_SQLITE_COMPANY = "COALESCE(json_extract({row}.payload, '$.company_name'), '')"
_SQLITE_ADD = (
    "INSERT INTO guard_count (event_id, company_name, guards) "
    "VALUES (NEW.event_id, " + _SQLITE_COMPANY.format(row="NEW") + ", 1) "
    "ON CONFLICT (event_id, company_name) DO UPDATE SET guards = guard_count.guards + 1;")
_SQLITE_REMOVE = (
    "UPDATE guard_count SET guards = guards - 1 WHERE event_id = OLD.event_id "
    "AND company_name = " + _SQLITE_COMPANY.format(row="OLD") + "; "
    "DELETE FROM guard_count WHERE event_id = OLD.event_id "
    "AND company_name = " + _SQLITE_COMPANY.format(row="OLD") + " AND guards <= 0;")

SQLITE_STATEMENTS = (
    "CREATE TRIGGER IF NOT EXISTS hq_guard_count_insert AFTER INSERT ON record "
    "WHEN " + _SQLITE_LIVE.format(row="NEW") + " BEGIN " + _SQLITE_ADD + " END",
    "CREATE TRIGGER IF NOT EXISTS hq_guard_count_update_old "
    "AFTER UPDATE OF kind, event_id, payload ON record "
    "WHEN " + _SQLITE_LIVE.format(row="OLD") + " BEGIN " + _SQLITE_REMOVE + " END",
    "CREATE TRIGGER IF NOT EXISTS hq_guard_count_update_new "
    "AFTER UPDATE OF kind, event_id, payload ON record "
    "WHEN " + _SQLITE_LIVE.format(row="NEW") + " BEGIN " + _SQLITE_ADD + " END",
    "CREATE TRIGGER IF NOT EXISTS hq_guard_count_delete AFTER DELETE ON record "
    "WHEN " + _SQLITE_LIVE.format(row="OLD") + " BEGIN " + _SQLITE_REMOVE + " END",
)

# -------------------------------------------------------------------------- PostgreSQL
# Row triggers whose WHEN leaves every other kind of record alone without calling the
# function (measured: a statement trigger with transition tables cost each inserted
# inspection about 20 µs, a third of its insert). A guard's payload is parsed once (json,
# not jsonb: two fields are read); an update that changes neither its event, its company
# nor whether it is live (a vetting's rewrite) touches no count.
POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION hq_guard_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  doc json;
  old_name text;
  new_name text;
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.kind = 'guard' AND OLD.event_id IS NOT NULL THEN
    doc := OLD.payload::json;
    IF json_extract_path_text(doc, 'deleted_at') IS NULL THEN
      old_name := COALESCE(json_extract_path_text(doc, 'company_name'), '');
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.kind = 'guard' AND NEW.event_id IS NOT NULL THEN
    doc := NEW.payload::json;
    IF json_extract_path_text(doc, 'deleted_at') IS NULL THEN
      new_name := COALESCE(json_extract_path_text(doc, 'company_name'), '');
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.event_id IS NOT DISTINCT FROM NEW.event_id
      AND old_name IS NOT DISTINCT FROM new_name THEN
    RETURN NULL;
  END IF;
  IF old_name IS NOT NULL THEN
    UPDATE guard_count SET guards = guards - 1
      WHERE event_id = OLD.event_id AND company_name = old_name;
    DELETE FROM guard_count
      WHERE event_id = OLD.event_id AND company_name = old_name AND guards <= 0;
  END IF;
  IF new_name IS NOT NULL THEN
    INSERT INTO guard_count AS g (event_id, company_name, guards)
      VALUES (NEW.event_id, new_name, 1)
      ON CONFLICT (event_id, company_name) DO UPDATE SET guards = g.guards + 1;
  END IF;
  RETURN NULL;
END $$"""

POSTGRESQL_STATEMENTS = (
    POSTGRESQL_FUNCTION,
    "CREATE OR REPLACE TRIGGER hq_guard_count_insert AFTER INSERT ON record FOR EACH ROW "
    "WHEN (NEW.kind = 'guard') EXECUTE FUNCTION hq_guard_count()",
    "CREATE OR REPLACE TRIGGER hq_guard_count_update AFTER UPDATE OF kind, event_id, payload "
    "ON record FOR EACH ROW WHEN (OLD.kind = 'guard' OR NEW.kind = 'guard') "
    "EXECUTE FUNCTION hq_guard_count()",
    "CREATE OR REPLACE TRIGGER hq_guard_count_delete AFTER DELETE ON record FOR EACH ROW "
    "WHEN (OLD.kind = 'guard') EXECUTE FUNCTION hq_guard_count()",
)

# Filling the table from the guard rows already stored (the migration; tests).
SQLITE_RECOUNT = (
    "INSERT INTO guard_count (event_id, company_name, guards) "
    "SELECT event_id, " + _SQLITE_COMPANY.format(row="record") + ", count(*) FROM record "
    "WHERE " + _SQLITE_LIVE.format(row="record") + " GROUP BY 1, 2")
POSTGRESQL_RECOUNT = (
    "INSERT INTO guard_count (event_id, company_name, guards) "
    "SELECT event_id, company_name, count(*) FROM (SELECT r.event_id, "
    "COALESCE(json_extract_path_text(r.doc, 'company_name'), '') AS company_name FROM "
    "(SELECT event_id, payload::json AS doc FROM record WHERE kind = 'guard' "
    "AND event_id IS NOT NULL OFFSET 0) AS r "
    "WHERE json_extract_path_text(r.doc, 'deleted_at') IS NULL) AS g GROUP BY 1, 2")


def statements(dialect: str) -> tuple[str, ...]:
    """The statements that make the triggers in this dialect (none for another)."""
    return {"sqlite": SQLITE_STATEMENTS,
            "postgresql": POSTGRESQL_STATEMENTS}.get(dialect, ())


def install(connection: Any) -> None:
    """Make the triggers (idempotent) and count the guard rows already there, on a schema
    built from the models; the migrations make them for a real HQ."""
    dialect = connection.dialect.name
    for statement in statements(dialect):
        connection.exec_driver_sql(statement)
    recount = {"sqlite": SQLITE_RECOUNT, "postgresql": POSTGRESQL_RECOUNT}.get(dialect)
    if recount is not None:
        connection.exec_driver_sql("DELETE FROM guard_count")
        connection.exec_driver_sql(recount)


# ------------------------------------------------------------------------------ reading
def guard_counts(session: Session) -> dict[tuple[str, str], int]:
    """Live guards per (event id, company name as the rosters name it, trimmed), read from
    ``guard_count``: the same figures as ``standing._guard_counts`` counts from the rows."""
    found: dict[tuple[str, str], int] = {}
    for event_id, name, guards in session.execute(
            select(GuardCount.event_id, GuardCount.company_name, GuardCount.guards)
            .where(GuardCount.guards > 0)):
        if not event_id:
            continue
        key = (str(event_id), str(name or "").strip())
        found[key] = found.get(key, 0) + int(guards)
    return found


def guards_per_event(session: Session, event_ids: Sequence[str] | None = None
                     ) -> dict[str, int]:
    """Live guards per event (every company together)."""
    query = (select(GuardCount.event_id, func.sum(GuardCount.guards))
             .where(GuardCount.guards > 0).group_by(GuardCount.event_id))
    if event_ids is not None:
        query = query.where(GuardCount.event_id.in_(event_ids))
    return {str(e): int(n or 0) for e, n in session.execute(query)}

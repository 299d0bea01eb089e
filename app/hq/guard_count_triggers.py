"""The triggers that keep ``guard_count`` (app.hq.guard_counts explains what counts and
why), as statements for SQLite and PostgreSQL, and ``install`` for a schema built from the
models. Apart from the reading side so that app.hq.models can make them when tests build a
schema without importing what imports the models.
"""

from __future__ import annotations

from typing import Any

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

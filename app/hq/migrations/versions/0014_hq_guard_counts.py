"""live guards per (event, company), kept by triggers on record

Issue 14 (the companies page at scale, bench/console.py): a company's standing names the
largest event it staffed, the live guards per event and company. Counting them parsed the
company name out of every guard payload (300,000 on the bench: about 2 s per request on
PostgreSQL, for /console/companies, /companies, /api/v1/companies, the recommendation and
its letters, /public/companies).

``guard_count``: one row per (event id, company name as the guard payloads spell it) with
its live guards, kept by triggers on ``record`` in the transaction of every write of a guard
row (insert, update, delete; a tombstone, a guard moved to another company or event), and
filled here from the rows already stored. Row triggers (SQLite and PostgreSQL) whose WHEN
leaves the records of other kinds alone.

A copy of app.hq.guard_counts' statements as they were for this revision (the module makes
them for a schema built from the models, in tests). A later migration that rebuilds
``record`` on SQLite (batch mode) drops the triggers and must make them again.

Revision ID: 0014_hq_guard_counts
Revises: 0013_hq_payload_files
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_hq_guard_counts"
down_revision = "0013_hq_payload_files"
branch_labels = None
depends_on = None

SQLITE = (
    ('CREATE TRIGGER IF NOT EXISTS hq_guard_count_insert AFTER INSERT ON record WHEN'
     " NEW.kind = 'guard' AND NEW.event_id IS NOT NULL AND json_extract(NEW.payload,"
     " '$.deleted_at') IS NULL BEGIN INSERT INTO guard_count (event_id, "
     'company_name, guards) VALUES (NEW.event_id, COALESCE(json_extract(NEW.payload,'
     " '$.company_name'), ''), 1) ON CONFLICT (event_id, company_name) DO UPDATE SET"
     ' guards = guard_count.guards + 1; END'),
    ('CREATE TRIGGER IF NOT EXISTS hq_guard_count_update_old AFTER UPDATE OF kind, '
     "event_id, payload ON record WHEN OLD.kind = 'guard' AND OLD.event_id IS NOT "
     "NULL AND json_extract(OLD.payload, '$.deleted_at') IS NULL BEGIN UPDATE "
     'guard_count SET guards = guards - 1 WHERE event_id = OLD.event_id AND '
     "company_name = COALESCE(json_extract(OLD.payload, '$.company_name'), ''); "
     'DELETE FROM guard_count WHERE event_id = OLD.event_id AND company_name = '
     "COALESCE(json_extract(OLD.payload, '$.company_name'), '') AND guards <= 0; END"),
    ('CREATE TRIGGER IF NOT EXISTS hq_guard_count_update_new AFTER UPDATE OF kind, '
     "event_id, payload ON record WHEN NEW.kind = 'guard' AND NEW.event_id IS NOT "
     "NULL AND json_extract(NEW.payload, '$.deleted_at') IS NULL BEGIN INSERT INTO "
     'guard_count (event_id, company_name, guards) VALUES (NEW.event_id, '
     "COALESCE(json_extract(NEW.payload, '$.company_name'), ''), 1) ON CONFLICT "
     '(event_id, company_name) DO UPDATE SET guards = guard_count.guards + 1; END'),
    ('CREATE TRIGGER IF NOT EXISTS hq_guard_count_delete AFTER DELETE ON record WHEN'
     " OLD.kind = 'guard' AND OLD.event_id IS NOT NULL AND json_extract(OLD.payload,"
     " '$.deleted_at') IS NULL BEGIN UPDATE guard_count SET guards = guards - 1 "
     'WHERE event_id = OLD.event_id AND company_name = '
     "COALESCE(json_extract(OLD.payload, '$.company_name'), ''); DELETE FROM "
     'guard_count WHERE event_id = OLD.event_id AND company_name = '
     "COALESCE(json_extract(OLD.payload, '$.company_name'), '') AND guards <= 0; END"),
)
SQLITE_FILL = ('INSERT INTO guard_count (event_id, company_name, guards) SELECT event_id, '
               "COALESCE(json_extract(record.payload, '$.company_name'), ''), count(*) FROM "
               "record WHERE record.kind = 'guard' AND record.event_id IS NOT NULL AND "
               "json_extract(record.payload, '$.deleted_at') IS NULL GROUP BY 1, 2")
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
POSTGRESQL = (
    POSTGRESQL_FUNCTION,
    ('CREATE OR REPLACE TRIGGER hq_guard_count_insert AFTER INSERT ON record FOR '
     "EACH ROW WHEN (NEW.kind = 'guard') EXECUTE FUNCTION hq_guard_count()"),
    ('CREATE OR REPLACE TRIGGER hq_guard_count_update AFTER UPDATE OF kind, '
     "event_id, payload ON record FOR EACH ROW WHEN (OLD.kind = 'guard' OR NEW.kind "
     "= 'guard') EXECUTE FUNCTION hq_guard_count()"),
    ('CREATE OR REPLACE TRIGGER hq_guard_count_delete AFTER DELETE ON record FOR '
     "EACH ROW WHEN (OLD.kind = 'guard') EXECUTE FUNCTION hq_guard_count()"),
)
POSTGRESQL_FILL = ('INSERT INTO guard_count (event_id, company_name, guards) SELECT event_id, '
                   'company_name, count(*) FROM (SELECT r.event_id, '
                   "COALESCE(json_extract_path_text(r.doc, 'company_name'), '') AS company_name "
                   "FROM (SELECT event_id, payload::json AS doc FROM record WHERE kind = 'guard' "
                   'AND event_id IS NOT NULL OFFSET 0) AS r WHERE json_extract_path_text(r.doc, '
                   "'deleted_at') IS NULL) AS g GROUP BY 1, 2")


def upgrade() -> None:
    op.create_table(
        "guard_count",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("company_name", sa.Text(), nullable=False),
        sa.Column("guards", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "company_name"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        # Counted before the triggers exist, in this transaction (the migration's).
        op.execute(POSTGRESQL_FILL)
        for statement in POSTGRESQL:
            op.execute(statement)
    elif dialect == "sqlite":
        op.execute(SQLITE_FILL)
        for statement in SQLITE:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in ("hq_guard_count_insert", "hq_guard_count_update", "hq_guard_count_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON record")
        op.execute("DROP FUNCTION IF EXISTS hq_guard_count()")
    elif dialect == "sqlite":
        for name in ("hq_guard_count_insert", "hq_guard_count_update_old",
                     "hq_guard_count_update_new", "hq_guard_count_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("guard_count")

"""indexes for the console's event page and person file

Issue 14 (HQ console), measured by bench/console.py (100 events, 300,000 guard rows,
30,000 evaluations, PostgreSQL): the pages of one event count its live records per kind
and per laptop, and the events list counts each event's live guards. "Live" is a payload
field (``deleted_at`` is null), so every such count parsed every payload of the event, or
of all 300,000 guards for the list.

``ix_record_live``: the live records by (event_id, kind, device_id), a partial index whose
condition is the very expression the queries filter on (app.hq.standing._json_text,
app.hq.event_view._live: ``jsonb_extract_path_text(CAST(payload AS JSONB), 'deleted_at') IS
NULL``). PostgreSQL then answers those counts from the index alone (an index-only scan: no
payload read) and reads the rows of one event without re-testing the condition.

PostgreSQL only: SQLite matches a partial index only to a query whose WHERE holds the same
literal text, and SQLAlchemy binds the JSON path as a parameter; an HQ on SQLite is a small
one. The index is not declared in app.hq.models (it is dialect-specific and made of an
expression); tests/test_hq_console_indexes.py checks it exists and that the queries use it.

Revision ID: 0012_hq_console_indexes
Revises: 0011_hq_letters_grades
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0012_hq_console_indexes"
down_revision = "0011_hq_letters_grades"
branch_labels = None
depends_on = None

LIVE = "jsonb_extract_path_text(CAST(payload AS JSONB), 'deleted_at') IS NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_record_live ON record (event_id, kind, device_id) "
               f"WHERE {LIVE}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_record_live")

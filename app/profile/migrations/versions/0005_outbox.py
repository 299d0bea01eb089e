"""outbox: every change to a synced record queued for headquarters by a trigger

Revision ID: 0005_outbox
Revises: 0004_evaluations
Create Date: 2026-11-24 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox"
down_revision = "0004_evaluations"
branch_labels = None
depends_on = None

# The synced tables of this migration's day, copied on purpose rather than taken from
# app.sync.kinds (where they are declared now): a migration stays frozen in time, and a synced
# table added later gets its outbox triggers from the migration that adds it.
SYNCED_TABLES = ("company", "event", "post", "guard", "inspection", "check_result", "finding",
                 "post_status", "evaluation")
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("queued_at", sa.String(length=40), nullable=False),
        sa.Column("acknowledged_at", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_pending", "outbox", ["record_id", "kind", "seq"], unique=False,
                    sqlite_where=sa.text("acknowledged_at IS NULL"))
    for table in SYNCED_TABLES:
        for operation in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER outbox_{table}_{operation.lower()} AFTER {operation} ON {table} "
                f"BEGIN INSERT INTO outbox (kind, record_id, queued_at, attempts) "
                f"VALUES ('{table}', NEW.id, {NOW}, 0); END")
        # Records made before sync existed go up too.
        op.execute(f"INSERT INTO outbox (kind, record_id, queued_at, attempts) "
                   f"SELECT '{table}', id, {NOW}, 0 FROM {table} ORDER BY created_at, id")


def downgrade() -> None:
    for table in SYNCED_TABLES:
        for operation in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS outbox_{table}_{operation}")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")

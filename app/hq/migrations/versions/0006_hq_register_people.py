"""the company register's red and black lists, and an index of guard rows by person

Issue 14: ``company_register`` keeps the list a company is on (red or black) with its reason
and dates; ``person_index`` maps a certificate key to the guard rows of that person in every
event, so a person's file is an index probe, not a scan of every guard's JSON. Existing
guard rows are indexed here.

Revision ID: 0006_hq_register_people
Revises: 0005_hq_accounts_audit
Create Date: 2026-12-02 15:30:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0006_hq_register_people"
down_revision = "0005_hq_accounts_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company_register",
        sa.Column("licence_no", sa.String(length=100), nullable=False),
        sa.Column("list_name", sa.String(length=5), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("licence_no"),
    )
    op.create_table(
        "person_index",
        sa.Column("cert_key", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("cert_key", "record_id"),
    )
    # Existing guard rows, a page at a time (a large HQ holds hundreds of thousands).
    bind = op.get_bind()
    index = sa.table("person_index", sa.column("cert_key"), sa.column("record_id"),
                     sa.column("event_id"))
    last = ""
    while True:
        rows = bind.execute(sa.text(
            "SELECT id, event_id, payload FROM record WHERE kind = 'guard' AND id > :last "
            "ORDER BY id LIMIT 5000"), {"last": last}).fetchall()
        if not rows:
            break
        batch = []
        for record_id, event_id, payload in rows:
            key = json.loads(payload).get("cert_key")
            if isinstance(key, str) and key:
                batch.append({"cert_key": key[:50], "record_id": record_id,
                              "event_id": event_id})
        if batch:
            op.bulk_insert(index, batch)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("person_index")
    op.drop_table("company_register")

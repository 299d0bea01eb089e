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
            "SELECT id, kind, event_id, payload FROM record "
            "WHERE kind IN ('guard', 'inspection', 'finding') AND id > :last "
            "ORDER BY id LIMIT 5000"), {"last": last}).fetchall()
        if not rows:
            break
        batch = []
        for record_id, kind, event_id, payload in rows:
            values = json.loads(payload)
            # A guard under its certificate key; an inspection or a finding under its guard
            # ("guard:" + id: a certificate key has no ':'), as app.hq.people indexes them.
            key = values.get("cert_key") if kind == "guard" else (
                f"guard:{values['guard_id']}" if isinstance(values.get("guard_id"), str)
                and values.get("guard_id") else None)
            if isinstance(key, str) and key and len(key) <= 50:
                batch.append({"cert_key": key, "record_id": record_id,
                              "event_id": event_id})
        if batch:
            op.bulk_insert(index, batch)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_table("person_index")
    op.drop_table("company_register")

"""which laptop took down which event; laptops' changes to HQ's rows kept as proposals

A laptop writes only within the events it took down or made itself (issue 10, item 3):
``device_event`` records each event package served to a laptop (or handed to it by HQ
staff). A laptop's change to a row HQ prepared no longer replaces HQ's row, which every
package carries: it is kept in ``record_proposal`` until HQ staff accept it.

Revision ID: 0003_hq_takedowns_and_proposals
Revises: 0002_hq_no_id_number_hash
Create Date: 2026-12-11 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_hq_takedowns_and_proposals"
down_revision = "0002_hq_no_id_number_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_event",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "event_id"),
    )
    op.create_table(
        "record_proposal",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_id", "device_id"),
    )
    op.create_index("ix_record_proposal_event_id", "record_proposal", ["event_id"])


def downgrade() -> None:
    op.drop_index("ix_record_proposal_event_id", table_name="record_proposal")
    op.drop_table("record_proposal")
    op.drop_table("device_event")

"""laptops and zones assigned to HQ's events

Issue 14 (HQ console, events): HQ staff assign an enrolled laptop (its supervisor) to one of
HQ's events and to a zone of it; ``event_assignment`` keeps one row per event and laptop,
with who assigned it and when. The event package served to that laptop names its zone.

Revision ID: 0008_hq_event_assignments
Revises: 0007_hq_rectification
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_hq_event_assignments"
down_revision = "0007_hq_rectification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_assignment",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("zone", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "device_id"),
    )


def downgrade() -> None:
    op.drop_table("event_assignment")

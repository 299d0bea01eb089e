"""the rectification reports HQ received for its evaluations

Issue 14 (evaluations inbox): each signed evaluation asks the company for a rectification
report (整改报告) within seven days; ``rectification`` records when HQ received it and who
recorded it.

Revision ID: 0007_hq_rectification
Revises: 0006_hq_register_people
Create Date: 2026-12-02 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_hq_rectification"
down_revision = "0006_hq_register_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rectification",
        sa.Column("evaluation_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("evaluation_id"),
    )


def downgrade() -> None:
    op.drop_table("rectification")

"""HQ's vetting: background date and officer, pre-job training sessions

Issue 14 (HQ console, vetting owned by the police). ``vetting`` gains when and by which
officer the background was checked, and the pre-job training session (a name and a date)
the person attended. Whether the training was passed stays in the column ``trained`` (the
model also names it ``training_passed``): no rename and no copy, so every row keeps its
value and the API's ``trained`` is that column. Columns are added (ALTER TABLE ... ADD
COLUMN on SQLite and PostgreSQL alike), the rows before get NULL dates and empty texts.

Revision ID: 0009_hq_vetting_training
Revises: 0008_hq_event_assignments
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_hq_vetting_training"
down_revision = "0008_hq_event_assignments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vetting", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("background_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("officer", sa.String(length=100), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("training_session", sa.String(length=200),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("training_date", sa.Date(), nullable=True))
    op.create_index("ix_vetting_training_date", "vetting", ["training_date"])


def downgrade() -> None:
    op.drop_index("ix_vetting_training_date", table_name="vetting")
    with op.batch_alter_table("vetting") as batch_op:
        batch_op.drop_column("training_date")
        batch_op.drop_column("training_session")
        batch_op.drop_column("officer")
        batch_op.drop_column("background_date")

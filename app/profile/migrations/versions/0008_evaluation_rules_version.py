"""the scoring rules' version a signed evaluation was scored with

A signed evaluation must rebuild with the rules it was signed under, so that its figures and
its digest (the PDF's QR code) stay those of its signature when newer rules ship (issue 13:
scoring_v2). Evaluations signed before this migration were all scored with version 1, the
only version there was; drafts keep none and are scored with the rules in force.

The column is added with SQLite's own ALTER TABLE ... ADD COLUMN, not by Alembic's
copy-and-rename batch, which would drop the outbox triggers of migration 0005.

Revision ID: 0008_evaluation_rules_version
Revises: 0007_no_id_number_hash
Create Date: 2026-12-02 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_evaluation_rules_version"
down_revision = "0007_no_id_number_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("rules_version", sa.Integer(), nullable=True))
    op.execute("UPDATE evaluation SET rules_version = 1 WHERE status = 'signed'")


def downgrade() -> None:
    with op.batch_alter_table("evaluation", recreate="never") as batch_op:
        batch_op.drop_column("rules_version")

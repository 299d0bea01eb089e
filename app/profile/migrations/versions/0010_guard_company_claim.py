"""the company's claim beside headquarters' vetting of each guard

Issue 14 (vetting owned by the police). A guard's ``background_check`` and ``trained`` are
the values the verdicts use: headquarters' result in an event HQ prepared, the roster's in an
event made on this laptop. What the company's own roster said is kept beside them, as its
claim (``claimed_background_check``, ``claimed_trained``), and shown on the scan's card when
it differs. NULL: not known (a guard of a package or a roster import made before).

The columns are added with SQLite's own ALTER TABLE ... ADD COLUMN, not by Alembic's
copy-and-rename batch, which would drop the outbox triggers of migration 0005.

Revision ID: 0010_guard_company_claim
Revises: 0009_official_form
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_guard_company_claim"
down_revision = "0009_official_form"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("guard", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("claimed_background_check", sa.String(length=10),
                                      nullable=True))
        batch_op.add_column(sa.Column("claimed_trained", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guard", recreate="never") as batch_op:
        batch_op.drop_column("claimed_trained")
        batch_op.drop_column("claimed_background_check")

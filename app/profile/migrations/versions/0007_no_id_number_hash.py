"""no ID-number hash: drop event.id_salt and guard.id_hash, mask ID numbers 3 + 4

The masked number, its HMAC and the HMAC's key side by side let anyone holding a profile, a
package or a bundle recover the ID number by trying the hidden birth-date and region digits
(issue 10, item 4: 20 of 20 guards in 0.5-2.5 s each). Nothing computed from the number is
kept any more; a person is matched by certificate number, and at headquarters by a keyed
pseudonym whose key never leaves it. The masked form keeps the usual first three and last
four characters (211***********123X) instead of four and four.

The columns are dropped with SQLite's own ALTER TABLE ... DROP COLUMN (SQLite 3.35 and
later), not by Alembic's copy-and-rename batch: recreating event and guard would drop the
outbox triggers of migration 0005. ``secure_delete`` overwrites the freed space, so the
dropped hashes do not linger in the file's free pages.

Revision ID: 0007_no_id_number_hash
Revises: 0006_head_count_indexes
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_no_id_number_hash"
down_revision = "0006_head_count_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("PRAGMA secure_delete=ON")
    # 2111**********123X -> 211***********123X; shorter values were masked whole already.
    op.execute("UPDATE guard SET id_masked = substr(id_masked, 1, 3) || '*' || "
               "substr(id_masked, 5) WHERE length(id_masked) >= 14 "
               "AND substr(id_masked, 4, 1) <> '*'")
    with op.batch_alter_table("guard", recreate="never") as batch_op:
        batch_op.drop_column("id_hash")
    with op.batch_alter_table("event", recreate="never") as batch_op:
        batch_op.drop_column("id_salt")


def downgrade() -> None:
    # The hashes are gone for good: an older app gets empty ones (it only ever wrote them).
    with op.batch_alter_table("event", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("id_salt", sa.String(length=64), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("guard", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("id_hash", sa.String(length=64), nullable=False,
                                      server_default=""))

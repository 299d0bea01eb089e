"""indexes for the console's event page and person file

Issue 14 (HQ console). Reserved by the lead at the start of the session so that work on
separate parts of the console chains its migrations in a fixed order; filled in by that part.

Revision ID: 0012_hq_console_indexes
Revises: 0011_hq_letters_grades
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

revision = "0012_hq_console_indexes"
down_revision = "0011_hq_letters_grades"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

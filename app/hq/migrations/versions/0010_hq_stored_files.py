"""content-addressed stored files and HQ's document timestamps

Issue 14 (HQ console). Reserved by the lead at the start of the session so that work on
separate parts of the console chains its migrations in a fixed order; filled in by that part.

Revision ID: 0010_hq_stored_files
Revises: 0009_hq_vetting_training
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

revision = "0010_hq_stored_files"
down_revision = "0009_hq_vetting_training"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""HQ's vetting: background date and officer, pre-job training sessions

Issue 14 (HQ console). Reserved by the lead at the start of the session so that work on
separate parts of the console chains its migrations in a fixed order; filled in by that part.

Revision ID: 0009_hq_vetting_training
Revises: 0008_hq_event_assignments
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

revision = "0009_hq_vetting_training"
down_revision = "0008_hq_event_assignments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

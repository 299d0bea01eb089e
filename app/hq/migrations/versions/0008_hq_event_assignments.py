"""laptops and zones assigned to HQ's events

Issue 14 (HQ console). Reserved by the lead at the start of the session so that work on
separate parts of the console chains its migrations in a fixed order; filled in by that part.

Revision ID: 0008_hq_event_assignments
Revises: 0007_hq_rectification
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

revision = "0008_hq_event_assignments"
down_revision = "0007_hq_rectification"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

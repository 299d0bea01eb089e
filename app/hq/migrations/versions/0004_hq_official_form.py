"""document numbers allotted to laptops and mapped on arrival; scoring rules HQ publishes

Issue 13: an evaluation's official document number (文号) is unique across laptops even
offline: HQ allots each laptop blocks of numbers (``document_number_block``), carried in the
event packages served to it; a number from a laptop's own fallback series is given an
official one on arrival (``document_number_map``). A kept evaluation says whether its grade
is final or provisional (``evaluation_document.grade_final``). Scoring rules HQ publishes after a
release (``published_scoring_rules``) travel to laptops in the event packages.

Revision ID: 0004_hq_official_form
Revises: 0003_hq_takedowns_and_proposals
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hq_official_form"
down_revision = "0003_hq_takedowns_and_proposals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("evaluation_document", sa.Column("grade_final", sa.Boolean(), nullable=True))
    op.create_table(
        "document_number_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("allotted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_number_block_device_id", "document_number_block",
                    ["device_id"])
    op.create_table(
        "document_number_map",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("local_number", sa.String(length=60), nullable=False),
        sa.Column("official_number", sa.String(length=60), nullable=False),
        sa.Column("evaluation_id", sa.String(length=64), nullable=False),
        sa.Column("mapped_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "local_number"),
        sa.UniqueConstraint("official_number"),
    )
    op.create_table(
        "published_scoring_rules",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )


def downgrade() -> None:
    op.drop_column("evaluation_document", "grade_final")
    op.drop_table("published_scoring_rules")
    op.drop_table("document_number_map")
    op.drop_index("ix_document_number_block_device_id", table_name="document_number_block")
    op.drop_table("document_number_block")

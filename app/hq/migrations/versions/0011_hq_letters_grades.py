"""recommendation letters and grade-change confirmations

Issue 14 (HQ console). ``grade_review``: the credit-grade change the rules suggest when a
signed evaluation arrives, open until a person accepts or rejects it
(app.hq.grade_reviews). ``recommendation_letter``: the signed PDF letter recommending
companies to an event's organiser (its PDF in ``stored_file``, app.hq.files, by SHA-256),
and the organiser's choice (app.hq.letters).

Revision ID: 0011_hq_letters_grades
Revises: 0010_hq_stored_files
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_hq_letters_grades"
down_revision = "0010_hq_stored_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("licence_no", sa.String(length=100), nullable=False),
        sa.Column("evaluation_id", sa.String(length=64), nullable=False),
        sa.Column("current_grade", sa.String(length=20), nullable=False),
        sa.Column("suggested_grade", sa.String(length=20), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id"),
    )
    op.create_index("ix_grade_review_licence_no", "grade_review", ["licence_no"])
    op.create_table(
        "recommendation_letter",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("event_name", sa.String(length=200), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("companies", sa.Text(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("chosen_key", sa.String(length=120), nullable=True),
        sa.Column("chosen_licence", sa.String(length=100), nullable=True),
        sa.Column("chosen_name", sa.String(length=200), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chosen_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("recommendation_letter")
    op.drop_index("ix_grade_review_licence_no", table_name="grade_review")
    op.drop_table("grade_review")

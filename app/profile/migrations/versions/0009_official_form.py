"""the official form: document numbers, the company head's signature or refusal, the
sample's reason, and scoring rules that arrive from headquarters

Issue 13. The evaluation gets its official document number (文号) when signed, from a block
headquarters allotted this laptop (``document_number_block``, from HQ's signed event
package) or from the laptop's own series; the company's on-site head signs on the same pad
or refuses (拒签, with time and reason); a grade on a sample checked only in part carries the
supervisor's written reason. Scoring rules headquarters published after this program was
released arrive in the event package (``scoring_rules_document``), with the version set for
each event (``event_scoring``).

The evaluation's columns are added with SQLite's own ALTER TABLE ... ADD COLUMN, not by
Alembic's copy-and-rename batch, which would drop the outbox triggers of migration 0005.

Revision ID: 0009_official_form
Revises: 0008_evaluation_rules_version
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_official_form"
down_revision = "0008_evaluation_rules_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("document_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("company_head_name", sa.String(length=100),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("company_head_signature_png", sa.LargeBinary(),
                                      nullable=True))
        batch_op.add_column(sa.Column("company_head_refused_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("company_head_refusal_reason", sa.Text(),
                                      server_default="", nullable=False))
        batch_op.add_column(sa.Column("sample_reason", sa.Text(), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("sample_statement", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("company_head_acknowledged_sha256",
                                      sa.String(length=64), nullable=True))
    op.create_index("ux_evaluation_document_number", "evaluation", ["document_number"],
                    unique=True)
    op.create_table(
        "document_number_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prefix", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_number_block")),
    )
    op.create_table(
        "scoring_rules_document",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_scoring_rules_document")),
    )
    op.create_table(
        "event_scoring",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"],
                                name=op.f("fk_event_scoring_event_id_event")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_scoring")),
    )


def downgrade() -> None:
    op.drop_table("event_scoring")
    op.drop_table("scoring_rules_document")
    op.drop_table("document_number_block")
    op.drop_index("ux_evaluation_document_number", table_name="evaluation")
    with op.batch_alter_table("evaluation", recreate="never") as batch_op:
        for column in ("company_head_acknowledged_sha256", "sample_statement",
                       "sample_reason", "company_head_refusal_reason",
                       "company_head_refused_at", "company_head_signature_png",
                       "company_head_name", "document_number"):
            batch_op.drop_column(column)

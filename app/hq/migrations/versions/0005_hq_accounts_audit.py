"""accounts of HQ staff with roles, and an append-only audit log

Issue 14: one account per person (viewer, staff, admin) instead of one shared password, and
an audit log of every change nobody can edit: the database itself refuses UPDATE and DELETE
on ``audit_entry`` (a trigger on SQLite and on PostgreSQL). HQ's own vetting of each person
(``vetting``: background check and pre-job training, by certificate).

Revision ID: 0005_hq_accounts_audit
Revises: 0004_hq_official_form
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_hq_accounts_audit"
down_revision = "0004_hq_official_form"
branch_labels = None
depends_on = None

REFUSAL = "the audit log is append-only"


def upgrade() -> None:
    op.create_table(
        "hq_user",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_hash"),
    )
    op.create_index("ix_audit_entry_target", "audit_entry", ["target"])
    op.create_table(
        "vetting",
        sa.Column("cert_key", sa.String(length=50), nullable=False),
        sa.Column("background", sa.String(length=10), nullable=False),
        sa.Column("trained", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("cert_key"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry
                BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    op.drop_table("vetting")
    op.drop_table("audit_entry")
    op.drop_table("hq_user")

"""content-addressed stored files and HQ's document timestamps

Issue 14 (evaluations inbox). ``stored_file`` keeps files (signed PDFs) as binary, apart from
the JSON rows, under the SHA-256 of their bytes, so the same bytes are kept once
(app.hq.files). Each signed evaluation's PDF moves there, keyed by its ``pdf_sha256``, and
``evaluation_document.pdf`` becomes NULL for it: the column itself stays (nullable), because
rows written by callers that fill it themselves (the read-side tests, bench/person_file.py)
still do and app.hq.files.document_pdf reads it when a PDF is not in the store. A PDF whose
bytes do not hash to its ``pdf_sha256`` (never seen; it would be damaged) is left where it is,
never stored under a hash it does not have.

``evaluation_document`` gains the hash and the time of the PDF with HQ's document timestamp
(app.hq.timestamps, PAdES B-LTA). The documents already held get none here (a migration has
no access to HQ's sealed keys): app.hq.timestamps.stamp_pending adds them.

Rows are moved one at a time, whatever their number: only one PDF is in memory.

Revision ID: 0010_hq_stored_files
Revises: 0009_hq_vetting_training
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010_hq_stored_files"
down_revision = "0009_hq_vetting_training"
branch_labels = None
depends_on = None

_document = sa.table("evaluation_document", sa.column("id", sa.String),
                     sa.column("pdf", sa.LargeBinary), sa.column("pdf_sha256", sa.String))
_file = sa.table("stored_file", sa.column("sha256", sa.String), sa.column("size", sa.Integer),
                 sa.column("media_type", sa.String), sa.column("data", sa.LargeBinary),
                 sa.column("created_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    # PostgreSQL alters the table in place; SQLite cannot drop a NOT NULL, so Alembic's batch
    # mode copies the table (its index with it) once.
    with op.batch_alter_table("evaluation_document") as batch_op:
        batch_op.add_column(sa.Column("timestamped_sha256", sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column("timestamped_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=True)
    connection = op.get_bind()
    ids = connection.execute(sa.select(_document.c.id).where(_document.c.pdf.is_not(None))
                             .order_by(_document.c.id)).scalars().all()
    now = datetime.now(UTC)
    for document_id in ids:
        pdf, expected = connection.execute(
            sa.select(_document.c.pdf, _document.c.pdf_sha256)
            .where(_document.c.id == document_id)).one()
        data = bytes(pdf)
        if hashlib.sha256(data).hexdigest() != expected:
            continue  # damaged: kept in place, never filed under a hash it does not have
        if connection.execute(sa.select(sa.func.count()).select_from(_file)
                              .where(_file.c.sha256 == expected)).scalar_one() == 0:
            connection.execute(sa.insert(_file).values(
                sha256=expected, size=len(data), media_type="application/pdf", data=data,
                created_at=now))
        connection.execute(sa.update(_document).where(_document.c.id == document_id)
                           .values(pdf=None))


def downgrade() -> None:
    connection = op.get_bind()
    ids = connection.execute(sa.select(_document.c.id).where(_document.c.pdf.is_(None))
                             .order_by(_document.c.id)).scalars().all()
    for document_id in ids:
        expected = connection.execute(sa.select(_document.c.pdf_sha256)
                                      .where(_document.c.id == document_id)).scalar_one()
        data = connection.execute(sa.select(_file.c.data)
                                  .where(_file.c.sha256 == expected)).scalar()
        if data is None:
            raise RuntimeError(f"cannot downgrade: the PDF of evaluation {document_id} is "
                               f"not in stored_file")
        connection.execute(sa.update(_document).where(_document.c.id == document_id)
                           .values(pdf=bytes(data)))
    with op.batch_alter_table("evaluation_document") as batch_op:
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("timestamped_at")
        batch_op.drop_column("timestamped_sha256")
    op.drop_table("stored_file")

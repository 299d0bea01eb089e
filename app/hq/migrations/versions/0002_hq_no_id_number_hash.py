"""no ID-number hash in HQ's records; person pseudonyms kept at HQ only

Guard and event payloads carried the masked ID number, its HMAC (``id_hash``) and the HMAC's
key (``id_salt``) side by side: with them the hidden digits could be tried until the number
was found (issue 10, item 4). Every stored payload loses both fields, its masked number is
cut to the usual first three and last four characters, like the laptop's migration 0007, and
its content hash is computed again with the protocol's own ``content_hash`` (so that the
laptops, migrated alike, find the same hash for the same row). Packages are built from these
payloads: none carries the fields any more.

``person_pseudonym`` matches people across events at HQ: a keyed HMAC of the ID number
whose key is one of HQ's sealed private keys (app.hq.keys) and never leaves HQ.

Revision ID: 0002_hq_no_id_number_hash
Revises: 0001_hq_initial
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002_hq_no_id_number_hash"
down_revision = "0001_hq_initial"
branch_labels = None
depends_on = None

BATCH = 500
DROPPED = ("id_hash", "id_salt")
_record = sa.table("record", sa.column("id", sa.String), sa.column("kind", sa.String),
                   sa.column("payload", sa.Text), sa.column("content_hash", sa.String))


def _remasked(masked: object) -> object:
    """2111**********123X -> 211***********123X (app.inspection.identity.mask_id_number's 3 + 4)."""
    if isinstance(masked, str) and len(masked) >= 14 and masked[3] != "*":
        return masked[:3] + "*" + masked[4:]
    return masked


def cleaned(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The payload without anything computed from the ID number; None when unchanged."""
    changed = {k: v for k, v in payload.items() if k not in DROPPED}
    if "id_masked" in changed:
        changed["id_masked"] = _remasked(changed["id_masked"])
    return changed if changed != payload else None


def upgrade() -> None:
    from app.sync.protocol import canonical_json, content_hash

    op.create_table(
        "person_pseudonym",
        sa.Column("guard_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("guard_id"),
    )
    op.create_index("ix_person_pseudonym_event_id", "person_pseudonym", ["event_id"])
    op.create_index("ix_person_pseudonym_pseudonym", "person_pseudonym", ["pseudonym"])

    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        # The dropped hashes must not linger in the file's free pages.
        connection.exec_driver_sql("PRAGMA secure_delete=ON")
    after = ""
    while True:  # in batches by id: a guard payload may carry its photo
        rows = connection.execute(
            sa.select(_record.c.id, _record.c.payload)
            .where(_record.c.kind.in_(("guard", "event")), _record.c.id > after)
            .order_by(_record.c.id).limit(BATCH)).all()
        if not rows:
            break
        after = rows[-1][0]
        for record_id, text in rows:
            try:
                payload = json.loads(text)
            except ValueError:
                continue
            if not isinstance(payload, dict):
                continue
            new = cleaned(payload)
            if new is None:
                continue
            connection.execute(
                sa.update(_record).where(_record.c.id == record_id)
                .values(payload=canonical_json(new).decode("utf-8"),
                        content_hash=content_hash(new)))


def downgrade() -> None:
    # The hashes are gone for good; only the pseudonym table can be taken back.
    op.drop_index("ix_person_pseudonym_pseudonym", table_name="person_pseudonym")
    op.drop_index("ix_person_pseudonym_event_id", table_name="person_pseudonym")
    op.drop_table("person_pseudonym")

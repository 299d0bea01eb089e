"""guard photos and finding evidence out of the stored payloads, into stored_file

Issue 14 (files stored as binary, content-addressed, apart from the JSON rows). From this
version HQ stores a guard's photo and a finding's evidence in ``stored_file`` and keeps a
reference in the payload in their place (app.hq.payload_files); the readers accept both
forms, so this migration is not needed for HQ to work: it moves the files of the rows stored
before (``record`` and ``record_proposal``), so that those rows shrink as well.

Each payload keeps every key as it was but the file's, which becomes
``{"media_type": ..., "size": ..., "stored_file": "<sha256 of the bytes>"}``; the bytes go
into ``stored_file`` once however many rows carry them. ``content_hash`` is not touched: it
is the hash of the payload as sent, which app.hq.payload_files.inflate gives back. A file
whose base64 is not exactly what encoding its bytes gives back (another spelling of the same
bytes) stays inline, as app.hq.payload_files does. Downgrading puts the base64 back.

Only rows whose canonical JSON holds the file as text (``"photo":"``) are read, a chunk of
ids at a time. A copy of app.hq.payload_files' rules as they were for this revision.

Revision ID: 0013_hq_payload_files
Revises: 0012_hq_console_indexes
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013_hq_payload_files"
down_revision = "0012_hq_console_indexes"
branch_labels = None
depends_on = None

FILE_KEYS = {"guard": "photo", "finding": "evidence"}
CHUNK = 200
_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
          (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"),
          (b"BM", "image/bmp"))

_record = sa.table("record", sa.column("id", sa.String), sa.column("kind", sa.String),
                   sa.column("payload", sa.Text))
_proposal = sa.table("record_proposal", sa.column("record_id", sa.String),
                     sa.column("device_id", sa.String), sa.column("kind", sa.String),
                     sa.column("payload", sa.Text))
_file = sa.table("stored_file", sa.column("sha256", sa.String), sa.column("size", sa.Integer),
                 sa.column("media_type", sa.String), sa.column("data", sa.LargeBinary),
                 sa.column("created_at", sa.DateTime(timezone=True)))


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _media_type(data: bytes) -> str:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return "application/octet-stream"


def _is_reference(value: object) -> bool:
    return (isinstance(value, dict) and set(value) == {"stored_file", "size", "media_type"}
            and isinstance(value.get("stored_file"), str) and len(value["stored_file"]) == 64)


Rewrite = Callable[[sa.Connection, str, dict[str, Any]], dict[str, Any] | None]


def _moved_out(connection: sa.Connection, key: str,
               payload: dict[str, Any]) -> dict[str, Any] | None:
    value = payload.get(key)
    if not isinstance(value, str) or not value:
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(data).decode("ascii") != value:
        return None  # another spelling of the bytes: kept as it is
    digest = hashlib.sha256(data).hexdigest()
    media_type = _media_type(data)
    if connection.execute(sa.select(sa.func.count()).select_from(_file)
                          .where(_file.c.sha256 == digest)).scalar_one() == 0:
        connection.execute(sa.insert(_file).values(sha256=digest, size=len(data),
                                                   media_type=media_type, data=data,
                                                   created_at=datetime.now(UTC)))
    return {**payload, key: {"media_type": media_type, "size": len(data),
                             "stored_file": digest}}


def _put_back(connection: sa.Connection, key: str,
              payload: dict[str, Any]) -> dict[str, Any] | None:
    value = payload.get(key)
    if not _is_reference(value):
        return None
    assert isinstance(value, dict)
    data = connection.execute(sa.select(_file.c.data)
                              .where(_file.c.sha256 == value["stored_file"])).scalar()
    if data is None:
        raise RuntimeError(f"cannot downgrade: the file {value['stored_file']} of a "
                           f"{key} is not in stored_file")
    return {**payload, key: base64.b64encode(bytes(data)).decode("ascii")}


def _rewrite(rewrite: Rewrite, marker: str) -> None:
    """Each row of a kind with a file whose payload text holds ``marker`` (its file key
    followed by the start of the value), ``rewrite`` applied; rows it leaves alone (None)
    are not written."""
    connection = op.get_bind()
    for kind, key in FILE_KEYS.items():
        pattern = f'%"{key}":{marker}%'
        record_ids = connection.execute(
            sa.select(_record.c.id).where(_record.c.kind == kind,
                                          _record.c.payload.like(pattern))
            .order_by(_record.c.id)).scalars().all()
        for start in range(0, len(record_ids), CHUNK):
            rows = connection.execute(sa.select(_record.c.id, _record.c.payload).where(
                _record.c.id.in_(record_ids[start:start + CHUNK]))).all()
            for record_id, text in rows:
                changed = rewrite(connection, key, json.loads(text))
                if changed is not None:
                    connection.execute(sa.update(_record).where(_record.c.id == record_id)
                                       .values(payload=_canonical(changed)))
        proposals = connection.execute(
            sa.select(_proposal.c.record_id, _proposal.c.device_id)
            .where(_proposal.c.kind == kind, _proposal.c.payload.like(pattern))
            .order_by(_proposal.c.record_id, _proposal.c.device_id)).all()
        for record_id, device_id in proposals:
            where = (_proposal.c.record_id == record_id, _proposal.c.device_id == device_id)
            text = connection.execute(sa.select(_proposal.c.payload).where(*where)).scalar_one()
            changed = rewrite(connection, key, json.loads(text))
            if changed is not None:
                connection.execute(sa.update(_proposal).where(*where)
                                   .values(payload=_canonical(changed)))


def upgrade() -> None:
    _rewrite(_moved_out, '"')


def downgrade() -> None:
    _rewrite(_put_back, "{")

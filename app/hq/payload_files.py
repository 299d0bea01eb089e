"""A record's attached file (a guard's photo, a finding's evidence) out of the JSON row HQ
stores, into the content-addressed file store (app.hq.files), and back.

A laptop sends the file base64 inside the record's payload (app.sync.records.FILE_COLUMNS),
and the record's content hash is the hash of that payload as sent. HQ keeps the bytes once in
``stored_file`` (de-duplicated by the SHA-256 of the bytes) and, in the payload it stores, a
reference in their place::

    "photo": {"stored_file": "<sha256 of the bytes>", "size": 48213, "media_type": "image/jpeg"}

(``photo_name`` and every other key stay as sent). ``record.content_hash`` stays the hash of
the payload as sent; whoever hands a payload out (event packages) or hashes it again
(vetting) puts the bytes back first (``inflate``), which gives the payload as sent, byte for
byte: a file is moved out only when its base64 text is exactly what encoding its bytes gives
back (any other spelling stays inline, as sent).

A reference is an object; a laptop's payload holds none (app.sync.records.payload_problem
refuses an object or a list as any value, a file's value included), so a laptop can never
name a stored file: only HQ writes references, and only to bytes it was sent. Rows stored
before (inline base64) are read as they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.hq import files
from app.hq.files import StoredFileError
from app.sync.records import FILE_COLUMNS

# kind -> the payload key that carries its file. An evaluation's PDF is not among them: it is
# never kept in the payload at all (app.hq.ingest files it as the evaluation's document).
FILE_KEYS: dict[str, str] = {kind: key for kind, (_column, key) in FILE_COLUMNS.items()
                             if kind != "evaluation"}
REFERENCE_KEYS = frozenset({"stored_file", "size", "media_type"})
OCTET_STREAM = "application/octet-stream"
# What a file's first bytes say it is (the laptop's file name is not trusted for this).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"BM", "image/bmp"),
)

PendingFile = tuple[bytes, str]  # bytes, media type: for files.put_many


def media_type_of(data: bytes) -> str:
    """The media type a file's bytes show (JPEG, PNG, GIF, WebP, PDF, BMP), else
    application/octet-stream."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return OCTET_STREAM


def is_reference(value: object) -> bool:
    """Whether ``value`` is a reference HQ wrote in place of a file's base64."""
    return (isinstance(value, dict) and value.keys() == REFERENCE_KEYS
            and files.is_sha256(value.get("stored_file"))
            and isinstance(value.get("size"), int) and not isinstance(value.get("size"), bool))


def externalise(kind: str, payload: dict[str, Any]) -> tuple[dict[str, Any], list[PendingFile]]:
    """The payload as HQ stores it (the file's base64 replaced by a reference) and the file
    to put into the store (none when the payload carries none, or carries it in a spelling
    that encoding its bytes would not give back: then the payload is kept as sent)."""
    key = FILE_KEYS.get(kind)
    value = payload.get(key) if key is not None else None
    if key is None or not isinstance(value, str) or not value:
        return payload, []
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return payload, []  # not base64 (payload_problem refuses it before): kept as sent
    if len(data) > files.MAX_FILE_BYTES \
            or base64.b64encode(data).decode("ascii") != value:
        return payload, []  # another spelling of the bytes: kept as sent, its hash holds
    media_type = media_type_of(data)
    reference = {"stored_file": hashlib.sha256(data).hexdigest(), "size": len(data),
                 "media_type": media_type}
    return {**payload, key: reference}, [(data, media_type)]


def inflate(s: Session, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it was sent: a reference's bytes put back, base64 (an inline file, a
    payload without one: as it is). StoredFileError when a referenced file is not held."""
    return inflate_all(s, [(kind, payload)])[0]


def inflate_all(s: Session, items: Sequence[tuple[str, dict[str, Any]]]
                ) -> list[dict[str, Any]]:
    """``inflate`` for many payloads (kind, payload), the files read in one query per chunk
    of hashes; the payloads in order."""
    wanted: list[str] = []
    for kind, payload in items:
        key = FILE_KEYS.get(kind)
        if key is not None and is_reference(payload.get(key)):
            wanted.append(payload[key]["stored_file"])
    if not wanted:
        return [payload for _kind, payload in items]
    found = files.get_many(s, wanted)
    inflated: list[dict[str, Any]] = []
    for kind, payload in items:
        key = FILE_KEYS.get(kind)
        value = payload.get(key) if key is not None else None
        if key is None or not is_reference(value):
            inflated.append(payload)
            continue
        assert isinstance(value, dict)
        data = found.get(value["stored_file"])
        if data is None or len(data) != value["size"]:
            raise StoredFileError(500, f"the {key} of {kind} {payload.get('id')} is missing "
                                       f"from HQ's file store ({value['stored_file']}); "
                                       f"restore HQ's database from a backup")
        inflated.append({**payload, key: base64.b64encode(data).decode("ascii")})
    return inflated


def file_digest(value: object) -> object:
    """What a file value stands for, comparable between a reference and inline base64: the
    SHA-256 of the bytes (any other value as it is)."""
    if is_reference(value):
        assert isinstance(value, dict)
        return value["stored_file"]
    if isinstance(value, str):
        try:
            return hashlib.sha256(base64.b64decode(value, validate=True)).hexdigest()
        except (binascii.Error, ValueError):
            return value
    return value


def file_size(value: object) -> int | None:
    """A file value's size in bytes (a reference's, or inline base64's); None for no file."""
    if is_reference(value):
        assert isinstance(value, dict)
        return int(value["size"])
    if isinstance(value, str):
        return len(value) * 3 // 4 - value[-2:].count("=")
    return None

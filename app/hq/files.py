"""HQ's files (signed PDFs; guard photos and finding evidence out of the records' payloads,
app.hq.payload_files), kept as binary apart from the JSON rows: content-addressed
by SHA-256 and so de-duplicated, in the ``stored_file`` table of HQ's own database (SQLite by
default, PostgreSQL in production; migration 0010).

A file is put once and never changed: its key is the SHA-256 of its bytes, so the same bytes
sent twice are stored once, and a row that names a file by its hash (an evaluation's
``pdf_sha256``) can always be checked against what it gets back. ``get`` checks it: bytes that
no longer hash to their key (a damaged disk, a row changed behind HQ's back) are refused,
never served.

Functions take the caller's session, so a file is written in the same transaction as the row
that names it: both are kept, or neither.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.hq.errors import HqError
from app.hq.models import EvaluationDocument, StoredFile, utc_now
from app.sync.protocol import chunks

# One file at most: a signed evaluation of 100,000 guards is a few megabytes; the largest
# request HQ reads (a bundle) is bounded by app.hq.server's BodyLimit well below this.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_MEDIA_TYPE_CHARS = 100
PDF = "application/pdf"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


class StoredFileError(HqError):
    """A file HQ refuses to store or cannot give back as it was stored."""


def is_sha256(text: object) -> bool:
    """Whether ``text`` is a SHA-256 as the store keys files: 64 lower-case hex digits."""
    return isinstance(text, str) and _SHA256.fullmatch(text) is not None


def _checked(data: object, media_type: object) -> tuple[bytes, str, str]:
    """(bytes, media type, SHA-256) of a file HQ may store; StoredFileError if it may not."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise StoredFileError(400, f"a stored file must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise StoredFileError(413, f"a file of {len(data)} bytes is larger than HQ stores "
                                   f"({MAX_FILE_BYTES} bytes at most)")
    if not isinstance(media_type, str) or len(media_type) > MAX_MEDIA_TYPE_CHARS \
            or _MEDIA_TYPE.fullmatch(media_type) is None:
        raise StoredFileError(400, "a stored file's media type must be a plain type/subtype "
                                   "such as application/pdf")
    return data, media_type, hashlib.sha256(data).hexdigest()


def put(s: Session, data: bytes, media_type: str) -> str:
    """Keep ``data`` (once: the same bytes put again are not stored again); its SHA-256."""
    return put_many(s, [(data, media_type)])[0]


def put_many(s: Session, items: Sequence[tuple[bytes, str]]) -> list[str]:
    """Keep each (bytes, media type), once each, in one look-up of the hashes held and one
    INSERT of the new ones; their SHA-256s, in order. Every item is checked before anything
    is written: one refused refuses them all (StoredFileError), and nothing is stored."""
    checked = [_checked(data, media_type) for data, media_type in items]
    digests = [digest for _data, _type, digest in checked]
    new: dict[str, tuple[bytes, str]] = {}
    for data, media_type, digest in checked:
        new.setdefault(digest, (data, media_type))
    for chunk in chunks(list(new)):
        for digest in s.scalars(select(StoredFile.sha256).where(StoredFile.sha256.in_(chunk))):
            new.pop(digest, None)  # held already: the bytes are not sent to the database again
    if not new:
        return digests
    now = utc_now()
    values = [{"sha256": digest, "size": len(data), "media_type": media_type, "data": data,
               "created_at": now} for digest, (data, media_type) in new.items()]
    dialect = s.get_bind().dialect.name
    # Another request may store the same bytes at the same moment: whoever is first wins,
    # and both hold the same file.
    if dialect == "postgresql":
        s.execute(pg_insert(StoredFile).on_conflict_do_nothing(), values)
    elif dialect == "sqlite":
        s.execute(sqlite_insert(StoredFile).on_conflict_do_nothing(), values)
    else:
        s.execute(insert(StoredFile), values)
    return digests


def get_many(s: Session, digests: Iterable[str]) -> dict[str, bytes]:
    """The bytes stored under each of ``digests`` (one read per chunk of ids); a digest not held (or
    no SHA-256) is left out; StoredFileError when bytes held no longer hash to their key."""
    found: dict[str, bytes] = {}
    wanted = sorted({d for d in digests if is_sha256(d)})
    for chunk in chunks(wanted):
        for digest, data in s.execute(select(StoredFile.sha256, StoredFile.data)
                                      .where(StoredFile.sha256.in_(chunk))):
            data = bytes(data)
            if hashlib.sha256(data).hexdigest() != digest:
                raise _damaged(digest)
            found[digest] = data
    return found


def _damaged(sha256: str) -> StoredFileError:
    return StoredFileError(500, f"the stored file {sha256} is damaged: its bytes no longer "
                                f"match their SHA-256; restore HQ's database from a backup")


def get(s: Session, sha256: str) -> bytes | None:
    """The bytes stored under ``sha256``; None when no such file is held (or ``sha256`` is
    no SHA-256); StoredFileError when the bytes held no longer hash to their key."""
    if not is_sha256(sha256):
        return None
    data = s.scalar(select(StoredFile.data).where(StoredFile.sha256 == sha256))
    if data is None:
        return None
    data = bytes(data)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _damaged(sha256)
    return data


def held(s: Session, sha256: str) -> bool:
    """Whether a file is stored under ``sha256`` (its bytes not read)."""
    return is_sha256(sha256) and bool(s.scalar(
        select(func.count()).select_from(StoredFile).where(StoredFile.sha256 == sha256)))


def document_pdf(s: Session, document: EvaluationDocument, timestamped: bool = False
                 ) -> bytes | None:
    """A signed evaluation's PDF: as the laptop signed it (its hash is ``pdf_sha256``), or,
    with ``timestamped``, with HQ's document timestamp when it has one (app.hq.timestamps;
    else as signed). Rows written before the store (migration 0010 moved theirs) or by a
    caller that filled ``pdf`` itself keep their bytes in that column."""
    if timestamped and document.timestamped_sha256:
        stamped = get(s, document.timestamped_sha256)
        if stamped is not None:
            return stamped
    data = get(s, document.pdf_sha256)
    if data is None and document.pdf is not None:
        return bytes(document.pdf)
    return data

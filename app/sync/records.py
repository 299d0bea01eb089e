"""The laptop's synced rows as record payloads (docs/sync-protocol.md): which keys a kind's
payload carries, what each must hold to fit its table (``payload_problem``, the one check at
HQ and on the laptop), and the payload built from a row.

One generic mapping over the ORM columns, so that a column added by a migration travels
without a second list to keep in step. Local file paths never leave the laptop: the file
itself goes, base64, under the name in ``FILE_COLUMNS``. Applying a package's records to the
profile is app/sync/apply.py.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, LargeBinary, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.errors import UserError
from app.i18n import translate
from app.orm import as_utc
from app.profile.files import ProfileFiles
from app.profile.models import Base, Company, Event, Guard, Post, Synced
from app.sync.kinds import MODELS
from app.sync.protocol import Record, chunks

# local path column -> the payload key that carries the file's bytes
FILE_COLUMNS: dict[str, tuple[str, str]] = {
    "guard": ("photo_path", "photo"),
    "finding": ("evidence_path", "evidence"),
    "evaluation": ("pdf_path", "pdf"),
}
# Where files that arrive in a package are kept, inside the profile.
INCOMING_FILE_DIRS = {"guard": "photos", "finding": "evidence", "evaluation": "reports"}


class RecordError(UserError, ValueError):
    """A payload that does not fit the laptop's table; the message says which field."""


# A time travels as ISO 8601 text; HQ keeps a record's updated_at in 40 characters.
MAX_TIME_TEXT = 40
# SQLite's and PostgreSQL's integers are 64-bit.
MIN_INTEGER, MAX_INTEGER = -(2 ** 63), 2 ** 63 - 1
# An attached file's name becomes "<record id>-<name>" in the profile: within a file
# system's 255 bytes.
MAX_FILE_NAME_BYTES = 200


def text_problem(value: str) -> str | None:
    """What makes text unstorable (PostgreSQL refuses NUL; a lone surrogate is no UTF-8)."""
    if "\x00" in value:
        return translate("SyncRecords", "holds a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return translate("SyncRecords", "is not valid Unicode text (a lone surrogate)")
    return None


Check = Callable[[object], "str | None"]


def _null_problem(nullable: bool) -> str | None:
    if nullable:
        return None
    return translate("SyncRecords", "is empty (null), and the table needs a value")


def _boolean_problem(value: object) -> str | None:
    return None if isinstance(value, bool) else translate("SyncRecords", "is not true/false")


def _integer_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return translate("SyncRecords", "is not a whole number")
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        return translate("SyncRecords", "is a whole number beyond 64 bits")
    return None


def _float_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return translate("SyncRecords", "is not a number")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    return None if finite else translate("SyncRecords", "is not a finite number")


def _unparsable(what: str) -> str:
    if what == "time":
        return translate("SyncRecords", "is not an ISO 8601 time")
    if what == "date":
        return translate("SyncRecords", "is not an ISO 8601 date")
    return translate("SyncRecords", "is not valid base64")


def _text_check(length: int | None, parse: Callable[[str], object] | None = None,
                what: str = "") -> Check:
    def check(value: object) -> str | None:
        if not isinstance(value, str):
            return translate("SyncRecords", "is not text")
        problem = text_problem(value)
        if problem:
            return problem
        if length is not None and len(value) > length:
            return (translate("SyncRecords", "is too long to be a time") if parse
                    else translate("SyncRecords", "is longer than {count} characters")
                    .format(count=length))
        if parse is not None:
            try:
                parse(value)
            except ValueError:
                return _unparsable(what)
        return None
    return check


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _column_check(column: Column[Any]) -> Check:
    """The check of one column's JSON value (None is judged apart: _null_problem)."""
    kind = stored_type(column)
    if isinstance(kind, Boolean):
        return _boolean_problem
    if isinstance(kind, Integer):
        return _integer_problem
    if isinstance(kind, Float):
        return _float_problem
    if isinstance(kind, DateTime):
        return _text_check(MAX_TIME_TEXT, datetime.fromisoformat, "time")
    if isinstance(kind, Date):
        return _text_check(None, date.fromisoformat, "date")
    if isinstance(kind, LargeBinary):
        return _text_check(None, _b64, "base64")
    return _text_check(getattr(kind, "length", None))


def _file_problem(key: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return translate("SyncRecords", "is not text")
    problem = text_problem(value)
    if problem:
        return problem
    if key.endswith("_name"):
        if len(value.encode("utf-8")) > MAX_FILE_NAME_BYTES:
            return translate("SyncRecords", "is too long for a file name")
        return None
    try:
        base64.b64decode(value, validate=True)
    except ValueError:
        return translate("SyncRecords", "is not valid base64")
    return None


# Columns added after laptops were in the field (kind -> column keys): a payload from a laptop
# of the version before lacks them, and they are taken as null. Every other key is required.
ADDED_LATER: dict[str, frozenset[str]] = {
    "guard": frozenset({"claimed_background_check", "claimed_trained"}),  # profile 0010
    "evaluation": frozenset({"rules_version",  # profile migration 0008
                             "document_number", "company_head_name",  # 0009
                             "company_head_signature_png", "company_head_refused_at",
                             "company_head_refusal_reason", "sample_reason",
                             "sample_statement", "company_head_acknowledged_sha256"}),
}


def may_be_absent(kind: str, key: str) -> bool:
    return key in ADDED_LATER.get(kind, frozenset())


def payload_keys(kind: str) -> dict[str, Column[Any] | None]:
    """The keys a payload of ``kind`` carries, each with its table column (None for an
    attached file's bytes and name, which stand in for a local path column)."""
    return dict(_payload_keys(kind))


@functools.cache
def _checks(kind: str) -> tuple[tuple[str, bool, Check], ...]:
    """(payload key, may be null, check of a value) for each key of a kind's payload."""
    checks: list[tuple[str, bool, Check]] = []
    for key, column in _payload_keys(kind):
        if column is None:
            checks.append((key, True, functools.partial(_file_problem, key)))
        else:
            checks.append((key, column.nullable is not False, _column_check(column)))
    return tuple(checks)


@functools.cache
def _payload_keys(kind: str) -> tuple[tuple[str, Column[Any] | None], ...]:
    keys: dict[str, Column[Any] | None] = {}
    file_column = FILE_COLUMNS.get(kind)
    for column in columns(kind):
        if file_column and column.key == file_column[0]:
            keys[file_column[1]] = None
            keys[file_column[1] + "_name"] = None
        else:
            keys[column.key] = column
    return tuple(keys.items())


class _KeySets(dict[str, frozenset[str]]):
    def __missing__(self, kind: str) -> frozenset[str]:
        self[kind] = frozenset(key for key, _column in _payload_keys(kind))
        return self[kind]


_KEY_SETS = _KeySets()


def payload_problem(kind: str, payload: object) -> str | None:
    """Why a record payload does not fit the laptop table its kind maps to, in plain words;
    None when it fits. Every column present and no other key, each value of its column's
    JSON type, NOT NULL columns filled, text within the column's length and free of NUL and
    lone surrogates, whole numbers within 64 bits, times and dates parseable. No value may be
    an object or a list, so nesting is bounded too. Never recurses: safe on any JSON value.

    The one check of a payload against its table, at HQ (before a record is stored) and on
    the laptop (before a package's record is applied)."""
    if not isinstance(kind, str) or kind not in MODELS:
        return translate("SyncRecords", "unknown record kind {kind}").format(kind=shown(kind))
    if not isinstance(payload, dict):
        return translate("SyncRecords", "the payload is not an object")
    unknown = [key for key in payload if key not in _KEY_SETS[kind]]
    if unknown:
        return translate("SyncRecords", "the payload has a field the {kind} table does not "
                         "have: {field}").format(kind=kind, field=ascii(unknown[0])[:80])
    for key, nullable, check in _checks(kind):
        if key not in payload:
            if may_be_absent(kind, key):
                continue
            return translate("SyncRecords", "field {field} is missing").format(field=repr(key))
        value = payload[key]
        problem = _null_problem(nullable) if value is None else check(value)
        if problem:
            return translate("SyncRecords", "field {field} {problem}").format(
                field=repr(key), problem=problem)
    return None


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def columns(kind: str) -> list[Column[Any]]:
    """The columns of a kind's table (a kind is its table's name)."""
    return list(Base.metadata.tables[kind].columns)


def stored_type(column: Column[Any]) -> TypeEngine[Any]:
    """The type a column is stored as: a TypeDecorator (app.orm.UtcDateTime) is judged by the
    type it wraps."""
    kind = column.type
    return kind.impl_instance if isinstance(kind, TypeDecorator) else kind


ProfileFolder = Path | ProfileFiles  # a plain profile's folder, or a profile's files


def profile_files(data_dir: ProfileFolder) -> ProfileFiles:
    """The profile's files (``Database.files``: decrypted when the profile is encrypted); a
    bare folder is a plain profile's."""
    return data_dir if isinstance(data_dir, ProfileFiles) else ProfileFiles(Path(data_dir))


def payload_of(kind: str, row: Synced, data_dir: ProfileFolder) -> dict[str, Any]:
    file_column = FILE_COLUMNS.get(kind)
    payload: dict[str, Any] = {}
    store = profile_files(data_dir)
    for column in columns(kind):
        value = getattr(row, column.key)
        if file_column and column.key == file_column[0]:
            path = (store.root / value) if value else None
            has_file = path is not None and path.is_file()
            payload[file_column[1]] = (base64.b64encode(store.read(path)).decode("ascii")
                                       if has_file and path else None)
            payload[file_column[1] + "_name"] = path.name if has_file and path else None
            continue
        payload[column.key] = _encode(value)
    return payload


def record_of(kind: str, row: Synced, data_dir: ProfileFolder) -> Record:
    return Record.of(kind, payload_of(kind, row, data_dir))


def load_records(session: Session, kind: str, ids: Iterable[str],
                 data_dir: ProfileFolder) -> dict[str, Record]:
    """The current state of the given rows, by id (rows that no longer exist are absent)."""
    model = MODELS[kind]
    found: dict[str, Record] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in session.scalars(select(model).where(model.id.in_(chunk))):
            found[row.id] = record_of(kind, row, data_dir)
    return found


def records_for_event(session: Session, event_id: str,
                      data_dir: ProfileFolder) -> list[Record]:
    """What an event package carries of an event: its company, itself, posts and guards."""
    event = session.get(Event, event_id)
    if event is None:
        raise RecordError(translate("SyncRecords", "no event {id}").format(id=event_id))
    records: list[Record] = []
    if event.company_id:
        company = session.get(Company, event.company_id)
        if company is not None:
            records.append(record_of("company", company, data_dir))
    records.append(record_of("event", event, data_dir))
    posts = session.scalars(select(Post).where(Post.event_id == event_id)
                            .order_by(Post.created_at, Post.id))
    records.extend(record_of("post", row, data_dir) for row in posts)
    guards = session.scalars(select(Guard).where(Guard.event_id == event_id)
                             .order_by(Guard.created_at, Guard.id))
    records.extend(record_of("guard", row, data_dir) for row in guards)
    return records


def shown(value: object) -> str:
    """A value from a package, short and safe to print (never recursing into it)."""
    if isinstance(value, str):
        return ascii(value[:80])
    return type(value).__name__

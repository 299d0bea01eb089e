"""The laptop's synced rows as record payloads and back (docs/sync-protocol.md).

One generic mapping over the ORM columns, so that a column added by a migration travels
without a second list to keep in step. Local file paths never leave the laptop: the file
itself goes, base64, under the name in ``FILE_COLUMNS``.
"""

from __future__ import annotations

import base64
import functools
import math
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.errors import UserError
from app.i18n import translate
from app.profile.files import ProfileFiles, write_atomically
from app.profile.models import (
    CheckResult,
    Company,
    Evaluation,
    Event,
    Finding,
    Guard,
    Inspection,
    Post,
    PostStatus,
    Synced,
)
from app.sync.protocol import KINDS, PACKAGE_KINDS, Record, chunks, content_hash

MODELS: dict[str, type[Synced]] = {
    "company": Company,
    "event": Event,
    "post": Post,
    "guard": Guard,
    "inspection": Inspection,
    "check_result": CheckResult,
    "finding": Finding,
    "post_status": PostStatus,
    "evaluation": Evaluation,
}
assert set(MODELS) == set(KINDS)
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


def _column_check(column: Any) -> Check:
    """The check of one column's JSON value (None is judged apart: _null_problem)."""
    kind = column.type
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


def payload_keys(kind: str) -> dict[str, Any]:
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
def _payload_keys(kind: str) -> tuple[tuple[str, Any], ...]:
    keys: dict[str, Any] = {}
    file_column = FILE_COLUMNS.get(kind)
    for column in _columns(kind):
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
        return translate("SyncRecords", "unknown record kind {kind}").format(kind=_shown(kind))
    if not isinstance(payload, dict):
        return translate("SyncRecords", "the payload is not an object")
    unknown = [key for key in payload if key not in _KEY_SETS[kind]]
    if unknown:
        return translate("SyncRecords", "the payload has a field the {kind} table does not "
                         "have: {field}").format(kind=kind, field=ascii(unknown[0])[:80])
    for key, nullable, check in _checks(kind):
        if key not in payload:
            return translate("SyncRecords", "field {field} is missing").format(field=repr(key))
        value = payload[key]
        problem = _null_problem(nullable) if value is None else check(value)
        if problem:
            return translate("SyncRecords", "field {field} {problem}").format(
                field=repr(key), problem=problem)
    return None


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; the app stores UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return _utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _columns(kind: str) -> list[Any]:
    return list(MODELS[kind].__table__.columns)  # type: ignore[attr-defined]


ProfileFolder = Path | ProfileFiles  # a plain profile's folder, or a profile's files


def _store(data_dir: ProfileFolder) -> ProfileFiles:
    """The profile's files (``Database.files``: decrypted when the profile is encrypted); a
    bare folder is a plain profile's."""
    return data_dir if isinstance(data_dir, ProfileFiles) else ProfileFiles(Path(data_dir))


def payload_of(kind: str, row: Synced, data_dir: ProfileFolder) -> dict[str, Any]:
    file_column = FILE_COLUMNS.get(kind)
    payload: dict[str, Any] = {}
    store = _store(data_dir)
    for column in _columns(kind):
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
    for kind in ("post", "guard"):
        model = MODELS[kind]
        rows = session.scalars(select(model).where(model.event_id == event_id)  # type: ignore[attr-defined]
                               .order_by(model.created_at, model.id))
        records.extend(record_of(kind, row, data_dir) for row in rows)
    return records


# ------------------------------------------------------------------ applying a package
def _decode(kind: str, column: Any, value: object) -> object:
    if value is None:
        return None
    try:
        if isinstance(column.type, DateTime):
            moment = datetime.fromisoformat(str(value))
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        if isinstance(column.type, Date):
            return date.fromisoformat(str(value))
        if isinstance(column.type, LargeBinary):
            return base64.b64decode(str(value), validate=True)
        if isinstance(column.type, Boolean):
            if not isinstance(value, bool):
                raise TypeError(translate("SyncRecords", "not true/false"))
            return value
        if isinstance(column.type, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(translate("SyncRecords", "not a whole number"))
            return value
        if isinstance(column.type, Float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(translate("SyncRecords", "not a number"))
            return float(value)
        if not isinstance(value, str):
            raise TypeError(translate("SyncRecords", "not text"))
        return value
    except (TypeError, ValueError) as exc:
        raise RecordError(translate("SyncRecords", "{kind} field {field}: {value} is {problem}")
                          .format(kind=kind, field=repr(column.key), value=repr(value),
                                  problem=exc)) from None


@dataclass
class ApplyResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # package id -> local id, where the profile already knew the same company by name
    mapped: dict[str, str] = field(default_factory=dict)
    # rows left as they were: changed here, not yet at HQ
    kept: dict[str, int] = field(default_factory=dict)
    # ids whose row is now exactly the package's (HQ holds that version)
    applied: list[str] = field(default_factory=list)
    # attached files (guard photos...) to write once the transaction has committed: a
    # refused or interrupted package leaves none behind (write_files)
    files: list[tuple[Path, bytes]] = field(default_factory=list)
    # the profile's files they go into (encrypted when the profile is)
    store: ProfileFiles | None = None

    def write_files(self) -> None:
        """Write the attached files; call only after the rows naming them are committed."""
        for target, data in self.files:
            if self.store is not None:
                self.store.write(target, data)
            else:
                write_atomically(target, data)


def _values(kind: str, record_id: str, payload: dict[str, Any], data_dir: Path,
            mapped: dict[str, str], files: list[tuple[Path, bytes]]) -> dict[str, Any]:
    file_column = FILE_COLUMNS.get(kind)
    values: dict[str, Any] = {}
    for column in _columns(kind):
        if file_column and column.key == file_column[0]:
            data = payload.get(file_column[1])
            if data:
                name = Path(str(payload.get(file_column[1] + "_name") or "file")).name
                target = data_dir / INCOMING_FILE_DIRS[kind] / f"{record_id}-{name}"
                try:
                    files.append((target, base64.b64decode(str(data), validate=True)))
                except ValueError:
                    raise RecordError(translate("SyncRecords", "{kind} {id}: the attached file "
                                                "is not valid base64")
                                      .format(kind=kind, id=payload["id"])) from None
                values[column.key] = str(target.relative_to(data_dir))
            continue
        if column.key not in payload:
            raise RecordError(translate("SyncRecords", "{kind} {id}: field {field} is missing")
                              .format(kind=kind, id=payload.get("id"), field=repr(column.key)))
        value = _decode(kind, column, payload[column.key])
        if column.key.endswith("_id") and isinstance(value, str):
            value = mapped.get(value, value)
        values[column.key] = value
    return values


def _shown(value: object) -> str:
    """A value from a package, short and safe to print (never recursing into it)."""
    if isinstance(value, str):
        return ascii(value[:80])
    return type(value).__name__


def _check_package(session: Session, records: Sequence[Record]) -> None:
    """Every record of a package fits its table before any is applied: a known kind, a
    payload that fits (payload_problem), its hash, a UUID id that no other record of the
    package and no row of another table of the profile has. RecordError otherwise."""
    seen: dict[str, str] = {}
    for record in records:
        kind, record_id = record.kind, record.id
        if not isinstance(kind, str) or kind not in PACKAGE_KINDS:
            raise RecordError(translate("SyncRecords", "an event package cannot carry {kind} "
                                        "records").format(kind=_shown(kind)))
        if not isinstance(record_id, str):
            raise RecordError(translate("SyncRecords", "{kind} record id {id} is not a UUID")
                              .format(kind=kind, id=_shown(record_id)))
        try:  # the id names files in the profile: nothing but a UUID may pass
            uuid.UUID(record_id)
        except ValueError:
            raise RecordError(translate("SyncRecords", "{kind} record id {id} is not a UUID")
                              .format(kind=kind, id=_shown(record_id))) from None
        problem = payload_problem(kind, record.payload)
        if problem:
            raise RecordError(translate("SyncRecords", "{kind} {id}: {problem}")
                              .format(kind=kind, id=record_id, problem=problem))
        if record.payload.get("id") != record_id:
            raise RecordError(translate("SyncRecords", "{kind} {id}: the payload's id differs "
                                        "from the record's").format(kind=kind, id=record_id))
        if content_hash(record.payload) != record.hash:
            raise RecordError(translate("SyncRecords", "{kind} {id}: content hash does not match")
                              .format(kind=kind, id=record_id))
        if record_id in seen:
            raise RecordError(translate("SyncRecords", "the package carries the id {id} twice "
                                        "(as {first} and as {second})")
                              .format(id=record_id, first=seen[record_id], second=kind))
        seen[record_id] = kind
    ids = sorted(seen)
    for kind, model in MODELS.items():
        for chunk in chunks(ids):
            for found in session.scalars(select(model.id).where(model.id.in_(chunk))):
                if seen[found] != kind:
                    raise RecordError(translate(
                        "SyncRecords", "{kind} {id}: this profile holds that id as a {other} "
                        "already").format(kind=seen[found], id=found, other=kind))


_MODEL_OF_TABLE: dict[str, type[Synced]] = {
    model.__table__.name: model for model in MODELS.values()}  # type: ignore[attr-defined]


def _check_parents(session: Session, kind: str, values: dict[str, Any],
                   present: set[tuple[str, str]]) -> None:
    """RecordError when a foreign key of the row names no row of the profile. ``present``
    holds the (table, id) known to exist: each parent is looked up once."""
    for column in _columns(kind):
        value = values.get(column.key)
        if value is None:
            continue
        for key in column.foreign_keys:
            table = key.column.table.name
            parent = _MODEL_OF_TABLE.get(table)
            if parent is None or (table, value) in present:
                continue
            if session.get(parent, value) is not None:
                present.add((table, value))
            else:
                raise RecordError(translate(
                    "SyncRecords", "{kind} {id}: its {field} names {value}, which is neither "
                    "in this profile nor in the package").format(
                    kind=kind, id=values.get("id"), field=column.key, value=value))


# Fields older versions put in payloads and no table has any more: an ID number's salted
# hash and its salt let the number be recovered (issue 10, item 4; migration 0007). A package
# made before still carries them: they are dropped on arrival, never stored; HQ refuses them.
RETIRED_FIELDS: dict[str, frozenset[str]] = {"event": frozenset({"id_salt"}),
                                             "guard": frozenset({"id_hash"})}


def without_retired_fields(record: Record) -> Record:
    """The record without RETIRED_FIELDS, its hash computed again, when its hash matched
    with them (a record whose hash does not match is left as it is, to be refused)."""
    retired = RETIRED_FIELDS.get(record.kind) if isinstance(record.kind, str) else None
    payload = record.payload
    if not retired or not isinstance(payload, dict) or retired.isdisjoint(payload):
        return record
    try:
        if content_hash(payload) != record.hash:
            return record
    except (ValueError, TypeError, RecursionError):
        return record
    kept = {key: value for key, value in payload.items() if key not in retired}
    return Record(record.kind, record.id, content_hash(kept), kept)


def apply_records(session: Session, records: Sequence[Record], data_dir: ProfileFolder,
                  keep_local: Collection[str] = ()) -> ApplyResult:
    """Insert or update package rows by id, in the caller's transaction.

    A row in ``keep_local`` (changed here and not yet at HQ) stays as the supervisor left
    it: the package is older news than the change HQ has not seen yet. The profile may
    already know the package's company under its own id (same name, from an earlier
    import); the event then points at that row. An event of the same name but another id is
    a conflict the supervisor has to resolve: nothing is guessed.

    Every record is checked against its table first (_check_package): a record that does
    not fit, or a row the profile's constraints refuse, is a RecordError that names it, and
    the caller's transaction (rolled back) leaves the profile unchanged.
    """
    records = [without_retired_fields(record) for record in records]
    _check_package(session, records)
    store = _store(data_dir)
    result = ApplyResult(store=store)
    present: set[tuple[str, str]] = set()  # (table, id) of rows known to exist
    order = {kind: index for index, kind in enumerate(PACKAGE_KINDS)}
    for record in sorted(records, key=lambda r: order[r.kind]):
        model = MODELS[record.kind]
        row = session.get(model, record.id)
        if row is not None and record.id in keep_local:
            result.kept[record.kind] = result.kept.get(record.kind, 0) + 1
            continue
        values = _values(record.kind, record.id, record.payload, store.root,
                         result.mapped, result.files)
        if row is None and record.kind in ("company", "event"):
            same_name = session.scalar(select(model).where(
                model.name == values["name"]))  # type: ignore[attr-defined]
            if same_name is not None:
                if record.kind == "event":
                    raise RecordError(translate(
                        "SyncRecords", "this profile already has an event named “{name}” that "
                        "did not come from this package; rename that event first")
                        .format(name=values["name"]))
                result.mapped[record.id] = same_name.id
                row = same_name
                values["id"] = same_name.id
        _check_parents(session, record.kind, values, present)
        if row is None:
            session.add(model(**values))
            result.created[record.kind] = result.created.get(record.kind, 0) + 1
        else:
            for key, value in values.items():
                if key == "id":
                    continue
                if key in ("photo_path",) and value is None:
                    continue  # a photo taken here stays when HQ has none
                setattr(row, key, value)
            result.updated[record.kind] = result.updated.get(record.kind, 0) + 1
        if record.id not in result.mapped:
            result.applied.append(record.id)
        present.add((model.__table__.name, values["id"]))  # type: ignore[attr-defined]
        try:
            session.flush()
        except (IntegrityError, DataError, OverflowError) as exc:
            detail = str(getattr(exc, "orig", None) or exc)[:200]
            raise RecordError(translate("SyncRecords", "{kind} {id} does not fit this profile "
                                        "({detail})").format(kind=record.kind, id=record.id,
                                                             detail=detail)) from None
    return result

"""An event package's records applied to the laptop's profile (docs/sync-protocol.md).

Every record is checked against its table before any is applied (a known kind, a payload
that fits, its hash, an id that is its own); rows the supervisor changed here and HQ has not
seen yet stay as they are; attached files are written only once the rows naming them are
committed. Anything that does not fit is a RecordError that names it, and the caller's
transaction leaves the profile unchanged.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, LargeBinary, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from app.i18n import translate
from app.orm import as_utc
from app.profile.files import ProfileFiles, write_atomically
from app.profile.models import Company, Event
from app.sync.kinds import MODELS
from app.sync.protocol import PACKAGE_KINDS, Record, chunks, content_hash
from app.sync.records import (
    FILE_COLUMNS,
    INCOMING_FILE_DIRS,
    ProfileFolder,
    RecordError,
    columns,
    may_be_absent,
    payload_problem,
    profile_files,
    shown,
    stored_type,
)


def _decode(kind: str, column: Column[Any], value: object) -> object:
    if value is None:
        return None
    stored = stored_type(column)
    try:
        if isinstance(stored, DateTime):
            return as_utc(datetime.fromisoformat(str(value)))
        if isinstance(stored, Date):
            return date.fromisoformat(str(value))
        if isinstance(stored, LargeBinary):
            return base64.b64decode(str(value), validate=True)
        if isinstance(stored, Boolean):
            if not isinstance(value, bool):
                raise TypeError(translate("SyncRecords", "not true/false"))
            return value
        if isinstance(stored, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(translate("SyncRecords", "not a whole number"))
            return value
        if isinstance(stored, Float):
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
    for column in columns(kind):
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
        if column.key not in payload and may_be_absent(kind, column.key):
            values[column.key] = None  # from a laptop of the version before the column
            continue
        if column.key not in payload:
            raise RecordError(translate("SyncRecords", "{kind} {id}: field {field} is missing")
                              .format(kind=kind, id=payload.get("id"), field=repr(column.key)))
        value = _decode(kind, column, payload[column.key])
        if column.key.endswith("_id") and isinstance(value, str):
            value = mapped.get(value, value)
        values[column.key] = value
    return values


def _check_package(session: Session, records: Sequence[Record]) -> None:
    """Every record of a package fits its table before any is applied: a known kind, a
    payload that fits (payload_problem), its hash, a UUID id that no other record of the
    package and no row of another table of the profile has. RecordError otherwise."""
    seen: dict[str, str] = {}
    for record in records:
        kind, record_id = record.kind, record.id
        if not isinstance(kind, str) or kind not in PACKAGE_KINDS:
            raise RecordError(translate("SyncRecords", "an event package cannot carry {kind} "
                                        "records").format(kind=shown(kind)))
        if not isinstance(record_id, str):
            raise RecordError(translate("SyncRecords", "{kind} record id {id} is not a UUID")
                              .format(kind=kind, id=shown(record_id)))
        try:  # the id names files in the profile: nothing but a UUID may pass
            uuid.UUID(record_id)
        except ValueError:
            raise RecordError(translate("SyncRecords", "{kind} record id {id} is not a UUID")
                              .format(kind=kind, id=shown(record_id))) from None
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


def _check_parents(session: Session, kind: str, values: dict[str, Any],
                   present: set[tuple[str, str]]) -> None:
    """RecordError when a foreign key of the row names no row of the profile. ``present``
    holds the (table, id) known to exist: each parent is looked up once."""
    for column in columns(kind):
        value = values.get(column.key)
        if value is None:
            continue
        for key in column.foreign_keys:
            table = key.column.table.name
            parent = MODELS.get(table)  # a kind is its table's name
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


def _same_name(session: Session, kind: str, name: object) -> Company | Event | None:
    """The company or event of the profile named ``name`` (names are unique in both)."""
    if kind == "company":
        return session.scalar(select(Company).where(Company.name == name))
    return session.scalar(select(Event).where(Event.name == name))


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
    store = profile_files(data_dir)
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
            same_name = _same_name(session, record.kind, values["name"])
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
        present.add((record.kind, values["id"]))
        try:
            session.flush()
        except (IntegrityError, DataError, OverflowError) as exc:
            detail = str(getattr(exc, "orig", None) or exc)[:200]
            raise RecordError(translate("SyncRecords", "{kind} {id} does not fit this profile "
                                        "({detail})").format(kind=record.kind, id=record.id,
                                                             detail=detail)) from None
    return result

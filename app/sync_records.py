"""The laptop's synced rows as record payloads and back (docs/sync-protocol.md).

One generic mapping over the ORM columns, so that a column added by a migration travels
without a second list to keep in step. Local file paths never leave the laptop: the file
itself goes, base64, under the name in ``FILE_COLUMNS``.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.files import write_atomically
from app.i18n import translate
from app.models import (
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
from app.sync_protocol import KINDS, PACKAGE_KINDS, Record, chunks, content_hash

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


def payload_of(kind: str, row: Synced, data_dir: Path) -> dict[str, Any]:
    file_column = FILE_COLUMNS.get(kind)
    payload: dict[str, Any] = {}
    for column in _columns(kind):
        value = getattr(row, column.key)
        if file_column and column.key == file_column[0]:
            path = (data_dir / value) if value else None
            has_file = path is not None and path.is_file()
            payload[file_column[1]] = (base64.b64encode(path.read_bytes()).decode("ascii")
                                       if has_file and path else None)
            payload[file_column[1] + "_name"] = path.name if has_file and path else None
            continue
        payload[column.key] = _encode(value)
    return payload


def record_of(kind: str, row: Synced, data_dir: Path) -> Record:
    return Record.of(kind, payload_of(kind, row, data_dir))


def load_records(session: Session, kind: str, ids: Iterable[str],
                 data_dir: Path) -> dict[str, Record]:
    """The current state of the given rows, by id (rows that no longer exist are absent)."""
    model = MODELS[kind]
    found: dict[str, Record] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in session.scalars(select(model).where(model.id.in_(chunk))):
            found[row.id] = record_of(kind, row, data_dir)
    return found


def records_for_event(session: Session, event_id: str, data_dir: Path) -> list[Record]:
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

    def write_files(self) -> None:
        """Write the attached files; call only after the rows naming them are committed."""
        for target, data in self.files:
            target.parent.mkdir(parents=True, exist_ok=True)
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


def apply_records(session: Session, records: Sequence[Record], data_dir: Path,
                  keep_local: Collection[str] = ()) -> ApplyResult:
    """Insert or update package rows by id, in the caller's transaction.

    A row in ``keep_local`` (changed here and not yet at HQ) stays as the supervisor left
    it: the package is older news than the change HQ has not seen yet. The profile may
    already know the package's company under its own id (same name, from an earlier
    import); the event then points at that row. An event of the same name but another id is
    a conflict the supervisor has to resolve: nothing is guessed.
    """
    result = ApplyResult()
    order = {kind: index for index, kind in enumerate(PACKAGE_KINDS)}
    for record in sorted(records, key=lambda r: order.get(r.kind, len(order))):
        if record.kind not in PACKAGE_KINDS:
            raise RecordError(translate("SyncRecords", "an event package cannot carry {kind} "
                                        "records").format(kind=record.kind))
        if content_hash(record.payload) != record.hash:
            raise RecordError(translate("SyncRecords", "{kind} {id}: content hash does not match")
                              .format(kind=record.kind, id=record.id))
        try:  # the id names files in the profile: nothing but a UUID may pass
            uuid.UUID(record.id)
        except ValueError:
            raise RecordError(translate("SyncRecords", "{kind} record id {id} is not a UUID")
                              .format(kind=record.kind, id=repr(record.id))) from None
        model = MODELS[record.kind]
        row = session.get(model, record.id)
        if row is not None and record.id in keep_local:
            result.kept[record.kind] = result.kept.get(record.kind, 0) + 1
            continue
        values = _values(record.kind, record.id, record.payload, data_dir, result.mapped,
                         result.files)
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
        session.flush()
    return result

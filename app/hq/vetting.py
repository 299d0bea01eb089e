"""Vetting owned by the police (issue 14, seed 001 §四(三)(四)): HQ records a person's
background check and pre-job training by certificate number; HQ's guard rows of every event
with that certificate take the result in the same transaction (a new content hash and
updated_at), so the next package of any of those events carries it and the laptop's
verdicts follow HQ's result, not the company's own spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import HQ_DEVICE, PersonIndex, Vetting, utc_now
from app.hq.models import Record as RecordRow
from app.hq.register import plain_text
from app.inspection.identity import cert_key
from app.sync.protocol import Record, canonical_json, chunks, content_hash

# The API's words for the background check, and the laptop's (app.inspection.domain).
BACKGROUND = {"cleared": "passed", "pending": "pending", "failed": "failed"}
MAX_NOTE_CHARS = 1000


def _vetting_json(row: Vetting | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"background": row.background, "trained": row.trained, "note": row.note}


def _hq_guard_rows(s: Session, key: str) -> list[RecordRow]:
    """HQ's guard rows of this certificate in every event, through the person index (the
    parsed payload decides: an index entry left behind by a corrected number is harmless)."""
    rows = s.scalars(select(RecordRow).where(
        RecordRow.id.in_(select(PersonIndex.record_id).where(PersonIndex.cert_key == key)),
        RecordRow.kind == "guard", RecordRow.device_id == HQ_DEVICE))
    return [row for row in rows if json.loads(row.payload).get("cert_key") == key]


def _check(cert_no: str, background: str) -> tuple[str, str]:
    """The certificate key and the laptop's word for the background; HqError (400)."""
    key = cert_key(cert_no)
    if not key or len(key) > 50:
        raise HqError(400, f"{cert_no[:60]!r} is no certificate number")
    if background not in BACKGROUND:
        raise HqError(400, f"background must be one of {', '.join(BACKGROUND)}")
    return key, BACKGROUND[background]


def _apply(s: Session, actor: str, key: str, state: str, trained: bool, note: str,
           now: datetime) -> tuple[Vetting, int]:
    """HQ's vetting row and HQ's guard rows of the certificate, in the caller's
    transaction, audited; how many guard rows took it."""
    row = s.get(Vetting, key)
    before = _vetting_json(row)
    if row is None:
        row = Vetting(cert_key=key, background=state, trained=trained, note=note,
                      updated_at=now, updated_by=actor)
        s.add(row)
    else:
        row.background, row.trained, row.note = state, trained, note
        row.updated_at, row.updated_by = now, actor
    guards = _hq_guard_rows(s, key)
    stamp = now.isoformat()
    for guard in guards:
        payload = json.loads(guard.payload)
        if (payload.get("background_check"), payload.get("trained")) == (state, trained):
            continue
        payload.update(background_check=state, trained=trained, updated_at=stamp)
        guard.payload = canonical_json(payload).decode("utf-8")
        guard.content_hash = content_hash(payload)
        guard.updated_at = stamp
        guard.received_at = now
    s.flush()
    audit.record(s, actor, "vetting.set", f"certificate:{key}", before, _vetting_json(row))
    return row, len(guards)


def _note(note: str) -> str:
    """The note on one line; "" allowed, a control or format character is not."""
    note = " ".join(note.split())
    return plain_text(note, MAX_NOTE_CHARS, "note") if note else ""


def set_vetting(db: HqDatabase, actor: str, cert_no: str, background: str, trained: bool,
                note: str) -> dict[str, Any]:
    """Record HQ's vetting of a person and carry it into HQ's guard rows; what was set and
    how many event rows took it. HqError (400) for a value that cannot be."""
    key, state = _check(cert_no, background)
    note = _note(note)
    with db.begin() as s:
        _row, rows = _apply(s, actor, key, state, trained, note, utc_now())
    return {"cert_no": cert_no, "cert_key": key, "background": background,
            "trained": trained, "note": note, "event_rows": rows}


# ------------------------------------------------------------------ bulk, from a file
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
TRAINED_WORDS = {"yes": True, "true": True, "1": True, "是": True,
                 "no": False, "false": False, "0": False, "否": False}
IMPORT_COLUMNS = ("cert_no", "background", "trained", "note")


def import_vetting(db: HqDatabase, actor: str, data: bytes) -> dict[str, int]:
    """A CSV file of vetting results (UTF-8; columns cert_no, background
    cleared|pending|failed, trained yes|no, note), all or none: HqError (400) naming the
    first row that cannot be, and nothing stored."""
    if len(data) > MAX_IMPORT_BYTES:
        raise HqError(400, f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HqError(400, "the file is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not set(IMPORT_COLUMNS[:3]) <= set(reader.fieldnames):
        raise HqError(400, f"the first line must name the columns {', '.join(IMPORT_COLUMNS)}")
    checked: list[tuple[str, str, bool, str]] = []
    try:
        for number, line in enumerate(reader, start=2):
            if number - 1 > MAX_IMPORT_ROWS:
                raise HqError(400, f"the file has more than {MAX_IMPORT_ROWS} rows")
            trained = TRAINED_WORDS.get((line.get("trained") or "").strip().lower())
            try:
                key, state = _check(line.get("cert_no") or "",
                                    (line.get("background") or "").strip().lower())
                if trained is None:
                    raise HqError(400, "trained must be yes or no")
                note = _note((line.get("note") or "")[:MAX_NOTE_CHARS * 2])
            except HqError as exc:
                raise HqError(400, f"line {number}: {exc.message}") from None
            checked.append((key, state, trained, note))
    except csv.Error as exc:
        raise HqError(400, f"the file is not CSV: {exc}") from None
    rows = 0
    now = utc_now()
    with db.begin() as s:
        for key, state, trained, note in checked:
            rows += _apply(s, actor, key, state, trained, note, now)[1]
    return {"people": len(checked), "event_rows": rows}


def with_hq_vetting(s: Session, records: Sequence[Record]) -> list[Record]:
    """An event's records as HQ prepares them: a guard HQ vetted already carries HQ's result,
    whatever the company's roster claimed."""
    keys = {str(r.payload.get("cert_key")) for r in records if r.kind == "guard"}
    found = {row.cert_key: row for chunk in chunks(sorted(keys))
             for row in s.scalars(select(Vetting).where(Vetting.cert_key.in_(chunk)))}
    if not found:
        return list(records)
    vetted: list[Record] = []
    for record in records:
        row = found.get(str(record.payload.get("cert_key"))) if record.kind == "guard" else None
        if row is not None:
            record = Record.of("guard", {**record.payload, "background_check": row.background,
                                         "trained": row.trained})
        vetted.append(record)
    return vetted

"""Vetting owned by the police (issue 14, seed 001 §四(三)(四)): HQ records a person's
background check (state, date, officer, note) and pre-job training (session, date, passed)
by certificate number; HQ's guard rows of every event with that certificate take the result
in the same transaction (a new content hash and updated_at), so the next package of any of
those events carries it and the laptop's verdicts follow HQ's result.

The company's own roster columns are its **claim**: an HQ guard row keeps them as
``claimed_background_check`` / ``claimed_trained`` and carries HQ's result in
``background_check`` / ``trained``, the values the laptop's verdicts use. A guard HQ has not
vetted yet carries "pending" and not trained, never the claim in their place
(docs/hq-console-vetting.md).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, desc, func, select
from sqlalchemy.orm import Session

from app.hq import audit, payload_files
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import HQ_DEVICE, PersonIndex, Vetting, utc_now
from app.hq.models import Record as RecordRow
from app.hq.register import plain_text
from app.inspection.identity import cert_key
from app.spreadsheet_safety import looks_like_formula
from app.sync.protocol import Record, canonical_json, chunks, content_hash

# The API's words for the background check, and the laptop's (app.inspection.domain).
BACKGROUND = {"cleared": "passed", "pending": "pending", "failed": "failed"}
API_WORD = {laptop: api for api, laptop in BACKGROUND.items()}
MAX_NOTE_CHARS = 1000
MAX_OFFICER_CHARS = 100
MAX_SESSION_CHARS = 200
EARLIEST_DATE = date(2000, 1, 1)
# The optional details (API, console form, CSV columns): given ones replace what is stored,
# absent ones keep it.
DETAIL_FIELDS = ("background_date", "officer", "training_session", "training_date")
# What a guard HQ has not vetted carries: no result yet, whatever the company claims.
NOT_VETTED = ("pending", False)


def _vetting_json(row: Vetting | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"background": row.background, "trained": row.trained, "note": row.note,
            "background_date": _iso(row.background_date), "officer": row.officer or "",
            "training_session": row.training_session or "",
            "training_date": _iso(row.training_date)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


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


def _day(value: object, what: str) -> date | None:
    """A date of the details: None, a date, or ISO text (YYYY-MM-DD); "" is none. Not
    before 2000 and not after tomorrow (a check or a session in the future is a mistake)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise HqError(400, f"the {what} must be a date written YYYY-MM-DD") from None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise HqError(400, f"the {what} must be a date written YYYY-MM-DD")
    if not EARLIEST_DATE <= value <= utc_now().date() + timedelta(days=1):
        raise HqError(400, f"the {what} must be between {EARLIEST_DATE} and today")
    return value


def _text(value: object, limit: int, what: str) -> str:
    """Optional plain text ("" allowed): one line, no control or format character."""
    if not isinstance(value, str):
        raise HqError(400, f"the {what} must be text")
    text = " ".join(value.split())
    return plain_text(text, limit, what) if text else ""


def _note(note: str) -> str:
    """The note on one line; "" allowed, a control or format character is not."""
    return _text(note, MAX_NOTE_CHARS, "note")


def check_details(details: Mapping[str, object]) -> dict[str, Any]:
    """The optional details given (DETAIL_FIELDS), checked; HqError (400)."""
    unknown = sorted(set(details) - set(DETAIL_FIELDS))
    if unknown:
        raise HqError(400, f"unknown field {unknown[0][:40]!r}")
    checked: dict[str, Any] = {}
    for name, value in details.items():
        if name.endswith("_date"):
            checked[name] = _day(value, name.replace("_", " "))
        else:
            limit = MAX_OFFICER_CHARS if name == "officer" else MAX_SESSION_CHARS
            checked[name] = _text(value, limit, name.replace("_", " "))
    return checked


def _claimed(payload: dict[str, Any]) -> dict[str, Any]:
    """The company's claim a guard payload keeps: the one it holds, or (a row prepared
    before claims were kept, never vetted) the roster's values it still carries."""
    if (payload.get("claimed_background_check") is not None
            or payload.get("claimed_trained") is not None):
        return {"claimed_background_check": payload.get("claimed_background_check"),
                "claimed_trained": payload.get("claimed_trained")}
    return {"claimed_background_check": payload.get("background_check"),
            "claimed_trained": payload.get("trained")}


def _apply(s: Session, actor: str, key: str, state: str, trained: bool, note: str,
           details: Mapping[str, Any], now: datetime) -> tuple[Vetting, int]:
    """HQ's vetting row and HQ's guard rows of the certificate, in the caller's
    transaction, audited; how many guard rows took it."""
    row = s.get(Vetting, key)
    before = _vetting_json(row)
    if row is None:
        row = Vetting(cert_key=key, background=state, trained=trained, note=note,
                      updated_at=now, updated_by=actor, officer="", training_session="")
        s.add(row)
    else:
        row.background, row.trained, row.note = state, trained, note
        row.updated_at, row.updated_by = now, actor
    for name, value in details.items():
        setattr(row, name, value)
    guards = _hq_guard_rows(s, key)
    stamp = now.isoformat()
    for guard in guards:
        payload = json.loads(guard.payload)
        # A row prepared before claims were kept: its values are the roster's when HQ
        # never vetted the person, else HQ's earlier result (the claim is then unknown).
        claim = (_claimed(payload) if before is None
                 or payload.get("claimed_background_check") is not None
                 else {"claimed_background_check": None, "claimed_trained": None})
        if (payload.get("background_check"), payload.get("trained")) == (state, trained) \
                and "claimed_background_check" in payload:
            continue
        payload.update(background_check=state, trained=trained, updated_at=stamp, **claim)
        guard.payload = canonical_json(payload).decode("utf-8")
        # The hash of the payload as a package carries it: a photo's bytes in place of its
        # reference to the file store (app.hq.payload_files).
        guard.content_hash = content_hash(payload_files.inflate(s, "guard", payload))
        guard.updated_at = stamp
        guard.received_at = now
    s.flush()
    audit.record(s, actor, "vetting.set", f"certificate:{key}", before, _vetting_json(row))
    return row, len(guards)


def set_vetting(db: HqDatabase, actor: str, cert_no: str, background: str, trained: bool,
                note: str, details: Mapping[str, object] | None = None) -> dict[str, Any]:
    """Record HQ's vetting of a person and carry it into HQ's guard rows; what was set and
    how many event rows took it. ``details``: the optional fields given (DETAIL_FIELDS;
    those not given keep their stored value). HqError (400) for a value that cannot be."""
    key, state = _check(cert_no, background)
    note = _note(note)
    checked = check_details(details or {})
    with db.begin() as s:
        row, rows = _apply(s, actor, key, state, trained, note, checked, utc_now())
        stored = _vetting_json(row) or {}
    return {"cert_no": cert_no, "cert_key": key, "background": background,
            "trained": trained, "note": note, "event_rows": rows,
            **{name: stored[name] for name in DETAIL_FIELDS},
            "training_passed": trained}


# ------------------------------------------------------------------ bulk, from a file
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
TRAINED_WORDS = {"yes": True, "true": True, "1": True, "是": True,
                 "no": False, "false": False, "0": False, "否": False}
IMPORT_COLUMNS = ("cert_no", "background", "trained", "note")
OPTIONAL_COLUMNS = ("note", *DETAIL_FIELDS)


@dataclass
class ImportLine:
    """One line of a vetting file: what it says, checked, and what became of it."""

    line: int
    cert_no: str
    problem: str | None = None
    key: str = ""
    state: str = ""
    trained: bool = False
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    event_rows: int = 0


@dataclass
class ImportCheck:
    """A whole file checked: a refusal of the file itself, or its lines."""

    refused: str | None = None
    lines: list[ImportLine] = field(default_factory=list)

    @property
    def problems(self) -> list[ImportLine]:
        return [line for line in self.lines if line.problem]


def _check_line(number: int, line: Mapping[str, str | None], columns: Sequence[str],
                seen: dict[str, int]) -> ImportLine:
    cert_no = (line.get("cert_no") or "").strip()
    checked = ImportLine(number, cert_no[:60])
    try:
        if None in line:  # csv.DictReader puts a line's extra cells under None
            raise HqError(400, "the line has more cells than the header names")
        formula = next((name for name in columns if looks_like_formula(line.get(name))), None)
        if formula:
            raise HqError(400, f"the {formula} cell starts like a spreadsheet formula "
                               f"(= + - @): refused")
        key, state = _check(cert_no, (line.get("background") or "").strip().lower())
        trained = TRAINED_WORDS.get((line.get("trained") or "").strip().lower())
        if trained is None:
            raise HqError(400, "trained must be yes or no")
        if key in seen:
            raise HqError(400, f"the certificate is on line {seen[key]} already")
        checked.key, checked.state, checked.trained = key, state, trained
        checked.note = _note((line.get("note") or "")[:MAX_NOTE_CHARS * 2])
        checked.details = check_details({name: (line.get(name) or "")[:MAX_NOTE_CHARS]
                                         for name in DETAIL_FIELDS if name in columns})
        seen[key] = number
    except HqError as exc:
        checked.problem = exc.message
    return checked


def check_file(data: bytes, max_rows: int = MAX_IMPORT_ROWS,
               max_bytes: int = MAX_IMPORT_BYTES) -> ImportCheck:
    """A CSV file of vetting results checked line by line; nothing is stored. UTF-8 text;
    the first line names the columns: cert_no, background (cleared|pending|failed), trained
    (yes|no), and optionally note, background_date, officer, training_session,
    training_date. A cell that starts like a formula refuses its line."""
    if len(data) > max_bytes:
        return ImportCheck(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportCheck("the file is not UTF-8 text (save it as CSV UTF-8)")
    if "\x00" in text:
        return ImportCheck("the file is not CSV text (it holds NUL characters)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    result = ImportCheck()
    try:
        names = reader.fieldnames
        if names is None or not set(IMPORT_COLUMNS[:3]) <= set(names):
            return ImportCheck(f"the first line must name the columns "
                               f"{', '.join(IMPORT_COLUMNS)}")
        columns = [name for name in names if name in (*IMPORT_COLUMNS, *OPTIONAL_COLUMNS)]
        seen: dict[str, int] = {}
        for number, line in enumerate(reader, start=2):
            if number - 1 > max_rows:
                return ImportCheck(f"the file has more than {max_rows} rows")
            result.lines.append(_check_line(number, line, columns, seen))
    except csv.Error as exc:
        return ImportCheck(f"the file is not CSV: {exc}")
    if not result.lines:
        return ImportCheck("the file has no line of results")
    return result


def apply_lines(db: HqDatabase, actor: str, lines: Sequence[ImportLine]) -> int:
    """Every line (checked, none with a problem) in one transaction; how many event rows
    took them. Each line's event_rows is set."""
    rows = 0
    now = utc_now()
    with db.begin() as s:
        for line in lines:
            line.event_rows = _apply(s, actor, line.key, line.state, line.trained, line.note,
                                     line.details, now)[1]
            rows += line.event_rows
    return rows


def import_vetting(db: HqDatabase, actor: str, data: bytes) -> dict[str, int]:
    """A CSV file of vetting results (check_file), all or none: HqError (400) naming the
    first line that cannot be, and nothing stored."""
    checked = check_file(data)
    if checked.refused:
        raise HqError(400, checked.refused)
    if checked.problems:
        first = checked.problems[0]
        raise HqError(400, f"line {first.line}: {first.problem}")
    rows = apply_lines(db, actor, checked.lines)
    return {"people": len(checked.lines), "event_rows": rows}


def vet_demo_guards(db: HqDatabase, results: Sequence[tuple[str, str, bool]],
                    actor: str = "demo") -> int:
    """HQ's demo (``hq demo-event``): HQ's vetting of the demo's guards as their roster says
    ((cert_no, laptop's background word, trained)), for each person HQ has not vetted yet;
    one audit entry. How many were recorded."""
    now = utc_now()
    wanted = {cert_key(cert_no): (state, trained) for cert_no, state, trained in results}
    with db.begin() as s:
        known = {key for chunk in chunks(sorted(wanted))
                 for key in s.scalars(select(Vetting.cert_key)
                                      .where(Vetting.cert_key.in_(chunk)))}
        fresh = {key: result for key, result in wanted.items() if key not in known}
        for key, (state, trained) in sorted(fresh.items()):
            s.add(Vetting(cert_key=key, background=state, trained=trained,
                          note="演示数据 (demonstration data)", updated_at=now,
                          updated_by=actor, officer="", training_session=""))
        if fresh:
            s.flush()
            audit.record(s, actor, "vetting.demo", "vetting", None, {"people": len(fresh)})
    return len(fresh)


# ------------------------------------------------------------------ read side, packages
def recent(s: Session, limit: int = 50) -> list[Vetting]:
    return list(s.scalars(select(Vetting).order_by(desc(Vetting.updated_at),
                                                   Vetting.cert_key).limit(limit)))


def guard_names(s: Session, key: str) -> list[str]:
    """The names HQ's guard rows give this certificate."""
    return sorted({str(json.loads(row.payload).get("name") or "")
                   for row in _hq_guard_rows(s, key)} - {""})


def training_sessions(s: Session, limit: int = 200) -> list[dict[str, Any]]:
    """Each training session (a name and a date) with how many people attended and passed."""
    passed = func.sum(case((Vetting.trained.is_(True), 1), else_=0))
    rows = s.execute(select(Vetting.training_session, Vetting.training_date, func.count(),
                            passed)
                     .where(Vetting.training_session != "")
                     .group_by(Vetting.training_session, Vetting.training_date)
                     .order_by(desc(Vetting.training_date), Vetting.training_session)
                     .limit(limit))
    return [{"session": name, "date": _iso(day), "people": int(people),
             "passed": int(ok or 0)} for name, day, people, ok in rows]


def hq_guard_fields(s: Session, held: dict[str, Any], proposed: dict[str, Any]
                    ) -> dict[str, Any]:
    """What HQ, not a laptop, decides of a guard row a laptop proposes to change: HQ's
    vetting result (of the certificate the proposal names) and the company's claim as HQ's
    row holds it. Accepting a proposal keeps these, whatever the laptop's copy says."""
    row = s.get(Vetting, str(proposed.get("cert_key")))
    state, trained = (row.background, row.trained) if row is not None else NOT_VETTED
    return {**_claimed(held), "background_check": state, "trained": trained}


def with_hq_vetting(s: Session, records: Sequence[Record]) -> list[Record]:
    """An event's records as HQ prepares them: each guard keeps the company's roster
    values as its claim and carries HQ's result (NOT_VETTED when HQ has none yet)."""
    keys = {str(r.payload.get("cert_key")) for r in records if r.kind == "guard"}
    found = {row.cert_key: row for chunk in chunks(sorted(keys))
             for row in s.scalars(select(Vetting).where(Vetting.cert_key.in_(chunk)))}
    vetted: list[Record] = []
    for record in records:
        if record.kind == "guard":
            row = found.get(str(record.payload.get("cert_key")))
            state, trained = (row.background, row.trained) if row is not None else NOT_VETTED
            claim = _claimed(record.payload)
            record = Record.of("guard", {**record.payload, **claim,
                                         "background_check": state, "trained": trained})
        vetted.append(record)
    return vetted

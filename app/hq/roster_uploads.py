"""A new event from a roster uploaded in HQ's console (issue 14), between the preview and the
confirmation: the event's fields as staff typed them, checked, and the roster file kept on
the server's memory until it is confirmed (app.hq.events.add_event then reads it, as
``hq add-event`` reads its --roster file).

The stash is bounded and in memory: a file of at most MAX_UPLOAD_BYTES, at most
MAX_PER_SESSION files for one console session, MAX_STASHED and MAX_STASHED_BYTES in all (the
oldest go first), each forgotten after STASH_TTL_S or once it is confirmed. The check reads
it from a file written for that read only (0600, in a 0700 directory, removed at once),
under a name made from the uploaded one (its last part, no control character, its suffix
.xlsx or .csv); the key is a random token bound to the session that uploaded it. No
FastAPI here: the pages are app.hq.console.events.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.hq.errors import HqError
from app.hq.register import plain_text
from app.inspection.identity import mask_id_number
from app.inspection.roster import RosterReport

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # HQ's BodyLimit bounds the request before this
MAX_STASHED = 20
MAX_STASHED_BYTES = 64 * 1024 * 1024  # all waiting rosters together, in memory
MAX_PER_SESSION = 3
STASH_TTL_S = 30 * 60.0
SUFFIXES = (".xlsx", ".csv")
RISKS = ("low", "medium", "high")
MAX_ATTENDANCE = 10_000_000
MAX_TEXT = {"name": 200, "venue": 200, "organizer": 200, "company": 200, "licence": 100}
MAX_PREVIEW_ROWS = 3_000  # rows without a problem shown; every row with one is shown
FIELD_WORDS = {"name": "event name", "venue": "venue", "organizer": "organiser",
               "company": "company", "licence": "licence number"}


@dataclass(frozen=True)
class EventFields:
    """The event's fields, as ``hq add-event`` takes them."""

    name: str
    venue: str = ""
    organizer: str = ""
    starts_at: datetime | None = None
    risk: str = "medium"
    attendance: int = 0
    company: str = ""
    licence: str = ""

    def as_store_arguments(self) -> dict[str, Any]:
        """What HqStore.add_event takes besides the roster file."""
        return {"name": self.name, "venue": self.venue, "organizer": self.organizer,
                "starts_at": self.starts_at, "risk": self.risk,
                "attendance": self.attendance, "company": self.company or None,
                "company_licence": self.licence}


def event_fields(fields: dict[str, str]) -> EventFields:
    """The form's event fields checked; HqError 400 naming the first that is wrong."""
    texts = {}
    for key, limit in MAX_TEXT.items():
        value = fields.get(key, "")
        if key == "name" or value.strip():
            texts[key] = plain_text(value, limit, FIELD_WORDS[key])
        else:
            texts[key] = ""
    risk = fields.get("risk", "medium") or "medium"
    if risk not in RISKS:
        raise HqError(400, "the risk level must be low, medium or high")
    attendance_text = fields.get("attendance", "").strip() or "0"
    if not (attendance_text.isascii() and attendance_text.isdigit()
            and len(attendance_text) <= 9 and int(attendance_text) <= MAX_ATTENDANCE):
        raise HqError(400, f"the expected attendance must be a whole number from 0 to "
                           f"{MAX_ATTENDANCE:,}")
    return EventFields(name=texts["name"], venue=texts["venue"],
                       organizer=texts["organizer"],
                       starts_at=starts_at(fields.get("starts_at", "")), risk=risk,
                       attendance=int(attendance_text), company=texts["company"],
                       licence=texts["licence"])


def starts_at(text: str) -> datetime | None:
    """An ISO date and time; without an offset (a browser's datetime-local field), as HQ's
    clock reads it. None when empty; HqError 400 when it is no time."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        moment = None
    if moment is None:
        raise HqError(400, "the start is not a date and time like 2026-12-12T19:30 or "
                           "2026-12-12T19:30+08:00")
    return moment if moment.tzinfo is not None else moment.astimezone()


def upload_name(file_name: str) -> str:
    """The uploaded file's name as kept: its last part, plain text, its suffix checked;
    HqError 400 for a file that is no .xlsx or .csv roster."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise HqError(400, "only .xlsx and .csv rosters are taken (the file's name ends "
                           "otherwise)")
    stem = Path(name).stem.strip(" .")[:100] or "roster"
    return stem + suffix


@dataclass
class StashedRoster:
    token: str
    session: str
    name: str
    data: bytes
    fields: EventFields
    created: float

    @contextmanager
    def as_file(self) -> Iterator[Path]:
        """The roster as a file for the roster check to read, for as long as it reads it:
        in a private directory (0700) made for this read and removed at once after."""
        folder = Path(tempfile.mkdtemp(prefix="vs-hq-roster-"))
        try:
            path = folder / self.name
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self.data)
            yield path
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class RosterStash:
    """Uploaded rosters awaiting confirmation, in the service's memory: a roster holds full
    ID numbers, so none waits on disk (a file left behind by a preview never confirmed, or
    by a service killed, would keep them)."""

    clock: Callable[[], float] = time.monotonic
    _entries: OrderedDict[str, StashedRoster] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, session: str, file_name: str, data: bytes,
            fields: EventFields) -> StashedRoster:
        """Keep the file for the session; HqError 400 for a name or size refused."""
        name = upload_name(file_name)
        if not data:
            raise HqError(400, "the roster file is empty")
        if len(data) > MAX_UPLOAD_BYTES:
            raise HqError(413, f"the roster file is larger than "
                               f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB; no roster is")
        with self._lock:
            self._expire()
            mine = [e for e in self._entries.values() if e.session == session]
            for old in mine[:max(0, len(mine) - MAX_PER_SESSION + 1)]:
                self._entries.pop(old.token, None)
            while self._entries and (len(self._entries) >= MAX_STASHED or sum(
                    len(e.data) for e in self._entries.values()) + len(data)
                    > MAX_STASHED_BYTES):
                self._entries.popitem(last=False)  # the oldest first
            entry = StashedRoster(secrets.token_urlsafe(24), session, name, data, fields,
                                  self.clock())
            self._entries[entry.token] = entry
        return entry

    def get(self, token: str | None, session: str) -> StashedRoster | None:
        """The session's stashed roster of that token, if it is still kept."""
        with self._lock:
            return self._find(token, session)

    def take(self, token: str | None, session: str) -> StashedRoster | None:
        """As get, and forgotten from the stash (confirmed once only)."""
        with self._lock:
            entry = self._find(token, session)
            if entry is not None:
                del self._entries[entry.token]
            return entry

    def _find(self, token: str | None, session: str) -> StashedRoster | None:
        self._expire()
        entry = self._entries.get(token or "") if token and len(token) <= 100 else None
        if entry is None or not secrets.compare_digest(entry.session, session):
            return None
        return entry

    def discard(self, entry: StashedRoster) -> None:
        with self._lock:
            self._entries.pop(entry.token, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def _expire(self) -> None:
        now = self.clock()
        for token in [t for t, e in self._entries.items() if now - e.created > STASH_TTL_S]:
            self._entries.pop(token, None)


def preview_rows(report: RosterReport) -> tuple[list[dict[str, Any]], int, list[str]]:
    """The roster's rows as the preview shows them (line, name, certificate, ID number
    masked as the laptop keeps it, post, verdict), the number of rows without a problem
    left out of the page, and the problems that belong to no row of a guard (the header)."""
    by_row: dict[int, list[str]] = {}
    for problem in report.problems:
        by_row.setdefault(problem.row, []).append(f"{problem.column}: {problem.message}")
    rows_seen = {row.row for row in report.rows}
    general = [text for row, texts in by_row.items() if row not in rows_seen
               for text in texts]
    shown, hidden = [], 0
    for index, row in enumerate(report.rows):
        said = by_row.get(row.row, [])
        if not said and index >= MAX_PREVIEW_ROWS:
            hidden += 1
            continue
        verdict = "error" if row.has_error else ("warning" if said else "ok")
        shown.append({"line": row.row, "name": row.name, "cert_no": row.cert_no,
                      "id_masked": mask_id_number(row.id_number), "post": row.post,
                      "verdict": verdict, "problems": said})
    return shown, hidden, general

"""The outbox up to headquarters: every unacknowledged change sent in idempotent batches over
the network, or written into a signed bundle for a USB stick.

Nothing here ever deletes a record: an outbox row is only marked acknowledged, and only for
what HQ answered for; a change made while a batch is on its way has a newer outbox row and
stays pending.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from app.i18n import translate
from app.profile.db import Database
from app.profile.errors import ProfileBusyError, ProfileStorageError
from app.profile.files import write_atomically
from app.profile.models import Outbox
from app.sync.enrolment import Enrolment
from app.sync.protocol import (
    BUNDLE_FORMAT,
    MAX_BATCH_BYTES,
    MAX_FILE_RECORDS,
    MAX_JSON_VALUES,
    MAX_UNPACKED_BYTES,
    Record,
    chunks,
    json_shape,
    write_signed,
)
from app.sync.records import load_records
from app.sync.state import (
    LAST_ATTEMPT,
    LAST_ERROR,
    LAST_SUCCESS,
    SUPERVISOR_CERTIFICATE,
    SyncError,
    now_text,
)
from app.sync.transport import HqConnection

BATCH_RECORDS = 500
MAX_ERRORS_REPORTED = 20

Progress = Callable[[int, int], None]


@dataclass
class SyncOutcome:
    sent: int = 0
    already_present: int = 0
    failed: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "already_present": self.already_present,
                "failed": self.failed, "pending": self.pending, "errors": self.errors}


class OutboxUpload:
    """The outbox of one profile, sent. Each call opens its own sessions: safe from a worker
    thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.enrolment = Enrolment(db)

    def pending_count(self) -> int:
        with self.db.read() as s:
            # GROUP BY, not COUNT(DISTINCT): SQLite then walks the pending index in order
            # instead of building a temporary B-tree of every id.
            waiting = (select(Outbox.record_id).where(Outbox.acknowledged_at.is_(None))
                       .group_by(Outbox.record_id).subquery())
            count = s.scalar(select(func.count()).select_from(waiting))
        return int(count or 0)

    def _pending(self) -> list[tuple[str, str]]:
        """(kind, record id) of every record with an unacknowledged change, oldest first."""
        with self.db.read() as s:
            rows = s.execute(
                select(Outbox.kind, Outbox.record_id, func.min(Outbox.seq).label("first"))
                .where(Outbox.acknowledged_at.is_(None))
                .group_by(Outbox.kind, Outbox.record_id).order_by("first")).all()
        return [(kind, record_id) for kind, record_id, _first in rows]

    def _snapshot(self, batch: list[tuple[str, str]]) -> tuple[list[Record], dict[str, int]]:
        """The records' current state and the newest outbox row behind each, read in one
        transaction: a change made after this is a newer row and stays pending."""
        records: list[Record] = []
        newest: dict[str, int] = {}
        with self.db.read() as s, s.begin():
            ids = [record_id for _kind, record_id in batch]
            for chunk in chunks(ids):
                rows = s.execute(
                    select(Outbox.record_id, func.max(Outbox.seq))
                    .where(Outbox.record_id.in_(chunk), Outbox.acknowledged_at.is_(None))
                    .group_by(Outbox.record_id)).all()
                newest.update((record_id, seq) for record_id, seq in rows)
            by_kind: dict[str, list[str]] = {}
            for kind, record_id in batch:
                by_kind.setdefault(kind, []).append(record_id)
            for kind, kind_ids in by_kind.items():
                found = load_records(s, kind, kind_ids, self.db.files)
                records.extend(found[record_id] for record_id in kind_ids if record_id in found)
        return records, newest

    def _acknowledge(self, ids: list[str], newest: dict[str, int]) -> None:
        if not ids:
            return
        stamp = now_text()
        # Every outbox row read with the snapshot has a seq at most the snapshot's highest;
        # a change made since has a higher one and so stays pending.
        upto = max(newest.values(), default=0)
        with self.db.begin() as s:
            for chunk in chunks(ids):
                s.execute(update(Outbox).where(
                    Outbox.record_id.in_(chunk),
                    Outbox.acknowledged_at.is_(None), Outbox.seq <= upto)
                    .values(acknowledged_at=stamp, last_error=None))

    def _note_failures(self, failures: dict[str, str], newest: dict[str, int]) -> None:
        if not failures:
            return
        with self.db.begin() as s:
            for record_id, error in failures.items():
                s.execute(update(Outbox).where(
                    Outbox.record_id == record_id, Outbox.acknowledged_at.is_(None),
                    Outbox.seq <= newest.get(record_id, 0))
                    .values(attempts=Outbox.attempts + 1, last_error=error[:500]))

    def sync(self, hq_url: str | None = None, progress: Progress | None = None) -> SyncOutcome:
        """Send every unacknowledged change. Raises SyncError when HQ cannot be used at all
        (then nothing was marked); a record HQ refuses is counted and retried next time."""
        try:
            return self._sync(hq_url, progress)
        except ProfileBusyError as exc:  # the profile locked by another program or window
            raise SyncError(translate("Sync", "The profile's database is busy (another "
                                      "program or window is writing to it); sync will try "
                                      "again")) from exc
        except ProfileStorageError as exc:  # the disk full, the profile read-only or damaged
            raise SyncError(str(exc)) from exc

    def _sync(self, hq_url: str | None, progress: Progress | None) -> SyncOutcome:
        self.db.set_setting(LAST_ATTEMPT, now_text())
        outcome = SyncOutcome()
        problem: str | None = None
        try:
            with self.enrolment.connection(hq_url) as hq:
                hq.request("GET", "/devices/me")
                problem = self.enrolment.register_certificate(hq)
                if problem:
                    outcome.errors.append(problem)
                pending = self._pending()
                total = len(pending)
                done = 0
                if progress:
                    progress(0, total)
                for start in range(0, total, BATCH_RECORDS):
                    batch = pending[start:start + BATCH_RECORDS]
                    self._send_batch(hq, batch, outcome)
                    done += len(batch)
                    if progress:
                        progress(done, total)
        except SyncError as exc:
            self.db.set_setting(LAST_ERROR, str(exc))
            raise
        outcome.pending = self.pending_count()
        if problem:
            self.db.set_setting(LAST_ERROR, problem)
        elif outcome.failed:
            self.db.set_setting(LAST_ERROR, translate(
                "Sync", "{0} records were refused by headquarters; first: {1}")
                .format(outcome.failed, outcome.errors[0] if outcome.errors else ""))
        else:
            self.db.set_setting(LAST_ERROR, "")
        self.db.set_setting(LAST_SUCCESS, now_text())
        return outcome

    def _send_batch(self, hq: HqConnection, batch: list[tuple[str, str]],
                    outcome: SyncOutcome) -> None:
        records, newest = self._snapshot(batch)
        # What HQ already holds (a bundle imported there, an answer lost on the way back)
        # need not travel again.
        known = set(hq.request_object("POST", "/records/known", {
            "records": [{"id": r.id, "hash": r.hash} for r in records]}).get("known", []))
        acknowledged = [r.id for r in records if r.id in known]
        outcome.already_present += len(acknowledged)
        self._acknowledge(acknowledged, newest)
        failures: dict[str, str] = {}
        for part in _by_size([r for r in records if r.id not in known]):
            answer = hq.request_object("POST", "/records",
                                       {"records": [r.as_json() for r in part]})
            results = answer.get("results")
            if not isinstance(results, list):
                results = []
            stored: list[str] = []
            for record, result in zip(part, results, strict=False):
                if not isinstance(result, dict):
                    result = {"status": "failed",
                              "error": translate("Sync", "unreadable answer")}
                status = result.get("status")
                if status == "stored":
                    outcome.sent += 1
                    stored.append(record.id)
                elif status == "present":
                    outcome.already_present += 1
                    stored.append(record.id)
                else:
                    error = str(result.get("error") or translate("Sync", "refused"))
                    failures[record.id] = error
                    outcome.failed += 1
                    if len(outcome.errors) < MAX_ERRORS_REPORTED:
                        outcome.errors.append(f"{record.kind} {record.id}: {error}")
            for record in part[len(results):]:  # an answer shorter than the batch
                failures[record.id] = translate("Sync", "no answer for this record")
                outcome.failed += 1
            self._acknowledge(stored, newest)
        self._note_failures(failures, newest)

    def export_bundle(self, out: str | os.PathLike[str],
                      progress: Progress | None = None) -> int:
        """Write every record HQ has not acknowledged into a signed bundle file; returns how
        many. The outbox is left as it is: records count as sent once HQ is seen to hold
        them (the next sync asks)."""
        device_id, key = self.enrolment.device_key()
        pending = self._pending()
        records: list[Record] = []
        for start in range(0, len(pending), BATCH_RECORDS):
            found, _newest = self._snapshot(pending[start:start + BATCH_RECORDS])
            records.extend(found)
            if progress:
                progress(min(start + BATCH_RECORDS, len(pending)), len(pending))
        body: dict[str, Any] = {"device_id": device_id, "created_at": now_text(),
                                "records": [r.as_json() for r in records]}
        certificate = self.db.setting(SUPERVISOR_CERTIFICATE)
        if certificate:
            # What a sync registers first (POST /devices/me/certificate): a laptop that never
            # reaches HQ online delivers its signed evaluations by bundle alone.
            body["signing_certificate_pem"] = certificate
        if not _fits_one_file(body):
            raise SyncError(translate("Sync", "{0} records are more than one bundle file can "
                                      "carry to headquarters (it reads at most {1} MB and "
                                      "{2} records); sync over the network instead")
                            .format(len(records), MAX_UNPACKED_BYTES // (1024 * 1024),
                                    f"{MAX_FILE_RECORDS:,}"))
        data = write_signed(BUNDLE_FORMAT, device_id, body, key)
        write_atomically(Path(out), data)
        return len(records)


def _fits_one_file(body: dict[str, Any]) -> bool:
    """Whether HQ's reader (read_signed) takes a bundle of this body: its size unpacked, its
    number of values and of records; measured only when the records are many."""
    records = body["records"]
    if len(records) > MAX_FILE_RECORDS:
        return False
    files = sum(len(str(r["payload"].get(key) or "")) for r in records
                for key in ("photo", "evidence", "pdf"))
    # A record is a flat payload of columns: under 64 values and (files apart) 4 KB.
    if len(records) * 64 < MAX_JSON_VALUES and files + len(records) * 4096 \
            < MAX_UNPACKED_BYTES // 2:
        return True  # far from every bound: not worth writing the text twice
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    unpacked = len(json.dumps(text, ensure_ascii=False).encode("utf-8")) + 1024
    return unpacked <= MAX_UNPACKED_BYTES and json_shape(text)[1] <= MAX_JSON_VALUES


def _by_size(records: list[Record]) -> Iterator[list[Record]]:
    """Requests of at most MAX_BATCH_BYTES / 2 (an evaluation carries its PDF)."""
    part: list[Record] = []
    size = 0
    for record in records:
        record_size = len(json.dumps(record.payload, ensure_ascii=False))
        if part and size + record_size > MAX_BATCH_BYTES // 2:
            yield part
            part, size = [], 0
        part.append(record)
        size += record_size
    if part:
        yield part

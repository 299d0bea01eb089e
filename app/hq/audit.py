"""HQ's audit log: who changed what, when, before and after (issue 14).

Entries are written in the transaction of the change they describe (``record``), so a
change and its entry commit or roll back together. The table is append-only (the database
refuses UPDATE and DELETE: migration 0005), and each entry's hash is the SHA-256 of the
previous entry's hash and the entry's own canonical content, so a row altered or removed
behind the database's back (a file edited, a trigger dropped) shows as a broken chain
(``verify_chain``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hq.database import HqDatabase
from app.hq.models import AuditEntry, utc_now
from app.orm import as_utc

GENESIS = "0" * 64
MAX_LISTED = 1000


def _canonical(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def _entry_hash(previous: str, at: datetime, actor: str, action: str, target: str,
                before: str | None, after: str | None) -> str:
    content = json.dumps([previous, as_utc(at).isoformat(), actor, action, target, before,
                          after], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def record(s: Session, actor: str, action: str, target: str, before: Any = None,
           after: Any = None) -> None:
    """Add an entry in the caller's transaction (the change and its entry stand together).
    Entries are chained in id order: the newest row is locked first on PostgreSQL."""
    last = s.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
                     .with_for_update()).scalar()
    at = utc_now()
    before_text, after_text = _canonical(before), _canonical(after)
    previous = last or GENESIS
    s.add(AuditEntry(at=at, actor=actor[:100], action=action[:60], target=target[:200],
                     before=before_text, after=after_text, previous_hash=previous,
                     entry_hash=_entry_hash(previous, at, actor[:100], action[:60],
                                            target[:200], before_text, after_text)))
    s.flush()


def _json(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": as_utc(entry.at).isoformat(timespec="seconds"),
            "actor": entry.actor, "action": entry.action, "target": entry.target,
            "before": json.loads(entry.before) if entry.before else None,
            "after": json.loads(entry.after) if entry.after else None}


def entries(db: HqDatabase, limit: int = 100, before_id: int | None = None
            ) -> list[dict[str, Any]]:
    """The newest entries first (at most ``limit``, up to MAX_LISTED; older than
    ``before_id`` to page on)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(
        max(1, min(limit, MAX_LISTED)))
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    with db.Session() as s:
        return [_json(entry) for entry in s.scalars(query)]


def verify_chain(db: HqDatabase) -> int | None:
    """None when every entry is as written; else the id of the first entry whose hash or
    link does not hold."""
    previous = GENESIS
    with db.Session() as s:
        for entry in s.scalars(select(AuditEntry).order_by(AuditEntry.id)
                               .execution_options(yield_per=1000)):
            expected = _entry_hash(previous, entry.at, entry.actor, entry.action,
                                   entry.target, entry.before, entry.after)
            if entry.previous_hash != previous or entry.entry_hash != expected:
                return entry.id
            previous = entry.entry_hash
    return None

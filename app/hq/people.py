"""One file per person at HQ, keyed by certificate number (issue 14): the events the person
worked and at which post, the inspections and findings of those guard rows, the newest signed
evaluation of each of those events, the badge (revoked or not), HQ's vetting and its history.

The file is read through ``person_index`` (app.hq.models.PersonIndex), never by scanning
every record's JSON:

* ``(cert_key, guard record id)``: each guard row of the person, from any event, any device;
* ``("guard:" + guard id, inspection or finding id)``: the inspections and findings that
  name a guard row. A certificate key holds only digits and A-Z (app.inspection.identity),
  so these entries never meet a person's key; keyed by the guard, they hold when the
  guard's certificate number is corrected later, and whatever order the rows arrive in.

Both are written by ``index_rows`` in the transaction that stores the rows (app.hq.ingest,
app.hq.proposals). An entry only points: every row read is checked against its payload
(a guard row whose certificate changed, a finding moved to another guard is left out).
No ID number exists at HQ's side of this file, and none is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import (
    HQ_DEVICE,
    AuditEntry,
    Device,
    EvaluationDocument,
    PersonIndex,
    RevokedCertificate,
    Vetting,
)
from app.hq.models import Record as RecordRow
from app.inspection.identity import cert_key
from app.orm import as_utc
from app.sync.protocol import chunks

GUARD_PREFIX = "guard:"
KEY_CHARS = 50  # person_index.cert_key
MAX_CERT_CHARS = 50
MAX_GUARD_ROWS = 1000  # a person's guard rows read (one per event worked)
MAX_LISTED = 2000  # inspections, findings, evaluations, history entries listed at most
INDEXED_KINDS = ("guard", "inspection", "finding")
# HQ's stored words for the background check -> the API's (app.hq.vetting.BACKGROUND).
BACKGROUND_WORD = {"passed": "cleared", "pending": "pending", "failed": "failed"}

IndexedRow = tuple[str, str, str | None, Mapping[str, Any]]  # kind, id, event id, payload


def index_entries(rows: Iterable[IndexedRow]) -> list[dict[str, str | None]]:
    """The person_index entries of stored rows: a guard row under its certificate key, an
    inspection or finding under the guard it names. Anything else (a key that is no
    certificate key, an over-long id) makes no entry."""
    entries: dict[tuple[str, str], dict[str, str | None]] = {}
    for kind, record_id, event_id, payload in rows:
        if kind == "guard":
            key = payload.get("cert_key")
            if not isinstance(key, str) or not key or len(key) > KEY_CHARS \
                    or cert_key(key) != key:
                continue
        elif kind in ("inspection", "finding"):
            guard_id = payload.get("guard_id")
            if not isinstance(guard_id, str) or not guard_id:
                continue
            key = GUARD_PREFIX + guard_id
            if len(key) > KEY_CHARS:
                continue
        else:
            continue
        entries[(key, record_id)] = {"cert_key": key, "record_id": record_id,
                                     "event_id": event_id}
    return list(entries.values())


def index_rows(db: HqDatabase, s: Session, rows: Iterable[IndexedRow]) -> int:
    """Add the entries of rows just stored or changed, in the caller's transaction; an
    entry already there stays (insert if absent). How many entries were offered."""
    entries = index_entries(rows)
    for part in chunks(entries, 5_000):
        s.execute(db.insert_or_skip(PersonIndex.__table__), list(part))
    return len(entries)


def valid_key(cert_no: object) -> str:
    """The certificate key of a certificate number as asked for; HqError (400) for one that
    is none (too long, no letter or digit, not text)."""
    if not isinstance(cert_no, str) or len(cert_no) > MAX_CERT_CHARS:
        raise HqError(400, f"a certificate number has at most {MAX_CERT_CHARS} characters")
    key = cert_key(cert_no)
    if not key:
        raise HqError(400, f"{cert_no!r} is no certificate number (it has no letters or "
                           f"digits)")
    return key


def _indexed(s: Session, keys: Sequence[str], limit: int) -> list[str]:
    found: list[str] = []
    for part in chunks(list(keys)):
        found += s.scalars(select(PersonIndex.record_id)
                           .where(PersonIndex.cert_key.in_(part))
                           .order_by(PersonIndex.record_id).limit(limit + 1)).all()
    return found


def _records(s: Session, ids: Sequence[str], kinds: Sequence[str]
             ) -> list[tuple[RecordRow, dict[str, Any]]]:
    found = []
    for part in chunks(sorted(set(ids))):
        for row in s.scalars(select(RecordRow).where(RecordRow.id.in_(part),
                                                     RecordRow.kind.in_(kinds))):
            payload = json.loads(row.payload)
            if isinstance(payload, dict) and not payload.get("deleted_at"):
                found.append((row, payload))
    return found


def _payloads(s: Session, ids: Iterable[str | None], kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted({i for i in ids if i})):
        for record_id, text in s.execute(select(RecordRow.id, RecordRow.payload).where(
                RecordRow.id.in_(part), RecordRow.kind == kind)):
            payload = json.loads(text)
            if isinstance(payload, dict):
                found[record_id] = payload
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _time(value: Any) -> str | None:
    return as_utc(value).isoformat(timespec="seconds") if value is not None else None


def person_file(s: Session, cert_no: str) -> dict[str, Any] | None:
    """The person's file, or None when HQ knows no such person (no guard row, no vetting,
    no revocation under that certificate). HqError (400) for a value that is no
    certificate number."""
    key = valid_key(cert_no)
    guard_rows = [(row, payload) for row, payload in _records(
        s, _indexed(s, [key], MAX_GUARD_ROWS), ["guard"])
        if payload.get("cert_key") == key][:MAX_GUARD_ROWS]
    revoked = s.get(RevokedCertificate, key) is not None
    vetting = s.get(Vetting, key)
    if not guard_rows and not revoked and vetting is None:
        return None
    guards = {row.id: payload for row, payload in guard_rows}
    event_ids = {row.event_id or _text(payload.get("event_id")) for row, payload in guard_rows}
    events = _payloads(s, event_ids, "event")
    # Inspections and findings naming these guard rows, then the posts all of them name.
    linked = _records(s, _indexed(s, [GUARD_PREFIX + g for g in guards], MAX_LISTED),
                      ["inspection", "finding"])
    linked = [(row, p) for row, p in linked if p.get("guard_id") in guards]
    posts = _payloads(s, [_text(p.get("post_id")) for _r, p in guard_rows + linked], "post")
    devices = {HQ_DEVICE: "HQ"}
    device_ids = sorted({row.device_id for row, _p in guard_rows + linked})
    for part in chunks(device_ids):
        for device_id, device_name in s.execute(select(Device.id, Device.name)
                                                .where(Device.id.in_(part))):
            devices[device_id] = device_name

    def event_name(event_id: str | None) -> str:
        return str(events.get(event_id or "", {}).get("name") or "")

    def post_name(post_id: object) -> str | None:
        post = posts.get(post_id) if isinstance(post_id, str) else None
        return str(post.get("name") or "") if post else None

    worked = []
    for row, payload in guard_rows:
        event_id = row.event_id or _text(payload.get("event_id"))
        event = events.get(event_id or "", {})
        worked.append({
            "event_id": event_id, "event_name": event_name(event_id),
            "starts_at": event.get("starts_at"), "guard_id": row.id,
            "name": payload.get("name"), "cert_no": payload.get("cert_no"),
            "post_id": payload.get("post_id"), "post_name": post_name(payload.get("post_id")),
            "company": payload.get("company_name"),
            "background_check": payload.get("background_check"),
            "trained": payload.get("trained"),
            "recorded_by": {"device_id": row.device_id, "name": devices.get(row.device_id)}})
    worked.sort(key=lambda e: (str(e["starts_at"] or ""), str(e["event_name"]),
                               str(e["guard_id"])))
    inspections, findings = [], []
    for row, payload in linked:
        event_id = row.event_id or _text(payload.get("event_id"))
        common = {"id": row.id, "event_id": event_id, "event_name": event_name(event_id),
                  "guard_id": payload.get("guard_id"), "time": payload.get("created_at"),
                  "post_name": post_name(payload.get("post_id")),
                  "recorded_by": {"device_id": row.device_id,
                                  "name": devices.get(row.device_id)}}
        if row.kind == "inspection":
            inspections.append({**common, "verdict": payload.get("verdict"),
                                "badge_verdict": payload.get("badge_verdict")})
        else:
            findings.append({**common, "inspection_id": payload.get("inspection_id"),
                             "category": payload.get("category"),
                             "item_code": payload.get("item_code"),
                             "note": payload.get("note"),
                             "correction": payload.get("correction")})
    for listed in (inspections, findings):
        listed.sort(key=lambda item: (str(item["time"] or ""), str(item["id"])))
    return {
        "cert_key": key,
        "cert_nos": sorted({str(p.get("cert_no")) for p in guards.values()
                            if p.get("cert_no")}),
        "names": sorted({str(p.get("name")) for p in guards.values() if p.get("name")}),
        "badge": {"revoked": revoked},
        "vetting": _vetting(vetting),
        "vetting_history": _history(s, key),
        "events": worked,
        "inspections": inspections[:MAX_LISTED],
        "findings": findings[:MAX_LISTED],
        "evaluations": _evaluations(s, sorted({e for e in event_ids if e})),
        "truncated": len(guard_rows) >= MAX_GUARD_ROWS or len(linked) > MAX_LISTED,
    }


def _vetting(row: Vetting | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"background": BACKGROUND_WORD.get(row.background, row.background),
            "trained": row.trained, "note": row.note,
            "updated_at": _time(row.updated_at), "updated_by": row.updated_by}


def _history(s: Session, key: str) -> list[dict[str, Any]]:
    """The audit entries of this certificate (vetting set, revoked), oldest first."""
    rows = s.scalars(select(AuditEntry).where(AuditEntry.target == f"certificate:{key}")
                     .order_by(AuditEntry.id).limit(MAX_LISTED))
    return [{"at": _time(entry.at), "actor": entry.actor, "action": entry.action,
             "before": json.loads(entry.before) if entry.before else None,
             "after": json.loads(entry.after) if entry.after else None} for entry in rows]


def _evaluations(s: Session, event_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The signed evaluation of each event worked (its PDF verified on arrival): the newest
    version, with how many versions were signed (the earlier ones it corrected)."""
    newest: dict[str, tuple[int, int]] = {}  # event id -> (newest version, how many)
    for part in chunks(list(event_ids)):
        for event_id, version, count in s.execute(
                select(EvaluationDocument.event_id, func.max(EvaluationDocument.version),
                       func.count()).where(EvaluationDocument.event_id.in_(part))
                .group_by(EvaluationDocument.event_id)):
            newest[event_id] = (int(version), int(count))
    found: list[Any] = []
    pairs = sorted(newest.items())
    for group in chunks(pairs, 100):
        found += s.execute(select(
            EvaluationDocument.id, EvaluationDocument.event_id, EvaluationDocument.event_name,
            EvaluationDocument.company_name, EvaluationDocument.version,
            EvaluationDocument.grade, EvaluationDocument.grade_final,
            EvaluationDocument.score_total, EvaluationDocument.signed_at,
            EvaluationDocument.document_id).where(or_(*(
                and_(EvaluationDocument.event_id == event_id,
                     EvaluationDocument.version == version)
                for event_id, (version, _count) in group)))).all()
    found.sort(key=lambda r: (str(r.event_name), r.event_id, r.id))
    return [{"id": r.id, "event_id": r.event_id, "event_name": r.event_name,
             "company": r.company_name, "version": r.version,
             "versions_signed": newest[r.event_id][1], "grade": r.grade,
             "grade_final": r.grade_final, "score": r.score_total,
             "signed_at": _time(r.signed_at), "document_id": r.document_id}
            for r in found[:MAX_LISTED]]

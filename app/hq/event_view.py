"""The console's events (issue 14): the list of events and one event's merged view of what
every laptop sent (posts with their guards checked and findings, each laptop's part, the
signed evaluations).

Read for one event only: every query is bounded by the event's id (the index
``ix_record_event_kind``), counts are made in SQL (SQLite's JSON1 or PostgreSQL's jsonb), and
no payload of a guard, an inspection or a finding is parsed in Python. The list reads the
events' own rows, their live guards from ``guard_count`` (app.hq.guard_counts) and counts
per event in a few grouped queries. Nothing here writes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import ColumnElement

from app.hq.database import payloads_of
from app.hq.event_assignments import assigned_counts
from app.hq.guard_counts import guards_per_event
from app.hq.models import HQ_DEVICE, Device, EvaluationDocument
from app.hq.models import Record as RecordRow
from app.sync.protocol import chunks
from app.sync.protocol import plain_text as storable

COUNTED_KINDS = ("post", "guard", "inspection", "finding", "evaluation")


def _live() -> ColumnElement[bool]:
    """Not a tombstone, read from the payload's text without parsing it: HQ stores every
    payload as canonical JSON (app.sync.protocol.canonical_json: flat, no space after the
    colon), where a tombstone's ``deleted_at`` is a time, ``"deleted_at":"…``, and a quote
    inside a text value is escaped, so no other text can match. A fifth of the time of
    extracting the field (measured on PostgreSQL, 5,500 rows of one event)."""
    return ~RecordRow.payload.like('%"deleted\\_at":"%', escape="\\")


def _payload(text: str) -> dict[str, Any] | None:
    try:
        payload = json.loads(text)
    except ValueError:
        return None  # HQ checked it on arrival; a broken one must not break the page
    return payload if isinstance(payload, dict) and not payload.get("deleted_at") else None


def _facts(record_id: str, payload: dict[str, Any], device_id: str,
           companies: dict[str, dict[str, Any]]) -> dict[str, Any]:
    company = companies.get(str(payload.get("company_id") or ""), {})
    return {"id": record_id, "name": str(payload.get("name") or ""),
            "venue": str(payload.get("venue") or ""),
            "organizer": str(payload.get("organizer") or ""),
            "starts_at": payload.get("starts_at"), "ends_at": payload.get("ends_at"),
            "expected_attendance": payload.get("expected_attendance") or 0,
            "venue_capacity": payload.get("venue_capacity") or 0,
            "risk_level": str(payload.get("risk_level") or ""),
            "company_name": str(company.get("name") or ""),
            "company_licence": str(company.get("licence_no") or ""),
            "prepared_by_hq": device_id == HQ_DEVICE}


def events_list(s: Session) -> list[dict[str, Any]]:
    """Every live event HQ holds (prepared here or a laptop's own) with its company, guards,
    laptops assigned and signed evaluations; the latest first."""
    rows = s.execute(select(RecordRow.id, RecordRow.payload, RecordRow.device_id)
                     .where(RecordRow.kind == "event")).all()
    parsed = {record_id: (payload, device_id) for record_id, text, device_id in rows
              if (payload := _payload(text)) is not None}
    companies = payloads_of(s, sorted({str(p.get("company_id")) for p, _ in parsed.values()
                                       if p.get("company_id")}))
    ids = sorted(parsed)
    guards: dict[str, int] = {}
    evaluations: dict[str, int] = {}
    for chunk in chunks(ids):
        # Live guards, as the event's page counts them, from the counts the database keeps
        # per event and company (app.hq.guard_counts): no guard row is read.
        guards.update(guards_per_event(s, chunk))
        evaluations.update({str(e): int(n) for e, n in s.execute(
            select(EvaluationDocument.event_id, func.count())
            .where(EvaluationDocument.event_id.in_(chunk))
            .group_by(EvaluationDocument.event_id))})
    assigned = assigned_counts(s, ids)
    listed = []
    for record_id, (payload, device_id) in parsed.items():
        event = _facts(record_id, payload, device_id, companies)
        event.update(guards=guards.get(record_id, 0), evaluations=evaluations.get(record_id, 0),
                     laptops=assigned.get(record_id, 0))
        listed.append(event)
    listed.sort(key=lambda e: (str(e["starts_at"] or ""), e["name"]), reverse=True)
    return listed


def event_view(s: Session, event_id: str, evaluations_shown: int = 50
               ) -> dict[str, Any] | None:
    """One event's facts and the merged view of every laptop's records (the newest
    ``evaluations_shown`` signed evaluations); None when HQ holds no such event."""
    if not storable(event_id, 64):
        return None
    row = s.get(RecordRow, event_id)
    payload = _payload(row.payload) if row is not None and row.kind == "event" else None
    if row is None or payload is None:
        return None
    companies = payloads_of(s, [str(payload["company_id"])] if payload.get("company_id")
                            else [])
    event = _facts(row.id, payload, row.device_id, companies)
    event["contributions"] = _contributions(s, event_id)
    event["counts"] = {kind: sum(c["counts"][kind] for c in event["contributions"])
                       for kind in COUNTED_KINDS}
    event["posts"] = _posts(s, event_id)
    event["evaluations"] = _evaluations(s, event_id, evaluations_shown)
    event["evaluations_signed"] = int(s.scalar(
        select(func.count()).select_from(EvaluationDocument)
        .where(EvaluationDocument.event_id == event_id)) or 0)
    return event


def _post_figures(s: Session, event_id: str) -> Any:
    """(kind, post id, rows, distinct guards) of the event's live guards, inspections and
    findings: one pass, each payload parsed once (PostgreSQL: a jsonb made once per row in a
    subquery the planner keeps apart, OFFSET 0, instead of once per field)."""
    where = (RecordRow.event_id == event_id,
             RecordRow.kind.in_(("guard", "inspection", "finding")), _live())
    if s.get_bind().dialect.name == "postgresql":
        inner = (select(RecordRow.kind.label("kind"), cast(RecordRow.payload, JSONB)
                        .label("doc")).where(*where).offset(0).subquery())

        def field(key: str) -> ColumnElement[Any]:
            return func.jsonb_extract_path_text(inner.c.doc, key)
    else:
        inner = (select(RecordRow.kind.label("kind"), RecordRow.payload.label("doc"))
                 .where(*where).subquery())

        def field(key: str) -> ColumnElement[Any]:
            return func.json_extract(inner.c.doc, f"$.{key}", type_=String)
    post_id = field("post_id")
    return s.execute(select(inner.c.kind, post_id, func.count(),
                            func.count(func.distinct(field("guard_id"))))
                     .group_by(inner.c.kind, post_id))


def _posts(s: Session, event_id: str) -> list[dict[str, Any]]:
    """Each live post with its guards rostered, guards checked (distinct guards inspected),
    inspections and findings; a line for what names no post of the event."""
    posts: dict[str | None, dict[str, Any]] = {}
    for record_id, text in s.execute(select(RecordRow.id, RecordRow.payload).where(
            RecordRow.event_id == event_id, RecordRow.kind == "post", _live())):
        payload = _payload(text) or {}
        posts[record_id] = {"id": record_id, "name": str(payload.get("name") or ""),
                            "zone": str(payload.get("zone") or ""),
                            "task_type": str(payload.get("task_type") or ""),
                            "required": int(payload.get("required_headcount") or 0),
                            "guards": 0, "checked": 0, "inspections": 0, "findings": 0}
    for kind, key, n, guards in _post_figures(s, event_id):
        found = posts.get(str(key) if key else None)
        if found is None:  # a post not (or no longer) in the event, or none at all
            found = posts.setdefault(None, {"id": "", "name": "", "zone": "", "task_type": "",
                                            "required": 0, "guards": 0, "checked": 0,
                                            "inspections": 0, "findings": 0})
        if kind == "guard":
            found["guards"] += int(n)
        elif kind == "inspection":
            found["inspections"] += int(n)
            found["checked"] += int(guards)
        else:
            found["findings"] += int(n)
    listed = [p for k, p in posts.items() if k is not None]
    listed.sort(key=lambda p: (p["zone"], p["name"], p["id"]))
    if None in posts:
        listed.append(posts[None])
    return listed


def _contributions(s: Session, event_id: str) -> list[dict[str, Any]]:
    """Per device that holds live records of the event (HQ itself included), how many of
    each kind, with the laptop's supervisor."""
    per: dict[str, dict[str, int]] = {}
    for device_id, kind, n in s.execute(
            select(RecordRow.device_id, RecordRow.kind, func.count())
            .where(RecordRow.event_id == event_id, _live())
            .group_by(RecordRow.device_id, RecordRow.kind)):
        per.setdefault(str(device_id), {})[str(kind)] = int(n)
    names = {d.id: d for d in s.scalars(select(Device).where(
        Device.id.in_([d for d in per if d != HQ_DEVICE])))} if per else {}
    listed = []
    for device_id, kinds in per.items():
        device = names.get(device_id)
        listed.append({"device_id": device_id, "hq": device_id == HQ_DEVICE,
                       "supervisor": device.supervisor if device else "",
                       "name": device.name if device else "",
                       "counts": {k: kinds.get(k, 0) for k in COUNTED_KINDS},
                       "other": sum(n for k, n in kinds.items() if k not in COUNTED_KINDS)})
    listed.sort(key=lambda c: (not c["hq"], c["supervisor"], c["device_id"]))
    return listed


def _evaluations(s: Session, event_id: str, limit: int) -> list[dict[str, Any]]:
    """The event's newest signed evaluations, the highest version first (the current one;
    the PDFs stay unread)."""
    documents = s.scalars(select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
                          .where(EvaluationDocument.event_id == event_id)
                          .order_by(EvaluationDocument.version.desc(),
                                    EvaluationDocument.signed_at.desc()).limit(limit))
    return [{"id": d.id, "version": d.version, "grade": d.grade, "grade_final": d.grade_final,
             "score_total": d.score_total, "signed_at": d.signed_at,
             "supervisor_name": d.supervisor_name, "device_id": d.device_id,
             "document_id": d.document_id} for d in documents]

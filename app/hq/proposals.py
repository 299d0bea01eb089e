"""Laptops' changes to HQ's own rows (an event, a post, a guard), kept as proposals until HQ
staff accept one: the rules that make them are in app.hq.ingest_rules."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.hq import payload_files, vetting
from app.hq.database import HqDatabase, payloads_of
from app.hq.errors import HqError
from app.hq.models import HQ_DEVICE, RecordProposal, utc_now
from app.hq.models import Record as RecordRow
from app.hq.people import index_rows
from app.sync.protocol import canonical_json, content_hash
from app.sync.records import payload_problem

FILE_KEYS = ("photo", "evidence", "pdf")


def _shown_value(key: str, value: object) -> object:
    """A payload value as ``hq proposals`` shows it: an attached file only by its size
    (inline base64 or a reference to HQ's file store, app.hq.payload_files)."""
    size = payload_files.file_size(value) if key in FILE_KEYS else None
    if size is not None:
        return f"<file, {size} bytes>"
    return value


def _same(key: str, held: object, proposed: object) -> bool:
    """Whether a proposal leaves a value as HQ holds it: a file by the SHA-256 of its bytes,
    whether either side holds it inline or in the file store."""
    if key in FILE_KEYS:
        return payload_files.file_digest(held) == payload_files.file_digest(proposed)
    return held == proposed


def proposals(db: HqDatabase, event_id: str | None = None) -> list[dict[str, Any]]:
    """Laptops' changes to HQ's rows, waiting for HQ staff: each with the fields it
    changes (HQ's value, the laptop's; an attached photo is only named)."""
    with db.Session() as s:
        query = select(RecordProposal).order_by(RecordProposal.received_at,
                                                RecordProposal.record_id)
        if event_id is not None:
            query = query.where(RecordProposal.event_id == event_id)
        found = list(s.scalars(query))
        current = payloads_of(s, sorted({p.record_id for p in found}))
    listed = []
    for proposal in found:
        proposed = json.loads(proposal.payload)
        held = current.get(proposal.record_id, {})
        changes = {key: [_shown_value(key, held.get(key)), _shown_value(key, value)]
                   for key, value in proposed.items()
                   if key not in ("updated_at",) and not _same(key, held.get(key), value)}
        received = proposal.received_at
        listed.append({"record_id": proposal.record_id, "kind": proposal.kind,
                       "device_id": proposal.device_id, "event_id": proposal.event_id,
                       "updated_at": proposal.updated_at,
                       "received_at": received.isoformat(timespec="seconds")
                       if received else None,
                       "changes": changes})
    return listed


def accept_proposal(db: HqDatabase, record_id: str, device_id: str) -> dict[str, Any]:
    """HQ staff take a laptop's proposal as HQ's row: the packages carry it from now on.
    The row stays HQ's; the proposal is gone once accepted."""
    with db.begin() as s:
        proposal = s.get(RecordProposal, (record_id, device_id))
        if proposal is None:
            raise HqError(404, f"no proposal from device {device_id} for record "
                               f"{record_id}")
        row = s.get(RecordRow, record_id)
        if row is None or row.device_id != HQ_DEVICE or row.kind != proposal.kind:
            raise HqError(409, f"record {record_id} is no longer HQ's {proposal.kind}")
        payload = json.loads(proposal.payload)
        # Checked as it was sent (a photo's bytes back from the file store): the row keeps
        # the stored form, which names the same bytes (app.hq.payload_files).
        problem = payload_problem(proposal.kind,
                                  payload_files.inflate(s, proposal.kind, payload))
        if problem is not None:
            raise HqError(422, f"the proposal does not fit the {proposal.kind} table: "
                               f"{problem}")
        stored, digest = proposal.payload, proposal.content_hash
        if proposal.kind == "guard":  # HQ's vetting and the company's claim stay HQ's
            kept = vetting.hq_guard_fields(s, json.loads(row.payload), payload)
            payload = {**payload, **kept}
            stored = canonical_json(payload).decode("utf-8")
            digest = content_hash(payload_files.inflate(s, "guard", payload))
        row.payload = stored
        row.content_hash = digest
        row.updated_at = proposal.updated_at
        row.event_id = proposal.event_id
        row.received_at = utc_now()
        index_rows(db, s, [(row.kind, row.id, row.event_id, payload)])  # app.hq.people
        s.delete(proposal)
    return {"record_id": record_id, "kind": row.kind, "device_id": device_id,
            "event_id": row.event_id, "hash": row.content_hash}

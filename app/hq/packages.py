"""Event packages out: the events HQ prepared, the signed package a laptop takes an event
down from (docs/sync-protocol.md), and which laptops took which event down."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from app.hq import audit, payload_files
from app.hq.database import HqDatabase, payloads_of
from app.hq.document_numbers import form_settings, package_numbers
from app.hq.errors import HqError
from app.hq.key_ring import KeyRing
from app.hq.models import (
    HQ_DEVICE,
    Device,
    DeviceEvent,
    EventAssignment,
    RevokedCertificate,
    RevokedIssuer,
    TrustIssuer,
    utc_now,
)
from app.hq.models import Record as RecordRow
from app.hq.published_rules import package_rules
from app.inspection.checklist import template_document
from app.sync.protocol import (
    HQ_SIGNER,
    PACKAGE_FORMAT,
    PACKAGE_KINDS,
    b64encode,
    chunks,
    plain_text,
    write_signed,
)


def events_available(db: HqDatabase) -> list[dict[str, Any]]:
    """The live events HQ prepared, with their company and how many guards and posts."""
    with db.Session() as s:
        rows = s.execute(select(RecordRow.id, RecordRow.payload).where(
            RecordRow.kind == "event", RecordRow.device_id == HQ_DEVICE)).all()
        events = {record_id: json.loads(text) for record_id, text in rows}
        events = {k: v for k, v in events.items() if not v.get("deleted_at")}
        counts: dict[tuple[str | None, str], int] = {}
        for chunk in chunks(list(events)):
            for event_id, kind, count in s.execute(
                    select(RecordRow.event_id, RecordRow.kind, func.count())
                    .where(RecordRow.event_id.in_(chunk),
                           RecordRow.device_id == HQ_DEVICE,  # what the package carries
                           RecordRow.kind.in_(("guard", "post")))
                    .group_by(RecordRow.event_id, RecordRow.kind)):
                counts[(event_id, kind)] = int(count)
        companies = payloads_of(s, sorted({str(e.get("company_id")) for e in
                                           events.values() if e.get("company_id")}))
    listed = [{"id": event_id, "name": e.get("name", ""), "venue": e.get("venue", ""),
               "starts_at": e.get("starts_at"),
               "company_name": companies.get(str(e.get("company_id")), {}).get("name", ""),
               "guards": counts.get((event_id, "guard"), 0),
               "posts": counts.get((event_id, "post"), 0)}
              for event_id, e in events.items()]
    listed.sort(key=lambda e: (e["starts_at"] or "", e["name"]))
    return listed


def hq_event_named(db: HqDatabase, name: str) -> str | None:
    """The id of the live event HQ prepared under this name, if any."""
    for event in events_available(db):
        if event["name"] == name:
            return str(event["id"])
    return None


def event_package(db: HqDatabase, keys: KeyRing, event_id: str,
                  device_id: str | None = None, handed_by: str | None = None) -> bytes:
    """The signed package a laptop prepares the event from (docs/sync-protocol.md): HQ's
    own rows only, whatever laptops sent. With ``device_id``, that laptop is recorded as
    having taken the event down: from then on it may send records of the event;
    ``handed_by``: the person at HQ who hands it over, audited with the takedown."""
    if not plain_text(event_id, 64):
        raise HqError(404, "headquarters prepared no such event")
    with db.Session() as s:
        event = s.get(RecordRow, event_id)
        if event is None or event.kind != "event" or event.device_id != HQ_DEVICE:
            raise HqError(404, f"headquarters prepared no event {event_id}")
        rows = list(s.scalars(select(RecordRow).where(
            RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
            RecordRow.kind.in_(("post", "guard")))))
        event_payload = json.loads(event.payload)
        company_id = event_payload.get("company_id")
        company = s.get(RecordRow, company_id) if isinstance(company_id, str) else None
        ordered = ([company] if company is not None and company.kind == "company"
                   and company.device_id == HQ_DEVICE else [])
        ordered.append(event)
        for kind in ("post", "guard"):
            ordered.extend(sorted((r for r in rows if r.kind == kind),
                                  key=lambda r: (json.loads(r.payload).get("created_at")
                                                 or "", r.id)))
        # Each payload as it was sent, photos back from the file store (app.hq.payload_files):
        # the laptop recomputes each record's hash from its payload.
        payloads = payload_files.inflate_all(s, [(r.kind, json.loads(r.payload))
                                                 for r in ordered])
        records = [{"kind": r.kind, "id": r.id, "hash": r.content_hash, "payload": payload}
                   for r, payload in zip(ordered, payloads, strict=True)]
        issuers = list(s.scalars(select(TrustIssuer).order_by(TrustIssuer.kid)))
        revoked = list(s.scalars(select(RevokedCertificate.cert_key)
                                 .order_by(RevokedCertificate.cert_key)))
        revoked_kids = list(s.scalars(select(RevokedIssuer.kid).order_by(RevokedIssuer.kid)))
        zone = s.scalar(select(EventAssignment.zone).where(  # the laptop's zone (console)
            EventAssignment.event_id == event_id, EventAssignment.device_id == device_id)
        ) if device_id is not None else None
    assert all(r["kind"] in PACKAGE_KINDS for r in records)
    template = template_document(event_payload.get("checklist_template") or "checklist")
    body = {"event_id": event_id, "created_at": utc_now().isoformat(timespec="seconds"),
            "records": records, "checklist_template": template,
            "scoring_rules": package_rules(db),  # the newest version HQ has (docs/scoring.md)
            "trust_list": [{"kid": i.kid, "name": i.name,
                            "public_key": b64encode(bytes(i.public_key)),
                            "valid_from": i.valid_from.isoformat(),
                            "valid_until": i.valid_until.isoformat()} for i in issuers],
            "revoked_certificates": revoked, "revoked_issuers": revoked_kids,
            # The form's header and this laptop's document-number blocks (none without one)
            "form": form_settings(db), "document_numbers": package_numbers(db, device_id)}
    if zone is not None:  # assigned by HQ staff (app.hq.event_assignments)
        body["assignment"] = {"zone": zone}
    data = write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, keys.package_key())
    if device_id is not None and device_id != HQ_DEVICE:
        record_takedown(db, device_id, event_id, handed_by)
    return data


def record_takedown(db: HqDatabase, device_id: str, event_id: str,
                    handed_by: str | None = None) -> None:
    """Note that a laptop took the event down (its package served to it, or handed to it
    by HQ staff, ``handed_by``, whose act is audited in the same transaction): it may send
    records of the event from now on."""
    with db.begin() as s:
        if s.get(Device, device_id) is None:
            raise HqError(404, f"no enrolled device {device_id}")
        s.execute(db.insert_or_skip(DeviceEvent.__table__).values(
            device_id=device_id, event_id=event_id, taken_at=utc_now()))
        if handed_by is not None:
            audit.record(s, handed_by, "event.takedown", f"event:{event_id}", None,
                         {"device": device_id})


def takedowns(db: HqDatabase, event_id: str) -> list[str]:
    """The devices that took the event down."""
    with db.Session() as s:
        return sorted(s.scalars(select(DeviceEvent.device_id)
                                .where(DeviceEvent.event_id == event_id)))

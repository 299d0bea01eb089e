"""Laptops assigned to HQ's events (issue 14, console events): HQ staff assign an enrolled
laptop, that is its supervisor, to one of HQ's events and to a zone of it, or take the
assignment back; each change is audited ("event.assign") in its own transaction. The
package served to an assigned laptop names its zone (app.hq.packages).

Also what the event page shows of every enrolled laptop: its supervisor, whether and where
it is assigned, its last contact, its changes to the event awaiting HQ's decision (the
proposals of app.hq.proposals) and whether it took the event down. A few queries for all
the laptops together, never one per laptop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import (
    HQ_DEVICE,
    Device,
    DeviceEvent,
    EventAssignment,
    RecordProposal,
    utc_now,
)
from app.hq.models import Record as RecordRow
from app.hq.register import plain_text
from app.sync.protocol import plain_text as storable

MAX_ZONE_CHARS = 100
ACTION = "event.assign"


def hq_event(s: Session, event_id: str) -> RecordRow:
    """HQ's own event of that id; HqError 404 for anything else."""
    if not storable(event_id, 64):
        raise HqError(404, "headquarters prepared no such event")
    event = s.get(RecordRow, event_id)
    if event is None or event.kind != "event" or event.device_id != HQ_DEVICE:
        raise HqError(404, f"headquarters prepared no event {event_id}")
    return event


def zone_text(zone: str) -> str:
    """The zone as stored: "" (the whole event) or 1 to 100 characters of plain text."""
    if not zone.strip():
        return ""
    return plain_text(zone, MAX_ZONE_CHARS, "zone")


def _laptop(s: Session, device_id: str) -> Device:
    device = s.get(Device, device_id) if storable(device_id, 36) else None
    if device is None:
        raise HqError(404, "no enrolled laptop of that id")
    return device


def assign(db: HqDatabase, actor: str, event_id: str, device_id: str,
           zone: str) -> dict[str, Any]:
    """Assign the laptop to HQ's event and zone (again: the zone changes); audited with the
    assignment before and after. A revoked laptop cannot be assigned."""
    zone = zone_text(zone)
    with db.begin() as s:
        hq_event(s, event_id)
        device = _laptop(s, device_id)
        if device.revoked_at is not None:
            raise HqError(409, f"the laptop of {device.supervisor} was revoked: enrol it "
                               f"again before assigning it")
        row = s.get(EventAssignment, (event_id, device_id))
        before = {"zone": row.zone} if row is not None else None
        if row is None:
            row = EventAssignment(event_id=event_id, device_id=device_id, zone=zone,
                                  assigned_by=actor[:64])
            s.add(row)
        row.zone, row.assigned_at, row.assigned_by = zone, utc_now(), actor[:64]
        s.flush()
        after = {"device": device_id, "supervisor": device.supervisor, "zone": zone}
        audit.record(s, actor, ACTION, f"event:{event_id}",
                     None if before is None else {"device": device_id, **before}, after)
    return after


def unassign(db: HqDatabase, actor: str, event_id: str, device_id: str) -> bool:
    """Take the laptop's assignment back; False when it had none (nothing audited then)."""
    with db.begin() as s:
        hq_event(s, event_id)
        device = _laptop(s, device_id)
        row = s.get(EventAssignment, (event_id, device_id))
        if row is None:
            return False
        before = {"device": device_id, "supervisor": device.supervisor, "zone": row.zone}
        s.delete(row)
        s.flush()
        audit.record(s, actor, ACTION, f"event:{event_id}", before, None)
    return True


def zone_of(s: Session, event_id: str, device_id: str | None) -> str | None:
    """The zone the laptop is assigned to in the event; None when it is not assigned."""
    if device_id is None:
        return None
    return s.scalar(select(EventAssignment.zone).where(EventAssignment.event_id == event_id,
                                                       EventAssignment.device_id == device_id))


def assigned_counts(s: Session, event_ids: list[str]) -> dict[str, int]:
    """How many laptops are assigned to each of these events."""
    if not event_ids:
        return {}
    return {str(e): int(n) for e, n in s.execute(
        select(EventAssignment.event_id, func.count())
        .where(EventAssignment.event_id.in_(event_ids))
        .group_by(EventAssignment.event_id))}


def laptops(s: Session, event_id: str) -> list[dict[str, Any]]:
    """Every enrolled laptop as the event page shows it: supervisor, assigned and zone, last
    contact, pending (its proposals for this event awaiting HQ's decision), took the event
    down. Assigned laptops first, then by supervisor."""
    devices = list(s.scalars(select(Device).order_by(Device.supervisor, Device.id)))
    assigned = {a.device_id: a for a in s.scalars(
        select(EventAssignment).where(EventAssignment.event_id == event_id))}
    pending = {str(d): int(n) for d, n in s.execute(
        select(RecordProposal.device_id, func.count())
        .where(RecordProposal.event_id == event_id).group_by(RecordProposal.device_id))}
    took = set(s.scalars(select(DeviceEvent.device_id).where(DeviceEvent.event_id == event_id)))
    shown = []
    for device in devices:
        assignment = assigned.get(device.id)
        last_seen: datetime | None = device.last_seen_at
        shown.append({"id": device.id, "name": device.name, "supervisor": device.supervisor,
                      "revoked": device.revoked_at is not None,
                      "assigned": assignment is not None,
                      "zone": assignment.zone if assignment else "",
                      "assigned_by": assignment.assigned_by if assignment else "",
                      "last_seen_at": last_seen, "pending": pending.get(device.id, 0),
                      "took_down": device.id in took})
    shown.sort(key=lambda d: (not d["assigned"], d["revoked"], d["supervisor"], d["id"]))
    return shown

"""The outcome rules for a received record (the table in docs/sync-protocol.md): what HQ
holds under its id, whose it is, and which events the sending laptop may write within.

Pure judgements over values read by app.hq.ingest, which applies them in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hq.database import parse_time
from app.hq.models import HQ_DEVICE, DeviceEvent
from app.hq.models import Record as RecordRow
from app.sync.protocol import chunks, plain_text
from app.sync.records import payload_problem

OWNER_MESSAGE = ("headquarters holds this record from another device; a record belongs to "
                 "the laptop that made it")
KIND_MESSAGE = ("headquarters holds this id as a record of the kind '{kind}'; a record's kind "
                "is fixed when it first arrives, so it cannot arrive again as another kind")
FAILURES = {"failed-owner": OWNER_MESSAGE, "failed-kind": KIND_MESSAGE}
KEPT_BY_HQ_MESSAGE = ("headquarters keeps its own register of companies; this laptop's "
                      "change to it was noted as received and not applied")
PROPOSAL_MESSAGE = ("headquarters prepared this record and keeps its own copy, which the "
                    "event's packages carry; this laptop's change is kept as its proposal, "
                    "for HQ staff to accept (hq accept-proposal)")
CHANGED_MESSAGE = ("the record changed at headquarters while this batch was stored; send it "
                   "again")
SCOPE_MESSAGE = ("this {kind} belongs to the event {event}, which this laptop neither took "
                 "down from headquarters nor made itself; a laptop sends records only of the "
                 "events it made, pulled, or got on a stick from HQ staff (hq export-package "
                 "--device)")
NO_INSPECTION_MESSAGE = ("this check result's inspection {inspection} is neither at "
                         "headquarters nor in this batch; the inspection must arrive first")
# HQ's rows a laptop may propose a change to (a guard moved on the day, a photo); HQ's
# register of companies is not a laptop's to propose to.
PROPOSED_KINDS = frozenset({"event", "post", "guard"})
# The kinds whose rows belong to one event (a check result belongs to its inspection).
EVENT_SCOPED_KINDS = frozenset({"post", "guard", "inspection", "finding", "post_status",
                                "evaluation"})


@dataclass
class Incoming:
    """A received record that passed the envelope and payload checks."""

    index: int
    kind: str
    id: str
    hash: str
    payload: dict[str, Any]
    updated_at: str
    row: dict[str, Any] | None = None  # the record row to write
    document: dict[str, Any] | None = None  # the evaluation_document row to write
    # its attached file (bytes, media type) for the file store (app.hq.payload_files)
    files: list[tuple[bytes, str]] = field(default_factory=list)


class Held(NamedTuple):
    """What HQ holds under an id."""

    hash: str
    owner: str
    updated: str
    kind: str
    event_id: str | None = None


def held_records(s: Session, ids: Sequence[str]) -> dict[str, Held]:
    """What HQ holds under each of these ids (an id it does not hold is left out)."""
    held: dict[str, Held] = {}
    for chunk in chunks(sorted(set(ids))):
        for record_id, digest, owner, updated, kind, event_id in s.execute(
                select(RecordRow.id, RecordRow.content_hash, RecordRow.device_id,
                       RecordRow.updated_at, RecordRow.kind, RecordRow.event_id)
                .where(RecordRow.id.in_(chunk))):
            held[record_id] = Held(digest, owner, updated, kind, event_id)
    return held


def held_kind(current: Held | None) -> str:
    return current.kind if current is not None else "?"


def _newer(incoming: str, held: str) -> bool:
    """Is ``incoming`` (an updated_at) the same time as ``held`` or later?"""
    incoming_time, held_time = parse_time(incoming), parse_time(held)
    if incoming_time is not None and held_time is not None:
        return incoming_time >= held_time
    return incoming >= held


def judge(record: Incoming, current: Held | None, device_id: str) -> str:
    """'insert', 'replace', 'present', 'propose', 'kept-by-hq', 'failed-kind' or
    'failed-owner' for a record against what HQ holds under its id."""
    if current is None:
        return "insert"
    if current.kind != record.kind:
        # A record's kind is fixed when it first arrives: an HQ company sent again as a guard
        # would leave the register and the event lists.
        return "failed-kind"
    if current.hash == record.hash:
        return "present"
    if device_id == HQ_DEVICE:
        # HQ preparing its event again; a laptop's row stays the laptop's.
        return "replace" if current.owner == HQ_DEVICE else "failed-owner"
    if current.owner == HQ_DEVICE:
        # HQ's rows are what every laptop pulls: a laptop's change to one never replaces it.
        # The register of companies (credit grade, black list) is HQ's alone; a change to an
        # event, post or guard (a guard moved on the day, a photo) is kept as the laptop's
        # proposal, which HQ staff may accept.
        return "propose" if record.kind in PROPOSED_KINDS else "kept-by-hq"
    if current.owner != device_id:
        return "failed-owner"
    # The laptop's own record: its versions carry times of one clock.
    return "replace" if _newer(record.updated_at, current.updated) else "present"


def judge_proposal(record: Incoming, current: tuple[str, str] | None) -> str:
    """'store' or 'present' for a laptop's change to an HQ row against its earlier proposal
    (hash, updated_at): the laptop's own versions, one clock."""
    if current is None:
        return "store"
    digest, updated = current
    if digest == record.hash:
        return "present"
    return "store" if _newer(record.updated_at, updated) else "present"


@dataclass
class Scope:
    """Which event each record of a batch belongs to, and whether the sending laptop may
    write within it: the events it took down (device_event) or made itself (an event record
    it owns, or sends in this very batch). HQ prepares any event."""

    device_id: str
    events: dict[int, str | None]  # record index -> its event (None: a company)
    unknown: dict[int, str]  # record index -> why its event cannot be told
    allowed: set[str]

    @classmethod
    def of(cls, s: Session, device_id: str, incoming: Sequence[Incoming],
           held: dict[str, Held]) -> Scope:
        events: dict[int, str | None] = {}
        unknown: dict[int, str] = {}
        batch_inspections = {r.id: r.payload.get("event_id") for r in incoming
                             if r.kind == "inspection"}
        wanted = sorted({str(r.payload.get("inspection_id")) for r in incoming
                         if r.kind == "check_result"} - set(batch_inspections))
        held_inspections: dict[str, str | None] = {}
        for chunk in chunks(wanted):
            for record_id, kind, event_id in s.execute(
                    select(RecordRow.id, RecordRow.kind, RecordRow.event_id)
                    .where(RecordRow.id.in_(chunk))):
                if kind == "inspection":
                    held_inspections[record_id] = event_id
        for record in incoming:
            if record.kind == "company":
                events[record.index] = None
            elif record.kind == "event":
                events[record.index] = record.id
            elif record.kind == "check_result":
                inspection = str(record.payload.get("inspection_id"))
                event = batch_inspections.get(inspection) or held_inspections.get(inspection)
                events[record.index] = event if isinstance(event, str) else None
                if events[record.index] is None:
                    unknown[record.index] = NO_INSPECTION_MESSAGE.format(
                        inspection=inspection)
            else:
                event = record.payload.get("event_id")
                events[record.index] = event if isinstance(event, str) else None
        allowed: set[str] = set()
        if device_id != HQ_DEVICE:
            scoped = sorted({e for e in events.values() if e}
                            | {h.event_id for h in held.values() if h.event_id})
            for chunk in chunks(scoped):
                allowed.update(s.scalars(select(DeviceEvent.event_id).where(
                    DeviceEvent.device_id == device_id, DeviceEvent.event_id.in_(chunk))))
                allowed.update(s.scalars(select(RecordRow.id).where(
                    RecordRow.id.in_(chunk), RecordRow.kind == "event",
                    RecordRow.device_id == device_id)))
            # Events this batch makes (ids HQ holds under no kind yet) are the laptop's own.
            allowed.update(r.id for r in incoming if r.kind == "event" and r.id not in held)
        return cls(device_id, events, unknown, allowed)

    def event_of(self, record: Incoming) -> str | None:
        return self.events.get(record.index)

    def allows(self, event_id: str) -> bool:
        return self.device_id == HQ_DEVICE or event_id in self.allowed

    def problem(self, record: Incoming) -> str | None:
        """Why the laptop may not write this record there; None when it may."""
        if self.device_id == HQ_DEVICE or record.kind == "company":
            return None
        if record.index in self.unknown:
            return self.unknown[record.index]
        event = self.events.get(record.index)
        if event and event in self.allowed:
            return None
        return SCOPE_MESSAGE.format(kind=record.kind.replace("_", " "), event=event)


def answer_id(item: object) -> str | None:
    """A received record's id as the answer may repeat it (JSON-encodable text), else None."""
    value = item.get("id") if isinstance(item, dict) else None
    return value if plain_text(value, 200) else None


def hq_payload_problem(kind: str, payload: dict[str, Any]) -> str | None:
    """What makes a payload unusable beyond the envelope checks, in plain words: first the
    laptop table it maps to (app.sync.records.payload_problem: columns, types, NOT NULL,
    lengths, 64-bit integers, times), then what HQ needs of it."""
    problem = payload_problem(kind, payload)
    if problem is not None:
        return problem
    if kind in EVENT_SCOPED_KINDS and not payload.get("event_id"):
        return f"the {kind} names no event (event_id)"
    return None

"""Preparing events at HQ: from a company's roster (``hq add-event``), or taking over an
event a laptop profile holds; and the person pseudonyms of the guards HQ rostered.

The records are made by app.hq.event_records and stored through app.hq.ingest as HQ's own,
so the outcome rules apply to them as to any record received.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.event_records import (
    CompanyDetails,
    PlannedPost,
    company_record,
    event_records,
    time_text,
)
from app.hq.ingest import ingest
from app.hq.ingest_rules import held_records
from app.hq.key_ring import KeyRing
from app.hq.models import HQ_DEVICE, PersonPseudonym, utc_now
from app.hq.models import Record as RecordRow
from app.hq.packages import hq_event_named
from app.hq.vetting import with_hq_vetting
from app.inspection.identity import cert_key
from app.inspection.roster import RosterReport, check_roster
from app.inspection.values import EventInput
from app.sync.protocol import Record, chunks
from app.sync.records import payload_problem, records_for_event


class LaptopProfile(Protocol):
    """What HQ reads of a laptop's profile (app.profile.db.Database) to take its event."""

    @property
    def data_dir(self) -> Path: ...

    def read(self) -> AbstractContextManager[Session]: ...


def hq_companies(db: HqDatabase) -> list[Record]:
    """HQ's own register of companies (a company a laptop made is not HQ's to build on), a
    name once: the first record under it, in the order HQ received them."""
    with db.Session() as s:
        rows = s.scalars(select(RecordRow).where(
            RecordRow.kind == "company", RecordRow.device_id == HQ_DEVICE)
            .order_by(RecordRow.received_at, RecordRow.id)).all()
    found: dict[str, Record] = {}
    for row in rows:
        payload = json.loads(row.payload)
        if payload_problem("company", payload) is not None:
            continue  # a row from before the checks: left out
        found.setdefault(str(payload.get("name")),
                         Record(kind="company", id=row.id, hash=row.content_hash,
                                payload=payload))
    return list(found.values())


def add_event_records(db: HqDatabase, records: Sequence[Record]) -> None:
    """Store an event's records as HQ's own, all or none.

    A company HQ holds already stays exactly as HQ's register has it (licence, credit
    grade, black list: changed by HQ staff only); the event is linked to it. Every record
    is checked against its table first: one that does not fit refuses the whole event,
    and nothing is stored."""
    for record in records:
        problem = payload_problem(record.kind, record.payload)
        if problem is not None:
            raise HqError(422, f"the event cannot be prepared: {record.kind} "
                               f"{record.id}: {problem}")
    with db.Session() as s:
        held = held_records(s, [r.id for r in records if r.kind == "company"])
        records = with_hq_vetting(s, records)
    fresh = [r for r in records if not (r.kind == "company" and r.id in held)]
    results = ingest(db, HQ_DEVICE, [r.as_json() for r in fresh])
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        raise HqError(409, f"{len(failed)} records of the event could not be stored; "
                           f"first: {failed[0]['error']}")


def add_event_from_profile(db: HqDatabase, profile: LaptopProfile, event_id: str) -> str:
    """Take an event of a laptop profile (company, event, posts, guards) as HQ's own."""
    with profile.read() as s:
        records = records_for_event(s, event_id, profile.data_dir)
    add_event_records(db, records)
    return event_id


def prepare_event(db: HqDatabase, details: EventInput, company: CompanyDetails | None,
                  report: RosterReport, planned_posts: Sequence[PlannedPost] = ()) -> list[Record]:
    """Store an event made from a checked roster as HQ's own; its records. The company is
    the one of HQ's register under that name when there is one, else a new one."""
    name = details.name.strip()
    if not name:
        raise HqError(400, "event name is required")
    if hq_event_named(db, name):
        raise HqError(409, f"headquarters already prepared an event named {name}")
    records: list[Record] = []
    company_id: str | None = None
    if company is not None and company.name.strip():
        registered = {c.payload.get("name"): c for c in hq_companies(db)}
        held = registered.get(company.name.strip())
        if held is None:
            held = company_record(company, time_text(utc_now()))
            records.append(held)
        company_id = held.id
    records.extend(event_records(details, company_id, report, planned_posts))
    add_event_records(db, records)
    return records


def add_event(db: HqDatabase, keys: KeyRing, roster_file: str | os.PathLike[str],
              details: EventInput, company: str | None = None,
              company_licence: str = "") -> tuple[str, dict[str, Any]]:
    """Prepare an event from a company's roster; returns its id and the roster check's
    summary. As on the laptop, the valid rows are imported and the problems listed."""
    name = details.name.strip()
    if hq_event_named(db, name):
        raise HqError(409, f"headquarters already prepared an event named {name}")
    keys.pseudonym_of("")  # a locked key refuses here, before anything is stored
    report = check_roster(Path(roster_file), main_company=company)
    summary = report.summary()
    summary["error_count"] = report.error_count
    if not report.valid_rows:
        raise HqError(422, f"the roster has no valid row ({report.error_count} problems; "
                           f"python -m app roster check {roster_file} lists them)")
    company_name = (company or report.main_company or "").strip()
    registered = {str(c.payload.get("name")) for c in hq_companies(db)}
    records = prepare_event(db, details, CompanyDetails(company_name, company_licence),
                            report)
    event_id = next(r.id for r in records if r.kind == "event")
    store_pseudonyms(db, keys, event_id, report, records)  # HQ-only, never sent
    if company_name in registered:
        summary["company_note"] = (
            f"{company_name} is in headquarters' register already: its record "
            f"(licence, credit grade, black list) is kept as it is, and changes only by "
            f"HQ staff")
    return event_id, summary


def store_pseudonyms(db: HqDatabase, keys: KeyRing, event_id: str, report: RosterReport,
                     records: Sequence[Record]) -> int:
    """The pseudonym of each guard of an event HQ prepared from a roster it read."""
    numbers = {cert_key(row.cert_no): row.id_number for row in report.valid_rows
               if row.id_number}
    now = utc_now()
    rows = [{"guard_id": r.id, "event_id": event_id,
             "pseudonym": keys.pseudonym_of(numbers[r.payload["cert_key"]]), "created_at": now}
            for r in records if r.kind == "guard" and r.payload["cert_key"] in numbers]
    with db.begin() as s:
        s.execute(delete(PersonPseudonym).where(PersonPseudonym.event_id == event_id))
        for part in chunks(rows, 5_000):
            s.execute(insert(PersonPseudonym), list(part))
    return len(rows)


def events_of_person(db: HqDatabase, pseudonym: str) -> list[str]:
    """The ids of the events HQ prepared in which this person (pseudonym) is rostered."""
    with db.Session() as s:
        return sorted(set(s.scalars(select(PersonPseudonym.event_id).where(
            PersonPseudonym.pseudonym == pseudonym))))

"""An event HQ prepares, as the records its package carries: the contracted company, the
event, its posts and its guards, made from a checked roster (app.inspection.roster).

Pure: no database. The payloads are those a laptop's tables give for the same roster
(app.sync.records: the same keys, the same value types, what payload_problem accepts); the
laptop's rules for a roster (a post from each row's 岗位 and 岗位类型, its head-count the
rows fixed there, a certificate number seen again updating its guard, an ID number kept
only masked) are applied here the same way, so a roster imported on a laptop and one
prepared at HQ give the same event apart from ids and times (tests/test_hq_event_records.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.hq.models import HQ_DEVICE
from app.inspection.identity import cert_key, mask_id_number
from app.inspection.roster import RosterReport, zone_of
from app.inspection.values import EventInput
from app.orm import as_utc
from app.sync.protocol import Record
from app.sync.records import payload_keys


@dataclass(frozen=True)
class CompanyDetails:
    """A company for HQ's register (one it does not hold yet)."""

    name: str
    licence_no: str = ""
    credit_grade: str = ""
    blacklisted: bool = False


@dataclass(frozen=True)
class PlannedPost:
    """A post of the event's plan that no roster row names (it stays unstaffed)."""

    name: str
    task_type: str
    required_headcount: int


def new_id() -> str:
    return str(uuid.uuid4())


def time_text(moment: datetime) -> str:
    """A time as a laptop's payload carries it: ISO 8601 in UTC, to the microsecond."""
    return as_utc(moment).isoformat(timespec="microseconds")


def _wall_clock_text(moment: datetime | None) -> str | None:
    """An event's start or end as a laptop's event table gives it back: the moment in UTC
    (app.orm.UtcDateTime), so 19:30+08:00 travels as 11:30 UTC, whichever side made it."""
    if moment is None:
        return None
    return time_text(moment)


class _Clock:
    """created_at / updated_at of the records made in one go, each a microsecond after the
    one before: a package lists posts and guards by created_at, so they keep the roster's
    order, as on a laptop, where each row is written in turn."""

    def __init__(self, start: datetime) -> None:
        self._next = start

    def tick(self) -> str:
        moment, self._next = self._next, self._next + timedelta(microseconds=1)
        return time_text(moment)


def blank_payload(kind: str, record_id: str, created: str) -> dict[str, Any]:
    """Every key of a ``kind`` payload, each at its table column's default (None without
    one), with the id, the times and HQ as the device that made the record."""
    payload: dict[str, Any] = {}
    for key, column in payload_keys(kind).items():
        default = getattr(column, "default", None)
        payload[key] = default.arg if default is not None and default.is_scalar else None
    payload.update(id=record_id, created_at=created, updated_at=created, device_id=HQ_DEVICE,
                   deleted_at=None)
    return payload


def company_record(company: CompanyDetails, created: str) -> Record:
    payload = blank_payload("company", new_id(), created)
    payload.update(name=company.name.strip(), licence_no=company.licence_no.strip(),
                   credit_grade=company.credit_grade.strip(),
                   blacklisted=company.blacklisted)
    return Record.of("company", payload)


def event_records(details: EventInput, company_id: str | None, report: RosterReport,
                  planned_posts: Sequence[PlannedPost] = (),
                  now: datetime | None = None) -> list[Record]:
    """The event, its posts and its guards: the roster's valid rows, as a laptop imports
    them into a new event, then the posts of the plan that no row names. ``details`` is what
    a laptop saves an event from; its company fields are not read here: the contracted
    company is ``company_id``, a company of HQ's register."""
    clock = _Clock(now or datetime.now(UTC))
    event = blank_payload("event", new_id(), clock.tick())
    event.update(name=details.name.strip(), venue=details.venue.strip(),
                 organizer=details.organizer.strip(),
                 starts_at=_wall_clock_text(details.starts_at),
                 ends_at=_wall_clock_text(details.ends_at),
                 expected_attendance=details.expected_attendance,
                 venue_capacity=details.venue_capacity, risk_level=details.risk_level,
                 event_kind=details.event_kind, company_id=company_id)
    posts: dict[str, dict[str, Any]] = {}
    guards: dict[str, dict[str, Any]] = {}
    made: list[tuple[str, dict[str, Any]]] = []  # (kind, payload) in the order made
    for row in report.valid_rows:
        post = None
        if row.post and row.task_type:
            post = posts.get(row.post)
            if post is None:
                post = blank_payload("post", new_id(), clock.tick())
                post.update(event_id=event["id"], name=row.post, zone=zone_of(row.post),
                            task_type=row.task_type, required_headcount=0)
                posts[row.post] = post
                made.append(("post", post))
            post["required_headcount"] += 1
        key = cert_key(row.cert_no)
        guard = guards.get(key)
        if guard is None:
            guard = blank_payload("guard", new_id(), clock.tick())
            guard.update(event_id=event["id"], cert_key=key)
            guards[key] = guard
            made.append(("guard", guard))
        guard.update(roster_row=row.row, name=row.name, gender=row.gender,
                     id_masked=mask_id_number(row.id_number),  # never the number itself
                     cert_no=row.cert_no, company_name=row.company, phone=row.phone,
                     background_check=row.background_check, trained=row.trained,
                     post_id=post["id"] if post else None)
    for planned in planned_posts:
        name = planned.name.strip()
        if name in posts:
            raise ValueError(f"the plan names the post {name} twice")
        post = blank_payload("post", new_id(), clock.tick())
        post.update(event_id=event["id"], name=name, zone=zone_of(name),
                    task_type=planned.task_type,
                    required_headcount=max(0, planned.required_headcount))
        posts[name] = post
        made.append(("post", post))
    return [Record.of("event", event), *(Record.of(kind, payload) for kind, payload in made)]

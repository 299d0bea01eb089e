"""HQ prepares events with its own function (app.hq.event_records), not a laptop profile: the
same roster prepared at HQ and imported on a laptop gives the same records (kinds, payload
keys and values) apart from ids and times; so does the demo event."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo import create_demo_event
from app.hq.event_records import event_records
from app.hq.models import HQ_DEVICE, RevokedCertificate, TrustIssuer
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.inspection.roster import check_roster
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import RevokedCertificate as ProfileRevoked
from app.profile.models import TrustedIssuer as ProfileIssuer
from app.sync.protocol import Record
from app.sync.records import payload_keys, payload_problem, records_for_event

ROSTER = Path(__file__).parent / "fixtures" / "roster_concert_600.xlsx"
# What differs between two preparations of the same event: the ids, the times the records
# were made, and the device that made them.
NOT_COMPARED = {"id", "created_at", "updated_at", "device_id"}


def without(by_kind: dict[str, list[dict[str, Any]]], keys: tuple[str, ...]
            ) -> dict[str, list[dict[str, Any]]]:
    return {kind: sorted(({k: v for k, v in p.items() if k not in keys} for p in payloads),
                         key=lambda p: json.dumps(p, ensure_ascii=False, sort_keys=True))
            for kind, payloads in by_kind.items()}


def comparable(records: Iterable[Record]) -> dict[str, list[dict[str, Any]]]:
    """The records by kind, each payload without ids and times, its references to other
    records named by what identifies them (a company's or event's name, a post's name)."""
    records = list(records)
    names = {r.id: r.payload["name"] for r in records if r.kind in ("company", "event", "post")}
    found: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        payload = {key: value for key, value in record.payload.items()
                   if key not in NOT_COMPARED}
        for reference in ("company_id", "event_id", "post_id"):
            if payload.get(reference) is not None:
                payload[reference] = names[payload[reference]]
        found.setdefault(record.kind, []).append(payload)
    return {kind: sorted(payloads, key=lambda p: json.dumps(p, ensure_ascii=False, sort_keys=True))
            for kind, payloads in found.items()}


def hq_event(store: HqStore, event_id: str) -> list[Record]:
    """The records an HQ event's package carries: its company, itself, posts, guards."""
    with store.Session() as s:
        rows = s.scalars(select(RecordRow).where(RecordRow.device_id == HQ_DEVICE)).all()
    records = [Record(kind=r.kind, id=r.id, hash=r.content_hash, payload=json.loads(r.payload))
               for r in rows]
    event = next(r for r in records if r.id == event_id)
    return [r for r in records
            if r.id in (event_id, event.payload["company_id"])
            or r.payload.get("event_id") == event_id]


def laptop_event(db: Database, event_id: str) -> list[Record]:
    with db.read() as s:
        return records_for_event(s, event_id, db.data_dir)


@pytest.fixture
def store(tmp_path: Path) -> Iterable[HqStore]:
    hq = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield hq
    hq.close()


@pytest.fixture
def laptop(tmp_path: Path) -> Iterable[Database]:
    db = Database(tmp_path / "laptop")
    yield db
    db.close()


def test_a_roster_prepared_at_hq_is_the_roster_a_laptop_imports(
        store: HqStore, laptop: Database) -> None:
    starts = datetime(2026, 12, 12, 19, 30, tzinfo=timezone(timedelta(hours=8)))
    event_id, summary = store.add_event(ROSTER, " 演唱会 ", venue="体育场 ", organizer="主办方",
                                        starts_at=starts, risk="high", attendance=40000,
                                        company_licence="辽公保服20150012")
    report = check_roster(ROSTER)
    workbench = Workbench(laptop)
    laptop_id = workbench.save_event(EventInput(
        name=" 演唱会 ", venue="体育场 ", organizer="主办方", starts_at=starts,
        expected_attendance=40000, risk_level="high", company_name=report.main_company,
        company_licence_no="辽公保服20150012"))
    workbench.import_roster(laptop_id, report)

    at_hq, on_laptop = hq_event(store, event_id), laptop_event(laptop, laptop_id)
    assert summary["valid"] == len(report.valid_rows) > 500
    assert [r.kind for r in at_hq].count("guard") == summary["valid"]
    for record in at_hq:
        assert payload_problem(record.kind, record.payload) is None, record
        assert set(record.payload) == set(payload_keys(record.kind))
        assert record.payload["device_id"] == HQ_DEVICE
    # The company's roster columns are a claim on both sides; what the verdicts use differs:
    # the laptop's own event takes the claim, HQ's takes HQ's vetting, and HQ has vetted no
    # one of this roster yet (background pending, no training on HQ's record).
    hq_guards = [r.payload for r in at_hq if r.kind == "guard"]
    assert all(g["background_check"] == "pending" and g["trained"] is False
               for g in hq_guards)
    assert {g["claimed_background_check"] for g in hq_guards} > {"pending"}
    for record in on_laptop:
        if record.kind == "guard":
            assert record.payload["background_check"] == \
                record.payload["claimed_background_check"]
            assert record.payload["trained"] == record.payload["claimed_trained"]
    vetting = ("background_check", "trained")
    assert without(comparable(at_hq), vetting) == without(comparable(on_laptop), vetting)
    # the package lists guards in the roster's order, as a laptop's would
    guards = [r for r in at_hq if r.kind == "guard"]
    assert sorted(guards, key=lambda r: r.payload["created_at"]) == sorted(
        guards, key=lambda r: r.payload["roster_row"])


def test_the_demo_event_at_hq_is_the_laptops_demo_event(
        store: HqStore, laptop: Database) -> None:
    event_id = store.add_demo_event()
    laptop_id = create_demo_event(Workbench(laptop), with_inspections=False)
    assert comparable(hq_event(store, event_id)) == comparable(laptop_event(laptop, laptop_id))
    with store.Session() as s, laptop.read() as ls:
        assert set(s.scalars(select(RevokedCertificate.cert_key))) == set(
            ls.scalars(select(ProfileRevoked.cert_key)))
        assert set(s.scalars(select(TrustIssuer.kid))) == set(
            ls.scalars(select(ProfileIssuer.kid)))


def test_event_records_follow_the_laptops_rules() -> None:
    """A certificate number seen again updates its guard; a post's head-count is the rows
    fixed there; a time travels in UTC, as a laptop's event table gives it back."""
    report = check_roster(ROSTER)
    first, again = report.valid_rows[0], report.valid_rows[1]
    report.rows = [first, again, dataclasses.replace(again, row=999, phone="1")]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    records = event_records(EventInput("活动", starts_at=datetime(
        2026, 5, 1, 10, tzinfo=timezone(timedelta(hours=8)))), None, report, now=now)
    kinds = [r.kind for r in records]
    assert kinds.count("event") == 1 and kinds.count("guard") == 2
    event = records[0].payload
    assert event["starts_at"] == "2026-05-01T02:00:00.000000+00:00"  # 10:00 in +08:00
    assert event["created_at"] == now.isoformat(timespec="microseconds")
    updated = next(r.payload for r in records
                   if r.kind == "guard" and r.payload["cert_no"] == again.cert_no)
    assert (updated["roster_row"], updated["phone"]) == (999, "1")
    headcount = Counter(row.post for row in report.rows if row.post and row.task_type)
    assert {r.payload["name"]: r.payload["required_headcount"] for r in records
            if r.kind == "post"} == dict(headcount)
    assert sum(headcount.values()) == 3

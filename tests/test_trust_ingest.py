"""Headquarters' record ingest respects authority (issue 10, items 1, 2, 3, 11 and 12b).

Each attack is reproduced as the review did it, through the documented HTTP API (FastAPI's
TestClient stands in for a laptop's httpx client) or command line, and each test asserts the
refusal, its message, and that nothing stored changed:

1. ``hq add-event`` with a roster of a company in HQ's register keeps HQ's record of it.
2. A record's kind (and owner) is fixed when it first arrives.
3. What one laptop sends never changes what another laptop pulls: HQ's rows change only by
   HQ (a laptop's change is its proposal until HQ staff accept it); a laptop writes only
   within the events it took down or made; every payload is checked against its table.
11. A malformed request answers 4xx, a malformed record is refused alone.
12b. ``import-package`` of validly signed but malformed packages: exit 2 with a message, the
   profile unchanged.

The PostgreSQL runs of the item 11 checks are in tests/test_trust_ingest_pg.py.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import gzip
import hashlib
import io
import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.hq.models import HQ_DEVICE
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.sync.kinds import MODELS
from app.sync.protocol import (
    HQ_SIGNER,
    PACKAGE_FORMAT,
    PROTOCOL_VERSION,
    Record,
    b64encode,
    canonical_json,
    raw_public_key,
    read_signed,
    write_signed,
)
from app.sync.records import payload_problem
from tests.helpers.hq_in_process import HQ_URL, route_laptops_to
from tests.helpers.hq_process import key_passphrase_env, last_json, run_app
from tests.test_hq_store import (
    enrol_device,
    event_record,
    full_payload,
    inspection,
    own_event,
    stamp,
)

API = "/api/v1"
STAFF_PASSWORD = "staff password 1"
REGISTERED = "营口恒通保安服务有限公司"
REGISTERED_LICENCE = "辽公保服20190052"


# ---------------------------------------------------------------------- helpers
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HqStore, TestClient]]:
    """HQ in-process on SQLite, with its HTTP API; a laptop's SyncService reaches it at
    HQ_URL (httpx.Client is pointed at the TestClient)."""
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    with serving(store, monkeypatch) as client:
        yield store, client
    store.close()


@contextlib.contextmanager
def serving(store: HqStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    app = route_laptops_to(store, monkeypatch)
    with TestClient(app) as test_client:
        yield test_client


def hq_rows(store: HqStore) -> dict[str, tuple[Any, ...]]:
    """Every record HQ holds: id -> (kind, hash, owner, event, updated_at, payload)."""
    with store.Session() as s:
        return {r.id: (r.kind, r.content_hash, r.device_id, r.event_id, r.updated_at, r.payload)
                for r in s.scalars(select(RecordRow))}


def hq_own_rows(store: HqStore) -> dict[str, tuple[Any, ...]]:
    return {k: v for k, v in hq_rows(store).items() if v[2] == HQ_DEVICE}


def package_body(store: HqStore, event_id: str) -> dict[str, Any]:
    _signer, body = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    return body


def post_records(client: TestClient, token: str, records: list[Any]) -> list[dict[str, Any]]:
    answer = client.post(f"{API}/records", headers=bearer(token), json={"records": records})
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    assert len(results) == len(records)
    return results


def post_raw(client: TestClient, token: str, body: bytes,
             path: str = "/records") -> httpx.Response:
    return client.post(f"{API}{path}", headers={**bearer(token),
                                                "Content-Type": "application/json"},
                       content=body)


def deep_record_text(kind: str, payload: dict[str, Any], field: str, depth: int) -> str:
    """A record whose ``field`` is ``depth`` nested lists, with its correct hash (built as
    text: json.dumps itself would recurse too deeply)."""
    marker = "@@NESTED@@"
    canonical = canonical_json(dict(payload, **{field: marker}))
    canonical = canonical.replace(f'"{marker}"'.encode(), b"[" * depth + b"]" * depth)
    digest = hashlib.sha256(canonical).hexdigest()
    return (f'{{"kind":{json.dumps(kind)},"id":{json.dumps(payload["id"])},'
            f'"hash":"{digest}","payload":{canonical.decode("utf-8")}}}')


def records_body(*texts: str) -> bytes:
    return ('{"records":[' + ",".join(texts) + "]}").encode("utf-8")


def guard_payload(event_id: str, **values: Any) -> dict[str, Any]:
    """A guard the laptop adds itself (its own row)."""
    fields: dict[str, Any] = {"id": str(uuid.uuid4()), "event_id": event_id, "name": "张三",
                              "cert_no": "辽700000009999", "cert_key": "700000009999"}
    return full_payload("guard", **{**fields, **values})


def demo_with_laptop(store: HqStore, client: TestClient) -> tuple[str, str, str, dict]:
    """HQ's demo event and register; a laptop that pulled the event over HTTP."""
    event_id = store.add_demo_event()
    device_id, token, _key = enrol_device(store)
    pulled = client.get(f"{API}/events/{event_id}/package", headers=bearer(token))
    assert pulled.status_code == 200
    _signer, body = read_signed(pulled.content, PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    return event_id, device_id, token, body


# ---------------------------------------------------------------------- item 1
def write_roster_csv(path: Path, company: str, count: int = 6) -> Path:
    from tests.helpers.badges import HEADER, valid_id

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(1, count + 1):
            writer.writerow([n, f"保安{n:03d}", "男", valid_id(n), f"辽{710000000000 + n}",
                             company, f"A区{n % 2 + 1}号安检口", "安检", "13912345678", "通过",
                             "已培训"])
    return path


@pytest.mark.slow
def test_add_event_keeps_hqs_record_of_a_registered_company(tmp_path: Path) -> None:
    """``hq add-event --roster R.csv`` for a company in HQ's register links the event to
    HQ's record and leaves it exactly as it was (licence, credit grade, black list): it used
    to be overwritten with the laptop form's empty defaults, and the black-listed company
    came back in the recommendations. A company HQ does not hold yet is created."""
    from app.hq import standing

    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    store = HqStore(url)
    company_id = str(uuid.uuid4())
    register = Record.of("company", full_payload(
        "company", id=company_id, name=REGISTERED, licence_no=REGISTERED_LICENCE,
        credit_grade="C", blacklisted=True, device_id="hq-profile"))
    assert store.ingest(HQ_DEVICE, [register.as_json()])[0]["status"] == "stored"
    before = hq_rows(store)[company_id]
    store.close()

    env = key_passphrase_env(tmp_path)
    roster = write_roster_csv(tmp_path / "R.csv", REGISTERED)
    added = run_app("hq", "add-event", "--db", url, "--roster", str(roster), "--name",
                    "夜场演出", "--company", REGISTERED, "--licence", "伪造执照", extra_env=env)
    summary = last_json(added.stdout)
    assert "register" in str(summary["roster"]["company_note"])  # type: ignore[index]
    event_id = str(summary["event_id"])

    store = HqStore(url)
    try:
        assert hq_rows(store)[company_id] == before  # not a byte changed
        with store.Session() as s:
            event = s.get(RecordRow, event_id)
            assert event is not None and json.loads(event.payload)["company_id"] == company_id
            kept = next(c for c in standing.company_standing(s) if c["name"] == REGISTERED)
            assert (kept["blacklisted"], kept["credit_grade"], kept["licence_no"]) == (
                True, "C", REGISTERED_LICENCE)
            recommended = standing.recommend(s, attendance=100, risk="low")
        assert REGISTERED not in {c["name"] for c in recommended["companies"]}
        assert store.stats()["companies"] == 1
    finally:
        store.close()

    new = write_roster_csv(tmp_path / "new.csv", "新成立保安服务有限公司")
    second = last_json(run_app("hq", "add-event", "--db", url, "--roster", str(new), "--name",
                               "新公司的活动", "--licence", "辽公保服20260001",
                               extra_env=env).stdout)
    assert "company_note" not in second["roster"]  # type: ignore[operator]
    store = HqStore(url)
    try:
        assert store.stats()["companies"] == 2
        assert hq_rows(store)[company_id] == before
        with store.Session() as s:
            created = next(c for c in standing.company_standing(s)
                           if c["name"] == "新成立保安服务有限公司")
        assert created["licence_no"] == "辽公保服20260001" and not created["blacklisted"]
    finally:
        store.close()


# ---------------------------------------------------------------------- item 2
def test_a_record_keeps_the_kind_it_arrived_with(hq: tuple[HqStore, TestClient]) -> None:
    """An HQ company's id sent as a guard, an HQ event's id as a post (hashes correct): each
    refused alone; the company stays in /companies, the event in /events with its package."""
    store, client = hq
    event_id, device_id, token, body = demo_with_laptop(store, client)
    company = next(r for r in body["records"] if r["kind"] == "company")
    before = hq_rows(store)
    as_guard = Record.of("guard", guard_payload(event_id, id=company["id"])).as_json()
    as_post = Record.of("post", full_payload("post", id=event_id, event_id=event_id,
                                             name="假岗位", task_type="安检")).as_json()
    mine = inspection(str(uuid.uuid4()), event_id=event_id)
    results = post_records(client, token, [as_guard, as_post, mine])
    assert [r["status"] for r in results] == ["failed", "failed", "stored"]
    assert "kind 'company'" in results[0]["error"]
    assert "kind 'event'" in results[1]["error"]
    after = hq_rows(store)
    assert {k: v for k, v in after.items() if k != mine["id"]} == before

    store.set_staff_password(STAFF_PASSWORD)
    companies = client.get(f"{API}/companies", auth=("staff", STAFF_PASSWORD)).json()
    assert company["payload"]["name"] in {c["name"] for c in companies["companies"]}
    events = client.get(f"{API}/events", headers=bearer(token)).json()["events"]
    assert [e["id"] for e in events] == [event_id]
    assert client.get(f"{API}/events/{event_id}/package",
                      headers=bearer(token)).status_code == 200

    # The laptop's own records too: an inspection stays an inspection, even for its maker.
    as_finding = Record.of("finding", full_payload(
        "finding", id=mine["id"], event_id=event_id, category="badge",
        item_code="X")).as_json()
    result = post_records(client, token, [as_finding])[0]
    assert result["status"] == "failed" and "kind 'inspection'" in result["error"]
    assert hq_rows(store)[mine["id"]][0] == "inspection"
    # ...and within one batch: the first copy of a new id fixes its kind.
    fresh = inspection(str(uuid.uuid4()), event_id=event_id)
    switched = Record.of("finding", full_payload(
        "finding", id=fresh["id"], event_id=event_id, category="badge",
        item_code="X")).as_json()
    results = post_records(client, token, [fresh, switched])
    assert [r["status"] for r in results] == ["stored", "failed"]
    assert hq_rows(store)[fresh["id"]][:2] == ("inspection", fresh["hash"])


# ---------------------------------------------------------------------- item 3
def test_what_one_laptop_sends_never_changes_what_another_pulls(
        hq: tuple[HqStore, TestClient], tmp_path: Path) -> None:
    """Laptop A took the event down and sends HQ's guard back with name null, with a field
    missing, nested 985 levels deep, and with a plausible change: the broken ones are refused
    alone, the change is kept as A's proposal, HQ's rows are untouched, and laptop B's pull
    afterwards applies HQ's roster without a traceback."""
    from app.profile.db import Database
    from app.profile.models import Guard
    from app.sync.client import SyncService

    store, client = hq
    event_id, _device_a, token_a, body = demo_with_laptop(store, client)
    guard = next(r for r in body["records"] if r["kind"] == "guard")
    hq_before = hq_own_rows(store)
    package_before = [(r["id"], r["hash"]) for r in package_body(store, event_id)["records"]]

    no_name = Record.of("guard", dict(guard["payload"], name=None)).as_json()
    missing = dict(guard["payload"])
    del missing["phone"]
    missing_record = Record.of("guard", missing).as_json()
    changed = Record.of("guard", dict(guard["payload"], phone="13900000000",
                                      updated_at=stamp(60))).as_json()
    mine = inspection(str(uuid.uuid4()), event_id=event_id)
    answer = post_raw(client, token_a, records_body(
        json.dumps(no_name), json.dumps(missing_record),
        deep_record_text("guard", guard["payload"], "name", 985),
        json.dumps(changed), json.dumps(mine)))
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["failed", "failed", "failed", "stored", "stored"]
    assert "'name'" in results[0]["error"] and "empty" in results[0]["error"]
    assert "'phone'" in results[1]["error"] and "missing" in results[1]["error"]
    assert "nested" in results[2]["error"]
    assert "proposal" in results[3]["error"]

    assert hq_own_rows(store) == hq_before  # HQ's rows: not one changed
    assert [(r["id"], r["hash"]) for r in package_body(store, event_id)["records"]] \
        == package_before
    [proposal] = store.proposals(event_id)
    assert proposal["record_id"] == guard["id"] and proposal["changes"] == {
        "phone": [guard["payload"]["phone"], "13900000000"]}

    db = Database(tmp_path / "laptop-b")  # laptop B, afterwards
    try:
        service = SyncService(db)
        service.enrol(HQ_URL, store.create_enrolment_code("王明"))
        summary = service.pull_event(event_id)
        assert summary.created["guard"] == sum(r["kind"] == "guard" for r in body["records"])
        with db.read() as s:
            pulled = s.get(Guard, guard["id"])
            assert pulled is not None
            assert (pulled.name, pulled.phone) == (guard["payload"]["name"],
                                                   guard["payload"]["phone"])
    finally:
        db.close()


def test_a_laptop_writes_only_within_events_it_took_down_or_made(
        hq: tuple[HqStore, TestClient]) -> None:
    """Records of an event the laptop neither took down nor made are refused alone; once it
    pulled the event, they are stored. Another laptop's own event is out of reach."""
    store, client = hq
    event_id = store.add_demo_event()
    device_a, token_a, _ka = enrol_device(store)
    device_b, token_b, _kb = enrol_device(store)
    own_event(store, device_a, "a-event")
    own_b = event_record("b-event", name="乙的活动")

    stranger = inspection(str(uuid.uuid4()), event_id=event_id)
    into_a = Record.of("guard", guard_payload("a-event")).as_json()
    in_own = inspection(str(uuid.uuid4()), event_id="b-event")
    results = post_records(client, token_b, [stranger, into_a, own_b, in_own])
    assert [r["status"] for r in results] == ["failed", "failed", "stored", "stored"]
    assert f"event {event_id}" in results[0]["error"] and "took down" in results[0]["error"]
    assert "a-event" in results[1]["error"]
    assert stranger["id"] not in hq_rows(store) and into_a["id"] not in hq_rows(store)

    assert client.get(f"{API}/events/{event_id}/package",
                      headers=bearer(token_b)).status_code == 200
    assert store.takedowns(event_id) == [device_b]
    assert post_records(client, token_b, [stranger])[0]["status"] == "stored"
    # A check result belongs to its inspection's event.
    check = Record.of("check_result", full_payload(
        "check_result", id=str(uuid.uuid4()), inspection_id=stranger["id"],
        category="person", item_code="P01", compliant=True)).as_json()
    orphan = Record.of("check_result", full_payload(
        "check_result", id=str(uuid.uuid4()), inspection_id="no-such-inspection",
        category="person", item_code="P01", compliant=True)).as_json()
    results = post_records(client, token_a, [check, orphan])
    assert [r["status"] for r in results] == ["failed", "failed"]
    assert "took down" in results[0]["error"] and "must arrive first" in results[1]["error"]
    assert post_records(client, token_b, [check])[0]["status"] == "stored"
    assert hq_rows(store)[check["id"]][3] == event_id
    assert device_a != device_b


@pytest.mark.slow
def test_a_package_handed_over_by_hq_staff_lets_that_laptop_write(tmp_path: Path) -> None:
    """``hq export-package --device ID``: the laptop the stick is for may send records of
    the event; without it (or for another laptop) they are refused. Its change to HQ's guard
    waits in ``hq proposals`` until ``hq accept-proposal`` takes it into HQ's row."""
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    env = key_passphrase_env(tmp_path)
    event_id = str(last_json(run_app("hq", "demo-event", "--db", url, extra_env=env).stdout)
                   ["event_id"])
    store = HqStore(url)
    try:
        laptop, _t, _k = enrol_device(store)
        other, _t2, _k2 = enrol_device(store)
    finally:
        store.close()
    stick = tmp_path / "event.vspkg"
    run_app("hq", "export-package", "--db", url, "--event", event_id, "--out", str(stick),
            "--device", laptop, extra_env=env)
    refused = run_app("hq", "export-package", "--db", url, "--event", event_id, "--out",
                      str(tmp_path / "x.vspkg"), "--device", "no-such-laptop",
                      extra_env=env, check=False)
    assert refused.returncode == 1 and "no enrolled device" in refused.stderr
    assert not (tmp_path / "x.vspkg").exists()
    store = HqStore(url)
    try:
        assert store.takedowns(event_id) == [laptop]
        results = [store.ingest(device, [inspection(str(uuid.uuid4()), event_id=event_id)])[0]
                   for device in (laptop, other)]
        assert [r["status"] for r in results] == ["stored", "failed"]
        guard = next(r for r in hq_own_rows(store).items() if r[1][0] == "guard")
        payload = dict(json.loads(guard[1][5]), phone="13900000000", updated_at=stamp(60))
        change = Record.of("guard", payload).as_json()
        assert store.ingest(laptop, [change])[0]["status"] == "stored"
    finally:
        store.close()

    # HQ staff review the laptop's change and take it into the event's packages.
    listed = last_json(run_app("hq", "proposals", "--db", url, "--event", event_id,
                               extra_env=env).stdout)["proposals"]
    assert [(p["record_id"], p["device_id"]) for p in listed] == [(change["id"], laptop)]
    assert listed[0]["changes"]["phone"][1] == "13900000000"
    run_app("hq", "accept-proposal", "--db", url, "--record", change["id"], "--device",
            laptop, extra_env=env)
    run_app("hq", "export-package", "--db", url, "--event", event_id, "--out", str(stick),
            extra_env=env)
    store = HqStore(url)
    try:
        assert hq_rows(store)[change["id"]][1:3] == (change["hash"], HQ_DEVICE)
        _signer, body = read_signed(stick.read_bytes(), PACKAGE_FORMAT,
                                    lambda _s: store.package_public_key())
    finally:
        store.close()
    carried = next(r for r in body["records"] if r["id"] == change["id"])
    assert carried["hash"] == change["hash"] and carried["payload"]["phone"] == "13900000000"
    assert last_json(run_app("hq", "proposals", "--db", url, extra_env=env).stdout) == {
        "proposals": []}


def good_inspection(event_id: str) -> dict[str, Any]:
    return inspection(str(uuid.uuid4()), event_id=event_id)


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "unknown column": (lambda p: p.update(weather="rain"), "'weather'"),
    "missing column": (lambda p: p.pop("verdict"), "'verdict' is missing"),
    "null in NOT NULL": (lambda p: p.update(verdict=None), "'verdict' is empty"),
    "number for text": (lambda p: p.update(verdict=5), "'verdict' is not text"),
    "text for a whole number": (lambda p: p.update(template_version="1"), "whole number"),
    "true for a whole number": (lambda p: p.update(template_version=True), "whole number"),
    "whole number over 64 bits": (lambda p: p.update(template_version=2 ** 63),
                                  "beyond 64 bits"),
    "text over its length": (lambda p: p.update(scanned_text="x" * 401), "400 characters"),
    "time not parseable": (lambda p: p.update(created_at="yesterday"), "ISO 8601"),
    "time over 40 characters": (lambda p: p.update(
        updated_at="2026-12-12T12:00:00.123456789012345678+00:00"), "too long to be a time"),
    "event id over its length": (lambda p: p.update(event_id="e" * 65), "'event_id'"),
    "NUL in text": (lambda p: p.update(scanned_text="辽20\x000"), "NUL"),
    "object for text": (lambda p: p.update(scanned_text={"a": [1, [2]]}), "not text"),
    "list for text": (lambda p: p.update(verdict=[[[["ok"]]]]), "not text"),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_every_payload_is_checked_against_its_table(
        hq: tuple[HqStore, TestClient], mutation: str) -> None:
    """A payload that does not fit the laptop's inspection table is refused alone, with the
    field named; the records around it in the batch are stored."""
    store, client = hq
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    change, expected = MUTATIONS[mutation]
    payload = good_inspection("event-1")["payload"]
    change(payload)
    bad = Record.of("inspection", payload).as_json()
    before, after = good_inspection("event-1"), good_inspection("event-1")
    results = post_records(client, token, [before, bad, after])
    assert [r["status"] for r in results] == ["stored", "failed", "stored"]
    assert expected in results[1]["error"], results[1]["error"]
    assert bad["id"] not in hq_rows(store)
    assert {before["id"], after["id"]} <= set(hq_rows(store))


def test_hq_prepares_only_what_fits_the_tables(hq: tuple[HqStore, TestClient],
                                               tmp_path: Path) -> None:
    """The same check at HQ itself: an event from a profile whose guard does not fit (a
    name over 100 characters) is refused whole, nothing stored."""
    from app.inspection.values import EventInput
    from app.inspection.workbench import Workbench
    from app.profile.db import Database
    from app.profile.models import Guard

    store, _client = hq
    db = Database(tmp_path / "laptop")
    try:
        event_id = Workbench(db).save_event(EventInput(name="超长姓名", company_name="某公司"))
        with db.begin() as s:
            s.add(Guard(event_id=event_id, name="张" * 101, cert_no="辽1", cert_key="1",
                        device_id=db.device_id))
        with pytest.raises(Exception, match="longer than 100") as refused:
            store.add_event_from_profile(db, event_id)
    finally:
        db.close()
    assert getattr(refused.value, "status", None) == 422
    assert hq_rows(store) == {}


# ---------------------------------------------------------------------- item 11
def check_deep_requests(store: HqStore, client: TestClient) -> None:
    """JSON nested past the parser's limit: 400 with a message, on both record routes; a
    record nested 985 levels inside a batch: refused alone, the others stored."""
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    before = hq_rows(store)
    for path in ("/records", "/records/known"):
        for depth in (990, 995, 5000):
            body = b'{"records":' + b"[" * depth + b"]" * depth + b"}"
            answer = post_raw(client, token, body, path)
            assert answer.status_code in (200, 400), (path, depth, answer.text)
            if answer.status_code == 400:
                assert "nested" in answer.json()["detail"]
            elif path == "/records":
                assert {r["status"] for r in answer.json()["results"]} == {"failed"}
    assert hq_rows(store) == before
    good = good_inspection("event-1")
    deep = deep_record_text("inspection", good_inspection("event-1")["payload"], "verdict",
                            985)
    answer = post_raw(client, token, records_body(deep, json.dumps(good)))
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["failed", "stored"]
    assert "nested" in answer.json()["results"][0]["error"]


def check_lone_surrogates(store: HqStore, client: TestClient) -> None:
    """A lone \\ud800 in a payload's text, in an id, in a kind, in /records/known: refused
    alone (never a 500 that loses the batch)."""
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    good = good_inspection("event-1")
    in_text = good_inspection("event-1")
    text = json.dumps(in_text).replace('"verdict": "ok"', '"verdict": "ok\\ud800"')
    assert text != json.dumps(in_text)
    in_id = dict(good_inspection("event-1"))
    id_text = json.dumps(in_id).replace(in_id["id"], in_id["id"][:-1] + "\\ud800")
    kind_text = json.dumps(good_inspection("event-1")).replace('"inspection"', '"\\ud800"', 1)
    answer = post_raw(client, token, records_body(text, id_text, kind_text, json.dumps(good)))
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["failed", "failed", "failed", "stored"]
    assert "Unicode" in results[0]["error"] and results[1]["id"] is None
    known = post_raw(client, token, ('{"records":[{"id":"a\\ud800","hash":"b\\ud800"},'
                                     f'{{"id":"{good["id"]}","hash":"{good["hash"]}"}}]}}')
                     .encode(), "/records/known")
    assert known.status_code == 200 and known.json() == {"known": [good["id"]]}
    assert in_text["id"] not in hq_rows(store)


def check_over_long_fields(store: HqStore, client: TestClient) -> None:
    """An updated_at over 40 characters, an event_id over 64, an id over 64: refused alone
    (PostgreSQL refused the whole batch with a 500)."""
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    long_time = good_inspection("event-1")["payload"]
    long_time["updated_at"] = "2026-12-12T12:00:00.123456789012345678+00:00"
    long_event = good_inspection("event-1")["payload"]
    long_event["event_id"] = "e" * 65
    long_id = good_inspection("event-1")["payload"]
    long_id["id"] = "i" * 65
    good = good_inspection("event-1")
    results = post_records(client, token, [Record.of("inspection", p).as_json() for p in
                                           (long_time, long_event, long_id)] + [good])
    assert [r["status"] for r in results] == ["failed", "failed", "failed", "stored"]
    assert "updated_at" in results[0]["error"] and "event_id" in results[1]["error"]
    assert "id" in results[2]["error"]


def check_enrol_text(store: HqStore, client: TestClient) -> None:
    """A NUL or a lone surrogate in the enrolment's text: 400 with a message, the code not
    used up."""
    code = store.create_enrolment_code("李建国")
    key = b64encode(raw_public_key(Ed25519PrivateKey.generate()))
    for name in ('"lap\\u0000top"', '"lap\\ud800top"'):
        body = f'{{"code":"{code}","device_name":{name},"device_public_key":"{key}"}}'
        answer = client.post(f"{API}/enrol", content=body.encode(),
                             headers={"Content-Type": "application/json"})
        assert answer.status_code in (400, 422), answer.text
        assert answer.json()["detail"]
    token_body = (f'{{"code":"{code}","device_name":"x","device_public_key":"{key}",'
                  f'"previous_token":"a\\u0000b.c"}}')
    answer = client.post(f"{API}/enrol", content=token_body.encode(),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and "NUL" in answer.json()["detail"]
    assert store.devices() == []
    assert client.post(f"{API}/enrol", json={"code": code, "device_name": "laptop",
                                             "device_public_key": key}).status_code == 200


ITEM_11_CHECKS = (check_deep_requests, check_lone_surrogates, check_over_long_fields,
                  check_enrol_text)


@pytest.mark.parametrize("check", ITEM_11_CHECKS, ids=lambda c: c.__name__)
def test_a_malformed_request_or_record_never_loses_the_batch(
        hq: tuple[HqStore, TestClient], check: Callable[[HqStore, TestClient], None]) -> None:
    store, client = hq
    check(store, client)


# ---------------------------------------------------------------------- item 12b
@pytest.fixture(scope="module")
def hq_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], bytes]:
    """A small package of the demo event (its company, event, 3 posts and their guards) and
    the raw private key HQ signs packages with (the test's own HQ)."""
    folder = tmp_path_factory.mktemp("hq-package")
    store = HqStore(f"sqlite:///{folder / 'hq.sqlite3'}")
    try:
        body = package_body(store, store.add_demo_event())
        key = store.package_key().private_bytes_raw()
    finally:
        store.close()
    posts = [r for r in body["records"] if r["kind"] == "post"][:3]
    kept = {p["id"] for p in posts}
    guards = [r for r in body["records"] if r["kind"] == "guard"
              and r["payload"]["post_id"] in kept][:12]
    body["records"] = [*[r for r in body["records"] if r["kind"] in ("company", "event")],
                       *posts, *guards]
    return body, key


def signed_text(body_text: str, key: bytes) -> bytes:
    """A package signed by HQ's key around a body given as text (which json.dumps could not
    have made: too deep, or with a lone surrogate escaped)."""
    private = Ed25519PrivateKey.from_private_bytes(key)
    signature = private.sign(body_text.encode("utf-8"))
    envelope = {"format": PACKAGE_FORMAT, "version": PROTOCOL_VERSION, "signer": HQ_SIGNER,
                "body": body_text, "signature": b64encode(signature)}
    return gzip.compress(json.dumps(envelope).encode("utf-8"), mtime=0)


def rehash(record: dict[str, Any]) -> None:
    record["hash"] = Record.of(record["kind"], record["payload"]).hash


def first(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(r for r in body["records"] if r["kind"] == kind)


def mutated(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any], bytes], bytes]:
    def make(body: dict[str, Any], key: bytes) -> bytes:
        copied = copy.deepcopy(body)
        change(copied)
        return write_signed(PACKAGE_FORMAT, HQ_SIGNER, copied,
                            Ed25519PrivateKey.from_private_bytes(key))
    return make


def _guard_field(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        guard = first(body, "guard")
        guard["payload"][field] = value
        rehash(guard)
    return change


def _post_field(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        post = first(body, "post")
        post["payload"][field] = value
        rehash(post)
    return change


def _drop_phone(body: dict[str, Any]) -> None:
    guard = first(body, "guard")
    del guard["payload"]["phone"]
    rehash(guard)


def _new_guard(body: dict[str, Any], **values: Any) -> dict[str, Any]:
    guard = copy.deepcopy(first(body, "guard"))
    guard["payload"].update(id=str(uuid.uuid4()), **values)
    guard["id"] = guard["payload"]["id"]
    rehash(guard)
    body["records"].append(guard)
    return guard


def _missing_post(body: dict[str, Any]) -> None:
    _new_guard(body, cert_no="辽799999999999", cert_key="799999999999",
               post_id=str(uuid.uuid4()))


def _missing_company(body: dict[str, Any]) -> None:
    body["records"] = [r for r in body["records"] if r["kind"] != "company"]
    event = first(body, "event")
    event["payload"]["company_id"] = str(uuid.uuid4())
    rehash(event)


def _same_cert_twice(body: dict[str, Any]) -> None:
    _new_guard(body)  # the same event and certificate key as the first guard


def _id_twice_as_two_kinds(body: dict[str, Any]) -> None:
    company = first(body, "company")
    post = copy.deepcopy(first(body, "post"))
    post["payload"].update(id=company["id"], name="重复的岗位")
    post["id"] = company["id"]
    rehash(post)
    body["records"].append(post)


def _a_guards_id_as_a_post(body: dict[str, Any]) -> None:
    guard = first(body, "guard")
    post = copy.deepcopy(first(body, "post"))
    post["payload"].update(id=guard["id"], name="冒名的岗位")
    post["id"] = guard["id"]
    rehash(post)
    body["records"] = [r for r in body["records"] if r["id"] != guard["id"]] + [post]


def _kind(kind: object) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        first(body, "guard")["kind"] = kind
    return change


def _payload_not_an_object(body: dict[str, Any]) -> None:
    first(body, "guard")["payload"] = ["a", "list"]


def _deep(depth: int) -> Callable[[dict[str, Any], bytes], bytes]:
    def make(body: dict[str, Any], key: bytes) -> bytes:
        copied = copy.deepcopy(body)
        first(copied, "guard")["payload"]["name"] = "@@NESTED@@"
        text = json.dumps(copied, ensure_ascii=False, separators=(",", ":"))
        return signed_text(text.replace('"@@NESTED@@"', "[" * depth + "]" * depth), key)
    return make


def _lone_surrogate(body: dict[str, Any], key: bytes) -> bytes:
    copied = copy.deepcopy(body)
    first(copied, "guard")["payload"]["name"] = "@@SURROGATE@@"
    text = json.dumps(copied, separators=(",", ":"))  # ASCII: the escape stays an escape
    return signed_text(text.replace("@@SURROGATE@@", "\\ud800"), key)


MALFORMED_PACKAGES: dict[str, Callable[[dict[str, Any], bytes], bytes]] = {
    "null in NOT NULL": mutated(_guard_field("name", None)),
    "missing field": mutated(_drop_phone),
    "text for a whole number": mutated(_post_field("required_headcount", "3")),
    "text for true/false": mutated(_guard_field("trained", "yes")),
    "whole number over 2**63": mutated(_post_field("required_headcount", 2 ** 63)),
    "whole number far over 2**63": mutated(_post_field("required_headcount", 10 ** 30)),
    "over-long text": mutated(_guard_field("name", "张" * 101)),
    "time not parseable": mutated(_guard_field("created_at", "yesterday")),
    "object for text": mutated(_guard_field("name", {"a": 1})),
    "nested 50 deep": _deep(50),
    "nested 2000 deep": _deep(2000),
    "unknown kind": mutated(_kind("weather")),
    "kind of no package": mutated(_kind("inspection")),
    "kind not text": mutated(_kind(["guard"])),
    "payload not an object": mutated(_payload_not_an_object),
    "missing parent post": mutated(_missing_post),
    "missing company": mutated(_missing_company),
    "duplicate certificate": mutated(_same_cert_twice),
    "one id as two kinds": mutated(_id_twice_as_two_kinds),
    "a guard's id as a post": mutated(_a_guards_id_as_a_post),
    "lone surrogate": _lone_surrogate,
}


def run_cli(*args: str) -> tuple[int, str, str]:
    """``python -m app ARGS`` in this process (the command line's own entry point)."""
    from app.cli.main import main

    umask = os.umask(0o022)
    os.umask(umask)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.umask(umask)
    return code, out.getvalue(), err.getvalue()


def profile_state(folder: Path) -> dict[str, Any]:
    """Every row of every synced table (all columns), the trust lists, the outbox, and the
    files beside the database."""
    from app.profile.db import Database
    from app.profile.models import Outbox, RevokedCertificate, TrustedIssuer

    db = Database(folder)
    state: dict[str, Any] = {}
    try:
        with db.read() as s:
            for kind, model in MODELS.items():
                columns = list(model.__table__.columns)  # type: ignore[attr-defined]
                state[kind] = sorted(tuple(repr(getattr(row, c.key)) for c in columns)
                                     for row in s.scalars(select(model)))
            state["issuers"] = sorted(i.kid for i in s.scalars(select(TrustedIssuer)))
            state["revoked"] = s.scalar(select(func.count()).select_from(RevokedCertificate))
            state["outbox"] = s.scalar(select(func.count()).select_from(Outbox))
    finally:
        db.close()
    state["files"] = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                            if p.is_file() and ".sqlite" not in p.name
                            and not p.name.endswith(("-wal", "-shm")))
    return state


@pytest.fixture
def laptop_with_event(tmp_path: Path, hq_package: tuple[dict[str, Any], bytes],
                      monkeypatch: pytest.MonkeyPatch, qapp: Any) -> Path:
    """An 'enrolled' profile (it knows HQ's package key) that took the good package. (The
    command line run in this process uses the QApplication of the GUI tests, ``qapp``: a
    bare QCoreApplication it would make would stop them making theirs.)"""
    from app.profile.db import Database
    from app.sync.state import HQ_PACKAGE_KEY

    monkeypatch.setenv("VENUE_SUPERVISOR_LANG", "en")
    body, key = hq_package
    profile = tmp_path / "laptop"
    db = Database(profile)
    db.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(
        Ed25519PrivateKey.from_private_bytes(key))))
    db.close()
    good = tmp_path / "good.vspkg"
    good.write_bytes(write_signed(PACKAGE_FORMAT, HQ_SIGNER, body,
                                  Ed25519PrivateKey.from_private_bytes(key)))
    code, out, err = run_cli("--data-dir", str(profile), "import-package", str(good))
    assert code == 0, err
    guards = sum(r["kind"] == "guard" for r in body["records"])
    assert guards > 0 and json.loads(out.strip().splitlines()[-1])["created"]["guard"] == guards
    return profile


@pytest.mark.parametrize("case", sorted(MALFORMED_PACKAGES))
def test_import_package_refuses_a_malformed_signed_package(
        laptop_with_event: Path, hq_package: tuple[dict[str, Any], bytes], tmp_path: Path,
        case: str) -> None:
    """A package HQ's key signed but whose records do not fit the profile's tables: exit 2
    with a message (never a traceback), and the profile exactly as it was."""
    body, key = hq_package
    path = tmp_path / "malformed.vspkg"
    path.write_bytes(MALFORMED_PACKAGES[case](body, key))
    before = profile_state(laptop_with_event)
    code, out, err = run_cli("--data-dir", str(laptop_with_event), "import-package", str(path))
    assert code == 2, (code, out, err)
    assert "The event package" in err and "Traceback" not in err, err
    assert profile_state(laptop_with_event) == before


def test_payload_problem_is_the_one_check_on_both_sides() -> None:
    """app.sync.records.payload_problem answers for every kind the laptop's tables have, and
    takes any JSON value without failing."""
    for kind in MODELS:
        payload = full_payload(kind, id=str(uuid.uuid4()))
        for key in payload:
            if key.endswith("_id") and payload[key] == "":
                payload[key] = str(uuid.uuid4())
        assert payload_problem(kind, payload) is None, (kind, payload_problem(kind, payload))
    for value in (None, [], "x", 1, {"id": 1}, {"\ud800": 1}):
        assert payload_problem("guard", value)
    assert payload_problem(["guard"], {})  # type: ignore[arg-type]


@pytest.mark.slow
def test_import_package_command_refuses_in_a_child_process(
        laptop_with_event: Path, hq_package: tuple[dict[str, Any], bytes],
        tmp_path: Path) -> None:
    """The same through ``python -m app import-package`` as a supervisor types it."""
    body, key = hq_package
    for case in ("nested 2000 deep", "whole number far over 2**63", "duplicate certificate",
                 "null in NOT NULL"):
        path = tmp_path / "malformed.vspkg"
        path.write_bytes(MALFORMED_PACKAGES[case](body, key))
        before = profile_state(laptop_with_event)
        result = run_app("--data-dir", str(laptop_with_event), "import-package", str(path),
                         check=False)
        assert result.returncode == 2, (case, result.stderr)
        assert "The event package" in result.stderr and "Traceback" not in result.stderr
        assert profile_state(laptop_with_event) == before

"""The checks of tests/test_trust_ingest.py on PostgreSQL, the database HQ is meant to run on:
there an ``updated_at`` over 40 characters, an ``event_id`` over 64 or a NUL in a device name
made the database refuse the whole batch (a 500). Skipped when no PostgreSQL server is
installed (failed instead under CI; see tests/helpers/postgres.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.hq.store import HqStore
from tests.test_hq_store import enrol_device, inspection, own_event
from tests.test_trust_ingest import (
    ITEM_11_CHECKS,
    bearer,
    hq_own_rows,
    post_records,
    serving,
)


@pytest.fixture
def hq_pg(postgres_db: str,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[HqStore, TestClient]]:
    store = HqStore(postgres_db)
    with serving(store, monkeypatch) as client:
        yield store, client
    store.close()


@pytest.mark.parametrize("check", ITEM_11_CHECKS, ids=lambda c: c.__name__)
def test_a_malformed_request_or_record_never_loses_the_batch_on_postgresql(
        hq_pg: tuple[HqStore, TestClient],
        check: Callable[[HqStore, TestClient], None]) -> None:
    store, client = hq_pg
    check(store, client)


def test_scope_kind_and_proposals_on_postgresql(hq_pg: tuple[HqStore, TestClient]) -> None:
    """A laptop's records of an event it did not take down, an HQ id under another kind and
    a change to HQ's guard (kept as a proposal): the same outcomes on PostgreSQL."""
    store, client = hq_pg
    event_id = store.add_demo_event()
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    hq_before = hq_own_rows(store)
    stranger = inspection(str(uuid.uuid4()), event_id=event_id)
    mine = inspection(str(uuid.uuid4()), event_id="event-1")
    results = post_records(client, token, [stranger, mine])
    assert [r["status"] for r in results] == ["failed", "stored"]
    package = client.get(f"/api/v1/events/{event_id}/package", headers=bearer(token))
    assert package.status_code == 200
    assert post_records(client, token, [stranger])[0]["status"] == "stored"
    from app.sync.protocol import PACKAGE_FORMAT, Record, read_signed

    _signer, body = read_signed(package.content, PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    guard = next(r for r in body["records"] if r["kind"] == "guard")
    company = next(r for r in body["records"] if r["kind"] == "company")
    changed = Record.of("guard", dict(guard["payload"], phone="13900000000")).as_json()
    as_guard = Record.of("guard", dict(guard["payload"], id=company["id"])).as_json()
    results = post_records(client, token, [changed, as_guard])
    assert [r["status"] for r in results] == ["stored", "failed"]
    assert "proposal" in results[0]["error"] and "kind 'company'" in results[1]["error"]
    assert hq_own_rows(store) == hq_before
    assert [p["record_id"] for p in store.proposals(event_id)] == [guard["id"]]

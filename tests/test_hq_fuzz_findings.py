"""What the fuzzing of HQ's API (tests/test_fuzz_hq_api.py) found, each as the smallest
request that showed it, against the app through FastAPI's TestClient.

* ``GET /api/v1/evaluations/%00/pdf`` answered 500 on PostgreSQL (it refuses NUL in text;
  the route looked the id up as it came): a NUL anywhere in the address is now refused with
  400 before any route sees it (app.hq.server.PlainAddress).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import API_PREFIX

STAFF_PASSWORD = "correct horse battery"
NUL_ADDRESSES = [f"{API_PREFIX}/evaluations/%00/pdf", f"{API_PREFIX}/evaluations/a%00b/pdf",
                 f"{API_PREFIX}/evaluations?event_id=%00", f"{API_PREFIX}/evaluations?company=x%00",
                 "/events/%00", f"{API_PREFIX}/recommendations?attendance=1&risk=low&count=%00"]


def _client(store: HqStore) -> Iterator[TestClient]:
    store.set_staff_password(STAFF_PASSWORD)
    with TestClient(create_app(store), raise_server_exceptions=False) as client:
        client.auth = ("staff", STAFF_PASSWORD)
        yield client


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield from _client(store)
    store.close()


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_a_nul_in_the_address_is_refused_before_any_route(client: TestClient,
                                                          address: str) -> None:
    answer = client.get(address)
    assert answer.status_code == 400
    assert answer.json() == {"detail": "the address holds a NUL character"}


def test_addresses_without_a_nul_still_reach_their_routes(client: TestClient) -> None:
    assert client.get(f"{API_PREFIX}/evaluations/no-such/pdf").status_code == 404
    assert client.get(f"{API_PREFIX}/evaluations?event_id=%2500").json() == {"evaluations": []}
    assert client.get(f"{API_PREFIX}/companies").status_code == 200


@pytest.mark.slow
def test_a_nul_in_an_evaluation_address_on_postgresql(postgres_db: str) -> None:
    """Where it answered 500: PostgreSQL itself refuses the NUL."""
    store = HqStore(postgres_db)
    try:
        for client in _client(store):
            for address in NUL_ADDRESSES:
                assert client.get(address).status_code == 400, address
            assert client.get(f"{API_PREFIX}/evaluations/no-such/pdf").status_code == 404
    finally:
        store.close()

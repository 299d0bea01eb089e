"""HQ's doors hold against an outsider: every request body is bounded before it is read
(issue: an unauthenticated enrolment read a 256 MB body whole), and failed staff sign-ins
are limited (issue: 84 wrong tries, all answered 401)."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.hq.server import MAX_REQUEST_BYTES, MAX_SMALL_REQUEST_BYTES, create_app
from app.hq.store import HqStore
from app.hq.throttle import MAX_FAILURES, WINDOW_S, SignInThrottle
from app.sync.protocol import API_PREFIX
from tests.helpers.hq_process import HqProcess

STAFF_PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path):
    hq = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield hq
    hq.close()


@pytest.fixture
def client(store: HqStore):
    with TestClient(create_app(store)) as test_client:
        yield test_client


def stored_counts(store: HqStore) -> dict[str, int]:
    return store.stats()


def test_a_large_enrolment_body_is_refused_before_it_is_read(client, store) -> None:
    before = stored_counts(store)
    answer = client.post(f"{API_PREFIX}/enrol", content=b"{" + b" " * (2 * 1024 * 1024),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "larger than 1 MB" in answer.json()["detail"]
    assert stored_counts(store) == before


def test_a_body_that_lies_about_its_length_is_cut_off(client) -> None:
    def chunks():  # no Content-Length: a stream that goes on
        for _ in range(64):
            yield b" " * (64 * 1024)

    answer = client.post(f"{API_PREFIX}/enrol", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413


def test_the_record_routes_keep_their_batch_limit(client) -> None:
    assert MAX_REQUEST_BYTES > MAX_SMALL_REQUEST_BYTES
    # Within the batch limit the request reaches the route, which asks for a token.
    answer = client.post(f"{API_PREFIX}/records", content=b"{}" + b" " * (2 * 1024 * 1024))
    assert answer.status_code == 401
    answer = client.post(f"{API_PREFIX}/records",
                         content=b" " * (MAX_REQUEST_BYTES + 1))
    assert answer.status_code == 413


def test_a_small_enrolment_still_reaches_its_route(client) -> None:
    answer = client.post(f"{API_PREFIX}/enrol", json={"code": "nope",
                                                      "device_public_key": "AAAA"})
    assert answer.status_code in (400, 403, 404)  # refused by the enrolment, not the size


@pytest.mark.slow
def test_a_256_mb_body_leaves_the_real_server_small(tmp_path: Path) -> None:
    """Against ``hq serve``: the peak memory of the server process stays far from what the
    body would take (measured from /proc: VmHWM, the process's peak resident size)."""
    hq = HqProcess(f"sqlite:///{tmp_path / 'hq.sqlite3'}", tmp_path).start()
    try:
        assert hq.process is not None
        host, port = hq.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.putrequest("POST", f"{API_PREFIX}/enrol")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        block = b" " * (1024 * 1024)
        sent = 0
        try:
            for _ in range(256):
                connection.send(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what it should do
        status = connection.getresponse().status
        connection.close()
        status_file = Path(f"/proc/{hq.process.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status_file.splitlines()
                           if line.startswith("VmHWM:")))
        print(f"HQ peak resident size {peak_kb // 1024} MB after {sent // 1024 // 1024} MB sent")
        assert status == 413
        assert peak_kb < 300 * 1024, f"HQ peaked at {peak_kb // 1024} MB"
    finally:
        hq.stop()


def test_failed_sign_ins_are_limited(client, store) -> None:
    store.set_staff_password(STAFF_PASSWORD)
    for _ in range(MAX_FAILURES):
        assert client.get("/", auth=("staff", "guess")).status_code == 401
    blocked = client.get("/", auth=("staff", "guess"))
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Locked out means locked out: the right password waits too, from that address.
    assert client.get("/", auth=("staff", STAFF_PASSWORD)).status_code == 429
    # A browser's first visit (no password yet) is asked to sign in, not counted.
    assert client.get("/").status_code == 401


def test_the_throttle_forgets_after_its_window_and_on_success() -> None:
    now = [1000.0]
    throttle = SignInThrottle(clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        assert throttle.retry_after("10.0.0.9", "staff") == 0
        throttle.failed("10.0.0.9", "staff")
    assert throttle.retry_after("10.0.0.9", "staff") > 0
    assert throttle.retry_after("10.0.0.7", "staff") > 0  # the user name is limited too
    assert throttle.retry_after("10.0.0.7", "other") == 0
    now[0] += WINDOW_S + 1
    assert throttle.retry_after("10.0.0.9", "staff") == 0
    throttle.failed("10.0.0.9", "staff")
    throttle.succeeded("10.0.0.9", "staff")
    assert throttle.retry_after("10.0.0.9", "staff") == 0

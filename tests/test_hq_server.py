"""HQ's HTTP API through FastAPI's TestClient, and the ``python -m app hq`` commands as
subprocesses (the service itself on loopback, plain and over TLS)."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import (
    BUNDLE_FORMAT,
    PACKAGE_FORMAT,
    b64encode,
    raw_public_key,
    read_signed,
    write_signed,
)
from tests.helpers.hq_process import key_passphrase_env
from tests.test_hq_store import (
    CODE_SHAPE,
    enrol_device,
    event_record,
    inspection,
    make_store,
    own_event,
    stamp,
)

REPO = Path(__file__).resolve().parent.parent
API = "/api/v1"


@pytest.fixture
def store(tmp_path: Path):
    hq = make_store(tmp_path)
    yield hq
    hq.close()


@pytest.fixture
def client(store: HqStore):
    with TestClient(create_app(store)) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def run_hq(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "app", "hq", *args], cwd=REPO,
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    if check:
        assert result.returncode == 0, result.stderr
    return result


# ---------------------------------------------------------------------- the API
def test_enrol_over_http(client: TestClient, store: HqStore) -> None:
    code = store.create_enrolment_code("李建国")
    request = {"code": code, "device_name": "笔记本",
               "device_public_key": b64encode(raw_public_key(Ed25519PrivateKey.generate())),
               "signing_certificate_pem": None}
    answer = client.post(f"{API}/enrol", json=request)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"device_id", "token", "supervisor", "hq_name", "package_public_key"}
    assert store.authenticate(body["token"]).id == body["device_id"]
    again = client.post(f"{API}/enrol", json=request)
    assert again.status_code == 403 and "used already" in again.json()["detail"]
    malformed = client.post(f"{API}/enrol", json={"code": code})
    assert malformed.status_code == 400 and isinstance(malformed.json()["detail"], str)


def test_tokens(client: TestClient, store: HqStore) -> None:
    device_id, token, _key = enrol_device(store)
    assert client.get(f"{API}/stats").status_code == 401
    no_token = client.get(f"{API}/events")
    assert no_token.status_code == 401 and "token" in no_token.json()["detail"]
    wrong = client.get(f"{API}/stats", headers=bearer(f"{device_id}.not-the-secret"))
    assert wrong.status_code == 401
    assert client.get(f"{API}/stats", headers=bearer(token)).status_code == 200
    store.revoke_device(device_id)
    revoked = client.post(f"{API}/records", headers=bearer(token), json={"records": []})
    assert revoked.status_code == 403 and "revoked" in revoked.json()["detail"]


def test_records_known_and_limits(client: TestClient, store: HqStore) -> None:
    device_id, token, _key = enrol_device(store)
    own_event(store, device_id)
    bad = inspection("bad")
    bad["hash"] = "f" * 64
    answer = client.post(f"{API}/records", headers=bearer(token),
                         json={"records": [inspection("a"), bad, inspection("b")]})
    assert answer.status_code == 200
    assert [(r["id"], r["status"]) for r in answer.json()["results"]] == [
        ("a", "stored"), ("bad", "failed"), ("b", "stored")]
    resend = client.post(f"{API}/records", headers=bearer(token),
                         json={"records": [inspection("a")]})
    assert resend.json()["results"][0]["status"] == "present"
    known = client.post(f"{API}/records/known", headers=bearer(token), json={"records": [
        {"id": "a", "hash": inspection("a")["hash"]}, {"id": "b", "hash": "0" * 64},
        {"id": "zzz", "hash": "0" * 64}]})
    assert known.json() == {"known": ["a"]}
    too_many = client.post(f"{API}/records", headers=bearer(token),
                           json={"records": [inspection(f"x{i}") for i in range(1001)]})
    assert too_many.status_code == 413
    not_json = client.post(f"{API}/records", headers=bearer(token), content=b"{nope")
    assert not_json.status_code == 400 and "JSON" in not_json.json()["detail"]
    huge = client.post(f"{API}/records", headers=bearer(token),
                       content=b" " * (18 * 1024 * 1024))
    assert huge.status_code == 413
    assert store.stats()["inspections"] == 2


def test_certificate_registration_over_http(client: TestClient, store: HqStore) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def certificate(name: str) -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        from datetime import UTC, datetime, timedelta

        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                .public_key(key.public_key()).serial_number(1).not_valid_before(now)
                .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    _device_id, token, _key = enrol_device(store)
    mine = certificate("李建国")
    url = f"{API}/devices/me/certificate"
    first = client.post(url, headers=bearer(token), json={"signing_certificate_pem": mine})
    assert first.json() == {"status": "registered"}
    again = client.post(url, headers=bearer(token), json={"signing_certificate_pem": mine})
    assert again.json() == {"status": "unchanged"}
    other = client.post(url, headers=bearer(token),
                        json={"signing_certificate_pem": certificate("别人")})
    assert other.status_code == 409


def test_events_and_packages(client: TestClient, store: HqStore) -> None:
    _device_id, token, _key = enrol_device(store)
    event_id = store.add_demo_event()
    events = client.get(f"{API}/events", headers=bearer(token)).json()["events"]
    assert [e["id"] for e in events] == [event_id]
    assert set(events[0]) == {"id", "name", "venue", "starts_at", "company_name", "guards",
                              "posts"}
    package = client.get(f"{API}/events/{event_id}/package", headers=bearer(token))
    assert package.status_code == 200
    assert not package.headers["content-type"].startswith("application/json")
    _signer, body = read_signed(package.content, PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    assert body["event_id"] == event_id
    missing = client.get(f"{API}/events/nothing/package", headers=bearer(token))
    assert missing.status_code == 404 and "nothing" in missing.json()["detail"]


# ---------------------------------------------------------------------- the commands
@pytest.mark.slow  # starts a process
def test_stats_and_enrol_code_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    output = run_hq("enrol-code", "--db", url, "--supervisor", "李建国").stdout
    code = output.strip().splitlines()[-1]
    assert CODE_SHAPE.fullmatch(code)
    store = HqStore(url)
    try:
        store.enrol(code, "laptop", raw_public_key(Ed25519PrivateKey.generate()))
    finally:
        store.close()
    stats = json.loads(run_hq("stats", "--db", url).stdout)
    assert stats["devices"] == 1 and stats["events"] == 0 and stats["signed_pdfs"] == 0
    assert {"companies", "guards", "check_results", "post_statuses", "evaluations"} <= set(stats)


@pytest.mark.slow  # starts a process
def test_import_bundle_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    store = HqStore(url)
    device_id, _token, key = enrol_device(store)
    store.close()
    body = {"device_id": device_id, "created_at": stamp(),
            "records": [event_record(), inspection("u1"), inspection("u2")]}
    bundle = tmp_path / "laptop.vsbundle"
    bundle.write_bytes(write_signed(BUNDLE_FORMAT, device_id, body, key))
    first = json.loads(run_hq("import-bundle", "--db", url, str(bundle)).stdout)
    assert first == {"stored": 3, "present": 0, "failed": 0, "errors": []}
    second = json.loads(run_hq("import-bundle", "--db", url, str(bundle)).stdout)
    assert second == {"stored": 0, "present": 3, "failed": 0, "errors": []}
    tampered = tmp_path / "tampered.vsbundle"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered.write_bytes(bytes(data))
    refused = run_hq("import-bundle", "--db", url, str(tampered), check=False)
    assert refused.returncode != 0
    assert "bundle" in refused.stderr and "Traceback" not in refused.stderr
    bad_record = dict(inspection("u3"), hash="0" * 64)
    partly = tmp_path / "partly.vsbundle"
    partly.write_bytes(write_signed(BUNDLE_FORMAT, device_id,
                                    dict(body, records=[bad_record]), key))
    failed = run_hq("import-bundle", "--db", url, str(partly), check=False)
    assert failed.returncode != 0 and json.loads(failed.stdout)["failed"] == 1


def _serve(tmp_path: Path, url: str, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    ready = tmp_path / "ready"
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "hq", "serve", "--db", url, "--port", "0",
         "--ready-file", str(ready), *extra], cwd=REPO, stdout=log, stderr=log,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **key_passphrase_env(tmp_path)))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ready.exists() and ready.read_text().strip():
            return process, ready.read_text().strip()
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise AssertionError((tmp_path / "serve.log").read_text(errors="replace"))


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _enrolled_token(url: str) -> str:
    store = HqStore(url)
    try:
        return enrol_device(store)[1]
    finally:
        store.close()


@pytest.mark.slow  # starts a process
def test_serve_on_any_free_port(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    token = _enrolled_token(url)
    process, base = _serve(tmp_path, url)
    try:
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        with httpx.Client(base_url=base + API, trust_env=False) as http:
            assert http.get("/stats").status_code == 401
            answer = http.get("/stats", headers=bearer(token))
            assert answer.status_code == 200 and answer.json()["devices"] == 1
    finally:
        _stop(process)


@pytest.mark.slow  # starts a process
def test_serve_over_tls_with_a_made_certificate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    cert, key = tmp_path / "hq.pem", tmp_path / "hq.key"
    made = json.loads(run_hq("make-cert", "--db", url, "--cert", str(cert), "--key", str(key),
                             "--host", "hq.example").stdout)
    assert len(made["sha256"]) == 64 and "127.0.0.1" in made["hosts"]
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    token = _enrolled_token(url)
    process, base = _serve(tmp_path, url, "--cert", str(cert), "--key", str(key))
    try:
        assert base.startswith("https://127.0.0.1:")
        context = ssl.create_default_context(cafile=str(cert))
        with httpx.Client(base_url=base + API, verify=context, trust_env=False) as http:
            answer = http.get("/stats", headers=bearer(token))
            assert answer.status_code == 200 and answer.json()["devices"] == 1
        with httpx.Client(base_url=base + API, trust_env=False) as http, \
                pytest.raises(httpx.ConnectError):
            http.get("/stats")  # not a publicly trusted certificate
    finally:
        _stop(process)




@pytest.mark.slow  # starts a process
def test_staff_password_command_opens_the_read_pages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    secret = tmp_path / "pw.txt"
    secret.write_text("short\n", encoding="utf-8")
    refused = subprocess.run([sys.executable, "-m", "app", "hq", "staff-password", "--db", url,
                              "--password-file", str(secret)], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode != 0 and "8 characters" in refused.stderr
    secret.write_text("staff password 1\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "app", "hq", "staff-password", "--db", url,
                    "--password-file", str(secret)], check=True, capture_output=True,
                   timeout=120)
    store = HqStore(url)
    try:
        with TestClient(create_app(store)) as client:
            assert client.get("/companies").status_code == 401
            assert client.get("/companies", auth=("x", "staff password 1")).status_code == 200
    finally:
        store.close()

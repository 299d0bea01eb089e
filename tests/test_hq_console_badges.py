"""HQ's console (issue 14): badges issued from the browser with HQ's own issuer key (sealed in
the key ring), and the trust and revocation lists it exports, read back by the laptop's
importers (app.badge.trust_lists) and verified with app.badge.verify."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.badge.trust_lists import MemoryTrustStore, load_revocations, load_trust_list
from app.badge.verify import BadgeVerdict, verify
from app.hq import badges
from app.hq.models import AuditEntry, HqSetting, RevokedCertificate, TrustIssuer
from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import PACKAGE_FORMAT, read_signed
from tests.helpers.badges import write_roster
from tests.helpers.hq_console import (
    add_accounts,
    console_client,
    sign_in,
)

PASSPHRASE = b"a long HQ key passphrase"


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    store.unlock_keys(PASSPHRASE)  # as `hq serve` with --key-passphrase-file
    add_accounts(store)
    store.add_demo_event()  # the demo issuer trusted, one demo certificate revoked
    yield store
    store.close()


@pytest.fixture
def event_id(hq: HqStore, tmp_path: Path) -> str:
    """A small event HQ prepared from a roster of five guards."""
    found, summary = hq.add_event(write_roster(tmp_path / "roster.xlsx", 5), "证件签发测试活动")
    assert summary["error_count"] == 0
    return found


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:
    with console_client(hq) as test_client:
        yield test_client




def stored(hq: HqStore) -> tuple[int, int, int]:
    with hq.Session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(table)) or 0)
                     for table in (AuditEntry, TrustIssuer, HqSetting))  # type: ignore[return-value]


def issue(client: TestClient, event_id: str, csrf: str | None, days: str = "30"
          ) -> httpx.Response:
    data = {"valid_days": days} if csrf is None else {"valid_days": days, "csrf": csrf}
    return client.post(f"/console/events/{quote(event_id, safe='')}/badges", data=data,
                       follow_redirects=False)


def exported(client: TestClient, folder: Path) -> MemoryTrustStore:
    """The trust and revocation lists as the console exports them, read by the laptop's
    importers."""
    trust = client.get("/console/badges/trust-list")
    revoked = client.get("/console/badges/revocation-list")
    assert trust.status_code == revoked.status_code == 200
    assert "attachment" in trust.headers["content-disposition"]
    (folder / "trust-list.json").write_bytes(trust.content)
    (folder / "revoked.txt").write_bytes(revoked.content)
    return MemoryTrustStore.from_files(folder / "trust-list.json", folder / "revoked.txt")


def test_the_lists_round_trip_through_the_laptops_readers(
        hq: HqStore, client: TestClient, tmp_path: Path) -> None:
    sign_in(client, "viewer-zhao")
    page = client.get("/console/badges")
    assert page.status_code == 200
    with hq.Session() as s:
        issuers = {r.kid: r for r in s.scalars(select(TrustIssuer))}
        revoked = set(s.scalars(select(RevokedCertificate.cert_key)))
    assert issuers and revoked
    for kid in issuers:
        assert f'data-kid="{kid}"' in page.text
    assert re.search(rf'id="revoked-count">{len(revoked)}<', page.text)
    exported(client, tmp_path)
    read = load_trust_list(tmp_path / "trust-list.json")
    assert {(i.kid, i.name, i.public_key, i.valid_from, i.valid_until) for i in read} == {
        (r.kid, r.name, bytes(r.public_key), r.valid_from, r.valid_until)
        for r in issuers.values()}
    assert load_revocations(tmp_path / "revoked.txt") == (revoked, set())
    # Not signed in: nothing to download.
    client.cookies.clear()
    assert client.get("/console/badges/trust-list", follow_redirects=False).status_code == 303


def test_issued_badges_verify_with_the_exported_list_until_revoked_in_the_console(
        hq: HqStore, client: TestClient, event_id: str, tmp_path: Path) -> None:
    csrf = sign_in(client, "staff-wang")
    assert badges.issuer_kid(hq.db) is None  # made on first use
    answer = issue(client, event_id, csrf, "30")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/console/events/{event_id}/badges"
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert re.search(r'id="issued-count">5<', page.text)
    assert re.search(r'id="skipped-count">0<', page.text)
    kid = badges.issuer_kid(hq.db)
    assert kid and kid in page.text
    pdf = client.get(f"/console/events/{event_id}/badges/badges.pdf")
    posts = client.get(f"/console/events/{event_id}/badges/posts.pdf")
    assert pdf.status_code == posts.status_code == 200
    assert pdf.content.startswith(b"%PDF") and posts.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    manifest = client.get(f"/console/events/{event_id}/badges/manifest.csv")
    rows = list(csv.DictReader(io.StringIO(manifest.content.decode("utf-8-sig"))))
    assert len(rows) == 5 and {r["kid"] for r in rows} == {kid}
    first = rows[0]

    # The payload verifies with the trust list HQ exports (its key is in it now).
    today = date.today()
    check = verify(first["payload"], exported(client, tmp_path), today)
    assert check.verdict == BadgeVerdict.VALID, check.detail
    assert check.cert_no == first["cert_no"] and check.payload is not None
    assert (check.payload.expires_on - check.payload.issued_on).days == 29
    # The next package carries HQ's key too.
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    assert kid in {i["kid"] for i in body["trust_list"]}
    with hq.Session() as s:
        entries = [(e.actor, e.action, e.target, json.loads(e.after or "{}")) for e in
                   s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries[-2][:2] == ("staff-wang", "badge_key.create")
    actor, action, target, after = entries[-1]
    assert (actor, action, target) == ("staff-wang", "badges.issue", f"event:{event_id}")
    assert (after["issued"], after["skipped"], after["kid"], after["valid_days"]) == (
        5, 0, kid, 30)

    # Revoked from the person's page: the exported list makes the badge REVOKED.
    revoked = client.post(f"/console/people/{quote(first['cert_no'], safe='')}/revoke",
                          data={"csrf": csrf, "reason": "证件遗失"}, follow_redirects=False)
    assert revoked.status_code == 303
    (tmp_path / "after").mkdir()
    check = verify(first["payload"], exported(client, tmp_path / "after"), today)
    assert check.verdict == BadgeVerdict.REVOKED
    # Issued again: the revoked guard is left out, with the reason.
    assert issue(client, event_id, csrf).status_code == 303
    page = client.get(f"/console/events/{event_id}/badges")
    assert re.search(r'id="issued-count">4<', page.text)
    assert "certificate revoked" in page.text and first["cert_no"] in page.text


def test_the_issuer_key_is_sealed_in_the_database(
        hq: HqStore, client: TestClient, event_id: str, tmp_path: Path) -> None:
    csrf = sign_in(client, "admin-li")
    assert client.post("/console/badges/issuer-key", data={"csrf": csrf},
                       follow_redirects=False).status_code == 303
    assert issue(client, event_id, csrf).status_code == 303
    private = hq.keys.secret(badges.ISSUER_KEY_SETTING, 32)
    assert hq.setting(badges.ISSUER_KEY_SETTING).startswith("sealed-v1:")  # type: ignore[union-attr]
    hq.close()
    raw = (tmp_path / "hq.sqlite3").read_bytes()
    for wal in tmp_path.glob("hq.sqlite3-*"):
        raw += wal.read_bytes()
    for form in (private, base64.b64encode(private), private.hex().encode(),
                 private.hex().upper().encode()):
        assert form not in raw
    # Without the passphrase the key cannot be used: a process not given it issues nothing.
    locked = HqStore(hq.url)
    try:
        with TestClient(create_app(locked), base_url="http://127.0.0.1") as other:
            csrf = sign_in(other, "staff-wang")
            before = stored(locked)
            answer = issue(other, event_id, csrf)
            assert answer.status_code == 503 and "passphrase" in answer.text
            assert stored(locked) == before
    finally:
        locked.close()


def test_issuing_is_refused_for_a_viewer_a_wrong_token_and_hostile_input(
        hq: HqStore, client: TestClient, event_id: str) -> None:
    before = stored(hq)
    csrf = sign_in(client, "viewer-zhao")
    assert issue(client, event_id, csrf).status_code == 403
    assert 'action="/console/events/' not in client.get("/console/badges").text
    client.cookies.clear()
    csrf = sign_in(client, "staff-wang")
    for token in (None, "", csrf[:-1]):
        assert issue(client, event_id, token).status_code == 403
    for days in ("0", "-1", "abc", "1e3", "99999", "", "３０", str(badges.MAX_VALID_DAYS + 1)):
        answer = issue(client, event_id, csrf, days)
        assert answer.status_code == 400 and "Nothing was issued" in answer.text, days
    for hostile in ("no-such-event", "\u202e" + event_id, "x" * 10_000):
        answer = issue(client, hostile, csrf)
        assert answer.status_code == 404 and "Nothing was issued" in answer.text
    assert stored(hq) == before
    # Nothing issued in this session: nothing to download, and no file outside the three.
    assert client.get(f"/console/events/{event_id}/badges/badges.pdf").status_code == 404
    assert issue(client, event_id, csrf).status_code == 303
    assert client.get(f"/console/events/{event_id}/badges/..%2Fhq.sqlite3").status_code == 404
    assert client.get(f"/console/events/{event_id}/badges/x.pdf").status_code == 404
    # Another session (another account) cannot take the files this one issued.
    client.cookies.clear()
    sign_in(client, "admin-li")
    assert client.get(f"/console/events/{event_id}/badges/badges.pdf").status_code == 404


@pytest.mark.slow
def test_issuing_and_the_lists_on_postgresql(postgres_db: str, tmp_path: Path) -> None:
    """The same reads and writes on PostgreSQL (its own SQL for insert-or-skip)."""
    store = HqStore(postgres_db)
    try:
        store.unlock_keys(PASSPHRASE)
        store.add_demo_event()
        event_id, _summary = store.add_event(write_roster(tmp_path / "roster.xlsx", 3),
                                             "证件签发测试活动")
        result = badges.issue_event_badges(store.db, store.keys, "staff-wang", event_id, 10)
        assert result.issued == 3 and set(result.files) == {"badges.pdf", "posts.pdf",
                                                            "manifest.csv"}
        badges.issuer_key(store.db, store.keys, "staff-wang")  # once: no second entry
        (tmp_path / "t.json").write_bytes(badges.trust_list_file(store.db))
        (tmp_path / "r.txt").write_bytes(badges.revocation_list_file(store.db))
        trust = MemoryTrustStore.from_files(tmp_path / "t.json", tmp_path / "r.txt")
        rows = list(csv.DictReader(io.StringIO(
            result.files["manifest.csv"].decode("utf-8-sig"))))
        assert verify(rows[0]["payload"], trust, date.today()).verdict == BadgeVerdict.VALID
        with store.Session() as s:
            actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions.count("badge_key.create") == 1 and actions[-1] == "badges.issue"
    finally:
        store.close()

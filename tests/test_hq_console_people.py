"""HQ's console (issue 14): one file per person by certificate number, and revoking the
certificate from there (app.hq.console.people), through FastAPI's TestClient.

HQ prepares its demo event (``hq demo-event``); a laptop enrolled in-process takes it down,
inspects one guard, opens a finding and syncs (tests/test_document_numbers.py's fixtures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.demo_data import DEMO_EVENT_NAME
from app.hq.models import AuditEntry, RevokedCertificate
from app.hq.models import Record as RecordRow
from app.hq.store import HqStore
from app.inspection.identity import cert_key
from app.inspection.workbench import Workbench
from app.sync.protocol import PACKAGE_FORMAT, read_signed
from tests.helpers.hq_console import (
    PASSWORDS,
    add_accounts,
    console_client,
    csrf_of,
    sign_in,
)
from tests.test_document_numbers import hq, laptop  # noqa: F401

NOTE = "未佩戴保安服务标志（演示检查）"


@pytest.fixture
def demo(hq: HqStore, tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    """The demo event at HQ and a guard of it with a finding, synced from a laptop."""
    add_accounts(hq)
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    workbench = Workbench(db)
    with hq.Session() as s:
        revoked = set(s.scalars(select(RevokedCertificate.cert_key)))
    guard = next(g for g in workbench.guards(event_id)
                 if g.post_id and cert_key(g.cert_no) not in revoked)
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    inspection = workbench.record_scan(event_id, scan)
    items = workbench.template(event_id).items_for(scan.post.task_type if scan.post else "")
    state = workbench.set_item(inspection.id, items[0], False)
    workbench.update_finding(state.finding_id or "", note=NOTE, correction="corrected")
    assert service.sync().failed == 0
    with hq.Session() as s:
        hq_guard = next(json.loads(r.payload) for r in s.scalars(select(RecordRow).where(
            RecordRow.kind == "guard", RecordRow.event_id == event_id))
            if json.loads(r.payload)["cert_key"] == cert_key(guard.cert_no))
    return {"event_id": event_id, "guard": guard, "hq_guard": hq_guard,
            "post": scan.post.name if scan.post else "", "item": items[0].code}


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:  # noqa: F811
    with console_client(hq) as test_client:
        yield test_client




def stored(hq: HqStore) -> tuple[int, int]:  # noqa: F811
    with hq.Session() as s:
        return (int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0),
                int(s.scalar(select(func.count()).select_from(RevokedCertificate)) or 0))


def revoke(client: TestClient, cert: str, csrf: str | None, reason: str = "证件遗失，已挂失"
           ) -> httpx.Response:
    data = {"reason": reason} if csrf is None else {"reason": reason, "csrf": csrf}
    return client.post(f"/console/people/{quote(cert, safe='')}/revoke", data=data,
                       follow_redirects=False)


def test_the_file_of_a_guard_of_the_demo_event_with_a_finding(
        hq: HqStore, client: TestClient, demo: dict[str, Any]) -> None:  # noqa: F811
    guard = demo["guard"]
    sign_in(client, "viewer-zhao")
    search = client.get("/console/people", params={"cert_no": guard.cert_no},
                        follow_redirects=False)
    assert search.status_code == 303
    assert search.headers["location"] == f"/console/people/{cert_key(guard.cert_no)}"
    page = client.get(search.headers["location"])
    assert page.status_code == 200, page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.text
    assert guard.cert_no in text and guard.name in text
    events = re.search(r'<table id="events">(.*?)</table>', text, re.S)
    assert events and DEMO_EVENT_NAME in events.group(1) and demo["post"] in events.group(1)
    findings = re.search(r'<table id="findings">(.*?)</table>', text, re.S)
    assert findings and NOTE in findings.group(1) and demo["item"] in findings.group(1)
    assert re.search(r'id="inspections">1<', text)
    assert "有效，未吊销 (not revoked)" in text
    # HQ holds no ID number, and the page shows none (not even the masked one).
    masked = demo["hq_guard"]["id_masked"]
    assert masked and masked not in text and "id_number" not in text
    # A viewer reads, but is offered no revoke form.
    assert 'id="revoke"' not in text
    assert client.get("/console/people/辽000000000999").status_code == 404


def test_staff_revoke_from_the_file_audited_and_the_next_package_carries_it(
        hq: HqStore, client: TestClient, demo: dict[str, Any]) -> None:  # noqa: F811
    guard = demo["guard"]
    key = cert_key(guard.cert_no)
    csrf = sign_in(client, "staff-wang")
    page = client.get(f"/console/people/{guard.cert_no}")
    assert 'id="revoke"' in page.text and csrf_of(page.text) == csrf
    answer = revoke(client, guard.cert_no, csrf, "证件遗失，已挂失")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/people/{key}?saved=revoked"
    shown = client.get(answer.headers["location"])
    assert "已吊销 (revoked)" in shown.text and 'id="revoke"' not in shown.text
    assert re.search(r'id="revoke-reason">证件遗失，已挂失<', shown.text)
    assert "吊销证书 (certificate revoked)" in shown.text  # the history, in words
    with hq.Session() as s:
        assert s.get(RevokedCertificate, key) is not None
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.target) == ("staff-wang", "certificate.revoke",
                                                         f"certificate:{key}")
    assert json.loads(entry.after or "{}") == {"revoked": True, "cert_no": guard.cert_no,
                                               "reason": "证件遗失，已挂失"}
    _signer, body = read_signed(hq.event_package(demo["event_id"]), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    assert key in body["revoked_certificates"]
    # The JSON API's file says the same (one code path, one answer).
    api = client.get(f"/api/v1/people/{guard.cert_no}", auth=("staff-wang",
                                                               PASSWORDS["staff-wang"]))
    assert api.json()["badge"] == {"revoked": True}


def test_a_viewer_and_a_wrong_csrf_token_are_refused_and_nothing_changes(
        hq: HqStore, client: TestClient, demo: dict[str, Any]) -> None:  # noqa: F811
    cert = demo["guard"].cert_no
    before = stored(hq)
    csrf = sign_in(client, "viewer-zhao")
    refused = revoke(client, cert, csrf)
    assert refused.status_code == 403 and "Nothing was changed" in refused.text
    assert stored(hq) == before
    client.cookies.clear()
    csrf = sign_in(client, "staff-wang")
    for token in (None, "", "x" * len(csrf), csrf[:-1]):
        answer = revoke(client, cert, token)
        assert answer.status_code == 403, token
    assert stored(hq) == before
    client.cookies.clear()  # not signed in: to the sign-in form, nothing stored
    assert revoke(client, cert, csrf).headers["location"] == "/console/sign-in"
    assert stored(hq) == before


@pytest.mark.parametrize("cert", ["\u202e" + "辽700000000001", "辽7000\x00000001",
                                  "辽" + "7" * 10_000, "!!!"],
                         ids=["bidi", "nul", "10k characters", "no letters"])
def test_a_hostile_certificate_number_is_refused(
        hq: HqStore, client: TestClient, demo: dict[str, Any], cert: str) -> None:  # noqa: F811
    before = stored(hq)
    csrf = sign_in(client, "staff-wang")
    page = client.get(f"/console/people/{quote(cert, safe='')}")
    answer = revoke(client, cert, csrf)
    assert page.status_code == answer.status_code == 400
    if "\x00" in cert:  # HQ refuses an address with a NUL before any page sees it
        assert answer.json()["detail"] == "the address holds a NUL character"
    else:
        assert "Nothing was changed" in page.text and "nothing was changed" in answer.text
    assert stored(hq) == before
    # The JSON API refuses the same (app.hq.revocations, one code path).
    api = client.post("/api/v1/revocations", auth=("staff-wang", PASSWORDS["staff-wang"]),
                      json={"cert_no": cert, "reason": "x"})
    assert api.status_code == 400
    assert stored(hq) == before


def test_a_hostile_reason_is_refused_on_the_file_page(
        hq: HqStore, client: TestClient, demo: dict[str, Any]) -> None:  # noqa: F811
    cert = demo["guard"].cert_no
    before = stored(hq)
    csrf = sign_in(client, "staff-wang")
    for reason in ("", "   ", "遗失\u202e", "长" * 501):
        answer = revoke(client, cert, csrf, reason)
        assert answer.status_code == 400, reason
        assert 'id="error"' in answer.text and "nothing was changed" in answer.text
    assert stored(hq) == before
    answer = client.post(f"/console/people/{cert}/revoke", content=b"csrf=" + csrf.encode()
                         + b"&reason=a&reason=b", follow_redirects=False,
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 400
    assert stored(hq) == before

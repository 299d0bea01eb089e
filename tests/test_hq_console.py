"""HQ staff's console in the browser (issue 14), through FastAPI's TestClient: the sign-in
form and its session, CSRF on every form, roles, autoescaped templates, signing out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.demo_data import DEMO_COMPANY_LICENCE, MAIN_COMPANY
from app.hq import audit
from app.hq.console.common import COOKIE, SIGN_IN_COOKIE
from app.hq.models import HQ_DEVICE, AuditEntry, CompanyRegisterEntry, Record
from app.hq.server import create_app
from app.hq.store import HqStore
from app.hq.throttle import MAX_FAILURES
from app.sync.protocol import canonical_json, content_hash
from tests.helpers.hq_console import (
    PASSWORDS,
    add_accounts,
    console_client,
    csrf_of,
    sign_in,
)

BLACK = {"credit_grade": "C", "list": "black", "reason": "转包安保勤务（考评附件3第7项）"}


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = add_accounts(HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}"))
    store.add_demo_event()
    yield store
    store.close()


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:
    with console_client(hq) as test_client:
        yield test_client


def stored(hq: HqStore) -> tuple[int, str | None, str]:
    """The audit log's length, the demo company's list and its credit grade as stored."""
    with hq.Session() as s:
        entries = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        entry = s.get(CompanyRegisterEntry, DEMO_COMPANY_LICENCE)
        grades = [json.loads(r.payload).get("credit_grade") for r in s.scalars(
            select(Record).where(Record.kind == "company", Record.device_id == HQ_DEVICE))
            if json.loads(r.payload).get("licence_no") == DEMO_COMPANY_LICENCE]
    return entries, entry.list_name if entry else None, grades[0]


def post_company(client: TestClient, csrf: str | None, **fields: str) -> httpx.Response:
    data = {"licence_no": DEMO_COMPANY_LICENCE, **BLACK, **fields}
    if csrf is not None:
        data["csrf"] = csrf
    return client.post("/console/companies", data=data, follow_redirects=False)


# ------------------------------------------------------------------------------ sign-in
def test_not_signed_in_goes_to_the_sign_in_form(client: TestClient, hq: HqStore) -> None:
    before = stored(hq)
    for path in ("/console/", "/console/companies", "/console/audit"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"
    answer = post_company(client, "anything")
    assert answer.status_code == 303
    assert stored(hq) == before
    form = client.get("/console/sign-in")
    assert "账户名 (account name)" in form.text and 'name="password"' in form.text
    assert "script-src" not in form.headers["content-security-policy"]
    assert "default-src 'none'" in form.headers["content-security-policy"]
    cookie = form.headers["set-cookie"]
    assert SIGN_IN_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_good_and_bad_sign_in(client: TestClient) -> None:
    form = client.get("/console/sign-in")
    bad = client.post("/console/sign-in", data={"csrf": csrf_of(form.text),
                                                "name": "staff-wang", "password": "wrong one 1"})
    assert bad.status_code == 401 and "wrong account name or password" in bad.text
    assert COOKIE not in client.cookies
    unknown = client.post("/console/sign-in", data={"csrf": csrf_of(form.text),
                                                    "name": "nobody", "password": "x" * 12})
    assert unknown.status_code == 401
    answer = client.post("/console/sign-in", data={
        "csrf": csrf_of(form.text), "name": "staff-wang", "password": PASSWORDS["staff-wang"]},
        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    session_cookie = [c for c in answer.headers.get_list("set-cookie")
                      if c.startswith(COOKIE + "=")][0]
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie
    assert "Path=/console" in session_cookie
    home = client.get("/console/")
    assert home.status_code == 200
    assert re.search(r'id="account">staff-wang<', home.text)
    assert "业务 (staff)" in home.text and "/console/audit" not in home.text


def test_sign_in_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/console/sign-in")
    for data in ({"name": "staff-wang", "password": PASSWORDS["staff-wang"]},
                 {"csrf": "forged-token-forged-token", "name": "staff-wang",
                  "password": PASSWORDS["staff-wang"]}):
        answer = client.post("/console/sign-in", data=data, follow_redirects=False)
        assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert COOKIE not in client.cookies
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sign_in_is_throttled(client: TestClient) -> None:
    token = csrf_of(client.get("/console/sign-in").text)
    for _ in range(MAX_FAILURES):
        assert client.post("/console/sign-in", data={
            "csrf": token, "name": "staff-wang", "password": "not the one 1"}
        ).status_code == 401
    throttled = client.post("/console/sign-in", data={
        "csrf": token, "name": "staff-wang", "password": PASSWORDS["staff-wang"]})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "too many failed sign-ins" in throttled.text
    assert COOKIE not in client.cookies  # the right password does not get through either


def test_sign_out_ends_the_session(client: TestClient, hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    copied = client.cookies[COOKIE]
    refused = client.post("/console/sign-out", data={"csrf": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/console/").status_code == 200  # still signed in
    answer = client.post("/console/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"
    assert client.get("/console/", follow_redirects=False).status_code == 303
    # A copy of the cookie kept from before is worth nothing now: the server forgot it.
    before = stored(hq)
    client.cookies.set(COOKIE, copied, path="/console")
    assert client.get("/console/companies", follow_redirects=False).status_code == 303
    assert post_company(client, csrf).status_code == 303
    assert stored(hq) == before


def test_a_disabled_account_is_signed_out_at_once(client: TestClient, hq: HqStore) -> None:
    sign_in(client, "staff-wang")
    hq.accounts.disable("staff-wang", "admin-li")
    assert client.get("/console/", follow_redirects=False).status_code == 303


# ---------------------------------------------------------------------- changing things
def test_staff_black_list_a_company_through_the_form(client: TestClient, hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    page = client.get("/console/companies")
    assert page.status_code == 200 and MAIN_COMPANY in page.text
    assert 'action="/console/companies"' in page.text
    assert f'value="{DEMO_COMPANY_LICENCE}"' in page.text
    entries_before, listed, grade = stored(hq)
    assert listed is None and grade == "A"
    answer = post_company(client, csrf)
    assert answer.status_code == 303
    assert stored(hq) == (entries_before + 1, "black", "C")
    shown = client.get(answer.headers["location"])
    assert "已保存 (saved)" in shown.text and BLACK["reason"] in shown.text
    assert "黑名单 (black list)" in shown.text
    [entry] = [e for e in audit.entries(hq.db) if e["action"] == "company.set"]
    assert entry["actor"] == "staff-wang" and entry["after"]["list"] == "black"


def test_csrf_missing_or_wrong_changes_nothing(client: TestClient, hq: HqStore) -> None:
    sign_in(client, "staff-wang")
    before = stored(hq)
    for csrf in (None, "", "x" * 43):
        answer = post_company(client, csrf)
        assert answer.status_code == 403, csrf
    # Another session's token is no good either.
    with TestClient(client.app, base_url="http://127.0.0.1") as other:
        foreign = sign_in(other, "admin-li")
    assert post_company(client, foreign).status_code == 403
    assert stored(hq) == before


def test_viewer_sees_no_form_and_cannot_post(client: TestClient, hq: HqStore) -> None:
    csrf = sign_in(client, "viewer-zhao")
    page = client.get("/console/companies")
    assert page.status_code == 200 and MAIN_COMPANY in page.text
    assert 'action="/console/companies"' not in page.text and 'name="reason"' not in page.text
    before = stored(hq)
    answer = post_company(client, csrf)
    assert answer.status_code == 403
    assert "Not allowed" in answer.text
    assert stored(hq) == before
    assert client.get("/console/audit").status_code == 403


def test_hostile_forms_are_refused_and_change_nothing(client: TestClient, hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    for fields, status in (({"list": "grey"}, 400), ({"reason": ""}, 400),
                           ({"credit_grade": "A" * 30}, 400), ({"reason": "x" * 600}, 400),
                           ({"reason": "bad\x00reason"}, 400),
                           ({"licence_no": "辽公保服00000000"}, 404)):
        answer = post_company(client, csrf, **fields)
        assert answer.status_code == status, fields
    lacking = client.post("/console/companies", data={"csrf": csrf, "list": "black"})
    assert lacking.status_code == 400 and "lacks" in lacking.text
    twice = client.post("/console/companies", content=(
        f"csrf={csrf}&licence_no=a&licence_no=b&credit_grade=C&list=&reason=r").encode(),
        headers={"content-type": "application/x-www-form-urlencoded"})
    assert twice.status_code == 400 and "more than once" in twice.text
    as_json = client.post("/console/companies", json={"csrf": csrf, **BLACK})
    assert as_json.status_code == 403  # not a form: no token was read from it
    not_utf8 = client.post("/console/companies", content=b"csrf=" + csrf.encode() + b"&r=\xff",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert not_utf8.status_code == 403
    assert stored(hq) == before


def test_templates_escape_what_they_show(client: TestClient, hq: HqStore) -> None:
    hostile = "<script>alert(1)</script>安盾"
    with hq.db.begin() as s:
        for row in s.scalars(select(Record).where(Record.kind == "company",
                                                  Record.device_id == HQ_DEVICE)):
            payload = json.loads(row.payload)
            if payload.get("licence_no") == DEMO_COMPANY_LICENCE:
                payload["name"] = hostile
                row.payload = canonical_json(payload).decode("utf-8")
                row.content_hash = content_hash(payload)
    csrf = sign_in(client, "staff-wang")
    assert post_company(client, csrf, reason='"><b>x</b>').status_code == 303
    page = client.get("/console/companies")
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;安盾" in page.text
    assert "<b>x</b>" not in page.text and "&#34;&gt;&lt;b&gt;x&lt;/b&gt;" in page.text
    client.post("/console/sign-out", data={"csrf": csrf})
    sign_in(client, "admin-li")
    audit_page = client.get("/console/audit")
    assert audit_page.status_code == 200 and "<b>x</b>" not in audit_page.text


def test_admin_reads_the_audit_log_and_sees_a_broken_chain(client: TestClient,
                                                           hq: HqStore) -> None:
    staff = sign_in(client, "staff-wang")
    assert post_company(client, staff).status_code == 303
    client.post("/console/sign-out", data={"csrf": staff})
    sign_in(client, "admin-li")
    home = client.get("/console/")
    assert "/console/audit" in home.text
    page = client.get("/console/audit")
    assert page.status_code == 200 and "the chain of hashes holds" in page.text
    row = re.search(r'<td class="actor">staff-wang</td>\s*<td class="action">([^<]+)</td>'
                    r'<td class="target">([^<]+)</td>', page.text)
    assert row and row.group(1) == "公司信用与名单 (company standing)"
    assert row.group(2) == f"company:{DEMO_COMPANY_LICENCE}"
    # A row changed behind the database's back (its trigger dropped) shows on the page.
    with hq.db.begin() as s:
        s.execute(text("DROP TRIGGER audit_entry_no_update"))
        s.execute(text("UPDATE audit_entry SET actor = 'someone-else' "
                       "WHERE action = 'company.set'"))
    broken = client.get("/console/audit")
    assert "the chain breaks at entry" in broken.text


def test_the_public_register_needs_no_sign_in_and_shows_no_person(
        hq: HqStore, client: TestClient) -> None:
    """一公开 (seed 004 §4): grades and lists for anyone; no reason text (staff write it
    freely, it may name people), no account, no guard."""
    from app.demo_data import demo_roster
    from app.hq.register import set_company

    set_company(hq.db, "staff-wang", DEMO_COMPANY_LICENCE, "C", "black",
                "保安员王某某转包勤务")
    page = client.get("/public/companies")
    assert page.status_code == 200
    text = page.text
    assert MAIN_COMPANY in text and DEMO_COMPANY_LICENCE in text and "黑名单" in text
    row = re.search(rf'<tr data-licence="{DEMO_COMPANY_LICENCE}">(.*?)</tr>', text, re.S)
    assert row is not None and ">C<" in row.group(1)
    assert "王某某" not in text and "staff-wang" not in text
    for guard in demo_roster()[0].rows[:50]:
        assert guard.name not in text and guard.cert_no not in text
    assert "<script" not in text.lower()
    assert client.post("/public/companies").status_code == 405  # nothing to change there


# ------------------------------------------------------------------ evaluations inbox
def test_the_evaluations_inbox_lists_the_pdf_and_tracks_the_rectification_report(
        hq: HqStore, client: TestClient) -> None:
    from datetime import UTC, datetime, timedelta

    from app.hq.models import EvaluationDocument, Rectification
    from tests.test_hq_standing import add_evaluation

    with hq.Session() as s:
        late = add_evaluation(s, "e1", "春季音乐节", MAIN_COMPANY, DEMO_COMPANY_LICENCE, 62.5,
                              "pass", (datetime.now(UTC) - timedelta(days=9)).isoformat(),
                              final=False)
        fresh = add_evaluation(s, "e2", "足球联赛", MAIN_COMPANY, DEMO_COMPANY_LICENCE, 91.0,
                               "excellent", datetime.now(UTC).isoformat(), final=True)
        s.commit()
        pdf = s.get(EvaluationDocument, late)
        assert pdf is not None
        pdf_bytes = bytes(pdf.pdf)
    assert client.get("/console/evaluations", follow_redirects=False).status_code == 303

    viewer_csrf = sign_in(client, "viewer-zhao")
    page = client.get("/console/evaluations")
    assert page.status_code == 200
    late_row = re.search(rf'<tr data-evaluation="{late}">(.*?)</tr>', page.text, re.S)
    fresh_row = re.search(rf'<tr data-evaluation="{fresh}">(.*?)</tr>', page.text, re.S)
    assert late_row and fresh_row
    assert "合格 (pass)（暂定）" in late_row.group(1) and "已逾期 (overdue)" in late_row.group(1)
    assert "待报送 (due)" in fresh_row.group(1) and "暂定" not in fresh_row.group(1)
    assert "<form" not in page.text.split('id="evaluations"')[1]  # a viewer gets no form
    got = client.get(f"/console/evaluations/{late}/pdf")
    assert got.status_code == 200 and got.content == pdf_bytes
    assert client.get("/console/evaluations/nothing/pdf").status_code == 404
    refused = client.post(f"/console/evaluations/{late}/rectification",
                          data={"csrf": viewer_csrf, "note": "x"}, follow_redirects=False)
    assert refused.status_code == 403

    with TestClient(create_app(hq), base_url="http://127.0.0.1") as staff:
        staff_csrf = sign_in(staff, "staff-wang")
        assert staff.post(f"/console/evaluations/{late}/rectification",
                          data={"note": "no token"}, follow_redirects=False).status_code == 403
        with hq.Session() as s:
            assert s.get(Rectification, late) is None
        done = staff.post(f"/console/evaluations/{late}/rectification",
                          data={"csrf": staff_csrf, "note": "整改报告已收到（纸质）"})
        assert done.status_code == 200 and "已收到 (received)" in done.text
        again = staff.post(f"/console/evaluations/{late}/rectification",
                           data={"csrf": staff_csrf, "note": "twice"}, follow_redirects=False)
        assert again.status_code == 409
    with hq.Session() as s:
        report = s.get(Rectification, late)
        assert report is not None and report.received_by == "staff-wang"
    [entry] = [e for e in audit.entries(hq.db) if e["action"] == "rectification.received"]
    assert entry["actor"] == "staff-wang" and entry["after"] == {"note": "整改报告已收到（纸质）"}

"""HQ's console: vetting owned by the police (issue 14), through FastAPI's TestClient with a
signed-in session and its CSRF token: one person's form, the bulk import (all or none, each
line's result shown), hostile files refused with nothing stored, a viewer refused, the API's
optional fields, the training sessions, the new columns on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.demo_data import demo_roster
from app.hq import audit
from app.hq.console.vetting import CONSOLE_MAX_ROWS
from app.hq.models import HQ_DEVICE, AuditEntry, Record, Vetting
from app.hq.store import HqStore
from app.inspection.identity import cert_key
from tests.helpers.hq_console import (
    PASSWORDS,
    add_accounts,
    console_client,
    sign_in,
)

STAFF = ("staff-wang", PASSWORDS["staff-wang"])


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    add_accounts(store)
    store.add_demo_event()
    yield store
    store.close()


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:
    with console_client(hq) as test_client:
        yield test_client


def demo_certs(count: int) -> list[str]:
    return [r.cert_no for r in demo_roster()[0].valid_rows
            if r.background_check == "passed" and r.trained][:count]


def staff_vetting(hq: HqStore) -> dict[str, tuple[str, bool, str]]:
    """What people vetted (not HQ's demo) hold: background, trained, officer."""
    with hq.Session() as s:
        return {v.cert_key: (v.background, v.trained, v.officer)
                for v in s.scalars(select(Vetting).where(Vetting.updated_by != "demo"))}


def audit_count(hq: HqStore) -> int:
    with hq.Session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def guard_payload(hq: HqStore, cert_no: str) -> dict[str, object]:
    with hq.Session() as s:
        rows = [json.loads(r.payload) for r in s.scalars(select(Record).where(
            Record.kind == "guard", Record.device_id == HQ_DEVICE))]
    [payload] = [p for p in rows if p["cert_key"] == cert_key(cert_no)]
    return payload


def form(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf": csrf, "background": "failed", "trained": "no", "note": "亲属涉案，复查",
            "background_date": "2026-11-30", "officer": "刘警官",
            "training_session": "第3期岗前培训", "training_date": "2026-11-28", **fields}


def test_staff_record_a_persons_vetting_in_the_form(hq: HqStore, client: TestClient) -> None:
    [cert] = demo_certs(1)
    csrf = sign_in(client, *STAFF)
    page = client.get("/console/vetting", params={"cert_no": cert})
    assert page.status_code == 200 and 'id="vetting-form"' in page.text
    assert "已通过 (cleared)" in page.text and "· demo" in page.text  # HQ's demo vetted it
    answer = client.post(f"/console/vetting/{cert}", data=form(csrf))
    assert answer.status_code == 200 and 'id="saved"' in answer.text, answer.text
    assert "刘警官" in answer.text and "第3期岗前培训" in answer.text
    with hq.Session() as s:
        row = s.get(Vetting, cert_key(cert))
        assert row is not None
        assert (row.background, row.trained, row.training_passed) == ("failed", False, False)
        assert (row.background_date, row.officer) == (date(2026, 11, 30), "刘警官")
        assert (row.training_session, row.training_date) == ("第3期岗前培训", date(2026, 11, 28))
    # HQ's guard row takes the result; the company's roster values stay, as its claim.
    guard = guard_payload(hq, cert)
    assert (guard["background_check"], guard["trained"]) == ("failed", False)
    assert (guard["claimed_background_check"], guard["claimed_trained"]) == ("passed", True)
    [entry] = audit.entries(hq.db, 1)
    assert (entry["actor"], entry["action"]) == (STAFF[0], "vetting.set")
    assert entry["after"]["officer"] == "刘警官" and entry["before"]["background"] == "passed"
    sessions = client.get("/console/vetting/sessions")
    assert sessions.status_code == 200 and "第3期岗前培训" in sessions.text


def test_refusals_change_nothing(hq: HqStore, client: TestClient) -> None:
    [cert] = demo_certs(1)
    csrf = sign_in(client, *STAFF)
    before = (staff_vetting(hq), audit_count(hq))
    tomorrow2 = (date.today() + timedelta(days=3)).isoformat()
    for bad, words in (({"background": "maybe"}, "background must be"),
                       ({"trained": "1"}, "trained must be yes or no"),
                       ({"background_date": tomorrow2}, "between"),
                       ({"training_date": "30/11/2026"}, "YYYY-MM-DD"),
                       ({"note": "复查\u202e"}, "plain text"),
                       ({"officer": "x" * 101}, "officer")):
        answer = client.post(f"/console/vetting/{cert}", data=form(csrf, **bad))
        assert answer.status_code == 400 and words in answer.text, (bad, answer.text)
    assert client.post(f"/console/vetting/{cert}", data=form("wrong")).status_code == 403
    assert (staff_vetting(hq), audit_count(hq)) == before

    client.post("/console/sign-out", data={"csrf": csrf})
    viewer_csrf = sign_in(client, "viewer-zhao")
    page = client.get("/console/vetting", params={"cert_no": cert})
    assert page.status_code == 200 and 'id="vetting-form"' not in page.text
    assert 'id="import-form"' not in page.text
    assert client.post(f"/console/vetting/{cert}", data=form(viewer_csrf)).status_code == 403
    refused = client.post("/console/vetting/import", data={"csrf": viewer_csrf},
                          files={"file": ("v.csv", f"cert_no,background,trained\n{cert},"
                                                   f"failed,no\n".encode())})
    assert refused.status_code == 403
    assert (staff_vetting(hq), audit_count(hq)) == before
    assert guard_payload(hq, cert)["background_check"] == "passed"


def upload(client: TestClient, csrf: str, data: bytes) -> object:
    return client.post("/console/vetting/import", data={"csrf": csrf},
                       files={"file": ("vetting.csv", data, "text/csv")})


def test_bulk_import_all_or_none_with_each_lines_result(hq: HqStore,
                                                        client: TestClient) -> None:
    certs = demo_certs(3)
    csrf = sign_in(client, *STAFF)
    header = "cert_no,background,trained,note,background_date,officer,training_session," \
             "training_date\n"
    lines = [f"{certs[0]},failed,no,复查,2026-11-30,刘警官,第3期,2026-11-28",
             f"{certs[1]},pending,yes,,,,第3期,2026-11-28",
             f"{certs[2]},cleared,是,,2026-11-29,张警官,,"]
    before = (staff_vetting(hq), audit_count(hq))
    bad = (header + "\n".join([*lines, "辽000000000001,maybe,yes,,,,,"]) + "\n").encode()
    answer = upload(client, csrf, bad)
    assert answer.status_code == 400, answer.text
    assert 'class="refused"' in answer.text and "background must be" in answer.text
    assert answer.text.count('class="applied"') == 3  # listed as fine, not imported
    assert (staff_vetting(hq), audit_count(hq)) == before

    answer = upload(client, csrf, (header + "\n".join(lines) + "\n").encode("utf-8-sig"))
    assert answer.status_code == 200, answer.text
    assert answer.text.count('class="applied"') == 3 and 'class="refused"' not in answer.text
    assert staff_vetting(hq) == {cert_key(certs[0]): ("failed", False, "刘警官"),
                                 cert_key(certs[1]): ("pending", True, ""),
                                 cert_key(certs[2]): ("passed", True, "张警官")}
    assert guard_payload(hq, certs[0])["claimed_background_check"] == "passed"
    assert audit_count(hq) == before[1] + 3
    sessions = client.get("/console/vetting/sessions").text
    assert "第3期" in sessions and "2026-11-28" in sessions


def test_hostile_files_are_refused_and_nothing_is_stored(hq: HqStore,
                                                         client: TestClient) -> None:
    [cert, other] = demo_certs(2)
    csrf = sign_in(client, *STAFF)
    before = (staff_vetting(hq), audit_count(hq))
    header = "cert_no,background,trained,note\n"
    hostile = {
        "formula": (header + f'{cert},failed,no,"=HYPERLINK(""http://x"",""y"")"\n',
                    "formula"),
        "formula in the number": (header + "=1+2,failed,no,\n", "formula"),
        "GBK, not UTF-8": ((header + f"{cert},failed,no,亲属涉案\n").encode("gbk"), "UTF-8"),
        "NUL": (header + f"{cert},failed,no,\x00\n", "NUL"),
        "the same person twice": (header + f"{cert},failed,no,\n{cert},cleared,yes,\n",
                                  "line 2 already"),
        "extra cells": (header + f"{other},failed,no,,surprise\n", "more cells"),
        "no header": (f"{cert},failed,no,\n", "first line must name"),
        "too many lines": (header + f"{cert},failed,no,\n" * (CONSOLE_MAX_ROWS + 1),
                           f"more than {CONSOLE_MAX_ROWS} rows"),
        "empty": (header, "no line"),
    }
    for name, (content, words) in hostile.items():
        data = content if isinstance(content, bytes) else content.encode()
        answer = upload(client, csrf, data)
        assert answer.status_code == 400 and words in answer.text, (name, answer.text[-800:])
    # 100,000 lines are beyond the body HQ reads at all (1 MB): 413 before any parsing.
    huge = (header + f"{cert},failed,no,\n" * 100_000).encode()
    assert upload(client, csrf, huge).status_code == 413
    assert (staff_vetting(hq), audit_count(hq)) == before


def test_the_apis_optional_fields_and_the_three_documented_ones(hq: HqStore,
                                                                client: TestClient) -> None:
    [cert] = demo_certs(1)
    answer = client.put(f"/api/v1/vetting/{cert}", auth=STAFF, json={
        "background": "cleared", "trained": True, "note": "", "officer": "刘警官",
        "background_date": "2026-11-30", "training_session": "第3期",
        "training_date": "2026-11-28"})
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert {key: shown[key] for key in ("cert_no", "background", "trained", "note",
                                        "event_rows")} == {
        "cert_no": cert, "background": "cleared", "trained": True, "note": "",
        "event_rows": 1}
    # The documented three alone: the details recorded before stay.
    answer = client.put(f"/api/v1/vetting/{cert}", auth=STAFF,
                        json={"background": "failed", "trained": False, "note": "复查"})
    assert answer.status_code == 200 and answer.json()["officer"] == "刘警官"
    assert answer.json()["training_date"] == "2026-11-28"
    for bad in ({"background": "failed", "trained": False, "training_date": "tomorrow"},
                {"background": "cleared", "trained": False, "officer": "x\u202e"}):
        refused = client.put(f"/api/v1/vetting/{cert}", auth=STAFF, json=bad)
        assert refused.status_code == 400, (bad, refused.text)
    assert staff_vetting(hq) == {cert_key(cert): ("failed", False, "刘警官")}


@pytest.mark.slow
def test_vetting_details_on_postgres(postgres_db: str) -> None:
    """Migration 0009's columns on PostgreSQL: stored, read back, grouped by session."""
    from app.hq.database import HqDatabase
    from app.hq.vetting import import_vetting, set_vetting, training_sessions

    db = HqDatabase(postgres_db)
    try:
        set_vetting(db, "staff-wang", "辽200000000001", "failed", False, "复查",
                    {"background_date": "2026-11-30", "officer": "刘警官",
                     "training_session": "第3期", "training_date": "2026-11-28"})
        shown = import_vetting(db, "staff-wang", (
            "cert_no,background,trained,training_session,training_date\n"
            "辽200000000002,cleared,yes,第3期,2026-11-28\n").encode())
        assert shown == {"people": 1, "event_rows": 0}
        with db.Session() as s:
            row = s.get(Vetting, "200000000001")
            assert row is not None and row.background_date == date(2026, 11, 30)
            assert (row.officer, row.training_passed) == ("刘警官", False)
            assert training_sessions(s) == [{"session": "第3期", "date": "2026-11-28",
                                             "people": 2, "passed": 1}]
    finally:
        db.close()

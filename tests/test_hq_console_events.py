"""HQ's console, events (issue 14), through FastAPI's TestClient: a new event from a roster
uploaded in the browser (row-by-row preview that stores nothing, then the confirmation that
runs ``hq add-event``'s own function), hostile uploads refused, laptops assigned to an event
and a zone, the package for one laptop (signed, with its zone, the takedown recorded), the
event page's merged view, last contact and pending changes; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.hq import audit
from app.hq.console import events as events_pages
from app.hq.console.common import local_time
from app.hq.models import (
    HQ_DEVICE,
    AuditEntry,
    Device,
    DeviceEvent,
    EventAssignment,
    PersonPseudonym,
    Record,
)
from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import PACKAGE_FORMAT, read_signed
from app.sync.protocol import Record as SyncRecord
from tests.helpers.badges import HEADER
from tests.helpers.hq_console import (
    add_accounts,
    console_client,
    csrf_of,
    sign_in,
)
from tests.test_formula_injection import INJECTED, guard
from tests.test_hq_store import enrol_device, full_payload
from tests.test_roster_limits import craft_xlsx, header_rows, repeated

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "roster_concert_600.xlsx"
EVENT = {"name": "国际马拉松", "venue": "滨海大道", "organizer": "市体育局",
         "starts_at": "2026-12-12T07:30", "risk": "high", "attendance": "30000",
         "company": "", "licence": ""}
ID_NUMBER = re.compile(r"\b\d{17}[\dX]\b")


def make_store(url: str) -> HqStore:
    store = HqStore(url)
    add_accounts(store)
    return store


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = make_store(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:
    with console_client(hq) as test_client:
        yield test_client


def stored(hq: HqStore) -> tuple[int, int, int, int, int]:
    """Records, pseudonyms, audit entries, assignments, takedowns: what a refusal leaves."""
    with hq.Session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(table)) or 0)
                     for table in (Record, PersonPseudonym, AuditEntry, EventAssignment,
                                   DeviceEvent))  # type: ignore[return-value]


def stashed(client: TestClient) -> int:
    found = getattr(client.app.state, "roster_stash", None)  # type: ignore[attr-defined]
    return 0 if found is None else len(found)


def upload(client: TestClient, csrf: str | None, data: bytes,
           file_name: str = "名单.xlsx", **fields: str) -> httpx.Response:
    form = {**EVENT, **fields}
    if csrf is not None:
        form["csrf"] = csrf
    return client.post("/console/events/preview", data=form,
                       files={"roster": (file_name, data, "application/octet-stream")})


def package(client: TestClient, csrf: str | None, event_id: str, device_id: str
            ) -> httpx.Response:
    """The form on the event page that downloads a laptop's package."""
    form = {"device": device_id} if csrf is None else {"csrf": csrf, "device": device_id}
    return client.post(f"/console/events/{event_id}/package", data=form)


def token_of(page: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def write_csv(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def create(client: TestClient, csrf: str, **fields: str) -> str:
    """A new event from the fixture roster through preview and confirmation; its id."""
    preview = upload(client, csrf, FIXTURE.read_bytes(), **fields)
    assert preview.status_code == 200, preview.text
    answer = client.post("/console/events/create", data={"csrf": csrf,
                                                          "token": token_of(preview.text)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/console/events/([0-9a-f-]{36})\?saved=created",
                         answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


def hq_rows(hq: HqStore, event_id: str) -> dict[str, int]:
    with hq.Session() as s:
        return {kind: int(n) for kind, n in s.execute(
            select(Record.kind, func.count()).where(Record.event_id == event_id,
                                                    Record.device_id == HQ_DEVICE)
            .group_by(Record.kind))}


# ------------------------------------------------------------------ a new event
def test_not_signed_in_goes_to_the_sign_in_form(client: TestClient, hq: HqStore) -> None:
    before = stored(hq)
    for path in ("/console/events", "/console/events/new", "/console/events/x"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"
    answer = client.post("/console/events/x/package", data={"csrf": "x", "device": "y"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"
    assert upload(client, "x", FIXTURE.read_bytes()).status_code == 200  # the sign-in form
    assert stored(hq) == before and stashed(client) == 0


def test_the_preview_shows_every_row_and_stores_nothing(client: TestClient,
                                                         hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    listing = client.get("/console/events")
    assert listing.status_code == 200 and 'href="/console/events/new"' in listing.text
    assert "no events yet" in listing.text
    form = client.get("/console/events/new")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    before = stored(hq)
    page = upload(client, csrf, FIXTURE.read_bytes())
    assert page.status_code == 200, page.text
    assert stored(hq) == before and stashed(client) == 1
    lines = re.findall(r'<tr data-line="(\d+)" class="row-(\w+)">', page.text)
    assert len(lines) == 600 and lines[0][0] == "3"  # a title row, the header, then guards
    assert {verdict for _, verdict in lines} <= {"ok", "warning"}
    assert re.search(r"600</b> 行，可导入 <b>600</b>", page.text)
    # A row as the laptop keeps it: the ID number masked, never the number itself.
    first = page.text[page.text.index('data-line="3"'):]
    first = first[:first.index("</tr>")]
    assert re.search(r"<td>\d{3}\*{11}[\dX]{4}</td>", first), first
    assert not ID_NUMBER.search(page.text)
    assert 'id="confirm"' in page.text and "create the event with 600" in page.text


def test_confirming_creates_the_event_as_hq_add_event_does(client: TestClient, hq: HqStore,
                                                           tmp_path: Path) -> None:
    csrf = sign_in(client, "staff-wang")
    preview = upload(client, csrf, FIXTURE.read_bytes())
    token = token_of(preview.text)
    records_before, pseudonyms_before, *_ = stored(hq)
    answer = client.post("/console/events/create", data={"csrf": csrf, "token": token},
                         follow_redirects=False)
    assert answer.status_code == 303
    event_id = answer.headers["location"].split("/")[3].split("?")[0]
    assert stashed(client) == 0
    rows = hq_rows(hq, event_id)
    assert rows["event"] == 1 and rows["guard"] == 600
    with hq.Session() as s:
        event = json.loads(s.get(Record, event_id).payload)  # type: ignore[union-attr]
        assert int(s.scalar(select(func.count()).select_from(PersonPseudonym).where(
            PersonPseudonym.event_id == event_id)) or 0) == 600
    assert (event["name"], event["venue"], event["organizer"], event["risk_level"],
            event["expected_attendance"]) == ("国际马拉松", "滨海大道", "市体育局", "high", 30000)
    [entry] = [e for e in audit.entries(hq.db) if e["action"] == "event.add"]
    assert entry["actor"] == "staff-wang" and entry["target"] == f"event:{event_id}"
    assert entry["after"] == {"name": "国际马拉松", "rows": 600, "valid": 600}
    # The same function as the command line: its posts and guards are the command's.
    other = make_store(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    try:
        cli_id, _ = other.add_event(FIXTURE, "国际马拉松", risk="high", attendance=30000)
        assert hq_rows(other, cli_id) == rows
    finally:
        other.close()
    # Confirmed once only; a second event of that name is refused at the preview.
    after = stored(hq)
    again = client.post("/console/events/create", data={"csrf": csrf, "token": token})
    assert again.status_code == 409 and "Nothing was stored" in again.text
    refused = upload(client, csrf, FIXTURE.read_bytes())
    assert refused.status_code == 409 and "already prepared an event named" in refused.text
    assert stored(hq) == after and stashed(client) == 0
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and 'id="saved"' in page.text
    listing = client.get("/console/events").text
    assert f'href="/console/events/{event_id}"' in listing
    assert re.search(r'class="num guards">600<', listing)


def test_a_viewer_may_not_create_and_a_wrong_csrf_changes_nothing(
        client: TestClient, hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    token = token_of(upload(client, csrf, FIXTURE.read_bytes()).text)
    before = stored(hq)
    for wrong in (None, "", "x" * 43):
        assert upload(client, wrong, FIXTURE.read_bytes()).status_code == 403
        assert client.post("/console/events/create",
                           data={"token": token, **({"csrf": wrong} if wrong is not None
                                                    else {})}).status_code == 403
    assert stored(hq) == before and stashed(client) == 1
    with TestClient(client.app, base_url="http://127.0.0.1") as viewer:
        viewer_csrf = sign_in(viewer, "viewer-zhao")
        assert viewer.get("/console/events").status_code == 200
        assert "/console/events/new" not in viewer.get("/console/events").text
        assert viewer.get("/console/events/new").status_code == 403
        answer = upload(viewer, viewer_csrf, FIXTURE.read_bytes())
        assert answer.status_code == 403 and "Nothing was changed" in answer.text
        # The staff's token is bound to the staff's session.
        assert viewer.post("/console/events/create", data={
            "csrf": viewer_csrf, "token": token}).status_code == 403
    with TestClient(client.app, base_url="http://127.0.0.1") as other_staff:
        other_csrf = sign_in(other_staff, "admin-li")
        answer = other_staff.post("/console/events/create",
                                  data={"csrf": other_csrf, "token": token})
        assert answer.status_code == 409
    assert stored(hq) == before


# ------------------------------------------------------------------ hostile uploads
def bomb(folder: Path) -> bytes:
    """20 million empty rows under a header, a few hundred KB packed (tests/test_roster_limits)."""
    return craft_xlsx(folder / "bomb.xlsx", [*header_rows(), *repeated(b"<row/>", 20_000_000)],
                      dimension="A1:K20000000", level=9).read_bytes()


@pytest.mark.parametrize("case", ["png_as_xlsx", "program", "zip_bomb", "binary_csv",
                                  "no_header", "empty"])
def test_a_hostile_file_is_refused_and_stores_nothing(client: TestClient, hq: HqStore,
                                                      case: str, tmp_path: Path) -> None:
    csrf = sign_in(client, "staff-wang")
    files = {
        "png_as_xlsx": ("名单.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, 422),
        "program": ("setup.exe", b"MZ" + b"\0" * 100, 400),
        "zip_bomb": ("名单.xlsx", bomb(tmp_path) if case == "zip_bomb" else b"", 422),
        "binary_csv": ("名单.csv", b"a,b\0c\n" * 100, 422),
        "no_header": ("名单.csv", "甲,乙,丙\n1,2,3\n".encode(), 422),
        "empty": ("名单.csv", b"", 400),
    }
    name, data, status = files[case]
    assert len(data) < 1024 * 1024
    before = stored(hq)
    answer = upload(client, csrf, data, name)
    assert answer.status_code == status, answer.text
    assert 'id="error"' in answer.text and "Nothing was stored" in answer.text
    assert 'name="token"' not in answer.text
    assert stored(hq) == before and stashed(client) == 0


def test_an_upload_too_large_is_refused_before_it_is_read(client: TestClient,
                                                          hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    answer = upload(client, csrf, b"x" * (20 * 1024 * 1024), "名单.csv")
    assert answer.status_code == 413 and "larger than" in answer.text
    assert stored(hq) == before and stashed(client) == 0


def test_a_roster_waiting_for_confirmation_is_on_no_disk(
        client: TestClient, hq: HqStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """The uploaded roster holds full ID numbers: it waits in memory, and the file the check
    reads exists only while it reads (a preview never confirmed leaves nothing behind)."""
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    seen: list[bool] = []
    real_check = events_pages.check_roster

    def check_roster(path: Path, **kwargs: Any) -> Any:
        seen.append(path.is_file() and path.parent.parent == temporary)
        return real_check(path, **kwargs)

    monkeypatch.setattr(events_pages, "check_roster", check_roster)
    csrf = sign_in(client, "staff-wang")
    assert upload(client, csrf, FIXTURE.read_bytes()).status_code == 200
    assert seen == [True] and stashed(client) == 1
    assert list(temporary.iterdir()) == []  # gone once read


def test_an_id_number_stored_as_a_number_is_refused_without_showing_its_digits(
        client: TestClient, hq: HqStore) -> None:
    """A roster whose ID cell Excel turned into a number: the row is refused, and the page
    repeats none of the number (it had printed 2.111021990011901e+17: 16 of 18 digits)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(FIXTURE.read_bytes()))
    sheet = book.active
    assert sheet is not None
    header = next(row for row in sheet.iter_rows(max_row=5)
                  if any(c.value == "身份证号" for c in row))
    column = next(c.column for c in header if c.value == "身份证号")
    cell = sheet.cell(row=header[0].row + 1, column=column)
    id_number = str(cell.value)
    cell.value = float(id_number[:17])  # what Excel keeps: 15 significant digits
    data = io.BytesIO()
    book.save(data)
    csrf = sign_in(client, "staff-wang")
    page = upload(client, csrf, data.getvalue())
    assert page.status_code == 200, page.text
    assert "lost digits" in page.text
    digits = f"{float(id_number[:17]):.15e}".replace(".", "").split("e")[0]
    for start in range(len(digits) - 7):  # no run of 8 of its digits anywhere on the page
        assert digits[start:start + 8] not in page.text, digits[start:start + 8]
    assert id_number[:8] not in page.text


def test_a_roster_past_the_small_body_limit_reaches_the_console_which_judges_it(
        client: TestClient, hq: HqStore) -> None:
    """The roster upload may carry up to 8 MB (a roster of tens of thousands of guards): a
    3 MB file passes HQ's body limit and the console answers it with its own page."""
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    answer = upload(client, csrf, b"\x00\xff" * (1536 * 1024), "名单.csv")
    assert answer.status_code in (400, 422) and 'id="error"' in answer.text, answer.text[:300]
    assert stored(hq) == before and stashed(client) == 0


def test_formula_rows_are_shown_left_out_and_never_stored(client: TestClient,
                                                          hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    rows = [HEADER, guard(1)] + [guard(n, **{column: value}) for n, column, value in INJECTED]
    page = upload(client, csrf, write_csv(rows), "名单.csv")
    assert page.status_code == 200
    verdicts = dict(re.findall(r'<tr data-line="(\d+)" class="row-(\w+)">', page.text))
    assert verdicts["2"] == "ok"
    assert all(verdicts[str(n)] == "error" for n in range(3, 3 + len(INJECTED)))
    assert page.text.count("formula") >= len(INJECTED)
    assert "=cmd|" in page.text  # shown, escaped, as the text it is
    assert "<script" not in page.text
    event_id = client.post("/console/events/create", data={
        "csrf": csrf, "token": token_of(page.text)}, follow_redirects=False
    ).headers["location"].split("/")[3].split("?")[0]
    with hq.Session() as s:
        guards = [json.loads(r.payload) for r in s.scalars(select(Record).where(
            Record.event_id == event_id, Record.kind == "guard"))]
    assert [g["roster_row"] for g in guards] == [2]


def test_a_roster_without_a_valid_row_cannot_be_confirmed(client: TestClient,
                                                          hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    rows = [HEADER] + [guard(n, 姓名="=1+1") for n in range(1, 4)]
    page = upload(client, csrf, write_csv(rows), "名单.csv")
    assert page.status_code == 200 and 'id="blocked"' in page.text
    assert 'id="confirm"' not in page.text and 'name="token"' not in page.text
    assert stored(hq) == before and stashed(client) == 0


@pytest.mark.parametrize("fields, said", [
    ({"name": ""}, "event name"),
    ({"name": "演唱会\u202e"}, "event name"),
    ({"venue": "x" * 201}, "venue"),
    ({"attendance": "-1"}, "attendance"),
    ({"attendance": "1e9"}, "attendance"),
    ({"starts_at": "tomorrow"}, "start"),
    ({"risk": "extreme"}, "risk"),
])
def test_wrong_event_fields_are_refused(client: TestClient, hq: HqStore,
                                        fields: dict[str, str], said: str) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    answer = upload(client, csrf, FIXTURE.read_bytes(), **fields)
    assert answer.status_code == 400 and said in answer.text, answer.text
    assert stored(hq) == before and stashed(client) == 0


def test_a_field_sent_twice_or_a_second_file_is_refused(client: TestClient,
                                                        hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    twice = client.post("/console/events/preview",
                        data={**EVENT, "csrf": csrf, "risk": ["low", "high"]},
                        files={"roster": ("a.csv", b"x", "text/csv")})
    assert twice.status_code == 400 and "more than once" in twice.text
    two_files = client.post("/console/events/preview", data={**EVENT, "csrf": csrf},
                            files=[("roster", ("a.csv", b"x", "text/csv")),
                                   ("roster", ("b.csv", b"y", "text/csv"))])
    assert two_files.status_code == 400
    not_multipart = client.post("/console/events/preview", data={**EVENT, "csrf": csrf})
    assert not_multipart.status_code == 400
    assert stored(hq) == before and stashed(client) == 0


# ------------------------------------------------------------------ laptops, package
def laptop_row(page: str, device_id: str) -> str:
    row = page[page.index(f'<tr data-device="{device_id}">'):]
    return row[:row.index("</tr>")]


def assign(client: TestClient, csrf: str | None, event_id: str, device_id: str,
           zone: str = "A区", action: str = "assign") -> httpx.Response:
    data = {"device_id": device_id, "zone": zone, "action": action}
    if csrf is not None:
        data["csrf"] = csrf
    return client.post(f"/console/events/{event_id}/assignments", data=data,
                       follow_redirects=False)


def assignment_and_package(client: TestClient, hq: HqStore) -> None:
    """Shared by SQLite and PostgreSQL: assign, show, download, unassign."""
    csrf = sign_in(client, "staff-wang")
    event_id = create(client, csrf)
    device_id, _token, _key = enrol_device(hq, supervisor="李建国")
    seen = datetime(2026, 12, 12, 6, 45, tzinfo=UTC)
    with hq.db.begin() as s:
        s.execute(update(Device).where(Device.id == device_id).values(last_seen_at=seen))
    page = client.get(f"/console/events/{event_id}").text
    row = laptop_row(page, device_id)
    assert "李建国" in row and 'class="assigned">否 (no)' in row
    assert f'class="last-seen">{local_time(seen)}<' in row
    assert 'class="num pending">0<' in row and 'class="took">否 (no)' in row

    answer = assign(client, csrf, event_id, device_id, "A区")
    assert answer.status_code == 303
    with hq.Session() as s:
        row_stored = s.get(EventAssignment, (event_id, device_id))
        assert row_stored is not None and row_stored.zone == "A区"
        assert row_stored.assigned_by == "staff-wang"
    page = client.get(answer.headers["location"]).text
    row = laptop_row(page, device_id)
    assert 'class="assigned">是 (yes)' in row and 'class="zone">A区<' in row
    assert re.search(r'class="num laptops">1<', client.get("/console/events").text)
    assign(client, csrf, event_id, device_id, "B区 北门")
    entries = [e for e in audit.entries(hq.db) if e["action"] == "event.assign"]
    assert [(e["before"], e["after"]["zone"]) for e in entries] == [
        ({"device": device_id, "zone": "A区"}, "B区 北门"), (None, "A区")]

    answer = package(client, csrf, event_id, device_id)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="{event_id}.vspkg"'
    _signer, body = read_signed(answer.content, PACKAGE_FORMAT,
                                lambda _s: hq.package_public_key())
    assert body["event_id"] == event_id and body["assignment"] == {"zone": "B区 北门"}
    assert sum(1 for r in body["records"] if r["kind"] == "guard") == 600
    assert hq.takedowns(event_id) == [device_id]
    [takedown] = [e for e in audit.entries(hq.db) if e["action"] == "event.takedown"]
    assert takedown["actor"] == "staff-wang" and takedown["after"] == {"device": device_id}
    assert 'class="took">是 (yes)' in laptop_row(
        client.get(f"/console/events/{event_id}").text, device_id)

    assert assign(client, csrf, event_id, device_id, action="unassign").status_code == 303
    with hq.Session() as s:
        assert s.get(EventAssignment, (event_id, device_id)) is None
    unassigned = package(client, csrf, event_id, device_id)
    _signer, body = read_signed(unassigned.content, PACKAGE_FORMAT,
                                lambda _s: hq.package_public_key())
    assert "assignment" not in body


def test_a_laptop_assigned_to_a_zone_gets_it_in_its_package(client: TestClient,
                                                            hq: HqStore) -> None:
    assignment_and_package(client, hq)


def test_wrong_assignments_are_refused_and_change_nothing(client: TestClient,
                                                          hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    event_id = create(client, csrf)
    device_id, _token, _key = enrol_device(hq)
    before = stored(hq)
    cases = [
        (assign(client, csrf, event_id, device_id, "x" * 101), 400, "zone"),
        (assign(client, csrf, event_id, device_id, "A区\u202e"), 400, "zone"),
        (assign(client, csrf, event_id, device_id, action="delete"), 400, "action"),
        (assign(client, csrf, event_id, "no-such-laptop"), 404, "no enrolled laptop"),
        (assign(client, csrf, event_id, "x\0y"), 404, "no enrolled laptop"),
        (assign(client, csrf, "no-such-event", device_id), 404, "no such event"),
        (assign(client, None, event_id, device_id), 403, "Nothing was changed"),
        (assign(client, "wrong", event_id, device_id), 403, "Nothing was changed"),
    ]
    for answer, status, said in cases:
        assert answer.status_code == status and said in answer.text, answer.text
    for device in ("", "no-such-laptop", "x" * 40):
        assert package(client, csrf, event_id, device).status_code == 404
    assert package(client, csrf, "no-such-event", device_id).status_code == 404
    assert package(client, None, event_id, device_id).status_code == 403  # no CSRF token
    assert package(client, "wrong", event_id, device_id).status_code == 403
    assert client.get(f"/console/events/{event_id}/package",  # a link cannot do it
                      params={"device": device_id}).status_code == 405
    hq.revoke_device(device_id)
    answer = assign(client, csrf, event_id, device_id)
    assert answer.status_code == 409 and "revoked" in answer.text
    answer = package(client, csrf, event_id, device_id)
    assert answer.status_code == 409 and "revoked" in answer.text
    with TestClient(client.app, base_url="http://127.0.0.1") as viewer:
        viewer_csrf = sign_in(viewer, "viewer-zhao")
        assert assign(viewer, viewer_csrf, event_id, device_id).status_code == 403
        assert package(viewer, viewer_csrf, event_id, device_id).status_code == 403
        page = viewer.get(f"/console/events/{event_id}")
        assert page.status_code == 200 and "/assignments" not in page.text
    assert stored(hq) == before
    assert client.get("/console/events/no-such-event").status_code == 404


def test_the_event_page_merges_every_laptops_records(client: TestClient,
                                                     hq: HqStore) -> None:
    csrf = sign_in(client, "staff-wang")
    event_id = create(client, csrf)
    device_id, _token, _key = enrol_device(hq, supervisor="王督导")
    hq.record_takedown(device_id, event_id)
    with hq.Session() as s:
        guards = [json.loads(r.payload) for r in s.scalars(
            select(Record).where(Record.event_id == event_id, Record.kind == "guard")
            .order_by(Record.id).limit(2))]
    post_id = guards[0]["post_id"]
    records = []
    for n, found in enumerate(guards[:1] * 2):  # the same guard checked twice
        records.append(SyncRecord.of("inspection", full_payload(
            "inspection", id=str(uuid.uuid4()), event_id=event_id, post_id=post_id,
            guard_id=found["id"], scanned_text=found["cert_no"], verdict="ok",
            device_id=device_id, updated_at=f"2026-12-12T08:0{n}:00+00:00")).as_json())
    records.append(SyncRecord.of("inspection", full_payload(  # deleted: not counted
        "inspection", id=str(uuid.uuid4()), event_id=event_id, post_id=post_id,
        guard_id=guards[1]["id"], scanned_text=guards[1]["cert_no"], verdict="ok",
        device_id=device_id, deleted_at="2026-12-12T09:00:00+00:00")).as_json())
    records.append(SyncRecord.of("finding", full_payload(
        "finding", id=str(uuid.uuid4()), event_id=event_id, post_id=post_id,
        guard_id=guards[0]["id"], category="staff", item_code="F3", note="证件过期",
        correction="not_corrected", device_id=device_id)).as_json())
    # A change to HQ's guard: that laptop's proposal, pending HQ's decision.
    records.append(SyncRecord.of("guard", dict(guards[1], phone="13900000000")).as_json())
    results = hq.ingest(device_id, records)
    assert [r["status"] for r in results] == ["stored"] * 5, results
    page = client.get(f"/console/events/{event_id}").text
    post = page[page.index(f'<tr data-post="{post_id}">'):]
    post = post[:post.index("</tr>")]
    assert 'class="num checked">1<' in post and 'class="num inspections">2<' in post
    assert 'class="num findings">1<' in post
    mine = page[page.index('<table id="contributions">'):]
    mine = mine[mine.index(f'<tr data-device="{device_id}">'):]
    mine = mine[:mine.index("</tr>")]
    assert "王督导" in mine and 'class="num inspections">2<' in mine
    assert 'class="num findings">1<' in mine
    assert 'class="num pending">1<' in laptop_row(page, device_id)
    assert re.search(r'id="counts">\d+ / 600 / 2 / 1 / 0<', page)


# ------------------------------------------------------------------ PostgreSQL
def test_events_on_postgres(postgres_db: str) -> None:
    store = make_store(postgres_db)
    try:
        with TestClient(create_app(store), base_url="http://127.0.0.1") as client:
            assignment_and_package(client, store)
            csrf = csrf_of(client.get("/console/events/new").text)
            before = stored(store)
            answer = upload(client, csrf, b"\x89PNG" + b"\0" * 100, name="其他活动")
            assert answer.status_code == 422 and stored(store) == before
            event_id = client.get("/console/events").text.split('data-event="')[1][:36]
            page = client.get(f"/console/events/{event_id}")
            assert page.status_code == 200 and re.search(r'id="counts">\d+ / 600 / 0 / 0 / 0<',
                                                         page.text)
    finally:
        store.close()

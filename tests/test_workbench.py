"""The workbench service against a real profile database (no QApplication)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import app.inspection.event_changes as workbench_module
from app.demo import create_demo_event
from app.demo_data import DEMO_EVENT_NAME, MAIN_COMPANY, OTHER_COMPANY
from app.inspection.checklist import load_template
from app.inspection.domain import Verdict
from app.inspection.errors import WorkbenchError
from app.inspection.identity import id_check_char, mask_id_number
from app.inspection.roster import RosterReport, RosterRow, check_roster
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import DB_FILENAME, Database
from app.profile.models import (
    CheckResult,
    Company,
    Event,
    Finding,
    Guard,
    Inspection,
    Post,
    PostStatus,
)

MAIN = "盘锦市安盾保安服务有限公司"
OTHER = "锦州恒安保安服务有限公司"
POST_A, POST_B, POST_C, POST_D = "A区1号安检口", "B区1号检票口", "C区1号巡逻线", "D区1号通道"
CERT_HERE = "辽100000000001"
CERT_B = "辽100000000002"
CERT_OTHER = "辽100000000003"
CERT_FAILED = "辽100000000004"
CERT_UNTRAINED = "辽100000000005"
CERT_NO_POST = "辽100000000006"
CERT_UNKNOWN = "辽999999999999"


@cache
def checked(path: Path) -> RosterReport:
    """check_roster is pure; the tests share one reading of the 600-row fixture."""
    return check_roster(path)


@cache
def fixture_ids(path: Path) -> tuple[str, ...]:
    """The 18-digit ID numbers straight from the spreadsheet, without app code."""
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(min_row=3, values_only=True))
    finally:
        workbook.close()
    ids = tuple(str(row[3]).strip() for row in rows if row[3])
    assert len(ids) == 600
    return ids


def count(wb: Workbench, model: type, *where: object) -> int:
    with wb.db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def all_rows(wb: Workbench, model: type, *where: object) -> list:
    with wb.db.read() as s:
        return list(s.scalars(select(model).where(*where)))


def person_id(n: int) -> str:
    first17 = f"2111021990{1 + n % 12:02d}{10 + n % 18:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def roster_row(row: int, cert: str, *, company: str = MAIN, post: str = POST_A,
               task: str = "安检", background: str = "passed", trained: bool = True,
               name: str | None = None) -> RosterRow:
    return RosterRow(row=row, name=name if name is not None else f"保安{row}", gender="男",
                     id_number=person_id(row), cert_no=cert, company=company, post=post,
                     task_type=task, phone="13912345678", background_check=background,
                     trained=trained)


def small_report() -> RosterReport:
    return RosterReport(source="hand-built", main_company=MAIN, rows=[
        roster_row(3, CERT_HERE),
        roster_row(4, CERT_B, post=POST_B, task="验票"),
        roster_row(5, CERT_OTHER, company=OTHER),
        roster_row(6, CERT_FAILED, post=POST_B, task="验票", background="failed"),
        roster_row(7, CERT_UNTRAINED, post=POST_C, task="巡逻", trained=False),
        roster_row(8, CERT_NO_POST, post="", task=""),
    ])


@pytest.fixture
def event(workbench: Workbench) -> tuple[str, dict[str, str]]:
    """An event contracted to MAIN with six guards over three posts, plus an empty post D."""
    event_id = workbench.save_event(EventInput(name="测试活动", venue="体育场", company_name=MAIN))
    workbench.import_roster(event_id, small_report())
    workbench.save_post(event_id, POST_D, "", "守卫", 2)
    posts = {p.name: p.id for p in workbench.posts(event_id)}
    assert set(posts) == {POST_A, POST_B, POST_C, POST_D}
    return event_id, posts


def scan_at(wb: Workbench, event_id: str, cert: str, post_id: str | None):
    return wb.record_scan(event_id, wb.lookup(event_id, cert, post_id))


# ------------------------------------------------------------ import: fixture
def test_fixture_import_creates_guards_and_posts(workbench: Workbench,
                                                 fixture_roster: Path) -> None:
    report = checked(fixture_roster)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    result = workbench.import_roster(event_id, report)
    assert (result.imported, result.updated, result.posts_created) == (600, 0, 337)
    assert count(workbench, Guard, Guard.event_id == event_id) == 600
    assert count(workbench, Post, Post.event_id == event_id) == 337
    assert count(workbench, Guard, Guard.post_id.is_(None)) == 0

    expected_post = {row.row: row.post for row in report.rows}
    expected_type = {row.post: row.task_type for row in report.rows}
    with workbench.db.read() as s:
        pairs = s.execute(select(Guard.roster_row, Post.name, Post.task_type, Post.zone)
                          .join(Post, Guard.post_id == Post.id)).all()
        headcounts = dict(s.execute(select(Post.name, Post.required_headcount)).all())
        company = s.scalar(select(Company.name).join(Event, Event.company_id == Company.id)
                           .where(Event.id == event_id))
    assert len(pairs) == 600
    for roster_no, post_name, task_type, zone in pairs:
        assert post_name == expected_post[roster_no]
        assert task_type == expected_type[post_name]
        assert zone == post_name[:2]  # "B区7号安检口" -> "B区"
    assert headcounts == dict(Counter(row.post for row in report.rows))
    # the event had no contracted company: the roster's main company becomes it
    assert company == report.main_company


def test_fixture_import_keeps_guard_fields(workbench: Workbench, fixture_roster: Path) -> None:
    report = checked(fixture_roster)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    workbench.import_roster(event_id, report)
    with workbench.db.read() as s:
        guards = {g.roster_row: g for g in s.scalars(select(Guard))}
    # No salt, no hash of the ID number: nothing to try the hidden digits against.
    assert not hasattr(Event, "id_salt") and not hasattr(Guard, "id_hash")
    for row in report.rows:
        guard = guards[row.row]
        assert (guard.name, guard.cert_no, guard.company_name) == (row.name, row.cert_no,
                                                                   row.company)
        assert guard.cert_key == row.cert_no.removeprefix("辽")
        assert guard.id_masked == row.id_number[:3] + "*" * 11 + row.id_number[-4:]
        assert guard.background_check == row.background_check
        assert guard.trained is row.trained
    assert Counter(g.background_check for g in guards.values()) == {
        "passed": 565, "failed": 23, "pending": 12}
    assert Counter(g.trained for g in guards.values()) == {True: 559, False: 41}


def test_no_clear_id_number_anywhere_in_the_profile(workbench: Workbench,
                                                   fixture_roster: Path,
                                                   profile_dir: Path) -> None:
    report = checked(fixture_roster)
    ids = fixture_ids(fixture_roster)
    assert {row.id_number for row in report.rows} == set(ids)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    workbench.import_roster(event_id, report)

    # every table, every column, through SQL
    texts: list[str] = []
    with workbench.db.engine.connect() as conn:
        tables = [name for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table'")]
        assert {"guard", "post", "event", "company"} <= set(tables)
        for table in tables:
            for values in conn.exec_driver_sql(f'SELECT * FROM "{table}"'):
                texts.extend(str(v) for v in values if v is not None)
    joined = "\n".join(texts)
    phones = [row.phone for row in report.rows]
    assert phones[0] in joined  # the scan sees the guards' data...
    for id_number in ids:
        assert id_number not in joined  # ...but not one ID number
        assert id_number[:17] not in joined

    # the raw bytes of the database and its WAL, before and after a checkpoint
    def raw() -> bytes:
        files = [p for p in profile_dir.iterdir() if p.name.startswith(DB_FILENAME)]
        assert any(p.name == DB_FILENAME for p in files)
        return b"".join(p.read_bytes() for p in files)

    for _ in range(2):
        data = raw()
        assert phones[0].encode() in data
        assert mask_id_number(ids[0]).encode() in data
        for id_number in ids:
            assert id_number.encode() not in data
            assert id_number[:17].encode() not in data
        workbench.db.close()  # the last connection closing checkpoints the WAL


def test_reimport_updates_rather_than_duplicates(workbench: Workbench,
                                                 fixture_roster: Path) -> None:
    report = checked(fixture_roster)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    workbench.import_roster(event_id, report)
    with workbench.db.read() as s:
        first_ids = set(s.scalars(select(Guard.id)))
    again = workbench.import_roster(event_id, report)
    assert (again.imported, again.updated, again.posts_created) == (0, 600, 0)
    assert count(workbench, Guard) == 600
    assert count(workbench, Post) == 337
    with workbench.db.read() as s:
        assert set(s.scalars(select(Guard.id))) == first_ids


def test_reimport_of_a_corrected_roster_changes_the_guard(workbench: Workbench) -> None:
    event_id = workbench.save_event(EventInput(name="活动", company_name=MAIN))
    workbench.import_roster(event_id, small_report())
    corrected = small_report()
    corrected.rows[0] = replace(corrected.rows[0], name="改名", post=POST_C, task_type="巡逻",
                                trained=False)
    result = workbench.import_roster(event_id, corrected)
    assert (result.imported, result.updated, result.posts_created) == (0, 6, 0)
    (guard,) = all_rows(workbench, Guard, Guard.cert_no == CERT_HERE)
    post_c = all_rows(workbench, Post, Post.name == POST_C)[0]
    assert (guard.name, guard.post_id, guard.trained) == ("改名", post_c.id, False)


def test_invalid_rows_are_not_imported(workbench: Workbench) -> None:
    report = small_report()
    report.rows[1].has_error = True
    event_id = workbench.save_event(EventInput(name="活动", company_name=MAIN))
    result = workbench.import_roster(event_id, report)
    assert result.imported == 5
    assert count(workbench, Guard, Guard.cert_no == CERT_B) == 0


def test_import_into_a_missing_event_fails(workbench: Workbench) -> None:
    with pytest.raises(WorkbenchError):
        workbench.import_roster(str(uuid.uuid4()), small_report())
    assert count(workbench, Guard) == 0


# ---------------------------------------------------- import: one transaction
def _assert_nothing_imported(wb: Workbench, event_id: str) -> None:
    assert count(wb, Guard) == 0
    assert count(wb, Post) == 0
    assert count(wb, Company) == 0
    with wb.db.read() as s:
        assert s.scalar(select(Event.company_id).where(Event.id == event_id)) is None


def test_import_failing_halfway_leaves_nothing(workbench: Workbench, fixture_roster: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    report = checked(fixture_roster)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    calls = {"n": 0}
    real_mask = workbench_module.mask_id_number

    def failing_mask(id_number: str) -> str:
        calls["n"] += 1
        if calls["n"] == 300:
            raise RuntimeError("disk pulled out")
        return real_mask(id_number)

    monkeypatch.setattr(workbench_module, "mask_id_number", failing_mask)
    with pytest.raises(RuntimeError, match="disk pulled out"):
        workbench.import_roster(event_id, report)
    assert calls["n"] == 300
    _assert_nothing_imported(workbench, event_id)

    monkeypatch.setattr(workbench_module, "mask_id_number", real_mask)
    assert workbench.import_roster(event_id, report).imported == 600
    assert count(workbench, Guard) == 600


def test_import_failing_on_a_later_flush_leaves_nothing(workbench: Workbench,
                                                        fixture_roster: Path) -> None:
    report = checked(fixture_roster)
    rows = list(report.rows)
    rows[450] = replace(rows[450], name=None)  # NOT NULL violated at that row's flush
    broken = RosterReport(source="broken", rows=rows, main_company=report.main_company)
    event_id = workbench.save_event(EventInput(name="演唱会"))
    with pytest.raises(IntegrityError):
        workbench.import_roster(event_id, broken)
    _assert_nothing_imported(workbench, event_id)


def test_check_roster_alone_writes_nothing(tmp_path: Path, fixture_roster: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    profile = tmp_path / "profile"
    monkeypatch.chdir(work)
    monkeypatch.setenv("VENUE_SUPERVISOR_DATA_DIR", str(profile))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    report = check_roster(fixture_roster)
    assert len(report.valid_rows) == 600
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not profile.exists()


def test_check_roster_adds_no_rows_to_an_open_profile(workbench: Workbench,
                                                      fixture_roster: Path) -> None:
    workbench.save_event(EventInput(name="演唱会"))
    check_roster(fixture_roster)
    assert count(workbench, Guard) == 0
    assert count(workbench, Post) == 0
    assert count(workbench, Company) == 0


# -------------------------------------------------------- synced columns
def test_every_record_carries_sync_columns(workbench: Workbench, event) -> None:
    event_id, posts = event
    template = load_template()
    here = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    workbench.set_item(here.id, here.items[0].item, False)
    workbench.mark_all_compliant(here.id, template.items_for("安检"))
    workbench.set_post_status(event_id, posts[POST_D], "absent")
    models = (Company, Event, Post, Guard, Inspection, CheckResult, Finding, PostStatus)
    for model in models:
        rows = all_rows(workbench, model)
        assert rows, model.__tablename__
        for row in rows:
            assert uuid.UUID(row.id).version == 4, (model.__tablename__, row.id)
            assert row.created_at is not None and row.updated_at is not None
            assert row.device_id == workbench.db.device_id
            assert row.deleted_at is None
    assert uuid.UUID(workbench.db.device_id)
    assert workbench.device_id == workbench.db.device_id


def test_device_id_survives_reopening(profile_dir: Path) -> None:
    first = Database(profile_dir)
    device = first.device_id
    first.close()
    second = Database(profile_dir)
    try:
        assert second.device_id == device
    finally:
        second.close()


# ------------------------------------------------------------------ lookup
@pytest.mark.parametrize(
    ("cert", "post", "verdict"),
    [
        (CERT_HERE, POST_A, Verdict.ASSIGNED_HERE),
        (CERT_B, POST_B, Verdict.ASSIGNED_HERE),
        (CERT_HERE, POST_B, Verdict.ASSIGNED_ELSEWHERE),
        (CERT_UNKNOWN, POST_A, Verdict.NOT_ON_ROSTER),
        (CERT_OTHER, POST_A, Verdict.OTHER_COMPANY),  # even at its own post
        (CERT_FAILED, POST_B, Verdict.BACKGROUND_FAILED),
        (CERT_UNTRAINED, POST_C, Verdict.NOT_TRAINED),
        ("辽", POST_A, Verdict.UNREADABLE),
        ("", POST_A, Verdict.UNREADABLE),
        ("\x02\x03\r\n", POST_A, Verdict.UNREADABLE),
        ("保安员证", POST_A, Verdict.UNREADABLE),
    ],
)
def test_lookup_verdicts(workbench: Workbench, event, cert: str, post: str,
                         verdict: Verdict) -> None:
    event_id, posts = event
    result = workbench.lookup(event_id, cert, posts[post])
    assert result.verdict == verdict
    assert result.post is not None and result.post.id == posts[post]
    if verdict in (Verdict.NOT_ON_ROSTER, Verdict.UNREADABLE):
        assert result.guard is None
    else:
        assert result.guard is not None and result.guard.cert_no == cert
    assert count(workbench, Inspection) == 0  # a lookup writes nothing


def test_assigned_elsewhere_names_the_guards_post(workbench: Workbench, event) -> None:
    event_id, posts = event
    result = workbench.lookup(event_id, CERT_HERE, posts[POST_B])
    assert result.verdict == Verdict.ASSIGNED_ELSEWHERE
    assert result.guard.post_name == POST_A
    assert result.guard.post_id == posts[POST_A]
    assert result.post.name == POST_B


def test_lookup_without_a_post_uses_the_guards_post(workbench: Workbench, event) -> None:
    event_id, posts = event
    result = workbench.lookup(event_id, "100000000001", None)  # scanner cannot type 辽
    assert result.verdict == Verdict.ASSIGNED_HERE
    assert result.post is not None and result.post.id == posts[POST_A]
    assert result.post.task_type == "安检"
    assert result.cert_key == "100000000001"
    assert result.guard.id_masked == mask_id_number(person_id(3))


def test_lookup_cleans_scanner_noise(workbench: Workbench, event) -> None:
    event_id, posts = event
    result = workbench.lookup(event_id, "\x02 辽100000000001\r\n", posts[POST_A])
    assert result.verdict == Verdict.ASSIGNED_HERE
    assert result.scanned_text == "辽100000000001"
    assert workbench.lookup(event_id, "１００００００００００１", posts[POST_A]).verdict == (
        Verdict.ASSIGNED_HERE)


def test_other_company_comes_from_the_contract(workbench: Workbench) -> None:
    """The contracted company is the event's, whatever the roster's majority is."""
    event_id = workbench.save_event(EventInput(name="活动", company_name=OTHER))
    workbench.import_roster(event_id, small_report())
    assert workbench.lookup(event_id, CERT_HERE, None).verdict == Verdict.OTHER_COMPANY
    assert workbench.lookup(event_id, CERT_OTHER, None).verdict == Verdict.ASSIGNED_HERE


def test_lookup_is_scoped_to_the_event(workbench: Workbench, event) -> None:
    event_id, _posts = event
    other_event = workbench.save_event(EventInput(name="另一活动", company_name=MAIN))
    assert workbench.lookup(other_event, CERT_HERE, None).verdict == Verdict.NOT_ON_ROSTER
    assert workbench.lookup(event_id, CERT_HERE, None).verdict == Verdict.ASSIGNED_HERE


def test_previous_checks_are_counted(workbench: Workbench, event) -> None:
    event_id, posts = event
    assert workbench.lookup(event_id, CERT_HERE, posts[POST_A]).previous_checks == 0
    scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    assert workbench.lookup(event_id, CERT_HERE, posts[POST_A]).previous_checks == 2


# ------------------------------------------------------------- record_scan
STAFFING = {
    CERT_OTHER: (POST_A, Verdict.OTHER_COMPANY, OTHER),
    CERT_UNKNOWN: (POST_A, Verdict.NOT_ON_ROSTER, ""),
    CERT_FAILED: (POST_B, Verdict.BACKGROUND_FAILED, MAIN),
    CERT_UNTRAINED: (POST_C, Verdict.NOT_TRAINED, MAIN),
}


@pytest.mark.parametrize("cert", list(STAFFING))
def test_record_scan_with_a_staffing_finding(workbench: Workbench, event, cert: str) -> None:
    event_id, posts = event
    post_name, verdict, company = STAFFING[cert]
    info = scan_at(workbench, event_id, cert, posts[post_name])
    assert info.scan.verdict == verdict
    (inspection,) = all_rows(workbench, Inspection)
    assert inspection.id == info.id
    assert (inspection.event_id, inspection.post_id) == (event_id, posts[post_name])
    assert inspection.verdict == str(verdict)
    assert inspection.scanned_text == cert
    assert (inspection.template_id, inspection.template_version) == ("checklist", 1)
    (finding,) = all_rows(workbench, Finding)
    assert finding.category == "staffing"
    assert finding.item_code == f"staffing.{verdict}"
    assert finding.inspection_id == inspection.id
    assert finding.post_id == posts[post_name]
    assert finding.guard_id == inspection.guard_id
    assert finding.company_name == company
    assert finding.correction == "not_corrected"
    assert info.staffing_finding_id == finding.id
    if verdict == Verdict.NOT_ON_ROSTER:
        assert inspection.guard_id is None
    else:
        (guard,) = all_rows(workbench, Guard, Guard.cert_no == cert)
        assert inspection.guard_id == guard.id


@pytest.mark.parametrize(("cert", "post_name"), [(CERT_HERE, POST_A), (CERT_NO_POST, POST_C)])
def test_record_scan_without_finding(workbench: Workbench, event, cert: str,
                                     post_name: str) -> None:
    """At the guard's own post; or a guard the roster fixes to no post (not off post)."""
    event_id, posts = event
    info = scan_at(workbench, event_id, cert, posts[post_name])
    (inspection,) = all_rows(workbench, Inspection)
    assert inspection.verdict == str(info.scan.verdict)
    assert inspection.post_id == posts[post_name]
    assert count(workbench, Finding) == 0
    assert count(workbench, CheckResult) == 0
    assert info.staffing_finding_id is None
    task = "安检" if post_name == POST_A else "巡逻"
    assert tuple(state.item for state in info.items) == load_template().items_for(task)
    assert all(state.compliant is None for state in info.items)


def test_a_scan_at_another_post_records_the_off_post_finding(workbench: Workbench,
                                                             event) -> None:
    """定岗位: a guard found away from the post fixed to them is off post (脱岗/串岗), the
    checklist's 在岗在位 item not met; it is scored, and undoing the scan removes it."""
    from app.evaluation.scoring import compute_score

    event_id, posts = event
    before = compute_score(workbench.db, event_id)
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_C])
    assert info.scan.verdict == Verdict.ASSIGNED_ELSEWHERE
    (finding,) = all_rows(workbench, Finding)
    assert (finding.category, finding.item_code) == ("duty", "duty.on_post")
    assert (finding.inspection_id, finding.post_id) == (info.id, posts[POST_C])
    assert finding.guard_id == info.scan.guard.id and finding.company_name == MAIN
    assert finding.correction == "not_corrected"
    (result,) = all_rows(workbench, CheckResult)
    assert (result.item_code, result.compliant) == ("duty.on_post", False)
    on_post = next(state for state in info.items if state.item.code == "duty.on_post")
    assert (on_post.compliant, on_post.finding_id) == (False, finding.id)
    assert info.staffing_finding_id is None  # the card's editor is for staffing findings
    assert sum(1 for state in info.items if state.compliant is not None) == 1

    score = compute_score(workbench.db, event_id)
    (deduction,) = score.deductions
    assert (deduction.reason_code, deduction.category) == ("duty.on_post", "duty")
    assert deduction.finding_ids == (finding.id,) and deduction.base_points == 2.0
    assert score.total == before.total - 2.0

    # A tick of the item as met clears it, as for any item; undo brings it back.
    workbench.set_item(info.id, on_post.item, True)
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 0
    workbench.undo()
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 1
    assert workbench.undo() == "scan"
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 0
    assert count(workbench, CheckResult, CheckResult.deleted_at.is_(None)) == 0
    assert compute_score(workbench.db, event_id).total == before.total


def test_unreadable_scan_is_not_recorded(workbench: Workbench, event) -> None:
    event_id, posts = event
    scan = workbench.lookup(event_id, "辽", posts[POST_A])
    with pytest.raises(WorkbenchError):
        workbench.record_scan(event_id, scan)
    assert count(workbench, Inspection) == 0
    assert not workbench.can_undo


# -------------------------------------------------------- checklist items
def test_non_compliant_item_opens_a_finding_and_compliant_tombstones_it(workbench: Workbench,
                                                                      event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    item = info.items[0].item
    state = workbench.set_item(info.id, item, False)
    (result,) = all_rows(workbench, CheckResult)
    assert (result.inspection_id, result.item_code, result.category, result.compliant) == (
        info.id, item.code, item.category, False)
    (finding,) = all_rows(workbench, Finding)
    assert (finding.inspection_id, finding.item_code, finding.category) == (
        info.id, item.code, item.category)
    assert (finding.company_name, finding.post_id) == (MAIN, posts[POST_A])
    assert finding.deleted_at is None
    assert state.compliant is False and state.finding_id == finding.id

    state = workbench.set_item(info.id, item, True)
    assert state.compliant is True and state.finding_id is None
    (result,) = all_rows(workbench, CheckResult)
    assert result.compliant is True and result.deleted_at is None
    (finding,) = all_rows(workbench, Finding)
    assert finding.deleted_at is not None

    state = workbench.set_item(info.id, item, False)  # reopened, not duplicated
    (finding_again,) = all_rows(workbench, Finding)
    assert finding_again.id == finding.id and finding_again.deleted_at is None
    assert state.finding_id == finding.id


def test_mark_all_compliant_fills_only_unset_items(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    items = tuple(state.item for state in info.items)
    workbench.set_item(info.id, items[1], False)
    states = workbench.mark_all_compliant(info.id, items)
    assert [s.compliant for s in states] == [i != 1 for i in range(len(items))]
    results = {r.item_code: r.compliant for r in all_rows(workbench, CheckResult)}
    assert results == {item.code: item is not items[1] for item in items}
    (finding,) = all_rows(workbench, Finding)
    assert finding.item_code == items[1].code and finding.deleted_at is None
    assert states[1].finding_id == finding.id
    # a second call changes nothing
    workbench.mark_all_compliant(info.id, items)
    assert count(workbench, CheckResult) == len(items)


def test_set_item_on_an_undone_inspection_is_refused(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    workbench.undo()
    with pytest.raises(WorkbenchError):
        workbench.set_item(info.id, info.items[0].item, False)


# -------------------------------------------------------------- findings
def test_update_finding_note_correction_and_evidence(workbench: Workbench, event,
                                                     profile_dir: Path, tmp_path: Path) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    finding_id = info.staffing_finding_id
    assert finding_id
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(b"\xff\xd8\xff\xe0 fake jpeg \xff\xd9")
    workbench.update_finding(finding_id, note="借调人员，已令其离岗", correction="corrected",
                             evidence_file=photo)
    (finding,) = all_rows(workbench, Finding)
    assert (finding.note, finding.correction) == ("借调人员，已令其离岗", "corrected")
    stored = Path(finding.evidence_path)
    assert not stored.is_absolute() and stored.parent == Path("evidence")
    assert stored.suffix == ".jpg"
    assert (profile_dir / stored).read_bytes() == photo.read_bytes()
    assert photo.exists()  # a copy, the original stays
    assert workbench.finding(finding_id).note == "借调人员，已令其离岗"

    workbench.update_finding(finding_id, note="改")  # other fields untouched
    (finding,) = all_rows(workbench, Finding)
    assert (finding.note, finding.correction, finding.evidence_path) == (
        "改", "corrected", str(stored))


def test_update_finding_errors(workbench: Workbench, event, tmp_path: Path,
                               profile_dir: Path) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    with pytest.raises(WorkbenchError):
        workbench.update_finding(info.staffing_finding_id, evidence_file=tmp_path / "none.jpg")
    with pytest.raises(WorkbenchError):
        workbench.update_finding(str(uuid.uuid4()), note="x")
    (finding,) = all_rows(workbench, Finding)
    assert finding.evidence_path is None and finding.note == ""
    assert not (profile_dir / "evidence").exists() or not any(
        (profile_dir / "evidence").iterdir())


# ------------------------------------------------------------------- undo
def test_undo_scan_tombstones_inspection_finding_and_results(workbench: Workbench,
                                                            event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    workbench.set_item(info.id, info.items[0].item, False)
    other = scan_at(workbench, event_id, CERT_UNTRAINED, posts[POST_C])
    workbench.set_item(other.id, other.items[0].item, False)
    workbench.undo()  # the item
    assert workbench.undo() == "scan"
    (inspection,) = all_rows(workbench, Inspection, Inspection.id == other.id)
    assert inspection.deleted_at is not None
    for finding in all_rows(workbench, Finding, Finding.inspection_id == other.id):
        assert finding.deleted_at is not None
    assert count(workbench, Finding, Finding.inspection_id == other.id) == 2
    # the first inspection is untouched
    assert all(f.deleted_at is None
               for f in all_rows(workbench, Finding, Finding.inspection_id == info.id))
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 2
    assert workbench.dashboard(event_id).inspections == 1


def test_undo_scan_also_removes_its_check_results(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    workbench.mark_all_compliant(info.id, tuple(s.item for s in info.items))
    workbench._undo.pop()  # drop the mark-all step: undo the scan directly
    assert workbench.undo() == "scan"
    assert count(workbench, CheckResult) == len(info.items)
    assert count(workbench, CheckResult, CheckResult.deleted_at.is_(None)) == 0
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 0
    assert count(workbench, Inspection, Inspection.deleted_at.is_(None)) == 0


def test_undo_new_non_compliant_item(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    workbench.set_item(info.id, info.items[0].item, False)
    assert workbench.undo() == "item"
    (result,) = all_rows(workbench, CheckResult)
    assert result.deleted_at is not None
    (finding,) = all_rows(workbench, Finding)
    assert finding.deleted_at is not None
    states = workbench.item_states(info.id, (info.items[0].item,))
    assert states[0].compliant is None and states[0].finding_id is None


def test_undo_item_back_to_non_compliant(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    item = info.items[0].item
    workbench.set_item(info.id, item, False)
    workbench.set_item(info.id, item, True)
    assert workbench.undo() == "item"
    (result,) = all_rows(workbench, CheckResult)
    assert result.compliant is False and result.deleted_at is None
    (finding,) = all_rows(workbench, Finding)
    assert finding.deleted_at is None


def test_undo_item_back_to_compliant(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    item = info.items[0].item
    workbench.set_item(info.id, item, True)
    workbench.set_item(info.id, item, False)
    assert workbench.undo() == "item"
    (result,) = all_rows(workbench, CheckResult)
    assert result.compliant is True and result.deleted_at is None
    (finding,) = all_rows(workbench, Finding)
    assert finding.deleted_at is not None


def test_undo_mark_all_compliant_keeps_earlier_results(workbench: Workbench, event) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    items = tuple(s.item for s in info.items)
    workbench.set_item(info.id, items[0], False)
    workbench.mark_all_compliant(info.id, items)
    assert workbench.undo() == "all"
    live = all_rows(workbench, CheckResult, CheckResult.deleted_at.is_(None))
    assert [(r.item_code, r.compliant) for r in live] == [(items[0].code, False)]
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 1


def test_undo_finding_update(workbench: Workbench, event, tmp_path: Path) -> None:
    event_id, posts = event
    info = scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    photo = tmp_path / "p.png"
    photo.write_bytes(b"\x89PNG")
    workbench.update_finding(info.staffing_finding_id, note="一", correction="corrected")
    workbench.update_finding(info.staffing_finding_id, note="二", evidence_file=photo)
    assert workbench.undo() == "finding"
    (finding,) = all_rows(workbench, Finding)
    assert (finding.note, finding.correction, finding.evidence_path) == ("一", "corrected", None)
    assert workbench.undo() == "finding"
    (finding,) = all_rows(workbench, Finding)
    assert (finding.note, finding.correction) == ("", "not_corrected")


def test_undo_post_status(workbench: Workbench, event) -> None:
    event_id, posts = event
    record_id = workbench.set_post_status(event_id, posts[POST_D], "absent", 0, "无人")
    (status,) = all_rows(workbench, PostStatus)
    assert (status.id, status.post_id, status.status, status.note) == (
        record_id, posts[POST_D], "absent", "无人")
    assert workbench.dashboard(event_id).posts_absent == 1
    assert {p.name: p.status for p in workbench.posts(event_id)}[POST_D] == "absent"
    assert workbench.undo() == "post"
    (status,) = all_rows(workbench, PostStatus)
    assert status.deleted_at is not None
    assert workbench.dashboard(event_id).posts_absent == 0
    assert {p.name: p.status for p in workbench.posts(event_id)}[POST_D] is None


def test_undo_order_and_empty_stack(workbench: Workbench, event) -> None:
    event_id, posts = event
    assert not workbench.can_undo and workbench.undo() is None
    info = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    workbench.set_item(info.id, info.items[0].item, False)
    workbench.mark_all_compliant(info.id, tuple(s.item for s in info.items))
    workbench.update_finding(workbench.item_states(info.id, (info.items[0].item,))[0]
                             .finding_id, note="n")
    workbench.set_post_status(event_id, posts[POST_D], "understaffed", 1)
    labels = [workbench.undo() for _ in range(5)]
    assert labels == ["post", "finding", "all", "item", "scan"]
    assert not workbench.can_undo and workbench.undo() is None
    for model in (Inspection, CheckResult, Finding, PostStatus):
        assert count(workbench, model, model.deleted_at.is_(None)) == 0, model.__tablename__


# ------------------------------------------------------------- dashboard
def test_dashboard_counts(workbench: Workbench, event) -> None:
    event_id, posts = event
    empty = workbench.dashboard(event_id)
    assert (empty.posts_total, empty.posts_visited, empty.posts_unstaffed) == (4, 0, 1)
    assert (empty.guards_rostered, empty.guards_checked, empty.findings) == (6, 0, 0)

    here = scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    item = here.items[0].item
    workbench.set_item(here.id, item, False)
    scan_at(workbench, event_id, CERT_HERE, posts[POST_A])  # same guard again
    scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    untrained = scan_at(workbench, event_id, CERT_UNTRAINED, posts[POST_C])
    scan_at(workbench, event_id, CERT_UNKNOWN, posts[POST_C])
    workbench.set_post_status(event_id, posts[POST_D], "absent")
    workbench.set_post_status(event_id, posts[POST_D], "absent")  # same post twice
    workbench.set_post_status(event_id, posts[POST_B], "understaffed", 1)
    workbench.update_finding(untrained.staffing_finding_id, correction="corrected")

    board = workbench.dashboard(event_id)
    assert board.posts_total == 4
    assert board.posts_visited == 2  # A and C
    assert board.posts_unstaffed == 1  # D
    assert (board.posts_absent, board.posts_understaffed) == (1, 1)
    assert board.guards_rostered == 6
    assert board.guards_checked == 3  # here, other, untrained; the unknown one has no guard
    assert board.inspections == 5
    assert board.findings == 4
    assert board.findings_not_corrected == 3
    assert board.findings_by_category == {"staffing": 3, item.category: 1, "post": 2}
    assert board.findings_by_company == {MAIN: 2, OTHER: 1, "?": 1}


def test_posts_view_counts(workbench: Workbench, event) -> None:
    event_id, posts = event
    scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    scan_at(workbench, event_id, CERT_HERE, posts[POST_A])
    scan_at(workbench, event_id, CERT_OTHER, posts[POST_A])
    infos = {p.name: p for p in workbench.posts(event_id)}
    assert (infos[POST_A].assigned_count, infos[POST_A].inspected_count) == (2, 2)
    assert (infos[POST_B].assigned_count, infos[POST_B].inspected_count) == (2, 0)
    assert (infos[POST_D].assigned_count, infos[POST_D].required_headcount) == (0, 2)
    assert infos[POST_A].required_headcount == 2
    assert infos[POST_A].zone == "A区"


# ------------------------------------------------------------------ events
def test_save_event_rules(workbench: Workbench) -> None:
    event_id = workbench.save_event(EventInput(name=" 活动 ", company_name=MAIN,
                                               company_credit_grade="A"))
    info = workbench.event(event_id)
    assert info.name == "活动" and info.company.name == MAIN and info.company.credit_grade == "A"
    with pytest.raises(WorkbenchError):
        workbench.save_event(EventInput(name="活动"))
    with pytest.raises(WorkbenchError):
        workbench.save_event(EventInput(name="  "))
    assert workbench.save_event(EventInput(name="活动", venue="体育馆"), event_id) == event_id
    assert count(workbench, Event) == 1
    assert count(workbench, Company) == 1


# -------------------------------------------------------------------- demo
def test_demo_event(workbench: Workbench) -> None:
    event_id = create_demo_event(workbench)
    assert count(workbench, Post, Post.event_id == event_id) == 80
    assert count(workbench, Guard, Guard.event_id == event_id) == 606
    posts = workbench.posts(event_id)
    assert len(posts) == 80
    assert sum(1 for p in posts if p.assigned_count == 0) == 4
    with workbench.db.read() as s:
        companies = Counter(s.scalars(select(Guard.company_name)))
        contracted = s.scalar(select(Company.name).join(Event, Event.company_id == Company.id))
    assert companies == {MAIN_COMPANY: 600, OTHER_COMPANY: 6}
    assert contracted == MAIN_COMPANY
    info = workbench.event(event_id)
    assert info.name == DEMO_EVENT_NAME and info.risk_level == "high"
    board = workbench.dashboard(event_id)
    assert board.inspections == 38 and board.posts_absent == 1
    assert board.findings_by_category.get("staffing", 0) >= 2  # the two borrowed guards
    assert not workbench.can_undo

    assert create_demo_event(workbench) == event_id  # twice: no duplicate
    assert count(workbench, Event) == 1
    assert count(workbench, Post) == 80
    assert count(workbench, Guard) == 606
    assert count(workbench, Inspection) == 38


def one_guard_event(workbench: Workbench, cert_no: str, *, company: str, post: str,
                    task_type: str, background: str, trained: bool) -> str:
    """An event of 甲保安公司 whose roster holds one guard, as described."""
    event_id = workbench.save_event(EventInput(name=f"单人测试{cert_no}",
                                               company_name="甲保安公司"))
    report = RosterReport(source="test", main_company="甲保安公司")
    first17 = "21110219900101003"
    report.rows.append(RosterRow(
        row=3, name="测试人员", gender="男", id_number=first17 + id_check_char(first17),
        cert_no=cert_no, company=company, post=post, task_type=task_type, phone="",
        background_check=background, trained=trained))
    workbench.import_roster(event_id, report)
    return event_id


def test_every_verdict_that_applies_is_given(workbench: Workbench) -> None:
    """A guard fixed to one post, found at another, never trained, of another company and
    with a background check still pending: the headline is the most serious, the rest are
    listed, and each staffing problem is a finding of its own."""
    event_id = one_guard_event(workbench, "辽300000000001", company="乙保安公司",
                               post="A区9号通道", task_type="守卫", background="pending",
                               trained=False)
    other = workbench.save_post(event_id, "A区3号通道", "A区", "守卫", 8)
    scan = workbench.lookup(event_id, "辽300000000001", other)
    assert scan.verdict == Verdict.OTHER_COMPANY
    assert scan.verdicts == (Verdict.OTHER_COMPANY, Verdict.NOT_TRAINED,
                             Verdict.ASSIGNED_ELSEWHERE, Verdict.BACKGROUND_PENDING)
    assert scan.concerns == scan.verdicts[1:]
    inspection = workbench.record_scan(event_id, scan)
    with workbench.db.read() as s:
        codes = sorted(s.scalars(select(Finding.item_code).where(
            Finding.inspection_id == inspection.id)))
        first = s.get(Finding, inspection.staffing_finding_id)
        assert first is not None and first.item_code == "staffing.other_company"
    assert codes == ["duty.on_post", "staffing.background_pending", "staffing.not_trained",
                     "staffing.other_company"]
    assert {p.name: p.inspected_count for p in workbench.posts(event_id)} == {
        "A区3号通道": 0, "A区9号通道": 0}


def test_pending_background_is_said_but_not_the_headline(workbench: Workbench) -> None:
    event_id = one_guard_event(workbench, "辽300000000002", company="甲保安公司",
                               post="B区1号安检口", task_type="安检", background="pending",
                               trained=True)
    post = workbench.posts(event_id)[0].id
    scan = workbench.lookup(event_id, "辽300000000002", post)
    assert scan.verdict == Verdict.ASSIGNED_HERE
    assert scan.concerns == (Verdict.BACKGROUND_PENDING,)


def test_pending_background_is_a_finding_of_its_own(workbench: Workbench) -> None:
    """Not yet cleared is not cleared: the scan records a staffing finding the score counts."""
    from app.evaluation.rules import load_rules
    from app.evaluation.scoring import compute_score

    event_id = one_guard_event(workbench, "辽300000000003", company="甲保安公司",
                               post="B区1号安检口", task_type="安检", background="pending",
                               trained=True)
    post = workbench.posts(event_id)[0].id
    info = workbench.record_scan(event_id, workbench.lookup(event_id, "辽300000000003", post))
    assert info.scan.verdict == Verdict.ASSIGNED_HERE
    assert info.staffing_finding_id is None  # not the headline: the card's editor stays empty
    (finding,) = all_rows(workbench, Finding, Finding.inspection_id == info.id)
    assert (finding.category, finding.item_code) == ("staffing", "staffing.background_pending")
    score = compute_score(workbench.db, event_id)
    (deduction,) = score.deductions
    assert deduction.reason_code == "staffing.background_pending"
    assert deduction.points == load_rules().staffing_points["staffing.background_pending"] == 4
    assert score.total == 96.0
    assert load_rules().label("staffing.background_pending") == "背景审查未完成人员上岗"
    workbench.undo()
    assert count(workbench, Finding, Finding.deleted_at.is_(None)) == 0


def test_a_post_counts_once_at_its_worst_state_everywhere(workbench: Workbench) -> None:
    """Absent at seven, understaffed at eight: one absent post on the dashboard, in the post
    list and in the score, never one of each."""
    from app.evaluation.scoring import compute_score

    event_id = workbench.save_event(EventInput(name="岗位状态", company_name="甲保安公司"))
    post = workbench.save_post(event_id, "C区1号看台", "C区", "秩序维护", 4)
    workbench.set_post_status(event_id, post, "absent")
    workbench.set_post_status(event_id, post, "understaffed", 2)
    figures = workbench.dashboard(event_id)
    assert (figures.posts_absent, figures.posts_understaffed) == (1, 0)
    assert workbench.posts(event_id)[0].status == "absent"
    post_deductions = [d.reason_code for d in compute_score(workbench.db, event_id).deductions
                       if d.reason_code.startswith("post.")]
    assert post_deductions == ["post.absent"]

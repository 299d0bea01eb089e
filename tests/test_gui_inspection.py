"""The inspection screen driven like a supervisor does: a scanner typing into the scan field,
Ctrl+number, F2, F3, F6, a typed note, undo. Every check looks at the card on screen and at
the rows in the profile's database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox
from sqlalchemy import event, select

from app.inspection.domain import Verdict, verdict_text
from app.inspection.identity import cert_key, id_check_char
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import DB_FILENAME
from app.profile.models import CheckResult, Finding, Inspection, PostStatus
from tests.conftest import release_widgets
from tests.test_scan_router import deliver, strokes
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background
from ui.widgets.scan_field import SCANNER_IDLE_MS

pytestmark = pytest.mark.gui

MAIN = "辽宁安盾保安服务有限公司"
OTHER = "锦州恒安保安服务有限公司"
POST_A = "A区1号安检口"
POST_B = "B区2号检票口"
# key: (certificate, company, post, task type, background check, trained)
GUARDS = {
    "here": ("辽100000000001", MAIN, POST_A, "安检", "passed", True),
    "elsewhere": ("辽100000000002", MAIN, POST_B, "验票", "passed", True),
    "other": ("辽100000000003", OTHER, POST_A, "安检", "passed", True),
    "failed": ("辽100000000004", MAIN, POST_A, "安检", "failed", True),
    "untrained": ("辽100000000005", MAIN, POST_A, "安检", "passed", False),
}
NOT_ON_ROSTER = "100000009999"


@dataclass(frozen=True)
class SmallEvent:
    event_id: str
    posts: dict[str, str]  # post name -> id
    certs: dict[str, str]  # guard key -> certificate number


def small_roster() -> RosterReport:
    report = RosterReport(source="test", main_company=MAIN)
    for row_no, (key, (cert, company, post, task, background, trained)) in enumerate(
            GUARDS.items(), start=3):
        first17 = f"21110219900101{row_no:03d}"
        report.rows.append(RosterRow(
            row=row_no, name=f"测试{key}", gender="男", id_number=first17 + id_check_char(first17),
            cert_no=cert, company=company, post=post, task_type=task, phone="13800000000",
            background_check=background, trained=trained))
    return report


@pytest.fixture
def lang() -> str:
    return "en"




@pytest.fixture
def gui(qapp, lang):
    app = make_application(lang)
    yield app
    release_widgets()




@pytest.fixture
def small_event(workbench: Workbench) -> SmallEvent:
    event_id = workbench.save_event(EventInput(name="测试演唱会", company_name=MAIN))
    workbench.import_roster(event_id, small_roster())
    posts = {p.name: p.id for p in workbench.posts(event_id)}
    return SmallEvent(event_id, posts, {key: spec[0] for key, spec in GUARDS.items()})


@pytest.fixture
def window(gui, qtbot, workbench, small_event, lang, messages):
    win = MainWindow(workbench, lang, small_event.event_id)
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.inspection.scan_field.hasFocus)
    yield win
    win.close()


def live_inspections(workbench: Workbench) -> list[Inspection]:
    with workbench.db.read() as s:
        return list(s.scalars(select(Inspection).where(Inspection.deleted_at.is_(None))
                              .order_by(Inspection.created_at)))


def live_results(workbench: Workbench, inspection_id: str) -> dict[str, bool]:
    with workbench.db.read() as s:
        return {r.item_code: r.compliant for r in s.scalars(select(CheckResult).where(
            CheckResult.inspection_id == inspection_id, CheckResult.deleted_at.is_(None)))}


def live_findings(workbench: Workbench, inspection_id: str) -> dict[str, Finding]:
    with workbench.db.read() as s:
        return {f.item_code: f for f in s.scalars(select(Finding).where(
            Finding.inspection_id == inspection_id, Finding.deleted_at.is_(None)))}


def scan(qtbot, window: MainWindow, text: str, terminator=Qt.Key.Key_Return) -> None:
    field = window.inspection.scan_field
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, terminator)


def typing_a_note(qtbot, window: MainWindow, small_event: SmallEvent, item: int):
    """A guard scanned at his post, checklist item ``item`` marked a finding, the note
    clicked: the supervisor is about to type. Returns the page, the finding and the note."""
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    page.toggle_item(item)
    note = page.finding_editor.note
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    return page, page.finding_editor.finding_id, note


# ------------------------------------------------------------------ verdicts
VERDICT_CASES = [
    # (verdict, what is scanned: a guard key or literal text, where the supervisor stands)
    (Verdict.ASSIGNED_HERE, "here", POST_A),
    (Verdict.ASSIGNED_ELSEWHERE, "elsewhere", POST_A),
    (Verdict.NOT_ON_ROSTER, NOT_ON_ROSTER, POST_A),
    (Verdict.OTHER_COMPANY, "other", POST_A),
    (Verdict.BACKGROUND_FAILED, "failed", POST_A),
    (Verdict.NOT_TRAINED, "untrained", POST_A),
    (Verdict.UNREADABLE, "###", POST_A),
]


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize(("verdict", "scanned", "post"), VERDICT_CASES,
                         ids=[str(case[0]) for case in VERDICT_CASES])
def test_typed_certificate_gives_the_verdict(qtbot, window, workbench, small_event, verdict,
                                             scanned, post, lang):
    page = window.inspection
    page.select_post(small_event.posts[post])
    assert page.current_post is not None and page.current_post.name == post
    # A keyboard-wedge scanner types what it can: the digits, not the province prefix 辽.
    text = cert_key(small_event.certs[scanned]) if scanned in small_event.certs else scanned
    with qtbot.waitSignal(page.card_shown, timeout=3000) as shown:
        scan(qtbot, window, text)
    assert shown.args[0].verdict == verdict
    assert page.card.verdict_label.text() == verdict_text(verdict)
    assert page.scan_field.text() == ""

    rows = live_inspections(workbench)
    if verdict == Verdict.UNREADABLE:
        assert rows == []  # nothing to record, scan again
        assert page.inspection is None
        return
    assert [r.verdict for r in rows] == [str(verdict)]
    assert rows[0].post_id == small_event.posts[post]
    assert rows[0].id == page.inspection.id
    if verdict == Verdict.ASSIGNED_ELSEWHERE:
        assert POST_B in page.card.detail_label.text()  # the guard's fixed post
        assert POST_B in page.card.facts.text()
    if verdict == Verdict.NOT_ON_ROSTER:
        assert rows[0].guard_id is None
    else:
        assert page.card.name_label.text() == f"测试{scanned}"
    findings = live_findings(workbench, rows[0].id)
    if verdict == Verdict.ASSIGNED_HERE:
        assert findings == {}
    elif verdict == Verdict.ASSIGNED_ELSEWHERE:
        # off the post fixed for him (脱岗/串岗): a finding of the checklist's own item
        assert list(findings) == ["duty.on_post"]
    else:
        assert list(findings) == [f"staffing.{verdict}"]
        assert page.finding_editor.finding_id == findings[f"staffing.{verdict}"].id


def test_scan_without_a_chosen_post_takes_the_guards_fixed_post(qtbot, window, workbench,
                                                                small_event):
    page = window.inspection
    assert page.current_post is None
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    assert page.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)
    assert page.current_post is not None and page.current_post.name == POST_A
    assert POST_A in page.post_heading.text()
    assert [r.post_id for r in live_inspections(workbench)] == [small_event.posts[POST_A]]
    assert len(page.checklist.rows) == len(workbench.template(small_event.event_id)
                                           .items_for("安检"))


def test_full_certificate_with_chinese_prefix_matches(qtbot, window, workbench, small_event):
    """Typed by hand with an input method elsewhere and pasted: the prefix is harmless."""
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    page.scan_field.setText(small_event.certs["here"])
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
    assert page.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)
    assert [r.verdict for r in live_inspections(workbench)] == [Verdict.ASSIGNED_HERE]


# ------------------------------------------------------------- scanner quirks
def test_input_method_is_off_in_the_scan_field(window):
    field = window.inspection.scan_field
    assert field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled) is False


def test_spaces_around_the_number_are_ignored(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, "  " + cert_key(small_event.certs["here"]) + "  ")
    assert page.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)
    rows = live_inspections(workbench)
    assert [r.verdict for r in rows] == [Verdict.ASSIGNED_HERE]
    assert rows[0].scanned_text == cert_key(small_event.certs["here"])


def test_tab_ends_a_scan_and_keeps_the_focus(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["untrained"]), Qt.Key.Key_Tab)
    assert page.card.verdict_label.text() == verdict_text(Verdict.NOT_TRAINED)
    assert [r.verdict for r in live_inspections(workbench)] == [Verdict.NOT_TRAINED]
    assert page.scan_field.hasFocus()
    assert page.scan_field.text() == ""


def test_doubled_enter_records_one_inspection(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    field = page.scan_field
    qtbot.keyClicks(field, cert_key(small_event.certs["here"]))
    with qtbot.waitSignal(field.submitted, timeout=1000):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    with qtbot.assertNotEmitted(field.submitted):
        qtbot.keyClick(field, Qt.Key.Key_Return)
        qtbot.keyClick(field, Qt.Key.Key_Enter)
    assert len(live_inspections(workbench)) == 1
    assert page.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)


def test_burst_without_terminator_submits_after_idle(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    qtbot.keyClicks(page.scan_field, cert_key(small_event.certs["other"]))  # a fast burst
    assert page.scan_field.text() == cert_key(small_event.certs["other"])  # not yet
    qtbot.waitUntil(lambda: len(live_inspections(workbench)) == 1, timeout=3000)
    assert page.card.verdict_label.text() == verdict_text(Verdict.OTHER_COMPANY)
    assert live_inspections(workbench)[0].verdict == Verdict.OTHER_COMPANY
    assert page.scan_field.text() == ""


def test_short_typing_without_terminator_is_not_submitted(qtbot, window, workbench):
    field = window.inspection.scan_field
    with qtbot.assertNotEmitted(field.submitted, wait=SCANNER_IDLE_MS + 150):
        qtbot.keyClicks(field, "10000")  # fewer characters than any scanner burst
    assert field.text() == "10000"
    assert live_inspections(workbench) == []


def test_certificate_without_prefix_matches(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    digits = small_event.certs["failed"].removeprefix("辽")
    assert digits != small_event.certs["failed"]
    scan(qtbot, window, digits)
    assert page.card.verdict_label.text() == verdict_text(Verdict.BACKGROUND_FAILED)
    guard_ids = {g.cert_no: g.id for g in workbench.guards(small_event.event_id)}
    rows = live_inspections(workbench)
    assert [r.guard_id for r in rows] == [guard_ids[small_event.certs["failed"]]]


# ------------------------------------------------------------------- ticking
def test_ticks_notes_correction_and_undo(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    assert window.dashboard.tiles["guards"].text() == "0 / 5"
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    inspection_id = page.inspection.id
    items = [state.item for state in page.checklist.states]
    assert len(items) == 11
    qtbot.waitUntil(lambda: window.dashboard.tiles["guards"].text() == "1 / 5")
    assert window.dashboard.tiles["inspections"].text() == "1"

    # Ctrl+2: item 2 is a finding
    qtbot.keyClick(page.scan_field, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert live_results(workbench, inspection_id) == {items[1].code: False}
    findings = live_findings(workbench, inspection_id)
    assert list(findings) == [items[1].code]
    finding_id = findings[items[1].code].id
    assert page.checklist.states[1].compliant is False
    assert page.finding_editor.finding_id == finding_id
    assert page.finding_editor.note.isEnabled()
    qtbot.waitUntil(lambda: window.dashboard.tiles["findings"].text() == "1 (1)")

    # F2: every other item compliant
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F2)
    results = live_results(workbench, inspection_id)
    assert results == {item.code: item.code != items[1].code for item in items}
    assert [s.compliant for s in page.checklist.states] == [i != 1 for i in range(len(items))]

    # a note typed into the finding editor, Enter saves and gives the focus back
    note = page.finding_editor.note
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, "no insignia worn", delay=45)  # a person types, not a scanner
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert workbench.finding(finding_id).note == "no insignia worn"
    qtbot.waitUntil(page.scan_field.hasFocus)
    assert page.checklist.states[1].note == "no insignia worn"

    # F3: corrected on the spot
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F3)
    assert workbench.finding(finding_id).correction == "corrected"
    assert page.finding_editor.corrected.isChecked()
    qtbot.waitUntil(lambda: window.dashboard.tiles["findings"].text() == "1 (0)")

    # undo, step by step, from the page and from the window's Ctrl+Z
    page.undo()
    assert workbench.finding(finding_id).correction == "not_corrected"
    assert page.finding_editor.not_corrected.isChecked()
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert workbench.finding(finding_id).note == ""
    assert page.finding_editor.note.text() == ""
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_results(workbench, inspection_id) == {items[1].code: False}
    assert [s.compliant for s in page.checklist.states][:3] == [None, False, None]
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_results(workbench, inspection_id) == {}
    assert live_findings(workbench, inspection_id) == {}
    assert page.checklist.states[1].compliant is None
    qtbot.waitUntil(lambda: window.dashboard.tiles["findings"].text() == "0 (0)")
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert live_inspections(workbench) == []
    assert page.inspection is None
    qtbot.waitUntil(lambda: window.dashboard.tiles["guards"].text() == "0 / 5")


def test_toggle_twice_makes_the_item_compliant(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_B])
    scan(qtbot, window, cert_key(small_event.certs["elsewhere"]))
    inspection_id = page.inspection.id
    code = page.checklist.states[0].item.code
    page.toggle_item(0)
    assert live_results(workbench, inspection_id) == {code: False}
    assert code in live_findings(workbench, inspection_id)
    page.toggle_item(0)
    assert live_results(workbench, inspection_id) == {code: True}
    assert live_findings(workbench, inspection_id) == {}
    page.toggle_item(99)  # no such item: nothing happens
    assert live_results(workbench, inspection_id) == {code: True}


def test_toggle_before_any_scan_does_nothing(qtbot, window, workbench, small_event):
    page = window.inspection
    qtbot.keyClick(page.scan_field, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F2)
    with workbench.db.read() as s:
        assert s.scalars(select(CheckResult)).all() == []


def test_post_absent_and_understaffed(qtbot, window, workbench, small_event, monkeypatch,
                                      messages):
    page = window.inspection
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F6)  # no post chosen yet: told so, in the page
    assert page.notice.isVisible() and "post" in page.notice.text()
    assert messages == []
    page.select_post(small_event.posts[POST_B])
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F6)
    with workbench.db.read() as s:
        statuses = s.scalars(select(PostStatus)).all()
    assert [(p.post_id, p.status) for p in statuses] == [(small_event.posts[POST_B], "absent")]
    qtbot.waitUntil(lambda: window.dashboard.tiles["absent"].text() == "1 / 0")
    assert window.workbench.posts(small_event.event_id)[1].status == "absent"

    asked: list[int] = []

    def get_int(_parent, _title, _label, value, minimum, maximum, *_args, **_kwargs):
        asked.append(maximum)
        return 0, True

    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(get_int))
    page.select_post(small_event.posts[POST_A])
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F7)
    assert asked
    qtbot.waitUntil(lambda: window.dashboard.tiles["absent"].text() == "1 / 1")
    page.undo()
    qtbot.waitUntil(lambda: window.dashboard.tiles["absent"].text() == "1 / 0")
    assert messages == []


# --------------------------------------------------------------------- focus
def test_scan_field_keeps_the_focus(qtbot, window, workbench, small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    qtbot.mouseClick(page.checklist.rows[0], Qt.MouseButton.LeftButton)
    assert page.checklist.states[0].compliant is False  # the click toggled the row
    assert live_results(workbench, page.inspection.id) == {
        page.checklist.states[0].item.code: False}
    qtbot.waitUntil(page.scan_field.hasFocus)

    # the post filter is for typing: it may keep the focus; a post click gives it back
    qtbot.mouseClick(page.post_filter, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.post_filter.hasFocus)
    page.post_filter.clearFocus()
    qtbot.waitUntil(page.scan_field.hasFocus)
    rect = page.post_list.visualItemRect(page.post_list.item(0))
    qtbot.mouseClick(page.post_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(page.scan_field.hasFocus)

    # the next scan goes straight in
    scan(qtbot, window, cert_key(small_event.certs["other"]))
    assert page.card.verdict_label.text() == verdict_text(Verdict.OTHER_COMPANY)


def test_half_typed_note_is_kept_when_the_next_item_is_ticked(qtbot, window, workbench,
                                                              small_event):
    """The supervisor types a note, does not press Enter and clicks the next item."""
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    page.toggle_item(1)
    first = page.finding_editor.finding_id
    note = page.finding_editor.note
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(note, "cap missing", delay=40)  # a person types; a scanner is faster
    qtbot.mouseClick(page.checklist.rows[3], Qt.MouseButton.LeftButton)
    second = page.finding_editor.finding_id
    assert second not in (None, first)
    assert workbench.finding(first).note == "cap missing"
    assert page.checklist.states[1].note == "cap missing"
    assert "✎" in page.checklist.rows[1].state.text()
    assert note.text() == ""  # the editor now shows the second finding

    qtbot.keyClicks(note, "phone", delay=40)
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Escape)  # Esc clears the screen
    assert workbench.finding(second).note == "phone"


def test_scanner_firing_into_the_note_is_a_scan(qtbot, window, workbench, small_event):
    """The supervisor is typing a note when the next guard's badge is scanned."""
    page, finding_id, note = typing_a_note(qtbot, window, small_event, item=0)
    qtbot.keyClicks(note, "dirty", delay=45)
    qtbot.keyClicks(note, cert_key(small_event.certs["elsewhere"]))  # the scanner's burst
    qtbot.keyClick(note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(live_inspections(workbench)) == 2)
    assert live_inspections(workbench)[-1].verdict == Verdict.ASSIGNED_ELSEWHERE
    assert workbench.finding(finding_id).note == "dirty"
    qtbot.waitUntil(page.scan_field.hasFocus)


def test_guard_photo_is_copied_and_shown(qtbot, window, workbench, small_event, tmp_path):
    from PySide6.QtGui import QColor, QImage

    image = QImage(60, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#123456"))
    source = tmp_path / "photo.png"
    assert image.save(str(source))
    guard = next(g for g in workbench.guards(small_event.event_id)
                 if g.cert_no == small_event.certs["here"])
    stored = workbench.set_guard_photo(guard.id, source)
    assert (workbench.db.data_dir / stored).read_bytes() == source.read_bytes()
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    shown = page.card.photo.pixmap().toImage()
    assert shown.pixelColor(shown.width() // 2, shown.height() // 2) == QColor("#123456")


# --------------------------------------------------------- scans and dialogs
def test_badge_scanned_into_the_headcount_dialog_is_recorded(qtbot, window, workbench,
                                                             small_event):
    """F7 asks how many guards are there; the next guard's badge is scanned before the
    supervisor answers. The scan must not answer the dialog, and the guard is recorded."""
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    seen: dict[str, object] = {}

    def while_the_dialog_is_open() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QInputDialog)
        seen["value_before"] = dialog.intValue()
        typing_into = QApplication.focusWidget()
        qtbot.keyClicks(typing_into, cert_key(small_event.certs["here"]))  # scanner speed
        qtbot.keyClick(typing_into, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: len(live_inspections(workbench)) == 1)
        seen["still_open"] = dialog.isVisible()
        seen["value_after"] = dialog.intValue()
        seen["card"] = page.card.verdict_label.text()
        # then the supervisor answers: two guards are there
        qtbot.keyClick(typing_into, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(typing_into, "2", delay=60)
        qtbot.wait(80)
        qtbot.keyClick(typing_into, Qt.Key.Key_Return, delay=60)

    QTimer.singleShot(50, while_the_dialog_is_open)
    page.understaffed_button.click()
    assert seen["still_open"] is True
    assert seen["value_after"] == seen["value_before"]
    assert seen["card"] == verdict_text(Verdict.ASSIGNED_HERE)
    [inspection] = live_inspections(workbench)
    assert inspection.verdict == Verdict.ASSIGNED_HERE
    with workbench.db.read() as s:
        [status] = s.scalars(select(PostStatus)).all()
    assert (status.status, status.present_count) == ("understaffed", 2)


def test_fast_typing_into_the_note_stays_a_note(qtbot, window, workbench, small_event):
    """30 ms per key, as a fast typist or an input method committing a phrase."""
    page, finding_id, note = typing_a_note(qtbot, window, small_event, item=0)
    text = "uniform not worn 12345678 told him twice"
    # Exactly 30 ms from key to key, by the keys' own timestamps (qtbot's delay would wait
    # before the release too, making it 60 ms); then Enter 30 ms after the last key.
    start = 500_000
    keys = strokes(text, [start + 30 * index for index in range(len(text))], hold_ms=12)
    keys += strokes("\r", [start + 30 * len(text)], hold_ms=12)
    deliver(keys, note)
    qtbot.wait(150)
    assert workbench.finding(finding_id).note == text
    assert len(live_inspections(workbench)) == 1  # no scan was made of it
    assert page.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)


def test_a_badge_scanned_while_the_event_form_has_the_focus_is_a_scan(
        qtbot, window, workbench, small_event):
    window.tabs.setCurrentWidget(window.event_page)
    name = window.event_page.name
    name.setFocus()
    before = name.text()
    qtbot.keyClicks(name, cert_key(small_event.certs["here"]))
    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(live_inspections(workbench)) == 1)
    assert name.text() == before
    assert window.tabs.currentWidget() is window.inspection


# ------------------------------------------------------------ several verdicts
def test_the_card_lists_every_verdict_that_applies(qtbot, window, workbench, small_event):
    """The untrained guard is fixed to A区1号安检口 and scanned at B区2号检票口."""
    page = window.inspection
    page.select_post(small_event.posts[POST_B])
    scan(qtbot, window, cert_key(small_event.certs["untrained"]))
    assert page.card.verdict_label.text() == verdict_text(Verdict.NOT_TRAINED)
    concerns = page.card.concerns_label
    assert concerns.isVisible()
    assert "Wrong post" in concerns.text() and POST_A in concerns.text()
    assert POST_B in concerns.text()


def test_wrong_post_and_unknown_scans_leave_the_head_count(qtbot, window, workbench,
                                                           small_event):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])

    def head_count() -> str:
        return next(item.text() for item in (page.post_list.item(row)
                                             for row in range(page.post_list.count()))
                    if item.text().startswith(POST_A))

    scan(qtbot, window, cert_key(small_event.certs["here"]))
    qtbot.waitUntil(lambda: "1/" in head_count())
    for text in (cert_key(small_event.certs["elsewhere"]), NOT_ON_ROSTER):
        scan(qtbot, window, text)
    window.refresh_figures()
    wait_for_background()
    qtbot.wait(50)
    assert "1/" in head_count()


def test_absent_right_after_a_guard_was_verified_asks_first(qtbot, window, workbench,
                                                            small_event, messages,
                                                            monkeypatch):
    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    page.absent_button.click()  # the recording fixture answers the question with "OK": no
    assert len(messages) == 1 and "1 guard(s)" in messages[0]
    with workbench.db.read() as s:
        assert s.scalars(select(PostStatus)).all() == []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *_a, **_k: QMessageBox.StandardButton.Yes))
    page.absent_button.click()
    with workbench.db.read() as s:
        assert [p.status for p in s.scalars(select(PostStatus))] == ["absent"]


# ------------------------------------------------------------------ leftovers
def visible_rows(page) -> list:
    from ui.widgets.checklist_panel import ItemRow

    return [row for row in page.checklist.findChildren(ItemRow) if row.isVisible()]


def test_no_checklist_is_left_beside_a_card_it_does_not_belong_to(qtbot, window, workbench,
                                                                  small_event, monkeypatch):
    """A scan that cannot be recorded (here: the evaluation was signed meanwhile) shows its
    card with nothing of the guard before: not the old checklist, not the old rows painted
    under the placeholder."""
    from app.inspection.lock_rules import RecordLockedError

    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    qtbot.waitUntil(lambda: len(visible_rows(page)) == len(page.checklist.states) > 0)
    assert not page.checklist.empty.isVisible()

    def refuse(*_args, **_kwargs):
        raise RecordLockedError()

    monkeypatch.setattr(workbench, "record_scan", refuse)
    scan(qtbot, window, cert_key(small_event.certs["other"]))
    assert "测试other" in page.card.name_label.text()
    assert visible_rows(page) == []  # at once, not at the next deferred delete
    qtbot.waitUntil(page.checklist.empty.isVisible)
    assert page.notice.isVisible() and "signed" in page.notice.text()
    assert page.inspection is None


def test_absent_asks_nothing_when_the_last_guard_was_seen_long_ago(qtbot, window, workbench,
                                                                   small_event, messages):
    from datetime import timedelta

    from sqlalchemy import update

    from app.profile.models import utc_now

    page = window.inspection
    page.select_post(small_event.posts[POST_A])
    scan(qtbot, window, cert_key(small_event.certs["here"]))
    with workbench.db.begin() as s:  # that scan was 31 minutes ago
        s.execute(update(Inspection).values(created_at=utc_now() - timedelta(minutes=31)))
    page.absent_button.click()
    assert messages == []
    with workbench.db.read() as s:
        assert [p.status for p in s.scalars(select(PostStatus))] == ["absent"]


# ------------------------------------------------------ the database's own conditions
# During a scan in the real window, the supervisor reads what to do in the page (no
# "unexpected error" dialog), and every scan saved before is still there. The conditions are
# made to happen on the window's own profile (app.profile.db maps them; the core's side is
# tests/test_errors_storage.py): the profile turned read-only (``query_only``) and another
# program holding it (a second connection in ``BEGIN EXCLUSIVE``).
FAULT = "unexpected error"


def reconnect_with(workbench: Workbench, *pragmas: str) -> None:
    """Every connection of the profile from now on runs ``pragmas`` after its own."""
    engine = workbench.db.engine
    engine.dispose()

    def run(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    event.listen(engine, "connect", run)


def test_a_read_only_profile_during_a_scan_is_said_in_the_page(
        qtbot, window, workbench, small_event, messages) -> None:
    scan(qtbot, window, GUARDS["here"][0][1:])  # what a scanner types: the digits
    assert len(live_inspections(workbench)) == 1
    reconnect_with(workbench, "PRAGMA query_only = ON")

    scan(qtbot, window, GUARDS["elsewhere"][0][1:])

    notice = window.inspection.notice
    assert notice.isVisible()
    assert notice.text().startswith("Not recorded: The profile cannot be written")
    assert not any(FAULT in text for text in messages)
    assert window.inspection.checklist.rows == []  # nothing of the guard before stays
    assert len(live_inspections(workbench)) == 1  # the scan before is kept, nothing half-done


def test_another_program_holding_the_profile_is_said_in_the_page(
        qtbot, window, workbench, small_event, messages) -> None:
    scan(qtbot, window, GUARDS["here"][0][1:])  # what a scanner types: the digits
    reconnect_with(workbench, "PRAGMA busy_timeout = 100")
    holder = sqlite3.connect(workbench.db.data_dir / DB_FILENAME, timeout=0)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        scan(qtbot, window, GUARDS["elsewhere"][0][1:])
    finally:
        holder.rollback()
        holder.close()

    text = window.inspection.notice.text()
    assert text.startswith("Not recorded: Another program is using the profile"), text
    assert not any(FAULT in said for said in messages)
    assert len(live_inspections(workbench)) == 1

"""The random sample on the inspection screen (issue 13), in the real main window on the demo
event: a sampled guard's badge typed in at a scanner's pace leaves the list of guards still
to find and the count goes up; a guard outside the sample changes the line that reports them
apart; undo, a double-click on the list, a scan made while another page is shown, an event
with no roster and a completed sample."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.demo import create_demo_event, demo_badge
from app.evaluation.sample_progress import SampleProgress, sample_progress
from app.inspection.values import EventInput, GuardInfo
from app.inspection.workbench import Workbench
from tests.conftest import release_widgets
from tests.helpers.evaluation import build_hand_case
from ui.application import make_application
from ui.main_window import MainWindow
from ui.operations import Operations
from ui.tasks import wait_for_background
from ui.widgets.sample_panel import SamplePanel

pytestmark = pytest.mark.gui
WAIT_MS = 5000


@pytest.fixture
def window(qapp, qtbot, workbench: Workbench, messages):
    make_application("en")
    win = MainWindow(workbench, "en", create_demo_event(workbench))
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.resize(1280, 650)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.inspection.scan_field.hasFocus)
    panel = win.inspection.sample_panel
    qtbot.waitUntil(lambda: panel.progress is not None, timeout=WAIT_MS)
    yield win
    win.close()
    release_widgets()


def stored(workbench: Workbench, window: MainWindow) -> SampleProgress:
    assert window.current_event is not None
    progress = sample_progress(workbench.db, window.current_event.id)
    assert progress is not None
    return progress


def badge_of(window: MainWindow, guard_id: str) -> tuple[GuardInfo, str]:
    event = window.current_event
    assert event is not None and event.company is not None
    guard = next(g for g in window.workbench.guards(event.id) if g.id == guard_id)
    return guard, demo_badge(guard, event.company.licence_no)


def scan_badge(qtbot, window: MainWindow, badge: str) -> None:
    """The badge's text as a USB scanner types it into the scan field, then Enter."""
    field = window.inspection.scan_field
    qtbot.keyClicks(field, badge)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def main_company_guard(window: MainWindow, progress: SampleProgress, sampled: bool) -> str:
    """A guard of the contracted company not checked yet, in the sample or not, whose scan
    records no finding by itself (cleared and trained: the demo roster also has guards with
    a background check pending, and which the sample draws depends on the event's id)."""
    from sqlalchemy import select

    from app.profile.models import Inspection

    event = window.current_event
    assert event is not None and event.company is not None
    with window.workbench.db.read() as s:
        checked = set(s.scalars(select(Inspection.guard_id).where(
            Inspection.event_id == event.id, Inspection.deleted_at.is_(None))))
    drawn = {g.guard_id for g in progress.guards}
    for guard in window.workbench.guards(event.id):
        if (guard.company_name == event.company.name and guard.post_id
                and guard.background_check == "passed" and guard.trained
                and (guard.id in drawn) == sampled and guard.id not in checked):
            return guard.id
    raise AssertionError("no such guard on the demo roster")


def listed_certs(panel: SamplePanel) -> set[str]:
    return {cert for certs in panel.still_to_find().values() for cert in certs}


def test_the_panel_shows_the_sample_as_stored(window: MainWindow, workbench: Workbench) -> None:
    page = window.inspection
    panel = page.sample_panel
    progress = stored(workbench, window)
    assert (progress.plan.code, progress.size) == ("J", 80)
    assert panel.title.text() == (f"Random sample (GB/T 2828.1, level II, code J): "
                                  f"{progress.checked} of 80 checked")
    assert page.side_tabs.tabText(1) == f"Sample {progress.checked}/80"
    assert panel.bar.value() == progress.checked and panel.bar.maximum() == 80
    assert listed_certs(panel) == {g.cert_no for g in progress.guards if not g.checked}
    for post, guards in progress.still_to_find().items():
        assert panel.still_to_find()[f"{post} ({len(guards)})"] == [g.cert_no for g in guards]
    assert panel.outside.text() == (
        f"Checked outside the sample: {progress.checked_outside} guards "
        f"({progress.findings_outside} with findings)")
    assert not panel.complete_label.isVisible()


def test_a_sampled_guard_scanned_leaves_the_list(qtbot, window: MainWindow,
                                                 workbench: Workbench) -> None:
    page = window.inspection
    panel = page.sample_panel
    before = stored(workbench, window)
    guard, badge = badge_of(window, main_company_guard(window, before, sampled=True))
    assert guard.cert_no in listed_certs(panel)
    # The posts are shown: the sample's tab still says how far it got.
    assert page.side_tabs.currentWidget() is page.post_column
    scan_badge(qtbot, window, badge)
    assert page.inspection is not None  # recorded
    qtbot.waitUntil(lambda: panel.progress is not None
                    and panel.progress.checked == before.checked + 1, timeout=WAIT_MS)
    assert stored(workbench, window).checked == before.checked + 1
    assert guard.cert_no not in listed_certs(panel)
    assert page.side_tabs.tabText(1) == f"Sample {before.checked + 1}/80"
    assert f"{before.checked + 1} of 80 checked" in panel.title.text()
    assert panel.bar.value() == before.checked + 1
    # the outside line did not move
    assert panel.progress.checked_outside == before.checked_outside

    # Undo (the page's button): the guard is to find again.
    page.undo_button.click()
    qtbot.waitUntil(lambda: panel.progress is not None
                    and panel.progress.checked == before.checked, timeout=WAIT_MS)
    assert guard.cert_no in listed_certs(panel)


def test_a_guard_outside_the_sample_changes_the_outside_line(qtbot, window: MainWindow,
                                                             workbench: Workbench) -> None:
    panel = window.inspection.sample_panel
    before = stored(workbench, window)
    line_before = panel.outside.text()
    _guard, badge = badge_of(window, main_company_guard(window, before, sampled=False))
    scan_badge(qtbot, window, badge)
    qtbot.waitUntil(lambda: panel.progress is not None
                    and panel.progress.checked_outside == before.checked_outside + 1,
                    timeout=WAIT_MS)
    assert panel.outside.text() != line_before
    assert panel.outside.text() == (
        f"Checked outside the sample: {before.checked_outside + 1} guards "
        f"({before.findings_outside} with findings)")
    assert panel.progress.checked == before.checked
    assert stored(workbench, window).checked_outside == before.checked_outside + 1
    assert listed_certs(panel) == {g.cert_no for g in before.guards if not g.checked}


def test_double_clicking_a_sampled_guard_chooses_the_guards_post(qtbot,
                                                                  window: MainWindow) -> None:
    page = window.inspection
    panel = page.sample_panel
    bar = page.side_tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert page.side_tabs.currentWidget() is panel and panel.tree.isVisible()
    post_row = panel.tree.topLevelItem(1)
    guard_row = post_row.child(0)
    panel.tree.scrollToItem(guard_row)
    QApplication.processEvents()
    where: QPoint = panel.tree.visualItemRect(guard_row).center()
    # A double-click as the window system delivers it: a click, then the second press.
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert page.current_post is not None
    assert post_row.text(0).startswith(page.current_post.name + " (")
    assert page.current_post.name in page.post_heading.text()
    assert page.scan_field.hasFocus()  # back to scanning


def test_a_scan_while_another_page_is_shown_is_counted_when_back(qtbot, window: MainWindow,
                                                                 workbench: Workbench) -> None:
    page = window.inspection
    panel = page.sample_panel
    before = stored(workbench, window)
    _guard, badge = badge_of(window, main_company_guard(window, before, sampled=True))
    window.tabs.setCurrentWidget(window.dashboard)
    page.handle_scan(badge)  # a scanner burst anywhere in the window arrives here
    qtbot.wait(600)  # longer than the panel's pause: it did not read while hidden
    wait_for_background()
    QApplication.processEvents()
    assert panel.progress is not None and panel.progress.checked == before.checked
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: panel.progress is not None
                    and panel.progress.checked == before.checked + 1, timeout=WAIT_MS)


@pytest.fixture
def lone_panel(qapp, qtbot, workbench: Workbench):
    make_application("en")
    panel = SamplePanel(workbench, Operations(workbench))
    qtbot.addWidget(panel, before_close_func=lambda _w: wait_for_background())
    panel.resize(260, 500)
    panel.show()
    yield panel
    panel.close()
    release_widgets()


def test_an_event_without_a_roster_says_so(qtbot, lone_panel: SamplePanel,
                                           workbench: Workbench) -> None:
    event_id = workbench.save_event(EventInput(name="未导入名单的活动", company_name="某公司"))
    with qtbot.waitSignal(lone_panel.shown, timeout=WAIT_MS):
        lone_panel.set_event(event_id)
    assert lone_panel.title.text() == "Random sample: no guards on the roster yet."
    assert lone_panel.still_to_find() == {}
    assert not lone_panel.complete_label.isVisible()
    with qtbot.waitSignal(lone_panel.shown, timeout=WAIT_MS) as shown:
        lone_panel.set_event("no-such-event")
    assert shown.args == [None] and lone_panel.title.text() == "Random sample"


def test_a_completed_sample_says_so_plainly(qtbot, lone_panel: SamplePanel,
                                            workbench: Workbench) -> None:
    """The hand-built event: five guards, two drawn; each drawn guard checked."""
    case = build_hand_case(workbench)
    progress = sample_progress(workbench.db, case.event_id)
    assert progress is not None and progress.size == 2
    for guard in progress.guards:
        if not guard.checked:
            info = next(g for g in workbench.guards(case.event_id) if g.id == guard.guard_id)
            workbench.record_scan(case.event_id,
                                  workbench.lookup(case.event_id, info.cert_no, info.post_id))
    with qtbot.waitSignal(lone_panel.shown, timeout=WAIT_MS):
        lone_panel.set_event(case.event_id)
    assert lone_panel.progress is not None and lone_panel.progress.complete
    assert lone_panel.title.text() == \
        "Random sample (GB/T 2828.1, level II, code A): 2 of 2 checked"
    assert lone_panel.complete_label.isVisible()
    assert lone_panel.complete_label.text() == \
        "Sample complete: all 2 sampled guards have been checked."
    assert not lone_panel.tree.isVisible() and lone_panel.still_to_find() == {}
    assert lone_panel.bar.value() == lone_panel.bar.maximum() == 2

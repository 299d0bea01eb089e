"""Operations: a change made the way a supervisor makes it (keys in the scan field, a click)
emits ONE signal saying what it changed, and each view reloads only that: a scan recounts its
post's line and the figures, a tick the figures only, a note nothing counted; the posts page
and the roster reload the lines a change touched, not the whole table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.inspection.changeset import Changes
from app.inspection.identity import cert_key
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from tests.test_gui_inspection import GUARDS, MAIN, POST_A, POST_B, scan, small_roster
from ui.application import make_application
from ui.main_window import FIGURES_REFRESH_MS, MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui


class Loads:
    """The workbench's loads a view makes, by name, with the posts or guards they asked."""

    def __init__(self, workbench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, frozenset[str] | None]] = []
        for name in ("posts", "guards", "dashboard", "item_states"):
            monkeypatch.setattr(workbench, name, self._spy(name, getattr(workbench, name)))

    def _spy(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(*args: Any, **kwargs: Any) -> Any:
            only = kwargs.get("only")
            self.calls.append((name, None if only is None else frozenset(only)))
            return real(*args, **kwargs)
        return spy

    def of(self, name: str) -> list[frozenset[str] | None]:
        return [only for called, only in self.calls if called == name]

    def clear(self) -> None:
        self.calls.clear()


def settle(qtbot) -> None:
    """Past the views' gathering delay, and every load on a worker finished and shown."""
    for _ in range(2):
        qtbot.wait(FIGURES_REFRESH_MS + 100)
        assert wait_for_background()
        QApplication.processEvents()


@pytest.fixture
def event(workbench: Workbench) -> tuple[str, dict[str, str]]:
    event_id = workbench.save_event(EventInput(name="测试演唱会", company_name=MAIN))
    workbench.import_roster(event_id, small_roster())
    return event_id, {p.name: p.id for p in workbench.posts(event_id)}


@pytest.fixture
def window(qapp, qtbot, workbench: Workbench, event, messages):
    make_application("en")
    win = MainWindow(workbench, "en", event[0])
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.inspection.scan_field.hasFocus)
    settle(qtbot)
    yield win
    win.close()
    wait_for_background()


def test_each_change_reloads_only_what_it_touched(qtbot, window: MainWindow, workbench,
                                                  event, monkeypatch) -> None:
    _event_id, posts = event
    page = window.inspection
    loads = Loads(workbench, monkeypatch)
    signals: list[Changes] = []
    window.operations.did_change.connect(lambda changes, _origin: signals.append(changes))
    page.select_post(posts[POST_A])

    # a scan (keys into the scan field): its post's line and the figures, once each
    scan(qtbot, window, cert_key(GUARDS["here"][0]))
    inspection_id = page.inspection.id
    settle(qtbot)
    assert len(signals) == 1 and signals[0].post_ids == {posts[POST_A]}
    assert loads.of("posts") == [frozenset({posts[POST_A]})]  # never every post
    assert loads.of("dashboard") == [None]
    assert loads.of("guards") == [] and loads.of("item_states") == []
    assert window.dashboard.tiles["guards"].text() == "1 / 5"
    assert any(page.post_list.item(row).text().startswith(POST_A) and "1/" in
               page.post_list.item(row).text() for row in range(page.post_list.count()))

    # a tick (Ctrl+2): the figures, no post's line, no checklist reload (the page has it)
    loads.clear()
    qtbot.keyClick(page.scan_field, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert signals[-1].inspection_ids == {inspection_id} and signals[-1].post_ids == set()
    assert loads.of("posts") == [] and loads.of("item_states") == []
    assert loads.of("dashboard") == [None]
    assert window.dashboard.tiles["findings"].text() == "1 (1)"

    # F2 (all compliant): nothing counted changes, the figures are not recounted
    loads.clear()
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F2)
    settle(qtbot)
    assert not signals[-1].counts
    assert loads.of("dashboard") == [] and loads.of("posts") == []

    # a note typed and saved with Enter: the checklist's rows read once, nothing counted
    loads.clear()
    note = page.finding_editor.note
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, "no insignia", delay=45)
    qtbot.keyClick(note, Qt.Key.Key_Return)
    settle(qtbot)
    assert signals[-1].finding_ids and not signals[-1].counts
    assert len(loads.of("item_states")) == 1  # once, not once more through another signal
    assert loads.of("dashboard") == [] and loads.of("posts") == []

    # F6 on another post: that post's line and the figures
    loads.clear()
    page.select_post(posts[POST_B])
    qtbot.keyClick(page.scan_field, Qt.Key.Key_F6)
    settle(qtbot)
    assert loads.of("posts") == [frozenset({posts[POST_B]})]
    assert loads.of("dashboard") == [None]
    assert window.dashboard.tiles["absent"].text() == "1 / 0"

    # Ctrl+Z: the same post's line again, and the figures
    loads.clear()
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert loads.of("posts") == [frozenset({posts[POST_B]})]
    assert loads.of("dashboard") == [None]
    assert window.dashboard.tiles["absent"].text() == "0 / 0"


def test_tables_reload_the_lines_a_change_touched(qtbot, window: MainWindow, workbench,
                                                  event, monkeypatch) -> None:
    event_id, posts = event
    # the roster: assigning a guard (the button) reloads that guard's line, not the roster
    window.tabs.setCurrentWidget(window.roster_page)
    roster = window.roster_page
    qtbot.waitUntil(lambda: roster.model.rowCount() == len(GUARDS))
    settle(qtbot)
    loads = Loads(workbench, monkeypatch)
    guard = roster.model.rows[0]
    roster.view.selectRow(0)
    roster.post_choice.setCurrentIndex(roster.post_choice.findData(posts[POST_B]))
    qtbot.mouseClick(_button(roster, "Assign selected guards to post"),
                     Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert loads.of("guards") == [frozenset({guard.id})]
    assert roster.model.rows[0].post_name == POST_B
    assert loads.of("dashboard") == [None]
    # both posts' lines changed: counted when a page showing them is looked at, not now
    assert loads.of("posts") == []

    # the posts page: a post's headcount saved (the button) reloads that post's line
    window.tabs.setCurrentWidget(window.posts_page)
    page = window.posts_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    settle(qtbot)
    loads.clear()
    row = next(i for i, p in enumerate(page.model.rows) if p.id == posts[POST_A])
    page.view.selectRow(row)
    page.headcount.setValue(9)
    qtbot.mouseClick(_button(page, "Save post"), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert loads.of("posts") == [frozenset({posts[POST_A]})]  # the one line, by this page
    assert page.model.rows[row].required_headcount == 9
    assert workbench.post(posts[POST_A]).required_headcount == 9
    assert window.current_event is not None and window.current_event.id == event_id

    # back on the inspection tab: the lines touched meanwhile, counted once, together
    loads.clear()
    window.tabs.setCurrentWidget(window.inspection)
    settle(qtbot)
    assert loads.of("posts") == [frozenset({posts[POST_A], posts[POST_B]})]


def _button(parent, text: str):
    from PySide6.QtWidgets import QPushButton

    # the text as read, without the mnemonic's & (Alt+P for "Save &post")
    return next(b for b in parent.findChildren(QPushButton)
                if b.text().replace("&", "") == text)


def test_saving_an_event_opens_it_or_shows_its_new_facts(qtbot, window: MainWindow, workbench,
                                                         event, monkeypatch) -> None:
    event_id, _posts = event
    page = window.event_page
    window.tabs.setCurrentWidget(page)
    # the current event renamed (the Save button): its name and facts are read again, the
    # pages keep what they show (no post, guard or count is loaded for it)
    loads = Loads(workbench, monkeypatch)
    page.name.setText("测试演唱会（改期）")
    page.venue.setText("市体育中心")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.event_choice.currentText() == "测试演唱会（改期）"
    assert "市体育中心" in window.event_summary.text()
    assert window.current_event is not None and window.current_event.id == event_id
    assert loads.calls == []

    # a new event (New event, then Save): the window opens it
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    page.name.setText("第二场活动")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.current_event is not None and window.current_event.name == "第二场活动"
    assert window.event_choice.count() == 2
    assert window.dashboard.tiles["guards"].text() == "0 / 0"

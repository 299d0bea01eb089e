"""Empty places say what to do next: the pages that need an event, while none is open, offer
the three ways to get one; empty tables say how to fill them. Driven by clicks and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import release_widgets
from ui.application import make_application
from ui.dialogs.import_roster import ImportDialog
from ui.main_window import MainWindow
from ui.tasks import wait_for_background
from ui.widgets.empty_state import placeholder_of

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qapp, qtbot, workbench, messages):
    make_application("en")
    win = MainWindow(workbench, "en")
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.resize(1280, 650)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    release_widgets()


def test_without_an_event_each_page_says_how_to_get_one(qtbot, window) -> None:
    for cover in window.covers:
        window.tabs.setCurrentWidget(cover.page)
        assert cover.empty.isVisible()
        assert cover.empty.headline.text() == "No event open"
        assert cover.empty.geometry() == cover.page.rect()  # nothing of the page shows
        texts = [button.text() for button in cover.empty.buttons]
        assert texts == ["Get event from headquarters… (Ctrl+G)",
                         "Import event package… (Ctrl+O)", "New event (Ctrl+N)"]
    # The event tab has no cover: it is where an event is made.
    assert window.event_page not in [cover.page for cover in window.covers]


def test_new_event_from_the_cover_then_the_pages_open(qtbot, window, workbench,
                                                       fixture_roster, monkeypatch) -> None:
    cover = window.covers[0]
    window.tabs.setCurrentWidget(cover.page)
    qtbot.mouseClick(cover.empty.buttons[2], Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.event_page
    window.event_page.name.setFocus()
    qtbot.keyClicks(window.event_page.name, "Concert", delay=45)  # a person types
    qtbot.mouseClick(window.event_page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_event is not None)
    assert [e.name for e in workbench.list_events()] == ["Concert"]
    assert not any(c.empty.isVisible() for c in window.covers)
    # An event without posts or guards: the tables say how to fill them.
    window.tabs.setCurrentWidget(window.roster_page)
    assert placeholder_of(window.roster_page.view).startswith("No guards yet. Import")
    window.tabs.setCurrentWidget(window.posts_page)
    assert window.posts_page.view.model().rowCount() == 0
    assert placeholder_of(window.posts_page.view).startswith("No posts yet.")
    assert window.inspection.post_column.posts.list.count() == 0
    assert placeholder_of(window.inspection.post_column.posts.list).startswith("No posts yet.")
    # Ctrl+I, as the roster's placeholder says: the roster comes in and the lists fill.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *_a, **_k: (str(fixture_roster), "Rosters (*.xlsx *.csv)")))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChildren(ImportDialog)[0]
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.import_result is not None, timeout=60_000)
    window.tabs.setCurrentWidget(window.roster_page)  # a page reloads when it is shown
    qtbot.waitUntil(lambda: window.roster_page.view.model().rowCount() == 600,
                    timeout=20_000)
    assert window.inspection.post_column.posts.list.count() > 0
    window.roster_page.filter.setFocus()
    qtbot.keyClicks(window.roster_page.filter, "nobody", delay=45)
    assert window.roster_page.view.model().rowCount() == 0
    assert placeholder_of(window.roster_page.view) == "No guard matches the filter."

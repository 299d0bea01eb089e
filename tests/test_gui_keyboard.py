"""Every action can be reached from the keyboard, and the keys are written where one looks:
the menus have mnemonics and shortcuts, each tab has Alt+number, and every button, check box
and radio button on the pages carries a mnemonic (Alt+letter) or its key in its text. No two
controls seen together answer the same key (an ambiguous key does nothing at all in Qt)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication

from app.demo import create_demo_event
from tests.conftest import release_widgets
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
KEY_IN_TEXT = re.compile(r"\((F\d+|Ctrl\+[^)]+|Alt\+[^)]+|Esc)\)")


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).upper() if found else None


@pytest.fixture(params=["en", "zh_CN"])
def window(request, qapp, qtbot, workbench, messages):
    make_application(request.param)
    event_id = create_demo_event(workbench, with_inspections=False)
    win = MainWindow(workbench, request.param, event_id)
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.resize(1280, 650)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    release_widgets()
    make_application("en")


def menu_titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def test_every_menu_has_its_own_mnemonic(window) -> None:
    letters = [mnemonic(title) for title in menu_titles(window)]
    assert None not in letters, menu_titles(window)
    assert len(set(letters)) == len(letters), menu_titles(window)


def test_no_two_shortcuts_of_the_window_are_the_same(window) -> None:
    keys = [action.shortcut().toString() for action in window.findChildren(QAction)
            if not action.shortcut().isEmpty()]
    keys += [shortcut.key().toString() for shortcut in window.findChildren(QShortcut)
             if not shortcut.key().isEmpty()]
    assert [key for key, count in Counter(keys).items() if count > 1] == []
    # the daily actions have keys of their own
    for needed in ("Ctrl+N", "Ctrl+I", "Ctrl+Q", "Ctrl+Z", "Ctrl+L", "F1", "F5", "Ctrl+O",
                   "Ctrl+E", "Ctrl+G", "Alt+1", "Alt+6"):
        assert needed in keys, needed


def test_every_control_on_every_page_shows_its_key(window, qtbot) -> None:
    menu_letters = {mnemonic(title) for title in menu_titles(window)}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        seen = [button for button in window.findChildren(QAbstractButton)
                if button.isVisible() and button.text()
                and button.window() is window and not button.inherits("QTabBar")]
        unmarked = [b.text() for b in seen
                    if mnemonic(b.text()) is None and not KEY_IN_TEXT.search(b.text())]
        assert unmarked == [], (window.tabs.tabText(index), unmarked)
        letters = [mnemonic(b.text()) for b in seen if mnemonic(b.text())]
        clashes = [letter for letter, count in Counter(letters).items()
                   if count > 1 or letter in menu_letters]
        assert clashes == [], (window.tabs.tabText(index), [b.text() for b in seen])


def test_alt_and_a_number_opens_that_tab(window, qtbot) -> None:
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentWidget() is window.roster_page
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.tabs.currentWidget() is window.inspection
    shown = [a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
             for a in window.findChildren(QAction) if a.text() == window.tabs.tabText(3)]
    assert "Alt+4" in shown


def test_a_mnemonic_presses_its_button(window, qtbot, messages) -> None:
    window.tabs.setCurrentWidget(window.posts_page)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.posts_page.view.selectRow(0)
    assert window.posts_page.name.text() != ""
    # A mnemonic presses its button as a click would look (animateClick: ~100 ms later).
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # Ne&w post
    qtbot.waitUntil(lambda: window.posts_page.name.text() == "")
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Save &post
    # a new post without a name is refused with a message: the button was pressed
    qtbot.waitUntil(lambda: len(messages) == 1)

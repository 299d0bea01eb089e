"""The main window fits a supervisor's laptop: 1280x650 logical pixels (1366x768, or
1920x1080 at 150 %, less the taskbar and title bar), in Chinese and in English, with every
tab's controls reachable."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea

from app.demo import create_demo_event
from app.inspection.workbench import Workbench
from tests.conftest import release_widgets
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
LAPTOP = (1280, 650)


@pytest.fixture(params=["zh_CN", "en"])
def window(request, qapp, qtbot, workbench: Workbench):
    make_application(request.param)
    win = MainWindow(workbench, request.param, create_demo_event(workbench))
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    release_widgets()
    make_application("en")


def test_minimum_size_fits_a_laptop(window: MainWindow) -> None:
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1], hint
    for index in range(window.tabs.count()):
        page = window.tabs.widget(index).minimumSizeHint()
        assert page.width() <= LAPTOP[0] and page.height() <= LAPTOP[1] - 120, (
            window.tabs.tabText(index), page)


def test_every_button_is_reachable_at_1280x650(qtbot, window: MainWindow) -> None:
    """At the laptop's size each visible button is inside the window, or inside a scroll
    area that can bring it into view."""
    window.resize(*LAPTOP)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert window.width() <= LAPTOP[0] and window.height() <= LAPTOP[1]
        for button in window.findChildren(QAbstractButton):
            if not button.isVisible():
                continue
            area = button.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            # A button in a scroll area is reachable when the area itself is on screen and
            # big enough to scroll through; any other must be inside the window.
            shown = area if area is not None else button
            top_left = shown.mapTo(window, shown.rect().topLeft())
            bottom_right = shown.mapTo(window, shown.rect().bottomRight())
            assert window.rect().contains(top_left) and window.rect().contains(
                bottom_right), (window.tabs.tabText(index), button.text(), top_left,
                                bottom_right)
            if area is not None:
                assert area.viewport().width() >= button.width(), button.text()
                assert area.viewport().height() >= 100, button.text()


def test_it_opens_maximised_on_a_small_screen(qtbot, window: MainWindow,
                                              monkeypatch) -> None:
    from PySide6.QtCore import QRect

    screen = window.screen()
    monkeypatch.setattr(type(screen), "availableGeometry", lambda _self: QRect(0, 0, 1280, 650))
    window.hide()
    window.show_fitted()
    QApplication.processEvents()
    assert (window.width(), window.height()) == LAPTOP or window.isMaximized()

"""The main window on the demo event with the preferences in a temporary folder, and the way
a supervisor opens Settings (Tools → Settings…): shared by the settings and scanner-test GUI
tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.demo import create_demo_event
from app.inspection.workbench import Workbench
from app.preferences import CONFIG_DIR_ENV
from tests.conftest import release_widgets
from ui.application import make_application
from ui.dialogs.settings import SettingsDialog, tools_menu
from ui.main_window import MainWindow
from ui.preferences_hub import PreferencesHub, preferences_hub
from ui.tasks import wait_for_background


def temporary_preferences(folder: Path, monkeypatch: pytest.MonkeyPatch
                          ) -> Iterator[PreferencesHub]:
    """The preferences in ``folder`` (empty: the defaults) for one test, through the
    application's hub; what was in force before, look included, is put back afterwards.
    A test module's fixture yields from it."""
    monkeypatch.setenv(CONFIG_DIR_ENV, str(folder))
    hub = preferences_hub()
    before = hub.preferences
    hub.reload()
    yield hub
    hub.publish(before)


def open_main_window(qtbot, workbench: Workbench, lang: str) -> MainWindow:
    make_application(lang)
    window = MainWindow(workbench, lang, create_demo_event(workbench))
    qtbot.addWidget(window, before_close_func=lambda _w: wait_for_background())
    window.show()
    qtbot.waitExposed(window)
    return window


def close_main_window(window: MainWindow) -> None:
    window.close()
    release_widgets()


def type_text(qtbot, field: QWidget, text: str, delay_ms: int = 35) -> None:
    """Type into ``field`` as a person does: ASCII with keys, at ``delay_ms`` before each press
    and release (quicker, ten ASCII keys would be a scanner's burst and the scan router would
    take them); anything else as a Chinese input method commits it."""
    for ascii_run, other_run in re.findall(r"([\x20-\x7e]*)([^\x20-\x7e]*)", text):
        if ascii_run:
            qtbot.keyClicks(field, ascii_run, delay=delay_ms)
        if other_run:
            event = QInputMethodEvent()
            event.setCommitString(other_run)
            QApplication.sendEvent(field, event)


def open_settings_from_menu(qtbot, window: MainWindow) -> SettingsDialog:
    """Tools → Settings…, as the supervisor chooses it; the dialog that opened."""
    actions = [action for action in tools_menu(window).actions()
               if action.shortcut().toString() == "Ctrl+,"]
    assert len(actions) == 1, "Tools → Settings… (Ctrl+,) is missing"
    actions[0].trigger()
    dialogs: list[SettingsDialog] = []

    def opened() -> bool:
        dialogs[:] = [dialog for dialog in window.findChildren(SettingsDialog)
                      if dialog.isVisible()]
        return len(dialogs) == 1

    qtbot.waitUntil(opened)
    QApplication.processEvents()
    return dialogs[0]

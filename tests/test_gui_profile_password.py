"""The profile password asked when the app starts, driven as a supervisor would: type the
password, click OK; a wrong one is said and asked again; Cancel quits."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from app.profile.db import DB_FILENAME, Database
from app.profile.key import KEY_FILENAME
from ui.application import make_application
from ui.dialogs.password import ProfilePasswordDialog

pytestmark = pytest.mark.gui
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def application(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.profile.key as profile_key

    make_application("en")
    # Argon2id at 8 MiB and one pass: these tests are about the dialog, not the KDF's cost
    monkeypatch.setattr(profile_key, "ARGON2_MEMORY_KIB", 8 * 1024)
    monkeypatch.setattr(profile_key, "ARGON2_TIME_COST", 1)
    monkeypatch.delenv("VENUE_SUPERVISOR_PASSWORD_FILE", raising=False)
    # run_gui would log into the profile and take over sys.excepthook for the whole run
    monkeypatch.setattr("ui.application.install_error_handling", lambda db: db.data_dir)


def encrypted_profile(folder: Path) -> Path:
    db = Database(folder, PASSWORD)
    db.set_setting("supervisor_name", "李建国")
    db.close()
    return folder


def click(qtbot, dialog: ProfilePasswordDialog,
          which: QDialogButtonBox.StandardButton) -> None:
    qtbot.mouseClick(dialog.buttons.button(which), Qt.MouseButton.LeftButton)
    # The profile opens off the GUI thread, the dialog's fields and buttons disabled meanwhile.
    qtbot.waitUntil(dialog.buttons.isEnabled, timeout=60_000)


def type_into(qtbot, field: QWidget, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text)


def test_a_wrong_password_is_said_and_asked_again_then_the_right_one_opens(
        qtbot, tmp_path: Path) -> None:
    folder = encrypted_profile(tmp_path / "laptop")
    dialog = ProfilePasswordDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.confirm.isVisible()  # asked once for an existing password

    type_into(qtbot, dialog.password, "not the password")
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible() and dialog.database is None
    assert dialog.message.text() == "Wrong password. Try again."
    assert dialog.password.text() == ""  # cleared for the next try

    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert dialog.database is not None and dialog.database.encrypted
    assert dialog.database.setting("supervisor_name") == "李建国"
    dialog.database.close()


def test_a_profile_without_a_password_gets_one_chosen_twice_and_is_encrypted(
        qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "older"
    db = Database(folder)  # a plain profile from an older version
    db.set_setting("supervisor_name", "王督导")
    db.close()
    dialog = ProfilePasswordDialog(folder)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.confirm.isVisible()

    type_into(qtbot, dialog.password, "short")
    type_into(qtbot, dialog.confirm, "short")
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert "at least 8 characters" in dialog.message.text() and dialog.isVisible()
    type_into(qtbot, dialog.password, PASSWORD)
    type_into(qtbot, dialog.confirm, PASSWORD + "!")
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.message.text() == "The two passwords differ. Type them again."
    assert not (folder / KEY_FILENAME).exists()

    type_into(qtbot, dialog.password, PASSWORD)
    type_into(qtbot, dialog.confirm, PASSWORD)
    click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.database is not None
    assert dialog.database.setting("supervisor_name") == "王督导"  # converted, kept
    dialog.database.close()
    assert (folder / KEY_FILENAME).is_file()
    assert not (folder / DB_FILENAME).read_bytes().startswith(b"SQLite format 3")


def _args(folder: Path, demo: bool = False) -> argparse.Namespace:
    return argparse.Namespace(data_dir=str(folder), lang="en", demo=demo, screenshot=None,
                              ready_file=None, password_file=None, command=None)


def _when_the_dialog_opens(qtbot, act: Callable[[ProfilePasswordDialog], None]) -> list[str]:
    """Runs ``act`` on the password dialog once the app shows it (it is modal)."""
    seen: list[str] = []

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ProfilePasswordDialog):
            QTimer.singleShot(20, step)
            return
        seen.append(dialog.windowTitle())
        act(dialog)

    QTimer.singleShot(0, step)
    return seen


def test_cancel_at_the_start_quits_without_opening_the_profile(qtbot, tmp_path: Path) -> None:
    from ui.application import run_gui

    folder = encrypted_profile(tmp_path / "laptop")
    seen = _when_the_dialog_opens(
        qtbot, lambda dialog: click(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel))
    assert run_gui(_args(folder)) == 0
    assert seen  # it was asked
    from ui.main_window import MainWindow

    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]


def test_the_app_asks_at_start_and_opens_its_window_with_the_right_password(
        qtbot, tmp_path: Path) -> None:
    from ui.application import run_gui
    from ui.main_window import MainWindow

    folder = encrypted_profile(tmp_path / "laptop")
    opened: list[MainWindow] = []

    def close_the_window() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows:
            QTimer.singleShot(50, close_the_window)
            return
        opened.extend(windows)
        windows[0].close()

    def answer(dialog: ProfilePasswordDialog) -> None:
        type_into(qtbot, dialog.password, "wrong guess")
        click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
        assert dialog.message.text() == "Wrong password. Try again."
        type_into(qtbot, dialog.password, PASSWORD)
        QTimer.singleShot(0, close_the_window)
        click(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)

    _when_the_dialog_opens(qtbot, answer)
    assert run_gui(_args(folder)) == 0
    assert opened and opened[0].workbench.db.encrypted
    from tests.conftest import release_widgets

    release_widgets()


def test_the_built_in_demo_is_not_asked_for_a_password(tmp_path: Path) -> None:
    from ui.application import open_gui_profile

    db = open_gui_profile(_args(tmp_path / "demo", demo=True))  # no dialog: it would block
    assert db is not None
    try:
        assert not db.encrypted and not (tmp_path / "demo" / KEY_FILENAME).exists()
    finally:
        db.close()

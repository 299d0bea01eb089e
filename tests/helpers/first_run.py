"""Driving the first-run set-up as a supervisor does, shared by the set-up's GUI tests
(tests/test_gui_first_run.py, tests/test_gui_first_run_hq.py): the start's dialogs answered
from a timer (they are modal), fields typed into, the wizard's buttons clicked."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWizard

from tests.conftest import release_widgets
from ui.application import GuiProfile, make_application, open_main_window, start_gui_profile
from ui.dialogs.first_run import FirstRunWizard
from ui.dialogs.first_run_pages import PageId
from ui.dialogs.password import ProfilePasswordDialog
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

PASSWORD = "harbour kite panjin 2026"
PASSPHRASE = "sign it, Li 2026"
NAME, UNIT, BADGE = "李建国", "盘锦市公安局治安管理支队", "210123"
Button = QWizard.WizardButton


def set_up_for_tests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The body of each module's autouse fixture: English, cheap key derivations, nothing of
    the machine's own folders or hooks."""
    import app.evaluation.signing as signing
    import app.profile.key as profile_key

    make_application("en")
    # Argon2id at 8 MiB and one pass, the signing key's PBKDF2 at 1,000 rounds: these tests
    # are about the set-up, not the cost of its key derivations.
    monkeypatch.setattr(profile_key, "ARGON2_MEMORY_KIB", 8 * 1024)
    monkeypatch.setattr(profile_key, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(signing, "P12_KDF_ROUNDS", 1000)
    monkeypatch.delenv("VENUE_SUPERVISOR_PASSWORD_FILE", raising=False)
    monkeypatch.delenv("VENUE_SUPERVISOR_DATA_DIR", raising=False)
    monkeypatch.setenv("VENUE_SUPERVISOR_CONFIG_DIR", str(tmp_path / "config"))
    # run_gui would log into the profile and take over sys.excepthook for the whole run
    monkeypatch.setattr("ui.application.install_error_handling", lambda db: db.data_dir)
    yield
    release_widgets()


def gui_args(folder: Path) -> argparse.Namespace:
    return argparse.Namespace(data_dir=str(folder), lang="en", demo=False, screenshot=None,
                              ready_file=None, password_file=None, command=None)


def when_shown(kind: type[QDialog], act: Callable[[QDialog], None],
               problems: list[BaseException]) -> None:
    """Runs ``act`` on the modal dialog of ``kind`` once the start shows it. A failure inside
    closes the dialog (a test must not hang on it) and goes to ``problems``, to be raised."""

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, step)
            return
        try:
            act(dialog)
        except BaseException as exc:  # noqa: BLE001 (raised again by the test)
            problems.append(exc)
            if isinstance(dialog, FirstRunWizard):
                dialog.setup.busy = False
            QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, step)


def start(qtbot, folder: Path, set_up: Callable[[FirstRunWizard], None],
          password: str | None = None) -> GuiProfile | None:
    """What the start opens on, the set-up's pages gone through by ``set_up``; ``password``
    answers the password asked first when a stopped set-up goes on."""
    problems: list[BaseException] = []

    def answer(dialog: ProfilePasswordDialog) -> None:
        type_into(qtbot, dialog.password, password or "")
        when_shown(FirstRunWizard, set_up, problems)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)

    if password is None:
        when_shown(FirstRunWizard, set_up, problems)
    else:
        when_shown(ProfilePasswordDialog, answer, problems)
    opened = start_gui_profile(gui_args(folder))
    wait_for_background()
    if problems:
        raise problems[0]
    return opened


def click(qtbot, wizard: FirstRunWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), f"{button.text()} cannot be clicked"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_into(qtbot, field, text: str) -> None:
    """Typed as a person does: Latin letters key by key, Chinese committed by the input
    method (QTest's key clicks know no key for a Chinese character)."""
    field.setFocus()
    for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if run.isascii():
            qtbot.keyClicks(field, run)
        else:
            typed = QInputMethodEvent()
            typed.setCommitString(run)
            QApplication.sendEvent(field, typed)


def retype(qtbot, field, text: str) -> None:
    """What was typed selected and typed over."""
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    type_into(qtbot, field, text)


def on_page(qtbot, wizard: FirstRunWizard, page: PageId) -> None:
    # Creating the profile or a key runs on a worker: the page moves on when it is done.
    qtbot.waitUntil(lambda: wizard.currentId() == page, timeout=60_000)


def fill_identity(qtbot, wizard: FirstRunWizard) -> None:
    on_page(qtbot, wizard, PageId.SUPERVISOR)
    assert not wizard.button(Button.NextButton).isEnabled()  # the name is required
    type_into(qtbot, wizard.supervisor.name, NAME)
    type_into(qtbot, wizard.supervisor.unit, UNIT)
    type_into(qtbot, wizard.supervisor.badge_number, BADGE)
    click(qtbot, wizard, Button.NextButton)


def choose_password(qtbot, wizard: FirstRunWizard) -> None:
    page = wizard.password
    on_page(qtbot, wizard, PageId.PASSWORD)
    assert "nobody can recover it" in page.warning.text()
    create = wizard.button(Button.CommitButton)
    assert create.text() == "Create the profile" and not create.isEnabled()
    type_into(qtbot, page.password, "12345678")
    assert page.strength.text().startswith("Strength: very weak.")
    assert "first tries" in page.strength.text()
    retype(qtbot, page.password, PASSWORD)
    assert page.strength.text().startswith(("Strength: strong.", "Strength: very strong."))
    type_into(qtbot, page.confirm, PASSWORD + "?")
    assert page.match.text() == "The two passwords differ."
    retype(qtbot, page.confirm, PASSWORD)
    assert page.match.text() == "" and not create.isEnabled()  # "I understand" first
    page.understood.click()
    click(qtbot, wizard, Button.CommitButton)


def create_certificate(qtbot, wizard: FirstRunWizard) -> None:
    page = wizard.certificate
    on_page(qtbot, wizard, PageId.CERTIFICATE)
    assert page.message.text() == ("Your profile is created and encrypted; your name is "
                                   "saved in it.")
    assert not wizard.button(Button.BackButton).isEnabled()  # the profile is made
    assert page.create_choice.isChecked()
    type_into(qtbot, page.passphrase, PASSPHRASE)
    type_into(qtbot, page.passphrase_again, PASSPHRASE)
    click(qtbot, wizard, Button.NextButton)


def whole_set_up(qtbot, wizard: FirstRunWizard) -> None:
    """Every page filled by typing and clicking Next; "create an event by hand" at the end."""
    assert wizard.currentId() == PageId.WELCOME
    click(qtbot, wizard, Button.NextButton)
    fill_identity(qtbot, wizard)
    choose_password(qtbot, wizard)
    create_certificate(qtbot, wizard)
    on_page(qtbot, wizard, PageId.HEADQUARTERS)
    assert wizard.headquarters.message.text() == ("Your signing certificate is created and "
                                                  "saved in your profile.")
    assert wizard.headquarters.status.text() == "This laptop is not enrolled yet."
    click(qtbot, wizard, Button.NextButton)  # enrol later
    on_page(qtbot, wizard, PageId.NEXT_STEP)
    page = wizard.next_step
    assert not page.pull_choice.isEnabled() and not page.package_choice.isEnabled()
    assert page.needs_enrolment.isVisible()
    page.by_hand_choice.click()
    click(qtbot, wizard, Button.FinishButton)


def show(qtbot, opened: GuiProfile) -> MainWindow:
    window = open_main_window(opened, "en")
    qtbot.addWidget(window, before_close_func=lambda _w: wait_for_background())
    qtbot.waitExposed(window)
    return window



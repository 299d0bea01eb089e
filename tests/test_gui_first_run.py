"""The first start of a real profile, driven as a supervisor does it: the set-up's pages typed
into and clicked through, from a fresh profile folder to the first inspection in the main
window; the demonstration instead; Cancel; a set-up stopped after the password and resumed.
Enrolment and the steps that need it: tests/test_gui_first_run_hq.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox
from sqlalchemy import select

from app.evaluation.signing import create_self_signed_p12, supervisor_p12_path
from app.inspection.identity import cert_key
from app.profile.db import DB_FILENAME, Database
from app.profile.errors import ProfileLockedError
from app.profile.key import KEY_FILENAME
from app.profile.models import Inspection
from app.profile.set_up import (
    SET_UP_STARTED_SETTING,
    NextStep,
    needs_first_run,
    set_up_done,
    set_up_interrupted,
)
from app.profile.supervisor import SupervisorIdentity, read_identity
from tests.helpers.first_run import (
    BADGE,
    NAME,
    PASSWORD,
    UNIT,
    Button,
    choose_password,
    click,
    fill_identity,
    gui_args,
    on_page,
    set_up_for_tests,
    show,
    start,
    type_into,
    when_shown,
    whole_set_up,
)
from ui.dialogs.first_run import FirstRunWizard
from ui.dialogs.first_run_pages import PageId
from ui.dialogs.import_roster import ImportDialog
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
MAIN = "盘锦市安盾保安服务有限公司"  # the fixture roster's company
FIXTURE_GUARDS = 600


@pytest.fixture(autouse=True)
def application(qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    yield from set_up_for_tests(monkeypatch, tmp_path)


def test_from_a_fresh_profile_to_the_first_inspection(qtbot, tmp_path: Path, messages,
                                                      fixture_roster: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "laptop"
    opened = start(qtbot, folder, lambda wizard: whole_set_up(qtbot, wizard))
    assert opened is not None and opened.next_step == NextStep.CREATE_BY_HAND
    db = opened.db
    try:
        # What the set-up said it saved is on disk, in an encrypted profile.
        assert (folder / KEY_FILENAME).is_file()
        assert not (folder / DB_FILENAME).read_bytes().startswith(b"SQLite format 3")
        with pytest.raises(ProfileLockedError):
            Database(folder)
        assert read_identity(db) == SupervisorIdentity(NAME, UNIT, BADGE)
        assert supervisor_p12_path(db) is not None and set_up_done(db)
        assert not set_up_interrupted(db)

        window = show(qtbot, opened)
        window.activateWindow()  # offscreen, a new window is not active by itself (shortcuts)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.event_page)
        event_page = window.event_page
        type_into(qtbot, event_page.name, "测试演唱会")
        qtbot.mouseClick(event_page.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.current_event is not None)
        event_id = window.current_event.id

        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            staticmethod(lambda *_a, **_k: (str(fixture_roster), "")))
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
        dialogs = window.findChildren(ImportDialog)
        assert len(dialogs) == 1
        dialog = dialogs[0]
        qtbot.waitUntil(lambda: dialog.report is not None, timeout=20_000)
        with qtbot.waitSignal(dialog.finished, timeout=30_000):
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        guards = window.workbench.guards(event_id)
        assert len(guards) == FIXTURE_GUARDS
        assert window.workbench.event(event_id).company.name == MAIN

        tabs = window.tabs.tabBar()
        qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton,
                         pos=tabs.tabRect(window.tabs.indexOf(window.inspection)).center())
        assert window.tabs.currentWidget() is window.inspection
        guard = next(g for g in guards if g.post_id)
        field = window.inspection.scan_field
        with qtbot.waitSignal(window.inspection.card_shown, timeout=5000):
            qtbot.keyClicks(field, cert_key(guard.cert_no))  # a scanner's burst
            qtbot.keyClick(field, Qt.Key.Key_Return)
        with db.read() as session:
            rows = list(session.scalars(select(Inspection)))
        assert [(row.event_id, row.guard_id) for row in rows] == [(event_id, guard.id)]
        assert messages == []
        window.close()
    finally:
        wait_for_background()
        db.close()


def test_the_demonstration_is_one_click_away_and_leaves_the_profile_fresh(
        qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"

    def choose_demo(wizard: FirstRunWizard) -> None:
        assert "Demonstration data only" in wizard.welcome.demo_button.description()
        qtbot.mouseClick(wizard.welcome.demo_button, Qt.MouseButton.LeftButton)

    opened = start(qtbot, folder, choose_demo)
    assert opened is not None and opened.args.demo and opened.next_step is None
    try:
        assert opened.db.data_dir == (folder / "demo").resolve() and not opened.db.encrypted
        window = show(qtbot, opened)
        assert window.windowTitle().endswith("demonstration data (not encrypted)")
        assert window.current_event is not None
        assert len(window.workbench.guards(window.current_event.id)) == 606
        assert needs_first_run(folder)  # the set-up comes back at the next start
        window.close()
    finally:
        wait_for_background()
        opened.db.close()


def test_cancel_on_the_welcome_page_quits_and_creates_nothing(qtbot, tmp_path: Path) -> None:
    from ui.application import run_gui

    folder = tmp_path / "laptop"
    problems: list[BaseException] = []
    when_shown(FirstRunWizard, lambda wizard: click(qtbot, wizard, Button.CancelButton),
               problems)
    assert run_gui(gui_args(folder)) == 0
    assert not problems
    assert needs_first_run(folder) and not (folder / KEY_FILENAME).exists()
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]


def test_a_set_up_stopped_after_the_password_resumes_at_the_name(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "laptop"
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])

    def question(_parent, _title, text, *_args, **_kwargs):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))

    def stop_at_the_certificate(wizard: FirstRunWizard) -> None:
        click(qtbot, wizard, Button.NextButton)
        fill_identity(qtbot, wizard)
        choose_password(qtbot, wizard)
        on_page(qtbot, wizard, PageId.CERTIFICATE)
        click(qtbot, wizard, Button.CancelButton)  # "No": the set-up goes on
        assert wizard.isVisible() and wizard.currentId() == PageId.CERTIFICATE
        click(qtbot, wizard, Button.CancelButton)  # "Yes"

    assert start(qtbot, folder, stop_at_the_certificate) is None
    assert len(asked) == 2 and "goes on from your name" in asked[0]
    assert (folder / KEY_FILENAME).is_file()

    def go_on(wizard: FirstRunWizard) -> None:
        assert wizard.currentId() == PageId.SUPERVISOR
        assert not wizard.button(Button.BackButton).isVisible()
        assert wizard.supervisor.name.text() == NAME  # saved before the stop
        wizard.supervisor.name.clear()
        type_into(qtbot, wizard.supervisor.name, "李建军")
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.CERTIFICATE)  # the password is not asked again
        assert wizard.certificate.message.text() == "Your name is saved in your profile."
        wizard.certificate.later_choice.click()
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.HEADQUARTERS)
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.NEXT_STEP)
        click(qtbot, wizard, Button.FinishButton)

    opened = start(qtbot, folder, go_on, PASSWORD)
    assert opened is not None and opened.next_step == NextStep.CREATE_BY_HAND
    try:
        assert read_identity(opened.db).name == "李建军"
        assert supervisor_p12_path(opened.db) is None  # later, as chosen
        assert set_up_done(opened.db) and not set_up_interrupted(opened.db)
    finally:
        opened.db.close()


def test_profiles_not_made_by_the_set_up_are_not_asked_again(tmp_path: Path) -> None:
    folder = tmp_path / "scripted"
    assert needs_first_run(folder)
    db = Database(folder, PASSWORD)  # as --password-file or an older version made it
    try:
        assert not needs_first_run(folder) and not set_up_interrupted(db)
    finally:
        db.close()


def test_headquarters_certificate_imported_in_the_set_up_signs_from_then_on(
        qtbot, tmp_path: Path, messages, monkeypatch: pytest.MonkeyPatch) -> None:
    issued = create_self_signed_p12(tmp_path / "usb" / "li.p12", "李建国 (HQ)", b"from hq")
    folder = tmp_path / "laptop"
    db = Database(folder, PASSWORD)
    db.set_setting(SET_UP_STARTED_SETTING, "1")  # stopped after the password
    db.close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a, **_k: (str(issued), "")))
    typed = iter([("wrong", True), ("from hq", True)])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *_a, **_k: next(typed)))

    def import_it(wizard: FirstRunWizard) -> None:
        type_into(qtbot, wizard.supervisor.name, NAME)
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.CERTIFICATE)
        wizard.certificate.import_choice.click()
        click(qtbot, wizard, Button.NextButton)  # the wrong passphrase: said, page kept
        assert wizard.currentId() == PageId.CERTIFICATE and len(messages) == 1
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.HEADQUARTERS)
        assert messages[-1] == "The certificate will sign your evaluations."
        assert wizard.headquarters.message.text() == ("Headquarters' certificate is saved in "
                                                      "your profile.")
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.NEXT_STEP)
        click(qtbot, wizard, Button.FinishButton)

    opened = start(qtbot, folder, import_it, PASSWORD)
    assert opened is not None
    try:
        path = supervisor_p12_path(opened.db)
        assert path is not None and path.is_relative_to(folder.resolve())  # kept in the profile
        assert read_identity(opened.db).name == "李建国 (HQ)"  # as headquarters issued it
    finally:
        opened.db.close()

"""The set-up's headquarters page and the first steps that need the enrolment: the Sync
menu's own enrolment dialog, opened from the set-up (HQ out of reach: nothing changes; skip for
now), and an enrolled laptop whose first step takes an event down from headquarters. HQ is a
loopback port where nothing answers; nothing leaves this machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.profile.db import Database
from app.profile.set_up import SET_UP_STARTED_SETTING, NextStep, set_up_done
from app.sync.state import HQ_PACKAGE_KEY, HQ_TOKEN, HQ_URL
from tests.helpers.first_run import (
    NAME,
    PASSWORD,
    Button,
    click,
    on_page,
    set_up_for_tests,
    show,
    start,
    type_into,
)
from ui.dialogs.first_run import FirstRunWizard
from ui.dialogs.first_run_pages import PageId
from ui.dialogs.sync import EnrolDialog, RemoteEventsDialog
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
NOBODY_THERE = "http://127.0.0.1:9"  # the discard port: nothing answers on loopback


@pytest.fixture(autouse=True)
def application(qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    yield from set_up_for_tests(monkeypatch, tmp_path)


def enrolled_profile(folder: Path, hq_url: str) -> None:
    """A profile whose set-up stopped at headquarters, enrolled meanwhile."""
    db = Database(folder, PASSWORD)
    db.set_setting(SET_UP_STARTED_SETTING, "1")
    db.set_setting(HQ_URL, hq_url)
    db.set_setting(HQ_TOKEN, "device.secret")
    db.set_setting(HQ_PACKAGE_KEY, "AAAA")
    db.close()


def resume_to_headquarters(qtbot, wizard: FirstRunWizard) -> None:
    click(qtbot, wizard, Button.NextButton)
    on_page(qtbot, wizard, PageId.CERTIFICATE)
    wizard.certificate.later_choice.click()
    click(qtbot, wizard, Button.NextButton)
    on_page(qtbot, wizard, PageId.HEADQUARTERS)


def test_enrolled_the_first_step_can_take_an_event_down_from_headquarters(
        qtbot, tmp_path: Path, messages) -> None:
    folder = tmp_path / "laptop"
    closed_port = "http://127.0.0.1:9"  # the discard port: nothing answers there
    enrolled_profile(folder, closed_port)

    def pull(wizard: FirstRunWizard) -> None:
        type_into(qtbot, wizard.supervisor.name, NAME)
        resume_to_headquarters(qtbot, wizard)
        assert wizard.headquarters.status.text() == (
            f"This laptop is enrolled with headquarters at {closed_port}.")
        click(qtbot, wizard, Button.NextButton)
        on_page(qtbot, wizard, PageId.NEXT_STEP)
        page = wizard.next_step
        assert page.pull_choice.isEnabled() and page.pull_choice.isChecked()
        assert page.package_choice.isEnabled() and not page.needs_enrolment.isVisible()
        click(qtbot, wizard, Button.FinishButton)

    opened = start(qtbot, folder, pull, PASSWORD)
    assert opened is not None and opened.next_step == NextStep.PULL_FROM_HQ
    try:
        window = show(qtbot, opened)
        qtbot.waitUntil(lambda: isinstance(window.sync_menu.dialog, RemoteEventsDialog))
        dialog = window.sync_menu.dialog
        qtbot.waitUntil(lambda: not dialog.busy.isVisible(), timeout=20_000)
        assert "127.0.0.1:9" in dialog.message.text()  # HQ out of reach, said in the list
        dialog.reject()
        window.sync.stop()
        window.close()
    finally:
        wait_for_background()
        opened.db.close()


def test_enrolment_from_the_set_up_uses_the_sync_menus_dialog_and_can_be_skipped(
        qtbot, tmp_path: Path, messages) -> None:
    folder = tmp_path / "laptop"
    db = Database(folder, PASSWORD)
    db.set_setting(SET_UP_STARTED_SETTING, "1")
    db.close()

    def try_to_enrol(wizard: FirstRunWizard) -> None:
        type_into(qtbot, wizard.supervisor.name, NAME)
        resume_to_headquarters(qtbot, wizard)
        page = wizard.headquarters
        qtbot.mouseClick(page.enrol_button, Qt.MouseButton.LeftButton)
        enrol = page.enrol_dialog
        assert isinstance(enrol, EnrolDialog) and enrol.isVisible()
        type_into(qtbot, enrol.url, "http://127.0.0.1:9")
        type_into(qtbot, enrol.code, "ABCD-1234")
        qtbot.mouseClick(enrol.buttons.button(QDialogButtonBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(enrol.url.isEnabled, timeout=20_000)
        assert enrol.message.text().startswith("Not enrolled, nothing was changed")
        enrol.reject()
        assert page.status.text() == "This laptop is not enrolled yet."
        click(qtbot, wizard, Button.NextButton)  # skip for now
        on_page(qtbot, wizard, PageId.NEXT_STEP)
        assert not wizard.next_step.pull_choice.isEnabled()
        click(qtbot, wizard, Button.FinishButton)

    opened = start(qtbot, folder, try_to_enrol, PASSWORD)
    assert opened is not None and opened.next_step == NextStep.CREATE_BY_HAND
    try:
        assert opened.db.setting(HQ_TOKEN) is None and set_up_done(opened.db)
    finally:
        opened.db.close()



"""Settings (Tools → Settings…, Ctrl+,), driven as a supervisor does: clicks, keys and typing.

OK keeps the laptop's preferences in the preferences file and the supervisor's settings in the
profile, and puts the preferences in force at once (type size, contrast, the scan cue's
volume); reopened, the dialog shows them; Cancel changes nothing; a wrong headquarters address
is refused and nothing is saved; an enrolled laptop is not moved to another headquarters behind
its enrolment. With large type the window still fits a 1280x650 laptop screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QMessageBox,
    QScrollArea,
)

from app.evaluation.document_numbers import (
    DEFAULT_BASIS,
    FORM_BASIS_SETTING,
    FORM_PREFIX_SETTING,
    FORM_UNIT_SETTING,
    SAMPLE_SHARE_SETTING,
    FormSettings,
    read_form_settings,
)
from app.inspection.workbench import Workbench
from app.preferences import Preferences, load_preferences, preferences_path, save_preferences
from app.profile.supervisor import (
    ReportDefaults,
    SupervisorIdentity,
    read_identity,
    read_report_defaults,
)
from app.sync.state import HQ_TOKEN, HQ_URL
from tests.helpers.settings_window import (
    close_main_window,
    open_main_window,
    open_settings_from_menu,
    temporary_preferences,
    type_text,
)
from ui.application import make_application
from ui.dialogs.settings import SettingsDialog
from ui.dialogs.settings_pages import hq_address
from ui.dialogs.sync import EnrolDialog
from ui.main_window import MainWindow
from ui.preferences_hub import PreferencesHub
from ui.theme import base_point_size, is_high_contrast, point_size_for
from ui.widgets.result_card import BAD, GOOD, VERDICT_STYLE, WARN

pytestmark = pytest.mark.gui
LAPTOP = (1280, 650)


@pytest.fixture
def hub(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PreferencesHub]:
    yield from temporary_preferences(tmp_path / "config", monkeypatch)


@pytest.fixture
def window(qtbot, hub: PreferencesHub, workbench: Workbench) -> Iterator[MainWindow]:
    win = open_main_window(qtbot, workbench, "en")
    yield win
    close_main_window(win)


def button(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> QAbstractButton:
    found = dialog.buttons.button(which)
    assert found is not None
    return found


def press(qtbot, dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    """A click with the mouse: the scan router first hands on the keys it still holds (a
    person's last keys, judged for 40 ms), as it does for a real click."""
    qtbot.mouseClick(button(dialog, which), Qt.MouseButton.LeftButton)


def show_tab(qtbot, dialog: SettingsDialog, index: int) -> None:
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert dialog.tabs.currentIndex() == index


def type_into(qtbot, field, text: str) -> None:
    """Select what the field holds and type over it, as a person does."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    type_text(qtbot, field, text)


def change_everything(qtbot, dialog: SettingsDialog) -> None:
    laptop = dialog.laptop
    qtbot.keyClick(laptop.language, Qt.Key.Key_Down)  # System → 中文
    laptop.large_type.click()
    laptop.high_contrast.click()
    for _ in range(3):
        qtbot.keyClick(laptop.volume, Qt.Key.Key_PageDown)  # 80 → 50
    for _ in range(2):
        qtbot.keyClick(laptop.idle_lock, Qt.Key.Key_Down)  # 10 → 15 → 30 minutes
    show_tab(qtbot, dialog, 1)
    page = dialog.supervisor
    type_into(qtbot, page.name, "李建国")
    type_into(qtbot, page.unit, "沈阳市公安局治安管理支队")
    type_into(qtbot, page.badge_number, "210345")
    type_into(qtbot, page.report_unit, "沈阳市公安局")
    type_into(qtbot, page.signer, "王  督导 ")  # spaces tidied when kept
    type_into(qtbot, page.number_prefix, "辽公保考")
    type_into(qtbot, page.basis, "《保安服务管理条例》")
    type_into(qtbot, page.hq_url, "https://10.0.0.5:8443/")


EXPECTED_PREFERENCES = Preferences(language="zh_CN", large_type=True, high_contrast=True,
                                   sound=True, volume=50, idle_lock_minutes=30, camera="")


def test_ok_keeps_everything_and_applies_it_at_once(qtbot, window: MainWindow,
                                                    hub: PreferencesHub,
                                                    workbench: Workbench) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    normal_size = app.font().pointSize()
    qtbot.waitUntil(lambda: window.inspection.cue is not None)
    dialog = open_settings_from_menu(qtbot, window)
    change_everything(qtbot, dialog)
    with qtbot.waitSignal(dialog.preferences_changed) as changed:
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert not dialog.isVisible()

    assert changed.args == [EXPECTED_PREFERENCES]
    assert load_preferences() == EXPECTED_PREFERENCES
    db = workbench.db
    assert read_identity(db) == SupervisorIdentity("李建国", "沈阳市公安局治安管理支队", "210345")
    assert read_report_defaults(db) == ReportDefaults("沈阳市公安局", "王 督导", "辽公保考",
                                                      "《保安服务管理条例》")
    assert read_form_settings(db) == FormSettings("沈阳市公安局", "辽公保考",
                                                  "《保安服务管理条例》")
    assert db.setting(HQ_URL) == "https://10.0.0.5:8443"
    # In force at once: the look, the scan cue, the hub the idle lock listens to.
    assert hub.preferences == EXPECTED_PREFERENCES
    assert app.font().pointSize() == point_size_for(app, True) > normal_size
    assert is_high_contrast(app)
    assert window.inspection.cue is not None
    assert (window.inspection.cue.enabled, window.inspection.cue.volume) == (True, 50)

    again = open_settings_from_menu(qtbot, window)
    laptop, page = again.laptop, again.supervisor
    assert laptop.language.currentText() == "中文"
    assert laptop.large_type.isChecked() and laptop.high_contrast.isChecked()
    assert laptop.sound.isChecked() and laptop.volume.value() == 50
    assert laptop.volume_value.text() == "50 %"
    assert laptop.idle_lock.currentData() == 30
    assert [page.name.text(), page.unit.text(), page.badge_number.text(),
            page.report_unit.text(), page.signer.text(), page.number_prefix.text(),
            page.basis.text(), page.hq_url.text()] == [
        "李建国", "沈阳市公安局治安管理支队", "210345", "沈阳市公安局", "王 督导", "辽公保考",
        "《保安服务管理条例》", "https://10.0.0.5:8443"]
    assert not page.number_prefix.isReadOnly() and page.hq_form_note.isHidden()
    assert "Not enrolled yet" in page.hq_note.text()
    assert page.hq_warning.text() == ""  # https: no plain-http warning
    # Back to normal type and colours, with Apply (the dialog stays open).
    laptop.large_type.click()
    laptop.high_contrast.click()
    press(qtbot, again, QDialogButtonBox.StandardButton.Apply)
    assert again.isVisible()
    assert app.font().pointSize() == base_point_size(app) == normal_size
    assert not is_high_contrast(app)
    assert load_preferences().large_type is False
    press(qtbot, again, QDialogButtonBox.StandardButton.Cancel)


def test_cancel_changes_nothing(qtbot, window: MainWindow, hub: PreferencesHub,
                                workbench: Workbench) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    size_before = app.font().pointSize()
    dialog = open_settings_from_menu(qtbot, window)
    dialog.laptop.sound.click()
    change_everything(qtbot, dialog)
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    assert not dialog.isVisible()
    assert not preferences_path().exists()
    assert hub.preferences == Preferences()
    assert app.font().pointSize() == size_before and not is_high_contrast(app)
    db = workbench.db
    assert read_identity(db) == SupervisorIdentity()
    assert read_report_defaults(db) == ReportDefaults()
    assert not db.setting(HQ_URL)

    again = open_settings_from_menu(qtbot, window)
    assert again.laptop.sound.isChecked() and again.laptop.volume.value() == 80
    assert again.supervisor.name.text() == ""


def test_form_values_headquarters_set_are_shown_read_only_and_kept_apart(
        qtbot, window: MainWindow, hub: PreferencesHub, workbench: Workbench) -> None:
    """What HQ's event package set of the form (unit, prefix; not the basis here) shows
    read-only, with a note; OK keeps the laptop's own values for those fields, which apply
    again when HQ sets none."""
    db = workbench.db
    db.set_setting(FORM_UNIT_SETTING, "辽宁省公安厅治安管理总队")
    db.set_setting(FORM_PREFIX_SETTING, "辽公保考")
    db.set_setting(FORM_BASIS_SETTING, "")  # HQ sent none: the laptop's own applies
    dialog = open_settings_from_menu(qtbot, window)
    show_tab(qtbot, dialog, 1)
    page = dialog.supervisor
    assert page.report_unit.text() == "辽宁省公安厅治安管理总队"
    assert page.number_prefix.text() == "辽公保考"
    assert page.report_unit.isReadOnly() and page.number_prefix.isReadOnly()
    assert not page.basis.isReadOnly()
    assert page.hq_form_note.isVisibleTo(page)
    assert "Headquarters set" in page.hq_form_note.text()
    type_into(qtbot, page.number_prefix, "X")  # read-only: typing changes nothing
    assert page.number_prefix.text() == "辽公保考"
    type_into(qtbot, page.basis, "《保安服务管理条例》")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert not dialog.isVisible()
    assert read_report_defaults(db) == ReportDefaults("", "", "", "《保安服务管理条例》")
    assert read_form_settings(db) == FormSettings("辽宁省公安厅治安管理总队", "辽公保考",
                                                  "《保安服务管理条例》")
    db.set_setting(FORM_PREFIX_SETTING, "")  # a later package without HQ's prefix
    again = open_settings_from_menu(qtbot, window)
    assert not again.supervisor.number_prefix.isReadOnly()
    assert again.supervisor.number_prefix.text() == ""
    press(qtbot, again, QDialogButtonBox.StandardButton.Cancel)
    assert read_form_settings(db).number_prefix == "公保考"
    assert DEFAULT_BASIS.startswith("《大型群众性活动安全管理条例》")


def test_the_share_of_the_sample_a_final_grade_needs_is_shown_as_headquarters_set_it(
        qtbot, window: MainWindow, workbench: Workbench) -> None:
    """The supervisor reads in Settings what a final grade needs; HQ's package sets the share
    (the laptop has no field to change it), else the default of 90 % applies."""
    dialog = open_settings_from_menu(qtbot, window)
    show_tab(qtbot, dialog, 1)
    rule = dialog.supervisor.final_grade_rule
    assert rule.isVisibleTo(dialog.supervisor)
    assert "90.0%" in rule.text() and "the default" in rule.text()
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    workbench.db.set_setting(SAMPLE_SHARE_SETTING, "0.8")  # as HQ's event package stores it
    again = open_settings_from_menu(qtbot, window)
    show_tab(qtbot, again, 1)
    text = again.supervisor.final_grade_rule.text()
    assert "80.0%" in text and "set by headquarters" in text
    press(qtbot, again, QDialogButtonBox.StandardButton.Ok)
    assert workbench.db.setting(SAMPLE_SHARE_SETTING) == "0.8"  # OK leaves HQ's value alone


def test_ctrl_comma_opens_settings_from_the_scan_field(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_Comma,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(dialog.isVisible()
                                for dialog in window.findChildren(SettingsDialog)))


def test_a_wrong_headquarters_address_is_refused_and_nothing_saved(
        qtbot, window: MainWindow, hub: PreferencesHub, workbench: Workbench) -> None:
    dialog = open_settings_from_menu(qtbot, window)
    dialog.laptop.large_type.click()
    show_tab(qtbot, dialog, 1)
    type_into(qtbot, dialog.supervisor.name, "李建国")
    type_into(qtbot, dialog.supervisor.hq_url, "hq.example.cn")
    show_tab(qtbot, dialog, 0)
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)

    assert dialog.isVisible()
    assert dialog.tabs.currentWidget() is dialog.supervisor
    assert dialog.message.isVisible()
    assert "“hq.example.cn” is not a headquarters address" in dialog.message.text()
    assert dialog.supervisor.hq_url.hasFocus()
    assert not preferences_path().exists()
    assert hub.preferences == Preferences()
    assert read_identity(workbench.db).name == ""
    assert not workbench.db.setting(HQ_URL)

    type_into(qtbot, dialog.supervisor.hq_url, "http://hq.example.cn:8000")
    assert "unencrypted" in dialog.supervisor.hq_warning.text()  # allowed, with a warning
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert not dialog.isVisible()
    assert workbench.db.setting(HQ_URL) == "http://hq.example.cn:8000"
    assert read_identity(workbench.db).name == "李建国"
    assert load_preferences().large_type


@pytest.mark.parametrize("text, kept", [
    ("", ""),
    ("  https://hq.example.cn  ", "https://hq.example.cn"),
    ("https://HQ.example.cn:8443/", "https://HQ.example.cn:8443"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("https://[::1]:8443", "https://[::1]:8443"),
    ("HTTPS://hq", "https://hq"),
    ("hq.example.cn", None),
    ("ftp://hq.example.cn", None),
    ("https://", None),
    ("https://hq.example.cn:99999", None),
    ("https://hq.example.cn:0", None),
    ("https://hq.example.cn:port", None),
    ("https://user:secret@hq.example.cn", None),
    ("https://hq.example.cn/api/v1", None),
    ("https://hq.example.cn/?x=1", None),
    ("https://hq example.cn", None),
    ("https://-hq.example.cn", None),
    ("https://[::zz]:8443", None),
])
def test_headquarters_address_rule(text: str, kept: str | None) -> None:
    assert hq_address(text) == kept


@pytest.fixture
def enrolled(workbench: Workbench) -> str:
    """The laptop enrolled with headquarters (what enrolment keeps that Settings reads)."""
    workbench.db.set_setting(HQ_URL, "https://hq-old.example.cn:8443")
    workbench.db.set_setting(HQ_TOKEN, "device-token")
    return "https://hq-old.example.cn:8443"


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes,
                                    QMessageBox.StandardButton.No])
def test_an_enrolled_laptop_keeps_its_headquarters_until_enrolled_again(
        qtbot, window: MainWindow, workbench: Workbench, enrolled: str, monkeypatch,
        answer: QMessageBox.StandardButton) -> None:
    asked: list[str] = []

    def question(_parent, _title, text, *_args, **_kwargs):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    dialog = open_settings_from_menu(qtbot, window)
    show_tab(qtbot, dialog, 1)
    page = dialog.supervisor
    assert page.hq_url.text() == enrolled
    assert f"enrolled with headquarters at {enrolled}" in page.hq_note.text()
    assert not page.hq_warning.isVisible()
    type_into(qtbot, page.hq_url, "https://hq-new.example.cn")
    assert page.hq_warning.isVisible()
    assert "stays enrolled with https://hq-old.example.cn:8443" in page.hq_warning.text()
    type_into(qtbot, page.name, "李建国")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)

    assert len(asked) == 1 and "Enrol at https://hq-new.example.cn now?" in asked[0]
    assert not dialog.isVisible()
    assert workbench.db.setting(HQ_URL) == enrolled  # not moved behind the enrolment
    assert read_identity(workbench.db).name == "李建国"  # the rest was saved
    QApplication.processEvents()
    enrol_dialogs = [d for d in window.findChildren(EnrolDialog) if d.isVisible()]
    if answer == QMessageBox.StandardButton.Yes:
        assert len(enrol_dialogs) == 1
        assert enrol_dialogs[0].url.text() == "https://hq-new.example.cn"
        assert enrol_dialogs[0].code.hasFocus()
        enrol_dialogs[0].reject()
    else:
        assert enrol_dialogs == []
    again = open_settings_from_menu(qtbot, window)
    assert again.supervisor.hq_url.text() == enrolled


def test_a_camera_chosen_before_is_kept_while_unplugged(qtbot, window: MainWindow,
                                                        hub: PreferencesHub) -> None:
    save_preferences(Preferences(camera="0a1b2c3d"))
    dialog = open_settings_from_menu(qtbot, window)
    camera = dialog.laptop.camera
    assert camera.itemData(0) == ""  # the system's default camera comes first
    assert camera.currentData() == "0a1b2c3d"
    assert "not connected" in camera.currentText()
    qtbot.keyClick(camera, Qt.Key.Key_Home)  # the system's default instead
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert load_preferences().camera == ""
    assert hub.preferences.camera == ""


def test_sound_off_silences_the_scan_cue(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.inspection.cue is not None)
    cue = window.inspection.cue
    assert cue is not None and cue.enabled
    dialog = open_settings_from_menu(qtbot, window)
    dialog.laptop.sound.click()
    assert not dialog.laptop.volume.isEnabled() and not dialog.laptop.test_sound.isEnabled()
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert not cue.enabled
    assert load_preferences().sound is False


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_with_large_type_the_window_fits_a_laptop(qtbot, hub: PreferencesHub,
                                                  workbench: Workbench, lang: str) -> None:
    """As tests/test_gui_layout.py checks it, with large type on (chosen in Settings)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = open_main_window(qtbot, workbench, lang)
    try:
        dialog = open_settings_from_menu(qtbot, window)
        dialog.laptop.large_type.click()
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
        assert app.font().pointSize() == point_size_for(app, True)
        qtbot.wait(50)  # the widgets take the new font from posted events, then re-fit
        hint = window.minimumSizeHint().expandedTo(window.minimumSize())
        assert hint.width() <= LAPTOP[0] and hint.height() <= LAPTOP[1], hint
        window.resize(*LAPTOP)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            QApplication.processEvents()
            assert window.width() <= LAPTOP[0] and window.height() <= LAPTOP[1]
            page = window.tabs.widget(index).minimumSizeHint()
            assert page.width() <= LAPTOP[0] and page.height() <= LAPTOP[1] - 120, (
                window.tabs.tabText(index), page)
            for control in window.findChildren(QAbstractButton):
                if control.isVisible():
                    assert_reachable(window, control, window.tabs.tabText(index))
        # The dialog itself fits too.
        dialog = open_settings_from_menu(qtbot, window)
        size = dialog.minimumSizeHint()
        assert size.width() <= LAPTOP[0] and size.height() <= LAPTOP[1], size
        dialog.reject()
    finally:
        close_main_window(window)
        make_application("en")


def assert_reachable(window: MainWindow, control: QAbstractButton, tab: str) -> None:
    """Inside the window, or inside a scroll area (on screen) that can bring it into view."""
    area = control.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    shown = area if area is not None else control
    top_left = shown.mapTo(window, shown.rect().topLeft())
    bottom_right = shown.mapTo(window, shown.rect().bottomRight())
    assert window.rect().contains(top_left) and window.rect().contains(bottom_right), (
        tab, control.text(), top_left, bottom_right)
    if area is not None:
        assert area.viewport().width() >= control.width(), control.text()
        assert area.viewport().height() >= 100, control.text()


def test_verdicts_that_red_green_blindness_confuses_differ_in_shape() -> None:
    """The verdict card's colours stay as they are in high contrast; a supervisor who cannot
    tell red from green (or from orange) still tells the verdicts apart by the symbol drawn
    on the card, and reads the words beside it."""
    confusable = {GOOD, WARN, BAD}
    styles = [style for style in VERDICT_STYLE.values() if style[0] in confusable]
    for colour, symbol in styles:
        others = {other_symbol for other_colour, other_symbol in styles
                  if other_colour != colour}
        assert symbol not in others, (colour, symbol)
    assert {symbol for _colour, symbol in VERDICT_STYLE.values()} >= {"check", "cross"}


def test_preferences_that_cannot_be_written_are_said_so(qtbot, window: MainWindow,
                                                        hub: PreferencesHub) -> None:
    preferences_path().parent.write_text("a file where the folder should be")
    dialog = open_settings_from_menu(qtbot, window)
    dialog.laptop.large_type.click()
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible()
    assert dialog.message.text().startswith("This laptop's settings were not saved:")
    assert hub.preferences == Preferences()  # nothing put in force that is not kept

"""The lock screen driven as a supervisor meets it: Ctrl+L (or the idle time), a badge scanned
while locked, a wrong password, the right one. Every check looks at what the screen shows, at
the rows in the profile's database, and at the sound the scan asked for."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)
from sqlalchemy import func, select

import ui.lock
from app.badge.payload import post_payload
from app.demo import create_demo_event
from app.inspection.identity import cert_key
from app.inspection.locked_scan import looks_like_a_scan, was_a_scan
from app.inspection.workbench import Workbench
from app.preferences import Preferences
from app.profile.db import Database
from app.profile.models import CheckResult, Finding, Inspection
from tests.conftest import release_widgets
from ui.application import make_application
from ui.main_window import MainWindow
from ui.preferences_hub import preferences_hub
from ui.tasks import wait_for_background

# Shaped like a certificate number (letters, digits, a dash) and typed by QTest as fast as a
# scanner: the text is tried as the password first, so it still unlocks.
PASSWORD = "Venue-2024-Lock"
# A mistyped password a person might enter: not shaped like a badge (it has spaces and a "!").
WRONG_PASSWORD = "not my password!"
NOTE = "no insignia worn"


# ------------------------------------------------------------------ the rule, without Qt
def test_what_looks_like_a_scan() -> None:
    assert looks_like_a_scan("辽898001735336")  # a certificate number, as printed
    assert looks_like_a_scan("898001735336")  # as a scanner types it
    assert looks_like_a_scan("VS1" + "A" * 120)  # a signed badge, even a damaged one
    assert looks_like_a_scan(post_payload("A区1号安检口"))
    assert not looks_like_a_scan(WRONG_PASSWORD)
    assert not looks_like_a_scan("correcthorsebatterystaple")  # no digit: a word
    assert not looks_like_a_scan("https://example.com/badge/1")  # another system's code
    assert looks_like_a_scan(PASSWORD)  # which is why the password is always tried first


def test_a_scan_is_a_run_at_scanner_speed_long_enough() -> None:
    assert was_a_scan("898001735336")
    assert not was_a_scan("898001")  # nine keys or fewer: a person's flurry
    assert not was_a_scan("")
    assert not was_a_scan(WRONG_PASSWORD + "0123456789")


# ------------------------------------------------------------------ the window
@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("VENUE_SUPERVISOR_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def gui(qapp, config_dir: Path) -> Iterator[QApplication]:
    app = make_application("zh_CN")
    hub = preferences_hub()
    before = hub.preferences
    hub.publish(Preferences())  # the default idle time: 10 minutes, not this test's matter
    yield app
    hub.publish(before)
    release_widgets()


def open_window(qtbot, workbench: Workbench) -> MainWindow:
    event_id = create_demo_event(workbench)
    window = MainWindow(workbench, "zh_CN", event_id)
    qtbot.addWidget(window, before_close_func=lambda _w: wait_for_background())
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.inspection.scan_field.hasFocus)
    return window


@pytest.fixture
def demo_window(gui, qtbot, workbench: Workbench, messages) -> MainWindow:
    return open_window(qtbot, workbench)


@pytest.fixture
def encrypted_workbench(tmp_path: Path) -> Iterator[Workbench]:
    db = Database(tmp_path / "encrypted", password=PASSWORD)
    yield Workbench(db)
    db.close()


@pytest.fixture
def encrypted_window(gui, qtbot, encrypted_workbench: Workbench, messages) -> MainWindow:
    return open_window(qtbot, encrypted_workbench)


def texts_of(widget: QWidget) -> list[str]:
    """Everything ``widget`` shows in words: its text, its items, its cells, its tooltip."""
    found = [widget.toolTip()]
    if isinstance(widget, QLabel | QAbstractButton):
        found.append(widget.text())
    if isinstance(widget, QLineEdit):
        found += [widget.displayText(), widget.placeholderText()]
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        found.append(widget.toPlainText())
    if isinstance(widget, QComboBox):
        found += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QGroupBox):
        found.append(widget.title())
    if isinstance(widget, QTabBar):
        found += [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        found += [str(model.index(row, column).data() or "")
                  for row in range(model.rowCount()) for column in range(model.columnCount())]
    return [text for text in found if text]


def shown_texts() -> list[str]:
    """What every visible window of the app shows: titles, menus, widgets, status bars."""
    texts: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        texts.append(top.windowTitle())
        for widget in [top, *top.findChildren(QWidget)]:
            if widget.isVisible():
                texts += texts_of(widget)
    return texts


def secrets_of_the_event(workbench: Workbench, window: MainWindow) -> set[str]:
    event = window.current_event
    assert event is not None
    guards = workbench.guards(event.id)
    names = {event.name, event.venue, event.organizer, *(g.name for g in guards),
             *(g.company_name for g in guards), *(p.name for p in workbench.posts(event.id))}
    if event.company is not None:
        names.add(event.company.name)
    return {name for name in names if name}


def leaks(secrets: set[str]) -> list[str]:
    return sorted({secret for text in shown_texts() for secret in secrets if secret in text})


def count(workbench: Workbench, model: type) -> int:
    with workbench.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def scan_at_his_post(qtbot, window: MainWindow, workbench: Workbench):
    assert window.current_event is not None
    guard = next(g for g in workbench.guards(window.current_event.id) if g.post_id)
    window.inspection.select_post(guard.post_id or "")
    qtbot.keyClicks(window.inspection.scan_field, cert_key(guard.cert_no))
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_Return)
    assert window.inspection.card.name_label.text() == guard.name
    return guard


def press_ctrl_l(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.window_lock.locked


def lock_message(window: MainWindow) -> str:
    message = window.window_lock.screen.message
    return message.text() if message.isVisible() else ""


def said(text: str) -> str:
    """The lock's words as the window shows them (in its language)."""
    return QCoreApplication.translate("WindowLock", text)


SCAN_REFUSED = ("A badge was scanned while locked: nothing was recorded. Unlock, then scan it "
                "again.")


# ------------------------------------------------------------------ tests
def test_the_lock_screen_shows_nothing_of_the_event_and_a_scan_records_nothing(
        qtbot, demo_window: MainWindow, workbench: Workbench, monkeypatch) -> None:
    window = demo_window
    guard = scan_at_his_post(qtbot, window, workbench)
    window.tabs.setCurrentWidget(window.roster_page)  # the roster: every guard's name
    secrets = secrets_of_the_event(workbench, window)
    assert guard.name in secrets and leaks(secrets)  # the walk finds what is on screen
    title = window.windowTitle()

    press_ctrl_l(qtbot, window)
    assert leaks(secrets) == []
    assert window.windowTitle() == "大型活动安保现场督导"
    assert not window.statusBar().isVisible()
    assert not window.menuBar().isEnabled()
    assert window.window_lock.screen.isVisible()
    # The demo is not encrypted: no password, the button alone.
    assert not window.window_lock.screen.password.isVisible()

    # A scanner's keys reach the focus widget (the Unlock button): refused, nothing recorded.
    inspections, results = count(workbench, Inspection), count(workbench, CheckResult)
    cue = window.inspection.cue
    assert cue is not None and cue.last_played == "accept"  # the scan before the lock
    focus = QApplication.focusWidget()
    assert focus is window.window_lock.screen.unlock_button
    qtbot.keyClicks(focus, cert_key(guard.cert_no))
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock_message(window) == said(SCAN_REFUSED))
    assert cue.last_played == "alert"
    assert window.window_lock.locked  # its Enter did not press the Unlock button

    # No command runs while locked: Ctrl+I asks for no roster, F2 ticks nothing, Alt+1 shows
    # no tab, and a shortcut outside the menus (one of the window's own) does nothing either.
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: asked.append(args) or ("", "")))
    own = QAction(window)
    own.setShortcut(QKeySequence("Ctrl+K"))
    own.triggered.connect(lambda: asked.append("Ctrl+K"))
    window.addAction(own)
    for key, modifiers in ((Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier),
                           (Qt.Key.Key_F2, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
                           (Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier),
                           (Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(QApplication.focusWidget(), key, modifiers)
    wait_for_background()
    assert asked == []
    assert window.tabs.currentWidget() is window.roster_page
    assert (count(workbench, Inspection), count(workbench, CheckResult)) == (inspections,
                                                                             results)
    assert window.window_lock.locked

    qtbot.mouseClick(window.window_lock.screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.window_lock.locked
    assert window.tabs.currentWidget() is window.roster_page  # back where it was
    assert window.windowTitle() == title
    assert window.statusBar().isVisible() and window.menuBar().isEnabled()
    assert guard.name in shown_texts()
    assert count(workbench, Inspection) == inspections


def test_lock_is_in_the_file_menu_before_quit(demo_window: MainWindow) -> None:
    file_menu = demo_window.menuBar().actions()[0].menu()
    actions = [a for a in file_menu.actions() if not a.isSeparator()]
    shortcuts = [a.shortcut().toString() for a in actions]
    assert shortcuts[-2:] == ["Ctrl+L", "Ctrl+Q"]
    actions[-2].trigger()
    assert demo_window.window_lock.locked


def test_the_password_unlocks_and_everything_is_as_it_was(
        qtbot, encrypted_window: MainWindow, encrypted_workbench: Workbench) -> None:
    window, workbench = encrypted_window, encrypted_workbench
    guard = scan_at_his_post(qtbot, window, workbench)
    page = window.inspection
    post = page.current_post
    page.toggle_item(1)  # a finding: its note is being typed when the supervisor steps away
    note = page.finding_editor.note
    qtbot.mouseClick(note, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, NOTE, delay=45)  # a person types, not a scanner
    findings, inspections = count(workbench, Finding), count(workbench, Inspection)

    press_ctrl_l(qtbot, window)
    screen = window.window_lock.screen
    field = screen.password
    assert QApplication.focusWidget() is field
    assert leaks(secrets_of_the_event(workbench, window)) == []

    # A wrong password, typed by a person: said, and asked again.
    qtbot.keyClicks(field, WRONG_PASSWORD, delay=35)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock_message(window) == said("Wrong password. Try again."),
                    timeout=10_000)
    assert window.window_lock.locked and field.text() == ""

    # A badge scanned into the password field: not the password, so a refused scan.
    assert page.cue is not None
    page.cue.last_played = None
    qtbot.keyClicks(field, cert_key(guard.cert_no))
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock_message(window) == said(SCAN_REFUSED), timeout=10_000)
    assert page.cue.last_played == "alert"
    assert window.window_lock.locked and field.text() == ""
    assert count(workbench, Inspection) == inspections

    # The right password: everything back as it was.
    qtbot.keyClicks(field, PASSWORD)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.window_lock.locked, timeout=10_000)
    assert window.tabs.currentWidget() is page
    assert page.current_post is not None and post is not None
    assert page.current_post.id == post.id
    assert note.text() == NOTE and note.hasFocus()
    assert page.card.name_label.text() == guard.name
    assert (count(workbench, Finding), count(workbench, Inspection)) == (findings,
                                                                         inspections)


def test_a_dialog_open_when_it_locks_comes_back_as_it_was(
        qtbot, demo_window: MainWindow, workbench: Workbench) -> None:
    """A question left open (its exec() running) is covered, not closed: hiding it would
    answer it "No". Esc does not answer it while locked; unlocked, it is there as it was."""
    window = demo_window
    guard = scan_at_his_post(qtbot, window, workbench)
    box = QMessageBox(QMessageBox.Icon.Question, "问题", f"删除{guard.name}的记录?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, window)
    seen: dict[str, object] = {}

    def while_open() -> None:
        seen["size"] = box.size()
        window.window_lock.lock()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        seen["leaks"] = leaks({guard.name})
        seen["title"] = box.windowTitle()
        seen["still open"] = box.isVisible()
        covers = [s for s in box.findChildren(type(window.window_lock.screen)) if s.isVisible()]
        seen["covered"] = len(covers)
        qtbot.mouseClick(covers[0].unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: box.size() == seen["size"])
        seen["after"] = (box.windowTitle(), guard.name in box.text(),
                         box.button(QMessageBox.StandardButton.Yes).isVisible())
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(0, while_open)
    answer = box.exec()
    assert seen["leaks"] == [] and seen["title"] == "大型活动安保现场督导"
    assert seen["still open"] and seen["covered"] == 1
    assert seen["after"] == ("问题", True, True)
    assert answer == QMessageBox.StandardButton.Yes
    assert not window.window_lock.locked


def test_a_message_shown_while_locked_waits_for_the_unlock(
        qtbot, demo_window: MainWindow, workbench: Workbench) -> None:
    """A background task that finishes while locked may show a message: covered at once,
    read after the unlock."""
    window = demo_window
    guard = scan_at_his_post(qtbot, window, workbench)
    window.window_lock.lock()
    box = QMessageBox(QMessageBox.Icon.Information, "导入", f"{guard.name}已导入",
                      QMessageBox.StandardButton.Ok, window)
    seen: dict[str, object] = {}

    def while_open() -> None:
        seen["leaks"] = leaks({guard.name})
        seen["locked"] = window.window_lock.locked
        covers = [s for s in box.findChildren(type(window.window_lock.screen)) if s.isVisible()]
        qtbot.mouseClick(covers[0].unlock_button, Qt.MouseButton.LeftButton)
        seen["after"] = (box.windowTitle(), box.button(QMessageBox.StandardButton.Ok)
                         .isVisible())
        box.accept()

    QTimer.singleShot(50, while_open)
    box.exec()
    assert seen["locked"] and seen["leaks"] == []
    assert seen["after"] == ("导入", True)


def test_it_locks_after_the_idle_time(qtbot, demo_window: MainWindow, monkeypatch) -> None:
    window = demo_window
    monkeypatch.setattr(ui.lock, "MS_PER_MINUTE", 750)  # 2 "minutes": 1.5 s
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_Shift)  # a person is there
    preferences_hub().publish(Preferences(idle_lock_minutes=2))  # as Settings does
    # Input postpones it: the mouse moved after 1 s, then 1 s more is not 1.5 s without input.
    qtbot.wait(1000)
    qtbot.mouseMove(window.inspection.scan_field, QPoint(5, 5))
    qtbot.wait(1000)
    assert not window.window_lock.locked
    qtbot.waitUntil(lambda: window.window_lock.locked, timeout=5000)
    assert window.window_lock.screen.isVisible()
    qtbot.mouseClick(window.window_lock.screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not window.window_lock.locked

    preferences_hub().publish(Preferences(idle_lock_minutes=0))  # never
    qtbot.wait(2000)
    assert not window.window_lock.locked


def test_a_photo_or_camera_decode_that_ends_after_the_lock_records_nothing(
        qtbot, demo_window: MainWindow, workbench: Workbench) -> None:
    """The camera, a badge photo and the clipboard bypass the scan router: a decode started
    before the lock and finished after it (its ``decoded`` signal) is refused the same way."""
    window = demo_window
    guard = scan_at_his_post(qtbot, window, workbench)
    press_ctrl_l(qtbot, window)
    inspections = count(workbench, Inspection)
    window.inspection.scan_sources.decoded.emit(cert_key(guard.cert_no))
    wait_for_background()
    assert count(workbench, Inspection) == inspections
    assert lock_message(window) == said(SCAN_REFUSED)
    assert window.inspection.cue is not None and window.inspection.cue.last_played == "alert"


def test_ctrl_l_locks_while_a_modal_dialog_is_open(qtbot, demo_window: MainWindow) -> None:
    """Settings (window-modal) blocks the window's shortcuts: Ctrl+L typed in it locks all the
    same, and the dialog is covered."""
    from ui.dialogs.settings import open_settings

    window = demo_window
    dialog = open_settings(window)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog)
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.window_lock.locked
    assert leaks(secrets_of_the_event(window.workbench, window)) == []
    qtbot.mouseClick(window.window_lock.screen.unlock_button, Qt.MouseButton.LeftButton)
    dialog.reject()


def test_the_first_touch_after_the_laptop_slept_locks(qtbot, demo_window: MainWindow,
                                                      monkeypatch) -> None:
    """Asleep, the monotonic clock and Qt's timers stand still; the wall clock does not: the
    first input after a sleep longer than the idle time locks the window."""
    import ui.lock

    window = demo_window
    preferences_hub().publish(Preferences(idle_lock_minutes=10))
    qtbot.mouseMove(window.inspection.scan_field)  # some use now
    assert not window.window_lock.locked
    woke = time.time() + 11 * 60
    monkeypatch.setattr(ui.lock.time, "time", lambda: woke)
    qtbot.mouseClick(window.inspection.scan_field, Qt.MouseButton.LeftButton)
    assert window.window_lock.locked


def test_a_scan_refused_while_locked_is_heard_even_with_the_sound_off(
        qtbot, demo_window: MainWindow, workbench: Workbench) -> None:
    window = demo_window
    guard = scan_at_his_post(qtbot, window, workbench)
    preferences_hub().publish(Preferences(sound=False))
    cue = window.inspection.cue
    assert cue is not None and cue.available
    cue.last_heard = None
    qtbot.keyClicks(window.inspection.scan_field, cert_key(guard.cert_no))
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_Return)
    assert cue.last_heard is None  # muted: a recorded scan makes no sound
    press_ctrl_l(qtbot, window)
    window.inspection.scan_sources.decoded.emit(cert_key(guard.cert_no))
    assert lock_message(window) == said(SCAN_REFUSED)
    assert cue.last_heard == "alert"  # the refusal is heard all the same

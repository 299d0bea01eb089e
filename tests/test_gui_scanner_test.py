"""The scanner test page of Settings: what the scanner typed, how fast, and whether the app
takes it for a scan, by the very rule the inspection applies.

Keys reach the page as they reach any widget: through the application, past the scan router
the main window installs, which leaves this one box alone (everywhere else in the dialog a
scanner's burst is taken out and recorded as an inspection). Some keys carry the window
system's timestamps (``QKeyEvent.setTimestamp``, sent with ``QApplication.sendEvent``), as in
tests/test_scan_router.py; ``qtbot.keyClicks`` sends timestamp 0, and such keys are timed by
their arrival: without ``delay`` a scanner's pace, with ``delay=35`` a person's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from app.inspection.identity import cert_key
from app.inspection.scan_timing import KeyKind
from app.inspection.workbench import Workbench
from app.profile.models import Inspection
from tests.helpers.settings_window import (
    close_main_window,
    open_main_window,
    open_settings_from_menu,
    temporary_preferences,
)
from ui.dialogs.settings import SettingsDialog
from ui.main_window import MainWindow
from ui.preferences_hub import PreferencesHub
from ui.widgets.scanner_analysis import REFERENCE_CODE, KeyRecord, analyse, layout_hints, visible
from ui.widgets.scanner_test import ScannerTestPage

pytestmark = pytest.mark.gui
SPECIAL_KEYS = {"\r": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab, " ": Qt.Key.Key_Space}


@pytest.fixture
def hub(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PreferencesHub]:
    yield from temporary_preferences(tmp_path / "config", monkeypatch)


@pytest.fixture
def window(qtbot, hub: PreferencesHub, workbench: Workbench) -> Iterator[MainWindow]:
    win = open_main_window(qtbot, workbench, "en")
    yield win
    close_main_window(win)


@pytest.fixture
def dialog(qtbot, window: MainWindow) -> SettingsDialog:
    """Settings, on the scanner test tab (clicked, as the supervisor does)."""
    opened = open_settings_from_menu(qtbot, window)
    bar = opened.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(2).center())
    assert opened.scanner.isVisible() and opened.scanner.box.hasFocus()
    return opened


@pytest.fixture
def badge(workbench: Workbench, window: MainWindow) -> str:
    """A demo guard's certificate number: scanned anywhere but the test box, it would be
    recorded as an inspection."""
    assert window.current_event is not None
    guard = next(g for g in workbench.guards(window.current_event.id) if g.post_id)
    return cert_key(guard.cert_no)


def inspections(workbench: Workbench) -> int:
    with workbench.db.read() as session:
        return session.scalar(select(func.count()).select_from(Inspection)) or 0


def key_for(ch: str) -> Qt.Key:
    if ch in SPECIAL_KEYS:
        return SPECIAL_KEYS[ch]
    upper = ch.upper()
    try:
        return Qt.Key(ord(upper if len(upper) == 1 else ch))
    except ValueError:
        return Qt.Key.Key_unknown


def send_keys(widget, text: str, times_ms: list[int],
              modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Each character pressed at its time and released 2 ms later, stamped as the window
    system stamps them."""
    for ch, at in zip(text, times_ms, strict=True):
        for kind, stamp in ((QEvent.Type.KeyPress, at), (QEvent.Type.KeyRelease, at + 2)):
            event = QKeyEvent(kind, key_for(ch), modifiers, ch)
            event.setTimestamp(stamp)
            QApplication.sendEvent(widget, event)


def every(gap_ms: int, count: int, start: int = 1_000) -> list[int]:
    return [start + gap_ms * index for index in range(count)]


def finished(qtbot, page: ScannerTestPage) -> None:
    qtbot.waitUntil(lambda: page.report is not None, timeout=5000)


def test_a_scan_stays_in_the_box_and_looks_like_a_scanner(qtbot, window: MainWindow,
                                                          dialog: SettingsDialog,
                                                          workbench: Workbench,
                                                          badge: str) -> None:
    page = dialog.scanner
    assert page.box.hasFocus()
    before = inspections(workbench)
    qtbot.keyClicks(page.box, badge)  # a scanner's pace
    qtbot.keyClick(page.box, Qt.Key.Key_Return)
    finished(qtbot, page)

    assert page.box.toPlainText() == badge + "[Enter]"
    assert page.verdict.text() == "✓ It looked like a scanner: the app takes this as one scan."
    assert page.terminator.text() == "Enter"
    assert page.characters.text() == f"{len(badge)} ({len(badge) + 1} keys)"
    assert len(page.gaps.toPlainText().split(" · ")) == len(badge)
    assert page.details.text() == ""
    assert dialog.isVisible(), "the scanner's Enter must not press OK"
    assert page.box.hasFocus()
    assert inspections(workbench) == before, "the test box's scan is not an inspection"

    # Anywhere else in the dialog the same burst is a scan: the router takes it and the
    # guard is recorded (which is why the box has to ask for raw keys).
    bar = dialog.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    dialog.supervisor.name.setFocus()
    qtbot.keyClicks(dialog.supervisor.name, badge)
    qtbot.keyClick(dialog.supervisor.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: inspections(workbench) == before + 1)
    assert dialog.supervisor.name.text() == ""


def test_typed_slowly_it_is_not_a_scanner(qtbot, dialog: SettingsDialog, workbench: Workbench,
                                          badge: str) -> None:
    page = dialog.scanner
    qtbot.keyClicks(page.box, badge, delay=35)  # a person's pace: 70 ms from key to key
    qtbot.keyClick(page.box, Qt.Key.Key_Return, delay=35)
    finished(qtbot, page)
    assert page.box.toPlainText() == badge + "[Enter]"
    assert page.verdict.text() == ("✗ It did not look like a scanner: the app would take "
                                   "this as typing.")
    assert f"{len(badge)} of the gaps were longer than 24 ms" in page.details.text()
    assert page.report is not None and min(page.report.gaps_ms) > 24


def test_gaps_total_and_a_tab_terminator(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.scanner
    code = "VS1ABCDEFGH234567"
    send_keys(page.box, code + "\t", every(8, len(code) + 1))
    finished(qtbot, page)
    assert page.box.toPlainText() == code + "[Tab]"
    assert page.terminator.text() == "Tab"
    assert page.gaps.toPlainText() == " · ".join(["8"] * len(code))
    assert page.timing.text() == (f"{8 * len(code)} ms in all; between keys 8–8 ms, "
                                  "typically 8 ms")
    assert page.report is not None and page.report.scans == (code,)
    assert page.box.hasFocus(), "Tab ends the scan; it does not move the focus"


def test_no_terminator_and_a_new_try(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.scanner
    send_keys(page.box, "100000000003", every(6, 12))
    finished(qtbot, page)
    assert page.terminator.text().startswith("none: the app takes 40 ms of silence")
    assert page.verdict.text().startswith("✓ It looked like a scanner")
    # The next key, after the pause, starts a new try.
    send_keys(page.box, "12345", every(90, 5, start=9_000))
    assert page.box.toPlainText() == "12345"
    finished(qtbot, page)
    assert page.verdict.text().startswith("✗ It did not look like a scanner")
    assert "Only 5 characters a scanner types came" in page.details.text()
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.box.toPlainText() == "" and page.report is None
    assert page.verdict.text() == "Waiting for a scan."


def test_a_french_layout_is_named(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.scanner
    french = "SCQNTEST)à&é\"'(-è_ç)Q?AZYW"  # the test code through an AZERTY layout
    send_keys(page.box, french + "\r", every(8, len(french) + 1))
    finished(qtbot, page)
    assert page.box.toPlainText() == french + "[Enter]"
    assert page.verdict.text().startswith("✗")  # é, è, ç, à are no scanner's keys
    assert "Keys no scanner types in a code (à ç è é) broke the run." in page.details.text()
    assert "The keyboard layout is French (AZERTY)" in page.hints.text()
    assert "0→à, 1→&" in page.hints.text()


def test_a_german_layout_is_named(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.scanner
    german = REFERENCE_CODE.replace("-", "ß").replace("YZ", "ZY")
    send_keys(page.box, german + "\r", every(8, len(german) + 1))
    finished(qtbot, page)
    assert "The keyboard layout is German (QWERTZ): Y and Z are swapped" in page.hints.text()


def test_the_test_code_exactly(qtbot, dialog: SettingsDialog) -> None:
    page = dialog.scanner
    send_keys(page.box, REFERENCE_CODE + "\r", every(5, len(REFERENCE_CODE) + 1))
    finished(qtbot, page)
    assert page.hints.text() == ("▲ The test code came through exactly: the keyboard "
                                 "layout suits the scanner.")
    assert page.verdict.text().startswith("✓")


def test_control_characters_are_shown(qtbot, dialog: SettingsDialog) -> None:
    """A GS1 code's group separator (Ctrl+]) and a doubled terminator, made visible."""
    page = dialog.scanner
    send_keys(page.box, "0104012345", every(8, 10))
    separator = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_BracketRight,
                          Qt.KeyboardModifier.ControlModifier, "\x1d")
    separator.setTimestamp(1_090)
    QApplication.sendEvent(page.box, separator)
    send_keys(page.box, "10ABC\r\r", every(8, 7, start=1_098))
    finished(qtbot, page)
    assert page.box.toPlainText() == "0104012345[GS]10ABC[Enter][Enter]"
    assert page.terminator.text() == "Enter, Enter (the app ignores the second)"
    assert page.report is not None
    assert page.report.scans == ("0104012345",)  # the separator split the code


# ------------------------------------------------------------------ the analysis alone
def keys(text: str, gap_ms: float, start: float = 0.0) -> list[KeyRecord]:
    out = []
    for index, ch in enumerate(text):
        if ch in "\r\t":
            kind = KeyKind.TERMINATOR
        elif ch.isascii() and ch.isprintable():
            kind = KeyKind.PRINTABLE
        else:
            kind = KeyKind.OTHER
        out.append(KeyRecord(start + gap_ms * index, kind, ch))
    return out


def test_a_slow_gap_splits_a_code_in_two() -> None:
    report = analyse(keys("VS1ABCDEFGHIJ", 8) + keys("KLMNOPQRSTUV\r", 8, start=400))
    assert report.scans == ("VS1ABCDEFGHIJ", "KLMNOPQRSTUV")
    assert report.verdict.startswith("It looked like a scanner, but the app would read 2 scans")
    assert any("longer than 24 ms (the longest 304 ms)" in reason for reason in report.reasons)


def test_visible_keys() -> None:
    assert visible(KeyRecord(0, KeyKind.TERMINATOR, "\r")) == "[Enter]"
    assert visible(KeyRecord(0, KeyKind.TERMINATOR, "\t")) == "[Tab]"
    assert visible(KeyRecord(0, KeyKind.PRINTABLE, " ")) == "␣"
    assert visible(KeyRecord(0, KeyKind.OTHER, "\x02")) == "[STX]"
    assert visible(KeyRecord(0, KeyKind.OTHER, "\x7f")) == "[DEL]"
    assert visible(KeyRecord(0, KeyKind.OTHER, "", "F5")) == "[F5]"


@pytest.mark.parametrize("text, expected", [
    ("VS&QBCDEFG", "French (AZERTY)"),
    ("VS1ÄBCDEF", "German (QWERTZ)"),
    ("vs1abcdefgh", "Caps Lock is on"),
    ("VS1AB0CD9", "A badge's code holds only VS1 and then A–Z and 2–7; 0 9 cannot come"),
    ("辽01234567", "Characters no badge or certificate holds (辽)"),
])
def test_layout_hints(text: str, expected: str) -> None:
    hints = layout_hints(text)
    assert len(hints) == 1 and expected in hints[0], hints


def test_a_plain_certificate_number_gives_no_hint() -> None:
    assert layout_hints("210000000123") == []
    assert layout_hints("VS1ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == []


def test_the_keyboard_can_leave_the_box(qtbot, dialog: SettingsDialog) -> None:
    """No keyboard trap: Ctrl+Tab goes to the next tab, Alt and a letter presses a button,
    while a scanner's Tab stays in the test."""
    box = dialog.scanner.box
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Tab)  # a scanner's terminator: stays
    assert dialog.tabs.currentWidget() is dialog.scanner_tab and box.hasFocus()
    qtbot.keyClick(box, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentWidget() is not dialog.scanner_tab

"""The application-wide scan router (ui/scan_router.py) with real Qt key events delivered to
real widgets: a line edit in a window, a QInputDialog opened with ``open()``, a ScanField.

Most key events here are built by hand with explicit timestamps (``QKeyEvent.setTimestamp``)
and delivered with ``QApplication.sendEvent``, all at once: the router judges keys by their
timestamps, so the rhythm in the events is what counts, not how fast the test sends them.
Under the offscreen platform QTest stamps its events differently, and two tests rely on
that (measured with PySide6 6.11):

* ``qtbot.keyClicks(widget, ...)`` sends timestamp 0, so the router times those keys by
  their arrival: without ``delay`` they look like a scanner, with ``delay=35`` (70 ms from
  press to press, as QTest waits before the press and before the release) like a person;
* ``QTest.keyClick(window_handle, ...)`` goes through the window system layer, which stamps
  the keys about 1 ms apart whatever ``delay`` says: always a scanner's rhythm.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.inspection.scan_timing import SCANNER_IDLE_MS, SCANNER_MAX_KEY_GAP_MS
from ui.scan_router import ScanRouter
from ui.widgets.scan_field import ScanField

pytestmark = pytest.mark.gui

CODE = "100000000003"
BADGE = "VS1:Zq8-x/2026+AB=CD"  # capitals, typed with Shift as a scanner does
NOTE = "No insignia worn, radio missing"
KEYS_FOR = {"\r": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab, " ": Qt.Key.Key_Space}


@dataclass(frozen=True)
class KeyStroke:
    time_ms: int
    kind: QEvent.Type
    key: Qt.Key
    text: str
    modifiers: Qt.KeyboardModifier


def key_for(ch: str) -> Qt.Key:
    return KEYS_FOR.get(ch) or Qt.Key(ord(ch.upper()))


def strokes(text: str, press_times: list[int], hold_ms: int) -> list[KeyStroke]:
    """Presses at ``press_times``, each released ``hold_ms`` later; capitals with Shift
    pressed just before and released with the key. Sorted by time, as they would come."""
    out: list[KeyStroke] = []
    press, release = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
    for ch, at in zip(text, press_times, strict=True):
        shift = ch.isupper()
        mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        if shift:
            out.append(KeyStroke(at, press, Qt.Key.Key_Shift, "", mods))
        out.append(KeyStroke(at, press, key_for(ch), ch, mods))
        out.append(KeyStroke(at + hold_ms, release, key_for(ch), ch, mods))
        if shift:
            out.append(KeyStroke(at + hold_ms, release, Qt.Key.Key_Shift, "",
                                 Qt.KeyboardModifier.NoModifier))
    return sorted(out, key=lambda s: s.time_ms)  # stable: a press stays before its release


def deliver(keys: list[KeyStroke], target: QWidget | Callable[[], QWidget | None]) -> None:
    """Send each key to the target (or to whatever the callable names at that moment, as
    the window system sends keys to the focus widget; None: no window has the focus)."""
    for stroke in keys:
        event = QKeyEvent(stroke.kind, stroke.key, stroke.modifiers, stroke.text)
        event.setTimestamp(stroke.time_ms)
        receiver = target() if callable(target) else target
        if receiver is not None:
            QApplication.sendEvent(receiver, event)


def scanner(text: str, start: int, gap_ms: int = 8, rng: random.Random | None = None
            ) -> list[KeyStroke]:
    rng = rng or random.Random(len(text))
    times, now = [], start
    for _ in text:
        now += max(1, gap_ms + rng.randint(-gap_ms // 3, gap_ms // 3))
        times.append(now)
    return strokes(text, times, hold_ms=2)


def person(text: str, start: int, gaps: list[int], hold_ms: int = 80) -> list[KeyStroke]:
    times, now = [], start
    for gap in gaps:
        now += gap
        times.append(now)
    return strokes(text, times, hold_ms)


class RecordingEdit(QLineEdit):
    """A line edit that notes every key event that reaches it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seen: list[tuple[str, str]] = []

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self.seen.append(("press", event.text()))
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self.seen.append(("release", event.text()))
        super().keyReleaseEvent(event)


class Form(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.edit = RecordingEdit()
        self.scan_field = ScanField()
        self.button = QPushButton("OK")
        layout = QVBoxLayout(self)
        layout.addWidget(self.scan_field)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)


@pytest.fixture
def router(qapp) -> Iterator[ScanRouter]:
    router = ScanRouter()
    router.install()
    yield router
    router.uninstall()
    router.deleteLater()


@pytest.fixture
def scans(router) -> list[str]:
    found: list[str] = []
    router.scanned.connect(found.append)
    return found


@pytest.fixture
def form(qtbot) -> Form:
    form = Form()
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    form.edit.setFocus()
    qtbot.waitUntil(form.edit.hasFocus)
    return form


def settle(qtbot, router: ScanRouter) -> None:
    qtbot.waitUntil(lambda: router.holding == 0, timeout=1000)


# ------------------------------------------------------------------ a person typing
def test_fast_typing_reaches_the_line_edit_unchanged(qtbot, router, scans, form):
    """A 30 ms-per-key typist: every key arrives, in order, and no scan."""
    deliver(person(NOTE + ".", 10_000, [30] * (len(NOTE) + 1)), form.edit)
    settle(qtbot, router)
    assert form.edit.text() == NOTE + "."
    assert scans == []
    presses = [text for what, text in form.edit.seen if what == "press" and text]
    assert "".join(presses) == NOTE + "."


def test_realistic_typing_with_rollovers_reaches_the_line_edit(qtbot, router, scans, form):
    rng = random.Random(7)
    gaps = [rng.choice([rng.randint(10, 20), rng.randint(60, 250), rng.randint(60, 250)])
            for _ in NOTE]
    deliver(person(NOTE, 20_000, gaps, hold_ms=110), form.edit)
    settle(qtbot, router)
    assert form.edit.text() == NOTE
    assert scans == []
    # every press reached the widget before its own release
    for index, (what, text) in enumerate(form.edit.seen):
        if what == "release" and text:
            assert ("press", text) in form.edit.seen[:index]


def test_a_held_key_is_late_by_a_few_tens_of_ms_only(qtbot, router, form):
    deliver(person("k", 30_000, [0]), form.edit)
    assert form.edit.text() == ""  # held: it might start a burst
    started = time.monotonic()
    qtbot.waitUntil(lambda: form.edit.text() == "k", timeout=1000)
    assert time.monotonic() - started < (SCANNER_IDLE_MS + 110) / 1000  # slack for a busy CI


def test_nine_fast_keys_and_enter_are_typing(qtbot, router, scans, form):
    with qtbot.waitSignal(form.edit.returnPressed, timeout=1000):
        deliver(scanner("123456789\r", 40_000, gap_ms=4), form.edit)
    assert form.edit.text() == "123456789"
    assert scans == []


def test_typing_then_a_click_keeps_the_order(qtbot, router, form):
    """The click's handler must find the typed text already in the field."""
    text_at_click: list[str] = []
    form.button.clicked.connect(lambda: text_at_click.append(form.edit.text()))
    deliver(person("ok", 50_000, [0, 120]), form.edit)
    assert router.holding == 1
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert text_at_click == ["ok"]


def test_input_method_text_keeps_its_place_after_held_keys(qtbot, router, scans, form):
    deliver(person("A1", 60_000, [0, 150]), form.edit)
    commit = QInputMethodEvent()
    commit.setCommitString("帽子未戴")
    QApplication.sendEvent(form.edit, commit)
    settle(qtbot, router)
    assert form.edit.text() == "A1帽子未戴"
    assert scans == []


def test_auto_repeat_is_typing(qtbot, router, scans, form):
    for index in range(15):
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Minus,
                          Qt.KeyboardModifier.NoModifier, "-", True)
        event.setTimestamp(70_000 + index * 5)
        QApplication.sendEvent(form.edit, event)
    deliver(person("\r", 70_100, [0]), form.edit)
    settle(qtbot, router)
    assert form.edit.text() == "-" * 15
    assert scans == []


def test_qtbot_key_clicks_with_a_delay_are_typing(qtbot, router, scans, form):
    qtbot.keyClicks(form.edit, "no cap", delay=35)
    settle(qtbot, router)
    assert form.edit.text() == "no cap"
    assert scans == []


def test_a_space_typed_on_a_button_clicks_it_once(qtbot, router, form):
    """The press is held; its release must not reach the button first (it would be
    ignored, and the replayed press would leave the button down)."""
    form.button.setFocus()
    qtbot.waitUntil(form.button.hasFocus)
    clicks: list[bool] = []
    form.button.clicked.connect(lambda: clicks.append(True))
    deliver(person(" ", 80_000, [0], hold_ms=5), form.button)
    assert clicks == []  # both held back for now
    qtbot.waitUntil(lambda: clicks == [True], timeout=1000)
    assert not form.button.isDown()


# ------------------------------------------------------------------ a scanner
@pytest.mark.parametrize("terminator", ["\r", "\t"], ids=["enter", "tab"])
def test_scanner_burst_into_the_line_edit_is_one_scan(qtbot, router, scans, form, terminator):
    deliver(person("dirty", 100_000, [150] * 5), form.edit)
    settle(qtbot, router)
    with qtbot.assertNotEmitted(form.edit.returnPressed):
        deliver(scanner(BADGE + terminator, 101_000), form.edit)
    assert scans == [BADGE]
    assert form.edit.text() == "dirty"
    assert form.edit.hasFocus()  # Tab did not move the focus either
    assert router.holding == 0
    typed = [entry for entry in form.edit.seen if entry[1] and entry[1] not in "dirty"]
    assert typed == []  # not one key of the scan, press or release, reached the widget


def test_scanner_burst_without_terminator_is_a_scan_after_the_quiet(qtbot, router, scans,
                                                                   form):
    deliver(scanner(CODE, 110_000, gap_ms=15), form.edit)
    assert scans == []
    qtbot.waitUntil(lambda: scans == [CODE], timeout=1000)
    assert form.edit.text() == ""


def test_crlf_scanner_second_key_is_swallowed(qtbot, router, scans, form):
    with qtbot.assertNotEmitted(form.edit.returnPressed):
        deliver(scanner(CODE + "\r\r", 120_000, gap_ms=3), form.edit)
    assert scans == [CODE]


def test_qtbot_key_clicks_without_delay_are_a_scanner(qtbot, router, scans, form):
    """QTest on a widget stamps 0: the router times by arrival, and these arrive together."""
    qtbot.keyClicks(form.edit, CODE)
    qtbot.keyClick(form.edit, Qt.Key.Key_Return)
    assert scans == [CODE]
    assert form.edit.text() == ""


def test_scanner_through_the_window_system(qtbot, router, scans, form):
    """Keys through the window layer go to the window first (not a widget: left alone),
    then to the focus widget, where they are caught."""
    window = form.windowHandle()
    for ch in CODE:
        QTest.keyClick(window, key_for(ch))
    QTest.keyClick(window, Qt.Key.Key_Return)
    assert scans == [CODE]
    assert form.edit.text() == ""


def test_a_burst_queued_behind_the_timer_is_not_split(qtbot, router, scans, form):
    """The GUI thread was busy: the idle timer comes due while the rest of the burst still
    waits in the queue (as some platforms order it). The router delivers the queue first,
    judges those keys by their timestamps, and the burst stays one scan."""
    keys = scanner(CODE + "\r", 130_000, gap_ms=10)
    presses_seen = 0
    split = 0
    for index, stroke in enumerate(keys):
        if stroke.kind == QEvent.Type.KeyPress:
            presses_seen += 1
            if presses_seen == 6:
                split = index + 1
                break
    deliver(keys[:split], form.edit)
    assert router.holding == 6
    for stroke in keys[split:]:
        event = QKeyEvent(stroke.kind, stroke.key, stroke.modifiers, stroke.text)
        event.setTimestamp(stroke.time_ms)
        QApplication.postEvent(form.edit, event)
    router._went_quiet()  # the timer firing before the queued keys are delivered
    assert scans == [CODE]
    assert form.edit.text() == ""


def test_a_quiet_short_run_is_released_by_the_timer(qtbot, router, scans, form):
    deliver(scanner("12345", 140_000, gap_ms=5), form.edit)
    assert router.holding == 5
    router._went_quiet()  # nothing queued: the run is over, and it was typing
    assert form.edit.text() == "12345"
    assert scans == []


# ------------------------------------------------------------------ a modal dialog
@pytest.fixture
def count_dialog(qtbot, form) -> Iterator[QInputDialog]:
    """QInputDialog.getInt's dialog ("how many guards?"), opened without blocking."""
    dialog = QInputDialog(form)
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setLabelText("How many guards?")
    dialog.setIntRange(0, 99)
    dialog.setIntValue(3)
    dialog.open()
    qtbot.waitExposed(dialog)
    spin = dialog.findChild(QSpinBox)
    assert spin is not None
    qtbot.waitUntil(lambda: dialog.isAncestorOf(QApplication.focusWidget()))
    yield dialog
    dialog.reject()


def focus_widget() -> QWidget | None:
    return QApplication.focusWidget()


@pytest.mark.parametrize("terminator", ["\r", "\t", ""], ids=["enter", "tab", "none"])
def test_scan_while_a_dialog_is_open_leaves_the_dialog_alone(qtbot, router, scans,
                                                             count_dialog, terminator):
    deliver(scanner(CODE + terminator, 200_000, gap_ms=12), focus_widget)
    qtbot.waitUntil(lambda: scans == [CODE], timeout=1000)
    assert count_dialog.isVisible()
    assert count_dialog.result() == 0  # neither accepted nor rejected
    assert count_dialog.intValue() == 3
    assert count_dialog.findChild(QSpinBox).text() == "3"


def test_a_person_answers_the_dialog(qtbot, router, scans, count_dialog):
    count_dialog.findChild(QSpinBox).selectAll()
    with qtbot.waitSignal(count_dialog.accepted, timeout=1000):
        deliver(person("12\r", 210_000, [0, 140, 200]), focus_widget)
    assert count_dialog.intValue() == 12
    assert scans == []


# ------------------------------------------------------------------ the scan field
def test_burst_into_the_scan_field_is_not_intercepted(qtbot, router, scans, form):
    form.scan_field.setFocus()
    qtbot.waitUntil(form.scan_field.hasFocus)
    with qtbot.waitSignal(form.scan_field.submitted, timeout=1000) as submitted:
        for stroke in scanner(CODE + "\r", 300_000, gap_ms=5):
            deliver([stroke], form.scan_field)
            assert router.holding == 0
    assert submitted.args == [CODE]
    assert scans == []


def test_scan_field_does_not_submit_a_person_pausing(qtbot, router, form):
    """A certificate number typed at 30 ms per key, then a pause: not submitted."""
    with qtbot.assertNotEmitted(form.scan_field.submitted, wait=SCANNER_IDLE_MS + 150):
        deliver(person(CODE, 310_000, [30] * len(CODE)), form.scan_field)
    assert form.scan_field.text() == CODE


def test_scan_field_submits_a_burst_without_terminator(qtbot, router, form):
    """Even at the slowest rhythm that still counts as a scanner."""
    slowest = person(CODE, 320_000, [SCANNER_MAX_KEY_GAP_MS] * len(CODE), hold_ms=2)
    with qtbot.waitSignal(form.scan_field.submitted, timeout=1000) as submitted:
        deliver(slowest, form.scan_field)
    assert submitted.args == [CODE]


# ------------------------------------------------------------------ propagation
class KeyLog(QWidget):
    """A parent that records the key presses its children ignore."""

    def __init__(self) -> None:
        super().__init__()
        self.presses: list[str] = []

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        self.presses.append(event.text())


def test_only_the_first_receiver_is_intercepted(qtbot, router, scans):
    """A read-only scan field ignores typed keys and Qt offers them to its parent, through
    the application's filters again: that is the same key, not one to hold."""
    parent = KeyLog()
    qtbot.addWidget(parent)
    field = ScanField(parent)
    field.setReadOnly(True)
    for stroke in scanner(CODE, 400_000, gap_ms=5):
        deliver([stroke], field)
        assert router.holding == 0
    assert "".join(parent.presses) == CODE
    assert scans == []


def test_a_replayed_key_propagates_like_the_original(qtbot, router, scans):
    parent = KeyLog()
    qtbot.addWidget(parent)
    child = QWidget(parent)  # takes no keys: they go on to the parent
    deliver(person("ab", 410_000, [0, 200]), child)
    settle(qtbot, router)
    assert parent.presses == ["a", "b"]
    assert scans == []


def test_uninstalled_router_leaves_keys_alone(qtbot, router, scans, form):
    deliver(person("x", 500_000, [0]), form.edit)
    router.uninstall()
    assert form.edit.text() == "x"  # what was held is handed back
    deliver(scanner(CODE + "\r", 501_000), form.edit)
    assert form.edit.text() == "x" + CODE
    assert scans == []

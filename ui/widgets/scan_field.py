"""The scan field: where a USB barcode scanner (a keyboard to the PC) or a person types.

Scanners differ: some end with Enter, some with Tab, some with nothing, some send Enter
twice. A Chinese input method left switched on would swallow the characters. This field
turns the input method off and treats every such ending as the end of one scan.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

# The thresholds are app/inspection/scan_timing.py's: one rule for the scan field, the note and the
# application-wide router (ui/scan_router.py).
from app.inspection.scan_timing import (
    MAX_SCAN_LENGTH,
    SCANNER_IDLE_MS,
    SCANNER_MIN_BURST,
    KeyKind,
    is_burst_gap,
    key_kind,
)

_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
# A lone modifier press types nothing: a scanner presses Shift for every capital, so Shift
# must neither count in a burst nor break one.
_MODIFIER_KEYS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt,
                            Qt.Key.Key_Meta, Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock,
                            Qt.Key.Key_NumLock, Qt.Key.Key_ScrollLock})
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)
# Keys the workbench's shortcuts use even while this field has focus.
_PASS_THROUGH_CTRL = {Qt.Key.Key_Z, Qt.Key.Key_Y} | {
    getattr(Qt.Key, f"Key_{n}") for n in range(10)}


def key_time_ms(event: QKeyEvent) -> float:
    """When the key was pressed, in ms: the window system's timestamp, so that keys held up
    in the event queue keep their real spacing. Events a program makes (tests, QTest on a
    widget) carry 0; those are timed by their arrival on the monotonic clock."""
    stamp = event.timestamp()
    return float(stamp) if stamp else time.monotonic_ns() / 1_000_000


def key_kind_of(event: QKeyEvent) -> KeyKind | None:
    """What a key press is to the burst rule; None for a lone modifier (Shift for a
    capital), which neither belongs to a burst nor ends one. A key repeated by holding it
    down is a person's."""
    key = event.key()
    if key in _MODIFIER_KEYS:
        return None
    if event.isAutoRepeat():
        return KeyKind.OTHER
    return key_kind(event.text(), terminator=key in _TERMINATORS,
                    command_modifier=bool(event.modifiers() & _COMMAND_MODIFIERS))


def deliver_pending_input() -> None:
    """Deliver what is already queued before deciding that a burst went quiet.

    A timer can come due while the rest of a burst sits in the event queue (the GUI thread
    was busy, say with the previous scan's database write; some platforms run due timers
    before queued input). Callers note a generation counter first and decide only if no
    key arrived meanwhile; a key that did arrive is judged by its own timestamp.
    """
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


class ScanField(QLineEdit):
    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setInputMethodHints(Qt.InputMethodHint.ImhLatinOnly
                                 | Qt.InputMethodHint.ImhNoPredictiveText
                                 | Qt.InputMethodHint.ImhNoAutoUppercase)
        self.setMaxLength(MAX_SCAN_LENGTH)
        self.setClearButtonEnabled(False)
        self._burst = 0
        self._last_key_ms: float | None = None
        self._keys_seen = 0  # tells the idle check whether a key came while it looked
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setTimerType(Qt.TimerType.PreciseTimer)
        self._idle.setInterval(SCANNER_IDLE_MS)
        self._idle.timeout.connect(self._burst_went_quiet)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                # Tab would move the focus away; for a scanner it ends the code.
                self._submit()
                return True
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if (event.modifiers() & Qt.KeyboardModifier.ControlModifier
                    and event.key() in _PASS_THROUGH_CTRL):
                event.ignore()  # let the window's undo and item shortcuts have these
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in _TERMINATORS:
            self._submit()
            return
        if key_kind_of(event) is KeyKind.PRINTABLE:
            now = key_time_ms(event)
            self._burst = self._burst + 1 if is_burst_gap(self._last_key_ms, now) else 1
            self._last_key_ms = now
            self._keys_seen += 1
            if self._burst >= SCANNER_MIN_BURST:
                self._idle.start()
        super().keyPressEvent(event)

    def _burst_went_quiet(self) -> None:
        """A burst with no terminator is complete once it has been quiet for a while; keys
        of it still waiting in the queue must not be cut off into a second scan."""
        keys_seen = self._keys_seen
        deliver_pending_input()
        if keys_seen == self._keys_seen and self._burst >= SCANNER_MIN_BURST:
            self._submit()

    def _submit(self) -> None:
        self._idle.stop()
        self._burst = 0
        text = self.text().strip()
        self.clear()
        if text:  # a second Enter on an empty field is a scanner echo, not a scan
            self.submitted.emit(text)

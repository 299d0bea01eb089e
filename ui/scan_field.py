"""The scan field: where a USB barcode scanner (a keyboard to the PC) or a person types.

Scanners differ: some end with Enter, some with Tab, some with nothing, some send Enter
twice. A Chinese input method left switched on would swallow the characters. This field
turns the input method off and treats every such ending as the end of one scan.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

# A scanner types a whole code in a few milliseconds per character; people do not.
SCANNER_KEY_INTERVAL_S = 0.035
SCANNER_MIN_BURST = 6
# With no terminator, a burst that then goes quiet this long is a complete scan.
SCANNER_IDLE_MS = 250
MAX_SCAN_LENGTH = 1024

_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
# Keys the workbench's shortcuts use even while this field has focus.
_PASS_THROUGH_CTRL = {Qt.Key.Key_Z, Qt.Key.Key_Y} | {
    getattr(Qt.Key, f"Key_{n}") for n in range(10)}


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
        self._last_key_at = 0.0
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
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
        now = time.perf_counter()
        if event.text() and event.text().isprintable():
            fast = now - self._last_key_at <= SCANNER_KEY_INTERVAL_S
            self._burst = self._burst + 1 if fast else 1
            self._last_key_at = now
            if self._burst >= SCANNER_MIN_BURST:
                self._idle.start()
        super().keyPressEvent(event)

    def _burst_went_quiet(self) -> None:
        if self._burst >= SCANNER_MIN_BURST:
            self._submit()

    def _submit(self) -> None:
        self._idle.stop()
        self._burst = 0
        text = self.text().strip()
        self.clear()
        if text:  # a second Enter on an empty field is a scanner echo, not a scan
            self.submitted.emit(text)


class NoteField(QLineEdit):
    """A finding's note. A scanner firing while the supervisor is typing here (a burst of
    fast keys, then Enter, Tab or silence) is a scan, not note text: it is taken back out of
    the note and handed on through ``scanned``."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._burst = 0
        self._burst_start = 0
        self._last_key_at = 0.0
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(SCANNER_IDLE_MS)
        self._idle.timeout.connect(self._take_burst)

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
                and self._burst >= SCANNER_MIN_BURST):
            self._take_burst()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in _TERMINATORS and self._burst >= SCANNER_MIN_BURST:
            self._take_burst()
            return
        now = time.perf_counter()
        if event.text() and event.text().isprintable():
            if now - self._last_key_at <= SCANNER_KEY_INTERVAL_S:
                self._burst += 1
            else:
                self._burst = 1
                self._burst_start = self.cursorPosition()
            self._last_key_at = now
            if self._burst >= SCANNER_MIN_BURST:
                self._idle.start()
        else:
            self._burst = 0
        super().keyPressEvent(event)

    def reset_burst(self) -> None:
        self._idle.stop()
        self._burst = 0

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        self.reset_burst()
        super().focusOutEvent(event)

    def _take_burst(self) -> None:
        self._idle.stop()
        if self._burst < SCANNER_MIN_BURST:
            return
        self._burst = 0
        text, start, end = self.text(), self._burst_start, self.cursorPosition()
        code = text[start:end].strip()
        self.setText(text[:start] + text[end:])
        self.setCursorPosition(start)
        if code:
            self.scanned.emit(code)

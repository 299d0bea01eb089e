"""The lock screen: what a locked window shows instead of the event, and where it is unlocked.

It shows nothing of the event: a title, one sentence, the password field (an encrypted
profile) or an Unlock button alone (the demo, whose data is not encrypted), and a line for
what happened (a wrong password, a badge scanned while locked). Checking the password is the
lock's business (``ui.lock``): the screen only says what was typed, through
``unlock_requested``.

A scanner's keys typed into the password field are recognised here by their timing (the
application's scan router leaves password fields alone): the field remembers the run of keys
typed at a scanner's speed at its end, and a run long enough to be a scan that ends in Enter,
Tab or silence is handed on with the text, for ``app.inspection.locked_scan`` to judge once
the text is known not to be the password.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.inspection.scan_timing import SCANNER_IDLE_MS, SCANNER_MIN_BURST, KeyKind, is_burst_gap
from ui.commands import connect_command
from ui.fonts import emphasize
from ui.widgets.scan_field import deliver_pending_input, key_kind_of, key_time_ms

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TAB_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
_SAID_STYLE = "padding: 6px; border-radius: 4px; background: #fde7e9; color: #8c1d18;"
_PANEL_MAX_WIDTH = 520
_CALM_STYLE = "padding: 6px; color: #3c3c3c;"


class LockPasswordField(QLineEdit):
    """The profile password, with the run of scanner-fast keys at its end remembered.

    ``submitted(text, burst)``: Enter was pressed, or a run long enough to be a scan ended
    with Tab or silence (``burst`` is that run, else "").
    """

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setObjectName("lockPassword")
        self._burst = ""
        self._last_key_ms: float | None = None
        self._keys_seen = 0  # tells the quiet check whether a key came while it looked
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setTimerType(Qt.TimerType.PreciseTimer)
        self._quiet.setInterval(SCANNER_IDLE_MS)
        self._quiet.timeout.connect(self._went_quiet)

    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in _TAB_KEYS and self._scan_long(event)):
            # A scanner that ends its code with Tab: the code is complete, the focus stays.
            self._submit()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() in _ENTER_KEYS:
            if not self._scan_long(event):
                self._burst = ""  # Enter after a pause: a person's, whatever came before
            self._submit()
            event.accept()
            return
        kind = key_kind_of(event)
        if kind is KeyKind.PRINTABLE:
            now = key_time_ms(event)
            if not is_burst_gap(self._last_key_ms, now):
                self._burst = ""
            self._burst += event.text()
            self._last_key_ms = now
            self._keys_seen += 1
            if len(self._burst) >= SCANNER_MIN_BURST:
                self._quiet.start()
        elif kind is not None:  # Backspace, an arrow, a shortcut: no scanner types those
            self._forget_burst()
        super().keyPressEvent(event)

    def _scan_long(self, terminator: QKeyEvent) -> bool:
        """Whether a run long enough to be a scan ends right before ``terminator``."""
        return (len(self._burst) >= SCANNER_MIN_BURST
                and is_burst_gap(self._last_key_ms, key_time_ms(terminator)))

    def _went_quiet(self) -> None:
        """A scanner that types no terminator: the run is complete once it has been quiet;
        keys of it still waiting in the queue are delivered first."""
        keys_seen = self._keys_seen
        deliver_pending_input()
        if keys_seen == self._keys_seen and len(self._burst) >= SCANNER_MIN_BURST:
            self._submit()

    def _submit(self) -> None:
        text, burst = self.text(), self._burst
        self._forget_burst()
        self.submitted.emit(text, burst)

    def submit_typed(self) -> None:
        """The text as a person submits it (the Unlock button): no scan in it."""
        self._forget_burst()
        self.submitted.emit(self.text(), "")

    def _forget_burst(self) -> None:
        self._quiet.stop()
        self._burst = ""
        self._last_key_ms = None

    def clear(self) -> None:
        self._forget_burst()
        super().clear()


class LockScreen(QFrame):
    """The panel of a locked window (and of each dialog that was open when it locked).

    ``unlock_requested(password, burst)``: the person asks to unlock; ``burst`` is the run
    typed at a scanner's speed at the end of ``password`` ("" for a person's typing). For a
    profile that is not encrypted both are "".
    """

    unlock_requested = Signal(str, str)

    def __init__(self, encrypted: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.encrypted = encrypted
        self.setAutoFillBackground(True)  # over a dialog's hidden contents: opaque
        self.title = emphasize(QLabel(self.tr("Locked")), 20, bold=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if encrypted:
            explanation = self.tr("Nothing of the event is shown while the window is locked. "
                                  "Enter the profile password to continue.")
        else:
            explanation = self.tr("This window holds demonstration data only, which is not "
                                  "encrypted: it unlocks without a password.")
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.password = LockPasswordField()
        self.password.setPlaceholderText(self.tr("Profile password"))
        emphasize(self.password, grow=2)
        self.password.submitted.connect(self.unlock_requested)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        connect_command(self.unlock_button.clicked, self._button_clicked)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.message.hide()

        entry = QHBoxLayout()
        entry.addWidget(self.password, 1)
        entry.addWidget(self.unlock_button)
        panel = QWidget()
        panel.setMaximumWidth(_PANEL_MAX_WIDTH)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        column.addWidget(self.title)
        column.addWidget(self.explanation)
        column.addLayout(entry)
        column.addWidget(self.message)
        self.password.setHidden(not encrypted)  # once in the layout: else it is a window
        # Centred by stretches, not by alignment: an aligned widget keeps its size hint's
        # width, and its wrapped labels would be given the height of another width.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 100)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _button_clicked(self) -> None:
        if self.encrypted:
            self.password.submit_typed()
        else:
            self.unlock_requested.emit("", "")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Every key stops here: over a dialog, Esc would cancel it and Enter press its
        default button. Enter on the demo's screen unlocks it."""
        if event.key() in _ENTER_KEYS and not self.encrypted and self.unlock_button.isEnabled():
            self.unlock_requested.emit("", "")
        event.accept()

    def focus_entry(self) -> None:
        target = self.password if self.encrypted else self.unlock_button
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, text: str, calm: bool = False) -> None:
        """Show ``text`` under the entry ("" hides it): in red, or ``calm`` (the password is
        being checked)."""
        self.message.setStyleSheet(_CALM_STYLE if calm else _SAID_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_checking(self, checking: bool) -> None:
        """While the password is checked the button waits; the field stays open to keys, so
        that a badge scanned meanwhile is still recognised."""
        self.unlock_button.setEnabled(not checking)

    def reset(self) -> None:
        self.password.clear()
        self.say("")
        self.set_checking(False)

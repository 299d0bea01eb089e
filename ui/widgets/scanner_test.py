"""The scanner test page: what the USB scanner really types, how fast, and what the app makes
of it.

A supervisor whose badges "do not scan" cannot see why: a keyboard layout that turns digits
into symbols, a scanner that ends with Tab or with nothing, a slow cheap scanner whose keys
come too far apart to be taken for a scan. Here every key is shown (control characters and the
terminator in brackets), timed from the keys' own timestamps, and judged by the same rule the
inspection applies (ui.widgets.scanner_analysis). The box asks the application-wide scan
router for raw keys (``RAW_KEYS_PROPERTY``), so a burst typed here stays here.
"""

from __future__ import annotations

from statistics import median

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.inspection.scan_timing import KeyKind
from ui.commands import connect_command
from ui.fonts import emphasize
from ui.scan_router import RAW_KEYS_PROPERTY
from ui.widgets.scan_field import key_kind_of, key_time_ms
from ui.widgets.scanner_analysis import (
    ENTER_TEXT,
    REFERENCE_CODE,
    TAB_TEXT,
    KeyRecord,
    ScanReport,
    analyse,
    visible,
)

# A try ends after this much quiet: far longer than any gap inside a scan or a person's word,
# short enough that the verdict follows the scan at once.
TRY_ENDS_AFTER_MS = 800
_TAB_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


def key_record(event: QKeyEvent) -> KeyRecord | None:
    """The key as the scan router judges it; None for a lone modifier (Shift for a
    capital), which the router ignores too."""
    kind = key_kind_of(event)
    if kind is None:
        return None
    text = event.text()
    if kind is KeyKind.TERMINATOR:
        text = TAB_TEXT if event.key() in _TAB_KEYS else ENTER_TEXT
    name = "" if text else QKeySequence(event.key()).toString()
    return KeyRecord(key_time_ms(event), kind, text, name)


class KeyCaptureBox(QPlainTextEdit):
    """Takes every key press but Esc, edits nothing with it and lets none reach the dialog
    (Enter would press OK, Tab would move on): each is reported as ``key_pressed``."""

    key_pressed = Signal(object)  # KeyRecord

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty(RAW_KEYS_PROPERTY, True)
        self.setReadOnly(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # What the scan field receives: it too switches the input method off.
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)  # a code has no spaces

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QKeyEvent) and not _leaves_the_box(event):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # a key typed here is for the test, not a shortcut
                return True
            if kind == QEvent.Type.KeyPress:
                record = key_record(event)
                if record is not None:
                    self.key_pressed.emit(record)
                event.accept()
                return True
            if kind == QEvent.Type.KeyRelease:
                event.accept()
                return True
        return super().event(event)


def _leaves_the_box(event: QKeyEvent) -> bool:
    """The keys a person uses to get out, which no scanner sends: Esc, Ctrl+Tab and
    Ctrl+Shift+Tab (the next tab), Ctrl+PgUp/PgDn, Alt+a letter (a button's mnemonic, a
    menu) and Ctrl+L (lock). A scanner's Tab, Enter and control characters (Ctrl+]...) and
    Alt with the keypad's digits (a character by its code) stay in the test."""
    key, modifiers = event.key(), event.modifiers()
    ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
    alt = bool(modifiers & Qt.KeyboardModifier.AltModifier)
    keypad = bool(modifiers & Qt.KeyboardModifier.KeypadModifier)
    if key == Qt.Key.Key_Escape:
        return True
    if ctrl and key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_PageUp,
                        Qt.Key.Key_PageDown, Qt.Key.Key_L):
        return True
    return alt and not keypad and Qt.Key.Key_A <= key <= Qt.Key.Key_Z


class ReferenceCode(QWidget):
    """The test code as a QR code on the screen, black on white."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Here, not at the top: qrcode takes about 35 ms to import (development machine),
        # paid when the Settings dialog is opened, not at every start.
        import qrcode

        code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(text)
        code.make(fit=True)
        self._modules: list[list[bool]] = code.get_matrix()
        self.setFixedSize(QSize(132, 132))
        self.setToolTip(text)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        count = len(self._modules)
        size = min(self.width(), self.height()) // count
        offset = (min(self.width(), self.height()) - size * count) / 2
        for row, line in enumerate(self._modules):
            for column, dark in enumerate(line):
                if dark:
                    painter.fillRect(QRectF(offset + column * size, offset + row * size,
                                            size, size), QColor("black"))
        painter.end()


class ScannerTestPage(QWidget):
    """Scan into the box; after a moment of quiet the page says what came and why it is, or
    is not, a scan to the app."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keys: list[KeyRecord] = []
        self.report: ScanReport | None = None
        self._try_over = QTimer(self)
        self._try_over.setSingleShot(True)
        self._try_over.setInterval(TRY_ENDS_AFTER_MS)
        self._try_over.timeout.connect(self.finish_try)

        intro = QLabel(self.tr(
            "Click in the box and scan a badge, or the test code beside it. Every key the "
            "scanner sends is shown: control keys in brackets, [Enter] and [Tab] at the end."))
        intro.setWordWrap(True)
        self.box = KeyCaptureBox()
        self.box.setPlaceholderText(self.tr("Click here, then scan"))
        self.box.key_pressed.connect(self._key)
        self.box.setMinimumHeight(72)
        self.box.setMaximumHeight(200)
        self.clear_button = QPushButton(self.tr("Clear"))
        connect_command(self.clear_button.clicked, self.clear)
        reference = ReferenceCode(REFERENCE_CODE)
        reference_caption = QLabel(self.tr("Test code: checks the keyboard layout (a 2D "
                                           "scanner reads it from the screen)"))
        reference_caption.setWordWrap(True)
        reference_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # The code and its caption in a box of fixed size: a wrapped label's minimum height
        # is otherwise taken for one line, and the code was drawn over it.
        reference_box = QWidget()
        reference_column = QVBoxLayout(reference_box)
        reference_column.setContentsMargins(0, 0, 0, 0)
        reference_column.addWidget(reference, 0, Qt.AlignmentFlag.AlignHCenter)
        reference_column.addWidget(reference_caption)
        self._reference_box, self._reference_caption = reference_box, reference_caption
        self._fit_reference()

        self.characters = QLabel()
        self.terminator = QLabel()
        self.timing = QLabel()
        self.timing.setWordWrap(True)
        self.gaps = QPlainTextEdit()
        self.gaps.setReadOnly(True)
        self.gaps.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.gaps.setMaximumHeight(56)
        self.verdict = emphasize(QLabel(), grow=1, bold=True)
        self.verdict.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.hints = QLabel()
        self.hints.setWordWrap(True)
        self.hints.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.characters, self.terminator, self.timing, self.details, self.hints):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        box_column = QVBoxLayout()
        box_column.addWidget(self.box, 1)
        clear_row = QHBoxLayout()
        clear_row.addStretch(1)
        clear_row.addWidget(self.clear_button)
        box_column.addLayout(clear_row)
        capture = QHBoxLayout()
        capture.addLayout(box_column, 1)
        capture.addWidget(reference_box, 0, Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        form.addRow(self.tr("Characters:"), self.characters)
        form.addRow(self.tr("Ended with:"), self.terminator)
        form.addRow(self.tr("Time:"), self.timing)
        form.addRow(self.tr("Gaps between keys (ms):"), self.gaps)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(capture)
        # The answer first, the measurements after it.
        layout.addWidget(self.verdict)
        layout.addWidget(self.details)
        layout.addWidget(self.hints)
        layout.addLayout(form)
        layout.addStretch(1)
        self.clear()

    def _fit_reference(self) -> None:
        code = self._reference_box.findChild(ReferenceCode)
        assert code is not None
        layout = self._reference_box.layout()
        width = code.width() + 48
        self._reference_box.setFixedSize(width, code.height() + layout.spacing()
                                         + self._reference_caption.heightForWidth(width))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # large type switched on or off
            self._fit_reference()

    def clear(self) -> None:
        self._try_over.stop()
        self.keys = []
        self.report = None
        self.box.clear()
        for label in (self.characters, self.terminator, self.timing, self.details,
                      self.hints):
            label.setText("")
        self.details.hide()
        self.hints.hide()
        self.gaps.clear()
        self.verdict.setText(self.tr("Waiting for a scan."))
        self.box.setFocus(Qt.FocusReason.OtherFocusReason)

    def _key(self, record: KeyRecord) -> None:
        if self.report is not None:  # the first key of a new try
            self.clear()
        self.keys.append(record)
        self.box.setPlainText("".join(visible(key) for key in self.keys))
        self.characters.setText(self.tr("{count} keys so far…").format(count=len(self.keys)))
        self.verdict.setText(self.tr("Receiving…"))
        self._try_over.start()

    def finish_try(self) -> None:
        """The try went quiet: say what came and what the app makes of it."""
        self._try_over.stop()
        if not self.keys:
            return
        report = analyse(self.keys)
        self.report = report
        self.box.setPlainText(report.shown)
        self.characters.setText(self.tr("{count} ({keys} keys)").format(
            count=len(report.characters), keys=len(self.keys)))
        self.terminator.setText(report.terminator)
        if report.gaps_ms:
            gaps = report.gaps_ms
            self.timing.setText(self.tr(
                "{total} ms in all; between keys {fastest}–{slowest} ms, typically "
                "{typical} ms").format(total=round(report.total_ms), fastest=round(min(gaps)),
                                       slowest=round(max(gaps)), typical=round(median(gaps))))
        else:
            self.timing.setText(self.tr("one key"))
        self.gaps.setPlainText(" · ".join(str(round(gap)) for gap in report.gaps_ms))
        self.verdict.setText(("✓ " if report.looked_like_scanner else "✗ ") + report.verdict)
        for label, lines, mark in ((self.details, report.reasons, "• "),
                                   (self.hints, report.hints, "▲ ")):
            label.setText("\n".join(mark + line for line in lines))
            label.setVisible(bool(lines))

"""The status bar's sync line: what the sync controller (ui.sync_controller) reports."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.sync.client import SyncStatus
from app.sync.upload import SyncOutcome
from ui.commands import connect_command
from ui.sync_controller import SyncController


def short_local_time(iso_text: str | None, now: datetime | None = None) -> str:
    """'14:05' today, '11-24 14:05' another day: the status bar has little room."""
    if not iso_text:
        return ""
    try:
        moment = datetime.fromisoformat(iso_text).astimezone()
    except ValueError:
        return iso_text
    today = (now or datetime.now().astimezone()).date()
    return moment.strftime("%H:%M" if moment.date() == today else "%m-%d %H:%M")


class ElidedLabel(QLabel):
    """One line that ends in … when it does not fit; the whole text is in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        one_line = " ".join(self._full.split())
        self.setText(QFontMetrics(self.font()).elidedText(
            one_line, Qt.TextElideMode.ElideRight, max(self.width(), 40)))


class SyncStatusWidget(QWidget):
    """The status bar's sync line: pending, last success, last error, progress, Sync now."""

    enrol_requested = Signal()
    ERROR_WIDTH = 360

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.state = QLabel()
        self.error = ElidedLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setFixedWidth(self.ERROR_WIDTH)
        self.error.hide()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(120)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.sync_button = QPushButton(self.tr("Sync n&ow"))
        connect_command(self.sync_button.clicked, controller.sync_now)
        self.enrol_button = QPushButton(self.tr("Enro&l…"))
        connect_command(self.enrol_button.clicked, self.enrol_requested)
        self.enrol_button.hide()
        for button in (self.sync_button, self.enrol_button):
            # The scan field must keep the focus: a click here must not steal the next scan.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # The status bar draws nothing between its permanent widgets: a rule keeps this
        # line apart from the trust figures beside it.
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.VLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.state, self.error, self.bar, self.sync_button, self.enrol_button,
                       rule):
            layout.addWidget(widget)
        controller.status_changed.connect(self._show_status)
        controller.sync_started.connect(self._started)
        controller.progress.connect(self._progress)
        controller.sync_finished.connect(self._finished)
        controller.sync_failed.connect(self._failed)
        self.state.setText(self.tr("Sync: checking…"))

    def _show_status(self, status: SyncStatus) -> None:
        self.enrol_button.setVisible(not status.enrolled)
        self.sync_button.setVisible(status.enrolled)
        if not status.enrolled:
            self.state.setText(self.tr("Not enrolled with headquarters · {count} pending")
                               .format(count=status.pending))
            self.state.setToolTip(self.tr("Changes are kept on this laptop until it is "
                                          "enrolled with headquarters (menu Sync → Enrol)."))
            self._set_error("")
            return
        parts = [self.tr("{count} pending").format(count=status.pending)]
        if status.last_success:
            parts.append(self.tr("last sync {time}").format(
                time=short_local_time(status.last_success)))
        else:
            parts.append(self.tr("never synced"))
        self.state.setText(" · ".join(parts))
        self.state.setToolTip(self.tr("Headquarters: {url}\nSupervisor: {name}").format(
            url=status.hq_url or "", name=status.supervisor or ""))
        # The controller's own error is the freshest; the stored one survives a restart.
        self._set_error(self.controller.last_error or status.last_error or "")

    def _set_error(self, text: str) -> None:
        self.error.set_full_text(text)
        self.error.setVisible(bool(text))

    def _started(self) -> None:
        self.sync_button.setEnabled(False)
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.bar.show()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)

    def _finished(self, _outcome: SyncOutcome) -> None:
        self.bar.hide()
        self.sync_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.bar.hide()
        self.sync_button.setEnabled(True)
        self._set_error(message)

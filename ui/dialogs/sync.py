"""The Sync menu and its dialogs: enrolment, events from headquarters, packages, bundles.

Everything that talks to HQ or reads and writes the files runs on the thread pool; the
dialogs stay responsive and say in plain words what went wrong, and a failure changes
nothing (the service applies packages and enrolment in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.sync.download import PackageSummary, RemoteEvent
from ui.commands import connect_command
from ui.dialogs.files import open_file_name, save_file_name
from ui.sync_controller import SyncController, plain_error, run_with_progress
from ui.tasks import run_in_background

PACKAGE_SUFFIX = ".vspkg"
BUNDLE_SUFFIX = ".vsbundle"


def default_bundle_name(today: date | None = None) -> str:
    return f"venue-supervisor-{(today or date.today()).isoformat()}{BUNDLE_SUFFIX}"


def local_date_time(iso_text: str | None) -> str:
    if not iso_text:
        return ""
    try:
        return datetime.fromisoformat(iso_text).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso_text  # HQ's text as it came is more use than nothing


class EnrolDialog(QDialog):
    """HQ's address, the one-time code HQ gave out, and optionally the fingerprint of HQ's
    certificate to compare with what the server presents."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.result_info: dict[str, str] | None = None
        self.setWindowTitle(self.tr("Enrol with headquarters"))
        self.setMinimumWidth(520)
        self.url = QLineEdit(controller.status.hq_url if controller.status and
                             controller.status.hq_url else "")
        self.url.setPlaceholderText("https://192.168.1.10:8443")
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("the one-time code from headquarters"))
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText(self.tr("optional: SHA-256 of HQ's certificate"))
        form = QFormLayout()
        form.addRow(self.tr("Headquarters address:"), self.url)
        form.addRow(self.tr("One-time code:"), self.code)
        form.addRow(self.tr("Certificate fingerprint:"), self.fingerprint)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Enrol"))
        self.buttons.accepted.connect(self.enrol)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    def enrol(self) -> None:
        url, code = self.url.text().strip(), self.code.text().strip()
        if not url or not code:
            self.message.setText(self.tr("Fill in the headquarters address and the code."))
            return
        self._busy(True)
        service, fingerprint = self.controller.service, self.fingerprint.text().strip() or None
        run_in_background(lambda: service.enrol(url, code, fingerprint=fingerprint),
                          self._enrolled, self._failed, owner=self)

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.message.setText(self.tr("Contacting headquarters…") if busy else "")
        for widget in (self.url, self.code, self.fingerprint, self.buttons):
            widget.setEnabled(not busy)

    def _enrolled(self, info: dict[str, str]) -> None:
        self._busy(False)
        self.result_info = info
        self.controller.failures = 0
        self.controller.last_error = ""
        self.controller.refresh_status()  # starts the background sync
        QMessageBox.information(self, self.tr("Enrolled"), self.tr(
            "This laptop is enrolled with headquarters at {hq} for supervisor {name}. "
            "Changes are now sent there automatically.").format(
            hq=info.get("hq", ""), name=info.get("supervisor", "") or self.tr("(not named)")))
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.message.setText(self.tr("Not enrolled, nothing was changed: {error}")
                             .format(error=plain_error(exc)))


class RemoteEventsDialog(QDialog):
    """The events headquarters prepared; the chosen one is pulled into this laptop."""

    COLUMNS = 6

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.events: list[RemoteEvent] = []
        self.summary: PackageSummary | None = None
        self.setWindowTitle(self.tr("Get event from headquarters"))
        self.resize(820, 420)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels([
            self.tr("Event"), self.tr("Venue"), self.tr("Starts"), self.tr("Company"),
            self.tr("Guards"), self.tr("Posts")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.pull())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                        QDialogButtonBox.StandardButton.Cancel)
        self.get_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.get_button.setText(self.tr("Get this event"))
        self.get_button.setEnabled(False)
        self.buttons.accepted.connect(self.pull)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self._load()

    def _load(self) -> None:
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Asking headquarters for its events…"))
        self.busy.show()
        run_in_background(self.controller.service.remote_events, self._listed, self._failed,
                          owner=self)

    def _listed(self, events: list[RemoteEvent]) -> None:
        self.busy.hide()
        self.message.setStyleSheet("")
        self.events = events
        self.table.setRowCount(len(events))
        for row, event in enumerate(events):
            cells = [event.name, event.venue, local_date_time(event.starts_at),
                     event.company_name, str(event.guards),
                     str(event.posts)]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.message.setText(self.tr("Pick the event to bring to this laptop.") if events
                             else self.tr("Headquarters has prepared no event yet."))
        if events:
            self.table.selectRow(0)

    def _selection_changed(self) -> None:
        self.get_button.setEnabled(self.selected() is not None and not self.busy.isVisible())

    def selected(self) -> RemoteEvent | None:
        rows = self.table.selectionModel().selectedRows()
        return self.events[rows[0].row()] if rows else None

    def pull(self) -> None:
        event = self.selected()
        if event is None or self.busy.isVisible():
            return
        self.busy.show()
        self.get_button.setEnabled(False)
        self.table.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Getting “{name}” from headquarters…")
                             .format(name=event.name))
        service = self.controller.service
        run_in_background(lambda: service.pull_event(event.id), self._pulled, self._failed,
                          owner=self)

    def _pulled(self, summary: PackageSummary) -> None:
        self.busy.hide()
        self.summary = summary
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.busy.hide()
        self.table.setEnabled(True)
        self._selection_changed()
        self.message.setStyleSheet("color: #b3261e;")
        self.message.setText(plain_error(exc))


class SyncMenu(QObject):
    """The Sync menu of the main window. ``event_arrived(event_id)`` reloads the window's
    event list when a package brought an event."""

    def __init__(self, window: QMainWindow, controller: SyncController,
                 event_arrived: Callable[[str], None]) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.event_arrived = event_arrived
        menu = window.menuBar().addMenu(self.tr("&Sync"))
        self.menu = menu
        self.enrol_action = QAction(self.tr("Enrol with headquarters…"), window)
        connect_command(self.enrol_action.triggered, self.enrol)
        self.sync_action = QAction(self.tr("Sync now"), window)
        connect_command(self.sync_action.triggered, self.sync_now)
        self.pull_action = QAction(self.tr("Get event from headquarters…"), window)
        connect_command(self.pull_action.triggered, self.pull_event)
        self.import_action = QAction(self.tr("Import event package…"), window)
        connect_command(self.import_action.triggered, lambda: self.import_package())
        self.export_action = QAction(self.tr("Export bundle for USB…"), window)
        connect_command(self.export_action.triggered, lambda: self.export_bundle())
        # Keys for what a supervisor does daily, shown in the menu and on the empty pages.
        for action, keys in ((self.sync_action, "F5"), (self.pull_action, "Ctrl+G"),
                             (self.import_action, "Ctrl+O"), (self.export_action, "Ctrl+E")):
            action.setShortcut(QKeySequence(keys))
        for action in (self.enrol_action, self.sync_action, self.pull_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        self.dialog: QDialog | None = None

    def sync_now(self) -> None:
        status = self.controller.status
        if status is not None and not status.enrolled:
            self.enrol()  # a sync would only say "not enrolled"; offer the remedy instead
            return
        self.controller.sync_now()

    def enrol(self) -> EnrolDialog:
        dialog = EnrolDialog(self.controller, self.window)
        self.dialog = dialog
        dialog.open()
        return dialog

    def pull_event(self) -> RemoteEventsDialog:
        dialog = RemoteEventsDialog(self.controller, self.window)
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._pulled(dialog))
        dialog.open()
        return dialog

    def _pulled(self, dialog: RemoteEventsDialog) -> None:
        if dialog.summary is not None:
            self._package_arrived(dialog.summary)

    def _package_arrived(self, summary: PackageSummary) -> None:
        self.event_arrived(summary.event_id)
        self.controller.refresh_status()
        message = self.tr(
            "Event “{name}” is on this laptop: {created} records added, {updated} updated; "
            "{issuers} trusted issuer(s), {revoked} revoked certificate(s).").format(
            name=summary.event_name, created=sum(summary.created.values()),
            updated=sum(summary.updated.values()), issuers=summary.trusted_issuers,
            revoked=summary.revoked_certificates)
        self.window.statusBar().showMessage(message, 15000)
        QMessageBox.information(self.window, self.tr("Event from headquarters"), message)

    def import_package(self, path: str | None = None) -> None:
        if path is None:
            path, _ = open_file_name(
                self.window, self.tr("Event package from headquarters"), "",
                self.tr("Event packages (*.vspkg);;All files (*)"))
            if not path:
                return
        service = self.controller.service
        self._run_busy(self.tr("Importing the event package…"),
                       lambda _progress: service.import_package(path), self._package_arrived,
                       self.tr("Event package not imported"))

    def export_bundle(self, path: str | None = None) -> None:
        if path is None:
            start = str(Path.home() / default_bundle_name())
            path, _ = save_file_name(
                self.window, self.tr("Bundle for headquarters"), start,
                self.tr("Bundles (*.vsbundle);;All files (*)"))
            if not path:
                return
        target = path
        service = self.controller.service

        def written(count: int) -> None:
            message = self.tr("{count} records written to {path}. Take the file to "
                          "headquarters; they count as sent once HQ has imported it.").format(
                count=count, path=target)
            self.window.statusBar().showMessage(message, 15000)
            QMessageBox.information(self.window, self.tr("Bundle written"), message)

        self._run_busy(self.tr("Writing the bundle…"),
                       lambda progress: service.export_bundle(target, progress), written,
                       self.tr("Bundle not written"))

    def _run_busy(self, label: str, work: Callable[[Callable[[int, int], None]], Any],
                  on_done: Callable[[Any], None], failure_title: str) -> None:
        progress = QProgressDialog(label, "", 0, 0, self.window)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def advance(done: int, total: int) -> None:
            if total > 0:
                progress.setRange(0, total)
                progress.setValue(done)

        def finished(result: Any) -> None:
            progress.close()
            on_done(result)

        def failed(exc: Exception) -> None:
            progress.close()
            QMessageBox.warning(self.window, failure_title, plain_error(exc))

        run_with_progress(work, advance, finished, failed, owner=self.window)

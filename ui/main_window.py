"""The main window: the event at the top, the pages in tabs, figures kept current."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME_ZH
from app.badge.trust_store import import_revocations, import_trust_list
from app.inspection.changeset import Changes
from app.inspection.domain import risk_text, staffing_mode, staffing_mode_text
from app.inspection.values import Dashboard, EventInfo
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.dialogs.import_roster import ImportDialog
from ui.dialogs.settings import install_settings
from ui.dialogs.sync import SyncMenu
from ui.errors import user_message
from ui.help_menu import install_help
from ui.lock import install_lock
from ui.operations import Operations
from ui.pages.dashboard import DashboardPage
from ui.pages.evaluation import EvaluationPage
from ui.pages.event import EventPage
from ui.pages.inspection import InspectionPage
from ui.pages.posts import PostsPage
from ui.pages.roster import RosterPage
from ui.refresh import BackgroundRefresh, Wanted
from ui.scan_router import ScanRouter
from ui.sync_controller import SyncController
from ui.tasks import run_in_background
from ui.widgets.empty_state import EmptyState, EventCover
from ui.widgets.sync_status import SyncStatusWidget

LAST_EVENT_SETTING = "last_event_id"
PREFERRED_SIZE = (1440, 900)
FIGURES_REFRESH_MS = 300


class MainWindow(QMainWindow):
    def __init__(self, workbench: Workbench, lang: str, event_id: str | None = None) -> None:
        super().__init__()
        self.workbench = workbench
        self.lang = lang
        self.current_event: EventInfo | None = None
        self.setWindowTitle(self.tr("Venue Supervisor") +
                            ("" if lang == "zh_CN" else f" ({APP_NAME_ZH})"))
        self.resize(*PREFERRED_SIZE)

        self.event_choice = QComboBox()
        self.event_choice.setMinimumWidth(320)
        self.event_choice.activated.connect(self._event_chosen)
        self.event_summary = QLabel()
        self.event_summary.setWordWrap(True)
        self.blacklist_banner = QLabel()
        self.blacklist_banner.setWordWrap(True)
        self.blacklist_banner.setStyleSheet(
            "background: #b3261e; color: white; font-weight: bold; font-size: 15pt;"
            " padding: 6px;")
        self.blacklist_banner.hide()
        # On every tab while the event's evaluation is signed, instead of a dialog per scan.
        self.signed_banner = QLabel(self.tr(
            "Signed, read-only: to correct anything, start a new version (Evaluation tab)"))
        self.signed_banner.setObjectName("signedBanner")
        self.signed_banner.setWordWrap(True)
        self.signed_banner.setStyleSheet(
            "background: #1a5fb4; color: white; font-weight: bold; padding: 4px;")
        self.signed_banner.hide()
        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(6, 4, 6, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Event:")))
        row.addWidget(self.event_choice)
        row.addWidget(self.event_summary, 1)
        header_layout.addLayout(row)
        header_layout.addWidget(self.blacklist_banner)
        header_layout.addWidget(self.signed_banner)

        # Every change the screens make goes through it; its one signal refreshes the views.
        self.operations = Operations(workbench, self)
        self.inspection = InspectionPage(workbench, lang, self.operations)
        self.dashboard = DashboardPage()
        self.posts_page = PostsPage(workbench, self.operations)
        self.roster_page = RosterPage(workbench, self.operations)
        self.event_page = EventPage(workbench, self.operations)
        self.evaluation_page = EvaluationPage(workbench, lang, self.operations)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inspection, self.tr("Inspection"))
        self.tabs.addTab(self.dashboard, self.tr("Dashboard"))
        self.tabs.addTab(self.posts_page, self.tr("Posts"))
        self.tabs.addTab(self.roster_page, self.tr("Roster"))
        self.tabs.addTab(self.evaluation_page, self.tr("Evaluation"))
        self.tabs.addTab(self.event_page, self.tr("Event"))
        self.tabs.currentChanged.connect(self._tab_changed)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = QLabel()
        self.trust_status = QLabel()
        self.sync = SyncController(workbench.db, self)
        self.sync_status = SyncStatusWidget(self.sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.statusBar().addPermanentWidget(self.trust_status)
        self.statusBar().addPermanentWidget(self.status)

        # The dashboard's counts: a few hundred milliseconds on a large event, on a worker.
        self._figures = BackgroundRefresh(self._count_figures, self._show_figures,
                                          self._figures_failed, FIGURES_REFRESH_MS, self)
        self.operations.did_change.connect(self._changed)
        self.roster_page.import_requested.connect(self.import_roster)
        self._build_menu()
        # A badge scanned while the focus is anywhere else (a note, a form, an open dialog)
        # is still a scan: the dialog keeps its value and the guard is recorded.
        self.scan_router = ScanRouter(self)
        self.scan_router.scanned.connect(self._scanned_anywhere)
        self.scan_router.install()
        self.sync_menu = SyncMenu(self, self.sync, self.reload_events)
        self.sync_status.enrol_requested.connect(self.sync_menu.enrol)
        self.covers = self._cover_pages_without_event()
        install_settings(self)  # Tools → Settings… (Ctrl+,)
        self.window_lock = install_lock(self)  # File → Lock (Ctrl+L), and when idle
        self.sync.start()

        chosen = event_id or workbench.db.setting(LAST_EVENT_SETTING)
        self.reload_events(chosen)
        self._show_trust_status()
        self.help_menu = install_help(self, lang)  # last: Help is the rightmost menu

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        new_event = QAction(self.tr("New event"), self)
        new_event.setShortcut(QKeySequence("Ctrl+N"))
        connect_command(new_event.triggered, self.new_event)
        self.new_event_action = new_event
        import_action = QAction(self.tr("Import roster…"), self)
        import_action.setShortcut(QKeySequence("Ctrl+I"))
        connect_command(import_action.triggered, self.import_roster)
        quit_action = QAction(self.tr("Quit"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        connect_command(quit_action.triggered, self.close)
        trust_action = QAction(self.tr("Import trust list…"), self)
        connect_command(trust_action.triggered, self.import_trust_list)
        revocation_action = QAction(self.tr("Import revocation list…"), self)
        connect_command(revocation_action.triggered, self.import_revocation_list)
        for action in (new_event, import_action, trust_action, revocation_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self.undo_action = QAction(self.tr("Undo last action"), self)
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        connect_command(self.undo_action.triggered, self.inspection.undo)
        edit_menu.addAction(self.undo_action)
        # Each tab by a key too (Alt+1…), written beside its name in the View menu.
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for index in range(self.tabs.count()):
            go_to = QAction(self.tabs.tabText(index), self)
            go_to.setShortcut(QKeySequence(f"Alt+{index + 1}"))
            connect_command(go_to.triggered, partial(self.tabs.setCurrentIndex, index))
            view_menu.addAction(go_to)

    def _cover_pages_without_event(self) -> list[EventCover]:
        """While no event is open, the pages that need one say so and offer the three ways
        to get one, instead of empty tables."""
        covers = []
        for page in (self.inspection, self.dashboard, self.posts_page, self.roster_page,
                     self.evaluation_page):
            covers.append(EventCover(page, EmptyState(
                self.tr("No event open"),
                self.tr("Take the event down from headquarters, import the event package "
                        "headquarters gave you on a USB stick, or create the event by hand "
                        "and import the company's roster."),
                [self.sync_menu.pull_action, self.sync_menu.import_action,
                 self.new_event_action])))
        return covers

    # ---------------------------------------------------------------- events
    def reload_events(self, select_id: str | None = None) -> None:
        events = self.workbench.list_events()
        self.event_choice.clear()
        for event in events:
            self.event_choice.addItem(event.name, event.id)
        index = self.event_choice.findData(select_id) if select_id else -1
        if index < 0 and events:
            index = len(events) - 1
        if index >= 0:
            self.event_choice.setCurrentIndex(index)
            self.set_event(self.event_choice.itemData(index))
        else:
            self.set_event(None)
            self.tabs.setCurrentWidget(self.event_page)

    def _event_chosen(self, index: int) -> None:
        self.set_event(self.event_choice.itemData(index))

    def set_event(self, event_id: str | None) -> None:
        self.current_event = self.workbench.event(event_id) if event_id else None
        if event_id:
            self.workbench.db.set_setting(LAST_EVENT_SETTING, event_id)
        self._show_event_header()
        self._show_lock()
        for cover in self.covers:
            cover.show_event_open(self.current_event is not None)
        self.event_page.load(self.current_event)
        for page in (self.inspection, self.posts_page, self.roster_page,
                     self.evaluation_page):
            page.set_event(event_id)
        self.refresh_figures()
        if event_id:
            self.inspection.focus_scan()

    def _show_event_header(self) -> None:
        event = self.current_event
        if event is None:
            self.event_summary.setText(self.tr("No event yet: fill in the Event tab and save."))
            self.blacklist_banner.hide()
            return
        company = event.company
        mode = staffing_mode_text(staffing_mode(event.risk_level, event.event_kind))
        parts = [event.venue,
                 event.starts_at.astimezone().strftime("%Y-%m-%d %H:%M") if event.starts_at
                 else "",
                 self.tr("risk {level}").format(level=risk_text(event.risk_level)), mode,
                 self.tr("company: {name}").format(name=company.name) if company else
                 self.tr("no company yet")]
        self.event_summary.setText("  ·  ".join(p for p in parts if p))
        if company and company.blacklisted:
            self.blacklist_banner.setText(self.tr(
                "⚠ BLACK-LISTED COMPANY: {name} is on the black list. Report to headquarters "
                "before the event.").format(name=company.name))
            self.blacklist_banner.show()
        else:
            self.blacklist_banner.hide()

    def _show_lock(self) -> None:
        event = self.current_event
        self.signed_banner.setVisible(event is not None and self.workbench.is_locked(event.id))

    def new_event(self) -> None:
        self.event_page.load(None)
        self.tabs.setCurrentWidget(self.event_page)

    def _changed(self, changes: Changes, origin: object) -> None:
        """After every change: what the window itself shows (the pages listen themselves)."""
        self.sync.refresh_status_soon()  # a change is one more record waiting to be sent
        event = self.current_event
        if changes.event_details:
            saved = sorted(changes.event_ids)
            if origin is self.event_page and (event is None or saved != [event.id]):
                self.reload_events(saved[0])  # a new event: open it
                return
            if event is not None and changes.concerns(event.id):
                self._show_event_facts()
        if event is None or not changes.concerns(event.id):
            return
        if changes.evaluation:
            self._show_lock()
        if changes.counts:
            self._figures.request()
        self._show_saved()

    def _show_event_facts(self) -> None:
        """The current event's name in the list and its facts in the header, read again."""
        assert self.current_event is not None
        self.current_event = self.workbench.event(self.current_event.id)
        index = self.event_choice.findData(self.current_event.id)
        if index >= 0:
            self.event_choice.setItemText(index, self.current_event.name)
        self._show_event_header()

    def import_roster(self) -> None:
        if self.current_event is None:
            QMessageBox.information(self, self.tr("Import roster"),
                                    self.tr("Create the event first (Event tab)."))
            return
        path, _ = open_file_name(
            self, self.tr("Company roster"), "", self.tr("Rosters (*.xlsx *.csv)"))
        if not path:
            return
        self.open_import_dialog(path)

    def open_import_dialog(self, path: str) -> ImportDialog:
        assert self.current_event is not None
        company = self.current_event.company.name if self.current_event.company else None
        dialog = ImportDialog(self.operations, self.current_event.id, path, company, self)
        dialog.finished.connect(lambda _code: self._import_finished(dialog))
        dialog.open()
        return dialog

    def _import_finished(self, dialog: ImportDialog) -> None:
        if dialog.import_result is not None:
            # The views have refreshed what the import changed (Operations.did_change).
            self.statusBar().showMessage(self.tr(
                "Roster imported: {new} new, {updated} updated guards, {posts} new posts").format(
                new=dialog.import_result.imported, updated=dialog.import_result.updated,
                posts=dialog.import_result.posts_created), 10000)

    # ------------------------------------------------------- trust and revocation
    def import_trust_list(self) -> None:
        path, _ = open_file_name(
            self, self.tr("Trust list from headquarters"), "", self.tr("Trust lists (*.json)"))
        if path:
            self.import_trust_list_file(path)

    def import_trust_list_file(self, path: str) -> None:
        self._import_lists(lambda: ("trust", import_trust_list(self.workbench.db, path)))

    def import_revocation_list(self) -> None:
        path, _ = open_file_name(
            self, self.tr("Revocation list from headquarters"), "",
            self.tr("Revocation lists (*.txt *.csv);;All files (*)"))
        if path:
            self.import_revocation_list_file(path)

    def import_revocation_list_file(self, path: str) -> None:
        self._import_lists(lambda: ("revoked", import_revocations(self.workbench.db, path)))

    def _import_lists(self, work: Callable[[], tuple[str, object]]) -> None:
        progress = QProgressDialog(self.tr("Importing…"), "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def done(result: tuple[str, object]) -> None:
            progress.close()
            self.workbench.trust.reload()
            kind, counts = result
            if kind == "trust":
                message = self.tr("{count} trusted issuer key(s) imported.").format(count=counts)
            else:
                certificates, issuers = counts  # type: ignore[misc]
                message = self.tr("Revocation list in force: {certs} certificate(s) and "
                                  "{keys} issuer key(s) revoked.").format(
                    certs=certificates, keys=issuers)
            self.statusBar().showMessage(message, 15000)
            self._show_trust_status()
            QMessageBox.information(self, self.tr("Venue Supervisor"), message)

        def failed(exc: Exception) -> None:
            progress.close()
            QMessageBox.warning(self, self.tr("Import failed"), self.tr(
                "Nothing was changed: {error}").format(error=user_message(exc)))

        run_in_background(work, done, failed, owner=self)

    def _show_trust_status(self) -> None:
        summary = self.workbench.trust.summary()
        self.trust_status.setText(self.tr(
            "Trusted issuers: {issuers} · revoked: {revoked}").format(
            issuers=summary.issuers, revoked=summary.revoked_certificates))

    # --------------------------------------------------------------- figures
    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.inspection:
            self.inspection.focus_scan()

    def refresh_figures(self) -> None:
        """Recount the dashboard's figures now, on a worker thread, and show them when they
        arrive: on an event of 100,000 guards the counts take a few hundred milliseconds, on
        the GUI thread they would hold up the next scan."""
        self.sync.refresh_status()  # the same moments change what is waiting to be sent
        if self.current_event is None:
            self._figures.cancel()
            self.dashboard.show_figures(None)
            self.inspection.set_figures("")
            return
        self._figures.request(at_once=True)

    def _count_figures(self, _wanted: Wanted) -> Callable[[], tuple[str, Dashboard]] | None:
        if self.current_event is None:
            return None
        event_id, workbench = self.current_event.id, self.workbench
        return lambda: (event_id, workbench.dashboard(event_id))

    def _figures_failed(self, exc: Exception) -> None:
        self.status.setText(self.tr("Figures could not be counted: {error}").format(
            error=user_message(exc)))

    def _show_figures(self, result: tuple[str, Dashboard]) -> None:
        event_id, figures = result
        if self.current_event is None or self.current_event.id != event_id:
            return  # another event was opened meanwhile
        self.dashboard.show_figures(figures)
        self.inspection.set_figures(self.tr(
            "Posts visited: {visited} / {posts}\nGuards checked: {checked} / {rostered}\n"
            "Posts absent: {absent}, understaffed: {under}\n"
            "Findings: {findings} ({open} not corrected)").format(
            visited=figures.posts_visited, posts=figures.posts_total,
            checked=figures.guards_checked, rostered=figures.guards_rostered,
            absent=figures.posts_absent, under=figures.posts_understaffed,
            findings=figures.findings, open=figures.findings_not_corrected))
        self._show_saved()

    def _show_saved(self) -> None:
        self.status.setText(self.tr("All changes saved · device {device}").format(
            device=self.workbench.device_id[:8]))

    def show_fitted(self) -> None:
        """Show the window at its preferred size, or maximised on a screen smaller than
        that (a 1366x768 laptop, or 1920x1080 at 150 %)."""
        screen = self.screen().availableGeometry()
        if screen.width() < PREFERRED_SIZE[0] or screen.height() < PREFERRED_SIZE[1]:
            # The size it returns to when un-maximised: inside the screen with its frame
            # (a window manager maximises it; without one, this is the size it keeps).
            self.setGeometry(screen.adjusted(8, 32, -8, -8))
            self.showMaximized()
        else:
            self.show()

    def _scanned_anywhere(self, text: str) -> None:
        if self.window_lock.refuse_scan_if_locked():
            return  # refused with the alert sound and said on the lock screen
        self.tabs.setCurrentWidget(self.inspection)
        self.inspection.scanned_outside_the_field(text)
        if QApplication.activeModalWidget() is not None:
            self.statusBar().showMessage(self.tr(
                "A badge was scanned while a dialog was open: it was recorded, and the dialog "
                "kept what you typed."), 10000)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.scan_router.uninstall()
        self.inspection.finding_editor.note.editingFinished.emit()  # keep a half-typed note
        self.sync.stop()
        super().closeEvent(event)

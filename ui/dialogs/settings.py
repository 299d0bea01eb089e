"""Settings (Tools → Settings…, Ctrl+,): one dialog, remembered.

Three tabs: this laptop's preferences (language, large type, high contrast, sound, idle lock,
camera: ``app.preferences``, a file in the configuration folder), the supervisor's own
settings in the profile (identity, report defaults, headquarters' address), and the scanner
test. OK or Apply saves both and puts the preferences in force at once through the
application's ``PreferencesHub`` (the theme, the sound cues, the idle lock and the camera
follow it); the language alone waits for the next start. Cancel changes nothing.

Headquarters' address: before enrolment it is simply kept (the enrolment dialog offers it).
After enrolment the device token and the pinned certificate belong to the headquarters at the
enrolled address, so the address is not changed here behind them: a new address is an offer
to enrol there, and until that succeeds the laptop stays enrolled with, and sends to, the old
one.

Install it in the main window with one call::

    install_settings(self)  # in MainWindow.__init__, after the Sync menu exists
"""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.preferences import load_preferences, save_preferences
from app.profile.db import Database
from app.profile.supervisor import save_identity, save_report_defaults
from app.sync.state import HQ_URL
from ui.commands import connect_command
from ui.dialogs.settings_pages import (
    ERROR_STYLE,
    LaptopSettingsPage,
    ProfileValues,
    SupervisorSettingsPage,
    hq_address,
    read_profile,
)
from ui.dialogs.sync import SyncMenu
from ui.errors import user_message
from ui.layout import scrollable
from ui.operations import Operations
from ui.preferences_hub import preferences_hub
from ui.widgets.scanner_test import ScannerTestPage

TOOLS_MENU_NAME = "toolsMenu"
HELP_MENU_NAME = "helpMenu"


def save_profile(db: Database, new: ProfileValues, old: ProfileValues) -> None:
    """What changed of the supervisor's settings, written to the profile."""
    if new.identity != old.identity:
        save_identity(db, new.identity)
    if new.report_defaults != old.report_defaults:
        save_report_defaults(db, new.report_defaults)
    if new.hq_url != old.hq_url:
        db.set_setting(HQ_URL, new.hq_url)


class SettingsDialog(QDialog):
    preferences_changed = Signal(object)  # the Preferences saved and now in force
    enrol_requested = Signal(str)  # the supervisor wants to enrol at this new address

    def __init__(self, operations: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self.db = operations.workbench.db
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(620)
        self.saved_preferences = load_preferences()
        self.saved_profile = read_profile(self.db)

        self.laptop = LaptopSettingsPage()
        self.supervisor = SupervisorSettingsPage()
        self.scanner = ScannerTestPage()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.laptop, self.tr("This laptop"))
        self.tabs.addTab(self.supervisor, self.tr("Supervisor and headquarters"))
        # Its findings grow with what was scanned: they scroll, never squeeze the page.
        self.scanner_tab = scrollable(self.scanner)
        self.tabs.addTab(self.scanner_tab, self.tr("Scanner test"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.Apply)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        connect_command(self.apply_button.clicked, self.apply)
        self.message = QLabel()  # why OK or Apply saved nothing
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.laptop.show_preferences(self.saved_preferences)
        self.supervisor.show_profile(self.saved_profile)
        # Room for the scanner test's answer without scrolling; a laptop screen's 650
        # pixels take it with the title bar.
        self.resize(self.sizeHint().expandedTo(QSize(660, 590)))

    def _tab_shown(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.scanner_tab:
            self.scanner.box.setFocus(Qt.FocusReason.TabFocusReason)

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def apply(self) -> bool:
        """Save what the dialog shows and put it in force; False (and why, in the page)
        when something was refused."""
        self._say("")
        address = hq_address(self.supervisor.hq_url.text())
        if address is None:
            self.tabs.setCurrentWidget(self.supervisor)
            self._say(self.supervisor.refuse_address())
            return False
        old = self.saved_profile
        enrol_at = ""
        if old.enrolled and address != old.hq_url:
            enrol_at = self._ask_to_enrol(old.hq_url, address)
            address = old.hq_url  # the enrolled address stays until enrolment elsewhere
        new = ProfileValues(self.supervisor.identity(), self.supervisor.report_defaults(),
                            address, old.enrolled)
        preferences = self.laptop.preferences(self.saved_preferences)
        try:
            self.operations.run(lambda: save_profile(self.db, new, old), origin=self)
        except UserError as exc:
            self._say(self.tr("Not all of the supervisor's settings were saved: {error}")
                      .format(error=user_message(exc)))
            return False
        self.saved_profile = read_profile(self.db)
        self.supervisor.show_profile(self.saved_profile)  # as kept: spaces tidied
        try:
            save_preferences(preferences)
        except OSError as exc:
            self._say(self.tr("This laptop's settings were not saved: {error}")
                      .format(error=exc.strerror or exc))
            return False
        changed = preferences.checked() != self.saved_preferences.checked()
        self.saved_preferences = preferences
        preferences_hub().publish(preferences)
        if changed:
            self.preferences_changed.emit(preferences)
        if enrol_at:
            self.enrol_requested.emit(enrol_at)
        return True

    def _ask_to_enrol(self, enrolled: str, wanted: str) -> str:
        """The address to enrol at now, or "" to stay with the enrolled one."""
        if not wanted:
            QMessageBox.information(self, self.tr("Headquarters"), self.tr(
                "This laptop stays enrolled with headquarters at {enrolled}: the address "
                "was kept.").format(enrolled=enrolled))
            return ""
        answer = QMessageBox.question(self, self.tr("Headquarters"), self.tr(
            "This laptop is enrolled with headquarters at {enrolled}, and keeps sending its "
            "records there until it is enrolled at {wanted} with a new one-time code from "
            "headquarters.\n\nEnrol at {wanted} now?").format(enrolled=enrolled,
                                                              wanted=wanted),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return wanted if answer == QMessageBox.StandardButton.Yes else ""

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


# ------------------------------------------------------------------ the main window's menu
class SettingsWindow(Protocol):
    """What Settings needs of the main window (a dialog does not import the window)."""

    operations: Operations
    sync_menu: SyncMenu


def tools_menu(window: QMainWindow) -> QMenu:
    """The window's Tools menu, made (before Help, if there is one) when it is not there."""
    bar = window.menuBar()
    found = bar.findChild(QMenu, TOOLS_MENU_NAME)
    if found is not None:
        return found
    menu = QMenu(QCoreApplication.translate("SettingsDialog", "&Tools"), bar)
    menu.setObjectName(TOOLS_MENU_NAME)
    help_menu = bar.findChild(QMenu, HELP_MENU_NAME)
    if help_menu is not None:
        bar.insertMenu(help_menu.menuAction(), menu)
    else:
        bar.addMenu(menu)
    return menu


def install_settings(window: QMainWindow) -> QAction:
    """Tools → Settings… (Ctrl+,) in the main window."""
    action = QAction(QCoreApplication.translate("SettingsDialog", "Settings…"), window)
    action.setShortcut(QKeySequence("Ctrl+,"))
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    connect_command(action.triggered, lambda: open_settings(window))
    tools_menu(window).addAction(action)
    return action


def open_settings(window: QMainWindow) -> SettingsDialog:
    dialog = SettingsDialog(cast(SettingsWindow, window).operations, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.enrol_requested.connect(lambda address: _enrol_at(window, address))
    dialog.open()
    return dialog


def _enrol_at(window: QMainWindow, address: str) -> None:
    """The enrolment dialog with the new address filled in, once Settings has closed."""
    def enrol() -> None:
        dialog = cast(SettingsWindow, window).sync_menu.enrol()
        dialog.url.setText(address)
        dialog.code.setFocus(Qt.FocusReason.OtherFocusReason)

    QTimer.singleShot(0, window, enrol)

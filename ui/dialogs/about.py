"""Help → About: what this copy of the program is (the build information ``--version``
prints, with a button that copies it for a support request) and the licences of the font
and the libraries it carries.

Both are read on workers: from a checkout the commit is asked of git, and the libraries'
metadata takes about 0.3 s to read.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, APP_NAME_ZH
from app.build_info import BuildInfo, build_info
from app.licences import Licence, all_licences
from ui.commands import connect_command
from ui.tasks import run_in_background

BUILD_LINES_SHOWN = 7


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Venue Supervisor"))
        self.resize(900, 580)
        self.info: BuildInfo | None = None
        self.licences: list[Licence] = []

        name = QLabel(f"{APP_NAME_ZH}\n{APP_NAME}")
        name.setStyleSheet("font-size: 18pt; font-weight: bold;")
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        purpose = QLabel(self.tr(
            "Offline on-site supervision of the security guards at large public events."))
        purpose.setWordWrap(True)

        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.build_text = QPlainTextEdit(self.tr("Reading…"))
        self.build_text.setReadOnly(True)
        self.build_text.setFont(fixed)
        self.build_text.setFixedHeight(
            self.build_text.fontMetrics().lineSpacing() * BUILD_LINES_SHOWN + 12)
        self.copy_button = QPushButton(self.tr("Copy build information"))
        self.copy_button.setEnabled(False)
        connect_command(self.copy_button.clicked, self.copy_build_info)
        self.copied = QLabel()
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copied, 1)

        self.licence_list = QListWidget()
        self.licence_list.currentRowChanged.connect(self._show_licence)
        self.licence_text = QPlainTextEdit()
        self.licence_text.setReadOnly(True)
        self.licence_text.setFont(fixed)
        licences = QSplitter()
        licences.addWidget(self.licence_list)
        licences.addWidget(self.licence_text)
        licences.setStretchFactor(1, 1)
        licences.setSizes([400, 480])

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(name)
        layout.addWidget(purpose)
        layout.addWidget(QLabel(self.tr("Build information")))
        layout.addWidget(self.build_text)
        layout.addLayout(copy_row)
        layout.addWidget(QLabel(self.tr(
            "Licences of the bundled font and of the libraries this program carries:")))
        layout.addWidget(licences, 1)
        layout.addWidget(buttons)
        run_in_background(build_info, self._show_build_info, self._build_info_failed,
                          owner=self)
        run_in_background(all_licences, self._show_licences, self._licences_failed,
                          owner=self)

    def _show_build_info(self, info: BuildInfo) -> None:
        self.info = info
        self.build_text.setPlainText("\n".join(info.lines()))
        self.copy_button.setEnabled(True)

    def _build_info_failed(self, error: Exception) -> None:
        self.build_text.setPlainText(self.tr(
            "The build information could not be read: {error}").format(error=error))

    def _show_licences(self, licences: list[Licence]) -> None:
        self.licences = licences
        self.licence_list.clear()
        for licence in licences:
            item = QListWidgetItem(f"{licence.name} {licence.version}\n    {licence.licence}")
            item.setToolTip(licence.licence)
            self.licence_list.addItem(item)
        self.licence_list.setCurrentRow(0)

    def _licences_failed(self, error: Exception) -> None:
        self.licence_text.setPlainText(self.tr(
            "The licence texts could not be read: {error}").format(error=error))

    def _show_licence(self, row: int) -> None:
        if 0 <= row < len(self.licences):
            self.licence_text.setPlainText(self.licences[row].full_text())

    def copy_build_info(self) -> None:
        if self.info is None:
            return
        QGuiApplication.clipboard().setText("\n".join(self.info.lines()))
        self.copied.setText(self.tr("Copied: paste it into your message to headquarters."))

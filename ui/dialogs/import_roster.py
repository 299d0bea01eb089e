"""Roster import: a preview with every problem by row and column, then all valid rows or
nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.inspection.roster import RosterReport, check_roster
from app.inspection.values import ImportResult
from ui.commands import connect_command
from ui.errors import user_message
from ui.operations import Operations
from ui.tasks import run_in_background


class ImportDialog(QDialog):
    def __init__(self, operations: Operations, event_id: str, path: str,
                 main_company: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import roster: {file}").format(file=Path(path).name))
        self.resize(900, 600)
        self.operations = operations
        self.workbench = operations.workbench
        self.event_id = event_id
        self.report: RosterReport | None = None
        self.import_result: ImportResult | None = None
        self._importing = False

        self.summary = QLabel(self.tr("Reading {file}…").format(file=Path(path).name))
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Column"), self.tr("Severity"), self.tr("Problem")])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        connect_command(self.import_button.clicked, self._import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        run_in_background(lambda: check_roster(path, main_company), self._checked,
                          self._check_failed)

    def _checked(self, report: RosterReport) -> None:
        self.report = report
        self.progress.hide()
        errors = report.error_count
        warnings = len(report.problems) - errors
        self.summary.setText(self.tr(
            "{rows} guards in the file, {valid} can be imported; {errors} error(s), "
            "{warnings} warning(s). Rows with an error are left out; nothing is written "
            "until you press Import.").format(rows=len(report.rows), valid=len(report.valid_rows),
                                               errors=errors, warnings=warnings))
        self.table.setRowCount(len(report.problems))
        for index, problem in enumerate(report.problems):
            cells = (str(problem.row), problem.column,
                     self.tr("error") if problem.severity == "error" else self.tr("warning"),
                     problem.message)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if problem.severity == "error":
                    item.setForeground(QColor("#b3261e"))
                self.table.setItem(index, column, item)
        self.import_button.setText(self.tr("Import {count} valid rows").format(
            count=len(report.valid_rows)))
        self.import_button.setEnabled(bool(report.valid_rows))

    def _check_failed(self, exc: Exception) -> None:
        self.progress.hide()
        self.summary.setText(user_message(exc))
        self.summary.setStyleSheet("color: #b3261e; font-weight: bold;")

    def _import(self) -> None:
        if self.report is None:
            return
        self.import_button.setEnabled(False)
        # One transaction that cannot be stopped half-way: no Cancel (or Esc) that would
        # close the dialog while the roster is still written behind it.
        self._importing = True
        self.cancel_button.setEnabled(False)
        self.progress.show()
        report, event_id, workbench = self.report, self.event_id, self.workbench
        # One transaction of thousands of rows: on a worker, and every view then refreshes
        # what it changed (the roster, the posts, the figures).
        self.operations.run_in_background(lambda: workbench.import_roster(event_id, report),
                                          self._imported, self._import_failed)

    def _imported(self, result: ImportResult) -> None:
        self._importing = False
        self.import_result = result
        self.accept()

    def reject(self) -> None:
        if not self._importing:
            super().reject()

    def _import_failed(self, exc: Exception) -> None:
        self._importing = False
        self.cancel_button.setEnabled(True)
        self.progress.hide()
        QMessageBox.critical(self, self.tr("Import failed"), self.tr(
            "Nothing was imported: {error}").format(error=user_message(exc)))
        self.import_button.setEnabled(True)


def problem_rows(dialog: ImportDialog) -> list[tuple[str, str, str]]:
    """(row, column, severity) of the preview table, for tests."""
    return [(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text(),
             dialog.table.item(r, 2).text()) for r in range(dialog.table.rowCount())]


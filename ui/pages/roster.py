"""The roster (人员名单): the company's guards as imported, their fixed posts and photos."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.inspection.changeset import Changes
from app.inspection.domain import background_text
from app.inspection.values import GuardInfo
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.operations import Operations
from ui.widgets.empty_state import set_placeholder
from ui.widgets.tables import RowsModel, table_view


class RosterPage(QWidget):
    import_requested = Signal()
    CERTIFICATE_COLUMN = 4
    COMPANY_COLUMN = 5  # the longest text: it takes the spare width

    def __init__(self, workbench: Workbench, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.operations.did_change.connect(self._changed)
        self.event_id: str | None = None
        self._loaded_for: str | None = None
        self._stale_guards: set[str] = set()  # lines a change touched while hidden
        self.model = RowsModel([
            (self.tr("Row"), lambda g: g.roster_row),
            (self.tr("Name"), lambda g: g.name),
            (self.tr("Gender"), lambda g: g.gender),
            (self.tr("ID number (masked)"), lambda g: g.id_masked),
            (self.tr("Certificate"), lambda g: g.cert_no),
            (self.tr("Company"), lambda g: g.company_name),
            (self.tr("Fixed post"), lambda g: g.post_name),
            (self.tr("Background check"), lambda g: background_text(g.background_check)),
            (self.tr("Trained"), lambda g: self.tr("yes") if g.trained else self.tr("no")),
        ])
        self.all_rows: list[GuardInfo] = []
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by name, certificate, company or post"))
        self.filter.textChanged.connect(self._apply_filter)
        self.count = QLabel()
        import_button = QPushButton(self.tr("&Import roster (.xlsx / .csv)…"))
        connect_command(import_button.clicked, self.import_requested)
        self.post_choice = QComboBox()
        assign_button = QPushButton(self.tr("&Assign selected guards to post"))
        connect_command(assign_button.clicked, self._assign)
        photo_button = QPushButton(self.tr("Set &photo…"))
        connect_command(photo_button.clicked, self._choose_photo)
        self.view = table_view(self.model, stretch=self.COMPANY_COLUMN)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        top.addWidget(import_button)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel(self.tr("Fixed post (定岗位):")))
        bottom.addWidget(self.post_choice, 1)
        bottom.addWidget(assign_button)
        bottom.addSpacing(24)
        bottom.addWidget(photo_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    def set_event(self, event_id: str | None) -> None:
        self.event_id = event_id
        self._loaded_for = None
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # The roster can hold 100,000 guards: load it when it is looked at, not at start.
        if self._loaded_for != self.event_id:
            self.reload()
        elif self._stale_guards:
            self._reload_guards(self._stale_guards)
        super().showEvent(event)

    def reload(self) -> None:
        self._loaded_for = self.event_id
        self._stale_guards = set()
        self.all_rows = self.workbench.guards(self.event_id) if self.event_id else []
        self._reload_post_choice()
        self._apply_filter(self.filter.text())

    def _reload_post_choice(self) -> None:
        self.post_choice.clear()
        self.post_choice.addItem(self.tr("(no post)"), None)
        if self.event_id:  # names only: the counts are not shown here
            for post in self.workbench.posts(self.event_id, with_counts=False):
                self.post_choice.addItem(post.name, post.id)

    def _changed(self, changes: Changes, _origin: object) -> None:
        """The lines of the guards a change touched; all of them after an import."""
        if not changes.concerns(self.event_id) or self._loaded_for != self.event_id:
            return  # not loaded yet: it will be when it is looked at
        if changes.roster:
            self._loaded_for = None  # the whole roster, now or when it is looked at
            if self.isVisible():
                self.reload()
            return
        if changes.post_list:
            self._reload_post_choice()
        if changes.guard_ids:
            self._stale_guards |= changes.guard_ids
            if self.isVisible():
                self._reload_guards(self._stale_guards)

    def _reload_guards(self, guard_ids: set[str]) -> None:
        fresh = {g.id: g for g in self.workbench.guards(self.event_id, only=set(guard_ids))
                 } if self.event_id else {}
        self._stale_guards = set()
        self.all_rows = [fresh.get(g.id, g) for g in self.all_rows]
        if self.filter.text().strip():
            self._apply_filter(self.filter.text())  # a changed line may match no more
        else:
            self.model.update_rows(fresh)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        rows = self.all_rows if not needle else [
            g for g in self.all_rows
            if needle in f"{g.name} {g.cert_no} {g.company_name} {g.post_name or ''}".lower()]
        self.model.set_rows(rows)
        self.count.setText(self.tr("{shown} of {total} guards").format(
            shown=len(rows), total=len(self.all_rows)))
        set_placeholder(self.view, self.tr(
            "No guards yet. Import the company's roster (.xlsx or .csv) with the button "
            "above or Ctrl+I; headquarters' event package brings it too.") if not self.all_rows
            else self.tr("No guard matches the filter."))

    def _choose_photo(self) -> None:
        rows = [index.row() for index in self.view.selectionModel().selectedRows()]
        if len(rows) != 1:
            QMessageBox.information(self, self.tr("Photo"), self.tr("Select one guard."))
            return
        path, _ = open_file_name(self, self.tr("Guard's photo"), "",
                                              self.tr("Images (*.jpg *.jpeg *.png *.bmp)"))
        if path:
            guard_id = self.model.rows[rows[0]].id
            self.operations.run(lambda: self.workbench.set_guard_photo(guard_id, path),
                                origin=self)

    def _assign(self) -> None:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        if not rows:
            QMessageBox.information(self, self.tr("Assign"), self.tr("Select guards first."))
            return
        post_id = self.post_choice.currentData()
        guard_ids = [self.model.rows[row].id for row in rows]

        def assign() -> None:  # one operation, one signal, however many guards
            for guard_id in guard_ids:
                self.workbench.assign_guard(guard_id, post_id)

        self.operations.run(assign, origin=self)

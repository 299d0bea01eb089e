"""The posts (岗位): each post's zone, task and headcount (定岗位、定任务、定责任), with the
guards assigned and checked there."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.errors import UserError
from app.inspection.changeset import Changes
from app.inspection.domain import post_state_text, task_type_text
from app.inspection.roster import TASK_TYPES
from app.inspection.values import PostInfo
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.operations import Operations
from ui.widgets.empty_state import set_placeholder
from ui.widgets.tables import RowsModel, table_view


class PostsPage(QWidget):
    def __init__(self, workbench: Workbench, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.operations.did_change.connect(self._changed)
        self.event_id: str | None = None
        self.editing: PostInfo | None = None
        self._stale = True
        self._stale_posts: set[str] = set()  # lines a change touched while hidden
        self.model = RowsModel([
            (self.tr("Post"), lambda p: p.name),
            (self.tr("Zone"), lambda p: p.zone),
            (self.tr("Task"), lambda p: task_type_text(p.task_type)),
            (self.tr("Required"), lambda p: p.required_headcount),
            (self.tr("Assigned"), lambda p: p.assigned_count),
            (self.tr("Checked"), lambda p: p.inspected_count),
            (self.tr("Status"), lambda p: post_state_text(p.status) if p.status else
             (self.tr("no guard assigned") if p.assigned_count == 0 else "")),
        ])
        self.view = table_view(self.model, stretch=0)  # the post's name
        set_placeholder(self.view, self.tr(
            "No posts yet. Importing the company's roster (Ctrl+I) creates its posts; or fill "
            "in the form on the right and click Save post."))
        self.view.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.name = QLineEdit()
        self.zone = QLineEdit()
        self.task = QComboBox()
        for task in TASK_TYPES:
            self.task.addItem(task_type_text(task), task)
        self.headcount = QSpinBox()
        self.headcount.setRange(0, 500)
        save = QPushButton(self.tr("Save &post"))
        connect_command(save.clicked, self.save)
        new = QPushButton(self.tr("Ne&w post"))
        connect_command(new.clicked, self._new)
        form_box = QGroupBox(self.tr("Post (定岗位、定任务、定责任)"))
        form = QFormLayout(form_box)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Zone"), self.zone)
        form.addRow(self.tr("Task type"), self.task)
        form.addRow(self.tr("Required headcount"), self.headcount)
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addWidget(save)
        form.addRow(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.view, 3)
        layout.addWidget(form_box, 2, Qt.AlignmentFlag.AlignTop)

    def set_event(self, event_id: str | None) -> None:
        self.event_id = event_id
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._stale:  # loaded when looked at: keeps the start fast on a large event
            self.reload()
        elif self._stale_posts:
            self._reload_posts(self._stale_posts)
        super().showEvent(event)

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self._stale_posts = set()
        self.model.set_rows(self.workbench.posts(self.event_id) if self.event_id else [])

    def _changed(self, changes: Changes, _origin: object) -> None:
        """The lines of the posts a change touched; the whole list when posts were added
        or renamed. Hidden, the page reloads them when it is looked at."""
        if not changes.concerns(self.event_id) or self._stale:
            return
        if changes.post_list:
            self.mark_stale()
        elif changes.post_ids:
            self._stale_posts |= changes.post_ids
            if self.isVisible():
                self._reload_posts(self._stale_posts)

    def _reload_posts(self, post_ids: set[str]) -> None:
        fresh = ({p.id: p for p in self.workbench.posts(self.event_id, only=set(post_ids))}
                 if self.event_id else {})
        self._stale_posts = set()
        self.model.update_rows(fresh)

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        post: PostInfo = self.model.rows[current.row()]
        self.editing = post
        self.name.setText(post.name)
        self.zone.setText(post.zone)
        self.task.setCurrentIndex(max(0, self.task.findData(post.task_type)))
        self.headcount.setValue(post.required_headcount)

    def _new(self) -> None:
        self.editing = None
        self.view.clearSelection()
        for edit in (self.name, self.zone):
            edit.clear()
        self.headcount.setValue(1)

    def save(self) -> None:
        if not self.event_id:
            return
        event_id, post_id = self.event_id, self.editing.id if self.editing else None
        name, zone = self.name.text(), self.zone.text()
        task, headcount = self.task.currentData(), self.headcount.value()
        try:
            self.operations.run(lambda: self.workbench.save_post(
                event_id, name, zone, task, headcount, post_id), origin=self)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Post"), str(exc))
            return

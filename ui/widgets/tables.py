"""Roster, posts and dashboard pages: tables over plain values from the workbench."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.inspection.domain import (
    background_text,
    category_text,
    post_state_text,
    task_type_text,
)
from app.inspection.roster import TASK_TYPES
from app.inspection.workbench import Dashboard, GuardInfo, PostInfo, Workbench, WorkbenchError
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.fonts import emphasize

_Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table of immutable rows; each column is a header and a getter."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], object]]]) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            value = self.columns[index.column()][1](self.rows[index.row()])
            return "" if value is None else str(value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None


# Columns are fitted to a sample of rows: Qt's (the visible ones first, then outwards, this
# many) and this many more spread evenly down the whole table, the last row among them (row
# numbers grow wider further down). The roster can hold 100,000 guards: measuring every cell
# would take seconds; this takes a bounded time however long the table.
FIT_SAMPLE_ROWS = 100
FIT_SPREAD_ROWS = 50
WIDEST = -1  # ``stretch``: the column that came out widest when fitted takes the spare width


class FittedTableView(QTableView):
    """A table whose columns fit their header and contents after every reset of the model;
    the ``stretch`` column (or none) also takes whatever width is left over, so that no
    short column stands in a wide empty cell. Columns stay user-resizable: a column the user
    dragged keeps its width (double-clicking its edge fits it again)."""

    def __init__(self, model: RowsModel, stretch: int | None = WIDEST) -> None:
        super().__init__()
        self.stretch = stretch
        self._fitted: list[int] = []
        self._user_sized: set[int] = set()
        self._adjusting = False
        self.setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(FIT_SAMPLE_ROWS)
        header.sectionResized.connect(self._section_resized)
        model.modelReset.connect(self.fit_columns)
        self.fit_columns()

    def stretch_column(self) -> int | None:
        if self.stretch != WIDEST:
            return self.stretch
        if not self._fitted:
            return None
        return max(range(len(self._fitted)), key=self._fitted.__getitem__)

    def fit_columns(self) -> None:
        """Each column as wide as its header and its widest sampled cell."""
        self._adjusting = True
        try:
            self._fitted = []
            for column in range(self.model().columnCount()):
                width = max(self._content_width(column),
                            self.horizontalHeader().sectionSizeHint(column))
                self._fitted.append(width)
                if column not in self._user_sized:
                    self.setColumnWidth(column, width)
        finally:
            self._adjusting = False
        self._spread()

    def _content_width(self, column: int) -> int:
        width = self.sizeHintForColumn(column)  # Qt's sample, grid line included
        model = self.model()
        rows = model.rowCount()
        if rows > FIT_SAMPLE_ROWS:
            grid = 1 if self.showGrid() else 0
            step = max(1, rows // FIT_SPREAD_ROWS)
            for row in [*range(0, rows, step), rows - 1]:
                width = max(width, self.sizeHintForIndex(model.index(row, column)).width() + grid)
        return width

    def _spread(self) -> None:
        """Give the width no column needs to the stretch column (never less than it needs)."""
        column = self.stretch_column()
        if column is None or column in self._user_sized or column >= len(self._fitted):
            return
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != column and not header.isSectionHidden(c))
        width = max(self._fitted[column], self.viewport().width() - others)
        if width != header.sectionSize(column):
            self._adjusting = True
            try:
                header.resizeSection(column, width)
            finally:
                self._adjusting = False

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if self._adjusting:
            return
        self._user_sized.add(column)  # dragged (or double-clicked) by the user
        self._spread()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (the viewport's size)
        super().resizeEvent(event)
        self._spread()


def _table(model: RowsModel, stretch: int | None = WIDEST) -> QTableView:
    view = FittedTableView(model, stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    return view


class RosterPage(QWidget):
    import_requested = Signal()
    changed = Signal()
    CERTIFICATE_COLUMN = 4
    COMPANY_COLUMN = 5  # the longest text: it takes the spare width

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.event_id: str | None = None
        self._loaded_for: str | None = None
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
        import_button = QPushButton(self.tr("Import roster (.xlsx / .csv)…"))
        connect_command(import_button.clicked, self.import_requested)
        self.post_choice = QComboBox()
        assign_button = QPushButton(self.tr("Assign selected guards to post"))
        connect_command(assign_button.clicked, self._assign)
        photo_button = QPushButton(self.tr("Set photo…"))
        connect_command(photo_button.clicked, self._choose_photo)
        self.view = _table(self.model, stretch=self.COMPANY_COLUMN)
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

    def showEvent(self, event: object) -> None:  # noqa: N802
        # The roster can hold 100,000 guards: load it when it is looked at, not at start.
        if self._loaded_for != self.event_id:
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        self._loaded_for = self.event_id
        self.all_rows = self.workbench.guards(self.event_id) if self.event_id else []
        self.post_choice.clear()
        self.post_choice.addItem(self.tr("(no post)"), None)
        if self.event_id:
            for post in self.workbench.posts(self.event_id):
                self.post_choice.addItem(post.name, post.id)
        self._apply_filter(self.filter.text())

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        rows = self.all_rows if not needle else [
            g for g in self.all_rows
            if needle in f"{g.name} {g.cert_no} {g.company_name} {g.post_name or ''}".lower()]
        self.model.set_rows(rows)
        self.count.setText(self.tr("{shown} of {total} guards").format(
            shown=len(rows), total=len(self.all_rows)))

    def _choose_photo(self) -> None:
        rows = [index.row() for index in self.view.selectionModel().selectedRows()]
        if len(rows) != 1:
            QMessageBox.information(self, self.tr("Photo"), self.tr("Select one guard."))
            return
        path, _ = open_file_name(self, self.tr("Guard's photo"), "",
                                              self.tr("Images (*.jpg *.jpeg *.png *.bmp)"))
        if path:
            self.workbench.set_guard_photo(self.model.rows[rows[0]].id, path)
            self.reload()

    def _assign(self) -> None:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        if not rows:
            QMessageBox.information(self, self.tr("Assign"), self.tr("Select guards first."))
            return
        post_id = self.post_choice.currentData()
        for row in rows:
            self.workbench.assign_guard(self.model.rows[row].id, post_id)
        self.reload()
        self.changed.emit()


class PostsPage(QWidget):
    changed = Signal()

    def __init__(self, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.event_id: str | None = None
        self.editing: PostInfo | None = None
        self._stale = True
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
        self.view = _table(self.model, stretch=0)  # the post's name
        self.view.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.name = QLineEdit()
        self.zone = QLineEdit()
        self.task = QComboBox()
        for task in TASK_TYPES:
            self.task.addItem(task_type_text(task), task)
        self.headcount = QSpinBox()
        self.headcount.setRange(0, 500)
        save = QPushButton(self.tr("Save post"))
        connect_command(save.clicked, self.save)
        new = QPushButton(self.tr("New post"))
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

    def showEvent(self, event: object) -> None:  # noqa: N802
        if self._stale:  # loaded when looked at: keeps the start fast on a large event
            self.reload()
        super().showEvent(event)

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.reload()

    def reload(self) -> None:
        self._stale = False
        self.model.set_rows(self.workbench.posts(self.event_id) if self.event_id else [])

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
        try:
            self.workbench.save_post(self.event_id, self.name.text(), self.zone.text(),
                                     self.task.currentData(), self.headcount.value(),
                                     self.editing.id if self.editing else None)
        except WorkbenchError as exc:
            QMessageBox.warning(self, self.tr("Post"), str(exc))
            return
        self.reload()
        self.changed.emit()


class DashboardPage(QWidget):
    """The event's progress at a glance, refreshed after every saved change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = [
            ("posts", self.tr("Posts visited")),
            ("guards", self.tr("Guards checked / rostered")),
            ("absent", self.tr("Posts absent / understaffed")),
            ("unstaffed", self.tr("Posts without a guard")),
            ("findings", self.tr("Findings (not corrected)")),
            ("inspections", self.tr("Scans recorded")),
        ]
        for index, (key, title) in enumerate(names):
            box = QGroupBox(title)
            value = emphasize(QLabel("–"), 26, bold=True)
            QVBoxLayout(box).addWidget(value)
            grid.addWidget(box, index // 3, index % 3)
            self.tiles[key] = value
        self.by_category = RowsModel([(self.tr("Category"), lambda r: r[0]),
                                      (self.tr("Findings"), lambda r: r[1])])
        self.by_company = RowsModel([(self.tr("Company"), lambda r: r[0]),
                                     (self.tr("Findings"), lambda r: r[1])])
        # the names take the spare width, the counts only what they need
        self.category_view = _table(self.by_category, stretch=0)
        self.company_view = _table(self.by_company, stretch=0)
        tables = QHBoxLayout()
        for title, view in ((self.tr("Findings per category"), self.category_view),
                            (self.tr("Findings per company"), self.company_view)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(view)
            tables.addWidget(box)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(tables, 1)

    def show_figures(self, figures: Dashboard | None) -> None:
        if figures is None:
            for tile in self.tiles.values():
                tile.setText("–")
            self.by_category.set_rows([])
            self.by_company.set_rows([])
            return
        self.tiles["posts"].setText(f"{figures.posts_visited} / {figures.posts_total}")
        self.tiles["guards"].setText(f"{figures.guards_checked} / {figures.guards_rostered}")
        self.tiles["absent"].setText(f"{figures.posts_absent} / {figures.posts_understaffed}")
        self.tiles["unstaffed"].setText(str(figures.posts_unstaffed))
        self.tiles["findings"].setText(f"{figures.findings} ({figures.findings_not_corrected})")
        self.tiles["inspections"].setText(str(figures.inspections))
        self.by_category.set_rows(sorted(((category_text(k), v) for k, v in
                                          figures.findings_by_category.items()),
                                         key=lambda r: -r[1]))
        self.by_company.set_rows(sorted(figures.findings_by_company.items(),
                                        key=lambda r: -r[1]))

"""Tables over plain, immutable rows (the pages' values from the workbench): a read-only model
of rows and columns, and a view whose columns fit their contents whatever the table's length."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
)

from ui.widgets.empty_state import paint_placeholder

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

    def update_rows(self, fresh: dict[str, Any]) -> None:
        """Replace the rows whose ``id`` is in ``fresh`` by its value, in place: the other
        rows, the selection and the columns' widths stay as they are."""
        for index, row in enumerate(self.rows):
            new = fresh.get(row.id)
            if new is not None and new != row:
                self.rows[index] = new
                self.dataChanged.emit(self.index(index, 0),
                                      self.index(index, len(self.columns) - 1))

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

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        paint_placeholder(self)  # what to do when the table is empty (set_placeholder)


def table_view(model: RowsModel, stretch: int | None = WIDEST) -> QTableView:
    view = FittedTableView(model, stretch)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    return view

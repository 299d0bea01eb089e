"""The post's checklist for the scanned guard: four categories, task-specific items.

Rows take no keyboard focus (the scan field keeps it); they are toggled by a click or by
Ctrl+number, and F2 marks every item not yet recorded as compliant.

The rows and headings are made once and kept: a scan shows the next guard's checklist by
setting texts and states, and lays the rows out again only when the items differ (another
task type). Making ten rows anew at every scan took 5 ms of the scan (10 ms at p95 on the
100,000-guard bench, bench/scan_latency.py), most of the whole scan's budget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.inspection.domain import category_text
from app.inspection.values import ItemState
from ui.fonts import emphasize

STATE_COLOURS = {None: "#e8eaed", True: "#d7f0dd", False: "#fbd9d6"}
STATE_TEXT_COLOURS = {None: "#5f6368", True: "#1b7f3b", False: "#b3261e"}


class ItemRow(QFrame):
    chosen = Signal(int)  # the row was clicked: its index

    def __init__(self, index: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 8, 1)  # ten rows fit under the card on a laptop
        self.number = QLabel(str(index + 1) if index < 10 else "")
        self.number.setFixedWidth(22)
        self.number.setToolTip(self.tr("Ctrl+{n} toggles this item").format(n=(index + 1) % 10))
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.state = QLabel()
        self.state.setMinimumWidth(96)
        self.state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        emphasize(self.state, bold=True)
        layout.addWidget(self.number)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.state)
        self.selected = False
        self._shown: tuple[bool | None, bool] | None = None

    def set_item(self, index: int, text: str) -> None:
        self.index = index
        self.number.setText(str(index + 1) if index < 10 else "")
        self.number.setToolTip(self.tr("Ctrl+{n} toggles this item").format(n=(index + 1) % 10))
        self.text.setText(text)

    def show_state(self, compliant: bool | None, has_note: bool) -> None:
        if self._shown == (compliant, has_note):
            return
        self._shown = (compliant, has_note)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(STATE_COLOURS[compliant]))
        self.setPalette(palette)
        label_palette = self.state.palette()
        label_palette.setColor(QPalette.ColorRole.WindowText,
                               QColor(STATE_TEXT_COLOURS[compliant]))
        self.state.setPalette(label_palette)
        if compliant is None:
            self.state.setText(self.tr("not checked"))
        elif compliant:
            self.state.setText(self.tr("✓ compliant"))
        else:
            self.state.setText(self.tr("✗ finding") + (" ✎" if has_note else ""))

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        self.setLineWidth(3 if selected else 1)
        self.setFrameShadow(QFrame.Shadow.Plain if selected else QFrame.Shadow.Sunken)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(self.index)


class ChecklistPanel(QWidget):
    toggled = Signal(int)

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.rows: list[ItemRow] = []  # the rows of the items shown, in order
        self.states: list[ItemState] = []
        self._row_pool: list[ItemRow] = []  # every row made so far, kept for the next scan
        self._headings: list[QLabel] = []
        self._shape: tuple[tuple[str, str], ...] = ()
        self.empty = QLabel(self.tr("The checklist appears after a scan."))
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)

    def set_items(self, states: tuple[ItemState, ...]) -> None:
        self.states = list(states)
        shape = tuple((state.item.category, state.item.label(self.lang)) for state in states)
        if shape != self._shape:
            self._lay_out(shape)
        for row, state in zip(self.rows, states, strict=True):
            row.show_state(state.compliant, bool(state.note))
            if row.selected:  # a kept row starts unselected, as a new one would
                row.set_selected(False)

    def _lay_out(self, shape: tuple[tuple[str, str], ...]) -> None:
        """Put the kept rows and headings in the layout for these items, making only the
        ones that are missing."""
        self._shape = shape
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()
        self.rows = []
        self.empty.setVisible(not shape)
        if not shape:
            self._layout.addWidget(self.empty)
        headings = iter(self._headings)
        category = None
        for index, (item_category, label) in enumerate(shape):
            if item_category != category:
                category = item_category
                heading = next(headings, None)
                if heading is None:
                    heading = emphasize(QLabel(), bold=True, grow=1)
                    self._headings.append(heading)
                heading.setText(category_text(category))
                self._layout.addWidget(heading)
                heading.show()
            if index < len(self._row_pool):
                row = self._row_pool[index]
                row.set_item(index, label)
            else:
                row = ItemRow(index, label)
                row.chosen.connect(self.toggled)
                self._row_pool.append(row)
            self._layout.addWidget(row)
            row.show()
            self.rows.append(row)
        self._layout.addStretch(1)

    def update_item(self, index: int, state: ItemState) -> None:
        self.states[index] = state
        self.rows[index].show_state(state.compliant, bool(state.note))

    def select(self, index: int | None) -> None:
        for row in self.rows:
            row.set_selected(row.index == index)

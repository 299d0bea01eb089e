"""The post's checklist for the scanned guard: four categories, task-specific items.

Rows take no keyboard focus (the scan field keeps it); they are toggled by a click or by
Ctrl+number, and F2 marks every item not yet recorded as compliant.
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

    def show_state(self, compliant: bool | None, has_note: bool) -> None:
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
        self.rows: list[ItemRow] = []
        self.states: list[ItemState] = []
        self.empty = QLabel(self.tr("The checklist appears after a scan."))
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)

    def set_items(self, states: tuple[ItemState, ...]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.empty:
                # Hidden now, deleted later: until the deferred delete the old rows would
                # still be painted where they were, under the new ones.
                widget.hide()
                widget.deleteLater()
        self.rows = []
        self.states = list(states)
        self.empty.setVisible(not states)
        if not states:
            self._layout.addWidget(self.empty)
        category = None
        for index, state in enumerate(states):
            if state.item.category != category:
                category = state.item.category
                heading = emphasize(QLabel(category_text(category)), bold=True, grow=1)
                self._layout.addWidget(heading)
            row = ItemRow(index, state.item.label(self.lang))
            row.chosen.connect(self.toggled)
            row.show_state(state.compliant, bool(state.note))
            self._layout.addWidget(row)
            self.rows.append(row)
        self._layout.addStretch(1)

    def update_item(self, index: int, state: ItemState) -> None:
        self.states[index] = state
        self.rows[index].show_state(state.compliant, bool(state.note))

    def select(self, index: int | None) -> None:
        for row in self.rows:
            row.set_selected(row.index == index)

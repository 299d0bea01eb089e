"""The post's checklist for the scanned guard: four categories, task-specific items.

Rows take no keyboard focus (the scan field keeps it); they are toggled by a click or by
Ctrl+number, and F2 marks every item not yet recorded as compliant.

Each checklist (one task type's items) is made once and kept as a page of a stacked layout:
a scan shows the next guard's checklist by switching to its page and setting the states.
Making ten rows anew at every scan took 5 ms of the scan (10 ms at p95 on the 100,000-guard
bench, bench/scan_latency.py), most of the whole scan's budget.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QColor, QMouseEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

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


class ChecklistPage(QWidget):
    """The rows of one checklist (one task type's items), with their category headings."""

    def __init__(self, shape: tuple[tuple[str, str], ...], toggled: SignalInstance,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.rows: list[ItemRow] = []
        category = None
        for index, (item_category, label) in enumerate(shape):
            if item_category != category:
                category = item_category
                layout.addWidget(emphasize(QLabel(category_text(category)), bold=True, grow=1))
            row = ItemRow(index, label)
            row.chosen.connect(toggled)
            layout.addWidget(row)
            self.rows.append(row)
        layout.addStretch(1)


class ChecklistPanel(QWidget):
    toggled = Signal(int)
    # Checklists kept ready: the task types of an event (安检, 验票, 巡逻, 守卫 and a few more).
    KEPT_PAGES = 8

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._stack = QStackedLayout(self)
        self.rows: list[ItemRow] = []  # the rows of the items shown, in order
        self.states: list[ItemState] = []
        # The pages made so far, by their items, the most recently shown last.
        self._pages: OrderedDict[tuple[tuple[str, str], ...], ChecklistPage] = OrderedDict()
        self.empty = QLabel(self.tr("The checklist appears after a scan."))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._stack.addWidget(self.empty)

    def set_items(self, states: tuple[ItemState, ...]) -> None:
        self.states = list(states)
        shape = tuple((state.item.category, state.item.label(self.lang)) for state in states)
        page = self._page_for(shape) if shape else None
        self._stack.setCurrentWidget(page or self.empty)
        self.rows = page.rows if page else []
        for row, state in zip(self.rows, states, strict=True):
            row.show_state(state.compliant, bool(state.note))
            if row.selected:  # a kept row starts unselected, as a new one would
                row.set_selected(False)

    def _page_for(self, shape: tuple[tuple[str, str], ...]) -> ChecklistPage:
        page = self._pages.get(shape)
        if page is not None:
            self._pages.move_to_end(shape)
            return page
        page = ChecklistPage(shape, self.toggled, self)
        self._stack.addWidget(page)
        self._pages[shape] = page
        if len(self._pages) > self.KEPT_PAGES:
            _, oldest = self._pages.popitem(last=False)
            self._stack.removeWidget(oldest)
            oldest.deleteLater()
        return page

    def update_item(self, index: int, state: ItemState) -> None:
        self.states[index] = state
        self.rows[index].show_state(state.compliant, bool(state.note))

    def select(self, index: int | None) -> None:
        for row in self.rows:
            row.set_selected(row.index == index)

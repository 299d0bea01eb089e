"""What a place with nothing in it says: what is missing and what to do next.

Two forms. ``EmptyState`` takes a whole tab's place while no event is open, with buttons for
the window's actions that open one (their shortcuts written on them). ``placeholder`` is the
sentence an empty table or list shows in its middle (no posts yet: import the roster).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PLACEHOLDER_MARGIN = 24
EXPLANATION_WIDTH = 640


def action_button_text(action: QAction) -> str:
    """The action's text without its mnemonic, with its shortcut: what the button does and
    the key that does the same from anywhere."""
    text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{text} ({shortcut})" if shortcut else text


class EmptyState(QWidget):
    """A headline, a sentence, and one button per action, centred."""

    def __init__(self, headline: str, explanation: str, actions: Sequence[QAction] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel(headline)
        self.headline.setObjectName("emptyHeadline")
        self.headline.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setWordWrap(True)
        self.explanation = QLabel(explanation)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explanation.setWordWrap(True)
        self.explanation.setMaximumWidth(EXPLANATION_WIDTH)  # a paragraph, not one long line
        self.buttons: list[QPushButton] = []
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.headline)
        layout.addWidget(self.explanation, 0, Qt.AlignmentFlag.AlignHCenter)
        for action in actions:
            button = QPushButton(action_button_text(action))
            button.setMinimumWidth(360)
            button.clicked.connect(action.trigger)
            # Enabled as the action is (taking an event from HQ needs an enrolled laptop).
            button.setEnabled(action.isEnabled())
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            self.buttons.append(button)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


class EventCover(QObject):
    """Lays ``empty`` over the whole of ``page`` while no event is open. The page stays the
    tab's widget (the window and its tests address the pages themselves); the cover follows
    its size and hides everything under it."""

    def __init__(self, page: QWidget, empty: EmptyState) -> None:
        super().__init__(page)
        self.page = page
        self.empty = empty
        empty.setParent(page)
        empty.setAutoFillBackground(True)  # nothing of the page shows through
        empty.hide()
        page.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.page and event.type() == QEvent.Type.Resize:
            self.empty.setGeometry(self.page.rect())
        return False

    def show_event_open(self, is_open: bool) -> None:
        self.empty.setVisible(not is_open)
        if not is_open:
            self.empty.setGeometry(self.page.rect())
            self.empty.raise_()


PLACEHOLDER_PROPERTY = "placeholderText"


def set_placeholder(view: QAbstractItemView, text: str) -> None:
    """The sentence ``view`` shows in its middle while it has no rows (views of this program
    that call ``paint_placeholder`` at the end of their paintEvent: FittedTableView,
    PlaceholderListWidget)."""
    view.setProperty(PLACEHOLDER_PROPERTY, text)
    view.viewport().update()


def placeholder_of(view: QAbstractItemView) -> str:
    text = view.property(PLACEHOLDER_PROPERTY)
    return text if isinstance(text, str) else ""


def paint_placeholder(view: QAbstractItemView) -> None:
    text = placeholder_of(view)
    model = view.model()
    if not text or model is None or model.rowCount() > 0:
        return
    viewport = view.viewport()
    painter = QPainter(viewport)
    painter.setPen(viewport.palette().placeholderText().color())
    area = QRect(viewport.rect()).adjusted(PLACEHOLDER_MARGIN, PLACEHOLDER_MARGIN,
                                           -PLACEHOLDER_MARGIN, -PLACEHOLDER_MARGIN)
    painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
    painter.end()


class PlaceholderListWidget(QListWidget):
    """A list that shows its placeholder while empty."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        paint_placeholder(self)

"""Helpers that keep every page usable on a laptop screen (1280x650 logical pixels)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStyle, QWidget


def scrollable(content: QWidget, horizontal: bool = False) -> QScrollArea:
    """``content`` inside a frameless scroll area: on a small screen the page scrolls instead
    of pushing controls off the window. Vertical only unless ``horizontal``; the content is
    then as wide as the area and wraps its text."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(content)
    if not horizontal:
        # Never narrower than what the content needs: it scrolls down, it is not cut off
        # at the side.
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scrollbar = area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        area.setMinimumWidth(content.minimumSizeHint().width() + scrollbar + 2)
    return area

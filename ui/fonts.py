"""Larger or bolder text for the widgets that must read at arm's length."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def emphasize(widget: W, point_size: int | None = None, bold: bool = False,
              grow: int = 0) -> W:
    """Give ``widget`` the application font at ``point_size`` (or its own size + ``grow``),
    bold if asked; returns the widget, so it can wrap a constructor."""
    font = widget.font()
    font.setPointSize(point_size if point_size is not None else font.pointSize() + grow)
    font.setBold(bold)
    widget.setFont(font)
    return widget

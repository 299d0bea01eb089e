"""Showing, printing and opening PDFs: the evaluation's preview and its paper copy."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget


def load_pdf(data: bytes, parent: QWidget | None = None) -> QPdfDocument:
    """A QPdfDocument over PDF bytes; the buffer is kept alive with the document."""
    document = QPdfDocument(parent)
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    document._buffer = buffer  # type: ignore[attr-defined]
    return document


def print_pdf(data: bytes, printer: QPrinter) -> int:
    """Print every page of the PDF on ``printer`` at its resolution; returns the page count.

    Pages are rendered to images at the printer's resolution (QtPdf has no vector path to a
    printer): at 300 dpi and above the text is as sharp as the paper allows.
    """
    document = load_pdf(data)
    pages = document.pageCount()
    if pages <= 0:
        return 0
    # The report lays out its own margins: the paper takes the page whole, at its own size,
    # not shrunk into the printer's printable area.
    printer.setFullPage(True)
    first = document.pagePointSize(0)
    printer.setPageSize(QPageSize(QSizeF(first.width(), first.height()), QPageSize.Unit.Point))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        dpi = printer.resolution()
        for index in range(pages):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
            image = document.render(index, size)
            target = painter.viewport()
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(target.topLeft(), scaled), image)
    finally:
        painter.end()
    return pages


def open_in_viewer(path: Path) -> bool:
    """Hand the file to the system's PDF viewer."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

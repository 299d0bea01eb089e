"""A pad the supervisor signs on by hand: mouse, pen (tablet) or finger (touch screen).

Strokes are kept as point lists and drawn smoothly into a transparent image; what is saved
is a PNG of the ink alone, which the evaluation PDF places above the printed name.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#0b2a6b")  # the blue-black of a signing pen
PAD_SIZE = QSize(520, 180)


class SignaturePad(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(PAD_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[list[QPointF]] = []
        self._drawing = False
        self.read_only = False

    # ----------------------------------------------------------------- input
    def _begin(self, point: QPointF) -> None:
        if self.read_only:
            return
        self._drawing = True
        self.strokes.append([point])
        self.update()

    def _extend(self, point: QPointF) -> None:
        if self._drawing and self.strokes:
            self.strokes[-1].append(point)
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._extend(event.position())

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802
        self._end()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self._extend(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesized mouse events: the stroke would be drawn twice

    def event(self, event: object) -> bool:
        if isinstance(event, QTouchEvent) and event.points():
            point = event.points()[0].position()
            kind = event.type()
            if kind == QTouchEvent.Type.TouchBegin:
                self._begin(point)
            elif kind == QTouchEvent.Type.TouchUpdate:
                self._extend(point)
            else:
                self._end()
            event.accept()
            return True
        return super().event(event)  # type: ignore[arg-type]

    # ---------------------------------------------------------------- output
    @property
    def is_empty(self) -> bool:
        return not any(len(stroke) > 1 for stroke in self.strokes)

    def clear(self) -> None:
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def _paint_strokes(self, painter: QPainter, width: float) -> None:
        pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for stroke in self.strokes:
            if len(stroke) == 1:
                painter.drawPoint(stroke[0])
                continue
            path = QPainterPath(stroke[0])
            # Midpoint quadratic curves: a smooth line through jittery mouse samples.
            for previous, current in zip(stroke, stroke[1:], strict=False):
                middle = (previous + current) / 2
                path.quadTo(previous, middle)
            path.lineTo(stroke[-1])
            painter.drawPath(path)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#c0c4ca"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 36
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        painter.setPen(QColor("#9aa0a6"))
        painter.drawText(24, baseline + 22, self.tr("Sign above the line"))
        self._paint_strokes(painter, 2.6)

    def to_png(self, scale: float = 2.0) -> bytes:
        """The ink on a transparent background, at ``scale`` times the pad's size (print
        resolution), cropped to the strokes with a small margin."""
        if self.is_empty:
            return b""
        size = self.size() * scale
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self._paint_strokes(painter, 2.6)
        painter.end()
        xs = [p.x() for stroke in self.strokes for p in stroke]
        ys = [p.y() for stroke in self.strokes for p in stroke]
        margin = 10
        left = max(0, int((min(xs) - margin) * scale))
        top = max(0, int((min(ys) - margin) * scale))
        right = min(image.width(), int((max(xs) + margin) * scale))
        bottom = min(image.height(), int((max(ys) + margin) * scale))
        cropped = image.copy(left, top, max(1, right - left), max(1, bottom - top))
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        cropped.save(buffer, "PNG")
        return bytes(data.data())

"""The large card that answers a scan at a glance: colour, symbol, words, who it is."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.errors import UserError
from app.inspection.domain import Verdict, background_text, badge_verdict_text, verdict_text
from app.inspection.values import ScanResult
from app.profile.files import ProfileFiles
from ui.fonts import emphasize

GOOD = "#1b7f3b"
WARN = "#b86e00"
BAD = "#b3261e"
NEUTRAL = "#5f6368"
INFO = "#1a5fb4"
VERDICT_STYLE: dict[Verdict, tuple[str, str]] = {
    Verdict.ASSIGNED_HERE: (GOOD, "check"),
    Verdict.ASSIGNED_ELSEWHERE: (WARN, "arrow"),
    Verdict.NOT_ON_ROSTER: (BAD, "cross"),
    Verdict.OTHER_COMPANY: (BAD, "cross"),
    Verdict.BACKGROUND_FAILED: (BAD, "cross"),
    Verdict.NOT_TRAINED: (WARN, "bang"),
    Verdict.BADGE_INVALID: (BAD, "cross"),
    Verdict.UNREADABLE: (NEUTRAL, "question"),
    Verdict.POST_SCANNED: (INFO, "arrow"),
    Verdict.BACKGROUND_PENDING: (WARN, "bang"),
}


class VerdictIcon(QWidget):
    """A filled circle with a symbol: the verdict is readable without colour vision too."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(72, 72)
        self._colour = QColor(NEUTRAL)
        self._symbol = ""

    def set_symbol(self, colour: str, symbol: str) -> None:
        self._colour = QColor(colour)
        self._symbol = symbol
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        if not self._symbol:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        painter.drawEllipse(QRectF(2, 2, 68, 68))
        pen = QPen(self._colour, 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        path = QPainterPath()
        if self._symbol == "check":
            path.moveTo(QPointF(20, 37))
            path.lineTo(QPointF(31, 48))
            path.lineTo(QPointF(52, 24))
        elif self._symbol == "cross":
            path.moveTo(QPointF(23, 23))
            path.lineTo(QPointF(49, 49))
            path.moveTo(QPointF(49, 23))
            path.lineTo(QPointF(23, 49))
        elif self._symbol == "arrow":
            path.moveTo(QPointF(18, 36))
            path.lineTo(QPointF(52, 36))
            path.moveTo(QPointF(40, 24))
            path.lineTo(QPointF(52, 36))
            path.lineTo(QPointF(40, 48))
        elif self._symbol == "bang":
            path.moveTo(QPointF(36, 18))
            path.lineTo(QPointF(36, 40))
            path.moveTo(QPointF(36, 52))
            path.lineTo(QPointF(36, 53))
        else:
            path.moveTo(QPointF(26, 27))
            path.cubicTo(QPointF(26, 14), QPointF(48, 14), QPointF(46, 28))
            path.cubicTo(QPointF(44, 36), QPointF(36, 36), QPointF(36, 43))
            path.moveTo(QPointF(36, 53))
            path.lineTo(QPointF(36, 54))
        painter.drawPath(path)


def placeholder_photo(size: QSize) -> QPixmap:
    pixmap = QPixmap(size)
    pixmap.fill(QColor("#e8eaed"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#b0b4ba"))
    w, h = size.width(), size.height()
    painter.drawEllipse(QRectF(w * 0.3, h * 0.16, w * 0.4, w * 0.4))
    painter.drawRoundedRect(QRectF(w * 0.15, h * 0.55, w * 0.7, h * 0.5), w * 0.2, w * 0.2)
    painter.end()
    return pixmap


class ResultCard(QFrame):
    PHOTO_SIZE = QSize(96, 120)

    def __init__(self, files: ProfileFiles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files = files  # the profile's (photos decrypted when it is encrypted)
        self.setObjectName("resultCard")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumHeight(self.PHOTO_SIZE.height() + 8)
        self._placeholder = placeholder_photo(self.PHOTO_SIZE)

        self.icon = VerdictIcon()
        self.verdict_label = emphasize(QLabel(), 22, bold=True)
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        self.detail_label = emphasize(QLabel(), 13)
        self.detail_label.setWordWrap(True)

        self.photo = QLabel()
        self.photo.setFixedSize(self.PHOTO_SIZE)
        self.photo.setPixmap(self._placeholder)
        self.name_label = emphasize(QLabel(), 20, bold=True)
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setWordWrap(True)

        banner = QFrame()
        banner.setObjectName("banner")
        banner.setAutoFillBackground(True)
        banner_layout = QHBoxLayout(banner)
        banner_layout.addWidget(self.icon)
        text_column = QVBoxLayout()
        text_column.addWidget(self.verdict_label)
        text_column.addWidget(self.detail_label)
        self.badge_label = emphasize(QLabel(), 13, bold=True)
        self.badge_label.setObjectName("badge")
        text_column.addWidget(self.badge_label)
        # What else applies besides the headline: one line each, so none hides another.
        self.concerns_label = emphasize(QLabel(), 13, bold=True)
        self.concerns_label.setObjectName("concerns")
        self.concerns_label.setWordWrap(True)
        self.concerns_label.setTextFormat(Qt.TextFormat.PlainText)
        text_column.addWidget(self.concerns_label)
        banner_layout.addLayout(text_column, 1)
        self.banner = banner

        person = QGridLayout()
        person.addWidget(self.photo, 0, 0, 2, 1)
        person.addWidget(self.name_label, 0, 1)
        person.addWidget(self.facts, 1, 1)
        person.setColumnStretch(1, 1)

        # Verdict and person side by side: on a laptop screen the card stays low enough for
        # the whole checklist to show beneath it.
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(banner, 1)
        layout.addLayout(person, 1)
        self.clear()

    def clear(self) -> None:
        self._set_colour(NEUTRAL)
        self.icon.set_symbol(NEUTRAL, "")
        self.verdict_label.setText(self.tr("Scan a badge or type a certificate number"))
        self.detail_label.setText(self.tr("The scan field is always ready: no need to click it."))
        self.badge_label.setText("")
        self.concerns_label.setText("")
        self.concerns_label.hide()
        self.name_label.setText("")
        self.facts.setText("")
        self.photo.setPixmap(self._placeholder)

    def concern_text(self, scan: ScanResult, concern: Verdict) -> str:
        guard = scan.guard
        if concern == Verdict.ASSIGNED_ELSEWHERE and guard is not None:
            return self.tr("Wrong post: fixed to {post}, found at {here}").format(
                post=guard.post_name or self.tr("none"),
                here=scan.post.name if scan.post else "?")
        if concern == Verdict.OTHER_COMPANY and guard is not None:
            return self.tr("Works for {company}: record the subcontracting").format(
                company=guard.company_name)
        return verdict_text(concern)

    def _set_colour(self, colour: str) -> None:
        # A palette change, not a style sheet: it repaints without re-polishing the widgets,
        # which keeps the scan-to-card time small.
        palette = self.banner.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(colour))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("white"))
        self.banner.setPalette(palette)

    def show_result(self, scan: ScanResult) -> None:
        colour, symbol = VERDICT_STYLE[scan.verdict]
        self._set_colour(colour)
        self.icon.set_symbol(colour, symbol)
        self.verdict_label.setText(verdict_text(scan.verdict))
        guard = scan.guard
        badge = scan.badge
        payload = badge.payload if badge else None
        number = badge.cert_no if badge and badge.cert_no else scan.scanned_text[:40]
        detail = ""
        if scan.verdict == Verdict.ASSIGNED_ELSEWHERE and guard:
            detail = self.tr("Fixed post: {post}").format(
                post=guard.post_name or self.tr("none"))
        elif scan.verdict == Verdict.ASSIGNED_HERE and scan.post:
            detail = scan.post.name
        elif scan.verdict == Verdict.NOT_ON_ROSTER:
            detail = self.tr("Certificate {number} is not on this event's roster").format(
                number=number)
        elif scan.verdict == Verdict.OTHER_COMPANY and guard:
            company = payload.company if payload and badge and badge.trusted else (
                guard.company_name)
            detail = self.tr("Works for {company}: record the subcontracting").format(
                company=company)
        elif scan.verdict == Verdict.BADGE_INVALID:
            detail = self.tr("Do not accept this badge: check the person's identity")
        elif scan.verdict == Verdict.UNREADABLE:
            detail = self.tr("No certificate number in what was scanned; scan again")
        elif scan.verdict == Verdict.POST_SCANNED and scan.post:
            detail = self.tr("Now inspecting at {post}").format(post=scan.post.name)
        if scan.previous_checks:
            detail += ("  ·  " if detail else "") + self.tr(
                "checked {count} time(s) before").format(count=scan.previous_checks)
        self.detail_label.setText(detail)
        concerns = [self.concern_text(scan, concern) for concern in scan.concerns]
        self.concerns_label.setText("\n".join("▲ " + text for text in concerns))
        self.concerns_label.setVisible(bool(concerns))
        if badge is None:
            self.badge_label.setText("")
        else:
            mark = {"VALID": "✓ ", "UNSIGNED_LEGACY": "? "}.get(badge.verdict, "✗ ")
            self.badge_label.setText(mark + badge_verdict_text(badge.verdict))
        if guard is None:
            if payload is not None:
                self.name_label.setText(payload.name)
                self.facts.setText("\n".join([
                    self.tr("Company: {company}").format(company=payload.company),
                    self.tr("Certificate: {number}").format(number=payload.cert_no),
                    self.tr("Valid until: {date}").format(date=payload.expires_on.isoformat()),
                ]))
            else:
                self.name_label.setText(self.tr("Unknown person") if scan.verdict !=
                                        Verdict.POST_SCANNED else "")
                self.facts.setText(self.tr("Scanned: {text}").format(text=number) if
                                   scan.verdict != Verdict.POST_SCANNED else "")
            self.photo.setPixmap(self._placeholder)
            return
        self.name_label.setText(guard.name)
        lines = [
            self.tr("Company: {company}").format(company=guard.company_name),
            self.tr("Certificate: {number}").format(number=guard.cert_no),
            self.tr("ID number: {masked}").format(masked=guard.id_masked),
            self.tr("Fixed post: {post}").format(post=guard.post_name or self.tr("none")),
            self.tr("Background check: {state}   Pre-job training: {trained}").format(
                state=background_text(guard.background_check),
                trained=self.tr("yes") if guard.trained else self.tr("no")),
        ]
        if guard.claim_differs:  # HQ's vetting above; the company's roster said otherwise
            claimed_state = guard.claimed_background_check or guard.background_check
            claimed_trained = (guard.trained if guard.claimed_trained is None
                               else guard.claimed_trained)
            lines.append(self.tr("Company claims: background check {state}, pre-job "
                                 "training {trained}").format(
                state=background_text(claimed_state) if claimed_state in (
                    "passed", "failed", "pending") else claimed_state,
                trained=self.tr("yes") if claimed_trained else self.tr("no")))
        self.facts.setText("\n".join(lines))
        photo = self._photo(guard.photo_path)
        self.photo.setPixmap(photo)

    def _photo(self, relative: str | None) -> QPixmap:
        if relative:
            pixmap = QPixmap()
            try:
                pixmap.loadFromData(self.files.read(relative))
            except (OSError, ValueError, UserError):  # gone, or not the profile's: no photo
                pixmap = QPixmap()
            if not pixmap.isNull():
                return pixmap.scaled(self.PHOTO_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
        return self._placeholder

"""The building blocks of the evaluation PDF: page geometry, colours, styles, flowables, tables.

The form itself is put together by app.evaluation.pdf from its sections (app.evaluation
.pdf_results, app.evaluation.pdf_records); what they share is here: the A4 frame, the text
styles in the bundled CJK font, the title block and section headings, images fitted into
boxes (evidence thumbnails, the drawn signature), the document's QR code, and table cells
that stay plain strings unless they must wrap (a Paragraph costs ten times more to lay out).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from app.badge.qr import make_qr, qr_matrix
from app.badge.qr_pdf import draw_qr
from app.evaluation.values import EvaluationReport
from app.orm import as_utc

TITLE = "大型活动安保服务综合考评表"
PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
RED = colors.Color(0.72, 0.07, 0.07)
NAVY = colors.Color(0.12, 0.23, 0.41)
GRID = colors.Color(0.25, 0.25, 0.25)
HEAD_FILL = colors.Color(0.90, 0.91, 0.93)
LABEL_FILL = colors.Color(0.95, 0.95, 0.96)
GREY_TEXT = colors.Color(0.35, 0.35, 0.38)
THUMB_W, THUMB_H = 20 * mm, 15 * mm
THUMB_PIXELS = 240
SIGNATURE_W, SIGNATURE_H = 48 * mm, 18 * mm
QR_SIZE = 27 * mm


def format_percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def local_time(moment: datetime | None) -> datetime | None:
    """The laptop's local time: what the supervisor's watch said."""
    if moment is None:
        return None
    moment = as_utc(moment)
    return moment.astimezone()


def date_text(moment: datetime | None) -> str:
    local = local_time(moment)
    return f"{local.year}年{local.month}月{local.day}日" if local else ""


def time_text(moment: datetime | None) -> str:
    local = local_time(moment)
    return local.strftime("%m-%d %H:%M") if local else ""


def event_period(report: EvaluationReport) -> str:
    start, end = local_time(report.event.starts_at), local_time(report.event.ends_at)
    if start is None:
        return ""
    text = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"
    if end is not None:
        same_day = end.date() == start.date()
        text += (f"—{end:%H:%M}" if same_day
                 else f" 至 {end.year}年{end.month}月{end.day}日 {end:%H:%M}")
    return text


# ------------------------------------------------------------------------------ styles
class Styles:
    def __init__(self, font: str) -> None:
        def style(name: str, size: float, leading: float, **extra: object) -> ParagraphStyle:
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading,
                                  wordWrap="CJK", **extra)

        self.font = font
        self.body = style("body", 9.5, 14.5)
        self.form_body = style("form_body", 9, 13)  # page 1: the whole form on one page
        self.note = style("note", 7.8, 11, textColor=GREY_TEXT)
        self.cell = style("cell", 8, 10.2)
        self.cell_small = style("cell_small", 7.2, 9)
        self.cell_center = style("cell_center", 8, 10.2, alignment=TA_CENTER)
        self.head = style("head", 8, 10.2, alignment=TA_CENTER)
        self.label = style("label", 9, 12, alignment=TA_CENTER)
        self.value = style("value", 9.5, 12.5, alignment=TA_LEFT)
        self.big = style("big", 22, 26, alignment=TA_CENTER)
        self.big_caption = style("big_caption", 8, 10, alignment=TA_CENTER,
                                 textColor=GREY_TEXT)


def para(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


# --------------------------------------------------------------------------- flowables
def faux_bold(canvas: Canvas, x: float, y: float, text: str, font: str, size: float,
              centred: bool = False, colour: colors.Color = colors.black) -> None:
    """The bundled font has one weight; a stroked outline makes headings read as bold."""
    width = stringWidth(text, font, size)
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(size * 0.035)
    text_object = canvas.beginText()
    text_object.setTextRenderMode(2)  # fill and stroke
    text_object.setFont(font, size)
    text_object.setTextOrigin(x - width / 2 if centred else x, y)
    text_object.textLine(text)
    canvas.drawText(text_object)
    canvas.restoreState()


class Heading(Flowable):
    """A section heading: 一、基本情况, with a short navy bar before it."""

    def __init__(self, text: str, font: str, note: str = "") -> None:
        super().__init__()
        self.text = text
        self.note = note
        self.font = font

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = avail_w
        return avail_w, 9 * mm

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(NAVY)
        c.rect(0, 2.2 * mm, 1.2 * mm, 4.4 * mm, stroke=0, fill=1)
        faux_bold(c, 3 * mm, 3 * mm, self.text, self.font, 11.5)
        if self.note:
            c.setFont(self.font, 8)
            c.setFillColor(GREY_TEXT)
            c.drawRightString(self.width, 3 * mm, self.note)


class Rule(Flowable):
    """The line a signature sits on."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.rule_w = width

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.rule_w, 2 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1.6 * mm, self.rule_w, 1.6 * mm)


class QRCode(Flowable):
    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.matrix = qr_matrix(make_qr(text, max_version=40))
        self.size = size

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.matrix, 0, 0, self.size)


class ImageBox(Flowable):
    """An image fitted into a box (aspect kept, centred), or a dashed empty box."""

    def __init__(self, image: ImageReader | None, width: float, height: float,
                 placeholder: str = "", font: str = "") -> None:
        super().__init__()
        self.image = image
        self.box_w, self.box_h = width, height
        self.placeholder = placeholder
        self.font = font

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        return self.box_w, self.box_h

    def draw(self) -> None:
        c = self.canv
        if self.image is None:
            if self.placeholder:
                c.setStrokeColor(colors.Color(0.7, 0.7, 0.7))
                c.setDash(2, 2)
                c.setLineWidth(0.4)
                c.rect(0, 0, self.box_w, self.box_h, stroke=1, fill=0)
                c.setDash()
                c.setFont(self.font, 8)
                c.setFillColor(GREY_TEXT)
                c.drawCentredString(self.box_w / 2, self.box_h / 2 - 3, self.placeholder)
            return
        iw, ih = self.image.getSize()
        scale = min(self.box_w / iw, self.box_h / ih)
        w, h = iw * scale, ih * scale
        c.drawImage(self.image, (self.box_w - w) / 2, (self.box_h - h) / 2, w, h,
                    mask="auto")


def thumbnail(path: Path | None,
              read: Callable[[], bytes] | None = None) -> ImageReader | None:
    """A small JPEG of the evidence photo: a 4,000-pixel phone photo would make the PDF huge
    and slow for nothing at 20 mm. ``read`` gives the photo's bytes (decrypted from an
    encrypted profile); without it the file is read as it is."""
    if path is None:
        return None
    try:
        with PILImage.open(io.BytesIO(read()) if read is not None else path) as opened:
            # A JPEG decodes straight at 1/2 .. 1/8 scale: a phone photo in a tenth of the time.
            opened.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))
            image = ImageOps.exif_transpose(opened).convert("RGB")
            image.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=72)
    except Exception:  # a damaged photo must not stop the report: the cell says so
        return None
    buffer.seek(0)
    return ImageReader(buffer)


def signature_image(png: bytes | None) -> ImageReader | None:
    if not png:
        return None
    try:
        with PILImage.open(io.BytesIO(png)) as image:
            image.load()
            rgba = image.convert("RGBA")
            box = rgba.getbbox()  # the pad's empty margins are not part of the signature
            if box:
                rgba = rgba.crop(box)
            buffer = io.BytesIO()
            rgba.save(buffer, "PNG")
    except Exception:
        return None
    buffer.seek(0)
    return ImageReader(buffer)


# ----------------------------------------------------------------------------- tables
def grid_style(font: str, header_rows: int = 1, extra: Sequence[tuple] = (),
               size: float = 8) -> TableStyle:
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.45, GRID),
        ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL))
        commands.append(("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"))
    commands.extend(extra)
    return TableStyle(commands)


def layout_style(font: str, commands: list[tuple]) -> TableStyle:
    """A layout table's style: its font set too, or reportlab names Helvetica on the page."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands])


def fit_cell(text: str, width: float, style: ParagraphStyle) -> object:
    """A plain string when it fits the column (cheap), a wrapping Paragraph when not."""
    if stringWidth(text, style.fontName, style.fontSize) <= width - 6:
        return text
    return para(text, style)


def lines_cell(lines: Sequence[str], width: float, style: ParagraphStyle) -> object:
    """Short lines as a plain multi-line cell; a Paragraph only if one of them must wrap."""
    if all(stringWidth(line, style.fontName, style.fontSize) <= width - 6 for line in lines):
        return "\n".join(lines)
    return para("\n".join(lines), style)


def grid_table(rows: list[list[object]], widths: list[float], font: str,
               extra: Sequence[tuple] = (), header_rows: int = 1, size: float = 8) -> Table:
    return Table(rows, colWidths=widths, repeatRows=header_rows,
                 style=grid_style(font, header_rows, extra, size))


def column_widths(*millimetres: float) -> list[float]:
    """Column widths scaled to fill the text width exactly."""
    total = sum(millimetres)
    return [CONTENT_W * value / total for value in millimetres]




class AttachmentTitle(Flowable):
    """An attachment's first lines (GB/T 9704-2012): 附件N at the top left, its title
    centred under it."""

    def __init__(self, number: int, title: str, font: str) -> None:
        super().__init__()
        self.number = number
        self.title = title
        self.font = font

    def wrap(self, avail_w: float, avail_h: float) -> tuple[float, float]:
        self.width = avail_w
        return avail_w, 17 * mm

    def draw(self) -> None:
        c = self.canv
        faux_bold(c, 0, 12 * mm, f"附件{self.number}", self.font, 12)
        faux_bold(c, self.width / 2, 3 * mm, self.title, self.font, 15, centred=True)

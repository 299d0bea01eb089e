"""The sheets badge issuing prints: ``badges.pdf`` (ID-1 cards) and ``posts.pdf`` (post labels).

``badges.pdf`` holds A4 sheets of ten ID-1 cards (85.6 x 54 mm) to print, cut and put in a
lanyard holder; ``posts.pdf`` one quarter-A4 label per post with the post's QR code. The QR
codes are vector rectangles (app.badge.qr_pdf); the Chinese text uses the bundled font,
embedded (app.pdf_fonts). What goes on the cards is decided by app.badge.issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageOps
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.badge.payload import BadgePayload, post_payload
from app.badge.qr import make_qr, qr_matrix
from app.badge.qr_pdf import draw_qr
from app.pdf_fonts import register_cjk_font

# ID-1 (ISO/IEC 7810), the size of a bank card: fits every standard lanyard holder.
CARD_W, CARD_H = 85.6 * mm, 54 * mm
CARD_COLUMNS, CARD_ROWS = 2, 5
QR_BOX = 30 * mm  # quiet zone included: the symbol itself is >= 26 mm for version <= 10
HEADER_H = 8.5 * mm
NAVY = (0.12, 0.23, 0.41)
GREY_TEXT = (0.35, 0.35, 0.38)
CUT_GREY = 0.72


@dataclass(frozen=True)
class BadgeCard:
    """One card to print: the signed payload, its QR modules and the photo, if any."""

    payload: BadgePayload
    matrix: list[list[bool]]
    photo: Path | None


@dataclass(frozen=True)
class PostLabel:
    name: str
    zone: str
    task_type: str
    guards: int


# --- PDF helpers --------------------------------------------------------------------------------


def _fit_size(text: str, font: str, size: float, width: float, minimum: float) -> float:
    while size > minimum and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text anywhere (it has no spaces), latin text only at spaces."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    if current:
        lines.append(current)
    return lines


def _balanced_lines(text: str, font: str, size: float, width: float,
                    max_lines: int) -> list[str]:
    """The fewest lines of about equal length that fit ``width`` (Chinese breaks anywhere):
    盘锦市安盾保安 / 服务有限公司 rather than a whole line and one orphaned character."""
    for count in range(1, max_lines + 1):
        per_line = -(-len(text) // count)
        lines = [text[i:i + per_line] for i in range(0, len(text), per_line)]
        if all(stringWidth(line, font, size) <= width for line in lines):
            return lines
    return _wrap(text, font, size, width)[:max_lines]


def _draw_silhouette(canvas: Canvas, x: float, y: float, w: float, h: float) -> None:
    canvas.saveState()
    frame = canvas.beginPath()
    frame.rect(x, y, w, h)
    canvas.clipPath(frame, stroke=0, fill=0)
    canvas.setFillColorRGB(0.90, 0.91, 0.93)
    canvas.rect(x, y, w, h, stroke=0, fill=1)
    canvas.setFillColorRGB(0.70, 0.73, 0.78)
    canvas.circle(x + w / 2, y + h * 0.62, w * 0.22, stroke=0, fill=1)
    canvas.ellipse(x + w * 0.08, y - h * 0.30, x + w * 0.92, y + h * 0.38, stroke=0, fill=1)
    canvas.restoreState()


def _draw_photo(canvas: Canvas, photo: Path, x: float, y: float, w: float, h: float) -> None:
    """The photo cropped to the frame's proportions (centre), never stretched."""
    with Image.open(photo) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
        fitted = ImageOps.fit(image, (int(w / mm * 12), int(h / mm * 12)))  # ~300 dpi
    canvas.drawImage(ImageReader(fitted), x, y, w, h)


# --- badges.pdf ---------------------------------------------------------------------------------


def write_badges_pdf(path: Path, cards: list[BadgeCard], issuer_name: str, kid: str,
                     issued_on: date) -> None:
    """The cards, ten to an A4 sheet, with cutting lines and crop marks."""
    font = register_cjk_font()
    page_w, page_h = A4
    left = (page_w - CARD_COLUMNS * CARD_W) / 2
    bottom = (page_h - CARD_ROWS * CARD_H) / 2
    per_page = CARD_COLUMNS * CARD_ROWS
    pages = (len(cards) + per_page - 1) // per_page
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle("保安员证 Guard badges")
    canvas.setAuthor(issuer_name)
    canvas.setSubject(f"issuer key {kid}, {len(cards)} badges")
    companies = sorted({card.payload.company for card in cards})
    for page in range(pages):
        chunk = cards[page * per_page:(page + 1) * per_page]
        for index, card in enumerate(chunk):
            column, row = index % CARD_COLUMNS, index // CARD_COLUMNS
            x = left + column * CARD_W
            y = bottom + (CARD_ROWS - 1 - row) * CARD_H
            _draw_card(canvas, card, x, y, font, issuer_name)
        _draw_cut_marks(canvas, left, bottom, font)
        canvas.setFont(font, 7)
        canvas.setFillColorRGB(*GREY_TEXT)
        company = companies[0] if len(companies) == 1 else f"{len(companies)} 家公司"
        canvas.drawString(left + 3 * mm, bottom - 7.5 * mm,
                          f"{company} · 签发 {issued_on} · 密钥 {kid}")
        canvas.drawRightString(left + CARD_COLUMNS * CARD_W - 3 * mm, bottom - 7.5 * mm,
                               f"沿灰线裁切 · 第 {page + 1} / {pages} 页")
        canvas.showPage()
    canvas.save()


def _draw_cut_marks(canvas: Canvas, left: float, bottom: float, font: str) -> None:
    """Thin grey card outlines (the cutting lines) and crop marks in the margins."""
    width, height = CARD_COLUMNS * CARD_W, CARD_ROWS * CARD_H
    canvas.setStrokeGray(CUT_GREY)
    canvas.setLineWidth(0.25)
    for column in range(CARD_COLUMNS + 1):
        x = left + column * CARD_W
        canvas.line(x, bottom, x, bottom + height)
        canvas.line(x, bottom + height + 1.5 * mm, x, bottom + height + 5 * mm)
        canvas.line(x, bottom - 1.5 * mm, x, bottom - 4 * mm)
    for row in range(CARD_ROWS + 1):
        y = bottom + row * CARD_H
        canvas.line(left, y, left + width, y)
        canvas.line(left - 1.5 * mm, y, left - 5 * mm, y)
        canvas.line(left + width + 1.5 * mm, y, left + width + 5 * mm, y)


def _draw_card(canvas: Canvas, card: BadgeCard, x: float, y: float, font: str,
               issuer_name: str) -> None:
    """One ID-1 card: header band, photo, name and company, number and validity, the QR code
    (>= 26 mm without its quiet zone) and a footer rule with the card's conditions of use."""
    payload = card.payload
    inset = 3.5 * mm
    header_y = y + CARD_H - HEADER_H
    canvas.setFillColorRGB(*NAVY)
    canvas.rect(x, header_y, CARD_W, HEADER_H, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(font, 11.5)
    canvas.drawString(x + inset, header_y + 2.6 * mm, "保安员证")
    canvas.setFont(font, 4.6)
    canvas.drawString(x + inset + stringWidth("保安员证", font, 11.5) + 1.8 * mm,
                      header_y + 3.1 * mm, "SECURITY GUARD")
    canvas.setFont(font, 6.5)
    canvas.drawRightString(x + CARD_W - inset, header_y + 3.0 * mm, issuer_name)

    # QR code at the right, just below the header, with its caption under it.
    qr_x = x + CARD_W - QR_BOX - 1.5 * mm
    qr_y = header_y - 0.8 * mm - QR_BOX
    draw_qr(canvas, card.matrix, qr_x, qr_y, QR_BOX)
    canvas.setFillColorRGB(*GREY_TEXT)
    canvas.setFont(font, 5.2)
    canvas.drawCentredString(qr_x + QR_BOX / 2, qr_y - 0.6 * mm,
                             f"扫码离线核验 · 密钥 {payload.kid}")

    # Photo, or a placeholder silhouette, at the left.
    photo_w, photo_h = 18 * mm, 24 * mm
    photo_x, photo_y = x + inset, header_y - 3 * mm - photo_h
    if card.photo is not None:
        _draw_photo(canvas, card.photo, photo_x, photo_y, photo_w, photo_h)
    else:
        _draw_silhouette(canvas, photo_x, photo_y, photo_w, photo_h)
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.3)
    canvas.rect(photo_x, photo_y, photo_w, photo_h, stroke=1, fill=0)

    # Name, company and licence beside the photo.
    text_x = photo_x + photo_w + 2.5 * mm
    text_w = qr_x - text_x - 0.8 * mm
    top = header_y - 3 * mm
    canvas.setFillColorRGB(0, 0, 0)
    size = _fit_size(payload.name, font, 15, text_w, 8)
    canvas.setFont(font, size)
    line_y = top - 15 * 0.85
    canvas.drawString(text_x, line_y, payload.name)
    line_y -= 5.0 * mm
    canvas.setFillColorRGB(*GREY_TEXT)
    canvas.setFont(font, 5.2)
    canvas.drawString(text_x, line_y, "所属公司")
    canvas.setFillColorRGB(0, 0, 0)
    company_size = _fit_size(payload.company, font, 7.5, text_w, 7)
    line_y -= 1.2 * mm
    for line in _balanced_lines(payload.company, font, company_size, text_w, max_lines=3):
        line_y -= company_size * 1.18
        canvas.setFont(font, company_size)
        canvas.drawString(text_x, line_y, line)
    if payload.licence_no:
        # One line, label and number: room for a three-line company name above it.
        line_y -= 3.8 * mm
        canvas.setFillColorRGB(*GREY_TEXT)
        canvas.setFont(font, 5.2)
        canvas.drawString(text_x, line_y, "许可证号")
        label_w = stringWidth("许可证号", font, 5.2) + 1 * mm
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont(font, _fit_size(payload.licence_no, font, 6.5, text_w - label_w, 4.5))
        canvas.drawString(text_x + label_w, line_y, payload.licence_no)

    # Certificate number and validity under the photo.
    value_x = photo_x + 7.5 * mm
    number_y, valid_y = y + 13.8 * mm, y + 9.9 * mm
    canvas.setFillColorRGB(*GREY_TEXT)
    canvas.setFont(font, 5.2)
    canvas.drawString(photo_x, number_y, "证  号")
    canvas.drawString(photo_x, valid_y, "有效期")
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, _fit_size(payload.cert_no, font, 10, qr_x - value_x - 1 * mm, 6))
    canvas.drawString(value_x, number_y, payload.cert_no)
    canvas.setFont(font, 7)
    canvas.drawString(value_x, valid_y,
                      f"{payload.issued_on.isoformat()} 至 {payload.expires_on.isoformat()}")

    # Footer: a rule and the conditions of use.
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(0.6)
    canvas.line(x + inset, y + 6.4 * mm, x + CARD_W - inset, y + 6.4 * mm)
    canvas.setFillColorRGB(*GREY_TEXT)
    canvas.setFont(font, 5)
    canvas.drawString(x + inset, y + 3.2 * mm, "持证上岗 · 本证限本人使用，严禁转借")
    canvas.drawRightString(x + CARD_W - inset, y + 3.2 * mm, "遗失或离职请交回签发单位")


# --- posts.pdf ----------------------------------------------------------------------------------

LABEL_COLUMNS, LABEL_ROWS = 2, 2
LABEL_MARGIN = 10 * mm


def write_posts_pdf(path: Path, labels: list[PostLabel], company: str, issuer_name: str) -> None:
    """The post labels, four to an A4 sheet."""
    font = register_cjk_font()
    page_w, page_h = A4
    label_w = (page_w - 2 * LABEL_MARGIN) / LABEL_COLUMNS
    label_h = (page_h - 2 * LABEL_MARGIN) / LABEL_ROWS
    per_page = LABEL_COLUMNS * LABEL_ROWS
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle("岗位码 Post labels")
    canvas.setAuthor(issuer_name)
    for start in range(0, len(labels), per_page):
        for index, label in enumerate(labels[start:start + per_page]):
            column, row = index % LABEL_COLUMNS, index // LABEL_COLUMNS
            x = LABEL_MARGIN + column * label_w
            y = page_h - LABEL_MARGIN - (row + 1) * label_h
            _draw_post_label(canvas, label, x, y, label_w, label_h, font, company)
        canvas.showPage()
    canvas.save()


def _draw_post_label(canvas: Canvas, label: PostLabel, x: float, y: float, w: float, h: float,
                     font: str, company: str) -> None:
    """A quarter-A4 label for the post: its name large enough to read from a distance, zone,
    task type and headcount, and a QR code large enough for a camera at arm's length."""
    canvas.setStrokeGray(CUT_GREY)
    canvas.setLineWidth(0.25)
    canvas.setDash(3, 2)
    canvas.rect(x, y, w, h, stroke=1, fill=0)
    canvas.setDash()
    pad = 8 * mm
    band = 13 * mm
    band_y = y + h - pad - band
    canvas.setFillColorRGB(*NAVY)
    canvas.rect(x + pad, band_y, w - 2 * pad, band, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(font, 18)
    canvas.drawString(x + pad + 4 * mm, band_y + 4.3 * mm, "岗位码")
    canvas.setFont(font, 7)
    canvas.drawRightString(x + w - pad - 4 * mm, band_y + 5 * mm, "POST · 大型活动安保督导")

    centre = x + w / 2
    size = _fit_size(label.name, font, 30, w - 2 * pad, 12)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, size)
    name_y = band_y - 9 * mm - size * 0.7
    canvas.drawCentredString(centre, name_y, label.name)
    facts = "    ".join(part for part in (
        f"区域 {label.zone}" if label.zone else "",
        f"岗位类型 {label.task_type}" if label.task_type else "",
        f"定岗 {label.guards} 人") if part)
    canvas.setFillColorRGB(*GREY_TEXT)
    canvas.setFont(font, 11)
    canvas.drawCentredString(centre, name_y - 9 * mm, facts)

    code = make_qr(post_payload(label.name), max_version=40)
    qr_size = 55 * mm
    qr_y = y + pad + 14 * mm
    draw_qr(canvas, qr_matrix(code), centre - qr_size / 2, qr_y, qr_size)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, 9)
    canvas.drawCentredString(centre, qr_y - 1 * mm, "督导员：先扫本岗位码，再扫本岗位保安员证")
    if company:
        canvas.setFillColorRGB(*GREY_TEXT)
        canvas.setFont(font, 8)
        canvas.drawCentredString(centre, y + pad + 2 * mm, f"承接公司 {company}")

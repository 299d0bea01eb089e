"""Headquarters issues signed badges for a company's roster: PNGs, a card sheet and post labels.

For every valid roster row: the signed payload (app.badge), a PNG of its QR code with the name
and certificate number under it (for the electronic certificate, or a phone screen), and a card
on ``badges.pdf``: A4 sheets of ten ID-1 cards (85.6 x 54 mm) to print, cut and put in a lanyard
holder. ``posts.pdf`` has one label per post with the post's QR code, so that at the venue the
supervisor scans the post, then its guards. Rows with roster errors get no badge: a badge
vouches for what HQ checked, and a row with a broken ID or a duplicated certificate was not.

The QR code is drawn in the PDFs as vector rectangles, so it stays sharp at any printer
resolution; the Chinese text uses the bundled font, embedded (app.pdf_fonts).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, ImageFont, ImageOps
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.badge import (
    PHOTO_HASH_BYTES,
    BadgePayload,
    encode_payload,
    key_id,
    post_payload,
    raw_public_key,
)
from app.errors import UserError
from app.i18n import translate
from app.identity import cert_key
from app.paths import font_path
from app.pdf_fonts import register_cjk_font
from app.qr import QRCapacityError, make_qr, qr_image
from app.roster import RosterReport, RosterRow, check_roster
from app.spreadsheet_safety import neutralise_row

DEFAULT_ISSUER_NAME = "市局保安管理支队"
DEFAULT_VALID_DAYS = 365
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
BADGES_PDF = "badges.pdf"
POSTS_PDF = "posts.pdf"
MANIFEST_CSV = "manifest.csv"

# ID-1 (ISO/IEC 7810), the size of a bank card: fits every standard lanyard holder.
CARD_W, CARD_H = 85.6 * mm, 54 * mm
CARD_COLUMNS, CARD_ROWS = 2, 5
QR_BOX = 30 * mm  # quiet zone included: the symbol itself is >= 26 mm for version <= 10
HEADER_H = 8.5 * mm
NAVY = (0.12, 0.23, 0.41)
GREY_TEXT = (0.35, 0.35, 0.38)
CUT_GREY = 0.72
_ZONE = re.compile(r"^(.+?区)")
_NUMBERS = re.compile(r"(\d+)")


class BadgeIssueError(UserError, ValueError):
    """Badges cannot be issued with what was given (a photo folder that is not there); the
    message says what to change."""


@dataclass(frozen=True)
class IssuedBadge:
    row: int
    cert_no: str
    name: str
    company: str
    post: str
    png: Path
    payload: str
    qr_version: int
    has_photo: bool


@dataclass(frozen=True)
class SkippedRow:
    row: int
    cert_no: str
    name: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "cert_no": self.cert_no, "name": self.name,
                "reason": self.reason}


@dataclass
class IssueSummary:
    out_dir: Path
    kid: str
    issued_on: date
    expires_on: date
    issued: list[IssuedBadge] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    badges_pdf: Path | None = None
    posts_pdf: Path | None = None
    posts: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "issued": len(self.issued),
            "skipped": [row.as_dict() for row in self.skipped],
            "warnings": self.warnings,
            "kid": self.kid,
            "issued_on": self.issued_on.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "out_dir": str(self.out_dir),
            "badges_pdf": str(self.badges_pdf) if self.badges_pdf else None,
            "posts_pdf": str(self.posts_pdf) if self.posts_pdf else None,
            "posts": self.posts,
            "max_payload_chars": max((len(b.payload) for b in self.issued), default=0),
            "max_qr_version": max((b.qr_version for b in self.issued), default=0),
        }


@dataclass(frozen=True)
class _Card:
    badge: IssuedBadge
    payload: BadgePayload
    matrix: list[list[bool]]
    photo: Path | None


@dataclass(frozen=True)
class PostLabel:
    name: str
    zone: str
    task_type: str
    guards: int


def find_photo(photos_dir: Path | None, cert_no: str) -> Path | None:
    """The guard's photo in ``photos_dir``: named by the certificate number, with or without
    its province prefix (334107653877.jpg or 辽334107653877.jpg), .jpg/.jpeg/.png."""
    if photos_dir is None:
        return None
    for stem in dict.fromkeys((cert_key(cert_no), cert_no)):
        for suffix in PHOTO_SUFFIXES:
            for name in (f"{stem}{suffix}", f"{stem}{suffix.upper()}"):
                if (photos_dir / name).is_file():
                    return photos_dir / name
    return None


def photo_hash(path: Path) -> bytes:
    """First 10 bytes of SHA-256 of the photo file: binds the badge to the exact file HQ
    holds, so a supervisor's laptop with the same file can show it is the photo HQ signed."""
    return hashlib.sha256(path.read_bytes()).digest()[:PHOTO_HASH_BYTES]


def _row_errors(report: RosterReport, row: RosterRow) -> str:
    messages = [p.message for p in report.problems if p.row == row.row and p.severity == "error"]
    return "; ".join(messages) or translate("BadgeIssue", "roster error")


def post_labels(rows: Sequence[RosterRow]) -> list[PostLabel]:
    """One label per post named in the roster, in natural order (A区2号 before A区10号)."""
    posts: dict[str, list[RosterRow]] = {}
    for row in rows:
        if row.post:
            posts.setdefault(row.post, []).append(row)

    def natural(name: str) -> list[object]:
        return [int(part) if part.isdigit() else part for part in _NUMBERS.split(name)]

    labels = []
    for name in sorted(posts, key=natural):
        guards = posts[name]
        task = next((row.task_type for row in guards if row.task_type), "")
        zone = _ZONE.match(name)
        labels.append(PostLabel(name, zone.group(1) if zone else "", task, len(guards)))
    return labels


def issue_badges(
    roster_path: str | Path,
    private_key: Ed25519PrivateKey,
    out_dir: str | Path,
    *,
    today: date,
    valid_days: int = DEFAULT_VALID_DAYS,
    photos_dir: str | Path | None = None,
    licence_numbers: Mapping[str, str] | None = None,
    main_licence_no: str = "",
    issuer_name: str = DEFAULT_ISSUER_NAME,
    progress: Callable[[int, int], None] | None = None,
) -> IssueSummary:
    """Issue a badge for every valid row of the roster into ``out_dir``.

    Writes ``<cert_key>.png`` per guard, ``badges.pdf``, ``posts.pdf`` (when the roster names
    posts) and ``manifest.csv`` (what was issued, for HQ's records and reprints). Badges are
    valid from ``today`` for ``valid_days`` days, both ends included. ``licence_numbers`` maps
    a company name to its 保安服务许可证 number; ``main_licence_no`` is the number of the
    roster's main company when the mapping does not name it. Raises RosterFileError for an
    unreadable roster, BadgeIssueError for a photo folder that is not there and ValueError for
    impossible arguments; a row whose badge cannot be made (roster errors, a company name too
    long for the QR code) is skipped and reported.
    """
    if valid_days < 1:
        raise ValueError("valid_days must be at least 1")
    report = check_roster(roster_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    photos = Path(photos_dir) if photos_dir else None
    if photos is not None and not photos.is_dir():
        raise BadgeIssueError(translate("BadgeIssue", "photo folder not found: {path}")
                              .format(path=photos))
    licences = dict(licence_numbers or {})
    if main_licence_no and report.main_company:
        licences.setdefault(report.main_company, main_licence_no)
    kid = key_id(raw_public_key(private_key))
    expires_on = today + timedelta(days=valid_days - 1)
    summary = IssueSummary(out, kid, today, expires_on)
    cards: list[_Card] = []
    rows = report.rows
    for index, row in enumerate(rows, start=1):
        if progress:
            progress(index, len(rows))
        if row.has_error:
            summary.skipped.append(SkippedRow(row.row, row.cert_no, row.name,
                                              _row_errors(report, row)))
            continue
        photo = find_photo(photos, row.cert_no)
        if photo is not None and not _photo_readable(photo):
            summary.warnings.append(translate(
                "BadgeIssue", "row {row}: photo {file} cannot be read; the card shows a "
                "placeholder").format(row=row.row, file=photo.name))
            photo = None
        payload = BadgePayload(
            cert_no=row.cert_no, name=row.name, company=row.company,
            licence_no=licences.get(row.company, ""), issued_on=today, expires_on=expires_on,
            photo_hash=photo_hash(photo) if photo else None, kid=kid)
        try:
            text = encode_payload(payload, private_key)
            code = make_qr(text)
        except (ValueError, QRCapacityError) as exc:
            summary.skipped.append(SkippedRow(row.row, row.cert_no, row.name, str(exc)))
            continue
        png = out / f"{cert_key(row.cert_no)}.png"
        _badge_png(code, payload).save(png, optimize=False)
        badge = IssuedBadge(row.row, row.cert_no, row.name, row.company, row.post, png, text,
                            code.version, photo is not None)
        summary.issued.append(badge)
        cards.append(_Card(badge, payload, [list(r) for r in code.get_matrix()], photo))
    if cards:
        summary.badges_pdf = out / BADGES_PDF
        _badges_pdf(summary.badges_pdf, cards, issuer_name, summary)
    labels = post_labels([row for row in rows if not row.has_error])
    if labels:
        summary.posts_pdf = out / POSTS_PDF
        _posts_pdf(summary.posts_pdf, labels, report.main_company, issuer_name)
    summary.posts = len(labels)
    _write_manifest(out / MANIFEST_CSV, summary)
    return summary


def _photo_readable(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.verify()
        return True
    except Exception:  # PIL raises many kinds for a damaged file; any of them means "no"
        return False


def _write_manifest(path: Path, summary: IssueSummary) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "cert_no", "name", "company", "post", "issued_on", "expires_on",
                         "kid", "qr_version", "photo", "png", "payload"])
        for badge in summary.issued:
            # Roster text ends up here, and HQ opens the file in Excel or WPS: no formulas.
            writer.writerow(neutralise_row([
                badge.row, badge.cert_no, badge.name, badge.company, badge.post,
                summary.issued_on.isoformat(), summary.expires_on.isoformat(), summary.kid,
                badge.qr_version, "yes" if badge.has_photo else "no", badge.png.name,
                badge.payload]))


# --- PNG ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _pil_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path()), size, index=0)


def _badge_png(code: qrcode.QRCode, payload: BadgePayload) -> Image.Image:
    """The QR code with the guard's name and certificate number under it."""
    qr = qr_image(code, box_size=8)
    width = qr.width
    image = Image.new("L", (width, qr.height + 96), 255)
    image.paste(qr, (0, 0))
    draw = ImageDraw.Draw(image)
    lines = ((payload.name, 36, qr.height - 8), (payload.cert_no, 26, qr.height + 42))
    for text, size, top in lines:
        font = _pil_font(size)
        while draw.textlength(text, font=font) > width - 16 and size > 12:
            size -= 2
            font = _pil_font(size)
        left = (width - draw.textlength(text, font=font)) / 2
        draw.text((left, top), text, fill=0, font=font)
    return image


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


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """The modules as filled rectangles, one per horizontal run of dark modules.

    Written as raw PDF operators in a coordinate system of one unit per module: integer
    coordinates, so a 600-card sheet does not spend seconds formatting a million floats.
    """
    count = len(matrix)
    module = size / count
    ops = ["q", "0 g", f"{module:.5f} 0 0 {module:.5f} {x:.3f} {y:.3f} cm"]
    for r, row in enumerate(matrix):
        bottom = count - 1 - r
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                # A hair taller than the module so that anti-aliased viewers show no seams.
                ops.append(f"{start} {bottom} {c - start} 1.02 re")
            else:
                c += 1
    ops += ["f", "Q"]
    canvas.addLiteral("\n".join(ops))


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
    with Image.open(photo) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        fitted = ImageOps.fit(image, (int(w / mm * 12), int(h / mm * 12)))  # ~300 dpi
    canvas.drawImage(ImageReader(fitted), x, y, w, h)


# --- badges.pdf ---------------------------------------------------------------------------------


def _badges_pdf(path: Path, cards: list[_Card], issuer_name: str, summary: IssueSummary) -> None:
    font = register_cjk_font()
    page_w, page_h = A4
    left = (page_w - CARD_COLUMNS * CARD_W) / 2
    bottom = (page_h - CARD_ROWS * CARD_H) / 2
    per_page = CARD_COLUMNS * CARD_ROWS
    pages = (len(cards) + per_page - 1) // per_page
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle("保安员证 Guard badges")
    canvas.setAuthor(issuer_name)
    canvas.setSubject(f"issuer key {summary.kid}, {len(cards)} badges")
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
                          f"{company} · 签发 {summary.issued_on} · 密钥 {summary.kid}")
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


def _draw_card(canvas: Canvas, card: _Card, x: float, y: float, font: str,
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
    _draw_qr(canvas, card.matrix, qr_x, qr_y, QR_BOX)
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


def _posts_pdf(path: Path, labels: list[PostLabel], company: str, issuer_name: str) -> None:
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
    _draw_qr(canvas, [list(r) for r in code.get_matrix()], centre - qr_size / 2, qr_y, qr_size)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(font, 9)
    canvas.drawCentredString(centre, qr_y - 1 * mm, "督导员：先扫本岗位码，再扫本岗位保安员证")
    if company:
        canvas.setFillColorRGB(*GREY_TEXT)
        canvas.setFont(font, 8)
        canvas.drawCentredString(centre, y + pad + 2 * mm, f"承接公司 {company}")

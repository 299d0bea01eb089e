"""Headquarters issues signed badges for a company's roster: PNGs, a card sheet and post labels.

For every valid roster row: the signed payload (app.badge.payload), a PNG of its QR code with
the name and certificate number under it (for the electronic certificate, or a phone screen),
and a card on ``badges.pdf``: A4 sheets of ten ID-1 cards (85.6 x 54 mm) to print, cut and put
in a lanyard holder. ``posts.pdf`` has one label per post with the post's QR code, so that at
the venue the supervisor scans the post, then its guards. Rows with roster errors get no
badge: a badge vouches for what HQ checked, and a row with a broken ID or a duplicated
certificate was not.

The sheets themselves are drawn by app.badge.sheets.
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
from PIL import Image, ImageDraw, ImageFont

from app.badge.payload import (
    PHOTO_HASH_BYTES,
    BadgePayload,
    encode_payload,
    key_id,
    raw_public_key,
)
from app.badge.qr import QRCapacityError, make_qr, qr_image, qr_matrix
from app.badge.sheets import BadgeCard, PostLabel, write_badges_pdf, write_posts_pdf
from app.errors import UserError
from app.i18n import translate
from app.inspection.identity import cert_key
from app.inspection.roster import RosterReport, RosterRow, check_roster
from app.resources import font_path
from app.spreadsheet_safety import neutralise_row

DEFAULT_ISSUER_NAME = "市局保安管理支队"
DEFAULT_VALID_DAYS = 365
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
BADGES_PDF = "badges.pdf"
POSTS_PDF = "posts.pdf"
MANIFEST_CSV = "manifest.csv"
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
    cards: list[BadgeCard] = []
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
        cards.append(BadgeCard(payload, qr_matrix(code), photo))
    if cards:
        summary.badges_pdf = out / BADGES_PDF
        write_badges_pdf(summary.badges_pdf, cards, issuer_name, kid, today)
    labels = post_labels([row for row in rows if not row.has_error])
    if labels:
        summary.posts_pdf = out / POSTS_PDF
        write_posts_pdf(summary.posts_pdf, labels, report.main_company, issuer_name)
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

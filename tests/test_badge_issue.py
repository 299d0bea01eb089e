"""Issuing at headquarters: keys, PNGs, the card sheet, post labels; and the QR helpers."""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import qrcode
from PIL import Image
from pypdf import PdfReader

from app.badge.issue import (
    DEFAULT_ISSUER_NAME,
    DEFAULT_VALID_DAYS,
    find_photo,
    issue_badges,
    photo_hash,
    post_labels,
)
from app.badge.keys import (
    BadgeKeyError,
    generate_issuer_key,
    is_private_key_file,
    load_private_key,
    load_public_key,
)
from app.badge.payload import decode_payload
from app.badge.qr import decode_qr, make_qr, make_qr_image, mask_penalty, qr_version
from app.badge.trust_lists import MemoryTrustStore
from app.badge.verify import BadgeVerdict, verify
from app.cli import badge as badge_cli
from app.inspection.roster import RosterRow
from app.pdf_fonts import register_cjk_font
from tests.helpers.badges import COMPANY, KEY, LICENCE, issuer, valid_id, write_roster

ISSUED_ON = date(2025, 6, 1)


# --- keys ----------------------------------------------------------------------------------------


def test_keygen_writes_an_encrypted_private_key_and_a_public_key(tmp_path: Path) -> None:
    files = generate_issuer_key(tmp_path / "keys", b"correct horse battery")
    text = files.private_key.read_text(encoding="ascii")
    assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert is_private_key_file(files.private_key) and not is_private_key_file(files.public_key)
    key = load_private_key(files.private_key, b"correct horse battery")
    assert load_public_key(files.public_key) == issuer(key).public_key
    assert files.kid == issuer(key).kid
    if os.name == "posix":
        assert files.private_key.stat().st_mode & 0o077 == 0


@pytest.mark.slow  # starts a process
def test_the_private_key_resists_guessing(tmp_path: Path) -> None:
    """600,000 PBKDF2 rounds, where cryptography's BestAvailableEncryption uses 2,048."""
    files = generate_issuer_key(tmp_path, b"correct horse battery")
    if shutil.which("openssl"):
        parsed = subprocess.run(["openssl", "asn1parse", "-in", str(files.private_key)],
                                capture_output=True, text=True, check=True).stdout
        assert "PBKDF2" in parsed and "hmacWithSHA256" in parsed and "aes-256-cbc" in parsed
        assert ":0927C0" in parsed  # 600000


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    files = generate_issuer_key(tmp_path, b"correct horse battery")
    with pytest.raises(BadgeKeyError, match="wrong passphrase"):
        load_private_key(files.private_key, b"Correct horse battery")


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    generate_issuer_key(tmp_path, b"correct horse battery")
    before = (tmp_path / "issuer.key").read_bytes()
    with pytest.raises(BadgeKeyError, match="already exists"):
        generate_issuer_key(tmp_path, b"another passphrase")
    assert (tmp_path / "issuer.key").read_bytes() == before


def test_short_passphrase_and_bad_key_files(tmp_path: Path) -> None:
    with pytest.raises(BadgeKeyError, match="at least 8"):
        generate_issuer_key(tmp_path, b"short")
    with pytest.raises(BadgeKeyError, match="not found"):
        load_private_key(tmp_path / "nope.key", b"whatever1")
    (tmp_path / "junk.key").write_text("hello", encoding="ascii")
    with pytest.raises(BadgeKeyError, match="not a private key"):
        load_private_key(tmp_path / "junk.key", b"whatever1")
    with pytest.raises(BadgeKeyError, match="not a public key"):
        load_public_key(tmp_path / "junk.key")


# --- QR ------------------------------------------------------------------------------------------


def test_mask_penalty_is_qrcodes_own() -> None:
    rng = random.Random(7)
    for size in (21, 25, 45, 57):
        for _ in range(40):
            density = rng.choice((0.3, 0.5, 0.7))
            matrix = [[rng.random() < density for _ in range(size)] for _ in range(size)]
            assert mask_penalty(matrix) == qrcode.util.lost_point(matrix)


def test_make_qr_draws_the_same_symbol_as_qrcode() -> None:
    rng = random.Random(3)
    for _ in range(10):
        text = "VS1" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                               for _ in range(rng.randrange(20, 300)))
        reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                                  border=4, box_size=1)
        reference.add_data(text)
        reference.make(fit=True)
        assert make_qr(text).get_matrix() == reference.get_matrix()


def test_qr_capacity_limit() -> None:
    assert qr_version("VS1" + "A" * 308) == 10
    with pytest.raises(ValueError, match="version-11"):
        make_qr("VS1" + "A" * 309)


def test_decode_qr_reads_pil_images_and_numpy_frames() -> None:
    text = "VS1" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 7
    image = make_qr_image(text)
    assert decode_qr(image) == [text]
    frame = np.asarray(image.convert("L"), dtype=np.uint8)
    assert decode_qr(frame) == [text]
    # A camera frame: the code small in a larger grey picture.
    canvas = Image.new("L", (1280, 720), 140)
    canvas.paste(image.resize((300, 300)), (500, 200))
    assert decode_qr(np.asarray(canvas)) == [text]


@pytest.mark.parametrize("image", [np.zeros((0, 0), np.uint8), np.zeros((20, 30), np.uint8),
                                   Image.new("L", (64, 64), 255), None, "not an image"])
def test_decode_qr_finds_nothing_without_raising(image: object) -> None:
    assert decode_qr(image) == []


# --- issuing -------------------------------------------------------------------------------------


def issued(tmp_path: Path, count: int = 12, **options: object):
    roster = write_roster(tmp_path / "roster.xlsx", count, extra_rows=options.pop("extra", None))
    summary = issue_badges(roster, KEY, tmp_path / "out", today=ISSUED_ON,
                           main_licence_no=LICENCE, **options)  # type: ignore[arg-type]
    return summary


def test_issue_writes_a_png_per_guard_that_verifies(tmp_path: Path) -> None:
    summary = issued(tmp_path)
    assert len(summary.issued) == 12 and not summary.skipped
    store = MemoryTrustStore([issuer()])
    for badge in summary.issued:
        assert badge.png.name == f"{700000000000 + badge.row - 2}.png"
        texts = decode_qr(Image.open(badge.png))
        assert texts == [badge.payload]
        check = verify(texts[0], store, ISSUED_ON)
        assert check.verdict == BadgeVerdict.VALID
        assert check.payload is not None and check.payload.licence_no == LICENCE
        assert check.payload.expires_on == date(2026, 5, 31)  # 365 days, both ends included
        assert badge.qr_version <= 10


def test_manifest_lists_what_was_issued(tmp_path: Path) -> None:
    summary = issued(tmp_path, count=3)
    with (tmp_path / "out" / "manifest.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["cert_no"] for row in rows] == [b.cert_no for b in summary.issued]
    assert rows[0]["kid"] == summary.kid and rows[0]["payload"] == summary.issued[0].payload


def test_rows_with_roster_errors_are_skipped_and_reported(tmp_path: Path) -> None:
    wrong_id = valid_id(90)[:17] + ("1" if valid_id(90)[17] != "1" else "2")
    long_company = "辽宁省盘锦市兴隆台区" * 7 + "保安服务有限公司"
    summary = issued(tmp_path, count=4, extra=[
        [90, "错号", "男", wrong_id, "辽790000000090", COMPANY, "A区1号安检口", "安检",
         "13912345678", "通过", "已培训"],
        [91, "无证", "男", valid_id(91), None, COMPANY, "A区1号安检口", "安检", "13912345678",
         "通过", "已培训"],
        [92, "长名", "男", valid_id(92), "辽790000000092", long_company, "A区1号安检口", "安检",
         "13912345678", "通过", "已培训"],
    ])
    assert len(summary.issued) == 4
    reasons = {row.name: row.reason for row in summary.skipped}
    assert set(reasons) == {"错号", "无证", "长名"}
    assert "shorten the company name" in reasons["长名"]
    assert not (tmp_path / "out" / "790000000090.png").exists()
    assert summary.as_dict()["skipped"][0]["row"] > 0


def test_photos_are_hashed_into_the_badge_and_printed(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    portrait = Image.new("RGB", (300, 400), (180, 140, 120))
    portrait.save(photos / "700000000001.jpg")  # named without the province prefix
    portrait.save(photos / "辽700000000002.png")  # and with it
    (photos / "700000000003.jpg").write_bytes(b"not a picture")
    summary = issued(tmp_path, count=4, photos_dir=photos)
    by_cert = {b.cert_no: b for b in summary.issued}
    first = decode_payload(by_cert["辽700000000001"].payload)[0]
    assert first.photo_hash == photo_hash(photos / "700000000001.jpg")
    assert decode_payload(by_cert["辽700000000002"].payload)[0].photo_hash is not None
    assert decode_payload(by_cert["辽700000000003"].payload)[0].photo_hash is None
    assert decode_payload(by_cert["辽700000000004"].payload)[0].photo_hash is None
    assert any("700000000003.jpg" in warning for warning in summary.warnings)
    assert find_photo(photos, "辽700000000001") == photos / "700000000001.jpg"
    images = sum(len(page.images) for page in PdfReader(summary.badges_pdf).pages)
    assert images == 2


def test_badges_pdf_is_a4_with_ten_cards_a_page_and_real_chinese_text(tmp_path: Path) -> None:
    summary = issued(tmp_path, count=12)
    reader = PdfReader(summary.badges_pdf)
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    assert COMPANY in text  # the page footer has it on one line; the cards on two
    assert "盘锦市安盾保安\n服务有限公司" in text
    assert "辽700000000001" in text and "保安001" in text and "保安员证" in text
    fonts = {str(font) for page in reader.pages
             for font in (page["/Resources"]["/Font"].values())}
    assert fonts  # the embedded subset of the bundled font
    base_fonts = {str(page["/Resources"]["/Font"][name].get_object()["/BaseFont"])
                  for page in reader.pages for name in page["/Resources"]["/Font"]}
    assert any("WenQuanYi" in name for name in base_fonts), base_fonts


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.slow  # starts a process
def test_the_printed_sheet_scans(tmp_path: Path) -> None:
    """The QR codes as printed (the PDF rendered at 150 dpi) decode and verify."""
    summary = issued(tmp_path, count=10)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1",
                    str(summary.badges_pdf), str(tmp_path / "page")], check=True)
    page = Image.open(next(tmp_path.glob("page*.png")))
    texts = decode_qr(page)
    assert sorted(texts) == sorted(b.payload for b in summary.issued)
    store = MemoryTrustStore([issuer()])
    assert all(verify(t, store, ISSUED_ON).verdict == BadgeVerdict.VALID for t in texts)


def test_posts_pdf_has_a_label_per_post(tmp_path: Path) -> None:
    summary = issued(tmp_path, count=12)
    assert summary.posts == len({(n % 3, n % 4) for n in range(1, 13)})
    reader = PdfReader(summary.posts_pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "岗位码" in text and "A区1号" in text


def test_post_labels_in_natural_order() -> None:
    def row(post: str, task: str = "安检") -> RosterRow:
        return RosterRow(1, "n", "男", "", "辽1", COMPANY, post, task, "", "passed", True)

    labels = post_labels([row("A区10号安检口"), row("A区2号安检口"), row("A区2号安检口"),
                          row("B区1号看台", "秩序维护"), row("")])
    assert [label.name for label in labels] == ["A区2号安检口", "A区10号安检口", "B区1号看台"]
    assert labels[0].guards == 2 and labels[0].zone == "A区" and labels[2].task_type == "秩序维护"


def test_cli_defaults_match_the_issuers() -> None:
    assert badge_cli.DEFAULT_ISSUER_NAME == DEFAULT_ISSUER_NAME
    assert badge_cli.DEFAULT_VALID_DAYS == DEFAULT_VALID_DAYS


def test_the_cjk_font_registers_once() -> None:
    assert register_cjk_font() == register_cjk_font() == "WenQuanYiMicroHei"

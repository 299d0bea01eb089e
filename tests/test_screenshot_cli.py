"""``python -m app --demo --screenshot``: a real PNG of the Chinese inspection screen, and
Chinese drawn with the bundled font rather than as boxes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetrics,
    QImage,
    QPainter,
)
from PySide6.QtWidgets import QLabel

from ui.application import make_application, register_font
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parent.parent
CHINESE = "督导检查"


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def glyph_picture(font: QFont, char: str) -> bytes:
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, char)
    painter.end()
    return bytes(image.constBits())


@pytest.mark.slow
def test_demo_screenshot_in_chinese(tmp_path: Path, qapp):
    shot = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--data-dir", str(tmp_path / "profile"),
         "--lang", "zh_CN", "--screenshot", str(shot)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert shot.is_file()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1000
    assert image.height() >= 600
    assert distinct_colours(image) >= 20  # not a blank (or single-colour) picture
    # the verdict card's green banner is on screen (a guard scanned at the own post)
    greens = sum(1 for y in range(0, image.height(), 5) for x in range(0, image.width(), 5)
                 if QColor(image.pixel(x, y)).name() == "#1b7f3b")
    assert greens > 100


def test_chinese_is_drawn_with_the_bundled_font(qtbot, qapp):
    app = make_application("zh_CN")
    try:
        family = register_font()
        assert family in QFontDatabase.families()
        assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(
            family)
        font = QFont(family, 14)
        metrics = QFontMetrics(font)
        for char in CHINESE:
            assert metrics.inFontUcs4(ord(char)), char
        assert app.font().family() == family  # the whole interface uses it

        label = QLabel(CHINESE)
        label.setFont(font)
        qtbot.addWidget(label)
        label.adjustSize()
        assert QFontInfo(label.font()).family() == family
        image = label.grab().toImage()
        assert not image.isNull()
        background = image.pixel(0, 0)
        ink = sum(1 for y in range(image.height()) for x in range(image.width())
                  if image.pixel(x, y) != background)
        assert ink > 150
        # A missing glyph is drawn as the same box for every character: four different
        # ideographs must give four different pictures.
        glyphs = {glyph_picture(font, char) for char in CHINESE}
        assert len(glyphs) == len(CHINESE)
    finally:
        make_application("en")
        assert wait_for_background()
        QCoreApplication.processEvents()


@pytest.mark.slow
def test_a_screenshot_of_an_encrypted_profile_without_its_password_exits_2(
        tmp_path: Path) -> None:
    # Nobody is at the screen: no password dialog and no message box to wait on forever.
    from app.profile.db import Database

    folder = tmp_path / "profile"
    Database(folder, b"a long password").close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    env.pop("VENUE_SUPERVISOR_PASSWORD_FILE", None)
    done = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--data-dir", str(folder), "--lang", "en",
         "--screenshot", str(tmp_path / "shot.png")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"the profile {folder.resolve()} is encrypted" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "shot.png").exists()

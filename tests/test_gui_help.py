"""The Help menu as a supervisor uses it: About shows what this copy is and the licences of
what it carries, copies the build information; F1 opens the user guide of the current
language with its pictures; the two guides match; scripts/screenshots.py takes the pictures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument

import app.build_info as build_info_module
from app import __version__
from app.inspection.workbench import Workbench
from tests.conftest import REPO, release_widgets
from ui.application import make_application
from ui.dialogs.about import AboutDialog
from ui.dialogs.user_guide import UserGuideDialog, image_fragments
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

GUIDE = REPO / "docs" / "user-guide"
LANGUAGES = ("zh_CN", "en")
COMMIT = "0123456789ab"
HEADING = re.compile(r"^(#{1,6}) (.+)$", re.MULTILINE)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


@pytest.fixture
def window(request, qapp, qtbot, workbench: Workbench, monkeypatch: pytest.MonkeyPatch):
    lang = getattr(request, "param", "zh_CN")
    # From a checkout the commit is asked of git: a process, kept out of the fast tier.
    monkeypatch.setattr(build_info_module, "source_commit", lambda: COMMIT)
    make_application(lang)
    win = MainWindow(workbench, lang)
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    release_widgets()
    make_application("en")


def open_about(qtbot, window: MainWindow) -> AboutDialog:
    window.help_menu.about_action.trigger()
    about = window.help_menu.about
    assert about is not None and about.isVisible()
    qtbot.waitUntil(lambda: __version__ in about.build_text.toPlainText()
                    and about.licence_list.count() > 0, timeout=10000)
    return about


def click_item(qtbot, about: AboutDialog, row: int) -> None:
    listing = about.licence_list
    listing.scrollToItem(listing.item(row))
    centre = listing.visualItemRect(listing.item(row)).center()
    qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(centre))


def test_about_shows_the_version_and_the_font_licence_in_chinese(qtbot, window: MainWindow):
    about = open_about(qtbot, window)
    shown = about.build_text.toPlainText().splitlines()
    assert shown[0] == f"Venue Supervisor (大型活动安保现场督导) {__version__}"
    assert f"commit {COMMIT}" in shown
    assert any(line.startswith("Qt 6.") for line in shown)
    first = about.licence_list.item(0).text()
    assert "WenQuanYi Micro Hei" in first and "Apache-2.0" in first
    assert about.licence_list.currentRow() == 0
    font_text = about.licence_text.toPlainText()
    assert "Apache License" in font_text and "Version 2.0" in font_text
    assert "special exception" in font_text  # the GPL's font exception, the other choice

    # The libraries the program carries, each with its own licence text.
    entries = [about.licence_list.item(row).text() for row in range(about.licence_list.count())]
    assert any(entry.startswith("PySide6 ") and "LGPL-3.0" in entry for entry in entries)
    sqlalchemy = next(row for row, entry in enumerate(entries)
                      if entry.startswith("SQLAlchemy "))
    assert "MIT" in entries[sqlalchemy]
    click_item(qtbot, about, sqlalchemy)
    assert about.licence_list.currentRow() == sqlalchemy
    assert "Permission is hereby granted" in about.licence_text.toPlainText()
    qt_row = next(row for row, entry in enumerate(entries) if entry.startswith("PySide6 "))
    click_item(qtbot, about, qt_row)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in about.licence_text.toPlainText()
    # it fits a laptop screen
    assert about.height() <= 650 and about.width() <= 1280


def test_copy_puts_the_build_information_on_the_clipboard(qtbot, window: MainWindow):
    QGuiApplication.clipboard().setText("something else")
    about = open_about(qtbot, window)
    qtbot.mouseClick(about.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied == about.build_text.toPlainText().splitlines()
    assert copied[0].endswith(__version__) and f"commit {COMMIT}" in copied
    assert about.copied.text()  # it says it did


def guide_headings(lang: str) -> list[tuple[int, str]]:
    text = (GUIDE / f"{lang}.md").read_text(encoding="utf-8")
    return [(len(marks), title) for marks, title in HEADING.findall(text)]


def guide_images(lang: str) -> list[str]:
    return IMAGE.findall((GUIDE / f"{lang}.md").read_text(encoding="utf-8"))


# The offscreen platform has no stacking order to raise a window in, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
@pytest.mark.parametrize("window", LANGUAGES, indirect=True)
def test_f1_opens_the_guide_in_the_current_language_with_its_pictures(qtbot,
                                                                      window: MainWindow):
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_F1)
    guide = window.help_menu.guide
    assert isinstance(guide, UserGuideDialog) and guide.isVisible()
    assert guide.path == GUIDE / f"{window.lang}.md"
    document = guide.browser.document()
    title = guide_headings(window.lang)[0][1]
    assert document.begin().text() == title
    # the sections are listed, and choosing one scrolls the text to it
    expected = [text for level, text in guide_headings(window.lang) if level <= 2]
    assert [guide.contents.item(row).text().strip()
            for row in range(guide.contents.count())] == expected
    last = guide.contents.count() - 1
    qtbot.mouseClick(guide.contents.viewport(), Qt.MouseButton.LeftButton,
                     pos=guide.contents.visualItemRect(guide.contents.item(last)).center())
    assert guide.browser.verticalScrollBar().value() > 0
    # every picture resolves, and is no wider than the text
    pictures = image_fragments(document)
    assert [image.name() for _, _, image in pictures] == guide_images(window.lang)
    width = guide.browser.viewport().width()
    for _, _, image in pictures:
        loaded = document.resource(QTextDocument.ResourceType.ImageResource,
                                   QUrl(image.name()))
        assert loaded is not None and not loaded.isNull(), image.name()
        assert 0 < image.width() <= width, image.name()
    # F1 again brings the same window forward instead of a second one
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_F1)
    assert window.help_menu.guide is guide


def test_a_guide_missing_from_the_installation_is_said(qtbot, window: MainWindow, tmp_path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("ui.dialogs.user_guide.user_guide_dir", lambda: tmp_path / "absent")
    window.help_menu.guide_action.trigger()
    guide = window.help_menu.guide
    assert guide is not None and guide.isVisible()
    assert "en.md" in guide.browser.toPlainText()  # the English one was looked for last
    assert guide.contents.count() == 0


def test_the_two_guides_have_the_same_sections_and_pictures() -> None:
    chinese, english = guide_headings("zh_CN"), guide_headings("en")
    assert [level for level, _ in chinese] == [level for level, _ in english]
    assert len(chinese) >= 10
    pictures = {lang: [name.replace(f"-{lang}.png", ".png") for name in guide_images(lang)]
                for lang in LANGUAGES}
    assert pictures["zh_CN"] == pictures["en"]
    for lang in LANGUAGES:
        for name in guide_images(lang):
            assert name.endswith(f"-{lang}.png"), name  # each guide shows its own language
            assert not QImage(str(GUIDE / name)).isNull(), name
    # no picture left behind that no guide shows; together they stay small
    shown = {name for lang in LANGUAGES for name in guide_images(lang)}
    on_disk = {f"images/{path.name}" for path in (GUIDE / "images").iterdir()}
    assert on_disk == shown
    assert sum(path.stat().st_size for path in (GUIDE / "images").iterdir()) < 2_000_000


@pytest.mark.slow  # starts a process
def test_the_screenshot_script_writes_the_guides_pictures(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshots.py"),
                           "--out", str(tmp_path)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    written = {path.name for path in tmp_path.iterdir()}
    assert written == {Path(name).name for lang in LANGUAGES for name in guide_images(lang)}
    for lang in LANGUAGES:
        for picture in ("inspection", "evaluation", "dashboard"):
            image = QImage(str(tmp_path / f"{picture}-{lang}.png"))
            assert (image.width(), image.height()) == (1280, 720), picture
            colours = {image.pixel(x, y) for y in range(0, 720, 9) for x in range(0, 1280, 9)}
            assert len(colours) > 20, picture  # a window, not a blank picture
    # the inspection shows the green card of a guard scanned at the own post
    inspection = QImage(str(tmp_path / "inspection-zh_CN.png"))
    greens = 0
    for y in range(0, 720, 5):
        for x in range(0, 1280, 5):
            colour = inspection.pixelColor(x, y)
            greens += colour.green() > colour.red() + 60 and colour.green() > colour.blue() + 40
    assert greens > 100


def test_the_demonstration_is_one_click_away_in_the_help_menu(qtbot, window: MainWindow,
                                                              monkeypatch) -> None:
    """Help → Open the demonstration starts this program again with --demo (its own profile),
    in the window's language."""
    import sys

    from PySide6.QtCore import QProcess

    started: list[tuple[str, list[str], str]] = []
    monkeypatch.setattr(QProcess, "startDetached", staticmethod(
        lambda program, arguments, folder: started.append((program, arguments, folder))
        or (True, 4242)))
    window.help_menu.demo_action.trigger()
    program, arguments, folder = started[0]
    assert program == sys.executable
    assert arguments == ["-m", "app", "--demo", "--lang", window.lang]
    assert (Path(folder) / "app" / "__main__.py").is_file()  # python -m app finds the app

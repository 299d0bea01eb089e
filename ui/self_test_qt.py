"""The window's part of ``--self-test``: what the core's steps cannot see, because it only
fails when a window opens. A build that left out a Qt plugin (the platform, JPEG, print
support, multimedia), Qt's own Chinese, or the font's Chinese glyphs starts and then shows
boxes, cannot print or cannot read a webcam photo; here it fails at once, naming the piece.

``qt_steps()`` is handed to ``app.self_test.run_self_test`` by the command line, after
``make_application`` made the (offscreen) QApplication.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QLibraryInfo
from PySide6.QtGui import QFont, QFontMetrics, QImage, QImageReader, QPainter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from app.i18n import install_translators, translate
from app.inspection.workbench import Workbench
from app.self_test import ExtraStep, SelfTestFailure, SelfTestRun, require
from ui.application import register_font
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

# The platform plugin the real window needs on this system (the self-test itself runs
# offscreen, so it checks the file is there rather than loading it).
PLATFORM_PLUGIN = {"win32": "qwindows", "darwin": "qcocoa"}.get(sys.platform, "qxcb")
CJK_SAMPLE = "督导员检查保安证"
# A text of Qt's own (a message box's Cancel), that only qtbase_zh_CN.qm translates. Kept
# out of a literal translate() call, so that our own translation never collects it.
QT_OWN_TEXT = ("QPlatformTheme", "Cancel")


def plugins_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def _plugin_files(kind: str) -> list[str]:
    folder = plugins_dir() / kind
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def check_platform(_run: SelfTestRun) -> str:
    found = _plugin_files("platforms")
    require(any(PLATFORM_PLUGIN in name for name in found),
            translate("SelfTest", "the Qt platform plugin {name} in {folder}").format(
                name=PLATFORM_PLUGIN, folder=plugins_dir() / "platforms"))
    return translate("SelfTest", "{name} and {count} other platform plugin(s)").format(
        name=PLATFORM_PLUGIN, count=len(found) - 1)


def check_images(_run: SelfTestRun) -> str:
    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    for needed in ("jpeg", "png", "bmp"):
        require(needed in formats, translate(
            "SelfTest", "the Qt image format plugin for {format}").format(
            format=needed))
    # A photo from a webcam is a JPEG: write one and read it back.
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image = QImage(32, 24, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    require(image.save(buffer, "JPG"), translate("SelfTest", "writing a JPEG photo"))
    require(not QImage.fromData(data, "JPG").isNull(), translate(
        "SelfTest", "reading a JPEG photo"))
    return translate("SelfTest", "JPEG, PNG and BMP read and written")


def check_printing(run: SelfTestRun) -> str:
    with tempfile.TemporaryDirectory(dir=run.folder) as folder:
        out = Path(folder) / "print-test.pdf"
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        painter = QPainter()
        require(painter.begin(printer), translate(
            "SelfTest", "Qt print support (a page could not be started)"))
        painter.drawText(100, 100, CJK_SAMPLE)
        painter.end()
        require(out.is_file() and out.stat().st_size > 500, translate("SelfTest", "a printed page"))
    backends = _plugin_files("printsupport")
    # Windows and macOS print through Qt itself; Linux needs the CUPS plugin.
    if sys.platform.startswith("linux"):
        require(any("cups" in name for name in backends),
                translate("SelfTest", "the Qt print support plugin for CUPS in {folder}").format(
                    folder=plugins_dir() / "printsupport"))
    return translate("SelfTest", "a page printed to PDF; printer plugins: {names}").format(
        names=", ".join(backends) or "—")


def check_multimedia(_run: SelfTestRun) -> str:
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        raise SelfTestFailure(translate(
            "SelfTest", "Qt multimedia ({error})").format(error=exc)) from exc
    backends = _plugin_files("multimedia")
    require(bool(backends), translate(
        "SelfTest", "a Qt multimedia backend in {folder} (camera and sound)")
            .format(folder=plugins_dir() / "multimedia"))
    cameras = len(QMediaDevices.videoInputs())
    return translate("SelfTest", "backend {names}; {count} camera(s) on this machine").format(
        names=", ".join(backends), count=cameras)


def check_translations(lang: str, _run: SelfTestRun) -> str:
    """Chinese is loaded for the check, then ``lang`` (the self-test's language) again."""
    app = QCoreApplication.instance()
    assert app is not None
    try:
        require(install_translators(app, "zh_CN"), translate(
            "SelfTest", "the program's Chinese translation"))
        require(QCoreApplication.translate("MainWindow", "Inspection") != "Inspection",
                translate("SelfTest", "the program's Chinese translation"))
        # Qt's own dialogs (the Cancel of a message box, the file dialog) in Chinese too.
        require(QCoreApplication.translate(*QT_OWN_TEXT) != QT_OWN_TEXT[1],
                translate("SelfTest", "Qt's own Chinese translation (qtbase_zh_CN.qm)"))
    finally:
        install_translators(app, lang)
    return translate("SelfTest", "the program's and Qt's own Chinese")


def check_font(_run: SelfTestRun) -> str:
    family = register_font()
    metrics = QFontMetrics(QFont(family, 12))
    missing = [char for char in CJK_SAMPLE if not metrics.inFontUcs4(ord(char))]
    require(not missing, translate(
        "SelfTest", "Chinese glyphs in the font {family}: {chars}").format(
        family=family, chars="".join(missing)))
    return translate("SelfTest", "{family} draws Chinese").format(family=family)


def check_window(run: SelfTestRun) -> str:
    assert run.db is not None
    window = MainWindow(Workbench(run.db), lang="zh_CN", event_id=run.event_id)
    try:
        window.resize(1280, 720)
        window.show()
        QApplication.processEvents()
        require(wait_for_background(), translate(
            "SelfTest", "the window's background work to finish"))
        QApplication.processEvents()
        require(window.current_event is not None and window.current_event.id == run.event_id,
                translate("SelfTest", "the main window showing the demo event"))
        picture = window.grab()
        require(not picture.isNull(), translate("SelfTest", "the main window drawn"))
    finally:
        window.close()
        wait_for_background()
        window.deleteLater()
        QApplication.processEvents()
    return translate("SelfTest", "opened on the demo event and drawn ({width}x{height})").format(
        width=picture.width(), height=picture.height())


def qt_steps(lang: str) -> list[ExtraStep]:
    """The window's steps, in the order they run; ``lang`` is the language they speak."""
    return [("Qt platform", check_platform), ("Qt images", check_images),
            ("Qt printing", check_printing), ("Qt multimedia", check_multimedia),
            ("translations", partial(check_translations, lang)), ("font", check_font),
            ("main window", check_window)]

"""Starting the GUI: QApplication, bundled font, translations, profile, main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLoggingCategory, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.db import Database, ProfileError
from app.i18n import choose_language, install_translators
from app.paths import font_path, resolve_data_dir
from app.workbench import Workbench

log = logging.getLogger(__name__)
UI_FONT_POINT_SIZE = 11
_font_family: str | None = None


def register_font() -> str:
    """Register the bundled CJK font and return its family; the machines have none of their
    own, and without it Chinese shows as boxes."""
    global _font_family
    if _font_family is None:
        font_id = QFontDatabase.addApplicationFont(str(font_path()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            raise RuntimeError(f"cannot load the bundled font {font_path()}")
        _font_family = families[0]
    return _font_family


def make_application(lang: str, argv: list[str] | None = None) -> QApplication:
    # QtMultimedia lists every optional library it could not load (pipewire, VA-API...):
    # noise on a laptop that simply has none of them.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false\n"
                                    "qt.multimedia.ffmpeg=false")
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("venue-supervisor")
    family = register_font()
    font = QFont(family, UI_FONT_POINT_SIZE)
    app.setFont(font)
    install_translators(app, lang)
    if not hasattr(app, "_garbage_collector"):
        from ui.tasks import GuiThreadGarbageCollector

        app._garbage_collector = GuiThreadGarbageCollector(app)  # type: ignore[attr-defined]
    return app


def install_error_handling(data_dir: Path) -> Path:
    """Log to the profile; an unexpected error is logged with its traceback and shown as a
    fault of the program, never silently swallowed."""
    log_path = data_dir / "venue-supervisor.log"
    logging.basicConfig(filename=log_path, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def excepthook(kind: type[BaseException], value: BaseException, trace: object) -> None:
        log.error("unexpected error", exc_info=(kind, value, trace))  # type: ignore[arg-type]
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None, QCoreApplication.translate("Application", "Venue Supervisor"),
                QCoreApplication.translate(
                    "Application",
                    "An unexpected error occurred; what was saved before stays saved.\n"
                    "{error}\n\nDetails are in {log}").format(error=value, log=log_path))

    sys.excepthook = excepthook
    return log_path


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    lang = choose_language(args.lang)
    app = make_application(lang)
    try:
        db = Database(resolve_data_dir(args.data_dir, demo=args.demo))
    except ProfileError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("Application", "Venue Supervisor"),
                             QCoreApplication.translate(
                                 "Application", "The profile cannot be opened:\n{error}")
                             .format(error=exc))
        return 2
    install_error_handling(db.data_dir)
    workbench = Workbench(db)
    event_id = None
    if args.demo:
        from app.demo import create_demo_event

        event_id = create_demo_event(workbench)

    from ui.main_window import MainWindow

    window = MainWindow(workbench, lang=lang, event_id=event_id)
    if args.screenshot:
        window.show()  # at its preferred size: the picture does not depend on the screen
    else:
        window.show_fitted()
    if args.screenshot:
        from ui.screenshot import take_demo_screenshot

        QTimer.singleShot(0, lambda: take_demo_screenshot(window, Path(args.screenshot)))
    if args.ready_file:
        def report_ready() -> None:
            Path(args.ready_file).write_text(f"{time.perf_counter() - started:.4f}\n")

        QTimer.singleShot(0, report_ready)
    code = app.exec()
    db.close()
    return code

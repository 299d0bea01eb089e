"""Starting the GUI: QApplication, bundled font, translations, profile, main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLoggingCategory, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.errors import UserError
from app.i18n import LANG_ENV, choose_language, install_translators
from app.inspection.workbench import Workbench
from app.preferences import load_preferences
from app.profile.db import LOG_FILENAME, Database
from app.profile.errors import ProfileError
from app.profile.files import ProfileLogHandler
from app.profile.key import is_encrypted
from app.profile.opening import open_profile, password_file
from app.profile.paths import resolve_data_dir
from app.profile.set_up import NextStep, needs_first_run, set_up_interrupted
from app.resources import font_path
from ui.dialogs.password import ask_profile_password
from ui.main_window import MainWindow
from ui.preferences_hub import preferences_hub
from ui.tasks import GuiThreadGarbageCollector
from ui.theme import apply_preferences

if TYPE_CHECKING:
    from ui.dialogs.first_run import FirstRunOutcome

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
    # The laptop's look (large type, high contrast) and sounds, read afresh from its file.
    hub = preferences_hub()
    hub.reload()
    apply_preferences(app, hub.preferences)
    if not hasattr(app, "_garbage_collector"):
        app._garbage_collector = GuiThreadGarbageCollector(app)  # type: ignore[attr-defined]
    return app


def install_error_handling(db: Database) -> Path:
    """Log to the profile (encrypted line by line when the profile is: a message may name a
    guard; ``python -m app show-log`` reads it); an unexpected error is logged with its
    traceback and shown as a fault of the program, never silently swallowed."""
    log_path = db.data_dir / LOG_FILENAME
    handler = ProfileLogHandler(db.files, LOG_FILENAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])

    def excepthook(kind: type[BaseException], value: BaseException, trace: object) -> None:
        if isinstance(value, UserError):
            # Something the person can act on (a full disk, a profile another program holds)
            # that no screen caught: said in its own words, not as a fault of the program.
            log.warning("not done: %s", value)
            if QApplication.instance() is not None:
                QMessageBox.warning(
                    None, QCoreApplication.translate("Application", "Venue Supervisor"),
                    str(value))
            return
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


def open_gui_profile(args: argparse.Namespace) -> Database | None:
    """The profile the window works on; None when the supervisor cancels the password.

    A password file (--password-file or its environment variable) is used as the command
    line uses it. Otherwise the password is asked: for an encrypted profile, or to protect a
    profile that has none yet (a new one, or one converted from an older version). The
    built-in demo is opened as it is, unencrypted (demonstration data only), unless it was
    encrypted on purpose."""
    folder = resolve_data_dir(args.data_dir, demo=args.demo)
    # --screenshot runs with nobody at the screen: no dialog, the command line's rules.
    if args.screenshot or password_file(args) or (args.demo and not is_encrypted(folder)):
        return open_profile(args, demo=args.demo)
    return ask_profile_password(folder)


@dataclass(frozen=True)
class GuiProfile:
    """What the window opens on: the profile, the start's arguments (with --demo when the
    demonstration was chosen in the set-up) and what the set-up chose to do first."""

    db: Database
    args: argparse.Namespace
    next_step: NextStep | None = None


def _may_set_up(args: argparse.Namespace) -> bool:
    """A supervisor at the screen, on their own profile: not the demo, not --screenshot, not
    a password file (a script's start, the command line's rules)."""
    return not (args.demo or args.screenshot or password_file(args))


def _set_up(folder: Path, db: Database | None = None) -> FirstRunOutcome | None:
    # Here, not at the top: the set-up's pages (certificates, enrolment) cost about 0.1 s of
    # every start (-X importtime) and are needed once in a profile's life.
    from ui.dialogs.first_run import run_first_run

    return run_first_run(folder, database=db)


def start_gui_profile(args: argparse.Namespace) -> GuiProfile | None:
    """The profile the window works on, after the first-run set-up when the folder has no
    profile yet (ui/dialogs/first_run.py) or its set-up stopped after the password; None
    when the supervisor cancels the password or the set-up."""
    if _may_set_up(args):
        folder = resolve_data_dir(args.data_dir)
        if needs_first_run(folder):
            outcome = _set_up(folder)
            if outcome is None:
                return None
            if outcome.database is not None:
                return GuiProfile(outcome.database, args, outcome.next_step)
            # The demonstration instead: in a profile of its own under the real folder (as
            # --demo keeps it), so the real one stays fresh and the set-up comes back.
            demo_args = argparse.Namespace(**{**vars(args), "demo": True,
                                              "data_dir": str(folder / "demo")})
            demo = open_gui_profile(demo_args)
            return GuiProfile(demo, demo_args) if demo is not None else None
    db = open_gui_profile(args)
    if db is None:
        return None
    if _may_set_up(args) and set_up_interrupted(db):
        outcome = _set_up(db.data_dir, db)
        if outcome is None:
            db.close()
            return None
        return GuiProfile(db, args, outcome.next_step)
    return GuiProfile(db, args)


def start_next_step(window: MainWindow, step: NextStep) -> None:
    """What the supervisor chose to do first at the end of the set-up."""
    if step == NextStep.PULL_FROM_HQ:
        window.sync_menu.pull_event()
    elif step == NextStep.IMPORT_PACKAGE:
        window.sync_menu.import_package()
    else:
        window.new_event()


def open_main_window(start: GuiProfile, lang: str) -> MainWindow:
    """The main window on ``start``'s profile, shown, the set-up's next step begun."""
    args = start.args
    workbench = Workbench(start.db)
    event_id = None
    if args.demo:
        # Here, not at the top: the demo's generator costs about 260 ms of start-up (measured
        # on the development machine) that a supervisor's own profile never needs.
        from app.demo import create_demo_event, use_demo_form

        use_demo_form(start.db)
        event_id = create_demo_event(workbench)
    window = MainWindow(workbench, lang=lang, event_id=event_id)
    if args.demo and not start.db.encrypted:
        window.setWindowTitle(window.windowTitle() + " · " + QCoreApplication.translate(
            "Application", "demonstration data (not encrypted)"))
    if args.screenshot:
        window.show()  # at its preferred size: the picture does not depend on the screen
    else:
        window.show_fitted()
    step = start.next_step
    if step is not None:
        QTimer.singleShot(0, lambda: start_next_step(window, step))
    return window


def gui_language(args: argparse.Namespace) -> str:
    """--lang, then the environment variable, then the language chosen in Settings, then the
    system's."""
    return choose_language(getattr(args, "lang", None) or os.environ.get(LANG_ENV)
                           or load_preferences().language or None)


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    lang = gui_language(args)
    app = make_application(lang)
    try:
        start = start_gui_profile(args)
    except ProfileError as exc:
        if args.screenshot:  # nobody to click a message box away
            print(str(exc), file=sys.stderr)
            return 2
        QMessageBox.critical(None, QCoreApplication.translate("Application", "Venue Supervisor"),
                             QCoreApplication.translate(
                                 "Application", "The profile cannot be opened:\n{error}")
                             .format(error=exc))
        return 2
    if start is None:  # the supervisor cancelled the password or the set-up
        return 0
    db, args = start.db, start.args  # the demo's, when it was chosen instead of a set-up
    install_error_handling(db)
    window = open_main_window(start, lang)
    if args.screenshot:
        # Only with --screenshot: it brings the demo along (app.demo, about 260 ms).
        from ui.screenshot import take_demo_screenshot

        QTimer.singleShot(0, lambda: take_demo_screenshot(window, Path(args.screenshot)))
    if args.ready_file:
        def report_ready() -> None:
            Path(args.ready_file).write_text(f"{time.perf_counter() - started:.4f}\n")

        QTimer.singleShot(0, report_ready)
    code = app.exec()
    db.close()
    return code

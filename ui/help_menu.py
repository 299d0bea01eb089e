"""The main window's Help menu: the user guide (F1), the demonstration and About.

Both windows are modeless and made once per main window: asked for again, the open one is
brought to the front instead of a second copy.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox

from ui.commands import connect_command
from ui.dialogs.about import AboutDialog
from ui.dialogs.user_guide import UserGuideDialog


class HelpMenu(QObject):
    def __init__(self, window: QMainWindow, lang: str) -> None:
        super().__init__(window)
        self.window = window
        self.lang = lang
        self.guide: UserGuideDialog | None = None
        self.about: AboutDialog | None = None
        menu = window.menuBar().addMenu(self.tr("&Help"))
        self.guide_action = QAction(self.tr("User guide"), window)
        self.guide_action.setShortcut(QKeySequence("F1"))
        connect_command(self.guide_action.triggered, self.show_guide)
        self.about_action = QAction(self.tr("About Venue Supervisor"), window)
        connect_command(self.about_action.triggered, self.show_about)
        # The demo one click away after the set-up too: in a program of its own and a profile
        # of its own (its demonstration data never mixes with the supervisor's events).
        self.demo_action = QAction(self.tr("Open the demonstration"), window)
        connect_command(self.demo_action.triggered, self.open_demo)
        menu.addAction(self.guide_action)
        menu.addAction(self.demo_action)
        menu.addSeparator()
        menu.addAction(self.about_action)

    def open_demo(self) -> bool:
        program, arguments, folder = demo_command(self.lang)
        started, _pid = QProcess.startDetached(program, arguments, str(folder))
        if not started:
            QMessageBox.warning(self.window, self.tr("Open the demonstration"), self.tr(
                "The demonstration could not be started ({program})."
            ).format(program=program))
        return bool(started)

    def show_guide(self) -> UserGuideDialog:
        if self.guide is None:
            self.guide = UserGuideDialog(self.lang, self.window)
        _bring_forward(self.guide)
        return self.guide

    def show_about(self) -> AboutDialog:
        # Made anew each time: it reads the build information and the licences as they are.
        if self.about is not None:
            self.about.deleteLater()
        self.about = AboutDialog(self.window)
        _bring_forward(self.about)
        return self.about


def demo_command(lang: str) -> tuple[str, list[str], Path]:
    """This very program with --demo, and the folder to start it in: the built one, or
    ``python -m app`` in the checkout."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--demo", "--lang", lang], Path(sys.executable).parent
    return (sys.executable, ["-m", "app", "--demo", "--lang", lang],
            Path(__file__).resolve().parent.parent)


def _bring_forward(dialog: QDialog) -> None:
    """Show ``dialog``; one already open may be behind the main window: raised too."""
    already_open = dialog.isVisible()
    dialog.show()
    if already_open:
        dialog.raise_()
    dialog.activateWindow()


def install_help(window: QMainWindow, lang: str) -> HelpMenu:
    """Add the Help menu to ``window``; the guide opens in ``lang``."""
    return HelpMenu(window, lang)

"""The main window's Help menu: the user guide (F1) and About.

Both windows are modeless and made once per main window: asked for again, the open one is
brought to the front instead of a second copy.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow

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
        menu.addAction(self.guide_action)
        menu.addSeparator()
        menu.addAction(self.about_action)

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

"""The other windows of a locked app: each open dialog under a lock screen of its own.

When the main window locks (``ui.lock``), a dialog may be open: a question left unanswered,
the F7 head-count, a file dialog, a message a background task showed when it finished. Hiding
it would end the ``exec()`` that shows it, and its question would be answered "No"; so it keeps
running, covered: a lock screen over it, its contents hidden (a screen reader reads hidden
widgets no more than a person sees them), its title the app's name, its close button refused.
A dialog too small for the lock screen (a message box) is enlarged meanwhile. A modal dialog
blocks the main window, so its lock screen is where the password is typed. Unlocked, each
dialog is given back as it was: contents, size, title, focus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QApplication, QWidget

from ui.widgets.lock_screen import LockScreen

# Windows that are not the app's screens: closed (popups) or left alone when it locks.
_NOT_COVERED = frozenset({Qt.WindowType.Popup, Qt.WindowType.ToolTip,
                          Qt.WindowType.SplashScreen, Qt.WindowType.Desktop})
_MAX_WIDGET_SIZE = 16_777_215  # QWIDGETSIZE_MAX
_COVER_MIN_SIZE = (420, 240)  # a dialog smaller than this is enlarged for its lock screen


def alive(widget: QObject | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def app_name() -> str:
    """What a locked window's title says: the app's name alone (MainWindow's own words for
    its title, so one translation serves both)."""
    return QCoreApplication.translate("MainWindow", "Venue Supervisor")


@dataclass(eq=False)
class _Cover:
    """A covered window and what it looked like, to be given back."""

    window: QWidget
    screen: LockScreen
    title: str
    hidden: list[QWidget] = field(default_factory=list)
    contents_hidden: bool = False
    focus: QWidget | None = None
    sizes: tuple[QRect, QSize] | None = None  # its geometry and maximum, if it was enlarged


class WindowCovers(QObject):
    """The covered windows of one locked main window. ``unlock_requested(password, burst)``
    comes from any of their lock screens (see LockScreen)."""

    unlock_requested = Signal(str, str)

    def __init__(self, main_window: QWidget, encrypted: bool) -> None:
        super().__init__(main_window)
        self._main_window = main_window
        self._encrypted = encrypted
        self._covers: list[_Cover] = []
        self._active = False
        self._setting_title = False

    # ------------------------------------------------------------ covering
    def cover_all(self) -> None:
        """Cover every window of the app that is open now (the main window has its own)."""
        self._active = True
        for window in QApplication.topLevelWidgets():
            if self._coverable(window):
                self._hide_contents(self._cover(window))

    def uncover_all(self) -> None:
        self._active = False
        for cover in self._covers:
            self._uncover(cover)
        self._covers.clear()

    def screens(self) -> list[LockScreen]:
        return [cover.screen for cover in self._covers if alive(cover.screen)]

    def screen_in_front(self) -> LockScreen | None:
        """The lock screen of the modal dialog in front (the one that takes keys), if any."""
        front = QApplication.activeModalWidget()
        cover = self._cover_of(front) if front is not None else None
        return cover.screen if cover is not None and alive(cover.screen) else None

    def _coverable(self, widget: QWidget) -> bool:
        return (widget.isWindow() and widget.isVisible() and widget is not self._main_window
                and widget.windowType() not in _NOT_COVERED
                and not isinstance(widget, LockScreen)
                and self._cover_of(widget) is None)

    def _cover(self, window: QWidget) -> _Cover:
        """A lock screen over ``window``, at once: nothing of it shows from now on."""
        screen = LockScreen(self._encrypted, window)
        screen.unlock_requested.connect(self.unlock_requested)
        screen.setGeometry(window.rect())
        screen.show()
        screen.raise_()
        cover = _Cover(window, screen, window.windowTitle())
        self._set_title(window, app_name())
        self._covers.append(cover)
        return cover

    def _hide_contents(self, cover: _Cover) -> None:
        """Hide what is under the cover's lock screen and make the window large enough for
        it; what had the focus is kept first."""
        window = cover.window
        if not alive(window) or cover not in self._covers or cover.contents_hidden:
            return
        cover.focus = window.focusWidget()
        cover.hidden = [child for child in window.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
            if child is not cover.screen and not child.isWindow() and not child.isHidden()]
        for child in cover.hidden:
            child.hide()
        cover.contents_hidden = True
        self._fit(cover)
        if window is QApplication.activeModalWidget() or window.isActiveWindow():
            cover.screen.focus_entry()

    def _fit(self, cover: _Cover) -> None:
        """Make a covered window large enough for its lock screen (a message box, an input
        dialog are smaller), centred where it was; its geometry is kept to be given back."""
        window = cover.window
        if not (self._active and alive(window) and cover in self._covers):
            return
        needed = cover.screen.minimumSizeHint().expandedTo(QSize(*_COVER_MIN_SIZE))
        if needed.width() > window.width() or needed.height() > window.height():
            if cover.sizes is None:
                cover.sizes = (window.geometry(), window.maximumSize())
            # A message box fixes its own size (again when its contents are hidden).
            window.setMaximumSize(_MAX_WIDGET_SIZE, _MAX_WIDGET_SIZE)
            enlarged = QRect(QPoint(0, 0), window.size().expandedTo(needed))
            enlarged.moveCenter(window.geometry().center())
            window.setGeometry(enlarged)
        cover.screen.setGeometry(window.rect())

    def _uncover(self, cover: _Cover) -> None:
        window = cover.window
        if not alive(window):
            return
        if alive(cover.screen):
            cover.screen.hide()
            cover.screen.deleteLater()
        for child in cover.hidden:
            if alive(child):
                child.show()
        if cover.sizes is not None:
            geometry, maximum = cover.sizes
            window.setMaximumSize(maximum)
            window.setGeometry(geometry)
        self._set_title(window, cover.title)
        if alive(cover.focus) and cover.focus is not None:
            cover.focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _cover_of(self, watched: QObject) -> _Cover | None:
        return next((cover for cover in self._covers if cover.window is watched), None)

    def _set_title(self, window: QWidget, title: str) -> None:
        self._setting_title = True
        try:
            window.setWindowTitle(title)
        finally:
            self._setting_title = False

    # ------------------------------------------------------------ while locked
    def window_event(self, window: QWidget, event: QEvent) -> bool:
        """An event of a top-level ``window`` while locked (the lock's filter hands them
        over); True: the event is not to be delivered."""
        kind = event.type()
        if kind == QEvent.Type.Show and self._coverable(window):
            cover = self._cover(window)
            # Its own show sets its size after this filter (a message box fits its text):
            # its contents are hidden once that is done, under the lock screen till then.
            QTimer.singleShot(0, self, lambda: self._hide_contents(cover))
            return False
        cover = self._cover_of(window)
        if cover is None:
            return False
        if kind == QEvent.Type.WindowTitleChange and not self._setting_title:
            # Its program renamed it meanwhile: the name to give back, not to show.
            cover.title = window.windowTitle()
            QTimer.singleShot(0, self, lambda: self._retitle(cover))
        elif kind == QEvent.Type.Resize and alive(cover.screen):
            cover.screen.setGeometry(window.rect())
            if cover.contents_hidden:
                QTimer.singleShot(0, self, lambda: self._fit(cover))
        elif kind == QEvent.Type.Hide and not window.isVisible():
            # Closed by its program meanwhile (a progress dialog whose task finished).
            self._uncover(cover)
            self._covers.remove(cover)
        elif kind == QEvent.Type.Close and event.spontaneous():
            event.ignore()  # its close button: nobody may answer a dialog while locked
            return True
        return False

    def _retitle(self, cover: _Cover) -> None:
        if self._active and cover in self._covers and alive(cover.window):
            self._set_title(cover.window, app_name())

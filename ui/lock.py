"""Locking the window: after an idle time and on demand (Ctrl+L), until the password is given.

A supervisor puts the laptop down to talk to a guard; whoever picks it up must see nothing of
the event. ``install_lock(window)`` (once, from MainWindow) puts the window's contents in a
stack with a lock screen (``ui.widgets.lock_screen``) and adds File → Lock. Locked:

- the window shows the lock screen only: its title is the app's name, the status bar and any
  tool bar are hidden, the menus are disabled, and no shortcut of any window fires (an
  application-wide filter drops Qt's shortcut events: Ctrl+I opens no import, F2 ticks
  nothing);
- every other window of the app (a dialog left open, a message a finished background task
  shows meanwhile) keeps running under a lock screen of its own (``ui.lock_covers``): hidden,
  a dialog's ``exec()`` would end, its question answered "No";
- the camera is stopped (started again on unlock), and a badge scanned anywhere is refused
  with the alert sound and a message on the lock screen, never recorded. Scans the scan router
  catches reach ``refuse_scan_if_locked`` (MainWindow asks it first); a badge typed into the
  password field is recognised by ``app.inspection.locked_scan`` once the text proved not to
  be the password;
- background tasks run on and finish as usual.

The password is checked off the GUI thread (Argon2id takes a fraction of a second):
``app.profile.key.unwrap`` on the profile's key file. Unlocked, everything is as it was:
the tab, the selected post, a half-typed note, the focus. A profile without a password (the
demo) says so on the lock screen and unlocks with its button.

Idle means no key, click, wheel or mouse movement reached the application for the time of the
preferences (``idle_lock_minutes``; 0 never), followed live through ``ui.preferences_hub``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QToolTip,
    QWidget,
)

from app.inspection.locked_scan import was_a_scan
from app.inspection.workbench import Workbench
from app.preferences import Preferences
from app.profile.key import WrongPasswordError, key_file, unwrap
from ui.commands import connect_command
from ui.errors import user_message
from ui.lock_covers import WindowCovers, alive, app_name
from ui.pages.inspection import InspectionPage
from ui.preferences_hub import preferences_hub
from ui.sound import ScanCue
from ui.tasks import run_in_background
from ui.widgets.lock_screen import LockScreen

log = logging.getLogger(__name__)

MS_PER_MINUTE = 60_000  # the unit of idle_lock_minutes (tests shorten it)
LOCK_SHORTCUT = "Ctrl+L"
# A person at the laptop: any of these, to any window of the app, postpones the idle lock.
_INPUT = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod})


class _LockedWindow(Protocol):
    """What the lock uses of MainWindow besides QMainWindow's own (importing ui.main_window
    here would make an import cycle)."""

    workbench: Workbench
    inspection: InspectionPage


def _check_password(path: Path, password: str) -> None:
    """Raises WrongPasswordError unless ``password`` opens the profile's key file; the key
    itself is not kept."""
    unwrap(path, password)


class WindowLock(QObject):
    """The lock of one main window (see the module). ``locked_changed(bool)`` says when it
    locks and unlocks."""

    locked_changed = Signal(bool)

    def __init__(self, window: QMainWindow, encrypted: bool, profile_dir: Path,
                 page: InspectionPage) -> None:
        super().__init__(window)
        self._window = window
        self._page = page
        self.encrypted = encrypted
        self._key_file = key_file(profile_dir)
        self.locked = False
        self._checking = False  # a password is being checked on a worker
        self._active = False  # the application-wide filter is installed
        self._setting_title = False
        self._title = ""
        self._focus: QWidget | None = None
        self._restore: list[QWidget] = []  # the status bar and tool bars hidden by the lock
        self._menus_enabled = True
        self._camera_was_running = False
        self._covers = WindowCovers(window, encrypted)
        self._covers.unlock_requested.connect(self._unlock_requested)

        self.screen = LockScreen(encrypted)
        self.screen.unlock_requested.connect(self._unlock_requested)
        content = window.takeCentralWidget()
        self._stack = QStackedWidget()
        self._stack.addWidget(content)
        self._stack.addWidget(self.screen)
        window.setCentralWidget(self._stack)
        self._content = content

        self.action = QAction(self.tr("Lock"), window)
        self.action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        connect_command(self.action.triggered, self.lock)
        self._add_to_file_menu()

        self._last_input = time.monotonic()
        self._last_input_wall = time.time()
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self._check_idle)
        hub = preferences_hub()
        self._idle_minutes = hub.preferences.idle_lock_minutes
        hub.changed.connect(self._preferences_changed)
        window.installEventFilter(self)  # its showing and hiding turn the lock's watch on/off
        if window.isVisible():
            self._activate()

    # ------------------------------------------------------------ set-up
    def _add_to_file_menu(self) -> None:
        """File → Lock, right before Quit (Ctrl+Q); at the end of the first menu otherwise."""
        menus = [menu for action in self._window.menuBar().actions()
                 if isinstance(menu := action.menu(), QMenu)]
        for menu in menus:
            for action in menu.actions():
                if action.shortcut() == QKeySequence("Ctrl+Q"):
                    menu.insertAction(action, self.action)
                    return
        if menus:
            menus[0].addAction(self.action)
        else:
            self._window.addAction(self.action)

    def _activate(self) -> None:
        """Watch the whole application (input, shortcuts, windows opening) while the window
        is shown; installed after the scan router, it sees every key before the router."""
        if not self._active:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
                self._active = True
        self._note_input()
        self._check_idle()

    def _deactivate(self) -> None:
        """The window was closed: a lock left behind must not cover other windows."""
        app = QApplication.instance()
        if app is not None and self._active:
            app.removeEventFilter(self)
        self._active = False
        self._idle.stop()

    # ------------------------------------------------------------ idle time
    @property
    def idle_ms(self) -> int:
        """How long without input locks the window; 0: never."""
        return max(0, self._idle_minutes) * MS_PER_MINUTE

    def _note_input(self) -> None:
        self._last_input = time.monotonic()
        self._last_input_wall = time.time()

    def _idle_too_long(self) -> bool:
        """Longer than the idle time without input by the wall clock, which runs on while
        the laptop sleeps (the monotonic clock and Qt's timers stop on Linux)."""
        return (not self.locked and self._active and self.idle_ms > 0
                and (time.time() - self._last_input_wall) * 1000 >= self.idle_ms)

    def _check_idle(self) -> None:
        """When the timer comes due: lock if nothing came for the idle time, else wait for
        the rest of it (input only notes its time: no timer restarted on every mouse move)."""
        if self.locked or not self._active or self.idle_ms <= 0:
            self._idle.stop()
            return
        by_wall = (time.time() - self._last_input_wall) * 1000
        left = self.idle_ms - max((time.monotonic() - self._last_input) * 1000, by_wall)
        if left <= 0:
            self.lock(idle=True)
        else:
            self._idle.start(int(left) + 1)

    def _preferences_changed(self, preferences: Preferences) -> None:
        self._idle_minutes = preferences.idle_lock_minutes
        self._check_idle()

    # ------------------------------------------------------------ locking
    def lock(self, idle: bool = False) -> None:
        """Hide everything of the event and ask for the password (see the module)."""
        if self.locked:
            return
        self.locked = True
        self._idle.stop()
        self._activate()
        log.info("window locked (%s)", "idle" if idle else "asked")
        for _ in range(8):  # an open menu or list, then the menu it came from
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
        QToolTip.hideText()
        window = self._window
        self._focus = window.focusWidget()
        self._title = window.windowTitle()
        self._set_title(window, app_name())
        self._menus_enabled = window.menuBar().isEnabled()
        window.menuBar().setEnabled(False)
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        bars = [window.statusBar(), *window.findChildren(QToolBar, options=direct),
                *window.findChildren(QDockWidget, options=direct)]
        self._restore = [bar for bar in bars if not bar.isHidden()]
        for bar in self._restore:
            bar.hide()
        camera = self._page.camera
        self._camera_was_running = camera.running
        camera.stop()
        camera.decoder.blockSignals(True)  # a frame taken before the lock is no scan now
        self._stack.setCurrentWidget(self.screen)
        self.screen.reset()
        self._covers.cover_all()
        self._focus_entry()
        self.locked_changed.emit(True)

    def _unlock(self) -> None:
        self.locked = False
        self._checking = False
        log.info("window unlocked")
        self._covers.uncover_all()
        window = self._window
        self._stack.setCurrentWidget(self._content)
        window.menuBar().setEnabled(self._menus_enabled)
        for bar in self._restore:
            if alive(bar):
                bar.show()
        self._restore = []
        self._set_title(window, self._title)
        self._page.camera.decoder.blockSignals(False)
        if self._camera_was_running:
            self._page.camera.start()
        if alive(self._focus) and self._focus is not None and self._focus.isVisible():
            self._focus.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self._page.isVisible():
            self._page.focus_scan()
        self._focus = None
        self.screen.reset()
        self._note_input()
        self._check_idle()
        self.locked_changed.emit(False)

    def _set_title(self, window: QWidget, title: str) -> None:
        self._setting_title = True
        try:
            window.setWindowTitle(title)
        finally:
            self._setting_title = False

    # ------------------------------------------------------------ unlocking
    def _screens(self) -> list[LockScreen]:
        return [self.screen, *self._covers.screens()]

    def _say(self, text: str, calm: bool = False) -> None:
        for screen in self._screens():
            screen.say(text, calm)

    def _focus_entry(self) -> None:
        """The lock screen that can take keys: the dialog's in front, else the window's."""
        (self._covers.screen_in_front() or self.screen).focus_entry()

    def _unlock_requested(self, password: str, burst: str) -> None:
        if not self.locked:
            return
        if not self.encrypted:
            self._unlock()
            return
        if self._checking:
            # A badge scanned while the password is checked is surely not the password again.
            if was_a_scan(burst):
                self._clear_passwords()
                self._refuse_scan()
            return
        if not password:
            self._say(self.tr("Enter the password."))
            return
        self._checking = True
        for screen in self._screens():
            screen.set_checking(True)
        self._say(self.tr("Checking the password…"), calm=True)
        path = self._key_file
        run_in_background(lambda: _check_password(path, password), self._password_right,
                          lambda exc: self._password_refused(exc, burst), owner=self)

    def _password_right(self, _nothing: object) -> None:
        if self.locked:
            self._unlock()

    def _password_refused(self, exc: Exception, burst: str) -> None:
        self._checking = False
        if not self.locked:
            return
        for screen in self._screens():
            screen.set_checking(False)
        self._clear_passwords()
        if isinstance(exc, WrongPasswordError):
            if was_a_scan(burst):
                self._refuse_scan()
            else:
                self._say(self.tr("Wrong password. Try again."))
        else:  # a key file gone or damaged: said in its own words
            self._say(user_message(exc))
        self._focus_entry()

    def _clear_passwords(self) -> None:
        for screen in self._screens():
            screen.password.clear()

    # ------------------------------------------------------------ scans
    def refuse_scan_if_locked(self) -> bool:
        """A badge was scanned (the scan router caught it): True if the window is locked,
        the scan then refused with the alert sound and said on the lock screen; False
        otherwise (it counts as input: the person is there)."""
        if not self.locked:
            self._note_input()
            return False
        self._refuse_scan()
        return True

    def _refuse_scan(self) -> None:
        log.info("a badge scanned while the window was locked was refused")
        page = self._page
        if page.cue is None:  # the page loads it once the window is up; needed now
            page.cue = ScanCue(page)
        page.cue.play(False, even_if_muted=True)
        self._say(self.tr("A badge was scanned while locked: nothing was recorded. Unlock, "
                          "then scan it again."))

    # ------------------------------------------------------------ the filter
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind in _INPUT:
            if self._idle_too_long():
                # The laptop slept (the monotonic clock stood still, Qt's timer with it): the
                # first touch after a long sleep locks instead of counting as use.
                self.lock(idle=True)
                return True
            self._note_input()
            if (kind == QEvent.Type.KeyPress and not self.locked
                    and isinstance(event, QKeyEvent) and _is_lock_key(event)):
                # Ctrl+L with a modal dialog open: Qt gives the menu's shortcut no chance
                # (the dialog blocks the window), so the key itself locks.
                self.lock()
                return True
            return False
        if watched is self._window and kind in (QEvent.Type.Show, QEvent.Type.Hide):
            if self._window.isVisible():
                self._activate()
            else:
                self._deactivate()
            return False
        if not self.locked:
            return False
        if kind == QEvent.Type.Shortcut:
            return True  # no command runs while locked
        if watched is self._window:
            if kind == QEvent.Type.WindowTitleChange and not self._setting_title:
                # Renamed meanwhile (another event opened): the title to give back.
                self._title = self._window.windowTitle()
                QTimer.singleShot(0, self, self._retitle)
            return False
        if isinstance(watched, QWidget) and watched.isWindow():
            return self._covers.window_event(watched, event)
        return False

    def _retitle(self) -> None:
        if self.locked:
            self._set_title(self._window, app_name())


def _is_lock_key(event: QKeyEvent) -> bool:
    return QKeySequence(event.keyCombination()) == QKeySequence(LOCK_SHORTCUT)


def install_lock(window: QMainWindow) -> WindowLock:
    """Give MainWindow ``window`` its lock (see the module): call once, at the end of its
    ``__init__``, after its menus and its scan router."""
    parts = cast(_LockedWindow, window)
    db = parts.workbench.db
    lock = WindowLock(window, db.encrypted, db.data_dir, parts.inspection)
    # The camera, a badge photo or the clipboard reach the page without the scan router: a
    # decode that finishes after the lock is refused there too.
    parts.inspection.scans_refused = lock.refuse_scan_if_locked
    return lock

"""Catching a barcode scanner's burst wherever the keyboard focus happens to be.

The scanner is a keyboard: whatever has the focus gets its keys. In the scan field
(``ScanField``) that is right. Anywhere else it is wrong twice over: the code ends up in a
note or a spin box, and its Enter confirms whatever dialog is open. ``ScanRouter`` is an
application-wide event filter that holds back the printable keys addressed to any other
widget until ``app.inspection.scan_timing.BurstTracker`` has decided: a burst is taken out (its
keys, terminator included, never reach the widget) and emitted once as ``scanned``; a person's
keys are handed back to the widget they were meant for, in order, a few tens of
milliseconds late.

Install it once for the application::

    router = ScanRouter(app)
    router.install()  # QApplication.instance().installEventFilter(router)

Decisions are taken on the keys' own timestamps (``QKeyEvent.timestamp()``, set by the
window system when the key was pressed), so keys that sat in the event queue while the GUI
thread was busy keep their real spacing. Only when no key comes does the router's own
clock (a single-shot timer) decide that a held run went quiet, and only after delivering
what is already queued.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from app.inspection.scan_timing import SCANNER_IDLE_MS, Action, BurstTracker, KeyKind, Step
from ui.widgets.scan_field import ScanField, deliver_pending_input, key_kind_of, key_time_ms

_KEY_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease})
# Input that is not a key press: a person who types and then clicks expects the typed
# characters to be in the field before the click is handled.
_OTHER_INPUT = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
                          QEvent.Type.InputMethod})
_WATCHED = _KEY_EVENTS | _OTHER_INPUT
# A swallowed key's release normally follows within ~100 ms; one that never came (the window
# lost the focus meanwhile) must not swallow an unrelated release much later.
_RELEASE_WAIT_MS = 1000.0


# A widget with this dynamic property set to True gets every key as it was typed, bursts
# included: the Settings dialog's scanner test shows what the scanner typed, not a scan.
RAW_KEYS_PROPERTY = "receivesRawKeys"


def _left_alone(widget: QWidget) -> bool:
    """A passphrase field is left alone: a password manager types into it as fast as a
    scanner, and a passphrase is never a badge. So is a widget that asked for raw keys."""
    if widget.property(RAW_KEYS_PROPERTY) is True:
        return True
    return isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal


def _pointer(obj: object) -> int:
    return shiboken6.getCppPointer(obj)[0]


def _parent_pointer(widget: QWidget) -> int | None:
    parent = widget.parentWidget()
    return _pointer(parent) if parent is not None else None


@dataclass(frozen=True, slots=True)
class _KeyCopy:
    """What is needed to make a fresh QKeyEvent like one the filter saw (that event is gone
    once its delivery ends)."""

    key: int
    modifiers: Qt.KeyboardModifier
    native_scan_code: int
    native_virtual_key: int
    native_modifiers: int
    text: str
    auto_repeat: bool
    count: int
    timestamp: int

    @classmethod
    def of(cls, event: QKeyEvent) -> _KeyCopy:
        return cls(event.key(), event.modifiers(), event.nativeScanCode(),
                   event.nativeVirtualKey(), event.nativeModifiers(), event.text(),
                   event.isAutoRepeat(), event.count(), event.timestamp())

    def event(self, kind: QEvent.Type) -> QKeyEvent:
        fresh = QKeyEvent(kind, self.key, self.modifiers, self.native_scan_code,
                          self.native_virtual_key, self.native_modifiers, self.text,
                          self.auto_repeat, self.count)
        fresh.setTimestamp(self.timestamp)  # the note's own burst check sees the real rhythm
        return fresh


@dataclass(frozen=True, slots=True)
class _Delivery:
    """A key event as let through to a widget, and the widget Qt offers it to next if that
    one ignores it (its parent). The event is the same object all along; its address alone
    could be reused by the next key, so its key, type and timestamp are compared too."""

    pointer: int
    kind: QEvent.Type
    key: int
    timestamp: int
    next_receiver: int | None

    @classmethod
    def of(cls, event: QKeyEvent, receiver: QWidget) -> _Delivery:
        return cls(_pointer(event), event.type(), event.key(), event.timestamp(),
                   _parent_pointer(receiver))

    def moves_on_to(self, later: _Delivery, receiver: QWidget) -> bool:
        """Whether ``later``, offered to ``receiver``, is this same event propagating."""
        return (self.next_receiver == _pointer(receiver)
                and (self.pointer, self.kind, self.key, self.timestamp)
                == (later.pointer, later.kind, later.key, later.timestamp))


@dataclass(slots=True)
class _HeldKey:
    receiver: QWidget
    press: _KeyCopy
    time_ms: float
    release: _KeyCopy | None = None  # its release came while the press was held


class ScanRouter(QObject):
    """Application-wide: a scanner burst typed into any widget but a ScanField becomes one
    ``scanned`` signal; a person's typing reaches its widget unchanged."""

    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tracker: BurstTracker[_HeldKey] = BurstTracker()
        # Bumped by every key and other input: the idle check that delivered queued input
        # meanwhile then knows its look is out of date.
        self._generation = 0
        self._replaying: int | None = None  # the event this router itself is delivering
        # The last key event let through, and where Qt would propagate it if its receiver
        # ignores it: that second delivery is the same key, not a new one.
        self._passed: _Delivery | None = None
        self._releases_to_swallow: list[tuple[int, float]] = []  # (key, press time)
        self._installed = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setTimerType(Qt.TimerType.PreciseTimer)
        self._idle.setInterval(SCANNER_IDLE_MS)
        self._idle.timeout.connect(self._went_quiet)

    # ------------------------------------------------------------ installing
    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        """Stop filtering; keys still held are decided now (typing goes to its widget)."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._installed = False
        self._idle.stop()
        self._settle(self._tracker.idle())

    @property
    def holding(self) -> int:
        """How many key presses are held back right now."""
        return self._tracker.holding

    # ------------------------------------------------------------ filtering
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            # Esc, F2, F6, Ctrl+Z... fire as shortcuts before any key press is sent: the
            # characters typed before them must reach their widget first.
            if (isinstance(event, QKeyEvent) and key_kind_of(event) is KeyKind.OTHER
                    and self._tracker.holding and self._replaying is None):
                self._generation += 1
                self._settle(self._tracker.interrupt())
            return False
        if kind not in _WATCHED:
            return False
        if kind in _OTHER_INPUT:
            if self._tracker.holding and self._replaying is None:
                self._generation += 1
                self._settle(self._tracker.interrupt())
            return False
        if not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget):
            # A key from the window system reaches its window first, which hands it to the
            # focus widget: a new key, whatever the last one was.
            self._passed = None
            return False
        delivery = _Delivery.of(event, watched)
        if delivery.pointer == self._replaying or self._propagating(delivery, watched):
            return False
        self._generation += 1
        if kind == QEvent.Type.KeyRelease:
            swallowed = self._release(event)
        else:
            swallowed = self._press(watched, event)
        self._passed = None if swallowed else delivery
        return swallowed

    def _propagating(self, delivery: _Delivery, watched: QWidget) -> bool:
        """Whether this is a key that a child ignored, now offered to its parent (Qt runs
        the application's filters again for each): only its first receiver counts."""
        if self._passed is None or not self._passed.moves_on_to(delivery, watched):
            return False
        self._passed = delivery  # and on to its parent, if this one ignores it too
        return True

    def _press(self, receiver: QWidget, event: QKeyEvent) -> bool:
        key_kind = key_kind_of(event)
        if isinstance(receiver, ScanField) or _left_alone(receiver) or key_kind is None:
            # The scan field judges its own keys; a lone Shift belongs to no run.
            if isinstance(receiver, ScanField) and self._tracker.holding:
                self._settle(self._tracker.interrupt())
            return False
        now = key_time_ms(event)
        held = _HeldKey(receiver, _KeyCopy.of(event), now)
        step = self._tracker.feed(now, key_kind, event.text(), held)
        if step.current is Action.SWALLOW:
            self._expect_release(held)
        self._settle(step)  # keys released here reach their widget before this one
        if step.current is Action.HOLD:
            self._idle.start()
            return True
        if not self._tracker.holding:
            self._idle.stop()
        return step.current is Action.SWALLOW

    def _release(self, event: QKeyEvent) -> bool:
        """Swallow the release of a key whose press was held or swallowed: the widget must
        not see a release without its press (a button would be left half-pressed)."""
        if event.isAutoRepeat():
            return False
        key = event.key()
        for held in self._tracker.held_payloads:
            if held.press.key == key and held.release is None:
                held.release = _KeyCopy.of(event)  # replayed right after its press
                return True
        now = key_time_ms(event)
        self._releases_to_swallow = [(k, t) for k, t in self._releases_to_swallow
                                     if 0 <= now - t <= _RELEASE_WAIT_MS]
        for index, (swallowed_key, _pressed) in enumerate(self._releases_to_swallow):
            if swallowed_key == key:
                del self._releases_to_swallow[index]
                return True
        return False

    def _expect_release(self, held: _HeldKey) -> None:
        if held.release is None:
            self._releases_to_swallow.append((held.press.key, held.time_ms))

    # ------------------------------------------------------------ deciding
    def _settle(self, step: Step[_HeldKey]) -> None:
        """Carry out a step's verdict on the held keys: typing is replayed, a scan is
        swallowed and emitted. The current key's own fate is the caller's."""
        for held in step.released:
            self._replay(held)
        if step.scan is not None:
            for held in step.swallowed:
                self._expect_release(held)
            self.scanned.emit(step.scan)

    def _replay(self, held: _HeldKey) -> None:
        if not shiboken6.isValid(held.receiver):
            return  # the widget is gone; so is the text it would have shown
        outer = self._replaying
        try:
            for copy, kind in ((held.press, QEvent.Type.KeyPress),
                               (held.release, QEvent.Type.KeyRelease)):
                if copy is None or not shiboken6.isValid(held.receiver):
                    continue
                fresh = copy.event(kind)
                self._replaying = _pointer(fresh)
                QApplication.sendEvent(held.receiver, fresh)
        finally:
            self._replaying = outer

    def _went_quiet(self) -> None:
        """No key for SCANNER_IDLE_MS by the GUI's clock. Keys of the same burst may still be
        queued (the GUI thread was busy): deliver them first, and decide only if none came."""
        if not self._tracker.holding:
            return
        generation = self._generation
        deliver_pending_input()
        if generation == self._generation:
            self._generation += 1
            self._settle(self._tracker.idle())
        elif self._tracker.holding and not self._idle.isActive():
            self._idle.start()

"""Telling a barcode scanner's keystrokes from a person's, by their timing alone.

A USB barcode scanner is a keyboard to the PC: it types the code as a burst of key presses
2-15 ms apart, 10-200 printable ASCII characters, usually followed by Enter, sometimes Tab,
sometimes by nothing. People are slower: even a very fast typist leaves about 30 ms between
keys, and the only faster pairs are key rollovers (two keys pressed almost together), which
never run ten keys long. A Chinese input method commits non-ASCII text, which no scanner
types. So a run of at least ``SCANNER_MIN_BURST`` printable ASCII keys, each at most
``SCANNER_MAX_KEY_GAP_MS`` after the one before, is a scan; anything else is typing.

The decision cannot be taken when a key arrives: the first keys of a burst look like any
other key. ``BurstTracker`` therefore *holds* each printable key until it knows: the run
grows into a burst and ends with a terminator or silence (a scan: the held keys are
swallowed) or it breaks off early (typing: the held keys are handed back, in order, to the
widget they were meant for). A person's key is held only until the gap has passed, a few
tens of milliseconds.

This module is pure Python (no Qt), so the rule can be tested on traces and benchmarked;
``ui.scan_router`` feeds it real key events and ``ui.widgets.scan_field`` uses its thresholds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

# A scanner sends a key every 2-15 ms; low-speed USB keyboards are polled every 8-10 ms,
# which can push one of its keys a polling interval late (15 + 8 = 23 ms). A fast typist's
# steady rhythm is about 30 ms. 24 ms sits between the two. Of the two mistakes, calling one
# slow scanner gap "typing" costs more (it breaks a scan) than calling one quick human pair
# "burst" (a person would need nine such gaps in a row to make a scan), hence the upper half.
SCANNER_MAX_KEY_GAP_MS = 24
# Badge payloads and certificate numbers are longer than this; nine quick keys can still
# be a person's rollover flurry or a short code typed by hand.
SCANNER_MIN_BURST = 10
# Longer than any barcode a badge or a label carries: such a burst is something else
# (a password manager's auto-type, a stuck key) and is let through as typing.
MAX_SCAN_LENGTH = 1024
# How long the GUI waits, on its own clock, before it decides that a held run went quiet.
# Longer than the gap by a Windows clock tick (15.6 ms): key timestamps and timers are only
# that precise there, and a key delivered late must not be taken for silence.
SCANNER_IDLE_MS = SCANNER_MAX_KEY_GAP_MS + 16

_FIRST_PRINTABLE, _LAST_PRINTABLE = 0x20, 0x7E

T = TypeVar("T")


class KeyKind(Enum):
    PRINTABLE = "printable"  # one printable ASCII character, no Ctrl/Alt/Meta: may be a burst
    TERMINATOR = "terminator"  # Enter, Return, Tab, Backtab: may end a burst
    OTHER = "other"  # anything else (arrows, F-keys, shortcuts, non-ASCII text): ends a run


class Action(Enum):
    """What becomes of the key just fed."""

    HOLD = "hold"  # keep it back: it may be part of a burst
    PASS = "pass"  # deliver it now, after any keys released before it
    SWALLOW = "swallow"  # it belongs to a scan: no widget gets it


def key_kind(text: str, *, terminator: bool = False, command_modifier: bool = False
             ) -> KeyKind:
    """The kind of a key press from what it types.

    ``terminator``: the key is Enter, Return, Tab or Backtab. ``command_modifier``: Ctrl,
    Alt or Meta is held (Shift is not one: scanners type capitals with it), which makes the
    key a shortcut, never part of a code.
    """
    if command_modifier:
        return KeyKind.OTHER
    if terminator:
        return KeyKind.TERMINATOR
    if len(text) == 1 and _FIRST_PRINTABLE <= ord(text) <= _LAST_PRINTABLE:
        return KeyKind.PRINTABLE
    return KeyKind.OTHER


def is_burst_gap(previous_ms: float | None, now_ms: float) -> bool:
    """Whether a key at ``now_ms`` follows one at ``previous_ms`` as closely as a scanner's.

    A negative gap (the clock wrapped, or two clocks were mixed) is not a burst: when the
    timing cannot be trusted the key is treated as typing, which loses nothing.
    """
    return previous_ms is not None and 0 <= now_ms - previous_ms <= SCANNER_MAX_KEY_GAP_MS


@dataclass(frozen=True, slots=True)
class Step(Generic[T]):
    """The tracker's answer to one event.

    ``released``: held keys (their payloads, oldest first) that turned out to be typing;
    they must reach their widget *before* the current key. ``scan``: the held keys formed a
    scan; ``swallowed`` holds their payloads (no widget gets those keys; the router still
    needs them to swallow the key releases that follow). ``current``: what to do with the
    key just fed (None for a step without a key: ``timeout``, ``idle``, ``interrupt``).
    """

    current: Action | None = None
    released: tuple[T, ...] = ()
    scan: str | None = None
    swallowed: tuple[T, ...] = ()


@dataclass(slots=True)
class _Held(Generic[T]):
    char: str
    payload: T


@dataclass
class BurstTracker(Generic[T]):
    """Decides key by key whether printable keys are typing or a scanner burst.

    Feed it every key press with its timestamp (``feed``); when no key has come for a while
    call ``timeout`` (or ``idle``, if the caller's own clock says the gap has passed). Each
    held key carries a payload of the caller's choice (the router keeps the Qt event and
    its receiver there), which comes back in ``Step.released`` when the key is typing.

    Invariant: the held keys are one run, each within ``SCANNER_MAX_KEY_GAP_MS`` of the one
    before. So when the run ends, for whatever reason, its length alone decides: at least
    ``SCANNER_MIN_BURST`` keys are a scan, fewer are typing.
    """

    _held: list[_Held[T]] = field(default_factory=list)
    _last_ms: float | None = None  # the newest held (or passed-through burst) key
    _scan_ended_ms: float | None = None  # the terminator of the last scan
    _overlong: bool = False  # the current burst went past MAX_SCAN_LENGTH: let it through

    @property
    def holding(self) -> int:
        """How many keys are held back."""
        return len(self._held)

    @property
    def held_text(self) -> str:
        return "".join(h.char for h in self._held)

    @property
    def held_payloads(self) -> tuple[T, ...]:
        return tuple(h.payload for h in self._held)

    @property
    def deadline_ms(self) -> float | None:
        """When the held run ends if no key comes (in the keys' clock), None if none held."""
        if not self._held or self._last_ms is None:
            return None
        return self._last_ms + SCANNER_MAX_KEY_GAP_MS

    def feed(self, time_ms: float, kind: KeyKind, char: str, payload: T) -> Step[T]:
        """One key press, ``time_ms`` from the key's own timestamp (not arrival time).

        ``payload`` is kept with the key if it is held, and handed back if it is released.
        """
        in_burst = is_burst_gap(self._last_ms, time_ms)
        if self._overlong:
            if kind is KeyKind.PRINTABLE and in_burst:
                self._last_ms = time_ms
                return Step(Action.PASS)
            self._overlong = False
        if kind is KeyKind.PRINTABLE:
            return self._printable(time_ms, char, payload, in_burst)
        if kind is KeyKind.TERMINATOR:
            if self._held and in_burst and len(self._held) >= SCANNER_MIN_BURST:
                held = self._take_held()
                self._scan_ended_ms = time_ms
                return Step(Action.SWALLOW, scan="".join(h.char for h in held),
                            swallowed=tuple(h.payload for h in held))
            if not self._held and is_burst_gap(self._scan_ended_ms, time_ms):
                # Scanners set to CR+LF, or Enter+Tab, send a second terminator right after
                # the first; let through it would confirm whatever dialog has the focus.
                self._scan_ended_ms = time_ms
                return Step(Action.SWALLOW)
        ended = self._end_run()
        return Step(Action.PASS, ended.released, ended.scan, ended.swallowed)

    def timeout(self, now_ms: float) -> Step[T]:
        """Time passes without a key: once the gap is over, the held run is decided."""
        deadline = self.deadline_ms
        if deadline is None or now_ms <= deadline:
            return Step()
        return self._end_run()

    def idle(self) -> Step[T]:
        """The caller knows (by its own clock) that the gap has passed: decide the held run."""
        return self._end_run()

    def interrupt(self) -> Step[T]:
        """Some other input came (a click, an input method's text): a run too short to be a
        scan is a person's typing and must reach its widget before that input does. A run
        long enough to be a scan is no person's, so it stays held for its terminator."""
        if len(self._held) >= SCANNER_MIN_BURST:
            return Step()
        return self._end_run()

    def _printable(self, time_ms: float, char: str, payload: T, in_burst: bool) -> Step[T]:
        ended: Step[T] = Step()
        if self._held and not in_burst:
            ended = self._end_run()
        elif len(self._held) >= MAX_SCAN_LENGTH:
            released = tuple(h.payload for h in self._take_held())
            self._overlong = True
            self._last_ms = time_ms
            return Step(Action.PASS, released)
        self._held.append(_Held(char, payload))
        self._last_ms = time_ms
        return Step(Action.HOLD, ended.released, ended.scan, ended.swallowed)

    def _take_held(self) -> list[_Held[T]]:
        held, self._held, self._last_ms = self._held, [], None
        return held

    def _end_run(self) -> Step[T]:
        if not self._held:
            return Step()
        held = self._take_held()
        payloads = tuple(h.payload for h in held)
        if len(held) >= SCANNER_MIN_BURST:
            return Step(scan="".join(h.char for h in held), swallowed=payloads)
        return Step(released=payloads)


# ------------------------------------------------------------------ traces
@dataclass(frozen=True, slots=True)
class TraceKey:
    """One key press of a recorded or generated trace."""

    time_ms: float
    kind: KeyKind
    char: str = ""  # the text it types ("\r" for Enter, "\t" for Tab, "" for an arrow)


@dataclass(frozen=True, slots=True)
class TraceResult:
    scans: list[str]
    typed: str  # what reached the widget, in order (terminators and IME text included)


def printable_trace(text: str, times_ms: Sequence[float]) -> list[TraceKey]:
    """Keys typing ``text`` at ``times_ms``; Enter as "\\r" and Tab as "\\t" are terminators,
    printable ASCII is printable, everything else (IME text) is an other key."""
    if len(text) != len(times_ms):
        raise ValueError("one time per character")
    return [TraceKey(t, key_kind(ch, terminator=ch in "\r\t"), ch)
            for ch, t in zip(text, times_ms, strict=True)]


def classify_trace(trace: Iterable[TraceKey]) -> TraceResult:
    """Run a trace through a ``BurstTracker`` as the router would: the idle step fires
    whenever the next key is later than the gap, and once more after the last key.

    Returns the scans found and the text that reached the widget."""
    tracker: BurstTracker[str] = BurstTracker()
    scans: list[str] = []
    typed: list[str] = []

    def apply(step: Step[str], char: str) -> None:
        typed.extend(step.released)
        if step.scan is not None:
            scans.append(step.scan)
        if step.current is Action.PASS:
            typed.append(char)

    for key in trace:
        apply(tracker.timeout(key.time_ms), "")
        apply(tracker.feed(key.time_ms, key.kind, key.char, key.char), key.char)
    apply(tracker.idle(), "")
    return TraceResult(scans, "".join(typed))

"""What a scanner typed, judged by the app's own rule: the scanner test page's analysis.

The keys of one try (``KeyRecord``: when, what kind, what text) are shown with every control
character and terminator made visible, timed key to key, and run through
``app.inspection.scan_timing.classify_trace``, the very rule the scan router and the scan field
apply, so "it looked like a scanner" here means the inspection would have taken it as a scan.

Keyboard-layout trouble is the other thing a supervisor cannot see: a USB scanner sends key
positions of a US keyboard, and the laptop's layout turns them into its own characters. On a
French (AZERTY) layout the digits come out as ``&é"'(-è_çà``; on a German (QWERTZ) one Y and Z
swap places, which leaves a badge's code well-formed but no longer what was signed. The test
code ``REFERENCE_CODE`` holds exactly the characters that tell these apart; any other text is
checked against what a badge can hold (app.badge.payload: ``VS1`` and base32, A-Z and 2-7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import QCoreApplication

from app.badge.payload import PAYLOAD_PREFIX, POST_PREFIX
from app.inspection.scan_timing import (
    MAX_SCAN_LENGTH,
    SCANNER_IDLE_MS,
    SCANNER_MAX_KEY_GAP_MS,
    SCANNER_MIN_BURST,
    KeyKind,
    TraceKey,
    classify_trace,
)

# Digits (a French layout), A Q W Z M (French letters), Y Z (German), a hyphen (both), and
# capitals only (Caps Lock turns them to lower case).
REFERENCE_CODE = "SCANTEST-0123456789-AMQWYZ"
ENTER_TEXT, TAB_TEXT = "\r", "\t"
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_ASCII_CONTROL_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 "
                        "DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()
# What a US key position types on these layouts, where it differs (capitals: with Shift).
_FRENCH = dict(zip("1234567890-AQWZM", "&é\"'(-è_çà)QAZW?", strict=True))
_GERMAN = {"Y": "Z", "Z": "Y", "-": "ß"}
_FRENCH_ONLY = frozenset("éèçà")
_GERMAN_ONLY = frozenset("ßäöüÄÖÜ§")


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key press of a try, as the scan router would judge it."""

    time_ms: float
    kind: KeyKind
    text: str  # what it typed: "\r" for Enter, "\t" for Tab, "" for a key that types nothing
    name: str = ""  # the key's name when it types nothing (F5, Left)


@dataclass(frozen=True, slots=True)
class ScanReport:
    shown: str  # every key, made visible
    characters: str  # every character typed, terminators and control keys left out
    terminator: str  # in words
    gaps_ms: tuple[float, ...]
    total_ms: float
    scans: tuple[str, ...]  # what the app would take as scans
    looked_like_scanner: bool
    verdict: str
    reasons: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()


def visible(key: KeyRecord) -> str:
    """The key as it is shown: printable characters as they are, the rest in brackets."""
    if key.kind is KeyKind.TERMINATOR:
        return "[Tab]" if key.text == TAB_TEXT else "[Enter]"
    if key.text == " ":
        return "␣"
    if len(key.text) == 1 and (ord(key.text) < 32 or ord(key.text) == 127):
        code = ord(key.text)
        return f"[{_ASCII_CONTROL_NAMES[code] if code < 32 else 'DEL'}]"
    if key.text:
        return key.text
    return f"[{key.name or '?'}]"


def _terminator_words(keys: Sequence[KeyRecord]) -> str:
    trailing: list[str] = []
    for key in reversed(keys):
        if key.kind is not KeyKind.TERMINATOR:
            break
        trailing.append("Tab" if key.text == TAB_TEXT else "Enter")
    if not trailing:
        return QCoreApplication.translate(
            "ScannerTest", "none: the app takes {ms} ms of silence as the end of a scan"
        ).format(ms=SCANNER_IDLE_MS)
    names = ", ".join(reversed(trailing))
    if len(trailing) > 1:
        return QCoreApplication.translate(
            "ScannerTest", "{keys} (the app ignores the second)").format(keys=names)
    return names


def _reasons(keys: Sequence[KeyRecord], characters: str) -> list[str]:
    """Why the keys were not (or not only) one scan, in the rule's own terms."""
    reasons: list[str] = []
    counted = sum(1 for key in keys if key.kind is KeyKind.PRINTABLE)
    if counted < SCANNER_MIN_BURST:
        reasons.append(QCoreApplication.translate(
            "ScannerTest", "Only {count} characters a scanner types came: a scan has at least "
            "{minimum}.").format(count=counted, minimum=SCANNER_MIN_BURST))
    if len(characters) > MAX_SCAN_LENGTH:
        reasons.append(QCoreApplication.translate(
            "ScannerTest", "More than {maximum} characters: longer than any badge, so the app "
            "takes it as typing.").format(maximum=MAX_SCAN_LENGTH))
    slow = [later.time_ms - earlier.time_ms for earlier, later in pairwise(keys)
            if earlier.kind is KeyKind.PRINTABLE and later.kind is not KeyKind.OTHER
            and later.time_ms - earlier.time_ms > SCANNER_MAX_KEY_GAP_MS]
    if slow:
        reasons.append(QCoreApplication.translate(
            "ScannerTest", "{count} of the gaps were longer than {limit} ms (the longest "
            "{longest} ms): a scanner's keys come faster.").format(
            count=len(slow), limit=SCANNER_MAX_KEY_GAP_MS, longest=round(max(slow))))
    others = sorted({visible(key) for key in keys if key.kind is KeyKind.OTHER})
    if others:
        reasons.append(QCoreApplication.translate(
            "ScannerTest", "Keys no scanner types in a code ({keys}) broke the run.").format(
            keys=" ".join(others)))
    return reasons


def _verdict(scans: Sequence[str], characters: str, typed: str) -> str:
    if not scans:
        return QCoreApplication.translate(
            "ScannerTest", "It did not look like a scanner: the app would take this as typing.")
    if len(scans) == 1 and scans[0] == characters:
        return QCoreApplication.translate(
            "ScannerTest", "It looked like a scanner: the app takes this as one scan.")
    if len(scans) == 1:
        return QCoreApplication.translate(
            "ScannerTest", "It looked like a scanner, but only in part: the app would take "
            "“{scan}” as a scan and “{typed}” as typing.").format(scan=scans[0], typed=typed)
    return QCoreApplication.translate(
        "ScannerTest", "It looked like a scanner, but the app would read {count} scans "
        "instead of one: “{scans}”.").format(count=len(scans), scans="”, “".join(scans))


def _differences(expected: str, got: str) -> str:
    pairs: list[str] = []
    for want, have in zip(expected, got, strict=True):
        pair = f"{want}→{have}"
        if want != have and pair not in pairs:
            pairs.append(pair)
    return ", ".join(pairs)


def french_advice() -> str:
    return QCoreApplication.translate(
        "ScannerTest", "The keyboard layout is French (AZERTY): digits come out as "
        "&é\"'(-è_çà and A/Q, W/Z are swapped. Switch the laptop's keyboard to English (US) "
        "while scanning, or set the scanner to the AZERTY layout.")


def german_advice() -> str:
    return QCoreApplication.translate(
        "ScannerTest", "The keyboard layout is German (QWERTZ): Y and Z are swapped, so a "
        "badge would read as altered. Switch the laptop's keyboard to English (US) while "
        "scanning, or set the scanner to the QWERTZ layout.")


def caps_lock_advice() -> str:
    return QCoreApplication.translate(
        "ScannerTest", "Caps Lock is on: capitals came in lower case. The app still reads "
        "badges, but switch Caps Lock off.")


_LAYOUTS: tuple[tuple[Callable[[str], str], Callable[[], str]], ...] = (
    (lambda text: "".join(_FRENCH.get(ch, ch) for ch in text), french_advice),
    (lambda text: "".join(_GERMAN.get(ch, ch) for ch in text), german_advice),
    (str.swapcase, caps_lock_advice),
)


def _reference_hints(characters: str) -> list[str] | None:
    """Hints for a scan of the test code; None when the text is not that scan."""
    if characters == REFERENCE_CODE:
        return [QCoreApplication.translate(
            "ScannerTest", "The test code came through exactly: the keyboard layout suits "
            "the scanner.")]
    if len(characters) != len(REFERENCE_CODE) or characters[4:8].upper() != "TEST":
        return None
    hints = [QCoreApplication.translate(
        "ScannerTest", "The test code came through changed: {changes}.").format(
        changes=_differences(REFERENCE_CODE, characters))]
    named = [advice() for change, advice in _LAYOUTS if change(REFERENCE_CODE) == characters]
    return hints + (named or [QCoreApplication.translate(
        "ScannerTest", "Check the laptop's keyboard layout (English, US) and the scanner's "
        "keyboard-language setting.")])


def layout_hints(characters: str) -> list[str]:
    """What the characters say about the keyboard layout, in words for the supervisor."""
    reference = _reference_hints(characters)
    if reference is not None:
        return reference
    hints: list[str] = []
    found = set(characters)
    upper = characters.upper()
    if found & _FRENCH_ONLY or upper.startswith((PAYLOAD_PREFIX[:2] + "&",
                                                 POST_PREFIX[:3] + "&")):
        hints.append(french_advice())
    if found & _GERMAN_ONLY:
        hints.append(german_advice())
    foreign = sorted(ch for ch in found if not ch.isascii())
    if foreign and not hints:
        hints.append(QCoreApplication.translate(
            "ScannerTest", "Characters no badge or certificate holds ({chars}): the keyboard "
            "layout or an input method changed what the scanner sent. Switch the keyboard to "
            "English (US) while scanning.").format(chars=" ".join(foreign)))
    if upper.startswith(PAYLOAD_PREFIX) and not upper.startswith(POST_PREFIX):
        if characters[:len(PAYLOAD_PREFIX)].islower():
            hints.append(caps_lock_advice())
        outside = sorted(set(upper[len(PAYLOAD_PREFIX):]) - _BASE32)
        if outside and not hints:
            hints.append(QCoreApplication.translate(
                "ScannerTest", "A badge's code holds only {prefix} and then A–Z and 2–7; "
                "{chars} cannot come from a badge: check the keyboard layout.").format(
                prefix=PAYLOAD_PREFIX, chars=" ".join(outside)))
    return hints


def analyse(keys: Sequence[KeyRecord]) -> ScanReport:
    """One try: what it typed, how fast, whether the app takes it for a scan, and why."""
    # Every character typed, not only those the rule counts: an é is what the layout made of
    # a scanner's digit, and the hints need to see it.
    characters = "".join(key.text for key in keys
                         if key.kind is not KeyKind.TERMINATOR and key.text.isprintable())
    gaps = tuple(later.time_ms - earlier.time_ms for earlier, later in pairwise(keys))
    result = classify_trace([TraceKey(key.time_ms, key.kind, key.text) for key in keys])
    typed = "".join(ch for ch in result.typed if ch not in (ENTER_TEXT, TAB_TEXT))
    clean = len(result.scans) == 1 and result.scans[0] == characters
    return ScanReport(
        shown="".join(visible(key) for key in keys), characters=characters,
        terminator=_terminator_words(keys), gaps_ms=gaps,
        total_ms=keys[-1].time_ms - keys[0].time_ms if keys else 0.0,
        scans=tuple(result.scans), looked_like_scanner=bool(result.scans),
        verdict=_verdict(result.scans, characters, typed),
        reasons=() if clean else tuple(_reasons(keys, characters)),
        hints=tuple(layout_hints(characters)))

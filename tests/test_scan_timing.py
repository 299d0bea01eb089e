"""The scanner-or-person rule (app/inspection/scan_timing.py) on key traces: every scanner trace is
one scan with the exact code and nothing typed; every person's trace is typed unchanged and no
scan. The traces are built here with fixed seeds."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.inspection.scan_timing import (
    MAX_SCAN_LENGTH,
    SCANNER_IDLE_MS,
    SCANNER_MAX_KEY_GAP_MS,
    SCANNER_MIN_BURST,
    Action,
    BurstTracker,
    KeyKind,
    TraceKey,
    classify_trace,
    is_burst_gap,
    key_kind,
    printable_trace,
)

CODE_CHARS = string.ascii_letters + string.digits + "-_./:+=#%&?~ "
NOTE = "no insignia worn, radio missing at gate A3"


def code_of(length: int, rng: random.Random) -> str:
    return "".join(rng.choice(CODE_CHARS) for _ in range(length)).strip().ljust(length, "7")


def times(gaps: list[float], start: float = 1000.0) -> list[float]:
    out, now = [], start
    for gap in gaps:
        now += gap
        out.append(now)
    return out


def scanner_keys(code: str, gap_ms: float, terminator: str, rng: random.Random,
                 start: float = 1000.0) -> list[TraceKey]:
    """A scanner at ``gap_ms`` per key, each gap off by up to 40 % either way."""
    text = code + terminator
    gaps = [max(0.5, gap_ms * rng.uniform(0.6, 1.4)) for _ in text]
    return printable_trace(text, times(gaps, start))


def person_keys(text: str, gaps: list[float], start: float = 1000.0) -> list[TraceKey]:
    return printable_trace(text, times(gaps, start))


def rhythm(count: int, rng: random.Random) -> list[float]:
    """A person: lognormal around 130 ms, clipped to 60-250 ms, and about one key in eight
    pressed 10-20 ms after the one before (rollover)."""
    gaps = []
    for _ in range(count):
        if gaps and rng.random() < 0.125:
            gaps.append(rng.uniform(10, 20))
        else:
            gaps.append(min(250.0, max(60.0, rng.lognormvariate(4.87, 0.35))))
    return gaps


# ------------------------------------------------------------------ thresholds
def test_thresholds_separate_scanners_from_people():
    assert 15 < SCANNER_MAX_KEY_GAP_MS < 30  # a 15 ms scanner passes, a 30 ms typist doesn't
    assert SCANNER_MIN_BURST == 10
    assert MAX_SCAN_LENGTH == 1024
    assert SCANNER_IDLE_MS > SCANNER_MAX_KEY_GAP_MS
    assert SCANNER_IDLE_MS <= 50  # a person's held key is late by a few tens of ms at most


def test_key_kinds():
    assert key_kind("a") is KeyKind.PRINTABLE
    assert key_kind(" ") is KeyKind.PRINTABLE
    assert key_kind("~") is KeyKind.PRINTABLE
    assert key_kind("\r", terminator=True) is KeyKind.TERMINATOR
    assert key_kind("a", command_modifier=True) is KeyKind.OTHER  # Ctrl+A
    assert key_kind("\r", terminator=True, command_modifier=True) is KeyKind.OTHER
    assert key_kind("") is KeyKind.OTHER  # an arrow, a function key
    assert key_kind("é") is KeyKind.OTHER
    assert key_kind("帽") is KeyKind.OTHER
    assert key_kind("ab") is KeyKind.OTHER
    assert key_kind("\x7f") is KeyKind.OTHER


def test_burst_gap():
    assert is_burst_gap(100, 100)
    assert is_burst_gap(100, 100 + SCANNER_MAX_KEY_GAP_MS)
    assert not is_burst_gap(100, 101 + SCANNER_MAX_KEY_GAP_MS)
    assert not is_burst_gap(None, 100)
    assert not is_burst_gap(100, 99)  # a clock that went backwards proves nothing


# ------------------------------------------------------------------ scanners
@pytest.mark.parametrize("terminator", ["\r", "\t", ""], ids=["enter", "tab", "none"])
@pytest.mark.parametrize("length", [10, 200])
@pytest.mark.parametrize("gap_ms", [2, 8, 15])
def test_scanner_burst_is_one_scan(gap_ms, length, terminator):
    rng = random.Random(gap_ms * 1000 + length)
    for _ in range(20):
        code = code_of(length, rng)
        result = classify_trace(scanner_keys(code, gap_ms, terminator, rng))
        assert result.scans == [code]
        assert result.typed == ""


def test_scanner_burst_right_after_typing_in_the_same_field():
    rng = random.Random(1)
    code = code_of(24, rng)
    typed = person_keys("dirty", rhythm(5, rng))
    for pause in (SCANNER_MAX_KEY_GAP_MS + 1, 60, 400):
        scan = scanner_keys(code, 8, "\r", rng, start=typed[-1].time_ms + pause)
        result = classify_trace(typed + scan)
        assert result.scans == [code]
        assert result.typed == "dirty"


def test_two_scans_in_a_row_and_typing_between():
    rng = random.Random(2)
    first, second = code_of(12, rng), code_of(30, rng)
    keys = scanner_keys(first, 5, "\r", rng)
    keys += person_keys("ok\r", [300, 140, 160], start=keys[-1].time_ms)
    keys += scanner_keys(second, 12, "", rng, start=keys[-1].time_ms + 500)
    result = classify_trace(keys)
    assert result.scans == [first, second]
    assert result.typed == "ok\r"


@pytest.mark.parametrize("echo", ["\r", "\t", "\n"])
def test_second_terminator_of_a_scanner_is_swallowed(echo):
    """CR+LF or Enter+Tab scanners: the second key would confirm the open dialog."""
    rng = random.Random(3)
    code = code_of(14, rng)
    keys = scanner_keys(code, 6, "\r", rng)
    keys.append(TraceKey(keys[-1].time_ms + 4, KeyKind.TERMINATOR, echo))
    keys.append(TraceKey(keys[-1].time_ms + 400, KeyKind.TERMINATOR, "\r"))  # a person's
    result = classify_trace(keys)
    assert result.scans == [code]
    assert result.typed == "\r"


def test_a_burst_ended_by_another_key_is_a_scan_and_the_key_passes():
    rng = random.Random(4)
    code = code_of(16, rng)
    keys = scanner_keys(code, 6, "", rng)
    keys.append(TraceKey(keys[-1].time_ms + 5, KeyKind.OTHER, ""))  # say, an arrow key
    result = classify_trace(keys)
    assert result.scans == [code]
    assert result.typed == ""  # the arrow passed (it types nothing)


def test_a_burst_longer_than_any_code_is_typing():
    keys = person_keys("x" * (MAX_SCAN_LENGTH + 50) + "\r", [3.0] * (MAX_SCAN_LENGTH + 51))
    result = classify_trace(keys)
    assert result.scans == []
    assert result.typed == "x" * (MAX_SCAN_LENGTH + 50) + "\r"


def test_the_longest_code_is_still_a_scan():
    code = "y" * MAX_SCAN_LENGTH
    result = classify_trace(person_keys(code + "\r", [3.0] * (MAX_SCAN_LENGTH + 1)))
    assert result.scans == [code]


# ------------------------------------------------------------------ people
def test_fast_typist_at_30_ms_is_typing():
    for text in (NOTE + "\r", NOTE, "1234567890123456\t"):
        result = classify_trace(person_keys(text, [30.0] * len(text)))
        assert result.scans == []
        assert result.typed == text


def test_realistic_typing_with_rollover_pairs_is_typing():
    rng = random.Random(5)
    rollovers = 0
    for _ in range(200):
        text = NOTE[:rng.randint(5, len(NOTE))] + rng.choice(["\r", "\t", ""])
        gaps = rhythm(len(text), rng)
        rollovers += sum(1 for g in gaps if g <= SCANNER_MAX_KEY_GAP_MS)
        result = classify_trace(person_keys(text, gaps))
        assert result.scans == []
        assert result.typed == text
    assert rollovers > 300  # the traces do have the quick pairs that could fool a rule


def test_nine_fast_keys_are_typing():
    for terminator in ("\r", "\t", ""):
        text = "123456789" + terminator
        result = classify_trace(person_keys(text, [4.0] * len(text)))
        assert result.scans == []
        assert result.typed == text


def test_input_method_text_is_typing():
    """Chinese committed as key events (~30 ms apart, or even faster): never a scan."""
    text = "帽子未戴，对讲机缺失，安检口人员不足，请补充"
    for gap in (30.0, 2.0):
        result = classify_trace([TraceKey(t, key_kind(ch), ch)
                                 for ch, t in zip(text, times([gap] * len(text)), strict=True)])
        assert result.scans == []
        assert result.typed == text


def test_input_method_text_between_fast_ascii_breaks_the_run():
    text = "ABCDE帽FGHIJ帽KLMN\r"
    result = classify_trace(person_keys(text, [5.0] * len(text)))
    assert result.scans == []
    assert result.typed == text


def test_ctrl_keys_break_a_run():
    keys = person_keys("abcde", [5.0] * 5)
    keys.append(TraceKey(keys[-1].time_ms + 5, KeyKind.OTHER, ""))  # Ctrl+V, say
    keys += person_keys("fghij\r", [5.0] * 6, start=keys[-1].time_ms)
    result = classify_trace(keys)
    assert result.scans == []
    assert result.typed == "abcdefghij\r"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(CODE_CHARS) + ["\r", "\t", "帽"]),
                          st.floats(min_value=SCANNER_MAX_KEY_GAP_MS + 0.5, max_value=2000)),
                max_size=80))
def test_no_key_faster_than_the_gap_never_scans(typed):
    text = "".join(ch for ch, _gap in typed)
    result = classify_trace(person_keys(text, [gap for _ch, gap in typed]))
    assert result.scans == []
    assert result.typed == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CODE_CHARS, min_size=SCANNER_MIN_BURST, max_size=300),
       st.randoms(use_true_random=False), st.sampled_from(["\r", "\t", ""]))
def test_any_burst_of_ten_or_more_is_the_exact_code(code, rng, terminator):
    """Window systems stamp keys in whole ms: 0 (two keys in one ms) up to the gap itself."""
    text = code + terminator
    gaps = [float(rng.randint(0, SCANNER_MAX_KEY_GAP_MS)) for _ in text]
    result = classify_trace(person_keys(text, gaps))
    assert result.scans == [code]
    assert result.typed == ""


# ------------------------------------------------------------------ the tracker's steps
def test_tracker_holds_then_releases_payloads_in_order():
    tracker: BurstTracker[int] = BurstTracker()
    assert tracker.feed(0, KeyKind.PRINTABLE, "a", 1).current is Action.HOLD
    assert tracker.feed(10, KeyKind.PRINTABLE, "b", 2).current is Action.HOLD  # rollover
    assert tracker.holding == 2
    assert tracker.held_text == "ab"
    assert tracker.deadline_ms == 10 + SCANNER_MAX_KEY_GAP_MS
    step = tracker.feed(150, KeyKind.PRINTABLE, "c", 3)
    assert (step.current, step.released, step.scan) == (Action.HOLD, (1, 2), None)
    assert tracker.timeout(150 + SCANNER_MAX_KEY_GAP_MS).released == ()  # not over yet
    step = tracker.timeout(151 + SCANNER_MAX_KEY_GAP_MS)
    assert step.released == (3,)
    assert step.current is None
    assert tracker.holding == 0


def test_tracker_terminator_after_a_short_run_passes_after_the_run():
    tracker: BurstTracker[str] = BurstTracker()
    for i, ch in enumerate("42"):
        tracker.feed(i * 5, KeyKind.PRINTABLE, ch, ch)
    step = tracker.feed(10, KeyKind.TERMINATOR, "\r", "\r")
    assert (step.current, step.released) == (Action.PASS, ("4", "2"))


def test_tracker_scan_hands_back_the_swallowed_payloads():
    tracker: BurstTracker[int] = BurstTracker()
    for i in range(12):
        tracker.feed(i * 5, KeyKind.PRINTABLE, "7", i)
    step = tracker.feed(60, KeyKind.TERMINATOR, "\r", 99)
    assert step.current is Action.SWALLOW
    assert step.scan == "7" * 12
    assert step.swallowed == tuple(range(12))
    assert step.released == ()


def test_interrupt_releases_a_short_run_and_keeps_a_burst():
    tracker: BurstTracker[int] = BurstTracker()
    for i in range(3):
        tracker.feed(i * 5, KeyKind.PRINTABLE, "a", i)
    assert tracker.interrupt().released == (0, 1, 2)
    for i in range(SCANNER_MIN_BURST):
        tracker.feed(100 + i * 5, KeyKind.PRINTABLE, "b", i)
    assert tracker.interrupt() == type(tracker.interrupt())()
    assert tracker.holding == SCANNER_MIN_BURST
    assert tracker.idle().scan == "b" * SCANNER_MIN_BURST


def test_printable_trace_needs_one_time_per_character():
    with pytest.raises(ValueError):
        printable_trace("abc", [1.0, 2.0])

"""Benchmark: the scanner-or-person rule (app/inspection/scan_timing.py) on generated key traces
(prints figures; not a test).

The traces are GENERATED from the distributions below, with a fixed seed; they are not
recorded from hardware. They follow what the rule was designed against:

* scanners: 10-200 characters of a badge/certificate alphabet, every gap between keys
  uniform in 2-15 ms, then Enter, Tab or nothing (a third each);
* people, several models (each ends with Enter, Tab or nothing):
  - ``steady-30``: a (superhuman) typist at exactly 30 ms per key;
  - ``lognormal-150``: gaps lognormal around 150 ms (sigma 0.45, at least 45 ms), about
    one key in six a rollover 10-25 ms after the one before;
  - ``word-bursts``: words at 40-80 ms a key with rollovers 10-25 ms, 250-900 ms between
    words (a fast typist who thinks between words);
  - ``digits-40``: a certificate number typed on the number row at 35-50 ms a key;
  - ``ime-commits``: Chinese phrases of 2-6 characters committed by an input method as key
    events about 30 ms apart (20-40 ms), 400-1500 ms between phrases;
* ``note-then-scan``: a ``lognormal-150`` note, 50-600 ms of quiet, then a scanner burst in
  the same field.

Each trace is stamped as a window system would: in whole milliseconds (X11, Wayland, macOS),
and, as a second run, on Windows' default 15.6 ms clock tick (``GetMessageTime``), which
turns a 15 ms gap into 0 or 15.6 ms and a 30 ms one into 15.6 or 31.2 ms.

For every trace ``classify_trace`` gives the scans and the text that reached the widget. The
goals: every scanner trace is exactly one scan of exactly its code with nothing typed
(100 %); no person's trace yields a scan (0); no character of a person's text is lost,
altered or reordered (0). Also printed: how long a person's key is held back, assuming the
router's idle timer fires exactly ``SCANNER_IDLE_MS`` after the last key (a real timer fires
a little later), and the classifier's own time per key.

    python bench/scan_timing.py                 # 10,000 traces of each kind
    python bench/scan_timing.py --count 1000    # quicker
"""

from __future__ import annotations

import argparse
import difflib
import math
import random
import statistics
import string
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.inspection.scan_timing import (  # noqa: E402
    SCANNER_IDLE_MS,
    SCANNER_MAX_KEY_GAP_MS,
    SCANNER_MIN_BURST,
    Action,
    BurstTracker,
    TraceKey,
    classify_trace,
    key_kind,
)

DEFAULT_SEED = 20260317
CODE_ALPHABET = string.ascii_uppercase + string.digits + "-./:+=_"
WINDOWS_TICK_MS = 1000 / 64  # 15.625 ms
WORDS = ("no insignia worn radio missing helmet cap vest gate post absent asleep phone "
         "smoking uniform dirty late left early barrier unlocked queue crowd exit blocked "
         "cert expired photo mismatch zone A3 B12 row 7 seat 14 north south stand").split()
PHRASES = ("未戴帽子", "对讲机缺失", "岗位空岗", "证件过期", "照片不符", "安检口", "人员不足",
           "通道堵塞", "已整改", "未整改", "玩手机", "睡岗", "擅自离岗", "着装不整", "北看台",
           "南入口", "检票口", "请补充人员", "已口头提醒")
TERMINATORS = ("\r", "\t", "")


# ---------------------------------------------------------------------------- traces
@dataclass(frozen=True)
class Trace:
    keys: list[TraceKey]
    typed: str  # what a person meant to type ("" for a pure scanner trace)
    codes: list[str]  # what a scanner sent (empty for a person)


def _stamp(times_ms: Sequence[float], clock: str) -> list[float]:
    if clock == "1ms":
        return [float(math.floor(t)) for t in times_ms]
    return [math.floor(t / WINDOWS_TICK_MS) * WINDOWS_TICK_MS for t in times_ms]


def _keys(text: str, gaps: Sequence[float], start: float, clock: str) -> list[TraceKey]:
    times, now = [], start
    for gap in gaps:
        now += gap
        times.append(now)
    return [TraceKey(t, key_kind(ch, terminator=ch in "\r\t"), ch)
            for ch, t in zip(text, _stamp(times, clock), strict=True)]


def _terminated(text: str, rng: random.Random) -> str:
    return text + rng.choice(TERMINATORS)


def scanner_trace(rng: random.Random, clock: str, start: float = 10_000.0) -> Trace:
    code = "".join(rng.choice(CODE_ALPHABET) for _ in range(rng.randint(10, 200)))
    text = _terminated(code, rng)
    gaps = [rng.uniform(2, 15) for _ in text]
    return Trace(_keys(text, gaps, start + rng.uniform(0, 1000), clock), "", [code])


def _note(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def steady_30(rng: random.Random, clock: str) -> Trace:
    text = _terminated(_note(rng, rng.randint(2, 10)), rng)
    return Trace(_keys(text, [30.0] * len(text), 10_000 + rng.uniform(0, 1000), clock),
                 text, [])


def _lognormal_gaps(rng: random.Random, count: int) -> list[float]:
    gaps = []
    for _ in range(count):
        if gaps and rng.random() < 1 / 6:
            gaps.append(rng.uniform(10, 25))  # rollover: pressed before the last came up
        else:
            gaps.append(max(45.0, rng.lognormvariate(math.log(150), 0.45)))
    return gaps


def lognormal_150(rng: random.Random, clock: str) -> Trace:
    text = _terminated(_note(rng, rng.randint(2, 10)), rng)
    return Trace(_keys(text, _lognormal_gaps(rng, len(text)), 10_000, clock), text, [])


def word_bursts(rng: random.Random, clock: str) -> Trace:
    text = _terminated(_note(rng, rng.randint(2, 10)), rng)
    gaps: list[float] = []
    for ch in text:
        if ch == " " or not gaps:
            gaps.append(rng.uniform(250, 900))
        elif rng.random() < 0.25:
            gaps.append(rng.uniform(10, 25))
        else:
            gaps.append(rng.uniform(40, 80))
    return Trace(_keys(text, gaps, 10_000, clock), text, [])


def digits_40(rng: random.Random, clock: str) -> Trace:
    text = _terminated("".join(rng.choice(string.digits) for _ in range(rng.randint(6, 18))),
                       rng)
    return Trace(_keys(text, [rng.uniform(35, 50) for _ in text], 10_000, clock), text, [])


def ime_commits(rng: random.Random, clock: str) -> Trace:
    text, gaps = "", []
    for _ in range(rng.randint(1, 6)):
        phrase = rng.choice(PHRASES)
        text += phrase
        gaps += [rng.uniform(400, 1500)] + [rng.uniform(20, 40) for _ in phrase[1:]]
    if rng.random() < 0.5:
        text += "\r"
        gaps.append(rng.uniform(200, 600))
    return Trace(_keys(text, gaps, 10_000, clock), text, [])


def note_then_scan(rng: random.Random, clock: str) -> Trace:
    note = lognormal_150(rng, clock)
    note_text = note.typed.rstrip("\r\t")  # the person has not finished the note
    keys = note.keys[:len(note_text)]
    scan = scanner_trace(rng, clock, start=keys[-1].time_ms + rng.uniform(50, 600))
    return Trace(keys + scan.keys, note_text, scan.codes)


PEOPLE: dict[str, Callable[[random.Random, str], Trace]] = {
    "steady-30": steady_30,
    "lognormal-150": lognormal_150,
    "word-bursts": word_bursts,
    "digits-40": digits_40,
    "ime-commits": ime_commits,
}


# ---------------------------------------------------------------------------- measuring
@dataclass
class Tally:
    traces: int = 0
    keys: int = 0
    exact: int = 0  # the trace came out as meant: the scans, and the typed text
    scans_found: int = 0
    scans_expected: int = 0
    wrong_scans: int = 0  # scans in a person's trace, or a scanner's code not exactly
    chars_typed: int = 0
    chars_lost_or_altered: int = 0
    hold_ms: list[float] = field(default_factory=list)


def lost_or_altered(meant: str, got: str) -> int:
    """Characters of ``meant`` that did not reach the widget in place."""
    if meant == got:
        return 0
    matcher = difflib.SequenceMatcher(None, meant, got, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return max(len(meant), len(got)) - kept


def hold_delays(keys: Sequence[TraceKey]) -> list[float]:
    """How long each released key waited, with the router's timer firing SCANNER_IDLE_MS
    after the newest key and the next key deciding at once when it comes."""
    tracker: BurstTracker[float] = BurstTracker()
    delays: list[float] = []
    last = None
    for key in keys:
        if tracker.holding and last is not None and key.time_ms - last > SCANNER_IDLE_MS:
            delays += [last + SCANNER_IDLE_MS - t for t in tracker.idle().released]
        step = tracker.feed(key.time_ms, key.kind, key.char, key.time_ms)
        delays += [key.time_ms - t for t in step.released]
        if step.current is Action.HOLD:
            last = key.time_ms
    if tracker.holding and last is not None:
        delays += [last + SCANNER_IDLE_MS - t for t in tracker.idle().released]
    return delays


def measure(traces: Sequence[Trace], tally: Tally) -> float:
    """Classify every trace into ``tally``; returns the seconds spent in classify_trace."""
    spent = 0.0
    for trace in traces:
        started = time.perf_counter()
        result = classify_trace(trace.keys)
        spent += time.perf_counter() - started
        tally.traces += 1
        tally.keys += len(trace.keys)
        tally.scans_expected += len(trace.codes)
        tally.scans_found += sum(1 for s in result.scans if s in trace.codes)
        tally.wrong_scans += sum(1 for s in result.scans if s not in trace.codes)
        tally.chars_typed += len(trace.typed)
        tally.chars_lost_or_altered += lost_or_altered(trace.typed, result.typed)
        tally.exact += result.scans == trace.codes and result.typed == trace.typed
        if trace.typed:
            tally.hold_ms += hold_delays(trace.keys)
    return spent


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


def run(count: int, seed: int, clock: str) -> tuple[dict[str, Tally], float, int]:
    rng = random.Random(f"{seed}-{clock}")
    groups: dict[str, list[Trace]] = {
        "scanner": [scanner_trace(rng, clock) for _ in range(count)]}
    for name, make in PEOPLE.items():
        groups[name] = [make(rng, clock) for _ in range(count)]
    groups["note-then-scan"] = [note_then_scan(rng, clock) for _ in range(count)]
    tallies = {name: Tally() for name in groups}
    spent = sum(measure(traces, tallies[name]) for name, traces in groups.items())
    return tallies, spent, sum(t.keys for t in tallies.values())


def report(clock: str, tallies: dict[str, Tally], spent: float, keys: int) -> bool:
    label = "whole-ms timestamps" if clock == "1ms" else "15.6 ms Windows clock tick"
    print(f"\n== {label} ==")
    print(f"  {'traces':<16}{'count':>7}{'keys':>10}{'exact':>9}{'scans':>15}"
          f"{'wrong scans':>13}{'chars lost/altered':>20}")
    for name, t in tallies.items():
        scans = f"{t.scans_found}/{t.scans_expected}" if t.scans_expected else "-"
        chars = f"{t.chars_lost_or_altered}/{t.chars_typed}" if t.chars_typed else "-"
        print(f"  {name:<16}{t.traces:>7}{t.keys:>10}{100 * t.exact / t.traces:>8.2f}%"
              f"{scans:>15}{t.wrong_scans:>13}{chars:>20}")
    scanner = tallies["scanner"]
    mixed = tallies["note-then-scan"]
    detected = 100 * (scanner.scans_found + mixed.scans_found) / (
        scanner.scans_expected + mixed.scans_expected)
    wrong = sum(t.wrong_scans for t in tallies.values())
    lost = sum(t.chars_lost_or_altered for t in tallies.values())
    holds = [ms for t in tallies.values() for ms in t.hold_ms]
    ok = detected == 100 and wrong == 0 and lost == 0
    print(f"  scanner traces detected as exactly their code : {detected:.2f} %  (goal 100 %)")
    print(f"  scans wrongly detected (people, wrong codes)  : {wrong}  (goal 0)")
    print(f"  characters of people's text lost or altered   : {lost} of "
          f"{sum(t.chars_typed for t in tallies.values()):,}  (goal 0)")
    print(f"  a person's key held back: median {statistics.median(holds):.0f} ms, "
          f"p99 {percentile(holds, 99):.0f} ms, max {max(holds):.0f} ms "
          f"({len(holds):,} keys; idle timer {SCANNER_IDLE_MS} ms)")
    print(f"  classifier: {1e6 * spent / keys:.2f} us per key ({keys:,} keys in "
          f"{spent:.2f} s)")
    print(f"  goals {'MET' if ok else 'NOT MET'}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="traces of each kind")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print("Venue Supervisor: scanner-or-person rule on generated key traces")
    print(f"rule    : a scan is >= {SCANNER_MIN_BURST} printable ASCII keys, each <= "
          f"{SCANNER_MAX_KEY_GAP_MS} ms after the one before; idle timer "
          f"{SCANNER_IDLE_MS} ms")
    print(f"traces  : generated (seed {args.seed}), {args.count:,} of each kind; "
          "not recorded from hardware")
    ok = True
    for clock in ("1ms", "tick"):
        tallies, spent, keys = run(args.count, args.seed, clock)
        ok = report(clock, tallies, spent, keys) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

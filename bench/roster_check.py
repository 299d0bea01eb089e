"""Benchmark: ``python -m app roster check`` on a roster (prints figures; not a test).

Runs the documented command N times, each in a fresh process, and reports the wall time
(process start to exit, Python's start and imports included) and the process's peak resident
memory, read from ``os.wait4`` for that one child. A second series times ``check_roster``
alone, in this process, once the modules are imported: the reading and checking without the
start of Python.

    python bench/roster_check.py
    python bench/roster_check.py --runs 10 --file tests/fixtures/roster_concert_600.xlsx
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_FILE = ROOT / "tests" / "fixtures" / "roster_concert_600.xlsx"


def run_once(python: str, roster: Path) -> tuple[float, float, int]:
    """One ``roster check`` in a fresh process: (wall seconds, peak RSS in MB, exit code)."""
    env = dict(os.environ)
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    started = time.perf_counter()
    child = subprocess.Popen([python, "-m", "app", "roster", "check", str(roster)], cwd=ROOT,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    peak_mb = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 2**20
    return wall, peak_mb, child.returncode


def in_process(roster: Path, runs: int) -> list[float]:
    from app.inspection.roster import check_roster

    check_roster(roster)  # imports openpyxl and warms the file cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        check_roster(roster)
        times.append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the roster to check")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)

    results = [run_once(args.python, args.file) for _ in range(args.runs)]
    walls = [wall for wall, _, _ in results]
    peaks = [peak for _, peak, _ in results]
    codes = sorted({code for _, _, code in results})
    print(f"roster check {args.file.name} ({args.file.stat().st_size / 1024:.0f} KB), "
          f"{args.runs} fresh processes, exit codes {codes}")
    print(f"  wall time   median {statistics.median(walls):.3f} s   "
          f"min {min(walls):.3f} s   max {max(walls):.3f} s")
    print(f"  peak RSS    median {statistics.median(peaks):.0f} MB   max {max(peaks):.0f} MB")
    times = in_process(args.file, args.runs)
    print(f"  check_roster alone (imports done)   median {statistics.median(times) * 1000:.0f} ms"
          f"   min {min(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: cold start to an interactive main window (prints figures; not a test).

Starts ``python -m app --demo --data-dir D --lang zh_CN --ready-file F`` in a fresh process
N times (offscreen) and measures the wall time from ``Popen`` to the ready file appearing;
the app writes that file on the first event-loop tick after the window was shown, with its
own in-process figure (seconds from ``run_gui`` start). The demo profile is created once
beforehand, so the runs measure the start, not the demo generation. A second series opens
the 100,000-guard bench profile of ``bench/scan_latency.py`` (without ``--demo`` the app
opens the profile's last event) to show how the start depends on the size of the event.

    python bench/cold_start.py
    python bench/cold_start.py --runs 10 --skip-large
    python bench/cold_start.py --program dist/venue-supervisor/venue-supervisor --skip-large

``--program`` times a built executable (scripts/build.sh) instead of ``python -m app``: the
start a supervisor's copy makes, with PyInstaller's boot loader and its unpacked bundle.

The operating system's file cache stays warm between runs: this is the start of a fresh
process, not of a freshly booted machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from scan_latency import DEFAULT_PROFILE, build_profile, machine_summary  # noqa: E402

DEFAULT_DEMO_DIR = Path("/tmp/vs-bench-demo")
GOAL_S = 1.5
POLL_S = 0.005


@dataclass(frozen=True)
class Start:
    wall_s: float  # Popen -> ready file seen
    in_process_s: float  # what the app wrote: run_gui start -> first event-loop tick


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def prepare_demo(program: Sequence[str], data_dir: Path) -> float:
    """Create the demo event in data_dir (once; later calls find it) and return the time."""
    started = time.perf_counter()
    subprocess.run([*program, "demo-event", "--data-dir", str(data_dir)],
                   cwd=ROOT, env=_environment(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def start_once(program: Sequence[str], app_args: Sequence[str], timeout_s: float) -> Start:
    with tempfile.TemporaryDirectory(prefix="vs-cold-") as tmp:
        ready = Path(tmp) / "ready"
        log_path = Path(tmp) / "stderr.txt"
        with log_path.open("wb") as log:
            started = time.perf_counter()
            process = subprocess.Popen([*program, *app_args, "--ready-file",
                                        str(ready)], cwd=ROOT, env=_environment(),
                                       stdout=subprocess.DEVNULL, stderr=log)
            try:
                text = ""
                while True:
                    if ready.exists():
                        text = ready.read_text().strip()
                        if text:  # written, not just created
                            wall = time.perf_counter() - started
                            break
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"the app exited with {process.returncode} before it was ready:\n"
                            + log_path.read_text(errors="replace")[-2000:])
                    if time.perf_counter() - started > timeout_s:
                        raise RuntimeError(f"the app was not ready within {timeout_s} s")
                    time.sleep(POLL_S)
            finally:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    return Start(wall, float(text))


def series(label: str, program: Sequence[str], app_args: Sequence[str], runs: int,
           warmup: int, timeout_s: float) -> list[Start]:
    print(f"{label}: {warmup} warm-up + {runs} runs of {' '.join([*program, *app_args])}",
          flush=True)
    for _ in range(warmup):
        start_once(program, app_args, timeout_s)
    starts = []
    for number in range(1, runs + 1):
        start = start_once(program, app_args, timeout_s)
        print(f"  run {number}: ready after {start.wall_s:.3f} s "
              f"(in-process {start.in_process_s:.3f} s)", flush=True)
        starts.append(start)
    return starts


def summary_line(label: str, starts: Sequence[Start]) -> str:
    wall = [s.wall_s for s in starts]
    inner = [s.in_process_s for s in starts]
    verdict = "MET" if statistics.median(wall) < GOAL_S and max(wall) < GOAL_S else (
        "median MET, max NOT MET" if statistics.median(wall) < GOAL_S else "NOT MET")
    return (f"  {label:<26}{statistics.median(wall):>8.3f}{max(wall):>8.3f}"
            f"{statistics.median(inner):>10.3f}{max(inner):>8.3f}"
            f"{statistics.median(wall) - statistics.median(inner):>10.3f}   {verdict}")


BENCH_PASSWORD = "bench-password-not-secret"


def _password_file(folder: Path) -> Path:
    path = folder / "vs-bench-password"
    path.write_text(BENCH_PASSWORD + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _encrypted_copy(profile: Path) -> Path:
    """A copy of ``profile`` beside it (made once), for the app to encrypt on its first start."""
    copy = profile.with_name(profile.name + "-encrypted")
    if not copy.exists():
        shutil.copytree(profile, copy)
    return copy


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed starts per series")
    parser.add_argument("--warmup", type=int, default=1,
                        help="untimed starts first (fills the file cache)")
    parser.add_argument("--demo-dir", type=Path, default=DEFAULT_DEMO_DIR, metavar="DIR",
                        help=f"profile for the demo series ({DEFAULT_DEMO_DIR})")
    parser.add_argument("--profile", type=Path, default=DEFAULT_PROFILE, metavar="DIR",
                        help=f"the 100,000-guard bench profile, built if missing "
                             f"({DEFAULT_PROFILE})")
    parser.add_argument("--skip-large", action="store_true",
                        help="only the demo series")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per start")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs the app (default: this one)")
    parser.add_argument("--program", type=Path, metavar="EXE",
                        help="time this built program (dist/venue-supervisor/venue-supervisor)"
                             " instead of python -m app")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine : {machine_summary()}")
    program = [str(args.program.resolve())] if args.program else [args.python, "-m", "app"]
    print(f"program : {' '.join(program)}")
    seconds = prepare_demo(program, args.demo_dir)
    print(f"demo profile ready in {args.demo_dir} ({seconds:.1f} s, not counted)")
    results: list[tuple[str, list[Start]]] = []
    demo_args = ["--demo", "--data-dir", str(args.demo_dir), "--lang", args.lang]
    results.append(("demo event (~600 guards)",
                    series("demo", program, demo_args, args.runs, args.warmup,
                           args.timeout)))
    # A real profile is encrypted: the same demo event in an encrypted copy (converted on
    # the untimed warm-up start) shows what unlocking (Argon2id, SQLCipher) adds.
    password_file = _password_file(args.demo_dir.parent)
    encrypted_demo = _encrypted_copy(args.demo_dir)
    results.append(("demo event, encrypted",
                    series("encrypted demo", program,
                           ["--data-dir", str(encrypted_demo), "--password-file",
                            str(password_file), "--lang", args.lang],
                           args.runs, max(args.warmup, 1), args.timeout)))
    if not args.skip_large:
        profile = build_profile(args.profile)
        if profile.build_seconds is not None:
            print(f"bench profile built in {profile.build_seconds:.1f} s (not counted)")
        # bench/scan_latency.py reads the bench profile with plain sqlite3: the window opens
        # an encrypted copy of it (a real profile without a password asks for one).
        large_args = ["--data-dir", str(_encrypted_copy(args.profile)), "--password-file",
                      str(password_file), "--lang", args.lang]
        label = f"{profile.guards // 1000}k guards, {profile.results // 1000}k results"
        results.append((label, series("bench profile", program, large_args, args.runs,
                                      args.warmup, args.timeout)))
    print()
    print("Venue Supervisor: cold start to an interactive window (seconds)")
    print(f"  {'profile':<26}{'median':>8}{'max':>8}{'in-proc':>10}{'max':>8}"
          f"{'before':>10}   goal < {GOAL_S} s")
    for label, starts in results:
        print(summary_line(label, starts))
    print("  (median/max: Popen -> ready file; in-proc: run_gui start -> first event-loop "
          "tick; before: median wall - median in-proc = interpreter, imports, argument "
          "parsing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

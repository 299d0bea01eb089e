"""Benchmark: how long each change of the inspection holds the thread that makes it (prints
figures; not a test). The figures behind docs/architecture.md, "Where writes run".

Works on a copy of bench/scan_latency.py's profile (one event, 100,000 guards, 1,000,000 past
checklist results; built there with ``--build-only``), so the cached profile stays as built.
Each change is the workbench's own call, committed durably (SQLite WAL, ``synchronous=FULL``)
as on the laptop: a scan's inspection, a tick, a finding's note and correction, "all
compliant", a post found absent, undo; beside them the reads a change then causes (one
post's line, the dashboard) and, once each, signing the evaluation and its preview.

    python bench/scan_latency.py --build-only     # once
    python bench/write_latency.py                 # then measure
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.demo import demo_signature_png  # noqa: E402
from app.evaluation.report import EvaluationService  # noqa: E402
from app.evaluation.signing import (  # noqa: E402
    ensure_supervisor_identity,
    load_supervisor_signer,
)
from app.inspection.workbench import Workbench  # noqa: E402
from app.profile.db import Database  # noqa: E402
from bench.scan_latency import (  # noqa: E402
    DEFAULT_PROFILE,
    BenchProfile,
    build_profile,
    machine_summary,
)

COPY = Path("/tmp/vs-bench-write-profile")
T = TypeVar("T")
CPU = "cpu:"
PASSPHRASE = b"bench passphrase"


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(label: str, values: Sequence[float], cpu: Sequence[float]) -> str:
    return (f"{label:<34} p50 {statistics.median(values):8.2f}  p95 {percentile(values, 95):8.2f}"
            f"  max {max(values):8.2f} ms  (CPU p50 {statistics.median(cpu):8.2f} ms; "
            f"n={len(values)})")


def timed(samples: dict[str, list[float]], name: str, call: Callable[..., T], *args: Any,
          **kwargs: Any) -> T:
    began, began_cpu = time.perf_counter(), time.thread_time()
    value = call(*args, **kwargs)
    samples.setdefault(name, []).append((time.perf_counter() - began) * 1000)
    # The thread's own CPU time: what the change costs when the machine is not shared.
    samples.setdefault(CPU + name, []).append((time.thread_time() - began_cpu) * 1000)
    return value


def one_round(workbench: Workbench, event_id: str, cert: str, post_id: str, with_rare: bool,
              samples: dict[str, list[float]]) -> None:
    scan = workbench.lookup(event_id, cert, post_id)
    info = timed(samples, "record_scan (a scan's write)", workbench.record_scan, event_id, scan)
    items = tuple(state.item for state in info.items)
    state = timed(samples, "set_item (a tick, a finding)", workbench.set_item, info.id,
                  items[0], False)
    assert state.finding_id is not None
    timed(samples, "update_finding (a note)", workbench.update_finding, state.finding_id,
          note="未佩戴标志")
    timed(samples, "update_finding (corrected)", workbench.update_finding, state.finding_id,
          correction="corrected")
    timed(samples, "mark_all_compliant (F2)", workbench.mark_all_compliant, info.id, items)
    timed(samples, "undo (F2 reverted)", workbench.undo)
    timed(samples, "posts(only=P): one post's line", workbench.posts, event_id, only={post_id})
    if with_rare:
        timed(samples, "set_post_status (F7)", workbench.set_post_status, event_id, post_id,
              "understaffed", 1)
        timed(samples, "dashboard (on a worker)", workbench.dashboard, event_id)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=DEFAULT_PROFILE)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-sign", action="store_true",
                        help="leave out the preview and the signature (minutes on this profile)")
    args = parser.parse_args(argv)
    profile = build_profile(args.profile)
    shutil.rmtree(COPY, ignore_errors=True)
    shutil.copytree(profile.data_dir, COPY)
    db = Database(COPY)
    workbench = Workbench(db)
    event_id = profile.event_id
    conn = sqlite3.connect(db.path)
    roster = conn.execute("SELECT cert_key, post_id FROM guard WHERE event_id = ? AND "
                          "post_id IS NOT NULL", (event_id,)).fetchall()
    conn.close()
    rng = random.Random(args.seed)
    samples: dict[str, list[float]] = {}
    for round_no in range(args.rounds + 5):  # the first five warm the caches, not counted
        cert, post_id = rng.choice(roster)
        one_round(workbench, event_id, cert, post_id, round_no % 10 == 0, samples)
        if round_no < 5:
            samples.clear()

    if args.no_sign:
        return report(profile, args.rounds, samples, db)
    service = EvaluationService(db)
    draft = service.draft(event_id)
    service.update_draft(draft.id, comment="基准测试", recommendation="recommend",
                         supervisor_name="基准")
    timed(samples, "preview_pdf (on a worker)", service.preview_pdf, draft.id,
          demo_signature_png())

    def sign() -> object:
        p12 = ensure_supervisor_identity(db, "基准", PASSPHRASE)
        signer = load_supervisor_signer(db, p12, PASSPHRASE)
        return service.sign(draft.id, demo_signature_png(), signer)

    timed(samples, "sign (on a worker)", sign)
    return report(profile, args.rounds, samples, db)


def report(profile: BenchProfile, rounds: int, samples: dict[str, list[float]],
           db: Database) -> int:
    db.close()
    shutil.rmtree(COPY, ignore_errors=True)
    print(machine_summary())
    print(f"profile : {profile.guards:,} guards, {profile.results:,} results, {rounds} rounds; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, values in samples.items():
        if not name.startswith(CPU):
            print(row(name, values, samples[CPU + name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

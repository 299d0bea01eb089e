"""Benchmark: from a large event's records to the signed evaluation PDF (prints figures).

Builds a profile with one event of 3,000 guards over 300 posts, 6,000 inspections (about ten
checklist results each) and 600 findings: checklist findings with notes and correction
states, 20 of them with an evidence photo, staffing findings (another company's guards,
untrained guards) and absent / understaffed posts. The rows go in with sqlite3
``executemany`` in the format SQLAlchemy writes, like bench/scan_latency.py.

Then, in a fresh process (so that its peak memory is the pipeline's own), it times

* ``compute_score``  the scores, per category, post, guard and company
* ``build_report``   everything the PDF shows (scores, findings, guards not checked ...)
* ``render``         the PDF with reportlab (the per-guard table lists guards with findings)
* ``sign``           the PAdES signature with pyHanko
* ``EvaluationService.sign``  all of it as the app does it, the PDF written to the profile

cold (the first time in the process: fonts parsed, pyHanko imported) and warm (median of the
next runs), and the peak memory (tracemalloc's peak of Python allocations over one whole
pipeline, and the process's peak resident set, ru_maxrss).

    python bench/report.py             # build (once, cached in /tmp/vs-bench-report) and measure
    python bench/report.py --rebuild   # build again
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
for folder in (ROOT, BENCH):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from scan_latency import (  # noqa: E402
    GIVEN,
    POST_SUFFIX,
    SQLITE_TIME,
    SURNAMES,
    TASKS,
    ZONES,
    _uuids,
    machine_summary,
)

DEFAULT_PROFILE = Path("/tmp/vs-bench-report")
PROFILE_FORMAT = 1
EVENT_NAME = "基准测试：三千保安综合考评"
COMPANY = "辽宁安盾保安服务有限公司"
OTHER_COMPANY = "锦州恒安保安服务有限公司"
PASSPHRASE = b"bench passphrase, not a secret"
TIME_GOAL_S = 3.0
MEMORY_GOAL_MB = 300.0
NOTES = ("现场指出，已要求整改", "未佩戴保安服务标志", "上岗期间低头玩手机",
         "脱岗约十分钟，已责令返岗", "对应急疏散路线不熟悉", "入场高峰时未做到人人过检", "")


# ----------------------------------------------------------------------------- build
def _marker(args: argparse.Namespace) -> str:
    return (f"format={PROFILE_FORMAT};guards={args.guards};posts={args.posts};"
            f"inspections={args.inspections};findings={args.findings};seed={args.seed}")


def _settings(data_dir: Path) -> dict[str, str]:
    from app.profile.db import DB_FILENAME

    path = data_dir / DB_FILENAME
    if not path.exists():
        return {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM profile_setting "
                                 "WHERE key LIKE 'bench%'").fetchall())
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


def build(args: argparse.Namespace) -> tuple[str, float | None]:
    """The bench profile: reused when built with the same parameters. Returns the event id
    and the build time (None when reused)."""
    settings = _settings(args.profile)
    if settings.get("bench_report") == _marker(args) and not args.rebuild:
        return settings["bench_report_event"], None
    if args.profile.exists() and any(args.profile.iterdir()) and not settings:
        raise SystemExit(f"{args.profile} holds something that is not a bench profile")
    shutil.rmtree(args.profile, ignore_errors=True)
    started = time.perf_counter()
    event_id = _build(args)
    return event_id, time.perf_counter() - started


def _photo(path: Path, rng: random.Random) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), tuple(rng.randint(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randint(0, 1500), rng.randint(0, 1100)
        draw.rectangle((x, y, x + rng.randint(20, 300), y + rng.randint(20, 300)),
                       fill=tuple(rng.randint(0, 255) for _ in range(3)))
    image.save(path, "JPEG", quality=88)


def _build(args: argparse.Namespace) -> str:
    from app.evaluation.signing import ensure_supervisor_identity
    from app.inspection.checklist import load_template
    from app.inspection.values import EventInput
    from app.inspection.workbench import Workbench
    from app.profile.db import Database

    rng = random.Random(args.seed)
    db = Database(args.profile)
    workbench = Workbench(db)
    event_id = workbench.save_event(EventInput(
        name=EVENT_NAME, venue="市奥体中心体育场", organizer="市体育局",
        starts_at=datetime(2026, 10, 1, 9, 0), ends_at=datetime(2026, 10, 1, 21, 0),
        expected_attendance=60000, venue_capacity=65000, risk_level="high",
        company_name=COMPANY, company_licence_no="辽公保服20150012",
        company_credit_grade="A"))
    ensure_supervisor_identity(db, "基准督导员", PASSPHRASE)
    device = db.device_id
    db_path = db.path
    db.close()
    template = load_template()
    start = datetime(2026, 10, 1, 1, 0)  # UTC, as the app stores it
    roster_time = (start - timedelta(days=2)).strftime(SQLITE_TIME)

    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    post_ids = _uuids(args.posts)
    post_tasks = []
    rows: list[tuple[Any, ...]] = []
    per_post = args.guards // args.posts
    for i, post_id in enumerate(post_ids):
        task = TASKS[i % len(TASKS)]
        zone = ZONES[i % len(ZONES)]
        post_tasks.append(task)
        rows.append((post_id, event_id, f"{zone}区{i // len(ZONES) + 1}{POST_SUFFIX[task]}",
                     f"{zone}区", task, per_post, roster_time, roster_time, device))
    conn.executemany("INSERT INTO post (id, event_id, name, zone, task_type, "
                     "required_headcount, created_at, updated_at, device_id) "
                     "VALUES (?,?,?,?,?,?,?,?,?)", rows)

    guard_ids = _uuids(args.guards)
    guard_post = [i % args.posts for i in range(args.guards)]
    certs = rng.sample(range(10**11, 10**12), args.guards)
    other = set(rng.sample(range(args.guards), max(1, args.guards // 300)))
    untrained = set(rng.sample(range(args.guards), max(1, args.guards // 200)))
    rows = []
    for i, guard_id in enumerate(guard_ids):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(1 + (i % 3 > 0)))
        rows.append((guard_id, event_id, i + 3, name, "男" if i % 4 else "女",
                     f"211***********{i % 10000:04d}", f"辽{certs[i]}",
                     str(certs[i]), OTHER_COMPANY if i in other else COMPANY,
                     f"13{certs[i] % 10**9:09d}", "passed", 0 if i in untrained else 1,
                     post_ids[guard_post[i]], roster_time, roster_time, device))
    conn.executemany(
        "INSERT INTO guard (id, event_id, roster_row, name, gender, id_masked, "
        "cert_no, cert_key, company_name, phone, background_check, trained, post_id, "
        "created_at, updated_at, device_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    evidence = args.profile / "evidence"
    evidence.mkdir(exist_ok=True)
    items = {task: template.items_for(task) for task in TASKS}
    inspection_ids = _uuids(args.inspections)
    result_ids = iter(_uuids(args.inspections * 12))
    inspections, results, findings = [], [], []
    scanned = [rng.randrange(args.guards) for _ in inspection_ids]
    # Every scan of a borrowed or untrained guard is a staffing finding; the rest of the
    # findings are checklist findings on scans of guards who belong there.
    clean = [n for n, g in enumerate(scanned) if g not in other and g not in untrained]
    staffing_count = len(scanned) - len(clean)
    finding_rows = set(rng.sample(clean, max(0, args.findings - staffing_count)))
    photos = 0
    span = 12 * 3600
    for n, inspection_id in enumerate(inspection_ids):
        g = scanned[n]
        p = guard_post[g]
        at = start + timedelta(seconds=span * n / args.inspections)
        stamp = at.strftime(SQLITE_TIME)
        verdict = ("other_company" if g in other else "not_trained" if g in untrained
                   else "assigned_here")
        inspections.append((inspection_id, event_id, post_ids[p], guard_ids[g],
                            str(certs[g]), verdict, template.template_id, template.version,
                            stamp, stamp, device))
        bad = None
        if verdict != "assigned_here":
            findings.append((_uuids(1)[0], event_id, inspection_id, post_ids[p], guard_ids[g],
                             "staffing", f"staffing.{verdict}",
                             OTHER_COMPANY if g in other else COMPANY, "",
                             "not_corrected", None, stamp, stamp, device))
        elif n in finding_rows:
            bad = rng.choice(items[post_tasks[p]])
            evidence_path = None
            if photos < args.photos:
                photos += 1
                path = evidence / f"bench-{photos}.jpg"
                _photo(path, rng)
                evidence_path = str(path.relative_to(args.profile))
            findings.append((_uuids(1)[0], event_id, inspection_id, post_ids[p], guard_ids[g],
                             bad.category, bad.code, COMPANY, rng.choice(NOTES),
                             "corrected" if rng.random() < 0.6 else "not_corrected",
                             evidence_path, stamp, stamp, device))
        for item in items[post_tasks[p]]:
            results.append((next(result_ids), inspection_id, item.category, item.code,
                            0 if bad is item else 1, stamp, stamp, device))
    conn.executemany(
        "INSERT INTO inspection (id, event_id, post_id, guard_id, scanned_text, verdict, "
        "template_id, template_version, created_at, updated_at, device_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)", inspections)
    conn.executemany(
        "INSERT INTO check_result (id, inspection_id, category, item_code, compliant, "
        "created_at, updated_at, device_id) VALUES (?,?,?,?,?,?,?,?)", results)
    conn.executemany(
        "INSERT INTO finding (id, event_id, inspection_id, post_id, guard_id, category, "
        "item_code, company_name, note, correction, evidence_path, created_at, updated_at, "
        "device_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", findings)
    statuses = []
    for index, p in enumerate(rng.sample(range(args.posts), 16)):
        stamp = (start + timedelta(seconds=rng.random() * span)).strftime(SQLITE_TIME)
        status = "absent" if index < 6 else "understaffed"
        statuses.append((_uuids(1)[0], event_id, post_ids[p], status,
                         0 if status == "absent" else per_post - 3, "巡查发现", stamp, stamp,
                         device))
    conn.executemany(
        "INSERT INTO post_status (id, event_id, post_id, status, present_count, note, "
        "created_at, updated_at, device_id) VALUES (?,?,?,?,?,?,?,?,?)", statuses)
    conn.executemany("INSERT OR REPLACE INTO profile_setting (key, value) VALUES (?, ?)", [
        ("bench_report", _marker(args)), ("bench_report_event", event_id),
        ("supervisor_name", "基准督导员")])
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return event_id


# --------------------------------------------------------------------------- measure
def _timed(function: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def measure(profile: Path, event_id: str, runs: int) -> dict[str, Any]:
    """Runs in a fresh process: the pipeline's steps, cold then warm, then one whole
    pipeline under tracemalloc, then the app's own EvaluationService.sign."""
    started = time.perf_counter()
    from app.evaluation.pdf import render_evaluation_pdf
    from app.evaluation.report import EvaluationService
    from app.evaluation.scoring import compute_score
    from app.evaluation.signing import load_signer, sign_pdf, supervisor_p12_path
    from app.profile.db import Database

    imports = time.perf_counter() - started
    db = Database(profile)
    with db.engine.begin() as conn:  # a previous measurement's evaluation and PDF go
        conn.exec_driver_sql("DELETE FROM evaluation")
    shutil.rmtree(profile / "reports", ignore_errors=True)
    service = EvaluationService(db)
    p12 = supervisor_p12_path(db)
    assert p12 is not None
    signer, load_s = _timed(load_signer, p12, PASSPHRASE)
    draft = service.draft(event_id)
    signature = _signature()

    steps: dict[str, list[float]] = {"compute_score": [], "build_report": [], "render": [],
                                     "sign": [], "total": []}
    pdf = signed = b""
    for _ in range(runs):
        score, t_score = _timed(compute_score, db, event_id)
        report, t_report = _timed(service.build_report, draft.id)
        pdf, t_render = _timed(render_evaluation_pdf, report, signature, False)
        signed, t_sign = _timed(sign_pdf, pdf, signer)
        for key, value in (("compute_score", t_score), ("build_report", t_report),
                           ("render", t_render), ("sign", t_sign)):
            steps[key].append(value)
        steps["total"].append(t_report + t_render + t_sign)  # build_report computes the score

    tracemalloc.start()
    report = service.build_report(draft.id)
    traced_pdf = sign_pdf(render_evaluation_pdf(report, signature, False), signer)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced_pdf

    info, service_s = _timed(service.sign, draft.id, signature, signer)
    verify = None
    try:
        from app.evaluation.signing import verify_pdf

        verify = verify_pdf(profile / (info.pdf_path or ""))
    finally:
        db.close()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader_pages = _pages(signed)
    return {
        "imports_s": imports, "load_signer_s": load_s, "steps": steps,
        "service_sign_s": service_s, "tracemalloc_peak_mb": traced_peak / 2**20,
        "maxrss_mb": rss_kb / 1024, "pages": reader_pages, "pdf_bytes": len(signed),
        "unsigned_bytes": len(pdf), "score": info.score_total, "grade": info.grade,
        "coverage": info.coverage, "intact": bool(verify and verify.intact),
        "findings": score.findings, "inspections": score.inspections,
        "guards": score.guards_rostered, "guards_checked": score.guards_checked,
        "posts": score.posts_total, "listed_guards": sum(1 for g in score.per_guard
                                                         if g.findings),
        "not_checked": len(report.not_checked), "pdf_path": str(profile / (info.pdf_path or "")),
    }


def _signature() -> bytes:
    from app.demo import demo_signature_png

    return demo_signature_png()


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# ---------------------------------------------------------------------------- report
def print_table(result: dict[str, Any], built: float | None, args: argparse.Namespace) -> None:
    steps = result["steps"]

    def cold(key: str) -> float:
        return steps[key][0] * 1000

    def warm(key: str) -> float:
        rest = steps[key][1:] or steps[key]
        return statistics.median(rest) * 1000

    print(f"machine: {machine_summary()}")
    how = f"built in {built:.1f} s" if built else "reused"
    print(f"profile: {args.profile} ({how}); "
          f"{result['guards']:,} guards, {result['posts']:,} posts, "
          f"{result['inspections']:,} inspections, {result['findings']:,} findings")
    print(f"result: score {result['score']:.2f} ({result['grade']}), coverage "
          f"{result['coverage'] * 100:.1f}% ({result['guards_checked']:,} checked, "
          f"{result['not_checked']:,} not); {result['listed_guards']:,} guards with findings "
          f"listed; {result['pages']} pages, {result['pdf_bytes'] / 1024:.0f} KiB signed; "
          f"signature intact: {result['intact']}")
    print()
    print(f"  {'step':<40}{'cold ms':>10}{'warm ms':>10}")
    for key, label in (("compute_score", "compute_score"),
                       ("build_report", "build_report (includes compute_score)"),
                       ("render", "render PDF (reportlab)"), ("sign", "sign PDF (pyHanko)"),
                       ("total", "build_report + render + sign")):
        print(f"  {label:<40}{cold(key):>10.0f}{warm(key):>10.0f}")
    print()
    cold_s = steps["total"][0]
    time_s = result["service_sign_s"]
    rows = [
        ("time to a signed PDF, cold (first in the process)", f"< {TIME_GOAL_S:.0f} s",
         f"{cold_s:.2f} s", cold_s < TIME_GOAL_S),
        ("time to a signed PDF, EvaluationService.sign (warm)", f"< {TIME_GOAL_S:.0f} s",
         f"{time_s:.2f} s", time_s < TIME_GOAL_S),
        ("peak memory, process (ru_maxrss)", f"< {MEMORY_GOAL_MB:.0f} MB",
         f"{result['maxrss_mb']:.0f} MB", result["maxrss_mb"] < MEMORY_GOAL_MB),
        ("peak memory, Python allocations (tracemalloc)", "—",
         f"{result['tracemalloc_peak_mb']:.0f} MB", True),
    ]
    print(f"  {'figure':<56}{'goal':>10}{'measured':>12}")
    for label, goal, measured, ok in rows:
        print(f"  {label:<56}{goal:>10}{measured:>12}  {'ok' if ok else 'MISSED'}")
    print()
    print(f"  not in the figures: imports {result['imports_s']:.2f} s, opening the key file "
          f"{result['load_signer_s']:.2f} s (PBKDF2, once a session)")
    print(f"  signed PDF: {result['pdf_path']}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=DEFAULT_PROFILE, metavar="DIR")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--guards", type=int, default=3000)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--inspections", type=int, default=6000)
    parser.add_argument("--findings", type=int, default=600,
                        help="findings in all (staffing findings included)")
    parser.add_argument("--photos", type=int, default=20, help="findings with a photo")
    parser.add_argument("--runs", type=int, default=4, help="timed runs of each step")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--measure", metavar="EVENT_ID", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.profile, args.measure, args.runs)))
        return 0
    event_id, built = build(args)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    child = subprocess.run([sys.executable, __file__, "--profile", str(args.profile),
                            "--runs", str(args.runs), "--measure", event_id],
                           capture_output=True, text=True, env=env, cwd=ROOT)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        return child.returncode
    print_table(json.loads(child.stdout.strip().splitlines()[-1]), built, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

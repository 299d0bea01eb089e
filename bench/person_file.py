"""Benchmark: a person's file at HQ on PostgreSQL (issue 14: under 200 ms p95 with 100 events,
300,000 guard-event rows and 30,000 evaluations). Prints figures; not a test.

Builds, in a throwaway PostgreSQL server (tests/helpers/postgres.py, fsync off: it holds
nothing worth keeping) migrated by HQ's own migrations:

* 100 events (each with a company and 100 posts), 30,000 people who each worked 10 of
  them: 300,000 guard rows with every column of the laptop's table;
* 150,000 inspections (half of the guard rows scanned once) and 30,000 findings (one guard
  row in ten), made by laptops;
* 30,000 signed evaluations (300 per event, their rows without the PDFs: the file does not
  read them); 20,000 audit entries, 5,000 of them about certificates (vetting, revocations),
  2,000 vetting results and 1,000 revoked certificates;
* the person index entries, made by ``app.hq.people.index_entries`` as HQ's ingest makes
  them.

The rows go in with multi-row INSERTs (SQLAlchemy's executemany), then ANALYZE. Then it
times ``person_file`` for 200 random people (a session each, as the route opens it), and the
whole answer of ``GET /api/v1/people/{cert_no}`` in-process (FastAPI's TestClient: the
account's sign-in, a scrypt digest, included) for 200 more: p50, p95, max.

    python bench/person_file.py            # about a minute on a 2-core machine
    python bench/person_file.py --people 3000 --events 10   # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    for folder in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))

from scan_latency import machine_summary, percentile  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.hq.database import HqDatabase  # noqa: E402
from app.hq.models import (  # noqa: E402
    AuditEntry,
    Device,
    EvaluationDocument,
    PersonIndex,
    RevokedCertificate,
    Vetting,
)
from app.hq.models import Record as RecordRow  # noqa: E402
from app.hq.people import index_entries, person_file  # noqa: E402
from app.sync.protocol import canonical_json, content_hash  # noqa: E402
from tests.helpers.postgres import start_server  # noqa: E402

CHUNK = 5_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
ITEMS = (("uniform", "U1"), ("equipment", "E2"), ("conduct", "C3"), ("staff", "F3"))
VIEWER = ("bench-viewer", "bench viewer password 1")


def _stamp(moment: datetime) -> str:
    return moment.isoformat()


def _record(kind: str, payload: dict[str, Any], device: str, event_id: str | None,
            now: datetime) -> dict[str, Any]:
    return {"id": payload["id"], "kind": kind, "content_hash": content_hash(payload),
            "payload": canonical_json(payload).decode("utf-8"), "device_id": device,
            "event_id": event_id, "updated_at": payload["updated_at"], "received_at": now}


def _base(record_id: str, device: str, when: datetime) -> dict[str, Any]:
    return {"id": record_id, "created_at": _stamp(when), "updated_at": _stamp(when),
            "device_id": device, "deleted_at": None}


def _insert(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        s.execute(insert(table), rows[start:start + CHUNK])


def build(db: HqDatabase, events: int, people: int, per_person: int,
          seed: int = 7) -> list[str]:
    """The rows described above; the certificate numbers of the people."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    laptops = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(20)]
    with db.begin() as s:
        _insert(s, Device, [{"id": d, "name": f"督导笔记本{n:02d}", "supervisor": "李建国",
                             "token_hash": "0" * 64, "public_key": b"\0" * 32,
                             "enrolled_at": now} for n, d in enumerate(laptops)])
    event_ids: list[str] = []
    posts: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    for n in range(events):
        starts = now - timedelta(days=7 * (events - n))
        company = _base(str(uuid.uuid4()), "hq", starts)
        company.update(name=f"安保公司{n:03d}", licence_no=f"辽公保服{n:08d}",
                       credit_grade="A", blacklisted=False)
        event = _base(str(uuid.uuid4()), "hq", starts)
        event.update(name=f"大型活动{n:03d}", venue="体育中心", organizer="主办方",
                     starts_at=_stamp(starts), ends_at=_stamp(starts + timedelta(hours=6)),
                     expected_attendance=30_000, venue_capacity=40_000, risk_level="high",
                     event_kind="commercial", company_id=company["id"],
                     checklist_template="checklist")
        rows += [_record("company", company, "hq", None, now),
                 _record("event", event, "hq", event["id"], now)]
        event_ids.append(event["id"])
        posts[event["id"]] = []
        for p in range(100):
            post = _base(str(uuid.uuid4()), "hq", starts)
            post.update(event_id=event["id"], name=f"{'ABCD'[p % 4]}区{p}号安检口",
                        zone=f"{'ABCD'[p % 4]}区", task_type="security_check",
                        required_headcount=3)
            rows.append(_record("post", post, "hq", event["id"], now))
            posts[event["id"]].append(post["id"])
    with db.begin() as s:
        _insert(s, RecordRow, rows)
    certs = [f"辽{210000000000 + n}" for n in range(people)]
    started = time.perf_counter()
    built = {"guard": 0, "inspection": 0, "finding": 0}
    # A person at a time, written every few thousand rows: memory stays small.
    guard_rows: list[dict[str, Any]] = []
    linked: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []

    def flush() -> None:
        with db.begin() as s:
            _insert(s, RecordRow, guard_rows)
            _insert(s, RecordRow, linked)
            _insert(s, PersonIndex, entries)
        guard_rows.clear()
        linked.clear()
        entries.clear()

    for p, cert_no in enumerate(certs):
        key = cert_no[1:]
        worked = rng.sample(range(events), min(per_person, events))
        name = rng.choice(SURNAMES) + f"保安{p}"
        for e in worked:
            event_id = event_ids[e]
            when = now - timedelta(days=7 * (events - e))
            device = laptops[e % len(laptops)] if e % 2 else "hq"
            guard = _base(str(uuid.uuid4()), device, when)
            post_id = rng.choice(posts[event_id])
            guard.update(event_id=event_id, roster_row=p, name=name, gender="男",
                         id_masked="2101**********1234", cert_no=cert_no, cert_key=key,
                         company_name=f"安保公司{e:03d}", phone="13912345678",
                         background_check="passed", trained=True, photo_path=None,
                         post_id=post_id)
            guard_rows.append(_record("guard", guard, device, event_id, now))
            built["guard"] += 1
            made = [("guard", guard["id"], event_id, guard)]
            if rng.random() < 0.5:
                scan = _base(str(uuid.uuid4()), laptops[e % len(laptops)], when)
                scan.update(event_id=event_id, post_id=post_id, guard_id=guard["id"],
                            scanned_text=cert_no, verdict="assigned_here",
                            badge_verdict="VALID", template_id="checklist",
                            template_version=1)
                linked.append(_record("inspection", scan, scan["device_id"], event_id, now))
                made.append(("inspection", scan["id"], event_id, scan))
                built["inspection"] += 1
                if rng.random() < 0.2:
                    category, code = rng.choice(ITEMS)
                    finding = _base(str(uuid.uuid4()), scan["device_id"], when)
                    finding.update(event_id=event_id, inspection_id=scan["id"],
                                   post_id=post_id, guard_id=guard["id"], category=category,
                                   item_code=code, company_name=guard["company_name"],
                                   note="未佩戴保安服务标志", evidence_path=None,
                                   correction="corrected")
                    linked.append(_record("finding", finding, finding["device_id"],
                                          event_id, now))
                    made.append(("finding", finding["id"], event_id, finding))
                    built["finding"] += 1
            entries.extend(index_entries(made))
        if len(guard_rows) >= 20_000:
            flush()
    flush()
    evaluations = []
    for n in range(30_000):
        e = n % events
        signed = now - timedelta(days=7 * (events - e)) + timedelta(hours=8, seconds=n)
        evaluations.append({
            "id": str(uuid.uuid4()), "event_id": event_ids[e], "event_name": f"大型活动{e:03d}",
            "company_name": f"安保公司{e:03d}", "company_licence": f"辽公保服{e:08d}",
            "version": n // events + 1, "status": "signed", "score_total": 80 + n % 20,
            "grade": "合格", "grade_final": True, "coverage": 0.6, "signed_at": signed,
            "supervisor_name": "李建国", "document_id": f"VS-{n:08d}",
            "device_id": laptops[e % len(laptops)], "pdf": b"", "pdf_sha256": "0" * 64,
            "signer_subject": "CN=李建国", "verified_at": now, "received_at": now})
    audit = []
    for n in range(20_000):
        target = (f"certificate:{certs[rng.randrange(people)][1:]}" if n % 4 == 0
                  else f"company:辽公保服{n % events:08d}")
        audit.append({"at": now, "actor": "staff-wang", "action": "vetting.set",
                      "target": target, "before": None,
                      "after": json.dumps({"background": "passed", "trained": True}),
                      "previous_hash": "0" * 64, "entry_hash": uuid.uuid4().hex * 2})
    chosen = rng.sample(certs, min(3_000, people))
    with db.begin() as s:
        _insert(s, EvaluationDocument, evaluations)
        _insert(s, AuditEntry, audit)
        _insert(s, Vetting, [{"cert_key": c[1:], "background": "passed", "trained": True,
                              "note": "", "updated_at": now, "updated_by": "staff-wang"}
                             for c in chosen[:2_000]])
        _insert(s, RevokedCertificate, [{"cert_key": c[1:]} for c in chosen[2_000:]])
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    print(f"  built {built['guard']:,} guard rows, {built['inspection']:,} inspections, "
          f"{built['finding']:,} findings, {len(evaluations):,} evaluations, "
          f"{len(audit):,} audit entries over {events} events and {people:,} people in "
          f"{time.perf_counter() - started:.0f} s")
    return certs


def _figures(label: str, times: Sequence[float]) -> None:
    ms = [t * 1000 for t in times]
    print(f"  {label:<44} p50 {percentile(ms, 50):7.1f} ms   p95 {percentile(ms, 95):7.1f} ms"
          f"   max {max(ms):7.1f} ms   (n={len(ms)})")


def measure(db: HqDatabase, certs: list[str], rounds: int, seed: int = 11) -> None:
    from fastapi.testclient import TestClient

    from app.hq.server import create_app
    from app.hq.store import HqStore

    rng = random.Random(seed)
    times, sizes, events_listed = [], [], []
    for cert_no in rng.sample(certs, rounds):
        started = time.perf_counter()
        with db.Session() as s:
            found = person_file(s, cert_no)
        times.append(time.perf_counter() - started)
        assert found is not None
        events_listed.append(len(found["events"]))
        sizes.append(len(json.dumps(found, ensure_ascii=False)))
    _figures("person_file (a session each)", times)
    print(f"    each lists {min(events_listed)}-{max(events_listed)} events; answers of "
          f"{min(sizes) // 1024}-{max(sizes) // 1024} KiB of JSON")
    store = HqStore(db.url)
    try:
        store.accounts.add(VIEWER[0], "viewer", VIEWER[1], "bench")
        answers = []
        with TestClient(create_app(store)) as client:
            for cert_no in rng.sample(certs, rounds):
                started = time.perf_counter()
                answer = client.get(f"/api/v1/people/{cert_no}", auth=VIEWER)
                answers.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
        _figures("GET /api/v1/people/{cert_no} (with sign-in)", answers)
    finally:
        store.close()


def _server() -> Iterator[str]:
    server = start_server()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--per-person", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"machine : {machine_summary()}")
    servers = _server()
    try:
        url = next(servers)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest's skip when no PostgreSQL binaries exist
        print(f"PostgreSQL is needed: {exc}")
        return 1
    try:
        db = HqDatabase(url)
        try:
            certs = build(db, args.events, args.people, args.per_person)
            measure(db, certs, min(args.rounds, len(certs)))
        finally:
            db.close()
    finally:
        servers.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

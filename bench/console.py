"""Benchmark: HQ's console pages at scale on PostgreSQL (issue 14: the console's event page and
person file under 200 ms p95 with 100 events, 300,000 guard-event rows and 30,000
evaluations). Prints figures; not a test.

Builds, in a throwaway PostgreSQL server (tests/helpers/postgres.py, fsync off: it holds
nothing worth keeping) migrated by HQ's own migrations, rows as HQ stores them (each
payload has exactly the keys of its kind, app.sync.records.payload_keys, in canonical
JSON with its content hash):

* 20 enrolled laptops; 100 companies (HQ's register, 20 of them on a red or black list);
* 100 events of 100 posts each; the even ones prepared by HQ (device ``hq``: event,
  posts, guards), the odd ones made by a laptop;
* 30,000 people who each worked 10 of the events: 300,000 guard rows (3,000 per event;
  no photo in the payloads);
* 150,000 inspections (half of the guard rows scanned once) and about 30,000 findings;
* 30,000 signed evaluations (300 versions per event, each a chain of corrections): their
  ``evaluation`` records (payload without the PDF) and ``evaluation_document`` rows
  sharing one small PDF blob; 20,000 audit entries (5,000 about certificates), 2,000
  vetting results, 1,000 revoked certificates;
* the person index entries, made by ``app.hq.people.index_entries`` as HQ's ingest does.

The rows go in with multi-row INSERTs (SQLAlchemy's executemany), then ANALYZE. Then, with
the real FastAPI app in-process (FastAPI's TestClient, no network), signed in to the
console with a session cookie (viewer), it requests each page ``--rounds`` times (random
events and people; three unmeasured requests first) and prints p50, p95, max and the
size of the answer:

    GET /console/events         the console's list of events (when it exists)
    GET /console/events/{id}    the console's event page (when it exists)
    GET /events/{id}            the read page (HTTP Basic: a scrypt digest per request)
    GET /console/people/{cert}  the console's person file (when it exists)
    GET /api/v1/people/{cert}   the API's person file (HTTP Basic)
    GET /console/companies      companies, credit grades and lists
    GET /console/companies/{licence}   one company's page (grade history, reviews)
    GET /companies              the read page of the companies' standing (HTTP Basic)
    GET /api/v1/companies       the standing as JSON (HTTP Basic)
    GET /api/v1/recommendations the recommendation for 30,000 attendees, high risk (HTTP Basic)
    GET /public/companies       the public register (no sign-in)
    GET /console/evaluations    the evaluations inbox

Every companies page reads app.hq.standing.company_standing (the recommendation and the
letters to organisers rank it).

    python bench/console.py                      # build (about 2-3 minutes) and measure
    python bench/console.py --keep               # leave the server running (prints its URL)
    python bench/console.py --url URL            # measure a database built before (--keep)
    python bench/console.py --events 10 --people 3000 --evaluations 3000   # a quick look
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

if __package__ in (None, ""):
    for folder in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))

from scan_latency import machine_summary, percentile  # noqa: E402
from sqlalchemy import (  # noqa: E402
    Boolean,
    DateTime,
    Float,
    Integer,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session  # noqa: E402

from app.hq.database import HqDatabase  # noqa: E402
from app.hq.models import (  # noqa: E402
    HQ_DEVICE,
    AuditEntry,
    CompanyRegisterEntry,
    Device,
    EvaluationDocument,
    PersonIndex,
    RevokedCertificate,
    Vetting,
)
from app.hq.models import Record as RecordRow  # noqa: E402
from app.hq.people import index_entries  # noqa: E402
from app.sync.protocol import canonical_json, content_hash  # noqa: E402
from app.sync.records import payload_keys  # noqa: E402

CHUNK = 5_000
GOAL_MS = 200.0
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
ITEMS = (("uniform", "U1"), ("equipment", "E2"), ("conduct", "C3"), ("staff", "F3"))
GRADES = ("excellent", "good", "pass", "fail")
VIEWER = ("bench-viewer", "bench viewer password 1")
# One small PDF all evaluation documents share (the pages never open it; its size only
# matters for the database's).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


# ------------------------------------------------------------------------------ building
def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _empty(column: Any, when: datetime) -> Any:
    """What a laptop sends for a column left unset: None where the table allows it, else
    its type's empty value (as bench/sync.py's own events)."""
    if column is None or column.nullable:
        return None
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, Integer | Float):
        return 0
    if isinstance(getattr(column.type, "impl", column.type), DateTime):
        return _stamp(when)
    return ""


def _payload(kind: str, record_id: str, device: str, when: datetime,
             **values: Any) -> dict[str, Any]:
    """A payload with exactly the keys a laptop sends for this kind."""
    keys = payload_keys(kind)
    unknown = set(values) - set(keys)
    assert not unknown, f"{kind} has no {sorted(unknown)}"
    payload: dict[str, Any] = {key: _empty(column, when) for key, column in keys.items()}
    payload.update(id=record_id, created_at=_stamp(when), updated_at=_stamp(when),
                   device_id=device, deleted_at=None, **values)
    return payload


def _record(kind: str, payload: dict[str, Any], event_id: str | None,
            now: datetime) -> dict[str, Any]:
    return {"id": payload["id"], "kind": kind, "content_hash": content_hash(payload),
            "payload": canonical_json(payload).decode("utf-8"),
            "device_id": payload["device_id"], "event_id": event_id,
            "updated_at": payload["updated_at"], "received_at": now}


def _insert(s: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        s.execute(insert(table), rows[start:start + CHUNK])


class Built:
    def __init__(self) -> None:
        self.event_ids: list[str] = []
        self.certs: list[str] = []
        self.counts: dict[str, int] = {}


def build(db: HqDatabase, events: int, people: int, per_person: int, evaluations: int,
          seed: int = 7) -> Built:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    built = Built()
    counts = built.counts
    laptops = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(20)]
    with db.begin() as s:
        _insert(s, Device, [{"id": d, "name": f"督导笔记本{n:02d}", "supervisor": "李建国",
                             "token_hash": hashlib.sha256(d.encode()).hexdigest(),
                             "public_key": b"\0" * 32, "enrolled_at": now}
                            for n, d in enumerate(laptops)])
    rows: list[dict[str, Any]] = []
    register: list[dict[str, Any]] = []
    posts: dict[str, list[str]] = {}
    owner: dict[str, str] = {}  # event id -> the device that made it
    starts_of: dict[str, datetime] = {}
    for n in range(events):
        starts = now - timedelta(days=7 * (events - n))
        device = HQ_DEVICE if n % 2 == 0 else laptops[n % len(laptops)]
        licence = f"辽公保服{n:08d}"
        company = _payload("company", str(uuid.uuid4()), HQ_DEVICE, starts,
                           name=f"安保公司{n:03d}", licence_no=licence,
                           credit_grade="AAA AA A B C".split()[n % 5],
                           blacklisted=n % 10 == 9)
        if n % 5 == 0:
            register.append({"licence_no": licence, "list_name": "black" if n % 10 == 5
                             else "red", "reason": "考评记录", "since": starts,
                             "updated_at": starts, "updated_by": "staff-wang"})
        event_id = str(uuid.uuid4())
        event = _payload("event", event_id, device, starts,
                         name=f"大型活动{n:03d}", venue="体育中心", organizer="主办方",
                         starts_at=_stamp(starts), ends_at=_stamp(starts + timedelta(hours=6)),
                         expected_attendance=30_000, venue_capacity=40_000,
                         risk_level="high", event_kind="commercial",
                         company_id=company["id"], checklist_template="checklist")
        rows += [_record("company", company, None, now),
                 _record("event", event, event_id, now)]
        built.event_ids.append(event_id)
        owner[event_id] = device
        starts_of[event_id] = starts
        posts[event_id] = []
        for p in range(100):
            post = _payload("post", str(uuid.uuid4()), device, starts, event_id=event_id,
                            name=f"{'ABCD'[p % 4]}区{p}号安检口", zone=f"{'ABCD'[p % 4]}区",
                            task_type="security_check", required_headcount=3)
            rows.append(_record("post", post, event_id, now))
            posts[event_id].append(post["id"])
    with db.begin() as s:
        _insert(s, RecordRow, rows)
        _insert(s, CompanyRegisterEntry, register)
    counts.update(company=events, event=events, post=len(rows) - 2 * events)
    built.certs = [f"辽{210000000000 + n}" for n in range(people)]
    counts.update(guard=0, inspection=0, finding=0)
    pending: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []

    def flush() -> None:
        with db.begin() as s:
            _insert(s, RecordRow, pending)
            _insert(s, PersonIndex, entries)
        pending.clear()
        entries.clear()

    for p, cert_no in enumerate(built.certs):
        worked = rng.sample(range(events), min(per_person, events))
        name = rng.choice(SURNAMES) + f"保安{p}"
        for e in worked:
            event_id = built.event_ids[e]
            when = starts_of[event_id] - timedelta(days=3)
            post_id = rng.choice(posts[event_id])
            guard = _payload("guard", str(uuid.uuid4()), owner[event_id], when,
                             event_id=event_id, roster_row=p + 2, name=name, gender="男",
                             id_masked="2101**********1234", cert_no=cert_no,
                             cert_key=cert_no[1:], company_name=f"安保公司{e:03d}",
                             phone="13912345678", background_check="passed", trained=True,
                             post_id=post_id)
            pending.append(_record("guard", guard, event_id, now))
            counts["guard"] += 1
            made = [("guard", guard["id"], event_id, guard)]
            if rng.random() < 0.5:
                laptop = laptops[e % len(laptops)]
                at = starts_of[event_id] + timedelta(minutes=rng.randrange(360))
                scan = _payload("inspection", str(uuid.uuid4()), laptop, at,
                                event_id=event_id, post_id=post_id, guard_id=guard["id"],
                                scanned_text=cert_no, verdict="assigned_here",
                                badge_verdict="VALID", template_id="checklist",
                                template_version=1)
                pending.append(_record("inspection", scan, event_id, now))
                made.append(("inspection", scan["id"], event_id, scan))
                counts["inspection"] += 1
                if rng.random() < 0.4:
                    category, code = rng.choice(ITEMS)
                    finding = _payload("finding", str(uuid.uuid4()), laptop, at,
                                       event_id=event_id, inspection_id=scan["id"],
                                       post_id=post_id, guard_id=guard["id"],
                                       category=category, item_code=code,
                                       company_name=guard["company_name"],
                                       note="未佩戴保安服务标志", correction="corrected")
                    pending.append(_record("finding", finding, event_id, now))
                    made.append(("finding", finding["id"], event_id, finding))
                    counts["finding"] += 1
            entries.extend(index_entries(made))
        if len(pending) >= 20_000:
            flush()
    flush()
    _evaluations(db, built, laptops, starts_of, evaluations, now)
    audit = []
    for n in range(20_000):
        target = (f"certificate:{built.certs[rng.randrange(people)][1:]}" if n % 4 == 0
                  else f"company:辽公保服{n % events:08d}")
        audit.append({"at": now, "actor": "staff-wang", "action": "vetting.set",
                      "target": target, "before": None,
                      "after": json.dumps({"background": "passed", "trained": True}),
                      "previous_hash": "0" * 64, "entry_hash": uuid.uuid4().hex * 2})
    chosen = rng.sample(built.certs, min(3_000, people))
    with db.begin() as s:
        _insert(s, AuditEntry, audit)
        _insert(s, Vetting, [{"cert_key": c[1:], "background": "passed", "trained": True,
                              "note": "", "updated_at": now, "updated_by": "staff-wang"}
                             for c in chosen[:2_000]])
        _insert(s, RevokedCertificate, [{"cert_key": c[1:]} for c in chosen[2_000:]])
    counts.update(audit=len(audit), vetting=min(2_000, len(chosen)),
                  revoked=max(0, len(chosen) - 2_000))
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return built


def _evaluations(db: HqDatabase, built: Built, laptops: list[str],
                 starts_of: dict[str, datetime], total: int, now: datetime) -> None:
    """``total`` signed evaluations spread over the events, each event's a chain of
    versions (each correcting the one before): the record and the document row."""
    events = len(built.event_ids)
    pdf_sha256 = hashlib.sha256(PDF).hexdigest()
    previous: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    for n in range(total):
        e = n % events
        event_id = built.event_ids[e]
        laptop = laptops[e % len(laptops)]
        signed = starts_of[event_id] + timedelta(hours=8, seconds=n)
        version = n // events + 1
        score = 55.0 + (n * 7) % 45
        grade = GRADES[0 if score >= 90 else 1 if score >= 80 else 2 if score >= 60 else 3]
        evaluation = _payload(
            "evaluation", str(uuid.uuid4()), laptop, signed, event_id=event_id,
            version=version, previous_id=previous.get(event_id), status="signed",
            supervisor_name="李建国", comment="总体良好", recommendation="继续使用",
            score_total=score, grade=grade, coverage=0.6, signed_at=_stamp(signed),
            document_id=f"VS-{n:08d}", pdf_sha256=pdf_sha256,
            pdf_name=f"VS-{n:08d}.pdf", signer_subject="CN=李建国",
            content_sha256=hashlib.sha256(str(n).encode()).hexdigest(), rules_version=1,
            document_number=f"辽公督〔2026〕{n + 1}号")
        del evaluation["pdf"]  # HQ keeps the PDF in evaluation_document only
        previous[event_id] = evaluation["id"]
        records.append(_record("evaluation", evaluation, event_id, now))
        documents.append({
            "id": evaluation["id"], "event_id": event_id, "event_name": f"大型活动{e:03d}",
            "company_name": f"安保公司{e:03d}", "company_licence": f"辽公保服{e:08d}",
            "version": version, "status": "signed", "score_total": score, "grade": grade,
            "grade_final": True, "coverage": 0.6, "signed_at": signed,
            "supervisor_name": "李建国", "document_id": f"VS-{n:08d}", "device_id": laptop,
            "pdf": PDF, "pdf_sha256": pdf_sha256, "signer_subject": "CN=李建国",
            "verified_at": now, "received_at": signed})
    with db.begin() as s:
        _insert(s, RecordRow, records)
        _insert(s, EvaluationDocument, documents)
    built.counts["evaluation"] = total


# ----------------------------------------------------------------------------- measuring
def _figures(label: str, times: Sequence[float], sizes: Sequence[int]) -> None:
    ms = [t * 1000 for t in times]
    p95 = percentile(ms, 95)
    print(f"  {label:<34} p50 {percentile(ms, 50):7.1f} ms  p95 {p95:7.1f} ms  "
          f"max {max(ms):7.1f} ms  n={len(ms)}  answer {min(sizes) // 1024}-"
          f"{max(sizes) // 1024} KiB  {'< 200 ms' if p95 < GOAL_MS else '>= 200 ms'}")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the sign-in form")
    return found.group(1)


def _sign_in(client: Any) -> None:
    form = client.get("/console/sign-in")
    answer = client.post("/console/sign-in", data={"csrf": _csrf(form.text),
                                                   "name": VIEWER[0], "password": VIEWER[1]})
    if answer.status_code != 200 or not str(answer.url).endswith("/console/"):
        raise RuntimeError(f"console sign-in failed: HTTP {answer.status_code}")


def measure(url: str, event_ids: list[str], certs: list[str], rounds: int,
            only: set[str] | None = None, budget: float = 300.0, seed: int = 11) -> None:
    """Each page ``rounds`` times, or as many as ``budget`` seconds allow (said)."""
    from fastapi.testclient import TestClient

    from app.hq.server import create_app
    from app.hq.store import HqStore

    rng = random.Random(seed)
    store = HqStore(url)
    try:
        if store.accounts.authenticate(*VIEWER) is None:
            store.accounts.add(VIEWER[0], "viewer", VIEWER[1], "bench")
        started = time.perf_counter()
        for _ in range(5):
            store.accounts.authenticate(*VIEWER)
        print(f"  (an HTTP Basic sign-in alone, the scrypt digest: "
              f"{(time.perf_counter() - started) / 5 * 1000:.0f} ms each)")
        with TestClient(create_app(store), base_url="http://127.0.0.1") as client:
            _sign_in(client)

            def event_path(prefix: str) -> Callable[[], str]:
                return lambda: f"{prefix}/events/{quote(rng.choice(event_ids))}"

            def person_path(prefix: str) -> Callable[[], str]:
                return lambda: f"{prefix}/{quote(rng.choice(certs))}"

            # The register's licences as build() makes them (one company per event).
            licences = [f"辽公保服{n:08d}" for n in range(len(event_ids))]
            pages: list[tuple[str, Callable[[], str], bool]] = [
                ("GET /console/events (the list)", lambda: "/console/events", False),
                ("GET /console/events/{id}", event_path("/console"), False),
                ("GET /events/{id}", event_path(""), True),
                ("GET /console/people/{cert_no}", person_path("/console/people"), False),
                ("GET /api/v1/people/{cert_no}", person_path("/api/v1/people"), True),
                ("GET /console/companies", lambda: "/console/companies", False),
                ("GET /console/companies/{licence}",
                 lambda: f"/console/companies/{quote(rng.choice(licences))}", False),
                ("GET /companies (read page)", lambda: "/companies", True),
                ("GET /api/v1/companies", lambda: "/api/v1/companies", True),
                ("GET /api/v1/recommendations",
                 lambda: "/api/v1/recommendations?attendance=30000&risk=high", True),
                ("GET /public/companies", lambda: "/public/companies", False),
                ("GET /console/evaluations", lambda: "/console/evaluations", False)]
            for label, path, basic in pages:
                if only and not any(word in label for word in only):
                    continue
                auth = VIEWER if basic else None
                try:
                    probe = client.get(path(), auth=auth, follow_redirects=False)
                except Exception as exc:  # a page being built meanwhile: the others still
                    print(f"  {label:<34} not measured: {type(exc).__name__}: {exc}")
                    continue
                if probe.status_code != 200:
                    print(f"  {label:<34} not measured: answers HTTP {probe.status_code} "
                          "(not built yet?)")
                    continue
                for _ in range(2):
                    client.get(path(), auth=auth)
                times: list[float] = []
                sizes: list[int] = []
                for _ in range(rounds):
                    if sum(times) > budget and len(times) >= 20:
                        print(f"  {label}: stopped after {len(times)} requests "
                              f"(--budget {budget:.0f} s)")
                        break
                    asked = path()
                    started = time.perf_counter()
                    answer = client.get(asked, auth=auth, follow_redirects=False)
                    times.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{asked}: HTTP {answer.status_code} "
                                           f"{answer.text[:200]}")
                    sizes.append(len(answer.content))
                _figures(label, times, sizes)
    finally:
        store.close()


def _existing(db: HqDatabase) -> tuple[list[str], list[str]]:
    """The events and certificate numbers of a database built before."""
    with db.Session() as s:
        event_ids = list(s.scalars(select(RecordRow.id).where(RecordRow.kind == "event")
                                   .order_by(RecordRow.id)))
        keys = list(s.scalars(select(PersonIndex.cert_key)
                              .where(~PersonIndex.cert_key.startswith("guard:"))
                              .group_by(PersonIndex.cert_key).order_by(PersonIndex.cert_key)))
        guards = s.scalar(select(func.count()).select_from(RecordRow)
                          .where(RecordRow.kind == "guard"))
    print(f"  the database holds {len(event_ids)} events, {guards:,} guard rows, "
          f"{len(keys):,} people")
    return event_ids, ["辽" + key for key in keys]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--per-person", type=int, default=10)
    parser.add_argument("--evaluations", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--budget", type=float, default=300.0,
                        help="seconds at most per page (at least 20 requests)")
    parser.add_argument("--url", help="measure this HQ database (built before) instead")
    parser.add_argument("--keep", action="store_true",
                        help="leave the throwaway server running and print its URL")
    parser.add_argument("--only", nargs="*", help="measure only pages whose label holds "
                                                  "one of these words (e.g. people)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine : {machine_summary()}")
    only = set(args.only) if args.only else None
    if args.url:
        db = HqDatabase(args.url)  # brings the schema to the newest migration
        try:
            event_ids, certs = _existing(db)
        finally:
            db.close()
        measure(args.url, event_ids, certs, args.rounds, only, args.budget)
        return 0
    from tests.helpers.postgres import start_server

    try:
        server = start_server()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # pytest's skip when no PostgreSQL binaries exist
        print(f"PostgreSQL is needed: {exc}")
        return 1
    try:
        url = server.url(server.create_database())
        db = HqDatabase(url)
        started = time.perf_counter()
        try:
            built = build(db, args.events, args.people, args.per_person, args.evaluations)
            with db.engine.connect() as connection:
                size = connection.execute(text(
                    "SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
        finally:
            db.close()
        print("  built " + ", ".join(f"{n:,} {kind}" for kind, n in built.counts.items())
              + f" in {time.perf_counter() - started:.0f} s; database {size}")
        measure(url, built.event_ids, built.certs, args.rounds, only, args.budget)
        if args.keep:
            print(f"  server kept: {url}\n  stop it with: pg_ctl -D {server.data_dir} stop "
                  f"(as {server.run_as or 'yourself'}), then remove {server.root}")
    finally:
        if not args.keep:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

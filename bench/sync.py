"""Benchmark: sync with headquarters (prints figures; not a test).

1. One laptop pushes 10,000 inspection records to a real HQ process on loopback (SQLite):
   the whole ``SyncService.sync()`` (outbox read, payloads, hashes, HTTP, acknowledgements),
   time and records/s. Then the same again after the acknowledgements are forgotten (a
   laptop restored from a backup): every record answered "already present".
2. 20 simulated laptops push at once into HQ, on SQLite and on PostgreSQL (a throwaway
   server from the installed binaries): each an enrolled device with its own token sending
   prepared batches of 500 inspection records over its own connection. Records/s over the
   wall time, and the latency of each request (p50, p95).

    python bench/sync.py                 # everything (PostgreSQL part skipped without binaries)
    python bench/sync.py --laptops 20 --per-laptop 5000 --records 10000
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    for folder in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))

import httpx  # noqa: E402
from scan_latency import machine_summary, percentile  # noqa: E402
from sqlalchemy import insert, select, update  # noqa: E402

from app.demo import create_demo_event  # noqa: E402
from app.inspection.workbench import Workbench  # noqa: E402
from app.profile.db import Database  # noqa: E402
from app.profile.models import Guard, Inspection, Outbox  # noqa: E402
from app.sync.client import SyncService  # noqa: E402
from app.sync.protocol import API_PREFIX, Record, b64encode, raw_public_key  # noqa: E402
from tests.helpers.hq_process import HqProcess, free_port  # noqa: E402
from tests.helpers.postgres import PostgresServer, find_bin_dir  # noqa: E402

BATCH = 500


def _inspection_rows(event_id: str, guards: list[tuple[str, str | None]], device: str,
                     count: int) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    rows = []
    for index in range(count):
        guard_id, post_id = guards[index % len(guards)]
        rows.append({"id": str(uuid.uuid4()), "created_at": now, "updated_at": now,
                     "device_id": device, "deleted_at": None, "event_id": event_id,
                     "post_id": post_id, "guard_id": guard_id,
                     "scanned_text": f"VS1{index:012d}", "verdict": "assigned_here",
                     "badge_verdict": "VALID", "template_id": "checklist",
                     "template_version": 1})
    return rows


def one_laptop(hq: HqProcess, folder: Path, records: int) -> None:
    db = Database(folder / "laptop")
    service = SyncService(db)
    service.enrol(hq.url, hq.enrol_code())
    event_id = create_demo_event(Workbench(db), with_inspections=False)
    started = time.perf_counter()
    first = service.sync()
    print(f"  the event itself (company, event, 80 posts, 606 guards): {first.sent} records "
          f"in {time.perf_counter() - started:.2f} s")
    with db.begin() as s:
        guards = [(g.id, g.post_id) for g in s.scalars(select(Guard))]
        s.execute(insert(Inspection), _inspection_rows(event_id, guards, db.device_id, records))
    pending = service.pending_count()
    started = time.perf_counter()
    outcome = service.sync()
    elapsed = time.perf_counter() - started
    print(f"  {pending:,} inspection records pushed: {elapsed:.2f} s, "
          f"{outcome.sent / elapsed:,.0f} records/s (sent {outcome.sent}, present "
          f"{outcome.already_present}, failed {outcome.failed}); goal < 5 s: "
          f"{'MET' if elapsed < 5 and outcome.sent == records else 'NOT MET'}")
    with db.begin() as s:
        s.execute(update(Outbox).where(Outbox.kind == "inspection")
                  .values(acknowledged_at=None))
    started = time.perf_counter()
    again = service.sync()
    elapsed = time.perf_counter() - started
    print(f"  the same {records:,} again after the acknowledgements were lost: {elapsed:.2f} s "
          f"(sent {again.sent}, already present {again.already_present})")
    db.close()


def _device_tokens(hq: HqProcess, count: int) -> list[str]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    tokens = []
    with httpx.Client(base_url=hq.url + API_PREFIX, timeout=30) as client:
        for index in range(count):
            code = hq.enrol_code(f"督导员{index + 1}")
            answer = client.post("/enrol", json={
                "code": code, "device_name": f"laptop-{index + 1}",
                "device_public_key": b64encode(raw_public_key(Ed25519PrivateKey.generate())),
                "signing_certificate_pem": None})
            answer.raise_for_status()
            tokens.append(answer.json()["token"])
    return tokens


def _own_event(event_id: str, device: str) -> dict[str, object]:
    """An event the laptop made itself (HQ takes a laptop's records of its own events and
    of the events it took down only): every column of the event table, empty."""
    from sqlalchemy import Boolean, DateTime, Float, Integer

    from app.sync.records import payload_keys

    now = datetime.now(UTC).isoformat(timespec="microseconds")
    payload: dict[str, object] = {}
    for key, column in payload_keys("event").items():
        if column is None or column.nullable:
            payload[key] = None
        elif isinstance(column.type, Boolean):
            payload[key] = False
        elif isinstance(column.type, Integer | Float):
            payload[key] = 0
        elif isinstance(getattr(column.type, "impl", column.type), DateTime):
            payload[key] = now  # UtcDateTime decorates a DateTime
        else:
            payload[key] = ""
    payload.update(id=event_id, name=f"bench {event_id}", device_id=device)
    return Record.of("event", payload).as_json()


def _bodies(device_token: str, per_laptop: int) -> list[bytes]:
    device = device_token.split(".")[0]
    event_id = str(uuid.uuid4())
    rows = _inspection_rows(event_id, [(str(uuid.uuid4()), str(uuid.uuid4()))
                                       for _ in range(50)], device, per_laptop)
    bodies = []
    for start in range(0, per_laptop, BATCH):
        records = [_own_event(event_id, device)] if start == 0 else []
        for row in rows[start:start + BATCH]:
            payload = {key: (value.isoformat(timespec="microseconds")
                             if isinstance(value, datetime) else value)
                       for key, value in row.items()}
            records.append(Record.of("inspection", payload).as_json())
        bodies.append(json.dumps({"records": records}, ensure_ascii=False).encode())
    return bodies


def many_laptops(hq: HqProcess, laptops: int, per_laptop: int, label: str) -> None:
    tokens = _device_tokens(hq, laptops)
    bodies = [_bodies(token, per_laptop) for token in tokens]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(laptops + 1)

    def laptop(token: str, batches: list[bytes]) -> None:
        with httpx.Client(base_url=hq.url + API_PREFIX, timeout=120,
                          headers={"Authorization": f"Bearer {token}",
                                   "Content-Type": "application/json"}) as client:
            client.get("/stats")  # connection up before the clock starts
            barrier.wait()
            for body in batches:
                started = time.perf_counter()
                answer = client.post("/records", content=body)
                elapsed = time.perf_counter() - started
                results = answer.json()["results"] if answer.status_code == 200 else []
                statuses = ({r["status"] for r in results} if answer.status_code == 200
                            else {f"HTTP {answer.status_code}"})
                with lock:
                    latencies.append(elapsed)
                    if statuses != {"stored"}:
                        failures.append(str(statuses) + " " + next(
                            (str(r.get("error")) for r in results if r["status"] != "stored"),
                            ""))

    threads = [threading.Thread(target=laptop, args=(token, batch))
               for token, batch in zip(tokens, bodies, strict=True)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    total = laptops * per_laptop
    stats = hq.stats()
    print(f"  {label}: {laptops} laptops x {per_laptop:,} = {total:,} records in {wall:.2f} s "
          f"-> {total / wall:,.0f} records/s; request ({BATCH} records) latency p50 "
          f"{percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f}"
          f" ms, max {max(latencies) * 1000:.0f} ms; HQ holds {stats['inspections']:,} "
          f"inspections; {len(failures)} requests not all stored")
    if failures:  # a figure of refused records would measure nothing: say why
        print(f"  first refusal: {failures[0][:300]}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--per-laptop", type=int, default=5_000)
    parser.add_argument("--skip-postgres", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"machine : {machine_summary()}")
    with tempfile.TemporaryDirectory(prefix="vs-bench-sync-") as name:
        folder = Path(name)
        print("1. one laptop -> HQ on SQLite (loopback HTTP)")
        hq = HqProcess(f"sqlite:///{folder / 'hq-one.sqlite3'}", folder).start()
        try:
            one_laptop(hq, folder, args.records)
        finally:
            hq.stop()
        print(f"2. {args.laptops} laptops at once")
        hq = HqProcess(f"sqlite:///{folder / 'hq-many.sqlite3'}", folder).start()
        try:
            many_laptops(hq, args.laptops, args.per_laptop, "HQ on SQLite")
        finally:
            hq.stop()
        if args.skip_postgres:
            return 0
        server = durable_postgres()
        if server is None:
            print("  PostgreSQL skipped: no binaries (install Debian's postgresql)")
            return 0
        try:
            hq = HqProcess(server.url(server.create_database()), folder).start()
            try:
                many_laptops(hq, args.laptops, args.per_laptop,
                             "HQ on PostgreSQL (fsync on, synchronous_commit on)")
            finally:
                hq.stop()
        finally:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)
    return 0


def durable_postgres() -> PostgresServer | None:
    """A throwaway server like the tests', but with PostgreSQL's durable defaults: the tests
    switch fsync off for speed, a throughput figure must not."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="vs-pg-bench-"))
    run_as = "postgres" if os.geteuid() == 0 else None
    if run_as:
        shutil.chown(root, user=run_as, group=pwd.getpwnam(run_as).pw_gid)
    server = DurablePostgres(bin_dir=bin_dir, root=root, port=free_port(), run_as=run_as)
    server.init()
    server.start()
    return server


class DurablePostgres(PostgresServer):
    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.root} -c max_connections=100")
        done = self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file),
                         "-o", options, "-w", "-t", "60", "start")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}")


if __name__ == "__main__":
    raise SystemExit(main())

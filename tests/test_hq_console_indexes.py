"""Migration 0012 (issue 14, bench/console.py): on PostgreSQL the live records of an event are
indexed by (event_id, kind, device_id) under the very condition the pages filter on, so
one event's counts are read from the index and not from every payload; the read side
bounded to one event answers as before; and the bench's rows are rows HQ accepts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.hq.database import HqDatabase
from app.hq.ingest_rules import hq_payload_problem
from app.hq.models import EvaluationDocument, PersonIndex, Record
from app.hq.people import person_file
from app.hq.standing import company_standing, event_detail, events_overview
from app.sync.protocol import b64encode, content_hash
from tests.test_hq_standing import add_guards, seed_standing

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def pg(postgres_db: str) -> Iterator[HqDatabase]:
    db = HqDatabase(postgres_db)  # migrated to the newest revision, as HQ opens it
    yield db
    db.close()


def _statements(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, params: Any, _context: Any,
               _many: bool) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def _plan(db: HqDatabase, statement: str, params: Any) -> str:
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: force the choice
        rows = connection.exec_driver_sql("EXPLAIN " + statement, params).all()
    return "\n".join(row[0] for row in rows)


def test_the_live_index_exists_on_postgres_only(pg: HqDatabase, tmp_path: Path) -> None:
    indexes = {i["name"]: i for i in inspect(pg.engine).get_indexes("record")}
    assert indexes["ix_record_live"]["column_names"] == ["event_id", "kind", "device_id"]
    with pg.engine.connect() as connection:
        definition = connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_record_live'")).scalar_one()
    assert definition.endswith("WHERE (jsonb_extract_path_text((payload)::jsonb, VARIADIC "
                               "ARRAY['deleted_at'::text]) IS NULL)"), definition
    sqlite = HqDatabase(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    try:
        assert "ix_record_live" not in {i["name"] for i in inspect(sqlite.engine)
                                        .get_indexes("record")}
    finally:
        sqlite.close()


def test_one_events_counts_are_read_from_the_index(pg: HqDatabase) -> None:
    with pg.Session() as s:
        seed_standing(s)
        add_guards(s, "e3", "甲安保服务有限公司", 4, deleted=True)  # tombstones: not counted
        s.commit()
    with pg.Session() as s:
        seen = _statements(pg.engine, lambda: event_detail(s, "e3"))
    counting = [(sql, params) for sql, params in seen
                if "count(*)" in sql and "FROM record" in sql]
    assert len(counting) == 2, counting  # per kind, per company
    for sql, params in counting:
        plan = _plan(pg, sql, params)
        # The bound JSON path still matches the index's condition (it is planned with the
        # values), and the condition is not re-tested row by row.
        assert "ix_record_live" in plan, plan
        assert "Filter: (jsonb_extract_path_text" not in plan, plan
    kinds = next(sql for sql, _p in counting if "record.kind, count(*)" in sql)
    assert "Index Only Scan using ix_record_live" in _plan(
        pg, kinds, next(p for sql, p in counting if sql == kinds))


def test_one_event_bounded_answers_as_the_whole_reading(pg: HqDatabase) -> None:
    with pg.Session() as s:
        seed_standing(s)
        add_guards(s, "e3", "甲安保服务有限公司", 4, deleted=True)
        s.commit()
    with pg.Session() as s:
        everything = {e["id"]: e for e in events_overview(s)}
        for event_id in everything:
            one = event_detail(s, event_id)
            assert one is not None
            guards = one.pop("guards_by_company")
            assert one == everything[event_id]
            assert sum(g["guards"] for g in guards) == one["counts"]["guard"]
        e3 = event_detail(s, "e3")
        assert e3 is not None and e3["counts"]["guard"] == 31  # 4 tombstones left out
        assert e3["guards_by_company"][0] == {"company_name": "甲安保服务有限公司",
                                              "guards": 30}
        assert [e["current"] for e in e3["evaluations"]] == [True]
        by_name = {c["name"]: c for c in company_standing(s)}
        assert by_name["甲安保服务有限公司"]["largest_event"]["guards"] == 30
        # Hostile ids: nothing found, nothing broken.
        for wrong in ("x" * 10_000, "e3' OR '1'='1", "e3\x00", ""):
            assert event_detail(s, wrong) is None


def _bench() -> Any:
    """bench/console.py as a module."""
    sys.path.insert(0, str(BENCH))
    try:
        import console
    finally:
        sys.path.remove(str(BENCH))
    return console


def test_the_benchs_rows_are_rows_hq_accepts(pg: HqDatabase) -> None:
    bench = _bench()
    built = bench.build(pg, events=4, people=40, per_person=2, evaluations=8)
    assert built.counts["guard"] == 80 and built.counts["evaluation"] == 8
    with pg.Session() as s:
        _check_payloads(s, bench.PDF)
        assert s.scalar(select(func.count()).select_from(EvaluationDocument)) == 8
        indexed = s.scalar(select(func.count()).select_from(PersonIndex)
                           .where(~PersonIndex.cert_key.startswith("guard:")))
        assert indexed == 80
        found = person_file(s, built.certs[0])
        assert found is not None and len(found["events"]) == 2
        assert {e["event_id"] for e in found["events"]} <= set(built.event_ids)
        detail = event_detail(s, built.event_ids[0])
        assert detail is not None and detail["counts"]["post"] == 100
        assert len(detail["evaluations"]) == 2
        assert [e["current"] for e in detail["evaluations"]] == [True, False]


def _check_payloads(s: Session, pdf: bytes) -> None:
    for record in s.scalars(select(Record)):
        payload = json.loads(record.payload)
        assert content_hash(payload) == record.content_hash
        sent = dict(payload)
        if record.kind == "evaluation":  # HQ keeps the PDF apart: the laptop sent it
            assert "pdf" not in payload
            sent["pdf"] = b64encode(pdf)
        assert hq_payload_problem(record.kind, sent) is None, (record.kind, payload)
        if record.kind != "company":
            expected = record.id if record.kind == "event" else payload["event_id"]
            assert record.event_id == expected


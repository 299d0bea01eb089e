"""Live guards per (event, company) kept by the database (app.hq.guard_counts, migration
0014): after every kind of write the kept counts equal the full count from the guard rows
(standing._guard_counts), the standing equals the full computation (every evaluation read,
every guard payload parsed), and the events list shows each event's live guards; on SQLite
and on PostgreSQL. What cannot be a guard row is refused and changes no count."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.hq import guard_count_triggers, guard_counts, standing
from app.hq.database import MIGRATIONS, HqDatabase
from app.hq.event_view import events_list
from app.hq.events import add_event_records
from app.hq.models import HQ_DEVICE, Base, GuardCount, Record
from app.hq.register import set_company
from app.hq.store import HqStore
from app.hq.vetting import set_vetting
from app.sync.protocol import PACKAGE_FORMAT, read_signed
from app.sync.protocol import Record as SyncRecord
from tests.test_hq_standing import add_evaluation, add_guards, seed_standing
from tests.test_hq_store import enrol_device, full_payload

JIA, YI = "甲安保服务有限公司", "乙保安公司"


# The PostgreSQL server starts at its first use (tests/helpers/postgres.py): a process.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HqStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_db")
    hq = HqStore(url)  # migrated to the newest revision, as HQ opens it
    yield hq
    hq.close()


def kept(s: Session) -> dict[tuple[str, str], int]:
    return guard_counts.guard_counts(s)


def full(s: Session) -> dict[tuple[str, str], int]:
    """The count from every guard row's payload (what the standing read before)."""
    return standing._guard_counts(s)


def full_standing(s: Session, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The standing as it was computed before: every evaluation read and its current one
    chosen in Python, every guard payload parsed."""
    def every_document(session: Session) -> list[Any]:
        documents = standing._documents(session)
        current = standing._current_ids(documents)
        return [d for d in documents if d.id in current]

    with monkeypatch.context() as patched:
        patched.setattr(standing, "guard_counts", standing._guard_counts)
        patched.setattr(standing, "_current_documents", every_document)
        return standing.company_standing(s)


def check(hq: HqStore, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], int]:
    """The kept counts, the standing and the events list agree with the full reading."""
    with hq.Session() as s:
        counts = kept(s)
        assert counts == full(s)
        assert standing.company_standing(s) == full_standing(s, monkeypatch)
        live: dict[str, int] = {}
        for (event_id, _name), n in counts.items():
            live[event_id] = live.get(event_id, 0) + n
        for event in events_list(s):
            assert event["guards"] == live.get(event["id"], 0), event["id"]
        # No empty count is kept.
        assert s.scalar(select(GuardCount).where(GuardCount.guards <= 0)) is None
    return counts


def guard_payload(event_id: str, device_id: str, company: str, **values: Any
                  ) -> dict[str, Any]:
    cert = f"辽{uuid.uuid4().int % 10**12:012d}"
    return full_payload("guard", id=str(uuid.uuid4()), event_id=event_id, name="王保安",
                        cert_no=cert, cert_key=cert[1:], company_name=company,
                        device_id=device_id, **values)


def sent(payload: dict[str, Any], kind: str = "guard") -> dict[str, Any]:
    return SyncRecord.of(kind, payload).as_json()


def later(payload: dict[str, Any], minute: int, **values: Any) -> dict[str, Any]:
    return dict(payload, updated_at=f"2026-12-13T08:{minute:02d}:00.000000+00:00", **values)


# ---------------------------------------------------------------------- every writer
def test_the_counts_follow_every_kind_of_write(store: HqStore,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # HQ prepares an event (ingest as HQ; the demo's vetting rewrites its guard rows).
    demo = store.add_demo_event()
    counts = check(store, monkeypatch)
    assert sum(n for (e, _c), n in counts.items() if e == demo) > 0

    # A laptop's own event with guards of two companies, and the laptop's company record.
    laptop, _token, _key = enrol_device(store)
    event_id = str(uuid.uuid4())
    event = full_payload("event", id=event_id, name="秋季音乐节", device_id=laptop,
                         expected_attendance=20_000, risk_level="high")
    jia = [guard_payload(event_id, laptop, JIA) for _ in range(5)]
    yi = [guard_payload(event_id, laptop, f"  {YI} ") for _ in range(3)]  # trimmed
    results = store.ingest(laptop, [sent(event, "event")] + [sent(g) for g in jia + yi])
    assert {r["status"] for r in results} == {"stored"}, results
    counts = check(store, monkeypatch)
    assert counts[(event_id, JIA)] == 5 and counts[(event_id, YI)] == 3

    # A guard deleted on the laptop (a tombstone), another moved to the other company.
    results = store.ingest(laptop, [
        sent(later(jia[0], 1, deleted_at="2026-12-13T08:01:00.000000+00:00")),
        sent(later(jia[1], 1, company_name=YI))])
    assert [r["status"] for r in results] == ["stored", "stored"], results
    counts = check(store, monkeypatch)
    assert counts[(event_id, JIA)] == 3 and counts[(event_id, YI)] == 4
    # The same tombstone again changes nothing.
    assert store.ingest(laptop, [sent(later(jia[0], 1, deleted_at="2026-12-13T08:01:00"
                                                                ".000000+00:00"))])[0][
        "status"] == "present"
    assert check(store, monkeypatch) == counts

    # A laptop's change to HQ's guard is a proposal (no count changes) until HQ accepts it.
    store.record_takedown(laptop, demo)
    _signer, package = read_signed(store.event_package(demo, laptop), PACKAGE_FORMAT,
                                   lambda _s: store.package_public_key())
    hq_guard = next(r["payload"] for r in package["records"] if r["kind"] == "guard")
    moved = later(hq_guard, 2, company_name="新来保安公司")
    assert store.ingest(laptop, [sent(moved)])[0]["status"] == "stored"
    assert check(store, monkeypatch) == counts
    store.accept_proposal(hq_guard["id"], laptop)
    after = check(store, monkeypatch)
    assert after[(demo, "新来保安公司")] == 1
    old_company = str(hq_guard["company_name"]).strip()
    assert after.get((demo, old_company), 0) == counts[(demo, old_company)] - 1
    counts = after

    # HQ's vetting rewrites HQ's guard rows of the person: the counts stay.
    set_vetting(store.db, "staff-wang", hq_guard["cert_no"], "failed", False, "背景审查未通过")
    assert check(store, monkeypatch) == counts

    # A new event HQ prepares (app.hq.events, as the console's and the CLI's do).
    second = str(uuid.uuid4())
    add_event_records(store.db, [
        SyncRecord.of("event", full_payload("event", id=second, name="新年音乐会",
                                            device_id=HQ_DEVICE)),
        *(SyncRecord.of("guard", guard_payload(second, HQ_DEVICE, company))
          for company in (JIA, JIA, YI))])
    counts = check(store, monkeypatch)
    assert (counts[(second, JIA)], counts[(second, YI)]) == (2, 1)

    # Rows changed and deleted by hand (no HQ writer does; the triggers still follow).
    with store.begin() as s:
        s.execute(update(Record).where(Record.id == jia[2]["id"]).values(event_id=demo))
        s.execute(delete(Record).where(Record.id == jia[3]["id"]))
    counts = check(store, monkeypatch)
    assert counts[(event_id, JIA)] == 1 and counts[(demo, JIA)] == 1

    # A guard brought back from its tombstone counts again.
    assert store.ingest(laptop, [sent(later(jia[0], 3, deleted_at=None))])[0]["status"] \
        == "stored"
    assert check(store, monkeypatch)[(event_id, JIA)] == 2


def test_the_standing_sees_an_evaluation_and_a_register_change_at_once(
        store: HqStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.begin() as s:
        seed_standing(s)
    check(store, monkeypatch)
    with store.Session() as s:
        jia = next(c for c in standing.company_standing(s) if c["name"] == JIA)
    assert jia["largest_event"] == {"event_id": "e3", "event_name": "国际马拉松", "guards": 30}
    assert jia["evaluations"] == 3

    # A signed evaluation arrives: a new version of e3 corrects the one before.
    with store.begin() as s:
        add_evaluation(s, "e3", "国际马拉松", JIA, "L-JIA", 40.0, "fail",
                       "2026-05-11T12:00:00+00:00", version=2)
        add_guards(s, "e1", JIA, 40)  # and 甲's roster of e1 grows past e3's
    check(store, monkeypatch)
    with store.Session() as s:
        jia = next(c for c in standing.company_standing(s) if c["name"] == JIA)
    assert jia["evaluations"] == 3 and jia["latest_grade"] == "fail"
    assert jia["average_score"] == pytest.approx((80 + 85 + 40) / 3, abs=0.05)
    assert jia["largest_event"] == {"event_id": "e1", "event_name": "春季音乐节", "guards": 52}

    # The register changes 甲's credit grade and lists it: seen at once.
    set_company(store.db, "staff-wang", "L-JIA", "C", "black", "考评不合格")
    check(store, monkeypatch)
    with store.Session() as s:
        jia = next(c for c in standing.company_standing(s) if c["name"] == JIA)
    assert (jia["credit_grade"], jia["blacklisted"]) == ("C", True)

    # HQ's company record renamed: the guards the rosters name 甲 no longer count for it
    # (as before: the rosters' names are matched against the company records).
    with store.begin() as s:
        row = next(r for r in s.scalars(select(Record).where(Record.kind == "company",
                                                             Record.device_id == HQ_DEVICE))
                   if json.loads(r.payload).get("licence_no") == "L-JIA")
        payload = json.loads(row.payload)
        row.payload = json.dumps(dict(payload, name="甲安保集团"), ensure_ascii=False,
                                 sort_keys=True, separators=(",", ":"))
    check(store, monkeypatch)


# --------------------------------------------------------------------- hostile writes
def test_what_cannot_be_a_guard_row_is_refused_and_changes_no_count(
        store: HqStore, monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, _token, _key = enrol_device(store)
    event_id = str(uuid.uuid4())
    event = full_payload("event", id=event_id, name="冬季灯会", device_id=laptop)
    good = guard_payload(event_id, laptop, "'; DROP TABLE guard_count; --")
    assert {r["status"] for r in store.ingest(laptop, [sent(event, "event"), sent(good)])} \
        == {"stored"}
    before = check(store, monkeypatch)
    assert before == {(event_id, "'; DROP TABLE guard_count; --"): 1}

    # Through ingest: a company name too long, of the wrong type, a NUL; refused with a
    # message, nothing stored, no count changed.
    for company in ("长" * 5000, 12345, ["甲"], "甲\x00乙"):
        result = store.ingest(laptop, [sent(guard_payload(event_id, laptop, "x")
                                            | {"company_name": company})])[0]
        assert result["status"] == "failed" and result["error"], (company, result)
    assert check(store, monkeypatch) == before

    # Straight into the table: a guard row whose payload is not JSON cannot be stored (it
    # could never be counted or shown), and the transaction stores nothing of it.
    with pytest.raises(DBAPIError):
        with store.begin() as s:
            s.add(Record(id="broken", kind="guard", content_hash="0" * 64,
                         payload='{"company_name": "甲", "deleted_at": nul', device_id=laptop,
                         event_id=event_id, updated_at="2026-12-13T08:00:00+00:00"))
    with store.Session() as s:
        assert s.get(Record, "broken") is None
    assert check(store, monkeypatch) == before


# ------------------------------------------------------------------ schema and upgrade
def _trigger_sql(engine: Any) -> dict[str, str]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return {name: " ".join(sql.split()) for name, sql in connection.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'record'"))}
        found = {name: "" for (name,) in connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'record'::regclass "
            "AND NOT tgisinternal"))}
        found["hq_guard_count()"] = connection.execute(text(
            "SELECT prosrc FROM pg_proc WHERE proname = 'hq_guard_count'")).scalar_one()
        return found


def test_the_migrated_triggers_are_the_modules(store: HqStore, tmp_path: Path) -> None:
    """The newest revision has the triggers app.hq.guard_counts makes (a later migration
    that rebuilds ``record`` must make them again; a change to them needs a migration)."""
    found = _trigger_sql(store.db.engine)
    if store.db.engine.dialect.name == "sqlite":
        assert set(found) == set(guard_count_triggers.TRIGGER_NAMES)
        for statement in guard_count_triggers.SQLITE_STATEMENTS:
            name = statement.split()[5]
            assert found[name] == " ".join(statement.replace(" IF NOT EXISTS", "").split())
        # A schema built from the models (tests) gets the same triggers.
        engine = create_engine(f"sqlite:///{tmp_path / 'models.sqlite3'}")
        Base.metadata.create_all(engine)
        assert _trigger_sql(engine) == found
        engine.dispose()
    else:
        assert set(found) == {*guard_count_triggers.PG_TRIGGER_NAMES, "hq_guard_count()"}
        function = guard_count_triggers.POSTGRESQL_STATEMENTS[0]
        body = function[function.index("$$") + 2:function.rindex("$$")]
        assert found["hq_guard_count()"] == body


def test_the_upgrade_counts_the_guards_already_stored(postgres_db: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for url in (f"sqlite:///{tmp_path / 'old.sqlite3'}", postgres_db):
        engine = create_engine(url)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0012_hq_console_indexes")  # before 0013 and 0014
        with sessionmaker(engine)() as s:
            seed_standing(s)
            add_guards(s, "e3", JIA, 4, deleted=True)
            add_guards(s, "e3", f" {JIA}", 2)  # a name that trims to 甲's
            s.commit()
        engine.dispose()
        db = HqDatabase(url)  # the upgrade
        try:
            with db.Session() as s:
                assert kept(s) == full(s)
                assert kept(s)[("e3", JIA)] == 32
                assert standing.company_standing(s) == full_standing(s, monkeypatch)
        finally:
            db.close()


def test_two_transactions_writing_the_same_count_both_count(postgres_db: str) -> None:
    """PostgreSQL: a transaction adding guards of (event, company) waits for another one
    adding to the same count, then adds to what it committed (no update is lost)."""
    import threading

    db = HqDatabase(postgres_db)
    try:
        first = db.Session()
        add_guards(first, "e1", JIA, 3)
        first.flush()  # the count row is locked until the first commits
        done = threading.Event()

        def second() -> None:
            with db.Session() as s:
                add_guards(s, "e1", JIA, 2)
                s.commit()
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        assert not done.wait(0.5)  # waiting for the first transaction
        first.commit()
        first.close()
        thread.join(10)
        assert done.is_set()
        with db.Session() as s:
            assert kept(s) == full(s) == {("e1", JIA): 5}
    finally:
        db.close()

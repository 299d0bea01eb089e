"""HQ on a real PostgreSQL server (tests/helpers/postgres.py): the Alembic migrations build the
schema, and the standing, recommendation and read pages answer from real rows (the JSON payload
queries differ between SQLite and PostgreSQL, so both must be exercised)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import tests.helpers.postgres as pg
from app.hq import web
from app.hq.models import Base
from app.hq.standing import company_standing, evaluations, event_detail, recommend
from tests.test_hq_standing import PDF, seed_standing

MIGRATIONS = Path(__file__).resolve().parent.parent / "app" / "hq" / "migrations"


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def has_migrations() -> bool:
    return (MIGRATIONS / "env.py").is_file() and any(
        (MIGRATIONS / "versions").glob("[0-9]*.py"))


def build_schema(engine: Engine) -> None:
    """The HQ schema as production builds it: `alembic upgrade head` (app/hq/migrations)."""
    if not has_migrations():  # before the first migration existed, the models themselves
        Base.metadata.create_all(engine)
        return
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@pytest.fixture
def engine(postgres_db: str) -> Iterator[Engine]:
    engine = create_engine(postgres_db)
    build_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with sessionmaker(engine, expire_on_commit=False)() as db:
        yield db


def test_migrations_build_the_hq_schema(engine: Engine) -> None:
    assert engine.dialect.name == "postgresql"
    tables = set(inspect(engine).get_table_names())
    assert {"record", "evaluation_document", "device", "enrolment_code", "hq_setting",
            "trust_issuer", "revoked_certificate", "revoked_issuer"} <= tables
    if has_migrations():
        head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
        with engine.connect() as connection:
            assert connection.execute(
                text("SELECT version_num FROM alembic_version")).scalar_one() == head
    # Every column the models declare exists in the migrated table (no drift).
    for table in Base.metadata.sorted_tables:
        migrated = {c["name"] for c in inspect(engine).get_columns(table.name)}
        assert set(table.columns.keys()) <= migrated, table.name


def test_standing_on_postgres(session: Session) -> None:
    seed_standing(session)
    with session.get_bind().connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM record WHERE kind = 'guard'")).scalar_one() == 136
    companies = {c["name"]: c for c in company_standing(session)}
    assert len(companies) == 7 and "已注销保安公司" not in companies
    jia = companies["甲安保服务有限公司"]
    assert (jia["credit_grade"], jia["evaluations"], jia["latest_grade"], jia["trend"]) == (
        "A", 3, "excellent", "improving")
    assert jia["average_score"] == pytest.approx(85.7, abs=0.05)
    # Counted in PostgreSQL's jsonb: 30 live guards, the 5 tombstones left out.
    assert jia["largest_event"] == {"event_id": "e3", "event_name": "国际马拉松",
                                    "guards": 30}
    assert companies["乙保安公司"]["trend"] == "declining"
    assert companies["丁保安公司"]["largest_event_guards"] == 40

    assert [e["current"] for e in evaluations(session, event_id="e2")] == [True, False]
    assert len(evaluations(session, company="L-YI")) == 3
    detail = event_detail(session, "e3")
    assert detail is not None
    assert detail["guards_by_company"] == [{"company_name": "甲安保服务有限公司", "guards": 30},
                                           {"company_name": "丁保安公司", "guards": 1}]
    assert detail["counts"]["guard"] == 31


def test_recommendation_on_postgres(session: Session) -> None:
    seed_standing(session)
    three = recommend(session, attendance=2000, risk="high")
    assert [c["name"] for c in three["companies"]] == ["乙保安公司", "甲安保服务有限公司",
                                                       "丙保安公司"]
    assert three["note"] is None
    assert "丁保安公司" in {c["name"] for c in three["excluded"]}
    two = recommend(session, attendance=2500, risk="high")
    assert [c["name"] for c in two["companies"]] == ["甲安保服务有限公司", "丙保安公司"]
    assert "only 2 qualified" in two["note"]


def test_read_side_on_postgres(engine: Engine) -> None:
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        ids = seed_standing(session)
    app = FastAPI()
    app.state.store = SimpleNamespace(Session=factory,
                                      check_staff_password=lambda password: password == "pw")
    app.include_router(web.router)
    with TestClient(app) as client:
        client.auth = ("staff", "pw")
        assert client.get(f"/api/v1/evaluations/{ids['jia_e3']}/pdf").content == PDF
        page = client.get("/companies", params={"attendance": 2000, "risk": "high"}).text
        assert "需保安员 20 名" in page and "乙保安公司" in page
        assert len(client.get("/api/v1/companies").json()["companies"]) == 7


def test_each_test_gets_an_empty_database(session: Session,
                                          postgres_server: pg.PostgresServer) -> None:
    # The tests above committed rows; this test's own database must not see them.
    with session.get_bind().connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM record")).scalar_one() == 0
    # And whatever order the tests run in: a database filled, then a fresh one made.
    first = create_engine(postgres_server.url(postgres_server.create_database()))
    build_schema(first)
    with sessionmaker(first)() as filled:
        seed_standing(filled)
    second_name = postgres_server.create_database()
    second = create_engine(postgres_server.url(second_name))
    build_schema(second)
    try:
        with first.connect() as a, second.connect() as b:
            assert a.execute(text("SELECT count(*) FROM record")).scalar_one() > 0
            assert b.execute(text("SELECT count(*) FROM record")).scalar_one() == 0
    finally:
        first.dispose()
        second.dispose()
        postgres_server.drop_database(first.url.database or "")
        postgres_server.drop_database(second_name)


def test_missing_server_skips_locally_and_fails_under_ci(monkeypatch) -> None:
    monkeypatch.setattr(pg, "find_bin_dir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        pg.start_server()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        pg.start_server()


def test_accounts_audit_and_vetting_on_postgres(postgres_db: str) -> None:
    """Issue 14's tables on PostgreSQL: an account, its audit entry, a vetting result; the
    audit log refuses UPDATE and DELETE there too (a PL/pgSQL trigger)."""
    from sqlalchemy.exc import DBAPIError

    from app.hq import audit
    from app.hq.accounts import Accounts
    from app.hq.database import HqDatabase
    from app.hq.vetting import set_vetting

    db = HqDatabase(postgres_db)
    try:
        accounts = Accounts(db)
        accounts.add("staff-wang", "staff", "staff password 1", "test")
        assert accounts.authenticate("staff-wang", "staff password 1") is not None
        result = set_vetting(db, "staff-wang", "辽200000000001", "failed", False, "复查")
        assert result["cert_key"] == "200000000001" and result["event_rows"] == 0
        for statement in ("UPDATE audit_entry SET actor = 'x'", "DELETE FROM audit_entry"):
            with pytest.raises(DBAPIError, match="append-only"), db.begin() as s:
                s.execute(text(statement))
        assert [e["action"] for e in audit.entries(db)] == ["vetting.set", "user.add"]
        assert audit.verify_chain(db) is None
    finally:
        db.close()


def test_company_register_on_postgres(postgres_db: str) -> None:
    from app.demo_data import DEMO_COMPANY_LICENCE
    from app.hq.models import CompanyRegisterEntry
    from app.hq.register import set_company
    from app.hq.store import HqStore

    store = HqStore(postgres_db)
    try:
        store.add_demo_event()
        answer = set_company(store.db, "staff-wang", DEMO_COMPANY_LICENCE, "B", "red",
                             "大型活动安保零事故")
        assert answer["list"] == "red" and answer["since"]
        with store.Session() as s:
            entry = s.get(CompanyRegisterEntry, DEMO_COMPANY_LICENCE)
            assert entry is not None and entry.list_name == "red"
            [company] = [c for c in company_standing(s)
                         if c["licence_no"] == DEMO_COMPANY_LICENCE]
        assert company["credit_grade"] == "B" and company["blacklisted"] is False
    finally:
        store.close()


def test_evaluations_inbox_on_postgres(postgres_db: str) -> None:
    from datetime import UTC, datetime, timedelta

    from app.hq.database import HqDatabase
    from app.hq.inbox import inbox, record_received
    from tests.test_hq_standing import add_evaluation

    db = HqDatabase(postgres_db)
    try:
        with db.Session() as s:
            late = add_evaluation(s, "e1", "春季音乐节", "甲安保", "L-JIA", 70.0, "pass",
                                  (datetime.now(UTC) - timedelta(days=8)).isoformat(),
                                  final=False)
            s.commit()
        with db.Session() as s:
            [row] = inbox(s)
        assert row["rectification"] == "overdue" and row["grade_final"] is False
        record_received(db, "staff-wang", late, "已收到")
        with db.Session() as s:
            [row] = inbox(s)
        assert row["rectification"] == "received" and row["received_by"] == "staff-wang"
    finally:
        db.close()

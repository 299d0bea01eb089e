"""HQ staff's read side (app/hq/web.py) through FastAPI's TestClient: JSON shapes, the PDF,
and HTML pages that escape whatever a laptop or a company sent."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.hq import web
from app.hq.models import Base
from tests.test_hq_standing import (
    PDF,
    add_company,
    add_evaluation,
    add_event,
    add_guards,
    seed_standing,
)

STAFF_PASSWORD = "correct horse"
HOSTILE = '<script>alert("x")</script>&保安'


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'hq.db'}",
                           connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        ids = seed_standing(session)
        add_event(session, "evil", f"活动{HOSTILE}", attendance=800, risk="high")
        add_company(session, f"公司{HOSTILE}", "L-EVIL", "A")
        ids["evil"] = add_evaluation(session, "evil", f"活动{HOSTILE}", f"公司{HOSTILE}",
                                     "L-EVIL", 91.0, "excellent", "2026-06-01T08:00:00+00:00",
                                     supervisor=f"督导{HOSTILE}")
        add_guards(session, "evil", f"公司{HOSTILE}", 4)
        session.commit()
    app = FastAPI()
    # What app.hq.server hands the router: the store, whose Session is a sessionmaker.
    app.state.store = SimpleNamespace(
        Session=factory, check_staff_password=lambda password: password == STAFF_PASSWORD)
    app.include_router(web.router)
    app.include_router(web.public_router)
    with TestClient(app) as client:
        client.auth = ("staff", STAFF_PASSWORD)
        yield client, ids
    engine.dispose()


def test_evaluations_json(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = hq
    answer = client.get("/api/v1/evaluations", params={"event_id": "e2"})
    assert answer.status_code == 200
    evaluations = answer.json()["evaluations"]
    assert [(e["id"], e["version"], e["current"]) for e in evaluations] == [
        (ids["jia_v2"], 2, True), (ids["jia_v1"], 1, False)]
    first = evaluations[0]
    assert first["pdf_url"] == f"/api/v1/evaluations/{ids['jia_v2']}/pdf"
    assert {"event_name", "company_name", "grade", "score_total", "signed_at",
            "supervisor_name", "coverage", "document_id"} <= set(first)
    assert (first["grade"], first["score_total"]) == ("good", 85.0)
    by_company = client.get("/api/v1/evaluations", params={"company": "乙保安公司"}).json()
    assert len(by_company["evaluations"]) == 3
    assert len(client.get("/api/v1/evaluations").json()["evaluations"]) == 12


def test_evaluation_pdf(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = hq
    answer = client.get(f"/api/v1/evaluations/{ids['jia_e3']}/pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content == PDF
    assert hashlib.sha256(answer.content).hexdigest() == client.get(
        "/api/v1/evaluations", params={"event_id": "e3"}).json()["evaluations"][0]["pdf_sha256"]
    assert client.get("/api/v1/evaluations/no-such-id/pdf").status_code == 404


def test_companies_and_recommendations_json(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, _ids = hq
    companies = client.get("/api/v1/companies").json()["companies"]
    assert len(companies) == 8
    jia = next(c for c in companies if c["licence_no"] == "L-JIA")
    assert (jia["evaluations"], jia["trend"], jia["largest_event_guards"]) == (3, "improving",
                                                                               30)
    answer = client.get("/api/v1/recommendations", params={"attendance": 2000, "risk": "high"})
    assert answer.status_code == 200
    result = answer.json()
    assert [c["name"] for c in result["companies"]] == ["乙保安公司", "甲安保服务有限公司",
                                                        "丙保安公司"]
    assert result["note"] is None and result["needed_guards"] == 20
    assert all(c["reasons"] for c in result["companies"])
    assert client.get("/api/v1/recommendations",
                      params={"attendance": 100, "risk": "extreme"}).status_code == 422
    assert client.get("/api/v1/recommendations",
                      params={"attendance": -5, "risk": "low"}).status_code == 422


def test_events_page_lists_evaluations_escaped(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = hq
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert '<html lang="zh-CN">' in page
    assert "<script>" not in page  # neither ours nor the hostile names'
    assert "活动&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;保安" in page
    assert "国际马拉松" in page and "优秀 (excellent)" in page and "92.0" in page
    assert f'href="/api/v1/evaluations/{ids["jia_e3"]}/pdf"' in page
    assert "李督导" in page
    # 11 events; 11 evaluated; 12 signed documents (one event has two versions).
    assert re.search(r"活动 \(events\): <b>11</b> · 已考评 \(evaluated\): <b>11</b>", page)
    assert "签名考评文件 (signed evaluations): <b>12</b>" in page
    assert 'src="http' not in page and "<link" not in page


def test_event_page(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, ids = hq
    page = client.get("/events/e2").text
    assert "足球联赛" in page
    assert page.count("已更正 (superseded)") == 1
    assert "60.0" in page and "85.0" in page
    assert f'/api/v1/evaluations/{ids["jia_v1"]}/pdf' in page
    evil = client.get("/events/evil").text
    assert "<script>" not in evil
    assert "督导&lt;script&gt;" in evil
    # Guards by company, and a recommendation link for an event of this size and risk.
    assert re.search(r"公司&lt;script&gt;.*?</td><td class=\"num\">4</td>", evil)
    assert 'href="/companies?attendance=800&amp;risk=high#recommendation"' in evil
    missing = client.get("/events/nope")
    assert missing.status_code == 404 and "nope" in missing.text


def test_companies_page_with_recommendation(hq: tuple[TestClient, dict[str, str]]) -> None:
    client, _ids = hq
    page = client.get("/companies").text
    assert "公司&lt;script&gt;" in page and "<script>" not in page
    assert "黑名单 (black-listed)" in page  # 丁
    assert "上升 (improving)" in page and "下降 (declining)" in page
    assert '<form method="get" action="/companies#recommendation">' in page
    assert "推荐结果" not in page  # no recommendation until the form is sent

    page = client.get("/companies", params={"attendance": 2500, "risk": "high"}).text
    assert "需保安员 25 名" in page
    section = page.split('id="recommendation"', 1)[1]
    recommended = section.split("未推荐", 1)[0]
    assert "甲安保服务有限公司" in recommended and "丙保安公司" in recommended
    assert "乙保安公司" not in recommended  # 20 guards at most, 25 needed
    assert 'class="note"' in recommended and "only 2 qualified" in recommended
    assert '<option value="high" selected>' in page


def test_pages_carry_a_chinese_font_browsers_accept(hq: tuple[TestClient, dict[str, str]]
                                                   ) -> None:
    import io

    from fontTools.ttLib import TTFont

    client, _ids = hq
    page = client.get("/").text
    assert "@font-face" in page and "/static/wqy-microhei.ttf" in page
    answer = client.get("/static/wqy-microhei.ttf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "font/ttf"
    # a single TrueType font (browsers refuse a .ttc collection), with the Chinese glyphs
    assert answer.content[:4] == b"\x00\x01\x00\x00"
    font = TTFont(io.BytesIO(answer.content))
    assert all(ord(char) in font.getBestCmap() for char in "保安公司考评不合格")


def test_times_read_on_hqs_clock_with_their_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """An event at 19:30 in Beijing is stored as 11:30 UTC; HQ's page in China says 19:30."""
    import time

    from app.hq.web import _when

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert _when("2026-12-12T11:30:00.000000+00:00") == "2026-12-12 19:30 (+08:00)"
        assert _when("2026-12-12 11:30:00") == "2026-12-12 19:30 (+08:00)"  # naive: UTC
        assert _when("<b>") == "&lt;b&gt;"  # not a time: shown as it is, escaped
    finally:
        monkeypatch.undo()
        time.tzset()

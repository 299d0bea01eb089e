"""Companies' standing and the recommendation (app/hq/standing.py) over hand-made HQ rows.

The helpers here build HQ rows the way the sync service stores them (canonical JSON payloads,
signed evaluations with their PDFs); tests/test_hq_web.py and tests/test_hq_postgres.py use
them too.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from app.hq.models import Base, EvaluationDocument, Record
from app.hq.standing import (
    company_standing,
    credit_rank,
    evaluations,
    needed_guards,
    recommend,
)

T0 = "2026-01-01T00:00:00+00:00"
PDF = b"%PDF-1.7\n% a signed evaluation\n%%EOF\n"


def _canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def add_record(session: Session, kind: str, payload: dict, device: str = "hq",
               event_id: str | None = None) -> str:
    record_id = payload.setdefault("id", str(uuid.uuid4()))
    payload.setdefault("device_id", device)
    payload.setdefault("created_at", T0)
    payload.setdefault("updated_at", T0)
    payload.setdefault("deleted_at", None)
    text = _canonical(payload)
    session.add(Record(id=record_id, kind=kind, content_hash=hashlib.sha256(
        text.encode()).hexdigest(), payload=text, device_id=device, event_id=event_id,
        updated_at=payload["updated_at"]))
    return record_id


def add_company(session: Session, name: str, licence: str = "", credit: str = "A",
                blacklisted: bool = False, device: str = "hq", updated_at: str = T0,
                deleted: bool = False) -> str:
    return add_record(session, "company", {
        "name": name, "licence_no": licence, "credit_grade": credit,
        "blacklisted": blacklisted, "updated_at": updated_at,
        "deleted_at": "2026-02-01T00:00:00+00:00" if deleted else None}, device=device)


def add_event(session: Session, event_id: str, name: str, attendance: int = 5000,
              risk: str = "medium") -> None:
    add_record(session, "event", {
        "id": event_id, "name": name, "venue": "体育中心", "organizer": "主办方",
        "starts_at": "2026-05-01T10:00:00+00:00", "ends_at": "2026-05-01T22:00:00+00:00",
        "expected_attendance": attendance, "venue_capacity": attendance, "risk_level": risk,
        "event_kind": "commercial", "company_id": None}, event_id=event_id)


def add_guards(session: Session, event_id: str, company: str, count: int,
               deleted: bool = False) -> None:
    for n in range(count):
        add_record(session, "guard", {
            "event_id": event_id, "name": f"保安{n}", "cert_no": f"C{uuid.uuid4().hex[:8]}",
            "company_name": company, "photo": None, "photo_name": None,
            "deleted_at": "2026-02-01T00:00:00+00:00" if deleted else None},
            device="laptop-1", event_id=event_id)


def add_evaluation(session: Session, event_id: str, event_name: str, company: str,
                   licence: str | None, score: float | None, grade: str | None, signed: str,
                   version: int = 1, supervisor: str = "王督导",
                   final: bool | None = None) -> str:
    doc_id = str(uuid.uuid4())
    session.add(EvaluationDocument(
        id=doc_id, event_id=event_id, event_name=event_name, company_name=company,
        company_licence=licence, version=version, status="signed", score_total=score,
        grade=grade, grade_final=final, coverage=0.9, signed_at=datetime.fromisoformat(signed),
        supervisor_name=supervisor, document_id=f"EV-{doc_id[:8]}", device_id="laptop-1",
        pdf=PDF, pdf_sha256=hashlib.sha256(PDF).hexdigest(), signer_subject="CN=王督导"))
    return doc_id


def seed_standing(session: Session) -> dict[str, str]:
    """Seven companies with their histories (see the expectations in the tests below).

    甲 A-credit, 80 → 85 (a corrected 60 before) → 92, 30 guards at its biggest event
    乙 B-credit, 95 → 90 → 84, 20 guards
    丙 A-credit, no evaluation, no guards; 丁 black-listed, 99; 戊 70 → 55 (fail), 25 guards
    己 C-credit, no history; 庚 88, only 3 guards. A deleted company never shows.
    """
    ids: dict[str, str] = {}
    events = {"e1": "春季音乐节", "e2": "足球联赛", "e3": "国际马拉松", "e4": "车展",
              "e5": "动漫展", "e6": "跨年晚会", "e7": "书展", "e8": "灯会", "e9": "演唱会",
              "e10": "美食节"}
    for event_id, name in events.items():
        add_event(session, event_id, name)

    add_company(session, "甲安保服务有限公司", "L-JIA", "A")
    # A laptop's newer copy of 甲 without licence and with another credit grade: HQ's word
    # stands, and the name joins the licensed company.
    add_company(session, "甲安保服务有限公司", "", "C", device="laptop-1",
                updated_at="2026-06-01T00:00:00+00:00")
    add_company(session, "乙保安公司", "L-YI", "B")
    add_company(session, "丙保安公司", "", "A")
    add_company(session, "丁保安公司", "L-DING", "A", blacklisted=True)
    add_company(session, "戊保安公司", "L-WU", "B")
    add_company(session, "己保安公司", "L-JI", "C")
    add_company(session, "庚保安公司", "L-GENG", "A")
    add_company(session, "已注销保安公司", "L-GONE", "A", deleted=True)

    add_evaluation(session, "e1", events["e1"], "甲安保服务有限公司", "L-JIA", 80.0, "good",
                   "2026-01-10T12:00:00+00:00")
    ids["jia_v1"] = add_evaluation(session, "e2", events["e2"], "甲安保服务有限公司", None,
                                   60.0, "pass", "2026-03-10T12:00:00+00:00")
    ids["jia_v2"] = add_evaluation(session, "e2", events["e2"], "甲安保服务有限公司", None,
                                   85.0, "good", "2026-03-12T12:00:00+00:00", version=2)
    ids["jia_e3"] = add_evaluation(session, "e3", events["e3"], "甲安保服务有限公司", "L-JIA",
                                   92.0, "excellent", "2026-05-10T12:00:00+00:00",
                                   supervisor="李督导")
    add_guards(session, "e1", "甲安保服务有限公司", 12)
    add_guards(session, "e3", "甲安保服务有限公司", 30)
    add_guards(session, "e3", "甲安保服务有限公司", 5, deleted=True)  # tombstones don't count
    add_guards(session, "e3", "丁保安公司", 1)  # a borrowed guard on 甲's roster

    for event_id, score, grade, signed in (("e4", 95.0, "excellent", "2026-01-05"),
                                           ("e5", 90.0, "excellent", "2026-02-05"),
                                           ("e6", 84.0, "good", "2026-04-05")):
        add_evaluation(session, event_id, events[event_id], "乙保安公司", "L-YI", score, grade,
                       f"{signed}T12:00:00+00:00")
    add_guards(session, "e4", "乙保安公司", 20)

    add_evaluation(session, "e7", events["e7"], "丁保安公司", "L-DING", 99.0, "excellent",
                   "2026-02-01T12:00:00+00:00")
    add_guards(session, "e7", "丁保安公司", 40)

    add_evaluation(session, "e8", events["e8"], "戊保安公司", "L-WU", 70.0, "pass",
                   "2026-02-02T12:00:00+00:00")
    ids["wu_fail"] = add_evaluation(session, "e9", events["e9"], "戊保安公司", "L-WU", 55.0,
                                    "fail", "2026-04-02T12:00:00+00:00")
    add_guards(session, "e9", "戊保安公司", 25)

    add_evaluation(session, "e10", events["e10"], "庚保安公司", "L-GENG", 88.0, "good",
                   "2026-02-03T12:00:00+00:00")
    add_guards(session, "e10", "庚保安公司", 3)
    session.commit()
    return ids


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = create_engine(f"sqlite:///{tmp_path / 'hq.db'}")
    Base.metadata.create_all(engine)
    with sessionmaker(engine)() as db:
        yield db
    engine.dispose()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


# ----------------------------------------------------------------------------- tests
def test_standing_figures(session: Session) -> None:
    seed_standing(session)
    standing = company_standing(session)
    companies = by_name(standing)

    assert set(companies) == {"甲安保服务有限公司", "乙保安公司", "丙保安公司", "丁保安公司",
                              "戊保安公司", "己保安公司", "庚保安公司"}
    jia = companies["甲安保服务有限公司"]
    assert jia["licence_no"] == "L-JIA"
    assert jia["credit_grade"] == "A"  # HQ's record, not the laptop's newer "C"
    assert jia["evaluations"] == 3  # the corrected version 1 does not count
    assert jia["average_score"] == pytest.approx((80 + 85 + 92) / 3, abs=0.05)
    assert jia["latest_grade"] == "excellent" and jia["latest_grade_text"] == "优秀"
    assert jia["largest_event"] == {"event_id": "e3", "event_name": "国际马拉松",
                                    "guards": 30}
    assert [h["event_name"] for h in jia["history"]] == ["国际马拉松", "足球联赛", "春季音乐节"]
    assert jia["history"][1]["score_total"] == 85.0 and jia["history"][1]["version"] == 2

    assert companies["丁保安公司"]["blacklisted"] is True
    assert companies["丁保安公司"]["largest_event_guards"] == 40  # its own event, not e3's 1
    bing = companies["丙保安公司"]
    assert (bing["evaluations"], bing["average_score"], bing["latest_grade"],
            bing["largest_event"], bing["history"]) == (0, None, None, None, [])
    # Best average first, companies never evaluated last.
    assert [c["name"] for c in standing][:2] == ["丁保安公司", "乙保安公司"]
    assert {c["name"] for c in standing[-2:]} == {"丙保安公司", "己保安公司"}


def test_grade_trend(session: Session) -> None:
    seed_standing(session)
    trends = {name: c["trend"] for name, c in by_name(company_standing(session)).items()}
    assert trends == {"甲安保服务有限公司": "improving", "乙保安公司": "declining",
                      "丙保安公司": "none", "丁保安公司": "none", "戊保安公司": "declining",
                      "己保安公司": "none", "庚保安公司": "none"}


def test_steady_trend_within_three_points(session: Session) -> None:
    add_company(session, "稳定保安公司", "L-S")
    for n, score in enumerate((86.0, 84.0, 86.5)):
        add_evaluation(session, f"s{n}", f"活动{n}", "稳定保安公司", "L-S", score, "good",
                       f"2026-0{n + 1}-01T00:00:00+00:00")
    session.commit()
    assert company_standing(session)[0]["trend"] == "steady"


def test_evaluations_filters_and_order(session: Session) -> None:
    ids = seed_standing(session)
    everything = evaluations(session)
    assert len(everything) == 11
    signed = [e["signed_at"] for e in everything]
    assert signed == sorted(signed, reverse=True)

    e2 = evaluations(session, event_id="e2")
    assert [(e["id"], e["current"]) for e in e2] == [(ids["jia_v2"], True),
                                                     (ids["jia_v1"], False)]
    by_licence = evaluations(session, company="L-JIA")
    assert {e["id"] for e in by_licence} == {ids["jia_e3"]} | {
        e["id"] for e in everything if e["event_id"] == "e1"}
    assert len(evaluations(session, company="甲安保服务有限公司")) == 4
    wu = evaluations(session, company="戊保安公司")[0]
    assert (wu["id"], wu["grade"], wu["grade_text"], wu["score_total"]) == (
        ids["wu_fail"], "fail", "不合格", 55.0)
    assert "pdf" not in wu and wu["pdf_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert evaluations(session, event_id="nope") == []


def test_recommend_three_for_high_risk(session: Session) -> None:
    seed_standing(session)
    result = recommend(session, attendance=2000, risk="high")
    assert result["needed_guards"] == 20
    assert [c["name"] for c in result["companies"]] == ["乙保安公司", "甲安保服务有限公司",
                                                        "丙保安公司"]
    assert [c["rank"] for c in result["companies"]] == [1, 2, 3]
    assert result["note"] is None and result["qualified_count"] == 3
    excluded = by_name(result["excluded"])
    assert set(excluded) == {"丁保安公司", "戊保安公司", "己保安公司", "庚保安公司"}
    assert any("black-listed" in r for r in excluded["丁保安公司"]["reasons"])
    assert any("latest evaluation failed" in r for r in excluded["戊保安公司"]["reasons"])
    assert any("below A" in r for r in excluded["己保安公司"]["reasons"])
    assert any("at most 3 guards, 20 needed" in r for r in excluded["庚保安公司"]["reasons"])
    reasons = by_name(result["companies"])
    assert any("supplied 20 guards" in r for r in reasons["乙保安公司"]["reasons"])
    assert any("no staffing history, credit grade A" in r
               for r in reasons["丙保安公司"]["reasons"])


def test_recommend_medium_risk_keeps_a_failed_company_with_a_warning(session: Session) -> None:
    seed_standing(session)
    result = recommend(session, attendance=3000, risk="medium")
    assert result["needed_guards"] == 20
    assert result["qualified_count"] == 4
    names = [c["name"] for c in result["companies"]]
    # Rated companies before the unrated one: 丙 qualifies but is fourth, left out of three.
    assert names == ["乙保安公司", "甲安保服务有限公司", "戊保安公司"]
    wu = result["companies"][2]
    assert any("latest evaluation failed" in r for r in wu["reasons"])
    assert "丙保安公司" not in by_name(result["excluded"])
    assert len(recommend(session, attendance=3000, risk="medium", count=5)["companies"]) == 4


def test_recommend_fewer_than_three_says_so(session: Session) -> None:
    seed_standing(session)
    result = recommend(session, attendance=2500, risk="high")
    assert result["needed_guards"] == 25
    assert [c["name"] for c in result["companies"]] == ["甲安保服务有限公司", "丙保安公司"]
    assert result["note"] and "only 2 qualified companies" in result["note"]
    assert "只有 2 家" in result["note"]


def test_recommend_never_lists_a_blacklisted_company(session: Session) -> None:
    seed_standing(session)
    # Low risk, small event: every company but the black-listed and the C-credit one passes.
    result = recommend(session, attendance=100, risk="low", count=10)
    assert result["needed_guards"] == 1
    names = {c["name"] for c in result["companies"]}
    assert "丁保安公司" not in names  # the best average of all, still black-listed
    assert names == {"甲安保服务有限公司", "乙保安公司", "丙保安公司", "戊保安公司",
                     "庚保安公司"}
    assert "fewer than the 10" in result["note"]


def test_recommend_with_no_companies_at_all(session: Session) -> None:
    result = recommend(session, attendance=500, risk="low")
    assert result["companies"] == [] and "only 0 qualified" in result["note"]


def test_recommend_refuses_bad_input(session: Session) -> None:
    with pytest.raises(ValueError, match="risk"):
        recommend(session, attendance=100, risk="extreme")
    with pytest.raises(ValueError, match="negative"):
        recommend(session, attendance=-1, risk="low")


def test_capacity_rule_and_credit_order() -> None:
    assert [needed_guards(1000, r) for r in ("high", "medium", "low")] == [10, 7, 5]
    assert needed_guards(0, "high") == 1
    assert credit_rank("AAA") < credit_rank("A") < credit_rank("b") < credit_rank("")
    assert credit_rank("A级") == credit_rank("A")


def test_recommend_puts_a_failing_average_after_the_untried(session: Session) -> None:
    seed_standing(session)
    add_company(session, "辛保安公司", "L-XIN", "A")
    add_event(session, "x1", "辛的活动")
    add_guards(session, "x1", "辛保安公司", 40)
    add_evaluation(session, "x1", "辛的活动", "辛保安公司", "L-XIN", 41.0, "fail",
                   "2026-03-01T10:00:00+00:00")
    ranked = recommend(session, attendance=3000, risk="medium", count=10)["companies"]

    def tier(company: dict[str, object]) -> int:
        average = company["average_score"]
        return 1 if average is None else 0 if float(average) >= 60 else 2  # type: ignore[arg-type]

    tiers = [tier(c) for c in ranked]
    assert tiers == sorted(tiers)
    assert set(tiers) == {0, 1, 2}
    assert ranked[-1]["name"] == "辛保安公司"


def test_a_company_known_only_from_a_laptop_is_shown_but_never_vetted(session: Session) -> None:
    # A laptop's event form says its company has credit grade A and no black-listing; HQ's
    # register does not hold it. The credit grade and the black-listing are HQ's decisions:
    # the company is listed (its evaluations are real) but never recommended.
    add_company(session, "自称甲级保安公司", "", "A", device="laptop-1")
    add_company(session, "名录内保安公司", "L-IN", "A")
    add_company(session, "自称黑名单公司", "L-IN2", "A", blacklisted=True, device="laptop-1")
    add_company(session, "自称黑名单公司", "L-IN2", "B")  # HQ's own record: not black-listed
    session.commit()
    companies = {c["name"]: c for c in company_standing(session)}
    claimed = companies["自称甲级保安公司"]
    assert (claimed["in_register"], claimed["credit_grade"], claimed["blacklisted"]) == \
        (False, "", False)
    assert companies["名录内保安公司"]["in_register"] is True
    assert (companies["自称黑名单公司"]["credit_grade"],
            companies["自称黑名单公司"]["blacklisted"]) == ("B", False)
    result = recommend(session, attendance=1000, risk="low")
    names = [c["name"] for c in result["companies"]]
    assert "自称甲级保安公司" not in names and "名录内保安公司" in names
    excluded = {c["name"]: c["reasons"] for c in result["excluded"]}
    assert any("not in HQ's register" in r for r in excluded["自称甲级保安公司"])


def test_a_provisional_grade_says_so_in_the_standing(session: Session) -> None:
    add_evaluation(session, "p1", "试点活动", "辛保安公司", "L-XIN", 75.0, "pass",
                   "2026-03-01T12:00:00+00:00", final=False)
    session.commit()
    [xin] = [c for c in company_standing(session) if c["name"] == "辛保安公司"]
    assert xin["latest_grade_text"] == "合格（暂定）" and xin["latest_grade_final"] is False
    assert xin["history"][0]["grade_text"] == "合格（暂定）"

"""The evaluation's scoring: a hand-built case computed by hand, the rules' properties."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.evaluation.rules import grade_text, load_rules, parse_rules
from app.evaluation.score_values import CategoryScore, Deduction
from app.evaluation.scoring import compute_score, score_scope
from app.inspection.checklist import load_template
from app.inspection.workbench import Workbench
from tests.conftest import REPO
from tests.helpers.evaluation import (
    COMPANY,
    OTHER_COMPANY,
    POST_1,
    POST_2,
    build_hand_case,
)

RULES_FILE = REPO / "resources" / "templates" / "scoring_v2.json"


def _weights() -> dict[str, float]:
    template = load_template()
    total = sum(c.weight for c in template.categories)
    return {c.code: 100 * c.weight / total for c in template.categories}


def test_hand_case_matches_a_hand_computation(workbench: Workbench) -> None:
    case = build_hand_case(workbench)
    rules = load_rules()
    score = compute_score(workbench.db, case.event_id, rules)

    # By hand, from the rules file's parameters: 4 inspections, fewer than the reference
    # count, so no scaling.
    per_weight = rules.points_per_item_weight
    cm = rules.checklist_multiplier
    uniform = 2 * per_weight * cm["not_corrected"]  # uniform.standard, weight 2
    grooming = 1 * per_weight * cm["corrected"]  # grooming.posture, weight 1
    duty = 2 * per_weight * cm["corrected"]  # duty.ticket.every_ticket, weight 2
    certificate = 3 * per_weight * cm["not_corrected"]  # certificate.carried, weight 3
    staffing = (rules.staffing_points["staffing.other_company"]
                * rules.staffing_multiplier["not_corrected"])
    post = rules.post_points["understaffed"]
    weights = _weights()
    expected_categories = {
        "uniform": weights["uniform"] - uniform,
        "certificate": weights["certificate"] - certificate,
        "grooming": weights["grooming"] - grooming,
        "duty": weights["duty"] - duty,
    }
    expected_total = round(sum(expected_categories.values()) - staffing - post, 2)

    assert score.inspections == 4
    assert score.scale == 1.0
    assert {c.code: c.score for c in score.categories} == {
        code: round(value, 2) for code, value in expected_categories.items()}
    assert {p.code: p.deducted for p in score.penalties} == {"staffing": staffing,
                                                             "post": post}
    assert score.total == expected_total
    assert score.grade == rules.grade_for(expected_total)
    assert score.guards_rostered == 5 and score.guards_checked == 4
    assert score.coverage == 4 / 5
    assert score.findings == 5 and score.findings_corrected == 2

    # The same numbers as the worked example in docs/scoring.md, with the shipped rules.
    assert (score.total, score.grade) == (81.5, "good")
    doc = (REPO / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert "= 81.50  ->  良好" in doc
    assert "A区2号检票口 100 - 1.0 - 3.0 - 8.0 - 4.0 = 84.00" in doc

    # Per post and per guard: the same formula over that scope's records.
    posts = {p.post_name: p for p in score.per_post}
    assert posts[POST_1].score == round(100 - uniform - grooming, 2)
    assert posts[POST_2].score == round(100 - duty - certificate - staffing - post, 2)
    assert posts[POST_2].status == "understaffed"
    assert posts[POST_1].findings == 2 and posts[POST_2].findings == 3
    guards = {g.guard_name: g for g in score.per_guard}
    assert guards["王一"].score == round(100 - uniform, 2)
    assert guards["李二"].score == round(100 - grooming, 2)
    assert guards["张三"].score == round(100 - duty - certificate, 2)
    assert guards["赵四"].score == round(100 - staffing, 2)
    assert "钱五" not in guards  # never checked: not scored, lowers the coverage
    # The borrowed guard (赵四) is the contracted company's deduction, not the lender's.
    companies = {c.company: c for c in score.per_company}
    assert companies[COMPANY].contracted
    assert companies[COMPANY].score == round(
        100 - uniform - grooming - duty - certificate - staffing - post, 2)
    assert companies[COMPANY].findings == 5
    assert (companies[OTHER_COMPANY].score, companies[OTHER_COMPANY].findings) == (100.0, 0)
    assert [c.company for c in score.per_company][0] == COMPANY
    assert "100 - 2.0 - 0.5 - 1.0 - 3.0 - 8.0 - 4.0 = 81.50; the other company 100.00" in doc


def test_every_deduction_names_its_records(workbench: Workbench) -> None:
    case = build_hand_case(workbench)
    score = compute_score(workbench.db, case.event_id)
    by_reason = {d.reason_code: d for d in score.deductions}
    assert set(by_reason) == {"uniform.standard", "grooming.posture",
                              "duty.ticket.every_ticket", "certificate.carried",
                              "staffing.other_company", "post.understaffed"}
    for code, finding_id in case.finding_ids.items():
        assert by_reason[code].record_ids[0] == finding_id
        assert by_reason[code].finding_ids == (finding_id,)
    assert by_reason["post.understaffed"].post_name == POST_2
    # The borrowed guard's deduction is the contracted company's; the finding and the
    # report's line about it still name the lender.
    assert by_reason["staffing.other_company"].company == COMPANY
    assert by_reason["staffing.other_company"].guard_name == "赵四"
    assert workbench.finding(case.finding_ids["staffing.other_company"]).company_name == (
        OTHER_COMPANY)
    assert by_reason["uniform.standard"].guard_name == "王一"
    assert by_reason["uniform.standard"].company == COMPANY


def test_rules_v1_keep_charging_the_lender(workbench: Workbench) -> None:
    """v1's figures stay what they were: there, a staffing finding was the guard's company's."""
    case = build_hand_case(workbench)
    v1, v2 = load_rules(1), load_rules()
    assert (v1.staffing_charged_to, v2.staffing_charged_to) == ("guard", "contracted")
    assert v2.version == 2 and "staffing.background_pending" not in v1.staffing_points
    companies = {c.company: c.score for c in compute_score(workbench.db, case.event_id,
                                                           v1).per_company}
    assert companies == {COMPANY: 89.5, OTHER_COMPANY: 92.0}


def test_rules_refuse_an_unknown_charged_to() -> None:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["staffing"]["charged_to"] = "lender"
    with pytest.raises(ValueError):
        parse_rules(data)


def test_corrected_weighs_less_and_staffing_is_heavy() -> None:
    rules = load_rules()
    weights = _weights()

    def finding(category: str, correction: str, base: float) -> Deduction:
        return Deduction(points=base, reason_code=f"{category}.x", category=category,
                         record_ids=("f",), post_name=None, guard_name=None, company="c",
                         base_points=base, correction=correction)

    cm = rules.checklist_multiplier
    assert cm["corrected"] < cm["not_corrected"]
    corrected = score_scope([finding("uniform", "corrected", 2 * cm["corrected"])], 10, rules,
                            weights)
    uncorrected = score_scope([finding("uniform", "not_corrected", 2 * cm["not_corrected"])],
                              10, rules, weights)
    assert corrected.total > uncorrected.total
    # Every staffing finding outweighs the heaviest checklist finding.
    heaviest_item = max(item.weight for item in load_template().common_items)
    for points in rules.staffing_points.values():
        assert points > heaviest_item * rules.points_per_item_weight
    for points in rules.post_points.values():
        assert points > heaviest_item * rules.points_per_item_weight


def test_many_inspections_scale_checklist_findings_not_staffing() -> None:
    rules = load_rules()
    weights = _weights()
    base = 2 * rules.points_per_item_weight
    checklist = Deduction(base, "uniform.standard", "uniform", ("f",), None, None, "c",
                          base_points=base, correction="not_corrected")
    staffing = Deduction(8, "staffing.other_company", "staffing", ("g",), None, None, "c",
                         base_points=8, correction="not_corrected")
    inspections = rules.reference_inspections * 4
    result = score_scope([checklist, staffing], inspections, rules, weights)
    uniform = next(c for c in result.categories if c.code == "uniform")
    assert uniform.deducted == round(base / 4, 2)  # the docs' second example: 2 x 100/400
    assert result.penalties[0].deducted == 8


def test_categories_and_groups_stop_at_zero_and_their_cap() -> None:
    rules = load_rules()
    weights = _weights()
    many = [Deduction(3, "certificate.carried", "certificate", (str(i),), None, None, "c",
                      base_points=3, correction="not_corrected") for i in range(40)]
    staffing = [Deduction(5, "staffing.other_company", "staffing", (str(i),), None, None, "c",
                          base_points=5, correction="not_corrected") for i in range(40)]
    result = score_scope(many + staffing, 40, rules, weights)
    certificate = next(c for c in result.categories if c.code == "certificate")
    assert certificate == CategoryScore("certificate", weights["certificate"],
                                        weights["certificate"], 0.0, 40)
    assert result.penalties[0].deducted == rules.staffing_cap
    assert result.total == round(100 - weights["certificate"] - rules.staffing_cap, 2)


@pytest.mark.parametrize(("total", "grade", "words"), [
    (100.0, "excellent", "优秀"), (90.0, "excellent", "优秀"), (89.99, "good", "良好"),
    (80.0, "good", "良好"), (79.99, "pass", "合格"), (60.0, "pass", "合格"),
    (59.99, "fail", "不合格"), (0.0, "fail", "不合格"),
])
def test_grade_bands(total: float, grade: str, words: str) -> None:
    rules = load_rules()
    assert rules.grade_for(total) == grade
    assert grade_text(grade) == words
    assert grade_text(grade, lang="en") == rules.band(grade).label_en


def test_grade_bands_come_from_the_rules_file() -> None:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    for band in data["grades"]:
        if band["code"] == "excellent":
            band["min"] = 95
    rules = parse_rules(data)
    assert rules.grade_for(92) == "good"
    assert rules.grade_for(95) == "excellent"


def test_rules_refuse_a_corrected_finding_weighing_more() -> None:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["checklist"]["multiplier"] = {"corrected": 1.5, "not_corrected": 1.0}
    with pytest.raises(ValueError):
        parse_rules(data)


def test_staffing_found_twice_on_one_guard_counts_once(workbench: Workbench) -> None:
    case = build_hand_case(workbench)
    guard = next(g for g in workbench.guards(case.event_id) if g.name == "赵四")
    post = case.post_ids[POST_2]
    workbench.record_scan(case.event_id, workbench.lookup(case.event_id, guard.cert_no, post))
    score = compute_score(workbench.db, case.event_id)
    staffing = [d for d in score.deductions if d.category == "staffing"]
    assert len(staffing) == 1 and len(staffing[0].finding_ids) == 2
    assert score.findings == 6


def test_coverage_counts_guards_checked_once(workbench: Workbench) -> None:
    case = build_hand_case(workbench)
    before = compute_score(workbench.db, case.event_id)
    guard = next(g for g in workbench.guards(case.event_id) if g.name == "钱五")
    result = workbench.lookup(case.event_id, guard.cert_no, case.post_ids[POST_2])
    workbench.record_scan(case.event_id, result)
    workbench.record_scan(case.event_id, result)
    after = compute_score(workbench.db, case.event_id)
    assert (before.guards_checked, after.guards_checked) == (4, 5)
    assert after.coverage == 1.0
    assert after.total == before.total  # a compliant check changes only the coverage


def test_compute_score_is_fast_and_read_only(workbench: Workbench, tmp_path: Path) -> None:
    case = build_hand_case(workbench)
    stamp = workbench.db.path.stat().st_mtime_ns
    started = time.perf_counter()
    score = compute_score(workbench.db, case.event_id)
    assert time.perf_counter() - started < 1.0
    assert workbench.db.path.stat().st_mtime_ns == stamp
    assert replace(score) == score


def test_docs_formula_mentions_every_rule_parameter() -> None:
    doc = (REPO / "docs" / "scoring.md").read_text(encoding="utf-8")
    rules = load_rules()
    assert f"scoring_v{rules.version}.json" in doc
    for value in (rules.reference_inspections, rules.staffing_cap, rules.post_cap):
        assert re.search(rf"\b{value:g}\b", doc), value

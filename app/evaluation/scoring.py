"""The comprehensive evaluation's score: data-driven rules, every point traceable to records.

The model (docs/scoring.md has the formula and a worked example a test reproduces):

* Each checklist category is worth its weight from the checklist template (scaled so the
  categories add up to ``total``, 100). A finding on an item deducts
  ``points_per_item_weight x item weight x correction multiplier`` from its category; in an
  event with more than ``reference_inspections`` inspections every such deduction is scaled by
  ``reference_inspections / inspections``, so the score measures the rate of findings and a
  large event is not punished for being large. A category cannot go below zero (扣完为止).
* Staffing findings (another company's guard, failed background check, invalid badge, not on
  the roster, untrained) and absent / understaffed posts are heavy fixed deductions, never
  scaled: one subcontracted guard is as serious at a marathon as at a concert. Each group has
  a cap. A staffing finding is the contracted company's deduction (rules v2, ``charged_to``).
* total = sum of the category scores - staffing deductions - post deductions, at least 0;
  the grade comes from the bands in the rules file.
* Coverage (rostered guards checked at least once / rostered guards) is shown beside the
  score, not folded into it: an unchecked guard is not a finding, but a score resting on a
  small sample must say so.

Per post, per guard and per company the same formula is applied to that scope's records
(its own inspection count for the scaling), so a post's score reads like the event's.

``compute_score`` reads the event's rows (app.evaluation.score_rows) and hands them to
``score_event``, a pure function: each rule below is a small function over those values.
The rules are app.evaluation.rules', the values app.evaluation.score_values'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.evaluation.rules import OTHER_CATEGORY, POST_CATEGORY, ScoringRules
from app.evaluation.rules_store import event_rules
from app.evaluation.score_rows import (
    EventRows,
    FindingRow,
    GuardRow,
    PostRow,
    PostStatusRow,
    VisitCount,
    load_event_rows,
)
from app.evaluation.score_values import (
    CategoryScore,
    CompanyScore,
    Deduction,
    GuardScore,
    PenaltyScore,
    PostScore,
    ScopeScore,
    Score,
)
from app.inspection.checklist import ChecklistTemplate
from app.inspection.domain import POST_STATE_RANK, STAFFING_CATEGORY
from app.inspection.natural_order import natural_key
from app.profile.db import Database

CORRECTION_STATES = ("corrected", "not_corrected")


def compute_score(db: Database, event_id: str, rules: ScoringRules | None = None,
                  as_of: datetime | None = None) -> Score:
    """The evaluation's figures for the event, from its live records (read only).

    ``as_of`` (UTC) leaves out records created after that moment: the figures of a signed
    evaluation, whose records before its signature can no longer change.
    """
    if rules is None:  # the event's own (HQ's package may set a version not shipped)
        rules = event_rules(db, event_id)
    return score_event(load_event_rows(db, event_id, as_of), rules)


# ------------------------------------------------------------------------- the formula
def _round(value: float) -> float:
    return round(value + 0.0, 2)


def category_weights(template: ChecklistTemplate, total: float) -> dict[str, float]:
    """Each category's points: its template weight, scaled so that they add up to ``total``."""
    weight_sum = sum(c.weight for c in template.categories) or 1
    return {c.code: total * c.weight / weight_sum for c in template.categories}


def item_weights(template: ChecklistTemplate) -> dict[str, int]:
    items = list(template.common_items)
    for task_items in template.task_items.values():
        items.extend(task_items)
    return {item.code: item.weight for item in items}


def scale_for(rules: ScoringRules, inspections: int) -> float:
    """The factor on checklist deductions: 1 up to the reference count of inspections."""
    if inspections <= rules.reference_inspections:
        return 1.0
    return rules.reference_inspections / inspections


def score_scope(deductions: Iterable[Deduction], inspections: int, rules: ScoringRules,
                weights: dict[str, float]) -> ScopeScore:
    """The formula, applied to the deductions of one scope (event, post, guard, company)
    and that scope's number of inspections. Uses ``base_points``, so it does not matter
    which scope the deductions' ``points`` were scaled for."""
    scale = scale_for(rules, inspections)
    by_category: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for d in deductions:
        if d.category in weights:
            by_category[d.category] += d.base_points * scale
        else:
            by_category[d.category] += d.base_points
        counts[d.category] += 1
    categories = []
    for code, weight in weights.items():
        deducted = min(weight, by_category.get(code, 0.0))
        categories.append(CategoryScore(code, _round(weight), _round(deducted),
                                        _round(weight - deducted), counts.get(code, 0)))
    penalties = []
    for code in (STAFFING_CATEGORY, POST_CATEGORY, OTHER_CATEGORY):
        if code == OTHER_CATEGORY and code not in by_category:
            continue
        cap = rules.cap(code)
        penalties.append(PenaltyScore(code, cap, _round(min(cap, by_category.get(code, 0.0))),
                                      counts.get(code, 0)))
    total = sum(weight - min(weight, by_category.get(code, 0.0))
                for code, weight in weights.items())
    total -= sum(min(rules.cap(p.code), by_category.get(p.code, 0.0)) for p in penalties)
    return ScopeScore(_round(max(0.0, total)), tuple(categories), tuple(penalties))


# ----------------------------------------------------------------------- inspections
@dataclass(frozen=True)
class InspectionCounts:
    """How many inspections there were, in all and per guard, post and company."""

    total: int = 0
    per_guard: dict[str, int] = field(default_factory=dict)  # rostered guards only
    per_post: dict[str, int] = field(default_factory=dict)
    per_company: dict[str, int] = field(default_factory=dict)
    # the head-count of the post list: its own guards, with a badge not refused
    guards_seen_at_post: dict[str, set[str]] = field(default_factory=dict)


def count_inspections(visits: Iterable[VisitCount], guard_by_id: dict[str, GuardRow],
                      contracted: str) -> InspectionCounts:
    total = 0
    per_guard: dict[str, int] = defaultdict(int)
    per_post: dict[str, int] = defaultdict(int)
    per_company: dict[str, int] = defaultdict(int)
    seen_at_post: dict[str, set[str]] = defaultdict(set)
    for guard_id, post_id, badge_refused, count in visits:
        total += count
        guard = guard_by_id.get(guard_id) if guard_id else None
        if guard is not None:
            per_guard[guard.id] += count
        if post_id:
            per_post[post_id] += count
            if guard is not None and guard.post_id == post_id and not badge_refused:
                seen_at_post[post_id].add(guard.id)
        company = (guard.company_name if guard is not None else "") or contracted
        per_company[company] += count
    return InspectionCounts(total, per_guard, per_post, per_company, seen_at_post)


# ------------------------------------------------------------------------ deductions
@dataclass(frozen=True)
class FindingContext:
    """What the finding rules look up: the event's posts and guards, the checklist weights
    and the scale of the event's checklist deductions."""

    rules: ScoringRules
    weights: dict[str, float]  # category -> points
    item_weight: dict[str, int]
    scale: float
    contracted: str
    post_by_id: dict[str, PostRow]
    guard_by_id: dict[str, GuardRow]


def correction_of(finding: FindingRow) -> str:
    """corrected or not_corrected; anything else counts as not corrected."""
    return finding.correction if finding.correction in CORRECTION_STATES else "not_corrected"


def _records(finding: FindingRow) -> tuple[str, ...]:
    return (finding.id, finding.inspection_id) if finding.inspection_id else (finding.id,)


def charged_company(finding: FindingRow, guard: GuardRow | None, ctx: FindingContext) -> str:
    """Whose deduction a finding is. A staffing finding is the contracted company's when the
    rules say so (v2): it put a borrowed, unvetted or untrained guard on duty (严禁转包安保勤务及
    临时外借人员, seed 000 §2(2)), not the lender; the finding row still names the guard's own
    company. A checklist finding is the company of the guard found."""
    if (finding.category == STAFFING_CATEGORY and ctx.contracted
            and ctx.rules.staffing_charged_to == "contracted"):
        return ctx.contracted
    return finding.company_name or (guard.company_name if guard else "") or ctx.contracted


def finding_deduction(finding: FindingRow, ctx: FindingContext) -> Deduction:
    """The deduction of one finding: a staffing finding's fixed points, a checklist item's
    weighted (and scaled) points, or the flat points of an item of no known category."""
    rules = ctx.rules
    correction = correction_of(finding)
    if finding.category == STAFFING_CATEGORY:
        category = STAFFING_CATEGORY
        base = (rules.staffing_points.get(finding.item_code, 0.0)
                * rules.staffing_multiplier.get(correction, 1.0))
        applied = base
    elif finding.category in ctx.weights:
        category = finding.category
        base = (rules.points_per_item_weight * ctx.item_weight.get(finding.item_code, 1)
                * rules.checklist_multiplier.get(correction, 1.0))
        applied = base * ctx.scale
    else:
        category = OTHER_CATEGORY
        base = applied = (rules.points_per_item_weight
                          * rules.checklist_multiplier.get(correction, 1.0))
    guard = ctx.guard_by_id.get(finding.guard_id) if finding.guard_id else None
    post = ctx.post_by_id.get(finding.post_id) if finding.post_id else None
    return Deduction(
        points=applied, reason_code=finding.item_code, category=category,
        record_ids=_records(finding), post_name=post.name if post else None,
        guard_name=guard.name if guard else None, company=charged_company(finding, guard, ctx),
        base_points=base, correction=correction, post_id=finding.post_id,
        guard_id=finding.guard_id, at=finding.created_at, finding_ids=(finding.id,))


def staffing_person(finding: FindingRow) -> str:
    """Who a staffing finding is about: the rostered guard, else the scanned text."""
    return finding.guard_id or (finding.scanned_text or "").strip() or finding.id


def count_again(earlier: Deduction, finding: FindingRow, rules: ScoringRules) -> Deduction:
    """The same person's same staffing problem found again: one deduction, with the new
    records added and the worse correction state (the same borrowed guard scanned twice is
    one borrowed guard)."""
    states = (correction_of(finding), earlier.correction)
    worse = "not_corrected" if "not_corrected" in states else "corrected"
    base = rules.staffing_points.get(finding.item_code, 0.0) * rules.staffing_multiplier.get(
        worse, 1.0)
    return replace(earlier, points=base, base_points=base, correction=worse,
                   record_ids=earlier.record_ids + _records(finding),
                   finding_ids=earlier.finding_ids + (finding.id,))


def finding_deductions(findings: Iterable[FindingRow], ctx: FindingContext) -> list[Deduction]:
    """One deduction per checklist finding; staffing findings once per person and kind."""
    deductions: list[Deduction] = []
    staffing_seen: dict[tuple[str, str], int] = {}  # (item, person) -> index in deductions
    for finding in findings:
        if finding.category == STAFFING_CATEGORY:
            key = (finding.item_code, staffing_person(finding))
            if key in staffing_seen:
                index = staffing_seen[key]
                deductions[index] = count_again(deductions[index], finding, ctx.rules)
                continue
            staffing_seen[key] = len(deductions)
        deductions.append(finding_deduction(finding, ctx))
    return deductions


@dataclass(frozen=True)
class PostStates:
    """Each post found absent or understaffed: its worst state, its records, when first."""

    worst: dict[str, str]
    records: dict[str, list[str]]
    first_seen: dict[str, datetime]


def post_states(statuses: Iterable[PostStatusRow], rules: ScoringRules) -> PostStates:
    worst: dict[str, str] = {}
    records: dict[str, list[str]] = defaultdict(list)
    first_seen: dict[str, datetime] = {}
    for record in statuses:
        if record.status not in rules.post_points:
            continue
        records[record.post_id].append(record.id)
        first_seen.setdefault(record.post_id, record.created_at)
        if POST_STATE_RANK.get(record.status, 0) > POST_STATE_RANK.get(
                worst.get(record.post_id, ""), 0):
            worst[record.post_id] = record.status
    return PostStates(worst, records, first_seen)


def post_deductions(states: PostStates, post_by_id: dict[str, PostRow], rules: ScoringRules,
                    contracted: str) -> list[Deduction]:
    """One deduction per post found absent or understaffed, at its worst state."""
    deductions = []
    for post_id, status in states.worst.items():
        post = post_by_id.get(post_id)
        points = rules.post_points[status]
        deductions.append(Deduction(
            points=points, reason_code=f"post.{status}", category=POST_CATEGORY,
            record_ids=tuple(states.records[post_id]), post_name=post.name if post else None,
            guard_name=None, company=contracted, base_points=points, correction=None,
            post_id=post_id, at=states.first_seen.get(post_id)))
    return deductions


# ---------------------------------------------------------------------------- scopes
def post_scores(posts: Sequence[PostRow], guards: Sequence[GuardRow],
                deductions: Sequence[Deduction], counts: InspectionCounts,
                states: PostStates, rules: ScoringRules,
                weights: dict[str, float]) -> list[PostScore]:
    """Every post, in natural order (A区2号 before A区10号)."""
    by_post: dict[str, list[Deduction]] = defaultdict(list)
    for d in deductions:
        if d.post_id:
            by_post[d.post_id].append(d)
    assigned: dict[str, int] = defaultdict(int)
    for g in guards:
        if g.post_id:
            assigned[g.post_id] += 1
    scores = []
    for p in posts:
        own = by_post.get(p.id, [])
        inspections = counts.per_post.get(p.id, 0)
        scope = score_scope(own, inspections, rules, weights)
        scores.append(PostScore(
            post_name=p.name, score=scope.total,
            findings=sum(1 for d in own if d.category != POST_CATEGORY),
            post_id=p.id, zone=p.zone, task_type=p.task_type,
            required_headcount=p.required_headcount, guards_assigned=assigned.get(p.id, 0),
            guards_checked=len(counts.guards_seen_at_post.get(p.id, ())),
            inspections=inspections, status=states.worst.get(p.id),
            deducted=_round(rules.total - scope.total)))
    scores.sort(key=lambda ps: natural_key(ps.post_name))
    return scores


def guard_scores(posts: Sequence[PostRow], guard_by_id: dict[str, GuardRow],
                 deductions: Sequence[Deduction], counts: InspectionCounts,
                 rules: ScoringRules, weights: dict[str, float]) -> list[GuardScore]:
    """Every rostered guard checked at least once, lowest score first."""
    by_guard: dict[str, list[Deduction]] = defaultdict(list)
    for d in deductions:
        if d.guard_id and d.guard_id in guard_by_id:
            by_guard[d.guard_id].append(d)
    post_name = {p.id: p.name for p in posts}
    scores = []
    for guard_id, count in counts.per_guard.items():
        g = guard_by_id[guard_id]
        own = by_guard.get(guard_id, [])
        scope = score_scope(own, count, rules, weights)
        scores.append(GuardScore(
            guard_name=g.name, score=scope.total, findings=len(own), guard_id=g.id,
            cert_no=g.cert_no, company=g.company_name,
            post_name=post_name.get(g.post_id) if g.post_id else None, inspections=count,
            findings_corrected=sum(1 for d in own if d.correction == "corrected"),
            deducted=_round(rules.total - scope.total)))
    scores.sort(key=lambda gs: (gs.score, -gs.findings, natural_key(gs.post_name or ""),
                                gs.guard_name, gs.guard_id))
    return scores


def company_scores(guards: Sequence[GuardRow], guard_by_id: dict[str, GuardRow],
                   deductions: Sequence[Deduction], counts: InspectionCounts, contracted: str,
                   rules: ScoringRules, weights: dict[str, float]) -> list[CompanyScore]:
    """Every company with guards, inspections or findings; the contracted one first."""
    by_company: dict[str, list[Deduction]] = defaultdict(list)
    for d in deductions:
        by_company[d.company].append(d)
    rostered: dict[str, int] = defaultdict(int)
    for g in guards:
        rostered[g.company_name or contracted] += 1
    checked: dict[str, int] = defaultdict(int)
    for guard_id in counts.per_guard:
        checked[guard_by_id[guard_id].company_name or contracted] += 1
    companies = set(by_company) | set(counts.per_company) | set(rostered)
    if contracted:
        companies.add(contracted)
    scores = []
    for name in companies:
        own = by_company.get(name, [])
        scope = score_scope(own, counts.per_company.get(name, 0), rules, weights)
        scores.append(CompanyScore(
            company=name, score=scope.total,
            findings=sum(1 for d in own if d.category != POST_CATEGORY),
            contracted=name == contracted, guards_rostered=rostered.get(name, 0),
            guards_checked=checked.get(name, 0),
            inspections=counts.per_company.get(name, 0),
            deducted=_round(rules.total - scope.total), grade=rules.grade_for(scope.total)))
    scores.sort(key=lambda c: (not c.contracted, c.company))
    return scores


# ------------------------------------------------------------------------- the event
def score_event(rows: EventRows, rules: ScoringRules) -> Score:
    """The event's Score from its rows: a pure function (same rows, same figures)."""
    template = rows.template
    post_by_id = {p.id: p for p in rows.posts}
    guard_by_id = {g.id: g for g in rows.guards}
    weights = category_weights(template, rules.total)
    counts = count_inspections(rows.visits, guard_by_id, rows.contracted)
    scale = scale_for(rules, counts.total)
    ctx = FindingContext(rules, weights, item_weights(template), scale, rows.contracted,
                         post_by_id, guard_by_id)
    states = post_states(rows.statuses, rules)
    deductions = (finding_deductions(rows.findings, ctx)
                  + post_deductions(states, post_by_id, rules, rows.contracted))
    event = score_scope(deductions, counts.total, rules, weights)
    rostered = len(rows.guards)
    checked = len(counts.per_guard)
    return Score(
        total=event.total, grade=rules.grade_for(event.total),
        coverage=checked / rostered if rostered else 0.0, guards_checked=checked,
        guards_rostered=rostered, categories=event.categories,
        deductions=tuple(deductions),
        per_post=tuple(post_scores(rows.posts, rows.guards, deductions, counts, states, rules,
                                   weights)),
        per_guard=tuple(guard_scores(rows.posts, guard_by_id, deductions, counts, rules,
                                     weights)),
        per_company=tuple(company_scores(rows.guards, guard_by_id, deductions, counts,
                                         rows.contracted, rules, weights)),
        penalties=event.penalties, inspections=counts.total, findings=len(rows.findings),
        findings_corrected=sum(1 for f in rows.findings if correction_of(f) == "corrected"),
        posts_total=len(rows.posts),
        posts_absent=sum(1 for s in states.worst.values() if s == "absent"),
        posts_understaffed=sum(1 for s in states.worst.values() if s == "understaffed"),
        scale=scale, rules_version=rules.version, template_id=template.template_id,
        template_version=template.version, as_of=rows.as_of,
        coverage_note_below=rules.coverage_note_below)

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
  a cap.
* total = sum of the category scores - staffing deductions - post deductions, at least 0;
  the grade comes from the bands in the rules file.
* Coverage (rostered guards checked at least once / rostered guards) is shown beside the
  score, not folded into it: an unchecked guard is not a finding, but a score resting on a
  small sample must say so.

Per post, per guard and per company the same formula is applied to that scope's records
(its own inspection count for the scaling), so a post's score reads like the event's.

Everything here reads; nothing writes. Codes stay codes (``excellent``); the Chinese words
the PDF prints come from the rules file, not from the interface translations.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from app.inspection.checklist import ChecklistTemplate, load_template
from app.inspection.domain import POST_STATE_RANK, STAFFING_CATEGORY, Verdict
from app.inspection.workbench import natural_key
from app.profile.db import Database
from app.profile.models import Company, Event, Finding, Guard, Inspection, Post, PostStatus
from app.resources import templates_dir

POST_CATEGORY = "post"
OTHER_CATEGORY = "other"
GRADE_CODES = ("excellent", "good", "pass", "fail")
POST_STATUS_RANK = POST_STATE_RANK  # the worse status of a post counts (app.inspection.domain)


# ------------------------------------------------------------------------------ rules
@dataclass(frozen=True)
class GradeBand:
    code: str
    minimum: float
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class ScoringRules:
    """The scoring rules of one version of ``scoring_v<N>.json``."""

    rules_id: str
    version: int
    total: float
    points_per_item_weight: float
    reference_inspections: int
    checklist_multiplier: dict[str, float]
    staffing_points: dict[str, float]
    staffing_multiplier: dict[str, float]
    staffing_cap: float
    post_points: dict[str, float]
    post_cap: float
    other_cap: float
    grades: tuple[GradeBand, ...]
    coverage_note_below: float
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> lang -> text

    def grade_for(self, total: float) -> str:
        for band in sorted(self.grades, key=lambda b: -b.minimum):
            if total >= band.minimum:
                return band.code
        return self.grades[-1].code

    def band(self, code: str) -> GradeBand:
        for band in self.grades:
            if band.code == code:
                return band
        raise KeyError(code)

    def label(self, code: str, lang: str = "zh_CN") -> str:
        """Words for a code of the rules file (staffing items, post states, groups,
        correction states as ``correction.<state>``, ``recommendation.<code>``)."""
        texts = self.labels.get(code)
        if not texts:
            return code
        return texts.get("zh_CN" if lang.startswith("zh") else "en") or code

    def cap(self, group: str) -> float:
        return {STAFFING_CATEGORY: self.staffing_cap, POST_CATEGORY: self.post_cap}.get(
            group, self.other_cap)


def _texts(data: dict) -> dict[str, str]:
    return {"zh_CN": data.get("zh_CN", ""), "en": data.get("en", "")}


def parse_rules(data: dict) -> ScoringRules:
    """Rules from the JSON structure of ``resources/templates/scoring_v1.json``."""
    checklist = data["checklist"]
    staffing = data["staffing"]
    post = data["post"]
    labels: dict[str, dict[str, str]] = {
        STAFFING_CATEGORY: _texts(staffing["label"]),
        POST_CATEGORY: _texts(post["label"]),
        OTHER_CATEGORY: _texts(data.get("other", {}).get("label", {"zh_CN": "其他", "en":
                                                                         "Other"})),
    }
    labels["title"] = _texts(data.get("title", {}))
    for code, item in staffing["items"].items():
        labels[code] = _texts(item["label"])
    for code, status in post["statuses"].items():
        labels[f"post.{code}"] = _texts(status["label"])
    for group, entries in data.get("labels", {}).items():
        for code, texts in entries.items():
            labels[f"{group}.{code}"] = _texts(texts)
    grades = tuple(GradeBand(g["code"], float(g["min"]), g["label"]["zh_CN"], g["label"]["en"])
                   for g in data["grades"])
    if {g.code for g in grades} != set(GRADE_CODES):
        raise ValueError(f"grade bands must be exactly {GRADE_CODES}")
    for band in grades:
        labels[f"grade.{band.code}"] = {"zh_CN": band.label_zh, "en": band.label_en}
    rules = ScoringRules(
        rules_id=data["rules_id"], version=int(data["version"]),
        total=float(data.get("total", 100)),
        points_per_item_weight=float(checklist["points_per_item_weight"]),
        reference_inspections=int(checklist["reference_inspections"]),
        checklist_multiplier={k: float(v) for k, v in checklist["multiplier"].items()},
        staffing_points={k: float(v["points"]) for k, v in staffing["items"].items()},
        staffing_multiplier={k: float(v) for k, v in staffing["multiplier"].items()},
        staffing_cap=float(staffing["cap"]),
        post_points={k: float(v["points"]) for k, v in post["statuses"].items()},
        post_cap=float(post["cap"]),
        other_cap=float(data.get("other", {}).get("cap", 100)),
        grades=grades, coverage_note_below=float(data.get("coverage_note_below", 0)),
        labels=labels)
    for group in (rules.checklist_multiplier, rules.staffing_multiplier):
        if group.get("corrected", 1.0) > group.get("not_corrected", 1.0):
            raise ValueError("a corrected finding must not weigh more than an uncorrected one")
    return rules


@cache
def load_rules(version: int | None = None, directory: Path | None = None) -> ScoringRules:
    """The given version, or the newest, of the scoring rules shipped under resources/."""
    found: list[ScoringRules] = []
    for path in sorted((directory or templates_dir()).glob("scoring_v*.json")):
        found.append(parse_rules(json.loads(path.read_text(encoding="utf-8"))))
    if version is not None:
        found = [r for r in found if r.version == version]
    if not found:
        raise LookupError(f"no scoring rules v{version}")
    return max(found, key=lambda r: r.version)


def grade_text(grade: str, rules: ScoringRules | None = None, lang: str = "zh_CN") -> str:
    """The grade's words as the rules file writes them: 优秀 / 良好 / 合格 / 不合格."""
    band = (rules or load_rules()).band(grade)
    return band.label_zh if lang.startswith("zh") else band.label_en


# ----------------------------------------------------------------------------- values
@dataclass(frozen=True)
class Deduction:
    """Points taken off the event's total for one finding or one post, with the ids of the
    records behind it (finding and inspection, or the post-status records)."""

    points: float  # as applied to the event's total (scaled for checklist findings)
    reason_code: str  # item code (uniform.standard, staffing.other_company) or post.absent
    category: str  # checklist category, "staffing", "post" or "other"
    record_ids: tuple[str, ...]
    post_name: str | None
    guard_name: str | None
    company: str
    base_points: float = 0.0  # before the scaling by the event's inspection count
    correction: str | None = None  # corrected / not_corrected; None for a post status
    post_id: str | None = None
    guard_id: str | None = None
    at: datetime | None = None  # when the finding (or first post status) was recorded
    finding_ids: tuple[str, ...] = ()  # the findings counted here (several: same person)


@dataclass(frozen=True)
class CategoryScore:
    code: str
    weight: float  # the points the category is worth
    deducted: float  # at most the weight
    score: float
    findings: int = 0


@dataclass(frozen=True)
class PenaltyScore:
    """A group of fixed deductions taken from the total (staffing, posts), up to a cap."""

    code: str
    cap: float
    deducted: float
    count: int


@dataclass(frozen=True)
class PostScore:
    post_name: str
    score: float
    findings: int
    post_id: str = ""
    zone: str = ""
    task_type: str = ""
    required_headcount: int = 0
    guards_assigned: int = 0
    guards_checked: int = 0
    inspections: int = 0
    status: str | None = None  # the worst post status recorded: absent / understaffed
    deducted: float = 0.0


@dataclass(frozen=True)
class GuardScore:
    guard_name: str
    score: float
    findings: int
    guard_id: str = ""
    cert_no: str = ""
    company: str = ""
    post_name: str | None = None
    inspections: int = 0
    findings_corrected: int = 0
    deducted: float = 0.0


@dataclass(frozen=True)
class CompanyScore:
    company: str
    score: float
    findings: int
    contracted: bool = False
    guards_rostered: int = 0
    guards_checked: int = 0
    inspections: int = 0
    deducted: float = 0.0
    grade: str = "fail"


@dataclass(frozen=True)
class Score:
    total: float
    grade: str  # excellent / good / pass / fail
    coverage: float  # 0..1
    guards_checked: int
    guards_rostered: int
    categories: tuple[CategoryScore, ...]
    deductions: tuple[Deduction, ...]
    per_post: tuple[PostScore, ...]
    per_guard: tuple[GuardScore, ...]  # every rostered guard checked at least once
    per_company: tuple[CompanyScore, ...]
    penalties: tuple[PenaltyScore, ...] = ()
    inspections: int = 0
    findings: int = 0
    findings_corrected: int = 0
    posts_total: int = 0
    posts_absent: int = 0
    posts_understaffed: int = 0
    scale: float = 1.0  # reference_inspections / inspections, at most 1
    rules_version: int = 0
    template_id: str = ""
    template_version: int = 0
    as_of: datetime | None = None

    coverage_note_below: float = 0.0  # from the rules: below it the PDF notes a small sample

    @property
    def coverage_low(self) -> bool:
        return self.guards_rostered > 0 and self.coverage < self.coverage_note_below


# -------------------------------------------------------------------------- computing
def format_score(value: float) -> str:
    """How scores and points are printed, on paper and on screen alike (two decimals: every
    deduction adds up)."""
    return f"{value:.2f}"


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


@dataclass(frozen=True)
class ScopeScore:
    """The formula's result for one scope (see score_scope)."""

    total: float
    categories: tuple[CategoryScore, ...]
    penalties: tuple[PenaltyScore, ...]


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


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite keeps the UTC wall time without an offset: compare in UTC."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC)


def compute_score(db: Database, event_id: str, rules: ScoringRules | None = None,
                  as_of: datetime | None = None) -> Score:
    """The evaluation's figures for the event, from its live records (read only).

    ``as_of`` (UTC) leaves out records created after that moment: the figures of a signed
    evaluation, whose records before its signature can no longer change.
    """
    rules = rules or load_rules()
    as_of = _utc(as_of)
    with db.read() as s:
        event = s.get(Event, event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        template = load_template(event.checklist_template or "checklist")
        contracted = (s.scalar(select(Company.name).where(Company.id == event.company_id))
                      if event.company_id else None) or ""

        def since(model: type) -> list[object]:
            conditions = [model.event_id == event_id, model.deleted_at.is_(None)]
            if as_of is not None:
                conditions.append(model.created_at <= as_of)
            return conditions

        posts = s.execute(select(Post.id, Post.name, Post.zone, Post.task_type,
                                 Post.required_headcount).where(*since(Post))).all()
        guards = s.execute(select(Guard.id, Guard.name, Guard.cert_no, Guard.company_name,
                                  Guard.post_id).where(*since(Guard))).all()
        # Inspections per (guard, post): counts only, from the covering index.
        visits = s.execute(select(Inspection.guard_id, Inspection.post_id,
                                  Inspection.verdict == Verdict.BADGE_INVALID.value,
                                  func.count())
                           .where(*since(Inspection))
                           .group_by(Inspection.guard_id, Inspection.post_id,
                                     Inspection.verdict == Verdict.BADGE_INVALID.value)).all()
        findings = s.execute(
            select(Finding.id, Finding.inspection_id, Finding.post_id, Finding.guard_id,
                   Finding.category, Finding.item_code, Finding.company_name,
                   Finding.correction, Finding.created_at, Inspection.scanned_text)
            .outerjoin(Inspection, Finding.inspection_id == Inspection.id)
            .where(*since(Finding)).order_by(Finding.created_at, Finding.id)).all()
        statuses = s.execute(
            select(PostStatus.id, PostStatus.post_id, PostStatus.status, PostStatus.created_at)
            .where(*since(PostStatus)).order_by(PostStatus.created_at, PostStatus.id)).all()

    post_by_id = {p.id: p for p in posts}
    guard_by_id = {g.id: g for g in guards}
    weights = category_weights(template, rules.total)
    item_weight = item_weights(template)
    checklist_mult = rules.checklist_multiplier
    staffing_mult = rules.staffing_multiplier

    # -- inspections per guard / post / company
    inspections_total = 0
    per_guard_inspections: dict[str, int] = defaultdict(int)
    per_post_inspections: dict[str, int] = defaultdict(int)
    per_company_inspections: dict[str, int] = defaultdict(int)
    guards_seen_at_post: dict[str, set[str]] = defaultdict(set)
    for guard_id, post_id, badge_refused, count in visits:
        inspections_total += count
        guard = guard_by_id.get(guard_id) if guard_id else None
        if guard is not None:
            per_guard_inspections[guard_id] += count
        if post_id:
            per_post_inspections[post_id] += count
            # the head-count of the post list: its own guards, with a badge not refused
            if guard is not None and guard.post_id == post_id and not badge_refused:
                guards_seen_at_post[post_id].add(guard_id)
        company = (guard.company_name if guard is not None else "") or contracted
        per_company_inspections[company] += count
    scale = scale_for(rules, inspections_total)

    # -- one deduction per checklist finding; staffing findings once per person and kind (the
    # same borrowed guard scanned twice is one borrowed guard)
    deductions: list[Deduction] = []
    corrected_count = 0
    staffing_seen: dict[tuple[str, str], int] = {}
    for f in findings:
        guard = guard_by_id.get(f.guard_id) if f.guard_id else None
        post = post_by_id.get(f.post_id) if f.post_id else None
        correction = f.correction if f.correction in ("corrected", "not_corrected") \
            else "not_corrected"
        corrected_count += correction == "corrected"
        records = (f.id, f.inspection_id) if f.inspection_id else (f.id,)
        if f.category == STAFFING_CATEGORY:
            person = f.guard_id or (f.scanned_text or "").strip() or f.id
            key = (f.item_code, person)
            if key in staffing_seen:  # counted already: add the records, keep the worse state
                index = staffing_seen[key]
                earlier = deductions[index]
                worse = "not_corrected" if "not_corrected" in (correction, earlier.correction) \
                    else "corrected"
                base = (rules.staffing_points.get(f.item_code, 0.0)
                        * staffing_mult.get(worse, 1.0))
                deductions[index] = replace(earlier, points=base, base_points=base,
                                            correction=worse,
                                            record_ids=earlier.record_ids + records,
                                            finding_ids=earlier.finding_ids + (f.id,))
                continue
            staffing_seen[key] = len(deductions)
            category = STAFFING_CATEGORY
            base = (rules.staffing_points.get(f.item_code, 0.0)
                    * staffing_mult.get(correction, 1.0))
            applied = base
        elif f.category in weights:
            category = f.category
            base = (rules.points_per_item_weight * item_weight.get(f.item_code, 1)
                    * checklist_mult.get(correction, 1.0))
            applied = base * scale
        else:
            category = OTHER_CATEGORY
            base = applied = rules.points_per_item_weight * checklist_mult.get(correction, 1.0)
        deductions.append(Deduction(
            points=applied, reason_code=f.item_code, category=category, record_ids=records,
            post_name=post.name if post else None, guard_name=guard.name if guard else None,
            company=f.company_name or (guard.company_name if guard else "") or contracted,
            base_points=base, correction=correction, post_id=f.post_id, guard_id=f.guard_id,
            at=f.created_at, finding_ids=(f.id,)))

    # -- one deduction per post found absent or understaffed (its worst state)
    worst: dict[str, str] = {}
    post_records: dict[str, list[str]] = defaultdict(list)
    first_seen: dict[str, datetime] = {}
    for record in statuses:
        if record.status not in rules.post_points:
            continue
        post_records[record.post_id].append(record.id)
        first_seen.setdefault(record.post_id, record.created_at)
        if POST_STATUS_RANK.get(record.status, 0) > POST_STATUS_RANK.get(
                worst.get(record.post_id, ""), 0):
            worst[record.post_id] = record.status
    for post_id, status in worst.items():
        post = post_by_id.get(post_id)
        points = rules.post_points[status]
        deductions.append(Deduction(
            points=points, reason_code=f"post.{status}", category=POST_CATEGORY,
            record_ids=tuple(post_records[post_id]), post_name=post.name if post else None,
            guard_name=None, company=contracted, base_points=points, correction=None,
            post_id=post_id, at=first_seen.get(post_id)))

    event_result = score_scope(deductions, inspections_total, rules, weights)

    # -- per post
    by_post: dict[str, list[Deduction]] = defaultdict(list)
    by_guard: dict[str, list[Deduction]] = defaultdict(list)
    by_company: dict[str, list[Deduction]] = defaultdict(list)
    for d in deductions:
        if d.post_id:
            by_post[d.post_id].append(d)
        if d.guard_id and d.guard_id in guard_by_id:
            by_guard[d.guard_id].append(d)
        by_company[d.company].append(d)
    assigned: dict[str, int] = defaultdict(int)
    for g in guards:
        if g.post_id:
            assigned[g.post_id] += 1
    per_post = []
    for p in posts:
        scope = score_scope(by_post.get(p.id, ()), per_post_inspections.get(p.id, 0), rules,
                            weights)
        per_post.append(PostScore(
            post_name=p.name, score=scope.total, findings=sum(
                1 for d in by_post.get(p.id, ()) if d.category != POST_CATEGORY),
            post_id=p.id, zone=p.zone, task_type=p.task_type,
            required_headcount=p.required_headcount, guards_assigned=assigned.get(p.id, 0),
            guards_checked=len(guards_seen_at_post.get(p.id, ())),
            inspections=per_post_inspections.get(p.id, 0), status=worst.get(p.id),
            deducted=_round(rules.total - scope.total)))
    per_post.sort(key=lambda ps: natural_key(ps.post_name))

    # -- per guard: every rostered guard checked at least once
    per_guard = []
    post_name = {p.id: p.name for p in posts}
    for guard_id, count in per_guard_inspections.items():
        g = guard_by_id[guard_id]
        own = by_guard.get(guard_id, ())
        scope = score_scope(own, count, rules, weights)
        per_guard.append(GuardScore(
            guard_name=g.name, score=scope.total, findings=len(own), guard_id=g.id,
            cert_no=g.cert_no, company=g.company_name,
            post_name=post_name.get(g.post_id) if g.post_id else None, inspections=count,
            findings_corrected=sum(1 for d in own if d.correction == "corrected"),
            deducted=_round(rules.total - scope.total)))
    per_guard.sort(key=lambda gs: (gs.score, -gs.findings, natural_key(gs.post_name or ""),
                                   gs.guard_name, gs.guard_id))

    # -- per company: the contracted one first
    rostered_by_company: dict[str, int] = defaultdict(int)
    for g in guards:
        rostered_by_company[g.company_name or contracted] += 1
    checked_by_company: dict[str, int] = defaultdict(int)
    for guard_id in per_guard_inspections:
        checked_by_company[guard_by_id[guard_id].company_name or contracted] += 1
    companies = set(by_company) | set(per_company_inspections) | set(rostered_by_company)
    if contracted:
        companies.add(contracted)
    per_company = []
    for name in companies:
        own = by_company.get(name, ())
        scope = score_scope(own, per_company_inspections.get(name, 0), rules, weights)
        per_company.append(CompanyScore(
            company=name, score=scope.total,
            findings=sum(1 for d in own if d.category != POST_CATEGORY),
            contracted=name == contracted, guards_rostered=rostered_by_company.get(name, 0),
            guards_checked=checked_by_company.get(name, 0),
            inspections=per_company_inspections.get(name, 0),
            deducted=_round(rules.total - scope.total), grade=rules.grade_for(scope.total)))
    per_company.sort(key=lambda c: (not c.contracted, c.company))

    rostered = len(guards)
    checked = len(per_guard_inspections)
    score = Score(
        total=event_result.total, grade=rules.grade_for(event_result.total),
        coverage=checked / rostered if rostered else 0.0, guards_checked=checked,
        guards_rostered=rostered, categories=event_result.categories,
        deductions=tuple(deductions), per_post=tuple(per_post), per_guard=tuple(per_guard),
        per_company=tuple(per_company), penalties=event_result.penalties,
        inspections=inspections_total, findings=len(findings),
        findings_corrected=corrected_count, posts_total=len(posts),
        posts_absent=sum(1 for s in worst.values() if s == "absent"),
        posts_understaffed=sum(1 for s in worst.values() if s == "understaffed"),
        scale=scale, rules_version=rules.version, template_id=template.template_id,
        template_version=template.version, as_of=as_of,
        coverage_note_below=rules.coverage_note_below)
    return score

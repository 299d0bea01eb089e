"""The scoring rules: ``resources/templates/scoring_v<N>.json`` as a value.

The rules are data (docs/scoring.md explains the model): points per item weight, the
correction multipliers, the fixed staffing and post deductions with their caps, the grade
bands, and the Chinese and English words for every code. Codes stay codes (``excellent``);
the words the PDF prints come from here, not from the interface translations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from app.inspection.domain import STAFFING_CATEGORY
from app.resources import templates_dir

POST_CATEGORY = "post"
OTHER_CATEGORY = "other"
GRADE_CODES = ("excellent", "good", "pass", "fail")
# Whose deduction a staffing finding is: the event's contracted company (it chose who is on
# duty, seed 000 §2(2): no subcontracting, no borrowed guards; from v2), or the company of
# the guard found (v1, kept so that v1's figures stay what they were).
CHARGED_TO = ("contracted", "guard")


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
    staffing_charged_to: str
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


def _texts(data: dict[str, Any]) -> dict[str, str]:
    return {"zh_CN": data.get("zh_CN", ""), "en": data.get("en", "")}


def parse_rules(data: dict[str, Any]) -> ScoringRules:
    """Rules from the JSON structure of ``resources/templates/scoring_v<N>.json``."""
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
        staffing_charged_to=str(staffing.get("charged_to", "guard")),
        grades=grades, coverage_note_below=float(data.get("coverage_note_below", 0)),
        labels=labels)
    if rules.staffing_charged_to not in CHARGED_TO:
        raise ValueError(f"staffing.charged_to must be one of {CHARGED_TO}")
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

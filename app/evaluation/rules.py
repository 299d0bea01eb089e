"""The scoring rules: ``resources/templates/scoring_v<N>.json`` as a value.

The rules are data (docs/scoring.md explains the model): points per item weight, the
correction multipliers, the fixed staffing and post deductions with their caps, the grade
bands, and the Chinese and English words for every code. Codes stay codes (``excellent``);
the words the PDF prints come from here, not from the interface translations.

Headquarters can issue a newer version without a new program (``hq publish-rules``; the
event package carries it, docs/scoring.md): ``rules_document`` checks such a document, the
same function at HQ and on the laptop, and ``remember_rules`` makes a version read from the
profile (app.evaluation.rules_store) known to ``load_rules`` in this process.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from app.i18n import translate
from app.inspection.domain import (
    CORRECTION_STATES,
    POST_STATES,
    STAFFING_CATEGORY,
    STAFFING_FINDINGS,
)
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
def _shipped(directory: Path | None = None) -> dict[int, tuple[ScoringRules, dict[str, Any]]]:
    """The versions shipped under resources/ (or ``directory``): version -> (rules, document)."""
    found: dict[int, tuple[ScoringRules, dict[str, Any]]] = {}
    for path in sorted((directory or templates_dir()).glob("scoring_v*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        rules = parse_rules(document)
        found[rules.version] = (rules, document)
    return found


# Versions HQ published that this process read from a profile (remember_rules): the PDF's
# sections ask load_rules for the report's version and must find them too.
_received: dict[int, ScoringRules] = {}


def remember_rules(rules: ScoringRules) -> None:
    """Make a version read from the profile known to ``load_rules`` (a shipped version is
    always the shipped file's: HQ cannot replace it)."""
    if rules.version not in _shipped():
        _received[rules.version] = rules


def load_rules(version: int | None = None, directory: Path | None = None) -> ScoringRules:
    """The given version, or the newest, of the scoring rules shipped under resources/; a
    given version HQ published once this process read it from the profile."""
    shipped = _shipped(directory)
    if version is None:
        if not shipped:
            raise LookupError("no scoring rules shipped")
        return shipped[max(shipped)][0]
    if version in shipped:
        return shipped[version][0]
    if directory is None and version in _received:
        return _received[version]
    raise LookupError(f"no scoring rules v{version}")


def shipped_documents() -> dict[int, dict[str, Any]]:
    """The shipped versions' documents, as their files hold them."""
    return {version: document for version, (_rules, document) in _shipped().items()}


# ------------------------------------------------------------ documents HQ publishes
MAX_RULES_BYTES = 256 * 1024
MAX_LABEL_CHARS = 200
MAX_NOTE_CHARS = 2000
MAX_VERSION = 1_000_000
RECOMMENDATION_CODES = ("recommend", "conditional", "not_recommend")  # values.RECOMMENDATIONS
TOP_KEYS = frozenset({"rules_id", "version", "title", "source", "changes", "total",
                      "checklist", "staffing", "post", "other", "grades",
                      "coverage_note_below", "labels"})


class RulesDocumentError(ValueError):
    """A scoring rules document that cannot be used; the message says why, in the interface
    language."""


def _refuse(message: str) -> NoReturn:
    raise RulesDocumentError(message)


def _object(value: object, where: str, keys: frozenset[str] | None = None,
            required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        _refuse(translate("Rules", "{0} must be an object").format(where))
    for key in required:
        if key not in value:
            _refuse(translate("Rules", "{0} is missing").format(f"{where}.{key}"))
    if keys is not None:
        for key in value:
            if key not in keys:
                _refuse(translate("Rules", "{0} is not a key of the scoring rules")
                        .format(f"{where}.{key}"))
    return value


def _number(value: object, where: str, low: float, high: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or not low <= value <= high):
        _refuse(translate("Rules", "{0} must be a number from {1} to {2}")
                .format(where, f"{low:g}", f"{high:g}"))
    return float(value)


def _whole(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _refuse(translate("Rules", "{0} must be a whole number from {1} to {2}")
                .format(where, low, high))
    return value


def _text(value: object, where: str, limit: int = MAX_LABEL_CHARS) -> str:
    if (not isinstance(value, str) or not value.strip() or len(value) > limit
            or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value)):
        _refuse(translate("Rules", "{0} must be text of 1 to {1} characters on one line")
                .format(where, limit))
    return value


def _label(value: object, where: str) -> None:
    texts = _object(value, where, frozenset({"zh_CN", "en"}), ("zh_CN", "en"))
    for lang, text in texts.items():
        _text(text, f"{where}.{lang}")


def _codes(value: object, where: str, allowed: tuple[str, ...] | frozenset[str],
           needed: tuple[str, ...] = ()) -> dict[str, Any]:
    entries = _object(value, where, required=needed)
    for code in entries:
        if code not in allowed:
            _refuse(translate("Rules", "{0} names {1}, which is not one of {2}")
                    .format(where, code, ", ".join(sorted(allowed))))
    return entries


def _multiplier(value: object, where: str) -> None:
    factors = _codes(value, where, CORRECTION_STATES, CORRECTION_STATES)
    for state, factor in factors.items():
        _number(factor, f"{where}.{state}", 0, 1)
    if factors["corrected"] > factors["not_corrected"]:
        _refuse(translate("Rules", "{0}: a corrected finding must not weigh more than an "
                          "uncorrected one").format(where))


def _check_shape(data: object) -> None:
    """Every key, type and figure of a rules document, before anything reads it."""
    doc = _object(data, "rules", TOP_KEYS, ("rules_id", "version", "total", "checklist",
                                            "staffing", "post", "grades"))
    if doc["rules_id"] != "scoring":
        _refuse(translate("Rules", "rules_id must be \"scoring\""))
    if (isinstance(doc["version"], bool) or not isinstance(doc["version"], int)
            or not 1 <= doc["version"] <= MAX_VERSION):
        _refuse(translate("Rules", "version must be a positive whole number (at most {0})")
                .format(MAX_VERSION))
    for key in ("source", "changes"):
        if key in doc:
            _text(doc[key], key, MAX_NOTE_CHARS)
    if "title" in doc:
        _label(doc["title"], "title")
    total = _number(doc["total"], "total", 1, 1000)
    checklist = _object(doc["checklist"], "checklist", frozenset(
        {"points_per_item_weight", "reference_inspections", "multiplier"}),
        ("points_per_item_weight", "reference_inspections", "multiplier"))
    _number(checklist["points_per_item_weight"], "checklist.points_per_item_weight", 0, total)
    _whole(checklist["reference_inspections"], "checklist.reference_inspections", 1, 1_000_000)
    _multiplier(checklist["multiplier"], "checklist.multiplier")
    # After version 1 (shipped, historic), charged_to and every staffing finding are
    # required: a document without them would fall back to version 1's behaviour (the lender
    # charged for a borrowed guard, seed 000 §2(2)) or score a finding nothing.
    newer = doc["version"] > 1
    staffing = _object(doc["staffing"], "staffing", frozenset(
        {"label", "cap", "charged_to", "multiplier", "items"}),
        ("label", "cap", "multiplier", "items", *(("charged_to",) if newer else ())))
    _label(staffing["label"], "staffing.label")
    _number(staffing["cap"], "staffing.cap", 0, total)
    if "charged_to" in staffing and staffing["charged_to"] not in CHARGED_TO:
        _refuse(translate("Rules", "{0} names {1}, which is not one of {2}")
                .format("staffing.charged_to", staffing["charged_to"], ", ".join(CHARGED_TO)))
    _multiplier(staffing["multiplier"], "staffing.multiplier")
    every_finding = frozenset(STAFFING_FINDINGS.values())
    items = _codes(staffing["items"], "staffing.items", every_finding,
                   tuple(sorted(every_finding)) if newer else ())
    for code, item in items.items():
        where = f"staffing.items.{code}"
        _object(item, where, frozenset({"points", "label"}), ("points", "label"))
        _number(item["points"], f"{where}.points", 0, total)
        _label(item["label"], f"{where}.label")
    post = _object(doc["post"], "post", frozenset({"label", "cap", "statuses"}),
                   ("label", "cap", "statuses"))
    _label(post["label"], "post.label")
    _number(post["cap"], "post.cap", 0, total)
    for code, status in _codes(post["statuses"], "post.statuses", POST_STATES,
                               POST_STATES).items():
        where = f"post.statuses.{code}"
        _object(status, where, frozenset({"points", "label"}), ("points", "label"))
        _number(status["points"], f"{where}.points", 0, total)
        _label(status["label"], f"{where}.label")
    if "other" in doc:
        other = _object(doc["other"], "other", frozenset({"label", "cap"}))
        if "label" in other:
            _label(other["label"], "other.label")
        if "cap" in other:
            _number(other["cap"], "other.cap", 0, total)
    _check_grades(doc["grades"], total)
    if "coverage_note_below" in doc:
        _number(doc["coverage_note_below"], "coverage_note_below", 0, 1)
    if "labels" in doc:
        groups = {"correction": CORRECTION_STATES, "recommendation": RECOMMENDATION_CODES}
        labels = _codes(doc["labels"], "labels", frozenset(groups))
        for group, entries in labels.items():
            for code, texts in _codes(entries, f"labels.{group}", groups[group]).items():
                _label(texts, f"labels.{group}.{code}")


def _check_grades(value: object, total: float) -> None:
    """The four bands, highest minimum first, each lower than the one before, the last at 0:
    every total from 0 to ``total`` falls in exactly one."""
    if not isinstance(value, list) or len(value) != len(GRADE_CODES):
        _refuse(translate("Rules", "grades must list the bands {0}, from the highest minimum "
                          "down to 0").format(", ".join(GRADE_CODES)))
    previous = math.inf
    for index, band in enumerate(value):
        where = f"grades[{index}]"
        _object(band, where, frozenset({"code", "min", "label"}), ("code", "min", "label"))
        _label(band["label"], f"{where}.label")
        minimum = _number(band["min"], f"{where}.min", 0, total)
        if band["code"] != GRADE_CODES[index] or minimum >= previous:
            _refuse(translate("Rules", "grades must list the bands {0}, from the highest "
                              "minimum down to 0").format(", ".join(GRADE_CODES)))
        previous = minimum
    if previous != 0:
        _refuse(translate("Rules", "the lowest grade band ({0}) must start at 0")
                .format(GRADE_CODES[-1]))


def rules_document(data: object) -> ScoringRules:
    """A scoring rules document (parsed JSON) checked key by key, as rules; the one check HQ
    (``hq publish-rules``) and the laptop (an event package's ``scoring_rules``) both run.
    RulesDocumentError says what is wrong."""
    _check_shape(data)
    assert isinstance(data, dict)
    try:
        return parse_rules(data)
    except (KeyError, TypeError, ValueError) as exc:  # the shape check let nothing through
        raise RulesDocumentError(str(exc)) from None


def rules_document_from_bytes(raw: bytes) -> tuple[dict[str, Any], ScoringRules]:
    """A rules file's bytes: at most MAX_RULES_BYTES of UTF-8 JSON, checked by
    ``rules_document``; (the document, its rules)."""
    if len(raw) > MAX_RULES_BYTES:
        _refuse(translate("Rules", "the file is larger than {0} KB: it is no scoring rules "
                          "document").format(MAX_RULES_BYTES // 1024))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise RulesDocumentError(translate("Rules", "the file is not JSON text (UTF-8): {0}")
                                 .format(str(exc)[:200])) from None
    rules = rules_document(data)
    return data, rules


def canonical_rules_text(document: dict[str, Any]) -> str:
    """The document as stored and compared: keys sorted, no spaces, UTF-8 as is."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def rules_sha256(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_rules_text(document).encode("utf-8")).hexdigest()


def same_as_shipped(version: int, document: dict[str, Any]) -> bool | None:
    """None when ``version`` is not shipped; else whether the document is the shipped one."""
    shipped = shipped_documents().get(version)
    if shipped is None:
        return None
    return canonical_rules_text(shipped) == canonical_rules_text(document)


def grade_text(grade: str, rules: ScoringRules | None = None, lang: str = "zh_CN") -> str:
    """The grade's words as the rules file writes them: 优秀 / 良好 / 合格 / 不合格."""
    band = (rules or load_rules()).band(grade)
    return band.label_zh if lang.startswith("zh") else band.label_en

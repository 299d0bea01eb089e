"""How far the supervisor got with the event's random sample: which sampled guards were
checked, which are still to find (by post), and what the checks found inside the sample and
outside it.

A guard counts as checked once an inspection of the guard is recorded (a scan, or the guard
picked from the roster), as in the score (app.evaluation.scoring: ``per_guard``). Guards
checked outside the sample still count in the score; the evaluation reports them apart, and
only the sample's guards enter the estimate of the non-compliance rate (a guard with one or
more findings is a guard not compliant).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.evaluation.document_numbers import SAMPLE_SHARE_SETTING
from app.evaluation.sample_rows import live_event_id, live_post_ids, sample_guard
from app.evaluation.sampling import LEVEL, STANDARD, SamplePlan, draw_sample, wilson_interval
from app.evaluation.score_rows import event_records
from app.evaluation.values import SampleStatement
from app.inspection.natural_order import natural_key
from app.profile.db import Database
from app.profile.models import Finding, Guard, Inspection, Post

# The share of the sample that, with the supervisor's written reason, gives a final grade
# (set by headquarters' package; the whole sample gives one without a reason).
MINIMUM_SAMPLE_SHARE_SETTING = SAMPLE_SHARE_SETTING
DEFAULT_MINIMUM_SAMPLE_SHARE = 0.9


@dataclass(frozen=True)
class SampledGuard:
    guard_id: str
    name: str
    cert_no: str
    post_name: str  # "" when fixed to no post
    checked: bool
    findings: int
    post_id: str | None = None


@dataclass(frozen=True)
class SampleProgress:
    """The event's sample and what became of it."""

    plan: SamplePlan
    seed: str
    guards: tuple[SampledGuard, ...]  # by post (natural order), then certificate number
    checked_outside: int  # guards checked who are not in the sample
    findings_outside: int  # their guards with findings

    @property
    def size(self) -> int:
        return len(self.guards)

    @property
    def checked(self) -> int:
        return sum(1 for guard in self.guards if guard.checked)

    @property
    def complete(self) -> bool:
        return self.checked >= self.size

    @property
    def share_checked(self) -> float:
        """The share of the sample checked, 0..1 (1 for an empty sample)."""
        return self.checked / self.size if self.size else 1.0

    @property
    def not_compliant(self) -> int:
        """Checked sampled guards with at least one finding."""
        return sum(1 for guard in self.guards if guard.checked and guard.findings)

    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the non-compliance rate among the sample's checked
        guards."""
        checked = self.checked
        return wilson_interval(self.not_compliant, checked)

    def still_to_find(self) -> dict[str, list[SampledGuard]]:
        """The sampled guards not checked yet, by post name (in the guards' order)."""
        remaining: dict[str, list[SampledGuard]] = {}
        for guard in self.guards:
            if not guard.checked:
                remaining.setdefault(guard.post_name, []).append(guard)
        return remaining


def sample_progress(db: Database, event_id: str,
                    as_of: datetime | None = None) -> SampleProgress | None:
    """The event's sample with the checks recorded up to ``as_of`` (UTC; None: all of
    them); None when there is no such event. ``event_id`` may be the event's name, as
    ``event_sample`` takes it: the records are then read under the id it names."""
    with db.read() as s:  # one read: the roster drawn from and the checks counted agree
        found = live_event_id(s, event_id)
        if found is None:
            return None
        posts = live_post_ids(s, found)
        guards = s.execute(
            select(Guard.id, Guard.name, Guard.cert_no, Guard.cert_key, Guard.post_id,
                   Post.name)
            .outerjoin(Post, Guard.post_id == Post.id)
            .where(*event_records(Guard, found, None))).all()
        inspected = dict(s.execute(
            select(Inspection.guard_id, func.count())
            .where(*event_records(Inspection, found, as_of),
                   Inspection.guard_id.is_not(None))
            .group_by(Inspection.guard_id)).all())
        with_findings = dict(s.execute(
            select(Finding.guard_id, func.count())
            .where(*event_records(Finding, found, as_of), Finding.guard_id.is_not(None))
            .group_by(Finding.guard_id)).all())
    sample = draw_sample(found, [sample_guard(g.cert_key, g.cert_no, g.post_id, posts)
                                 for g in guards])
    drawn = {guard.cert_key for guard in sample.guards}
    sampled: list[SampledGuard] = []
    checked_outside = findings_outside = 0
    for guard_id, name, cert_no, cert_key, post_id, post_name in guards:
        checked = guard_id in inspected
        if cert_key in drawn:
            sampled.append(SampledGuard(guard_id, name, cert_no, post_name or "", checked,
                                        int(with_findings.get(guard_id, 0)), post_id))
        elif checked:
            checked_outside += 1
            findings_outside += 1 if with_findings.get(guard_id) else 0
    sampled.sort(key=lambda g: (natural_key(g.post_name or "~"), g.cert_no))
    return SampleProgress(plan=sample.plan, seed=sample.seed, guards=tuple(sampled),
                          checked_outside=checked_outside, findings_outside=findings_outside)


def minimum_sample_share(db: Database) -> float:
    """The configured share (0..1); the default when unset or not a number in range."""
    text = db.setting(MINIMUM_SAMPLE_SHARE_SETTING)
    try:
        share = float(text) if text else DEFAULT_MINIMUM_SAMPLE_SHARE
    except ValueError:
        return DEFAULT_MINIMUM_SAMPLE_SHARE
    return share if 0.0 < share <= 1.0 else DEFAULT_MINIMUM_SAMPLE_SHARE


def sample_statement(progress: SampleProgress, reason: str,
                     minimum_share: float) -> SampleStatement:
    """What the evaluation states of the sample (app.evaluation.values.SampleStatement)."""
    low, high = progress.interval()
    return SampleStatement(
        standard=STANDARD, level=LEVEL, lot=progress.plan.lot, code=progress.plan.code,
        size=progress.size, checked=progress.checked, not_compliant=progress.not_compliant,
        low=low, high=high, checked_outside=progress.checked_outside,
        findings_outside=progress.findings_outside, minimum_share=minimum_share,
        reason=reason.strip(),
        sampled_guard_ids=frozenset(guard.guard_id for guard in progress.guards),
        sampled_cert_nos=frozenset(guard.cert_no for guard in progress.guards))

"""How far the supervisor got with the event's random sample (issue 13): which sampled guards
were checked, which are still to find by post, and the guards checked outside the sample with
their findings, reported apart. On real profiles: the demo event's 606 guards (plan J, 80)
and the scoring's hand-built event of five guards."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from app.demo import create_demo_event
from app.demo_data import MAIN_COMPANY
from app.evaluation.sample_progress import SampleProgress, sample_progress
from app.evaluation.sample_rows import event_sample
from app.inspection.checklist import load_template
from app.inspection.domain import Verdict
from app.inspection.values import EventInput, GuardInfo, InspectionInfo
from app.inspection.workbench import Workbench
from app.profile.models import Event, Finding, Guard, Inspection
from tests.helpers.evaluation import build_hand_case


@pytest.fixture
def demo(workbench: Workbench) -> str:
    return create_demo_event(workbench, with_inspections=False)


def progress_of(workbench: Workbench, event_id: str, **kwargs: object) -> SampleProgress:
    progress = sample_progress(workbench.db, event_id, **kwargs)  # type: ignore[arg-type]
    assert progress is not None
    return progress


def sampled_and_not(workbench: Workbench, event_id: str
                    ) -> tuple[list[GuardInfo], list[GuardInfo]]:
    """The event's guards in the sample and the others, each in roster order; only guards
    whose scan records no finding by itself (the contracted company's, cleared, trained,
    fixed to a post): the demo roster also has guards of another company, with a background
    check pending or failed, or untrained, and which of them the sample draws depends on the
    event's random id."""
    sample = event_sample(workbench.db, event_id)
    assert sample is not None
    drawn = {guard.cert_no for guard in sample.guards}
    guards = [g for g in workbench.guards(event_id)
              if g.company_name == MAIN_COMPANY and g.background_check == "passed"
              and g.trained and g.post_id]
    return ([g for g in guards if g.cert_no in drawn],
            [g for g in guards if g.cert_no not in drawn])


def check(workbench: Workbench, event_id: str, guard: GuardInfo,
          finding: bool = False) -> InspectionInfo:
    """The guard scanned at the post the roster fixes them to (a typed certificate number);
    one checklist item failed when ``finding``."""
    scan = workbench.lookup(event_id, guard.cert_no, guard.post_id)
    assert scan.guard is not None and scan.guard.id == guard.id
    inspection = workbench.record_scan(event_id, scan)
    if finding:
        assert scan.post is not None
        item = load_template().items_for(scan.post.task_type)[0]
        state = workbench.set_item(inspection.id, item, False)
        assert state.finding_id
    return inspection


def test_a_fresh_event_has_its_whole_sample_to_find_by_post(workbench: Workbench,
                                                            demo: str) -> None:
    progress = progress_of(workbench, demo)
    sample = event_sample(workbench.db, demo)
    assert sample is not None
    assert (progress.plan.lot, progress.plan.code, progress.plan.size) == (606, "J", 80)
    assert progress.seed == sample.seed
    assert progress.size == 80 and progress.checked == 0
    assert not progress.complete and progress.share_checked == 0.0
    assert sorted(g.cert_no for g in progress.guards) == sample.cert_numbers
    assert (progress.checked_outside, progress.findings_outside) == (0, 0)
    assert progress.interval() == (0.0, 1.0)  # nobody checked: nothing known
    to_find = progress.still_to_find()
    assert sum(len(guards) for guards in to_find.values()) == 80
    # each guard under the post the roster fixes them to, by name; ids are the roster's
    posts = {g.id: g.post_name or "" for g in workbench.guards(demo)}
    for post_name, guards in to_find.items():
        assert {posts[g.guard_id] for g in guards} == {post_name}
    # spread over the posts: the draw gives every staffed post at least one guard
    staffed = {g.post_name for g in workbench.guards(demo) if g.post_name}
    assert staffed <= set(to_find)


def test_a_checked_guard_leaves_the_list_and_findings_count(workbench: Workbench,
                                                             demo: str) -> None:
    inside, outside = sampled_and_not(workbench, demo)
    first, second = inside[0], inside[1]
    check(workbench, demo, first)
    check(workbench, demo, second, finding=True)
    progress = progress_of(workbench, demo)
    assert progress.checked == 2 and progress.size == 80
    assert progress.not_compliant == 1
    by_id = {g.guard_id: g for g in progress.guards}
    assert by_id[first.id].checked and by_id[first.id].findings == 0
    assert by_id[second.id].checked and by_id[second.id].findings == 1
    remaining = {g.guard_id for guards in progress.still_to_find().values() for g in guards}
    assert first.id not in remaining and second.id not in remaining
    assert len(remaining) == 78
    low, high = progress.interval()
    assert 0.0 < low < 0.5 < high <= 1.0  # one of two: wide
    # checked twice is still one guard checked
    check(workbench, demo, first)
    assert progress_of(workbench, demo).checked == 2
    assert (progress.checked_outside, progress.findings_outside) == (0, 0)


def test_guards_outside_the_sample_are_counted_apart(workbench: Workbench, demo: str) -> None:
    _, outside = sampled_and_not(workbench, demo)
    check(workbench, demo, outside[0])
    check(workbench, demo, outside[1], finding=True)
    check(workbench, demo, outside[1])  # checked again: one guard
    # a certificate not on the roster is an inspection of nobody the sample knows
    stranger = workbench.lookup(demo, "100000009999", outside[0].post_id)
    assert stranger.verdict == Verdict.NOT_ON_ROSTER
    workbench.record_scan(demo, stranger)
    progress = progress_of(workbench, demo)
    assert progress.checked == 0 and progress.not_compliant == 0
    assert (progress.checked_outside, progress.findings_outside) == (2, 1)
    assert sum(len(g) for g in progress.still_to_find().values()) == 80


def test_an_undone_scan_is_to_find_again(workbench: Workbench, demo: str) -> None:
    inside, _ = sampled_and_not(workbench, demo)
    check(workbench, demo, inside[0])
    assert progress_of(workbench, demo).checked == 1
    assert workbench.undo() == "scan"
    progress = progress_of(workbench, demo)
    assert progress.checked == 0
    assert inside[0].id in {g.guard_id for gs in progress.still_to_find().values() for g in gs}


def test_as_of_leaves_out_the_checks_made_after_it(workbench: Workbench, demo: str) -> None:
    inside, outside = sampled_and_not(workbench, demo)
    check(workbench, demo, inside[0], finding=True)
    check(workbench, demo, outside[0], finding=True)
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    check(workbench, demo, inside[1], finding=True)
    check(workbench, demo, outside[1], finding=True)
    then = progress_of(workbench, demo, as_of=moment)
    assert (then.checked, then.not_compliant) == (1, 1)
    assert (then.checked_outside, then.findings_outside) == (1, 1)
    now = progress_of(workbench, demo)
    assert (now.checked, now.not_compliant) == (2, 2)
    assert (now.checked_outside, now.findings_outside) == (2, 2)
    # a naive moment is taken as UTC, as everywhere in the profile
    naive = progress_of(workbench, demo, as_of=moment.replace(tzinfo=None))
    assert naive.checked == 1
    # before anything was recorded: nothing checked, the same sample
    early = progress_of(workbench, demo, as_of=datetime(2000, 1, 1, tzinfo=UTC))
    assert early.checked == 0 and early.checked_outside == 0
    assert early.guards == tuple(g.__class__(g.guard_id, g.name, g.cert_no, g.post_name,
                                             False, 0, g.post_id) for g in now.guards)


def test_an_event_with_no_guards_has_an_empty_sample(workbench: Workbench) -> None:
    event_id = workbench.save_event(EventInput(name="空名单的活动", company_name="某保安公司"))
    progress = progress_of(workbench, event_id)
    assert (progress.plan.lot, progress.plan.size) == (0, 0)
    assert progress.guards == () and progress.size == 0 and progress.checked == 0
    assert progress.complete and progress.share_checked == 1.0
    assert progress.still_to_find() == {}
    assert (progress.checked_outside, progress.findings_outside) == (0, 0)


def test_a_deleted_guard_leaves_the_sample_and_the_counts(workbench: Workbench,
                                                          demo: str) -> None:
    inside, outside = sampled_and_not(workbench, demo)
    gone, stays = inside[0], inside[1]
    check(workbench, demo, gone, finding=True)
    check(workbench, demo, stays)
    check(workbench, demo, outside[0], finding=True)
    with workbench.db.begin() as s:  # as a deletion arriving from headquarters marks it
        s.execute(update(Guard).where(Guard.id.in_([gone.id, outside[0].id]))
                  .values(deleted_at=datetime.now(UTC)))
    progress = progress_of(workbench, demo)
    assert progress.plan.lot == 604 and progress.size == 80  # still J, drawn anew
    ids = {g.guard_id for g in progress.guards}
    assert gone.id not in ids
    sample = event_sample(workbench.db, demo)
    assert sample is not None and sorted(g.cert_no for g in progress.guards) == \
        sample.cert_numbers
    # the deleted guards' checks count nowhere; the one who stays is counted where drawn
    checked_stays = 1 if stays.id in ids else 0
    assert progress.checked == checked_stays
    assert progress.checked_outside == 1 - checked_stays
    assert progress.findings_outside == 0
    assert progress.not_compliant == 0


def test_the_hand_built_event_counts_as_the_score_does(workbench: Workbench) -> None:
    """Five guards: lot 5, code A, two drawn; four checked (one of another company)."""
    case = build_hand_case(workbench)
    progress = progress_of(workbench, case.event_id)
    assert (progress.plan.code, progress.plan.size, progress.size) == ("A", 2, 2)
    with workbench.db.read() as s:
        findings = dict(s.execute(select(Finding.guard_id, func.count())
                                  .where(Finding.event_id == case.event_id,
                                         Finding.deleted_at.is_(None))
                                  .group_by(Finding.guard_id)).all())
        checked = set(s.scalars(select(Inspection.guard_id)
                                .where(Inspection.event_id == case.event_id,
                                       Inspection.deleted_at.is_(None))))
    drawn = {g.guard_id for g in progress.guards}
    for guard in progress.guards:
        assert guard.checked == (guard.guard_id in checked)
        assert guard.findings == findings.get(guard.guard_id, 0)
    outside = checked - drawn - {None}
    assert progress.checked_outside == len(outside)
    assert progress.findings_outside == sum(1 for g in outside if findings.get(g))
    assert progress.checked + progress.checked_outside == 4


def test_the_event_may_be_named_and_an_unknown_one_is_none(workbench: Workbench,
                                                           demo: str) -> None:
    inside, _ = sampled_and_not(workbench, demo)
    check(workbench, demo, inside[0])
    with workbench.db.read() as s:
        name = s.scalar(select(Event.name).where(Event.id == demo))
    assert name is not None
    by_name = progress_of(workbench, name)
    assert by_name == progress_of(workbench, demo)
    assert by_name.size == 80 and by_name.checked == 1 and not by_name.complete


@pytest.mark.parametrize("event_id", ["", "no-such-event", "x" * 100_000, "' OR 1=1 --",
                                      "\x00", "事件"])
def test_a_hostile_or_unknown_event_is_none_and_changes_nothing(workbench: Workbench,
                                                                demo: str,
                                                                event_id: str) -> None:
    def rows() -> tuple[int, ...]:
        with workbench.db.read() as s:
            return tuple(s.scalar(select(func.count()).select_from(model)) or 0
                         for model in (Event, Guard, Inspection, Finding))

    before = rows()
    assert sample_progress(workbench.db, event_id) is None
    assert rows() == before


def test_a_deleted_event_has_no_sample(workbench: Workbench, demo: str) -> None:
    with workbench.db.begin() as s:
        s.execute(update(Event).where(Event.id == demo).values(deleted_at=datetime.now(UTC)))
    assert sample_progress(workbench.db, demo) is None

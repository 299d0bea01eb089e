"""Every change of the inspection says what it changed (app.inspection.changeset.Changes):
the records it touched, and nothing it did not touch."""

from __future__ import annotations

import pytest

from app.inspection import event_changes, inspection_changes
from app.inspection.changeset import Changes
from app.inspection.errors import WorkbenchError
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from tests.test_gui_inspection import GUARDS, POST_A, POST_B, small_roster


@pytest.fixture
def event(workbench: Workbench) -> tuple[str, dict[str, str], dict[str, str]]:
    event_id = workbench.save_event(EventInput(name="测试演唱会", company_name=GUARDS["here"][1]))
    workbench.import_roster(event_id, small_roster())
    posts = {p.name: p.id for p in workbench.posts(event_id)}
    guards = {g.cert_no: g.id for g in workbench.guards(event_id)}
    return event_id, posts, guards


def test_a_scan_touches_its_post_and_inspection(workbench: Workbench, event) -> None:
    event_id, posts, _guards = event
    scan = workbench.lookup(event_id, GUARDS["other"][0], posts[POST_A])
    applied = inspection_changes.record_scan(workbench.work, event_id, scan)
    changes = applied.changes
    assert changes.event_ids == {event_id}
    assert changes.post_ids == {posts[POST_A]}
    assert changes.inspection_ids == {applied.value.id}
    assert len(changes.finding_ids) == 1  # the other company's guard is a finding
    assert changes.counts and not (changes.post_list or changes.roster or changes.evaluation)


def test_a_scan_off_post_names_its_one_finding(workbench: Workbench, event) -> None:
    """The guard fixed to B found at A: the off-post finding is in the changes, so the
    counts and the checklist row are refreshed; undo says the same."""
    event_id, posts, _guards = event
    scan = workbench.lookup(event_id, GUARDS["elsewhere"][0], posts[POST_A])
    applied = inspection_changes.record_scan(workbench.work, event_id, scan)
    (on_post,) = [s for s in applied.value.items if s.compliant is not None]
    assert on_post.item.code == "duty.on_post" and on_post.compliant is False
    assert applied.changes.finding_ids == {on_post.finding_id}
    assert applied.changes.counts
    assert workbench.work.undo.undo(workbench.db).changes == applied.changes


def test_a_tick_touches_no_post_line(workbench: Workbench, event) -> None:
    event_id, posts, _guards = event
    info = workbench.record_scan(event_id, workbench.lookup(event_id, GUARDS["here"][0],
                                                            posts[POST_A]))
    item = info.items[0].item
    tick = inspection_changes.set_item(workbench.work, info.id, item, False)
    assert tick.changes.post_ids == frozenset()
    assert tick.changes.inspection_ids == {info.id}
    assert tick.changes.finding_ids == {tick.value.finding_id}
    assert tick.changes.counts  # a finding more
    every = inspection_changes.mark_all_compliant(workbench.work, info.id,
                                                  tuple(s.item for s in info.items))
    assert every.changes == Changes(event_ids=frozenset({event_id}),
                                    inspection_ids=frozenset({info.id}))  # nothing counted
    note = inspection_changes.update_finding(workbench.work, tick.value.finding_id or "",
                                             note="帽子")
    assert not note.changes.counts and note.changes.finding_ids == {tick.value.finding_id}
    corrected = inspection_changes.update_finding(workbench.work, tick.value.finding_id or "",
                                                  correction="corrected")
    assert corrected.changes.counts  # findings not corrected: one less


def test_undo_says_what_the_undone_change_touched(workbench: Workbench, event) -> None:
    event_id, posts, _guards = event
    status = inspection_changes.set_post_status(workbench.work, event_id, posts[POST_B],
                                                "absent")
    assert status.changes.post_ids == {posts[POST_B]}
    undone = workbench.work.undo.undo(workbench.db)
    assert undone.value == "post" and undone.changes == status.changes
    assert workbench.work.undo.undo(workbench.db).changes == Changes()  # nothing left


def test_assigning_a_guard_touches_both_posts(workbench: Workbench, event) -> None:
    event_id, posts, guards = event
    guard_id = guards[GUARDS["here"][0]]
    moved = event_changes.assign_guard(workbench.work, guard_id, posts[POST_B])
    assert moved.changes.guard_ids == {guard_id}
    assert moved.changes.post_ids == {posts[POST_A], posts[POST_B]}
    renamed = event_changes.save_post(workbench.work, event_id, "A区1号安检口（东）", "A区",
                                      "安检", 2, posts[POST_A])
    assert renamed.changes.post_list and renamed.changes.roster  # its guards' lines name it
    headcount = event_changes.save_post(workbench.work, event_id, "A区1号安检口（东）", "A区",
                                        "安检", 3, posts[POST_A])
    assert not headcount.changes.post_list and headcount.changes.post_ids == {posts[POST_A]}


def test_the_workbench_hands_its_changes_to_the_collector(workbench: Workbench, event) -> None:
    """The facade returns what it always returned; the changes go to the thread's collector,
    one merged description for a change made of several."""
    event_id, posts, _guards = event
    workbench.set_post_status(event_id, posts[POST_A], "absent")  # not collected: no one asks
    with workbench.collecting_changes() as outer:
        assert isinstance(workbench.set_post_status(event_id, posts[POST_A], "absent"), str)
        with workbench.collecting_changes() as inner:
            workbench.set_post_status(event_id, posts[POST_B], "understaffed", 1)
        assert inner.changes.post_ids == {posts[POST_B]}
    assert outer.changes.post_ids == {posts[POST_A], posts[POST_B]}
    with workbench.collecting_changes() as refused:
        with pytest.raises(WorkbenchError):
            workbench.save_post(event_id, "  ", "", "安检", 1)  # a post needs a name
    assert refused.changes == Changes()  # a refused change changed nothing

"""One UTC column type (app.orm.UtcDateTime) and one live-rows filter (app.orm.live), on a real
profile: a moment given in any zone is the same moment when read back, read back aware; a
deleted row is out of every live query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, text

from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.orm import as_utc, live
from app.profile.models import Event, Post

BEIJING = timezone(timedelta(hours=8))


def test_a_moment_in_another_zone_reads_back_as_the_same_moment(workbench: Workbench) -> None:
    starts = datetime(2026, 12, 12, 19, 30, tzinfo=BEIJING)
    event_id = workbench.save_event(EventInput(name="跨年演唱会", starts_at=starts,
                                               company_name="辽宁安盾保安服务有限公司"))
    info = workbench.event(event_id)
    assert info.starts_at == starts  # the same moment ...
    assert info.starts_at is not None and info.starts_at.utcoffset() == timedelta(0)  # ... in UTC
    with workbench.db.read() as session:
        stored = session.execute(text("SELECT starts_at FROM event WHERE id = :id"),
                                 {"id": event_id}).scalar_one()
        assert str(stored).startswith("2026-12-12 11:30:00")  # SQLite keeps UTC's wall clock
        row = session.get(Event, event_id)
        assert row is not None and row.created_at.tzinfo is not None


def test_a_naive_moment_is_taken_as_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 8)) == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 1, 8, tzinfo=BEIJING)) == datetime(2026, 1, 1, 0, tzinfo=UTC)
    assert as_utc(None) is None


def test_live_leaves_out_deleted_rows(workbench: Workbench) -> None:
    event_id = workbench.save_event(EventInput(name="马拉松",
                                               company_name="锦州恒安保安服务有限公司"))
    workbench.save_post(event_id, "A区1号安检口", "", "安检", 2)
    workbench.save_post(event_id, "A区2号安检口", "", "安检", 2)
    with workbench.db.begin() as session:
        gone = session.scalars(select(Post).where(Post.name == "A区2号安检口")).one()
        gone.deleted_at = datetime.now(UTC)
    with workbench.db.read() as session:
        names = session.scalars(select(Post.name).where(Post.event_id == event_id, live(Post)))
        assert list(names) == ["A区1号安检口"]
        assert len(session.scalars(select(Post).where(Post.event_id == event_id)).all()) == 2

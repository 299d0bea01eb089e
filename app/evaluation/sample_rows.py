"""The laptop's side of the sample: the event's live roster read from the profile, handed to
the pure draw (app.evaluation.sampling). Headquarters reads the same rows from its records
(app.hq.sample_rows); both must give the draw the same values.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.evaluation.sampling import NO_POST, Sample, SampleGuard, draw_sample
from app.orm import live
from app.profile.db import Database
from app.profile.models import Event, Guard, Post


def live_event_id(s: Session, id_or_name: str) -> str | None:
    """The id of the live event with this id, or else with this name."""
    return (s.scalar(select(Event.id).where(Event.id == id_or_name, live(Event)))
            or s.scalar(select(Event.id).where(Event.name == id_or_name, live(Event))))


def live_post_ids(s: Session, event_id: str) -> set[str]:
    return set(s.scalars(select(Post.id).where(Post.event_id == event_id, live(Post))))


def sample_guard(cert_key: str, cert_no: str, post_id: str | None,
                 posts: set[str]) -> SampleGuard:
    """A roster row as the draw sees it: a guard whose post was deleted is fixed to no
    post, as at HQ."""
    return SampleGuard(cert_key=cert_key, cert_no=cert_no,
                       stratum=post_id if post_id in posts else NO_POST)


def event_sample(db: Database, id_or_name: str) -> Sample | None:
    """The sample of the live event with this id (or else this name); None without one."""
    with db.read() as s:
        event_id = live_event_id(s, id_or_name)
        if event_id is None:
            return None
        posts = live_post_ids(s, event_id)
        rows = s.execute(select(Guard.cert_key, Guard.cert_no, Guard.post_id)
                         .where(Guard.event_id == event_id, live(Guard))).all()
    return draw_sample(event_id, [sample_guard(key, number, post_id, posts)
                                  for key, number, post_id in rows])

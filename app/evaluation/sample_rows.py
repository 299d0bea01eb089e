"""The laptop's side of the sample: the event's live roster read from the profile, handed to
the pure draw (app.evaluation.sampling). Headquarters reads the same rows from its records
(app.hq.sample_rows); both must give the draw the same values.
"""

from __future__ import annotations

from sqlalchemy import select

from app.evaluation.sampling import NO_POST, Sample, SampleGuard, draw_sample
from app.orm import live
from app.profile.db import Database
from app.profile.models import Event, Guard, Post


def event_sample(db: Database, id_or_name: str) -> Sample | None:
    """The sample of the live event with this id (or else this name); None without one."""
    with db.read() as s:
        event_id = s.scalar(select(Event.id).where(Event.id == id_or_name, live(Event)))
        if event_id is None:
            event_id = s.scalar(select(Event.id).where(Event.name == id_or_name, live(Event)))
        if event_id is None:
            return None
        posts = set(s.scalars(select(Post.id).where(Post.event_id == event_id, live(Post))))
        rows = s.execute(select(Guard.cert_key, Guard.cert_no, Guard.post_id)
                         .where(Guard.event_id == event_id, live(Guard))).all()
    # A guard whose post was deleted is fixed to no post, as at HQ.
    guards = [SampleGuard(cert_key=key, cert_no=number,
                          stratum=post_id if post_id in posts else NO_POST)
              for key, number, post_id in rows]
    return draw_sample(event_id, guards)

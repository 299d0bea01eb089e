"""Headquarters' side of the sample (``python -m app hq sample``): the roster of an event HQ
prepared, read from HQ's own records, handed to the pure draw (app.evaluation.sampling).

HQ's own rows only (device HQ_DEVICE), as its event package carries them: what a laptop
took down. Records a laptop sent later (a roster re-imported there) are not read: the
sample HQ recomputes is the one fixed when the event was prepared (docs/scoring.md).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from app.evaluation.sampling import NO_POST, Sample, SampleGuard, draw_sample
from app.hq.database import HqDatabase
from app.hq.models import HQ_DEVICE
from app.hq.models import Record as RecordRow
from app.hq.packages import hq_event_named


def event_sample(db: HqDatabase, id_or_name: str) -> Sample | None:
    """The sample of the live event HQ prepared with this id (or else this name); None when
    HQ prepared no such event."""
    with db.Session() as s:
        event = s.get(RecordRow, id_or_name)
        live_event = (event is not None and event.kind == "event"
                      and event.device_id == HQ_DEVICE
                      and not json.loads(event.payload).get("deleted_at"))
    event_id = id_or_name if live_event else hq_event_named(db, id_or_name)
    if event_id is None:
        return None
    with db.Session() as s:
        rows = s.execute(select(RecordRow.kind, RecordRow.payload).where(
            RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
            RecordRow.kind.in_(("post", "guard")))).all()
    payloads = [(kind, json.loads(text)) for kind, text in rows]
    payloads = [(kind, p) for kind, p in payloads if not p.get("deleted_at")]
    posts = {p["id"] for kind, p in payloads if kind == "post"}
    # A guard whose post was deleted is fixed to no post, as on the laptop.
    guards = [SampleGuard(cert_key=str(p["cert_key"]), cert_no=str(p["cert_no"]),
                          stratum=p["post_id"] if p.get("post_id") in posts else NO_POST)
              for kind, p in payloads if kind == "guard"]
    return draw_sample(event_id, guards)

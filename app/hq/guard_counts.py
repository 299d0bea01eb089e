"""Live guards per (event, company), kept by the database itself (issue 14, the companies
page at scale).

A company's standing names the largest event it staffed: the live guards per event and
company as the rosters name the company. Counting them from the guard rows parses the
company name out of every guard payload (300,000 on bench/console.py's database: about 2 s
on PostgreSQL per request). The table ``guard_count`` holds those counts, one row per
(event id, company name as the guard payload spells it), and triggers on ``record`` keep it
in the same transaction as every write of a guard row: ingest (laptops, HQ's own events),
an accepted proposal, a vetting that rewrites HQ's guard rows, a row deleted by hand. No
writer has to remember it, and a write that fails takes its count change with it.

What counts (the same as ``standing._guard_counts`` on the rows): a record of kind
``guard`` with an ``event_id`` whose payload's ``deleted_at`` is JSON null or absent; the
company is the payload's ``company_name`` (an absent or null one counts under ""). The
reader trims the name, as the standing always did, and sums names that trim to the same.

Row triggers on both (SQLite, PostgreSQL): one upsert of a count per guard row written,
none for a row of another kind (a WHEN clause). A row whose payload is not JSON cannot be
stored as a guard (it never could be counted or shown). On PostgreSQL a count row is locked
until its transaction ends: two transactions adding guards of the same event and company
take turns (as two storing the same record ids already do).

The migration (0014_hq_guard_counts) creates the table, the triggers and fills the table
from the rows already there; it carries its own copy of the statements (a migration is not
changed afterwards). app.hq.guard_count_triggers holds them and makes them for a schema
built from the models (``Base.metadata.create_all``, tests only), through a listener in
app.hq.models.

A later migration that rebuilds ``record`` on SQLite (Alembic's batch mode copies the
table) drops its triggers: it must make them again (tests/test_hq_guard_counts.py checks
they exist at the newest revision).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.hq.models import GuardCount


# ------------------------------------------------------------------------------ reading
def guard_counts(session: Session) -> dict[tuple[str, str], int]:
    """Live guards per (event id, company name as the rosters name it, trimmed), read from
    ``guard_count``: the same figures as ``standing._guard_counts`` counts from the rows."""
    found: dict[tuple[str, str], int] = {}
    for event_id, name, guards in session.execute(
            select(GuardCount.event_id, GuardCount.company_name, GuardCount.guards)
            .where(GuardCount.guards > 0)):
        if not event_id:
            continue
        key = (str(event_id), str(name or "").strip())
        found[key] = found.get(key, 0) + int(guards)
    return found


def guards_per_event(session: Session, event_ids: Sequence[str] | None = None
                     ) -> dict[str, int]:
    """Live guards per event (every company together)."""
    query = (select(GuardCount.event_id, func.sum(GuardCount.guards))
             .where(GuardCount.guards > 0).group_by(GuardCount.event_id))
    if event_ids is not None:
        query = query.where(GuardCount.event_id.in_(event_ids))
    return {str(e): int(n or 0) for e, n in session.execute(query)}

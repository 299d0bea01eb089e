"""The built-in demo event as an HQ event (``hq demo-event``), made from the demo's data
(app.demo: its roster, its register of companies, its badge issuer) by HQ's own event
preparation: the same event the laptop's demo builds (tests/test_hq_event_records.py).
"""

from __future__ import annotations

from app.demo_data import (
    DEMO_COMPANY_CREDIT_GRADE,
    DEMO_COMPANY_LICENCE,
    DEMO_COMPANY_REGISTER,
    DEMO_ENDS_AT,
    DEMO_EVENT_KIND,
    DEMO_EVENT_NAME,
    DEMO_EXPECTED_ATTENDANCE,
    DEMO_ORGANIZER,
    DEMO_RISK_LEVEL,
    DEMO_STARTS_AT,
    DEMO_UNSTAFFED_HEADCOUNT,
    DEMO_VENUE,
    DEMO_VENUE_CAPACITY,
    MAIN_COMPANY,
    demo_issuer,
    demo_roster,
)
from app.hq.database import HqDatabase
from app.hq.event_records import (
    CompanyDetails,
    PlannedPost,
    company_record,
    time_text,
)
from app.hq.events import hq_companies, prepare_event
from app.hq.ingest import ingest
from app.hq.models import HQ_DEVICE, utc_now
from app.hq.packages import hq_event_named
from app.hq.trust import revoke_certificates, trust_issuers
from app.hq.vetting import vet_demo_guards
from app.inspection.values import EventInput
from app.sync.protocol import Record

# The demo event as app.demo.create_demo_event saves it on a laptop.
DEMO_EVENT = EventInput(
    name=DEMO_EVENT_NAME, venue=DEMO_VENUE, organizer=DEMO_ORGANIZER,
    starts_at=DEMO_STARTS_AT, ends_at=DEMO_ENDS_AT,
    expected_attendance=DEMO_EXPECTED_ATTENDANCE, venue_capacity=DEMO_VENUE_CAPACITY,
    risk_level=DEMO_RISK_LEVEL, event_kind=DEMO_EVENT_KIND)


def revoked_demo_guard(records: list[Record], company: str) -> str:
    """The cert_key of the guard whose certificate the demo revokes: the contracted
    company's guard listed last (by roster row, then name), as the laptop's demo picks it."""
    guards = [r.payload for r in records
              if r.kind == "guard" and r.payload["company_name"] == company]
    last = max(guards, key=lambda g: (g["roster_row"], g["name"]))
    return str(last["cert_key"])


def add_demo_event(db: HqDatabase, actor: str = "demo") -> str:
    """The built-in demo event as an HQ event, with the demo's badge issuer trusted and
    its revoked certificate listed (once: a second call returns the same event)."""
    existing = hq_event_named(db, DEMO_EVENT_NAME)
    if existing:
        return existing
    report, unstaffed = demo_roster()
    # HQ's vetting of the demo's guards, as their roster says (a guard HQ vetted already
    # keeps HQ's result): the demo's verdicts stay the laptop demo's.
    vet_demo_guards(db, [(row.cert_no, row.background_check, row.trained)
                         for row in report.valid_rows], actor)
    records = prepare_event(db, DEMO_EVENT,
                            CompanyDetails(MAIN_COMPANY, DEMO_COMPANY_LICENCE,
                                           DEMO_COMPANY_CREDIT_GRADE),
                            report, [PlannedPost(name, task, DEMO_UNSTAFFED_HEADCOUNT)
                                     for name, task in unstaffed])
    add_register(db, [CompanyDetails(*entry) for entry in DEMO_COMPANY_REGISTER])
    trust_issuers(db, [demo_issuer()])
    revoke_certificates(db, [revoked_demo_guard(records, MAIN_COMPANY)])
    return next(r.id for r in records if r.kind == "event")


def add_register(db: HqDatabase, companies: list[CompanyDetails]) -> None:
    """Companies as HQ's own company records (a name HQ's register holds already is left
    as it is)."""
    known = {c.payload.get("name") for c in hq_companies(db)}
    created = time_text(utc_now())
    records = [company_record(company, created) for company in companies
               if company.name not in known]
    if records:
        ingest(db, HQ_DEVICE, [r.as_json() for r in records])

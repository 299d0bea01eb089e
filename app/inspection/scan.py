"""A scan checked against the event: what the badge proves (verified offline against the
trust list) and where its guard belongs, as every verdict that applies. A read: nothing is
written here (recording the inspection is a change, app.inspection.inspection_changes)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.badge.payload import is_signed_payload, parse_post_payload
from app.badge.verify import BadgeCheck, BadgeVerdict, TrustStore, verify
from app.inspection.domain import VERDICT_SERIOUSNESS, Verdict
from app.inspection.identity import cert_key
from app.inspection.values import ScanResult, guard_info, post_info
from app.orm import live
from app.profile.db import Database
from app.profile.models import Company, Event, Guard, Inspection, Post


def ordered(found: set[Verdict]) -> tuple[Verdict, ...]:
    """The verdicts found, most serious first."""
    return tuple(v for v in VERDICT_SERIOUSNESS if v in found)


def read_badge(text: str, trust: TrustStore, today: date) -> tuple[BadgeCheck | None, str]:
    """What the badge proves, and the certificate key to look up in the roster.

    A signed badge is verified offline against the trust list; a plain number is a
    legacy badge: looked up, but shown as unverified (and still refused if revoked).
    """
    check = verify(text, trust, today)
    if check.verdict == BadgeVerdict.MALFORMED and not is_signed_payload(text):
        return None, ""  # nothing a badge could carry: a misread, not a forgery
    return check, cert_key(check.cert_no) if check.cert_no else ""


def lookup(db: Database, trust: TrustStore, today: date, event_id: str, scanned_text: str,
           post_id: str | None) -> ScanResult:
    """The verdict for a scanned badge, a typed certificate number or a post label."""
    cleaned = "".join(ch for ch in scanned_text if ch.isprintable()).strip()
    post_name = parse_post_payload(cleaned)
    with db.read() as s:
        if post_name is not None:
            labelled = s.scalar(select(Post).where(Post.event_id == event_id,
                                                   Post.name == post_name, live(Post)))
            return ScanResult(Verdict.POST_SCANNED if labelled else Verdict.UNREADABLE,
                              cleaned, "", None, post_info(labelled) if labelled else None)
        check, key = read_badge(cleaned, trust, today)
        current = s.get(Post, post_id) if post_id else None
        current_info = post_info(current) if current else None
        if not key:
            verdict = Verdict.BADGE_INVALID if check else Verdict.UNREADABLE
            return ScanResult(verdict, cleaned, key, None, current_info, badge=check)
        # One statement: the guard, the post the roster fixes them to, the contracted
        # company and how often the guard was inspected before (each round trip costs
        # about 0.2 ms of the scan's budget).
        inspected_before = (
            select(func.count()).select_from(Inspection)
            .where(Inspection.event_id == event_id, Inspection.guard_id == Guard.id,
                   live(Inspection))
            .scalar_subquery())
        row = s.execute(
            select(Guard, Post, Company.name, inspected_before)
            .outerjoin(Post, Guard.post_id == Post.id)
            .join(Event, Guard.event_id == Event.id)
            .outerjoin(Company, Event.company_id == Company.id)
            .where(Guard.event_id == event_id, Guard.cert_key == key, live(Guard))).first()
        if row is None:
            found = {Verdict.NOT_ON_ROSTER}
            if check and not check.trusted:
                found.add(Verdict.BADGE_INVALID)
            verdicts = ordered(found)
            return ScanResult(verdicts[0], cleaned, key, None, current_info, badge=check,
                              verdicts=verdicts)
        guard, fixed, contracted, previous = row
        guard_line = guard_info(guard, fixed.name if fixed else None)
        if current_info is None and fixed is not None:
            current_info = post_info(fixed)
    # A verified badge says which company headquarters certified the guard for; it
    # outranks what the company wrote in its own roster.
    company = (check.payload.company if check and check.payload and check.trusted
               else guard_line.company_name)
    found = set()
    if check and not check.trusted:
        found.add(Verdict.BADGE_INVALID)
    if contracted and company != contracted:
        found.add(Verdict.OTHER_COMPANY)
    if guard_line.background_check == "failed":
        found.add(Verdict.BACKGROUND_FAILED)
    elif guard_line.background_check == "pending":
        found.add(Verdict.BACKGROUND_PENDING)
    if not guard_line.trained:
        found.add(Verdict.NOT_TRAINED)
    if current_info is not None and guard_line.post_id != current_info.id:
        found.add(Verdict.ASSIGNED_ELSEWHERE)
    verdicts = ordered(found)
    # A pending background check is said, but it is not what the card is about.
    verdict = next((v for v in verdicts if v != Verdict.BACKGROUND_PENDING),
                   Verdict.ASSIGNED_HERE)
    return ScanResult(verdict, cleaned, key, guard_line, current_info, previous, badge=check,
                      verdicts=verdicts if verdict in verdicts else (verdict, *verdicts))

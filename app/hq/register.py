"""HQ's register of companies (issue 14, seed 004 §4, §12): the credit grade and the red or
black list a company is on, with the reason, changed by HQ staff only and audited.

The credit grade and the black list live in HQ's company record, which every event package
carries, so each laptop learns them at its next pull; the list's name (red or black), its
reason and since when are kept in ``company_register``.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import HQ_DEVICE, CompanyRegisterEntry, utc_now
from app.hq.models import Record as RecordRow
from app.sync.protocol import canonical_json, content_hash

LISTS = ("red", "black")
MAX_GRADE_CHARS = 20
MAX_REASON_CHARS = 500


def plain_text(text: str, limit: int, what: str) -> str:
    """Text on one line, 1 to ``limit`` characters, no control or format character (a
    bidi override could make a stored reason read otherwise); HqError (400)."""
    text = " ".join(text.split())
    if not 1 <= len(text) <= limit or any(unicodedata.category(c)[0] == "C" for c in text):
        raise HqError(400, f"the {what} must be 1 to {limit} characters of plain text")
    return text


def set_company(db: HqDatabase, actor: str, licence_no: str, credit_grade: str,
                list_name: str | None, reason: str) -> dict[str, Any]:
    """Set a company's credit grade and list (None: on neither), with the reason; HqError
    404 when HQ's register has no company of that licence."""
    with db.begin() as s:
        return set_company_in(s, actor, licence_no, credit_grade, list_name, reason)


def set_company_in(s: Session, actor: str, licence_no: str, credit_grade: str,
                   list_name: str | None, reason: str) -> dict[str, Any]:
    """set_company in the caller's transaction: a grade review's decision and the change it
    makes commit together (app.hq.grade_reviews)."""
    licence_no = plain_text(licence_no, 100, "licence number")
    credit_grade = plain_text(credit_grade, MAX_GRADE_CHARS, "credit grade")
    reason = plain_text(reason, MAX_REASON_CHARS, "reason")
    if list_name is not None and list_name not in LISTS:
        raise HqError(400, f"list must be one of {', '.join(LISTS)}, or null")
    now = utc_now()
    stamp = now.isoformat()
    # HQ's register holds a few thousand companies at most: read them, match exactly.
    rows = [row for row in s.scalars(select(RecordRow).where(
        RecordRow.kind == "company", RecordRow.device_id == HQ_DEVICE))
        if json.loads(row.payload).get("licence_no") == licence_no]
    if not rows:
        raise HqError(404, f"headquarters' register has no company with licence "
                           f"{licence_no}")
    entry = s.get(CompanyRegisterEntry, licence_no)
    first = json.loads(rows[0].payload)
    before = {"credit_grade": first.get("credit_grade", ""),
              "list": entry.list_name if entry else
              ("black" if first.get("blacklisted") else None)}
    for row in rows:
        payload = json.loads(row.payload)
        payload.update(credit_grade=credit_grade, blacklisted=list_name == "black",
                       updated_at=stamp)
        row.payload = canonical_json(payload).decode("utf-8")
        row.content_hash = content_hash(payload)
        row.updated_at = stamp
        row.received_at = now
    if entry is None:
        entry = CompanyRegisterEntry(licence_no=licence_no, updated_by=actor)
        s.add(entry)
    if entry.list_name != list_name:
        entry.since = now if list_name else None
    entry.list_name, entry.reason = list_name, reason
    entry.updated_at, entry.updated_by = now, actor
    s.flush()
    audit.record(s, actor, "company.set", f"company:{licence_no}", before,
                 {"credit_grade": credit_grade, "list": list_name, "reason": reason})
    return {"licence_no": licence_no, "name": first.get("name", ""),
            "credit_grade": credit_grade, "list": list_name, "reason": reason,
            "since": entry.since.isoformat(timespec="seconds") if entry.since else None}

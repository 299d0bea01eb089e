"""Companies' standing at headquarters and the recommendation of companies for an event:
one module of about 450 lines because the standing and the recommendation are one reading
of the same records (the recommendation ranks the standing), and change together.

Seed 000 §3(1): the police's comprehensive evaluation is the key reference for a company's
future bids; seed 001 step 2: HQ recommends at least 3 qualified companies for an event.
The rules are in docs/hq-recommendation.md.

Everything here reads the HQ database (``app.hq.models``) through a SQLAlchemy session:
company and event records as received, guard records (counted per event and company: for
every event at once from ``guard_count``, which the database keeps as guard rows are
written, app.hq.guard_counts; for one event in SQL from its rows), and the signed
evaluations that verified on arrival (the standing reads only each event's current one).
Nothing here writes, imports FastAPI or Qt.

A company is one licence number (营业执照 / 保安服务许可证号) when its records have one, else one
name; evaluations and guards name their company, so they are matched by licence, then name.
An evaluation corrected by a later signed version counts only in that later version.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import ColumnElement

from app.hq.guard_counts import guard_counts
from app.hq.models import HQ_DEVICE, EvaluationDocument, Record
from app.orm import as_utc

RISK_LEVELS = ("low", "medium", "high")
# Attendees one guard covers, by risk level: the capacity a company must have shown.
ATTENDEES_PER_GUARD = {"high": 100, "medium": 150, "low": 200}
GRADE_RANK = {"excellent": 3, "good": 2, "pass": 1, "fail": 0}
# The lowest average that is not 不合格 (resources/templates/scoring_v*.json, grade "pass").
PASS_SCORE = 60.0
GRADE_TEXT = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
# Credit grades (信用资质等级, seed 004 §12), best first; anything else ranks after them.
CREDIT_ORDER = ("AAA", "AA", "A", "B", "C", "D")
TREND_WINDOW = 3  # the last evaluations the trend looks at
TREND_POINTS = 3.0  # a change smaller than this is "steady"
DEFAULT_COUNT = 3  # seed 001 step 2: at least 3 companies


# ---------------------------------------------------------------------------- reading

def _grade_text(document: EvaluationDocument) -> str | None:
    """The grade's words, with 暂定 when the evaluation said its grade is provisional."""
    text = GRADE_TEXT.get(document.grade or "")
    if text and document.grade_final is False:
        return f"{text}（暂定）"
    return text

def _iso(moment: datetime | None) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


def _live_payloads(session: Session, kind: str) -> list[tuple[Record, dict[str, Any]]]:
    """The records of a kind that are not tombstones, with their parsed payloads."""
    found = []
    for record in session.scalars(select(Record).where(Record.kind == kind)):
        try:
            payload = json.loads(record.payload)
        except ValueError:
            continue  # HQ checked it on arrival; a broken one must not break the pages
        if isinstance(payload, dict) and not payload.get("deleted_at"):
            found.append((record, payload))
    return found


def _json_text(session: Session, key: str) -> ColumnElement[Any]:
    """A payload field as text, in SQL (SQLite's JSON1 or PostgreSQL's jsonb)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.jsonb_extract_path_text(cast(Record.payload, JSONB), key)
    return func.json_extract(Record.payload, f"$.{key}", type_=String)


def _guard_counts(session: Session, only_event: str | None = None
                  ) -> dict[tuple[str, str], int]:
    """Live guards per (event id, company name) as the rosters name the company; of one
    event only when ``only_event`` is given. The event is the record's event_id column,
    which HQ's ingest sets to the guard payload's (app.hq.ingest_rules.Scope): one payload
    field parsed per guard instead of two, and one event's guards found by index
    (ix_record_event_kind; on PostgreSQL migration 0012's ix_record_live)."""
    company = _json_text(session, "company_name")
    query = select(Record.event_id, company, func.count()).where(
        Record.kind == "guard", _json_text(session, "deleted_at").is_(None))
    if only_event is not None:
        query = query.where(Record.event_id == only_event)
    found: dict[tuple[str, str], int] = {}
    for event_id, name, guards in session.execute(query.group_by(Record.event_id, company)):
        if event_id:  # names that differ only in spaces around them are one company's
            key = (str(event_id), (name or "").strip())
            found[key] = found.get(key, 0) + int(guards)
    return found


def _event_names(session: Session) -> dict[str, str]:
    return {record.id: str(payload.get("name") or "")
            for record, payload in _live_payloads(session, "event")}


def _current_ids(documents: Iterable[EvaluationDocument]) -> set[str]:
    """Per event, the evaluation of the highest version: it corrects the earlier ones."""
    best: dict[str, EvaluationDocument] = {}
    for doc in documents:
        held = best.get(doc.event_id)
        key = (doc.version, as_utc(doc.signed_at) or datetime.min.replace(tzinfo=UTC))
        if held is None or key > (held.version,
                                  as_utc(held.signed_at) or datetime.min.replace(tzinfo=UTC)):
            best[doc.event_id] = doc
    return {doc.id for doc in best.values()}


def _current_documents(session: Session) -> list[EvaluationDocument]:
    """Per event, its current evaluation (``_current_ids``), reading only the rows of each
    event's highest version (100 of 30,000 on bench/console.py's database): the version is
    chosen in SQL (one grouped pass, no sort), the signing time among equal versions here."""
    top = (select(EvaluationDocument.event_id, func.max(EvaluationDocument.version)
                  .label("version")).group_by(EvaluationDocument.event_id).subquery())
    candidates = list(session.scalars(
        select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
        .join(top, and_(top.c.event_id == EvaluationDocument.event_id,
                        top.c.version == EvaluationDocument.version))))
    current = _current_ids(candidates)
    return [doc for doc in candidates if doc.id in current]


def _documents(session: Session, event_id: str | None = None) -> list[EvaluationDocument]:
    # The PDFs stay in the database until someone asks for one.
    query = select(EvaluationDocument).options(defer(EvaluationDocument.pdf))
    if event_id is not None:  # one event's (which is current is decided per event)
        query = query.where(EvaluationDocument.event_id == event_id)
    return list(session.scalars(query))


def _evaluation_dict(doc: EvaluationDocument, current: bool) -> dict[str, Any]:
    return {
        "id": doc.id, "event_id": doc.event_id, "event_name": doc.event_name,
        "company_name": doc.company_name, "company_licence": doc.company_licence,
        "version": doc.version, "status": doc.status, "current": current,
        "score_total": doc.score_total, "grade": doc.grade,
        "grade_text": GRADE_TEXT.get(doc.grade or "", None),
        "coverage": doc.coverage, "signed_at": _iso(doc.signed_at),
        "supervisor_name": doc.supervisor_name, "document_id": doc.document_id,
        "device_id": doc.device_id, "pdf_sha256": doc.pdf_sha256,
        "signer_subject": doc.signer_subject, "verified_at": _iso(doc.verified_at),
        "received_at": _iso(doc.received_at),
    }


def _newest_first(doc: EvaluationDocument) -> tuple[float, str, int]:
    signed = as_utc(doc.signed_at)
    return (-(signed.timestamp() if signed else 0.0), doc.event_name, -doc.version)


def evaluations(session: Session, event_id: str | None = None,
                company: str | None = None) -> list[dict[str, Any]]:
    """Signed, verified evaluations, newest first; ``company`` matches a name or licence.
    ``current`` is false for a version a later signed one corrected."""
    documents = _documents(session)
    current = _current_ids(documents)
    if event_id:
        documents = [d for d in documents if d.event_id == event_id]
    if company:
        wanted = company.strip()
        documents = [d for d in documents
                     if d.company_name == wanted or (d.company_licence or "") == wanted]
    return [_evaluation_dict(d, d.id in current) for d in sorted(documents, key=_newest_first)]


# --------------------------------------------------------------------------- standing
@dataclass
class _Company:
    key: str
    name: str
    licence_no: str = ""
    credit_grade: str = ""
    blacklisted: bool = False
    authority: tuple[bool, str] = (False, "")  # (prepared by HQ, updated_at) of the source
    documents: list[EvaluationDocument] = field(default_factory=list)


def _companies(session: Session) -> tuple[dict[str, _Company], dict[str, str]]:
    """Companies by key, and every known name to its company's key."""
    companies: dict[str, _Company] = {}
    by_name: dict[str, str] = {}
    records = _live_payloads(session, "company")
    # Licensed records first, so that a record carrying only the name joins its licence.
    records.sort(key=lambda item: not str(item[1].get("licence_no") or "").strip())
    for record, payload in records:
        name = str(payload.get("name") or "").strip()
        licence = str(payload.get("licence_no") or "").strip()
        if not name and not licence:
            continue
        key = f"licence:{licence}" if licence else by_name.get(name, f"name:{name}")
        company = companies.setdefault(key, _Company(key=key, name=name or licence))
        by_name.setdefault(name, key)
        # HQ's own record speaks for the company (black list, credit grade); between
        # laptops' copies the newest does.
        authority = (record.device_id == HQ_DEVICE, record.updated_at or "")
        if authority >= company.authority:
            company.authority = authority
            company.name = name or company.name
            company.licence_no = licence or company.licence_no
            # A credit grade or a black-listing is HQ's decision: what a laptop's event form
            # says of a company HQ's register does not hold is not taken as one.
            in_register = authority[0]
            company.credit_grade = (str(payload.get("credit_grade") or "").strip()
                                    if in_register else "")
            company.blacklisted = bool(payload.get("blacklisted")) and in_register
    return companies, by_name


def _company_key(name: str, licence: str | None, companies: dict[str, _Company],
                 by_name: dict[str, str]) -> str:
    licence = (licence or "").strip()
    if licence and f"licence:{licence}" in companies:
        return f"licence:{licence}"
    if name in by_name:
        return by_name[name]
    return f"licence:{licence}" if licence else f"name:{name}"


def _trend(scores: list[float]) -> str:
    """The last score against the mean of the (up to two) before it."""
    window = scores[-TREND_WINDOW:]
    if len(window) < 2:
        return "none"
    change = window[-1] - sum(window[:-1]) / len(window[:-1])
    if change >= TREND_POINTS:
        return "improving"
    if change <= -TREND_POINTS:
        return "declining"
    return "steady"


def _oldest_first(doc: EvaluationDocument) -> tuple[datetime, int]:
    return (as_utc(doc.signed_at) or datetime.min.replace(tzinfo=UTC), doc.version)


def company_standing(session: Session) -> list[dict[str, Any]]:
    """Every company HQ knows (from company records or evaluations) with its record: best
    average first, companies without evaluations after, by name."""
    companies, by_name = _companies(session)
    for doc in _current_documents(session):
        key = _company_key(doc.company_name, doc.company_licence, companies, by_name)
        if key not in companies:  # evaluated but never sent as a company record
            companies[key] = _Company(key=key, name=doc.company_name,
                                      licence_no=(doc.company_licence or "").strip())
            by_name.setdefault(doc.company_name, key)
        companies[key].documents.append(doc)

    event_names = _event_names(session)
    largest: dict[str, tuple[int, str]] = {}
    # Kept per (event, company) by the database as guard rows are written (migration 0014):
    # the same figures as _guard_counts(session) without parsing every guard payload.
    for (event_id, name), guards in guard_counts(session).items():
        named = by_name.get(name)
        if named is None:
            continue  # a company HQ has no record of (another company's guard, a typo)
        if guards > largest.get(named, (0, ""))[0]:
            largest[named] = (guards, event_id)

    standing: list[dict[str, Any]] = []
    for company in companies.values():
        docs = sorted(company.documents, key=_oldest_first)
        scores = [d.score_total for d in docs if d.score_total is not None]
        graded = [d for d in docs if d.grade]
        guards, biggest_event = largest.get(company.key, (0, ""))
        standing.append({
            "key": company.key, "name": company.name, "licence_no": company.licence_no,
            "credit_grade": company.credit_grade, "blacklisted": company.blacklisted,
            "in_register": company.authority[0],
            "evaluations": len(docs),
            "average_score": round(sum(scores) / len(scores), 1) if scores else None,
            "latest_grade": graded[-1].grade if graded else None,
            "latest_grade_text": _grade_text(graded[-1]) if graded else None,
            "latest_grade_final": graded[-1].grade_final if graded else None,
            "latest_signed_at": _iso(docs[-1].signed_at) if docs else None,
            "trend": _trend(scores),
            "largest_event": ({"event_id": biggest_event,
                               "event_name": event_names.get(biggest_event, ""),
                               "guards": guards} if guards else None),
            "largest_event_guards": guards,
            "history": [{"evaluation_id": d.id, "event_id": d.event_id,
                         "event_name": event_names.get(d.event_id) or d.event_name,
                         "version": d.version, "score_total": d.score_total, "grade": d.grade,
                         "grade_text": _grade_text(d), "grade_final": d.grade_final,
                         "signed_at": _iso(d.signed_at), "supervisor_name": d.supervisor_name}
                        for d in reversed(docs)],  # newest first
        })
    standing.sort(key=lambda c: (c["average_score"] is None, -(c["average_score"] or 0.0),
                                 c["name"]))
    return standing


# ----------------------------------------------------------------------- recommending
def credit_rank(grade: str) -> int:
    """Position in CREDIT_ORDER (0 best); unknown or missing grades after all of them."""
    text = grade.strip().upper().removesuffix("级")
    return CREDIT_ORDER.index(text) if text in CREDIT_ORDER else len(CREDIT_ORDER)


def needed_guards(attendance: int, risk: str) -> int:
    return max(1, math.ceil(attendance / ATTENDEES_PER_GUARD[risk]))


def _score_reason(company: dict[str, Any]) -> str:
    if company["average_score"] is None:
        return "暂无考评 (not evaluated yet)"
    grade = company["latest_grade"]
    latest = f"，最近一次{GRADE_TEXT.get(grade, grade)}" if grade else ""
    latest_en = f", latest {grade}" if grade else ""
    return (f"平均分 {company['average_score']:.1f}（{company['evaluations']} 次考评{latest}）"
            f" (average {company['average_score']:.1f} over {company['evaluations']} "
            f"evaluation(s){latest_en})")


def recommend(session: Session, attendance: int, risk: str,
              count: int = DEFAULT_COUNT) -> dict[str, Any]:
    """Companies to recommend to an event's organizer, best first (docs/hq-recommendation.md).

    ``companies`` holds the best ``count`` of the qualified ones, each with its reasons;
    ``excluded`` every other company with why; ``note`` says so in plain words when fewer
    than ``count`` qualify (else None)."""
    if risk not in RISK_LEVELS:
        raise ValueError(f"risk must be one of {', '.join(RISK_LEVELS)}, not {risk!r}")
    if attendance < 0:
        raise ValueError("attendance cannot be negative")
    if count < 1:
        raise ValueError("count must be at least 1")
    needed = needed_guards(attendance, risk)

    qualified: list[tuple[dict[str, Any], list[str]]] = []
    excluded: list[dict[str, Any]] = []
    for company in company_standing(session):
        reasons: list[str] = []
        refused: list[str] = []
        if company["blacklisted"]:
            refused.append("已列入黑名单 (black-listed)")
        if not company["in_register"]:
            # Known only from a laptop's event: HQ has not vetted it (licence, credit grade).
            refused.append("不在总部企业名录中，未经总部审核 "
                           "(not in HQ's register of companies: not vetted by HQ)")
        if company["latest_grade"] == "fail":
            if risk == "high":
                refused.append("最近一次考评不合格，不承接高风险活动 "
                               "(latest evaluation failed: no high-risk events)")
            else:
                reasons.append("注意：最近一次考评不合格 (note: latest evaluation failed)")
        guards = company["largest_event_guards"]
        if guards >= needed:
            event = company["largest_event"]["event_name"] or company["largest_event"]["event_id"]
            reasons.append(f"曾在「{event}」派出 {guards} 名保安员，本次需 {needed} 名 "
                           f"(supplied {guards} guards before, {needed} needed)")
        elif guards == 0 and credit_rank(company["credit_grade"]) <= credit_rank("A"):
            reasons.append(f"无派员记录，信用等级 {company['credit_grade']} "
                           f"(no staffing history, credit grade {company['credit_grade']})")
        elif guards == 0:
            credit = company["credit_grade"] or "—"
            refused.append(f"无派员记录且信用等级 {credit} 低于 A "
                           f"(no staffing history and credit grade {credit} is below A)")
        else:
            refused.append(f"最多派出过 {guards} 名保安员，本次需 {needed} 名 "
                           f"(supplied at most {guards} guards, {needed} needed)")
        summary = {"key": company["key"], "name": company["name"],
                   "licence_no": company["licence_no"], "credit_grade": company["credit_grade"],
                   "average_score": company["average_score"],
                   "evaluations": company["evaluations"],
                   "latest_grade": company["latest_grade"], "trend": company["trend"],
                   "largest_event_guards": guards}
        if refused:
            excluded.append({**summary, "reasons": refused})
        else:
            qualified.append((summary, [_score_reason(company), *reasons]))

    # A passing record first (best average first), then companies never evaluated, then
    # those whose average fails: an untried licensed company is a better bet for HQ than
    # one that has failed; then credit grade, then shown capacity.
    def tier(summary: dict[str, Any]) -> int:
        average = summary["average_score"]
        if average is None:
            return 1
        return 0 if average >= PASS_SCORE else 2

    qualified.sort(key=lambda item: (tier(item[0]),
                                     -(item[0]["average_score"] or 0.0),
                                     credit_rank(item[0]["credit_grade"]),
                                     -item[0]["largest_event_guards"], item[0]["name"]))
    chosen = [{**summary, "rank": rank, "reasons": reasons}
              for rank, (summary, reasons) in enumerate(qualified[:count], start=1)]
    note = None
    if len(qualified) < count:
        note = (f"只有 {len(qualified)} 家公司符合条件，少于应推荐的 {count} 家；"
                f"请由支队人工补充或放宽范围 (only {len(qualified)} qualified "
                f"compan{'y' if len(qualified) == 1 else 'ies'}, fewer than the {count} "
                "to recommend: HQ must add companies by hand)")
    return {"attendance": attendance, "risk": risk, "needed_guards": needed, "count": count,
            "qualified_count": len(qualified), "companies": chosen, "excluded": excluded,
            "note": note}


# ---------------------------------------------------------------------------- events
def _record_counts(session: Session, event_id: str | None = None
                   ) -> dict[tuple[str, str], int]:
    """Live records per (event id, kind); of one event only when ``event_id`` is given."""
    query = select(Record.event_id, Record.kind, func.count()).where(
        Record.event_id.is_not(None), Record.kind != "event",
        _json_text(session, "deleted_at").is_(None))
    if event_id is not None:
        query = query.where(Record.event_id == event_id)
    rows = session.execute(query.group_by(Record.event_id, Record.kind))
    return {(str(e), str(k)): int(n) for e, k, n in rows}


def events_overview(session: Session, event_id: str | None = None) -> list[dict[str, Any]]:
    """Every event HQ knows (prepared here, sent by a laptop, or only named by an evaluation)
    with its company, record counts and evaluations (newest version first); latest first."""
    if event_id is not None and "\x00" in event_id:
        return []  # no id holds a NUL (PostgreSQL's text cannot): none to ask the database for
    company_names = {record.id: str(payload.get("name") or "")
                     for record, payload in _live_payloads(session, "company")}
    events: dict[str, dict[str, Any]] = {}
    for record, payload in _live_payloads(session, "event"):
        events[record.id] = {
            "id": record.id, "name": str(payload.get("name") or ""),
            "venue": payload.get("venue") or "", "organizer": payload.get("organizer") or "",
            "starts_at": payload.get("starts_at"), "ends_at": payload.get("ends_at"),
            "expected_attendance": payload.get("expected_attendance") or 0,
            "venue_capacity": payload.get("venue_capacity") or 0,
            "risk_level": payload.get("risk_level") or "",
            "company_name": company_names.get(str(payload.get("company_id") or ""), ""),
            "prepared_by_hq": record.device_id == HQ_DEVICE}
    documents = _documents(session, event_id)  # one event's: its current one is the same
    current = _current_ids(documents)
    listed: dict[str, list[dict[str, Any]]] = {}
    for doc in sorted(documents, key=lambda d: -d.version):
        if doc.event_id not in events:  # the laptop's event record has not arrived
            events[doc.event_id] = {
                "id": doc.event_id, "name": doc.event_name, "venue": "", "organizer": "",
                "starts_at": None, "ends_at": None, "expected_attendance": 0,
                "venue_capacity": 0, "risk_level": "", "company_name": doc.company_name,
                "prepared_by_hq": False}
        listed.setdefault(doc.event_id, []).append(_evaluation_dict(doc, doc.id in current))
    if event_id is not None:
        events = {event_id: events[event_id]} if event_id in events else {}
    counts = _record_counts(session, event_id) if events else {}
    guards = _guard_counts(session, event_id) if event_id is not None and events else {}
    result = []
    for event in events.values():
        evaluated = listed.get(event["id"], [])
        if not event["company_name"] and evaluated:
            event["company_name"] = evaluated[0]["company_name"]
        event["counts"] = {kind: counts.get((event["id"], kind), 0)
                           for kind in ("post", "guard", "inspection", "finding")}
        event["evaluations"] = evaluated
        event["current_evaluation"] = next((e for e in evaluated if e["current"]), None)
        if event_id is not None:
            event["guards_by_company"] = sorted(
                ({"company_name": name, "guards": n}
                 for (eid, name), n in guards.items() if eid == event["id"]),
                key=lambda row: (-row["guards"], row["company_name"]))
        result.append(event)
    result.sort(key=lambda e: (e["starts_at"] or "", e["name"]), reverse=True)
    return result


def event_detail(session: Session, event_id: str) -> dict[str, Any] | None:
    """One event as in events_overview, with its guards counted per company; None when
    HQ knows no such event."""
    found = events_overview(session, event_id=event_id)
    return found[0] if found else None

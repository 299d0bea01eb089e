"""Official document numbers (文号) at headquarters, and the form's settings the packages carry.

- The form: issuing unit, number prefix and basis line, kept in ``hq_setting``
  (``hq set-form``); every event package carries them (``"form"``).
- Blocks: an event package served to an enrolled laptop carries that laptop's blocks of the
  current year (UTC+8); when fewer than ``LOW_WATER`` of their numbers are left (not yet seen
  on an evaluation the laptop sent), a new block of ``BLOCK_SIZE`` is allotted first, from
  the HQ-wide counter of the prefix and year (after the highest number in any block or
  mapping). The laptop numbers the evaluations it signs from them, offline
  (app.evaluation.document_numbers).
- On arrival: an evaluation numbered from a laptop's own series (``…〔2026〕临TAG-k号``) is
  given the next official number (``document_number_map``, once per local number); an
  official number outside the sender's blocks is kept and reported as a problem.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.evaluation.document_numbers import (
    DEFAULT_PREFIX,
    MAX_FORM_CHARS,
    MAX_PREFIX_CHARS,
    MAX_SERIAL,
    china_year,
    device_tag,
    official_number,
    parse_document_number,
    share_problem,
)
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import (
    HQ_DEVICE,
    Device,
    DocumentNumberBlock,
    DocumentNumberMap,
    HqSetting,
    utc_now,
)
from app.hq.models import Record as RecordRow
from app.orm import as_utc

FORM_UNIT_SETTING = "form.issuing_unit"
FORM_PREFIX_SETTING = "form.number_prefix"
FORM_BASIS_SETTING = "form.basis"
FORM_SHARE_SETTING = "form.minimum_sample_share"
# One row every allotment and mapping updates first: they take HQ's counter in turn, on
# PostgreSQL as on SQLite.
COUNTER_LOCK_SETTING = "document_numbers.lock"
BLOCK_SIZE = 50
LOW_WATER = 20


# ---------------------------------------------------------------------- the form
def form_settings(db: HqDatabase) -> dict[str, str]:
    """What the packages carry: the unit and the basis line ("" when HQ set none: the
    laptop's own settings apply), and the number prefix (always: the blocks HQ allots are
    numbers under it; the default where unset)."""
    return {"issuing_unit": db.setting(FORM_UNIT_SETTING) or "",
            "number_prefix": db.setting(FORM_PREFIX_SETTING) or DEFAULT_PREFIX,
            "basis": db.setting(FORM_BASIS_SETTING) or "",
            "minimum_sample_share": db.setting(FORM_SHARE_SETTING) or ""}


def form_text_problem(text: str, limit: int) -> str | None:
    """Why a form value cannot be kept; None when it can."""
    if len(text) > limit:
        return f"it is longer than {limit} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text):
        return "it holds control characters"
    return None


def set_form(db: HqDatabase, unit: str | None = None, prefix: str | None = None,
             basis: str | None = None, minimum_share: str | None = None) -> dict[str, str]:
    """Set the given values (an empty text returns that value to its default); the form as
    the packages now carry it. HqError (400) when a value cannot be a form's."""
    changes: dict[str, str] = {}
    if minimum_share is not None:
        minimum_share = minimum_share.strip()
        problem = share_problem(minimum_share)
        if problem is not None:
            raise HqError(400, f"the minimum sample share {minimum_share[:20]!r} is refused: "
                               f"{problem}")
        changes[FORM_SHARE_SETTING] = minimum_share
    for key, value, limit, what in (
            (FORM_UNIT_SETTING, unit, MAX_FORM_CHARS, "issuing unit"),
            (FORM_PREFIX_SETTING, prefix, MAX_PREFIX_CHARS, "document-number prefix"),
            (FORM_BASIS_SETTING, basis, MAX_FORM_CHARS, "basis line")):
        if value is None:
            continue
        value = " ".join(value.split())
        problem = form_text_problem(value, limit)
        if problem is None and key == FORM_PREFIX_SETTING and (
                " " in value or any(c in value for c in "〔〕")):
            problem = "it holds spaces or the year's brackets 〔〕"
        if problem is not None:
            raise HqError(400, f"the {what} {value[:40]!r} is refused: {problem}")
        changes[key] = value
    with db.begin() as s:
        for key, value in changes.items():
            s.merge(HqSetting(key=key, value=value))
    return form_settings(db)


# ---------------------------------------------------------------------- the counter
def _take_counter(db: HqDatabase, s: Session) -> None:
    """Serialise allotments and mappings: every one updates this row first."""
    s.execute(db.insert_or_skip(HqSetting.__table__).values(key=COUNTER_LOCK_SETTING,
                                                            value=""))
    s.execute(update(HqSetting).where(HqSetting.key == COUNTER_LOCK_SETTING)
              .values(value=HqSetting.value))


def _next_free(s: Session, prefix: str, year: int) -> int:
    """The number after the highest of the prefix and year in any block or mapping."""
    highest = int(s.scalar(select(func.max(DocumentNumberBlock.last)).where(
        DocumentNumberBlock.prefix == prefix, DocumentNumberBlock.year == year)) or 0)
    for text in s.scalars(select(DocumentNumberMap.official_number).where(
            DocumentNumberMap.official_number.like(f"%〔{year}〕%"))):
        parsed = parse_document_number(text)
        if parsed is not None and parsed.prefix == prefix and parsed.year == year \
                and parsed.number is not None:
            highest = max(highest, parsed.number)
    return highest + 1


def _numbers_sent(s: Session, device_id: str) -> list[str]:
    """The document numbers on the evaluations HQ holds from the laptop."""
    found = []
    for text in s.scalars(select(RecordRow.payload).where(
            RecordRow.kind == "evaluation", RecordRow.device_id == device_id)):
        number = json.loads(text).get("document_number")
        if isinstance(number, str) and number:
            found.append(number)
    return found


def _block_json(block: DocumentNumberBlock) -> dict[str, Any]:
    return {"prefix": block.prefix, "year": block.year, "first": block.first,
            "last": block.last}


def package_numbers(db: HqDatabase, device_id: str | None,
                    now: datetime | None = None) -> list[dict[str, Any]]:
    """The blocks of the current year (UTC+8) the package served to ``device_id`` carries,
    a new one allotted first when fewer than LOW_WATER numbers are left. None, HQ itself or
    a laptop not enrolled (or shut out): no blocks."""
    if device_id is None or device_id == HQ_DEVICE:
        return []
    year = china_year(now or utc_now())
    prefix = form_settings(db)["number_prefix"]
    with db.begin() as s:
        device = s.get(Device, device_id)
        if device is None or device.revoked_at is not None:
            return []
        _take_counter(db, s)
        blocks = list(s.scalars(select(DocumentNumberBlock).where(
            DocumentNumberBlock.device_id == device_id, DocumentNumberBlock.year == year)
            .order_by(DocumentNumberBlock.first)))
        used = {parsed.number for parsed in map(parse_document_number, _numbers_sent(s, device_id))
                if parsed is not None and parsed.prefix == prefix and parsed.year == year
                and parsed.number is not None}
        left = sum(1 for block in blocks if block.prefix == prefix
                   for number in range(block.first, block.last + 1) if number not in used)
        if left < LOW_WATER:
            first = _next_free(s, prefix, year)
            if first + BLOCK_SIZE - 1 <= MAX_SERIAL:  # else: the laptop's own series
                block = DocumentNumberBlock(device_id=device_id, prefix=prefix, year=year,
                                            first=first, last=first + BLOCK_SIZE - 1,
                                            allotted_at=utc_now())
                s.add(block)
                s.flush()
                blocks.append(block)
        return [_block_json(block) for block in blocks]


# ---------------------------------------------------------------------- arrivals
def _in_blocks(s: Session, device_id: str, prefix: str, year: int, number: int) -> bool:
    return s.scalar(select(func.count()).select_from(DocumentNumberBlock).where(
        DocumentNumberBlock.device_id == device_id, DocumentNumberBlock.prefix == prefix,
        DocumentNumberBlock.year == year, DocumentNumberBlock.first <= number,
        DocumentNumberBlock.last >= number)) != 0


def number_problem(s: Session, device_id: str, number: str) -> str | None:
    """Why an official-series number is not the sender's to give; None when it is (or
    when it is of the laptop's own series, which HQ maps)."""
    parsed = parse_document_number(number)
    if parsed is None:
        return (f"the document number {number[:60]!r} is neither one headquarters allotted "
                f"nor of the laptop's own series; the evaluation is kept, for HQ staff to "
                f"look into")
    if parsed.local:
        return None
    assert parsed.number is not None
    if not _in_blocks(s, device_id, parsed.prefix, parsed.year, parsed.number):
        return (f"the document number {number} is not in a block headquarters allotted this "
                f"laptop; the evaluation is kept, for HQ staff to look into")
    return None


def numbers_arrived(db: HqDatabase, s: Session, device_id: str,
                    evaluations: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """In ingest's transaction, for the evaluations just kept ((id, document number, the
    profile's own device id the record names, whose first 12 hex digits tag its series)): map
    each number of a laptop's own series to the next official one (once per local number);
    evaluation id -> the problem to report, for a number that is not the laptop's to give."""
    problems: dict[str, str] = {}
    if device_id == HQ_DEVICE or not evaluations:
        return problems
    _take_counter(db, s)
    for evaluation_id, number, laptop_id in evaluations:
        problem = number_problem(s, device_id, number)
        if problem is not None:
            problems[evaluation_id] = problem
            continue
        parsed = parse_document_number(number)
        if parsed is None or not parsed.local:
            continue
        if parsed.tag != device_tag(laptop_id):
            problems[evaluation_id] = (
                f"the document number {number} is of another laptop's series; it is kept "
                f"unmapped, for HQ staff to look into")
            continue
        held = s.get(DocumentNumberMap, (device_id, number))
        if held is not None:
            if held.evaluation_id != evaluation_id:
                problems[evaluation_id] = (
                    f"the document number {number} was mapped before for evaluation "
                    f"{held.evaluation_id}; this one keeps it unmapped, for HQ staff to "
                    f"look into")
            continue
        serial = _next_free(s, parsed.prefix, parsed.year)
        if serial > MAX_SERIAL:
            problems[evaluation_id] = (
                f"no official number of {parsed.prefix} {parsed.year} is left for "
                f"{number}; it is kept unmapped, for HQ staff to look into")
            continue
        official = official_number(parsed.prefix, parsed.year, serial)
        s.add(DocumentNumberMap(local_number=number, official_number=official,
                                device_id=device_id, evaluation_id=evaluation_id,
                                mapped_at=utc_now()))
        s.flush()
    return problems


# ---------------------------------------------------------------------- the listing
def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat(timespec="seconds")


def listing(db: HqDatabase, device_id: str | None = None) -> dict[str, Any]:
    """``hq document-numbers``: the form, the blocks, the mappings and the problems (an
    evaluation whose number is not its laptop's to give), of one device or all."""
    with db.Session() as s:
        blocks_query = select(DocumentNumberBlock).order_by(
            DocumentNumberBlock.prefix, DocumentNumberBlock.year, DocumentNumberBlock.first)
        maps_query = select(DocumentNumberMap).order_by(DocumentNumberMap.mapped_at,
                                                        DocumentNumberMap.local_number)
        evaluations_query = select(RecordRow.id, RecordRow.device_id, RecordRow.payload).where(
            RecordRow.kind == "evaluation", RecordRow.device_id != HQ_DEVICE)
        if device_id is not None:
            blocks_query = blocks_query.where(DocumentNumberBlock.device_id == device_id)
            maps_query = maps_query.where(DocumentNumberMap.device_id == device_id)
            evaluations_query = evaluations_query.where(RecordRow.device_id == device_id)
        blocks = [{"device_id": b.device_id, **_block_json(b),
                   "allotted_at": _iso(b.allotted_at)} for b in s.scalars(blocks_query)]
        mappings = [{"local_number": m.local_number, "official_number": m.official_number,
                     "device_id": m.device_id, "evaluation_id": m.evaluation_id,
                     "mapped_at": _iso(m.mapped_at)} for m in s.scalars(maps_query)]
        mapped = {(m["device_id"], m["local_number"]) for m in mappings}
        problems = []
        for evaluation_id, sender, payload in s.execute(evaluations_query.order_by(RecordRow.id)):
            record = json.loads(payload)
            number = record.get("document_number")
            # Only a signed evaluation holds its number (ingest ignores a draft's).
            if record.get("status") != "signed" or not isinstance(number, str) or not number:
                continue
            problem = number_problem(s, sender, number)
            parsed = parse_document_number(number)
            if problem is None and parsed is not None and parsed.local \
                    and (sender, number) not in mapped:
                problem = (f"the document number {number} of a laptop's own series has no "
                           f"official number (another laptop's series, or one that was mapped "
                           f"for another evaluation, or none left); for HQ staff to look into")
            if problem is not None:
                problems.append({"device_id": sender, "evaluation_id": evaluation_id,
                                 "document_number": number, "problem": problem})
    return {"form": form_settings(db), "blocks": blocks, "mappings": mappings,
            "problems": problems}

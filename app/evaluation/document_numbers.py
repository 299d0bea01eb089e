"""The official document number (文号) a signed evaluation takes, and what the form is headed
with (issuing unit, number prefix, basis line).

Numbers are unique across all laptops even offline: headquarters allots each enrolled laptop
blocks of numbers in the event packages it serves (``DocumentNumberBlock``), and a laptop
with none left numbers from its own series ``{prefix}〔{year}〕临{TAG}-{k}号`` (TAG: the first 12
hex digits of its device id), which HQ maps to an official number on arrival
(app.hq.document_numbers). The number is a pure function of the profile's rows: the caller
stores it in ``evaluation.document_number`` in the signing transaction, whose unique index
guards against the same number twice.

Headquarters reads numbers with the same parser (app.hq.document_numbers): the profile's
modules are imported inside the functions that read a profile, so HQ does not load them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from app.profile.db import Database

# What headquarters' event package set (app.sync.download); "" or absent: not set by HQ.
FORM_UNIT_SETTING = "form.issuing_unit"
FORM_PREFIX_SETTING = "form.number_prefix"
FORM_BASIS_SETTING = "form.basis"
FORM_SETTINGS = (FORM_UNIT_SETTING, FORM_PREFIX_SETTING, FORM_BASIS_SETTING)
# The share of the random sample that, with the supervisor's written reason, makes a grade
# final (app.evaluation.sample_progress); headquarters sets it, the laptop has no say.
SAMPLE_SHARE_SETTING = "evaluation.minimum_sample_share"

DEFAULT_PREFIX = "公保考"
DEFAULT_BASIS = ("《大型群众性活动安全管理条例》《保安服务管理条例》《辽宁省公安厅关于进一步推进"
                 "大型活动安全管理市场化运作的若干意见》（辽公通〔2016〕357号）")
# A number is at most 60 characters (evaluation.document_number): a prefix of at most
# 20 characters (as app.profile.supervisor keeps it) leaves room for the year, the
# laptop's tag and a six-digit serial.
MAX_FORM_CHARS = 200  # the unit and the basis line, as HQ sends them
MAX_PREFIX_CHARS = 20
MAX_SERIAL = 999_999
CHINA = timezone(timedelta(hours=8))  # fixed offset: China keeps no daylight saving time
LOCAL_MARK = "临"

_NUMBER = re.compile(r"^(?P<prefix>[^〔〕]{1,40})〔(?P<year>\d{4})〕"
                     r"(?:(?P<n>[1-9]\d{0,5})|临(?P<tag>[0-9A-Z]{12})-(?P<k>[1-9]\d{0,5}))号$")


@dataclass(frozen=True, slots=True)
class FormSettings:
    issuing_unit: str
    number_prefix: str
    basis: str


@dataclass(frozen=True, slots=True)
class DocumentNumber:
    """A document number taken apart: an official one has ``number``, a laptop's own
    series has ``tag`` and ``serial``."""

    prefix: str
    year: int
    number: int | None = None
    tag: str | None = None
    serial: int | None = None

    @property
    def local(self) -> bool:
        return self.tag is not None

    def text(self) -> str:
        if self.tag is not None:
            return f"{self.prefix}〔{self.year}〕{LOCAL_MARK}{self.tag}-{self.serial}号"
        return official_number(self.prefix, self.year, self.number or 0)


def official_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}〔{year}〕{number}号"


def parse_document_number(text: object) -> DocumentNumber | None:
    """The parts of a document number; None when the text is not one."""
    if not isinstance(text, str):
        return None
    match = _NUMBER.match(text)
    if match is None:
        return None
    prefix, year = match["prefix"], int(match["year"])
    if match["n"] is not None:
        return DocumentNumber(prefix, year, number=int(match["n"]))
    return DocumentNumber(prefix, year, tag=match["tag"], serial=int(match["k"]))


def is_local_number(text: object) -> bool:
    """True for a number of a laptop's own series (HQ maps it to an official one)."""
    parsed = parse_document_number(text)
    return parsed is not None and parsed.local


def device_tag(device_id: str) -> str:
    """The laptop's mark in its own series: the first 12 hex digits of its device id (48
    random bits: two laptops' series meet once in billions of pairs)."""
    return device_id.replace("-", "")[:12].upper()


def china_year(when: datetime) -> int:
    """The calendar year in China (UTC+8) at ``when``; a naive time is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(CHINA).year


def read_form_settings(db: Database) -> FormSettings:
    """Each value from headquarters' event package, else from this laptop's Settings, else
    the defaults (the supervisor's unit, 公保考, the regulations and the provincial notice)."""
    from app.profile.supervisor import read_identity, read_report_defaults

    defaults = read_report_defaults(db)
    unit = (db.setting(FORM_UNIT_SETTING) or defaults.unit_name
            or read_identity(db).unit)
    prefix = db.setting(FORM_PREFIX_SETTING) or defaults.number_prefix or DEFAULT_PREFIX
    basis = db.setting(FORM_BASIS_SETTING) or defaults.basis or DEFAULT_BASIS
    return FormSettings(issuing_unit=unit, number_prefix=prefix, basis=basis)


def hq_form_values(db: Database) -> dict[str, str]:
    """The form values headquarters set (setting key -> text), only those it set."""
    found = {key: db.setting(key) or "" for key in FORM_SETTINGS}
    return {key: value for key, value in found.items() if value}


def next_document_number(db: Database, when: datetime) -> str:
    """The number the next signed evaluation takes: the lowest number of an allotted block
    (this prefix and year) no evaluation of the profile uses yet, else the next of this
    laptop's own series of the year."""
    from app.profile.models import DocumentNumberBlock, Evaluation

    prefix = read_form_settings(db).number_prefix
    year = china_year(when)
    tag = device_tag(db.device_id)
    with db.read() as s:
        blocks = list(s.execute(
            select(DocumentNumberBlock.first, DocumentNumberBlock.last)
            .where(DocumentNumberBlock.prefix == prefix, DocumentNumberBlock.year == year)
            .order_by(DocumentNumberBlock.first, DocumentNumberBlock.last)))
        # Every number of the year the profile holds (deleted evaluations too: a number,
        # once on a signed form, is never given again). A LIKE on the year's bracket narrows
        # it; the parser decides.
        texts = list(s.scalars(select(Evaluation.document_number).where(
            Evaluation.document_number.like(f"%〔{year}〕%"))))
    used: set[int] = set()
    highest_serial = 0
    for text in texts:
        parsed = parse_document_number(text)
        if parsed is None or parsed.year != year:
            continue
        if parsed.local:
            if parsed.tag == tag and parsed.serial is not None:
                highest_serial = max(highest_serial, parsed.serial)
        elif parsed.prefix == prefix and parsed.number is not None:
            used.add(parsed.number)
    for first, last in blocks:
        for number in range(first, last + 1):
            if number not in used:
                return official_number(prefix, year, number)
    return DocumentNumber(prefix, year, tag=tag, serial=highest_serial + 1).text()


# ---------------------------------------------------------------------- from HQ's package
MAX_PACKAGE_BLOCKS = 100
MAX_BLOCK_PREFIX_CHARS = 40
MAX_BLOCK_SPAN = 10_000
FORM_KEYS = {"issuing_unit": FORM_UNIT_SETTING, "number_prefix": FORM_PREFIX_SETTING,
             "basis": FORM_BASIS_SETTING, "minimum_sample_share": SAMPLE_SHARE_SETTING}
_SHARE = re.compile(r"^(?:0\.\d{1,3}|1(?:\.0{1,3})?)$")


def share_problem(text: str) -> str | None:
    """Why a minimum sample share cannot be kept ("" is: the default); None when it can."""
    if text == "" or (_SHARE.match(text) and 0 < float(text) <= 1):
        return None
    return "it is not a share from 0.001 to 1 (e.g. 0.9)"


@dataclass(frozen=True, slots=True)
class NumberBlock:
    prefix: str
    year: int
    first: int
    last: int


def _has_controls(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def _plain_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def package_form(body: dict[str, Any]) -> tuple[dict[str, str] | None, list[NumberBlock]]:
    """The form settings and document-number blocks of an event package's body, checked:
    (None, []) for a package from an HQ of the version before, which carries neither.
    SyncError, with what is wrong, for a value no headquarters sends."""
    from app.i18n import translate
    from app.sync.state import SyncError

    def refuse(problem: str) -> SyncError:
        return SyncError(translate("Sync", "The event package is refused: {0}")
                         .format(problem))

    form: dict[str, str] | None = None
    if "form" in body:
        given = body["form"]
        if not isinstance(given, dict):
            raise refuse(translate("Sync", "its form settings are not a set of texts"))
        form = {}
        for key in FORM_KEYS:
            value = given.get(key, "")
            if key == "minimum_sample_share":
                if not isinstance(value, str) or share_problem(value) is not None:
                    raise refuse(translate("Sync", "its minimum sample share is not a share "
                                           "from 0.001 to 1"))
                form[key] = value
                continue
            limit = MAX_PREFIX_CHARS if key == "number_prefix" else MAX_FORM_CHARS
            if not isinstance(value, str) or len(value) > limit or _has_controls(value) \
                    or (key == "number_prefix" and any(c in value for c in " 〔〕")):
                raise refuse(translate("Sync", "its form setting “{0}” is not a plain text "
                                       "(no control characters) of at most {1} characters")
                             .format(key, limit))
            form[key] = value
    blocks: list[NumberBlock] = []
    if "document_numbers" in body:
        given = body["document_numbers"]
        if not isinstance(given, list) or len(given) > MAX_PACKAGE_BLOCKS:
            raise refuse(translate("Sync", "its document numbers are not a list of at most "
                                   "{0} blocks").format(MAX_PACKAGE_BLOCKS))
        for index, item in enumerate(given, start=1):
            if not isinstance(item, dict):
                raise refuse(translate("Sync", "its document-number block {0} is not a "
                                       "block").format(index))
            prefix, year = item.get("prefix"), item.get("year")
            first, last = item.get("first"), item.get("last")
            if not (isinstance(prefix, str) and 0 < len(prefix) <= MAX_BLOCK_PREFIX_CHARS
                    and not _has_controls(prefix)
                    and not any(c in prefix for c in " 〔〕")
                    and _plain_int(year) and _plain_int(first) and _plain_int(last)):
                raise refuse(translate("Sync", "its document-number block {0} is not a "
                                       "prefix with a year and a range of numbers")
                             .format(index))
            assert isinstance(year, int) and isinstance(first, int) and isinstance(last, int)
            if not (2000 <= year <= 2100 and 1 <= first <= last <= MAX_SERIAL
                    and last - first < MAX_BLOCK_SPAN):
                raise refuse(translate("Sync", "its document-number block {0} ({1}, {2}–{3}) "
                                       "is out of range").format(index, year, first, last))
            blocks.append(NumberBlock(prefix, year, first, last))
    return form, blocks


def store_form(s: Session, form: dict[str, str] | None, blocks: list[NumberBlock]) -> None:
    """In the package's transaction: HQ's form settings (an empty one: not set by HQ) and the
    blocks not held yet (the same package applied twice adds none)."""
    from app.profile.models import DocumentNumberBlock, ProfileSetting

    if form is not None:
        for key, value in form.items():
            s.merge(ProfileSetting(key=FORM_KEYS[key], value=value))
    if not blocks:
        return
    held = {tuple(row) for row in s.execute(select(
        DocumentNumberBlock.prefix, DocumentNumberBlock.year, DocumentNumberBlock.first,
        DocumentNumberBlock.last))}
    for block in dict.fromkeys(blocks):
        if (block.prefix, block.year, block.first, block.last) not in held:
            s.add(DocumentNumberBlock(prefix=block.prefix, year=block.year,
                                      first=block.first, last=block.last))
    s.flush()

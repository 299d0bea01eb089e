"""Reading and checking the roster a security company sends (.xlsx or .csv).

Companies send what their office software produces: a title row above the header, Chinese
headers, stray spaces, full-width digits, a lower-case x, numbers stored as numbers, blank and
duplicated lines. Everything that normalises cleanly is accepted silently; everything else is a
problem tied to the row number a spreadsheet program shows and to the column's header.
"""

from __future__ import annotations

import csv
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NoReturn, TextIO
from xml.parsers import expat

from app.errors import UserError
from app.i18n import translate
from app.inspection.identity import (
    cert_key,
    id_number_problem,
    normalise_id_number,
    normalise_text,
)
from app.spreadsheet_safety import looks_like_formula

TASK_TYPES = ("安检", "验票", "巡逻", "守卫", "秩序维护")

COL_SEQ = "序号"
COL_NAME = "姓名"
COL_GENDER = "性别"
COL_ID = "身份证号"
COL_CERT = "保安员证号"
COL_COMPANY = "所属公司"
COL_POST = "岗位"
COL_TASK = "岗位类型"
COL_PHONE = "联系电话"
COL_BACKGROUND = "背景审查"
COL_TRAINING = "岗前培训"
COLUMNS = (
    COL_SEQ,
    COL_NAME,
    COL_GENDER,
    COL_ID,
    COL_CERT,
    COL_COMPANY,
    COL_POST,
    COL_TASK,
    COL_PHONE,
    COL_BACKGROUND,
    COL_TRAINING,
)
REQUIRED_COLUMNS = (COL_NAME, COL_ID, COL_CERT, COL_COMPANY)

_HEADER_ALIASES = {
    "身份证号码": COL_ID,
    "公民身份号码": COL_ID,
    "身份证": COL_ID,
    "保安员证编号": COL_CERT,
    "保安证号": COL_CERT,
    "证号": COL_CERT,
    "保安员证": COL_CERT,
    "公司": COL_COMPANY,
    "单位": COL_COMPANY,
    "所属单位": COL_COMPANY,
    "公司名称": COL_COMPANY,
    "手机": COL_PHONE,
    "电话": COL_PHONE,
    "手机号": COL_PHONE,
    "联系方式": COL_PHONE,
    "岗位名称": COL_POST,
    "执勤岗位": COL_POST,
    "类型": COL_TASK,
    "岗位职责": COL_TASK,
    "背景审核": COL_BACKGROUND,
    "政审": COL_BACKGROUND,
    "培训": COL_TRAINING,
    "培训情况": COL_TRAINING,
    "编号": COL_SEQ,
}
_BACKGROUND_VALUES = {
    "通过": "passed",
    "合格": "passed",
    "未通过": "failed",
    "不通过": "failed",
    "不合格": "failed",
    "待审": "pending",
    "审查中": "pending",
}
_TRAINING_VALUES = {
    "已培训": True,
    "是": True,
    "通过": True,
    "合格": True,
    "已完成": True,
    "未培训": False,
    "否": False,
    "未完成": False,
}
_PHONE = re.compile(r"^1\d{10}$")
# A phone number as people write it: an optional leading + (international form), then digits
# with spaces, dashes or brackets between them; "+86 138 1234 5678" is a number, not a formula.
_PHONE_NUMBER = re.compile(r"^\+?\d{3,15}$")
# Text columns where a formula-looking value is reported as one (ID and phone have own rules).
_FORMULA_CHECKED = (
    COL_NAME, COL_GENDER, COL_CERT, COL_COMPANY, COL_POST, COL_TASK, COL_BACKGROUND, COL_TRAINING,
)
_ZONE = re.compile(r"^(.+?区)")

# ------------------------------------------------------------------------------- limits
# A roster is a list of people, and the largest real events (a city marathon) bring 5,000 to
# 10,000 guards. Past these limits a file is no roster but a mistake or an attack, and reading
# on would take minutes and gigabytes (20 million empty rows took 255 s and 5.1 GB): reading
# stops at once and the file is refused, saying which limit it passed and what to do.
MAX_ROSTER_ROWS = 20_000
"""Rows holding anything, title and header included: twice the largest real event."""
MAX_SHEET_ROWS = 50_000
"""Rows in all, empty ones included: room for blank lines between a company's groups."""
MAX_COLUMNS = 40
"""A roster has 11 columns; a company's own extras (notes, shifts) stay under a few dozen."""
MAX_CELL_CHARS = 2_000
"""Names, ID and certificate numbers, posts take under 100 characters, a note a few hundred."""
MAX_TABLE_CHARS = 16_000_000
"""All cells together: 20,000 rows of 11 columns average under 20 characters (4.4 million)."""
MAX_CSV_ROW_CHARS = 120_000
"""One CSV record, line breaks inside quotes included: 40 full cells fit; under the csv
module's own 131,072-character field limit, so that a long cell gets this module's message."""
# An .xlsx is a zip of XML parts. Before openpyxl opens it, the zip's directory is checked
# (how many parts, how large each unpacks, how far it is packed), then every part is unpacked
# in bounded pieces and compared with what the directory says (a part that unpacks to more is
# a lying header: openpyxl's zipfile would inflate it whole), and every XML part streams
# through expat, which counts the rows, cells and characters openpyxl would build.
MAX_XLSX_PARTS = 2_000  # a workbook has a dozen parts, a few hundred with pictures
MAX_XLSX_DIRECTORY_BYTES = 1 << 20  # the zip's table of contents, which zipfile reads whole
MAX_XLSX_PART_BYTES = 32 << 20  # one part unpacked: a 20,000-row sheet is about 13 MB
MAX_XLSX_UNPACKED_BYTES = 256 << 20  # all parts together, embedded pictures included
MAX_XLSX_RATIO = 200  # XML packs 5-20 times; a part over 1 MB packed 200 times is a bomb
MAX_SHARED_STRINGS = 200_000  # the workbook's distinct texts: 20,000 rows of 10 columns
MAX_ROW_ELEMENTS = 20_000  # XML elements in one row (cells with formatting only included)
MAX_SHEET_ELEMENTS = 10_000  # a sheet's elements around its rows (merged cells, rules)
MAX_SHEET_RANGES = 10_000  # cell ranges its rules apply to: openpyxl makes an object of each
MAX_XML_ELEMENTS = 50_000  # of any other part: 50,000 cell formats take openpyxl 80 MB
MAX_XML_ATTRIBUTE_CHARS = 65_536  # one attribute (a long list of ranges is a few KB)
_CHUNK = 64 * 1024
_RATIO_FROM_BYTES = 1 << 20


# The longest value the profile keeps of each (app/profile/models.py Guard, Post, Company columns).
MAX_NAME_CHARS = 100
MAX_CERT_CHARS = 50
MAX_COMPANY_CHARS = 200
MAX_POST_CHARS = 200
MAX_PHONE_CHARS = 30
MAX_GENDER_CHARS = 4


class RosterFileError(UserError):
    """The file cannot be read as a roster at all (wrong format, no header row...)."""


@dataclass(frozen=True, slots=True)  # a broken 20,000-row roster has 200,000 of them
class Problem:
    row: int
    column: str
    severity: str  # "error" or "warning"
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass
class RosterRow:
    row: int
    name: str
    gender: str
    id_number: str
    cert_no: str
    company: str
    post: str
    task_type: str
    phone: str
    background_check: str
    trained: bool
    has_error: bool = False


@dataclass
class RosterReport:
    source: str
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    main_company: str = ""

    @property
    def valid_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.has_error]

    @property
    def error_count(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def summary(self) -> dict[str, object]:
        return {
            "rows": len(self.rows),
            "valid": len(self.valid_rows),
            "problems": [p.as_dict() for p in self.problems],
        }


def _n(number: int) -> str:
    return f"{number:,}"


def _cell_name(row: int, column: int) -> str:
    """D12: the cell as a spreadsheet program names it."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _column_number(reference: str) -> int:
    """The column of a cell reference (D12 -> 4); 0 when it names none."""
    number = 0
    for char in reference:
        if not "A" <= char <= "Z" or number > 16_384:
            break
        number = number * 26 + ord(char) - ord("A") + 1
    return number


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------- the refusals
def _too_many_rows(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it holds more than {limit} rows with "
        "content, and a roster takes at most {limit} guards. Split it into several files and "
        "import them one after the other").format(file=file_name, limit=_n(MAX_ROSTER_ROWS)))


def _too_many_empty_rows(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it goes on for more than {limit} rows, "
        "most of them empty. Delete the empty rows below the list (or copy the list into a "
        "new workbook) and save it again").format(file=file_name, limit=_n(MAX_SHEET_ROWS)))


def _too_many_columns(file_name: str, row: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: row {row} has more than {limit} columns, "
        "and a roster has about a dozen. Check that this is the roster, delete the columns it "
        "does not need and save it again").format(file=file_name, row=row,
                                                  limit=_n(MAX_COLUMNS)))


def _cell_too_long(file_name: str, cell: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: cell {cell} holds more than {limit} "
        "characters, and a name, number or post takes a few dozen. Check that this is the "
        "roster and save it again from the spreadsheet program").format(
            file=file_name, cell=cell, limit=_n(MAX_CELL_CHARS)))


def _text_too_long(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: one of its texts holds more than {limit} "
        "characters, and a name, number or post takes a few dozen. Check that this is the "
        "roster and save it again from the spreadsheet program").format(
            file=file_name, limit=_n(MAX_CELL_CHARS)))


def _too_much_text(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its cells hold more than {limit} "
        "characters in all. Split it into several files and import them one after the other")
        .format(file=file_name, limit=_n(MAX_TABLE_CHARS)))


def _too_many_texts(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it holds more than {limit} different "
        "texts. Split it into several files and import them one after the other").format(
            file=file_name, limit=_n(MAX_SHARED_STRINGS)))


def _row_too_long(file_name: str, row: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: row {row} holds more than {limit} "
        "characters, and a roster's row takes a few hundred. Check that this is the roster "
        "and save it again from the spreadsheet program").format(
            file=file_name, row=row, limit=_n(MAX_CSV_ROW_CHARS)))


def _part_too_large(file_name: str, part: str, size: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it unpacks to far more data than a "
        "roster holds ({part} unpacks to {size} MB). Delete the empty rows and columns around "
        "the list (or copy the list into a new workbook) and save it again").format(
            file=file_name, part=part, size=_n(max(1, round(size / 2**20)))))


def _too_many_parts(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its zip directory lists more than {limit} "
        "parts or is larger than {size} KB, and a workbook has a few dozen parts. Copy the "
        "list into a new workbook and save it again").format(
            file=file_name, limit=_n(MAX_XLSX_PARTS), size=_n(MAX_XLSX_DIRECTORY_BYTES // 1024)))


def _package_too_large(file_name: str, size: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it unpacks to {size} MB, far more than a "
        "roster holds. Copy the list into a new workbook and save it again").format(
            file=file_name, size=_n(round(size / 2**20))))


def _part_too_complex(file_name: str, part: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its part {part} holds far more than a "
        "roster needs. Copy the list into a new workbook and save it again").format(
            file=file_name, part=part))


def _part_damaged(file_name: str, part: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its part {part} is damaged or is not "
        "what an Excel workbook holds. Save the roster again from the spreadsheet program")
        .format(file=file_name, part=part))


# ---------------------------------------------------------------------- rows into a table
def _collect_rows(file_name: str,
                  rows: Iterable[Sequence[object]]) -> list[tuple[int, list[object]]]:
    """The table of a roster file, numbered as a spreadsheet program numbers the rows.

    Reading stops at the first row past a limit. Empty cells at the end of a row (formatting,
    a CSV's trailing commas) are no columns; an empty row is kept as an empty list, so that
    the rows keep their numbers.
    """
    table: list[tuple[int, list[object]]] = []
    filled = total_chars = 0
    for row_no, values in enumerate(rows, start=1):
        if row_no > MAX_SHEET_ROWS:
            _too_many_empty_rows(file_name)
        cells = list(values)
        end = len(cells)
        while end and _is_empty(cells[end - 1]):
            end -= 1
        if end == 0:
            table.append((row_no, []))
            continue
        if end > MAX_COLUMNS:
            _too_many_columns(file_name, row_no)
        del cells[end:]
        filled += 1
        if filled > MAX_ROSTER_ROWS:
            _too_many_rows(file_name)
        for column, value in enumerate(cells, start=1):
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    _cell_too_long(file_name, _cell_name(row_no, column))
                total_chars += len(value)
        if total_chars > MAX_TABLE_CHARS:
            _too_much_text(file_name)
        table.append((row_no, cells))
    return table


# ---------------------------------------------------------------------- .xlsx
class _XmlPartScan:
    """Counts what openpyxl would build from one XML part while the part streams through
    expat, without building it: the rows, cells and characters of a sheet, the texts of the
    shared strings, the elements of any other part. Refuses at the first limit passed.

    The handlers run for every element of a sheet: they are written for speed (the common
    unprefixed names first, a column worked out only for a cell named with two letters)."""

    def __init__(self, file_name: str, part: str) -> None:
        self.file_name = file_name
        self.part = part
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True  # one call per text, not one per line of it
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.root = ""
        self.elements = 0  # outside a sheet's rows and the shared strings' items
        self.in_rows = False  # inside a sheet's <sheetData>
        self.in_texts = False  # inside the shared strings, from the first <si>
        self.rows = self.row_no = self.filled_rows = 0
        self.row_elements = 0  # in the current row, or in the current shared string
        self.row_filled = False
        self.column = 0  # of a cell named without a reference; 0: see self.cell
        self.cell = ""  # the current cell's reference (D12)
        self.texts = 0  # the shared strings' <si>
        self.in_text = 0  # inside a cell's <v> or <t>, or a shared string's <t>
        self.chars = 0  # of the current cell or shared string
        self.total_chars = 0
        self.ranges = 0
        self.broken = False  # expat gave up: what follows is counted by its "<"
        self.markup_after_break = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        if self.broken:
            self.markup_after_break += data.count(b"<")
        else:
            try:
                self.parser.Parse(data, final)
            except expat.ExpatError:
                # Not XML after all, or XML expat rejects: openpyxl's own expat stops at the
                # same place. Its other parser (lxml, for the workbook and the styles) may
                # accept more, so what follows may hold only a bounded number of elements.
                self.broken = True
                self.markup_after_break += data.count(b"<")
        if self.markup_after_break > MAX_XML_ELEMENTS:
            _part_damaged(self.file_name, self.part)

    def _doctype(self, *_args: object) -> None:
        # No part of a workbook declares a document type; one that does may expand entities.
        _part_damaged(self.file_name, self.part)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        for value in attributes.values():
            if len(value) > MAX_XML_ATTRIBUTE_CHARS:
                _part_too_complex(self.file_name, self.part)
        if self.in_rows:
            if name == "c":
                self.row_elements += 1
                reference = attributes.get("r")
                if reference:
                    self.cell = reference
                    self.column = 0
                else:  # the cell after the previous one, as openpyxl counts
                    self.column = (self.column or _column_number(self.cell)) + 1
                    self.cell = ""
                self.chars = 0
            elif name == "row":
                self.rows += 1
                number = attributes.get("r", "")
                self.row_no = (int(number) if number.isdigit() and len(number) < 12
                               else self.row_no + 1)
                if self.row_no > MAX_SHEET_ROWS or self.rows > MAX_SHEET_ROWS:
                    _too_many_empty_rows(self.file_name)
                self.row_elements = 0
                self.row_filled = False
                self.column = 0
                self.cell = ""
                return
            else:
                self.row_elements += 1
                if name == "v" or name == "t":
                    self.in_text += 1
            if self.row_elements > MAX_ROW_ELEMENTS:
                _too_many_columns(self.file_name, self.row_no)
            return
        if self.in_texts:
            if name == "si":
                self.texts += 1
                if self.texts > MAX_SHARED_STRINGS:
                    _too_many_texts(self.file_name)
                self.row_elements = 0
                self.chars = 0
                return
            self.row_elements += 1
            if self.row_elements > MAX_ROW_ELEMENTS:
                _part_too_complex(self.file_name, self.part)
            if name == "t":
                self.in_text += 1
            return
        if not self.root:
            self.root = name
        elif name == "sheetData" and self.root == "worksheet":
            self.in_rows = True
        elif name == "si" and self.root == "sst":
            self.in_texts = True
            self._start(name, attributes)
            return
        self.elements += 1
        if self.elements > (MAX_SHEET_ELEMENTS if self.root == "worksheet" else MAX_XML_ELEMENTS):
            _part_too_complex(self.file_name, self.part)
        ranges = attributes.get("sqref")  # "A1:A9 C3 D4:D8": three objects in openpyxl
        if ranges:
            self.ranges += ranges.count(" ") + 1
            if self.ranges > MAX_SHEET_RANGES:
                _part_too_complex(self.file_name, self.part)

    def _end(self, name: str) -> None:
        if self.in_text and (name == "v" or name == "t" or name.endswith((":v", ":t"))):
            self.in_text -= 1
        elif self.in_rows and (name == "row" or name.endswith(":row")):
            if self.row_filled:
                self.filled_rows += 1
                if self.filled_rows > MAX_ROSTER_ROWS:
                    _too_many_rows(self.file_name)
        elif self.in_rows and name.rpartition(":")[2] == "sheetData":
            self.in_rows = False

    def _cell_column(self) -> int:
        if self.column:
            return self.column
        if self.cell[1:2].isalpha():  # two letters or more: AA is column 27
            return _column_number(self.cell)
        return 1  # A to Z: no more than 26 columns, under the limit

    def _text(self, data: str) -> None:
        if not self.in_text:
            return
        self.chars += len(data)
        self.total_chars += len(data)
        if self.chars > MAX_CELL_CHARS:
            if not self.in_rows:
                _text_too_long(self.file_name)
            _cell_too_long(self.file_name,
                           self.cell or _cell_name(self.row_no, self._cell_column()))
        if self.total_chars > MAX_TABLE_CHARS:
            _too_much_text(self.file_name)
        if self.in_rows and not data.isspace():
            self.row_filled = True
            if self._cell_column() > MAX_COLUMNS:
                _too_many_columns(self.file_name, self.row_no)


def _looks_like_xml(start: bytes) -> bool:
    """An XML part (possibly UTF-16), as opposed to a picture or a binary part."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    text = start.removeprefix(b"\xef\xbb\xbf").lstrip()
    return not text or text.startswith(b"<")


def _check_zip_directory(handle: BinaryIO, file_name: str) -> None:
    """The zip's end record: zipfile reads the whole directory it points to into memory."""
    handle.seek(0, 2)
    size = handle.tell()
    tail_size = min(size, 22 + 65_535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # no zip at all: zipfile says so
    _sig, _disk, _cd_disk, _here, entries, directory_size, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at:at + 22])
    if entries > MAX_XLSX_PARTS or directory_size > MAX_XLSX_DIRECTORY_BYTES:
        _too_many_parts(file_name)


def _unpacked(handle: BinaryIO, info: zipfile.ZipInfo, file_name: str) -> Iterator[bytes]:
    """A part's bytes in pieces of at most 64 KB, read from its local header as zipfile does,
    inflated with a bound on every call (zipfile's read() inflates up to 1 GB at once)."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        _part_damaged(file_name, info.filename)
    name_size, extra_size = struct.unpack("<2H", header[26:30])
    handle.seek(info.header_offset + 30 + name_size + extra_size)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            data = handle.read(min(_CHUNK, left))
            if not data:
                _part_damaged(file_name, info.filename)
            left -= len(data)
            yield data
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while True:
        if inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif left > 0:
            data = handle.read(min(_CHUNK, left))
            if not data:
                _part_damaged(file_name, info.filename)
            left -= len(data)
        else:
            data = b""  # what zlib still holds back
        try:
            out = inflater.decompress(data, _CHUNK)
        except zlib.error:
            _part_damaged(file_name, info.filename)
        if out:
            yield out
        if inflater.eof or (not out and not data):
            return


def _check_xlsx_package(handle: BinaryIO, file_name: str) -> None:
    """Refuse a workbook that would take openpyxl more than bounded memory, before it opens
    it: too many or too large parts, a part packed like a bomb or unpacking to more than the
    zip's directory says, a sheet with too many rows, columns or characters."""
    _check_zip_directory(handle, file_name)
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except Exception as exc:  # zipfile's own errors, and what a crafted directory raises
        raise RosterFileError(
            translate("Roster", "Cannot read {file} as an Excel workbook: {error}").format(
                file=file_name, error=exc)) from None
    if len(infos) > MAX_XLSX_PARTS:
        _too_many_parts(file_name)
    for info in infos:
        if info.file_size > MAX_XLSX_PART_BYTES or (
                info.file_size > _RATIO_FROM_BYTES
                and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1)):
            _part_too_large(file_name, info.filename, info.file_size)
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        _package_too_large(file_name, unpacked)
    for info in infos:
        if info.flag_bits & 0x1:
            raise RosterFileError(translate(
                "Roster", "{file} is protected by a password: open it in the spreadsheet "
                "program, remove the password and save it again").format(file=file_name))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _part_damaged(file_name, info.filename)
        _scan_part(handle, info, file_name)


def _scan_part(handle: BinaryIO, info: zipfile.ZipInfo, file_name: str) -> None:
    scan: _XmlPartScan | None = None
    produced = crc = 0
    for piece in _unpacked(handle, info, file_name):
        if produced == 0 and _looks_like_xml(piece[:64]):
            scan = _XmlPartScan(file_name, info.filename)
        produced += len(piece)
        if produced > info.file_size:  # a lying size: zipfile would inflate it whole
            _part_damaged(file_name, info.filename)
        crc = zlib.crc32(piece, crc)
        if scan is not None:
            scan.feed(piece)
    if produced != info.file_size or crc != info.CRC:
        _part_damaged(file_name, info.filename)
    if scan is not None:
        scan.feed(b"", final=True)


def _read_xlsx(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    with path.open("rb") as handle:  # the file checked is the file read
        _check_xlsx_package(handle, path.name)
        handle.seek(0)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise RosterFileError(
                translate("Roster", "Cannot read {file} as an Excel workbook: {error}").format(
                    file=path.name, error=exc
                )
            ) from exc
        try:
            if not workbook.worksheets:
                raise RosterFileError(translate(
                    "Roster", "{file} holds no worksheet: save the roster again as an Excel "
                    "workbook with the list on its first sheet").format(file=path.name))
            sheet = workbook.worksheets[0]
            # The rows are read as they are, whatever <dimension> claims: a claimed 20 million
            # rows no longer matters, and a dimension too small no longer hides rows.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            return _collect_rows(path.name, _openpyxl_rows(rows, path.name))
        finally:
            workbook.close()


def _openpyxl_rows(rows: Iterator[tuple[object, ...]],
                   file_name: str) -> Iterator[tuple[object, ...]]:
    """openpyxl's rows, with its errors on a damaged sheet said as a roster file error."""
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            raise RosterFileError(
                translate("Roster", "Cannot read {file} as an Excel workbook: {error}").format(
                    file=file_name, error=exc)) from exc
        yield values


# ---------------------------------------------------------------------- .csv
def _csv_records(stream: TextIO, file_name: str, dialect: type[csv.Dialect] | csv.Dialect,
                 delimiter: dict[str, str]) -> Iterator[list[str]]:
    """The file's records, read line by line: a record (its quoted line breaks included)
    longer than MAX_CSV_ROW_CHARS is refused before the csv module holds it whole."""
    used = 0
    record_no = 1

    def lines() -> Iterator[str]:
        nonlocal used
        while line := stream.readline(MAX_CSV_ROW_CHARS + 1):
            used += len(line)
            if used > MAX_CSV_ROW_CHARS:
                _row_too_long(file_name, record_no)
            if "\x00" in line:  # binary data (Python 3.11's csv module would take it)
                raise csv.Error("NUL")
            yield line

    for record in csv.reader(lines(), dialect, **delimiter):
        yield record
        used = 0
        record_no += 1


def _read_csv(path: Path) -> list[tuple[int, list[object]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding, newline="") as stream:
                return _read_csv_stream(stream, path.name)
        except UnicodeDecodeError:
            continue  # read again from the start in the next encoding
    raise RosterFileError(
        translate("Roster", "{file} is neither UTF-8 nor GB18030 text").format(file=path.name)
    )


def _read_csv_stream(stream: TextIO, file_name: str) -> list[tuple[int, list[object]]]:
    sample = stream.read(4096)
    stream.seek(0)
    delimiter: dict[str, str] = {}
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;")
    except csv.Error:
        # A title row above the header defeats the sniffer: take the most frequent delimiter.
        dialect = csv.excel
        delimiter = {"delimiter": max(",\t;", key=sample.count)}
    try:
        return _collect_rows(file_name, _csv_records(stream, file_name, dialect, delimiter))
    except csv.Error:  # a NUL byte, a cell the csv module will not hold: not a roster
        raise RosterFileError(translate(
            "Roster", "{file} cannot be read as a roster: a cell is far too long or the file "
            "holds binary data. Save the roster again from the spreadsheet program")
            .format(file=file_name)) from None


def read_table(path: Path) -> list[tuple[int, list[object]]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RosterFileError(translate("Roster", "File not found: {file}").format(file=str(path)))
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise RosterFileError(
        translate("Roster", "{file}: only .xlsx and .csv rosters are supported").format(
            file=path.name
        )
    )


def _canonical_header(cell: object) -> str:
    text = re.sub(r"\s+", "", normalise_text(cell))
    return _HEADER_ALIASES.get(text, text)


def _find_header(table: list[tuple[int, list[object]]]) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] | None = None
    for position, (_row_no, cells) in enumerate(table[:30]):
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            header = _canonical_header(cell)
            if header in COLUMNS and header not in columns:
                columns[header] = index
        if len(columns) >= 3 and (best is None or len(columns) > len(best[1])):
            best = (position, columns)
    if best is None:
        raise RosterFileError(
            translate(
                "Roster", "No header row found: expected columns such as 姓名, 身份证号, 保安员证号"
            )
        )
    return best


def check_roster(path: str | Path, main_company: str | None = None) -> RosterReport:
    """Read and validate a roster; nothing is written anywhere."""
    path = Path(path)
    table = read_table(path)
    header_position, columns = _find_header(table)
    report = RosterReport(source=str(path))
    header_row_no = table[header_position][0]
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            report.problems.append(
                Problem(
                    header_row_no,
                    column,
                    "error",
                    translate("Roster", "Required column is missing"),
                )
            )
    if report.problems:
        return report

    def cell(cells: list[object], column: str) -> object:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    parsed: list[tuple[RosterRow, list[object]]] = []
    for row_no, cells in table[header_position + 1 :]:
        content = [normalise_text(cell(cells, c)) for c in COLUMNS if c != COL_SEQ]
        if not any(content):
            continue  # blank line, perhaps with only a 序号 left in it
        parsed.append((_parse_row(row_no, cells, cell, report), cells))

    companies = Counter(row.company for row, _ in parsed if row.company)
    roster_company = companies.most_common(1)[0][0] if companies else ""
    if main_company and (main_company in companies or not roster_company):
        report.main_company = main_company
    else:
        report.main_company = roster_company
        if main_company:
            # One warning for the whole file rather than one on every row.
            report.problems.append(Problem(header_row_no, COL_COMPANY, "warning", translate(
                "Roster", "The roster's company {roster} is not the event's contracted "
                "company {company}").format(roster=roster_company, company=main_company)))
    _check_across_rows(report, [row for row, _ in parsed])
    report.rows = [row for row, _ in parsed]
    report.problems.sort(
        key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 99)
    )
    return report


def _parse_row(
    row_no: int,
    cells: list[object],
    cell: Callable[[list[object], str], object],
    report: RosterReport,
) -> RosterRow:
    problems = report.problems
    first_problem = len(problems)

    def error(column: str, message: str) -> None:
        problems.append(Problem(row_no, column, "error", message))

    def warning(column: str, message: str) -> None:
        problems.append(Problem(row_no, column, "warning", message))

    # A text cell a spreadsheet would run (=cmd|' /C calc'!A0, @SUM(...), +..., -2+3) is no
    # name, company or post: the row is not imported, and so never reaches a file HQ opens.
    formula_message = translate(
        "Roster",
        "Starts with =, +, - or @: a spreadsheet would run it as a formula; "
        "type the real value",
    )
    formulas = {c for c in (*_FORMULA_CHECKED, COL_ID) if looks_like_formula(cell(cells, c))}
    for column in _FORMULA_CHECKED:
        if column in formulas:
            error(column, formula_message)

    name = re.sub(r"\s+", "", normalise_text(cell(cells, COL_NAME)))
    if not name:
        error(COL_NAME, translate("Roster", "Name is missing"))

    raw_id = cell(cells, COL_ID)
    id_number = normalise_id_number(raw_id)
    id_problem = id_number_problem(id_number)
    if COL_ID in formulas:
        error(COL_ID, formula_message)
    elif isinstance(raw_id, float):  # 15 significant digits: the damaged number may still pass
        error(
            COL_ID,
            translate(
                "Roster",
                "ID number was stored as a number and lost digits ({value}); "
                "format the column as text and type it again",
            ).format(value=raw_id),
        )
    elif id_problem == "missing":
        error(COL_ID, translate("Roster", "ID number is missing"))
    elif id_problem == "length":
        error(
            COL_ID,
            translate("Roster", "ID number has {count} characters, 18 are needed").format(
                count=len(id_number)
            ),
        )
    elif id_problem == "chars":
        error(COL_ID, translate("Roster", "ID number may only hold digits and a final X"))
    elif id_problem == "check_digit":
        error(
            COL_ID,
            translate("Roster", "ID number check digit is wrong (GB 11643): a digit was mistyped"),
        )

    cert_no = re.sub(r"\s+", "", normalise_text(cell(cells, COL_CERT))).upper()
    if COL_CERT in formulas:
        pass
    elif not cert_no:
        error(COL_CERT, translate("Roster", "Certificate number is missing"))
    elif not cert_key(cert_no):
        error(COL_CERT, translate("Roster", "Certificate number has no digits or letters"))

    company = re.sub(r"\s+", "", normalise_text(cell(cells, COL_COMPANY)))
    if not company:
        error(COL_COMPANY, translate("Roster", "Company is missing"))

    gender = normalise_text(cell(cells, COL_GENDER))
    if gender and gender not in ("男", "女") and COL_GENDER not in formulas:
        warning(COL_GENDER, translate("Roster", "Gender should be 男 or 女"))

    post = re.sub(r"\s+", "", normalise_text(cell(cells, COL_POST)))
    task_type = re.sub(r"\s+", "", normalise_text(cell(cells, COL_TASK)))
    if COL_TASK in formulas:
        task_type = ""
    elif task_type and task_type not in TASK_TYPES:
        warning(
            COL_TASK,
            translate(
                "Roster",
                "Unknown task type; expected one of 安检, 验票, 巡逻, 守卫, "
                "秩序维护; the guard is imported without a post",
            ),
        )
        task_type = ""

    phone_text = normalise_text(cell(cells, COL_PHONE))
    phone = re.sub(r"[\s()-]+", "", phone_text)
    if looks_like_formula(cell(cells, COL_PHONE)) and not _PHONE_NUMBER.match(phone):
        error(COL_PHONE, formula_message)
        phone = ""
    elif phone.startswith("+86") and _PHONE.match(phone[3:]):
        phone = phone[3:]
    if phone and not _PHONE.match(phone):
        warning(
            COL_PHONE,
            translate("Roster", "Phone number does not look like an 11-digit mobile number"),
        )

    background_text = normalise_text(cell(cells, COL_BACKGROUND))
    background = _BACKGROUND_VALUES.get(background_text, "pending")
    if COL_BACKGROUND in formulas:
        pass
    elif not background_text:
        warning(
            COL_BACKGROUND, translate("Roster", "Background check not recorded: treated as pending")
        )
    elif background_text not in _BACKGROUND_VALUES:
        warning(
            COL_BACKGROUND,
            translate("Roster", "Background check value not understood: treated as pending"),
        )

    training_text = normalise_text(cell(cells, COL_TRAINING))
    trained = _TRAINING_VALUES.get(training_text, False)
    if COL_TRAINING in formulas:
        pass
    elif not training_text:
        warning(
            COL_TRAINING,
            translate("Roster", "Pre-job training not recorded: treated as not trained"),
        )
    elif training_text not in _TRAINING_VALUES:
        warning(
            COL_TRAINING,
            translate("Roster", "Training value not understood: treated as not trained"),
        )

    # Longer than the profile's column: such a row would be kept on the laptop and then
    # refused by headquarters on every sync, so it is refused here, where it can be fixed.
    for column, value, limit in ((COL_NAME, name, MAX_NAME_CHARS),
                                 (COL_CERT, cert_no, MAX_CERT_CHARS),
                                 (COL_COMPANY, company, MAX_COMPANY_CHARS),
                                 (COL_POST, post, MAX_POST_CHARS)):
        if len(value) > limit:
            error(column, translate("Roster", "Longer than {count} characters: no real "
                                    "value is; check the cell").format(count=limit))
    if len(phone) > MAX_PHONE_CHARS:
        phone = ""  # the warning above said it is no mobile number
    if len(gender) > MAX_GENDER_CHARS:
        gender = ""  # the warning above said it should be 男 or 女

    has_error = any(p.severity == "error" for p in problems[first_problem:])
    return RosterRow(
        row=row_no,
        name=name,
        gender=gender,
        id_number=id_number,
        cert_no=cert_no,
        company=company,
        post=post,
        task_type=task_type,
        phone=phone,
        background_check=background,
        trained=trained,
        has_error=has_error,
    )


def _check_across_rows(report: RosterReport, rows: list[RosterRow]) -> None:
    seen_lines: dict[tuple[object, ...], int] = {}
    seen_certs: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    post_types: dict[str, tuple[str, int]] = {}
    for row in rows:
        line = (
            row.name,
            row.gender,
            row.id_number,
            row.cert_no,
            row.company,
            row.post,
            row.task_type,
            row.phone,
            row.background_check,
            row.trained,
        )
        if line in seen_lines:
            report.problems.append(
                Problem(
                    row.row,
                    COL_CERT,
                    "error",
                    translate("Roster", "Duplicated line: the same guard as row {row}").format(
                        row=seen_lines[line]
                    ),
                )
            )
            row.has_error = True
            continue
        seen_lines[line] = row.row
        key = cert_key(row.cert_no)
        if key:
            if key in seen_certs:
                report.problems.append(
                    Problem(
                        row.row,
                        COL_CERT,
                        "error",
                        translate("Roster", "Certificate number already used in row {row}").format(
                            row=seen_certs[key]
                        ),
                    )
                )
                row.has_error = True
            else:
                seen_certs[key] = row.row
        if row.id_number and not id_number_problem(row.id_number):
            if row.id_number in seen_ids:
                report.problems.append(
                    Problem(
                        row.row,
                        COL_ID,
                        "error",
                        translate("Roster", "ID number already used in row {row}").format(
                            row=seen_ids[row.id_number]
                        ),
                    )
                )
                row.has_error = True
            else:
                seen_ids[row.id_number] = row.row
        if row.company and report.main_company and row.company != report.main_company:
            report.problems.append(
                Problem(
                    row.row,
                    COL_COMPANY,
                    "warning",
                    translate(
                        "Roster",
                        "Guard of another company than {company}: check for subcontracting or "
                        "borrowed guards",
                    ).format(company=report.main_company),
                )
            )
        if row.post and row.task_type:
            first = post_types.setdefault(row.post, (row.task_type, row.row))
            if first[0] != row.task_type:
                report.problems.append(
                    Problem(
                        row.row,
                        COL_TASK,
                        "warning",
                        translate(
                            "Roster",
                            "Post {post} has task type {first} in row {row}; this row's type is "
                            "ignored",
                        ).format(post=row.post, first=first[0], row=first[1]),
                    )
                )
                row.task_type = first[0]


def zone_of(post_name: str) -> str:
    match = _ZONE.match(post_name)
    return match.group(1) if match else ""

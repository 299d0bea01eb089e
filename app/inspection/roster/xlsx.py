"""Reading an .xlsx roster in bounded memory: the zip package and its XML parts are checked
before openpyxl opens the workbook, then the first sheet's rows are read into a table."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from app.i18n import translate
from app.inspection.roster.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROSTER_ROWS,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ELEMENTS,
    MAX_SHEET_RANGES,
    MAX_SHEET_ROWS,
    MAX_TABLE_CHARS,
    MAX_XLSX_DIRECTORY_BYTES,
    MAX_XLSX_PART_BYTES,
    MAX_XLSX_PARTS,
    MAX_XLSX_RATIO,
    MAX_XLSX_UNPACKED_BYTES,
    MAX_XML_ATTRIBUTE_CHARS,
    MAX_XML_ELEMENTS,
    cell_name,
    cell_too_long,
    collect_rows,
    column_number,
    package_too_large,
    part_damaged,
    part_too_complex,
    part_too_large,
    text_too_long,
    too_many_columns,
    too_many_empty_rows,
    too_many_parts,
    too_many_rows,
    too_many_texts,
    too_much_text,
)
from app.inspection.roster.report import RosterFileError

_CHUNK = 64 * 1024
_RATIO_FROM_BYTES = 1 << 20


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
            part_damaged(self.file_name, self.part)

    def _doctype(self, *_args: object) -> None:
        # No part of a workbook declares a document type; one that does may expand entities.
        part_damaged(self.file_name, self.part)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        for value in attributes.values():
            if len(value) > MAX_XML_ATTRIBUTE_CHARS:
                part_too_complex(self.file_name, self.part)
        if self.in_rows:
            if name == "c":
                self.row_elements += 1
                reference = attributes.get("r")
                if reference:
                    self.cell = reference
                    self.column = 0
                else:  # the cell after the previous one, as openpyxl counts
                    self.column = (self.column or column_number(self.cell)) + 1
                    self.cell = ""
                self.chars = 0
            elif name == "row":
                self.rows += 1
                number = attributes.get("r", "")
                self.row_no = (int(number) if number.isdigit() and len(number) < 12
                               else self.row_no + 1)
                if self.row_no > MAX_SHEET_ROWS or self.rows > MAX_SHEET_ROWS:
                    too_many_empty_rows(self.file_name)
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
                too_many_columns(self.file_name, self.row_no)
            return
        if self.in_texts:
            if name == "si":
                self.texts += 1
                if self.texts > MAX_SHARED_STRINGS:
                    too_many_texts(self.file_name)
                self.row_elements = 0
                self.chars = 0
                return
            self.row_elements += 1
            if self.row_elements > MAX_ROW_ELEMENTS:
                part_too_complex(self.file_name, self.part)
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
            part_too_complex(self.file_name, self.part)
        ranges = attributes.get("sqref")  # "A1:A9 C3 D4:D8": three objects in openpyxl
        if ranges:
            self.ranges += ranges.count(" ") + 1
            if self.ranges > MAX_SHEET_RANGES:
                part_too_complex(self.file_name, self.part)

    def _end(self, name: str) -> None:
        if self.in_text and (name == "v" or name == "t" or name.endswith((":v", ":t"))):
            self.in_text -= 1
        elif self.in_rows and (name == "row" or name.endswith(":row")):
            if self.row_filled:
                self.filled_rows += 1
                if self.filled_rows > MAX_ROSTER_ROWS:
                    too_many_rows(self.file_name)
        elif self.in_rows and name.rpartition(":")[2] == "sheetData":
            self.in_rows = False

    def _cell_column(self) -> int:
        if self.column:
            return self.column
        if self.cell[1:2].isalpha():  # two letters or more: AA is column 27
            return column_number(self.cell)
        return 1  # A to Z: no more than 26 columns, under the limit

    def _text(self, data: str) -> None:
        if not self.in_text:
            return
        self.chars += len(data)
        self.total_chars += len(data)
        if self.chars > MAX_CELL_CHARS:
            if not self.in_rows:
                text_too_long(self.file_name)
            cell_too_long(self.file_name,
                           self.cell or cell_name(self.row_no, self._cell_column()))
        if self.total_chars > MAX_TABLE_CHARS:
            too_much_text(self.file_name)
        if self.in_rows and not data.isspace():
            self.row_filled = True
            if self._cell_column() > MAX_COLUMNS:
                too_many_columns(self.file_name, self.row_no)


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
        too_many_parts(file_name)


def _unpacked(handle: BinaryIO, info: zipfile.ZipInfo, file_name: str) -> Iterator[bytes]:
    """A part's bytes in pieces of at most 64 KB, read from its local header as zipfile does,
    inflated with a bound on every call (zipfile's read() inflates up to 1 GB at once)."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        part_damaged(file_name, info.filename)
    name_size, extra_size = struct.unpack("<2H", header[26:30])
    handle.seek(info.header_offset + 30 + name_size + extra_size)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            data = handle.read(min(_CHUNK, left))
            if not data:
                part_damaged(file_name, info.filename)
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
                part_damaged(file_name, info.filename)
            left -= len(data)
        else:
            data = b""  # what zlib still holds back
        try:
            out = inflater.decompress(data, _CHUNK)
        except zlib.error:
            part_damaged(file_name, info.filename)
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
        too_many_parts(file_name)
    for info in infos:
        if info.file_size > MAX_XLSX_PART_BYTES or (
                info.file_size > _RATIO_FROM_BYTES
                and info.file_size > MAX_XLSX_RATIO * max(info.compress_size, 1)):
            part_too_large(file_name, info.filename, info.file_size)
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        package_too_large(file_name, unpacked)
    for info in infos:
        if info.flag_bits & 0x1:
            raise RosterFileError(translate(
                "Roster", "{file} is protected by a password: open it in the spreadsheet "
                "program, remove the password and save it again").format(file=file_name))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            part_damaged(file_name, info.filename)
        _scan_part(handle, info, file_name)


def _scan_part(handle: BinaryIO, info: zipfile.ZipInfo, file_name: str) -> None:
    scan: _XmlPartScan | None = None
    produced = crc = 0
    for piece in _unpacked(handle, info, file_name):
        if produced == 0 and _looks_like_xml(piece[:64]):
            scan = _XmlPartScan(file_name, info.filename)
        produced += len(piece)
        if produced > info.file_size:  # a lying size: zipfile would inflate it whole
            part_damaged(file_name, info.filename)
        crc = zlib.crc32(piece, crc)
        if scan is not None:
            scan.feed(piece)
    if produced != info.file_size or crc != info.CRC:
        part_damaged(file_name, info.filename)
    if scan is not None:
        scan.feed(b"", final=True)


def read_xlsx(path: Path) -> list[tuple[int, list[object]]]:
    # Imported here, not at the top: openpyxl takes about 240 ms to import, which every start
    # of the window and of the command line would pay for an .xlsx read now and then.
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
            return collect_rows(path.name, _openpyxl_rows(rows, path.name))
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

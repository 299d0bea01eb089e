"""What a roster file may hold, and the refusal of one that holds more.

A file past a limit is refused at once, with a message saying which limit it passed and what
to do; the table of a file (``collect_rows``) is built within the limits, row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NoReturn

from app.i18n import translate
from app.inspection.roster.report import RosterFileError

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


def _n(number: int) -> str:
    return f"{number:,}"


def cell_name(row: int, column: int) -> str:
    """D12: the cell as a spreadsheet program names it."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def column_number(reference: str) -> int:
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
def too_many_rows(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it holds more than {limit} rows with "
        "content, and a roster takes at most {limit} guards. Split it into several files and "
        "import them one after the other").format(file=file_name, limit=_n(MAX_ROSTER_ROWS)))


def too_many_empty_rows(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it goes on for more than {limit} rows, "
        "most of them empty. Delete the empty rows below the list (or copy the list into a "
        "new workbook) and save it again").format(file=file_name, limit=_n(MAX_SHEET_ROWS)))


def too_many_columns(file_name: str, row: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: row {row} has more than {limit} columns, "
        "and a roster has about a dozen. Check that this is the roster, delete the columns it "
        "does not need and save it again").format(file=file_name, row=row,
                                                  limit=_n(MAX_COLUMNS)))


def cell_too_long(file_name: str, cell: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: cell {cell} holds more than {limit} "
        "characters, and a name, number or post takes a few dozen. Check that this is the "
        "roster and save it again from the spreadsheet program").format(
            file=file_name, cell=cell, limit=_n(MAX_CELL_CHARS)))


def text_too_long(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: one of its texts holds more than {limit} "
        "characters, and a name, number or post takes a few dozen. Check that this is the "
        "roster and save it again from the spreadsheet program").format(
            file=file_name, limit=_n(MAX_CELL_CHARS)))


def too_much_text(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its cells hold more than {limit} "
        "characters in all. Split it into several files and import them one after the other")
        .format(file=file_name, limit=_n(MAX_TABLE_CHARS)))


def too_many_texts(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it holds more than {limit} different "
        "texts. Split it into several files and import them one after the other").format(
            file=file_name, limit=_n(MAX_SHARED_STRINGS)))


def row_too_long(file_name: str, row: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: row {row} holds more than {limit} "
        "characters, and a roster's row takes a few hundred. Check that this is the roster "
        "and save it again from the spreadsheet program").format(
            file=file_name, row=row, limit=_n(MAX_CSV_ROW_CHARS)))


def part_too_large(file_name: str, part: str, size: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it unpacks to far more data than a "
        "roster holds ({part} unpacks to {size} MB). Delete the empty rows and columns around "
        "the list (or copy the list into a new workbook) and save it again").format(
            file=file_name, part=part, size=_n(max(1, round(size / 2**20)))))


def too_many_parts(file_name: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its zip directory lists more than {limit} "
        "parts or is larger than {size} KB, and a workbook has a few dozen parts. Copy the "
        "list into a new workbook and save it again").format(
            file=file_name, limit=_n(MAX_XLSX_PARTS), size=_n(MAX_XLSX_DIRECTORY_BYTES // 1024)))


def package_too_large(file_name: str, size: int) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: it unpacks to {size} MB, far more than a "
        "roster holds. Copy the list into a new workbook and save it again").format(
            file=file_name, size=_n(round(size / 2**20))))


def part_too_complex(file_name: str, part: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its part {part} holds far more than a "
        "roster needs. Copy the list into a new workbook and save it again").format(
            file=file_name, part=part))


def part_damaged(file_name: str, part: str) -> NoReturn:
    raise RosterFileError(translate(
        "Roster", "{file} cannot be read as a roster: its part {part} is damaged or is not "
        "what an Excel workbook holds. Save the roster again from the spreadsheet program")
        .format(file=file_name, part=part))


# ---------------------------------------------------------------------- rows into a table
def collect_rows(file_name: str,
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
            too_many_empty_rows(file_name)
        cells = list(values)
        end = len(cells)
        while end and _is_empty(cells[end - 1]):
            end -= 1
        if end == 0:
            table.append((row_no, []))
            continue
        if end > MAX_COLUMNS:
            too_many_columns(file_name, row_no)
        del cells[end:]
        filled += 1
        if filled > MAX_ROSTER_ROWS:
            too_many_rows(file_name)
        for column, value in enumerate(cells, start=1):
            if isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    cell_too_long(file_name, cell_name(row_no, column))
                total_chars += len(value)
        if total_chars > MAX_TABLE_CHARS:
            too_much_text(file_name)
        table.append((row_no, cells))
    return table

"""Reading a roster file into its table of numbered rows: the choice by file type, and the
CSV reader (UTF-8 or GB18030, any of the usual delimiters, a record's length bounded)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from app.i18n import translate
from app.inspection.roster.limits import MAX_CSV_ROW_CHARS, collect_rows, row_too_long
from app.inspection.roster.report import RosterFileError
from app.inspection.roster.xlsx import read_xlsx


def _csv_records(stream: TextIO, file_name: str, dialect: type[csv.Dialect] | csv.Dialect,
                 delimiter: str | None) -> Iterator[list[str]]:
    """The file's records, read line by line: a record (its quoted line breaks included)
    longer than MAX_CSV_ROW_CHARS is refused before the csv module holds it whole. A
    ``delimiter`` given replaces the dialect's own."""
    used = 0
    record_no = 1

    def lines() -> Iterator[str]:
        nonlocal used
        while line := stream.readline(MAX_CSV_ROW_CHARS + 1):
            used += len(line)
            if used > MAX_CSV_ROW_CHARS:
                row_too_long(file_name, record_no)
            if "\x00" in line:  # binary data (Python 3.11's csv module would take it)
                raise csv.Error("NUL")
            yield line

    records = (csv.reader(lines(), dialect) if delimiter is None
               else csv.reader(lines(), dialect, delimiter=delimiter))
    for record in records:
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
    delimiter: str | None = None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;")
    except csv.Error:
        # A title row above the header defeats the sniffer: take the most frequent delimiter.
        dialect = csv.excel
        delimiter = max(",\t;", key=sample.count)
    try:
        return collect_rows(file_name, _csv_records(stream, file_name, dialect, delimiter))
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
        return read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise RosterFileError(
        translate("Roster", "{file}: only .xlsx and .csv rosters are supported").format(
            file=path.name
        )
    )

"""Roster files that would eat the machine (issue 10, item 13) are refused at once, with a
message saying which limit and what to do, in bounded memory, and leave no event behind.

The attacks are reproduced through the documented command line (``python -m app roster check
FILE`` and ``python -m app --data-dir D roster import FILE --event NAME``) in a child process
whose peak resident memory is measured; the limits themselves are pinned in process, at the
limit and one past it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import app.inspection.event_changes as workbench_module
from app.inspection.identity import id_check_char
from app.inspection.roster import RosterFileError, check_roster, limits
from app.inspection.roster.table import read_table
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Event, Guard
from tests.conftest import REPO

PEAK_RSS_LIMIT_MB = 300
SECONDS_LIMIT = 30  # "in seconds": the runs below take one to three on a loaded laptop
HEADER = ["序号", "姓名", "性别", "身份证号", "保安员证号", "所属公司", "岗位", "岗位类型",
          "联系电话", "背景审查", "岗前培训"]
MAIN = "盘锦市安盾保安服务有限公司"
# Runs ``python -m app ARGS`` and reports the child's peak resident memory on its last line.
MEASURE = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-m", "app", *sys.argv[1:]]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


# ------------------------------------------------------------------ crafted files
def valid_id(n: int) -> str:
    """A distinct valid ID number for each n under 36,500: born n days after 1 January 1950."""
    born = date(1950, 1, 1) + timedelta(days=n)
    first17 = f"211102{born:%Y%m%d}{1 + n % 999:03d}"
    return first17 + id_check_char(first17)


def guard_line(n: int) -> list[str]:
    return [str(n), f"保安{n}", "男", valid_id(n), f"辽{500000000000 + n}", MAIN,
            f"A区{n % 40}号安检口", "安检", "13912345678", "通过", "已培训"]


def write_csv(path: Path, rows: Iterable[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
        '<sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>'),
}


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_row(number: int, values: Iterable[object]) -> bytes:
    cells = []
    for column, value in enumerate(values, start=1):
        if value is None:
            continue
        ref = f"{_column(column)}{number}"
        if isinstance(value, int):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = str(value).replace("&", "&amp;").replace("<", "&lt;")
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def header_rows(guards: int = 0) -> list[bytes]:
    return [xml_row(1, HEADER), *(xml_row(2 + n, guard_line(n)) for n in range(guards))]


def craft_xlsx(path: Path, rows: Iterable[bytes], *, dimension: str | None = None,
               shared_strings: Iterable[bytes] = (b'<si><t>x</t></si>',),
               level: int = 6) -> Path:
    """A workbook whose sheet and shared strings are streamed into the zip piece by piece,
    so that a part of hundreds of megabytes never sits in the test's memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f"<worksheet {_NS}>".encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for piece in rows:
                sheet.write(piece)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(f"<sst {_NS}>".encode())
            for piece in shared_strings:
                strings.write(piece)
            strings.write(b"</sst>")
    return path


def repeated(piece: bytes, times: int, batch: int = 1 << 16) -> Iterator[bytes]:
    full, rest = divmod(times, batch)
    block = piece * batch
    for _ in range(full):
        yield block
    yield piece * rest


def huge_text(megabytes: int) -> Iterator[bytes]:
    """One shared string of ``megabytes`` MB: the 500 MB cell."""
    yield b"<si><t>"
    block = b"A" * (1 << 20)
    for _ in range(megabytes):
        yield block
    yield b"</t></si>"


def lie_about_size(path: Path, part: str, told_size: int) -> None:
    """Rewrite ``part``'s sizes and CRC in both zip headers as if it unpacked to its first
    ``told_size`` bytes: zipfile then stops there, after inflating the whole part at once."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
        with archive.open(info) as stream:
            first = stream.read(told_size)
        directory_at = archive.start_dir
    crc = zlib.crc32(first)
    data = bytearray(path.read_bytes())
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<L", data, local + 14, crc)
    struct.pack_into("<L", data, local + 22, told_size)
    at = directory_at
    while data[at:at + 4] == b"PK\x01\x02":
        name_size, extra_size, comment_size = struct.unpack_from("<3H", data, at + 28)
        if data[at + 46:at + 46 + name_size].decode() == part:
            struct.pack_into("<L", data, at + 16, crc)
            struct.pack_into("<L", data, at + 24, told_size)
        at += 46 + name_size + extra_size + comment_size
    path.write_bytes(bytes(data))


def refused(path: Path) -> str:
    with pytest.raises(RosterFileError) as error:
        read_table(path)
    return str(error.value)


# ------------------------------------------------------------------ the limits, in process
def test_the_limits_fit_the_largest_real_events() -> None:
    assert limits.MAX_ROSTER_ROWS >= 2 * 10_000  # a city marathon: 5,000-10,000 guards
    assert limits.MAX_SHEET_ROWS > limits.MAX_ROSTER_ROWS
    assert len(HEADER) < limits.MAX_COLUMNS <= 64
    assert 1_000 <= limits.MAX_CELL_CHARS <= 8_000
    assert limits.MAX_CSV_ROW_CHARS < 131_072  # the csv module's own field limit speaks later


def test_csv_rows_up_to_the_limit_are_read_and_one_more_is_refused(tmp_path: Path) -> None:
    short = [["1", "张三", "男"]]
    at_limit = write_csv(tmp_path / "at.csv", short * (limits.MAX_ROSTER_ROWS - 1))
    assert len(read_table(at_limit)) == limits.MAX_ROSTER_ROWS
    over = write_csv(tmp_path / "over.csv", short * limits.MAX_ROSTER_ROWS)
    message = refused(over)
    assert "over.csv cannot be read as a roster" in message
    assert "more than 20,000 rows" in message and "Split it" in message


def test_empty_lines_count_towards_their_own_limit(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n" * (limits.MAX_SHEET_ROWS - 1),
                    encoding="utf-8")
    assert len(read_table(path)) == limits.MAX_SHEET_ROWS
    path.write_text(",".join(HEADER) + "\n" + "\n" * limits.MAX_SHEET_ROWS, encoding="utf-8")
    message = refused(path)
    assert "more than 50,000 rows, most of them empty" in message
    assert "Delete the empty rows" in message


def test_columns_past_the_limit_are_refused_but_trailing_empty_ones_are_not(
        tmp_path: Path) -> None:
    limit = limits.MAX_COLUMNS
    ok = write_csv(tmp_path / "wide.csv", [["x"] * limit + [""] * 5000])
    assert [len(cells) for _, cells in read_table(ok)] == [len(HEADER), limit]
    wide = write_csv(tmp_path / "wider.csv", [["x"] * (limit + 1)])
    message = refused(wide)
    assert "row 2 has more than 40 columns" in message


def test_a_cell_past_the_limit_is_refused_naming_the_cell(tmp_path: Path) -> None:
    limit = limits.MAX_CELL_CHARS
    ok = write_csv(tmp_path / "ok.csv", [["1", "张" * limit]])
    assert read_table(ok)[1][1][1] == "张" * limit
    long = write_csv(tmp_path / "long.csv", [["1", "2", "3"], ["1", "张" * (limit + 1)]])
    message = refused(long)
    assert "cell B3 holds more than 2,000 characters" in message


def test_a_csv_record_is_bounded_before_the_csv_module_holds_it(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    # One physical line of 5 MB, and a quoted cell whose line breaks go on for 5 MB.
    path.write_text(",".join(HEADER) + "\n1," + "x," * 2_500_000 + "\n", encoding="utf-8")
    assert "row 2 holds more than 120,000 characters" in refused(path)
    path.write_text(",".join(HEADER) + '\n1,"' + "ab\n" * 2_000_000 + '"\n', encoding="utf-8")
    assert "row 2 holds more than 120,000 characters" in refused(path)


def test_all_cells_together_are_bounded(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TABLE_CHARS", 5_000)
    path = write_csv(tmp_path / "much.csv", [["1", "x" * 1_000]] * 6)
    assert "more than 5,000 characters in all" in refused(path)


def test_gb18030_text_found_late_is_still_read_from_the_start(tmp_path: Path) -> None:
    """Streaming decodes as it goes: a GB18030 file whose first 10,000 characters are plain
    ASCII is read again from its start, as GB18030, and loses nothing."""
    lines = [",".join(HEADER)] + [f"{n},x{n},男" for n in range(1_500)] + ["9999,张三,女"]
    path = tmp_path / "late.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    table = read_table(path)
    assert table[0][1][:2] == ["序号", "姓名"]
    assert table[-1][1] == ["9999", "张三", "女"]
    assert len(table) == 1_502


def test_a_dimension_claiming_20_million_rows_is_ignored(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "claims.xlsx", header_rows(3), dimension="A1:K20000000")
    started = time.perf_counter()
    report = check_roster(path)
    assert time.perf_counter() - started < 5
    assert (len(report.rows), report.error_count) == (3, 0)


def test_a_dimension_too_small_hides_no_row(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "small.xlsx", header_rows(3), dimension="A1:B2")
    report = check_roster(path)
    assert len(report.valid_rows) == 3


def test_a_row_numbered_20_million_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "gap.xlsx",
                      [*header_rows(2), xml_row(20_000_000, ["x"])])
    message = refused(path)
    assert "gap.xlsx cannot be read as a roster" in message
    assert "more than 50,000 rows, most of them empty" in message


def test_sheet_rows_past_the_limits_are_refused(tmp_path: Path) -> None:
    empty = craft_xlsx(tmp_path / "empty.xlsx",
                       [*header_rows(), *repeated(b"<row/>", limits.MAX_SHEET_ROWS)])
    assert "most of them empty" in refused(empty)
    filled = craft_xlsx(tmp_path / "filled.xlsx", [
        *header_rows(), *repeated(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>',
                                  limits.MAX_ROSTER_ROWS)])
    assert "more than 20,000 rows with content" in refused(filled)
    at_limit = craft_xlsx(tmp_path / "at.xlsx", [
        *header_rows(), *repeated(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>',
                                  limits.MAX_ROSTER_ROWS - 1)])
    assert len(read_table(at_limit)) == limits.MAX_ROSTER_ROWS


def test_sheet_cells_and_columns_past_the_limits_are_refused(tmp_path: Path) -> None:
    long = craft_xlsx(tmp_path / "cell.xlsx",
                      [*header_rows(1), xml_row(3, ["1", "张" * (limits.MAX_CELL_CHARS + 1)])])
    assert "cell B3 holds more than 2,000 characters" in refused(long)
    shared = craft_xlsx(tmp_path / "shared.xlsx", header_rows(1),
                        shared_strings=[b"<si><t>" + b"A" * 2_001 + b"</t></si>"])
    assert "one of its texts holds more than 2,000 characters" in refused(shared)
    wide = craft_xlsx(tmp_path / "wide.xlsx",
                      [*header_rows(1), b'<row r="3"><c r="AZ3"><v>1</v></c></row>'])
    assert "row 3 has more than 40 columns" in refused(wide)
    many = craft_xlsx(tmp_path / "many.xlsx",
                      [*header_rows(1), b'<row r="3">', *repeated(b"<c/>", 20_001), b"</row>"])
    assert "row 3 has more than 40 columns" in refused(many)


def test_formatting_far_to_the_right_is_no_column(tmp_path: Path) -> None:
    """A formatted but empty cell at XFD (column 16,384) is read as nothing."""
    path = craft_xlsx(tmp_path / "styled.xlsx",
                      [xml_row(1, HEADER),
                       xml_row(2, guard_line(1))[:-6] + b'<c r="XFD2" s="0"/></row>'])
    report = check_roster(path)
    assert (len(report.valid_rows), report.error_count) == (1, 0)


def test_a_part_too_large_or_packed_like_a_bomb_is_refused_unopened(tmp_path: Path) -> None:
    big = craft_xlsx(tmp_path / "big.xlsx", header_rows(1), shared_strings=huge_text(40))
    message = refused(big)
    assert "big.xlsx cannot be read as a roster: it unpacks to far more data" in message
    assert "xl/sharedStrings.xml unpacks to 40 MB" in message
    ratio = craft_xlsx(tmp_path / "ratio.xlsx", header_rows(1), shared_strings=huge_text(2))
    assert "xl/sharedStrings.xml unpacks to 2 MB" in refused(ratio)


def test_a_part_unpacking_to_more_than_its_header_says_is_refused(tmp_path: Path) -> None:
    """zipfile would inflate the whole part in one call before cutting it to the size its
    header gives: such a part is damaged, and refused while it is unpacked piece by piece."""
    path = craft_xlsx(tmp_path / "lying.xlsx", header_rows(1), shared_strings=huge_text(8))
    lie_about_size(path, "xl/sharedStrings.xml", 1_000)
    message = refused(path)
    assert "its part xl/sharedStrings.xml is damaged" in message


def test_a_part_declaring_a_document_type_is_refused(tmp_path: Path) -> None:
    laughs = (b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              b"<sst " + _NS.encode() + b"><si><t>&b;</t></si></sst>")
    path = craft_xlsx(tmp_path / "dtd.xlsx", header_rows(1))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/sharedStrings.xml"] = laughs
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert "its part xl/sharedStrings.xml is damaged" in refused(path)


def test_what_openpyxl_builds_around_the_rows_is_bounded(tmp_path: Path) -> None:
    """Merged cells, rule ranges and cell formats become Python objects of a kilobyte or
    more each: 200,000 merged cells took 204 MB, 450 validation rules over 64 KB of ranges
    each took 1.4 GB and 146 s, 200,000 cell formats 373 MB."""
    merges = craft_xlsx(tmp_path / "merges.xlsx", [
        *header_rows(1), b"</sheetData><mergeCells>",
        *(f'<mergeCell ref="A{n}:B{n}"/>'.encode() for n in range(3, 10_003)),
        b"</mergeCells><sheetData>"])
    assert "its part xl/worksheets/sheet1.xml holds far more than a roster needs" in (
        refused(merges))
    ranges = " ".join(f"C{n}" for n in range(3, 6_003))
    rules = craft_xlsx(tmp_path / "rules.xlsx", [
        *header_rows(1), b"</sheetData><dataValidations>",
        *(f'<dataValidation type="list" sqref="{ranges}"><formula1>"a,b"</formula1>'
          f"</dataValidation>".encode() for _ in range(2)),
        b"</dataValidations><sheetData>"])
    assert "its part xl/worksheets/sheet1.xml holds far more" in refused(rules)
    styles = craft_xlsx(tmp_path / "styles.xlsx", header_rows(1))
    with zipfile.ZipFile(styles, "a") as archive:
        archive.writestr("xl/styles.xml", f"<styleSheet {_NS}><cellXfs>".encode()
                         + b'<xf numFmtId="0"/>' * limits.MAX_XML_ELEMENTS
                         + b"</cellXfs></styleSheet>")
    assert "its part xl/styles.xml holds far more" in refused(styles)


def test_a_zip_of_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "parts.xlsx", header_rows(1))
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(limits.MAX_XLSX_PARTS):
            archive.writestr(f"junk/{n}", b"")
    assert "lists more than 2,000 parts" in refused(path)


def test_the_fixture_reads_as_before(fixture_roster: Path) -> None:
    table = read_table(fixture_roster)
    assert len(table) == 602
    assert all(len(cells) <= len(HEADER) for _, cells in table)
    assert len(check_roster(fixture_roster).valid_rows) == 600


# ------------------------------------------------------------------ one transaction
def count_events(workbench: Workbench) -> int:
    with workbench.db.read() as s:
        return s.scalar(select(func.count()).select_from(Event))


def test_a_new_event_and_its_roster_are_one_transaction(
        workbench: Workbench, fixture_roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbench.save_event(EventInput(name="已有活动"))
    report = check_roster(fixture_roster)
    real_mask = workbench_module.mask_id_number
    calls = {"n": 0}

    def failing_mask(id_number: str) -> str:
        calls["n"] += 1
        if calls["n"] == 300:
            raise RuntimeError("disk pulled out")
        return real_mask(id_number)

    monkeypatch.setattr(workbench_module, "mask_id_number", failing_mask)
    with pytest.raises(RuntimeError, match="disk pulled out"):
        workbench.create_event_with_roster(EventInput(name="演唱会"), report)
    assert workbench.find_event("演唱会") is None
    assert count_events(workbench) == 1
    with workbench.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Guard)) == 0

    monkeypatch.setattr(workbench_module, "mask_id_number", real_mask)
    result = workbench.create_event_with_roster(EventInput(name="演唱会"), report)
    assert result.imported == 600
    event = workbench.find_event("演唱会")
    assert event is not None and event.id == result.event_id
    assert event.company is not None and event.company.name == report.main_company
    assert len(workbench.guards(event.id)) == 600
    assert count_events(workbench) == 2
    # Afterwards every change is its own transaction again.
    workbench.save_event(EventInput(name="第三个活动"))
    assert count_events(workbench) == 3


@pytest.mark.slow
def test_roster_import_failing_midway_leaves_no_event(
        tmp_path: Path, fixture_roster: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the command line's own code: a crash while the guards are stored (here on the
    450th) leaves the profile with the events it had."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.cli.main import main

    if QCoreApplication.instance() is None:  # main() would make a QCoreApplication, which
        QApplication([])  # the widget tests run after this one in the same process cannot use
    umask = os.umask(0o022)  # main() sets the app's own: give the test process its back
    os.umask(umask)
    monkeypatch.setattr(os, "umask", lambda _mask: umask)
    data_dir = tmp_path / "profile"
    assert main(["--data-dir", str(data_dir), "roster", "import", str(fixture_roster),
                 "--event", "已有活动"]) == 0
    real_mask = workbench_module.mask_id_number
    calls = {"n": 0}

    def failing_mask(id_number: str) -> str:
        calls["n"] += 1
        if calls["n"] == 450:
            raise RuntimeError("power cut")
        return real_mask(id_number)

    monkeypatch.setattr(workbench_module, "mask_id_number", failing_mask)
    db = Database(data_dir)
    try:
        with db.read() as s:
            before = sorted(s.scalars(select(Event.name)))
        with pytest.raises(RuntimeError, match="power cut"):
            main(["--data-dir", str(data_dir), "roster", "import", str(fixture_roster),
                  "--event", "半途"])
        with db.read() as s:
            assert sorted(s.scalars(select(Event.name))) == before
    finally:
        db.close()


# ------------------------------------------------------------------ the commands
def run_measured(*args: str) -> tuple[int, str, str, float, float]:
    """Exit code, stdout, stderr, peak RSS (MB) and seconds of ``python -m app ARGS`` run in
    a fresh child process."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VENUE_SUPERVISOR_LANG="en",
               PYTHONIOENCODING="utf-8")
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURE, *args], cwd=REPO, env=env,
                            capture_output=True, text=True, encoding="utf-8", timeout=600)
    seconds = time.perf_counter() - started
    lines = result.stderr.strip().splitlines()
    peak_kb = int(lines[-1])
    return result.returncode, result.stdout, "\n".join(lines[:-1]), peak_kb / 1024, seconds


def event_names(data_dir: Path) -> list[str]:
    db = Database(data_dir)
    try:
        with db.read() as s:
            return sorted(s.scalars(select(Event.name)))
    finally:
        db.close()


@pytest.fixture(scope="module")
def attacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("attacks")
    made = {
        # The reported file: 20 million empty <row/> under a header, about 180 KB.
        "empty_rows": craft_xlsx(folder / "empty_rows.xlsx",
                                 [*header_rows(), *repeated(b"<row/>", 20_000_000)],
                                 dimension="A1:K20000000", level=9),
        # The same 20 million rows as one jump in the row numbers: a few hundred bytes.
        "row_jump": craft_xlsx(folder / "row_jump.xlsx",
                               [*header_rows(2), xml_row(20_000_000, ["x"])],
                               dimension="A1:K20000000"),
        # One cell of 500 MB in the shared strings, packed to a couple of MB.
        "big_cell": craft_xlsx(folder / "big_cell.xlsx", header_rows(1),
                               shared_strings=huge_text(500), level=1),
    }
    made["lying_cell"] = folder / "lying_cell.xlsx"
    made["lying_cell"].write_bytes(made["big_cell"].read_bytes())
    lie_about_size(made["lying_cell"], "xl/sharedStrings.xml", 4_000)
    # 1,000,000 guards: a block of 1,000 distinct lines, written a thousand times.
    block = io.StringIO()
    csv.writer(block).writerows(guard_line(n) for n in range(1_000))
    made["million_rows"] = folder / "million_rows.csv"
    with made["million_rows"].open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(HEADER) + "\r\n")
        for _ in range(1_000):
            handle.write(block.getvalue())
    assert made["empty_rows"].stat().st_size < 400 * 1024
    assert made["big_cell"].stat().st_size < 4 * 1024 * 1024
    assert made["million_rows"].stat().st_size > 80 * 1024 * 1024
    return made


@pytest.fixture(scope="module")
def one_event_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("template") / "profile"
    code, stdout, stderr, _, _ = run_measured(
        "--data-dir", str(data_dir), "roster", "import",
        str(REPO / "tests" / "fixtures" / "roster_concert_600.xlsx"), "--event", "已有活动")
    assert code == 0, stderr
    assert json.loads(stdout.strip().splitlines()[-1])["imported"] == 600
    return data_dir


@pytest.fixture
def profile_with_an_event(tmp_path: Path, one_event_profile: Path) -> Path:
    """A profile holding one event of 600 guards, each test its own copy."""
    data_dir = tmp_path / "profile"
    shutil.copytree(one_event_profile, data_dir)
    return data_dir


EXPECTED = {
    "empty_rows": "empty_rows.xlsx cannot be read as a roster: it unpacks to far more data "
                  "than a roster holds (xl/worksheets/sheet1.xml unpacks to",
    "row_jump": "row_jump.xlsx cannot be read as a roster: it goes on for more than 50,000 "
                "rows, most of them empty",
    "big_cell": "big_cell.xlsx cannot be read as a roster: it unpacks to far more data than a "
                "roster holds (xl/sharedStrings.xml unpacks to 500 MB)",
    "lying_cell": "lying_cell.xlsx cannot be read as a roster: its part xl/sharedStrings.xml "
                  "is damaged",
    "million_rows": "million_rows.csv cannot be read as a roster: it holds more than 20,000 "
                    "rows with content",
}


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(EXPECTED))
def test_roster_check_refuses_at_once_in_bounded_memory(attacks: dict[str, Path],
                                                        attack: str) -> None:
    code, stdout, stderr, peak_mb, seconds = run_measured("roster", "check",
                                                          str(attacks[attack]))
    assert code == 2, (stdout, stderr)
    assert EXPECTED[attack] in stderr
    assert "Traceback" not in stderr and stdout == ""
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"{attack}: peak RSS {peak_mb:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{attack}: {seconds:.1f} s"
    print(f"{attack}: roster check refused in {seconds:.2f} s, peak RSS {peak_mb:.0f} MB")


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(EXPECTED))
def test_roster_import_refuses_and_leaves_no_event(attacks: dict[str, Path], attack: str,
                                                   profile_with_an_event: Path) -> None:
    before = event_names(profile_with_an_event)
    code, stdout, stderr, peak_mb, seconds = run_measured(
        "--data-dir", str(profile_with_an_event), "roster", "import", str(attacks[attack]),
        "--event", "新活动")
    assert code == 2, (stdout, stderr)
    assert EXPECTED[attack] in stderr
    assert "Traceback" not in stderr
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"{attack}: peak RSS {peak_mb:.0f} MB"
    assert seconds < SECONDS_LIMIT, f"{attack}: {seconds:.1f} s"
    assert event_names(profile_with_an_event) == before == ["已有活动"]
    print(f"{attack}: roster import refused in {seconds:.2f} s, peak RSS {peak_mb:.0f} MB")


@pytest.mark.slow
def test_the_largest_roster_allowed_is_imported_in_bounded_memory(tmp_path: Path) -> None:
    """A header and 19,999 guards, the most the limit lets in: every guard imported, with a
    peak far under 300 MB (about 30 s on a busy laptop)."""
    path = write_csv(tmp_path / "marathon.csv",
                     (guard_line(n) for n in range(limits.MAX_ROSTER_ROWS - 1)))
    code, stdout, stderr, peak_mb, seconds = run_measured(
        "--data-dir", str(tmp_path / "profile"), "roster", "import", str(path),
        "--event", "马拉松")
    assert code == 0, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["rows"] == summary["valid"] == summary["imported"] == 19_999
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    db = Database(tmp_path / "profile")
    try:
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Guard)) == 19_999
    finally:
        db.close()
    print(f"19,999-guard roster imported in {seconds:.2f} s, peak RSS {peak_mb:.0f} MB")


@pytest.mark.slow
def test_a_sheet_at_every_limit_at_once_is_checked_in_bounded_memory(tmp_path: Path) -> None:
    """The worst a file can be and still be read: 20,000 filled rows of 40 numeric cells,
    every row of them wrong (no name, ID numbers stored as numbers): a million cells read,
    and 140,000 problems listed, in well under 300 MB."""
    columns = [_column(c) for c in range(1, limits.MAX_COLUMNS + 1)]

    def rows() -> Iterator[bytes]:
        yield xml_row(1, HEADER)
        for r in range(2, limits.MAX_ROSTER_ROWS + 1):
            yield (f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r * 100 + i}</v></c>'
                                              for i, c in enumerate(columns)) + "</row>").encode()

    path = craft_xlsx(tmp_path / "worst.xlsx", rows())
    code, stdout, stderr, peak_mb, seconds = run_measured("roster", "check", str(path))
    assert code == 1, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert (summary["rows"], summary["valid"]) == (19_999, 0)
    assert len(summary["problems"]) > 100_000
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    print(f"20,000 x 40 cells checked in {seconds:.2f} s, peak RSS {peak_mb:.0f} MB")


def test_a_nul_byte_anywhere_is_binary_data_not_a_roster(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    lines = [",".join(HEADER)] + [",".join(guard_line(n)) for n in range(3_000)]
    lines[2_500] = lines[2_500].replace("保安", "保\x00安")
    path.write_text("\n".join(lines), encoding="utf-8")
    message = refused(path)
    assert "nul.csv cannot be read as a roster: a cell is far too long or the file holds " \
           "binary data" in message


def test_old_mac_line_ends_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "cr.csv"
    path.write_text("\r".join([",".join(HEADER), ",".join(guard_line(1)), ""]),
                    encoding="utf-8")
    report = check_roster(path)
    assert (len(report.valid_rows), report.error_count) == (1, 0)


def test_a_workbook_without_a_worksheet_is_said_so(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "empty.xlsx", header_rows(1))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["xl/workbook.xml"] = f"<workbook {_NS}><sheets/></workbook>".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert "empty.xlsx holds no worksheet" in refused(path)


def test_a_part_encrypted_inside_the_zip_is_said_so(tmp_path: Path) -> None:
    path = craft_xlsx(tmp_path / "locked.xlsx", header_rows(1))
    with zipfile.ZipFile(path) as archive:
        directory_at = archive.start_dir
    data = bytearray(path.read_bytes())
    assert data[directory_at:directory_at + 4] == b"PK\x01\x02"
    data[directory_at + 8] |= 0x1  # the first part's "encrypted" flag
    path.write_bytes(bytes(data))
    assert "locked.xlsx is protected by a password" in refused(path)

"""Spreadsheet formula injection: roster cells such as ``=cmd|' /C calc'!A0`` are errors on
check and import, and every CSV the app writes (badge issue's manifest.csv) neutralises them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.inspection.roster import check_roster
from app.profile.db import Database
from app.profile.models import Guard
from app.spreadsheet_safety import looks_like_formula, neutralise_cell, neutralise_row
from tests.helpers.badges import COMPANY, HEADER, LICENCE, valid_id, write_roster
from tests.test_badge_cli import run_cli

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "=cmd|' /C calc'!A0", "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3", "\t=1+1", "\r=1+1",
    "\t@SUM(1)", "=HYPERLINK(\"http://x\",\"y\")", "-", "+8613812345678",
])
def test_neutralise_prefixes_a_quote(value: str) -> None:
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", [
    "张三", "辽700000000001", "13812345678", "A区1号安检口", "a=b", "", 12, -3, 1.5, None,
    "'=already quoted",
])
def test_neutralise_leaves_safe_values_alone(value: object) -> None:
    assert neutralise_cell(value) == value


def test_neutralise_row() -> None:
    assert neutralise_row([1, "=1+1", "ok"]) == [1, "'=1+1", "ok"]


@pytest.mark.parametrize("value", [
    "=cmd|' /C calc'!A0", "@SUM(1+1)", "+cmd", "-2+3", "\t=1+1", "\r\n=1+1", "  =1+1",
    "\u3000=1+1", "＝1+1", "＠SUM(1)",
])
def test_looks_like_formula(value: str) -> None:
    assert looks_like_formula(value)


@pytest.mark.parametrize("value", ["张三", "a=b", "-", "--", " - ", "", None, -2, 3.5,
                                   "13812345678"])
def test_does_not_look_like_formula(value: object) -> None:
    assert not looks_like_formula(value)


# --- roster check and import ---------------------------------------------------------------------


def guard(n: int, **changes: str) -> list[str]:
    values = dict(zip(HEADER, [str(n), f"保安{n:03d}", "男", valid_id(n), f"辽{700000000000 + n}",
                               COMPANY, f"A区{n}号安检口", "安检", "13912345678", "通过", "已培训"],
                      strict=True))
    values.update(changes)
    return [values[column] for column in HEADER]


# (row the spreadsheet shows, column, the injected cell); the header is row 1.
INJECTED = [
    (3, "姓名", "=cmd|' /C calc'!A0"),
    (4, "所属公司", "@SUM(1+1)"),
    (5, "岗位", "+cmd|' /C notepad'!A0"),
    (6, "姓名", "-2+3"),
    (7, "姓名", "\t=1+1"),
    (8, "所属公司", "\r=HYPERLINK(\"http://evil\",\"x\")"),
    (9, "保安员证号", "=1+2"),
    (10, "联系电话", "=HYPERLINK(\"http://evil\")"),
    (11, "联系电话", "-2+3"),
    (12, "身份证号", "=1+1"),
    (13, "姓名", "＝cmd|' /C calc'!A0"),
    (14, "性别", "@男"),
]
# Valid rows: 2 plain; 15 an international-form phone; 16 a "-" placeholder phone.
VALID_ROWS = [2, 15, 16]


@pytest.fixture
def injected_csv(tmp_path: Path) -> Path:
    rows = [HEADER, guard(1)]
    for row_no, column, value in INJECTED:
        rows.append(guard(row_no, **{column: value}))
    rows.append(guard(15, 联系电话="+86 138-1234-5678"))
    rows.append(guard(16, 联系电话="-"))
    path = tmp_path / "injected.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.slow  # starts a process
def test_check_reports_every_formula_cell_as_an_error(injected_csv: Path) -> None:
    result = run_cli("roster", "check", str(injected_csv), "--lang", "en")
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["valid"]) == (len(INJECTED) + 3, len(VALID_ROWS))
    errors = [p for p in summary["problems"] if p["severity"] == "error"]
    assert [(p["row"], p["column"]) for p in errors] == [(r, c) for r, c, _ in INJECTED]
    for problem in errors:
        assert "formula" in problem["message"]
    assert not [p for p in summary["problems"] if p["row"] in VALID_ROWS]


@pytest.mark.slow  # starts a process
def test_import_stores_none_of_the_formula_rows(injected_csv: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "profile"
    result = run_cli("roster", "import", str(injected_csv), "--event", "演唱会",
                     "--data-dir", str(data_dir), "--lang", "en")
    assert result.returncode == 1, result.stderr
    db = Database(data_dir)
    try:
        with db.read() as s:
            guards = sorted(s.scalars(select(Guard)), key=lambda g: g.roster_row)
            stored = [(g.roster_row, g.name, g.phone) for g in guards]
    finally:
        db.close()
    assert [row for row, _, _ in stored] == VALID_ROWS
    assert stored[1][2] == "13812345678"  # +86 138-1234-5678, normalised
    assert stored[2][2] == ""  # "-": nothing written


def test_xlsx_text_cells_are_checked_too(tmp_path: Path) -> None:
    """In a workbook the attack is a text cell (typed with a leading ' in Excel)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(guard(1))
    sheet.append(guard(2))
    cell = sheet.cell(row=3, column=HEADER.index("姓名") + 1)
    cell.value = "=cmd|' /C calc'!A0"
    cell.data_type = "s"
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    report = check_roster(path)
    assert [(p.row, p.column, p.severity) for p in report.problems] == [(3, "姓名", "error")]
    assert [row.row for row in report.valid_rows] == [2]


# --- badge issue's manifest ----------------------------------------------------------------------


@pytest.mark.slow  # starts a process
def test_badge_issue_manifest_has_no_formula_cells(tmp_path: Path) -> None:
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("correct horse battery staple\n", encoding="utf-8")
    keys = tmp_path / "keys"
    result = run_cli("badge", "keygen", "--out", str(keys), "--passphrase-file", str(passphrase))
    assert result.returncode == 0, result.stderr
    extra = [
        [90, "=cmd|' /C calc'!A0", "男", valid_id(90), "辽790000000090", COMPANY, "A区1号安检口",
         "安检", "13912345678", "通过", "已培训"],
        [91, "保安091", "男", valid_id(91), "辽790000000091", "@SUM(1+1)", "A区1号安检口", "安检",
         "13912345678", "通过", "已培训"],
        # A "-" post (nothing filled in) is accepted, and reaches the manifest.
        [92, "保安092", "男", valid_id(92), "辽790000000092", COMPANY, "-", "安检",
         "13912345678", "通过", "已培训"],
    ]
    roster = write_roster(tmp_path / "roster.xlsx", 2, extra_rows=extra)
    workbook = load_workbook(roster)
    for row in workbook.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(("=", "@")):
                cell.data_type = "s"  # a text cell, as a company's spreadsheet would hold it
    workbook.save(roster)
    out = tmp_path / "badges"
    result = run_cli("badge", "issue", "--roster", str(roster), "--key", str(keys / "issuer.key"),
                     "--out", str(out), "--passphrase-file", str(passphrase),
                     "--licence", LICENCE, "--lang", "en")
    assert result.returncode in (0, 1), result.stderr
    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["row", "cert_no", "name", "company", "post"]
    issued = rows[1:]
    assert sorted(int(r[0]) for r in issued) == [3, 4, 7]  # rows 5 and 6 refused
    for row in issued:
        for value in row:
            assert not value.startswith(FORMULA_START), row
    assert [r[4] for r in issued if r[0] == "7"] == ["'-"]

"""Reading and checking the roster a security company sends (.xlsx or .csv).

Companies send what their office software produces: a title row above the header, Chinese
headers, stray spaces, full-width digits, a lower-case x, numbers stored as numbers, blank and
duplicated lines. Everything that normalises cleanly is accepted silently; everything else is a
problem tied to the row number a spreadsheet program shows and to the column's header.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.i18n import translate
from app.identity import (
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


class RosterFileError(UserError):
    """The file cannot be read as a roster at all (wrong format, no header row...)."""


@dataclass(frozen=True)
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


def _read_xlsx(path: Path) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise RosterFileError(
            translate("Roster", "Cannot read {file} as an Excel workbook: {error}").format(
                file=path.name, error=exc
            )
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (index, list(values))
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[tuple[int, list[object]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(
            translate("Roster", "{file} is neither UTF-8 nor GB18030 text").format(file=path.name)
        )
    sample = text[:4096]
    delimiter: dict[str, str] = {}
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",\t;")
    except csv.Error:
        # A title row above the header defeats the sniffer: take the most frequent delimiter.
        dialect = csv.excel
        delimiter = {"delimiter": max(",\t;", key=sample.count)}
    try:
        return [
            (index, list(values))
            for index, values in enumerate(csv.reader(io.StringIO(text), dialect, **delimiter),
                                           start=1)
        ]
    except csv.Error:  # a cell over 131,072 characters, a NUL byte: not a company's roster
        raise RosterFileError(translate(
            "Roster", "{file} cannot be read as a roster: a cell is far too long or the file "
            "holds binary data. Save the roster again from the spreadsheet program")
            .format(file=path.name)) from None


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

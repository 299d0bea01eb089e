"""Checking a roster: every row's cells (ID number, certificate, company, phone, background
check, training, formulas a spreadsheet would run) and the rows against each other
(duplicated lines, certificates and ID numbers, other companies, a post's task type).

Nothing is written anywhere: the result is a report of the rows and their problems, each tied
to the row number a spreadsheet program shows and to the column's header.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from app.i18n import translate
from app.inspection.identity import (
    cert_key,
    id_number_problem,
    normalise_id_number,
    normalise_text,
)
from app.inspection.roster.columns import (
    COL_BACKGROUND,
    COL_CERT,
    COL_COMPANY,
    COL_GENDER,
    COL_ID,
    COL_NAME,
    COL_PHONE,
    COL_POST,
    COL_SEQ,
    COL_TASK,
    COL_TRAINING,
    COLUMNS,
    REQUIRED_COLUMNS,
    TASK_TYPES,
    find_header,
)
from app.inspection.roster.report import Problem, RosterReport, RosterRow
from app.inspection.roster.table import read_table
from app.spreadsheet_safety import looks_like_formula

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

# The longest value the profile keeps of each (app/profile/models.py Guard, Post, Company columns).
MAX_NAME_CHARS = 100
MAX_CERT_CHARS = 50
MAX_COMPANY_CHARS = 200
MAX_POST_CHARS = 200
MAX_PHONE_CHARS = 30
MAX_GENDER_CHARS = 4


def check_roster(path: str | Path, main_company: str | None = None) -> RosterReport:
    """Read and validate a roster; nothing is written anywhere."""
    path = Path(path)
    table = read_table(path)
    header_position, columns = find_header(table)
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
        # Not the value itself: most of an ID number, shown or printed (HQ's preview, `roster
        # check`), is what nothing may disclose; the row number says where it is.
        error(
            COL_ID,
            translate(
                "Roster",
                "ID number was stored as a number and lost digits; format the column as "
                "text and type it again",
            ),
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

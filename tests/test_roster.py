"""Roster checking: the real fixture, and generated rosters with every quirk companies send.

Row numbers are the ones a spreadsheet program shows: the title row is row 1, the header
row 2, the first data row 3.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.inspection.roster import RosterFileError, check_roster, zone_of
from app.inspection.roster.columns import (
    COL_BACKGROUND,
    COL_CERT,
    COL_COMPANY,
    COL_GENDER,
    COL_ID,
    COL_PHONE,
    COL_TASK,
    COL_TRAINING,
)

HEADER = ["序号", "姓名", "性别", "身份证号", "保安员证号", "所属公司", "岗位", "岗位类型",
          "联系电话", "背景审查", "岗前培训"]
TITLE = "2026年某体育场演唱会安保人员名单"
MAIN = "盘锦市安盾保安服务有限公司"
OTHER = "锦州恒安保安服务有限公司"
FIXTURE_MAIN = "盘锦市安盾保安服务有限公司"
FIXTURE_BLANK_BACKGROUND_ROWS = [13, 113, 222, 226, 258, 273, 339, 341, 370, 389, 422, 510]


# ------------------------------------------------------------------ helpers
def check_char(first17: str) -> str:
    """GB 11643 check character, computed independently of app.inspection.identity."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def valid_id(first17: str) -> str:
    return first17 + check_char(first17)


def wrong_id(first17: str) -> str:
    right = check_char(first17)
    return first17 + ("1" if right != "1" else "2")


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def excel_float_text(id_number: str) -> str:
    """How Excel stores an 18-digit number: 15 significant digits."""
    return f"{id_number[0]}.{id_number[1:15]}E+17"


def lost_digits(id_number: str) -> str:
    """What the ID becomes once Excel has stored it as a number and it is read back."""
    return str(int(float(excel_float_text(id_number))))


def number(text: str) -> str:
    """A cell written as a placeholder, turned into a numeric cell holding exactly ``text``."""
    return f"@NUM:{text}@"


_NUM_CELL = re.compile(
    r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t>@NUM:([^@<]+)@</t></is></c>')


def write_xlsx(path: Path, rows: list[list[object] | None], *, title: str | None = TITLE,
               header: list[str] | None = HEADER) -> Path:
    """A roster as office software writes it: optional title row, header, data rows.

    ``None`` in ``rows`` is a blank line. Cells made with :func:`number` end up as numeric
    cells with the exact text given (openpyxl itself would round an 18-digit int the way
    Excel does, so the XML is patched to get the exact-int case too).
    """
    workbook = Workbook()
    sheet = workbook.active
    if title is not None:
        sheet.append([title])
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row if row is not None else [])
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        contents = {name: source.read(name) for name in source.namelist()}
    sheet_xml = contents["xl/worksheets/sheet1.xml"].decode()
    patched = _NUM_CELL.sub(r'<c r="\1"\2 t="n"><v>\3</v></c>', sheet_xml)
    assert "@NUM:" not in patched
    contents["xl/worksheets/sheet1.xml"] = patched.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in contents.items():
            target.writestr(name, data)
    return path


def line(seq: object, name: object, id_number: object, cert: object, *,
         company: object = MAIN, post: object = "A区1号安检口", task: object = "安检",
         phone: object = "13912345678", gender: object = "男", background: object = "通过",
         training: object = "已培训") -> list[object]:
    return [seq, name, gender, id_number, cert, company, post, task, phone, background, training]


def problems_of(report) -> set[tuple[int, str, str]]:
    return {(p.row, p.column, p.severity) for p in report.problems}


# ------------------------------------------------------------- the fixture
def test_fixture_roster_imports_cleanly(fixture_roster: Path) -> None:
    report = check_roster(fixture_roster)
    assert len(report.rows) == 600
    assert len(report.valid_rows) == 600
    assert report.error_count == 0
    assert report.main_company == FIXTURE_MAIN
    assert len(report.problems) == 12
    assert {(p.column, p.severity) for p in report.problems} == {(COL_BACKGROUND, "warning")}
    assert [p.row for p in report.problems] == FIXTURE_BLANK_BACKGROUND_ROWS
    summary = report.summary()
    assert summary["rows"] == 600 and summary["valid"] == 600
    assert len(summary["problems"]) == 12


def test_fixture_rows_carry_spreadsheet_row_numbers(fixture_roster: Path) -> None:
    report = check_roster(fixture_roster)
    assert [row.row for row in report.rows] == list(range(3, 603))
    first = report.rows[0]
    assert (first.name, first.gender, first.id_number, first.cert_no) == (
        "杜英", "男", "211102200002125961", "辽334107653877")
    assert (first.post, first.task_type, first.phone) == ("B区7号安检口", "安检", "19131860913")
    assert first.background_check == "passed" and first.trained is True
    assert len({row.post for row in report.rows}) == 337
    pending = [row.row for row in report.rows if row.background_check == "pending"]
    assert pending == FIXTURE_BLANK_BACKGROUND_ROWS


def test_contracted_company_absent_from_the_roster_is_one_warning(fixture_roster: Path) -> None:
    report = check_roster(fixture_roster, main_company=OTHER)
    company_warnings = [p for p in report.problems if p.column == COL_COMPANY]
    assert [(p.row, p.severity) for p in company_warnings] == [(2, "warning")]  # header row
    assert OTHER in company_warnings[0].message and FIXTURE_MAIN in company_warnings[0].message
    assert report.error_count == 0
    assert len(report.valid_rows) == 600
    assert report.main_company == FIXTURE_MAIN


# ------------------------------------------------------- a malformed roster
ID_A = valid_id("21110219900101001")
ID_B = valid_id("21110219850505002")
ID_C = valid_id("21110219790303003")
ID_X = "11010519491231002X"
ID_D = valid_id("21010320010412004")
ID_E = valid_id("21110219920606005")
ID_F = valid_id("21110219930707006")
ID_FLOAT = next(candidate for candidate in (valid_id(f"2111021980{m:02d}0{d}007")
                                             for m in range(1, 13) for d in range(1, 10))
                if check_char(lost_digits(candidate)[:17]) != lost_digits(candidate)[17])


def _float_id_that_still_passes() -> str:
    """An ID whose digits Excel lost, yet whose damaged form has a valid check digit."""
    for month in range(1, 13):
        for day in range(10, 29):
            for seq in range(100):
                candidate = valid_id(f"2111021975{month:02d}{day}{seq:03d}")
                damaged = lost_digits(candidate)
                if damaged != candidate and check_char(damaged[:17]) == damaged[17]:
                    return candidate
    raise AssertionError("no such ID found")


ID_FLOAT_PASSING = _float_id_that_still_passes()


@pytest.fixture
def malformed(tmp_path: Path) -> Path:
    rows: list[list[object] | None] = [
        # row 3: clean
        line(1, "王伟", ID_A, "辽400000000001"),
        # row 4: stray spaces everywhere, phone with separators
        line(2, " 张 三 ", f" {ID_B[:6]} {ID_B[6:14]}\u3000{ID_B[14:]} ", " 辽 4000 0000 0002 ",
             company=f" {MAIN} ", post=" B区1号检票口 ", task=" 验票 ", phone="139-1234 5678",
             gender=" 男 ", background=" 通过 ", training="已培训 "),
        # row 5: full-width digits in the ID, the certificate number and the phone
        line(3, "李娜", full_width(ID_C), "辽" + full_width("400000000003"),
             phone=full_width("13812345678"), gender="女", post="C区1号巡逻线", task="巡逻"),
        # row 6: lower-case x
        line(4, "刘强", ID_X.lower(), "辽400000000004", post="D区1号通道", task="守卫"),
        # row 7: ID and phone stored as exact numbers
        line(5, "陈杰", number(ID_D), "辽400000000005", phone=number("13712345678"),
             post="E区1号看台", task="秩序维护"),
        # row 8: blank line
        None,
        # row 9: blank except a sequence number and some spaces
        [6, " ", None, "  ", None, "\u3000"],
        # row 10: duplicate of row 3 (only the sequence number differs)
        line(7, "王伟", ID_A, "辽400000000001"),
        # row 11: check digit wrong
        line(8, "杨洋", wrong_id("21110219900202003"), "辽400000000011"),
        # row 12: truncated to 17 digits
        line(9, "黄勇", "21110219900303004", "辽400000000012"),
        # row 13: certificate number missing
        line(10, "赵敏", ID_E, None),
        # row 14: certificate number already used in row 4 (written differently)
        line(11, "吴静", ID_F, "辽400000000002"),
        # row 15: guard of another company
        line(12, "周丽", valid_id("21110219940808008"), "辽400000000015", company=OTHER),
        # row 16: ID stored as a number that lost digits (check digit now wrong)
        line(13, "徐磊", number(excel_float_text(ID_FLOAT)), "辽400000000016"),
        # row 17: ID stored as a number that lost digits, damaged form passes the check
        line(14, "孙涛", number(excel_float_text(ID_FLOAT_PASSING)), "辽400000000017"),
    ]
    return write_xlsx(tmp_path / "malformed.xlsx", rows)


def test_malformed_roster_problems_are_exact(malformed: Path) -> None:
    report = check_roster(malformed)
    assert problems_of(report) == {
        (10, COL_CERT, "error"),
        (11, COL_ID, "error"),
        (12, COL_ID, "error"),
        (13, COL_CERT, "error"),
        (14, COL_CERT, "error"),
        (15, COL_COMPANY, "warning"),
        (16, COL_ID, "error"),
        (17, COL_ID, "error"),
    }
    assert len(report.problems) == 8
    assert report.error_count == 7
    assert [p.row for p in report.problems] == sorted(p.row for p in report.problems)


def test_contracted_company_in_the_roster_flags_the_other_rows(malformed: Path) -> None:
    """The event's company is OTHER: now the MAIN guards are the borrowed ones."""
    report = check_roster(malformed, main_company=OTHER)
    assert report.main_company == OTHER
    company_rows = [p.row for p in report.problems if p.column == COL_COMPANY]
    assert company_rows == [3, 4, 5, 6, 7, 11, 12, 13, 14, 16, 17]  # not 10: a duplicate line
    assert all(p.severity == "warning" for p in report.problems if p.column == COL_COMPANY)
    assert report.error_count == 7


def test_malformed_roster_rows_and_validity(malformed: Path) -> None:
    report = check_roster(malformed)
    assert [row.row for row in report.rows] == [3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17]
    assert [row.row for row in report.valid_rows] == [3, 4, 5, 6, 7, 15]
    assert report.main_company == MAIN
    summary = report.summary()
    assert (summary["rows"], summary["valid"]) == (13, 6)


def test_clean_quirks_produce_no_problem_at_all(malformed: Path) -> None:
    report = check_roster(malformed)
    assert not [p for p in report.problems if p.row in (3, 4, 5, 6, 7)]
    rows = {row.row: row for row in report.rows}
    assert (rows[4].name, rows[4].id_number, rows[4].cert_no) == ("张三", ID_B, "辽400000000002")
    assert (rows[4].company, rows[4].post, rows[4].task_type) == (MAIN, "B区1号检票口", "验票")
    assert (rows[4].phone, rows[4].gender) == ("13912345678", "男")
    assert rows[4].background_check == "passed" and rows[4].trained is True
    assert (rows[5].id_number, rows[5].cert_no, rows[5].phone) == (
        ID_C, "辽400000000003", "13812345678")
    assert rows[6].id_number == ID_X
    assert (rows[7].id_number, rows[7].phone) == (ID_D, "13712345678")


def test_duplicated_line_is_the_later_row_citing_the_earlier(malformed: Path) -> None:
    report = check_roster(malformed)
    (duplicate,) = [p for p in report.problems if p.row == 10]
    assert duplicate.column == COL_CERT
    assert re.search(r"\brow 3\b", duplicate.message), duplicate.message
    assert not [p for p in report.problems if p.row == 3]
    rows = {row.row: row for row in report.rows}
    assert rows[3].has_error is False and rows[10].has_error is True


def test_duplicate_certificate_cites_the_first_row(malformed: Path) -> None:
    report = check_roster(malformed)
    (duplicate,) = [p for p in report.problems if p.row == 14]
    assert duplicate.column == COL_CERT and duplicate.severity == "error"
    assert re.search(r"\brow 4\b", duplicate.message), duplicate.message


def test_id_problem_messages(malformed: Path) -> None:
    report = check_roster(malformed)
    messages = {p.row: p.message for p in report.problems}
    assert "check digit" in messages[11]
    assert "17" in messages[12] and "18" in messages[12]
    assert "lost digits" in messages[16]
    assert "lost digits" in messages[17]
    # the damaged number itself is not repeated: most of an ID number, shown or printed
    assert not re.search(r"\d{6}", messages[16] + messages[17]), (messages[16], messages[17])
    assert "Certificate number is missing" in messages[13]
    assert MAIN in messages[15]


def test_float_id_that_still_passes_the_check_digit_is_an_error(tmp_path: Path) -> None:
    """Excel keeps 15 digits; 1 in 11 damaged numbers still has a 'valid' check digit."""
    damaged = lost_digits(ID_FLOAT_PASSING)
    assert damaged != ID_FLOAT_PASSING
    path = write_xlsx(tmp_path / "float.xlsx", [
        line(1, "孙涛", number(excel_float_text(ID_FLOAT_PASSING)), "辽400000000017"),
        line(2, "王伟", ID_A, "辽400000000001"),
    ])
    report = check_roster(path)
    assert problems_of(report) == {(3, COL_ID, "error")}
    assert [row.row for row in report.valid_rows] == [4]


def test_duplicate_id_number_with_another_certificate(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "dup_id.xlsx", [
        line(1, "王伟", ID_A, "辽400000000001"),
        line(2, "王伟", ID_A, "辽400000000099"),
    ])
    report = check_roster(path)
    assert problems_of(report) == {(4, COL_ID, "error")}
    assert "row 3" in report.problems[0].message


def test_soft_values_warn_and_fall_back(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "soft.xlsx", [
        line(1, "王伟", ID_A, "辽400000000001", gender="M", phone="12345",
             background="未通过", training="未培训"),
        line(2, "张三", ID_B, "辽400000000002", task="站岗", background="待定", training="也许"),
        line(3, "李娜", ID_C, "辽400000000003", post="A区1号安检口", task="巡逻",
             background="", training=None),
    ])
    report = check_roster(path)
    assert problems_of(report) == {
        (3, COL_GENDER, "warning"), (3, COL_PHONE, "warning"),
        (4, COL_TASK, "warning"), (4, COL_BACKGROUND, "warning"), (4, COL_TRAINING, "warning"),
        (5, COL_TASK, "warning"), (5, COL_BACKGROUND, "warning"), (5, COL_TRAINING, "warning"),
    }
    assert report.error_count == 0
    rows = {row.row: row for row in report.rows}
    assert rows[3].background_check == "failed" and rows[3].trained is False
    assert rows[4].task_type == "" and rows[4].background_check == "pending"
    assert rows[4].trained is False
    # row 5 contradicts the post's task type fixed in row 3: the first one wins
    assert rows[5].task_type == "安检"
    conflict = next(p for p in report.problems if p.row == 5 and p.column == COL_TASK)
    assert "row 3" in conflict.message


def test_missing_required_column_is_an_error_on_the_header_row(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "保安员证号"]
    path = write_xlsx(tmp_path / "no_cert.xlsx",
                      [[1, "王伟", "男", ID_A, MAIN, "A区1号安检口", "安检"]], header=header)
    report = check_roster(path)
    assert problems_of(report) == {(2, COL_CERT, "error")}
    assert report.rows == []


def test_header_aliases_and_no_title_row(tmp_path: Path) -> None:
    header = ["编号", "姓名", "身份证号码", "保安证号", "公司名称", "手机号", "岗位名称",
              "岗位职责", "政审", "培训情况"]
    path = write_xlsx(tmp_path / "aliases.xlsx", [
        [1, "王伟", ID_A, "辽400000000001", MAIN, "13912345678", "A区1号安检口", "安检",
         "通过", "已培训"],
    ], title=None, header=header)
    report = check_roster(path)
    assert report.problems == []  # no gender column at all is not a problem
    (row,) = report.rows
    assert row.row == 2
    assert (row.id_number, row.cert_no, row.company, row.phone) == (
        ID_A, "辽400000000001", MAIN, "13912345678")
    assert (row.post, row.task_type, row.background_check, row.trained) == (
        "A区1号安检口", "安检", "passed", True)


# --------------------------------------------------------------------- CSV
CSV_ROWS = [
    [TITLE],
    HEADER,
    line("1", "王伟", ID_A, "辽400000000001"),
    line("2", " 张三 ", ID_B.replace("X", "x"), "辽400000000002", post="B区1号检票口", task="验票"),
    ["", "", "", "", "", "", "", "", "", "", ""],
    line("3", "李娜", wrong_id("21110219900202003"), "辽400000000003", gender="女"),
    line("4", "周丽", ID_C, "辽400000000004", company=OTHER),
]


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-8-sig", ","), ("gb18030", ","), ("utf-8-sig", "\t"), ("gb18030", ";"),
])
def test_csv_roster(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = tmp_path / "roster.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(CSV_ROWS)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    report = check_roster(path)
    assert [row.row for row in report.rows] == [3, 4, 6, 7]
    assert problems_of(report) == {(6, COL_ID, "error"), (7, COL_COMPANY, "warning")}
    rows = {row.row: row for row in report.rows}
    assert (rows[3].name, rows[3].company, rows[3].post) == ("王伟", MAIN, "A区1号安检口")
    assert (rows[4].name, rows[4].id_number) == ("张三", ID_B)
    assert report.main_company == MAIN
    assert [row.row for row in report.valid_rows] == [3, 4, 7]


def test_csv_gb18030_is_not_mistaken_for_utf8(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("\r\n".join(",".join(map(str, row)) for row in CSV_ROWS[1:3])
                     .encode("gb18030"))
    report = check_roster(path)
    assert report.rows[0].name == "王伟" and report.rows[0].company == MAIN
    assert report.rows[0].row == 2


# -------------------------------------------------------------- unreadable
def test_no_header_row_is_a_file_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "no_header.xlsx", [
        line(1, "王伟", ID_A, "辽400000000001"),
        line(2, "张三", ID_B, "辽400000000002"),
    ], header=None)
    with pytest.raises(RosterFileError):
        check_roster(path)


def test_csv_without_header_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "no_header.csv"
    path.write_text(f"1,王伟,男,{ID_A},辽400000000001,{MAIN}\n", encoding="utf-8-sig")
    with pytest.raises(RosterFileError):
        check_roster(path)


def test_unreadable_files(tmp_path: Path) -> None:
    not_excel = tmp_path / "fake.xlsx"
    not_excel.write_text("this is not a workbook", encoding="utf-8")
    with pytest.raises(RosterFileError):
        check_roster(not_excel)
    with pytest.raises(RosterFileError):
        check_roster(tmp_path / "missing.xlsx")
    other = tmp_path / "roster.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(RosterFileError):
        check_roster(other)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(RosterFileError):
        check_roster(binary)


def test_zone_of() -> None:
    assert zone_of("A区1号安检口") == "A区"
    assert zone_of("东区3号看台") == "东区"
    assert zone_of("主入口") == ""


def test_check_roster_is_deterministic(malformed: Path) -> None:
    first, second = check_roster(malformed), check_roster(malformed)
    assert first.summary() == second.summary()
    assert Counter(p.severity for p in first.problems) == {"error": 7, "warning": 1}


def test_values_longer_than_the_profile_keeps_are_errors_not_rows_hq_refuses(
        tmp_path: Path) -> None:
    # A name over the 100 characters the profile keeps would be stored on the laptop and then
    # refused by headquarters on every sync: the roster check refuses the row instead.
    path = write_xlsx(tmp_path / "long.xlsx", [
        line(1, "王" * 101, ID_A, "辽400000000001"),
        line(2, "张三", ID_B, "辽" + "4" * 60),
        line(3, "李娜", ID_C, "辽400000000003", company="公" * 201),
        line(4, "刘强", ID_X, "辽400000000004", post="岗" * 201),
        line(5, "陈杰", ID_D, "辽400000000005", phone="1" * 31, gender="男" * 5),
    ])
    report = check_roster(path)
    errors = {(p.row, p.column) for p in report.problems if p.severity == "error"}
    assert errors == {(3, "姓名"), (4, "保安员证号"), (5, "所属公司"), (6, "岗位")}
    assert [r.row for r in report.valid_rows] == [7]
    kept = report.valid_rows[0]
    assert (kept.phone, kept.gender) == ("", "")

"""The roster's columns: the canonical headers, the names companies use for them, finding the
header row, and what a post's name and task type say (its zone, the known task types)."""

from __future__ import annotations

import re

from app.i18n import translate
from app.inspection.identity import normalise_text
from app.inspection.roster.report import RosterFileError

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
_ZONE = re.compile(r"^(.+?区)")


def _canonical_header(cell: object) -> str:
    text = re.sub(r"\s+", "", normalise_text(cell))
    return _HEADER_ALIASES.get(text, text)


def find_header(table: list[tuple[int, list[object]]]) -> tuple[int, dict[str, int]]:
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


def zone_of(post_name: str) -> str:
    match = _ZONE.match(post_name)
    return match.group(1) if match else ""

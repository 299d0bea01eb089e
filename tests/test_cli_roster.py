"""``python -m app roster check|import`` as headquarters' scripts call it: a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.inspection.identity import id_check_char
from app.profile.db import Database
from app.profile.models import Event, Guard, Post

REPO = Path(__file__).resolve().parent.parent
MAIN = "盘锦市安盾保安服务有限公司"
HEADER = ["序号", "姓名", "性别", "身份证号", "保安员证号", "所属公司", "岗位", "岗位类型",
          "联系电话", "背景审查", "岗前培训"]

pytestmark = pytest.mark.slow


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    env.pop("VENUE_SUPERVISOR_LANG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def one_json(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout
    return json.loads(lines[0])


def valid_id(n: int) -> str:
    first17 = f"21110219900{1 + n % 9}{10 + n % 18:02d}{n:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def broken_roster(tmp_path: Path) -> Path:
    """Title row, header, five data rows: 4 has a wrong check digit, 6 no certificate."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名单"])
    sheet.append(HEADER)
    wrong = valid_id(2)[:17] + ("1" if valid_id(2)[17] != "1" else "2")
    rows = [
        (1, valid_id(1), "辽500000000001"),
        (2, wrong, "辽500000000002"),
        (3, valid_id(3), "辽500000000003"),
        (4, valid_id(4), None),
        (5, valid_id(5), "辽500000000005"),
    ]
    for seq, id_number, cert in rows:
        sheet.append([seq, f"保安{seq}", "男", id_number, cert, MAIN, f"A区{seq}号安检口", "安检",
                      "13912345678", "通过", "已培训"])
    path = tmp_path / "broken.xlsx"
    workbook.save(path)
    return path


def profile_counts(data_dir: Path, event_name: str) -> tuple[int, int, int]:
    db = Database(data_dir)
    try:
        with db.read() as s:
            event_id = s.scalar(select(Event.id).where(Event.name == event_name))
            assert event_id is not None
            guards = s.scalar(select(func.count()).select_from(Guard)
                              .where(Guard.event_id == event_id))
            posts = s.scalar(select(func.count()).select_from(Post)
                             .where(Post.event_id == event_id))
            events = s.scalar(select(func.count()).select_from(Event))
        return guards, posts, events
    finally:
        db.close()


def test_check_fixture_exits_0_with_counts(fixture_roster: Path, tmp_path: Path) -> None:
    result = run_cli("roster", "check", str(fixture_roster), "--lang", "en",
                     "--data-dir", str(tmp_path / "profile"))
    assert result.returncode == 0, result.stderr
    summary = one_json(result.stdout)
    assert set(summary) == {"rows", "valid", "problems"}
    assert (summary["rows"], summary["valid"]) == (600, 600)
    assert len(summary["problems"]) == 12
    for problem in summary["problems"]:
        assert set(problem) == {"row", "column", "severity", "message"}
        assert (problem["column"], problem["severity"]) == ("背景审查", "warning")
        assert problem["message"].isascii()  # --lang en
    assert summary["problems"][0]["row"] == 13
    # checking writes no profile
    assert not (tmp_path / "profile" / "venue-supervisor.sqlite3").exists()


def test_check_broken_file_exits_1_with_problem_rows(broken_roster: Path) -> None:
    result = run_cli("roster", "check", str(broken_roster), "--lang", "en")
    assert result.returncode == 1, result.stderr
    summary = one_json(result.stdout)
    assert (summary["rows"], summary["valid"]) == (5, 3)
    assert [(p["row"], p["column"], p["severity"]) for p in summary["problems"]] == [
        (4, "身份证号", "error"), (6, "保安员证号", "error")]
    assert "check digit" in summary["problems"][0]["message"]


def test_check_unreadable_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "nonsense.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    result = run_cli("roster", "check", str(path), "--lang", "en")
    assert result.returncode == 2
    assert result.stdout.strip() == ""
    assert "nonsense.xlsx" in result.stderr


def test_import_writes_into_the_data_dir_and_reimport_updates(fixture_roster: Path,
                                                              tmp_path: Path) -> None:
    data_dir = tmp_path / "profile"
    first = run_cli("roster", "import", str(fixture_roster), "--event", "演唱会",
                    "--data-dir", str(data_dir), "--lang", "en")
    assert first.returncode == 0, first.stderr
    summary = one_json(first.stdout)
    assert (summary["rows"], summary["valid"]) == (600, 600)
    assert (summary["imported"], summary["updated"], summary["posts_created"]) == (600, 0, 337)
    assert summary["event"] == "演唱会"
    assert (data_dir / "venue-supervisor.sqlite3").is_file()
    assert profile_counts(data_dir, "演唱会") == (600, 337, 1)

    second = run_cli("roster", "import", str(fixture_roster), "--event", "演唱会",
                     "--data-dir", str(data_dir), "--lang", "en")
    assert second.returncode == 0, second.stderr
    summary = one_json(second.stdout)
    assert (summary["imported"], summary["updated"], summary["posts_created"]) == (0, 600, 0)
    assert profile_counts(data_dir, "演唱会") == (600, 337, 1)


def test_import_broken_file_imports_valid_rows_and_exits_1(broken_roster: Path,
                                                           tmp_path: Path) -> None:
    data_dir = tmp_path / "profile"
    result = run_cli("roster", "import", str(broken_roster), "--event", "小活动",
                     "--data-dir", str(data_dir), "--lang", "en")
    assert result.returncode == 1, result.stderr
    summary = one_json(result.stdout)
    assert (summary["imported"], summary["updated"], summary["posts_created"]) == (3, 0, 3)
    assert profile_counts(data_dir, "小活动") == (3, 3, 1)
    db = Database(data_dir)
    try:
        with db.read() as s:
            rows = sorted(s.scalars(select(Guard.roster_row)))
    finally:
        db.close()
    assert rows == [3, 5, 7]


@pytest.mark.parametrize("content", [
    "姓名,身份证号,保安员证号\n张三," + "1" * 200_000 + ",辽100000000001\n",  # a huge cell
    "姓名,身份证号,保安员证号\r\n张三\r\x00,211102199001010011,辽100000000001\r\n",  # NUL
], ids=["cell-over-131072-characters", "nul-in-a-line"])
def test_a_csv_that_is_no_roster_is_said_not_a_traceback(tmp_path: Path, content: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    data_dir = tmp_path / "profile"
    for command in (("roster", "check", str(path)),
                    ("roster", "import", str(path), "--event", "测试", "--data-dir",
                     str(data_dir))):
        result = run_cli(*command, "--lang", "en")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "roster.csv cannot be read as a roster" in result.stderr
    if (data_dir / "venue-supervisor.sqlite3").exists():  # nothing half-made was left
        with Database(data_dir).read() as s:
            assert s.scalar(select(func.count()).select_from(Event)) == 0

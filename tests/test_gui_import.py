"""Roster import through the preview dialog: problems by row and column, Cancel writes
nothing, Import writes exactly the valid rows."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
)
from sqlalchemy import func, select

from app.inspection.identity import id_check_char
from app.inspection.values import EventInput
from app.profile.models import Guard, Post
from tests.conftest import release_widgets
from ui.application import make_application
from ui.dialogs.import_roster import ImportDialog, problem_rows
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui

HEADER = ["序号", "姓名", "性别", "身份证号", "保安员证号", "所属公司", "岗位", "岗位类型",
          "联系电话", "背景审查", "岗前培训"]
MAIN = "盘锦市安盾保安服务有限公司"
FIXTURE_GUARDS = 600


def good_id(n: int) -> str:
    first17 = f"21110219850312{n:03d}"
    return first17 + id_check_char(first17)


def bad_check_digit(n: int) -> str:
    right = good_id(n)
    return right[:17] + ("1" if right[17] != "1" else "2")


def write_broken_roster(path: Path) -> Path:
    """Title row 1, header row 2; rows 5 (check digit) and 6 (no certificate) are errors."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年某体育场演唱会安保人员名单"])
    sheet.append(HEADER)
    rows = [
        ("王伟", good_id(1), "辽200000000001", "A区1号安检口", "安检"),
        ("李娜", good_id(2), "辽200000000002", "A区1号安检口", "安检"),
        ("张强", bad_check_digit(3), "辽200000000003", "B区2号检票口", "验票"),
        ("刘洋", good_id(4), "", "B区2号检票口", "验票"),
        ("陈静", good_id(5), "辽200000000005", "C区3号巡逻线", "巡逻"),
    ]
    for seq, (name, id_number, cert, post, task) in enumerate(rows, start=1):
        sheet.append([seq, name, "男", id_number, cert, MAIN, post, task,
                      f"1380000000{seq}", "通过", "已培训"])
    book.save(path)
    return path


VALID_CERTS = {"辽200000000001", "辽200000000002", "辽200000000005"}




@pytest.fixture
def gui(qapp):
    app = make_application("en")
    yield app
    release_widgets()




def make_window(qtbot, workbench, event_id: str | None) -> MainWindow:
    window = MainWindow(workbench, "en", event_id)
    qtbot.addWidget(window, before_close_func=lambda _w: wait_for_background())
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def event_id(workbench) -> str:
    return workbench.save_event(EventInput(name="测试演唱会", company_name=MAIN))


@pytest.fixture
def window(gui, qtbot, workbench, event_id, messages):
    win = make_window(qtbot, workbench, event_id)
    yield win
    win.close()


def guard_count(workbench) -> int:
    with workbench.db.read() as s:
        return s.scalar(select(func.count()).select_from(Guard))


def post_count(workbench) -> int:
    with workbench.db.read() as s:
        return s.scalar(select(func.count()).select_from(Post))


def checked_dialog(qtbot, window: MainWindow, path: Path) -> ImportDialog:
    dialog = window.open_import_dialog(str(path))
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    return dialog


def activate(qtbot, dialog: ImportDialog) -> None:
    """Offscreen, a new window is not activated by itself; Esc needs the dialog active."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)


def cancel_button(dialog: ImportDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)


def test_problems_are_listed_by_row_and_column(qtbot, window, workbench, tmp_path):
    dialog = checked_dialog(qtbot, window, write_broken_roster(tmp_path / "broken.xlsx"))
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    assert problem_rows(dialog) == [("5", "身份证号", "error"), ("6", "保安员证号", "error")]
    for row in range(dialog.table.rowCount()):
        assert dialog.table.item(row, 3).text()  # the problem in words
    assert "check digit" in dialog.table.item(0, 3).text()
    assert dialog.import_button.isEnabled()
    assert "3" in dialog.import_button.text()
    assert [r.row for r in dialog.report.valid_rows] == [3, 4, 7]
    assert guard_count(workbench) == 0  # the preview writes nothing


def test_cancel_writes_nothing(qtbot, window, workbench, tmp_path):
    dialog = checked_dialog(qtbot, window, write_broken_roster(tmp_path / "broken.xlsx"))
    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.mouseClick(cancel_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert wait_for_background()
    assert dialog.import_result is None
    assert guard_count(workbench) == 0
    assert post_count(workbench) == 0
    assert window.dashboard.tiles["guards"].text() == "0 / 0"


def test_escape_while_checking_writes_nothing(qtbot, window, workbench, fixture_roster):
    dialog = window.open_import_dialog(str(fixture_roster))
    activate(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert wait_for_background()
    qtbot.waitUntil(lambda: dialog.report is not None)  # the check finished after all
    assert guard_count(workbench) == 0


def test_import_writes_exactly_the_valid_rows(qtbot, window, workbench, event_id, tmp_path):
    dialog = checked_dialog(qtbot, window, write_broken_roster(tmp_path / "broken.xlsx"))
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.import_result is not None
    assert (dialog.import_result.imported, dialog.import_result.updated) == (3, 0)
    assert dialog.import_result.posts_created == 2  # B区's rows both have errors
    guards = workbench.guards(event_id)
    assert {g.cert_no for g in guards} == VALID_CERTS
    assert [g.roster_row for g in guards] == [3, 4, 7]
    assert guard_count(workbench) == 3
    assert {p.name for p in workbench.posts(event_id)} == {"A区1号安检口", "C区3号巡逻线"}
    # the window shows the new roster (the figures are counted on a worker)
    qtbot.waitUntil(lambda: window.dashboard.tiles["guards"].text() == "0 / 3")
    assert window.inspection.post_list.count() == 2
    assert "3" in window.statusBar().currentMessage()


def test_fixture_roster_imports_600_guards(qtbot, gui, workbench, messages, fixture_roster):
    event_id = workbench.save_event(EventInput(name="无公司的活动"))  # company from the file
    window = make_window(qtbot, workbench, event_id)
    dialog = checked_dialog(qtbot, window, fixture_roster)
    assert len(dialog.report.valid_rows) == FIXTURE_GUARDS
    assert dialog.table.rowCount() == len(dialog.report.problems)
    assert all(severity == "warning" for _row, _column, severity in problem_rows(dialog))
    assert str(FIXTURE_GUARDS) in dialog.import_button.text()
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert dialog.import_result.imported == FIXTURE_GUARDS
    assert guard_count(workbench) == FIXTURE_GUARDS
    assert len({g.cert_no for g in workbench.guards(event_id)}) == FIXTURE_GUARDS
    assert workbench.event(event_id).company.name == MAIN
    qtbot.waitUntil(
        lambda: window.dashboard.tiles["guards"].text() == f"0 / {FIXTURE_GUARDS}")
    assert MAIN in window.event_summary.text()
    assert messages == []
    window.close()


def test_import_menu_asks_for_the_file(qtbot, window, workbench, tmp_path, monkeypatch):
    path = write_broken_roster(tmp_path / "broken.xlsx")
    answers = iter([("", ""), (str(path), "Rosters (*.xlsx *.csv)")])
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_args, **_kwargs: next(answers)))
    window.import_roster()  # the supervisor cancels the file dialog: nothing opens
    assert window.findChildren(ImportDialog) == []
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialogs = window.findChildren(ImportDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert problem_rows(dialog)[0][:2] == ("5", "身份证号")
    qtbot.mouseClick(cancel_button(dialog), Qt.MouseButton.LeftButton)
    assert guard_count(workbench) == 0


def test_import_without_an_event_says_so(qtbot, gui, workbench, messages, monkeypatch):
    asked: list[object] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **_kwargs: asked.append(args) or ("", "")))
    window = make_window(qtbot, workbench, None)
    window.import_roster()
    assert len(messages) == 1
    assert asked == []
    window.close()


def test_cancel_during_the_import_does_not_hide_a_write(qtbot, window, workbench, tmp_path,
                                                        monkeypatch):
    """The import is one transaction that cannot be stopped half-way: while it runs the
    dialog must not close as if cancelled, only to write the roster behind it."""
    dialog = checked_dialog(qtbot, window, write_broken_roster(tmp_path / "broken.xlsx"))
    release = threading.Event()
    real_import = workbench.import_roster

    def slow_import(event_id, report):
        assert release.wait(10)
        return real_import(event_id, report)

    monkeypatch.setattr(workbench, "import_roster", slow_import)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    try:
        assert not cancel_button(dialog).isEnabled()
        activate(qtbot, dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        dialog.reject()
        assert dialog.isVisible()
    finally:
        release.set()
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        pass
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert guard_count(workbench) == 3


def test_import_failure_is_reported_and_nothing_written(qtbot, window, workbench, tmp_path,
                                                        monkeypatch, messages):
    dialog = checked_dialog(qtbot, window, write_broken_roster(tmp_path / "broken.xlsx"))

    def failing_import(_event_id, _report):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workbench, "import_roster", failing_import)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=5000)
    assert "disk is full" in messages[0] and "Errno" not in messages[0]
    assert dialog.isVisible()
    assert dialog.import_button.isEnabled()  # the supervisor may try again or cancel
    assert cancel_button(dialog).isEnabled()
    qtbot.mouseClick(cancel_button(dialog), Qt.MouseButton.LeftButton)
    assert guard_count(workbench) == 0


def test_unreadable_file_is_explained(qtbot, window, workbench, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"this is not a workbook")
    dialog = window.open_import_dialog(str(path))
    qtbot.waitUntil(dialog.progress.isHidden, timeout=5000)
    assert "roster.xlsx" in dialog.summary.text()
    assert dialog.report is None
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(cancel_button(dialog), Qt.MouseButton.LeftButton)
    assert guard_count(workbench) == 0

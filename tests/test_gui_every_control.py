"""Every control works the way a supervisor uses it.

On the demo event, and on a profile whose evaluation is signed, every enabled button of every
tab (and of the header and the status bar) is clicked through Qt, and every menu action is
triggered, three times over: with every file dialog cancelled, answered with a wrong file of
the type asked for, and answered with a right one. The test finds the controls itself, so a
control added later is covered without editing it. It fails when an exception reaches Qt's
event loop (pytest-qt turns those into failures), when a background task fails with anything
but an error the user can act on, or when a message shows a programming error instead of
words for people.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QProcess, Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTabBar,
    QWidget,
)

from app.badge.qr import make_qr_image
from app.badge.trust_lists import write_trust_list
from app.demo import add_demo_day, create_demo_event, demo_issuer
from app.evaluation.report import EvaluationService
from app.evaluation.signing import ensure_supervisor_identity, load_signer
from app.inspection.identity import cert_key
from app.inspection.workbench import Workbench
from tests.conftest import FIXTURE_ROSTER
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
PASSPHRASE = "督导员的口令-1"
MODES = ("cancel", "wrong", "right")
# What a programming error looks like when it is shown instead of a message for people.
PROGRAM_FAULT = re.compile(
    r"Traceback|Error\b|Exception|NoneType|object has no|expected str|not bool|"
    r"positional argument|keyword argument|unexpected error|fault in the program|意外错误|"
    r"程序故障|程序出错|程序出现故障")


def write_right_files(folder: Path, demo_profile: Path) -> dict[str, Path]:
    """One right file per kind of file the app asks for."""
    from PIL import Image

    from app.demo import demo_signature_png

    folder.mkdir()
    trust = folder / "trust.json"
    write_trust_list(trust, [demo_issuer()])
    revoked = folder / "revoked.txt"
    revoked.write_text("# revoked certificates\n辽000000000001\n", encoding="utf-8")
    badges = sorted((demo_profile / "demo-badges").glob("*.png"))
    badge = badges[0] if badges else folder / "badge.png"
    if not badges:
        make_qr_image("辽898001735336").save(badge)
    photo = folder / "photo.png"
    Image.new("RGB", (120, 160), (200, 180, 160)).save(photo)
    signature = folder / "signature.png"
    signature.write_bytes(demo_signature_png())
    p12 = folder / "supervisor.p12"
    from app.evaluation.signing import create_self_signed_p12

    create_self_signed_p12(p12, "李建国", PASSPHRASE.encode())
    return {".xlsx": FIXTURE_ROSTER, ".csv": FIXTURE_ROSTER, ".json": trust, ".txt": revoked,
            # any picture will do where a photo is asked for; a badge's also holds a code
            ".png": badge, ".jpg": badge, ".bmp": photo, ".p12": p12, ".pfx": p12}


def write_wrong_files(folder: Path) -> dict[str, Path]:
    """For each extension, a file with that name that is not what it claims to be."""
    folder.mkdir()
    wrong: dict[str, Path] = {}
    for extension, content in ((".xlsx", b"PK\x03\x04 not a spreadsheet"),
                               (".csv", "姓名,身份证号\n张三,123\n".encode()),
                               (".json", b'{"not": "a trust list"}'),
                               (".txt", b"\x00\xff\x00binary\xfe"),
                               (".png", b"\x89PNG\r\n\x1a\n broken"),
                               (".jpg", b"\xff\xd8\xff broken"),
                               (".p12", b"0\x82 not pkcs12"),
                               (".vspkg", b"VSPKG forged package"),
                               (".vsbundle", b"")):
        path = folder / f"wrong{extension}"
        path.write_bytes(content)
        wrong[extension] = path
    return wrong


def first_extension(file_filter: str) -> str:
    found = re.search(r"\*(\.[\w]+)", file_filter or "")
    return found.group(1).lower() if found else ""


class Answers:
    """The answers of every dialog the controls open, for one of the three passes."""

    def __init__(self, mode: str, tmp_path: Path, demo_profile: Path) -> None:
        self.mode = mode
        self.tmp_path = tmp_path
        self.right = write_right_files(tmp_path / "right", demo_profile)
        self.wrong = write_wrong_files(tmp_path / "wrong")
        self.said: list[str] = []
        self.asked_files: list[str] = []
        self.native: list[bool] = []  # a native dialog would be out of the ScanRouter's reach
        self.started: list[list[str]] = []  # programs a control would have started

    @staticmethod
    def _qt_dialog(args: tuple[object, ...], kwargs: dict[str, object]) -> bool:
        options = args[1] if len(args) > 1 else kwargs.get("options")
        return bool(options is not None
                    and QFileDialog.Option(options) & QFileDialog.Option.DontUseNativeDialog)

    def open_file(self, _parent: object, _caption: str = "", _folder: str = "",
                  file_filter: str = "", *_args: object, **_kwargs: object) -> tuple[str, str]:
        extension = first_extension(file_filter)
        self.asked_files.append(extension)
        self.native.append(not self._qt_dialog(_args, _kwargs))
        if self.mode == "cancel":
            return "", ""
        chosen = (self.right if self.mode == "right" else self.wrong).get(extension)
        chosen = chosen or self.wrong.get(extension) or self.wrong[".txt"]
        return str(chosen), file_filter

    def save_file(self, _parent: object, _caption: str = "", _folder: str = "",
                  file_filter: str = "", *_args: object, **_kwargs: object) -> tuple[str, str]:
        extension = first_extension(file_filter) or ".bin"
        self.asked_files.append(extension)
        self.native.append(not self._qt_dialog(_args, _kwargs))
        if self.mode == "cancel":
            return "", ""
        if self.mode == "wrong":  # a folder that does not exist: the write must fail politely
            return str(self.tmp_path / "no-such-folder" / f"out{extension}"), file_filter
        return str(self.tmp_path / f"out{extension}"), file_filter

    def message(self, _parent: object, _title: str, text: str, *_args: object,
                **_kwargs: object) -> QMessageBox.StandardButton:
        self.said.append(text)
        return (QMessageBox.StandardButton.No if self.mode == "cancel"
                else QMessageBox.StandardButton.Yes)

    def text(self, *_args: object, **_kwargs: object) -> tuple[str, bool]:
        if self.mode == "cancel":
            return "", False
        return (PASSPHRASE if self.mode == "right" else "wrong passphrase"), True

    def integer(self, _parent: object, _title: str, _label: str, value: int = 0,
                minimum: int = 0, maximum: int = 0, *_args: object,
                **_kwargs: object) -> tuple[int, bool]:
        return value, self.mode != "cancel"

    def run_dialog(self, dialog: QDialog) -> int:
        if isinstance(dialog, QPrintDialog) and self.mode != "cancel":
            printer: QPrinter = dialog.printer()
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            folder = self.tmp_path if self.mode == "right" else self.tmp_path / "no-such-folder"
            printer.setOutputFileName(str(folder / "printed.pdf"))
            printer.setResolution(72)
            return QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Rejected

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(self.open_file))
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self.save_file))
        for name in ("information", "warning", "critical", "question"):
            monkeypatch.setattr(QMessageBox, name, staticmethod(self.message))
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(self.text))
        monkeypatch.setattr(QInputDialog, "getInt", staticmethod(self.integer))
        # Each dialog class binds its own exec: every one a control may open is answered.
        for dialog_class in (QDialog, QPrintDialog, QFileDialog, QInputDialog):
            monkeypatch.setattr(dialog_class, "exec", lambda dialog: self.run_dialog(dialog))
        # Help → Open the demonstration starts the program again: recorded, not started.
        monkeypatch.setattr(QProcess, "startDetached", staticmethod(
            lambda program, arguments, *_rest: (self.started.append([program, *arguments])
                                                or True, 0)))
        monkeypatch.setattr(QMessageBox, "exec", lambda box: self.message(
            None, box.windowTitle(), box.text()))


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()
        assert wait_for_background()
    QApplication.processEvents()


def open_dialogs(window: MainWindow) -> list[QDialog]:
    return [widget for widget in QApplication.topLevelWidgets()
            if isinstance(widget, QDialog) and widget.isVisible() and widget is not window]


def buttons_of(root: QWidget) -> list[QAbstractButton]:
    """The buttons a person can click now: visible, enabled, not a tab bar's own arrows."""
    return [button for button in root.findChildren(QAbstractButton)
            if button.isVisibleTo(root.window()) and button.isEnabled()
            and not isinstance(button.parent(), QTabBar)]


def menu_actions(window: MainWindow) -> Iterator[QAction]:
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            if not action.isSeparator() and action.menu() is None:
                yield action


def click(button: QAbstractButton, window: MainWindow) -> None:
    button.click()
    settle()
    # Dialogs a click opened (enrolment, HQ's events, the roster preview): their buttons are
    # clicked too, then whatever is still open is closed.
    for dialog in open_dialogs(window):
        for inner in buttons_of(dialog):
            if dialog.isVisible() and shiboken_alive(inner) and inner.isEnabled():
                inner.click()
                settle()
        if dialog.isVisible():
            dialog.reject()
            settle()


def shown_texts(window: MainWindow) -> list[str]:
    """What the window says in its labels and status bar (the inspection page reports in
    a label, not a dialog): screened for programming errors like the messages."""
    texts = [label.text() for label in window.findChildren(QLabel) if label.isVisible()]
    return [*texts, window.statusBar().currentMessage()]


def press_every_shortcut(qtbot, window: MainWindow) -> int:
    """The inspection page's keys (F2, F3, F6, F7, Esc, Ctrl+number, Ctrl+Shift+V) and the
    menus' (Ctrl+I, Ctrl+Z; not Ctrl+Q, nor Ctrl+L, which locks the window: pressed last, by
    ``lock_and_unlock``), pressed in the scan field as a supervisor does."""
    sequences = [shortcut.key() for shortcut in window.findChildren(QShortcut)]
    sequences += [action.shortcut() for action in menu_actions(window)
                  if not action.shortcut().isEmpty()
                  and action.shortcut().toString() not in ("Ctrl+Q", "Ctrl+L")]
    field = window.inspection.scan_field
    for sequence in sequences:
        combination = sequence[0]
        qtbot.keyClick(field, combination.key(), combination.keyboardModifiers())
        settle()
        for dialog in open_dialogs(window):
            dialog.reject()
        settle()
    return len(sequences)


def unlock_if_locked(qtbot, window: MainWindow) -> bool:
    """File → Lock (Ctrl+L) locks the window: the lock screen is shown, the menus are
    disabled; its Unlock button (the demo profile has no password) brings the window back.
    True if it was locked."""
    lock = window.window_lock
    if not lock.locked:
        return False
    assert lock.screen.isVisible() and not window.menuBar().isEnabled()
    qtbot.mouseClick(lock.screen.unlock_button, Qt.MouseButton.LeftButton)
    settle()
    assert not lock.locked and window.tabs.isVisible() and window.menuBar().isEnabled()
    return True


def lock_and_unlock(qtbot, window: MainWindow) -> None:
    """Ctrl+L locks the window; while locked the other shortcuts do nothing (Ctrl+I opens no
    import); unlocked, the page is back as it was."""
    page = window.tabs.currentWidget()
    window.activateWindow()  # the dialogs the shortcuts opened and closed took it away
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier)
    assert window.window_lock.locked
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert open_dialogs(window) == [] and window.window_lock.locked
    assert unlock_if_locked(qtbot, window)
    assert window.tabs.currentWidget() is page


def shiboken_alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


@pytest.fixture
def demo_profile_window(qapp, qtbot, workbench: Workbench):
    make_application("zh_CN")
    event_id = create_demo_event(workbench)
    window = MainWindow(workbench, "zh_CN", event_id)
    qtbot.addWidget(window, before_close_func=lambda _w: wait_for_background())
    return window


def sign_the_demo(workbench: Workbench, event_id: str) -> None:
    from app.demo import demo_signature_png

    add_demo_day(workbench, event_id)
    service = EvaluationService(workbench.db)
    draft = service.draft(event_id)
    service.update_draft(draft.id, comment="整体良好。", recommendation="recommend",
                         supervisor_name="李建国")
    p12 = ensure_supervisor_identity(workbench.db, "李建国", PASSPHRASE.encode())
    service.sign(draft.id, demo_signature_png(), load_signer(p12, PASSPHRASE.encode()))


def draw_signature(qtbot, window: MainWindow) -> None:
    pad = window.evaluation_page.pad
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 60))
    for x in range(30, 260, 10):
        qtbot.mouseMove(pad, QPoint(x, 60 + (x // 10 % 4) * 9))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(260, 70))
    window.evaluation_page.supervisor.setText("李建国")


# What Qt says when the "wrong" pass answers a dialog with a wrong file (an image reader given
# a non-image, a printer to an unwritable file), and that the offscreen platform cannot hand a
# PDF to a viewer: expected here, each answered by the app with a message.
@pytest.mark.qt_log_ignore("Unsupported marker type", r"QPainter::begin\(\): Returned false",
                           "does not support QPlatformServices::openDocument")
@pytest.mark.parametrize("signed", [False, pytest.param(True, marks=pytest.mark.slow)],
                         ids=["demo", "signed"])
@pytest.mark.parametrize("mode", ["cancel", *(pytest.param(mode, marks=pytest.mark.slow)
                                              for mode in MODES[1:])])
def test_every_control_of_every_tab(qtbot, demo_profile_window: MainWindow,
                                    workbench: Workbench, tmp_path: Path, monkeypatch,
                                    caplog, mode: str, signed: bool) -> None:
    window = demo_profile_window
    assert window.current_event is not None
    if signed:
        sign_the_demo(workbench, window.current_event.id)
        window.set_event(window.current_event.id)
    answers = Answers(mode, tmp_path, workbench.db.data_dir)
    answers.install(monkeypatch)
    caplog.set_level(logging.INFO)
    window.show()
    qtbot.waitExposed(window)
    settle()
    assert window.signed_banner.isVisible() == signed

    # On the inspection tab: a guard is scanned at his post (keys into the scan field), then
    # every shortcut is pressed.
    guard = next(g for g in workbench.guards(window.current_event.id) if g.post_id)
    window.inspection.select_post(guard.post_id or "")
    qtbot.keyClicks(window.inspection.scan_field, cert_key(guard.cert_no))
    qtbot.keyClick(window.inspection.scan_field, Qt.Key.Key_Return)
    settle()
    assert window.inspection.card.name_label.text() == guard.name
    assert press_every_shortcut(qtbot, window) >= 16
    lock_and_unlock(qtbot, window)
    shown = shown_texts(window)

    clicked: set[int] = set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        settle()
        if mode == "right" and window.tabs.currentWidget() is window.evaluation_page:
            draw_signature(qtbot, window)
        # The tab's own buttons, then the header's and the status bar's (once).
        for button in buttons_of(window):
            if id(button) in clicked or not shiboken_alive(button):
                continue
            if not (button.isVisible() and button.isEnabled()):
                continue
            clicked.add(id(button))
            click(button, window)
            shown += shown_texts(window)
    quit_action = None
    locked_by = ""  # the menu action that locked the window (then unlocked by the test)
    for action in menu_actions(window):
        if action.shortcut().toString() == "Ctrl+Q":
            quit_action = action  # last: it closes the window
            continue
        if action.isEnabled():
            action.trigger()
            settle()
            for dialog in open_dialogs(window):
                dialog.reject()
            settle()
            if unlock_if_locked(qtbot, window):
                locked_by = action.text()

    assert len(clicked) >= 15, f"only {len(clicked)} buttons found: the search is broken"
    assert locked_by, "no menu action locked the window (File → Lock)"
    faults = [text for text in answers.said + shown if PROGRAM_FAULT.search(text)]
    assert faults == [], "a programming error was shown instead of a message for people"
    failed_tasks = [record.getMessage() for record in caplog.records
                    if record.levelno >= logging.ERROR]
    assert failed_tasks == []
    assert answers.native and not any(answers.native)
    if mode != "cancel":
        asked = set(answers.asked_files)
        assert {".xlsx", ".json", ".txt", ".jpg", ".p12", ".vspkg", ".vsbundle"} <= asked, asked
    assert quit_action is not None
    quit_action.trigger()
    settle()
    assert not window.isVisible()


def test_buttons_and_actions_are_connected_one_way() -> None:
    """``clicked`` and ``triggered`` pass a ``checked`` flag that a slot with an optional
    first parameter would take for its argument (``print_signed(printer=None)`` got False):
    ui/ connects them only through ``connect_command``, which passes nothing."""
    from tests.conftest import REPO

    stray = [f"{path.name}:{number}"
             for path in sorted((REPO / "ui").glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\.(clicked|triggered)\.connect\(", line)]
    assert stray == []

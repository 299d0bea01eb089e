"""The user guide's pictures, taken from the program itself so that they stay current:

    .venv/bin/python scripts/screenshots.py                  # zh_CN and en, into the guide
    .venv/bin/python scripts/screenshots.py --lang en --out /tmp/shots

The demo event with a day of rounds (as ``report --demo`` makes it) is opened in the real
window at 1280x720 offscreen (the size of a supervisor's laptop screen), a guard is scanned
and checked as in ``--demo --screenshot``, and the pictures the guide shows are saved as
``<picture>-<lang>.png``: the inspection after the scan, its checklist and finding, the
card of a guard who does not belong there, the evaluation and the dashboard; then the
first-run set-up's password page, the scanner test of Settings after a scan, and the lock
screen. They are reduced to 256 colours, which a window's flat colours survive, to keep the
guide small.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The pictures show the default look, not the preferences of whoever runs the script.
os.environ["VENUE_SUPERVISOR_CONFIG_DIR"] = tempfile.mkdtemp(prefix="vs-screenshots-config-")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QBuffer, QEvent, QIODevice, QPoint, QRect, Qt  # noqa: E402
from PySide6.QtGui import QImage, QKeyEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.demo import add_demo_day, create_demo_event, demo_badge, use_demo_form  # noqa: E402
from app.inspection.workbench import Workbench  # noqa: E402
from app.profile.db import Database  # noqa: E402
from ui.application import make_application  # noqa: E402
from ui.dialogs.first_run import FirstRunWizard  # noqa: E402
from ui.dialogs.settings import SettingsDialog, open_settings  # noqa: E402
from ui.main_window import FIGURES_REFRESH_MS, MainWindow  # noqa: E402
from ui.screenshot import stage_demo_scan  # noqa: E402
from ui.tasks import wait_for_background  # noqa: E402

LANGUAGES = ("zh_CN", "en")
WINDOW_SIZE = (1280, 720)
PICTURES = ("inspection", "checklist", "verdict", "evaluation", "dashboard", "first-run",
            "scanner-test", "lock")
SCANNER_KEY_MS = 7  # a USB scanner's pace
WEAK_EXAMPLE_PASSWORD = "password1"
DEFAULT_OUT = REPO / "docs" / "user-guide" / "images"
COLOURS = 256
SUPERVISOR = "李建国"
COMMENT = {
    "zh_CN": "整体良好。A区2号检票口一名保安员未佩戴保安服务标志，已当场纠正。",
    "en": "Good overall. A guard at ticket gate A2 wore no insignia; corrected on the spot.",
}


def settle() -> None:
    """Let the counts and previews on workers finish and be shown."""
    for _ in range(3):
        QTest.qWait(FIGURES_REFRESH_MS + 100)
        wait_for_background()
        QApplication.processEvents()


def save_small(image: QImage, path: Path) -> Path:
    """``image`` as a PNG of at most 256 colours."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"cannot encode {path.name}")
    picture = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGB")
    picture.quantize(COLOURS, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def area_of(window: MainWindow, *widgets: QWidget, margin: int = 6) -> QRect:
    """The part of the window the widgets cover together, with a margin around."""
    area = QRect()
    for widget in widgets:
        area = area.united(QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size()))
    return area.adjusted(-margin, -margin, margin, margin).intersected(window.rect())


def stage_wrong_guard(window: MainWindow) -> None:
    """A guard who was never trained scanned at another post than his own: a red card with
    the most serious verdict first and the others under it."""
    page = window.inspection
    event = window.current_event
    here = page.current_post
    assert event is not None and here is not None
    licence_no = event.company.licence_no if event.company else ""
    guard = next(g for g in window.workbench.guards(event.id)
                 if g.post_id and g.post_id != here.id and not g.trained
                 and g.background_check == "passed")
    page.handle_scan(demo_badge(guard, licence_no))
    settle()


def stage_evaluation(window: MainWindow, lang: str) -> None:
    """The supervisor's opinion filled in, a signature drawn on the pad, the PDF previewed
    (not signed: the guide shows the step before it)."""
    page = window.evaluation_page
    window.tabs.setCurrentWidget(page)
    settle()
    page.supervisor.setText(SUPERVISOR)
    page.comment.setPlainText(COMMENT[lang])
    QTest.mousePress(page.pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 70))
    for x in range(30, 280, 8):
        QTest.mouseMove(page.pad, QPoint(x, 70 + (x // 8 % 5) * 7 - (x // 40) * 3))
    QTest.mouseRelease(page.pad, Qt.MouseButton.LeftButton, pos=QPoint(280, 60))
    page.preview_button.click()
    settle()


def stage_first_run(folder: Path) -> FirstRunWizard:
    """The set-up's password page, a weak password typed: its strength and the warning."""
    wizard = FirstRunWizard(folder / "new-profile")
    wizard.show()
    wizard.next()  # welcome -> who you are
    wizard.supervisor.name.setText(SUPERVISOR)
    wizard.next()  # -> the profile password
    wizard.password.password.setText(WEAK_EXAMPLE_PASSWORD)
    QApplication.processEvents()
    return wizard


def stage_scanner_test(window: MainWindow) -> SettingsDialog:
    """Settings' scanner test after a badge came in at a scanner's pace."""
    dialog = open_settings(window)
    dialog.tabs.setCurrentWidget(dialog.scanner_tab)
    QApplication.processEvents()
    event = window.current_event
    assert event is not None
    guard = next(g for g in window.workbench.guards(event.id) if g.post_id)
    code = demo_badge(guard, event.company.licence_no if event.company else "")
    stamp = 1_000
    for char in [*code, "\r"]:
        key = Qt.Key.Key_Return if char == "\r" else Qt.Key(ord(char.upper()))
        for kind, at in ((QEvent.Type.KeyPress, stamp), (QEvent.Type.KeyRelease, stamp + 2)):
            key_event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            key_event.setTimestamp(at)
            QApplication.sendEvent(dialog.scanner.box, key_event)
        stamp += SCANNER_KEY_MS
    dialog.scanner.finish_try()
    QApplication.processEvents()
    return dialog


def take(lang: str, out: Path) -> list[Path]:
    make_application(lang)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="vs-screenshots-") as folder:
        db = Database(Path(folder))
        workbench = Workbench(db)
        use_demo_form(db)
        event_id = create_demo_event(workbench)
        add_demo_day(workbench, event_id)
        window = MainWindow(workbench, lang, event_id)
        window.resize(*WINDOW_SIZE)
        window.show()
        settle()
        stage_demo_scan(window)
        settle()
        page = window.inspection
        saved.append(save_small(window.grab().toImage(), out / f"inspection-{lang}.png"))
        checklist = page.checklist.parentWidget().parentWidget()  # the checklist's scroll area
        closer = area_of(window, page.card, checklist, page.finding_editor)
        saved.append(save_small(window.grab(closer).toImage(), out / f"checklist-{lang}.png"))
        stage_wrong_guard(window)
        saved.append(save_small(window.grab(area_of(window, page.card, margin=0)).toImage(),
                                out / f"verdict-{lang}.png"))
        stage_evaluation(window, lang)
        saved.append(save_small(window.grab().toImage(), out / f"evaluation-{lang}.png"))
        window.tabs.setCurrentWidget(window.dashboard)
        settle()
        saved.append(save_small(window.grab().toImage(), out / f"dashboard-{lang}.png"))
        wizard = stage_first_run(Path(folder))
        saved.append(save_small(wizard.grab().toImage(), out / f"first-run-{lang}.png"))
        wizard.hide()  # not close(): the set-up would ask whether to stop
        wizard.deleteLater()
        dialog = stage_scanner_test(window)
        saved.append(save_small(dialog.grab().toImage(), out / f"scanner-test-{lang}.png"))
        dialog.reject()
        window.window_lock.lock()
        settle()
        saved.append(save_small(window.grab().toImage(), out / f"lock-{lang}.png"))
        window.close()
        settle()
        db.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lang", choices=LANGUAGES, action="append",
                        help="a language (repeatable; default: both)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_application(LANGUAGES[0])
    for lang in args.lang or LANGUAGES:
        for path in take(lang, args.out):
            print(f"{path} {path.stat().st_size // 1024} KB")
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The evaluation screen: live score, comment, a signature drawn with the mouse, the signed
PDF (verified), the lock on the event's records, printing and the preview."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import select

from app.demo import create_demo_event
from app.models import Evaluation
from app.signing import verify_pdf
from app.workbench import Workbench
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui
PASSPHRASE = "督导员的口令-1"


@pytest.fixture
def window(qapp, qtbot, workbench: Workbench, monkeypatch):
    make_application("zh_CN")
    said: list[str] = []

    def record(_parent, _title, text, *_args, **_kwargs):
        said.append(text)
        return QMessageBox.StandardButton.Yes

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *_a, **_k: (PASSPHRASE, True)))
    event_id = create_demo_event(workbench)
    win = MainWindow(workbench, "zh_CN", event_id)
    win.said = said  # type: ignore[attr-defined]
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    wait_for_background()


def draw_signature(qtbot, pad) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(40, 100))
    for x in range(40, 300, 12):
        qtbot.mouseMove(pad, QPoint(x, 100 + (x // 12 % 5) * 8))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 110))


def test_score_sign_lock_print(qtbot, window, workbench, tmp_path):
    page = window.evaluation_page
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.score is not None, timeout=10000)
    score = page.score
    assert page.score_label.text() == f"{score.total:.2f}"  # the same figure as the PDF
    assert page.categories.rowCount() >= 4
    assert page.deductions.rowCount() == len(score.deductions) > 0
    assert str(score.guards_rostered) in page.coverage_label.text()

    assert page.sign() is None  # nothing drawn yet: refused with a message
    assert "签" in window.said[-1]
    draw_signature(qtbot, page.pad)
    assert not page.pad.is_empty
    png = page.pad.to_png()
    assert png.startswith(b"\x89PNG")
    page.supervisor.setText("王督导")
    page.comment.setPlainText("安检口人员充足，个别人员未佩戴标志，已当场纠正。")
    page.recommendation.setCurrentIndex(1)

    evaluation = page.sign()
    assert evaluation is not None and evaluation.status == "signed"
    with workbench.db.read() as s:
        row = s.scalar(select(Evaluation).where(Evaluation.id == evaluation.id))
        assert (row.status, row.supervisor_name, row.recommendation) == (
            "signed", "王督导", "conditional")
        assert "当场纠正" in row.comment
    pdf = workbench.db.data_dir / evaluation.pdf_path
    check = verify_pdf(pdf)
    assert check.intact and "王督导" in check.signer
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "辽宁安盾保安服务有限公司" in text and "王督导" in text

    # the signed event is read-only: a scan is refused, with a message, and nothing recorded
    inspection = window.inspection
    window.tabs.setCurrentWidget(inspection)
    guard = workbench.guards(window.current_event.id)[0]
    before = len(window.said)
    inspection.handle_scan(guard.cert_no)
    assert len(window.said) == before + 1 and inspection.inspection is None

    # printing goes through QPrinter: here into a PDF file instead of a printer
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    printer.setResolution(150)
    pages = page.print_signed(printer)
    assert pages == len(PdfReader(pdf).pages) == len(PdfReader(printed).pages)

    # a correction is a new version; the signed one stays
    window.tabs.setCurrentWidget(page)
    page.start_new_version()
    assert page.evaluation.version == 2 and page.evaluation.status == "draft"
    assert page.sign_button.isEnabled()
    with workbench.db.read() as s:
        statuses = sorted(s.scalars(select(Evaluation.status)))
    assert statuses == ["draft", "signed"]


def test_preview_renders_the_draft(qtbot, window):
    page = window.evaluation_page
    window.tabs.setCurrentWidget(page)
    page.refresh_preview()
    qtbot.waitUntil(lambda: page.preview.document() is not None
                    and page.preview.document().pageCount() > 0, timeout=20000)
    assert page.evaluation is not None and page.evaluation.status == "draft"
    assert page._preview_bytes.startswith(b"%PDF")

"""The evaluation screen: live score, comment, a signature drawn with the mouse, the signed
PDF (verified), the lock on the event's records, printing and the preview."""

from __future__ import annotations

import numpy as np
import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import func, select

from app.demo import create_demo_event
from app.evaluation.signing import verify_pdf
from app.inspection.identity import cert_key
from app.inspection.workbench import Workbench
from app.profile.models import Evaluation, Inspection
from ui.application import make_application
from ui.main_window import MainWindow
from ui.pdf_output import load_pdf
from ui.tasks import wait_for_background
from ui.widgets.camera import qimage_to_gray_array

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


def page_pictures(data: bytes) -> list[np.ndarray]:
    """Each page rendered in grey at about 80 dpi: enough to tell apart two pages of one
    long table."""
    document = load_pdf(data)
    pictures = []
    for index in range(document.pageCount()):
        image = document.render(index, QSize(660, 934)).convertToFormat(
            QImage.Format.Format_Grayscale8)
        grey = qimage_to_gray_array(image).astype(np.float32) / 255
        # 3x3 blocks averaged: the printer's smoothing of thin lines does not count
        height, width = grey.shape[0] // 3 * 3, grey.shape[1] // 3 * 3
        pictures.append(grey[:height, :width].reshape(height // 3, 3, width // 3, 3)
                        .mean(axis=(1, 3)))
    return pictures


def picture_difference(a: np.ndarray, b: np.ndarray) -> float:
    """1 - the correlation of the two pictures: 0 for the same page however light the
    printer's rendering, near 1 for unrelated pages."""
    return 1.0 - float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


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
    # The demo's sample is far from checked: the screen says 暂定, as the paper does.
    assert page.score_view.grade_label.text().endswith("（暂定）")
    assert "样本 80 人中已检查" in page.sample_label.text()

    assert page.sign() is None  # nothing drawn yet: refused with a message
    assert "签" in window.said[-1]
    draw_signature(qtbot, page.pad)
    assert not page.pad.is_empty
    png = page.pad.to_png()
    assert png.startswith(b"\x89PNG")
    page.supervisor.setText("王督导")
    page.comment.setPlainText("安检口人员充足，个别人员未佩戴标志，已当场纠正。")
    page.recommendation.setCurrentIndex(1)

    page.sign()  # signed on a worker thread, the page busy meanwhile
    assert not page.isEnabled()
    qtbot.waitUntil(lambda: page.evaluation is not None and page.evaluation.status == "signed"
                    and page.isEnabled(), timeout=20000)
    evaluation = page.evaluation
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

    # the signed event is read-only: a scan shows its card and says in the page, with no
    # dialog, that nothing was recorded; a banner on every tab says why
    inspection = window.inspection
    window.tabs.setCurrentWidget(inspection)
    assert window.signed_banner.isVisible()
    assert "只读" in window.signed_banner.text()
    guard = workbench.guards(window.current_event.id)[0]
    before = len(window.said)
    with workbench.db.read() as s:
        inspections_before = s.scalar(select(func.count()).select_from(Inspection))
    qtbot.keyClicks(inspection.scan_field, cert_key(guard.cert_no))  # a scanner types ASCII
    qtbot.keyClick(inspection.scan_field, Qt.Key.Key_Return)
    assert len(window.said) == before and inspection.inspection is None
    assert inspection.notice.isVisible() and "签名" in inspection.notice.text()
    assert guard.name in inspection.card.name_label.text()
    assert inspection.checklist.rows == []
    with workbench.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Inspection)) == inspections_before

    # printing: the real button, the print dialog answered with a PDF "printer"
    printed = tmp_path / "printed.pdf"

    def print_to_file(dialog) -> int:
        printer = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        printer.setResolution(150)
        return QPrintDialog.DialogCode.Accepted

    window.tabs.setCurrentWidget(page)
    assert page.print_button.isEnabled()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QPrintDialog, "exec", print_to_file)
        page.print_button.click()
    printed_pages = PdfReader(printed).pages
    assert len(printed_pages) == len(PdfReader(pdf).pages) >= 2
    assert printed_pages[0].mediabox.width > 500  # A4 pages, not thumbnails
    # A printer gets pictures of the pages (QtPdf has no vector path to a printer), so the
    # printed pages are compared with the signed PDF's pages as pictures: each printed page
    # is its own page of the report, and unlike any other page.
    signed_pictures = page_pictures(pdf.read_bytes())
    printed_pictures = page_pictures(printed.read_bytes())
    for index, picture in enumerate(printed_pictures):
        same = picture_difference(picture, signed_pictures[index])
        others = [picture_difference(picture, other)
                  for number, other in enumerate(signed_pictures) if number != index]
        assert same < 0.2 and same < min(others, default=1.0), (index, same, others)

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


def _when_a_dialog_opens(qtbot, act) -> None:
    """Run ``act(dialog)`` on the modal dialog a click is about to open."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def find() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, find)
            return
        act(dialog)

    QTimer.singleShot(0, find)


def test_the_company_head_signs_on_the_pad_or_refuses(qtbot, window, workbench):
    from PySide6.QtWidgets import QDialogButtonBox

    from app.evaluation.report import EvaluationService

    page = window.evaluation_page
    window.tabs.setCurrentWidget(page)
    box = page.company_head
    assert not box.clear_button.isEnabled()  # nothing recorded yet
    box.sign_button.click()  # no name yet: refused with a message, nothing recorded
    assert "负责人" in window.said[-1]
    box.name.setFocus()
    qtbot.keyClicks(box.name, "Zhao Guodong", delay=45)

    def sign(dialog) -> None:
        draw_signature(qtbot, dialog.pad)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    _when_a_dialog_opens(qtbot, sign)
    box.sign_button.click()
    qtbot.waitUntil(box.isEnabled)  # recorded on a worker
    service = EvaluationService(workbench.db)
    info = service.current(page.event_id)
    assert info is not None and info.company_head_name == "Zhao Guodong"
    assert info.company_head_signature_png and info.company_head_refused_at is None
    assert box.status.text() == "公司现场负责人已签名。"

    def refuse(dialog) -> None:
        qtbot.keyClicks(dialog.reason, "disputes the absent post", delay=45)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    _when_a_dialog_opens(qtbot, refuse)
    box.refuse_button.click()
    qtbot.waitUntil(box.isEnabled)
    info = service.current(page.event_id)
    assert info is not None and info.company_head_signature_png is None
    assert info.company_head_refusal_reason == "disputes the absent post"
    assert "拒签" in box.status.text() and "disputes the absent post" in box.status.text()

    box.clear_button.click()
    qtbot.waitUntil(box.isEnabled)
    info = service.current(page.event_id)
    assert info is not None and info.company_head_refused_at is None
    assert info.company_head_signature_png is None and info.company_head_name == "Zhao Guodong"
    assert not box.clear_button.isEnabled()

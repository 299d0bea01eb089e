"""Badges on the inspection screen: each verdict shown distinctly (colour, symbol, Chinese
words, sound cue); codes read from the camera's frames, a photo file or the clipboard; post
labels; no camera is a calm message."""

from __future__ import annotations

import pytest
from PIL import ImageOps
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from sqlalchemy import select

from app.badge.payload import post_payload
from app.badge.qr import make_qr_image
from app.badge.trust_lists import write_trust_list
from app.badge.trust_store import import_trust_list
from app.badge.verify import BadgeVerdict
from app.inspection.domain import Verdict, badge_verdict_text, verdict_text
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.models import Inspection
from tests.helpers.badges import COMPANY, OTHER_KEY, TODAY, issuer, signed, valid_id
from ui.application import make_application
from ui.main_window import MainWindow
from ui.tasks import wait_for_background
from ui.widgets.camera import decode_qimage, qimage_to_gray_array
from ui.widgets.result_card import BAD, GOOD

pytestmark = pytest.mark.gui
CERT = "辽334107653877"
POST = "A区1号安检口"


def pil_to_qimage(image) -> QImage:
    gray = ImageOps.grayscale(image)
    data = gray.tobytes()
    qimage = QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8)
    return qimage.copy()  # own the pixels: ``data`` goes away


@pytest.fixture
def window(qapp, qtbot, workbench: Workbench, tmp_path, monkeypatch):
    make_application("zh_CN")
    said: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information",
                        staticmethod(lambda _p, _t, text, *a, **k: said.append(text)))
    workbench.today = lambda: TODAY
    event_id = workbench.save_event(EventInput(name="签名证件界面测试", company_name=COMPANY))
    report = RosterReport(source="test", main_company=COMPANY)
    report.rows.append(RosterRow(row=3, name="杜英", gender="男", id_number=valid_id(3),
                                 cert_no=CERT, company=COMPANY, post=POST, task_type="安检",
                                 phone="", background_check="passed", trained=True))
    workbench.import_roster(event_id, report)
    trust = tmp_path / "trust.json"
    write_trust_list(trust, [issuer()])
    import_trust_list(workbench.db, trust)
    win = MainWindow(workbench, "zh_CN", event_id)
    win.said = said  # type: ignore[attr-defined]
    qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
    win.show()
    qtbot.waitExposed(win)
    page = win.inspection
    page.select_post(next(p.id for p in workbench.posts(event_id) if p.name == POST))
    qtbot.waitUntil(lambda: page.cue is not None)
    yield win
    win.close()
    wait_for_background()


def banner_colour(window: MainWindow) -> str:
    return window.inspection.card.banner.palette().color(QPalette.ColorRole.Window).name()


def inspections(workbench: Workbench) -> list[Inspection]:
    with workbench.db.read() as s:
        return list(s.scalars(select(Inspection).order_by(Inspection.created_at)))


def test_each_badge_verdict_is_shown_distinctly(qtbot, window, workbench):
    page = window.inspection
    cases = [
        (signed(), Verdict.ASSIGNED_HERE, BadgeVerdict.VALID, GOOD, "accept"),
        (signed()[:-4] + ("AAAA" if not signed().endswith("AAAA") else "BBBB"),
         Verdict.BADGE_INVALID, BadgeVerdict.BAD_SIGNATURE, BAD, "alert"),
        (signed(OTHER_KEY), Verdict.BADGE_INVALID, BadgeVerdict.UNKNOWN_ISSUER, BAD, "alert"),
        ("334107653877", Verdict.ASSIGNED_HERE, BadgeVerdict.UNSIGNED_LEGACY, GOOD, "accept"),
    ]
    seen_texts = set()
    for text, verdict, badge, colour, cue in cases:
        qtbot.keyClicks(page.scan_field, text)
        qtbot.keyClick(page.scan_field, "\r")
        assert page.card.verdict_label.text() == verdict_text(verdict)
        assert badge_verdict_text(badge) in page.card.badge_label.text()
        assert banner_colour(window) == QColor(colour).name()
        assert page.cue is not None and page.cue.last_played == cue
        seen_texts.add(page.card.badge_label.text())
        assert inspections(workbench)[-1].badge_verdict == str(badge)
    assert len(seen_texts) == len(cases)  # four different words for four badges
    # the Chinese words come from the translation
    assert badge_verdict_text(BadgeVerdict.BAD_SIGNATURE) == "签名不符：证件被伪造或篡改"


def choose_file(monkeypatch, path) -> None:
    """The file dialog answers with ``path``, as a person picking it would."""
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *_a, **_k: (str(path), "")))


def test_badge_photo_file_feeds_the_scan_path(qtbot, window, workbench, tmp_path,
                                               monkeypatch):
    photo = tmp_path / "badge.png"
    make_qr_image(signed()).save(photo)
    choose_file(monkeypatch, photo)
    window.inspection.image_button.click()
    qtbot.waitUntil(lambda: len(inspections(workbench)) == 1)
    assert inspections(workbench)[0].badge_verdict == "VALID"
    assert window.inspection.card.verdict_label.text() == verdict_text(Verdict.ASSIGNED_HERE)


def test_clipboard_image_feeds_the_scan_path(qtbot, window, workbench):
    QGuiApplication.clipboard().setImage(pil_to_qimage(make_qr_image(signed())))
    window.inspection.scan_sources.scan_clipboard_image()
    qtbot.waitUntil(lambda: len(inspections(workbench)) == 1)
    assert inspections(workbench)[0].verdict == "assigned_here"


def test_image_without_a_code_says_so(qtbot, window, tmp_path, monkeypatch):
    blank = QImage(200, 200, QImage.Format.Format_Grayscale8)
    blank.fill(255)
    path = tmp_path / "blank.png"
    blank.save(str(path))
    choose_file(monkeypatch, path)
    window.inspection.image_button.click()
    notice = window.inspection.notice
    qtbot.waitUntil(notice.isVisible)
    assert "二维码" in notice.text()


def test_camera_frames_are_decoded_off_the_gui_thread(qtbot, window, workbench):
    decoder = window.inspection.camera.decoder
    frame = QImage(1280, 720, QImage.Format.Format_RGB32)
    frame.fill(QColor("white"))
    code = pil_to_qimage(make_qr_image(signed(), box_size=4))
    from PySide6.QtGui import QPainter

    painter = QPainter(frame)
    painter.drawImage(500, 200, code)
    painter.end()
    assert decoder.offer(frame)
    assert not decoder.offer(frame)  # a decode is running: this frame is dropped
    qtbot.waitUntil(lambda: len(inspections(workbench)) == 1)
    assert decoder.frames_seen == 2 and decoder.frames_decoded == 1
    # the same badge held in front of the lens is not recorded again and again
    assert decoder.offer(frame)
    qtbot.waitUntil(lambda: not decoder.busy)
    assert len(inspections(workbench)) == 1


def test_no_camera_is_a_calm_message(window, monkeypatch):
    camera = window.inspection.camera
    monkeypatch.setattr(camera, "_video_inputs", lambda: [])
    assert camera.start() is False
    assert "未找到摄像头" in camera.status.text()
    assert not camera.running


def test_post_label_switches_the_post(qtbot, window, workbench):
    page = window.inspection
    other = workbench.save_post(page.event_id, "B区2号检票口", "", "验票", 4)
    page.reload_posts()
    qtbot.keyClicks(page.scan_field, post_payload("B区2号检票口"))
    qtbot.keyClick(page.scan_field, "\r")
    assert page.current_post is not None and page.current_post.id == other
    assert page.card.verdict_label.text() == verdict_text(Verdict.POST_SCANNED)
    assert inspections(workbench) == []  # a post label opens no inspection


def test_gray_conversion_keeps_the_pixels():
    image = QImage(7, 3, QImage.Format.Format_RGB32)  # odd width: rows are padded
    image.fill(QColor("black"))
    image.setPixelColor(6, 2, QColor("white"))
    pixels = qimage_to_gray_array(image)
    assert pixels.shape == (3, 7)
    assert pixels[2, 6] == 255 and pixels[0, 0] == 0
    assert decode_qimage(QImage()) == []

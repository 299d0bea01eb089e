"""Sync in the main window: the status bar line (pending count, last success, errors in plain
words, the back-off of retries), the Sync menu, enrolment, events and packages from
headquarters and the bundle for a USB stick. HQ is a closed loopback port or a small fake
HQ on loopback; nothing leaves this machine."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PySide6.QtWidgets import QFileDialog

from app.demo import create_demo_event
from app.i18n import install_translators
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.sync.client import SyncService
from app.sync.protocol import (
    BUNDLE_FORMAT,
    HQ_SIGNER,
    PACKAGE_FORMAT,
    b64encode,
    raw_public_key,
    read_signed,
    write_signed,
)
from app.sync.records import records_for_event
from app.sync.state import DEVICE_KEY, HQ_DEVICE_ID, HQ_PACKAGE_KEY, HQ_TOKEN, HQ_URL, LAST_ERROR
from tests.conftest import release_widgets
from ui.application import make_application
from ui.dialogs.sync import EnrolDialog, RemoteEventsDialog
from ui.main_window import MainWindow
from ui.screenshot import stage_demo_scan
from ui.sync_controller import BACKOFF_MS, SUCCESS_INTERVAL_MS
from ui.tasks import wait_for_background

pytestmark = pytest.mark.gui


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gui(qapp):
    app = make_application("zh_CN")
    yield app
    release_widgets()
    # The translator is process-wide: core tests that run later expect English messages.
    install_translators(app, "en")


@pytest.fixture
def open_window(gui, qtbot, workbench: Workbench):
    windows: list[MainWindow] = []

    def open_(event_id: str | None = None) -> MainWindow:
        win = MainWindow(workbench, "zh_CN", event_id)
        qtbot.addWidget(win, before_close_func=lambda _w: wait_for_background())
        win.show()
        qtbot.waitExposed(win)
        # the first status read (enrolment, pending count) comes from a worker
        qtbot.waitUntil(lambda: win.sync.status is not None, timeout=10000)
        windows.append(win)
        return win

    yield open_
    for win in windows:
        win.sync.stop()
        win.close()
    wait_for_background()


def scan_a_guard(window: MainWindow) -> None:
    """A plain certificate number typed at the guard's post: one inspection to send."""
    assert window.current_event is not None
    guard = next(g for g in window.workbench.guards(window.current_event.id) if g.post_id)
    window.inspection.select_post(guard.post_id or "")
    assert window.inspection.handle_scan(guard.cert_no) is not None


def pending_text(count: int) -> str:
    return f"待同步 {count} 条"


def test_status_bar_counts_pending_changes_and_offers_enrolment(qtbot, open_window,
                                                                workbench):
    event_id = create_demo_event(workbench)
    service = SyncService(workbench.db)
    before = service.pending_count()
    assert before > 600  # the demo's company, event, posts, guards and inspections
    window = open_window(event_id)
    widget = window.sync_status
    qtbot.waitUntil(lambda: pending_text(before) in widget.state.text())
    assert "未在总部注册" in widget.state.text()
    assert widget.enrol_button.isVisible() and not widget.sync_button.isVisible()
    assert not widget.bar.isVisible() and not widget.error.isVisible()
    assert not window.sync.timer.isActive()  # nothing to sync with

    stage_demo_scan(window)  # a scan, a finding, the checklist: new records to send
    qtbot.waitUntil(lambda: service.pending_count() > before)
    after = service.pending_count()
    qtbot.waitUntil(lambda: pending_text(after) in widget.state.text(), timeout=5000)

    widget.enrol_button.click()
    assert isinstance(window.sync_menu.dialog, EnrolDialog)
    window.sync_menu.dialog.reject()


def test_enrolment_failure_says_why_and_changes_nothing(qtbot, open_window, workbench):
    window = open_window()
    dialog = window.sync_menu.enrol()
    dialog.enrol()  # empty form
    assert "总部地址" in dialog.message.text()
    port = unused_port()
    dialog.url.setText(f"http://127.0.0.1:{port}")
    dialog.code.setText("ABCD-1234")
    dialog.enrol()
    qtbot.waitUntil(lambda: dialog.url.isEnabled(), timeout=10000)
    assert "未注册" in dialog.message.text() and f"127.0.0.1:{port}" in dialog.message.text()
    assert dialog.isVisible() and dialog.result_info is None
    assert workbench.db.setting(HQ_TOKEN) is None and workbench.db.setting(HQ_URL) is None
    dialog.reject()


def test_unreachable_hq_is_shown_in_plain_words_and_retried_later_and_later(
        qtbot, open_window, workbench):
    # Something to send, so that every attempt has to reach HQ.
    workbench.save_event(EventInput(name="同步失败测试", company_name="辽宁安盾"))
    port = unused_port()
    workbench.db.set_setting(HQ_URL, f"http://127.0.0.1:{port}")
    workbench.db.set_setting(HQ_TOKEN, "x.y")
    window = open_window()
    controller, widget = window.sync, window.sync_status
    assert widget.sync_button.isVisible() and not widget.enrol_button.isVisible()

    intervals = []
    for attempt in range(1, 7):
        assert controller.sync_now()
        assert not controller.sync_now()  # one sync at a time
        assert widget.bar.isVisible() and not widget.sync_button.isEnabled()
        qtbot.waitUntil(lambda attempt=attempt: controller.failures == attempt, timeout=15000)
        assert controller.timer.isActive()
        intervals.append(controller.timer.interval())
        assert not widget.bar.isVisible() and widget.sync_button.isEnabled()
    assert intervals == [*BACKOFF_MS, BACKOFF_MS[-1]]
    assert intervals == sorted(intervals) and intervals[0] < intervals[-1]

    stored = workbench.db.setting(LAST_ERROR) or ""
    assert f"127.0.0.1:{port}" in stored and "无法连接" in stored  # translated, plain words
    assert widget.error.isVisible()
    assert widget.error.full_text() == stored == widget.error.toolTip()
    assert widget.error.text() != stored and widget.error.text().endswith("…")  # elided
    assert widget.error.width() <= widget.ERROR_WIDTH


class FakeHq:
    """Just enough of HQ's API (docs/sync-protocol.md) to answer this laptop."""

    def __init__(self, package: bytes, event: dict[str, object]) -> None:
        self.package = package
        self.event = event
        self.received: list[dict[str, object]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def _answer(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, value: object) -> None:
                self._answer(json.dumps(value).encode(), "application/json")

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/api/v1/events":
                    self._json({"events": [fake.event]})
                elif self.path == "/api/v1/devices/me":
                    self._json({"device_id": "device", "name": "laptop", "supervisor": "王建国",
                                "signing_certificate_registered": False})
                elif self.path == f"/api/v1/events/{fake.event['id']}/package":
                    self._answer(fake.package, "application/octet-stream")
                else:
                    self.send_error(404)

            def do_POST(self) -> None:  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/v1/records/known":
                    self._json({"known": []})
                elif self.path == "/api/v1/records":
                    fake.received.extend(request["records"])
                    self._json({"results": [{"id": r["id"], "status": "stored", "error": None}
                                            for r in request["records"]]})
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hq_event(tmp_path: Path) -> Iterator[tuple[bytes, dict[str, object], Ed25519PrivateKey]]:
    """An event package as HQ would sign it, prepared in another profile."""
    key = Ed25519PrivateKey.generate()
    hq_db = Database(tmp_path / "hq-side")
    event_id = create_demo_event(Workbench(hq_db), with_inspections=False)
    with hq_db.read() as s:
        records = records_for_event(s, event_id, hq_db.data_dir)
    event = next(r for r in records if r.kind == "event")
    body = {"event_id": event_id, "created_at": "2026-11-24T08:00:00+00:00",
            "records": [r.as_json() for r in records], "checklist_template": {},
            "trust_list": [], "revoked_certificates": [], "revoked_issuers": []}
    summary = {"id": event_id, "name": event.payload["name"], "venue": "市体育中心体育场",
               "starts_at": "2026-12-12T11:30:00+00:00", "company_name": "辽宁安盾",
               "guards": 606, "posts": 80}
    yield write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, key), summary, key
    hq_db.close()


def test_event_from_hq_is_listed_pulled_and_selected_then_changes_are_synced(
        qtbot, open_window, workbench, hq_event, messages):
    package, summary, key = hq_event
    hq = FakeHq(package, summary)
    try:
        workbench.db.set_setting(HQ_URL, hq.url)
        workbench.db.set_setting(HQ_TOKEN, "device.secret")
        workbench.db.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(key)))
        window = open_window()
        assert window.current_event is None
        dialog = window.sync_menu.pull_event()
        assert isinstance(dialog, RemoteEventsDialog)
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
        assert dialog.table.item(0, 0).text() == summary["name"]
        assert dialog.table.item(0, 4).text() == "606"
        assert dialog.get_button.isEnabled()
        dialog.pull()
        assert dialog.busy.isVisible()
        qtbot.waitUntil(lambda: window.current_event is not None, timeout=20000)
        assert window.current_event.id == summary["id"]
        assert window.event_choice.currentData() == summary["id"]
        assert summary["name"] in messages[-1] and "688" in messages[-1]  # 1+1+80+606 records

        # The pulled rows are HQ's own: nothing waits to be sent until a scan here.
        service = SyncService(workbench.db)
        assert service.pending_count() == 0
        scan_a_guard(window)
        qtbot.waitUntil(lambda: service.pending_count() > 0)
        pending = service.pending_count()
        window.sync.timer.stop()
        assert window.sync.sync_now()
        qtbot.waitUntil(lambda: not window.sync.running, timeout=20000)
        assert len({r["id"] for r in hq.received}) == pending
        assert service.pending_count() == 0
        assert window.sync.timer.interval() == SUCCESS_INTERVAL_MS
        widget = window.sync_status
        qtbot.waitUntil(lambda: pending_text(0) in widget.state.text(), timeout=5000)
        assert re.search(r"上次同步 \d\d:\d\d", widget.state.text())
        assert not widget.error.isVisible()
    finally:
        hq.close()


def test_event_package_file_is_imported_from_the_menu(qtbot, open_window, workbench,
                                                       hq_event, messages, tmp_path,
                                                       monkeypatch):
    package, summary, key = hq_event
    path = tmp_path / "event.vspkg"
    path.write_bytes(package)
    window = open_window()
    offered: list[str] = []

    def choose(_parent, _title, _start, filters, *_args, **_kwargs):
        offered.append(filters)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    window.sync_menu.import_action.trigger()  # not enrolled: the signer is unknown
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=10000)
    assert "注册" in messages[0] and window.current_event is None
    assert "*.vspkg" in offered[0]

    workbench.db.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(key)))
    window.sync_menu.import_action.trigger()
    qtbot.waitUntil(lambda: window.current_event is not None, timeout=20000)
    assert window.current_event.id == summary["id"]
    assert summary["name"] in messages[-1]


def test_bundle_for_usb_is_written_signed_with_every_pending_record(
        qtbot, open_window, workbench, messages, tmp_path, monkeypatch):
    create_demo_event(workbench)
    window = open_window()
    target = tmp_path / "usb" / "out.vsbundle"
    suggested: list[str] = []

    def choose(_parent, _title, start, *_args, **_kwargs):
        suggested.append(start)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    window.sync_menu.export_action.trigger()  # no device key yet: refused in plain words
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=10000)
    assert "未在总部注册" in messages[0] and not target.exists()
    assert re.fullmatch(r"venue-supervisor-\d{4}-\d\d-\d\d\.vsbundle", Path(suggested[0]).name)

    key = Ed25519PrivateKey.generate()
    workbench.db.set_setting(HQ_DEVICE_ID, "laptop-7")
    workbench.db.set_setting(DEVICE_KEY, b64encode(key.private_bytes_raw()))
    pending = SyncService(workbench.db).pending_count()
    window.sync_menu.export_action.trigger()
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=20000)
    signer, body = read_signed(target.read_bytes(), BUNDLE_FORMAT,
                               lambda s: raw_public_key(key) if s == "laptop-7" else None)
    assert signer == "laptop-7" and body["device_id"] == "laptop-7"
    assert len({r["id"] for r in body["records"]}) == len(body["records"]) == pending
    assert str(pending) in messages[1] and str(target) in messages[1]


def test_sync_menu_entries(open_window):
    window = open_window()
    menu = window.sync_menu.menu
    assert menu.title() == "同步(&S)"
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["在总部注册本机…", "立即同步", "从总部获取活动…", "导入活动数据包…",
                     "导出离线数据包（U盘）…"]
    assert all(a.isEnabled() for a in menu.actions())
    window.sync_menu.sync_action.trigger()  # not enrolled: the remedy, not a bare error
    assert isinstance(window.sync_menu.dialog, EnrolDialog) and window.sync_menu.dialog.isVisible()
    assert not window.sync.running
    window.sync_menu.dialog.reject()


@pytest.mark.slow  # starts a process
def test_enrolment_with_a_real_hq_then_sync_from_the_status_bar(qtbot, open_window,
                                                                 workbench, tmp_path, messages):
    from tests.helpers.hq_process import HqProcess

    hq = HqProcess(f"sqlite:///{tmp_path / 'hq.sqlite3'}", tmp_path).start()
    try:
        window = open_window()
        dialog = window.sync_menu.enrol()
        dialog.url.setText(hq.url)
        dialog.code.setText(hq.enrol_code("王督导"))
        dialog.enrol()
        qtbot.waitUntil(lambda: dialog.result_info is not None, timeout=15000)
        assert workbench.db.setting(HQ_URL) == hq.url and workbench.db.setting(HQ_TOKEN)
        assert any("王督导" in text for text in messages)
        workbench.save_event(EventInput(name="同步测试活动"))
        window.sync_status.controller.refresh_status()
        qtbot.waitUntil(lambda: "待同步 1 条" in window.sync_status.state.text(),
                        timeout=10000)
        assert window.sync_status.controller.sync_now()
        qtbot.waitUntil(lambda: not window.sync_status.controller.running, timeout=20000)
        qtbot.waitUntil(lambda: "待同步 0 条" in window.sync_status.state.text(),
                        timeout=10000)
        assert hq.stats()["events"] == 1
    finally:
        wait_for_background()
        hq.stop(kill=True)

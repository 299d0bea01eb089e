"""``--demo --screenshot FILE``: the inspection screen with a scanned guard, saved as PNG."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.demo import demo_badge
from app.inspection.domain import Verdict
from ui.main_window import FIGURES_REFRESH_MS, MainWindow
from ui.tasks import wait_for_background


def stage_demo_scan(window: MainWindow) -> None:
    """Scan a guard at their own post, mark the checklist compliant, record one finding."""
    assert window.current_event is not None
    workbench = window.workbench
    guards = workbench.guards(window.current_event.id)
    company = window.current_event.company
    guard = next(g for g in guards if g.post_id and g.trained
                 and g.background_check == "passed"
                 and (company is None or g.company_name == company.name))
    page = window.inspection
    window.tabs.setCurrentWidget(page)
    page.select_post(guard.post_id or "")
    licence_no = company.licence_no if company else ""
    scan = page.handle_scan(demo_badge(guard, licence_no))
    if scan is None or scan.verdict != Verdict.ASSIGNED_HERE:
        raise RuntimeError(
            f"the demo badge of {guard.name} was read as "
            f"{scan.verdict.value if scan else 'nothing'}, not as assigned here"
            f"{'; ' + scan.badge.detail if scan and scan.badge else ''} (a demo profile "
            f"from an older version? remove it: {workbench.db.data_dir})")
    page.toggle_item(1)  # the insignia is missing
    page.finding_editor.note.setText("未佩戴保安服务标志，已当场指出并佩戴")
    page.finding_editor.note.editingFinished.emit()
    page.finding_editor.toggle_correction()
    page.mark_all_compliant()
    window.refresh_figures()


def take_demo_screenshot(window: MainWindow, path: Path) -> None:
    try:
        stage_demo_scan(window)
        # The figures are recounted on a worker after a short pause (FIGURES_REFRESH_MS):
        # wait that pause out, then for the worker, so the picture shows them current.
        for _ in range(2):
            QTest.qWait(FIGURES_REFRESH_MS + 100)
            wait_for_background()
            QApplication.processEvents()
        if not window.grab().save(str(path)):
            raise OSError(f"cannot write {path}")
        print(str(path))
    except Exception as exc:  # report and leave with an error code, never hang
        print(f"screenshot failed: {exc}", file=sys.stderr)
        QApplication.exit(1)
        return
    QApplication.exit(0)

"""Screenshots of every tab of the real window on the demo event, as a supervisor's laptop
shows it: run under a 1280x720 screen, e.g.

    xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python scripts/tab_screenshots.py \\
        --lang zh_CN --out docs/screenshots

The window opens maximised (the screen is smaller than its preferred size), a guard is
scanned and checked as in ``--demo --screenshot``, then each tab is saved as
``tab-<n>-<lang>.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.demo import create_demo_event  # noqa: E402
from app.inspection.workbench import Workbench  # noqa: E402
from app.profile.db import Database  # noqa: E402
from ui.application import make_application  # noqa: E402
from ui.screenshot import stage_demo_scan  # noqa: E402
from ui.tasks import wait_for_background  # noqa: E402


def settle() -> None:
    for _ in range(5):
        wait_for_background()
        QApplication.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    app = make_application(args.lang)
    from ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder))
        workbench = Workbench(db)
        window = MainWindow(workbench, args.lang, create_demo_event(workbench))
        window.show_fitted()
        # Xvfb has no window manager to maximise it: take the whole screen, as one would.
        window.setGeometry(window.screen().availableGeometry())
        settle()
        stage_demo_scan(window)
        settle()
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"window {window.width()}x{window.height()}, minimum "
              f"{window.minimumSizeHint().width()}x{window.minimumSizeHint().height()}")
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            settle()
            path = args.out / f"tab-{index + 1}-{args.lang}.png"
            window.grab().save(str(path))
            print(path)
        window.close()
        settle()
        db.close()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Render the demo's signed evaluation to pictures: page 1 (the form) into the README's
picture, docs/evaluation-form-zh_CN.png, and with --all every page into a folder to look at.

    python scripts/form_picture.py               # docs/evaluation-form-zh_CN.png
    python scripts/form_picture.py --all DIR     # also DIR/page-01.png ...

The demo is signed afresh in a temporary profile (app.demo.signed_demo_report), so the
picture shows what `python -m app report --demo` writes today.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSize, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402

from app.demo import signed_demo_report  # noqa: E402
from ui.pdf_output import load_pdf  # noqa: E402

README_PICTURE = ROOT / "docs" / "evaluation-form-zh_CN.png"
WIDTH = 900  # pixels across an A4 page: about 110 dpi, readable in the README


def page_picture(document: object, index: int, width: int) -> QImage:
    """One page on white paper (QtPdf renders onto transparency)."""
    height = round(width * 297 / 210)
    rendered = document.render(index, QSize(width, height))  # type: ignore[attr-defined]
    paper = QImage(rendered.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return paper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", metavar="DIR", type=Path,
                        help="also write every page to DIR/page-NN.png")
    args = parser.parse_args()
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QtPdf renders with the application
    report = signed_demo_report()
    document = load_pdf(report.pdf)
    page_picture(document, 0, WIDTH).save(str(README_PICTURE))
    print(README_PICTURE)
    if args.all:
        args.all.mkdir(parents=True, exist_ok=True)
        for index in range(document.pageCount()):
            path = args.all / f"page-{index + 1:02d}.png"
            page_picture(document, index, WIDTH).save(str(path))
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

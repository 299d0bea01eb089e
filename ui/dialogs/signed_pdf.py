"""The signed evaluation's PDF handed out of the app: to a printer through the system's print
dialog, to the system's PDF viewer; what went wrong is said in a message box.

Its texts keep the evaluation page's translation context (EvaluationPage), where their
translations are.
"""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from app.profile.files import ProfileFiles
from ui.pdf_output import open_in_viewer, print_pdf


def print_signed_pdf(parent: QWidget, files: ProfileFiles, path: Path) -> int:
    """Print the PDF at ``path`` through the system's print dialog; the pages printed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(QCoreApplication.translate("EvaluationPage", "Comprehensive evaluation"))
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return 0
    pages = print_pdf(files.read(path), printer)
    if pages == 0:
        QMessageBox.warning(
            parent, QCoreApplication.translate("EvaluationPage", "Print"),
            QCoreApplication.translate(
                "EvaluationPage", "The printer could not be used. Check that it is switched "
                "on and chosen in the print dialog, then print again."))
    return pages


def open_signed_pdf(parent: QWidget, files: ProfileFiles, path: Path) -> None:
    """Hand the PDF at ``path`` to the system's viewer. From an encrypted profile the viewer
    gets a decrypted copy in a private temporary folder (0700, the file 0600), removed when
    the app ends; the copy is the one place the PDF lies unencrypted on disk."""
    if files.encrypted:
        path = files.plain_copy(path)
        atexit.register(shutil.rmtree, path.parent, True)
    if not open_in_viewer(path):
        QMessageBox.information(
            parent, QCoreApplication.translate("EvaluationPage", "Open PDF"),
            QCoreApplication.translate(
                "EvaluationPage",
                "No PDF viewer is set up on this computer. The file is here:\n{path}").format(
                path=path))

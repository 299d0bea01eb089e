"""The supervisor's signing key, asked for in dialogs: its passphrase before signing (a new
key's when there is none yet), and headquarters' certificate (.p12) imported to sign with.

Its texts keep the evaluation page's translation context (EvaluationPage), where their
translations are.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.evaluation.signing import SigningError, import_supervisor_p12, supervisor_p12_path
from app.profile.db import Database
from ui.dialogs.files import open_file_name


def ask_passphrase(parent: QWidget, title: str, label: str) -> bytes | None:
    """The passphrase typed (hidden), or None when the dialog is cancelled or left empty."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text.encode("utf-8") if ok and text else None


def signing_passphrase(parent: QWidget, db: Database) -> bytes | None:
    """The passphrase of the profile's signing key, or the one chosen for the key made at
    the first signing; None when the supervisor cancels."""
    first_time = supervisor_p12_path(db) is None
    return ask_passphrase(
        parent, QCoreApplication.translate("EvaluationPage", "Signing key"),
        QCoreApplication.translate("EvaluationPage",
                                   "Choose a passphrase for your new signing key:")
        if first_time
        else QCoreApplication.translate("EvaluationPage", "Passphrase of your signing key:"))


def import_certificate(parent: QWidget, db: Database) -> None:
    """Ask for headquarters' certificate file and its passphrase; from then on it signs the
    profile's evaluations. What failed is said in a message box."""
    path, _ = open_file_name(
        parent, QCoreApplication.translate("EvaluationPage", "Certificate from headquarters"),
        "", QCoreApplication.translate("EvaluationPage", "PKCS#12 (*.p12 *.pfx)"))
    if not path:
        return
    title = QCoreApplication.translate("EvaluationPage", "Certificate")
    passphrase = ask_passphrase(parent, title, QCoreApplication.translate(
        "EvaluationPage", "Passphrase of {file}:").format(file=Path(path).name))
    if passphrase is None:
        return
    try:
        import_supervisor_p12(db, path, passphrase)
    except SigningError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return
    QMessageBox.information(parent, title, QCoreApplication.translate(
        "EvaluationPage", "The certificate will sign your evaluations."))

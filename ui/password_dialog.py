"""The profile password, asked when the app starts.

An encrypted profile opens only with its password: the dialog asks for it, says so when it
is wrong and asks again; Cancel quits the app. A profile without a password yet (a new one,
or one from an older version, whose data is converted) gets one chosen here, typed twice.
The built-in demo (--demo) is not asked: it holds demonstration data only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.db import Database, ProfileError, ProfileLockedError
from app.profile_key import MIN_PASSWORD_CHARS, is_encrypted

Opener = Callable[[Path, bytes], Database]


class ProfilePasswordDialog(QDialog):
    """Asks for the password of the profile in ``folder`` and opens it (``database``)."""

    def __init__(self, folder: Path, opener: Opener = Database,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.opener = opener
        self.database: Database | None = None
        self.creating = not is_encrypted(self.folder)
        self.setWindowTitle(self.tr("Venue Supervisor: profile password"))
        self.setMinimumWidth(460)
        if self.creating:
            text = self.tr(
                "Choose a password for this profile ({folder}). Everything in it (the "
                "guards, the inspections, photos, signed PDFs and keys) is kept encrypted "
                "with it; without it nobody can read them, and nobody can recover it for "
                "you. At least {count} characters.").format(folder=self.folder,
                                                            count=MIN_PASSWORD_CHARS)
        else:
            text = self.tr("This profile ({folder}) is encrypted. Enter its password.").format(
                folder=self.folder)
        self.explanation = QLabel(text)
        self.explanation.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("profilePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("profilePasswordAgain")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Password:"), self.password)
        if self.creating:
            form.addRow(self.tr("The same again:"), self.confirm)
        else:
            self.confirm.hide()
        self.message = QLabel()
        self.message.setObjectName("passwordMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_open)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def try_open(self) -> None:
        """OK: open the profile with the password typed; a wrong one is said and asked again."""
        typed = self.password.text()
        if self.creating:
            if len(typed) < MIN_PASSWORD_CHARS:
                self._again(self.tr("The password needs at least {count} characters.")
                            .format(count=MIN_PASSWORD_CHARS))
                return
            if typed != self.confirm.text():
                self._again(self.tr("The two passwords differ. Type them again."))
                return
        elif not typed:
            self._again(self.tr("Enter the password."))
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.database = self.opener(self.folder, typed.encode("utf-8"))
        except ProfileLockedError as exc:
            self._again(self.tr("Wrong password. Try again.") if exc.wrong_password
                        else str(exc))
            return
        except ProfileError as exc:
            self._again(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()

    def _again(self, message: str) -> None:
        self.message.setText(message)
        self.password.clear()
        self.confirm.clear()
        self.password.setFocus()


def ask_profile_password(folder: Path, opener: Opener = Database,
                         parent: QWidget | None = None) -> Database | None:
    """The opened profile, or None when the supervisor cancelled."""
    dialog = ProfilePasswordDialog(folder, opener, parent)
    dialog.exec()
    return dialog.database if dialog.result() == QDialog.DialogCode.Accepted else None

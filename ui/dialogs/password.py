"""The profile password, asked when the app starts.

An encrypted profile opens only with its password: the dialog asks for it, says so when it
is wrong and asks again; Cancel quits the app. A profile without a password yet (a new one,
or one from an older version, whose data is converted) gets one chosen here, typed twice.
The built-in demo (--demo) is not asked: it holds demonstration data only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.profile.db import Database
from app.profile.errors import ProfileError, ProfileLockedError
from app.profile.key import MIN_PASSWORD_CHARS, is_encrypted
from ui.errors import user_message
from ui.tasks import run_in_background

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
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: how long a conversion takes is not known
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # QLabel's height-for-width can count a line fewer than it then paints (long CJK
        # lines): the explanation gets the height its text takes at the width it has.
        metrics = self.explanation.fontMetrics()
        needed = metrics.boundingRect(QRect(0, 0, self.explanation.width(), 10_000),
                                      int(Qt.TextFlag.TextWordWrap),
                                      self.explanation.text()).height()
        needed += metrics.lineSpacing()  # room for the line the measure leaves out
        if needed > self.explanation.height():
            self.explanation.setMinimumHeight(needed)
            self.resize(self.width(), self.sizeHint().height())

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
        # Unlocking takes Argon2id's fraction of a second; converting an older profile takes
        # longer for a large event: off the GUI thread, with the dialog saying so.
        self._busy(True)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Encrypting the profile: this takes a moment for a "
                                     "large event…") if self.creating
                             else self.tr("Opening the profile…"))
        folder, password, opener = self.folder, typed.encode("utf-8"), self.opener
        run_in_background(lambda: opener(folder, password), self._opened, self._refused,
                          owner=self)

    def _opened(self, database: object) -> None:
        self._busy(False)
        assert isinstance(database, Database)
        self.database = database
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._busy(False)
        if isinstance(exc, ProfileLockedError):
            self._again(self.tr("Wrong password. Try again.") if exc.wrong_password
                        else str(exc))
        elif isinstance(exc, ProfileError):
            self._again(str(exc))
        else:  # a fault of the program: logged with its traceback by run_in_background
            self._again(user_message(exc))

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.password, self.confirm, self.buttons):
            widget.setEnabled(not busy)
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QGuiApplication.restoreOverrideCursor()

    def reject(self) -> None:
        if not self.buttons.isEnabled():
            return  # the profile is being opened: Esc waits for it
        super().reject()

    def _again(self, message: str) -> None:
        self.message.setStyleSheet("color: #b3261e;")
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

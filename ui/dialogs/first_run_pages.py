"""The first pages of the first-run set-up (ui/dialogs/first_run.py): welcome, who the
supervisor is, and the profile password that creates the encrypted profile.

What the pages share (the profile once created, what was typed, whether work is running) is
one ``SetUp`` object the wizard hands to each of them. Work longer than a moment (creating the
profile, a signing key) runs on a worker (``BusyPage.run``): the page shows a busy bar, the
wizard's buttons wait, and the page moves on by itself when the work is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import UserError
from app.profile.db import Database
from app.profile.password_strength import MAX_SCORE, estimate_strength
from app.profile.set_up import NextStep, mark_set_up_started
from app.profile.supervisor import (
    MAX_FIELD_CHARS,
    SupervisorIdentity,
    read_identity,
    save_identity,
)
from ui.commands import connect_command
from ui.errors import user_message
from ui.tasks import run_in_background

Opener = Callable[[Path, bytes], Database]
# Set in a profile the set-up created, with the profile: only such a profile has a set-up to
# resume (one the command line made, or an older version, is not asked again).
ERROR_STYLE = "color: #b3261e;"
STRENGTH_COLOURS = ("#b3261e", "#b3261e", "#b26a00", "#2e7d32", "#2e7d32")


class PageId(IntEnum):
    WELCOME = 0
    SUPERVISOR = 1
    PASSWORD = 2
    CERTIFICATE = 3
    HEADQUARTERS = 4
    NEXT_STEP = 5


@dataclass
class SetUp:
    """What the pages of one set-up share."""

    folder: Path
    opener: Opener
    database: Database | None = None  # the profile, once created (or opened to resume)
    identity: SupervisorIdentity = field(default_factory=SupervisorIdentity)
    enrolled: bool = False
    saved: str = ""  # what the page just left saved: said on the next one, once
    busy: bool = False
    open_demo: bool = False
    next_step: NextStep | None = None


def wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class BusyPage(QWizardPage):
    """A page that may run work on a worker: a busy bar and a message line under its
    content, Next, Back and Cancel held while the work runs."""

    def __init__(self, setup: SetUp) -> None:
        super().__init__()
        self.setup = setup
        self.content = QWidget()  # what the page asks: held while its work runs
        self.layout_ = QVBoxLayout(self.content)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.message = wrapped()
        self.message.setObjectName("setUpMessage")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # how long Argon2id or a key takes is not known
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.content)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        """Says what the page before saved: it moved on at once, before anyone read it."""
        self.say(self.setup.saved)
        self.setup.saved = ""

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return not self.setup.busy and self.ready()

    def ready(self) -> bool:
        return True

    def say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], doing: str) -> None:
        """``work()`` on a worker; ``done(result)`` back here, then the wizard goes on. A
        failure is said on the page, which stays."""
        self._busy(True)
        self.say(doing)

        def finished(result: Any) -> None:
            self._busy(False)
            done(result)
            wizard = self.wizard()
            if wizard is not None:
                wizard.next()

        def failed(exc: Exception) -> None:
            self._busy(False)
            self.say(user_message(exc), error=True)  # a UserError's own words, else a fault

        run_in_background(work, finished, failed, owner=self)

    def _busy(self, busy: bool) -> None:
        self.setup.busy = busy
        self.progress.setVisible(busy)
        self.content.setEnabled(not busy)
        self.completeChanged.emit()  # Next follows isComplete; Back and Cancel are held here
        wizard = self.wizard()
        if wizard is not None:
            for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
                button = wizard.button(which)
                if busy:
                    button.setEnabled(False)
                elif which == QWizard.WizardButton.CancelButton:
                    button.setEnabled(True)
        if busy:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QGuiApplication.restoreOverrideCursor()


class WelcomePage(BusyPage):
    demo_requested = Signal()

    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Welcome to Venue Supervisor"))
        self.setSubTitle(self.tr("Checking the security guards at large events, at the venue, "
                                 "without a network."))
        self.layout_.addWidget(wrapped(self.tr(
            "Scan a guard's certificate and see at once whether the guard belongs at this "
            "post; tick the checklist, record corrections on the spot, sign the evaluation "
            "and send it all to headquarters.")))
        self.layout_.addWidget(wrapped(self.tr(
            "This set-up takes a few minutes: who you are, a password for your profile, your "
            "signing certificate, headquarters, and your first event. Click Next to begin.")))
        self.demo_button = QCommandLinkButton(
            self.tr("Open the demonstration instead"),
            self.tr("A made-up concert with hundreds of guards, to try everything first. "
                    "Demonstration data only: nothing is set up, and this set-up comes back "
                    "at the next start."))
        self.demo_button.setObjectName("openDemo")
        connect_command(self.demo_button.clicked, self.demo_requested)
        self.layout_.addSpacing(12)
        self.layout_.addWidget(self.demo_button)


class SupervisorPage(BusyPage):
    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Who you are"))
        self.setSubTitle(self.tr("Printed on your evaluations and sent to headquarters with "
                                 "them. Only your name is required."))
        self.name = QLineEdit()
        self.name.setObjectName("supervisorName")
        self.unit = QLineEdit()
        self.unit.setObjectName("supervisorUnit")
        self.unit.setPlaceholderText(self.tr("e.g. City Public Security Bureau, Public Order "
                                             "Division"))
        self.badge_number = QLineEdit()
        self.badge_number.setObjectName("supervisorBadgeNumber")
        self.badge_number.setPlaceholderText(self.tr("your police number"))
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("Unit:"), self.unit)
        form.addRow(self.tr("Badge number:"), self.badge_number)
        for edit in (self.name, self.unit, self.badge_number):
            edit.setMaxLength(MAX_FIELD_CHARS)
            edit.textChanged.connect(self.completeChanged)
        self.layout_.addLayout(form)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        if self.setup.database is not None and not self.name.text():
            saved = read_identity(self.setup.database)  # an interrupted set-up goes on
            self.name.setText(saved.name)
            self.unit.setText(saved.unit)
            self.badge_number.setText(saved.badge_number)
        self.name.setFocus()

    def ready(self) -> bool:
        return bool(self.name.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        typed = SupervisorIdentity(self.name.text(), self.unit.text(), self.badge_number.text())
        if self.setup.database is None:
            self.setup.identity = typed  # saved in the profile as soon as it exists
            return True
        try:
            self.setup.identity = save_identity(self.setup.database, typed)
        except UserError as exc:  # the disk full, the profile read-only
            self.say(str(exc), error=True)
            return False
        self.setup.saved = self.tr("Your name is saved in your profile.")
        return True

    def nextId(self) -> int:  # noqa: N802 (Qt's name)
        # A resumed set-up has its profile, and so its password, already.
        return PageId.CERTIFICATE if self.setup.database is not None else PageId.PASSWORD


class PasswordPage(BusyPage):
    """The profile password, twice, its strength shown as it is typed; creating the
    encrypted profile commits the set-up so far (no way back to change the name here:
    Settings does that)."""

    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Profile password"))
        self.setSubTitle(self.tr("Everything in your profile (guards, inspections, photos, "
                                 "signed PDFs, keys) is kept encrypted with this password."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Create the profile"))
        self.warning = wrapped(self.tr(
            "If you forget this password, nobody can recover it: not headquarters, not the "
            "makers of this program, not you. Without it the profile cannot be opened again "
            "and everything in it is lost. Write it down and keep it as safely as your "
            "badge."))
        self.warning.setObjectName("forgottenPasswordWarning")
        self.warning.setStyleSheet("border: 2px solid #b3261e; padding: 6px; "
                                   "font-weight: bold;")
        self.password = QLineEdit()
        self.password.setObjectName("newProfilePassword")
        self.confirm = QLineEdit()
        self.confirm.setObjectName("newProfilePasswordAgain")
        for edit in (self.password, self.confirm):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._typed)
        self.strength_bar = QProgressBar()
        self.strength_bar.setRange(0, MAX_SCORE + 1)
        self.strength_bar.setTextVisible(False)
        self.strength_bar.setMaximumHeight(10)
        self.strength = wrapped()
        self.strength.setObjectName("passwordStrength")
        self.match = wrapped()
        self.match.setObjectName("passwordsMatch")
        self.understood = QCheckBox(self.tr("I understand: a forgotten password cannot be "
                                            "recovered by anyone."))
        self.understood.setObjectName("passwordUnderstood")
        self.understood.toggled.connect(self.completeChanged)
        self.strength_now = estimate_strength("")
        form = self.form = QFormLayout()
        form.addRow(self.tr("Password:"), self.password)
        form.addRow("", self.strength_bar)
        form.addRow("", self.strength)
        form.addRow(self.tr("The same again:"), self.confirm)
        form.addRow("", self.match)
        self.layout_.addWidget(self.warning)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.understood)
        self._typed()

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        self._typed()  # the name just typed counts among the words to avoid
        self.password.setFocus()

    def _typed(self) -> None:
        typed = self.password.text()
        identity = self.setup.identity
        # Kept for ready(): a long password takes zxcvbn up to 30 ms, once per key is enough.
        strength = self.strength_now = estimate_strength(
            typed, [identity.name, identity.unit, identity.badge_number])
        self.strength_bar.setValue(strength.score + 1 if typed else 0)
        self.strength_bar.setStyleSheet(
            f"QProgressBar::chunk {{ background: {STRENGTH_COLOURS[strength.score]}; }}")
        if typed:
            words = [self.tr("Strength: {level}.").format(level=strength.label)]
            words += [text for text in (strength.problem, strength.advice) if text]
            self.strength.setText("\n".join(words))  # no space between Chinese sentences
        else:
            self.strength.setText(strength.problem)
        self.strength.setStyleSheet(ERROR_STYLE if typed and strength.problem else "")
        differs = bool(self.confirm.text()) and self.confirm.text() != typed
        self.match.setText(self.tr("The two passwords differ.") if differs else "")
        self.match.setStyleSheet(ERROR_STYLE)
        self.form.setRowVisible(self.match, differs)
        self.completeChanged.emit()

    def ready(self) -> bool:
        if self.setup.database is not None:
            return True  # created: what is left is to go on
        return (self.understood.isChecked() and self.password.text() == self.confirm.text()
                and self.strength_now.acceptable)

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        database = self.setup.database
        if database is None:
            folder, opener = self.setup.folder, self.setup.opener
            password = self.password.text().encode("utf-8")

            def create() -> Database:
                created = opener(folder, password)
                mark_set_up_started(created)
                return created

            self.run(create, self._created,
                     self.tr("Creating your encrypted profile: a moment…"))
            return False
        try:
            self.setup.identity = save_identity(database, self.setup.identity)
        except UserError as exc:  # the disk full, the profile read-only
            self.say(str(exc), error=True)
            return False
        self.setup.saved = self.tr("Your profile is created and encrypted; your name is saved "
                                   "in it.")
        return True

    def _created(self, database: Database) -> None:
        self.setup.database = database  # the wizard goes on: validatePage saves the name
        self.password.clear()
        self.confirm.clear()

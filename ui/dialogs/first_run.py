"""The first-run set-up: from a fresh profile folder to the first event, in six short pages.

Welcome (with the demonstration one click away), who the supervisor is, the profile password
(which creates the encrypted profile), the signing certificate, enrolment with headquarters,
and what to do first; ``run_first_run`` returns that choice with the new profile, and
``ui.application`` opens the main window and starts it.

Each page saves what it asked as it is left, and says so: a set-up stopped after the password
keeps the profile, and the next start asks its password and resumes at the supervisor's name
(``set_up_interrupted``). Cancel on the welcome page quits at once; on any later page it asks
first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget, QWizard

from app.profile.db import Database
from app.profile.set_up import NextStep
from ui.dialogs.first_run_after_profile import CertificatePage, HeadquartersPage, NextStepPage
from ui.dialogs.first_run_pages import (
    Opener,
    PageId,
    PasswordPage,
    SetUp,
    SupervisorPage,
    WelcomePage,
)

__all__ = ["FirstRunOutcome", "FirstRunWizard", "run_first_run"]

WIZARD_SIZE = (720, 560)  # fits a 1280x650 screen with large type still readable


@dataclass(frozen=True)
class FirstRunOutcome:
    database: Database | None  # the new profile, open; None when the demo was chosen
    next_step: NextStep | None = None
    open_demo: bool = False


class FirstRunWizard(QWizard):
    def __init__(self, folder: Path, database: Database | None = None,
                 opener: Opener = Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = SetUp(folder=Path(folder), opener=opener, database=database)
        self.setWindowTitle(self.tr("Venue Supervisor: set-up"))
        # One look on every system (Windows' own style hides Back in the title bar).
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.welcome = WelcomePage(self.setup)
        self.supervisor = SupervisorPage(self.setup)
        self.password = PasswordPage(self.setup)
        self.certificate = CertificatePage(self.setup)
        self.headquarters = HeadquartersPage(self.setup)
        self.next_step = NextStepPage(self.setup)
        for page_id, page in ((PageId.WELCOME, self.welcome),
                              (PageId.SUPERVISOR, self.supervisor),
                              (PageId.PASSWORD, self.password),
                              (PageId.CERTIFICATE, self.certificate),
                              (PageId.HEADQUARTERS, self.headquarters),
                              (PageId.NEXT_STEP, self.next_step)):
            self.setPage(page_id, page)
        if database is not None:
            self.setStartId(PageId.SUPERVISOR)
        self.welcome.demo_requested.connect(self.open_demo)
        self.resize(*WIZARD_SIZE)

    def open_demo(self) -> None:
        self.setup.open_demo = True
        self.accept()

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: at once on the welcome page, asked
        first later on; not while a profile or a key is being made."""
        if self.setup.busy:
            return
        if self.currentId() == PageId.WELCOME:
            super().reject()
            return
        if self.setup.database is None:
            question = self.tr("Stop the set-up? Nothing is saved yet: it starts again at "
                               "the next start.")
        else:
            question = self.tr("Stop the set-up? What you saved stays in your encrypted "
                               "profile: the next start asks its password and goes on "
                               "from your name.")
        answer = QMessageBox.question(
            self, self.tr("Stop the set-up"), question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            super().reject()

    def outcome(self) -> FirstRunOutcome | None:
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        if self.setup.open_demo:
            return FirstRunOutcome(database=None, open_demo=True)
        return FirstRunOutcome(database=self.setup.database, next_step=self.setup.next_step)


def run_first_run(folder: Path, database: Database | None = None, opener: Opener = Database,
                  parent: QWidget | None = None) -> FirstRunOutcome | None:
    """The set-up of the profile in ``folder`` (a fresh one, or ``database`` whose set-up was
    interrupted); None when the supervisor stopped it. A profile the set-up created and
    then stopped is closed here; ``database`` stays its caller's."""
    wizard = FirstRunWizard(folder, database, opener, parent)
    try:
        wizard.exec()
        outcome = wizard.outcome()
        created = wizard.setup.database
        if outcome is None and created is not None and created is not database:
            created.close()
        return outcome
    finally:
        wizard.deleteLater()

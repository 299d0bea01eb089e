"""The last pages of the first-run set-up (ui/dialogs/first_run.py), once the encrypted
profile exists: the signing certificate, enrolment with headquarters, and what to do first.

They reuse what the main window uses: the signing key's import dialog
(ui/dialogs/signing_key.py) and the enrolment dialog (ui/dialogs/sync.py), so the set-up and
the menus cannot come to differ.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.errors import UserError
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    SUPERVISOR_P12_SETTING,
    ensure_supervisor_identity,
    supervisor_p12_path,
)
from app.profile.db import Database
from app.profile.set_up import NextStep, mark_set_up_done
from app.sync.state import HQ_URL
from ui.commands import connect_command
from ui.dialogs.first_run_pages import ERROR_STYLE, BusyPage, SetUp, wrapped
from ui.dialogs.signing_key import import_certificate
from ui.dialogs.sync import EnrolDialog
from ui.sync_controller import SyncController

INDENT = 28  # a choice's explanation sits under its label, past the radio button
SPACING = 8  # between one choice with its explanation and the next


def indented(widget: QLabel) -> QLabel:
    widget.setContentsMargins(INDENT, 0, 0, 0)
    return widget


class CertificatePage(BusyPage):
    """Create a signing key and certificate now, import headquarters' .p12, or later."""

    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Signing certificate"))
        self.setSubTitle(self.tr("Your evaluations are signed with it: anyone can then check "
                                 "who signed them and that nothing changed afterwards."))
        self.status = wrapped()
        self.status.setObjectName("certificateStatus")
        self.create_choice = QRadioButton(self.tr("Create my certificate now"))
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("certificatePassphrase")
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setObjectName("certificatePassphraseAgain")
        for edit in (self.passphrase, self.passphrase_again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._typed)
        self.match = wrapped()
        self.match.setStyleSheet(ERROR_STYLE)
        form_box = QWidget()
        form = self.form = QFormLayout(form_box)
        form.setContentsMargins(INDENT, 0, 0, 0)
        form.addRow(self.tr("Passphrase:"), self.passphrase)
        form.addRow(self.tr("The same again:"), self.passphrase_again)
        form.addRow("", self.match)
        form.addRow(wrapped(self.tr(
            "The passphrase protects the certificate's key: you type it each time you sign. "
            "It may differ from the profile password.")))
        self.import_choice = QRadioButton(self.tr(
            "Import the certificate headquarters gave me (.p12 file)"))
        self.later_choice = QRadioButton()
        self.choices = QButtonGroup(self)
        for choice in (self.create_choice, self.import_choice, self.later_choice):
            self.choices.addButton(choice)
            choice.toggled.connect(self._typed)
        self.create_choice.setChecked(True)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.create_choice)
        self.layout_.addWidget(form_box)
        self.layout_.addSpacing(SPACING)
        self.layout_.addWidget(self.import_choice)
        self.layout_.addWidget(indented(wrapped(self.tr(
            "Next asks for the file and its passphrase."))))
        self.layout_.addSpacing(SPACING)
        self.layout_.addWidget(self.later_choice)

    @property
    def database(self) -> Database:
        assert self.setup.database is not None, "the profile exists from this page on"
        return self.setup.database

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        self._show_status()

    def _show_status(self) -> None:
        has_one = supervisor_p12_path(self.database) is not None
        if has_one:
            self.status.setText(self.tr("This profile signs as {name}.").format(
                name=self.database.setting(SUPERVISOR_NAME_SETTING) or ""))
            self.later_choice.setText(self.tr("Keep this certificate"))
            self.later_choice.setChecked(True)
        else:
            self.status.setText(self.tr("This profile has no signing certificate yet."))
            self.later_choice.setText(self.tr("Later: your first signature will create one"))
        self.create_choice.setEnabled(not has_one)

    def _typed(self) -> None:
        first, again = self.passphrase.text(), self.passphrase_again.text()
        creating = self.create_choice.isChecked()
        for edit in (self.passphrase, self.passphrase_again):
            edit.setEnabled(creating)
        differs = creating and bool(again) and again != first
        self.match.setText(self.tr("The two passphrases differ.") if differs else "")
        self.form.setRowVisible(self.match, differs)
        self.completeChanged.emit()

    def ready(self) -> bool:
        if not self.create_choice.isChecked():
            return True
        return bool(self.passphrase.text()) and self.passphrase.text() == \
            self.passphrase_again.text()

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        database = self.database
        if self.create_choice.isChecked():
            name, passphrase = self.setup.identity.name, self.passphrase.text().encode("utf-8")
            self.run(lambda: ensure_supervisor_identity(database, name, passphrase),
                     self._created, self.tr("Creating your signing key: a moment…"))
            return False
        if self.import_choice.isChecked():
            before = database.setting(SUPERVISOR_P12_SETTING)
            import_certificate(self, database)  # says itself what went wrong
            if database.setting(SUPERVISOR_P12_SETTING) in (None, before):
                return False  # cancelled or refused: still on this page
            self.setup.saved = self.tr("Headquarters' certificate is saved in your profile.")
        return True

    def _created(self, _path: Path) -> None:
        self.passphrase.clear()
        self.passphrase_again.clear()
        self._show_status()  # "keep this certificate": the wizard's Next goes on
        self.setup.saved = self.tr("Your signing certificate is created and saved in your "
                                   "profile.")


class HeadquartersPage(BusyPage):
    """Enrol with headquarters now (the Sync menu's own dialog), or skip for now."""

    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Headquarters"))
        self.setSubTitle(self.tr("Enrolled, this laptop takes events down from headquarters "
                                 "and sends your inspections back."))
        self.status = wrapped()
        self.status.setObjectName("enrolmentStatus")
        self.enrol_button = QPushButton(self.tr("Enrol with headquarters…"))
        connect_command(self.enrol_button.clicked, self.enrol)
        self.controller: SyncController | None = None
        self.enrol_dialog: EnrolDialog | None = None
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.enrol_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.layout_.addWidget(wrapped(self.tr(
            "You need headquarters' address and the one-time code it gave you. No code yet? "
            "Click Next: you can enrol later from the Sync menu, and what you record "
            "meanwhile stays on this laptop until then.")))

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        if self.controller is None:
            assert self.setup.database is not None, "the profile exists from this page on"
            self.controller = SyncController(self.setup.database, self)
            # The dialog starts the controller's sync rhythm once enrolled; the main window
            # runs its own, so this one stops at each status it reads.
            self.controller.status_changed.connect(lambda _status: self._stop_syncing())
            self.controller.refresh_status()  # the enrolment dialog shows the address known
        self._show_enrolment()

    def _stop_syncing(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    def enrol(self) -> None:
        assert self.controller is not None
        dialog = EnrolDialog(self.controller, self.wizard() or self)
        self.enrol_dialog = dialog
        dialog.finished.connect(lambda _code: self._show_enrolment())
        dialog.open()

    def _show_enrolment(self) -> None:
        assert self.controller is not None
        self.setup.enrolled = self.controller.service.is_enrolled()
        if self.setup.enrolled:
            self.status.setText(self.tr("This laptop is enrolled with headquarters at {hq}.")
                                .format(hq=self.controller.service.db.setting(HQ_URL) or ""))
            self.enrol_button.setText(self.tr("Enrol again with another code…"))
        else:
            self.status.setText(self.tr("This laptop is not enrolled yet."))


class NextStepPage(BusyPage):
    """What to do first: the choice the wizard returns; finishing marks the set-up done."""

    def __init__(self, setup: SetUp) -> None:
        super().__init__(setup)
        self.setTitle(self.tr("Your first event"))
        self.setSubTitle(self.tr("Choose what to do first: the program opens and starts it "
                                 "for you."))
        self.pull_choice = QRadioButton(self.tr("Take an event down from headquarters"))
        self.package_choice = QRadioButton(self.tr("Import an event package from a USB stick"))
        self.by_hand_choice = QRadioButton(self.tr("Create an event by hand"))
        self.choices = QButtonGroup(self)
        explanations = {
            self.pull_choice: self.tr("Headquarters prepared the event with its roster and "
                                      "posts: you pick it from a list."),
            self.package_choice: self.tr("Headquarters gave you the event as a file "
                                         "(.vspkg)."),
            self.by_hand_choice: self.tr("Fill in the event, then import the security "
                                         "company's roster (.xlsx or .csv)."),
        }
        self.explanations: dict[QRadioButton, QLabel] = {}
        for choice, explanation in explanations.items():
            self.choices.addButton(choice)
            self.explanations[choice] = indented(wrapped(explanation))
            self.layout_.addWidget(choice)
            self.layout_.addWidget(self.explanations[choice])
            self.layout_.addSpacing(SPACING)
        self.needs_enrolment = wrapped(self.tr(
            "The first two need the enrolment with headquarters (the page before): "
            "headquarters signs its events, and this laptop learns to check them when it "
            "enrols."))
        self.needs_enrolment.setObjectName("needsEnrolment")
        self.layout_.addWidget(self.needs_enrolment)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        enrolled = self.setup.enrolled
        for choice in (self.pull_choice, self.package_choice):
            choice.setEnabled(enrolled)
            self.explanations[choice].setEnabled(enrolled)
        self.needs_enrolment.setVisible(not enrolled)
        (self.pull_choice if enrolled else self.by_hand_choice).setChecked(True)

    def chosen(self) -> NextStep:
        if self.pull_choice.isChecked():
            return NextStep.PULL_FROM_HQ
        if self.package_choice.isChecked():
            return NextStep.IMPORT_PACKAGE
        return NextStep.CREATE_BY_HAND

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        assert self.setup.database is not None, "the profile exists from this page on"
        try:
            mark_set_up_done(self.setup.database)
        except UserError as exc:  # the disk full, the profile read-only
            self.say(str(exc), error=True)
            return False
        self.setup.next_step = self.chosen()
        return True

"""Note, correction state and evidence photo of the selected finding."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.operations import Operations


class FindingEditor(QGroupBox):
    photo_requested = Signal()  # take the evidence photo with the camera
    done = Signal()  # the user finished typing: give the focus back to the scan field

    def __init__(self, workbench: Workbench, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Finding"), parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.finding_id: str | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        # A badge scanned while the note has the focus never lands in it: the application's
        # ScanRouter takes the burst out and hands it to the inspection.
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("What was wrong, what was said (Enter saves)"))
        self.note.editingFinished.connect(self._save_note)
        self.note.returnPressed.connect(self.done)
        self.corrected = QRadioButton(self.tr("Corrected on the spot (F3)"))
        self.not_corrected = QRadioButton(self.tr("&Not corrected"))
        group = QButtonGroup(self)
        group.addButton(self.corrected)
        group.addButton(self.not_corrected)
        connect_command(self.corrected.clicked, lambda: self._save_correction("corrected"))
        connect_command(self.not_corrected.clicked, lambda: self._save_correction("not_corrected"))
        self.evidence_button = QPushButton(self.tr("Attach &photo…"))
        connect_command(self.evidence_button.clicked, self._choose_evidence)
        self.camera_button = QPushButton(self.tr("Ta&ke photo"))
        connect_command(self.camera_button.clicked, self.photo_requested)
        self.evidence_label = QLabel()
        self.evidence_label.setWordWrap(True)
        for button in (self.corrected, self.not_corrected, self.evidence_button,
                       self.camera_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addWidget(self.corrected)  # one above the other: the side column stays narrow
        layout.addWidget(self.not_corrected)
        evidence = QHBoxLayout()
        evidence.addWidget(self.evidence_button)
        evidence.addWidget(self.camera_button)
        evidence.addWidget(self.evidence_label, 1)
        layout.addLayout(evidence)
        self.show_finding(None)

    def show_finding(self, finding_id: str | None, title: str = "") -> None:
        if finding_id != self.finding_id:
            self._save_note()  # a half-typed note stays with the finding it was typed for
        self.finding_id = finding_id
        enabled = finding_id is not None
        for widget in (self.note, self.corrected, self.not_corrected, self.evidence_button,
                       self.camera_button):
            widget.setEnabled(enabled)
        if not enabled:
            self.heading.setText(self.tr("Select a finding (an item marked ✗) to add a note, "
                                       "its correction state or a photo."))
            self.note.clear()
            self.corrected.setAutoExclusive(False)
            self.corrected.setChecked(False)
            self.not_corrected.setChecked(False)
            self.corrected.setAutoExclusive(True)
            self.evidence_label.clear()
            return
        finding = self.workbench.finding(finding_id)
        self.heading.setText(title)
        self.note.setText(finding.note)
        (self.corrected if finding.correction == "corrected" else self.not_corrected).setChecked(
            True)
        self.evidence_label.setText(Path(finding.evidence_path).name if finding.evidence_path
                                    else self.tr("no photo"))

    def _save_note(self) -> None:
        if self.finding_id is None:
            return
        if self.workbench.finding(self.finding_id).note != self.note.text():
            self._update(note=self.note.text())

    def _save_correction(self, state: str) -> None:
        if self.finding_id is not None:
            self._update(correction=state)

    def toggle_correction(self) -> None:
        if self.finding_id is None:
            return
        state = "not_corrected" if self.corrected.isChecked() else "corrected"
        (self.corrected if state == "corrected" else self.not_corrected).setChecked(True)
        self._save_correction(state)

    def _choose_evidence(self) -> None:
        if self.finding_id is None:
            return
        path, _ = open_file_name(
            self, self.tr("Evidence photo"), str(Path.home()),
            self.tr("Images (*.jpg *.jpeg *.png *.bmp *.heic)"))
        if path:
            self.attach_evidence(path)
        self.done.emit()

    def attach_evidence(self, path: str) -> None:
        if self.finding_id is None:
            return
        if self._update(evidence_file=path):
            self.evidence_label.setText(Path(path).name)

    def _update(self, note: str | None = None, correction: str | None = None,
                evidence_file: str | None = None) -> bool:
        """Save a change of the finding; a refusal (a signed evaluation) is said, not raised."""
        finding_id = self.finding_id
        assert finding_id is not None
        try:
            self.operations.run(lambda: self.workbench.update_finding(
                finding_id, note=note, correction=correction, evidence_file=evidence_file),
                origin=self)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Finding"), str(exc))
            return False
        return True

"""The company's on-site head (被考评单位现场负责人) on the evaluation: the name, then either
the head's signature, drawn on the same pad at the venue (the laptop handed over in a dialog
of its own, so the supervisor's signature stays untouched), or the head's refusal (拒签),
recorded with its time and the reason given. The form prints whichever was recorded.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.report import EvaluationService
from app.evaluation.values import EvaluationInfo
from ui.commands import connect_command
from ui.errors import user_message
from ui.tasks import run_in_background
from ui.widgets.signature_pad import SignaturePad


class HeadSignatureDialog(QDialog):
    """The pad handed to the company's head: sign, then OK."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Signature of the company's on-site head"))
        self.pad = SignaturePad()
        clear = QPushButton(self.tr("C&lear"))
        connect_command(clear.clicked, self.pad.clear)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept_if_signed)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("{name}, please sign on the pad below to acknowledge "
                                        "the evaluation.").format(name=name)))
        layout.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(clear)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout.addLayout(row)

    def _accept_if_signed(self) -> None:
        if self.pad.is_empty:
            QMessageBox.information(self, self.windowTitle(),
                                    self.tr("Nothing is drawn on the pad yet."))
            return
        self.accept()


class RefusalDialog(QDialog):
    """The head refuses to sign: the reason, in the head's words as far as possible."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Refusal to sign"))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(self.tr("The reason the head gave"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept_if_reason)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("{name} refuses to sign. The form will say so, with "
                                        "the time and this reason.").format(name=name)))
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

    def _accept_if_reason(self) -> None:
        if not self.reason.toPlainText().strip():
            QMessageBox.information(self, self.windowTitle(),
                                    self.tr("Write down the reason first."))
            return
        self.accept()


class CompanyHeadBox(QGroupBox):
    """The head's name, what was recorded, and the buttons to record it. ``current_draft``
    gives the evaluation to record on (saving the page's draft first)."""

    recorded = Signal(object)  # the EvaluationInfo after a change

    def __init__(self, service: EvaluationService,
                 current_draft: Callable[[], EvaluationInfo | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Company's on-site head"))
        self.service = service
        self.current_draft = current_draft
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("Name of the company's on-site head"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.sign_button = QPushButton(self.tr("Head signs on the &pad…"))
        connect_command(self.sign_button.clicked, self.ask_signature)
        self.refuse_button = QPushButton(self.tr("Head refuses t&o sign…"))
        connect_command(self.refuse_button.clicked, self.record_refusal)
        self.clear_button = QPushButton(self.tr("Withdr&aw"))
        connect_command(self.clear_button.clicked, self.withdraw)
        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.refuse_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.show_info(None)

    def show_info(self, info: EvaluationInfo | None) -> None:
        signed = info is not None and info.is_signed
        if info is not None and not self.name.hasFocus():
            self.name.setText(info.company_head_name)
        if info is None or not (info.company_head_signature_png
                                or info.company_head_refused_at):
            self.status.setText(self.tr("Not yet signed: hand the laptop to the company's "
                                        "head to sign, or record a refusal."))
        elif info.company_head_signature_png:
            self.status.setText(self.tr("Signed by the company's head."))
        else:
            when = info.company_head_refused_at
            self.status.setText(self.tr("Refused to sign at {when}: {reason}").format(
                when=when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "",
                reason=info.company_head_refusal_reason))
        recorded = info is not None and bool(info.company_head_signature_png
                                             or info.company_head_refused_at)
        for widget in (self.name, self.sign_button, self.refuse_button):
            widget.setEnabled(not signed)
        self.clear_button.setEnabled(recorded and not signed)

    def _head_name(self) -> str | None:
        name = self.name.text().strip()
        if not name:
            QMessageBox.information(self, self.title(), self.tr(
                "Enter the name of the company's on-site head first."))
            return None
        return name

    def _record(self, change: Callable[[str], EvaluationInfo]) -> None:
        """Record on a worker (a signature builds the report the head acknowledges: a
        third of a second at 3,000 guards), the box busy meanwhile."""
        draft = self.current_draft()
        if draft is None:
            return
        draft_id = draft.id
        self.setEnabled(False)
        run_in_background(lambda: change(draft_id), self._recorded, self._failed, owner=self)

    def _recorded(self, info: EvaluationInfo) -> None:
        self.setEnabled(True)
        self.show_info(info)
        self.recorded.emit(info)

    def _failed(self, exc: Exception) -> None:
        self.setEnabled(True)
        QMessageBox.warning(self, self.title(), user_message(exc))

    def ask_signature(self) -> None:
        name = self._head_name()
        if name is None:
            return
        dialog = HeadSignatureDialog(name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        png = dialog.pad.to_png()
        self._record(lambda draft_id: self.service.record_company_head_signature(
            draft_id, name, png))

    def record_refusal(self) -> None:
        name = self._head_name()
        if name is None:
            return
        dialog = RefusalDialog(name, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reason = dialog.reason.toPlainText()
        self._record(lambda draft_id: self.service.record_company_head_refusal(
            draft_id, name, reason))

    def withdraw(self) -> None:
        self._record(self.service.clear_company_head)

"""The comprehensive evaluation (综合考评): live score, breakdown, comment, hand signature,
the signed PDF, printing.

The page is one form with one state: the evaluation's version and whether it is signed decide
what every control may do, and signing and the preview run on workers with the whole page
busy. What stands alone is in modules of its own: the score view (total, grade, breakdown),
the signature pad, the signing key's dialogs, the signed PDF's printing and opening, the PDF
output.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.report import EvaluationService
from app.evaluation.rules import grade_text
from app.evaluation.sample_progress import SampleProgress, minimum_sample_share, sample_progress
from app.evaluation.score_values import Score
from app.evaluation.scoring import compute_score
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    SigningError,
    ensure_supervisor_identity,
    load_supervisor_signer,
)
from app.evaluation.values import EvaluationInfo
from app.inspection.changeset import Changes
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.signed_pdf import open_signed_pdf, print_signed_pdf
from ui.dialogs.signing_key import import_certificate, signing_passphrase
from ui.errors import user_message
from ui.layout import scrollable
from ui.operations import Operations
from ui.pdf_output import load_pdf
from ui.tasks import run_in_background
from ui.widgets.company_head import CompanyHeadBox
from ui.widgets.score_view import ScoreView
from ui.widgets.signature_pad import SignaturePad

RECOMMENDATIONS = ("recommend", "conditional", "not_recommend")


class EvaluationPage(QWidget):
    def __init__(self, workbench: Workbench, lang: str, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.operations.did_change.connect(self._changed)
        self.lang = lang
        self.service = EvaluationService(workbench.db)
        self.event_id: str | None = None
        self.evaluation: EvaluationInfo | None = None
        self.score: Score | None = None
        self._stale = True
        self._preview_bytes = b""

        # score and breakdown
        self.score_view = ScoreView()
        self.score_label = self.score_view.score_label
        self.coverage_label = self.score_view.coverage_label
        self.state_label = self.score_view.state_label
        self.categories = self.score_view.categories
        self.deductions = self.score_view.deductions

        # comment, recommendation, supervisor
        self.supervisor = QLineEdit()
        self.recommendation = QComboBox()
        for code, text in zip(RECOMMENDATIONS, (
                self.tr("Recommend for future events"),
                self.tr("Recommend with conditions (rectify first)"),
                self.tr("Do not recommend")), strict=True):
            self.recommendation.addItem(text, code)
        self.comment = QTextEdit()
        self.comment.setPlaceholderText(self.tr(
            "Overall comment: how the company performed, what was corrected, what must change"))
        self.comment.setMinimumHeight(90)
        save_button = QPushButton(self.tr("Save &comment"))
        connect_command(save_button.clicked, self.save_draft)
        # The random sample: how much of it was checked decides whether the grade is final.
        self.sample_label = QLabel()
        self.sample_label.setWordWrap(True)
        self.sample_reason = QLineEdit()
        self.sample_reason.setPlaceholderText(self.tr(
            "Only if the sample could not be checked whole: why the grade should stand"))
        opinion = QGroupBox(self.tr("Supervisor's opinion"))
        opinion_form = QFormLayout(opinion)
        opinion_form.addRow(self.tr("Supervisor"), self.supervisor)
        opinion_form.addRow(self.tr("Recommendation"), self.recommendation)
        opinion_form.addRow(self.tr("Comment"), self.comment)
        opinion_form.addRow(self.tr("Random sample"), self.sample_label)
        opinion_form.addRow(self.tr("Reason"), self.sample_reason)
        opinion_form.addRow("", save_button)
        self.company_head = CompanyHeadBox(self.service, self.save_draft)
        self.company_head.recorded.connect(self._head_recorded)

        # signature and actions
        self.pad = SignaturePad()
        clear_button = QPushButton(self.tr("Clear signat&ure"))
        connect_command(clear_button.clicked, self.pad.clear)
        self.sign_button = QPushButton(self.tr("Si&gn and lock the evaluation"))
        connect_command(self.sign_button.clicked, self.sign)
        self.print_button = QPushButton(self.tr("Pri&nt…"))
        connect_command(self.print_button.clicked, self.print_signed)
        self.open_button = QPushButton(self.tr("Open P&DF"))
        connect_command(self.open_button.clicked, self.open_signed)
        self.new_version_button = QPushButton(self.tr("Correct: start a ne&w version"))
        connect_command(self.new_version_button.clicked, self.start_new_version)
        import_p12 = QPushButton(self.tr("&Import certificate (.p12)…"))
        connect_command(import_p12.clicked,
                        lambda: import_certificate(self, self.workbench.db))
        signature_box = QGroupBox(self.tr("Signature"))
        signature_layout = QVBoxLayout(signature_box)
        signature_layout.addWidget(self.pad)
        row = QHBoxLayout()
        row.addWidget(clear_button)
        row.addWidget(import_p12)
        row.addStretch(1)
        row.addWidget(self.sign_button)
        signature_layout.addLayout(row)
        after = QHBoxLayout()
        after.addWidget(self.print_button)
        after.addWidget(self.open_button)
        after.addStretch(1)
        after.addWidget(self.new_version_button)
        signature_layout.addLayout(after)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.score_view, 1)
        left_layout.addWidget(opinion)
        left_layout.addWidget(self.company_head)
        left_layout.addWidget(signature_box)

        # preview
        self.preview = QPdfView()
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_button = QPushButton(self.tr("&Refresh preview"))
        connect_command(self.preview_button.clicked, self.refresh_preview)
        self.preview_status = QLabel()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Preview of the PDF")))
        top.addWidget(self.preview_status, 1)
        top.addWidget(self.preview_button)
        right_layout.addLayout(top)
        right_layout.addWidget(self.preview, 1)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(scrollable(left))  # on a laptop screen the left column scrolls
        splitter.addWidget(right)
        splitter.setSizes([640, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._score_timer = QTimer(self)
        self._score_timer.setSingleShot(True)
        self._score_timer.setInterval(500)
        self._score_timer.timeout.connect(self.refresh_score)

    # ------------------------------------------------------------- loading
    def set_event(self, event_id: str | None) -> None:
        self.event_id = event_id
        self._stale = True
        if self.isVisible():
            self.reload()

    def mark_stale(self) -> None:
        """Records changed: the score is recounted when the page is looked at."""
        self._stale = True
        if self.isVisible():
            self._score_timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._stale:
            self.reload()
        super().showEvent(event)

    def _changed(self, changes: Changes, origin: object) -> None:
        """Records of the event changed: the score is recounted; another view's change of the
        evaluation (none today) would be read again."""
        if not changes.concerns(self.event_id):
            return
        if changes.evaluation and origin is not self:
            self.set_event(self.event_id)
        elif changes.counts:
            self.mark_stale()

    def _evaluation_changed(self) -> None:
        """Signed, or a new version started: the event's records lock or unlock."""
        if self.event_id:
            self.operations.announce(Changes(event_ids=frozenset({self.event_id}),
                                             evaluation=True), origin=self)

    def _set_busy(self, busy: bool) -> None:
        """Signing or rendering on a worker: the page takes no input meanwhile (a second
        click would sign twice) and says it is at work."""
        self.setEnabled(not busy)
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
            self.preview_status.setText(self.tr("Rendering…"))
        else:
            QApplication.restoreOverrideCursor()

    def reload(self) -> None:
        self._stale = False
        self.evaluation = self.service.current(self.event_id) if self.event_id else None
        name = (self.evaluation.supervisor_name if self.evaluation else "") or (
            self.workbench.db.setting(SUPERVISOR_NAME_SETTING) or "")
        self.supervisor.setText(name)
        self.comment.setPlainText(self.evaluation.comment if self.evaluation else "")
        recommendation = self.evaluation.recommendation if self.evaluation else "recommend"
        self.recommendation.setCurrentIndex(max(0, self.recommendation.findData(
            recommendation)))
        self.sample_reason.setText(self.evaluation.sample_reason if self.evaluation else "")
        self.company_head.name.setText(
            self.evaluation.company_head_name if self.evaluation else "")
        self._show_state()
        self.refresh_score()

    def refresh_score(self) -> None:
        if not self.event_id:
            return
        event_id, db = self.event_id, self.workbench.db
        run_in_background(lambda: (compute_score(db, event_id), sample_progress(db, event_id)),
                          lambda found: self._show_score(event_id, *found),
                          lambda exc: self.state_label.setText(user_message(exc)),
                          owner=self)

    def _show_score(self, event_id: str, score: Score,
                    progress: SampleProgress | None = None) -> None:
        self.score = score
        template = self.workbench.template(event_id)
        every_item = template.common_items + tuple(
            item for items in template.task_items.values() for item in items)
        self.score_view.show_score(score, {item.code: item.label(self.lang)
                                           for item in every_item})
        self._show_sample(progress)

    def _show_sample(self, progress: SampleProgress | None) -> None:
        if progress is None:
            self.sample_label.clear()
            return
        text = self.tr("{checked} of {size} sampled guards checked (GB/T 2828.1, level II, "
                       "code {code}).").format(checked=progress.checked, size=progress.size,
                                                code=progress.plan.code)
        minimum = minimum_sample_share(self.workbench.db)
        reason = self.evaluation.sample_reason.strip() if self.evaluation else ""
        if progress.complete:
            text += " " + self.tr("The sample is complete: the grade is final.")
        else:
            text += " " + self.tr("Until the whole sample is checked the grade is "
                                  "provisional (at {share} % with a written reason, final)."
                                  ).format(share=round(minimum * 100))
        self.sample_label.setText(text)
        final = progress.complete or (progress.share_checked >= minimum and bool(reason))
        if not final and self.score is not None:  # the word the paper prints, 暂定
            self.score_view.grade_label.setText(self.tr("{grade} (provisional)").format(
                grade=grade_text(self.score.grade)))

    def _head_recorded(self, info: EvaluationInfo) -> None:
        self.evaluation = info
        self._show_state()

    def _show_state(self) -> None:
        evaluation = self.evaluation
        signed = evaluation is not None and evaluation.status == "signed"
        if evaluation is None:
            self.state_label.setText(self.tr("Not yet evaluated: the draft is created when you "
                                             "save the comment or sign."))
        elif signed:
            self.state_label.setText(self.tr(
                "Signed version {version} on {when} · document {doc}. The evaluation and the "
                "inspections behind it are read-only; a correction starts a new version.").format(
                version=evaluation.version,
                when=evaluation.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
                if evaluation.signed_at else "", doc=evaluation.document_id))
        else:
            self.state_label.setText(self.tr("Draft, version {version}: not signed.").format(
                version=evaluation.version))
        for widget in (self.comment, self.supervisor, self.recommendation,
                       self.sample_reason):
            widget.setEnabled(not signed)
        self.company_head.show_info(evaluation)
        self.pad.read_only = signed
        self.sign_button.setEnabled(not signed)
        self.print_button.setEnabled(signed)
        self.open_button.setEnabled(signed)
        self.new_version_button.setEnabled(signed)

    # ------------------------------------------------------------- changes
    def save_draft(self) -> EvaluationInfo | None:
        if not self.event_id:
            return None
        draft = self.service.draft(self.event_id)
        if draft.status == "signed":
            return draft
        self.workbench.db.set_setting(SUPERVISOR_NAME_SETTING, self.supervisor.text().strip())
        self.evaluation = self.service.update_draft(
            draft.id, comment=self.comment.toPlainText(),
            recommendation=self.recommendation.currentData(),
            supervisor_name=self.supervisor.text().strip(),
            company_head_name=self.company_head.name.text(),
            sample_reason=self.sample_reason.text())
        self._show_state()
        return self.evaluation

    def refresh_preview(self) -> None:
        """Render the PDF on a worker (about a second on a large event), the page busy."""
        draft = self.save_draft()
        if draft is None:
            return
        signature = self.pad.to_png()
        service = self.service
        self._set_busy(True)
        if draft.status == "signed" and draft.pdf_path:
            files, pdf_path = self.workbench.db.files, draft.pdf_path
            run_in_background(lambda: files.read(pdf_path), self._show_preview,
                              self._preview_failed, owner=self)
        else:
            run_in_background(lambda: service.preview_pdf(draft.id, signature or None),
                              self._show_preview, self._preview_failed, owner=self)

    def _show_preview(self, data: bytes) -> None:
        self._set_busy(False)
        self._preview_bytes = data
        document = load_pdf(data, self)
        self.preview.setDocument(document)
        self.preview_status.setText(self.tr("{pages} page(s)").format(
            pages=document.pageCount()))

    def _preview_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.preview_status.setText(self.tr("The preview failed: {error}").format(
            error=user_message(exc)))

    def sign(self) -> None:
        """Sign the evaluation: checked and asked here, signed on a worker (about 1.5 s on a
        large event: the PDF is rendered and PAdES-signed) while the page is busy; the
        signed evaluation is shown when it arrives."""
        if self.pad.is_empty:
            QMessageBox.information(self, self.tr("Sign"), self.tr(
                "Sign on the pad first (mouse, pen or finger)."))
            return None
        name = self.supervisor.text().strip()
        if not name:
            QMessageBox.information(self, self.tr("Sign"),
                                    self.tr("Enter the supervisor's name first."))
            return None
        draft = self.save_draft()
        if draft is None:
            return None
        db = self.workbench.db
        passphrase = signing_passphrase(self, db)
        if passphrase is None:
            return None
        service, signature, draft_id = self.service, self.pad.to_png(), draft.id

        def sign_on_worker() -> EvaluationInfo:
            p12 = ensure_supervisor_identity(db, name, passphrase)
            signer = load_supervisor_signer(db, p12, passphrase)
            return service.sign(draft_id, signature, signer)

        self._set_busy(True)
        run_in_background(sign_on_worker, self._signed, self._sign_failed, owner=self)
        return None

    def _signed(self, evaluation: EvaluationInfo) -> None:
        self._set_busy(False)
        self.evaluation = evaluation
        self._show_state()
        self._evaluation_changed()
        self.refresh_preview()

    def _sign_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.preview_status.clear()
        QMessageBox.warning(self, self.tr("Sign"),
                            str(exc) if isinstance(exc, SigningError) else user_message(exc))

    def signed_pdf(self) -> Path | None:
        if self.evaluation is None or not self.evaluation.pdf_path:
            return None
        return self.workbench.db.data_dir / self.evaluation.pdf_path

    def print_signed(self) -> int:
        """Print the signed PDF through the system's print dialog; the pages printed."""
        path = self.signed_pdf()
        return 0 if path is None else print_signed_pdf(self, self.workbench.db.files, path)

    def open_signed(self) -> None:
        """Hand the signed PDF to the system's viewer (see open_signed_pdf)."""
        path = self.signed_pdf()
        if path is not None:
            open_signed_pdf(self, self.workbench.db.files, path)

    def start_new_version(self) -> None:
        if self.evaluation is None:
            return
        answer = QMessageBox.question(self, self.tr("New version"), self.tr(
            "Start version {version}? The signed version stays as it is; new scans and "
            "ticks go into the new one.").format(version=self.evaluation.version + 1))
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.evaluation = self.service.new_version(self.evaluation.id)
        self.pad.clear()
        self._show_state()
        self._evaluation_changed()

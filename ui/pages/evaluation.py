"""The comprehensive evaluation (综合考评): live score, breakdown, comment, hand signature,
the signed PDF, printing.

Longer than most modules (about 490 lines) because it is one form with one state: the
evaluation's version and whether it is signed decide what every control may do, and signing
and the preview run on workers with the whole page busy. The signature pad, the tables and the
PDF output are modules of their own.
"""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.report import EvaluationService
from app.evaluation.score_values import Deduction, Score, format_score
from app.evaluation.scoring import compute_score
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    SigningError,
    ensure_supervisor_identity,
    import_supervisor_p12,
    load_supervisor_signer,
    supervisor_p12_path,
)
from app.evaluation.values import EvaluationInfo
from app.inspection.changeset import Changes
from app.inspection.domain import category_text, post_state_text, staffing_item_text
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.errors import user_message
from ui.fonts import emphasize
from ui.layout import scrollable
from ui.operations import Operations
from ui.pdf_output import load_pdf, open_in_viewer, print_pdf
from ui.tasks import run_in_background
from ui.widgets.signature_pad import SignaturePad
from ui.widgets.tables import RowsModel, table_view

RECOMMENDATIONS = ("recommend", "conditional", "not_recommend")
GRADE_COLOURS = {"excellent": "#1b7f3b", "good": "#1a5fb4", "pass": "#b86e00",
                 "fail": "#b3261e"}


class EvaluationPage(QWidget):
    def __init__(self, workbench: Workbench, lang: str, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.operations.did_change.connect(self._changed)
        self.lang = lang
        self._item_labels: dict[str, str] = {}
        self.service = EvaluationService(workbench.db)
        self.event_id: str | None = None
        self.evaluation: EvaluationInfo | None = None
        self.score: Score | None = None
        self._stale = True
        self._preview_bytes = b""

        # score summary
        self.score_label = emphasize(QLabel("–"), 34, bold=True)
        self.grade_label = emphasize(QLabel(), 20, bold=True)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        summary = QGroupBox(self.tr("Score"))
        summary_layout = QGridLayout(summary)
        summary_layout.addWidget(self.score_label, 0, 0, 2, 1)
        summary_layout.addWidget(self.grade_label, 0, 1)
        summary_layout.addWidget(self.coverage_label, 1, 1)
        summary_layout.addWidget(self.state_label, 2, 0, 1, 2)

        # breakdown
        self.categories = RowsModel([
            (self.tr("Category"), lambda c: category_text(c.code)),
            (self.tr("Weight"), lambda c: f"{c.weight:g}"),
            (self.tr("Deducted"), lambda c: format_score(c.deducted)),
            (self.tr("Score"), lambda c: format_score(c.score)),
        ])
        self.deductions = RowsModel([
            (self.tr("Points"), lambda d: "-" + format_score(d.points)),
            (self.tr("Reason"), self.reason_text),
            (self.tr("Post"), lambda d: d.post_name or ""),
            (self.tr("Guard"), lambda d: d.guard_name or ""),
            (self.tr("Company"), lambda d: d.company),
            (self.tr("Records"), lambda d: len(d.record_ids)),
        ])
        breakdown = QTabWidget()
        breakdown.addTab(table_view(self.categories), self.tr("By category"))
        breakdown.addTab(table_view(self.deductions), self.tr("Deductions and findings"))

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
        save_button = QPushButton(self.tr("Save comment"))
        connect_command(save_button.clicked, self.save_draft)
        opinion = QGroupBox(self.tr("Supervisor's opinion"))
        opinion_form = QFormLayout(opinion)
        opinion_form.addRow(self.tr("Supervisor"), self.supervisor)
        opinion_form.addRow(self.tr("Recommendation"), self.recommendation)
        opinion_form.addRow(self.tr("Comment"), self.comment)
        opinion_form.addRow("", save_button)

        # signature and actions
        self.pad = SignaturePad()
        clear_button = QPushButton(self.tr("Clear signature"))
        connect_command(clear_button.clicked, self.pad.clear)
        self.sign_button = QPushButton(self.tr("Sign and lock the evaluation"))
        connect_command(self.sign_button.clicked, self.sign)
        self.print_button = QPushButton(self.tr("Print…"))
        connect_command(self.print_button.clicked, self.print_signed)
        self.open_button = QPushButton(self.tr("Open PDF"))
        connect_command(self.open_button.clicked, self.open_signed)
        self.new_version_button = QPushButton(self.tr("Correct: start a new version"))
        connect_command(self.new_version_button.clicked, self.start_new_version)
        import_p12 = QPushButton(self.tr("Import certificate (.p12)…"))
        connect_command(import_p12.clicked, self.import_certificate)
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
        left_layout.addWidget(summary)
        left_layout.addWidget(breakdown, 1)
        left_layout.addWidget(opinion)
        left_layout.addWidget(signature_box)

        # preview
        self.preview = QPdfView()
        self.preview.setPageMode(QPdfView.PageMode.MultiPage)
        self.preview.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_button = QPushButton(self.tr("Refresh preview"))
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
        self._show_state()
        self.refresh_score()

    def refresh_score(self) -> None:
        if not self.event_id:
            return
        event_id, db = self.event_id, self.workbench.db
        run_in_background(lambda: compute_score(db, event_id), self._show_score,
                          lambda exc: self.state_label.setText(user_message(exc)),
                          owner=self)

    def _show_score(self, score: Score) -> None:
        self.score = score
        self.score_label.setText(format_score(score.total))  # as on paper
        self.grade_label.setText(self.grade_text(score.grade))
        self.grade_label.setStyleSheet(f"color: {GRADE_COLOURS.get(score.grade, '#000')};")
        self.coverage_label.setText(self.tr(
            "Coverage: {checked} of {rostered} rostered guards checked ({percent:.0f}%)").format(
            checked=score.guards_checked, rostered=score.guards_rostered,
            percent=score.coverage * 100))
        template = self.workbench.template(self.event_id)
        every_item = template.common_items + tuple(
            item for items in template.task_items.values() for item in items)
        self._item_labels = {item.code: item.label(self.lang) for item in every_item}
        self.categories.set_rows(list(score.categories))
        self.deductions.set_rows(sorted(score.deductions, key=lambda d: -d.points))

    def reason_text(self, deduction: Deduction) -> str:
        code = deduction.reason_code
        if code.startswith("staffing."):
            text = staffing_item_text(code)
        elif code.startswith("post."):
            text = post_state_text(code.removeprefix("post."))
        else:
            text = self._item_labels.get(code, code)
        if deduction.correction == "corrected":
            text += self.tr(" (corrected on the spot)")
        return text

    def grade_text(self, grade: str) -> str:
        return {"excellent": self.tr("Excellent"), "good": self.tr("Good"),
                "pass": self.tr("Pass"), "fail": self.tr("Fail")}.get(grade, grade)

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
        for widget in (self.comment, self.supervisor, self.recommendation):
            widget.setEnabled(not signed)
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
            supervisor_name=self.supervisor.text().strip())
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

    def _passphrase(self, title: str, label: str) -> bytes | None:
        text, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Password)
        return text.encode("utf-8") if ok and text else None

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
        first_time = supervisor_p12_path(db) is None
        passphrase = self._passphrase(
            self.tr("Signing key"),
            self.tr("Choose a passphrase for your new signing key:") if first_time
            else self.tr("Passphrase of your signing key:"))
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

    def import_certificate(self) -> None:
        path, _ = open_file_name(self, self.tr("Certificate from headquarters"),
                                              "", self.tr("PKCS#12 (*.p12 *.pfx)"))
        if not path:
            return
        passphrase = self._passphrase(self.tr("Certificate"),
                                      self.tr("Passphrase of {file}:").format(
                                          file=Path(path).name))
        if passphrase is None:
            return
        try:
            import_supervisor_p12(self.workbench.db, path, passphrase)
        except SigningError as exc:
            QMessageBox.warning(self, self.tr("Certificate"), str(exc))
            return
        QMessageBox.information(self, self.tr("Certificate"),
                                self.tr("The certificate will sign your evaluations."))

    def signed_pdf(self) -> Path | None:
        if self.evaluation is None or not self.evaluation.pdf_path:
            return None
        return self.workbench.db.data_dir / self.evaluation.pdf_path

    def print_signed(self) -> int:
        """Print the signed PDF through the system's print dialog; the pages printed."""
        if self.signed_pdf() is None:
            return 0
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.tr("Comprehensive evaluation"))
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return 0
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> int:
        path = self.signed_pdf()
        if path is None:
            return 0
        pages = print_pdf(self.workbench.db.files.read(path), printer)
        if pages == 0:
            QMessageBox.warning(self, self.tr("Print"), self.tr(
                "The printer could not be used. Check that it is switched on and chosen in "
                "the print dialog, then print again."))
        return pages

    def open_signed(self) -> None:
        """Hand the signed PDF to the system's viewer. From an encrypted profile the viewer
        gets a decrypted copy in a private temporary folder (0700, the file 0600), removed
        when the app ends; the copy is the one place the PDF lies unencrypted on disk."""
        path = self.signed_pdf()
        if path is None:
            return
        files = self.workbench.db.files
        if files.encrypted:
            path = files.plain_copy(path)
            atexit.register(shutil.rmtree, path.parent, True)
        if not open_in_viewer(path):
            QMessageBox.information(self, self.tr("Open PDF"), self.tr(
                "No PDF viewer is set up on this computer. The file is here:\n{path}").format(
                path=path))

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

"""The evaluation's score as the supervisor reads it: the total, the grade and the coverage,
the evaluation's state under them, and the breakdown by category and by deduction.

It shows a ``Score`` it is given; computing it, and the state's words, are the evaluation
page's. Its texts keep the evaluation page's translation context (EvaluationPage), where their
translations are.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.evaluation.score_values import Deduction, Score, format_score
from app.inspection.domain import category_text, post_state_text, staffing_item_text
from ui.fonts import emphasize
from ui.widgets.tables import RowsModel, table_view

GRADE_COLOURS = {"excellent": "#1b7f3b", "good": "#1a5fb4", "pass": "#b86e00",
                 "fail": "#b3261e"}


def grade_text(grade: str) -> str:
    return {"excellent": QCoreApplication.translate("EvaluationPage", "Excellent"),
            "good": QCoreApplication.translate("EvaluationPage", "Good"),
            "pass": QCoreApplication.translate("EvaluationPage", "Pass"),
            "fail": QCoreApplication.translate("EvaluationPage", "Fail")}.get(grade, grade)


class ScoreView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._item_labels: dict[str, str] = {}

        # summary
        self.score_label = emphasize(QLabel("–"), 34, bold=True)
        self.grade_label = emphasize(QLabel(), 20, bold=True)
        self.coverage_label = QLabel()
        self.coverage_label.setWordWrap(True)
        self.state_label = QLabel()  # the evaluation's state: the page's words
        self.state_label.setWordWrap(True)
        summary = QGroupBox(QCoreApplication.translate("EvaluationPage", "Score"))
        summary_layout = QGridLayout(summary)
        summary_layout.addWidget(self.score_label, 0, 0, 2, 1)
        summary_layout.addWidget(self.grade_label, 0, 1)
        summary_layout.addWidget(self.coverage_label, 1, 1)
        summary_layout.addWidget(self.state_label, 2, 0, 1, 2)

        # breakdown
        self.categories = RowsModel([
            (QCoreApplication.translate("EvaluationPage", "Category"),
             lambda c: category_text(c.code)),
            (QCoreApplication.translate("EvaluationPage", "Weight"), lambda c: f"{c.weight:g}"),
            (QCoreApplication.translate("EvaluationPage", "Deducted"),
             lambda c: format_score(c.deducted)),
            (QCoreApplication.translate("EvaluationPage", "Score"),
             lambda c: format_score(c.score)),
        ])
        self.deductions = RowsModel([
            (QCoreApplication.translate("EvaluationPage", "Points"),
             lambda d: "-" + format_score(d.points)),
            (QCoreApplication.translate("EvaluationPage", "Reason"), self.reason_text),
            (QCoreApplication.translate("EvaluationPage", "Post"), lambda d: d.post_name or ""),
            (QCoreApplication.translate("EvaluationPage", "Guard"),
             lambda d: d.guard_name or ""),
            (QCoreApplication.translate("EvaluationPage", "Company"), lambda d: d.company),
            (QCoreApplication.translate("EvaluationPage", "Records"),
             lambda d: len(d.record_ids)),
        ])
        breakdown = QTabWidget()
        breakdown.addTab(table_view(self.categories),
                         QCoreApplication.translate("EvaluationPage", "By category"))
        breakdown.addTab(table_view(self.deductions),
                         QCoreApplication.translate("EvaluationPage", "Deductions and findings"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(summary)
        layout.addWidget(breakdown, 1)

    def show_score(self, score: Score, item_labels: dict[str, str]) -> None:
        """Show ``score``; ``item_labels`` name the checklist items its deductions cite."""
        self.score_label.setText(format_score(score.total))  # as on paper
        self.grade_label.setText(grade_text(score.grade))
        self.grade_label.setStyleSheet(f"color: {GRADE_COLOURS.get(score.grade, '#000')};")
        self.coverage_label.setText(QCoreApplication.translate(
            "EvaluationPage",
            "Coverage: {checked} of {rostered} rostered guards checked ({percent:.0f}%)").format(
            checked=score.guards_checked, rostered=score.guards_rostered,
            percent=score.coverage * 100))
        self._item_labels = item_labels
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
            text += QCoreApplication.translate("EvaluationPage", " (corrected on the spot)")
        return text

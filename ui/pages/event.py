"""Preparing an event: facts, risk level and staffing mode, the contracted company."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.inspection.domain import (
    EVENT_KINDS,
    RISK_LEVELS,
    event_kind_text,
    risk_text,
    staffing_mode,
    staffing_mode_text,
)
from app.inspection.values import EventInfo, EventInput
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.layout import scrollable
from ui.operations import Operations

CREDIT_GRADES = ("", "AAA", "AA", "A", "B", "C", "D")


def _to_qt(value: datetime | None) -> QDateTime:
    if value is None:
        return QDateTime.currentDateTime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()), QTimeZone.systemTimeZone())


def _from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class EventPage(QWidget):
    def __init__(self, workbench: Workbench, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.event_id: str | None = None

        self.name = QLineEdit()
        self.venue = QLineEdit()
        self.organizer = QLineEdit()
        self.starts = QDateTimeEdit()
        self.ends = QDateTimeEdit()
        for edit in (self.starts, self.ends):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.attendance = QSpinBox()
        self.capacity = QSpinBox()
        for spin in (self.attendance, self.capacity):
            spin.setRange(0, 2_000_000)
            spin.setSingleStep(1000)
            spin.setGroupSeparatorShown(True)
        self.capacity_warning = QLabel()
        self.capacity_warning.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.risk = QComboBox()
        for level in RISK_LEVELS:
            self.risk.addItem(risk_text(level), level)
        self.kind = QComboBox()
        for kind in EVENT_KINDS:
            self.kind.addItem(event_kind_text(kind), kind)
        self.mode = QLabel()
        self.mode.setWordWrap(True)
        self.mode.setStyleSheet("font-weight: bold;")
        for widget in (self.risk, self.kind):
            widget.currentIndexChanged.connect(self._update_derived)
        for spin in (self.attendance, self.capacity):
            spin.valueChanged.connect(self._update_derived)

        self.company = QLineEdit()
        self.licence = QLineEdit()
        self.credit = QComboBox()
        self.credit.setEditable(True)
        self.credit.addItems(list(CREDIT_GRADES))
        self.blacklisted = QCheckBox(self.tr("On the &black list"))
        self.blacklisted.toggled.connect(self._update_derived)
        self.blacklist_warning = QLabel()
        self.blacklist_warning.setWordWrap(True)
        self.blacklist_warning.setStyleSheet(
            "background: #b3261e; color: white; font-weight: bold; padding: 8px;")

        event_box = QGroupBox(self.tr("Event"))
        form = QFormLayout(event_box)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Venue"), self.venue)
        form.addRow(self.tr("Organizer"), self.organizer)
        form.addRow(self.tr("Starts"), self.starts)
        form.addRow(self.tr("Ends"), self.ends)
        form.addRow(self.tr("Expected attendance"), self.attendance)
        form.addRow(self.tr("Venue capacity"), self.capacity)
        form.addRow("", self.capacity_warning)
        form.addRow(self.tr("Nature"), self.kind)
        form.addRow(self.tr("Risk level"), self.risk)
        form.addRow(self.tr("Staffing mode"), self.mode)

        company_box = QGroupBox(self.tr("Contracted security company"))
        company_form = QFormLayout(company_box)
        company_form.addRow(self.tr("Company"), self.company)
        company_form.addRow(self.tr("Licence number"), self.licence)
        company_form.addRow(self.tr("Credit grade"), self.credit)
        company_form.addRow("", self.blacklisted)
        company_form.addRow(self.blacklist_warning)

        self.save_button = QPushButton(self.tr("Save eve&nt"))
        connect_command(self.save_button.clicked, self.save)
        self.new_button = QPushButton(self.tr("Ne&w event"))
        connect_command(self.new_button.clicked, lambda: self.load(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        form = QWidget()
        form_layout = QVBoxLayout(form)
        row = QHBoxLayout()
        row.addWidget(event_box, 3)
        row.addWidget(company_box, 2, Qt.AlignmentFlag.AlignTop)
        form_layout.addLayout(row)
        form_layout.addStretch(1)
        # The form scrolls on a small screen; Save stays in view below it.
        layout = QVBoxLayout(self)
        layout.addWidget(scrollable(form), 1)
        layout.addLayout(buttons)
        self.load(None)

    def load(self, event: EventInfo | None) -> None:
        self.event_id = event.id if event else None
        self.name.setText(event.name if event else "")
        self.venue.setText(event.venue if event else "")
        self.organizer.setText(event.organizer if event else "")
        self.starts.setDateTime(_to_qt(event.starts_at if event else None))
        self.ends.setDateTime(_to_qt(event.ends_at if event else None))
        self.attendance.setValue(event.expected_attendance if event else 0)
        self.capacity.setValue(event.venue_capacity if event else 0)
        self.risk.setCurrentIndex(RISK_LEVELS.index(event.risk_level) if event else 1)
        self.kind.setCurrentIndex(EVENT_KINDS.index(event.event_kind) if event else 0)
        company = event.company if event else None
        self.company.setText(company.name if company else "")
        self.licence.setText(company.licence_no if company else "")
        self.credit.setCurrentText(company.credit_grade if company else "")
        self.blacklisted.setChecked(company.blacklisted if company else False)
        self._update_derived()

    def _update_derived(self) -> None:
        mode = staffing_mode(self.risk.currentData(), self.kind.currentData())
        self.mode.setText(staffing_mode_text(mode))
        over = self.capacity.value() and self.attendance.value() > self.capacity.value()
        self.capacity_warning.setText(
            self.tr("Expected attendance exceeds the venue's capacity") if over else "")
        self.blacklist_warning.setVisible(self.blacklisted.isChecked())
        self.blacklist_warning.setText(self.tr(
            "⚠ This company is on the black list. It should not provide security for this "
            "event: report to headquarters."))

    def form_input(self) -> EventInput:
        return EventInput(
            name=self.name.text(), venue=self.venue.text(), organizer=self.organizer.text(),
            starts_at=_from_qt(self.starts.dateTime()), ends_at=_from_qt(self.ends.dateTime()),
            expected_attendance=self.attendance.value(), venue_capacity=self.capacity.value(),
            risk_level=self.risk.currentData(), event_kind=self.kind.currentData(),
            company_name=self.company.text(), company_licence_no=self.licence.text(),
            company_credit_grade=self.credit.currentText(),
            company_blacklisted=self.blacklisted.isChecked())

    def save(self) -> str | None:
        data = self.form_input()
        if not data.name.strip():
            QMessageBox.warning(self, self.tr("Event"), self.tr("The event needs a name."))
            return None
        if data.ends_at and data.starts_at and data.ends_at < data.starts_at:
            QMessageBox.warning(self, self.tr("Event"),
                                self.tr("The event ends before it starts."))
            return None
        event_id = self.event_id
        try:
            # The window opens a new event, or shows the saved facts (Operations.did_change).
            self.event_id = self.operations.run(
                lambda: self.workbench.save_event(data, event_id), origin=self)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Event"), str(exc))
            return None
        return self.event_id

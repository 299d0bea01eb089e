"""The Settings dialog's forms: this laptop's preferences, and the supervisor's own settings.

``LaptopSettingsPage`` edits ``app.preferences.Preferences`` (kept in the laptop's configuration
folder); ``SupervisorSettingsPage`` edits what the profile keeps: the supervisor's identity, the
report defaults and headquarters' address (``ProfileValues``). Neither saves anything itself:
the dialog (ui.dialogs.settings) does, on OK or Apply.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.document_numbers import (
    DEFAULT_PREFIX,
    FORM_BASIS_SETTING,
    FORM_PREFIX_SETTING,
    FORM_UNIT_SETTING,
    SAMPLE_SHARE_SETTING,
    hq_form_values,
)
from app.evaluation.pdf_kit import format_percent
from app.evaluation.sample_progress import DEFAULT_MINIMUM_SAMPLE_SHARE, minimum_sample_share
from app.preferences import IDLE_LOCK_CHOICES_MINUTES, Preferences
from app.profile.db import Database
from app.profile.supervisor import (
    MAX_BASIS_CHARS,
    MAX_FIELD_CHARS,
    MAX_PREFIX_CHARS,
    ReportDefaults,
    SupervisorIdentity,
    read_identity,
    read_report_defaults,
)
from app.sync.enrolment import Enrolment
from app.sync.state import HQ_URL
from app.sync.transport import plain_http_warning
from ui.commands import connect_command
from ui.sound import ScanCue
from ui.widgets.camera import camera_id, video_inputs

LANGUAGE_NAMES = (("", None), ("zh_CN", "中文"), ("en", "English"))  # None: "System"
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$")
ERROR_STYLE = "color: #b3261e;"


def hq_address(text: str) -> str | None:
    """Headquarters' address as it is kept: ``http(s)://host[:port]``, "" for none; None when
    the text is not such an address (a path, a user name, a port out of range...)."""
    text = text.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:  # brackets that hold no IPv6 address
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or parts.path not in ("", "/") or parts.query \
            or parts.fragment or "@" in parts.netloc or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        return None
    if port == 0:
        return None
    host = parts.hostname
    if ":" in host:  # an IPv6 address, in brackets in the URL
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    elif not _HOST_NAME.match(host):
        return None
    return f"{scheme}://{parts.netloc}"


@dataclass(frozen=True, slots=True)
class ProfileValues:
    identity: SupervisorIdentity
    report_defaults: ReportDefaults
    hq_url: str
    enrolled: bool  # the address is the one this laptop enrolled with
    # What headquarters' event package set of the form (setting key -> text): shown, not
    # edited; the laptop's own values (report_defaults) stay for when HQ sets none.
    hq_form: tuple[tuple[str, str], ...] = ()
    # The share of the random sample a final grade needs (with a written reason): HQ sets it
    # in its package; the laptop shows it and cannot change it.
    minimum_sample_share: float = DEFAULT_MINIMUM_SAMPLE_SHARE
    minimum_sample_share_from_hq: bool = False


def read_profile(db: Database) -> ProfileValues:
    return ProfileValues(read_identity(db), read_report_defaults(db), db.setting(HQ_URL) or "",
                         Enrolment(db).is_enrolled(), tuple(hq_form_values(db).items()),
                         minimum_sample_share(db), bool(db.setting(SAMPLE_SHARE_SETTING)))


class LaptopSettingsPage(QWidget):
    """Language, type size, contrast, sound, idle lock and camera of this laptop."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self.language.addItem(name or self.tr("System language"), code)
        language_note = QLabel(self.tr("A new language takes effect at the next start."))
        language_note.setWordWrap(True)
        self.large_type = QCheckBox(self.tr("Large type"))
        self.high_contrast = QCheckBox(self.tr("High contrast, for daylight"))
        self.sound = QCheckBox(self.tr("A sound after each scan"))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume_value = QLabel()
        self.volume_value.setMinimumWidth(self.volume_value.fontMetrics().horizontalAdvance(
            "100 %") + 4)
        self.volume.valueChanged.connect(self._show_volume)
        self.sound.toggled.connect(self._sound_toggled)
        self.test_sound = QPushButton(self.tr("Test"))
        connect_command(self.test_sound.clicked, self.play_test_sound)
        self.sound_note = QLabel()
        self.idle_lock = QComboBox()
        for minutes in IDLE_LOCK_CHOICES_MINUTES:
            self.idle_lock.addItem(self.tr("Never") if minutes == 0 else self.tr(
                "After {minutes} minutes without use").format(minutes=minutes), minutes)
        self.camera = QComboBox()
        self._cue: ScanCue | None = None

        volume_row = QHBoxLayout()
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_value)
        volume_row.addWidget(self.test_sound)
        display = QVBoxLayout()
        display.addWidget(self.large_type)
        display.addWidget(self.high_contrast)
        form = QFormLayout(self)
        form.addRow(self.tr("Language:"), self.language)
        form.addRow("", language_note)
        form.addRow(self.tr("Display:"), display)
        form.addRow(self.tr("Sound:"), self.sound)
        form.addRow(self.tr("Volume:"), volume_row)
        form.addRow("", self.sound_note)
        form.addRow(self.tr("Lock the screen:"), self.idle_lock)
        form.addRow(self.tr("Camera:"), self.camera)

    def show_preferences(self, preferences: Preferences) -> None:
        self.language.setCurrentIndex(max(0, self.language.findData(preferences.language)))
        self.large_type.setChecked(preferences.large_type)
        self.high_contrast.setChecked(preferences.high_contrast)
        self.sound.setChecked(preferences.sound)
        self.volume.setValue(preferences.volume)
        self._show_volume(preferences.volume)
        self._sound_toggled(preferences.sound)
        self.idle_lock.setCurrentIndex(max(0, self.idle_lock.findData(
            preferences.idle_lock_minutes)))
        self._list_cameras(preferences.camera)

    def preferences(self, before: Preferences) -> Preferences:
        """``before`` with what the page shows."""
        return dataclasses.replace(
            before, language=self.language.currentData() or "",
            large_type=self.large_type.isChecked(),
            high_contrast=self.high_contrast.isChecked(), sound=self.sound.isChecked(),
            volume=self.volume.value(), idle_lock_minutes=int(self.idle_lock.currentData()),
            camera=self.camera.currentData() or "")

    def _list_cameras(self, chosen: str) -> None:
        self.camera.clear()
        self.camera.addItem(self.tr("The system's default camera"), "")
        for device in video_inputs():
            self.camera.addItem(device.description(), camera_id(device))  # type: ignore[attr-defined]
        if chosen and self.camera.findData(chosen) < 0:
            # Kept, not lost: the camera may be plugged in again.
            self.camera.addItem(self.tr("The camera chosen before (not connected now)"), chosen)
        self.camera.setCurrentIndex(max(0, self.camera.findData(chosen)))

    def _show_volume(self, value: int) -> None:
        self.volume_value.setText(f"{value} %")

    def _sound_toggled(self, on: bool) -> None:
        for widget in (self.volume, self.test_sound):
            widget.setEnabled(on)

    def play_test_sound(self) -> None:
        """The accepted-badge cue at the volume shown (not yet saved)."""
        if self._cue is None:
            self._cue = ScanCue(self, follow_preferences=False)
        self._cue.configure(True, self.volume.value())
        self._cue.play(True)
        self.sound_note.setText("" if self._cue.available else self.tr(
            "This laptop cannot play sound (no sound device)."))


class SupervisorSettingsPage(QWidget):
    """Who the supervisor is, what reports say by default, and headquarters' address."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name, self.unit, self.badge_number, self.report_unit, self.signer = (
            QLineEdit() for _ in range(5))
        for field in (self.name, self.unit, self.badge_number, self.report_unit, self.signer):
            field.setMaxLength(MAX_FIELD_CHARS)
        self.unit.setPlaceholderText(self.tr("e.g. the city police's public order unit"))
        self.report_unit.setPlaceholderText(self.tr("empty: the supervisor's unit"))
        self.signer.setPlaceholderText(self.tr("empty: the supervisor's name"))
        self.number_prefix, self.basis = QLineEdit(), QLineEdit()
        self.number_prefix.setMaxLength(MAX_PREFIX_CHARS)
        self.basis.setMaxLength(MAX_BASIS_CHARS)
        self.number_prefix.setPlaceholderText(self.tr("empty: {prefix}, e.g. {prefix}〔2026〕17号")
                                              .format(prefix=DEFAULT_PREFIX))
        self.basis.setPlaceholderText(self.tr("empty: the regulations on large events and on "
                                              "security services, and the provincial notice"))
        self.hq_form_note = QLabel()
        self.hq_form_note.setWordWrap(True)
        self.hq_form_note.setVisible(False)
        self.final_grade_rule = QLabel()
        self.final_grade_rule.setWordWrap(True)
        self._own_defaults = ReportDefaults()
        self.hq_url = QLineEdit()
        self.hq_url.setPlaceholderText("https://192.168.1.10:8443")
        self.hq_url.textChanged.connect(self._address_edited)
        self.hq_note = QLabel()
        self.hq_note.setWordWrap(True)
        self.hq_warning = QLabel()
        self.hq_warning.setWordWrap(True)
        self.hq_warning.setStyleSheet(ERROR_STYLE)
        self._enrolled_url = ""

        person = QGroupBox(self.tr("Supervisor"))
        person_form = QFormLayout(person)
        person_form.addRow(self.tr("Name:"), self.name)
        person_form.addRow(self.tr("Unit:"), self.unit)
        person_form.addRow(self.tr("Badge number:"), self.badge_number)
        reports = QGroupBox(self.tr("Evaluation reports"))
        reports_form = QFormLayout(reports)
        reports_form.addRow(self.tr("Issuing unit:"), self.report_unit)
        reports_form.addRow(self.tr("Signed by:"), self.signer)
        reports_form.addRow(self.tr("Document number prefix:"), self.number_prefix)
        reports_form.addRow(self.tr("Basis:"), self.basis)
        reports_form.addRow(self.tr("Final grade:"), self.final_grade_rule)
        reports_form.addRow("", self.hq_form_note)
        headquarters = QGroupBox(self.tr("Headquarters"))
        hq_form = QFormLayout(headquarters)
        hq_form.addRow(self.tr("Address:"), self.hq_url)
        hq_form.addRow("", self.hq_note)
        hq_form.addRow("", self.hq_warning)
        layout = QVBoxLayout(self)
        for box in (person, reports, headquarters):
            layout.addWidget(box)
        layout.addStretch(1)

    def show_profile(self, values: ProfileValues) -> None:
        identity, defaults = values.identity, values.report_defaults
        for field, text in ((self.name, identity.name), (self.unit, identity.unit),
                            (self.badge_number, identity.badge_number),
                            (self.report_unit, defaults.unit_name),
                            (self.signer, defaults.signer), (self.hq_url, values.hq_url)):
            field.setText(text)
        self._own_defaults = defaults
        from_hq = dict(values.hq_form)
        for field, own, key in ((self.report_unit, defaults.unit_name, FORM_UNIT_SETTING),
                                (self.number_prefix, defaults.number_prefix,
                                 FORM_PREFIX_SETTING),
                                (self.basis, defaults.basis, FORM_BASIS_SETTING)):
            field.setText(from_hq.get(key, own))
            field.setReadOnly(key in from_hq)
            field.setToolTip(self.tr("Set by headquarters") if key in from_hq else "")
        self.hq_form_note.setText(self.tr(
            "Headquarters set the fields shown read-only, in its event package; they cannot "
            "be changed on this laptop."))
        self.hq_form_note.setVisible(bool(from_hq))
        rule = self.tr("the whole random sample checked, or at least {share} of it with a "
                       "written reason").format(share=format_percent(values.minimum_sample_share))
        self.final_grade_rule.setText(rule + " " + (
            self.tr("(set by headquarters)") if values.minimum_sample_share_from_hq else
            self.tr("(the default; headquarters may set another)")))
        self._enrolled_url = values.hq_url if values.enrolled else ""
        if values.enrolled:
            self.hq_note.setText(self.tr(
                "This laptop is enrolled with headquarters at {address}. Another address "
                "needs a new enrolment, with a one-time code from headquarters.").format(
                address=values.hq_url))
        else:
            self.hq_note.setText(self.tr(
                "Not enrolled yet: enrol with this address and a one-time code from "
                "headquarters (Sync menu)."))
        self._address_edited(self.hq_url.text())

    def identity(self) -> SupervisorIdentity:
        return SupervisorIdentity(self.name.text(), self.unit.text(), self.badge_number.text())

    def report_defaults(self) -> ReportDefaults:
        """What the page shows; a field headquarters set keeps the laptop's own value."""
        own = self._own_defaults

        def edited(field: QLineEdit, kept: str) -> str:
            return kept if field.isReadOnly() else field.text()

        return ReportDefaults(edited(self.report_unit, own.unit_name), self.signer.text(),
                              edited(self.number_prefix, own.number_prefix),
                              edited(self.basis, own.basis))

    def refuse_address(self) -> str:
        """Show the address to correct; what to say about it."""
        self.hq_url.setFocus(Qt.FocusReason.OtherFocusReason)
        self.hq_url.selectAll()
        return self.tr(
            "“{text}” is not a headquarters address: write it as https://host or "
            "https://host:port (http:// only for a test server). Nothing was saved.").format(
            text=self.hq_url.text().strip())

    def _address_edited(self, text: str) -> None:
        address = hq_address(text)
        warnings = []
        if address and address != self._enrolled_url:
            warning = plain_http_warning(address)
            if warning:
                warnings.append(warning)
            if self._enrolled_url:
                warnings.append(self.tr(
                    "This laptop stays enrolled with {enrolled} and keeps sending its records "
                    "there until it is enrolled at the new address.").format(
                    enrolled=self._enrolled_url))
        self.hq_warning.setText("\n".join(warnings))
        self.hq_warning.setVisible(bool(warnings))

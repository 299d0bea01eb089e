"""The inspection screen: choose the post, scan its guards, tick their checklists.

The page is the supervisor's on-site loop, whose every step hands on to the next within one
key press (a scan opens the checklist, a tick opens its finding, Ctrl+Z reverts whichever came
last) and shares the page's state (the event, the inspection, the selected item). Its parts
that stand alone are widgets of their own: the post column (the posts, their counts, post
absent / understaffed), the scan field, the card, the checklist, the finding editor, the other
ways a code arrives (camera, photo, clipboard).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserError
from app.inspection.changeset import Changes
from app.inspection.domain import STAFFING_FINDINGS, Verdict, staffing_item_text, task_type_text
from app.inspection.values import InspectionInfo, PostInfo, ScanResult
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.dialogs.finding_editor import FindingEditor
from ui.fonts import emphasize
from ui.layout import scrollable
from ui.operations import Operations
from ui.sound import ScanCue
from ui.widgets.checklist_panel import ChecklistPanel
from ui.widgets.post_column import PostColumn
from ui.widgets.result_card import ResultCard
from ui.widgets.sample_panel import SamplePanel
from ui.widgets.scan_field import ScanField
from ui.widgets.scan_sources import ScanSources


class InspectionPage(QWidget):
    card_shown = Signal(object)  # the verdict card has been repainted for this ScanResult

    def __init__(self, workbench: Workbench, lang: str, operations: Operations | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations or Operations(workbench, self)
        self.operations.did_change.connect(self._changed)
        self.lang = lang
        self.event_id: str | None = None
        self.inspection: InspectionInfo | None = None
        self.selected_index: int | None = None

        # left: posts
        self.post_column = PostColumn(workbench, self.operations)
        self.post_column.posts.chosen.connect(self._post_chosen)
        self.post_column.said.connect(self._say)
        self.post_column.saved.connect(self._saved)
        self.post_column.finished.connect(self.focus_scan)
        self.post_filter = self.post_column.posts.filter
        self.post_list = self.post_column.posts.list
        self.absent_button = self.post_column.absent_button
        self.understaffed_button = self.post_column.understaffed_button
        # beside the posts: the random sample, what of it is still to find (issue 13); its
        # tab's name says how far it got while the posts are shown
        self.sample_panel = SamplePanel(workbench, self.operations)
        self.sample_panel.post_wanted.connect(self.select_post)
        left = QTabWidget()
        left.setDocumentMode(True)
        left.tabBar().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left.addTab(self.post_column, self.tr("Posts"))
        left.addTab(self.sample_panel, self.tr("Sample"))
        self.sample_panel.headline.connect(lambda text: left.setTabText(1, text))
        self.side_tabs = left

        # centre: scan, card, checklist
        self.post_heading = emphasize(QLabel(), 15, bold=True)
        self.post_heading.setWordWrap(True)
        self.scan_field = emphasize(ScanField(), 18)
        self.scan_field.setPlaceholderText(self.tr("Scan the badge, or type the certificate "
                                                   "number and press Enter"))
        self.scan_field.submitted.connect(self.handle_scan)
        # What the page has to say about the last action: in the page, not a dialog that a
        # scanner's Enter would have to dismiss.
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #fff4ce; color: #5c4300; padding: 4px;")
        self.notice.hide()
        self.card = ResultCard(workbench.db.files)
        self.checklist = ChecklistPanel(lang)
        self.checklist.toggled.connect(self.toggle_item)
        checklist_scroll = QScrollArea()
        checklist_scroll.setWidgetResizable(True)
        checklist_scroll.setWidget(self.checklist)
        checklist_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.all_ok_button = QPushButton(self.tr("All compliant (F2)"))
        connect_command(self.all_ok_button.clicked, self.mark_all_compliant)
        self.undo_button = QPushButton(self.tr("Undo (Ctrl+Z)"))
        connect_command(self.undo_button.clicked, self.undo)
        self.saved_label = QLabel()
        heading_row = QHBoxLayout()
        heading_row.addWidget(self.post_heading, 1)
        heading_row.addWidget(self.all_ok_button)
        heading_row.addWidget(self.undo_button)
        self.saved_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setSpacing(4)
        centre_layout.addLayout(heading_row)
        centre_layout.addWidget(self.scan_field)
        centre_layout.addWidget(self.notice)
        centre_layout.addWidget(self.card)
        centre_layout.addWidget(self.saved_label)
        centre_layout.addWidget(checklist_scroll, 1)

        # right: finding, figures, keys
        self.finding_editor = FindingEditor(workbench, self.operations)
        self.finding_editor.done.connect(self.focus_scan)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        figures_box = QGroupBox(self.tr("Progress"))
        QVBoxLayout(figures_box).addWidget(self.figures)
        keys = QLabel(self.tr(
            "Keys\nEnter / Tab: scan\nF2: all compliant\nCtrl+1…9, 0: toggle item 1…10\n"
            "F3: corrected on the spot\nF6 / F7: post absent / understaffed\n"
            "Ctrl+Z: undo\nEsc: clear"))
        keys.setWordWrap(True)
        self.scan_sources = ScanSources(workbench.db)
        self.scan_sources.decoded.connect(self._scanned_elsewhere)
        self.scan_sources.said.connect(self._say)
        self.scan_sources.done.connect(self.focus_scan)
        self.camera = self.scan_sources.camera
        self.image_button = self.scan_sources.image_button
        self.finding_editor.photo_requested.connect(self._evidence_from_camera)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.scan_sources)
        right_layout.addWidget(self.finding_editor)
        right_layout.addWidget(figures_box)
        right_layout.addWidget(keys)
        right_layout.addStretch(1)

        for button in (self.all_ok_button, self.undo_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        # The side columns scroll on their own and can be collapsed: on a 1280x650 laptop the
        # scan field, the card and the whole checklist stay in view.
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(centre)
        splitter.addWidget(scrollable(right))
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 750, 300])
        self.splitter = splitter
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self._shortcut(QKeySequence(Qt.Key.Key_F2), self.mark_all_compliant)
        self._shortcut(QKeySequence(Qt.Key.Key_F3), self.finding_editor.toggle_correction)
        self._shortcut(QKeySequence(Qt.Key.Key_F6), lambda: self.post_column.mark_post("absent"))
        self._shortcut(QKeySequence(Qt.Key.Key_F7),
                       lambda: self.post_column.mark_post("understaffed"))
        self._shortcut(QKeySequence(Qt.Key.Key_Escape), self.clear)
        self._shortcut(QKeySequence("Ctrl+Shift+V"), self.scan_sources.scan_clipboard_image)
        self.cue: ScanCue | None = None
        # Asked before every scan is taken; True refuses it (the window's lock says so).
        self.scans_refused: Callable[[], bool] = lambda: False
        # QtMultimedia takes a moment to load: after the window is up, not before.
        self._later(self._load_cue)
        for number in range(1, 11):
            self._shortcut(QKeySequence(f"Ctrl+{number % 10}"),
                           lambda n=number: self.toggle_item(n - 1))
        application = QApplication.instance()
        assert isinstance(application, QApplication)  # a page exists only in the application
        application.focusChanged.connect(self._keep_scan_focus)

    def _later(self, slot: Callable[[], object]) -> None:
        """Run ``slot`` once the event loop is free; never after this page is gone (a
        timer owned by the page dies with it)."""
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        timer.timeout.connect(timer.deleteLater)
        timer.start(0)

    def _shortcut(self, keys: QKeySequence, slot: object) -> None:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # ----------------------------------------------------------------- focus
    def focus_scan(self) -> None:
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _keep_scan_focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The scan field takes back the focus from anything that is not for typing."""
        if not self.isVisible() or QApplication.activeModalWidget() is not None:
            return
        typing = (QLineEdit, QTextEdit, QAbstractSpinBox, QComboBox)
        if new is None or (self.isAncestorOf(new) and not isinstance(new, typing)):
            self._later(self.focus_scan)

    # ----------------------------------------------------------------- posts
    def set_event(self, event_id: str | None) -> None:
        self.event_id = event_id
        self.clear()
        self.post_column.set_event(event_id)
        self.sample_panel.set_event(event_id)
        self._update_heading()
        if event_id:
            # SQLAlchemy compiles a query the first time it runs; do it now, not on the first
            # badge the supervisor scans.
            self._later(lambda: self.workbench.lookup(event_id, "0", None))

    @property
    def current_post(self) -> PostInfo | None:
        """The post the supervisor stands at (chosen in the list, or a guard's fixed post)."""
        return self.post_column.current()

    def reload_posts(self, posts: list[PostInfo] | None = None) -> None:
        """Show the event's posts with their counts; ``posts`` if the caller has them."""
        self.post_column.reload_posts(posts)

    def _changed(self, changes: Changes, origin: object) -> None:
        """What a change touched in this page (the post column follows the posts' lines):
        the checklist it changed unless this page applied it."""
        event_id = self.event_id
        if event_id is None or not changes.concerns(event_id):
            return
        if (origin is not self and self.inspection is not None
                and self.inspection.id in changes.inspection_ids):
            self._reload_checklist()
        if origin is self.finding_editor:
            self._saved(self.tr("Finding saved"))

    def _post_chosen(self, _post: PostInfo | None) -> None:
        self._update_heading()
        self.focus_scan()

    def select_post(self, post_id: str) -> None:
        self.post_column.select(post_id)

    def _update_heading(self) -> None:
        if self.current_post:
            self.post_heading.setText(self.tr("Post: {name} · {task} · {count} required").format(
                name=self.current_post.name, task=task_type_text(self.current_post.task_type),
                count=self.current_post.required_headcount))
        else:
            self.post_heading.setText(self.tr("Choose a post on the left, or scan a guard: "
                                              "the guard's fixed post is taken."))

    # ------------------------------------------------------------------ scan
    def handle_scan(self, text: str) -> ScanResult | None:
        # Every way in (the scan field, the camera, a photo, the clipboard) passes here: while
        # the window is locked the scan is refused (ui/lock.py sets this), never recorded.
        if self.scans_refused():
            return None
        self.notice.hide()
        if not self.event_id:
            self._say(self.tr("Open or create an event first."))
            return None
        post_id = self.current_post.id if self.current_post else None
        scan = self.workbench.lookup(self.event_id, text, post_id)
        self.card.show_result(scan)
        self.card.repaint()  # the verdict is on screen before anything is written
        self.card_shown.emit(scan)
        if self.cue is not None and scan.verdict != Verdict.UNREADABLE:
            self.cue.play(scan.verdict in (Verdict.ASSIGNED_HERE, Verdict.POST_SCANNED))
        if scan.verdict == Verdict.POST_SCANNED and scan.post is not None:
            self.select_post(scan.post.id)
            self.clear_checklist()
            return scan
        if scan.verdict == Verdict.UNREADABLE:
            return scan
        event_id = self.event_id
        try:
            self.inspection = self.operations.run(
                lambda: self.workbench.record_scan(event_id, scan), origin=self)
        except UserError as exc:  # e.g. the event's evaluation is signed
            self.clear_checklist()  # nothing of the guard before stays beside this card
            self.saved_label.clear()  # "saved" would speak of the scan before this one
            self._say(self.tr("Not recorded: {reason}").format(reason=exc))
            return scan
        if self.current_post is None and scan.post is not None:
            self.select_post(scan.post.id)
        self.checklist.set_items(self.inspection.items)
        self.selected_index = None
        self.checklist.select(None)
        if self.inspection.staffing_finding_id:
            code = STAFFING_FINDINGS[scan.verdict]
            self.finding_editor.show_finding(self.inspection.staffing_finding_id,
                                             staffing_item_text(code))
        else:
            self.finding_editor.show_finding(None)
        self._saved(self.tr("Scan recorded"))
        return scan

    def _load_cue(self) -> None:
        if self.cue is None:
            self.cue = ScanCue(self)

    def _scanned_elsewhere(self, text: str) -> None:
        """A code from the camera, a photo or the clipboard: the same path as the scan field."""
        self.focus_scan()
        self.handle_scan(text)

    def _evidence_from_camera(self) -> None:
        self.scan_sources.evidence_photo(self.finding_editor.attach_evidence)
        self.focus_scan()

    def scanned_outside_the_field(self, text: str) -> None:
        """A scanner burst typed while another widget had the focus (the note, a form, a
        dialog), taken out by the ScanRouter: the same path as the scan field."""
        self.finding_editor.note.editingFinished.emit()  # the note typed so far is kept
        if QApplication.activeModalWidget() is None:
            self.focus_scan()
        self.handle_scan(text)

    def toggle_item(self, index: int) -> None:
        if self.inspection is None or not 0 <= index < len(self.checklist.states):
            return
        state = self.checklist.states[index]
        compliant = state.compliant is False  # unset or compliant -> finding; finding -> ok
        inspection_id = self.inspection.id
        try:
            new_state = self.operations.run(
                lambda: self.workbench.set_item(inspection_id, state.item, compliant),
                origin=self)
        except UserError as exc:
            self._say(str(exc))
            return
        self.checklist.update_item(index, new_state)
        self.selected_index = index
        self.checklist.select(index)
        self.finding_editor.show_finding(new_state.finding_id, state.item.label(self.lang))
        self._saved(self.tr("Item saved"))

    def mark_all_compliant(self) -> None:
        if self.inspection is None:
            return
        items = tuple(s.item for s in self.checklist.states)
        inspection_id = self.inspection.id
        try:
            states = self.operations.run(
                lambda: self.workbench.mark_all_compliant(inspection_id, items), origin=self)
        except UserError as exc:
            self._say(str(exc))
            return
        for index, state in enumerate(states):
            self.checklist.update_item(index, state)
        self._saved(self.tr("Remaining items marked compliant"))

    def undo(self) -> None:
        """Revert the last change. The page shows the outcome itself (the checklist and the
        finding as they are again); the posts' lines and the figures follow the signal."""
        try:
            what = self.operations.run(self.workbench.undo, origin=self)
        except UserError as exc:
            self._say(str(exc))
            return
        if what is None:
            self._say(self.tr("Nothing to undo."))
            return
        if what == "scan":
            self.clear()
        elif self.inspection is not None:
            self._reload_checklist()
            selected = (self.checklist.states[self.selected_index]
                        if self.selected_index is not None else None)
            self.finding_editor.show_finding(selected.finding_id if selected else None,
                                             selected.item.label(self.lang) if selected else "")
        self._saved(self.tr("Undone"))
        self.focus_scan()

    def _reload_checklist(self) -> None:
        """The current inspection's items as recorded (every row: a note saved may be that of
        the row selected before this one)."""
        if self.inspection is None or not self.checklist.states:
            return
        states = self.workbench.item_states(self.inspection.id,
                                            tuple(s.item for s in self.checklist.states))
        for index, state in enumerate(states):
            self.checklist.update_item(index, state)

    def clear(self) -> None:
        self.card.clear()
        self.notice.hide()
        self.clear_checklist()

    def clear_checklist(self) -> None:
        self.inspection = None
        self.selected_index = None
        self.checklist.set_items(())
        self.finding_editor.show_finding(None)

    def _saved(self, what: str) -> None:
        self.notice.hide()  # what it said was about an earlier action
        self.saved_label.setText(self.tr("✓ {what}, saved {time}").format(
            what=what, time=datetime.now().strftime("%H:%M:%S")))

    def _say(self, message: str) -> None:
        """Tell the supervisor in the page: no dialog that a scan's Enter would dismiss."""
        self.notice.setText(message)
        self.notice.show()
        self.focus_scan()

    def set_figures(self, text: str) -> None:
        self.figures.setText(text)

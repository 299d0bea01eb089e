"""The event's random sample on the inspection screen (issue 13): how far the supervisor got
with it, the sampled guards still to find by post, and the guards checked outside it. The
page shows it as a tab beside its posts, whose name (``headline``) says how far the sample
got even while the posts are shown.

Reading it (the draw over the whole roster, then the checks) takes about 55 ms on a
3,000-guard event, 140 ms the first time (app.evaluation.sample_progress): over the GUI
thread's budget, so it runs on a worker after the changes that can alter it
(ui/refresh.py), as the post column's counts do; while neither the panel nor its tab's
neighbour is on screen (another page is shown), only when it is shown again.

Double-clicking a guard or a post of the list chooses that post on the page, as a click in
the list of posts does.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.evaluation.sample_progress import SampleProgress, sample_progress
from app.evaluation.sampling import LEVEL
from app.inspection.changeset import Changes
from app.inspection.workbench import Workbench
from ui.errors import user_message
from ui.operations import Operations
from ui.refresh import BackgroundRefresh, Wanted

# The sample after a change: gathered this long, then read on a worker thread.
SAMPLE_REFRESH_MS = 300
POST_ROLE = Qt.ItemDataRole.UserRole  # on every row: the id of the post ("" if none)
# What the worker returns: the event, its sample's progress (None: no such event) and the
# ids of its posts by name (SampledGuard names the post).
SampleRead = tuple[str, SampleProgress | None, dict[str, str]]


class SamplePanel(QWidget):
    post_wanted = Signal(str)  # the id of the post of the row double-clicked
    shown = Signal(object)  # SampleProgress | None: the panel now shows it
    headline = Signal(str)  # a few words for its tab: "Sample 12/80"

    def __init__(self, workbench: Workbench, operations: Operations,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        operations.did_change.connect(self._changed)
        self.event_id: str | None = None
        self.progress: SampleProgress | None = None
        self._stale = False  # changed while off screen: read again when shown
        self._watched: QWidget | None = None  # the parent whose showing ends that
        self._refresh = BackgroundRefresh(self._prepare, self._show, self._failed,
                                          SAMPLE_REFRESH_MS, self)

        self.title = QLabel()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.bar.setMaximumHeight(self.bar.fontMetrics().height() + 6)
        self.complete_label = QLabel()
        self.complete_label.setWordWrap(True)
        self.complete_label.setObjectName("sampleComplete")
        self.complete_label.setStyleSheet("color: #0b6b1f; font-weight: bold;")
        self.complete_label.hide()
        self.to_find = QLabel(self.tr("Still to find, by post:"))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Guard"), self.tr("Certificate")])
        # No branch arrows: the posts' rows are bold, their guards indented under them, and
        # a certificate number keeps its width in a narrow column.
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setExpandsOnDoubleClick(False)  # a double-click chooses the post
        self.tree.setUniformRowHeights(True)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan field keeps the keys
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setToolTip(self.tr("The sampled guards not checked yet, by post. "
                                     "Double-click: choose that post."))
        self.tree.setMinimumHeight(90)
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.in_sample = QLabel()
        self.in_sample.setWordWrap(True)
        self.outside = QLabel()
        self.outside.setWordWrap(True)
        self.outside.setToolTip(self.tr(
            "Guards checked who are not in the sample: their findings count in the score "
            "and are reported apart from the sample's."))
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.complete_label)
        layout.addWidget(self.to_find)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.in_sample)
        layout.addWidget(self.outside)
        layout.addStretch(0)  # the lines stay at the top once the list is gone
        self._show_nothing()

    # ----------------------------------------------------------------- event
    def set_event(self, event_id: str | None) -> None:
        """Show this event's sample (nothing for None): read on a worker, shown when read."""
        self.event_id = event_id
        self._refresh.cancel()
        self._stale = False
        self._watch_parent()
        self._show_nothing()
        if event_id:
            self.title.setText(self.tr("Random sample: reading…"))
            self._refresh.request(at_once=True)

    def _changed(self, changes: Changes, _origin: object) -> None:
        """A scan, a tick that opens or removes a finding, an undo, the roster or the posts
        changed: the sample's progress, or the sample itself, may read differently."""
        if self.event_id is None or not changes.concerns(self.event_id):
            return
        if not (changes.counts or changes.roster or changes.post_list or changes.guard_ids
                or changes.inspection_ids):
            return
        self._watch_parent()
        if self._on_screen():
            self._refresh.request()
        else:
            self._stale = True

    def _on_screen(self) -> bool:
        """The panel, or the tab beside it (its headline), is on screen."""
        parent = self.parentWidget()
        return self.isVisible() or (parent is not None and parent.isVisible())

    def _watch_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None and parent is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            parent.installEventFilter(self)
            self._watched = parent

    def _read_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self._refresh.request(at_once=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self._watched and event.type() == QEvent.Type.Show:
            self._read_if_stale()
        return False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self._read_if_stale()
        super().showEvent(event)

    # ------------------------------------------------------------------ read
    def _prepare(self, _wanted: Wanted) -> Callable[[], SampleRead] | None:
        if not self.event_id:
            return None
        event_id, workbench = self.event_id, self.workbench

        def read() -> SampleRead:
            progress = sample_progress(workbench.db, event_id)
            # The posts of the sampled guards: a double-click chooses one (no read of every
            # post: a scan reloads only its own post's line).
            posts = {guard.post_name: guard.post_id for guard in
                     (progress.guards if progress else ()) if guard.post_id}
            return event_id, progress, posts

        return read

    def _failed(self, exc: Exception) -> None:
        self.title.setText(self.tr("The random sample could not be read: {error}").format(
            error=user_message(exc)))

    def _show(self, result: SampleRead) -> None:
        event_id, progress, posts = result
        if event_id != self.event_id:
            return  # another event was opened meanwhile
        self.show_progress(progress, posts)

    # ------------------------------------------------------------------ show
    def _show_nothing(self) -> None:
        self.progress = None
        self.title.setText(self.tr("Random sample"))
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("")
        self.tree.clear()
        self.complete_label.hide()
        self.in_sample.clear()
        self.outside.clear()
        self.headline.emit(self.tr("Sample"))

    def show_progress(self, progress: SampleProgress | None,
                      posts: dict[str, str] | None = None) -> None:
        """Show ``progress`` (None: the event is gone); ``posts``: post ids by name."""
        if progress is None:
            self._show_nothing()
            self.shown.emit(None)
            return
        self.progress = progress
        plan = progress.plan
        if progress.size == 0:
            self.title.setText(self.tr("Random sample: no guards on the roster yet."))
        else:
            self.title.setText(self.tr(
                "Random sample (GB/T 2828.1, level {level}, code {code}): {checked} of "
                "{size} checked").format(level=LEVEL, code=plan.code,
                                         checked=progress.checked, size=progress.size))
        self.bar.setRange(0, max(progress.size, 1))
        self.bar.setValue(progress.checked if progress.size else 0)
        self.bar.resetFormat()  # the share checked, "12%"
        self._fill_tree(progress, posts or {})
        complete = progress.size > 0 and progress.complete
        self.complete_label.setText(self.tr(
            "Sample complete: all {size} sampled guards have been checked.").format(
            size=progress.size) if complete else "")
        self.complete_label.setVisible(complete)
        self.tree.setVisible(not complete)
        self.to_find.setVisible(not complete)
        self.in_sample.setText(self.tr(
            "In the sample: {bad} of {checked} checked with findings").format(
            bad=progress.not_compliant, checked=progress.checked) if progress.size else "")
        self.in_sample.setVisible(progress.size > 0)
        self.outside.setText(self.tr(
            "Checked outside the sample: {guards} guards ({findings} with findings)").format(
            guards=progress.checked_outside, findings=progress.findings_outside))
        if progress.size == 0:
            self.headline.emit(self.tr("Sample"))
        elif complete:
            self.headline.emit(self.tr("Sample ✓"))
        else:
            self.headline.emit(self.tr("Sample {checked}/{size}").format(
                checked=progress.checked, size=progress.size))
        self.shown.emit(progress)

    def _fill_tree(self, progress: SampleProgress, posts: dict[str, str]) -> None:
        """The guards still to find, under their posts; the list keeps its place."""
        scrolled = self.tree.verticalScrollBar().value()
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        for post_name, guards in progress.still_to_find().items():
            post_id = posts.get(post_name, "")
            name = post_name or self.tr("No fixed post")
            post_item = QTreeWidgetItem([self.tr("{post} ({count})").format(
                post=name, count=len(guards))])
            post_item.setData(0, POST_ROLE, post_id)
            post_item.setToolTip(0, name)
            font = post_item.font(0)
            font.setBold(True)
            post_item.setFont(0, font)
            for guard in guards:
                child = QTreeWidgetItem([guard.name, guard.cert_no])
                child.setData(0, POST_ROLE, post_id)
                child.setToolTip(0, f"{guard.name} · {guard.cert_no} · {name}")
                post_item.addChild(child)
            self.tree.addTopLevelItem(post_item)
            post_item.setFirstColumnSpanned(True)
            post_item.setExpanded(True)
        # The names' column as wide as the longest name; the certificates get the rest.
        names = [guard.name for guard in progress.guards if not guard.checked]
        widest = max((self.tree.fontMetrics().horizontalAdvance(name) for name in names),
                     default=0)
        self.tree.setColumnWidth(0, widest + self.tree.indentation() + 10)
        self.tree.verticalScrollBar().setValue(scrolled)
        self.tree.setUpdatesEnabled(True)

    def still_to_find(self) -> dict[str, list[str]]:
        """What the list shows: the post rows' texts and under each its guards' certificate
        numbers (for tests and the screenshots)."""
        shown: dict[str, list[str]] = {}
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            shown[item.text(0)] = [item.child(i).text(1) for i in range(item.childCount())]
        return shown

    # -------------------------------------------------------------- actions
    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        post_id = item.data(0, POST_ROLE)
        if post_id:
            self.post_wanted.emit(post_id)

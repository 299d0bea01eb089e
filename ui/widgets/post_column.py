"""The inspection's left column: the event's posts with their counts, and the two records a
supervisor makes of a post itself (absent, understaffed).

The list shows what this column loads: the posts' names at once when the event is opened, their
counts from a worker a moment later (a few hundred milliseconds on a large event), and after a
change only the lines of the posts it touched. Its texts keep the inspection page's translation
context (InspectionPage), where their translations are.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.errors import UserError
from app.inspection.changeset import Changes
from app.inspection.domain import post_state_text
from app.inspection.queries import RECENTLY_PRESENT_MINUTES
from app.inspection.values import PostInfo
from app.inspection.workbench import Workbench
from ui.commands import connect_command
from ui.errors import user_message
from ui.operations import Operations
from ui.refresh import BackgroundRefresh, Wanted
from ui.widgets.post_list import PostList

# The posts' counts after a change: gathered this long, then counted on a worker thread.
POST_COUNTS_DELAY_MS = 300
PostCounts = tuple[str, Wanted, list[PostInfo]]  # the event, the posts wanted, their lines


class PostColumn(QWidget):
    said = Signal(str)  # something to tell the supervisor in the page (a refusal, a failure)
    saved = Signal(str)  # a post's state was recorded: in words
    finished = Signal()  # a post's state was recorded, refused or not asked: back to scanning

    def __init__(self, workbench: Workbench, operations: Operations,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workbench = workbench
        self.operations = operations
        self.operations.did_change.connect(self._changed)
        self.event_id: str | None = None
        # The lines of the posts a change touched, counted on a worker (all of them when the
        # event is opened: a few hundred milliseconds on a large event).
        self._post_counts = BackgroundRefresh(self._count_posts, self._show_post_counts,
                                              self._post_counts_failed, POST_COUNTS_DELAY_MS,
                                              self)
        self._uncounted: set[str] | None = set()  # touched while hidden (None: every post)

        self.posts = PostList()
        self.absent_button = QPushButton(QCoreApplication.translate(
            "InspectionPage", "Post absent (F6)"))
        self.understaffed_button = QPushButton(QCoreApplication.translate(
            "InspectionPage", "Understaffed (F7)"))
        connect_command(self.absent_button.clicked, lambda: self.mark_post("absent"))
        connect_command(self.understaffed_button.clicked, lambda: self.mark_post("understaffed"))
        for button in (self.absent_button, self.understaffed_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.posts, 1)
        layout.addWidget(self.absent_button)
        layout.addWidget(self.understaffed_button)

    def set_event(self, event_id: str | None) -> None:
        """Show this event's posts (none for None), no post chosen."""
        self.event_id = event_id
        self.posts.clear_choice()
        # Names now, counts when they arrive from their worker: on a large event the counts
        # would hold up the window's first paint.
        self._post_counts.cancel()
        self._uncounted = set()
        self.reload_posts(self.workbench.posts(event_id, with_counts=False) if event_id
                          else [])
        if event_id:
            self._post_counts.request(at_once=True)

    def current(self) -> PostInfo | None:
        return self.posts.current()

    def select(self, post_id: str) -> None:
        self.posts.select(post_id)

    def reload_posts(self, posts: list[PostInfo] | None = None) -> None:
        """Show the event's posts with their counts; ``posts`` if the caller has them."""
        if posts is None:
            posts = self.workbench.posts(self.event_id) if self.event_id else []
        self.posts.set_posts(posts)

    def update_posts(self, posts: list[PostInfo]) -> None:
        """Rewrite the lines of these posts (a change touched them), and only those."""
        self.posts.update_posts(posts)

    # ---------------------------------------------------------------- counts
    def _count_posts(self, wanted: Wanted) -> Callable[[], PostCounts] | None:
        if not self.event_id:
            return None
        event_id, workbench = self.event_id, self.workbench
        return lambda: (event_id, wanted, workbench.posts(event_id, only=wanted))

    def _show_post_counts(self, result: PostCounts) -> None:
        event_id, wanted, posts = result
        if event_id != self.event_id:
            return  # another event was opened meanwhile
        if wanted is None:
            self.reload_posts(posts)
        else:
            self.update_posts(posts)

    def _post_counts_failed(self, exc: Exception) -> None:
        self.said.emit(user_message(exc))

    def _recount_posts(self, post_ids: Wanted) -> None:
        """Count these posts' lines (None: all) now, or when the page is looked at again."""
        if self.isVisible():
            self._post_counts.request(post_ids)
        elif post_ids is None or self._uncounted is None:
            self._uncounted = None
        else:
            self._uncounted |= post_ids

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._uncounted is None or self._uncounted:
            self._post_counts.request(self._uncounted)
            self._uncounted = set()
        super().showEvent(event)

    def _changed(self, changes: Changes, _origin: object) -> None:
        """The lines of the posts a change touched (all of them when posts were added or
        renamed: their names now, their counts from the worker)."""
        event_id = self.event_id
        if event_id is None or not changes.concerns(event_id):
            return
        if changes.post_list:
            self.reload_posts(self.workbench.posts(event_id, with_counts=False))
            self._recount_posts(None)
        elif changes.post_ids:
            self._recount_posts(changes.post_ids)

    # ---------------------------------------------------------------- states
    def mark_post(self, status: str) -> None:
        """Record the chosen post as absent or understaffed, after the question each asks."""
        self._mark_post(status)
        self.finished.emit()

    def _mark_post(self, status: str) -> None:
        post = self.current()
        if not self.event_id or not post:
            self.said.emit(QCoreApplication.translate("InspectionPage", "Choose the post first."))
            return
        # The post and event the supervisor meant: a scan taken while a question below is
        # open may move the page to another post.
        event_id = self.event_id
        seen = self.workbench.guards_seen_recently(event_id, post.id)
        present = 0
        if status == "absent" and seen:
            answer = QMessageBox.question(
                self, QCoreApplication.translate("InspectionPage", "Post absent"),
                QCoreApplication.translate(
                    "InspectionPage",
                    "{count} guard(s) were verified at {post} in the last {minutes} "
                    "minutes. Record the post as absent all the same?").format(
                    count=seen, post=post.name, minutes=RECENTLY_PRESENT_MINUTES))
            if answer != QMessageBox.StandardButton.Yes:
                return
        if status == "understaffed":
            most = max(0, post.required_headcount - 1)
            present, ok = QInputDialog.getInt(
                self, QCoreApplication.translate("InspectionPage", "Understaffed post"),
                QCoreApplication.translate(
                    "InspectionPage", "How many guards are at {post}? ({count} required)").format(
                    post=post.name, count=post.required_headcount),
                min(seen, most), 0, most)
            if not ok:
                return
        try:
            self.operations.run(lambda: self.workbench.set_post_status(
                event_id, post.id, status, present), origin=self)
        except UserError as exc:
            self.said.emit(str(exc))
            return
        self.saved.emit(QCoreApplication.translate(
            "InspectionPage", "{post}: {state} recorded").format(
            post=post.name, state=post_state_text(status)))

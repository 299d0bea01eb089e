"""The inspection's column of posts: each post with its head-count (checked / assigned) and
its state, a filter above them. The page gives it the lines; it keeps the supervisor's choice
across reloads. Its texts keep the inspection page's translation context (InspectionPage),
where their translations are."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidgetItem, QVBoxLayout, QWidget

from app.inspection.domain import post_state_text, task_type_text
from app.inspection.values import PostInfo
from ui.widgets.empty_state import PlaceholderListWidget, set_placeholder

POST_ROLE = Qt.ItemDataRole.UserRole


class PostList(QWidget):
    chosen = Signal(object)  # PostInfo | None: the post chosen (a click, a scan, a label)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(QCoreApplication.translate(
            "InspectionPage", "Find a post (zone, name, task)"))
        self.filter.textChanged.connect(self._apply_filter)
        self.list = PlaceholderListWidget()
        set_placeholder(self.list, QCoreApplication.translate(
            "InspectionPage", "No posts yet. Import the company's roster (File menu, Ctrl+I) "
                              "or add posts on the Posts tab."))
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(True)  # a long post name wraps instead of being cut
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setToolTip(QCoreApplication.translate(
            "InspectionPage", "checked / assigned guards per post"))
        self.list.currentItemChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(QCoreApplication.translate("InspectionPage", "Posts")))
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)

    def current(self) -> PostInfo | None:
        item = self.list.currentItem()
        post: PostInfo | None = item.data(POST_ROLE) if item is not None else None
        return post

    def clear_choice(self) -> None:
        self.list.setCurrentRow(-1)  # no post highlighted that is not the current one

    def select(self, post_id: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(POST_ROLE).id == post_id:
                self.list.setCurrentItem(item)
                return

    def set_posts(self, posts: list[PostInfo]) -> None:
        """Show these posts. When the same posts are listed already only the lines that
        changed are rewritten (a large event has thousands); a line without its counts
        (``counted=False``: a new name) keeps the counts it shows."""
        listed = [self.list.item(row).data(POST_ROLE).id for row in range(self.list.count())]
        if listed == [post.id for post in posts]:
            for row, post in enumerate(posts):
                shown: PostInfo = self.list.item(row).data(POST_ROLE)
                if not post.counted and shown.counted:
                    post = replace(shown, name=post.name, zone=post.zone,
                                   task_type=post.task_type,
                                   required_headcount=post.required_headcount)
                self._show(row, post)
            return
        current = self.current()
        self.list.blockSignals(True)
        self.list.clear()
        for post in posts:
            item = QListWidgetItem(self.post_text(post))
            item.setData(POST_ROLE, post)
            self.list.addItem(item)
            if current is not None and post.id == current.id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._apply_filter(self.filter.text())

    def update_posts(self, posts: list[PostInfo]) -> None:
        """Rewrite the lines of these posts (a change touched them), and only those."""
        fresh = {post.id: post for post in posts}
        for row in range(self.list.count()):
            post = fresh.get(self.list.item(row).data(POST_ROLE).id)
            if post is not None:
                self._show(row, post)

    def _show(self, row: int, post: PostInfo) -> None:
        item = self.list.item(row)
        if item.data(POST_ROLE) != post:
            item.setData(POST_ROLE, post)
            item.setText(self.post_text(post))

    @staticmethod
    def post_text(post: PostInfo) -> str:
        if not post.counted:
            return QCoreApplication.translate("InspectionPage", "{name} · {task}").format(
                name=post.name, task=task_type_text(post.task_type))
        text = QCoreApplication.translate(
            "InspectionPage", "{name} · {task} · {checked}/{assigned}").format(
            name=post.name, task=task_type_text(post.task_type), checked=post.inspected_count,
            assigned=post.assigned_count)
        if post.status:
            text += "  · " + post_state_text(post.status)
        elif post.assigned_count == 0:
            text += "  · " + QCoreApplication.translate("InspectionPage", "no guard assigned")
        return text

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            post: PostInfo = item.data(POST_ROLE)
            haystack = f"{post.name} {post.zone} {post.task_type} {task_type_text(post.task_type)}"
            item.setHidden(bool(needle) and needle not in haystack.lower())

    def _current_changed(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self.chosen.emit(item.data(POST_ROLE) if item is not None else None)

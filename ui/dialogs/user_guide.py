"""Help → User guide (F1): the guide of the current language, read from the bundle.

The guide is Markdown (``docs/user-guide/<lang>.md``, shown by QTextDocument's own Markdown
reader) with its pictures beside it in ``images/``, so the same file reads in the window and
on the project's pages. Its sections are listed on the left; the pictures shrink to the width
of the window, never grow past their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QResizeEvent, QTextCursor, QTextDocument, QTextImageFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.resources import user_guide_dir

FALLBACK_LANGUAGE = "en"
CONTENTS_LEVELS = 2  # "#" and "##" headings are listed on the left
IMAGE_MARGIN = 24  # pixels kept free beside a picture fitted to the width


def guide_path(lang: str) -> Path:
    """The guide in ``lang``, else the English one."""
    folder = user_guide_dir()
    chosen = folder / f"{lang}.md"
    return chosen if chosen.is_file() else folder / f"{FALLBACK_LANGUAGE}.md"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    position: int  # where its block starts in the document


def headings(document: QTextDocument) -> list[Heading]:
    found = []
    block = document.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level:
            found.append(Heading(level, block.text(), block.position()))
        block = block.next()
    return found


def image_fragments(document: QTextDocument) -> list[tuple[int, int, QTextImageFormat]]:
    """(position, length, format) of every picture in the document."""
    found = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            char_format = fragment.charFormat()
            if char_format.isImageFormat():
                found.append((fragment.position(), fragment.length(),
                              char_format.toImageFormat()))
            fragments += 1
        block = block.next()
    return found


class GuideBrowser(QTextBrowser):
    """A text browser whose pictures always fit its width."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit_images()

    def image_size(self, name: str) -> tuple[int, int]:
        picture = self.document().resource(QTextDocument.ResourceType.ImageResource,
                                           QUrl(name))
        return (picture.width(), picture.height()) if picture is not None else (0, 0)

    def fit_images(self) -> None:
        available = max(100, self.viewport().width() - IMAGE_MARGIN)
        document = self.document()
        for position, length, image_format in image_fragments(document):
            natural_width, _ = self.image_size(image_format.name())
            width = min(natural_width, available) if natural_width else available
            if int(image_format.width()) == width:
                continue
            image_format.setWidth(width)  # the height follows, keeping the proportions
            cursor = QTextCursor(document)
            cursor.setPosition(position)
            cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(image_format)


class UserGuideDialog(QDialog):
    """The guide beside the window (not modal: the supervisor can read and work)."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("User guide"))
        self.resize(1000, 600)
        self.contents = QListWidget()
        self.contents.setWordWrap(True)  # a long section title wraps instead of being cut
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contents.currentRowChanged.connect(self._go_to)  # by keyboard
        # a click on the section already chosen goes back to its start too
        self.contents.itemClicked.connect(lambda item: self._go_to(self.contents.row(item)))
        self.browser = GuideBrowser()
        self.browser.setOpenExternalLinks(True)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 730])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.path = guide_path(lang)
        self.sections: list[Heading] = []
        self.load()

    def load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            self.browser.setPlainText(self.tr(
                "The user guide is missing from this installation ({path}: {error}). "
                "Ask headquarters for a complete copy of the program.").format(
                    path=self.path, error=exc.strerror or exc))
            return
        # Pictures are named relative to the guide's folder (images/…), as on the web.
        self.browser.setSearchPaths([str(self.path.parent)])
        self.browser.setMarkdown(text)
        self.sections = [heading for heading in headings(self.browser.document())
                         if heading.level <= CONTENTS_LEVELS]
        self.contents.clear()
        for heading in self.sections:
            item = QListWidgetItem(("    " if heading.level > 1 else "") + heading.text)
            self.contents.addItem(item)
        self.browser.fit_images()

    def _go_to(self, row: int) -> None:
        if not 0 <= row < len(self.sections):
            return
        document = self.browser.document()
        block = document.findBlock(self.sections[row].position)
        top = document.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

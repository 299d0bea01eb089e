"""The ways a badge's code reaches the inspection besides the scan field: the camera, a photo
file, an image on the clipboard; and the camera's frame as a finding's evidence photo.

Every code read here leaves through ``decoded``, so the inspection takes it the same way as a
scan; what went wrong leaves through ``said``, to be shown in the page (no dialog that a
scanner's Enter would dismiss). Its texts keep the inspection page's translation context
(InspectionPage), where their translations are.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.profile.db import Database
from ui.commands import connect_command
from ui.dialogs.files import open_file_name
from ui.errors import user_message
from ui.tasks import run_in_background
from ui.widgets.camera import CameraPanel, qimage_to_gray_array


class ScanSources(QWidget):
    decoded = Signal(str)  # a code read from the camera, a photo or the clipboard
    said = Signal(str)  # why nothing was read, in words for the supervisor
    done = Signal()  # the photo's file dialog closed: give the focus back to the scan field

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.camera = CameraPanel(db)
        self.camera.decoded.connect(self.decoded)
        self.image_button = QPushButton(QCoreApplication.translate(
            "InspectionPage", "&Badge photo…"))
        connect_command(self.image_button.clicked, self.scan_image_file)
        self.paste_button = QPushButton(QCoreApplication.translate("InspectionPage",
                                                                   "Paste image (Ctrl+Shift+V)"))
        self.paste_button.setToolTip(QCoreApplication.translate(
            "InspectionPage", "Ctrl+Shift+V: read the badge in an image copied to the "
            "clipboard"))
        connect_command(self.paste_button.clicked, self.scan_clipboard_image)
        image_row = QHBoxLayout()
        for button in (self.image_button, self.paste_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            image_row.addWidget(button)
        # The photo's buttons sit in the camera's box, under its preview.
        camera_layout = self.camera.layout()
        assert isinstance(camera_layout, QVBoxLayout)
        camera_layout.addLayout(image_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.camera)

    def scan_image_file(self) -> None:
        """Ask for a photo of a badge and read the codes in it."""
        path, _ = open_file_name(
            self, QCoreApplication.translate("InspectionPage", "Photo of a badge"), "",
            QCoreApplication.translate("InspectionPage",
                                       "Images (*.jpg *.jpeg *.png *.bmp *.webp)"))
        self.done.emit()
        if path:
            self.scan_image_path(path)

    def scan_image_path(self, path: str) -> None:
        image = QImage(path)
        if image.isNull():
            self.said.emit(QCoreApplication.translate(
                "InspectionPage", "{file} is not an image that can be read.").format(
                file=Path(path).name))
            return
        self._decode_still(image)

    def scan_clipboard_image(self) -> None:
        image = QApplication.clipboard().image()
        if image.isNull():
            self.said.emit(QCoreApplication.translate(
                "InspectionPage",
                "The clipboard holds no image. Copy a photo of the badge first."))
            return
        self._decode_still(image)

    def _decode_still(self, image: QImage) -> None:
        # numpy and zxing-cpp (about 250 ms of start-up, measured) load with the first picture
        from app.badge.qr import decode_qr

        pixels = qimage_to_gray_array(image)

        def found(texts: list[str]) -> None:
            if not texts:
                self.said.emit(QCoreApplication.translate(
                    "InspectionPage", "No QR code found in the image. Take the photo closer "
                    "and sharper, or type the certificate number."))
                return
            for text in texts:
                self.decoded.emit(text)

        run_in_background(lambda: decode_qr(pixels), found,
                          lambda exc: self.said.emit(user_message(exc)), owner=self)

    def evidence_photo(self, attach: Callable[[str], None]) -> None:
        """Hand the camera's current frame to ``attach`` as a JPEG file, which is removed
        afterwards (``attach`` keeps its own copy)."""
        if not self.camera.running or self.camera.last_frame.isNull():
            self.said.emit(QCoreApplication.translate(
                "InspectionPage", "Start the camera first to take a photo."))
            return
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "camera.jpg"
            if self.camera.save_frame(path):
                attach(str(path))

"""Reading badges with the laptop's camera, from a photo file or from the clipboard.

Frames come from QtMultimedia's video sink; each is copied to a grayscale array and decoded
with zxing-cpp on a worker thread. While one decode runs, new frames are dropped, so the GUI
never waits and a slow machine simply decodes fewer frames.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.preferences import Preferences, save_preferences
from app.profile.db import Database
from ui.commands import connect_command
from ui.preferences_hub import preferences_hub
from ui.tasks import run_in_background

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
# The same code seen again within this time is the same badge still in front of the lens.
REPEAT_SUPPRESS_S = 3.0
PREVIEW_INTERVAL_S = 0.08


def qimage_to_gray_array(image: QImage) -> np.ndarray:
    """A grayscale copy of the image as a (height, width) uint8 array, owned by numpy so a
    worker may read it after Qt has reused the frame's buffer."""
    # Here, not at the top: numpy and zxing-cpp cost about 250 ms of start-up (measured on the
    # development machine); they load with the first picture read.
    import numpy as np

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    buffer = np.frombuffer(gray.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()


def decode_qimage(image: QImage) -> list[str]:
    """Every QR code's text in the image (none for a null image)."""
    from app.badge.qr import decode_qr  # numpy, zxing-cpp: ~250 ms, at the first picture


    if image.isNull():
        return []
    return decode_qr(qimage_to_gray_array(image))


class FrameDecoder(QObject):
    """Turns a stream of frames into decoded texts, one decode at a time, off the GUI thread."""

    decoded = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self.frames_seen = 0
        self.frames_decoded = 0
        self._last_text = ""
        self._last_at = 0.0

    def offer(self, image: QImage) -> bool:
        """Decode this frame unless a decode is already running; True if it was taken."""
        self.frames_seen += 1
        if self.busy or image.isNull():
            return False
        from app.badge.qr import decode_qr  # numpy, zxing-cpp: ~250 ms, at the first frame

        self.busy = True
        pixels = qimage_to_gray_array(image)
        run_in_background(lambda: decode_qr(pixels), self._done, self._failed)
        return True

    def _done(self, texts: list[str]) -> None:
        self.busy = False
        self.frames_decoded += 1
        now = time.monotonic()
        for text in texts:
            if text == self._last_text and now - self._last_at < REPEAT_SUPPRESS_S:
                continue
            self._last_text, self._last_at = text, now
            self.decoded.emit(text)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        log.warning("frame decode failed: %s", exc)


def video_inputs() -> list[object]:
    """The cameras this laptop has now (QCameraDevice), none without QtMultimedia."""
    # Here, not at the top: QtMultimedia takes about 170 ms to import (measured on the
    # development machine), paid when a camera is first asked for.
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        log.info("QtMultimedia unavailable: %s", exc)
        return []
    return list(QMediaDevices.videoInputs())


def camera_id(device: object) -> str:
    """A camera's id as the preferences keep it (hex of QCameraDevice.id())."""
    return bytes(device.id().data()).hex()  # type: ignore[attr-defined]


def chosen_camera_id(preferred: str) -> str:
    """The camera to use: the preferred one; with none ("" in the preferences), the
    system's default camera."""
    if preferred:
        return preferred
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return ""
    default = QMediaDevices.defaultVideoInput()
    return "" if default.isNull() else camera_id(default)


class CameraPanel(QGroupBox):
    """Camera preview with a device choice, remembered in the laptop's preferences (the
    choice is the machine's, not the supervisor's: Settings shows it too)."""

    decoded = Signal(str)
    status_changed = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Camera"), parent)
        self.db = db  # the profile; the camera's choice is the laptop's (preferences)
        self.decoder = FrameDecoder(self)
        self.decoder.decoded.connect(self.decoded)
        self.last_frame = QImage()
        self._camera: object | None = None
        self._camera_id = ""
        self._session: object | None = None
        self._sink: object | None = None
        self._last_preview = 0.0

        self.devices = QComboBox()
        self.devices.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toggle_button = QPushButton(self.tr("Start c&amera"))
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        connect_command(self.toggle_button.clicked, self.toggle)
        self.preview = QLabel()
        self.preview.setFixedHeight(180)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.devices, 1)
        row.addWidget(self.toggle_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.preview)
        layout.addWidget(self.status)
        self.devices.hide()
        preferences_hub().changed.connect(self._preferences_changed)

    @property
    def running(self) -> bool:
        return self._camera is not None

    def _video_inputs(self) -> list[object]:
        return video_inputs()

    def toggle(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    def start(self) -> bool:
        inputs = self._video_inputs()
        if not inputs:
            self._say(self.tr("No camera found. Scan with the USB scanner, type the number, "
                              "or open a photo of the badge."))
            return False
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoSink

        self.devices.blockSignals(True)
        self.devices.clear()
        for device in inputs:
            self.devices.addItem(device.description(), camera_id(device))
        self.devices.blockSignals(False)
        index = self.devices.findData(chosen_camera_id(preferences_hub().preferences.camera))
        index = index if index >= 0 else 0
        self.devices.setCurrentIndex(index)
        self.devices.setVisible(len(inputs) > 1)
        try:
            self.devices.currentIndexChanged.disconnect(self._device_chosen)
        except (RuntimeError, TypeError):
            pass
        self.devices.currentIndexChanged.connect(self._device_chosen)
        camera = QCamera(inputs[index])
        session = QMediaCaptureSession(self)
        sink = QVideoSink(self)
        session.setCamera(camera)
        session.setVideoSink(sink)
        sink.videoFrameChanged.connect(self._frame)
        camera.errorOccurred.connect(lambda _error, text: self._say(
            self.tr("The camera stopped: {error}").format(error=text)))
        self._camera, self._session, self._sink = camera, session, sink
        self._camera_id = camera_id(inputs[index])
        camera.start()
        self.preview.show()
        self.toggle_button.setText(self.tr("Stop c&amera"))
        self._say(self.tr("Hold the badge's QR code in front of the camera."))
        return True

    def _device_chosen(self, index: int) -> None:
        """A camera chosen here is this laptop's camera from now on (Settings shows it)."""
        chosen = self.devices.itemData(index)
        hub = preferences_hub()
        preferences = dataclasses.replace(hub.preferences, camera=chosen or "")
        try:
            save_preferences(preferences)
        except OSError as exc:  # a read-only configuration folder: used now, not remembered
            log.warning("camera choice not saved: %s", exc)
        hub.publish(preferences)  # restarts the camera on the new device (_preferences_changed)

    def _preferences_changed(self, preferences: Preferences) -> None:
        if self.running and chosen_camera_id(preferences.camera) != self._camera_id:
            self.stop()
            self.start()

    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()  # type: ignore[attr-defined]
        self._camera = self._session = self._sink = None
        self._camera_id = ""
        self.preview.hide()
        self.toggle_button.setText(self.tr("Start c&amera"))
        self._say("")

    def _frame(self, frame: object) -> None:
        image = frame.toImage()  # type: ignore[attr-defined]
        if image.isNull():
            return
        self.last_frame = image
        now = time.monotonic()
        if now - self._last_preview >= PREVIEW_INTERVAL_S:
            self._last_preview = now
            self.preview.setPixmap(QPixmap.fromImage(image).scaled(
                self.preview.width(), self.preview.height(),
                Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))
        self.decoder.offer(image)

    def save_frame(self, path: Path) -> bool:
        """The current frame as an evidence photo (JPEG)."""
        return not self.last_frame.isNull() and self.last_frame.save(str(path), "JPG", 90)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)

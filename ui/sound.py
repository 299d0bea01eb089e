"""An audible cue after each scan: the supervisor's eyes are on the guard, not the screen."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl

from app.resources import resources_dir

log = logging.getLogger(__name__)


class ScanCue(QObject):
    """Plays ``accept.wav`` or ``alert.wav``; silent where there is no sound (no QtMultimedia,
    no audio device, or muted)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self.last_played: str | None = None  # "accept" or "alert": what was asked for last
        self._effects: dict[str, object] = {}
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError as exc:  # QtMultimedia missing its system libraries
            log.info("no sound cues: %s", exc)
            return
        for name in ("accept", "alert"):
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(resources_dir() / "sounds" /
                                                    f"{name}.wav")))
            effect.setVolume(0.8)
            self._effects[name] = effect

    def play(self, accepted: bool) -> None:
        name = "accept" if accepted else "alert"
        self.last_played = name
        effect = self._effects.get(name)
        if self.enabled and effect is not None:
            effect.play()  # type: ignore[attr-defined]

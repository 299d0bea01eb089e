"""An audible cue after each scan: the supervisor's eyes are on the guard, not the screen.

Whether it sounds and how loud follow the laptop's preferences (Settings: sound on/off,
volume), at once when they change.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl

from app.preferences import Preferences
from app.resources import resources_dir
from ui.preferences_hub import preferences_hub

log = logging.getLogger(__name__)


class ScanCue(QObject):
    """Plays ``accept.wav`` or ``alert.wav``; silent where there is no sound (no QtMultimedia,
    no audio device), when sound is off in the preferences, or at volume 0."""

    def __init__(self, parent: QObject | None = None, *, follow_preferences: bool = True
                 ) -> None:
        """``follow_preferences=False`` makes a cue the caller sets itself (``configure``):
        the Settings dialog's "test the sound" plays at the volume not yet saved."""
        super().__init__(parent)
        self.enabled = True
        self.volume = 80  # per cent
        self.last_played: str | None = None  # "accept" or "alert": what was asked for last
        self._effects: dict[str, object] = {}
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError as exc:  # QtMultimedia missing its system libraries
            log.info("no sound cues: %s", exc)
        else:
            for name in ("accept", "alert"):
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(resources_dir() / "sounds" /
                                                        f"{name}.wav")))
                self._effects[name] = effect
        if follow_preferences:
            hub = preferences_hub()
            self.follow(hub.preferences)
            hub.changed.connect(self.follow)
        else:
            self.configure(self.enabled, self.volume)

    @property
    def available(self) -> bool:
        """Whether this machine can play the cues at all."""
        return bool(self._effects)

    def follow(self, preferences: Preferences) -> None:
        self.configure(preferences.sound, preferences.volume)

    def configure(self, enabled: bool, volume: int) -> None:
        self.enabled = enabled
        self.volume = min(100, max(0, volume))
        for effect in self._effects.values():
            effect.setVolume(self.volume / 100)  # type: ignore[attr-defined]

    def play(self, accepted: bool) -> None:
        name = "accept" if accepted else "alert"
        self.last_played = name
        effect = self._effects.get(name)
        if self.enabled and self.volume > 0 and effect is not None:
            effect.play()  # type: ignore[attr-defined]

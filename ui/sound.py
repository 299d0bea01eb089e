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
URGENT_VOLUME = 80  # per cent: a warning that plays even with the sound off (play's even_if_muted)


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
        self.last_heard: str | None = None  # what was last sent to the speaker (not muted)
        self._effects: dict[str, object] = {}
        self._urgent: dict[str, object] = {}  # the same cues at a fixed volume, never muted
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError as exc:  # QtMultimedia missing its system libraries
            log.info("no sound cues: %s", exc)
        else:
            for name in ("accept", "alert"):
                source = QUrl.fromLocalFile(str(resources_dir() / "sounds" / f"{name}.wav"))
                for effects in (self._effects, self._urgent):
                    effect = QSoundEffect(self)
                    effect.setSource(source)
                    effects[name] = effect
                self._urgent[name].setVolume(URGENT_VOLUME / 100)  # type: ignore[attr-defined]
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

    def play(self, accepted: bool, *, even_if_muted: bool = False) -> None:
        """The cue; ``even_if_muted`` for a warning that must be heard whatever Settings say
        (a scan refused while the window is locked: nothing else tells the supervisor,
        whose eyes are on the guard)."""
        name = "accept" if accepted else "alert"
        self.last_played = name
        effect = self._effects.get(name)
        if effect is None:
            return
        if even_if_muted and (not self.enabled or self.volume == 0):
            self._urgent[name].play()  # type: ignore[attr-defined]
            self.last_heard = name
        elif self.enabled and self.volume > 0:
            effect.play()  # type: ignore[attr-defined]
            self.last_heard = name

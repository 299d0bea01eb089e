"""The laptop's own preferences: how the program looks and sounds on this machine.

They are asked before any profile is open (the language of the password dialog, large type in
daylight), so they live in a small JSON file in the user's configuration folder, not in the
encrypted profile; nothing in them is personal. What belongs to the supervisor (name, unit,
report defaults, headquarters' address) lives in the profile: ``app.profile.supervisor``.

A file that is missing, damaged or from a newer version gives the defaults for what it lacks:
a preference is never a reason not to start.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

log = logging.getLogger(__name__)

CONFIG_DIR_ENV = "VENUE_SUPERVISOR_CONFIG_DIR"
PREFERENCES_FILENAME = "preferences.json"
MAX_PREFERENCES_BYTES = 64 * 1024
IDLE_LOCK_CHOICES_MINUTES = (0, 2, 5, 10, 15, 30, 60)  # 0: never
DEFAULT_IDLE_LOCK_MINUTES = 10


@dataclass(frozen=True, slots=True)
class Preferences:
    language: str = ""  # "" follows --lang, the environment and the system; else zh_CN or en
    large_type: bool = False
    high_contrast: bool = False
    sound: bool = True
    volume: int = 80  # per cent
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES  # 0: never locks by itself
    camera: str = ""  # the chosen camera's id; "" is the system's default camera

    def checked(self) -> Preferences:
        """The same preferences with every value brought inside its range."""
        return dataclasses.replace(
            self,
            language=self.language if self.language in ("zh_CN", "en") else "",
            volume=min(100, max(0, int(self.volume))),
            idle_lock_minutes=(self.idle_lock_minutes
                               if self.idle_lock_minutes in IDLE_LOCK_CHOICES_MINUTES
                               else DEFAULT_IDLE_LOCK_MINUTES))


def config_dir() -> Path:
    """The configuration folder: the environment variable, else the platform's place."""
    explicit = os.environ.get(CONFIG_DIR_ENV)
    return Path(explicit) if explicit else Path(user_config_dir("venue-supervisor",
                                                                appauthor=False))


def preferences_path() -> Path:
    return config_dir() / PREFERENCES_FILENAME


def _from_document(document: Any) -> Preferences:
    if not isinstance(document, dict):
        return Preferences()
    defaults = Preferences()
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Preferences):
        value = document.get(field.name, getattr(defaults, field.name))
        expected = type(getattr(defaults, field.name))
        # bool is an int to Python: a volume of true, or a large_type of 1, is not taken.
        if type(value) is expected:
            values[field.name] = value
    return Preferences(**values).checked()


def load_preferences(path: Path | None = None) -> Preferences:
    path = path or preferences_path()
    try:
        if path.stat().st_size > MAX_PREFERENCES_BYTES:
            log.warning("preferences file %s too large: defaults used", path)
            return Preferences()
        return _from_document(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return Preferences()
    except (OSError, ValueError) as exc:
        log.warning("preferences file %s unreadable (%s): defaults used", path, exc)
        return Preferences()


def save_preferences(preferences: Preferences, path: Path | None = None) -> None:
    """Written whole to a temporary file and renamed over the old one: a crash leaves the old
    preferences or the new ones, never half a file."""
    path = path or preferences_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(dataclasses.asdict(preferences.checked()), indent=2,
                                    ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)

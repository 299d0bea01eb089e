"""Where the app finds its bundled resources and keeps the user's profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "VENUE_SUPERVISOR_DATA_DIR"


def resources_dir() -> Path:
    # PyInstaller unpacks data files under sys._MEIPASS; from a checkout they sit beside app/.
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def templates_dir() -> Path:
    return resources_dir() / "templates"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def default_data_dir(demo: bool = False) -> Path:
    from platformdirs import user_data_dir

    base = Path(user_data_dir("venue-supervisor", appauthor=False))
    return base / "demo" if demo else base


def resolve_data_dir(explicit: str | os.PathLike[str] | None, demo: bool = False) -> Path:
    """The profile folder: --data-dir, else the environment variable, else platformdirs.

    With --demo and no explicit folder the demo gets a profile of its own, so trying the
    demo never mixes synthetic guards into a real event.
    """
    if explicit:
        chosen = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        chosen = Path(os.environ[DATA_DIR_ENV])
        if demo:
            chosen = chosen / "demo"
    else:
        chosen = default_data_dir(demo)
    from app.files import private_dir  # app.files -> app.i18n -> this module

    private_dir(chosen)  # a new profile folder is 0700
    return chosen.resolve()

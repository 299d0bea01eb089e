"""Where the user's profile folder is: --data-dir, the environment, or the platform's place."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from app.profile.files import private_dir

DATA_DIR_ENV = "VENUE_SUPERVISOR_DATA_DIR"


def default_data_dir(demo: bool = False) -> Path:
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
    private_dir(chosen)  # a new profile folder is 0700
    return chosen.resolve()

"""Where the app finds its bundled resources: fonts, templates, translations, sounds.

From a checkout they sit in ``resources/`` beside ``app/``; PyInstaller unpacks them under
``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path


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


def user_guide_dir() -> Path:
    """The user guide (Help → User guide): ``<lang>.md`` and its ``images/``. It is kept in
    the checkout's docs/ so that it reads on the project's pages too; the build carries it
    to the same place under sys._MEIPASS."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent
    return root / "docs" / "user-guide"

"""Where the first-run set-up stands for a profile folder, and what the supervisor chose to
do first. Qt-free and cheap: the window asks it at every start, and only a profile that needs
the set-up loads the wizard (ui/dialogs/first_run.py)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from app.profile.db import DB_FILENAME, Database
from app.profile.key import is_encrypted

SET_UP_DONE_SETTING = "first_run_done"
# Written when the first-run set-up created the profile: only such a profile resumes the
# set-up after an interruption (one made by the command line or an older version does not).
SET_UP_STARTED_SETTING = "first_run_started"


class NextStep(StrEnum):
    """What the supervisor chose to do first, done by the main window once it is open."""

    PULL_FROM_HQ = "pull-from-hq"
    IMPORT_PACKAGE = "import-package"
    CREATE_BY_HAND = "create-by-hand"


def needs_first_run(folder: Path) -> bool:
    """A profile folder with no profile in it yet: neither a key nor a database."""
    return not is_encrypted(folder) and not (Path(folder) / DB_FILENAME).exists()


def set_up_done(db: Database) -> bool:
    return db.setting(SET_UP_DONE_SETTING) == "1"


def mark_set_up_done(db: Database) -> None:
    db.set_setting(SET_UP_DONE_SETTING, "1")


def mark_set_up_started(db: Database) -> None:
    db.set_setting(SET_UP_STARTED_SETTING, "1")


def set_up_interrupted(db: Database) -> bool:
    """The set-up created this profile and was stopped before its end."""
    return db.setting(SET_UP_STARTED_SETTING) == "1" and not set_up_done(db)

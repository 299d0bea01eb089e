"""Opening the laptop profile that a start of the program asks for: the folder from
``--data-dir`` (or its environment variable, or the demo's), the password from
``--password-file`` (or its environment variable). The command line and the window open it
the same way.
"""

from __future__ import annotations

import os

from app.i18n import translate
from app.profile.db import Database
from app.profile.errors import ProfileError, ProfileLockedError
from app.profile.paths import resolve_data_dir
from app.profile.secret_files import SecretFileError, read_secret_file

PASSWORD_FILE_ENV = "VENUE_SUPERVISOR_PASSWORD_FILE"


def password_file(args: object) -> str | None:
    """The profile password's file: ``--password-file``, else the environment variable.
    ``args`` is the parsed command line (any object; a missing attribute counts as not
    given)."""
    return getattr(args, "password_file", None) or os.environ.get(PASSWORD_FILE_ENV) or None


def open_profile(args: object, demo: bool = False) -> Database:
    """The laptop profile the command line or the window works on (``--data-dir``,
    ``--password-file`` or their environment variables). ProfileError, its message for the
    person, when it cannot be opened: an encrypted profile without its password or with a
    wrong one among them."""
    folder = resolve_data_dir(getattr(args, "data_dir", None), demo=demo)
    source = password_file(args)
    password = None
    if source:
        try:
            password = read_secret_file(source, what="password")
        except SecretFileError as exc:
            raise ProfileError(str(exc)) from exc
    try:
        return Database(folder, password=password)
    except ProfileLockedError as exc:
        if exc.wrong_password:
            raise
        raise ProfileLockedError(translate(
            "CommandLine", "{problem}; give it with --password-file F (or the environment "
                           "variable VENUE_SUPERVISOR_PASSWORD_FILE)").format(problem=exc),
            wrong_password=False) from exc

"""What every command line of the app shares: one JSON object per line on stdout, secrets
from a file or the terminal, the profile a command works on, and the error that ends a
command with a message.

The command modules (app/cli/*, app/hq/cli.py) import the packages that do a command's work
inside the function that runs it, not at the top: every command, and the window's start,
builds the whole parser from these modules, and the work's packages cost far more than the
parsing (python -X importtime on this machine, on top of this module: app.profile.db 0.44 s,
app.sync.client 0.51 s, app.inspection.workbench 0.57 s, app.evaluation.report 1.1 s).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.errors import UserError
from app.i18n import translate
from app.profile.errors import ProfileError, ProfileLockedError
from app.profile.paths import resolve_data_dir

if TYPE_CHECKING:
    from app.profile.db import Database


class Subcommands(Protocol):
    """What ``ArgumentParser.add_subparsers`` gives: the command modules add their parsers."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


class CommandError(UserError):
    """A command cannot go on; the message says why, in plain words (shown on stderr)."""


def print_json(payload: object) -> None:
    # Flushed: headquarters' scripts read the line while the command may still be running.
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_secret(path: str | None, prompt: str, confirm: bool = False,
                what: str = "passphrase") -> bytes:
    """From the first line of the file ``path``, else asked for on the terminal (twice with
    ``confirm``). ``what`` is "passphrase" or "password", the word the messages use."""
    noun = _secret_noun(what)
    if path:
        try:
            lines = Path(path).read_bytes().splitlines()
        except OSError as exc:
            raise CommandError(translate("CommandLine", "cannot read the {what} file {path}: "
                                         "{error}").format(what=noun, path=path,
                                                           error=exc.strerror or exc)) from exc
        if not lines or not lines[0]:
            raise CommandError(translate("CommandLine", "the {what} file {path} is empty")
                               .format(what=noun, path=path))
        return lines[0]
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass(translate("CommandLine", "The same {what} again: ")
                                       .format(what=noun)) != first:
            raise CommandError(translate("CommandLine", "the two {what}s differ; nothing was "
                                         "written").format(what=noun))
    except (EOFError, KeyboardInterrupt) as exc:
        raise CommandError(translate("CommandLine", "no {what} given").format(what=noun)) from exc
    if not first:
        raise CommandError(translate("CommandLine", "no {what} given").format(what=noun))
    return first.encode("utf-8")


def _secret_noun(what: str) -> str:
    """The secret's name in the interface language (the English source is ``what`` itself)."""
    nouns = {"passphrase": translate("CommandLine", "passphrase"),
             "password": translate("CommandLine", "password")}
    return nouns.get(what, what)


# ------------------------------------------------------------------ the laptop's profile
PASSWORD_FILE_ENV = "VENUE_SUPERVISOR_PASSWORD_FILE"


def password_file(args: object) -> str | None:
    """The profile password's file: ``--password-file``, else the environment variable."""
    return getattr(args, "password_file", None) or os.environ.get(PASSWORD_FILE_ENV) or None


def open_profile(args: object, demo: bool = False) -> Database:
    """The laptop profile the command works on (``--data-dir``, ``--password-file`` or their
    environment variables). ProfileError, its message for the person, when it cannot be
    opened: an encrypted profile without its password or with a wrong one among them."""
    from app.profile.db import Database  # see the module's docstring

    folder = resolve_data_dir(getattr(args, "data_dir", None), demo=demo)
    source = password_file(args)
    password = None
    if source:
        try:
            password = read_secret(source, "", what="password")
        except CommandError as exc:
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

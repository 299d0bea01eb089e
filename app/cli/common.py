"""What every command line of the app shares: one JSON object per line on stdout, secrets
from a file or the terminal, and the error that ends a command with a message. (The profile a
command works on is opened by app.profile.opening, as the window's is.)

The command modules (app/cli/*, app/hq/cli.py) import the packages that do a command's work
inside the function that runs it, not at the top: every command, and the window's start,
builds the whole parser from these modules, and the work's packages cost far more than the
parsing (python -X importtime on this machine, on top of this module: app.profile.db 0.44 s,
which app.profile.opening loads, app.sync.client 0.51 s, app.inspection.workbench 0.57 s,
app.evaluation.report 1.1 s).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any, Protocol

from app.errors import UserError
from app.i18n import translate
from app.profile.secret_files import SecretFileError, read_secret_file, secret_noun

if TYPE_CHECKING:
    from app.profile.db import Database


class Subcommands(Protocol):
    """What ``ArgumentParser.add_subparsers`` gives: the command modules add their parsers."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


class CommandError(UserError):
    """A command cannot go on; the message says why, in plain words (shown on stderr)."""


def open_profile_or_say(args: argparse.Namespace) -> Database | None:
    """The profile the command works on (``app.profile.opening.open_profile``), or None after
    its error was said on stderr: the command then ends with its usage exit code."""
    from app.profile.errors import ProfileError  # with the work's packages: see above
    from app.profile.opening import open_profile

    try:
        return open_profile(args)
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
        return None


def print_json(payload: object) -> None:
    # Flushed: headquarters' scripts read the line while the command may still be running.
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_secret(path: str | None, prompt: str, confirm: bool = False,
                what: str = "passphrase") -> bytes:
    """From the first line of the file ``path``, else asked for on the terminal (twice with
    ``confirm``). ``what`` is "passphrase" or "password", the word the messages use."""
    if path:
        try:
            return read_secret_file(path, what)
        except SecretFileError as exc:
            raise CommandError(str(exc)) from exc
    noun = secret_noun(what)
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


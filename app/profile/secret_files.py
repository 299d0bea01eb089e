"""Secrets handed over in a file: the profile's password, a key file's passphrase, HQ's staff
password, each on the first line of a file the person (or a script) names.

Kept light (no database, no Qt widgets) so that the command line, which reads its passphrase
files through it, loads it at every start at no cost.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import UserError
from app.i18n import translate


class SecretFileError(UserError):
    """The secret's file cannot be read, or its first line is empty (the message says which)."""


def secret_noun(what: str) -> str:
    """The secret's name in the interface language (the English source is ``what`` itself):
    "passphrase" or "password"."""
    nouns = {"passphrase": translate("CommandLine", "passphrase"),
             "password": translate("CommandLine", "password")}
    return nouns.get(what, what)


def read_secret_file(path: str | Path, what: str = "passphrase") -> bytes:
    """The first line of the file ``path``, as bytes. ``what`` ("passphrase" or "password")
    is the word the messages use."""
    noun = secret_noun(what)
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as exc:
        raise SecretFileError(translate("CommandLine", "cannot read the {what} file {path}: "
                                        "{error}").format(what=noun, path=path,
                                                          error=exc.strerror or exc)) from exc
    if not lines or not lines[0]:
        raise SecretFileError(translate("CommandLine", "the {what} file {path} is empty")
                              .format(what=noun, path=path))
    return lines[0]

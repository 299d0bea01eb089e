"""What every command line of the app shares: one JSON object per line on stdout, secrets
from a file or the terminal, and the error that ends a command with a message."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path


class CommandError(Exception):
    """A command cannot go on; the message says why, in plain words (shown on stderr)."""


def print_json(payload: object) -> None:
    # Flushed: headquarters' scripts read the line while the command may still be running.
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_secret(path: str | None, prompt: str, confirm: bool = False,
                what: str = "passphrase") -> bytes:
    """From the first line of the file ``path``, else asked for on the terminal (twice with
    ``confirm``)."""
    if path:
        try:
            lines = Path(path).read_bytes().splitlines()
        except OSError as exc:
            raise CommandError(f"cannot read the {what} file {path}: "
                               f"{exc.strerror or exc}") from exc
        if not lines or not lines[0]:
            raise CommandError(f"the {what} file {path} is empty")
        return lines[0]
    try:
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass(f"The same {what} again: ") != first:
            raise CommandError(f"the two {what}s differ; nothing was written")
    except (EOFError, KeyboardInterrupt) as exc:
        raise CommandError(f"no {what} given") from exc
    if not first:
        raise CommandError(f"no {what} given")
    return first.encode("utf-8")

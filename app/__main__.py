"""``python -m app``: the GUI, or a command (see ``python -m app --help``)."""

from __future__ import annotations

import os
import sys

from app.cli.main import main as cli_main


def main() -> int:
    try:
        return cli_main(sys.argv[1:])
    except BrokenPipeError:
        # The reader of the output went away (`... | head`): not a fault of the program.
        # Python would report the pipe again when it flushes stdout at exit: point it at
        # /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())

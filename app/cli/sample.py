"""``python -m app sample --event ID``: the random sample of guards to check at an event.

The form is a contract (README.md): one JSON object on stdout,
``{"standard", "level", "code", "size", "seed", "guards": [certificate numbers, sorted]}``,
the same on every run and equal to ``python -m app hq sample`` for an event HQ prepared
after the laptop pulled it (docs/scoring.md, "The sample"). Exit 0; 2 when the profile
cannot be opened or holds no such event.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli.common import Subcommands, open_profile_or_say, print_json
from app.i18n import choose_language, core_application, translate
from app.profile.errors import ProfileError

EXIT_OK = 0
EXIT_USAGE = 2


def add_sample_parser(commands: Subcommands,
                      global_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """Add ``sample`` to the main parser (imports nothing heavy)."""
    sample = commands.add_parser(
        "sample", help="print the random sample of guards to check at an event "
                       "(GB/T 2828.1 level II, drawn from a seed HQ can recompute; JSON)")
    sample.add_argument("--event", required=True, metavar="ID",
                        help="the event's id (or its name)")
    global_options(sample, True)


def run_sample_command(args: argparse.Namespace) -> int:
    # The work's packages, here rather than at the top: see app.cli.common's docstring.
    from app.evaluation.sample_rows import event_sample

    core_application(choose_language(getattr(args, "lang", None)))
    db = open_profile_or_say(args)
    if db is None:
        return EXIT_USAGE
    try:
        drawn = event_sample(db, args.event)
    except ProfileError as exc:  # the profile held by another program, damaged
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.close()
    if drawn is None:
        print(translate("SampleCli", "no event with the id or name {event} in {folder}")
              .format(event=repr(args.event), folder=db.data_dir), file=sys.stderr)
        return EXIT_USAGE
    print_json(drawn.as_json())
    return EXIT_OK

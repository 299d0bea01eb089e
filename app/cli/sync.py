"""The laptop's sync commands: ``enrol``, ``seed-demo``, ``sync``, ``export-bundle``, and
``pull``, ``import-package``, ``sync-status``. The first four forms are contracts with
headquarters' scripts (README.md): keep them exactly; new options may be added."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CommandError, Subcommands, open_profile_or_say, print_json, read_secret
from app.i18n import choose_language, core_application
from app.profile.errors import ProfileError

if TYPE_CHECKING:
    from app.profile.db import Database

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_sync_parsers(commands: Subcommands,
                     global_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    enrol = commands.add_parser("enrol", help="enrol this laptop with headquarters")
    enrol.add_argument("--hq", required=True, metavar="URL",
                       help="headquarters' address, e.g. https://hq.example:8443")
    enrol.add_argument("--code", required=True, metavar="CODE",
                       help="the one-time enrolment code HQ gave the supervisor")
    enrol.add_argument("--name", metavar="NAME", help="this laptop's name (default: host name)")
    enrol.add_argument("--fingerprint", metavar="SHA256",
                       help="HQ's certificate fingerprint, to check before trusting it")
    global_options(enrol, True)

    seed = commands.add_parser(
        "seed-demo", help="fill the profile with a demo event, a day of inspections and a "
                          "signed evaluation (new records on every run)")
    seed.add_argument("--inspections", type=int, default=260, metavar="N",
                      help="how many guards the day's rounds check (default 260)")
    seed.add_argument("--passphrase-file", metavar="F",
                      help="the passphrase of the profile's signing identity, if it has one "
                           "that seed-demo did not create")
    global_options(seed, True)

    sync = commands.add_parser("sync", help="send everything not yet at headquarters")
    sync.add_argument("--hq", metavar="URL", help="headquarters' address (default: enrolled)")
    global_options(sync, True)

    bundle = commands.add_parser(
        "export-bundle", help="write everything HQ has not acknowledged into a signed file")
    bundle.add_argument("--out", required=True, metavar="FILE")
    global_options(bundle, True)

    pull = commands.add_parser("pull", help="take an event package down from headquarters")
    which = pull.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", metavar="ID", help="the event's id at headquarters")
    which.add_argument("--list", action="store_true", help="list the events HQ offers")
    global_options(pull, True)

    package = commands.add_parser("import-package",
                                  help="import a signed event package file (USB stick)")
    package.add_argument("file", metavar="FILE")
    global_options(package, True)

    status = commands.add_parser("sync-status", help="pending changes and the last sync")
    global_options(status, True)


def run_sync_command(args: argparse.Namespace) -> int:
    # The work's packages, here rather than at the top: see app.cli.common's docstring.
    from app.sync.client import SyncService
    from app.sync.state import SyncError
    from app.sync.transport import plain_http_warning

    core_application(choose_language(getattr(args, "lang", None)))
    db = open_profile_or_say(args)
    if db is None:
        return EXIT_USAGE
    service = SyncService(db)
    try:
        if args.command in ("enrol", "sync", "pull"):
            # Before anything is sent: plain http beyond this machine (a laptop enrolled
            # over https refuses plain http instead, in SyncService.connection).
            warning = (plain_http_warning(args.hq) if args.command == "enrol"
                       else service.plain_http_warning(getattr(args, "hq", None)))
            if warning:
                print(warning, file=sys.stderr)
        if args.command == "enrol":
            print_json(service.enrol(args.hq, args.code, args.name, args.fingerprint))
        elif args.command == "sync":
            outcome = service.sync(args.hq)
            print_json(outcome.as_dict())
            return EXIT_FAILED if outcome.failed else EXIT_OK
        elif args.command == "export-bundle":
            count = service.export_bundle(args.out)
            print_json({"records": count, "out": str(Path(args.out).resolve())})
        elif args.command == "pull":
            if args.list:
                print_json([vars(event) for event in service.remote_events()])
            else:
                print_json(vars(service.pull_event(args.event)))
        elif args.command == "import-package":
            print_json(vars(service.import_package(args.file)))
        elif args.command == "sync-status":
            print_json(vars(service.status()))
        elif args.command == "seed-demo":
            return _seed_demo(db, args)
    except SyncError as exc:
        if args.command == "sync":
            print_json({"sent": 0, "already_present": 0, "failed": 0,
                         "pending": service.pending_count(), "errors": [str(exc)]})
        print(str(exc), file=sys.stderr)
        # A package file that cannot be used (forged, damaged, not fitting the profile's
        # tables) is refused with 2, as a roster file that cannot be read is.
        return EXIT_USAGE if args.command == "import-package" else EXIT_FAILED
    except ProfileError as exc:  # the disk full, the profile read-only or held (its message)
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    finally:
        db.close()
    return EXIT_OK


def _seed_demo(db: Database, args: argparse.Namespace) -> int:
    from app.demo import demo_supervisor_signer, seed_demo
    from app.evaluation.signing import SigningError, supervisor_p12_path
    from app.sync.client import SyncService

    # The demo's own identity opens with the demo passphrase; one the profile had before
    # may need its own (--passphrase-file).
    own_identity = bool(args.passphrase_file) and supervisor_p12_path(db) is not None
    try:
        passphrase = read_secret(args.passphrase_file, "") if own_identity else None
        signer = demo_supervisor_signer(db, passphrase)
    except (CommandError, SigningError) as exc:
        print(f"{exc} (give the identity's passphrase with --passphrase-file)", file=sys.stderr)
        return EXIT_USAGE
    seeded = seed_demo(db, signer, inspections=args.inspections)
    info = seeded.evaluation
    print_json({"event_id": seeded.event_id, "event": seeded.event_name,
                "evaluation_id": info.id, "grade": info.grade, "score": info.score_total,
                "pending": SyncService(db).pending_count()})
    return EXIT_OK

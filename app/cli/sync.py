"""The laptop's sync commands: ``enrol``, ``seed-demo``, ``sync``, ``export-bundle``, and
``pull``, ``import-package``, ``sync-status``. The first four forms are contracts with
headquarters' scripts (README.md): keep them exactly; new options may be added."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CommandError, Subcommands, open_profile, print_json, read_secret
from app.cli.report import DEMO_ORGANIZATION, DEMO_SUPERVISOR
from app.i18n import choose_language, core_application
from app.profile.errors import ProfileError

if TYPE_CHECKING:
    from app.profile.db import Database

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# Only for profiles that seed-demo itself gives a signing identity: the demo signs without
# asking, and a real identity's passphrase is never written down.
DEMO_PASSPHRASE = b"venue-supervisor-demo"


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
    try:
        db = open_profile(args)
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
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
    from app.demo import (
        DEMO_EVENT_NAME,
        DEMO_P12_NAME,
        DEMO_SEED,
        add_demo_day,
        create_demo_event,
        demo_evaluation_text,
        demo_identity,
        demo_signature_png,
    )
    from app.evaluation.report import EvaluationService
    from app.evaluation.scoring import compute_score
    from app.evaluation.signing import (
        SUPERVISOR_NAME_SETTING,
        SUPERVISOR_P12_SETTING,
        SigningError,
        load_supervisor_signer,
        supervisor_p12_path,
    )
    from app.inspection.workbench import Workbench
    from app.sync.client import SyncService

    workbench = Workbench(db)
    names = {event.name for event in workbench.list_events()}
    name, run = DEMO_EVENT_NAME, 1
    while name in names:
        run += 1
        name = f"{DEMO_EVENT_NAME}（第{run}场）"
    p12 = supervisor_p12_path(db)
    # The demo's own identity opens with the demo passphrase; one the profile had before
    # may need its own (--passphrase-file).
    own_identity = p12 is not None and bool(args.passphrase_file)
    if p12 is None:
        # demo_identity reuses or replaces what a run killed before this point left behind.
        p12 = demo_identity(db.files, "keys", DEMO_SUPERVISOR, DEMO_PASSPHRASE,
                            DEMO_ORGANIZATION)
        db.set_setting(SUPERVISOR_P12_SETTING, db.files.relative(p12))
        db.set_setting(SUPERVISOR_NAME_SETTING, DEMO_SUPERVISOR)
    elif p12.name == DEMO_P12_NAME and not db.setting(SUPERVISOR_NAME_SETTING):
        db.set_setting(SUPERVISOR_NAME_SETTING, DEMO_SUPERVISOR)  # killed in between
    try:
        passphrase = (read_secret(args.passphrase_file, "") if own_identity
                      else DEMO_PASSPHRASE)
        signer = load_supervisor_signer(db, p12, passphrase)
    except (CommandError, SigningError) as exc:
        print(f"{exc} (give the identity's passphrase with --passphrase-file)", file=sys.stderr)
        return EXIT_USAGE
    event_id = create_demo_event(workbench, seed=DEMO_SEED + run - 1, name=name)
    add_demo_day(workbench, event_id, inspections=args.inspections)
    service = EvaluationService(db)
    draft = service.draft(event_id)
    comment, recommendation = demo_evaluation_text(compute_score(db, event_id))
    service.update_draft(draft.id, comment=comment, recommendation=recommendation,
                         supervisor_name=signer.subject_name)
    info = service.sign(draft.id, demo_signature_png(), signer)
    print_json({"event_id": event_id, "event": name, "evaluation_id": info.id,
                 "grade": info.grade, "score": info.score_total,
                 "pending": SyncService(db).pending_count()})
    return EXIT_OK

"""The command line. The forms documented in README.md are contracts with headquarters'
scripts: keep them exactly; new options may be added.

The packages that do a command's work are imported in the function that runs it (see
app.cli.common's docstring for why and the figures); the window's modules only when a window
is wanted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from app.build_info import build_info
from app.cli.badge import add_badge_parser, run_badge_command
from app.cli.common import CommandError, open_profile_or_say, print_json, read_secret
from app.cli.report import add_report_parsers, run_report_command, run_verify_command
from app.cli.sample import add_sample_parser, run_sample_command
from app.cli.sync import add_sync_parsers, run_sync_command
from app.hq.cli import add_hq_parser, run_hq_command
from app.i18n import choose_language, core_application, translate
from app.profile.errors import ProfileError
from app.profile.key import ProfileKeyError, change_password
from app.profile.paths import resolve_data_dir

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
SYNC_COMMANDS = ("enrol", "seed-demo", "sync", "export-bundle", "pull", "import-package",
                 "sync-status")
# Files and folders the app creates are this user's only (0600 / 0700), whatever the umask
# it was started with; the places that create them also set the mode explicitly.
PRIVATE_UMASK = 0o077


def _global_options(parser: argparse.ArgumentParser, suppress: bool,
                    profile: bool = True) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--data-dir", default=default, metavar="DIR",
                        help="keep the whole profile in DIR (or set VENUE_SUPERVISOR_DATA_DIR)")
    parser.add_argument("--lang", default=default, choices=("zh_CN", "en"),
                        help="interface language (default: Chinese on a Chinese system)")
    if profile:  # HQ's commands have no laptop profile (and staff-password its own option)
        parser.add_argument("--password-file", default=default, metavar="F",
                            help="the profile's password, from the first line of F (or set "
                                 "VENUE_SUPERVISOR_PASSWORD_FILE); a profile created or "
                                 "opened with one is encrypted")


class VersionAction(argparse.Action):
    """``--version``: the build information, asked for only when the option is given (it
    may ask git, from a checkout)."""

    def __init__(self, option_strings: Sequence[str], dest: str,
                 help: str | None = None) -> None:  # noqa: A002 (argparse's own name)
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print("\n".join(build_info().lines()))
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="Venue Supervisor (大型活动安保现场督导). Without a command: open the app.")
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action=VersionAction,
                        help="print the version and build information and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="run a day at a venue once in a temporary encrypted profile "
                             "(demo event, a badge scanned, a signed PDF, a bundle) and exit 0, "
                             "or 1 naming what is missing")
    parser.add_argument("--demo", action="store_true", help="open the built-in demo event")
    parser.add_argument("--screenshot", metavar="FILE.png",
                        help="with --demo: show the inspection screen offscreen with a scanned "
                             "guard, save a screenshot to FILE.png and exit")
    parser.add_argument("--ready-file", metavar="FILE", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    roster = commands.add_parser("roster", help="check or import a company's roster")
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="ACTION",
                                            required=True)
    check = roster_commands.add_parser("check", help="validate a roster without importing it")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--company", help="the contracted company (default: the most common)")
    _global_options(check, suppress=True)
    do_import = roster_commands.add_parser("import", help="import a roster into an event")
    do_import.add_argument("file", metavar="FILE")
    do_import.add_argument("--event", required=True, metavar="NAME",
                           help="the event's name; created if the profile has none by that name")
    _global_options(do_import, suppress=True)

    demo = commands.add_parser("demo-event", help="create the demo event in the profile")
    _global_options(demo, suppress=True)

    change = commands.add_parser(
        "change-password", help="protect the encrypted profile with a new password (the "
                                "current one comes from --password-file)")
    change.add_argument("--new-password-file", required=True, metavar="F",
                        help="the new password, from the first line of F")
    _global_options(change, suppress=True)

    show_log = commands.add_parser(
        "show-log", help="print the window's log kept in the profile (decrypted with the "
                         "profile's password when it is encrypted)")
    _global_options(show_log, suppress=True)

    add_badge_parser(commands, lambda sub, suppress: _global_options(sub, suppress=suppress))
    add_report_parsers(commands, lambda sub, suppress: _global_options(sub, suppress=suppress))
    add_sync_parsers(commands, lambda sub, suppress: _global_options(sub, suppress=suppress))
    add_sample_parser(commands, lambda sub, suppress: _global_options(sub, suppress=suppress))
    add_hq_parser(commands, lambda sub, suppress: _global_options(sub, suppress=suppress,
                                                                  profile=False))
    return parser


def _print_summary(summary: dict[str, object]) -> None:
    """print_json's line, written a problem at a time: a broken 20,000-row roster has
    200,000 problems, and the line whole would take 70 MB more."""
    out = sys.stdout
    out.write("{")
    for position, (key, value) in enumerate(summary.items()):
        out.write((", " if position else "") + json.dumps(key, ensure_ascii=False) + ": ")
        if isinstance(value, list):
            out.write("[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in value[:1]))
            for item in value[1:]:
                out.write(", " + json.dumps(item, ensure_ascii=False))
            out.write("]")
        else:
            out.write(json.dumps(value, ensure_ascii=False))
    out.write("}\n")
    out.flush()


def _roster_command(args: argparse.Namespace) -> int:
    from app.inspection.roster import RosterFileError, check_roster

    core_application(choose_language(args.lang))
    if args.roster_command == "check":
        try:
            report = check_roster(args.file, main_company=args.company)
        except RosterFileError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_USAGE
        _print_summary(report.summary())
        return EXIT_OK if report.error_count == 0 else EXIT_PROBLEMS

    from app.inspection.errors import WorkbenchError
    from app.inspection.workbench import Workbench
    from app.profile.opening import open_profile

    try:
        workbench = Workbench(open_profile(args))
    except ProfileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    try:
        report, result = workbench.import_roster_file(args.event, args.file)
    # the file unreadable; the event locked, its name refused; the disk full, the profile
    # read-only or held
    except (RosterFileError, WorkbenchError, ProfileError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    summary = report.summary()
    summary.update({"event": args.event, "imported": result.imported, "updated": result.updated,
                    "posts_created": result.posts_created})
    _print_summary(summary)
    return EXIT_OK if report.error_count == 0 else EXIT_PROBLEMS


def _change_password(args: argparse.Namespace) -> int:
    from app.profile.opening import password_file

    core_application(choose_language(args.lang))
    try:
        current = password_file(args)
        if not current:
            raise CommandError(translate("CommandLine", "give the current password with "
                                         "--password-file F (or VENUE_SUPERVISOR_PASSWORD_FILE)"))
        change_password(resolve_data_dir(args.data_dir),
                        read_secret(current, "", what="password"),
                        read_secret(args.new_password_file, "", what="password"))
    except (CommandError, ProfileKeyError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    print_json({"changed": True})
    return EXIT_OK


def _show_log(args: argparse.Namespace) -> int:
    from app.profile.db import LOG_FILENAME

    core_application(choose_language(args.lang))
    db = open_profile_or_say(args)
    if db is None:
        return EXIT_USAGE
    try:
        if db.files.exists(LOG_FILENAME):
            for line in db.files.read_lines(LOG_FILENAME):
                print(line)
    finally:
        db.close()
    return EXIT_OK


def _self_test(args: argparse.Namespace) -> int:
    """The core's steps, then the window's (``ui.self_test_qt``), offscreen, in the language
    asked for (--lang), as a supervisor's copy would run them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Here, not at the top: the self-test brings the demo, the PDF and the signing along
    # (about 0.4 s of every start of the window, measured with -X importtime).
    from app.self_test import run_self_test
    from ui.application import make_application  # the widgets load only for the window's steps
    from ui.self_test_qt import qt_steps

    lang = choose_language(args.lang)
    make_application(lang)
    return run_self_test(extra_steps=qt_steps(lang))


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        return _self_test(args)
    if args.command == "change-password":
        return _change_password(args)
    if args.command == "show-log":
        return _show_log(args)
    if args.command == "roster":
        return _roster_command(args)
    if args.command == "badge":
        return run_badge_command(args)
    if args.command == "report":
        return run_report_command(args)
    if args.command == "verify-pdf":
        return run_verify_command(args)
    if args.command == "sample":
        return run_sample_command(args)
    if args.command == "hq":
        return run_hq_command(args)
    if args.command in SYNC_COMMANDS:
        return run_sync_command(args)
    if args.command == "demo-event":
        from app.demo import create_demo_event
        from app.inspection.workbench import Workbench

        db = open_profile_or_say(args)
        if db is None:
            return EXIT_USAGE
        try:
            event_id = create_demo_event(Workbench(db))
        except ProfileError as exc:  # the disk full, the profile read-only or held
            print(str(exc), file=sys.stderr)
            return EXIT_USAGE
        finally:
            db.close()
        print_json({"event_id": event_id})
        return EXIT_OK
    if args.screenshot and not args.demo:
        parser.error("--screenshot goes with --demo")
    from ui.application import run_gui  # the widgets load only when a window is wanted

    return run_gui(args)

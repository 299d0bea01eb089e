"""``python -m app hq ...``: headquarters' service and its administration.

The forms of serve, enrol-code, stats and import-bundle are contracts with headquarters'
scripts (see the task list in docs/sync-protocol.md): keep them; options may be added.
This module is the argument parser; app.hq.commands runs the commands.
Output meant for scripts is one JSON object on the last line of stdout; problems go to
stderr in plain words, with a non-zero exit.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

GlobalOptions = Callable[[argparse.ArgumentParser, bool], None]


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL",
                        help="the HQ database: any SQLAlchemy URL, e.g. "
                             "postgresql+psycopg://user@host:5432/hq (default: "
                             "$VENUE_SUPERVISOR_HQ_DB, else a SQLite file in the user's "
                             "data folder)")


def _key_options(parser: argparse.ArgumentParser) -> None:
    """For the commands that use HQ's private keys (app.hq.keys)."""
    parser.add_argument("--key-passphrase-file", metavar="F",
                        help="the passphrase of HQ's private keys (package signing, person "
                             "pseudonyms): the first line of F (default: "
                             "$VENUE_SUPERVISOR_HQ_KEY_PASSPHRASE_FILE). Keys stored "
                             "unencrypted are encrypted with it on first use")
    parser.add_argument("--insecure-dev-keys", action="store_true",
                        help="without a passphrase, keep HQ's private keys unencrypted in the "
                             "database (a trial on one machine only, never for real events)")


def add_hq_parser(commands: Any, global_options: GlobalOptions) -> None:
    hq = commands.add_parser("hq", help="headquarters: the sync service and its administration")
    actions = hq.add_subparsers(dest="hq_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(name, help=help_text)
        _db_option(sub)
        global_options(sub, True)
        return sub

    serve = action("serve", "run the HQ service for the laptops")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    serve.add_argument("--port", type=int,
                       help="port (default 8443 with TLS, 8080 without; 0: any free port)")
    serve.add_argument("--cert", metavar="FILE", help="TLS certificate (PEM); with --key")
    serve.add_argument("--key", metavar="FILE", help="TLS private key (PEM); with --cert")
    serve.add_argument("--ready-file", metavar="FILE",
                       help="write the service's base URL into FILE once it listens")
    serve.add_argument("--hq-name", help="the name laptops show for this HQ (kept)")
    _key_options(serve)

    code = action("enrol-code", "make a one-time enrolment code for a supervisor's laptop")
    code.add_argument("--supervisor", required=True, metavar="NAME")
    code.add_argument("--ttl-hours", type=float, default=72.0,
                      help="how long the code stays valid (default 72 hours)")

    action("stats", "print how many records of each kind HQ holds (JSON)")

    bundle = action("import-bundle", "import a laptop's signed bundle file (USB stick)")
    bundle.add_argument("file", metavar="FILE")

    staff = action("staff-password", "set the password HQ staff sign in to the read pages "
                                     "with (evaluations, companies)")
    staff.add_argument("--password-file", metavar="F",
                       help="read it from the first line of F instead of asking")

    action("devices", "list the enrolled laptops (JSON)")
    revoke = action("revoke-device", "refuse a laptop from now on (lost, stolen, retired)")
    revoke.add_argument("device_id", metavar="DEVICE_ID")

    add = action("add-event", "prepare an event from a company's roster, for the laptops")
    add.add_argument("--roster", required=True, metavar="FILE")
    add.add_argument("--name", required=True)
    add.add_argument("--venue", default="")
    add.add_argument("--organizer", default="")
    add.add_argument("--starts-at", metavar="ISO-TIME",
                     help="e.g. 2026-12-12T19:30+08:00")
    add.add_argument("--risk", choices=("low", "medium", "high"), default="medium")
    add.add_argument("--attendance", type=int, default=0)
    add.add_argument("--company", help="the contracted company (default: the roster's most "
                                       "common)")
    add.add_argument("--licence", default="", help="the company's licence number")
    _key_options(add)

    action("demo-event", "prepare the built-in demo event (once)")
    sample = action("sample", "print the random sample of guards to check at an event HQ "
                              "prepared (GB/T 2828.1, as the laptop draws it; JSON)")
    sample.add_argument("--event", required=True, metavar="ID",
                        help="the event's id (or its name)")

    form = action("set-form", "set what the evaluation form is headed with (the event "
                              "packages carry it); prints the form's settings (JSON)")
    form.add_argument("--unit", metavar="TEXT", help="the issuing unit, e.g. "
                                                     "XX市公安局治安管理支队 (empty: the "
                                                     "laptop's own setting)")
    form.add_argument("--prefix", metavar="TEXT", help="the document-number prefix, e.g. "
                                                       "辽公保考 (empty: 公保考)")
    form.add_argument("--basis", metavar="TEXT", help="the basis line (考评依据) (empty: the "
                                                      "default)")
    form.add_argument("--minimum-sample-share", metavar="SHARE",
                      help="the share of the random sample that, with the supervisor's "
                           "written reason, makes a grade final, e.g. 0.9 (empty: 0.9)")
    numbers = action("document-numbers", "print the document-number blocks allotted to the "
                                         "laptops and the local numbers mapped (JSON)")
    numbers.add_argument("--device", metavar="ID", help="only this laptop's")

    package = action("export-package", "write an event's signed package (for a USB stick)")
    package.add_argument("--event", required=True, metavar="ID")
    package.add_argument("--out", required=True, metavar="FILE")
    package.add_argument("--device", action="append", default=[], metavar="DEVICE_ID",
                         help="the laptop the stick is for (repeatable): it may then send "
                              "records of the event, as a laptop that pulled it may")

    proposals = action("proposals", "list laptops' changes to HQ's events, posts and guards "
                                    "that wait for HQ staff (JSON)")
    proposals.add_argument("--event", metavar="ID", help="only this event's")
    accept = action("accept-proposal", "take a laptop's change to an HQ row as HQ's: the "
                                       "event's packages carry it from now on")
    accept.add_argument("--record", required=True, metavar="ID")
    accept.add_argument("--device", required=True, metavar="DEVICE_ID")
    _key_options(package)

    rules = action("publish-rules", "publish a new version of the scoring rules (a "
                                    "scoring_v<N>.json document): the event packages carry "
                                    "it to the laptops (JSON)")
    rules.add_argument("file", metavar="FILE.json")
    action("rules", "list the scoring rules versions HQ has (shipped and published) and the "
                    "one new event packages carry (JSON)")

    trust = action("trust-import", "add the issuers of a badge trust list file")
    trust.add_argument("file", metavar="FILE")
    revoked = action("revoked-import", "replace the revocation list with a file's")
    revoked.add_argument("file", metavar="FILE")

    user = actions.add_parser("user", help="HQ staff accounts: add, list, disable")
    user_actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    def user_action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = user_actions.add_parser(name, help=help_text)
        _db_option(sub)
        global_options(sub, True)
        return sub

    user_add = user_action("add", "add a person's account (prints it as JSON)")
    user_add.add_argument("name", metavar="NAME")
    user_add.add_argument("--role", required=True, choices=("admin", "staff", "viewer"),
                          help="admin: accounts and keys as well; staff: events, vetting, "
                               "companies, badges, evaluations; viewer: reads only")
    user_add.add_argument("--password-file", metavar="F",
                          help="read the password from the first line of F instead of "
                               "asking for it (10 characters or more)")
    user_action("list", "list the accounts (JSON)")
    user_disable = user_action("disable", "disable an account: it signs in no more")
    user_disable.add_argument("name", metavar="NAME")

    vetting = action("vetting-import", "record HQ's vetting of many people from a CSV file "
                                       "(cert_no, background, trained, note): all or none")
    vetting.add_argument("file", metavar="FILE.csv")

    cert = action("make-cert", "make a self-signed TLS certificate and key for serve")
    cert.add_argument("--cert", required=True, metavar="FILE")
    cert.add_argument("--key", required=True, metavar="FILE")
    cert.add_argument("--host", action="append", default=[], metavar="NAME",
                      help="a name or address laptops use to reach HQ (repeatable); "
                           "127.0.0.1 and localhost are always included")
    cert.add_argument("--days", type=int, default=825)
    cert.add_argument("--key-passphrase-file", metavar="F",
                      help="encrypt the TLS key with the passphrase on the first line of F "
                           "(default: $VENUE_SUPERVISOR_HQ_KEY_PASSPHRASE_FILE); serve then "
                           "needs the same passphrase")


def run_hq_command(args: argparse.Namespace) -> int:
    # Imported here, not at the top: app.cli.main builds this module's parser for every
    # command of the app (opening the window included), while the commands' modules (HQ's
    # store: SQLAlchemy, Alembic, its models and rules) take about a second more to import
    # (measured on this 2-core machine); the parser alone takes 7 ms.
    from app.hq.commands import run_command

    return run_command(args)

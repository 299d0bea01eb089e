"""``python -m app badge ...``: headquarters' side of signed badges, and a verifier for scripts.

The forms documented in README.md and docs/badge-format.md are contracts with HQ's scripts:

    badge keygen --out DIR
    badge issue --roster FILE --key KEYFILE --out DIR
    badge verify (--payload TEXT | --image FILE) --trust FILE [--revoked FILE]
    badge trust-export --key KEYFILE --out FILE
    badge revoke-export --out FILE [CERT_NO ...]

Results go to stdout as JSON (one object per line for verify); messages for people go to
stderr. Exit status: 0 all good (every badge VALID for verify), 1 problems (a badge not
VALID, roster rows skipped), 2 the command could not run (missing file, wrong passphrase, bad
trust list, bad arguments).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from app.cli.common import CommandError, Subcommands, print_json, read_secret
from app.i18n import choose_language, core_application, translate
from app.profile.errors import ProfileError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
DEFAULT_TRUST_YEARS = 5
# The same as app.badge.issue's, which is not imported here (reportlab, PIL): a test checks.
DEFAULT_ISSUER_NAME = "市局保安管理支队"
DEFAULT_VALID_DAYS = 365


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from exc


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_badge_parser(commands: Subcommands,
                     global_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """Add ``badge`` and its actions to the main parser's subcommands.

    Imports nothing heavy: the parser is built at every start of the app, GUI included.
    """
    badge = commands.add_parser(
        "badge", help="signed guard badges: issuer keys, issuing, verifying, trust lists")
    actions = badge.add_subparsers(dest="badge_command", metavar="ACTION", required=True)

    def passphrase_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--passphrase-file", metavar="F",
                            help="read the key's passphrase from the first line of F instead "
                                 "of asking for it")

    keygen = actions.add_parser("keygen", help="create an issuer key pair (HQ only)")
    keygen.add_argument("--out", required=True, metavar="DIR",
                        help="write DIR/issuer.key (encrypted) and DIR/issuer.pub")
    passphrase_option(keygen)
    global_options(keygen, True)

    issue = actions.add_parser("issue", help="issue signed badges for a roster")
    issue.add_argument("--roster", required=True, metavar="FILE", help=".xlsx or .csv roster")
    issue.add_argument("--key", required=True, metavar="KEYFILE", help="issuer.key")
    issue.add_argument("--out", required=True, metavar="DIR",
                       help="PNG per guard, badges.pdf, posts.pdf, manifest.csv")
    passphrase_option(issue)
    issue.add_argument("--valid-days", type=_positive_int, default=DEFAULT_VALID_DAYS,
                       metavar="N", help=f"badges valid N days (default {DEFAULT_VALID_DAYS})")
    issue.add_argument("--issued-on", type=_iso_date, metavar="DATE",
                       help="first day of validity, YYYY-MM-DD (default: today)")
    issue.add_argument("--photos", metavar="DIR",
                       help="guards' photos named by certificate number (.jpg/.png)")
    issue.add_argument("--licence", action="append", default=[], metavar="[COMPANY=]NO",
                       help="a company's security-service licence number (许可证号); without "
                            "COMPANY= it is the roster's main company's; may be repeated")
    issue.add_argument("--issuer-name", default=DEFAULT_ISSUER_NAME, metavar="NAME",
                       help=f"printed on the cards (default {DEFAULT_ISSUER_NAME})")
    global_options(issue, True)

    verify = actions.add_parser("verify", help="verify badges offline; one JSON line each")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("--payload", action="append", metavar="TEXT",
                        help="a badge's text as a scanner types it; may be repeated; "
                             "'-' reads one per line from stdin")
    source.add_argument("--image", action="append", metavar="FILE",
                        help="a picture with one or more badge QR codes; may be repeated")
    verify.add_argument("--trust", required=True, metavar="FILE", help="the trust list")
    verify.add_argument("--revoked", metavar="FILE", help="the revocation list")
    verify.add_argument("--today", type=_iso_date, metavar="DATE",
                        help="verify as of DATE, YYYY-MM-DD (default: today)")
    global_options(verify, True)

    trust = actions.add_parser("trust-export",
                               help="write the trust list the laptops import (public keys only)")
    trust.add_argument("--key", required=True, metavar="KEYFILE",
                       help="issuer.key (asks for the passphrase) or issuer.pub")
    trust.add_argument("--out", required=True, metavar="FILE", help="trust list to write")
    passphrase_option(trust)
    trust.add_argument("--name", default=DEFAULT_ISSUER_NAME,
                       help=f"the issuer's name shown at the venue (default {DEFAULT_ISSUER_NAME})")
    trust.add_argument("--valid-from", type=_iso_date, metavar="DATE",
                       help="first day the laptops accept this key (default: today)")
    trust.add_argument("--valid-until", type=_iso_date, metavar="DATE",
                       help=f"last day they accept it (default: {DEFAULT_TRUST_YEARS} years on)")
    trust.add_argument("--merge", metavar="FILE",
                       help="keep the other issuers of this trust list (key rotation); FILE "
                            "may be the --out file itself")
    global_options(trust, True)

    revoke = actions.add_parser("revoke-export", help="write a revocation list")
    revoke.add_argument("cert_no", nargs="*", metavar="CERT_NO", help="revoked certificates")
    revoke.add_argument("--out", required=True, metavar="FILE", help="revocation list to write")
    revoke.add_argument("--from", dest="from_file", metavar="FILE",
                        help="also the certificate numbers of FILE, one per line")
    revoke.add_argument("--issuer", action="append", default=[], metavar="KID",
                        help="revoke every badge of this issuer key id; may be repeated")
    global_options(revoke, True)

    trust_import = actions.add_parser(
        "trust-import", help="laptop: import a trust list into the profile (--data-dir)")
    trust_import.add_argument("file", metavar="FILE")
    global_options(trust_import, True)
    revoked_import = actions.add_parser(
        "revoked-import", help="laptop: replace the profile's revocation list with FILE")
    revoked_import.add_argument("file", metavar="FILE")
    global_options(revoked_import, True)


def _read_passphrase(path: str | None, confirm: bool = False) -> bytes:
    return read_secret(path, translate("BadgeCli", "Passphrase for the issuer key: "), confirm)


def run_badge_command(args: argparse.Namespace) -> int:
    from app.badge.keys import BadgeKeyError
    from app.badge.trust_lists import TrustListError
    from app.inspection.roster import RosterFileError

    # Every message, the core's and this file's, in the interface language (--lang).
    core_application(choose_language(getattr(args, "lang", None)))
    handlers = {
        "keygen": _keygen,
        "issue": _issue,
        "verify": _verify,
        "trust-export": _trust_export,
        "revoke-export": _revoke_export,
        "trust-import": _profile_import,
        "revoked-import": _profile_import,
    }
    try:
        return handlers[args.badge_command](args)
    except (CommandError, BadgeKeyError, TrustListError, RosterFileError, ProfileError) as exc:
        print(translate("BadgeCli", "error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USAGE


def _keygen(args: argparse.Namespace) -> int:
    from app.badge.keys import PRIVATE_KEY_NAME, generate_issuer_key

    existing = Path(args.out) / PRIVATE_KEY_NAME
    if existing.exists():  # before asking for a passphrase that would be thrown away
        raise CommandError(translate("BadgeCli", "{path} already exists: an issuer key is never "
                                     "overwritten").format(path=existing))
    files = generate_issuer_key(args.out, _read_passphrase(args.passphrase_file, confirm=True))
    print_json({"kid": files.kid, "private_key": str(files.private_key),
                 "public_key": str(files.public_key)})
    print(translate("BadgeCli", "Issuer key {kid} created. Keep {file} and its passphrase at "
                    "headquarters; give the laptops only the trust list (badge trust-export).")
          .format(kid=files.kid, file=files.private_key.name), file=sys.stderr)
    return EXIT_OK


def _issue(args: argparse.Namespace) -> int:
    from app.badge.issue import issue_badges
    from app.badge.keys import load_private_key

    if not Path(args.roster).is_file():
        raise CommandError(translate("BadgeCli", "roster not found: {path}")
                           .format(path=args.roster))
    if args.photos and not Path(args.photos).is_dir():
        raise CommandError(translate("BadgeCli", "photo folder not found: {path}")
                           .format(path=args.photos))
    key = load_private_key(args.key, _read_passphrase(args.passphrase_file))
    licences: dict[str, str] = {}
    main_licence = ""
    for item in args.licence:
        company, separator, number = item.partition("=")
        if separator:
            licences[company.strip()] = number.strip()
        else:
            main_licence = item.strip()
    try:
        summary = issue_badges(
            args.roster, key, args.out, today=args.issued_on or date.today(),
            valid_days=args.valid_days, photos_dir=args.photos, licence_numbers=licences,
            main_licence_no=main_licence, issuer_name=args.issuer_name)
    except OSError as exc:
        raise CommandError(translate("BadgeCli", "cannot write the badges: {error}")
                           .format(error=exc)) from exc
    print_json(summary.as_dict())
    if summary.skipped:
        done = translate("BadgeCli", "{issued} badges issued into {folder}; {skipped} roster "
                         "rows skipped (see 'skipped')")
    else:
        done = translate("BadgeCli", "{issued} badges issued into {folder}")
    print(done.format(issued=len(summary.issued), folder=summary.out_dir,
                      skipped=len(summary.skipped)), file=sys.stderr)
    return EXIT_PROBLEMS if summary.skipped else EXIT_OK


def _check_json(check: object, image: str | None = None) -> dict[str, object]:
    from app.badge.verify import BadgeCheck

    assert isinstance(check, BadgeCheck)
    result: dict[str, object] = {"verdict": str(check.verdict), "cert_no": check.cert_no}
    payload = check.payload
    if payload is not None:
        result.update({
            "name": payload.name,
            "company": payload.company,
            "licence_no": payload.licence_no,
            "issued_on": payload.issued_on.isoformat(),
            "expires_on": payload.expires_on.isoformat(),
            "kid": payload.kid,
            "photo_hash": payload.photo_hash.hex() if payload.photo_hash else None,
        })
    result["detail"] = check.detail
    if image is not None:
        result["image"] = image
    return result


def _payload_texts(values: list[str]) -> Iterator[str]:
    for value in values:
        if value == "-":
            yield from (line.rstrip("\r\n") for line in sys.stdin if line.strip())
        else:
            yield value


def _verify(args: argparse.Namespace) -> int:
    from app.badge.trust_lists import MemoryTrustStore
    from app.badge.verify import BadgeCheck, BadgeVerdict, verify

    trust = MemoryTrustStore.from_files(args.trust, args.revoked)
    today = args.today or date.today()
    results: list[dict[str, object]] = []
    if args.payload:
        for text in _payload_texts(args.payload):
            results.append(_check_json(verify(text, trust, today)))
    else:
        from PIL import Image, UnidentifiedImageError

        from app.badge.qr import decode_qr

        for image_path in args.image:
            try:
                with Image.open(image_path) as image:
                    texts = decode_qr(image.convert("L"))
            except FileNotFoundError as exc:
                raise CommandError(translate("BadgeCli", "image not found: {path}")
                                   .format(path=image_path)) from exc
            except Image.DecompressionBombError:  # 20000x20000 pixels: not a badge photo
                raise CommandError(translate(
                    "BadgeCli", "{path} is too large a picture to be a photo of a badge; "
                    "take or scale the photo to a few megapixels").format(
                    path=image_path)) from None
            except (OSError, UnidentifiedImageError) as exc:
                raise CommandError(translate("BadgeCli", "cannot read {path} as an image: {error}")
                                   .format(path=image_path, error=exc)) from exc
            if not texts:
                results.append(_check_json(BadgeCheck(BadgeVerdict.MALFORMED, "",
                                                      detail="no QR code found"), image_path))
            for text in texts:
                results.append(_check_json(verify(text, trust, today), image_path))
    for result in results:
        print_json(result)
    if not results:
        raise CommandError(translate("BadgeCli", "no badge text given"))
    valid = all(result["verdict"] == BadgeVerdict.VALID for result in results)
    return EXIT_OK if valid else EXIT_PROBLEMS


def _years_later(day: date, years: int) -> date:
    """The day before the same date ``years`` later (29 February counts as 28th)."""
    try:
        later = day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        later = date(day.year + years, 3, 1)
    return later - timedelta(days=1)


def _trust_export(args: argparse.Namespace) -> int:
    from app.badge.keys import is_private_key_file, load_private_key, load_public_key
    from app.badge.payload import key_id, raw_public_key
    from app.badge.trust_lists import TrustedIssuer, load_trust_list, write_trust_list

    if is_private_key_file(args.key):
        public_key = raw_public_key(load_private_key(args.key,
                                                     _read_passphrase(args.passphrase_file)))
    else:
        public_key = load_public_key(args.key)
    valid_from = args.valid_from or date.today()
    valid_until = args.valid_until or _years_later(valid_from, DEFAULT_TRUST_YEARS)
    if valid_until < valid_from:
        raise CommandError(translate("BadgeCli", "--valid-until is before --valid-from"))
    name = args.name.strip()
    if not name:
        raise CommandError(translate("BadgeCli", "--name must not be empty"))
    issuer = TrustedIssuer(kid=key_id(public_key), public_key=public_key, name=name,
                           valid_from=valid_from, valid_until=valid_until)
    issuers = [issuer]
    if args.merge:
        issuers = [old for old in load_trust_list(args.merge) if old.kid != issuer.kid] + issuers
    try:
        write_trust_list(args.out, issuers)
    except OSError as exc:
        raise CommandError(translate("BadgeCli", "cannot write {path}: {error}")
                           .format(path=args.out, error=exc.strerror or exc)) from exc
    print_json({"trust_list": str(args.out), "kid": issuer.kid, "issuers": len(issuers),
                 "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat()})
    return EXIT_OK


def _revoke_export(args: argparse.Namespace) -> int:
    from app.badge.trust_lists import load_revocations, write_revocations

    numbers = list(args.cert_no)
    kids = list(args.issuer)
    if args.from_file:
        more_keys, more_kids = load_revocations(args.from_file)
        numbers += sorted(more_keys)
        kids += sorted(more_kids)
    comment = f"venue-supervisor revocation list, written {date.today().isoformat()}"
    try:
        certificates, issuers = write_revocations(args.out, numbers, kids, comment)
    except OSError as exc:
        raise CommandError(translate("BadgeCli", "cannot write {path}: {error}")
                           .format(path=args.out, error=exc.strerror or exc)) from exc
    print_json({"revocation_list": str(args.out), "certificates": certificates,
                 "issuers": issuers})
    return EXIT_OK


def _profile_import(args: argparse.Namespace) -> int:
    """Load headquarters' lists into this laptop's profile, as the File menu does."""
    from app.badge.trust_store import import_revocations, import_trust_list
    from app.profile.opening import open_profile

    if not Path(args.file).is_file():
        raise CommandError(translate("BadgeCli", "file not found: {file}").format(file=args.file))
    try:
        db = open_profile(args)
    except ProfileError as exc:
        raise CommandError(str(exc)) from exc
    try:
        if args.badge_command == "trust-import":
            print_json({"issuers": import_trust_list(db, args.file)})
        else:
            certificates, issuers = import_revocations(db, args.file)
            print_json({"revoked_certificates": certificates, "revoked_issuers": issuers})
    finally:
        db.close()
    return EXIT_OK

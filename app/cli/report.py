"""``python -m app report ...`` and ``python -m app verify-pdf``: the signed evaluation from a
script, and an independent check of a signed PDF.

The forms documented in README.md are contracts with headquarters' scripts:

    report --event ID --out FILE.pdf [--p12 FILE --passphrase-file F]
    report --demo --out FILE.pdf
    verify-pdf FILE.pdf

Results go to stdout as one JSON object; messages for people go to stderr. Exit status for
``report``: 0 signed PDF written, 2 the command could not run (no such event, wrong
passphrase, unreadable key file). For ``verify-pdf``: 0 only when every signature is intact
and valid, 1 when not (changed, extended, damaged, unsigned), 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CommandError, Subcommands, print_json, read_secret
from app.i18n import choose_language, core_application, translate
from app.profile.errors import ProfileError

if TYPE_CHECKING:
    from app.evaluation.signed_report import SignedReport
    from app.evaluation.signing import PdfSigner
    from app.inspection.values import EventInfo
    from app.profile.db import Database

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def add_report_parsers(commands: Subcommands,
                       global_options: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    """Add ``report`` and ``verify-pdf`` to the main parser (imports nothing heavy)."""
    report = commands.add_parser(
        "report", help="the event's comprehensive evaluation as a signed PDF")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", metavar="ID",
                       help="the event's id (or its name)")
    which.add_argument("--demo", action="store_true",
                       help="the demo event with a day of inspections, in a temporary "
                            "profile, signed by a fresh demonstration identity")
    report.add_argument("--out", required=True, metavar="FILE.pdf",
                        help="where to write the signed PDF")
    report.add_argument("--p12", metavar="FILE",
                        help="the supervisor's PKCS#12 key file (default: the profile's "
                             "supervisor identity, created on first use)")
    report.add_argument("--passphrase-file", metavar="F",
                        help="read the key file's passphrase from the first line of F "
                             "instead of asking for it")
    report.add_argument("--supervisor", metavar="NAME",
                        help="the supervisor's name (default: the profile's, else 督导员)")
    report.add_argument("--signature", metavar="FILE.png",
                        help="the drawn signature as an image (default: the name, typeset)")
    report.add_argument("--comment", metavar="TEXT", help="the supervisor's comment")
    report.add_argument("--recommendation",
                        choices=("recommend", "conditional", "not_recommend"),
                        help="recommendation for the company's future bids")
    global_options(report, True)

    verify = commands.add_parser(
        "verify-pdf", help="check a signed evaluation PDF: intact, and who signed it")
    verify.add_argument("file", metavar="FILE.pdf")
    verify.add_argument("--trust", metavar="CERT", action="append",
                        help="a certificate (PEM or DER) to trust as the signer's root; "
                             "may be repeated")
    global_options(verify, True)


def _use_interface_language(args: argparse.Namespace) -> None:
    """Every message, the core's and this file's, in the interface language (--lang)."""
    core_application(choose_language(getattr(args, "lang", None)))


def _print_error(message: object) -> None:
    print(translate("ReportCli", "error: {message}").format(message=message), file=sys.stderr)


def run_report_command(args: argparse.Namespace) -> int:
    from app.evaluation.report import EvaluationError
    from app.evaluation.signing import SigningError

    _use_interface_language(args)
    try:
        if args.demo:
            return _report_demo(args)
        return _report_event(args)
    except (CommandError, SigningError, EvaluationError, ProfileError) as exc:
        _print_error(exc)
        return EXIT_USAGE


def _write_out(source: bytes, out: str) -> Path:
    target = Path(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source)
    except OSError as exc:
        raise CommandError(translate("ReportCli", "cannot write {path}: {error}")
                           .format(path=target, error=exc.strerror or exc)) from exc
    return target


def _summary(report: SignedReport, out: Path) -> dict[str, object]:
    from app.evaluation.rules import grade_text

    info = report.info
    return {"event_id": info.event_id, "document_id": info.document_id,
            "document_number": info.document_number,
            "version": info.version, "status": info.status, "score": info.score_total,
            "grade": info.grade, "grade_text": grade_text(info.grade or "fail"),
            "coverage": info.coverage, "signer": report.signer, "pdf": str(out),
            "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            "signed_at": info.signed_at.isoformat() if info.signed_at else None}


def _event(db: Database, id_or_name: str) -> EventInfo:
    """The event ``--event`` names: by its id, else by its name."""
    from app.inspection.errors import WorkbenchError
    from app.inspection.workbench import Workbench

    workbench = Workbench(db)
    event: EventInfo | None
    try:
        event = workbench.event(id_or_name)
    except WorkbenchError:
        event = workbench.find_event(id_or_name)
    if event is None:
        raise CommandError(translate("ReportCli", "no event with the id or name {event} in "
                                     "{folder}").format(event=repr(id_or_name),
                                                        folder=db.data_dir))
    return event


def _signer(db: Database, args: argparse.Namespace, supervisor: str) -> PdfSigner:
    """The key file given with --p12, else the profile's supervisor identity (created on a
    first run, with a passphrase asked twice)."""
    from app.evaluation.signed_report import open_supervisor_identity
    from app.evaluation.signing import load_signer, supervisor_p12_path

    if args.p12:
        return load_signer(args.p12, read_secret(
            args.passphrase_file,
            translate("ReportCli", "Passphrase for the supervisor's key file: ")))
    existing = supervisor_p12_path(db)
    passphrase = read_secret(
        args.passphrase_file,
        translate("ReportCli", "Passphrase for the supervisor's key file: ") if existing
        else translate("ReportCli", "Passphrase for the new supervisor key file: "),
        confirm=existing is None)
    identity = open_supervisor_identity(db, supervisor, passphrase)
    if identity.created is not None:
        print(translate("ReportCli", "A new supervisor key and self-signed certificate "
                        "for {name} were created: {path}")
              .format(name=supervisor, path=identity.created), file=sys.stderr)
    return identity.signer


def _signature(args: argparse.Namespace, supervisor: str) -> bytes:
    """The drawn signature's image from --signature, else the name typeset."""
    from app.evaluation.signed_report import typed_signature_png

    if not args.signature:
        return typed_signature_png(supervisor)
    try:
        return Path(args.signature).read_bytes()
    except OSError as exc:
        raise CommandError(translate("ReportCli", "cannot read {path}: {error}")
                           .format(path=args.signature, error=exc.strerror or exc)) from exc


def _report_event(args: argparse.Namespace) -> int:
    from app.evaluation.report import EvaluationService
    from app.evaluation.signed_report import kept_report, sign_evaluation, supervisor_name
    from app.profile.opening import open_profile

    try:
        db = open_profile(args)
    except ProfileError as exc:
        raise CommandError(str(exc)) from exc
    try:
        event = _event(db, args.event)
        current = EvaluationService(db).draft(event.id)
        if current.is_signed:  # already signed: hand out the kept PDF, never sign twice
            kept = kept_report(db, current)
            out = _write_out(kept.pdf, args.out)
            print(translate("ReportCli", "{document} was signed before; its PDF is copied. "
                            "Start a new version in the app to correct it.")
                  .format(document=current.document_id), file=sys.stderr)
            print_json(_summary(kept, out))
            return EXIT_OK
        supervisor = supervisor_name(db, current, args.supervisor)
        signer = _signer(db, args, supervisor)
        signed = sign_evaluation(db, event.id, signer, _signature(args, supervisor),
                                 supervisor, comment=args.comment,
                                 recommendation=args.recommendation)
        print_json(_summary(signed, _write_out(signed.pdf, args.out)))
        return EXIT_OK
    finally:
        db.close()


def _report_demo(args: argparse.Namespace) -> int:
    """Everything in a temporary profile: the demo event, a day of rounds, the evaluation
    with a comment from the figures, a drawn signature, a fresh self-signed identity."""
    from app.demo import signed_demo_report

    signed = signed_demo_report()
    summary = _summary(signed, _write_out(signed.pdf, args.out))
    summary["certificate_pem"] = (signed.certificate_pem or b"").decode("ascii")
    print_json(summary)
    return EXIT_OK


def run_verify_command(args: argparse.Namespace) -> int:
    from app.evaluation.signing import verify_pdf

    _use_interface_language(args)
    path = Path(args.file)
    if not path.is_file():
        _print_error(translate("ReportCli", "{path} not found").format(path=path))
        return EXIT_USAGE
    try:
        data = path.read_bytes()
    except OSError as exc:
        _print_error(translate("ReportCli", "cannot read {path}: {error}")
                     .format(path=path, error=exc.strerror or exc))
        return EXIT_USAGE
    try:
        result = verify_pdf(data, trust_roots=args.trust or None)
    except OSError as exc:  # a --trust file that cannot be read
        _print_error(exc)
        return EXIT_USAGE
    payload = result.as_dict()
    payload["file"] = str(path)
    payload["sha256"] = hashlib.sha256(data).hexdigest()
    print_json(payload)
    return EXIT_OK if result.intact and result.valid else EXIT_PROBLEMS

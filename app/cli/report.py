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
import io
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.common import CommandError, Subcommands, open_profile, print_json, read_secret
from app.i18n import choose_language, core_application, translate
from app.profile.errors import ProfileError

if TYPE_CHECKING:
    from app.evaluation.values import EvaluationInfo
    from app.inspection.values import EventInfo

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
DEFAULT_SUPERVISOR = "督导员"
DEMO_SUPERVISOR = "李建国（演示）"
DEMO_ORGANIZATION = "演示单位（非真实，仅供演示）"


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


def typed_signature_png(name: str) -> bytes:
    """The supervisor's name set in the bundled font, for a signature made without a pad."""
    # The work's packages, here rather than at the top: see app.cli.common's docstring.
    from PIL import Image, ImageDraw, ImageFont

    from app.resources import font_path

    font = ImageFont.truetype(str(font_path()), 96, index=0)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), name, font=font)
    size = (int(right - left) + 40, int(bottom - top) + 40)  # whole pixels for a FreeType font
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).text((20 - left, 20 - top), name, font=font, fill=(18, 28, 70, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


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


def _summary(info: EvaluationInfo, report_grade_text: str, out: Path,
             signer: str) -> dict[str, object]:
    return {"event_id": info.event_id, "document_id": info.document_id,
            "version": info.version, "status": info.status, "score": info.score_total,
            "grade": info.grade, "grade_text": report_grade_text,
            "coverage": info.coverage, "signer": signer, "pdf": str(out),
            "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
            "signed_at": info.signed_at.isoformat() if info.signed_at else None}


def _report_event(args: argparse.Namespace) -> int:
    from app.evaluation.report import EvaluationService
    from app.evaluation.rules import grade_text
    from app.evaluation.signing import (
        SUPERVISOR_NAME_SETTING,
        ensure_supervisor_identity,
        load_signer,
        load_supervisor_signer,
        supervisor_p12_path,
    )
    from app.inspection.errors import WorkbenchError
    from app.inspection.workbench import Workbench

    try:
        db = open_profile(args)
    except ProfileError as exc:
        raise CommandError(str(exc)) from exc
    try:
        workbench = Workbench(db)
        event: EventInfo | None
        try:
            event = workbench.event(args.event)
        except WorkbenchError:
            event = workbench.find_event(args.event)
        if event is None:
            raise CommandError(translate("ReportCli", "no event with the id or name {event} in "
                                         "{folder}").format(event=repr(args.event),
                                                            folder=db.data_dir))
        service = EvaluationService(db)
        current = service.draft(event.id)
        if current.is_signed:  # already signed: hand out the kept PDF, never sign twice
            kept = service.signed_pdf_path(current.id)
            if kept is None or not kept.is_file():
                raise CommandError(translate("ReportCli", "the signed PDF of {document} is "
                                             "missing").format(document=current.document_id))
            out = _write_out(db.files.read(kept), args.out)
            print(translate("ReportCli", "{document} was signed before; its PDF is copied. "
                            "Start a new version in the app to correct it.")
                  .format(document=current.document_id), file=sys.stderr)
            print_json(_summary(current, grade_text(current.grade or "fail"), out,
                                 current.signer_subject or ""))
            return EXIT_OK
        supervisor = (args.supervisor or current.supervisor_name
                      or db.setting(SUPERVISOR_NAME_SETTING) or DEFAULT_SUPERVISOR)
        if args.p12:
            signer = load_signer(args.p12, read_secret(
                args.passphrase_file,
                translate("ReportCli", "Passphrase for the supervisor's key file: ")))
        else:
            existing = supervisor_p12_path(db)
            passphrase = read_secret(
                args.passphrase_file,
                translate("ReportCli", "Passphrase for the supervisor's key file: ") if existing
                else translate("ReportCli", "Passphrase for the new supervisor key file: "),
                confirm=existing is None)
            path = existing or ensure_supervisor_identity(db, supervisor, passphrase)
            if existing is None:
                print(translate("ReportCli", "A new supervisor key and self-signed certificate "
                                "for {name} were created: {path}")
                      .format(name=supervisor, path=path), file=sys.stderr)
            signer = load_supervisor_signer(db, path, passphrase)
        if args.signature:
            try:
                signature = Path(args.signature).read_bytes()
            except OSError as exc:
                raise CommandError(translate("ReportCli", "cannot read {path}: {error}")
                                   .format(path=args.signature,
                                           error=exc.strerror or exc)) from exc
        else:
            signature = typed_signature_png(supervisor)
        service.update_draft(current.id, supervisor_name=supervisor, comment=args.comment,
                             recommendation=args.recommendation)
        info = service.sign(current.id, signature, signer)
        kept = service.signed_pdf_path(info.id)
        assert kept is not None
        out = _write_out(db.files.read(kept), args.out)
        print_json(_summary(info, grade_text(info.grade or "fail"), out, signer.subject_name))
        return EXIT_OK
    finally:
        db.close()


def _report_demo(args: argparse.Namespace) -> int:
    """Everything in a temporary profile: the demo event, a day of rounds, the evaluation
    with a comment from the figures, a drawn signature, a fresh self-signed identity."""
    from app.demo import add_demo_day, create_demo_event, demo_evaluation_text, demo_signature_png
    from app.evaluation.report import EvaluationService
    from app.evaluation.rules import grade_text
    from app.evaluation.scoring import compute_score
    from app.evaluation.signing import create_self_signed_p12, load_signer
    from app.inspection.workbench import Workbench
    from app.profile.db import Database

    with tempfile.TemporaryDirectory(prefix="vs-report-demo-") as folder:
        profile = Path(folder) / "profile"
        db = Database(profile)
        try:
            workbench = Workbench(db)
            event_id = create_demo_event(workbench)
            add_demo_day(workbench, event_id)
            service = EvaluationService(db)
            draft = service.draft(event_id)
            comment, recommendation = demo_evaluation_text(compute_score(db, event_id))
            service.update_draft(draft.id, comment=comment, recommendation=recommendation,
                                 supervisor_name=DEMO_SUPERVISOR)
            passphrase = secrets.token_urlsafe(18).encode("ascii")
            p12 = create_self_signed_p12(profile / "keys" / "demo-supervisor.p12",
                                         DEMO_SUPERVISOR, passphrase,
                                         organization=DEMO_ORGANIZATION)
            signer = load_signer(p12, passphrase)
            info = service.sign(draft.id, demo_signature_png(), signer)
            kept = service.signed_pdf_path(info.id)
            assert kept is not None
            target = Path(args.out)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept, target)
            summary = _summary(info, grade_text(info.grade or "fail"), target,
                               signer.subject_name)
            summary["certificate_pem"] = signer.certificate_pem.decode("ascii")
        finally:
            db.close()
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

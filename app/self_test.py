"""``venue-supervisor --self-test``: the whole path of a day at a venue, run once in a
temporary encrypted profile, so that a copy given to a supervisor (or a new build) proves it
carries everything before it reaches a venue.

Each step prints ``ok  <step>``; the first that fails prints ``FAILED <step>: <reason>`` on
stderr and the test stops with exit 1, naming the missing piece (a font, a template, a
translation, a migration) rather than a traceback. Nothing outside the temporary folder is
read or written, except the program's own bundled resources. The steps say what they did in
the language of the command line (``--lang``); the step names stay as they are, for scripts.

The core's steps are here; the window's (Qt's plugins, its translations, the main window
itself) are given by the command line from ``ui.self_test_qt`` as ``extra_steps``, since the
core imports no widgets.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from base64 import b64encode
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TextIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.badge.payload import raw_public_key
from app.badge.verify import BadgeVerdict
from app.demo import create_demo_event, demo_badge, sign_demo_evaluation
from app.demo_data import DEMO_COMPANY_LICENCE, DEMO_SUPERVISOR, MAIN_COMPANY
from app.evaluation.signing import create_self_signed_p12, load_signer, verify_pdf
from app.i18n import translate
from app.inspection.checklist import template_files
from app.inspection.domain import Verdict
from app.inspection.workbench import Workbench
from app.licences import library_licences
from app.profile.db import Database
from app.profile.key import is_encrypted
from app.resources import font_path, resources_dir, translations_dir, user_guide_dir
from app.sync.client import SyncService
from app.sync.protocol import BUNDLE_FORMAT, read_signed
from app.sync.state import DEVICE_KEY, HQ_DEVICE_ID

MIGRATIONS = Path(__file__).resolve().parent / "profile" / "migrations" / "versions"
HQ_MIGRATIONS = Path(__file__).resolve().parent / "hq" / "migrations" / "versions"


class SelfTestFailure(Exception):
    """A step found something missing or wrong; the message names it."""


def require(condition: bool, missing: str) -> None:
    if not condition:
        raise SelfTestFailure(missing)


def check_resources() -> str:
    font = font_path()
    require(font.is_file() and font.stat().st_size > 1_000_000,
            translate("SelfTest", "the CJK font {path}").format(path=font))
    require(bool(template_files()), translate(
        "SelfTest", "the checklist templates (resources/templates)"))
    qm = translations_dir() / "venue_supervisor_zh_CN.qm"
    require(qm.is_file(), translate("SelfTest", "the Chinese translation {path}").format(path=qm))
    require(any(MIGRATIONS.glob("0001_*.py")), translate(
        "SelfTest", "the profile's migrations {path}").format(
        path=MIGRATIONS))
    sounds = [resources_dir() / "sounds" / f"{name}.wav" for name in ("accept", "alert")]
    require(all(path.is_file() and path.stat().st_size > 1000 for path in sounds), translate(
        "SelfTest", "the scan's sound cues {path}").format(path=sounds[0].parent))
    guide = user_guide_dir()
    require((guide / "zh_CN.md").is_file() and (guide / "en.md").is_file(), translate(
        "SelfTest", "the user guide {path}").format(path=guide))
    require(len(library_licences()) > 10, translate(
        "SelfTest", "the libraries' licences (their installed metadata)"))
    require(any(HQ_MIGRATIONS.glob("0001_*.py")), translate(
        "SelfTest", "headquarters' migrations {path}").format(
        path=HQ_MIGRATIONS))
    return translate(
        "SelfTest", "font, templates, translations, migrations, user guide and licences ({font})"
    ).format(font=font.name)


class SelfTestRun:
    """The state the steps hand on to each other (the window's steps read it too)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.password = secrets.token_urlsafe(16)
        self.db: Database | None = None
        self.event_id = ""
        self.inspection_id = ""

    @property
    def workbench(self) -> Workbench:
        assert self.db is not None
        return Workbench(self.db)

    def open_profile(self) -> str:
        self.db = Database(self.folder / "profile", self.password)
        require(is_encrypted(self.folder / "profile"), translate(
            "SelfTest", "an encrypted profile (SQLCipher)"))
        return translate("SelfTest", "encrypted profile made and migrated")

    def demo_event(self) -> str:
        self.event_id = create_demo_event(self.workbench, with_inspections=False)
        guards = self.workbench.guards(self.event_id)
        require(len(guards) > 500, translate("SelfTest", "the demo event's roster"))
        return translate("SelfTest", "demo event loaded ({count} guards)").format(count=len(guards))

    def scan(self) -> str:
        workbench = self.workbench
        guard = next(g for g in workbench.guards(self.event_id)
                     if g.post_id and g.company_name == MAIN_COMPANY)
        badge = demo_badge(guard, DEMO_COMPANY_LICENCE, today=date.today())
        result = workbench.lookup(self.event_id, badge, guard.post_id)
        require(result.badge is not None and result.badge.verdict == BadgeVerdict.VALID,
                 translate("SelfTest", "a verified badge (got {verdict})").format(
                    verdict=result.badge.verdict if result.badge else None))
        require(result.verdict == Verdict.ASSIGNED_HERE, translate(
            "SelfTest", "the verdict (got {verdict})").format(
            verdict=result.verdict))
        inspection = workbench.record_scan(self.event_id, result)
        workbench.mark_all_compliant(inspection.id,
                                     tuple(state.item for state in inspection.items))
        self.inspection_id = inspection.id
        return translate(
            "SelfTest", "badge verified, guard at his post, {count} checklist items").format(
            count=len(inspection.items))

    def sign(self) -> str:
        assert self.db is not None
        passphrase = secrets.token_urlsafe(16).encode("ascii")
        p12 = create_self_signed_p12(self.folder / "identity.p12", DEMO_SUPERVISOR, passphrase)
        signed = sign_demo_evaluation(self.db, self.event_id, load_signer(p12, passphrase),
                                      DEMO_SUPERVISOR)
        check = verify_pdf(signed.pdf)
        require(check.intact and check.valid, translate("SelfTest", "a signature that validates"))
        return translate(
            "SelfTest", "evaluation PDF rendered and signed ({size} KB), verified").format(
            size=len(signed.pdf) // 1024)

    def bundle(self) -> str:
        assert self.db is not None
        key = Ed25519PrivateKey.generate()
        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
        # A device of its own, as enrolment would have stored it: no headquarters is asked.
        self.db.set_setting(HQ_DEVICE_ID, "self-test")
        self.db.set_setting(DEVICE_KEY, b64encode(raw).decode("ascii"))
        out = self.folder / "self-test.vsbundle"
        count = SyncService(self.db).export_bundle(out)
        signer, body = read_signed(out.read_bytes(), BUNDLE_FORMAT,
                                   lambda _signer: raw_public_key(key))
        require(signer == "self-test" and len(body["records"]) == count > 0,
                 translate("SelfTest", "a bundle that reads back"))
        return translate(
            "SelfTest", "bundle of {count} records signed and read back").format(count=count)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


ExtraStep = tuple[str, Callable[[SelfTestRun], str]]


def run_self_test(out: TextIO = sys.stdout, err: TextIO = sys.stderr,
                  extra_steps: Sequence[ExtraStep] = ()) -> int:
    """Every step in order, then ``extra_steps`` (given the run); 0 when all passed, 1 at the
    first that failed."""
    with tempfile.TemporaryDirectory(prefix="vs-self-test-") as folder:
        run = SelfTestRun(Path(folder))
        steps: list[tuple[str, Callable[[], str]]] = [
            ("resources", check_resources), ("profile", run.open_profile),
            ("demo event", run.demo_event), ("scan", run.scan), ("signed PDF", run.sign),
            ("bundle", run.bundle)]
        steps += [(name, partial(step, run)) for name, step in extra_steps]
        try:
            for name, step in steps:
                try:
                    said = step()
                except SelfTestFailure as exc:
                    print(f"FAILED {name}: " + translate(
                        "SelfTest", "missing or wrong: {what}").format(
                        what=exc), file=err)
                    return 1
                except Exception as exc:  # noqa: BLE001 (the step is named, then the cause)
                    print(f"FAILED {name}: {type(exc).__name__}: {exc}", file=err)
                    return 1
                print(f"ok  {name}: {said}", file=out)
        finally:
            run.close()
    print(translate("SelfTest", "self-test passed"), file=out)
    return 0

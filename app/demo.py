"""The built-in demo event: a stadium concert, generated from a fixed seed.

Every person here is synthetic: names drawn from common characters, ID numbers made up with
a valid GB 11643 check digit, certificate and phone numbers random. The roster goes through
the same import as a company's file, so the demo exercises the real path.

About 450 lines, kept as one module because it is one thing, made from one seed: the
roster, the badges and the trust list that verifies them, a day of inspections, the evidence
photos, the supervisor's identity, signature and signed evaluation (``seed-demo``,
``report --demo``); nothing else uses its parts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import os
import random
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select, update

from app.badge.payload import BadgePayload, encode_payload, key_id, raw_public_key
from app.badge.qr import make_qr_image
from app.badge.trust_lists import write_trust_list
from app.badge.trust_store import import_revocations, import_trust_list
from app.demo_data import (
    DEMO_BADGE_COUNT,
    DEMO_COMPANY_CREDIT_GRADE,
    DEMO_COMPANY_HEAD,
    DEMO_COMPANY_LICENCE,
    DEMO_ENDS_AT,
    DEMO_EVENT_KIND,
    DEMO_EVENT_NAME,
    DEMO_EXPECTED_ATTENDANCE,
    DEMO_KEY,
    DEMO_NOTES,
    DEMO_NUMBER_PREFIX,
    DEMO_ORGANIZATION,
    DEMO_ORGANIZER,
    DEMO_PASSPHRASE,
    DEMO_RISK_LEVEL,
    DEMO_SEED,
    DEMO_STARTS_AT,
    DEMO_SUPERVISOR,
    DEMO_UNIT,
    DEMO_UNSTAFFED_HEADCOUNT,
    DEMO_VENUE,
    DEMO_VENUE_CAPACITY,
    MAIN_COMPANY,
    demo_issuer,
    demo_roster,
)
from app.evaluation.rules import ScoringRules, load_rules
from app.evaluation.score_values import Score
from app.evaluation.scoring import compute_score
from app.evaluation.signed_report import SignedReport, sign_evaluation
from app.evaluation.signing import (
    SUPERVISOR_NAME_SETTING,
    SUPERVISOR_P12_SETTING,
    PdfSigner,
    SigningError,
    create_self_signed_p12,
    load_signer,
    load_supervisor_signer,
    supervisor_p12_path,
)
from app.evaluation.values import EvaluationInfo
from app.inspection.checklist import load_template
from app.inspection.domain import Verdict
from app.inspection.identity import cert_key
from app.inspection.roster import RosterReport
from app.inspection.values import EventInput, GuardInfo
from app.inspection.workbench import Workbench
from app.orm import live
from app.profile.db import Database
from app.profile.files import FILE_MODE, ProfileFileError, ProfileFiles, private_dir
from app.profile.models import CheckResult, Event, Finding, Inspection, PostStatus, utc_now
from app.profile.supervisor import read_report_defaults, save_report_defaults
from app.resources import font_path


def demo_badge(guard: GuardInfo, licence_no: str, today: date | None = None,
               key: Ed25519PrivateKey = DEMO_KEY) -> str:
    """The signed badge text the demo's headquarters would have issued to ``guard``."""
    today = today or date.today()
    return encode_payload(BadgePayload(
        cert_no=guard.cert_no, name=guard.name, company=guard.company_name,
        licence_no=licence_no, issued_on=today - timedelta(days=200),
        expires_on=today + timedelta(days=365), photo_hash=None,
        kid=key_id(raw_public_key(key))), key)


def _demo_trust(workbench: Workbench, event_id: str, guards: list[GuardInfo]) -> None:
    """Trust the demo issuer, revoke one guard's certificate, and leave a few badge pictures
    in the profile (demo-badges/) to try the camera, a photo file or the clipboard with.

    An encrypted profile keeps no plain files: there the lists go in from a passing private
    folder, and no pictures are left (they are for the built-in demo, which is plain)."""
    revoked = guards[-1]
    if workbench.db.files.encrypted:
        with tempfile.TemporaryDirectory(prefix="vs-demo-") as passing:
            _demo_lists(workbench, Path(passing), revoked)
        return
    folder = private_dir(workbench.db.data_dir / "demo-badges")
    _demo_lists(workbench, folder, revoked)
    licence = workbench.event(event_id).company
    licence_no = licence.licence_no if licence else ""
    for guard in guards[:DEMO_BADGE_COUNT] + [revoked]:
        make_qr_image(demo_badge(guard, licence_no)).save(folder / f"{cert_key(guard.cert_no)}.png")
    forged = demo_badge(guards[0], licence_no, key=Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"a forger's key").digest()))
    make_qr_image(forged).save(folder / "forged.png")
    for picture in folder.iterdir():
        os.chmod(picture, FILE_MODE)


def _demo_lists(workbench: Workbench, folder: Path, revoked: GuardInfo) -> None:
    write_trust_list(folder / "trust-list.json", [demo_issuer()])
    import_trust_list(workbench.db, folder / "trust-list.json")
    (folder / "revoked.txt").write_text(
        f"# 演示吊销列表\n{revoked.cert_no}\n", encoding="utf-8")
    import_revocations(workbench.db, folder / "revoked.txt")
    workbench.trust.reload()


def create_demo_event(workbench: Workbench, seed: int = DEMO_SEED,
                      with_inspections: bool = True, name: str = DEMO_EVENT_NAME) -> str:
    """Create the demo event in the workbench's profile (once) and return its id."""
    existing = workbench.find_event(name)
    if existing:
        return existing.id
    event_id = workbench.save_event(EventInput(
        name=name, venue=DEMO_VENUE, organizer=DEMO_ORGANIZER,
        starts_at=DEMO_STARTS_AT, ends_at=DEMO_ENDS_AT,
        expected_attendance=DEMO_EXPECTED_ATTENDANCE, venue_capacity=DEMO_VENUE_CAPACITY,
        risk_level=DEMO_RISK_LEVEL, event_kind=DEMO_EVENT_KIND, company_name=MAIN_COMPANY,
        company_licence_no=DEMO_COMPANY_LICENCE,
        company_credit_grade=DEMO_COMPANY_CREDIT_GRADE))
    report, unstaffed_posts = demo_roster(seed)
    workbench.import_roster(event_id, report)
    for post_name, task in unstaffed_posts:
        workbench.save_post(event_id, post_name, "", task, DEMO_UNSTAFFED_HEADCOUNT)
    guards = [g for g in workbench.guards(event_id) if g.company_name == MAIN_COMPANY]
    _demo_trust(workbench, event_id, guards)
    if with_inspections:
        _demo_inspections(workbench, event_id, random.Random(seed + 1), report)
    workbench.forget_undo()
    return event_id


def _demo_inspections(workbench: Workbench, event_id: str, rng: random.Random,
                      report: RosterReport) -> None:
    """The first hour of a supervisor's round, so the dashboard has something to show."""
    template = load_template()
    posts = {p.name: p for p in workbench.posts(event_id)}
    chosen = rng.sample(report.rows[:600], 36) + report.rows[600:602]
    for row in chosen:
        post = posts[row.post]
        scan = workbench.lookup(event_id, row.cert_no, post.id)
        inspection = workbench.record_scan(event_id, scan)
        items = template.items_for(post.task_type)
        if scan.verdict == Verdict.ASSIGNED_HERE and rng.random() < 0.25:
            item = rng.choice(items)
            workbench.set_item(inspection.id, item, False)
            state = workbench.item_states(inspection.id, (item,))[0]
            workbench.update_finding(
                state.finding_id or "", note="现场指出，已要求整改",
                correction="corrected" if rng.random() < 0.6 else "not_corrected")
        workbench.mark_all_compliant(inspection.id, items)
    absent = [p for p in posts.values() if p.assigned_count == 0][:1]
    for post in absent:
        workbench.set_post_status(event_id, post.id, "absent", 0, "岗位无人")


# --- the demo supervisor's signing identity (seed-demo) ------------------------------------

DEMO_P12_NAME = "demo-supervisor.p12"


def demo_identity(files: ProfileFiles, keys: str, common_name: str, passphrase: bytes,
                  organization: str) -> Path:
    """The demo supervisor's key file in the profile's folder ``keys``. A run of seed-demo
    killed right after it wrote the file (before the profile recorded it) left one behind: it
    is used if it opens with the demo passphrase; a leftover that does not is replaced by a
    new identity, written aside and renamed over it (``ProfileFiles.write``), so that a crash
    now leaves one whole file or the other."""
    target = f"{keys}/{DEMO_P12_NAME}"
    if files.exists(target):
        try:
            load_signer(files.read(target), passphrase, name=DEMO_P12_NAME)
            return files.path(target)
        except (SigningError, ProfileFileError):
            pass
    files.remove(target + ".new")  # a leftover of an older version's run killed while writing
    files.remove(target)
    return create_self_signed_p12(target, common_name, passphrase, organization=organization,
                                  files=files)


def demo_supervisor_signer(db: Database, passphrase: bytes | None = None) -> PdfSigner:
    """The profile's supervisor identity for seed-demo, opened. A profile without one gets
    the demo supervisor's (``demo_identity``, opened with the demo passphrase); one it had
    before opens with ``passphrase``, else with the demo passphrase (the identity an earlier
    run made). SigningError when it does not open."""
    p12 = supervisor_p12_path(db)
    if p12 is None:
        # demo_identity reuses or replaces what a run killed before this point left behind.
        p12 = demo_identity(db.files, "keys", DEMO_SUPERVISOR, DEMO_PASSPHRASE,
                            DEMO_ORGANIZATION)
        db.set_setting(SUPERVISOR_P12_SETTING, db.files.relative(p12))
        db.set_setting(SUPERVISOR_NAME_SETTING, DEMO_SUPERVISOR)
        passphrase = None  # the demo's own identity, whatever passphrase was given
    elif p12.name == DEMO_P12_NAME and not db.setting(SUPERVISOR_NAME_SETTING):
        db.set_setting(SUPERVISOR_NAME_SETTING, DEMO_SUPERVISOR)  # killed in between
    return load_supervisor_signer(db, p12, DEMO_PASSPHRASE if passphrase is None
                                  else passphrase)


# --- the demo's evaluation: a day of rounds, evidence photos, a drawn signature, signing ---

def demo_signature_png(seed: int = DEMO_SEED, width: int = 720, height: int = 240) -> bytes:
    """A plausible handwritten signature: a few fast cursive strokes with a pen whose width
    follows the speed, drawn at three times the size and scaled down for smooth edges."""
    rng = random.Random(seed)
    factor = 3
    image = Image.new("RGBA", (width * factor, height * factor), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    ink = (18, 28, 70, 255)
    x = width * 0.08
    for stroke in range(3):  # three "characters" written in one go each
        points = []
        span = width * rng.uniform(0.2, 0.26)
        loops = rng.uniform(2.2, 3.4)
        phase = rng.uniform(0, math.pi)
        steps = 160
        for step in range(steps + 1):
            t = step / steps
            px = x + span * t + span * 0.12 * math.sin(2 * math.pi * loops * t + phase)
            py = (height * 0.55 - height * 0.22 * math.sin(math.pi * loops * t + phase)
                  * (1 - 0.4 * t) + height * 0.06 * math.sin(7 * t + stroke))
            points.append((px, py))
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            speed = math.hypot(x1 - x0, y1 - y0)
            pen = max(2.0, 6.5 - speed * 0.9)
            draw.line((x0 * factor, y0 * factor, x1 * factor, y1 * factor), fill=ink,
                      width=int(pen * factor))
            radius = pen * factor / 2
            draw.ellipse((x1 * factor - radius, y1 * factor - radius,
                          x1 * factor + radius, y1 * factor + radius), fill=ink)
        x += span * rng.uniform(1.02, 1.12)
    # a closing flourish under the name
    y = height * 0.8
    draw.line((width * 0.12 * factor, y * factor, x * 0.95 * factor, (y - 18) * factor),
              fill=ink, width=3 * factor)
    small = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    return buffer.getvalue()


def demo_evidence_photo(path: Path, caption: str, seed: int) -> Path:
    """A synthetic 'evidence photo' (a figure at a gate, marked as a demonstration)."""
    rng = random.Random(seed)
    width, height = 800, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = (rng.randint(90, 140), rng.randint(110, 160), rng.randint(150, 200))
    for row in range(height):  # sky to ground
        k = row / height
        draw.line((0, row, width, row), fill=tuple(int(c * (1 - k) + 70 * k) for c in top))
    draw.rectangle((0, int(height * 0.62), width, height), fill=(88, 88, 92))
    gate_x = rng.randint(80, 420)
    draw.rectangle((gate_x, 170, gate_x + 60, 470), fill=(150, 150, 155))
    draw.rectangle((gate_x + 200, 170, gate_x + 260, 470), fill=(150, 150, 155))
    draw.rectangle((gate_x, 150, gate_x + 260, 185), fill=(120, 120, 128))
    person_x = gate_x + rng.randint(90, 170)
    draw.ellipse((person_x - 22, 250, person_x + 22, 294), fill=(220, 190, 160))
    draw.rectangle((person_x - 38, 296, person_x + 38, 430), fill=(35, 45, 80))
    draw.rectangle((person_x - 30, 430, person_x + 30, 520), fill=(30, 30, 40))
    font = ImageFont.truetype(str(font_path()), 30, index=0)
    draw.rectangle((0, height - 52, width, height), fill=(0, 0, 0))
    draw.text((16, height - 46), f"演示照片 · {caption}", fill=(255, 255, 255), font=font)
    image.save(path, "JPEG", quality=85)
    return path


def add_demo_day(workbench: Workbench, event_id: str, seed: int = DEMO_SEED,
                 inspections: int = 260, photos: int = 4) -> None:
    """A day of rounds on the demo event for the evaluation: many guards checked, about one
    in twelve with a finding (notes, corrections, a few evidence photos), two posts found
    understaffed at the entry peak. Meant for a throwaway profile (``report --demo``)."""
    rng = random.Random(seed + 2)
    template = load_template()
    posts = {p.id: p for p in workbench.posts(event_id)}
    with workbench.db.read() as session:  # a round goes to the guards not seen yet
        seen = set(session.scalars(select(Inspection.guard_id).where(
            Inspection.event_id == event_id, live(Inspection))))
    guards = [g for g in workbench.guards(event_id) if g.post_id and g.company_name ==
              MAIN_COMPANY and g.id not in seen]
    rng.shuffle(guards)
    # The pictures are made outside the profile: update_finding keeps its own copy (encrypted
    # when the profile is), as it does of a supervisor's photo.
    passing = tempfile.TemporaryDirectory(prefix="vs-demo-photos-")
    photo_dir = Path(passing.name)
    photo_count = 0
    for guard in guards[:inspections]:
        post = posts[guard.post_id or ""]
        scan = workbench.lookup(event_id, guard.cert_no, post.id)
        inspection = workbench.record_scan(event_id, scan)
        items = template.items_for(post.task_type)
        if scan.verdict == Verdict.ASSIGNED_HERE and rng.random() < 0.08:
            item = rng.choice(items)
            state = workbench.set_item(inspection.id, item, False)
            evidence = None
            if photo_count < photos:
                photo_count += 1
                evidence = demo_evidence_photo(photo_dir / f"evidence-{photo_count}.jpg",
                                               post.name, seed + photo_count)
            workbench.update_finding(
                state.finding_id or "", note=DEMO_NOTES.get(item.code, "现场指出，已要求整改"),
                correction="corrected" if rng.random() < 0.6 else "not_corrected",
                evidence_file=evidence)
        workbench.mark_all_compliant(inspection.id, items)
    passing.cleanup()
    staffed = [p for p in posts.values() if p.assigned_count > 2]
    rng.shuffle(staffed)
    for post in staffed[:2]:
        workbench.set_post_status(event_id, post.id, "understaffed",
                                  max(0, post.required_headcount - 2),
                                  "入场高峰时段缺员")
    workbench.forget_undo()
    _hold_event_today(workbench, event_id, rng)


def _hold_event_today(workbench: Workbench, event_id: str, rng: random.Random,
                      hours: float = 6.0) -> None:
    """Move the demo event and its rounds into the last hours, as if it had just ended: the
    generated rounds took seconds, and a report whose findings all carry the same minute,
    weeks before the event's date, would show nothing about a day of supervision. Only for
    a throwaway demo profile; real records keep the time they were made."""
    now = utc_now()
    start = now - timedelta(hours=hours)
    end = now - timedelta(minutes=15)
    with workbench.db.begin() as s:
        event = s.get(Event, event_id)
        if event is None:
            return
        event.starts_at = start - timedelta(minutes=30)
        event.ends_at = end
        ids = list(s.scalars(select(Inspection.id).where(Inspection.event_id == event_id)
                             .order_by(Inspection.created_at, Inspection.id)))
        span = (end - start).total_seconds() - 300
        for index, inspection_id in enumerate(ids):
            at = start + timedelta(seconds=span * (index + rng.random() * 0.6) / max(1, len(ids)))
            later = at + timedelta(seconds=rng.randint(15, 90))
            s.execute(update(Inspection).where(Inspection.id == inspection_id)
                      .values(created_at=at, updated_at=at))
            s.execute(update(CheckResult).where(CheckResult.inspection_id == inspection_id)
                      .values(created_at=later, updated_at=later))
            s.execute(update(Finding).where(Finding.inspection_id == inspection_id)
                      .values(created_at=later, updated_at=later))
        for record_id in list(s.scalars(select(PostStatus.id).where(
                PostStatus.event_id == event_id))):
            at = start + timedelta(seconds=rng.uniform(0.1, 0.5) * span)
            s.execute(update(PostStatus).where(PostStatus.id == record_id)
                      .values(created_at=at, updated_at=at))


def demo_evaluation_text(score: Score, rules: ScoringRules | None = None) -> tuple[str, str]:
    """The supervisor's comment and recommendation for the demo, written from the figures
    (as a supervisor would), so that the demo report reads consistently."""
    rules = rules or load_rules()
    counts: dict[str, int] = {}
    for deduction in score.deductions:
        if deduction.category in ("staffing", "post"):
            counts[deduction.reason_code] = counts.get(deduction.reason_code, 0) + 1
    problems = []
    if score.findings:
        problems.append(f"个别保安员着装、持证、站姿或履职不规范（{score.findings}项，"
                        f"当场纠正{score.findings_corrected}项）")
    staffing = [f"{rules.label(code)}{count}人" for code, count in sorted(counts.items())
                if code.startswith("staffing.")]
    if staffing:
        problems.append("；".join(staffing))
    posts = [f"{rules.label(code)}{count}个岗位" for code, count in sorted(counts.items())
             if code.startswith("post.")]
    if posts:
        problems.append("、".join(posts))
    comment = ("该公司能够按照安保方案定岗定责，主要入口安检、验票秩序总体良好。"
               + ("存在的主要问题：" + "；".join(problems) + "。" if problems else "")
               + "请该公司在七日内书面报送整改报告，并对涉及人员逐一说明情况。")
    recommendation = {"excellent": "recommend", "good": "recommend",
                      "pass": "conditional"}.get(score.grade, "not_recommend")
    return comment, recommendation


def use_demo_form(db: Database) -> None:
    """The demo profile's form: the demonstration unit and number prefix, unless its
    Settings already name them."""
    defaults = read_report_defaults(db)
    if not defaults.unit_name and not defaults.number_prefix:
        save_report_defaults(db, dataclasses.replace(
            defaults, unit_name=DEMO_UNIT, number_prefix=DEMO_NUMBER_PREFIX))


def sign_demo_evaluation(db: Database, event_id: str, signer: PdfSigner,
                         supervisor: str) -> SignedReport:
    """The demo event's evaluation, with a comment from its figures and a drawn signature,
    signed by ``signer``."""
    comment, recommendation = demo_evaluation_text(compute_score(db, event_id))
    head = (DEMO_COMPANY_HEAD, demo_signature_png(seed=DEMO_SEED + 7))
    return sign_evaluation(db, event_id, signer, demo_signature_png(), supervisor,
                           comment=comment, recommendation=recommendation, company_head=head)


@dataclass(frozen=True)
class SeededDemo:
    """What ``seed_demo`` added to the profile."""

    event_id: str
    event_name: str
    evaluation: EvaluationInfo


def seed_demo(db: Database, signer: PdfSigner, inspections: int = 260) -> SeededDemo:
    """A new demo event in the profile (its name numbered after the first run's: every run
    adds new records), a day of ``inspections`` rounds, and its evaluation signed by
    ``signer`` (``demo_supervisor_signer``)."""
    workbench = Workbench(db)
    names = {event.name for event in workbench.list_events()}
    name, run = DEMO_EVENT_NAME, 1
    while name in names:
        run += 1
        name = f"{DEMO_EVENT_NAME}（第{run}场）"
    event_id = create_demo_event(workbench, seed=DEMO_SEED + run - 1, name=name)
    add_demo_day(workbench, event_id, inspections=inspections)
    signed = sign_demo_evaluation(db, event_id, signer, signer.subject_name)
    return SeededDemo(event_id, name, signed.info)


def signed_demo_report() -> SignedReport:
    """The demo's signed evaluation made in a temporary profile, removed afterwards: the
    demo event, a day of rounds, a fresh self-signed demonstration identity."""
    with tempfile.TemporaryDirectory(prefix="vs-report-demo-") as folder:
        profile = Path(folder) / "profile"
        db = Database(profile)
        try:
            workbench = Workbench(db)
            use_demo_form(db)
            event_id = create_demo_event(workbench)
            add_demo_day(workbench, event_id)
            passphrase = secrets.token_urlsafe(18).encode("ascii")
            p12 = create_self_signed_p12(profile / "keys" / DEMO_P12_NAME, DEMO_SUPERVISOR,
                                         passphrase, organization=DEMO_ORGANIZATION)
            return sign_demo_evaluation(db, event_id, load_signer(p12, passphrase),
                                        DEMO_SUPERVISOR)
        finally:
            db.close()

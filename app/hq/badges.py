"""HQ issues an event's badges itself (issue 14), with its own issuer key, and exports the
trust and revocation lists the laptops import.

* **HQ's issuer key** is an Ed25519 key kept in HQ's key ring (app.hq.key_ring) under the
  setting ``badge_issuer_key``: sealed with HQ's key passphrase like the package and
  pseudonym keys (kept in clear only on a store that was never sealed: ``hq serve
  --insecure-dev-keys`` or the Python API), made on first use or by an admin action. Its
  public half is added to HQ's trust issuers (``trust_issuer``) when it is made, so every
  event package and the exported trust list carry it: laptops verify HQ's badges offline.
* **Issuing** reads the event's guards from HQ's own guard rows (what its package carries),
  signs one badge payload per guard (app.badge.payload), and draws the printable sheets
  (app.badge.sheets): ``badges.pdf`` (ID-1 cards, ten to an A4 sheet), ``posts.pdf`` (one
  label per post of the event) and ``manifest.csv`` (what was issued, with each payload, as
  ``badge issue`` writes it). A guard whose certificate is revoked or whose background
  check failed gets no badge; neither does one whose text cannot go on a badge. Audited
  ``badges.issue``. The files are returned as bytes: HQ stores no badge.
* **The lists**: the trust list as ``badge trust-export`` writes it (from ``trust_issuer``),
  the revocation list as ``badge revoke-export`` writes it (from ``revoked_certificate``
  and ``revoked_issuer``), read back by app.badge.trust_lists's readers.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.badge.issue import BADGES_PDF, MANIFEST_CSV, POSTS_PDF
from app.badge.payload import BadgePayload, encode_payload, key_id, raw_public_key
from app.badge.qr import QRCapacityError, make_qr, qr_matrix
from app.badge.sheets import BadgeCard, PostLabel, write_badges_pdf, write_posts_pdf
from app.badge.trust_lists import TrustedIssuer, write_revocations, write_trust_list
from app.hq import audit
from app.hq.database import HqDatabase, rows_changed
from app.hq.errors import HqError
from app.hq.key_ring import BADGE_ISSUER_KEY_SETTING, KeyRing
from app.hq.models import (
    HQ_DEVICE,
    HqSetting,
    RevokedCertificate,
    RevokedIssuer,
    TrustIssuer,
    utc_now,
)
from app.hq.models import Record as RecordRow
from app.hq.staff import hq_name
from app.inspection.identity import cert_key
from app.spreadsheet_safety import neutralise_row
from app.sync.protocol import b64decode, b64encode, chunks, plain_text

ISSUER_KEY_SETTING = BADGE_ISSUER_KEY_SETTING
ISSUER_PUBLIC_KEY_SETTING = "badge_issuer_public_key"  # in clear: it is public
ISSUER_VALID_DAYS = 3653  # the key is trusted ten years from the day it is made
DEFAULT_VALID_DAYS = 365
MAX_VALID_DAYS = 1830  # five years: a badge never outlives the key's trust by design
# An event issued from the browser at once, in one request: the demo's 606 guards take
# about 10 s on the 2-core development machine (the QR codes' mask choice is most of it). A
# larger event is issued with ``python -m app badge issue`` from its roster.
MAX_GUARDS = 2000
TRUST_LIST_FILE = "trust-list.json"
REVOCATION_LIST_FILE = "revoked.txt"
ISSUE_ACTION = "badges.issue"
KEY_ACTION = "badge_key.create"
_NUMBERS = re.compile(r"(\d+)")
_ZONE = re.compile(r"^(.+?区)")


# ------------------------------------------------------------------- HQ's issuer key
def issuer_name(db: HqDatabase) -> str:
    return " ".join(hq_name(db).split())[:200] or "HQ"


def issuer_kid(db: HqDatabase) -> str | None:
    """The kid of HQ's issuer key once it was made (None: not yet), read without the
    passphrase: from its public half, kept in clear."""
    text = db.setting(ISSUER_PUBLIC_KEY_SETTING)
    if text is None:
        return None
    try:
        return key_id(b64decode(text))
    except ValueError:
        return None


def issuer_key(db: HqDatabase, keys: KeyRing, actor: str | None,
               today: date | None = None) -> Ed25519PrivateKey:
    """HQ's badge issuer key, made on first use (sealed like HQ's other private keys:
    KeyAccessError when they are sealed and this process has no passphrase). Its public
    half is trusted from the day it is made, for ISSUER_VALID_DAYS; adding it is audited
    (``badge_key.create``, by ``actor`` or "hq")."""
    key = Ed25519PrivateKey.from_private_bytes(keys.secret(ISSUER_KEY_SETTING, 32))
    public = raw_public_key(key)
    kid = key_id(public)
    if db.setting(ISSUER_PUBLIC_KEY_SETTING) is None:
        with db.begin() as s:
            s.execute(db.insert_or_skip(HqSetting.__table__).values(
                key=ISSUER_PUBLIC_KEY_SETTING, value=b64encode(public)))
    with db.Session() as s:
        known = s.get(TrustIssuer, kid) is not None
    if not known:
        start = today or date.today()
        until = start + timedelta(days=ISSUER_VALID_DAYS)
        name = issuer_name(db)
        with db.begin() as s:
            added = rows_changed(s.execute(db.insert_or_skip(TrustIssuer.__table__).values(
                kid=kid, name=name, public_key=public, valid_from=start, valid_until=until)))
            if added:  # whoever inserted first records it, once
                audit.record(s, actor or "hq", KEY_ACTION, f"trust_issuer:{kid}", None,
                             {"kid": kid, "name": name, "valid_from": start.isoformat(),
                              "valid_until": until.isoformat()})
    return key


# ------------------------------------------------------------------------------ lists
def trusted_issuers(db: HqDatabase) -> list[dict[str, Any]]:
    """The issuer keys HQ trusts (every package carries them), with whether each is
    revoked and whether it is HQ's own."""
    own = issuer_kid(db)
    with db.Session() as s:
        revoked = set(s.scalars(select(RevokedIssuer.kid)))
        rows = list(s.scalars(select(TrustIssuer).order_by(TrustIssuer.valid_from,
                                                             TrustIssuer.kid)))
    return [{"kid": r.kid, "name": r.name, "valid_from": r.valid_from.isoformat(),
             "valid_until": r.valid_until.isoformat(), "revoked": r.kid in revoked,
             "own": r.kid == own} for r in rows]


def revocation_counts(db: HqDatabase) -> dict[str, int]:
    with db.Session() as s:
        return {"certificates": int(s.scalar(select(func.count())
                                             .select_from(RevokedCertificate)) or 0),
                "issuers": int(s.scalar(select(func.count()).select_from(RevokedIssuer))
                               or 0)}


def trust_list_file(db: HqDatabase) -> bytes:
    """The trust list file (app.badge.trust_lists's format, as ``badge trust-export``
    writes it): the public keys of every issuer HQ trusts."""
    with db.Session() as s:
        issuers = [TrustedIssuer(kid=r.kid, public_key=bytes(r.public_key), name=r.name,
                                 valid_from=r.valid_from, valid_until=r.valid_until)
                   for r in s.scalars(select(TrustIssuer).order_by(TrustIssuer.kid))]
    with tempfile.TemporaryDirectory(prefix="hq-trust-") as folder:
        path = Path(folder) / TRUST_LIST_FILE
        write_trust_list(path, issuers)
        return path.read_bytes()


def revocation_list_file(db: HqDatabase, now: datetime | None = None) -> bytes:
    """The revocation list file (as ``badge revoke-export`` writes it): a complete
    snapshot of HQ's revoked certificates and issuer keys."""
    with db.Session() as s:
        cert_keys = list(s.scalars(select(RevokedCertificate.cert_key)))
        kids = list(s.scalars(select(RevokedIssuer.kid)))
    stamp = (now or utc_now()).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="hq-revoked-") as folder:
        path = Path(folder) / REVOCATION_LIST_FILE
        write_revocations(path, cert_keys, kids,
                          comment=f"{issuer_name(db)} revocation list, {stamp}")
        return path.read_bytes()


# ------------------------------------------------------------------------------ issuing
@dataclass(frozen=True)
class Skipped:
    cert_no: str
    name: str
    reason: str


@dataclass
class IssuedEvent:
    """What issuing an event's badges made: the files as bytes, and what was left out."""

    event_id: str
    event_name: str
    kid: str
    issued_on: date
    expires_on: date
    issued: int = 0
    posts: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    def size(self) -> int:
        return sum(len(data) for data in self.files.values())


def _event(s: Session, event_id: str) -> tuple[RecordRow, dict[str, Any]]:
    if not isinstance(event_id, str) or not plain_text(event_id, 64):
        raise HqError(404, "headquarters prepared no such event")
    row = s.get(RecordRow, event_id)
    payload = json.loads(row.payload) if row is not None else {}
    if row is None or row.kind != "event" or row.device_id != HQ_DEVICE \
            or not isinstance(payload, dict) or payload.get("deleted_at"):
        raise HqError(404, f"headquarters prepared no event {event_id}")
    return row, payload


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in _NUMBERS.split(name)]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def issue_event_badges(db: HqDatabase, keys: KeyRing, actor: str, event_id: str,
                       valid_days: int, today: date | None = None) -> IssuedEvent:
    """Sign a badge for each guard HQ's event rows list and draw the sheets; audited.
    HqError: 404 for no event HQ prepared, 400 for valid days out of 1..MAX_VALID_DAYS,
    413 for an event above MAX_GUARDS, 409 when HQ's issuer key is revoked or would stop
    being trusted before the badges expire, 422 when no guard could get a badge."""
    if isinstance(valid_days, bool) or not isinstance(valid_days, int) \
            or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise HqError(400, f"valid days must be a whole number from 1 to {MAX_VALID_DAYS}")
    today = today or date.today()
    with db.Session() as s:
        _row, event = _event(s, event_id)
        guard_count = int(s.scalar(select(func.count()).select_from(RecordRow).where(
            RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
            RecordRow.kind == "guard")) or 0)
        if guard_count > MAX_GUARDS:
            raise HqError(413, f"the event lists {guard_count} guards, more than the "
                               f"{MAX_GUARDS} issued from the browser at once: issue its "
                               f"badges with python -m app badge issue from its roster")
        rows = s.execute(select(RecordRow.kind, RecordRow.payload).where(
            RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
            RecordRow.kind.in_(("guard", "post")))).all()
        licences = _licences(s)
        company_name = _company_name(s, event)
        payloads = [(kind, json.loads(text)) for kind, text in rows]
        guards = [p for kind, p in payloads if kind == "guard" and isinstance(p, dict)
                  and not p.get("deleted_at")]
        posts = [p for kind, p in payloads if kind == "post" and isinstance(p, dict)
                 and not p.get("deleted_at")]
        revoked: set[str] = set()
        wanted = sorted({_text(g.get("cert_key")) for g in guards} - {""})
        for part in chunks(wanted):
            revoked.update(s.scalars(select(RevokedCertificate.cert_key)
                                     .where(RevokedCertificate.cert_key.in_(part))))
    key = issuer_key(db, keys, actor, today)
    kid = key_id(raw_public_key(key))
    expires_on = today + timedelta(days=valid_days - 1)
    with db.Session() as s:
        issuer = s.get(TrustIssuer, kid)
        issuer_revoked = s.get(RevokedIssuer, kid) is not None
    if issuer_revoked:
        raise HqError(409, f"HQ's issuer key {kid} is revoked: no badge is issued with it")
    if issuer is None or not issuer.valid_from <= today or expires_on > issuer.valid_until:
        until = issuer.valid_until.isoformat() if issuer else "?"
        raise HqError(409, f"HQ's issuer key {kid} is trusted until {until}: badges valid "
                           f"until {expires_on.isoformat()} would outlive that trust; "
                           f"give fewer valid days")
    result = IssuedEvent(event_id, _text(event.get("name")), kid, today, expires_on)
    guards.sort(key=lambda g: (g.get("roster_row") if isinstance(g.get("roster_row"), int)
                               else 0, _text(g.get("name")), _text(g.get("cert_no"))))
    cards: list[BadgeCard] = []
    manifest: list[list[object]] = []
    post_names = {p.get("id"): _text(p.get("name")) for p in posts}
    for guard in guards:
        cert_no, name = _text(guard.get("cert_no")), _text(guard.get("name"))
        reason = None
        if _text(guard.get("cert_key")) in revoked or cert_key(cert_no) in revoked:
            reason = "证书已吊销 (certificate revoked)"
        elif guard.get("background_check") == "failed":
            reason = "背景审查未通过 (background check failed)"
        if reason is None:
            company = _text(guard.get("company_name"))
            payload = BadgePayload(cert_no=cert_no, name=name, company=company,
                                   licence_no=licences.get(company, ""), issued_on=today,
                                   expires_on=expires_on, photo_hash=None, kid=kid)
            try:
                text = encode_payload(payload, key)
                code = make_qr(text)
            except (ValueError, QRCapacityError) as exc:
                reason = str(exc)
            else:
                cards.append(BadgeCard(payload, qr_matrix(code), None))
                manifest.append([len(cards), cert_no, name, company,
                                 post_names.get(guard.get("post_id"), ""),
                                 today.isoformat(), expires_on.isoformat(), kid,
                                 code.version, "no", "", text])
        if reason is not None:
            result.skipped.append(Skipped(cert_no, name, reason[:300]))
    result.issued = len(cards)
    if not cards:
        raise HqError(422, f"no guard of the event could get a badge ({len(result.skipped)} "
                           f"left out, {len(guards)} guards)")
    labels = _labels(posts, guards)
    result.posts = len(labels)
    with tempfile.TemporaryDirectory(prefix="hq-badges-") as folder:
        badges_pdf, posts_pdf = Path(folder) / BADGES_PDF, Path(folder) / POSTS_PDF
        write_badges_pdf(badges_pdf, cards, issuer_name(db), kid, today)
        result.files[BADGES_PDF] = badges_pdf.read_bytes()
        if labels:
            write_posts_pdf(posts_pdf, labels, company_name, issuer_name(db))
            result.files[POSTS_PDF] = posts_pdf.read_bytes()
    result.files[MANIFEST_CSV] = _manifest(manifest)
    with db.begin() as s:
        audit.record(s, actor, ISSUE_ACTION, f"event:{event_id}", None, {
            "event_name": result.event_name, "kid": kid, "issued": result.issued,
            "skipped": len(result.skipped), "posts": result.posts,
            "issued_on": today.isoformat(), "expires_on": expires_on.isoformat(),
            "valid_days": valid_days})
    return result


def _licences(s: Session) -> dict[str, str]:
    """Company name -> its 保安服务许可证 number, from HQ's register of companies."""
    found: dict[str, str] = {}
    for text in s.scalars(select(RecordRow.payload).where(RecordRow.kind == "company",
                                                          RecordRow.device_id == HQ_DEVICE)):
        payload = json.loads(text)
        if isinstance(payload, dict) and payload.get("name") and payload.get("licence_no"):
            found.setdefault(str(payload["name"]), str(payload["licence_no"]))
    return found


def _company_name(s: Session, event: Mapping[str, Any]) -> str:
    """The name of the event's contracted company, from HQ's register."""
    company_id = event.get("company_id")
    row = s.get(RecordRow, company_id) if isinstance(company_id, str) else None
    if row is None or row.kind != "company":
        return ""
    payload = json.loads(row.payload)
    return _text(payload.get("name")) if isinstance(payload, dict) else ""


def _labels(posts: list[dict[str, Any]], guards: list[dict[str, Any]]) -> list[PostLabel]:
    """One label per post of the event, in natural order (A区2号 before A区10号)."""
    headcount: dict[str, int] = {}
    for guard in guards:
        post_id = guard.get("post_id")
        if isinstance(post_id, str):
            headcount[post_id] = headcount.get(post_id, 0) + 1
    labels = []
    for post in posts:
        name = _text(post.get("name"))
        if not name:
            continue
        zone = _text(post.get("zone")) or (m.group(1) if (m := _ZONE.match(name)) else "")
        labels.append(PostLabel(name, zone, _text(post.get("task_type")),
                                headcount.get(_text(post.get("id")), 0)))
    labels.sort(key=lambda label: _natural(label.name))
    return labels


def _manifest(rows: list[list[object]]) -> bytes:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(["row", "cert_no", "name", "company", "post", "issued_on", "expires_on",
                     "kid", "qr_version", "photo", "png", "payload"])
    for row in rows:
        writer.writerow(neutralise_row(row))  # roster text, opened in Excel or WPS
    return ("\ufeff" + handle.getvalue()).encode("utf-8")

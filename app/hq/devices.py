"""Enrolment and the laptops' credentials: one-time codes, device tokens, revocation, and
the supervisor's signing certificate each laptop registers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.hq.database import HqDatabase, rows_changed
from app.hq.errors import AuthError, EnrolError, HqError
from app.hq.key_ring import KeyRing
from app.hq.models import Device, EnrolmentCode, utc_now
from app.hq.staff import hq_name
from app.sync.protocol import b64encode, plain_text

# No 0/O, 1/I/L: a supervisor reads the code off paper and types it on a laptop.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
# last_seen_at is written at most this often: a write per request would serialize readers.
LAST_SEEN_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class EnrolResult:
    device_id: str
    token: str
    supervisor: str
    hq_name: str
    package_public_key: str  # b64 of the raw Ed25519 key

    def as_dict(self) -> dict[str, str]:
        return {"device_id": self.device_id, "token": self.token,
                "supervisor": self.supervisor, "hq_name": self.hq_name,
                "package_public_key": self.package_public_key}


def _sha256(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def certificate_der(pem: str) -> bytes:
    """The DER of a PEM X.509 certificate; HqError 400 when it is none."""
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(Encoding.DER)
    except (ValueError, UnicodeEncodeError):
        raise HqError(400, "the signing certificate is not a PEM X.509 certificate") from None


def create_enrolment_code(db: HqDatabase, supervisor: str, ttl_hours: float = 72) -> str:
    supervisor = supervisor.strip()
    if not supervisor:
        raise HqError(400, "an enrolment code needs the supervisor's name")
    if ttl_hours <= 0:
        raise HqError(400, "the code must stay valid for some time (--ttl-hours > 0)")
    raw = "".join(secrets.choice(CODE_ALPHABET)
                  for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    now = utc_now()
    with db.begin() as s:
        s.add(EnrolmentCode(code_hash=_sha256(raw), supervisor=supervisor, created_at=now,
                            expires_at=now + timedelta(hours=ttl_hours)))
    return "-".join(raw[i:i + CODE_GROUP_LENGTH]
                    for i in range(0, len(raw), CODE_GROUP_LENGTH))


def enrol(db: HqDatabase, keys: KeyRing, code: str, device_name: str,
          device_public_key: bytes, signing_certificate_pem: str | None = None,
          previous_token: str | None = None) -> EnrolResult:
    """Exchange a one-time code for a device credential.

    A laptop enrolling again (its token refused, HQ's certificate renewed) proves with
    its previous token that it is the same laptop, and keeps its device id: the records
    it sent before stay its own, so it can still send changes to them.
    """
    if len(device_public_key) != 32:
        raise EnrolError(400, "the device key must be a raw Ed25519 public key (32 bytes)")
    for label, text in (("enrolment code", code), ("device name", device_name),
                        ("signing certificate", signing_certificate_pem),
                        ("previous token", previous_token)):
        if text and not plain_text(text, 1024 * 1024):
            raise EnrolError(400, f"the {label} holds a NUL character or text that is not "
                                  f"valid Unicode")
    if signing_certificate_pem:
        certificate_der(signing_certificate_pem)
    code_hash = _sha256(_normalize_code(code or ""))
    now = utc_now()
    device_id = str(uuid.uuid4())
    secret = secrets.token_urlsafe(32)
    with db.begin() as s:
        earlier = device_of_token(s, previous_token)
        if earlier is not None:
            device_id = earlier.id
        found = s.get(EnrolmentCode, code_hash)
        if found is None:
            raise EnrolError(403, "this enrolment code is not known here; check it for "
                                  "typing mistakes or ask headquarters for a new one")
        if found.used_at is not None:
            raise EnrolError(403, "this enrolment code has been used already; each code "
                                  "enrols one laptop: ask headquarters for a new one")
        expires = found.expires_at
        if expires is not None and expires <= now:
            raise EnrolError(403, f"this enrolment code expired on "
                                  f"{expires:%Y-%m-%d %H:%M} UTC; ask headquarters for a "
                                  f"new one")
        # Claimed by a conditional UPDATE: two laptops racing with one code cannot both win.
        claimed = rows_changed(s.execute(update(EnrolmentCode).where(
            EnrolmentCode.code_hash == code_hash, EnrolmentCode.used_at.is_(None))
            .values(used_at=now, device_id=device_id)))
        if claimed != 1:
            raise EnrolError(403, "this enrolment code has been used already; each code "
                                  "enrols one laptop: ask headquarters for a new one")
        supervisor = found.supervisor
        name = (device_name or "").strip()[:200] or "laptop"
        if earlier is not None:
            # A new code from HQ is the authority to work again, even after a revocation.
            earlier.name, earlier.supervisor = name, supervisor
            earlier.token_hash = _sha256(secret)
            earlier.public_key = bytes(device_public_key)
            if signing_certificate_pem:
                earlier.signing_certificate_pem = signing_certificate_pem
            earlier.enrolled_at, earlier.revoked_at = now, None
        else:
            s.add(Device(id=device_id, name=name, supervisor=supervisor,
                         token_hash=_sha256(secret), public_key=bytes(device_public_key),
                         signing_certificate_pem=signing_certificate_pem or None,
                         enrolled_at=now))
    return EnrolResult(device_id=device_id, token=f"{device_id}.{secret}",
                       supervisor=supervisor, hq_name=hq_name(db),
                       package_public_key=b64encode(keys.package_public_key()))


def device_of_token(s: Session, token: str | None) -> Device | None:
    """The device a token belongs to; None for no, an unknown or a wrong token."""
    device_id, _, secret = (token or "").strip().partition(".")
    if not (plain_text(device_id, 36) and plain_text(secret, 1024)):
        # No id or secret a database could hold (NUL, a lone surrogate, too long).
        device_id, secret = "", ""
    device = s.get(Device, device_id) if device_id and secret else None
    # Compared even for an unknown device, so timing does not tell which ids exist.
    expected = device.token_hash if device is not None else "0" * 64
    if not hmac.compare_digest(_sha256(secret), expected) or device is None:
        return None
    return device


def authenticate(db: HqDatabase, token: str | None) -> Device:
    if not token:
        raise AuthError(401, "no device token was sent; enrol this laptop first")
    with db.Session() as s:
        device = device_of_token(s, token)
        if device is None:
            raise AuthError(401, "this device token is not valid here; enrol the laptop "
                                 "again")
        revoked = device.revoked_at
        if revoked is not None:
            raise AuthError(403, f"this laptop's enrolment was revoked on "
                                 f"{revoked:%Y-%m-%d}; ask headquarters")
        now = utc_now()
        seen = device.last_seen_at
    if seen is None or now - seen > LAST_SEEN_INTERVAL:
        # Its own writing transaction (IMMEDIATE on SQLite, so it waits for the lock): a
        # read transaction upgraded to a write fails at once while a batch is being
        # stored. Best effort: a busy database must not refuse a valid device.
        try:
            with db.begin() as w:
                w.execute(update(Device).where(Device.id == device.id)
                          .values(last_seen_at=now))
            device.last_seen_at = now
        except OperationalError:
            pass
    return device


def revoke_device(db: HqDatabase, device_id: str) -> Device:
    with db.begin() as s:
        device = s.get(Device, device_id)
        if device is None:
            raise HqError(404, f"no enrolled device {device_id}")
        if device.revoked_at is None:
            device.revoked_at = utc_now()
        return device


def devices(db: HqDatabase) -> list[Device]:
    with db.Session() as s:
        return list(s.scalars(select(Device).order_by(Device.enrolled_at, Device.id)))


def device(db: HqDatabase, device_id: str) -> Device | None:
    with db.Session() as s:
        return s.get(Device, device_id)


def register_certificate(db: HqDatabase, device: Device | str, pem: str) -> str:
    """'registered' or 'unchanged'; HqError 409 when another certificate is registered
    (a new supervisor certificate means a new enrolment, decided by HQ, not the laptop)."""
    device_id = device if isinstance(device, str) else device.id
    if not plain_text(pem, 1024 * 1024):
        raise HqError(400, "the signing certificate holds a NUL character or text that is "
                           "not valid Unicode")
    der = certificate_der(pem)
    with db.begin() as s:
        row = s.get(Device, device_id)
        if row is None:
            raise HqError(404, f"no enrolled device {device_id}")
        if row.signing_certificate_pem:
            if certificate_der(row.signing_certificate_pem) == der:
                return "unchanged"
            raise HqError(409, "another signing certificate is registered for this "
                               "laptop; headquarters must revoke it and enrol it again")
        row.signing_certificate_pem = pem
        return "registered"

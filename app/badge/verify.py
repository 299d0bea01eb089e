"""Offline verification of a scanned badge: exactly one verdict for any text at all.

The payload's layout is app.badge.payload's; which issuers are believed and what is revoked
is a TrustStore's (the profile's copy, app.badge.trust_store, or one in memory,
app.badge.trust_lists.MemoryTrustStore). ``verify`` never raises, never loops on its input and
never allocates more than a bounded amount.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.badge.payload import (
    LEGACY_MAX_KEY_CHARS,
    LEGACY_MAX_TEXT_CHARS,
    LEGACY_SEPARATORS,
    MAX_INPUT_CHARS,
    BadgeFormatError,
    BadgePayload,
    decode_payload,
    is_signed_payload,
    key_id,
    parse_post_payload,
    strip_ends,
)
from app.badge.trust_lists import TrustedIssuer
from app.inspection.identity import cert_key

log = logging.getLogger(__name__)


class BadgeVerdict(StrEnum):
    VALID = "VALID"
    MALFORMED = "MALFORMED"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    UNSIGNED_LEGACY = "UNSIGNED_LEGACY"


class TrustStore(Protocol):
    """What verification needs to know: issuers' keys and what has been revoked."""

    def issuer(self, kid: str) -> TrustedIssuer | None: ...

    def is_revoked_certificate(self, cert_key: str) -> bool: ...

    def is_revoked_issuer(self, kid: str) -> bool: ...


@dataclass(frozen=True)
class BadgeCheck:
    verdict: BadgeVerdict
    cert_no: str  # from the payload, or the legacy number; "" when nothing could be read
    payload: BadgePayload | None = None
    detail: str = ""  # a short English reason for logs and the command line

    @property
    def trusted(self) -> bool:
        """The badge may be taken at its word: signed and valid, or a plain legacy number
        (which proves nothing, and is shown as unverified, but is no forgery either)."""
        return self.verdict in (BadgeVerdict.VALID, BadgeVerdict.UNSIGNED_LEGACY)


@functools.lru_cache(maxsize=64)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


_safety_net_hits = 0


def safety_net_hits() -> int:
    """How often ``verify`` caught an exception it did not expect (a bug): tests keep it 0."""
    return _safety_net_hits


def verify(text: object, trust: TrustStore, today: date) -> BadgeCheck:
    """Exactly one verdict for any input whatever; never raises.

    Checks run in a fixed order, the first failure wins: MALFORMED, UNKNOWN_ISSUER,
    BAD_SIGNATURE, REVOKED, NOT_YET_VALID, EXPIRED, else VALID. A text that is not a signed
    badge but looks like a certificate number (letters and digits, at least one digit) is
    UNSIGNED_LEGACY, or REVOKED if that certificate is on the revocation list: a revoked
    certificate stays revoked whatever it is printed on. For any verdict but VALID the
    payload, when there is one, is what the badge *claims*: show it as such, never as fact.
    """
    global _safety_net_hits
    try:
        return _verify(text, trust, today)
    except Exception:  # a bug, not a bad badge: the scan must still get a verdict
        _safety_net_hits += 1
        log.exception("badge verification failed unexpectedly")
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail="internal error while verifying")


def _verify(text: object, trust: TrustStore, today: date) -> BadgeCheck:
    if not isinstance(text, str):
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail=f"not text: {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        return BadgeCheck(BadgeVerdict.MALFORMED, "",
                          detail=f"longer than {MAX_INPUT_CHARS} characters")
    if not is_signed_payload(text):
        return _verify_legacy(strip_ends(text), trust)
    try:
        payload, signed, signature = decode_payload(text)
    except BadgeFormatError as exc:
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail=str(exc))

    def check(verdict: BadgeVerdict, detail: str) -> BadgeCheck:
        return BadgeCheck(verdict, payload.cert_no, payload, detail)

    issuer = trust.issuer(payload.kid)
    if issuer is None:
        return check(BadgeVerdict.UNKNOWN_ISSUER, f"issuer key {payload.kid} is not trusted")
    if not issuer.valid_from <= today <= issuer.valid_until:
        return check(BadgeVerdict.UNKNOWN_ISSUER,
                     f"issuer key {payload.kid} is trusted from {issuer.valid_from} to "
                     f"{issuer.valid_until}, not on {today}")
    try:
        if key_id(issuer.public_key) != payload.kid:
            raise ValueError("key id mismatch")
        public_key = _public_key(bytes(issuer.public_key))
    except ValueError:
        return check(BadgeVerdict.UNKNOWN_ISSUER,
                     f"the trust list's key for {payload.kid} is unusable")
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        return check(BadgeVerdict.BAD_SIGNATURE,
                     f"signature does not match issuer key {payload.kid}: altered or forged")
    if trust.is_revoked_issuer(payload.kid):
        return check(BadgeVerdict.REVOKED, f"issuer key {payload.kid} is revoked")
    if trust.is_revoked_certificate(cert_key(payload.cert_no)):
        return check(BadgeVerdict.REVOKED, f"certificate {payload.cert_no} is revoked")
    if today < payload.issued_on:
        return check(BadgeVerdict.NOT_YET_VALID, f"valid from {payload.issued_on}")
    if today > payload.expires_on:
        return check(BadgeVerdict.EXPIRED, f"expired after {payload.expires_on}")
    return check(BadgeVerdict.VALID, f"signed by {issuer.name} ({payload.kid})")


def _verify_legacy(cleaned: str, trust: TrustStore) -> BadgeCheck:
    """A plain certificate number: proves nothing, but a revoked certificate stays revoked."""
    if not cleaned:
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail="empty")
    if parse_post_payload(cleaned) is not None:
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail="a post label, not a badge")
    # A certificate number is letters and digits (a province prefix such as 辽 included),
    # perhaps with a dash or a space: a URL or some other system's QR text is not one.
    if len(cleaned) > LEGACY_MAX_TEXT_CHARS or not all(
            ch.isalnum() or ch in LEGACY_SEPARATORS for ch in cleaned):
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail="not a certificate number")
    key = cert_key(cleaned)
    # Every certificate number has digits: a word that happens to be typed is not a badge.
    if not any(ch.isdigit() for ch in key) or len(key) > LEGACY_MAX_KEY_CHARS:
        return BadgeCheck(BadgeVerdict.MALFORMED, "", detail="not a certificate number")
    if trust.is_revoked_certificate(key):
        return BadgeCheck(BadgeVerdict.REVOKED, cleaned,
                          detail=f"unsigned legacy badge; certificate {cleaned} is revoked")
    return BadgeCheck(BadgeVerdict.UNSIGNED_LEGACY, cleaned,
                      detail="unsigned legacy badge: look it up in the roster")

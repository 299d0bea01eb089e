"""Signed guard-certificate badges: the payload in the QR code, and its offline verification.

Format (see docs/badge-format.md): the text is ``VS1`` followed by the RFC 4648 base32
encoding (A-Z, 2-7, no padding) of a compact binary body and its Ed25519 signature. Only
digits and upper-case A-Z appear, so any keyboard-wedge scanner on any keyboard layout types
it unchanged, and it fits a version-10 QR code at error correction M.

``verify`` turns any input at all into exactly one verdict: it never raises, never loops on
its input and never allocates more than a bounded amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

PAYLOAD_PREFIX = "VS1"
POST_PREFIX = "VSP1"
# A QR code of version 10 at error correction M holds 311 alphanumeric characters.
MAX_PAYLOAD_CHARS = 311
# Anything longer than this is not a badge: rejected before any decoding work.
MAX_INPUT_CHARS = 1024


class BadgeVerdict(StrEnum):
    VALID = "VALID"
    MALFORMED = "MALFORMED"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    UNSIGNED_LEGACY = "UNSIGNED_LEGACY"


@dataclass(frozen=True)
class BadgePayload:
    cert_no: str
    name: str
    company: str
    licence_no: str
    issued_on: date
    expires_on: date
    photo_hash: bytes | None  # truncated SHA-256 of the photo file, when there is a photo
    kid: str  # issuer key id: 8 hex digits


@dataclass(frozen=True)
class TrustedIssuer:
    kid: str
    public_key: bytes  # raw Ed25519 public key, 32 bytes
    name: str
    valid_from: date
    valid_until: date


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

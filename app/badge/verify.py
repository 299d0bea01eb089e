"""Signed guard-certificate badges: the payload in the QR code, and its offline verification.

Format (see docs/badge-format.md): the text is ``VS1`` followed by the RFC 4648 base32
encoding (A-Z, 2-7, no padding) of a compact binary body and its Ed25519 signature. Only
digits and upper-case A-Z appear, so any keyboard-wedge scanner on any keyboard layout types
it unchanged, and it fits a version-10 QR code at error correction M.

``verify`` turns any input at all into exactly one verdict: it never raises, never loops on
its input and never allocates more than a bounded amount.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.errors import UserError
from app.i18n import translate
from app.inspection.identity import cert_key

log = logging.getLogger(__name__)

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

    @property
    def trusted(self) -> bool:
        """The badge may be taken at its word: signed and valid, or a plain legacy number
        (which proves nothing, and is shown as unverified, but is no forgery either)."""
        return self.verdict in (BadgeVerdict.VALID, BadgeVerdict.UNSIGNED_LEGACY)


# --- The binary layout (docs/badge-format.md) ------------------------------------------------

EPOCH = date(2020, 1, 1)  # dates travel as uint16 days since this day: good until 2199
FLAG_PHOTO_HASH = 0x01
_KNOWN_FLAGS = FLAG_PHOTO_HASH  # any other bit set means a format this version cannot read
KID_BYTES = 4
PHOTO_HASH_BYTES = 10
SIGNATURE_BYTES = 64
TEXT_ENCODING = "gb18030"  # 2 bytes per common Chinese character where UTF-8 needs 3
MAX_FIELD_BYTES = 255  # one length byte per string field
LEGACY_MAX_KEY_CHARS = 40
LEGACY_MAX_TEXT_CHARS = 64
_LEGACY_SEPARATORS = frozenset(" -_\u3000")
_FIXED_BODY_BYTES = 1 + KID_BYTES + 2 + 2
_MIN_BODY_BYTES = _FIXED_BODY_BYTES + 4  # four length bytes, even if every string were empty
# What base32 text of MAX_PAYLOAD_CHARS can carry: the body's budget is what the signature
# leaves of it.
MAX_BODY_BYTES = (MAX_PAYLOAD_CHARS - len(PAYLOAD_PREFIX)) * 5 // 8 - SIGNATURE_BYTES
_BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_KID_SHAPE = re.compile(r"[0-9A-F]{8}")
_NOT_KEY_CHARS = re.compile(r"[^0-9A-Z]+")


class BadgeFormatError(ValueError):
    """The text is not a well-formed signed badge; the message says what is wrong with it."""


class BadgeContentError(UserError, ValueError):
    """What a badge would carry cannot be put on one (a field too long for the QR code, a
    character GB18030 lacks, a date out of range); the message says which field and why."""


class TrustListError(UserError, ValueError):
    """A trust list or revocation list that cannot be used; the message names the problem."""


class RevocationListError(TrustListError):
    """A revocation list line that is neither a certificate number nor ``ISSUER <KID>``."""


def _is_end_junk(ch: str) -> bool:
    # Scanners add CR/LF/Tab terminators, STX/ETX framing, a BOM or NUL: none is content.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def _strip_ends(text: str) -> str:
    """White space and control characters removed at both ends, in linear time."""
    start, end = 0, len(text)
    while start < end and _is_end_junk(text[start]):
        start += 1
    while end > start and _is_end_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def _has_control(text: str) -> bool:
    # Control and format characters (bidi overrides, zero-width joiners) could make a printed
    # or displayed field look like something else; no real name or company holds one.
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text)


def _b32encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def _b32decode(text: str) -> bytes:
    """Strict unpadded RFC 4648 base32: alphabet, length and canonical trailing bits.

    Requiring the canonical form means one byte string has exactly one text, so a changed
    character can never leave the signed bytes unchanged.
    """
    if text.strip(_BASE32_ALPHABET):
        raise BadgeFormatError("characters outside the base32 alphabet A-Z 2-7")
    if len(text) % 8 in (1, 3, 6):
        raise BadgeFormatError("base32 text of an impossible length")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise BadgeFormatError("not valid base32") from exc
    if _b32encode(raw) != text:
        raise BadgeFormatError("base32 text is not in canonical form")
    return raw


def _days(day: date) -> int:
    return (day - EPOCH).days


def _from_days(days: int) -> date:
    return EPOCH + timedelta(days=days)


def key_id(public_key: bytes) -> str:
    """The issuer key id: the first 4 bytes of SHA-256 of the raw 32-byte public key, as 8
    upper-case hex digits. Short, because it travels in every badge; a collision between two
    trusted keys is refused when the trust list is written and loaded."""
    if not isinstance(public_key, bytes | bytearray) or len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 raw bytes")
    return hashlib.sha256(bytes(public_key)).digest()[:KID_BYTES].hex().upper()


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public half of ``key``."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _field_label(field: str) -> str:
    """A badge field's name in the interface language (only for a message: never on the hot
    path of encoding)."""
    return {
        "certificate number": translate("Badge", "certificate number"),
        "name": translate("Badge", "name"),
        "company": translate("Badge", "company"),
        "licence number": translate("Badge", "licence number"),
        "post name": translate("Badge", "post name"),
    }.get(field, field)


def _field_bytes(label: str, value: object, required: bool) -> bytes:
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text")
    if _has_control(value):
        raise BadgeContentError(translate("Badge", "{field} {value} contains control characters")
                                .format(field=_field_label(label), value=repr(value)))
    try:
        raw = value.encode(TEXT_ENCODING)
    except UnicodeEncodeError as exc:
        raise BadgeContentError(translate("Badge", "{field} {value} cannot be written in GB18030")
                                .format(field=_field_label(label), value=repr(value))) from exc
    if required and not raw:
        raise BadgeContentError(translate("Badge", "{field} is empty")
                                .format(field=_field_label(label)))
    if len(raw) > MAX_FIELD_BYTES:
        raise BadgeContentError(translate("Badge", "{field} takes {size} bytes, at most {limit} "
                                          "fit").format(field=_field_label(label), size=len(raw),
                                                        limit=MAX_FIELD_BYTES))
    return bytes([len(raw)]) + raw


def _body(payload: BadgePayload) -> bytes:
    if not cert_key(payload.cert_no if isinstance(payload.cert_no, str) else ""):
        raise BadgeContentError(translate("Badge", "certificate number {number} has no digits or "
                                          "letters").format(number=repr(payload.cert_no)))
    for label, day in (("issued_on", payload.issued_on), ("expires_on", payload.expires_on)):
        if not isinstance(day, date) or not 0 <= _days(day) <= 0xFFFF:
            raise BadgeContentError(translate("Badge", "{field} must be a date from {first} to "
                                              "{last}").format(field=label, first=EPOCH,
                                                               last=_from_days(0xFFFF)))
    if payload.expires_on < payload.issued_on:
        raise BadgeContentError(translate("Badge", "expires_on is before issued_on"))
    flags = 0
    if payload.photo_hash is not None:
        if not isinstance(payload.photo_hash, bytes) or len(payload.photo_hash) != PHOTO_HASH_BYTES:
            raise ValueError(f"photo_hash must be {PHOTO_HASH_BYTES} bytes")
        flags |= FLAG_PHOTO_HASH
    return b"".join((
        bytes([flags]),
        bytes.fromhex(payload.kid),
        _days(payload.issued_on).to_bytes(2, "big"),
        _days(payload.expires_on).to_bytes(2, "big"),
        _field_bytes("certificate number", payload.cert_no, required=True),
        _field_bytes("name", payload.name, required=True),
        _field_bytes("company", payload.company, required=True),
        _field_bytes("licence number", payload.licence_no, required=False),
        payload.photo_hash or b"",
    ))


def encode_payload(payload: BadgePayload, private_key: Ed25519PrivateKey) -> str:
    """The signed QR text of a badge: ``VS1`` + base32(body || Ed25519 signature).

    Raises ValueError for a payload that cannot be a badge, including one too long for a
    version-10 QR code at error correction M (the length is checked here, at headquarters,
    so that no badge is ever printed that a laptop's scanner or camera would struggle with).
    """
    kid = key_id(raw_public_key(private_key))
    if payload.kid != kid:
        raise ValueError(f"payload names issuer key {payload.kid!r}, the signing key is {kid}")
    body = _body(payload)
    signature = private_key.sign(PAYLOAD_PREFIX.encode("ascii") + body)
    text = PAYLOAD_PREFIX + _b32encode(body + signature)
    if len(text) > MAX_PAYLOAD_CHARS:
        variable = len(body) - _FIXED_BODY_BYTES
        budget = MAX_BODY_BYTES - _FIXED_BODY_BYTES
        raise BadgeContentError(translate(
            "Badge", "the badge of {number} would take {length} characters, more than the "
            "{limit} a version-10 QR code holds at error correction M: its text fields and "
            "photo hash take {size} bytes, at most {budget} fit; shorten the company name "
            "(GB18030: 2 bytes per Chinese character) or the licence number").format(
            number=payload.cert_no, length=len(text), limit=MAX_PAYLOAD_CHARS, size=variable,
            budget=budget))
    return text


class _Reader:
    """Reads the body front to back; every read is checked against what remains."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, count: int, what: str) -> bytes:
        if count > len(self.data) - self.pos:
            raise BadgeFormatError(f"truncated: {what} runs past the end")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def uint(self, size: int, what: str) -> int:
        return int.from_bytes(self.take(size, what), "big")

    def text(self, what: str, required: bool) -> str:
        raw = self.take(self.uint(1, what), what)
        try:
            value = raw.decode(TEXT_ENCODING)
        except UnicodeDecodeError as exc:
            raise BadgeFormatError(f"{what} is not valid GB18030") from exc
        if required and not value:
            raise BadgeFormatError(f"{what} is empty")
        if _has_control(value):
            raise BadgeFormatError(f"{what} contains control characters")
        return value

    @property
    def remaining(self) -> int:
        return len(self.data) - self.pos


def _clean_input(text: object) -> str:
    if not isinstance(text, str):
        raise BadgeFormatError(f"not text but {type(text).__name__}")
    if len(text) > MAX_INPUT_CHARS:
        raise BadgeFormatError(f"longer than {MAX_INPUT_CHARS} characters")
    return _strip_ends(text)


def is_signed_payload(text: object) -> bool:
    """Does the text claim to be a signed badge (``VS1``...)? Cheap; says nothing of validity.

    Case is ignored: a scanner whose host has caps lock on types the text in lower case.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        return False
    return _strip_ends(text)[: len(PAYLOAD_PREFIX)].upper() == PAYLOAD_PREFIX


def decode_payload(text: object) -> tuple[BadgePayload, bytes, bytes]:
    """Parse a signed badge without checking its signature: (payload, signed bytes, signature).

    Raises only BadgeFormatError, whatever the input. The work is bounded by the input's
    length, which is checked first.
    """
    cleaned = _clean_input(text)
    if not cleaned.isascii():
        raise BadgeFormatError("characters outside A-Z and 0-9")
    cleaned = cleaned.upper()
    if not cleaned.startswith(PAYLOAD_PREFIX):
        raise BadgeFormatError(f"does not start with {PAYLOAD_PREFIX}")
    if len(cleaned) > MAX_PAYLOAD_CHARS:
        raise BadgeFormatError(f"longer than the {MAX_PAYLOAD_CHARS} characters of a badge")
    raw = _b32decode(cleaned[len(PAYLOAD_PREFIX):])
    if len(raw) < _MIN_BODY_BYTES + SIGNATURE_BYTES:
        raise BadgeFormatError("too short for a signed badge")
    body, signature = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    reader = _Reader(body)
    flags = reader.uint(1, "flags")
    if flags & ~_KNOWN_FLAGS:
        raise BadgeFormatError(f"unknown flags {flags:#04x}")
    kid = reader.take(KID_BYTES, "issuer key id").hex().upper()
    issued_on = _from_days(reader.uint(2, "issue date"))
    expires_on = _from_days(reader.uint(2, "expiry date"))
    if expires_on < issued_on:
        raise BadgeFormatError("expiry date before issue date")
    cert_no = reader.text("certificate number", required=True)
    name = reader.text("name", required=True)
    company = reader.text("company", required=True)
    licence_no = reader.text("licence number", required=False)
    photo_hash = (reader.take(PHOTO_HASH_BYTES, "photo hash")
                  if flags & FLAG_PHOTO_HASH else None)
    if reader.remaining:
        raise BadgeFormatError(f"{reader.remaining} unexpected bytes after the last field")
    if not cert_key(cert_no):
        raise BadgeFormatError("certificate number has no digits or letters")
    payload = BadgePayload(cert_no=cert_no, name=name, company=company, licence_no=licence_no,
                           issued_on=issued_on, expires_on=expires_on, photo_hash=photo_hash,
                           kid=kid)
    return payload, PAYLOAD_PREFIX.encode("ascii") + body, signature


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
        return _verify_legacy(_strip_ends(text), trust)
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
            ch.isalnum() or ch in _LEGACY_SEPARATORS for ch in cleaned):
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


# --- Post labels --------------------------------------------------------------------------------


def post_payload(post_name: str) -> str:
    """The QR text of a post label: ``VSP1`` + base32 of the GB18030 post name, unsigned.

    A post label only tells the laptop which post the supervisor is standing at; it grants
    nothing, so a forged one can do no more than a supervisor choosing the post by hand.
    """
    field = _field_bytes("post name", post_name, required=True)
    return POST_PREFIX + _b32encode(field[1:])


def parse_post_payload(text: object) -> str | None:
    """The post name of a post label's text, or None for anything else. Never raises."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        return None
    cleaned = _strip_ends(text)
    if not cleaned.isascii():
        return None
    cleaned = cleaned.upper()
    if not cleaned.startswith(POST_PREFIX):
        return None
    try:
        raw = _b32decode(cleaned[len(POST_PREFIX):])
        name = raw.decode(TEXT_ENCODING)
    except (BadgeFormatError, UnicodeDecodeError):
        return None
    if not name or len(raw) > MAX_FIELD_BYTES or _has_control(name):
        return None
    return name


# --- Trust list and revocation list -------------------------------------------------------------

TRUST_LIST_FORMAT = "venue-supervisor-trust-list"
TRUST_LIST_VERSION = 1
MAX_TRUST_LIST_BYTES = 1_000_000
MAX_REVOCATION_LIST_BYTES = 256_000_000  # about 15 million certificate numbers
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISSUER_FIELDS = ("kid", "name", "public_key", "valid_from", "valid_until")


class MemoryTrustStore:
    """A TrustStore held in memory: dictionary and set lookups, O(1) however long the lists."""

    def __init__(self, issuers: Iterable[TrustedIssuer] = (),
                 revoked_cert_keys: Iterable[str] = (),
                 revoked_kids: Iterable[str] = ()) -> None:
        self._issuers = {issuer.kid: issuer for issuer in issuers}
        # A million-entry set is taken as it is rather than copied.
        self._revoked_cert_keys = (revoked_cert_keys
                                   if isinstance(revoked_cert_keys, set | frozenset)
                                   else set(revoked_cert_keys))
        self._revoked_kids = set(revoked_kids)

    @classmethod
    def from_files(cls, trust_path: str | Path,
                   revoked_path: str | Path | None = None) -> MemoryTrustStore:
        """Raises TrustListError (or RevocationListError) naming the file and the problem."""
        issuers = load_trust_list(trust_path)
        cert_keys, kids = load_revocations(revoked_path) if revoked_path else (set(), set())
        return cls(issuers, cert_keys, kids)

    def issuer(self, kid: str) -> TrustedIssuer | None:
        return self._issuers.get(kid)

    def is_revoked_certificate(self, cert_key: str) -> bool:
        return cert_key in self._revoked_cert_keys

    def is_revoked_issuer(self, kid: str) -> bool:
        return kid in self._revoked_kids


def _check_issuers(issuers: list[TrustedIssuer], source: str) -> None:
    seen: set[str] = set()
    for index, issuer in enumerate(issuers, start=1):
        where = translate("Badge", "{source}: issuer {index} ({kid})").format(
            source=source, index=index, kid=issuer.kid)
        if not _KID_SHAPE.fullmatch(issuer.kid):
            raise TrustListError(translate("Badge", "{where}: kid must be 8 upper-case hex digits")
                                 .format(where=where))
        if len(issuer.public_key) != 32:
            raise TrustListError(translate("Badge", "{where}: public_key must be 32 bytes")
                                 .format(where=where))
        if key_id(issuer.public_key) != issuer.kid:
            raise TrustListError(translate("Badge", "{where}: kid does not match the public key "
                                           "(the key's id is {kid})")
                                 .format(where=where, kid=key_id(issuer.public_key)))
        try:
            Ed25519PublicKey.from_public_bytes(bytes(issuer.public_key))
        except ValueError as exc:
            raise TrustListError(translate("Badge", "{where}: public_key is not an Ed25519 key")
                                 .format(where=where)) from exc
        if not issuer.name.strip() or _has_control(issuer.name):
            raise TrustListError(translate("Badge", "{where}: name must be a non-empty single "
                                           "line").format(where=where))
        if issuer.valid_until < issuer.valid_from:
            raise TrustListError(translate("Badge", "{where}: valid_until is before valid_from")
                                 .format(where=where))
        if issuer.kid in seen:
            raise TrustListError(translate("Badge", "{where}: the same key id appears twice")
                                 .format(where=where))
        seen.add(issuer.kid)


def write_trust_list(path: str | Path, issuers: Iterable[TrustedIssuer]) -> None:
    """Write the trust list the laptops import: public keys only, never a private key."""
    path = Path(path)
    issuers = list(issuers)
    _check_issuers(issuers, path.name)
    document = {
        "format": TRUST_LIST_FORMAT,
        "version": TRUST_LIST_VERSION,
        "issuers": [{
            "kid": issuer.kid,
            "name": issuer.name,
            "public_key": base64.b64encode(bytes(issuer.public_key)).decode("ascii"),
            "valid_from": issuer.valid_from.isoformat(),
            "valid_until": issuer.valid_until.isoformat(),
        } for issuer in issuers],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    temporary.replace(path)


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise TrustListError(translate("Badge", "the key {key} appears twice in one object")
                                 .format(key=repr(key)))
        result[key] = value
    return result


def _iso_date(value: object, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise TrustListError(translate("Badge", "{where} must be a date written YYYY-MM-DD")
                             .format(where=where))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise TrustListError(translate("Badge", "{where}: {value} is not a calendar date")
                             .format(where=where, value=value)) from exc


def load_trust_list(path: str | Path) -> list[TrustedIssuer]:
    """Read and strictly check a trust list file.

    Raises TrustListError naming the file and the first problem: unreadable, not JSON, wrong
    format or version, an unknown or missing field, a key that is not 32 bytes of base64, a
    kid that is not the key's id, impossible dates, a key id twice.
    """
    path = Path(path)
    source = path.name
    try:
        size = path.stat().st_size
        if size > MAX_TRUST_LIST_BYTES:
            raise TrustListError(translate("Badge", "{source}: {size} bytes is too large for a "
                                           "trust list").format(source=source, size=size))
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise TrustListError(translate("Badge", "trust list not found: {path}")
                             .format(path=path)) from exc
    except OSError as exc:
        raise TrustListError(translate("Badge", "cannot read trust list {path}: {error}")
                             .format(path=path, error=exc.strerror or exc)) from exc
    except UnicodeDecodeError as exc:
        raise TrustListError(translate("Badge", "{source} is not UTF-8 text")
                             .format(source=source)) from exc
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except TrustListError as exc:
        raise TrustListError(translate("Badge", "{source}: {problem}")
                             .format(source=source, problem=exc)) from exc
    except (ValueError, RecursionError) as exc:
        raise TrustListError(translate("Badge", "{source} is not valid JSON: {error}")
                             .format(source=source, error=exc)) from exc
    if not isinstance(document, dict):
        raise TrustListError(translate("Badge", "{source}: expected a JSON object")
                             .format(source=source))
    if document.get("format") != TRUST_LIST_FORMAT:
        raise TrustListError(translate("Badge", "{source}: not a trust list (format is not "
                                       "{format})").format(source=source,
                                                           format=repr(TRUST_LIST_FORMAT)))
    if document.get("version") != TRUST_LIST_VERSION or isinstance(document.get("version"), bool):
        raise TrustListError(translate("Badge", "{source}: trust list version {version} is not "
                                       "supported (this program reads version {supported})")
                             .format(source=source, version=repr(document.get("version")),
                                     supported=TRUST_LIST_VERSION))
    unknown = set(document) - {"format", "version", "issuers"}
    if unknown:
        raise TrustListError(translate("Badge", "{where}: unknown field(s) {fields}")
                             .format(where=source, fields=", ".join(sorted(unknown))))
    entries = document.get("issuers")
    if not isinstance(entries, list):
        raise TrustListError(translate("Badge", "{source}: 'issuers' must be a list")
                             .format(source=source))
    issuers: list[TrustedIssuer] = []
    for index, entry in enumerate(entries, start=1):
        where = translate("Badge", "{source}: issuer {index}").format(source=source, index=index)
        if not isinstance(entry, dict):
            raise TrustListError(translate("Badge", "{where} must be an object")
                                 .format(where=where))
        missing = [name for name in _ISSUER_FIELDS if name not in entry]
        if missing:
            raise TrustListError(translate("Badge", "{where}: missing field(s) {fields}")
                                 .format(where=where, fields=", ".join(missing)))
        unknown = set(entry) - set(_ISSUER_FIELDS)
        if unknown:
            raise TrustListError(translate("Badge", "{where}: unknown field(s) {fields}")
                                 .format(where=where, fields=", ".join(sorted(unknown))))
        kid, name, encoded = entry["kid"], entry["name"], entry["public_key"]
        if not isinstance(kid, str) or not _KID_SHAPE.fullmatch(kid):
            raise TrustListError(translate("Badge", "{where}: kid must be 8 upper-case hex digits")
                                 .format(where=where))
        if not isinstance(name, str):
            raise TrustListError(translate("Badge", "{where}: name must be text")
                                 .format(where=where))
        try:
            if not isinstance(encoded, str):
                raise ValueError
            public_key = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise TrustListError(translate("Badge", "{where}: public_key is not base64")
                                 .format(where=where)) from exc
        if len(public_key) != 32:
            raise TrustListError(translate("Badge", "{where}: public_key is {size} bytes, an "
                                           "Ed25519 key is 32")
                                 .format(where=where, size=len(public_key)))
        issuers.append(TrustedIssuer(
            kid=kid, public_key=public_key, name=name,
            valid_from=_iso_date(entry["valid_from"], f"{where}: valid_from"),
            valid_until=_iso_date(entry["valid_until"], f"{where}: valid_until")))
    _check_issuers(issuers, source)
    return issuers


def _revocation_key(line: str) -> str:
    """``identity.cert_key`` with a fast path: a revocation list may hold a million lines."""
    if line.isascii():  # NFKC leaves ASCII as it is
        return _NOT_KEY_CHARS.sub("", line.upper())
    return _NOT_KEY_CHARS.sub("", unicodedata.normalize("NFKC", line).upper())


def load_revocations(path: str | Path) -> tuple[set[str], set[str]]:
    """Read a revocation list: (revoked certificate keys, revoked issuer key ids).

    One certificate number per line (the province prefix may be there or not: it is reduced
    to its cert_key); ``ISSUER <KID>`` revokes every badge of that issuer key; ``#`` starts a
    comment; blank lines are ignored. UTF-8 (with or without BOM) or GB18030. A line that is
    none of these raises RevocationListError with its line number: a typo in a revocation
    must not go unnoticed.
    """
    path = Path(path)
    source = path.name
    try:
        size = path.stat().st_size
        if size > MAX_REVOCATION_LIST_BYTES:
            raise RevocationListError(translate("Badge", "{source}: {size} bytes is too large")
                                      .format(source=source, size=size))
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise RevocationListError(translate("Badge", "revocation list not found: {path}")
                                  .format(path=path)) from exc
    except OSError as exc:
        raise RevocationListError(translate("Badge", "cannot read revocation list {path}: "
                                            "{error}")
                                  .format(path=path, error=exc.strerror or exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode(TEXT_ENCODING)
        except UnicodeDecodeError as exc:
            raise RevocationListError(translate("Badge", "{source} is neither UTF-8 nor GB18030 "
                                                "text").format(source=source)) from exc
    del data
    cert_keys: set[str] = set()
    kids: set[str] = set()
    add = cert_keys.add
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" in line:
            line = line.partition("#")[0]
        line = line.strip()
        if not line:
            continue
        if line.isascii() and line.isalnum() and line[0] not in "Ii":
            add(line.upper())  # the common case: a bare number
            continue
        if line[:6].upper() == "ISSUER" and (len(line) == 6 or line[6].isspace()):
            kid = line[6:].strip().upper()
            if not _KID_SHAPE.fullmatch(kid):
                raise RevocationListError(translate(
                    "Badge", "{source} line {number}: 'ISSUER' must be followed by a key id of "
                    "8 hex digits").format(source=source, number=number))
            kids.add(kid)
            continue
        key = _revocation_key(line)
        if not key or len(key) > LEGACY_MAX_KEY_CHARS:
            raise RevocationListError(translate(
                "Badge", "{source} line {number}: {text} is not a certificate number")
                .format(source=source, number=number, text=repr(line[:40])))
        add(key)
    return cert_keys, kids


def write_revocations(path: str | Path, cert_nos: Iterable[str], kids: Iterable[str] = (),
                      comment: str = "") -> tuple[int, int]:
    """Write a revocation list (a complete snapshot: laptops replace theirs with it).

    Certificate numbers are reduced to their keys, duplicates dropped, lines sorted so that
    two snapshots can be compared with diff. Returns (certificates, issuers) written.
    """
    keys: set[str] = set()
    for cert_no in cert_nos:
        key = cert_key(cert_no)
        if not key or len(key) > LEGACY_MAX_KEY_CHARS:
            raise RevocationListError(translate("Badge", "{text} is not a certificate number")
                                      .format(text=repr(cert_no)))
        keys.add(key)
    issuer_ids = {kid.strip().upper() for kid in kids}
    for kid in issuer_ids:
        if not _KID_SHAPE.fullmatch(kid):
            raise RevocationListError(translate("Badge", "{text} is not a key id of 8 hex digits")
                                      .format(text=repr(kid)))
    path = Path(path)
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    lines += [f"ISSUER {kid}" for kid in sorted(issuer_ids)] + sorted(keys)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return len(keys), len(issuer_ids)

"""The text a badge's QR code carries: the signed ``VS1`` payload and the ``VSP1`` post label.

Format (see docs/badge-format.md): the text is ``VS1`` followed by the RFC 4648 base32
encoding (A-Z, 2-7, no padding) of a compact binary body and its Ed25519 signature. Only
digits and upper-case A-Z appear, so any keyboard-wedge scanner on any keyboard layout types
it unchanged, and it fits a version-10 QR code at error correction M.

Encoding (headquarters) and decoding (the laptop) live together so that the layout is
written once; whether a decoded badge is to be believed is app.badge.verify's question.
Decoding raises only BadgeFormatError, whatever the input, and its work is bounded by the
input's length, which is checked first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.errors import UserError
from app.i18n import translate
from app.inspection.identity import cert_key

PAYLOAD_PREFIX = "VS1"
POST_PREFIX = "VSP1"
# A QR code of version 10 at error correction M holds 311 alphanumeric characters.
MAX_PAYLOAD_CHARS = 311
# Anything longer than this is not a badge: rejected before any decoding work.
MAX_INPUT_CHARS = 1024


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


# --- The binary layout (docs/badge-format.md) ------------------------------------------------

EPOCH = date(2020, 1, 1)  # dates travel as uint16 days since this day: good until 2199
FLAG_PHOTO_HASH = 0x01
_KNOWN_FLAGS = FLAG_PHOTO_HASH  # any other bit set means a format this version cannot read
KID_BYTES = 4
PHOTO_HASH_BYTES = 10
SIGNATURE_BYTES = 64
TEXT_ENCODING = "gb18030"  # 2 bytes per common Chinese character where UTF-8 needs 3
MAX_FIELD_BYTES = 255  # one length byte per string field
# A plain (unsigned, legacy) certificate number: at most this many key characters
# (identity.cert_key), this many characters as typed, and these separators between them.
LEGACY_MAX_KEY_CHARS = 40
LEGACY_MAX_TEXT_CHARS = 64
LEGACY_SEPARATORS = frozenset(" -_\u3000")
_FIXED_BODY_BYTES = 1 + KID_BYTES + 2 + 2
_MIN_BODY_BYTES = _FIXED_BODY_BYTES + 4  # four length bytes, even if every string were empty
# What base32 text of MAX_PAYLOAD_CHARS can carry: the body's budget is what the signature
# leaves of it.
MAX_BODY_BYTES = (MAX_PAYLOAD_CHARS - len(PAYLOAD_PREFIX)) * 5 // 8 - SIGNATURE_BYTES
_BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
KID_PATTERN = re.compile(r"[0-9A-F]{8}")


class BadgeFormatError(ValueError):
    """The text is not a well-formed signed badge; the message says what is wrong with it."""


class BadgeContentError(UserError, ValueError):
    """What a badge would carry cannot be put on one (a field too long for the QR code, a
    character GB18030 lacks, a date out of range); the message says which field and why."""


def _is_end_junk(ch: str) -> bool:
    # Scanners add CR/LF/Tab terminators, STX/ETX framing, a BOM or NUL: none is content.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def strip_ends(text: str) -> str:
    """White space and control characters removed at both ends, in linear time."""
    start, end = 0, len(text)
    while start < end and _is_end_junk(text[start]):
        start += 1
    while end > start and _is_end_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def has_control(text: str) -> bool:
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
    if has_control(value):
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
        if has_control(value):
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
    return strip_ends(text)


def is_signed_payload(text: object) -> bool:
    """Does the text claim to be a signed badge (``VS1``...)? Cheap; says nothing of validity.

    Case is ignored: a scanner whose host has caps lock on types the text in lower case.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        return False
    return strip_ends(text)[: len(PAYLOAD_PREFIX)].upper() == PAYLOAD_PREFIX


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
    cleaned = strip_ends(text)
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
    if not name or len(raw) > MAX_FIELD_BYTES or has_control(name):
        return None
    return name

"""Headquarters' trust list and revocation list: their file formats, and a trust store in memory.

The trust list (JSON) names the issuer keys a laptop believes; the revocation list (text, one
certificate number or ``ISSUER <KID>`` a line) names what it no longer believes. Both are
checked strictly when read: a list that cannot be used raises TrustListError naming the file
and the first problem, so that a typo never silently trusts or revokes the wrong thing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.badge.payload import (
    KID_PATTERN,
    LEGACY_MAX_KEY_CHARS,
    TEXT_ENCODING,
    has_control,
    key_id,
)
from app.errors import UserError
from app.i18n import translate
from app.inspection.identity import cert_key

TRUST_LIST_FORMAT = "venue-supervisor-trust-list"
TRUST_LIST_VERSION = 1
MAX_TRUST_LIST_BYTES = 1_000_000
MAX_REVOCATION_LIST_BYTES = 256_000_000  # about 15 million certificate numbers
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISSUER_FIELDS = ("kid", "name", "public_key", "valid_from", "valid_until")
_NOT_KEY_CHARS = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True)
class TrustedIssuer:
    kid: str
    public_key: bytes  # raw Ed25519 public key, 32 bytes
    name: str
    valid_from: date
    valid_until: date


class TrustListError(UserError, ValueError):
    """A trust list or revocation list that cannot be used; the message names the problem."""


class RevocationListError(TrustListError):
    """A revocation list line that is neither a certificate number nor ``ISSUER <KID>``."""


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
        if not KID_PATTERN.fullmatch(issuer.kid):
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
        if not issuer.name.strip() or has_control(issuer.name):
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
        if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
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


def revocation_key(line: str) -> str:
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
            if not KID_PATTERN.fullmatch(kid):
                raise RevocationListError(translate(
                    "Badge", "{source} line {number}: 'ISSUER' must be followed by a key id of "
                    "8 hex digits").format(source=source, number=number))
            kids.add(kid)
            continue
        key = revocation_key(line)
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
        if not KID_PATTERN.fullmatch(kid):
            raise RevocationListError(translate("Badge", "{text} is not a key id of 8 hex digits")
                                      .format(text=repr(kid)))
    path = Path(path)
    lines = [f"# {line}" for line in comment.splitlines()] if comment else []
    lines += [f"ISSUER {kid}" for kid in sorted(issuer_ids)] + sorted(keys)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return len(keys), len(issuer_ids)

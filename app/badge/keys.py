"""Headquarters' issuer keys: an Ed25519 key pair whose private half never leaves HQ unencrypted.

``issuer.key`` is a standard PKCS#8 ``ENCRYPTED PRIVATE KEY`` PEM (PBES2: PBKDF2-HMAC-SHA256,
AES-256-CBC), readable by OpenSSL and by cryptography's ``load_pem_private_key``. It is written
here rather than by cryptography's ``BestAvailableEncryption`` because that uses only 2,048
PBKDF2 iterations, which lets a stolen key file be attacked at millions of guesses a second;
this file uses 600,000 (OWASP's figure for PBKDF2-HMAC-SHA256), about 0.1 s per unlock.
``issuer.pub`` is the public key as PEM SubjectPublicKeyInfo: it is what goes, as raw bytes,
into the trust list the laptops import.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from app.badge.payload import key_id, raw_public_key
from app.errors import UserError
from app.i18n import translate

PRIVATE_KEY_NAME = "issuer.key"
PUBLIC_KEY_NAME = "issuer.pub"
MIN_PASSPHRASE_CHARS = 8
MAX_KEY_FILE_BYTES = 64_000
PBKDF2_ITERATIONS = 600_000

# DER object identifiers of PKCS#5 v2.1 (RFC 8018) and NIST AES.
_OID_PBES2 = bytes.fromhex("06092a864886f70d01050d")
_OID_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")
_OID_HMAC_SHA256 = bytes.fromhex("06082a864886f70d0209")
_OID_AES256_CBC = bytes.fromhex("060960864801650304012a")
_DER_NULL = b"\x05\x00"


class BadgeKeyError(UserError):
    """A key file that cannot be used: missing, not a key, wrong passphrase. The message says
    which file and what to do."""


@dataclass(frozen=True)
class IssuerKeyFiles:
    private_key: Path
    public_key: Path
    kid: str


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _der_sequence(*parts: bytes) -> bytes:
    return _der(0x30, b"".join(parts))


def encrypt_private_key(key: Ed25519PrivateKey, passphrase: bytes,
                        iterations: int = PBKDF2_ITERATIONS) -> bytes:
    """PKCS#8 EncryptedPrivateKeyInfo (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) as PEM."""
    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    salt, iv = os.urandom(16), os.urandom(16)
    secret = PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(passphrase)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    count = iterations.to_bytes((iterations.bit_length() + 8) // 8, "big")
    der = _der_sequence(
        _der_sequence(
            _OID_PBES2,
            _der_sequence(
                _der_sequence(_OID_PBKDF2, _der_sequence(
                    _der(0x04, salt), _der(0x02, count),
                    _der_sequence(_OID_HMAC_SHA256, _DER_NULL))),
                _der_sequence(_OID_AES256_CBC, _der(0x04, iv)))),
        _der(0x04, encrypted))
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    pem = "\n".join(["-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines,
                     "-----END ENCRYPTED PRIVATE KEY-----", ""])
    return pem.encode("ascii")


def generate_issuer_key(out_dir: str | os.PathLike[str], passphrase: bytes) -> IssuerKeyFiles:
    """Create a new issuer key pair in ``out_dir``.

    Refuses to overwrite an existing key: a lost issuer key means every badge it signed must be
    reissued, so replacing one is never done by accident. The private key file is created
    readable by its owner only.
    """
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise BadgeKeyError(translate("BadgeKeys", "the passphrase must have at least {count} "
                                      "characters").format(count=MIN_PASSPHRASE_CHARS))
    directory = Path(out_dir)
    private_path, public_path = directory / PRIVATE_KEY_NAME, directory / PUBLIC_KEY_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise BadgeKeyError(translate("BadgeKeys", "{path} already exists: an issuer key is "
                                          "never overwritten; choose another folder or move the "
                                          "old key away first").format(path=path))
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadgeKeyError(translate("BadgeKeys", "cannot create {path}: {error}")
                            .format(path=directory, error=exc.strerror or exc)) from exc
    key = Ed25519PrivateKey.generate()
    private_pem = encrypt_private_key(key, passphrase)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as exc:
        raise BadgeKeyError(translate("BadgeKeys", "cannot write the key files in {path}: "
                                      "{error}").format(path=directory,
                                                        error=exc.strerror or exc)) from exc
    return IssuerKeyFiles(private_path, public_path, key_id(raw_public_key(key)))


def _read_pem(path: str | os.PathLike[str]) -> bytes:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise BadgeKeyError(translate("BadgeKeys", "{path} is too large to be a key file")
                                .format(path=path))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise BadgeKeyError(translate("BadgeKeys", "key file not found: {path}")
                            .format(path=path)) from exc
    except OSError as exc:
        raise BadgeKeyError(translate("BadgeKeys", "cannot read {path}: {error}")
                            .format(path=path, error=exc.strerror or exc)) from exc


def is_private_key_file(path: str | os.PathLike[str]) -> bool:
    """Does the file hold a private key (so that using it needs the passphrase)?"""
    return b"PRIVATE KEY-----" in _read_pem(path)


def load_private_key(path: str | os.PathLike[str], passphrase: bytes) -> Ed25519PrivateKey:
    """The issuer's private key, decrypted with ``passphrase``; BadgeKeyError if it cannot be."""
    data = _read_pem(path)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:  # cryptography's way of saying "not encrypted"
        raise BadgeKeyError(translate("BadgeKeys", "{path} is not encrypted: issuer keys must be "
                                      "protected by a passphrase (create one with 'badge "
                                      "keygen')").format(path=path)) from exc
    except ValueError as exc:
        if b"ENCRYPTED PRIVATE KEY" in data:
            raise BadgeKeyError(translate("BadgeKeys", "wrong passphrase for {path}")
                                .format(path=path)) from exc
        raise BadgeKeyError(translate("BadgeKeys", "{path} is not a private key file")
                            .format(path=path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise BadgeKeyError(translate("BadgeKeys", "{path} is not an Ed25519 key")
                            .format(path=path))
    return key


def load_public_key(path: str | os.PathLike[str]) -> bytes:
    """The raw 32-byte public key of an ``issuer.pub`` file."""
    data = _read_pem(path)
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise BadgeKeyError(translate("BadgeKeys", "{path} is not a public key file")
                            .format(path=path)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BadgeKeyError(translate("BadgeKeys", "{path} is not an Ed25519 key")
                            .format(path=path))
    return raw_public_key(key)

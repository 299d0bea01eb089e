"""Headquarters' private keys at rest: sealed with a key derived from HQ's passphrase.

HQ holds two secrets in its database (table ``hq_setting``): the Ed25519 key that signs
event packages (laptops trust what it signs: a trust list, a guard) and the 32-byte key of
the person pseudonyms (``HMAC-SHA256(key, ID number)``, kept only at HQ). Either one read
off a copied database file would let its holder forge a package or test guesses of an ID
number, so both are stored sealed:

* a key-encryption key is derived from the passphrase with **Argon2id** (RFC 9106's second
  recommended setting: 64 MiB, 3 passes, 4 lanes; about 0.2 s, once per process), over a
  random 16-byte salt kept with the parameters in the ``key_protection`` setting;
* each private key is sealed with **AES-256-GCM** under it: a fresh 96-bit nonce each time,
  the setting's name as associated data (a sealed key cannot be moved into another one's
  place), and the authentication tag tells a wrong passphrase from a right one with
  certainty (the setting also carries a sealed check value for that).

Why not ``BestAvailableEncryption`` (PKCS#8 PBES2): it derives its key with 2,048 rounds of
PBKDF2, which a stolen database lets an attacker test at millions of guesses a second;
Argon2id is memory-hard, so guessing costs 64 MiB and 0.2 s of a core per try. The keys are
never written to a file of their own, so OpenSSL-readable PEM buys nothing here.

The public half of the package key is kept beside it in clear (``package_public_key``): it
is public, and commands that only enrol or list do not need the passphrase.

Policy (app.hq.cli): a command that needs a private key (``serve``, ``export-package``,
``add-event``) on a store whose keys are sealed needs the passphrase; on a store whose keys
are still in clear (made before this existed, or by the Python API in tests) the passphrase
seals them in place, the key itself unchanged, so enrolled laptops keep verifying; without a
passphrase such a store (or a new one) is refused unless ``--insecure-dev-keys`` is given.
The passphrase comes from ``--key-passphrase-file F`` or the file that
$VENUE_SUPERVISOR_HQ_KEY_PASSPHRASE_FILE names; it is never asked for on a terminal (HQ runs
as a service).

HQ's third private key, the TLS key of ``hq make-cert``, is a file beside the database:
written 0600 in a 0700 folder, and encrypted (PKCS#8 PBES2, see ``encrypt_pem``) when
make-cert is given the same passphrase; ``serve`` then opens it with it.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.badge.keys import encrypt_private_key

PASSPHRASE_FILE_ENV = "VENUE_SUPERVISOR_HQ_KEY_PASSPHRASE_FILE"
PROTECTION_SETTING = "key_protection"
SCHEME = "argon2id+aes-256-gcm"
SEALED_PREFIX = "sealed-v1:"
MIN_PASSPHRASE_CHARS = 8
# RFC 9106 section 4, the second recommended option (for memory-constrained settings).
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_ITERATIONS = 3
ARGON2_LANES = 4
# Upper bounds on what a stored setting may ask for: a tampered database must not make a
# start take minutes or gigabytes.
MAX_MEMORY_KIB = 1024 * 1024
MAX_ITERATIONS = 20
_CHECK_TEXT = b"venue-supervisor hq keys"


class KeyAccessError(Exception):
    """HQ's private keys cannot be used as asked: no passphrase for sealed keys, a wrong one,
    keys in clear with neither a passphrase nor --insecure-dev-keys. The message says what to
    do; the command line answers it with exit 2."""


@dataclass(frozen=True)
class Protection:
    """The ``key_protection`` setting: how the key-encryption key is derived."""

    salt: bytes
    memory_kib: int
    iterations: int
    lanes: int
    check: str  # the check value, sealed

    @classmethod
    def new(cls) -> Protection:
        return cls(salt=os.urandom(16), memory_kib=ARGON2_MEMORY_KIB,
                   iterations=ARGON2_ITERATIONS, lanes=ARGON2_LANES, check="")

    def as_text(self) -> str:
        return json.dumps({"scheme": SCHEME, "salt": _b64(self.salt),
                           "memory_kib": self.memory_kib, "iterations": self.iterations,
                           "lanes": self.lanes, "check": self.check}, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> Protection:
        try:
            data = json.loads(text)
            if data.get("scheme") != SCHEME:
                raise ValueError(f"unknown scheme {data.get('scheme')!r}")
            found = cls(salt=base64.b64decode(data["salt"], validate=True),
                        memory_kib=int(data["memory_kib"]), iterations=int(data["iterations"]),
                        lanes=int(data["lanes"]), check=str(data["check"]))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise KeyAccessError(f"HQ's key protection record is damaged ({exc}); restore the "
                                 f"database from a backup") from None
        if not (8 <= found.memory_kib <= MAX_MEMORY_KIB and 1 <= found.iterations
                <= MAX_ITERATIONS and 1 <= found.lanes <= 64 and len(found.salt) >= 16):
            raise KeyAccessError("HQ's key protection record asks for impossible key "
                                 "derivation settings; restore the database from a backup")
        return found

    def derive(self, passphrase: bytes) -> AESGCM:
        key = Argon2id(salt=self.salt, length=32, iterations=self.iterations,
                       lanes=self.lanes, memory_cost=self.memory_kib).derive(passphrase)
        return AESGCM(key)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def seal(cipher: AESGCM, name: str, secret: bytes) -> str:
    """``secret`` sealed for the setting ``name``: prefix, then base64 of nonce + ciphertext."""
    nonce = os.urandom(12)
    return SEALED_PREFIX + _b64(nonce + cipher.encrypt(nonce, secret, name.encode("utf-8")))


def unseal(cipher: AESGCM, name: str, value: str) -> bytes:
    """The secret of a sealed setting; KeyAccessError for a wrong passphrase or a damaged
    value (GCM cannot tell them apart; the check value told the passphrase right before)."""
    try:
        data = base64.b64decode(value[len(SEALED_PREFIX):], validate=True)
        return cipher.decrypt(data[:12], data[12:], name.encode("utf-8"))
    except (ValueError, InvalidTag):
        raise KeyAccessError(f"HQ's private key {name!r} cannot be decrypted with this "
                             f"passphrase") from None


def make_check(cipher: AESGCM) -> str:
    return seal(cipher, PROTECTION_SETTING, _CHECK_TEXT)


def passphrase_fits(protection: Protection, cipher: AESGCM) -> bool:
    try:
        return unseal(cipher, PROTECTION_SETTING, protection.check) == _CHECK_TEXT
    except KeyAccessError:
        return False


def read_passphrase_file(path: str) -> bytes:
    """The first line of the file ``path`` (without its line end); KeyAccessError when it
    cannot be read or is empty."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(4096)
    except OSError as exc:
        raise KeyAccessError(f"cannot read the key passphrase file {path}: "
                             f"{exc.strerror or exc}") from None
    first = first.rstrip(b"\r\n")
    if not first:
        raise KeyAccessError(f"the key passphrase file {path} is empty")
    return first


def encrypt_pem(key: Any, passphrase: bytes) -> bytes:
    """A private key file HQ keeps beside its database (the TLS key of ``hq make-cert``) as
    PKCS#8 ``ENCRYPTED PRIVATE KEY`` PEM that OpenSSL and the TLS library read: PBES2 with
    PBKDF2-HMAC-SHA256 at 600,000 rounds and AES-256-CBC (app.badge.keys; cryptography's
    BestAvailableEncryption would use 2,048 rounds)."""
    return encrypt_private_key(key, passphrase)

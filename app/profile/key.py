"""The key of an encrypted laptop profile, kept in the profile under the supervisor's password.

A random 32-byte master key encrypts the profile; the key file ``profile-key.json`` beside the
database holds it wrapped (AES-256-GCM) under a key that Argon2id derives from the password
(RFC 9106's second recommended setting: 64 MiB, 3 passes, 4 lanes; about 0.2 s on a laptop,
once per start). Argon2id rather than SQLCipher's own PBKDF2-HMAC-SHA512: it is memory-hard,
so a stolen disk's password cannot be tried at GPU speed, and the one slow derivation also
protects the files beside the database. The database itself is then opened with a raw key
(no KDF per connection) and the files get a key of their own; both come from the master key
through HKDF-SHA256. Changing the password re-wraps the master key only.

The file is JSON (format, version, the KDF and its parameters with the salt, the cipher, the
nonce, the wrapped key); everything in it but the wrapped key is its associated data, so a
changed parameter fails like a wrong password. A wrong password fails at the GCM tag.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import UserError
from app.i18n import translate
from app.profile.files import write_atomically

KEY_FILENAME = "profile-key.json"
FORMAT = "venue-supervisor-profile-key"
VERSION = 1
KDF_NAME = "argon2id"
# RFC 9106 §4, second recommended option (when 2 GiB cannot be asked of a laptop).
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_TIME_COST = 3
ARGON2_PARALLELISM = 4
SALT_BYTES = 16
MASTER_KEY_BYTES = 32
NONCE_BYTES = 12
MIN_PASSWORD_CHARS = 8
# A key file asking for more than this is damaged or hostile, not slow on purpose.
MAX_MEMORY_KIB = 1024 * 1024
MAX_TIME_COST = 32
MAX_PARALLELISM = 16
MAX_KEY_FILE_BYTES = 16 * 1024


class ProfileKeyError(UserError):
    """The profile's key cannot be had: no password, a wrong one, a damaged key file."""


class PasswordRequiredError(ProfileKeyError):
    """The profile is encrypted and no password was given."""


class WrongPasswordError(ProfileKeyError):
    """The password does not open the profile."""


@dataclass(frozen=True)
class ProfileKeys:
    """The keys an unlocked profile works with (derived from the master key)."""

    database: bytes  # SQLCipher's raw key
    files: bytes  # AES-256-GCM key of the profile's files

    @classmethod
    def of(cls, master: bytes) -> ProfileKeys:
        return cls(database=_subkey(master, b"venue-supervisor/sqlcipher-database/v1"),
                   files=_subkey(master, b"venue-supervisor/profile-files/v1"))


def _subkey(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def key_file(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILENAME


def is_encrypted(data_dir: Path) -> bool:
    """True when the profile folder holds a key file (its password is needed to open it)."""
    return key_file(data_dir).is_file()


def password_bytes(password: bytes | str) -> bytes:
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)


def check_new_password(password: bytes | str) -> bytes:
    """A password a new key may be wrapped under (8 characters or more)."""
    secret = password_bytes(password)
    if len(secret.decode("utf-8", "replace")) < MIN_PASSWORD_CHARS:
        raise ProfileKeyError(translate(
            "ProfileKey", "the profile password must have {count} characters or more")
            .format(count=MIN_PASSWORD_CHARS))
    return secret


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kek(password: bytes, kdf: dict[str, Any]) -> bytes:
    return hash_secret_raw(password, base64.b64decode(kdf["salt"]),
                           time_cost=int(kdf["time_cost"]), memory_cost=int(kdf["memory_kib"]),
                           parallelism=int(kdf["parallelism"]), hash_len=32, type=Type.ID)


def _associated(document: dict[str, Any]) -> bytes:
    header = {key: value for key, value in document.items() if key != "wrapped_key"}
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def wrap(master: bytes, password: bytes | str) -> dict[str, Any]:
    """The key file's content for ``master`` under ``password`` (fresh salt and nonce)."""
    document: dict[str, Any] = {
        "format": FORMAT, "version": VERSION,
        "kdf": {"name": KDF_NAME, "argon2_version": 19, "memory_kib": ARGON2_MEMORY_KIB,
                "time_cost": ARGON2_TIME_COST, "parallelism": ARGON2_PARALLELISM,
                "salt": _b64(os.urandom(SALT_BYTES))},
        "cipher": "aes-256-gcm", "nonce": _b64(os.urandom(NONCE_BYTES)),
    }
    kek = _kek(password_bytes(password), document["kdf"])
    document["wrapped_key"] = _b64(AESGCM(kek).encrypt(
        base64.b64decode(document["nonce"]), master, _associated(document)))
    return document


def _damaged(path: Path, detail: object) -> ProfileKeyError:
    return ProfileKeyError(translate("ProfileKey", "the profile's key file {path} is damaged "
                                     "({detail}); without it the profile cannot be opened")
                           .format(path=path, detail=detail))


def _read_document(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise _damaged(path, translate("ProfileKey", "too large"))
        document = json.loads(path.read_bytes())
    except OSError as exc:
        raise ProfileKeyError(translate("ProfileKey", "cannot read the profile's key file "
                                        "{path}: {error}")
                              .format(path=path, error=exc.strerror or exc)) from exc
    except (ValueError, RecursionError) as exc:
        raise _damaged(path, translate("ProfileKey", "not JSON")) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _damaged(path, translate("ProfileKey", "not a profile key file"))
    if document.get("version") != VERSION:
        raise _damaged(path, translate("ProfileKey", "version {version} is not known to this "
                                       "program").format(version=document.get("version")))
    kdf = document.get("kdf")
    try:
        if not isinstance(kdf, dict) or kdf.get("name") != KDF_NAME \
                or document.get("cipher") != "aes-256-gcm":
            raise ValueError("kdf or cipher")
        memory, passes, lanes = (int(kdf["memory_kib"]), int(kdf["time_cost"]),
                                 int(kdf["parallelism"]))
        salt = base64.b64decode(kdf["salt"], validate=True)
        nonce = base64.b64decode(document["nonce"], validate=True)
        base64.b64decode(document["wrapped_key"], validate=True)
        if not (8 * lanes <= memory <= MAX_MEMORY_KIB and 1 <= passes <= MAX_TIME_COST
                and 1 <= lanes <= MAX_PARALLELISM and len(salt) >= 8
                and len(nonce) == NONCE_BYTES):
            raise ValueError("out of range")
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(path, translate("ProfileKey", "its parameters are out of range")) from exc
    return document


def unwrap(path: Path, password: bytes | str) -> bytes:
    """The master key kept in the key file ``path``; WrongPasswordError when the password
    does not open it."""
    document = _read_document(path)
    kek = _kek(password_bytes(password), document["kdf"])
    try:
        master = AESGCM(kek).decrypt(base64.b64decode(document["nonce"]),
                                     base64.b64decode(document["wrapped_key"]),
                                     _associated(document))
    except InvalidTag:
        raise WrongPasswordError(translate("ProfileKey", "wrong password for the profile "
                                           "{folder}").format(folder=path.parent)) from None
    if len(master) != MASTER_KEY_BYTES:
        raise _damaged(path, translate("ProfileKey", "the key has the wrong length"))
    return master


def new_master_key() -> bytes:
    return os.urandom(MASTER_KEY_BYTES)


def create(data_dir: Path, password: bytes | str, master: bytes | None = None) -> bytes:
    """Write the profile's key file: ``master`` (a new random key by default) wrapped under
    ``password``; returns the master key."""
    secret = check_new_password(password)
    master = master or new_master_key()
    document = wrap(master, secret)
    write_atomically(key_file(data_dir), json.dumps(document, indent=1).encode("utf-8"))
    return master


def change_password(data_dir: Path, old: bytes | str, new: bytes | str) -> None:
    """Wrap the same master key under a new password (the data is not re-encrypted)."""
    path = key_file(data_dir)
    if not path.is_file():
        raise ProfileKeyError(translate("ProfileKey", "the profile {folder} is not encrypted")
                              .format(folder=data_dir))
    master = unwrap(path, old)
    document = wrap(master, check_new_password(new))
    write_atomically(path, json.dumps(document, indent=1).encode("utf-8"))

"""HQ's private keys in its database: sealed, unlocked, made on first use, and used.

The package-signing key (laptops trust what it signs) and the person-pseudonym key, each
kept sealed in ``hq_setting`` once HQ was given a passphrase; how they are sealed is
app.hq.keys. This module decides when a key may be used, made or sealed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from app.hq.database import HqDatabase
from app.hq.keys import (
    MIN_PASSPHRASE_CHARS,
    PASSPHRASE_FILE_ENV,
    PROTECTION_SETTING,
    KeyAccessError,
    Protection,
    is_sealed,
    make_check,
    passphrase_fits,
    seal,
    unseal,
)
from app.hq.models import HqSetting
from app.inspection.identity import normalise_id_number
from app.sync.protocol import b64decode, b64encode, raw_public_key

PACKAGE_KEY_SETTING = "package_key"
PACKAGE_PUBLIC_KEY_SETTING = "package_public_key"  # in clear: it is public
PSEUDONYM_KEY_SETTING = "pseudonym_key"
DOCUMENT_KEY_SETTING = "document_key"  # signs HQ's own PDFs (app.hq.letters)
TSA_KEY_SETTING = "tsa_key"  # HQ's time-stamping key (app.hq.timestamps)
BADGE_ISSUER_KEY_SETTING = "badge_issuer_key"  # signs the badges HQ issues (app.hq.badges)
PRIVATE_KEY_SETTINGS = (PACKAGE_KEY_SETTING, PSEUDONYM_KEY_SETTING, DOCUMENT_KEY_SETTING,
                        TSA_KEY_SETTING, BADGE_ISSUER_KEY_SETTING)


class KeyRing:
    """HQ's private keys for this process."""

    def __init__(self, db: HqDatabase) -> None:
        self.db = db
        self._package_key: Ed25519PrivateKey | None = None
        self._pseudonym_key: bytes | None = None
        # The key-encryption key once unlock had the passphrase (app.hq.keys); without it,
        # keys sealed before cannot be used and new ones are made in clear only on a store
        # that has never been sealed (the Python API, as the tests use it; the command line
        # refuses that without --insecure-dev-keys).
        self._key_cipher: Any = None

    def sealed(self) -> bool:
        """Are HQ's private keys protected by a passphrase (app.hq.keys)?"""
        return self.db.setting(PROTECTION_SETTING) is not None

    def in_clear(self) -> list[str]:
        """The private keys stored unencrypted (made before keys were sealed, or in a trial)."""
        return [name for name in PRIVATE_KEY_SETTINGS
                if (value := self.db.setting(name)) is not None and not is_sealed(value)]

    def unlock(self, passphrase: bytes | None, insecure_dev_keys: bool = False) -> None:
        """Make HQ's private keys usable by this process; KeyAccessError when they cannot be.

        With a passphrase: a store never sealed is sealed now (keys in clear are encrypted in
        place, the keys themselves unchanged, so enrolled laptops keep verifying packages);
        a sealed store is opened, a wrong passphrase refused. Without one: a sealed store is
        refused; any other only with ``insecure_dev_keys`` (keys kept or made in clear).
        """
        stored = self.db.setting(PROTECTION_SETTING)
        if passphrase is None:
            if stored is not None:
                raise KeyAccessError(
                    f"HQ's private keys are encrypted: give their passphrase with "
                    f"--key-passphrase-file FILE (or set {PASSPHRASE_FILE_ENV}=FILE)")
            if not insecure_dev_keys:
                kept = ("are stored unencrypted in the HQ database; give a passphrase to "
                        "encrypt them now" if self.in_clear() else
                        "would be stored unencrypted; give a passphrase to encrypt them")
                raise KeyAccessError(
                    f"HQ's private keys (package signing, pseudonyms) {kept}: "
                    f"--key-passphrase-file FILE (or {PASSPHRASE_FILE_ENV}=FILE), its first "
                    f"line at least {MIN_PASSPHRASE_CHARS} characters; or, for a trial on this "
                    f"machine only, --insecure-dev-keys")
            return
        cipher = None
        if stored is None:
            if len(passphrase) < MIN_PASSPHRASE_CHARS:
                raise KeyAccessError(f"the key passphrase must have at least "
                                     f"{MIN_PASSPHRASE_CHARS} characters")
            fresh = Protection.new()
            cipher = fresh.derive(passphrase)
            text = Protection(fresh.salt, fresh.memory_kib, fresh.iterations, fresh.lanes,
                              make_check(cipher)).as_text()
            with self.db.begin() as s:
                s.execute(self.db.insert_or_skip(HqSetting.__table__).values(
                    key=PROTECTION_SETTING, value=text))
            stored = self.db.setting(PROTECTION_SETTING)  # whoever inserted first wins
            assert stored is not None
            if stored != text:
                cipher = None
        protection = Protection.parse(stored)
        if cipher is None:
            cipher = protection.derive(passphrase)
        if not passphrase_fits(protection, cipher):
            raise KeyAccessError("wrong passphrase for HQ's private keys: they cannot be "
                                 "decrypted with it (check the key passphrase file)")
        self._key_cipher = cipher
        self._package_key, self._pseudonym_key = None, None
        self._seal_keys_in_clear()

    def _seal_keys_in_clear(self) -> None:
        """Encrypt in place the private keys still stored in clear (same keys)."""
        for name in self.in_clear():
            value = self.db.setting(name)
            assert value is not None
            if name == PACKAGE_KEY_SETTING:
                self._remember_public_key(b64decode(value))
            with self.db.begin() as s:
                # Only over the value read: a key changed meanwhile is not overwritten.
                s.execute(update(HqSetting).where(HqSetting.key == name,
                                                  HqSetting.value == value)
                          .values(value=seal(self._key_cipher, name, b64decode(value))))

    def secret(self, name: str, size: int) -> bytes:
        """A private key's bytes, made (random) on first use; KeyAccessError when locked."""
        value = self.db.setting(name)
        if value is None:
            fresh = secrets.token_bytes(size)
            if self._key_cipher is not None:
                text = seal(self._key_cipher, name, fresh)
            elif self.sealed():
                raise self._locked()
            else:
                text = b64encode(fresh)
            with self.db.begin() as s:
                s.execute(self.db.insert_or_skip(HqSetting.__table__).values(key=name,
                                                                              value=text))
            value = self.db.setting(name)  # whoever inserted first wins; all read the same
            assert value is not None
        if is_sealed(value):
            if self._key_cipher is None:
                raise self._locked()
            return unseal(self._key_cipher, name, value)
        if self._key_cipher is not None:  # made in clear meanwhile by a process without it
            self._seal_keys_in_clear()
        return b64decode(value)

    @staticmethod
    def _locked() -> KeyAccessError:
        return KeyAccessError(f"HQ's private keys are encrypted and this process was not given "
                              f"their passphrase (--key-passphrase-file FILE or "
                              f"{PASSPHRASE_FILE_ENV}=FILE)")

    def _remember_public_key(self, private: bytes) -> None:
        public = raw_public_key(Ed25519PrivateKey.from_private_bytes(private))
        with self.db.begin() as s:
            s.execute(self.db.insert_or_skip(HqSetting.__table__).values(
                key=PACKAGE_PUBLIC_KEY_SETTING, value=b64encode(public)))

    def package_key(self) -> Ed25519PrivateKey:
        """HQ's package-signing key, made on first use (laptops learn its public half when
        they enrol, so it must never change afterwards)."""
        if self._package_key is None:
            private = self.secret(PACKAGE_KEY_SETTING, 32)
            key = Ed25519PrivateKey.from_private_bytes(private)
            if self.db.setting(PACKAGE_PUBLIC_KEY_SETTING) is None:
                self._remember_public_key(private)
            self._package_key = key
        return self._package_key

    def package_public_key(self) -> bytes:
        """The public half: kept in clear, so enrolling needs no passphrase."""
        if self._package_key is not None:
            return raw_public_key(self._package_key)
        text = self.db.setting(PACKAGE_PUBLIC_KEY_SETTING)
        return b64decode(text) if text else raw_public_key(self.package_key())

    def pseudonym_of(self, id_number: str) -> str:
        """HMAC-SHA256(HQ's pseudonym key, normalised ID number), hex: the same person gives
        the same pseudonym in every event, and without the key (sealed, never sent) no one
        can test a guess of the number against it."""
        if self._pseudonym_key is None:
            self._pseudonym_key = self.secret(PSEUDONYM_KEY_SETTING, 32)
        return hmac.new(self._pseudonym_key, normalise_id_number(id_number).encode("utf-8"),
                        hashlib.sha256).hexdigest()

"""HQ staff accounts: one per person, each with a role (issue 14).

* viewer: reads the console and the API;
* staff: also changes events, vetting, companies, badges and evaluations;
* admin: also manages the accounts and HQ's keys.

Only a scrypt digest of each password is kept (memory-hard: 16 MiB and about 50 ms a try;
Python's own hashlib, on OpenSSL). A browser sends the password with every page, so a
password verified once is remembered by this process (a keyed hash of it, never the text)
until the account changes. Every change to an account is in the audit log (app.hq.audit).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import HqUser, utc_now

ROLES = ("viewer", "staff", "admin")  # each may do what the ones before it may
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 64
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # 16 MiB
SCHEME = "scrypt"


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def may(self, needed: str) -> bool:
        """Whether this role includes ``needed`` (viewer < staff < admin)."""
        return ROLES.index(self.role) >= ROLES.index(needed)

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "disabled": self.disabled_at is not None}


def _account(row: HqUser) -> Account:
    return Account(row.name, row.role, row.created_at, row.disabled_at)


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _digest(password, salt)
    return (f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
            f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}")


def password_matches(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != SCHEME or (int(n), int(r), int(p)) != (SCRYPT_N, SCRYPT_R, SCRYPT_P):
            return False
        digest = _digest(password, base64.b64decode(salt))
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


def check_name(name: str) -> str:
    """The account name as kept; HqError (400) for one that cannot be."""
    name = unicodedata.normalize("NFC", name.strip())
    if not 1 <= len(name) <= MAX_NAME_CHARS or ":" in name or any(
            unicodedata.category(c)[0] in "CZ" for c in name):
        raise HqError(400, f"the account name {name[:MAX_NAME_CHARS]!r} is refused: 1 to "
                           f"{MAX_NAME_CHARS} letters, digits or signs, without spaces or ':'")
    return name


def check_password(password: str) -> None:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise HqError(400, f"a password must have {MIN_PASSWORD_CHARS} to "
                           f"{MAX_PASSWORD_CHARS} characters")


class Accounts:
    """The accounts of one HQ database."""

    def __init__(self, db: HqDatabase) -> None:
        self.db = db
        self._key = secrets.token_bytes(32)  # this process's: remembered sign-ins only
        self._verified: dict[str, str] = {}  # name -> keyed hash of (stored digest, password)

    def _remembered(self, row: HqUser, password: str) -> str:
        return hmac.new(self._key, f"{row.password_hash}\0{password}".encode(),
                        hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ changes
    def add(self, name: str, role: str, password: str, actor: str) -> Account:
        name = check_name(name)
        if role not in ROLES:
            raise HqError(400, f"the role {role!r} is not one of {', '.join(ROLES)}")
        check_password(password)
        digest = hash_password(password)
        with self.db.begin() as s:
            if s.get(HqUser, name) is not None:
                raise HqError(409, f"an account {name} exists already")
            row = HqUser(name=name, role=role, password_hash=digest, created_at=utc_now())
            s.add(row)
            s.flush()
            audit.record(s, actor, "user.add", f"user:{name}", None, {"role": role})
            return _account(row)

    def disable(self, name: str, actor: str) -> Account:
        with self.db.begin() as s:
            row = s.get(HqUser, check_name(name))
            if row is None:
                raise HqError(404, f"no account {name}")
            if row.disabled_at is None:
                row.disabled_at = utc_now()
                audit.record(s, actor, "user.disable", f"user:{row.name}",
                             {"disabled": False}, {"disabled": True})
            s.flush()
            self._verified.pop(row.name, None)
            return _account(row)

    # ------------------------------------------------------------------ queries
    def listed(self) -> list[Account]:
        with self.db.Session() as s:
            return [_account(row) for row in s.scalars(select(HqUser).order_by(HqUser.name))]

    def any_active(self) -> bool:
        with self.db.Session() as s:
            return s.scalar(select(HqUser.name).where(HqUser.disabled_at.is_(None))
                            .limit(1)) is not None

    def authenticate(self, name: str, password: str) -> Account | None:
        """The active account whose name and password these are; None otherwise."""
        try:
            name = check_name(name)
        except HqError:
            return None
        with self.db.Session() as s:
            row = s.get(HqUser, name)
            if row is None or row.disabled_at is not None:
                return None
            remembered = self._remembered(row, password)
            if hmac.compare_digest(self._verified.get(name, ""), remembered):
                return _account(row)
            if not password_matches(row.password_hash, password):
                return None
            self._verified[name] = remembered
            return _account(row)

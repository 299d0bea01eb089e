"""The password HQ staff give the read pages (evaluations, companies), and HQ's name.

Only a PBKDF2 digest of the password is kept (``hq_setting``); a password verified once is
remembered by this process, since a browser sends it with every page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.sync.protocol import b64encode

STAFF_PASSWORD_SETTING = "staff_password"
STAFF_PASSWORD_ROUNDS = 600_000
MIN_STAFF_PASSWORD_CHARS = 8
HQ_NAME_SETTING = "hq_name"
DEFAULT_HQ_NAME = "Headquarters"


def hq_name(db: HqDatabase) -> str:
    """The name laptops show for this HQ."""
    return db.setting(HQ_NAME_SETTING) or DEFAULT_HQ_NAME


class StaffAccess:
    """Setting and checking the staff password."""

    def __init__(self, db: HqDatabase) -> None:
        self.db = db
        self._verified: set[str] = set()

    def set_password(self, password: str) -> None:
        if len(password) < MIN_STAFF_PASSWORD_CHARS:
            raise HqError(400, "the staff password must have at least 8 characters")
        salt = secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt,
                                     STAFF_PASSWORD_ROUNDS)
        self.db.set_setting(STAFF_PASSWORD_SETTING, f"pbkdf2_sha256${STAFF_PASSWORD_ROUNDS}$"
                                                    f"{b64encode(salt)}${b64encode(digest)}")
        self._verified.clear()

    def check_password(self, password: str | None) -> bool | None:
        """True or False; None when no staff password has been set yet."""
        stored = self.db.setting(STAFF_PASSWORD_SETTING)
        if not stored:
            return None
        if password is None:
            return False
        # A browser sends the password with every page: remember a verified one instead of
        # paying the key derivation each time.
        token = hashlib.sha256(f"{stored}\0{password}".encode()).hexdigest()
        if token in self._verified:
            return True
        try:
            _scheme, rounds, salt, expected = stored.split("$")
            digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"),
                                         base64.b64decode(salt), int(rounds))
        except ValueError:
            return False
        if not hmac.compare_digest(digest, base64.b64decode(expected)):
            return False
        self._verified.add(token)
        return True

"""What the laptop's sync keeps in the profile's settings, and the error every part of sync
raises for the supervisor.

Enrolment writes the headquarters it talks to (address, pinned certificate, device token,
package key) and the device's own bundle-signing key; each sync notes when it tried, when it
last succeeded and what went wrong. All of it lives in ``ProfileSetting`` rows under these
keys, so an encrypted profile keeps it encrypted.
"""

from __future__ import annotations

from app.errors import UserError
from app.evaluation.signing import SUPERVISOR_CERTIFICATE_SETTING
from app.orm import utc_now

HQ_URL = "hq.url"
HQ_DEVICE_ID = "hq.device_id"
HQ_TOKEN = "hq.token"
HQ_CERTIFICATE = "hq.certificate_pem"  # the TLS certificate pinned at enrolment
HQ_PACKAGE_KEY = "hq.package_public_key"
HQ_SUPERVISOR = "hq.supervisor"
DEVICE_KEY = "hq.device_key"  # signs bundles; its public half is registered with HQ
REGISTERED_CERTIFICATE = "hq.registered_signing_certificate_sha256"
SUPERVISOR_CERTIFICATE = SUPERVISOR_CERTIFICATE_SETTING
LAST_SUCCESS = "sync.last_success"
LAST_ERROR = "sync.last_error"
LAST_ATTEMPT = "sync.last_attempt"


class SyncError(UserError):
    """Sync could not run (or stopped); the message is for the supervisor, in plain words."""


def now_text() -> str:
    """The moment as sync writes it in settings and the outbox: UTC, to the second."""
    return utc_now().isoformat(timespec="seconds")

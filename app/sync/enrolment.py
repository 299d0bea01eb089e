"""The laptop's enrolment with headquarters: enrolling (HQ's certificate pinned, a device key
made, the token kept), the connection every later call opens with what enrolment kept, the
supervisor's signing certificate registered, and the key bundles are signed with.
"""

from __future__ import annotations

import hashlib
import socket

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.i18n import translate
from app.profile.db import Database
from app.profile.models import ProfileSetting
from app.sync.protocol import b64decode, b64encode, raw_public_key
from app.sync.state import (
    DEVICE_KEY,
    HQ_CERTIFICATE,
    HQ_DEVICE_ID,
    HQ_PACKAGE_KEY,
    HQ_SUPERVISOR,
    HQ_TOKEN,
    HQ_URL,
    LAST_ERROR,
    REGISTERED_CERTIFICATE,
    SUPERVISOR_CERTIFICATE,
    SyncError,
)
from app.sync.transport import (
    HqConnection,
    base_url,
    certificate_fingerprint,
    fetch_server_certificate,
    is_plain_http,
    plain_http_warning,
)


class Enrolment:
    """What this profile knows of headquarters, and the connection made from it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def is_enrolled(self) -> bool:
        return bool(self.db.setting(HQ_TOKEN))

    def enrolled_over_https(self) -> bool:
        url = self.db.setting(HQ_URL) or ""
        return url.lower().startswith("https://") or bool(self.db.setting(HQ_CERTIFICATE))

    def plain_http_warning(self, hq_url: str | None = None) -> str | None:
        """The warning to show before talking to ``hq_url`` (default: the enrolled address)
        over plain http beyond this machine; None when it is https, loopback, or refused
        anyway (a laptop enrolled over https, see ``connection``)."""
        url = hq_url or self.db.setting(HQ_URL)
        if not url or (self.enrolled_over_https() and is_plain_http(url)):
            return None
        return plain_http_warning(url)

    def connection(self, hq_url: str | None = None) -> HqConnection:
        url = hq_url or self.db.setting(HQ_URL)
        token = self.db.setting(HQ_TOKEN)
        if not url or not token:
            raise SyncError(translate("Sync", "This laptop is not enrolled with headquarters "
                                      "yet (menu Sync → Enrol, or: python -m app enrol)"))
        if is_plain_http(url) and self.enrolled_over_https():
            # The device token and the records would cross in clear, and no pinned
            # certificate could be checked: refused before any connection is opened.
            enrolled = self.db.setting(HQ_URL) or url
            raise SyncError(translate(
                "Sync", "This laptop enrolled with headquarters over https; it does not send "
                "its token and records over plain http to {0}. Use the https address it "
                "enrolled with ({1}), or leave --hq out").format(url.strip(), enrolled))
        return HqConnection(url, token, self.db.setting(HQ_CERTIFICATE))

    def enrol(self, hq_url: str, code: str, device_name: str | None = None,
              fingerprint: str | None = None) -> dict[str, str]:
        url = base_url(hq_url)
        pinned = None
        if url.startswith("https://"):
            pinned = fetch_server_certificate(url)
            seen = certificate_fingerprint(pinned)
            wanted = (fingerprint or "").replace(":", "").lower()
            if wanted and wanted != seen:
                raise SyncError(translate(
                    "Sync", "The headquarters certificate's fingerprint is {0}, not the {1} "
                    "you were given; not enrolled").format(seen, wanted))
        device_key = Ed25519PrivateKey.generate()
        certificate = self.db.setting(SUPERVISOR_CERTIFICATE)
        with HqConnection(url, None, pinned) as hq:
            answer = hq.request_object("POST", "/enrol", {
                "code": code.strip(), "device_name": device_name or socket.gethostname(),
                "device_public_key": b64encode(raw_public_key(device_key)),
                "signing_certificate_pem": certificate,
                # Enrolling again: the same laptop keeps its device id at HQ, and with it
                # the records it sent before.
                "previous_token": self.db.setting(HQ_TOKEN) if self.db.setting(HQ_URL) == url
                else None})
        with self.db.begin() as s:
            values = {HQ_URL: url, HQ_DEVICE_ID: answer["device_id"], HQ_TOKEN: answer["token"],
                      HQ_SUPERVISOR: answer.get("supervisor", ""),
                      HQ_PACKAGE_KEY: answer["package_public_key"],
                      DEVICE_KEY: b64encode(device_key.private_bytes_raw()),
                      HQ_CERTIFICATE: pinned or "",
                      REGISTERED_CERTIFICATE: _sha(certificate) if certificate else "",
                      LAST_ERROR: ""}
            for key, value in values.items():
                s.merge(ProfileSetting(key=key, value=value))
        return {"device_id": answer["device_id"], "supervisor": answer.get("supervisor", ""),
                "hq": url, "certificate_sha256": certificate_fingerprint(pinned) if pinned
                else ""}

    def register_certificate(self, hq: HqConnection) -> str | None:
        """The supervisor's signing certificate registered with HQ when it is new or changed
        (HQ checks signed evaluations against it); what went wrong, in words, or None."""
        certificate = self.db.setting(SUPERVISOR_CERTIFICATE)
        if not certificate or self.db.setting(REGISTERED_CERTIFICATE) == _sha(certificate):
            return None
        try:
            hq.request("POST", "/devices/me/certificate",
                       {"signing_certificate_pem": certificate})
        except SyncError as exc:
            return translate("Sync", "The supervisor's signing certificate could not be "
                             "registered with headquarters: {0}").format(exc)
        self.db.set_setting(REGISTERED_CERTIFICATE, _sha(certificate))
        return None

    def device_key(self) -> tuple[str, Ed25519PrivateKey]:
        """This laptop's device id at HQ and the key made at enrolment, which signs bundles."""
        device_id, key = self.db.setting(HQ_DEVICE_ID), self.db.setting(DEVICE_KEY)
        if not device_id or not key:
            raise SyncError(translate("Sync", "This laptop is not enrolled with headquarters "
                                      "yet; a bundle must be signed with the key made at "
                                      "enrolment"))
        return device_id, Ed25519PrivateKey.from_private_bytes(b64decode(key))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

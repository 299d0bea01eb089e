"""The laptop's side of sync with headquarters (docs/sync-protocol.md).

Enrolment, event packages down (over the network or from a signed file), the outbox up in
idempotent batches, and the signed bundle for a USB stick. Nothing here ever deletes a
record: an outbox row is only marked acknowledged, and only for what HQ answered for.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import ssl
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from app.errors import UserError
from app.evaluation.signing import SUPERVISOR_CERTIFICATE_SETTING
from app.i18n import translate
from app.profile.db import Database
from app.profile.files import write_atomically
from app.profile.models import Outbox, ProfileSetting
from app.sync.protocol import (
    API_PREFIX,
    BUNDLE_FORMAT,
    HQ_SIGNER,
    MAX_BATCH_BYTES,
    MAX_FILE_RECORDS,
    MAX_JSON_VALUES,
    MAX_UNPACKED_BYTES,
    PACKAGE_FORMAT,
    Record,
    SignedFileError,
    b64decode,
    b64encode,
    chunks,
    json_shape,
    raw_public_key,
    read_signed,
    write_signed,
)
from app.sync.records import RecordError, apply_records, load_records

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

BATCH_RECORDS = 500
REQUEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 5.0
MAX_ERRORS_REPORTED = 20

Progress = Callable[[int, int], None]


class SyncError(UserError):
    """Sync could not run (or stopped); the message is for the supervisor, in plain words."""


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class SyncOutcome:
    sent: int = 0
    already_present: int = 0
    failed: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "already_present": self.already_present,
                "failed": self.failed, "pending": self.pending, "errors": self.errors}


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hq_url: str | None
    supervisor: str | None
    pending: int
    last_success: str | None
    last_error: str | None
    last_attempt: str | None


@dataclass(frozen=True)
class RemoteEvent:
    id: str
    name: str
    venue: str
    starts_at: str | None
    company_name: str
    guards: int
    posts: int


@dataclass(frozen=True)
class PackageSummary:
    event_id: str
    event_name: str
    created: dict[str, int]
    updated: dict[str, int]
    kept_local: dict[str, int]  # rows changed here and not yet at HQ, left as they were
    trusted_issuers: int
    revoked_certificates: int


# ------------------------------------------------------------------ transport
def _base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(translate("Sync", "“{0}” is not a headquarters address: it must "
                                  "start with http:// or https://").format(url))
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    """True for an address that never leaves this machine: 127.0.0.0/8, ::1, localhost."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_plain_http(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() == "http"


def plain_http_warning(url: str) -> str | None:
    """The warning for plain http beyond this machine (None for https or loopback)."""
    if not is_plain_http(url) or is_loopback(urlsplit(url.strip()).hostname or ""):
        return None
    return translate("Sync", "Warning: plain http to {0}: the device token and every record "
                     "cross the network unencrypted; have headquarters serve with "
                     "--cert/--key and enrol with its https:// address").format(url.strip())


def fetch_server_certificate(url: str) -> str:
    """The PEM certificate an https server presents, unverified (trust on first use; the
    supervisor compares its fingerprint with the one HQ gives out)."""
    parts = urlsplit(url)
    try:
        return ssl.get_server_certificate((parts.hostname or "", parts.port or 443),
                                          timeout=CONNECT_TIMEOUT)
    except (OSError, ssl.SSLError) as exc:
        raise SyncError(translate("Sync", "Headquarters cannot be reached at {0} ({1})")
                        .format(url, exc)) from None


def certificate_fingerprint(pem: str) -> str:
    der = ssl.PEM_cert_to_DER_cert(pem)
    return hashlib.sha256(der).hexdigest()


def _pinned_context(pem: str) -> ssl.SSLContext:
    # The enrolled certificate is the only trust anchor: a different certificate, even one a
    # public CA signed, fails the handshake. Host names are not checked because HQ is often
    # reached by an IP address on its own network; the pin is the stronger check.
    context = ssl.create_default_context(cadata=pem)
    context.check_hostname = False
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


class HqConnection:
    """One HTTP client to HQ: pinned TLS, the device token, errors in plain words."""

    def __init__(self, url: str, token: str | None = None,
                 pinned_certificate: str | None = None) -> None:
        import httpx

        self.url = _base_url(url)
        verify: ssl.SSLContext | bool = True
        if self.url.startswith("https://"):
            if not pinned_certificate:
                raise SyncError(translate("Sync", "No headquarters certificate is pinned "
                                          "for {0}; enrol this laptop again").format(self.url))
            verify = _pinned_context(pinned_certificate)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(
            base_url=self.url + API_PREFIX, headers=headers, verify=verify,
            timeout=httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT), trust_env=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HqConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, payload: object | None = None) -> Any:
        import httpx

        content = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        try:
            response = self._client.request(
                method, path, content=content,
                headers={"Content-Type": "application/json"} if content is not None else None)
        except httpx.ConnectError as exc:
            if isinstance(exc.__context__, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
                raise SyncError(translate(
                    "Sync", "Headquarters at {0} presented a certificate other than the one "
                    "this laptop enrolled with; nothing was sent (the connection may be "
                    "intercepted, or HQ renewed its certificate: enrol again)")
                    .format(self.url)) from None
            raise SyncError(translate("Sync", "Headquarters cannot be reached at {0}: no "
                                      "network, or the service is not running")
                            .format(self.url)) from None
        except httpx.TimeoutException:
            raise SyncError(translate("Sync", "Headquarters at {0} did not answer in time")
                            .format(self.url)) from None
        except (httpx.HTTPError, OSError) as exc:
            raise SyncError(translate("Sync", "The connection to headquarters failed: {0}")
                            .format(exc)) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            detail = (str(body.get("detail", "")) if isinstance(body, dict)
                      else response.text[:200])
            if response.status_code == 401:
                raise SyncError(translate("Sync", "Headquarters does not accept this laptop "
                                          "({0}); enrol it again").format(detail))
            if response.status_code == 403:
                raise SyncError(translate("Sync", "Headquarters refused this laptop: {0}")
                                .format(detail))
            raise SyncError(translate("Sync", "Headquarters answered with an error "
                                      "({0}): {1}").format(response.status_code, detail))
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                return response.json()
            except ValueError:
                raise SyncError(translate("Sync", "Headquarters sent an answer this laptop "
                                          "cannot read")) from None
        return response.content

    def request_object(self, method: str, path: str,
                       payload: object | None = None) -> dict[str, Any]:
        """A request whose answer must be a JSON object."""
        answer = self.request(method, path, payload)
        if not isinstance(answer, dict):
            raise SyncError(translate("Sync", "Headquarters sent an answer this laptop "
                                      "cannot read"))
        return answer


# ------------------------------------------------------------------ the service
class SyncService:
    """Sync for one profile. Each call opens its own sessions: safe from a worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # ---------------------------------------------------------- state
    def is_enrolled(self) -> bool:
        return bool(self.db.setting(HQ_TOKEN))

    def pending_count(self) -> int:
        with self.db.read() as s:
            # GROUP BY, not COUNT(DISTINCT): SQLite then walks the pending index in order
            # instead of building a temporary B-tree of every id.
            waiting = (select(Outbox.record_id).where(Outbox.acknowledged_at.is_(None))
                       .group_by(Outbox.record_id).subquery())
            count = s.scalar(select(func.count()).select_from(waiting))
        return int(count or 0)

    def status(self) -> SyncStatus:
        # Asked after every change the supervisor makes: the settings in one query.
        keys = (HQ_TOKEN, HQ_URL, HQ_SUPERVISOR, LAST_SUCCESS, LAST_ERROR, LAST_ATTEMPT)
        with self.db.read() as s:
            found = {key: value for key, value in s.execute(
                select(ProfileSetting.key, ProfileSetting.value)
                .where(ProfileSetting.key.in_(keys)))}
        return SyncStatus(enrolled=bool(found.get(HQ_TOKEN)), hq_url=found.get(HQ_URL),
                          supervisor=found.get(HQ_SUPERVISOR), pending=self.pending_count(),
                          last_success=found.get(LAST_SUCCESS),
                          last_error=found.get(LAST_ERROR),
                          last_attempt=found.get(LAST_ATTEMPT))

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

    # ---------------------------------------------------------- enrolment
    def enrol(self, hq_url: str, code: str, device_name: str | None = None,
              fingerprint: str | None = None) -> dict[str, str]:
        url = _base_url(hq_url)
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

    def _register_certificate(self, hq: HqConnection) -> str | None:
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

    # ---------------------------------------------------------- up
    def _pending(self) -> list[tuple[str, str]]:
        """(kind, record id) of every record with an unacknowledged change, oldest first."""
        with self.db.read() as s:
            rows = s.execute(
                select(Outbox.kind, Outbox.record_id, func.min(Outbox.seq).label("first"))
                .where(Outbox.acknowledged_at.is_(None))
                .group_by(Outbox.kind, Outbox.record_id).order_by("first")).all()
        return [(kind, record_id) for kind, record_id, _first in rows]

    def _snapshot(self, batch: list[tuple[str, str]]) -> tuple[list[Record], dict[str, int]]:
        """The records' current state and the newest outbox row behind each, read in one
        transaction: a change made after this is a newer row and stays pending."""
        records: list[Record] = []
        newest: dict[str, int] = {}
        with self.db.read() as s, s.begin():
            ids = [record_id for _kind, record_id in batch]
            for chunk in chunks(ids):
                rows = s.execute(
                    select(Outbox.record_id, func.max(Outbox.seq))
                    .where(Outbox.record_id.in_(chunk), Outbox.acknowledged_at.is_(None))
                    .group_by(Outbox.record_id)).all()
                newest.update((record_id, seq) for record_id, seq in rows)
            by_kind: dict[str, list[str]] = {}
            for kind, record_id in batch:
                by_kind.setdefault(kind, []).append(record_id)
            for kind, kind_ids in by_kind.items():
                found = load_records(s, kind, kind_ids, self.db.files)
                records.extend(found[record_id] for record_id in kind_ids if record_id in found)
        return records, newest

    def _acknowledge(self, ids: list[str], newest: dict[str, int]) -> None:
        if not ids:
            return
        stamp = now_text()
        # Every outbox row read with the snapshot has a seq at most the snapshot's highest;
        # a change made since has a higher one and so stays pending.
        upto = max(newest.values(), default=0)
        with self.db.begin() as s:
            for chunk in chunks(ids):
                s.execute(update(Outbox).where(
                    Outbox.record_id.in_(chunk),
                    Outbox.acknowledged_at.is_(None), Outbox.seq <= upto)
                    .values(acknowledged_at=stamp, last_error=None))

    def _note_failures(self, failures: dict[str, str], newest: dict[str, int]) -> None:
        if not failures:
            return
        with self.db.begin() as s:
            for record_id, error in failures.items():
                s.execute(update(Outbox).where(
                    Outbox.record_id == record_id, Outbox.acknowledged_at.is_(None),
                    Outbox.seq <= newest.get(record_id, 0))
                    .values(attempts=Outbox.attempts + 1, last_error=error[:500]))

    def sync(self, hq_url: str | None = None, progress: Progress | None = None) -> SyncOutcome:
        """Send every unacknowledged change. Raises SyncError when HQ cannot be used at all
        (then nothing was marked); a record HQ refuses is counted and retried next time."""
        try:
            return self._sync(hq_url, progress)
        except OperationalError as exc:  # the profile locked by another program or window
            raise SyncError(translate("Sync", "The profile's database is busy (another "
                                      "program or window is writing to it); sync will try "
                                      "again")) from exc

    def _sync(self, hq_url: str | None, progress: Progress | None) -> SyncOutcome:
        self.db.set_setting(LAST_ATTEMPT, now_text())
        outcome = SyncOutcome()
        problem: str | None = None
        try:
            with self.connection(hq_url) as hq:
                hq.request("GET", "/devices/me")
                problem = self._register_certificate(hq)
                if problem:
                    outcome.errors.append(problem)
                pending = self._pending()
                total = len(pending)
                done = 0
                if progress:
                    progress(0, total)
                for start in range(0, total, BATCH_RECORDS):
                    batch = pending[start:start + BATCH_RECORDS]
                    self._send_batch(hq, batch, outcome)
                    done += len(batch)
                    if progress:
                        progress(done, total)
        except SyncError as exc:
            self.db.set_setting(LAST_ERROR, str(exc))
            raise
        outcome.pending = self.pending_count()
        if problem:
            self.db.set_setting(LAST_ERROR, problem)
        elif outcome.failed:
            self.db.set_setting(LAST_ERROR, translate(
                "Sync", "{0} records were refused by headquarters; first: {1}")
                .format(outcome.failed, outcome.errors[0] if outcome.errors else ""))
        else:
            self.db.set_setting(LAST_ERROR, "")
        self.db.set_setting(LAST_SUCCESS, now_text())
        return outcome

    def _send_batch(self, hq: HqConnection, batch: list[tuple[str, str]],
                    outcome: SyncOutcome) -> None:
        records, newest = self._snapshot(batch)
        # What HQ already holds (a bundle imported there, an answer lost on the way back)
        # need not travel again.
        known = set(hq.request_object("POST", "/records/known", {
            "records": [{"id": r.id, "hash": r.hash} for r in records]}).get("known", []))
        acknowledged = [r.id for r in records if r.id in known]
        outcome.already_present += len(acknowledged)
        self._acknowledge(acknowledged, newest)
        failures: dict[str, str] = {}
        for part in _by_size([r for r in records if r.id not in known]):
            answer = hq.request_object("POST", "/records",
                                       {"records": [r.as_json() for r in part]})
            results = answer.get("results")
            if not isinstance(results, list):
                results = []
            stored: list[str] = []
            for record, result in zip(part, results, strict=False):
                if not isinstance(result, dict):
                    result = {"status": "failed",
                              "error": translate("Sync", "unreadable answer")}
                status = result.get("status")
                if status == "stored":
                    outcome.sent += 1
                    stored.append(record.id)
                elif status == "present":
                    outcome.already_present += 1
                    stored.append(record.id)
                else:
                    error = str(result.get("error") or translate("Sync", "refused"))
                    failures[record.id] = error
                    outcome.failed += 1
                    if len(outcome.errors) < MAX_ERRORS_REPORTED:
                        outcome.errors.append(f"{record.kind} {record.id}: {error}")
            for record in part[len(results):]:  # an answer shorter than the batch
                failures[record.id] = translate("Sync", "no answer for this record")
                outcome.failed += 1
            self._acknowledge(stored, newest)
        self._note_failures(failures, newest)

    # ---------------------------------------------------------- bundle (USB)
    def _device_key(self) -> tuple[str, Ed25519PrivateKey]:
        device_id, key = self.db.setting(HQ_DEVICE_ID), self.db.setting(DEVICE_KEY)
        if not device_id or not key:
            raise SyncError(translate("Sync", "This laptop is not enrolled with headquarters "
                                      "yet; a bundle must be signed with the key made at "
                                      "enrolment"))
        return device_id, Ed25519PrivateKey.from_private_bytes(b64decode(key))

    def export_bundle(self, out: str | os.PathLike[str],
                      progress: Progress | None = None) -> int:
        """Write every record HQ has not acknowledged into a signed bundle file; returns how
        many. The outbox is left as it is: records count as sent once HQ is seen to hold
        them (the next sync asks)."""
        device_id, key = self._device_key()
        pending = self._pending()
        records: list[Record] = []
        for start in range(0, len(pending), BATCH_RECORDS):
            found, _newest = self._snapshot(pending[start:start + BATCH_RECORDS])
            records.extend(found)
            if progress:
                progress(min(start + BATCH_RECORDS, len(pending)), len(pending))
        body: dict[str, Any] = {"device_id": device_id, "created_at": now_text(),
                                "records": [r.as_json() for r in records]}
        certificate = self.db.setting(SUPERVISOR_CERTIFICATE)
        if certificate:
            # What a sync registers first (POST /devices/me/certificate): a laptop that never
            # reaches HQ online delivers its signed evaluations by bundle alone.
            body["signing_certificate_pem"] = certificate
        if not _fits_one_file(body):
            raise SyncError(translate("Sync", "{0} records are more than one bundle file can "
                                      "carry to headquarters (it reads at most {1} MB and "
                                      "{2} records); sync over the network instead")
                            .format(len(records), MAX_UNPACKED_BYTES // (1024 * 1024),
                                    f"{MAX_FILE_RECORDS:,}"))
        data = write_signed(BUNDLE_FORMAT, device_id, body, key)
        write_atomically(Path(out), data)
        return len(records)

    # ---------------------------------------------------------- down
    def remote_events(self) -> list[RemoteEvent]:
        with self.connection() as hq:
            answer = hq.request_object("GET", "/events")
        return [RemoteEvent(id=e["id"], name=e["name"], venue=e.get("venue") or "",
                            starts_at=e.get("starts_at"),
                            company_name=e.get("company_name") or "",
                            guards=int(e.get("guards") or 0), posts=int(e.get("posts") or 0))
                for e in answer.get("events", [])]

    def pull_event(self, event_id: str) -> PackageSummary:
        with self.connection() as hq:
            data = hq.request("GET", f"/events/{event_id}/package")
        if not isinstance(data, bytes):
            raise SyncError(translate("Sync", "Headquarters sent no event package"))
        return self.import_package_bytes(data)

    def import_package(self, path: str | os.PathLike[str]) -> PackageSummary:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SyncError(translate("Sync", "The event package {0} cannot be read: {1}")
                            .format(path, exc.strerror or exc)) from None
        return self.import_package_bytes(data)

    def import_package_bytes(self, data: bytes) -> PackageSummary:
        """Check the package's signature, then apply it in one transaction (records, trust
        list and revocations together); a package that fails changes nothing."""
        from app.badge import verify as badge
        from app.badge.trust_store import REVOKED_COUNT_SETTING
        from app.profile.models import RevokedCertificate, RevokedIssuer, TrustedIssuer

        key_text = self.db.setting(HQ_PACKAGE_KEY)
        try:
            _signer, body = read_signed(
                data, PACKAGE_FORMAT,
                lambda signer: b64decode(key_text) if key_text and signer == HQ_SIGNER else None)
        except SignedFileError as exc:
            if not key_text:
                raise SyncError(translate("Sync", "This laptop is not enrolled with "
                                          "headquarters, so it cannot check who made the "
                                          "event package; enrol first")) from None
            raise SyncError(translate("Sync", "The event package is refused: {0}")
                            .format(package_problem(exc))) from None
        records: list[Record] = []
        for number, item in enumerate(body["records"], start=1):
            # The envelope's types before any of it reaches a query (an id that is a list
            # is no id); the payloads are checked against their tables by apply_records.
            if not (isinstance(item, dict) and isinstance(item.get("payload"), dict)
                    and all(isinstance(item.get(k), str) for k in ("kind", "id", "hash"))):
                raise SyncError(translate("Sync", "The event package is damaged: its record "
                                          "{0} is not a record (kind, id, hash and payload)")
                                .format(number))
            records.append(Record(kind=item["kind"], id=item["id"], hash=item["hash"],
                                  payload=item["payload"]))
        try:
            issuers = _issuers(body.get("trust_list") or [])
            revoked = sorted({str(k) for k in body.get("revoked_certificates") or []})
            revoked_kids = sorted({str(k) for k in body.get("revoked_issuers") or []})
        except (KeyError, TypeError, ValueError, RecursionError, badge.TrustListError) as exc:
            raise SyncError(translate("Sync", "The event package is damaged: {0}")
                            .format(exc)) from None
        events = [r for r in records if r.kind == "event"]
        if len(events) != 1:
            raise SyncError(translate("Sync", "The event package holds no event"))
        try:
            with self.db.begin() as s:
                # The write lock first: SQLite would otherwise begin the transaction at the
                # first write, and a scan saved in between would fall in the range below.
                s.execute(update(ProfileSetting).where(ProfileSetting.key == "device_id")
                          .values(value=ProfileSetting.value))
                before = s.scalar(select(func.max(Outbox.seq))) or 0
                unsent = set()
                ids = [r.id for r in records]
                for chunk in chunks(ids):
                    unsent.update(s.scalars(select(Outbox.record_id).where(
                        Outbox.record_id.in_(chunk),
                        Outbox.acknowledged_at.is_(None))))
                result = apply_records(s, records, self.db.files, keep_local=unsent)
                # The rows now exactly as HQ sent them need not go back; a local company
                # the package matched by name took HQ's values under its own id, which HQ
                # does not hold: that one goes up.
                for chunk in chunks(result.applied):
                    s.execute(update(Outbox).where(
                        Outbox.seq > before, Outbox.record_id.in_(chunk))
                        .values(acknowledged_at=now_text()))
                for issuer in issuers:
                    s.merge(TrustedIssuer(kid=issuer.kid, name=issuer.name,
                                          public_key=issuer.public_key,
                                          valid_from=issuer.valid_from,
                                          valid_until=issuer.valid_until))
                if "revoked_certificates" in body:
                    s.query(RevokedCertificate).delete()
                    s.query(RevokedIssuer).delete()
                    if revoked:
                        s.execute(RevokedCertificate.__table__.insert(),
                                  [{"cert_key": k} for k in revoked])
                    if revoked_kids:
                        s.execute(RevokedIssuer.__table__.insert(),
                                  [{"kid": k} for k in revoked_kids])
                    s.merge(ProfileSetting(key=REVOKED_COUNT_SETTING, value=str(len(revoked))))
        except RecordError as exc:
            raise SyncError(translate("Sync", "The event package cannot be applied: {0}")
                            .format(exc)) from None
        result.write_files()  # only now: a refused package leaves no file behind
        return PackageSummary(event_id=events[0].id, event_name=events[0].payload["name"],
                              created=result.created, updated=result.updated,
                              kept_local=result.kept,
                              trusted_issuers=len(issuers), revoked_certificates=len(revoked))


def package_problem(error: SignedFileError) -> str:
    """What is wrong with an event package file, in the interface language."""
    texts = {
        "too_large": translate("Sync", "the file is too large to be an event package"),
        "not_a_file": translate("Sync", "this is not an event package file, or it was cut "
                                "short"),
        "wrong_format": translate("Sync", "this is not an event package file"),
        "wrong_version": translate("Sync", "the package was made by a newer version of the "
                                   "program; update this laptop"),
        "incomplete": translate("Sync", "the package is incomplete"),
        "unknown_signer": translate("Sync", "the package was not signed by the headquarters "
                                    "this laptop is enrolled with"),
        "bad_signature": translate("Sync", "the package's signature does not match its "
                                   "content: it was changed after headquarters signed it, or "
                                   "it is damaged"),
        "damaged": translate("Sync", "the package's content is damaged"),
        "too_deep": translate("Sync", "the package's content nests deeper than any real "
                              "package: it is damaged or forged"),
        "too_many": translate("Sync", "the package holds more values or records than this "
                              "program reads from one file: it is damaged or forged, or the "
                              "event is too large for one package"),
    }
    return texts.get(error.reason, str(error))


def _issuers(items: list[dict[str, Any]]) -> list[Any]:
    """Trust list entries checked by the same code as a trust list file."""
    from app.badge import verify as badge

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trust-list.json"
        path.write_text(json.dumps({"format": badge.TRUST_LIST_FORMAT,
                                    "version": badge.TRUST_LIST_VERSION, "issuers": items}),
                        encoding="utf-8")
        return list(badge.load_trust_list(path))


def _fits_one_file(body: dict[str, Any]) -> bool:
    """Whether HQ's reader (read_signed) takes a bundle of this body: its size unpacked, its
    number of values and of records; measured only when the records are many."""
    records = body["records"]
    if len(records) > MAX_FILE_RECORDS:
        return False
    files = sum(len(str(r["payload"].get(key) or "")) for r in records
                for key in ("photo", "evidence", "pdf"))
    # A record is a flat payload of columns: under 64 values and (files apart) 4 KB.
    if len(records) * 64 < MAX_JSON_VALUES and files + len(records) * 4096 \
            < MAX_UNPACKED_BYTES // 2:
        return True  # far from every bound: not worth writing the text twice
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    unpacked = len(json.dumps(text, ensure_ascii=False).encode("utf-8")) + 1024
    return unpacked <= MAX_UNPACKED_BYTES and json_shape(text)[1] <= MAX_JSON_VALUES


def _by_size(records: list[Record]) -> Iterator[list[Record]]:
    """Requests of at most MAX_BATCH_BYTES / 2 (an evaluation carries its PDF)."""
    part: list[Record] = []
    size = 0
    for record in records:
        record_size = len(json.dumps(record.payload, ensure_ascii=False))
        if part and size + record_size > MAX_BATCH_BYTES // 2:
            yield part
            part, size = [], 0
        part.append(record)
        size += record_size
    if part:
        yield part


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()



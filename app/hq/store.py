"""Headquarters' store: enrolment, device authentication, record ingestion, packages.

No web framework here: the HTTP server (app.hq.server), the command line (app.hq.cli) and
the tests all drive the same methods. The outcome rules for a received record are the table
in docs/sync-protocol.md; ``ingest`` is the one place that applies them, for HTTP batches and
for bundles alike.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import os
import secrets
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import create_engine, delete, func, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.hq.models import (
    HQ_DEVICE,
    Device,
    EnrolmentCode,
    EvaluationDocument,
    HqSetting,
    RevokedCertificate,
    RevokedIssuer,
    TrustIssuer,
)
from app.hq.models import Record as RecordRow
from app.sync_protocol import (
    BUNDLE_FORMAT,
    HQ_SIGNER,
    KINDS,
    MAX_BATCH_RECORDS,
    PACKAGE_FORMAT,
    PACKAGE_KINDS,
    Record,
    SignedFileError,
    b64decode,
    b64encode,
    canonical_json,
    chunks,
    raw_public_key,
    read_signed,
    record_problem,
    write_signed,
)

if TYPE_CHECKING:
    from app.db import Database

HQ_DB_ENV = "VENUE_SUPERVISOR_HQ_DB"
PACKAGE_KEY_SETTING = "package_key"
HQ_NAME_SETTING = "hq_name"
DEFAULT_HQ_NAME = "Headquarters"
# No 0/O, 1/I/L: a supervisor reads the code off paper and types it on a laptop.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4
STAFF_PASSWORD_SETTING = "staff_password"
STAFF_PASSWORD_ROUNDS = 600_000
WRITE_OPTION = "hq_write"  # execution option: this transaction will write (SQLite: IMMEDIATE)
# last_seen_at is written at most this often: a write per request would serialize readers.
LAST_SEEN_INTERVAL = timedelta(minutes=1)
MAX_ERRORS_REPORTED = 50


class HqError(Exception):
    """A request HQ refuses; ``status`` is the HTTP status the server answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AuthError(HqError):
    """No, an unknown or a wrong token (401), or a revoked device (403)."""


class EnrolError(HqError):
    pass


@dataclass(frozen=True)
class EnrolResult:
    device_id: str
    token: str
    supervisor: str
    hq_name: str
    package_public_key: str  # b64 of the raw Ed25519 key

    def as_dict(self) -> dict[str, str]:
        return {"device_id": self.device_id, "token": self.token,
                "supervisor": self.supervisor, "hq_name": self.hq_name,
                "package_public_key": self.package_public_key}


def utc_now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _sha256(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def _normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _certificate_der(pem: str) -> bytes:
    try:
        return x509.load_pem_x509_certificate(pem.encode("ascii")).public_bytes(Encoding.DER)
    except (ValueError, UnicodeEncodeError):
        raise HqError(400, "the signing certificate is not a PEM X.509 certificate") from None


def default_db_url() -> str:
    """$VENUE_SUPERVISOR_HQ_DB (a file path or a SQLAlchemy URL), else a SQLite file in the
    user's data folder."""
    configured = os.environ.get(HQ_DB_ENV)
    if configured:
        if "://" in configured:
            return configured
        path = Path(configured).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("venue-supervisor-hq", appauthor=False)) / "hq.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path.resolve()}"


def _configure_sqlite(dbapi_conn: Any, _record: object) -> None:
    # Transactions are begun by _begin_sqlite, not by the driver (which would begin only
    # before DML, and never IMMEDIATE).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A batch reads which ids exist, then writes: begun deferred, a write another process
    # committed in between would make the upgrade to a write lock fail at once
    # (SQLITE_BUSY_SNAPSHOT) instead of waiting. IMMEDIATE takes the write lock up front.
    mode = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # The server answers from a thread pool: connections cross threads.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        sa_event.listen(engine, "connect", _configure_sqlite)
        sa_event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade_schema(engine: Engine) -> None:
    """Bring the HQ database to the newest migration (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class _Incoming:
    index: int
    kind: str
    id: str
    hash: str
    payload: dict[str, Any]
    updated_at: str
    row: dict[str, Any] | None = None  # the record row to write
    document: dict[str, Any] | None = None  # the evaluation_document row to write


class HqStore:
    """Headquarters' database and everything done with it."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_db_url()
        self.engine = make_engine(self.url)
        upgrade_schema(self.engine)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self._package_key: Ed25519PrivateKey | None = None
        self._staff_verified: set[str] = set()
        self._write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext())

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session for one unit of work that writes, committed on success."""
        # SQLite has one writer at a time; a lock in the process queues this server's
        # writers in turn, where SQLite's busy handler would let them poll and starve (p95
        # of 20 laptops pushing at once: 2.5 s before, see bench/sync.py).
        with self._write_lock, self.Session.begin() as session:
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    def _insert(self, table: Any) -> Any:
        """INSERT .. ON CONFLICT DO NOTHING in the engine's dialect: a row another request
        stored first is re-checked, never an error that aborts the whole batch."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).on_conflict_do_nothing()
        if self.engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(table).on_conflict_do_nothing()
        return insert(table)

    # ------------------------------------------------------------------ settings
    def setting(self, key: str) -> str | None:
        with self.Session() as s:
            return s.scalar(select(HqSetting.value).where(HqSetting.key == key))

    def set_setting(self, key: str, value: str) -> None:
        with self.begin() as s:
            s.merge(HqSetting(key=key, value=value))

    # ------------------------------------------------------------------ staff access
    def set_staff_password(self, password: str) -> None:
        """The password HQ staff give the read pages (evaluations, companies)."""
        if len(password) < 8:
            raise HqError(400, "the staff password must have at least 8 characters")
        salt = secrets.token_bytes(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt,
                                     STAFF_PASSWORD_ROUNDS)
        self.set_setting(STAFF_PASSWORD_SETTING, f"pbkdf2_sha256${STAFF_PASSWORD_ROUNDS}$"
                                                 f"{b64encode(salt)}${b64encode(digest)}")
        self._staff_verified.clear()

    def check_staff_password(self, password: str | None) -> bool | None:
        """True or False; None when no staff password has been set yet."""
        stored = self.setting(STAFF_PASSWORD_SETTING)
        if not stored:
            return None
        if password is None:
            return False
        # A browser sends the password with every page: remember a verified one instead of
        # paying the key derivation each time.
        token = hashlib.sha256(f"{stored}\0{password}".encode()).hexdigest()
        if token in self._staff_verified:
            return True
        try:
            _scheme, rounds, salt, expected = stored.split("$")
            digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"),
                                         base64.b64decode(salt), int(rounds))
        except ValueError:
            return False
        if not hmac.compare_digest(digest, base64.b64decode(expected)):
            return False
        self._staff_verified.add(token)
        return True

    def hq_name(self) -> str:
        return self.setting(HQ_NAME_SETTING) or DEFAULT_HQ_NAME

    def package_key(self) -> Ed25519PrivateKey:
        """HQ's package-signing key, made on first use (laptops learn its public half when
        they enrol, so it must never change afterwards)."""
        if self._package_key is None:
            with self.begin() as s:
                s.execute(self._insert(HqSetting.__table__).values(
                    key=PACKAGE_KEY_SETTING,
                    value=b64encode(Ed25519PrivateKey.generate().private_bytes_raw())))
            # Whoever inserted first wins; everyone reads the same key back.
            text = self.setting(PACKAGE_KEY_SETTING)
            assert text is not None
            self._package_key = Ed25519PrivateKey.from_private_bytes(b64decode(text))
        return self._package_key

    def package_public_key(self) -> bytes:
        return raw_public_key(self.package_key())

    # ------------------------------------------------------------------ enrolment
    def create_enrolment_code(self, supervisor: str, ttl_hours: float = 72) -> str:
        supervisor = supervisor.strip()
        if not supervisor:
            raise HqError(400, "an enrolment code needs the supervisor's name")
        if ttl_hours <= 0:
            raise HqError(400, "the code must stay valid for some time (--ttl-hours > 0)")
        raw = "".join(secrets.choice(CODE_ALPHABET)
                      for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
        now = utc_now()
        with self.begin() as s:
            s.add(EnrolmentCode(code_hash=_sha256(raw), supervisor=supervisor, created_at=now,
                                expires_at=now + timedelta(hours=ttl_hours)))
        return "-".join(raw[i:i + CODE_GROUP_LENGTH]
                        for i in range(0, len(raw), CODE_GROUP_LENGTH))

    def enrol(self, code: str, device_name: str, device_public_key: bytes,
              signing_certificate_pem: str | None = None,
              previous_token: str | None = None) -> EnrolResult:
        """Exchange a one-time code for a device credential.

        A laptop enrolling again (its token refused, HQ's certificate renewed) proves with
        its previous token that it is the same laptop, and keeps its device id: the records
        it sent before stay its own, so it can still send changes to them.
        """
        if len(device_public_key) != 32:
            raise EnrolError(400, "the device key must be a raw Ed25519 public key (32 bytes)")
        if signing_certificate_pem:
            _certificate_der(signing_certificate_pem)
        code_hash = _sha256(_normalize_code(code or ""))
        now = utc_now()
        device_id = str(uuid.uuid4())
        secret = secrets.token_urlsafe(32)
        with self.begin() as s:
            earlier = self._device_of_token(s, previous_token)
            if earlier is not None:
                device_id = earlier.id
            found = s.get(EnrolmentCode, code_hash)
            if found is None:
                raise EnrolError(403, "this enrolment code is not known here; check it for "
                                      "typing mistakes or ask headquarters for a new one")
            if found.used_at is not None:
                raise EnrolError(403, "this enrolment code has been used already; each code "
                                      "enrols one laptop: ask headquarters for a new one")
            expires = _aware(found.expires_at)
            if expires is not None and expires <= now:
                raise EnrolError(403, f"this enrolment code expired on "
                                      f"{expires:%Y-%m-%d %H:%M} UTC; ask headquarters for a "
                                      f"new one")
            # Claimed by a conditional UPDATE: two laptops racing with one code cannot both win.
            claimed = s.execute(update(EnrolmentCode).where(
                EnrolmentCode.code_hash == code_hash, EnrolmentCode.used_at.is_(None))
                .values(used_at=now, device_id=device_id)).rowcount
            if claimed != 1:
                raise EnrolError(403, "this enrolment code has been used already; each code "
                                      "enrols one laptop: ask headquarters for a new one")
            supervisor = found.supervisor
            name = (device_name or "").strip()[:200] or "laptop"
            if earlier is not None:
                # A new code from HQ is the authority to work again, even after a revocation.
                earlier.name, earlier.supervisor = name, supervisor
                earlier.token_hash = _sha256(secret)
                earlier.public_key = bytes(device_public_key)
                if signing_certificate_pem:
                    earlier.signing_certificate_pem = signing_certificate_pem
                earlier.enrolled_at, earlier.revoked_at = now, None
            else:
                s.add(Device(id=device_id, name=name, supervisor=supervisor,
                             token_hash=_sha256(secret), public_key=bytes(device_public_key),
                             signing_certificate_pem=signing_certificate_pem or None,
                             enrolled_at=now))
        return EnrolResult(device_id=device_id, token=f"{device_id}.{secret}",
                           supervisor=supervisor, hq_name=self.hq_name(),
                           package_public_key=b64encode(self.package_public_key()))

    @staticmethod
    def _device_of_token(s: Session, token: str | None) -> Device | None:
        device_id, _, secret = (token or "").strip().partition(".")
        device = s.get(Device, device_id) if device_id and secret else None
        # Compared even for an unknown device, so timing does not tell which ids exist.
        expected = device.token_hash if device is not None else "0" * 64
        if not hmac.compare_digest(_sha256(secret), expected) or device is None:
            return None
        return device

    def authenticate(self, token: str | None) -> Device:
        if not token:
            raise AuthError(401, "no device token was sent; enrol this laptop first")
        with self.Session() as s:
            device = self._device_of_token(s, token)
            if device is None:
                raise AuthError(401, "this device token is not valid here; enrol the laptop "
                                     "again")
            revoked = _aware(device.revoked_at)
            if revoked is not None:
                raise AuthError(403, f"this laptop's enrolment was revoked on "
                                     f"{revoked:%Y-%m-%d}; ask headquarters")
            now = utc_now()
            seen = _aware(device.last_seen_at)
        if seen is None or now - seen > LAST_SEEN_INTERVAL:
            # Its own writing transaction (IMMEDIATE on SQLite, so it waits for the lock): a
            # read transaction upgraded to a write fails at once while a batch is being
            # stored. Best effort: a busy database must not refuse a valid device.
            try:
                with self.begin() as w:
                    w.execute(update(Device).where(Device.id == device.id)
                              .values(last_seen_at=now))
                device.last_seen_at = now
            except OperationalError:
                pass
        return device

    def revoke_device(self, device_id: str) -> Device:
        with self.begin() as s:
            device = s.get(Device, device_id)
            if device is None:
                raise HqError(404, f"no enrolled device {device_id}")
            if device.revoked_at is None:
                device.revoked_at = utc_now()
            return device

    def devices(self) -> list[Device]:
        with self.Session() as s:
            return list(s.scalars(select(Device).order_by(Device.enrolled_at, Device.id)))

    def device(self, device_id: str) -> Device | None:
        with self.Session() as s:
            return s.get(Device, device_id)

    def register_certificate(self, device: Device | str, pem: str) -> str:
        """'registered' or 'unchanged'; HqError 409 when another certificate is registered
        (a new supervisor certificate means a new enrolment, decided by HQ, not the laptop)."""
        device_id = device if isinstance(device, str) else device.id
        der = _certificate_der(pem)
        with self.begin() as s:
            row = s.get(Device, device_id)
            if row is None:
                raise HqError(404, f"no enrolled device {device_id}")
            if row.signing_certificate_pem:
                if _certificate_der(row.signing_certificate_pem) == der:
                    return "unchanged"
                raise HqError(409, "another signing certificate is registered for this "
                                   "laptop; headquarters must revoke it and enrol it again")
            row.signing_certificate_pem = pem
            return "registered"

    # ------------------------------------------------------------------ records in
    def known(self, items: Iterable[dict[str, Any]]) -> list[str]:
        """The ids among ``items`` ({"id", "hash"}) that HQ holds with exactly that hash."""
        wanted: dict[str, str] = {}
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str) \
                    and isinstance(item.get("hash"), str):
                wanted[item["id"]] = item["hash"]
        held: dict[str, str] = {}
        with self.Session() as s:
            for chunk in chunks(list(wanted)):
                held.update(s.execute(select(RecordRow.id, RecordRow.content_hash)
                                      .where(RecordRow.id.in_(chunk))).all())
        return [record_id for record_id, digest in wanted.items() if held.get(record_id) == digest]

    def ingest(self, device_id: str, records: Sequence[object]) -> list[dict[str, Any]]:
        """Apply the outcome table to a batch; one result per record, in order.

        One transaction, one SELECT of the ids already held, one bulk INSERT. A record that
        fails is reported and left out; it never blocks the others.
        """
        results: list[dict[str, Any]] = [
            {"id": item.get("id") if isinstance(item, dict) else None, "status": "failed",
             "error": None} for item in records]

        def fail(index: int, message: str) -> None:
            results[index].update(status="failed", error=message)

        def done(index: int, status: str) -> None:
            results[index].update(status=status, error=None)

        incoming: list[_Incoming] = []
        for index, item in enumerate(records):
            problem = record_problem(item)
            if problem is None:
                assert isinstance(item, dict)
                problem = _payload_problem(item["kind"], item["payload"])
            if problem is not None:
                fail(index, problem)
                continue
            assert isinstance(item, dict)
            incoming.append(_Incoming(index, item["kind"], item["id"], item["hash"],
                                      item["payload"], item["payload"]["updated_at"]))
        if not incoming:
            return results
        certificate: str | None = None
        if device_id != HQ_DEVICE and any(r.kind == "evaluation" for r in incoming):
            device = self.device(device_id)
            certificate = device.signing_certificate_pem if device else None
        now = utc_now()
        with self.begin() as s:
            held = self._held(s, [r.id for r in incoming])
            # id -> (the copy to write, the hash it replaces or None for a new row)
            chosen: dict[str, tuple[_Incoming, str | None]] = {}
            superseded: dict[str, list[int]] = {}
            for record in incoming:
                current = held.get(record.id)
                earlier = chosen.get(record.id)
                if earlier is not None:
                    # A record sent twice in one batch is judged against the earlier copy.
                    current = (earlier[0].hash, device_id, earlier[0].updated_at)
                verdict = _judge(record, current, device_id)
                if verdict == "present":
                    done(record.index, "present")
                    continue
                if verdict == "kept-by-hq":
                    done(record.index, "present")
                    results[record.index]["error"] = _KEPT_BY_HQ_MESSAGE
                    continue
                if verdict == "failed-owner":
                    fail(record.index, _OWNER_MESSAGE)
                    continue
                problem = self._prepare(record, device_id, certificate, now)
                if problem is not None:
                    fail(record.index, problem)
                    continue
                if earlier is not None:
                    superseded.setdefault(record.id, []).append(earlier[0].index)
                    chosen[record.id] = (record, earlier[1])
                else:
                    chosen[record.id] = (record, current[0] if current else None)
            new_rows = [record for record, previous in chosen.values() if previous is None]
            to_update = [(record, previous) for record, previous in chosen.values()
                         if previous is not None]
            if new_rows:
                s.execute(self._insert(RecordRow.__table__), [r.row for r in new_rows])
                # A concurrent request may have stored some of these ids first (DO NOTHING):
                # what is there now tells which insert won.
                after = self._held(s, [r.id for r in new_rows])
                for record in new_rows:
                    stored = after.get(record.id)
                    if stored is not None and stored[0] == record.hash:
                        done(record.index, "stored")
                        continue
                    verdict = _judge(record, stored, device_id)
                    if verdict == "replace" and stored is not None:
                        to_update.append((record, stored[0]))
                        continue
                    record.document = None
                    if verdict == "failed-owner":
                        fail(record.index, _OWNER_MESSAGE)
                    else:
                        done(record.index, "present")
                        if verdict == "kept-by-hq":
                            results[record.index]["error"] = _KEPT_BY_HQ_MESSAGE
            for record, previous in to_update:
                assert record.row is not None
                # The owner stays: an HQ-prepared row a laptop updated is still HQ's event.
                values = {k: v for k, v in record.row.items() if k not in ("id", "device_id")}
                # Only over the version judged against: a concurrent change is not overwritten.
                changed = s.execute(update(RecordRow).where(
                    RecordRow.id == record.id, RecordRow.content_hash == previous)
                    .values(**values)).rowcount
                if changed == 1:
                    done(record.index, "stored")
                else:
                    fail(record.index, "the record changed at headquarters while this batch "
                                       "was stored; send it again")
                    record.document = None
            for record_id, indexes in superseded.items():
                final = results[chosen[record_id][0].index]
                for index in indexes:
                    results[index].update(status=final["status"], error=final["error"])
            documents = [record for record, _previous in chosen.values()
                         if record.document is not None
                         and results[record.index]["status"] == "stored"]
            if documents:
                self._store_documents(s, documents)
        return results

    def _held(self, s: Session, ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
        held: dict[str, tuple[str, str, str]] = {}
        for chunk in chunks(sorted(set(ids))):
            for record_id, digest, owner, updated in s.execute(
                    select(RecordRow.id, RecordRow.content_hash, RecordRow.device_id,
                           RecordRow.updated_at).where(RecordRow.id.in_(chunk))):
                held[record_id] = (digest, owner, updated)
        return held

    def _prepare(self, record: _Incoming, device_id: str, certificate: str | None,
                 now: datetime) -> str | None:
        """Fill the rows to write; a plain-words problem when the record cannot be kept."""
        payload = record.payload
        stored_payload = payload
        if record.kind == "evaluation":
            stored_payload = {k: v for k, v in payload.items() if k != "pdf"}
            if payload.get("status") == "signed":
                verified = _verify_evaluation(payload, certificate, device_id)
                if isinstance(verified, str):
                    return verified
                record.document = _document_row(payload, verified, device_id, now)
        event_id = payload["id"] if record.kind == "event" else payload.get("event_id")
        record.row = {"id": record.id, "kind": record.kind, "content_hash": record.hash,
                      "payload": canonical_json(stored_payload).decode("utf-8"),
                      "device_id": device_id,
                      "event_id": event_id if isinstance(event_id, str) else None,
                      "updated_at": record.updated_at, "received_at": now}
        return None

    def _store_documents(self, s: Session, records: list[_Incoming]) -> None:
        event_ids = sorted({str(r.document["event_id"]) for r in records if r.document})
        events = self._payloads(s, event_ids)
        company_ids = sorted({str(p.get("company_id")) for p in events.values()
                              if p.get("company_id")})
        companies = self._payloads(s, company_ids)
        for record in records:
            document = record.document
            assert document is not None
            event = events.get(document["event_id"], {})
            company = companies.get(str(event.get("company_id")), {})
            document["event_name"] = str(event.get("name") or record.payload.get("event_name")
                                         or "")
            document["company_name"] = str(company.get("name")
                                           or record.payload.get("company_name") or "")
            document["company_licence"] = (company.get("licence_no")
                                           or record.payload.get("company_licence") or None)
            s.execute(delete(EvaluationDocument).where(EvaluationDocument.id == document["id"]))
            s.execute(insert(EvaluationDocument), [document])

    def _payloads(self, s: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(ids)):
            for record_id, text in s.execute(select(RecordRow.id, RecordRow.payload)
                                             .where(RecordRow.id.in_(chunk))):
                found[record_id] = json.loads(text)
        return found

    # ------------------------------------------------------------------ bundles
    def import_bundle(self, data: bytes) -> dict[str, Any]:
        """Ingest a laptop's signed bundle; SignedFileError when the file itself is refused."""

        def public_key_of(signer: str) -> bytes | None:
            device = self.device(signer)
            if device is None or device.revoked_at is not None:
                return None
            return bytes(device.public_key)

        signer, body = read_signed(data, BUNDLE_FORMAT, public_key_of)
        if body.get("device_id", signer) != signer:
            raise SignedFileError("the bundle names another device than the one that signed it",
                                  "unknown_signer")
        results: list[dict[str, Any]] = []
        records = body["records"]
        for part in chunks(records, MAX_BATCH_RECORDS):
            results.extend(self.ingest(signer, list(part)))
        summary: dict[str, Any] = {"stored": 0, "present": 0, "failed": 0, "errors": []}
        for item, result in zip(records, results, strict=True):
            summary[result["status"]] += 1
            if result["status"] == "failed" and len(summary["errors"]) < MAX_ERRORS_REPORTED:
                kind = item.get("kind") if isinstance(item, dict) else None
                summary["errors"].append(f"{kind} {result['id']}: {result['error']}")
        return summary

    # ------------------------------------------------------------------ statistics
    def stats(self) -> dict[str, int]:
        counts = {plural: 0 for plural in KINDS.values()}
        with self.Session() as s:
            for kind, count in s.execute(select(RecordRow.kind, func.count())
                                         .group_by(RecordRow.kind)):
                if kind in KINDS:
                    counts[KINDS[kind]] = int(count)
            counts["devices"] = int(s.scalar(select(func.count()).select_from(Device)) or 0)
            counts["signed_pdfs"] = int(
                s.scalar(select(func.count()).select_from(EvaluationDocument)) or 0)
        return counts

    # ------------------------------------------------------------------ packages out
    def events_available(self) -> list[dict[str, Any]]:
        """The live events HQ prepared, with their company and how many guards and posts."""
        with self.Session() as s:
            rows = s.execute(select(RecordRow.id, RecordRow.payload).where(
                RecordRow.kind == "event", RecordRow.device_id == HQ_DEVICE)).all()
            events = {record_id: json.loads(text) for record_id, text in rows}
            events = {k: v for k, v in events.items() if not v.get("deleted_at")}
            counts: dict[tuple[str, str], int] = {}
            for chunk in chunks(list(events)):
                for event_id, kind, count in s.execute(
                        select(RecordRow.event_id, RecordRow.kind, func.count())
                        .where(RecordRow.event_id.in_(chunk),
                               RecordRow.kind.in_(("guard", "post")))
                        .group_by(RecordRow.event_id, RecordRow.kind)):
                    counts[(event_id, kind)] = int(count)
            companies = self._payloads(s, sorted({str(e.get("company_id")) for e in
                                                  events.values() if e.get("company_id")}))
        listed = [{"id": event_id, "name": e.get("name", ""), "venue": e.get("venue", ""),
                   "starts_at": e.get("starts_at"),
                   "company_name": companies.get(str(e.get("company_id")), {}).get("name", ""),
                   "guards": counts.get((event_id, "guard"), 0),
                   "posts": counts.get((event_id, "post"), 0)}
                  for event_id, e in events.items()]
        listed.sort(key=lambda e: (e["starts_at"] or "", e["name"]))
        return listed

    def event_package(self, event_id: str) -> bytes:
        """The signed package a laptop prepares the event from (docs/sync-protocol.md)."""
        with self.Session() as s:
            event = s.get(RecordRow, event_id)
            if event is None or event.kind != "event" or event.device_id != HQ_DEVICE:
                raise HqError(404, f"headquarters prepared no event {event_id}")
            rows = list(s.scalars(select(RecordRow).where(
                RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
                RecordRow.kind.in_(("post", "guard")))))
            event_payload = json.loads(event.payload)
            company_id = event_payload.get("company_id")
            company = s.get(RecordRow, company_id) if company_id else None
            ordered = ([company] if company is not None and company.kind == "company" else [])
            ordered.append(event)
            for kind in ("post", "guard"):
                ordered.extend(sorted((r for r in rows if r.kind == kind),
                                      key=lambda r: (json.loads(r.payload).get("created_at")
                                                     or "", r.id)))
            records = [{"kind": r.kind, "id": r.id, "hash": r.content_hash,
                        "payload": json.loads(r.payload)} for r in ordered]
            issuers = list(s.scalars(select(TrustIssuer).order_by(TrustIssuer.kid)))
            revoked = list(s.scalars(select(RevokedCertificate.cert_key)
                                     .order_by(RevokedCertificate.cert_key)))
            revoked_kids = list(s.scalars(select(RevokedIssuer.kid).order_by(RevokedIssuer.kid)))
        assert all(r["kind"] in PACKAGE_KINDS for r in records)
        from app.checklist import template_document

        template = template_document(event_payload.get("checklist_template") or "checklist")
        body = {"event_id": event_id, "created_at": utc_now().isoformat(timespec="seconds"),
                "records": records, "checklist_template": template,
                "trust_list": [{"kid": i.kid, "name": i.name,
                                "public_key": b64encode(bytes(i.public_key)),
                                "valid_from": i.valid_from.isoformat(),
                                "valid_until": i.valid_until.isoformat()} for i in issuers],
                "revoked_certificates": revoked, "revoked_issuers": revoked_kids}
        return write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, self.package_key())

    # ------------------------------------------------------------------ preparing events
    def add_event_from_profile(self, db: Database, event_id: str) -> str:
        """Take an event of a laptop profile (company, event, posts, guards) as HQ's own."""
        from app.sync_records import records_for_event

        with db.read() as s:
            records = records_for_event(s, event_id, db.data_dir)
        results = self.ingest(HQ_DEVICE, [r.as_json() for r in records])
        failed = [r for r in results if r["status"] == "failed"]
        if failed:
            raise HqError(409, f"{len(failed)} records of the event could not be stored; "
                               f"first: {failed[0]['error']}")
        return event_id

    def _hq_event_named(self, name: str) -> str | None:
        for event in self.events_available():
            if event["name"] == name:
                return str(event["id"])
        return None

    @contextmanager
    def _scratch_profile(self) -> Iterator[Any]:
        """A throw-away laptop profile to build an event with the laptop's own code, holding
        HQ's companies so that a company keeps its id across events."""
        from app.db import Database
        from app.sync_records import apply_records
        from app.workbench import Workbench

        with tempfile.TemporaryDirectory(prefix="hq-event-") as folder:
            db = Database(Path(folder))
            try:
                with self.Session() as s:
                    companies = [Record(kind="company", id=r.id, hash=r.content_hash,
                                        payload=json.loads(r.payload))
                                 for r in s.scalars(select(RecordRow).where(
                                     RecordRow.kind == "company"))]
                if companies:
                    names: set[str] = set()
                    unique = []
                    for company in companies:  # a name twice would break the profile's rule
                        if company.payload.get("name") not in names:
                            names.add(company.payload.get("name"))
                            unique.append(company)
                    with db.begin() as session:
                        applied = apply_records(session, unique, db.data_dir)
                    applied.write_files()
                yield Workbench(db)
            finally:
                db.close()

    def add_event(self, roster_file: str | os.PathLike[str], name: str, venue: str = "",
                  starts_at: datetime | None = None, risk: str = "medium",
                  attendance: int = 0, company: str | None = None, organizer: str = "",
                  company_licence: str = "") -> tuple[str, dict[str, Any]]:
        """Prepare an event from a company's roster; returns its id and the roster check's
        summary. As on the laptop, the valid rows are imported and the problems listed."""
        from app.roster import check_roster
        from app.workbench import EventInput

        name = name.strip()
        if self._hq_event_named(name):
            raise HqError(409, f"headquarters already prepared an event named {name}")
        report = check_roster(roster_file, main_company=company)
        summary = report.summary()
        summary["error_count"] = report.error_count
        if not report.valid_rows:
            raise HqError(422, f"the roster has no valid row ({report.error_count} problems; "
                               f"python -m app roster check {roster_file} lists them)")
        company_name = company or getattr(report, "main_company", "") or ""
        with self._scratch_profile() as workbench:
            event_id = workbench.save_event(EventInput(
                name=name, venue=venue, organizer=organizer, starts_at=starts_at,
                expected_attendance=attendance, risk_level=risk,
                company_name=company_name, company_licence_no=company_licence))
            workbench.import_roster(event_id, report)
            self.add_event_from_profile(workbench.db, event_id)
        return event_id, summary

    def add_demo_event(self) -> str:
        """The built-in demo event as an HQ event, with the demo's badge issuer trusted and
        its revoked certificate listed (once: a second call returns the same event)."""
        from app.demo import DEMO_EVENT_NAME, create_demo_event, demo_issuer
        from app.models import RevokedCertificate as ProfileRevoked

        existing = self._hq_event_named(DEMO_EVENT_NAME)
        if existing:
            return existing
        with self._scratch_profile() as workbench:
            event_id = create_demo_event(workbench, with_inspections=False)
            self.add_event_from_profile(workbench.db, event_id)
            with workbench.db.read() as s:
                revoked = list(s.scalars(select(ProfileRevoked.cert_key)))
            self._add_demo_companies(workbench.db)
        issuer = demo_issuer()
        with self.begin() as s:
            s.merge(TrustIssuer(kid=issuer.kid, name=issuer.name,
                                public_key=issuer.public_key, valid_from=issuer.valid_from,
                                valid_until=issuer.valid_until))
            if revoked:
                s.execute(self._insert(RevokedCertificate.__table__),
                          [{"cert_key": key} for key in revoked])
        return event_id

    def _add_demo_companies(self, db: Database) -> None:
        """The demo's register of companies as HQ's own company records."""
        from app.demo import DEMO_COMPANY_REGISTER
        from app.models import Company
        from app.sync_records import record_of

        with db.begin() as s:
            known = set(s.scalars(select(Company.name)))
            rows = [Company(name=name, licence_no=licence, credit_grade=grade,
                            blacklisted=blacklisted, device_id=db.device_id)
                    for name, licence, grade, blacklisted in DEMO_COMPANY_REGISTER
                    if name not in known]
            s.add_all(rows)
            s.flush()
            records = [record_of("company", row, db.data_dir).as_json() for row in rows]
        if records:
            self.ingest(HQ_DEVICE, records)

    # ------------------------------------------------------------------ trust lists
    def import_trust_list(self, path: str | os.PathLike[str]) -> int:
        """Add or update the issuers of a trust list file (app.badge's format)."""
        from app.badge import load_trust_list

        issuers = load_trust_list(Path(path))
        with self.begin() as s:
            for issuer in issuers:
                s.merge(TrustIssuer(kid=issuer.kid, name=issuer.name,
                                    public_key=issuer.public_key,
                                    valid_from=issuer.valid_from,
                                    valid_until=issuer.valid_until))
        return len(issuers)

    def import_revocations(self, path: str | os.PathLike[str]) -> tuple[int, int]:
        """Replace the revocation list with the file's (a list is a complete snapshot)."""
        from app.badge import load_revocations

        cert_keys, kids = load_revocations(Path(path))
        with self.begin() as s:
            s.execute(delete(RevokedCertificate))
            s.execute(delete(RevokedIssuer))
            keys = sorted(cert_keys)
            for start in range(0, len(keys), 10_000):
                s.execute(insert(RevokedCertificate),
                          [{"cert_key": key} for key in keys[start:start + 10_000]])
            if kids:
                s.execute(insert(RevokedIssuer), [{"kid": kid} for kid in sorted(kids)])
        return len(cert_keys), len(kids)

    def trust_summary(self) -> dict[str, int]:
        with self.Session() as s:
            return {
                "issuers": int(s.scalar(select(func.count()).select_from(TrustIssuer)) or 0),
                "revoked_certificates": int(
                    s.scalar(select(func.count()).select_from(RevokedCertificate)) or 0),
                "revoked_issuers": int(
                    s.scalar(select(func.count()).select_from(RevokedIssuer)) or 0)}


# ---------------------------------------------------------------------- the rules
_OWNER_MESSAGE = ("headquarters holds this record from another device; a record belongs to "
                  "the laptop that made it")
_KEPT_BY_HQ_MESSAGE = ("headquarters keeps its own register of companies; this laptop's "
                       "change to it was noted as received and not applied")


def _judge(record: _Incoming, current: tuple[str, str, str] | None, device_id: str) -> str:
    """'insert', 'replace', 'present' or 'failed-owner' for a record against what HQ holds
    (hash, owner device, updated_at)."""
    if current is None:
        return "insert"
    digest, owner, updated = current
    if digest == record.hash:
        return "present"
    if device_id == HQ_DEVICE:
        return "replace"  # HQ preparing its event again
    if owner == HQ_DEVICE:
        if record.kind == "company":
            # The register of companies (credit grade, black list) is HQ's to keep: a laptop's
            # event form cannot lift a black-listing.
            return "kept-by-hq"
        # A supervisor's change on the day to HQ's event, posts or guards (a reassignment, a
        # photo) wins: HQ and the laptop run on different clocks, so times can't decide.
        return "replace"
    if owner != device_id:
        return "failed-owner"
    # The laptop's own record: its versions carry times of one clock.
    incoming_time, held_time = _parse_time(record.updated_at), _parse_time(updated)
    if incoming_time is not None and held_time is not None:
        newer = incoming_time >= held_time
    else:
        newer = record.updated_at >= updated
    return "replace" if newer else "present"


# The kinds whose rows belong to one event (a check result belongs to its inspection).
EVENT_SCOPED_KINDS = frozenset({"post", "guard", "inspection", "finding", "post_status",
                                "evaluation"})
_TEXT_FIELDS = ("event_id", "supervisor_name", "document_id")


def _payload_problem(kind: str, payload: dict[str, Any]) -> str | None:
    """What makes a payload unusable beyond the envelope checks, in plain words."""
    if _parse_time(payload["updated_at"]) is None:
        return "the payload's updated_at is not an ISO 8601 time"
    deleted = payload.get("deleted_at")
    if deleted is not None and (not isinstance(deleted, str) or _parse_time(deleted) is None):
        return "the payload's deleted_at is not an ISO 8601 time"
    if kind in EVENT_SCOPED_KINDS:
        if not isinstance(payload.get("event_id"), str):
            return f"the {kind} names no event (event_id)"
    if kind in ("company", "event") and not isinstance(payload.get("name"), str):
        return f"the {kind} has no name"
    if kind == "evaluation":
        for name in _TEXT_FIELDS:
            value = payload.get(name)
            if value is not None and not isinstance(value, str):
                return f"the evaluation's {name} is not text"
        version = payload.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            return "the evaluation's version is not a whole number"
        for name in ("score_total", "coverage"):
            value = payload.get(name)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)):
                return f"the evaluation's {name} is not a number"
        signed_at = payload.get("signed_at")
        if signed_at is not None and (not isinstance(signed_at, str)
                                      or _parse_time(signed_at) is None):
            return "the evaluation's signed_at is not an ISO 8601 time"
    return None


@dataclass(frozen=True)
class _Verified:
    pdf: bytes
    pdf_sha256: str
    signer_subject: str


def _verify_evaluation(payload: dict[str, Any], certificate: str | None,
                       device_id: str) -> _Verified | str:
    """The signed evaluation's PDF once proven; else why not, in plain words."""
    from app.signing import verify_pdf

    encoded = payload.get("pdf")
    if not isinstance(encoded, str) or not encoded:
        return "a signed evaluation must carry its signed PDF, and this one carries none"
    try:
        pdf = base64.b64decode(encoded, validate=True)
    except ValueError:
        return "the evaluation's PDF is not valid base64"
    digest = hashlib.sha256(pdf).hexdigest()
    if digest != payload.get("pdf_sha256"):
        return ("the evaluation's PDF is not the one the evaluation names (its SHA-256 "
                "differs from pdf_sha256)")
    if device_id == HQ_DEVICE:
        return "headquarters does not prepare signed evaluations itself"
    if not certificate:
        return ("no signing certificate is registered for this laptop's supervisor, so the "
                "signed PDF cannot be checked; sync again from the laptop (it registers the "
                "certificate) and resend")
    verification = verify_pdf(pdf, [certificate.encode("ascii")])
    if not verification.intact:
        return (f"the evaluation's PDF signature does not verify: the PDF was changed after "
                f"signing or is damaged ({verification.detail[:300]})")
    signers = _signing_certificates(pdf)
    registered = _certificate_der(certificate)
    if not signers or any(der != registered for der in signers):
        return ("the evaluation's PDF was signed with a certificate other than the one "
                "registered for this laptop's supervisor")
    problem = _binding_problem(pdf, payload)
    if problem:
        return problem
    subject = x509.load_der_x509_certificate(registered).subject.rfc4514_string()
    return _Verified(pdf=pdf, pdf_sha256=digest, signer_subject=subject)


def _binding_problem(pdf: bytes, payload: dict[str, Any]) -> str | None:
    """Whether the record's figures are those written in the signed PDF itself."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from app.pdf_binding import EvaluationBinding

    try:
        info = PdfFileReader(io.BytesIO(pdf), strict=False).trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except Exception:  # noqa: BLE001 - any unreadable structure means: not bound
        keywords = ""
    signed = EvaluationBinding.parse(keywords)
    if signed is None:
        return ("the evaluation's PDF does not state which evaluation it is (no document id, "
                "event and figures in its signed document information)")
    claimed = EvaluationBinding.of(
        str(payload.get("document_id") or ""), str(payload.get("event_id") or ""),
        payload.get("content_sha256"), payload.get("score_total"), payload.get("grade"))
    if claimed != signed:
        return (f"the evaluation's figures differ from those in its signed PDF (the record "
                f"says {claimed.keywords()}, the PDF {signed.keywords()})")
    return None


def _signing_certificates(pdf: bytes) -> list[bytes]:
    """DER of the certificate behind each signature of the PDF."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return [embedded.signer_cert.dump() for embedded in reader.embedded_signatures]
    except Exception:  # a PDF that verify_pdf accepted but this cannot read: not proven
        return []


def _document_row(payload: dict[str, Any], verified: _Verified, device_id: str,
                  now: datetime) -> dict[str, Any]:
    signed_at = payload.get("signed_at")
    return {"id": payload["id"], "event_id": payload["event_id"], "event_name": "",
            "company_name": "", "company_licence": None,
            "version": payload["version"], "status": payload["status"],
            "score_total": payload.get("score_total"), "grade": payload.get("grade"),
            "coverage": payload.get("coverage"),
            "signed_at": _parse_time(signed_at) if isinstance(signed_at, str) else None,
            "supervisor_name": str(payload.get("supervisor_name") or ""),
            "document_id": str(payload.get("document_id") or ""), "device_id": device_id,
            "pdf": verified.pdf, "pdf_sha256": verified.pdf_sha256,
            "signer_subject": verified.signer_subject, "verified_at": now, "received_at": now}

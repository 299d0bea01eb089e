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
from typing import TYPE_CHECKING, Any, NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import create_engine, delete, func, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

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
from app.hq.models import (
    HQ_DEVICE,
    Device,
    DeviceEvent,
    EnrolmentCode,
    EvaluationDocument,
    HqSetting,
    PersonPseudonym,
    RecordProposal,
    RevokedCertificate,
    RevokedIssuer,
    TrustIssuer,
)
from app.hq.models import Record as RecordRow
from app.sync.protocol import (
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
    plain_text,
    raw_public_key,
    read_signed,
    record_problem,
    write_signed,
)

if TYPE_CHECKING:
    from app.profile.db import Database

HQ_DB_ENV = "VENUE_SUPERVISOR_HQ_DB"
PACKAGE_KEY_SETTING = "package_key"
PACKAGE_PUBLIC_KEY_SETTING = "package_public_key"  # in clear: it is public
PSEUDONYM_KEY_SETTING = "pseudonym_key"
PRIVATE_KEY_SETTINGS = (PACKAGE_KEY_SETTING, PSEUDONYM_KEY_SETTING)
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
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("venue-supervisor-hq", appauthor=False)) / "hq.sqlite3"
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        _restrict(path.parent, 0o700)  # HQ's own folder: for its owner only
    return f"sqlite:///{path.resolve()}"


def _restrict(path: Path, mode: int) -> None:
    """Take group and other permissions away from a file or folder of HQ's (best effort: a
    file someone else owns is left as it is)."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        pass


def _private_sqlite_file(url: str) -> None:
    """HQ's SQLite database (keys, tokens' hashes, guards' records) readable by its owner
    only: created 0600 before SQLite opens it (its -wal and -shm files take the database
    file's mode), and an existing one tightened."""
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:  # noqa: BLE001 - create_engine reports a bad URL in its own words
        return
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            return  # created meanwhile, or not allowed: SQLite says what it finds
    for companion in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm",
                                                                       "-journal"))):
        if companion.exists():
            _restrict(companion, 0o600)


def _configure_sqlite(dbapi_conn: Any, _record: object) -> None:
    # Transactions are begun by _begin_sqlite, not by the driver (which would begin only
    # before DML, and never IMMEDIATE).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # What is deleted or replaced is overwritten, not left in free space: a key sealed in
    # place leaves no copy of itself in clear in the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A batch reads which ids exist, then writes: begun deferred, a write another process
    # committed in between would make the upgrade to a write lock fail at once
    # (SQLITE_BUSY_SNAPSHOT) instead of waiting. IMMEDIATE takes the write lock up front.
    mode = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
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
        self._pseudonym_key: bytes | None = None
        # The key-encryption key once unlock_keys had the passphrase (app.hq.keys); without
        # it, keys sealed before cannot be used and new ones are made in clear only on a
        # store that has never been sealed (the Python API, as the tests use it; the command
        # line refuses that without --insecure-dev-keys).
        self._key_cipher: Any = None
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

    # ------------------------------------------------------------------ private keys
    def keys_sealed(self) -> bool:
        """Are HQ's private keys protected by a passphrase (app.hq.keys)?"""
        return self.setting(PROTECTION_SETTING) is not None

    def keys_in_clear(self) -> list[str]:
        """The private keys stored unencrypted (made before keys were sealed, or in a trial)."""
        return [name for name in PRIVATE_KEY_SETTINGS
                if (value := self.setting(name)) is not None and not is_sealed(value)]

    def unlock_keys(self, passphrase: bytes | None, insecure_dev_keys: bool = False) -> None:
        """Make HQ's private keys usable by this process; KeyAccessError when they cannot be.

        With a passphrase: a store never sealed is sealed now (keys in clear are encrypted in
        place, the keys themselves unchanged, so enrolled laptops keep verifying packages);
        a sealed store is opened, a wrong passphrase refused. Without one: a sealed store is
        refused; any other only with ``insecure_dev_keys`` (keys kept or made in clear).
        """
        stored = self.setting(PROTECTION_SETTING)
        if passphrase is None:
            if stored is not None:
                raise KeyAccessError(
                    f"HQ's private keys are encrypted: give their passphrase with "
                    f"--key-passphrase-file FILE (or set {PASSPHRASE_FILE_ENV}=FILE)")
            if not insecure_dev_keys:
                kept = ("are stored unencrypted in the HQ database; give a passphrase to "
                        "encrypt them now" if self.keys_in_clear() else
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
            with self.begin() as s:
                s.execute(self._insert(HqSetting.__table__).values(key=PROTECTION_SETTING,
                                                                    value=text))
            stored = self.setting(PROTECTION_SETTING)  # whoever inserted first wins
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
        for name in self.keys_in_clear():
            value = self.setting(name)
            assert value is not None
            if name == PACKAGE_KEY_SETTING:
                self._remember_public_key(b64decode(value))
            with self.begin() as s:
                # Only over the value read: a key changed meanwhile is not overwritten.
                s.execute(update(HqSetting).where(HqSetting.key == name,
                                                  HqSetting.value == value)
                          .values(value=seal(self._key_cipher, name, b64decode(value))))

    def _secret(self, name: str, size: int) -> bytes:
        """A private key's bytes, made (random) on first use; KeyAccessError when locked."""
        value = self.setting(name)
        if value is None:
            fresh = secrets.token_bytes(size)
            if self._key_cipher is not None:
                text = seal(self._key_cipher, name, fresh)
            elif self.keys_sealed():
                raise self._locked()
            else:
                text = b64encode(fresh)
            with self.begin() as s:
                s.execute(self._insert(HqSetting.__table__).values(key=name, value=text))
            value = self.setting(name)  # whoever inserted first wins; all read the same
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
        with self.begin() as s:
            s.execute(self._insert(HqSetting.__table__).values(
                key=PACKAGE_PUBLIC_KEY_SETTING, value=b64encode(public)))

    def package_key(self) -> Ed25519PrivateKey:
        """HQ's package-signing key, made on first use (laptops learn its public half when
        they enrol, so it must never change afterwards)."""
        if self._package_key is None:
            private = self._secret(PACKAGE_KEY_SETTING, 32)
            key = Ed25519PrivateKey.from_private_bytes(private)
            if self.setting(PACKAGE_PUBLIC_KEY_SETTING) is None:
                self._remember_public_key(private)
            self._package_key = key
        return self._package_key

    def package_public_key(self) -> bytes:
        """The public half: kept in clear, so enrolling needs no passphrase."""
        if self._package_key is not None:
            return raw_public_key(self._package_key)
        text = self.setting(PACKAGE_PUBLIC_KEY_SETTING)
        return b64decode(text) if text else raw_public_key(self.package_key())

    # ------------------------------------------------------------------ person pseudonyms
    def pseudonym_of(self, id_number: str) -> str:
        """HMAC-SHA256(HQ's pseudonym key, normalised ID number), hex: the same person gives
        the same pseudonym in every event, and without the key (sealed, never sent) no one
        can test a guess of the number against it."""
        from app.inspection.identity import normalise_id_number

        if self._pseudonym_key is None:
            self._pseudonym_key = self._secret(PSEUDONYM_KEY_SETTING, 32)
        return hmac.new(self._pseudonym_key, normalise_id_number(id_number).encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def _store_pseudonyms(self, db: Database, event_id: str, report: Any) -> int:
        """The pseudonym of each guard of an event HQ prepared from a roster it read."""
        from app.inspection.identity import cert_key
        from app.profile.models import Guard

        numbers = {cert_key(row.cert_no): row.id_number for row in report.valid_rows
                   if row.id_number}
        with db.read() as s:
            guards = s.execute(select(Guard.id, Guard.cert_key).where(
                Guard.event_id == event_id, Guard.deleted_at.is_(None))).all()
        now = utc_now()
        rows = [{"guard_id": guard_id, "event_id": event_id,
                 "pseudonym": self.pseudonym_of(numbers[key]), "created_at": now}
                for guard_id, key in guards if key in numbers]
        with self.begin() as s:
            s.execute(delete(PersonPseudonym).where(PersonPseudonym.event_id == event_id))
            for part in chunks(rows, 5_000):
                s.execute(insert(PersonPseudonym), list(part))
        return len(rows)

    def events_of_person(self, pseudonym: str) -> list[str]:
        """The ids of the events HQ prepared in which this person (pseudonym) is rostered."""
        with self.Session() as s:
            return sorted(set(s.scalars(select(PersonPseudonym.event_id).where(
                PersonPseudonym.pseudonym == pseudonym))))

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
        for label, text in (("enrolment code", code), ("device name", device_name),
                            ("signing certificate", signing_certificate_pem),
                            ("previous token", previous_token)):
            if text and not plain_text(text, 1024 * 1024):
                raise EnrolError(400, f"the {label} holds a NUL character or text that is not "
                                      f"valid Unicode")
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
        if not (plain_text(device_id, 36) and plain_text(secret, 1024)):
            # No id or secret a database could hold (NUL, a lone surrogate, too long).
            device_id, secret = "", ""
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
        if not plain_text(pem, 1024 * 1024):
            raise HqError(400, "the signing certificate holds a NUL character or text that is "
                               "not valid Unicode")
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
    def known(self, items: Iterable[dict[str, Any]], device_id: str | None = None) -> list[str]:
        """The ids among ``items`` ({"id", "hash"}) that HQ holds with exactly that hash (or,
        for ``device_id``, holds as that laptop's proposal with that hash)."""
        wanted: dict[str, str] = {}
        for item in items:
            if isinstance(item, dict) and plain_text(item.get("id"), 64) \
                    and plain_text(item.get("hash"), 64):
                wanted[item["id"]] = item["hash"]
        held: dict[str, str] = {}
        proposed: dict[str, str] = {}
        with self.Session() as s:
            for chunk in chunks(list(wanted)):
                held.update(s.execute(select(RecordRow.id, RecordRow.content_hash)
                                      .where(RecordRow.id.in_(chunk))).all())
                if device_id is not None:
                    proposed.update(s.execute(
                        select(RecordProposal.record_id, RecordProposal.content_hash)
                        .where(RecordProposal.device_id == device_id,
                               RecordProposal.record_id.in_(chunk))).all())
        return [record_id for record_id, digest in wanted.items()
                if held.get(record_id) == digest or proposed.get(record_id) == digest]

    def ingest(self, device_id: str, records: Sequence[object]) -> list[dict[str, Any]]:
        """Apply the outcome table to a batch; one result per record, in order.

        One transaction, one SELECT of the ids already held, one bulk INSERT. A record that
        fails is reported and left out; it never blocks the others. What a laptop sends never
        changes what another laptop pulls: HQ's own rows (the ones packages carry) change only
        by HQ (a laptop's change to one is kept as its proposal, a company's not at all), a
        record keeps the kind and owner it arrived with, and a laptop writes only within the
        events it took down or made itself.
        """
        results: list[dict[str, Any]] = [
            {"id": _answer_id(item), "status": "failed", "error": None} for item in records]

        def fail(index: int, message: str) -> None:
            results[index].update(status="failed", error=message)

        def done(index: int, status: str, note: str | None = None) -> None:
            results[index].update(status=status, error=note)

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
            scope = _Scope.of(s, device_id, incoming, held)
            proposals = (self._held_proposals(s, device_id, [r.id for r in incoming])
                         if device_id != HQ_DEVICE else {})
            # id -> (the copy to write, the hash it replaces or None for a new row)
            chosen: dict[str, tuple[_Incoming, str | None]] = {}
            superseded: dict[str, list[int]] = {}
            proposed: dict[str, _Incoming] = {}
            for record in incoming:
                current = held.get(record.id)
                earlier = chosen.get(record.id)
                if earlier is not None:
                    # A record sent twice in one batch is judged against the earlier copy.
                    current = _Held(earlier[0].hash, device_id, earlier[0].updated_at,
                                    earlier[0].kind)
                verdict = _judge(record, current, device_id)
                if verdict in ("insert", "replace", "propose"):
                    problem = scope.problem(record)
                    if problem is None and verdict == "propose" and current is not None \
                            and current.event_id and not scope.allows(current.event_id):
                        # HQ's row itself must belong to an event the laptop took down.
                        problem = _SCOPE_MESSAGE.format(kind=record.kind,
                                                        event=current.event_id)
                    if problem is not None:
                        fail(record.index, problem)
                        continue
                if verdict == "propose":
                    verdict = _judge_proposal(record, proposals.get(record.id))
                    if verdict == "present":
                        done(record.index, "present", _PROPOSAL_MESSAGE)
                        continue
                    proposals[record.id] = (record.hash, record.updated_at)
                    proposed[record.id] = record
                    done(record.index, "stored", _PROPOSAL_MESSAGE)
                    continue
                if verdict == "present":
                    done(record.index, "present")
                    continue
                if verdict == "kept-by-hq":
                    done(record.index, "present", _KEPT_BY_HQ_MESSAGE)
                    continue
                if verdict in _FAILURES:
                    fail(record.index, _FAILURES[verdict].format(kind=_held_kind(current)))
                    continue
                problem = self._prepare(record, device_id, certificate, now,
                                        scope.event_of(record))
                if problem is not None:
                    fail(record.index, problem)
                    continue
                if earlier is not None:
                    superseded.setdefault(record.id, []).append(earlier[0].index)
                    chosen[record.id] = (record, earlier[1])
                else:
                    chosen[record.id] = (record, current.hash if current else None)
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
                    if stored is not None and stored.hash == record.hash \
                            and stored.kind == record.kind:
                        done(record.index, "stored")
                        continue
                    verdict = _judge(record, stored, device_id)
                    if verdict == "replace" and stored is not None:
                        to_update.append((record, stored.hash))
                        continue
                    record.document = None
                    if verdict in _FAILURES:
                        fail(record.index, _FAILURES[verdict].format(kind=_held_kind(stored)))
                    elif verdict == "kept-by-hq":
                        done(record.index, "present", _KEPT_BY_HQ_MESSAGE)
                    elif verdict == "present":
                        done(record.index, "present")
                    else:  # HQ prepared the row meanwhile: judged again when sent again
                        fail(record.index, _CHANGED_MESSAGE)
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
                    fail(record.index, _CHANGED_MESSAGE)
                    record.document = None
            for record_id, indexes in superseded.items():
                final = results[chosen[record_id][0].index]
                for index in indexes:
                    results[index].update(status=final["status"], error=final["error"])
            if proposed:
                self._store_proposals(s, device_id, list(proposed.values()), scope, now)
            documents = [record for record, _previous in chosen.values()
                         if record.document is not None
                         and results[record.index]["status"] == "stored"]
            if documents:
                self._store_documents(s, documents)
        return results

    def _held(self, s: Session, ids: Sequence[str]) -> dict[str, _Held]:
        held: dict[str, _Held] = {}
        for chunk in chunks(sorted(set(ids))):
            for record_id, digest, owner, updated, kind, event_id in s.execute(
                    select(RecordRow.id, RecordRow.content_hash, RecordRow.device_id,
                           RecordRow.updated_at, RecordRow.kind, RecordRow.event_id)
                    .where(RecordRow.id.in_(chunk))):
                held[record_id] = _Held(digest, owner, updated, kind, event_id)
        return held

    @staticmethod
    def _held_proposals(s: Session, device_id: str,
                        ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """record id -> (hash, updated_at) of the device's proposals among ``ids``."""
        found: dict[str, tuple[str, str]] = {}
        for chunk in chunks(sorted(set(ids))):
            for record_id, digest, updated in s.execute(
                    select(RecordProposal.record_id, RecordProposal.content_hash,
                           RecordProposal.updated_at)
                    .where(RecordProposal.device_id == device_id,
                           RecordProposal.record_id.in_(chunk))):
                found[record_id] = (digest, updated)
        return found

    def _store_proposals(self, s: Session, device_id: str, records: list[_Incoming],
                         scope: _Scope, now: datetime) -> None:
        for record in records:
            values = {"kind": record.kind, "content_hash": record.hash,
                      "payload": canonical_json(record.payload).decode("utf-8"),
                      "event_id": scope.event_of(record), "updated_at": record.updated_at,
                      "received_at": now}
            s.execute(self._insert(RecordProposal.__table__).values(
                record_id=record.id, device_id=device_id, **values))
            s.execute(update(RecordProposal).where(
                RecordProposal.record_id == record.id,
                RecordProposal.device_id == device_id).values(**values))

    def _prepare(self, record: _Incoming, device_id: str, certificate: str | None,
                 now: datetime, event_id: str | None) -> str | None:
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
        record.row = {"id": record.id, "kind": record.kind, "content_hash": record.hash,
                      "payload": canonical_json(stored_payload).decode("utf-8"),
                      "device_id": device_id, "event_id": event_id,
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
        summary: dict[str, Any] = {"stored": 0, "present": 0, "failed": 0, "errors": []}
        # The supervisor's signing certificate, registered exactly as a sync registers it
        # (POST /devices/me/certificate) and before the records, so that a laptop that never
        # reaches HQ online delivers its signed evaluations by bundle. The bundle's own
        # signature, by the device key, vouches for it as the device token does online.
        certificate = body.get("signing_certificate_pem")
        if certificate is not None:
            try:
                if not isinstance(certificate, str):
                    raise HqError(400, "the signing certificate is not a PEM X.509 certificate")
                self.register_certificate(signer, certificate)
            except HqError as exc:
                summary["errors"].append(f"the supervisor's signing certificate in the bundle "
                                         f"was not registered: {exc.message}")
        # Counted batch by batch: a result kept for each of 100,000 records would be tens of
        # megabytes more at the peak of reading the file.
        for part in chunks(body["records"], MAX_BATCH_RECORDS):
            for item, result in zip(part, self.ingest(signer, list(part)), strict=True):
                summary[result["status"]] += 1
                if result["status"] == "failed" \
                        and len(summary["errors"]) < MAX_ERRORS_REPORTED:
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
                               RecordRow.device_id == HQ_DEVICE,  # what the package carries
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

    def event_package(self, event_id: str, device_id: str | None = None) -> bytes:
        """The signed package a laptop prepares the event from (docs/sync-protocol.md): HQ's
        own rows only, whatever laptops sent. With ``device_id``, that laptop is recorded as
        having taken the event down: from then on it may send records of the event."""
        if not plain_text(event_id, 64):
            raise HqError(404, "headquarters prepared no such event")
        with self.Session() as s:
            event = s.get(RecordRow, event_id)
            if event is None or event.kind != "event" or event.device_id != HQ_DEVICE:
                raise HqError(404, f"headquarters prepared no event {event_id}")
            rows = list(s.scalars(select(RecordRow).where(
                RecordRow.event_id == event_id, RecordRow.device_id == HQ_DEVICE,
                RecordRow.kind.in_(("post", "guard")))))
            event_payload = json.loads(event.payload)
            company_id = event_payload.get("company_id")
            company = s.get(RecordRow, company_id) if isinstance(company_id, str) else None
            ordered = ([company] if company is not None and company.kind == "company"
                       and company.device_id == HQ_DEVICE else [])
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
        from app.inspection.checklist import template_document

        template = template_document(event_payload.get("checklist_template") or "checklist")
        body = {"event_id": event_id, "created_at": utc_now().isoformat(timespec="seconds"),
                "records": records, "checklist_template": template,
                "trust_list": [{"kid": i.kid, "name": i.name,
                                "public_key": b64encode(bytes(i.public_key)),
                                "valid_from": i.valid_from.isoformat(),
                                "valid_until": i.valid_until.isoformat()} for i in issuers],
                "revoked_certificates": revoked, "revoked_issuers": revoked_kids}
        data = write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, self.package_key())
        if device_id is not None and device_id != HQ_DEVICE:
            self.record_takedown(device_id, event_id)
        return data

    def record_takedown(self, device_id: str, event_id: str) -> None:
        """Note that a laptop took the event down (its package served to it, or handed to it
        by HQ staff): it may send records of the event from now on."""
        with self.begin() as s:
            if s.get(Device, device_id) is None:
                raise HqError(404, f"no enrolled device {device_id}")
            s.execute(self._insert(DeviceEvent.__table__).values(
                device_id=device_id, event_id=event_id, taken_at=utc_now()))

    def takedowns(self, event_id: str) -> list[str]:
        """The devices that took the event down."""
        with self.Session() as s:
            return sorted(s.scalars(select(DeviceEvent.device_id)
                                    .where(DeviceEvent.event_id == event_id)))

    # ------------------------------------------------------------------ laptops' proposals
    def proposals(self, event_id: str | None = None) -> list[dict[str, Any]]:
        """Laptops' changes to HQ's rows, waiting for HQ staff: each with the fields it
        changes (HQ's value, the laptop's; an attached photo is only named)."""
        with self.Session() as s:
            query = select(RecordProposal).order_by(RecordProposal.received_at,
                                                    RecordProposal.record_id)
            if event_id is not None:
                query = query.where(RecordProposal.event_id == event_id)
            found = list(s.scalars(query))
            current = self._payloads(s, sorted({p.record_id for p in found}))
        listed = []
        for proposal in found:
            proposed = json.loads(proposal.payload)
            held = current.get(proposal.record_id, {})
            changes = {key: [_shown_value(key, held.get(key)), _shown_value(key, value)]
                       for key, value in proposed.items()
                       if key not in ("updated_at",) and held.get(key) != value}
            listed.append({"record_id": proposal.record_id, "kind": proposal.kind,
                           "device_id": proposal.device_id, "event_id": proposal.event_id,
                           "updated_at": proposal.updated_at,
                           "received_at": _aware(proposal.received_at).isoformat(
                               timespec="seconds") if proposal.received_at else None,
                           "changes": changes})
        return listed

    def accept_proposal(self, record_id: str, device_id: str) -> dict[str, Any]:
        """HQ staff take a laptop's proposal as HQ's row: the packages carry it from now on.
        The row stays HQ's; the proposal is gone once accepted."""
        from app.sync.records import payload_problem

        with self.begin() as s:
            proposal = s.get(RecordProposal, (record_id, device_id))
            if proposal is None:
                raise HqError(404, f"no proposal from device {device_id} for record "
                                   f"{record_id}")
            row = s.get(RecordRow, record_id)
            if row is None or row.device_id != HQ_DEVICE or row.kind != proposal.kind:
                raise HqError(409, f"record {record_id} is no longer HQ's {proposal.kind}")
            payload = json.loads(proposal.payload)
            problem = payload_problem(proposal.kind, payload)
            if problem is not None:
                raise HqError(422, f"the proposal does not fit the {proposal.kind} table: "
                                   f"{problem}")
            row.payload = proposal.payload
            row.content_hash = proposal.content_hash
            row.updated_at = proposal.updated_at
            row.event_id = proposal.event_id
            row.received_at = utc_now()
            s.delete(proposal)
        return {"record_id": record_id, "kind": row.kind, "device_id": device_id,
                "event_id": row.event_id, "hash": row.content_hash}

    # ------------------------------------------------------------------ preparing events
    def add_event_from_profile(self, db: Database, event_id: str) -> str:
        """Take an event of a laptop profile (company, event, posts, guards) as HQ's own.

        A company HQ holds already stays exactly as HQ's register has it (licence, credit
        grade, black list: changed by HQ staff only); the event is linked to it. Every record
        is checked against its table first: one that does not fit refuses the whole event,
        and nothing is stored."""
        from app.sync.records import payload_problem, records_for_event

        with db.read() as s:
            records = records_for_event(s, event_id, db.data_dir)
        for record in records:
            problem = payload_problem(record.kind, record.payload)
            if problem is not None:
                raise HqError(422, f"the event cannot be prepared: {record.kind} "
                                   f"{record.id}: {problem}")
        with self.Session() as s:
            held = self._held(s, [r.id for r in records if r.kind == "company"])
        records = [r for r in records if not (r.kind == "company" and r.id in held)]
        results = self.ingest(HQ_DEVICE, [r.as_json() for r in records])
        failed = [r for r in results if r["status"] == "failed"]
        if failed:
            raise HqError(409, f"{len(failed)} records of the event could not be stored; "
                               f"first: {failed[0]['error']}")
        return event_id

    def _hq_company_names(self) -> set[str]:
        """The names in HQ's own register of companies."""
        with self.Session() as s:
            payloads = s.scalars(select(RecordRow.payload).where(
                RecordRow.kind == "company", RecordRow.device_id == HQ_DEVICE))
            return {str(json.loads(text).get("name") or "") for text in payloads}

    def _hq_event_named(self, name: str) -> str | None:
        for event in self.events_available():
            if event["name"] == name:
                return str(event["id"])
        return None

    @contextmanager
    def _scratch_profile(self) -> Iterator[Any]:
        """A throw-away laptop profile to build an event with the laptop's own code, holding
        HQ's companies so that a company keeps its id across events."""
        from app.inspection.workbench import Workbench
        from app.profile.db import Database
        from app.sync.records import apply_records, payload_problem

        with tempfile.TemporaryDirectory(prefix="hq-event-") as folder:
            db = Database(Path(folder))
            try:
                with self.Session() as s:
                    # HQ's register only: a company a laptop made is not HQ's to build on.
                    companies = [Record(kind="company", id=r.id, hash=r.content_hash,
                                        payload=json.loads(r.payload))
                                 for r in s.scalars(select(RecordRow).where(
                                     RecordRow.kind == "company",
                                     RecordRow.device_id == HQ_DEVICE))]
                companies = [c for c in companies  # a row from before the checks: left out
                             if payload_problem("company", c.payload) is None]
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
        from app.inspection.roster import check_roster
        from app.inspection.workbench import EventInput

        name = name.strip()
        if self._hq_event_named(name):
            raise HqError(409, f"headquarters already prepared an event named {name}")
        self.pseudonym_of("")  # a locked key refuses here, before anything is stored
        report = check_roster(roster_file, main_company=company)
        summary = report.summary()
        summary["error_count"] = report.error_count
        if not report.valid_rows:
            raise HqError(422, f"the roster has no valid row ({report.error_count} problems; "
                               f"python -m app roster check {roster_file} lists them)")
        company_name = company or getattr(report, "main_company", "") or ""
        registered = self._hq_company_names()
        with self._scratch_profile() as workbench:
            event_id = workbench.save_event(EventInput(
                name=name, venue=venue, organizer=organizer, starts_at=starts_at,
                expected_attendance=attendance, risk_level=risk,
                company_name=company_name, company_licence_no=company_licence))
            workbench.import_roster(event_id, report)
            self.add_event_from_profile(workbench.db, event_id)
            self._store_pseudonyms(workbench.db, event_id, report)  # HQ-only, never sent
        if company_name.strip() in registered:
            summary["company_note"] = (
                f"{company_name.strip()} is in headquarters' register already: its record "
                f"(licence, credit grade, black list) is kept as it is, and changes only by "
                f"HQ staff")
        return event_id, summary

    def add_demo_event(self) -> str:
        """The built-in demo event as an HQ event, with the demo's badge issuer trusted and
        its revoked certificate listed (once: a second call returns the same event)."""
        from app.demo import DEMO_EVENT_NAME, create_demo_event, demo_issuer
        from app.profile.models import RevokedCertificate as ProfileRevoked

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
        from app.profile.models import Company
        from app.sync.records import record_of

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
        """Add or update the issuers of a trust list file (app.badge.verify's format)."""
        from app.badge.verify import load_trust_list

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
        from app.badge.verify import load_revocations

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
_KIND_MESSAGE = ("headquarters holds this id as a record of the kind '{kind}'; a record's kind "
                 "is fixed when it first arrives, so it cannot arrive again as another kind")
_FAILURES = {"failed-owner": _OWNER_MESSAGE, "failed-kind": _KIND_MESSAGE}
_KEPT_BY_HQ_MESSAGE = ("headquarters keeps its own register of companies; this laptop's "
                       "change to it was noted as received and not applied")
_PROPOSAL_MESSAGE = ("headquarters prepared this record and keeps its own copy, which the "
                     "event's packages carry; this laptop's change is kept as its proposal, "
                     "for HQ staff to accept (hq accept-proposal)")
_CHANGED_MESSAGE = ("the record changed at headquarters while this batch was stored; send it "
                    "again")
_SCOPE_MESSAGE = ("this {kind} belongs to the event {event}, which this laptop neither took "
                  "down from headquarters nor made itself; a laptop sends records only of the "
                  "events it made, pulled, or got on a stick from HQ staff (hq export-package "
                  "--device)")
_NO_INSPECTION_MESSAGE = ("this check result's inspection {inspection} is neither at "
                          "headquarters nor in this batch; the inspection must arrive first")
# HQ's rows a laptop may propose a change to (a guard moved on the day, a photo); HQ's
# register of companies is not a laptop's to propose to.
PROPOSED_KINDS = frozenset({"event", "post", "guard"})


class _Held(NamedTuple):
    """What HQ holds under an id."""

    hash: str
    owner: str
    updated: str
    kind: str
    event_id: str | None = None


def _held_kind(current: _Held | None) -> str:
    return current.kind if current is not None else "?"


def _newer(incoming: str, held: str) -> bool:
    """Is ``incoming`` (an updated_at) the same time as ``held`` or later?"""
    incoming_time, held_time = _parse_time(incoming), _parse_time(held)
    if incoming_time is not None and held_time is not None:
        return incoming_time >= held_time
    return incoming >= held


def _judge(record: _Incoming, current: _Held | None, device_id: str) -> str:
    """'insert', 'replace', 'present', 'propose', 'kept-by-hq', 'failed-kind' or
    'failed-owner' for a record against what HQ holds under its id."""
    if current is None:
        return "insert"
    if current.kind != record.kind:
        # A record's kind is fixed when it first arrives: an HQ company sent again as a guard
        # would leave the register and the event lists.
        return "failed-kind"
    if current.hash == record.hash:
        return "present"
    if device_id == HQ_DEVICE:
        # HQ preparing its event again; a laptop's row stays the laptop's.
        return "replace" if current.owner == HQ_DEVICE else "failed-owner"
    if current.owner == HQ_DEVICE:
        # HQ's rows are what every laptop pulls: a laptop's change to one never replaces it.
        # The register of companies (credit grade, black list) is HQ's alone; a change to an
        # event, post or guard (a guard moved on the day, a photo) is kept as the laptop's
        # proposal, which HQ staff may accept.
        return "propose" if record.kind in PROPOSED_KINDS else "kept-by-hq"
    if current.owner != device_id:
        return "failed-owner"
    # The laptop's own record: its versions carry times of one clock.
    return "replace" if _newer(record.updated_at, current.updated) else "present"


def _judge_proposal(record: _Incoming, current: tuple[str, str] | None) -> str:
    """'store' or 'present' for a laptop's change to an HQ row against its earlier proposal
    (hash, updated_at): the laptop's own versions, one clock."""
    if current is None:
        return "store"
    digest, updated = current
    if digest == record.hash:
        return "present"
    return "store" if _newer(record.updated_at, updated) else "present"


@dataclass
class _Scope:
    """Which event each record of a batch belongs to, and whether the sending laptop may
    write within it: the events it took down (device_event) or made itself (an event record
    it owns, or sends in this very batch). HQ prepares any event."""

    device_id: str
    events: dict[int, str | None]  # record index -> its event (None: a company)
    unknown: dict[int, str]  # record index -> why its event cannot be told
    allowed: set[str]

    @classmethod
    def of(cls, s: Session, device_id: str, incoming: Sequence[_Incoming],
           held: dict[str, _Held]) -> _Scope:
        events: dict[int, str | None] = {}
        unknown: dict[int, str] = {}
        batch_inspections = {r.id: r.payload.get("event_id") for r in incoming
                             if r.kind == "inspection"}
        wanted = sorted({str(r.payload.get("inspection_id")) for r in incoming
                         if r.kind == "check_result"} - set(batch_inspections))
        held_inspections: dict[str, str | None] = {}
        for chunk in chunks(wanted):
            for record_id, kind, event_id in s.execute(
                    select(RecordRow.id, RecordRow.kind, RecordRow.event_id)
                    .where(RecordRow.id.in_(chunk))):
                if kind == "inspection":
                    held_inspections[record_id] = event_id
        for record in incoming:
            if record.kind == "company":
                events[record.index] = None
            elif record.kind == "event":
                events[record.index] = record.id
            elif record.kind == "check_result":
                inspection = str(record.payload.get("inspection_id"))
                event = batch_inspections.get(inspection) or held_inspections.get(inspection)
                events[record.index] = event if isinstance(event, str) else None
                if events[record.index] is None:
                    unknown[record.index] = _NO_INSPECTION_MESSAGE.format(
                        inspection=inspection)
            else:
                event = record.payload.get("event_id")
                events[record.index] = event if isinstance(event, str) else None
        allowed: set[str] = set()
        if device_id != HQ_DEVICE:
            scoped = sorted({e for e in events.values() if e}
                            | {h.event_id for h in held.values() if h.event_id})
            for chunk in chunks(scoped):
                allowed.update(s.scalars(select(DeviceEvent.event_id).where(
                    DeviceEvent.device_id == device_id, DeviceEvent.event_id.in_(chunk))))
                allowed.update(s.scalars(select(RecordRow.id).where(
                    RecordRow.id.in_(chunk), RecordRow.kind == "event",
                    RecordRow.device_id == device_id)))
            # Events this batch makes (ids HQ holds under no kind yet) are the laptop's own.
            allowed.update(r.id for r in incoming if r.kind == "event" and r.id not in held)
        return cls(device_id, events, unknown, allowed)

    def event_of(self, record: _Incoming) -> str | None:
        return self.events.get(record.index)

    def allows(self, event_id: str) -> bool:
        return self.device_id == HQ_DEVICE or event_id in self.allowed

    def problem(self, record: _Incoming) -> str | None:
        """Why the laptop may not write this record there; None when it may."""
        if self.device_id == HQ_DEVICE or record.kind == "company":
            return None
        if record.index in self.unknown:
            return self.unknown[record.index]
        event = self.events.get(record.index)
        if event and event in self.allowed:
            return None
        return _SCOPE_MESSAGE.format(kind=record.kind.replace("_", " "), event=event)


def _shown_value(key: str, value: object) -> object:
    """A payload value as ``hq proposals`` shows it: an attached file only by its size."""
    if key in ("photo", "evidence", "pdf") and isinstance(value, str):
        return f"<file, {len(value) * 3 // 4} bytes>"
    return value


def _answer_id(item: object) -> str | None:
    """A received record's id as the answer may repeat it (JSON-encodable text), else None."""
    value = item.get("id") if isinstance(item, dict) else None
    return value if plain_text(value, 200) else None


# The kinds whose rows belong to one event (a check result belongs to its inspection).
EVENT_SCOPED_KINDS = frozenset({"post", "guard", "inspection", "finding", "post_status",
                                "evaluation"})


def _payload_problem(kind: str, payload: dict[str, Any]) -> str | None:
    """What makes a payload unusable beyond the envelope checks, in plain words: first the
    laptop table it maps to (app.sync.records.payload_problem: columns, types, NOT NULL,
    lengths, 64-bit integers, times), then what HQ needs of it."""
    from app.sync.records import payload_problem

    problem = payload_problem(kind, payload)
    if problem is not None:
        return problem
    if kind in EVENT_SCOPED_KINDS and not payload.get("event_id"):
        return f"the {kind} names no event (event_id)"
    return None


@dataclass(frozen=True)
class _Verified:
    pdf: bytes
    pdf_sha256: str
    signer_subject: str


def _verify_evaluation(payload: dict[str, Any], certificate: str | None,
                       device_id: str) -> _Verified | str:
    """The signed evaluation's PDF once proven; else why not, in plain words."""
    from app.evaluation.signing import verify_pdf

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

    from app.evaluation.pdf_binding import EvaluationBinding

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

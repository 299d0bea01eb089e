"""Running ``python -m app hq ...`` once app.hq.cli has parsed it.

Output meant for scripts is one JSON object on the last line of stdout; problems go to
stderr in plain words, with a non-zero exit.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import ipaddress
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.badge.trust_lists import TrustListError
from app.cli.common import CommandError, print_json, read_secret
from app.evaluation.rules import MAX_RULES_BYTES, RulesDocumentError
from app.hq import audit, document_numbers, vetting
from app.hq.errors import HqError
from app.hq.keys import (
    MIN_PASSPHRASE_CHARS,
    PASSPHRASE_FILE_ENV,
    KeyAccessError,
    encrypt_pem,
    read_passphrase_file,
)
from app.hq.models import Device
from app.hq.published_rules import publish_rules, rules_in_force
from app.hq.sample_rows import event_sample
from app.hq.staff import HQ_NAME_SETTING
from app.hq.store import HqStore
from app.inspection.roster import RosterFileError
from app.orm import as_utc
from app.sync.protocol import MAX_SIGNED_FILE_BYTES, SignedFileError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(message, file=sys.stderr)
    return code


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed ``hq`` command; its exit status."""
    if args.hq_command == "make-cert":
        return _make_cert(args)
    try:
        store = HqStore(args.db)
    except Exception as exc:  # a bad URL, an unreachable server, a file that is no database
        return _fail(f"the HQ database cannot be opened ({args.db or 'default'}): {exc}")
    try:
        return _run(args, store)
    except KeyAccessError as exc:
        return _fail(str(exc))
    except HqError as exc:
        return _fail(exc.message, EXIT_PROBLEMS)
    except CommandError as exc:
        return _fail(str(exc), EXIT_PROBLEMS)
    finally:
        store.close()


# The commands that use a private key: serve and export-package sign packages, add-event
# computes the person pseudonyms.
KEY_COMMANDS = frozenset({"serve", "export-package", "add-event"})


def _key_passphrase(args: argparse.Namespace) -> bytes | None:
    """From --key-passphrase-file, else the file $VENUE_SUPERVISOR_HQ_KEY_PASSPHRASE_FILE
    names; None when neither is given. KeyAccessError when the file cannot be read."""
    path = getattr(args, "key_passphrase_file", None) or os.environ.get(PASSPHRASE_FILE_ENV)
    return read_passphrase_file(path) if path else None


def _unlock_keys(args: argparse.Namespace, store: HqStore) -> str | None:
    """None once HQ's private keys are usable, else the message to exit 2 with."""
    try:
        passphrase = _key_passphrase(args)
        store.unlock_keys(passphrase, insecure_dev_keys=args.insecure_dev_keys)
    except KeyAccessError as exc:
        return str(exc)
    if passphrase is None:
        print("warning: HQ's private keys are stored unencrypted (--insecure-dev-keys); "
              "for a trial only", file=sys.stderr)
    return None


def _tls_key_password(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(the TLS key's passphrase for the TLS library or None, a message to exit 2 with)."""
    data = Path(args.key).read_bytes()
    if b"ENCRYPTED" not in data:
        return None, None
    passphrase = _key_passphrase(args)
    if passphrase is None:
        return None, (f"the TLS key {args.key} is encrypted: give its passphrase with "
                      f"--key-passphrase-file FILE (or {PASSPHRASE_FILE_ENV}=FILE)")
    try:  # checked here: the TLS library would ask on the terminal, or fail with a trace
        load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        return None, f"wrong passphrase for the TLS key {args.key}"
    try:
        return passphrase.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, f"the passphrase of the TLS key {args.key} must be UTF-8 text"


def _actor() -> str:
    """Who the audit log names for a change made on HQ's command line."""
    return f"command line ({getpass.getuser()})"


def _audited(store: HqStore, action: str, target: str, after: object) -> None:
    """The change a command just made, in the audit log (app.hq.audit)."""
    with store.db.begin() as s:
        audit.record(s, _actor(), action, target, None, after)


def _user_command(args: argparse.Namespace, store: HqStore) -> int:
    """``hq user add|list|disable``; the audit log names the command line's user."""
    actor = _actor()
    if args.user_command == "add":
        password = read_secret(args.password_file, f"Password for {args.name} (10 characters "
                               f"or more): ", confirm=True, what="password").decode("utf-8")
        print_json(store.accounts.add(args.name, args.role, password, actor).as_json())
    elif args.user_command == "list":
        print_json({"users": [account.as_json() for account in store.accounts.listed()]})
    else:
        account = store.accounts.disable(args.name, actor)
        print_json({**account.as_json(), "disabled_at": _iso(account.disabled_at)})
    return EXIT_OK


def _run(args: argparse.Namespace, store: HqStore) -> int:
    command = args.hq_command
    if command == "user":
        return _user_command(args, store)
    key_password: str | None = None
    if command == "serve":
        # The TLS files are checked before HQ's keys are unlocked: on a new store unlocking
        # seals the keys with the passphrase given, and a start refused for a mistyped one
        # must not leave them sealed with it.
        if bool(args.cert) != bool(args.key):
            return _fail("--cert and --key go together")
        for option in (args.cert, args.key):
            if option and not Path(option).is_file():
                return _fail(f"{option} does not exist")
        key_password, refused = _tls_key_password(args) if args.key else (None, None)
        if refused:
            return _fail(refused)
    if command in KEY_COMMANDS:
        refused = _unlock_keys(args, store)
        if refused:
            return _fail(refused)
    if command == "serve":
        # Imported here, not at the top: FastAPI and uvicorn take about 0.5 s and 29 MB
        # more (measured on this 2-core machine), for this one command; the bounded-memory
        # checks of `hq import-bundle` count them.
        from app.hq.server import serve

        if args.hq_name and args.hq_name.strip() != store.setting(HQ_NAME_SETTING):
            store.set_setting(HQ_NAME_SETTING, args.hq_name.strip())
            _audited(store, "hq.name", "hq", {"name": args.hq_name.strip()})
        port = args.port if args.port is not None else (8443 if args.cert else 8080)
        store.package_key()  # made now, not by the first laptop to enrol
        from app.hq.timestamps import stamp_pending_in_background

        stamp_pending_in_background(store.db, store.keys)
        serve(store, args.host, port, args.cert, args.key, args.ready_file,
              keyfile_password=key_password)
        return EXIT_OK
    if command == "enrol-code":
        code = store.create_enrolment_code(args.supervisor, args.ttl_hours)
        # Never the code itself: only its digest is kept.
        _audited(store, "enrolment_code.create", f"supervisor:{args.supervisor.strip()}",
                 {"ttl_hours": args.ttl_hours})
        expires = datetime.now(UTC) + timedelta(hours=args.ttl_hours)
        print(f"One-time enrolment code for {args.supervisor.strip()}, valid until "
              f"{expires:%Y-%m-%d %H:%M} UTC (it enrols one laptop):")
        print(code)
        return EXIT_OK
    if command == "stats":
        print_json(store.stats())
        return EXIT_OK
    if command == "import-bundle":
        return _import_bundle(store, Path(args.file))
    if command == "staff-password":
        store.set_staff_password(read_secret(
            args.password_file, "Staff password (8 characters or more): ", confirm=True,
            what="password").decode("utf-8"))
        _audited(store, "staff_password.set", "hq", {"set": True})
        print("The staff password is set: staff sign in to the HQ pages with it (any user "
              "name).")
        return EXIT_OK
    if command == "devices":
        print_json({"devices": [_device_json(d) for d in store.devices()]})
        return EXIT_OK
    if command == "revoke-device":
        device = store.revoke_device(args.device_id)
        _audited(store, "device.revoke", f"device:{device.id}",
                 {"revoked_at": _iso(device.revoked_at)})
        print_json({"device_id": device.id, "revoked_at": _iso(device.revoked_at)})
        return EXIT_OK
    if command == "add-event":
        return _add_event(store, args)
    if command == "demo-event":
        event_id = store.add_demo_event(_actor())
        _audited(store, "event.demo", f"event:{event_id}", None)
        print_json({"event_id": event_id})
        return EXIT_OK
    if command == "sample":
        drawn = event_sample(store.db, args.event)
        if drawn is None:
            return _fail(f"headquarters prepared no event {args.event!r}")
        print_json(drawn.as_json())
        return EXIT_OK
    if command == "set-form":
        form = document_numbers.set_form(store.db, args.unit, args.prefix, args.basis,
                                         args.minimum_sample_share)
        _audited(store, "form.set", "form", form)
        print_json(form)
        return EXIT_OK
    if command == "document-numbers":
        print_json(document_numbers.listing(store.db, args.device))
        return EXIT_OK
    if command == "proposals":
        print_json({"proposals": store.proposals(args.event)})
        return EXIT_OK
    if command == "accept-proposal":
        accepted = store.accept_proposal(args.record, args.device)
        _audited(store, "proposal.accept", f"record:{args.record}", accepted)
        print_json(accepted)
        return EXIT_OK
    if command == "export-package":
        # For one laptop the stick carries what its online download would: its document
        # number blocks and its zone; a stick for several laptops carries neither.
        data = store.event_package(args.event, args.device[0] if len(args.device) == 1
                                   else None)
        for device_id in args.device:  # HQ staff hand the stick to these laptops
            store.record_takedown(device_id, args.event, handed_by=_actor())
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print_json({"event_id": args.event, "out": str(out), "bytes": len(data)})
        return EXIT_OK
    if command == "publish-rules":
        return _publish_rules(store, Path(args.file))
    if command == "rules":
        print_json(rules_in_force(store.db))
        return EXIT_OK
    if command == "vetting-import":
        try:
            if Path(args.file).stat().st_size > vetting.MAX_IMPORT_BYTES:  # not read at all
                return _fail(f"{args.file} is larger than "
                             f"{vetting.MAX_IMPORT_BYTES // (1024 * 1024)} MB", EXIT_PROBLEMS)
            data = Path(args.file).read_bytes()
        except OSError as exc:
            return _fail(f"{args.file} cannot be read: {exc.strerror or exc}")
        print_json(vetting.import_vetting(store.db, _actor(), data))
        return EXIT_OK
    if command == "trust-import":
        try:
            count = store.import_trust_list(args.file)
        except TrustListError as exc:
            return _fail(str(exc))
        _audited(store, "trust_list.import", "trust_list", {"issuers": count})
        print_json({"issuers": count, **store.trust_summary()})
        return EXIT_OK
    if command == "revoked-import":
        try:
            certificates, issuers = store.import_revocations(args.file)
        except TrustListError as exc:  # RevocationListError is one
            return _fail(str(exc))
        _audited(store, "revocation_list.import", "revocation_list",
                 {"revoked_certificates": certificates, "revoked_issuers": issuers})
        print_json({"revoked_certificates": certificates, "revoked_issuers": issuers})
        return EXIT_OK
    return _fail(f"unknown hq command {command}")


def _import_bundle(store: HqStore, path: Path) -> int:
    try:
        # Measured before it is read: a file larger than any real bundle is not read at all.
        if path.stat().st_size > MAX_SIGNED_FILE_BYTES:
            return _fail(f"the bundle {path} is refused: it is larger than "
                         f"{MAX_SIGNED_FILE_BYTES // (1024 * 1024)} MB", EXIT_PROBLEMS)
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"the bundle {path} cannot be read: {exc.strerror or exc}")
    try:
        summary = store.import_bundle(data)
    except SignedFileError as exc:
        # README: exit 1 when the file is refused (2 is for a command that cannot run)
        return _fail(f"the bundle {path} is refused: {exc}", EXIT_PROBLEMS)
    _audited(store, "bundle.import", f"bundle:{path.name}",
             {k: summary[k] for k in ("stored", "present", "failed") if k in summary})
    print_json(summary)
    if summary["failed"]:
        print(f"{summary['failed']} records were refused; first: {summary['errors'][0]}",
              file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _publish_rules(store: HqStore, path: Path) -> int:
    """``hq publish-rules FILE``: checked as the laptop checks a package's rules; exit 2 and
    nothing stored when refused."""
    try:
        # Measured before it is read: a file larger than any rules document is not read.
        if path.stat().st_size > MAX_RULES_BYTES:
            return _fail(f"the scoring rules {path} are refused: the file is larger than "
                         f"{MAX_RULES_BYTES // 1024} KB")
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"the scoring rules {path} cannot be read: {exc.strerror or exc}")
    try:
        published = publish_rules(store.db, data)
    except RulesDocumentError as exc:
        return _fail(f"the scoring rules {path} are refused: {exc}")
    if published.get("published"):
        _audited(store, "rules.publish", f"rules:{published['version']}", published)
    print_json(published)
    return EXIT_OK


def _add_event(store: HqStore, args: argparse.Namespace) -> int:
    starts_at = None
    if args.starts_at:
        try:
            starts_at = datetime.fromisoformat(args.starts_at)
        except ValueError:
            return _fail(f"--starts-at {args.starts_at!r} is not a date and time like "
                         f"2026-12-12T19:30+08:00")
        if starts_at.tzinfo is None:
            return _fail("--starts-at needs its time zone, e.g. 2026-12-12T19:30+08:00")
    try:
        event_id, summary = store.add_event(
            args.roster, args.name, venue=args.venue, starts_at=starts_at, risk=args.risk,
            attendance=args.attendance, company=args.company, organizer=args.organizer,
            company_licence=args.licence)
    except RosterFileError as exc:
        return _fail(str(exc))
    _audited(store, "event.add", f"event:{event_id}", {"name": args.name.strip()})
    print_json({"event_id": event_id, "name": args.name.strip(), "roster": summary})
    return EXIT_PROBLEMS if summary.get("error_count") else EXIT_OK


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return as_utc(moment).isoformat(timespec="seconds")


def _device_json(device: Device) -> dict[str, object]:
    return {"id": device.id, "name": device.name, "supervisor": device.supervisor,
            "enrolled_at": _iso(device.enrolled_at), "revoked_at": _iso(device.revoked_at),
            "last_seen_at": _iso(device.last_seen_at),
            "signing_certificate": bool(device.signing_certificate_pem)}


def _make_cert(args: argparse.Namespace) -> int:
    """A self-signed certificate for the service: laptops pin it at enrolment (trust on
    first use, checked against the fingerprint printed here)."""
    cert_path, key_path = Path(args.cert), Path(args.key)
    for path in (cert_path, key_path):
        if path.exists():
            return _fail(f"{path} exists already; it is not overwritten")
    try:
        passphrase = _key_passphrase(args)
    except KeyAccessError as exc:
        return _fail(str(exc))
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE_CHARS:
        return _fail(f"the key passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")
    names: list[x509.GeneralName] = []
    hosts = ["localhost", "127.0.0.1", *args.host]
    for host in dict.fromkeys(h.strip() for h in hosts if h.strip()):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, args.host[0] if args.host
                                            else "venue-supervisor-hq")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=args.days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # CA:TRUE lets a laptop use this very certificate as its only trust anchor (pinning).
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256()))
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    if passphrase is not None:
        key_pem = encrypt_pem(key, passphrase)
    else:
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        print(f"note: the TLS key {key_path} is not encrypted (readable by its owner only); "
              f"--key-passphrase-file F encrypts it", file=sys.stderr)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_pem)
    cert_path.write_bytes(cert_pem)
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER))
    print_json({"cert": str(cert_path), "key": str(key_path),
                 "sha256": fingerprint.hexdigest(),
                 "hosts": [str(getattr(n, "value", n)) for n in names]})
    return EXIT_OK

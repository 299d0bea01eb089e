"""Event packages down from headquarters: the events HQ offers, a package pulled over the
network or read from a signed file, its signature checked, then applied in one transaction
(records, trust list and revocations together) so that a package that fails changes nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from app.badge.trust_lists import (
    TRUST_LIST_FORMAT,
    TRUST_LIST_VERSION,
    TrustedIssuer,
    TrustListError,
    load_trust_list,
)
from app.badge.trust_store import REVOKED_COUNT_SETTING
from app.evaluation.document_numbers import package_form, store_form
from app.evaluation.rules import RulesDocumentError
from app.evaluation.rules_store import PackageRules, checked_package_rules, store_package_rules
from app.i18n import translate
from app.profile.db import Database
from app.profile.models import (
    Base,
    Outbox,
    ProfileSetting,
    RevokedCertificate,
    RevokedIssuer,
)
from app.profile.models import TrustedIssuer as TrustedIssuerRow
from app.sync.apply import apply_records
from app.sync.enrolment import Enrolment
from app.sync.protocol import (
    HQ_SIGNER,
    PACKAGE_FORMAT,
    Record,
    SignedFileError,
    b64decode,
    chunks,
    read_signed,
)
from app.sync.records import RecordError
from app.sync.state import HQ_PACKAGE_KEY, SyncError, now_text


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


class PackageDownload:
    """Event packages into one profile. Each call opens its own sessions: safe from a worker
    thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.enrolment = Enrolment(db)

    def remote_events(self) -> list[RemoteEvent]:
        with self.enrolment.connection() as hq:
            answer = hq.request_object("GET", "/events")
        return [RemoteEvent(id=e["id"], name=e["name"], venue=e.get("venue") or "",
                            starts_at=e.get("starts_at"),
                            company_name=e.get("company_name") or "",
                            guards=int(e.get("guards") or 0), posts=int(e.get("posts") or 0))
                for e in answer.get("events", [])]

    def pull_event(self, event_id: str) -> PackageSummary:
        with self.enrolment.connection() as hq:
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
        except (KeyError, TypeError, ValueError, RecursionError, TrustListError) as exc:
            raise SyncError(translate("Sync", "The event package is damaged: {0}")
                            .format(exc)) from None
        events = [r for r in records if r.kind == "event"]
        if len(events) != 1:
            raise SyncError(translate("Sync", "The event package holds no event"))
        form, blocks = package_form(body)  # checked before anything is written
        scoring: PackageRules | None = None
        if "scoring_rules" in body:  # absent from an HQ of the version before
            try:
                scoring = checked_package_rules(self.db, body["scoring_rules"])
            except RulesDocumentError as exc:
                raise SyncError(translate("Sync", "The event package is refused: {0}")
                                .format(exc)) from None
        try:
            with self.db.begin() as s:
                # The write lock first: SQLite would otherwise begin the transaction at the
                # first write, and a scan saved in between would fall in the range below.
                s.execute(update(ProfileSetting).where(ProfileSetting.key == "device_id")
                          .values(value=ProfileSetting.value))
                before = s.scalar(select(func.max(Outbox.seq))) or 0
                unsent: set[str] = set()
                ids = [r.id for r in records]
                for chunk in chunks(ids):
                    unsent.update(s.scalars(select(Outbox.record_id).where(
                        Outbox.record_id.in_(chunk),
                        Outbox.acknowledged_at.is_(None))))
                result = apply_records(s, records, self.db.files, keep_local=unsent)
                store_form(s, form, blocks)
                if scoring is not None:
                    store_package_rules(s, events[0].id, scoring)
                # The rows now exactly as HQ sent them need not go back; a local company
                # the package matched by name took HQ's values under its own id, which HQ
                # does not hold: that one goes up.
                for chunk in chunks(result.applied):
                    s.execute(update(Outbox).where(
                        Outbox.seq > before, Outbox.record_id.in_(chunk))
                        .values(acknowledged_at=now_text()))
                for issuer in issuers:
                    s.merge(TrustedIssuerRow(kid=issuer.kid, name=issuer.name,
                                          public_key=issuer.public_key,
                                          valid_from=issuer.valid_from,
                                          valid_until=issuer.valid_until))
                if "revoked_certificates" in body:
                    s.query(RevokedCertificate).delete()
                    s.query(RevokedIssuer).delete()
                    if revoked:
                        s.execute(insert(_table(RevokedCertificate)),
                                  [{"cert_key": k} for k in revoked])
                    if revoked_kids:
                        s.execute(insert(_table(RevokedIssuer)),
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


def _issuers(items: list[dict[str, Any]]) -> list[TrustedIssuer]:
    """Trust list entries checked by the same code as a trust list file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trust-list.json"
        path.write_text(json.dumps({"format": TRUST_LIST_FORMAT,
                                    "version": TRUST_LIST_VERSION, "issuers": items}),
                        encoding="utf-8")
        return list(load_trust_list(path))


def _table(model: type[Base]) -> Table:
    """A model's table, for a Core INSERT of many rows (no ORM object made per row)."""
    return Base.metadata.tables[model.__tablename__]

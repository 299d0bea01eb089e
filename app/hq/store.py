"""Headquarters' store: the one object the HTTP server (app.hq.server), the command line
(app.hq.cli) and the tests drive. No web framework and no rules here: each method hands
over to the module that does the work.

- app.hq.database: the engine, a unit of work, settings;
- app.hq.key_ring and app.hq.staff: HQ's private keys, the staff password, HQ's name;
- app.hq.devices: enrolment codes, device tokens, signing certificates;
- app.hq.ingest (rules in app.hq.ingest_rules, signed PDFs in app.hq.signed_pdf): records
  and bundles in;
- app.hq.packages, app.hq.proposals, app.hq.trust: packages out, laptops' proposals, the
  badge trust and revocation lists;
- app.hq.events, app.hq.event_records, app.hq.demo_event: events HQ prepares.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from app.hq import demo_event, devices, events, ingest, packages, proposals, trust
from app.hq.accounts import Accounts
from app.hq.database import HqDatabase
from app.hq.devices import EnrolResult
from app.hq.key_ring import KeyRing
from app.hq.models import Device
from app.hq.staff import StaffAccess, hq_name
from app.inspection.values import EventInput


class HqStore:
    """Headquarters' database and everything done with it."""

    def __init__(self, url: str | None = None) -> None:
        self.db = HqDatabase(url)
        self.url, self.engine, self.Session = self.db.url, self.db.engine, self.db.Session
        self.keys = KeyRing(self.db)
        self.staff = StaffAccess(self.db)
        self.accounts = Accounts(self.db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session for one unit of work that writes, committed on success."""
        with self.db.begin() as session:
            yield session

    # ------------------------------------------------------------------ settings, staff
    def setting(self, key: str) -> str | None:
        return self.db.setting(key)

    def set_setting(self, key: str, value: str) -> None:
        self.db.set_setting(key, value)

    def hq_name(self) -> str:
        return hq_name(self.db)

    def set_staff_password(self, password: str) -> None:
        """The password HQ staff give the read pages (evaluations, companies)."""
        self.staff.set_password(password)

    def check_staff_password(self, password: str | None) -> bool | None:
        """True or False; None when no staff password has been set yet."""
        return self.staff.check_password(password)

    # ------------------------------------------------------------------ private keys
    def keys_sealed(self) -> bool:
        return self.keys.sealed()

    def keys_in_clear(self) -> list[str]:
        return self.keys.in_clear()

    def unlock_keys(self, passphrase: bytes | None, insecure_dev_keys: bool = False) -> None:
        self.keys.unlock(passphrase, insecure_dev_keys)

    def package_key(self) -> Ed25519PrivateKey:
        return self.keys.package_key()

    def package_public_key(self) -> bytes:
        return self.keys.package_public_key()

    def pseudonym_of(self, id_number: str) -> str:
        return self.keys.pseudonym_of(id_number)

    def events_of_person(self, pseudonym: str) -> list[str]:
        return events.events_of_person(self.db, pseudonym)

    # ------------------------------------------------------------------ devices
    def create_enrolment_code(self, supervisor: str, ttl_hours: float = 72) -> str:
        return devices.create_enrolment_code(self.db, supervisor, ttl_hours)

    def enrol(self, code: str, device_name: str, device_public_key: bytes,
              signing_certificate_pem: str | None = None,
              previous_token: str | None = None) -> EnrolResult:
        return devices.enrol(self.db, self.keys, code, device_name, device_public_key,
                             signing_certificate_pem, previous_token)

    def authenticate(self, token: str | None) -> Device:
        return devices.authenticate(self.db, token)

    def revoke_device(self, device_id: str) -> Device:
        return devices.revoke_device(self.db, device_id)

    def devices(self) -> list[Device]:
        return devices.devices(self.db)

    def device(self, device_id: str) -> Device | None:
        return devices.device(self.db, device_id)

    def register_certificate(self, device: Device | str, pem: str) -> str:
        return devices.register_certificate(self.db, device, pem)

    # ------------------------------------------------------------------ records in
    def known(self, items: Iterable[dict[str, Any]], device_id: str | None = None) -> list[str]:
        return ingest.known(self.db, items, device_id)

    def ingest(self, device_id: str, records: Sequence[object]) -> list[dict[str, Any]]:
        return ingest.ingest(self.db, device_id, records, self.keys)

    def import_bundle(self, data: bytes) -> dict[str, Any]:
        return ingest.import_bundle(self.db, data, self.keys)

    def stats(self) -> dict[str, int]:
        return ingest.stats(self.db)

    # ------------------------------------------------------------------ packages, proposals
    def events_available(self) -> list[dict[str, Any]]:
        return packages.events_available(self.db)

    def event_package(self, event_id: str, device_id: str | None = None,
                      handed_by: str | None = None) -> bytes:
        return packages.event_package(self.db, self.keys, event_id, device_id, handed_by)

    def record_takedown(self, device_id: str, event_id: str,
                        handed_by: str | None = None) -> None:
        packages.record_takedown(self.db, device_id, event_id, handed_by)

    def takedowns(self, event_id: str) -> list[str]:
        return packages.takedowns(self.db, event_id)

    def proposals(self, event_id: str | None = None) -> list[dict[str, Any]]:
        return proposals.proposals(self.db, event_id)

    def accept_proposal(self, record_id: str, device_id: str) -> dict[str, Any]:
        return proposals.accept_proposal(self.db, record_id, device_id)

    # ------------------------------------------------------------------ preparing events
    def add_event(self, roster_file: str | os.PathLike[str], name: str, venue: str = "",
                  starts_at: datetime | None = None, risk: str = "medium",
                  attendance: int = 0, company: str | None = None, organizer: str = "",
                  company_licence: str = "") -> tuple[str, dict[str, Any]]:
        details = EventInput(name=name, venue=venue, organizer=organizer,
                               starts_at=starts_at, expected_attendance=attendance,
                               risk_level=risk)
        return events.add_event(self.db, self.keys, roster_file, details, company,
                                company_licence)

    def add_demo_event(self, actor: str = "demo") -> str:
        """The demo event; ``actor`` is whom the audit log names for its vetting."""
        return demo_event.add_demo_event(self.db, actor)

    def add_event_from_profile(self, profile: events.LaptopProfile, event_id: str) -> str:
        return events.add_event_from_profile(self.db, profile, event_id)

    # ------------------------------------------------------------------ trust lists
    def import_trust_list(self, path: str | os.PathLike[str]) -> int:
        return trust.import_trust_list(self.db, path)

    def import_revocations(self, path: str | os.PathLike[str]) -> tuple[int, int]:
        return trust.import_revocations(self.db, path)

    def trust_summary(self) -> dict[str, int]:
        return trust.trust_summary(self.db)

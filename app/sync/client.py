"""The laptop's side of sync with headquarters (docs/sync-protocol.md), as the screens and the
command line use it: one ``SyncService`` per profile.

The work is done by the parts it holds: enrolment and the connection
(app/sync/enrolment.py), the outbox up over the network or in a bundle (app/sync/upload.py),
event packages down (app/sync/download.py). Here is what needs them together: the status
line the screens show after every change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from app.profile.db import Database
from app.profile.models import ProfileSetting
from app.sync.download import PackageDownload, PackageSummary, RemoteEvent
from app.sync.enrolment import Enrolment
from app.sync.state import HQ_SUPERVISOR, HQ_TOKEN, HQ_URL, LAST_ATTEMPT, LAST_ERROR, LAST_SUCCESS
from app.sync.transport import HqConnection
from app.sync.upload import OutboxUpload, Progress, SyncOutcome


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    hq_url: str | None
    supervisor: str | None
    pending: int
    last_success: str | None
    last_error: str | None
    last_attempt: str | None


class SyncService:
    """Sync for one profile. Each call opens its own sessions: safe from a worker thread."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.enrolment = Enrolment(db)
        self.upload = OutboxUpload(db)
        self.download = PackageDownload(db)

    # ---------------------------------------------------------- state
    def is_enrolled(self) -> bool:
        return self.enrolment.is_enrolled()

    def pending_count(self) -> int:
        return self.upload.pending_count()

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

    # ---------------------------------------------------------- enrolment
    def enrolled_over_https(self) -> bool:
        return self.enrolment.enrolled_over_https()

    def plain_http_warning(self, hq_url: str | None = None) -> str | None:
        """See Enrolment.plain_http_warning."""
        return self.enrolment.plain_http_warning(hq_url)

    def connection(self, hq_url: str | None = None) -> HqConnection:
        return self.enrolment.connection(hq_url)

    def enrol(self, hq_url: str, code: str, device_name: str | None = None,
              fingerprint: str | None = None) -> dict[str, str]:
        return self.enrolment.enrol(hq_url, code, device_name, fingerprint)

    # ---------------------------------------------------------- up
    def sync(self, hq_url: str | None = None, progress: Progress | None = None) -> SyncOutcome:
        """See OutboxUpload.sync."""
        return self.upload.sync(hq_url, progress)

    def export_bundle(self, out: str | os.PathLike[str],
                      progress: Progress | None = None) -> int:
        """See OutboxUpload.export_bundle."""
        return self.upload.export_bundle(out, progress)

    # ---------------------------------------------------------- down
    def remote_events(self) -> list[RemoteEvent]:
        return self.download.remote_events()

    def pull_event(self, event_id: str) -> PackageSummary:
        return self.download.pull_event(event_id)

    def import_package(self, path: str | os.PathLike[str]) -> PackageSummary:
        return self.download.import_package(path)

    def import_package_bytes(self, data: bytes) -> PackageSummary:
        """See PackageDownload.import_package_bytes."""
        return self.download.import_package_bytes(data)

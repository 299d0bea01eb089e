"""The profile's tables (SQLAlchemy 2.x typed ORM).

Every table that headquarters will later receive carries a UUID key, created/updated
timestamps, the id of the device that recorded the row and a ``deleted_at`` tombstone, so
that sync can merge rows from many laptops without guessing. The schema changes only through
the Alembic migrations in ``app/profile/migrations``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.orm import UtcDateTime, utc_now


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


class ProfileSetting(Base):
    """Key/value facts about this profile (device id, ...); never synced."""

    __tablename__ = "profile_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Synced:
    """Columns every synced record carries."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utc_now, onupdate=utc_now
    )
    device_id: Mapped[str] = mapped_column(String(36))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class Company(Synced, Base):
    __tablename__ = "company"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    licence_no: Mapped[str] = mapped_column(String(100), default="")
    credit_grade: Mapped[str] = mapped_column(String(20), default="")
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False)


class Event(Synced, Base):
    __tablename__ = "event"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    organizer: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    expected_attendance: Mapped[int] = mapped_column(Integer, default=0)
    venue_capacity: Mapped[int] = mapped_column(Integer, default=0)
    risk_level: Mapped[str] = mapped_column(String(10), default="medium")
    # "commercial" or "government": with the risk level it fixes the staffing mode (seed 000).
    event_kind: Mapped[str] = mapped_column(String(20), default="commercial")
    company_id: Mapped[str | None] = mapped_column(ForeignKey("company.id"))
    checklist_template: Mapped[str] = mapped_column(String(100), default="checklist")
    # No ID-number salt or hash (migration 0007): next to the masked number they let anyone
    # holding a profile, a package or a bundle recover the number. People are matched by
    # certificate number; HQ alone keeps a keyed pseudonym (app.hq.keys).


class Post(Synced, Base):
    __tablename__ = "post"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(100), default="")
    task_type: Mapped[str] = mapped_column(String(20))
    required_headcount: Mapped[int] = mapped_column(Integer, default=1)


class Guard(Synced, Base):
    __tablename__ = "guard"
    __table_args__ = (
        UniqueConstraint("event_id", "cert_key"),
        # Covering indexes (deleted_at included): the per-post and dashboard counts are
        # answered from the index alone, even with 100,000 guards on the roster.
        Index("ix_guard_event_live_post", "event_id", "deleted_at", "post_id"),
        Index("ix_guard_id_post", "id", "post_id"),  # a guard's fixed post without its row
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"))
    roster_row: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(4), default="")
    # The ID number masked (app.inspection.identity.mask_id_number); the number itself is never
    # kept.
    id_masked: Mapped[str] = mapped_column(String(18), default="")
    cert_no: Mapped[str] = mapped_column(String(50))
    # What a scanner can type of the certificate number (digits and A-Z): the lookup key.
    cert_key: Mapped[str] = mapped_column(String(50))
    company_name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    background_check: Mapped[str] = mapped_column(String(10), default="pending")
    trained: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the company's own roster says (its claim, migration 0010); the two above are what
    # the verdicts use: HQ's vetting in an event HQ prepared. None: not known.
    claimed_background_check: Mapped[str | None] = mapped_column(String(10))
    claimed_trained: Mapped[bool | None] = mapped_column(Boolean)
    photo_path: Mapped[str | None] = mapped_column(String(500))
    post_id: Mapped[str | None] = mapped_column(ForeignKey("post.id"))


class Inspection(Synced, Base):
    """One scan of one badge at one post, with the verdict the supervisor was shown."""

    __tablename__ = "inspection"
    __table_args__ = (
        Index("ix_inspection_event_guard_live", "event_id", "guard_id", "deleted_at"),
        Index("ix_inspection_event_live_post_verdict", "event_id", "deleted_at", "post_id",
              "guard_id", "verdict"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"))
    post_id: Mapped[str | None] = mapped_column(ForeignKey("post.id"), index=True)
    guard_id: Mapped[str | None] = mapped_column(ForeignKey("guard.id"))
    scanned_text: Mapped[str] = mapped_column(String(400))
    verdict: Mapped[str] = mapped_column(String(30))
    # What the badge itself proved: VALID, UNSIGNED_LEGACY, BAD_SIGNATURE... (app.badge.verify)
    badge_verdict: Mapped[str | None] = mapped_column(String(20))
    template_id: Mapped[str] = mapped_column(String(100), default="")
    template_version: Mapped[int] = mapped_column(Integer, default=0)


class CheckResult(Synced, Base):
    __tablename__ = "check_result"
    __table_args__ = (UniqueConstraint("inspection_id", "item_code"),)

    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.id"))
    category: Mapped[str] = mapped_column(String(30))
    item_code: Mapped[str] = mapped_column(String(60))
    compliant: Mapped[bool] = mapped_column(Boolean)


class Finding(Synced, Base):
    """Something non-compliant: a failed checklist item, or what a scan itself revealed."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_event_live", "event_id", "deleted_at", "category", "company_name",
              "correction"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"))
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    post_id: Mapped[str | None] = mapped_column(ForeignKey("post.id"))
    guard_id: Mapped[str | None] = mapped_column(ForeignKey("guard.id"))
    category: Mapped[str] = mapped_column(String(30))
    item_code: Mapped[str] = mapped_column(String(60))
    company_name: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_path: Mapped[str | None] = mapped_column(String(500))
    correction: Mapped[str] = mapped_column(String(20), default="not_corrected")


class PostStatus(Synced, Base):
    """A post found absent or understaffed at a given moment."""

    __tablename__ = "post_status"
    __table_args__ = (
        Index("ix_post_status_event_live", "event_id", "deleted_at", "post_id", "status"),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"))
    post_id: Mapped[str] = mapped_column(ForeignKey("post.id"))
    status: Mapped[str] = mapped_column(String(20))
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class TrustedIssuer(Base):
    """A headquarters key that signs badges, from an imported trust list (not synced up)."""

    __tablename__ = "trusted_issuer"

    kid: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class RevokedCertificate(Base):
    """A revoked certificate, by its scanner-typable key; a million rows stay one index probe
    away (WITHOUT ROWID: the key is the table)."""

    __tablename__ = "revoked_certificate"
    __table_args__ = {"sqlite_with_rowid": False}

    cert_key: Mapped[str] = mapped_column(String(50), primary_key=True)


class RevokedIssuer(Base):
    __tablename__ = "revoked_issuer"

    kid: Mapped[str] = mapped_column(String(8), primary_key=True)


class Evaluation(Synced, Base):
    """The comprehensive evaluation (综合考评) of an event's security company.

    Versioned, never edited once signed: a correction is a new row (``version`` + 1) whose
    ``previous_id`` points to the signed one, and both stay. The signed PDF itself lives in
    the profile's ``reports/`` folder; its SHA-256 here ties the file to the row.
    """

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("event_id", "version"),
        # The lock check on every scan: newest live evaluation of the event, one index probe.
        Index("ix_evaluation_event_live_version", "event_id", "deleted_at", "version"),
        Index("ux_evaluation_document_number", "document_number", unique=True),
    )

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(ForeignKey("evaluation.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | signed
    supervisor_name: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    # recommend | conditional | not_recommend (for the company's future bids)
    recommendation: Mapped[str] = mapped_column(String(20), default="recommend")
    score_total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(20))
    coverage: Mapped[float | None] = mapped_column(Float)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    document_id: Mapped[str] = mapped_column(String(40), unique=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_path: Mapped[str | None] = mapped_column(String(500))  # relative to the profile
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The certificate that signed the PDF, and the hash of the report data the PDF's QR
    # code carries (see docs/scoring.md).
    signer_subject: Mapped[str | None] = mapped_column(String(300))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # The scoring rules a signed evaluation was scored with (migration 0008); None: a draft
    rules_version: Mapped[int | None] = mapped_column(Integer)
    # The official document number (文号, e.g. 辽公保考〔2026〕17号), given when signed: from
    # a block headquarters allotted this laptop, else from the laptop's own series that HQ
    # maps to an official number on arrival (migration 0009; app.evaluation.document_numbers).
    document_number: Mapped[str | None] = mapped_column(String(60))
    # The company's on-site head (被考评单位现场负责人): the drawn signature, or the refusal
    # (拒签) with its time and reason. Both empty: the head was not asked.
    company_head_name: Mapped[str] = mapped_column(String(100), default="")
    company_head_signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    company_head_refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    company_head_refusal_reason: Mapped[str] = mapped_column(Text, default="")
    # The supervisor's written reason for a grade on a sample checked only in part.
    sample_reason: Mapped[str] = mapped_column(Text, default="")
    # The sample statement as signed (JSON: the plan, the guards drawn, the share required,
    # whether the grade is final): a signed evaluation rebuilds from it, not from today's
    # roster and settings, so its digest stays the one signed.
    sample_statement: Mapped[str | None] = mapped_column(Text)
    # The digest of what the company's head acknowledged by signing (the report without the
    # head's own block): signing refuses a draft that changed since.
    company_head_acknowledged_sha256: Mapped[str | None] = mapped_column(String(64))


class DocumentNumberBlock(Base):
    """A block of official document numbers headquarters allotted this laptop (not synced:
    it arrives in HQ's signed event package). Numbers first..last of ``year`` under
    ``prefix`` are this laptop's alone; the evaluations that used them say which are left."""

    __tablename__ = "document_number_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class ScoringRulesDocument(Base):
    """A version of the scoring rules headquarters published after this program was
    released (not synced: it arrives in HQ's signed event package); the shipped versions are
    in resources/templates."""

    __tablename__ = "scoring_rules_document"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)  # the JSON, as HQ sent it
    sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class EventScoring(Base):
    """The scoring rules version headquarters set for an event (its package says so)."""

    __tablename__ = "event_scoring"

    event_id: Mapped[str] = mapped_column(ForeignKey("event.id"), primary_key=True)
    rules_version: Mapped[int] = mapped_column(Integer)


class Outbox(Base):
    """A change to a synced record that headquarters has not acknowledged yet.

    Written by SQLite triggers (migration 0005) in the very transaction that changed the
    record, so no code path can change a record and forget to queue it. A sync marks a row
    acknowledged once HQ answered for the record; rows and records are never deleted.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # Only the pending rows, by record: counting the records waiting, the newest change
        # of each and marking them acknowledged all read this index alone (a count over
        # 1.2 million pending changes: 0.27 s, against 4.5 s by a full index).
        Index("ix_outbox_pending", "record_id", "kind", "seq",
              sqlite_where=text("acknowledged_at IS NULL")),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36))
    queued_at: Mapped[str] = mapped_column(String(40))
    acknowledged_at: Mapped[str | None] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)

"""Headquarters' tables (SQLAlchemy 2.x typed ORM), portable between SQLite and PostgreSQL.

A database of its own, apart from any laptop profile: its schema changes only through the
Alembic migrations in ``app/hq/migrations``. Records are kept as received (canonical JSON
payloads), not spread into per-kind tables, so that a laptop of a newer version sending a
column HQ does not know yet loses nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym

from app.orm import UtcDateTime, utc_now

HQ_DEVICE = "hq"  # device_id of the records HQ prepared itself


class Base(DeclarativeBase):
    pass


class HqSetting(Base):
    """Key/value facts about this HQ: its package-signing key, its name."""

    __tablename__ = "hq_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Device(Base):
    """An enrolled laptop."""

    __tablename__ = "device"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    supervisor: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64))
    # Raw Ed25519 public key: checks the bundles this laptop signs.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The supervisor's X.509 certificate: the only one accepted on this laptop's PDFs.
    signing_certificate_pem: Mapped[str | None] = mapped_column(Text)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EnrolmentCode(Base):
    """A one-time code handed to a supervisor; only its SHA-256 is kept."""

    __tablename__ = "enrolment_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    supervisor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    device_id: Mapped[str | None] = mapped_column(String(36))


class Record(Base):
    """One synced record as received (or prepared here, device ``hq``)."""

    __tablename__ = "record"
    __table_args__ = (Index("ix_record_event_kind", "event_id", "kind"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # The hash of the payload as sent (for an evaluation, with its PDF).
    content_hash: Mapped[str] = mapped_column(String(64))
    # Canonical JSON; an evaluation's PDF is kept apart, in evaluation_document.
    payload: Mapped[str] = mapped_column(Text)
    device_id: Mapped[str] = mapped_column(String(36))
    event_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class EvaluationDocument(Base):
    """A signed evaluation whose PDF verified on arrival, with the figures to rank by."""

    __tablename__ = "evaluation_document"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    event_name: Mapped[str] = mapped_column(String(200))
    company_name: Mapped[str] = mapped_column(String(200))
    company_licence: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    score_total: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(20))
    # False: provisional (暂定), the random sample not checked far enough; None: signed
    # before the official form (issue 13). Bound to the signed PDF (its /Keywords).
    grade_final: Mapped[bool | None] = mapped_column(Boolean)
    coverage: Mapped[float | None] = mapped_column(Float)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    supervisor_name: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str] = mapped_column(String(36))
    # The PDF's bytes live in stored_file (app.hq.files, migration 0010), under pdf_sha256
    # (the laptop's bytes, as signed) and timestamped_sha256 (with HQ's document timestamp,
    # app.hq.timestamps). This column is NULL for them; it holds bytes only for rows written
    # by a caller that fills it itself (app.hq.files.document_pdf reads both).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    timestamped_sha256: Mapped[str | None] = mapped_column(String(64))
    timestamped_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    signer_subject: Mapped[str] = mapped_column(Text)
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class TrustIssuer(Base):
    """A badge-signing key HQ trusts; handed to laptops in every event package."""

    __tablename__ = "trust_issuer"

    kid: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)


class RevokedCertificate(Base):
    __tablename__ = "revoked_certificate"

    cert_key: Mapped[str] = mapped_column(String(50), primary_key=True)


class RevokedIssuer(Base):
    __tablename__ = "revoked_issuer"

    kid: Mapped[str] = mapped_column(String(8), primary_key=True)


class PersonPseudonym(Base):
    """Which guard record of which event is which person, by a keyed pseudonym of the ID
    number: ``HMAC-SHA256(pseudonym key, normalised ID number)``, hex.

    HQ-only: never in a package, a bundle or an API answer. The key is sealed with HQ's other
    private keys (app.hq.keys) and never leaves HQ, so a copy of this table, alone or with
    the masked numbers laptops hold, lets no one test guesses of an ID number. Written when
    HQ itself reads a roster (``hq add-event``); laptops hold no ID number to send.
    """

    __tablename__ = "person_pseudonym"

    guard_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class DeviceEvent(Base):
    """Which laptop took down which of HQ's events: its package served to that laptop, or
    handed to it on a stick by HQ staff (``hq export-package --device``). A laptop writes only
    within these events and the events it made itself."""

    __tablename__ = "device_event"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class RecordProposal(Base):
    """A laptop's change to a row HQ prepared (an event, a post, a guard moved to another post
    on the day or given a photo), kept as that laptop's proposal. HQ's row, which every event
    package carries, changes only when HQ staff accept the proposal (``hq accept-proposal``):
    what one laptop sends never changes what another laptop pulls on its own."""

    __tablename__ = "record_proposal"

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class DocumentNumberBlock(Base):
    """Official document numbers (文号) allotted to one laptop: first..last of ``year``. The
    laptop receives its blocks in the event packages served to it and numbers the
    evaluations it signs from them, offline, without colliding with any other laptop."""

    __tablename__ = "document_number_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    prefix: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    allotted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class DocumentNumberMap(Base):
    """An evaluation numbered from a laptop's own series (it had no allotted number left),
    given its official number on arrival."""

    __tablename__ = "document_number_map"

    # Per sending laptop: one laptop's upload can never take another's local number.
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    local_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    official_number: Mapped[str] = mapped_column(String(60), unique=True)
    evaluation_id: Mapped[str] = mapped_column(String(64))
    mapped_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class PublishedScoringRules(Base):
    """A version of the scoring rules HQ published (``hq publish-rules``): the event packages
    carry it to laptops, so new rules need no new program."""

    __tablename__ = "published_scoring_rules"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class HqUser(Base):
    """One person's account on HQ's console and API (issue 14): viewer (reads), staff (events,
    vetting, companies, badges, evaluations), admin (accounts and keys as well). Only a
    memory-hard digest of the password is kept (app.hq.accounts)."""

    __tablename__ = "hq_user"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """Every change made at HQ by a person (who, when, what, before and after). Append-only:
    the database refuses to update or delete a row (triggers of migration 0005), and each
    entry's hash covers the one before, so a row changed behind the database's back breaks
    the chain (app.hq.audit)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), index=True)  # a person's file reads by it
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON
    after: Mapped[str | None] = mapped_column(Text)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Vetting(Base):
    """HQ's own vetting of a person, by certificate (issue 14): the background check and the
    pre-job training the police recorded (seed 001 §四(三)(四)). HQ's guard rows of every
    event with that certificate take it, so the next package carries it to the laptops."""

    __tablename__ = "vetting"

    cert_key: Mapped[str] = mapped_column(String(50), primary_key=True)
    background: Mapped[str] = mapped_column(String(10))  # passed | pending | failed
    # Whether the person passed the pre-job training: the API's "trained" (migration 0009
    # keeps the column's name, so every row kept its value); training_passed names it too.
    trained: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(64))
    # Migration 0009: when and by which officer the background was checked; the training
    # session (a name and a date) the person attended.
    background_date: Mapped[date | None] = mapped_column(Date)
    officer: Mapped[str] = mapped_column(String(100), default="")
    training_session: Mapped[str] = mapped_column(String(200), default="")
    training_date: Mapped[date | None] = mapped_column(Date, index=True)
    training_passed = synonym("trained")


class CompanyRegisterEntry(Base):
    """HQ's register of a company beyond its record (issue 14, seed 004 §4, §12): the red or
    black list it is on, since when and why. The credit grade and the black list also
    live in HQ's company record, which every package carries."""

    __tablename__ = "company_register"

    licence_no: Mapped[str] = mapped_column(String(100), primary_key=True)
    list_name: Mapped[str | None] = mapped_column(String(5))  # red | black | None
    reason: Mapped[str] = mapped_column(Text, default="")
    since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(64))


class PersonIndex(Base):
    """Which rows are which person: a guard row under its certificate key, an inspection
    or a finding under its guard ("guard:" + the guard's id). A person's file reads its rows
    through this index, not by scanning every JSON payload (issue 14, app.hq.people). Filled
    when a row is stored, from HQ or a laptop."""

    __tablename__ = "person_index"

    cert_key: Mapped[str] = mapped_column(String(50), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str | None] = mapped_column(String(64))


class Rectification(Base):
    """The rectification report (整改报告) an evaluation's opinion asks the company for
    within seven days of signing, and when HQ received it (issue 14, evaluations inbox)."""

    __tablename__ = "rectification"

    evaluation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    received_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class EventAssignment(Base):
    """An enrolled laptop (its supervisor) HQ staff assigned to one of HQ's events, and the
    zone of the event it covers ("" for the whole event); the package served to that laptop
    names the zone (issue 14, console events, app.hq.event_assignments)."""

    __tablename__ = "event_assignment"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    zone: Mapped[str] = mapped_column(String(100), default="")
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    assigned_by: Mapped[str] = mapped_column(String(64))


class GradeReview(Base):
    """A credit-grade change the rules suggest after a signed evaluation arrived (issue 14,
    app.hq.grade_reviews): open until a person accepts it (the register changes, audited)
    or rejects it (why is kept); a newer suggestion for the company supersedes it."""

    __tablename__ = "grade_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    licence_no: Mapped[str] = mapped_column(String(100), index=True)
    evaluation_id: Mapped[str] = mapped_column(String(64), unique=True)
    current_grade: Mapped[str] = mapped_column(String(20))
    suggested_grade: Mapped[str] = mapped_column(String(20))
    why: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    decision: Mapped[str | None] = mapped_column(String(10))  # accept|reject|superseded
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class RecommendationLetter(Base):
    """A signed letter recommending companies to an event's organiser (issue 14, seed 001
    §四(二), app.hq.letters), and the company the organiser chose."""

    __tablename__ = "recommendation_letter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    created_by: Mapped[str] = mapped_column(String(64))
    organiser: Mapped[str] = mapped_column(String(200))
    event_name: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[date] = mapped_column(Date)
    attendance: Mapped[int] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(String(10))
    companies: Mapped[str] = mapped_column(Text)  # JSON: the recommended, best first
    pdf_sha256: Mapped[str] = mapped_column(String(64))  # the signed PDF, in app.hq.files
    chosen_key: Mapped[str | None] = mapped_column(String(120))
    chosen_licence: Mapped[str | None] = mapped_column(String(100))
    chosen_name: Mapped[str | None] = mapped_column(String(200))
    chosen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    chosen_by: Mapped[str | None] = mapped_column(String(64))


class StoredFile(Base):
    """A file HQ keeps (a signed evaluation's PDF, as signed and as timestamped), binary and
    apart from the JSON rows, under the SHA-256 of its bytes: the same bytes are kept once
    (issue 14, app.hq.files)."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class GuardCount(Base):
    """Live guards per (event id, company name as the guard payloads spell it), kept by
    triggers on ``record`` in the transaction of every write of a guard row (issue 14,
    app.hq.guard_counts, migration 0014): a company's largest event without parsing every
    guard payload."""

    __tablename__ = "guard_count"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_name: Mapped[str] = mapped_column(Text, primary_key=True)
    guards: Mapped[int] = mapped_column(Integer)


from sqlalchemy import event as _orm_event  # noqa: E402  (guard_count's triggers)


@_orm_event.listens_for(Base.metadata, "after_create")
def _guard_count_triggers(_metadata: object, connection: object, **_kw: object) -> None:
    """A schema built from the models (tests) gets guard_count's triggers too; HQ's own
    database gets them from migration 0014."""
    from app.hq.guard_count_triggers import install

    install(connection)

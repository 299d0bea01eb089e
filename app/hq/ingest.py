"""Records in: a laptop's batch (HTTP) or signed bundle (USB stick), and what HQ holds.

``ingest`` is the one place that applies the outcome rules (app.hq.ingest_rules) to received
records, for HTTP batches, for bundles and for the events HQ prepares itself alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app.hq import files, grade_reviews, payload_files, timestamps
from app.hq.database import HqDatabase, payloads_of, rows_changed
from app.hq.devices import device, register_certificate
from app.hq.document_numbers import numbers_arrived
from app.hq.errors import HqError
from app.hq.ingest_rules import (
    CHANGED_MESSAGE,
    FAILURES,
    KEPT_BY_HQ_MESSAGE,
    PROPOSAL_MESSAGE,
    SCOPE_MESSAGE,
    Held,
    Incoming,
    Scope,
    answer_id,
    held_kind,
    held_records,
    hq_payload_problem,
    judge,
    judge_proposal,
)
from app.hq.key_ring import KeyRing
from app.hq.models import HQ_DEVICE, Device, EvaluationDocument, RecordProposal, utc_now
from app.hq.models import Record as RecordRow
from app.hq.people import index_rows
from app.hq.signed_pdf import document_row, verify_evaluation
from app.sync.protocol import (
    BUNDLE_FORMAT,
    KINDS,
    MAX_BATCH_RECORDS,
    SignedFileError,
    canonical_json,
    chunks,
    plain_text,
    read_signed,
    record_problem,
)

MAX_ERRORS_REPORTED = 50


def known(db: HqDatabase, items: Iterable[dict[str, Any]],
          device_id: str | None = None) -> list[str]:
    """The ids among ``items`` ({"id", "hash"}) that HQ holds with exactly that hash (or,
    for ``device_id``, holds as that laptop's proposal with that hash)."""
    wanted: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict) and plain_text(item.get("id"), 64) \
                and plain_text(item.get("hash"), 64):
            wanted[item["id"]] = item["hash"]
    held: dict[str, str] = {}
    proposed: dict[str, str] = {}
    with db.Session() as s:
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


def ingest(db: HqDatabase, device_id: str, records: Sequence[object],
           keys: KeyRing | None = None) -> list[dict[str, Any]]:
    """Apply the outcome table to a batch; one result per record, in order.

    One transaction, one SELECT of the ids already held, one bulk INSERT. A record that
    fails is reported and left out; it never blocks the others. What a laptop sends never
    changes what another laptop pulls: HQ's own rows (the ones packages carry) change only
    by HQ (a laptop's change to one is kept as its proposal, a company's not at all), a
    record keeps the kind and owner it arrived with, and a laptop writes only within the
    events it took down or made itself.
    """
    results: list[dict[str, Any]] = [
        {"id": answer_id(item), "status": "failed", "error": None} for item in records]

    def fail(index: int, message: str) -> None:
        results[index].update(status="failed", error=message)

    def done(index: int, status: str, note: str | None = None) -> None:
        results[index].update(status=status, error=note)

    incoming: list[Incoming] = []
    for index, item in enumerate(records):
        problem = record_problem(item)
        if problem is None:
            assert isinstance(item, dict)
            problem = hq_payload_problem(item["kind"], item["payload"])
        if problem is not None:
            fail(index, problem)
            continue
        assert isinstance(item, dict)
        incoming.append(Incoming(index, item["kind"], item["id"], item["hash"],
                                 item["payload"], item["payload"]["updated_at"]))
    if not incoming:
        return results
    certificate: str | None = None
    if device_id != HQ_DEVICE and any(r.kind == "evaluation" for r in incoming):
        sender = device(db, device_id)
        certificate = sender.signing_certificate_pem if sender else None
    # HQ's time-stamping authority, read (or made) before the transaction, which it cannot
    # share; without keys, or while they are locked, evaluations are stamped later
    # (app.hq.timestamps.stamp_pending).
    tsa = (timestamps.arrival_authority(db, keys) if keys is not None and any(
        r.kind == "evaluation" and r.payload.get("status") == "signed" for r in incoming)
        else None)
    now = utc_now()
    with db.begin() as s:
        held = held_records(s, [r.id for r in incoming])
        scope = Scope.of(s, device_id, incoming, held)
        proposals = (_held_proposals(s, device_id, [r.id for r in incoming])
                     if device_id != HQ_DEVICE else {})
        # id -> (the copy to write, the hash it replaces or None for a new row)
        chosen: dict[str, tuple[Incoming, str | None]] = {}
        superseded: dict[str, list[int]] = {}
        proposed: dict[str, Incoming] = {}
        for record in incoming:
            current = held.get(record.id)
            earlier = chosen.get(record.id)
            if earlier is not None:
                # A record sent twice in one batch is judged against the earlier copy.
                current = Held(earlier[0].hash, device_id, earlier[0].updated_at,
                               earlier[0].kind)
            verdict = judge(record, current, device_id)
            if verdict in ("insert", "replace", "propose"):
                problem = scope.problem(record)
                if problem is None and verdict == "propose" and current is not None \
                        and current.event_id and not scope.allows(current.event_id):
                    # HQ's row itself must belong to an event the laptop took down.
                    problem = SCOPE_MESSAGE.format(kind=record.kind, event=current.event_id)
                if problem is not None:
                    fail(record.index, problem)
                    continue
            if verdict == "propose":
                verdict = judge_proposal(record, proposals.get(record.id))
                if verdict == "present":
                    done(record.index, "present", PROPOSAL_MESSAGE)
                    continue
                proposals[record.id] = (record.hash, record.updated_at)
                proposed[record.id] = record
                done(record.index, "stored", PROPOSAL_MESSAGE)
                continue
            if verdict == "present":
                done(record.index, "present")
                continue
            if verdict == "kept-by-hq":
                done(record.index, "present", KEPT_BY_HQ_MESSAGE)
                continue
            if verdict in FAILURES:
                fail(record.index, FAILURES[verdict].format(kind=held_kind(current)))
                continue
            problem = _prepare(record, device_id, certificate, now, scope.event_of(record),
                               tsa)
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
            s.execute(db.insert_or_skip(RecordRow.__table__),
                      [r.row for r in new_rows if r.row is not None])
            # A concurrent request may have stored some of these ids first (DO NOTHING):
            # what is there now tells which insert won.
            after = held_records(s, [r.id for r in new_rows])
            for record in new_rows:
                stored = after.get(record.id)
                if stored is not None and stored.hash == record.hash \
                        and stored.kind == record.kind:
                    done(record.index, "stored")
                    continue
                verdict = judge(record, stored, device_id)
                if verdict == "replace" and stored is not None:
                    to_update.append((record, stored.hash))
                    continue
                record.document = None
                if verdict in FAILURES:
                    fail(record.index, FAILURES[verdict].format(kind=held_kind(stored)))
                elif verdict == "kept-by-hq":
                    done(record.index, "present", KEPT_BY_HQ_MESSAGE)
                elif verdict == "present":
                    done(record.index, "present")
                else:  # HQ prepared the row meanwhile: judged again when sent again
                    fail(record.index, CHANGED_MESSAGE)
        for record, previous in to_update:
            assert record.row is not None
            # The owner stays: an HQ-prepared row a laptop updated is still HQ's event.
            values = {k: v for k, v in record.row.items() if k not in ("id", "device_id")}
            # Only over the version judged against: a concurrent change is not overwritten.
            changed = rows_changed(s.execute(update(RecordRow).where(
                RecordRow.id == record.id, RecordRow.content_hash == previous)
                .values(**values)))
            if changed == 1:
                done(record.index, "stored")
            else:
                fail(record.index, CHANGED_MESSAGE)
                record.document = None
        # Their attached files (photos, evidence) into the file store, in this transaction:
        # the rows stored or changed name them by hash (app.hq.payload_files).
        files.put_many(s, [item for record, _previous in chosen.values()
                           if record.row is not None
                           and results[record.index]["status"] == "stored"
                           for item in record.files])
        # The person index (app.hq.people), in this transaction: the rows stored or changed.
        index_rows(db, s, [(record.kind, record.id, record.row["event_id"], record.payload)
                           for record, _previous in chosen.values() if record.row is not None
                           and results[record.index]["status"] == "stored"])
        numbered = [(record.id, record.payload["document_number"],
                     str(record.payload.get("device_id") or ""), record.index)
                    for record, _previous in chosen.values()
                    if record.kind == "evaluation"
                    # Only a signed evaluation whose PDF was proven holds its number.
                    and record.payload.get("status") == "signed"
                    and record.document is not None
                    and results[record.index]["status"] == "stored"
                    and isinstance(record.payload.get("document_number"), str)
                    and record.payload["document_number"]]
        if numbered:
            # A number of the laptop's own series gets its official one; a number that is
            # not the laptop's to give is kept with the record, and said.
            problems = numbers_arrived(db, s, device_id,
                                       [item[:3] for item in numbered])
            for record_id, _number, _laptop, index in numbered:
                if record_id in problems:
                    done(index, "stored", problems[record_id])
        for record_id, indexes in superseded.items():
            final = results[chosen[record_id][0].index]
            for index in indexes:
                results[index].update(status=final["status"], error=final["error"])
        if proposed:
            _store_proposals(db, s, device_id, list(proposed.values()), scope, now)
        documents = [record for record, _previous in chosen.values()
                     if record.document is not None
                     and results[record.index]["status"] == "stored"]
        if documents:
            _store_documents(s, documents)
            # A grade change the rules suggest waits for a person (app.hq.grade_reviews).
            grade_reviews.open_reviews(db, s, [str(r.document["id"]) for r in documents
                                               if r.document is not None])
    return results


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


def _store_proposals(db: HqDatabase, s: Session, device_id: str, records: list[Incoming],
                     scope: Scope, now: datetime) -> None:
    pending: list[payload_files.PendingFile] = []
    for record in records:
        # The hash stays the payload's as sent; the photo's bytes go to the file store.
        stored_payload, attached = payload_files.externalise(record.kind, record.payload)
        pending.extend(attached)
        values = {"kind": record.kind, "content_hash": record.hash,
                  "payload": canonical_json(stored_payload).decode("utf-8"),
                  "event_id": scope.event_of(record), "updated_at": record.updated_at,
                  "received_at": now}
        s.execute(db.insert_or_skip(RecordProposal.__table__).values(
            record_id=record.id, device_id=device_id, **values))
        s.execute(update(RecordProposal).where(
            RecordProposal.record_id == record.id,
            RecordProposal.device_id == device_id).values(**values))
    files.put_many(s, pending)


def _prepare(record: Incoming, device_id: str, certificate: str | None,
             now: datetime, event_id: str | None,
             tsa: timestamps.Authority | None = None) -> str | None:
    """Fill the rows to write; a plain-words problem when the record cannot be kept."""
    payload = record.payload
    stored_payload = payload
    if record.kind == "evaluation":
        stored_payload = {k: v for k, v in payload.items() if k != "pdf"}
        if payload.get("status") == "signed":
            verified = verify_evaluation(payload, certificate, device_id)
            if isinstance(verified, str):
                return verified
            record.document = document_row(payload, verified, device_id, now)
            if tsa is not None:
                # HQ's document timestamp, once the supervisor's signature is proven; the
                # stamped bytes are filed with the document (_store_documents).
                try:
                    stamped = timestamps.stamp(tsa, verified.pdf)
                except timestamps.TimestampError:
                    pass  # kept unstamped: the supervisor's proven signature is what counts
                else:
                    record.document.update(timestamped_pdf=stamped.pdf,
                                           timestamped_sha256=stamped.sha256,
                                           timestamped_at=stamped.at)
    # A photo's or evidence's bytes go to the file store (put once the row is stored), the
    # row keeps a reference; its content_hash stays the hash of the payload as sent.
    stored_payload, record.files = payload_files.externalise(record.kind, stored_payload)
    record.row = {"id": record.id, "kind": record.kind, "content_hash": record.hash,
                  "payload": canonical_json(stored_payload).decode("utf-8"),
                  "device_id": device_id, "event_id": event_id,
                  "updated_at": record.updated_at, "received_at": now}
    return None


def _store_documents(s: Session, records: list[Incoming]) -> None:
    event_ids = sorted({str(r.document["event_id"]) for r in records if r.document})
    events = payloads_of(s, event_ids)
    company_ids = sorted({str(p.get("company_id")) for p in events.values()
                          if p.get("company_id")})
    companies = payloads_of(s, company_ids)
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
        # The PDF's bytes go to the file store (app.hq.files), as signed and as stamped; the
        # row names them by their SHA-256.
        files.put(s, document["pdf"], files.PDF)
        stamped = document.pop("timestamped_pdf", None)
        if stamped is not None:
            files.put(s, stamped, files.PDF)
        s.execute(delete(EvaluationDocument).where(EvaluationDocument.id == document["id"]))
        s.execute(insert(EvaluationDocument), [{**document, "pdf": None}])


def import_bundle(db: HqDatabase, data: bytes,
                  keys: KeyRing | None = None) -> dict[str, Any]:
    """Ingest a laptop's signed bundle; SignedFileError when the file itself is refused."""

    def public_key_of(signer: str) -> bytes | None:
        sender = device(db, signer)
        if sender is None or sender.revoked_at is not None:
            return None
        return bytes(sender.public_key)

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
            register_certificate(db, signer, certificate)
        except HqError as exc:
            summary["errors"].append(f"the supervisor's signing certificate in the bundle "
                                     f"was not registered: {exc.message}")
    # Counted batch by batch: a result kept for each of 100,000 records would be tens of
    # megabytes more at the peak of reading the file.
    for part in chunks(body["records"], MAX_BATCH_RECORDS):
        for item, result in zip(part, ingest(db, signer, list(part), keys), strict=True):
            summary[result["status"]] += 1
            if result["status"] == "failed" \
                    and len(summary["errors"]) < MAX_ERRORS_REPORTED:
                kind = item.get("kind") if isinstance(item, dict) else None
                summary["errors"].append(f"{kind} {result['id']}: {result['error']}")
    return summary


def stats(db: HqDatabase) -> dict[str, int]:
    """How many records of each kind HQ holds, and its devices and signed PDFs."""
    counts = {plural: 0 for plural in KINDS.values()}
    with db.Session() as s:
        for kind, count in s.execute(select(RecordRow.kind, func.count())
                                     .group_by(RecordRow.kind)):
            if kind in KINDS:
                counts[KINDS[kind]] = int(count)
        counts["devices"] = int(s.scalar(select(func.count()).select_from(Device)) or 0)
        counts["signed_pdfs"] = int(
            s.scalar(select(func.count()).select_from(EvaluationDocument)) or 0)
    return counts

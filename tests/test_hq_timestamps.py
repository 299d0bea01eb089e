# ruff: noqa: F401, F811 - `signers`, the fixture imported below, is the tests' parameter
"""HQ's document timestamps (app.hq.timestamps): a signed evaluation that arrives gets, after
its signature is proven, a DSS and an RFC 3161 document timestamp from HQ's own key, as a new
revision; pyHanko validates both the supervisor's signature and the timestamp afterwards.

Validation settings used here (no revocation information exists to embed: the certificates
are self-issued and name no CRL or OCSP service): pyHanko's ValidationContext with the
supervisor's registered certificate, or HQ's time-stamping certificate, as the only trust
root, fetching off, revocation checking as pyHanko's default ("soft-fail").
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.hq import files, ingest, timestamps
from app.hq.key_ring import TSA_KEY_SETTING
from app.hq.keys import is_sealed
from app.hq.models import EvaluationDocument, HqSetting, StoredFile
from app.hq.server import create_app
from app.hq.store import HqStore
from tests.test_hq_store import (
    company_record,
    enrol_device,
    evaluation,
    event_record,
    signers,  # the fixture: two supervisors (EC keys) and a PDF signed by the first
)

KEY_PASSPHRASE = b"a long enough key passphrase"
VIEWER, VIEWER_PASSWORD = "viewer-zhao", "viewer password 1"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HqStore]:
    url = (f"sqlite:///{tmp_path / 'hq.sqlite3'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_db"))
    hq = HqStore(url)
    yield hq
    hq.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[HqStore]:
    hq = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield hq
    hq.close()


def arrive(hq: HqStore, signers: dict[str, Any], with_keys: bool = True
           ) -> tuple[str, list[dict[str, Any]]]:
    """A laptop enrols with the first supervisor's certificate and sends its event and
    signed evaluation (through ingest with HQ's key ring, as HqStore.ingest hands it)."""
    laptop, _token, _key = enrol_device(hq, signers["li"].certificate_pem.decode())
    records = [company_record(), event_record(company_id="c-1"), evaluation(signers["pdf"])]
    return laptop, ingest.ingest(hq.db, laptop, records, hq.keys if with_keys else None)


def asn1(der: bytes) -> Any:
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(der)


def supervisor_certificate(signers: dict[str, Any]) -> Any:
    return asn1(x509.load_pem_x509_certificate(signers["li"].certificate_pem)
                .public_bytes(serialization.Encoding.DER))


# --------------------------------------------------------------------------- on arrival
def test_an_arriving_evaluation_gets_hqs_document_timestamp_and_both_validate(
        store: HqStore, signers: dict[str, Any]) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import (
        DocumentSecurityStore,
        validate_pdf_signature,
        validate_pdf_timestamp,
    )
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _laptop, results = arrive(store, signers)
    assert [r["status"] for r in results] == ["stored"] * 3, results
    with store.Session() as s:
        document = s.get(EvaluationDocument, "eval-1")
        assert document is not None
        assert document.pdf is None  # the bytes are in the file store, not in the row
        assert document.pdf_sha256 == hashlib.sha256(signers["pdf"]).hexdigest()
        assert document.timestamped_sha256 and document.timestamped_at is not None
        signed = files.document_pdf(s, document)
        stamped = files.document_pdf(s, document, timestamped=True)
        held = set(s.scalars(select(StoredFile.sha256)))
        stamped_at = document.timestamped_at
    assert signed == signers["pdf"]  # the laptop's bytes, exactly as signed
    assert stamped is not None and stamped.startswith(signers["pdf"])  # one revision more
    assert held == {document.pdf_sha256, document.timestamped_sha256}

    tsa_pem = timestamps.certificate_pem(store.db)
    assert tsa_pem is not None
    tsa = x509.load_pem_x509_certificate(tsa_pem.encode("ascii"))
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    tsa_root = asn1(tsa.public_bytes(serialization.Encoding.DER))

    reader = PdfFileReader(io.BytesIO(stamped), strict=False)
    [signature] = reader.embedded_regular_signatures
    [document_timestamp] = reader.embedded_timestamp_signatures
    status = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[supervisor_certificate(signers)], allow_fetching=False))
    assert status.intact and status.valid and status.trusted, status.summary()
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level == ModificationLevel.LTA_UPDATES and status.docmdp_ok
    stamp = validate_pdf_timestamp(document_timestamp, validation_context=ValidationContext(
        trust_roots=[tsa_root], allow_fetching=False))
    assert stamp.intact and stamp.valid and stamp.trusted, stamp.summary()
    assert stamp.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert stamp.timestamp == stamped_at
    tst_info = document_timestamp.signed_data["encap_content_info"]["content"].parsed
    assert tst_info["policy"].dotted == timestamps.TSA_POLICY
    # A timestamp by anyone else's key is not HQ's: untrusted with HQ's certificate alone.
    assert not validate_pdf_timestamp(document_timestamp, validation_context=ValidationContext(
        trust_roots=[supervisor_certificate(signers)], allow_fetching=False)).trusted

    # The DSS: each certificate the validation needs; no CRL or OCSP (none exists for these
    # self-issued certificates).
    dss = DocumentSecurityStore.read_dss(reader)
    embedded = {c.dump() for c in dss.load_certs()}
    assert supervisor_certificate(signers).dump() in embedded and tsa_root.dump() in embedded
    assert len(dss.vri_entries) == 1 and not dss.ocsps and not dss.crls

    # Validated at HQ's timestamp (a point-in-time validation, as a verifier does once the
    # certificate expired: the document timestamp proves the signature existed, intact, then),
    # with the certificates the DSS holds.
    then = validate_pdf_signature(signature, ValidationContext(
        trust_roots=[supervisor_certificate(signers)], other_certs=list(dss.load_certs()),
        allow_fetching=False, moment=stamped_at))
    assert then.intact and then.valid and then.trusted

    # Sent again: present, not stamped a second time.
    laptop_results = ingest.ingest(store.db, _laptop, [evaluation(signers["pdf"])], store.keys)
    assert laptop_results[0]["status"] == "present"
    with store.Session() as s:
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 2
        again = s.get(EvaluationDocument, "eval-1")
        assert again is not None and again.timestamped_at == stamped_at


def test_stamping_costs_little_per_evaluation(sqlite_store: HqStore,
                                              signers: dict[str, Any]) -> None:
    tsa = timestamps.authority(sqlite_store.db, sqlite_store.keys)
    assert tsa is not None
    timestamps.stamp(tsa, signers["pdf"])  # pyHanko's modules loaded
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        timestamps.stamp(tsa, signers["pdf"])
    each = (time.perf_counter() - started) / rounds
    print(f"HQ document timestamp: {each * 1000:.1f} ms per evaluation")
    assert each < 0.5


def test_a_forged_evaluation_is_refused_and_nothing_is_stored(
        sqlite_store: HqStore, signers: dict[str, Any]) -> None:
    laptop, _token, _key = enrol_device(sqlite_store, signers["li"].certificate_pem.decode())
    forged = bytearray(signers["pdf"])
    forged[len(forged) // 3] ^= 1  # one byte changed after signing
    record = evaluation(bytes(forged))
    results = ingest.ingest(sqlite_store.db, laptop,
                            [company_record(), event_record(company_id="c-1"), record],
                            sqlite_store.keys)
    assert results[2]["status"] == "failed" and "does not verify" in results[2]["error"]
    # another laptop's supervisor's PDF, and a PDF with a document timestamp of its own
    other = ingest.ingest(sqlite_store.db, laptop, [evaluation(signers["other_pdf"])],
                          sqlite_store.keys)
    assert other[0]["status"] == "failed"
    tsa = timestamps.authority(sqlite_store.db, sqlite_store.keys)
    assert tsa is not None
    restamped = ingest.ingest(sqlite_store.db, laptop,
                              [evaluation(timestamps.stamp(tsa, signers["pdf"]).pdf)],
                              sqlite_store.keys)
    assert restamped[0]["status"] == "failed", restamped
    with sqlite_store.Session() as s:
        assert s.scalar(select(func.count()).select_from(EvaluationDocument)) == 0
        assert s.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_certificate_that_is_not_hqs_keys_stamps_nothing_and_refuses_nothing(
        sqlite_store: HqStore, signers: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    made = timestamps.authority(sqlite_store.db, sqlite_store.keys)
    assert made is not None
    stranger = timestamps.make_certificate(ec.generate_private_key(ec.SECP256R1()), "别人")
    sqlite_store.set_setting(timestamps.TSA_CERTIFICATE_SETTING, stranger.public_bytes(
        serialization.Encoding.PEM).decode("ascii"))
    fresh = HqStore(sqlite_store.url)  # a process that reads the certificate again
    try:
        with pytest.raises(timestamps.TimestampError, match="does not belong to its key"):
            timestamps.authority(fresh.db, fresh.keys)
        _laptop, results = arrive(fresh, signers)
        assert [r["status"] for r in results] == ["stored"] * 3
        with fresh.Session() as s:
            document = s.get(EvaluationDocument, "eval-1")
            assert document is not None and document.timestamped_sha256 is None
            assert files.document_pdf(s, document) == signers["pdf"]
    finally:
        fresh.close()


# --------------------------------------------------------------------------- sealed key
def test_the_tsa_key_is_sealed_and_a_locked_hq_stamps_later(
        tmp_path: Path, signers: dict[str, Any]) -> None:
    path = tmp_path / "hq.sqlite3"
    hq = HqStore(f"sqlite:///{path}")
    hq.unlock_keys(KEY_PASSPHRASE)
    hq.package_key()  # laptops enrol with it
    tsa = timestamps.authority(hq.db, hq.keys)
    assert tsa is not None
    assert hq.setting(TSA_KEY_SETTING) is not None and hq.keys_in_clear() == []
    hq.close()

    locked = HqStore(f"sqlite:///{path}")  # a process not given the passphrase
    try:
        assert timestamps.authority(locked.db, locked.keys) is None
        _laptop, results = arrive(locked, signers)
        assert [r["status"] for r in results] == ["stored"] * 3  # arrives all the same
        with locked.Session() as s:
            pending = s.get(EvaluationDocument, "eval-1")
            assert pending is not None and pending.timestamped_sha256 is None
        assert timestamps.stamp_pending(locked.db, locked.keys) == 0
        locked.unlock_keys(KEY_PASSPHRASE)
        assert timestamps.stamp_pending(locked.db, locked.keys) == 1
        assert timestamps.stamp_pending(locked.db, locked.keys) == 0
        with locked.Session() as s:
            done = s.get(EvaluationDocument, "eval-1")
            assert done is not None and done.timestamped_sha256 and done.timestamped_at
            stamped = files.document_pdf(s, done, timestamped=True)
            assert stamped is not None and stamped.startswith(signers["pdf"])
            sealed = s.scalar(select(HqSetting.value).where(HqSetting.key == TSA_KEY_SETTING))
        assert sealed is not None and is_sealed(sealed)
    finally:
        locked.close()

    # The private key is nowhere in the database's files in clear: not its raw scalar, not
    # as PKCS#8, not as the base64 a key in clear would be kept as.
    private = tsa.key.private_numbers().private_value.to_bytes(32, "big")
    pkcs8 = tsa.key.private_bytes(serialization.Encoding.DER,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("hq.sqlite3*"))
    assert b"BEGIN CERTIFICATE" in on_disk  # the public certificate is there, in clear
    for secret in (private, pkcs8, base64.b64encode(private), base64.b64encode(pkcs8)):
        assert secret not in on_disk


# --------------------------------------------------------------------------- the console
def test_the_console_shows_the_timestamp_and_serves_the_stamped_pdf(
        sqlite_store: HqStore, signers: dict[str, Any]) -> None:
    sqlite_store.accounts.add(VIEWER, "viewer", VIEWER_PASSWORD, "test")
    arrive(sqlite_store, signers)
    with sqlite_store.Session() as s:
        document = s.get(EvaluationDocument, "eval-1")
        assert document is not None and document.timestamped_at is not None
        stamped = files.document_pdf(s, document, timestamped=True)
        shown = document.timestamped_at.astimezone().strftime("%Y-%m-%d %H:%M")
    with TestClient(create_app(sqlite_store), base_url="http://127.0.0.1") as client:
        form = client.get("/console/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        signed_in = client.post("/console/sign-in", data={
            "csrf": csrf.group(1), "name": VIEWER, "password": VIEWER_PASSWORD})
        assert signed_in.status_code == 200
        page = client.get("/console/evaluations")
        assert page.status_code == 200
        row = re.search(r'<tr data-evaluation="eval-1">(.*?)</tr>', page.text, re.S)
        assert row is not None
        assert "签名已核验 (signature verified)" in row.group(1)
        assert shown in row.group(1) and "not timestamped yet" not in row.group(1)
        console_pdf = client.get("/console/evaluations/eval-1/pdf")
        assert console_pdf.status_code == 200 and console_pdf.content == stamped
        # The API's answer is unchanged: the PDF as signed (its hash is pdf_sha256).
        api = client.get("/api/v1/evaluations/eval-1/pdf", auth=(VIEWER, VIEWER_PASSWORD))
        assert api.status_code == 200 and api.content == signers["pdf"]
        assert client.get("/api/v1/evaluations/eval-1/pdf", params={"timestamped": "true"},
                          auth=(VIEWER, VIEWER_PASSWORD)).content == stamped
    # an evaluation without a timestamp says so
    with sqlite_store.begin() as s:
        s.execute(update(EvaluationDocument).values(timestamped_sha256=None,
                                                    timestamped_at=None))
    with TestClient(create_app(sqlite_store), base_url="http://127.0.0.1") as client:
        form = client.get("/console/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        client.post("/console/sign-in", data={"csrf": csrf.group(1), "name": VIEWER,
                                              "password": VIEWER_PASSWORD})
        page = client.get("/console/evaluations")
        assert "尚无时间戳 (not timestamped yet)" in page.text
        assert client.get("/console/evaluations/eval-1/pdf").content == signers["pdf"]


def test_the_laptops_own_check_reads_a_stamped_pdf_as_intact_and_a_changed_one_as_not(
        sqlite_store: HqStore, signers: dict[str, Any]) -> None:
    """``report verify`` (app.evaluation.signing.verify_pdf) on the PDF HQ serves with its
    timestamp: the supervisor's signature intact and trusted, the timestamp named; one byte
    changed inside the timestamp's revision and it is not intact."""
    from app.evaluation.signing import verify_pdf

    arrive(sqlite_store, signers)
    with sqlite_store.Session() as s:
        document = s.get(EvaluationDocument, "eval-1")
        assert document is not None
        stamped = files.document_pdf(s, document, timestamped=True)
    assert stamped is not None
    found = verify_pdf(stamped, [signers["li"].certificate_pem])
    assert found.intact and found.valid and found.trusted, found.detail
    assert found.signatures == 1 and "document timestamp" in found.detail
    assert not found.coverage_entire_file  # HQ's revision follows the supervisor's
    tail = stamped.rindex(b"/Contents <") + len(b"/Contents <") + 200  # inside the token
    changed = bytearray(stamped)
    changed[tail] = ord("0") if changed[tail] != ord("0") else ord("1")
    assert not verify_pdf(bytes(changed), [signers["li"].certificate_pem]).intact

"""HQ's document timestamps (issue 14): a signed evaluation gets, on arrival, an RFC 3161
document timestamp from HQ's own time-stamping key, so that it can be validated long after
the supervisor's certificate expired (PAdES with long-term validation material).

What HQ adds to the laptop's PDF, as one new incremental revision after the supervisor's
signature (whose bytes and signature stay exactly as signed):

- a Document Security Store (DSS, ISO 32000-2 §12.8.4.3): the certificates of each signature
  (the signer's and any other its CMS carries), under a VRI entry for that signature, and
  HQ's time-stamping certificate. No CRL or OCSP response: the laptops' certificates are
  self-issued or issued by HQ offline and name no revocation service, so there is none to
  embed; HQ's own revocation of a laptop is its device list;
- a document timestamp (``/DocTimeStamp``, ETSI.RFC3161) over the whole file, DSS included,
  signed by HQ's time-stamping key: ECDSA P-256 with a self-issued certificate whose
  extended key usage is timeStamping only, marked critical (RFC 3161 §2.3).

The laptop signs offline (PAdES B-B: no signature timestamp), so in ETSI EN 319 142-1 terms
the result is B-B + DSS + document timestamp; the document timestamp proves the signature
existed, intact, at its time, and the DSS holds the material to check it then
(docs/hq-timestamps-files.md says how it is validated).

The key is one of HQ's private keys (app.hq.key_ring ``tsa_key``): 32 random bytes, sealed in
``hq_setting`` like the package key, from which the P-256 key is derived. The certificate is
public and kept in clear (``tsa_certificate``), made once from the key.

pyHanko and asn1crypto are imported inside the functions that use them (see
app.hq.signed_pdf: 9 MB and 0.16 s more in every HQ process otherwise).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import threading
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select, update

from app.hq import files
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.key_ring import TSA_KEY_SETTING, KeyRing
from app.hq.keys import KeyAccessError
from app.hq.models import EvaluationDocument, HqSetting, utc_now
from app.hq.staff import hq_name

TSA_CERTIFICATE_SETTING = "tsa_certificate"  # PEM, in clear: it is public
# HQ's time-stamping policy: an OID of the UUID arc (ITU-T X.667, 2.25), which anyone may
# allot without registering; it names "a timestamp of this HQ's clock, accurate to 1 s".
TSA_POLICY = "2.25.254934183792360973818363959510455170142"
CERTIFICATE_YEARS = 20
ACCURACY_SECONDS = 1
# The order of the P-256 group: a private scalar is 1..N-1.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
logger = logging.getLogger(__name__)
_authorities: weakref.WeakKeyDictionary[KeyRing, Authority] = weakref.WeakKeyDictionary()


class TimestampError(HqError):
    """HQ's time-stamping key or certificate cannot be used, or a PDF cannot be stamped."""


@dataclass(frozen=True)
class Authority:
    """HQ's time-stamping authority for this process: its key and certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Stamped:
    """A signed PDF with HQ's DSS and document timestamp appended."""

    pdf: bytes
    sha256: str
    at: datetime


def _private_key(raw: bytes) -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(raw, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def _public_der(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def make_certificate(key: ec.EllipticCurvePrivateKey, name: str,
                     now: datetime | None = None) -> x509.Certificate:
    """HQ's self-issued time-stamping certificate: timeStamping the only extended key usage,
    critical (RFC 3161 §2.3); digitalSignature and nonRepudiation."""
    now = now or utc_now()
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64] or "HQ"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "时间戳服务 (HQ TSA)")])
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                       critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def authority(db: HqDatabase, keys: KeyRing) -> Authority | None:
    """HQ's time-stamping authority, its key and certificate made on first use; None when
    HQ's private keys are sealed and this process was not given their passphrase (the
    evaluations that arrive meanwhile are stamped later, ``stamp_pending``).

    Call it outside any transaction: making the key or the certificate writes its own."""
    found = _authorities.get(keys)
    if found is not None:
        return found
    try:
        key = _private_key(keys.secret(TSA_KEY_SETTING, 32))
    except KeyAccessError:
        return None
    text = db.setting(TSA_CERTIFICATE_SETTING)
    if text is None:
        made = make_certificate(key, hq_name(db))
        with db.begin() as s:  # whoever inserts first wins; every process reads that one
            s.execute(db.insert_or_skip(HqSetting.__table__).values(
                key=TSA_CERTIFICATE_SETTING,
                value=made.public_bytes(serialization.Encoding.PEM).decode("ascii")))
        text = db.setting(TSA_CERTIFICATE_SETTING)
        assert text is not None
    try:
        certificate = x509.load_pem_x509_certificate(text.encode("ascii"))
    except ValueError as exc:
        raise TimestampError(500, "HQ's time-stamping certificate (hq_setting "
                                  "tsa_certificate) is damaged") from exc
    if _public_der(certificate.public_key()) != _public_der(key.public_key()):  # type: ignore[arg-type]
        raise TimestampError(500, "HQ's time-stamping certificate does not belong to its "
                                  "key (hq_setting tsa_certificate was changed)")
    found = Authority(key, certificate)
    _authorities[keys] = found
    return found


def arrival_authority(db: HqDatabase, keys: KeyRing) -> Authority | None:
    """``authority`` for records arriving: a time-stamping certificate that is damaged or
    no longer HQ's key's is logged and the evaluations are stored unstamped (the
    supervisor's proven signature is what makes them count), never refused for it."""
    try:
        return authority(db, keys)
    except TimestampError as exc:
        logger.error("evaluations are stored without HQ's timestamp: %s", exc.message)
        return None


def certificate_pem(db: HqDatabase) -> str | None:
    """HQ's time-stamping certificate, PEM (what a verifier trusts HQ's timestamps by);
    None before HQ stamped anything."""
    return db.setting(TSA_CERTIFICATE_SETTING)


# --------------------------------------------------------------------------- stamping
@functools.cache
def _stamper_class() -> Any:
    """pyHanko's TimeStamper answering from HQ's key at a fixed moment (made once: pyHanko
    is imported only when something is stamped)."""
    from pyhanko.sign.timestamps.api import TimeStamper

    class HqTimeStamper(TimeStamper):
        def __init__(self, tsa: Authority, at: datetime) -> None:
            super().__init__(include_nonce=True)
            self.tsa, self.at = tsa, at

        async def async_request_tsa_response(self, req: Any) -> Any:
            return _response(self.tsa, req, self.at)

    return HqTimeStamper


def _asn1crypto() -> tuple[Any, Any, Any, Any]:
    """asn1crypto's algos, cms, tsp and x509 modules (it ships no type information)."""
    from asn1crypto import algos, cms, tsp, x509  # type: ignore[import-untyped]

    return algos, cms, tsp, x509


@functools.lru_cache(maxsize=4)
def _fixed_parts(certificate_der: bytes) -> tuple[bytes, bytes, bytes]:
    """DER of what every token of this certificate repeats: the TSA's name, the signer's
    identifier and the ESS signing-certificate-v2 attribute. Built once: asn1crypto takes
    tens of milliseconds to encode a name afresh, and a token only needs it loaded."""
    _algos, cms, _tsp, asn1_x509 = _asn1crypto()
    from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

    certificate = asn1_x509.Certificate.load(certificate_der)
    name = asn1_x509.GeneralName(name="directory_name", value=certificate.subject)
    signer_id = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
        "issuer": certificate.issuer, "serial_number": certificate.serial_number})})
    attribute = simple_cms_attribute("signing_certificate_v2",
                                     as_signing_certificate_v2(certificate, "sha256"))
    return name.dump(), signer_id.dump(), attribute.dump()


def _response(tsa: Authority, req: Any, at: datetime) -> Any:
    """An RFC 3161 response granting ``req``: TSTInfo signed by HQ's key (ECDSA-SHA256),
    ESS signing-certificate-v2 attribute (RFC 5816), HQ's certificate included."""
    algos, cms, tsp, asn1_x509 = _asn1crypto()
    from pyhanko.sign.general import simple_cms_attribute

    der = tsa.certificate_der()
    name, signer_id, signing_certificate = _fixed_parts(der)
    info: dict[str, Any] = {
        "version": "v1", "policy": TSA_POLICY, "message_imprint": req["message_imprint"],
        "serial_number": uuid.uuid4().int, "gen_time": at,
        "accuracy": {"seconds": ACCURACY_SECONDS}, "ordering": False,
        "tsa": asn1_x509.GeneralName.load(name)}
    if req["nonce"].native is not None:
        info["nonce"] = req["nonce"]
    content = tsp.TSTInfo(info).dump()
    attributes = cms.CMSAttributes([
        simple_cms_attribute("content_type", "tst_info"),
        simple_cms_attribute("message_digest", hashlib.sha256(content).digest()),
        cms.CMSAttribute.load(signing_certificate)])
    signature = tsa.key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256()))
    signer = cms.SignerInfo({
        "version": "v1", "sid": cms.SignerIdentifier.load(signer_id),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        "signed_attrs": attributes, "signature": signature})
    signed = cms.SignedData({
        "version": "v3", "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": "tst_info",
                               "content": cms.ParsableOctetString(content)},
        "certificates": [asn1_x509.Certificate.load(der)], "signer_infos": [signer]})
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})


@functools.lru_cache(maxsize=4)
def _reserved(tsa: Authority) -> int:
    """Hex digits to reserve for a token in the PDF: one token's size and room for the parts
    that vary (serial number, nonce, ECDSA signature), measured once instead of pyHanko
    making a trial token before each real one."""
    _nonce, request = _stamper_class()(tsa, utc_now()).request_cms(bytes(32), "sha256")
    token = _response(tsa, request, utc_now())["time_stamp_token"]
    return 2 * (len(token.dump()) + 64)


def stamp(tsa: Authority, signed_pdf: bytes, at: datetime | None = None) -> Stamped:
    """``signed_pdf`` with one more revision: the DSS (each signature's certificates, HQ's
    time-stamping certificate) and HQ's document timestamp over all of it. The signatures
    before stay valid (pyHanko classes the revision as LTA updates); TimestampError when the
    PDF cannot be read or written."""
    asn1_x509 = _asn1crypto()[3]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation import DocumentSecurityStore

    at = at or utc_now()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf), strict=False)
        for embedded in writer.prev.embedded_regular_signatures:
            certificates = [choice.chosen for choice in embedded.signed_data["certificates"]
                            if choice.name == "certificate"]
            DocumentSecurityStore.supply_dss_in_writer(writer, embedded.pkcs7_content,
                                                       certs=certificates)
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, certs=[asn1_x509.Certificate.load(tsa.certificate_der())])
        output = PdfTimeStamper(_stamper_class()(tsa, at)).timestamp_pdf(
            writer, "sha256", bytes_reserved=_reserved(tsa))
    except Exception as exc:  # pyHanko reports PDF problems with many types
        raise TimestampError(422, f"the PDF could not be timestamped: {exc}") from exc
    pdf: bytes = output.getvalue()
    return Stamped(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), at=at)


def stamp_pending(db: HqDatabase, keys: KeyRing, limit: int | None = None) -> int:
    """Stamp the signed evaluations that have no HQ timestamp yet (held before migration
    0010, or arrived while HQ's keys were locked), ``limit`` at most; how many were stamped.
    A PDF that cannot be stamped is logged and left as it is (it stays servable unstamped)."""
    tsa = authority(db, keys)
    if tsa is None:
        return 0
    with db.Session() as s:
        ids = list(s.scalars(select(EvaluationDocument.id).where(
            EvaluationDocument.timestamped_sha256.is_(None),
            EvaluationDocument.status == "signed").order_by(EvaluationDocument.id)
            .limit(limit)))
    done = 0
    for document_id in ids:
        try:
            done += _stamp_one(db, tsa, document_id)
        except TimestampError as exc:
            logger.warning("evaluation %s was not timestamped: %s", document_id, exc.message)
    return done


def _stamp_one(db: HqDatabase, tsa: Authority, document_id: str) -> int:
    with db.begin() as s:
        document = s.get(EvaluationDocument, document_id)
        if document is None or document.timestamped_sha256 is not None:
            return 0
        original = files.document_pdf(s, document)
        if original is None:
            return 0
        stamped = stamp(tsa, original)
        files.put(s, stamped.pdf, files.PDF)
        s.execute(update(EvaluationDocument).where(
            EvaluationDocument.id == document_id,
            EvaluationDocument.timestamped_sha256.is_(None)).values(
            timestamped_sha256=stamped.sha256, timestamped_at=stamped.at))
        return 1


def stamp_pending_in_background(db: HqDatabase, keys: KeyRing) -> threading.Thread:
    """``hq serve`` stamps what waits on a thread of its own: the service answers at once."""
    def run() -> None:
        try:
            stamped = stamp_pending(db, keys)
        except Exception:  # a fault here must not stop the service; it is logged
            logger.exception("stamping the evaluations held without HQ's timestamp failed")
            return
        if stamped:
            logger.info("HQ's timestamp added to %d evaluation(s) held without one", stamped)

    thread = threading.Thread(target=run, name="hq-timestamps", daemon=True)
    thread.start()
    return thread

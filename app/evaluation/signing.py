"""The supervisor's digital signature on the evaluation PDF: keys, PAdES signing, validation.
One cohesive thing, kept whole though it is a little over 400 lines: the identity, the
signature and its check change together whenever the signature profile (PAdES B-B, key
types, key usage) changes, and all of them hide pyHanko from the rest of the program.

The signed PDF is what headquarters files and what a company may contest, so it must prove
two things to anyone with ordinary tools (pyHanko, poppler's ``pdfsig``, Adobe Reader): who
signed it, and that not one byte changed afterwards. That is a PAdES signature (baseline
B-B: CMS with the signing-certificate attribute, no timestamp server, since the laptop works
offline) made with the supervisor's X.509 certificate and key, kept in a PKCS#12 file
protected by a passphrase.

A laptop gets its identity in one of two ways: headquarters issues a PKCS#12 file
(``import_supervisor_p12``), or, for a first run, the app creates a key and a self-signed
certificate (``ensure_supervisor_identity``). Either way the file is copied into the
profile's ``keys/`` folder and a profile setting points to it.

pyHanko (and asn1crypto, which comes with it) is imported inside the three functions that use
it, not at the top: the laptop imports this module at start-up (the evaluation page, sync),
and pyHanko's signing and validation modules add about 500 ms to it (measured 470-540 ms with
``-X importtime`` on the development machine), a cost only signing and checking a PDF need.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.errors import UserError
from app.i18n import translate
from app.profile.db import Database
from app.profile.files import ProfileFileError, ProfileFiles, write_atomically

SUPERVISOR_P12_SETTING = "supervisor_p12"
SUPERVISOR_NAME_SETTING = "supervisor_name"
# The certificate alone (public), so that enrolment and sync can register it with
# headquarters without asking for the key file's passphrase.
SUPERVISOR_CERTIFICATE_SETTING = "supervisor_certificate_pem"
KEYS_DIR = "keys"
DEFAULT_ORGANIZATION = "公安机关保安管理部门"
SIGNATURE_FIELD = "SupervisorSignature"
# PBKDF2 rounds for the PKCS#12 key bag: a stolen laptop's key file should not fall to a
# dictionary attack at millions of guesses a second (OWASP's figure for PBKDF2-HMAC-SHA256).
P12_KDF_ROUNDS = 600_000
MAX_P12_BYTES = 1_000_000

# pyHanko logs a traceback for every certificate it cannot chain to a trust root, which is
# the normal case for a laptop's self-signed identity; the verdict is in PdfVerification.
logging.getLogger("pyhanko").addHandler(logging.NullHandler())
logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())


class SigningError(UserError):
    """The key file cannot be used or the PDF cannot be signed; the message says which file
    and what to do."""


@dataclass(frozen=True)
class PdfSigner:
    """A loaded signing identity: pyHanko's signer and the certificate's human-readable facts.

    Named after what it does for the app; pyHanko's own ``PdfSigner`` (the signing session)
    stays inside this module.
    """

    signer: Any  # pyhanko.sign.signers.SimpleSigner (kept opaque: no pyHanko types leak)
    subject_name: str  # the certificate's common name, e.g. the supervisor's name
    subject: str  # the whole distinguished name, RFC 4514
    issuer: str
    serial_hex: str
    not_valid_after: datetime
    certificate_pem: bytes
    self_signed: bool


@dataclass(frozen=True)
class PdfVerification:
    """What an independent check of a signed PDF found.

    ``intact``: the signed bytes hash to what was signed and the signature covers the whole
    file (or only harmless validation data was appended). ``valid``: the signature itself is
    cryptographically correct for the embedded certificate. ``trusted``: the certificate
    chains to one of the trust roots given (False when none were given).
    """

    intact: bool
    valid: bool
    signer: str
    signed_at: datetime | None
    coverage_entire_file: bool
    detail: str
    trusted: bool = False
    signatures: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"intact": self.intact, "valid": self.valid, "trusted": self.trusted,
                "signer": self.signer,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "coverage_entire_file": self.coverage_entire_file,
                "signatures": self.signatures, "detail": self.detail}


# ------------------------------------------------------------------------------- keys
def _name(common_name: str, organization: str) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def create_self_signed_p12(path: str | os.PathLike[str], common_name: str, passphrase: bytes,
                           organization: str = DEFAULT_ORGANIZATION, days: int = 3650,
                           key_type: str = "rsa", files: ProfileFiles | None = None) -> Path:
    """Create a key and a self-signed certificate for ``common_name`` as a PKCS#12 file.

    RSA 3072 by default (every PDF reader verifies it; ``key_type="ec"`` gives ECDSA P-256).
    The certificate allows digitalSignature and nonRepudiation (content commitment): what a
    signature on a document that commits its signer needs. The file is written with the
    passphrase (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256) and readable by OpenSSL, Adobe
    Reader and Windows. An existing file is never overwritten. With ``files`` (a profile's),
    ``path`` lies in that profile and the file is kept through it (encrypted when the profile
    is).
    """
    common_name = common_name.strip()
    if not common_name:
        raise SigningError(translate("Signing", "the certificate needs a name (the supervisor's)"))
    if not passphrase:
        raise SigningError(translate("Signing", "the key file needs a passphrase"))
    target = files.path(path) if files is not None else Path(path)
    if target.exists():
        raise SigningError(translate("Signing", "{path} exists already; it is not overwritten")
                           .format(path=target))
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    elif key_type == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"unknown key type {key_type!r}")
    name = _name(common_name, organization)
    now = datetime.now(UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))  # a laptop clock a little behind still works
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(P12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"), key, certificate, None, encryption)
    if files is not None:
        files.write(target, data)
        return target
    return write_atomically(target, data)


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if values:
        value = values[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return name.rfc4514_string()


def _public_key_der(key: Any) -> bytes:
    """A public key as DER SubjectPublicKeyInfo: two keys are the same key when these are."""
    der: bytes = key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def load_signer(p12_path: str | os.PathLike[str] | bytes, passphrase: bytes,
                name: str | None = None) -> PdfSigner:
    """Open the PKCS#12 file (a path, or its bytes named ``name`` in messages); SigningError
    for a missing or broken file or a wrong passphrase."""
    from pyhanko.keys.internal import (  # deferred: see the module's docstring
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if isinstance(p12_path, bytes | bytearray):
        data = bytes(p12_path)
        path = Path(name or "supervisor.p12")
        if len(data) > MAX_P12_BYTES:
            raise SigningError(translate("Signing", "{path} is too large to be a key file")
                               .format(path=path))
    else:
        path = Path(p12_path)
        try:
            if path.stat().st_size > MAX_P12_BYTES:
                raise SigningError(translate("Signing", "{path} is too large to be a key file")
                                   .format(path=path))
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(translate("Signing", "cannot read the key file {path}: {error}")
                               .format(path=path, error=exc.strerror or exc)) from exc
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, passphrase)
    except ValueError as exc:
        raise SigningError(translate("Signing", "{file}: wrong passphrase, or not a PKCS#12 key "
                                     "file").format(file=path.name)) from exc
    except Exception as exc:  # cryptography raises several kinds for a damaged file
        raise SigningError(translate("Signing", "{file}: not a usable PKCS#12 key file ({error})")
                           .format(file=path.name, error=exc)) from exc
    if key is None or certificate is None:
        raise SigningError(translate("Signing", "{file} holds no private key with its "
                                     "certificate").format(file=path.name))
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError(translate("Signing", "{file}: only RSA and ECDSA keys sign PDFs here")
                           .format(file=path.name))
    if _public_key_der(key.public_key()) != _public_key_der(certificate.public_key()):
        raise SigningError(translate("Signing", "{file}: the key does not belong to the "
                                     "certificate").format(file=path.name))
    store = SimpleCertificateStore()
    store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in others])
    signer = SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store)
    return PdfSigner(
        signer=signer, subject_name=_common_name(certificate.subject),
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_hex=f"{certificate.serial_number:X}",
        not_valid_after=certificate.not_valid_after_utc,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM),
        self_signed=certificate.issuer == certificate.subject)


# ----------------------------------------------------------------------------- signing
def sign_pdf(pdf_bytes: bytes, signer: PdfSigner, reason: str = "综合考评",
             location: str = "", field_name: str = SIGNATURE_FIELD) -> bytes:
    """PAdES B-B signature over the whole PDF, in an invisible signature field.

    No timestamp server and no revocation fetching: the laptop is offline, and the signing
    time in the signature is the laptop's clock (the signed PDF also prints it).
    """
    from pyhanko.pdf_utils.incremental_writer import (  # deferred: see the module's docstring
        IncrementalPdfFileWriter,
    )
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name, md_algorithm="sha256", reason=reason or None,
            location=location or None, name=signer.subject_name,
            subfilter=fields.SigSeedSubFilter.PADES)
        output = signers.PdfSigner(metadata, signer=signer.signer).sign_pdf(writer)
    except Exception as exc:  # pyHanko reports PDF and key problems with many types
        raise SigningError(translate("Signing", "the PDF could not be signed: {error}")
                           .format(error=exc)) from exc
    signed: bytes = output.getvalue()
    return signed


# -------------------------------------------------------------------------- validation
TrustRoot = bytes | str | os.PathLike[str] | x509.Certificate | Any


def _trust_roots(trust_roots: Iterable[TrustRoot] | None) -> list[Any]:
    """Certificates given as PEM/DER bytes, file paths, or asn1crypto / cryptography
    certificate objects, as asn1crypto certificates for pyHanko's validation context."""
    # Deferred with pyHanko (see the module's docstring). asn1crypto ships no type
    # information; mypy reports the package once, at its first import.
    from asn1crypto import pem  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509

    roots: list[Any] = []
    for root in trust_roots or ():
        if isinstance(root, asn1_x509.Certificate):
            roots.append(root)
            continue
        if isinstance(root, x509.Certificate):
            data = root.public_bytes(serialization.Encoding.DER)
        elif isinstance(root, bytes):
            data = root
        else:
            data = Path(root).read_bytes()
        if pem.detect(data):
            for _, _, der in pem.unarmor(data, multiple=True):
                roots.append(asn1_x509.Certificate.load(der))
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def verify_pdf(path_or_bytes: str | os.PathLike[str] | bytes,
               trust_roots: Iterable[TrustRoot] | None = None) -> PdfVerification:
    """Check every signature in the PDF with pyHanko's validator, offline.

    ``intact`` is True only when each signature's digest matches the signed bytes, the
    signature is cryptographically valid, and the signature covers the entire file (or what
    was appended after it is only a timestamp or validation data). A file that cannot even
    be parsed is reported as not intact, never as an exception.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader  # deferred: see the module's docstring
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        data = (bytes(path_or_bytes) if isinstance(path_or_bytes, bytes | bytearray)
                else Path(path_or_bytes).read_bytes())
    except OSError as exc:
        return PdfVerification(False, False, "", None, False, f"cannot read the file: {exc}")
    try:
        roots = _trust_roots(trust_roots)
    except (OSError, ValueError) as exc:
        return PdfVerification(False, False, "", None, False, f"bad trust root: {exc}")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        # HQ's document timestamp (app.hq.timestamps) is a signature of its own kind
        # (/DocTimeStamp), checked as a timestamp below, not as a supervisor's signature.
        signatures = reader.embedded_regular_signatures
        timestamps = reader.embedded_timestamp_signatures
    except Exception as exc:  # a damaged file: any parse error means "cannot be shown intact"
        return PdfVerification(False, False, "", None, False, f"not a readable PDF: {exc}")
    if not signatures:
        return PdfVerification(False, False, "", None, False, "the PDF carries no signature")
    intact_all = valid_all = trusted_all = entire = True
    signer = ""
    signed_at: datetime | None = None
    details: list[str] = []
    for index, embedded in enumerate(signatures):
        context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                    revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(
                embedded, context,
                key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation"}))
        except Exception as exc:  # damaged CMS or byte range: not intact
            intact_all = valid_all = trusted_all = entire = False
            details.append(f"signature {index + 1}: cannot be validated: {exc}")
            continue
        cert = status.signing_cert
        name = cert.subject.native.get("common_name", "") if cert is not None else ""
        if index == 0:
            signer = name or (cert.subject.human_friendly if cert is not None else "")
            signed_at = status.signer_reported_dt
        coverage = status.coverage
        # Whole file signed; or only a later timestamp / validation data (DSS) appended,
        # which headquarters may add for long-term validation. Anything else appended,
        # even bytes that change nothing on the page, is not covered: not intact.
        covered = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level == ModificationLevel.LTA_UPDATES
            and bool(status.docmdp_ok))
        entire = entire and coverage == SignatureCoverageLevel.ENTIRE_FILE
        intact_all = intact_all and bool(status.intact) and bool(status.valid) and covered
        valid_all = valid_all and bool(status.valid)
        trusted_all = trusted_all and bool(status.trusted)
        details.append(f"signature {index + 1} ({embedded.field_name}): "
                       f"{status.summary()}")
    for embedded in timestamps:
        # Intact and valid is what counts here; whether HQ's time-stamping certificate is
        # trusted is for whoever holds it (HQ validates with it: tests/test_hq_timestamps.py).
        try:
            stamp_status = validate_pdf_timestamp(embedded, ValidationContext(
                trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"))
        except Exception as exc:  # damaged token or byte range: not intact
            intact_all = valid_all = False
            details.append(f"document timestamp ({embedded.field_name}): cannot be validated: "
                           f"{exc}")
            continue
        intact_all = intact_all and bool(stamp_status.intact) and bool(stamp_status.valid)
        valid_all = valid_all and bool(stamp_status.valid)
        details.append(f"document timestamp ({embedded.field_name}) of "
                       f"{stamp_status.timestamp:%Y-%m-%d %H:%M:%S %Z}: "
                       f"{'intact' if stamp_status.intact else 'NOT intact'}")
    return PdfVerification(
        intact=intact_all, valid=valid_all, signer=signer, signed_at=signed_at,
        coverage_entire_file=entire, detail="; ".join(details),
        trusted=trusted_all and bool(roots), signatures=len(signatures))


def certificate_pem(p12_path: str | os.PathLike[str], passphrase: bytes) -> bytes:
    """The certificate of a PKCS#12 file as PEM: what headquarters adds to its trust roots."""
    return load_signer(p12_path, passphrase).certificate_pem


# ------------------------------------------------------------------ profile identity
def supervisor_p12_path(db: Database) -> Path | None:
    """The profile's supervisor key file, if one is set and still there."""
    value = db.setting(SUPERVISOR_P12_SETTING)
    if not value:
        return None
    path = Path(value)
    if not path.is_absolute():
        path = db.data_dir / path
    return path if path.is_file() else None


def read_profile_key_file(db: Database, path: Path) -> bytes:
    """A key file's bytes: decrypted through the profile when it lies in it (where it is
    encrypted if the profile is), else read as it is."""
    try:
        if path.is_absolute() and not path.resolve().is_relative_to(db.data_dir.resolve()):
            return path.read_bytes()
        return db.files.read(path)
    except OSError as exc:
        raise SigningError(translate("Signing", "cannot read the key file {path}: {error}")
                           .format(path=path, error=exc.strerror or exc)) from exc
    except ProfileFileError as exc:
        raise SigningError(str(exc)) from exc


def load_supervisor_signer(db: Database, path: Path, passphrase: bytes) -> PdfSigner:
    """The profile's supervisor identity (``supervisor_p12_path``), opened."""
    return load_signer(read_profile_key_file(db, path), passphrase, name=path.name)


def ensure_supervisor_identity(db: Database, name: str, passphrase: bytes) -> Path:
    """The profile's supervisor key file; on a first run, a new self-signed one for ``name``.

    The passphrase protects the new file; for an existing file it is not checked here
    (``load_signer`` does, when signing).
    """
    existing = supervisor_p12_path(db)
    if existing is not None:
        return existing
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    path = create_self_signed_p12(f"{KEYS_DIR}/supervisor-{stamp}.p12", name, passphrase,
                                  files=db.files)
    db.set_setting(SUPERVISOR_P12_SETTING, db.files.relative(path))
    db.set_setting(SUPERVISOR_CERTIFICATE_SETTING,
                   load_supervisor_signer(db, path, passphrase).certificate_pem.decode("ascii"))
    if not db.setting(SUPERVISOR_NAME_SETTING):
        db.set_setting(SUPERVISOR_NAME_SETTING, name.strip())
    return path


def import_supervisor_p12(db: Database, path: str | os.PathLike[str],
                          passphrase: bytes) -> Path:
    """Make headquarters' PKCS#12 file this profile's supervisor identity.

    The file is opened first (SigningError for a wrong passphrase or a broken file), then
    copied into ``keys/``: the profile keeps working if the USB stick goes away.
    """
    source = Path(path)
    signer = load_signer(source, passphrase)
    target = db.files.path(f"{KEYS_DIR}/imported-{signer.serial_hex[:16].lower()}.p12")
    if source.resolve() != target.resolve():
        db.files.copy_in(source, target)
    db.set_setting(SUPERVISOR_P12_SETTING, db.files.relative(target))
    db.set_setting(SUPERVISOR_NAME_SETTING, signer.subject_name)
    db.set_setting(SUPERVISOR_CERTIFICATE_SETTING, signer.certificate_pem.decode("ascii"))
    return target

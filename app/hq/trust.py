"""The badge trust list and revocation list HQ holds, which every event package carries."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from app.badge.trust_lists import TrustedIssuer, load_revocations, load_trust_list
from app.hq.database import HqDatabase
from app.hq.models import RevokedCertificate, RevokedIssuer, TrustIssuer

REVOCATION_BATCH = 10_000


def trust_issuers(db: HqDatabase, issuers: Iterable[TrustedIssuer]) -> int:
    """Add or update these issuers of badges; how many."""
    count = 0
    with db.begin() as s:
        for issuer in issuers:
            s.merge(TrustIssuer(kid=issuer.kid, name=issuer.name,
                                public_key=issuer.public_key,
                                valid_from=issuer.valid_from,
                                valid_until=issuer.valid_until))
            count += 1
    return count


def import_trust_list(db: HqDatabase, path: str | os.PathLike[str]) -> int:
    """Add or update the issuers of a trust list file (app.badge.verify's format)."""
    return trust_issuers(db, load_trust_list(Path(path)))


def revoke_certificates(db: HqDatabase, cert_keys: Iterable[str]) -> None:
    """Add these certificates (by cert_key) to the revocation list."""
    rows = [{"cert_key": key} for key in sorted(set(cert_keys))]
    if rows:
        with db.begin() as s:
            s.execute(db.insert_or_skip(RevokedCertificate.__table__), rows)


def import_revocations(db: HqDatabase, path: str | os.PathLike[str]) -> tuple[int, int]:
    """Replace the revocation list with the file's (a list is a complete snapshot)."""
    cert_keys, kids = load_revocations(Path(path))
    with db.begin() as s:
        s.execute(delete(RevokedCertificate))
        s.execute(delete(RevokedIssuer))
        keys = sorted(cert_keys)
        for start in range(0, len(keys), REVOCATION_BATCH):
            s.execute(insert(RevokedCertificate),
                      [{"cert_key": key} for key in keys[start:start + REVOCATION_BATCH]])
        if kids:
            s.execute(insert(RevokedIssuer), [{"kid": kid} for kid in sorted(kids)])
    return len(cert_keys), len(kids)


def trust_summary(db: HqDatabase) -> dict[str, int]:
    with db.Session() as s:
        return {
            "issuers": int(s.scalar(select(func.count()).select_from(TrustIssuer)) or 0),
            "revoked_certificates": int(
                s.scalar(select(func.count()).select_from(RevokedCertificate)) or 0),
            "revoked_issuers": int(
                s.scalar(select(func.count()).select_from(RevokedIssuer)) or 0)}

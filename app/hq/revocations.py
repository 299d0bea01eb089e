"""Revoking a guard's certificate at HQ (issue 14): one code path for the JSON API
(``POST /api/v1/revocations``, app.hq.console_api) and the console's person page
(app.hq.console.people).

The certificate's key goes into ``revoked_certificate``, which every event package and the
revocation list HQ exports carry, so every laptop refuses the badge after its next pull or
import. The reason is kept in the audit entry written in the same transaction
(``certificate.revoke``, target ``certificate:<key>``); the person's file reads it there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.hq import audit
from app.hq.database import HqDatabase
from app.hq.errors import HqError
from app.hq.models import RevokedCertificate
from app.hq.register import plain_text
from app.inspection.identity import cert_key

MAX_CERT_CHARS = 50
MAX_REASON_CHARS = 500
ACTION = "certificate.revoke"


def revoke(db: HqDatabase, actor: str, cert_no: str, reason: str) -> dict[str, Any]:
    """Revoke the certificate ``cert_no`` with the reason, audited; HqError (400) for what
    is no certificate number (empty, too long, no letter or digit, a control or format
    character such as a bidi override) or no plain-text reason, and nothing is stored.
    Revoking again is no error: ``already_revoked`` says so, and the audit log keeps the
    second reason too."""
    if not isinstance(cert_no, str) or not isinstance(reason, str):
        raise HqError(400, "the certificate number and the reason must be text")
    if len(cert_no) > MAX_CERT_CHARS:
        raise HqError(400, f"a certificate number has at most {MAX_CERT_CHARS} characters")
    shown = plain_text(cert_no, MAX_CERT_CHARS, "certificate number")
    key = cert_key(shown)
    if not key:
        raise HqError(400, f"{cert_no!r} is no certificate number (it has no letters or "
                           f"digits)")
    reason = plain_text(reason, MAX_REASON_CHARS, "reason")
    with db.begin() as s:
        already = s.scalar(select(RevokedCertificate.cert_key)
                           .where(RevokedCertificate.cert_key == key)) is not None
        if not already:
            s.add(RevokedCertificate(cert_key=key))
            s.flush()
        audit.record(s, actor, ACTION, f"certificate:{key}", {"revoked": already},
                     {"revoked": True, "cert_no": shown, "reason": reason})
    return {"cert_no": cert_no, "cert_key": key, "revoked": True, "already_revoked": already}

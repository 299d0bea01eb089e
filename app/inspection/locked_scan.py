"""Telling a badge scanned while the window is locked from the password typed to unlock it.

While the window is locked the keyboard focus sits in the lock screen's password field, and a
USB scanner is a keyboard: a badge scanned then is typed into the password field. The
application-wide scan router leaves password fields alone (a password manager types there as
fast as a scanner), so the lock screen applies this rule itself. The text is first tried as the
password, off the GUI thread; only when it does not open the profile does the rule decide:
a run typed at a scanner's speed (``app.inspection.scan_timing``) that holds what a badge or a
post label carries was a scan. It is refused, with the alert sound and a message, never
recorded; anything else was a mistyped password.

Pure Python: no Qt, so it is tested on plain strings.
"""

from __future__ import annotations

from datetime import date

from app.badge.payload import is_signed_payload, parse_post_payload
from app.badge.trust_lists import MemoryTrustStore
from app.badge.verify import BadgeVerdict, verify
from app.inspection.scan_timing import SCANNER_MIN_BURST

# Whether a text is shaped like a badge does not depend on whom the profile trusts: an empty
# trust store gives a signed badge UNKNOWN_ISSUER, a certificate number UNSIGNED_LEGACY, and
# anything that is neither MALFORMED.
_NO_TRUST = MemoryTrustStore()


def looks_like_a_scan(text: str) -> bool:
    """Whether ``text`` is what a badge's code or a post label carries: a signed badge (``VS1``,
    even a damaged or forged one), a post label (``VSP1``), or a certificate number."""
    if is_signed_payload(text) or parse_post_payload(text) is not None:
        return True
    return verify(text, _NO_TRUST, date.today()).verdict is not BadgeVerdict.MALFORMED


def was_a_scan(burst: str) -> bool:
    """After the text typed into the lock screen did not open the profile: whether ``burst``,
    the run typed at a scanner's speed at its end, was a badge scanned while locked."""
    return len(burst) >= SCANNER_MIN_BURST and looks_like_a_scan(burst)

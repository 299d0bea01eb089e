"""Resident ID numbers (GB 11643-1999) and certificate numbers.

ID numbers are personal data: the profile keeps only a masked form for people to read, never
the number itself nor anything computed from it (a salted hash stored beside the masked form
let the 11 hidden digits be found by trying them: issue 10, item 4). People are matched across
events by certificate number; headquarters alone keeps a keyed pseudonym of the number
(app.hq.keys), with a key that never leaves it.
"""

from __future__ import annotations

import re
import unicodedata

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise_text(value: object) -> str:
    """Full-width forms to ASCII (NFKC), every kind of white space removed at the ends."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip()


def normalise_id_number(value: object) -> str:
    """Digits and a final upper-case X, with inner spaces removed."""
    text = normalise_text(value)
    text = re.sub(r"\s+", "", text)
    return text.upper()


def id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_problem(id_number: str) -> str | None:
    """None if valid, else a short code: 'missing', 'length', 'chars', 'check_digit'."""
    if not id_number:
        return "missing"
    if len(id_number) != 18:
        return "length"
    if not _ID_SHAPE.match(id_number):
        return "chars"
    if id_check_char(id_number[:17]) != id_number[17]:
        return "check_digit"
    return None


MASK_HEAD, MASK_TAIL = 3, 4  # the usual 3 + 4: 211***********123X


def mask_id_number(id_number: str) -> str:
    """211***********123X: the first three and the last four, enough for a person to confirm
    a card in hand; a value too short to hide 7 characters is hidden whole."""
    if len(id_number) < MASK_HEAD + MASK_TAIL + 7:
        return "*" * len(id_number)
    return (id_number[:MASK_HEAD] + "*" * (len(id_number) - MASK_HEAD - MASK_TAIL)
            + id_number[-MASK_TAIL:])


def cert_key(cert_no: str) -> str:
    """The part of a certificate number a barcode scanner can type: digits and A-Z.

    Certificates carry a province prefix such as 辽; a keyboard-wedge scanner cannot type
    Chinese, so the lookup ignores everything that is not an ASCII letter or digit.
    """
    text = unicodedata.normalize("NFKC", cert_no).upper()
    return "".join(ch for ch in text if ("0" <= ch <= "9") or ("A" <= ch <= "Z"))

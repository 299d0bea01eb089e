"""Spreadsheet formula injection (CSV injection): one rule for reading, one for writing.

Excel and WPS take a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and so
does a cell whose first characters are a tab or a carriage return followed by one of those;
``=cmd|' /C calc'!A0`` then starts a program on the machine that opens the file. A roster is
written by a security company and opened at headquarters, so:

* reading: :func:`looks_like_formula` tells the roster check that a text cell is a formula in
  disguise (after the same normalisation the roster applies: full-width ``＝`` is ``=``);
* writing: every CSV or XLSX the app writes passes its cells through :func:`neutralise_cell`
  (or :func:`neutralise_row`), which prefixes a single quote, as OWASP recommends: the
  spreadsheet then shows the text and never evaluates it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@")
_DANGEROUS_FIRST = (*FORMULA_PREFIXES, "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """True for a text value a spreadsheet would evaluate, leading white space ignored.

    Numbers are never formulas (a negative number read as a number is just that), and neither
    is a cell of dashes only, the "nothing to write here" of many office rosters.
    """
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    if not re.sub(r"[\s-]+", "", text):
        return False
    return text.startswith(FORMULA_PREFIXES)


def neutralise_cell(value: object) -> object:
    """The value to write into a CSV or XLSX cell: text starting with = + - @ tab or CR gets a
    leading ``'``; everything else (numbers, dates, safe text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_FIRST):
        return "'" + value
    return value


def neutralise_row(values: Iterable[object]) -> list[object]:
    return [neutralise_cell(value) for value in values]

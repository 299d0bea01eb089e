"""The licences of what the program carries: its bundled font and every library it runs on
(shown in Help → About).

The libraries are read at run time from the installed distributions' metadata: the program's
own distribution names its dependencies, theirs name theirs, so the list, the versions and
the licence texts are always those of this copy of the program. The frozen build carries that
metadata (build.spec copies it for every name ``carried_distribution_names`` gives). What the
metadata does not hold is shipped in ``resources/licences/``: the font's notice, Python's
licence (a build carries the interpreter), Qt's LGPL (the PySide6 wheels carry no licence
file), and SQLCipher and OpenSSL, which are linked into the sqlcipher3 module.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app.resources import resources_dir

PROGRAM_DISTRIBUTION = "venue-supervisor"
FONT_NAME = "WenQuanYi Micro Hei (文泉驿微米黑)"
FONT_VERSION = "0.2.0-beta"
FONT_LICENCE = "Apache-2.0 OR GPL-3.0-or-later WITH Font-exception-2.0"
FONT_TEXTS = ("wqy-microhei.txt", "Apache-2.0.txt", "GPL-3.0.txt")
PYTHON_TEXTS = ("Python.txt",)  # the build carries the interpreter itself

_QT_TEXTS = ("qt.txt", "LGPL-3.0.txt", "GPL-3.0.txt")
# Texts a distribution's metadata lacks, by normalised distribution name.
SHIPPED_TEXTS: dict[str, tuple[str, ...]] = {
    "pyside6": _QT_TEXTS, "pyside6-essentials": _QT_TEXTS, "pyside6-addons": _QT_TEXTS,
    "shiboken6": _QT_TEXTS,
    "sqlcipher3": ("sqlcipher.txt", "Apache-2.0.txt"),
}
# Licences a distribution's metadata does not name (sqlcipher3 names none at all).
SHIPPED_NAMES: dict[str, str] = {
    "sqlcipher3": "Zlib; SQLCipher: BSD-3-Clause; OpenSSL: Apache-2.0",
}
_LICENCE_FILE = re.compile(r"LICEN[CS]E|COPYING|NOTICE", re.IGNORECASE)
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_LONGEST_LICENCE_FIELD = 60  # longer "License" fields hold a whole text, not a name


@dataclass(frozen=True)
class Licence:
    """One component the program carries and the terms it is used under."""

    name: str
    version: str
    licence: str  # the licence's name or SPDX expression
    texts: tuple[tuple[str, str], ...]  # (file name, text) of each licence file

    def full_text(self) -> str:
        """The licence files one after the other, each under its file name."""
        return "\n\n".join(f"==== {title} ====\n\n{text.strip()}" for title, text in self.texts)


def licences_dir() -> Path:
    return resources_dir() / "licences"


def normalised(name: str) -> str:
    """A distribution's name as the packaging standards compare names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _shipped(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((name, (licences_dir() / name).read_text(encoding="utf-8"))
                 for name in names)


def font_licence() -> Licence:
    return Licence(FONT_NAME, FONT_VERSION, FONT_LICENCE, _shipped(FONT_TEXTS))


def python_licence() -> Licence:
    return Licence("Python", platform.python_version(), "PSF-2.0", _shipped(PYTHON_TEXTS))


def carried_distribution_names() -> list[str]:
    """Every distribution the program needs to run, found by following the requirements from
    the program's own distribution (extras only where asked for, e.g. ``psycopg[binary]``).

    A requirement that is not installed is not carried: its other conditions (a Python
    version, another operating system) kept it out. Empty when the program's own metadata is
    missing (a build made without it)."""
    found: dict[str, str] = {}
    followed: set[tuple[str, str]] = set()
    waiting: list[tuple[str, frozenset[str]]] = [(PROGRAM_DISTRIBUTION, frozenset())]
    while waiting:
        name, extras = waiting.pop()
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        key = normalised(distribution.metadata["Name"] or name)
        found.setdefault(key, distribution.metadata["Name"] or name)
        for extra in ("", *extras):
            if (key, extra) in followed:
                continue
            followed.add((key, extra))
            waiting.extend(_requirements(distribution, extra))
    found.pop(normalised(PROGRAM_DISTRIBUTION), None)
    return sorted(found.values(), key=str.lower)


def _requirements(distribution: metadata.Distribution,
                  extra: str) -> list[tuple[str, frozenset[str]]]:
    """The requirements that apply without extras (``extra == ""``) or with one extra."""
    wanted: list[tuple[str, frozenset[str]]] = []
    for requirement in distribution.requires or []:
        specification, _, marker = requirement.partition(";")
        asked = _EXTRA_MARKER.search(marker)
        if (normalised(asked.group(1)) if asked else "") != extra:
            continue
        match = _REQUIREMENT.match(specification)
        if match:
            extras = frozenset(normalised(item) for item in (match.group(2) or "").split(",")
                               if item.strip())
            wanted.append((match.group(1), extras))
    return wanted


def licence_name(distribution: metadata.Distribution) -> str:
    """The licence a distribution declares: its SPDX expression, else a short License field,
    else its classifiers."""
    fields = distribution.metadata
    shipped = SHIPPED_NAMES.get(normalised(fields["Name"] or ""))
    if shipped:
        return shipped
    if fields["License-Expression"]:
        return str(fields["License-Expression"])
    declared = (fields["License"] or "").strip()
    if declared and "\n" not in declared and len(declared) <= _LONGEST_LICENCE_FIELD:
        return declared
    classifiers = [item.split("::")[-1].strip() for item in fields.get_all("Classifier") or []
                   if item.startswith("License ::")]
    if classifiers:
        return " / ".join(classifiers)
    return declared.splitlines()[0] if declared else "?"


def licence_files(distribution: metadata.Distribution) -> tuple[tuple[str, str], ...]:
    """The licence files a distribution ships in its metadata folder."""
    names = list(distribution.metadata.get_all("License-File") or [])
    if not names:  # older metadata names none: the licence files listed in its RECORD
        names = [Path(*file.parts[1:]).as_posix().removeprefix("licenses/")
                 for file in distribution.files or []
                 if file.parts and file.parts[0].endswith((".dist-info", ".egg-info"))
                 and _LICENCE_FILE.search(file.name)]
    texts = []
    for name in names:
        # Metadata 2.4 keeps them under licenses/; older wheels beside METADATA.
        text = distribution.read_text(f"licenses/{name}") or distribution.read_text(name)
        if text:
            texts.append((name, text))
    return tuple(texts)


def library_licences() -> list[Licence]:
    """Every carried library with its version, licence and licence texts."""
    found = []
    for name in carried_distribution_names():
        distribution = metadata.distribution(name)
        shipped = _shipped(SHIPPED_TEXTS.get(normalised(name), ()))
        found.append(Licence(name, distribution.version, licence_name(distribution),
                             licence_files(distribution) + shipped))
    return found


def all_licences() -> list[Licence]:
    """The font first, then Python, then the libraries by name."""
    return [font_licence(), python_licence(), *library_licences()]

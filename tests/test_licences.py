"""The licences Help → About lists: the bundled font's, and every library the program needs,
found from the installed metadata, each with a licence name and its text."""

from __future__ import annotations

import re
import tomllib

from app.licences import (
    all_licences,
    carried_distribution_names,
    font_licence,
    licences_dir,
    normalised,
)
from app.resources import font_path
from tests.conftest import REPO


def runtime_dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {normalised(re.split(r"[\[<>=!~;\s]", line)[0]) for line in project["dependencies"]}


def test_every_dependency_of_pyproject_and_theirs_are_listed() -> None:
    carried = {normalised(name) for name in carried_distribution_names()}
    assert runtime_dependencies() <= carried, (
        "the installed metadata is older than pyproject.toml: pip install -e '.[dev]'")
    # what the dependencies bring along, and the extra pyproject asks for (psycopg[binary])
    assert {"pyside6-essentials", "shiboken6", "starlette", "pydantic", "cffi",
            "psycopg-binary", "asn1crypto"} <= carried
    # the tools of the dev extra are not part of the program
    assert not {"pytest", "ruff", "mypy", "pyinstaller", "venue-supervisor"} & carried


def test_each_library_has_a_licence_name_and_text() -> None:
    licences = all_licences()
    assert licences[0] == font_licence()
    assert licences[1].name == "Python" and "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in (
        licences[1].full_text())
    for licence in licences:
        assert licence.version, licence.name
        assert licence.licence and licence.licence != "?", licence.name
        assert licence.texts and all(text.strip() for _, text in licence.texts), licence.name
    by_name = {normalised(licence.name): licence for licence in licences}
    assert by_name["sqlalchemy"].licence == "MIT"
    assert "LGPL-3.0" in by_name["pyside6"].licence
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in by_name["pyside6"].full_text()
    # sqlcipher3 declares nothing: SQLCipher and OpenSSL, linked into it, are named
    assert "SQLCipher" in by_name["sqlcipher3"].licence
    assert "ZETETIC LLC" in by_name["sqlcipher3"].full_text()
    assert "BSD" in by_name["reportlab"].licence  # its License field is a whole sentence
    assert "Apache" in by_name["zxing-cpp"].full_text()  # metadata without License-File


def test_the_font_is_under_apache_2_or_the_gpl_with_the_font_exception() -> None:
    font = font_licence()
    assert font_path().is_file()
    assert font.licence.startswith("Apache-2.0 OR GPL-3.0")
    names = [name for name, _ in font.texts]
    assert names == ["wqy-microhei.txt", "Apache-2.0.txt", "GPL-3.0.txt"]
    text = font.full_text()
    assert "WenQuanYi" in text and "TERMS AND CONDITIONS FOR USE" in text
    assert "As a special exception, if you create a document which uses this font" in text
    assert all((licences_dir() / name).is_file() for name in names)

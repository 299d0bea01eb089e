"""The zh_CN translation is complete, compiled, and actually used."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import update_translations  # noqa: E402


def _messages(ts: Path) -> dict[tuple[str, str], str | None]:
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            unfinished = translation.get("type") == "unfinished"
            found[(name, message.findtext("source") or "")] = (
                None if unfinished else translation.text)
    return found


@pytest.mark.slow  # starts a process
def test_every_visible_string_has_a_chinese_translation(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    shutil.copy(update_translations.TS, fresh)
    update_translations.update_ts(fresh)  # collects every tr()/translate() in app/ and ui/
    messages = _messages(fresh)
    assert len(messages) > 150
    untranslated = [key for key, text in messages.items() if not text]
    assert untranslated == [], "run scripts/update_translations.py and translate these"
    assert messages == _messages(update_translations.TS), "the .ts file is not up to date"


@pytest.mark.slow  # starts a process
def test_compiled_qm_matches_the_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "fresh.qm"
    update_translations.release(update_translations.TS, compiled)
    assert compiled.read_bytes() == update_translations.QM.read_bytes(), (
        "run scripts/update_translations.py: the shipped .qm is stale")


@pytest.mark.slow
def test_core_messages_come_out_in_chinese() -> None:
    code = (
        "from app.i18n import core_application, translate\n"
        "from app.inspection.domain import verdict_text\n"
        "core_application('zh_CN')\n"
        "print(verdict_text('other_company'))\n"
        "print(translate('Roster', 'Name is missing'))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out == ["他公司人员：疑似转包或外借", "缺少姓名"]

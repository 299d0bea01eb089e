"""The laptop's preferences file (app/preferences.py): a preference is never a reason not to
start. A missing, damaged, oversized or wrong-typed file gives the defaults for what it lacks;
what is saved comes back as it was."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from app.preferences import (
    CONFIG_DIR_ENV,
    DEFAULT_IDLE_LOCK_MINUTES,
    MAX_PREFERENCES_BYTES,
    PREFERENCES_FILENAME,
    Preferences,
    load_preferences,
    preferences_path,
    save_preferences,
)

CHANGED = Preferences(language="zh_CN", large_type=True, high_contrast=True, sound=False,
                      volume=35, idle_lock_minutes=30, camera="0a1b2c")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "config"))
    return tmp_path / "config"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_the_environment_chooses_the_folder(config: Path) -> None:
    assert preferences_path() == config / PREFERENCES_FILENAME


def test_round_trip(config: Path) -> None:
    save_preferences(CHANGED)
    assert load_preferences() == CHANGED
    stored = json.loads(preferences_path().read_text(encoding="utf-8"))
    assert stored == dataclasses.asdict(CHANGED)
    assert not list(config.glob("*.tmp")), "the temporary file is renamed, not left behind"


def test_saving_again_replaces_the_file_whole(config: Path) -> None:
    save_preferences(CHANGED)
    save_preferences(Preferences())
    assert load_preferences() == Preferences()


def test_no_file_gives_the_defaults(config: Path) -> None:
    assert not preferences_path().exists()
    assert load_preferences() == Preferences()
    assert load_preferences().idle_lock_minutes == DEFAULT_IDLE_LOCK_MINUTES


@pytest.mark.parametrize("content", [
    b"",
    b"{",
    b"\xff\xfe\x00garbage",
    b"null",
    b"[1, 2, 3]",
    b'"large_type"',
    b"{\"large_type\": true,",  # cut short while written by something else
], ids=["empty", "open-brace", "binary", "null", "list", "string", "cut-short"])
def test_a_damaged_file_gives_the_defaults(config: Path, content: bytes) -> None:
    write(preferences_path(), content)
    assert load_preferences() == Preferences()


def test_an_oversized_file_is_not_read(config: Path) -> None:
    document = dataclasses.asdict(CHANGED) | {"padding": "x" * MAX_PREFERENCES_BYTES}
    write(preferences_path(), json.dumps(document))
    assert preferences_path().stat().st_size > MAX_PREFERENCES_BYTES
    assert load_preferences() == Preferences()


def test_wrong_types_give_the_default_of_that_preference_only(config: Path) -> None:
    write(preferences_path(), json.dumps({
        "language": 7, "large_type": 1, "high_contrast": "yes", "sound": None,
        "volume": True, "idle_lock_minutes": 5.0, "camera": ["usb"]}))
    assert load_preferences() == Preferences()
    write(preferences_path(), json.dumps({"large_type": True, "volume": "loud", "camera": 3}))
    assert load_preferences() == Preferences(large_type=True)


def test_values_out_of_range_are_brought_back(config: Path) -> None:
    write(preferences_path(), json.dumps({
        "language": "fr_FR", "volume": 250, "idle_lock_minutes": 7}))
    loaded = load_preferences()
    assert loaded.language == ""
    assert loaded.volume == 100
    assert loaded.idle_lock_minutes == DEFAULT_IDLE_LOCK_MINUTES
    write(preferences_path(), json.dumps({"volume": -5, "idle_lock_minutes": 0}))
    assert (load_preferences().volume, load_preferences().idle_lock_minutes) == (0, 0)


def test_unknown_keys_from_a_newer_version_are_ignored(config: Path) -> None:
    write(preferences_path(), json.dumps(dataclasses.asdict(CHANGED) | {"dark_mode": True}))
    assert load_preferences() == CHANGED


def test_what_is_saved_is_brought_inside_its_range(config: Path) -> None:
    save_preferences(dataclasses.replace(CHANGED, volume=400, language="de"))
    stored = json.loads(preferences_path().read_text(encoding="utf-8"))
    assert (stored["volume"], stored["language"]) == (100, "")


def test_a_folder_in_place_of_the_file_gives_the_defaults(config: Path) -> None:
    preferences_path().mkdir(parents=True)
    assert load_preferences() == Preferences()


def test_the_window_speaks_the_language_chosen_in_settings_unless_told_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from app.preferences import Preferences, save_preferences
    from ui.application import gui_language

    monkeypatch.delenv("VENUE_SUPERVISOR_LANG", raising=False)
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert gui_language(argparse.Namespace(lang=None)) == "en"
    save_preferences(Preferences(language="zh_CN"))
    assert gui_language(argparse.Namespace(lang=None)) == "zh_CN"
    assert gui_language(argparse.Namespace(lang="en")) == "en"  # --lang wins
    monkeypatch.setenv("VENUE_SUPERVISOR_LANG", "en")
    assert gui_language(argparse.Namespace(lang=None)) == "en"  # so does the environment

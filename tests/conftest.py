"""Shared fixtures. Qt runs offscreen; every test gets its own temporary profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("VENUE_SUPERVISOR_DATA_DIR", None)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"  # in the repository: a fresh clone runs the tests
FIXTURE_ROSTER = FIXTURES / "roster_concert_600.xlsx"


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """Qt's translators are process-wide: a test that spoke Chinese must not leave the core's
    messages Chinese for the tests that run after it in the same worker."""
    yield
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is not None:
        from app.i18n import install_translators

        install_translators(app, "en")


@pytest.fixture(autouse=True)
def _own_preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test reads and writes preferences of its own (app/preferences.py), never the
    developer's (sound off, large type on would change what a test sees)."""
    monkeypatch.setenv("VENUE_SUPERVISOR_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    path = tmp_path / "profile"
    path.mkdir()
    return path


@pytest.fixture
def workbench(profile_dir: Path):
    from app.inspection.workbench import Workbench
    from app.profile.db import Database

    db = Database(profile_dir)
    yield Workbench(db)
    db.close()


@pytest.fixture
def fixture_roster() -> Path:
    if not FIXTURE_ROSTER.is_file():
        pytest.fail(f"fixture missing: {FIXTURE_ROSTER} (tracked in git under tests/fixtures/)")
    return FIXTURE_ROSTER


def release_widgets() -> None:
    """Drain the thread pool, then delete the closed windows and collect their wrappers here,
    on the GUI thread: a garbage collection that a worker thread happens to run must not be
    the one that finalizes a window (a crash)."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    from ui.tasks import wait_for_background

    assert wait_for_background()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def messages(monkeypatch) -> list[str]:
    """Message boxes never block: what they would have said is recorded here instead."""
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []

    def record(_parent, _title, text, *_args, **_kwargs):
        said.append(text)
        return QMessageBox.StandardButton.Ok

    for name in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(record))
    return said


# A throwaway PostgreSQL server (tests/helpers/postgres.py): postgres_url per session, postgres_db
# per test. Imported here so that every test module can ask for them.
from tests.helpers.postgres import postgres_db, postgres_server, postgres_url  # noqa: E402, F401


# ---------------------------------------------------------------------------- the tiers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``gui`` for every test that uses Qt's application (qtbot, qapp), so that ``-m gui`` and
    ``-m "not gui"`` never depend on a marker set by hand."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _fast_tests_start_no_process(request: pytest.FixtureRequest,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that starts a child process belongs to the slow tier: the fast tier
    (``-m "not slow"``) stays fast, and the marker is not a matter of remembering."""
    if request.node.get_closest_marker("slow") is not None:
        return
    import subprocess

    # From a checkout, the build information (Help → About, --version) asks git for the
    # commit: in the fast tier it is a fixed word instead (tests/test_version.py, slow,
    # runs the real git).
    monkeypatch.setattr("app.build_info.source_commit", lambda: "checkout")

    original = subprocess.Popen.__init__

    def refuse(self: subprocess.Popen[bytes], args: object, *rest: object,
               **kwargs: object) -> None:
        pytest.fail(f"{request.node.nodeid} starts a process ({args!r}) but is not marked "
                    "slow", pytrace=False)
        original(self, args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)

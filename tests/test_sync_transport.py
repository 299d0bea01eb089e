"""Which transport the laptop uses to reach headquarters: a laptop enrolled over https never
falls back to plain http (refused before any connection is opened); plain http beyond this
machine is warned about; and seed-demo recovers from a run killed after it wrote its key."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from app.cli.main import main
from app.demo import DEMO_P12_NAME
from app.demo_data import DEMO_PASSPHRASE
from app.evaluation.signing import SUPERVISOR_P12_SETTING, load_signer
from app.profile.db import Database
from app.sync.client import SyncService
from app.sync.state import HQ_CERTIFICATE, HQ_TOKEN, HQ_URL
from app.sync.transport import is_loopback, plain_http_warning
from app.sync.upload import SyncOutcome
from tests.helpers.hq_process import last_json, run_app

FAKE_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
REFUSED_URLS = ("http://127.0.0.2:9/", "http://example.invalid/", "HTTP://10.1.2.3:8443",
                "http://localhost:9")


def profile_enrolled(folder: Path, url: str, pinned: str = "") -> Path:
    """The settings enrol leaves in a profile (no HQ needed for what is tested here)."""
    db = Database(folder)
    try:
        for key, value in {HQ_URL: url, HQ_TOKEN: "secret-device-token",
                           HQ_CERTIFICATE: pinned}.items():
            db.set_setting(key, value)
    finally:
        db.close()
    return folder


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a connection was opened")

    monkeypatch.setattr(httpx.Client, "__init__", refuse)
    monkeypatch.setattr(httpx.Client, "request", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.0.0.2", "127.255.255.254", "localhost", "LOCALHOST",
                 "::1", "[::1]", "app.localhost"):
        assert is_loopback(host), host
    for host in ("10.0.0.1", "192.168.1.20", "example.invalid", "128.0.0.1", "::2", "",
                 "localhost.example.com", "0.0.0.0"):
        assert not is_loopback(host), host
    assert plain_http_warning("http://127.0.0.2:8000") is None
    assert plain_http_warning("https://hq.example:8443") is None
    warning = plain_http_warning("http://192.168.1.20:8000")
    assert warning and "192.168.1.20" in warning


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_enrolled_over_https_sync_and_pull_refuse_plain_http(
        tmp_path: Path, url: str, no_network: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    enrolled = "https://hq.example:8443"
    folder = profile_enrolled(tmp_path / "laptop", enrolled, FAKE_PEM)
    assert main(["--data-dir", str(folder), "--lang", "en", "sync", "--hq", url]) == 1
    out, err = capsys.readouterr()
    assert "over plain http" in err and enrolled in err and url in err
    assert "Warning" not in err  # refused, not warned
    assert last_json(out)["sent"] == 0
    # pull has no --hq: with the enrolled address somehow turned to http it refuses too
    db = Database(folder)
    db.set_setting(HQ_URL, url)
    db.close()
    assert main(["--data-dir", str(folder), "--lang", "en", "pull", "--list"]) == 1
    assert "over plain http" in capsys.readouterr().err


def test_a_pinned_certificate_alone_counts_as_enrolled_over_https(tmp_path: Path,
                                                                  no_network: None) -> None:
    folder = profile_enrolled(tmp_path / "laptop", "http://127.0.0.1:9", FAKE_PEM)
    db = Database(folder)
    try:
        with pytest.raises(Exception, match="plain http"):
            SyncService(db).connection()
    finally:
        db.close()


def test_enrolled_over_http_beyond_loopback_is_warned_about(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = profile_enrolled(tmp_path / "laptop", "http://192.168.1.20:8000")
    monkeypatch.setattr(SyncService, "sync", lambda *_a, **_k: SyncOutcome())
    monkeypatch.setattr(SyncService, "enrol", lambda *_a, **_k: {"device_id": "d"})
    assert main(["--data-dir", str(folder), "--lang", "en", "sync"]) == 0
    err = capsys.readouterr().err
    assert "Warning: plain http to http://192.168.1.20:8000" in err
    assert main(["--data-dir", str(folder), "--lang", "en", "enrol", "--hq",
                 "http://hq.example.invalid", "--code", "X"]) == 0
    assert "Warning: plain http to http://hq.example.invalid" in capsys.readouterr().err
    # loopback: no warning, for enrol and sync alike
    assert main(["--data-dir", str(folder), "--lang", "en", "sync", "--hq",
                 "http://127.0.0.5:8000"]) == 0
    assert main(["--data-dir", str(folder), "--lang", "en", "enrol", "--hq",
                 "http://localhost:8000", "--code", "X"]) == 0
    assert "Warning" not in capsys.readouterr().err


@pytest.mark.slow
def test_sync_command_refuses_plain_http_after_https_enrolment(tmp_path: Path) -> None:
    """The documented command line, in its own process; 127.0.0.2:9 has nothing listening,
    so an attempt would say 'cannot be reached' instead of the refusal."""
    folder = profile_enrolled(tmp_path / "laptop", "https://127.0.0.1:9", FAKE_PEM)
    result = run_app("--data-dir", str(folder), "sync", "--hq", "http://127.0.0.2:9/",
                     check=False)
    assert result.returncode == 1, result.stderr
    assert "enrolled with headquarters over https" in result.stderr
    assert "https://127.0.0.1:9" in result.stderr
    assert "cannot be reached" not in result.stderr + result.stdout


@pytest.mark.slow
def test_seed_demo_recovers_from_a_run_killed_after_writing_its_key(tmp_path: Path) -> None:
    profile = tmp_path / "killed"
    run_app("--data-dir", str(profile), "seed-demo", "--inspections", "5")
    p12 = profile / "keys" / DEMO_P12_NAME
    before = p12.read_bytes()
    db = Database(profile)  # as if killed between writing the file and recording it
    db.set_setting(SUPERVISOR_P12_SETTING, "")
    db.close()
    result = run_app("--data-dir", str(profile), "seed-demo", "--inspections", "5",
                     check=False)
    assert result.returncode == 0, result.stderr
    assert p12.read_bytes() == before  # the usable file was kept, not replaced
    db = Database(profile)
    assert db.setting(SUPERVISOR_P12_SETTING) == f"keys/{DEMO_P12_NAME}"
    db.close()

    # a leftover that cannot be opened with the demo passphrase is replaced
    leftover = tmp_path / "leftover"
    (leftover / "keys").mkdir(parents=True)
    (leftover / "keys" / DEMO_P12_NAME).write_bytes(b"half a key file")
    (leftover / "keys" / f"{DEMO_P12_NAME}.new").write_bytes(b"")
    result = run_app("--data-dir", str(leftover), "seed-demo", "--inspections", "5",
                     check=False)
    assert result.returncode == 0, result.stderr
    assert load_signer(leftover / "keys" / DEMO_P12_NAME, DEMO_PASSPHRASE)
    assert not (leftover / "keys" / f"{DEMO_P12_NAME}.new").exists()
    assert last_json(run_app("--data-dir", str(leftover), "seed-demo", "--inspections",
                             "5").stdout)["evaluation_id"]

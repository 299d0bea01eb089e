"""``python -m app badge ...`` as headquarters' scripts call it: subprocesses, exact forms."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.helpers.badges import COMPANY, LICENCE, write_roster

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "correct horse battery staple"

pytestmark = pytest.mark.slow


def run_cli(*args: str, stdin: str | None = None,
            new_session: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    env.pop("VENUE_SUPERVISOR_LANG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          input=stdin if stdin is not None else "",
                          start_new_session=new_session)


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


class HQ:
    """A headquarters folder: key, trust list, badges for a 20-guard roster."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.passphrase = root / "passphrase.txt"
        self.keys = root / "keys"
        self.key = self.keys / "issuer.key"
        self.trust = root / "trust.json"
        self.out = root / "badges"
        self.roster = root / "roster.xlsx"
        self.kid = ""
        self.summary: dict = {}


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> HQ:
    hq = HQ(tmp_path_factory.mktemp("hq"))
    hq.passphrase.write_text(PASSPHRASE + "\n", encoding="utf-8")
    result = run_cli("badge", "keygen", "--out", str(hq.keys),
                     "--passphrase-file", str(hq.passphrase))
    assert result.returncode == 0, result.stderr
    hq.kid = json_lines(result.stdout)[0]["kid"]
    result = run_cli("badge", "trust-export", "--key", str(hq.key), "--out", str(hq.trust),
                     "--passphrase-file", str(hq.passphrase))
    assert result.returncode == 0, result.stderr
    write_roster(hq.roster, 20)
    result = run_cli("badge", "issue", "--roster", str(hq.roster), "--key", str(hq.key),
                     "--out", str(hq.out), "--passphrase-file", str(hq.passphrase),
                     "--licence", LICENCE)
    assert result.returncode == 0, result.stderr
    hq.summary = json_lines(result.stdout)[0]
    return hq


def test_keygen_wrote_an_encrypted_key_and_a_public_key(hq: HQ) -> None:
    assert hq.key.read_text(encoding="ascii").startswith("-----BEGIN ENCRYPTED PRIVATE KEY")
    assert (hq.keys / "issuer.pub").read_text(encoding="ascii").startswith(
        "-----BEGIN PUBLIC KEY")
    assert PASSPHRASE not in hq.key.read_text(encoding="ascii")


def test_trust_list_holds_the_public_key_only(hq: HQ) -> None:
    document = json.loads(hq.trust.read_text(encoding="utf-8"))
    assert document["format"] == "venue-supervisor-trust-list"
    [entry] = document["issuers"]
    assert entry["kid"] == hq.kid and entry["name"] == "市局保安管理支队"
    assert len(base64.b64decode(entry["public_key"])) == 32
    assert "PRIVATE" not in hq.trust.read_text(encoding="utf-8")


def test_issue_wrote_a_png_per_guard_and_both_pdfs(hq: HQ) -> None:
    assert hq.summary["issued"] == 20 and hq.summary["skipped"] == []
    assert hq.summary["max_qr_version"] <= 10
    assert len(list(hq.out.glob("*.png"))) == 20
    assert (hq.out / "badges.pdf").is_file() and (hq.out / "posts.pdf").is_file()
    text = PdfReader(hq.out / "badges.pdf").pages[0].extract_text()
    assert COMPANY in text and "辽700000000001" in text


def test_verify_image_valid_exit_0(hq: HQ) -> None:
    result = run_cli("badge", "verify", "--image", str(hq.out / "700000000001.png"),
                     "--trust", str(hq.trust))
    assert result.returncode == 0, result.stderr
    [line] = json_lines(result.stdout)
    assert line["verdict"] == "VALID" and line["cert_no"] == "辽700000000001"
    assert line["name"] == "保安001" and line["company"] == COMPANY
    assert line["kid"] == hq.kid and line["licence_no"] == LICENCE
    assert "expires_on" in line and "detail" in line
    assert len(result.stdout.splitlines()) == 1


def test_verify_typed_payload_valid(hq: HQ) -> None:
    manifest = (hq.out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    payload = manifest[1].rsplit(",", 1)[1]
    result = run_cli("badge", "verify", "--payload", payload, "--trust", str(hq.trust))
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[0]["verdict"] == "VALID"


def _payload(hq: HQ, row: int = 1) -> str:
    manifest = (hq.out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    return manifest[row].rsplit(",", 1)[1]


def test_verify_tampered_payload_bad_signature_exit_1(hq: HQ) -> None:
    payload = _payload(hq)
    position = 3 + 11  # inside the dates
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    changed = alphabet[alphabet.index(payload[position]) ^ 1]
    tampered = payload[:position] + changed + payload[position + 1:]
    result = run_cli("badge", "verify", "--payload", tampered, "--trust", str(hq.trust))
    assert result.returncode == 1
    assert json_lines(result.stdout)[0]["verdict"] == "BAD_SIGNATURE"


def test_verify_with_revocation_list_revoked_exit_1(hq: HQ, tmp_path: Path) -> None:
    revoked = tmp_path / "revoked.txt"
    revoked.write_text("# lost badges\n辽700000000001\n", encoding="utf-8")
    result = run_cli("badge", "verify", "--image", str(hq.out / "700000000001.png"),
                     "--trust", str(hq.trust), "--revoked", str(revoked))
    assert result.returncode == 1
    line = json_lines(result.stdout)[0]
    assert line["verdict"] == "REVOKED" and line["cert_no"] == "辽700000000001"


def test_verify_as_of_another_day(hq: HQ) -> None:
    later = date.today() + timedelta(days=400)  # the badges are valid 365 days
    expired = run_cli("badge", "verify", "--payload", _payload(hq), "--trust", str(hq.trust),
                      "--today", later.isoformat())
    assert expired.returncode == 1
    assert json_lines(expired.stdout)[0]["verdict"] == "EXPIRED"
    beyond_trust = run_cli("badge", "verify", "--payload", _payload(hq), "--trust",
                           str(hq.trust), "--today", "2099-01-01")
    assert json_lines(beyond_trust.stdout)[0]["verdict"] == "UNKNOWN_ISSUER"


def test_verify_several_payloads_one_line_each(hq: HQ) -> None:
    result = run_cli("badge", "verify", "--payload", "-", "--trust", str(hq.trust),
                     "--lang", "en", stdin=f"{_payload(hq, 1)}\n辽334107653877\n###\n"
                                          f"{_payload(hq, 2)}\n")
    verdicts = [line["verdict"] for line in json_lines(result.stdout)]
    assert verdicts == ["VALID", "UNSIGNED_LEGACY", "MALFORMED", "VALID"]
    assert result.returncode == 1  # not every one is VALID


def test_verify_image_without_a_qr_code(hq: HQ, tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    result = run_cli("badge", "verify", "--image", str(blank), "--trust", str(hq.trust))
    assert result.returncode == 1
    [line] = json_lines(result.stdout)
    assert line["verdict"] == "MALFORMED" and line["detail"] == "no QR code found"
    assert line["cert_no"] == ""


def test_verify_image_with_several_codes(hq: HQ, tmp_path: Path) -> None:
    from PIL import Image

    first = Image.open(hq.out / "700000000001.png")
    second = Image.open(hq.out / "700000000002.png")
    both = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)),
                     255)
    both.paste(first, (0, 0))
    both.paste(second, (first.width + 40, 0))
    both.save(tmp_path / "two.png")
    result = run_cli("badge", "verify", "--image", str(tmp_path / "two.png"),
                     "--trust", str(hq.trust))
    lines = json_lines(result.stdout)
    assert sorted(line["cert_no"] for line in lines) == ["辽700000000001", "辽700000000002"]
    assert result.returncode == 0


@pytest.mark.parametrize("problem", ["missing trust", "bad trust", "missing image",
                                     "missing revoked"])
def test_verify_errors_exit_2(hq: HQ, tmp_path: Path, problem: str) -> None:
    trust, image, extra = str(hq.trust), str(hq.out / "700000000001.png"), []
    if problem == "missing trust":
        trust = str(tmp_path / "nope.json")
    elif problem == "bad trust":
        (tmp_path / "bad.json").write_text('{"format": "venue-supervisor-trust-list"}',
                                           encoding="utf-8")
        trust = str(tmp_path / "bad.json")
    elif problem == "missing image":
        image = str(tmp_path / "nope.png")
    else:
        extra = ["--revoked", str(tmp_path / "nope.txt")]
    result = run_cli("badge", "verify", "--image", image, "--trust", trust, *extra)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_wrong_passphrase_exit_2(hq: HQ, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    result = run_cli("badge", "issue", "--roster", str(hq.roster), "--key", str(hq.key),
                     "--out", str(tmp_path / "out"), "--passphrase-file", str(wrong))
    assert result.returncode == 2
    assert "wrong passphrase" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_issue_with_missing_roster_exit_2(hq: HQ, tmp_path: Path) -> None:
    result = run_cli("badge", "issue", "--roster", str(tmp_path / "nope.xlsx"), "--key",
                     str(hq.key), "--out", str(tmp_path / "out"), "--passphrase-file",
                     str(hq.passphrase))
    assert result.returncode == 2 and "roster not found" in result.stderr


def test_keygen_refuses_to_overwrite(hq: HQ) -> None:
    before = hq.key.read_bytes()
    result = run_cli("badge", "keygen", "--out", str(hq.keys), "--passphrase-file",
                     str(hq.passphrase))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert hq.key.read_bytes() == before


def test_keygen_asks_for_the_passphrase_twice(tmp_path: Path) -> None:
    # No controlling terminal: getpass falls back to reading stdin.
    result = run_cli("badge", "keygen", "--out", str(tmp_path / "k"),
                     stdin="sturdy passphrase\nsturdy passphrase\n", new_session=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "k" / "issuer.key").is_file()
    mismatch = run_cli("badge", "keygen", "--out", str(tmp_path / "m"),
                       stdin="sturdy passphrase\nanother one here\n", new_session=True)
    assert mismatch.returncode == 2 and "differ" in mismatch.stderr
    assert not (tmp_path / "m" / "issuer.key").exists()


def test_trust_export_from_the_public_key_and_merge(hq: HQ, tmp_path: Path) -> None:
    second = tmp_path / "second"
    assert run_cli("badge", "keygen", "--out", str(second), "--passphrase-file",
                   str(hq.passphrase)).returncode == 0
    merged = tmp_path / "trust.json"
    merged.write_bytes(hq.trust.read_bytes())
    result = run_cli("badge", "trust-export", "--key", str(second / "issuer.pub"), "--out",
                     str(merged), "--merge", str(merged), "--name", "市局保安管理支队（新密钥）",
                     "--valid-from", "2025-01-01", "--valid-until", "2027-12-31",
                     "--data-dir", str(tmp_path / "profile"))
    assert result.returncode == 0, result.stderr
    issuers = json.loads(merged.read_text(encoding="utf-8"))["issuers"]
    assert len(issuers) == 2 and issuers[0]["kid"] == hq.kid
    assert issuers[1]["valid_until"] == "2027-12-31"
    # The old key's badges still verify against the merged list (key rotation).
    check = run_cli("badge", "verify", "--payload", _payload(hq), "--trust", str(merged))
    assert check.returncode == 0, check.stdout


def test_revoke_export_writes_a_list_verify_reads(hq: HQ, tmp_path: Path) -> None:
    revoked = tmp_path / "revoked.txt"
    result = run_cli("badge", "revoke-export", "--out", str(revoked), "辽700000000002",
                     "--issuer", "0000abcd")
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout)[0] == {"revocation_list": str(revoked), "certificates": 1,
                                            "issuers": 1}
    check = run_cli("badge", "verify", "--payload", _payload(hq, 2), "--trust", str(hq.trust),
                    "--revoked", str(revoked))
    assert json_lines(check.stdout)[0]["verdict"] == "REVOKED"


def test_issue_the_600_guard_fixture(fixture_roster: Path, hq: HQ, tmp_path: Path) -> None:
    out = tmp_path / "concert"
    started = time.perf_counter()
    result = run_cli("badge", "issue", "--roster", str(fixture_roster), "--key", str(hq.key),
                     "--out", str(out), "--passphrase-file", str(hq.passphrase),
                     "--licence", LICENCE)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    summary = json_lines(result.stdout)[0]
    assert summary["issued"] == 600 and summary["max_qr_version"] <= 10
    assert len(list(out.glob("*.png"))) == 600
    assert len(PdfReader(out / "badges.pdf").pages) == 60
    text = PdfReader(out / "badges.pdf").pages[0].extract_text()
    assert COMPANY in text and "辽334107653877" in text
    assert PdfReader(out / "posts.pdf").pages
    assert seconds < 60, f"issuing 600 badges took {seconds:.1f} s"
    check = run_cli("badge", "verify", "--image", str(out / "334107653877.png"),
                    "--trust", str(hq.trust))
    assert check.returncode == 0
    line = json_lines(check.stdout)[0]
    assert line["verdict"] == "VALID" and line["name"] == "杜英"


def test_a_giant_image_is_refused_with_a_message(tmp_path: Path) -> None:
    """A 20000x20000 PNG (a few kilobytes on disk) is a decompression bomb, not a badge."""
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)
    from app.badge.trust_lists import write_trust_list
    from tests.helpers.badges import issuer

    trust = tmp_path / "trust.json"
    write_trust_list(trust, [issuer()])
    result = run_cli("badge", "verify", "--image", str(bomb), "--trust", str(trust),
                     "--lang", "en")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "too large a picture" in result.stderr

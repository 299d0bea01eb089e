"""``python -m app report`` and ``verify-pdf`` end to end, as headquarters' scripts call them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.inspection.workbench import Workbench
from app.profile.db import Database
from tests.conftest import REPO
from tests.helpers.evaluation import COMPANY, EVENT_NAME, build_hand_case

pytestmark = pytest.mark.slow


def run_app(*args: str, cwd: Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("VENUE_SUPERVISOR_DATA_DIR", None)
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=cwd or REPO, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_report_demo_then_verify(tmp_path: Path) -> None:
    out = tmp_path / "out" / "demo-evaluation.pdf"
    result = run_app("report", "--demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "signed" and summary["pdf"] == str(out)
    assert summary["grade"] in ("excellent", "good", "pass", "fail")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert summary["document_number"] in text and summary["grade_text"] in text
    assert f"{summary['score']:.2f}" in text
    assert "辽宁安盾保安服务有限公司" in text  # the demo's company

    verified = run_app("verify-pdf", str(out))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    payload = json.loads(verified.stdout)
    assert payload["intact"] is True and payload["valid"] is True
    assert payload["signer"] == summary["signer"]
    assert payload["signed_at"]

    certificate = tmp_path / "demo.pem"
    certificate.write_text(summary["certificate_pem"], encoding="ascii")
    trusted = run_app("verify-pdf", str(out), "--trust", str(certificate))
    assert json.loads(trusted.stdout)["trusted"] is True

    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    broken = run_app("verify-pdf", str(tampered))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert json.loads(broken.stdout)["intact"] is False

    missing = run_app("verify-pdf", str(tmp_path / "nothing.pdf"))
    assert missing.returncode == 2


def test_report_for_an_event_of_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    db = Database(profile)
    case = build_hand_case(Workbench(db))
    db.close()
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("a long enough passphrase\n", encoding="utf-8")
    out = tmp_path / "evaluation.pdf"

    wrong_event = run_app("report", "--event", "no such event", "--out", str(out),
                          "--passphrase-file", str(passphrase), "--data-dir", str(profile))
    assert wrong_event.returncode == 2 and "no event" in wrong_event.stderr

    # By name, first run: the profile's supervisor identity is created.
    result = run_app("report", "--event", EVENT_NAME, "--out", str(out), "--passphrase-file",
                     str(passphrase), "--supervisor", "陈督导", "--data-dir", str(profile))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["event_id"] == case.event_id
    assert (summary["score"], summary["grade_text"], summary["signer"]) == (81.5, "良好",
                                                                            "陈督导")
    assert list((profile / "keys").glob("*.p12"))
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert COMPANY in text and "81.50" in text and "陈督导" in text
    assert run_app("verify-pdf", str(out)).returncode == 0

    # By id, again: already signed, so the kept PDF is handed out, never signed twice.
    again = tmp_path / "again.pdf"
    second = run_app("report", "--event", case.event_id, "--out", str(again),
                     "--passphrase-file", str(passphrase), "--data-dir", str(profile))
    assert second.returncode == 0, second.stderr
    assert again.read_bytes() == out.read_bytes()
    assert "signed before" in second.stderr


def test_report_with_a_wrong_passphrase(tmp_path: Path) -> None:
    from app.evaluation.signing import create_self_signed_p12

    profile = tmp_path / "profile"
    db = Database(profile)
    build_hand_case(Workbench(db))
    db.close()
    p12 = create_self_signed_p12(tmp_path / "hq.p12", "孙督导", b"the right one",
                                 key_type="ec")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    result = run_app("report", "--event", EVENT_NAME, "--out", str(tmp_path / "x.pdf"),
                     "--p12", str(p12), "--passphrase-file", str(wrong),
                     "--data-dir", str(profile))
    assert result.returncode == 2
    assert "passphrase" in result.stderr
    assert not (tmp_path / "x.pdf").exists()

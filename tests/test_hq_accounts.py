"""HQ staff accounts with roles, the audit log, and the first changes through the JSON API
(issue 14): `hq user add|list|disable`, HTTP Basic with each person's account, a viewer's write
refused with 403 and nothing stored, every change in an append-only, hash-chained log."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.hq import audit
from app.hq.cli import add_hq_parser
from app.hq.commands import run_command
from app.hq.models import AuditEntry, HqUser, RevokedCertificate
from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import PACKAGE_FORMAT, read_signed

PASSWORDS = {"admin-li": "admin password 1", "staff-wang": "staff password 1",
             "viewer-zhao": "viewer password 1"}


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield store
    store.close()


def hq_command(store: HqStore, tmp_path: Path, *argv: str,
               password: str | None = None) -> tuple[int, dict[str, Any]]:
    """``python -m app hq ...`` in this process, on the test's HQ database."""
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    add_hq_parser(commands, lambda _parser, _hq: None)
    extra: list[str] = []
    if password is not None:
        secret = tmp_path / "password.txt"
        secret.write_text(password + "\n", encoding="utf-8")
        extra = ["--password-file", str(secret)]
    args = parser.parse_args(["hq", *argv, "--db", store.url, *extra])
    out = io.StringIO()
    with redirect_stdout(out):
        code = run_command(args)
    lines = out.getvalue().strip().splitlines()
    try:
        return code, json.loads(lines[-1]) if lines else {}
    except ValueError:  # a sentence for people (staff-password)
        return code, {}


def with_accounts(store: HqStore, tmp_path: Path) -> None:
    for name, role in (("admin-li", "admin"), ("staff-wang", "staff"),
                       ("viewer-zhao", "viewer")):
        code, shown = hq_command(store, tmp_path, "user", "add", name, "--role", role,
                                 password=PASSWORDS[name])
        assert code == 0 and shown["name"] == name and shown["role"] == role


def counts(store: HqStore) -> tuple[int, int, int]:
    with store.Session() as s:
        return (int(s.scalar(select(func.count()).select_from(HqUser)) or 0),
                int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0),
                int(s.scalar(select(func.count()).select_from(RevokedCertificate)) or 0))


# ---------------------------------------------------------------------- the command line
def test_user_add_list_disable(hq: HqStore, tmp_path: Path) -> None:
    with_accounts(hq, tmp_path)
    code, listed = hq_command(hq, tmp_path, "user", "list")
    assert code == 0
    assert [(u["name"], u["role"], u["disabled"]) for u in listed["users"]] == [
        ("admin-li", "admin", False), ("staff-wang", "staff", False),
        ("viewer-zhao", "viewer", False)]
    with hq.Session() as s:  # only a scrypt digest is kept
        stored = s.get(HqUser, "staff-wang")
        assert stored is not None and stored.password_hash.startswith("scrypt$16384$8$1$")
        assert PASSWORDS["staff-wang"] not in stored.password_hash
    assert hq.accounts.authenticate("staff-wang", PASSWORDS["staff-wang"]) is not None
    assert hq.accounts.authenticate("staff-wang", "wrong password 1") is None

    code, shown = hq_command(hq, tmp_path, "user", "disable", "staff-wang")
    assert code == 0 and shown["disabled"] is True and shown["disabled_at"]
    assert hq.accounts.authenticate("staff-wang", PASSWORDS["staff-wang"]) is None
    actions = [(e["actor"].startswith("command line"), e["action"], e["target"])
               for e in audit.entries(hq.db)]
    assert actions == [(True, "user.disable", "user:staff-wang"),
                       (True, "user.add", "user:viewer-zhao"),
                       (True, "user.add", "user:staff-wang"), (True, "user.add", "user:admin-li")]


@pytest.mark.parametrize("argv, password", [
    (("user", "add", "admin-li", "--role", "admin"), "another password"),  # exists
    (("user", "add", "new:name", "--role", "staff"), "a good password"),  # ':' in a name
    (("user", "add", "new name", "--role", "staff"), "a good password"),  # a space
    (("user", "add", "short", "--role", "staff"), "short"),  # password under 10
    (("user", "disable", "nobody"), None),
], ids=["exists", "colon", "space", "short password", "unknown"])
def test_a_refused_account_change_says_why_and_changes_nothing(
        hq: HqStore, tmp_path: Path, argv: tuple[str, ...], password: str | None,
        capsys: pytest.CaptureFixture[str]) -> None:
    with_accounts(hq, tmp_path)
    before = counts(hq)
    code, _ = hq_command(hq, tmp_path, *argv, password=password)
    assert code == 1
    assert capsys.readouterr().err.strip()  # a sentence on stderr
    assert counts(hq) == before


def test_an_unknown_role_is_a_usage_error(hq: HqStore, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        hq_command(hq, tmp_path, "user", "add", "someone", "--role", "root",
                   password="a good password")
    assert exited.value.code == 2


# --------------------------------------------------------------------------- the API
@pytest.fixture
def client(hq: HqStore, tmp_path: Path) -> Iterator[TestClient]:
    with_accounts(hq, tmp_path)
    with TestClient(create_app(hq)) as test_client:
        yield test_client


def auth(name: str) -> tuple[str, str]:
    return name, PASSWORDS[name]


def test_a_viewer_reads_but_cannot_change_anything(hq: HqStore, client: TestClient) -> None:
    assert client.get("/api/v1/companies", auth=auth("viewer-zhao")).status_code == 200
    before = counts(hq)
    refused = client.post("/api/v1/revocations", auth=auth("viewer-zhao"),
                          json={"cert_no": "辽200000000001", "reason": "证件遗失"})
    assert refused.status_code == 403 and "viewer" in refused.json()["detail"]
    assert client.get("/api/v1/audit", auth=auth("viewer-zhao")).status_code == 403
    assert counts(hq) == before


def test_staff_revoke_a_certificate_and_the_next_package_carries_it(
        hq: HqStore, client: TestClient) -> None:
    event_id = hq.add_demo_event()
    answer = client.post("/api/v1/revocations", auth=auth("staff-wang"),
                         json={"cert_no": "辽200000000001", "reason": "证件遗失，已挂失"})
    assert answer.status_code == 201
    assert answer.json() == {"cert_no": "辽200000000001", "cert_key": "200000000001",
                             "revoked": True, "already_revoked": False}
    with hq.Session() as s:
        assert s.get(RevokedCertificate, "200000000001") is not None
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    assert "200000000001" in body["revoked_certificates"]
    again = client.post("/api/v1/revocations", auth=auth("staff-wang"),
                        json={"cert_no": "辽 2000 0000 0001", "reason": "再次确认"})
    assert again.status_code == 201 and again.json()["already_revoked"] is True

    log = client.get("/api/v1/audit", auth=auth("admin-li"))
    assert log.status_code == 200 and log.json()["chain_intact"] is True
    newest = log.json()["entries"][0]
    assert (newest["actor"], newest["action"], newest["target"]) == (
        "staff-wang", "certificate.revoke", "certificate:200000000001")
    assert newest["before"] == {"revoked": True}
    assert newest["after"]["reason"] == "再次确认"
    assert client.get("/api/v1/audit", auth=auth("staff-wang")).status_code == 403


@pytest.mark.parametrize("body", [
    {"cert_no": "", "reason": "x"}, {"cert_no": "!!!", "reason": "无字母数字"},
    {"cert_no": "辽1", "reason": ""}, {"cert_no": "辽1" * 100, "reason": "太长"},
    {"cert_no": "辽1", "reason": "长" * 10_000}, ["辽1"], {"cert_no": ["辽1"], "reason": "x"},
    {"cert_no": "辽1", "reason": "\u202e"}, {"cert_no": "辽1", "reason": "证件\x00遗失"},
], ids=["empty", "no letters", "no reason", "long number", "long reason", "a list",
        "number a list", "a bidi override", "a NUL"])
def test_a_hostile_revocation_is_refused_and_stores_nothing(
        hq: HqStore, client: TestClient, body: Any) -> None:
    before = counts(hq)
    answer = client.post("/api/v1/revocations", auth=auth("staff-wang"), json=body)
    assert answer.status_code == 400 and answer.json()["detail"]  # HQ's answer to bad input
    assert counts(hq) == before


def test_sign_in_is_refused_without_a_valid_account(hq: HqStore, client: TestClient) -> None:
    assert client.get("/api/v1/companies").status_code == 401
    assert client.get("/api/v1/companies", auth=("staff-wang", "wrong one")).status_code == 401
    assert client.get("/api/v1/companies", auth=("nobody", "whatever 12")).status_code == 401
    hq.accounts.disable("viewer-zhao", "test")
    assert client.get("/api/v1/companies", auth=auth("viewer-zhao")).status_code == 401


def test_the_shared_staff_password_still_reads_but_changes_nothing(
        hq: HqStore, client: TestClient) -> None:
    hq.set_staff_password("shared password")
    assert client.get("/api/v1/companies", auth=("anyone", "shared password")).status_code \
        == 200
    refused = client.post("/api/v1/revocations", auth=("anyone", "shared password"),
                          json={"cert_no": "辽200000000001", "reason": "x"})
    assert refused.status_code == 403


def test_without_accounts_or_password_the_pages_say_how_to_open_them(hq: HqStore) -> None:
    with TestClient(create_app(hq)) as fresh:
        closed = fresh.get("/api/v1/companies")
    assert closed.status_code == 403 and "hq user add" in closed.json()["detail"]


# ------------------------------------------------------------------------ the audit log
def test_the_audit_log_is_append_only_and_a_change_behind_its_back_shows(
        hq: HqStore, tmp_path: Path) -> None:
    with_accounts(hq, tmp_path)
    assert audit.verify_chain(hq.db) is None
    for statement in ("UPDATE audit_entry SET actor = 'someone else' WHERE id = 2",
                      "DELETE FROM audit_entry WHERE id = 1"):
        with pytest.raises(DatabaseError, match="append-only"), hq.db.begin() as s:
            s.execute(text(statement))
    assert [e["actor"] for e in audit.entries(hq.db)][-1].startswith("command line")
    # Someone with the database file drops the trigger and edits a row: the chain breaks.
    with hq.db.begin() as s:
        s.execute(text("DROP TRIGGER audit_entry_no_update"))
        s.execute(text("UPDATE audit_entry SET target = 'user:someone' WHERE id = 2"))
    assert audit.verify_chain(hq.db) == 2


def test_hqs_command_line_changes_are_in_the_audit_log(hq: HqStore, tmp_path: Path) -> None:
    """Every change made on HQ's command line is audited, never a secret in it."""
    code, _ = hq_command(hq, tmp_path, "set-form", "--unit", "辽宁省公安厅治安管理总队")
    assert code == 0
    code, _ = hq_command(hq, tmp_path, "demo-event")
    assert code == 0
    code, _ = hq_command(hq, tmp_path, "staff-password", password="shared password 1")
    assert code == 0
    actions = [(e["action"], e["target"]) for e in audit.entries(hq.db)]
    assert [a for a, _target in actions] == ["staff_password.set", "event.demo", "vetting.demo",
                                            "form.set"]
    assert all(e["actor"].startswith("command line (") for e in audit.entries(hq.db))
    assert "shared password 1" not in json.dumps(audit.entries(hq.db), ensure_ascii=False)
    assert audit.verify_chain(hq.db) is None

"""Official document numbers (文号, issue 13): unique across laptops even offline.

HQ allots each enrolled laptop blocks in the event packages it serves; a laptop with none
left numbers from its own series, which HQ maps to official numbers on arrival. HQ runs
in-process (FastAPI's TestClient stands in for the laptop's httpx client), as in
tests/test_sync_hazards.py. Evaluations are numbered as the signing transaction will number
them: ``next_document_number`` just before, the text stored in ``evaluation.document_number``.
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.evaluation.document_numbers import (
    DEFAULT_BASIS,
    DEFAULT_PREFIX,
    FORM_BASIS_SETTING,
    FORM_PREFIX_SETTING,
    FORM_UNIT_SETTING,
    FormSettings,
    china_year,
    device_tag,
    is_local_number,
    next_document_number,
    parse_document_number,
    read_form_settings,
)
from app.hq import document_numbers as hq_numbers
from app.hq.cli import add_hq_parser
from app.hq.commands import run_command
from app.hq.models import DocumentNumberBlock as HqBlock
from app.hq.models import DocumentNumberMap
from app.hq.server import create_app
from app.hq.store import HqStore
from app.profile.db import Database
from app.profile.models import (
    Base,
    DocumentNumberBlock,
    Evaluation,
    ProfileSetting,
)
from app.profile.supervisor import (
    ReportDefaults,
    SupervisorIdentity,
    save_identity,
    save_report_defaults,
)
from app.sync.client import SyncService
from app.sync.protocol import HQ_SIGNER, PACKAGE_FORMAT, read_signed, write_signed
from app.sync.state import HQ_DEVICE_ID, SyncError

HQ_URL = "http://testserver"
WHEN = datetime(2026, 12, 12, 12, 0, tzinfo=UTC)


@pytest.fixture
def hq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    app = create_app(store)
    real_client = httpx.Client

    def client(**kwargs: Any) -> httpx.Client:
        if str(kwargs.get("base_url", "")).startswith(HQ_URL):
            return TestClient(app, base_url=str(kwargs["base_url"]),
                              headers=kwargs.get("headers") or {})
        return real_client(**kwargs)

    monkeypatch.setattr(httpx, "Client", client)
    # HQ allots blocks of the year it is in China: the tests' year, whatever the clock says.
    monkeypatch.setattr(hq_numbers, "utc_now", lambda: WHEN)
    yield store
    store.close()


def laptop(store: HqStore, folder: Path, event_id: str) -> tuple[Database, SyncService]:
    db = Database(folder)
    service = SyncService(db)
    service.enrol(HQ_URL, store.create_enrolment_code("李建国"))
    service.pull_event(event_id)
    return db, service


def number_evaluations(db: Database, event_id: str, count: int,
                       when: datetime = WHEN) -> list[str]:
    """``count`` evaluations numbered one by one, as the signing transaction numbers them."""
    numbers = []
    with db.read() as s:
        version = int(s.scalar(select(func.max(Evaluation.version))
                               .where(Evaluation.event_id == event_id)) or 0)
    for _ in range(count):
        number = next_document_number(db, when)
        version += 1
        with db.begin() as s:
            s.add(Evaluation(event_id=event_id, version=version, status="draft",
                             document_id=f"DOC-{db.device_id[:8]}-{version}",
                             device_id=db.device_id, document_number=number))
        numbers.append(number)
    return numbers


def blocks_of(db: Database) -> list[tuple[str, int, int, int]]:
    with db.read() as s:
        return sorted((row.prefix, row.year, row.first, row.last) for row in s.execute(
            select(DocumentNumberBlock.prefix, DocumentNumberBlock.year,
                   DocumentNumberBlock.first, DocumentNumberBlock.last)))


def hq_command(store: HqStore, *argv: str) -> tuple[int, dict[str, Any]]:
    """``python -m app hq ...`` in this process, on the test's HQ database."""
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    add_hq_parser(commands, lambda _parser, _hq: None)
    args = parser.parse_args(["hq", argv[0], "--db", store.url, *argv[1:]])
    out = io.StringIO()
    with redirect_stdout(out):
        code = run_command(args)
    lines = out.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]) if lines else {}


# ---------------------------------------------------------------------- the numbers
def test_two_laptops_offline_never_give_the_same_number_and_hq_maps_the_local_ones(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    db_b, sync_b = laptop(hq, tmp_path / "b", event_id)
    year = china_year(WHEN)
    assert year == 2026
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, year, 1, 50)]
    assert blocks_of(db_b) == [(DEFAULT_PREFIX, year, 51, 100)]
    # A package again, before any number was used: enough left, no new block, none twice.
    sync_a.pull_event(event_id)
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, year, 1, 50)]

    # Offline: each signs 60, ten more than its block holds.
    numbers_a = number_evaluations(db_a, event_id, 60)
    numbers_b = number_evaluations(db_b, event_id, 60)
    every = numbers_a + numbers_b
    assert len(set(every)) == 120
    assert numbers_a[:3] == ["公保考〔2026〕1号", "公保考〔2026〕2号", "公保考〔2026〕3号"]
    assert numbers_b[0] == "公保考〔2026〕51号"
    tag_a, tag_b = device_tag(db_a.device_id), device_tag(db_b.device_id)
    assert numbers_a[50:52] == [f"公保考〔2026〕临{tag_a}-1号", f"公保考〔2026〕临{tag_a}-2号"]
    assert numbers_b[59] == f"公保考〔2026〕临{tag_b}-10号"
    assert sum(map(is_local_number, every)) == 20
    # A deleted evaluation's number is not given again.
    with db_a.begin() as s:
        row = s.scalar(select(Evaluation).where(Evaluation.document_number == numbers_a[-1]))
        assert row is not None
        row.deleted_at = WHEN
    assert next_document_number(db_a, WHEN) == f"公保考〔2026〕临{tag_a}-11号"
    # The new year starts the laptop's own series again (no block of 2027 yet).
    assert next_document_number(db_a, datetime(2026, 12, 31, 16, 0, tzinfo=UTC)) \
        == f"公保考〔2027〕临{tag_a}-1号"

    for service in (sync_a, sync_b):
        outcome = service.sync()
        assert outcome.failed == 0, outcome.errors
    listing = hq_numbers.listing(hq.db)
    assert listing["problems"] == []
    mappings = listing["mappings"]
    locals_sent = {n for n in every if is_local_number(n)}
    assert {m["local_number"] for m in mappings} == locals_sent
    officials = [m["official_number"] for m in mappings]
    assert len(set(officials)) == 20
    block_numbers = {f"公保考〔2026〕{n}号" for n in range(1, 101)}
    assert not set(officials) & block_numbers
    assert sorted(parse_document_number(o).number or 0 for o in officials) \
        == list(range(101, 121))
    assert {m["device_id"] for m in mappings if tag_a in m["local_number"]} \
        == {db_a.setting(HQ_DEVICE_ID)}

    # Idempotent: the same local numbers again map to nothing new.
    with db_a.begin() as s:
        for row in s.scalars(select(Evaluation).where(Evaluation.document_number.in_(
                [n for n in numbers_a if is_local_number(n)]))):
            row.comment = "sent again"
    assert sync_a.sync().failed == 0
    with hq.Session() as s:
        assert s.scalar(select(func.count()).select_from(DocumentNumberMap)) == 20

    # The next package: HQ saw A's block used up, so a new block follows the mappings.
    sync_a.pull_event(event_id)
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, year, 1, 50), (DEFAULT_PREFIX, year, 121, 170)]
    assert next_document_number(db_a, WHEN) == "公保考〔2026〕121号"
    # B has 0 of 50 left at HQ's count as well: its next block follows A's.
    sync_b.pull_event(event_id)
    assert blocks_of(db_b)[-1] == (DEFAULT_PREFIX, year, 171, 220)


def test_a_number_outside_the_laptops_blocks_is_kept_and_reported(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    db_b, _sync_b = laptop(hq, tmp_path / "b", event_id)
    taken = next_document_number(db_b, WHEN)  # B's block: 51..100
    assert taken == "公保考〔2026〕51号"
    with db_a.begin() as s:  # A gives one of B's numbers (a forged or broken laptop)
        row = Evaluation(event_id=event_id, version=1, status="draft", document_id="DOC-X",
                         device_id=db_a.device_id, document_number=taken)
        s.add(row)
    outcome = sync_a.sync()
    assert outcome.failed == 0, outcome.errors
    with hq.Session() as s:  # the record is kept
        assert s.scalar(select(func.count()).select_from(DocumentNumberMap)) == 0
    listing = hq_numbers.listing(hq.db, db_a.setting(HQ_DEVICE_ID))
    [problem] = listing["problems"]
    assert problem["document_number"] == taken
    assert "not in a block headquarters allotted this laptop" in problem["problem"]
    # The batch answer says so too (stored, with the note).
    from app.sync.protocol import Record
    from app.sync.records import load_records

    with db_a.read() as s:
        [record] = load_records(s, "evaluation", [row.id], db_a.data_dir).values()
    [result] = hq.ingest(db_a.setting(HQ_DEVICE_ID) or "", [Record.of("evaluation", {
        **record.payload, "comment": "again"}).as_json()])
    assert result["status"] == "stored"
    assert "not in a block" in result["error"]


# ---------------------------------------------------------------------- the form
def test_the_form_comes_from_hq_else_the_settings_else_the_defaults(
        hq: HqStore, tmp_path: Path) -> None:
    db = Database(tmp_path / "alone")
    save_identity(db, SupervisorIdentity("李建国", "沈阳市公安局治安管理支队", "210345"))
    assert read_form_settings(db) == FormSettings("沈阳市公安局治安管理支队", DEFAULT_PREFIX,
                                                  DEFAULT_BASIS)
    save_report_defaults(db, ReportDefaults("沈阳市公安局", "", " 辽 公保考〔", "《条例》"))
    assert read_form_settings(db) == FormSettings("沈阳市公安局", "辽公保考", "《条例》")
    db.close()

    code, form = hq_command(hq, "set-form", "--unit", "辽宁省公安厅治安管理总队",
                            "--prefix", "辽公保考")
    assert code == 0
    assert form == {"issuing_unit": "辽宁省公安厅治安管理总队", "number_prefix": "辽公保考",
                    "basis": DEFAULT_BASIS}
    event_id = hq.add_demo_event()
    db, _service = laptop(hq, tmp_path / "laptop", event_id)
    save_report_defaults(db, ReportDefaults("沈阳市公安局", "", "沈公保考", "《条例》"))
    assert read_form_settings(db) == FormSettings("辽宁省公安厅治安管理总队", "辽公保考",
                                                  DEFAULT_BASIS)
    assert next_document_number(db, WHEN) == "辽公保考〔2026〕1号"
    hq_device = db.setting(HQ_DEVICE_ID)
    code, listing = hq_command(hq, "document-numbers", "--device", hq_device or "")
    assert code == 0
    assert set(listing) == {"form", "blocks", "mappings", "problems"}  # as README says
    assert listing["form"] == form
    assert set(listing["blocks"][0]) == {"device_id", "prefix", "year", "first", "last",
                                         "allotted_at"}
    assert [(b["device_id"], b["prefix"], b["year"], b["first"], b["last"])
            for b in listing["blocks"]] == [(hq_device, "辽公保考", 2026, 1, 50)]
    assert listing["mappings"] == [] and listing["problems"] == []
    code, _ = hq_command(hq, "set-form", "--prefix", "辽公〔保考")
    assert code == 1  # refused, nothing changed
    assert hq_numbers.form_settings(hq.db)["number_prefix"] == "辽公保考"
    code, form = hq_command(hq, "set-form", "--unit", "")
    assert code == 0 and form["issuing_unit"] == ""
    db.close()


def test_a_package_exported_with_no_device_carries_no_blocks(hq: HqStore) -> None:
    event_id = hq.add_demo_event()
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    assert body["document_numbers"] == []
    assert body["form"] == hq_numbers.form_settings(hq.db)
    with hq.Session() as s:
        assert s.scalar(select(func.count()).select_from(HqBlock)) == 0


# ---------------------------------------------------------------------- hostile packages
def profile_state(db: Database) -> dict[str, Any]:
    """Every row of the profile, table by table (settings included)."""
    state: dict[str, Any] = {}
    with db.read() as s:
        for table in Base.metadata.sorted_tables:
            state[table.name] = sorted(map(repr, s.execute(select(table)).all()))
    return state


HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("huge range", {"document_numbers": [{"prefix": "公保考", "year": 2026, "first": 1,
                                          "last": 999_999}]}),
    ("negative", {"document_numbers": [{"prefix": "公保考", "year": 2026, "first": -5,
                                        "last": 10}]}),
    ("string year", {"document_numbers": [{"prefix": "公保考", "year": "2026", "first": 1,
                                           "last": 10}]}),
    ("10 MB prefix", {"document_numbers": [{"prefix": "公" * (10 * 1024 * 1024 // 3),
                                            "year": 2026, "first": 1, "last": 10}]}),
    ("form a list", {"form": ["辽宁省公安厅"]}),
    ("unit a list", {"form": {"issuing_unit": ["辽宁省公安厅"], "number_prefix": "公保考",
                              "basis": ""}}),
    ("control characters", {"form": {"issuing_unit": "公安\x00厅", "number_prefix": "公保考",
                                     "basis": ""}}),
    ("too many blocks", {"document_numbers": [{"prefix": "公保考", "year": 2026,
                                               "first": n, "last": n} for n in range(1, 102)]}),
    ("bool first", {"document_numbers": [{"prefix": "公保考", "year": 2026, "first": True,
                                          "last": 2}]}),
    ("year out of range", {"document_numbers": [{"prefix": "公保考", "year": 1999,
                                                 "first": 1, "last": 2}]}),
    ("not a list", {"document_numbers": {"prefix": "公保考"}}),
]


@pytest.mark.parametrize("what, change", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_package_with_malformed_numbers_or_form_is_refused_and_changes_nothing(
        hq: HqStore, tmp_path: Path, what: str, change: dict[str, Any]) -> None:
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    body.update(change)
    body["records"][1]["payload"]["name"] = "改过的活动名"  # would show if anything applied
    forged = write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, hq.package_key())
    before = profile_state(db)
    with pytest.raises(SyncError) as refused:
        service.import_package_bytes(forged)
    message = str(refused.value)
    assert message.startswith("The event package is refused: its "), what
    assert "document-number" in message or "document numbers" in message \
        or "form setting" in message, message
    assert profile_state(db) == before
    db.close()


def test_a_package_applied_twice_adds_its_blocks_once_and_an_older_one_is_fine(
        hq: HqStore, tmp_path: Path) -> None:
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    body["document_numbers"] = [{"prefix": "公保考", "year": 2026, "first": 700, "last": 709}]
    body["form"] = {"issuing_unit": "某市公安局", "number_prefix": "公保考", "basis": ""}
    package = write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, hq.package_key())
    service.import_package_bytes(package)
    service.import_package_bytes(package)
    assert blocks_of(db).count(("公保考", 2026, 700, 709)) == 1
    assert db.setting(FORM_UNIT_SETTING) == "某市公安局"
    assert db.setting(FORM_BASIS_SETTING) == ""
    older = {k: v for k, v in body.items() if k not in ("form", "document_numbers")}
    service.import_package_bytes(write_signed(PACKAGE_FORMAT, HQ_SIGNER, older,
                                              hq.package_key()))
    assert db.setting(FORM_PREFIX_SETTING) == "公保考"  # kept from before
    with db.read() as s:
        assert s.get(ProfileSetting, FORM_UNIT_SETTING) is not None
    db.close()

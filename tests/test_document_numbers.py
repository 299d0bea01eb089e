"""Official document numbers (文号, issue 13): unique across laptops even offline.

HQ allots each enrolled laptop blocks in the event packages it serves; a laptop with none
left numbers from its own series, which HQ maps to official numbers on arrival, for a signed
evaluation whose PDF it proved. HQ runs in-process (FastAPI's TestClient stands in for the
laptop's httpx client), as in tests/test_sync_hazards.py. Evaluations are signed on the
laptops as the app signs them (``EvaluationService.sign``, which takes the number), on a
small event HQ prepared from a roster, with blocks of 3 so that they run out after a few
signings.
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

import pytest
from sqlalchemy import func, select

from app.demo import demo_signature_png
from app.evaluation import report as evaluation_report
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
from app.evaluation.report import EvaluationService
from app.evaluation.signing import PdfSigner, ensure_supervisor_identity, load_signer
from app.evaluation.values import EvaluationInfo
from app.hq import document_numbers as hq_numbers
from app.hq.cli import add_hq_parser
from app.hq.commands import run_command
from app.hq.models import DocumentNumberBlock as HqBlock
from app.hq.models import DocumentNumberMap, EvaluationDocument
from app.hq.models import Record as HqRecord
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
from app.sync.protocol import HQ_SIGNER, PACKAGE_FORMAT, Record, read_signed, write_signed
from app.sync.records import load_records
from app.sync.state import HQ_DEVICE_ID, SyncError
from tests.helpers.badges import write_roster
from tests.helpers.hq_in_process import HQ_URL, route_laptops_to

# The laptops sign at the clock's time; HQ allots the blocks of the same year (UTC+8).
WHEN = datetime.now(UTC).replace(microsecond=0)
YEAR = china_year(WHEN)
PASSPHRASE = b"correct horse battery staple"
SIGNATURE = demo_signature_png()


def number(serial: int, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}〔{YEAR}〕{serial}号"


def local(tag: str, serial: int) -> str:
    return f"{DEFAULT_PREFIX}〔{YEAR}〕临{tag}-{serial}号"


@pytest.fixture
def hq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HqStore]:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    route_laptops_to(store, monkeypatch)
    monkeypatch.setattr(hq_numbers, "utc_now", lambda: WHEN)
    yield store
    store.close()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 3, a new one only when none is left: they run out after a few signings."""
    monkeypatch.setattr(hq_numbers, "BLOCK_SIZE", 3)
    monkeypatch.setattr(hq_numbers, "LOW_WATER", 1)


def small_event(store: HqStore, folder: Path) -> str:
    """An event HQ prepares from a company's roster of three guards."""
    folder.mkdir(parents=True, exist_ok=True)
    event_id, summary = store.add_event(write_roster(folder / "roster.xlsx", 3), "文号测试活动")
    assert summary["error_count"] == 0
    return event_id


def laptop(store: HqStore, folder: Path, event_id: str) -> tuple[Database, SyncService]:
    db = Database(folder)
    service = SyncService(db)
    service.enrol(HQ_URL, store.create_enrolment_code("李建国"))
    service.pull_event(event_id)
    return db, service


def signer_of(db: Database) -> PdfSigner:
    """The supervisor's signing identity of the profile (its certificate reaches HQ with
    the laptop's next sync)."""
    return load_signer(ensure_supervisor_identity(db, "李建国", PASSPHRASE), PASSPHRASE)


def sign_versions(db: Database, event_id: str, signer: PdfSigner,
                  count: int) -> list[EvaluationInfo]:
    """``count`` signed versions of the event's evaluation, each correcting the one before,
    as the supervisor signs them in the app (the number is taken in ``sign``)."""
    service = EvaluationService(db)
    current = service.draft(event_id)
    signed = []
    for _ in range(count):
        if current.is_signed:
            current = service.new_version(current.id)
        current = service.sign(current.id, SIGNATURE, signer)
        signed.append(current)
    return signed


def numbers_of(evaluations: list[EvaluationInfo]) -> list[str]:
    return [e.document_number or "" for e in evaluations]


def records_of(db: Database, ids: list[str]) -> list[Record]:
    """The evaluations as the laptop's sync sends them."""
    with db.read() as s:
        found = load_records(s, "evaluation", ids, db.data_dir)
    return [found[i] for i in ids]


def blocks_of(db: Database) -> list[tuple[str, int, int, int]]:
    with db.read() as s:
        return sorted((row.prefix, row.year, row.first, row.last) for row in s.execute(
            select(DocumentNumberBlock.prefix, DocumentNumberBlock.year,
                   DocumentNumberBlock.first, DocumentNumberBlock.last)))


def mapped(store: HqStore) -> dict[tuple[str, str], tuple[str, str]]:
    """(sending device, local number) -> (official number, evaluation id), as HQ holds it."""
    with store.Session() as s:
        return {(m.device_id, m.local_number): (m.official_number, m.evaluation_id)
                for m in s.scalars(select(DocumentNumberMap))}


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
        hq: HqStore, tmp_path: Path, small_blocks: None) -> None:
    event_id = small_event(hq, tmp_path)
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    db_b, sync_b = laptop(hq, tmp_path / "b", event_id)
    hq_a, hq_b = db_a.setting(HQ_DEVICE_ID) or "", db_b.setting(HQ_DEVICE_ID) or ""
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, YEAR, 1, 3)]
    assert blocks_of(db_b) == [(DEFAULT_PREFIX, YEAR, 4, 6)]
    # A package again, before any number was used: enough left, no new block, none twice.
    sync_a.pull_event(event_id)
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, YEAR, 1, 3)]

    # Offline: each signs 5 versions, two more than its block holds.
    signed_a = sign_versions(db_a, event_id, signer_of(db_a), 5)
    signed_b = sign_versions(db_b, event_id, signer_of(db_b), 5)
    numbers_a, numbers_b = numbers_of(signed_a), numbers_of(signed_b)
    every = numbers_a + numbers_b
    assert len(set(every)) == 10
    tag_a, tag_b = device_tag(db_a.device_id), device_tag(db_b.device_id)
    assert len(tag_a) == 12 and tag_a != tag_b
    assert numbers_a == [number(1), number(2), number(3), local(tag_a, 1), local(tag_a, 2)]
    assert numbers_b == [number(4), number(5), number(6), local(tag_b, 1), local(tag_b, 2)]
    assert sum(map(is_local_number, every)) == 4
    with db_a.read() as s:  # stored on the signed rows, as the PDFs print them
        assert sorted(n or "" for n in s.scalars(select(Evaluation.document_number)
                      .where(Evaluation.status == "signed"))) == sorted(numbers_a)
    # A deleted evaluation's number is not given again (deleted, looked at, restored).
    with db_a.begin() as s:
        row = s.scalar(select(Evaluation).where(Evaluation.document_number == numbers_a[-1]))
        assert row is not None
        row.deleted_at = WHEN
    assert next_document_number(db_a, WHEN) == local(tag_a, 3)
    with db_a.begin() as s:
        row = s.scalar(select(Evaluation).where(Evaluation.document_number == numbers_a[-1]))
        assert row is not None
        row.deleted_at = None
    # The new year starts the laptop's own series again (no block of the next year yet).
    assert next_document_number(db_a, datetime(YEAR, 12, 31, 16, 0, tzinfo=UTC)) \
        == f"{DEFAULT_PREFIX}〔{YEAR + 1}〕临{tag_a}-1号"

    for service in (sync_a, sync_b):
        outcome = service.sync()
        assert (outcome.failed, outcome.pending) == (0, 0), outcome.errors
    with hq.Session() as s:  # every signed PDF proven and kept
        assert s.scalar(select(func.count()).select_from(EvaluationDocument)) == 10
    listing = hq_numbers.listing(hq.db)
    assert listing["problems"] == []
    mappings = listing["mappings"]
    assert len(mappings) == 4
    assert {m["local_number"] for m in mappings} == {n for n in every if is_local_number(n)}
    officials = [m["official_number"] for m in mappings]
    assert len(set(officials)) == 4
    assert not set(officials) & {number(n) for n in range(1, 7)}  # outside every block
    parsed = [parse_document_number(o) for o in officials]
    assert sorted(p.number or 0 for p in parsed if p is not None) == [7, 8, 9, 10]
    ids = {e.document_number: e.id for e in signed_a + signed_b}
    assert {(m["device_id"], m["local_number"], m["evaluation_id"]) for m in mappings} == {
        (hq_a, local(tag_a, 1), ids[local(tag_a, 1)]),
        (hq_a, local(tag_a, 2), ids[local(tag_a, 2)]),
        (hq_b, local(tag_b, 1), ids[local(tag_b, 1)]),
        (hq_b, local(tag_b, 2), ids[local(tag_b, 2)])}
    before = mapped(hq)

    # Sent again, the very same copies and changed ones (another comment: stored again, the
    # PDF proven again): nothing new is mapped, no mapping changes.
    again = records_of(db_a, [e.id for e in signed_a])
    assert {r["status"] for r in hq.ingest(hq_a, [r.as_json() for r in again])} \
        == {"present"}
    changed = [Record.of("evaluation", {**r.payload, "comment": "sent again"}).as_json()
               for r in again]
    assert [(r["status"], r["error"]) for r in hq.ingest(hq_a, changed)] \
        == [("stored", None)] * 5
    assert mapped(hq) == before
    outcome = sync_a.sync()
    assert (outcome.sent, outcome.failed) == (0, 0)
    assert mapped(hq) == before

    # The next package: HQ saw A's block used up, so a new block follows the mappings.
    sync_a.pull_event(event_id)
    assert blocks_of(db_a) == [(DEFAULT_PREFIX, YEAR, 1, 3), (DEFAULT_PREFIX, YEAR, 11, 13)]
    assert numbers_of(sign_versions(db_a, event_id, signer_of(db_a), 1)) == [number(11)]
    # B has 0 of 3 left at HQ's count as well: its next block follows A's.
    sync_b.pull_event(event_id)
    assert blocks_of(db_b)[-1] == (DEFAULT_PREFIX, YEAR, 14, 16)


def test_a_number_outside_the_laptops_blocks_is_kept_and_reported(
        hq: HqStore, tmp_path: Path, small_blocks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    event_id = small_event(hq, tmp_path)
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    db_b, _sync_b = laptop(hq, tmp_path / "b", event_id)
    taken = next_document_number(db_b, WHEN)  # B's block: 4..6
    assert taken == number(4)
    # A signs with one of B's numbers (a forged or broken laptop).
    with monkeypatch.context() as patch:
        patch.setattr(evaluation_report, "next_document_number", lambda _db, _when: taken)
        [signed] = sign_versions(db_a, event_id, signer_of(db_a), 1)
    assert signed.document_number == taken
    outcome = sync_a.sync()
    assert (outcome.failed, outcome.pending) == (0, 0), outcome.errors
    hq_a = db_a.setting(HQ_DEVICE_ID) or ""
    with hq.Session() as s:  # the record is kept, with its proven PDF; nothing mapped
        assert s.get(HqRecord, signed.id) is not None
        assert s.get(EvaluationDocument, signed.id) is not None
        assert s.scalar(select(func.count()).select_from(DocumentNumberMap)) == 0
    listing = hq_numbers.listing(hq.db, hq_a)
    [problem] = listing["problems"]
    assert (problem["evaluation_id"], problem["document_number"]) == (signed.id, taken)
    assert "not in a block headquarters allotted this laptop" in problem["problem"]
    # The batch answer says so too (stored, with the note).
    [record] = records_of(db_a, [signed.id])
    [result] = hq.ingest(hq_a, [Record.of("evaluation", {
        **record.payload, "comment": "again"}).as_json()])
    assert result["status"] == "stored"
    assert "not in a block" in result["error"]
    assert mapped(hq) == {}


def test_a_draft_carrying_a_number_is_not_mapped(
        hq: HqStore, tmp_path: Path, small_blocks: None) -> None:
    event_id = small_event(hq, tmp_path)
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    tag_a = device_tag(db_a.device_id)
    # A forged row: a draft with a number of the laptop's own series (sign gives a number
    # only when it signs).
    with db_a.begin() as s:
        draft = Evaluation(event_id=event_id, version=1, status="draft", document_id="DOC-X",
                           device_id=db_a.device_id, document_number=local(tag_a, 1))
        s.add(draft)
        s.flush()
        draft_id = draft.id
    outcome = sync_a.sync()
    assert (outcome.failed, outcome.pending) == (0, 0), outcome.errors
    with hq.Session() as s:
        held = s.get(HqRecord, draft_id)
        assert held is not None
        assert json.loads(held.payload)["document_number"] == local(tag_a, 1)
    assert mapped(hq) == {}
    # The batch answer: stored, no mapping and nothing to say.
    [record] = records_of(db_a, [draft_id])
    [result] = hq.ingest(db_a.setting(HQ_DEVICE_ID) or "", [Record.of("evaluation", {
        **record.payload, "comment": "again"}).as_json()])
    assert (result["status"], result["error"]) == ("stored", None)
    assert mapped(hq) == {}
    assert hq_numbers.listing(hq.db)["mappings"] == []


def test_a_local_number_of_another_laptops_series_is_not_mapped_nor_taken_from_it(
        hq: HqStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Blocks of one: the second signing of each laptop takes its own series.
    monkeypatch.setattr(hq_numbers, "BLOCK_SIZE", 1)
    monkeypatch.setattr(hq_numbers, "LOW_WATER", 1)
    event_id = small_event(hq, tmp_path)
    db_a, sync_a = laptop(hq, tmp_path / "a", event_id)
    db_b, sync_b = laptop(hq, tmp_path / "b", event_id)
    hq_a, hq_b = db_a.setting(HQ_DEVICE_ID) or "", db_b.setting(HQ_DEVICE_ID) or ""
    tag_b = device_tag(db_b.device_id)
    signer_a = signer_of(db_a)
    [first] = sign_versions(db_a, event_id, signer_a, 1)
    assert first.document_number == number(1)
    assert sync_a.sync().failed == 0  # registers A's signing certificate at HQ

    # A forged upload: A's signed evaluation with its number changed to B's series. The
    # signed PDF binds the number it prints (its keywords): refused, nothing stored.
    [record] = records_of(db_a, [first.id])
    held = hq.ingest(hq_a, [record.as_json()])
    assert held[0]["status"] == "present"
    forged = Record.of("evaluation", {**record.payload, "document_number": local(tag_b, 1)})
    [result] = hq.ingest(hq_a, [forged.as_json()])
    assert result["status"] == "failed"
    assert "differ from those in its signed PDF" in result["error"]
    assert "number:" + local(tag_b, 1) in result["error"]
    with hq.Session() as s:
        kept = s.get(HqRecord, first.id)
        assert kept is not None and kept.content_hash == record.hash
    assert mapped(hq) == {}

    # A broken laptop that signs with B's series itself (the PDF prints and binds it): the
    # PDF is proven and the record kept, the number not mapped, and the answer says why.
    with monkeypatch.context() as patch:
        patch.setattr(evaluation_report, "next_document_number",
                      lambda _db, _when: local(tag_b, 1))
        [second] = sign_versions(db_a, event_id, signer_a, 1)
    assert second.document_number == local(tag_b, 1)
    outcome = sync_a.sync()
    assert (outcome.failed, outcome.pending) == (0, 0), outcome.errors
    with hq.Session() as s:
        assert s.get(EvaluationDocument, second.id) is not None
    assert mapped(hq) == {}
    [record] = records_of(db_a, [second.id])
    resent = Record.of("evaluation", {**record.payload, "comment": "again"})
    [result] = hq.ingest(hq_a, [resent.as_json()])
    assert result["status"] == "stored"
    assert "another laptop's series" in result["error"]
    assert mapped(hq) == {}

    # B's own evaluation with that number is mapped when it arrives, to B.
    signed_b = sign_versions(db_b, event_id, signer_of(db_b), 2)
    assert numbers_of(signed_b) == [number(2), local(tag_b, 1)]
    outcome = sync_b.sync()
    assert (outcome.failed, outcome.pending) == (0, 0), outcome.errors
    assert mapped(hq) == {(hq_b, local(tag_b, 1)): (number(3), signed_b[1].id)}
    # A's copy is still unmapped when sent again.
    [result] = hq.ingest(hq_a, [Record.of("evaluation", {
        **resent.payload, "comment": "once more"}).as_json()])
    assert result["status"] == "stored"
    assert "another laptop's series" in result["error"]
    assert mapped(hq) == {(hq_b, local(tag_b, 1)): (number(3), signed_b[1].id)}
    # HQ staff find it later in `hq document-numbers`: A's, not B's.
    problems = hq_numbers.listing(hq.db)["problems"]
    assert [(p["device_id"], p["document_number"]) for p in problems] \
        == [(hq_a, local(tag_b, 1))]


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
    # HQ set no basis: it travels as "", and each laptop's own Settings apply.
    assert form == {"issuing_unit": "辽宁省公安厅治安管理总队", "number_prefix": "辽公保考",
                    "basis": "", "minimum_sample_share": ""}
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    assert db.setting(FORM_BASIS_SETTING) == ""
    assert read_form_settings(db) == FormSettings("辽宁省公安厅治安管理总队", "辽公保考",
                                                  DEFAULT_BASIS)
    save_report_defaults(db, ReportDefaults("沈阳市公安局", "", "沈公保考", "《条例》"))
    assert read_form_settings(db) == FormSettings("辽宁省公安厅治安管理总队", "辽公保考",
                                                  "《条例》")
    assert next_document_number(db, WHEN) == number(1, "辽公保考")
    hq_device = db.setting(HQ_DEVICE_ID)
    code, listing = hq_command(hq, "document-numbers", "--device", hq_device or "")
    assert code == 0
    assert set(listing) == {"form", "blocks", "mappings", "problems"}  # as README says
    assert listing["form"] == form
    assert set(listing["blocks"][0]) == {"device_id", "prefix", "year", "first", "last",
                                         "allotted_at"}
    assert [(b["device_id"], b["prefix"], b["year"], b["first"], b["last"])
            for b in listing["blocks"]] == [(hq_device, "辽公保考", YEAR, 1, 50)]
    assert listing["mappings"] == [] and listing["problems"] == []

    # A basis HQ sets wins over the laptop's own; set back to "", the laptop's applies again.
    code, form = hq_command(hq, "set-form", "--basis", "《辽宁省大型活动安全管理办法》")
    assert code == 0 and form["basis"] == "《辽宁省大型活动安全管理办法》"
    service.pull_event(event_id)
    assert read_form_settings(db) == FormSettings("辽宁省公安厅治安管理总队", "辽公保考",
                                                  "《辽宁省大型活动安全管理办法》")
    code, form = hq_command(hq, "set-form", "--basis", "")
    assert code == 0 and form["basis"] == ""
    service.pull_event(event_id)
    assert read_form_settings(db).basis == "《条例》"

    code, _ = hq_command(hq, "set-form", "--prefix", "辽公〔保考")
    assert code == 1  # refused, nothing changed
    assert hq_numbers.form_settings(hq.db)["number_prefix"] == "辽公保考"
    code, form = hq_command(hq, "set-form", "--unit", "")
    assert code == 0 and form["issuing_unit"] == ""

    # The share of the sample that makes a grade final is HQ's to set, not the laptop's.
    from app.evaluation.sample_progress import minimum_sample_share

    assert minimum_sample_share(db) == 0.9
    code, form = hq_command(hq, "set-form", "--minimum-sample-share", "0.8")
    assert code == 0 and form["minimum_sample_share"] == "0.8"
    service.pull_event(event_id)
    assert minimum_sample_share(db) == 0.8
    for refused in ("1.2", "0", "most"):
        code, _ = hq_command(hq, "set-form", "--minimum-sample-share", refused)
        assert code == 1
    assert hq_numbers.form_settings(hq.db)["minimum_sample_share"] == "0.8"
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
    ("share above 1", {"form": {"issuing_unit": "", "number_prefix": "公保考", "basis": "",
                                "minimum_sample_share": "1.5"}}),
    ("share a number", {"form": {"issuing_unit": "", "number_prefix": "公保考", "basis": "",
                                 "minimum_sample_share": 0.5}}),
    ("share zero", {"form": {"issuing_unit": "", "number_prefix": "公保考", "basis": "",
                             "minimum_sample_share": "0.000"}}),
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
        or "form setting" in message or "sample share" in message, message
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

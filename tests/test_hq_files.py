"""HQ's content-addressed file store (app.hq.files, migration 0010), on SQLite and on
PostgreSQL: files kept once under their SHA-256, given back only as stored, hostile input
refused with nothing stored; a database at 0009 holding a signed evaluation upgraded to 0010
keeps a readable PDF, now in the store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.engine import Engine

from app.hq import files, web
from app.hq.database import MIGRATIONS, HqDatabase
from app.hq.files import StoredFileError
from app.hq.models import EvaluationDocument, StoredFile

PDF = b"%PDF-1.7\n% a signed evaluation\n%%EOF\n"
BEFORE = "0009_hq_vetting_training"
AFTER = "0010_hq_stored_files"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    url: str = request.getfixturevalue("postgres_db")
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[HqDatabase]:
    database = HqDatabase(db_url)
    yield database
    database.close()


def stored_count(db: HqDatabase) -> int:
    with db.Session() as s:
        return int(s.scalar(select(func.count()).select_from(StoredFile)) or 0)


# --------------------------------------------------------------------------- the store
def test_a_file_is_kept_once_under_its_sha256(db: HqDatabase) -> None:
    with db.begin() as s:
        first = files.put(s, PDF, files.PDF)
        again = files.put(s, bytearray(PDF), files.PDF)  # the same bytes, same transaction
    with db.begin() as s:
        later = files.put(s, PDF, files.PDF)  # and in another one
        other = files.put(s, b"another file", "image/jpeg")
    assert first == again == later == hashlib.sha256(PDF).hexdigest()
    assert other == hashlib.sha256(b"another file").hexdigest()
    assert stored_count(db) == 2
    with db.Session() as s:
        row = s.get(StoredFile, first)
        assert row is not None
        assert (row.size, row.media_type, bytes(row.data)) == (len(PDF), "application/pdf", PDF)
        assert row.created_at.tzinfo is not None
        assert files.get(s, first) == PDF and files.get(s, other) == b"another file"
        assert files.held(s, first) and not files.held(s, "0" * 64)
        assert files.get(s, "0" * 64) is None
        # not a SHA-256: no such file, whatever the database would make of it
        for key in ("", "x" * 64, first.upper(), first + "0", "a\x00b", "' OR 1=1 --"):
            assert files.get(s, key) is None and not files.held(s, key)


def test_hostile_input_is_refused_and_nothing_is_stored(
        db: HqDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    refusals: list[tuple[object, object, int, str]] = [
        ("a string, not bytes", files.PDF, 400, "must be bytes"),
        (12345, files.PDF, 400, "must be bytes"),
        (None, files.PDF, 400, "must be bytes"),
        (b"x" * 1001, files.PDF, 413, "larger than HQ stores"),
        (PDF, "text/html; charset=utf-8", 400, "media type"),
        (PDF, "application/pdf\r\nX-Injected: 1", 400, "media type"),
        (PDF, "", 400, "media type"),
        (PDF, "a/" + "b" * 200, 400, "media type"),
        (PDF, None, 400, "media type"),
    ]
    for data, media_type, status, words in refusals:
        with pytest.raises(StoredFileError, match=words) as refused:
            with db.begin() as s:
                files.put(s, data, media_type)  # type: ignore[arg-type]
        assert refused.value.status == status
    assert stored_count(db) == 0
    with db.begin() as s:  # exactly at the bound: kept
        files.put(s, b"x" * 1000, "application/octet-stream")
    assert stored_count(db) == 1


def test_bytes_changed_behind_hqs_back_are_never_served(db: HqDatabase) -> None:
    with db.begin() as s:
        digest = files.put(s, PDF, files.PDF)
    with db.begin() as s:
        s.execute(update(StoredFile).where(StoredFile.sha256 == digest)
                  .values(data=PDF.replace(b"signed", b"forged")))
    with db.Session() as s:
        with pytest.raises(StoredFileError, match="damaged") as damaged:
            files.get(s, digest)
    assert damaged.value.status == 500


def _document(pdf: bytes | None, pdf_sha256: str, doc_id: str = "eval-1") -> EvaluationDocument:
    return EvaluationDocument(
        id=doc_id, event_id="e1", event_name="春季音乐节", company_name="甲安保",
        company_licence="L-JIA", version=1, status="signed", score_total=90.0, grade="good",
        grade_final=True, coverage=0.9, signed_at=datetime(2026, 12, 1, tzinfo=UTC),
        supervisor_name="王督导", document_id="EV-1", device_id="laptop-1", pdf=pdf,
        pdf_sha256=pdf_sha256, signer_subject="CN=王督导")


def test_the_api_serves_an_evaluation_pdf_from_the_store(db: HqDatabase) -> None:
    stamped = PDF + b"% HQ's timestamp revision\n"
    with db.begin() as s:
        files.put(s, PDF, files.PDF)
        files.put(s, stamped, files.PDF)
        document = _document(None, hashlib.sha256(PDF).hexdigest())
        document.timestamped_sha256 = hashlib.sha256(stamped).hexdigest()
        s.add(document)
        s.add(_document(None, "1" * 64, "eval-lost"))  # its bytes are nowhere
    app = FastAPI()
    # What app.hq.server hands the router (as tests/test_hq_web.py does).
    app.state.store = SimpleNamespace(
        Session=db.Session, check_staff_password=lambda password: password == "pw")
    app.include_router(web.router)
    client = TestClient(app)
    client.auth = ("staff", "pw")
    signed = client.get("/api/v1/evaluations/eval-1/pdf")
    assert signed.status_code == 200 and signed.content == PDF
    assert signed.headers["content-type"] == "application/pdf"
    assert client.get("/api/v1/evaluations/eval-1/pdf",
                      params={"timestamped": "true"}).content == stamped
    lost = client.get("/api/v1/evaluations/eval-lost/pdf")
    assert lost.status_code == 404 and "not in HQ's file store" in lost.text
    assert client.get("/api/v1/evaluations/eval-1/pdf",
                      params={"timestamped": "maybe"}).status_code == 422


# --------------------------------------------------------------------------- migration 0010
def _alembic(engine: Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _insert_at_0009(engine: Engine, doc_id: str, pdf: bytes, pdf_sha256: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO evaluation_document (id, event_id, event_name, company_name, "
            "company_licence, version, status, score_total, grade, grade_final, coverage, "
            "signed_at, supervisor_name, document_id, device_id, pdf, pdf_sha256, "
            "signer_subject, verified_at, received_at) VALUES (:id, 'e1', '春季音乐节', "
            "'甲安保', NULL, 1, 'signed', 88.0, 'good', NULL, 0.9, :at, '王督导', 'EV-1', "
            "'laptop-1', :pdf, :sha, 'CN=王督导', :at, :at)"),
            {"id": doc_id, "pdf": pdf, "sha": pdf_sha256, "at": datetime(2026, 12, 1,
                                                                           tzinfo=UTC)})


def test_migration_0010_moves_each_pdf_into_the_store(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        _alembic(engine, BEFORE)
        copy = b"%PDF-1.7\n% the same bytes, a second evaluation\n%%EOF\n"
        _insert_at_0009(engine, "eval-1", PDF, hashlib.sha256(PDF).hexdigest())
        _insert_at_0009(engine, "eval-2", copy, hashlib.sha256(copy).hexdigest())
        _insert_at_0009(engine, "eval-3", copy, hashlib.sha256(copy).hexdigest())
        # bytes that do not hash to their pdf_sha256 (damaged): left where they are
        _insert_at_0009(engine, "eval-bad", b"%PDF damaged", "2" * 64)
        _alembic(engine, AFTER)
        with engine.connect() as connection:
            kept = dict(connection.execute(text(
                "SELECT id, pdf FROM evaluation_document")).all())
            stored = {sha: (size, media, bytes(data)) for sha, size, media, data in
                      connection.execute(text(
                          "SELECT sha256, size, media_type, data FROM stored_file")).all()}
        assert kept["eval-1"] is None and kept["eval-2"] is None and kept["eval-3"] is None
        assert bytes(kept["eval-bad"]) == b"%PDF damaged"
        assert stored == {hashlib.sha256(PDF).hexdigest(): (len(PDF), "application/pdf", PDF),
                          hashlib.sha256(copy).hexdigest(): (len(copy), "application/pdf",
                                                             copy)}  # one copy of the two
        from sqlalchemy.orm import Session
        with Session(engine) as s:
            for doc_id, expected in (("eval-1", PDF), ("eval-2", copy), ("eval-3", copy),
                                     ("eval-bad", b"%PDF damaged")):
                document = s.get(EvaluationDocument, doc_id)
                assert document is not None and document.timestamped_sha256 is None
                assert files.document_pdf(s, document) == expected
                assert files.document_pdf(s, document, timestamped=True) == expected
        _alembic(engine, BEFORE, down=True)  # and back: every PDF in its row again
        with engine.connect() as connection:
            back = {i: bytes(p) for i, p in connection.execute(text(
                "SELECT id, pdf FROM evaluation_document")).all()}
            tables = set(connection.dialect.get_table_names(connection))
        assert back == {"eval-1": PDF, "eval-2": copy, "eval-3": copy,
                        "eval-bad": b"%PDF damaged"}
        assert "stored_file" not in tables
    finally:
        engine.dispose()

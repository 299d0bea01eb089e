"""HQ's console (issue 14): recommendation letters (app/hq/letters.py) and a company's page
with its grade history and grade reviews (app/hq/console/letters.py), through FastAPI's
TestClient as a browser sends its forms: the signed PDF letter, refusals that store nothing,
the organiser's choice, roles and CSRF; letters on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select

from app.evaluation.document_numbers import CHINA
from app.hq import audit, files, grade_reviews, letters
from app.hq.document_numbers import set_form
from app.hq.key_ring import DOCUMENT_KEY_SETTING
from app.hq.models import AuditEntry, GradeReview, RecommendationLetter, StoredFile
from app.hq.server import create_app
from app.hq.store import HqStore
from tests.helpers.hq_console import (
    add_accounts,
    console_client,
    sign_in,
)
from tests.test_hq_grade_reviews import LICENCE, laptop_with_events, signed_evaluation
from tests.test_hq_standing import add_company
from tests.test_hq_store import PASSPHRASE

UNIT = "某市公安局治安管理支队"
COMPANIES = {"L-JIA": ("甲安保服务有限公司", "A"), "L-YI": ("乙保安服务有限公司", "AA"),
             "L-BING": ("丙保安服务有限公司", "AAA")}
EVENT_DATE = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
LETTER = {"organiser": "市体育发展中心", "event_name": "城市马拉松", "event_date": EVENT_DATE,
          "attendance": "20000", "risk": "high", "count": "3"}


def make_store(url: str, companies: dict[str, tuple[str, str]] = COMPANIES) -> HqStore:
    store = HqStore(url)
    add_accounts(store)
    with store.begin() as s:
        for licence, (name, grade) in companies.items():
            add_company(s, name, licence, grade)
    set_form(store.db, unit=UNIT)
    return store


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[HqStore]:
    store = make_store(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    yield store
    store.close()


@pytest.fixture
def client(hq: HqStore) -> Iterator[TestClient]:
    with console_client(hq) as test_client:
        yield test_client


def stored(hq: HqStore) -> tuple[int, int, int, list[Any]]:
    """Letters, audit entries, stored files, and each letter's choice as stored."""
    with hq.Session() as s:
        rows = list(s.scalars(select(RecommendationLetter).order_by(RecommendationLetter.id)))
        entries = int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        kept = int(s.scalar(select(func.count()).select_from(StoredFile)) or 0)
        return len(rows), entries, kept, [(r.chosen_key, r.chosen_by) for r in rows]


def post(client: TestClient, path: str, csrf: str | None, **fields: str) -> httpx.Response:
    data = dict(fields)
    if csrf is not None:
        data["csrf"] = csrf
    return client.post(path, data=data, follow_redirects=False)


def write_letter(client: TestClient, csrf: str, **fields: str) -> int:
    answer = post(client, "/console/letters", csrf, **{**LETTER, **fields})
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/console/letters/(\d+)", answer.headers["location"])
    assert found
    return int(found.group(1))


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# ---------------------------------------------------------------------------- letters
def test_a_letter_is_written_signed_and_its_choice_recorded(client: TestClient,
                                                            hq: HqStore) -> None:
    from app.evaluation.signing import verify_pdf

    csrf = sign_in(client, "staff-wang")
    letter_id = write_letter(client, csrf)
    page = client.get(f"/console/letters/{letter_id}")
    assert page.status_code == 200 and "市体育发展中心" in page.text
    for licence in COMPANIES:
        assert f'data-company="licence:{licence}"' in page.text

    answer = client.get(f"/console/letters/{letter_id}/pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    pdf = answer.content
    text = pdf_text(pdf)
    assert UNIT in text and "市体育发展中心" in text and "城市马拉松" in text
    for licence, (name, _grade) in COMPANIES.items():
        assert name in text and licence in text
    assert f"荐〔{datetime.now(CHINA).year}〕{letter_id}号" in text
    # in Chinese only: the reasons without the English the console shows beside them
    assert "暂无考评" in text and "not evaluated" not in text and "credit grade" not in text
    certificate = hq.setting(letters.DOCUMENT_CERTIFICATE_SETTING)
    assert certificate is not None
    checked = verify_pdf(pdf, [certificate.encode("ascii")])
    assert checked.intact and checked.valid and checked.trusted, checked.detail
    assert checked.signer == UNIT and checked.signatures == 1
    # A byte changed inside what was signed breaks it.
    tampered = bytearray(pdf)
    tampered[len(tampered) // 3] ^= 0x01
    assert not verify_pdf(bytes(tampered), [certificate.encode("ascii")]).intact

    with hq.Session() as s:
        row = s.get(RecommendationLetter, letter_id)
        assert row is not None and row.created_by == "staff-wang"
        assert row.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
        assert files.get(s, row.pdf_sha256) == pdf  # in HQ's content-addressed store
        assert [c["licence_no"] for c in json.loads(row.companies)] == ["L-BING", "L-YI",
                                                                        "L-JIA"]
    [entry] = [e for e in audit.entries(hq.db) if e["action"] == "letter.create"]
    assert entry["target"] == f"letter:{letter_id}" and entry["actor"] == "staff-wang"

    # The organiser's choice: one of the letter's companies, audited.
    before = stored(hq)
    refused = post(client, f"/console/letters/{letter_id}/choice", csrf,
                   company="licence:L-NOT-IN-IT")
    assert refused.status_code == 400 and "one of the companies" in refused.text
    assert stored(hq) == before
    chosen = post(client, f"/console/letters/{letter_id}/choice", csrf, company="licence:L-YI")
    assert chosen.status_code == 303
    with hq.Session() as s:
        row = s.get(RecommendationLetter, letter_id)
        assert row is not None
        assert (row.chosen_licence, row.chosen_name, row.chosen_by) == (
            "L-YI", "乙保安服务有限公司", "staff-wang")
        assert row.chosen_at is not None
    [choice] = [e for e in audit.entries(hq.db) if e["action"] == "letter.choice"]
    assert choice["after"] == {"chosen": "L-YI", "chosen_by": "staff-wang"}
    listing = client.get("/console/letters")
    assert "乙保安服务有限公司" in listing.text
    assert f"/console/letters/{letter_id}/pdf" in listing.text


def test_fewer_than_three_qualified_is_refused_and_nothing_stored(
        tmp_path: Path) -> None:
    store = make_store(f"sqlite:///{tmp_path / 'two.sqlite3'}",
                       {"L-JIA": ("甲安保服务有限公司", "A"), "L-YI": ("乙保安服务有限公司", "B")})
    try:
        with TestClient(create_app(store), base_url="http://127.0.0.1") as client:
            csrf = sign_in(client, "staff-wang")
            before = stored(store)
            answer = post(client, "/console/letters", csrf, **LETTER)
            assert answer.status_code == 409
            assert "only 1 qualified company" in answer.text
            assert "none was written" in answer.text
            assert stored(store) == before
            # Asking for more than there are is refused the same way.
            assert post(client, "/console/letters", csrf,
                        **{**LETTER, "count": "4"}).status_code == 409
            assert stored(store) == before
    finally:
        store.close()


@pytest.mark.parametrize("field, value, said", [
    ("attendance", "-5", "attendance must be a whole number"),
    ("attendance", "1e9", "attendance must be a whole number"),
    ("attendance", "９９", "attendance must be a whole number"),
    ("attendance", "99999999999999999999", "attendance must be a whole number"),
    ("risk", "extreme", "risk must be one of"),
    ("event_date", "2026-13-01", "event date must be a date"),
    ("event_date", "1999-01-01", "within a year before"),
    ("organiser", "主办\u202e方", "organiser must be 1 to 200 characters of plain text"),
    ("organiser", "甲" * 201, "organiser must be 1 to 200"),
    ("event_name", "", "the form lacks event_name"),
    ("count", "2", "number of companies must be a whole number from 3"),
    ("count", "11", "number of companies must be a whole number from 3 to 10"),
])
def test_a_hostile_letter_form_is_refused_and_nothing_stored(
        client: TestClient, hq: HqStore, field: str, value: str, said: str) -> None:
    csrf = sign_in(client, "staff-wang")
    before = stored(hq)
    answer = post(client, "/console/letters", csrf, **{**LETTER, field: value})
    assert answer.status_code == 400, answer.text
    assert said in answer.text
    assert stored(hq) == before


def test_viewer_reads_but_may_not_write_or_choose(client: TestClient, hq: HqStore) -> None:
    staff = sign_in(client, "staff-wang")
    letter_id = write_letter(client, staff)
    client.cookies.clear()
    viewer = sign_in(client, "viewer-zhao")
    page = client.get("/console/letters")
    assert page.status_code == 200 and 'id="letter-form"' not in page.text
    assert client.get(f"/console/letters/{letter_id}/pdf").status_code == 200
    before = stored(hq)
    for path, fields in (("/console/letters", LETTER),
                         (f"/console/letters/{letter_id}/choice", {"company": "licence:L-YI"})):
        answer = post(client, path, viewer, **fields)
        assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert stored(hq) == before


def test_forms_without_their_csrf_token_change_nothing(client: TestClient,
                                                      hq: HqStore) -> None:
    staff = sign_in(client, "staff-wang")
    letter_id = write_letter(client, staff)
    before = stored(hq)
    for token in (None, "forged-token-forged-token"):
        for path, fields in (("/console/letters", LETTER),
                             (f"/console/letters/{letter_id}/choice",
                              {"company": "licence:L-YI"})):
            answer = post(client, path, token, **fields)
            assert answer.status_code == 403 and "Nothing was changed" in answer.text
    assert stored(hq) == before
    client.cookies.clear()
    for path in ("/console/letters", f"/console/letters/{letter_id}",
                 f"/console/letters/{letter_id}/pdf", f"/console/companies/{LICENCE}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in"
    assert post(client, "/console/letters", staff, **LETTER).status_code == 303
    assert stored(hq) == before


def test_no_such_letter_and_odd_ids(client: TestClient) -> None:
    sign_in(client, "viewer-zhao")
    for path in ("/console/letters/999", "/console/letters/99999999999999999999999",
                 "/console/letters/abc/pdf", "/console/letters/-1"):
        answer = client.get(path)
        assert answer.status_code == 404 and "no recommendation letter" in answer.text


def test_the_document_key_is_sealed_with_hqs_other_keys(hq: HqStore) -> None:
    hq.unlock_keys(PASSPHRASE * 2)
    identity = letters.document_identity(hq.db, hq.keys)
    value = hq.setting(DOCUMENT_KEY_SETTING)
    assert value is not None and value.startswith("sealed-v1:")
    again = letters.document_identity(hq.db, hq.keys)
    assert again.certificate_pem == identity.certificate_pem  # made once, kept
    assert UNIT in identity.certificate.subject.rfc4514_string()


# ----------------------------------------------------------------- the company's page
def test_company_page_review_accept_and_reject(client: TestClient, hq: HqStore,
                                               signer: Any) -> None:
    device = laptop_with_events(hq, signer, events=("event-1", "event-2"))
    hq.ingest(device, [signed_evaluation(signer, "eval-1", "event-1", 45.0, "fail")])
    viewer = sign_in(client, "viewer-zhao")
    companies = client.get("/console/companies")
    assert 'id="grade-reviews"' in companies.text
    assert f'href="/console/companies/{quote(LICENCE)}"' in companies.text
    page = client.get(f"/console/companies/{LICENCE}")
    assert page.status_code == 200
    assert "不合格" in page.text and 'id="pending"' in page.text
    with hq.Session() as s:
        [review] = s.scalars(select(GradeReview)).all()
    path = f"/console/companies/{LICENCE}/reviews/{review.id}"
    assert post(client, path, viewer, decision="accept").status_code == 403
    client.cookies.clear()
    staff = sign_in(client, "staff-wang")
    assert post(client, path, None, decision="accept").status_code == 403
    with hq.Session() as s:
        assert grade_reviews.register_state(s, LICENCE) == ("B", None)
    refused = post(client, path, staff, decision="reject", note="")
    assert refused.status_code == 400 and "note (why)" in refused.text
    accepted = post(client, path, staff, decision="accept", note="属实")
    assert accepted.status_code == 303
    page = client.get(accepted.headers["location"])
    assert 'id="no-pending"' in page.text and 'id="credit">C<' in page.text
    assert re.search(r'class="change">B → C<', page.text)
    assert "staff-wang" in page.text
    with hq.Session() as s:
        assert grade_reviews.register_state(s, LICENCE) == ("C", None)
    # A second failure: the grade steps again only if a person says so; rejected here.
    hq.ingest(device, [signed_evaluation(signer, "eval-2", "event-2", 40.0, "fail",
                                         minutes=5)])
    with hq.Session() as s:
        second = s.scalars(select(GradeReview).where(GradeReview.decision.is_(None))).one()
    assert (second.current_grade, second.suggested_grade) == ("C", "D")
    rejected = post(client, f"/console/companies/{LICENCE}/reviews/{second.id}", staff,
                    decision="reject", note="已整改")
    assert rejected.status_code == 303
    with hq.Session() as s:
        assert grade_reviews.register_state(s, LICENCE) == ("C", None)
    assert client.get("/console/companies/L-NOBODY").status_code == 404
    assert post(client, f"/console/companies/{LICENCE}/reviews/abc", staff,
                decision="accept").status_code == 404


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from app.evaluation.signing import create_self_signed_p12, load_signer

    path = create_self_signed_p12(tmp_path_factory.mktemp("signer") / "li.p12", "督导员李",
                                  PASSPHRASE, key_type="ec")
    return load_signer(path, PASSPHRASE)


# ------------------------------------------------------------------------- PostgreSQL
def test_letters_on_postgres(postgres_db: str) -> None:
    from app.evaluation.signing import verify_pdf

    store = make_store(postgres_db)
    try:
        request = letters.parse_request(LETTER)
        written = letters.create_letter(store.db, store.keys, "staff-wang", request)
        assert [c["licence_no"] for c in written["companies"]] == ["L-BING", "L-YI", "L-JIA"]
        letters.record_choice(store.db, "staff-wang", written["id"], "licence:L-JIA")
        with store.Session() as s:
            [row] = letters.letters(s)
            number, pdf = letters.letter_pdf(s, written["id"]) or ("", b"")
        assert row["chosen_licence"] == "L-JIA" and row["event_date"] == EVENT_DATE
        assert number == written["number"] and "市体育发展中心" in pdf_text(pdf)
        certificate = store.setting(letters.DOCUMENT_CERTIFICATE_SETTING)
        assert certificate is not None
        assert verify_pdf(pdf, [certificate.encode("ascii")]).trusted
        assert [e["action"] for e in audit.entries(store.db)][:2] == ["letter.choice",
                                                                     "letter.create"]
    finally:
        store.close()


def test_a_letter_while_hqs_keys_are_locked_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sealed.sqlite3'}"
    first = make_store(url)
    first.unlock_keys(PASSPHRASE * 2)  # sealed from now on
    first.close()
    store = HqStore(url)  # a server given no passphrase
    try:
        with TestClient(create_app(store), base_url="http://127.0.0.1") as client:
            csrf = sign_in(client, "staff-wang")
            before = stored(store)
            answer = post(client, "/console/letters", csrf, **LETTER)
            assert answer.status_code == 503 and "passphrase" in answer.text
            assert stored(store) == before
    finally:
        store.close()

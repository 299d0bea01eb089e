"""Hostile forms against every form of HQ's console (issue 14): the console's routes are not
in the API's schema, so tests/test_fuzz_hq_api.py never sends them anything. Here Hypothesis
sends each of them, as a signed-in staff member with the session's own CSRF token (the
strongest position an outsider with a stolen session would have), forms whose fields and
path values are hostile: missing, repeated, empty, 10,000 characters, NUL, lone surrogates,
bidi overrides, formula prefixes, numbers out of range, other events' and people's ids.

Whatever arrives, the console answers below 500, and any answer but the 303 after a change
(a refusal, 4xx, or the redirect of a path ending in a slash) changes nothing in HQ's
database: every table's row count and the audit log's newest hash stay as they were. A
change the form allowed (303) is audited. Deterministic: Hypothesis derandomized.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.demo_data import DEMO_COMPANY_LICENCE
from app.hq.models import AuditEntry, Base, Record
from app.hq.store import HqStore
from tests.helpers.hq_console import add_accounts, console_client, sign_in

EXAMPLES = 20
EVENT, CERT = "<the demo event's id>", "<a demo guard's certificate>"  # filled in per run
STATUSES: Counter[int] = Counter()
HOSTILE_TEXT = st.one_of(
    st.sampled_from(["", " ", "\x00", "\ud800", "\u202e恶意", "=cmd|' /C calc'!A0", "@SUM(1)",
                     "a" * 10_000, "../../etc/passwd", "<script>alert(1)</script>",
                     "yes", "1", "-1", "99999999999999999999", "nan", "2026-13-45",
                     "cleared", "failed", "black", "red", "accept", "reject", "assign",
                     "unassign", DEMO_COMPANY_LICENCE, EVENT, CERT]),
    st.text(max_size=40))
FIELDS = ("licence_no", "credit_grade", "list", "reason", "note", "background", "trained",
          "officer", "background_date", "training_session", "training_date", "device_id", "device",
          "zone", "action", "valid_days", "organiser", "event_name", "event_date",
          "attendance", "risk", "count", "company", "decision", "token")
# Each form, with {} where a path value goes.
FORMS = ("/console/companies", "/console/vetting/{}", "/console/people/{}/revoke",
         "/console/events/{}/assignments", "/console/events/{}/badges",
         "/console/events/{}/package",
         "/console/evaluations/{}/rectification", "/console/companies/{}/reviews/{}",
         "/console/letters", "/console/letters/{}/choice", "/console/events/create",
         "/console/badges/issuer-key")


def fingerprint(hq: HqStore) -> tuple[Any, ...]:
    """Every table's row count and the newest audit entry's hash."""
    with hq.Session() as s:
        counts = tuple(int(s.scalar(select(func.count()).select_from(table)) or 0)
                       for table in Base.metadata.sorted_tables)
        newest = s.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
                          .limit(1))
    return counts, newest


def real_ids(hq: HqStore) -> dict[str, str]:
    """The demo event's id and one of its guards' certificate, for the placeholders."""
    event_id = hq.add_demo_event()  # the one already there
    with hq.Session() as s:
        guard = s.scalars(select(Record).where(Record.kind == "guard",
                                               Record.event_id == event_id)).first()
        assert guard is not None
        return {EVENT: event_id, CERT: json.loads(guard.payload)["cert_no"]}


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HqStore]:
    folder: Path = tmp_path_factory.mktemp("hq")
    store = add_accounts(HqStore(f"sqlite:///{folder / 'hq.sqlite3'}"))
    store.unlock_keys(b"a long enough key passphrase")
    store.add_demo_event()
    yield store
    store.close()
    print(f"console forms fuzzed: {sum(STATUSES.values())} requests, statuses "
          f"{dict(sorted(STATUSES.items()))}")


@pytest.fixture(scope="module")
def staff(hq: HqStore) -> Iterator[tuple[TestClient, str]]:
    with console_client(hq) as client:
        yield client, sign_in(client, "staff-wang")


@settings(max_examples=EXAMPLES * len(FORMS), derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(form=st.sampled_from(FORMS),
       path_values=st.lists(HOSTILE_TEXT, min_size=2, max_size=2),
       fields=st.dictionaries(st.sampled_from(FIELDS), HOSTILE_TEXT, max_size=8),
       repeated=st.sampled_from(FIELDS + ("",)))
def test_hostile_forms_are_refused_or_audited_and_never_break_the_console(
        hq: HqStore, staff: tuple[TestClient, str], form: str, path_values: list[str],
        fields: dict[str, str], repeated: str) -> None:
    client, csrf = staff
    real = real_ids(hq)
    path_values = [real.get(value, value) for value in path_values]
    fields = {name: real.get(value, value) for name, value in fields.items()}
    path = form.format(*(quote(value.encode("utf-8", "surrogatepass"), safe="")
                         for value in path_values[:form.count("{}")]))
    pairs = [("csrf", csrf), *fields.items()]
    if repeated:
        pairs.append((repeated, "twice"))
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
    before = fingerprint(hq)
    answer = client.post(path, content=body, follow_redirects=False, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    STATUSES[answer.status_code] += 1
    assert answer.status_code < 500, (path, pairs, answer.text[:500])
    if answer.status_code != 303:  # a refusal, or a redirect of a path (a slash) elsewhere
        assert fingerprint(hq) == before, (path, pairs, answer.status_code)
    elif fingerprint(hq) != before:
        assert fingerprint(hq)[1] != before[1], (path, pairs)  # the change was audited
    # the console still answers its pages after it
    assert client.get("/console/", follow_redirects=False).status_code == 200

"""Property-based fuzzing of headquarters' HTTP API against a real ``hq serve`` on loopback
(issue 10, "What must show it works"): whatever arrives, HQ answers below 500, writes no
traceback, and still answers afterwards, to the laptop and to the staff.

Three rounds against one service with a fresh store (the demo event, a staff password, an
enrolled laptop), on SQLite and on PostgreSQL (what HQ runs on):

1. schemathesis generates requests for every operation of the app's own OpenAPI schema, with
   data that fits the schema and data that does not; on top of that, Hypothesis replaces one
   value of about half of them with something hostile (a lone surrogate, a NUL, text longer
   than a column, a time out of range, NaN, a huge number, JSON nested a thousand deep).
   The schema is the one FastAPI builds for ``create_app`` (the running service does not
   publish it: ``openapi_url=None``). ``/records`` and ``/records/known`` read their body
   themselves, so the test describes it, offering the ids HQ really holds among the
   generated ones; records in the data that fits get their payload id and content hash made
   right, so they pass the envelope checks and reach the outcome table and the database.
2. Hypothesis mutates HQ's own records (from the event package) and laptop-made ones, sends
   them in small batches, and after each batch pulls the event's package: what one laptop
   sends must never make a pull fail (issue 10, item 3: a payload 985 levels deep made the
   package answer 500 for every laptop).
3. Every read a laptop or the staff make (packages, event list, pages) once more at the end.

Deterministic: Hypothesis derandomized, no example database (nothing written into the repo).
The printed line gives the number of requests and the time.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app.hq import api_people, console_api, web
from app.hq.server import create_app
from app.hq.store import HqStore
from app.sync.protocol import (
    API_PREFIX,
    KINDS,
    PACKAGE_FORMAT,
    b64decode,
    b64encode,
    canonical_json,
    content_hash,
    raw_public_key,
    read_signed,
)
from tests.helpers.hq_process import HqProcess

pytestmark = pytest.mark.slow

STAFF_PASSWORD = "fuzzing staff password"
# Generated requests per operation and generation mode (positive, negative): more where a
# body is read (records, enrolment, certificates), where the parsing and the rules are.
EXAMPLES = 20
BODY_EXAMPLES = 80
# Round 2: batches of mutated records, each followed by a pull of the event's package.
RECORD_BATCHES = 60
# Enrolment codes the fuzzed enrolment may use (each enrols one laptop once).
SPARE_CODES = 3
TRACEBACK = "Traceback (most recent call last)"

# ------------------------------------------------------------------ hostile values
# In a URL (path segment or query): what a browser or a script may send.
URL_TEXT = ["\x00", "a\x00b", "x" * 65, "\U0001d54f" * 65, "\r\n", "..", "../../etc/passwd",
            "%", "%00", "' OR '1'='1", "\u202eevil", "1e309", "-1", "0", "9" * 30, " ",
            "\t", "z" * 4000]
# In a JSON body: everything a parser accepts.
BODY_TEXT = [*URL_TEXT, "\ud800", "tail \udfff", "y" * 70_000, "",
             "9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+23:59", "0001-01-01",
             "2026-02-30T00:00:00Z", "2026-12-12T12:00:00.000000+00:00" + "0" * 40,
             "=cmd|' /C calc'!A0", "\ufeff", "\U0010ffff"]
BODY_VALUES: list[Any] = [None, True, False, -1, 0, 2**63, -(2**63) - 1, 10**400, 1e308,
                          -0.0, math.nan, math.inf, [], {}, [[[[]]]], {"": {"": None}}]
HOSTILE_KEYS = ["\ud800", "", "\x00", "__proto__", "k" * 5000, "id", "kind", "payload"]
# A nesting depth near Python's limit (about 990 levels from the body's top) and past it.
DEPTHS = [985, 995, 3000]


@dataclass(frozen=True)
class Deep:
    """A value that is a list nested ``depth`` levels deep (spliced in as text: Python's
    own encoder gives up near the limit the test is after)."""

    depth: int

    @property
    def text(self) -> str:
        return "[" * self.depth + "]" * self.depth


@dataclass(frozen=True)
class ExtraKey:
    """An additional key with a hostile name, set in an object of the body."""

    key: str
    value: Any


HOSTILE = st.one_of(
    st.sampled_from(BODY_TEXT), st.sampled_from(BODY_VALUES),
    st.builds(Deep, st.sampled_from(DEPTHS)),
    st.builds(ExtraKey, st.sampled_from(HOSTILE_KEYS),
              st.one_of(st.sampled_from(BODY_TEXT), st.sampled_from(BODY_VALUES))))
MARK = "\u2063deep\u2063"  # stands for a Deep value until the body is written out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a value can be replaced: every node of a JSON value, the root first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        if isinstance(new, ExtraKey):
            if isinstance(value, dict):
                return {**value, new.key: new.value}
            return {new.key: new.value}
        return MARK if isinstance(new, Deep) else new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)
    return items


def _mutated(value: Any, choice: int, hostile: Any) -> Any:
    paths = _paths(value)
    return _replaced(value, paths[choice % len(paths)], hostile)


def _json_text(value: Any, deep: Deep | None) -> str:
    """JSON as Python writes it (NaN and Infinity included, every non-ASCII character
    escaped, so a lone surrogate travels as ``\\ud800``), a Deep value spliced in."""
    text = json.dumps(value)
    if deep is not None:
        text = text.replace(json.dumps(MARK), deep.text)
    return text


def _fix_records(body: Any, deep: Deep | None) -> None:
    """Make generated records pass the envelope checks: the payload carries the record's id
    and the hash is the payload's (what a real laptop sends), so they reach the database."""
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        return
    for item in body["records"]:
        if isinstance(item, dict) and isinstance(item.get("payload"), dict) \
                and isinstance(item.get("id"), str):
            item["payload"]["id"] = item["id"]
            item["hash"] = _hash(item["payload"], deep)


def _hash(payload: dict[str, Any], deep: Deep | None) -> str:
    """The content hash a laptop would compute, also for a payload holding a Deep value."""
    try:
        text = canonical_json(payload).decode("utf-8", errors="surrogatepass")
    except (ValueError, UnicodeEncodeError):  # NaN is fine; a lone surrogate is not UTF-8
        return content_hash({"unhashable": True})
    if deep is not None:
        text = text.replace(json.dumps(MARK, ensure_ascii=False), deep.text)
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


# ------------------------------------------------------------------ the schema
def _string_or(values: list[str]) -> dict[str, Any]:
    """One of the ids HQ holds (generated data meets real rows), or a made-up one. (Any text
    would absorb the real ids: the generator merges an enum into a string type that admits
    it. Any text comes from the hostile values and the negative cases instead.)"""
    return {"anyOf": [{"enum": values}, {"type": "string", "pattern": "^fz-[a-z0-9]{1,12}$"}]}


def _record_schemas(ids: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bodies of POST /records and /records/known (docs/sync-protocol.md)."""
    every_id = sorted({i for values in ids.values() for i in values})
    moment = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string"}]}
    payload = {
        "type": "object",
        "properties": {
            "updated_at": moment,
            "created_at": moment,
            "deleted_at": {"anyOf": [{"type": "null"}, {"type": "string",
                                                        "format": "date-time"}]},
            "event_id": _string_or(ids["event"]),
            "company_id": _string_or(ids["company"]),
            "post_id": _string_or(ids["post"]),
            "guard_id": _string_or(ids["guard"]),
            "name": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": ["draft", "signed", "final"]},
            "pdf": {"type": "string"},
            "version": {"type": "integer"},
            "score_total": {"type": ["number", "null"]},
            "coverage": {"type": ["number", "null"]},
            "signed_at": moment,
            "document_id": {"type": "string"},
            "supervisor_name": {"type": "string"},
            "licence_no": {"type": ["string", "null"]},
            "blacklisted": {"type": "boolean"},
        },
        "required": ["updated_at"],
    }
    record = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": sorted(KINDS)},
            "id": _string_or(every_id),
            "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "payload": payload,
        },
        "required": ["kind", "id", "hash", "payload"],
    }
    records = {"type": "object", "required": ["records"],
               "properties": {"records": {"type": "array", "items": record, "maxItems": 8}}}
    known_item = {"type": "object", "required": ["id", "hash"],
                  "properties": {"id": _string_or(every_id), "hash": {"type": "string"}}}
    known = {"type": "object", "required": ["records"],
             "properties": {"records": {"type": "array", "items": known_item,
                                        "maxItems": 20}}}
    return records, known


def api_schema(ids: dict[str, list[str]], codes: list[str]) -> dict[str, Any]:
    """The app's OpenAPI schema, with what the routes read themselves described too."""
    app = create_app(HqStore.__new__(HqStore))  # only the routes are needed, not a store
    schema = copy.deepcopy(app.openapi())
    paths = schema["paths"]
    records, known = _record_schemas(ids)
    for path, body in ((f"{API_PREFIX}/records", records),
                       (f"{API_PREFIX}/records/known", known)):
        paths[path]["post"]["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": body}}}
    enrol = schema["components"]["schemas"]["EnrolRequest"]["properties"]
    enrol["code"] = _string_or(codes)
    keys = [b64encode(raw_public_key(Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32)))
            for n in range(1, 4)]
    enrol["device_public_key"] = _string_or(keys)
    # Real ids in the path parameters too (the package of an HQ event, an event's page).
    for path in (f"{API_PREFIX}/events/{{event_id}}/package", "/events/{event_id}"):
        for parameter in paths[path]["get"]["parameters"]:
            if parameter["name"] == "event_id":
                parameter["schema"] = _string_or(ids["event"] + ids["post"][:2])
    # The page font is left out of the schema (include_in_schema=False), not out of the fuzz.
    paths[web.FONT_URL] = {"get": {"responses": {"200": {"description": "the font"}}}}
    return schema


def _staff_paths() -> set[str]:
    return {route.path for router in (web.router, console_api.router,  # type: ignore[attr-defined]
                                      api_people.router)
            for route in router.routes}


def _basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"staff:{password}".encode()).decode()


# ------------------------------------------------------------------ the service
@dataclass
class Service:
    hq: HqProcess
    token: str
    ids: dict[str, list[str]]
    templates: list[dict[str, Any]]  # records of HQ's event package, as a laptop has them
    spare_codes: list[str]
    session: requests.Session
    sent: int = 0
    # How HQ answered, by operation: what the printed summary shows.
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # of the records of round 2

    @property
    def device(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        response = self.session.request(method, f"{self.hq.url}{path}", **kwargs)
        self.sent += 1
        self.answers[(f"{method} {path.split('?')[0]}", response.status_code)] += 1
        return response


def _prepare(db_url: str) -> tuple[str, list[str]]:
    """The demo event, a staff password and enrolment codes in a fresh HQ database."""
    store = HqStore(db_url)
    try:
        store.add_demo_event()
        store.set_staff_password(STAFF_PASSWORD)
        # An admin account of the same name and password: the staff routes that change
        # things (revocations) and the audit log are fuzzed signed in, not only refused.
        store.accounts.add("staff", "admin", STAFF_PASSWORD, "fuzz test")
        codes = [store.create_enrolment_code("模糊测试") for _ in range(SPARE_CODES + 1)]
    finally:
        store.close()
    return codes[0], codes[1:]


def _start(db_url: str, workdir: Path) -> Service:
    device_code, spare_codes = _prepare(db_url)
    hq = HqProcess(db_url, workdir).start()
    try:
        enrolled = httpx.post(f"{hq.url}{API_PREFIX}/enrol", timeout=30, json={
            "code": device_code, "device_name": "fuzz",
            "device_public_key": b64encode(raw_public_key(Ed25519PrivateKey.generate()))})
        assert enrolled.status_code == 200, enrolled.text
        token = enrolled.json()["token"]
        package_key = b64decode(enrolled.json()["package_public_key"])
        headers = {"Authorization": f"Bearer {token}"}
        events = httpx.get(f"{hq.url}{API_PREFIX}/events", headers=headers, timeout=30).json()
        ids: dict[str, list[str]] = {kind: [] for kind in ("event", "company", "post", "guard")}
        templates: list[dict[str, Any]] = []
        for event in events["events"]:
            # Taking the package down makes the laptop one that worked on the event.
            package = httpx.get(f"{hq.url}{API_PREFIX}/events/{event['id']}/package",
                                headers=headers, timeout=60)
            assert package.status_code == 200, package.text
            _signer, body = read_signed(package.content, PACKAGE_FORMAT,
                                        lambda _signer: package_key)
            for record in body["records"]:
                if len(ids[record["kind"]]) < 5:
                    ids[record["kind"]].append(record["id"])
                    templates.append(record)
        assert ids["event"] and ids["company"] and ids["post"] and ids["guard"]
    except BaseException:
        hq.stop()
        raise
    return Service(hq, token, ids, templates, spare_codes, requests.Session())


# ------------------------------------------------------------------ round 1: the schema
def _schema_round(service: Service, failures: list[str]) -> int:
    """Every operation of the schema; returns how many operations there were."""
    schema = schemathesis.openapi.from_dict(api_schema(service.ids, service.spare_codes))
    staff_paths = _staff_paths()
    enrol_path = f"{API_PREFIX}/enrol"
    # Who asks: the laptop's token mostly; sometimes none or a forged one. Staff routes get
    # the staff password, none, or one that does not decode (not base64, not UTF-8): a
    # wrong password would lock the address out after five (tests/test_hq_limits.py).
    device_auth = [f"Bearer {service.token}"] * 3 + [
        "", f"Bearer {service.token.split('.')[0]}.forged", "Bearer " + "t" * 5000, "Basic"]
    undecodable = "Basic " + base64.b64encode(b"staff:\xff\xfe").decode()
    staff_auth = [_basic(STAFF_PASSWORD)] * 3 + ["", "Basic a", undecodable, "Bearer x"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 22, [op.label for op in operations]
    for operation in operations:
        path = operation.path
        auths = ([""] if path == enrol_path
                 else staff_auth if path in staff_paths else device_auth)
        # Data that does not fit: for a body or a query (a path segment cannot be other than
        # text, and Hypothesis finds no case that is).
        negative = bool(operation.body) or bool(operation.query)
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negative else [])
        for mode in modes:
            try:
                _schema_test(service, operation, mode, auths)()
            except Exception as failure:  # every failure is reported, then the next
                failures.append(f"{operation.label} ({mode}): {failure!r}")
    return len(operations)


def _schema_test(service: Service, operation: Any, mode: GenerationMode,
                 auths: list[str]) -> Any:
    """A Hypothesis test sending up to ``EXAMPLES`` (``BODY_EXAMPLES`` for an operation with
    a body) generated requests of one operation in one generation mode, each with one of
    ``auths`` as its Authorization header (or none) and about half with one hostile value;
    it fails on any answer of 500 or more, with the request to reproduce it."""

    @settings(max_examples=BODY_EXAMPLES if operation.body else EXAMPLES, derandomize=True,
              database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(case=operation.as_strategy(generation_mode=mode), auth=st.sampled_from(auths),
           hostile=st.none() | st.tuples(st.integers(0, 1000), HOSTILE),
           in_url=st.sampled_from(URL_TEXT))
    def exchange(case: Any, auth: str, hostile: tuple[int, Any] | None, in_url: str) -> None:
        headers = {"Authorization": auth} if auth else {}
        extra: dict[str, Any] = {}
        deep = hostile[1] if hostile and isinstance(hostile[1], Deep) else None
        body = case.body if isinstance(case.body, dict | list) else None
        if hostile is not None and body is not None:
            body = _mutated(body, *hostile)
        elif hostile is not None and (case.query or case.path_parameters):
            # A hostile text in the URL instead (the body has none, or is not JSON).
            where = case.path_parameters or case.query
            name = sorted(where)[hostile[0] % len(where)]
            where[name] = in_url
        if body is not None and hostile is not None:
            if mode is GenerationMode.POSITIVE:
                _fix_records(body, deep)
            extra["data"] = _json_text(body, deep).encode("ascii")
            headers["Content-Type"] = "application/json"
        elif mode is GenerationMode.POSITIVE:
            _fix_records(case.body, None)
        response = case.call(base_url=service.hq.url, session=service.session,
                             headers=headers, timeout=60, **extra)
        service.sent += 1
        service.answers[(operation.label, response.status_code)] += 1
        shown = extra.get("data", b"")[:300]
        assert response.status_code < 500, (
            f"{response.status_code} {response.text[:500]}\n"
            f"reproduce: {case.as_curl_command(headers=headers)}\n"
            f"body sent: {shown!r}")

    return exchange


# ------------------------------------------------------------------ round 2: records
LAPTOP_KINDS = ("inspection", "check_result", "finding", "post_status", "evaluation")
SAMPLE_TIME = "2026-12-12T12:00:00.000000+00:00"


def _laptop_templates(ids: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A record of each kind only a laptop makes, every field of its table filled as the
    laptop would (app.sync.records.payload_keys), about HQ's event, post and guard."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary

    from app.sync.records import payload_keys

    known = {"event_id": ids["event"][0], "post_id": ids["post"][0],
             "guard_id": ids["guard"][0], "inspection_id": "fuzz-inspection",
             "status": "signed", "version": 1, "pdf": "JVBERi0xLjQK", "pdf_name": "e.pdf"}
    samples = [(Boolean, False), (Integer, 1), (Float, 90.5), (DateTime, SAMPLE_TIME),
               (Date, "2026-12-12"), (LargeBinary, "AA==")]
    templates = []
    for kind in LAPTOP_KINDS:
        payload: dict[str, Any] = {}
        for key, column in payload_keys(kind).items():
            if key in known:
                payload[key] = known[key]
            elif column is None:
                payload[key] = None
            else:
                payload[key] = next((value for kind_of, value in samples
                                     if isinstance(column.type, kind_of)), "fz")
        templates.append({"kind": kind, "id": f"fuzz-{kind.replace('_', '-')}",
                          "payload": payload})
    return templates


def _records_round(service: Service, failures: list[str]) -> None:
    event_id = service.ids["event"][0]
    templates = service.templates + _laptop_templates(service.ids)
    kinds = sorted(KINDS)

    record = st.tuples(
        st.sampled_from(templates),
        st.lists(st.tuples(st.integers(0, 1000), HOSTILE), max_size=2),  # hostile values
        st.none() | st.sampled_from(kinds),  # a different kind, same id
        st.sampled_from([True, True, True, False]),  # hash made right, mostly
        st.integers(0, 10_000),  # minutes added to updated_at
    )

    @settings(max_examples=RECORD_BATCHES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(batch=st.lists(record, min_size=1, max_size=4))
    def send(batch: list[tuple[Any, ...]]) -> None:
        items: list[str] = []
        for template, changes, kind, hashed, minutes in batch:
            payload: Any = copy.deepcopy(template["payload"])
            payload["id"] = template["id"]
            if isinstance(payload.get("updated_at"), str):
                payload["updated_at"] = (f"2027-01-01T00:00:00.{minutes:06d}+00:00"
                                         if minutes else payload["updated_at"])
            deep = None
            for choice, hostile in changes:
                if isinstance(hostile, Deep):
                    if deep is not None:
                        continue
                    deep = hostile
                payload = _mutated(payload, choice, hostile)
            item = {"kind": kind or template["kind"], "id": template["id"],
                    "hash": (_hash(payload, deep) if hashed and isinstance(payload, dict)
                             else template["hash"] if "hash" in template else "0" * 64),
                    "payload": payload}
            items.append(_json_text(item, deep))
        data = ('{"records":[' + ",".join(items) + "]}").encode("ascii")
        answer = service.request("POST", f"{API_PREFIX}/records", data=data,
                                 headers={**service.device,
                                          "Content-Type": "application/json"})
        assert answer.status_code < 500, (f"{answer.status_code} {answer.text[:500]}\n"
                                          f"body sent: {data[:600]!r}")
        if answer.status_code == 200:
            results = answer.json()["results"]
            service.outcomes.update(f"{r['status']} ({(r.get('error') or '')[:40]})"
                                    for r in results)
            statuses = {r["status"] for r in results}
            assert statuses <= {"stored", "present", "failed"}, statuses
        pulled = service.request("GET", f"{API_PREFIX}/events/{event_id}/package",
                                 headers=service.device)
        assert pulled.status_code == 200, (
            f"the package answers {pulled.status_code} {pulled.text[:300]} after "
            f"records {data[:600]!r}")

    try:
        send()
    except Exception as failure:
        failures.append(f"records and pulls: {failure!r}")


# ------------------------------------------------------------------ round 3: every read
def _reads_round(service: Service, failures: list[str]) -> None:
    staff = {"Authorization": _basic(STAFF_PASSWORD)}
    reads = [(f"{API_PREFIX}/events", service.device), (f"{API_PREFIX}/stats", service.device),
             (f"{API_PREFIX}/devices/me", service.device), ("/", staff), ("/companies", staff),
             (f"{API_PREFIX}/companies", staff), (f"{API_PREFIX}/evaluations", staff),
             (f"{API_PREFIX}/recommendations?attendance=42000&risk=high", staff),
             ("/companies?attendance=42000&risk=high", staff)]
    for event_id in service.ids["event"]:
        reads += [(f"{API_PREFIX}/events/{event_id}/package", service.device),
                  (f"/events/{event_id}", staff)]
    for path, headers in reads:
        answer = service.request("GET", path, headers=headers)
        if answer.status_code != 200:
            failures.append(f"GET {path} after the fuzzing: {answer.status_code} "
                            f"{answer.text[:300]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    return str(request.getfixturevalue("postgres_db"))


def test_generated_requests_get_no_5xx_and_no_traceback(db_url: str, tmp_path: Path) -> None:
    service = _start(db_url, tmp_path)
    failures: list[str] = []
    started = time.monotonic()
    try:
        operations = _schema_round(service, failures)
        schema_requests = service.sent
        _records_round(service, failures)
        _reads_round(service, failures)
        elapsed = time.monotonic() - started
        print(f"\n{db_url.split(':')[0]}: {service.sent} generated requests "
              f"({schema_requests} over the {operations} operations of the schema, "
              f"{service.sent - schema_requests} records and pulls) in {elapsed:.1f} s")
        for label in sorted({label for label, _status in service.answers}):
            counts = sorted((status, n) for (other, status), n in service.answers.items()
                            if other == label)
            print(f"  {label}: " + ", ".join(f"{status}×{n}" for status, n in counts))
        print("  records of round 2: " + "; ".join(
            f"{outcome} ×{n}" for outcome, n in service.outcomes.most_common()))
        # Still alive and answering, to the laptop and to the staff.
        assert service.hq.process is not None and service.hq.process.poll() is None
        me = service.request("GET", f"{API_PREFIX}/devices/me", headers=service.device)
        assert me.status_code == 200 and me.json()["name"] == "fuzz"
    finally:
        service.hq.stop()
    output = (tmp_path / "hq.log").read_text(encoding="utf-8", errors="replace")
    assert not failures, "\n\n".join(failures)
    assert TRACEBACK not in output, output[-5000:]
    assert service.sent >= 4 * BODY_EXAMPLES + RECORD_BATCHES

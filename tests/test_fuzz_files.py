"""Bundles and event packages, mutated, fed to the real readers (issue 10, the parsing fuzz).

Valid signed files are made the way the programs make them (a laptop's bundle by
``SyncService.export_bundle``: events, posts, guards, inspections, findings and a signed
evaluation with its PDF; HQ's event package by ``HqStore.event_package``), then mutated:

* bytes of the compressed file flipped, cut short, appended to;
* the envelope's fields replaced, removed, nested thousands of levels, given odd numbers;
* the body changed and **signed again with the right key** (so that the signature check
  lets it through and the code behind it is reached): a value of the wrong type, a key
  removed or added, nesting past the bound and far past it, huge and non-finite numbers
  (``1e999``, ``NaN``, 5,000 digits, 2**64), lone surrogates, NUL, a record of another kind
  or sent twice; with the record's hash recomputed half of the time (else the envelope check
  refuses it first).

Each goes to ``HqStore.import_bundle`` on a SQLite HQ store, or to the laptop's
``SyncService.import_package`` into a profile. The property: the only exceptions are the
documented refusals (``UserError`` subclasses, with a message), a refused file changes
nothing stored (every row of every table, and the files beside a profile), and an accepted
bundle's summary accounts for its records. 400 mutants each, deterministic
(derandomized); 15-45 s on the 2-core machine.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.errors import UserError
from app.hq.store import HqStore
from app.profile.db import Database
from app.sync.client import SyncService
from app.sync.protocol import (
    BUNDLE_FORMAT,
    HQ_SIGNER,
    KINDS,
    PACKAGE_FORMAT,
    b64encode,
    content_hash,
    raw_public_key,
)
from app.sync.state import HQ_PACKAGE_KEY
from tests.test_trust_files import (
    database_state,
    enrol_in_process,
    export_bundle,
    make_signed_event,
    nested,
    profile_state,
    sign_text,
)

pytestmark = pytest.mark.slow
EXAMPLES = 400
RAW = "@@raw-{}@@"  # a placeholder json.dumps writes, replaced by raw JSON text after it
RAW_TEXTS = ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1" + "0" * 400,
             "1" + "0" * 5000, "-0", "1e-999", "18446744073709551616", "-9223372036854775809",
             "123456789012345678901234567890.5", nested(63), nested(64), nested(65),
             nested(982), nested(5000), "[" * 3000 + "]" * 3000]
ODD_TEXTS = ["\ud800", "a\udfffb", "\x00", "nul\x00in", "\u202e", "=cmd|' /C calc'!A0",
             "", " ", "2026-13-45", "2026-12-12T12:00:00+00:00",
             "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00", "hq", "../../etc/passwd",
             "ＡＢＣ", "-" * 65]


def odd_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(),
        st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, -1, 0]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(ODD_TEXTS),
        st.integers(65, 70_000).map(lambda length: "x" * length),  # past any column's size
        st.text(st.characters(exclude_categories=()), max_size=20))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                        max_leaves=6)


def paths(value: Any, prefix: tuple[Any, ...] = (), limit: int = 6) -> list[tuple[Any, ...]]:
    """Every place in a parsed body, the body itself (()) included."""
    found = [prefix]
    if len(prefix) >= limit:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key), limit)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index), limit)
    return found


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def mutate_body(body: dict[str, Any], data: st.DataObject,
                places: list[tuple[Any, ...]]) -> str:
    """1-3 changes to a copy of ``body``; its JSON text, raw values put in place."""
    body = copy.deepcopy(body)
    raw: dict[str, str] = {}
    touched: set[int] = set()
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        path = data.draw(st.sampled_from(places), label="path")
        try:
            parent, target = (at(body, path[:-1]), path[-1]) if path else (None, None)
            at(body, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
        if len(path) >= 2 and path[0] == "records" and isinstance(path[1], int):
            touched.add(path[1])
        operation = data.draw(st.sampled_from(
            ["replace", "replace", "raw", "delete", "add", "kind", "twice"]), label="operation")
        if parent is None:  # the body itself
            if operation == "raw":
                return data.draw(st.sampled_from(RAW_TEXTS), label="raw body")
            if operation == "replace":
                return json.dumps(data.draw(odd_values(), label="body"))
            continue
        if operation == "replace":
            parent[target] = data.draw(odd_values(), label="value")
        elif operation == "raw":
            marker = RAW.format(len(raw))
            raw[marker] = data.draw(st.sampled_from(RAW_TEXTS), label="raw")
            parent[target] = marker
        elif operation == "delete":
            del parent[target]
        elif operation == "add":
            value = at(body, path)
            if isinstance(value, dict):
                value[data.draw(st.text(max_size=8), label="key")] = data.draw(odd_values())
        elif operation == "kind":
            records = body.get("records")
            if isinstance(records, list) and records and isinstance(records[0], dict):
                index = data.draw(st.integers(0, len(records) - 1), label="record")
                if isinstance(records[index], dict):
                    records[index]["kind"] = data.draw(st.sampled_from(sorted(KINDS)))
                    touched.add(index)
        elif operation == "twice":
            records = body.get("records")
            if isinstance(records, list) and records:
                index = data.draw(st.integers(0, len(records) - 1), label="record")
                records.append(copy.deepcopy(records[index]))
    records = body.get("records")
    if isinstance(records, list) and data.draw(st.booleans(), label="rehash"):
        for index in touched:
            record = records[index] if index < len(records) else None
            if isinstance(record, dict) and isinstance(record.get("payload"), dict):
                try:
                    record["hash"] = content_hash(record["payload"])
                except (ValueError, TypeError, RecursionError):
                    pass  # not hashable (a lone surrogate, a raw value): left as it was
    ascii_only = data.draw(st.booleans(), label="ascii")
    text = json.dumps(body, ensure_ascii=ascii_only)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: only its \\u escape can be signed
        text = json.dumps(body, ensure_ascii=True)
    for marker, replacement in raw.items():
        text = text.replace(json.dumps(marker), replacement)
    return text


def mutated_file(data: st.DataObject, file_format: str, signer: str, key: Any,
                 body: dict[str, Any], places: list[tuple[Any, ...]], valid: bytes) -> bytes:
    kind = data.draw(st.sampled_from(["body", "body", "body", "envelope", "bytes", "text"]),
                     label="mutation")
    if kind == "body":
        return sign_text(file_format, signer, mutate_body(body, data, places), key)
    if kind == "bytes":
        mutated = bytearray(valid)
        for _ in range(data.draw(st.integers(1, 4), label="flips")):
            position = data.draw(st.integers(0, len(mutated) - 1), label="position")
            mutated[position] ^= data.draw(st.integers(1, 255), label="mask")
        cut = data.draw(st.integers(0, len(mutated)), label="cut")
        if data.draw(st.booleans(), label="cut short"):
            del mutated[cut:]
        return bytes(mutated) + data.draw(st.binary(max_size=20), label="appended")
    text = gzip.decompress(valid).decode("utf-8")
    if kind == "text":  # the unpacked JSON changed, not signed again
        position = data.draw(st.integers(0, len(text)), label="text position")
        insert = data.draw(st.sampled_from(['"', "\\", "]", "{", "\\ud800", ",", "", *RAW_TEXTS]))
        text = text[:position] + insert + text[position + data.draw(st.integers(0, 3)):]
        return gzip.compress(text.encode("utf-8", "surrogatepass"))
    envelope = json.loads(text)
    field = data.draw(st.sampled_from(["format", "version", "signer", "body", "signature",
                                       "extra"]), label="field")
    if data.draw(st.booleans(), label="drop"):
        envelope.pop(field, None)
    else:
        envelope[field] = RAW.format(0) if data.draw(st.booleans()) else data.draw(odd_values())
    text = json.dumps(envelope).replace(json.dumps(RAW.format(0)),
                                        data.draw(st.sampled_from(RAW_TEXTS), label="raw"))
    return gzip.compress(text.encode("utf-8"))


@pytest.fixture(scope="module")
def bundle_side(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An HQ store and a laptop enrolled with it, and the laptop's real bundle."""
    folder = tmp_path_factory.mktemp("fuzz-bundle")
    store = HqStore(f"sqlite:///{folder / 'hq.sqlite3'}")
    db, _event_id = make_signed_event(folder)
    device_id, key = enrol_in_process(store, db)
    valid = export_bundle(db, folder / "laptop.vsbundle")
    db.close()
    body = json.loads(json.loads(gzip.decompress(valid))["body"])
    assert {r["kind"] for r in body["records"]} >= {"event", "guard", "inspection", "evaluation"}
    yield {"store": store, "path": folder / "hq.sqlite3", "device_id": device_id, "key": key,
           "valid": valid, "body": body, "places": paths(body)}
    store.close()


@pytest.fixture(scope="module")
def package_side(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An HQ event's real package and a laptop profile that trusts HQ's key."""
    folder = tmp_path_factory.mktemp("fuzz-package")
    store = HqStore(f"sqlite:///{folder / 'hq.sqlite3'}")
    source, event_id = make_signed_event(folder / "source")
    store.add_event_from_profile(source, event_id)
    source.close()
    valid = store.event_package(event_id)
    key = store.package_key()
    laptop = Database(folder / "laptop")
    laptop.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(key)))
    store.close()
    body = json.loads(json.loads(gzip.decompress(valid))["body"])
    assert {r["kind"] for r in body["records"]} == {"company", "event", "post", "guard"}
    yield {"laptop": laptop, "folder": folder, "key": key, "valid": valid, "body": body,
           "places": paths(body)}
    laptop.close()


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.data())
def test_hq_import_bundle_refuses_or_accounts_for_every_mutant(
        bundle_side: dict[str, Any], data: st.DataObject) -> None:
    side = bundle_side
    store: HqStore = side["store"]
    signed = mutated_file(data, BUNDLE_FORMAT, side["device_id"], side["key"], side["body"],
                          side["places"], side["valid"])
    before = database_state(side["path"])
    try:
        summary = store.import_bundle(signed)
    except UserError as exc:  # the documented refusal (SignedFileError)
        event(f"refused: {getattr(exc, 'reason', type(exc).__name__)}")
        assert str(exc).strip()
        assert database_state(side["path"]) == before
        return
    assert set(summary) == {"stored", "present", "failed", "errors"}
    assert all(isinstance(summary[k], int) and summary[k] >= 0
               for k in ("stored", "present", "failed"))
    assert all(isinstance(error, str) for error in summary["errors"])
    records = json.loads(json.loads(gzip.decompress(signed))["body"])["records"]
    assert summary["stored"] + summary["present"] + summary["failed"] == len(records)
    event("read: " + ", ".join(f"{k} {'some' if summary[k] else 'none'}"
                               for k in ("stored", "present", "failed")))
    # what HQ serves from its rows still works
    store.stats()
    store.events_available()


@FUZZ
@given(data=st.data())
def test_laptop_import_package_refuses_or_applies_every_mutant(
        package_side: dict[str, Any], data: st.DataObject) -> None:
    side = package_side
    laptop: Database = side["laptop"]
    signed = mutated_file(data, PACKAGE_FORMAT, HQ_SIGNER, side["key"], side["body"],
                          side["places"], side["valid"])
    package = Path(side["folder"]) / "mutant.vspkg"
    package.write_bytes(signed)
    before = profile_state(laptop)
    try:
        SyncService(laptop).import_package(package)
    except UserError as exc:  # the documented refusal (SyncError)
        event("refused: " + re.sub(r"[0-9a-f-]{36}", "ID", str(exc))[:70])
        assert str(exc).strip()
        assert profile_state(laptop) == before
    else:
        event("applied")

"""Signed files at the trust boundary (issue 10, items 12 and 14).

* A bundle signed by an enrolled laptop's own key, or an event package signed by HQ's key,
  whose JSON nests 982 levels (or 5,000) ended ``hq import-bundle`` and ``import-package`` in
  a RecursionError traceback. It is refused while the file is read (``read_signed``: more than
  64 levels), with the documented message and exit status, and nothing stored changes.
* The offline path could not deliver a signed evaluation: a laptop that enrolled and then
  never reached HQ online had no signing certificate registered there, so ``hq
  import-bundle`` refused the evaluation. The bundle carries the certificate now and HQ
  registers it on import exactly as a sync does.

The helpers here (a small signed event in a laptop profile, a laptop enrolled by the Python
API, files signed over arbitrary body text, database snapshots) serve
tests/test_fuzz_files.py too.
"""

from __future__ import annotations

import gzip
import json
import random
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.hq import files
from app.hq.store import HqStore
from app.profile.db import Database
from app.sync.protocol import (
    BUNDLE_FORMAT,
    HQ_SIGNER,
    MAX_JSON_DEPTH,
    PACKAGE_FORMAT,
    PROTOCOL_VERSION,
    SignedFileError,
    b64encode,
    json_depth,
    json_shape,
    raw_public_key,
    read_signed,
)
from tests.helpers.hq_process import HqProcess, last_json, run_app
from tests.test_decompression_bombs import run_measured

PASSPHRASE = b"trust-files-passphrase"
DEEP = "@@deep@@"  # stands for a nested value in a body's text; json.dumps cannot write one


# ---------------------------------------------------------------------- helpers
def sign_text(file_format: str, signer: str, body_text: str, key: Ed25519PrivateKey,
              envelope_extra: dict[str, Any] | None = None) -> bytes:
    """A signed file as app.sync.protocol.write_signed makes it, over any body text (one
    json.dumps could not write: nested thousands of levels, odd numbers)."""
    signature = key.sign(body_text.encode("utf-8"))
    envelope = {"format": file_format, "version": PROTOCOL_VERSION, "signer": signer,
                "body": body_text, "signature": b64encode(signature), **(envelope_extra or {})}
    return gzip.compress(json.dumps(envelope, ensure_ascii=False).encode("utf-8"), mtime=0)


def nested(depth: int) -> str:
    """JSON text nesting ``depth`` levels: alternately arrays and objects."""
    opening = "".join('[' if level % 2 else '{"k":' for level in range(depth))
    closing_ = "".join(']' if level % 2 else '}' for level in reversed(range(depth)))
    return opening + "1" + closing_


def body_text_of(data: bytes) -> str:
    return str(json.loads(gzip.decompress(data))["body"])


def with_deep_value(body_text: str, depth: int, where: Callable[[dict[str, Any]], None]) -> str:
    """``body_text`` with one value, chosen by ``where`` (which sets it to DEEP), nested
    ``depth`` levels."""
    body = json.loads(body_text)
    where(body)
    return json.dumps(body, ensure_ascii=False).replace(json.dumps(DEEP), nested(depth))


def database_state(path: Path) -> dict[str, list[str]]:
    """Every row of every table of a SQLite database (sorted reprs): what "nothing stored
    changed" is checked against."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))
                for table in tables}


def profile_state(db: Database) -> tuple[dict[str, list[str]], dict[str, bytes]]:
    """A laptop profile's rows and the files beside them (photos, reports, keys)."""
    files = {str(path.relative_to(db.data_dir)): path.read_bytes()
             for path in sorted(db.data_dir.rglob("*"))
             if path.is_file() and not path.name.startswith(db.path.name)}
    return database_state(db.path), files


def make_signed_event(folder: Path) -> tuple[Database, str]:
    """A laptop profile holding the small hand-made event of tests/helpers/evaluation.py
    (company, 2 posts, 5 guards, 4 inspections, findings, a post status) and its evaluation
    signed with an ECDSA identity (quick to make); returns the profile and the event id."""
    from app.demo import demo_signature_png
    from app.evaluation.report import EvaluationService
    from app.evaluation.signing import create_self_signed_p12, load_signer
    from app.inspection.workbench import Workbench
    from tests.helpers.evaluation import build_hand_case

    db = Database(folder / "profile")
    case = build_hand_case(Workbench(db))
    p12 = create_self_signed_p12(folder / "li.p12", "李建国", PASSPHRASE, key_type="ec")
    service = EvaluationService(db)
    draft = service.draft(case.event_id)
    service.update_draft(draft.id, comment="总体良好", supervisor_name="李建国")
    service.sign(draft.id, demo_signature_png(), load_signer(p12, PASSPHRASE))
    return db, case.event_id


def enrol_in_process(store: HqStore, db: Database) -> tuple[str, Ed25519PrivateKey]:
    """Enrol the profile with ``store`` as ``python -m app enrol`` does, through the Python
    API (no network), with no signing certificate yet: the settings enrol writes."""
    from app.sync.state import DEVICE_KEY, HQ_DEVICE_ID, HQ_PACKAGE_KEY, HQ_TOKEN, HQ_URL

    key = Ed25519PrivateKey.generate()
    result = store.enrol(store.create_enrolment_code("李建国"), "laptop", raw_public_key(key))
    for name, value in {HQ_URL: "http://127.0.0.1:9", HQ_DEVICE_ID: result.device_id,
                        HQ_TOKEN: result.token, HQ_PACKAGE_KEY: result.package_public_key,
                        DEVICE_KEY: b64encode(key.private_bytes_raw())}.items():
        db.set_setting(name, value)
    return result.device_id, key


def export_bundle(db: Database, out: Path) -> bytes:
    from app.sync.client import SyncService

    SyncService(db).export_bundle(out)
    return out.read_bytes()


def real_count(value: object) -> int:
    """How many values (each key too) a parsed JSON value holds, itself included."""
    if isinstance(value, list):
        return 1 + sum(real_count(item) for item in value)
    if isinstance(value, dict):
        return 1 + sum(1 + real_count(item) for item in value.values())
    return 1


def real_depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((real_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((real_depth(item) for item in value.values()), default=0)
    return 0


# ---------------------------------------------------------------------- the depth count
def test_json_shape_counts_as_deep_and_as_many_as_the_parser_makes() -> None:
    generator = random.Random(10)
    texts = ['x"[', '[\\"', '{\\\\"', "]}", "中[文", "\ud800", "\\u005b", ""]

    def value(level: int) -> object:
        roll = generator.random()
        if level > 7 or roll < 0.3:
            return generator.choice([1, None, 2.5, True, *texts])
        if roll < 0.65:
            return [value(level + 1) for _ in range(generator.randint(0, 3))]
        return {generator.choice(texts) + str(i): value(level + 1)
                for i in range(generator.randint(0, 3))}

    for _ in range(3000):
        item = value(0)
        text = json.dumps(item, ensure_ascii=generator.random() < 0.5)
        depth, values = json_shape(text)
        assert depth == json_depth(text) == real_depth(item), text
        assert real_count(item) <= values <= 2 * real_count(item), text
    assert json_depth(nested(982)) == 982
    assert json_depth(nested(5000), stop_above=64) > 64
    # a chunk boundary (1 MB) inside a string and inside the nesting
    text = json.dumps(["[" * 1_048_570, [[["]"]]]])
    assert json_depth(text) == 4
    # what a parser refuses may count deeper, never shallower
    assert json_depth("[[[[") == 4 and json_depth('"[[[[') == 0


def test_json_shape_is_the_same_whatever_the_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The escapes are taken out chunk by chunk (no copy of the whole text): a run of
    backslashes or an escaped quote cut by a chunk's end counts as it does in one piece."""
    import app.sync.protocol as protocol

    generator = random.Random(11)
    pieces = ['\\', '\\"', '"', "[", "]", "{", "}", ",", ":", "a", "中"]
    texts = ["".join(generator.choice(pieces) for _ in range(generator.randint(0, 60)))
             for _ in range(2000)]
    texts += [json.dumps({"note": "\\" * n + '"[' * n, "x": [[n]]}) for n in range(12)]
    whole = [json_shape(text) for text in texts]
    for size in (1, 2, 3, 5, 8):
        monkeypatch.setattr(protocol, "_DEPTH_CHUNK", size)
        assert [json_shape(text) for text in texts] == whole, size


def test_a_file_too_deep_or_too_many_is_refused_before_it_is_parsed() -> None:
    key = Ed25519PrivateKey.generate()
    looked_up: list[str] = []

    def public_key_of(signer: str) -> bytes:
        looked_up.append(signer)
        return raw_public_key(key)

    # body, records, record, payload: 4 levels; the note 60 more is the limit, 61 beyond it
    def body(note_depth: int) -> str:
        payload = {"id": "r-1", "updated_at": "2026-12-12T12:00:00+00:00", "note": DEEP}
        text = json.dumps({"device_id": "laptop", "records": [
            {"kind": "inspection", "id": "r-1", "hash": "0" * 64, "payload": payload}]})
        return text.replace(json.dumps(DEEP), nested(note_depth))

    signer, parsed = read_signed(sign_text(BUNDLE_FORMAT, "laptop", body(60), key),
                                 BUNDLE_FORMAT, public_key_of)
    assert real_depth(parsed) == MAX_JSON_DEPTH == 64
    for depth in (61, 982, 5000):
        with pytest.raises(SignedFileError, match="more than 64 levels deep") as refused:
            read_signed(sign_text(BUNDLE_FORMAT, "laptop", body(depth), key), BUNDLE_FORMAT,
                        public_key_of)
        assert refused.value.reason == "too_deep"
    # the envelope itself is one flat object of a few texts, checked before it is parsed,
    # any signature checked or any signer looked up
    looked_up.clear()
    head = ('{"format": "venue-supervisor-event-package", "version": 1, "signer": "hq", '
            '"body": "{}", "signature": ""')
    for extra in (f', "x": {nested(3000)}', ', "x": [1]', "".join(
            f', "k{i}": ""' for i in range(40))):
        with pytest.raises(SignedFileError, match="envelope is not a flat JSON object"):
            read_signed(gzip.compress((head + extra + "}").encode()), PACKAGE_FORMAT,
                        public_key_of)
    assert looked_up == []
    # as many values as parsing may make objects of, and as many records as are ingested
    many = '{"records": [' + ",".join(["{}"] * 1_000_000) + "]}"
    with pytest.raises(SignedFileError, match="more than 2,000,000 values") as refused:
        read_signed(sign_text(BUNDLE_FORMAT, "laptop", many, key), BUNDLE_FORMAT,
                    public_key_of)
    assert refused.value.reason == "too_many"
    many = '{"records": [' + ",".join(["1"] * 100_001) + "]}"
    with pytest.raises(SignedFileError, match="more than 100,000 records"):
        read_signed(sign_text(BUNDLE_FORMAT, "laptop", many, key), BUNDLE_FORMAT,
                    public_key_of)
    # a signer no database could hold is not looked up; the message stays short
    looked_up.clear()
    for signer in ("\ud800", "x" * 100_000, ""):
        data = gzip.compress(json.dumps({"format": BUNDLE_FORMAT, "version": 1,
                                         "signer": signer, "body": "{}",
                                         "signature": ""}).encode())
        with pytest.raises(SignedFileError, match="not known") as unknown:
            read_signed(data, BUNDLE_FORMAT, public_key_of)
        assert len(str(unknown.value)) < 300
    assert looked_up == []


# ---------------------------------------------------------------------- item 12: deep files
@pytest.mark.slow
def test_hq_import_bundle_refuses_a_deeply_nested_bundle_the_laptop_signed(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    store = HqStore(url)
    db, _event_id = make_signed_event(tmp_path)
    device_id, key = enrol_in_process(store, db)
    store.close()
    good = body_text_of(export_bundle(db, tmp_path / "good.vsbundle"))
    before = database_state(tmp_path / "hq.sqlite3")

    def in_a_payload(body: dict[str, Any]) -> None:
        body["records"][-1]["payload"]["comment"] = DEEP

    def beside_the_records(body: dict[str, Any]) -> None:
        body["created_at"] = DEEP

    cases = {
        "982 levels in a payload (the attack)": with_deep_value(good, 982, in_a_payload),
        "5000 levels": with_deep_value(good, 5000, in_a_payload),
        "65 levels, one past the limit": with_deep_value(good, 64, beside_the_records),
    }
    for name, text in cases.items():
        bundle = tmp_path / "deep.vsbundle"
        bundle.write_bytes(sign_text(BUNDLE_FORMAT, device_id, text, key))
        code, message, peak_mb = run_measured("hq", "import-bundle", "--db", url, str(bundle))
        assert code == 1, (name, message)  # README: 1 when the file is refused
        assert f"the bundle {bundle} is refused: the bundle nests its data more than 64 " \
               f"levels deep" in message, (name, message)
        assert "Traceback" not in message and peak_mb < 300, (name, peak_mb)
        # nothing of the file: not its good records, not the certificate it carries
        assert database_state(tmp_path / "hq.sqlite3") == before, name

    # the same records nested within bounds go in, with the signed evaluation
    bundle = tmp_path / "good.vsbundle"
    result = run_app("hq", "import-bundle", "--db", url, str(bundle))
    summary = last_json(result.stdout)
    assert summary["failed"] == 0 and summary["stored"] == len(json.loads(good)["records"])
    assert last_json(run_app("hq", "stats", "--db", url).stdout)["signed_pdfs"] == 1


@pytest.mark.slow
def test_import_package_refuses_a_deeply_nested_package_hq_signed(tmp_path: Path) -> None:
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    source, event_id = make_signed_event(tmp_path / "hq-side")
    store.add_event_from_profile(source, event_id)
    package = store.event_package(event_id)
    laptop = Database(tmp_path / "laptop")
    enrol_in_process(store, laptop)
    hq_key = store.package_key()
    store.close()

    good = tmp_path / "event.vspkg"
    good.write_bytes(package)
    imported = last_json(run_app("--data-dir", str(laptop.data_dir), "import-package",
                                 str(good)).stdout)
    assert imported["event_id"] == event_id
    before = profile_state(laptop)
    text = body_text_of(package)

    def in_a_guard(body: dict[str, Any]) -> None:
        guard = next(r for r in body["records"] if r["kind"] == "guard")
        guard["payload"]["name"] = DEEP

    def in_the_template(body: dict[str, Any]) -> None:
        body["checklist_template"] = DEEP

    cases = {"982 levels in a guard (the attack)": with_deep_value(text, 982, in_a_guard),
             "5000 levels in the checklist template": with_deep_value(text, 5000,
                                                                       in_the_template),
             "65 levels": with_deep_value(text, 64, in_the_template)}
    for name, deep_text in cases.items():
        deep = tmp_path / "deep.vspkg"
        deep.write_bytes(sign_text(PACKAGE_FORMAT, HQ_SIGNER, deep_text, hq_key))
        result = run_app("--data-dir", str(laptop.data_dir), "import-package", str(deep),
                         check=False)
        # README: exit 2 when the package file is refused
        assert result.returncode == 2, (name, result.stdout, result.stderr)
        assert "The event package is refused: the package's content nests deeper than any " \
               "real package" in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.stderr and result.stdout == "", name
        assert profile_state(laptop) == before, name
    laptop.close()


# ---------------------------------------------------------------------- item 14: offline
@pytest.mark.slow
def test_a_bundle_registers_the_certificate_its_evaluations_need(tmp_path: Path) -> None:
    """The Python API of the same path: registered before the evaluations are checked; a
    certificate HQ holds another one of, or one that is no certificate, is reported and the
    rest of the bundle still arrives."""
    from sqlalchemy import select

    from app.evaluation.signing import verify_pdf
    from app.hq.models import Device, EvaluationDocument

    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    db, _event_id = make_signed_event(tmp_path)
    device_id, key = enrol_in_process(store, db)
    with pytest.MonkeyPatch.context() as patch:  # more records than HQ reads from a file
        from app.sync.client import SyncService
        from app.sync.state import SyncError

        patch.setattr("app.sync.upload.MAX_FILE_RECORDS", 3)
        with pytest.raises(SyncError, match="more than one bundle file can carry"):
            SyncService(db).export_bundle(tmp_path / "too-many.vsbundle")
        assert not (tmp_path / "too-many.vsbundle").exists()
    data = export_bundle(db, tmp_path / "laptop.vsbundle")
    certificate = json.loads(body_text_of(data))["signing_certificate_pem"]
    assert certificate.startswith("-----BEGIN CERTIFICATE-----")

    def registered(device: str) -> str | None:
        row = store.device(device)
        assert row is not None
        return row.signing_certificate_pem

    assert registered(device_id) is None

    summary = store.import_bundle(data)
    assert summary["failed"] == 0 and summary["errors"] == [], summary
    assert registered(device_id) == certificate
    with store.Session() as s:
        document = s.scalars(select(EvaluationDocument)).one()
        pdf = files.document_pdf(s, document, timestamped=True)  # as HQ serves it
    assert pdf is not None and document.timestamped_sha256 is not None
    verified = verify_pdf(pdf, [certificate.encode("ascii")])
    assert verified.intact and verified.valid and verified.trusted, verified
    assert store.import_bundle(data)["present"] == summary["stored"]  # idempotent

    # another laptop, whose bundle carries a certificate HQ cannot take
    other_db, _other_event = make_signed_event(tmp_path / "other")
    other_id, other_key = enrol_in_process(store, other_db)
    body = json.loads(body_text_of(export_bundle(other_db, tmp_path / "other.vsbundle")))
    with store.begin() as s:  # HQ already holds another certificate for it
        s.get(Device, other_id).signing_certificate_pem = certificate  # type: ignore[union-attr]
    conflict = store.import_bundle(sign_text(BUNDLE_FORMAT, other_id, json.dumps(body),
                                             other_key))
    assert any("signing certificate in the bundle was not registered" in error
               and "another signing certificate is registered" in error
               for error in conflict["errors"]), conflict
    assert conflict["failed"] == 1 and conflict["stored"] == len(body["records"]) - 1
    assert registered(other_id) == certificate
    body["signing_certificate_pem"] = ["not", "a", "certificate"]
    again = store.import_bundle(sign_text(BUNDLE_FORMAT, other_id, json.dumps(body), other_key))
    assert any("not a PEM X.509 certificate" in error for error in again["errors"]), again
    store.close()


@pytest.mark.slow
def test_a_laptop_that_never_syncs_online_delivers_its_signed_evaluation_by_bundle(
        tmp_path: Path) -> None:
    """enrol -> (HQ out of reach from then on) -> seed-demo -> export-bundle -> hq
    import-bundle: exit 0, and HQ holds the signed PDF, its signature valid."""
    from sqlalchemy import create_engine, text

    from app.evaluation.signing import verify_pdf

    hq = HqProcess(f"sqlite:///{tmp_path / 'hq.sqlite3'}", tmp_path).start()
    profile = tmp_path / "laptop"
    try:
        run_app("--data-dir", str(profile), "enrol", "--hq", hq.url, "--code", hq.enrol_code())
    finally:
        hq.stop(kill=True)  # the laptop never reaches HQ online again
    seeded = last_json(run_app("--data-dir", str(profile), "seed-demo", "--inspections",
                               "20").stdout)
    bundle = tmp_path / "usb" / "laptop.vsbundle"
    exported = last_json(run_app("--data-dir", str(profile), "export-bundle", "--out",
                                 str(bundle)).stdout)
    result = hq.hq("import-bundle", str(bundle), check=False)
    assert result.returncode == 0, result.stderr
    summary = last_json(result.stdout)
    assert (summary["stored"], summary["failed"], summary["errors"]) == \
        (exported["records"], 0, [])
    assert hq.stats()["signed_pdfs"] == 1 and hq.stats()["evaluations"] == 1

    engine = create_engine(hq.db_url)
    with engine.connect() as conn:
        evaluation_id, pdf, pdf_sha256 = conn.execute(text(
            "SELECT e.id, f.data, e.pdf_sha256 FROM evaluation_document e "
            "JOIN stored_file f ON f.sha256 = e.pdf_sha256")).one()
        certificate = conn.execute(text("SELECT signing_certificate_pem FROM device")).scalar()
    engine.dispose()
    assert evaluation_id == seeded["evaluation_id"]
    laptop = Database(profile)
    from app.sync.state import SUPERVISOR_CERTIFICATE

    assert certificate == laptop.setting(SUPERVISOR_CERTIFICATE)
    with laptop.read() as s:
        from app.profile.models import Evaluation

        signed = s.get(Evaluation, evaluation_id)
        assert signed is not None and signed.pdf_sha256 == pdf_sha256
    laptop.close()
    verified = verify_pdf(bytes(pdf), [certificate.encode("ascii")])
    assert verified.intact and verified.valid and verified.trusted, verified
    assert verified.coverage_entire_file
    again = last_json(hq.hq("import-bundle", str(bundle)).stdout)
    assert (again["stored"], again["present"], again["failed"]) == (0, exported["records"], 0)


SIGNED_BOMB_PEAK_MB = 340  # measured 325 to 332 MB on the development machine


@pytest.mark.slow
def test_files_of_millions_of_values_are_refused_unparsed_in_bounded_memory(
        tmp_path: Path) -> None:
    """58 KB of gzip, signed by no one: an envelope holding 20 million empty objects. Parsed
    before its signer was looked at, it took hq import-bundle to 1.6 GB; it is refused now
    by its shape, before it is parsed, by HQ and by the laptop alike. The same objects in a
    body an enrolled laptop signed took it to 5.3 GB: refused before parsing too."""
    text = ('{"format": "%s", "version": 1, "signer": "hq", "body": "{}", "signature": "", '
            '"x": [' + ",".join(["{}"] * 20_000_000) + "]}")
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    HqStore(url).close()
    before = database_state(tmp_path / "hq.sqlite3")
    laptop = Database(tmp_path / "laptop")
    from app.sync.state import HQ_PACKAGE_KEY

    laptop.set_setting(HQ_PACKAGE_KEY, b64encode(raw_public_key(
        Ed25519PrivateKey.generate())))  # enrolled: it trusts a package key
    laptop_before = profile_state(laptop)
    laptop.close()
    for file_format, command in (
            (BUNDLE_FORMAT, ("hq", "import-bundle", "--db", url)),
            (PACKAGE_FORMAT, ("--data-dir", str(tmp_path / "laptop"), "import-package"))):
        path = tmp_path / "envelope.bomb"
        path.write_bytes(gzip.compress((text % file_format).encode(), 9))
        assert path.stat().st_size < 100_000
        code, message, peak_mb = run_measured(*command, str(path))
        # README: exit 1 for a refused bundle, 2 for a refused package
        if file_format == BUNDLE_FORMAT:
            assert code == 1 and "envelope is not a flat JSON object" in message, message
        else:
            assert code == 2 and "The event package is refused: this is not an event " \
                                 "package file" in message, message
        assert "Traceback" not in message and peak_mb < 300, (command, peak_mb)
    assert profile_state(Database(tmp_path / "laptop")) == laptop_before

    store = HqStore(url)
    key = Ed25519PrivateKey.generate()
    device_id = store.enrol(store.create_enrolment_code("李建国"), "laptop",
                            raw_public_key(key)).device_id
    store.close()
    before = database_state(tmp_path / "hq.sqlite3")
    body = '{"records": [' + ",".join(["{}"] * 20_000_000) + "]}"
    path = tmp_path / "signed.bomb"
    path.write_bytes(sign_text(BUNDLE_FORMAT, device_id, body, key))
    code, message, peak_mb = run_measured("hq", "import-bundle", "--db", url, str(path))
    assert code == 1 and "holds more than 2,000,000 values" in message, message
    # Bounded by about three copies of the 57 MB body (the unpacked envelope, the body parsed
    # out of it and the parser's buffer, then the bytes the signature is checked over) on top
    # of the command itself (132 MB measured: `hq import-bundle` of a tiny file). Unchecked,
    # the same file took 5.3 GB.
    assert "Traceback" not in message and peak_mb < SIGNED_BOMB_PEAK_MB, peak_mb
    assert database_state(tmp_path / "hq.sqlite3") == before

"""Scoring rules that travel in HQ's event package (issue 13): HQ publishes a version the
program does not ship (``hq publish-rules``), the package carries it, the laptop scores the
event's draft with it, signs with it and rebuilds the signed report with it after a restart;
malformed rules files and forged packages are refused and change nothing."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader
from sqlalchemy import func, select

from app.evaluation import rules as rules_module
from app.evaluation.report import EvaluationService
from app.evaluation.rules import (
    MAX_RULES_BYTES,
    RulesDocumentError,
    load_rules,
    rules_document,
    shipped_documents,
)
from app.evaluation.rules_store import event_rules_version, rules_for
from app.evaluation.signing import create_self_signed_p12, load_signer
from app.hq.models import PublishedScoringRules
from app.hq.published_rules import package_rules, publish_rules, rules_in_force
from app.hq.store import HqStore
from app.inspection.workbench import Workbench
from app.profile.db import Database
from app.profile.models import Event, EventScoring, Guard, ScoringRulesDocument
from app.sync.download import PackageDownload
from app.sync.protocol import HQ_SIGNER, PACKAGE_FORMAT, Record, read_signed, write_signed
from app.sync.state import SyncError
from tests.helpers.evaluation import POST_1, build_hand_case
from tests.helpers.hq_process import last_json, run_app
from tests.test_trust_files import enrol_in_process

PASSPHRASE = b"correct horse battery staple"
V3_TITLE = "大型活动安保服务综合考评计分规则（2027年修订）"
V3_PASS = "基本合格"


def version_3() -> dict[str, Any]:
    """scoring_v2.json as HQ would issue it as version 3: a post found absent costs 9 points
    instead of 6, the title and the word for 合格 change; the weights stay valid."""
    document = copy.deepcopy(shipped_documents()[2])
    document["version"] = 3
    document["changes"] = "v3: a post found absent costs 9 points"
    document["title"]["zh_CN"] = V3_TITLE
    document["post"]["statuses"]["absent"]["points"] = 9
    next(g for g in document["grades"] if g["code"] == "pass")["label"]["zh_CN"] = V3_PASS
    return document


def as_bytes(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@pytest.fixture(autouse=True)
def forget_received_rules() -> Any:
    """Each test starts as a fresh process would: no version read from a profile yet."""
    rules_module._received.clear()
    yield
    rules_module._received.clear()


@pytest.fixture
def hq(tmp_path: Path) -> Any:
    """HQ (in process) holding the small hand-made event of tests/helpers/evaluation.py."""
    source = Database(tmp_path / "source")
    event_id = build_hand_case(Workbench(source)).event_id
    store = HqStore(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    store.add_event_from_profile(source, event_id)
    source.close()
    yield store, event_id
    store.close()


def laptop_of(store: HqStore, folder: Path) -> Database:
    db = Database(folder)
    enrol_in_process(store, db)
    return db


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {model.__tablename__: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for model in (ScoringRulesDocument, EventScoring, Event, Guard)}


def published_rows(store: HqStore) -> list[tuple[int, str]]:
    with store.db.Session() as s:
        return [(r.version, r.sha256) for r in s.scalars(select(PublishedScoringRules))]


def resigned(store: HqStore, package: bytes, change: Any) -> bytes:
    """The package with its body changed and signed again with the test HQ's own key (a
    forgery only an HQ key holder could make, or HQ's own mistake)."""
    _signer, body = read_signed(package, PACKAGE_FORMAT, lambda _s: store.package_public_key())
    change(body)
    return write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, store.package_key())


# ------------------------------------------------------------------ the whole way
def test_a_version_hq_publishes_scores_signs_and_rebuilds_on_the_laptop(
        hq: tuple[HqStore, str], tmp_path: Path) -> None:
    store, event_id = hq
    assert package_rules(store.db)["version"] == 2  # nothing published: the newest shipped
    published = publish_rules(store.db, as_bytes(version_3()))
    assert published["version"] == 3 and published["published"] is True
    assert rules_in_force(store.db)["packages_use"] == 3
    assert [v["version"] for v in rules_in_force(store.db)["versions"]] == [1, 2, 3]

    laptop = laptop_of(store, tmp_path / "laptop")
    PackageDownload(laptop).import_package_bytes(store.event_package(event_id))
    assert event_rules_version(laptop, event_id) == 3
    with laptop.read() as s:
        stored = s.get(ScoringRulesDocument, 3)
        assert stored is not None and stored.sha256 == published["sha256"]
    assert rules_for(laptop, 3).post_points["absent"] == 9

    workbench = Workbench(laptop)
    post = next(p for p in workbench.posts(event_id) if p.name == POST_1)
    workbench.set_post_status(event_id, post.id, "absent", 0, "无人在岗")
    service = EvaluationService(laptop)
    draft = service.draft(event_id)
    report = service.build_report(draft.id)
    assert report.rules_version == 3 and report.rules_title == V3_TITLE
    posts_penalty = next(p for p in report.score.penalties if p.code == "post")
    assert posts_penalty.deducted == 9.0  # v2 would take 6
    assert report.score.total == 91.0

    p12 = create_self_signed_p12(tmp_path / "li.p12", "李建国", PASSPHRASE, key_type="ec")
    from app.demo import demo_signature_png

    signed = service.sign(draft.id, demo_signature_png(), load_signer(p12, PASSPHRASE))
    assert signed.rules_version == 3 and signed.score_total == 91.0
    digest = signed.content_sha256
    laptop.close()

    rules_module._received.clear()  # a restart: nothing read from the profile yet
    with pytest.raises(LookupError):
        load_rules(3)
    reopened = Database(tmp_path / "laptop")
    again = EvaluationService(reopened).build_report(signed.id)
    assert again.rules_version == 3 and again.content_sha256 == digest
    assert next(p for p in again.score.penalties if p.code == "post").deducted == 9.0
    pdf = EvaluationService(reopened).preview_pdf(signed.id)  # the PDF's sections find v3
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "计分规则第3版" in text.replace(" ", "")  # printed on the form
    reopened.close()


def test_a_package_without_rules_or_with_a_lower_version_keeps_what_the_laptop_has(
        hq: tuple[HqStore, str], tmp_path: Path) -> None:
    store, event_id = hq
    laptop = laptop_of(store, tmp_path / "laptop")
    older_hq = resigned(store, store.event_package(event_id),
                        lambda body: body.pop("scoring_rules"))
    PackageDownload(laptop).import_package_bytes(older_hq)  # an HQ of the version before
    assert event_rules_version(laptop, event_id) is None
    draft = EvaluationService(laptop).draft(event_id)
    assert EvaluationService(laptop).build_report(draft.id).rules_version == 2

    publish_rules(store.db, as_bytes(version_3()))
    PackageDownload(laptop).import_package_bytes(store.event_package(event_id))
    assert event_rules_version(laptop, event_id) == 3
    shipped_2 = resigned(store, store.event_package(event_id), lambda body: body.update(
        scoring_rules={"version": 2, "document": shipped_documents()[2]}))
    PackageDownload(laptop).import_package_bytes(shipped_2)
    assert event_rules_version(laptop, event_id) == 3  # a lower version replaces nothing
    assert counts(laptop)["scoring_rules_document"] == 1
    assert EvaluationService(laptop).build_report(draft.id).rules_version == 3
    laptop.close()


# ------------------------------------------------------------------ hostile: publish-rules
def _bad_weights(document: dict[str, Any]) -> None:
    document["grades"][3]["min"] = 10  # totals under 10 would have no grade


def _cap_over_total(document: dict[str, Any]) -> None:
    document["staffing"]["cap"] = 130


def _corrected_heavier(document: dict[str, Any]) -> None:
    document["checklist"]["multiplier"]["corrected"] = 1.0
    document["checklist"]["multiplier"]["not_corrected"] = 0.5


def _grades_out_of_order(document: dict[str, Any]) -> None:
    document["grades"][0]["min"], document["grades"][1]["min"] = 80, 90


def _changed(change: Any) -> Any:
    def make() -> bytes:
        document = version_3()
        change(document)
        return as_bytes(document)
    return make


BAD_FILES: dict[str, tuple[Any, str]] = {
    "malformed JSON": (lambda: b'{"rules_id": "scoring", "version": 3,', "not JSON"),
    "not UTF-8": (lambda: as_bytes(version_3()).replace("修订".encode(), b"\xff\xfe"),
                  "not JSON"),
    "a list": (lambda: b"[1, 2, 3]", "must be an object"),
    "total as text": (_changed(lambda d: d.update(total="100")), "total must be a number"),
    "points as text": (_changed(lambda d: d["post"]["statuses"]["absent"].update(points="9")),
                       "post.statuses.absent.points must be a number"),
    "a label that is a number": (_changed(lambda d: d["title"].update(zh_CN=7)),
                                 "title.zh_CN must be text"),
    "an unknown staffing item": (_changed(lambda d: d["staffing"]["items"].update(
        {"staffing.made_up": {"points": 1, "label": {"zh_CN": "x", "en": "x"}}})),
        "staffing.made_up"),
    "a key the rules do not have": (_changed(lambda d: d.update(bonus=5)), "bonus"),
    "grades that leave totals without a grade": (_changed(_bad_weights), "must start at 0"),
    "grades out of order": (_changed(_grades_out_of_order), "grades must list the bands"),
    "a cap above the total": (_changed(_cap_over_total), "staffing.cap must be a number"),
    "a corrected finding heavier": (_changed(_corrected_heavier), "must not weigh more"),
    "version 0": (_changed(lambda d: d.update(version=0)), "positive whole number"),
    "version -3": (_changed(lambda d: d.update(version=-3)), "positive whole number"),
    "version 3.5": (_changed(lambda d: d.update(version=3.5)), "positive whole number"),
    "version as text": (_changed(lambda d: d.update(version="3")), "positive whole number"),
    "version true": (_changed(lambda d: d.update(version=True)), "positive whole number"),
    "a file over 256 KB": (lambda: as_bytes(version_3()) + b" " * MAX_RULES_BYTES,
                           "larger than 256 KB"),
    "deeply nested": (lambda: b'{"rules_id": "scoring", "version": 3, "labels": '
                      + b"[" * 100_000 + b"]" * 100_000 + b"}", "not JSON"),
    "shipped version 2 with other content": (
        _changed(lambda d: d.update(version=2)), "version 2 is a version this program ships"),
}


def run_hq(*args: str) -> int:
    from app.cli.main import main

    return main(["hq", *args])


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_publish_rules_refuses_a_bad_file_and_stores_nothing(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, words = BAD_FILES[case]
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    good = tmp_path / "v4.json"
    document = version_3()
    document["version"] = 4
    good.write_bytes(as_bytes(document))
    assert run_hq("publish-rules", "--db", url, str(good)) == 0
    capsys.readouterr()
    store = HqStore(url)
    before = (published_rows(store), rules_in_force(store.db))
    store.close()

    bad = tmp_path / "bad.json"
    bad.write_bytes(make())
    assert run_hq("publish-rules", "--db", url, str(bad)) == 2
    out = capsys.readouterr()
    assert words in out.err and "refused" in out.err and out.out == ""
    store = HqStore(url)
    assert (published_rows(store), rules_in_force(store.db)) == before
    store.close()


def test_publish_rules_is_idempotent_and_refuses_other_content_under_a_published_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    path = tmp_path / "v3.json"
    path.write_bytes(as_bytes(version_3()))
    assert run_hq("publish-rules", "--db", url, str(path)) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["version"] == 3 and len(first["sha256"]) == 64
    # the same content again (keys in another order, other spacing): nothing new
    path.write_text(json.dumps(dict(reversed(list(version_3().items()))), indent=4),
                    encoding="utf-8")
    assert run_hq("publish-rules", "--db", url, str(path)) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["sha256"] == first["sha256"] and again["published"] is False
    shipped = tmp_path / "v2.json"
    shipped.write_bytes(as_bytes(shipped_documents()[2]))
    assert run_hq("publish-rules", "--db", url, str(shipped)) == 0  # the shipped one itself

    other = version_3()
    other["post"]["statuses"]["absent"]["points"] = 10
    path.write_bytes(as_bytes(other))
    assert run_hq("publish-rules", "--db", url, str(path)) == 2
    assert "version 3 was published already with other content" in capsys.readouterr().err
    assert run_hq("rules", "--db", url) == 0
    listing = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert listing["packages_use"] == 3
    assert [(v["version"], v["source"]) for v in listing["versions"]] == [
        (1, "shipped"), (2, "shipped"), (3, "published")]
    assert listing["versions"][2]["sha256"] == first["sha256"]


@pytest.mark.slow
def test_the_command_forms(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    path = tmp_path / "v3.json"
    path.write_bytes(as_bytes(version_3()))
    printed = last_json(run_app("hq", "publish-rules", "--db", url, str(path)).stdout)
    assert printed["version"] == 3
    listing = last_json(run_app("hq", "rules", "--db", url).stdout)
    assert listing["packages_use"] == 3
    path.write_bytes(b"{}")
    refused = run_app("hq", "publish-rules", "--db", url, str(path), check=False)
    assert refused.returncode == 2 and "rules_id is missing" in refused.stderr


def test_the_shipped_files_pass_the_check_hq_and_the_laptop_run() -> None:
    for version, document in shipped_documents().items():
        assert rules_document(document) == load_rules(version)
    with pytest.raises(RulesDocumentError, match="must be an object"):
        rules_document("scoring")


# ------------------------------------------------------------------ hostile: the package
def _scoring(value: object) -> Any:
    return lambda body: body.update(scoring_rules=value)


def _v3_with(change: Any) -> dict[str, Any]:
    document = version_3()
    change(document)
    return document


FORGED: dict[str, tuple[Any, str]] = {
    "not an object": (_scoring("v3"), "not a version and a document"),
    "a key too many": (_scoring({"version": 3, "document": version_3(), "x": 1}),
                       "not a version and a document"),
    "version as text": (_scoring({"version": "3", "document": version_3()}),
                        "positive whole number"),
    "version 0": (_scoring({"version": 0, "document": version_3()}), "positive whole number"),
    "version and document disagree": (_scoring({"version": 4, "document": version_3()}),
                                      "says version 4, its document version 3"),
    "weights that do not add up": (_scoring({"version": 3, "document": _v3_with(
        _bad_weights)}), "must start at 0"),
    "a wrong type": (_scoring({"version": 3, "document": _v3_with(
        lambda d: d.update(total=[100]))}), "total must be a number"),
    "shipped version 2 changed": (_scoring({"version": 2, "document": _v3_with(
        lambda d: d.update(version=2))}), "differs from the version 2 this program ships"),
    "version 3 with other content": (_scoring({"version": 3, "document": _v3_with(
        lambda d: d["post"]["statuses"]["absent"].update(points=1))}),
        "differs from the version 3 this laptop received before"),
}


@pytest.mark.parametrize("case", list(FORGED))
def test_a_package_with_forged_or_malformed_rules_is_refused_and_changes_nothing(
        case: str, hq: tuple[HqStore, str], tmp_path: Path) -> None:
    store, event_id = hq
    publish_rules(store.db, as_bytes(version_3()))
    laptop = laptop_of(store, tmp_path / "laptop")
    package = store.event_package(event_id)
    PackageDownload(laptop).import_package_bytes(package)
    before = counts(laptop)
    assert before["scoring_rules_document"] == 1 and before["event_scoring"] == 1

    change, words = FORGED[case]

    def and_a_guard_renamed(body: dict[str, Any]) -> None:
        change(body)  # and a change to a record, which the refusal keeps out as well
        guard = next(r for r in body["records"] if r["kind"] == "guard")
        guard["payload"]["name"] = "改名"
        guard["hash"] = Record.of("guard", guard["payload"]).hash

    forged = resigned(store, package, and_a_guard_renamed)
    with pytest.raises(SyncError, match="refused") as refused:
        PackageDownload(laptop).import_package_bytes(forged)
    assert words in str(refused.value)
    assert counts(laptop) == before
    assert event_rules_version(laptop, event_id) == 3
    with laptop.read() as s:
        stored = s.get(ScoringRulesDocument, 3)
        assert stored is not None and json.loads(stored.document) == version_3()
        assert s.scalar(select(func.count()).where(Guard.name == "改名")) == 0
    laptop.close()


def test_a_package_that_forges_rules_for_a_new_event_leaves_no_event_behind(
        hq: tuple[HqStore, str], tmp_path: Path) -> None:
    store, event_id = hq
    laptop = laptop_of(store, tmp_path / "laptop")
    before = counts(laptop)
    forged = resigned(store, store.event_package(event_id), _scoring(
        {"version": 3, "document": _v3_with(_corrected_heavier)}))
    with pytest.raises(SyncError, match="must not weigh more"):
        PackageDownload(laptop).import_package_bytes(forged)
    assert counts(laptop) == before == {"scoring_rules_document": 0, "event_scoring": 0,
                                        "event": 0, "guard": 0}
    other = Ed25519PrivateKey.generate()  # and one signed by a stranger: refused as ever
    _signer, body = read_signed(store.event_package(event_id), PACKAGE_FORMAT,
                                lambda _s: store.package_public_key())
    with pytest.raises(SyncError):
        PackageDownload(laptop).import_package_bytes(
            write_signed(PACKAGE_FORMAT, HQ_SIGNER, body, other))
    assert counts(laptop) == before
    laptop.close()


@pytest.mark.parametrize("leave_out", ["charged_to", "staffing.not_trained"])
def test_published_rules_must_say_who_is_charged_and_score_every_staffing_finding(
        leave_out: str) -> None:
    """Without charged_to a version would charge the lender for a borrowed guard again (the
    behaviour of version 1); without a staffing finding it would score that finding 0."""
    import json

    from app.evaluation.rules import RulesDocumentError, rules_document
    from app.resources import templates_dir

    document = json.loads((templates_dir() / "scoring_v2.json").read_text("utf-8"))
    document["version"] = 9
    if leave_out == "charged_to":
        del document["staffing"]["charged_to"]
    else:
        del document["staffing"]["items"][leave_out]
    with pytest.raises(RulesDocumentError, match="missing"):
        rules_document(document)

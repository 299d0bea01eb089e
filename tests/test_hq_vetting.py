"""Vetting owned by the police, end to end (issue 14): HQ staff mark a guard's background
check failed and revoke another guard's certificate through the JSON API; the laptop pulls
the event; scanning those guards gives the verdicts of HQ's data."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import demo_badge
from app.hq import audit
from app.hq.models import Vetting
from app.hq.server import create_app
from app.hq.store import HqStore
from app.inspection.domain import Verdict
from app.inspection.workbench import Workbench
from tests.test_document_numbers import hq, laptop  # noqa: F401 - the in-process HQ

STAFF = ("staff-wang", "staff password 1")


def staff_vetted(s: Session) -> int:
    """How many people HQ staff vetted (HQ's demo records its own guards' vetting)."""
    return s.scalar(select(func.count()).select_from(Vetting)
                    .where(Vetting.updated_by != "demo")) or 0


def test_hqs_vetting_and_revocation_reach_the_laptops_verdicts(
        hq: HqStore, tmp_path: Path) -> None:  # noqa: F811
    hq.accounts.add(STAFF[0], "staff", STAFF[1], "test")
    hq.accounts.add("viewer-zhao", "viewer", "viewer password 1", "test")
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    workbench = Workbench(db)
    event = workbench.event(event_id)
    assert event.company is not None
    cleared = [g for g in workbench.guards(event_id)
               if g.background_check == "passed" and g.trained and g.post_id
               and g.company_name == event.company.name]
    failing, revoked = cleared[0], cleared[1]
    licence = event.company.licence_no

    def verdict(guard_id: str) -> Verdict:
        guard = next(g for g in workbench.guards(event_id) if g.id == guard_id)
        return workbench.lookup(event_id, demo_badge(guard, licence), guard.post_id).verdict

    assert verdict(failing.id) == verdict(revoked.id) == Verdict.ASSIGNED_HERE

    with TestClient(create_app(hq)) as client:
        refused = client.put(f"/api/v1/vetting/{failing.cert_no}",
                             auth=("viewer-zhao", "viewer password 1"),
                             json={"background": "failed", "trained": True})
        assert refused.status_code == 403
        with hq.Session() as s:
            assert staff_vetted(s) == 0
        vetted = client.put(f"/api/v1/vetting/{failing.cert_no}", auth=STAFF,
                            json={"background": "failed", "trained": True,
                                  "note": "直系亲属有涉案记录（扩展审查）"})
        assert vetted.status_code == 200 and vetted.json()["event_rows"] == 1
        for bad in ({"background": "unknown", "trained": True},
                    {"background": "failed", "trained": "yes"},  # true or false only
                    {"background": "failed", "trained": 1},
                    {"background": "failed", "trained": True, "note": "复查\u202e"}):
            assert client.put(f"/api/v1/vetting/{revoked.cert_no}", auth=STAFF,
                              json=bad).status_code == 400, bad
        with hq.Session() as s:  # only the one good change stored
            assert staff_vetted(s) == 1
        assert client.post("/api/v1/revocations", auth=STAFF, json={
            "cert_no": revoked.cert_no, "reason": "证件遗失"}).status_code == 201

    service.pull_event(event_id)
    assert verdict(failing.id) == Verdict.BACKGROUND_FAILED
    assert verdict(revoked.id) == Verdict.BADGE_INVALID
    pulled = next(g for g in workbench.guards(event_id) if g.id == failing.id)
    assert pulled.background_check == "failed"
    # The company's roster said passed: the laptop keeps it as the claim, beside HQ's result.
    scan = workbench.lookup(event_id, demo_badge(pulled, licence), pulled.post_id)
    assert scan.guard is not None and scan.guard.background_check == "failed"
    assert (scan.guard.claimed_background_check, scan.guard.claimed_trained) == ("passed", True)
    assert scan.guard.claim_differs
    actions = [(e["actor"], e["action"]) for e in audit.entries(hq.db)][:2]
    assert actions == [(STAFF[0], "certificate.revoke"), (STAFF[0], "vetting.set")]
    assert audit.verify_chain(hq.db) is None
    db.close()


def test_a_guard_vetted_before_the_event_is_prepared_carries_hqs_result(
        hq: HqStore) -> None:  # noqa: F811
    """The roster's own column is the company's claim: HQ's vetting, recorded first, is what
    the prepared event and its package say."""
    import json as json_module

    from app.demo_data import demo_roster
    from app.hq.vetting import set_vetting
    from app.inspection.identity import cert_key
    from app.sync.protocol import PACKAGE_FORMAT, read_signed

    report, _unstaffed = demo_roster()
    row = next(r for r in report.rows if r.background_check == "passed" and r.trained)
    set_vetting(hq.db, "staff-wang", row.cert_no, "pending", False, "亲属背景复查中")
    event_id = hq.add_demo_event()
    _signer, body = read_signed(hq.event_package(event_id), PACKAGE_FORMAT,
                                lambda _signer: hq.package_public_key())
    [guard] = [r for r in body["records"] if r["kind"] == "guard"
               and r["payload"]["cert_key"] == cert_key(row.cert_no)]
    assert (guard["payload"]["background_check"], guard["payload"]["trained"]) == (
        "pending", False)
    assert json_module.dumps(guard["payload"])  # a record the laptop can hash and apply


def test_hq_black_lists_a_company_and_the_laptop_learns_it_at_its_next_pull(
        hq: HqStore, tmp_path: Path) -> None:  # noqa: F811
    from app.demo_data import DEMO_COMPANY_LICENCE, MAIN_COMPANY
    from app.hq.models import CompanyRegisterEntry

    hq.accounts.add(STAFF[0], "staff", STAFF[1], "test")
    hq.accounts.add("viewer-zhao", "viewer", "viewer password 1", "test")
    event_id = hq.add_demo_event()
    db, service = laptop(hq, tmp_path / "laptop", event_id)
    body = {"credit_grade": "C", "list": "black", "reason": "转包安保勤务（考评附件3第7项）"}
    with TestClient(create_app(hq)) as client:
        assert client.put(f"/api/v1/companies/{DEMO_COMPANY_LICENCE}",
                          auth=("viewer-zhao", "viewer password 1"), json=body
                          ).status_code == 403
        for bad in ({**body, "list": "grey"}, {**body, "reason": ""},
                    {"credit_grade": "C", "reason": "x"}, {**body, "credit_grade": "A" * 30}):
            assert client.put(f"/api/v1/companies/{DEMO_COMPANY_LICENCE}", auth=STAFF,
                              json=bad).status_code == 400, bad
        assert client.put("/api/v1/companies/辽公保服00000000", auth=STAFF,
                          json=body).status_code == 404
        with hq.Session() as s:
            assert s.get(CompanyRegisterEntry, DEMO_COMPANY_LICENCE) is None
        answer = client.put(f"/api/v1/companies/{DEMO_COMPANY_LICENCE}", auth=STAFF,
                            json=body)
        assert answer.status_code == 200
        assert answer.json()["list"] == "black" and answer.json()["since"]
        companies = client.get("/api/v1/companies", auth=("viewer-zhao", "viewer password 1"))
        [listed] = [c for c in companies.json()["companies"] if c["name"] == MAIN_COMPANY]
        assert listed["credit_grade"] == "C" and listed["blacklisted"] is True
    service.pull_event(event_id)
    company = Workbench(db).event(event_id).company
    assert company is not None
    assert (company.credit_grade, company.blacklisted) == ("C", True)
    [entry] = [e for e in audit.entries(hq.db) if e["action"] == "company.set"]
    assert entry["actor"] == STAFF[0] and entry["after"]["list"] == "black"
    assert entry["before"] == {"credit_grade": "A", "list": None}
    db.close()


def test_vetting_is_imported_from_a_file_all_or_none(hq: HqStore, tmp_path: Path,  # noqa: F811
                                                    capsys) -> None:
    """`hq vetting-import FILE.csv`: HQ's results for many people at once; one bad line and
    nothing is stored."""
    from app.demo_data import demo_roster
    from app.inspection.identity import cert_key
    from tests.test_hq_accounts import hq_command

    event_id = hq.add_demo_event()
    rows = [r for r in demo_roster()[0].rows if r.background_check == "passed"][:3]
    good = "cert_no,background,trained,note\n" + "".join(
        f"{r.cert_no},{state},{trained},复查\n"
        for r, state, trained in zip(rows, ("failed", "pending", "cleared"),
                                     ("yes", "是", "no"), strict=True))
    bad = good + "辽000000000000,maybe,yes,\n"
    path = tmp_path / "vetting.csv"
    for content, expected in ((bad, 1), (b"\xff\xfe", 1), ("name,x\n", 1)):
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        code, _ = hq_command(hq, tmp_path, "vetting-import", str(path))
        assert code == expected
        assert capsys.readouterr().err.strip()
        with hq.Session() as s:
            assert staff_vetted(s) == 0
    path.write_text(good, encoding="utf-8")
    code, shown = hq_command(hq, tmp_path, "vetting-import", str(path))
    assert code == 0 and shown == {"people": 3, "event_rows": 3}
    with hq.Session() as s:
        stored = {v.cert_key: (v.background, v.trained) for v in s.scalars(
            select(Vetting).where(Vetting.updated_by != "demo"))}
    assert stored == {cert_key(rows[0].cert_no): ("failed", True),
                      cert_key(rows[1].cert_no): ("pending", True),
                      cert_key(rows[2].cert_no): ("passed", False)}
    assert event_id

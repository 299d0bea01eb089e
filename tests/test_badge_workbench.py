"""Signed badges at the venue: the profile's trust and revocation lists, and the verdicts the
workbench gives for signed, forged, revoked, expired and legacy badges and for post labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.badge.payload import post_payload
from app.badge.trust_lists import TrustListError, write_trust_list
from app.badge.trust_store import import_revocations, import_trust_list
from app.badge.verify import BadgeVerdict
from app.inspection.domain import Verdict
from app.inspection.roster import RosterReport, RosterRow
from app.inspection.values import EventInput
from app.inspection.workbench import Workbench
from app.profile.models import Finding, Inspection, RevokedCertificate, TrustedIssuer
from tests.helpers.badges import COMPANY, KEY, KID, OTHER_KEY, TODAY, issuer, signed, valid_id

CERT = "辽334107653877"
OTHER_COMPANY = "锦州恒安保安服务有限公司"
POST = "A区1号安检口"


@pytest.fixture
def event_id(workbench: Workbench, tmp_path: Path) -> str:
    workbench.today = lambda: TODAY
    event_id = workbench.save_event(EventInput(name="签名证件测试", company_name=COMPANY))
    report = RosterReport(source="test", main_company=COMPANY)
    for row, (cert, name) in enumerate(((CERT, "杜英"), ("辽100000000002", "赵秀杰")), 3):
        report.rows.append(RosterRow(
            row=row, name=name, gender="男", id_number=valid_id(row), cert_no=cert,
            company=COMPANY, post=POST, task_type="安检", phone="", background_check="passed",
            trained=True))
    workbench.import_roster(event_id, report)
    trust = tmp_path / "trust.json"
    write_trust_list(trust, [issuer()])
    assert import_trust_list(workbench.db, trust) == 1
    workbench.trust.reload()
    return event_id


def post_id(workbench: Workbench, event_id: str) -> str:
    return next(p.id for p in workbench.posts(event_id) if p.name == POST)


def test_valid_signed_badge_is_verified_and_assigned(workbench, event_id):
    scan = workbench.lookup(event_id, signed(), post_id(workbench, event_id))
    assert scan.badge is not None and scan.badge.verdict == BadgeVerdict.VALID
    assert scan.verdict == Verdict.ASSIGNED_HERE
    assert scan.guard is not None and scan.guard.cert_no == CERT
    inspection = workbench.record_scan(event_id, scan)
    with workbench.db.read() as s:
        row = s.get(Inspection, inspection.id)
        assert (row.verdict, row.badge_verdict) == ("assigned_here", "VALID")
        assert row.scanned_text == signed()  # the whole payload is kept as evidence


@pytest.mark.parametrize(("make_text", "badge_verdict"), [
    (lambda: signed()[:-6] + ("A" if signed()[-6] != "A" else "B") + signed()[-5:],
     BadgeVerdict.BAD_SIGNATURE),
    (lambda: signed(OTHER_KEY), BadgeVerdict.UNKNOWN_ISSUER),
    (lambda: signed(expires_on=date(2025, 5, 1)), BadgeVerdict.EXPIRED),
    (lambda: signed(issued_on=date(2025, 7, 1)), BadgeVerdict.NOT_YET_VALID),
    (lambda: "VS1" + "A" * 40, BadgeVerdict.MALFORMED),
])
def test_invalid_badges_are_findings(workbench, event_id, make_text, badge_verdict):
    scan = workbench.lookup(event_id, make_text(), post_id(workbench, event_id))
    assert scan.badge is not None and scan.badge.verdict == badge_verdict
    assert scan.verdict == Verdict.BADGE_INVALID
    inspection = workbench.record_scan(event_id, scan)
    with workbench.db.read() as s:
        finding = s.scalar(select(Finding).where(Finding.inspection_id == inspection.id))
        assert finding is not None and finding.item_code == "staffing.badge_invalid"
        assert s.get(Inspection, inspection.id).badge_verdict == str(badge_verdict)


def test_revocation_list_revokes_certificates_and_issuers(workbench, event_id, tmp_path):
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(f"# 市局吊销列表\n{CERT}\n", encoding="utf-8")
    assert import_revocations(workbench.db, revoked) == (1, 0)
    workbench.trust.reload()
    scan = workbench.lookup(event_id, signed(), None)
    assert (scan.verdict, scan.badge.verdict) == (Verdict.BADGE_INVALID, BadgeVerdict.REVOKED)
    # the same certificate on a plain legacy badge is revoked too
    assert workbench.lookup(event_id, "334107653877", None).badge.verdict == "REVOKED"
    # a new list replaces the old one: the certificate is back, the issuer key is revoked
    revoked.write_text(f"ISSUER {KID}\n", encoding="utf-8")
    assert import_revocations(workbench.db, revoked) == (0, 1)
    workbench.trust.reload()
    assert workbench.lookup(event_id, signed(), None).badge.verdict == "REVOKED"
    assert workbench.trust.summary().revoked_certificates == 0


def test_badge_of_another_company_outranks_the_roster(workbench, event_id):
    scan = workbench.lookup(event_id, signed(company=OTHER_COMPANY),
                            post_id(workbench, event_id))
    assert scan.badge.verdict == BadgeVerdict.VALID
    assert scan.verdict == Verdict.OTHER_COMPANY


def test_valid_badge_not_on_roster_still_shows_who(workbench, event_id):
    scan = workbench.lookup(event_id, signed(cert_no="辽999999999999", name="外借人员"), None)
    assert scan.verdict == Verdict.NOT_ON_ROSTER
    assert scan.badge.payload is not None and scan.badge.payload.name == "外借人员"


def test_legacy_number_is_unverified_but_looked_up(workbench, event_id):
    scan = workbench.lookup(event_id, "334107653877\r\n", post_id(workbench, event_id))
    assert scan.badge.verdict == BadgeVerdict.UNSIGNED_LEGACY
    assert scan.verdict == Verdict.ASSIGNED_HERE


def test_post_label_names_the_post(workbench, event_id):
    scan = workbench.lookup(event_id, post_payload(POST), None)
    assert scan.verdict == Verdict.POST_SCANNED
    assert scan.post is not None and scan.post.name == POST
    unknown = workbench.lookup(event_id, post_payload("Z区99号通道"), None)
    assert unknown.verdict == Verdict.UNREADABLE


def test_broken_trust_list_changes_nothing(workbench, event_id, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "venue-supervisor-trust-list", "version": 1, "issuers": [{',
                      encoding="utf-8")
    with pytest.raises(TrustListError):
        import_trust_list(workbench.db, broken)
    with workbench.db.read() as s:
        assert [row.kid for row in s.scalars(select(TrustedIssuer))] == [KID]


def test_million_revocations_import_and_lookup(workbench, event_id, tmp_path):
    """A million revoked certificates are imported and each is found; a number not listed is
    not. How long it takes is a benchmark's figure (bench/badge.py), not this test's."""
    revoked = tmp_path / "million.txt"
    with revoked.open("w", encoding="utf-8") as out:
        for n in range(1_000_000):
            out.write(f"辽{500000000000 + n}\n")
    assert import_revocations(workbench.db, revoked) == (1_000_000, 0)
    store = workbench.trust
    store.reload()
    hits = sum(store.is_revoked_certificate(str(500000000000 + n)) for n in range(0, 10_000))
    misses = sum(store.is_revoked_certificate(str(400000000000 + n)) for n in range(0, 1000))
    assert (hits, misses) == (10_000, 0)
    with workbench.db.read() as s:
        assert s.get(RevokedCertificate, "500000000042") is not None
    assert store.summary().revoked_certificates == 1_000_000


def test_signed_payload_uses_the_key_under_test() -> None:
    assert signed(KEY).startswith("VS1")


@pytest.mark.slow  # starts a process
def test_lists_import_from_the_command_line(tmp_path):
    import subprocess
    import sys

    from tests.conftest import REPO

    trust = tmp_path / "trust.json"
    write_trust_list(trust, [issuer()])
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(f"# list\n{CERT}\nISSUER 0000ABCD\n", encoding="utf-8")
    profile = tmp_path / "laptop"

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "app", "badge", *args, "--data-dir",
                               str(profile)], cwd=REPO, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run("trust-import", str(trust)) == '{"issuers": 1}'
    assert run("revoked-import", str(revoked)) == (
        '{"revoked_certificates": 1, "revoked_issuers": 1}')
    from app.badge.trust_store import ProfileTrustStore
    from app.profile.db import Database

    db = Database(profile)
    store = ProfileTrustStore(db)
    assert store.issuer(KID) is not None
    assert store.is_revoked_certificate("334107653877")
    assert store.is_revoked_issuer("0000ABCD")
    db.close()
    missing = subprocess.run([sys.executable, "-m", "app", "badge", "trust-import",
                              str(tmp_path / "nope.json"), "--data-dir", str(profile)],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_refused_badges_and_wrong_posts_do_not_count_toward_the_head_count(
        workbench, event_id, tmp_path):
    """A refused badge or a guard of another post is a finding, not a guard on duty."""
    post = post_id(workbench, event_id)

    def head_count() -> int:
        return next(p.inspected_count for p in workbench.posts(event_id) if p.id == post)

    forged = signed()[:-6] + ("A" if signed()[-6] != "A" else "B") + signed()[-5:]
    for text in (forged, signed(OTHER_KEY)):
        scan = workbench.lookup(event_id, text, post)
        assert scan.verdict == Verdict.BADGE_INVALID
        workbench.record_scan(event_id, scan)
    assert head_count() == 0
    revoked = tmp_path / "revoked.txt"
    revoked.write_text(f"{CERT}\n", encoding="utf-8")
    import_revocations(workbench.db, revoked)
    workbench.trust.reload()
    scan = workbench.lookup(event_id, signed(), post)
    assert scan.verdict == Verdict.BADGE_INVALID and scan.guard is not None
    workbench.record_scan(event_id, scan)
    assert head_count() == 0
    other_post = workbench.save_post(event_id, "B区9号通道", "B区", "守卫", 2)
    elsewhere = workbench.lookup(event_id, "辽100000000002", other_post)
    assert elsewhere.verdict == Verdict.ASSIGNED_ELSEWHERE
    workbench.record_scan(event_id, elsewhere)
    assert next(p.inspected_count for p in workbench.posts(event_id)
                if p.id == other_post) == 0
    here = workbench.lookup(event_id, "辽100000000002", post)
    assert here.verdict == Verdict.ASSIGNED_HERE
    workbench.record_scan(event_id, here)
    assert head_count() == 1

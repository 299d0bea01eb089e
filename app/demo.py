"""The built-in demo event: a stadium concert, generated from a fixed seed.

Every person here is synthetic: names drawn from common characters, ID numbers made up with
a valid GB 11643 check digit, certificate and phone numbers random. The roster goes through
the same import as a company's file, so the demo exercises the real path.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.badge import (
    BadgePayload,
    TrustedIssuer,
    encode_payload,
    key_id,
    raw_public_key,
    write_trust_list,
)
from app.checklist import load_template
from app.domain import Verdict
from app.identity import cert_key, id_check_char
from app.qr import make_qr_image
from app.roster import TASK_TYPES, RosterReport, RosterRow
from app.trust_store import import_revocations, import_trust_list
from app.workbench import EventInput, GuardInfo, Workbench

DEMO_SEED = 20261124
DEMO_EVENT_NAME = "2026年市体育中心“星光之夜”演唱会"
MAIN_COMPANY = "辽宁安盾保安服务有限公司"
OTHER_COMPANY = "锦州恒安保安服务有限公司"
ZONES = "ABCDEFGH"
POST_SUFFIX = {"安检": "号安检口", "验票": "号检票口", "巡逻": "号巡逻线", "守卫": "号通道",
               "秩序维护": "号看台"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂玉萍红鹏华飞辉建波宁斌浩凯峰鑫志宇晨欣雪琳婷颖博文"  # noqa: E501
REGIONS = ("211102", "211103", "211104", "211122", "210102", "210203", "210781")


def _person(rng: random.Random) -> tuple[str, str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = datetime(rng.randint(1968, 2004), rng.randint(1, 12), rng.randint(1, 28))
    sequence = rng.randint(0, 999)
    gender = "男" if rng.random() < 0.75 else "女"
    if (sequence % 2 == 1) != (gender == "男"):
        sequence = (sequence + 1) % 1000
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{sequence:03d}"
    return name, gender, first17 + id_check_char(first17)


def demo_roster(seed: int = DEMO_SEED) -> tuple[RosterReport, list[tuple[str, str]]]:
    """About 600 guards of the contracted company over 80 posts, plus a few guards of a
    second company (the subcontracting case); also the 4 posts of the plan left unstaffed."""
    rng = random.Random(seed)
    posts: list[tuple[str, str]] = []
    for zone in ZONES:
        for number, task in enumerate(TASK_TYPES * 2, start=1):
            posts.append((f"{zone}区{number}{POST_SUFFIX[task]}", task))
    unstaffed = set(rng.sample(range(len(posts)), 4))
    staffed = [p for i, p in enumerate(posts) if i not in unstaffed]
    report = RosterReport(source="demo", main_company=MAIN_COMPANY)
    used_certs: set[str] = set()
    row_no = 2
    for index in range(606):
        name, gender, id_number = _person(rng)
        cert = f"辽{rng.randint(10**11, 10**12 - 1)}"
        while cert in used_certs:
            cert = f"辽{rng.randint(10**11, 10**12 - 1)}"
        used_certs.add(cert)
        post, task = staffed[index % len(staffed)]
        company = OTHER_COMPANY if index >= 600 else MAIN_COMPANY
        row_no += 1
        report.rows.append(RosterRow(
            row=row_no, name=name, gender=gender, id_number=id_number, cert_no=cert,
            company=company, post=post, task_type=task,
            phone=f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}",
            background_check="failed" if rng.random() < 0.01 else "passed",
            trained=rng.random() > 0.02))
    return report, [posts[i] for i in sorted(unstaffed)]


# The demo's badges are signed by a key derived from a public string: it proves nothing and
# is named as a demonstration everywhere it appears. Real keys come from `badge keygen`.
DEMO_ISSUER_NAME = "演示签发机关（非真实，仅供演示）"
DEMO_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"venue-supervisor demo issuer, not a real key").digest())
DEMO_BADGE_COUNT = 12


def demo_issuer() -> TrustedIssuer:
    public = raw_public_key(DEMO_KEY)
    return TrustedIssuer(kid=key_id(public), public_key=public, name=DEMO_ISSUER_NAME,
                         valid_from=date(2020, 1, 1), valid_until=date(2099, 12, 31))


def demo_badge(guard: GuardInfo, licence_no: str, today: date | None = None,
               key: Ed25519PrivateKey = DEMO_KEY) -> str:
    """The signed badge text the demo's headquarters would have issued to ``guard``."""
    today = today or date.today()
    return encode_payload(BadgePayload(
        cert_no=guard.cert_no, name=guard.name, company=guard.company_name,
        licence_no=licence_no, issued_on=today - timedelta(days=200),
        expires_on=today + timedelta(days=365), photo_hash=None,
        kid=key_id(raw_public_key(key))), key)


def _demo_trust(workbench: Workbench, event_id: str, guards: list[GuardInfo]) -> None:
    """Trust the demo issuer, revoke one guard's certificate, and leave a few badge pictures
    in the profile (demo-badges/) to try the camera, a photo file or the clipboard with."""
    folder = workbench.db.data_dir / "demo-badges"
    folder.mkdir(exist_ok=True)
    write_trust_list(folder / "trust-list.json", [demo_issuer()])
    import_trust_list(workbench.db, folder / "trust-list.json")
    revoked = guards[-1]
    (folder / "revoked.txt").write_text(
        f"# 演示吊销列表\n{revoked.cert_no}\n", encoding="utf-8")
    import_revocations(workbench.db, folder / "revoked.txt")
    workbench.trust.reload()
    licence = workbench.event(event_id).company
    licence_no = licence.licence_no if licence else ""
    for guard in guards[:DEMO_BADGE_COUNT] + [revoked]:
        make_qr_image(demo_badge(guard, licence_no)).save(folder / f"{cert_key(guard.cert_no)}.png")
    forged = demo_badge(guards[0], licence_no, key=Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"a forger's key").digest()))
    make_qr_image(forged).save(folder / "forged.png")


def create_demo_event(workbench: Workbench, seed: int = DEMO_SEED,
                      with_inspections: bool = True) -> str:
    """Create the demo event in the workbench's profile (once) and return its id."""
    existing = workbench.find_event(DEMO_EVENT_NAME)
    if existing:
        return existing.id
    event_id = workbench.save_event(EventInput(
        name=DEMO_EVENT_NAME, venue="市体育中心体育场", organizer="星光文化传媒有限公司",
        starts_at=datetime(2026, 12, 12, 19, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 12, 22, 30, tzinfo=UTC),
        expected_attendance=42000, venue_capacity=50000, risk_level="high",
        event_kind="commercial", company_name=MAIN_COMPANY,
        company_licence_no="辽公保服20150012", company_credit_grade="A"))
    report, unstaffed_posts = demo_roster(seed)
    workbench.import_roster(event_id, report)
    for post_name, task in unstaffed_posts:
        workbench.save_post(event_id, post_name, "", task, 6)
    guards = [g for g in workbench.guards(event_id) if g.company_name == MAIN_COMPANY]
    _demo_trust(workbench, event_id, guards)
    if with_inspections:
        _demo_inspections(workbench, event_id, random.Random(seed + 1), report)
    workbench._undo.clear()
    return event_id


def _demo_inspections(workbench: Workbench, event_id: str, rng: random.Random,
                      report: RosterReport) -> None:
    """The first hour of a supervisor's round, so the dashboard has something to show."""
    template = load_template()
    posts = {p.name: p for p in workbench.posts(event_id)}
    chosen = rng.sample(report.rows[:600], 36) + report.rows[600:602]
    for row in chosen:
        post = posts[row.post]
        scan = workbench.lookup(event_id, row.cert_no, post.id)
        inspection = workbench.record_scan(event_id, scan)
        items = template.items_for(post.task_type)
        if scan.verdict == Verdict.ASSIGNED_HERE and rng.random() < 0.25:
            item = rng.choice(items)
            workbench.set_item(inspection.id, item, False)
            state = workbench.item_states(inspection.id, (item,))[0]
            workbench.update_finding(
                state.finding_id or "", note="现场指出，已要求整改",
                correction="corrected" if rng.random() < 0.6 else "not_corrected")
        workbench.mark_all_compliant(inspection.id, items)
    absent = [p for p in posts.values() if p.assigned_count == 0][:1]
    for post in absent:
        workbench.set_post_status(event_id, post.id, "absent", 0, "岗位无人")

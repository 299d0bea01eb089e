"""The demo's data, made from a fixed seed and nothing else: its roster of synthetic guards,
its event, its register of companies, its badge issuer and its supervisor.

Apart from app.demo (which builds the demo in a laptop profile) so that headquarters can
prepare the same demo event with its own functions (app.hq.demo_event) without loading the
laptop's workbench.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.badge.payload import key_id, raw_public_key
from app.badge.trust_lists import TrustedIssuer
from app.inspection.identity import id_check_char
from app.inspection.roster import TASK_TYPES, RosterReport, RosterRow

DEMO_SEED = 20261124
# Labelled in its name, so that every screen, list and paper that names it says it is not real.
DEMO_EVENT_NAME = "【演示】2026年市体育中心“星光之夜”演唱会"
MAIN_COMPANY = "辽宁安盾保安服务有限公司"
OTHER_COMPANY = "锦州恒安保安服务有限公司"
ZONES = "ABCDEFGH"
POST_SUFFIX = {"安检": "号安检口", "验票": "号检票口", "巡逻": "号巡逻线", "守卫": "号通道",
               "秩序维护": "号看台"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂玉萍红鹏华飞辉建波宁斌浩凯峰鑫志宇晨欣雪琳婷颖博文"  # noqa: E501

# The demo event as both the laptop's demo and headquarters prepare it.
DEMO_VENUE = "市体育中心体育场"
DEMO_ORGANIZER = "星光文化传媒有限公司"
DEMO_STARTS_AT = datetime(2026, 12, 12, 19, 30, tzinfo=UTC)
DEMO_ENDS_AT = datetime(2026, 12, 12, 22, 30, tzinfo=UTC)
DEMO_EXPECTED_ATTENDANCE = 42000
DEMO_VENUE_CAPACITY = 50000
DEMO_RISK_LEVEL = "high"
DEMO_EVENT_KIND = "commercial"
DEMO_COMPANY_LICENCE = "辽公保服20150012"
DEMO_COMPANY_CREDIT_GRADE = "A"
# The posts of the plan that no guard is fixed to each want this many guards.
DEMO_UNSTAFFED_HEADCOUNT = 6

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

# The demo supervisor who signs the demo's evaluation, with a self-signed identity named as a
# demonstration. Its passphrase is written here only for the identity seed-demo creates
# itself (the demo signs without asking); a real identity's passphrase is never written down.
DEMO_SUPERVISOR = "李建国（演示）"
DEMO_ORGANIZATION = "演示单位（非真实，仅供演示）"
# The issuing unit and document-number prefix the demo's form shows (a supervisor's own
# profile takes them from HQ's package or Settings).
DEMO_UNIT = "演示市公安局治安管理支队（演示）"
DEMO_NUMBER_PREFIX = "演公保考"
DEMO_COMPANY_HEAD = "赵国栋（演示）"  # the company's on-site head, who signs the demo's form
DEMO_PASSPHRASE = b"venue-supervisor-demo"

# What the demo supervisor writes against a finding, by checklist item.
DEMO_NOTES = {
    "uniform.standard": "制服外披便装外套，已要求立即更换",
    "uniform.insignia": "未佩戴保安服务标志",
    "certificate.carried": "未随身携带保安员证，经核对名单后上岗",
    "certificate.matches": "证件照片与本人差异较大，已现场核实身份",
    "grooming.appearance": "精神状态差，已提醒",
    "grooming.posture": "上岗期间低头玩手机",
    "duty.on_post": "脱岗约十分钟，已责令返岗",
    "duty.knows_task": "对应急疏散路线不熟悉",
    "duty.screening.every_person": "入场高峰时未做到人人过检",
    "duty.screening.equipment": "手持金属探测器未开机",
    "duty.screening.prohibited": "查获打火机未登记",
    "duty.ticket.every_ticket": "放行一名无票人员，已追回",
    "duty.ticket.flow": "检票口排队拥挤，未及时疏导",
    "duty.patrol.route": "未按规定路线巡逻",
    "duty.patrol.report": "发现消防通道堆物未及时报告",
    "duty.guard.access": "无证人员进入后台区域未拦阻",
    "duty.guard.exits": "安全出口堆放物品",
    "duty.order.crowd": "散场时看台出口拥挤，疏导不力",
    "duty.order.one_way": "未落实单向通行，观众逆行",
}


# Headquarters' register of security companies for the demo (synthetic): enough of them for
# the seed-001 recommendation of at least three, one black-listed.
DEMO_COMPANY_REGISTER: tuple[tuple[str, str, str, bool], ...] = (
    (OTHER_COMPANY, "辽公保服20170031", "B", False),
    ("沈阳卫安保安服务有限公司", "辽公保服20120007", "AA", False),
    ("大连海盾保安服务有限公司", "辽公保服20160019", "A", False),
    ("鞍山铁卫保安服务有限公司", "辽公保服20180044", "A", False),
    ("营口恒通保安服务有限公司", "辽公保服20190052", "C", True),
)


def demo_issuer() -> TrustedIssuer:
    public = raw_public_key(DEMO_KEY)
    return TrustedIssuer(kid=key_id(public), public_key=public, name=DEMO_ISSUER_NAME,
                         valid_from=date(2020, 1, 1), valid_until=date(2099, 12, 31))

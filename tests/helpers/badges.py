"""Shared by the badge tests: keys, payloads, trust stores and small generated rosters."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import Workbook

from app.badge.payload import BadgePayload, encode_payload, key_id, raw_public_key
from app.badge.trust_lists import MemoryTrustStore, TrustedIssuer
from app.inspection.identity import id_check_char

COMPANY = "盘锦市安盾保安服务有限公司"
LICENCE = "辽公保服20150012"
TODAY = date(2025, 6, 1)
HEADER = ["序号", "姓名", "性别", "身份证号", "保安员证号", "所属公司", "岗位", "岗位类型",
          "联系电话", "背景审查", "岗前培训"]
TASKS = ("安检", "验票", "巡逻", "守卫", "秩序维护")
POST_KINDS = {"安检": "安检口", "验票": "检票口", "巡逻": "巡逻线", "守卫": "通道",
              "秩序维护": "看台"}

# Fixed keys, so that failures are reproducible.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
KID = key_id(raw_public_key(KEY))
OTHER_KID = key_id(raw_public_key(OTHER_KEY))


def issuer(key: Ed25519PrivateKey = KEY, valid_from: date = date(2024, 1, 1),
           valid_until: date = date(2030, 12, 31), name: str = "市局保安管理支队") -> TrustedIssuer:
    public = raw_public_key(key)
    return TrustedIssuer(kid=key_id(public), public_key=public, name=name,
                         valid_from=valid_from, valid_until=valid_until)


def trust_store(revoked: set[str] | None = None, revoked_kids: set[str] | None = None,
                **issuer_args: object) -> MemoryTrustStore:
    return MemoryTrustStore([issuer(**issuer_args)], revoked or set(),  # type: ignore[arg-type]
                            revoked_kids or set())


def payload(key: Ed25519PrivateKey = KEY, **changes: object) -> BadgePayload:
    base = BadgePayload(
        cert_no="辽334107653877", name="杜英", company=COMPANY, licence_no=LICENCE,
        issued_on=date(2025, 1, 1), expires_on=date(2025, 12, 31),
        photo_hash=bytes(range(10)), kid=key_id(raw_public_key(key)))
    return replace(base, **changes)  # type: ignore[arg-type]


def signed(key: Ed25519PrivateKey = KEY, **changes: object) -> str:
    return encode_payload(payload(key, **changes), key)


def raw_of(text: str) -> bytes:
    data = text[3:]
    return base64.b32decode(data + "=" * (-len(data) % 8))


def text_of(raw: bytes) -> str:
    return "VS1" + base64.b32encode(raw).decode("ascii").rstrip("=")


def valid_id(n: int) -> str:
    first17 = f"2111021990{1 + n % 9:02d}{10 + n % 18:02d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def write_roster(path: Path, count: int, company: str = COMPANY,
                 extra_rows: list[list[object]] | None = None) -> Path:
    """A roster as companies send it: a title row, the header, ``count`` valid guards spread
    over a few posts, then ``extra_rows`` as given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["大型活动保安员名单"])
    sheet.append(HEADER)
    for n in range(1, count + 1):
        task = TASKS[n % len(TASKS)]
        post = f"{'ABC'[n % 3]}区{n % 4 + 1}号{POST_KINDS[task]}"
        sheet.append([n, f"保安{n:03d}", "男" if n % 2 else "女", valid_id(n),
                      f"辽{700000000000 + n}", company, post, task, "13912345678", "通过",
                      "已培训"])
    for row in extra_rows or []:
        sheet.append(row)
    workbook.save(path)
    return path

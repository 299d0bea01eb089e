"""Signed badges: format, every verdict from a real case, trust and revocation lists."""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.badge.payload import (
    MAX_BODY_BYTES,
    MAX_PAYLOAD_CHARS,
    BadgeFormatError,
    decode_payload,
    encode_payload,
    is_signed_payload,
    key_id,
    parse_post_payload,
    post_payload,
)
from app.badge.qr import make_qr
from app.badge.trust_lists import (
    MemoryTrustStore,
    RevocationListError,
    TrustListError,
    load_revocations,
    load_trust_list,
    revocation_key,
    write_revocations,
    write_trust_list,
)
from app.badge.verify import BadgeVerdict, verify
from app.inspection.identity import cert_key
from app.inspection.roster import check_roster
from tests.helpers.badges import (
    COMPANY,
    KEY,
    KID,
    LICENCE,
    OTHER_KEY,
    TODAY,
    issuer,
    payload,
    raw_of,
    signed,
    text_of,
    trust_store,
)

V = BadgeVerdict


# --- format --------------------------------------------------------------------------------------


def test_round_trip() -> None:
    original = payload()
    text = encode_payload(original, KEY)
    decoded, signed_bytes, signature = decode_payload(text)
    assert decoded == original
    assert signed_bytes.startswith(b"VS1") and len(signature) == 64
    assert decode_payload(encode_payload(replace(original, photo_hash=None), KEY))[0] == replace(
        original, photo_hash=None)


def test_text_is_only_digits_and_upper_case_letters() -> None:
    text = signed()
    assert re.fullmatch(r"VS1[A-Z2-7]+", text)
    assert re.fullmatch(r"[0-9A-Z]+", text)  # no '=', ':', quotes, lower case, controls
    assert len(text) <= MAX_PAYLOAD_CHARS


def test_the_fixture_rosters_longest_fields_fit_a_version_10_qr(fixture_roster: Path) -> None:
    rows = check_roster(fixture_roster).valid_rows

    def longest(field: str) -> str:
        return max((getattr(row, field) for row in rows), key=lambda v: len(v.encode("gb18030")))

    worst = payload(cert_no=longest("cert_no"), name=longest("name"),
                    company=longest("company"), licence_no="辽公保服字[2015]第0012号")
    text = encode_payload(worst, KEY)
    assert len(text) <= MAX_PAYLOAD_CHARS
    assert make_qr(text).version <= 10


def test_a_body_of_the_full_budget_fits_version_10_and_one_byte_more_does_not() -> None:
    fixed = 1 + 4 + 2 + 2 + 4 + 10  # flags, kid, dates, four length bytes, photo hash
    cert, name = "辽334107653877", "杜英"
    left = MAX_BODY_BYTES - fixed - len(cert.encode("gb18030")) - len(name.encode("gb18030"))
    company = "安" * (left // 2) + "A" * (left % 2)
    text = encode_payload(payload(cert_no=cert, name=name, company=company, licence_no=""), KEY)
    assert len(text) <= MAX_PAYLOAD_CHARS
    assert make_qr(text).version == 10
    with pytest.raises(ValueError, match="version-10 QR code"):
        encode_payload(payload(cert_no=cert, name=name, company=company + "A", licence_no=""),
                       KEY)


def test_a_very_long_company_name_is_a_clear_error() -> None:
    long_company = ("中华人民共和国辽宁省盘锦市兴隆台区"
                    "某某国际安全保卫服务集团有限责任公司") * 3
    with pytest.raises(ValueError, match="shorten the company name"):
        signed(company=long_company)


@pytest.mark.parametrize("changes, message", [
    ({"cert_no": "辽"}, "no digits or letters"),
    ({"name": ""}, "name is empty"),
    ({"company": ""}, "company is empty"),
    ({"name": "杜\u202e英"}, "control characters"),
    ({"photo_hash": b"short"}, "photo_hash"),
    ({"issued_on": date(2019, 12, 31)}, "issued_on"),
    ({"expires_on": date(2024, 1, 1)}, "before issued_on"),
    ({"kid": "00000000"}, "signing key"),
])
def test_encode_refuses_what_cannot_be_a_badge(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        signed(**changes)


def test_key_id_is_eight_hex_digits_of_the_public_keys_hash() -> None:
    assert re.fullmatch(r"[0-9A-F]{8}", KID)
    with pytest.raises(ValueError):
        key_id(b"short")


def test_decode_rejects_trailing_bytes_and_unknown_flags() -> None:
    raw = raw_of(signed())
    with pytest.raises(BadgeFormatError, match="unexpected bytes"):
        body = raw[:-64] + b"\x00"
        decode_payload(text_of(body + raw[-64:]))
    with pytest.raises(BadgeFormatError, match="unknown flags"):
        decode_payload(text_of(bytes([raw[0] | 0x80]) + raw[1:]))
    with pytest.raises(BadgeFormatError, match="canonical"):
        text = signed()
        last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(text[-1])
        decode_payload(text[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last ^ 1])


# --- verdicts, each from a real case -------------------------------------------------------------


def test_valid() -> None:
    check = verify(signed(), trust_store(), TODAY)
    assert check.verdict == V.VALID
    assert check.cert_no == "辽334107653877"
    assert check.payload is not None and check.payload.company == COMPANY
    assert check.payload.licence_no == LICENCE


@pytest.mark.parametrize("wrap", [
    lambda t: t.lower(),  # caps lock on the scanning laptop
    lambda t: t + "\r\n",  # the scanner's Enter
    lambda t: "\x02" + t + "\x03\t",  # STX/ETX framing and a Tab terminator
    lambda t: "\ufeff  " + t + " \x00",
])
def test_valid_through_scanner_quirks(wrap) -> None:
    assert verify(wrap(signed()), trust_store(), TODAY).verdict == V.VALID


def test_bit_flipped_in_the_signature_is_bad_signature() -> None:
    raw = bytearray(raw_of(signed()))
    raw[-10] ^= 0x04
    check = verify(text_of(bytes(raw)), trust_store(), TODAY)
    assert check.verdict == V.BAD_SIGNATURE
    assert check.cert_no == "辽334107653877"


def test_bit_flipped_in_the_expiry_date_is_bad_signature() -> None:
    raw = bytearray(raw_of(signed()))
    raw[8] ^= 0x01  # low byte of expires_on: a forger extending the badge by a day
    assert verify(text_of(bytes(raw)), trust_store(), TODAY).verdict == V.BAD_SIGNATURE


def test_bit_flipped_in_the_base32_text_is_bad_signature() -> None:
    text = signed()
    # Characters 11 and 12 hold bits 55-64 of the body: the two dates, nothing structural.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    position = 3 + 11
    flipped = alphabet[alphabet.index(text[position]) ^ 0b00001]
    tampered = text[:position] + flipped + text[position + 1:]
    assert verify(tampered, trust_store(), TODAY).verdict == V.BAD_SIGNATURE


def test_no_single_character_change_anywhere_is_valid() -> None:
    text = signed()
    store = trust_store()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    verdicts = set()
    for position in range(len(text)):
        for replacement in alphabet:
            if replacement == text[position]:
                continue
            check = verify(text[:position] + replacement + text[position + 1:], store, TODAY)
            assert check.verdict != V.VALID, (position, replacement)
            verdicts.add(check.verdict)
    assert {V.BAD_SIGNATURE, V.MALFORMED, V.UNKNOWN_ISSUER} <= verdicts


def test_a_key_not_in_the_trust_list_is_unknown_issuer() -> None:
    check = verify(signed(OTHER_KEY), trust_store(), TODAY)
    assert check.verdict == V.UNKNOWN_ISSUER
    assert "not trusted" in check.detail


def test_a_forged_kid_does_not_help_a_forger() -> None:
    """Another key's badge relabelled with the trusted kid: the signature gives it away."""
    raw = bytearray(raw_of(signed(OTHER_KEY)))
    raw[1:5] = bytes.fromhex(KID)
    assert verify(text_of(bytes(raw)), trust_store(), TODAY).verdict == V.BAD_SIGNATURE


@pytest.mark.parametrize("valid_from, valid_until", [
    (date(2025, 7, 1), date(2030, 1, 1)),  # the key is not trusted yet
    (date(2020, 1, 1), date(2025, 5, 31)),  # the key's trust has ended
])
def test_an_issuer_outside_its_window_is_unknown_issuer(valid_from: date,
                                                        valid_until: date) -> None:
    check = verify(signed(), trust_store(valid_from=valid_from, valid_until=valid_until), TODAY)
    assert check.verdict == V.UNKNOWN_ISSUER
    assert str(valid_from) in check.detail and str(valid_until) in check.detail


def test_expired() -> None:
    text = signed(issued_on=date(2024, 1, 1), expires_on=date(2025, 5, 31))
    assert verify(text, trust_store(), date(2025, 5, 31)).verdict == V.VALID  # last day
    check = verify(text, trust_store(), TODAY)
    assert check.verdict == V.EXPIRED and "2025-05-31" in check.detail


def test_not_yet_valid() -> None:
    text = signed(issued_on=date(2025, 6, 2), expires_on=date(2026, 6, 1))
    assert verify(text, trust_store(), TODAY).verdict == V.NOT_YET_VALID
    assert verify(text, trust_store(), date(2025, 6, 2)).verdict == V.VALID  # first day


def test_revoked_certificate_whatever_the_prefix(tmp_path: Path) -> None:
    revocations = tmp_path / "revoked.txt"
    revocations.write_text("# revoked 2025-05-30\n辽334107653877\n", encoding="utf-8")
    keys, kids = load_revocations(revocations)
    check = verify(signed(), MemoryTrustStore([issuer()], keys, kids), TODAY)
    assert check.verdict == V.REVOKED and "revoked" in check.detail
    # Listed without the province prefix: the same certificate.
    assert verify(signed(), trust_store(revoked={"334107653877"}), TODAY).verdict == V.REVOKED


def test_revoked_issuer() -> None:
    check = verify(signed(), trust_store(revoked_kids={KID}), TODAY)
    assert check.verdict == V.REVOKED and KID in check.detail


def test_order_of_checks() -> None:
    expired_and_revoked = signed(issued_on=date(2024, 1, 1), expires_on=date(2024, 12, 31))
    assert verify(expired_and_revoked, trust_store(revoked={"334107653877"}),
                  TODAY).verdict == V.REVOKED
    raw = bytearray(raw_of(signed()))
    raw[-1] ^= 1
    tampered = text_of(bytes(raw))
    assert verify(tampered, trust_store(revoked={"334107653877"}),
                  TODAY).verdict == V.BAD_SIGNATURE
    assert verify(tampered, MemoryTrustStore(), TODAY).verdict == V.UNKNOWN_ISSUER
    not_yet_and_expired_issuer = signed(issued_on=date(2031, 1, 1), expires_on=date(2031, 2, 1))
    assert verify(not_yet_and_expired_issuer, trust_store(),
                  date(2031, 1, 15)).verdict == V.UNKNOWN_ISSUER


@pytest.mark.parametrize("garbage", [
    "", "   ", "\r\n", "VS1", "VS1!!!!", "VS1AAAA", "VS1" + "A" * 300, "VS1" + "A" * 2000,
    "vs1 abc", "#####", "hello", "扫码", "VS1" + "8" * 120, "https://example.com/badge?id=1",
])
def test_garbage_is_malformed(garbage: str) -> None:
    check = verify(garbage, trust_store(), TODAY)
    assert check.verdict == V.MALFORMED
    assert check.cert_no == "" and check.payload is None


@pytest.mark.parametrize("legacy", ["辽334107653877", "334107653877", " 334107653877\r\n"])
def test_plain_numbers_are_unsigned_legacy(legacy: str) -> None:
    check = verify(legacy, trust_store(), TODAY)
    assert check.verdict == V.UNSIGNED_LEGACY
    assert check.cert_no == legacy.strip()
    assert check.payload is None


def test_a_revoked_certificate_stays_revoked_on_a_legacy_badge() -> None:
    check = verify("辽334107653877", trust_store(revoked={"334107653877"}), TODAY)
    assert check.verdict == V.REVOKED and check.payload is None


def test_is_signed_payload() -> None:
    assert is_signed_payload(signed())
    assert is_signed_payload("  vs1abc")
    assert not is_signed_payload("辽334107653877")
    assert not is_signed_payload(post_payload("A区1号安检口"))
    assert not is_signed_payload(None)
    assert not is_signed_payload(b"VS1AAAA")


# --- post labels ---------------------------------------------------------------------------------


def test_post_payload_round_trip() -> None:
    text = post_payload("B区7号安检口")
    assert re.fullmatch(r"VSP1[A-Z2-7]+", text)
    assert parse_post_payload(text) == "B区7号安检口"
    assert parse_post_payload(text.lower() + "\r\n") == "B区7号安检口"
    assert verify(text, trust_store(), TODAY).verdict == V.MALFORMED


@pytest.mark.parametrize("text", [None, 7, "", "VSP1", "VSP1!!", "VSP1A", signed(),
                                  "334107653877", "VSP1" + "A" * 2000])
def test_parse_post_payload_rejects_everything_else(text: object) -> None:
    assert parse_post_payload(text) is None


def test_post_payload_refuses_an_empty_name() -> None:
    with pytest.raises(ValueError):
        post_payload("")


# --- trust list ----------------------------------------------------------------------------------


def test_trust_list_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    issuers = [issuer(), issuer(OTHER_KEY, name="市局保安管理支队（备用密钥）")]
    write_trust_list(path, issuers)
    assert load_trust_list(path) == issuers
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "venue-supervisor-trust-list" and document["version"] == 1
    assert set(document["issuers"][0]) == {"kid", "name", "public_key", "valid_from",
                                           "valid_until"}
    assert "PRIVATE" not in path.read_text(encoding="utf-8")


def _trust_document() -> dict:
    public = issuer().public_key
    return {"format": "venue-supervisor-trust-list", "version": 1, "issuers": [{
        "kid": KID, "name": "市局保安管理支队",
        "public_key": base64.b64encode(public).decode(), "valid_from": "2024-01-01",
        "valid_until": "2030-12-31"}]}


def _entry(**changes: object) -> dict:
    document = _trust_document()
    document["issuers"][0].update(changes)
    return document


@pytest.mark.parametrize("document, message", [
    ("{not json", "not valid JSON"),
    ([], "expected a JSON object"),
    ({**_trust_document(), "format": "something-else"}, "not a trust list"),
    ({**_trust_document(), "version": 2}, "version 2 is not supported"),
    ({**_trust_document(), "version": True}, "not supported"),
    ({**_trust_document(), "extra": 1}, "unknown field"),
    ({**_trust_document(), "issuers": {}}, "'issuers' must be a list"),
    (_entry(kid="56475aa7"), "8 upper-case hex"),
    (_entry(kid="00000000"), "does not match the public key"),
    (_entry(public_key="***"), "not base64"),
    (_entry(public_key=base64.b64encode(b"x" * 31).decode()), "31 bytes"),
    (_entry(valid_from="2024-02-30"), "not a calendar date"),
    (_entry(valid_from="20240101"), "YYYY-MM-DD"),
    (_entry(valid_until="2023-01-01"), "before valid_from"),
    (_entry(name=""), "non-empty"),
    (_entry(surprise=True), "unknown field"),
    ({**_trust_document(), "issuers": [_trust_document()["issuers"][0]] * 2}, "twice"),
])
def test_trust_list_errors_name_the_problem(tmp_path: Path, document: object,
                                             message: str) -> None:
    path = tmp_path / "trust.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document),
                    encoding="utf-8")
    with pytest.raises(TrustListError, match=re.escape(message)) as info:
        load_trust_list(path)
    assert "trust.json" in str(info.value)


def test_trust_list_with_a_duplicated_json_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    text = json.dumps(_trust_document())
    path.write_text(text.replace('"version": 1', '"version": 1, "version": 1'), encoding="utf-8")
    with pytest.raises(TrustListError, match="appears twice"):
        load_trust_list(path)


def test_missing_trust_list(tmp_path: Path) -> None:
    with pytest.raises(TrustListError, match="not found"):
        load_trust_list(tmp_path / "nope.json")


# --- revocation list ------------------------------------------------------------------------------


def test_revocation_list_format(tmp_path: Path) -> None:
    path = tmp_path / "revoked.txt"
    path.write_text("\ufeff# HQ revocations\n\n辽334107653877  # lost 2025-05-30\n"
                    "  231171247084\n辽ａｂ12\nissuer 56475aa7\nISSUER\t65B60673\n",
                    encoding="utf-8")
    keys, kids = load_revocations(path)
    assert keys == {"334107653877", "231171247084", "AB12"}
    assert kids == {"56475AA7", "65B60673"}


def test_revocation_list_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "revoked.txt"
    path.write_bytes("# 吊销名单\n辽334107653877\n".encode("gb18030"))
    assert load_revocations(path) == ({"334107653877"}, set())


@pytest.mark.parametrize("line, message", [("辽", "line 2"), ("ISSUER XYZ", "8 hex digits"),
                                           ("ISSUER", "8 hex digits")])
def test_revocation_list_errors_give_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "revoked.txt"
    path.write_text(f"334107653877\n{line}\n", encoding="utf-8")
    with pytest.raises(RevocationListError, match=message):
        load_revocations(path)


def test_write_revocations_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "revoked.txt"
    counts = write_revocations(path, ["辽334107653877", "334107653877", "231171247084"],
                               ["56475aa7"], comment="HQ snapshot")
    assert counts == (2, 1)
    assert path.read_text(encoding="utf-8").startswith("# HQ snapshot\n")
    assert load_revocations(path) == ({"334107653877", "231171247084"}, {"56475AA7"})


def test_a_million_revocations_load_fast_and_lookups_are_constant_time(tmp_path: Path) -> None:
    path = tmp_path / "revoked.txt"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("# one million revoked certificates\n")
        for n in range(1_000_000):
            prefix = "辽" if n % 2 else ""
            handle.write(f"{prefix}{100000000000 + n * 7919}\n")
    started = time.perf_counter()
    keys, kids = load_revocations(path)
    load_seconds = time.perf_counter() - started
    assert len(keys) == 1_000_000 and not kids
    assert load_seconds < 5, f"loading took {load_seconds:.2f} s"

    store = MemoryTrustStore([issuer()], keys, kids)
    probes = [str(100000000000 + n * 7919 + (n % 2)) for n in range(10_000)]
    started = time.perf_counter()
    hits = sum(store.is_revoked_certificate(probe) for probe in probes)
    assert time.perf_counter() - started < 0.5
    assert hits == 5_000
    assert verify(signed(cert_no="辽100000000000"), store, TODAY).verdict == V.REVOKED


def test_revocation_keys_match_cert_key() -> None:
    for number in ["辽334107653877", "334107653877", "ab-12 cd", "ｂ１２", "辽Ａ-0012x", "ﬁ12"]:
        assert revocation_key(number) == cert_key(number)


def test_trust_store_from_files(tmp_path: Path) -> None:
    write_trust_list(tmp_path / "trust.json", [issuer()])
    (tmp_path / "revoked.txt").write_text("334107653877\n", encoding="utf-8")
    store = MemoryTrustStore.from_files(tmp_path / "trust.json", tmp_path / "revoked.txt")
    assert verify(signed(), store, TODAY).verdict == V.REVOKED
    store = MemoryTrustStore.from_files(tmp_path / "trust.json")
    assert verify(signed(), store, TODAY).verdict == V.VALID
    assert verify(signed(), store, TODAY + timedelta(days=365)).verdict == V.EXPIRED

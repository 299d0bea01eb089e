"""Fuzzing the badge parser: whatever arrives from a scanner or a camera, exactly one verdict.

Every test also checks that ``verify``'s last-resort ``except Exception`` was never used: the
parser must handle bad input itself, and ``decode_payload`` must raise nothing but
BadgeFormatError.
"""

from __future__ import annotations

import base64
import string
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.badge import verify as badge
from app.badge.payload import (
    MAX_INPUT_CHARS,
    BadgeFormatError,
    decode_payload,
    is_signed_payload,
    parse_post_payload,
)
from app.badge.trust_lists import (
    RevocationListError,
    TrustListError,
    load_revocations,
    load_trust_list,
    revocation_key,
)
from app.badge.verify import BadgeVerdict, verify
from app.inspection.identity import cert_key
from tests.helpers.badges import TODAY, raw_of, signed, text_of, trust_store

FUZZ = settings(max_examples=400, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
STORE = trust_store()
VALID_TEXT = signed()
VALID_RAW = raw_of(VALID_TEXT)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@pytest.fixture(autouse=True)
def no_safety_net() -> object:
    before = badge.safety_net_hits()
    yield
    assert badge.safety_net_hits() == before, "verify() needed its last-resort except"


def check_one(text: object) -> badge.BadgeCheck:
    """verify() gives a verdict; decode_payload() raises nothing but BadgeFormatError."""
    result = verify(text, STORE, TODAY)
    assert isinstance(result.verdict, BadgeVerdict)
    assert isinstance(result.cert_no, str)
    try:
        decode_payload(text)
    except BadgeFormatError:
        pass
    is_signed_payload(text)
    assert parse_post_payload(text) is None or isinstance(parse_post_payload(text), str)
    return result


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    assert check_one(text).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.text(alphabet=string.ascii_uppercase + string.digits, max_size=320))
def test_random_scanner_text_after_the_prefix(rest: str) -> None:
    assert check_one("VS1" + rest).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_base32_encoded_after_the_prefix(raw: bytes) -> None:
    text = "VS1" + base64.b32encode(raw).decode("ascii").rstrip("=")
    assert check_one(text).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_as_text_in_every_decoding(raw: bytes) -> None:
    for text in (raw.decode("latin-1"), raw.decode("utf-8", errors="surrogateescape"),
                 raw.decode("utf-8", errors="replace")):
        assert check_one(text).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID_TEXT) - 1))
def test_truncations(length: int) -> None:
    assert check_one(VALID_TEXT[:length]).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID_RAW) * 8 - 1))
def test_every_bit_flip_of_the_signed_bytes(bit: int) -> None:
    raw = bytearray(VALID_RAW)
    raw[bit // 8] ^= 1 << (bit % 8)
    assert check_one(text_of(bytes(raw))).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.integers(min_value=3, max_value=len(VALID_TEXT) - 1), st.sampled_from(ALPHABET))
def test_character_substitutions(position: int, replacement: str) -> None:
    assume(VALID_TEXT[position] != replacement)
    changed = VALID_TEXT[:position] + replacement + VALID_TEXT[position + 1:]
    assert check_one(changed).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(VALID_RAW)), st.binary(
    max_size=8)), max_size=4))
def test_splices(edits: list[tuple[int, bytes]]) -> None:
    raw = VALID_RAW
    for position, inserted in edits:
        raw = raw[:position] + inserted + raw[position:]
    assume(raw != VALID_RAW)
    assert check_one(text_of(raw)).verdict != BadgeVerdict.VALID


@FUZZ
@given(st.text(alphabet=st.characters(categories=["Cs", "Co", "Cc", "Cf", "Zs", "Lo"]),
               max_size=80))
def test_surrogates_controls_and_private_use(text: str) -> None:
    assert check_one(text).verdict in (BadgeVerdict.MALFORMED, BadgeVerdict.UNSIGNED_LEGACY)
    assert check_one("VS1" + text).verdict == BadgeVerdict.MALFORMED


@pytest.mark.parametrize("value", [None, b"VS1AAAA", VALID_TEXT.encode(), 42, 3.5, [], {},
                                   ["VS1"], object(), bytearray(b"x"), memoryview(b"VS1")])
def test_wrong_types_are_malformed(value: object) -> None:
    assert verify(value, STORE, TODAY).verdict == BadgeVerdict.MALFORMED
    with pytest.raises(BadgeFormatError):
        decode_payload(value)
    assert not is_signed_payload(value)
    assert parse_post_payload(value) is None


@pytest.mark.parametrize("text", [
    "VS1" + "A" * 10_000_000,  # a scanner stuck in a loop
    "\r\n" * 5_000_000,
    "辽" * 3_000_000,
    " " * (MAX_INPUT_CHARS + 1),
    VALID_TEXT + " " * MAX_INPUT_CHARS,
])
def test_oversized_input_is_rejected_at_once(text: str) -> None:
    started = time.perf_counter()
    check = verify(text, STORE, TODAY)
    assert check.verdict == BadgeVerdict.MALFORMED
    assert "longer than" in check.detail
    assert time.perf_counter() - started < 0.05


def test_the_largest_accepted_input_is_quick() -> None:
    text = " " * (MAX_INPUT_CHARS - len(VALID_TEXT)) + VALID_TEXT
    started = time.perf_counter()
    assert verify(text, STORE, TODAY).verdict == BadgeVerdict.VALID
    assert time.perf_counter() - started < 0.05


def test_the_safety_net_reports_a_broken_trust_store() -> None:
    """A bug elsewhere (here a trust store that raises) still gives a verdict, and is counted."""
    class Broken:
        def issuer(self, kid: str) -> None:
            raise RuntimeError("database gone")

    before = badge.safety_net_hits()
    check = verify(VALID_TEXT, Broken(), TODAY)  # type: ignore[arg-type]
    assert check.verdict == BadgeVerdict.MALFORMED and "internal error" in check.detail
    assert badge.safety_net_hits() == before + 1
    badge._safety_net_hits = before  # this test's own use of the net is not a parser bug


@FUZZ
@given(st.text(max_size=60))
def test_revocation_key_is_cert_key(text: str) -> None:
    assert revocation_key(text) == cert_key(text)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_trust_and_revocation_files_raise_only_their_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        load_trust_list(path)
    except TrustListError:
        pass
    try:
        load_revocations(path)
    except RevocationListError:
        pass


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.sampled_from(["format", "version", "issuers", "kid",
                                                        "name", "public_key", "valid_from",
                                                        "valid_until"]), children, max_size=5),
                    max_leaves=12))
def test_trust_list_of_any_json_raises_only_trust_list_error(tmp_path: Path,
                                                             document: object) -> None:
    import json

    path = tmp_path / "trust.json"
    if isinstance(document, dict):
        document = {"format": "venue-supervisor-trust-list", "version": 1, **document}
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        load_trust_list(path)
    except TrustListError:
        pass

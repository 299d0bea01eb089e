"""What the laptop and headquarters agree on: record envelopes, content hashes and the
signed files (bundles up, event packages down). See docs/sync-protocol.md.

Shared by both sides, so that a hash computed on the laptop is the hash HQ recomputes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import reprlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.errors import UserError
from app.i18n import translate
from app.sync.kinds import MODELS, plural

T = TypeVar("T")
PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
# The record kinds (the laptop's synced tables, app.sync.kinds) and the plural each is counted
# under in statistics.
KINDS: dict[str, str] = {kind: plural(kind) for kind in MODELS}
# What an event package carries as records, in the order a laptop applies them.
PACKAGE_KINDS = ("company", "event", "post", "guard")
BUNDLE_FORMAT = "venue-supervisor-bundle"
PACKAGE_FORMAT = "venue-supervisor-event-package"
HQ_SIGNER = "hq"
MAX_BATCH_RECORDS = 1000
# SQLite caps the bound parameters of one statement: ids go to IN (...) this many at a time.
ID_CHUNK = 500
MAX_BATCH_BYTES = 16 * 1024 * 1024
# A signed file is unpacked while counting, and refused as soon as it unpacks to more than
# this (a 1 MB gzip bomb on a USB stick unpacks to gigabytes: it must not exhaust the laptop's
# or HQ's memory; reading it stays under about 200 MB). What real files need, measured on the
# 600-guard roster fixture: a guard is about 0.82 KB in a package (a post 0.5 KB, +10 % for the
# envelope's escaping), so a 10,000-guard package is about 12 MB and 64 MB holds about 50,000
# guards; a bundle of 10,000 inspection records without photos is under 10 MB. The limit is
# not higher because parsing costs about twice the unpacked size on top of it (the text, then
# the body string), which must stay far under 300 MB for any file, forged or not. A bundle
# carrying many full-size evidence photos can exceed it: sync over the network (batches of
# 16 MB) has no such limit.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
# gzip never makes data larger by more than a few bytes per 16 KB block, so a file larger than
# this cannot unpack to an acceptable size: it is refused before it is unpacked.
MAX_SIGNED_FILE_BYTES = MAX_UNPACKED_BYTES + 1024 * 1024
UNPACK_CHUNK_BYTES = 1024 * 1024
# How deeply a signed file's JSON may nest arrays and objects. Real files nest 6 levels at
# most (the envelope 1; a bundle's body 4: body, records, record, payload; a package's 6, its
# checklist template). Python's json and the hashing of a record (canonical_json) recurse once
# per level and fail near 1,000 with a RecursionError, a traceback instead of a refusal: a
# deeper file is refused while it is read, so nothing later (hashing, storing, answering)
# meets such a value.
MAX_JSON_DEPTH = 64
MAX_SIGNER_LENGTH = 100
# The envelope is one flat object of five texts (format, version, signer, body, signature):
# 11 values by json_shape's count; a few more fields are tolerated, thousands are no envelope.
MAX_ENVELOPE_VALUES = 64
# What a body may hold, counted before it is parsed (json_shape). Parsing makes a Python
# object of every value: about 45 bytes a value in a real package, up to 72 in a forged one
# ([{},{},...]): 20 million empty objects, 60 MB of text signed by an enrolled laptop, took
# hq import-bundle to 5.3 GB. A real package counts about 44 values a guard, a bundle about
# 36 a record: 2 million holds about 44,000 guards or 55,000 records, and keeps any file's
# objects near 150 MB. Ingesting keeps a result for every record: their number is bounded
# too.
MAX_JSON_VALUES = 2_000_000
MAX_FILE_RECORDS = 100_000
# Counted without parsing, a chunk of text at a time (numpy: about 1 s for 64 MB of the worst
# text, a chunk without brackets only has its quotes counted), stopping once it is too deep.
_DEPTH_CHUNK = 1024 * 1024


def chunks(items: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def json_depth(text: str, stop_above: int | None = None) -> int:
    """How deeply JSON text nests arrays and objects (0 for a scalar, 1 for ``[1]``), without
    parsing it: how deep ``json.loads`` would recurse on it. On text that is not JSON it may
    count deeper than a parser gets before it fails, never shallower. With ``stop_above``,
    counting stops once the depth is past it (the figure is then only known to be larger)."""
    return json_shape(text, stop_above)[0]


def json_shape(text: str, stop_above: int | None = None) -> tuple[int, int]:
    """``json_depth``, and how many values ``json.loads`` would make at most: the separators
    (``,`` and ``:``) and the opening brackets outside strings, plus one. Escaped backslashes
    and quotes are taken out first; then every other quote opens or closes a string, and
    brackets and separators count only outside strings."""
    # Imported here, not at the top: numpy costs about 0.3 s to import (python -X importtime
    # on this machine), this module is imported at every start of the window and of HQ's
    # service, and only reading a signed file needs it.
    import numpy as np

    steps_of = np.zeros(256, dtype=np.int8)
    steps_of[[ord("["), ord("{")]] = 1
    steps_of[[ord("]"), ord("}")]] = -1
    depth = peak = quotes = 0
    values = 1
    carried = ""
    for start in range(0, len(text), _DEPTH_CHUNK):
        # The escapes are taken out chunk by chunk, not from a copy of the whole text: that
        # copy was the largest allocation of a refused file (60 MB more for a 60 MB body). A
        # backslash ending a chunk may escape the next chunk's first character: carried over.
        chunk = carried + text[start:start + _DEPTH_CHUNK]
        if (len(chunk) - len(chunk.rstrip("\\"))) % 2:
            chunk, carried = chunk[:-1], "\\"
        else:
            carried = ""
        chunk = chunk.replace("\\\\", "").replace('\\"', "")
        if not any(mark in chunk for mark in "[]{},:"):
            quotes += chunk.count('"')
            continue
        data = np.frombuffer(chunk.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        # the number of quotes up to each byte, odd inside a string
        inside = np.cumsum(data == ord('"'), dtype=np.int64)
        inside += quotes
        quotes = int(inside[-1])
        outside = (inside & 1) == 0
        steps = steps_of[data]
        steps[~outside] = 0
        values += int(np.count_nonzero(((data == ord(",")) | (data == ord(":")))
                                       & outside)) + int(np.count_nonzero(steps == 1))
        depths = np.cumsum(steps, dtype=np.int64)
        depths += depth
        peak, depth = max(peak, int(depths.max())), int(depths[-1])
        if stop_above is not None and peak > stop_above:
            break
    return peak, values


def content_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Record:
    kind: str
    id: str
    hash: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, kind: str, payload: dict[str, Any]) -> Record:
        return cls(kind, str(payload["id"]), content_hash(payload), payload)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "hash": self.hash, "payload": self.payload}


# A record's payload is flat (one object of columns): anything nested deeper than this is no
# record, and is refused before it is hashed (json.dumps recurses once per level).
MAX_PAYLOAD_DEPTH = 8


def _nesting_problem(payload: dict[str, Any]) -> str | None:
    """Nesting deeper than MAX_PAYLOAD_DEPTH, walked without recursion (so any JSON value is
    safe to give); a flat payload, the usual one, costs one look at each value."""
    pending: list[tuple[dict[str, Any] | list[Any], int]] = [
        (item, 2) for item in payload.values() if isinstance(item, dict | list)]
    while pending:
        current, depth = pending.pop()
        if depth > MAX_PAYLOAD_DEPTH:
            return f"the payload is nested more than {MAX_PAYLOAD_DEPTH} levels deep"
        items = current.values() if isinstance(current, dict) else current
        pending.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
    return None


def plain_text(value: object, limit: int) -> bool:
    """Text of 1 to ``limit`` characters that any database keeps and JSON answers can repeat:
    UTF-8 (no lone surrogate), no NUL."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_problem(item: object) -> str | None:
    """Why a received record envelope cannot be accepted, in plain words; None if it can.
    Safe on any JSON value: nothing here recurses into the payload or fails on its text."""
    if not isinstance(item, dict):
        return "a record must be a JSON object"
    kind, record_id, digest, payload = (item.get("kind"), item.get("id"), item.get("hash"),
                                        item.get("payload"))
    if not isinstance(kind, str) or kind not in KINDS:
        shown = ascii(kind[:40]) if isinstance(kind, str) else type(kind).__name__
        return f"unknown record kind {shown}"
    if not plain_text(record_id, 64):  # an id HQ can keep and answer with
        return "the record has no valid id"
    if not isinstance(payload, dict):
        return "the record has no payload"
    if payload.get("id") != record_id:
        return "the payload's id differs from the record's id"
    if not isinstance(payload.get("updated_at"), str):
        return "the payload has no updated_at time"
    problem = _nesting_problem(payload)
    if problem:
        return problem
    try:
        computed = content_hash(payload)
    except UnicodeEncodeError:  # json.loads lets a lone surrogate through from "\\ud800"
        return "the payload holds text that is not valid Unicode (a lone surrogate)"
    if not isinstance(digest, str) or computed != digest:
        return "the content hash does not match the record (changed in transit)"
    return None


# ------------------------------------------------------------------ signed files
class SignedFileError(UserError):
    """A bundle or package that cannot be used; the message says what is wrong with it (in the
    interface language), and ``reason`` names the case, for a message that says it in the
    reader's own terms (the laptop's package_problem)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def raw_public_key(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def write_signed(file_format: str, signer: str, body: dict[str, Any],
                 key: Ed25519PrivateKey) -> bytes:
    body_text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    signature = key.sign(body_text.encode("utf-8"))
    envelope = {"format": file_format, "version": PROTOCOL_VERSION, "signer": signer,
                "body": body_text, "signature": b64encode(signature)}
    # mtime=0: the same content gives the same bytes.
    return gzip.compress(json.dumps(envelope, ensure_ascii=False).encode("utf-8"), mtime=0)


class UnpackedTooLarge(Exception):
    """Compressed data that unpacks to more than the limit (counted while it is unpacked)."""


def gunzip_limited(data: bytes | bytearray | memoryview,
                   limit: int = MAX_UNPACKED_BYTES) -> bytearray:
    """``gzip.decompress`` that stops as soon as more than ``limit`` bytes came out, in all
    the members together (concatenated members are allowed, as gzip allows them, and count
    towards the same total), without ever holding more than ``limit`` plus one chunk.

    Raises UnpackedTooLarge past the limit; zlib.error for data that is not gzip (also
    anything after the last member that is not another member) and EOFError for data cut
    short.
    """
    view = memoryview(data).cast("B")
    if not len(view):
        raise EOFError("no data")
    out = bytearray()
    position = 0
    while position < len(view):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer checked
        pending: bytes | memoryview = view[position:]
        while not inflater.eof:
            # max_length is never 0 (that would mean "no limit"): one byte past the limit is
            # enough to know the data is too large.
            room = limit - len(out) + 1
            piece = inflater.decompress(pending, min(UNPACK_CHUNK_BYTES, room))
            tail = inflater.unconsumed_tail
            if len(out) + len(piece) > limit:
                raise UnpackedTooLarge(limit)
            out += piece
            if not piece and not inflater.eof and len(tail) == len(pending):
                raise EOFError("the compressed data is cut short")
            pending = tail
        # What follows a member's trailer must be another member (checked by the next
        # decompressobj: anything else is a zlib.error), not something left uncounted.
        position = len(view) - len(inflater.unused_data)
    return out


def read_signed(data: bytes, file_format: str,
                public_key_of: Callable[[str], bytes | None]) -> tuple[str, dict[str, Any]]:
    """The signer and body of a signed file, after checking its signature.

    ``public_key_of`` gives the raw Ed25519 key for a signer id, or None for a signer that is
    unknown (or no longer trusted). Every failure is a SignedFileError in plain words.
    """
    what = (translate("SyncProtocol", "bundle") if file_format == BUNDLE_FORMAT
            else translate("SyncProtocol", "event package"))
    if len(data) > MAX_SIGNED_FILE_BYTES:
        raise SignedFileError(translate("SyncProtocol", "the file is too large to be a {what}")
                              .format(what=what), "too_large")
    try:
        unpacked = gunzip_limited(data)
        text = unpacked.decode("utf-8")
        del unpacked  # the text alone from here on: the peak stays at about twice the size
        depth, values = json_shape(text, MAX_JSON_DEPTH)
        if depth > 1 or values > MAX_ENVELOPE_VALUES:
            # Not the flat object of a few texts every signed file is; parsed, 58 KB of
            # gzip holding 20 million empty objects took 1.6 GB before any signer was known.
            raise SignedFileError(translate("SyncProtocol", "this is not a {what} file (its "
                                            "envelope is not a flat JSON object of a few "
                                            "fields)").format(what=what), "not_a_file")
        envelope = json.loads(text)
        del text
    except UnpackedTooLarge:
        raise SignedFileError(translate("SyncProtocol", "the {what} is larger than {limit} MB "
                                        "once unpacked")
                              .format(what=what, limit=MAX_UNPACKED_BYTES // (1024 * 1024)),
                              "too_large_unpacked") from None
    except (OSError, EOFError, zlib.error, ValueError, RecursionError):
        raise SignedFileError(translate("SyncProtocol", "this is not a {what} file (it is not "
                                        "compressed JSON, or it was cut short)")
                              .format(what=what), "not_a_file") from None
    if not isinstance(envelope, dict) or envelope.get("format") != file_format:
        found = envelope.get("format") if isinstance(envelope, dict) else None
        raise SignedFileError(translate("SyncProtocol", "this is not a {what} file (format "
                                        "{found})").format(what=what, found=_shown(found)),
                              "wrong_format")
    if envelope.get("version") != PROTOCOL_VERSION:
        raise SignedFileError(translate("SyncProtocol", "the {what} has version {version}; this "
                                        "program reads version {supported}")
                              .format(what=what, version=_shown(envelope.get("version")),
                                      supported=PROTOCOL_VERSION), "wrong_version")
    signer, body_text, signature = (envelope.get("signer"), envelope.get("body"),
                                    envelope.get("signature"))
    if not (isinstance(signer, str) and isinstance(body_text, str)
            and isinstance(signature, str)):
        raise SignedFileError(translate("SyncProtocol", "the {what} is incomplete (signer, body "
                                        "or signature missing)").format(what=what),
                              "incomplete")
    # A device id or "hq": anything else (a lone surrogate no database takes, megabytes of
    # text) is no signer known here, and is not looked up.
    public = (public_key_of(signer) if 0 < len(signer) <= MAX_SIGNER_LENGTH
              and signer.isprintable() else None)
    if public is None:
        raise SignedFileError(translate("SyncProtocol", "the {what} was signed by {signer}, "
                                        "which is not known or no longer trusted here")
                              .format(what=what, signer=_shown(signer)), "unknown_signer")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(b64decode(signature),
                                                          body_text.encode("utf-8"))
    except (InvalidSignature, ValueError):
        raise SignedFileError(translate("SyncProtocol", "the {what}'s signature does not match "
                                        "its content: the file was changed after it was "
                                        "signed, or is damaged").format(what=what),
                              "bad_signature") from None
    _refuse_deep_or_many(body_text, what)
    try:
        body = json.loads(body_text)
    except (ValueError, RecursionError):  # RecursionError: never past _refuse_deep_or_many
        raise SignedFileError(translate("SyncProtocol", "the {what}'s content is not valid JSON")
                              .format(what=what), "damaged") from None
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SignedFileError(translate("SyncProtocol", "the {what} holds no list of records")
                              .format(what=what), "damaged")
    if len(body["records"]) > MAX_FILE_RECORDS:
        raise SignedFileError(translate("SyncProtocol", "the {what} holds more than {limit} "
                                        "records; no real {what} does (it is damaged or "
                                        "forged)").format(what=what,
                                                          limit=f"{MAX_FILE_RECORDS:,}"),
                              "too_many")
    return signer, body


def _refuse_deep_or_many(text: str, what: str) -> None:
    depth, values = json_shape(text, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise SignedFileError(translate("SyncProtocol", "the {what} nests its data more than "
                                        "{limit} levels deep; no real {what} does (it is "
                                        "damaged or forged)")
                              .format(what=what, limit=MAX_JSON_DEPTH), "too_deep")
    if values > MAX_JSON_VALUES:
        raise SignedFileError(translate("SyncProtocol", "the {what} holds more than {limit} "
                                        "values; no real {what} does (it is damaged or "
                                        "forged)")
                              .format(what=what, limit=f"{MAX_JSON_VALUES:,}"), "too_many")


def _shown(value: object) -> str:
    """A value from a refused file, short enough for a message (reprlib never makes the whole
    repr of a long string or a large list)."""
    shorter = reprlib.Repr()
    shorter.maxstring = shorter.maxother = 60
    return shorter.repr(value)

"""The random sample of guards a supervisor checks (双随机、一公开, seed 004 §2), its size from
GB/T 2828.1, its reproducible draw, and the Wilson interval of what it finds.

Pure: no database, no Qt, nothing of the laptop's profile, so that the laptop
(app.evaluation.sample_rows) and headquarters (app.hq.sample_rows) compute the same sample
from the same rows (docs/scoring.md, "The sample").

**The plan.** GB/T 2828.1-2012 《计数抽样检验程序 第1部分：按接收质量限(AQL)检索的逐批检验抽样
计划》 is an identical adoption of ISO 2859-1:1999. Its table 1 (样本量字码) gives, for general
inspection level II, the code letter of a lot size, and its table 2-A (正常检验一次抽样方案
主表) the sample size of a code letter; both are checked against the tables reproduced in
ANSI/ASQ Z1.4 / ISO 2859 charts (e.g. https://pdfcoffee.com/aql-sampling-chart-pdf-free.html)
and GOST R ISO 2859-1 table A.1. The lot is the event's roster; when the size reaches the lot,
every guard is checked (the standard's "100 percent inspection"). A lot under 2 is below the
table: it takes row A with its size cut to the lot.

**The draw** depends on the seed and the rows only, never on ``random`` (whose algorithms may
change between Python versions), so it is the same on any machine:

1. strata: the guards of each post; the guards fixed to no post form one stratum of their own;
2. each guard's rank: HMAC-SHA256(key = the seed's 32 bytes, message = the guard's
   certificate key, UTF-8), in hex; lower is drawn first;
3. allocation (largest remainder, in integers): when the sample has room for one guard per
   stratum, every stratum gets one, and the rest (n - K for K strata) is shared in proportion
   to the guards each stratum has left (N_s - 1): first the whole part of
   (n - K)(N_s - 1) / (N - K), then one more to the strata with the largest remainders. When
   it has less room than strata, the n largest strata get one each. Ties (equal remainders or
   sizes) go to the stratum whose key ranks lower under the same HMAC ("post:" + post id). No
   stratum gets more guards than it has;
4. each stratum gives its lowest-ranked guards.

The certificate key (app.inspection.identity.cert_key: NFKC, upper case, digits and A-Z) is
what identifies a guard here: unique within an event on both sides. What is printed is the
certificate number as the roster gives it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

STANDARD = "GB/T 2828.1-2012"
LEVEL = "II"
SEED_LABEL = "venue-supervisor/sample/v1"
NO_POST = ""  # the stratum of the guards fixed to no post
Z_95 = 1.959963984540054  # the standard normal's 97.5 % quantile

# Table 1, general inspection level II: (the largest lot of the row, its code letter); the
# row after the last, 500 001 and over, is Q.
CODE_LETTERS: tuple[tuple[int, str], ...] = (
    (8, "A"), (15, "B"), (25, "C"), (50, "D"), (90, "E"), (150, "F"), (280, "G"),
    (500, "H"), (1200, "J"), (3200, "K"), (10000, "L"), (35000, "M"), (150000, "N"),
    (500000, "P"))
LAST_LETTER = "Q"
# Table 2-A: the sample size of each code letter.
SAMPLE_SIZES: Mapping[str, int] = {
    "A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80, "K": 125,
    "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250}


@dataclass(frozen=True)
class SamplePlan:
    """GB/T 2828.1's plan for a lot: its code letter and the size to draw (at most the lot)."""

    lot: int
    code: str
    size: int


@dataclass(frozen=True)
class SampleGuard:
    """A rostered guard as the draw sees it: the certificate key (identity), the number as
    printed, and the stratum (the post's id, or NO_POST)."""

    cert_key: str
    cert_no: str
    stratum: str = NO_POST


@dataclass(frozen=True)
class Sample:
    """A drawn sample: the plan, the seed, the guards drawn and how many from each stratum."""

    plan: SamplePlan
    seed: str
    guards: tuple[SampleGuard, ...]
    allocation: Mapping[str, int]

    @property
    def cert_numbers(self) -> list[str]:
        """The drawn guards' certificate numbers, sorted."""
        return sorted(guard.cert_no for guard in self.guards)

    def as_json(self) -> dict[str, Any]:
        """The object ``python -m app sample`` and ``python -m app hq sample`` print."""
        return {"standard": STANDARD, "level": LEVEL, "code": self.plan.code,
                "size": self.plan.size, "seed": self.seed, "guards": self.cert_numbers}


def code_letter(lot: int) -> str:
    """The sample size code letter of a lot, general inspection level II (row A below 2)."""
    for largest, letter in CODE_LETTERS:
        if lot <= largest:
            return letter
    return LAST_LETTER


def sample_plan(lot: int) -> SamplePlan:
    """The plan for a lot of ``lot`` guards; its size never more than the lot."""
    if lot < 0:
        raise ValueError(f"a lot of {lot} guards")
    letter = code_letter(lot)
    return SamplePlan(lot=lot, code=letter, size=min(SAMPLE_SIZES[letter], lot))


def sample_seed(event_id: str, cert_keys: Iterable[str]) -> str:
    """SHA-256, hex, of the UTF-8 text: SEED_LABEL, the event's id and the roster's sorted
    certificate keys, each on a line of its own (joined by "\\n", no final newline)."""
    text = "\n".join([SEED_LABEL, event_id, *sorted(cert_keys)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rank(seed: str, message: str) -> str:
    """HMAC-SHA256(seed's bytes, message), hex: the order the draw takes things in."""
    return hmac.new(bytes.fromhex(seed), message.encode("utf-8"), hashlib.sha256).hexdigest()


def allocate(strata: Mapping[str, int], size: int, seed: str) -> dict[str, int]:
    """How many guards each stratum gives (module docstring, step 3). ``strata``: the guards
    of each stratum; ``size``: at most their sum. Empty strata get 0."""
    sizes = {key: count for key, count in strata.items() if count > 0}
    total = sum(sizes.values())
    if not 0 <= size <= total:
        raise ValueError(f"a sample of {size} from {total} guards")
    order = {key: rank(seed, "post:" + key) for key in sizes}
    shares = dict.fromkeys(strata, 0)
    if size < len(sizes):  # room for fewer than one each: the largest strata
        for key in sorted(sizes, key=lambda k: (-sizes[k], order[k]))[:size]:
            shares[key] = 1
        return shares
    rest, left = size - len(sizes), total - len(sizes)
    remainders: dict[str, int] = {}
    for key, count in sizes.items():
        whole, remainders[key] = divmod(rest * (count - 1), left) if left else (0, 0)
        shares[key] = 1 + whole
    missing = size - sum(shares.values())
    for key in sorted(sizes, key=lambda k: (-remainders[k], order[k]))[:missing]:
        shares[key] += 1
    return shares


def draw_sample(event_id: str, guards: Sequence[SampleGuard]) -> Sample:
    """The event's sample from its live roster, the same wherever it is computed."""
    keys = [guard.cert_key for guard in guards]
    if len(set(keys)) != len(keys):
        raise ValueError("a certificate key appears twice on the roster")
    plan = sample_plan(len(guards))
    seed = sample_seed(event_id, keys)
    by_stratum: dict[str, list[SampleGuard]] = {}
    for guard in guards:
        by_stratum.setdefault(guard.stratum, []).append(guard)
    shares = allocate({key: len(members) for key, members in by_stratum.items()},
                      plan.size, seed)
    drawn: list[SampleGuard] = []
    for key, members in by_stratum.items():
        ranked = sorted(members, key=lambda g: (rank(seed, g.cert_key), g.cert_key))
        drawn.extend(ranked[:shares[key]])
    drawn.sort(key=lambda g: g.cert_no)
    return Sample(plan=plan, seed=seed, guards=tuple(drawn), allocation=shares)


def wilson_interval(findings: int, checked: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) of a proportion: ``findings`` of the
    ``checked`` guards were found not compliant. (0, 1) when nobody was checked."""
    if checked < 0 or not 0 <= findings <= checked:
        raise ValueError(f"{findings} findings among {checked} checked")
    if checked == 0:
        return 0.0, 1.0
    p = findings / checked
    z2 = z * z
    denominator = 1 + z2 / checked
    centre = (p + z2 / (2 * checked)) / denominator
    half = z * math.sqrt(p * (1 - p) / checked + z2 / (4 * checked * checked)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)

"""The random sample (issue 13, "A sample that holds up"): GB/T 2828.1's plan at its
boundaries, a draw reproducible from its seed alone and spread over the posts, the Wilson
interval, and ``python -m app sample`` equal to ``python -m app hq sample`` after a pull."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.evaluation.sampling import (
    NO_POST,
    SampleGuard,
    allocate,
    draw_sample,
    sample_plan,
    wilson_interval,
)
from app.hq.store import HqStore
from app.profile.db import Database
from app.sync.client import SyncService
from app.sync.protocol import b64encode
from app.sync.state import HQ_PACKAGE_KEY


@pytest.mark.parametrize(("lot", "code", "size"), [
    (2, "A", 2), (8, "A", 2), (9, "B", 3), (15, "B", 3), (16, "C", 5), (25, "C", 5),
    (26, "D", 8), (50, "D", 8), (51, "E", 13), (90, "E", 13), (91, "F", 20), (150, "F", 20),
    (151, "G", 32), (280, "G", 32), (281, "H", 50), (500, "H", 50), (501, "J", 80),
    (1200, "J", 80), (1201, "K", 125), (3200, "K", 125), (3201, "L", 200),
    (10000, "L", 200), (10001, "M", 315), (35000, "M", 315), (35001, "N", 500),
    (150000, "N", 500), (150001, "P", 800), (500000, "P", 800), (500001, "Q", 1250),
    (10_000_000, "Q", 1250)])
def test_the_plan_follows_the_table_at_its_boundaries(lot: int, code: str, size: int) -> None:
    plan = sample_plan(lot)
    assert (plan.code, plan.size) == (code, size)


@pytest.mark.parametrize(("lot", "size"), [(0, 0), (1, 1), (2, 2), (3, 2), (12, 3), (20, 5)])
def test_a_lot_smaller_than_its_size_is_checked_whole(lot: int, size: int) -> None:
    assert sample_plan(lot).size == size
    guards = [SampleGuard(f"K{i:04d}", f"辽{i:04d}", "p" if i % 2 else NO_POST)
              for i in range(lot)]
    drawn = draw_sample("event", guards)
    assert len(drawn.guards) == size
    if lot <= 2:
        assert drawn.cert_numbers == sorted(g.cert_no for g in guards)


def roster(count: int, posts: dict[str, int]) -> list[SampleGuard]:
    """``count`` guards, the first ones fixed to ``posts`` (name: how many), the rest to none."""
    strata = [name for name, size in posts.items() for _ in range(size)]
    strata += [NO_POST] * (count - len(strata))
    return [SampleGuard(f"21{i:010d}", f"辽21{i:010d}", stratum)
            for i, stratum in enumerate(strata)]


def test_the_draw_is_reproducible_and_depends_on_the_seed() -> None:
    guards = roster(600, {"A区1号": 200, "B区": 150, "C区": 100})
    first, again = draw_sample("event-1", guards), draw_sample("event-1", list(reversed(guards)))
    assert (first.plan.code, first.plan.size) == ("J", 80)
    assert first.as_json() == again.as_json()
    assert len(set(first.cert_numbers)) == 80
    other = draw_sample("event-2", guards)
    assert other.seed != first.seed
    assert len(set(other.cert_numbers) & set(first.cert_numbers)) < 40
    # the seed is the documented SHA-256: nothing else goes into it
    text = "\n".join(["venue-supervisor/sample/v1", "event-1",
                      *sorted(g.cert_key for g in guards)])
    assert first.seed == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # one guard more on the roster is another seed
    assert draw_sample("event-1", guards[:-1]).seed != first.seed


def test_each_post_gives_its_lowest_ranked_guards() -> None:
    guards = roster(500, {"a": 300, "b": 100, "c": 50, "d": 3})  # 47 fixed to no post
    drawn = draw_sample("event", guards)
    key = bytes.fromhex(drawn.seed)
    for stratum, share in drawn.allocation.items():
        members = [g for g in guards if g.stratum == stratum]
        ranked = sorted(members, key=lambda g: hmac.new(
            key, g.cert_key.encode("utf-8"), hashlib.sha256).hexdigest())
        assert {g.cert_no for g in drawn.guards if g.stratum == stratum} == {
            g.cert_no for g in ranked[:share]}


def test_the_sample_is_spread_over_the_posts_in_proportion() -> None:
    guards = roster(500, {"a": 300, "b": 100, "c": 50, "d": 3})  # 47 fixed to no post
    drawn = draw_sample("event", guards)
    # one each, then 45 over (299, 99, 49, 2, 46) / 495: 27 r90, 9 r0, 4 r225, 0 r90, 4 r90;
    # the one left goes to the largest remainder (c)
    assert dict(Counter(g.stratum for g in drawn.guards)) == {
        "a": 28, "b": 10, "c": 6, "d": 1, NO_POST: 5}
    assert drawn.allocation == {"a": 28, "b": 10, "c": 6, "d": 1, NO_POST: 5}


def test_allocation_never_exceeds_a_stratum_and_always_sums_to_the_size() -> None:
    strata = {"big": 970, **{f"p{i}": 1 + i % 3 for i in range(30)}}  # 1,030 guards: J, 80
    shares = allocate(strata, 80, "00" * 32)
    assert sum(shares.values()) == 80
    assert all(1 <= shares[k] <= strata[k] for k in strata)
    # one each (31), then 49 over the 999 left: big 49 x 969 / 999 = 47 r529, the largest
    # remainder, so 1 + 47 + 1; a post of 3 has the next (49 x 2 = 98) and gets its second
    assert shares["big"] == 49
    assert sorted(shares[k] for k in strata if k != "big") == [1] * 29 + [2]
    # fewer places than strata: the largest strata get one each
    few = allocate({"a": 5, "b": 9, "c": 2, "d": 7, "e": 0}, 3, "11" * 32)
    assert few == {"a": 1, "b": 1, "c": 0, "d": 1, "e": 0}
    # everybody: each stratum whole
    assert allocate({"a": 5, "b": 9}, 14, "22" * 32) == {"a": 5, "b": 9}
    with pytest.raises(ValueError):
        allocate({"a": 5}, 6, "22" * 32)


# The brief's two values, then Newcombe (1998), Statistics in Medicine 17:857, table I,
# method 3 (the score interval without continuity correction).
@pytest.mark.parametrize(("findings", "checked", "low", "high"), [
    (0, 50, 0.0, 0.0713), (5, 50, 0.0435, 0.2136), (50, 50, 0.9287, 1.0),
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718)])
def test_wilson_interval(findings: int, checked: int, low: float, high: float) -> None:
    assert wilson_interval(findings, checked) == pytest.approx((low, high), abs=5e-5)


def test_wilson_interval_without_checks_and_refused_counts() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


# ------------------------------------------------------------- the two command lines


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``python -m app ARGS`` in this process: (exit status, stdout, stderr)."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.cli.main import main

    if QCoreApplication.instance() is None:  # main() would make a QCoreApplication, which
        QApplication([])  # the widget tests run after this one in the same process cannot use
    umask = os.umask(0o022)  # main() sets the app's own: give the test process its back
    os.umask(umask)
    monkeypatch.setattr(os, "umask", lambda _mask: umask)

    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        return code, out.getvalue(), err.getvalue()

    yield run


def test_the_laptops_sample_equals_hqs_after_a_pull(tmp_path: Path, cli: Any) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    store = HqStore(url)
    laptop = Database(tmp_path / "laptop")
    try:
        event_id = store.add_demo_event()
        laptop.set_setting(HQ_PACKAGE_KEY, b64encode(store.package_public_key()))
        SyncService(laptop).import_package_bytes(store.event_package(event_id))
    finally:
        store.close()
        laptop.close()

    code, hq_out, hq_err = cli("hq", "sample", "--event", event_id, "--db", url)
    assert code == 0, hq_err
    at_hq = json.loads(hq_out)
    code, out, err = cli("sample", "--event", event_id, "--data-dir", str(tmp_path / "laptop"))
    assert code == 0, err
    on_laptop = json.loads(out)
    assert on_laptop == at_hq
    assert {k: on_laptop[k] for k in ("standard", "level", "code", "size")} == {
        "standard": "GB/T 2828.1-2012", "level": "II", "code": "J", "size": 80}
    assert len(on_laptop["guards"]) == 80 == len(set(on_laptop["guards"]))
    assert on_laptop["guards"] == sorted(on_laptop["guards"])
    assert len(on_laptop["seed"]) == 64
    assert cli("sample", "--event", event_id, "--data-dir", str(tmp_path / "laptop"))[1] == out

    # every guard drawn is on the roster, and every post gets at least one
    check = Database(tmp_path / "laptop")
    try:
        from sqlalchemy import select

        from app.profile.models import Guard, Post

        with check.read() as s:
            posts = dict(s.execute(select(Guard.cert_no, Guard.post_id)
                                   .where(Guard.event_id == event_id)).all())
            post_count = len(s.scalars(select(Post.id).where(Post.event_id == event_id)).all())
    finally:
        check.close()
    assert set(on_laptop["guards"]) <= set(posts)
    staffed = {post for post in posts.values() if post}
    assert {posts[c] for c in on_laptop["guards"] if posts[c]} == staffed
    assert 0 < len(staffed) <= post_count


def test_an_unknown_event_exits_2_on_both_sides(tmp_path: Path, cli: Any) -> None:
    code, out, err = cli("sample", "--event", "no-such", "--data-dir", str(tmp_path / "l"))
    assert (code, out) == (2, "") and "no-such" in err
    code, out, err = cli("hq", "sample", "--event", "no-such",
                         "--db", f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    assert (code, out) == (2, "") and "no-such" in err

"""The strength of a new profile password as the set-up shows it (app.profile.password_strength):
zxcvbn's score in words, its warning in the interface language, and the two refusals (too
short, among the first guesses)."""

from __future__ import annotations

from app.profile.key import MIN_PASSWORD_CHARS
from app.profile.password_strength import ESTIMATE_MAX_CHARS, estimate_strength


def test_a_long_uncommon_password_is_strong_and_accepted() -> None:
    strength = estimate_strength("ferry lantern 盘锦 quietly 47")
    assert strength.score >= 3 and strength.label in ("strong", "very strong")
    assert strength.acceptable and strength.problem == "" and strength.advice == ""


def test_too_short_is_refused_with_the_minimum_whatever_its_score() -> None:
    strength = estimate_strength("x9#Kq!")
    assert not strength.acceptable
    assert strength.problem == f"At least {MIN_PASSWORD_CHARS} characters."
    assert not estimate_strength("").acceptable


def test_a_top_ten_password_is_refused_and_says_why() -> None:
    strength = estimate_strength("12345678")
    assert strength.score == 0 and strength.label == "very weak"
    assert strength.advice == "This is one of the ten most common passwords."
    assert not strength.acceptable and "first tries" in strength.problem


def test_a_keyboard_row_or_a_repeat_is_named_as_such() -> None:
    assert estimate_strength("zxcvbnm,./").advice == "A straight row of keys is easy to guess."
    assert estimate_strength("aaaaaaaaaaaa").advice == \
        "Repeated characters (like aaa) are easy to guess."


def test_the_supervisors_own_words_make_a_password_weaker() -> None:
    password = "wangjianguo210123"
    unknown = estimate_strength(password)
    known = estimate_strength(password, ["wangjianguo", "", "210123"])
    assert known.score < unknown.score
    assert known.advice  # rated low, with advice to add words that are not about them


def test_a_password_longer_than_zxcvbn_reads_is_rated_by_its_start() -> None:
    long = "harbour kite 9 " * 10
    assert len(long) > ESTIMATE_MAX_CHARS
    strength = estimate_strength(long)
    assert strength.acceptable and strength.score == \
        estimate_strength(long[:ESTIMATE_MAX_CHARS]).score

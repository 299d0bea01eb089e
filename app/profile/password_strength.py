"""How hard a new profile password is to guess, in words the supervisor reads as they type.

The estimate is zxcvbn's (Dropbox's estimator, ported to Python): it knows common passwords,
names, keyboard rows, dates and repeats, and scores 0 (guessed at once) to 4. The supervisor's
own name, unit and badge number count as known words, so a password built from them rates low.
zxcvbn's advice comes in English only; the warnings it can give are listed here and said in
the interface language (a warning this list does not know is left out, the score still shown).

The hard rules for a new password stay in ``app.profile.key`` (``MIN_PASSWORD_CHARS``); this
module adds one: a password zxcvbn scores 0 (one of the most common, a plain row of keys)
protects nothing, since it is among the first guesses of anyone holding the laptop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.i18n import translate
from app.profile.key import MIN_PASSWORD_CHARS

# zxcvbn refuses longer input (its matching grows with the square of the length); a longer
# password is at least as strong as its first 72 characters.
ESTIMATE_MAX_CHARS = 72
MAX_SCORE = 4
LOWEST_ACCEPTED_SCORE = 1


@dataclass(frozen=True, slots=True)
class PasswordStrength:
    score: int  # 0 (guessed at once) to 4 (very hard to guess)
    label: str  # the score in words, in the interface language
    advice: str  # why it rates low, in the interface language; "" when nothing to say
    problem: str  # why it cannot be the profile password; "" when it can

    @property
    def acceptable(self) -> bool:
        return not self.problem


def _labels() -> tuple[str, ...]:
    return (translate("PasswordStrength", "very weak"),
            translate("PasswordStrength", "weak"),
            translate("PasswordStrength", "fair"),
            translate("PasswordStrength", "strong"),
            translate("PasswordStrength", "very strong"))


def _warnings() -> dict[str, str]:
    """zxcvbn 4.x's warnings (its English text) in the interface language."""
    return {
        "Straight rows of keys are easy to guess.":
            translate("PasswordStrength", "A straight row of keys is easy to guess."),
        "Short keyboard patterns are easy to guess.":
            translate("PasswordStrength", "A short keyboard pattern is easy to guess."),
        'Repeats like "aaa" are easy to guess.':
            translate("PasswordStrength", "Repeated characters (like aaa) are easy to guess."),
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
            translate("PasswordStrength", "A repeated group (like abcabc) is hardly harder to "
                                          "guess than the group once."),
        'Sequences like "abc" or "6543" are easy to guess.':
            translate("PasswordStrength", "Sequences (like abc or 6543) are easy to guess."),
        "Recent years are easy to guess.":
            translate("PasswordStrength", "Recent years are easy to guess."),
        "Dates are often easy to guess.":
            translate("PasswordStrength", "Dates are easy to guess."),
        "This is a top-10 common password.":
            translate("PasswordStrength", "This is one of the ten most common passwords."),
        "This is a top-100 common password.":
            translate("PasswordStrength", "This is one of the hundred most common passwords."),
        "This is a very common password.":
            translate("PasswordStrength", "This is a very common password."),
        "This is similar to a commonly used password.":
            translate("PasswordStrength", "This is close to a commonly used password."),
        "A word by itself is easy to guess.":
            translate("PasswordStrength", "A single word is easy to guess."),
        "Names and surnames by themselves are easy to guess.":
            translate("PasswordStrength", "A name on its own is easy to guess."),
        "Common names and surnames are easy to guess.":
            translate("PasswordStrength", "Common names are easy to guess."),
    }


def estimate_strength(password: str, known_words: Iterable[str] = ()) -> PasswordStrength:
    """The strength of ``password``; ``known_words`` (the supervisor's name, unit, badge
    number) are what someone who knows the supervisor would try first."""
    # Here, not at the top: zxcvbn reads its word lists at import, about 45 ms (measured with
    # -X importtime on the development machine) that every start would pay for a module the
    # first-run set-up alone uses.
    from zxcvbn import zxcvbn

    words = [word for word in known_words if word]
    result = zxcvbn(password[:ESTIMATE_MAX_CHARS], user_inputs=words) if password else None
    score = int(result["score"]) if result else 0
    warning = str(result["feedback"]["warning"]) if result else ""
    advice = _warnings().get(warning, "")
    if score < MAX_SCORE - 1 and not advice and password:
        advice = translate("PasswordStrength", "Longer is stronger: add another word or two "
                                               "that are not about you.")
    if len(password) < MIN_PASSWORD_CHARS:
        problem = translate("PasswordStrength", "At least {count} characters.").format(
            count=MIN_PASSWORD_CHARS)
    elif score < LOWEST_ACCEPTED_SCORE:
        problem = translate("PasswordStrength", "Too easy to guess: it would be among the "
                                                "first tries. Choose another.")
    else:
        problem = ""
    return PasswordStrength(score=score, label=_labels()[score], advice=advice, problem=problem)

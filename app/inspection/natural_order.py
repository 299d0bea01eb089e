"""The order people expect for names with numbers in them (A区2号 before A区10号): the posts'
list on every screen, the evaluation's per-post and per-guard tables."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[object, ...]:
    """A区2号 before A区10号: numbers inside names compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(text))

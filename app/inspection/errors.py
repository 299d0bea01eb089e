"""The refusals of the inspection's rules, in words for people."""

from __future__ import annotations

from app.errors import UserError


class WorkbenchError(UserError):
    """A change the rules refuse (e.g. a duplicate name); the message is for people."""
